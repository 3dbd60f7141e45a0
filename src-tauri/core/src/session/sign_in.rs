//! Connect and disconnect.
//!
//! Connect: pending flow (state, PKCE verifier, provider) in Kv for the flow's TTL →
//! the loopback server on the redirect URI → the callback's state compared, in
//! constant time, with this flow's own before anything else (a callback for any other
//! state is answered 400 and the flow keeps waiting; the cache is not even asked) →
//! the state taken with get-and-delete (single use) → code exchanged → grant stored →
//! facts written.

use std::time::Duration;

use chrono::Utc;
use oauth2::{CsrfToken, PkceCodeChallenge};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::connections::{ConnectionFacts, CONNECTIONS_FILE};
use super::tokens::Grant;
use crate::oauth::loopback::{Loopback, Page, Stop, Verdict};
use crate::oauth::{spec, ProviderClient};
use crate::store::{KeyKind, SecretName, SECRETS_FILE};
use crate::{Error, ProviderId, Result, Session};

/// What Kv holds for a pending sign-in, under its state.
#[derive(Serialize, Deserialize)]
struct PendingFlow {
    provider: ProviderId,
    verifier: Option<String>,
    redirect_uri: String,
}

/// A sign-in in progress: open `auth_url` in a popup or browser, then `finish`.
pub struct PendingConnect {
    pub provider: ProviderId,
    pub auth_url: Url,
    cancel: CancellationToken,
    task: JoinHandle<Result<ConnectionFacts>>,
}

impl PendingConnect {
    /// Stops the flow: the loopback server closes and `finish` returns `oauth_aborted`.
    pub fn canceller(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the callback (or cancel, or expiry).
    pub async fn finish(self) -> Result<ConnectionFacts> {
        self.task
            .await
            .map_err(|e| Error::Internal(format!("the sign-in task failed: {e}")))?
    }
}

impl Session {
    /// Starts a sign-in that lives for `ttl` (normally [`crate::config::PENDING_FLOW_TTL`];
    /// tests pass a shorter one).
    pub async fn start_connect(
        &self,
        provider: ProviderId,
        ttl: Duration,
    ) -> Result<PendingConnect> {
        let client = self.provider_client(provider).await?;
        let redirect_uri = self.config().redirect_uri(provider);
        let path = crate::config::callback_path(provider);
        let loopback = Loopback::bind(self.config().redirect_port, &path).await?;

        let state = CsrfToken::new_random().secret().clone();
        let (challenge, verifier) = if spec(provider).pkce {
            let (c, v) = PkceCodeChallenge::new_random_sha256();
            (Some(c), Some(v.secret().clone()))
        } else {
            (None, None)
        };
        let flow = PendingFlow {
            provider,
            verifier,
            redirect_uri,
        };
        let kv = self.kv().await?;
        let flow_key = |state: &str| self.keys().key(provider, KeyKind::Flow, Some(state));
        kv.set_ex(
            &flow_key(&state),
            &serde_json::to_string(&flow).map_err(|e| Error::Internal(e.to_string()))?,
            ttl,
        )
        .await?;
        let auth_url = client.authorize_url(&state, challenge)?;

        let cancel = CancellationToken::new();
        let session = self.clone();
        let deadline = tokio::time::Instant::now() + ttl;
        let stop = cancel.clone();
        let task = tokio::spawn(async move {
            let name = provider.display_name();
            let served = loopback
                .serve(deadline, stop, |params| {
                    let session = session.clone();
                    let (client, state) = (&client, state.as_str());
                    async move {
                        session
                            .handle_callback(provider, client, state, params)
                            .await
                    }
                })
                .await;
            match served {
                Ok(result) => result,
                Err(why) => {
                    // The flow is over either way: its state must not be usable later.
                    if let Ok(kv) = session.kv().await {
                        let key = session.keys().key(provider, KeyKind::Flow, Some(&state));
                        let _ = kv.del(&key).await;
                    }
                    Err(Error::OAuthAborted {
                        provider: name.into(),
                        reason: match why {
                            Stop::Cancelled => "was cancelled".into(),
                            Stop::Expired => {
                                format!("expired after {} s without an answer", ttl.as_secs())
                            }
                        },
                    })
                }
            }
        });
        Ok(PendingConnect {
            provider,
            auth_url,
            cancel,
            task,
        })
    }

    async fn handle_callback(
        &self,
        provider: ProviderId,
        client: &ProviderClient,
        own_state: &str,
        params: std::collections::HashMap<String, String>,
    ) -> Verdict<ConnectionFacts> {
        let name = provider.display_name();
        let reject = || {
            Verdict::Ignore(Page::error(
                400,
                "This sign-in link is not valid",
                "It has expired or was already used. Start again from Junction.",
            ))
        };
        let Some(state) = params.get("state").filter(|s| !s.is_empty()) else {
            return reject();
        };
        // This flow's state, first: a callback for another (a stale flow another
        // process left in the cache, a guess) never reaches the cache or the provider.
        if !bool::from(state.as_bytes().ct_eq(own_state.as_bytes())) {
            return reject();
        }
        let kv = match self.kv().await {
            Ok(kv) => kv,
            Err(e) => return Verdict::Done(Err(e), cache_unavailable_page()),
        };
        let key = self.keys().key(provider, KeyKind::Flow, Some(state));
        let flow: PendingFlow = match kv.get_del(&key).await {
            Ok(Some(text)) => match serde_json::from_str(&text) {
                Ok(flow) => flow,
                Err(_) => return reject(),
            },
            Ok(None) => return reject(),
            Err(e) => return Verdict::Done(Err(e), cache_unavailable_page()),
        };
        if flow.provider != provider {
            return reject();
        }
        if let Some(error) = params.get("error") {
            let reason = params
                .get("error_description")
                .filter(|d| !d.is_empty())
                .cloned()
                .unwrap_or_else(|| error.clone());
            return Verdict::Done(
                Err(Error::OAuthDenied {
                    provider: name.into(),
                    reason,
                }),
                Page::ok(
                    "Sign-in cancelled",
                    "Junction was not connected. You can close this window.",
                ),
            );
        }
        let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
            return Verdict::Done(
                Err(Error::OAuthToken {
                    provider: name.into(),
                    reason: "the callback had no code".into(),
                }),
                Page::error(
                    400,
                    "Sign-in failed",
                    "The provider sent no authorization code.",
                ),
            );
        };
        match self
            .complete_connect(provider, client, code, flow.verifier.as_deref())
            .await
        {
            Ok(facts) => {
                let who = facts
                    .account
                    .clone()
                    .map(|a| format!(" as {a}"))
                    .unwrap_or_default();
                Verdict::Done(
                    Ok(facts),
                    Page::ok(
                        format!("Connected to {name}{who}"),
                        "You can close this window and return to Junction.",
                    ),
                )
            }
            Err(e) => {
                let message = e.to_string();
                Verdict::Done(Err(e), Page::error(400, "Sign-in failed", message))
            }
        }
    }

    async fn complete_connect(
        &self,
        provider: ProviderId,
        client: &ProviderClient,
        code: &str,
        verifier: Option<&str>,
    ) -> Result<ConnectionFacts> {
        let tokens = client.exchange_code(code, verifier).await?;
        self.store_grant(provider, &Grant::from_tokens(&tokens))
            .await?;
        let account = client.account_name(&tokens).await;
        let facts = ConnectionFacts {
            provider,
            account,
            portal_id: tokens.portal_id.clone(),
            scopes: tokens.scopes.clone(),
            connected_at: Utc::now(),
            needs_reconnect: None,
        };
        self.connections.put(facts.clone()).await?;
        tracing::info!(provider = %provider, "connected");
        Ok(facts)
    }

    /// Revokes where the provider can, then deletes the cached token, the grant and
    /// the facts. Returns whether there was a connection. Every step is tried whatever
    /// the others did (a dead Redis or a corrupt file must not keep the rest); a failed
    /// revocation is only logged, any other failure is the error after all steps ran.
    pub async fn disconnect(&self, provider: ProviderId) -> Result<bool> {
        let mut problems = Problems::default();
        let found = self.disconnect_steps(provider, &mut problems).await;
        problems.into_result(found)
    }

    async fn disconnect_steps(&self, provider: ProviderId, problems: &mut Problems) -> bool {
        // No refresh in this process may write the grant back after we delete it: hold
        // the refresh mutex (a queued refresh then finds no grant and stops).
        let _no_refresh = self.tokens.refresh_mutex(provider).lock().await;
        let cfg = self.config();
        let grant = self.grant(provider).await.ok().flatten();
        self.tokens.drop_pending(provider);
        // Unreadable facts count as a connection: there was something to remove.
        let facts = self.connections.get(provider).await.unwrap_or_else(|e| {
            problems.note("connections", e);
            None
        });
        if let Some(grant) = &grant {
            if let Ok(client) = self.provider_client(provider).await {
                let refresh = grant.refresh_token.clone().map(SecretString::from);
                let access = grant.access_token.clone().map(SecretString::from);
                if let Err(e) = client.revoke(refresh.as_ref(), access.as_ref()).await {
                    tracing::warn!(provider = %provider, error = %e, "revocation failed; removing the local connection anyway");
                }
            }
        }
        if let Ok(kv) = self.kv().await {
            let key = self.keys().key(provider, KeyKind::AccessToken, None);
            problems.check("cache", kv.del(&key).await);
        }
        let name = SecretName::refresh_token(&cfg.org_id, &cfg.user_id, provider);
        problems.check("secrets", self.secrets().delete(&name).await);
        let removed = self.connections.remove(provider).await;
        let had_facts = matches!(removed, Ok(true) | Err(_));
        problems.check("connections", removed);
        // Its items go too: a disconnected account's data should not linger.
        let items = self.items().clone();
        problems.check(
            "items",
            crate::fs::blocking(move || items.forget_provider(provider)).await,
        );
        grant.is_some() || facts.is_some() || had_facts
    }

    /// Disconnects everything and wipes Junction's Kv keys, secrets and config files.
    /// Like [`Self::disconnect`], every step runs; the files are always removed.
    pub async fn forget_everything(&self) -> Result<()> {
        let mut problems = Problems::default();
        for provider in ProviderId::ALL {
            self.disconnect_steps(provider, &mut problems).await;
            let name = SecretName::client_secret(provider);
            problems.check("secrets", self.secrets().delete(&name).await);
        }
        let name = SecretName::redis_password();
        problems.check("secrets", self.secrets().delete(&name).await);
        let items = self.items().clone();
        problems.check(
            "items",
            crate::fs::blocking(move || items.forget_everything()).await,
        );
        if let Ok(kv) = self.kv().await {
            problems.check("cache", kv.del_prefix(&self.keys().prefix()).await);
        }
        let dir = self.config().config_dir.clone();
        for file in [crate::config::CONFIG_FILE, CONNECTIONS_FILE, SECRETS_FILE] {
            let path = dir.join(file);
            let removed = crate::fs::blocking(move || match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(&path, e)),
            })
            .await;
            problems.check("files", removed);
        }
        problems.into_result(())
    }
}

/// The failures of a clean-up that goes on past them: each is logged, the first is
/// the answer.
#[derive(Default)]
struct Problems(Vec<Error>);

impl Problems {
    fn note(&mut self, step: &str, error: Error) {
        tracing::warn!(step, error = %error, "a clean-up step failed; going on");
        self.0.push(error);
    }

    fn check<T>(&mut self, step: &str, result: Result<T>) {
        if let Err(e) = result {
            self.note(step, e);
        }
    }

    fn into_result<T>(self, value: T) -> Result<T> {
        match self.0.into_iter().next() {
            None => Ok(value),
            Some(first) => Err(first),
        }
    }
}

/// What the browser shows when the pending sign-in cannot be read back.
fn cache_unavailable_page() -> Page {
    Page::error(
        500,
        "Junction could not finish",
        "Its cache is unavailable.",
    )
}
