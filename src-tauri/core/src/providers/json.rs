//! Reading provider JSON, shared by every provider's mapping.
//!
//! Mappings are pure and panic-free: they work on `serde_json::Value`, so any JSON maps.
//! Odd values inside a record degrade to `null` fields; only a response whose top-level
//! shape is wrong (not an object, the list missing) is an error,
//! [`Error::ProviderResponse`], naming provider and endpoint.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Error, IntegrationItem, ProviderId};

/// One page of a list endpoint, mapped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<IntegrationItem>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<String>,
    /// Results that could not become an item (not an object, or no id). Without an id a
    /// row has no identity, so it could neither be deduplicated on Resume nor exported
    /// meaningfully; the engine may log the count.
    pub skipped: usize,
}

/// What an error body says, whatever the provider's shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorBody {
    /// The machine code: HubSpot `category`/`errorType`/`status`, Airtable `type` or
    /// `error`, Notion `code`, OAuth `error`.
    pub code: Option<String>,
    /// The human message.
    pub message: Option<String>,
}

impl ErrorBody {
    /// A short one-line summary for error messages: "CODE: message", or whatever is known.
    pub fn summary(&self) -> Option<String> {
        match (&self.code, &self.message) {
            (Some(c), Some(m)) => Some(format!("{c}: {m}")),
            (Some(c), None) => Some(c.clone()),
            (None, Some(m)) => Some(m.clone()),
            (None, None) => None,
        }
    }
}

/// Reads an error body of `provider` (API or token endpoint). Never fails: an unreadable
/// body gives an empty [`ErrorBody`].
pub fn error_body(provider: ProviderId, body: &[u8]) -> ErrorBody {
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return ErrorBody::default();
    };
    provider.get().error_body(&json)
}

/// A short, single-line message for an error response: the parsed summary, else the
/// start of the raw body (an HTML 502 page, say), else the HTTP reason.
pub fn error_message(provider: ProviderId, status: u16, body: &[u8]) -> String {
    if let Some(summary) = error_body(provider, body).summary() {
        return one_line(&summary, 300);
    }
    let raw = String::from_utf8_lossy(body);
    let raw = one_line(&raw, 200);
    if raw.is_empty() {
        format!("HTTP {status}")
    } else {
        raw
    }
}

/// Parses a response body as JSON; malformed JSON is a [`Error::ProviderResponse`] naming
/// the endpoint (never a panic).
pub fn parse_json(provider: ProviderId, endpoint: &str, body: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(body).map_err(|e| malformed_json(provider, endpoint, &e))
}

/// The error for a body that is not JSON at all.
pub fn malformed_json(provider: ProviderId, endpoint: &str, e: &serde_json::Error) -> Error {
    shape_error(provider, endpoint, format!("malformed JSON ({e})"))
}

/// The error for a response whose top-level shape is not what the endpoint returns.
pub fn shape_error(provider: ProviderId, endpoint: &str, reason: impl Into<String>) -> Error {
    Error::ProviderResponse {
        provider: provider.display_name().to_string(),
        endpoint: endpoint.to_string(),
        reason: reason.into(),
    }
}

/// The top-level object of a response, or the shape error.
pub fn expect_object<'a>(
    provider: ProviderId,
    endpoint: &str,
    body: &'a Value,
) -> Result<&'a serde_json::Map<String, Value>, Error> {
    body.as_object().ok_or_else(|| {
        shape_error(
            provider,
            endpoint,
            format!("expected a JSON object, got {}", kind(body)),
        )
    })
}

/// The list under `key`, or the shape error (missing or not an array).
pub fn expect_array<'a>(
    provider: ProviderId,
    endpoint: &str,
    obj: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<&'a Vec<Value>, Error> {
    match obj.get(key) {
        Some(Value::Array(list)) => Ok(list),
        Some(other) => Err(shape_error(
            provider,
            endpoint,
            format!("`{key}` is {}, not a list", kind(other)),
        )),
        None => Err(shape_error(
            provider,
            endpoint,
            format!("`{key}` is missing"),
        )),
    }
}

/// A JSON kind for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// An id or cursor: a non-empty string, or a number written as text (lenient: some
/// providers' ids look numeric and a proxy might turn them into numbers).
pub(crate) fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string field that holds some text (empty and whitespace-only count as absent).
pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str().filter(|s| !s.trim().is_empty())
}

/// A scalar as display text: strings as they are, numbers as written, booleans as
/// "true"/"false". `None` for null, arrays and objects.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Joins non-empty parts with ", " (the list display used for every provider); `None`
/// when nothing is left.
pub(crate) fn join_list(parts: impl IntoIterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Inserts a property unless its text is empty: absent and null values are kept out of
/// `properties` (a missing key reads as "no value"), so exports stay small and an
/// empty string never pretends to be a value.
pub(crate) fn put(props: &mut BTreeMap<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        props.insert(key.to_string(), Value::String(v));
    }
}

/// The first `max` characters of `text` on one line (whitespace collapsed).
fn one_line(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        collapsed
    } else {
        let cut: String = collapsed.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_falls_back_to_raw_text_then_status() {
        let html = b"<html>\n<body>502 Bad Gateway</body></html>";
        assert_eq!(
            error_message(ProviderId::Notion, 502, html),
            "<html> <body>502 Bad Gateway</body></html>"
        );
        assert_eq!(error_message(ProviderId::Notion, 503, b""), "HTTP 503");
        let long = "x".repeat(1000);
        assert!(
            error_message(ProviderId::Airtable, 500, long.as_bytes())
                .chars()
                .count()
                <= 201
        );
    }

    #[test]
    fn malformed_json_names_the_endpoint() {
        let err = parse_json(
            ProviderId::Hubspot,
            "/crm/v3/objects/contacts",
            b"{\"results\": [",
        )
        .unwrap_err();
        assert_eq!(err.code(), "provider_response");
        assert!(
            err.to_string().contains("/crm/v3/objects/contacts"),
            "{err}"
        );
    }
}
