//! Typed values through the store and every export: JSON and NDJSON give back the same
//! values, CSV keeps them as the `properties` JSON text, and the SQLite export has a
//! table per provider table with a typed column per property, opened with SQLite and
//! compared value by value.

use std::collections::BTreeMap;
use std::path::Path;

use junction_core::export::{export_items, export_query, ExportFormat};
use junction_core::item::RowTable;
use junction_core::store::items::{ItemQuery, ItemStore};
use junction_core::{IntegrationItem, ProviderId};
use rusqlite::types::Value as SqlValue;
use serde_json::{json, Value};

fn contact(id: u32, props: Value) -> IntegrationItem {
    let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", id.to_string());
    item.name = Some(format!("Contact {id}"));
    item.properties = serde_json::from_value(props).unwrap();
    item.associations = Some(BTreeMap::from([(
        "companies".to_string(),
        vec![format!("{}", id * 10)],
    )]));
    item.table = Some(RowTable {
        id: "contacts".into(),
        name: "Contacts".into(),
    });
    item
}

fn record(id: &str, table: &str, props: Value) -> IntegrationItem {
    let mut item = IntegrationItem::new(ProviderId::Airtable, "Record", id);
    item.name = Some(id.to_string());
    item.parent_id = Some(table.to_string());
    item.properties = serde_json::from_value(props).unwrap();
    item.table = Some(RowTable {
        id: table.into(),
        name: "Base / Tasks".into(),
    });
    item
}

fn items() -> Vec<IntegrationItem> {
    let mut base = IntegrationItem::new(ProviderId::Airtable, "Base", "app1");
    base.name = Some("Base".into());
    vec![
        contact(
            1,
            json!({"amount": 1500.5, "num": 3, "vip": true, "email": "a@x.io",
                   "tags": ["a", "b"], "id": "clash", "Email": "case clash",
                   "a.b": 1, "q\"uote": "x", "mixed": 1, "empty": null,
                   "note": "say \"hi\"\nthen é", "big": -9007199254740993_i64,
                   "tiny": 1.5e-9}),
        ),
        contact(
            2,
            json!({"amount": 7, "num": 4, "vip": false, "email": "b@x.io",
                   "tags": [], "mixed": "one", "owner": {"id": "u1", "name": "Jo"}}),
        ),
        base,
        record(
            "rec1",
            "tbl1",
            json!({"Links": [{"id": "rec2", "name": "Two"}], "Done": true, "Score": 4.5}),
        ),
        record(
            "rec2",
            "tbl1",
            json!({"Links": [], "Done": false, "Score": null, "Formula": {"error": "#ERROR!"}}),
        ),
    ]
}

fn stored(dir: &Path) -> ItemStore {
    let store = ItemStore::open(dir);
    for provider in [ProviderId::Hubspot, ProviderId::Airtable] {
        let set = store.begin(provider, "", false).unwrap();
        let mine: Vec<IntegrationItem> = items()
            .into_iter()
            .filter(|i| i.provider == provider)
            .collect();
        store.write_batch(&set, &mine).unwrap();
        store.complete(set).unwrap();
    }
    store
}

#[test]
fn json_and_ndjson_from_the_store_give_back_the_same_typed_values() {
    let dir = tempfile::tempdir().unwrap();
    let store = stored(dir.path());
    let out = tempfile::tempdir().unwrap();
    for format in [ExportFormat::Json, ExportFormat::Ndjson] {
        let path = out.path().join(format!("items.{format}"));
        export_query(&store, &ItemQuery::default(), format, &path, None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let back: Vec<IntegrationItem> = if format == ExportFormat::Json {
            serde_json::from_str(&text).unwrap()
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let mut want = items();
        for w in &mut want {
            w.table = None; // not an exported field
        }
        let mut back = back;
        back.sort_by_key(|i| i.key());
        want.sort_by_key(|i| i.key());
        assert_eq!(back, want, "{format}");
        let raw: Vec<Value> = if format == ExportFormat::Json {
            serde_json::from_str(&text).unwrap()
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let first = raw.iter().find(|v| v["id"] == "1").unwrap();
        assert_eq!(first["properties"]["amount"], 1500.5);
        assert_eq!(first["properties"]["vip"], true);
        assert_eq!(first["properties"]["empty"], Value::Null);
        assert_eq!(first["associations"]["companies"], json!(["10"]));
        let base = raw.iter().find(|v| v["id"] == "app1").unwrap();
        assert_eq!(base["associations"], Value::Null);
    }
}

/// Every row of `table`, as SQL values by column name.
fn rows(conn: &rusqlite::Connection, table: &str) -> Vec<BTreeMap<String, SqlValue>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT * FROM \"{}\" ORDER BY rowid",
            table.replace('"', "\"\"")
        ))
        .unwrap();
    let names: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    stmt.query_map([], |r| {
        Ok(names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), r.get::<_, SqlValue>(i).unwrap()))
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn declared(conn: &rusqlite::Connection, table: &str) -> BTreeMap<String, String> {
    conn.prepare("SELECT name, type FROM pragma_table_info(?1)")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn check_typed_tables(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<(String, String, String, i64)> = conn
        .prepare("SELECT table_name, provider, source_id, row_count FROM item_tables ORDER BY table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        tables,
        [
            (
                "Airtable Base / Tasks".into(),
                "airtable".into(),
                "tbl1".into(),
                2
            ),
            (
                "HubSpot Contacts".into(),
                "hubspot".into(),
                "contacts".into(),
                2
            ),
        ]
    );

    let types = declared(&conn, "HubSpot Contacts");
    assert_eq!(types["amount"], "REAL");
    assert_eq!(types["num"], "INTEGER");
    assert_eq!(types["vip"], "INTEGER");
    // Names differ only by case: the first in key order keeps the name.
    assert_eq!(types["Email"], "TEXT");
    assert_eq!(types["email (2)"], "TEXT");
    assert_eq!(types["tags"], "TEXT");
    assert_eq!(types["mixed"], "", "mixed kinds keep their own types");
    assert_eq!(types["associations"], "TEXT");
    // A property named like a fixed column, or differing only by case, gets its own.
    assert_eq!(types["id"], "TEXT");
    assert!(types.contains_key("id (2)"), "{types:?}");
    assert!(types.contains_key("a.b") && types.contains_key("q\"uote"));

    let contacts = rows(&conn, "HubSpot Contacts");
    assert_eq!(contacts.len(), 2);
    let c1 = &contacts[0];
    assert_eq!(c1["id"], SqlValue::Text("1".into()));
    assert_eq!(c1["name"], SqlValue::Text("Contact 1".into()));
    assert_eq!(c1["amount"], SqlValue::Real(1500.5));
    assert_eq!(c1["num"], SqlValue::Integer(3));
    assert_eq!(c1["vip"], SqlValue::Integer(1));
    assert_eq!(c1["tags"], SqlValue::Text(r#"["a","b"]"#.into()));
    assert_eq!(c1["id (2)"], SqlValue::Text("clash".into()));
    assert_eq!(c1["Email"], SqlValue::Text("case clash".into()));
    assert_eq!(c1["email (2)"], SqlValue::Text("a@x.io".into()));
    assert_eq!(c1["a.b"], SqlValue::Integer(1));
    assert_eq!(c1["q\"uote"], SqlValue::Text("x".into()));
    assert_eq!(c1["mixed"], SqlValue::Integer(1));
    assert_eq!(c1["empty"], SqlValue::Null);
    assert_eq!(c1["note"], SqlValue::Text("say \"hi\"\nthen é".into()));
    assert_eq!(c1["big"], SqlValue::Integer(-9007199254740993));
    assert_eq!(c1["tiny"], SqlValue::Real(1.5e-9));
    assert_eq!(
        c1["associations"],
        SqlValue::Text(r#"{"companies":["10"]}"#.into())
    );
    let c2 = &contacts[1];
    assert_eq!(c2["amount"], SqlValue::Real(7.0), "REAL affinity");
    assert_eq!(c2["vip"], SqlValue::Integer(0));
    assert_eq!(c2["mixed"], SqlValue::Text("one".into()));
    assert_eq!(
        c2["owner"],
        SqlValue::Text(r#"{"id":"u1","name":"Jo"}"#.into())
    );
    assert_eq!(c2["id (2)"], SqlValue::Null);

    let tasks = rows(&conn, "Airtable Base / Tasks");
    assert_eq!(
        tasks[0]["Links"],
        SqlValue::Text(r#"[{"id":"rec2","name":"Two"}]"#.into())
    );
    assert_eq!(tasks[0]["Done"], SqlValue::Integer(1));
    assert_eq!(tasks[1]["Score"], SqlValue::Null);
    assert_eq!(
        tasks[1]["Formula"],
        SqlValue::Text(r##"{"error":"#ERROR!"}"##.into())
    );
    assert!(!declared(&conn, "Airtable Base / Tasks").contains_key("associations"));

    let property: Option<String> = conn
        .query_row(
            "SELECT property FROM item_columns WHERE table_name = 'HubSpot Contacts' AND column_name = 'id (2)'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(property.as_deref(), Some("id"));
    // The items table is still there, whole.
    let n: i64 = conn
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5);
}

#[test]
fn the_sqlite_export_has_a_typed_table_per_provider_table() {
    let dir = tempfile::tempdir().unwrap();
    let store = stored(dir.path());
    let out = tempfile::tempdir().unwrap();
    let db = out.path().join("items.sqlite");
    export_query(
        &store,
        &ItemQuery::default(),
        ExportFormat::Sqlite,
        &db,
        None,
    )
    .unwrap();
    check_typed_tables(&db);

    // The same from a list of items (what a list export writes).
    let listed = out.path().join("listed.sqlite");
    let mut list = items();
    list.sort_by_key(|i| (i.provider, i.key()));
    export_items(&list, ExportFormat::Sqlite, &listed, None).unwrap();
    check_typed_tables(&listed);
}

#[test]
fn a_query_export_types_only_its_rows_and_a_reload_retires_old_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let store = stored(dir.path());
    // A reload whose rows lost a property: the old set's schema goes with it.
    let set = store.begin(ProviderId::Hubspot, "", false).unwrap();
    store
        .write_batch(&set, &[contact(3, json!({"num": 5}))])
        .unwrap();
    store.complete(set).unwrap();
    let out = tempfile::tempdir().unwrap();
    let db = out.path().join("q.sqlite");
    let query = ItemQuery {
        providers: vec![ProviderId::Hubspot],
        ..ItemQuery::default()
    };
    export_query(&store, &query, ExportFormat::Sqlite, &db, None).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT table_name FROM item_tables")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(tables, ["HubSpot Contacts"]);
    let types = declared(&conn, "HubSpot Contacts");
    assert_eq!(types["num"], "INTEGER");
    assert!(!types.contains_key("amount"), "{types:?}");
    assert_eq!(
        rows(&conn, "HubSpot Contacts")[0]["num"],
        SqlValue::Integer(5)
    );
}
