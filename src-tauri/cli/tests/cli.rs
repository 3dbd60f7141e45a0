//! junction-cli as scripts use it: real processes, the fake providers over HTTP, the
//! real Redis when `make test` provides one, and the file secret store shared with the
//! next process.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use junction_core::ProviderId;
use junction_fakes::{browse, FakeConfig, Harness};

fn cli(h: &Harness) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_junction-cli"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default());
    for (k, v) in h.env() {
        cmd.env(k, v);
    }
    if let Ok(filter) = std::env::var("JUNCTION_LOG") {
        cmd.env("JUNCTION_LOG", filter);
    }
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .expect("junction-cli runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `connect`, signs in with the test browser, returns the output.
async fn connect(h: &Harness, provider: &str) -> Output {
    let mut cmd = cli(h);
    cmd.args(["connect", provider, "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = url::Url::parse(first.trim()).expect("the first line is the authorization URL alone");
    browse(&url).await.unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut output = child.wait_with_output().unwrap();
    output.stdout = format!("{first}{rest}").into_bytes();
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_status_and_disconnect_across_processes() {
    let h = Harness::start(FakeConfig::default()).await;
    for (p, account) in [
        ("hubspot", h.fakes.config().hubspot_hub_domain.clone()),
        ("airtable", h.fakes.config().airtable_user_email.clone()),
        ("notion", h.fakes.config().notion_workspace_name.clone()),
    ] {
        let out = connect(&h, p).await;
        assert!(out.status.success(), "{p}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let lines: Vec<_> = stdout.lines().collect();
        assert!(lines[0].starts_with("http"), "{stdout}");
        assert_eq!(
            lines.last().unwrap(),
            &format!("connected: {p} ({account})")
        );
    }

    // A later process sees the connections (through Redis or the secret store).
    let out = run({
        let mut c = cli(&h);
        c.arg("status");
        c
    });
    assert!(out.status.success());
    let status = text(&out.stdout);
    assert!(
        status.contains(&format!(
            "hubspot: connected ({})",
            h.fakes.config().hubspot_hub_domain
        )),
        "{status}"
    );
    assert!(status.contains("airtable: connected ("), "{status}");
    assert!(status.contains("notion: connected ("), "{status}");
    // …and the app's core can use the token the CLI obtained.
    let session = h.session().await;
    session
        .access_token(ProviderId::Notion)
        .await
        .expect("usable by another process");

    let out = run({
        let mut c = cli(&h);
        c.args(["disconnect", "notion"]);
        c
    });
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        "disconnected: notion",
        "{}",
        text(&out.stderr)
    );
    eprintln!("disconnect stderr: {}", text(&out.stderr));
    assert_eq!(h.fakes.counters().revocations(ProviderId::Notion), 1);
    let out = run({
        let mut c = cli(&h);
        c.args(["disconnect", "notion"]);
        c
    });
    assert!(out.status.success(), "disconnecting twice is fine");
    assert_eq!(text(&out.stdout).trim(), "notion was not connected");
    let out = run({
        let mut c = cli(&h);
        c.arg("status");
        c
    });
    assert!(text(&out.stdout).contains("notion: not connected"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_sign_in_exits_1_with_one_line() {
    let h = Harness::start(FakeConfig::default()).await;
    h.fakes.set_deny(ProviderId::Airtable, true);
    let out = connect(&h, "airtable").await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let reason: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("junction-cli:"))
        .collect();
    assert_eq!(reason.len(), 1, "{stderr}");
    assert!(reason[0].contains("refused"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_follow_the_contract() {
    let mut h = Harness::start(FakeConfig::default()).await;
    // 2: bad usage.
    for args in [
        vec!["connect", "slack"],
        vec!["frobnicate"],
        vec![],
        vec!["items", "hubspot", "--format", "xml"],
    ] {
        let out = run({
            let mut c = cli(&h);
            c.args(&args);
            c
        });
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // 1: a failure, with one line on stderr that says what to set.
    h.set_env("JUNCTION_HUBSPOT_CLIENT_ID", "");
    h.set_env("JUNCTION_HUBSPOT_CLIENT_SECRET", "");
    let out = run({
        let mut c = cli(&h);
        c.env_remove("JUNCTION_HUBSPOT_CLIENT_ID");
        c.args(["connect", "hubspot", "--no-browser"]);
        c
    });
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("JUNCTION_HUBSPOT_CLIENT_ID"), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("junction-cli:"))
            .count(),
        1
    );
    // 1: a bad setting names itself.
    let out = run({
        let mut c = cli(&h);
        c.env("JUNCTION_REDIRECT_PORT", "eighty").arg("status");
        c
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("JUNCTION_REDIRECT_PORT"));
    // 0: help.
    let out = run({
        let mut c = cli(&h);
        c.arg("--help");
        c
    });
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_keychain_falls_back_to_the_file_and_records_it() {
    let h = Harness::start(FakeConfig::default()).await;
    let out = run({
        let mut c = cli(&h);
        // Ask for the keychain where no Secret Service can answer.
        c.env_remove("JUNCTION_SECRET_STORE")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/junction-test-bus",
            )
            .arg("status");
        c
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: No keychain available"),
        "{}",
        text(&out.stderr)
    );
    let config = std::fs::read_to_string(h.config_dir.path().join("config.toml")).unwrap();
    assert!(config.contains("secret_store = \"file\""), "{config}");
}

fn connected_env_cli(h: &Harness, args: &[&str]) -> Output {
    run({
        let mut c = cli(h);
        c.args(args);
        c
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_loads_every_connected_provider_to_a_file() {
    let h = Harness::start(FakeConfig::default()).await;
    // Nothing connected: `all` fails and says so.
    let out = connected_env_cli(&h, &["items", "all"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no provider is connected"),
        "{}",
        text(&out.stderr)
    );

    for p in ["hubspot", "notion"] {
        assert!(connect(&h, p).await.status.success());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.json");
    let out = connected_env_cli(&h, &["items", "all", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("skipped: airtable (not connected)"),
        "{stderr}"
    );
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let summary = h.fakes.summary();
    assert_eq!(
        items.len(),
        summary.hubspot_items() + summary.notion_items()
    );
    assert!(items
        .iter()
        .all(|i| i["provider"] == "hubspot" || i["provider"] == "notion"));
    assert!(
        items
            .iter()
            .all(|i| i.as_object().unwrap().len() == junction_core::item::FIELDS.len()),
        "every field written"
    );

    // One provider to stdout, as NDJSON and CSV.
    let out = connected_env_cli(&h, &["items", "hubspot", "--format", "ndjson"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), summary.hubspot_items());
    let out = connected_env_cli(&h, &["items", "notion", "--format", "csv"]);
    assert!(out.status.success());
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("id,type,directory,parent_path_or_name"),
        "{}",
        &csv[..80.min(csv.len())]
    );

    // A provider that is not connected: exit 1.
    let out = connected_env_cli(&h, &["items", "airtable"]);
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_load_leaves_no_file_and_exits_1() {
    use junction_fakes::{Endpoint, Fault, FaultKind};
    let h = Harness::start(FakeConfig::default()).await;
    assert!(connect(&h, "notion").await.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.json");
    std::fs::write(&file, "previous export").unwrap();
    h.fakes.inject(
        Fault::new(ProviderId::Notion, FaultKind::MalformedJson)
            .on(Endpoint::Search)
            .times(100),
    );
    let out = connected_env_cli(&h, &["items", "notion", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("notion"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "previous export",
        "the old file is untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_what_the_store_holds_without_loading() {
    let h = Harness::start(FakeConfig::default()).await;
    // Nothing loaded yet: one line, exit 1.
    let out = connected_env_cli(&h, &["export", "all"]);
    assert_eq!(out.status.code(), Some(1));
    let reasons: Vec<String> = text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("junction-cli:"))
        .map(str::to_string)
        .collect();
    assert_eq!(reasons.len(), 1, "{}", text(&out.stderr));
    assert!(reasons[0].contains("holds nothing"), "{}", reasons[0]);

    assert!(connect(&h, "hubspot").await.status.success());
    let loaded = connected_env_cli(&h, &["items", "hubspot", "--format", "csv"]);
    assert!(loaded.status.success(), "{}", text(&loaded.stderr));
    let requests = h.fakes.counters().requests().len();

    // The same bytes as `items` wrote, and no request made.
    let exported = connected_env_cli(&h, &["export", "hubspot", "--format", "csv"]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert_eq!(text(&exported.stdout), text(&loaded.stdout));
    assert_eq!(
        h.fakes.counters().requests().len(),
        requests,
        "export makes no request"
    );
    // The fake contacts hold no formula-like cell, so the raw option writes the same.
    let raw = connected_env_cli(
        &h,
        &["export", "hubspot", "--format", "csv", "--csv-raw-formulas"],
    );
    assert!(raw.status.success(), "{}", text(&raw.stderr));
    assert_eq!(text(&raw.stdout), text(&loaded.stdout));

    // A provider never loaded: exit 1, one line that names it.
    let out = connected_env_cli(&h, &["export", "notion"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("notion"),
        "{}",
        text(&out.stderr)
    );

    // Filters.
    let out = connected_env_cli(
        &h,
        &["export", "all", "--type", "Deal", "--format", "ndjson"],
    );
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).lines().count(), h.fakes.summary().deals);
    let out = connected_env_cli(
        &h,
        &[
            "export",
            "hubspot",
            "--search",
            "CONTACT1@EXAMPLE",
            "--format",
            "ndjson",
        ],
    );
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    assert!(lines
        .iter()
        .all(|i| { i.to_string().to_lowercase().contains("contact1") }));

    // A database needs a file: bad usage.
    let out = connected_env_cli(&h, &["export", "hubspot", "--format", "sqlite"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("items.sqlite");
    let out = connected_env_cli(
        &h,
        &[
            "export",
            "hubspot",
            "--format",
            "sqlite",
            "--out",
            db.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::read(&db)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_fails_after_page_one_keeps_the_previous_set_and_resume_finishes_it() {
    use junction_fakes::{Endpoint, Fault, FaultKind};
    let mut config = FakeConfig::default();
    config.data.contacts = 250;
    let h = Harness::start(config).await;
    assert!(connect(&h, "hubspot").await.status.success());
    let first = connected_env_cli(&h, &["items", "hubspot", "--format", "ndjson"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let total = h.fakes.summary().hubspot_items();
    assert_eq!(text(&first.stdout).lines().count(), total);

    // The reload fails after the first contacts page.
    let contacts = Endpoint::Objects(junction_core::providers::hubspot::ObjectType::Contacts);
    h.fakes.inject(
        Fault::new(ProviderId::Hubspot, FaultKind::Status(400))
            .on(contacts)
            .after(1)
            .times(1),
    );
    let failed = connected_env_cli(&h, &["items", "hubspot"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    let kept = connected_env_cli(&h, &["export", "hubspot", "--format", "ndjson"]);
    assert_eq!(
        text(&kept.stdout),
        text(&first.stdout),
        "the previous complete set is still the one exported"
    );

    // Resume continues the stopped reload: every item once.
    let resumed = connected_env_cli(&h, &["items", "hubspot", "--resume", "--format", "ndjson"]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    let ids: std::collections::HashSet<String> = text(&resumed.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!("{}:{}", v["type"], v["id"])
        })
        .collect();
    assert_eq!(text(&resumed.stdout).lines().count(), total);
    assert_eq!(ids.len(), total, "no duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_load_into_the_store_at_once() {
    let h = Harness::start(FakeConfig::default()).await;
    for p in ["hubspot", "airtable"] {
        assert!(connect(&h, p).await.status.success());
    }
    let spawn = |p: &str| {
        let mut c = cli(&h);
        c.args(["items", p, "--format", "ndjson"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn().unwrap()
    };
    let (a, b) = (spawn("hubspot"), spawn("airtable"));
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = connected_env_cli(&h, &["export", "all", "--format", "ndjson"]);
    let s = h.fakes.summary();
    assert_eq!(
        text(&out.stdout).lines().count(),
        s.hubspot_items() + s.airtable_items()
    );
}

/// Every file below `dir`, but the file secret store (the one place secrets belong).
fn files_below(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            files_below(&path, out);
        } else if name != "secrets.json" {
            out.push(path);
        }
    }
}

/// Issue 13: no token or client secret the fakes issued shows up outside the secret
/// store. Each provider connects, HubSpot's and Airtable's access tokens are revoked
/// (a 401, then a refresh: HubSpot rotates nothing, Airtable rotates its refresh token)
/// and Notion's too (it has no refresh: the load fails and says so), everything loads
/// and exports with the most verbose log level on. Then every output line and every
/// file Junction wrote is searched for every one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_reaches_an_output_a_log_or_a_file() {
    let mut config = FakeConfig::default();
    config.data.contacts = 120;
    config.data.companies = 20;
    config.data.deals = 10;
    config.data.records_per_table = 120;
    config.data.pages = 60;
    config.data.databases = 3;
    let mut h = Harness::start(config).await;
    h.set_env("JUNCTION_LOG", "trace");
    let mut outputs: Vec<(String, Output)> = Vec::new();
    for p in ["hubspot", "airtable", "notion"] {
        let out = connect(&h, p).await;
        assert!(out.status.success(), "{p}: {}", text(&out.stderr));
        outputs.push((format!("connect {p}"), out));
    }
    for p in ProviderId::ALL {
        h.fakes.inject(junction_fakes::Fault::new(
            p,
            junction_fakes::FaultKind::RevokeAccessTokens,
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.json");
    let loaded = connected_env_cli(&h, &["items", "all", "--out", file.to_str().unwrap()]);
    outputs.push(("items all".into(), loaded));
    for args in [
        vec!["items", "hubspot", "--format", "csv"],
        vec!["items", "notion"],
        vec!["export", "all", "--format", "ndjson"],
        vec!["status"],
    ] {
        outputs.push((args.join(" "), connected_env_cli(&h, &args)));
    }
    let refreshes = h
        .fakes
        .counters()
        .token_requests(ProviderId::Hubspot, "refresh_token")
        + h.fakes
            .counters()
            .token_requests(ProviderId::Airtable, "refresh_token");
    assert!(
        refreshes >= 2,
        "the revoked tokens were refreshed: {refreshes}"
    );

    let secrets = h.fakes.secrets();
    assert!(
        secrets.len() >= 8,
        "tokens and client secrets to look for: {}",
        secrets.len()
    );
    let logged: usize = outputs.iter().map(|(_, o)| o.stderr.len()).sum();
    assert!(
        logged > 10_000,
        "the trace logs are on: {logged} bytes of stderr"
    );
    let mut files = vec![file];
    files_below(&h.config().config_dir, &mut files);
    files_below(&h.config().data_dir, &mut files);
    assert!(files.len() >= 3, "{files:?}");
    let mut places: Vec<(String, String)> = outputs
        .iter()
        .flat_map(|(what, o)| {
            [
                (format!("{what}: stdout"), text(&o.stdout)),
                (format!("{what}: stderr"), text(&o.stderr)),
            ]
        })
        .collect();
    for f in &files {
        places.push((
            f.display().to_string(),
            text(&std::fs::read(f).unwrap_or_default()),
        ));
    }
    // The search can find them: the secret store holds the current ones as they are.
    let store = text(
        &std::fs::read(h.config().config_dir.join("secrets.json")).expect("the file secret store"),
    );
    assert!(
        secrets.iter().any(|s| store.contains(s.as_str())),
        "the secret store holds the grants"
    );
    for secret in &secrets {
        for (place, content) in &places {
            assert!(
                !content.contains(secret.as_str()),
                "a secret issued by the fakes ({}…) is in {place}",
                &secret[..4.min(secret.len())]
            );
        }
    }
}
