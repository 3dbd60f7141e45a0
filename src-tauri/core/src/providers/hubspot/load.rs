//! HubSpot: every record of every object type, with every property and its
//! associations, in one account budget.
//!
//! The request plan, per object type (contacts, companies, deals, and each custom type
//! the schemas list, all at once):
//! 1. its property definitions (`GET /crm/properties/2026-09/{type}`; a custom type's
//!    come with its schema);
//! 2. its records, 100 a page. When the names of all its properties fit in a URL of
//!    8 KB, the list carries them (`properties=…`): one request per 100 records.
//!    Otherwise (portals have 900+ properties) the list asks for ids only and a batch
//!    read (`POST …/batch/read`, the names in the body) fetches the 100 records whole:
//!    two requests per 100;
//! 3. for contacts, companies and deals, their associations with the other two, one
//!    batch per target type for every 1000 records (plus one per record that has more
//!    than a page of them);
//! 4. with "Include archived records" (`JUNCTION_HUBSPOT_ARCHIVED=true`), the archived
//!    records the same way (`archived=true`), marked `visibility: false`, without
//!    associations (HubSpot keeps none for them).
//!
//! Custom object types come from `GET /crm-object-schemas/2026-09/schemas`, which needs
//! a custom-object scope: without it (a 403) the load goes on with the standard types.
//!
//! Exactly once: records are gathered a buffer at a time (up to 1000, whole pages),
//! their associations read, then the items sent and the cursor moved past the buffer
//! with no await in between. A failure drops the buffer; Resume fetches it again.

use std::collections::HashMap;

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::api;
use super::associations::{self, Input, MAX_INPUTS};
use super::objects::{map_record, parse_records, set_associations, CrmType, ObjectType, PAGE_LIMIT};
use super::properties::{parse_definitions, Definitions};
use crate::fetch::{Budget, Call, Ctx};
use crate::providers::json::id_text;
use crate::{Error, Result};

/// Records gathered before their associations are asked for: one association batch
/// holds 1000 inputs.
const BUFFER: usize = MAX_INPUTS;

/// One object type's cursor.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cursor {
    /// The `after` of the next page; `None` = the first page of the current phase.
    after: Option<String>,
    done: bool,
    /// Listing the archived records (after the live ones).
    #[serde(default)]
    archived: bool,
}

/// The cursors, by object type path (`contacts`, `2-1234`); a type not started yet has
/// none.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    cursors: Vec<(String, Cursor)>,
}

impl State {
    /// The cursor of `path`, made when missing. Resume points written before custom
    /// objects named the standard types `Contacts`, `Companies`, `Deals`.
    fn cursor(&mut self, path: &str) -> usize {
        let known = self.cursors.iter().position(|(key, _)| {
            key == path
                || ObjectType::from_path(&key.to_ascii_lowercase()).map(ObjectType::path)
                    == Some(path)
        });
        known.unwrap_or_else(|| {
            self.cursors.push((path.to_string(), Cursor::default()));
            self.cursors.len() - 1
        })
    }
}

/// How a type's records get their properties.
enum Fetch {
    /// In the list request: `properties=a,b,…` (it fits in a URL).
    Inline(String),
    /// Ids from the list, then a batch read with these names in the body.
    BatchRead(Vec<String>),
}

pub(crate) async fn run(ctx: &Ctx, state: &mut State) {
    let config = ctx.session.config();
    let budget = super::budget(config);
    let with_archived = config.hubspot_archived;
    // Record URLs need the portal id from the connection; without it they stay null.
    let portal = ctx
        .session
        .connections()
        .get(ctx.provider)
        .await
        .ok()
        .flatten()
        .and_then(|facts| facts.portal_id);
    let mut types: Vec<(CrmType, Option<Definitions>)> = ObjectType::ALL
        .into_iter()
        .map(|t| (CrmType::standard(t), None))
        .collect();
    match custom_types(ctx, &budget).await {
        Ok(custom) => types.extend(custom.into_iter().map(|(t, d)| (t, Some(d)))),
        Err(e) => return ctx.fail(e),
    }
    let slots: Vec<usize> = types.iter().map(|(t, _)| state.cursor(&t.path)).collect();
    let mut cursors: Vec<Option<&mut Cursor>> =
        state.cursors.iter_mut().map(|(_, c)| Some(c)).collect();
    let streams = types
        .iter()
        .zip(slots)
        .filter_map(|((crm, defs), slot)| {
            let cursor = cursors.get_mut(slot)?.take()?;
            (!cursor.done).then(|| {
                stream(
                    ctx,
                    &budget,
                    crm,
                    defs.as_ref(),
                    portal.as_deref(),
                    with_archived,
                    cursor,
                )
            })
        })
        .collect::<Vec<_>>();
    join_all(streams).await;
}

/// The portal's custom object types with their definitions; none without the scope.
async fn custom_types(ctx: &Ctx, budget: &Budget) -> Result<Vec<(CrmType, Definitions)>> {
    let path = api::schemas();
    let call = Call {
        budget,
        endpoint: api::display(&path),
        url: ctx.url(&path, &[]),
        json: None,
    };
    let body = match ctx.fetch(&call).await {
        Ok(body) => body,
        Err(Error::ProviderHttp { status: 403, .. }) => {
            tracing::info!("HubSpot custom objects skipped: no custom-object scope granted");
            return Ok(Vec::new());
        }
        Err(e) => return Err(e),
    };
    let (schemas, _) = parse_records(&call.endpoint, &body)?;
    Ok(schemas
        .iter()
        .filter(|s| s.get("archived") != Some(&Value::Bool(true)))
        .filter_map(CrmType::custom)
        .collect())
}

async fn definitions(ctx: &Ctx, budget: &Budget, crm: &CrmType) -> Result<Definitions> {
    let path = api::properties(&crm.path);
    let call = Call {
        budget,
        endpoint: api::display(&path),
        url: ctx.url(&path, &[]),
        json: None,
    };
    let body = ctx.fetch(&call).await?;
    parse_definitions(&call.endpoint, &body)
}

/// Inline when the longest list URL (a long cursor included) stays within 8 KB.
fn plan(ctx: &Ctx, crm: &CrmType, definitions: &Definitions) -> Fetch {
    let names: Vec<String> = definitions.keys().cloned().collect();
    let joined = names.join(",");
    let longest = ctx.url(
        &api::objects(&crm.path),
        &[
            ("limit", PAGE_LIMIT.to_string()),
            ("archived", "false".into()),
            ("properties", joined.clone()),
            ("after", "x".repeat(64)),
        ],
    );
    if longest.as_str().len() <= api::MAX_URL_BYTES {
        Fetch::Inline(joined)
    } else {
        Fetch::BatchRead(names)
    }
}

async fn stream(
    ctx: &Ctx,
    budget: &Budget,
    crm: &CrmType,
    known: Option<&Definitions>,
    portal: Option<&str>,
    with_archived: bool,
    cursor: &mut Cursor,
) {
    let definitions = match known {
        Some(d) => d.clone(),
        None => match definitions(ctx, budget, crm).await {
            Ok(d) => d,
            Err(e) => return ctx.fail(e),
        },
    };
    let fetch = plan(ctx, crm, &definitions);
    let progress = crm.progress_name();
    if cursor.archived && !with_archived {
        cursor.done = true;
    }
    while !cursor.done {
        let archived = cursor.archived;
        let mut records = Vec::new();
        let mut after = cursor.after.clone();
        let last = loop {
            let (page, next) = match page(ctx, budget, crm, &fetch, archived, after.as_deref()).await
            {
                Ok(x) => x,
                Err(e) => return ctx.fail(e),
            };
            if next.is_some() && next == after {
                return ctx.fail(ctx.stuck(&crm.endpoint()));
            }
            records.extend(page);
            after = next;
            if after.is_none() {
                break true;
            }
            if records.len() + PAGE_LIMIT as usize > BUFFER {
                break false;
            }
        };
        let linked = match crm.standard.filter(|_| !archived) {
            Some(t) => match associations_of(ctx, budget, t, &records).await {
                Ok(a) => Some(a),
                Err(e) => return ctx.fail(e),
            },
            None => None,
        };
        let mut items = Vec::with_capacity(records.len());
        for record in &records {
            let Some(mut item) = map_record(crm, &definitions, portal, record) else {
                continue;
            };
            if let (Some(linked), Some(id)) = (&linked, item.id.as_deref()) {
                let of_record = linked
                    .iter()
                    .map(|(target, by_id)| (target.clone(), by_id.get(id).cloned().unwrap_or_default()))
                    .collect();
                set_associations(&mut item, of_record);
            }
            items.push(item);
        }
        // Send, then advance: no await between, so the buffer is in exactly one run.
        let n = items.len() as u64;
        ctx.send_items(items);
        ctx.progress(&progress, n);
        if !last {
            cursor.after = after;
        } else if !archived && with_archived {
            cursor.archived = true;
            cursor.after = None;
        } else {
            cursor.done = true;
            cursor.after = None;
        }
    }
}

/// One page of records with all their properties, and the next cursor.
async fn page(
    ctx: &Ctx,
    budget: &Budget,
    crm: &CrmType,
    fetch: &Fetch,
    archived: bool,
    after: Option<&str>,
) -> Result<(Vec<Value>, Option<String>)> {
    let properties = match fetch {
        Fetch::Inline(joined) => joined.clone(),
        Fetch::BatchRead(_) => "hs_object_id".into(),
    };
    let mut query = vec![
        ("limit", PAGE_LIMIT.to_string()),
        ("archived", archived.to_string()),
        ("properties", properties),
    ];
    if let Some(after) = after {
        query.push(("after", after.to_string()));
    }
    let call = Call {
        budget,
        endpoint: crm.endpoint(),
        url: ctx.url(&api::objects(&crm.path), &query),
        json: None,
    };
    let body = ctx.fetch(&call).await?;
    let (listed, next) = parse_records(&call.endpoint, &body)?;
    let Fetch::BatchRead(names) = fetch else {
        return Ok((listed, next));
    };
    let ids: Vec<String> = listed.iter().filter_map(|r| id_text(r.get("id"))).collect();
    if ids.is_empty() {
        return Ok((Vec::new(), next));
    }
    let path = api::batch_read(&crm.path);
    let inputs: Vec<Value> = ids.iter().map(|id| json!({ "id": id })).collect();
    let call = Call {
        budget,
        endpoint: api::display(&path),
        url: ctx.url(&path, &[("archived", archived.to_string())]),
        json: Some(json!({"inputs": inputs, "properties": names, "propertiesWithHistory": []})),
    };
    let body = ctx.fetch(&call).await?;
    let (read, _) = parse_records(&call.endpoint, &body)?;
    // The batch answers in any order: keep the listing's. An id it did not return (a
    // 207 with errors) was deleted in between, and is left out.
    let mut by_id: HashMap<String, Value> = read
        .into_iter()
        .filter_map(|r| Some((id_text(r.get("id"))?, r)))
        .collect();
    Ok((ids.iter().filter_map(|id| by_id.remove(id)).collect(), next))
}

/// The associations of `records` with the other two standard types: target path →
/// record id → associated ids.
async fn associations_of(
    ctx: &Ctx,
    budget: &Budget,
    from: ObjectType,
    records: &[Value],
) -> Result<HashMap<String, HashMap<String, Vec<String>>>> {
    let ids: Vec<String> = records.iter().filter_map(|r| id_text(r.get("id"))).collect();
    let mut out = HashMap::new();
    for to in ObjectType::ALL.into_iter().filter(|t| *t != from) {
        let path = api::associations(from.path(), to.path());
        let endpoint = api::display(&path);
        let mut found: HashMap<String, Vec<String>> = HashMap::new();
        let mut pending: Vec<Input> = ids
            .iter()
            .map(|id| Input {
                id: id.clone(),
                after: None,
            })
            .collect();
        while !pending.is_empty() {
            let rest = pending.split_off(pending.len().min(MAX_INPUTS));
            let call = Call {
                budget,
                endpoint: endpoint.clone(),
                url: ctx.url(&path, &[]),
                json: Some(associations::body(&pending)),
            };
            let body = ctx.fetch(&call).await?;
            let batch = associations::parse(&endpoint, &body)?;
            for (id, linked) in batch.found {
                found.entry(id).or_default().extend(linked);
            }
            // A cursor that does not move would loop for ever.
            let moved: Vec<Input> = batch
                .more
                .into_iter()
                .filter(|m| !pending.iter().any(|p| p.id == m.id && p.after == m.after))
                .collect();
            pending = rest;
            pending.extend(moved);
        }
        out.insert(to.path().to_string(), found);
    }
    Ok(out)
}
