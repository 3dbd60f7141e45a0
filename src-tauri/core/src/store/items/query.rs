//! Reading the store the way the table does: a query (providers, types, search, sort)
//! gives a total, the rows of one window, and counts for the filter chips; the same
//! query streams every matching item, in order, to an export.
//!
//! The ordered positions of a query are cached (the last few queries), so the
//! consecutive windows of a scroll cost a slice and a few hundred row reads.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rusqlite::{Connection, Row as SqlRow};
use serde::{Deserialize, Serialize};

use super::index::{Filter, Index, NewRow, SortColumn, Texts};
use super::text::search_words;
use super::{sql, ItemStore, SetId};
use crate::item::{parse_time, ItemRecord};
use crate::{IntegrationItem, ProviderId, Result};

/// The rows the table asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ItemQuery {
    /// Only these providers; empty = all.
    #[serde(default)]
    pub providers: Vec<ProviderId>,
    /// Only these types; empty = all.
    #[serde(default)]
    pub types: Vec<String>,
    /// Words that must all appear (case- and accent-insensitive) in the name,
    /// parent, id or a property value.
    #[serde(default)]
    pub search: String,
    /// `None`: arrival order.
    #[serde(default)]
    pub sort: Option<Sort>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub struct Sort {
    pub column: SortColumn,
    pub dir: SortDir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    Asc,
    Desc,
}

/// A row's identity: provider + account + type + id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub struct ItemKey {
    pub provider: ProviderId,
    pub account: String,
    #[serde(rename = "type")]
    pub item_type: String,
    pub id: String,
}

/// What the table shows of a row (the details pane asks for the whole item).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct RowView {
    pub key: ItemKey,
    pub name: Option<String>,
    /// A folder-like item (a base, a table, a database): the table marks it.
    pub directory: bool,
    pub parent: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub url: Option<String>,
}

/// How many rows each filter chip would show, among the rows matching the search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct Counts {
    #[specta(type = BTreeMap<ProviderId, u32>)]
    pub providers: BTreeMap<ProviderId, u64>,
    #[specta(type = BTreeMap<String, u32>)]
    pub types: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct QueryResult {
    /// Rows matching the query (a number in TypeScript, as every count).
    #[specta(type = u32)]
    pub total: u64,
    #[specta(type = u32)]
    pub offset: u64,
    pub rows: Vec<RowView>,
    pub counts: Counts,
}

/// Where [`ItemStore::copy_into_sqlite`] writes: the export's own tables, in the
/// attached database `out`.
pub trait SqliteSink {
    /// Creates `out.items` and a table for each of `tables`.
    fn create(&mut self, conn: &Connection, tables: &[super::TableSchema]) -> rusqlite::Result<()>;
    /// Adds `record` (a row of the provider table `record.table`) to its typed table.
    fn table_row(&mut self, conn: &Connection, record: &ItemRecord<'_>) -> rusqlite::Result<()>;
    /// Called once every row is in.
    fn finish(&mut self, conn: &Connection) -> rusqlite::Result<()>;
}

/// What the store shows: the index of the visible sets, and cached query results.
#[derive(Default)]
pub(super) struct View {
    index: Option<Index>,
    /// The writer connection's `data_version` when the index was built: it changes
    /// when another process commits.
    data_version: i64,
    results: Vec<(ResultKey, Arc<Vec<u32>>)>,
    /// The last search's words: which rows match them, and the chip counts.
    words: Option<WordMatches>,
}

/// A search's words, which rows match them, and the chip counts among those rows.
type WordMatches = (Vec<String>, Arc<Vec<bool>>, Arc<Counts>);

type ResultKey = (Filter, Option<(SortColumn, bool)>);

/// Query results kept for consecutive windows.
const CACHED_RESULTS: usize = 4;

impl View {
    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }

    pub fn invalidate(&mut self) {
        self.index = None;
        self.results.clear();
        self.words = None;
    }

    /// Adds rows a load wrote to a visible set. A build holds the view while it
    /// runs, so whoever holds it without an index knows no build is reading: every
    /// queued row is committed, and the next build reads it from SQL.
    pub fn apply(&mut self, pending: &mut Vec<PendingRow>, visible: &HashSet<SetId>) {
        if pending.is_empty() {
            return;
        }
        let Some(index) = self.index.as_mut() else {
            pending.clear();
            return;
        };
        let mut kept = true;
        for row in pending.drain(..) {
            if visible.contains(&row.set) {
                kept &= index.upsert(row.as_new());
            }
        }
        self.results.clear();
        self.words = None;
        if !kept {
            self.invalidate();
        }
    }
}

/// A row written to a visible set, waiting to enter the index.
pub(super) struct PendingRow {
    pub set: SetId,
    pub rowid: i64,
    pub provider: ProviderId,
    pub account: String,
    pub item_type: String,
    pub search: String,
    pub created: Option<i64>,
    pub modified: Option<i64>,
}

impl PendingRow {
    fn as_new(&self) -> NewRow<'_> {
        NewRow {
            rowid: self.rowid,
            provider: self.provider,
            account: &self.account,
            item_type: &self.item_type,
            search: &self.search,
            created: self.created,
            modified: self.modified,
        }
    }
}

/// Each account's visible set: the complete one, else its newest partial load.
pub(super) const VISIBLE_SETS: &str = "SELECT id FROM item_sets WHERE state = 'complete'
    UNION ALL
    SELECT max(id) FROM item_sets s WHERE state IN ('loading', 'failed')
      AND NOT EXISTS (SELECT 1 FROM item_sets c WHERE c.state = 'complete'
                      AND c.provider = s.provider AND c.account = s.account)
      GROUP BY provider, account";

// Every scan of the visible rows in arrival order says `NOT INDEXED`: given
// `set_id IN (…)`, SQLite would otherwise walk the key index and sort every row by
// rowid in a temporary B-tree (measured at 1,000,000 rows: 4.9 s for one window deep
// in the table, 0.34 s as a plain scan).

pub(super) const ITEM_COLUMNS: &str =
    "provider, account, item_type, id, directory, parent_path_or_name,
    parent_id, name, creation_time, last_modified_time, url, children, mime_type, delta,
    drive_id, visibility, properties, associations, table_id, table_name";

impl ItemStore {
    /// One window of the rows `query` selects, with the total and the chip counts.
    pub fn query(&self, query: &ItemQuery, offset: u64, limit: u64) -> Result<QueryResult> {
        // The unsorted, unfiltered table (what a start shows first) needs no index:
        // while the index is built, SQL serves it.
        let plain = is_plain(query);
        let mut view = match self.inner.view.try_lock() {
            Some(view) if !plain || self.index_current(&view)? => view,
            Some(view) => {
                drop(view);
                self.rebuild_in_background();
                return self.plain_by_sql(offset, limit);
            }
            None if plain => return self.plain_by_sql(offset, limit),
            None => self.inner.view.lock(),
        };
        let positions = self.positions(&mut view, query)?;
        let (_, counts) = words_of(&mut view, &search_words(&query.search));
        let index = view.index.as_ref().expect("positions built the index");
        let start = (offset as usize).min(positions.len());
        let end = start.saturating_add(limit as usize).min(positions.len());
        let rowids: Vec<i64> = positions[start..end]
            .iter()
            .map(|&p| index.row(p).rowid)
            .collect();
        drop(view);
        let rows = self.row_views(&rowids)?;
        Ok(QueryResult {
            total: positions.len() as u64,
            offset: start as u64,
            rows,
            counts: (*counts).clone(),
        })
    }

    /// The whole item with `key`, among the visible rows.
    pub fn get_item(&self, key: &ItemKey) -> Result<Option<IntegrationItem>> {
        let conn = self.inner.reader.lock();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM items WHERE set_id IN ({VISIBLE_SETS})
                 AND item_type = ?3 AND id = ?4 AND provider = ?1 AND account = ?2"
            ))
            .map_err(sql)?;
        let mut rows = stmt
            .query(rusqlite::params![
                key.provider.as_str(),
                key.account,
                key.item_type,
                key.id
            ])
            .map_err(sql)?;
        match rows.next().map_err(sql)? {
            Some(row) => Ok(Some(item_of(row).map_err(sql)?)),
            None => Ok(None),
        }
    }

    /// Every item `query` selects, in its order, to `each`, as stored (no decoding).
    /// Reads on a connection of its own, so the table stays responsive during a long
    /// export, and on a thread of its own, so reading overlaps `each`'s writing.
    pub fn for_each_record(
        &self,
        query: &ItemQuery,
        mut each: impl FnMut(&ItemRecord<'_>) -> Result<()>,
    ) -> Result<u64> {
        let conn = self.read_connection()?;
        let rowids = self.ordered_rowids(query)?;
        super::records::piped(
            move |emit| records_in_order(&conn, rowids, false, emit),
            &mut each,
        )
    }

    /// Copies what `query` selects, in its order, into a new database at `path`
    /// (attached to a connection of its own as `out`): `sink` creates its tables from
    /// the provider tables' schemas, the `items` rows are copied by SQL (no row leaves
    /// SQLite), then `sink` is handed each row of a provider table for its typed table.
    pub fn copy_into_sqlite(
        &self,
        query: &ItemQuery,
        path: &std::path::Path,
        sink: &mut dyn SqliteSink,
    ) -> Result<u64> {
        const COLUMNS: &str = "NULLIF(i.id, ''), NULLIF(i.item_type, ''), i.directory,
            i.parent_path_or_name, i.parent_id, i.name, i.creation_time, i.last_modified_time,
            i.url, i.children, i.mime_type, i.delta, i.drive_id, i.visibility, i.provider,
            i.properties, i.associations";
        let rowids = self.ordered_rowids(query)?;
        let tables = self.table_schemas(query)?;
        let conn = self.read_connection()?;
        let target = path.to_string_lossy();
        conn.execute("ATTACH DATABASE ?1 AS out", [target.as_ref()])
            .map_err(sql)?;
        conn.execute_batch("PRAGMA out.journal_mode = OFF; PRAGMA out.synchronous = OFF;")
            .map_err(sql)?;
        sink.create(&conn, &tables).map_err(sql)?;
        let copied = match &rowids {
            None => conn
                .execute(
                    &format!(
                        "INSERT INTO out.items SELECT {COLUMNS} FROM items AS i NOT INDEXED
                         WHERE i.set_id IN ({VISIBLE_SETS}) ORDER BY i.rowid"
                    ),
                    [],
                )
                .map_err(sql)?,
            Some(rowids) => {
                conn.execute_batch(
                    "CREATE TEMP TABLE export_order (pos INTEGER PRIMARY KEY, row INTEGER NOT NULL)",
                )
                .map_err(sql)?;
                {
                    let tx = conn.unchecked_transaction().map_err(sql)?;
                    {
                        let mut insert = tx
                            .prepare("INSERT INTO temp.export_order (row) VALUES (?1)")
                            .map_err(sql)?;
                        for rowid in rowids {
                            insert.execute([rowid]).map_err(sql)?;
                        }
                    }
                    tx.commit().map_err(sql)?;
                }
                conn.execute(
                    &format!(
                        "INSERT INTO out.items SELECT {COLUMNS} FROM temp.export_order o
                         JOIN items i ON i.rowid = o.row ORDER BY o.pos"
                    ),
                    [],
                )
                .map_err(sql)?
            }
        };
        // One transaction for the typed tables' rows, which a reader of its own reads
        // (in the same order) while this connection writes them.
        let tx = conn.unchecked_transaction().map_err(sql)?;
        if !tables.is_empty() {
            let reader = self.read_connection()?;
            super::records::piped(
                move |emit| records_in_order(&reader, rowids, true, emit),
                |record| sink.table_row(&tx, record).map_err(sql),
            )?;
        }
        sink.finish(&tx).map_err(sql)?;
        tx.commit().map_err(sql)?;
        conn.execute_batch("DETACH DATABASE out").map_err(sql)?;
        Ok(copied as u64)
    }

    /// The rowids `query` selects in its order; `None` for every visible row in
    /// arrival order (which SQL reads faster by itself).
    pub(super) fn ordered_rowids(&self, query: &ItemQuery) -> Result<Option<Vec<i64>>> {
        if is_plain(query) {
            return Ok(None);
        }
        let mut view = self.inner.view.lock();
        let positions = self.positions(&mut view, query)?;
        let index = view.index.as_ref().expect("positions built the index");
        Ok(Some(
            positions.iter().map(|&p| index.row(p).rowid).collect(),
        ))
    }

    /// A connection of its own for a long read (an export, an index build), so the
    /// table's windows keep being served meanwhile.
    fn read_connection(&self) -> Result<Connection> {
        super::connect(&self.inner.path, false).map_err(|d| crate::Error::Store(d.reason()))
    }

    /// The ordered positions of `query`, from the cache or computed.
    fn positions(&self, view: &mut View, query: &ItemQuery) -> Result<Arc<Vec<u32>>> {
        self.refresh(view)?;
        {
            let visible = self.inner.visible.lock().clone();
            view.apply(&mut self.inner.pending.lock(), &visible);
        }
        if view.index.is_none() {
            // A row could not keep its place: build again.
            self.refresh(view)?;
        }
        let filter = Filter {
            providers: (!query.providers.is_empty()).then(|| query.providers.clone()),
            types: (!query.types.is_empty()).then(|| query.types.clone()),
            words: search_words(&query.search),
        };
        let sort = query.sort.map(|s| (s.column, s.dir == SortDir::Desc));
        let key: ResultKey = (filter, sort);
        if let Some((_, hit)) = view.results.iter().find(|(k, _)| *k == key) {
            return Ok(hit.clone());
        }
        let (matches, _) = words_of(view, &key.0.words);
        let index = view.index.as_mut().expect("refresh built the index");
        let (filter, sort) = &key;
        let positions = match sort {
            None => index.select(None, &matches, filter),
            Some((column, descending)) => {
                let order = index.order(*column, *descending, |rowids| self.urls_for(rowids))?;
                index.select(Some(&order), &matches, filter)
            }
        };
        let positions = Arc::new(positions);
        view.results.insert(0, (key, positions.clone()));
        view.results.truncate(CACHED_RESULTS);
        Ok(positions)
    }

    /// The writer connection's `data_version`: it changes when another process
    /// commits.
    fn data_version(&self) -> Result<i64> {
        self.inner
            .writer
            .lock()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(sql)
    }

    fn index_current(&self, view: &View) -> Result<bool> {
        Ok(view.index.is_some() && view.data_version == self.data_version()?)
    }

    /// Builds the index on a thread of its own (after a start, a swap, a foreign
    /// commit), so the first plain windows do not wait for it.
    pub fn rebuild_in_background(&self) {
        use std::sync::atomic::Ordering;
        if self.inner.rebuilding.swap(true, Ordering::SeqCst) {
            return;
        }
        let store = self.clone();
        std::thread::spawn(move || {
            {
                let mut view = store.inner.view.lock();
                if let Err(e) = store.refresh(&mut view) {
                    tracing::warn!(error = %e, "could not build the item index");
                }
            }
            store.inner.rebuilding.store(false, Ordering::SeqCst);
        });
    }

    /// Builds the index now, if it is not current (the benchmark measures with it).
    pub fn warm(&self) -> Result<()> {
        let mut view = self.inner.view.lock();
        self.refresh(&mut view)
    }

    /// The plain table straight from SQL, in arrival order. Counts come from what
    /// each complete set recorded, so nothing is scanned but a partial set's rows.
    fn plain_by_sql(&self, offset: u64, limit: u64) -> Result<QueryResult> {
        let conn = self.inner.reader.lock();
        let snapshot = conn.unchecked_transaction().map_err(sql)?;
        let mut counts = Counts::default();
        let mut total: u64 = 0;
        let mut add = |provider: &str, item_type: String, n: i64| {
            if let Ok(p) = provider.parse::<ProviderId>() {
                let n = n.max(0) as u64;
                *counts.providers.entry(p).or_default() += n;
                *counts.types.entry(item_type).or_default() += n;
                total += n;
            }
        };
        {
            let mut sets = snapshot
                .prepare_cached(&format!(
                    "SELECT id, provider, state, type_counts FROM item_sets
                     WHERE id IN ({VISIBLE_SETS})"
                ))
                .map_err(sql)?;
            let sets: Vec<(i64, String, String, Option<String>)> = sets
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(sql)?
                .collect::<rusqlite::Result<_>>()
                .map_err(sql)?;
            let mut by_type = snapshot
                .prepare_cached(
                    "SELECT item_type, count(*) FROM items WHERE set_id = ?1 GROUP BY item_type",
                )
                .map_err(sql)?;
            for (id, provider, state, recorded) in sets {
                let recorded: Option<BTreeMap<String, i64>> = recorded
                    .filter(|_| state == "complete")
                    .and_then(|json| serde_json::from_str(&json).ok());
                match recorded {
                    Some(types) => types.into_iter().for_each(|(t, n)| add(&provider, t, n)),
                    None => {
                        let rows = by_type
                            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                            .map_err(sql)?;
                        for row in rows {
                            let (t, n) = row.map_err(sql)?;
                            add(&provider, t, n);
                        }
                    }
                }
            }
        }
        let offset = offset.min(total);
        let mut out = Vec::new();
        {
            let mut stmt = snapshot
                .prepare_cached(&format!(
                    "SELECT provider, account, item_type, id, name, parent_path_or_name,
                        creation_time, last_modified_time, url, directory FROM items NOT INDEXED
                     WHERE set_id IN ({VISIBLE_SETS}) ORDER BY rowid LIMIT ?1 OFFSET ?2"
                ))
                .map_err(sql)?;
            let mut rows = stmt.query([limit as i64, offset as i64]).map_err(sql)?;
            while let Some(r) = rows.next().map_err(sql)? {
                if let Some(row) = row_view(r).map_err(sql)? {
                    out.push(row);
                }
            }
        }
        snapshot.finish().map_err(sql)?;
        Ok(QueryResult {
            total,
            offset,
            rows: out,
            counts,
        })
    }

    /// Rebuilds the index when it is gone or another process has committed. Reads on
    /// a connection of its own: windows keep being served meanwhile.
    fn refresh(&self, view: &mut View) -> Result<()> {
        let version = self.data_version()?;
        if view.index.is_some() && version == view.data_version {
            return Ok(());
        }
        view.invalidate();
        let conn = self.read_connection()?;
        // One read transaction: the visible sets and their rows from one snapshot.
        let snapshot = conn.unchecked_transaction().map_err(sql)?;
        let visible: HashSet<SetId> = {
            let mut stmt = snapshot.prepare(VISIBLE_SETS).map_err(sql)?;
            let ids = stmt
                .query_map([], |r| r.get::<_, Option<i64>>(0))
                .map_err(sql)?;
            ids.filter_map(|id| id.ok().flatten()).map(SetId).collect()
        };
        // Writers queue rows for these sets from now on: what they commit after the
        // snapshot is applied below.
        *self.inner.visible.lock() = visible.clone();
        let mut index = Index::default();
        let ids: Vec<String> = visible.iter().map(|s| s.0.to_string()).collect();
        let mut stmt = snapshot
            .prepare(&format!(
                "SELECT rowid, provider, account, item_type, search, created_ms, modified_ms, url
                 FROM items NOT INDEXED WHERE set_id IN ({}) ORDER BY rowid",
                if ids.is_empty() {
                    "NULL".to_string()
                } else {
                    ids.join(",")
                }
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        let mut urls = Texts::default();
        while let Some(r) = rows.next().map_err(sql)? {
            let text = |i: usize| -> rusqlite::Result<&str> {
                Ok(r.get_ref(i)?.as_str_or_null()?.unwrap_or(""))
            };
            let Ok(provider) = text(1).map_err(sql)?.parse::<ProviderId>() else {
                continue;
            };
            index.upsert(NewRow {
                rowid: r.get(0).map_err(sql)?,
                provider,
                account: text(2).map_err(sql)?,
                item_type: text(3).map_err(sql)?,
                search: text(4).map_err(sql)?,
                created: r.get(5).map_err(sql)?,
                modified: r.get(6).map_err(sql)?,
            });
            let url = r.get_ref(7).map_err(sql)?.as_bytes_or_null();
            urls.push(url.map_err(|e| sql(e.into()))?);
        }
        drop(rows);
        drop(stmt);
        snapshot.finish().map_err(sql)?;
        // The scan read the URLs anyway: their order now spares a later sort by Url
        // a scan of its own (the URLs themselves are not kept).
        index.prepare_url_order(urls);
        view.index = Some(index);
        view.data_version = version;
        let mut pending = self.inner.pending.lock();
        view.apply(&mut pending, &visible);
        Ok(())
    }

    /// The URL of each of `rowids` (ascending, as the index keeps them): one scan in
    /// rowid order, merged with them. The index counts an empty URL as none.
    fn urls_for(&self, rowids: &[i64]) -> Result<Texts> {
        let conn = self.inner.reader.lock();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT rowid, url FROM items NOT INDEXED WHERE set_id IN ({VISIBLE_SETS})
                 ORDER BY rowid"
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        let mut urls = Texts::with_capacity(rowids.len());
        let mut wanted = rowids.iter().peekable();
        while let Some(row) = rows.next().map_err(sql)? {
            let rowid: i64 = row.get(0).map_err(sql)?;
            // A row the index has but the scan does not (retired since) has none.
            while wanted.next_if(|&&w| w < rowid).is_some() {
                urls.push(None);
            }
            if wanted.next_if(|&&w| w == rowid).is_some() {
                let url = row.get_ref(1).map_err(sql)?.as_bytes_or_null();
                urls.push(url.map_err(|e| sql(e.into()))?);
            }
        }
        wanted.for_each(|_| urls.push(None));
        Ok(urls)
    }

    /// What the table shows of these rows, in this order.
    fn row_views(&self, rowids: &[i64]) -> Result<Vec<RowView>> {
        let conn = self.inner.reader.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT provider, account, item_type, id, name, parent_path_or_name,
                    creation_time, last_modified_time, url, directory FROM items WHERE rowid = ?1",
            )
            .map_err(sql)?;
        let mut out = Vec::with_capacity(rowids.len());
        for rowid in rowids {
            let mut rows = stmt.query([rowid]).map_err(sql)?;
            if let Some(r) = rows.next().map_err(sql)? {
                if let Some(row) = row_view(r).map_err(sql)? {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }
}

/// Each stored record to `each`: the visible rows in arrival order, or those of
/// `rowids` in theirs (a row retired since they were taken is skipped).
/// `tables_only`: only rows of a provider table (what the SQLite export types).
fn records_in_order(
    conn: &Connection,
    rowids: Option<Vec<i64>>,
    tables_only: bool,
    each: &mut dyn FnMut(&ItemRecord<'_>) -> Result<()>,
) -> Result<()> {
    let tables = if tables_only {
        "AND table_id IS NOT NULL"
    } else {
        ""
    };
    let mut emit = |row: &SqlRow<'_>| each(&record_at(row, 0).map_err(sql)?);
    match rowids {
        None => {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items NOT INDEXED
                     WHERE set_id IN ({VISIBLE_SETS}) {tables} ORDER BY rowid"
                ))
                .map_err(sql)?;
            let mut rows = stmt.query([]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                emit(row)?;
            }
        }
        Some(rowids) => {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items WHERE rowid = ?1 {tables}"
                ))
                .map_err(sql)?;
            for rowid in rowids {
                let mut rows = stmt.query([rowid]).map_err(sql)?;
                if let Some(row) = rows.next().map_err(sql)? {
                    emit(row)?;
                }
            }
        }
    }
    Ok(())
}

/// Which rows match `words`, and the chip counts among them, cached for the next
/// keystroke's windows.
fn words_of(view: &mut View, words: &[String]) -> (Arc<Vec<bool>>, Arc<Counts>) {
    if let Some((w, m, c)) = &view.words {
        if w == words {
            return (m.clone(), c.clone());
        }
    }
    let index = view.index.as_ref().expect("the index is built");
    let matches = Arc::new(index.word_matches(words));
    let (providers, types) = index.counts(&matches);
    let counts = Arc::new(Counts {
        providers: providers.into_iter().collect(),
        types: types.into_iter().collect(),
    });
    view.words = Some((words.to_vec(), matches.clone(), counts.clone()));
    (matches, counts)
}

/// Whether a query is the plain table: every row in arrival order.
fn is_plain(query: &ItemQuery) -> bool {
    query.providers.is_empty()
        && query.types.is_empty()
        && query.search.trim().is_empty()
        && query.sort.is_none()
}

/// A table row from `provider, account, item_type, id, name, parent, created,
/// modified, url`.
fn row_view(r: &SqlRow<'_>) -> rusqlite::Result<Option<RowView>> {
    let provider: String = r.get(0)?;
    let Ok(provider) = provider.parse::<ProviderId>() else {
        return Ok(None);
    };
    Ok(Some(RowView {
        key: ItemKey {
            provider,
            account: r.get(1)?,
            item_type: r.get(2)?,
            id: r.get(3)?,
        },
        name: r.get(4)?,
        directory: r.get(9)?,
        parent: r.get(5)?,
        created: r.get(6)?,
        modified: r.get(7)?,
        url: r.get(8)?,
    }))
}

/// A stored item as a record, from `ITEM_COLUMNS` starting at column `at`.
fn record_at<'r>(row: &'r SqlRow<'_>, at: usize) -> rusqlite::Result<ItemRecord<'r>> {
    let text = |i: usize| -> rusqlite::Result<Option<&'r str>> {
        Ok(row.get_ref(at + i)?.as_str_or_null()?)
    };
    let non_empty = |s: Option<&'r str>| s.filter(|s| !s.is_empty());
    Ok(ItemRecord {
        provider: text(0)?.unwrap_or(""),
        item_type: non_empty(text(2)?),
        id: non_empty(text(3)?),
        directory: row.get::<_, bool>(at + 4)?,
        parent_path_or_name: text(5)?,
        parent_id: text(6)?,
        name: text(7)?,
        creation_time: text(8)?,
        last_modified_time: text(9)?,
        url: text(10)?,
        children: text(11)?,
        mime_type: text(12)?,
        delta: text(13)?,
        drive_id: text(14)?,
        visibility: row.get::<_, Option<bool>>(at + 15)?,
        properties: text(16)?.unwrap_or("{}"),
        associations: text(17)?,
        table: text(18)?.zip(text(19)?),
    })
}

fn item_of(row: &SqlRow<'_>) -> rusqlite::Result<IntegrationItem> {
    item_at(row, 0)
}

/// An item from `ITEM_COLUMNS` starting at column `at`. Values the store wrote are
/// always readable; anything odd (a file edited by hand) degrades to empty fields.
fn item_at(row: &SqlRow<'_>, at: usize) -> rusqlite::Result<IntegrationItem> {
    let text = |i: usize| row.get::<_, Option<String>>(at + i);
    let provider: String = row.get(at)?;
    let provider = provider.parse::<ProviderId>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(IntegrationItem {
        item_type: non_empty(text(2)?),
        id: non_empty(text(3)?),
        directory: row.get::<_, bool>(at + 4)?,
        parent_path_or_name: text(5)?,
        parent_id: text(6)?,
        name: text(7)?,
        creation_time: parse_time(text(8)?.as_deref()),
        last_modified_time: parse_time(text(9)?.as_deref()),
        url: text(10)?,
        children: text(11)?.and_then(|c| serde_json::from_str(&c).ok()),
        mime_type: text(12)?,
        delta: text(13)?,
        drive_id: text(14)?,
        visibility: row.get::<_, Option<bool>>(at + 15)?,
        provider,
        properties: text(16)?
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default(),
        associations: text(17)?.and_then(|a| serde_json::from_str(&a).ok()),
        table: text(18)?
            .zip(text(19)?)
            .map(|(id, name)| crate::item::RowTable { id, name }),
    })
}
