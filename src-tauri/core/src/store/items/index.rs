//! The in-memory index of the visible rows: what sorting, searching and filtering
//! read, so the table answers at a million rows without a B-tree per column on disk.
//!
//! It is derived from `items` and rebuilt from it when the visible sets change; rows
//! a first load appends are added as they are written. Rows are kept in rowid order
//! (= arrival order, the table's unsorted order). Per row it keeps the folded search
//! text (`name␟parent␟id␟property values…`) in one arena, the two times, and codes
//! for provider, account and type: 48 bytes plus the text.
//!
//! Sorting sorts 8-byte chunks of the keys as integers, the rows that tie on one chunk
//! again by the next (a radix sort, most significant chunk first); a descending order
//! is derived from the ascending one. Searching scans the arena in memory order and
//! then walks the sorted order, so neither pays for the other's access pattern.

use std::collections::HashMap;
use std::sync::Arc;

use memchr::memmem;

use crate::ProviderId;

/// Separates the fields of a row's search text.
pub(super) const SEP: char = '\u{1f}';
/// "No time": sorts after every real one.
const NO_TIME: i64 = i64::MIN;

/// One visible row.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub rowid: i64,
    created: i64,
    modified: i64,
    /// The row's search text in the arena: `text..text+len`.
    text: u32,
    len: u32,
    /// Lengths of the name, parent and id fields at its start (sort keys longer than
    /// 64 KiB compare on their first 64 KiB).
    name_len: u16,
    parent_len: u16,
    id_len: u16,
    account: u16,
    item_type: u16,
    pub provider: ProviderId,
}

/// A column the table sorts by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, specta::Type,
)]
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
    /// Sorted positions per (column, descending), the most recent first.
    orders: Vec<(OrderKey, Arc<Vec<u32>>)>,
    /// Each position's rank in row-key order (the tie-break of every sort).
    key_ranks: Option<Arc<Vec<u32>>>,
}

/// A sort: the column, and whether it is descending.
type OrderKey = (SortColumn, bool);

/// Sorted orders kept: a few columns in both directions (and the Url order besides).
const CACHED_ORDERS: usize = 4;
const URL_ASCENDING: OrderKey = (SortColumn::Url, false);

#[derive(Default)]
struct Interner {
    names: Vec<String>,
    codes: HashMap<String, u16>,
}

impl Interner {
    /// The code of `name`; past 65,535 distinct names, the last code is shared.
    fn code(&mut self, name: &str) -> u16 {
        if let Some(&c) = self.codes.get(name) {
            return c;
        }
        let c = self.names.len().min(u16::MAX as usize) as u16;
        if self.names.len() <= u16::MAX as usize {
            self.names.push(name.to_string());
            self.codes.insert(name.to_string(), c);
        }
        c
    }

    fn name(&self, code: u16) -> &str {
        self.names.get(code as usize).map_or("", String::as_str)
    }

    fn get(&self, name: &str) -> Option<u16> {
        self.codes.get(name).copied()
    }
}

/// Which rows a query keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Filter {
    pub providers: Option<Vec<ProviderId>>,
    pub types: Option<Vec<String>>,
    pub words: Vec<String>,
}

/// Byte strings by position, in one buffer (the URLs a Url sort reads): a million of
/// them are one allocation, not a million. An empty one counts as none.
#[derive(Default)]
pub(super) struct Texts {
    bytes: Vec<u8>,
    /// Where each position's text ends in `bytes`.
    ends: Vec<u32>,
}

impl Texts {
    pub fn with_capacity(n: usize) -> Texts {
        Texts {
            bytes: Vec::new(),
            ends: Vec::with_capacity(n),
        }
    }

    /// Appends the next position's text (past 4 GiB in all, none).
    pub fn push(&mut self, text: Option<&[u8]>) {
        let text = text.unwrap_or_default();
        if self.bytes.len() + text.len() <= u32::MAX as usize {
            self.bytes.extend_from_slice(text);
        }
        self.ends.push(self.bytes.len() as u32);
    }

    fn get(&self, pos: usize) -> Option<&[u8]> {
        let end = *self.ends.get(pos)? as usize;
        let start = pos.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        (end > start).then(|| &self.bytes[start..end])
    }
}

impl Index {
    pub fn row(&self, pos: u32) -> &Row {
        &self.rows[pos as usize]
    }

    fn text(&self, row: &Row) -> &[u8] {
        &self.arena.as_bytes()[row.text as usize..(row.text + row.len) as usize]
    }

    fn field(&self, row: &Row, skip: usize, len: u16) -> &[u8] {
        let start = row.text as usize + skip;
        &self.arena.as_bytes()[start..start + len as usize]
    }

    fn name_key(&self, row: &Row) -> &[u8] {
        self.field(row, 0, row.name_len)
    }

    fn parent_key(&self, row: &Row) -> &[u8] {
        self.field(row, row.name_len as usize + SEP.len_utf8(), row.parent_len)
    }

    fn id(&self, row: &Row) -> &[u8] {
        let skip = (row.name_len as usize + row.parent_len as usize) + 2 * SEP.len_utf8();
        self.field(row, skip, row.id_len)
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
        self.key_ranks = None;
        true
    }

    fn make_row(&mut self, new: NewRow<'_>) -> Row {
        // The arena is addressed with 32 bits; past 4 GiB a row keeps no text (it is
        // then found by none of the words) rather than the index overflowing.
        let start = self.arena.len();
        let fits = start + new.search.len() < u32::MAX as usize;
        let (text, len) = if fits {
            self.arena.push_str(new.search);
            (start as u32, new.search.len() as u32)
        } else {
            (0, 0)
        };
        let stored = &new.search[..len as usize];
        let mut fields = stored.splitn(4, SEP);
        let mut next = || {
            let f = fields.next().unwrap_or("");
            f.len().min(u16::MAX as usize) as u16
        };
        let (name_len, parent_len, id_len) = (next(), next(), next());
        Row {
            rowid: new.rowid,
            created: new.created.unwrap_or(NO_TIME),
            modified: new.modified.unwrap_or(NO_TIME),
            text,
            len,
            name_len,
            parent_len,
            id_len,
            account: self.accounts.code(new.account),
            item_type: self.types.code(new.item_type),
            provider: new.provider,
        }
    }

    /// Each position's rank in row-key order, computed once per change of the rows:
    /// an integer sort of (provider, account, type, id prefix), then the runs whose id
    /// prefixes tie compared in full.
    pub fn key_ranks(&mut self) -> Arc<Vec<u32>> {
        if let Some(ranks) = &self.key_ranks {
            return ranks.clone();
        }
        // Codes are in order of first sight, not of name: rank them by name.
        let order_of = |names: &[String]| {
            let mut idx: Vec<usize> = (0..names.len()).collect();
            idx.sort_by(|&a, &b| names[a].cmp(&names[b]));
            let mut rank = vec![0u16; names.len()];
            for (r, i) in idx.into_iter().enumerate() {
                rank[i] = r as u16;
            }
            rank
        };
        let accounts = order_of(&self.accounts.names);
        let types = order_of(&self.types.names);
        let provider_rank = |p: ProviderId| {
            let mut names: Vec<&str> = ProviderId::ALL.iter().map(|p| p.as_str()).collect();
            names.sort_unstable();
            names.iter().position(|n| *n == p.as_str()).unwrap_or(0) as u64
        };
        let mut keyed: Vec<(u64, u64, u32)> = (0..self.rows.len() as u32)
            .map(|p| {
                let r = self.row(p);
                let high = (provider_rank(r.provider) << 32)
                    | ((accounts.get(r.account as usize).copied().unwrap_or(0) as u64) << 16)
                    | types.get(r.item_type as usize).copied().unwrap_or(0) as u64;
                (high, prefix8(self.id(r)), p)
            })
            .collect();
        keyed.sort_unstable_by_key(|&(h, l, _)| (h, l));
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len()
                && keyed[end].0 == keyed[start].0
                && keyed[end].1 == keyed[start].1
            {
                end += 1;
            }
            if end - start > 1 {
                keyed[start..end]
                    .sort_by(|a, b| self.id(self.row(a.2)).cmp(self.id(self.row(b.2))));
            }
            start = end;
        }
        let mut ranks = vec![0u32; self.rows.len()];
        for (rank, (_, _, p)) in keyed.into_iter().enumerate() {
            ranks[p as usize] = rank as u32;
        }
        let ranks = Arc::new(ranks);
        self.key_ranks = Some(ranks.clone());
        ranks
    }

    /// Positions sorted by `column` (`urls` gives the URL of each rowid, read from the
    /// store: URLs are not kept in memory; an empty one counts as none). Empty values
    /// come last in both directions; ties are broken by the row key, ascending.
    pub fn order<E>(
        &mut self,
        column: SortColumn,
        descending: bool,
        urls: impl FnOnce(&[i64]) -> Result<Texts, E>,
    ) -> Result<Arc<Vec<u32>>, E> {
        if let Some(i) = self
            .orders
            .iter()
            .position(|(k, _)| *k == (column, descending))
        {
            let hit = self.orders.remove(i);
            let order = hit.1.clone();
            self.orders.insert(0, hit);
            return Ok(order);
        }
        let cached_asc = self
            .orders
            .iter()
            .find(|(k, _)| *k == (column, false))
            .map(|(_, o)| o.clone());
        // Read only when this order is not cached: a million URLs is a table scan.
        let url_keys = match column {
            SortColumn::Url => {
                let rowids: Vec<i64> = self.rows.iter().map(|r| r.rowid).collect();
                Some(urls(&rowids)?)
            }
            _ => None,
        };
        let ranks = self.key_ranks();
        let keys = SortKeys::new(self, column, url_keys.as_ref(), &ranks);
        let ascending = match cached_asc {
            Some(asc) => asc,
            None => Arc::new(keys.ascending()),
        };
        let order = if descending {
            Arc::new(keys.descending(&ascending))
        } else {
            ascending.clone()
        };
        self.remember((column, false), ascending);
        if descending {
            self.remember((column, true), order.clone());
        }
        // The sort keys (and a build's URLs) were scratch: tens of megabytes at a
        // million rows, which the allocator would otherwise keep.
        drop(url_keys);
        super::memory::trim();
        Ok(order)
    }

    fn remember(&mut self, key: OrderKey, order: Arc<Vec<u32>>) {
        self.orders.retain(|(k, _)| *k != key);
        self.orders.insert(0, (key, order));
        // Beside the last few, the ascending Url order stays: it is the one that
        // costs a scan of the store to make again.
        let others = self.orders.iter().filter(|(k, _)| *k != URL_ASCENDING);
        if others.count() > CACHED_ORDERS {
            if let Some(i) = self.orders.iter().rposition(|(k, _)| *k != URL_ASCENDING) {
                self.orders.remove(i);
            }
        }
    }

    /// Sorts by Url now, from `urls` (every position's URL, as a build reads them),
    /// so that no later sort by Url has to scan the store for them.
    pub fn prepare_url_order(&mut self, urls: Texts) {
        let _ = self.order(SortColumn::Url, false, |_| Ok::<_, ()>(urls));
    }

    /// Whether each position's text holds every word.
    pub fn word_matches(&self, words: &[String]) -> Vec<bool> {
        let finders: Vec<memmem::Finder<'_>> = words
            .iter()
            .map(|w| memmem::Finder::new(w.as_bytes()))
            .collect();
        self.rows
            .iter()
            .map(|r| finders.iter().all(|f| f.find(self.text(r)).is_some()))
            .collect()
    }

    /// The positions of `order` (or of every row, in arrival order) whose words match
    /// and that pass the provider and type filters.
    pub fn select(&self, order: Option<&[u32]>, words: &[bool], filter: &Filter) -> Vec<u32> {
        let types: Option<Vec<u16>> = filter
            .types
            .as_ref()
            .map(|ts| ts.iter().filter_map(|t| self.types.get(t)).collect());
        let keep = |p: u32| {
            let r = self.row(p);
            words[p as usize]
                && filter
                    .providers
                    .as_ref()
                    .is_none_or(|ps| ps.contains(&r.provider))
                && types.as_ref().is_none_or(|ts| ts.contains(&r.item_type))
        };
        match order {
            Some(o) => o.iter().copied().filter(|&p| keep(p)).collect(),
            None => (0..self.rows.len() as u32).filter(|&p| keep(p)).collect(),
        }
    }

    /// Rows per provider and per type among the rows whose words match (what the
    /// filter chips show).
    pub fn counts(&self, words: &[bool]) -> (HashMap<ProviderId, u64>, HashMap<String, u64>) {
        let mut providers: HashMap<ProviderId, u64> = HashMap::new();
        let mut types: Vec<u64> = vec![0; self.types.names.len()];
        for (r, _) in self.rows.iter().zip(words).filter(|(_, m)| **m) {
            *providers.entry(r.provider).or_default() += 1;
            if let Some(n) = types.get_mut(r.item_type as usize) {
                *n += 1;
            }
        }
        let types = types
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (self.types.name(c as u16).to_string(), n))
            .collect();
        (providers, types)
    }
}

/// One column's sort keys over an index: byte strings that sort in the column's
/// order (times as sign-flipped big-endian integers), `None` for an empty value.
struct SortKeys<'a> {
    index: &'a Index,
    column: SortColumn,
    urls: Option<&'a Texts>,
    /// Types are few: each folded once, not once per row.
    types: Vec<Vec<u8>>,
    /// The tie-break: each position's rank in row-key order.
    ranks: &'a [u32],
}

impl<'a> SortKeys<'a> {
    fn new(
        index: &'a Index,
        column: SortColumn,
        urls: Option<&'a Texts>,
        ranks: &'a [u32],
    ) -> Self {
        let types = if column == SortColumn::Type {
            index
                .types
                .names
                .iter()
                .map(|t| super::text::fold(t).into_bytes())
                .collect()
        } else {
            Vec::new()
        };
        SortKeys {
            index,
            column,
            urls,
            types,
            ranks,
        }
    }

    fn time(&self, p: u32) -> Option<u64> {
        let r = self.index.row(p);
        let t = if self.column == SortColumn::Created {
            r.created
        } else {
            r.modified
        };
        (t != NO_TIME).then_some((t as u64) ^ (1 << 63))
    }

    fn text(&self, p: u32) -> Option<&[u8]> {
        let index = self.index;
        let r = index.row(p);
        let k: &[u8] = match self.column {
            SortColumn::Name => index.name_key(r),
            SortColumn::Parent => index.parent_key(r),
            SortColumn::Provider => r.provider.as_str().as_bytes(),
            SortColumn::Type => self.types.get(r.item_type as usize)?,
            SortColumn::Url => self.urls?.get(p as usize)?,
            SortColumn::Created | SortColumn::Modified => return None,
        };
        (!k.is_empty()).then_some(k)
    }

    fn is_time(&self) -> bool {
        matches!(self.column, SortColumn::Created | SortColumn::Modified)
    }

    /// Whether two positions have the same key.
    fn same(&self, a: u32, b: u32) -> bool {
        if self.is_time() {
            self.time(a) == self.time(b)
        } else {
            self.text(a) == self.text(b)
        }
    }

    fn empty(&self, p: u32) -> bool {
        if self.is_time() {
            self.time(p).is_none()
        } else {
            self.text(p).is_none()
        }
    }

    fn ascending(&self) -> Vec<u32> {
        let n = self.index.rows.len() as u32;
        // (key chunk, length class, tie rank, position): integer sorts do the work.
        let mut keyed: Vec<Keyed> = Vec::with_capacity(n as usize);
        let mut empty: Vec<(u32, u32)> = Vec::new();
        for p in 0..n {
            let rank = self.ranks[p as usize];
            let chunk = if self.is_time() {
                self.time(p).map(|t| (t, 0))
            } else {
                self.text(p).map(|t| chunk_at(t, 0))
            };
            match chunk {
                Some((x, class)) => keyed.push((x, class, rank, p)),
                None => empty.push((rank, p)),
            }
        }
        keyed.sort_unstable();
        if !self.is_time() {
            self.refine_ties(&mut keyed);
        }
        empty.sort_unstable();
        keyed
            .into_iter()
            .map(|(_, _, _, p)| p)
            .chain(empty.into_iter().map(|(_, p)| p))
            .collect()
    }

    /// Orders the runs of `keyed` that tie on their first eight bytes by the rest of
    /// their keys, then by rank: eight more bytes at a time, as integers (a most
    /// significant digit radix sort). Keys often share long beginnings (every URL
    /// starts `https://`, many names `contact `), where a comparison sort would chase
    /// two pointers per comparison. Runs wait in a list rather than in recursion: a
    /// run of long equal keys goes thousands of levels deep.
    fn refine_ties(&self, keyed: &mut [Keyed]) {
        let mut todo: Vec<(usize, usize, usize)> = Vec::new();
        tied_runs(keyed, 0, 8, &mut todo);
        while let Some((start, end, depth)) = todo.pop() {
            let run = &mut keyed[start..end];
            for entry in run.iter_mut() {
                let key = self.text(entry.3).unwrap_or_default();
                (entry.0, entry.1) = chunk_at(key, depth);
            }
            run.sort_unstable();
            tied_runs(run, start, depth + 8, &mut todo);
        }
    }

    /// From the ascending order: groups of equal keys in reverse, each group keeping
    /// its ascending tie order; empty keys still last.
    fn descending(&self, ascending: &[u32]) -> Vec<u32> {
        let split = ascending
            .iter()
            .position(|&p| self.empty(p))
            .unwrap_or(ascending.len());
        let (valued, empty) = ascending.split_at(split);
        let mut out = Vec::with_capacity(ascending.len());
        let mut end = valued.len();
        while end > 0 {
            let mut start = end - 1;
            while start > 0 && self.same(valued[start - 1], valued[end - 1]) {
                start -= 1;
            }
            out.extend_from_slice(&valued[start..end]);
            end = start;
        }
        out.extend_from_slice(empty);
        out
    }
}

/// The first eight bytes of `key`, big-endian, zero-padded: integers that sort as the
/// keys' byte strings do, up to their eighth byte.
fn prefix8(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    b[..n].copy_from_slice(&key[..n]);
    u64::from_be_bytes(b)
}

/// A sort entry: (key chunk, length class, tie rank, position).
type Keyed = (u64, u8, u32, u32);

/// The eight bytes of `key` from `depth` as an integer, and how many bytes it has from
/// there (capped at 9, "more than eight"): a key that ends sorts before its
/// extensions, even ones that go on with zero bytes.
fn chunk_at(key: &[u8], depth: usize) -> (u64, u8) {
    let rest = key.get(depth..).unwrap_or_default();
    (prefix8(rest), rest.len().min(9) as u8)
}

/// Pushes the runs of sorted `entries` (at `offset` in the whole) that tie on chunk
/// and length class and whose keys go on past the chunk, to be ordered at `depth`.
fn tied_runs(
    entries: &[Keyed],
    offset: usize,
    depth: usize,
    todo: &mut Vec<(usize, usize, usize)>,
) {
    let mut i = 0;
    while i < entries.len() {
        let (chunk, class) = (entries[i].0, entries[i].1);
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == chunk && entries[j].1 == class {
            j += 1;
        }
        if j - i > 1 && class == 9 {
            todo.push((offset + i, offset + j, depth));
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(urls: &[&str]) -> (Index, Texts) {
        let mut index = Index::default();
        let mut texts = Texts::default();
        for (i, url) in urls.iter().enumerate() {
            let search = format!("name {i}{SEP}{SEP}id{i}{SEP}");
            index.upsert(NewRow {
                rowid: i as i64 + 1,
                provider: ProviderId::Notion,
                account: "",
                item_type: "Page",
                search: &search,
                created: Some(i as i64),
                modified: Some(-(i as i64)),
            });
            texts.push(Some(url.as_bytes()));
        }
        (index, texts)
    }

    #[test]
    fn texts_give_each_position_its_own_and_empty_as_none() {
        let mut t = Texts::default();
        for s in [Some(&b"b"[..]), None, Some(b""), Some(b"ccc")] {
            t.push(s);
        }
        assert_eq!(
            (0..5).map(|p| t.get(p)).collect::<Vec<_>>(),
            [Some(&b"b"[..]), None, None, Some(b"ccc"), None]
        );
    }

    #[test]
    fn the_url_order_is_made_at_build_and_outlasts_other_sorts() {
        let (mut index, urls) = index_of(&["https://c", "", "https://a", "https://b"]);
        index.prepare_url_order(urls);
        for column in [
            SortColumn::Name,
            SortColumn::Created,
            SortColumn::Modified,
            SortColumn::Type,
            SortColumn::Provider,
            SortColumn::Parent,
        ] {
            index
                .order(column, false, |_| -> Result<Texts, ()> {
                    panic!("no URLs")
                })
                .unwrap();
        }
        assert_eq!(index.orders.len(), CACHED_ORDERS + 1);
        let order = index
            .order(SortColumn::Url, false, |_| -> Result<Texts, ()> {
                panic!("the Url order was kept")
            })
            .unwrap();
        assert_eq!(*order, [2, 3, 0, 1], "empty last");
        // A new row changes every order: the next Url sort reads the URLs again.
        index.upsert(NewRow {
            rowid: 9,
            provider: ProviderId::Notion,
            account: "",
            item_type: "Page",
            search: "x\u{1f}\u{1f}x\u{1f}",
            created: None,
            modified: None,
        });
        let (_, mut again) = index_of(&["https://c", "", "https://a", "https://b"]);
        again.push(Some(b"https://0"));
        let order = index
            .order(SortColumn::Url, false, |_| Ok::<_, ()>(again))
            .unwrap();
        assert_eq!(*order, [4, 2, 3, 0, 1]);
    }
}
