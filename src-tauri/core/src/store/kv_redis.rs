//! The Redis cache: one endpoint through a `ConnectionManager` (reconnects by itself),
//! with explicit connect and response timeouts so a dead server fails fast.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::config::RedisEndpoint;
use crate::{Error, Result};

const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Upper bound for the first connection, retries included: the status bar must show a
/// down Redis within 3 s.
const FIRST_CONNECT_BUDGET: Duration = Duration::from_millis(2500);

#[derive(Clone)]
pub struct RedisKv {
    manager: ConnectionManager,
    host_port: String,
}

impl RedisKv {
    pub async fn connect(endpoint: &RedisEndpoint) -> Result<Self> {
        let host_port = endpoint.host_port();
        let unavailable = |reason: String| Error::CacheUnavailable {
            endpoint: host_port.clone(),
            reason,
        };
        let client = redis::Client::open(endpoint.connection_url())
            .map_err(|e| unavailable(describe(&e)))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let manager = tokio::time::timeout(
            FIRST_CONNECT_BUDGET,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| unavailable("no answer within 2.5 s".into()))?
        .map_err(|e| unavailable(describe(&e)))?;
        let kv = RedisKv { manager, host_port };
        kv.ping().await?;
        Ok(kv)
    }

    pub fn host_port(&self) -> &str {
        &self.host_port
    }

    fn error(&self, err: redis::RedisError) -> Error {
        Error::CacheUnavailable {
            endpoint: self.host_port.clone(),
            reason: describe(&err),
        }
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T> {
        let mut conn = self.manager.clone();
        // The response timeout bounds each command; this bounds reconnect attempts too.
        match tokio::time::timeout(Duration::from_secs(3), cmd.query_async(&mut conn)).await {
            Ok(result) => result.map_err(|e| self.error(e)),
            Err(_) => Err(Error::CacheUnavailable {
                endpoint: self.host_port.clone(),
                reason: "no answer within 3 s".into(),
            }),
        }
    }

    pub async fn ping(&self) -> Result<()> {
        let _: String = self.run(&redis::cmd("PING")).await?;
        Ok(())
    }

    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<()> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value).arg("PX").arg(millis(ttl));
        let _: () = self.run(&cmd).await?;
        Ok(())
    }

    pub async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value).arg("PX").arg(millis(ttl)).arg("NX");
        let reply: Option<String> = self.run(&cmd).await?;
        Ok(reply.is_some())
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        self.run(redis::cmd("GET").arg(key)).await
    }

    pub async fn get_del(&self, key: &str) -> Result<Option<String>> {
        self.run(redis::cmd("GETDEL").arg(key)).await
    }

    pub async fn del(&self, key: &str) -> Result<()> {
        let _: i64 = self.run(redis::cmd("DEL").arg(key)).await?;
        Ok(())
    }

    pub async fn del_if_eq(&self, key: &str, value: &str) -> Result<bool> {
        const SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                              return redis.call('DEL', KEYS[1]) else return 0 end";
        let deleted: i64 = self
            .run(redis::cmd("EVAL").arg(SCRIPT).arg(1).arg(key).arg(value))
            .await?;
        Ok(deleted == 1)
    }

    pub async fn del_prefix(&self, prefix: &str) -> Result<usize> {
        // SCAN, not KEYS: KEYS blocks a shared server.
        let pattern = format!("{}*", escape_glob(prefix));
        let mut cursor: u64 = 0;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = self
                .run(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(500),
                )
                .await?;
            if !keys.is_empty() {
                let n: usize = self.run(redis::cmd("DEL").arg(&keys)).await?;
                deleted += n;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>> {
        let ms: i64 = self.run(redis::cmd("PTTL").arg(key)).await?;
        Ok((ms >= 0).then(|| Duration::from_millis(ms as u64)))
    }
}

fn millis(ttl: Duration) -> u64 {
    // Redis rejects a zero expiry; the shortest TTL is one millisecond.
    (ttl.as_millis() as u64).max(1)
}

fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Redis error as a sentence; redis-rs never includes the URL's password in it.
fn describe(err: &redis::RedisError) -> String {
    if err.is_timeout() {
        "timed out".to_string()
    } else if err.is_connection_refusal() {
        "connection refused".to_string()
    } else {
        err.to_string()
    }
}
