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
//! In flight at once, per type: the list walks its cursor chain while up to three
//! listed pages are batch-read, and the previous buffer's associations are read. So a
//! type's time is its list chain, not lists + reads + associations one after another,
//! and the CPU work of reading a page (megabytes of JSON) runs off the async workers.
//!
//! Exactly once: records are gathered a buffer at a time (up to 1000, whole pages),
//! their associations read, then the items sent and the cursor moved past the buffer
//! with no await in between. A failure drops the buffer; Resume fetches it again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::future::{join_all, BoxFuture};
use futures_util::{Stream, StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::api;
use super::associations::{self, Input, MAX_INPUTS};
use super::objects::{map_record, parse_records, set_associations, CrmType, ObjectType, PAGE_LIMIT};
use super::properties::{parse_definitions, Definitions};
use crate::fetch::{off_workers, Budget, Call, CursorLog, Ctx};
use crate::providers::json::id_text;
use crate::{Error, IntegrationItem, Result};

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
    let body = match ctx.fetch_body(&call).await {
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
    let mapping = Arc::new(Mapping {
        crm: crm.clone(),
        definitions,
        portal: portal.map(str::to_string),
    });
    let lister = Lister {
        ctx,
        budget,
        crm,
        fetch: &fetch,
        mapping: &mapping,
    };
    let finisher = Finisher { ctx, budget, crm };
    if cursor.archived && !with_archived {
        cursor.done = true;
    }
    if cursor.done {
        return;
    }
    let mut phase = cursor.archived;
    let mut pages = Box::pin(lister.pages(phase, cursor.after.clone()));
    let mut listing = true;
    let mut buffer = Buffer::new(phase);
    // The buffer being finished, and where the cursor goes once it is sent.
    let mut finishing: Option<(BoxFuture<'_, Result<()>>, Next)> = None;
    loop {
        let ready = buffer.next.is_some();
        if ready && finishing.is_none() {
            let full = std::mem::replace(&mut buffer, Buffer::new(phase));
            let next = full.next.clone().unwrap_or(Next::Done);
            finishing = Some((Box::pin(finisher.finish(full)), next));
            continue;
        }
        if !listing && finishing.is_none() {
            return;
        }
        tokio::select! {
            page = pages.next(), if listing && !ready => match page {
                Some(Ok((records, next))) => {
                    buffer.records.extend(records);
                    match next {
                        Some(after) if buffer.records.len() + PAGE_LIMIT as usize > BUFFER => {
                            buffer.next = Some(Next::At(phase, Some(after)));
                        }
                        Some(_) => {}
                        None if !phase && with_archived => {
                            // The live records are done: the archived ones follow.
                            buffer.next = Some(Next::At(true, None));
                            phase = true;
                            pages = Box::pin(lister.pages(true, None));
                        }
                        None => {
                            buffer.next = Some(Next::Done);
                            listing = false;
                        }
                    }
                }
                Some(Err(e)) => return ctx.fail(e),
                None => {
                    // Not reached (the pages end with a page without a cursor), but a
                    // buffer left without a way on would never be sent.
                    listing = false;
                    buffer.next.get_or_insert(Next::Done);
                }
            },
            finished = async {
                match finishing.as_mut() {
                    Some((sending, _)) => sending.await,
                    None => std::future::pending().await,
                }
            }, if finishing.is_some() => {
                if let Err(e) = finished {
                    return ctx.fail(e);
                }
                // Sent: move the cursor past the buffer in the same poll, no await between.
                match finishing.take().map(|(_, next)| next) {
                    Some(Next::At(archived, after)) => {
                        cursor.archived = archived;
                        cursor.after = after;
                    }
                    Some(Next::Done) | None => {
                        cursor.done = true;
                        cursor.after = None;
                    }
                }
            }
        }
    }
}

/// Where a type's cursor goes once a buffer is sent.
#[derive(Debug, Clone)]
enum Next {
    /// On from `after` (`None`: the start) in the live (`false`) or archived phase.
    At(bool, Option<String>),
    Done,
}

/// Items gathered for one send: up to [`BUFFER`], whole pages.
struct Buffer {
    records: Vec<IntegrationItem>,
    archived: bool,
    /// Set when the buffer is complete: where the cursor goes after it.
    next: Option<Next>,
}

impl Buffer {
    fn new(archived: bool) -> Buffer {
        Buffer {
            records: Vec::new(),
            archived,
            next: None,
        }
    }
}

/// One list page: its records (ids only when a batch read follows) and the next cursor.
type Listed = (Vec<Value>, Option<String>);

/// A page's items and the cursor past it.
type Mapped = (Vec<IntegrationItem>, Option<String>);

/// Turns a type's records into items; shared with the blocking pool, where pages are
/// parsed and mapped.
struct Mapping {
    crm: CrmType,
    definitions: Definitions,
    portal: Option<String>,
}

impl Mapping {
    fn items(&self, records: &[Value]) -> Vec<IntegrationItem> {
        records
            .iter()
            .filter_map(|r| map_record(&self.crm, &self.definitions, self.portal.as_deref(), r))
            .collect()
    }
}

/// How many pages are read at once while the list walks on.
const READS_IN_FLIGHT: usize = 8;

/// Reads a type's records page by page.
struct Lister<'a> {
    ctx: &'a Ctx,
    budget: &'a Budget,
    crm: &'a CrmType,
    fetch: &'a Fetch,
    mapping: &'a Arc<Mapping>,
}

impl<'a> Lister<'a> {
    /// A phase's pages from `after`, in order, each with all its records' properties
    /// and the cursor past it. The cursor chain is the lists alone: the list walks on
    /// while up to [`READS_IN_FLIGHT`] pages are batch-read. A cursor seen before in
    /// the phase would loop for ever: it is an error.
    fn pages(
        &'a self,
        archived: bool,
        after: Option<String>,
    ) -> impl Stream<Item = Result<Mapped>> + Send + 'a {
        let listed = futures_util::stream::try_unfold(
            (Some(after), CursorLog::default()),
            move |(at, mut seen): (Option<Option<String>>, CursorLog)| async move {
                let Some(after) = at else {
                    return Ok(None);
                };
                let (page, next) = self.list(archived, after.as_deref()).await?;
                if seen.repeats(next.as_ref()) {
                    return Err(self.ctx.stuck(&self.crm.endpoint()));
                }
                let state = (next.clone().map(Some), seen);
                Ok(Some(((page, next), state)))
            },
        );
        listed
            .map_ok(move |(page, next)| async move { Ok((self.read(archived, page).await?, next)) })
            .try_buffered(READS_IN_FLIGHT)
    }

    /// One list page: the records with their properties when they fit the URL, else
    /// their ids.
    async fn list(&self, archived: bool, after: Option<&str>) -> Result<Listed> {
        let properties = match self.fetch {
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
            budget: self.budget,
            endpoint: self.crm.endpoint(),
            url: self.ctx.url(&api::objects(&self.crm.path), &query),
            json: None,
        };
        let body = self.ctx.fetch_body(&call).await?;
        off_workers(move || parse_records(&call.endpoint, &body)).await
    }

    /// The listed records with all their properties, as items: as listed, or
    /// batch-read whole.
    async fn read(&self, archived: bool, listed: Vec<Value>) -> Result<Vec<IntegrationItem>> {
        let mapping = self.mapping.clone();
        let Fetch::BatchRead(names) = self.fetch else {
            return off_workers(move || Ok(mapping.items(&listed))).await;
        };
        let ids: Vec<String> = listed.iter().filter_map(|r| id_text(r.get("id"))).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let path = api::batch_read(&self.crm.path);
        let inputs: Vec<Value> = ids.iter().map(|id| json!({ "id": id })).collect();
        let call = Call {
            budget: self.budget,
            endpoint: api::display(&path),
            url: self.ctx.url(&path, &[("archived", archived.to_string())]),
            json: Some(
                json!({"inputs": inputs, "properties": names, "propertiesWithHistory": []}),
            ),
        };
        let body = self.ctx.fetch_body(&call).await?;
        off_workers(move || {
            let (read, _) = parse_records(&call.endpoint, &body)?;
            // The batch answers in any order: keep the listing's. An id it did not
            // return (a 207 with errors) was deleted in between, and is left out.
            let mut by_id: HashMap<String, Value> = read
                .into_iter()
                .filter_map(|r| Some((id_text(r.get("id"))?, r)))
                .collect();
            let ordered: Vec<Value> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
            Ok(mapping.items(&ordered))
        })
        .await
    }
}

/// Adds a buffer's associations and sends its items.
struct Finisher<'a> {
    ctx: &'a Ctx,
    budget: &'a Budget,
    crm: &'a CrmType,
}

impl Finisher<'_> {
    /// Reads the buffer's associations and sends its items.
    async fn finish(&self, buffer: Buffer) -> Result<()> {
        let mut items = buffer.records;
        if let Some(t) = self.crm.standard.filter(|_| !buffer.archived) {
            let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
            let linked = associations_of(self.ctx, self.budget, t, &ids).await?;
            for item in &mut items {
                let Some(id) = item.id.as_deref() else {
                    continue;
                };
                let of_record = linked
                    .iter()
                    .map(|(target, by_id)| {
                        (target.clone(), by_id.get(id).cloned().unwrap_or_default())
                    })
                    .collect();
                set_associations(item, of_record);
            }
        }
        let n = items.len() as u64;
        self.ctx.send_items(items);
        self.ctx.progress(&self.crm.progress_name(), n);
        Ok(())
    }
}

/// The associations of the records `ids` with the other two standard types: target
/// path → record id → associated ids.
async fn associations_of(
    ctx: &Ctx,
    budget: &Budget,
    from: ObjectType,
    ids: &[String],
) -> Result<HashMap<String, HashMap<String, Vec<String>>>> {
    // Both targets at once: neither waits for the other.
    let targets = ObjectType::ALL.into_iter().filter(|t| *t != from);
    let found = futures_util::future::try_join_all(
        targets.map(|to| associations_with(ctx, budget, from, to, ids)),
    )
    .await?;
    Ok(found.into_iter().collect())
}

/// The associations of `ids` with `to`: `to`'s path and record id → associated ids.
async fn associations_with(
    ctx: &Ctx,
    budget: &Budget,
    from: ObjectType,
    to: ObjectType,
    ids: &[String],
) -> Result<(String, HashMap<String, Vec<String>>)> {
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
    // Every (record, cursor) asked for: one that comes back again, now or pages
    // later, would loop for ever.
    let mut asked: HashSet<(String, Option<String>)> = HashSet::new();
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(MAX_INPUTS));
        asked.extend(pending.iter().map(|p| (p.id.clone(), p.after.clone())));
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
        let moved = batch
            .more
            .into_iter()
            .filter(|m| !asked.contains(&(m.id.clone(), m.after.clone())));
        pending = rest;
        pending.extend(moved);
    }
    Ok((to.path().to_string(), found))
}
