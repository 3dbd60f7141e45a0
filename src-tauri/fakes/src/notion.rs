//! Fake Notion: OAuth with HTTP Basic + JSON bodies, `owner=user`, no PKCE, refresh
//! tokens that rotate (or none, for legacy installs); revoke and introspect; and the
//! read API over the workspace of notion_data.rs, every call limited to ~3 requests per
//! second with a burst (429 with `Retry-After`):
//! - `POST /v1/search`: pages and data sources (databases before 2025-09-03), leaving
//!   out what the data set says search misses;
//! - `GET /v1/databases/{id}` (its `data_sources`), `GET /v1/data_sources/{id}`,
//!   `POST /v1/data_sources/{id}/query` (cursor paging, timestamp filters and sorts,
//!   the 10,000-row cap with `request_status: incomplete`);
//! - `GET /v1/blocks/{id}/children`, `GET /v1/pages/{id}`, and
//!   `GET /v1/pages/{id}/properties/{property}` (relations past 25 references, paged).
//!
//! Versions: `Notion-Version` is required. 2025-09-03 and 2026-03-11 serve data
//! sources (`archived` only before 2026-03-11); older versions serve the 2022-06-28
//! shapes, fail with 400 on a database that has several data sources (and leave it out
//! of search), and do not know the data source endpoints. Shapes from providers.md §3
//! and §4 and notion-airtable-2026 N1–N10.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::notion_data::{bare, FakeDatabase, FakeSource, Found};
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
        .route("/v1/oauth/authorize", oauth::authorize_route(P))
        .route("/v1/oauth/token", post(token))
        .route("/v1/oauth/revoke", post(revoke))
        .route("/v1/oauth/introspect", post(introspect))
        .route("/v1/search", post(search))
        .route("/v1/databases/{id}", get(get_database))
        .route("/v1/databases/{id}/query", post(query_database))
        .route("/v1/data_sources/{id}", get(get_data_source))
        .route("/v1/data_sources/{id}/query", post(query_data_source))
        .route("/v1/blocks/{id}/children", get(block_children))
        .route("/v1/pages/{id}", get(get_page))
        .route("/v1/pages/{id}/properties/{property}", get(page_property))
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
    api_error_with(status, code, message, None)
}

/// Notion's API error shape, with `additional_data` when given.
fn api_error_with(status: u16, code: &str, message: &str, additional: Option<Value>) -> Response {
    let id = request_id();
    let mut body = json!({"object": "error", "status": status, "code": code, "message": message, "request_id": id});
    if let Some(data) = additional {
        body["additional_data"] = data;
    }
    let mut resp = json_resp(status, &body);
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

/// References a page object shows of a relation before `has_more`.
const PAGE_REFERENCES: usize = 25;

/// The `Notion-Version` of a request.
#[derive(Debug, Clone, Copy)]
struct Version(&'static str);

impl Version {
    /// 2025-09-03 and later: databases hold data sources.
    fn data_sources(self) -> bool {
        self.0 >= "2025-09-03"
    }

    /// Before 2026-03-11 objects also carry `archived` (what `in_trash` says).
    fn archived(self) -> bool {
        self.0 < "2026-03-11"
    }
}

/// [`gate`] for an endpoint that exists only from 2025-09-03 on (`data_sources`), or
/// only before it: other versions get the 400 of an unknown URL.
fn gate_on(fake: &Fake, headers: &HeaderMap, data_sources: bool) -> Result<Version, Response> {
    let v = gate(fake, headers)?;
    if v.data_sources() != data_sources {
        return Err(invalid_request_url());
    }
    Ok(v)
}

/// What every API call passes first, in Notion's order: the version, the token, the
/// rate limit.
fn gate(fake: &Fake, headers: &HeaderMap) -> Result<Version, Response> {
    let Some(version) = headers.get("notion-version").and_then(|v| v.to_str().ok()) else {
        return Err(api_error(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        ));
    };
    let Some(known) = VERSIONS.iter().find(|v| **v == version) else {
        return Err(api_error(
            400,
            "validation_error",
            &format!(
                "Notion-Version header failed validation: `{version}` is not a valid version."
            ),
        ));
    };
    if fake
        .tokens
        .lock()
        .check(P, &bearer(headers).unwrap_or_default())
        .is_err()
    {
        return Err(unauthorized());
    }
    rate_limit(fake)?;
    Ok(Version(known))
}

fn not_found(what: &str, id: &str) -> Response {
    api_error(
        404,
        "object_not_found",
        &format!("Could not find {what} with ID: {id}. Make sure the relevant pages and databases are shared with your integration."),
    )
}

/// What a pre-2025-09-03 request gets from the data source endpoints.
fn invalid_request_url() -> Response {
    api_error(400, "invalid_request_url", "Invalid request URL.")
}

/// What a pre-2025-09-03 request gets for a database with several data sources.
fn multiple_sources(db: &FakeDatabase) -> Response {
    let ids: Vec<Value> = db.sources.iter().map(|s| s.object["id"].clone()).collect();
    api_error_with(
        400,
        "validation_error",
        "Databases with multiple data sources are not supported in this API version.",
        Some(json!({"error_type": "multiple_data_sources_for_database",
                    "database_id": db.object["id"], "child_data_source_ids": ids,
                    "minimum_api_version": "2025-09-03"})),
    )
}

/// A JSON object body (an empty body is `{}`).
fn json_body(body: &[u8]) -> Result<Value, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(api_error(400, "invalid_json", "Error parsing JSON body.")),
    }
}

/// `page_size`: 1..=100, 100 when absent.
fn page_size(v: Option<&Value>, place: &str) -> Result<usize, Response> {
    let n = match v {
        None | Some(Value::Null) => return Ok(100),
        Some(Value::String(s)) => s.parse::<u64>().ok(),
        Some(other) => other.as_u64(),
    };
    match n {
        Some(n) if (1..=100).contains(&n) => Ok(n as usize),
        _ => Err(api_error(
            400,
            "validation_error",
            &format!(
                "{place} failed validation: {place}.page_size should be a number between 1 and 100, instead was `{}`.",
                v.map(Value::to_string).unwrap_or_default()
            ),
        )),
    }
}

/// An offset cursor (`<prefix><n>`, at most `len`), or the 400 Notion gives a bad one.
fn offset_cursor(cursor: Option<&str>, prefix: &str, len: usize) -> Result<usize, Response> {
    let Some(cursor) = cursor else { return Ok(0) };
    cursor
        .strip_prefix(prefix)
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= len)
        .ok_or_else(|| bad_cursor(cursor))
}

/// An id cursor (the id of the page's first result), or the 400 for an unknown one.
fn id_cursor<T>(
    cursor: Option<&str>,
    items: &[T],
    is: impl Fn(&T, &str) -> bool,
) -> Result<usize, Response> {
    let Some(cursor) = cursor else { return Ok(0) };
    items
        .iter()
        .position(|item| is(item, cursor))
        .ok_or_else(|| bad_cursor(cursor))
}

fn bad_cursor(cursor: &str) -> Response {
    api_error(
        400,
        "validation_error",
        &format!("start_cursor provided is invalid: {cursor}"),
    )
}

/// `{object: "list", results, next_cursor, has_more, type, <type>: {}}`.
fn list(results: Vec<Value>, next_cursor: Option<String>, kind: &str) -> Value {
    json!({"object": "list", "results": results, "has_more": next_cursor.is_some(),
           "next_cursor": next_cursor, "type": kind, kind: {}, "request_id": request_id()})
}

/// An object as `version` shows it: `archived` before 2026-03-11.
fn versioned(v: Version, mut obj: Value) -> Value {
    if v.archived() {
        if let Some(o) = obj.as_object_mut() {
            let trashed = o.get("in_trash").cloned().unwrap_or(Value::Bool(false));
            o.insert("archived".into(), trashed);
        }
    }
    obj
}

/// A page as a response holds it: relations cut at 25 references with `has_more`;
/// before 2025-09-03 a row's parent is its database.
fn page_out(v: Version, page: &Value) -> Value {
    let mut page = page.clone();
    if let Some(props) = page.get_mut("properties").and_then(Value::as_object_mut) {
        for prop in props.values_mut() {
            let Some(refs) = prop.get_mut("relation").and_then(Value::as_array_mut) else {
                continue;
            };
            let more = refs.len() > PAGE_REFERENCES;
            refs.truncate(PAGE_REFERENCES);
            prop["has_more"] = more.into();
        }
    }
    if !v.data_sources() && page["parent"]["type"] == "data_source_id" {
        page["parent"] =
            json!({"type": "database_id", "database_id": page["parent"]["database_id"]});
    }
    versioned(v, page)
}

/// A database as `version` shows it: its data sources from 2025-09-03; before, its one
/// data source's schema, or the 400 when it has several.
fn database_out(v: Version, db: &FakeDatabase) -> Result<Value, Response> {
    if v.data_sources() {
        return Ok(versioned(v, db.object.clone()));
    }
    if db.sources.len() > 1 {
        return Err(multiple_sources(db));
    }
    let mut old = db.object.clone();
    if let Some(o) = old.as_object_mut() {
        o.remove("data_sources");
        o.remove("is_locked");
        let schema = db.sources.first().map(|s| s.object["properties"].clone());
        o.insert("properties".into(), schema.unwrap_or_else(|| json!({})));
    }
    Ok(versioned(v, old))
}

/// The database a row belongs to, if it is a row.
fn row_database<'a>(fake: &'a Fake, page: &Value) -> Option<&'a FakeDatabase> {
    let parent = &page["parent"];
    let source = parent.get("data_source_id")?.as_str()?;
    fake.data.notion.source(source).map(|(db, _)| db)
}

async fn search(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let v = match gate(&fake, &headers) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let req = match json_body(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let size = match page_size(req.get("page_size"), "body") {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    // The filter value is "database" before 2025-09-03 and "data_source" after.
    let sources_word = if v.data_sources() {
        "data_source"
    } else {
        "database"
    };
    let wanted = req.pointer("/filter/value").and_then(Value::as_str);
    if let Some(w) = wanted.filter(|w| *w != "page" && *w != sources_word) {
        return api_error(
            400,
            "validation_error",
            &format!("body failed validation: body.filter.value should be `\"page\"` or `\"{sources_word}\"`, instead was `\"{w}\"`."),
        );
    }
    let notion = &fake.data.notion;
    // Before 2025-09-03 a database with several data sources, and its rows, are not
    // found at all ("existing integrations will not see any search results").
    let listed = |found: &&Found| match **found {
        Found::Page(i) => {
            let page = &notion.pages[i];
            wanted.is_none_or(|w| w == "page")
                && (v.data_sources()
                    || row_database(&fake, page).is_none_or(|db| db.sources.len() < 2))
        }
        Found::Source(d, _) => {
            wanted.is_none_or(|w| w != "page")
                && (v.data_sources() || notion.databases[d].sources.len() < 2)
        }
    };
    let matching: Vec<&Found> = notion.search.iter().filter(listed).collect();
    let id_of = |found: &Found| match *found {
        Found::Page(i) => notion.pages[i]["id"].clone(),
        Found::Source(d, s) if v.data_sources() => {
            notion.databases[d].sources[s].object["id"].clone()
        }
        Found::Source(d, _) => notion.databases[d].object["id"].clone(),
    };
    let cursor = req.get("start_cursor").and_then(Value::as_str);
    let start = match id_cursor(cursor, &matching, |f, c| id_of(f) == c) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let end = (start + size).min(matching.len());
    let results: Vec<Value> = matching[start..end]
        .iter()
        .filter_map(|found| match **found {
            Found::Page(i) => Some(page_out(v, &notion.pages[i])),
            Found::Source(d, s) if v.data_sources() => {
                Some(versioned(v, notion.databases[d].sources[s].object.clone()))
            }
            Found::Source(d, _) => database_out(v, &notion.databases[d]).ok(),
        })
        .collect();
    let next = matching
        .get(end)
        .and_then(|f| id_of(f).as_str().map(str::to_string));
    let kind = if v.data_sources() {
        "page_or_data_source"
    } else {
        "page_or_database"
    };
    json_resp(200, &list(results, next, kind))
}

async fn get_database(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = match gate(&fake, &headers) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    // A data source id is not a database id (nor the reverse).
    match fake.data.notion.database(&id).map(|db| database_out(v, db)) {
        Some(Ok(body)) => json_resp(200, &body),
        Some(Err(resp)) => resp,
        None => not_found("database", &id),
    }
}

async fn get_data_source(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = match gate_on(&fake, &headers, true) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match fake.data.notion.source(&id) {
        Some((_, source)) => json_resp(200, &versioned(v, source.object.clone())),
        None => not_found("data_source", &id),
    }
}

/// Before 2025-09-03: a database's rows, unless it has several data sources. Gone from
/// 2025-09-03 on (rows come from its data sources).
async fn query_database(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match gate_on(&fake, &headers, false) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let Some(db) = fake.data.notion.database(&id) else {
        return not_found("database", &id);
    };
    if db.sources.len() > 1 {
        return multiple_sources(db);
    }
    match db.sources.first() {
        Some(source) => query(&fake, v, source, &body),
        None => json_resp(200, &list(Vec::new(), None, "page_or_database")),
    }
}

async fn query_data_source(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let v = match gate_on(&fake, &headers, true) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match fake.data.notion.source(&id) {
        Some((_, source)) => query(&fake, v, source, &body),
        None => not_found("data_source", &id),
    }
}

/// One page of a data source's rows: the filter and sorts applied, then at most
/// `notion_query_cap` rows (each page of a capped result says so in `request_status`).
fn query(fake: &Fake, v: Version, source: &FakeSource, body: &[u8]) -> Response {
    let req = match json_body(body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let size = match page_size(req.get("page_size"), "body") {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let invalid = |why: String| {
        api_error(
            400,
            "validation_error",
            &format!("body failed validation: {why}"),
        )
    };
    let filter = match req.get("filter").map(Filter::parse).transpose() {
        Ok(f) => f,
        Err(why) => return invalid(why),
    };
    let sorts = match parse_sorts(req.get("sorts")) {
        Ok(s) => s,
        Err(why) => return invalid(why),
    };
    let pages = &fake.data.notion.pages;
    let mut rows: Vec<&Value> = source
        .rows
        .iter()
        .map(|&i| &pages[i])
        .filter(|p| filter.as_ref().is_none_or(|f| f.matches(p)))
        .collect();
    // Stable sorts, the last key first, so earlier sorts take precedence.
    for (key, descending) in sorts.iter().rev() {
        rows.sort_by(|a, b| {
            let order = timestamp(a, key).cmp(&timestamp(b, key));
            if *descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    let cap = fake.config.notion_query_cap.max(1);
    let capped = rows.len() > cap;
    rows.truncate(cap);
    let start = match offset_cursor(
        req.get("start_cursor").and_then(Value::as_str),
        "q",
        rows.len(),
    ) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let end = (start + size).min(rows.len());
    let results = rows[start..end].iter().map(|p| page_out(v, p)).collect();
    let next = (end < rows.len()).then(|| format!("q{end}"));
    let kind = if v.data_sources() {
        "page_or_data_source"
    } else {
        "page_or_database"
    };
    let mut out = list(results, next, kind);
    if capped {
        out["request_status"] =
            json!({"type": "incomplete", "incomplete_reason": "query_result_limit_reached"});
    }
    json_resp(200, &out)
}

fn timestamp(page: &Value, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = page.get(key)?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The query filters the fake understands: timestamp conditions, `and`, `or`.
enum Filter {
    Time {
        key: &'static str,
        op: &'static str,
        at: chrono::DateTime<chrono::Utc>,
    },
    And(Vec<Filter>),
    Or(Vec<Filter>),
}

impl Filter {
    fn parse(v: &Value) -> Result<Filter, String> {
        for (word, all) in [("and", true), ("or", false)] {
            if let Some(list) = v.get(word) {
                let parts = list
                    .as_array()
                    .ok_or(format!("body.filter.{word} should be an array"))?
                    .iter()
                    .map(Filter::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                return Ok(if all {
                    Filter::And(parts)
                } else {
                    Filter::Or(parts)
                });
            }
        }
        let key = match v.get("timestamp").and_then(Value::as_str) {
            Some("created_time") => "created_time",
            Some("last_edited_time") => "last_edited_time",
            _ => return Err("the fake filters by `timestamp` (created_time or last_edited_time), `and` and `or` only".into()),
        };
        let condition = v
            .get(key)
            .and_then(Value::as_object)
            .ok_or(format!("body.filter.{key} should be an object"))?;
        for op in ["equals", "before", "after", "on_or_before", "on_or_after"] {
            if let Some(at) = condition.get(op) {
                let at = at
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .ok_or(format!("body.filter.{key}.{op} should be an ISO 8601 date"))?;
                return Ok(Filter::Time {
                    key,
                    op,
                    at: at.with_timezone(&chrono::Utc),
                });
            }
        }
        Err(format!("body.filter.{key} has no condition the fake knows"))
    }

    fn matches(&self, page: &Value) -> bool {
        match self {
            Filter::And(parts) => parts.iter().all(|f| f.matches(page)),
            Filter::Or(parts) => parts.iter().any(|f| f.matches(page)),
            Filter::Time { key, op, at } => {
                let Some(t) = timestamp(page, key) else {
                    return false;
                };
                match *op {
                    "equals" => t == *at,
                    "before" => t < *at,
                    "after" => t > *at,
                    "on_or_before" => t <= *at,
                    _ => t >= *at,
                }
            }
        }
    }
}

/// `sorts`: timestamp sorts only, as (key, descending).
fn parse_sorts(v: Option<&Value>) -> Result<Vec<(&'static str, bool)>, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let list = v.as_array().ok_or("body.sorts should be an array")?;
    list.iter()
        .map(|s| {
            let key = match s.get("timestamp").and_then(Value::as_str) {
                Some("created_time") => "created_time",
                Some("last_edited_time") => "last_edited_time",
                _ => return Err("the fake sorts by `timestamp` only".to_string()),
            };
            match s.get("direction").and_then(Value::as_str) {
                Some("ascending") => Ok((key, false)),
                Some("descending") => Ok((key, true)),
                _ => Err("body.sorts[].direction should be `ascending` or `descending`".into()),
            }
        })
        .collect()
}

async fn block_children(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let v = match gate(&fake, &headers) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let Some(children) = fake.data.notion.children(&id) else {
        return not_found("block", &id);
    };
    let size = match page_size(
        q.get("page_size")
            .map(|s| Value::String(s.clone()))
            .as_ref(),
        "query",
    ) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    // Cursors are block ids, as Notion's are.
    let cursor = q.get("start_cursor").map(String::as_str);
    let start = match id_cursor(cursor, children, |b, c| b["id"] == c) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let end = (start + size).min(children.len());
    let results = children[start..end]
        .iter()
        .map(|b| versioned(v, b.clone()))
        .collect();
    let next = children
        .get(end)
        .and_then(|b| b["id"].as_str().map(str::to_string));
    json_resp(200, &list(results, next, "block"))
}

async fn get_page(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = match gate(&fake, &headers) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    match fake.data.notion.page(&id) {
        Some(page) => json_resp(200, &page_out(v, page)),
        None => not_found("page", &id),
    }
}

/// Percent-decodes a property id (`rel%3A1` → `rel:1`); invalid escapes stay as they are.
fn decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// One property of a page: title, rich text, people and relations as a paged list of
/// property items (all of them, past the 25 a page object shows), the rest as one item.
async fn page_property(
    State(fake): State<Arc<Fake>>,
    Path((id, property)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(resp) = gate(&fake, &headers) {
        return resp;
    }
    let Some(page) = fake.data.notion.page(&id) else {
        return not_found("page", &id);
    };
    let wanted = decoded(&property);
    let found = page["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, p)| p)
        .find(|p| p["id"].as_str().is_some_and(|pid| decoded(pid) == wanted));
    let Some(prop) = found else {
        return not_found("property", &property);
    };
    let pid = prop["id"].clone();
    let kind = prop["type"].as_str().unwrap_or_default();
    if !matches!(kind, "title" | "rich_text" | "people" | "relation") {
        return json_resp(
            200,
            &json!({"object": "property_item", "id": pid, "type": kind, kind: prop[kind], "request_id": request_id()}),
        );
    }
    let asked = match page_size(
        q.get("page_size")
            .map(|s| Value::String(s.clone()))
            .as_ref(),
        "query",
    ) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let size = asked.min(fake.config.notion_property_page_size.max(1));
    let values: &[Value] = prop[kind].as_array().map_or(&[], Vec::as_slice);
    let start = match offset_cursor(q.get("start_cursor").map(String::as_str), "p", values.len()) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let end = (start + size).min(values.len());
    let results: Vec<Value> = values[start..end]
        .iter()
        .map(|value| json!({"object": "property_item", "id": pid, "type": kind, kind: value}))
        .collect();
    let next = (end < values.len()).then(|| format!("p{end}"));
    let next_url = next.as_ref().map(|c| {
        format!(
            "https://api.notion.com/v1/pages/{}/properties/{}?start_cursor={c}",
            bare(&id),
            pid.as_str().unwrap_or_default()
        )
    });
    let mut body = list(results, next, "property_item");
    body["property_item"] = json!({"id": pid, "type": kind, kind: {}, "next_url": next_url});
    json_resp(200, &body)
}
