//! Signing in and staying signed in: the Cognito calls, the session, and the guard on private pages.

pub mod cognito;
pub mod guard;
pub mod session;
