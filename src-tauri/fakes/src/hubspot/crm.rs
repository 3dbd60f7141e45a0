//! The fake HubSpot's CRM on the 2026-09 date-based paths (providers.md §4 and
//! /work research): records listed and batch-read, property definitions, associations
//! in batches with per-record paging, custom object schemas and account info.
//!
//! - `GET  /crm/objects/2026-09/{type}`: `limit` ≤ 100, `after`, `properties`,
//!   `archived` (`true` lists only archived records, with `archivedAt`); a URL longer
//!   than 8 KB gets 414, as a real front end answers.
//! - `POST /crm/objects/2026-09/{type}/batch/read`: ≤ 100 `inputs`, `properties` and
//!   `propertiesWithHistory` required; unknown ids give 207 with `errors`; results come
//!   in no particular order (reversed here).
//! - `GET  /crm/properties/2026-09/{type}`: `{results: [definition…]}`, no paging.
//! - `POST /crm/associations/2026-09/{from}/{to}/batch/read`: ≤ 1000 inputs, per-from
//!   paging (`after` re-sent with that id), numeric `toObjectId`; a from id without
//!   associations is absent.
//! - `GET  /crm-object-schemas/2026-09/schemas`: 403 `MISSING_SCOPES` without a custom
//!   scope.
//! - `GET  /account-info/2026-09/details`: `portalId` for any valid token.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::data::{self, Kind, CUSTOM_NAME, CUSTOM_TYPE_ID};
use super::{rate_headers, too_many_requests, unauthorized, P};
use crate::respond::{bearer, json as json_resp, raw, request_id};
use crate::server::Fake;
use crate::tokens::Rejected;
use junction_core::providers::hubspot::ObjectType;

/// The longest request line the fake's front end takes.
const MAX_URL: usize = 8 * 1024;

/// What `{objectType}` in a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    Standard(ObjectType),
    Custom,
}

impl Object {
    fn parse(fake: &Fake, s: &str) -> Option<Object> {
        if let Some(t) = ObjectType::from_path(s) {
            return Some(Object::Standard(t));
        }
        let fqn = format!("p{}_{CUSTOM_NAME}", fake.config.hubspot_portal_id);
        (s == CUSTOM_TYPE_ID || s == fqn).then_some(Object::Custom)
    }

    /// Scopes any one of which lets a token read this type's records.
    fn read_scopes(self) -> Vec<String> {
        match self {
            Object::Standard(t) => vec![format!("crm.objects.{}.read", t.path())],
            Object::Custom => vec!["crm.objects.custom.read".into()],
        }
    }

    fn properties(self, fake: &Fake) -> Vec<(String, Kind)> {
        match self {
            Object::Standard(t) => data::properties(t, fake.config.data.hubspot_extra_properties),
            Object::Custom => data::custom_properties(),
        }
    }

    /// Always returned, requested or not.
    fn always(self) -> [&'static str; 3] {
        match self {
            Object::Standard(ObjectType::Contacts) => {
                ["hs_object_id", "createdate", "lastmodifieddate"]
            }
            Object::Standard(_) => ["hs_object_id", "createdate", "hs_lastmodifieddate"],
            Object::Custom => ["hs_object_id", "hs_createdate", "hs_lastmodifieddate"],
        }
    }

    /// This type's records of one phase (live or archived), in listing order.
    fn listed(self, fake: &Fake, archived: bool) -> Vec<&Value> {
        let all = self.records(fake);
        let index = fake.hubspot_index.of(self.key());
        let phase = if archived {
            &index.archived
        } else {
            &index.live
        };
        phase.iter().filter_map(|&i| all.get(i)).collect()
    }

    /// The record `id` of one phase.
    fn find<'f>(self, fake: &'f Fake, archived: bool, id: &str) -> Option<&'f Value> {
        let index = fake.hubspot_index.of(self.key());
        let &(i, was_archived) = index.by_id.get(id)?;
        (was_archived == archived)
            .then(|| self.records(fake).get(i))
            .flatten()
    }

    fn key(self) -> Option<ObjectType> {
        match self {
            Object::Standard(t) => Some(t),
            Object::Custom => None,
        }
    }

    fn records(self, fake: &Fake) -> &[Value] {
        match self {
            Object::Standard(t) => fake
                .data
                .hubspot
                .get(&t)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            Object::Custom => &fake.data.hubspot_custom,
        }
    }
}

fn error(status: u16, category: &str, message: &str) -> Response {
    json_resp(
        status,
        &json!({"status": "error", "message": message, "correlationId": request_id(), "category": category}),
    )
}

fn validation_error(message: &str) -> Response {
    error(400, "VALIDATION_ERROR", message)
}

fn missing_scopes(required: &[String]) -> Response {
    json_resp(
        403,
        &json!({"status": "error",
                "message": "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
                "correlationId": request_id(), "category": "MISSING_SCOPES",
                "errors": [{"message": "One or more of the following scopes are required.",
                            "context": {"requiredGranularScopes": required}}],
                "links": {"scopes": "https://developers.hubspot.com/scopes"}}),
    )
}

fn unknown_object(s: &str) -> Response {
    validation_error(&format!("Unable to infer object type from: {s}"))
}

/// Token, scope (any of `scopes`; none = any valid token) and the rolling window: the
/// remaining requests, or the error answer.
fn admit(fake: &Fake, headers: &HeaderMap, scopes: &[String]) -> Result<u32, Response> {
    let granted = {
        let tokens = fake.tokens.lock();
        match tokens.check(P, &bearer(headers).unwrap_or_default()) {
            Ok(access) => access.scopes.clone(),
            Err(Rejected::Expired(ago)) => return Err(unauthorized(Some(ago.as_secs().max(1)))),
            Err(Rejected::Unknown) => return Err(unauthorized(None)),
        }
    };
    if !scopes.is_empty() && !scopes.iter().any(|s| granted.contains(s)) {
        return Err(missing_scopes(scopes));
    }
    if !fake.rate_limits_on() {
        return Ok(fake.config.hubspot_limit);
    }
    fake.hubspot_window
        .lock()
        .take(Instant::now())
        .map_err(|()| too_many_requests(fake))
}

fn ok(fake: &Fake, status: u16, body: &impl Serialize, remaining: u32) -> Response {
    let mut resp = json_resp(status, body);
    rate_headers(&mut resp, fake.config.hubspot_limit, remaining);
    resp
}

/// Each type's records by phase and by id, built once (the records never change):
/// filtering every record of a type on every request was most of the fake's work.
#[derive(Default)]
pub(crate) struct RecordIndex {
    types: HashMap<Option<ObjectType>, TypeIndex>,
    empty: TypeIndex,
}

#[derive(Default)]
struct TypeIndex {
    live: Vec<usize>,
    archived: Vec<usize>,
    /// id → (position, archived).
    by_id: HashMap<String, (usize, bool)>,
}

impl RecordIndex {
    pub(crate) fn new(data: &crate::data::Dataset) -> RecordIndex {
        let standard = data.hubspot.iter().map(|(t, r)| (Some(*t), r));
        let types = standard
            .chain([(None, &data.hubspot_custom)])
            .map(|(key, records)| {
                let mut index = TypeIndex::default();
                for (i, r) in records.iter().enumerate() {
                    let archived = r["archived"] == true;
                    if archived {
                        index.archived.push(i);
                    } else {
                        index.live.push(i);
                    }
                    if let Some(id) = r["id"].as_str() {
                        index.by_id.insert(id.to_string(), (i, archived));
                    }
                }
                (key, index)
            })
            .collect();
        RecordIndex {
            types,
            empty: TypeIndex::default(),
        }
    }

    fn of(&self, key: Option<ObjectType>) -> &TypeIndex {
        self.types.get(&key).unwrap_or(&self.empty)
    }
}

/// A type's property kinds by name, made once per request.
fn kinds(fake: &Fake, object: Object) -> HashMap<String, Kind> {
    object.properties(fake).into_iter().collect()
}

/// What one request asks for, resolved once: each name once, with whether the type
/// defines it, and a generated property's number and kind.
struct Wanted<'a> {
    keys: Vec<(&'a str, Option<Kind>, Option<usize>)>,
}

impl<'a> Wanted<'a> {
    fn new(kinds: &HashMap<String, Kind>, object: Object, requested: &[&'a str]) -> Wanted<'a> {
        let mut seen = HashSet::new();
        let keys = requested
            .iter()
            .copied()
            .chain(object.always())
            .filter(|k| seen.insert(*k))
            .map(|k| {
                let kind = kinds.get(k).copied();
                let generated = (kind.is_some() && data::is_generated(k))
                    .then(|| data::generated_index(k))
                    .flatten();
                (k, kind, generated)
            })
            .collect();
        Wanted { keys }
    }
}

/// A record as HubSpot returns it for the wanted properties: defined but empty → null,
/// undefined → left out; the id and dates always come back.
///
/// Written straight into the response as it is serialized: a page of 100 records with
/// ~490 properties each would otherwise build (and sort) 49,000 map entries per
/// request, which made the fake, not the client, the slowest part of the load bench.
struct Served<'a> {
    wanted: &'a Wanted<'a>,
    record: &'a Value,
}

impl Serialize for Served<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_map(None)?;
        for (k, v) in self.record.as_object().into_iter().flatten() {
            if k != "properties" {
                out.serialize_entry(k, v)?;
            }
        }
        out.serialize_entry("properties", &ServedProperties(self))?;
        out.end()
    }
}

struct ServedProperties<'a>(&'a Served<'a>);

impl Serialize for ServedProperties<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Served { wanted, record } = self.0;
        let stored = record.get("properties").and_then(Value::as_object);
        let id = record["id"].as_str().unwrap_or_default();
        let mut out = s.serialize_map(None)?;
        for (key, kind, generated) in &wanted.keys {
            // Generated properties are never stored: no lookup for the hundreds of them.
            if let (Some(kind), Some(i)) = (kind, generated) {
                out.serialize_entry(key, &data::generated_value(id, *i, *kind))?;
                continue;
            }
            match (stored.and_then(|s| s.get(*key)), kind) {
                (Some(v), _) => out.serialize_entry(key, v)?,
                (None, Some(_)) => out.serialize_entry(key, &())?,
                (None, None) => {}
            }
        }
        out.end()
    }
}

/// What a list and a batch read both check first: the object type, the token and its
/// scopes (answering with the remaining budget), and `archived`.
fn read_request(
    fake: &Fake,
    object: &str,
    headers: &HeaderMap,
    query: Option<String>,
) -> Result<ReadRequest, Response> {
    let obj = Object::parse(fake, object).ok_or_else(|| unknown_object(object))?;
    let remaining = admit(fake, headers, &obj.read_scopes())?;
    let params = params(query.as_deref());
    let archived = wants_archived(param(&params, "archived"))?;
    Ok(ReadRequest {
        obj,
        remaining,
        params,
        archived,
    })
}

struct ReadRequest {
    obj: Object,
    /// The account budget left, for the rate-limit headers.
    remaining: u32,
    params: Vec<(String, String)>,
    archived: bool,
}

fn wants_archived(value: Option<&str>) -> Result<bool, Response> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(validation_error(&format!(
            "archived must be true or false, not {other}"
        ))),
    }
}

fn params(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.as_str())
}

pub(super) async fn list(
    State(fake): State<Arc<Fake>>,
    Path(object): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    // The whole request target; the real front end refuses long ones before routing.
    let target = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URL {
        return raw(
            414,
            "text/html;charset=utf-8",
            "<html><head><title>Error 414 URI Too Long</title></head><body><h2>HTTP ERROR 414 URI Too Long</h2></body></html>".into(),
        );
    }
    let ReadRequest {
        obj,
        remaining,
        params,
        archived,
    } = match read_request(&fake, &object, &headers, query) {
        Ok(read) => read,
        Err(resp) => return resp,
    };
    let limit = match param(&params, "limit").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return validation_error("limit must be a number from 1 to 100"),
    };
    let records = obj.listed(&fake, archived);
    let start = match param(&params, "after").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) if n <= records.len() => n,
        Some(_) => return validation_error("after is not a valid paging cursor"),
    };
    // `properties` may be comma-separated and/or repeated.
    let mut requested: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "properties")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if requested.is_empty() {
        // HubSpot's defaults when no properties are requested.
        requested = match obj {
            Object::Standard(ObjectType::Contacts) => vec!["firstname", "lastname", "email"],
            Object::Standard(ObjectType::Companies) => vec!["name", "domain"],
            Object::Standard(ObjectType::Deals) => {
                vec!["dealname", "amount", "closedate", "pipeline", "dealstage"]
            }
            Object::Custom => vec![],
        };
    }
    let end = (start + limit).min(records.len());
    let kinds = kinds(&fake, obj);
    let wanted = Wanted::new(&kinds, obj, &requested);
    let results: Vec<Served> = records[start..end]
        .iter()
        .map(|record| Served {
            wanted: &wanted,
            record,
        })
        .collect();
    let paging = (end < records.len()).then(|| {
        json!({"next": {"after": end.to_string(),
            "link": format!("https://api.hubapi.com/crm/objects/v3/{object}?after={end}")}})
    });
    #[derive(Serialize)]
    struct ListPage<'a> {
        results: Vec<Served<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        paging: Option<Value>,
    }
    ok(&fake, 200, &ListPage { results, paging }, remaining)
}

pub(super) async fn batch_read(
    State(fake): State<Arc<Fake>>,
    Path(object): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let ReadRequest {
        obj,
        remaining,
        archived,
        ..
    } = match read_request(&fake, &object, &headers, query) {
        Ok(read) => read,
        Err(resp) => return resp,
    };
    let Ok(input) = serde_json::from_slice::<Value>(&body) else {
        return validation_error("Invalid input JSON on line 1");
    };
    let strings = |key: &str| -> Option<Vec<String>> {
        input.get(key)?.as_array().map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
    };
    let (Some(properties), Some(_history)) =
        (strings("properties"), strings("propertiesWithHistory"))
    else {
        return validation_error("properties and propertiesWithHistory are required");
    };
    let Some(inputs) = input.get("inputs").and_then(Value::as_array) else {
        return validation_error("inputs is required");
    };
    if inputs.len() > 100 {
        return validation_error(&format!(
            "Batch input size {} is greater than the maximum allowed of 100",
            inputs.len()
        ));
    }
    let requested: Vec<&str> = properties.iter().map(String::as_str).collect();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    let kinds = kinds(&fake, obj);
    let wanted = Wanted::new(&kinds, obj, &requested);
    for input in inputs {
        let id = match input.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return validation_error("every input needs an id"),
        };
        match obj.find(&fake, archived, &id) {
            Some(record) => results.push(Served {
                wanted: &wanted,
                record,
            }),
            None => missing.push(id),
        }
    }
    // No order is promised; a client that assumes the input order is wrong.
    results.reverse();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct BatchAnswer<'a> {
        status: &'static str,
        results: Vec<Served<'a>>,
        started_at: &'a str,
        completed_at: &'a str,
        links: Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        num_errors: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        errors: Option<Value>,
    }
    let failed = !missing.is_empty();
    let body = BatchAnswer {
        status: "COMPLETE",
        results,
        started_at: &now,
        completed_at: &now,
        links: json!({}),
        num_errors: failed.then_some(1),
        errors: failed.then(|| json!([{"status": "error", "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some objects, they may be deleted or not exist. Check that ids are valid.",
            "context": {"ids": missing}, "errors": [], "links": {}}])),
    };
    ok(&fake, if failed { 207 } else { 200 }, &body, remaining)
}

pub(super) async fn properties(
    State(fake): State<Arc<Fake>>,
    Path(object): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(obj) = Object::parse(&fake, &object) else {
        return unknown_object(&object);
    };
    let mut scopes = obj.read_scopes();
    if obj == Object::Custom {
        scopes.push("crm.schemas.custom.read".into());
    }
    let remaining = match admit(&fake, &headers, &scopes) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let group = match obj {
        Object::Standard(t) => format!("{}information", t.item_type().to_lowercase()),
        Object::Custom => "pet_information".into(),
    };
    let results: Vec<Value> = obj
        .properties(&fake)
        .iter()
        .map(|(name, kind)| data::definition(name, *kind, &group))
        .collect();
    ok(&fake, 200, &json!({"results": results}), remaining)
}

pub(super) async fn associations(
    State(fake): State<Arc<Fake>>,
    Path((from, to)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Some(from_obj), Some(to_obj)) = (Object::parse(&fake, &from), Object::parse(&fake, &to))
    else {
        return unknown_object(&format!("{from}/{to}"));
    };
    let remaining = match admit(&fake, &headers, &from_obj.read_scopes()) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let Some(inputs) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("inputs").and_then(Value::as_array).cloned())
    else {
        return validation_error("inputs is required");
    };
    if inputs.len() > 1000 {
        return validation_error(&format!(
            "Batch input size {} is greater than the maximum allowed of 1000",
            inputs.len()
        ));
    }
    let links = match (from_obj, to_obj) {
        (Object::Standard(a), Object::Standard(b)) => fake.data.hubspot_associations.get(&(a, b)),
        _ => None,
    };
    let page = fake.config.hubspot_associations_page.max(1);
    let mut results = Vec::new();
    let mut seen = HashSet::new();
    for input in &inputs {
        let Some(id) = input.get("id").and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }) else {
            return validation_error("every input needs an id");
        };
        if !seen.insert(id.clone()) {
            continue;
        }
        let start = match input.get("after").and_then(Value::as_str) {
            None => 0,
            Some(after) => match after
                .strip_prefix("MC0")
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(n) => n,
                None => {
                    return validation_error(&format!("after {after} is not a valid paging cursor"))
                }
            },
        };
        let Some(list) = links.and_then(|l| l.get(&id)).filter(|l| start < l.len()) else {
            continue;
        };
        let end = (start + page).min(list.len());
        let to: Vec<Value> = list[start..end]
            .iter()
            .map(|to_id| {
                let numeric = to_id.parse::<u64>().map_or(json!(to_id), |n| json!(n));
                json!({"toObjectId": numeric, "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                    {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": null}]})
            })
            .collect();
        let mut result = json!({"from": {"id": id}, "to": to});
        if end < list.len() {
            result["paging"] = json!({"next": {"after": format!("MC0{end}"), "link": null}});
        }
        results.push(result);
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    ok(
        &fake,
        200,
        &json!({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now, "numErrors": 0, "errors": []}),
        remaining,
    )
}

pub(super) async fn schemas(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    let scopes = [
        "crm.schemas.custom.read".to_string(),
        "crm.objects.custom.read".to_string(),
    ];
    let remaining = match admit(&fake, &headers, &scopes) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let body = json!({"results": [data::custom_schema(fake.config.hubspot_portal_id)]});
    ok(&fake, 200, &body, remaining)
}

pub(super) async fn account_info(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    let remaining = match admit(&fake, &headers, &["oauth".to_string()]) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let body = json!({
        "portalId": fake.config.hubspot_portal_id, "accountType": "STANDARD", "timeZone": "US/Eastern",
        "companyCurrency": "USD", "additionalCurrencies": ["EUR"], "utcOffset": "-05:00",
        "utcOffsetMilliseconds": -18_000_000, "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"
    });
    ok(&fake, 200, &body, remaining)
}
