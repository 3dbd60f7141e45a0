//! The fetch engine: loads every item of a connected provider, page by page, within the
//! provider's rate limits, streaming [`LoadEvent`]s to a sink.
//!
//! - **Budgets** ([`limiter`]): HubSpot one per account (110 / 10 s rolling), Airtable
//!   one per base (5 / s), Notion one per connection (3 / s, small burst); every window,
//!   penalty and wait divided by `JUNCTION_RATE_LIMIT_SCALE`.
//! - **Requests** ([`request`]): 401 → one refresh; 429 → the provider's wait, announced
//!   as [`LoadEvent::Throttled`]; 5xx / timeouts / dropped connections → bounded
//!   exponential backoff with jitter (`backon`); anything else fails the stream.
//! - **Streams**: each provider's `load.rs` (in `providers/<p>`) runs its independent
//!   cursors concurrently in the load's own task (HubSpot's three object types;
//!   Airtable's bases, several at once, and each base's tables). A stream that fails stops; the others run to their end,
//!   then the load sends [`LoadEvent::Failed`] with a [`ResumePoint`].
//! - **Exactly once**: a page's items are sent (one `Batch`) and its cursor advanced with
//!   no await in between, so a failure or cancel never loses nor repeats a page, and
//!   `ResumePoint` continues at the first page not sent. Items are counted once.
//!   Two kinds of items are sent only when complete, so they too go out once:
//!   an Airtable base when its tables are listed (`children` = table ids), a table
//!   when all its records are loaded (`children` = record ids; with records off, with
//!   its base and `children: null`). Two kinds of repeats, each the same provider,
//!   type and id, so it replaces the first copy in any row store keyed by item, and
//!   never counted twice: Notion's item whose parent came later in the search (or not
//!   yet, before a resume) is sent again at the end with `parent_path_or_name` filled;
//!   Airtable's record that links to a record not loaded yet is sent again when its
//!   base is done, with the linked records' names.

mod limiter;
mod request;

pub(crate) use limiter::Budget;
pub(crate) use request::{header_u64, retry_after, Call};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::providers::LoadState;
use crate::{Error, ErrorCode, IntegrationItem, ProviderId, Session};

/// The next-page cursors a walk was given. A provider that hands back any earlier one
/// (not only the current one) would send the walk round the same pages for ever.
#[derive(Debug, Clone, Default)]
pub(crate) struct CursorLog(std::collections::HashSet<String>);

impl CursorLog {
    /// Notes `next`; true when it was given before.
    pub(crate) fn repeats(&mut self, next: Option<&String>) -> bool {
        next.is_some_and(|n| !self.0.insert(n.clone()))
    }

    /// Starts over (the walk restarts from its first page).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

/// The error for a walk whose next-page cursor came back (see [`CursorLog`]).
pub(crate) fn stuck(provider: ProviderId, endpoint: &str) -> Error {
    Error::ProviderResponse {
        provider: provider.display_name().into(),
        endpoint: endpoint.to_string(),
        reason: "the next-page cursor repeats an earlier one: the pages would loop".into(),
    }
}

/// Parsing and mapping a page on the blocking pool. A page is up to megabytes of JSON,
/// and a provider's walks (HubSpot's types, Airtable's tables) run as futures of the
/// one load task: parsed there, every page would wait for the others, on one core.
pub(crate) async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("reading a page failed: {e}")))?
}

/// The most items one `Batch` carries.
pub const MAX_BATCH: usize = 1000;

/// What a load tells its caller, in order; the last event is `Done` or `Failed`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LoadEvent {
    /// Items, at most [`MAX_BATCH`]; one per page fetched.
    Batch {
        provider: ProviderId,
        items: Vec<IntegrationItem>,
    },
    /// The running total of one object type ("contacts", "bases", "records", "pages"…),
    /// counting from the start of a resumed load.
    Progress {
        provider: ProviderId,
        object_type: String,
        loaded: u64,
    },
    /// The provider asked us to wait ("Airtable asked us to wait 30 s"); `wait_ms` is
    /// the wait actually taken (scaled by `JUNCTION_RATE_LIMIT_SCALE`).
    Throttled {
        provider: ProviderId,
        message: String,
        wait_ms: u64,
    },
    /// Every item is loaded; `count` = distinct items, including those loaded by the
    /// run(s) this one resumed.
    Done { provider: ProviderId, count: u64 },
    /// The load stopped. `code` is the error's stable code (`cancelled`,
    /// `needs_reconnect`, `provider_http`, `provider_response`, `rate_limited`,
    /// `network`, …); `message` names provider, endpoint and cause; `resumable` says
    /// the outcome carries a [`ResumePoint`].
    Failed {
        provider: ProviderId,
        code: ErrorCode,
        message: String,
        resumable: bool,
    },
}

/// Where a failed or cancelled load stopped: the cursors of the unfinished streams and
/// what is done. Opaque; pass it back to [`Session::load`] to continue.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ResumePoint {
    provider: ProviderId,
    /// Distinct items sent so far.
    count: u64,
    progress: BTreeMap<String, u64>,
    state: LoadState,
}

impl ResumePoint {
    fn fresh(provider: ProviderId) -> ResumePoint {
        ResumePoint {
            provider,
            count: 0,
            progress: BTreeMap::new(),
            state: LoadState::fresh(provider),
        }
    }

    /// The provider this point belongs to.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// Items loaded before the load stopped.
    pub fn loaded(&self) -> u64 {
        self.count
    }
}

/// How a load ended.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    /// Distinct items loaded, including those of the run(s) resumed.
    pub count: u64,
    /// `Some` when the load failed or was cancelled part-way.
    pub resume: Option<ResumePoint>,
}

impl Session {
    /// Loads every item of `provider` (or continues from `resume`), sending events to
    /// `sink`. Sends `Done` or `Failed` as its last event. When `cancel` fires the load
    /// stops within a second with `Failed { code: "cancelled", resumable: true }`.
    /// Never panics on any response.
    pub async fn load(
        &self,
        provider: ProviderId,
        resume: Option<ResumePoint>,
        cancel: CancellationToken,
        sink: impl Fn(LoadEvent) + Send + Sync + 'static,
    ) -> LoadOutcome {
        let sink: Sink = Arc::new(sink);
        let fail = |e: &Error, resume: Option<ResumePoint>| {
            sink(LoadEvent::Failed {
                provider,
                code: e.code(),
                message: e.to_string(),
                resumable: resume.is_some(),
            });
            LoadOutcome {
                count: resume.as_ref().map_or(0, |r| r.count),
                resume,
            }
        };
        if let Some(r) = resume.as_ref().filter(|r| r.provider != provider) {
            let e = Error::InvalidInput(format!(
                "a {} resume point cannot continue a {} load",
                r.provider.display_name(),
                provider.display_name()
            ));
            return fail(&e, None);
        }
        // Fail fast (and keep the resume point) when the connection is not usable.
        let setup = async {
            let http = crate::http::api_client()?;
            self.access_token(provider).await?;
            let api = self.config().provider(provider).endpoints.api_url.clone();
            if api.cannot_be_a_base() {
                return Err(Error::config(
                    format!("JUNCTION_{}_API_URL", provider.env_prefix()),
                    "not an http(s) URL",
                ));
            }
            Ok((http, api))
        };
        let setup = tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::Cancelled),
            r = setup => r,
        };
        let (http, api) = match setup {
            Ok(x) => x,
            Err(e) => {
                let cancelled = matches!(e, Error::Cancelled);
                let resume = resume.or_else(|| cancelled.then(|| ResumePoint::fresh(provider)));
                return fail(&e, resume);
            }
        };

        let mut point = resume.unwrap_or_else(|| ResumePoint::fresh(provider));
        let ctx = Ctx {
            session: self.clone(),
            provider,
            http,
            api,
            sink: sink.clone(),
            cancel: cancel.clone(),
            count: AtomicU64::new(point.count),
            progress: Mutex::new(point.progress.clone()),
            errors: Mutex::new(Vec::new()),
        };
        tracing::info!(provider = %provider, resumed = point.count > 0, "load started");
        point.state.run(&ctx).await;
        let count = ctx.count.load(Ordering::Relaxed);
        point.count = count;
        point.progress = ctx.progress.lock().clone();
        let errors = std::mem::take(&mut *ctx.errors.lock());
        if errors.is_empty() {
            tracing::info!(provider = %provider, count, "load done");
            sink(LoadEvent::Done { provider, count });
            return LoadOutcome {
                count,
                resume: None,
            };
        }
        let (code, message) = if cancel.is_cancelled() {
            (
                ErrorCode::Cancelled,
                format!(
                    "{} load cancelled after {count} items",
                    provider.display_name()
                ),
            )
        } else {
            let first = &errors[0];
            let mut message = first.to_string();
            if errors.len() > 1 {
                message.push_str(&format!(
                    " (and {} other stream(s) stopped)",
                    errors.len() - 1
                ));
            }
            (first.code(), message)
        };
        tracing::warn!(provider = %provider, code = %code, message = %message, count, "load stopped");
        sink(LoadEvent::Failed {
            provider,
            code,
            message,
            resumable: true,
        });
        LoadOutcome {
            count,
            resume: Some(point),
        }
    }
}

type Sink = Arc<dyn Fn(LoadEvent) + Send + Sync>;

/// What every stream of one load shares.
pub(crate) struct Ctx {
    pub(crate) session: Session,
    pub(crate) provider: ProviderId,
    http: reqwest::Client,
    api: Url,
    sink: Sink,
    cancel: CancellationToken,
    count: AtomicU64,
    progress: Mutex<BTreeMap<String, u64>>,
    /// Why streams stopped, in the order they did.
    errors: Mutex<Vec<Error>>,
}

impl Ctx {
    fn emit(&self, event: LoadEvent) {
        (self.sink)(event)
    }

    /// `<api>/<segments…>?<query>`, each segment percent-encoded.
    pub(crate) fn url(
        &self,
        segments: &[impl AsRef<str>],
        query: &[(&'static str, String)],
    ) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends new items (in batches of at most [`MAX_BATCH`]) and counts them.
    pub(crate) fn send_items(&self, items: Vec<IntegrationItem>) {
        self.count.fetch_add(items.len() as u64, Ordering::Relaxed);
        self.resend(items);
    }

    /// Sends items again (same keys, updated fields); not counted.
    pub(crate) fn resend(&self, mut items: Vec<IntegrationItem>) {
        while !items.is_empty() {
            let rest = items.split_off(items.len().min(MAX_BATCH));
            self.emit(LoadEvent::Batch {
                provider: self.provider,
                items,
            });
            items = rest;
        }
    }

    /// Adds `n` to an object type's running total and reports it.
    pub(crate) fn progress(&self, object_type: &str, n: u64) {
        let loaded = {
            let mut progress = self.progress.lock();
            let total = progress.entry(object_type.to_string()).or_default();
            *total += n;
            *total
        };
        self.emit(LoadEvent::Progress {
            provider: self.provider,
            object_type: object_type.to_string(),
            loaded,
        });
    }

    /// Records why a stream stopped.
    pub(crate) fn fail(&self, error: Error) {
        if !matches!(error, Error::Cancelled) {
            tracing::warn!(provider = %self.provider, error = %error, "stream stopped");
        }
        self.errors.lock().push(error);
    }

    /// The error for a walk whose next-page cursor came back (see [`CursorLog`]).
    pub(crate) fn stuck(&self, endpoint: &str) -> Error {
        stuck(self.provider, endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_adjacently_tagged() {
        let e = LoadEvent::Throttled {
            provider: ProviderId::Airtable,
            message: "Airtable asked us to wait 30 s".into(),
            wait_ms: 30_000,
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"event": "throttled", "data": {"provider": "airtable",
                "message": "Airtable asked us to wait 30 s", "wait_ms": 30000}})
        );
        let done = LoadEvent::Done {
            provider: ProviderId::Notion,
            count: 3,
        };
        assert_eq!(
            serde_json::to_value(&done).unwrap()["event"],
            serde_json::json!("done")
        );
    }

    #[test]
    fn resume_points_are_send_and_static() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<ResumePoint>();
        check::<LoadEvent>();
    }
}
