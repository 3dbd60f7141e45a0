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

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use junction_core::export::{export_items, ExportFormat};
use junction_core::{IntegrationItem, ProviderId};

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

/// Resets `VmHWM` to the current RSS (Linux 4.0+). Without it the peak includes
/// whatever building the items took, which the figures then say.
fn reset_peak() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

fn status_kib(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// --- realistic items -------------------------------------------------------------

/// A deterministic pseudo-random sequence (no dependency, same items every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn time(&mut self) -> DateTime<Utc> {
        let ms = 1_600_000_000_000 + (self.next() % 150_000_000_000) as i64;
        Utc.timestamp_millis_opt(ms).single().expect("a valid time")
    }
    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[(self.next() % CHARS.len() as u64) as usize] as char)
            .collect()
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIRST: &[&str] = &[
    "Jane",
    "Ahmed",
    "María",
    "Wei",
    "Olga",
    "Kwame",
    "Zoë",
    "Søren",
    "Aiko",
    "Liam",
    "Noa",
    "François",
];
const LAST: &[&str] = &[
    "Doe",
    "Al-Sayed",
    "García",
    "Zhang",
    "Ivanova",
    "Mensah",
    "O'Brien",
    "Ødegaard",
    "Tanaka",
    "Smith",
    "Cohen",
    "Lefèvre",
];
const COMPANIES: &[&str] = &[
    "Acme, Inc.",
    "Globex",
    "Initech",
    "Umbrella \"Corp\"",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "株式会社サンプル",
];
const STAGES: &[&str] = &[
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "opportunity",
    "customer",
];
const PAGE_TITLES: &[&str] = &[
    "Réunion d'équipe — notes",
    "会議メモ 📝",
    "Roadmap Q3 🚀",
    "مرحبا بالعالم: خطة المشروع",
    "שלום — תכנון ספרינט",
    "Onboarding checklist ✅",
    "Дизайн-ревью",
    "Incident post-mortem, 2024",
];
const WORKSPACES: &[&str] = &[
    "Engineering Wiki",
    "Product",
    "Design 🎨",
    "المبيعات",
    "Ops",
];
const STATUSES: &[&str] = &["Not started", "In progress", "Done", "Blocked"];
const TABLES: &[&str] = &["Orders", "Customers", "Inventory", "Tasks"];

fn build_items(count: usize) -> Vec<IntegrationItem> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|i| match i % 10 {
            0..=3 => hubspot_contact(&mut rng, i),
            4..=6 => notion_page(&mut rng, i),
            _ => airtable_record(&mut rng, i),
        })
        .collect()
}

fn hubspot_contact(rng: &mut Rng, i: usize) -> IntegrationItem {
    let id = (50_000_000 + i).to_string();
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", id.clone());
    item.name = Some(format!("{first} {last}"));
    item.parent_path_or_name = Some("Contacts".into());
    item.url = Some(format!(
        "https://app.hubspot.com/contacts/44123456/record/0-1/{id}"
    ));
    item.creation_time = Some(rng.time());
    item.last_modified_time = Some(rng.time());
    let email = format!(
        "{}.{}{}@example.com",
        first.to_lowercase(),
        last.to_lowercase(),
        i
    );
    item.properties = BTreeMap::from([
        ("email".into(), email),
        ("firstname".into(), first.into()),
        ("lastname".into(), last.into()),
        (
            "phone".into(),
            format!("+1 555 {:03} {:04}", rng.next() % 1000, rng.next() % 10_000),
        ),
        ("company".into(), rng.pick(COMPANIES).into()),
        ("lifecyclestage".into(), rng.pick(STAGES).into()),
    ]);
    item
}

fn notion_page(rng: &mut Rng, i: usize) -> IntegrationItem {
    let id = rng.uuid();
    let title = rng.pick(PAGE_TITLES);
    let mut item = IntegrationItem::new(ProviderId::Notion, "Page", id.clone());
    item.name = Some(format!("{title} #{i}"));
    item.parent_path_or_name = Some(rng.pick(WORKSPACES).into());
    item.parent_id = Some(rng.uuid());
    item.url = Some(format!("https://www.notion.so/{}", id.replace('-', "")));
    item.creation_time = Some(rng.time());
    item.last_modified_time = Some(rng.time());
    if i.is_multiple_of(3) {
        item.children = Some((0..3).map(|_| rng.uuid()).collect());
        item.directory = true;
    }
    item.properties = BTreeMap::from([
        ("Status".into(), rng.pick(STATUSES).into()),
        (
            "Owner".into(),
            format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
        ),
        ("Tags".into(), "planning, q3".into()),
    ]);
    item
}

fn airtable_record(rng: &mut Rng, i: usize) -> IntegrationItem {
    let base = format!("app{}", rng.alnum(14));
    let mut item = IntegrationItem::new(
        ProviderId::Airtable,
        "Record",
        format!("rec{}", rng.alnum(14)),
    );
    item.name = Some(format!("Order {i}"));
    item.parent_path_or_name = Some(rng.pick(TABLES).into());
    item.parent_id = Some(format!("tbl{}", rng.alnum(14)));
    item.drive_id = Some(base.clone());
    item.url = Some(format!(
        "https://airtable.com/{base}/{}",
        item.id.as_deref().unwrap_or("")
    ));
    item.creation_time = Some(rng.time());
    item.properties = BTreeMap::from([
        ("Customer".into(), rng.pick(COMPANIES).into()),
        ("Quantity".into(), (rng.next() % 500).to_string()),
        (
            "Total".into(),
            format!("{}.{:02}", rng.next() % 10_000, rng.next() % 100),
        ),
        (
            "Paid".into(),
            if rng.next().is_multiple_of(2) {
                "true"
            } else {
                "false"
            }
            .into(),
        ),
        (
            "Notes".into(),
            if i.is_multiple_of(50) {
                "Deliver to the back door,\n\"ring twice\"".into()
            } else {
                "".into()
            },
        ),
    ]);
    item
}
