//! Reading the store the way the table does: a query (providers, types, search, sort)
//! gives a total, the rows of one window, and counts for the filter chips; the same
//! query streams every matching item, in order, to an export.
//!
//! The ordered positions of a query are cached (the last few queries), so the
//! consecutive windows of a scroll cost a slice and a few hundred row reads.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{params_from_iter, Connection, Row as SqlRow};
use serde::{Deserialize, Serialize};

use super::index::{Filter, Index, NewRow, SortColumn};
use super::text::search_words;
use super::{sql, ItemStore, SetId};
use crate::item::parse_time;
use crate::{IntegrationItem, ProviderId, Result};

/// The rows the table asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    pub column: SortColumn,
    pub dir: SortDir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    Asc,
    Desc,
}

/// A row's identity: provider + account + type + id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemKey {
    pub provider: ProviderId,
    pub account: String,
    #[serde(rename = "type")]
    pub item_type: String,
    pub id: String,
}

/// What the table shows of a row (the details pane asks for the whole item).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowView {
    pub key: ItemKey,
    pub name: Option<String>,
    pub parent: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub url: Option<String>,
}

/// How many rows each filter chip would show, among the rows matching the search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub providers: BTreeMap<ProviderId, u64>,
    pub types: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    /// Rows matching the query.
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<RowView>,
    pub counts: Counts,
}

/// What the store shows: the index of the visible sets, and cached query results.
#[derive(Default)]
pub(super) struct View {
    index: Option<Index>,
    visible: HashSet<SetId>,
    /// The writer connection's `data_version` when the index was built: it changes
    /// when another process commits.
    data_version: i64,
    results: Vec<(ResultKey, Arc<Vec<u32>>)>,
    counts: Option<(Vec<String>, Arc<Counts>)>,
}

type ResultKey = (Filter, Option<(SortColumn, bool)>);

/// Query results kept for consecutive windows.
const CACHED_RESULTS: usize = 4;

impl View {
    pub fn invalidate(&mut self) {
        self.index = None;
        self.results.clear();
        self.counts = None;
    }

    /// Whether rows written to `set` are on screen now (a first load's).
    pub fn shows(&self, set: SetId) -> bool {
        self.index.is_some() && self.visible.contains(&set)
    }

    pub fn add(&mut self, row: NewRow<'_>) {
        let kept = self.index.as_mut().is_some_and(|i| i.upsert(row));
        self.results.clear();
        self.counts = None;
        if !kept {
            self.invalidate();
        }
    }
}

/// Each account's visible set: the complete one, else its newest partial load.
const VISIBLE_SETS: &str = "SELECT id FROM item_sets WHERE state = 'complete'
    UNION ALL
    SELECT max(id) FROM item_sets s WHERE state IN ('loading', 'failed')
      AND NOT EXISTS (SELECT 1 FROM item_sets c WHERE c.state = 'complete'
                      AND c.provider = s.provider AND c.account = s.account)
      GROUP BY provider, account";

const ITEM_COLUMNS: &str = "provider, account, item_type, id, directory, parent_path_or_name,
    parent_id, name, creation_time, last_modified_time, url, children, mime_type, delta,
    drive_id, visibility, properties";

impl ItemStore {
    /// One window of the rows `query` selects, with the total and the chip counts.
    pub fn query(&self, query: &ItemQuery, offset: u64, limit: u64) -> Result<QueryResult> {
        let mut view = self.inner.view.lock();
        let positions = self.positions(&mut view, query)?;
        let index = view.index.as_ref().expect("positions built the index");
        let words = search_words(&query.search);
        let counts = match &view.counts {
            Some((w, c)) if *w == words => c.clone(),
            _ => {
                let (providers, types) = index.counts(&words);
                let counts = Arc::new(Counts {
                    providers: providers.into_iter().collect(),
                    types: types.into_iter().collect(),
                });
                view.counts = Some((words, counts.clone()));
                counts
            }
        };
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
                "SELECT {ITEM_COLUMNS} FROM items WHERE provider = ?1 AND account = ?2
                 AND item_type = ?3 AND id = ?4 AND set_id IN ({VISIBLE_SETS})"
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

    /// Every item `query` selects, in its order, to `each`. Reads on a connection of
    /// its own, so the table stays responsive during a long export.
    pub fn for_each_item(
        &self,
        query: &ItemQuery,
        mut each: impl FnMut(&IntegrationItem) -> Result<()>,
    ) -> Result<u64> {
        let conn =
            super::connect(&self.inner.path, false).map_err(|d| crate::Error::Store(d.reason()))?;
        let everything = query.providers.is_empty()
            && query.types.is_empty()
            && query.search.trim().is_empty()
            && query.sort.is_none();
        if everything {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {ITEM_COLUMNS} FROM items WHERE set_id IN ({VISIBLE_SETS}) ORDER BY rowid"
                ))
                .map_err(sql)?;
            let mut rows = stmt.query([]).map_err(sql)?;
            let mut n = 0;
            while let Some(row) = rows.next().map_err(sql)? {
                each(&item_of(row).map_err(sql)?)?;
                n += 1;
            }
            return Ok(n);
        }
        let rowids: Vec<i64> = {
            let mut view = self.inner.view.lock();
            let positions = self.positions(&mut view, query)?;
            let index = view.index.as_ref().expect("positions built the index");
            positions.iter().map(|&p| index.row(p).rowid).collect()
        };
        let mut n = 0;
        for chunk in rowids.chunks(500) {
            let items = items_by_rowid(&conn, chunk)?;
            for rowid in chunk {
                // A row retired since the positions were taken is skipped.
                if let Some(item) = items.get(rowid) {
                    each(item)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// The ordered positions of `query`, from the cache or computed.
    fn positions(&self, view: &mut View, query: &ItemQuery) -> Result<Arc<Vec<u32>>> {
        self.refresh(view)?;
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
        let index = view.index.as_mut().expect("refresh built the index");
        let (filter, sort) = &key;
        let positions = match sort {
            None => index.filter(0..index.len() as u32, filter),
            Some((column, descending)) => {
                let order = if *column == SortColumn::Url {
                    let rowids: Vec<i64> = (0..index.len() as u32)
                        .map(|p| index.row(p).rowid)
                        .collect();
                    let urls = self.urls_for(&rowids)?;
                    index.order(*column, *descending, || urls)
                } else {
                    index.order(*column, *descending, Vec::new)
                };
                index.filter(order.iter().copied(), filter)
            }
        };
        let positions = Arc::new(positions);
        view.results.insert(0, (key, positions.clone()));
        view.results.truncate(CACHED_RESULTS);
        Ok(positions)
    }

    /// Rebuilds the index when it is gone or another process has committed.
    fn refresh(&self, view: &mut View) -> Result<()> {
        let version: i64 = self
            .inner
            .writer
            .lock()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(sql)?;
        if view.index.is_some() && version == view.data_version {
            return Ok(());
        }
        view.invalidate();
        let conn = self.inner.reader.lock();
        let visible: HashSet<SetId> = {
            let mut stmt = conn.prepare_cached(VISIBLE_SETS).map_err(sql)?;
            let ids = stmt
                .query_map([], |r| r.get::<_, Option<i64>>(0))
                .map_err(sql)?;
            ids.filter_map(|id| id.ok().flatten()).map(SetId).collect()
        };
        let mut index = Index::default();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT rowid, provider, account, item_type, search, created_ms, modified_ms
                 FROM items WHERE set_id IN ({VISIBLE_SETS}) ORDER BY rowid"
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let provider: String = r.get(1).map_err(sql)?;
            let Ok(provider) = provider.parse::<ProviderId>() else {
                continue;
            };
            let account: String = r.get(2).map_err(sql)?;
            let item_type: String = r.get(3).map_err(sql)?;
            let search: String = r.get(4).map_err(sql)?;
            index.upsert(NewRow {
                rowid: r.get(0).map_err(sql)?,
                provider,
                account: &account,
                item_type: &item_type,
                search: &search,
                created: r.get(5).map_err(sql)?,
                modified: r.get(6).map_err(sql)?,
            });
        }
        view.index = Some(index);
        view.visible = visible;
        view.data_version = version;
        Ok(())
    }

    /// The URL of each row, by rowid order (URLs are not kept in memory).
    fn urls_for(&self, rowids: &[i64]) -> Result<Vec<Option<String>>> {
        let conn = self.inner.reader.lock();
        let mut by_rowid: HashMap<i64, Option<String>> = HashMap::with_capacity(rowids.len());
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT rowid, url FROM items WHERE set_id IN ({VISIBLE_SETS})"
            ))
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .map_err(sql)?;
        for row in rows {
            let (rowid, url) = row.map_err(sql)?;
            by_rowid.insert(rowid, url);
        }
        Ok(rowids
            .iter()
            .map(|r| by_rowid.remove(r).flatten())
            .collect())
    }

    /// What the table shows of these rows, in this order.
    fn row_views(&self, rowids: &[i64]) -> Result<Vec<RowView>> {
        let conn = self.inner.reader.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT provider, account, item_type, id, name, parent_path_or_name,
                    creation_time, last_modified_time, url FROM items WHERE rowid = ?1",
            )
            .map_err(sql)?;
        let mut out = Vec::with_capacity(rowids.len());
        for rowid in rowids {
            let mut rows = stmt.query([rowid]).map_err(sql)?;
            let Some(r) = rows.next().map_err(sql)? else {
                continue;
            };
            let provider: String = r.get(0).map_err(sql)?;
            let Ok(provider) = provider.parse::<ProviderId>() else {
                continue;
            };
            out.push(RowView {
                key: ItemKey {
                    provider,
                    account: r.get(1).map_err(sql)?,
                    item_type: r.get(2).map_err(sql)?,
                    id: r.get(3).map_err(sql)?,
                },
                name: r.get(4).map_err(sql)?,
                parent: r.get(5).map_err(sql)?,
                created: r.get(6).map_err(sql)?,
                modified: r.get(7).map_err(sql)?,
                url: r.get(8).map_err(sql)?,
            });
        }
        Ok(out)
    }
}

/// The items with these rowids, by rowid.
fn items_by_rowid(conn: &Connection, rowids: &[i64]) -> Result<HashMap<i64, IntegrationItem>> {
    let marks = vec!["?"; rowids.len()].join(",");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT rowid, {ITEM_COLUMNS} FROM items WHERE rowid IN ({marks})"
        ))
        .map_err(sql)?;
    let mut rows = stmt.query(params_from_iter(rowids)).map_err(sql)?;
    let mut out = HashMap::with_capacity(rowids.len());
    while let Some(row) = rows.next().map_err(sql)? {
        let rowid: i64 = row.get(0).map_err(sql)?;
        out.insert(rowid, item_at(row, 1).map_err(sql)?);
    }
    Ok(out)
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
    })
}
