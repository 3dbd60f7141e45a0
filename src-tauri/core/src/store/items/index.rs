//! The in-memory index of the visible rows: what sorting, searching and filtering
//! read, so the table answers at a million rows without a B-tree per column on disk.
//!
//! It is derived from `items` and rebuilt from it when the visible sets change; rows
//! a first load appends are added as they are written. Rows are kept in rowid order
//! (= arrival order, the table's unsorted order). Per row it keeps the folded search
//! text (`name␟parent␟id␟property values…`) in one arena, the two times, and codes
//! for provider, account and type: about 50 bytes plus the text.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use memchr::memmem;

use crate::ProviderId;

/// Separates the fields of a row's search text.
pub(super) const SEP: char = '\u{1f}';

/// One visible row.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub rowid: i64,
    pub provider: ProviderId,
    account: u32,
    item_type: u32,
    /// The row's search text in the arena: `text..text+len`.
    text: u32,
    len: u32,
    /// Lengths of the name and parent fields at its start, and of the id after them.
    name_len: u32,
    parent_len: u32,
    id_len: u32,
    pub created: Option<i64>,
    pub modified: Option<i64>,
}

/// A column the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortColumn {
    Name,
    Type,
    Provider,
    Parent,
    Created,
    Modified,
    Url,
}

/// What one row of the store gives the index.
pub(super) struct NewRow<'a> {
    pub rowid: i64,
    pub provider: ProviderId,
    pub account: &'a str,
    pub item_type: &'a str,
    pub search: &'a str,
    pub created: Option<i64>,
    pub modified: Option<i64>,
}

#[derive(Default)]
pub(super) struct Index {
    rows: Vec<Row>,
    arena: String,
    accounts: Interner,
    types: Interner,
    /// Sorted positions per (column, descending), computed on first use.
    orders: HashMap<(SortColumn, bool), Arc<Vec<u32>>>,
}

#[derive(Default)]
struct Interner {
    names: Vec<String>,
    codes: HashMap<String, u32>,
}

impl Interner {
    fn code(&mut self, name: &str) -> u32 {
        if let Some(&c) = self.codes.get(name) {
            return c;
        }
        let c = self.names.len() as u32;
        self.names.push(name.to_string());
        self.codes.insert(name.to_string(), c);
        c
    }

    fn name(&self, code: u32) -> &str {
        &self.names[code as usize]
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.codes.get(name).copied()
    }
}

impl Index {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn row(&self, pos: u32) -> &Row {
        &self.rows[pos as usize]
    }

    pub fn item_type(&self, row: &Row) -> &str {
        self.types.name(row.item_type)
    }

    pub fn account(&self, row: &Row) -> &str {
        self.accounts.name(row.account)
    }

    fn text(&self, row: &Row) -> &str {
        &self.arena[row.text as usize..(row.text + row.len) as usize]
    }

    fn name_key(&self, row: &Row) -> &str {
        let t = row.text as usize;
        &self.arena[t..t + row.name_len as usize]
    }

    fn parent_key(&self, row: &Row) -> &str {
        let t = row.text as usize + row.name_len as usize + SEP.len_utf8();
        &self.arena[t..t + row.parent_len as usize]
    }

    fn id(&self, row: &Row) -> &str {
        let t = row.text as usize + (row.name_len + row.parent_len) as usize + 2 * SEP.len_utf8();
        &self.arena[t..t + row.id_len as usize]
    }

    /// Adds a row, or replaces the row with the same rowid (a key written again).
    /// Returns false when the row cannot keep rowid order (the caller rebuilds).
    pub fn upsert(&mut self, new: NewRow<'_>) -> bool {
        let at = match self.rows.last() {
            None => None,
            Some(last) if new.rowid > last.rowid => None,
            Some(_) => match self.rows.binary_search_by_key(&new.rowid, |r| r.rowid) {
                Ok(i) => Some(i),
                Err(_) => return false,
            },
        };
        let row = self.make_row(new);
        match at {
            Some(i) => self.rows[i] = row,
            None => self.rows.push(row),
        }
        self.orders.clear();
        true
    }

    fn make_row(&mut self, new: NewRow<'_>) -> Row {
        let mut fields = new.search.splitn(4, SEP);
        let mut next_len = || fields.next().map_or(0, |f| f.len() as u32);
        let (name_len, parent_len, id_len) = (next_len(), next_len(), next_len());
        // The arena is addressed with 32 bits; past 4 GiB a row is not searchable
        // rather than the index overflowing.
        let start = self.arena.len();
        let fits = start + new.search.len() < u32::MAX as usize;
        if fits {
            self.arena.push_str(new.search);
        }
        Row {
            rowid: new.rowid,
            provider: new.provider,
            account: self.accounts.code(new.account),
            item_type: self.types.code(new.item_type),
            text: if fits { start as u32 } else { 0 },
            len: if fits { new.search.len() as u32 } else { 0 },
            name_len: if fits { name_len } else { 0 },
            parent_len: if fits { parent_len } else { 0 },
            id_len: if fits { id_len } else { 0 },
            created: new.created,
            modified: new.modified,
        }
    }

    /// Positions sorted by `column` (`urls` gives the URL of each position, read
    /// from the store: URLs are not kept in memory). Empty values come last in both
    /// directions; ties are broken by the row key, ascending.
    pub fn order(
        &mut self,
        column: SortColumn,
        descending: bool,
        urls: impl FnOnce() -> Vec<Option<String>>,
    ) -> Arc<Vec<u32>> {
        if let Some(order) = self.orders.get(&(column, descending)) {
            return order.clone();
        }
        let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
        {
            let this = &*self;
            let by_key = |a: &u32, b: &u32| this.key_cmp(this.row(*a), this.row(*b));
            match column {
                SortColumn::Created | SortColumn::Modified => {
                    let time = |p: u32| {
                        let r = this.row(p);
                        if column == SortColumn::Created {
                            r.created
                        } else {
                            r.modified
                        }
                    };
                    order.sort_by(|a, b| {
                        empty_last(time(*a), time(*b), descending).then_with(|| by_key(a, b))
                    });
                }
                SortColumn::Url => {
                    let urls = urls();
                    let url = |p: u32| {
                        urls.get(p as usize)
                            .and_then(|u| u.as_deref())
                            .filter(|u| !u.is_empty())
                    };
                    order.sort_by(|a, b| {
                        empty_last(url(*a), url(*b), descending).then_with(|| by_key(a, b))
                    });
                }
                _ => {
                    let text = |p: u32| -> Option<&str> {
                        let r = this.row(p);
                        let t = match column {
                            SortColumn::Name => this.name_key(r),
                            SortColumn::Parent => this.parent_key(r),
                            SortColumn::Provider => r.provider.as_str(),
                            _ => this.types.name(r.item_type),
                        };
                        (!t.is_empty()).then_some(t)
                    };
                    if column == SortColumn::Type {
                        // Types read as written ("Contact"): compare them folded.
                        let folded: Vec<String> = this
                            .types
                            .names
                            .iter()
                            .map(|t| super::text::fold(t))
                            .collect();
                        let ty = |p: u32| -> Option<&str> {
                            let f = folded[this.row(p).item_type as usize].as_str();
                            (!f.is_empty()).then_some(f)
                        };
                        order.sort_by(|a, b| {
                            empty_last(ty(*a), ty(*b), descending).then_with(|| by_key(a, b))
                        });
                    } else {
                        order.sort_by(|a, b| {
                            empty_last(text(*a), text(*b), descending).then_with(|| by_key(a, b))
                        });
                    }
                }
            }
        }
        let order = Arc::new(order);
        self.orders.insert((column, descending), order.clone());
        order
    }

    /// The row key order: provider, account, type, id.
    fn key_cmp(&self, a: &Row, b: &Row) -> Ordering {
        a.provider
            .as_str()
            .cmp(b.provider.as_str())
            .then_with(|| self.account(a).cmp(self.account(b)))
            .then_with(|| self.item_type(a).cmp(self.item_type(b)))
            .then_with(|| self.id(a).cmp(self.id(b)))
    }

    /// The positions of `candidates` (in their order) that pass `filter`.
    pub fn filter(&self, candidates: impl Iterator<Item = u32>, filter: &Filter) -> Vec<u32> {
        let finders: Vec<memmem::Finder<'_>> = filter
            .words
            .iter()
            .map(|w| memmem::Finder::new(w.as_bytes()))
            .collect();
        let types: Option<Vec<u32>> = filter
            .types
            .as_ref()
            .map(|ts| ts.iter().filter_map(|t| self.types.get(t)).collect());
        candidates
            .filter(|&p| {
                let r = self.row(p);
                filter
                    .providers
                    .as_ref()
                    .is_none_or(|ps| ps.contains(&r.provider))
                    && types.as_ref().is_none_or(|ts| ts.contains(&r.item_type))
                    && finders
                        .iter()
                        .all(|f| f.find(self.text(r).as_bytes()).is_some())
            })
            .collect()
    }

    /// Rows per provider and per type among the rows matching `words` alone (what
    /// the filter chips show).
    pub fn counts(&self, words: &[String]) -> (HashMap<ProviderId, u64>, HashMap<String, u64>) {
        let finders: Vec<memmem::Finder<'_>> = words
            .iter()
            .map(|w| memmem::Finder::new(w.as_bytes()))
            .collect();
        let mut providers: HashMap<ProviderId, u64> = HashMap::new();
        let mut types: Vec<u64> = vec![0; self.types.names.len()];
        for r in &self.rows {
            if finders
                .iter()
                .all(|f| f.find(self.text(r).as_bytes()).is_some())
            {
                *providers.entry(r.provider).or_default() += 1;
                types[r.item_type as usize] += 1;
            }
        }
        let types = types
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (self.types.name(c as u32).to_string(), n))
            .collect();
        (providers, types)
    }
}

/// Which rows a query keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Filter {
    pub providers: Option<Vec<ProviderId>>,
    pub types: Option<Vec<String>>,
    pub words: Vec<String>,
}

/// `Some` before `None` in both directions; `Some`s by `descending`.
fn empty_last<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if descending => b.cmp(&a),
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
