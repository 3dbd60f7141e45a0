//! Item store benchmark: ingest, cold open, queries and exports at 100,000 and
//! 1,000,000 items, on a real `items.db` in a temporary folder.
//!
//! Run: `cargo bench -p junction-core --bench store` (release profile; `make bench`
//! runs it). `JUNCTION_STORE_BENCH_SIZES=100000` picks the sizes.
//!
//! Prints, per size:
//! - ingest: batches of 1,000 items, one transaction each (goal ≥ 100,000 items/s);
//! - cold open: a new store on the file, then the first window of 200 rows;
//! - index: the first query's build of the in-memory index;
//! - sort: the first sort by each column (goal ≤ 100 ms at 100,000, ≤ 500 ms at 1M),
//!   then windows of 200 rows at random offsets under it (p95 goal ≤ 16 ms at 1M);
//! - search: each keystroke of a few searches, as the table sends them, into a table
//!   sorted by Name (goal ≤ 50 ms at 100,000, ≤ 150 ms at 1M, of which this is the
//!   store's part);
//! - export from the store: JSON, CSV and SQLite of every item (goal ≤ 3 s at 1M);
//! - the process's resident memory with the index built.
//!
//! Under `cargo test --all-targets` (no `--bench`) a small smoke run checks it works.

#[path = "support/items.rs"]
mod items;
#[path = "support/report.rs"]
mod report;

use std::time::{Duration, Instant};

use junction_core::export::{export_query, ExportFormat};
use junction_core::store::items::{ItemQuery, ItemStore, Sort, SortColumn, SortDir};
use junction_core::ProviderId;
use report::{group, status_kib};

const BATCH: usize = 1000;
const WINDOW: u64 = 200;

/// Set in the child that ingests: the folder to write, and how many items.
const INGEST_ENV: &str = "JUNCTION_STORE_BENCH_INGEST";

fn main() {
    if let Ok(spec) = std::env::var(INGEST_ENV) {
        let (dir, n) = spec.split_once('=').expect("dir=n");
        return ingest(std::path::Path::new(dir), n.parse().expect("a count"));
    }
    let smoke = !std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = match std::env::var("JUNCTION_STORE_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) if smoke => vec![3_000],
        Err(_) => vec![100_000, 1_000_000],
    };
    for n in sizes {
        run(n, smoke);
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

/// Ingests `n` items into a store in `dir`: a set per provider, as loads write them,
/// in batches of 1,000. Runs in a child process, so the parent's memory figure is
/// the store's alone.
fn ingest(dir: &std::path::Path, n: usize) {
    let mut items = items::build_items(n);
    let by_provider: Vec<Vec<_>> = ProviderId::ALL
        .iter()
        .map(|p| {
            let (mine, rest) = std::mem::take(&mut items)
                .into_iter()
                .partition(|i| i.provider == *p);
            items = rest;
            mine
        })
        .collect();
    let store = ItemStore::open(dir);
    let start = Instant::now();
    for (p, mine) in ProviderId::ALL.iter().zip(&by_provider) {
        let set = store.begin(*p, "", false).expect("begin");
        for batch in mine.chunks(BATCH) {
            store.write_batch(&set, batch).expect("write");
        }
        store.complete(set).expect("complete");
    }
    let ingest = start.elapsed();
    let rate = n as f64 / ingest.as_secs_f64();
    println!(
        "ingest          {:>10}  {:>9.0} items/s  (goal >= 100,000: {})",
        ms(ingest),
        rate,
        verdict(rate >= 100_000.0)
    );
    println!(
        "file            {:>10.1} MB",
        store.size_bytes() as f64 / 1e6
    );
}

fn run(n: usize, smoke: bool) {
    println!("\n== item store, {} items ==", group(n as u64));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let child = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .env(INGEST_ENV, format!("{}={n}", dir.path().display()))
        .status()
        .expect("the ingest child runs");
    assert!(child.success(), "ingest failed");
    let baseline = rss_mb();

    // Cold open: what a restart pays before the first rows can be painted.
    let start = Instant::now();
    let store = ItemStore::open(dir.path());
    let first = store
        .query(&ItemQuery::default(), 0, WINDOW)
        .expect("first window");
    let cold = start.elapsed();
    assert_eq!(first.total as usize, n);
    println!(
        "cold open       {:>10}  (open + index + first {} rows)",
        ms(cold),
        WINDOW
    );

    let start = Instant::now();
    store.warm().expect("index");
    println!(
        "index           {:>10}  (built from the store)",
        ms(start.elapsed())
    );
    let rss_before = rss_mb();
    let big = n >= 1_000_000;
    let (sort_goal, search_goal) = if big {
        (Duration::from_millis(500), Duration::from_millis(150))
    } else {
        (Duration::from_millis(100), Duration::from_millis(50))
    };
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for column in [
        SortColumn::Name,
        SortColumn::Modified,
        SortColumn::Type,
        SortColumn::Parent,
        SortColumn::Created,
        SortColumn::Provider,
        SortColumn::Url,
    ] {
        let query = ItemQuery {
            sort: Some(Sort {
                column,
                dir: SortDir::Asc,
            }),
            ..ItemQuery::default()
        };
        let start = Instant::now();
        store.query(&query, 0, WINDOW).expect("sort");
        let sort = start.elapsed();
        let mut windows: Vec<Duration> = (0..if smoke { 20 } else { 200 })
            .map(|_| {
                let offset = next() % (n as u64).saturating_sub(WINDOW).max(1);
                let start = Instant::now();
                let w = store.query(&query, offset, WINDOW).expect("window");
                assert_eq!(w.rows.len() as u64, WINDOW.min(n as u64 - offset));
                start.elapsed()
            })
            .collect();
        windows.sort();
        let p95 = windows[windows.len() * 95 / 100];
        println!(
            "sort {:<10} {:>10}  (goal <= {}: {})   window p95 {:>9}  (goal <= 16 ms: {})",
            format!("{column:?}"),
            ms(sort),
            ms(sort_goal),
            verdict(sort <= sort_goal),
            ms(p95),
            verdict(p95 <= Duration::from_millis(16))
        );
    }

    // Searches are typed into a table sorted by Name: the sort the person chose
    // before typing (its first sort is measured above), so it is cached.
    let by_name = ItemQuery {
        sort: Some(Sort {
            column: SortColumn::Name,
            dir: SortDir::Asc,
        }),
        ..ItemQuery::default()
    };
    store.query(&by_name, 0, WINDOW).expect("sort by name");
    for search in ["a", "ad", "ada", "ada l", "lovelace", "zoë", "order 9"] {
        let mut typed = String::new();
        let mut worst = Duration::ZERO;
        for c in search.chars() {
            typed.push(c);
            let query = ItemQuery {
                search: typed.clone(),
                sort: Some(Sort {
                    column: SortColumn::Name,
                    dir: SortDir::Asc,
                }),
                ..ItemQuery::default()
            };
            let start = Instant::now();
            store.query(&query, 0, WINDOW).expect("search");
            worst = worst.max(start.elapsed());
        }
        let hits = store
            .query(
                &ItemQuery {
                    search: search.into(),
                    ..ItemQuery::default()
                },
                0,
                1,
            )
            .expect("count")
            .total;
        println!(
            "search {:<10} worst keystroke {:>9}  (goal <= {}: {})  {} hits",
            format!("{search:?}"),
            ms(worst),
            ms(search_goal),
            verdict(worst <= search_goal),
            group(hits)
        );
    }
    println!(
        "memory          {:>7.0} MB resident growth with the index and every sort cached ({:.0} MB after the cold open)",
        rss_mb() - baseline,
        rss_before - baseline
    );

    let out = tempfile::tempdir().expect("a temporary folder");
    for format in [ExportFormat::Json, ExportFormat::Csv, ExportFormat::Sqlite] {
        let path = out.path().join(format!("items.{}", format.extension()));
        let start = Instant::now();
        let summary =
            export_query(&store, &ItemQuery::default(), format, &path, None).expect("export");
        let took = start.elapsed();
        assert_eq!(summary.count, n);
        let goal = Duration::from_secs(3).mul_f64(n as f64 / 1e6);
        println!(
            "export {:<8} {:>10}  {:>8.1} MB  (goal <= {:.1} s at this size: {})",
            format.as_str(),
            ms(took),
            summary.bytes as f64 / 1e6,
            goal.as_secs_f64(),
            verdict(took <= goal)
        );
    }
}

fn rss_mb() -> f64 {
    status_kib("VmRSS") as f64 / 1024.0
}
