//! The identity pool the benchmarks make through the api's own admin operations, as an operator
//! would with boto3: an IAM role that may read accounts (IAM's CreateRole and PutRolePolicy, over
//! the Query protocol), and an identity pool that trusts the benchmark's user pool and app client
//! and gives signed-in users that role (CreateIdentityPool, SetIdentityPoolRoles); then the two
//! unsigned calls that trade a user's ID token for AWS credentials (GetId,
//! GetCredentialsForIdentity), as the AWS SDKs make them.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use cognito_client::ops::CONTENT_TYPE;
use reqwest::Url;
use serde_json::{Value, json};

use crate::{
    cognito::{self, Pool},
    load::Failure,
};

const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// The role's trust policy, as the dev bootstrap's (`api/bootstrap/dev.toml`).
const TRUST_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}"#;

/// What the role may do: read accounts on any api's stage v1 (an Allow to match), and never delete
/// anything (a Deny, which IAM checks in every request's evaluation as well).
fn role_policy(region: &str) -> String {
    let api = format!("arn:aws:execute-api:{region}:*:*/v1");
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": [format!("{api}/GET/accounts/*"), format!("{api}/GET/caller")]},
        {"Effect": "Deny", "Action": "execute-api:*", "Resource": format!("{api}/DELETE/*")},
    ]})
    .to_string()
}

/// An identity pool over a benchmark's user pool and app client.
pub struct IdentityPool {
    pub id: String,
    /// `cognito-idp.<region>.amazonaws.com/<user pool id>`, the `Logins` key the AWS SDKs use.
    login_key: String,
}

impl IdentityPool {
    /// The role (at `iam`, the api's IAM endpoint) and the identity pool, named after the time so
    /// that reruns against one database work.
    pub async fn create(pool: &Pool, iam: &Url) -> Result<Self, Failure> {
        let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let role = format!("bench-{run}-users");
        let created = iam_call(
            pool,
            iam,
            &[("Action", "CreateRole"), ("RoleName", &role), ("AssumeRolePolicyDocument", TRUST_POLICY)],
        )
        .await?;
        let arn = created.split_once("<Arn>").and_then(|(_, rest)| rest.split_once("</Arn>")).map(|(arn, _)| arn);
        let arn = arn.ok_or_else(|| format!("CreateRole answered no Arn: {created}"))?.to_owned();
        let policy = role_policy(&pool.region);
        iam_call(
            pool,
            iam,
            &[
                ("Action", "PutRolePolicy"),
                ("RoleName", &role),
                ("PolicyName", "read-accounts"),
                ("PolicyDocument", &policy),
            ],
        )
        .await?;
        let region = pool.pool_id.split('_').next().unwrap_or_default();
        let login_key = format!("cognito-idp.{region}.amazonaws.com/{}", pool.pool_id);
        let providers = [json!({"ProviderName": login_key, "ClientId": pool.client.client_id})];
        let new_pool = json!({
            "IdentityPoolName": format!("bench-{run}"),
            "AllowUnauthenticatedIdentities": false,
            "CognitoIdentityProviders": providers,
        });
        let created = admin(pool, "CreateIdentityPool", &new_pool).await?;
        let id = cognito::string_at(&created, "/IdentityPoolId")?;
        admin(pool, "SetIdentityPoolRoles", &json!({"IdentityPoolId": id, "Roles": {"authenticated": arn}})).await?;
        Ok(Self { id, login_key })
    }

    /// GetId: the user's identity (the same one every time).
    pub async fn get_id(&self, pool: &Pool, id_token: &str) -> Result<String, Failure> {
        let request = json!({"IdentityPoolId": self.id, "Logins": {&self.login_key: id_token}});
        cognito::string_at(&unsigned(pool, "GetId", &request).await?, "/IdentityId")
    }

    /// GetCredentialsForIdentity: temporary credentials of the identity's role.
    pub async fn credentials(&self, pool: &Pool, identity_id: &str, id_token: &str) -> Result<Credentials, Failure> {
        let request = json!({"IdentityId": identity_id, "Logins": {&self.login_key: id_token}});
        let answer = unsigned(pool, "GetCredentialsForIdentity", &request).await?;
        let field = |name: &str| cognito::string_at(&answer, &format!("/Credentials/{name}"));
        let expires = answer.pointer("/Credentials/Expiration").and_then(Value::as_f64).ok_or("no Expiration")?;
        let expiry = UNIX_EPOCH + std::time::Duration::from_secs_f64(expires);
        Ok(Credentials::new(
            field("AccessKeyId")?,
            field("SecretKey")?,
            Some(field("SessionToken")?),
            Some(expiry),
            "identity pool",
        ))
    }
}

/// An identity-pool admin operation, signed for `cognito-identity`.
async fn admin(pool: &Pool, operation: &str, body: &Value) -> Result<Value, Failure> {
    pool.signed_call(&pool.endpoint, "cognito-identity", &format!("{TARGET_PREFIX}{operation}"), body).await
}

/// GetId and GetCredentialsForIdentity go out unsigned, as boto3 and the SDKs send them.
async fn unsigned(pool: &Pool, operation: &str, body: &Value) -> Result<Value, Failure> {
    let post = pool.http.post(pool.endpoint.clone()).header("content-type", CONTENT_TYPE);
    let post = post.header("x-amz-target", format!("{TARGET_PREFIX}{operation}")).body(body.to_string());
    cognito::answer(cognito::exchange(post).await?)
}

/// An IAM action (Query protocol: a form with `Action` and `Version`), signed for `iam` in us-east-1
/// as botocore signs it (IAM is global); its XML answer when 200.
async fn iam_call(pool: &Pool, iam: &Url, parameters: &[(&str, &str)]) -> Result<String, Failure> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(parameters).append_pair("Version", "2010-05-08");
    let body = form.finish();
    let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8")];
    let mut signer = pool.admin_signer("iam");
    signer.region = "us-east-1".to_owned();
    let signed = signer.sign("POST", iam, &headers, body.as_bytes(), SystemTime::now())?;
    let response = pool.http.post(iam.clone()).headers(signed).body(body).send().await?;
    let (status, text) = (response.status(), response.text().await?);
    match status.is_success() {
        true => Ok(text),
        false => Err(format!("IAM answered {status}: {text}").into()),
    }
}
