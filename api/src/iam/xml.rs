//! The Query protocol's XML answers, written by hand: a few elements of text, escaped.

use std::fmt::Write;

pub const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// IAM returns policy documents percent-encoded (RFC 3986); botocore decodes them back to JSON.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// `<name>escaped text</name>`, appended to `out`.
pub fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

/// `<Action>Response>` around `<Action>Result>` around `result` (none for operations without
/// output), then the request id, as IAM answers.
pub fn response(action: &str, result: Option<&str>, request_id: &str) -> String {
    let mut out = format!("<{action}Response xmlns=\"{NAMESPACE}\">");
    if let Some(result) = result {
        let _ = write!(out, "<{action}Result>{result}</{action}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        escape(request_id)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_aws_does() {
        assert_eq!(url_encode(r#"{"a": "b/c*"}"#), "%7B%22a%22%3A%20%22b%2Fc%2A%22%7D");
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}
