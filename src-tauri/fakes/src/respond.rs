//! Small response and request helpers shared by the three fakes.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A JSON response with `status`.
pub(crate) fn json(status: u16, body: &impl serde::Serialize) -> Response {
    let text = serde_json::to_string(body)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    raw(status, "application/json; charset=utf-8", text)
}

/// A response with a body already made.
pub(crate) fn raw_bytes(status: u16, content_type: &str, body: axum::body::Bytes) -> Response {
    let mut resp = raw(status, content_type, String::new());
    *resp.body_mut() = Body::from(body);
    resp
}

/// A response with any body and content type.
pub(crate) fn raw(status: u16, content_type: &str, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// The HTML error page a provider shows when it cannot redirect back (unknown client
/// or redirect URI): the browser stays on the provider.
pub(crate) fn error_page(message: &str) -> Response {
    let escaped = message.replace('&', "&amp;").replace('<', "&lt;");
    raw(
        400,
        "text/html; charset=utf-8",
        format!("<!doctype html><title>Error</title><p>{escaped}</p>"),
    )
}

/// 302 to `base` with `params` appended to its query.
pub(crate) fn redirect(base: &str, params: &[(&str, &str)]) -> Response {
    let location = match url::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => base.to_string(),
    };
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Sets a header (ignoring values that cannot be headers).
pub(crate) fn set_header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// The bearer token of a request.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Whether the request carries HTTP Basic credentials at all.
pub(crate) fn has_basic(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "))
}

/// HTTP Basic credentials (client id, secret), decoded.
pub(crate) fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.get(6..).filter(|_| has_basic(headers))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Whether the request body was declared as `mime` (e.g. `application/json`).
pub(crate) fn content_type_is(headers: &HeaderMap, mime: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(mime)
        })
}

/// base64url(SHA-256(verifier)) without padding: the S256 code challenge.
pub(crate) fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `len`..=`max` characters, all of `[A-Za-z0-9._-]` (Airtable's state and verifier
/// rule; RFC 7636 also allows `~` in verifiers).
pub(crate) fn token_chars(s: &str, min: usize, max: usize, extra: &[char]) -> bool {
    (min..=max).contains(&s.chars().count())
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || extra.contains(&c)
        })
}

/// A request id / correlation id (UUID-shaped).
pub(crate) fn request_id() -> String {
    let (a, b): (u64, u64) = (rand::random(), rand::random());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Parses an `application/x-www-form-urlencoded` body.
pub(crate) fn form(body: &[u8]) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn basic_credentials_decode() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic aWQ6c2VjcmV0"),
        );
        assert_eq!(basic(&h), Some(("id".into(), "secret".into())));
        assert!(has_basic(&h));
        assert_eq!(bearer(&h), None);
    }
}
