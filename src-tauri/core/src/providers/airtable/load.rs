//! Airtable: the bases list (offset paging), then every base at once (up to
//! [`BASE_CONCURRENCY`]), each with its own 5 requests / s budget: its tables, then
//! every table's records (`pageSize=100`, offset paging) concurrently.
//!
//! A base is sent once its tables are listed (`children` = the table ids); a table once
//! its records are all loaded (`children` = the record ids), or with its base when
//! records are off (`children: null`, unknown).
//!
//! Linked records are `[{id, name}]`, named by the linked record's primary field. The
//! tables of a base load at once, so a record may link to one not loaded yet: it goes
//! out with that name null, and is sent again (same key, not counted) when the base is
//! done, with the names its links now have.

use std::collections::{HashMap, HashSet};

use futures_util::future::join_all;
use futures_util::StreamExt as _;
use parking_lot::Mutex;

use super::mapping::{
    base_item, fill_link_names, has_unnamed_links, parse_bases_page, parse_records_page,
    parse_tables, records_endpoint, records_query, table_item, tables_endpoint, BaseInfo,
    TableInfo, BASES_ENDPOINT,
};
use std::sync::Arc;

use crate::fetch::{off_workers, Budget, Call, CursorLog, Ctx};
use crate::providers::json::{parse_json, Page};
use crate::{Error, IntegrationItem, ProviderId};

/// Bases loaded at once: 10 × 5 requests / s stays within Airtable's 50 requests / s
/// per token.
pub(crate) const BASE_CONCURRENCY: usize = 10;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    /// The bases list's next offset.
    offset: Option<String>,
    listed: bool,
    bases: Vec<Base>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Base {
    info: BaseInfo,
    /// `None` until the tables are listed (and the base sent).
    tables: Option<Vec<Table>>,
}

impl Base {
    fn complete(&self) -> bool {
        self.tables
            .as_ref()
            .is_some_and(|tables| tables.iter().all(|t| t.done))
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Table {
    info: TableInfo,
    /// The next records offset.
    offset: Option<String>,
    done: bool,
    /// Ids of the records sent so far: the table's `children`.
    ids: Vec<String>,
    /// The walk restarted from the beginning (a stale offset): skip records already sent.
    restarted: bool,
}

pub(crate) async fn run(ctx: &Ctx, state: &mut State) {
    let config = ctx.session.config();
    let records = config.airtable_records;
    let meta = super::budget(config, "the Airtable bases list");
    let mut offsets = CursorLog::default();
    while !state.listed {
        let call = Call {
            budget: &meta,
            endpoint: BASES_ENDPOINT.to_string(),
            url: ctx.url(
                &["v0", "meta", "bases"],
                &state
                    .offset
                    .iter()
                    .map(|o| ("offset", o.clone()))
                    .collect::<Vec<_>>(),
            ),
            json: None,
        };
        match ctx
            .fetch(&call)
            .await
            .and_then(|body| parse_bases_page(&body))
        {
            Ok(page) => {
                if offsets.repeats(page.offset.as_ref()) {
                    ctx.fail(ctx.stuck(BASES_ENDPOINT));
                    break;
                }
                state.bases.extend(
                    page.bases
                        .into_iter()
                        .map(|info| Base { info, tables: None }),
                );
                state.listed = page.offset.is_none();
                state.offset = page.offset;
            }
            Err(e) => {
                // The bases already listed still load.
                ctx.fail(e);
                break;
            }
        }
    }
    futures_util::stream::iter(state.bases.iter_mut().filter(|b| !b.complete()))
        .for_each_concurrent(BASE_CONCURRENCY, |base| run_base(ctx, base, records))
        .await;
}

async fn run_base(ctx: &Ctx, base: &mut Base, records: bool) {
    let Base { info, tables } = base;
    let budget = super::budget(ctx.session.config(), format!("Airtable base {}", info.id));
    if tables.is_none() {
        let endpoint = tables_endpoint(&info.id);
        let call = Call {
            budget: &budget,
            endpoint: endpoint.clone(),
            url: ctx.url(&["v0", "meta", "bases", &info.id, "tables"], &[]),
            json: None,
        };
        let listed = match ctx
            .fetch(&call)
            .await
            .and_then(|body| parse_tables(&info.id, &body))
        {
            Ok(listed) => listed,
            Err(e) => return ctx.fail(e),
        };
        let mut item = base_item(info);
        item.children = Some(listed.iter().map(|t| t.id.clone()).collect());
        ctx.send_items(vec![item]);
        ctx.progress("bases", 1);
        *tables = Some(
            listed
                .into_iter()
                .map(|info| Table {
                    info,
                    offset: None,
                    done: false,
                    ids: Vec::new(),
                    restarted: false,
                })
                .collect(),
        );
    }
    let Some(tables) = tables.as_mut() else {
        return;
    };
    if records {
        let links = Arc::new(Links::default());
        let walks = tables
            .iter_mut()
            .filter(|t| !t.done)
            .map(|t| run_table(ctx, &budget, info, t, &links));
        join_all(walks).await;
        links.send_named(ctx);
    } else {
        // Records off: the tables go out now, their children unknown.
        let mut items = Vec::new();
        for table in tables.iter_mut().filter(|t| !t.done) {
            items.push(table_item(info, &table.info));
            table.done = true;
        }
        let n = items.len() as u64;
        if n > 0 {
            ctx.send_items(items);
            ctx.progress("tables", n);
        }
    }
}

/// What one base's tables share while they load: the names of the records loaded so
/// far, and the records sent with a link not named yet.
#[derive(Default)]
struct Links {
    names: Mutex<HashMap<String, String>>,
    unnamed: Mutex<Vec<IntegrationItem>>,
}

impl Links {
    fn name(&self, id: &str) -> Option<String> {
        self.names.lock().get(id).cloned()
    }

    /// Notes a page's names, and keeps a copy of the records whose links are not all
    /// named yet.
    fn record(&self, items: &[IntegrationItem]) {
        {
            let mut names = self.names.lock();
            for item in items {
                if let (Some(id), Some(name)) = (&item.id, &item.name) {
                    names.insert(id.clone(), name.clone());
                }
            }
        }
        let unnamed: Vec<IntegrationItem> =
            items.iter().filter(|i| has_unnamed_links(i)).cloned().collect();
        self.unnamed.lock().extend(unnamed);
    }

    /// Sends again the records whose links gained a name.
    fn send_named(&self, ctx: &Ctx) {
        let names = self.names.lock();
        let lookup = |id: &str| names.get(id).cloned();
        let mut again: Vec<IntegrationItem> = std::mem::take(&mut *self.unnamed.lock());
        again.retain_mut(|item| fill_link_names(item, &lookup));
        if !again.is_empty() {
            ctx.resend(again);
        }
    }
}

async fn run_table(
    ctx: &Ctx,
    budget: &Budget,
    base: &BaseInfo,
    table: &mut Table,
    links: &Arc<Links>,
) {
    let endpoint = records_endpoint(&base.id, &table.info.id);
    let mut seen: Option<HashSet<String>> =
        table.restarted.then(|| table.ids.iter().cloned().collect());
    let mut restarts = 0;
    let mut offsets = CursorLog::default();
    while !table.done {
        let call = Call {
            budget,
            endpoint: endpoint.clone(),
            url: ctx.url(
                &["v0", &base.id, &table.info.id],
                &records_query(table.offset.as_deref()),
            ),
            json: None,
        };
        let page = match read_page(ctx, &call, base, &table.info, links).await {
            Ok(page) => page,
            Err(Error::ProviderHttp {
                status: 422,
                ref message,
                ..
            }) if message.contains("LIST_RECORDS_ITERATOR_NOT_AVAILABLE")
                && table.offset.is_some()
                && restarts == 0 =>
            {
                // The offset expired (a resume much later): walk the table again,
                // skipping the records already sent.
                tracing::info!(endpoint = %endpoint, "stale offset: restarting the table");
                restarts += 1;
                table.offset = None;
                offsets.clear();
                table.restarted = true;
                seen = Some(table.ids.iter().cloned().collect());
                continue;
            }
            Err(e) => return ctx.fail(e),
        };
        if offsets.repeats(page.next.as_ref()) {
            return ctx.fail(ctx.stuck(&endpoint));
        }
        let mut items = page.items;
        if let Some(seen) = seen.as_mut() {
            items.retain(|item| item.id.as_ref().is_none_or(|id| seen.insert(id.clone())));
        }
        links.record(&items);
        table
            .ids
            .extend(items.iter().filter_map(|item| item.id.clone()));
        let n = items.len() as u64;
        table.done = page.next.is_none();
        table.offset = page.next;
        if table.done {
            let mut item = table_item(base, &table.info);
            item.children = Some(table.ids.clone());
            items.push(item);
        }
        ctx.send_items(items);
        ctx.progress("records", n);
        if table.done {
            ctx.progress("tables", 1);
        }
    }
}

/// One records page, fetched, then parsed and mapped off the async workers.
async fn read_page(
    ctx: &Ctx,
    call: &Call<'_>,
    base: &BaseInfo,
    table: &TableInfo,
    links: &Arc<Links>,
) -> Result<Page, Error> {
    let body = ctx.fetch_body(call).await?;
    let (endpoint, base, table, links) = (
        call.endpoint.clone(),
        base.clone(),
        table.clone(),
        links.clone(),
    );
    off_workers(move || {
        let json = parse_json(ProviderId::Airtable, &endpoint, &body)?;
        parse_records_page(&base, &table, &json, &|id: &str| links.name(id))
    })
    .await
}
