//! The IPC contract, in one place: every command and event the window may use, as
//! tauri-specta collects them from their Rust signatures and types. The same list
//! registers the handlers and generates `ui/src/backend/bindings.ts`, so the contract
//! is written once. A test (`bindings_are_current`) fails when the committed bindings
//! fall behind; `make bindings` writes them again.

use std::path::Path;

use specta_typescript::Typescript;
use tauri::Runtime;
use tauri_specta::{collect_commands, collect_events, Builder};

use crate::{commands, events, items};

/// Where the generated bindings live, from the repository root.
pub const BINDINGS: &str = "ui/src/backend/bindings.ts";

/// The commands, listed once. Those generic over the runtime are listed apart:
/// tauri-specta describes them for the real runtime, while the handler takes them for
/// any (the tests run on the mock one).
macro_rules! contract {
    (
        plain: [$($pm:ident :: $pf:ident),* $(,)?],
        generic: [$($gm:ident :: $gf:ident),* $(,)?] $(,)?
    ) => {
        /// The invoke handler of every command, for runtime `R`.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($pm::$pf,)* $($gm::$gf,)*]
        }

        /// The contract as tauri-specta describes it (for the bindings).
        fn described() -> Builder<tauri::Wry> {
            Builder::<tauri::Wry>::new()
                .commands(collect_commands![$($pm::$pf,)* $($gm::$gf::<tauri::Wry>,)*])
                .events(collect_events![events::ConnectionChanged, events::StatusChanged])
                .typ::<junction_core::ErrorCode>()
        }
    };
}

contract! {
    plain: [
        commands::app_status,
        commands::list_providers,
        commands::get_settings,
        commands::set_client_secret,
        items::cancel_load,
        items::query_items,
        items::get_item,
    ],
    generic: [
        commands::retry_cache,
        commands::connect,
        commands::cancel_connect,
        commands::use_browser_instead,
        commands::disconnect,
        commands::forget_everything,
        commands::save_settings,
        commands::open_url,
        items::load_items,
        items::resume_load,
        items::export_items,
    ],
}

/// The typed events, registered on an app of runtime `R` (emitting needs them).
pub fn events<R: Runtime>() -> Builder<R> {
    Builder::<R>::new().events(collect_events![
        events::ConnectionChanged,
        events::StatusChanged
    ])
}

/// The generated TypeScript for the contract.
pub fn typescript() -> Typescript {
    Typescript::default().header("// Generated from the Rust types by tauri-specta (src-tauri/src/contract.rs).\n// Do not edit: run `make bindings`.\n")
}

/// Writes the bindings to `path`.
pub fn export(path: &Path) -> Result<(), String> {
    described()
        .export(typescript(), path)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed bindings are what the Rust types say today. With
    /// `JUNCTION_WRITE_BINDINGS=1` (what `make bindings` sets) it writes them instead.
    #[test]
    fn bindings_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let committed = root.join(BINDINGS);
        if std::env::var_os("JUNCTION_WRITE_BINDINGS").is_some() {
            export(&committed).unwrap();
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("bindings.ts");
        export(&fresh).unwrap();
        let want = std::fs::read_to_string(&fresh).unwrap();
        let have = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date with the Rust types: run `make bindings` and commit it",
            BINDINGS
        );
    }
}
