//! The Junction desktop shell: a Tauri window over junction-core. It only adapts —
//! opening the session, registering commands and plugins, and logging.

mod commands;
pub mod contract;
#[cfg(feature = "e2e")]
mod e2e_hooks;
mod error;
mod events;
mod items;
mod popup;
mod save_dialog;
mod state;

pub use error::IpcError;
pub use state::AppState;

use junction_core::config::Config;
use junction_core::Session;
use tauri::{Manager, Runtime};

/// Registers plugins, commands and events. Generic over the runtime so tests build
/// the same app on `tauri::test`'s mock runtime.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    let events = contract::events::<R>();
    // Mounted from a plugin's setup: that runs when the app is built, where
    // `Builder::setup` would wait for the event loop (which the mock runtime's tests
    // never start), and an event emitted before mounting panics in tauri-specta.
    let mount_events = tauri::plugin::Builder::<R>::new("junction-events")
        .setup(move |app, _api| {
            events.mount_events(app);
            Ok(())
        })
        .build();
    builder
        .plugin(mount_events)
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(contract::handler())
}

/// Starts the app.
pub fn run() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("cannot start the async runtime");
    tauri::async_runtime::set(runtime.handle().clone());

    let (config, config_error) = match Config::load() {
        Ok(config) => (config, None),
        Err(e) => {
            // Start anyway on defaults so the window can say what is wrong.
            let dir = junction_core::config::default_config_dir()
                .unwrap_or_else(|_| std::env::temp_dir().join("junction"));
            let fallback = Config::resolve(dir, Default::default(), &|_: &str| None)
                .expect("the defaults are valid");
            (fallback, Some(e))
        }
    };
    let log_guard = junction_core::logs::init_app(&config.log_dir());
    junction_core::logs::log_panics();
    if let Some(e) = &config_error {
        tracing::error!(error = %e, "configuration error; running on defaults");
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Junction starting");

    let session = runtime.block_on(Session::open(config));

    // Single instance first: a second launch focuses the first window and exits.
    let app =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }));
    let app = match builder(app, AppState::new(session)).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            // Never a panic: say why, in the log and on stderr, and exit.
            let why = start_failure(&e);
            tracing::error!(error = %e, "{why}");
            eprintln!("junction: {why}");
            drop(log_guard);
            std::process::exit(1);
        }
    };
    app.run(|_, _| {});
    drop(log_guard);
}

/// What to tell the user when the app could not be built.
fn start_failure(e: &tauri::Error) -> String {
    match e {
        // Another Junction holds the single-instance name but did not take the
        // hand-over (it is closing, or hangs): this one must not open a second window.
        tauri::Error::PluginInitialization(plugin, detail) if plugin == "single-instance" => {
            format!(
                "another Junction is running but did not answer ({detail}); \
                 if it is closing, start Junction again in a moment"
            )
        }
        other => format!("Junction could not start: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::start_failure;

    #[test]
    fn a_failed_hand_over_is_a_message_not_a_panic() {
        let e = tauri::Error::PluginInitialization(
            "single-instance".into(),
            "failed to forward arguments to the running instance: NoReply".into(),
        );
        let why = start_failure(&e);
        assert!(why.starts_with("another Junction is running"), "{why}");
        assert!(why.contains("NoReply"), "{why}");
        let other = tauri::Error::PluginInitialization("dialog".into(), "broken".into());
        assert!(start_failure(&other).starts_with("Junction could not start"));
    }
}
