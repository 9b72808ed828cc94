//! One module per Cognito operation: its request and response shapes (Cognito's PascalCase JSON) and
//! a short `run` that calls the domain code.

pub mod change_password;
pub mod confirm_sign_up;
pub mod create_user_pool;
pub mod create_user_pool_client;
pub mod delete_user;
pub mod forgot_password;
pub mod get_user;
pub mod global_sign_out;
pub mod initiate_auth;
pub mod resend_confirmation_code;
pub mod respond_to_auth_challenge;
pub mod revoke_token;
pub mod sign_up;
pub mod update_user_attributes;

use serde::Serialize;

use super::{
    error::CognitoResult,
    pools::{self, Client, Pool},
    users,
};
use crate::AppState;

/// Cognito's CodeDeliveryDetailsType.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    pub destination: String,
    pub delivery_medium: &'static str,
    pub attribute_name: &'static str,
}

impl CodeDeliveryDetails {
    pub fn email(address: &str) -> Self {
        Self { destination: users::mask_email(address), delivery_medium: "EMAIL", attribute_name: "email" }
    }
}

/// The app client a public call names, and its pool.
pub async fn client_and_pool(state: &AppState, client_id: &str) -> CognitoResult<(Client, Pool)> {
    let client = pools::load_client(&state.db, client_id).await?;
    let pool = pools::load_pool(&state.db, &client.pool_id).await?;
    Ok((client, pool))
}
