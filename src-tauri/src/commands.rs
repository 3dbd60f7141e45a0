//! IPC commands of connections, settings and the app: each a few lines that call
//! junction-core and map its error. The table's commands are in items.rs. Nothing here
//! returns a token or a secret (see docs/ipc.md).

use junction_core::config::{SignInMode, PENDING_FLOW_TTL};
use junction_core::views::{AppStatus, ProviderView};
use junction_core::views::{SettingsInput, SettingsView};
use junction_core::ProviderId;
use tauri::{AppHandle, Runtime, State};

use junction_core::ErrorCode;

use crate::error::{IpcError, IpcResult};
use crate::events;
use crate::popup;
use crate::state::{AppState, PendingSignIn};

#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    Ok(state.session().await.status().await)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_cache<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<AppStatus> {
    let status = state.session().await.retry_cache().await;
    events::status_changed(&app, status.clone());
    Ok(status)
}

#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: State<'_, AppState>) -> IpcResult<Vec<ProviderView>> {
    let mut views = state.session().await.providers().await;
    if let Some(p) = state.pending().as_ref() {
        for view in views.iter_mut().filter(|v| v.id == p.provider) {
            view.state = junction_core::views::ConnectionState::Connecting;
        }
    }
    Ok(views)
}

/// Signs in: popup (default) or system browser; resolves when connected.
#[tauri::command]
#[specta::specta]
pub async fn connect<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> IpcResult<ProviderView> {
    if let Some((previous, previous_id)) = state.cancel_pending() {
        popup::close(&app, previous, previous_id);
    }
    let session = state.session().await;
    let pending = session.start_connect(provider, PENDING_FLOW_TTL).await?;
    let id = state.next_sign_in_id();
    *state.pending() = Some(PendingSignIn {
        id,
        provider,
        cancel: pending.canceller(),
        auth_url: pending.auth_url.clone(),
        closing_on_purpose: false,
    });
    let mut connecting = session.provider_view(provider).await;
    connecting.state = junction_core::views::ConnectionState::Connecting;
    events::connection_changed(&app, connecting);

    let opened = match session.config().sign_in_mode {
        SignInMode::Popup => {
            popup::open(&app, provider, id, &pending.auth_url, pending.canceller())
        }
        SignInMode::Browser => open_in_browser(&app, pending.auth_url.as_str()),
    };
    if let Err(e) = opened {
        pending.canceller().cancel();
        let _ = pending.finish().await;
        let mut slot = state.pending();
        if slot.as_ref().is_some_and(|p| p.id == id) {
            slot.take();
        }
        return Err(e);
    }

    let result = pending.finish().await;
    {
        let mut slot = state.pending();
        // Only our own entry: a newer sign-in may have replaced it meanwhile.
        if slot.as_ref().is_some_and(|p| p.id == id) {
            slot.take();
        }
    }
    popup::close(&app, provider, id);
    let mut view = session.provider_view(provider).await;
    if let Err(e) = &result {
        view.last_error = Some(e.to_string());
    }
    events::connection_changed(&app, view.clone());
    result.map(|_| view).map_err(IpcError::from)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_connect<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> IpcResult<()> {
    let is_this = state
        .pending()
        .as_ref()
        .is_some_and(|p| p.provider == provider);
    if is_this {
        if let Some((_, id)) = state.cancel_pending() {
            popup::close(&app, provider, id);
        }
    }
    Ok(())
}

/// Closes the popup and continues the same sign-in in the system browser (some
/// identity providers refuse embedded webviews).
#[tauri::command]
#[specta::specta]
pub async fn use_browser_instead<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> IpcResult<()> {
    let (url, id) = {
        let mut slot = state.pending();
        let Some(p) = slot.as_mut().filter(|p| p.provider == provider) else {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                format!("no {} sign-in is in progress", provider.display_name()),
            ));
        };
        p.closing_on_purpose = true;
        (p.auth_url.clone(), p.id)
    };
    popup::close(&app, provider, id);
    open_in_browser(&app, url.as_str())
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> IpcResult<ProviderView> {
    let session = state.session().await;
    // Stop its load first (and wait for it), so no batch lands behind the disconnect.
    state.loads.stop(provider).await;
    let disconnected = session.disconnect(provider).await;
    // The popup's cookies would sign the provider straight back in: forget them too.
    popup::wipe_data(&app);
    disconnected?;
    let view = session.provider_view(provider).await;
    events::connection_changed(&app, view.clone());
    Ok(view)
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<SettingsView> {
    Ok(state.session().await.settings().await)
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsInput,
) -> IpcResult<SettingsView> {
    state.session().await.save_settings(settings).await?;
    let session = state.reload().await?;
    // The cache may have changed (a Redis URL set or cleared): the status bar follows.
    events::status_changed(&app, session.status().await);
    Ok(session.settings().await)
}

/// Write-only: the secret goes to the secret store and never comes back.
#[tauri::command]
#[specta::specta]
pub async fn set_client_secret(
    state: State<'_, AppState>,
    provider: ProviderId,
    secret: String,
) -> IpcResult<()> {
    Ok(state
        .session()
        .await
        .apps()
        .set_client_secret(provider, &secret)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn forget_everything<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> IpcResult<()> {
    state.cancel_pending();
    for provider in ProviderId::ALL {
        state.loads.stop(provider).await;
    }
    let forgotten = state.session().await.forget_everything().await;
    popup::wipe_data(&app);
    forgotten?;
    state.reload().await?;
    Ok(())
}

/// Opens an http(s) URL in the system browser: never inside the app.
#[tauri::command]
#[specta::specta]
pub async fn open_url<R: Runtime>(app: AppHandle<R>, url: String) -> IpcResult<()> {
    let parsed = url::Url::parse(&url)
        .map_err(|_| IpcError::new(ErrorCode::InvalidInput, format!("`{url}` is not a URL")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!(
                "only http and https links open in the browser, not `{}`",
                parsed.scheme()
            ),
        ));
    }
    open_in_browser(&app, parsed.as_str())
}

fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: &str) -> IpcResult<()> {
    #[cfg(feature = "e2e")]
    if let Some(logged) = crate::e2e_hooks::log_opened_url(url) {
        return logged;
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("could not open the browser: {e}"),
        )
    })
}
