//! Dev mode's mailbox: `GET /dev/mailbox?to=<address>` lists the messages queued for an address,
//! newest first. Browsers (which ask for HTML) get a readable page, with each message's code
//! standing out; other clients (the end-to-end tests, scripts) get JSON.

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header::ACCEPT},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use time::{format_description::BorrowedFormatItem, macros::format_description};

use super::Message;
use crate::AppState;

/// Where dev mode lists the messages sent (`/config.json` tells the shell, which links to it).
pub const MAILBOX_PATH: &str = "/dev/mailbox";

const WHEN: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");

#[derive(Debug, Deserialize)]
pub struct MailboxQuery {
    to: String,
}

pub async fn mailbox(State(state): State<AppState>, Query(query): Query<MailboxQuery>, headers: HeaderMap) -> Response {
    let messages = sqlx::query_as(
        "SELECT id, destination, subject, body, created_at FROM outbox WHERE lower(destination) = lower($1) \
         ORDER BY id DESC LIMIT 50",
    )
    .bind(&query.to)
    .fetch_all(&state.db)
    .await;
    let messages: Vec<Message> = match messages {
        Ok(messages) => messages,
        Err(error) => {
            tracing::error!(%error, "dev mailbox");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let wants_html =
        headers.get(ACCEPT).and_then(|accept| accept.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if wants_html { Html(page(&query.to, &messages)).into_response() } else { Json(messages).into_response() }
}

/// The mailbox as a page a person reads: one card per message, its code (a run of six digits) large.
fn page(to: &str, messages: &[Message]) -> String {
    let cards: String = messages
        .iter()
        .map(|message| {
            let code = code_in(&message.body).map(|code| format!(r#"<p class="code">{code}</p>"#)).unwrap_or_default();
            format!(
                r#"<article><h2>{subject}</h2><p class="when">{when}</p>{code}<pre>{body}</pre></article>"#,
                subject = escape(&message.subject),
                when = message.created_at.format(WHEN).unwrap_or_default(),
                body = escape(&message.body),
            )
        })
        .collect();
    let cards = if cards.is_empty() { "<p>No messages to this address yet.</p>".to_owned() } else { cards };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Dev mailbox: {to}</title><style>{STYLE}</style></head><body><main><h1>Dev mailbox</h1><p>Messages to <strong>{to}</strong>, newest first. Codes are not mailed in development; <a href="">reload</a> for new ones.</p>{cards}</main></body></html>"#,
        to = escape(to),
    )
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}\
main{max-width:40rem;margin:0 auto;padding:1.5rem}article{background:#fff;border-radius:8px;padding:1rem 1.25rem;\
margin:1rem 0;box-shadow:0 1px 3px #0002}h2{font-size:1.1rem;margin:0}.when{color:#5a6270;margin:0;font-size:.9rem}\
.code{font:700 2rem/1.2 ui-monospace,monospace;letter-spacing:.2em;margin:.5rem 0}pre{white-space:pre-wrap;margin:0}";

/// The first run of exactly six digits: the code in a confirmation or reset message.
fn code_in(body: &str) -> Option<&str> {
    body.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6)
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_the_first_run_of_six_digits() {
        assert_eq!(code_in("Your confirmation code is 012345"), Some("012345"));
        assert_eq!(code_in("Welcome 2026! Your code: 123456."), Some("123456"));
        assert_eq!(code_in("No code in 1234567 here"), None);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
