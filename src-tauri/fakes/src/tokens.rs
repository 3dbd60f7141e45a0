//! The fakes' OAuth memory: issued codes, access and refresh tokens, rotations.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use junction_core::ProviderId;

/// An authorization code waiting for its token request.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub provider: ProviderId,
    pub client_id: String,
    /// The redirect URI sent to authorize (`None` when it was left out).
    pub redirect_uri: Option<String>,
    /// PKCE: (challenge, method).
    pub challenge: Option<(String, String)>,
    pub scopes: Vec<String>,
    pub issued: Instant,
}

/// An access token.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub provider: ProviderId,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<Instant>,
    pub issued_unix: u64,
}

/// A refresh token and the access token it last produced.
#[derive(Debug, Clone)]
pub(crate) struct Refresh {
    pub provider: ProviderId,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub access: String,
}

/// Why a bearer token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejected {
    Unknown,
    /// Expired this long ago.
    Expired(Duration),
}

#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    /// Refresh tokens replaced by a rotation, and when (Airtable's 409 on a race).
    rotated: HashMap<String, Instant>,
    /// Every access and refresh token ever issued, revoked or not (for tests that look
    /// for them where they must not be).
    issued: Vec<String>,
    serial: u64,
}

impl TokenStore {
    /// A fresh opaque token with a provider-like prefix.
    fn mint(&mut self, prefix: &str) -> String {
        self.serial += 1;
        let random: u64 = rand::random();
        format!("{prefix}{:06}{random:016x}", self.serial)
    }

    /// Every access and refresh token issued so far.
    pub fn issued(&self) -> &[String] {
        &self.issued
    }

    pub fn issue_code(&mut self, grant: CodeGrant) -> String {
        let code = self.mint("code-");
        self.codes.insert(code.clone(), grant);
        code
    }

    /// Takes a code out (single use: the caller decides only whether it was valid).
    pub fn take_code(&mut self, code: &str) -> Option<CodeGrant> {
        self.codes.remove(code)
    }

    /// Issues an access token and, unless `with_refresh` is false, a refresh token.
    pub fn issue(
        &mut self,
        provider: ProviderId,
        client_id: &str,
        scopes: &[String],
        ttl: Option<Duration>,
        with_refresh: bool,
    ) -> (String, Option<String>) {
        let (access_prefix, refresh_prefix) = match provider {
            ProviderId::Hubspot => ("CJ", "na1-"),
            ProviderId::Airtable => ("oaa", "oar"),
            ProviderId::Notion => ("ntn_", "nrt_"),
        };
        let access = self.mint(access_prefix);
        self.issued.push(access.clone());
        let issued_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.access.insert(
            access.clone(),
            Access {
                provider,
                client_id: client_id.to_string(),
                scopes: scopes.to_vec(),
                expires_at: ttl.map(|t| Instant::now() + t),
                issued_unix,
            },
        );
        let refresh = with_refresh.then(|| {
            let token = self.mint(refresh_prefix);
            self.issued.push(token.clone());
            self.refresh.insert(
                token.clone(),
                Refresh {
                    provider,
                    client_id: client_id.to_string(),
                    scopes: scopes.to_vec(),
                    access: access.clone(),
                },
            );
            token
        });
        (access, refresh)
    }

    /// Checks a bearer token for `provider`.
    pub fn check(&self, provider: ProviderId, token: &str) -> Result<&Access, Rejected> {
        let access = self
            .access
            .get(token)
            .filter(|a| a.provider == provider)
            .ok_or(Rejected::Unknown)?;
        match access.expires_at {
            Some(at) if Instant::now() >= at => Err(Rejected::Expired(Instant::now() - at)),
            _ => Ok(access),
        }
    }

    pub fn refresh_token(&self, provider: ProviderId, token: &str) -> Option<&Refresh> {
        self.refresh.get(token).filter(|r| r.provider == provider)
    }

    /// When `token` was rotated away, if it was.
    pub fn rotated_at(&self, token: &str) -> Option<Instant> {
        self.rotated.get(token).copied()
    }

    /// Rotation: the old refresh token stops working (remembered for the 409), and with
    /// `kill_access` its last access token too (Airtable).
    pub fn retire_refresh(&mut self, token: &str, kill_access: bool) {
        if let Some(old) = self.refresh.remove(token) {
            self.rotated.insert(token.to_string(), Instant::now());
            if kill_access {
                self.access.remove(&old.access);
            }
        }
    }

    /// Points a kept refresh token (HubSpot does not rotate) at its new access token.
    pub fn relink(&mut self, refresh: &str, access: &str) {
        if let Some(r) = self.refresh.get_mut(refresh) {
            r.access = access.to_string();
        }
    }

    /// Revokes one token of `provider` (access or refresh); `true` if it existed.
    pub fn revoke(&mut self, provider: ProviderId, token: &str) -> bool {
        let access = self
            .access
            .get(token)
            .is_some_and(|a| a.provider == provider)
            && self.access.remove(token).is_some();
        let refresh = self
            .refresh
            .get(token)
            .is_some_and(|r| r.provider == provider)
            && self.refresh.remove(token).is_some();
        access || refresh
    }

    /// Revokes every access token of `provider` (refresh tokens stay: the client can
    /// recover by refreshing).
    pub fn revoke_access(&mut self, provider: ProviderId) {
        self.access.retain(|_, a| a.provider != provider);
    }

    /// Makes every access token of `provider` expire now.
    pub fn expire_access(&mut self, provider: ProviderId) {
        let now = Instant::now();
        for a in self.access.values_mut().filter(|a| a.provider == provider) {
            a.expires_at = Some(now);
        }
    }

    /// Ages every pending code of `provider` by `by` (to test the 10-minute expiry
    /// without waiting).
    pub fn age_codes(&mut self, provider: ProviderId, by: Duration) {
        for c in self.codes.values_mut().filter(|c| c.provider == provider) {
            c.issued = c.issued.checked_sub(by).unwrap_or(c.issued);
        }
    }

    /// Access/refresh token counts of `provider` (live ones).
    pub fn live(&self, provider: ProviderId) -> (usize, usize) {
        (
            self.access
                .values()
                .filter(|a| a.provider == provider)
                .count(),
            self.refresh
                .values()
                .filter(|r| r.provider == provider)
                .count(),
        )
    }
}
