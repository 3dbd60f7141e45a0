//! The item store on real SQLite files: staged reloads, resume without duplicates,
//! two processes at once, recovery from a damaged file, and queries that agree with a
//! plain in-memory sort and filter over the same rows.

use std::path::Path;

use junction_core::store::items::{
    ItemKey, ItemQuery, ItemStore, Sort, SortColumn, SortDir, ITEMS_DB,
};
use junction_core::{IntegrationItem, ProviderId};

fn item(provider: ProviderId, t: &str, id: &str, name: &str) -> IntegrationItem {
    let mut i = IntegrationItem::new(provider, t, id);
    i.name = Some(name.to_string());
    i
}

fn names(store: &ItemStore, query: &ItemQuery) -> Vec<String> {
    let r = store.query(query, 0, 10_000).unwrap();
    r.rows
        .into_iter()
        .map(|r| r.name.unwrap_or_default())
        .collect()
}

fn all() -> ItemQuery {
    ItemQuery::default()
}

const H: ProviderId = ProviderId::Hubspot;
const N: ProviderId = ProviderId::Notion;

#[test]
fn a_reload_is_staged_and_a_failed_one_keeps_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let first = store.begin(H, "", false).unwrap();
    store
        .write_batch(
            &first,
            &[
                item(H, "Contact", "1", "Ada"),
                item(H, "Contact", "2", "Grace"),
            ],
        )
        .unwrap();
    // A first load's rows show as they arrive.
    assert_eq!(names(&store, &all()), ["Ada", "Grace"]);
    assert_eq!(store.complete(first).unwrap(), 2);

    let reload = store.begin(H, "", false).unwrap();
    store
        .write_batch(&reload, &[item(H, "Contact", "1", "Ada v2")])
        .unwrap();
    assert_eq!(
        names(&store, &all()),
        ["Ada", "Grace"],
        "staged: the old set stays"
    );
    store
        .fail(
            reload,
            junction_core::ErrorCode::Network,
            "HubSpot stopped answering",
            Some("{\"cursor\":1}"),
        )
        .unwrap();
    assert_eq!(
        names(&store, &all()),
        ["Ada", "Grace"],
        "a failed reload keeps it"
    );
    let loads = store.loads().unwrap();
    let record = loads.iter().find(|l| l.provider == H).unwrap();
    assert_eq!(record.complete.as_ref().unwrap().count, 2);
    let failed = record.failed.as_ref().unwrap();
    assert!(failed.resumable);
    assert_eq!(failed.count, 1);

    // Resume continues the same set and writes by key: no duplicates.
    let resumed = store.begin(H, "", true).unwrap();
    assert_eq!(resumed.resume_point.as_deref(), Some("{\"cursor\":1}"));
    assert_eq!(resumed.count, 1);
    store
        .write_batch(
            &resumed,
            &[
                item(H, "Contact", "1", "Ada v3"),
                item(H, "Contact", "3", "Alan"),
            ],
        )
        .unwrap();
    assert_eq!(names(&store, &all()), ["Ada", "Grace"]);
    assert_eq!(store.complete(resumed).unwrap(), 2);
    assert_eq!(names(&store, &all()), ["Ada v3", "Alan"], "swapped in");
    let record = store
        .loads()
        .unwrap()
        .into_iter()
        .find(|l| l.provider == H)
        .unwrap();
    assert!(record.failed.is_none() && !record.running);
}

#[test]
fn a_first_load_that_fails_keeps_its_rows_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let set = store.begin(N, "", false).unwrap();
    store
        .write_batch(&set, &[item(N, "Page", "p1", "Roadmap")])
        .unwrap();
    store
        .fail(set, junction_core::ErrorCode::Cancelled, "cancelled", None)
        .unwrap();
    assert_eq!(names(&store, &all()), ["Roadmap"]);
    // A fresh load replaces the partial rows.
    let again = store.begin(N, "", false).unwrap();
    assert!(names(&store, &all()).is_empty());
    store
        .write_batch(&again, &[item(N, "Page", "p2", "Launch")])
        .unwrap();
    store.complete(again).unwrap();
    assert_eq!(names(&store, &all()), ["Launch"]);
}

#[test]
fn forget_drops_one_provider_and_get_item_finds_the_whole_item() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    for (p, t, id, name) in [(H, "Deal", "9", "Big deal"), (N, "Page", "x", "Notes")] {
        let set = store.begin(p, "", false).unwrap();
        let mut it = item(p, t, id, name);
        it.properties.insert("Stage".into(), "won".into());
        store.write_batch(&set, &[it]).unwrap();
        store.complete(set).unwrap();
    }
    let key = ItemKey {
        provider: H,
        account: String::new(),
        item_type: "Deal".into(),
        id: "9".into(),
    };
    let got = store.get_item(&key).unwrap().unwrap();
    assert_eq!(got.properties["Stage"], "won");
    assert_eq!(got.provider, H);
    store.forget_provider(H).unwrap();
    assert_eq!(store.get_item(&key).unwrap(), None);
    assert_eq!(names(&store, &all()), ["Notes"]);
}

#[test]
fn two_processes_read_and_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = ItemStore::open(dir.path());
    let cli = ItemStore::open(dir.path());
    assert!(names(&app, &all()).is_empty());
    let writers: Vec<_> = [(app.clone(), H), (cli.clone(), N)]
        .into_iter()
        .map(|(store, p)| {
            std::thread::spawn(move || {
                let set = store.begin(p, "", false).unwrap();
                for b in 0..20 {
                    let batch: Vec<_> = (0..50)
                        .map(|i| item(p, "T", &format!("{b}-{i}"), &format!("{p} {b} {i}")))
                        .collect();
                    store.write_batch(&set, &batch).unwrap();
                }
                store.complete(set).unwrap()
            })
        })
        .collect();
    for w in writers {
        assert_eq!(w.join().unwrap(), 1000);
    }
    // Each sees the other's commit.
    assert_eq!(app.query(&all(), 0, 1).unwrap().total, 2000);
    assert_eq!(cli.query(&all(), 0, 1).unwrap().total, 2000);
    let only_notion = ItemQuery {
        providers: vec![N],
        ..ItemQuery::default()
    };
    assert_eq!(app.query(&only_notion, 0, 1).unwrap().total, 1000);
}

#[test]
fn a_damaged_file_is_moved_aside_and_an_empty_store_takes_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(ITEMS_DB),
        b"this is not a database, just text",
    )
    .unwrap();
    let store = ItemStore::open(dir.path());
    let recovered = store.recovered().expect("recovered").clone();
    assert!(recovered.moved_to.exists(), "{recovered:?}");
    assert!(
        recovered
            .moved_to
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("items.db.corrupt-"),
        "{recovered:?}"
    );
    assert_eq!(
        std::fs::read(&recovered.moved_to).unwrap(),
        b"this is not a database, just text"
    );
    // The new store works and is a real file.
    let set = store.begin(H, "", false).unwrap();
    store
        .write_batch(&set, &[item(H, "Contact", "1", "Ada")])
        .unwrap();
    store.complete(set).unwrap();
    drop(store);
    let reopened = ItemStore::open(dir.path());
    assert!(reopened.recovered().is_none());
    assert_eq!(names(&reopened, &all()), ["Ada"]);
}

#[test]
fn the_export_stream_follows_the_query_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let set = store.begin(H, "", false).unwrap();
    let batch: Vec<_> = ["delta", "Alpha", "charlie", "Bravo"]
        .iter()
        .enumerate()
        .map(|(i, n)| item(H, "Contact", &i.to_string(), n))
        .collect();
    store.write_batch(&set, &batch).unwrap();
    store.complete(set).unwrap();
    let query = ItemQuery {
        search: "a".into(),
        sort: Some(Sort {
            column: SortColumn::Name,
            dir: SortDir::Desc,
        }),
        ..ItemQuery::default()
    };
    let mut streamed = Vec::new();
    let n = store
        .for_each_record(&query, |r| {
            streamed.push(r.name.unwrap().to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(streamed, names(&store, &query));
    assert_eq!(streamed, ["delta", "charlie", "Bravo", "Alpha"]);
}

/// Whether `path` holds a SQLite database in WAL mode: the file header's read and
/// write versions (bytes 18 and 19) are 2.
fn is_wal(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.starts_with(b"SQLite format 3\0") && bytes[18] == 2 && bytes[19] == 2
}

#[test]
fn the_store_is_a_wal_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    assert_eq!(store.path(), dir.path().join(ITEMS_DB));
    let set = store.begin(H, "", false).unwrap();
    store.complete(set).unwrap();
    assert!(is_wal(store.path()));
}

#[test]
fn exports_from_the_store_follow_the_query_in_every_format() {
    use junction_core::export::{export_query, ExportFormat};
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let set = store.begin(H, "", false).unwrap();
    let mut batch: Vec<_> = ["Zoë", "ada", "Bob"]
        .iter()
        .enumerate()
        .map(|(i, n)| item(H, "Contact", &i.to_string(), n))
        .collect();
    batch[0]
        .properties
        .insert("email".into(), "z@example.com".into());
    store.write_batch(&set, &batch).unwrap();
    store.complete(set).unwrap();
    let query = ItemQuery {
        sort: Some(Sort {
            column: SortColumn::Name,
            dir: SortDir::Asc,
        }),
        ..ItemQuery::default()
    };
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("items.json");
    let summary = export_query(&store, &query, ExportFormat::Json, &json, None).unwrap();
    assert_eq!(summary.count, 3);
    let back: Vec<IntegrationItem> =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let names: Vec<_> = back.iter().map(|i| i.name.clone().unwrap()).collect();
    assert_eq!(names, ["ada", "Bob", "Zoë"]);
    assert_eq!(back[2], batch[0], "every field survives the store");

    let db = out.path().join("items.sqlite");
    let summary = export_query(&store, &query, ExportFormat::Sqlite, &db, None).unwrap();
    assert_eq!(summary.count, 3);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT name, provider, properties FROM items ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows[0].0, "ada");
    assert_eq!(rows[2].1, "hubspot");
    let props: serde_json::Value = serde_json::from_str(&rows[2].2).unwrap();
    assert_eq!(props["email"], "z@example.com");
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('items')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(columns, junction_core::item::FIELDS);
    // Nothing but the two exports in the folder: no temporary file left.
    let mut files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["items.json", "items.sqlite"]);
}

#[test]
fn a_start_serves_the_plain_table_before_the_index_is_built_and_both_agree() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = ItemStore::open(dir.path());
        for (p, n) in [(H, 30), (N, 20)] {
            let set = store.begin(p, "", false).unwrap();
            let batch: Vec<_> = (0..n)
                .map(|i| {
                    item(
                        p,
                        if i % 3 == 0 { "Deal" } else { "Page" },
                        &i.to_string(),
                        "x",
                    )
                })
                .collect();
            store.write_batch(&set, &batch).unwrap();
            store.complete(set).unwrap();
        }
        // A first load in progress is shown too.
        let partial = store.begin(ProviderId::Airtable, "", false).unwrap();
        store
            .write_batch(
                &partial,
                &[item(ProviderId::Airtable, "Base", "b1", "Base")],
            )
            .unwrap();
        std::mem::forget(partial);
    }
    let store = ItemStore::open(dir.path());
    // However the race with the background build goes, the answers are the same.
    let early = store.query(&all(), 5, 10).unwrap();
    store.warm().unwrap();
    let late = store.query(&all(), 5, 10).unwrap();
    assert_eq!(early, late);
    assert_eq!(late.total, 51);
    assert_eq!(late.counts.providers[&H], 30);
    assert_eq!(late.counts.types["Deal"], 10 + 7);
}

#[test]
fn a_window_marks_folder_like_rows_on_the_plain_and_the_sorted_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = ItemStore::open(dir.path());
    let set = store.begin(ProviderId::Airtable, "", false).unwrap();
    let mut base = item(ProviderId::Airtable, "base", "app1", "Roadmap");
    base.directory = true;
    let record = item(ProviderId::Airtable, "record", "rec1", "Task");
    store.write_batch(&set, &[base, record]).unwrap();
    store.complete(set).unwrap();
    let flags = |query: &ItemQuery| -> Vec<(String, bool)> {
        let r = store.query(query, 0, 10).unwrap();
        r.rows
            .into_iter()
            .map(|r| (r.name.unwrap_or_default(), r.directory))
            .collect()
    };
    let plain = flags(&all());
    assert_eq!(plain, [("Roadmap".into(), true), ("Task".into(), false)]);
    store.warm().unwrap();
    let sorted = ItemQuery {
        sort: Some(Sort {
            column: SortColumn::Name,
            dir: SortDir::Desc,
        }),
        ..all()
    };
    assert_eq!(
        flags(&sorted),
        [("Task".into(), false), ("Roadmap".into(), true)]
    );
}
