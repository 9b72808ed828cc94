//! A Cognito user-pools client that does no I/O: it builds each request (operation and JSON body), and parses
//! the answer the caller got, so that one crate serves the browser (through `fetch`, in wasm) and native code
//! (through any HTTP client). It keeps no clock either: SRP's `TIMESTAMP` comes from the time the caller passes.
//!
//! - [`srp`]: the `USER_SRP_AUTH` sign-in maths, as amazon-cognito-identity-js and pycognito do it.
//! - [`mod@secret_hash`]: `SECRET_HASH` for app clients with a secret.
//! - [`ops`]: the requests and typed responses of the public operations.
//! - [`error`]: Cognito's exceptions as [`CognitoError`].
//! - [`totp`]: the `otpauth://` URI an authenticator app's QR code carries.
//!
//! A sign-in with SRP, the caller doing the HTTP (`post` stands for it):
//!
//! ```no_run
//! use cognito_client::{AppClient, CognitoError, Request, SrpClient};
//!
//! # fn post<T: miniserde::Deserialize>(request: &Request<T>) -> Result<T, CognitoError> { todo!() }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now_unix_seconds = 1_772_528_707;
//! let client = AppClient::public("ledgerlineweb0000000000001");
//! let srp = SrpClient::new("us-east-1_LedgerDev")?;
//! let challenge = post(&client.initiate_srp_auth("alice@example.com", &srp))?;
//! let parameters = challenge.challenge_parameters.as_ref().ok_or("a challenge without parameters")?;
//! let claim = srp.answer(parameters, "Correct-horse-1", now_unix_seconds)?;
//! let signed_in = post(&client.respond_password_verifier(&claim, challenge.session.as_deref()))?;
//! let tokens = signed_in.authentication_result.ok_or("another challenge to answer")?;
//! # Ok(()) }
//! ```
//!
//! where `post` sends `request.body` with `request.headers()` and returns
//! `request.parse_response(status, x_amzn_error_type_header, &body)`.

pub mod error;
pub mod ops;
pub mod secret_hash;
pub mod srp;
pub mod totp;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub use error::{CognitoError, ErrorKind};
pub use ops::{AppClient, Attribute, AuthResponse, AuthenticationResult, Request};
pub use secret_hash::secret_hash;
pub use srp::{PasswordClaim, SrpClient, SrpError};

/// HMAC-SHA256, for SRP's claim signature and SECRET_HASH.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}
