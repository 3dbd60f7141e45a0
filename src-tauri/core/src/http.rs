//! The HTTP clients Junction uses.
//!
//! rustls with the system's root certificates: corporate proxies re-sign TLS with a
//! root the OS trusts, which bundled web-PKI roots would reject.

use std::time::Duration;

use crate::{Error, Result};

const USER_AGENT: &str = concat!("Junction/", env!("CARGO_PKG_VERSION"));

/// For provider APIs: follows redirects, bounded timeouts so a dead server never hangs
/// a load (the fetch engine retries timeouts).
pub fn api_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// For token endpoints: never follows redirects, so a code or secret is never replayed
/// to another host (oauth2's advice).
pub fn token_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// Describes a reqwest failure without its URL's query (which may carry a code).
pub fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "could not read the response"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clients_build() {
        super::api_client().unwrap();
        super::token_client().unwrap();
    }
}
