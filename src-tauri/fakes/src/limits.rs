//! The providers' rate limits, as the fakes enforce them (windows already scaled).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// HubSpot: N requests per rolling window, per account.
#[derive(Debug)]
pub(crate) struct RollingWindow {
    max: u32,
    window: Duration,
    hits: VecDeque<Instant>,
}

impl RollingWindow {
    pub fn new(max: u32, window: Duration) -> Self {
        RollingWindow {
            max,
            window,
            hits: VecDeque::new(),
        }
    }

    /// Takes a slot: `Ok(remaining)` or `Err(())` when the window is full (a 429 does
    /// not take a slot).
    pub fn take(&mut self, now: Instant) -> Result<u32, ()> {
        while self
            .hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            self.hits.pop_front();
        }
        if self.hits.len() as u32 >= self.max {
            return Err(());
        }
        self.hits.push_back(now);
        Ok(self.max - self.hits.len() as u32)
    }
}

/// Airtable: N requests per second per base; going over blocks the base for a penalty
/// ("wait 30 seconds before subsequent requests will succeed").
#[derive(Debug)]
pub(crate) struct PerBase {
    per_second: u32,
    second: Duration,
    penalty: Duration,
    bases: HashMap<String, (RollingWindow, Option<Instant>)>,
}

impl PerBase {
    pub fn new(per_second: u32, second: Duration, penalty: Duration) -> Self {
        PerBase {
            per_second,
            second,
            penalty,
            bases: HashMap::new(),
        }
    }

    /// `true` when the request may proceed.
    pub fn take(&mut self, base: &str, now: Instant) -> bool {
        let (window, blocked_until) = self
            .bases
            .entry(base.to_string())
            .or_insert_with(|| (RollingWindow::new(self.per_second, self.second), None));
        if blocked_until.is_some_and(|until| now < until) {
            return false;
        }
        if window.take(now).is_ok() {
            return true;
        }
        *blocked_until = Some(now + self.penalty);
        false
    }
}

/// Notion: a token bucket (an average rate with some burst). After a 429 the
/// connection is blocked until the announced Retry-After (scaled) has passed.
#[derive(Debug)]
pub(crate) struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
    blocked_until: Option<Instant>,
}

impl Bucket {
    pub fn new(per_second: f64, burst: u32, now: Instant) -> Self {
        let capacity = f64::from(burst.max(1));
        Bucket {
            capacity,
            per_second: per_second.max(0.001),
            tokens: capacity,
            last: now,
            blocked_until: None,
        }
    }

    /// `Ok(())` or `Err(remaining block)`; `block` is how long a new 429 blocks for.
    pub fn take(&mut self, now: Instant, block: Duration) -> Result<(), Duration> {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Err(until - now);
            }
            self.blocked_until = None;
        }
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        self.blocked_until = Some(now + block);
        Err(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_window_counts_down_and_refills() {
        let t0 = Instant::now();
        let mut w = RollingWindow::new(2, Duration::from_secs(10));
        assert_eq!(w.take(t0), Ok(1));
        assert_eq!(w.take(t0), Ok(0));
        assert_eq!(w.take(t0 + Duration::from_secs(9)), Err(()));
        assert_eq!(w.take(t0 + Duration::from_secs(10)), Ok(1));
    }

    #[test]
    fn per_base_penalty_blocks_the_base_only() {
        let t0 = Instant::now();
        let mut l = PerBase::new(1, Duration::from_secs(1), Duration::from_secs(30));
        assert!(l.take("a", t0));
        assert!(!l.take("a", t0), "second in the same second");
        assert!(l.take("b", t0));
        assert!(!l.take("a", t0 + Duration::from_secs(29)), "penalty");
        assert!(l.take("a", t0 + Duration::from_secs(30)));
    }

    #[test]
    fn bucket_allows_burst_then_blocks() {
        let t0 = Instant::now();
        let mut b = Bucket::new(3.0, 2, t0);
        assert!(b.take(t0, Duration::from_secs(1)).is_ok());
        assert!(b.take(t0, Duration::from_secs(1)).is_ok());
        assert_eq!(
            b.take(t0, Duration::from_secs(1)),
            Err(Duration::from_secs(1))
        );
        assert!(
            b.take(t0 + Duration::from_millis(500), Duration::from_secs(1))
                .is_err(),
            "still blocked"
        );
        assert!(b
            .take(t0 + Duration::from_secs(1), Duration::from_secs(1))
            .is_ok());
    }
}
