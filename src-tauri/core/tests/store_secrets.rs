//! The secret stores: file (0600), memory, the fallback read, and the real OS keychain
//! under the Secret Service that `make test` starts (dbus-run-session + gnome-keyring).

use std::sync::Arc;

use junction_core::config::{Config, FileConfig, SecretStoreKind};
use junction_core::store::{SecretBackend, SecretName, Secrets};
use junction_core::ProviderId;
use secrecy::{ExposeSecret, SecretString};

fn config(dir: &std::path::Path, store: &str) -> Config {
    let store = store.to_string();
    let lookup = move |name: &str| (name == "JUNCTION_SECRET_STORE").then(|| store.clone());
    Config::resolve(dir.to_path_buf(), FileConfig::default(), &lookup).unwrap()
}

async fn round_trip(secrets: &Secrets) {
    let name = SecretName::refresh_token("org", "user", ProviderId::Airtable);
    assert!(secrets.get(&name).await.unwrap().is_none());
    secrets
        .set(&name, &SecretString::from("rt-1 ✓"))
        .await
        .unwrap();
    assert_eq!(
        secrets.get(&name).await.unwrap().unwrap().expose_secret(),
        "rt-1 ✓"
    );
    secrets
        .set(&name, &SecretString::from("rt-2"))
        .await
        .unwrap();
    assert_eq!(
        secrets.get(&name).await.unwrap().unwrap().expose_secret(),
        "rt-2"
    );
    secrets.delete(&name).await.unwrap();
    assert!(secrets.get(&name).await.unwrap().is_none());
    secrets.delete(&name).await.unwrap(); // deleting twice is fine
}

#[tokio::test]
async fn memory_store_round_trips() {
    round_trip(&Secrets::memory()).await;
}

#[tokio::test]
async fn file_store_is_private_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::open(&config(dir.path(), "file")).await;
    assert_eq!(secrets.kind(), "file");
    assert!(secrets.warning().unwrap().contains("secrets.json"));
    round_trip(&secrets).await;
    let name = SecretName::client_secret(ProviderId::Notion);
    secrets.set(&name, &SecretString::from("cs")).await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secrets.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second store on the same file (the CLI beside the app) sees it.
    let again = Secrets::open(&config(dir.path(), "file")).await;
    assert_eq!(
        again.get(&name).await.unwrap().unwrap().expose_secret(),
        "cs"
    );
}

#[tokio::test]
async fn concurrent_file_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::open(&config(dir.path(), "file")).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = secrets.clone();
        tasks.push(tokio::spawn(async move {
            let name = SecretName::refresh_token("org", &format!("u{i}"), ProviderId::Hubspot);
            s.set(&name, &SecretString::from(format!("v{i}")))
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for i in 0..20 {
        let name = SecretName::refresh_token("org", &format!("u{i}"), ProviderId::Hubspot);
        assert_eq!(
            secrets.get(&name).await.unwrap().unwrap().expose_secret(),
            format!("v{i}")
        );
    }
}

#[tokio::test]
async fn a_broken_secrets_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.json"), "{not json").unwrap();
    let secrets = Secrets::open(&config(dir.path(), "file")).await;
    let err = secrets
        .get(&SecretName::redis_password())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "secrets_unavailable");
    assert!(err.to_string().contains("secrets.json"), "{err}");
}

#[tokio::test]
async fn os_keychain_round_trips_under_a_secret_service() {
    if std::env::var("JUNCTION_TEST_KEYRING").is_err() {
        eprintln!(
            "skipped: JUNCTION_TEST_KEYRING not set (make test runs this under gnome-keyring)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "keyring");
    assert_eq!(cfg.secret_store, SecretStoreKind::Keyring);
    let secrets = Secrets::open(&cfg).await;
    assert_eq!(
        secrets.kind(),
        "keyring",
        "warning: {:?}",
        secrets.warning()
    );
    assert!(secrets.warning().is_none());
    round_trip(&secrets).await;

    // A secret saved in the file before the keychain was chosen is still found.
    let file = junction_core::store::FileBackend::new(dir.path());
    let name = SecretName::client_secret(ProviderId::Hubspot);
    file.set(&name, "from-file").unwrap();
    assert_eq!(
        secrets.get(&name).await.unwrap().unwrap().expose_secret(),
        "from-file"
    );
    // Writing moves it to the keychain and clears the file copy.
    secrets
        .set(&name, &SecretString::from("in-keychain"))
        .await
        .unwrap();
    assert_eq!(file.get(&name).unwrap(), None);
    assert_eq!(
        secrets.get(&name).await.unwrap().unwrap().expose_secret(),
        "in-keychain"
    );
    secrets.delete(&name).await.unwrap();
}

#[tokio::test]
async fn a_custom_backend_can_be_injected() {
    let secrets = Secrets::with_backend(Arc::new(junction_core::store::MemoryBackend::default()));
    assert_eq!(secrets.kind(), "memory");
    round_trip(&secrets).await;
}

/// A keychain whose calls take 6 s while `slow` is set (an unlock prompt).
#[derive(Default)]
struct SlowKeychain {
    slow: std::sync::atomic::AtomicBool,
    inner: junction_core::store::MemoryBackend,
}

impl SlowKeychain {
    fn wait(&self) {
        if self.slow.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_secs(6));
        }
    }
}

impl SecretBackend for SlowKeychain {
    fn kind(&self) -> &'static str {
        "keyring"
    }
    fn get(&self, name: &SecretName) -> junction_core::Result<Option<String>> {
        self.wait();
        self.inner.get(name)
    }
    fn set(&self, name: &SecretName, value: &str) -> junction_core::Result<()> {
        self.wait();
        self.inner.set(name, value)
    }
    fn delete(&self, name: &SecretName) -> junction_core::Result<()> {
        self.wait();
        self.inner.delete(name)
    }
}

/// A keychain that only times out is not recorded as missing: config.toml keeps no
/// `secret_store = "file"`, the grants already in the keychain are still read, and the
/// next start asks the keychain again (and uses it when it answers).
#[tokio::test]
async fn a_slow_keychain_is_not_a_missing_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "keyring");
    let keychain = Arc::new(SlowKeychain::default());
    let name = SecretName::refresh_token("org", "user", ProviderId::Hubspot);
    keychain.inner.set(&name, "saved-before").unwrap();
    keychain
        .slow
        .store(true, std::sync::atomic::Ordering::SeqCst);

    let secrets = Secrets::open_with_keychain(&cfg, keychain.clone()).await;
    assert_eq!(secrets.kind(), "file");
    let warning = secrets.warning().unwrap().to_string();
    assert!(warning.contains("did not answer"), "{warning}");
    let file = std::fs::read_to_string(dir.path().join("config.toml")).unwrap_or_default();
    assert!(!file.contains("secret_store"), "{file}");

    // The prompt is answered: the keychain's grant is read as the second store.
    keychain
        .slow
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let got = secrets
        .get(&name)
        .await
        .unwrap()
        .expect("read from the keychain");
    assert_eq!(got.expose_secret(), "saved-before");

    // The next start probes again and uses the keychain.
    let again = Secrets::open_with_keychain(&cfg, keychain.clone()).await;
    assert_eq!(again.kind(), "keyring");
    assert!(again.warning().is_none());
}
