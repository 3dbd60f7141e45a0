//! Export benchmark: 100,000 realistic items to JSON, NDJSON and CSV.
//!
//! Run: `cargo bench -p junction-core --bench export` (release profile).
//!
//! A plain `main` (harness = false), not a timed test. For each format it re-runs itself
//! as a child process (env `JUNCTION_EXPORT_BENCH_FORMAT`), so each format's peak
//! memory is measured on its own: the child builds the items, resets the kernel's
//! high-water mark (`/proc/self/clear_refs`), exports three times into a temporary
//! folder and reports the median wall time (fsync and rename included), the file size
//! and the peak RSS (`VmHWM`), with how much of it the export itself added over the
//! items already in memory.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use junction_core::export::{export_items, ExportFormat};
#[path = "support/items.rs"]
mod items;
#[path = "support/report.rs"]
mod report;

use items::build_items;
use report::{group, reset_peak, status_kib};

const ITEMS: usize = 100_000;
const RUNS: usize = 3;
const CHILD_ENV: &str = "JUNCTION_EXPORT_BENCH_FORMAT";

fn main() {
    // `cargo test --all-targets` runs benches without `--bench`: then a small smoke
    // run checks the benchmark still works, in well under a second.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let count = std::env::var("JUNCTION_EXPORT_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 2_000 } else { ITEMS });
    match std::env::var(CHILD_ENV) {
        Ok(format) => child(format.parse().expect("a format"), count),
        Err(_) => parent(count),
    }
}

/// One measured format, as the child reports it on stdout.
struct Figures {
    median: Duration,
    runs: Vec<Duration>,
    bytes: u64,
    peak_kib: u64,
    items_kib: u64,
}

fn parent(count: usize) {
    let exe = std::env::current_exe().expect("own path");
    println!(
        "Export of {} items ({} runs each, median; fsync and rename included; peak RSS per format in its own process)",
        group(count as u64),
        RUNS
    );
    println!(
        "{:<7} {:>9} {:>10} {:>11} {:>12} {:>10} {:>22}   runs",
        "format", "time", "goal", "size", "items/s", "peak RSS", "of which the export"
    );
    let mut missed = false;
    for format in ExportFormat::ALL {
        let out = Command::new(&exe)
            .env(CHILD_ENV, format.as_str())
            .env("JUNCTION_EXPORT_BENCH_ITEMS", count.to_string())
            .output()
            .expect("run the benchmark child");
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            panic!("the {format} child failed: {}", out.status);
        }
        let f = parse(&String::from_utf8_lossy(&out.stdout));
        let goal = match format {
            ExportFormat::Json => Some(Duration::from_secs(1)),
            ExportFormat::Csv => Some(Duration::from_millis(1500)),
            ExportFormat::Ndjson | ExportFormat::Sqlite => None,
        };
        let verdict = match goal {
            Some(g) if f.median < g => format!("< {:.1} s ok", g.as_secs_f64()),
            Some(g) => {
                missed = true;
                format!("< {:.1} s MISSED", g.as_secs_f64())
            }
            None => "-".to_string(),
        };
        let runs: Vec<String> = f
            .runs
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64()))
            .collect();
        println!(
            "{:<7} {:>7.3} s {:>10} {:>8.1} MB {:>12} {:>7.1} MB {:>19.1} MB   {}",
            format.as_str(),
            f.median.as_secs_f64(),
            verdict,
            f.bytes as f64 / 1e6,
            group((count as f64 / f.median.as_secs_f64()) as u64),
            f.peak_kib as f64 / 1024.0,
            f.peak_kib.saturating_sub(f.items_kib) as f64 / 1024.0,
            runs.join(" / "),
        );
    }
    if missed {
        println!("a goal was missed: see the figures above");
    }
}

fn parse(stdout: &str) -> Figures {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line in: {stdout}"));
    let v: Vec<u64> = line
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let runs: Vec<Duration> = v[4..].iter().map(|&n| Duration::from_nanos(n)).collect();
    Figures {
        median: Duration::from_nanos(v[0]),
        bytes: v[1],
        peak_kib: v[2],
        items_kib: v[3],
        runs,
    }
}

fn child(format: ExportFormat, count: usize) {
    let items = build_items(count);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(format!("items.{}", format.extension()));
    let items_kib = status_kib("VmRSS");
    reset_peak();

    let mut runs = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let summary = export_items(&items, format, &path, None).expect("export");
        runs.push(start.elapsed());
        assert_eq!(summary.count, items.len());
        bytes = summary.bytes;
    }
    let peak_kib = status_kib("VmHWM");
    check(format, &path, count);

    let mut sorted = runs.clone();
    sorted.sort();
    let median = sorted[RUNS / 2];
    let runs: Vec<String> = runs.iter().map(|d| d.as_nanos().to_string()).collect();
    println!(
        "RESULT {} {} {} {} {}",
        median.as_nanos(),
        bytes,
        peak_kib,
        items_kib,
        runs.join(" ")
    );
}

/// A cheap check that the file is what it claims (after timing).
fn check(format: ExportFormat, path: &Path, count: usize) {
    if format == ExportFormat::Sqlite {
        let conn = rusqlite::Connection::open(path).expect("open the export");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n as usize, count, "sqlite: rows");
        return;
    }
    let text = fs::read_to_string(path).expect("read back");
    match format {
        ExportFormat::Json => assert_eq!(text.lines().count(), count + 2, "json: lines"),
        ExportFormat::Ndjson => assert_eq!(text.lines().count(), count, "ndjson: lines"),
        ExportFormat::Csv => {
            let records = csv::Reader::from_reader(text.as_bytes()).records().count();
            assert_eq!(records, count, "csv: records");
        }
        ExportFormat::Sqlite => unreachable!("checked above"),
    }
}

// --- realistic items -------------------------------------------------------------
