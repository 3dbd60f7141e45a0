//! Shared by the fetch tests: a connected session against the fake providers, and a
//! sink that records every event.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use junction_core::fetch::{LoadEvent, LoadOutcome, ResumePoint};
use junction_core::{IntegrationItem, ProviderId, Session};
use junction_fakes::{FakeConfig, Harness};
use tokio_util::sync::CancellationToken;

/// Fakes with `config`, a session whose waits are divided by `scale`, connected to
/// `provider` (counters reset after the connect).
pub async fn connected(
    provider: ProviderId,
    config: FakeConfig,
    env: &[(&str, &str)],
) -> (Harness, Session) {
    let scale = config.rate_limit_scale.to_string();
    let mut h = Harness::start(config).await;
    h.set_env("JUNCTION_RATE_LIMIT_SCALE", &scale);
    for (k, v) in env {
        h.set_env(k, v);
    }
    let session = h.session().await;
    h.connect(&session, provider).await.expect("connect");
    h.fakes.counters().reset();
    (h, session)
}

/// Events of one load, with when each arrived.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<(Instant, LoadEvent)>>>);

impl Recorder {
    pub fn sink(&self) -> impl Fn(LoadEvent) + Send + Sync + 'static {
        let events = self.0.clone();
        move |e| events.lock().unwrap().push((Instant::now(), e))
    }

    pub fn events(&self) -> Vec<LoadEvent> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }

    pub fn timed(&self) -> Vec<(Instant, LoadEvent)> {
        self.0.lock().unwrap().clone()
    }

    /// Every item of every batch, in order (repeats included).
    /// What a row store keyed by item holds after the batches: each item once, in the
    /// order first sent, as last sent (Notion and Airtable send a few items again with
    /// names filled; see `fetch`'s docs).
    pub fn items(&self) -> Vec<IntegrationItem> {
        let mut order: Vec<Key> = Vec::new();
        let mut latest: std::collections::HashMap<Key, IntegrationItem> =
            std::collections::HashMap::new();
        for item in self.sent() {
            let k = key(&item);
            if latest.insert(k.clone(), item).is_none() {
                order.push(k);
            }
        }
        order
            .into_iter()
            .filter_map(|k| latest.remove(&k))
            .collect()
    }

    /// Every item of every batch, repeats included.
    pub fn sent(&self) -> Vec<IntegrationItem> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                LoadEvent::Batch { items, .. } => Some(items),
                _ => None,
            })
            .flatten()
            .collect()
    }

    pub fn last(&self) -> LoadEvent {
        self.events().last().cloned().expect("at least one event")
    }

    pub fn throttles(&self) -> Vec<(String, u64)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                LoadEvent::Throttled {
                    message, wait_ms, ..
                } => Some((message, wait_ms)),
                _ => None,
            })
            .collect()
    }

    /// The last running total of each object type.
    pub fn progress(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for e in self.events() {
            if let LoadEvent::Progress {
                object_type,
                loaded,
                ..
            } = e
            {
                out.insert(object_type, loaded);
            }
        }
        out
    }
}

/// Runs one load to its end.
pub async fn load(
    session: &Session,
    provider: ProviderId,
    resume: Option<ResumePoint>,
) -> (LoadOutcome, Recorder) {
    let rec = Recorder::default();
    let outcome = session
        .load(provider, resume, CancellationToken::new(), rec.sink())
        .await;
    (outcome, rec)
}

/// The row key: provider + type + id.
pub type Key = (ProviderId, String, String);

pub fn key(item: &IntegrationItem) -> Key {
    (
        item.provider,
        item.item_type.clone().unwrap_or_default(),
        item.id.clone().unwrap_or_default(),
    )
}

/// Keys of `items`, failing on any repeat.
pub fn unique_keys(items: &[IntegrationItem]) -> HashSet<Key> {
    let mut seen = HashSet::new();
    for item in items {
        assert!(seen.insert(key(item)), "sent twice: {:?}", key(item));
    }
    seen
}

/// Asserts the load ended with `Done` and returns its count.
pub fn done_count(rec: &Recorder) -> u64 {
    match rec.last() {
        LoadEvent::Done { count, .. } => count,
        other => panic!("expected Done, got {other:?}"),
    }
}

/// Asserts the load ended with `Failed` and returns (code, message, resumable).
pub fn failed(rec: &Recorder) -> (String, String, bool) {
    match rec.last() {
        LoadEvent::Failed {
            code,
            message,
            resumable,
            ..
        } => (code.to_string(), message, resumable),
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// Every batch has at most 1,000 items, and nothing follows the last event.
pub fn check_batches(rec: &Recorder) {
    let events = rec.events();
    for e in &events {
        if let LoadEvent::Batch { items, .. } = e {
            assert!(!items.is_empty() && items.len() <= 1000, "{}", items.len());
        }
    }
    let ends = events
        .iter()
        .filter(|e| matches!(e, LoadEvent::Done { .. } | LoadEvent::Failed { .. }))
        .count();
    assert_eq!(ends, 1, "exactly one Done/Failed, last");
}

pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The last copy of every item, in first-sent order (a Notion item sent again with
/// its parent's name replaces its first copy).
pub fn last_copies(items: &[IntegrationItem]) -> Vec<IntegrationItem> {
    let mut order = Vec::new();
    let mut last: std::collections::HashMap<Key, IntegrationItem> =
        std::collections::HashMap::new();
    for item in items {
        if last.insert(key(item), item.clone()).is_none() {
            order.push(key(item));
        }
    }
    order.into_iter().filter_map(|k| last.remove(&k)).collect()
}
