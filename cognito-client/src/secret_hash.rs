//! `SECRET_HASH`: an app client that has a secret must prove it on every call that names a user.

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};

use crate::hmac_sha256;

/// `Base64(HMAC-SHA256(key = client_secret, message = username || client_id))`. `username` is the name the
/// request carries (for a refresh, the user's internal username: the `sub` of an email-as-username pool).
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let message = [username.as_bytes(), client_id.as_bytes()].concat();
    BASE64.encode(hmac_sha256(client_secret.as_bytes(), &message))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from Python's hmac and hashlib, independently of this code:
    /// `base64.b64encode(hmac.new(secret, username + client_id, hashlib.sha256).digest())`.
    #[test]
    fn matches_an_independent_computation() {
        assert_eq!(
            secret_hash(
                "local-development-secret-do-not-deploy-0000000000",
                "alice@example.com",
                "ledgerlinebackend000000001"
            ),
            "7P0fm3pOlGsQvkiRawzW70tGldx+TdsHR7TF6wqt3U4="
        );
        assert_eq!(
            secret_hash("s3cr3t-Ü", "Ünïcode-user", "5q0v2c1mbn8j7k3h4g6f9d2s1a"),
            "x5wgpN9qlUfgPbBdeydFuD6gckTurpkNvh71H/jhznc="
        );
    }
}
