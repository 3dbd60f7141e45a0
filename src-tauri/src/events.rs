//! App-wide events (typed: their names and payloads are part of the generated IPC
//! contract). Loads report over their own `Channel` instead.

use junction_core::views::{AppStatus, ProviderView};
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;

/// A provider's card changed (connected, disconnected, a load ended): `connection-changed`.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct ConnectionChanged(pub ProviderView);

/// The status bar's facts changed (the cache was retried, settings saved): `status-changed`.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct StatusChanged(pub AppStatus);

/// Sends `view` to the window. A closed window is nobody to tell, not an error.
pub fn connection_changed<R: Runtime>(app: &AppHandle<R>, view: ProviderView) {
    let _ = ConnectionChanged(view).emit(app);
}

pub fn status_changed<R: Runtime>(app: &AppHandle<R>, status: AppStatus) {
    let _ = StatusChanged(status).emit(app);
}
