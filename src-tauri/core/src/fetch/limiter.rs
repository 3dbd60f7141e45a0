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
        let period = (window / sustained.max(1)).max(Duration::from_micros(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN));
        let clock = DefaultClock::default();
        Budget {
            name: name.into(),
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
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

    /// Counts how many of `n` back-to-back acquisitions land in the first `window`
    /// after `start`. `start` is taken before the budget is made: the budget's clock
    /// starts then, and a late `start` on a busy machine would count a replenished
    /// cell as if it broke the limit.
    async fn in_first_window(start: Instant, budget: &Budget, n: usize, window: Duration) -> usize {
        let cancel = CancellationToken::new();
        let mut times = Vec::new();
        for _ in 0..n {
            budget.acquire(&cancel).await.unwrap();
            times.push(start.elapsed());
        }
        times.iter().filter(|t| **t < window).count()
    }

    #[tokio::test]
    async fn a_paced_budget_never_exceeds_its_window() {
        let window = Duration::from_millis(200);
        let start = Instant::now();
        let b = Budget::new("h", 88, window, 20);
        let n = in_first_window(start, &b, 120, window).await;
        // burst + sustained - 1: HubSpot's 110 less 3 to spare.
        assert!(n <= 107, "{n}");
        assert!(n >= 50, "{n}: the budget is used");
    }

    #[tokio::test]
    async fn airtable_spaces_five_per_window() {
        let window = Duration::from_millis(100);
        let start = Instant::now();
        let b = Budget::new("a", 5, window.mul_f64(1.05), 1);
        let n = in_first_window(start, &b, 8, window).await;
        // Late wake-ups on a busy machine can only push acquisitions out of the window.
        assert!((4..=5).contains(&n), "{n}");
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
