//! The fetch engine against the fake providers: paging, rate limits, 429 waits,
//! refresh on 401, cancel. Rate limits on, scaled 20× (`JUNCTION_RATE_LIMIT_SCALE`).

mod fetch_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fetch_support::*;
use junction_core::fetch::LoadEvent;
use junction_core::providers::hubspot::ObjectType;
use junction_core::ProviderId::{self, Airtable, Hubspot, Notion};
use junction_fakes::{DataSize, Endpoint, FakeConfig, Fault, FaultKind};
use tokio_util::sync::CancellationToken;

const SCALE: f64 = 20.0;

fn config(data: DataSize) -> FakeConfig {
    FakeConfig {
        data,
        rate_limit_scale: SCALE,
        ..FakeConfig::default()
    }
}

fn small() -> DataSize {
    DataSize {
        contacts: 250,
        companies: 130,
        deals: 101,
        bases: 3,
        tables_per_base: 2,
        records_per_table: 150,
        pages: 230,
        databases: 6,
        ..DataSize::default()
    }
}

#[tokio::test]
async fn the_load_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (_h, session) = connected(Notion, config(small()), &[]).await;
    let fut = session.load(Notion, None, CancellationToken::new(), |_| {});
    assert_send(&fut);
    drop(fut);
}

#[tokio::test]
async fn hubspot_pages_every_object_type_exactly_once() {
    let data = DataSize {
        edge_cases: true,
        ..small()
    };
    let (h, session) = connected(Hubspot, config(data), &[]).await;
    let (outcome, rec) = load(&session, Hubspot, None).await;
    check_batches(&rec);
    let s = h.fakes.summary();
    let items = rec.items();
    assert_eq!(unique_keys(&items).len(), s.hubspot_items());
    assert_eq!(done_count(&rec), s.hubspot_items() as u64);
    assert_eq!(outcome.count, s.hubspot_items() as u64);
    assert!(outcome.resume.is_none());
    let progress = rec.progress();
    assert_eq!(progress["contacts"], s.contacts as u64);
    assert_eq!(progress["companies"], s.companies as u64);
    assert_eq!(progress["deals"], s.deals as u64);
    assert_eq!(
        progress["pets"], s.custom as u64,
        "the custom type, by its label"
    );
    // The request plan: the schemas and each standard type's definitions once; pages of
    // 100 listed, each read whole by one batch read (480 property names do not fit in a
    // URL); associations once per 1000 records per other type (all fit one buffer).
    let pages = |n: usize| n.div_ceil(100);
    let count = |e| h.fakes.counters().count(Hubspot, e);
    assert_eq!(count(Endpoint::Schemas), 1);
    assert_eq!(count(Endpoint::Properties), 3);
    for (t, n) in [
        (ObjectType::Contacts, s.contacts),
        (ObjectType::Companies, s.companies),
        (ObjectType::Deals, s.deals),
    ] {
        assert_eq!(count(Endpoint::Objects(t)), pages(n), "{t:?}");
    }
    assert_eq!(
        count(Endpoint::BatchRead),
        pages(s.contacts) + pages(s.companies) + pages(s.deals)
    );
    assert_eq!(
        count(Endpoint::CustomObjects),
        1,
        "7 properties fit in the URL"
    );
    assert_eq!(count(Endpoint::Associations), 3 * 2);

    // Every property, typed; associations both ways; the custom type named by its label.
    let contact = items
        .iter()
        .find(|i| i.item_type.as_deref() == Some("Contact") && i.id.as_deref() == Some("100000"))
        .unwrap();
    assert!(
        contact.properties.len() > 40,
        "{}",
        contact.properties.len()
    );
    assert!(contact.properties.values().any(|v| v.is_number()));
    assert!(contact.properties.values().any(|v| v.is_boolean()));
    assert!(contact.properties.values().any(|v| v.is_array()));
    let linked = contact.associations.as_ref().unwrap();
    assert!(linked["companies"].contains(&"100000".to_string()));
    assert!(linked.contains_key("deals"));
    let company = items
        .iter()
        .find(|i| i.item_type.as_deref() == Some("Company") && i.id.as_deref() == Some("100000"))
        .unwrap();
    assert_eq!(
        company.associations.as_ref().unwrap()["contacts"].len(),
        small().contacts,
        "the first company has every generated contact"
    );
    let pets: Vec<_> = items
        .iter()
        .filter(|i| i.item_type.as_deref() == Some("Pet"))
        .collect();
    assert_eq!(pets.len(), s.custom);
    assert!(pets[0].properties["weight_kg"].is_number());
    assert!(
        items.iter().all(|i| i.visibility == Some(true)),
        "no archived ones"
    );
    let portal = h.fakes.config().hubspot_portal_id.to_string();
    let url = items[0].url.as_deref().unwrap();
    assert!(
        url.contains(&format!("/contacts/{portal}/record/")),
        "{url}"
    );
    assert_eq!(h.fakes.counters().rate_limited(Hubspot), 0);
}

#[tokio::test]
async fn hubspot_archived_records_come_only_when_asked_for() {
    let data = DataSize {
        hubspot_archived: 3,
        ..small()
    };
    let (h, session) = connected(
        Hubspot,
        config(data),
        &[("JUNCTION_HUBSPOT_ARCHIVED", "true")],
    )
    .await;
    let (_, rec) = load(&session, Hubspot, None).await;
    let s = h.fakes.summary();
    assert_eq!(s.archived, 9);
    let items = rec.items();
    assert_eq!(unique_keys(&items).len(), s.hubspot_items() + s.archived);
    let archived: Vec<_> = items
        .iter()
        .filter(|i| i.visibility == Some(false))
        .collect();
    assert_eq!(archived.len(), s.archived, "archived ones are marked");
    assert!(archived.iter().all(|i| i.associations.is_none()));
    assert!(archived.iter().all(|i| !i.properties.is_empty()));
}

#[tokio::test]
async fn hubspot_without_custom_scopes_loads_the_standard_types() {
    let mut cfg = config(small());
    cfg.hubspot_custom_scopes = false;
    let (h, session) = connected(Hubspot, cfg, &[]).await;
    let (outcome, rec) = load(&session, Hubspot, None).await;
    assert!(
        outcome.resume.is_none(),
        "a 403 on the schemas is not a failure: {:?}",
        rec.last()
    );
    let s = h.fakes.summary();
    assert_eq!(done_count(&rec), (s.hubspot_items() - s.custom) as u64);
    assert_eq!(
        h.fakes.counters().count(Hubspot, Endpoint::CustomObjects),
        0
    );
}

/// Every cell typed; every link named by the linked record's primary field once its
/// base is done, whichever table loaded first.
#[tokio::test]
async fn airtable_cells_are_typed_and_links_named() {
    let (h, session) = connected(Airtable, config(small()), &[]).await;
    let (_, rec) = load(&session, Airtable, None).await;
    let s = h.fakes.summary();
    assert_eq!(
        done_count(&rec),
        s.airtable_items() as u64,
        "resends are not counted"
    );
    let items = rec.items();
    let records: Vec<_> = items
        .iter()
        .filter(|i| i.item_type.as_deref() == Some("Record"))
        .collect();
    let names: HashMap<String, Option<String>> = records
        .iter()
        .map(|r| (r.id.clone().unwrap(), r.name.clone()))
        .collect();
    let mut links = 0;
    for r in &records {
        let p = &r.properties;
        assert!(p["Done"].is_boolean(), "an unticked box is false");
        assert!(p["Count"].is_number());
        assert!(p["Owner"]["email"].is_string());
        if let Some(list) = p.get("Link").and_then(|v| v.as_array()) {
            for link in list {
                let id = link["id"].as_str().unwrap();
                assert_eq!(
                    link["name"].as_str().map(str::to_string),
                    names[id],
                    "{id} in {:?}",
                    r.id
                );
                links += 1;
            }
            assert!(p["Linked total"].is_array(), "a rollup is a list");
        }
        match &p["Score"] {
            serde_json::Value::Number(_) => {}
            other => assert!(other["error"].is_string(), "{other}"),
        }
        if let Some(files) = p.get("Files") {
            assert_eq!(files[0]["type"], "image/png");
            assert!(files[0].get("thumbnails").is_none());
        }
        assert!(
            r.table.as_ref().unwrap().name.contains(" / "),
            "Base / Table"
        );
    }
    assert!(links > 100, "{links}");
}

#[tokio::test]
async fn airtable_pages_bases_tables_and_records_exactly_once() {
    let mut cfg = config(small());
    cfg.airtable_bases_page_size = 2; // the bases list pages too
    let (h, session) = connected(Airtable, cfg, &[]).await;
    let (_, rec) = load(&session, Airtable, None).await;
    check_batches(&rec);
    let s = h.fakes.summary();
    let items = rec.items();
    assert_eq!(unique_keys(&items).len(), s.airtable_items());
    assert_eq!(done_count(&rec), s.airtable_items() as u64);
    assert_eq!(h.fakes.counters().count(Airtable, Endpoint::Bases), 2);
    assert_eq!(h.fakes.counters().rate_limited(Airtable), 0);
    let progress = rec.progress();
    assert_eq!(progress["bases"], s.bases as u64);
    assert_eq!(progress["tables"], s.tables as u64);
    assert_eq!(progress["records"], s.records as u64);
    // Directories list their children: a base its tables, a table its records.
    let by_type = |t: &str| {
        items
            .iter()
            .filter(|i| i.item_type.as_deref() == Some(t))
            .collect::<Vec<_>>()
    };
    for table in by_type("Table") {
        let id = table.id.clone().unwrap();
        let mut records: Vec<String> = by_type("Record")
            .iter()
            .filter(|r| r.parent_id.as_deref() == Some(id.as_str()))
            .filter_map(|r| r.id.clone())
            .collect();
        let mut children = table.children.clone().expect("children");
        records.sort();
        children.sort();
        assert_eq!(children, records);
    }
    for base in by_type("Base") {
        let id = base.id.clone().unwrap();
        let tables = by_type("Table")
            .iter()
            .filter(|t| t.parent_id.as_deref() == Some(id.as_str()))
            .count();
        assert_eq!(base.children.as_ref().unwrap().len(), tables);
    }
}

#[tokio::test]
async fn airtable_records_off_loads_bases_and_tables_only() {
    let (h, session) = connected(
        Airtable,
        config(small()),
        &[("JUNCTION_AIRTABLE_RECORDS", "false")],
    )
    .await;
    let (_, rec) = load(&session, Airtable, None).await;
    let s = h.fakes.summary();
    let items = rec.items();
    assert_eq!(unique_keys(&items).len(), s.bases + s.tables);
    assert_eq!(h.fakes.counters().count(Airtable, Endpoint::Records), 0);
    for table in items
        .iter()
        .filter(|i| i.item_type.as_deref() == Some("Table"))
    {
        assert_eq!(table.children, None, "unknown, not empty");
    }
    done_count(&rec);
}

#[tokio::test]
async fn notion_pages_every_result_exactly_once_with_parent_names() {
    let data = DataSize {
        edge_cases: true,
        ..small()
    };
    let (h, session) = connected(Notion, config(data), &[]).await;
    let (_, rec) = load(&session, Notion, None).await;
    check_batches(&rec);
    let s = h.fakes.summary();
    // Sent twice only to name a parent found later (search misses some): the last
    // copy of each counts.
    let items = rec.items();
    assert_eq!(unique_keys(&items).len(), s.notion_items());
    assert_eq!(done_count(&rec), s.notion_items() as u64);
    let names: HashMap<String, String> = items
        .iter()
        .filter_map(|i| Some((i.id.clone()?.replace('-', ""), i.name.clone()?)))
        .collect();
    let mut named = 0;
    for item in &items {
        // A row shows "Database / Data source" (its table's name), not the source's.
        if let Some(table) = &item.table {
            assert_eq!(item.parent_path_or_name.as_ref(), Some(&table.name));
            named += 1;
            continue;
        }
        let parent = item.parent_id.as_deref().map(|p| p.replace('-', ""));
        if let Some(name) = parent.and_then(|p| names.get(&p)) {
            assert_eq!(item.parent_path_or_name.as_ref(), Some(name));
            named += 1;
        }
    }
    assert!(named > 100, "{named}");
    // Search, each database once, one query per data source (each has < 100 rows), a
    // block list per page at least.
    let c = h.fakes.counters();
    assert_eq!(c.count(Notion, Endpoint::Database), s.databases);
    assert_eq!(c.count(Notion, Endpoint::DataSourceQuery), s.data_sources);
    assert!(c.count(Notion, Endpoint::BlockChildren) >= s.pages);
    assert!(c.count(Notion, Endpoint::Search) <= s.pages.div_ceil(100) + 1);
}

#[tokio::test]
async fn notion_never_asks_again_before_retry_after() {
    let mut cfg = config(small());
    cfg.notion_retry_after_secs = 3; // → 150 ms at 20×
    let (h, session) = connected(Notion, cfg, &[]).await;
    h.fakes.inject(
        Fault::new(Notion, FaultKind::RateLimited)
            .on(Endpoint::Search)
            .after(1)
            .times(2),
    );
    let (_, rec) = load(&session, Notion, None).await;
    done_count(&rec);
    let wait = Duration::from_secs(3).div_f64(SCALE);
    let log = h.fakes.counters().requests();
    let search: Vec<_> = log
        .iter()
        .filter(|r| r.endpoint == Endpoint::Search)
        .collect();
    let mut checked = 0;
    for pair in search.windows(2) {
        if pair[0].status == 429 {
            let gap = pair[1].at.duration_since(pair[0].at);
            assert!(
                gap >= wait,
                "asked again after {gap:?}, Retry-After says {wait:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 2);
    let throttles = rec.throttles();
    assert_eq!(throttles.len(), 2, "{throttles:?}");
    assert_eq!(throttles[0].0, "Notion asked us to wait 3 s");
    assert_eq!(throttles[0].1, 150);
    assert_eq!(
        unique_keys(&rec.items()).len(),
        h.fakes.summary().notion_items()
    );
}

#[tokio::test]
async fn airtable_429_waits_30_seconds_scaled_and_says_so() {
    // One table per base: no request of the base is in flight beside the one limited.
    let data = DataSize {
        tables_per_base: 1,
        records_per_table: 400,
        ..small()
    };
    let (h, session) = connected(Airtable, config(data), &[]).await;
    h.fakes.inject(
        Fault::new(Airtable, FaultKind::RateLimited)
            .on(Endpoint::Records)
            .after(3),
    );
    let (_, rec) = load(&session, Airtable, None).await;
    done_count(&rec);
    let penalty = Duration::from_secs(30).div_f64(SCALE);
    assert_eq!(
        rec.throttles(),
        vec![(
            "Airtable asked us to wait 30 s".to_string(),
            penalty.as_millis() as u64
        )]
    );
    // Nothing went to that base until the penalty had passed.
    let log = h.fakes.counters().requests();
    let hit = log.iter().find(|r| r.status == 429).unwrap();
    for later in log.iter().filter(|r| r.at > hit.at && r.base == hit.base) {
        assert!(later.at.duration_since(hit.at) >= penalty);
    }
    assert_eq!(
        unique_keys(&rec.items()).len(),
        h.fakes.summary().airtable_items()
    );
}

#[tokio::test]
async fn a_401_mid_load_refreshes_once_and_the_load_completes() {
    for provider in ProviderId::ALL {
        let (h, session) = connected(provider, config(small()), &[]).await;
        h.fakes
            .inject(Fault::new(provider, FaultKind::RevokeAccessTokens).after(2));
        let (outcome, rec) = load(&session, provider, None).await;
        let count = done_count(&rec);
        assert_eq!(count, outcome.count);
        let s = h.fakes.summary();
        let expected = match provider {
            Hubspot => s.hubspot_items(),
            Airtable => s.airtable_items(),
            Notion => s.notion_items(),
        };
        assert_eq!(unique_keys(&rec.items()).len(), expected, "{provider}");
        assert_eq!(
            h.fakes.counters().refresh_requests(provider),
            1,
            "{provider}"
        );
    }
}

#[tokio::test]
async fn a_401_after_the_refresh_needs_reconnect_and_resume_finishes() {
    let (h, session) = connected(Notion, config(small()), &[]).await;
    h.fakes.inject(
        Fault::new(Notion, FaultKind::RevokeAccessTokens)
            .after(1)
            .times(2),
    );
    let (first, rec) = load(&session, Notion, None).await;
    let (code, message, resumable) = failed(&rec);
    assert_eq!(code, "needs_reconnect");
    assert!(message.contains("/v1/search"), "{message}");
    assert!(resumable);
    // The card asks for a reconnect; after it, Resume finishes the set.
    assert_eq!(
        session.provider_view(Notion).await.state,
        junction_core::views::ConnectionState::NeedsReconnect
    );
    h.connect(&session, Notion).await.unwrap();
    let (_, again) = load(&session, Notion, first.resume).await;
    done_count(&again);
    let mut all = rec.items();
    all.extend(again.items());
    assert_eq!(
        unique_keys(&last_copies(&all)).len(),
        h.fakes.summary().notion_items()
    );
}

#[tokio::test]
async fn cancel_stops_within_a_second_and_resume_finishes() {
    let (h, session) = connected(Hubspot, config(small()), &[]).await;
    let rec = Recorder::default();
    let cancel = CancellationToken::new();
    // Slow answers: the cancel lands while requests are in flight, after the custom
    // type's one page (schemas, then its list) and before the contacts' first buffer.
    h.fakes.set_latency(Duration::from_millis(200));
    let trigger = cancel.clone();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        trigger.cancel();
        Instant::now()
    });
    let outcome = session.load(Hubspot, None, cancel, rec.sink()).await;
    let stopped = Instant::now();
    let cancelled_at = canceller.await.unwrap();
    assert!(
        stopped.duration_since(cancelled_at) < Duration::from_secs(1),
        "stopped {:?} after the cancel",
        stopped.duration_since(cancelled_at)
    );
    let (code, _, resumable) = failed(&rec);
    assert_eq!((code.as_str(), resumable), ("cancelled", true));
    let resume = outcome.resume.expect("a resume point");
    assert_eq!(resume.loaded(), rec.items().len() as u64);
    assert!(
        !rec.items().is_empty(),
        "some pages arrived before the cancel"
    );

    h.fakes.set_latency(Duration::ZERO);
    let (done, again) = load(&session, Hubspot, Some(resume)).await;
    let mut all = rec.items();
    all.extend(again.items());
    let s = h.fakes.summary();
    assert_eq!(unique_keys(&all).len(), s.hubspot_items());
    assert_eq!(done.count, s.hubspot_items() as u64);
    assert_eq!(done_count(&again), s.hubspot_items() as u64);
}

#[tokio::test]
async fn cancel_during_a_provider_wait_is_immediate() {
    // Unscaled: Airtable's 429 would cost a real 30 s.
    let cfg = FakeConfig {
        data: small(),
        rate_limits: false,
        ..FakeConfig::default()
    };
    let (h, session) = connected(Airtable, cfg, &[]).await;
    h.fakes
        .inject(Fault::new(Airtable, FaultKind::RateLimited).on(Endpoint::Tables));
    let rec = Recorder::default();
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let sink = rec.sink();
    let watcher = move |e: LoadEvent| {
        if matches!(e, LoadEvent::Throttled { .. }) {
            trigger.cancel();
        }
        sink(e)
    };
    let started = Instant::now();
    let outcome = session.load(Airtable, None, cancel, watcher).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(failed(&rec).0, "cancelled");
    assert_eq!(rec.throttles()[0].1, 30_000);
    // The resume point finishes the set.
    let (_, again) = load(&session, Airtable, outcome.resume).await;
    let mut all = rec.items();
    all.extend(again.items());
    assert_eq!(unique_keys(&all).len(), h.fakes.summary().airtable_items());
}

#[tokio::test]
async fn hubspot_paces_itself_and_never_sees_a_429() {
    // Over 200 requests against 110 / 10 s (0.5 s at 20×), as fast as the client
    // dares. Few properties: the lists carry them (no batch reads).
    let data = DataSize {
        contacts: 12_000,
        companies: 1_500,
        deals: 1_500,
        hubspot_extra_properties: 0,
        ..small()
    };
    let (h, session) = connected(Hubspot, config(data), &[]).await;
    let started = Instant::now();
    let (_, rec) = load(&session, Hubspot, None).await;
    let took = started.elapsed();
    assert_eq!(done_count(&rec), h.fakes.summary().hubspot_items() as u64);
    let count = |e| h.fakes.counters().count(Hubspot, e);
    assert_eq!(count(Endpoint::Objects(ObjectType::Contacts)), 120);
    assert_eq!(count(Endpoint::BatchRead), 0, "the names fit in the URL");
    // 12 + 2 + 2 buffers × 2 other types, and the first company's 12,000 contacts in
    // pages of 500 (23 more).
    assert_eq!(count(Endpoint::Associations), 16 * 2 + 23);
    assert!(h.fakes.counters().api_requests(Hubspot) > 200);
    assert_eq!(h.fakes.counters().rate_limited(Hubspot), 0);
    assert!(rec.throttles().is_empty());
    // 150 requests need at least (150 - 107) more after the first window.
    assert!(took >= Duration::from_millis(400), "{took:?}");
}

#[tokio::test]
async fn hubspot_with_a_smaller_account_limit_backs_off_and_completes() {
    // The account allows 40 / 10 s, not the 110 the client assumes: the remaining
    // header slows it, a 429 makes it wait out the window, and the load completes.
    let mut cfg = config(DataSize {
        contacts: 6_000,
        companies: 500,
        deals: 500,
        hubspot_extra_properties: 0,
        ..small()
    });
    cfg.hubspot_limit = 40;
    let (h, session) = connected(Hubspot, cfg, &[]).await;
    let (_, rec) = load(&session, Hubspot, None).await;
    assert_eq!(done_count(&rec), h.fakes.summary().hubspot_items() as u64);
    let limited = h.fakes.counters().rate_limited(Hubspot);
    let windows = h.fakes.counters().api_requests(Hubspot).div_ceil(40);
    assert!(limited <= windows * 3, "{limited} 429s");
    for (message, wait_ms) in rec.throttles() {
        assert_eq!(message, "HubSpot asked us to wait 10 s");
        assert_eq!(wait_ms, 500);
    }
}

/// A canned Notion search: page 1 has a child whose parent only comes in page 2; the
/// pages have no block children. With `fail_once`, the first request for page 2 gets
/// malformed JSON.
async fn out_of_order_notion(fail_once: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let page = |id: &str, title: &str, parent: serde_json::Value| {
        serde_json::json!({"object": "page", "id": id, "parent": parent,
            "created_time": "2024-01-02T03:04:05.000Z", "last_edited_time": "2024-01-02T03:04:05.000Z",
            "url": format!("https://www.notion.so/{id}"),
            "properties": {"Name": {"id": "title", "type": "title", "title": [{"plain_text": title}]}}})
    };
    let under_parent =
        serde_json::json!({"type": "page_id", "page_id": "aaaaaaaa-0000-4000-8000-00000000000a"});
    let first = serde_json::json!({"object": "list", "has_more": true, "next_cursor": "c2",
        "results": [page("c1c1c1c1-0000-4000-8000-000000000001", "Child one", under_parent.clone())]});
    let second = serde_json::json!({"object": "list", "has_more": false, "next_cursor": null,
        "results": [page("c2c2c2c2-0000-4000-8000-000000000002", "Child two", under_parent),
                    page("aaaaaaaa00004000800000000000000a", "Parent", serde_json::json!({"type": "workspace", "workspace": true}))]});
    tokio::spawn(async move {
        let mut failed = !fail_once;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let Ok(n) = sock.read(&mut chunk).await else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break Some(buf[end + 4..end + 4 + len].to_vec());
                    }
                }
            };
            let Some(body) = body else { continue };
            let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            // The walk lists every page's block children: these pages have none.
            let children = String::from_utf8_lossy(&buf)
                .lines()
                .next()
                .is_some_and(|l| l.contains("/children"));
            let answer = if children {
                r#"{"object": "list", "results": [], "next_cursor": null, "has_more": false}"#
                    .to_string()
            } else if req.get("start_cursor").is_none() {
                first.to_string()
            } else if !failed {
                failed = true;
                "{\"object\": \"list\", \"results\": [".to_string()
            } else {
                second.to_string()
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = sock.write_all(response.as_bytes()).await;
        }
    });
    format!("http://{addr}")
}

fn parent_of(items: &[junction_core::IntegrationItem], id: &str) -> Option<String> {
    items
        .iter()
        .rev()
        .find(|i| i.id.as_deref() == Some(id))
        .and_then(|i| i.parent_path_or_name.clone())
}

#[tokio::test]
async fn notion_children_before_their_parent_are_sent_again_named() {
    let (mut h, _) = connected(Notion, config(small()), &[]).await;
    h.set_env("JUNCTION_NOTION_API_URL", &out_of_order_notion(false).await);
    let session = h.session().await;
    let (outcome, rec) = load(&session, Notion, None).await;
    assert_eq!(done_count(&rec), 3);
    assert_eq!(outcome.count, 3);
    let items = rec.sent();
    let ids: Vec<_> = items.iter().map(|i| i.id.clone().unwrap()).collect();
    // Child one first without its parent's name, then again with it (same key).
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_eq!(ids[0], ids[3]);
    assert_eq!(items[0].parent_path_or_name, None);
    let one = "c1c1c1c1-0000-4000-8000-000000000001";
    let two = "c2c2c2c2-0000-4000-8000-000000000002";
    assert_eq!(parent_of(&items, one).as_deref(), Some("Parent"));
    // Child two's parent came in the same page: named at once, sent once.
    assert_eq!(ids.iter().filter(|i| *i == two).count(), 1);
    assert_eq!(parent_of(&items, two).as_deref(), Some("Parent"));
}

#[tokio::test]
async fn notion_parent_names_survive_a_resume() {
    let (mut h, _) = connected(Notion, config(small()), &[]).await;
    h.set_env("JUNCTION_NOTION_API_URL", &out_of_order_notion(true).await);
    let session = h.session().await;
    let (first, rec) = load(&session, Notion, None).await;
    let (code, message, _) = failed(&rec);
    assert_eq!(code, "provider_response");
    assert!(
        message.contains("Notion") && message.contains("/v1/search"),
        "{message}"
    );
    assert_eq!(first.count, 1);
    let (second, again) = load(&session, Notion, first.resume).await;
    assert_eq!(done_count(&again), 3);
    assert_eq!(second.count, 3);
    let mut all = rec.items();
    all.extend(again.items());
    assert_eq!(
        parent_of(&all, "c1c1c1c1-0000-4000-8000-000000000001").as_deref(),
        Some("Parent"),
        "the child of the first run is sent again, named"
    );
}
