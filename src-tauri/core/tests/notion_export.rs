//! A Notion load from the fake, through the item store, into the exports: every data
//! source becomes a typed SQLite table ("Notion Database / Data source", or the
//! database's name alone), its columns typed by the values' JSON kinds, and JSON gives
//! back exactly the typed values the load produced.

mod fetch_support;

use std::collections::{BTreeMap, HashMap};

use fetch_support::*;
use junction_core::export::{export_query, ExportFormat};
use junction_core::store::items::{ItemQuery, ItemStore};
use junction_core::{IntegrationItem, ProviderId::Notion};
use junction_fakes::{DataSize, FakeConfig};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;

async fn loaded() -> (
    junction_fakes::Harness,
    Vec<IntegrationItem>,
    ItemStore,
    tempfile::TempDir,
) {
    let config = FakeConfig {
        data: DataSize {
            pages: 160,
            databases: 4,
            ..DataSize::default()
        },
        rate_limits: false,
        rate_limit_scale: 50.0,
        ..FakeConfig::default()
    };
    let (h, session) = connected(Notion, config, &[]).await;
    let (_, rec) = load(&session, Notion, None).await;
    done_count(&rec);
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let set = store.begin(Notion, "", false).unwrap();
    for event in rec.events() {
        if let junction_core::fetch::LoadEvent::Batch { items, .. } = event {
            store.write_batch(&set, &items).unwrap();
        }
    }
    store.complete(set).unwrap();
    (h, rec.items(), store, dir)
}

#[tokio::test]
async fn every_data_source_is_a_typed_table_and_json_gives_the_values_back() {
    let (h, items, store, _dir) = loaded().await;
    let s = h.fakes.summary();
    let out = tempfile::tempdir().unwrap();

    // JSON: the same items, the same typed values.
    let path = out.path().join("notion.json");
    export_query(
        &store,
        &ItemQuery::default(),
        ExportFormat::Json,
        &path,
        None,
    )
    .unwrap();
    let mut back: Vec<IntegrationItem> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut want: Vec<IntegrationItem> = items
        .iter()
        .cloned()
        .map(|mut i| {
            i.table = None;
            i
        })
        .collect();
    back.sort_by_key(|i| i.key());
    want.sort_by_key(|i| i.key());
    assert_eq!(back.len(), s.notion_items());
    assert_eq!(back, want);

    // SQLite: one table per data source, rows and types as loaded.
    let path = out.path().join("notion.sqlite");
    export_query(
        &store,
        &ItemQuery::default(),
        ExportFormat::Sqlite,
        &path,
        None,
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<(String, String, i64)> = conn
        .prepare("SELECT table_name, source_id, row_count FROM item_tables WHERE provider = 'notion' ORDER BY table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sources: Vec<&IntegrationItem> = items
        .iter()
        .filter(|i| i.item_type.as_deref() == Some("Data source"))
        .collect();
    assert_eq!(tables.len(), s.data_sources);
    for source in &sources {
        let id = source.id.clone().unwrap();
        let rows = source.children.as_ref().unwrap().len() as i64;
        let (name, _, count) = tables
            .iter()
            .find(|t| t.1 == id)
            .unwrap_or_else(|| panic!("a table for {id}"));
        assert_eq!(*count, rows, "{name}");
        assert!(name.starts_with("Notion "), "{name}");
    }
    assert_eq!(
        tables.iter().filter(|t| t.0.contains(" / ")).count(),
        2,
        "the two data sources of one database are \"Database / Data source\""
    );

    // The table of the data source with the long relation: typed columns.
    let row = items
        .iter()
        .find(|i| {
            i.properties
                .get("Related")
                .and_then(Value::as_array)
                .is_some_and(|r| r.len() > 25)
        })
        .expect("the row with 60 references");
    let table = &tables
        .iter()
        .find(|t| Some(&t.1) == row.parent_id.as_ref())
        .unwrap()
        .0;
    let declared: BTreeMap<String, String> = conn
        .prepare("SELECT name, type FROM pragma_table_info(?1)")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(declared["Done"], "INTEGER", "checkboxes are 0/1");
    assert_eq!(declared["Estimate"], "REAL");
    assert_eq!(declared["Status"], "TEXT");
    assert_eq!(declared["Ticket"], "TEXT");
    assert_eq!(declared["Tags"], "TEXT", "arrays as JSON text");
    assert_eq!(declared["Related"], "TEXT");

    let mut stmt = conn
        .prepare(&format!(
            "SELECT * FROM \"{}\" WHERE id = ?1",
            table.replace('"', "\"\"")
        ))
        .unwrap();
    let names: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let got: HashMap<String, SqlValue> = stmt
        .query_row([row.id.as_deref().unwrap()], |r| {
            Ok(names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), r.get::<_, SqlValue>(i).unwrap()))
                .collect())
        })
        .unwrap();
    let done = row.properties["Done"].as_bool().unwrap();
    assert_eq!(got["Done"], SqlValue::Integer(done as i64));
    assert_eq!(
        got["Ticket"],
        SqlValue::Text(row.properties["Ticket"].as_str().unwrap().into())
    );
    let SqlValue::Text(related) = &got["Related"] else {
        panic!("{:?}", got["Related"]);
    };
    assert_eq!(
        serde_json::from_str::<Value>(related).unwrap(),
        row.properties["Related"]
    );
}
