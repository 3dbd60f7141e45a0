//! HubSpot: CRM contacts, companies, deals and custom objects, with every property and
//! their associations (providers.md §1, §4). The API versions are chosen in [`api`].

pub mod api;
pub mod associations;
pub(crate) mod load;
mod oauth;
pub mod objects;
pub mod properties;
mod sparse;

use std::time::Duration;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;
use secrecy::SecretString;
use serde_json::Value;

use super::json::{str_field, ErrorBody};
use super::{DefaultEndpoints, Facts, Provider, Throttle};
use crate::config::Config;
use crate::fetch::{header_u64, retry_after, Budget};
use crate::oauth::{OAuthSpec, TokenCall, TokenSet, TokenStyle};
use crate::Result;

pub use objects::{CrmType, ObjectType};

pub(crate) struct HubSpot;

pub(crate) const PROVIDER: HubSpot = HubSpot;

/// Public apps: 110 requests per rolling 10 s per account.
pub(crate) const MAX_PER_WINDOW: u32 = 110;
pub(crate) const WINDOW: Duration = Duration::from_secs(10);
/// Of the 110: sent at once when idle. The rest of the window is paced, keeping
/// [`SPARE`] requests free for jitter and a second client.
const BURST: u32 = 20;
const SPARE: u32 = 3;
/// Below this many remaining requests (the response header), slow down.
const LOW_WATER: u32 = 3;

static FACTS: Facts = Facts {
    name: "HubSpot",
    endpoints: DefaultEndpoints {
        auth: "https://app.hubspot.com/oauth/authorize",
        token: api::TOKEN_URL,
        api: "https://api.hubapi.com",
    },
    oauth: OAuthSpec {
        scopes: &[
            "crm.objects.contacts.read",
            "crm.objects.companies.read",
            "crm.objects.deals.read",
            "oauth",
        ],
        pkce: true,
        // Custom objects need these; a portal that cannot grant them (below Enterprise)
        // drops them from the token, and the load goes on without custom objects.
        extra_authorize_params: &[(
            "optional_scope",
            "crm.objects.custom.read crm.schemas.custom.read",
        )],
        token_style: TokenStyle::FormWithCredentialsInBody,
        secret_required: true,
    },
    api_headers: &[],
};

/// The account budget: 20 at once, then 87 more per 10 s, so at most 107 of the 110
/// land in any rolling window.
pub(crate) fn budget(config: &Config) -> Budget {
    Budget::new(
        "the HubSpot account",
        MAX_PER_WINDOW - BURST - SPARE + 1,
        config.scaled(WINDOW),
        BURST,
    )
}

impl Provider for HubSpot {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn account_name<'a>(
        &'a self,
        call: TokenCall<'a>,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Option<String>> {
        Box::pin(oauth::hub_domain(call, tokens))
    }

    fn revoke<'a>(
        &'a self,
        call: TokenCall<'a>,
        refresh_token: Option<&'a SecretString>,
        access_token: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(oauth::revoke(call, refresh_token, access_token))
    }

    /// API errors `{status:"error", message, category, …}`, the 429
    /// `{…, errorType:"RATE_LIMIT", policyName}`, token errors v3
    /// `{error, error_description, status, message}` and v1 `{status:"BAD_…", message}`.
    fn error_body(&self, json: &Value) -> ErrorBody {
        let text = |k: &str| str_field(json, k).map(str::to_string);
        let status = text("status").filter(|s| s != "error");
        ErrorBody {
            code: text("error")
                .or_else(|| text("category"))
                .or_else(|| text("errorType"))
                .or(status),
            message: text("message").or_else(|| text("error_description")),
        }
    }

    /// No `Retry-After` is documented for REST 429s: wait out the window the headers
    /// announce; a daily limit will not lift within a load.
    fn throttle(&self, headers: &HeaderMap, body: &[u8]) -> Throttle {
        let daily = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("policyName")?.as_str().map(|p| p == "DAILY"))
            .unwrap_or(false);
        if daily {
            return Throttle::UntilTomorrow;
        }
        let window = header_u64(headers, "x-hubspot-ratelimit-interval-milliseconds")
            .map(Duration::from_millis)
            .unwrap_or(WINDOW);
        Throttle::Wait(retry_after(headers).unwrap_or(window))
    }

    /// When the account has almost nothing left in its window (another client shares
    /// it, or its limit is lower than we assume), stay away for the average spacing of
    /// the few requests still needed.
    fn observe(&self, budget: &Budget, headers: &HeaderMap, scale: f64) {
        let Some(remaining) = header_u64(headers, "x-hubspot-ratelimit-remaining") else {
            return;
        };
        if remaining >= LOW_WATER as u64 {
            return;
        }
        let max = header_u64(headers, "x-hubspot-ratelimit-max")
            .unwrap_or(MAX_PER_WINDOW as u64)
            .clamp(1, u32::MAX as u64) as u32;
        // Headers are the provider's word, not ours: never stay away longer than
        // HubSpot's own rolling window, whatever they say.
        let interval = header_u64(headers, "x-hubspot-ratelimit-interval-milliseconds")
            .map(Duration::from_millis)
            .unwrap_or(WINDOW)
            .min(WINDOW)
            .div_f64(scale);
        let spacing = interval / max;
        budget.close_for(spacing * (LOW_WATER - remaining as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The developer-platform project people upload (packaging/hubspot-app) declares
    /// the redirect URL and the scopes sign-in sends: HubSpot refuses an install whose
    /// authorize URL asks for a scope the app does not declare, or redirects elsewhere.
    #[test]
    fn the_shipped_project_matches_what_junction_sends() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../packaging/hubspot-app");
        let read = |p: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(root.join(p)).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        let project = read("hsproject.json");
        assert_eq!(project["srcDir"], "src");
        assert_eq!(project["platformVersion"], "2026.03");
        let app = read("src/app/app-hsmeta.json");
        assert_eq!(app["type"], "app");
        let auth = &app["config"]["auth"];
        assert_eq!(auth["type"], "oauth");
        let config = crate::config::Config::resolve(
            std::path::PathBuf::from("/nonexistent"),
            crate::config::FileConfig::default(),
            &|_: &str| None,
        )
        .unwrap();
        assert_eq!(
            auth["redirectUrls"],
            json!([config.redirect_uri(crate::ProviderId::Hubspot)])
        );
        let names = |v: &serde_json::Value| -> Vec<String> {
            let mut names: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        };
        let mut required: Vec<String> = FACTS.oauth.scopes.iter().map(|s| s.to_string()).collect();
        required.sort();
        assert_eq!(names(&auth["requiredScopes"]), required);
        let (_, optional) = FACTS
            .oauth
            .extra_authorize_params
            .iter()
            .find(|(k, _)| *k == "optional_scope")
            .unwrap();
        let mut optional: Vec<String> = optional.split(' ').map(String::from).collect();
        optional.sort();
        assert_eq!(names(&auth["optionalScopes"]), optional);
    }

    #[test]
    fn error_bodies_give_code_and_message() {
        let p = &PROVIDER;
        let e = p.error_body(
            &json!({"status":"error","message":"expired","category":"EXPIRED_AUTHENTICATION"}),
        );
        assert_eq!(e.summary().unwrap(), "EXPIRED_AUTHENTICATION: expired");
        let e = p.error_body(
            &json!({"error":"invalid_grant","error_description":"d","status":"BAD_REFRESH_TOKEN","message":"m"}),
        );
        assert_eq!(e.code.as_deref(), Some("invalid_grant"));
        assert_eq!(e.message.as_deref(), Some("m"));
        let e = p.error_body(
            &json!({"status":"BAD_AUTH_CODE","message":"missing or unknown auth code"}),
        );
        assert_eq!(e.code.as_deref(), Some("BAD_AUTH_CODE"));
    }

    #[test]
    fn a_429_waits_out_the_window_or_stops_for_the_day() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-hubspot-ratelimit-interval-milliseconds",
            "10000".parse().unwrap(),
        );
        let body = br#"{"status":"error","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}"#;
        assert_eq!(
            PROVIDER.throttle(&headers, body),
            Throttle::Wait(Duration::from_secs(10))
        );
        let daily = br#"{"status":"error","errorType":"RATE_LIMIT","policyName":"DAILY"}"#;
        assert_eq!(PROVIDER.throttle(&headers, daily), Throttle::UntilTomorrow);
        assert_eq!(
            PROVIDER.throttle(&HeaderMap::new(), b"not json"),
            Throttle::Wait(WINDOW)
        );
    }
}
