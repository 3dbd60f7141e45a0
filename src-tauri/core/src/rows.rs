//! The loaded rows, in Rust: the UI holds a view of them, exports are written from
//! here. Keyed by provider + type + id (the row key), in arrival order.
//!
//! A new load of a provider replaces that provider's rows when its first batch
//! arrives (the UI does the same), a resume adds to them, and a batch that repeats a
//! key replaces the row in place (a resumed load may re-send a base with its
//! children filled in).

use std::collections::HashMap;

use crate::{IntegrationItem, ProviderId};

#[derive(Default)]
pub struct RowStore {
    rows: Vec<Option<IntegrationItem>>,
    index: HashMap<String, usize>,
    live: usize,
}

impl RowStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds or replaces rows by key.
    pub fn upsert(&mut self, items: impl IntoIterator<Item = IntegrationItem>) {
        for item in items {
            let key = item.key();
            match self.index.get(&key) {
                Some(&i) => self.rows[i] = Some(item),
                None => {
                    self.index.insert(key, self.rows.len());
                    self.rows.push(Some(item));
                    self.live += 1;
                }
            }
        }
    }

    /// Drops every row of `provider` (a reload, a disconnect).
    pub fn remove_provider(&mut self, provider: ProviderId) {
        for slot in self.rows.iter_mut() {
            if slot.as_ref().is_some_and(|i| i.provider == provider) {
                *slot = None;
                self.live -= 1;
            }
        }
        self.compact();
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn compact(&mut self) {
        self.rows.retain(Option::is_some);
        self.index = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|r| (r.key(), i)))
            .collect();
    }

    /// Every row, in arrival order.
    pub fn all(&self) -> impl Iterator<Item = &IntegrationItem> {
        self.rows.iter().flatten()
    }

    /// The rows with these keys, in the order given (the view's order); unknown keys
    /// are skipped and counted.
    pub fn by_keys<'a>(&'a self, keys: &'a [String]) -> (Vec<&'a IntegrationItem>, usize) {
        let mut missing = 0;
        let rows = keys
            .iter()
            .filter_map(|k| {
                let row = self.index.get(k).and_then(|&i| self.rows[i].as_ref());
                if row.is_none() {
                    missing += 1;
                }
                row
            })
            .collect();
        (rows, missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(p: ProviderId, t: &str, id: &str, name: &str) -> IntegrationItem {
        let mut i = IntegrationItem::new(p, t, id);
        i.name = Some(name.into());
        i
    }

    #[test]
    fn upsert_replace_remove_and_select() {
        let mut rows = RowStore::new();
        rows.upsert([
            item(ProviderId::Hubspot, "Contact", "1", "a"),
            item(ProviderId::Hubspot, "Company", "1", "b"),
            item(ProviderId::Notion, "Page", "x", "c"),
        ]);
        assert_eq!(rows.len(), 3);
        rows.upsert([item(ProviderId::Hubspot, "Contact", "1", "a2")]);
        assert_eq!(rows.len(), 3, "same key replaces");
        let keys = vec![
            "notion:Page:x".to_string(),
            "hubspot:Contact:1".into(),
            "nope".into(),
        ];
        let (picked, missing) = rows.by_keys(&keys);
        assert_eq!(
            picked
                .iter()
                .map(|i| i.name.clone().unwrap())
                .collect::<Vec<_>>(),
            ["c", "a2"]
        );
        assert_eq!(missing, 1);
        rows.remove_provider(ProviderId::Hubspot);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows.by_keys(&keys).0.len(), 1);
        rows.upsert([item(ProviderId::Hubspot, "Deal", "9", "d")]);
        assert_eq!(rows.all().count(), 2);
    }
}
