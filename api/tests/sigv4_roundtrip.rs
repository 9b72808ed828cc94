//! Requests signed by the official signer (the aws-sigv4 crate, which the Rust AWS SDK signs with)
//! verify with `api::sigv4`, as a server receives them; tampered copies are refused.

use std::time::Duration as StdDuration;

use api::sigv4::{self, Expectation, SigV4Error, SignedRequest};
use aws_credential_types::Credentials;
use aws_sigv4::{
    http_request::{
        PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningParams,
        SigningSettings, sign,
    },
    sign::v4,
};
use axum::http::{HeaderValue, Method, Request, header::HOST};
use time::{Duration, OffsetDateTime, macros::datetime};

const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const TEMPORARY_ACCESS_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+token==";
const REGION: &str = "us-east-1";
const SIGNED_AT: OffsetDateTime = datetime!(2025-06-01 10:00:00 UTC);
const COGNITO: &str = "https://cognito-idp.us-east-1.amazonaws.com/";
const LIST_USER_POOLS: &[u8] = br#"{"MaxResults":10}"#;

/// A client signing as the SDKs do, at `SIGNED_AT`.
struct Signer {
    credentials: Credentials,
    service: &'static str,
    settings: SigningSettings,
}

impl Signer {
    fn new(service: &'static str) -> Self {
        let credentials = Credentials::new(ACCESS_KEY_ID, SECRET, None, None, "test");
        Self { credentials, service, settings: SigningSettings::default() }
    }

    fn temporary(service: &'static str) -> Self {
        let credentials = Credentials::new(TEMPORARY_ACCESS_KEY_ID, SECRET, Some(SESSION_TOKEN.into()), None, "test");
        Self { credentials, ..Self::new(service) }
    }

    fn presigning(mut self, expires_in: StdDuration) -> Self {
        self.settings.signature_location = SignatureLocation::QueryParams;
        self.settings.expires_in = Some(expires_in);
        self
    }

    fn sign(&self, request: Request<Vec<u8>>) -> Request<Vec<u8>> {
        self.sign_as(request, false)
    }

    /// Signs with `x-amz-content-sha256: UNSIGNED-PAYLOAD`, as S3 clients may.
    fn sign_without_payload(&self, request: Request<Vec<u8>>) -> Request<Vec<u8>> {
        self.sign_as(request, true)
    }

    fn sign_as(&self, mut request: Request<Vec<u8>>, unsigned_payload: bool) -> Request<Vec<u8>> {
        let identity = self.credentials.clone().into();
        let params: SigningParams<'_> = v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name(self.service)
            .time(SIGNED_AT.into())
            .settings(self.settings.clone())
            .build()
            .unwrap()
            .into();
        let instructions = {
            let headers = request.headers().iter().map(|(name, value)| (name.as_str(), value.to_str().unwrap()));
            let uri = request.uri().to_string();
            let body = match unsigned_payload {
                true => SignableBody::UnsignedPayload,
                false => SignableBody::Bytes(request.body()),
            };
            let signable = SignableRequest::new(request.method().as_str(), uri, headers, body).unwrap();
            sign(signable, &params).unwrap().into_parts().0
        };
        instructions.apply_to_request_http1x(&mut request);
        request
    }
}

fn request(method: Method, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Request<Vec<u8>> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.to_vec()).unwrap()
}

fn list_user_pools() -> Request<Vec<u8>> {
    request(
        Method::POST,
        COGNITO,
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSCognitoIdentityProviderService.ListUserPools"),
        ],
        LIST_USER_POOLS,
    )
}

/// What an HTTP/1.1 server sees: the path and query as the target, the authority in `Host`.
fn received(request: Request<Vec<u8>>) -> Request<Vec<u8>> {
    let (mut parts, body) = request.into_parts();
    let authority = parts.uri.authority().unwrap().as_str().to_owned();
    parts.headers.insert(HOST, HeaderValue::from_str(&authority).unwrap());
    parts.uri = parts.uri.path_and_query().unwrap().as_str().parse().unwrap();
    Request::from_parts(parts, body)
}

/// The server's side: parse, look the key up (it knows one key, with or without a session token),
/// verify.
fn verify(request: &Request<Vec<u8>>, service: &str, now: OffsetDateTime) -> Result<(), SigV4Error> {
    let signed = SignedRequest {
        method: request.method(),
        uri: request.uri(),
        headers: request.headers(),
        body: request.body(),
    };
    let parsed = sigv4::parse(&signed, &Expectation::new(service, [REGION]), now)?;
    let issued_token = match parsed.access_key_id() {
        ACCESS_KEY_ID => None,
        TEMPORARY_ACCESS_KEY_ID => Some(SESSION_TOKEN),
        _ => return Err(SigV4Error::UnknownAccessKey),
    };
    parsed.verify(SECRET, issued_token)
}

#[track_caller]
fn assert_refused(result: Result<(), SigV4Error>, expected: &str) -> SigV4Error {
    let error = result.expect_err("accepted");
    assert_eq!(error.aws_error_type(), expected, "{error}");
    error
}

#[test]
fn a_cognito_call_verifies_over_http1_and_http2() {
    let signed = Signer::new("cognito-idp").sign(list_user_pools());
    // HTTP/2 carries the authority in the URI, and no Host header.
    assert!(signed.headers().get(HOST).is_none());
    verify(&signed, "cognito-idp", SIGNED_AT).unwrap();
    verify(&received(signed), "cognito-idp", SIGNED_AT).unwrap();
}

#[test]
fn a_tampered_cognito_call_is_refused() {
    let signed = received(Signer::new("cognito-idp").sign(list_user_pools()));
    let tampered = |change: fn(&mut Request<Vec<u8>>)| {
        let mut copy = signed.clone();
        change(&mut copy);
        verify(&copy, "cognito-idp", SIGNED_AT)
    };
    assert_refused(tampered(|r| *r.body_mut() = br#"{"MaxResults":60}"#.to_vec()), "InvalidSignatureException");
    assert_refused(
        tampered(|r| {
            let target = HeaderValue::from_static("AWSCognitoIdentityProviderService.DeleteUserPool");
            r.headers_mut().insert("x-amz-target", target);
        }),
        "InvalidSignatureException",
    );
    assert_refused(tampered(|r| *r.uri_mut() = "/?a=1".parse().unwrap()), "InvalidSignatureException");
    assert_refused(tampered(|r| *r.method_mut() = Method::PUT), "InvalidSignatureException");
    assert_refused(
        tampered(|r| {
            r.headers_mut().remove("authorization");
        }),
        "MissingAuthenticationTokenException",
    );
    assert_refused(verify(&signed, "execute-api", SIGNED_AT), "InvalidSignatureException");
    let late =
        assert_refused(verify(&signed, "cognito-idp", SIGNED_AT + Duration::minutes(6)), "InvalidSignatureException");
    assert_eq!(
        late.to_string(),
        "Signature expired: 20250601T100000Z is now earlier than 20250601T100100Z (20250601T100600Z - 5 min.)"
    );
}

#[test]
fn an_unknown_key_is_an_unrecognized_client() {
    let mut signer = Signer::new("cognito-idp");
    signer.credentials = Credentials::new("AKIAUNKNOWN", SECRET, None, None, "test");
    let error = assert_refused(
        verify(&signer.sign(list_user_pools()), "cognito-idp", SIGNED_AT),
        "UnrecognizedClientException",
    );
    assert_eq!(error.to_string(), "The security token included in the request is invalid.");
}

#[test]
fn temporary_credentials_verify_with_their_session_token_signed_or_not() {
    let mut signer = Signer::temporary("cognito-idp");
    let signed = received(signer.sign(list_user_pools()));
    assert_eq!(signed.headers()["x-amz-security-token"], SESSION_TOKEN);
    verify(&signed, "cognito-idp", SIGNED_AT).unwrap();

    signer.settings.session_token_mode = SessionTokenMode::Exclude;
    let mut unsigned_token = received(signer.sign(list_user_pools()));
    assert!(!unsigned_token.headers()["authorization"].to_str().unwrap().contains("x-amz-security-token"));
    unsigned_token.headers_mut().insert("x-amz-security-token", HeaderValue::from_static(SESSION_TOKEN));
    verify(&unsigned_token, "cognito-idp", SIGNED_AT).unwrap();

    for mut copy in [signed, unsigned_token] {
        copy.headers_mut().insert("x-amz-security-token", HeaderValue::from_static("IQoJb3JpZ2luX2VjOTHER"));
        assert_refused(verify(&copy, "cognito-idp", SIGNED_AT), "UnrecognizedClientException");
        copy.headers_mut().remove("x-amz-security-token");
        assert_refused(verify(&copy, "cognito-idp", SIGNED_AT), "UnrecognizedClientException");
    }
}

#[test]
fn presigned_urls_verify_until_they_expire() {
    let uri = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/accounts?limit=10&cursor=a%2Fb";
    for signer in [Signer::new("execute-api"), Signer::temporary("execute-api")] {
        let signed = received(signer.presigning(StdDuration::from_secs(300)).sign(request(Method::GET, uri, &[], b"")));
        assert!(signed.headers().get("authorization").is_none());
        verify(&signed, "execute-api", SIGNED_AT).unwrap();
        verify(&signed, "execute-api", SIGNED_AT + Duration::seconds(300)).unwrap();
        verify(&signed, "execute-api", SIGNED_AT - Duration::minutes(5)).unwrap();
        let expired = verify(&signed, "execute-api", SIGNED_AT + Duration::seconds(301));
        assert!(assert_refused(expired, "InvalidSignatureException").to_string().starts_with("Signature expired"));
        let early = verify(&signed, "execute-api", SIGNED_AT - Duration::seconds(301));
        assert!(
            assert_refused(early, "InvalidSignatureException").to_string().starts_with("Signature not yet current")
        );

        let mut tampered = signed.clone();
        let uri = tampered.uri().to_string().replace("limit=10", "limit=1000");
        *tampered.uri_mut() = uri.parse().unwrap();
        assert_refused(verify(&tampered, "execute-api", SIGNED_AT), "InvalidSignatureException");
    }
}

#[test]
fn paths_and_queries_are_encoded_as_the_sdks_encode_them() {
    let signer = Signer::new("execute-api");
    for uri in [
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/example%20space/%E1%88%B4",
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/a%3Db/@connections/JBDvjfGEIAMCERw%3D",
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/./a/../b//c/",
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod/~user/-_.!*'()$,;:",
        "https://abc123.execute-api.us-east-1.amazonaws.com/prod?q=a%20b&plus=%2B&empty=&bare&slash=%2F&utf8=%E1%88%B4&dup=2&dup=1",
    ] {
        let signed = received(signer.sign(request(Method::GET, uri, &[], b"")));
        verify(&signed, "execute-api", SIGNED_AT).unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
}

#[test]
fn a_claimed_payload_hash_must_be_the_bodys() {
    let mut signer = Signer::new("cognito-idp");
    signer.settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let signed = received(signer.sign(list_user_pools()));
    assert!(signed.headers().contains_key("x-amz-content-sha256"));
    verify(&signed, "cognito-idp", SIGNED_AT).unwrap();

    let unsigned_payload = received(signer.sign_without_payload(list_user_pools()));
    assert_eq!(unsigned_payload.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    let error = assert_refused(verify(&unsigned_payload, "cognito-idp", SIGNED_AT), "InvalidSignatureException");
    assert!(matches!(error, SigV4Error::ContentHashMismatch), "{error}");

    let mut other_body = signed.clone();
    *other_body.body_mut() = b"{}".to_vec();
    let error = assert_refused(verify(&other_body, "cognito-idp", SIGNED_AT), "InvalidSignatureException");
    assert!(matches!(error, SigV4Error::ContentHashMismatch), "{error}");
}
