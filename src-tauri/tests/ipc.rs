//! The shell's commands through Tauri's IPC on the mock runtime (no display): what
//! they return, that errors are `{code, message}`, that no result carries a secret,
//! and that only the main window may call them.

use junction_app::{builder, AppState};
use junction_core::config::Config;
use junction_core::store::{SecretName, Secrets};
use junction_core::{ProviderId, Session};
use secrecy::SecretString;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

const CLIENT_SECRET: &str = "cs-very-secret-123";
const REFRESH_TOKEN: &str = "rt-very-secret-456";

/// A session on a fresh config dir; keep the dir alive for the test (it is removed on drop).
fn session(env: Vec<(&'static str, String)>) -> (Session, tempfile::TempDir) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    let lookup = move |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
    let config = Config::resolve(dir, Default::default(), &lookup).unwrap();
    tauri::async_runtime::block_on(async {
        let secrets = Secrets::memory();
        secrets
            .set(
                &SecretName::refresh_token(&config.org_id, &config.user_id, ProviderId::Notion),
                &SecretString::from(REFRESH_TOKEN),
            )
            .await
            .unwrap();
        (Session::with_secrets(config, secrets).await, temp)
    })
}

fn app(session: Session) -> App<MockRuntime> {
    builder(mock_builder(), AppState::new(session))
        .build(tauri::generate_context!(test = true))
        .expect("the app builds on the mock runtime")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .unwrap()
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|b| b.deserialize::<Value>().unwrap())
}

fn configured() -> Vec<(&'static str, String)> {
    vec![
        ("JUNCTION_HUBSPOT_CLIENT_ID", "hub-client".into()),
        ("JUNCTION_HUBSPOT_CLIENT_SECRET", CLIENT_SECRET.into()),
        ("JUNCTION_NOTION_CLIENT_ID", "notion-client".into()),
    ]
}

#[test]
fn providers_say_what_to_configure() {
    let (session, _config_dir) = session(configured());
    let app = app(session);
    let main = window(&app, "main");
    let providers = invoke(&main, "list_providers", Value::Null).unwrap();
    let list = providers.as_array().unwrap();
    let ids: Vec<_> = list.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hubspot", "airtable", "notion"]);
    assert_eq!(list[0]["state"], "not_connected");
    assert_eq!(list[1]["state"], "not_configured");
    assert!(list[1]["hint"]
        .as_str()
        .unwrap()
        .contains("Airtable client ID"));
    // Notion needs its secret too.
    assert_eq!(list[2]["state"], "not_configured");
    assert!(list[2]["hint"].as_str().unwrap().contains("client secret"));
}

#[test]
fn status_names_the_embedded_cache() {
    let (session, _config_dir) = session(vec![]);
    let app = app(session);
    let main = window(&app, "main");
    let status = invoke(&main, "app_status", Value::Null).unwrap();
    assert_eq!(status["cache"]["label"], "Cache: embedded");
    assert_eq!(status["cache"]["ok"], true);
    assert_eq!(status["secrets"]["backend"], "memory");
}

#[test]
fn errors_cross_ipc_as_code_and_message() {
    let (session, _config_dir) = session(vec![]);
    let app = app(session);
    let main = window(&app, "main");
    let err = invoke(
        &main,
        "open_url",
        serde_json::json!({"url": "file:///etc/passwd"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert!(err["message"].as_str().unwrap().contains("file"));
}

#[test]
fn no_command_result_contains_a_token_or_secret() {
    let (session, _config_dir) = session(configured());
    let app = app(session);
    let main = window(&app, "main");
    // A secret saved through the write-only command must not come back either.
    invoke(
        &main,
        "set_client_secret",
        serde_json::json!({"provider": "notion", "secret": "saved-notion-secret-789"}),
    )
    .unwrap();
    let settings = invoke(&main, "get_settings", Value::Null).unwrap();
    assert_eq!(settings["providers"][2]["client_secret_set"], true);
    assert_eq!(settings["providers"][0]["client_secret_set"], true);
    for cmd in [
        "app_status",
        "list_providers",
        "retry_cache",
        "get_settings",
    ] {
        let reply = invoke(&main, cmd, Value::Null).unwrap();
        let text = reply.to_string();
        for secret in [CLIENT_SECRET, REFRESH_TOKEN, "saved-notion-secret-789"] {
            assert!(!text.contains(secret), "{cmd} leaked a secret: {text}");
        }
    }
}

#[test]
fn only_the_main_window_may_call_commands() {
    let (session, _config_dir) = session(configured());
    let app = app(session);
    let main = window(&app, "main");
    let popup = window(&app, "oauth-hubspot-0");
    assert!(invoke(&main, "list_providers", Value::Null).is_ok());
    for cmd in ["list_providers", "app_status", "open_url"] {
        let denied = invoke(&popup, cmd, Value::Null);
        assert!(denied.is_err(), "the OAuth popup could call {cmd}");
    }
}

#[test]
fn capability_files_grant_the_main_window_only() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let cap: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        files += 1;
        assert_eq!(
            cap["windows"],
            serde_json::json!(["main"]),
            "{}",
            path.display()
        );
        assert!(cap.get("webviews").is_none(), "{}", path.display());
        assert!(
            cap.get("remote").is_none(),
            "no remote URL gets IPC: {}",
            path.display()
        );
    }
    assert!(files >= 1);
}

/// Issue 13: the page never decides where a file is written. A `path` the page sends
/// is ignored; the file goes where the save dialog answers (in this build, the e2e
/// stand-in JUNCTION_TEST_SAVE_PATH). Against the old command, which wrote to the
/// page's `path`, the planted file would exist.
#[cfg(feature = "e2e")]
#[test]
fn export_writes_where_the_save_dialog_answers_never_where_the_page_says() {
    let (session, _config_dir) = session(vec![]);
    let app = app(session);
    let main = window(&app, "main");
    let dir = tempfile::tempdir().unwrap();
    let planted = dir.path().join("authorized_keys");
    let chosen = dir.path().join("chosen.csv");
    let args = serde_json::json!({"path": planted, "format": "csv", "query": null, "csvRawFormulas": false});

    // No other test reads this variable, so setting it here races with nothing.
    std::env::set_var("JUNCTION_TEST_SAVE_PATH", &chosen);
    let exported = invoke(&main, "export_items", args.clone());
    // An empty answer is a cancelled dialog: a result, not an error.
    std::env::set_var("JUNCTION_TEST_SAVE_PATH", "");
    let cancelled = invoke(&main, "export_items", args);
    std::env::remove_var("JUNCTION_TEST_SAVE_PATH");

    assert!(!planted.exists(), "the page's path was written to");
    let exported = exported.expect("the export succeeds");
    assert_eq!(exported["outcome"], "exported");
    assert_eq!(exported["path"], chosen.display().to_string());
    assert_eq!(exported["count"], 0);
    let csv = std::fs::read_to_string(&chosen).expect("the chosen file is written");
    assert!(csv.starts_with("id,"), "a CSV header: {csv:?}");
    assert_eq!(cancelled, Ok(serde_json::json!({"outcome": "cancelled"})));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The webview has no file dialog of its own any more (no `dialog:allow-save`), so
/// it cannot obtain a path to hand to anything.
#[test]
fn the_window_cannot_open_a_file_dialog() {
    let (session, _config_dir) = session(vec![]);
    let app = app(session);
    let main = window(&app, "main");
    for cmd in ["plugin:dialog|save", "plugin:dialog|open"] {
        let denied = invoke(&main, cmd, serde_json::json!({"options": {}}));
        assert!(denied.is_err(), "the main window could call {cmd}");
    }
}

/// The capability grants exactly the commands of the contract (each of which got its
/// `allow-` permission from build.rs): none is missing, none is extra.
#[test]
fn the_capability_grants_every_command_of_the_contract() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut generated: Vec<String> = std::fs::read_dir(root.join("permissions/autogenerated"))
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            format!("allow-{}", name.trim_end_matches(".toml").replace('_', "-"))
        })
        .collect();
    generated.sort();
    let cap: Value = serde_json::from_slice(
        &std::fs::read(root.join("src-tauri/capabilities/main.json")).unwrap(),
    )
    .unwrap();
    let mut granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| p.starts_with("allow-"))
        .map(str::to_string)
        .collect();
    granted.sort();
    assert_eq!(granted, generated);
}

/// The table reads the store through `query_items` and `get_item`; the cards say what
/// the store holds.
#[test]
fn the_table_is_a_query_of_the_store() {
    use junction_core::IntegrationItem;
    let (session, _config_dir) = session(vec![]);
    let store = session.items().clone();
    let set = store.begin(ProviderId::Hubspot, "", false).unwrap();
    let items: Vec<IntegrationItem> = ["Ada", "Grace", "Alan"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", i.to_string());
            item.name = Some(name.to_string());
            item
        })
        .collect();
    store.write_batch(&set, &items).unwrap();
    store.complete(set).unwrap();

    let app = app(session);
    let main = window(&app, "main");
    let query = serde_json::json!({"providers": [], "types": [], "search": "a",
        "sort": {"column": "name", "dir": "desc"}});
    let result = invoke(
        &main,
        "query_items",
        serde_json::json!({"query": query, "offset": 0, "limit": 2}),
    )
    .unwrap();
    assert_eq!(result["total"], 3);
    let names: Vec<&str> = result["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Grace", "Alan"]);
    assert_eq!(result["counts"]["providers"]["hubspot"], 3);
    let key = result["rows"][0]["key"].clone();
    let item = invoke(&main, "get_item", serde_json::json!({"key": key})).unwrap();
    assert_eq!(item["name"], "Grace");
    assert_eq!(item["provider"], "hubspot");

    let providers = invoke(&main, "list_providers", Value::Null).unwrap();
    assert_eq!(providers[0]["stored"]["count"], 3);
    assert_eq!(providers[0]["load"]["running"], false);
    let status = invoke(&main, "app_status", Value::Null).unwrap();
    assert!(status["store"]["path"]
        .as_str()
        .unwrap()
        .ends_with("items.db"));
    assert!(status["store"]["size_bytes"].as_u64().unwrap() > 0);
}
