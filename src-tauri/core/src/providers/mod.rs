//! The providers Junction connects.
//!
//! Everything that is one provider's lives in its folder: its OAuth facts and the calls
//! beyond the standard flow (`oauth.rs`), its endpoints and rate budget (`mod.rs`), how
//! its JSON becomes items (mapping), and how its lists are paged (`load.rs`). The fetch
//! engine, the OAuth flow and the config read a provider only through [`Provider`] and
//! the table that `providers!` builds, so they hold no per-provider code.
//!
//! Adding a provider is one folder and one line in the `providers!` list below.

pub mod json;

use std::time::Duration;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;
use secrecy::SecretString;
use serde_json::Value;

use crate::fetch::Budget;
use crate::oauth::{OAuthSpec, TokenCall, TokenSet};
use crate::Result;

pub use json::ErrorBody;

/// Declares the providers: the modules, the [`ProviderId`] enum whose lowercase names
/// (the module names; a variant is its module's name capitalised) are the contract (CLI arguments, exports, Kv keys), the table
/// from an id to its [`Provider`], and the per-provider load state of the engine.
macro_rules! providers {
    ($($variant:ident => $module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// The providers Junction connects.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, specta::Type,
        )]
        // The variant's lowercase is the id: the module's name.
        #[serde(rename_all = "lowercase")]
        pub enum ProviderId {
            $($variant),+
        }

        impl ProviderId {
            /// Every provider, in the order the window shows them.
            pub const ALL: [ProviderId; [$(ProviderId::$variant),+].len()] =
                [$(ProviderId::$variant),+];

            /// The lowercase id used in URLs, keys, CLI arguments and exports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProviderId::$variant => stringify!($module)),+
                }
            }

            /// What this provider is and does.
            pub(crate) fn get(self) -> &'static dyn Provider {
                match self {
                    $(ProviderId::$variant => &$module::PROVIDER),+
                }
            }
        }

        /// Where one provider's load is: its cursors, so a failed load can resume.
        #[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
        pub(crate) enum LoadState {
            $($variant($module::load::State)),+
        }

        impl LoadState {
            pub(crate) fn fresh(provider: ProviderId) -> LoadState {
                match provider {
                    $(ProviderId::$variant => LoadState::$variant(Default::default())),+
                }
            }

            /// Runs (or continues) the load; its streams report to `ctx`.
            pub(crate) async fn run(&mut self, ctx: &crate::fetch::Ctx) {
                match self {
                    $(LoadState::$variant(state) => $module::load::run(ctx, state).await),+
                }
            }
        }
    };
}

providers! {
    Hubspot => hubspot,
    Airtable => airtable,
    Notion => notion,
}

impl ProviderId {
    /// The name people read ("HubSpot").
    pub fn display_name(self) -> &'static str {
        self.get().facts().name
    }

    /// The upper-case part of environment variable names (`JUNCTION_<P>_…`).
    pub fn env_prefix(self) -> String {
        self.as_str().to_ascii_uppercase()
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ProviderId {
    type Err = crate::Error;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let wanted = s.trim();
        ProviderId::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let known: Vec<&str> = ProviderId::ALL.iter().map(|p| p.as_str()).collect();
                crate::Error::InvalidInput(format!(
                    "unknown provider `{wanted}`; expected {}",
                    or_list(&known)
                ))
            })
    }
}

/// "a, b or c".
pub fn or_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The real service's URLs; the config lets tests point them elsewhere.
pub(crate) struct DefaultEndpoints {
    pub auth: &'static str,
    pub token: &'static str,
    pub api: &'static str,
}

/// What the engine reads from a refusal of `provider`: the wait its 429 announces
/// (`None`: not within a load, HubSpot's daily limit) and a generic `Retry-After`.
/// Public for the fuzzer; the engine calls the parts itself.
pub fn announced_wait(
    provider: ProviderId,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> (Option<Duration>, Option<Duration>) {
    let wait = match provider.get().throttle(headers, body) {
        Throttle::Wait(wait) => Some(wait),
        Throttle::UntilTomorrow => None,
    };
    (wait, crate::fetch::retry_after(headers))
}

/// How long a 429 asks us to stay away (real time; the engine scales it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Throttle {
    Wait(Duration),
    /// A limit that will not lift within a load (HubSpot's daily one): stop, resume later.
    UntilTomorrow,
}

/// What a provider is: plain facts, one `static` per provider.
pub(crate) struct Facts {
    /// The name people read ("HubSpot").
    pub name: &'static str,
    /// The real service's authorize, token and API URLs.
    pub endpoints: DefaultEndpoints,
    /// How sign-in works: scopes, PKCE, the token endpoint's style, whether the app
    /// needs a client secret.
    pub oauth: OAuthSpec,
    /// Headers every API request carries (Notion's API version).
    pub api_headers: &'static [(&'static str, &'static str)],
}

/// One provider: its facts, and what about it behaves differently from the others.
pub(crate) trait Provider: Send + Sync {
    fn facts(&self) -> &'static Facts;

    /// The account name a card shows, once connected (never fails a connect).
    fn account_name<'a>(
        &'a self,
        call: TokenCall<'a>,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Option<String>>;

    /// Revokes a grant where the provider can; `Ok(false)` when it has no revocation.
    fn revoke<'a>(
        &'a self,
        _call: TokenCall<'a>,
        _refresh_token: Option<&'a SecretString>,
        _access_token: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async { Ok(false) })
    }

    /// Reads an error body (API or token endpoint) whatever its shape.
    fn error_body(&self, json: &Value) -> ErrorBody;

    /// How long a 429 with these headers and body asks us to wait.
    fn throttle(&self, headers: &HeaderMap, body: &[u8]) -> Throttle;

    /// Sees every answer's headers, to slow `budget` down before the provider has to
    /// (HubSpot's remaining-requests header). `scale` divides announced windows.
    fn observe(&self, _budget: &Budget, _headers: &HeaderMap, _scale: f64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_serde() {
        for p in ProviderId::ALL {
            assert_eq!(p.as_str().parse::<ProviderId>().unwrap(), p);
            assert!(!p.display_name().is_empty());
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<ProviderId>(&json).unwrap(), p);
            assert_eq!(p.env_prefix(), p.as_str().to_uppercase());
        }
        assert_eq!(
            "HubSpot".parse::<ProviderId>().unwrap(),
            ProviderId::Hubspot
        );
        let err = "slack".parse::<ProviderId>().unwrap_err();
        assert!(err.to_string().contains("slack"), "{err}");
        assert!(
            err.to_string().contains("hubspot, airtable or notion"),
            "{err}"
        );
        assert!(serde_json::from_str::<ProviderId>("\"HubSpot\"").is_err());
    }
}
