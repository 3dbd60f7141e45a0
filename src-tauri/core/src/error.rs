//! The one error type of `junction-core`.
//!
//! Every variant has a stable machine `code` (the UI and scripts branch on it) and a
//! human message that says what went wrong and, where it can, what to do next.
//! Messages never contain tokens or secrets: callers pass only names, URLs without
//! credentials, and provider error text.

use std::path::PathBuf;

/// Result with the core error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting has a value we cannot use. `setting` is the name the user types
    /// (an environment variable or a config.toml key).
    #[error("{setting}: {reason}")]
    Config { setting: String, reason: String },

    /// The configured Redis does not answer (or answered with an error).
    #[error("Redis at {endpoint} is not reachable: {reason}")]
    CacheUnavailable { endpoint: String, reason: String },

    /// Neither the keychain nor the file store could read or write a secret.
    #[error("secret store ({backend}) failed: {reason}")]
    Secrets { backend: String, reason: String },

    /// A provider lacks what Connect needs (client id, client secret).
    #[error("{provider} is not configured: {what}")]
    NotConfigured { provider: String, what: String },

    /// No usable connection for the provider.
    #[error("{provider} is not connected")]
    NotConnected { provider: String },

    /// The provider no longer accepts our refresh token; the user must connect again.
    #[error("{provider} needs to be reconnected: {reason}")]
    NeedsReconnect { provider: String, reason: String },

    /// The user (or the provider) refused the authorization.
    #[error("{provider} sign-in was refused: {reason}")]
    OAuthDenied { provider: String, reason: String },

    /// A callback carried a state we did not issue, already used, or that expired.
    #[error("the sign-in callback was rejected: {0}")]
    OAuthState(String),

    /// The pending sign-in ran out of time or was closed.
    #[error("{provider} sign-in {reason}")]
    OAuthAborted { provider: String, reason: String },

    /// The token endpoint answered with an error.
    #[error("{provider} token request failed: {reason}")]
    OAuthToken { provider: String, reason: String },

    /// The loopback port for the redirect URI is taken.
    #[error("port {port} is already in use; free it or change the redirect port (setting `redirect_port`, env JUNCTION_REDIRECT_PORT)")]
    PortInUse { port: u16 },

    /// The provider answered with an HTTP error we do not retry.
    #[error("{provider} {endpoint} answered HTTP {status}: {message}")]
    ProviderHttp {
        provider: String,
        endpoint: String,
        status: u16,
        message: String,
    },

    /// The provider answered something we cannot read (malformed JSON, wrong shape).
    #[error("{provider} {endpoint} sent a response we could not read: {reason}")]
    ProviderResponse {
        provider: String,
        endpoint: String,
        reason: String,
    },

    /// The provider kept rate limiting us past our retry budget.
    #[error("{provider} {endpoint} is rate limiting: {message}")]
    RateLimited {
        provider: String,
        endpoint: String,
        message: String,
    },

    /// A connection problem (DNS, refused, timeout, dropped).
    #[error("network error talking to {target}: {reason}")]
    Network { target: String, reason: String },

    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,

    /// Reading or writing a file failed.
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },

    /// The item store (SQLite) failed.
    #[error("the item store failed: {0}")]
    Store(String),

    /// The caller passed something we cannot act on.
    #[error("{0}")]
    InvalidInput(String),

    /// A bug or an impossible state; the message says where.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The stable machine code of an error: the UI and scripts branch on it. Never change
/// an existing one. In JSON (IPC, the store) it is the snake_case name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ConfigInvalid,
    CacheUnavailable,
    SecretsUnavailable,
    NotConfigured,
    NotConnected,
    NeedsReconnect,
    OauthDenied,
    OauthStateInvalid,
    OauthAborted,
    OauthTokenFailed,
    PortInUse,
    ProviderHttp,
    ProviderResponse,
    RateLimited,
    Network,
    Cancelled,
    Io,
    StoreFailed,
    /// A load whose process ended while it ran (Junction closed or crashed).
    Interrupted,
    InvalidInput,
    Internal,
}

impl ErrorCode {
    /// Every code, for the docs and the contract test.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::ConfigInvalid,
        ErrorCode::CacheUnavailable,
        ErrorCode::SecretsUnavailable,
        ErrorCode::NotConfigured,
        ErrorCode::NotConnected,
        ErrorCode::NeedsReconnect,
        ErrorCode::OauthDenied,
        ErrorCode::OauthStateInvalid,
        ErrorCode::OauthAborted,
        ErrorCode::OauthTokenFailed,
        ErrorCode::PortInUse,
        ErrorCode::ProviderHttp,
        ErrorCode::ProviderResponse,
        ErrorCode::RateLimited,
        ErrorCode::Network,
        ErrorCode::Cancelled,
        ErrorCode::Io,
        ErrorCode::StoreFailed,
        ErrorCode::Interrupted,
        ErrorCode::InvalidInput,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConfigInvalid => "config_invalid",
            ErrorCode::CacheUnavailable => "cache_unavailable",
            ErrorCode::SecretsUnavailable => "secrets_unavailable",
            ErrorCode::NotConfigured => "not_configured",
            ErrorCode::NotConnected => "not_connected",
            ErrorCode::NeedsReconnect => "needs_reconnect",
            ErrorCode::OauthDenied => "oauth_denied",
            ErrorCode::OauthStateInvalid => "oauth_state_invalid",
            ErrorCode::OauthAborted => "oauth_aborted",
            ErrorCode::OauthTokenFailed => "oauth_token_failed",
            ErrorCode::PortInUse => "port_in_use",
            ErrorCode::ProviderHttp => "provider_http",
            ErrorCode::ProviderResponse => "provider_response",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Network => "network",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Io => "io",
            ErrorCode::StoreFailed => "store_failed",
            ErrorCode::Interrupted => "interrupted",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Internal => "internal",
        }
    }

    /// The code named `text`; an unknown one (a newer Junction's) reads as internal.
    pub fn parse(text: &str) -> ErrorCode {
        ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == text)
            .unwrap_or(ErrorCode::Internal)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl Error {
    /// The stable machine code. Never change an existing code: the UI and scripts use it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Config { .. } => ErrorCode::ConfigInvalid,
            Error::CacheUnavailable { .. } => ErrorCode::CacheUnavailable,
            Error::Secrets { .. } => ErrorCode::SecretsUnavailable,
            Error::NotConfigured { .. } => ErrorCode::NotConfigured,
            Error::NotConnected { .. } => ErrorCode::NotConnected,
            Error::NeedsReconnect { .. } => ErrorCode::NeedsReconnect,
            Error::OAuthDenied { .. } => ErrorCode::OauthDenied,
            Error::OAuthState(_) => ErrorCode::OauthStateInvalid,
            Error::OAuthAborted { .. } => ErrorCode::OauthAborted,
            Error::OAuthToken { .. } => ErrorCode::OauthTokenFailed,
            Error::PortInUse { .. } => ErrorCode::PortInUse,
            Error::ProviderHttp { .. } => ErrorCode::ProviderHttp,
            Error::ProviderResponse { .. } => ErrorCode::ProviderResponse,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Network { .. } => ErrorCode::Network,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Io { .. } => ErrorCode::Io,
            Error::Store(_) => ErrorCode::StoreFailed,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn config(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            setting: setting.into(),
            reason: reason.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.into(),
            reason: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let all = [
            Error::config("x", "y"),
            Error::CacheUnavailable {
                endpoint: "e".into(),
                reason: "r".into(),
            },
            Error::Secrets {
                backend: "b".into(),
                reason: "r".into(),
            },
            Error::NotConfigured {
                provider: "p".into(),
                what: "w".into(),
            },
            Error::NotConnected {
                provider: "p".into(),
            },
            Error::NeedsReconnect {
                provider: "p".into(),
                reason: "r".into(),
            },
            Error::OAuthDenied {
                provider: "p".into(),
                reason: "r".into(),
            },
            Error::OAuthState("s".into()),
            Error::OAuthAborted {
                provider: "p".into(),
                reason: "r".into(),
            },
            Error::OAuthToken {
                provider: "p".into(),
                reason: "r".into(),
            },
            Error::PortInUse { port: 1 },
            Error::ProviderHttp {
                provider: "p".into(),
                endpoint: "e".into(),
                status: 500,
                message: "m".into(),
            },
            Error::ProviderResponse {
                provider: "p".into(),
                endpoint: "e".into(),
                reason: "r".into(),
            },
            Error::RateLimited {
                provider: "p".into(),
                endpoint: "e".into(),
                message: "m".into(),
            },
            Error::Network {
                target: "t".into(),
                reason: "r".into(),
            },
            Error::Cancelled,
            Error::io("/x", "denied"),
            Error::Store("s".into()),
            Error::InvalidInput("i".into()),
            Error::Internal("i".into()),
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(Error::code).collect();
        assert_eq!(codes.len(), all.len(), "every variant has its own code");
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), code);
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
        }
        assert_eq!(Error::PortInUse { port: 8000 }.code(), "port_in_use");
        assert!(Error::PortInUse { port: 8000 }.to_string().contains("8000"));
        assert!(Error::PortInUse { port: 8000 }
            .to_string()
            .contains("JUNCTION_REDIRECT_PORT"));
    }
}
