//! The signature proper: a key derived from the secret and the credential scope, and an HMAC of
//! the string to sign.

use aws_lc_rs::{digest, hmac};

use super::auth::{ALGORITHM, Claim, TERMINATOR, amz_date};

/// Whether the claimed signature signs one of the canonical requests under this secret. The
/// comparison (`hmac::verify`) takes constant time.
pub(super) fn signs_any(claim: &Claim<'_>, canonical_requests: &[String], secret_access_key: &str) -> bool {
    let scope = [claim.scope_date.as_str(), &claim.region, &claim.service, TERMINATOR];
    let key = signing_key(secret_access_key, &scope);
    let amz_date = amz_date(&claim.signed_at);
    canonical_requests.iter().any(|canonical_request| {
        let string_to_sign = string_to_sign(&amz_date, &scope.join("/"), canonical_request);
        hmac::verify(&key, string_to_sign.as_bytes(), &claim.signature).is_ok()
    })
}

/// HMAC("AWS4" + secret, date), then HMAC of region, service and "aws4_request" in turn.
fn signing_key(secret_access_key: &str, scope: &[&str]) -> hmac::Key {
    let start = hmac::Key::new(hmac::HMAC_SHA256, format!("AWS4{secret_access_key}").as_bytes());
    scope.iter().fold(start, |key, part| hmac::Key::new(hmac::HMAC_SHA256, hmac::sign(&key, part.as_bytes()).as_ref()))
}

fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(digest::digest(&digest::SHA256, canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's example in "Examples of how to derive a signing key for Signature Version 4".
    #[test]
    fn derives_the_documented_signing_key() {
        let key =
            signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &["20120215", "us-east-1", "iam", TERMINATOR]);
        let documented = hex::decode("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d").unwrap();
        let same_key = hmac::Key::new(hmac::HMAC_SHA256, &documented);
        assert_eq!(hmac::sign(&key, b"probe").as_ref(), hmac::sign(&same_key, b"probe").as_ref());
    }

    /// Test case get-vanilla of AWS's suite: header-string-to-sign.txt and header-signature.txt.
    #[test]
    fn signs_the_suites_vanilla_request() {
        let canonical_request = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let string_to_sign =
            string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical_request);
        assert_eq!(
            string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        let key =
            signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &["20150830", "us-east-1", "service", TERMINATOR]);
        assert_eq!(
            hex::encode(hmac::sign(&key, string_to_sign.as_bytes())),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }
}
