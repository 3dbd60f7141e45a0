//! The data that crosses IPC, in one place: what the app and the CLI show (snapshots
//! with no secrets in them) and what the window sends back. The TypeScript contract is
//! generated from these types (src-tauri/src/contract.rs).
//!
//! Counts and sizes are `u64` here and plain numbers in TypeScript (`#[specta(type =
//! u32)]` says so): JSON numbers are exact up to 2^53, far past any count Junction
//! meets.

use serde::{Deserialize, Serialize};

use crate::config::SignInMode;
use crate::{ErrorCode, ProviderId};

/// Where a provider's connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
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

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ProviderView {
    pub id: ProviderId,
    pub name: &'static str,
    pub state: ConnectionState,
    /// What to do next when not configured ("Set the HubSpot client ID in Settings").
    pub hint: Option<String>,
    pub account: Option<String>,
    pub expires_at: Option<String>,
    pub last_error: Option<String>,
    /// What the item store holds for it: the last complete load, if any.
    pub stored: Option<StoredItems>,
    /// A load running (here or in junction-cli), or the last one that stopped.
    pub load: LoadStatus,
}

/// A provider's last complete load in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StoredItems {
    #[specta(type = u32)]
    pub count: u64,
    /// RFC 3339.
    pub loaded_at: String,
}

/// Where a provider's loads stand, as the store records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct LoadStatus {
    pub running: bool,
    /// The last load that stopped, when newer than the complete one.
    pub failed: Option<StoppedLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StoppedLoad {
    pub code: ErrorCode,
    pub message: String,
    /// Items it wrote (kept for Resume).
    #[specta(type = u32)]
    pub count: u64,
    pub resumable: bool,
}

/// Where the item store is, and how it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StoreStatus {
    pub path: String,
    #[specta(type = u32)]
    pub size_bytes: u64,
    /// Set when the store started empty because its file was damaged, or lives in
    /// memory only.
    pub problem: Option<String>,
}

/// What a load tells the window, in order; the last is `Done` or `Failed`. Progress
/// and counts only: the rows are in the item store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LoadUpdate {
    /// The running total of one object type ("contacts", "records", "pages"…).
    Progress {
        provider: ProviderId,
        object_type: String,
        #[specta(type = u32)]
        loaded: u64,
    },
    /// The provider asked us to wait; `wait_ms` is the wait actually taken.
    Throttled {
        provider: ProviderId,
        message: String,
        #[specta(type = u32)]
        wait_ms: u64,
    },
    /// Every item is in the store: `count` distinct items.
    Done {
        provider: ProviderId,
        #[specta(type = u32)]
        count: u64,
    },
    /// The load stopped; the previous complete set is still the one shown.
    Failed {
        provider: ProviderId,
        code: ErrorCode,
        message: String,
        resumable: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct CacheStatus {
    /// "embedded" or "redis".
    pub kind: &'static str,
    /// "Cache: embedded" or "Cache: Redis at host:port" — never a password.
    pub label: String,
    pub ok: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SecretsStatus {
    /// "keyring", "file" or "memory".
    pub backend: &'static str,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct AppStatus {
    pub cache: CacheStatus,
    pub secrets: SecretsStatus,
    pub store: StoreStatus,
    pub version: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ProviderSettingsView {
    pub id: ProviderId,
    pub name: &'static str,
    pub client_id: String,
    pub client_secret_set: bool,
    /// Whether Connect needs a client secret (Airtable's PKCE apps work without one).
    pub client_secret_required: bool,
    /// Environment variables that override this provider's settings.
    pub env_overrides: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SettingsView {
    pub providers: Vec<ProviderSettingsView>,
    pub sign_in_mode: SignInMode,
    pub redirect_port: u16,
    /// The lowest and highest port the field accepts.
    pub redirect_ports: (u16, u16),
    /// With the password masked as `***`.
    pub redis_url: Option<String>,
    /// "Include archived records" (HubSpot): `JUNCTION_HUBSPOT_ARCHIVED` when set.
    pub hubspot_archived: bool,
    pub env_overrides: Vec<String>,
    pub store: StoreStatus,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ProviderSettingsInput {
    pub id: ProviderId,
    pub client_id: String,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct SettingsInput {
    pub providers: Vec<ProviderSettingsInput>,
    pub sign_in_mode: SignInMode,
    pub redirect_port: u16,
    /// Empty or absent: the embedded store.
    pub redis_url: Option<String>,
    /// "Include archived records" (HubSpot); absent keeps the saved choice.
    #[serde(default)]
    pub hubspot_archived: Option<bool>,
}
