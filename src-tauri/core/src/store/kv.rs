//! The TTL cache behind one interface: Redis when configured, embedded otherwise.
//!
//! An enum rather than a trait object: two backends, async methods, no boxing.

use std::time::Duration;

use super::{MemoryKv, RedisKv};
use crate::config::Config;
use crate::Result;

#[derive(Clone)]
pub enum Kv {
    Memory(MemoryKv),
    Redis(RedisKv),
}

impl Kv {
    /// Opens the configured cache. A configured Redis that does not answer is an error
    /// (within a few seconds), never a silent switch to the embedded store.
    /// `redis_password` comes from the secret store when config.toml's URL has none.
    pub async fn open(config: &Config, redis_password: Option<&str>) -> Result<Kv> {
        match &config.redis {
            None => Ok(Kv::Memory(MemoryKv::new())),
            Some(endpoint) => {
                let endpoint = match (endpoint.password(), redis_password) {
                    (None, Some(pw)) => endpoint.with_password(pw),
                    _ => endpoint.clone(),
                };
                Ok(Kv::Redis(RedisKv::connect(&endpoint).await?))
            }
        }
    }

    /// "Cache: embedded" or "Cache: Redis at host:port" (never a password).
    pub fn label(&self) -> String {
        match self {
            Kv::Memory(_) => "Cache: embedded".to_string(),
            Kv::Redis(r) => format!("Cache: Redis at {}", r.host_port()),
        }
    }

    pub fn is_redis(&self) -> bool {
        matches!(self, Kv::Redis(_))
    }

    /// Sets `key` to `value`, expiring after `ttl` (every key has a TTL).
    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<()> {
        match self {
            Kv::Memory(m) => m.set_ex(key, value, ttl),
            Kv::Redis(r) => r.set_ex(key, value, ttl).await,
        }
    }

    /// Sets only when absent (locks); true when this call set it.
    pub async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool> {
        match self {
            Kv::Memory(m) => m.set_nx(key, value, ttl),
            Kv::Redis(r) => r.set_nx(key, value, ttl).await,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        match self {
            Kv::Memory(m) => m.get(key),
            Kv::Redis(r) => r.get(key).await,
        }
    }

    /// Reads and deletes in one step: a pending sign-in's state is single use.
    pub async fn get_del(&self, key: &str) -> Result<Option<String>> {
        match self {
            Kv::Memory(m) => m.get_del(key),
            Kv::Redis(r) => r.get_del(key).await,
        }
    }

    pub async fn del(&self, key: &str) -> Result<()> {
        match self {
            Kv::Memory(m) => m.del(key),
            Kv::Redis(r) => r.del(key).await,
        }
    }

    /// Deletes `key` only while it still holds `value` (releasing a lock we own, not
    /// one another process took after ours expired).
    pub async fn del_if_eq(&self, key: &str, value: &str) -> Result<bool> {
        match self {
            Kv::Memory(m) => m.del_if_eq(key, value),
            Kv::Redis(r) => r.del_if_eq(key, value).await,
        }
    }

    /// Deletes every key starting with `prefix`; returns how many.
    pub async fn del_prefix(&self, prefix: &str) -> Result<usize> {
        match self {
            Kv::Memory(m) => m.del_prefix(prefix),
            Kv::Redis(r) => r.del_prefix(prefix).await,
        }
    }

    /// The remaining time to live of `key`, `None` when absent.
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>> {
        match self {
            Kv::Memory(m) => m.ttl(key),
            Kv::Redis(r) => r.ttl(key).await,
        }
    }

    /// Checks the backend answers.
    pub async fn ping(&self) -> Result<()> {
        match self {
            Kv::Memory(_) => Ok(()),
            Kv::Redis(r) => r.ping().await,
        }
    }
}
