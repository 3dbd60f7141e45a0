//! Non-secret facts about each connection, in `connections.json` in the config dir:
//! the account name, HubSpot's portal id, the granted scopes, when it was made, and
//! whether the provider has asked for a reconnect. They survive a restart on the
//! embedded store; tokens never go here.
//!
//! The file is read once and kept in memory. Every lookup compares the file's identity
//! (inode, size, modification time) with what was read: the other process (the CLI
//! beside the app) writes through an atomic rename, which always makes a new inode, so
//! its changes are seen at the next lookup without parsing the file on every API call.
//! All file work runs on the blocking pool.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::fs::{blocking, with_file_lock, write_bytes_atomic, NewFile};
use crate::{Error, ProviderId, Result};

/// The file's name in the config dir.
pub const CONNECTIONS_FILE: &str = "connections.json";
const LOCK_FILE: &str = ".connections.lock";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionFacts {
    pub provider: ProviderId,
    /// Account, hub domain or workspace name shown on the card.
    pub account: Option<String>,
    /// HubSpot's portal (hub) id, for record URLs.
    pub portal_id: Option<String>,
    pub scopes: Vec<String>,
    pub connected_at: DateTime<Utc>,
    /// Set when a refresh was refused: the user must connect again.
    #[serde(default)]
    pub needs_reconnect: Option<String>,
}

/// Keyed by `<org>:<user>:<provider>`, so several people sharing a config dir (a team
/// machine) keep their own.
type Map = BTreeMap<String, ConnectionFacts>;

/// What identifies one version of the file; `None` when it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp(Option<(u64, u64, SystemTime)>);

impl Stamp {
    fn of(path: &Path) -> Result<Stamp> {
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Stamp(Some((
                inode(&meta),
                meta.len(),
                meta.modified().map_err(|e| Error::io(path, e))?,
            )))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Stamp(None)),
            Err(e) => Err(Error::io(path, e)),
        }
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// The connection facts of one org and user.
#[derive(Clone)]
pub struct Connections {
    path: PathBuf,
    lock_path: PathBuf,
    prefix: String,
    read: Arc<Mutex<Option<(Stamp, Map)>>>,
}

impl Connections {
    pub fn new(config_dir: &Path, org: &str, user: &str) -> Self {
        Connections {
            path: config_dir.join(CONNECTIONS_FILE),
            lock_path: config_dir.join(LOCK_FILE),
            prefix: format!("{org}:{user}:"),
            read: Arc::default(),
        }
    }

    fn key(&self, provider: ProviderId) -> String {
        format!("{}{provider}", self.prefix)
    }

    /// The file's contents, from memory while the file is unchanged (blocking).
    fn current(&self) -> Result<Map> {
        let stamp = Stamp::of(&self.path)?;
        if let Some((seen, map)) = &*self.read.lock() {
            if *seen == stamp {
                return Ok(map.clone());
            }
        }
        let map = self.parse()?;
        *self.read.lock() = Some((stamp, map.clone()));
        Ok(map)
    }

    fn parse(&self) -> Result<Map> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::io(&self.path, format!("not readable JSON: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    /// Read-modify-write under an exclusive lock (the app and the CLI both write).
    fn update<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Map) -> T + Send + 'static,
    ) -> Result<T> {
        with_file_lock(&self.lock_path, || {
            let mut map = self.parse()?;
            let out = f(&mut map);
            let bytes = serde_json::to_vec_pretty(&map)
                .map_err(|e| Error::Internal(format!("cannot encode connections: {e}")))?;
            write_bytes_atomic(&self.path, &bytes, NewFile::Private)?;
            *self.read.lock() = Some((Stamp::of(&self.path)?, map));
            Ok(out)
        })
    }

    pub async fn get(&self, provider: ProviderId) -> Result<Option<ConnectionFacts>> {
        let this = self.clone();
        blocking(move || Ok(this.current()?.get(&this.key(provider)).cloned())).await
    }

    pub async fn put(&self, facts: ConnectionFacts) -> Result<()> {
        let (this, key) = (self.clone(), self.key(facts.provider));
        blocking(move || {
            this.update(move |m| {
                m.insert(key, facts);
            })
        })
        .await
    }

    pub async fn mark_needs_reconnect(&self, provider: ProviderId, reason: &str) -> Result<()> {
        let (this, key, reason) = (self.clone(), self.key(provider), reason.to_string());
        blocking(move || {
            this.update(move |m| {
                if let Some(f) = m.get_mut(&key) {
                    f.needs_reconnect = Some(reason);
                }
            })
        })
        .await
    }

    /// Forgets a connection; whether there was one.
    pub async fn remove(&self, provider: ProviderId) -> Result<bool> {
        let (this, key) = (self.clone(), self.key(provider));
        blocking(move || this.update(move |m| m.remove(&key).is_some())).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(account: &str) -> ConnectionFacts {
        ConnectionFacts {
            provider: ProviderId::Hubspot,
            account: Some(account.into()),
            portal_id: Some("123".into()),
            scopes: vec!["oauth".into()],
            connected_at: Utc::now(),
            needs_reconnect: None,
        }
    }

    #[tokio::test]
    async fn facts_round_trip_per_user() {
        let dir = tempfile::tempdir().unwrap();
        let mine = Connections::new(dir.path(), "o", "u");
        let theirs = Connections::new(dir.path(), "o", "other");
        let made = facts("acme.hubspot.com");
        mine.put(made.clone()).await.unwrap();
        assert_eq!(mine.get(ProviderId::Hubspot).await.unwrap(), Some(made));
        assert_eq!(theirs.get(ProviderId::Hubspot).await.unwrap(), None);
        mine.mark_needs_reconnect(ProviderId::Hubspot, "invalid_grant")
            .await
            .unwrap();
        let marked = mine.get(ProviderId::Hubspot).await.unwrap().unwrap();
        assert_eq!(marked.needs_reconnect.as_deref(), Some("invalid_grant"));
        assert!(mine.remove(ProviderId::Hubspot).await.unwrap());
        assert!(!mine.remove(ProviderId::Hubspot).await.unwrap());
    }

    #[tokio::test]
    async fn another_process_s_write_is_seen_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let app = Connections::new(dir.path(), "o", "u");
        let cli = Connections::new(dir.path(), "o", "u");
        assert_eq!(app.get(ProviderId::Hubspot).await.unwrap(), None);
        // Writes within the same clock tick, with the same length: only the inode
        // tells them apart.
        for account in ["aaaa.hubspot.com", "bbbb.hubspot.com", "cccc.hubspot.com"] {
            cli.put(facts(account)).await.unwrap();
            let seen = app.get(ProviderId::Hubspot).await.unwrap().unwrap();
            assert_eq!(seen.account.as_deref(), Some(account));
        }
        cli.remove(ProviderId::Hubspot).await.unwrap();
        assert_eq!(app.get(ProviderId::Hubspot).await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_unchanged_file_is_not_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connections::new(dir.path(), "o", "u");
        c.put(facts("acme.hubspot.com")).await.unwrap();
        c.get(ProviderId::Hubspot).await.unwrap();
        // Break the file's contents behind its back while keeping its identity: a
        // re-parse would fail, a cached read does not.
        let path = dir.path().join(CONNECTIONS_FILE);
        let meta = std::fs::metadata(&path).unwrap();
        let garbage = vec![b' '; meta.len() as usize];
        std::fs::write(&path, &garbage).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(meta.modified().unwrap()).unwrap();
        drop(file);
        assert!(c.get(ProviderId::Hubspot).await.unwrap().is_some());
    }
}
