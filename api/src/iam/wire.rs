//! The IAM endpoint, as boto3's `iam` client talks to it (`endpoint_url = <base>/iam`): the Query
//! protocol (`POST`, a form-encoded body with `Action`, `Version` and the parameters), SigV4-signed
//! for service `iam` (a global service: botocore signs for us-east-1) with the admin credentials,
//! answered in XML.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{OriginalUri, State},
    http::{HeaderMap, Method, header},
    response::{IntoResponse, Response},
};

use super::{
    error::IamError,
    roles::{self, NewRole, Role},
    xml,
};
use crate::{
    AppState,
    cognito::admin,
    sigv4::{Expectation, SignedRequest},
};

/// At most this many items a page, as IAM's MaxItems allows.
const MAX_ITEMS: i64 = 1000;

pub async fn endpoint(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let expectation = Expectation::new("iam", ["us-east-1".to_owned(), state.config.cognito_region.clone()]);
    let signed = SignedRequest { method: &method, uri: &uri, headers: &headers, body: &body };
    let outcome = match admin::check(&state, &expectation, &signed) {
        Ok(()) => run(&state, &body).await,
        Err(error) => Err(IamError::signature(&error)),
    };
    match outcome {
        Ok((action, result)) => {
            let body = xml::response(action, result.as_deref(), &request_id);
            ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The form's parameters, by name.
struct Form(HashMap<String, String>);

impl Form {
    fn required(&self, name: &str) -> Result<&str, IamError> {
        self.0.get(name).map(String::as_str).ok_or_else(|| IamError::missing(&lower_first(name)))
    }

    fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// MaxItems (1 to 1000, 100 by default) and Marker.
    fn page(&self) -> Result<(i64, Option<&str>), IamError> {
        let max = match self.optional("MaxItems") {
            None => 100,
            Some(text) => text.parse().ok().filter(|n| (1..=MAX_ITEMS).contains(n)).ok_or_else(|| {
                IamError::validation(format!(
                    "1 validation error detected: Value '{text}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                ))
            })?,
        };
        Ok((max, self.optional("Marker")))
    }
}

/// The action's name and its result's XML (none for actions without output).
async fn run(state: &AppState, body: &[u8]) -> Result<(&'static str, Option<String>), IamError> {
    let form = Form(form_urlencoded::parse(body).into_owned().collect());
    let action = form.required("Action")?;
    let db = &state.db;
    let account = &state.config.aws_account_id;
    Ok(match action {
        "CreateRole" => {
            let new = NewRole {
                name: form.required("RoleName")?,
                path: form.optional("Path").unwrap_or("/"),
                assume_role_policy_document: form.required("AssumeRolePolicyDocument")?,
                description: form.optional("Description"),
                max_session_duration: form.optional("MaxSessionDuration").and_then(|d| d.parse().ok()),
            };
            let role = roles::create(db, &new).await?;
            ("CreateRole", Some(role_element(&role, account)))
        }
        "GetRole" => ("GetRole", Some(role_element(&roles::load(db, form.required("RoleName")?).await?, account))),
        "ListRoles" => {
            let (max, marker) = form.page()?;
            let found = roles::list(db, form.optional("PathPrefix").unwrap_or("/"), marker, max + 1).await?;
            let (page, next) = paged(found, max, |role| role.name.clone());
            let members = page.iter().map(|role| member(&role_fields(role, account))).collect::<String>();
            ("ListRoles", Some(format!("<Roles>{members}</Roles>{next}")))
        }
        "DeleteRole" => {
            roles::delete(db, form.required("RoleName")?).await?;
            ("DeleteRole", None)
        }
        "PutRolePolicy" => {
            let (role, policy) = (form.required("RoleName")?, form.required("PolicyName")?);
            roles::put_policy(db, role, policy, form.required("PolicyDocument")?).await?;
            state.iam_policies.forget(role);
            ("PutRolePolicy", None)
        }
        "GetRolePolicy" => {
            let (role, policy) = (form.required("RoleName")?, form.required("PolicyName")?);
            let document = roles::get_policy(db, role, policy).await?;
            let mut out = String::new();
            xml::element(&mut out, "RoleName", role);
            xml::element(&mut out, "PolicyName", policy);
            xml::element(&mut out, "PolicyDocument", &xml::url_encode(&document));
            ("GetRolePolicy", Some(out))
        }
        "DeleteRolePolicy" => {
            let role = form.required("RoleName")?;
            roles::delete_policy(db, role, form.required("PolicyName")?).await?;
            state.iam_policies.forget(role);
            ("DeleteRolePolicy", None)
        }
        "ListRolePolicies" => {
            let (max, marker) = form.page()?;
            let names = roles::policy_names(db, form.required("RoleName")?, marker, max + 1).await?;
            let (page, next) = paged(names, max, Clone::clone);
            let members = page.iter().map(|name| format!("<member>{}</member>", xml::escape(name))).collect::<String>();
            ("ListRolePolicies", Some(format!("<PolicyNames>{members}</PolicyNames>{next}")))
        }
        other => return Err(IamError::invalid_action(other)),
    })
}

/// At most `max` of `rows` (fetched one more), and IsTruncated with the Marker of the next page.
fn paged<T>(mut rows: Vec<T>, max: i64, key: impl Fn(&T) -> String) -> (Vec<T>, String) {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    if rows.len() <= max {
        return (rows, "<IsTruncated>false</IsTruncated>".to_owned());
    }
    rows.truncate(max);
    let marker = rows.last().map(key).unwrap_or_default();
    (rows, format!("<IsTruncated>true</IsTruncated><Marker>{}</Marker>", xml::escape(&marker)))
}

fn role_element(role: &Role, account: &str) -> String {
    format!("<Role>{}</Role>", role_fields(role, account))
}

fn member(fields: &str) -> String {
    format!("<member>{fields}</member>")
}

fn role_fields(role: &Role, account: &str) -> String {
    let mut out = String::new();
    xml::element(&mut out, "Path", &role.path);
    xml::element(&mut out, "AssumeRolePolicyDocument", &xml::url_encode(&role.assume_role_policy_document));
    xml::element(&mut out, "MaxSessionDuration", &role.max_session_duration.to_string());
    xml::element(&mut out, "RoleId", &role.role_id);
    xml::element(&mut out, "RoleName", &role.name);
    xml::element(&mut out, "Arn", &role.arn(account));
    let created = role.created_at.replace_nanosecond(0).unwrap_or(role.created_at);
    let created = created.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    xml::element(&mut out, "CreateDate", &created);
    if let Some(description) = &role.description {
        xml::element(&mut out, "Description", description);
    }
    out
}

/// `RoleName` → `roleName`, as IAM's validation messages name members.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}
