//! Notion: pages, databases, data sources and their rows shared with the integration
//! (providers.md §3 and §4; notion-airtable-2026 N1–N12).

pub(crate) mod load;
pub mod mapping;
mod oauth;
pub mod values;

use std::time::Duration;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;
use secrecy::SecretString;
use serde_json::Value;

use super::json::{str_field, ErrorBody};
use super::{DefaultEndpoints, Facts, Provider, Throttle};
use crate::config::Config;
use crate::fetch::{retry_after, Budget};
use crate::oauth::{OAuthSpec, TokenCall, TokenSet, TokenStyle};
use crate::Result;

pub(crate) struct Notion;

pub(crate) const PROVIDER: Notion = Notion;

/// The API version Junction speaks: one place. The newest documented one.
///
/// Since 2025-09-03 a database holds data sources: rows come from
/// `POST /v1/data_sources/{id}/query`, search returns `data_source` objects, and a
/// row's parent is `{type: "data_source_id", data_source_id, database_id}`.
/// 2026-03-11 then renamed `archived` to `in_trash` in every object (and block type
/// `transcription` to `meeting_notes`): the mappers read `in_trash` only, which both
/// versions send, and walk any block type.
pub const NOTION_VERSION: &str = "2026-03-11";

/// "An average of three requests per second", with some bursts allowed.
const PER_SECOND: u32 = 3;
const BURST: u32 = 3;

static FACTS: Facts = Facts {
    name: "Notion",
    endpoints: DefaultEndpoints {
        auth: "https://api.notion.com/v1/oauth/authorize",
        token: "https://api.notion.com/v1/oauth/token",
        api: "https://api.notion.com",
    },
    oauth: OAuthSpec {
        // No scopes: the user picks the pages to share. No PKCE in Notion's flow.
        scopes: &[],
        pkce: false,
        extra_authorize_params: &[("owner", "user")],
        token_style: TokenStyle::JsonWithBasic,
        secret_required: true,
    },
    api_headers: &[("Notion-Version", NOTION_VERSION)],
};

/// The connection's budget: 3 per second with a burst of 3.
pub(crate) fn budget(config: &Config) -> Budget {
    Budget::new(
        "the Notion connection",
        PER_SECOND,
        config.scaled(Duration::from_secs(1)),
        BURST,
    )
}

impl Provider for Notion {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    /// The workspace name came with the token.
    fn account_name<'a>(
        &'a self,
        _call: TokenCall<'a>,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Option<String>> {
        Box::pin(async { tokens.workspace_name.clone() })
    }

    fn revoke<'a>(
        &'a self,
        call: TokenCall<'a>,
        refresh_token: Option<&'a SecretString>,
        access_token: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(oauth::revoke(call, refresh_token, access_token))
    }

    /// API errors `{object:"error", status, code, message}` and OAuth errors
    /// `{error, error_description?}`.
    fn error_body(&self, json: &Value) -> ErrorBody {
        let text = |k: &str| str_field(json, k).map(str::to_string);
        ErrorBody {
            code: text("code").or_else(|| text("error")),
            message: text("message").or_else(|| text("error_description")),
        }
    }

    /// `Retry-After` (integer seconds), else the body's `additional_data.retry_after`.
    fn throttle(&self, headers: &HeaderMap, body: &[u8]) -> Throttle {
        let wait = retry_after(headers)
            .or_else(|| {
                let v: Value = serde_json::from_slice(body).ok()?;
                let s = v.pointer("/additional_data/retry_after")?;
                let secs = s.as_f64().or_else(|| s.as_str()?.trim().parse().ok())?;
                // Any number may arrive here; a huge one is clamped, not a panic.
                Duration::try_from_secs_f64(secs.min(1e9)).ok()
            })
            .unwrap_or(Duration::from_secs(1));
        Throttle::Wait(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_shapes() {
        let p = &PROVIDER;
        let e = p.error_body(
            &json!({"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}),
        );
        assert_eq!(e.summary().unwrap(), "unauthorized: API token is invalid.");
        let e = p.error_body(&json!({"error":"invalid_client","request_id":"r"}));
        assert_eq!(e.summary().unwrap(), "invalid_client");
    }

    #[test]
    fn a_429_waits_for_retry_after_or_the_body() {
        let body = br#"{"object":"error","status":429,"code":"rate_limited","additional_data":{"retry_after":"49"}}"#;
        assert_eq!(
            PROVIDER.throttle(&HeaderMap::new(), body),
            Throttle::Wait(Duration::from_secs(49))
        );
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(
            PROVIDER.throttle(&headers, body),
            Throttle::Wait(Duration::from_secs(3))
        );
        let huge = br#"{"additional_data":{"retry_after":1e300}}"#;
        assert!(matches!(
            PROVIDER.throttle(&HeaderMap::new(), huge),
            Throttle::Wait(_)
        ));
    }
}
