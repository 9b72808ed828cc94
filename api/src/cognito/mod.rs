//! A Cognito-compatible user-pools service: the real Cognito JSON protocol, so unmodified AWS SDKs
//! and Amplify-style clients work against it.

pub mod srp;
