//! Fake HubSpot: OAuth on the 2026-03 paths (form body, client credentials in the body,
//! refresh tokens that do not rotate), revoke/introspect, and the CRM on the 2026-09
//! paths ([`crm`]), with the 110 requests / 10 s rolling limit per account. Shapes from
//! providers.md §1 and §4.

mod crm;
pub(crate) use crm::RecordIndex;
pub(crate) mod data;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::oauth::{self, CodeError};
use super::respond::{content_type_is, form, json as json_resp, request_id, set_header};
use super::server::Fake;
use junction_core::ProviderId;

const P: ProviderId = ProviderId::Hubspot;

pub(crate) fn routes() -> Router<Arc<Fake>> {
    Router::new()
        .route("/oauth/authorize", oauth::authorize_route(P))
        .route("/oauth/2026-03/token", post(token))
        .route("/oauth/2026-03/token/revoke", post(revoke))
        .route("/oauth/2026-03/token/introspect", post(introspect))
        .route("/crm/objects/2026-09/{object}", get(crm::list))
        .route(
            "/crm/objects/2026-09/{object}/batch/read",
            post(crm::batch_read),
        )
        .route("/crm/properties/2026-09/{object}", get(crm::properties))
        .route(
            "/crm/associations/2026-09/{from}/{to}/batch/read",
            post(crm::associations),
        )
        .route("/crm-object-schemas/2026-09/schemas", get(crm::schemas))
        .route("/account-info/2026-09/details", get(crm::account_info))
}

/// A v3 token-endpoint error: the OAuth pair plus the legacy `status`/`message`.
fn token_error(http: u16, error: &str, status: &str, message: &str) -> Response {
    json_resp(
        http,
        &json!({"error": error, "error_description": message, "status": status, "message": message,
                "correlationId": request_id()}),
    )
}

/// Client credentials must be in the form body (HubSpot does not read HTTP Basic).
fn check_client(fake: &Fake, f: &HashMap<String, String>) -> Result<(), Response> {
    let app = fake
        .app(P)
        .ok_or_else(|| token_error(400, "invalid_client", "BAD_CLIENT_ID", "unknown client"))?;
    if f.get("client_id") != Some(&app.client_id) {
        return Err(token_error(
            400,
            "invalid_client",
            "BAD_CLIENT_ID",
            "missing or invalid client_id",
        ));
    }
    if f.get("client_secret") != app.client_secret.as_ref() {
        return Err(token_error(
            400,
            "invalid_client",
            "BAD_CLIENT_SECRET",
            "missing or invalid client_secret",
        ));
    }
    Ok(())
}

async fn token(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return token_error(
            400,
            "invalid_request",
            "BAD_REQUEST",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let f = form(&body);
    let grant_type = f.get("grant_type").cloned().unwrap_or_default();
    fake.counters.count_grant(P, &grant_type);
    // Take the code first: codes are single use whatever happens next.
    let redeemed = oauth::redeem_form(&fake, P, &f);
    if let Err(resp) = check_client(&fake, &f) {
        return resp;
    }
    let ttl = fake.access_ttl(P);
    let (access, refresh, scopes) = match (grant_type.as_str(), redeemed) {
        ("authorization_code", Some(Ok(grant))) => {
            let (access, refresh) =
                fake.tokens
                    .lock()
                    .issue(P, &grant.client_id, &grant.scopes, ttl, true);
            (access, refresh.unwrap_or_default(), grant.scopes)
        }
        ("authorization_code", Some(Err(e))) => {
            let (status, message) = match e {
                CodeError::Unknown => ("BAD_AUTH_CODE", "missing or unknown auth code"),
                CodeError::Expired => ("EXPIRED_AUTH_CODE", "auth code is expired"),
                CodeError::RedirectMismatch => (
                    "BAD_REDIRECT_URI",
                    "redirect_uri does not match the authorization request",
                ),
                CodeError::Verifier(why) => ("BAD_CODE_VERIFIER", why),
            };
            return token_error(400, "invalid_grant", status, message);
        }
        ("refresh_token", _) => {
            let presented = f.get("refresh_token").cloned().unwrap_or_default();
            let mut tokens = fake.tokens.lock();
            let Some(old) = tokens.refresh_token(P, &presented).cloned() else {
                return token_error(
                    400,
                    "invalid_grant",
                    "BAD_REFRESH_TOKEN",
                    "refresh token is invalid, expired or revoked",
                );
            };
            // HubSpot keeps the refresh token; earlier access tokens live until they expire.
            let (access, _) = tokens.issue(P, &old.client_id, &old.scopes, ttl, false);
            tokens.relink(&presented, &access);
            (access, presented, old.scopes)
        }
        _ => {
            return token_error(
                400,
                "unsupported_grant_type",
                "BAD_GRANT_TYPE",
                "unsupported grant_type",
            )
        }
    };
    json_resp(
        200,
        &json!({
            "token_type": "bearer", "access_token": access, "refresh_token": refresh,
            "expires_in": ttl.map_or(1800, |t| t.as_secs()), "hub_id": fake.config.hubspot_portal_id,
            "user_id": 7_000_001, "scopes": scopes, "token_use": "access_token"
        }),
    )
}

async fn revoke(State(fake): State<Arc<Fake>>, body: Bytes) -> Response {
    let f = form(&body);
    if let Err(resp) = check_client(&fake, &f) {
        return resp;
    }
    let token = f.get("token").cloned().unwrap_or_default();
    fake.tokens.lock().revoke(P, &token);
    fake.counters.count_revocation(P);
    // RFC 7009: 200 whether or not the token was known.
    super::respond::raw(200, "application/json", String::new())
}

async fn introspect(State(fake): State<Arc<Fake>>, body: Bytes) -> Response {
    let f = form(&body);
    if let Err(resp) = check_client(&fake, &f) {
        return resp;
    }
    let token = f.get("token").cloned().unwrap_or_default();
    let tokens = fake.tokens.lock();
    let base = |use_: &str, client_id: &str, scopes: &[String]| {
        json!({
            "active": true, "token_use": use_, "client_id": client_id, "hub_id": fake.config.hubspot_portal_id,
            "hub_domain": fake.config.hubspot_hub_domain, "user": "tester@example.com", "user_id": 7_000_001,
            "app_id": 1_234_567, "scopes": scopes, "token_type": "bearer"
        })
    };
    let body = if let Ok(a) = tokens.check(P, &token) {
        let mut v = base("access_token", &a.client_id, &a.scopes);
        v["expires_in"] = json!(a.expires_at.map_or(0, |at| at
            .saturating_duration_since(Instant::now())
            .as_secs()));
        v
    } else if let Some(r) = tokens.refresh_token(P, &token) {
        base("refresh_token", &r.client_id, &r.scopes)
    } else {
        json!({"active": false})
    };
    json_resp(200, &body)
}

/// HubSpot's 401: unknown token (`INVALID_AUTHENTICATION`) or expired
/// (`EXPIRED_AUTHENTICATION`, "expired N second(s) ago").
pub(crate) fn unauthorized(expired_secs: Option<u64>) -> Response {
    let body = match expired_secs {
        Some(secs) => json!({
            "status": "error",
            "message": format!("The OAuth token used to make this call expired {secs} second(s) ago."),
            "correlationId": request_id(), "category": "EXPIRED_AUTHENTICATION",
            "context": {"expire time": [chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)]}
        }),
        None => json!({
            "status": "error",
            "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "correlationId": request_id(), "category": "INVALID_AUTHENTICATION"
        }),
    };
    json_resp(401, &body)
}

/// The ten-secondly 429: no Retry-After, the real body.
pub(crate) fn too_many_requests(fake: &Fake) -> Response {
    let mut resp = json_resp(
        429,
        &json!({
            "status": "error", "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT", "correlationId": request_id(), "policyName": "TEN_SECONDLY_ROLLING",
            "requestId": request_id()
        }),
    );
    rate_headers(&mut resp, fake.config.hubspot_limit, 0);
    resp
}

/// The announced limits are the real ones (10 000 ms), whatever the scale.
fn rate_headers(resp: &mut Response, max: u32, remaining: u32) {
    set_header(resp, "x-hubspot-ratelimit-max", &max.to_string());
    set_header(
        resp,
        "x-hubspot-ratelimit-remaining",
        &remaining.to_string(),
    );
    set_header(resp, "x-hubspot-ratelimit-interval-milliseconds", "10000");
}
