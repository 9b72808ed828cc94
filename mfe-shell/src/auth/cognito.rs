//! Talks Cognito's JSON protocol to the pool in `/config.json`, through `cognito-client` (which
//! builds each request and parses each answer) and the browser's `fetch`.

use cognito_client::{AppClient, AuthResponse, AuthenticationResult, CognitoError, ErrorKind, Request, SrpClient};
use mfe_contract::{AuthFlow, CognitoSettings};
use miniserde::Deserialize;

use crate::http;

#[derive(Clone)]
pub struct Cognito {
    pub client: AppClient,
    endpoint: String,
    user_pool_id: String,
    flow: AuthFlow,
}

/// Where a sign-in step leads: tokens, or the next challenge to answer.
pub enum SignedIn {
    Tokens(AuthenticationResult),
    /// An admin created the user with a temporary password: they choose their own now.
    NewPasswordRequired(Pending),
    /// The code the person's authenticator app shows (SOFTWARE_TOKEN_MFA).
    AppCode(Pending),
    /// The pool requires an authenticator app and the person has none yet (MFA_SETUP).
    AppSetup(Pending),
    /// A sign-in code was mailed to the person (EMAIL_OTP); the masked address it went to.
    EmailCode(Pending, String),
}

/// A challenge to answer: for whom (Cognito's own username when it says it, as the answer must name it)
/// and its session.
#[derive(Clone)]
pub struct Pending {
    pub username: String,
    pub session: String,
    /// The address the person signs in with, as they typed it.
    pub account: String,
}

impl Cognito {
    pub fn new(settings: &CognitoSettings) -> Self {
        Self {
            client: AppClient::public(&settings.user_pool_client_id),
            endpoint: settings.endpoint.clone(),
            user_pool_id: settings.user_pool_id.clone(),
            flow: settings.auth_flow,
        }
    }

    pub async fn call<T: Deserialize>(&self, request: Request<T>) -> Result<T, CognitoError> {
        let reply = self.post(&request.headers(), &request.body).await?;
        request.parse_response(reply.status, reply.error_type.as_deref(), reply.body.as_bytes())
    }

    /// The request's round trip, kept out of the generic `call` so that its future is compiled once
    /// rather than once per operation's answer type (wasm size).
    async fn post(&self, headers: &[(&'static str, String)], body: &str) -> Result<http::Reply, CognitoError> {
        http::post(&self.endpoint, headers, body).await.map_err(unreachable)
    }

    /// Signs in with the configured flow: SRP by default, so the password never leaves the browser.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, CognitoError> {
        let answer = match self.flow {
            AuthFlow::UserPasswordAuth => self.call(self.client.initiate_password_auth(email, password)).await?,
            AuthFlow::UserSrpAuth => {
                let srp = SrpClient::new(&self.user_pool_id).map_err(srp_failed)?;
                let challenge = self.call(self.client.initiate_srp_auth(email, &srp)).await?;
                let now = (js_sys::Date::now() / 1000.0) as u64;
                let parameters = challenge.challenge_parameters.unwrap_or_default();
                let claim = srp.answer(&parameters, password, now).map_err(srp_failed)?;
                self.call(self.client.respond_password_verifier(&claim, challenge.session.as_deref())).await?
            }
        };
        outcome(answer, email)
    }

    /// A step of signing in (InitiateAuth or RespondToAuthChallenge for the person signing in as `account`),
    /// and where it leads. One function for every step, so its future is compiled once (wasm size).
    pub async fn step(&self, request: Request<AuthResponse>, account: &str) -> Result<SignedIn, CognitoError> {
        outcome(self.call(request).await?, account)
    }
}

/// Tokens, or the challenge the answer names, for the person signing in as `account`.
fn outcome(answer: AuthResponse, account: &str) -> Result<SignedIn, CognitoError> {
    if let Some(tokens) = answer.authentication_result {
        return Ok(SignedIn::Tokens(tokens));
    }
    let mut parameters = answer.challenge_parameters.unwrap_or_default();
    let username = parameters.remove("USER_ID_FOR_SRP").unwrap_or_else(|| account.to_owned());
    match (answer.challenge_name.as_deref(), answer.session) {
        (Some(challenge), Some(session)) => {
            let pending = Pending { username, session, account: account.to_owned() };
            match challenge {
                "NEW_PASSWORD_REQUIRED" => return Ok(SignedIn::NewPasswordRequired(pending)),
                "SOFTWARE_TOKEN_MFA" => return Ok(SignedIn::AppCode(pending)),
                "MFA_SETUP" => return Ok(SignedIn::AppSetup(pending)),
                "EMAIL_OTP" => {
                    let destination = parameters.remove("CODE_DELIVERY_DESTINATION").unwrap_or_default();
                    return Ok(SignedIn::EmailCode(pending, destination));
                }
                _ => {}
            }
            unsupported(challenge)
        }
        (challenge, _) => unsupported(challenge.unwrap_or("unnamed")),
    }
}

fn unsupported(challenge: &str) -> Result<SignedIn, CognitoError> {
    Err(CognitoError {
        kind: ErrorKind::Other("UnsupportedChallenge".into()),
        message: format!("Ledgerline cannot answer the {challenge} challenge yet."),
    })
}

fn unreachable(cause: String) -> CognitoError {
    CognitoError { kind: ErrorKind::MalformedResponse, message: format!("no answer ({cause})") }
}

fn srp_failed(error: cognito_client::SrpError) -> CognitoError {
    CognitoError { kind: ErrorKind::Other("SrpError".into()), message: error.to_string() }
}

/// What went wrong, in words for the person (the server's own words when they are already plain).
pub fn explain(error: &CognitoError) -> String {
    let server = error.message.trim();
    match error.kind {
        ErrorKind::UsernameExistsException => {
            "An account with this email already exists. Sign in, or reset your password if you forgot it.".into()
        }
        ErrorKind::InvalidPasswordException => format!("That password is not allowed: {server}"),
        ErrorKind::CodeMismatchException => "That code is not right. Check the latest email and try again.".into(),
        ErrorKind::ExpiredCodeException => "That code has expired. Ask for a new one.".into(),
        ErrorKind::LimitExceededException
        | ErrorKind::TooManyRequestsException
        | ErrorKind::TooManyFailedAttemptsException => "Too many attempts. Wait a few minutes, then try again.".into(),
        ErrorKind::UserNotFoundException => "No account uses this email address.".into(),
        ErrorKind::UserNotConfirmedException => "This account is not confirmed yet.".into(),
        ErrorKind::MalformedResponse => {
            "The sign-in service could not be reached. Check your connection and try again.".into()
        }
        ErrorKind::NotAuthorizedException if server.contains("attempts exceeded") => {
            "Too many wrong passwords: this account is locked for a while. Try again later or reset your password."
                .into()
        }
        ErrorKind::NotAuthorizedException if server.is_empty() => "Incorrect email or password.".into(),
        _ if server.is_empty() => format!("Something went wrong ({}).", error.kind.name()),
        _ => server.to_owned(),
    }
}
