//! Kv key names: `junction:<org>:<user>:<provider>:<kind>[:<id>]`.
//!
//! They carry the org and user as the original's `{provider}_state:{org}:{user}` did,
//! so a team can share one Redis, and a Redis ACL per person can be restricted to
//! `junction:<org>:<user>:*`.

use crate::ProviderId;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A pending sign-in, by its state value (single use).
    Flow,
    /// The current access token and its expiry.
    AccessToken,
    /// The refresh lock (one refresh at a time across processes).
    RefreshLock,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Flow => "flow",
            KeyKind::AccessToken => "access_token",
            KeyKind::RefreshLock => "refresh_lock",
        }
    }
}

/// Builds keys for one org and user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    org: String,
    user: String,
}

impl Keys {
    /// `org` and `user` are validated by the config (no `:`).
    pub fn new(org: impl Into<String>, user: impl Into<String>) -> Self {
        Keys {
            org: org.into(),
            user: user.into(),
        }
    }

    pub fn key(&self, provider: ProviderId, kind: KeyKind, id: Option<&str>) -> String {
        let mut key = format!(
            "junction:{}:{}:{}:{}",
            self.org,
            self.user,
            provider,
            kind.as_str()
        );
        if let Some(id) = id {
            key.push(':');
            key.push_str(id);
        }
        key
    }

    /// The prefix of every key of this org and user (for "Forget everything").
    pub fn prefix(&self) -> String {
        format!("junction:{}:{}:", self.org, self.user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_shape() {
        let keys = Keys::new("acme", "ana");
        assert_eq!(
            keys.key(ProviderId::Airtable, KeyKind::Flow, Some("s1")),
            "junction:acme:ana:airtable:flow:s1"
        );
        assert_eq!(
            keys.key(ProviderId::Notion, KeyKind::AccessToken, None),
            "junction:acme:ana:notion:access_token"
        );
        assert!(keys
            .key(ProviderId::Hubspot, KeyKind::RefreshLock, None)
            .starts_with(&keys.prefix()));
    }
}
