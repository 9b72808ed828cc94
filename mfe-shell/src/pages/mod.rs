//! One page per flow; each owns its form and where it leads. [`crate::router`] chooses the page.

pub mod auth_flow;
pub mod authenticator;
pub mod confirm;
pub mod forgot_password;
pub mod home;
pub mod profile;
pub mod sign_in;
pub mod sign_up;
