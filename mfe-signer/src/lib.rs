//! The shell's AWS part, a wasm module of its own that the shell imports (as it imports a
//! micro-frontend, from `/mfe/signer/manifest.json`) only once someone signed in to a shell whose
//! apis are authorized with IAM: the sign-in page carries none of it. It trades an ID token for an
//! identity pool's temporary credentials ([`credentials`]), keeps them for the shell (`keeper`) and
//! signs api requests with them for `execute-api` ([`sign`], SigV4 by `aws-sigv4`); a micro-frontend
//! only ever sees the headers of its own request.

mod keeper;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::{
    http_request::{SignableBody, SignableRequest, SigningSettings},
    sign::v4,
};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;

/// API Gateway's signing name.
const SERVICE: &str = "execute-api";
/// Cognito Identity's JSON 1.1 protocol.
const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// An api request as it will be sent.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The headers it carries besides the signature's (`Host` comes from the URL).
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

/// An identity pool's temporary credentials.
pub struct Keys {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
}

/// The SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token`) of `request` for
/// `execute-api` in `region`, signed at `time`: aws-sigv4 with its default settings, as the AWS SDKs
/// sign for API Gateway.
pub fn signature_headers(
    request: &Request<'_>,
    keys: &Keys,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, &'static str> {
    let credentials = aws_credential_types::Credentials::new(
        &keys.access_key_id,
        &keys.secret_key,
        Some(keys.session_token.clone()),
        None,
        "identity pool",
    );
    let identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| "incomplete signing parameters")?
        .into();
    let headers = request.headers.iter().map(|(name, value)| (name.as_str(), value.as_str()));
    let signable = SignableRequest::new(request.method, request.url, headers, SignableBody::Bytes(request.body))
        .map_err(|_| "a request that cannot be signed")?;
    let (instructions, _) =
        aws_sigv4::http_request::sign(signable, &params).map_err(|_| "a request that cannot be signed")?.into_parts();
    Ok(instructions.headers().map(|(name, value)| (name.to_owned(), value.to_owned())).collect())
}

/// The instant `ms` milliseconds after the Unix epoch: the browser's clock (`Date.now()`), since
/// `SystemTime::now()` panics in wasm32-unknown-unknown.
pub fn time_at(ms: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms as u64)
}

/// The headers object that signs `request` (`{ method, url, headers: [[name, value]], body }`) with
/// `credentials` (as [`credentials`] resolves them) for `execute-api` in `region` at `now_ms`
/// (milliseconds since the epoch, the shell's clock corrected by the api's).
pub fn sign(credentials: &JsValue, region: &str, request: &JsValue, now_ms: f64) -> Result<JsValue, JsValue> {
    let keys = Keys {
        access_key_id: text(credentials, "accessKeyId"),
        secret_key: text(credentials, "secretKey"),
        session_token: text(credentials, "sessionToken"),
    };
    let headers = field(request, "headers").dyn_into::<Array>().map(|headers| headers.to_vec()).unwrap_or_default();
    let headers = headers
        .iter()
        .map(|pair| (Reflect::get_u32(pair, 0), Reflect::get_u32(pair, 1)))
        .map(|(name, value)| (name.ok().and_then(|n| n.as_string()), value.ok().and_then(|v| v.as_string())))
        .map(|(name, value)| name.zip(value).ok_or("a header that is not a [name, value] pair of strings"))
        .collect::<Result<Vec<_>, _>>()?;
    let (method, url, body) = (text(request, "method"), text(request, "url"), text(request, "body"));
    let request = Request { method: &method, url: &url, headers, body: body.as_bytes() };
    let signed = signature_headers(&request, &keys, region, time_at(now_ms))?;
    Ok(object(signed.iter().map(|(name, value)| (name.as_str(), JsValue::from_str(value)))))
}

/// GetId, then GetCredentialsForIdentity, at Cognito Identity's `endpoint` for the identity pool
/// `identity_pool_id`, signed in with `id_token` of the user pool `provider`
/// (`cognito-idp.<region>.amazonaws.com/<user pool id>`). Resolves to `{ accessKeyId, secretKey,
/// sessionToken, expiration }` (expiration in milliseconds since the epoch); rejects with
/// `{ type, message }`, Cognito's error (`type` is `NetworkError` when no answer came).
pub async fn credentials(
    endpoint: String,
    identity_pool_id: String,
    provider: String,
    id_token: String,
) -> Result<JsValue, JsValue> {
    let logins = object([(provider.as_str(), JsValue::from_str(&id_token))]);
    let pool = JsValue::from_str(&identity_pool_id);
    let identity = call(&endpoint, "GetId", object([("IdentityPoolId", pool), ("Logins", logins.clone())])).await?;
    let identity_id = field(&identity, "IdentityId");
    let answer =
        call(&endpoint, "GetCredentialsForIdentity", object([("IdentityId", identity_id), ("Logins", logins)])).await?;
    let issued = field(&answer, "Credentials");
    let expiration =
        field(&issued, "Expiration").as_f64().ok_or_else(|| error("MalformedResponse", "no Expiration"))?;
    Ok(object([
        ("accessKeyId", field(&issued, "AccessKeyId")),
        ("secretKey", field(&issued, "SecretKey")),
        ("sessionToken", field(&issued, "SessionToken")),
        ("expiration", JsValue::from_f64(expiration * 1000.0)),
    ]))
}

/// One unsigned Cognito Identity operation: its answer, or `{ type, message }`.
async fn call(endpoint: &str, operation: &str, input: JsValue) -> Result<JsValue, JsValue> {
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/x-amz-json-1.1")?;
    headers.set("X-Amz-Target", &[TARGET_PREFIX, operation].concat())?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JSON::stringify(&input)?.into());
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(endpoint, &init))
        .await
        .map_err(|_| error("NetworkError", "Cognito Identity cannot be reached"))?
        .unchecked_into();
    let answer = JsFuture::from(response.json()?).await.unwrap_or(JsValue::NULL);
    if response.ok() {
        return Ok(answer);
    }
    // `__type` may carry a namespace (`com.amazonaws...#NotAuthorizedException`).
    let kind = text(&answer, "__type");
    let kind = kind.rsplit('#').next().unwrap_or_default();
    let message = [text(&answer, "message"), text(&answer, "Message")].concat();
    Err(error(kind, &message))
}

fn error(kind: &str, message: &str) -> JsValue {
    object([("type", JsValue::from_str(kind)), ("message", JsValue::from_str(message))])
}

fn object<'a>(fields: impl IntoIterator<Item = (&'a str, JsValue)>) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &name.into(), &value);
    }
    object.into()
}

fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn text(object: &JsValue, name: &str) -> String {
    field(object, name).as_string().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};

    use api::testing::{Signing, sigv4_headers_with};
    use serde_json::json;

    use super::*;

    const REGION: &str = "us-east-1";
    /// 2026-12-05T07:00:00.250Z, as `Date.now()` gives it.
    const NOW_MS: f64 = 1_796_454_000_250.0;

    fn keys() -> Keys {
        Keys {
            access_key_id: "ASIAEXAMPLEKEY000001".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: "c2Vzc2lvbi10b2tlbg==".into(),
        }
    }

    /// What the micro-frontends send: a query to encode, a body, `If-Match`, a port that is not the default.
    fn requests() -> [(&'static str, &'static str, Vec<(String, String)>, &'static str); 3] {
        let json = || ("content-type".to_owned(), "application/json".to_owned());
        [
            ("GET", "http://127.0.0.1:3000/v1/accounts?limit=200&tenant=t-1&cursor=a%2Fb%3D", vec![], ""),
            (
                "POST",
                "https://abc.execute-api.us-east-1.amazonaws.com/v1/accounts",
                vec![json()],
                r#"{"name":"Cash €"}"#,
            ),
            (
                "PATCH",
                "http://localhost:8080/v1/accounts/0b5e-9",
                vec![json(), ("if-match".to_owned(), "\"7\"".to_owned())],
                r#"{"closed":true}"#,
            ),
        ]
    }

    fn sorted(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
        headers.iter_mut().for_each(|(name, _)| name.make_ascii_lowercase());
        headers.sort();
        headers
    }

    #[test]
    fn the_signer_signs_as_aws_sigv4_does_natively() {
        let credentials = aws_credential_types::Credentials::new(
            "ASIAEXAMPLEKEY000001",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            Some("c2Vzc2lvbi10b2tlbg==".into()),
            None,
            "test",
        );
        let signing =
            Signing { region: REGION, service: "execute-api", time: UNIX_EPOCH + Duration::from_secs(1_796_454_000) };
        for (method, url, headers, body) in requests() {
            let request = Request { method, url, headers: headers.clone(), body: body.as_bytes() };
            let ours = signature_headers(&request, &keys(), REGION, time_at(NOW_MS)).unwrap();
            let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let native = sigv4_headers_with(method, url, &borrowed, body.as_bytes(), &credentials, &signing);
            assert_eq!(sorted(ours), sorted(native), "{method} {url}");
        }
    }

    #[test]
    fn the_signer_signs_as_botocore_does() {
        let python = std::env::var("BOTO3_PYTHON")
            .expect("BOTO3_PYTHON is not set: run the tests with `cargo xtask test`, which installs boto3");
        for (method, url, headers, body) in requests() {
            let request = Request { method, url, headers: headers.clone(), body: body.as_bytes() };
            let ours = sorted(signature_headers(&request, &keys(), REGION, time_at(NOW_MS)).unwrap());
            let input = json!({ "method": method, "url": url, "headers": headers, "body": body });
            let botocore = sorted(botocore_signature(&python, &input));
            assert_eq!(ours, botocore, "{method} {url}");
        }
    }

    /// botocore's SigV4Auth on the same request at the same second; the headers it added.
    fn botocore_signature(python: &str, input: &serde_json::Value) -> Vec<(String, String)> {
        const SCRIPT: &str = r#"
import datetime, json, sys
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
botocore.auth.get_current_datetime = lambda: datetime.datetime(2026, 12, 5, 7, 0, 0)
given = json.load(sys.stdin)
request = AWSRequest(method=given["method"], url=given["url"], data=given["body"].encode(), headers=dict(given["headers"]))
credentials = Credentials("ASIAEXAMPLEKEY000001", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "c2Vzc2lvbi10b2tlbg==")
botocore.auth.SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
added = [[n, v] for n, v in request.headers.items() if n.lower() in ("authorization", "x-amz-date", "x-amz-security-token")]
print(json.dumps(added))
"#;
        let mut child = Command::new(python)
            .args(["-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run boto3's python");
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.to_string().as_bytes()).unwrap();
        drop(child.stdin.take());
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(&stdout).unwrap_or_else(|_| {
            panic!("botocore printed {stdout:?}; stderr: {}", String::from_utf8_lossy(&output.stderr))
        })
    }
}
