//! End-to-end: the real built app under Xvfb, driven through tauri-driver +
//! WebKitWebDriver. `make test` runs these with `--ignored` after starting Xvfb;
//! they need a display, so a plain `cargo test` skips them.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use junction_core::export::{export_query, ExportFormat};
use junction_core::store::items::{ItemQuery, ItemStore};
use junction_core::ProviderId;
use junction_fakes::{FakeConfig, Fault, FaultKind, Harness};
use support::webdriver::{self, Driver, Session};

const WAIT: Duration = Duration::from_secs(20);

fn app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_junction"))
}

fn artifacts() -> PathBuf {
    let dir = std::env::var_os("JUNCTION_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("junction-e2e"));
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// Starts the app with its own config dir and the file secret store (no keychain
/// prompt can block a test), plus `env`.
async fn launch(config_dir: &Path, env: &[(&str, String)], remove: &[&str]) -> (Driver, Session) {
    let mut all = vec![
        ("JUNCTION_CONFIG_DIR", config_dir.display().to_string()),
        ("JUNCTION_SECRET_STORE", "file".to_string()),
    ];
    all.extend(env.iter().cloned());
    let driver = Driver::start(&all, remove).await.expect("tauri-driver");
    let session = Session::new(&driver, &app())
        .await
        .expect("webdriver session");
    (driver, session)
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn window_shows_providers_cache_status_and_empty_table() {
    let config = tempfile::tempdir().unwrap();
    let (_driver, s) = launch(config.path(), &[], &["REDIS_URL"]).await;

    for provider in ["hubspot", "airtable", "notion"] {
        let button = s
            .find(&format!("[data-testid=connect-{provider}]"), WAIT)
            .await
            .unwrap_or_else(|e| panic!("Connect {provider}: {e}"));
        let label = s.text(&button).await.unwrap();
        assert!(
            label.contains("Connect"),
            "{provider} button says {label:?}"
        );
        // No client id is configured in this fresh config dir.
        assert!(
            s.attribute(&button, "disabled").await.unwrap().is_some(),
            "Connect {provider} should be disabled until configured"
        );
        let status = s
            .wait_text(&format!("[data-testid=status-{provider}]"), WAIT, |t| {
                !t.is_empty()
            })
            .await
            .unwrap();
        assert!(
            status.contains("Not configured"),
            "{provider} status {status:?}"
        );
    }

    let cache = s
        .wait_text("[data-testid=cache-status]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert_eq!(cache, "Cache: embedded");

    let export = s.find("[data-testid=export-button]", WAIT).await.unwrap();
    assert!(
        s.attribute(&export, "disabled").await.unwrap().is_some(),
        "Export disabled with no items"
    );
    s.find("[data-testid=items-table]", WAIT).await.unwrap();
    let empty = s
        .wait_text("[data-testid=empty-state]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(
        empty.contains("Settings"), // nothing is configured here: the next step is Settings
        "empty state says what to do: {empty:?}"
    );

    let title = s
        .execute("return document.title", serde_json::json!([]))
        .await
        .unwrap();
    assert_eq!(title, "Junction");

    // Once the window has its first answers, and they are painted (Xvfb paints late).
    s.find("body[data-ready=true]", WAIT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let shot = artifacts().join("e2e-window.png");
    s.screenshot(&shot).await.unwrap();
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );
    s.close().await;
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_redis_that_does_not_answer_is_an_error_with_retry() {
    let config = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:sekret-pw@127.0.0.1:{port}/0");
    let (_driver, s) = launch(config.path(), &[("REDIS_URL", url)], &[]).await;

    let cache = s
        .wait_text("[data-testid=cache-status]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert_eq!(cache, format!("Cache: Redis at 127.0.0.1:{port}"));
    s.find("[data-testid=retry-cache]", WAIT)
        .await
        .expect("a Retry button");
    let page = s
        .execute("return document.body.innerText", serde_json::json!([]))
        .await
        .unwrap();
    assert!(
        !page.as_str().unwrap().contains("sekret-pw"),
        "the password is never shown"
    );
    s.close().await;
}

/// Starts the app on the harness's fake providers, config dir and stores, plus `extra`.
async fn launch_on(h: &Harness, extra: &[(&str, String)]) -> (Driver, Session) {
    let mut env: Vec<(&str, String)> = h
        .env()
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    env.extend(extra.iter().cloned());
    let remove: &[&str] = if h.env().iter().any(|(k, _)| k == "REDIS_URL") {
        &[]
    } else {
        &["REDIS_URL"]
    };
    let driver = Driver::start(&env, remove).await.expect("tauri-driver");
    let session = Session::new(&driver, &app())
        .await
        .expect("webdriver session");
    (driver, session)
}

/// Clicks Connect and waits for the card to say Connected. The popup signs in at the
/// fake provider, which approves by itself and redirects to the loopback server.
async fn connect_in_window(s: &Session, provider: ProviderId, account: &str) {
    let button = s
        .find(&format!("[data-testid=connect-{provider}]"), WAIT)
        .await
        .unwrap();
    s.click(&button).await.unwrap();
    let status = s
        .wait_text(&format!("[data-testid=status-{provider}]"), WAIT, |t| {
            t.contains("Connected")
        })
        .await
        .unwrap_or_else(|e| panic!("{provider} did not connect: {e}"));
    assert!(status.contains(account), "{provider}: {status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn connect_hubspot_in_the_popup() {
    let h = Harness::start(FakeConfig::default()).await;
    let (_driver, s) = launch_on(&h, &[]).await;
    connect_in_window(
        &s,
        ProviderId::Hubspot,
        &h.fakes.config().hubspot_hub_domain,
    )
    .await;
    assert_eq!(
        h.fakes
            .counters()
            .token_requests(ProviderId::Hubspot, "authorization_code"),
        1
    );
    // The popup closed itself: only the main window is left.
    let mut handles = 0;
    for _ in 0..25 {
        handles = s.window_handles().await.unwrap().len();
        if handles == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(handles, 1, "the sign-in popup should close itself");
    s.find("[data-testid=disconnect-hubspot]", WAIT)
        .await
        .expect("a Disconnect button");
    s.screenshot(&artifacts().join("e2e-connected.png"))
        .await
        .unwrap();
    s.close().await;
}

/// Issue 4 + 5 end to end: connect, Load, the table shows every row; search; export
/// the filtered view; the file holds exactly those rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn load_search_and_export_the_filtered_view() {
    let h = Harness::start(hubspot_only(180, 40, 30)).await;
    let total = h.fakes.summary();
    let expected = total.hubspot_items();
    // The save dialog's answer (the e2e build's stand-in for the native dialog).
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("view.json");
    let (_driver, s) = launch_on(
        &h,
        &[("JUNCTION_TEST_SAVE_PATH", path.display().to_string())],
    )
    .await;
    connect_in_window(
        &s,
        ProviderId::Hubspot,
        &h.fakes.config().hubspot_hub_domain,
    )
    .await;

    let load = s.find("[data-testid=load-hubspot]", WAIT).await.unwrap();
    s.click(&load).await.unwrap();
    let all = all_of(expected);
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the table shows every loaded row");
    // The card says what the store holds and when it was loaded.
    let summary = format!("{} items · loaded just now", fmt_count(expected));
    s.wait_text("[data-testid=summary-hubspot]", WAIT, |t| t == summary)
        .await
        .expect("the card's summary");

    // Search for the first row's name: a subset remains.
    let name = s
        .execute(
            "const r = document.querySelector('[data-testid=row]'); return r ? r.firstElementChild.textContent.trim() : null;",
            serde_json::json!([]),
        )
        .await
        .unwrap();
    let name = name.as_str().expect("a first row").to_string();
    let needle: String = name.split_whitespace().next().unwrap().to_lowercase();
    let search = s.find("[data-testid=search-input]", WAIT).await.unwrap();
    s.send_keys(&search, &needle).await.unwrap();
    s.wait_text("[data-testid=item-count]", WAIT, |t| {
        t != all && t.ends_with("items")
    })
    .await
    .unwrap();
    // The keys go out one by one and a search is sent per keystroke or two: the
    // count of the whole word is the one that stays.
    let count = settled_text(&s, "[data-testid=item-count]").await;
    let shown: usize = count
        .split(" of ")
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(shown >= 1 && shown < expected, "{count}");

    // Newest first: a second click on Created sorts descending.
    let created = s.find("[data-testid=sort-created]", WAIT).await.unwrap();
    s.click(&created).await.unwrap();
    s.click(&created).await.unwrap();
    let sort = s
        .execute(
            "return document.querySelector('[data-testid=sort-created]').getAttribute('aria-sort')",
            serde_json::json!([]),
        )
        .await
        .unwrap();
    assert_eq!(sort, "descending");
    // Give the sorted window time to land, then read the rows on screen in order.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let on_screen = shown_names(&s).await;
    assert!(!on_screen.is_empty(), "rows on screen after the sort");

    // Export the view; JUNCTION_TEST_SAVE_PATH answers the save dialog.
    let export = s.find("[data-testid=export-button]", WAIT).await.unwrap();
    s.click(&export).await.unwrap();
    let scope = s
        .find("[data-testid=export-scope-view]", WAIT)
        .await
        .unwrap();
    s.click(&scope).await.unwrap();
    let confirm = s.find("[data-testid=export-confirm]", WAIT).await.unwrap();
    s.click(&confirm).await.unwrap();
    let toast = s
        .wait_text("[data-testid=toast]", WAIT, |t| t.contains("Exported"))
        .await
        .unwrap();
    assert!(
        toast.contains(&path.display().to_string()),
        "the toast names the file the dialog chose: {toast:?}"
    );

    let items: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        items.len(),
        shown,
        "the file holds exactly the filtered rows"
    );
    for item in &items {
        let hay = format!(
            "{} {} {}",
            item["name"].as_str().unwrap_or(""),
            item["parent_path_or_name"].as_str().unwrap_or(""),
            item["id"].as_str().unwrap_or("")
        )
        .to_lowercase();
        assert!(hay.contains(&needle), "{hay} does not match {needle}");
        assert_eq!(item["provider"], "hubspot");
    }
    // The file is in the table's order: newest first, as on screen.
    let times: Vec<&str> = items
        .iter()
        .map(|i| i["creation_time"].as_str().expect("a creation time"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "the export is newest first: {times:?}"
    );
    let names: Vec<&str> = items
        .iter()
        .take(on_screen.len())
        .map(|i| i["name"].as_str().unwrap_or("(untitled)"))
        .collect();
    assert_eq!(names, on_screen, "the file starts with the rows on screen");
    // Let the dialog's closing fade finish, so the screenshot shows the table.
    tokio::time::sleep(Duration::from_millis(600)).await;
    s.screenshot(&artifacts().join("e2e-loaded.png"))
        .await
        .unwrap();
    s.close().await;
}

/// The element's text once it has not changed for half a second.
async fn settled_text(s: &Session, css: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    let mut last = s.text_of(css).await.unwrap().unwrap_or_default();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = s.text_of(css).await.unwrap().unwrap_or_default();
        if now == last || std::time::Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

/// The names of the rows on screen, top to bottom.
async fn shown_names(s: &Session) -> Vec<String> {
    let v = s
        .execute(
            "return [...document.querySelectorAll('[data-testid=row]:not([hidden])')]
               .sort((a, b) => a.getAttribute('aria-rowindex') - b.getAttribute('aria-rowindex'))
               .map((r) => r.querySelector('.col-name').textContent.trim());",
            serde_json::json!([]),
        )
        .await
        .unwrap();
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// Fakes whose HubSpot portal has this many records and none of the fixture records.
fn hubspot_only(contacts: usize, companies: usize, deals: usize) -> FakeConfig {
    let mut config = FakeConfig::default();
    config.data.contacts = contacts;
    config.data.companies = companies;
    config.data.deals = deals;
    config.data.edge_cases = false;
    config
}

/// The item count with no filter on: every one of `n`.
fn all_of(n: usize) -> String {
    format!("{} of {} items", fmt_count(n), fmt_count(n))
}

fn fmt_count(n: usize) -> String {
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

/// A second `junction` on `config`, its stderr in a file (a pipe could fill and block it).
fn start_second(config: &Path, stderr: &Path) -> std::process::Child {
    std::process::Command::new(app())
        .env("JUNCTION_CONFIG_DIR", config)
        .env("JUNCTION_SECRET_STORE", "file")
        .env_remove("REDIS_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap()
}

/// Waits up to `timeout` for `child` to exit; kills and reaps it in every case.
async fn exit_of(
    child: &mut std::process::Child,
    timeout: Duration,
) -> Option<std::process::ExitStatus> {
    let started = std::time::Instant::now();
    let mut exited = None;
    while started.elapsed() < timeout {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    exited
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_second_launch_hands_over_to_the_first_and_exits() {
    let config = tempfile::tempdir().unwrap();
    let (_driver, s) = launch(config.path(), &[], &["REDIS_URL"]).await;
    s.find("[data-testid=connect-hubspot]", WAIT)
        .await
        .expect("the first instance is up");
    // The first one holds the single-instance name (else a second would just start).
    assert_eq!(
        webdriver::single_instance_held(),
        Some(true),
        "the first instance owns {} on the session bus (run under dbus-run-session)",
        webdriver::SINGLE_INSTANCE_NAME
    );
    let stderr = config.path().join("second.stderr");
    let mut second = start_second(config.path(), &stderr);
    let exited = exit_of(&mut second, Duration::from_secs(20)).await;
    let said = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert_eq!(
        exited.and_then(|status| status.code()),
        Some(0),
        "the second instance hands over and exits 0; stderr: {said}"
    );
    // The first one is still there.
    s.find("[data-testid=connect-hubspot]", WAIT)
        .await
        .expect("the first instance still runs");
    s.close().await;
}

/// The first instance holds the name but never answers the hand-over (it hangs, then
/// dies: the bus answers NoReply). The second says so and exits 1: no panic, no
/// second window.
#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_hand_over_nobody_answers_ends_with_a_message_not_a_panic() {
    let config = tempfile::tempdir().unwrap();
    let (_driver, s) = launch(config.path(), &[], &["REDIS_URL"]).await;
    s.find("[data-testid=connect-hubspot]", WAIT)
        .await
        .expect("the first instance is up");
    let first = webdriver::bus_name_pid(webdriver::SINGLE_INSTANCE_NAME)
        .expect("the first instance owns the single-instance name (run under dbus-run-session)");
    let signal = |sig: &str, pid: u32| {
        std::process::Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
    };
    // Stopped, it cannot answer: the second's call waits…
    assert!(signal("-STOP", first).success());
    let stderr = config.path().join("second.stderr");
    let mut second = start_second(config.path(), &stderr);
    let on_bus = std::time::Instant::now();
    while !webdriver::bus_connection_pids().contains(&second.id()) {
        assert!(
            on_bus.elapsed() < Duration::from_secs(30),
            "the second instance never reached the session bus"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // …past its first connection (GTK's) to the plugin's call.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        second.try_wait().unwrap().is_none(),
        "the second instance should wait for the first's answer"
    );
    // …until the first dies without answering.
    assert!(signal("-KILL", first).success());
    let exited = exit_of(&mut second, Duration::from_secs(20)).await;
    let said = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert_eq!(
        exited.and_then(|status| status.code()),
        Some(1),
        "exit 1 (a panic would be 101); stderr: {said}"
    );
    assert!(
        said.contains("another Junction is running but did not answer"),
        "the reason on stderr: {said}"
    );
    assert!(!said.contains("panicked"), "no panic: {said}");
    s.close().await;
}

/// Issue 9 in the window: the next launch shows the stored rows without a Load; a
/// reload that fails after its first page keeps the previous set (in the window and
/// for another process reading the store, as junction-cli does), also after a
/// restart, where Resume completes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn stored_items_survive_a_restart_and_a_failed_reload() {
    let mut config = hubspot_only(180, 40, 30);
    // Retries wait a twentieth (the app's waits are scaled the same way below).
    config.rate_limit_scale = 20.0;
    let h = Harness::start(config).await;
    let expected = h.fakes.summary().hubspot_items();
    let all = all_of(expected);
    let scale = [("JUNCTION_RATE_LIMIT_SCALE", "20".to_string())];

    // Connect and load.
    let (driver, s) = launch_on(&h, &scale).await;
    connect_in_window(
        &s,
        ProviderId::Hubspot,
        &h.fakes.config().hubspot_hub_domain,
    )
    .await;
    let load = s.find("[data-testid=load-hubspot]", WAIT).await.unwrap();
    s.click(&load).await.unwrap();
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the first load shows every row");
    s.close().await;
    drop(driver);

    // The next launch opens with them: no Load.
    let (driver, s) = launch_on(&h, &scale).await;
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the stored rows at start");
    let summary = format!("{} items · loaded", fmt_count(expected));
    s.wait_text("[data-testid=summary-hubspot]", WAIT, |t| {
        t.starts_with(&summary)
    })
    .await
    .expect("the card says what the store holds");
    let api_before = h.fakes.counters().api_requests(ProviderId::Hubspot);

    // A reload whose every request fails once a first page is in: after the schemas,
    // the three types' definitions and the custom type's one page (its items are kept
    // for Resume), and a few more.
    h.fakes.inject(
        Fault::new(ProviderId::Hubspot, FaultKind::Status(502))
            .after(8)
            .times(10_000),
    );
    let reload = s.find("[data-testid=load-hubspot]", WAIT).await.unwrap();
    s.click(&reload).await.unwrap();
    s.find("[data-testid=resume-hubspot]", WAIT)
        .await
        .expect("a failed reload offers Resume");
    let why = s
        .wait_text("[data-testid=load-error-hubspot]", WAIT, |t| {
            t.starts_with("Reload failed: ")
        })
        .await
        .unwrap();
    assert!(why.contains("kept for Resume"), "{why}");
    assert!(
        h.fakes.counters().api_requests(ProviderId::Hubspot) > api_before,
        "the reload asked HubSpot"
    );
    // The previous set stays: in the table, on the card…
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the previous set stays in the table");
    let card = s
        .text_of("[data-testid=summary-hubspot]")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(card.starts_with(&summary), "{card}");
    // …and for another process on the same store while the app runs.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.json");
    let store = ItemStore::open(&h.config().data_dir);
    let written = export_query(
        &store,
        &ItemQuery::default(),
        ExportFormat::Json,
        &file,
        None,
    )
    .expect("an export from the store");
    assert_eq!(written.count, expected, "the previous complete set");
    drop(store);
    s.close().await;
    drop(driver);

    // After a restart the failure and its Resume are still there (from the store).
    h.fakes.clear_faults();
    let (_driver, s) = launch_on(&h, &scale).await;
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the previous set at start");
    s.wait_text("[data-testid=load-error-hubspot]", WAIT, |t| {
        t.starts_with("Reload failed: ")
    })
    .await
    .expect("the stopped reload, as the store recorded it");
    let resume = s.find("[data-testid=resume-hubspot]", WAIT).await.unwrap();
    s.click(&resume).await.unwrap();
    s.wait_text("[data-testid=summary-hubspot]", WAIT, |t| {
        t == format!("{} items · loaded just now", fmt_count(expected))
    })
    .await
    .expect("Resume completes the reload");
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("every row once: no duplicates");
    let stopped = s.text_of("[data-testid=load-error-hubspot]").await.unwrap();
    let hidden = s
        .execute(
            "return document.querySelector('[data-testid=load-error-hubspot]').hidden",
            serde_json::json!([]),
        )
        .await
        .unwrap();
    assert_eq!(hidden, true, "no failure left on the card: {stopped:?}");
    s.close().await;
}

/// A damaged items.db is moved aside, the app starts on an empty store and the
/// status bar says what happened.
#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_damaged_item_store_is_moved_aside_and_reported() {
    let config = tempfile::tempdir().unwrap();
    let data = config.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let garbage = b"this is not a SQLite database, it was damaged".repeat(100);
    std::fs::write(data.join("items.db"), &garbage).unwrap();
    let (_driver, s) = launch(config.path(), &[], &["REDIS_URL"]).await;

    let problem = s
        .wait_text("[data-testid=store-problem]", WAIT, |t| !t.is_empty())
        .await
        .expect("the status bar reports the store");
    assert!(
        problem.contains("The item store was damaged and started empty"),
        "{problem}"
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("items.db.corrupt-"))
        })
        .collect();
    assert_eq!(aside.len(), 1, "one copy moved aside: {aside:?}");
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        garbage,
        "moved, not changed"
    );
    assert!(
        problem.contains(&aside[0].display().to_string()),
        "the status bar names where the old file went: {problem}"
    );
    let fresh = std::fs::read(data.join("items.db")).unwrap();
    assert!(
        fresh.starts_with(b"SQLite format 3\0"),
        "a new, empty store"
    );
    // The app works on: the empty table says what to do next.
    let empty = s
        .wait_text("[data-testid=empty-state]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert!(empty.contains("Settings"), "{empty}");
    // Once the window has its first answers, and they are painted (Xvfb paints late).
    s.find("body[data-ready=true]", WAIT).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    s.screenshot(&artifacts().join("e2e-store-problem.png"))
        .await
        .unwrap();
    s.close().await;
}

/// The app window's X id, found by the pid that holds the single-instance name.
fn app_window() -> String {
    let pid = webdriver::bus_name_pid(webdriver::SINGLE_INSTANCE_NAME)
        .expect("the app owns the single-instance name (run under dbus-run-session)");
    let out = std::process::Command::new("xdotool")
        // Only the shown one: GTK's client-leader window has the same name.
        .args([
            "search",
            "--onlyvisible",
            "--pid",
            &pid.to_string(),
            "--name",
            "^Junction$",
        ])
        .output()
        .expect("xdotool (scripts/setup.sh --test installs it)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no window named Junction for pid {pid}"))
        .to_string()
}

fn xdotool(args: &[&str]) {
    let status = std::process::Command::new("xdotool")
        .args(args)
        .status()
        .expect("xdotool");
    assert!(status.success(), "xdotool {args:?}");
}

async fn visibility(s: &Session) -> String {
    s.execute("return document.visibilityState", serde_json::json!([]))
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The house issue's table bug: a load that settles while the window is hidden (no
/// frame painted, so the idle work after the last batch ran unseen) must show every
/// row once the window is back, and the last row must be reachable by scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_load_finished_while_hidden_shows_every_row() {
    let mut config = hubspot_only(1_000, 150, 100);
    config.rate_limit_scale = 20.0;
    let h = Harness::start(config).await;
    let expected = h.fakes.summary().hubspot_items();
    let all = all_of(expected);
    let (_driver, s) = launch_on(&h, &[("JUNCTION_RATE_LIMIT_SCALE", "20".to_string())]).await;
    connect_in_window(
        &s,
        ProviderId::Hubspot,
        &h.fakes.config().hubspot_hub_domain,
    )
    .await;

    let window = app_window();
    let load = s.find("[data-testid=load-hubspot]", WAIT).await.unwrap();
    s.click(&load).await.unwrap();
    xdotool(&["windowunmap", "--sync", &window]);
    // The page knows it is not shown (else this test would not test the bug).
    let mut state = String::new();
    for _ in 0..50 {
        state = visibility(&s).await;
        if state == "hidden" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "hidden", "the unmapped window's page is hidden");
    // The load settles unseen: the card's text is read from the DOM, not the screen.
    let loaded = format!("{} items · loaded just now", fmt_count(expected));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let summary = s
            .execute(
                "return document.querySelector('[data-testid=summary-hubspot]').textContent.trim()",
                serde_json::json!([]),
            )
            .await
            .unwrap();
        if summary.as_str() == Some(loaded.as_str()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hidden load never finished: {summary}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Past the idle work that runs after the last batch.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        visibility(&s).await,
        "hidden",
        "still hidden when the load ended"
    );

    xdotool(&["windowmap", "--sync", &window]);
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("every row counted once the window is back");
    // Scrolled to the end, the last row is there (aria-rowindex counts the header).
    let last = expected + 1;
    let deadline = std::time::Instant::now() + WAIT;
    let mut shown = serde_json::Value::Null;
    while std::time::Instant::now() < deadline {
        shown = s
            .execute(
                "const el = document.querySelector('.table-scroll');
                 el.scrollTop = el.scrollHeight;
                 return Math.max(0, ...[...document.querySelectorAll('[data-testid=row]:not([hidden])')]
                   .map((r) => Number(r.getAttribute('aria-rowindex'))));",
                serde_json::json!([]),
            )
            .await
            .unwrap();
        if shown.as_u64() == Some(last as u64) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        shown.as_u64(),
        Some(last as u64),
        "the last of {expected} rows can be scrolled to"
    );
    s.close().await;
}
