//! Saving settings: plain values to config.toml, the Redis password to the secret
//! store, bad values refused with the setting named.

use junction_core::config::{Config, FileConfig, SignInMode};
use junction_core::store::{SecretName, Secrets};
use junction_core::views::{ProviderSettingsInput, SettingsInput};
use junction_core::{ProviderId, Session};
use secrecy::ExposeSecret;

async fn session(dir: &std::path::Path) -> Session {
    let config = Config::resolve(
        dir.to_path_buf(),
        FileConfig::read(dir).unwrap(),
        &|_: &str| None,
    )
    .unwrap();
    Session::with_secrets(config, Secrets::memory()).await
}

fn input(redis: Option<&str>, port: u16) -> SettingsInput {
    SettingsInput {
        providers: vec![ProviderSettingsInput {
            id: ProviderId::Airtable,
            client_id: " app-123 ".into(),
        }],
        sign_in_mode: SignInMode::Browser,
        redirect_port: port,
        redis_url: redis.map(str::to_string),
        hubspot_archived: None,
    }
}

/// What `config.toml` holds now.
fn config_file(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("config.toml")).unwrap()
}

/// The Redis password the secret store holds.
async fn redis_password(s: &Session) -> String {
    let pw = s.secrets().get(&SecretName::redis_password()).await;
    pw.unwrap().unwrap().expose_secret().to_string()
}

#[tokio::test]
async fn include_archived_records_is_saved_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path()).await;
    assert!(!s.settings().await.hubspot_archived, "off by default");
    s.save_settings(SettingsInput {
        hubspot_archived: Some(true),
        ..input(None, 8123)
    })
    .await
    .unwrap();
    let file = config_file(dir.path());
    assert!(file.contains("hubspot_archived = true"), "{file}");
    let again = session(dir.path()).await;
    assert!(again.settings().await.hubspot_archived);
    assert!(again.config().hubspot_archived);
    // A save that does not say keeps it; turning it off leaves no line behind.
    again.save_settings(input(None, 8123)).await.unwrap();
    assert!(session(dir.path()).await.config().hubspot_archived);
    again
        .save_settings(SettingsInput {
            hubspot_archived: Some(false),
            ..input(None, 8123)
        })
        .await
        .unwrap();
    let file = config_file(dir.path());
    assert!(!file.contains("hubspot_archived"), "{file}");
}

#[tokio::test]
async fn the_redis_password_goes_to_secrets_not_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path()).await;
    s.save_settings(input(Some("redis://:pa55word@127.0.0.1:6399/0"), 8123))
        .await
        .unwrap();
    let file = config_file(dir.path());
    assert!(!file.contains("pa55word"), "{file}");
    assert!(file.contains("redis://"), "{file}");
    assert!(file.contains("8123"));
    assert_eq!(redis_password(&s).await, "pa55word");

    let reloaded = Config::resolve(
        dir.path().to_path_buf(),
        FileConfig::read(dir.path()).unwrap(),
        &|_: &str| None,
    )
    .unwrap();
    assert_eq!(
        reloaded.provider(ProviderId::Airtable).client_id.as_deref(),
        Some("app-123")
    );
    assert_eq!(reloaded.sign_in_mode, SignInMode::Browser);
    assert_eq!(reloaded.redis.unwrap().host_port(), "127.0.0.1:6399");

    // The dialog shows what `settings()` gives: after a reload the password is in the
    // secret store only, shown as ***; saving that back keeps it.
    let reopened = session(dir.path()).await;
    let reopened = Session::with_secrets(reopened.config().clone(), s.secrets().clone()).await;
    let shown = reopened.settings().await.redis_url.unwrap();
    assert_eq!(shown, "redis://:***@127.0.0.1:6399/0");
    reopened
        .save_settings(input(Some(&shown), 8123))
        .await
        .unwrap();
    assert_eq!(redis_password(&s).await, "pa55word");
    // Clearing the URL returns to the embedded store.
    s.save_settings(input(None, 8000)).await.unwrap();
    let file = config_file(dir.path());
    assert!(!file.contains("redis"), "{file}");
}

#[tokio::test]
async fn bad_settings_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path()).await;
    let err = s
        .save_settings(input(Some("http://not-redis"), 8000))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "config_invalid");
    assert!(err.to_string().contains("Redis URL"), "{err}");
    let err = s.save_settings(input(None, 0)).await.unwrap_err();
    assert!(err.to_string().contains("redirect_port"), "{err}");
    assert!(!dir.path().join("config.toml").exists());
}

/// A `***` URL keeps the saved password only for the server it was saved for: another
/// scheme, host, port or user is refused (nothing written, the password kept where it
/// was), and a new password for the new server is accepted.
#[tokio::test]
async fn a_saved_redis_password_stays_with_its_server() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path()).await;
    s.save_settings(input(Some("redis://ann:pa55word@127.0.0.1:6399/0"), 8123))
        .await
        .unwrap();
    let file_before = config_file(dir.path());
    let s = Session::with_secrets(
        Config::resolve(
            dir.path().to_path_buf(),
            FileConfig::read(dir.path()).unwrap(),
            &|_: &str| None,
        )
        .unwrap(),
        s.secrets().clone(),
    )
    .await;
    let saved = || async {
        s.secrets()
            .get(&SecretName::redis_password())
            .await
            .unwrap()
            .map(|p| p.expose_secret().to_string())
    };
    for moved in [
        "redis://ann:***@evil.example:6399/0",
        "redis://ann:***@127.0.0.1:6400/0",
        "rediss://ann:***@127.0.0.1:6399/0",
        "redis://bob:***@127.0.0.1:6399/0",
        "redis://:***@127.0.0.1:6399/0",
    ] {
        let err = s.save_settings(input(Some(moved), 8123)).await.unwrap_err();
        assert_eq!(err.code(), "config_invalid", "{moved}: {err}");
        assert!(err.to_string().contains("password"), "{err}");
        let file = config_file(dir.path());
        assert_eq!(file, file_before, "{moved}: nothing written");
        assert_eq!(saved().await.as_deref(), Some("pa55word"));
    }
    // Same server (another database, host in other case): kept.
    s.save_settings(input(Some("redis://ann:***@127.0.0.1:6399/2"), 8123))
        .await
        .unwrap();
    assert_eq!(saved().await.as_deref(), Some("pa55word"));
    // A new server with its own password: accepted, the old one replaced.
    s.save_settings(input(Some("rediss://ann:n3w@cache.example:6380/0"), 8123))
        .await
        .unwrap();
    assert_eq!(saved().await.as_deref(), Some("n3w"));
}

#[test]
fn plain_redis_to_another_machine_is_warned_about() {
    use junction_core::config::RedisEndpoint;
    let warn = |u: &str| RedisEndpoint::parse("t", u).unwrap().cleartext_warning();
    for local in [
        "redis://127.0.0.1:6379",
        "redis://localhost",
        "redis://[::1]:6379",
        "rediss://cache.example:6380",
        "rediss://10.0.0.5",
    ] {
        assert_eq!(warn(local), None, "{local}");
    }
    for remote in [
        "redis://cache.example:6380",
        "redis://10.0.0.5",
        "redis://[2001:db8::1]",
    ] {
        let w = warn(remote).unwrap_or_else(|| panic!("{remote}: no warning"));
        assert!(w.contains("rediss://") && w.contains("in clear"), "{w}");
    }
    assert!(warn("redis://10.0.0.5:7000")
        .unwrap()
        .contains("10.0.0.5:7000"));
}
