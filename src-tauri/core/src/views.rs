//! What the app and the CLI show: serializable snapshots with no secrets in them.
//! Their JSON shape is the IPC contract in docs/ipc.md.

use serde::Serialize;

use crate::ProviderId;

/// Where a provider's connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// The client id (or a required client secret) is missing.
    NotConfigured,
    NotConnected,
    Connecting,
    Connected,
    /// The provider refused our refresh token: the user must connect again.
    NeedsReconnect,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderView {
    pub id: ProviderId,
    pub name: &'static str,
    pub state: ConnectionState,
    /// What to do next when not configured ("Set the HubSpot client ID in Settings").
    pub hint: Option<String>,
    pub account: Option<String>,
    pub expires_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheStatus {
    /// "embedded" or "redis".
    pub kind: &'static str,
    /// "Cache: embedded" or "Cache: Redis at host:port" — never a password.
    pub label: String,
    pub ok: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretsStatus {
    /// "keyring", "file" or "memory".
    pub backend: &'static str,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppStatus {
    pub cache: CacheStatus,
    pub secrets: SecretsStatus,
    pub version: &'static str,
}
