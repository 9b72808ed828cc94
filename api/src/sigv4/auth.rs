//! The signature's parameters as the client claims them, from the `Authorization` header or from a
//! presigned URL's `X-Amz-*` query parameters, checked for form only: no clock, no secret.

use std::borrow::Cow;

use axum::http::{HeaderMap, HeaderName, Uri, header::AUTHORIZATION};
use time::{
    Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset, format_description::BorrowedFormatItem,
    macros::format_description,
};
use url::form_urlencoded;

use super::error::{SigV4Error, malformed};

pub(super) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub(super) const TERMINATOR: &str = "aws4_request";
pub(super) const X_AMZ_SIGNATURE: &str = "X-Amz-Signature";
pub(super) const X_AMZ_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
const X_AMZ_ALGORITHM: &str = "X-Amz-Algorithm";
/// AWS's longest presigned-URL lifetime: a week.
const MAX_EXPIRES: Duration = Duration::weeks(1);
const AMZ_DATE: &[BorrowedFormatItem<'_>] = format_description!("[year][month][day]T[hour][minute][second]Z");

/// Where the signature travelled. A presigned URL carries its own lifetime, and its signature
/// covers every query parameter but `X-Amz-Signature` itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Location {
    Header,
    Query { expires: Duration },
}

pub(super) struct Claim<'a> {
    pub location: Location,
    pub access_key_id: String,
    pub scope_date: String,
    pub region: String,
    pub service: String,
    pub signed_at: OffsetDateTime,
    /// Lower-case, sorted, each once, `host` among them.
    pub signed_headers: Vec<String>,
    pub signature: [u8; 32],
    pub session_token: Option<Cow<'a, str>>,
}

/// Finds the signature's parameters; a request offering both forms is refused, as AWS does, rather
/// than guessing which one the client meant.
pub(super) fn claim<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> Result<Claim<'a>, SigV4Error> {
    let query: Vec<_> = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()).collect();
    let presigned = query.iter().any(|(name, _)| name == X_AMZ_ALGORITHM);
    match (headers.contains_key(AUTHORIZATION), presigned) {
        (true, true) => Err(malformed(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.",
        )),
        (true, false) => from_header(headers),
        (false, true) => from_query(&query),
        (false, false) => Err(SigV4Error::MissingAuthentication),
    }
}

/// `yyyymmddThhmmssZ`, the form of `X-Amz-Date`.
pub(super) fn amz_date(instant: &OffsetDateTime) -> String {
    let t = instant.to_offset(UtcOffset::UTC);
    let (month, day) = (u8::from(t.month()), t.day());
    format!("{:04}{month:02}{day:02}T{:02}{:02}{:02}Z", t.year(), t.hour(), t.minute(), t.second())
}

/// The same parameters travel in both forms; only their names and encoding differ.
struct Fields<'a> {
    credential: Cow<'a, str>,
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    date: Cow<'a, str>,
    session_token: Option<Cow<'a, str>>,
}

/// `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
/// SignedHeaders=host;x-amz-date, Signature=<64 hex>` with the date in `X-Amz-Date`.
fn from_header(headers: &HeaderMap) -> Result<Claim<'_>, SigV4Error> {
    let authorization = single_header(headers, AUTHORIZATION.as_str())?.unwrap_or_default();
    let parameters = authorization
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| malformed(format!("Authorization header must use the {ALGORITHM} algorithm.")))?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for pair in parameters.split(',') {
        let (name, value) = pair.trim_matches(' ').split_once('=').ok_or_else(|| {
            malformed(format!("Invalid key=value pair (missing equal-sign) in Authorization header: '{pair}'."))
        })?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(malformed(format!("Unknown parameter '{name}' in Authorization header."))),
        };
        if slot.replace(Cow::Borrowed(value)).is_some() {
            return Err(malformed(format!("Authorization header has '{name}' more than once.")));
        }
    }
    let missing = |name: &str| malformed(format!("Authorization header requires '{name}' parameter."));
    Fields {
        credential: credential.ok_or_else(|| missing("Credential"))?,
        signed_headers: signed_headers.ok_or_else(|| missing("SignedHeaders"))?,
        signature: signature.ok_or_else(|| missing("Signature"))?,
        date: single_header(headers, "x-amz-date")?
            .map(Cow::Borrowed)
            .ok_or_else(|| malformed("Authorization header requires existence of an 'X-Amz-Date' header."))?,
        session_token: single_header(headers, "x-amz-security-token")?.map(Cow::Borrowed),
    }
    .into_claim(Location::Header)
}

/// A presigned URL's `X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-SignedHeaders`,
/// `-Signature` and, for temporary credentials, `-Security-Token`.
fn from_query<'a>(query: &[(Cow<'a, str>, Cow<'a, str>)]) -> Result<Claim<'a>, SigV4Error> {
    let required = |name: &str| {
        query_param(query, name)?.ok_or_else(|| malformed(format!("Query string requires parameter '{name}'.")))
    };
    if required(X_AMZ_ALGORITHM)? != ALGORITHM {
        return Err(malformed(format!("X-Amz-Algorithm must be {ALGORITHM}.")));
    }
    let expires = parse_expires(&required("X-Amz-Expires")?)?;
    Fields {
        credential: required("X-Amz-Credential")?,
        signed_headers: required("X-Amz-SignedHeaders")?,
        signature: required(X_AMZ_SIGNATURE)?,
        date: required("X-Amz-Date")?,
        session_token: query_param(query, X_AMZ_SECURITY_TOKEN)?,
    }
    .into_claim(Location::Query { expires })
}

impl<'a> Fields<'a> {
    fn into_claim(self, location: Location) -> Result<Claim<'a>, SigV4Error> {
        let parts: Vec<&str> = self.credential.split('/').collect();
        let [access_key_id, scope_date, region, service, terminator] = parts.as_slice() else {
            return Err(malformed(format!(
                "Credential must have the form <access key id>/<yyyymmdd>/<region>/<service>/{TERMINATOR}."
            )));
        };
        if access_key_id.is_empty() {
            return Err(malformed("Credential requires an access key id."));
        }
        if *terminator != TERMINATOR {
            return Err(malformed(format!(
                "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'."
            )));
        }
        Ok(Claim {
            location,
            access_key_id: (*access_key_id).to_owned(),
            scope_date: (*scope_date).to_owned(),
            region: (*region).to_owned(),
            service: (*service).to_owned(),
            signed_at: parse_amz_date(&self.date)?,
            signed_headers: parse_signed_headers(&self.signed_headers)?,
            signature: parse_signature(&self.signature)?,
            session_token: self.session_token,
        })
    }
}

/// A header the signature depends on must not be ambiguous.
fn single_header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, SigV4Error> {
    let value =
        at_most_one(headers.get_all(name).iter(), || format!("The request has more than one '{name}' header."))?;
    value
        .map(|value| value.to_str().map_err(|_| malformed(format!("The '{name}' header is not printable ASCII."))))
        .transpose()
}

fn query_param<'a>(query: &[(Cow<'a, str>, Cow<'a, str>)], name: &str) -> Result<Option<Cow<'a, str>>, SigV4Error> {
    let values = query.iter().filter(|(key, _)| key == name).map(|(_, value)| value.clone());
    at_most_one(values, || format!("The query string has '{name}' more than once."))
}

fn at_most_one<T>(
    mut values: impl Iterator<Item = T>,
    repeated: impl FnOnce() -> String,
) -> Result<Option<T>, SigV4Error> {
    match (values.next(), values.next()) {
        (value, None) => Ok(value),
        (_, Some(_)) => Err(malformed(repeated())),
    }
}

/// Only the exact form is accepted: it is what the string to sign repeats.
fn parse_amz_date(text: &str) -> Result<OffsetDateTime, SigV4Error> {
    PrimitiveDateTime::parse(text, AMZ_DATE)
        .map(PrimitiveDateTime::assume_utc)
        .ok()
        .filter(|instant| amz_date(instant) == text)
        .ok_or_else(|| {
            malformed(format!("X-Amz-Date must be in ISO-8601 basic format (yyyymmddThhmmssZ). Got '{text}'."))
        })
}

/// The canonical request lists exactly these, in this order, so a list a signer could not have
/// produced is refused rather than reinterpreted; `host` binds the signature to this server.
fn parse_signed_headers(list: &str) -> Result<Vec<String>, SigV4Error> {
    let names: Vec<&str> = list.split(';').collect();
    let lower_case_names =
        names.iter().all(|name| HeaderName::from_bytes(name.as_bytes()).is_ok_and(|h| h.as_str() == *name));
    if !lower_case_names || !names.is_sorted_by(|a, b| a < b) {
        return Err(malformed(format!("SignedHeaders must be lower-case header names, sorted, each once: '{list}'.")));
    }
    if !names.contains(&"host") {
        return Err(malformed("'Host' must be a 'SignedHeader' in the AWS Authorization."));
    }
    Ok(names.into_iter().map(str::to_owned).collect())
}

fn parse_signature(text: &str) -> Result<[u8; 32], SigV4Error> {
    let mut signature = [0; 32];
    hex::decode_to_slice(text, &mut signature).map_err(|_| malformed("Signature must be 64 hexadecimal digits."))?;
    Ok(signature)
}

fn parse_expires(text: &str) -> Result<Duration, SigV4Error> {
    text.parse()
        .ok()
        .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
        .map(Duration::seconds)
        .filter(|expires| Duration::ZERO < *expires && *expires <= MAX_EXPIRES)
        .ok_or_else(|| malformed("X-Amz-Expires must be a whole number of seconds, from 1 to 604800 (a week)."))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use time::macros::datetime;

    use super::*;

    const SIGNATURE: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn header_claim(authorization: &str) -> Result<Claim<'static>, SigV4Error> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
        headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        claim(Box::leak(Box::new(Uri::from_static("/"))), Box::leak(Box::new(headers)))
    }

    #[test]
    fn reads_the_authorization_header() {
        let claim = header_claim(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={SIGNATURE}"
        ))
        .unwrap();
        assert_eq!(claim.location, Location::Header);
        assert_eq!(claim.access_key_id, "AKIDEXAMPLE");
        assert_eq!(
            (claim.scope_date.as_str(), claim.region.as_str(), claim.service.as_str()),
            ("20150830", "us-east-1", "service")
        );
        assert_eq!(claim.signed_at, datetime!(2015-08-30 12:36:00 UTC));
        assert_eq!(claim.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(hex::encode(claim.signature), SIGNATURE);
    }

    #[test]
    fn refuses_authorization_headers_of_another_form() {
        let credential = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
        let signed = "SignedHeaders=host;x-amz-date";
        for authorization in [
            "Bearer abc".to_owned(),
            format!("AWS4-HMAC-SHA512 {credential}, {signed}, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256{credential}, {signed}, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {signed}, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}"),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature={SIGNATURE}, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature={SIGNATURE}, Extra=1"),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature"),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature={}", &SIGNATURE[1..]),
            format!("AWS4-HMAC-SHA256 {credential}, {signed}, Signature={}x", &SIGNATURE[1..]),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, {signed}, Signature={SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, {signed}, Signature={SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, {signed}, Signature={SIGNATURE}"
            ),
            format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=x-amz-date, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=x-amz-date;host, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=Host;x-amz-date, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=host;host, Signature={SIGNATURE}"),
            format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=host;;x-amz-date, Signature={SIGNATURE}"),
        ] {
            let error = header_claim(&authorization).err().unwrap_or_else(|| panic!("accepted {authorization}"));
            assert_eq!(error.aws_error_type(), "IncompleteSignatureException", "{authorization}: {error}");
        }
    }

    #[test]
    fn tolerates_missing_spaces_between_parameters() {
        let claim = header_claim(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host,Signature={SIGNATURE}"
        ))
        .unwrap();
        assert_eq!(claim.signed_headers, ["host"]);
    }

    #[test]
    fn refuses_a_request_without_or_with_both_forms() {
        let headers = HeaderMap::new();
        let error = claim(&Uri::from_static("/?Action=x"), &headers).err().unwrap();
        assert_eq!(error.aws_error_type(), "MissingAuthenticationTokenException");

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x"));
        let error = claim(&Uri::from_static("/?X-Amz-Algorithm=AWS4-HMAC-SHA256"), &headers).err().unwrap();
        assert_eq!(error.aws_error_type(), "IncompleteSignatureException");
    }

    #[test]
    fn reads_a_presigned_url() {
        let uri = Uri::from_static(
            "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=a%2Bb%3D&X-Amz-Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        );
        let headers = HeaderMap::new();
        let claim = claim(&uri, &headers).unwrap();
        assert_eq!(claim.location, Location::Query { expires: Duration::minutes(1) });
        assert_eq!(claim.access_key_id, "ASIAEXAMPLE");
        assert_eq!(claim.session_token.as_deref(), Some("a+b="));
    }

    #[test]
    fn refuses_presigned_urls_of_another_form() {
        let valid = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let headers = HeaderMap::new();
        assert!(claim(&format!("/?{valid}").parse().unwrap(), &headers).is_ok());
        for (from, to) in [
            ("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
            ("X-Amz-Expires=60", "X-Amz-Expires=0"),
            ("X-Amz-Expires=60", "X-Amz-Expires=604801"),
            ("X-Amz-Expires=60", "X-Amz-Expires=%2B60"),
            ("X-Amz-Expires=60&", ""),
            ("X-Amz-Date=20150830T123600Z", "X-Amz-Date=2015-08-30T12:36:00Z"),
            ("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host&X-Amz-SignedHeaders=host"),
        ] {
            let uri = format!("/?{}", valid.replace(from, to)).parse().unwrap();
            let error = claim(&uri, &headers).err().unwrap_or_else(|| panic!("accepted {uri}"));
            assert_eq!(error.aws_error_type(), "IncompleteSignatureException", "{uri}: {error}");
        }
    }

    #[test]
    fn dates_must_have_the_basic_form() {
        assert_eq!(parse_amz_date("20150830T123600Z").unwrap(), datetime!(2015-08-30 12:36:00 UTC));
        for text in ["20150830T123600", "2015083T123600Z", "20150830T123660Z", "20150830T123600Z ", "20150830t123600z"]
        {
            assert!(parse_amz_date(text).is_err(), "{text}");
        }
        assert_eq!(amz_date(&datetime!(2015-08-30 14:36:00 +2)), "20150830T123600Z");
    }
}
