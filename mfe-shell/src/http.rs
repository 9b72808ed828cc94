//! `fetch` through web_sys: the shell's only HTTP client (a crate such as gloo-net would cost wasm
//! size for the two calls the shell makes).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCache, RequestInit, Response};

/// An answer, whatever its status.
pub struct Reply {
    pub status: u16,
    /// Cognito's `x-amzn-ErrorType`, read before the body as AWS's SDKs do.
    pub error_type: Option<String>,
    pub body: String,
}

/// POSTs `body` to `url`; an `Err` means no answer arrived (offline, DNS, CORS).
pub async fn post(url: &str, headers: &[(&str, String)], body: &str) -> Result<Reply, String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let list = Headers::new().map_err(describe)?;
    for (name, value) in headers {
        list.set(name, value).map_err(describe)?;
    }
    init.set_headers(&list);
    send(url, &init).await
}

/// GETs `url`, revalidating any cached copy.
pub async fn get(url: &str) -> Result<Reply, String> {
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoCache);
    send(url, &init).await
}

async fn send(url: &str, init: &RequestInit) -> Result<Reply, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response =
        JsFuture::from(window.fetch_with_str_and_init(url, init)).await.map_err(describe)?.unchecked_into();
    let error_type = response.headers().get("x-amzn-ErrorType").ok().flatten();
    let body = JsFuture::from(response.text().map_err(describe)?).await.map_err(describe)?;
    Ok(Reply { status: response.status(), error_type, body: body.as_string().unwrap_or_default() })
}

pub fn describe(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| error.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
        .unwrap_or_else(|| format!("{error:?}"))
}
