//! Airtable: bases, tables and records (providers.md §2).

pub(crate) mod load;
pub mod mapping;
mod oauth;

use std::time::Duration;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::json::{str_field, ErrorBody};
use super::{DefaultEndpoints, Facts, Provider, Throttle};
use crate::config::Config;
use crate::fetch::{retry_after, Budget};
use crate::oauth::{OAuthSpec, TokenCall, TokenSet, TokenStyle};

pub(crate) struct Airtable;

pub(crate) const PROVIDER: Airtable = Airtable;

/// 5 requests per second per base, paced evenly with 10 % to spare: a sixth request
/// inside any second costs a 30 s penalty, so arrival jitter must never squeeze six
/// into one window.
pub(crate) const PER_SECOND: u32 = 5;
const SPARE: f64 = 0.10;
/// The penalty after a 429.
pub(crate) const PENALTY: Duration = Duration::from_secs(30);

static FACTS: Facts = Facts {
    name: "Airtable",
    endpoints: DefaultEndpoints {
        auth: "https://airtable.com/oauth2/v1/authorize",
        token: "https://airtable.com/oauth2/v1/token",
        api: "https://api.airtable.com",
    },
    oauth: OAuthSpec {
        scopes: &["data.records:read", "schema.bases:read", "user.email:read"],
        // Airtable requires PKCE; it works without a client secret (a public client).
        pkce: true,
        extra_authorize_params: &[],
        token_style: TokenStyle::FormWithBasicIfSecret,
        secret_required: false,
    },
    api_headers: &[],
};

/// One base's budget (or the bases list's): 5 per second, evenly spaced, no burst.
pub(crate) fn budget(config: &Config, name: impl Into<String>) -> Budget {
    let window = config
        .scaled(Duration::from_secs(1))
        .mul_f64(1.0 + SPARE);
    Budget::new(name, PER_SECOND, window, 1)
}

impl Provider for Airtable {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn account_name<'a>(
        &'a self,
        call: TokenCall<'a>,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Option<String>> {
        Box::pin(oauth::whoami(call, tokens))
    }


    /// `{"error":{"type","message"}}`, a bare-string `error` (404s and OAuth errors
    /// with `error_description`) and the 429
    /// `{"errors":[{"error":"RATE_LIMIT_REACHED","message"}]}`.
    fn error_body(&self, json: &Value) -> ErrorBody {
        let text = |v: &Value, k: &str| str_field(v, k).map(str::to_string);
        match json.get("error") {
            Some(e @ Value::Object(_)) => {
                return ErrorBody {
                    code: text(e, "type"),
                    message: text(e, "message"),
                };
            }
            Some(Value::String(code)) => {
                return ErrorBody {
                    code: Some(code.clone()),
                    message: text(json, "error_description").or_else(|| text(json, "message")),
                };
            }
            _ => {}
        }
        if let Some(first) = json
            .get("errors")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
        {
            return ErrorBody {
                code: text(first, "error"),
                message: text(first, "message"),
            };
        }
        ErrorBody {
            code: None,
            message: text(json, "message"),
        }
    }

    /// "You will need to wait 30 seconds before subsequent requests will succeed."
    fn throttle(&self, headers: &HeaderMap, _body: &[u8]) -> Throttle {
        Throttle::Wait(retry_after(headers).unwrap_or(PENALTY).max(PENALTY))
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
            &json!({"error":{"type":"AUTHENTICATION_REQUIRED","message":"Authentication required"}}),
        );
        assert_eq!(
            e.summary().unwrap(),
            "AUTHENTICATION_REQUIRED: Authentication required"
        );
        assert_eq!(
            p.error_body(&json!({"error":"NOT_FOUND"}))
                .summary()
                .unwrap(),
            "NOT_FOUND"
        );
        let e = p.error_body(
            &json!({"errors":[{"error":"RATE_LIMIT_REACHED","message":"Rate limit exceeded. Please try again later"}]}),
        );
        assert_eq!(e.code.as_deref(), Some("RATE_LIMIT_REACHED"));
        let e = p.error_body(&json!({"error":"invalid_grant","error_description":"bad verifier"}));
        assert_eq!(e.summary().unwrap(), "invalid_grant: bad verifier");
    }

    #[test]
    fn a_429_costs_the_30_second_penalty() {
        let mut headers = HeaderMap::new();
        assert_eq!(PROVIDER.throttle(&headers, b""), Throttle::Wait(PENALTY));
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(PROVIDER.throttle(&headers, b""), Throttle::Wait(PENALTY));
        headers.insert("retry-after", "45".parse().unwrap());
        assert_eq!(
            PROVIDER.throttle(&headers, b""),
            Throttle::Wait(Duration::from_secs(45))
        );
    }
}
