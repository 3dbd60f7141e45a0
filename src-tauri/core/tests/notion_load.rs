//! Notion on the 2026 API against the fake: every data source of every database
//! queried, the pages search leaves out found by the block walk (and counted), a
//! relation of 60 references complete, the query cap windowed, and resume without
//! duplicates. Rate limits on, scaled 20×. (What an older `Notion-Version` gets is in
//! fake_providers.rs.)

mod fetch_support;

use std::collections::{BTreeMap, HashMap};

use fetch_support::*;
use junction_core::fetch::LoadEvent;
use junction_core::providers::notion::NOTION_VERSION;
use junction_core::IntegrationItem;
use junction_core::ProviderId::Notion;
use junction_fakes::{DataSize, Endpoint, FakeConfig, Fault, FaultKind, NOTION_LONG_RELATION};
use serde_json::Value;

const SCALE: f64 = 20.0;

fn config(data: DataSize) -> FakeConfig {
    FakeConfig {
        data,
        rate_limit_scale: SCALE,
        // Pages of 25 on the property endpoint, so the 60 references take three.
        notion_property_page_size: 25,
        ..FakeConfig::default()
    }
}

fn data() -> DataSize {
    DataSize {
        pages: 180,
        databases: 5,
        edge_cases: true,
        ..DataSize::default()
    }
}

/// The last copy of every item sent (a page sent again with its parent's name
/// replaces the first), by key.
fn final_items(items: &[IntegrationItem]) -> BTreeMap<Key, IntegrationItem> {
    items.iter().map(|i| (key(i), i.clone())).collect()
}

fn of_type<'a>(items: &'a BTreeMap<Key, IntegrationItem>, t: &str) -> Vec<&'a IntegrationItem> {
    items
        .values()
        .filter(|i| i.item_type.as_deref() == Some(t))
        .collect()
}

fn bare(id: &str) -> String {
    id.replace('-', "").to_lowercase()
}

#[tokio::test]
async fn every_data_source_every_walked_page_and_the_long_relation() {
    let (h, session) = connected(Notion, config(data()), &[]).await;
    let (outcome, rec) = load(&session, Notion, None).await;
    check_batches(&rec);
    let s = h.fakes.summary();
    assert_eq!(done_count(&rec), s.notion_items() as u64);
    assert_eq!(outcome.count, s.notion_items() as u64);
    let sent = rec.sent();
    let items = final_items(&sent);
    assert_eq!(items.len(), s.notion_items(), "each object once");
    // Sent twice: only items whose parent's name came later, the second time named.
    let mut first_copies: HashMap<Key, &IntegrationItem> = HashMap::new();
    for item in &sent {
        if let Some(earlier) = first_copies.insert(key(item), item) {
            assert!(earlier.parent_path_or_name.is_none(), "{:?}", key(item));
            assert!(item.parent_path_or_name.is_some(), "{:?}", key(item));
        }
    }

    let databases = of_type(&items, "Database");
    let sources = of_type(&items, "Data source");
    let pages = of_type(&items, "Page");
    assert_eq!(
        (databases.len(), sources.len(), pages.len()),
        (s.databases, s.data_sources, s.pages)
    );

    // The database with two data sources: both are its children and both loaded rows,
    // labelled "Database / Data source"; single-source rows show the database alone.
    let names: HashMap<String, String> = items
        .values()
        .filter_map(|i| Some((bare(i.id.as_deref()?), i.name.clone()?)))
        .collect();
    let multi = databases
        .iter()
        .find(|d| d.children.as_ref().is_some_and(|c| c.len() == 2))
        .expect("a database with two data sources");
    assert!(multi.directory);
    for child in multi.children.as_ref().unwrap() {
        let source = sources
            .iter()
            .find(|s| s.id.as_deref() == Some(child))
            .expect("its data sources are items");
        assert_eq!(
            source.parent_id, multi.id,
            "a data source's parent is its database"
        );
        assert_eq!(source.parent_path_or_name, multi.name);
        let rows = source.children.as_ref().expect("rows listed");
        assert!(!rows.is_empty(), "{:?} has rows", source.name);
        let label = format!(
            "{} / {}",
            multi.name.as_deref().unwrap(),
            source.name.as_deref().unwrap()
        );
        for row in rows {
            let row = &items[&(Notion, "Page".into(), row.clone())];
            assert_eq!(row.parent_id.as_deref(), Some(child.as_str()));
            assert_eq!(row.parent_path_or_name.as_deref(), Some(label.as_str()));
        }
    }
    let mut single_rows = 0;
    for source in &sources {
        let database = source.parent_id.as_deref().map(bare).unwrap();
        let db = databases
            .iter()
            .find(|d| bare(d.id.as_deref().unwrap()) == database)
            .unwrap();
        if db.children.as_ref().unwrap().len() == 1 {
            for row in source.children.as_ref().unwrap() {
                let row = &items[&(Notion, "Page".into(), row.clone())];
                assert_eq!(
                    row.parent_path_or_name, db.name,
                    "one data source: the database's name"
                );
                single_rows += 1;
            }
        }
    }
    assert!(single_rows > 0);
    let rows: usize = sources
        .iter()
        .map(|s| s.children.as_ref().unwrap().len())
        .sum();
    assert_eq!(rows, s.rows, "every row comes from its data source's query");

    // Pages and databases search left out: found by the walk, and counted.
    assert!(s.walk_only > 5, "{}", s.walk_only);
    assert_eq!(rec.progress()["found by walk"], s.walk_only as u64);
    assert_eq!(rec.progress()["pages"], s.pages as u64);
    assert_eq!(rec.progress()["data sources"], s.data_sources as u64);
    assert!(!rec.progress().contains_key("skipped"));

    // Parent names wherever the parent was loaded; a page inside a toggle is named
    // by the toggle's page.
    let (mut named, mut in_blocks) = (0, 0);
    for item in pages.iter().filter(|p| p.table.is_none()) {
        let Some(parent) = item.parent_id.as_deref() else {
            continue;
        };
        match names.get(&bare(parent)) {
            Some(name) => {
                assert_eq!(item.parent_path_or_name.as_ref(), Some(name));
                named += 1;
            }
            None if item.parent_path_or_name.is_some() => in_blocks += 1,
            None => {}
        }
    }
    assert!(named > 30, "{named}");
    assert!(in_blocks > 0, "pages in toggles");

    // The 60 references, complete (25 in the page object, the rest paged).
    let long: Vec<&Value> = pages
        .iter()
        .filter_map(|p| p.properties.get("Related"))
        .filter(|r| r.as_array().is_some_and(|a| a.len() > 25))
        .collect();
    assert_eq!(long.len(), 1);
    let refs = long[0].as_array().unwrap();
    assert_eq!(refs.len(), NOTION_LONG_RELATION);
    assert_eq!(s.longest_relation, NOTION_LONG_RELATION);
    let distinct: std::collections::HashSet<_> = refs.iter().collect();
    assert_eq!(distinct.len(), NOTION_LONG_RELATION);
    for r in refs {
        let id = r.as_str().expect("relation ids are strings").to_string();
        assert!(
            items.contains_key(&(Notion, "Page".into(), id)),
            "{r} is a loaded page"
        );
    }

    // Typed values and the row's provider table.
    let row = pages
        .iter()
        .find(|p| {
            p.properties
                .get("Related")
                .is_some_and(|r| r.as_array().is_some_and(|a| a.len() > 25))
        })
        .unwrap();
    assert!(row.properties["Done"].is_boolean());
    assert!(row.properties["Tags"].is_array());
    assert!(row.properties["Ticket"].as_str().unwrap().starts_with("T-"));
    let table = row.table.as_ref().expect("a row knows its data source");
    assert_eq!(Some(&table.id), row.parent_id.as_ref());
    assert_eq!(Some(&table.name), row.parent_path_or_name.as_ref());

    // The request plan: each database read once, one query per data source (none has
    // 100 rows), the relation in three pages of 25, every page walked, no 429.
    let c = h.fakes.counters();
    assert_eq!(c.count(Notion, Endpoint::Database), s.databases);
    assert_eq!(c.count(Notion, Endpoint::DataSourceQuery), s.data_sources);
    assert_eq!(c.count(Notion, Endpoint::PageProperty), 3);
    assert!(c.count(Notion, Endpoint::BlockChildren) >= s.pages);
    assert!(c.count(Notion, Endpoint::Page) >= 1);
    assert_eq!(c.rate_limited(Notion), 0);
    assert_eq!(
        c.count(Notion, Endpoint::DatabaseQuery),
        0,
        "no pre-2025 call"
    );
}

#[tokio::test]
async fn a_capped_query_goes_on_by_created_time_without_repeats() {
    let mut cfg = config(DataSize {
        pages: 300,
        databases: 2,
        ..DataSize::default()
    });
    cfg.notion_query_cap = 7;
    let (h, session) = connected(Notion, cfg, &[]).await;
    let (_, rec) = load(&session, Notion, None).await;
    let s = h.fakes.summary();
    assert_eq!(done_count(&rec), s.notion_items() as u64);
    let items = final_items(&rec.items());
    assert_eq!(items.len(), s.notion_items());
    let rows: usize = of_type(&items, "Data source")
        .iter()
        .map(|s| s.children.as_ref().unwrap().len())
        .sum();
    assert_eq!(rows, s.rows);
    // More than one window per data source: ~rows ÷ (cap − the shared minute).
    let queries = h.fakes.counters().count(Notion, Endpoint::DataSourceQuery);
    assert!(
        queries > s.rows / 7,
        "{queries} queries for {} rows",
        s.rows
    );
    assert!(queries < s.rows, "{queries} queries for {} rows", s.rows);
}

#[tokio::test]
async fn a_cap_no_window_can_pass_fails_instead_of_looping() {
    // A cap of one row, and rows created in pairs within one minute: the second of a
    // pair can never be reached.
    let mut cfg = config(DataSize {
        pages: 60,
        databases: 1,
        ..DataSize::default()
    });
    cfg.notion_query_cap = 1;
    let (h, session) = connected(Notion, cfg, &[]).await;
    let (outcome, rec) = load(&session, Notion, None).await;
    let (code, message, resumable) = failed(&rec);
    assert_eq!(code, "provider_response");
    assert!(
        message.contains("/query") && message.contains("10,000"),
        "{message}"
    );
    assert!(resumable && outcome.resume.is_some());
    assert!(h.fakes.counters().count(Notion, Endpoint::DataSourceQuery) < 200);
}

#[tokio::test]
async fn resume_after_a_failure_mid_walk_sends_nothing_twice() {
    let (h, session) = connected(Notion, config(data()), &[]).await;
    // Two 401s in a row after the search and databases: a reconnect is needed.
    h.fakes.inject(
        Fault::new(Notion, FaultKind::RevokeAccessTokens)
            .on(Endpoint::BlockChildren)
            .after(40)
            .times(2),
    );
    let (first, rec) = load(&session, Notion, None).await;
    let (code, message, resumable) = failed(&rec);
    assert_eq!(code, "needs_reconnect");
    assert!(message.contains("/children"), "{message}");
    assert!(resumable);
    h.connect(&session, Notion).await.unwrap();
    let (second, again) = load(&session, Notion, first.resume).await;
    let s = h.fakes.summary();
    assert_eq!(done_count(&again), s.notion_items() as u64);
    assert_eq!(second.count, s.notion_items() as u64);
    // Counted once each: what the first run sent plus what the second sent new.
    let before = final_items(&rec.items());
    let after = final_items(&again.items());
    assert_eq!(first.count as usize, before.len());
    let new = after.keys().filter(|k| !before.contains_key(*k)).count();
    assert_eq!(before.len() + new, s.notion_items());
    // What the second run sent again is only what was named late.
    for (k, item) in after.iter().filter(|(k, _)| before.contains_key(*k)) {
        assert!(before[k].parent_path_or_name.is_none(), "{k:?}");
        assert!(item.parent_path_or_name.is_some(), "{k:?}");
    }
    let mut all = rec.items();
    all.extend(again.items());
    assert_eq!(final_items(&all).len(), s.notion_items());
}

#[tokio::test]
async fn the_load_sends_the_newest_version_and_progress_names_the_walk() {
    let (h, session) = connected(Notion, config(data()), &[]).await;
    let (_, rec) = load(&session, Notion, None).await;
    done_count(&rec);
    assert_eq!(NOTION_VERSION, "2026-03-11");
    // The fake answers only known versions; a 2026 load never met a 400.
    assert!(h
        .fakes
        .counters()
        .requests()
        .iter()
        .all(|r| r.status == 200));
    let kinds: Vec<String> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            LoadEvent::Progress { object_type, .. } => Some(object_type),
            _ => None,
        })
        .collect();
    for kind in ["pages", "databases", "data sources", "found by walk"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}
