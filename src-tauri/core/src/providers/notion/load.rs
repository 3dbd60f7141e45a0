//! Notion: everything the integration can see, within the connection's 3 requests / s.
//!
//! 1. **Search** (`POST /v1/search`, one cursor): pages, and data sources (whose
//!    parent names their database). Search is not exhaustive, so it only seeds the
//!    rest. Rows it returns wait for their data source's query.
//! 2. **Databases** (`GET /v1/databases/{id}`): each database once, from a data
//!    source's or row's parent or a `child_database` block; it lists its data sources.
//! 3. **Rows** (`POST /v1/data_sources/{id}/query`, paged, oldest first): the rows of
//!    every data source. A query cut at Notion's 10,000 rows (`request_status:
//!    incomplete`) goes on in a window from the last `created_time` it returned; rows
//!    seen twice at the window's edge are dropped by id.
//! 4. **The walk** (`GET /v1/blocks/{id}/children`, paged, recursive): from every page
//!    (rows included), child pages (read with `GET /v1/pages/{id}`) and child
//!    databases (step 2) that search missed; each block listed once. Progress
//!    `found by walk` counts the pages and databases only the walk found.
//! 5. **Relations past 25 references** (`GET /v1/pages/{id}/properties/{property}`,
//!    paged): the row waits until they are complete, so no relation is cut at 25.
//!
//! Up to [`CONCURRENCY`] requests are in flight (one budget paces them all). Every
//! object is sent once (a set of ids), except pages sent before their parent's name
//! was known: those are sent again at the end, named (same key). A round's results are
//! applied with no await in between, so a failure or cancel never loses nor repeats
//! an item; the queues are the resume point. A 4xx on one database, data source, block
//! list, page or relation (a linked database view, an unshared page), or a 403/404 on
//! one data source's query, skips it (progress `skipped`) rather than failing the load.

use std::collections::{HashMap, HashSet, VecDeque};

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::mapping::{
    children_endpoint, data_source_endpoint, database_endpoint, listed_data_source,
    page_endpoint, parse_children_page, parse_query_page, parse_relation_page,
    parse_search_page, property_endpoint, query_body, query_endpoint, read_data_source,
    read_database, read_page, row_label, search_body, ChildrenPage, DataSourceRead,
    DatabaseRead, PageRead, QueryPage, RelationPage, Truncated, DATABASE, DATA_SOURCE, PAGE,
    PAGE_SIZE, SEARCH_ENDPOINT,
};
use crate::fetch::{Budget, Call, CursorLog, Ctx};
use crate::item::RowTable;
use crate::{Error, IntegrationItem, ProviderId};

/// Requests in flight at once: enough to keep the 3 / s budget busy when a response
/// takes longer than a third of a second.
pub(crate) const CONCURRENCY: usize = 3;

/// Progress object types.
const PAGES: &str = "pages";
const DATABASES: &str = "databases";
const DATA_SOURCES: &str = "data sources";
const FOUND_BY_WALK: &str = "found by walk";
const SKIPPED: &str = "skipped";

/// Where a Notion load is (boxed: it is large, and one of the engine's load states).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct State(Box<Walk>);

/// The cursors, queues and sets of a Notion load.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Walk {
    search_next: Option<String>,
    searched: bool,
    /// Bare ids of every page, database and data source sent or queued: each once.
    known: HashSet<String>,
    /// Bare ids of blocks (pages included) whose children are listed or queued.
    listed: HashSet<String>,
    /// Names by bare id: pages, databases, data sources (their row label), and blocks
    /// (their page's name, for the pages inside them).
    names: HashMap<String, String>,
    /// Row labels ("Database / Data source") by bare data source id.
    labels: HashMap<String, String>,
    /// Data sources search returned, until their database is read.
    searched_sources: HashMap<String, SourceSeen>,
    /// Rows search returned, until their data source's query returns them.
    searched_rows: HashMap<String, Row>,
    /// Items of data sources read with `GET /v1/data_sources/{id}` (search missed
    /// them), sent when their rows are in.
    source_items: HashMap<String, IntegrationItem>,
    databases: VecDeque<DatabaseTask>,
    /// Data sources to read (`GET /v1/data_sources/{id}`): partial search results, and
    /// sources search did not return (for their item).
    sources: VecDeque<String>,
    queries: VecDeque<QueryTask>,
    pages: VecDeque<PageTask>,
    walks: VecDeque<WalkTask>,
    relations: VecDeque<RelationTask>,
    /// Rows waiting for their relations, by bare id.
    held: HashMap<String, Held>,
    /// Items sent before their parent's name was known: sent again at the end if it is.
    orphans: Vec<IntegrationItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SourceSeen {
    item: IntegrationItem,
    database: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    item: IntegrationItem,
    truncated: Vec<Truncated>,
}

impl Row {
    fn read(self) -> PageRead {
        PageRead {
            row_of: self.item.parent_id.clone().map(|ds| (ds, None)),
            item: self.item,
            partial: false,
            in_trash: false,
            truncated: self.truncated,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DatabaseTask {
    id: String,
    by_walk: bool,
}

/// One data source's rows, query page by query page.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct QueryTask {
    source: String,
    database: String,
    cursor: Option<String>,
    /// The current window's `created_time on_or_after` (none for the first).
    window: Option<String>,
    /// The current window said `request_status: incomplete`.
    capped: bool,
    last_created: Option<String>,
    /// The row ids so far: the data source's `children`.
    rows: Vec<String>,
    /// The data source's item, sent with its rows' ids once they are all loaded.
    item: IntegrationItem,
    /// The cursors of the current window (a resumed task starts a new log).
    #[serde(skip)]
    cursors: CursorLog,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageTask {
    id: String,
    by_walk: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WalkTask {
    block: String,
    /// The bare id of the page the block is in.
    page: String,
    cursor: Option<String>,
    #[serde(skip)]
    cursors: CursorLog,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RelationTask {
    page: String,
    name: String,
    property: String,
    cursor: Option<String>,
    ids: Vec<String>,
    #[serde(skip)]
    cursors: CursorLog,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Held {
    item: IntegrationItem,
    waiting: usize,
}

/// One request of the work after search.
enum Task {
    Database(DatabaseTask),
    Source(String),
    Query(Box<QueryTask>),
    Page(PageTask),
    Walk(WalkTask),
    Relation(RelationTask),
}

/// A task's answer, mapped.
enum Parsed {
    Database(Option<DatabaseRead>),
    Source(Option<DataSourceRead>),
    Query(QueryPage),
    Page(Option<PageRead>),
    Walk(ChildrenPage),
    Relation(RelationPage),
}

/// What one round sends: items and progress.
#[derive(Default)]
struct Round {
    items: Vec<IntegrationItem>,
    pages: u64,
    databases: u64,
    sources: u64,
    by_walk: u64,
    skipped: u64,
}

impl Round {
    fn emit(self, ctx: &Ctx) {
        if !self.items.is_empty() {
            ctx.send_items(self.items);
        }
        for (kind, n) in [
            (PAGES, self.pages),
            (DATABASES, self.databases),
            (DATA_SOURCES, self.sources),
            (FOUND_BY_WALK, self.by_walk),
            (SKIPPED, self.skipped),
        ] {
            if n > 0 {
                ctx.progress(kind, n);
            }
        }
    }
}

pub(crate) async fn run(ctx: &Ctx, state: &mut State) {
    let state: &mut Walk = &mut state.0;
    let budget = super::budget(ctx.session.config());
    if let Err(e) = search(ctx, &budget, state).await {
        return ctx.fail(e);
    }
    loop {
        let mut tasks = state.next_tasks(CONCURRENCY);
        if tasks.is_empty() {
            let mut round = Round::default();
            let more = state.flush_leftovers(&mut round);
            state.settle(&mut round);
            round.emit(ctx);
            if more {
                continue;
            }
            break;
        }
        let answers = join_all(tasks.iter().map(|t| fetch_task(ctx, &budget, t))).await;
        let mut round = Round::default();
        let mut failure = None;
        for (task, answer) in tasks.drain(..).zip(answers) {
            let parsed = answer.and_then(|body| parse(&task, &body));
            match parsed {
                Ok(parsed) => {
                    if let Err(e) = state.apply(task, parsed, &mut round) {
                        failure.get_or_insert(e);
                    }
                }
                Err(e) if failure.is_none() && skippable(&task, &e) => {
                    tracing::warn!(provider = "notion", error = %e, "skipped");
                    state.skip(task, &mut round);
                }
                Err(e) => {
                    state.put_back(task);
                    failure.get_or_insert(e);
                }
            }
        }
        state.settle(&mut round);
        round.emit(ctx);
        if let Some(e) = failure {
            return ctx.fail(e);
        }
    }
    // Parents that arrived after their children: send those children again, named.
    let mut named = Vec::new();
    for mut item in std::mem::take(&mut state.orphans) {
        let name = item
            .parent_id
            .as_deref()
            .and_then(|p| state.names.get(&bare(p)));
        if let Some(name) = name {
            item.parent_path_or_name = Some(name.clone());
            named.push(item);
        }
    }
    ctx.resend(named);
}

/// Step 1: the search cursor.
async fn search(ctx: &Ctx, budget: &Budget, state: &mut Walk) -> Result<(), Error> {
    let mut cursors = CursorLog::default();
    while !state.searched {
        let call = Call {
            budget,
            endpoint: SEARCH_ENDPOINT.to_string(),
            url: ctx.url(&["v1", "search"], &[]),
            json: Some(search_body(state.search_next.as_deref())),
        };
        let page = ctx
            .fetch(&call)
            .await
            .and_then(|body| parse_search_page(&body))?;
        if cursors.repeats(page.next.as_ref()) {
            return Err(ctx.stuck(SEARCH_ENDPOINT));
        }
        let mut round = Round::default();
        for read in page.pages {
            state.take_searched_page(read, &mut round);
        }
        for source in page.data_sources {
            state.take_searched_source(source);
        }
        state.settle(&mut round);
        round.emit(ctx);
        state.searched = page.next.is_none();
        state.search_next = page.next;
    }
    Ok(())
}

/// The request of one task.
async fn fetch_task(ctx: &Ctx, budget: &Budget, task: &Task) -> Result<Value, Error> {
    let page_size = ("page_size", PAGE_SIZE.to_string());
    let cursor = |c: &Option<String>| {
        let mut q = vec![page_size.clone()];
        if let Some(c) = c {
            q.push(("start_cursor", c.clone()));
        }
        q
    };
    let (endpoint, url, json) = match task {
        Task::Database(t) => (
            database_endpoint(&t.id),
            ctx.url(&["v1", "databases", &t.id], &[]),
            None,
        ),
        Task::Source(id) => (
            data_source_endpoint(id),
            ctx.url(&["v1", "data_sources", id], &[]),
            None,
        ),
        Task::Query(t) => (
            query_endpoint(&t.source),
            ctx.url(&["v1", "data_sources", &t.source, "query"], &[]),
            Some(query_body(t.cursor.as_deref(), t.window.as_deref())),
        ),
        Task::Page(t) => (
            page_endpoint(&t.id),
            ctx.url(&["v1", "pages", &t.id], &[]),
            None,
        ),
        Task::Walk(t) => (
            children_endpoint(&t.block),
            ctx.url(&["v1", "blocks", &t.block, "children"], &cursor(&t.cursor)),
            None,
        ),
        // Property ids come URL-encoded; the URL builder encodes them again, so
        // they go in decoded (never encoded twice).
        Task::Relation(t) => (
            property_endpoint(&t.page, &t.property),
            ctx.url(
                &["v1", "pages", &t.page, "properties", &percent_decoded(&t.property)],
                &cursor(&t.cursor),
            ),
            None,
        ),
    };
    ctx.fetch(&Call {
        budget,
        endpoint,
        url,
        json,
    })
    .await
}

fn parse(task: &Task, body: &Value) -> Result<Parsed, Error> {
    Ok(match task {
        Task::Database(_) => Parsed::Database(read_database(body)),
        Task::Source(_) => Parsed::Source(read_data_source(body)),
        Task::Query(t) => Parsed::Query(parse_query_page(&t.source, body)?),
        Task::Page(_) => Parsed::Page(read_page(body)),
        Task::Walk(t) => Parsed::Walk(parse_children_page(&t.block, body)?),
        Task::Relation(t) => Parsed::Relation(parse_relation_page(
            &property_endpoint(&t.page, &t.property),
            body,
        )?),
    })
}

/// A 4xx on one object (not search): it cannot be read (a linked database view, a page
/// no longer shared); the rest of the load goes on.
fn skippable(task: &Task, e: &Error) -> bool {
    let Error::ProviderHttp { status, .. } = e else {
        return false;
    };
    match task {
        // A data source that is not shared (404) or not readable (403); any other
        // 4xx on a query is a request Junction got wrong, so it fails the load.
        Task::Query(_) => matches!(status, 403 | 404),
        _ => (400..500).contains(status),
    }
}

impl Walk {
    /// Fills the parents' names of a round's items from what is known once the whole
    /// round is in (a parent may come later in the same page); the others are sent
    /// again at the end if their parent's name turns up.
    fn settle(&mut self, round: &mut Round) {
        for item in &mut round.items {
            if item.parent_path_or_name.is_some() {
                continue;
            }
            let Some(parent) = item.parent_id.as_deref().map(bare) else {
                continue;
            };
            match self.names.get(&parent) {
                Some(name) => item.parent_path_or_name = Some(name.clone()),
                None => self.orphans.push(item.clone()),
            }
        }
    }

    /// Up to `n` tasks, most urgent first: relations (their rows wait), data sources
    /// and databases (they lead to rows), queries, pages, then block lists.
    fn next_tasks(&mut self, n: usize) -> Vec<Task> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let task = if let Some(t) = self.relations.pop_front() {
                Task::Relation(t)
            } else if let Some(t) = self.sources.pop_front() {
                Task::Source(t)
            } else if let Some(t) = self.databases.pop_front() {
                Task::Database(t)
            } else if let Some(t) = self.queries.pop_front() {
                Task::Query(Box::new(t))
            } else if let Some(t) = self.pages.pop_front() {
                Task::Page(t)
            } else if let Some(t) = self.walks.pop_front() {
                Task::Walk(t)
            } else {
                break;
            };
            out.push(task);
        }
        out
    }

    /// A task whose request failed goes back first in its queue (the resume point).
    fn put_back(&mut self, task: Task) {
        match task {
            Task::Database(t) => self.databases.push_front(t),
            Task::Source(t) => self.sources.push_front(t),
            Task::Query(t) => self.queries.push_front(*t),
            Task::Page(t) => self.pages.push_front(t),
            Task::Walk(t) => self.walks.push_front(t),
            Task::Relation(t) => self.relations.push_front(t),
        }
    }

    /// A task that cannot be done: counted as skipped. A relation that cannot be read
    /// keeps the references the page object had.
    fn skip(&mut self, task: Task, round: &mut Round) {
        round.skipped += 1;
        if let Task::Relation(t) = task {
            self.relation_done(&t.page, round, |_| {});
        }
    }

    fn queue_database(&mut self, id: &str, by_walk: bool) {
        if self.known.insert(bare(id)) {
            self.databases.push_back(DatabaseTask {
                id: id.to_string(),
                by_walk,
            });
        }
    }

    fn queue_walk(&mut self, block: &str, page: &str) {
        let key = bare(block);
        if self.listed.insert(key.clone()) {
            if let Some(name) = self.names.get(page).cloned() {
                self.names.entry(key).or_insert(name);
            }
            self.walks.push_back(WalkTask {
                block: block.to_string(),
                page: page.to_string(),
                cursor: None,
                cursors: CursorLog::default(),
            });
        }
    }

    fn take_searched_page(&mut self, read: PageRead, round: &mut Round) {
        let Some(id) = read.item.id.clone() else {
            return;
        };
        let key = bare(&id);
        if read.in_trash || self.known.contains(&key) {
            return;
        }
        if read.partial {
            self.known.insert(key);
            self.pages.push_back(PageTask { id, by_walk: false });
            return;
        }
        if let Some((source, database)) = read.row_of.clone() {
            // Rows come from their data source's query; this one waits in case it
            // does not (then it is sent as search gave it).
            match database {
                Some(db) => self.queue_database(&db, false),
                None => {
                    let key = bare(&source);
                    let queued = self.sources.iter().any(|s| bare(s) == key);
                    if !queued && !self.labels.contains_key(&key) {
                        self.sources.push_back(source)
                    }
                }
            }
            self.searched_rows.insert(
                key,
                Row {
                    item: read.item,
                    truncated: read.truncated,
                },
            );
            return;
        }
        self.known.insert(key);
        self.send_page(read, round);
    }

    fn take_searched_source(&mut self, source: DataSourceRead) {
        let key = bare(&source.id);
        if source.in_trash || self.known.contains(&key) {
            return;
        }
        match source.database_id.clone() {
            Some(database) => {
                self.queue_database(&database, false);
                self.searched_sources.insert(
                    key,
                    SourceSeen {
                        item: source.item,
                        database,
                    },
                );
            }
            // Partial: read it for its database.
            None => self.sources.push_back(source.id),
        }
    }

    /// Sends a page (or holds it for its relations), and queues its block walk.
    fn send_page(&mut self, read: PageRead, round: &mut Round) {
        let PageRead {
            mut item,
            truncated,
            ..
        } = read;
        let Some(id) = item.id.clone() else { return };
        let key = bare(&id);
        if let Some(name) = &item.name {
            self.names.insert(key.clone(), name.clone());
        }
        self.queue_walk(&id, &key);
        if truncated.is_empty() {
            self.emit_item(item, round);
            return;
        }
        item.table = None;
        self.held.insert(
            key,
            Held {
                item,
                waiting: truncated.len(),
            },
        );
        for t in truncated {
            self.relations.push_back(RelationTask {
                page: id.clone(),
                name: t.name,
                property: t.id,
                cursor: None,
                ids: Vec::new(),
                cursors: CursorLog::default(),
            });
        }
    }

    /// Sends an item in this round: a row's provider table set, counted in the round's
    /// progress (its parent's name is filled when the round is settled).
    fn emit_item(&mut self, mut item: IntegrationItem, round: &mut Round) {
        if let Some(name) = &item.name {
            if let Some(id) = &item.id {
                self.names.entry(bare(id)).or_insert_with(|| name.clone());
            }
        }
        if item.item_type.as_deref() == Some(PAGE) {
            let label = item
                .parent_id
                .as_deref()
                .and_then(|p| self.labels.get(&bare(p)));
            if let (Some(ds), Some(label)) = (item.parent_id.clone(), label) {
                item.table = Some(RowTable {
                    id: ds,
                    name: label.clone(),
                });
            }
        }
        match item.item_type.as_deref() {
            Some(DATABASE) => round.databases += 1,
            Some(DATA_SOURCE) => round.sources += 1,
            _ => round.pages += 1,
        }
        round.items.push(item);
    }

    fn apply(&mut self, task: Task, parsed: Parsed, round: &mut Round) -> Result<(), Error> {
        match (task, parsed) {
            (Task::Database(t), Parsed::Database(read)) => self.database_read(t, read, round),
            (Task::Source(_), Parsed::Source(read)) => self.source_read(read),
            (Task::Query(t), Parsed::Query(page)) => return self.query_page(*t, page, round),
            (Task::Page(t), Parsed::Page(read)) => match read {
                Some(read) if !read.in_trash => {
                    if t.by_walk {
                        round.by_walk += 1;
                    }
                    self.send_page(read, round);
                }
                Some(_) => {}
                None => round.skipped += 1,
            },
            (Task::Walk(t), Parsed::Walk(page)) => return self.children_page(t, page),
            (Task::Relation(t), Parsed::Relation(page)) => self.relation_page(t, page, round),
            // Every task is parsed as its own kind.
            _ => {}
        }
        Ok(())
    }

    /// A database: its item, and a query for each of its data sources.
    fn database_read(&mut self, task: DatabaseTask, read: Option<DatabaseRead>, round: &mut Round) {
        let read = match read {
            None => {
                round.skipped += 1;
                return;
            }
            Some(r) if r.in_trash => return,
            Some(r) => r,
        };
        let DatabaseRead {
            item, data_sources, ..
        } = read;
        let database = item.id.clone().unwrap_or(task.id);
        let name = item.name.clone();
        if let Some(n) = &name {
            self.names.insert(bare(&database), n.clone());
        }
        let count = data_sources.len();
        for (source, source_name) in data_sources {
            let key = bare(&source);
            if !self.known.insert(key.clone()) {
                continue;
            }
            let label = row_label(name.as_deref(), source_name.as_deref(), count);
            self.labels.insert(key.clone(), label.clone());
            self.names.insert(key.clone(), label);
            let item = match self.searched_sources.remove(&key) {
                Some(seen) => seen.item,
                None => {
                    // Search did not return it: read it for its times and URL.
                    self.sources.push_back(source.clone());
                    listed_data_source(&source, source_name.as_deref(), &database)
                }
            };
            self.queries.push_back(QueryTask {
                source,
                database: database.clone(),
                cursor: None,
                window: None,
                capped: false,
                last_created: None,
                rows: Vec::new(),
                item,
                cursors: CursorLog::default(),
            });
        }
        if task.by_walk {
            round.by_walk += 1;
        }
        self.emit_item(item, round);
    }

    /// A data source read: a partial search result now knows its database; one that
    /// search missed gets its full item.
    fn source_read(&mut self, read: Option<DataSourceRead>) {
        let Some(read) = read.filter(|r| !r.in_trash) else {
            return;
        };
        let key = bare(&read.id);
        if self.known.contains(&key) {
            // Its query may be in flight: its item is taken when the rows are in.
            self.source_items.insert(key, read.item);
            return;
        }
        if let Some(database) = read.database_id.clone() {
            self.queue_database(&database, false);
            self.searched_sources.insert(
                key,
                SourceSeen {
                    item: read.item,
                    database,
                },
            );
        }
    }

    fn query_page(
        &mut self,
        mut task: QueryTask,
        page: QueryPage,
        round: &mut Round,
    ) -> Result<(), Error> {
        let endpoint = query_endpoint(&task.source);
        if task.cursors.repeats(page.next.as_ref()) {
            self.queries.push_front(task);
            return Err(stuck(&endpoint));
        }
        for mut row in page.rows {
            let Some(id) = row.item.id.clone() else {
                continue;
            };
            let key = bare(&id);
            self.searched_rows.remove(&key);
            // Seen already: at the edge of a window, or from another way in.
            if row.in_trash || !self.known.insert(key) {
                continue;
            }
            task.rows.push(id);
            row.item
                .parent_id
                .get_or_insert_with(|| task.source.clone());
            self.send_page(row, round);
        }
        task.capped |= page.incomplete;
        if page.last_created.is_some() {
            task.last_created = page.last_created;
        }
        if let Some(next) = page.next {
            task.cursor = Some(next);
            self.queries.push_front(task);
            return Ok(());
        }
        if task.capped {
            // Cut at Notion's cap: go on from the last row's created_time. If that
            // did not move, every row left shares one minute: no window can reach them.
            if task.last_created.is_some() && task.last_created != task.window {
                task.window = task.last_created.clone();
                task.cursor = None;
                task.cursors.clear();
                task.capped = false;
                self.queries.push_front(task);
                return Ok(());
            }
            let reason = format!(
                "a query returns at most 10,000 rows, and more rows than that were created in the minute of {}: the rest cannot be listed",
                task.window.as_deref().unwrap_or("the first row")
            );
            self.queries.push_front(task);
            return Err(Error::ProviderResponse {
                provider: ProviderId::Notion.display_name().into(),
                endpoint,
                reason,
            });
        }
        // Every row is in: the data source, with their ids; then any row search gave
        // that the query did not return.
        let key = bare(&task.source);
        let mut item = self.source_items.remove(&key).unwrap_or(task.item);
        item.children = Some(task.rows);
        item.parent_id.get_or_insert(task.database);
        self.emit_item(item, round);
        let left: Vec<String> = self
            .searched_rows
            .iter()
            .filter(|(_, r)| r.item.parent_id.as_deref().map(bare).as_ref() == Some(&key))
            .map(|(k, _)| k.clone())
            .collect();
        for k in left {
            if let Some(row) = self.searched_rows.remove(&k) {
                if self.known.insert(k) {
                    self.send_page(row.read(), round);
                }
            }
        }
        Ok(())
    }

    fn children_page(&mut self, mut task: WalkTask, page: ChildrenPage) -> Result<(), Error> {
        if task.cursors.repeats(page.next.as_ref()) {
            let endpoint = children_endpoint(&task.block);
            self.walks.push_front(task);
            return Err(stuck(&endpoint));
        }
        for id in page.pages {
            if self.known.insert(bare(&id)) {
                self.pages.push_back(PageTask { id, by_walk: true });
            }
        }
        for id in page.databases {
            self.queue_database(&id, true);
        }
        for id in page.containers {
            self.queue_walk(&id, &task.page);
        }
        if let Some(next) = page.next {
            task.cursor = Some(next);
            self.walks.push_front(task);
        }
        Ok(())
    }

    fn relation_page(&mut self, mut task: RelationTask, page: RelationPage, round: &mut Round) {
        task.ids.extend(page.ids);
        match page.next {
            // A repeating cursor keeps what came so far rather than looping.
            Some(next) if !task.cursors.repeats(Some(&next)) => {
                task.cursor = Some(next);
                self.relations.push_front(task);
            }
            _ => {
                let RelationTask { page, name, ids, .. } = task;
                let ids = Value::Array(ids.into_iter().map(Value::String).collect());
                self.relation_done(&page, round, |item| {
                    item.properties.insert(name, ids);
                });
            }
        }
    }

    /// One relation of a held row is complete: the row goes once all are.
    fn relation_done(
        &mut self,
        page: &str,
        round: &mut Round,
        update: impl FnOnce(&mut IntegrationItem),
    ) {
        let key = bare(page);
        let Some(held) = self.held.get_mut(&key) else {
            return;
        };
        update(&mut held.item);
        held.waiting = held.waiting.saturating_sub(1);
        if held.waiting == 0 {
            if let Some(held) = self.held.remove(&key) {
                self.emit_item(held.item, round);
            }
        }
    }

    /// When every queue is empty: data sources search returned whose database could
    /// not be read are queried on their own, and rows search returned that no query
    /// did are sent as search gave them. `true` when that made more work.
    fn flush_leftovers(&mut self, round: &mut Round) -> bool {
        let mut more = false;
        for (key, seen) in std::mem::take(&mut self.searched_sources) {
            if !self.known.insert(key.clone()) {
                continue;
            }
            let label = seen.item.name.clone().unwrap_or_else(|| "Untitled".into());
            self.labels.insert(key.clone(), label.clone());
            self.names.insert(key, label);
            let source = seen.item.id.clone().unwrap_or_default();
            self.queries.push_back(QueryTask {
                source,
                database: seen.database,
                cursor: None,
                window: None,
                capped: false,
                last_created: None,
                rows: Vec::new(),
                item: seen.item,
                cursors: CursorLog::default(),
            });
            more = true;
        }
        for (key, row) in std::mem::take(&mut self.searched_rows) {
            if self.known.insert(key) {
                self.send_page(row.read(), round);
                more = true;
            }
        }
        more
    }
}

fn stuck(endpoint: &str) -> Error {
    crate::fetch::stuck(ProviderId::Notion, endpoint)
}

/// Notion ids compared bare: no dashes, lowercase.
fn bare(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Percent-decodes a property id (`f%5C%5C%3Ap` → `f\\:p`); an invalid escape stays
/// as it is.
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_ids_are_decoded_once() {
        assert_eq!(percent_decoded("f%5C%5C%3Ap"), "f\\\\:p");
        assert_eq!(percent_decoded("title"), "title");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%3"), "%zz%3");
    }

    #[test]
    fn ids_compare_bare() {
        assert_eq!(
            bare("59833787-2CF9-4fdf-8782-e53db20768a5"),
            "598337872cf94fdf8782e53db20768a5"
        );
    }
}
