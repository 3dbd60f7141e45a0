//! Non-secret facts about each connection, in `connections.json` in the config dir:
//! the account name, HubSpot's portal id, the granted scopes, when it was made, and
//! whether the provider has asked for a reconnect. They survive a restart on the
//! embedded store; tokens never go here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Error, ProviderId, Result};

const FILE: &str = "connections.json";

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

/// The connections file, keyed by `<org>:<user>:<provider>` so several people sharing
/// a config dir (a team machine) keep their own.
pub struct ConnectionsFile {
    path: PathBuf,
    lock_path: PathBuf,
}

type Map = BTreeMap<String, ConnectionFacts>;

impl ConnectionsFile {
    pub fn new(config_dir: &Path) -> Self {
        ConnectionsFile {
            path: config_dir.join(FILE),
            lock_path: config_dir.join(".connections.lock"),
        }
    }

    fn key(org: &str, user: &str, provider: ProviderId) -> String {
        format!("{org}:{user}:{provider}")
    }

    fn read(&self) -> Result<Map> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::io(&self.path, format!("not readable JSON: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    /// Read-modify-write under an exclusive lock (the app and the CLI both write).
    fn update<T>(&self, f: impl FnOnce(&mut Map) -> T) -> Result<T> {
        crate::store::with_file_lock(&self.lock_path, || {
            let mut map = self.read()?;
            let out = f(&mut map);
            let bytes = serde_json::to_vec_pretty(&map)
                .map_err(|e| Error::Internal(format!("cannot encode connections: {e}")))?;
            crate::store::atomic_write(&self.path, &bytes, false)?;
            Ok(out)
        })
    }

    pub fn get(
        &self,
        org: &str,
        user: &str,
        provider: ProviderId,
    ) -> Result<Option<ConnectionFacts>> {
        Ok(self.read()?.get(&Self::key(org, user, provider)).cloned())
    }

    pub fn put(&self, org: &str, user: &str, facts: ConnectionFacts) -> Result<()> {
        let key = Self::key(org, user, facts.provider);
        self.update(|m| {
            m.insert(key, facts);
        })
    }

    pub fn mark_needs_reconnect(
        &self,
        org: &str,
        user: &str,
        provider: ProviderId,
        reason: &str,
    ) -> Result<()> {
        let key = Self::key(org, user, provider);
        self.update(|m| {
            if let Some(f) = m.get_mut(&key) {
                f.needs_reconnect = Some(reason.to_string());
            }
        })
    }

    pub fn remove(&self, org: &str, user: &str, provider: ProviderId) -> Result<bool> {
        let key = Self::key(org, user, provider);
        self.update(|m| m.remove(&key).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_round_trip_per_user() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConnectionsFile::new(dir.path());
        let facts = ConnectionFacts {
            provider: ProviderId::Hubspot,
            account: Some("acme.hubspot.com".into()),
            portal_id: Some("123".into()),
            scopes: vec!["oauth".into()],
            connected_at: Utc::now(),
            needs_reconnect: None,
        };
        file.put("o", "u", facts.clone()).unwrap();
        assert_eq!(
            file.get("o", "u", ProviderId::Hubspot).unwrap(),
            Some(facts)
        );
        assert_eq!(file.get("o", "other", ProviderId::Hubspot).unwrap(), None);
        file.mark_needs_reconnect("o", "u", ProviderId::Hubspot, "invalid_grant")
            .unwrap();
        assert_eq!(
            file.get("o", "u", ProviderId::Hubspot)
                .unwrap()
                .unwrap()
                .needs_reconnect
                .as_deref(),
            Some("invalid_grant")
        );
        assert!(file.remove("o", "u", ProviderId::Hubspot).unwrap());
        assert!(!file.remove("o", "u", ProviderId::Hubspot).unwrap());
    }
}
