//! Long-lived secrets: refresh tokens, client secrets, the Redis password.
//!
//! The OS keychain by default (`keyring`, service `junction`). Where no keychain
//! answers (headless Linux without a Secret Service) a 0600 file in the config dir
//! takes over and the status bar shows a warning. The choice is written to config.toml
//! so the app and the CLI use the same store, and a lookup reads the other store too,
//! so a secret saved before a switch is never stranded.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::config::{Config, SecretStoreKind};
use crate::{Error, ProviderId, Result};

/// The keychain service name.
pub const KEYRING_SERVICE: &str = "junction";
/// The file secrets fall back to, in the config dir.
pub const SECRETS_FILE: &str = "secrets.json";
/// A keychain that does not answer within this (a prompt nobody sees, a hung D-Bus)
/// counts as unavailable.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The name a secret is stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretName(String);

impl SecretName {
    /// A connection's refresh token (or Notion's long-lived access token), per org and user.
    pub fn refresh_token(org: &str, user: &str, provider: ProviderId) -> Self {
        SecretName(format!("junction:{org}:{user}:{provider}:refresh_token"))
    }

    /// The client secret of a provider's OAuth app.
    pub fn client_secret(provider: ProviderId) -> Self {
        SecretName(format!("junction:{provider}:client_secret"))
    }

    /// The password of the configured Redis (never in config.toml).
    pub fn redis_password() -> Self {
        SecretName("junction:redis_password".to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One place secrets can live. Calls may block (keychains do): [`Secrets`] runs them on
/// the blocking pool.
pub trait SecretBackend: Send + Sync {
    fn kind(&self) -> &'static str;
    fn get(&self, name: &SecretName) -> Result<Option<String>>;
    fn set(&self, name: &SecretName, value: &str) -> Result<()>;
    fn delete(&self, name: &SecretName) -> Result<()>;
}

/// The OS keychain.
pub struct KeyringBackend;

impl KeyringBackend {
    fn entry(name: &SecretName) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, name.as_str()).map_err(keyring_error)
    }
}

/// Writes, reads back and deletes a probe entry: a keychain that cannot do all three is
/// no use to us.
fn probe(backend: &dyn SecretBackend) -> Result<()> {
    let name = SecretName("junction:probe".to_string());
    backend.set(&name, "probe")?;
    let read = backend.get(&name)?;
    backend.delete(&name)?;
    if read.as_deref() == Some("probe") {
        Ok(())
    } else {
        Err(Error::Secrets {
            backend: "keyring".into(),
            reason: "the keychain did not return what was written".into(),
        })
    }
}

fn keyring_error(err: keyring::Error) -> Error {
    Error::Secrets {
        backend: "keyring".into(),
        reason: err.to_string(),
    }
}

impl SecretBackend for KeyringBackend {
    fn kind(&self) -> &'static str {
        "keyring"
    }

    fn get(&self, name: &SecretName) -> Result<Option<String>> {
        match Self::entry(name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, name: &SecretName, value: &str) -> Result<()> {
        Self::entry(name)?
            .set_password(value)
            .map_err(keyring_error)
    }

    fn delete(&self, name: &SecretName) -> Result<()> {
        match Self::entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// A JSON map in a 0600 file, for machines without a keychain. Read-modify-write
/// holds an exclusive file lock so the app and the CLI never lose each other's writes.
pub struct FileBackend {
    path: PathBuf,
    lock_path: PathBuf,
}

impl FileBackend {
    pub fn new(dir: &Path) -> Self {
        FileBackend {
            path: dir.join(SECRETS_FILE),
            lock_path: dir.join(".secrets.lock"),
        }
    }

    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        crate::fs::with_file_lock(&self.lock_path, f)
    }

    fn read(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Secrets {
                backend: "file".into(),
                reason: format!("{} is not readable JSON: {e}", self.path.display()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(map)
            .map_err(|e| Error::Internal(format!("cannot encode secrets: {e}")))?;
        crate::fs::write_bytes_atomic(&self.path, &bytes, crate::fs::NewFile::Private)
    }
}

impl SecretBackend for FileBackend {
    fn kind(&self) -> &'static str {
        "file"
    }

    fn get(&self, name: &SecretName) -> Result<Option<String>> {
        // No lock: every write replaces the file whole (rename), so a read sees one
        // complete version, and never waits behind a writer that is stuck.
        Ok(self.read()?.get(name.as_str()).cloned())
    }

    fn set(&self, name: &SecretName, value: &str) -> Result<()> {
        self.locked(|| {
            let mut map = self.read()?;
            map.insert(name.as_str().to_string(), value.to_string());
            self.write(&map)
        })
    }

    fn delete(&self, name: &SecretName) -> Result<()> {
        self.locked(|| {
            let mut map = self.read()?;
            if map.remove(name.as_str()).is_some() {
                self.write(&map)?;
            }
            Ok(())
        })
    }
}

/// Secrets in this process only, for tests.
#[derive(Default)]
pub struct MemoryBackend {
    map: Mutex<HashMap<String, String>>,
}

impl SecretBackend for MemoryBackend {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn get(&self, name: &SecretName) -> Result<Option<String>> {
        Ok(self.map.lock().get(name.as_str()).cloned())
    }

    fn set(&self, name: &SecretName, value: &str) -> Result<()> {
        self.map
            .lock()
            .insert(name.as_str().to_string(), value.to_string());
        Ok(())
    }

    fn delete(&self, name: &SecretName) -> Result<()> {
        self.map.lock().remove(name.as_str());
        Ok(())
    }
}

/// The secret store the rest of Junction uses.
#[derive(Clone)]
pub struct Secrets {
    primary: Arc<dyn SecretBackend>,
    /// The other store, read on a miss so nothing saved before a switch is stranded.
    secondary: Option<Arc<dyn SecretBackend>>,
    warning: Option<String>,
    writes: Arc<WriteOrder>,
}

/// Keeps writes (sets and deletes) in order. A write that timed out is abandoned by its
/// caller but still runs on the blocking pool; it must never land after a newer write
/// of the same name (it would bring back an older refresh token, or a deleted one).
#[derive(Default)]
struct WriteOrder {
    /// One write at a time, across names: a stuck store holds every write behind it.
    serial: Mutex<()>,
    /// The newest write asked for, per name.
    latest: Mutex<HashMap<String, u64>>,
    next: std::sync::atomic::AtomicU64,
}

impl WriteOrder {
    /// Numbers a new write of `name`; every earlier one of `name` is now superseded.
    fn begin(&self, name: &SecretName) -> u64 {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        self.latest.lock().insert(name.as_str().to_string(), n);
        n
    }

    /// Runs write `n` of `name` unless a newer one was asked for meanwhile (that one
    /// lands instead, so skipping loses nothing).
    fn run(&self, name: &SecretName, n: u64, write: impl FnOnce() -> Result<()>) -> Result<()> {
        let _one_at_a_time = self.serial.lock();
        if self
            .latest
            .lock()
            .get(name.as_str())
            .is_some_and(|&l| l > n)
        {
            return Ok(());
        }
        write()
    }
}

impl Secrets {
    /// Opens the configured store. When the keychain is asked for but does not answer,
    /// falls back to the file with a warning and records `secret_store = "file"` in
    /// config.toml (unless the environment chose the store).
    pub async fn open(config: &Config) -> Secrets {
        Secrets::open_with_keychain(config, Arc::new(KeyringBackend)).await
    }

    /// [`Secrets::open`] with `keychain` as the OS keychain. A keychain that fails its
    /// probe is recorded as unusable (`secret_store = "file"`); one that is only slow
    /// (an unlock prompt nobody has answered yet) is not: it stays the second store, so
    /// grants already in it are still read, and the next start probes it again.
    pub async fn open_with_keychain(config: &Config, keychain: Arc<dyn SecretBackend>) -> Secrets {
        let file: Arc<dyn SecretBackend> = Arc::new(FileBackend::new(&config.config_dir));
        if config.secret_store == SecretStoreKind::File {
            return Secrets {
                primary: file,
                secondary: None,
                warning: Some(file_warning(&config.config_dir)),
                writes: Arc::default(),
            };
        }
        let probed = keychain.clone();
        let probe = tokio::task::spawn_blocking(move || probe(probed.as_ref()));
        let reason = match tokio::time::timeout(KEYCHAIN_TIMEOUT, probe).await {
            Ok(Ok(Ok(()))) => {
                return Secrets {
                    primary: keychain,
                    secondary: Some(file),
                    warning: None,
                    writes: Arc::default(),
                }
            }
            Ok(Ok(Err(e))) => e.to_string(),
            Ok(Err(e)) => format!("the keychain check crashed: {e}"),
            Err(_) => {
                tracing::warn!("the keychain did not answer within 5 s; using the secrets file for now, the keychain is asked again at the next start");
                return Secrets {
                    primary: file,
                    secondary: Some(keychain),
                    warning: Some(format!(
                        "The keychain did not answer (locked?): {}",
                        file_warning(&config.config_dir)
                    )),
                    writes: Arc::default(),
                };
            }
        };
        tracing::warn!(%reason, "no usable keychain; keeping secrets in a file");
        if !config
            .env_overrides
            .iter()
            .any(|n| n == "JUNCTION_SECRET_STORE")
        {
            let mut saved = config.file.clone();
            saved.secret_store = Some(SecretStoreKind::File);
            let dir = config.config_dir.clone();
            if let Err(e) = crate::fs::blocking(move || saved.write(&dir)).await {
                tracing::warn!(error = %e, "could not record the secret store in config.toml");
            }
        }
        Secrets {
            primary: file,
            // Keychain reads are skipped: it failed outright (no Secret Service), so
            // it holds nothing this run could read.
            secondary: None,
            writes: Arc::default(),
            // The reason is in the log; the status bar has room for one sentence.
            warning: Some(format!(
                "No keychain available: {}",
                file_warning(&config.config_dir)
            )),
        }
    }

    /// An in-memory store (tests).
    pub fn memory() -> Secrets {
        Secrets::with_backend(Arc::new(MemoryBackend::default()))
    }

    pub fn with_backend(primary: Arc<dyn SecretBackend>) -> Secrets {
        Secrets {
            primary,
            secondary: None,
            warning: None,
            writes: Arc::default(),
        }
    }

    /// "keyring", "file" or "memory".
    pub fn kind(&self) -> &'static str {
        self.primary.kind()
    }

    /// Set when secrets fell back to, or were put in, a plain file.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    pub async fn get(&self, name: &SecretName) -> Result<Option<SecretString>> {
        let value = blocking(self.primary.clone(), name.clone(), |b, n| b.get(&n)).await?;
        if value.is_some() {
            return Ok(value.map(SecretString::from));
        }
        match &self.secondary {
            Some(other) => match blocking(other.clone(), name.clone(), |b, n| b.get(&n)).await {
                Ok(v) => Ok(v.map(SecretString::from)),
                // The other store is a courtesy; its failure is not this lookup's.
                Err(_) => Ok(None),
            },
            None => Ok(None),
        }
    }

    pub async fn set(&self, name: &SecretName, value: &SecretString) -> Result<()> {
        let text = value.expose_secret().to_string();
        let (writes, order) = (self.writes.clone(), self.writes.begin(name));
        blocking(self.primary.clone(), name.clone(), move |b, n| {
            writes.run(&n, order, || b.set(&n, &text))
        })
        .await?;
        if let Some(other) = &self.secondary {
            // A stale copy in the other store would shadow nothing, but would linger.
            let _ = blocking(other.clone(), name.clone(), |b, n| b.delete(&n)).await;
        }
        Ok(())
    }

    pub async fn delete(&self, name: &SecretName) -> Result<()> {
        let (writes, order) = (self.writes.clone(), self.writes.begin(name));
        blocking(self.primary.clone(), name.clone(), move |b, n| {
            writes.run(&n, order, || b.delete(&n))
        })
        .await?;
        if let Some(other) = &self.secondary {
            let _ = blocking(other.clone(), name.clone(), |b, n| b.delete(&n)).await;
        }
        Ok(())
    }
}

fn file_warning(dir: &Path) -> String {
    format!(
        "Secrets are kept in a private file ({}), not the OS keychain.",
        dir.join(SECRETS_FILE).display()
    )
}

async fn blocking<T: Send + 'static>(
    backend: Arc<dyn SecretBackend>,
    name: SecretName,
    f: impl FnOnce(&dyn SecretBackend, SecretName) -> Result<T> + Send + 'static,
) -> Result<T> {
    let kind = backend.kind();
    let task = tokio::task::spawn_blocking(move || f(backend.as_ref(), name));
    match tokio::time::timeout(KEYCHAIN_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(Error::Secrets {
            backend: kind.into(),
            reason: format!("the secret store call crashed: {e}"),
        }),
        Err(_) => Err(Error::Secrets {
            backend: kind.into(),
            reason: "no answer within 5 s".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write abandoned by its caller (it timed out) that runs after a newer write of
    /// the same name is skipped; another name's write is not affected.
    #[test]
    fn an_older_write_never_lands_after_a_newer_one() {
        let order = WriteOrder::default();
        let store = MemoryBackend::default();
        let grant = SecretName::client_secret(ProviderId::Airtable);
        let other = SecretName::client_secret(ProviderId::Notion);
        let old = order.begin(&grant);
        let other_write = order.begin(&other);
        let new = order.begin(&grant);
        order.run(&grant, new, || store.set(&grant, "new")).unwrap();
        order.run(&grant, old, || store.set(&grant, "old")).unwrap();
        order
            .run(&other, other_write, || store.set(&other, "x"))
            .unwrap();
        assert_eq!(store.get(&grant).unwrap().as_deref(), Some("new"));
        assert_eq!(store.get(&other).unwrap().as_deref(), Some("x"));
        // A delete is a write too.
        let delete = order.begin(&grant);
        order.run(&grant, delete, || store.delete(&grant)).unwrap();
        order.run(&grant, new, || store.set(&grant, "new")).unwrap();
        assert_eq!(store.get(&grant).unwrap(), None);
    }
}
