//! What the table and its loads ask: load, resume and cancel (progress over a
//! `Channel`), a window of rows, one whole item, and an export of a query. The rows
//! live in the item store; nothing here holds a copy of them.

use junction_core::export::{export_query, ExportFormat, ExportOptions};
use junction_core::fs::blocking;
use junction_core::store::items::{ItemKey, ItemQuery, QueryResult};
use junction_core::views::LoadUpdate;
use junction_core::{IntegrationItem, ProviderId, Session};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State, WebviewWindow};

use crate::error::IpcResult;
use crate::events;
use crate::save_dialog;
use crate::state::AppState;

/// Rows one window may ask for: a screen is a few dozen, a scroll-ahead a few hundred.
const MOST_ROWS: u64 = 2_000;

/// Loads every item of `providers` (concurrently) into the store, reporting over
/// `on_event`; resolves when each has ended.
#[tauri::command]
#[specta::specta]
pub async fn load_items<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    providers: Vec<ProviderId>,
    on_event: Channel<LoadUpdate>,
) -> IpcResult<()> {
    let session = state.session().await;
    let runs = providers
        .iter()
        .map(|&p| run(&state, &session, p, false, &on_event));
    futures_util::future::join_all(runs).await;
    announce(&app, &session, &providers).await;
    Ok(())
}

/// Continues `provider`'s stopped load from where it stopped (its store resume point).
#[tauri::command]
#[specta::specta]
pub async fn resume_load<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    provider: ProviderId,
    on_event: Channel<LoadUpdate>,
) -> IpcResult<()> {
    let session = state.session().await;
    run(&state, &session, provider, true, &on_event).await;
    announce(&app, &session, &[provider]).await;
    Ok(())
}

async fn run(
    state: &AppState,
    session: &Session,
    provider: ProviderId,
    resume: bool,
    channel: &Channel<LoadUpdate>,
) {
    let channel = channel.clone();
    state
        .loads
        .run(session, provider, resume, move |update| {
            let _ = channel.send(update);
        })
        .await;
}

/// Re-sends the cards of `providers`: what they hold changed, and a load may have
/// found that one needs a reconnect.
async fn announce<R: Runtime>(app: &AppHandle<R>, session: &Session, providers: &[ProviderId]) {
    for &p in providers {
        events::connection_changed(app, session.provider_view(p).await);
    }
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_load(state: State<'_, AppState>, provider: ProviderId) -> IpcResult<()> {
    state.loads.cancel(provider);
    Ok(())
}

/// One window of the rows `query` selects (at most 2,000), with the total and the
/// filter chips' counts.
#[tauri::command]
#[specta::specta]
pub async fn query_items(
    state: State<'_, AppState>,
    query: ItemQuery,
    offset: u32,
    limit: u32,
) -> IpcResult<QueryResult> {
    let store = state.session().await.items().clone();
    let limit = u64::from(limit).min(MOST_ROWS);
    Ok(blocking(move || store.query(&query, u64::from(offset), limit)).await?)
}

/// The whole item for the details pane; `None` when it is no longer loaded.
#[tauri::command]
#[specta::specta]
pub async fn get_item(
    state: State<'_, AppState>,
    key: ItemKey,
) -> IpcResult<Option<IntegrationItem>> {
    let store = state.session().await.items().clone();
    Ok(blocking(move || store.get_item(&key)).await?)
}

/// What an export ended with. A cancelled save dialog is an answer, not an error.
#[derive(Debug, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ExportOutcome {
    Exported {
        path: String,
        #[specta(type = u32)]
        count: u64,
    },
    Cancelled,
}

/// Asks where to write in the native save dialog, then writes what `query` selects
/// (the table's view, in its order), or every item when there is no query. The page
/// sends no path: only the user picks where a file goes (see save_dialog.rs).
/// `csv_raw_formulas` (the export dialog's checkbox) writes CSV cells that begin with
/// `=`, `+`, `-`, `@`, a tab or a carriage return as they are instead of with a
/// leading `'`; other formats ignore it.
#[tauri::command]
#[specta::specta]
pub async fn export_items<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    format: ExportFormat,
    query: Option<ItemQuery>,
    csv_raw_formulas: bool,
) -> IpcResult<ExportOutcome> {
    let Some(path) = save_dialog::choose_export_path(&window, format).await? else {
        return Ok(ExportOutcome::Cancelled);
    };
    let store = state.session().await.items().clone();
    let query = query.unwrap_or_default();
    let options = ExportOptions {
        format,
        csv_raw_formulas,
    };
    let summary = blocking(move || export_query(&store, &query, options, &path, None)).await?;
    Ok(ExportOutcome::Exported {
        path: summary.path.display().to_string(),
        count: summary.count as u64,
    })
}
