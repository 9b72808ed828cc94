//! The shell's HTTP calls (Cognito's, `/config.json` and the person's organisations), through gloo-net's `fetch` wrapper.

use gloo_net::{
    Error,
    http::{Request, RequestBuilder},
};
use web_sys::RequestCache;

/// An answer, whatever its status.
pub struct Reply {
    pub status: u16,
    /// Cognito's `x-amzn-ErrorType`, read before the body as AWS's SDKs do (and API Gateway's).
    pub error_type: Option<String>,
    /// The server's clock, which corrects a signature refused as out of time.
    pub date: Option<String>,
    pub body: String,
}

/// POSTs `body` to `url`; an `Err` means no answer arrived (offline, DNS, CORS).
pub async fn post(url: &str, headers: &[(&str, String)], body: &str) -> Result<Reply, String> {
    send(with_headers(Request::post(url), headers).body(body).map_err(describe)?).await
}

/// GETs `url` with `headers`, revalidating any cached copy.
pub async fn get<N: AsRef<str>>(url: &str, headers: &[(N, String)]) -> Result<Reply, String> {
    send(with_headers(Request::get(url), headers).cache(RequestCache::NoCache).build().map_err(describe)?).await
}

fn with_headers<N: AsRef<str>>(request: RequestBuilder, headers: &[(N, String)]) -> RequestBuilder {
    headers.iter().fold(request, |request, (name, value)| request.header(name.as_ref(), value))
}

async fn send(request: Request) -> Result<Reply, String> {
    let response = request.send().await.map_err(describe)?;
    let (error_type, date) = (response.headers().get("x-amzn-ErrorType"), response.headers().get("Date"));
    let body = response.text().await.map_err(describe)?;
    Ok(Reply { status: response.status(), error_type, date, body })
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
