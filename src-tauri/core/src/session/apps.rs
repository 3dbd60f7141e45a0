//! The OAuth app registered with each provider: its client id (config) and client
//! secret (the environment's, else the one saved in the secret store), what Connect
//! still needs, and the OAuth client built from them.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::config::Config;
use crate::oauth::{spec, ProviderClient};
use crate::store::{SecretName, Secrets};
use crate::{Error, ProviderId, Result};

#[derive(Clone)]
pub struct OAuthApps {
    config: Arc<Config>,
    secrets: Secrets,
}

impl OAuthApps {
    pub(super) fn new(config: Arc<Config>, secrets: Secrets) -> Self {
        OAuthApps { config, secrets }
    }

    /// The client secret: the environment's, else the one saved in Settings.
    pub async fn client_secret(&self, provider: ProviderId) -> Option<SecretString> {
        if let Some(secret) = &self.config.provider(provider).client_secret_env {
            return Some(secret.clone());
        }
        self.secrets
            .get(&SecretName::client_secret(provider))
            .await
            .ok()
            .flatten()
    }

    /// Whether a client secret is saved or set by the environment (never the value).
    pub async fn client_secret_is_set(&self, provider: ProviderId) -> bool {
        self.client_secret(provider)
            .await
            .is_some_and(|s| !s.expose_secret().is_empty())
    }

    /// Saves a client secret (write-only: nothing reads it back out over IPC); an
    /// empty one removes it.
    pub async fn set_client_secret(&self, provider: ProviderId, secret: &str) -> Result<()> {
        let name = SecretName::client_secret(provider);
        if secret.trim().is_empty() {
            return self.secrets.delete(&name).await;
        }
        self.secrets
            .set(&name, &SecretString::from(secret.trim().to_string()))
            .await
    }

    /// What Connect needs and is missing, as an instruction; `None` when ready.
    pub async fn missing_setup(&self, provider: ProviderId) -> Option<String> {
        let name = provider.display_name();
        let env = provider.env_prefix();
        if self.config.provider(provider).client_id.is_none() {
            return Some(format!(
                "Set the {name} client ID in Settings (or JUNCTION_{env}_CLIENT_ID)"
            ));
        }
        if spec(provider).secret_required && self.client_secret(provider).await.is_none() {
            return Some(format!(
                "Set the {name} client secret in Settings (or JUNCTION_{env}_CLIENT_SECRET)"
            ));
        }
        None
    }

    /// The OAuth client for `provider` from the current settings.
    pub async fn client(&self, provider: ProviderId) -> Result<ProviderClient> {
        if let Some(what) = self.missing_setup(provider).await {
            return Err(Error::NotConfigured {
                provider: provider.display_name().into(),
                what,
            });
        }
        let settings = self.config.provider(provider);
        ProviderClient::new(
            provider,
            settings.client_id.clone().unwrap_or_default(),
            self.client_secret(provider).await,
            settings.endpoints.clone(),
            self.config.redirect_uri(provider),
        )
    }
}
