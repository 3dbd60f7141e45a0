//! A test bench: fake providers, a fresh config dir, a session pointed at both, and a
//! test "browser" that follows the authorize redirect to the loopback server.
//!
//! The session uses the real file secret store (shared with any second session or
//! `junction-cli` process on the same config dir) and the real Redis when `REDIS_URL`
//! is set (`make test` starts one), the embedded store otherwise.

use std::path::PathBuf;

use url::Url;

use super::{FakeConfig, FakeProviders};
use junction_core::config::{Config, FileConfig};
use junction_core::session::ConnectionFacts;
use junction_core::{ProviderId, Result, Session};

pub struct Harness {
    pub fakes: FakeProviders,
    pub config_dir: tempfile::TempDir,
    pub redirect_port: u16,
    env: Vec<(String, String)>,
}

/// A port free right now (the loopback server binds it per flow).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Harness {
    /// Fakes with `config`, a unique org/user (tests share one Redis), Redis when the
    /// environment names one.
    pub async fn start(config: FakeConfig) -> Harness {
        let fakes = FakeProviders::start(config)
            .await
            .expect("fake providers start");
        let redirect_port = free_port();
        for p in ProviderId::ALL {
            fakes.register_redirect_uri(p, &super::redirect_uri(redirect_port, p));
        }
        let config_dir = tempfile::tempdir().expect("temp dir");
        let mut env = fakes.env();
        env.push((
            "JUNCTION_CONFIG_DIR".into(),
            config_dir.path().display().to_string(),
        ));
        env.push(("JUNCTION_REDIRECT_PORT".into(), redirect_port.to_string()));
        env.push(("JUNCTION_SECRET_STORE".into(), "file".into()));
        env.push(("JUNCTION_ORG_ID".into(), "test".into()));
        env.push((
            "JUNCTION_USER_ID".into(),
            format!("u{}-{}", std::process::id(), rand::random::<u32>()),
        ));
        if let Ok(url) = std::env::var("REDIS_URL") {
            env.push(("REDIS_URL".into(), url));
        }
        Harness {
            fakes,
            config_dir,
            redirect_port,
            env,
        }
    }

    /// The environment that points Junction (a session or `junction-cli`) here.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Replaces (or adds) one variable, e.g. a wrong client secret.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn config(&self) -> Config {
        let env = self.env.clone();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::resolve(
            PathBuf::from(self.config_dir.path()),
            FileConfig::read(self.config_dir.path()).unwrap_or_default(),
            &lookup,
        )
        .expect("the harness config is valid")
    }

    /// A new session, as a new process would open it.
    pub async fn session(&self) -> Session {
        Session::open(self.config()).await
    }

    /// Connects `provider` through the whole flow.
    pub async fn connect(
        &self,
        session: &Session,
        provider: ProviderId,
    ) -> Result<ConnectionFacts> {
        let pending = session
            .start_connect(provider, junction_core::config::PENDING_FLOW_TTL)
            .await?;
        let url = pending.auth_url.clone();
        let browse = tokio::spawn(async move { browse(&url).await });
        let result = pending.finish().await;
        let _ = browse.await;
        result
    }
}

/// What the test browser saw at the end of its redirects.
#[derive(Debug)]
pub struct Visit {
    pub status: u16,
    pub final_url: Url,
    pub body: String,
}

/// One GET with the given redirect policy, as the test browser makes it.
async fn get(
    url: &Url,
    redirects: reqwest::redirect::Policy,
) -> std::result::Result<reqwest::Response, String> {
    let client = reqwest::Client::builder()
        .redirect(redirects)
        .build()
        .map_err(|e| e.to_string())?;
    client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.to_string())
}

/// GETs `url` and follows redirects (to the loopback server, as a browser would).
pub async fn browse(url: &Url) -> std::result::Result<Visit, String> {
    let response = get(url, reqwest::redirect::Policy::limited(5)).await?;
    let status = response.status().as_u16();
    let final_url = response.url().clone();
    let body = response.text().await.unwrap_or_default();
    Ok(Visit {
        status,
        final_url,
        body,
    })
}

/// Where the provider's authorize endpoint redirects, without following it.
pub async fn authorize_redirect(url: &Url) -> std::result::Result<Url, String> {
    let response = get(url, reqwest::redirect::Policy::none()).await?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("no redirect (HTTP {})", response.status()))?;
    Url::parse(location).map_err(|e| e.to_string())
}
