//! USER_AUTH, choice-based sign-in: the client names the user and, if it likes, the first factor it prefers
//! (PREFERRED_CHALLENGE); otherwise it is offered the factors the pool's SignInPolicy allows and the user
//! can use (AvailableChallenges, SELECT_CHALLENGE). The factors: PASSWORD (sent as such), PASSWORD_SRP
//! (the SRP exchange) and EMAIL_OTP (a one-time code mailed through the outbox: passwordless sign-in).
//! Also the auto sign-in after confirmation: ConfirmSignUp's Session signs the new user in once.

use std::collections::HashMap;

use super::{
    codes::{self, Purpose},
    error::{CognitoError, CognitoResult},
    pools::{self, Client, Pool},
    sessions::{self, Step},
    sign_in::{self, Challenge, Outcome},
    tokens::AuthenticationResult,
    users::{self, User},
};
use crate::AppState;

/// The values of a SignInPolicy's AllowedFirstAuthFactors this service offers.
pub const FIRST_FACTORS: [&str; 2] = ["PASSWORD", "EMAIL_OTP"];

/// A SignInPolicy's AllowedFirstAuthFactors, as this service takes them: PASSWORD, maybe EMAIL_OTP.
pub fn check_first_factors(factors: &[String]) -> CognitoResult<()> {
    if let Some(unsupported) = factors.iter().find(|f| !FIRST_FACTORS.contains(&f.as_str())) {
        return Err(CognitoError::invalid_parameter(format!(
            "AllowedFirstAuthFactors: {unsupported} is not supported; this service offers PASSWORD and EMAIL_OTP."
        )));
    }
    if !factors.iter().any(|factor| factor == "PASSWORD") {
        return Err(CognitoError::invalid_parameter("AllowedFirstAuthFactors must include PASSWORD."));
    }
    Ok(())
}

/// What USER_AUTH's InitiateAuth sends: AuthParameters, and the Session of an auto sign-in.
pub struct Start<'a> {
    pub parameters: &'a HashMap<String, String>,
    pub session: Option<&'a str>,
}

impl Start<'_> {
    fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }
}

/// InitiateAuth(USER_AUTH).
pub async fn start(state: &AppState, client: &Client, start: &Start<'_>) -> CognitoResult<Outcome> {
    let username = start.parameter("USERNAME").ok_or_else(|| CognitoError::missing("USERNAME"))?;
    let secret_hash = start.parameter("SECRET_HASH");
    if let Some(session) = start.session {
        return auto_sign_in(state, client, username, session, secret_hash).await;
    }
    let pool = pools::load_pool(&state.db, &client.pool_id).await?;
    let user = users::named_if_known(&state.db, client, username, secret_hash).await?;
    if user.is_none() && !client.prevent_user_existence_errors {
        return Err(CognitoError::user_not_found());
    }
    let available = available(&pool, user.as_ref());
    match start.parameter("PREFERRED_CHALLENGE").filter(|preferred| available.contains(preferred)) {
        Some(factor) => first_factor(state, client, username, user.as_ref(), factor, start.parameters).await,
        None => {
            let session = match &user {
                Some(user) => {
                    sessions::start(&state.db, client, user, Step::SelectChallenge, sessions::LIFETIME).await?
                }
                None => sessions::decoy()?,
            };
            let parameters = HashMap::from([("USERNAME", user.as_ref().map_or(username, |u| &u.username).to_owned())]);
            Ok(Outcome::Challenge(Challenge {
                name: "SELECT_CHALLENGE",
                session: Some(session),
                parameters,
                available,
            }))
        }
    }
}

/// RespondToAuthChallenge(SELECT_CHALLENGE): the factor chosen (ANSWER), with what it needs (PASSWORD, SRP_A).
/// The session is spent once the factor succeeds, or has started its own challenge.
pub async fn select(
    state: &AppState,
    client: &Client,
    responses: &HashMap<String, String>,
    session: &str,
) -> CognitoResult<Outcome> {
    let response = |name: &str| responses.get(name).map(String::as_str);
    let username = response("USERNAME").ok_or_else(|| CognitoError::missing("USERNAME"))?;
    let answer = response("ANSWER").ok_or_else(|| CognitoError::missing("ANSWER"))?;
    let found = sessions::find(&state.db, session, Step::SelectChallenge).await?;
    found.check_client(client)?;
    let user = users::named_if_known(&state.db, client, username, response("SECRET_HASH")).await?;
    let user = user.filter(|user| user.username == found.username).ok_or_else(sessions::invalid)?;
    let pool = pools::load_pool(&state.db, &client.pool_id).await?;
    if !available(&pool, Some(&user)).contains(&answer) {
        return Err(CognitoError::invalid_parameter(format!("{answer} is not an available challenge.")));
    }
    let outcome = first_factor(state, client, username, Some(&user), answer, responses).await?;
    sessions::spend(&state.db, session).await?;
    Ok(outcome)
}

/// RespondToAuthChallenge(EMAIL_OTP)'s ChallengeResponses and Session.
pub struct EmailCode<'a> {
    pub username: &'a str,
    pub code: &'a str,
    pub session: &'a str,
    pub secret_hash: Option<&'a str>,
}

/// Answers EMAIL_OTP: the code mailed for this sign-in. Wrong codes count against the code (it is void
/// after a few); the right one spends code and session, and signs the user in.
pub async fn answer_email_code(
    state: &AppState,
    client: &Client,
    answer: &EmailCode<'_>,
) -> CognitoResult<AuthenticationResult> {
    let found = sessions::find(&state.db, answer.session, Step::EmailOtp).await?;
    let member = sign_in::session_member(state, client, &found, answer.username, answer.secret_hash).await?;
    let secrets = state.cognito.secrets(&state.db).await?;
    let tx = state.db.begin().await?;
    let tx = codes::redeem(tx, &secrets.codes, &member.user, Purpose::SignIn, answer.code).await?;
    tx.commit().await?;
    sessions::spend(&state.db, answer.session).await?;
    sign_in::signed_in_after_challenge(state, client, &member.user, &member.groups).await
}

/// The first factors `user` may choose in `pool`: PASSWORD and PASSWORD_SRP, and EMAIL_OTP where the pool
/// allows it, the user has an email, and the pool does not require MFA (an emailed code is no second factor).
/// Someone unknown is offered what the pool allows, as anyone would be.
fn available(pool: &Pool, user: Option<&User>) -> Vec<&'static str> {
    let email_otp = pool.allowed_first_auth_factors.iter().any(|factor| factor == "EMAIL_OTP")
        && pool.mfa_configuration != "ON"
        && user.is_none_or(|user| user.email().is_some());
    let mut factors = vec!["PASSWORD", "PASSWORD_SRP"];
    if email_otp {
        factors.push("EMAIL_OTP");
    }
    factors
}

/// Starts (or, for PASSWORD, completes) the first factor `factor` for the user called `username` (`user`,
/// if known), with the request's `parameters` (AuthParameters or ChallengeResponses).
async fn first_factor(
    state: &AppState,
    client: &Client,
    username: &str,
    user: Option<&User>,
    factor: &str,
    parameters: &HashMap<String, String>,
) -> CognitoResult<Outcome> {
    let required = |name: &str| parameters.get(name).map(String::as_str).ok_or_else(|| CognitoError::missing(name));
    let secret_hash = parameters.get("SECRET_HASH").map(String::as_str);
    match factor {
        "PASSWORD" => sign_in::with_password(state, client, username, required("PASSWORD")?, secret_hash).await,
        "PASSWORD_SRP" => {
            let challenge = sign_in::srp_challenge(state, client, username, required("SRP_A")?, secret_hash).await?;
            Ok(Outcome::Challenge(challenge))
        }
        _ => Ok(Outcome::Challenge(email_code(state, client, username, user).await?)),
    }
}

/// EMAIL_OTP: a sign-in code to the user's email, and the challenge to answer with it. Someone unknown gets
/// a challenge too, which no code answers.
async fn email_code(
    state: &AppState,
    client: &Client,
    username: &str,
    user: Option<&User>,
) -> CognitoResult<Challenge> {
    let (session, destination) = match user {
        Some(user) => {
            sign_in::ensure_not_locked(user)?;
            let email = user.email().ok_or_else(|| CognitoError::invalid_parameter("The user has no email."))?;
            let secrets = state.cognito.secrets(&state.db).await?;
            let mut tx = state.db.begin().await?;
            codes::issue(&mut tx, &secrets.codes, user, Purpose::SignIn, email).await?;
            tx.commit().await?;
            (sessions::start(&state.db, client, user, Step::EmailOtp, sessions::LIFETIME).await?, email)
        }
        None => (sessions::decoy()?, username),
    };
    let parameters = HashMap::from([
        ("CODE_DELIVERY_DELIVERY_MEDIUM", "EMAIL".to_owned()),
        ("CODE_DELIVERY_DESTINATION", users::mask_email(destination)),
        ("USERNAME", user.map_or(username, |user| &user.username).to_owned()),
    ]);
    Ok(Challenge { name: "EMAIL_OTP", session: Some(session), parameters, available: Vec::new() })
}

/// USER_AUTH with ConfirmSignUp's Session: the user just confirmed is signed in without their password,
/// once, through the client they signed up with (the pool's MFA still applies).
async fn auto_sign_in(
    state: &AppState,
    client: &Client,
    username: &str,
    session: &str,
    secret_hash: Option<&str>,
) -> CognitoResult<Outcome> {
    let found = sessions::find(&state.db, session, Step::AutoSignIn).await?;
    let member = sign_in::session_member(state, client, &found, username, secret_hash).await?;
    sessions::spend(&state.db, session).await?;
    sign_in::complete(state, client, &member.user, &member.groups).await
}
