//! Loads as the app and the CLI both run them: the one owner of load bookkeeping.
//!
//! - One run at a time per provider: a new one stops the running one and waits for
//!   its turn (so a Resume right after a failure finds the stored resume point).
//! - Every batch goes to the item store as it arrives, on a writer thread, in order;
//!   the set is completed (swapped in) or failed (with its resume point) only after
//!   its last batch is written.
//! - Resume continues from the store's resume point: after a restart, and from the
//!   other process's failed load too.
//! - `forget` (Disconnect) stops the provider's load, waits for it, and drops its rows.
//!
//! What a run reports ([`LoadUpdate`]) carries progress and counts, never rows: the
//! table reads rows from the store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

use crate::fetch::{LoadEvent, ResumePoint};
use crate::fs::blocking;
use crate::views::LoadUpdate;
use crate::{Error, ErrorCode, IntegrationItem, ProviderId, Session};

/// The account items are stored under until connections carry their own ids.
pub const DEFAULT_ACCOUNT: &str = "";

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every item is in the store; `count` distinct items.
    Done { count: u64 },
    /// It stopped; the previous complete set (if any) is still the one shown.
    Failed {
        code: ErrorCode,
        message: String,
        resumable: bool,
    },
}

#[derive(Default)]
pub struct Loads {
    /// The running load per provider, with a generation so a finished run never
    /// removes the entry of a newer one that replaced it.
    running: Mutex<HashMap<ProviderId, (u64, CancellationToken)>>,
    generation: AtomicU64,
    turns: Mutex<HashMap<ProviderId, Arc<tokio::sync::Mutex<()>>>>,
}

impl Loads {
    pub fn new() -> Self {
        Self::default()
    }

    fn turn(&self, provider: ProviderId) -> Arc<tokio::sync::Mutex<()>> {
        self.turns.lock().entry(provider).or_default().clone()
    }

    /// Loads `provider` from scratch (`resume` false) or from its stopped load, into
    /// `session`'s store. `sink` gets the run's updates; the last is `Done` or
    /// `Failed`.
    pub async fn run(
        &self,
        session: &Session,
        provider: ProviderId,
        resume: bool,
        sink: impl Fn(LoadUpdate) + Send + Sync + 'static,
    ) -> RunOutcome {
        let cancel = CancellationToken::new();
        let generation = self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some((_, previous)) = self
            .running
            .lock()
            .insert(provider, (generation, cancel.clone()))
        {
            previous.cancel();
        }
        let turn = self.turn(provider);
        let _turn = turn.lock().await;
        let outcome = if cancel.is_cancelled() {
            // Replaced or forgotten while waiting for the turn.
            RunOutcome::Failed {
                code: ErrorCode::Cancelled,
                message: format!("{} load cancelled", provider.display_name()),
                resumable: resume,
            }
        } else {
            run_once(session, provider, resume, cancel, Arc::new(sink)).await
        };
        let mut running = self.running.lock();
        if running
            .get(&provider)
            .is_some_and(|(g, _)| *g == generation)
        {
            running.remove(&provider);
        }
        outcome
    }

    /// Stops `provider`'s load, if one runs.
    pub fn cancel(&self, provider: ProviderId) {
        if let Some((_, token)) = self.running.lock().remove(&provider) {
            token.cancel();
        }
    }

    /// Whether a load of `provider` runs in this process.
    pub fn is_running(&self, provider: ProviderId) -> bool {
        self.running.lock().contains_key(&provider)
    }

    /// Stops `provider`'s load and waits for it to end (before a Disconnect drops
    /// its rows, so no batch lands after).
    pub async fn stop(&self, provider: ProviderId) {
        self.cancel(provider);
        let turn = self.turn(provider);
        let _turn = turn.lock().await;
    }
}

type Sink = Arc<dyn Fn(LoadUpdate) + Send + Sync>;

async fn run_once(
    session: &Session,
    provider: ProviderId,
    resume: bool,
    cancel: CancellationToken,
    sink: Sink,
) -> RunOutcome {
    let failed = |e: &Error, resumable: bool| {
        let outcome = RunOutcome::Failed {
            code: e.code(),
            message: e.to_string(),
            resumable,
        };
        report(&sink, provider, &outcome);
        outcome
    };
    let store = session.items().clone();
    let begun = {
        let store = store.clone();
        blocking(move || store.begin(provider, DEFAULT_ACCOUNT, resume)).await
    };
    let set = match begun {
        Ok(set) => set,
        Err(e) => return failed(&e, false),
    };
    let point = set
        .resume_point
        .as_deref()
        .and_then(|json| serde_json::from_str::<ResumePoint>(json).ok());

    // The writer thread: batches in the order the engine sent them.
    let (batches, received) = std::sync::mpsc::channel::<Vec<IntegrationItem>>();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            let mut error = None;
            for batch in received {
                if error.is_none() {
                    error = store.write_batch(&set, &batch).err();
                }
            }
            (set, error)
        })
    };
    let ending: Arc<Mutex<Option<LoadEvent>>> = Arc::default();
    let engine_sink = {
        let (sink, ending) = (sink.clone(), ending.clone());
        move |event: LoadEvent| match event {
            LoadEvent::Batch { items, .. } => {
                let _ = batches.send(items);
            }
            LoadEvent::Progress {
                provider,
                object_type,
                loaded,
            } => sink(LoadUpdate::Progress {
                provider,
                object_type,
                loaded,
            }),
            LoadEvent::Throttled {
                provider,
                message,
                wait_ms,
            } => sink(LoadUpdate::Throttled {
                provider,
                message,
                wait_ms,
            }),
            end @ (LoadEvent::Done { .. } | LoadEvent::Failed { .. }) => {
                *ending.lock() = Some(end);
            }
        }
    };
    let outcome = session.load(provider, point, cancel, engine_sink).await;
    // The engine's sink (and its sender) is gone: the writer drains and ends.
    let (set, write_error) = match blocking(move || {
        writer
            .join()
            .map_err(|_| Error::Internal("the store writer stopped".into()))
    })
    .await
    {
        Ok(done) => done,
        Err(e) => return failed(&e, false),
    };
    let resume_json = outcome
        .resume
        .as_ref()
        .and_then(|p| serde_json::to_string(p).ok());
    let ended = match (write_error, ending.lock().take()) {
        (Some(e), _) => Err((e.code(), e.to_string(), None)),
        (None, Some(LoadEvent::Done { .. })) => Ok(()),
        (None, Some(LoadEvent::Failed { code, message, .. })) => Err((code, message, resume_json)),
        (None, _) => Err((
            ErrorCode::Internal,
            "the load ended without saying how".to_string(),
            resume_json,
        )),
    };
    let result = match ended {
        Ok(()) => {
            let store = store.clone();
            match blocking(move || store.complete(set)).await {
                Ok(count) => RunOutcome::Done { count },
                Err(e) => RunOutcome::Failed {
                    code: e.code(),
                    message: e.to_string(),
                    resumable: false,
                },
            }
        }
        Err((code, message, resume)) => {
            let resumable = resume.is_some();
            let m = message.clone();
            let store = store.clone();
            match blocking(move || store.fail(set, code, &m, resume.as_deref())).await {
                Ok(()) => RunOutcome::Failed {
                    code,
                    message,
                    resumable,
                },
                Err(e) => RunOutcome::Failed {
                    code: e.code(),
                    message: e.to_string(),
                    resumable: false,
                },
            }
        }
    };
    report(&sink, provider, &result);
    result
}

fn report(sink: &Sink, provider: ProviderId, outcome: &RunOutcome) {
    sink(match outcome {
        RunOutcome::Done { count } => LoadUpdate::Done {
            provider,
            count: *count,
        },
        RunOutcome::Failed {
            code,
            message,
            resumable,
        } => LoadUpdate::Failed {
            provider,
            code: *code,
            message: message.clone(),
            resumable: *resumable,
        },
    })
}
