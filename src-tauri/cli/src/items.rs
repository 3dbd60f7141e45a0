//! `junction-cli items`: load every item of one provider, or of every connected one,
//! and write them to a file (atomically) or stdout. Progress goes to stderr; the exit
//! is 0 only when every load completed, and a failed run leaves no file behind.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use junction_core::export::{export_items, write_to, ExportFormat};
use junction_core::fetch::LoadEvent;
use junction_core::rows::RowStore;
use junction_core::views::ConnectionState;
use junction_core::{Error, ProviderId, Session};
use tokio_util::sync::CancellationToken;

/// A provider, or `all` connected ones.
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
    format: ExportFormat,
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

    let rows = Arc::new(Mutex::new(RowStore::new()));
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let loads = providers.iter().map(|&p| {
        let rows = rows.clone();
        let cancel = cancel.clone();
        let session = session.clone();
        async move {
            let failure: Arc<Mutex<Option<String>>> = Arc::default();
            let progress = Mutex::new(Progress::default());
            let failed = failure.clone();
            let sink = move |event: LoadEvent| match event {
                LoadEvent::Batch { items, .. } => rows.lock().upsert(items),
                LoadEvent::Progress {
                    object_type,
                    loaded,
                    ..
                } => progress.lock().report(p, &object_type, loaded),
                LoadEvent::Throttled { message, .. } => eprintln!("{p}: {message}"),
                LoadEvent::Done { count, .. } => eprintln!("{p}: done, {count} items"),
                LoadEvent::Failed { message, .. } => *failed.lock() = Some(message),
            };
            session.load(p, None, cancel, sink).await;
            let failure = failure.lock().take();
            failure.map(|m| format!("{p}: {m}"))
        }
    });
    let failures: Vec<String> = futures_util::future::join_all(loads)
        .await
        .into_iter()
        .flatten()
        .collect();
    ctrl_c.abort();
    if !failures.is_empty() {
        return Err(Error::InvalidInput(format!(
            "loading failed, nothing written: {}",
            failures.join("; ")
        )));
    }

    let rows = rows.lock();
    match out {
        Some(path) => {
            let summary = export_items(rows.all(), format, path, None)?;
            eprintln!(
                "wrote {} items to {}",
                summary.count,
                summary.path.display()
            );
        }
        None => {
            write_to(rows.all(), format, std::io::stdout().lock())?;
        }
    }
    Ok(())
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
