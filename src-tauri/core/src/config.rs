//! Every setting Junction has, in one place.
//!
//! Sources, later wins: built-in defaults → `config.toml` in the config dir → environment
//! variables. The file holds only what the user set in Settings (never a secret: client
//! secrets and the Redis password live in the secret store). Environment overrides are
//! remembered by name so the Settings dialog can say "set by JUNCTION_…".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, ProviderId, Result};

/// The app identifier; the OS config dir for it holds config.toml and friends.
pub const APP_IDENTIFIER: &str = "app.junction.desktop";
pub const CONFIG_FILE: &str = "config.toml";
/// How long a pending sign-in lives (state in Kv, loopback server, popup): the
/// original backend's 600 s. One number, one place.
pub const PENDING_FLOW_TTL: Duration = Duration::from_secs(600);
pub const DEFAULT_REDIRECT_PORT: u16 = 8000;
/// The ports the redirect URI may use (the Settings field offers the same range).
pub const REDIRECT_PORTS: std::ops::RangeInclusive<u16> = 1..=u16::MAX;

/// Where secrets go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SecretStoreKind {
    /// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
    #[default]
    Keyring,
    /// A 0600 file in the config dir, for machines with no keychain.
    File,
}

impl SecretStoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretStoreKind::Keyring => "keyring",
            SecretStoreKind::File => "file",
        }
    }
}

/// Where sign-in happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum SignInMode {
    /// An in-app popup window with its own data directory and no IPC.
    #[default]
    Popup,
    /// The system browser (some identity providers refuse embedded webviews).
    Browser,
}

/// Per-provider settings as stored in config.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderFileConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

/// The contents of config.toml: only what the user chose; defaults are not written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Without its password; the password is in the secret store (`redis_password`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_store: Option<SecretStoreKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_mode: Option<SignInMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub airtable_records: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hubspot_archived: Option<bool>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub providers: BTreeMap<ProviderId, ProviderFileConfig>,
}

impl FileConfig {
    /// Reads config.toml; a missing file is an empty config, a broken one an error
    /// naming the file and the line.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        toml::from_str(&text).map_err(|e| Error::config(path.display().to_string(), e.to_string()))
    }

    /// Writes config.toml atomically (temp file + rename), so a crash never leaves
    /// half a file.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(CONFIG_FILE);
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::Internal(format!("cannot encode config: {e}")))?;
        // It names the user's hosts and app ids: private, like the rest of the folder.
        crate::fs::write_bytes_atomic(&path, text.as_bytes(), crate::fs::NewFile::Private)
    }
}

/// Where a provider lives. Defaults are the real services; tests and benchmarks point
/// these at the fake providers.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderEndpoints {
    pub auth_url: Url,
    pub token_url: Url,
    pub api_url: Url,
}

impl ProviderEndpoints {
    /// The real service's URLs.
    pub fn defaults(provider: ProviderId) -> Self {
        let urls = &provider.get().facts().endpoints;
        let parse = |text: &str| Url::parse(text).expect("a provider's default URL is valid");
        ProviderEndpoints {
            auth_url: parse(urls.auth),
            token_url: parse(urls.token),
            api_url: parse(urls.api),
        }
    }
}

/// The effective settings of one provider.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub id: ProviderId,
    pub client_id: Option<String>,
    /// From `JUNCTION_<P>_CLIENT_SECRET` only; the saved one is in the secret store.
    pub client_secret_env: Option<secrecy::SecretString>,
    pub endpoints: ProviderEndpoints,
    /// Names of environment variables that override this provider's settings.
    pub env_overrides: Vec<String>,
}

/// The Redis endpoint, parsed. `Display` never shows the password.
#[derive(Clone, PartialEq)]
pub struct RedisEndpoint {
    url: Url,
}

impl RedisEndpoint {
    pub fn parse(setting: &str, text: &str) -> Result<Self> {
        let url = Url::parse(text.trim()).map_err(|e| {
            Error::config(
                setting,
                format!("not a URL ({e}); expected redis://host:port"),
            )
        })?;
        if !matches!(url.scheme(), "redis" | "rediss") {
            return Err(Error::config(
                setting,
                format!(
                    "unsupported scheme `{}`; use redis:// or rediss://",
                    url.scheme()
                ),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::config(setting, "the URL has no host"));
        }
        Ok(RedisEndpoint { url })
    }

    /// `host:port`, for the status bar.
    pub fn host_port(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        let port = self.url.port().unwrap_or(6379);
        format!("{host}:{port}")
    }

    pub fn password(&self) -> Option<&str> {
        self.url.password()
    }

    /// The URL without its password (what config.toml may hold).
    pub fn without_password(&self) -> String {
        let mut url = self.url.clone();
        let _ = url.set_password(None);
        url.to_string()
    }

    /// The same endpoint with `password` (from the secret store) filled in.
    pub fn with_password(&self, password: &str) -> Self {
        let mut url = self.url.clone();
        let _ = url.set_password(Some(password));
        RedisEndpoint { url }
    }

    /// The full connection URL, password included: only for the Redis client.
    pub fn connection_url(&self) -> &str {
        self.url.as_str()
    }
}

impl std::fmt::Debug for RedisEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisEndpoint({})", self)
    }
}

impl std::fmt::Display for RedisEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut url = self.url.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        f.write_str(url.as_str())
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub config_dir: PathBuf,
    /// Where the item store lives (`JUNCTION_DATA_DIR`; else `<JUNCTION_CONFIG_DIR>/data`
    /// when only the config dir is given, so a test or second profile carries its own
    /// items; else the OS data dir).
    pub data_dir: PathBuf,
    pub org_id: String,
    pub user_id: String,
    pub redis: Option<RedisEndpoint>,
    pub secret_store: SecretStoreKind,
    pub redirect_port: u16,
    pub sign_in_mode: SignInMode,
    /// Load Airtable records too (`JUNCTION_AIRTABLE_RECORDS=false` turns them off).
    pub airtable_records: bool,
    /// "Include archived records": HubSpot's archived records too, marked
    /// `visibility: false` (`JUNCTION_HUBSPOT_ARCHIVED=true`; off by default).
    pub hubspot_archived: bool,
    /// Divides every rate-limit window, penalty and wait the client assumes. For tests
    /// and benchmarks against the fake providers; 1 for real use.
    pub rate_limit_scale: f64,
    pub providers: BTreeMap<ProviderId, ProviderConfig>,
    /// Names of environment variables that override settings.
    pub env_overrides: Vec<String>,
    /// What config.toml holds, to edit and save back.
    pub file: FileConfig,
}

/// Reads environment variables; a trait so tests never touch the process environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

impl Config {
    /// Loads from the process environment and the config dir it names.
    pub fn load() -> Result<Self> {
        Self::load_with(&ProcessEnv)
    }

    pub fn load_with(env: &dyn Env) -> Result<Self> {
        let config_dir = match env.var("JUNCTION_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => default_config_dir()?,
        };
        let file = FileConfig::read(&config_dir)?;
        Self::resolve(config_dir, file, env)
    }

    /// Combines file and environment into the effective configuration.
    pub fn resolve(config_dir: PathBuf, file: FileConfig, env: &dyn Env) -> Result<Self> {
        let mut overrides = Vec::new();
        let mut from_env = |name: &str| {
            let value = env.var(name).filter(|v| !v.trim().is_empty());
            if value.is_some() {
                overrides.push(name.to_string());
            }
            value
        };

        let data_dir = match from_env("JUNCTION_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            // A config dir of its own (a test, a second profile) keeps its data beside
            // it, so it never shares the user's item store.
            None if default_config_dir().ok().as_ref() != Some(&config_dir) => {
                config_dir.join("data")
            }
            None => default_data_dir()?,
        };

        let org_id = from_env("JUNCTION_ORG_ID")
            .or_else(|| file.org_id.clone())
            .unwrap_or_else(|| "local".to_string());
        check_key_part("JUNCTION_ORG_ID", &org_id)?;
        let user_id = from_env("JUNCTION_USER_ID")
            .or_else(|| file.user_id.clone())
            .unwrap_or_else(default_user_id);
        check_key_part("JUNCTION_USER_ID", &user_id)?;

        let redis = match from_env("REDIS_URL") {
            Some(text) => Some(RedisEndpoint::parse("REDIS_URL", &text)?),
            None => match &file.redis_url {
                Some(text) => Some(RedisEndpoint::parse("redis_url (config.toml)", text)?),
                None => None,
            },
        };

        let secret_store = match from_env("JUNCTION_SECRET_STORE") {
            Some(text) => match text.trim() {
                "keyring" => SecretStoreKind::Keyring,
                "file" => SecretStoreKind::File,
                other => {
                    return Err(Error::config(
                        "JUNCTION_SECRET_STORE",
                        format!("`{other}` is not a secret store; use keyring or file"),
                    ))
                }
            },
            None => file.secret_store.unwrap_or_default(),
        };

        let redirect_port = match from_env("JUNCTION_REDIRECT_PORT") {
            Some(text) => parse_port("JUNCTION_REDIRECT_PORT", &text)?,
            None => check_port(
                "redirect_port",
                file.redirect_port.unwrap_or(DEFAULT_REDIRECT_PORT),
            )?,
        };

        let sign_in_mode = match from_env("JUNCTION_SIGN_IN_MODE") {
            Some(text) => match text.trim() {
                "popup" => SignInMode::Popup,
                "browser" => SignInMode::Browser,
                other => {
                    return Err(Error::config(
                        "JUNCTION_SIGN_IN_MODE",
                        format!("`{other}` is not a sign-in mode; use popup or browser"),
                    ))
                }
            },
            None => file.sign_in_mode.unwrap_or_default(),
        };

        let airtable_records = match from_env("JUNCTION_AIRTABLE_RECORDS") {
            Some(text) => parse_bool("JUNCTION_AIRTABLE_RECORDS", &text)?,
            None => file.airtable_records.unwrap_or(true),
        };

        let hubspot_archived = match from_env("JUNCTION_HUBSPOT_ARCHIVED") {
            Some(text) => parse_bool("JUNCTION_HUBSPOT_ARCHIVED", &text)?,
            None => file.hubspot_archived.unwrap_or(false),
        };

        let rate_limit_scale = match from_env("JUNCTION_RATE_LIMIT_SCALE") {
            Some(text) => {
                let scale: f64 = text.trim().parse().map_err(|_| {
                    Error::config(
                        "JUNCTION_RATE_LIMIT_SCALE",
                        format!("`{text}` is not a number"),
                    )
                })?;
                if !(scale.is_finite() && scale >= 1.0) {
                    return Err(Error::config(
                        "JUNCTION_RATE_LIMIT_SCALE",
                        format!("`{text}` must be a number ≥ 1"),
                    ));
                }
                scale
            }
            None => 1.0,
        };

        let mut providers = BTreeMap::new();
        for id in ProviderId::ALL {
            let stored = file.providers.get(&id).cloned().unwrap_or_default();
            let prefix = format!("JUNCTION_{}_", id.env_prefix());
            let mut provider_overrides = Vec::new();
            let mut provider_env = |suffix: &str| {
                let name = format!("{prefix}{suffix}");
                let value = env.var(&name).filter(|v| !v.trim().is_empty());
                if value.is_some() {
                    provider_overrides.push(name);
                }
                value
            };
            let client_id = provider_env("CLIENT_ID")
                .or(stored.client_id.clone())
                .filter(|v| !v.trim().is_empty());
            let client_secret_env = provider_env("CLIENT_SECRET").map(secrecy::SecretString::from);
            let defaults = ProviderEndpoints::defaults(id);
            let mut url_setting = |suffix: &str, stored: &Option<String>, default: Url| {
                let name = format!("{prefix}{suffix}");
                match provider_env(suffix).or_else(|| stored.clone()) {
                    Some(text) => parse_http_url(&name, &text),
                    None => Ok(default),
                }
            };
            let endpoints = ProviderEndpoints {
                auth_url: url_setting("AUTH_URL", &stored.auth_url, defaults.auth_url)?,
                token_url: url_setting("TOKEN_URL", &stored.token_url, defaults.token_url)?,
                api_url: url_setting("API_URL", &stored.api_url, defaults.api_url)?,
            };
            overrides.extend(provider_overrides.iter().cloned());
            providers.insert(
                id,
                ProviderConfig {
                    id,
                    client_id,
                    client_secret_env,
                    endpoints,
                    env_overrides: provider_overrides,
                },
            );
        }

        Ok(Config {
            config_dir,
            data_dir,
            org_id,
            user_id,
            redis,
            secret_store,
            redirect_port,
            sign_in_mode,
            airtable_records,
            hubspot_archived,
            rate_limit_scale,
            providers,
            env_overrides: overrides,
            file,
        })
    }

    pub fn provider(&self, id: ProviderId) -> &ProviderConfig {
        &self.providers[&id]
    }

    /// `http://localhost:<port>/integrations/<provider>/oauth2callback`: what users
    /// registered for the original backend.
    pub fn redirect_uri(&self, provider: ProviderId) -> String {
        format!(
            "http://localhost:{}{}",
            self.redirect_port,
            callback_path(provider)
        )
    }

    /// The log dir (beside the config, so one folder holds all of Junction's files).
    pub fn log_dir(&self) -> PathBuf {
        self.config_dir.join("logs")
    }

    /// Scales a provider's wait down for tests and benchmarks.
    pub fn scaled(&self, wait: Duration) -> Duration {
        wait.div_f64(self.rate_limit_scale)
    }
}

/// The loopback path the provider redirects to after sign-in.
pub fn callback_path(provider: ProviderId) -> String {
    format!("/integrations/{provider}/oauth2callback")
}

/// The OS config dir for the app identifier (what Tauri's `app_config_dir` gives),
/// so the app and the CLI find the same files.
pub fn default_config_dir() -> Result<PathBuf> {
    dirs::config_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::config(
                "JUNCTION_CONFIG_DIR",
                "no OS config dir is known; set JUNCTION_CONFIG_DIR",
            )
        })
}

/// The OS data dir for the app identifier (what Tauri's `app_data_dir` gives).
pub fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            Error::config(
                "JUNCTION_DATA_DIR",
                "no OS data dir is known; set JUNCTION_DATA_DIR",
            )
        })
}

fn default_user_id() -> String {
    let name = whoami::username();
    let clean: String = name
        .chars()
        .map(|c| if is_key_char(c) { c } else { '_' })
        .collect();
    if clean.is_empty() {
        "user".to_string()
    } else {
        clean
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')
}

/// Org and user ids become parts of Kv keys separated by `:`, so they may not contain
/// one (nor spaces, which make keys hard to read and to restrict with ACLs).
fn check_key_part(setting: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 128 || !value.chars().all(is_key_char) {
        return Err(Error::config(
            setting,
            format!("`{value}` must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', '-', '@'"),
        ));
    }
    Ok(())
}

fn parse_port(setting: &str, text: &str) -> Result<u16> {
    match text.trim().parse::<u16>() {
        Ok(port) => check_port(setting, port),
        Err(_) => Err(port_error(setting, text)),
    }
}

/// A redirect port inside [`REDIRECT_PORTS`], or the error naming `setting`.
pub fn check_port(setting: &str, port: u16) -> Result<u16> {
    if REDIRECT_PORTS.contains(&port) {
        Ok(port)
    } else {
        Err(port_error(setting, &port.to_string()))
    }
}

fn port_error(setting: &str, text: &str) -> Error {
    Error::config(
        setting,
        format!(
            "`{text}` is not a port; use {}–{}",
            REDIRECT_PORTS.start(),
            REDIRECT_PORTS.end()
        ),
    )
}

fn parse_bool(setting: &str, text: &str) -> Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::config(
            setting,
            format!("`{text}` is not true or false"),
        )),
    }
}

fn parse_http_url(setting: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| Error::config(setting, format!("`{text}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(
            setting,
            format!("`{text}` must be an http(s) URL"),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn resolve(file: FileConfig, pairs: &[(&str, &str)]) -> Result<Config> {
        Config::resolve(PathBuf::from("/tmp/junction-test"), file, &env(pairs))
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = resolve(FileConfig::default(), &[]).unwrap();
        assert_eq!(config.org_id, "local");
        assert!(!config.user_id.is_empty());
        assert!(config.redis.is_none());
        assert_eq!(config.secret_store, SecretStoreKind::Keyring);
        assert_eq!(config.redirect_port, 8000);
        assert_eq!(config.sign_in_mode, SignInMode::Popup);
        assert!(config.airtable_records);
        assert_eq!(config.rate_limit_scale, 1.0);
        assert_eq!(
            config.redirect_uri(ProviderId::Hubspot),
            "http://localhost:8000/integrations/hubspot/oauth2callback"
        );
        assert_eq!(
            config
                .provider(ProviderId::Hubspot)
                .endpoints
                .token_url
                .as_str(),
            "https://api.hubapi.com/oauth/2026-03/token"
        );
        assert!(config.env_overrides.is_empty());
    }

    #[test]
    fn environment_overrides_the_file_and_is_named() {
        let mut file = FileConfig {
            redirect_port: Some(9000),
            ..Default::default()
        };
        file.providers.insert(
            ProviderId::Notion,
            ProviderFileConfig {
                client_id: Some("from-file".into()),
                ..Default::default()
            },
        );
        let config = resolve(
            file,
            &[
                ("JUNCTION_REDIRECT_PORT", "8123"),
                ("JUNCTION_NOTION_CLIENT_ID", "from-env"),
                ("JUNCTION_NOTION_API_URL", "http://127.0.0.1:9/"),
                ("REDIS_URL", "redis://:hunter2@cache.example:6380/0"),
            ],
        )
        .unwrap();
        assert_eq!(config.redirect_port, 8123);
        let notion = config.provider(ProviderId::Notion);
        assert_eq!(notion.client_id.as_deref(), Some("from-env"));
        assert_eq!(notion.endpoints.api_url.as_str(), "http://127.0.0.1:9/");
        assert!(notion
            .env_overrides
            .contains(&"JUNCTION_NOTION_CLIENT_ID".to_string()));
        assert!(config.env_overrides.contains(&"REDIS_URL".to_string()));
        let redis = config.redis.unwrap();
        assert_eq!(redis.host_port(), "cache.example:6380");
        assert!(!redis.to_string().contains("hunter2"));
        assert!(!format!("{redis:?}").contains("hunter2"));
        assert!(!redis.without_password().contains("hunter2"));
        assert_eq!(redis.password(), Some("hunter2"));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let cases = [
            ("JUNCTION_REDIRECT_PORT", "eighty"),
            ("JUNCTION_REDIRECT_PORT", "70000"),
            ("JUNCTION_SECRET_STORE", "vault"),
            ("REDIS_URL", "http://localhost:6379"),
            ("REDIS_URL", "not a url"),
            ("JUNCTION_ORG_ID", "a:b"),
            ("JUNCTION_RATE_LIMIT_SCALE", "0.5"),
            ("JUNCTION_AIRTABLE_RECORDS", "maybe"),
            ("JUNCTION_HUBSPOT_TOKEN_URL", "ftp://x"),
        ];
        for (name, value) in cases {
            let err = resolve(FileConfig::default(), &[(name, value)]).unwrap_err();
            assert_eq!(err.code(), "config_invalid", "{name}={value}");
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
    }

    #[test]
    fn file_round_trips_and_a_broken_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = FileConfig {
            sign_in_mode: Some(SignInMode::Browser),
            redis_url: Some("redis://127.0.0.1:6379/".into()),
            ..Default::default()
        };
        file.providers.insert(
            ProviderId::Airtable,
            ProviderFileConfig {
                client_id: Some("abc".into()),
                ..Default::default()
            },
        );
        file.write(dir.path()).unwrap();
        assert_eq!(FileConfig::read(dir.path()).unwrap(), file);
        let config = Config::load_with(&env(&[(
            "JUNCTION_CONFIG_DIR",
            dir.path().to_str().unwrap(),
        )]))
        .unwrap();
        assert_eq!(config.sign_in_mode, SignInMode::Browser);

        std::fs::write(dir.path().join(CONFIG_FILE), "redirect_port = 'x'\n").unwrap();
        let err = FileConfig::read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("config.toml"), "{err}");
    }

    #[test]
    fn the_data_dir_follows_the_config_dir_unless_named() {
        let named = resolve(
            FileConfig::default(),
            &[("JUNCTION_CONFIG_DIR", "/c"), ("JUNCTION_DATA_DIR", "/d")],
        )
        .unwrap();
        assert_eq!(named.data_dir, PathBuf::from("/d"));
        let beside = resolve(FileConfig::default(), &[("JUNCTION_CONFIG_DIR", "/c")]).unwrap();
        assert_eq!(beside.data_dir, PathBuf::from("/tmp/junction-test/data"));
        let temp = resolve(FileConfig::default(), &[]).unwrap();
        assert_eq!(temp.data_dir, PathBuf::from("/tmp/junction-test/data"));
        let os = Config::resolve(
            default_config_dir().unwrap(),
            FileConfig::default(),
            &env(&[]),
        )
        .unwrap();
        assert!(os.data_dir.ends_with(APP_IDENTIFIER), "{:?}", os.data_dir);
        assert_eq!(os.data_dir, default_data_dir().unwrap());
    }

    #[test]
    fn rate_limit_scale_divides_waits() {
        let config = resolve(
            FileConfig::default(),
            &[("JUNCTION_RATE_LIMIT_SCALE", "10")],
        )
        .unwrap();
        assert_eq!(
            config.scaled(Duration::from_secs(30)),
            Duration::from_secs(3)
        );
    }
}
