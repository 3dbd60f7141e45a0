//! `junction-cli items`: load every item of one provider, or of every connected one,
//! into the item store (staged, as the app loads), then write what the store holds for
//! them to a file (atomically) or stdout. Progress goes to stderr; the exit is 0 only
//! when every load completed, and a failed run writes nothing (the store keeps the
//! previous complete set).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use junction_core::export::ExportOptions;
use junction_core::loads::{Loads, RunOutcome};
use junction_core::store::items::ItemQuery;
use junction_core::views::{ConnectionState, LoadUpdate};
use junction_core::{Error, ProviderId, Session};
use parking_lot::Mutex;

/// A provider, or `all` (connected ones for `items`, stored ones for `export`).
#[derive(Debug, Clone, Copy)]
pub enum Target {
    One(ProviderId),
    All,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("all") {
            return Ok(Target::All);
        }
        s.parse::<ProviderId>()
            .map(Target::One)
            .map_err(|_| format!("unknown target `{s}`; expected hubspot, airtable, notion or all"))
    }
}

pub async fn run(
    session: &Session,
    target: Target,
    out: Option<&Path>,
    options: ExportOptions,
    resume: bool,
) -> Result<(), Error> {
    let providers = match target {
        Target::One(p) => vec![p],
        Target::All => {
            let mut connected = Vec::new();
            for view in session.providers().await {
                match view.state {
                    ConnectionState::Connected => connected.push(view.id),
                    ConnectionState::NeedsReconnect => {
                        eprintln!("skipped: {} (needs reconnect)", view.id)
                    }
                    _ => eprintln!("skipped: {} (not connected)", view.id),
                }
            }
            if connected.is_empty() {
                return Err(Error::InvalidInput(
                    "no provider is connected; run `junction-cli connect <provider>` first".into(),
                ));
            }
            connected
        }
    };

    let loads = Loads::new();
    let runs = providers.iter().map(|&p| {
        let progress = Mutex::new(Progress::default());
        let loads = &loads;
        async move {
            let sink = move |update: LoadUpdate| match update {
                LoadUpdate::Progress {
                    object_type,
                    loaded,
                    ..
                } => progress.lock().report(p, &object_type, loaded),
                LoadUpdate::Throttled { message, .. } => eprintln!("{p}: {message}"),
                LoadUpdate::Done { count, .. } => eprintln!("{p}: done, {count} items"),
                LoadUpdate::Failed { .. } => {}
            };
            match loads.run(session, p, resume, sink).await {
                RunOutcome::Done { .. } => None,
                RunOutcome::Failed { message, .. } => Some(format!("{p}: {message}")),
            }
        }
    });
    // Ctrl-C cancels the loads; they end as failed (resumable), and nothing is written.
    let cancel_on_ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_ok() {
            for &p in &providers {
                loads.cancel(p);
            }
        }
        std::future::pending::<Vec<String>>().await
    };
    let failures: Vec<String> = tokio::select! {
        done = futures_util::future::join_all(runs) => done.into_iter().flatten().collect(),
        never = cancel_on_ctrl_c => never,
    };
    if !failures.is_empty() {
        return Err(Error::InvalidInput(format!(
            "loading failed, nothing written: {}",
            failures.join("; ")
        )));
    }
    let query = ItemQuery {
        providers,
        ..ItemQuery::default()
    };
    crate::export::write(session, &query, out, options).await
}

/// Prints a progress line per provider at most every second.
#[derive(Default)]
struct Progress {
    loaded: HashMap<String, u64>,
    last: Option<Instant>,
}

impl Progress {
    fn report(&mut self, provider: ProviderId, object_type: &str, loaded: u64) {
        self.loaded.insert(object_type.to_string(), loaded);
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        self.last = Some(Instant::now());
        let mut parts: Vec<_> = self
            .loaded
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        parts.sort();
        eprintln!("{provider}: {}", parts.join(", "));
    }
}
