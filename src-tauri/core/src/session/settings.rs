//! The Settings dialog's model: what it shows (no secret values, only whether they are
//! set) and how a save is checked and written (config.toml for plain values, the
//! secret store for the Redis password).

use crate::config::{Config, ProviderFileConfig, RedisEndpoint};
use crate::store::SecretName;
use crate::views::{ProviderSettingsView, SettingsInput, SettingsView};
use crate::{ProviderId, Result, Session};

impl Session {
    pub async fn settings(&self) -> SettingsView {
        let cfg = self.config();
        let mut providers = Vec::new();
        for id in ProviderId::ALL {
            let p = cfg.provider(id);
            providers.push(ProviderSettingsView {
                id,
                name: id.display_name(),
                client_id: p.client_id.clone().unwrap_or_default(),
                client_secret_set: self.apps().client_secret_is_set(id).await,
                client_secret_required: crate::oauth::spec(id).secret_required,
                env_overrides: p.env_overrides.clone(),
            });
        }
        SettingsView {
            providers,
            sign_in_mode: cfg.sign_in_mode,
            redirect_port: cfg.redirect_port,
            redirect_ports: (
                *crate::config::REDIRECT_PORTS.start(),
                *crate::config::REDIRECT_PORTS.end(),
            ),
            redis_url: self.redis_url_for_display().await,
            hubspot_archived: cfg.hubspot_archived,
            env_overrides: cfg.env_overrides.clone(),
            store: self.store_status().await,
        }
    }

    /// Checks and writes the settings; the caller reloads the session from the new
    /// config. A password in the Redis URL goes to the secret store, not the file.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<()> {
        crate::config::check_port("redirect_port", input.redirect_port)?;
        let mut file = self.config().file.clone();
        for p in input.providers {
            let entry: &mut ProviderFileConfig = file.providers.entry(p.id).or_default();
            let id = p.client_id.trim();
            entry.client_id = (!id.is_empty()).then(|| id.to_string());
        }
        file.sign_in_mode = Some(input.sign_in_mode);
        file.redirect_port = Some(input.redirect_port);
        if let Some(archived) = input.hubspot_archived {
            // Written only when on, so config.toml keeps only what the user chose.
            file.hubspot_archived = archived.then_some(true);
        }
        // What to do with the password is decided now and done only after validation,
        // so a refused save changes nothing.
        let mut password: Option<Option<String>> = None; // None: keep; Some(None): clear
        match input
            .redis_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => file.redis_url = None,
            Some(text) => {
                let endpoint = RedisEndpoint::parse("Redis URL", text)?;
                match endpoint.password() {
                    // The dialog shows a saved password as `***`: keep the saved one.
                    Some("***") => {}
                    Some(p) => password = Some(Some(p.to_string())),
                    None => password = Some(None),
                }
                file.redis_url = Some(endpoint.without_password());
            }
        }
        // Resolve once to reject anything the loader would reject.
        Config::resolve(
            self.config().config_dir.clone(),
            file.clone(),
            &|_: &str| None,
        )?;
        let name = SecretName::redis_password();
        match password {
            None => {}
            Some(Some(p)) => self.secrets().set(&name, &p.into()).await?,
            Some(None) => self.secrets().delete(&name).await?,
        }
        let dir = self.config().config_dir.clone();
        crate::fs::blocking(move || file.write(&dir)).await
    }

    /// The Redis URL as the dialog shows it: a password, in the URL or in the secret
    /// store, appears as `***` (and `***` sent back means "keep it").
    async fn redis_url_for_display(&self) -> Option<String> {
        let redis = self.config().redis.as_ref()?;
        if redis.password().is_some() {
            return Some(redis.to_string());
        }
        let saved = self
            .secrets()
            .get(&SecretName::redis_password())
            .await
            .ok()
            .flatten();
        Some(match saved {
            Some(_) => redis.with_password("***").to_string(),
            None => redis.without_password(),
        })
    }
}
