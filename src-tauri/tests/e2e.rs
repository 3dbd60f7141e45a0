//! End-to-end: the real built app under Xvfb, driven through tauri-driver +
//! WebKitWebDriver. `make test` runs these with `--ignored` after starting Xvfb;
//! they need a display, so a plain `cargo test` skips them.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use junction_core::ProviderId;
use junction_fakes::{FakeConfig, Harness};
use support::webdriver::{Driver, Session};

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
    let mut config = FakeConfig::default();
    config.data.contacts = 180;
    config.data.companies = 40;
    config.data.deals = 30;
    config.data.edge_cases = false;
    let h = Harness::start(config).await;
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
    let all = format!("{} of {} items", fmt_count(expected), fmt_count(expected));
    s.wait_text("[data-testid=item-count]", WAIT, |t| t == all)
        .await
        .expect("the table shows every loaded row");

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
    let count = s
        .wait_text("[data-testid=item-count]", WAIT, |t| {
            t != all && t.ends_with("items")
        })
        .await
        .unwrap();
    let shown: usize = count
        .split(" of ")
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(shown >= 1 && shown < expected, "{count}");

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
    // Let the dialog's closing fade finish, so the screenshot shows the table.
    tokio::time::sleep(Duration::from_millis(600)).await;
    s.screenshot(&artifacts().join("e2e-loaded.png"))
        .await
        .unwrap();
    s.close().await;
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

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_second_launch_hands_over_to_the_first_and_exits() {
    let config = tempfile::tempdir().unwrap();
    let (_driver, s) = launch(config.path(), &[], &["REDIS_URL"]).await;
    s.find("[data-testid=connect-hubspot]", WAIT)
        .await
        .expect("the first instance is up");
    let started = std::time::Instant::now();
    let mut second = std::process::Command::new(app())
        .env("JUNCTION_CONFIG_DIR", config.path())
        .env("JUNCTION_SECRET_STORE", "file")
        .env_remove("REDIS_URL")
        .spawn()
        .unwrap();
    let mut exited = None;
    while started.elapsed() < Duration::from_secs(20) {
        if let Some(status) = second.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Reap it in every case (a no-op when it already exited).
    let _ = second.kill();
    let _ = second.wait();
    assert!(
        exited.is_some(),
        "the second instance should exit and focus the first"
    );
    // The first one is still there.
    s.find("[data-testid=connect-hubspot]", WAIT)
        .await
        .expect("the first instance still runs");
    s.close().await;
}
