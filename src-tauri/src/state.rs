//! What the shell keeps between commands: the core session (swapped when settings
//! change) and the sign-in in progress.

use parking_lot::Mutex;

use junction_core::config::Config;
use junction_core::{ProviderId, Session};
use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The sign-in in progress. There is at most one: every provider's redirect URI uses
/// the same loopback port, so a new Connect replaces the pending one.
pub struct PendingSignIn {
    /// Unique per sign-in: cleanup and the popup's close event act only on their own.
    pub id: u64,
    pub provider: ProviderId,
    pub cancel: CancellationToken,
    pub auth_url: Url,
    /// Set while the popup is closed on purpose (browser switch, success), so its
    /// close event does not cancel the flow.
    pub closing_on_purpose: bool,
}

pub struct AppState {
    session: RwLock<Session>,
    pub pending: Mutex<Option<PendingSignIn>>,
    next_sign_in: std::sync::atomic::AtomicU64,
    pub loads: junction_core::loads::Loads,
}

impl AppState {
    pub fn new(session: Session) -> Self {
        AppState {
            session: RwLock::new(session),
            pending: Mutex::new(None),
            next_sign_in: Default::default(),
            loads: Default::default(),
        }
    }

    /// The current session (cheap to clone: it is a set of handles).
    pub async fn session(&self) -> Session {
        self.session.read().await.clone()
    }

    /// Re-reads the configuration and reopens the stores (after Settings change).
    pub async fn reload(&self) -> junction_core::Result<Session> {
        let config = junction_core::fs::blocking(Config::load).await?;
        let current = self.session().await;
        // The secret and item stores stay: reopening would probe the keychain again
        // and rebuild the item index.
        let fresh =
            Session::with_parts(config, current.secrets().clone(), current.items().clone()).await;
        *self.session.write().await = fresh.clone();
        Ok(fresh)
    }

    pub fn pending(&self) -> parking_lot::MutexGuard<'_, Option<PendingSignIn>> {
        self.pending.lock()
    }

    pub fn next_sign_in_id(&self) -> u64 {
        self.next_sign_in
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    /// Cancels the pending sign-in, if any; returns its provider and id.
    pub fn cancel_pending(&self) -> Option<(ProviderId, u64)> {
        let pending = self.pending().take()?;
        pending.cancel.cancel();
        Some((pending.provider, pending.id))
    }
}
