//! End-to-end: the real built app under Xvfb, driven through tauri-driver +
//! WebKitWebDriver. `make test` runs these with `--ignored` after starting Xvfb;
//! they need a display, so a plain `cargo test` skips them.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

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
    let session = Session::new(&driver, &app()).await.expect("webdriver session");
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
        assert!(label.contains("Connect"), "{provider} button says {label:?}");
        // No client id is configured in this fresh config dir.
        assert!(
            s.attribute(&button, "disabled").await.unwrap().is_some(),
            "Connect {provider} should be disabled until configured"
        );
        let status = s
            .wait_text(&format!("[data-testid=status-{provider}]"), WAIT, |t| !t.is_empty())
            .await
            .unwrap();
        assert!(status.contains("Not configured"), "{provider} status {status:?}");
    }

    let cache = s
        .wait_text("[data-testid=cache-status]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert_eq!(cache, "Cache: embedded");

    let export = s.find("[data-testid=export-button]", WAIT).await.unwrap();
    assert!(s.attribute(&export, "disabled").await.unwrap().is_some(), "Export disabled with no items");
    s.find("[data-testid=items-table]", WAIT).await.unwrap();
    let empty = s.wait_text("[data-testid=empty-state]", WAIT, |t| !t.is_empty()).await.unwrap();
    assert!(empty.contains("Connect"), "empty state says what to do: {empty:?}");

    let title = s.execute("return document.title", serde_json::json!([])).await.unwrap();
    assert_eq!(title, "Junction");

    let shot = artifacts().join("e2e-window.png");
    s.screenshot(&shot).await.unwrap();
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a real screenshot");
    s.close().await;
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by `make test`"]
async fn a_redis_that_does_not_answer_is_an_error_with_retry() {
    let config = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("redis://:sekret-pw@127.0.0.1:{port}/0");
    let (_driver, s) = launch(config.path(), &[("REDIS_URL", url)], &[]).await;

    let cache = s
        .wait_text("[data-testid=cache-status]", WAIT, |t| !t.is_empty())
        .await
        .unwrap();
    assert_eq!(cache, format!("Cache: Redis at 127.0.0.1:{port}"));
    s.find("[data-testid=retry-cache]", WAIT).await.expect("a Retry button");
    let page = s
        .execute("return document.body.innerText", serde_json::json!([]))
        .await
        .unwrap();
    assert!(!page.as_str().unwrap().contains("sekret-pw"), "the password is never shown");
    s.close().await;
}
