//! The HTTP side: one listener for all three fakes (under `/hubspot`, `/airtable`,
//! `/notion`), served with hyper directly so that a fault can close a connection
//! without answering, which axum's own `serve` cannot do.
//!
//! Every request passes through [`handle`]: it is classified (provider, endpoint),
//! logged, delayed by the configured latency, and either gets an injected fault or goes
//! to the provider's router.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

use super::config::{FakeApp, FakeConfig};
use super::counters::{Counters, Endpoint, RequestRecord};
use super::data::Dataset;
use super::faults::{Fault, FaultKind, FaultSet};
use super::limits::{Bucket, PerBase, RollingWindow};
use super::tokens::TokenStore;
use super::{airtable, hubspot, notion, respond};
use junction_core::providers::hubspot::ObjectType;
use junction_core::ProviderId;

/// What can change while the fakes run.
#[derive(Debug)]
pub(crate) struct Settings {
    pub apps: BTreeMap<ProviderId, FakeApp>,
    pub deny: HashSet<ProviderId>,
    pub latency: Duration,
    pub rate_limits: bool,
    pub access_token_ttl: Option<Duration>,
}

/// The shared state of the fakes.
pub(crate) struct Fake {
    pub config: FakeConfig,
    pub settings: Mutex<Settings>,
    pub data: Dataset,
    pub tokens: Mutex<TokenStore>,
    pub faults: Mutex<FaultSet>,
    pub counters: Counters,
    pub hubspot_window: Mutex<RollingWindow>,
    pub hubspot_index: hubspot::RecordIndex,
    /// The first 200 body each listing path served while a
    /// [`FaultKind::ReplayFirstPage`] waited: by path, so that a table or a data source
    /// replays its own first page.
    pub first_pages: Mutex<HashMap<String, axum::body::Bytes>>,
    pub airtable_bases: Mutex<PerBase>,
    pub notion_bucket: Mutex<Bucket>,
}

impl Fake {
    pub fn new(config: FakeConfig) -> Fake {
        let now = Instant::now();
        let scaled = |d| config.scaled(d);
        let data = Dataset::generate(&config.data);
        Fake {
            hubspot_index: hubspot::RecordIndex::new(&data),
            first_pages: Mutex::default(),
            settings: Mutex::new(Settings {
                apps: config.apps.clone(),
                deny: HashSet::new(),
                latency: config.latency,
                rate_limits: config.rate_limits,
                access_token_ttl: config.access_token_ttl,
            }),
            data,
            tokens: Mutex::default(),
            faults: Mutex::default(),
            counters: Counters::default(),
            hubspot_window: Mutex::new(RollingWindow::new(
                config.hubspot_limit,
                scaled(Duration::from_secs(10)),
            )),
            airtable_bases: Mutex::new(PerBase::new(
                config.airtable_per_second,
                scaled(Duration::from_secs(1)),
                scaled(config.airtable_penalty),
            )),
            notion_bucket: Mutex::new(Bucket::new(
                config.notion_per_second * config.rate_limit_scale.max(f64::MIN_POSITIVE),
                config.notion_burst,
                now,
            )),
            config,
        }
    }

    pub fn app(&self, provider: ProviderId) -> Option<FakeApp> {
        self.settings.lock().apps.get(&provider).cloned()
    }

    pub fn rate_limits_on(&self) -> bool {
        self.settings.lock().rate_limits
    }

    /// Access token lifetime for `provider` (`None` = never expires).
    pub fn access_ttl(&self, provider: ProviderId) -> Option<Duration> {
        let own = match provider {
            ProviderId::Hubspot => Some(Duration::from_secs(1800)),
            ProviderId::Airtable => Some(Duration::from_secs(3600)),
            ProviderId::Notion => None,
        };
        self.settings.lock().access_token_ttl.or(own)
    }
}

/// Which fake and endpoint a path belongs to, and (Airtable) its base.
pub(crate) fn classify(path: &str) -> Option<(ProviderId, Endpoint, Option<String>)> {
    let (provider, rest) = ProviderId::ALL
        .into_iter()
        .find_map(|p| path.strip_prefix(&format!("/{p}")).map(|rest| (p, rest)))?;
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').skip(1).collect();
    let endpoint = match (provider, segments.as_slice()) {
        (ProviderId::Hubspot, ["oauth", "authorize"]) => Endpoint::Authorize,
        (ProviderId::Hubspot, ["oauth", "2026-03", "token"]) => Endpoint::Token,
        (ProviderId::Hubspot, ["oauth", "2026-03", "token", "revoke"]) => Endpoint::Revoke,
        (ProviderId::Hubspot, ["oauth", "2026-03", "token", "introspect"]) => Endpoint::Introspect,
        (ProviderId::Hubspot, ["crm", "objects", "2026-09", t]) => {
            ObjectType::from_path(t).map_or(Endpoint::CustomObjects, Endpoint::Objects)
        }
        (ProviderId::Hubspot, ["crm", "objects", "2026-09", _, "batch", "read"]) => {
            Endpoint::BatchRead
        }
        (ProviderId::Hubspot, ["crm", "properties", "2026-09", _]) => Endpoint::Properties,
        (ProviderId::Hubspot, ["crm", "associations", "2026-09", _, _, "batch", "read"]) => {
            Endpoint::Associations
        }
        (ProviderId::Hubspot, ["crm-object-schemas", "2026-09", "schemas"]) => Endpoint::Schemas,
        (ProviderId::Hubspot, ["account-info", "2026-09", "details"]) => Endpoint::AccountInfo,
        (ProviderId::Airtable, ["oauth2", "v1", "authorize"]) => Endpoint::Authorize,
        (ProviderId::Airtable, ["oauth2", "v1", "token"]) => Endpoint::Token,
        (ProviderId::Airtable, ["v0", "meta", "whoami"]) => Endpoint::Whoami,
        (ProviderId::Airtable, ["v0", "meta", "bases"]) => Endpoint::Bases,
        (ProviderId::Airtable, ["v0", "meta", "bases", base, "tables"]) => {
            return Some((provider, Endpoint::Tables, Some(base.to_string())))
        }
        (ProviderId::Airtable, ["v0", base, _table]) if *base != "meta" => {
            return Some((provider, Endpoint::Records, Some(base.to_string())))
        }
        (ProviderId::Notion, ["v1", "oauth", "authorize"]) => Endpoint::Authorize,
        (ProviderId::Notion, ["v1", "oauth", "token"]) => Endpoint::Token,
        (ProviderId::Notion, ["v1", "oauth", "revoke"]) => Endpoint::Revoke,
        (ProviderId::Notion, ["v1", "oauth", "introspect"]) => Endpoint::Introspect,
        (ProviderId::Notion, ["v1", "search"]) => Endpoint::Search,
        (ProviderId::Notion, ["v1", "databases", _]) => Endpoint::Database,
        (ProviderId::Notion, ["v1", "databases", _, "query"]) => Endpoint::DatabaseQuery,
        (ProviderId::Notion, ["v1", "data_sources", _]) => Endpoint::DataSource,
        (ProviderId::Notion, ["v1", "data_sources", _, "query"]) => Endpoint::DataSourceQuery,
        (ProviderId::Notion, ["v1", "blocks", _, "children"]) => Endpoint::BlockChildren,
        (ProviderId::Notion, ["v1", "pages", _]) => Endpoint::Page,
        (ProviderId::Notion, ["v1", "pages", _, "properties", _]) => Endpoint::PageProperty,
        _ => return None,
    };
    Some((provider, endpoint, None))
}

/// The router of all three fakes.
pub(crate) fn router(fake: Arc<Fake>) -> Router {
    Router::new()
        .nest("/hubspot", hubspot::routes())
        .nest("/airtable", airtable::routes())
        .nest("/notion", notion::routes())
        .with_state(fake)
}

/// The service error that makes hyper close the connection without a response.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fault: connection dropped")
    }
}

impl std::error::Error for Dropped {}

/// One request: classify, log, delay, fault or route.
async fn handle(
    fake: Arc<Fake>,
    router: Router,
    req: Request<Incoming>,
) -> Result<Response, Dropped> {
    let at = Instant::now();
    let route = classify(req.uri().path());
    let path = req.uri().path().to_string();
    let latency = fake.settings.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = route
        .as_ref()
        .and_then(|(p, e, _)| fake.faults.lock().next(*p, *e));
    let first = match (fault, &route) {
        (Some(FaultKind::ReplayFirstPage), Some((provider, endpoint, _))) => {
            let first = fake.first_pages.lock().get(&path).cloned();
            if first.is_none() {
                // This path's first page is this one: the replay waits for the next.
                fake.faults
                    .lock()
                    .add(Fault::new(*provider, FaultKind::ReplayFirstPage).on(*endpoint));
            }
            first
        }
        _ => None,
    };
    let response = match (fault, &route) {
        (Some(FaultKind::DropConnection), _) => None,
        (Some(FaultKind::ReplayFirstPage), _) if first.is_some() => Some(respond::raw_bytes(
            200,
            "application/json",
            first.unwrap_or_default(),
        )),
        (Some(kind), Some((provider, _, _))) if kind != FaultKind::ReplayFirstPage => {
            Some(fault_response(&fake, *provider, kind))
        }
        _ => {
            let response = router
                .oneshot(req)
                .await
                .unwrap_or_else(|never| match never {});
            // Pages are kept only while a replay waits: a load walks a path per
            // Notion block, and keeping each first page would hold them all.
            let replay_waits = route.as_ref().is_some_and(|(p, e, _)| {
                e.is_listing()
                    && fake
                        .faults
                        .lock()
                        .awaits(*p, *e, FaultKind::ReplayFirstPage)
            });
            Some(if replay_waits {
                remember_first_page(&fake, path, response).await
            } else {
                response
            })
        }
    };
    if let Some((provider, endpoint, base)) = route {
        let status = response.as_ref().map_or(0, |r| r.status().as_u16());
        fake.counters.record(RequestRecord {
            at,
            provider,
            endpoint,
            base,
            status,
        });
    }
    response.ok_or(Dropped)
}

/// Keeps the first 200 body of a listing path, for a later replay.
async fn remember_first_page(fake: &Fake, path: String, response: Response) -> Response {
    if response.status() != 200 || fake.first_pages.lock().contains_key(&path) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    fake.first_pages.lock().insert(path, bytes.clone());
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A body of `left` bytes of blanks, produced as it is sent (never held in memory).
struct Filler {
    left: usize,
}

impl hyper::body::Body for Filler {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        const CHUNK: usize = 256 * 1024;
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self.left.min(CHUNK);
        self.left -= n;
        let chunk = axum::body::Bytes::from(vec![b' '; n]);
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))))
    }
}

/// The answer of an injected fault, in the provider's own shapes.
fn fault_response(fake: &Fake, provider: ProviderId, kind: FaultKind) -> Response {
    match kind {
        FaultKind::OversizedBody(bytes) => {
            let mut resp = Response::new(axum::body::Body::new(Filler { left: bytes }));
            respond::set_header(&mut resp, "content-type", "application/json");
            resp
        }
        FaultKind::Status(status) => server_error(provider, status),
        // Answered in `handle`, which knows the request's path.
        FaultKind::ReplayFirstPage => server_error(provider, 500),
        FaultKind::RevokeAccessTokens => {
            fake.tokens.lock().revoke_access(provider);
            match provider {
                ProviderId::Hubspot => hubspot::unauthorized(None),
                ProviderId::Airtable => airtable::unauthorized(),
                ProviderId::Notion => notion::unauthorized(),
            }
        }
        FaultKind::MalformedJson => respond::raw(
            200,
            "application/json",
            "{\"results\": [{\"id\": \"1\", ".into(),
        ),
        FaultKind::RateLimited => match provider {
            ProviderId::Hubspot => hubspot::too_many_requests(fake),
            ProviderId::Airtable => airtable::too_many_requests(),
            ProviderId::Notion => notion::too_many_requests(fake.config.notion_retry_after_secs),
        },
        // Handled before: there is no response to build.
        FaultKind::DropConnection => server_error(provider, 500),
    }
}

/// A 5xx in the provider's error shape.
fn server_error(provider: ProviderId, status: u16) -> Response {
    let body = match provider {
        ProviderId::Hubspot => serde_json::json!({
            "status": "error", "message": "internal error", "correlationId": respond::request_id(),
            "category": "INTERNAL_ERROR"
        }),
        ProviderId::Airtable => {
            serde_json::json!({"error": {"type": "SERVER_ERROR", "message": "Server error"}})
        }
        ProviderId::Notion => serde_json::json!({
            "object": "error", "status": status, "code": "internal_server_error",
            "message": "Unexpected error occurred.", "request_id": respond::request_id()
        }),
    };
    respond::json(status, &body)
}

/// Accepts connections until `shutdown` flips; open connections finish their current
/// request and close.
pub(crate) async fn serve(
    listener: TcpListener,
    fake: Arc<Fake>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = router(fake.clone());
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let (fake, router, mut shutdown) = (fake.clone(), router.clone(), shutdown.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req| handle(fake.clone(), router.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_classify() {
        assert_eq!(
            classify("/hubspot/crm/objects/2026-09/deals"),
            Some((
                ProviderId::Hubspot,
                Endpoint::Objects(ObjectType::Deals),
                None
            ))
        );
        assert_eq!(
            classify("/airtable/v0/appX/tblY"),
            Some((ProviderId::Airtable, Endpoint::Records, Some("appX".into())))
        );
        assert_eq!(
            classify("/airtable/v0/meta/bases/appX/tables"),
            Some((ProviderId::Airtable, Endpoint::Tables, Some("appX".into())))
        );
        assert_eq!(
            classify("/airtable/v0/meta/bases").map(|c| c.1),
            Some(Endpoint::Bases)
        );
        assert_eq!(
            classify("/notion/v1/oauth/token").map(|c| c.1),
            Some(Endpoint::Token)
        );
        assert_eq!(
            classify("/hubspot/oauth/v1/token"),
            None,
            "v1 is not served"
        );
        assert_eq!(
            classify("/hubspot/crm/associations/2026-09/contacts/companies/batch/read")
                .map(|c| c.1),
            Some(Endpoint::Associations)
        );
        assert_eq!(
            classify("/hubspot/crm/v3/objects/deals"),
            None,
            "v3 is not served"
        );
        assert_eq!(classify("/slack/x"), None);
    }
}
