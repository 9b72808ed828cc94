//! AWS's SigV4 test suite (`tests/data/aws-sigv4/v4`, see its README) against `api::sigv4`: every
//! signed request, header-signed and presigned, verifies with its case's credentials at its case's
//! time, our canonical request equals the suite's, and tampered copies are refused with API
//! Gateway's exception names.
//!
//! Cases treated differently, and why:
//! - `get-space-normalized` and `get-space-unnormalized` are skipped: their signed request lines
//!   carry a raw space in the path, which is not a valid request target (hyper refuses it;
//!   `http::Uri` cannot hold it), and percent-encoded it would be signed as `%2520`, not the
//!   case's `%20`; the aws-sigv4 crate skips them too. `sigv4_roundtrip.rs` signs such a path with
//!   the official signer instead. (`get-utf8`, skipped there, passes here: `http::Uri` holds raw
//!   UTF-8, whose bytes are then encoded once, as the case expects.)
//! - The `*-unnormalized` cases (`"normalize": false`) were signed without path normalization, as
//!   for S3. Services other than S3 normalize, so these signatures must be refused; our canonical
//!   request is the one of the case's `-normalized` twin.
//! - `double-encode-path` and `double-url-encode` have no `context.json`; [`context`] gives the
//!   credentials and times the aws-sigv4 crate's own tests use with them.
//! - `get-header-value-multiline` folds a header over three lines (obs-fold), which hyper refuses;
//!   we unfold it as RFC 9112 §5.2 lets a recipient do, each fold becoming a space.

use std::{fs, path::Path};

use api::sigv4::{self, Expectation, SigV4Error, SignedRequest};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use serde::Deserialize;
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

const SUITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aws-sigv4/v4");
const SKIPPED: [&str; 2] = ["get-space-normalized", "get-space-unnormalized"];
const INVALID: &str = "InvalidSignatureException";
const INCOMPLETE: &str = "IncompleteSignatureException";
const UNRECOGNIZED: &str = "UnrecognizedClientException";

#[derive(Debug, Clone, Deserialize)]
struct Context {
    credentials: Credentials,
    expiration_in_seconds: i64,
    normalize: bool,
    region: String,
    service: String,
    timestamp: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
}

/// The case's context.json, or for the two cases without one, what the aws-sigv4 crate signs them with.
fn context(case: &str) -> Context {
    let built_in =
        |access_key_id: &str, secret_access_key: &str, region: &str, service: &str, timestamp: &str| Context {
            credentials: Credentials {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
                token: None,
            },
            expiration_in_seconds: 3600,
            normalize: true,
            region: region.into(),
            service: service.into(),
            timestamp: timestamp.into(),
        };
    match case {
        // test_sign_url_escape in aws-sigv4's http_request/sign.rs: Credentials::for_tests().
        "double-encode-path" => {
            built_in("ANOTREAL", "notrealrnrELgWzOk3IfjzDKtFBhDby", "us-east-1", "service", "2015-08-30T12:36:00Z")
        }
        // The scope and time of its header-string-to-sign.txt, with the suite's usual secret.
        "double-url-encode" => built_in(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "us-east-2",
            "lambda",
            "2021-05-11T15:40:45Z",
        ),
        _ => serde_json::from_str(&read(case, "context.json")).unwrap(),
    }
}

fn read(case: &str, file: &str) -> String {
    fs::read_to_string(Path::new(SUITE).join(case).join(file)).unwrap_or_else(|e| panic!("{case}/{file}: {e}"))
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> =
        fs::read_dir(SUITE).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    cases.sort();
    assert_eq!(cases.len(), 40, "the suite as vendored");
    cases
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Header,
    Query,
}

impl Form {
    fn file(self, suffix: &str) -> String {
        match self {
            Form::Header => format!("header-{suffix}"),
            Form::Query => format!("query-{suffix}"),
        }
    }
}

/// A raw HTTP/1.1 request as the suite writes it, kept as text so that tests can tamper with it.
#[derive(Debug, Clone)]
struct RawRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn parse(text: &str) -> Self {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.lines();
        let (method, target) = lines.next().unwrap().split_once(' ').unwrap();
        let target = target.strip_suffix(" HTTP/1.1").unwrap_or(target);
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers.last_mut().expect("a folded line continues a header");
                value.push(' ');
                value.push_str(line.trim_matches([' ', '\t']));
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
            }
        }
        Self { method: method.to_owned(), target: target.to_owned(), headers, body: body.as_bytes().to_vec() }
    }

    /// What the signature travels in: the Authorization header, or else the presigned URL.
    fn carrier(&mut self) -> &mut String {
        match self.headers.iter().position(|(name, _)| name.eq_ignore_ascii_case("authorization")) {
            Some(index) => &mut self.headers[index].1,
            None => &mut self.target,
        }
    }

    fn replace_in_carrier(&mut self, from: &str, to: &str) {
        let carrier = self.carrier();
        assert!(carrier.contains(from), "{from} in {carrier}");
        *carrier = carrier.replacen(from, to, 1);
    }

    /// In every header value and the target: how a date or a token is changed in both forms.
    fn replace_everywhere(&mut self, from: &str, to: &str) {
        assert!(self.target.contains(from) || self.headers.iter().any(|(_, value)| value.contains(from)), "{from}");
        self.target = self.target.replace(from, to);
        for (_, value) in &mut self.headers {
            *value = value.replace(from, to);
        }
    }

    fn flip_signature_digit(&mut self) {
        let carrier = self.carrier();
        let at = carrier.rfind("Signature=").unwrap() + "Signature=".len();
        let flipped = if carrier[at..].starts_with('0') { "1" } else { "0" };
        carrier.replace_range(at..at + 1, flipped);
    }

    fn signed_header_names(&mut self) -> Vec<String> {
        let carrier = self.carrier().replace("%3B", ";");
        let list = carrier.split("SignedHeaders=").nth(1).unwrap().split([',', '&']).next().unwrap();
        list.split(';').map(str::to_owned).collect()
    }

    /// Drops `host` from the signed headers, keeping the list sorted.
    fn unsign_host(&mut self) {
        let carrier = self.carrier();
        let list = carrier.find("SignedHeaders=").unwrap();
        let host = list + carrier[list..].find("host").unwrap();
        carrier.insert(host + "host".len(), 's');
    }

    fn header_mut(&mut self, name: &str) -> &mut String {
        self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value).unwrap()
    }

    fn build(&self) -> Request {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        Request {
            method: self.method.parse().unwrap(),
            uri: self.target.parse().unwrap_or_else(|e| panic!("{}: {e}", self.target)),
            headers,
            body: self.body.clone(),
        }
    }
}

struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Request {
    fn signed(&self) -> SignedRequest<'_> {
        SignedRequest { method: &self.method, uri: &self.uri, headers: &self.headers, body: &self.body }
    }
}

/// One verification: a request, what the server expects, its clock, and the one access key its
/// lookup knows, with its secret and session token.
#[derive(Debug, Clone)]
struct Trial {
    case: String,
    form: Form,
    request: RawRequest,
    expect: Expectation,
    now: OffsetDateTime,
    access_key_id: String,
    secret: String,
    issued_token: Option<String>,
}

impl Trial {
    fn of(case: &str, form: Form) -> Option<Self> {
        let path = Path::new(SUITE).join(case).join(form.file("signed-request.txt"));
        let text = fs::read_to_string(path).ok()?;
        let context = context(case);
        Some(Self {
            case: case.to_owned(),
            form,
            request: RawRequest::parse(&text),
            expect: Expectation::new(context.service, [context.region]),
            now: OffsetDateTime::parse(&context.timestamp, &Rfc3339).unwrap(),
            access_key_id: context.credentials.access_key_id,
            secret: context.credentials.secret_access_key,
            issued_token: context.credentials.token,
        })
    }

    fn label(&self) -> String {
        format!("{} ({:?})", self.case, self.form)
    }

    fn canonical_requests(&self) -> Vec<String> {
        let request = self.request.build();
        let parsed = sigv4::parse(&request.signed(), &self.expect, self.now);
        parsed.unwrap_or_else(|e| panic!("{}: {e}", self.label())).canonical_requests().to_vec()
    }

    fn run(&self) -> Result<(), SigV4Error> {
        let request = self.request.build();
        let parsed = sigv4::parse(&request.signed(), &self.expect, self.now)?;
        if parsed.access_key_id() != self.access_key_id {
            return Err(SigV4Error::UnknownAccessKey);
        }
        parsed.verify(&self.secret, self.issued_token.as_deref())
    }

    fn assert_verifies(&self) {
        if let Err(e) = self.run() {
            panic!("{}: refused with {}: {e}", self.label(), e.aws_error_type());
        }
    }

    /// Applies a change to a copy and expects that copy to be refused with `expected`.
    fn assert_refused_after(&self, what: &str, expected: &str, change: impl FnOnce(&mut Trial)) -> SigV4Error {
        let mut tampered = self.clone();
        change(&mut tampered);
        let error = tampered.run().err().unwrap_or_else(|| panic!("{}: accepted with {what}", self.label()));
        assert_eq!(error.aws_error_type(), expected, "{}, {what}: {error}", self.label());
        error
    }
}

/// The cases whose signatures this server must accept, in each form the suite signs them.
fn verifiable_trials() -> Vec<Trial> {
    let verifiable = cases().into_iter().filter(|case| !SKIPPED.contains(&case.as_str()) && context(case).normalize);
    let trials: Vec<Trial> = verifiable
        .flat_map(|case| [Form::Header, Form::Query].into_iter().filter_map(move |form| Trial::of(&case, form)))
        .collect();
    assert_eq!(trials.len(), 32 + 30, "every normalized, expressible case: 32 header-signed, 30 presigned");
    trials
}

fn expected_canonical_request(case: &str, form: Form) -> String {
    let expected = read(case, &form.file("canonical-request.txt"));
    match case {
        // Written by aws-sigv4's canonical-request unit test, which signs at another time than
        // the signed request's; the rest of it is what the signature covers.
        "double-encode-path" => expected.replace("x-amz-date:20210511T154045Z", "x-amz-date:20150830T123600Z"),
        _ => expected,
    }
}

#[test]
fn every_signed_request_verifies_with_the_suites_canonical_request() {
    for trial in verifiable_trials() {
        let expected = expected_canonical_request(&trial.case, trial.form);
        let ours = trial.canonical_requests();
        match trial.form {
            Form::Header => assert_eq!(ours, [expected], "{}", trial.label()),
            // A presigned URL with a session token also yields the form without it.
            Form::Query => assert!(ours.contains(&expected), "{}: {ours:#?}\nexpected {expected}", trial.label()),
        }
        trial.assert_verifies();
    }
}

#[test]
fn unnormalized_signatures_are_refused_as_services_other_than_s3_refuse_them() {
    let unnormalized = cases().into_iter().filter(|case| !SKIPPED.contains(&case.as_str()) && !context(case).normalize);
    let mut count = 0;
    for case in unnormalized {
        let twin = case.replace("-unnormalized", "-normalized");
        for form in [Form::Header, Form::Query] {
            let trial = Trial::of(&case, form).unwrap();
            assert_eq!(trial.canonical_requests(), [expected_canonical_request(&twin, form)], "{}", trial.label());
            let error = trial.run().expect_err(&trial.label());
            assert_eq!(error.aws_error_type(), INVALID, "{}", trial.label());
            count += 1;
        }
    }
    assert_eq!(count, 12, "six cases, both forms");
}

#[test]
fn skipped_cases_cannot_reach_a_server() {
    for case in SKIPPED {
        for form in [Form::Header, Form::Query] {
            let request = RawRequest::parse(&read(case, &form.file("signed-request.txt")));
            assert!(request.target.parse::<Uri>().is_err(), "{case} ({form:?}) is expressible: {}", request.target);
        }
    }
}

#[test]
fn tampered_copies_are_refused() {
    for trial in verifiable_trials() {
        trial.assert_refused_after("a signature digit flipped", INVALID, |t| t.request.flip_signature_digit());
        for name in trial.request.clone().signed_header_names() {
            let what = format!("signed header {name} changed");
            match name.as_str() {
                "x-amz-date" => trial.assert_refused_after(&what, INVALID, |t| {
                    let date = t.request.header_mut("x-amz-date");
                    let second = if date.ends_with("0Z") { "1Z" } else { "0Z" };
                    date.replace_range(date.len() - 2.., second);
                }),
                // Checked against the issued token before the signature is.
                "x-amz-security-token" => trial.assert_refused_after(&what, UNRECOGNIZED, |t| {
                    t.request.header_mut(&name).push_str("-tampered");
                }),
                _ => trial.assert_refused_after(&what, INVALID, |t| t.request.header_mut(&name).push_str("-tampered")),
            };
        }
        trial.assert_refused_after("the path changed", INVALID, |t| {
            let (path, query) = t.request.target.split_once('?').unwrap_or((&t.request.target, ""));
            t.request.target = format!("{path}/tampered?{query}");
        });
        trial.assert_refused_after("a query parameter added", INVALID, |t| {
            let separator = if t.request.target.contains('?') { '&' } else { '?' };
            t.request.target.push(separator);
            t.request.target.push_str("tampered=1");
        });
        trial.assert_refused_after("the body changed", INVALID, |t| t.request.body.push(b'!'));
        trial.assert_refused_after("another secret", INVALID, |t| t.secret.push('x'));
        trial.assert_refused_after("an unknown access key", UNRECOGNIZED, |t| t.access_key_id.push('X'));
        trial.assert_refused_after("another service expected", INVALID, |t| t.expect.service = "execute-api".into());
        trial.assert_refused_after("another region expected", INVALID, |t| t.expect.regions = vec!["eu-west-1".into()]);
    }
}

#[test]
fn proxies_may_add_unsigned_headers() {
    for mut trial in verifiable_trials() {
        trial.request.headers.push(("X-Forwarded-For".into(), "203.0.113.7".into()));
        trial.request.headers.push(("Via".into(), "1.1 proxy".into()));
        trial.assert_verifies();
    }
}

#[test]
fn the_scope_date_must_be_the_signatures_date() {
    for trial in verifiable_trials() {
        let date = &trial.now.date();
        let scope_date = format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day());
        let other = format!("{:04}{:02}{:02}", date.year() - 1, u8::from(date.month()), date.day());
        let error = trial.assert_refused_after("the scope's date changed", INVALID, |t| {
            for separator in ["/", "%2F"] {
                let (from, to) =
                    (format!("{separator}{scope_date}{separator}"), format!("{separator}{other}{separator}"));
                if t.request.carrier().contains(&from) {
                    t.request.replace_in_carrier(&from, &to);
                }
            }
        });
        assert!(error.to_string().starts_with("Date in Credential scope does not match"), "{}: {error}", trial.label());
    }
}

#[test]
fn clocks_may_differ_by_five_minutes_and_presigned_urls_expire() {
    let skew = Duration::minutes(5);
    for trial in verifiable_trials() {
        let lifetime = match trial.form {
            Form::Header => skew,
            Form::Query => Duration::seconds(context(&trial.case).expiration_in_seconds),
        };
        let at = |now: OffsetDateTime| Trial { now, ..trial.clone() };
        at(trial.now + lifetime).assert_verifies();
        at(trial.now - skew).assert_verifies();
        let late =
            at(trial.now).assert_refused_after("a late clock", INVALID, |t| t.now += lifetime + Duration::SECOND);
        assert!(late.to_string().starts_with("Signature expired: "), "{}: {late}", trial.label());
        let early = at(trial.now).assert_refused_after("an early clock", INVALID, |t| t.now -= skew + Duration::SECOND);
        assert!(early.to_string().starts_with("Signature not yet current: "), "{}: {early}", trial.label());
    }
}

#[test]
fn host_must_be_signed() {
    for trial in verifiable_trials() {
        let error = trial.assert_refused_after("host not signed", INCOMPLETE, |t| t.request.unsign_host());
        assert!(error.to_string().contains("'Host' must be a 'SignedHeader'"), "{}: {error}", trial.label());
    }
}

#[test]
fn session_tokens_must_be_the_issued_ones() {
    let mut with_token = 0;
    for trial in verifiable_trials() {
        match trial.issued_token.clone() {
            Some(token) => {
                with_token += 1;
                trial.assert_refused_after("no token issued", UNRECOGNIZED, |t| t.issued_token = None);
                trial.assert_refused_after("another token issued", UNRECOGNIZED, |t| {
                    t.issued_token = Some("other".into())
                });
                trial.assert_refused_after("the token changed", UNRECOGNIZED, |t| {
                    t.request.replace_everywhere(&token[..8], "00000000");
                });
            }
            None => {
                trial.assert_refused_after("a token issued", UNRECOGNIZED, |t| t.issued_token = Some("token".into()));
            }
        }
    }
    assert_eq!(with_token, 6, "get-vanilla-with-session-token and post-sts-header-{{before,after}}, both forms");
}

#[test]
fn malformed_authorization_headers_are_incomplete_signatures() {
    let trial = Trial::of("get-vanilla", Form::Header).unwrap();
    trial.assert_verifies();
    let credential = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    let signed_headers = "SignedHeaders=host;x-amz-date";
    let signature = "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    for authorization in [
        String::new(),
        "Bearer eyJhbGciOiJSUzI1NiJ9".to_owned(),
        format!("AWS4-HMAC-SHA1 {credential}, {signed_headers}, {signature}"),
        format!("AWS4-HMAC-SHA256 {signed_headers}, {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, {signed_headers}"),
        format!("AWS4-HMAC-SHA256 {credential} {signed_headers} {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, {credential}, {signed_headers}, {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, {signed_headers}, {signature}0"),
        format!("AWS4-HMAC-SHA256 {credential}, {signed_headers}, Signature=not-hex"),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, {signed_headers}, {signature}"
        ),
        format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=x-amz-date;host, {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=Host;X-Amz-Date, {signature}"),
        format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=host;x-amz-date;x-missing, {signature}"),
    ] {
        trial.assert_refused_after(&format!("Authorization: {authorization}"), INCOMPLETE, |t| {
            *t.request.carrier() = authorization.clone();
        });
    }
    trial.assert_refused_after("two Authorization headers", INCOMPLETE, |t| {
        let authorization = t.request.carrier().clone();
        t.request.headers.push(("Authorization".into(), authorization));
    });
    trial.assert_refused_after("no X-Amz-Date", INCOMPLETE, |t| {
        t.request.headers.retain(|(name, _)| name != "X-Amz-Date")
    });
    trial.assert_refused_after("a malformed X-Amz-Date", INCOMPLETE, |t| {
        *t.request.header_mut("x-amz-date") = "2015-08-30T12:36:00Z".into();
    });
    trial.assert_refused_after("no Authorization", "MissingAuthenticationTokenException", |t| {
        t.request.headers.retain(|(name, _)| name != "Authorization");
    });
}
