//! The embedded cache: a map with per-key expiry, for when no Redis is configured.
//!
//! It lives in this process only; the CLI and the app share connections through the
//! secret store instead (a later process refreshes its own access token).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::Result;

#[derive(Clone, Default)]
pub struct MemoryKv {
    entries: Arc<Mutex<HashMap<String, (String, Instant)>>>,
}

impl MemoryKv {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, (String, Instant)>) -> T) -> T {
        let mut map = self.entries.lock();
        let now = Instant::now();
        map.retain(|_, (_, expires)| *expires > now);
        f(&mut map)
    }

    pub fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<()> {
        let expires = Instant::now() + ttl;
        self.with(|m| m.insert(key.to_string(), (value.to_string(), expires)));
        Ok(())
    }

    pub fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool> {
        let expires = Instant::now() + ttl;
        Ok(self.with(|m| {
            if m.contains_key(key) {
                false
            } else {
                m.insert(key.to_string(), (value.to_string(), expires));
                true
            }
        }))
    }

    pub fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.with(|m| m.get(key).map(|(v, _)| v.clone())))
    }

    pub fn get_del(&self, key: &str) -> Result<Option<String>> {
        Ok(self.with(|m| m.remove(key).map(|(v, _)| v)))
    }

    pub fn del(&self, key: &str) -> Result<()> {
        self.with(|m| m.remove(key));
        Ok(())
    }

    pub fn del_if_eq(&self, key: &str, value: &str) -> Result<bool> {
        Ok(self.with(|m| {
            if m.get(key).is_some_and(|(v, _)| v == value) {
                m.remove(key);
                true
            } else {
                false
            }
        }))
    }

    pub fn del_prefix(&self, prefix: &str) -> Result<usize> {
        Ok(self.with(|m| {
            let before = m.len();
            m.retain(|k, _| !k.starts_with(prefix));
            before - m.len()
        }))
    }

    pub fn ttl(&self, key: &str) -> Result<Option<Duration>> {
        let now = Instant::now();
        Ok(self.with(|m| m.get(key).map(|(_, e)| e.saturating_duration_since(now))))
    }
}
