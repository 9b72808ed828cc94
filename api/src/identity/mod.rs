//! Cognito Identity (identity pools): a user-pool sign-in (or a guest) traded for an identity id and
//! temporary AWS credentials of the IAM role the pool's rules choose, as AWS's service does it, on the
//! same endpoint as user pools (`X-Amz-Target: AWSCognitoIdentityService.*`).
//!
//! - [`wire`]: the operations and who may call them; [`ops`]: one module per group of operations.
//! - [`pools`]: identity pools and their roles; [`identities`]: identities (one per user and pool).
//! - [`logins`]: `Logins` checked as AWS checks them; [`roles`]: the role resolution rules.
//! - [`credentials`]: the credentials themselves (a key, a secret derived from it, a sealed session
//!   token), verifiable by any instance with no lookup; [`openid`]: GetOpenIdToken's tokens.

pub mod credentials;
pub mod identities;
pub mod logins;
pub mod openid;
pub mod ops;
pub mod pools;
pub mod roles;
pub mod wire;
