//! The whole OAuth flow of each provider against the fake providers (real HTTP) and
//! the real Redis (when `make test` provides one), with a test "browser" that follows
//! the authorize redirect to the loopback server.

use std::collections::HashMap;
use std::time::Duration;

use junction_core::session::{Grant, PendingConnect};
use junction_core::store::KeyKind;
use junction_core::views::ConnectionState;
use junction_core::ProviderId;
use junction_fakes::harness::authorize_redirect;
use junction_fakes::{browse, Endpoint, FakeConfig, Fault, FaultKind, Harness};
use secrecy::ExposeSecret;

const ALL: [ProviderId; 3] = ProviderId::ALL;

async fn harness() -> Harness {
    Harness::start(FakeConfig::default()).await
}

/// A sign-in started with a minute to finish it.
async fn sign_in(session: &junction_core::Session, p: ProviderId) -> PendingConnect {
    session
        .start_connect(p, Duration::from_secs(60))
        .await
        .unwrap()
}

/// The query of a sign-in's authorize URL.
fn auth_params(pending: &PendingConnect) -> HashMap<String, String> {
    pending.auth_url.query_pairs().into_owned().collect()
}

fn expected_account(h: &Harness, p: ProviderId) -> String {
    let c = h.fakes.config();
    match p {
        ProviderId::Hubspot => c.hubspot_hub_domain.clone(),
        ProviderId::Airtable => c.airtable_user_email.clone(),
        ProviderId::Notion => c.notion_workspace_name.clone(),
    }
}

#[tokio::test]
async fn each_provider_connects_and_shows_its_account() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        let facts = h
            .connect(&session, p)
            .await
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(
            facts.account.as_deref(),
            Some(expected_account(&h, p).as_str()),
            "{p}"
        );
        if p == ProviderId::Hubspot {
            assert_eq!(
                facts.portal_id,
                Some(h.fakes.config().hubspot_portal_id.to_string())
            );
        }
        let view = session.provider_view(p).await;
        assert_eq!(view.state, ConnectionState::Connected, "{p}");
        assert_eq!(
            h.fakes.counters().token_requests(p, "authorization_code"),
            1,
            "{p}"
        );

        // The access token is cached with a TTL ahead of its expiry…
        let kv = session.kv().await.unwrap();
        let key = session.keys().key(p, KeyKind::AccessToken, None);
        let ttl = kv.ttl(&key).await.unwrap().expect("cached with a TTL");
        match p {
            ProviderId::Hubspot => assert!(ttl < Duration::from_secs(1800 - 60), "{ttl:?}"),
            ProviderId::Airtable => assert!(ttl < Duration::from_secs(3600 - 60), "{ttl:?}"),
            ProviderId::Notion => assert!(ttl <= Duration::from_secs(600), "{ttl:?}"),
        }
        // …and the long-lived part is in the secret store, never in plain files.
        let grant = session.grant(p).await.unwrap().expect("a grant");
        let token = session.access_token(p).await.unwrap();
        let config_files = ["config.toml", "connections.json"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(h.config_dir.path().join(f)).ok())
            .collect::<String>();
        assert!(
            !config_files.contains(token.expose_secret()),
            "{p}: token in a plain file"
        );
        if let Some(rt) = &grant.refresh_token {
            assert!(
                !config_files.contains(rt.as_str()),
                "{p}: refresh token in a plain file"
            );
        }
    }
    // A second process on the same config dir sees the connections and can use them.
    let other = h.session().await;
    for p in ALL {
        assert_eq!(
            other.provider_view(p).await.state,
            ConnectionState::Connected
        );
        other.access_token(p).await.unwrap();
    }
}

#[tokio::test]
async fn access_denied_returns_to_not_connected_and_frees_the_port() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        h.fakes.set_deny(p, true);
        let err = h.connect(&session, p).await.unwrap_err();
        assert_eq!(err.code(), "oauth_denied", "{p}: {err}");
        assert_ne!(
            session.provider_view(p).await.state,
            ConnectionState::Connected
        );
        assert_eq!(
            h.fakes.counters().token_requests(p, "authorization_code"),
            0
        );
        std::net::TcpListener::bind(("127.0.0.1", h.redirect_port)).expect("port released");
    }
}

#[tokio::test]
async fn unknown_replayed_expired_and_other_provider_states_are_rejected() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        // Succeed once, keeping the callback URL the provider redirected to.
        let pending = sign_in(&session, p).await;
        let callback = authorize_redirect(&pending.auth_url).await.unwrap();
        let visit = browse(&callback).await.unwrap();
        assert_eq!(visit.status, 200, "{p}: {}", visit.body);
        pending.finish().await.unwrap();
        let tokens_before = h.fakes.counters().token_requests(p, "authorization_code");

        let pending = sign_in(&session, p).await;
        // Replay of the used callback: its state was single use.
        let replay = browse(&callback).await.unwrap();
        assert_eq!(replay.status, 400, "{p}: replay accepted");
        // An unknown state.
        let mut forged = callback.clone();
        forged.set_query(Some("code=abc&state=not-a-state-we-issued"));
        assert_eq!(browse(&forged).await.unwrap().status, 400);
        // No state at all.
        forged.set_query(Some("code=abc"));
        assert_eq!(browse(&forged).await.unwrap().status, 400);
        // Another provider's pending state (say, from another process).
        let other = ALL.iter().copied().find(|o| *o != p).unwrap();
        let kv = session.kv().await.unwrap();
        let other_key = session
            .keys()
            .key(other, KeyKind::Flow, Some("state-of-other"));
        kv.set_ex(
            &other_key,
            &format!("{{\"provider\":\"{other}\",\"verifier\":null,\"redirect_uri\":\"x\"}}"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
        forged.set_query(Some("code=abc&state=state-of-other"));
        assert_eq!(browse(&forged).await.unwrap().status, 400);
        kv.del(&other_key).await.unwrap();
        // A flow of the same provider that this sign-in did not start (a stale one
        // another process left in the cache): only this flow's own state counts, and
        // the cache is not even asked (the stale entry is still there).
        let stale_key = session.keys().key(p, KeyKind::Flow, Some("state-of-stale"));
        kv.set_ex(
            &stale_key,
            &format!("{{\"provider\":\"{p}\",\"verifier\":null,\"redirect_uri\":\"x\"}}"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
        forged.set_query(Some("code=abc&state=state-of-stale"));
        assert_eq!(browse(&forged).await.unwrap().status, 400);
        assert!(
            kv.get(&stale_key).await.unwrap().is_some(),
            "{p}: the cache was asked"
        );
        kv.del(&stale_key).await.unwrap();

        assert_eq!(
            h.fakes.counters().token_requests(p, "authorization_code"),
            tokens_before,
            "{p}: a rejected state must not reach the token endpoint"
        );
        // The real sign-in still works after the forgeries.
        let visit = browse(&pending.auth_url).await.unwrap();
        assert_eq!(visit.status, 200, "{p}");
        pending.finish().await.unwrap();
    }
}

#[tokio::test]
async fn a_flow_expires_cleanly() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        let pending = session
            .start_connect(p, Duration::from_millis(300))
            .await
            .unwrap();
        let state = pending
            .auth_url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.to_string())
            .unwrap();
        let err = pending.finish().await.unwrap_err();
        assert_eq!(err.code(), "oauth_aborted", "{p}");
        assert!(err.to_string().contains("expired"), "{err}");
        let kv = session.kv().await.unwrap();
        assert_eq!(
            kv.get(&session.keys().key(p, KeyKind::Flow, Some(&state)))
                .await
                .unwrap(),
            None
        );
        std::net::TcpListener::bind(("127.0.0.1", h.redirect_port)).expect("port released");
    }
}

#[tokio::test]
async fn cancel_and_a_second_connect_release_the_port() {
    let h = harness().await;
    let session = h.session().await;
    let first = sign_in(&session, ProviderId::Hubspot).await;
    // The port is taken while the first is pending…
    let err = session
        .start_connect(ProviderId::Notion, Duration::from_secs(60))
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "port_in_use");
    assert!(err.to_string().contains(&h.redirect_port.to_string()));
    // …and free again once it is cancelled, so a second Connect can replace it.
    first.canceller().cancel();
    assert_eq!(first.finish().await.unwrap_err().code(), "oauth_aborted");
    let second = sign_in(&session, ProviderId::Notion).await;
    browse(&second.auth_url).await.unwrap();
    second.finish().await.unwrap();
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_token_error() {
    for p in [
        ProviderId::Hubspot,
        ProviderId::Airtable,
        ProviderId::Notion,
    ] {
        let mut h = harness().await;
        h.set_env(
            &format!("JUNCTION_{}_CLIENT_SECRET", p.env_prefix()),
            "wrong-secret",
        );
        let session = h.session().await;
        let err = h.connect(&session, p).await.unwrap_err();
        assert_eq!(err.code(), "oauth_token_failed", "{p}: {err}");
        assert!(
            !err.to_string().contains("wrong-secret"),
            "no secret in errors"
        );
        assert_ne!(
            session.provider_view(p).await.state,
            ConnectionState::Connected
        );
    }
}

#[tokio::test]
async fn a_token_endpoint_500_is_a_clear_error() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        h.fakes.inject(
            Fault::new(p, FaultKind::Status(500))
                .on(Endpoint::Token)
                .times(1),
        );
        let err = h.connect(&session, p).await.unwrap_err();
        assert_eq!(err.code(), "oauth_token_failed", "{p}: {err}");
        assert!(err.to_string().contains(p.display_name()), "{err}");
    }
}

/// Makes the stored access token look like it expires in `secs`, and drops the cache.
async fn age_access_token(session: &junction_core::Session, p: ProviderId, secs: i64) {
    let mut grant: Grant = session.grant(p).await.unwrap().unwrap();
    grant.expires_at = Some(chrono::Utc::now() + chrono::Duration::seconds(secs));
    session.store_grant(p, &grant).await.unwrap();
    let kv = session.kv().await.unwrap();
    kv.del(&session.keys().key(p, KeyKind::AccessToken, None))
        .await
        .unwrap();
}

#[tokio::test]
async fn refresh_happens_ahead_of_expiry_and_rotation_is_stored() {
    let h = harness().await;
    let session = h.session().await;
    for p in [
        ProviderId::Hubspot,
        ProviderId::Airtable,
        ProviderId::Notion,
    ] {
        h.connect(&session, p).await.unwrap();
        let before = session.grant(p).await.unwrap().unwrap();
        let old_token = session.access_token(p).await.unwrap();
        assert_eq!(h.fakes.counters().refresh_requests(p), 0);
        // 60 s left: inside the refresh-ahead window.
        age_access_token(&session, p, 60).await;
        let new_token = session.access_token(p).await.unwrap();
        assert_eq!(h.fakes.counters().refresh_requests(p), 1, "{p}");
        assert_ne!(new_token.expose_secret(), old_token.expose_secret(), "{p}");
        let after = session.grant(p).await.unwrap().unwrap();
        if p != ProviderId::Hubspot {
            // Airtable and Notion rotate refresh tokens: the new one is stored.
            assert_ne!(after.refresh_token, before.refresh_token, "{p}");
        }
        // The new token is cached: no second refresh.
        session.access_token(p).await.unwrap();
        assert_eq!(h.fakes.counters().refresh_requests(p), 1, "{p}");
    }
}

#[tokio::test]
async fn concurrent_callers_cause_exactly_one_refresh() {
    let h = harness().await;
    let app = h.session().await;
    let cli = h.session().await; // a second "process" on the same store
    for p in [ProviderId::Airtable, ProviderId::Hubspot] {
        h.connect(&app, p).await.unwrap();
        age_access_token(&app, p, 30).await;
        let kv = cli.kv().await.unwrap();
        kv.del(&cli.keys().key(p, KeyKind::AccessToken, None))
            .await
            .unwrap();
        let calls = (0..4).map(|i| {
            let s = if i % 2 == 0 { app.clone() } else { cli.clone() };
            tokio::spawn(async move {
                s.access_token(p)
                    .await
                    .map(|t| t.expose_secret().to_string())
            })
        });
        let tokens: Vec<String> = futures_util::future::join_all(calls)
            .await
            .into_iter()
            .map(|r| r.unwrap().unwrap())
            .collect();
        assert_eq!(
            h.fakes.counters().refresh_requests(p),
            1,
            "{p}: exactly one refresh"
        );
        assert!(
            tokens.windows(2).all(|w| w[0] == w[1]),
            "{p}: everyone got the new token"
        );
    }
}

#[tokio::test]
async fn a_refused_refresh_means_needs_reconnect() {
    let h = harness().await;
    let session = h.session().await;
    for p in [
        ProviderId::Hubspot,
        ProviderId::Airtable,
        ProviderId::Notion,
    ] {
        h.connect(&session, p).await.unwrap();
        let mut grant = session.grant(p).await.unwrap().unwrap();
        grant.refresh_token = Some("revoked-by-the-provider".into());
        grant.expires_at = Some(chrono::Utc::now());
        session.store_grant(p, &grant).await.unwrap();
        let kv = session.kv().await.unwrap();
        kv.del(&session.keys().key(p, KeyKind::AccessToken, None))
            .await
            .unwrap();

        let err = session.access_token(p).await.unwrap_err();
        assert_eq!(err.code(), "needs_reconnect", "{p}: {err}");
        assert_eq!(
            session.provider_view(p).await.state,
            ConnectionState::NeedsReconnect
        );
        // Reconnecting clears it.
        h.connect(&session, p).await.unwrap();
        assert_eq!(
            session.provider_view(p).await.state,
            ConnectionState::Connected
        );
    }
}

#[tokio::test]
async fn disconnect_revokes_where_the_provider_can_and_forgets() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        h.connect(&session, p).await.unwrap();
        assert!(session.disconnect(p).await.unwrap());
        let expected = if p == ProviderId::Airtable { 0 } else { 1 };
        assert_eq!(h.fakes.counters().revocations(p), expected, "{p}");
        assert!(session.grant(p).await.unwrap().is_none());
        assert_ne!(
            session.provider_view(p).await.state,
            ConnectionState::Connected
        );
        let kv = session.kv().await.unwrap();
        assert_eq!(
            kv.get(&session.keys().key(p, KeyKind::AccessToken, None))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            session.access_token(p).await.unwrap_err().code(),
            "not_connected"
        );
        // Disconnecting again is fine and says there was nothing.
        assert!(!session.disconnect(p).await.unwrap());
    }
}

#[tokio::test]
async fn forget_everything_wipes_keys_secrets_and_files() {
    let h = harness().await;
    let session = h.session().await;
    session
        .apps()
        .set_client_secret(ProviderId::Airtable, "saved-secret")
        .await
        .unwrap();
    for p in ALL {
        h.connect(&session, p).await.unwrap();
    }
    session.forget_everything().await.unwrap();
    let kv = session.kv().await.unwrap();
    assert_eq!(
        kv.del_prefix(&session.keys().prefix()).await.unwrap(),
        0,
        "no keys left"
    );
    assert!(
        !session
            .apps()
            .client_secret_is_set(ProviderId::Airtable)
            .await
            || h.env()
                .iter()
                .any(|(k, _)| k == "JUNCTION_AIRTABLE_CLIENT_SECRET")
    );
    for f in ["connections.json", "config.toml"] {
        assert!(!h.config_dir.path().join(f).exists(), "{f} left behind");
    }
    for p in ALL {
        assert!(session.grant(p).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn airtable_without_a_secret_uses_pkce_and_client_id_in_the_body() {
    let mut h = harness().await;
    let mut app = h.fakes.app(ProviderId::Airtable);
    app.client_secret = None;
    h.fakes.set_app(ProviderId::Airtable, app);
    h.set_env("JUNCTION_AIRTABLE_CLIENT_SECRET", "");
    let session = h.session().await;
    let pending = sign_in(&session, ProviderId::Airtable).await;
    let params: HashMap<String, String> = auth_params(&pending);
    assert_eq!(
        params.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert!(params["scope"].contains("data.records:read"));
    browse(&pending.auth_url).await.unwrap();
    pending.finish().await.unwrap();
}

#[tokio::test]
async fn authorize_urls_carry_each_providers_parameters() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        let pending = sign_in(&session, p).await;
        let q: HashMap<String, String> = auth_params(&pending);
        assert_eq!(
            q["redirect_uri"],
            format!(
                "http://localhost:{}/integrations/{p}/oauth2callback",
                h.redirect_port
            )
        );
        assert_eq!(q["response_type"], "code");
        assert!(q["state"].len() >= 16);
        match p {
            ProviderId::Hubspot => {
                assert_eq!(q["scope"], "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read oauth");
                assert_eq!(q["code_challenge_method"], "S256");
            }
            ProviderId::Airtable => {
                assert_eq!(
                    q["scope"],
                    "data.records:read schema.bases:read user.email:read"
                );
                assert_eq!(q["code_challenge_method"], "S256");
            }
            ProviderId::Notion => {
                assert_eq!(q["owner"], "user");
                assert!(!q.contains_key("code_challenge"));
            }
        }
        pending.canceller().cancel();
        let _ = pending.finish().await;
    }
}

/// A corrupt `secrets.json` does not stop Disconnect: the connection and the cached
/// token still go, and the error names the secrets file afterwards.
#[tokio::test]
async fn disconnect_finishes_past_a_corrupt_secrets_file() {
    let h = harness().await;
    let session = h.session().await;
    h.connect(&session, ProviderId::Notion).await.unwrap();
    let secrets = h.config_dir.path().join("secrets.json");
    std::fs::write(&secrets, "{ not json").unwrap();
    let err = session.disconnect(ProviderId::Notion).await.unwrap_err();
    assert!(err.to_string().contains("secrets"), "{err}");
    assert_ne!(
        session.provider_view(ProviderId::Notion).await.state,
        ConnectionState::Connected
    );
    let connections =
        std::fs::read_to_string(h.config_dir.path().join("connections.json")).unwrap();
    assert!(!connections.contains("notion"), "{connections}");
    let kv = session.kv().await.unwrap();
    let key = session
        .keys()
        .key(ProviderId::Notion, KeyKind::AccessToken, None);
    assert_eq!(kv.get(&key).await.unwrap(), None);
}

/// Corrupt `connections.json` and `secrets.json` do not stop Forget everything: every
/// file is removed and the keys are wiped; the error comes after.
#[tokio::test]
async fn forget_everything_finishes_past_corrupt_files() {
    let h = harness().await;
    let session = h.session().await;
    for p in ALL {
        h.connect(&session, p).await.unwrap();
    }
    for f in ["connections.json", "secrets.json"] {
        std::fs::write(h.config_dir.path().join(f), "\u{0}garbage").unwrap();
    }
    assert!(session.forget_everything().await.is_err());
    for f in ["connections.json", "config.toml", "secrets.json"] {
        assert!(!h.config_dir.path().join(f).exists(), "{f} left behind");
    }
    let kv = session.kv().await.unwrap();
    assert_eq!(
        kv.del_prefix(&session.keys().prefix()).await.unwrap(),
        0,
        "no keys left"
    );
    // Once the files are gone, nothing is left to fail.
    session.forget_everything().await.unwrap();
}
