//! One page per flow; each owns its form and where it leads.

pub mod confirm;
pub mod forgot_password;
pub mod profile;
pub mod sign_in;
pub mod sign_up;
