//! AWS Signature Version 4, verified as AWS services other than S3 verify it (API Gateway's IAM
//! authorization, Cognito's IAM-authorized operations).
//!
//! Two steps, so that the secret is looked up (in the database) only for a well-formed, current
//! request: [`parse`] reads the signature's parameters from the `Authorization` header or a presigned
//! URL, checks scope and clock, and builds the canonical request; [`Parsed::verify`] then checks the
//! signature with the secret and the session token issued with it.
//!
//! Every refusal is a [`SigV4Error`], which names API Gateway's exception for it.

mod auth;
mod canonical;
mod error;
mod signature;

use std::fmt;

use aws_lc_rs::constant_time;
use axum::http::{HeaderMap, Method, Uri};
use time::{Duration, OffsetDateTime};

use self::auth::{Claim, Location, amz_date};
pub use self::error::SigV4Error;

/// Access keys of temporary credentials, which are only valid with their session token.
const TEMPORARY_KEY_PREFIX: &str = "ASIA";

/// What a verifier needs from a request. The body is already buffered (the caller enforces a size
/// limit).
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What this server answers for, and how far a client's clock may be off.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The credential scope's service, e.g. "cognito-idp" or "execute-api".
    pub service: String,
    /// The regions a credential scope may name.
    pub regions: Vec<String>,
    /// How far `X-Amz-Date` may be from now, either way; API Gateway allows 5 minutes.
    pub max_skew: Duration,
}

impl Expectation {
    /// API Gateway's 5 minutes of clock skew.
    pub fn new(service: impl Into<String>, regions: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            service: service.into(),
            regions: regions.into_iter().map(Into::into).collect(),
            max_skew: Duration::minutes(5),
        }
    }
}

/// Step 1: reads the signature's parameters and checks their form, the credential scope and the
/// clock (and that a temporary key comes with a session token); no secret is needed yet.
pub fn parse<'a>(
    request: &SignedRequest<'a>,
    expect: &Expectation,
    now: OffsetDateTime,
) -> Result<Parsed<'a>, SigV4Error> {
    let claim = auth::claim(request.uri, request.headers)?;
    check_scope(&claim, expect)?;
    check_clock(&claim, now, expect.max_skew)?;
    if claim.access_key_id.starts_with(TEMPORARY_KEY_PREFIX) && claim.session_token.is_none() {
        return Err(SigV4Error::InvalidSessionToken);
    }
    let canonical_requests = canonical::canonical_requests(request, &claim)?;
    Ok(Parsed { claim, canonical_requests })
}

/// A request whose signature is well formed, in scope and current, waiting for its secret.
pub struct Parsed<'a> {
    claim: Claim<'a>,
    canonical_requests: Vec<String>,
}

impl Parsed<'_> {
    pub fn access_key_id(&self) -> &str {
        &self.claim.access_key_id
    }

    pub fn region(&self) -> &str {
        &self.claim.region
    }

    /// `X-Amz-Security-Token`, from the header or the presigned URL, whether signed or not.
    pub fn session_token(&self) -> Option<&str> {
        self.claim.session_token.as_deref()
    }

    /// The canonical requests the signature is checked against: one, or two for a presigned URL
    /// with a session token (the token signed, or appended after signing). For tests, and for a
    /// client diagnosing a mismatch; they hold the signed headers' values, a signed session token
    /// among them, so keep them out of logs.
    pub fn canonical_requests(&self) -> &[String] {
        &self.canonical_requests
    }

    /// Step 2: the caller looked up the secret of [`Self::access_key_id`] (and found one, or it
    /// answers [`SigV4Error::UnknownAccessKey`]) and the session token issued with it, if any; it
    /// only hands over credentials that have not expired.
    pub fn verify(&self, secret_access_key: &str, issued_session_token: Option<&str>) -> Result<(), SigV4Error> {
        check_session_token(self.session_token(), issued_session_token)?;
        match signature::signs_any(&self.claim, &self.canonical_requests, secret_access_key) {
            true => Ok(()),
            false => Err(SigV4Error::SignatureMismatch),
        }
    }
}

/// The session token is a credential: kept out of logs.
impl fmt::Debug for Parsed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parsed")
            .field("access_key_id", &self.claim.access_key_id)
            .field("region", &self.claim.region)
            .field("signed_at", &self.claim.signed_at)
            .field("session_token", &self.session_token().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

fn check_scope(claim: &Claim<'_>, expect: &Expectation) -> Result<(), SigV4Error> {
    if claim.scope_date != amz_date(&claim.signed_at)[..8] {
        return Err(SigV4Error::ScopeDateMismatch { scope_date: claim.scope_date.clone(), signed_at: claim.signed_at });
    }
    if claim.service != expect.service {
        return Err(SigV4Error::WrongService { expected: expect.service.clone() });
    }
    if !expect.regions.contains(&claim.region) {
        return Err(SigV4Error::WrongRegion(claim.region.clone()));
    }
    Ok(())
}

/// A signature in a header is current within `max_skew` either side of now; a presigned URL until
/// it expires, and from `max_skew` before its date.
fn check_clock(claim: &Claim<'_>, now: OffsetDateTime, max_skew: Duration) -> Result<(), SigV4Error> {
    let lifetime = match claim.location {
        Location::Header => max_skew,
        Location::Query { expires } => expires,
    };
    let age = now - claim.signed_at;
    if age > lifetime {
        return Err(SigV4Error::Expired { signed_at: claim.signed_at, now, window: lifetime });
    }
    if -age > max_skew {
        return Err(SigV4Error::NotYetCurrent { signed_at: claim.signed_at, now, window: max_skew });
    }
    Ok(())
}

/// A token must be presented exactly when one was issued, and be that one.
fn check_session_token(presented: Option<&str>, issued: Option<&str>) -> Result<(), SigV4Error> {
    let valid = match (presented, issued) {
        (None, None) => true,
        (Some(presented), Some(issued)) => {
            constant_time::verify_slices_are_equal(presented.as_bytes(), issued.as_bytes()).is_ok()
        }
        _ => false,
    };
    if valid { Ok(()) } else { Err(SigV4Error::InvalidSessionToken) }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use time::macros::datetime;

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SIGNED_AT: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);

    /// Test case get-vanilla of AWS's suite.
    fn vanilla(access_key_id: &str, token: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={access_key_id}/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        headers.insert("authorization", authorization.parse().unwrap());
        if let Some(token) = token {
            headers.insert("x-amz-security-token", token.parse().unwrap());
        }
        headers
    }

    fn parse_at(headers: &HeaderMap, now: OffsetDateTime) -> Result<Parsed<'_>, SigV4Error> {
        let request =
            SignedRequest { method: &Method::GET, uri: Box::leak(Box::new(Uri::from_static("/"))), headers, body: b"" };
        parse(&request, &Expectation::new("service", ["us-east-1"]), now)
    }

    #[test]
    fn verifies_the_vanilla_request() {
        let headers = vanilla("AKIDEXAMPLE", None);
        let parsed = parse_at(&headers, SIGNED_AT).unwrap();
        assert_eq!(
            (parsed.access_key_id(), parsed.region(), parsed.session_token()),
            ("AKIDEXAMPLE", "us-east-1", None)
        );
        parsed.verify(SECRET, None).unwrap();
        let error = parsed.verify("another secret", None).unwrap_err();
        assert_eq!(error.aws_error_type(), "InvalidSignatureException");
    }

    #[test]
    fn allows_five_minutes_of_skew_either_way() {
        let headers = vanilla("AKIDEXAMPLE", None);
        for now in [SIGNED_AT - Duration::minutes(5), SIGNED_AT + Duration::minutes(5)] {
            parse_at(&headers, now).unwrap().verify(SECRET, None).unwrap();
        }
        let late = parse_at(&headers, SIGNED_AT + Duration::seconds(301)).unwrap_err();
        assert!(late.to_string().starts_with("Signature expired: 20150830T123600Z is now earlier than"), "{late}");
        let early = parse_at(&headers, SIGNED_AT - Duration::seconds(301)).unwrap_err();
        assert!(early.to_string().starts_with("Signature not yet current: 20150830T123600Z"), "{early}");
        assert_eq!(late.aws_error_type(), "InvalidSignatureException");
        assert_eq!(early.aws_error_type(), "InvalidSignatureException");
    }

    #[test]
    fn session_tokens_must_be_the_issued_ones() {
        let presented = vanilla("AKIDEXAMPLE", Some("issued"));
        let parsed = parse_at(&presented, SIGNED_AT).unwrap();
        assert_eq!(parsed.session_token(), Some("issued"));
        assert!(!format!("{parsed:?}").contains("issued"));
        parsed.verify(SECRET, Some("issued")).unwrap();
        for issued in [None, Some("other"), Some("issue")] {
            let error = parsed.verify(SECRET, issued).unwrap_err();
            assert_eq!(error.aws_error_type(), "UnrecognizedClientException", "{issued:?}");
        }
        let absent = vanilla("AKIDEXAMPLE", None);
        let error = parse_at(&absent, SIGNED_AT).unwrap().verify(SECRET, Some("issued")).unwrap_err();
        assert_eq!(error.aws_error_type(), "UnrecognizedClientException");
    }

    #[test]
    fn temporary_keys_need_a_session_token() {
        let headers = vanilla("ASIAEXAMPLE", None);
        assert_eq!(parse_at(&headers, SIGNED_AT).unwrap_err().aws_error_type(), "UnrecognizedClientException");
        let headers = vanilla("ASIAEXAMPLE", Some("token"));
        assert!(parse_at(&headers, SIGNED_AT).is_ok());
    }

    #[test]
    fn unknown_keys_are_unrecognized_clients() {
        assert_eq!(SigV4Error::UnknownAccessKey.aws_error_type(), "UnrecognizedClientException");
        assert_eq!(SigV4Error::UnknownAccessKey.to_string(), "The security token included in the request is invalid.");
    }
}
