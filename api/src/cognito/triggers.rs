//! What happens when a user is confirmed, in the confirming transaction (the seed ran a Lambda
//! PostConfirmation trigger for this): the product's own user profile row.

use sqlx::PgConnection;

use super::{error::CognitoResult, users::User};

pub async fn post_confirmation(tx: &mut PgConnection, user: &User) -> CognitoResult<()> {
    sqlx::query("INSERT INTO user_profiles (id, email) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(user.sub)
        .bind(user.email())
        .execute(tx)
        .await?;
    Ok(())
}
