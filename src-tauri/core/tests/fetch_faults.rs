//! Faults mid-load: each keeps the rows already sent, fails naming provider, endpoint
//! and cause, and Resume finishes the set with nothing sent twice. Backoff and waits
//! scaled 50×; the fakes' own rate limits off (the client still paces itself).

mod fetch_support;

use fetch_support::*;
use junction_core::fetch::LoadEvent;
use junction_core::ProviderId::{self, Airtable, Hubspot, Notion};
use junction_fakes::{DataSize, Endpoint, FakeConfig, Fault, FaultKind};

fn config() -> FakeConfig {
    FakeConfig {
        data: DataSize {
            contacts: 420,
            companies: 230,
            deals: 150,
            bases: 3,
            tables_per_base: 2,
            records_per_table: 250,
            pages: 420,
            databases: 8,
            edge_cases: true,
            ..DataSize::default()
        },
        rate_limit_scale: 50.0,
        rate_limits: false,
        ..FakeConfig::default()
    }
}

fn total(h: &junction_fakes::Harness, p: ProviderId) -> usize {
    let s = h.fakes.summary();
    match p {
        Hubspot => s.hubspot_items(),
        Airtable => s.airtable_items(),
        Notion => s.notion_items(),
    }
}

/// Loads with `fault` injected: expects `Failed { code }` with a message naming the
/// provider and containing `endpoint`, some rows kept; then resumes without faults and
/// checks the union is the full set, each item once.
async fn fails_then_resumes(
    p: ProviderId,
    fault: Fault,
    code: &str,
    endpoint: &str,
) -> Vec<junction_fakes::RequestRecord> {
    let (h, session) = connected(p, config(), &[]).await;
    h.fakes.inject(fault);
    let (first, rec) = load(&session, p, None).await;
    check_batches(&rec);
    let (got, message, resumable) = failed(&rec);
    assert_eq!(got, code, "{message}");
    assert!(resumable);
    assert!(message.contains(p.display_name()), "{message}");
    assert!(message.contains(endpoint), "{message}");
    let kept = rec.items();
    assert!(!kept.is_empty(), "the pages before the fault are kept");
    assert!(kept.len() < total(&h, p));
    let resume = first.resume.expect("a resume point");
    assert_eq!(resume.loaded(), kept.len() as u64);
    assert_eq!(first.count, kept.len() as u64);

    h.fakes.clear_faults();
    let (second, again) = load(&session, p, Some(resume)).await;
    check_batches(&again);
    let mut all = kept;
    all.extend(again.items());
    if p == Notion {
        // The resumed run sends again, named, what the first sent before its parent.
        all = last_copies(&all);
    }
    assert_eq!(
        unique_keys(&all).len(),
        total(&h, p),
        "{p}: the union is the set"
    );
    assert_eq!(done_count(&again), total(&h, p) as u64);
    assert_eq!(second.count, total(&h, p) as u64);
    assert!(second.resume.is_none());
    if p == Notion {
        parents_named_across_runs(&all);
    }
    h.fakes
        .counters()
        .requests()
        .into_iter()
        .filter(|r| r.provider == p && r.endpoint.is_api())
        .collect()
}

/// Items whose parent was loaded (in either run) carry its name.
fn parents_named_across_runs(items: &[junction_core::IntegrationItem]) {
    let bare = |id: &str| id.replace('-', "").to_lowercase();
    let names: std::collections::HashMap<String, String> = items
        .iter()
        .filter_map(|i| Some((bare(i.id.as_deref()?), i.name.clone()?)))
        .collect();
    let mut named = 0;
    for item in items {
        // A row shows "Database / Data source" (its table's name), not the source's.
        if let Some(table) = &item.table {
            assert_eq!(item.parent_path_or_name.as_ref(), Some(&table.name));
            named += 1;
            continue;
        }
        if let Some(name) = item.parent_id.as_deref().and_then(|p| names.get(&bare(p))) {
            assert_eq!(
                item.parent_path_or_name.as_ref(),
                Some(name),
                "{:?}",
                item.id
            );
            named += 1;
        }
    }
    assert!(named > 100, "{named}");
}

/// A status on every request from the `after`-th on: past every retry.
fn persistent(p: ProviderId, kind: FaultKind, after: usize) -> Fault {
    Fault::new(p, kind).after(after).times(1_000)
}

#[tokio::test]
async fn hubspot_5xx_beyond_retries() {
    let (h, session) = connected(Hubspot, config(), &[]).await;
    h.fakes
        .inject(persistent(Hubspot, FaultKind::Status(503), 3));
    let (_, rec) = load(&session, Hubspot, None).await;
    let (_, message, _) = failed(&rec);
    assert!(message.contains("HTTP 503"), "{message}");
    assert!(message.contains("gave up after 6 attempts"), "{message}");
    // After the 3 good requests, each stream still running (contacts, companies and
    // deals; the custom type's one page may have made it) tried its request 6 times.
    let failed_tries = h.fakes.counters().api_requests(Hubspot) - 3;
    assert_eq!(failed_tries % 6, 0, "{failed_tries}");
    assert!((3..=4).contains(&(failed_tries / 6)), "{failed_tries}");
    drop((h, session));
    fails_then_resumes(
        Hubspot,
        persistent(Hubspot, FaultKind::Status(503), 12),
        "provider_http",
        "/crm/",
    )
    .await;
}

#[tokio::test]
async fn hubspot_malformed_json() {
    fails_then_resumes(
        Hubspot,
        Fault::new(Hubspot, FaultKind::MalformedJson)
            .on(Endpoint::Objects(
                junction_core::providers::hubspot::ObjectType::Contacts,
            ))
            .after(2),
        "provider_response",
        "/crm/objects/2026-09/contacts",
    )
    .await;
}

#[tokio::test]
async fn hubspot_dropped_connections_beyond_retries() {
    fails_then_resumes(
        Hubspot,
        persistent(Hubspot, FaultKind::DropConnection, 12),
        "network",
        "/crm/",
    )
    .await;
}

#[tokio::test]
async fn airtable_5xx_beyond_retries_on_records() {
    fails_then_resumes(
        Airtable,
        Fault::new(Airtable, FaultKind::Status(500))
            .on(Endpoint::Records)
            .after(3)
            .times(1_000),
        "provider_http",
        "/v0/app",
    )
    .await;
}

#[tokio::test]
async fn airtable_malformed_json_on_tables() {
    fails_then_resumes(
        Airtable,
        Fault::new(Airtable, FaultKind::MalformedJson)
            .on(Endpoint::Tables)
            .after(1),
        "provider_response",
        "/v0/meta/bases/",
    )
    .await;
}

#[tokio::test]
async fn airtable_dropped_connections_beyond_retries() {
    fails_then_resumes(
        Airtable,
        persistent(Airtable, FaultKind::DropConnection, 6),
        "network",
        "/v0/",
    )
    .await;
}

#[tokio::test]
async fn notion_5xx_beyond_retries() {
    fails_then_resumes(
        Notion,
        persistent(Notion, FaultKind::Status(502), 2),
        "provider_http",
        "/v1/search",
    )
    .await;
}

#[tokio::test]
async fn notion_malformed_json() {
    fails_then_resumes(
        Notion,
        Fault::new(Notion, FaultKind::MalformedJson).after(2),
        "provider_response",
        "/v1/search",
    )
    .await;
}

#[tokio::test]
async fn notion_dropped_connections_beyond_retries() {
    fails_then_resumes(
        Notion,
        persistent(Notion, FaultKind::DropConnection, 1),
        "network",
        "/v1/search",
    )
    .await;
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let requests = fails_then_resumes(
        Notion,
        Fault::new(Notion, FaultKind::Status(404)).after(1),
        "provider_http",
        "/v1/search",
    )
    .await;
    // 1 good page, the 404, then the resumed run: no retry of the 404.
    assert_eq!(requests.iter().filter(|r| r.status == 404).count(), 1);
    let searches = requests
        .iter()
        .filter(|r| r.endpoint == Endpoint::Search)
        .count();
    let pages = config().data.pages + config().data.databases;
    assert!(searches <= 2 + pages.div_ceil(100) + 1, "{searches}");
}

#[tokio::test]
async fn transient_faults_within_the_retry_budget_are_invisible() {
    for p in ProviderId::ALL {
        let (h, session) = connected(p, config(), &[]).await;
        h.fakes
            .inject(Fault::new(p, FaultKind::Status(503)).after(1).times(2));
        h.fakes
            .inject(Fault::new(p, FaultKind::DropConnection).after(4).times(2));
        let (_, rec) = load(&session, p, None).await;
        assert_eq!(done_count(&rec), total(&h, p) as u64, "{p}");
        assert_eq!(unique_keys(&rec.items()).len(), total(&h, p));
        assert_eq!(h.fakes.pending_faults(), 0);
    }
}

#[tokio::test]
async fn a_body_over_the_cap_ends_the_load_naming_the_cap() {
    let oversized = FaultKind::OversizedBody(junction_core::http::MAX_API_BODY + 1);
    let (h, session) = connected(Notion, config(), &[]).await;
    h.fakes.inject(Fault::new(Notion, oversized).after(1));
    let (_, rec) = load(&session, Notion, None).await;
    let (code, message, _) = failed(&rec);
    assert_eq!(code, "provider_response", "{message}");
    assert!(message.contains("64 MiB"), "{message}");
    assert!(message.contains("/v1/search"), "{message}");
    // Not retried: one good page, the oversized one.
    assert_eq!(h.fakes.counters().api_requests(Notion), 2);
    drop((h, session));
    fails_then_resumes(
        Notion,
        Fault::new(Notion, oversized).after(1),
        "provider_response",
        "/v1/search",
    )
    .await;
}

/// The refresh token in `secrets.json` (the harness keeps secrets in the file store).
fn stored_refresh_token(h: &junction_fakes::Harness) -> Option<String> {
    let text =
        std::fs::read_to_string(h.config_dir.path().join(junction_core::store::SECRETS_FILE))
            .ok()?;
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).ok()?;
    let grant = map.iter().find(|(k, _)| k.contains("airtable"))?.1;
    let grant: junction_core::session::Grant = serde_json::from_str(grant).ok()?;
    grant.refresh_token
}

/// Airtable rotates its refresh token on every refresh: a rotated token that the
/// secret store could not take (its lock held by someone else, the write timing out)
/// stays in memory, is used by the next refresh, and lands once the store answers;
/// no older write lands after it.
#[tokio::test]
async fn a_refresh_whose_grant_cannot_be_written_loses_nothing() {
    let (h, session) = connected(Airtable, config(), &[]).await;
    let first = session.grant(Airtable).await.unwrap().unwrap();
    let mut expired = first.clone();
    expired.expires_at = Some(chrono::Utc::now() - chrono::Duration::seconds(10));
    session.store_grant(Airtable, &expired).await.unwrap();
    let kv = session.kv().await.unwrap();
    kv.del(
        &session
            .keys()
            .key(Airtable, junction_core::store::KeyKind::AccessToken, None),
    )
    .await
    .unwrap();

    // Another holder of the secret store's lock, through two refreshes.
    let held = junction_core::fs::lock_file(&h.config_dir.path().join(".secrets.lock")).unwrap();
    let (_, rec) = load(&session, Airtable, None).await;
    assert!(
        matches!(rec.last(), LoadEvent::Done { .. }),
        "{:?}",
        rec.last()
    );
    assert_eq!(h.fakes.counters().refresh_requests(Airtable), 1);
    let second = session.grant(Airtable).await.unwrap().unwrap();
    assert_ne!(second.refresh_token, first.refresh_token, "rotated");
    assert_eq!(
        stored_refresh_token(&h),
        first.refresh_token,
        "not written yet"
    );
    // The provider drops the new access token: the next refresh must use the rotated
    // refresh token (the stored one was retired by the provider).
    h.fakes
        .inject(Fault::new(Airtable, FaultKind::RevokeAccessTokens));
    let (_, rec) = load(&session, Airtable, None).await;
    assert!(
        matches!(rec.last(), LoadEvent::Done { .. }),
        "{:?}",
        rec.last()
    );
    assert_eq!(h.fakes.counters().refresh_requests(Airtable), 2);
    let third = session.grant(Airtable).await.unwrap().unwrap();
    assert_ne!(third.refresh_token, second.refresh_token, "rotated again");
    drop(held);

    // The newest grant lands, and the abandoned older writes never overwrite it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while stored_refresh_token(&h) != third.refresh_token {
        assert!(
            std::time::Instant::now() < deadline,
            "the newest grant never landed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(stored_refresh_token(&h), third.refresh_token);

    // A second process, reading only the store, refreshes and loads.
    let other = h.session().await;
    h.fakes
        .inject(Fault::new(Airtable, FaultKind::RevokeAccessTokens));
    let (_, rec) = load(&other, Airtable, None).await;
    assert!(
        matches!(rec.last(), LoadEvent::Done { .. }),
        "{:?}",
        rec.last()
    );
    assert_eq!(h.fakes.counters().refresh_requests(Airtable), 3);
}

/// A provider that hands back an earlier page's cursor (not the current one) sends the
/// walk round the same pages again, for ever if it keeps doing so: each walk notes
/// every cursor it was given, and a repeat stops the load with an error naming the
/// endpoint. Once is enough to tell: a check of the current cursor alone would walk
/// on from the replayed page and end "done".
fn cursor_loop(p: ProviderId, endpoint: Endpoint, after: usize) -> Fault {
    Fault::new(p, FaultKind::ReplayFirstPage)
        .on(endpoint)
        .after(after)
}

#[tokio::test]
async fn hubspot_cursor_loop_is_an_error() {
    fails_then_resumes(
        Hubspot,
        cursor_loop(
            Hubspot,
            Endpoint::Objects(junction_core::providers::hubspot::ObjectType::Contacts),
            2,
        ),
        "provider_response",
        "/crm/objects/2026-09/contacts",
    )
    .await;
}

#[tokio::test]
async fn airtable_cursor_loop_is_an_error() {
    fails_then_resumes(
        Airtable,
        cursor_loop(Airtable, Endpoint::Records, 2),
        "provider_response",
        "/v0/app",
    )
    .await;
}

#[tokio::test]
async fn notion_cursor_loop_is_an_error() {
    fails_then_resumes(
        Notion,
        cursor_loop(Notion, Endpoint::Search, 2),
        "provider_response",
        "/v1/search",
    )
    .await;
}
