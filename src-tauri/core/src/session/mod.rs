//! A `Session` is Junction for one org and user: a thin, cheap-to-clone handle over its
//! parts, each in its own module and the one owner of its facts:
//!
//! - [`cache`]: the Kv cache as opened (Redis or embedded), with retry;
//! - [`apps`]: the OAuth app of each provider (client id and secret);
//! - [`connections`]: the connection facts, read once and kept in memory;
//! - [`tokens`]: grants, access tokens and refreshes;
//! - [`sign_in`]: connect, disconnect, forget everything;
//! - [`settings`]: what the Settings dialog shows and saves.
//!
//! The desktop shell and the CLI each hold one; their commands are thin calls into it.

pub mod apps;
pub mod cache;
pub mod connections;
mod settings;
mod sign_in;
pub mod tokens;

use std::sync::Arc;

use secrecy::SecretString;

use crate::config::Config;
use crate::oauth::ProviderClient;
use crate::store::items::ItemStore;
use crate::store::{Keys, Kv, Secrets};
use crate::views::{
    AppStatus, ConnectionState, LoadStatus, ProviderView, SecretsStatus, StoppedLoad, StoreStatus,
    StoredItems,
};
use crate::{ProviderId, Result};

pub use apps::OAuthApps;
pub use cache::Cache;
pub use connections::{ConnectionFacts, Connections, CONNECTIONS_FILE};
pub use sign_in::PendingConnect;
pub use tokens::{Grant, Tokens};

#[derive(Clone)]
pub struct Session {
    config: Arc<Config>,
    secrets: Secrets,
    keys: Keys,
    cache: Cache,
    apps: OAuthApps,
    connections: Connections,
    tokens: Tokens,
    items: ItemStore,
}

impl Session {
    /// Opens the stores the configuration names.
    pub async fn open(config: Config) -> Session {
        let secrets = Secrets::open(&config).await;
        Self::with_secrets(config, secrets).await
    }

    /// Opens with a given secret store (tests use [`Secrets::memory`]).
    pub async fn with_secrets(config: Config, secrets: Secrets) -> Session {
        let dir = config.data_dir.clone();
        let items = tokio::task::spawn_blocking(move || ItemStore::open(&dir))
            .await
            .expect("opening the item store never panics");
        Self::with_parts(config, secrets, items).await
    }

    /// Opens with a given secret store and item store (the app keeps both across a
    /// settings change: reopening would probe the keychain and rebuild the index).
    pub async fn with_parts(config: Config, secrets: Secrets, items: ItemStore) -> Session {
        let config = Arc::new(config);
        let keys = Keys::new(config.org_id.clone(), config.user_id.clone());
        let cache = Cache::open(config.clone(), secrets.clone()).await;
        let apps = OAuthApps::new(config.clone(), secrets.clone());
        let connections = Connections::new(&config.config_dir, &config.org_id, &config.user_id);
        let tokens = Tokens::new(
            config.clone(),
            secrets.clone(),
            cache.clone(),
            connections.clone(),
            apps.clone(),
        );
        Session {
            config,
            secrets,
            keys,
            cache,
            apps,
            connections,
            tokens,
            items,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn apps(&self) -> &OAuthApps {
        &self.apps
    }

    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Every loaded item (SQLite in the data dir).
    pub fn items(&self) -> &ItemStore {
        &self.items
    }

    /// The cache, or why it is unavailable.
    pub async fn kv(&self) -> Result<Kv> {
        self.cache.kv().await
    }

    /// A usable access token for `provider`, refreshed ahead of expiry when needed.
    pub async fn access_token(&self, provider: ProviderId) -> Result<SecretString> {
        self.tokens.access_token(provider).await
    }

    /// The grant in the secret store, if any.
    pub async fn grant(&self, provider: ProviderId) -> Result<Option<Grant>> {
        self.tokens.grant(provider).await
    }

    /// Stores a grant and caches its access token.
    pub async fn store_grant(&self, provider: ProviderId, grant: &Grant) -> Result<()> {
        self.tokens.store_grant(provider, grant).await
    }

    /// The OAuth client for `provider` from the current settings.
    pub async fn provider_client(&self, provider: ProviderId) -> Result<ProviderClient> {
        self.apps.client(provider).await
    }

    /// Connects to the configured Redis again (the status bar's Retry).
    pub async fn retry_cache(&self) -> AppStatus {
        self.cache.retry().await;
        self.status().await
    }

    pub async fn status(&self) -> AppStatus {
        AppStatus {
            cache: self.cache.status().await,
            secrets: SecretsStatus {
                backend: self.secrets.kind(),
                warning: self.secrets.warning().map(str::to_string),
            },
            store: self.store_status().await,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Where the item store is, its size, and whether it had to start over.
    pub async fn store_status(&self) -> StoreStatus {
        let items = self.items.clone();
        let size = crate::fs::blocking(move || Ok(items.size_bytes()))
            .await
            .unwrap_or(0);
        StoreStatus {
            path: self.items.path().display().to_string(),
            size_bytes: size,
            problem: self.items.recovered().map(|r| {
                if r.moved_to.as_os_str().is_empty() {
                    r.reason.clone()
                } else {
                    format!(
                        "The item store was damaged and started empty; the old file is {} ({})",
                        r.moved_to.display(),
                        r.reason
                    )
                }
            }),
        }
    }

    /// What the store says of `id`'s loads.
    async fn stored(&self, id: ProviderId) -> (Option<StoredItems>, LoadStatus) {
        let items = self.items.clone();
        let records = crate::fs::blocking(move || items.loads())
            .await
            .unwrap_or_default();
        // One account per provider for now: the first record is the provider's.
        let Some(record) = records.into_iter().find(|r| r.provider == id) else {
            return (None, LoadStatus::default());
        };
        let stored = record.complete.map(|c| StoredItems {
            count: c.count,
            loaded_at: crate::item::format_time(&c.finished_at),
        });
        let load = LoadStatus {
            running: record.running,
            failed: record.failed.map(|f| StoppedLoad {
                code: f.code,
                message: f.message,
                count: f.count,
                resumable: f.resumable,
            }),
        };
        (stored, load)
    }

    /// A card per provider.
    pub async fn providers(&self) -> Vec<ProviderView> {
        let mut views = Vec::with_capacity(ProviderId::ALL.len());
        for id in ProviderId::ALL {
            views.push(self.provider_view(id).await);
        }
        views
    }

    /// One provider's card: configured? connected (as whom, until when)? reconnect?
    pub async fn provider_view(&self, id: ProviderId) -> ProviderView {
        let (stored, load) = self.stored(id).await;
        let mut view = ProviderView {
            id,
            name: id.display_name(),
            state: ConnectionState::NotConnected,
            hint: None,
            account: None,
            expires_at: None,
            last_error: None,
            stored,
            load,
        };
        match self.connections.get(id).await {
            Ok(Some(facts)) => {
                view.account = facts.account;
                match facts.needs_reconnect {
                    Some(reason) => {
                        view.state = ConnectionState::NeedsReconnect;
                        view.last_error = Some(reason);
                    }
                    None => view.state = ConnectionState::Connected,
                }
                if let Ok(Some(grant)) = self.tokens.grant(id).await {
                    view.expires_at = grant.expires_at.map(|t| crate::item::format_time(&t));
                }
            }
            Ok(None) => {}
            Err(e) => view.last_error = Some(e.to_string()),
        }
        if view.state == ConnectionState::NotConnected {
            if let Some(hint) = self.apps.missing_setup(id).await {
                view.state = ConnectionState::NotConfigured;
                view.hint = Some(hint);
            }
        }
        view
    }
}
