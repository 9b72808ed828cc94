//! What happens when a user is confirmed, in the confirming transaction (the seed ran a Lambda
//! PostConfirmation trigger for this): the product's own user profile row and personal tenant, and, when the pool names
//! one, a webhook that receives Cognito's PostConfirmation event. A failing webhook fails the
//! confirmation (UnexpectedLambdaException), and the transaction rolls back, as with Cognito.

use serde_json::{Value, json};
use sqlx::PgConnection;

use super::{
    error::{CognitoError, CognitoResult, Exception},
    pools::Pool,
    users::User,
};

/// The profile row, and the user's personal tenant (they are its owner) for their accounts.
pub async fn post_confirmation(tx: &mut PgConnection, user: &User) -> CognitoResult<()> {
    sqlx::query("INSERT INTO user_profiles (id, email) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(user.sub)
        .bind(user.email())
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT create_personal_tenant($1, $2, $3)")
        .bind(user.sub)
        .bind(uuid::Uuid::new_v4())
        .bind(user.email().unwrap_or(&user.username))
        .execute(tx)
        .await?;
    Ok(())
}

/// Cognito's value for `callerContext.clientId` when an admin, not an app client, confirmed.
pub const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

/// Posts the PostConfirmation event to the pool's webhook, if it has one; call it before committing
/// the confirmation.
pub async fn post_confirmation_webhook(
    http: &reqwest::Client,
    pool: &Pool,
    user: &User,
    client_id: &str,
) -> CognitoResult<()> {
    let Some(url) = &pool.post_confirmation_webhook else { return Ok(()) };
    let failed = |why: String| {
        tracing::warn!(pool = %pool.id, %url, %why, "PostConfirmation webhook failed");
        CognitoError::new(Exception::UnexpectedLambda, format!("PostConfirmation failed with error {why}."))
    };
    let response =
        http.post(url).json(&event(pool, user, client_id)).send().await.map_err(|e| failed(e.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("the webhook answered {}", response.status())));
    }
    Ok(())
}

/// The event JSON a PostConfirmation Lambda receives.
fn event(pool: &Pool, user: &User, client_id: &str) -> Value {
    let mut attributes = serde_json::Map::new();
    attributes.insert("sub".into(), user.sub.to_string().into());
    attributes.extend(user.attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
    attributes.insert("cognito:user_status".into(), user.status.clone().into());
    json!({
        "version": "1",
        "region": pool.id.split('_').next().unwrap_or_default(),
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": { "awsSdkVersion": "ledgerline", "clientId": client_id },
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": { "userAttributes": attributes },
        "response": {},
    })
}
