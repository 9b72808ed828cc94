//! IAM identity-based policies and their evaluation, as IAM evaluates a role's policies for one
//! request: an explicit Deny wins, else an Allow is needed, else the request is implicitly denied.
//! A statement applies when its `Action`/`NotAction`, `Resource`/`NotResource` and `Condition` all
//! match: actions case-insensitively, resources case-sensitively, both with the `*` and `?`
//! wildcards, resources after policy variables (`${cognito-identity.amazonaws.com:sub}`) are
//! replaced (policies of version 2012-10-17 only, as IAM does).
//!
//! Written here rather than taken from scratchstack-aspen 0.3: that crate models whole AWS
//! principals and brings chrono, derive_builder 0.11 and base64 0.13 for what is, for
//! `execute-api:Invoke`, about this much code.

use std::collections::BTreeMap;

use serde_json::Value;

/// A parsed policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    variables: bool,
    statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
struct Statement {
    allow: bool,
    action: Matcher,
    resource: Matcher,
    conditions: Vec<Condition>,
}

/// `Action` or `NotAction` (`Resource` or `NotResource`): patterns, and whether they are negated.
#[derive(Debug, Clone)]
struct Matcher {
    negated: bool,
    patterns: Vec<String>,
}

#[derive(Debug, Clone)]
struct Condition {
    operator: Operator,
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Equals,
    NotEquals,
    Like,
    NotLike,
}

/// One request, as the evaluation sees it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// Condition keys and policy variables, e.g. `cognito-identity.amazonaws.com:sub`.
    pub context: &'a BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// Why a document is not a policy this server can evaluate: IAM's MalformedPolicyDocument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

/// The decision over all of `policies` (a role's inline policies) for `request`.
pub fn evaluate<'p>(policies: impl IntoIterator<Item = &'p Policy>, request: &Request<'_>) -> Decision {
    let mut decision = Decision::ImplicitDeny;
    for policy in policies {
        for statement in &policy.statements {
            if statement.applies(request, policy.variables) {
                if !statement.allow {
                    return Decision::ExplicitDeny;
                }
                decision = Decision::Allow;
            }
        }
    }
    decision
}

impl Policy {
    pub fn parse(document: &str) -> Result<Self, Malformed> {
        let value: Value = serde_json::from_str(document).map_err(|_| malformed("Syntax errors in policy."))?;
        let object = value.as_object().ok_or_else(|| malformed("Syntax errors in policy."))?;
        let variables = match object.get("Version").map(|v| v.as_str()) {
            None | Some(Some("2008-10-17")) => false,
            Some(Some("2012-10-17")) => true,
            Some(_) => return Err(malformed("The policy must contain a valid version string")),
        };
        if let Some(unknown) = object.keys().find(|key| !["Version", "Id", "Statement"].contains(&key.as_str())) {
            return Err(malformed(&format!("Policy document contains an unknown element: {unknown}")));
        }
        let statements = match object.get("Statement") {
            Some(Value::Array(items)) => items.iter().map(Statement::parse).collect::<Result<_, _>>()?,
            Some(item @ Value::Object(_)) => vec![Statement::parse(item)?],
            _ => return Err(malformed("Syntax errors in policy.")),
        };
        Ok(Self { variables, statements })
    }
}

impl Statement {
    fn parse(value: &Value) -> Result<Self, Malformed> {
        let object = value.as_object().ok_or_else(|| malformed("Syntax errors in policy."))?;
        let allow = match object.get("Effect").and_then(Value::as_str) {
            Some("Allow") => true,
            Some("Deny") => false,
            _ => return Err(malformed("Missing or invalid Effect: Allow or Deny.")),
        };
        if object.contains_key("Principal") || object.contains_key("NotPrincipal") {
            return Err(malformed("Policy document should not specify a principal."));
        }
        let known = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"];
        if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(malformed(&format!("Statement contains an unknown element: {unknown}")));
        }
        Ok(Self {
            allow,
            action: Matcher::parse(object, "Action")?,
            resource: Matcher::parse(object, "Resource")?,
            conditions: object.get("Condition").map(Condition::parse_block).transpose()?.unwrap_or_default(),
        })
    }

    fn applies(&self, request: &Request<'_>, variables: bool) -> bool {
        let action_matches = self
            .action
            .patterns
            .iter()
            .any(|p| wildcard_match(&p.to_ascii_lowercase(), &request.action.to_ascii_lowercase()));
        let resource_matches = self.resource.patterns.iter().any(|pattern| {
            let pattern = if variables { substitute(pattern, request.context) } else { Some(pattern.clone()) };
            pattern.is_some_and(|pattern| wildcard_match(&pattern, request.resource))
        });
        action_matches != self.action.negated
            && resource_matches != self.resource.negated
            && self.conditions.iter().all(|condition| condition.holds(request.context, variables))
    }
}

impl Matcher {
    fn parse(statement: &serde_json::Map<String, Value>, name: &str) -> Result<Self, Malformed> {
        let negated_name = format!("Not{name}");
        let (negated, value) = match (statement.get(name), statement.get(&negated_name)) {
            (Some(value), None) => (false, value),
            (None, Some(value)) => (true, value),
            _ => {
                return Err(malformed(&format!(
                    "Policy statement must contain exactly one of {name} and {negated_name}."
                )));
            }
        };
        Ok(Self { negated, patterns: strings(value)? })
    }
}

impl Condition {
    fn parse_block(value: &Value) -> Result<Vec<Self>, Malformed> {
        let block = value.as_object().ok_or_else(|| malformed("Syntax errors in policy."))?;
        let mut conditions = Vec::new();
        for (operator, keys) in block {
            let operator = match operator.as_str() {
                "StringEquals" => Operator::Equals,
                "StringNotEquals" => Operator::NotEquals,
                "StringLike" => Operator::Like,
                "StringNotLike" => Operator::NotLike,
                other => return Err(malformed(&format!("Condition operator {other} is not supported here."))),
            };
            for (key, values) in keys.as_object().ok_or_else(|| malformed("Syntax errors in policy."))? {
                conditions.push(Self { operator, key: key.to_ascii_lowercase(), values: strings(values)? });
            }
        }
        Ok(conditions)
    }

    /// A multi-valued key (`…:amr`) matches when any of its values does; a missing key fails every
    /// positive operator and passes the negated ones, as IAM has it.
    fn holds(&self, context: &BTreeMap<String, Vec<String>>, variables: bool) -> bool {
        let present = context.iter().find(|(key, _)| key.eq_ignore_ascii_case(&self.key)).map(|(_, values)| values);
        let values: Vec<String> = self
            .values
            .iter()
            .filter_map(|value| if variables { substitute(value, context) } else { Some(value.clone()) })
            .collect();
        let equal = |actual: &String| values.iter().any(|v| v == actual);
        let like = |actual: &String| values.iter().any(|v| wildcard_match(v, actual));
        match (self.operator, present) {
            (Operator::Equals, Some(actual)) => actual.iter().any(equal),
            (Operator::Like, Some(actual)) => actual.iter().any(like),
            (Operator::NotEquals, Some(actual)) => !actual.iter().any(equal),
            (Operator::NotLike, Some(actual)) => !actual.iter().any(like),
            (Operator::Equals | Operator::Like, None) => false,
            (Operator::NotEquals | Operator::NotLike, None) => true,
        }
    }
}

/// A string or a list of strings.
fn strings(value: &Value) -> Result<Vec<String>, Malformed> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| malformed("Syntax errors in policy.")))
            .collect(),
        _ => Err(malformed("Syntax errors in policy.")),
    }
}

/// Replaces `${key}` (or `${key, 'default'}`) by the key's value and `${*}`, `${?}`, `${$}` by the
/// literal characters. `None` when a key has no single value and no default: the pattern then
/// matches nothing, as IAM has it. A replaced `*` or `?` stays literal, not a wildcard, so values
/// are escaped: `\u{0}` marks a literal for [`wildcard_match`].
fn substitute(pattern: &str, context: &BTreeMap<String, Vec<String>>) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let inner = after[..end].trim();
        let (key, default) = match inner.split_once(',') {
            Some((key, default)) => (key.trim(), default.trim().strip_prefix('\'').and_then(|d| d.strip_suffix('\''))),
            None => (inner, None),
        };
        let value = match key {
            "*" | "?" | "$" => key.to_owned(),
            _ => match context.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_slice()) {
                Some([single]) => single.clone(),
                _ => default?.to_owned(),
            },
        };
        for c in value.chars() {
            if c == '*' || c == '?' {
                out.push('\u{0}');
            }
            out.push(c);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `*` matches any run of characters (`/` and `:` included), `?` any one character; a character
/// after `\u{0}` is literal.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<(bool, char)> = {
        let mut out = Vec::new();
        let mut literal = false;
        for c in pattern.chars() {
            match (literal, c) {
                (false, '\u{0}') => literal = true,
                _ => {
                    out.push((literal, c));
                    literal = false;
                }
            }
        }
        out
    };
    let text: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point, linear for patterns like `a*b*c`.
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        match pattern.get(p) {
            Some((false, '*')) => {
                star = Some(p);
                mark = t;
                p += 1;
            }
            Some((false, '?')) => {
                p += 1;
                t += 1;
            }
            Some((_, c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some(s) => {
                    p = s + 1;
                    mark += 1;
                    t = mark;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|entry| *entry == (false, '*'))
}

fn malformed(message: &str) -> Malformed {
    Malformed(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "cognito-identity.amazonaws.com:sub";

    fn context(identity: &str) -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            (SUB.to_owned(), vec![identity.to_owned()]),
            ("cognito-identity.amazonaws.com:aud".to_owned(), vec!["us-east-1:pool".to_owned()]),
            (
                "cognito-identity.amazonaws.com:amr".to_owned(),
                vec!["authenticated".to_owned(), "cognito-idp.us-east-1.amazonaws.com/us-east-1_x".to_owned()],
            ),
        ])
    }

    fn decide(policies: &[&str], action: &str, resource: &str) -> Decision {
        let policies: Vec<Policy> = policies.iter().map(|p| Policy::parse(p).unwrap()).collect();
        let context = context("us-east-1:1111");
        evaluate(&policies, &Request { action, resource, context: &context })
    }

    fn allow(action: &str, resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
        )
    }

    /// The examples of API Gateway's "Control access for invoking an API" and IAM's policy-grammar
    /// and policy-variables pages, as (policies, action, resource, decision).
    #[test]
    fn aws_documented_examples() {
        use Decision::*;
        let api = "arn:aws:execute-api:us-east-1:123456789012:a123456789";
        let deny_delete = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a123456789/*/DELETE/*"}}"#;
        let not_action =
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#;
        let not_resource = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","NotResource":"arn:aws:execute-api:*:*:a123456789/*/*/admin/*"}}"#;
        let own_path = allow(
            "execute-api:Invoke",
            "arn:aws:execute-api:us-east-1:*:a123456789/*/GET/users/${cognito-identity.amazonaws.com:sub}/*",
        );
        let old_version = r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a123456789/*/GET/users/${cognito-identity.amazonaws.com:sub}/*"}}"#;
        let unknown_variable = allow("execute-api:Invoke", "arn:aws:execute-api:*:*:a123456789/*/GET/${aws:username}");
        let defaulted =
            allow("execute-api:Invoke", "arn:aws:execute-api:*:*:a123456789/*/GET/${aws:username, 'anyone'}");
        let conditioned = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}"#;
        let guests_only = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}}"#;
        let any_stage_pets =
            allow("execute-api:Invoke", "arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets");
        let post_children =
            allow("execute-api:Invoke", "arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/*");
        let one_char = allow("execute-api:Invoke", "arn:aws:execute-api:*:*:a123456789/v?/GET/*");
        let everything = allow("execute-api:*", "*");
        let table: Vec<(Vec<&str>, &str, String, Decision)> = vec![
            (vec![&any_stage_pets], "execute-api:Invoke", format!("{api}/prod/GET/petstorewalkthrough/pets"), Allow),
            (
                vec![&any_stage_pets],
                "execute-api:Invoke",
                format!("{api}/prod/GET/petstorewalkthrough/pets/1"),
                ImplicitDeny,
            ),
            (vec![&post_children], "execute-api:Invoke", format!("{api}/test/POST/mydemoresource/child"), Allow),
            (vec![&post_children], "execute-api:Invoke", format!("{api}/test/GET/mydemoresource/child"), ImplicitDeny),
            (vec![&post_children], "execute-api:Invoke", format!("{api}/test/POST/mydemoresource"), ImplicitDeny),
            (vec![&everything], "execute-api:Invoke", format!("{api}/prod/DELETE/x"), Allow),
            (vec![&everything, deny_delete], "execute-api:Invoke", format!("{api}/prod/DELETE/x"), ExplicitDeny),
            (vec![deny_delete, &everything], "execute-api:Invoke", format!("{api}/prod/GET/x"), Allow),
            (vec![&everything], "EXECUTE-API:invoke", format!("{api}/prod/GET/x"), Allow),
            (vec![&everything], "execute-api:Invoke", format!("{}/prod/GET/x", api.to_uppercase()), Allow),
            (
                vec![&any_stage_pets],
                "execute-api:Invoke",
                format!("{api}/prod/GET/PetStoreWalkthrough/pets"),
                ImplicitDeny,
            ),
            (vec![not_action], "execute-api:Invoke", format!("{api}/prod/GET/x"), Allow),
            (vec![not_action], "iam:CreateRole", "*".to_owned(), ImplicitDeny),
            (vec![not_resource], "execute-api:Invoke", format!("{api}/prod/GET/accounts"), Allow),
            (vec![not_resource], "execute-api:Invoke", format!("{api}/prod/GET/admin/users"), ImplicitDeny),
            (vec![&own_path], "execute-api:Invoke", format!("{api}/prod/GET/users/us-east-1:1111/profile"), Allow),
            (
                vec![&own_path],
                "execute-api:Invoke",
                format!("{api}/prod/GET/users/us-east-1:2222/profile"),
                ImplicitDeny,
            ),
            (
                vec![old_version],
                "execute-api:Invoke",
                format!("{api}/prod/GET/users/us-east-1:1111/profile"),
                ImplicitDeny,
            ),
            (vec![&unknown_variable], "execute-api:Invoke", format!("{api}/prod/GET/"), ImplicitDeny),
            (vec![&defaulted], "execute-api:Invoke", format!("{api}/prod/GET/anyone"), Allow),
            (vec![conditioned], "execute-api:Invoke", format!("{api}/prod/GET/x"), Allow),
            (vec![guests_only], "execute-api:Invoke", format!("{api}/prod/GET/x"), ImplicitDeny),
            (vec![&one_char], "execute-api:Invoke", format!("{api}/v1/GET/x"), Allow),
            (vec![&one_char], "execute-api:Invoke", format!("{api}/v10/GET/x"), ImplicitDeny),
            (vec![], "execute-api:Invoke", format!("{api}/v1/GET/x"), ImplicitDeny),
        ];
        for (policies, action, resource, expected) in table {
            assert_eq!(decide(&policies, action, &resource), expected, "{action} on {resource} under {policies:?}");
        }
    }

    #[test]
    fn substituted_values_are_literal() {
        let own = Policy::parse(&allow("execute-api:Invoke", "arn:x/${cognito-identity.amazonaws.com:sub}")).unwrap();
        let star = context("*");
        let request = Request { action: "execute-api:Invoke", resource: "arn:x/anything", context: &star };
        assert_eq!(evaluate([&own], &request), Decision::ImplicitDeny);
        let request = Request { action: "execute-api:Invoke", resource: "arn:x/*", context: &star };
        assert_eq!(evaluate([&own], &request), Decision::Allow);
        let escaped = Policy::parse(&allow("execute-api:Invoke", "arn:x/${*}")).unwrap();
        let request = Request { action: "execute-api:Invoke", resource: "arn:x/abc", context: &star };
        assert_eq!(evaluate([&escaped], &request), Decision::ImplicitDeny);
    }

    #[test]
    fn malformed_documents_are_refused() {
        for document in [
            "not json",
            "[]",
            r#"{"Version":"2012-10-17"}"#,
            r#"{"Version":"2013-01-01","Statement":[]}"#,
            r#"{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4"}}}}"#,
        ] {
            assert!(Policy::parse(document).is_err(), "{document}");
        }
    }
}
