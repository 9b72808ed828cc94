//! Signing in and staying signed in: the Cognito calls and the session. Private pages wait for it
//! (see `crate::router`).

pub mod cognito;
pub mod credentials;
pub mod session;
