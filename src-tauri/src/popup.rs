//! The in-app sign-in popup: a separate window on the provider's page, with its own
//! data directory (no cookies shared with anything else) and no IPC capability
//! (capabilities name only the main window). It closes itself when the flow ends;
//! closing it by hand cancels the flow.

use junction_core::ProviderId;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio_util::sync::CancellationToken;
use url::Url;

use junction_core::ErrorCode;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Unique per sign-in, so a new popup never collides with one still closing.
pub fn label(provider: ProviderId, id: u64) -> String {
    format!("oauth-{provider}-{id}")
}

pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    provider: ProviderId,
    id: u64,
    url: &Url,
    cancel: CancellationToken,
) -> IpcResult<()> {
    let data_dir = app
        .path()
        .app_cache_dir()
        .map(|d| d.join("oauth-popup"))
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    let window =
        WebviewWindowBuilder::new(app, label(provider, id), WebviewUrl::External(url.clone()))
            .title(format!("Sign in to {}", provider.display_name()))
            .inner_size(560.0, 720.0)
            .center()
            .data_directory(data_dir)
            .build()
            .map_err(|e| {
                IpcError::new(
                    ErrorCode::Internal,
                    format!("could not open the sign-in window: {e}"),
                )
            })?;
    let handle = app.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Destroyed = event {
            let state = handle.state::<AppState>();
            let mut slot = state.pending();
            let by_user = slot
                .as_ref()
                .is_some_and(|p| p.id == id && !p.closing_on_purpose);
            if by_user {
                cancel.cancel();
                slot.take();
            }
        }
    });
    Ok(())
}

pub fn close<R: Runtime>(app: &AppHandle<R>, provider: ProviderId, id: u64) {
    if let Some(window) = app.get_webview_window(&label(provider, id)) {
        let _ = window.destroy();
    }
}
