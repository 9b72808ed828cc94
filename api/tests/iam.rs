//! IAM roles and inline policies through boto3's `iam` client (the Query protocol, XML answers),
//! signed with the admin credentials.

mod support;

use serde_json::{Value, json};
use support::{
    ADMIN_KEY, ADMIN_SECRET, admin_app,
    boto3::{Signer, boto3, error},
};

const ADMIN: Signer<'static> = Signer { key: ADMIN_KEY, secret: ADMIN_SECRET, token: None };

fn trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:x"}}}]})
}

fn invoke_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:*:*:*/*/GET/users/${cognito-identity.amazonaws.com:sub}/*"}]})
}

#[tokio::test]
async fn boto3_manages_roles_and_their_inline_policies() {
    let app = admin_app(&[]).await;
    let trust = trust().to_string();
    let policy = invoke_policy().to_string();
    let results = boto3(&app, "iam", "/iam", ADMIN, json!([
        ["create_role", {"RoleName": "ledgerline-users", "AssumeRolePolicyDocument": trust, "Description": "Signed-in users"}],
        ["create_role", {"RoleName": "ledgerline-guests", "Path": "/guests/", "AssumeRolePolicyDocument": trust}],
        ["create_role", {"RoleName": "ledgerline-users", "AssumeRolePolicyDocument": trust}],
        ["get_role", {"RoleName": "ledgerline-users"}],
        ["list_roles", {"MaxItems": 1}],
        ["list_roles", {"PathPrefix": "/guests/"}],
        ["put_role_policy", {"RoleName": "ledgerline-users", "PolicyName": "invoke", "PolicyDocument": policy}],
        ["get_role_policy", {"RoleName": "ledgerline-users", "PolicyName": "invoke"}],
        ["list_role_policies", {"RoleName": "ledgerline-users"}],
        ["put_role_policy", {"RoleName": "ledgerline-users", "PolicyName": "bad", "PolicyDocument": "{\"Statement\": 1}"}],
        ["delete_role", {"RoleName": "ledgerline-users"}],
        ["delete_role_policy", {"RoleName": "ledgerline-users", "PolicyName": "invoke"}],
        ["delete_role_policy", {"RoleName": "ledgerline-users", "PolicyName": "invoke"}],
        ["delete_role", {"RoleName": "ledgerline-users"}],
        ["get_role", {"RoleName": "ledgerline-users"}],
        ["create_role", {"RoleName": "bad name", "AssumeRolePolicyDocument": trust}],
    ])).await;
    let role = &results[0]["ok"]["Role"];
    assert_eq!(role["Arn"], "arn:aws:iam::123456789012:role/ledgerline-users");
    assert!(role["RoleId"].as_str().unwrap().starts_with("AROA"), "{role}");
    assert_eq!(role["AssumeRolePolicyDocument"], self::trust(), "boto3 decodes the document back");
    assert_eq!(role["Description"], "Signed-in users");
    assert_eq!(role["MaxSessionDuration"], 3600);
    assert_eq!(results[1]["ok"]["Role"]["Arn"], "arn:aws:iam::123456789012:role/guests/ledgerline-guests");
    assert_eq!(error(&results[2]), ("EntityAlreadyExists", 409));
    assert_eq!(results[3]["ok"]["Role"]["RoleName"], "ledgerline-users");
    let page = &results[4]["ok"];
    assert_eq!((page["IsTruncated"].as_bool(), page["Roles"].as_array().unwrap().len()), (Some(true), 1));
    assert_eq!(page["Marker"], "ledgerline-guests");
    let guests = results[5]["ok"]["Roles"].as_array().unwrap();
    assert_eq!(guests.iter().map(|r| r["RoleName"].as_str().unwrap()).collect::<Vec<_>>(), ["ledgerline-guests"]);
    assert!(results[6]["ok"].is_object(), "{}", results[6]);
    assert_eq!(results[7]["ok"]["PolicyDocument"], invoke_policy());
    assert_eq!(results[8]["ok"]["PolicyNames"], json!(["invoke"]));
    assert_eq!(error(&results[9]), ("MalformedPolicyDocument", 400));
    assert_eq!(error(&results[10]), ("DeleteConflict", 409));
    assert!(results[11]["ok"].is_object());
    assert_eq!(error(&results[12]), ("NoSuchEntity", 404));
    assert!(results[13]["ok"].is_object());
    assert_eq!(error(&results[14]), ("NoSuchEntity", 404));
    assert_eq!(results[14]["error"]["Message"], "The role with name ledgerline-users cannot be found.");
    assert_eq!(error(&results[15]), ("ValidationError", 400));
}

#[tokio::test]
async fn iam_calls_need_the_admin_signature() {
    let app = admin_app(&[]).await;
    let calls = json!([["list_roles", {}]]);
    let wrong =
        boto3(&app, "iam", "/iam", Signer { key: ADMIN_KEY, secret: "not-the-secret", token: None }, calls.clone())
            .await;
    assert_eq!(error(&wrong[0]), ("SignatureDoesNotMatch", 403));
    let unknown =
        boto3(&app, "iam", "/iam", Signer { key: "AKIDSOMEONEELSE", secret: ADMIN_SECRET, token: None }, calls).await;
    assert_eq!(error(&unknown[0]), ("InvalidClientTokenId", 403));
    assert_eq!(unknown[0]["error"]["Message"], "The security token included in the request is invalid.");

    let unsigned = reqwest::Client::new()
        .post(app.url("/iam"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=ListRoles&Version=2010-05-08")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    let body = unsigned.text().await.unwrap();
    assert!(body.contains("<Code>MissingAuthenticationToken</Code>"), "{body}");
}
