//! Fake Notion: OAuth with HTTP Basic + JSON bodies, `owner=user`, no PKCE, refresh
//! tokens that rotate (or none, for legacy installs); revoke and introspect; and
//! `POST /v1/search` (Notion-Version required, cursor paging, 2022-06-28 and 2025-09-03
//! shapes) limited to ~3 requests per second with a burst, 429 with `Retry-After`.
//! Shapes from providers.md §3.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::data::to_2025;
use super::oauth::{self, CodeError};
use super::respond::{basic, bearer, content_type_is, json as json_resp, request_id, set_header};
use super::server::Fake;
use junction_core::ProviderId;

const P: ProviderId = ProviderId::Notion;
const VERSIONS: &[&str] = &[
    "2021-05-13",
    "2021-08-16",
    "2022-02-22",
    "2022-06-28",
    "2025-09-03",
    "2026-03-11",
];

pub(crate) fn routes() -> Router<Arc<Fake>> {
    Router::new()
        .route("/v1/oauth/authorize", get(authorize))
        .route("/v1/oauth/token", post(token))
        .route("/v1/oauth/revoke", post(revoke))
        .route("/v1/oauth/introspect", post(introspect))
        .route("/v1/search", post(search))
}

async fn authorize(
    State(fake): State<Arc<Fake>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    oauth::authorize(&fake, P, &q)
}

fn oauth_error(status: u16, error: &str, description: Option<&str>) -> Response {
    let mut body = json!({"error": error, "request_id": request_id()});
    if let Some(d) = description {
        body["error_description"] = d.into();
    }
    json_resp(status, &body)
}

/// The shared front of every OAuth call: HTTP Basic with the app's credentials and a
/// JSON object body.
fn client_and_body(fake: &Fake, headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    let app = fake
        .app(P)
        .ok_or_else(|| oauth_error(401, "invalid_client", None))?;
    match basic(headers) {
        Some((id, secret))
            if id == app.client_id && Some(&secret) == app.client_secret.as_ref() => {}
        _ => return Err(oauth_error(401, "invalid_client", None)),
    }
    let parsed = content_type_is(headers, "application/json")
        .then(|| serde_json::from_slice::<Value>(body).ok())
        .flatten()
        .filter(Value::is_object);
    parsed.ok_or_else(|| {
        oauth_error(
            400,
            "invalid_request",
            Some("the body must be a JSON object"),
        )
    })
}

async fn token(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let grant_type = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("grant_type")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    fake.counters.count_grant(P, &grant_type);
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let redeemed = (grant_type == "authorization_code").then(|| {
        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
        oauth::redeem(
            &fake,
            P,
            text(&v, "code").as_deref(),
            text(&v, "redirect_uri").as_deref(),
            None,
        )
    });
    let req = match client_and_body(&fake, &headers, &body) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let legacy = fake.config.notion_legacy_tokens;
    let ttl = fake.access_ttl(P);
    let (access, refresh) = match (grant_type.as_str(), redeemed) {
        ("authorization_code", Some(Ok(grant))) => {
            fake.tokens
                .lock()
                .issue(P, &grant.client_id, &[], ttl, !legacy)
        }
        ("authorization_code", Some(Err(e))) => {
            let why = match e {
                CodeError::Unknown => "Invalid code: this code has been revoked.",
                CodeError::Expired => "Invalid code: this code has expired.",
                CodeError::RedirectMismatch => "Invalid redirect_uri.",
                CodeError::Verifier(why) => why,
            };
            return oauth_error(400, "invalid_grant", Some(why));
        }
        ("refresh_token", _) => {
            let presented = text(&req, "refresh_token").unwrap_or_default();
            let mut tokens = fake.tokens.lock();
            let Some(old) = tokens.refresh_token(P, &presented).cloned() else {
                return oauth_error(400, "invalid_grant", Some("Invalid refresh token."));
            };
            // Rotation: a new pair; the old refresh token is spent.
            tokens.retire_refresh(&presented, false);
            tokens.issue(P, &old.client_id, &[], ttl, true)
        }
        _ => return oauth_error(400, "unsupported_grant_type", None),
    };
    let owner = if legacy {
        json!({"type": "workspace", "workspace": true})
    } else {
        json!({"type": "user", "user": {"object": "user", "id": "6f1e0000-0000-4000-8000-0000000000aa", "name": "Test User",
               "avatar_url": null, "type": "person", "person": {"email": "tester@example.com"}}})
    };
    json_resp(
        200,
        &json!({
            "access_token": access, "token_type": "bearer", "refresh_token": refresh,
            "bot_id": "b0700000-0000-4000-8000-0000000000b0", "workspace_id": "3d000000-0000-4000-8000-0000000000d3",
            "workspace_name": fake.config.notion_workspace_name, "workspace_icon": null, "owner": owner,
            "duplicated_template_id": null, "request_id": request_id()
        }),
    )
}

async fn revoke(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let req = match client_and_body(&fake, &headers, &body) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let token = req.get("token").and_then(Value::as_str).unwrap_or_default();
    fake.tokens.lock().revoke(P, token);
    fake.counters.count_revocation(P);
    json_resp(200, &json!({"request_id": request_id()}))
}

async fn introspect(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let req = match client_and_body(&fake, &headers, &body) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let token = req.get("token").and_then(Value::as_str).unwrap_or_default();
    let tokens = fake.tokens.lock();
    let body = match tokens.check(P, token) {
        Ok(a) => {
            json!({"active": true, "scope": "read_content", "iat": a.issued_unix, "request_id": request_id()})
        }
        Err(_) if tokens.refresh_token(P, token).is_some() => {
            json!({"active": true, "request_id": request_id()})
        }
        Err(_) => json!({"active": false, "request_id": request_id()}),
    };
    json_resp(200, &body)
}

/// Notion's API error shape.
fn api_error(status: u16, code: &str, message: &str) -> Response {
    let id = request_id();
    let mut resp = json_resp(
        status,
        &json!({"object": "error", "status": status, "code": code, "message": message, "request_id": id}),
    );
    set_header(&mut resp, "x-notion-request-id", &id);
    resp
}

/// The 401 (no separate "expired" code).
pub(crate) fn unauthorized() -> Response {
    api_error(401, "unauthorized", "API token is invalid.")
}

/// The 429 with `Retry-After: N` (integer seconds) and the same N in the body.
pub(crate) fn too_many_requests(retry_after_secs: u64) -> Response {
    let n = retry_after_secs.max(1).to_string();
    let mut resp = json_resp(
        429,
        &json!({"object": "error", "status": 429, "code": "rate_limited",
                "message": "You have been rate limited. Please try again later.",
                "additional_data": {"rate_limit_reason": "public_api_request_rate_limit", "retry_after": n}}),
    );
    set_header(&mut resp, "retry-after", &n);
    resp
}

/// Takes a request from the bucket; a 429 blocks for Retry-After (scaled).
fn rate_limit(fake: &Fake) -> Result<(), Response> {
    if !fake.rate_limits_on() {
        return Ok(());
    }
    let announced = fake.config.notion_retry_after_secs.max(1);
    let block = fake.config.scaled(Duration::from_secs(announced));
    fake.notion_bucket
        .lock()
        .take(Instant::now(), block)
        .map_err(|remaining| {
            // Announce the real-time equivalent of what is left of the block.
            let real =
                remaining.as_secs_f64() * fake.config.rate_limit_scale.max(f64::MIN_POSITIVE);
            // (less a hair, so float error never rounds a fresh block up a second)
            too_many_requests((real - 1e-6).ceil().max(1.0) as u64)
        })
}

async fn search(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(version) = headers.get("notion-version").and_then(|v| v.to_str().ok()) else {
        return api_error(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        );
    };
    if !VERSIONS.contains(&version) {
        return api_error(
            400,
            "validation_error",
            &format!(
                "Notion-Version header failed validation: `{version}` is not a valid version."
            ),
        );
    }
    let new_shape = version >= "2025-09-03";
    if fake
        .tokens
        .lock()
        .check(P, &bearer(&headers).unwrap_or_default())
        .is_err()
    {
        return unauthorized();
    }
    if let Err(resp) = rate_limit(&fake) {
        return resp;
    }
    let req: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return api_error(400, "invalid_json", "Error parsing JSON body."),
        }
    };
    let page_size = match req.get("page_size") {
        None | Some(Value::Null) => 100,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=100).contains(&n) => n as usize,
            _ => {
                return api_error(
                    400,
                    "validation_error",
                    &format!("body failed validation: body.page_size should be a number between 1 and 100, instead was `{v}`."),
                )
            }
        },
    };
    // The filter value is "database" before 2025-09-03 and "data_source" after.
    let wanted = req
        .pointer("/filter/value")
        .and_then(Value::as_str)
        .map(|v| match v {
            "data_source" => "database",
            other => other,
        });
    let matching: Vec<&Value> = fake
        .data
        .notion
        .iter()
        .filter(|o| wanted.is_none_or(|w| o["object"] == w))
        .collect();
    let start = match req.get("start_cursor").and_then(Value::as_str) {
        None => 0,
        Some(cursor) => match matching.iter().position(|o| o["id"] == cursor) {
            Some(i) => i,
            None => {
                return api_error(
                    400,
                    "validation_error",
                    &format!("start_cursor provided is invalid: {cursor}"),
                )
            }
        },
    };
    let end = (start + page_size).min(matching.len());
    let results: Vec<Value> = matching[start..end]
        .iter()
        .map(|o| if new_shape { to_2025(o) } else { (*o).clone() })
        .collect();
    let next_cursor = matching
        .get(end)
        .map(|o| o["id"].clone())
        .unwrap_or(Value::Null);
    let kind = if new_shape {
        "page_or_data_source"
    } else {
        "page_or_database"
    };
    json_resp(
        200,
        &json!({"object": "list", "results": results, "next_cursor": next_cursor, "has_more": end < matching.len(),
                "type": kind, kind: {}, "request_id": request_id()}),
    )
}
