//! The SQLite export: a standalone database that any SQLite tool opens.
//!
//! - `items`: every `IntegrationItem` field as a column, in the export's order;
//!   `children`, `properties` and `associations` as JSON text.
//! - One table per provider table (each HubSpot object type, each Airtable table, each
//!   Notion data source), named "<Provider> <table>" ("HubSpot Contacts"), with the
//!   row's `id`, `name`, times and `url`, then one typed column per property: INTEGER,
//!   REAL or TEXT when every value had that kind, booleans as 0/1, arrays and objects
//!   as JSON text, and no declared type (each value keeps its own) when kinds mix.
//! - `item_tables` and `item_columns` say which table and column hold which provider
//!   table and property, since names had to be made unique.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{params, params_from_iter, Connection};
use serde_json::value::RawValue;

use super::Source;
use crate::fs::WriteFailure;
use crate::item::ItemRecord;
use crate::store::items::{JsonKinds, SqliteSink, TableSchema};
use crate::ProviderId;

/// SQLite allows 2,000 columns a table; beyond this many properties the rest stay in
/// `items.properties` only (a HubSpot portal can define over 900).
const MOST_TYPED_COLUMNS: usize = 1_900;

/// The columns every typed table starts with.
const FIXED: [&str; 5] = ["id", "name", "creation_time", "last_modified_time", "url"];

/// The export's `items` table, named `table` (`items`, or `out.items` attached).
fn items_schema(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
    id TEXT,
    type TEXT,
    directory INTEGER NOT NULL,
    parent_path_or_name TEXT,
    parent_id TEXT,
    name TEXT,
    creation_time TEXT,
    last_modified_time TEXT,
    url TEXT,
    children TEXT,
    mime_type TEXT,
    delta TEXT,
    drive_id TEXT,
    visibility INTEGER,
    provider TEXT NOT NULL,
    properties TEXT NOT NULL,
    associations TEXT
)"
    )
}

fn failed(e: rusqlite::Error) -> WriteFailure {
    WriteFailure::Io(std::io::Error::other(e.to_string()))
}

/// `"name"` with inner quotes doubled.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One typed column.
struct Column {
    name: String,
    property: Option<String>,
    decl: &'static str,
}

/// One typed table, planned.
struct Typed {
    name: String,
    provider: ProviderId,
    source: TableSchema,
    columns: Vec<Column>,
    /// Property key → its value's slot in a row.
    slots: HashMap<String, usize>,
    insert: String,
    rows: u64,
}

/// The declared type for values of `kinds`.
fn declared(kinds: JsonKinds) -> &'static str {
    if kinds.only(JsonKinds::INTEGER | JsonKinds::BOOL) {
        "INTEGER"
    } else if kinds.only(JsonKinds::INTEGER | JsonKinds::REAL) {
        "REAL"
    } else if kinds.only(JsonKinds::TEXT)
        || kinds.only(JsonKinds::ARRAY | JsonKinds::OBJECT)
        || kinds.0 & !JsonKinds::NULL == 0
    {
        "TEXT"
    } else {
        // Mixed kinds: no declared type, so no affinity turns "12" into 12.
        ""
    }
}

/// Makes `wanted` unique (case-insensitively, as SQLite compares names) among `taken`.
fn unique(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string();
    let base = if clean.is_empty() {
        "unnamed".to_string()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 1;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name))
        || name.to_ascii_lowercase().starts_with("sqlite_")
    {
        n += 1;
        name = format!("{base} ({n})");
    }
    taken.push(name.clone());
    name
}

/// The typed tables of one export.
#[derive(Default)]
pub(crate) struct TypedTables {
    tables: Vec<Typed>,
    /// (provider, provider table id) → index in `tables`.
    by_source: HashMap<(String, String), usize>,
    /// `out.` when the export database is attached.
    prefix: String,
}

impl TypedTables {
    fn plan(schemas: &[TableSchema], prefix: &str) -> TypedTables {
        let mut table_names: Vec<String> = ["items", "item_tables", "item_columns"]
            .map(String::from)
            .to_vec();
        let mut out = TypedTables {
            prefix: prefix.to_string(),
            ..Default::default()
        };
        for schema in schemas {
            let name = unique(
                &format!("{} {}", schema.provider.display_name(), schema.name),
                &mut table_names,
            );
            let mut column_names: Vec<String> = FIXED.map(String::from).to_vec();
            let mut columns: Vec<Column> = FIXED
                .iter()
                .map(|c| Column {
                    name: c.to_string(),
                    property: None,
                    decl: "TEXT",
                })
                .collect();
            if schema.associations {
                column_names.push("associations".into());
                columns.push(Column {
                    name: "associations".into(),
                    property: None,
                    decl: "TEXT",
                });
            }
            let mut slots = HashMap::new();
            for (key, kinds) in schema.columns.iter().take(MOST_TYPED_COLUMNS) {
                slots.insert(key.clone(), columns.len());
                columns.push(Column {
                    name: unique(key, &mut column_names),
                    property: Some(key.clone()),
                    decl: declared(*kinds),
                });
            }
            let insert = format!(
                "INSERT INTO {prefix}{} VALUES ({})",
                quoted(&name),
                vec!["?"; columns.len()].join(", ")
            );
            out.by_source.insert(
                (schema.provider.as_str().to_string(), schema.id.clone()),
                out.tables.len(),
            );
            out.tables.push(Typed {
                name,
                provider: schema.provider,
                source: schema.clone(),
                columns,
                slots,
                insert,
                rows: 0,
            });
        }
        out
    }

    fn create(&self, conn: &Connection) -> rusqlite::Result<()> {
        let p = &self.prefix;
        conn.execute_batch(&format!(
            "CREATE TABLE {p}item_tables (
                table_name TEXT PRIMARY KEY,
                provider TEXT NOT NULL,
                source_id TEXT NOT NULL,
                source_name TEXT NOT NULL,
                row_count INTEGER NOT NULL
            );
            CREATE TABLE {p}item_columns (
                table_name TEXT NOT NULL,
                column_name TEXT NOT NULL,
                property TEXT,
                type TEXT NOT NULL
            );"
        ))?;
        for t in &self.tables {
            let columns: Vec<String> = t
                .columns
                .iter()
                .map(|c| format!("{} {}", quoted(&c.name), c.decl).trim().to_string())
                .collect();
            conn.execute_batch(&format!(
                "CREATE TABLE {p}{} ({})",
                quoted(&t.name),
                columns.join(", ")
            ))?;
            let mut insert = conn.prepare_cached(&format!(
                "INSERT INTO {p}item_columns VALUES (?1, ?2, ?3, ?4)"
            ))?;
            for c in &t.columns {
                let decl = if c.decl.is_empty() { "ANY" } else { c.decl };
                insert.execute(params![t.name, c.name, c.property, decl])?;
            }
        }
        Ok(())
    }

    /// Adds `r` to its typed table, when it is a row of one.
    fn row<'a>(&mut self, conn: &Connection, r: &ItemRecord<'a>) -> rusqlite::Result<()> {
        let Some((table_id, _)) = r.table else {
            return Ok(());
        };
        let Some(&at) = self
            .by_source
            .get(&(r.provider.to_string(), table_id.to_string()))
        else {
            return Ok(());
        };
        let t = &mut self.tables[at];
        let null = || ToSqlOutput::Owned(SqlValue::Null);
        let mut values: Vec<ToSqlOutput<'_>> = vec![null(); t.columns.len()];
        let text = |s: Option<&'a str>| s.map_or_else(null, ToSqlOutput::from);
        values[0] = text(r.id);
        values[1] = text(r.name);
        values[2] = text(r.creation_time);
        values[3] = text(r.last_modified_time);
        values[4] = text(r.url);
        if t.source.associations {
            values[FIXED.len()] = text(r.associations);
        }
        // The store wrote this JSON; anything unreadable leaves the columns empty.
        for (key, value) in properties(r.properties) {
            if let Some(&slot) = t.slots.get(key.as_ref()) {
                values[slot] = sql_value(value.get());
            }
        }
        conn.prepare_cached(&t.insert)?
            .execute(params_from_iter(values))?;
        t.rows += 1;
        Ok(())
    }

    fn finish(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut insert = conn.prepare_cached(&format!(
            "INSERT INTO {}item_tables VALUES (?1, ?2, ?3, ?4, ?5)",
            self.prefix
        ))?;
        for t in &self.tables {
            insert.execute(params![
                t.name,
                t.provider.as_str(),
                t.source.id,
                t.source.name,
                t.rows as i64
            ])?;
        }
        Ok(())
    }
}

/// A stored `properties` object's members, their values as JSON text, borrowed from
/// it: nothing is built but what the typed columns take. Empty when it is not an
/// object.
fn properties(json: &str) -> Vec<(Cow<'_, str>, &RawValue)> {
    // Keys borrow unless they hold an escape (a quote in a property name).
    if let Ok(map) = serde_json::from_str::<BTreeMap<&str, &RawValue>>(json) {
        return map
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect();
    }
    serde_json::from_str::<BTreeMap<String, &RawValue>>(json)
        .map(|map| map.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect())
        .unwrap_or_default()
}

/// A JSON value (its text) in its SQLite form: booleans 0/1, arrays and objects as
/// their compact JSON text (as the store wrote it).
fn sql_value(json: &str) -> ToSqlOutput<'_> {
    let null = ToSqlOutput::Owned(SqlValue::Null);
    match json.as_bytes().first() {
        Some(b'n') | None => null,
        Some(b't') => ToSqlOutput::Owned(SqlValue::Integer(1)),
        Some(b'f') => ToSqlOutput::Owned(SqlValue::Integer(0)),
        Some(b'[' | b'{') => ToSqlOutput::from(json),
        Some(b'"') => match serde_json::from_str::<&str>(json) {
            Ok(s) => ToSqlOutput::from(s),
            // An escape: the text has to be unescaped into a copy.
            Err(_) => serde_json::from_str::<String>(json)
                .map_or(null, |s| ToSqlOutput::Owned(SqlValue::Text(s))),
        },
        Some(_) => match serde_json::from_str::<serde_json::Number>(json) {
            Ok(n) => ToSqlOutput::Owned(match n.as_i64() {
                Some(i) => SqlValue::Integer(i),
                None => SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
            }),
            Err(_) => null,
        },
    }
}

/// The store's copy: `items` by SQL, the typed tables from its rows.
#[derive(Default)]
pub(crate) struct StoreSink(TypedTables);

impl SqliteSink for StoreSink {
    fn create(&mut self, conn: &Connection, tables: &[TableSchema]) -> rusqlite::Result<()> {
        conn.execute_batch(&items_schema("out.items"))?;
        self.0 = TypedTables::plan(tables, "out.");
        self.0.create(conn)
    }

    fn table_row(&mut self, conn: &Connection, record: &ItemRecord<'_>) -> rusqlite::Result<()> {
        self.0.row(conn, record)
    }

    fn finish(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.0.finish(conn)
    }
}

/// Writes the database at `path` (a fresh temporary file the caller renames) from a
/// list of items: `items` first, while the provider tables' schemas are gathered, then
/// the typed tables from the rows just written.
pub(super) fn write(path: &Path, source: &mut dyn Source) -> Result<usize, WriteFailure> {
    let mut conn = Connection::open(path).map_err(failed)?;
    // A file written once and renamed: no journal needed while it is built.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(failed)?;
    conn.execute_batch(&items_schema("items")).map_err(failed)?;
    let tx = conn.transaction().map_err(failed)?;
    // The provider tables' schemas, and their rows (kept to write once the schemas
    // are known: a list export is small enough to hold twice).
    let mut schemas: Vec<TableSchema> = Vec::new();
    let mut rows: Vec<OwnedRow> = Vec::new();
    let count = {
        let mut insert = tx
            .prepare("INSERT INTO items VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")
            .map_err(failed)?;
        source.each(&mut |r| {
            insert
                .execute(params![
                    r.id,
                    r.item_type,
                    r.directory,
                    r.parent_path_or_name,
                    r.parent_id,
                    r.name,
                    r.creation_time,
                    r.last_modified_time,
                    r.url,
                    r.children,
                    r.mime_type,
                    r.delta,
                    r.drive_id,
                    r.visibility,
                    r.provider,
                    r.properties,
                    r.associations,
                ])
                .map_err(failed)?;
            if let Some((id, name)) = r.table {
                gather(&mut schemas, r, id, name);
                rows.push(OwnedRow::of(r));
            }
            Ok(())
        })?
    };
    for schema in &mut schemas {
        schema.columns.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let mut typed = TypedTables::plan(&schemas, "");
    typed.create(&tx).map_err(failed)?;
    for row in &rows {
        typed.row(&tx, &row.record()).map_err(failed)?;
    }
    typed.finish(&tx).map_err(failed)?;
    tx.commit().map_err(failed)?;
    conn.close().map_err(|(_, e)| failed(e))?;
    Ok(count)
}

/// What a typed table needs of a listed item, owned.
struct OwnedRow {
    provider: String,
    table: (String, String),
    text: [Option<String>; 5],
    properties: String,
    associations: Option<String>,
}

impl OwnedRow {
    fn of(r: &ItemRecord<'_>) -> OwnedRow {
        let own = |s: Option<&str>| s.map(String::from);
        let (id, name) = r.table.unwrap_or_default();
        OwnedRow {
            provider: r.provider.to_string(),
            table: (id.to_string(), name.to_string()),
            text: [
                own(r.id),
                own(r.name),
                own(r.creation_time),
                own(r.last_modified_time),
                own(r.url),
            ],
            properties: r.properties.to_string(),
            associations: own(r.associations),
        }
    }

    fn record(&self) -> ItemRecord<'_> {
        let [id, name, created, modified, url] = &self.text;
        ItemRecord {
            id: id.as_deref(),
            item_type: None,
            directory: false,
            parent_path_or_name: None,
            parent_id: None,
            name: name.as_deref(),
            creation_time: created.as_deref(),
            last_modified_time: modified.as_deref(),
            url: url.as_deref(),
            children: None,
            mime_type: None,
            delta: None,
            drive_id: None,
            visibility: None,
            provider: &self.provider,
            properties: &self.properties,
            associations: self.associations.as_deref(),
            table: Some((&self.table.0, &self.table.1)),
        }
    }
}

/// Adds `r`'s keys and kinds to its table's schema.
fn gather(schemas: &mut Vec<TableSchema>, r: &ItemRecord<'_>, id: &str, name: &str) {
    let Ok(provider) = r.provider.parse::<ProviderId>() else {
        return;
    };
    let at = match schemas
        .iter()
        .position(|s| s.provider == provider && s.id == id)
    {
        Some(at) => at,
        None => {
            schemas.push(TableSchema {
                provider,
                id: id.to_string(),
                name: name.to_string(),
                columns: Vec::new(),
                associations: false,
            });
            schemas.len() - 1
        }
    };
    let schema = &mut schemas[at];
    schema.associations |= r.associations.is_some();
    if let Ok(props) =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(r.properties)
    {
        for (key, value) in &props {
            match schema.columns.iter_mut().find(|(k, _)| k == key) {
                Some((_, kinds)) => kinds.add(JsonKinds::of(value)),
                None => schema.columns.push((key.clone(), JsonKinds::of(value))),
            }
        }
    }
}
