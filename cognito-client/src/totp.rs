//! The authenticator app's side of AssociateSoftwareToken: the `otpauth://` URI that a QR code carries to
//! the app (Google Authenticator's key URI format, which every common app reads), naming the issuer, the
//! account and the secret.

/// `otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>`, the label and the issuer
/// percent-encoded. Cognito's codes are the format's defaults (SHA-1, 6 digits, 30 s), so it names none.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let issuer = percent_encode(issuer);
    [
        "otpauth://totp/",
        &issuer,
        ":",
        &percent_encode(account),
        "?secret=",
        &percent_encode(secret),
        "&issuer=",
        &issuer,
    ]
    .concat()
}

/// Every byte but RFC 3986's unreserved characters as `%XX`.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.extend(['%', char::from(HEX[usize::from(byte >> 4)]), char::from(HEX[usize::from(byte & 15)])]);
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_names_the_issuer_the_account_and_the_secret() {
        assert_eq!(
            otpauth_uri("Ledgerline", "ada@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Ledgerline:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Ledgerline"
        );
    }

    #[test]
    fn separators_and_other_characters_are_encoded() {
        assert_eq!(
            otpauth_uri("Acme & Co", "a:b?c#d/é", "ABC="),
            "otpauth://totp/Acme%20%26%20Co:a%3Ab%3Fc%23d%2F%C3%A9?secret=ABC%3D&issuer=Acme%20%26%20Co"
        );
    }
}
