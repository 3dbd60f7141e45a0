//! The provider tables' schemas (a HubSpot object type, an Airtable table, a Notion
//! data source), kept as their rows are written: per set, which property keys occur
//! and which JSON kinds their values have. The SQLite export types its per-table
//! columns by them without reading every row twice.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Transaction};
use serde_json::Value;

use super::query::VISIBLE_SETS;
use super::{sql, ItemQuery, ItemStore, SetId};
use crate::{IntegrationItem, ProviderId, Result};

/// The JSON kinds a property's values had, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonKinds(pub u8);

impl JsonKinds {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INTEGER: u8 = 4;
    pub const REAL: u8 = 8;
    pub const TEXT: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;

    pub fn of(value: &Value) -> JsonKinds {
        JsonKinds(match value {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOL,
            Value::Number(n) if n.is_i64() || n.is_u64() => Self::INTEGER,
            Value::Number(_) => Self::REAL,
            Value::String(_) => Self::TEXT,
            Value::Array(_) => Self::ARRAY,
            Value::Object(_) => Self::OBJECT,
        })
    }

    pub fn add(&mut self, other: JsonKinds) {
        self.0 |= other.0;
    }

    /// Only these kinds (nulls aside) were seen.
    pub fn only(self, allowed: u8) -> bool {
        let seen = self.0 & !Self::NULL;
        seen != 0 && seen & !allowed == 0
    }
}

/// One provider table, as the visible sets hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    pub provider: ProviderId,
    pub id: String,
    pub name: String,
    /// Property keys (sorted) and the kinds of their values.
    pub columns: Vec<(String, JsonKinds)>,
    /// Whether any row has associations.
    pub associations: bool,
}

/// What one batch adds to its set's schemas.
#[derive(Default)]
pub(super) struct Seen {
    /// (table id) → (name, key → kinds, associations seen).
    tables: HashMap<String, (String, HashMap<String, JsonKinds>, bool)>,
}

impl Seen {
    pub fn add(&mut self, item: &IntegrationItem) {
        let Some(table) = &item.table else { return };
        let (_, keys, associations) = self
            .tables
            .entry(table.id.clone())
            .or_insert_with(|| (table.name.clone(), HashMap::new(), false));
        *associations |= item.associations.is_some();
        for (key, value) in &item.properties {
            match keys.get_mut(key) {
                Some(kinds) => kinds.add(JsonKinds::of(value)),
                None => {
                    keys.insert(key.clone(), JsonKinds::of(value));
                }
            }
        }
    }

    /// Merges what was seen into the set's rows (kinds only ever widen).
    pub fn save(self, tx: &Transaction<'_>, set: SetId) -> Result<()> {
        if self.tables.is_empty() {
            return Ok(());
        }
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO table_columns (set_id, table_id, table_name, kind, key, types)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (set_id, table_id, kind, key)
                 DO UPDATE SET types = types | excluded.types, table_name = excluded.table_name",
            )
            .map_err(sql)?;
        for (id, (name, keys, associations)) in self.tables {
            if associations {
                upsert
                    .execute(params![set.0, id, name, "associations", "", 0])
                    .map_err(sql)?;
            }
            for (key, kinds) in keys {
                upsert
                    .execute(params![set.0, id, name, "property", key, kinds.0])
                    .map_err(sql)?;
            }
            // A table whose rows have no properties still gets its table.
            upsert
                .execute(params![set.0, id, name, "table", "", 0])
                .map_err(sql)?;
        }
        Ok(())
    }
}

impl ItemStore {
    /// The schemas of the provider tables among the visible rows of `query`'s
    /// providers (every provider when it names none), merged across accounts.
    pub fn table_schemas(&self, query: &ItemQuery) -> Result<Vec<TableSchema>> {
        let conn = self.inner.reader.lock();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT s.provider, c.table_id, c.table_name, c.kind, c.key, c.types
                 FROM table_columns c JOIN item_sets s ON s.id = c.set_id
                 WHERE c.set_id IN ({VISIBLE_SETS})
                 ORDER BY s.provider, c.table_id, c.key"
            ))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        let mut tables: BTreeMap<(String, String), TableSchema> = BTreeMap::new();
        while let Some(row) = rows.next().map_err(sql)? {
            let provider: String = row.get(0).map_err(sql)?;
            let Ok(provider) = provider.parse::<ProviderId>() else {
                continue;
            };
            if !query.providers.is_empty() && !query.providers.contains(&provider) {
                continue;
            }
            let id: String = row.get(1).map_err(sql)?;
            let name: String = row.get(2).map_err(sql)?;
            let kind: String = row.get(3).map_err(sql)?;
            let key: String = row.get(4).map_err(sql)?;
            let types: u8 = row.get::<_, i64>(5).map_err(sql)?.clamp(0, 127) as u8;
            let table = tables
                .entry((provider.as_str().to_string(), id.clone()))
                .or_insert_with(|| TableSchema {
                    provider,
                    id,
                    name,
                    columns: Vec::new(),
                    associations: false,
                });
            match kind.as_str() {
                "associations" => table.associations = true,
                "property" => match table.columns.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, kinds)) => kinds.add(JsonKinds(types)),
                    None => table.columns.push((key, JsonKinds(types))),
                },
                _ => {}
            }
        }
        let mut out: Vec<TableSchema> = tables.into_values().collect();
        for table in &mut out {
            table.columns.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_name_what_was_seen() {
        let mut k = JsonKinds::of(&json!(1));
        assert!(k.only(JsonKinds::INTEGER));
        k.add(JsonKinds::of(&json!(1.5)));
        k.add(JsonKinds::of(&Value::Null));
        assert!(k.only(JsonKinds::INTEGER | JsonKinds::REAL));
        assert!(!k.only(JsonKinds::INTEGER));
        assert!(!JsonKinds::of(&Value::Null).only(JsonKinds::TEXT));
        assert!(JsonKinds::of(&json!([1])).only(JsonKinds::ARRAY));
    }
}
