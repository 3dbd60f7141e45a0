//! One API request, done right: wait for the budget, send with a fresh token, and
//! handle what comes back.
//!
//! - 2xx: the JSON body (malformed JSON is a `provider_response` error naming the
//!   endpoint). Every body is read up to [`MAX_API_BODY`]; a larger one is a
//!   `provider_response` error naming the cap and the host, not retried.
//! - 401: one refresh (`Session::access_token_after_401`), then the same request again;
//!   a second 401 is `needs_reconnect`.
//! - 429: the provider's wait (HubSpot: the window, from `X-HubSpot-RateLimit-Interval-
//!   Milliseconds`; Airtable: 30 s; Notion: `Retry-After`), never less than a
//!   `Retry-After`, scaled by `JUNCTION_RATE_LIMIT_SCALE`; the whole budget waits and a
//!   `Throttled` event says so. Bounded: [`MAX_THROTTLES`] per request.
//! - 5xx, 408, timeouts and dropped connections: bounded exponential backoff with
//!   jitter (`backon`: 5 retries, 0.5 s doubling to 8 s, each plus up to 100 % jitter,
//!   scaled), never shorter than a `Retry-After`; then the last error.
//! - Any other status: `provider_http` with the provider's message.

use std::time::Duration;

use backon::BackoffBuilder;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::limiter::{sleep_until, Budget};
use super::{Ctx, LoadEvent};
use crate::http::{read_body, BodyError, MAX_API_BODY};
use crate::providers::{json, Throttle};
use crate::{Error, Result};

/// Retries after 5xx / network errors (so 6 attempts in all).
pub(crate) const MAX_RETRIES: usize = 5;
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// 429s in a row for one request before giving up.
pub(crate) const MAX_THROTTLES: usize = 8;
/// A provider wait longer than this (a daily limit, say) fails the load instead: the
/// user can resume later.
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// One request of a load.
pub(crate) struct Call<'a> {
    pub budget: &'a Budget,
    /// The path, for messages (`/crm/v3/objects/contacts`).
    pub endpoint: String,
    pub url: Url,
    /// `Some` = POST this JSON; `None` = GET.
    pub json: Option<Value>,
}

/// Why an attempt did not produce a body.
enum Attempt {
    /// Worth retrying after a backoff (5xx, network); `Some` = the server's Retry-After.
    Transient(Error, Option<Duration>),
    Unauthorized(String),
    Throttled {
        announced: Duration,
        message: String,
    },
    Fatal(Error),
}

impl Ctx {
    /// Performs `call` until it yields JSON or a final error.
    pub(crate) async fn fetch(&self, call: &Call<'_>) -> Result<Value> {
        let body = self.fetch_body(call).await?;
        json::parse_json(self.provider, &call.endpoint, &body)
    }

    /// Performs `call` until it yields a 2xx body or a final error: for a caller that
    /// parses the body its own way (a large page read without building what it drops).
    pub(crate) async fn fetch_body(&self, call: &Call<'_>) -> Result<Vec<u8>> {
        let config = self.session.config();
        let mut backoff = backon::ExponentialBuilder::new()
            .with_min_delay(config.scaled(BACKOFF_MIN))
            .with_max_delay(config.scaled(BACKOFF_MAX))
            .with_max_times(MAX_RETRIES)
            .with_jitter()
            .with_jitter_seed(rand::random())
            .build();
        let mut attempts = 0usize;
        let mut refreshed = false;
        let mut throttles = 0usize;
        loop {
            call.budget.acquire(&self.cancel).await?;
            let token = self
                .cancellable(self.session.access_token(self.provider))
                .await?;
            attempts += 1;
            match self.attempt(call, &token).await? {
                Ok(body) => return Ok(body),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Unauthorized(message)) => {
                    if refreshed {
                        let reason = format!(
                            "{} still answered 401 after a token refresh: {message}",
                            call.endpoint
                        );
                        return Err(self
                            .session
                            .tokens()
                            .needs_reconnect(self.provider, &reason)
                            .await);
                    }
                    refreshed = true;
                    self.cancellable(
                        self.session
                            .tokens()
                            .access_token_after_401(self.provider, &token),
                    )
                    .await?;
                }
                Err(Attempt::Throttled { announced, message }) => {
                    throttles += 1;
                    if throttles > MAX_THROTTLES || announced > LONGEST_WAIT {
                        return Err(Error::RateLimited {
                            provider: self.provider.display_name().into(),
                            endpoint: call.endpoint.clone(),
                            message: format!("{message} (asked to wait {})", secs(announced)),
                        });
                    }
                    let wait = config.scaled(announced);
                    if call.budget.close_for(wait) {
                        tracing::info!(provider = %self.provider, endpoint = %call.endpoint,
                            budget = %call.budget.name, wait_ms = wait.as_millis() as u64,
                            "rate limited");
                        self.emit(LoadEvent::Throttled {
                            provider: self.provider,
                            message: format!(
                                "{} asked us to wait {}",
                                self.provider.display_name(),
                                secs(announced)
                            ),
                            wait_ms: wait.as_millis() as u64,
                        });
                    }
                }
                Err(Attempt::Transient(e, retry_after)) => {
                    let Some(delay) = backoff.next() else {
                        return Err(gave_up(e, attempts));
                    };
                    // A 5xx asking us to come back tomorrow is a failure to report (and
                    // resume later), not a sleep that looks like a hang.
                    if retry_after.is_some_and(|r| r > LONGEST_WAIT) {
                        return Err(gave_up(e, attempts));
                    }
                    let delay = delay.max(retry_after.map_or(Duration::ZERO, |r| config.scaled(r)));
                    tracing::debug!(provider = %self.provider, endpoint = %call.endpoint,
                        error = %e, delay_ms = delay.as_millis() as u64, "retrying");
                    sleep_until(tokio::time::Instant::now() + delay, &self.cancel).await?;
                }
            }
        }
    }

    /// Runs `fut` unless the load is cancelled first.
    pub(crate) async fn cancellable<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Error::Cancelled),
            r = fut => r,
        }
    }

    /// One attempt: `Ok(Ok(body))`, `Ok(Err(why not))`, or `Err` when cancelled.
    async fn attempt(
        &self,
        call: &Call<'_>,
        token: &SecretString,
    ) -> Result<std::result::Result<Vec<u8>, Attempt>> {
        let provider = self.provider;
        let mut request = match &call.json {
            Some(body) => self.http.post(call.url.clone()).json(body),
            None => self.http.get(call.url.clone()),
        };
        request = request.bearer_auth(token.expose_secret());
        for (name, value) in provider.get().facts().api_headers {
            request = request.header(*name, *value);
        }
        let network = |e: &reqwest::Error| {
            Attempt::Transient(
                Error::Network {
                    target: format!("{} {}", provider.display_name(), call.endpoint),
                    reason: crate::http::describe(e),
                },
                None,
            )
        };
        let response = match self.cancellable(async { Ok(request.send().await) }).await? {
            Ok(r) => r,
            Err(e) => return Ok(Err(network(&e))),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match self
            .cancellable(async { Ok(read_body(response, MAX_API_BODY).await) })
            .await?
        {
            Ok(b) => b,
            Err(BodyError::Read(e)) => return Ok(Err(network(&e))),
            Err(BodyError::TooLarge(reason)) => {
                return Ok(Err(Attempt::Fatal(Error::ProviderResponse {
                    provider: provider.display_name().into(),
                    endpoint: call.endpoint.clone(),
                    reason,
                })))
            }
        };
        provider.get().observe(
            call.budget,
            &headers,
            self.session.config().rate_limit_scale,
        );
        if (200..300).contains(&status) {
            return Ok(Ok(body));
        }
        let message = json::error_message(provider, status, &body);
        let http_error = || Error::ProviderHttp {
            provider: provider.display_name().into(),
            endpoint: call.endpoint.clone(),
            status,
            message: message.clone(),
        };
        Ok(Err(match status {
            401 => Attempt::Unauthorized(message),
            429 => Attempt::Throttled {
                announced: match provider.get().throttle(&headers, &body) {
                    Throttle::Wait(wait) => wait,
                    Throttle::UntilTomorrow => Duration::MAX,
                },
                message,
            },
            408 | 500..=599 => Attempt::Transient(http_error(), retry_after(&headers)),
            _ => Attempt::Fatal(http_error()),
        }))
    }
}

/// The last error of a request that kept failing, saying so.
fn gave_up(e: Error, attempts: usize) -> Error {
    let note = format!(" (gave up after {attempts} attempts)");
    match e {
        Error::ProviderHttp {
            provider,
            endpoint,
            status,
            message,
        } => Error::ProviderHttp {
            provider,
            endpoint,
            status,
            message: message + &note,
        },
        Error::Network { target, reason } => Error::Network {
            target,
            reason: reason + &note,
        },
        other => other,
    }
}

/// `Retry-After`: integer (or decimal) seconds, or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or_default(),
    )
}

pub(crate) fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// "30 s", "1.5 s", "250 ms".
pub(crate) fn secs(d: Duration) -> String {
    if d == Duration::MAX {
        "until the daily limit resets".to_string()
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("49"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(49)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO), "in the past");
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn waits_read_well() {
        assert_eq!(secs(Duration::from_secs(30)), "30 s");
        assert_eq!(secs(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(secs(Duration::from_millis(250)), "250 ms");
    }
}
