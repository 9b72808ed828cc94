//! Invitation tokens: the organisation's id and 32 random bytes, base64url, mailed in a link and
//! kept only as a SHA-256. The id in it finds the invitation within its tenant (every lookup is
//! by tenant, as the tables are keyed); the random part is the secret.

use aws_lc_rs::{digest, rand};
use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use base64::{Engine, prelude::BASE64_URL_SAFE_NO_PAD};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{RefOr, Schema},
};
use uuid::Uuid;

use crate::{rest::problem::Problem, rules::Text};

const SECRET_BYTES: usize = 32;

/// The token's length in characters: 48 bytes in base64url.
pub const LENGTH: usize = 64;

/// What a token looks like, as the document states it.
pub static TOKEN: Text =
    Text::new(LENGTH, LENGTH, "characters of base64url: the token of an invitation's link", "^[A-Za-z0-9_-]+$");

pub struct Token {
    pub tenant: Uuid,
    pub text: String,
}

impl Token {
    pub fn new(tenant: Uuid) -> Result<Self, aws_lc_rs::error::Unspecified> {
        let mut bytes = [0u8; 16 + SECRET_BYTES];
        bytes[..16].copy_from_slice(tenant.as_bytes());
        rand::fill(&mut bytes[16..])?;
        Ok(Self { tenant, text: BASE64_URL_SAFE_NO_PAD.encode(bytes) })
    }

    /// `None` for text that is no token (it then names no invitation).
    pub fn parse(text: &str) -> Option<Self> {
        if !TOKEN.allows(text) {
            return None;
        }
        let bytes = BASE64_URL_SAFE_NO_PAD.decode(text).ok()?;
        let tenant = Uuid::from_slice(bytes.get(..16)?).ok()?;
        Some(Self { tenant, text: text.to_owned() })
    }

    pub fn hash(&self) -> Vec<u8> {
        digest::digest(&digest::SHA256, self.text.as_bytes()).as_ref().to_vec()
    }
}

/// The `{token}` of an invitation's path; text that is no token names no invitation: 404.
pub struct PathToken(pub Token);

impl<S: Send + Sync> FromRequestParts<S> for PathToken {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let text = Path::<String>::from_request_parts(parts, state).await.ok();
        match text.as_deref().and_then(|text| Token::parse(text)) {
            Some(token) => Ok(Self(token)),
            None => Err(Problem::not_found("There is no such invitation.")),
        }
    }
}

/// The parameter's schema in the OpenAPI document.
impl PartialSchema for PathToken {
    fn schema() -> RefOr<Schema> {
        TOKEN.schema().into()
    }
}

impl ToSchema for PathToken {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_carries_its_tenant_and_a_fresh_secret() {
        let tenant = Uuid::new_v4();
        let (one, two) = (Token::new(tenant).unwrap(), Token::new(tenant).unwrap());
        assert_eq!(one.text.len(), LENGTH);
        assert_ne!(one.text, two.text);
        let parsed = Token::parse(&one.text).unwrap();
        assert_eq!((parsed.tenant, parsed.hash()), (tenant, one.hash()));
        assert!(Token::parse(&one.text[1..]).is_none() && Token::parse(&"!".repeat(LENGTH)).is_none());
    }
}
