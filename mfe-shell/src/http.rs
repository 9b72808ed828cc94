//! The shell's HTTP calls (Cognito's and `/config.json`), through gloo-net's `fetch` wrapper.

use gloo_net::{Error, http::Request};
use web_sys::RequestCache;

/// An answer, whatever its status.
pub struct Reply {
    pub status: u16,
    /// Cognito's `x-amzn-ErrorType`, read before the body as AWS's SDKs do.
    pub error_type: Option<String>,
    pub body: String,
}

/// POSTs `body` to `url`; an `Err` means no answer arrived (offline, DNS, CORS).
pub async fn post(url: &str, headers: &[(&str, String)], body: &str) -> Result<Reply, String> {
    let request = headers.iter().fold(Request::post(url), |request, (name, value)| request.header(name, value));
    send(request.body(body).map_err(describe)?).await
}

/// GETs `url`, revalidating any cached copy.
pub async fn get(url: &str) -> Result<Reply, String> {
    send(Request::get(url).cache(RequestCache::NoCache).build().map_err(describe)?).await
}

async fn send(request: Request) -> Result<Reply, String> {
    let response = request.send().await.map_err(describe)?;
    let error_type = response.headers().get("x-amzn-ErrorType");
    let body = response.text().await.map_err(describe)?;
    Ok(Reply { status: response.status(), error_type, body })
}

/// What went wrong, without formatting gloo-net's error (whose serde_json variant would bring its
/// messages into the wasm).
fn describe(error: Error) -> String {
    match error {
        Error::JsError(error) => error.message,
        Error::GlooError(message) => message,
        Error::SerdeError(_) => "an unreadable answer".to_owned(),
    }
}
