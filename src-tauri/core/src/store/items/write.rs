//! Writing loads: a set per load, one transaction per batch, the staged swap.

use std::fs::File;
use std::path::PathBuf;

use chrono::Utc;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::index::SEP;
use super::query::PendingRow;
use super::text::fold_into;
use super::{sql, ItemStore, SetId};
use crate::item::{format_time, write_time};
use crate::{Error, IntegrationItem, ProviderId, Result};

/// A load's place in the store, held while the load runs.
pub struct LoadSet {
    pub id: SetId,
    pub provider: ProviderId,
    pub account: String,
    /// Where the stopped load this one continues left off (`None`: from the start).
    pub resume_point: Option<String>,
    /// Items the set already holds (a resumed load's earlier ones).
    pub count: u64,
    /// Held for the load's lifetime: another process that can lock it knows the
    /// load is gone (a crash), not running.
    _lease: File,
}

/// A new row.
const INSERT: &str = "INSERT INTO items (set_id, provider, account, item_type, id, directory,
        parent_path_or_name, parent_id, name, creation_time, last_modified_time, url,
        children, mime_type, delta, drive_id, visibility, properties, search, created_ms,
        modified_ms, associations, table_id, table_name)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
        ?19, ?20, ?21, ?22, ?23, ?24)";

/// A row written again (same set and key): the set keeps one row per key, and the
/// row keeps its rowid (its place in arrival order).
const UPDATE: &str = "UPDATE items SET directory = ?6, parent_path_or_name = ?7,
        parent_id = ?8, name = ?9, creation_time = ?10, last_modified_time = ?11, url = ?12,
        children = ?13, mime_type = ?14, delta = ?15, drive_id = ?16, visibility = ?17,
        properties = ?18, search = ?19, created_ms = ?20, modified_ms = ?21,
        associations = ?22, table_id = ?23, table_name = ?24
    WHERE set_id = ?1 AND item_type = ?4 AND id = ?5 AND provider = ?2 AND account = ?3
    RETURNING rowid";

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// Text encoded for one row, reused from row to row of a batch.
#[derive(Default)]
struct Buffers {
    created: String,
    modified: String,
    children: String,
    properties: String,
    associations: String,
    search: String,
}

impl Buffers {
    fn fill(&mut self, item: &IntegrationItem) {
        self.created.clear();
        self.modified.clear();
        if let Some(t) = &item.creation_time {
            write_time(&mut self.created, t);
        }
        if let Some(t) = &item.last_modified_time {
            write_time(&mut self.modified, t);
        }
        self.children.clear();
        if let Some(c) = &item.children {
            json_into(&mut self.children, c);
        }
        self.properties.clear();
        json_into(&mut self.properties, &item.properties);
        self.associations.clear();
        if let Some(a) = &item.associations {
            json_into(&mut self.associations, a);
        }
        search_text(item, &mut self.search);
    }
}

/// Rows encoded per step of a batch.
const STEP: usize = 100;

/// Hands each of `items` with its encoded text to `insert`, in order, and returns
/// the tables they add to. A helper thread encodes the next step's rows while
/// `insert` (SQLite) takes this step's: encoding is about a third of a row's cost, and
/// the two overlap on two cores.
fn encoded(
    items: &[IntegrationItem],
    mut insert: impl FnMut(&IntegrationItem, &Buffers) -> Result<()>,
) -> Result<super::tables::Seen> {
    use std::sync::mpsc::{channel, sync_channel};
    let encode =
        |step: &[IntegrationItem], bufs: &mut Vec<Buffers>, seen: &mut super::tables::Seen| {
            bufs.resize_with(step.len(), Buffers::default);
            for (b, item) in bufs.iter_mut().zip(step) {
                b.fill(item);
                seen.add(item);
            }
        };
    if items.len() <= STEP {
        let (mut bufs, mut seen) = (Vec::new(), super::tables::Seen::default());
        encode(items, &mut bufs, &mut seen);
        for (item, b) in items.iter().zip(&bufs) {
            insert(item, b)?;
        }
        return Ok(seen);
    }
    std::thread::scope(|scope| {
        let (full, filled) = sync_channel::<Vec<Buffers>>(1);
        let (free, freed) = channel::<Vec<Buffers>>();
        // Two sets of buffers: one being encoded while the other is inserted.
        for _ in 0..2 {
            let _ = free.send(Vec::new());
        }
        let encoder = scope.spawn(move || {
            let mut seen = super::tables::Seen::default();
            for step in items.chunks(STEP) {
                // Either end gone: the insert stopped on an error.
                let Ok(mut bufs) = freed.recv() else { break };
                encode(step, &mut bufs, &mut seen);
                if full.send(bufs).is_err() {
                    break;
                }
            }
            seen
        });
        for step in items.chunks(STEP) {
            let Ok(bufs) = filled.recv() else { break };
            for (item, b) in step.iter().zip(&bufs) {
                insert(item, b)?;
            }
            let _ = free.send(bufs);
        }
        drop(free);
        drop(filled);
        encoder
            .join()
            .map_err(|_| Error::Internal("the row encoder stopped".into()))
    })
}

/// `value` as JSON into `out` (serializing maps, lists and JSON values cannot fail).
fn json_into(out: &mut String, value: &impl serde::Serialize) {
    let mut bytes = std::mem::take(out).into_bytes();
    if serde_json::to_writer(&mut bytes, value).is_err() {
        bytes.clear();
    }
    *out = String::from_utf8(bytes).unwrap_or_default();
}

/// Rows deleted per transaction when a replaced set is retired, so the other
/// process's writes never wait long.
const DELETE_CHUNK: i64 = 20_000;

impl ItemStore {
    fn lease_path(&self, set: SetId) -> PathBuf {
        super::path_with(&self.inner.path, &format!(".load-{}.lock", set.0))
    }

    /// Whether `set`'s load is alive in some process (its lease is held).
    pub(super) fn lease_held(&self, set: SetId) -> bool {
        use fs4::fs_std::FileExt;
        let Ok(file) = File::options().write(true).open(self.lease_path(set)) else {
            return false;
        };
        match file.try_lock_exclusive() {
            Ok(true) => {
                let _ = FileExt::unlock(&file);
                false
            }
            _ => true,
        }
    }

    fn take_lease(&self, set: SetId) -> Result<File> {
        use fs4::fs_std::FileExt;
        let path = self.lease_path(set);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock_exclusive().map_err(|e| Error::io(&path, e))?;
        Ok(file)
    }

    /// Starts a load of `provider`'s `account`: a new set, or (`resume`) the stopped
    /// load's set when there is one to continue. A fresh load drops earlier partial
    /// sets; it refuses to start while another process is loading the same account.
    pub fn begin(&self, provider: ProviderId, account: &str, resume: bool) -> Result<LoadSet> {
        let mut conn = self.inner.writer.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let partial: Vec<(i64, String, Option<String>, i64)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT id, state, resume_point, item_count FROM item_sets
                     WHERE provider = ?1 AND account = ?2 AND state IN ('loading', 'failed')
                     ORDER BY id DESC",
                )
                .map_err(sql)?;
            let rows = stmt
                .query_map(params![provider.as_str(), account], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<_>>().map_err(sql)?
        };
        for (id, state, ..) in &partial {
            if state == "loading" && self.lease_held(SetId(*id)) {
                return Err(Error::InvalidInput(format!(
                    "{} is already loading (in another Junction window or junction-cli); wait for it or cancel it there",
                    provider.display_name()
                )));
            }
        }
        if resume {
            if let Some((id, _, Some(point), count)) = partial.first().cloned() {
                let set = SetId(id);
                let lease = self.take_lease(set)?;
                tx.execute(
                    "UPDATE item_sets SET state = 'loading', error_code = NULL, error_message = NULL
                     WHERE id = ?1",
                    [id],
                )
                .map_err(sql)?;
                tx.commit().map_err(sql)?;
                return Ok(LoadSet {
                    id: set,
                    provider,
                    account: account.to_string(),
                    resume_point: Some(point),
                    count: count.max(0) as u64,
                    _lease: lease,
                });
            }
        }
        for (id, ..) in &partial {
            delete_set(&tx, SetId(*id))?;
        }
        tx.execute(
            "INSERT INTO item_sets (provider, account, state, started_at) VALUES (?1, ?2, 'loading', ?3)",
            params![provider.as_str(), account, format_time(&Utc::now())],
        )
        .map_err(sql)?;
        let set = SetId(tx.last_insert_rowid());
        let lease = self.take_lease(set)?;
        let first: bool = tx
            .query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM item_sets WHERE provider = ?1 AND account = ?2
                 AND state = 'complete')",
                params![provider.as_str(), account],
                |r| r.get(0),
            )
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        drop(conn);
        if first {
            // A first load is on screen as it arrives.
            self.inner.visible.lock().insert(set);
        }
        if !partial.is_empty() {
            // A partial first load was on screen; the new load replaces it.
            self.invalidate_view();
        }
        Ok(LoadSet {
            id: set,
            provider,
            account: account.to_string(),
            resume_point: None,
            count: 0,
            _lease: lease,
        })
    }

    /// Writes one batch in one transaction. A key already in the set is replaced
    /// (a resumed load, or an item sent again with more filled in).
    pub fn write_batch(&self, set: &LoadSet, items: &[IntegrationItem]) -> Result<()> {
        let mut rowids: Vec<i64> = Vec::with_capacity(items.len());
        // A first load's rows go to the index too, when there is one: keep their
        // search text.
        let shown = self.inner.visible.lock().contains(&set.id) && self.index_wants_rows();
        let mut searches: Vec<String> = Vec::with_capacity(if shown { items.len() } else { 0 });
        {
            let mut conn = self.inner.writer.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            // The set may have been dropped meanwhile (a Disconnect, or the other
            // process starting over): its rows would belong to nothing.
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM item_sets WHERE id = ?1",
                    [set.id.0],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql)?;
            if state.as_deref() != Some("loading") {
                return Err(Error::Cancelled);
            }
            let seen = {
                let mut insert = tx.prepare_cached(INSERT).map_err(sql)?;
                encoded(items, |item, b| {
                    let values = params![
                        set.id.0,
                        item.provider.as_str(),
                        set.account,
                        item.item_type.as_deref().unwrap_or(""),
                        item.id.as_deref().unwrap_or(""),
                        item.directory,
                        item.parent_path_or_name,
                        item.parent_id,
                        item.name,
                        item.creation_time.map(|_| b.created.as_str()),
                        item.last_modified_time.map(|_| b.modified.as_str()),
                        item.url,
                        item.children.as_ref().map(|_| b.children.as_str()),
                        item.mime_type,
                        item.delta,
                        item.drive_id,
                        item.visibility,
                        b.properties.as_str(),
                        b.search.as_str(),
                        item.creation_time.map(|t| t.timestamp_millis()),
                        item.last_modified_time.map(|t| t.timestamp_millis()),
                        item.associations.as_ref().map(|_| b.associations.as_str()),
                        item.table.as_ref().map(|t| t.id.as_str()),
                        item.table.as_ref().map(|t| t.name.as_str()),
                    ];
                    // Most rows are new: a plain insert. A key the set already has (a
                    // resumed load, an item sent again) is updated in place instead.
                    let rowid = match insert.execute(values) {
                        Ok(_) => tx.last_insert_rowid(),
                        Err(e) if is_unique_violation(&e) => {
                            let mut update = tx.prepare_cached(UPDATE).map_err(sql)?;
                            update.query_row(values, |r| r.get(0)).map_err(sql)?
                        }
                        Err(e) => return Err(sql(e)),
                    };
                    rowids.push(rowid);
                    if shown {
                        searches.push(b.search.clone());
                    }
                    Ok(())
                })?
            };
            seen.save(&tx, set.id)?;
            tx.commit().map_err(sql)?;
        }
        // After the commit (so an index build that missed these rows in its snapshot
        // finds them queued): rows of a set on screen go to the index.
        if self.inner.visible.lock().contains(&set.id) && self.index_wants_rows() {
            if !shown {
                // The set became visible while the batch was written (an index build).
                let mut scratch = String::new();
                searches = items
                    .iter()
                    .map(|item| search_text(item, &mut scratch).to_string())
                    .collect();
            }
            let rows = items
                .iter()
                .zip(&rowids)
                .zip(searches)
                .map(|((item, &rowid), search)| PendingRow {
                    set: set.id,
                    rowid,
                    provider: item.provider,
                    account: set.account.clone(),
                    item_type: item.item_type.clone().unwrap_or_default(),
                    search,
                    created: item.creation_time.map(|t| t.timestamp_millis()),
                    modified: item.last_modified_time.map(|t| t.timestamp_millis()),
                });
            self.inner.pending.lock().extend(rows);
            if let Some(mut view) = self.inner.view.try_lock() {
                let visible = self.inner.visible.lock().clone();
                view.apply(&mut self.inner.pending.lock(), &visible);
            }
        }
        Ok(())
    }

    /// Whether rows written now must be queued for the index: it exists, or a build
    /// may be reading a snapshot from before this commit (builds hold the view
    /// throughout). With neither, the next build reads the rows from SQL, and a queue
    /// would only grow: a first load the table never sorts or searches would keep
    /// every row's search text in memory twice.
    fn index_wants_rows(&self) -> bool {
        self.inner
            .view
            .try_lock()
            .is_none_or(|view| view.has_index())
    }

    /// The load finished: its set becomes the account's complete set, in one
    /// transaction with retiring the set it replaces (whose rows are then deleted in
    /// chunks). Returns the set's item count.
    pub fn complete(&self, set: LoadSet) -> Result<u64> {
        let (count, replaced) = {
            let mut conn = self.inner.writer.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let count: i64 = tx
                .query_row(
                    "SELECT count(*) FROM items WHERE set_id = ?1",
                    [set.id.0],
                    |r| r.get(0),
                )
                .map_err(sql)?;
            let replaced: Vec<i64> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id FROM item_sets WHERE provider = ?1 AND account = ?2
                         AND state = 'complete' AND id != ?3",
                    )
                    .map_err(sql)?;
                let rows = stmt
                    .query_map(params![set.provider.as_str(), set.account, set.id.0], |r| {
                        r.get(0)
                    })
                    .map_err(sql)?;
                rows.collect::<rusqlite::Result<_>>().map_err(sql)?
            };
            tx.execute(
                "UPDATE item_sets SET state = 'superseded' WHERE provider = ?1 AND account = ?2
                 AND state = 'complete' AND id != ?3",
                params![set.provider.as_str(), set.account, set.id.0],
            )
            .map_err(sql)?;
            let type_counts: std::collections::BTreeMap<String, i64> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT item_type, count(*) FROM items WHERE set_id = ?1 GROUP BY item_type",
                    )
                    .map_err(sql)?;
                let rows = stmt
                    .query_map([set.id.0], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(sql)?;
                rows.collect::<rusqlite::Result<_>>().map_err(sql)?
            };
            tx.execute(
                "UPDATE item_sets SET state = 'complete', finished_at = ?2, item_count = ?3,
                    type_counts = ?4, resume_point = NULL, error_code = NULL, error_message = NULL
                 WHERE id = ?1",
                params![
                    set.id.0,
                    format_time(&Utc::now()),
                    count,
                    serde_json::to_string(&type_counts).unwrap_or_default()
                ],
            )
            .map_err(sql)?;
            tx.commit().map_err(sql)?;
            (count.max(0) as u64, replaced)
        };
        if !replaced.is_empty() {
            self.invalidate_view();
        }
        for old in replaced {
            self.retire(SetId(old))?;
        }
        self.drop_lease(set);
        // A load ends here: its pages and buffers have been freed.
        super::memory::trim();
        Ok(count)
    }

    /// The load stopped: its rows stay, for Resume when `resume_point` is given.
    pub fn fail(
        &self,
        set: LoadSet,
        code: crate::ErrorCode,
        message: &str,
        resume_point: Option<&str>,
    ) -> Result<()> {
        {
            let conn = self.inner.writer.lock();
            conn.execute(
                "UPDATE item_sets SET state = 'failed', finished_at = ?2, error_code = ?3,
                    error_message = ?4, resume_point = ?5,
                    item_count = (SELECT count(*) FROM items WHERE set_id = ?1)
                 WHERE id = ?1",
                params![
                    set.id.0,
                    format_time(&Utc::now()),
                    code.as_str(),
                    message,
                    resume_point
                ],
            )
            .map_err(sql)?;
        }
        self.drop_lease(set);
        super::memory::trim();
        Ok(())
    }

    fn drop_lease(&self, set: LoadSet) {
        let path = self.lease_path(set.id);
        drop(set);
        let _ = std::fs::remove_file(path);
    }

    /// Deletes a replaced set's rows, a chunk per transaction.
    fn retire(&self, set: SetId) -> Result<()> {
        loop {
            let conn = self.inner.writer.lock();
            let deleted = conn
                .execute(
                    "DELETE FROM items WHERE rowid IN
                        (SELECT rowid FROM items WHERE set_id = ?1 LIMIT ?2)",
                    params![set.0, DELETE_CHUNK],
                )
                .map_err(sql)?;
            if deleted == 0 {
                conn.execute("DELETE FROM item_sets WHERE id = ?1", [set.0])
                    .map_err(sql)?;
                return Ok(());
            }
        }
    }

    /// The stopped load's resume point, if it has one (tests, status).
    pub fn resume_point(&self, provider: ProviderId, account: &str) -> Result<Option<String>> {
        let conn = self.inner.reader.lock();
        conn.query_row(
            "SELECT resume_point FROM item_sets WHERE provider = ?1 AND account = ?2
             AND state = 'failed' ORDER BY id DESC LIMIT 1",
            params![provider.as_str(), account],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()
        .map(Option::flatten)
        .map_err(sql)
    }
}

fn delete_set(tx: &Transaction<'_>, set: SetId) -> Result<()> {
    tx.execute("DELETE FROM items WHERE set_id = ?1", [set.0])
        .map_err(sql)?;
    tx.execute("DELETE FROM item_sets WHERE id = ?1", [set.0])
        .map_err(sql)?;
    Ok(())
}

/// The folded text the search box matches: `name␟parent␟id␟` then every property
/// value, each followed by `␟`.
pub(super) fn search_text<'a>(item: &IntegrationItem, out: &'a mut String) -> &'a str {
    out.clear();
    for field in [&item.name, &item.parent_path_or_name, &item.id] {
        if let Some(text) = field {
            fold_into(text, out);
        }
        out.push(SEP);
    }
    for value in item.properties.values() {
        fold_value_into(value, out);
    }
    out
}

/// Every text and number inside a property value (an array's items, an object's
/// values: a linked record's name, a person's email), each followed by `␟`. Keys,
/// booleans and nulls are not what people search for.
fn fold_value_into(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            fold_into(text, out);
            out.push(SEP);
        }
        Value::Number(n) => {
            fold_into(&n.to_string(), out);
            out.push(SEP);
        }
        Value::Array(items) => items.iter().for_each(|v| fold_value_into(v, out)),
        Value::Object(map) => map.values().for_each(|v| fold_value_into(v, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ItemQuery, Sort, SortColumn, SortDir};
    use super::*;

    fn batch(from: usize, n: usize) -> Vec<IntegrationItem> {
        (from..from + n)
            .map(|i| {
                let mut item = IntegrationItem::new(ProviderId::Notion, "Page", format!("p{i:05}"));
                item.name = Some(format!("Page {i:05}"));
                item
            })
            .collect()
    }

    fn sorted_names(store: &ItemStore) -> Vec<String> {
        let query = ItemQuery {
            sort: Some(Sort {
                column: SortColumn::Name,
                dir: SortDir::Desc,
            }),
            ..ItemQuery::default()
        };
        let result = store.query(&query, 0, 10_000).unwrap();
        result.rows.into_iter().filter_map(|r| r.name).collect()
    }

    #[test]
    fn rows_are_queued_for_the_index_only_while_there_is_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = ItemStore::open(dir.path());
        let set = store.begin(ProviderId::Notion, "", false).unwrap();
        // More than a step, so the encoder thread runs.
        store.write_batch(&set, &batch(0, 3 * STEP + 7)).unwrap();
        assert_eq!(
            store.inner.pending.lock().len(),
            0,
            "no index: nothing queued"
        );

        assert_eq!(sorted_names(&store).len(), 3 * STEP + 7);
        // With an index, a batch goes straight in (a key written again keeps one row).
        store.write_batch(&set, &batch(3 * STEP, 2 * STEP)).unwrap();
        assert_eq!(
            store.inner.pending.lock().len(),
            0,
            "applied, not left queued"
        );
        let names = sorted_names(&store);
        assert_eq!(names.len(), 5 * STEP);
        assert_eq!(names[0], format!("Page {:05}", 5 * STEP - 1));
        assert_eq!(store.complete(set).unwrap(), 5 * STEP as u64);
    }
}
