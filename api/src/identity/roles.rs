//! Which IAM role an identity's credentials are for, as Cognito Identity's enhanced flow decides it
//! (the "role-based access control" rules of AWS's developer guide): the pool's default roles, or a
//! role mapping of the login's provider, of type Token (the user's groups' roles, `CustomRoleArn`
//! choosing among them) or Rules (the first rule whose claim matches), with
//! `AmbiguousRoleResolution` when neither decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// SetIdentityPoolRoles' `Roles`: the default role of each kind of identity.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Roles {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unauthenticated: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleMapping {
    #[serde(rename = "Type")]
    pub kind: MappingType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguous_role_resolution: Option<AmbiguousRoleResolution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_configuration: Option<RulesConfiguration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MappingType {
    Token,
    Rules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmbiguousRoleResolution {
    AuthenticatedRole,
    Deny,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RulesConfiguration {
    pub rules: Vec<MappingRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MappingRule {
    pub claim: String,
    pub match_type: MatchType,
    pub value: String,
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchType {
    Equals,
    Contains,
    StartsWith,
    NotEqual,
}

/// What the resolution looks at.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub roles: &'a Roles,
    /// The role mapping of the login's provider (and app client), if the pool has one.
    pub mapping: Option<&'a RoleMapping>,
    /// The login's ID token claims, with `cognito:roles` and `cognito:preferred_role` as AWS puts
    /// them in; `None` for a guest.
    pub claims: Option<&'a Map<String, Value>>,
    pub custom_role_arn: Option<&'a str>,
}

/// Why no role was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No role applies: the pool lacks the default role needed (InvalidIdentityPoolConfiguration).
    NoRole,
    /// The mapping was ambiguous and says Deny.
    AmbiguousDenied,
    /// `CustomRoleArn` names a role the token does not offer.
    CustomRoleNotAllowed(String),
}

pub fn resolve(request: Request<'_>) -> Result<String, Refusal> {
    let Some(claims) = request.claims else {
        return request.roles.unauthenticated.clone().ok_or(Refusal::NoRole);
    };
    let Some(mapping) = request.mapping else {
        return request.roles.authenticated.clone().ok_or(Refusal::NoRole);
    };
    let chosen = match mapping.kind {
        MappingType::Token => from_token(claims, request.custom_role_arn)?,
        MappingType::Rules => from_rules(mapping, claims, request.custom_role_arn),
    };
    match (chosen, mapping.ambiguous_role_resolution) {
        (Some(role), _) => Ok(role),
        (None, Some(AmbiguousRoleResolution::AuthenticatedRole)) => {
            request.roles.authenticated.clone().ok_or(Refusal::NoRole)
        }
        (None, _) => Err(Refusal::AmbiguousDenied),
    }
}

/// `CustomRoleArn` if the token offers it (and a refusal if not), else `cognito:preferred_role`.
fn from_token(claims: &Map<String, Value>, custom: Option<&str>) -> Result<Option<String>, Refusal> {
    let offered = claim_values(claims, "cognito:roles");
    if let Some(custom) = custom {
        return match offered.iter().any(|role| role == custom) {
            true => Ok(Some(custom.to_owned())),
            false => Err(Refusal::CustomRoleNotAllowed(custom.to_owned())),
        };
    }
    Ok(claims.get("cognito:preferred_role").and_then(Value::as_str).map(str::to_owned))
}

/// The first matching rule's role; `CustomRoleArn` picks among the matching rules' roles.
fn from_rules(mapping: &RoleMapping, claims: &Map<String, Value>, custom: Option<&str>) -> Option<String> {
    let rules = mapping.rules_configuration.as_ref().map(|c| c.rules.as_slice()).unwrap_or_default();
    let mut matching = rules.iter().filter(|rule| rule_matches(rule, claims)).map(|rule| &rule.role_arn);
    match custom {
        Some(custom) => matching.find(|role| *role == custom).cloned(),
        None => matching.next().cloned(),
    }
}

/// A rule whose claim the token lacks is not evaluated (NotEqual included); a claim with several
/// values (`cognito:groups`) matches when one of them does, and NotEqual when none is equal.
fn rule_matches(rule: &MappingRule, claims: &Map<String, Value>) -> bool {
    if !claims.contains_key(&rule.claim) {
        return false;
    }
    let values = claim_values(claims, &rule.claim);
    let value = rule.value.as_str();
    match rule.match_type {
        MatchType::Equals => values.iter().any(|v| v == value),
        MatchType::Contains => values.iter().any(|v| v.contains(value)),
        MatchType::StartsWith => values.iter().any(|v| v.starts_with(value)),
        MatchType::NotEqual => values.iter().all(|v| v != value),
    }
}

/// A claim's values as text: a string (comma-separated for `cognito:roles`, as the docs describe
/// it), an array (as tokens carry it), or a scalar.
fn claim_values(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::Array(items)) => items.iter().map(text).collect(),
        Some(Value::String(s)) if name == "cognito:roles" => s.split(',').map(str::to_owned).collect(),
        Some(value) => vec![text(value)],
        None => Vec::new(),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The claims AWS adds to an ID token from the user's groups: every group's role
/// (`cognito:roles`), and the role of the group with the lowest Precedence
/// (`cognito:preferred_role`), absent when that lowest precedence is shared by groups of different
/// roles. `groups` are (precedence, role) of the user's groups that have a role.
pub fn group_role_claims(groups: &[(Option<i32>, String)], claims: &mut Map<String, Value>) {
    if groups.is_empty() {
        return;
    }
    let mut roles: Vec<&String> = groups.iter().map(|(_, role)| role).collect();
    roles.dedup();
    claims.insert("cognito:roles".into(), Value::from(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>()));
    let ranked = |precedence: Option<i32>| precedence.map_or(i64::MAX, i64::from);
    let lowest = groups.iter().map(|(precedence, _)| ranked(*precedence)).min();
    let mut best = groups.iter().filter(|(precedence, _)| Some(ranked(*precedence)) == lowest).map(|(_, role)| role);
    if let Some(first) = best.next()
        && best.all(|role| role == first)
    {
        claims.insert("cognito:preferred_role".into(), Value::from(first.as_str()));
    }
}

/// The role mapping for a login: the pool's mappings are keyed `<provider name>:<app client id>`, the
/// provider name in either form [`super::logins`] accepts.
pub fn mapping_for<'a>(
    mappings: &'a BTreeMap<String, RoleMapping>,
    same_provider: impl Fn(&str) -> bool,
    client_id: &str,
) -> Option<&'a RoleMapping> {
    mappings.iter().find_map(|(key, mapping)| {
        let (provider, client) = key.rsplit_once(':')?;
        (client == client_id && same_provider(provider)).then_some(mapping)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const AUTH: &str = "arn:aws:iam::123456789012:role/auth";
    const GUEST: &str = "arn:aws:iam::123456789012:role/guest";
    const ADMINS: &str = "arn:aws:iam::123456789012:role/admins";
    const READERS: &str = "arn:aws:iam::123456789012:role/readers";

    fn roles() -> Roles {
        Roles { authenticated: Some(AUTH.into()), unauthenticated: Some(GUEST.into()) }
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn mapping(kind: MappingType, ambiguous: Option<AmbiguousRoleResolution>, rules: Vec<MappingRule>) -> RoleMapping {
        RoleMapping {
            kind,
            ambiguous_role_resolution: ambiguous,
            rules_configuration: (!rules.is_empty()).then_some(RulesConfiguration { rules }),
        }
    }

    fn rule(claim: &str, match_type: MatchType, value: &str, role: &str) -> MappingRule {
        MappingRule { claim: claim.into(), match_type, value: value.into(), role_arn: role.into() }
    }

    fn resolve_with(
        mapping: Option<&RoleMapping>,
        claims: Option<&Map<String, Value>>,
        custom: Option<&str>,
    ) -> Result<String, Refusal> {
        resolve(Request { roles: &roles(), mapping, claims, custom_role_arn: custom })
    }

    #[test]
    fn defaults_serve_guests_and_users_without_a_mapping() {
        let user = claims(json!({"sub": "x"}));
        assert_eq!(resolve_with(None, None, None).unwrap(), GUEST);
        assert_eq!(resolve_with(None, Some(&user), None).unwrap(), AUTH);
        let none = Roles::default();
        let request = Request { roles: &none, mapping: None, claims: Some(&user), custom_role_arn: None };
        assert_eq!(resolve(request), Err(Refusal::NoRole));
        let request = Request { roles: &none, mapping: None, claims: None, custom_role_arn: None };
        assert_eq!(resolve(request), Err(Refusal::NoRole));
    }

    #[test]
    fn token_mappings_use_the_preferred_role_or_the_custom_one_offered() {
        let token = mapping(MappingType::Token, Some(AmbiguousRoleResolution::Deny), vec![]);
        let mut user = claims(json!({"sub": "x"}));
        group_role_claims(&[(Some(1), ADMINS.into()), (Some(2), READERS.into())], &mut user);
        assert_eq!(user["cognito:preferred_role"], ADMINS);
        assert_eq!(resolve_with(Some(&token), Some(&user), None).unwrap(), ADMINS);
        assert_eq!(resolve_with(Some(&token), Some(&user), Some(READERS)).unwrap(), READERS);
        assert_eq!(
            resolve_with(Some(&token), Some(&user), Some(AUTH)),
            Err(Refusal::CustomRoleNotAllowed(AUTH.into()))
        );
    }

    #[test]
    fn ties_and_roleless_users_are_ambiguous() {
        let mut tied = claims(json!({}));
        group_role_claims(&[(Some(1), ADMINS.into()), (Some(1), READERS.into())], &mut tied);
        assert!(!tied.contains_key("cognito:preferred_role"));
        let mut same_role = claims(json!({}));
        group_role_claims(&[(Some(1), ADMINS.into()), (Some(1), ADMINS.into())], &mut same_role);
        assert_eq!(same_role["cognito:preferred_role"], ADMINS);
        let plain = claims(json!({}));
        for user in [&tied, &plain] {
            let deny = mapping(MappingType::Token, Some(AmbiguousRoleResolution::Deny), vec![]);
            assert_eq!(resolve_with(Some(&deny), Some(user), None), Err(Refusal::AmbiguousDenied));
            let unset = mapping(MappingType::Token, None, vec![]);
            assert_eq!(resolve_with(Some(&unset), Some(user), None), Err(Refusal::AmbiguousDenied));
            let fallback = mapping(MappingType::Token, Some(AmbiguousRoleResolution::AuthenticatedRole), vec![]);
            assert_eq!(resolve_with(Some(&fallback), Some(user), None).unwrap(), AUTH);
        }
    }

    #[test]
    fn rules_match_in_order_and_skip_missing_claims() {
        let rules = mapping(
            MappingType::Rules,
            Some(AmbiguousRoleResolution::AuthenticatedRole),
            vec![
                rule("custom:tier", MatchType::NotEqual, "free", ADMINS),
                rule("cognito:groups", MatchType::Equals, "readers", READERS),
                rule("email", MatchType::Contains, "@example.com", ADMINS),
                rule("email", MatchType::StartsWith, "bob", READERS),
            ],
        );
        let reader = claims(json!({"cognito:groups": ["staff", "readers"], "email": "a@example.com"}));
        assert_eq!(resolve_with(Some(&rules), Some(&reader), None).unwrap(), READERS, "NotEqual skipped: no claim");
        assert_eq!(resolve_with(Some(&rules), Some(&reader), Some(ADMINS)).unwrap(), ADMINS, "custom among matches");
        let paying = claims(json!({"custom:tier": "pro"}));
        assert_eq!(resolve_with(Some(&rules), Some(&paying), None).unwrap(), ADMINS);
        let bob = claims(json!({"custom:tier": "free", "email": "bob@elsewhere.org"}));
        assert_eq!(resolve_with(Some(&rules), Some(&bob), None).unwrap(), READERS);
        let nobody = claims(json!({"custom:tier": "free", "email": "x@elsewhere.org"}));
        assert_eq!(resolve_with(Some(&rules), Some(&nobody), None).unwrap(), AUTH, "ambiguous: the default role");
        let deny = RoleMapping { ambiguous_role_resolution: Some(AmbiguousRoleResolution::Deny), ..rules };
        assert_eq!(resolve_with(Some(&deny), Some(&nobody), None), Err(Refusal::AmbiguousDenied));
    }

    #[test]
    fn comma_separated_roles_are_read_too() {
        let token = mapping(MappingType::Token, Some(AmbiguousRoleResolution::Deny), vec![]);
        let user = claims(json!({"cognito:roles": format!("{ADMINS},{READERS}")}));
        assert_eq!(resolve_with(Some(&token), Some(&user), Some(READERS)).unwrap(), READERS);
    }
}
