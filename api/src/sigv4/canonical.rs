//! The canonical request: the request reduced to the text both sides sign, by AWS's rules for every
//! service but S3 (whose paths are neither normalized nor encoded twice).

use std::str;

use aws_lc_rs::digest;
use url::form_urlencoded;

use super::{
    SignedRequest,
    auth::{Claim, Location, X_AMZ_SECURITY_TOKEN, X_AMZ_SIGNATURE},
    error::{SigV4Error, malformed},
};

/// The canonical requests the claimed signature may sign. One, but two for a presigned URL with a
/// session token: signers either sign the token or append it afterwards (test case
/// post-sts-header-after); its value is checked against the issued one either way.
pub(super) fn canonical_requests(request: &SignedRequest<'_>, claim: &Claim<'_>) -> Result<Vec<String>, SigV4Error> {
    let method = request.method.as_str();
    let path = canonical_uri(request.uri.path());
    let query = request.uri.query().unwrap_or_default();
    let headers = canonical_headers(request, &claim.signed_headers)?;
    let signed_headers = claim.signed_headers.join(";");
    let payload_hash = payload_hash(request)?;
    let requests = unsigned_query_params(claim).iter().map(|unsigned| {
        let query = canonical_query(query, unsigned);
        format!("{method}\n{path}\n{query}\n{headers}\n{signed_headers}\n{payload_hash}")
    });
    Ok(requests.collect())
}

/// For each candidate canonical request, the query parameters it leaves out.
fn unsigned_query_params(claim: &Claim<'_>) -> &'static [&'static [&'static str]] {
    match (claim.location, &claim.session_token) {
        (Location::Header, _) => &[&[]],
        (Location::Query { .. }, None) => &[&[X_AMZ_SIGNATURE]],
        (Location::Query { .. }, Some(_)) => &[&[X_AMZ_SIGNATURE], &[X_AMZ_SIGNATURE, X_AMZ_SECURITY_TOKEN]],
    }
}

/// The path without dot segments and empty segments, encoded once more: the request carries it
/// encoded once, and non-S3 services sign it encoded twice.
fn canonical_uri(path: &str) -> String {
    uri_encode(&normalize_path(path), true)
}

/// RFC 3986's remove_dot_segments, and `//` collapsed.
fn normalize_path(path: &str) -> String {
    let mut segments = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    // A path that names a directory keeps its trailing slash: "/a/b/.." is "/a/".
    let directory = !segments.is_empty() && ["/", "/.", "/.."].iter().any(|end| path.ends_with(end));
    format!("/{}{}", segments.join("/"), if directory { "/" } else { "" })
}

/// Parameters decoded, then encoded again RFC 3986 style (`%20`, never `+`), sorted by name then
/// value, `name=` when a value is empty.
fn canonical_query(query: &str, unsigned: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| !unsigned.contains(&name.as_ref()))
        .map(|(name, value)| (uri_encode(&name, false), uri_encode(&value, false)))
        .collect();
    pairs.sort_unstable();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

/// `name:value\n` for the signed headers only: proxies on the way add headers of their own.
fn canonical_headers(request: &SignedRequest<'_>, signed_headers: &[String]) -> Result<String, SigV4Error> {
    signed_headers.iter().map(|name| Ok(format!("{name}:{}\n", header_value(request, name)?))).collect()
}

/// Repeated headers joined by commas, each trimmed and its inner runs of spaces collapsed. `host`
/// falls back to the URI's authority, which is where HTTP/2 carries it.
fn header_value(request: &SignedRequest<'_>, name: &str) -> Result<String, SigV4Error> {
    let not_utf8 = |_| malformed(format!("The signed header '{name}' is not UTF-8."));
    let values =
        request.headers.get_all(name).iter().map(|value| str::from_utf8(value.as_bytes()).map(collapse_spaces));
    let values = values.collect::<Result<Vec<_>, _>>().map_err(not_utf8)?;
    match (values.is_empty(), name, request.uri.authority()) {
        (false, ..) => Ok(values.join(",")),
        (true, "host", Some(authority)) => Ok(authority.as_str().to_owned()),
        (true, ..) => Err(malformed(format!("The signed header '{name}' is missing from the request."))),
    }
}

/// Only spaces, as the signers do: tabs and other whitespace are kept.
fn collapse_spaces(value: &str) -> String {
    value.split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The body's own SHA-256. A client's `x-amz-content-sha256` may only repeat it: trusting a claimed
/// hash, or `UNSIGNED-PAYLOAD`, would leave the body unsigned.
fn payload_hash(request: &SignedRequest<'_>) -> Result<String, SigV4Error> {
    let hash = hex::encode(digest::digest(&digest::SHA256, request.body));
    let claims = request.headers.get_all("x-amz-content-sha256");
    match claims.iter().all(|claimed| claimed.as_bytes() == hash.as_bytes()) {
        true => Ok(hash),
        false => Err(SigV4Error::ContentHashMismatch),
    }
}

/// AWS's UriEncode: every byte but RFC 3986's unreserved characters as `%XX`, and `/` too unless
/// the text is a path.
fn uri_encode(text: &str, is_path: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (is_path && byte == b'/') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_dot_and_empty_segments() {
        for (path, normalized) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/../..", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/a/..b/.c", "/a/..b/.c"),
            ("/a/%2E%2E", "/a/%2E%2E"),
        ] {
            assert_eq!(normalize_path(path), normalized, "{path}");
        }
    }

    #[test]
    fn paths_are_encoded_a_second_time() {
        assert_eq!(canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D"), "/test/%40connections/JBDvjfGEIAMCERw%253D");
        assert_eq!(canonical_uri("/example%20space/%E1%88%B4"), "/example%2520space/%25E1%2588%25B4");
        assert_eq!(canonical_uri("/-._~AZaz09"), "/-._~AZaz09");
    }

    #[test]
    fn queries_are_decoded_encoded_and_sorted() {
        assert_eq!(canonical_query("", &[]), "");
        assert_eq!(
            canonical_query("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", &[]),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical_query("b=2&a&b=1&c=a+b%20c%2Fd&&e=", &[]), "a=&b=1&b=2&c=a%20b%20c%2Fd&e=");
        assert_eq!(canonical_query("X-Amz-Signature=abc&x=1", &[X_AMZ_SIGNATURE]), "x=1");
    }

    #[test]
    fn header_values_are_trimmed_of_spaces_only() {
        assert_eq!(collapse_spaces("  \"a   b   c\" "), "\"a b c\"");
        assert_eq!(collapse_spaces("a\t b"), "a\t b");
    }
}
