//! Load benchmark: every item from the fake providers, in-process, with 20 ms latency
//! and the real rate limits scaled 10× faster (`FakeConfig::rate_limit_scale` on the
//! fakes, `JUNCTION_RATE_LIMIT_SCALE` on the client).
//!
//! Run: `cargo bench -p junction-core --bench load` (or `make bench`).
//!
//! Data: 10,000 contacts + 2,000 companies + 2,000 deals; Airtable 5 bases × 4 tables ×
//! 500 records; 3,000 Notion pages (rows included) in 30 databases (31 data sources). Each provider is connected through the real OAuth
//! flow, then loaded on its own, and then all three at once. Per provider it prints:
//!
//! - wall: from `Session::load` called to `Done` received;
//! - floor: the larger of (a) the requests of the busiest budget ÷ its allowed rate
//!   (HubSpot 110 / 10 s per account, Airtable 5 / s per base, Notion 3 / s; all ×10;
//!   Notion's requests are its whole plan: search, databases, data sources, queries,
//!   block lists, pages found by the walk, relation pages)
//!   and (b) the longest cursor chain (requests that must follow one another) × 20 ms;
//! - their ratio (goal ≤ 1.15);
//! - 429s received, and the most in any one budget after its first (goal 0);
//! - peak RSS (`VmHWM`, reset before each load), and how much the load added to it.
//!   The process also holds the fakes and their data, so the peak is not the client's
//!   alone; "added" is.
//!
//! A plain `main` (harness = false): figures printed, never a timed test. With
//! `JUNCTION_LOAD_BENCH_PROBE=1` it also prints, per cursor, the gaps between requests
//! as the fakes saw them (where the time goes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/report.rs"]
mod report;

use junction_core::fetch::LoadEvent;
use junction_core::{IntegrationItem, ProviderId, Session};
use junction_fakes::{DataSize, Endpoint, FakeConfig, Harness};
use report::{reset_peak, status_kib};
use tokio_util::sync::CancellationToken;

const SCALE: f64 = 10.0;
const LATENCY: Duration = Duration::from_millis(20);
const GOAL: f64 = 1.15;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    // `cargo test --all-targets` runs benches without `--bench`: then a small smoke run
    // checks the benchmark still works (its figures mean nothing).
    let smoke = !std::env::args().any(|a| a == "--bench");
    let size = |n: usize| if smoke { n.div_ceil(20) } else { n };
    if smoke {
        println!("smoke run (1/20 of the data; run with --bench for the figures)");
    }
    let config = FakeConfig {
        latency: LATENCY,
        rate_limit_scale: SCALE,
        data: DataSize {
            contacts: size(10_000),
            companies: size(2_000),
            deals: size(2_000),
            bases: 5,
            tables_per_base: 4,
            records_per_table: size(500),
            pages: size(3_000),
            databases: size(30),
            edge_cases: false,
            ..DataSize::default()
        },
        ..FakeConfig::default()
    };
    let mut harness = Harness::start(config).await;
    harness.set_env(
        "JUNCTION_RATE_LIMIT_SCALE",
        &std::env::var("CLIENT_SCALE").unwrap_or(SCALE.to_string()),
    );
    // The bench measures the engine, not Redis: the embedded store.
    harness.set_env("REDIS_URL", "");
    let session = harness.session().await;
    for p in ProviderId::ALL {
        harness.connect(&session, p).await.expect("connect");
    }
    let s = harness.fakes.summary();
    println!(
        "Load from the fake providers: {} ms latency, rate limits scaled {SCALE}× (fakes and client)",
        LATENCY.as_millis()
    );
    println!(
        "data: HubSpot {} contacts + {} companies + {} deals; Airtable {} bases, {} tables, {} records; Notion {} pages + {} databases",
        s.contacts, s.companies, s.deals, s.bases, s.tables, s.records, s.pages, s.databases
    );
    println!(
        "{:<9} {:>7} {:>9} {:>8} {:>7} {:>6} {:>6} {:>13} {:>9} {:>9}   floor from",
        "provider",
        "items",
        "requests",
        "wall",
        "floor",
        "ratio",
        "429s",
        "429s>1st/bgt",
        "peak RSS",
        "added"
    );
    let mut missed = Vec::new();
    // `JUNCTION_LOAD_BENCH_ONLY=hubspot` loads that provider alone (for profiling).
    let only = std::env::var("JUNCTION_LOAD_BENCH_ONLY").ok();
    for p in ProviderId::ALL {
        if only.as_deref().is_some_and(|o| o != p.as_str()) {
            continue;
        }
        harness.fakes.counters().reset();
        reset_peak();
        let before = status_kib("VmRSS");
        let started = Instant::now();
        // On a runtime worker, as the app runs a load (not on the bench's own thread).
        let spawned = {
            let session = session.clone();
            tokio::spawn(async move { load(&session, p).await })
        };
        let (count, ok) = spawned.await.expect("the load task");
        let wall = started.elapsed();
        let peak = status_kib("VmHWM");
        let f = figures(&harness, p);
        let ratio = wall.as_secs_f64() / f.floor.as_secs_f64();
        println!(
            "{:<9} {:>7} {:>9} {:>7.3}s {:>6.3}s {:>6.3} {:>6} {:>13} {:>6} MiB {:>5} MiB   {}",
            p.as_str(),
            count,
            f.requests,
            wall.as_secs_f64(),
            f.floor.as_secs_f64(),
            ratio,
            f.limited,
            f.repeat_429s,
            peak / 1024,
            peak.saturating_sub(before) / 1024,
            f.why
        );
        if std::env::var_os("JUNCTION_LOAD_BENCH_PROBE").is_some() {
            let log = harness.fakes.counters().requests();
            let mut by: HashMap<String, Vec<Instant>> = HashMap::new();
            for r in log
                .iter()
                .filter(|r| r.provider == p && r.endpoint.is_api())
            {
                by.entry(format!("{:?}{:?}", r.endpoint, r.base))
                    .or_default()
                    .push(r.at);
            }
            let first = log.iter().map(|r| r.at).min().unwrap();
            println!(
                "  first request {:?} after start",
                first.duration_since(started)
            );
            for (k, v) in by.iter().filter(|(_, v)| v.len() > 3) {
                let gaps: Vec<u128> = v
                    .windows(2)
                    .map(|w| w[1].duration_since(w[0]).as_micros())
                    .collect();
                let mean = gaps.iter().sum::<u128>() / gaps.len() as u128;
                println!(
                    "  {k}: {} requests, gaps mean {mean} µs, max {} µs, min {} µs, last at {:?}",
                    v.len(),
                    gaps.iter().max().unwrap(),
                    gaps.iter().min().unwrap(),
                    v.last().unwrap().duration_since(started)
                );
                if v.len() > 40 {
                    let late = &gaps[30..];
                    println!(
                        "    after 30: mean {} µs",
                        late.iter().sum::<u128>() / late.len() as u128
                    );
                }
            }
        }
        if !ok {
            missed.push(format!("{p}: the load did not complete"));
        }
        if ratio > GOAL {
            missed.push(format!("{p}: {ratio:.3} × floor (goal {GOAL})"));
        }
        if f.repeat_429s > 0 {
            missed.push(format!(
                "{p}: {} 429s after the first in a budget",
                f.repeat_429s
            ));
        }
    }

    if only.is_some() {
        return report(missed, smoke);
    }
    // All three at once, as "Load all" does: independent budgets, so the wall time is
    // the slowest provider's.
    harness.fakes.counters().reset();
    let started = Instant::now();
    let loads = ProviderId::ALL.map(|p| {
        let session = session.clone();
        tokio::spawn(async move { load(&session, p).await })
    });
    let mut total = 0;
    for l in loads {
        total += l.await.map(|(c, _)| c).unwrap_or(0);
    }
    let floors: Vec<Duration> = ProviderId::ALL
        .iter()
        .map(|p| figures(&harness, *p).floor)
        .collect();
    let floor = floors.into_iter().max().unwrap_or_default();
    let wall = started.elapsed();
    for p in ProviderId::ALL {
        let f = figures(&harness, p);
        println!(
            "  all three: {p} {} 429s ({} after the first in a budget)",
            f.limited, f.repeat_429s
        );
    }
    let limited: usize = ProviderId::ALL
        .iter()
        .map(|p| harness.fakes.counters().rate_limited(*p))
        .sum();
    println!(
        "{:<9} {:>7} {:>9} {:>7.3}s {:>6.3}s {:>6.3} {:>6}",
        "all three",
        total,
        harness
            .fakes
            .counters()
            .requests()
            .iter()
            .filter(|r| r.endpoint.is_api())
            .count(),
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        wall.as_secs_f64() / floor.as_secs_f64(),
        limited
    );
    report(missed, smoke);
}

fn report(missed: Vec<String>, smoke: bool) {
    if smoke {
        println!("smoke run: the figures above say nothing about the goal");
    } else if missed.is_empty() {
        println!("goal met: every provider within {GOAL} × its floor, no 429 after the first in any budget");
    } else {
        println!("goal missed: {}", missed.join("; "));
    }
}

/// Loads one provider, keeping the items as a caller would: by key (an item sent again,
/// as Notion does once a parent's name is known, replaces its first copy).
/// (count, completed)
async fn load(session: &Session, p: ProviderId) -> (u64, bool) {
    let items: Arc<Mutex<HashMap<String, IntegrationItem>>> = Arc::default();
    let ended = Arc::new(AtomicU64::new(0));
    let (sink_items, sink_ended) = (items.clone(), ended.clone());
    let outcome = session
        .load(p, None, CancellationToken::new(), move |e| match e {
            LoadEvent::Batch { items, .. } => sink_items
                .lock()
                .unwrap()
                .extend(items.into_iter().map(|i| (i.key(), i))),
            LoadEvent::Done { .. } => sink_ended.store(1, Ordering::Relaxed),
            LoadEvent::Failed { message, .. } => {
                eprintln!("{p}: failed: {message}");
                sink_ended.store(2, Ordering::Relaxed)
            }
            _ => {}
        })
        .await;
    // Kept by key: Notion and Airtable send a few items again, names filled.
    let kept = items.lock().unwrap().len();
    assert_eq!(
        kept as u64, outcome.count,
        "{p}: distinct items sent = count"
    );
    (outcome.count, ended.load(Ordering::Relaxed) == 1)
}

struct Figures {
    requests: usize,
    floor: Duration,
    why: String,
    limited: usize,
    /// 429s beyond the first, in the budget with the most.
    repeat_429s: usize,
}

/// The floor of what the fakes saw since the last reset.
fn figures(harness: &Harness, p: ProviderId) -> Figures {
    let log: Vec<_> = harness
        .fakes
        .counters()
        .requests()
        .into_iter()
        .filter(|r| r.provider == p && r.endpoint.is_api())
        .collect();
    let s = harness.fakes.summary();
    // Requests per budget, the budget's rate (requests per second, scaled), and the
    // longest chain of requests that must follow one another.
    let (budgets, rate, chain): (HashMap<String, usize>, f64, usize) = match p {
        ProviderId::Hubspot => (
            HashMap::from([("account".to_string(), log.len())]),
            110.0 / 10.0 * SCALE,
            // What must follow one another within a type: the schemas, its
            // definitions, its list pages (100 records each, one cursor chain), then
            // the last page's batch read and the last buffer's association batches
            // (both targets at once). The other batch reads and association batches
            // overlap the list.
            [s.contacts, s.companies, s.deals]
                .iter()
                .map(|n| 2 + n.div_ceil(100).max(1) + 2)
                .max()
                .unwrap_or(1),
        ),
        ProviderId::Airtable => {
            let mut per_base: HashMap<String, usize> = HashMap::new();
            for r in &log {
                if let Some(base) = &r.base {
                    *per_base.entry(base.clone()).or_default() += 1;
                }
            }
            // bases list → a base's tables → a table's record pages, one after another.
            let bases_pages = log.iter().filter(|r| r.endpoint == Endpoint::Bases).count();
            let records_pages = harness.fakes.config().data.records_per_table.div_ceil(100);
            (per_base, 5.0 * SCALE, bases_pages + 1 + records_pages)
        }
        // One budget for the whole plan: search, each database, the data sources search
        // missed, every query page, a block list per page and per block with children,
        // the pages only the walk found, the relation pages. The search cursor is the
        // longest chain that cannot overlap.
        ProviderId::Notion => (
            HashMap::from([("connection".to_string(), log.len())]),
            3.0 * SCALE,
            log.iter()
                .filter(|r| r.endpoint == Endpoint::Search)
                .count()
                .max(1),
        ),
    };
    let busiest = budgets.values().copied().max().unwrap_or(0);
    let by_rate = Duration::from_secs_f64(busiest as f64 / rate);
    let by_chain = LATENCY * chain as u32;
    let (floor, why) = if by_rate >= by_chain {
        let mut why = format!("rate: {busiest} requests in one budget ÷ {rate}/s");
        if p == ProviderId::Notion {
            why.push_str(&format!(" ({})", notion_plan(&log)));
        }
        (by_rate, why)
    } else {
        (
            by_chain,
            format!("chain: {chain} requests × {} ms", LATENCY.as_millis()),
        )
    };
    let mut per_budget_429: HashMap<String, usize> = HashMap::new();
    for r in log.iter().filter(|r| r.status == 429) {
        *per_budget_429
            .entry(r.base.clone().unwrap_or_default())
            .or_default() += 1;
    }
    Figures {
        requests: log.len(),
        floor,
        why,
        limited: log.iter().filter(|r| r.status == 429).count(),
        repeat_429s: per_budget_429
            .values()
            .map(|n| n.saturating_sub(1))
            .max()
            .unwrap_or(0),
    }
}

/// Notion's requests by what they are for: "search 28, databases 30, …".
fn notion_plan(log: &[junction_fakes::RequestRecord]) -> String {
    [
        (Endpoint::Search, "search"),
        (Endpoint::Database, "databases"),
        (Endpoint::DataSource, "data sources"),
        (Endpoint::DataSourceQuery, "queries"),
        (Endpoint::BlockChildren, "block lists"),
        (Endpoint::Page, "pages"),
        (Endpoint::PageProperty, "relation pages"),
    ]
    .iter()
    .map(|(e, name)| {
        let n = log.iter().filter(|r| r.endpoint == *e).count();
        format!("{name} {n}")
    })
    .collect::<Vec<_>>()
    .join(", ")
}
