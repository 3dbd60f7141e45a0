//! Fake Airtable: OAuth with mandatory PKCE, HTTP Basic iff the app has a secret,
//! codes single use even when the request fails, refresh rotating both tokens (409 for
//! a racing refresh); whoami; bases / tables / records with 5 requests per second per
//! base and the 30 s penalty. Shapes from providers.md §2.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::data::FakeBase;
use super::oauth::{self, CodeError};
use super::respond::{basic, bearer, content_type_is, form, has_basic, json as json_resp};
use super::server::Fake;
use junction_core::ProviderId;

const P: ProviderId = ProviderId::Airtable;

pub(crate) fn routes() -> Router<Arc<Fake>> {
    Router::new()
        .route("/oauth2/v1/authorize", oauth::authorize_route(P))
        .route("/oauth2/v1/token", post(token))
        .route("/v0/meta/whoami", get(whoami))
        .route("/v0/meta/bases", get(bases))
        .route("/v0/meta/bases/{base}/tables", get(tables))
        .route("/v0/{base}/{table}", get(records))
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    json_resp(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// Basic auth is required when the app has a secret and forbidden when it has none
/// (then `client_id` goes in the body).
fn check_client(
    fake: &Fake,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
) -> Result<(), Response> {
    let app = fake
        .app(P)
        .ok_or_else(|| oauth_error(401, "invalid_client", "unknown client"))?;
    match &app.client_secret {
        Some(secret) => match basic(headers) {
            Some((id, s)) if id == app.client_id && &s == secret => Ok(()),
            Some(_) => Err(oauth_error(
                401,
                "invalid_client",
                "client authentication failed",
            )),
            None => Err(oauth_error(
                401,
                "invalid_client",
                "this integration has a client secret: authenticate with HTTP Basic",
            )),
        },
        None if has_basic(headers) => Err(oauth_error(
            401,
            "invalid_client",
            "this integration has no client secret: the Authorization header is not allowed",
        )),
        None if f.get("client_id") == Some(&app.client_id) => Ok(()),
        None => Err(oauth_error(
            401,
            "invalid_client",
            "missing or invalid client_id",
        )),
    }
}

async fn token(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return oauth_error(
            400,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let f = form(&body);
    let grant_type = f.get("grant_type").cloned().unwrap_or_default();
    fake.counters.count_grant(P, &grant_type);
    // "A code is single-use even if the request fails": take it before anything else.
    let redeemed = oauth::redeem_form(&fake, P, &f);
    if let Err(resp) = check_client(&fake, &headers, &f) {
        return resp;
    }
    let ttl = fake.access_ttl(P);
    let (access, refresh, scopes) = match (grant_type.as_str(), redeemed) {
        ("authorization_code", Some(Ok(grant))) => {
            let (a, r) = fake
                .tokens
                .lock()
                .issue(P, &grant.client_id, &grant.scopes, ttl, true);
            (a, r, grant.scopes)
        }
        ("authorization_code", Some(Err(e))) => {
            let why = match e {
                CodeError::Unknown => "the authorization code is invalid or was already used",
                CodeError::Expired => "the authorization code has expired",
                CodeError::RedirectMismatch => {
                    "redirect_uri does not match the authorization request"
                }
                CodeError::Verifier(why) => why,
            };
            return oauth_error(400, "invalid_grant", why);
        }
        ("refresh_token", _) => {
            let presented = f.get("refresh_token").cloned().unwrap_or_default();
            let mut tokens = fake.tokens.lock();
            let Some(old) = tokens.refresh_token(P, &presented).cloned() else {
                let window = fake.config.airtable_refresh_race_window;
                if tokens
                    .rotated_at(&presented)
                    .is_some_and(|at| at.elapsed() < window)
                {
                    return oauth_error(
                        409,
                        "conflict",
                        "this refresh token was just used by another request",
                    );
                }
                return oauth_error(
                    400,
                    "invalid_grant",
                    "the refresh token is invalid, expired or revoked",
                );
            };
            // Rotation: the old refresh token AND its access token stop working now.
            tokens.retire_refresh(&presented, true);
            let (a, r) = tokens.issue(P, &old.client_id, &old.scopes, ttl, true);
            (a, r, old.scopes)
        }
        _ => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
        }
    };
    json_resp(
        200,
        &json!({
            "access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "scope": scopes.join(" "), "expires_in": ttl.map_or(3600, |t| t.as_secs()),
            "refresh_expires_in": 5_184_000
        }),
    )
}

/// The same 401 for missing, invalid and expired tokens.
pub(crate) fn unauthorized() -> Response {
    json_resp(
        401,
        &json!({"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}),
    )
}

/// The 429 (note the plural `errors`).
pub(crate) fn too_many_requests() -> Response {
    json_resp(
        429,
        &json!({"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]}),
    )
}

fn not_permitted() -> Response {
    json_resp(
        403,
        &json!({"error": {"type": "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
                          "message": "Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct."}}),
    )
}

fn invalid(kind: &str, message: &str) -> Response {
    json_resp(422, &json!({"error": {"type": kind, "message": message}}))
}

/// The token's scopes, or the 401.
fn authenticate(fake: &Fake, headers: &HeaderMap) -> Result<Vec<String>, Response> {
    let tokens = fake.tokens.lock();
    tokens
        .check(P, &bearer(headers).unwrap_or_default())
        .map(|a| a.scopes.clone())
        .map_err(|_| unauthorized())
}

/// Per-base rate limit (and penalty).
fn rate_limit(fake: &Fake, base: &str) -> Result<(), Response> {
    if fake.rate_limits_on() && !fake.airtable_bases.lock().take(base, Instant::now()) {
        return Err(too_many_requests());
    }
    Ok(())
}

fn find_base<'a>(fake: &'a Fake, id: &str) -> Option<&'a FakeBase> {
    fake.data.airtable.iter().find(|b| b.id == id)
}

/// Offsets look like Airtable's (`itr…/rec…`) and carry the index of the next item.
fn offset_for(index: usize, next_id: &str) -> String {
    format!("itr{index:08}/{next_id}")
}

fn parse_offset(offset: &str) -> Option<usize> {
    offset.strip_prefix("itr")?.split('/').next()?.parse().ok()
}

async fn whoami(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    let scopes = match authenticate(&fake, &headers) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let mut body = json!({"id": "usrFakeUser00001", "scopes": scopes});
    if scopes.iter().any(|s| s == "user.email:read") {
        body["email"] = fake.config.airtable_user_email.clone().into();
    }
    json_resp(200, &body)
}

async fn bases(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match authenticate(&fake, &headers) {
        Ok(scopes) if scopes.iter().any(|s| s == "schema.bases:read") => {}
        Ok(_) => return not_permitted(),
        Err(resp) => return resp,
    }
    let all = &fake.data.airtable;
    let start = match q.get("offset").map(|o| parse_offset(o)) {
        None => 0,
        Some(Some(i)) if i <= all.len() => i,
        Some(_) => return invalid("INVALID_OFFSET_VALUE", "The value of offset is invalid"),
    };
    let end = (start + fake.config.airtable_bases_page_size.max(1)).min(all.len());
    let list: Vec<Value> = all[start..end]
        .iter()
        .map(|b| json!({"id": b.id, "name": b.name, "permissionLevel": b.permission_level}))
        .collect();
    let mut body = json!({"bases": list});
    if end < all.len() {
        body["offset"] = offset_for(end, &all[end].id).into();
    }
    json_resp(200, &body)
}

async fn tables(
    State(fake): State<Arc<Fake>>,
    Path(base): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(resp) = authenticate(&fake, &headers).and_then(|_| rate_limit(&fake, &base)) {
        return resp;
    }
    let Some(found) = find_base(&fake, &base) else {
        return not_permitted();
    };
    json_resp(
        200,
        &json!({"tables": found.tables.iter().map(|t| &t.schema).collect::<Vec<_>>()}),
    )
}

async fn records(
    State(fake): State<Arc<Fake>>,
    Path((base, table)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match authenticate(&fake, &headers) {
        Ok(scopes) if scopes.iter().any(|s| s == "data.records:read") => {}
        Ok(_) => return not_permitted(),
        Err(resp) => return resp,
    }
    if let Err(resp) = rate_limit(&fake, &base) {
        return resp;
    }
    let Some(found) = find_base(&fake, &base) else {
        return not_permitted();
    };
    let Some(table) = found
        .tables
        .iter()
        .find(|t| t.id == table || t.name == table)
    else {
        return json_resp(
            404,
            &json!({"error": {"type": "TABLE_NOT_FOUND", "message": format!("Could not find table {table} in application {base}")}}),
        );
    };
    let page_size = match q.get("pageSize").map(|s| s.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return invalid(
                "INVALID_REQUEST_UNKNOWN",
                "Invalid request: parameter validation failed. Check your request data.",
            )
        }
    };
    let all = &table.records;
    let start = match q.get("offset").map(|o| parse_offset(o)) {
        None => 0,
        Some(Some(i)) if i <= all.len() => i,
        Some(_) => {
            return invalid(
                "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
                "LIST_RECORDS_ITERATOR_NOT_AVAILABLE",
            )
        }
    };
    let end = (start + page_size).min(all.len());
    let offset = (end < all.len()).then(|| {
        let next_id = all[end].get("id").and_then(Value::as_str).unwrap_or("rec");
        offset_for(end, next_id)
    });
    // Serialized from the stored records as they are: no copy of the page first.
    #[derive(serde::Serialize)]
    struct RecordsPage<'a> {
        records: &'a [Value],
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<String>,
    }
    json_resp(
        200,
        &RecordsPage {
            records: &all[start..end],
            offset,
        },
    )
}
