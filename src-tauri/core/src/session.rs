//! A `Session` is Junction for one org and user: the configuration and the stores it
//! opened. The desktop shell and the CLI each hold one; their commands are thin calls
//! into it.

use std::sync::Arc;

use tokio::sync::RwLock;

use crate::config::Config;
use crate::store::{Keys, Kv, SecretName, Secrets};
use crate::views::{AppStatus, CacheStatus, ConnectionState, ProviderView, SecretsStatus};
use crate::{Error, ProviderId, Result};

/// The cache as opened: a configured Redis that is down stays an error the user sees
/// (with a retry), never a silent switch to the embedded store.
enum CacheSlot {
    Ready(Kv),
    /// Why the configured Redis could not be opened.
    Down {
        reason: String,
    },
}

#[derive(Clone)]
pub struct Session {
    config: Arc<Config>,
    secrets: Secrets,
    cache: Arc<RwLock<CacheSlot>>,
    keys: Keys,
    /// One refresh at a time per provider in this process.
    refresh_locks: Arc<[tokio::sync::Mutex<()>; 3]>,
}

impl Session {
    /// Opens the stores the configuration names.
    pub async fn open(config: Config) -> Session {
        let secrets = Secrets::open(&config).await;
        Self::with_secrets(config, secrets).await
    }

    /// Opens with a given secret store (tests use [`Secrets::memory`]).
    pub async fn with_secrets(config: Config, secrets: Secrets) -> Session {
        let cache = open_cache(&config, &secrets).await;
        let keys = Keys::new(config.org_id.clone(), config.user_id.clone());
        Session {
            config: Arc::new(config),
            secrets,
            cache: Arc::new(RwLock::new(cache)),
            keys,
            refresh_locks: Arc::new(Default::default()),
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

    pub(crate) fn refresh_mutex(&self, provider: ProviderId) -> &tokio::sync::Mutex<()> {
        let index = ProviderId::ALL
            .iter()
            .position(|p| *p == provider)
            .unwrap_or(0);
        &self.refresh_locks[index]
    }

    /// The cache, or why it is unavailable.
    pub async fn kv(&self) -> Result<Kv> {
        match &*self.cache.read().await {
            CacheSlot::Ready(kv) => Ok(kv.clone()),
            CacheSlot::Down { reason } => Err(self.cache_down(reason)),
        }
    }

    fn cache_down(&self, reason: &str) -> Error {
        Error::CacheUnavailable {
            endpoint: self.redis_host_port(),
            reason: reason.to_string(),
        }
    }

    fn redis_host_port(&self) -> String {
        self.config
            .redis
            .as_ref()
            .map(|r| r.host_port())
            .unwrap_or_default()
    }

    /// Connects to the configured Redis again (the status bar's Retry).
    pub async fn retry_cache(&self) -> AppStatus {
        let fresh = open_cache(&self.config, &self.secrets).await;
        *self.cache.write().await = fresh;
        self.status().await
    }

    pub async fn status(&self) -> AppStatus {
        let cache = match &*self.cache.read().await {
            CacheSlot::Ready(kv) => {
                // A Redis that was fine at start may have gone away since.
                let ping = kv.ping().await;
                CacheStatus {
                    kind: if kv.is_redis() { "redis" } else { "embedded" },
                    label: kv.label(),
                    ok: ping.is_ok(),
                    error: ping.err().map(|e| e.to_string()),
                }
            }
            CacheSlot::Down { reason } => CacheStatus {
                kind: "redis",
                label: format!("Cache: Redis at {}", self.redis_host_port()),
                ok: false,
                error: Some(self.cache_down(reason).to_string()),
            },
        };
        AppStatus {
            cache,
            secrets: SecretsStatus {
                backend: self.secrets.kind(),
                warning: self.secrets.warning().map(str::to_string),
            },
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// What Connect needs and is missing, as an instruction; `None` when ready.
    pub async fn missing_setup(&self, provider: ProviderId) -> Option<String> {
        let settings = self.config.provider(provider);
        let name = provider.display_name();
        if settings.client_id.is_none() {
            return Some(format!(
                "Set the {name} client ID in Settings (or JUNCTION_{}_CLIENT_ID)",
                provider.env_prefix()
            ));
        }
        if crate::oauth::spec(provider).secret_required
            && self.client_secret(provider).await.is_none()
        {
            return Some(format!(
                "Set the {name} client secret in Settings (or JUNCTION_{}_CLIENT_SECRET)",
                provider.env_prefix()
            ));
        }
        None
    }

    /// The client secret: the environment's, else the one saved in Settings.
    pub async fn client_secret(&self, provider: ProviderId) -> Option<secrecy::SecretString> {
        if let Some(secret) = &self.config.provider(provider).client_secret_env {
            return Some(secret.clone());
        }
        self.secrets
            .get(&SecretName::client_secret(provider))
            .await
            .ok()
            .flatten()
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
        let cfg = &self.config;
        let facts = crate::connections::ConnectionsFile::new(&cfg.config_dir).get(
            &cfg.org_id,
            &cfg.user_id,
            id,
        );
        let mut view = ProviderView {
            id,
            name: id.display_name(),
            state: ConnectionState::NotConnected,
            hint: None,
            account: None,
            expires_at: None,
            last_error: None,
        };
        match facts {
            Ok(Some(facts)) => {
                view.account = facts.account;
                match facts.needs_reconnect {
                    Some(reason) => {
                        view.state = ConnectionState::NeedsReconnect;
                        view.last_error = Some(reason);
                    }
                    None => view.state = ConnectionState::Connected,
                }
                if let Ok(Some(grant)) = self.grant(id).await {
                    view.expires_at = grant.expires_at.map(|t| crate::item::format_time(&t));
                }
            }
            Ok(None) => {}
            Err(e) => view.last_error = Some(e.to_string()),
        }
        if view.state == ConnectionState::NotConnected {
            if let Some(hint) = self.missing_setup(id).await {
                view.state = ConnectionState::NotConfigured;
                view.hint = Some(hint);
            }
        }
        view
    }
}

async fn open_cache(config: &Config, secrets: &Secrets) -> CacheSlot {
    let password = if config
        .redis
        .as_ref()
        .is_some_and(|r| r.password().is_none())
    {
        secrets
            .get(&SecretName::redis_password())
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let password = password.as_ref().map(secrecy::ExposeSecret::expose_secret);
    match Kv::open(config, password).await {
        Ok(kv) => CacheSlot::Ready(kv),
        Err(e) => {
            tracing::warn!(error = %e, "cache unavailable");
            // Kv::open fails only with CacheUnavailable; keep its reason, whatever it is.
            let reason = match e {
                Error::CacheUnavailable { reason, .. } => reason,
                other => other.to_string(),
            };
            CacheSlot::Down { reason }
        }
    }
}
