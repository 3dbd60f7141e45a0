//! The cache as opened. A configured Redis that is down stays an error the user sees
//! (with a retry), never a silent switch to the embedded store.

use std::sync::Arc;

use tokio::sync::RwLock;

use crate::config::Config;
use crate::store::{Kv, SecretName, Secrets};
use crate::views::CacheStatus;
use crate::{Error, Result};

enum Slot {
    Ready(Kv),
    /// Why the configured Redis could not be opened.
    Down {
        reason: String,
    },
}

#[derive(Clone)]
pub struct Cache {
    config: Arc<Config>,
    secrets: Secrets,
    slot: Arc<RwLock<Slot>>,
}

impl Cache {
    pub(super) async fn open(config: Arc<Config>, secrets: Secrets) -> Cache {
        let slot = open_slot(&config, &secrets).await;
        Cache {
            config,
            secrets,
            slot: Arc::new(RwLock::new(slot)),
        }
    }

    /// The cache, or why it is unavailable.
    pub async fn kv(&self) -> Result<Kv> {
        match &*self.slot.read().await {
            Slot::Ready(kv) => Ok(kv.clone()),
            Slot::Down { reason } => Err(self.down(reason)),
        }
    }

    /// Connects to the configured Redis again (the status bar's Retry).
    pub async fn retry(&self) {
        let fresh = open_slot(&self.config, &self.secrets).await;
        *self.slot.write().await = fresh;
    }

    pub async fn status(&self) -> CacheStatus {
        match &*self.slot.read().await {
            Slot::Ready(kv) => {
                // A Redis that was fine at start may have gone away since.
                let ping = kv.ping().await;
                CacheStatus {
                    kind: if kv.is_redis() { "redis" } else { "embedded" },
                    label: kv.label(),
                    ok: ping.is_ok(),
                    error: ping.err().map(|e| e.to_string()),
                    warning: self.cleartext_warning(),
                }
            }
            Slot::Down { reason } => CacheStatus {
                kind: "redis",
                label: format!("Cache: Redis at {}", self.host_port()),
                ok: false,
                error: Some(self.down(reason).to_string()),
                warning: self.cleartext_warning(),
            },
        }
    }

    fn down(&self, reason: &str) -> Error {
        Error::CacheUnavailable {
            endpoint: self.host_port(),
            reason: reason.to_string(),
        }
    }

    fn cleartext_warning(&self) -> Option<String> {
        self.config.redis.as_ref()?.cleartext_warning()
    }

    fn host_port(&self) -> String {
        self.config
            .redis
            .as_ref()
            .map(|r| r.host_port())
            .unwrap_or_default()
    }
}

async fn open_slot(config: &Config, secrets: &Secrets) -> Slot {
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
        Ok(kv) => Slot::Ready(kv),
        Err(e) => {
            tracing::warn!(error = %e, "cache unavailable");
            // Kv::open fails only with CacheUnavailable; keep its reason, whatever it is.
            let reason = match e {
                Error::CacheUnavailable { reason, .. } => reason,
                other => other.to_string(),
            };
            Slot::Down { reason }
        }
    }
}
