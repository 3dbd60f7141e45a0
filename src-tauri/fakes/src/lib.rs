//! Fake HubSpot, Airtable and Notion servers for tests and benchmarks (a crate of its
//! own, never shipped). They behave like the real services as described in
//! shared/docs/providers.md: OAuth endpoints with each provider's client-auth style and
//! error shapes, the item APIs with real paging, rate limits with the real 429 bodies
//! and headers, and faults on demand.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use junction_fakes::{Endpoint, Fault, FaultKind, FakeConfig, FakeProviders};
//! use junction_core::ProviderId;
//! let fakes = FakeProviders::start(FakeConfig::default()).await?;
//! let urls = fakes.urls(ProviderId::Notion); // point the client's auth/token/api URLs here
//! fakes.inject(Fault::new(ProviderId::Notion, FaultKind::RateLimited).on(Endpoint::Search).after(2).times(3));
//! // … run a load …
//! assert_eq!(fakes.counters().rate_limited(ProviderId::Notion), 3);
//! # Ok(()) }
//! ```
//!
//! All three fakes share one listener on 127.0.0.1, each under its own path prefix
//! (`/hubspot`, `/airtable`, `/notion`), so the client reaches them through its
//! configurable auth, token and API URLs ([`FakeProviders::urls`]).

// Handlers return early with a finished `Response` as their error (`Result<_, Response>`
// then `?`); it is large, but this is a test server and those are its cold paths.
#![allow(clippy::result_large_err)]

mod airtable;
mod config;
mod counters;
mod data;
mod faults;
pub mod harness;
mod hubspot;
mod limits;
mod notion;
mod notion_data;
mod oauth;
mod respond;
mod server;
mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{redirect_uri, DataSize, FakeApp, FakeConfig};
pub use counters::{Counters, Endpoint, RequestRecord};
pub use data::DataSummary;
pub use faults::{Fault, FaultKind};
pub use harness::{browse, free_port, Harness};
pub use notion_data::LONG_RELATION as NOTION_LONG_RELATION;

use server::Fake;

use junction_core::ProviderId;

/// Where a client finds one fake provider (the three URLs Junction's config takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUrls {
    /// The authorize URL (`JUNCTION_<P>_AUTH_URL`).
    pub auth: String,
    /// The token URL (`JUNCTION_<P>_TOKEN_URL`); HubSpot's revoke and introspect are
    /// `<token>/revoke` and `<token>/introspect`.
    pub token: String,
    /// The API base (`JUNCTION_<P>_API_URL`): `<api>/crm/objects/2026-09/…`, `<api>/v0/…`, `<api>/v1/…`.
    pub api: String,
}

/// Running fake providers. Dropping the handle stops the server.
pub struct FakeProviders {
    fake: Arc<Fake>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeProviders {
    /// Binds 127.0.0.1:`config.port` (0 = any free port), generates the data set and
    /// starts serving on the current tokio runtime.
    pub async fn start(config: FakeConfig) -> std::io::Result<FakeProviders> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let fake = Arc::new(Fake::new(config));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, fake.clone(), rx));
        Ok(FakeProviders {
            fake,
            addr,
            shutdown,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The auth, token and API URLs of one fake.
    pub fn urls(&self, provider: ProviderId) -> ProviderUrls {
        let root = format!("{}/{provider}", self.base_url());
        match provider {
            ProviderId::Hubspot => ProviderUrls {
                auth: format!("{root}/oauth/authorize"),
                token: format!("{root}/oauth/2026-03/token"),
                api: root,
            },
            ProviderId::Airtable => ProviderUrls {
                auth: format!("{root}/oauth2/v1/authorize"),
                token: format!("{root}/oauth2/v1/token"),
                api: root,
            },
            ProviderId::Notion => ProviderUrls {
                auth: format!("{root}/v1/oauth/authorize"),
                token: format!("{root}/v1/oauth/token"),
                api: root,
            },
        }
    }

    /// The environment that points Junction (app or CLI) at these fakes: per provider
    /// `JUNCTION_<P>_{AUTH,TOKEN,API}_URL`, `_CLIENT_ID` and `_CLIENT_SECRET` (when set).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = Vec::new();
        for p in ProviderId::ALL {
            let prefix = format!("JUNCTION_{}", p.env_prefix());
            let urls = self.urls(p);
            env.push((format!("{prefix}_AUTH_URL"), urls.auth));
            env.push((format!("{prefix}_TOKEN_URL"), urls.token));
            env.push((format!("{prefix}_API_URL"), urls.api));
            if let Some(app) = self.fake.app(p) {
                env.push((format!("{prefix}_CLIENT_ID"), app.client_id));
                if let Some(secret) = app.client_secret {
                    env.push((format!("{prefix}_CLIENT_SECRET"), secret));
                }
            }
        }
        env
    }

    /// The OAuth app registered at `provider` (client id, secret, redirect URIs).
    pub fn app(&self, provider: ProviderId) -> FakeApp {
        self.fake
            .app(provider)
            .unwrap_or_else(|| FakeApp::default_for(provider))
    }

    /// The configuration the fakes started with.
    pub fn config(&self) -> &FakeConfig {
        &self.fake.config
    }

    /// How many items of each kind the data set holds.
    pub fn summary(&self) -> DataSummary {
        self.fake.data.summary()
    }

    /// Every secret the fakes know of: each access and refresh token issued so far, and
    /// the apps' client secrets. None of them may show up outside the secret store.
    pub fn secrets(&self) -> Vec<String> {
        let mut all = self.fake.tokens.lock().issued().to_vec();
        all.extend(
            self.fake
                .settings
                .lock()
                .apps
                .values()
                .filter_map(|app| app.client_secret.clone()),
        );
        all
    }

    /// Requests, grants, revocations and 429s seen so far.
    pub fn counters(&self) -> &Counters {
        &self.fake.counters
    }

    /// Adds a fault; it fires after `fault.after` matching requests, `fault.times` times.
    pub fn inject(&self, fault: Fault) {
        self.fake.faults.lock().add(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.fake.faults.lock().clear();
    }

    /// Faults that have not fired all their times yet.
    pub fn pending_faults(&self) -> usize {
        self.fake.faults.lock().pending()
    }

    /// Makes the fake "user" deny (or approve again) at `provider`'s authorize step.
    pub fn set_deny(&self, provider: ProviderId, deny: bool) {
        let mut s = self.fake.settings.lock();
        if deny {
            s.deny.insert(provider);
        } else {
            s.deny.remove(&provider);
        }
    }

    /// Registers one more redirect URI (e.g. a test's loopback port).
    pub fn register_redirect_uri(&self, provider: ProviderId, uri: &str) {
        let mut s = self.fake.settings.lock();
        let app = s
            .apps
            .entry(provider)
            .or_insert_with(|| FakeApp::default_for(provider));
        if !app.redirect_uris.iter().any(|u| u == uri) {
            app.redirect_uris.push(uri.to_string());
        }
    }

    /// Replaces the app registered at `provider` (e.g. an Airtable app without secret).
    pub fn set_app(&self, provider: ProviderId, app: FakeApp) {
        self.fake.settings.lock().apps.insert(provider, app);
    }

    /// Latency added to every request from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.fake.settings.lock().latency = latency;
    }

    /// Turns rate limiting on or off.
    pub fn set_rate_limits(&self, on: bool) {
        self.fake.settings.lock().rate_limits = on;
    }

    /// Lifetime of access tokens issued from now on (`None` = the provider's own).
    pub fn set_access_token_ttl(&self, ttl: Option<Duration>) {
        self.fake.settings.lock().access_token_ttl = ttl;
    }

    /// Expires every access token of `provider` now (HubSpot then answers
    /// `EXPIRED_AUTHENTICATION`).
    pub fn expire_access_tokens(&self, provider: ProviderId) {
        self.fake.tokens.lock().expire_access(provider);
    }

    /// Revokes every access token of `provider` (refresh tokens keep working).
    pub fn revoke_access_tokens(&self, provider: ProviderId) {
        self.fake.tokens.lock().revoke_access(provider);
    }

    /// Ages pending authorization codes, to test their 10-minute expiry without waiting.
    pub fn age_codes(&self, provider: ProviderId, by: Duration) {
        self.fake.tokens.lock().age_codes(provider, by);
    }

    /// Live (access, refresh) tokens of `provider`.
    pub fn live_tokens(&self, provider: ProviderId) -> (usize, usize) {
        self.fake.tokens.lock().live(provider)
    }

    /// Stops accepting, lets open connections finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeProviders {
    fn drop(&mut self) {
        // Graceful: the accept loop ends and each connection closes after its request.
        let _ = self.shutdown.send(true);
    }
}
