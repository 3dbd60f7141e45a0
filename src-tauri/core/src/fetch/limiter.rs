//! Rate-limit budgets: one per provider budget (HubSpot account, Airtable base, Notion
//! connection; each provider sizes its own in `providers/<p>`). A budget is a `governor` GCRA limiter sized so that no window the
//! provider counts can overflow, plus a gate: a time before which nothing may be sent
//! (set by a 429's wait or by HubSpot's "remaining" header running low).
//!
//! Waits are computed, never guessed: the limiter says how long until the next slot
//! and the gate says how long the provider asked us to stay away.

use parking_lot::Mutex;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// The last stretch of a limiter wait is spent yielding, not sleeping (see `acquire`).
const PRECISE: Duration = Duration::from_micros(1500);

/// One rate-limit budget.
pub(crate) struct Budget {
    /// For messages: "the HubSpot account", "Airtable base appX".
    pub name: String,
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
    /// Nothing is sent before this instant.
    gate: Mutex<Option<Instant>>,
}

impl Budget {
    /// `sustained` requests per `window` (already scaled), and up to `burst` at once.
    /// In any window the limiter allows at most `burst + sustained - 1` requests.
    pub fn new(name: impl Into<String>, sustained: u32, window: Duration, burst: u32) -> Budget {
        let clock = DefaultClock::default();
        Budget {
            name: name.into(),
            limiter: RateLimiter::direct_with_clock(quota(sustained, window, burst), clock.clone()),
            clock,
            gate: Mutex::new(None),
        }
    }

    /// Waits until a request may be sent: past the gate, then a slot of the limiter.
    /// Returns `Cancelled` as soon as `cancel` fires.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<()> {
        loop {
            if let Some(until) = self.gate_until() {
                sleep_until(until, cancel).await?;
                continue;
            }
            match self.limiter.check() {
                // A 429 may have closed the gate while we waited for the slot: the slot
                // is spent, but the gate wins.
                Ok(()) if self.gate_until().is_some() => continue,
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    // Timers fire on millisecond ticks, late by up to a tick; on a
                    // limiter without burst every late slot pushes all later ones back.
                    // So sleep to a tick before the slot, then yield until it opens.
                    let wait = not_until.wait_time_from(self.clock.now());
                    if wait > PRECISE {
                        sleep_until(Instant::now() + (wait - PRECISE), cancel).await?;
                    } else if cancel.is_cancelled() {
                        return Err(Error::Cancelled);
                    } else {
                        tokio::task::yield_now().await;
                    }
                }
            }
        }
    }

    /// The gate, while it is closed.
    fn gate_until(&self) -> Option<Instant> {
        let gate = self.gate.lock();
        gate.filter(|until| *until > Instant::now())
    }

    /// Keeps every request of this budget back for `wait` from now (never shortening
    /// an existing wait). Returns whether the gate was open before: the first 429 of a
    /// burst of them announces the wait, the others do not repeat it.
    pub fn close_for(&self, wait: Duration) -> bool {
        let now = Instant::now();
        let until = now + wait;
        let mut gate = self.gate.lock();
        let was_open = gate.is_none_or(|g| g <= now);
        if gate.is_none_or(|g| g < until) {
            *gate = Some(until);
        }
        was_open
    }
}

/// `sustained` per `window` after a burst of `burst`: governor's GCRA cell every
/// `window / sustained`.
fn quota(sustained: u32, window: Duration, burst: u32) -> Quota {
    let period = (window / sustained.max(1)).max(Duration::from_micros(1));
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN))
}

/// Sleeps until `until`, or fails with `Cancelled` when `cancel` fires first.
pub(crate) async fn sleep_until(until: Instant, cancel: &CancellationToken) -> Result<()> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(Error::Cancelled),
        _ = tokio::time::sleep_until(until) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use governor::clock::FakeRelativeClock;

    /// Offers a request every millisecond of fake time for `span`; the grant times.
    fn saturate(quota: Quota, span: Duration) -> Vec<Duration> {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::direct_with_clock(quota, clock.clone());
        let mut granted = Vec::new();
        let mut now = Duration::ZERO;
        while now < span {
            if limiter.check().is_ok() {
                granted.push(now);
            }
            clock.advance(Duration::from_millis(1));
            now += Duration::from_millis(1);
        }
        granted
    }

    /// The most grants in any window of `window` (they are sorted).
    fn busiest(granted: &[Duration], window: Duration) -> usize {
        let mut most = 0;
        let mut from = 0;
        for (to, t) in granted.iter().enumerate() {
            while *t - granted[from] >= window {
                from += 1;
            }
            most = most.max(to - from + 1);
        }
        most
    }

    #[test]
    fn hubspot_sizing_keeps_107_of_110_in_any_window_and_uses_them() {
        // What providers/hubspot asks for: 20 at once, 88 per 10 s after that.
        let window = Duration::from_secs(10);
        let granted = saturate(quota(88, window, 20), Duration::from_secs(60));
        assert!(
            busiest(&granted, window) <= 107,
            "{}",
            busiest(&granted, window)
        );
        // Saturated for a minute: the burst plus six windows' worth, less a cell.
        assert!(granted.len() >= 20 + 88 * 6 - 1, "{}", granted.len());
    }

    #[test]
    fn airtable_sizing_keeps_five_in_any_second() {
        // 5 per 1.1 s, no burst: never a sixth request inside one second.
        let granted = saturate(
            quota(5, Duration::from_millis(1100), 1),
            Duration::from_secs(30),
        );
        assert!(busiest(&granted, Duration::from_secs(1)) <= 5);
        assert!(granted.len() >= 30 * 5 * 10 / 11 - 1, "{}", granted.len());
    }

    #[tokio::test]
    async fn acquire_waits_for_the_limiter() {
        // Real time: a busy machine can only push acquisitions later, so only the
        // upper bound is checked here (the sizing itself is checked above).
        let window = Duration::from_millis(200);
        let start = Instant::now();
        let b = Budget::new("h", 88, window, 20);
        let cancel = CancellationToken::new();
        let mut times = Vec::new();
        for _ in 0..120 {
            b.acquire(&cancel).await.unwrap();
            times.push(start.elapsed());
        }
        // Each time is taken after its grant and before the next one: at most one
        // more can appear in a window than the limiter granted in it.
        assert!(
            busiest(&times, window) <= 107 + 1,
            "{}",
            busiest(&times, window)
        );
    }

    #[tokio::test]
    async fn the_gate_holds_requests_back() {
        let b = Budget::new("n", 1000, Duration::from_secs(1), 10);
        assert!(b.close_for(Duration::from_millis(80)));
        assert!(!b.close_for(Duration::from_millis(10)), "already closed");
        let start = Instant::now();
        b.acquire(&CancellationToken::new()).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(80));
    }

    #[tokio::test]
    async fn cancel_interrupts_a_wait() {
        let b = Budget::new("n", 1, Duration::from_secs(60), 1);
        let cancel = CancellationToken::new();
        b.acquire(&cancel).await.unwrap();
        cancel.cancel();
        assert!(matches!(b.acquire(&cancel).await, Err(Error::Cancelled)));
    }
}
