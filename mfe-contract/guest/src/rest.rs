//! The REST api as a micro-frontend calls it: JSON in and out through the browser's own `JSON` and
//! `Reflect` rather than serde (it keeps each micro-frontend's wasm small), and the api's refusals
//! (problem+json) as a [`Problem`].

use js_sys::{Array, JSON, Object, Reflect};
use ui_kit::form::Refusal;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::Props;

/// The api's refusal (a problem+json answer), or no answer at all (`status` 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    pub status: u16,
    pub detail: String,
    /// Field and message, from a validation problem or a conflict that names its field.
    pub errors: Vec<(String, String)>,
}

impl Problem {
    fn unreachable(detail: String) -> Self {
        Self { detail, ..Self::default() }
    }

    /// Someone else changed the thing since it was read.
    pub fn is_stale(&self) -> bool {
        self.status == 412
    }

    /// The message for `field`, if the api named it.
    pub fn field(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|(name, _)| name == field).map(|(_, message)| message.clone())
    }
}

/// The api's refusal as a form shows it: by field, or in its own words.
impl From<Problem> for Refusal {
    fn from(problem: Problem) -> Self {
        Self { message: problem.detail, fields: problem.errors }
    }
}

pub type Answer<T> = Result<T, Problem>;

impl Props {
    /// `method <api><path>` with `headers` and a JSON `body`: the JSON answer (`null` when there is
    /// none), or the api's problem.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&JsValue>,
    ) -> Answer<JsValue> {
        let json = body.and_then(|body| JSON::stringify(body).ok()).map(JsValue::from);
        let response = self.request(method, path, headers, json.as_ref()).await.map_err(Problem::unreachable)?;
        let json = match response.status() {
            204 => JsValue::NULL,
            _ => match response.json() {
                Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
                Err(_) => JsValue::NULL,
            },
        };
        if response.ok() { Ok(json) } else { Err(problem(response.status(), &json)) }
    }
}

fn problem(status: u16, json: &JsValue) -> Problem {
    let mut errors: Vec<(String, String)> =
        list(json, "errors").map(|error| (text(&error, "field"), text(&error, "message"))).collect();
    let detail = text(json, "detail");
    // A conflict such as a taken number names its field rather than listing errors.
    if let Some(field) = get(json, "field").as_string() {
        errors.push((field, detail.clone()));
    }
    Problem { status, detail: if detail.is_empty() { format!("The api answered {status}.") } else { detail }, errors }
}

/// The member `key` of a JSON object; `undefined` when it is absent or `json` is no object.
pub fn get(json: &JsValue, key: &str) -> JsValue {
    if json.is_object() { Reflect::get(json, &key.into()).unwrap_or(JsValue::UNDEFINED) } else { JsValue::UNDEFINED }
}

/// The items of an array member; none when it is absent.
pub fn list(json: &JsValue, key: &str) -> impl Iterator<Item = JsValue> {
    get(json, key).dyn_into::<Array>().ok().into_iter().flat_map(|array| array.to_vec())
}

/// A string member; empty when it is absent.
pub fn text(json: &JsValue, key: &str) -> String {
    get(json, key).as_string().unwrap_or_default()
}

/// A JSON object of these members.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}
