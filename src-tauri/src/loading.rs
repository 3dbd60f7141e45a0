//! Loading and exporting, as the shell adapts them: loads stream over a
//! `tauri::ipc::Channel`, their rows are kept here (Rust's copy, which exports are
//! written from), and a failed or cancelled load keeps its resume point for the
//! card's Resume button.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use junction_core::export::{export_items, ExportFormat, ExportSummary};
use junction_core::fetch::{LoadEvent, ResumePoint};
use junction_core::rows::RowStore;
use junction_core::{Error, IntegrationItem, ProviderId, Session};
use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct Loads {
    rows: Arc<Mutex<RowStore>>,
    /// The running load per provider, with a generation so a finished load never
    /// removes the entry of a newer one that replaced it.
    running: Mutex<HashMap<ProviderId, (u64, CancellationToken)>>,
    generation: std::sync::atomic::AtomicU64,
    resume: Mutex<HashMap<ProviderId, ResumePoint>>,
    /// Providers whose reload stopped before its first batch: their old rows are
    /// still to be replaced, by the resumed run's first batch.
    replace_pending: Mutex<std::collections::HashSet<ProviderId>>,
    /// One run at a time per provider: a Resume clicked right after `failed` waits
    /// for the stopped run to store its resume point.
    turns: Mutex<HashMap<ProviderId, Arc<tokio::sync::Mutex<()>>>>,
    /// Bumped by `forget` (disconnect): a run from an older epoch may still finish,
    /// but adds no rows and leaves no resume point behind.
    epochs: Arc<Mutex<HashMap<ProviderId, u64>>>,
}

impl Loads {
    /// Loads `provider` (from scratch, or from its resume point) and streams events.
    pub async fn run(
        &self,
        session: Session,
        provider: ProviderId,
        resume: bool,
        channel: Channel<LoadEvent>,
    ) {
        // A new run stops the current one first, then waits for its turn.
        let cancel = CancellationToken::new();
        let generation = self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some((_, previous)) = self
            .running
            .lock()
            .insert(provider, (generation, cancel.clone()))
        {
            previous.cancel();
        }
        let turn = self.turns.lock().entry(provider).or_default().clone();
        let _turn = turn.lock().await;

        let resume_point = if resume {
            self.resume.lock().remove(&provider)
        } else {
            None
        };
        let replace_pending = self.replace_pending.lock().remove(&provider);
        let fresh = resume_point.is_none() || replace_pending;
        let rows = self.rows.clone();
        let first_batch = Arc::new(AtomicBool::new(fresh));
        let seen_batch = first_batch.clone();
        let epochs = self.epochs.clone();
        let epoch = epochs.lock().get(&provider).copied().unwrap_or(0);
        let current = move || epochs.lock().get(&provider).copied().unwrap_or(0) == epoch;
        let still_current = current.clone();
        let sink = move |event: LoadEvent| {
            match &event {
                _ if !still_current() => {}
                LoadEvent::Batch { items, .. } => {
                    let mut rows = rows.lock();
                    // A reload replaces this provider's rows, keeping the others.
                    if seen_batch.swap(false, Ordering::SeqCst) {
                        rows.remove_provider(provider);
                    }
                    rows.upsert(items.iter().cloned());
                }
                LoadEvent::Done { .. } if seen_batch.swap(false, Ordering::SeqCst) => {
                    // A reload that found nothing: the provider has no rows now.
                    rows.lock().remove_provider(provider);
                }
                _ => {}
            }
            let _ = channel.send(event);
        };
        let outcome = session
            .load(provider, resume_point, cancel.clone(), sink)
            .await;
        if !current() {
            return;
        }
        if first_batch.load(Ordering::SeqCst) && outcome.resume.is_some() {
            self.replace_pending.lock().insert(provider);
        }
        {
            let mut running = self.running.lock();
            if running
                .get(&provider)
                .is_some_and(|(g, _)| *g == generation)
            {
                running.remove(&provider);
            }
        }
        if let Some(point) = outcome.resume {
            self.resume.lock().insert(provider, point);
        }
    }

    pub fn cancel(&self, provider: ProviderId) {
        if let Some((_, token)) = self.running.lock().remove(&provider) {
            token.cancel();
        }
    }

    /// Forgets a provider's rows and resume point (on disconnect).
    pub fn forget(&self, provider: ProviderId) {
        *self.epochs.lock().entry(provider).or_default() += 1;
        self.cancel(provider);
        self.resume.lock().remove(&provider);
        self.replace_pending.lock().remove(&provider);
        self.rows.lock().remove_provider(provider);
    }

    pub fn forget_all(&self) {
        for p in ProviderId::ALL {
            self.forget(p);
        }
        self.rows.lock().clear();
    }

    /// Writes all rows, or those with `keys` (the UI's current view, in its order),
    /// atomically to `path`.
    pub async fn export(
        &self,
        path: PathBuf,
        format: ExportFormat,
        keys: Option<Vec<String>>,
    ) -> Result<ExportSummary, Error> {
        // Copy the rows out and let go of the lock: loads keep adding rows while the
        // file is written (holding it would stall them, and the async workers).
        let picked: Vec<IntegrationItem> = {
            let rows = self.rows.lock();
            match &keys {
                None => rows.all().cloned().collect(),
                Some(keys) => {
                    let (picked, missing) = rows.by_keys(keys);
                    if missing > 0 {
                        tracing::warn!(missing, "export skipped keys that are no longer loaded");
                    }
                    picked.into_iter().cloned().collect()
                }
            }
        };
        tokio::task::spawn_blocking(move || export_items(&picked, format, &path, None))
            .await
            .map_err(|e| Error::Internal(format!("the export task failed: {e}")))?
    }
}
