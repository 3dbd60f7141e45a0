//! A connection's tokens and keeping them fresh.
//!
//! The refresh token (or Notion's long-lived access token) lives in the secret store
//! as a `Grant`; the access token is cached in Kv with a TTL that ends ahead of its
//! expiry. The grant also carries the current access token and its expiry, so a
//! second process (the CLI beside the app) on the embedded store reads the token the
//! first one refreshed instead of refreshing again — which for rotating providers
//! would revoke the first one's tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::apps::OAuthApps;
use super::cache::Cache;
use super::connections::Connections;
use crate::config::Config;
use crate::oauth::{TokenFailure, TokenSet};
use crate::store::{KeyKind, Keys, SecretName, Secrets};
use crate::{Error, ProviderId, Result};

/// How long to cache an access token whose expiry the provider does not say (Notion):
/// the original backend's 600 s.
pub const UNKNOWN_EXPIRY_CACHE: Duration = Duration::from_secs(600);
/// How long a refresh lock lives if its holder dies: longer than the worst hold (a
/// 30 s token call, a 409 wait, a second 30 s call), so it never lapses mid-refresh.
const LOCK_TTL: Duration = Duration::from_secs(90);

/// The longest lifetime a token is believed to have. A larger `expires_in` (a provider
/// or a proxy may send any number) is read as this, so an expiry is always a date that
/// exists: `now + u64::MAX seconds` overflows (and panicked).
pub const LONGEST_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// When a token that lives `seconds` from now expires, clamped to
/// [`LONGEST_TOKEN_LIFETIME`].
pub fn expiry_after(seconds: u64) -> DateTime<Utc> {
    let seconds = seconds.min(LONGEST_TOKEN_LIFETIME.as_secs());
    // Bounded above, so neither the conversion nor the addition can overflow.
    Utc::now() + chrono::Duration::seconds(seconds as i64)
}

/// What the secret store holds for a connection.
#[derive(Clone, Serialize, Deserialize)]
pub struct Grant {
    pub refresh_token: Option<String>,
    pub access_token: Option<String>,
    /// `None` for tokens that do not expire (Notion's legacy installs).
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Grant {
    pub fn from_tokens(tokens: &TokenSet) -> Grant {
        Grant {
            refresh_token: tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_string()),
            access_token: Some(tokens.access_token.expose_secret().to_string()),
            expires_at: tokens.expires_in.map(expiry_after),
        }
    }

    /// The access token while it is not within `refresh_ahead` of its expiry.
    fn fresh_access_token(
        &self,
        refresh_ahead: Duration,
    ) -> Option<(String, Option<DateTime<Utc>>)> {
        let token = self.access_token.clone()?;
        match self.expires_at {
            None => Some((token, None)),
            Some(at) => {
                let remaining = (at - Utc::now()).to_std().unwrap_or_default();
                (remaining > refresh_ahead).then_some((token, Some(at)))
            }
        }
    }
}

/// What Kv holds: the access token and when it expires.
#[derive(Serialize, Deserialize)]
struct CachedToken {
    token: String,
    expires_at: Option<DateTime<Utc>>,
}

/// Refresh this long before expiry: 5 minutes, or a fifth of a short lifetime.
pub fn refresh_ahead(lifetime: Option<Duration>) -> Duration {
    match lifetime {
        Some(l) => (l / 5).min(Duration::from_secs(300)),
        None => Duration::from_secs(300),
    }
}

/// A connection's tokens: the grant in the secret store, the access token in the
/// cache, and refreshes, one at a time per connection.
#[derive(Clone)]
pub struct Tokens {
    config: Arc<Config>,
    secrets: Secrets,
    cache: Cache,
    connections: Connections,
    apps: OAuthApps,
    keys: Keys,
    /// One refresh at a time per provider in this process.
    refresh_locks: Arc<HashMap<ProviderId, tokio::sync::Mutex<()>>>,
    /// Grants a refresh got but could not yet write to the secret store (it failed or
    /// timed out). The provider already retired the old refresh token, so this copy is
    /// the only one: it is used before the store's and written again until it lands.
    pending: Arc<parking_lot::Mutex<HashMap<ProviderId, Grant>>>,
}

/// Waits between attempts to write a pending grant (then it stays in memory only).
const PENDING_RETRIES: [Duration; 6] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(16),
    Duration::from_secs(30),
];

impl Tokens {
    pub(super) fn new(
        config: Arc<Config>,
        secrets: Secrets,
        cache: Cache,
        connections: Connections,
        apps: OAuthApps,
    ) -> Tokens {
        let keys = Keys::new(config.org_id.clone(), config.user_id.clone());
        Tokens {
            config,
            secrets,
            cache,
            connections,
            apps,
            keys,
            refresh_locks: Arc::new(
                ProviderId::ALL
                    .into_iter()
                    .map(|p| (p, Default::default()))
                    .collect(),
            ),
            pending: Arc::default(),
        }
    }

    fn grant_name(&self, provider: ProviderId) -> SecretName {
        SecretName::refresh_token(&self.config.org_id, &self.config.user_id, provider)
    }

    /// Held while a refresh runs; disconnect takes it so no refresh writes a grant
    /// back after it was deleted.
    pub(crate) fn refresh_mutex(&self, provider: ProviderId) -> &tokio::sync::Mutex<()> {
        &self.refresh_locks[&provider]
    }

    /// The grant: one not yet written (newer than the store's), else the secret
    /// store's, if any.
    pub async fn grant(&self, provider: ProviderId) -> Result<Option<Grant>> {
        if let Some(grant) = self.pending.lock().get(&provider) {
            return Ok(Some(grant.clone()));
        }
        let Some(secret) = self.secrets.get(&self.grant_name(provider)).await? else {
            return Ok(None);
        };
        serde_json::from_str(secret.expose_secret())
            .map(Some)
            .map_err(|_| Error::Secrets {
                backend: self.secrets.kind().into(),
                reason: format!(
                    "the stored {} grant is unreadable; reconnect",
                    provider.display_name()
                ),
            })
    }

    /// The grant, or `not_connected` when there is none.
    async fn required_grant(&self, provider: ProviderId) -> Result<Grant> {
        self.grant(provider)
            .await?
            .ok_or_else(|| Error::NotConnected {
                provider: provider.display_name().into(),
            })
    }

    /// Stores a grant (secret store first: a rotated refresh token must be safe before
    /// the new access token is used) and caches its access token.
    pub async fn store_grant(&self, provider: ProviderId, grant: &Grant) -> Result<()> {
        self.write_grant(provider, grant).await?;
        if let Some(token) = &grant.access_token {
            self.cache_access_token(provider, token, grant.expires_at)
                .await?;
        }
        Ok(())
    }

    /// Writes `grant` to the secret store; a grant written is newer than any pending.
    async fn write_grant(&self, provider: ProviderId, grant: &Grant) -> Result<()> {
        let text = serde_json::to_string(grant).map_err(|e| Error::Internal(e.to_string()))?;
        self.secrets
            .set(&self.grant_name(provider), &SecretString::from(text))
            .await?;
        self.pending.lock().remove(&provider);
        Ok(())
    }

    async fn cache_access_token(
        &self,
        provider: ProviderId,
        token: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let ttl = match expires_at {
            None => UNKNOWN_EXPIRY_CACHE,
            Some(at) => {
                let remaining = (at - Utc::now()).to_std().unwrap_or_default();
                let ttl = remaining.saturating_sub(refresh_ahead(Some(remaining)));
                if ttl.is_zero() {
                    return Ok(());
                }
                ttl
            }
        };
        let value = serde_json::to_string(&CachedToken {
            token: token.to_string(),
            expires_at,
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let key = self.keys.key(provider, KeyKind::AccessToken, None);
        self.cache.kv().await?.set_ex(&key, &value, ttl).await
    }

    /// A usable access token, refreshed ahead of expiry when needed.
    pub async fn access_token(&self, provider: ProviderId) -> Result<SecretString> {
        self.ensure_connected(provider).await?;
        let key = self.keys.key(provider, KeyKind::AccessToken, None);
        if let Some(text) = self.cache.kv().await?.get(&key).await? {
            if let Ok(cached) = serde_json::from_str::<CachedToken>(&text) {
                return Ok(SecretString::from(cached.token));
            }
        }
        let grant = self.required_grant(provider).await?;
        if let Some((token, expires_at)) = grant.fresh_access_token(refresh_ahead(None)) {
            self.cache_access_token(provider, &token, expires_at)
                .await?;
            return Ok(SecretString::from(token));
        }
        self.refresh(provider, None).await
    }

    /// After a 401: refresh once unless someone already replaced `stale`.
    pub async fn access_token_after_401(
        &self,
        provider: ProviderId,
        stale: &SecretString,
    ) -> Result<SecretString> {
        self.refresh(provider, Some(stale.expose_secret())).await
    }

    async fn ensure_connected(&self, provider: ProviderId) -> Result<()> {
        let facts = self.connections.get(provider).await?;
        match facts {
            None => Err(Error::NotConnected {
                provider: provider.display_name().into(),
            }),
            Some(f) => match f.needs_reconnect {
                Some(reason) => Err(Error::NeedsReconnect {
                    provider: provider.display_name().into(),
                    reason,
                }),
                None => Ok(()),
            },
        }
    }

    /// One refresh at a time per connection: in this process (a mutex) and across
    /// processes (Redis `SET NX`, or a file lock on the embedded store). The loser
    /// re-reads the winner's token instead of refreshing again.
    async fn refresh(&self, provider: ProviderId, stale: Option<&str>) -> Result<SecretString> {
        let _local = self.refresh_mutex(provider).lock().await;
        let _lock = self.cross_process_lock(provider).await?;

        let grant = self.required_grant(provider).await?;
        // Someone refreshed while we waited?
        if let Some((token, expires_at)) = grant.fresh_access_token(refresh_ahead(None)) {
            if stale != Some(token.as_str()) {
                self.cache_access_token(provider, &token, expires_at)
                    .await?;
                return Ok(SecretString::from(token));
            }
        }
        let Some(refresh_token) = grant.refresh_token.clone() else {
            // Notion legacy: the access token is the long-lived secret; a 401 on it
            // means the user removed the integration.
            return Err(self
                .needs_reconnect(provider, "the provider no longer accepts the token")
                .await);
        };
        let client = self.apps.client(provider).await?;
        let mut attempt = 0;
        loop {
            match client
                .refresh(&SecretString::from(refresh_token.clone()))
                .await
            {
                Ok(tokens) => {
                    let mut next = Grant::from_tokens(&tokens);
                    if next.refresh_token.is_none() {
                        next.refresh_token = Some(refresh_token.clone());
                    }
                    self.keep_refreshed_grant(provider, next).await?;
                    tracing::info!(provider = %provider, "refreshed the access token");
                    return Ok(tokens.access_token);
                }
                Err(TokenFailure::Refused(reason)) => {
                    return Err(self.needs_reconnect(provider, &reason).await);
                }
                Err(TokenFailure::Conflict) if attempt == 0 => {
                    // Airtable: a refresh raced ours. Wait, then use its result.
                    attempt += 1;
                    tokio::time::sleep(self.config.scaled(Duration::from_secs(1))).await;
                    if let Some(g) = self.grant(provider).await? {
                        if g.refresh_token.as_deref() != Some(refresh_token.as_str()) {
                            if let Some(token) = g.access_token {
                                return Ok(SecretString::from(token));
                            }
                        }
                    }
                }
                Err(TokenFailure::Conflict) => {
                    return Err(Error::OAuthToken {
                        provider: provider.display_name().into(),
                        reason: "the refresh kept conflicting with another one (409)".into(),
                    })
                }
                Err(TokenFailure::Other(e)) => return Err(e),
            }
        }
    }

    /// Stores a grant a refresh returned. When the secret store fails (or does not
    /// answer) the grant is not dropped: the provider has already retired the old
    /// refresh token. It is kept in memory, used from there, and written again in the
    /// background until it lands or a newer grant replaces it.
    async fn keep_refreshed_grant(&self, provider: ProviderId, grant: Grant) -> Result<()> {
        if let Err(e) = self.write_grant(provider, &grant).await {
            tracing::warn!(provider = %provider, error = %e, "could not store the refreshed grant; keeping it in memory and retrying");
            self.pending.lock().insert(provider, grant.clone());
            let tokens = self.clone();
            let retried = grant.clone();
            tokio::spawn(async move { tokens.retry_pending(provider, retried).await });
        }
        if let Some(token) = &grant.access_token {
            self.cache_access_token(provider, token, grant.expires_at)
                .await?;
        }
        Ok(())
    }

    /// Writes `grant` again until it lands, while it is still the pending one. Each
    /// attempt holds the refresh mutex, so it never races a newer refresh or a
    /// disconnect (which drops the pending grant).
    async fn retry_pending(&self, provider: ProviderId, grant: Grant) {
        let same = |g: &Grant| {
            g.refresh_token == grant.refresh_token && g.access_token == grant.access_token
        };
        for wait in PENDING_RETRIES {
            tokio::time::sleep(self.config.scaled(wait)).await;
            let _refresh = self.refresh_mutex(provider).lock().await;
            if !self.pending.lock().get(&provider).is_some_and(same) {
                return;
            }
            match self.write_grant(provider, &grant).await {
                Ok(()) => {
                    tracing::info!(provider = %provider, "stored the refreshed grant on a retry");
                    return;
                }
                Err(e) => {
                    tracing::warn!(provider = %provider, error = %e, "the refreshed grant is still not stored")
                }
            }
        }
        tracing::warn!(provider = %provider, "the refreshed grant stays in memory only; it is lost when Junction quits");
    }

    /// Forgets a grant that was never written (disconnect holds the refresh mutex).
    pub(crate) fn drop_pending(&self, provider: ProviderId) {
        self.pending.lock().remove(&provider);
    }

    /// Records that the provider refused our tokens; the card then asks to reconnect.
    pub(crate) async fn needs_reconnect(&self, provider: ProviderId, reason: &str) -> Error {
        if let Err(e) = self
            .connections
            .mark_needs_reconnect(provider, reason)
            .await
        {
            tracing::warn!(error = %e, "could not record needs-reconnect");
        }
        if let Ok(kv) = self.cache.kv().await {
            let _ = kv
                .del(&self.keys.key(provider, KeyKind::AccessToken, None))
                .await;
        }
        tracing::warn!(provider = %provider, "refresh refused: needs reconnect");
        Error::NeedsReconnect {
            provider: provider.display_name().into(),
            reason: reason.to_string(),
        }
    }

    async fn cross_process_lock(&self, provider: ProviderId) -> Result<RefreshLock> {
        let kv = self.cache.kv().await?;
        if kv.is_redis() {
            let key = self.keys.key(provider, KeyKind::RefreshLock, None);
            let owner = format!("{}:{}", std::process::id(), rand::random::<u64>());
            let deadline = tokio::time::Instant::now() + LOCK_TTL;
            loop {
                if kv.set_nx(&key, &owner, LOCK_TTL).await? {
                    return Ok(RefreshLock::Redis { kv, key, owner });
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(Error::OAuthToken {
                        provider: provider.display_name().into(),
                        reason: "another refresh held the lock for 90 s".into(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let path = self.config.config_dir.join("locks").join(format!(
            "{}-{}-{}.lock",
            self.config.org_id, self.config.user_id, provider
        ));
        let file = tokio::task::spawn_blocking(move || crate::fs::lock_file(&path))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        Ok(RefreshLock::File(file))
    }
}

/// Held while refreshing; released on drop (the Redis one by a compare-and-delete).
enum RefreshLock {
    Redis {
        kv: crate::store::Kv,
        key: String,
        owner: String,
    },
    File(#[allow(dead_code)] std::fs::File),
}

impl Drop for RefreshLock {
    fn drop(&mut self) {
        if let RefreshLock::Redis { kv, key, owner } = self {
            let (kv, key, owner) = (kv.clone(), key.clone(), owner.clone());
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    let _ = kv.del_if_eq(&key, &owner).await;
                });
            }
        }
        // The file lock is released when the file closes.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(expires_in: Option<u64>) -> TokenSet {
        TokenSet {
            access_token: SecretString::from("a"),
            refresh_token: None,
            expires_in,
            scopes: Vec::new(),
            portal_id: None,
            workspace_name: None,
        }
    }

    #[test]
    fn any_expires_in_gives_a_real_expiry() {
        let longest = Utc::now() + chrono::Duration::from_std(LONGEST_TOKEN_LIFETIME).unwrap();
        for seconds in [
            u64::MAX,
            i64::MAX as u64 + 1,
            i64::MAX as u64,
            1 << 62,
            10_000_000_000_000,
        ] {
            let at = Grant::from_tokens(&tokens(Some(seconds)))
                .expires_at
                .unwrap();
            assert!(
                at <= longest + chrono::Duration::seconds(5),
                "{seconds}: {at}"
            );
            assert!(
                at > Utc::now() + chrono::Duration::days(365),
                "{seconds}: {at}"
            );
        }
        let soon = Grant::from_tokens(&tokens(Some(1800))).expires_at.unwrap();
        let left = (soon - Utc::now()).num_seconds();
        assert!((1795..=1800).contains(&left), "{left}");
        assert_eq!(
            Grant::from_tokens(&tokens(Some(0)))
                .expires_at
                .map(|a| a <= Utc::now()),
            Some(true)
        );
        assert_eq!(Grant::from_tokens(&tokens(None)).expires_at, None);
    }
}
