//! The fake providers themselves: OAuth rules, paging, the real 429s, faults.

mod mapping_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use junction_core::ProviderId::{self, Airtable, Hubspot, Notion};
use junction_fakes::{
    redirect_uri, DataSize, Endpoint, FakeApp, FakeConfig, FakeProviders, Fault, FaultKind,
};
use reqwest::header::{HeaderMap, LOCATION};
use serde_json::{json, Value};

// RFC 7636's example pair.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const STATE: &str = "state-0123456789abcdef";

/// One client for all tests: building one loads the system's root certificates, which
/// takes long enough to disturb the rate-limit timings. No idle pooling, because each
/// test has its own runtime and a pooled connection belongs to the runtime that made it.
fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .unwrap()
        })
        .clone()
}

async fn start(config: FakeConfig) -> FakeProviders {
    FakeProviders::start(config).await.unwrap()
}

/// The query of a redirect's Location.
fn location_query(headers: &HeaderMap) -> HashMap<String, String> {
    let loc = headers.get(LOCATION).expect("a redirect").to_str().unwrap();
    url::Url::parse(loc)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// A refusal: its status, and the field of its JSON body that names why.
async fn assert_refused(resp: reqwest::Response, status: u16, field: &str, value: &str) {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.json::<Value>().await.unwrap()[field], value);
}

/// Authorize as Junction does, with the fake user approving.
async fn authorize(f: &FakeProviders, p: ProviderId, extra: &[(&str, &str)]) -> reqwest::Response {
    let app = f.app(p);
    let mut q: Vec<(&str, &str)> = vec![
        ("client_id", &app.client_id),
        ("redirect_uri", &app.redirect_uris[0]),
        ("state", STATE),
    ];
    match p {
        Hubspot => q.push((
            "scope",
            "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read oauth",
        )),
        Airtable => q.extend([
            ("response_type", "code"),
            (
                "scope",
                "data.records:read schema.bases:read user.email:read",
            ),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]),
        Notion => q.extend([("response_type", "code"), ("owner", "user")]),
    }
    for (k, v) in extra {
        q.retain(|(key, _)| key != k);
        if !v.is_empty() {
            q.push((k, v));
        }
    }
    client().get(f.urls(p).auth).query(&q).send().await.unwrap()
}

async fn code(f: &FakeProviders, p: ProviderId) -> String {
    let resp = authorize(f, p, &[]).await;
    assert_eq!(resp.status(), 302);
    let q = location_query(resp.headers());
    assert_eq!(q["state"], STATE);
    q["code"].clone()
}

/// The token request each provider expects.
async fn exchange(f: &FakeProviders, p: ProviderId, form: &[(&str, &str)]) -> reqwest::Response {
    let app = f.app(p);
    let secret = app.client_secret.clone().unwrap_or_default();
    let url = f.urls(p).token;
    match p {
        Hubspot => {
            let mut body = form.to_vec();
            body.extend([
                ("client_id", app.client_id.as_str()),
                ("client_secret", secret.as_str()),
            ]);
            client().post(url).form(&body).send().await.unwrap()
        }
        Airtable => {
            let req = client().post(url);
            match &app.client_secret {
                Some(s) => req.basic_auth(&app.client_id, Some(s)).form(form),
                None => {
                    let mut body = form.to_vec();
                    body.push(("client_id", app.client_id.as_str()));
                    req.form(&body)
                }
            }
            .send()
            .await
            .unwrap()
        }
        Notion => {
            let body: serde_json::Map<String, Value> = form
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            client()
                .post(url)
                .basic_auth(&app.client_id, Some(secret))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    }
}

/// A refresh-token grant, sent as each provider expects.
async fn refresh_with(f: &FakeProviders, p: ProviderId, refresh_token: &str) -> reqwest::Response {
    exchange(
        f,
        p,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// A full connect: (access token, refresh token or null).
async fn connect(f: &FakeProviders, p: ProviderId) -> (String, Value) {
    let code = code(f, p).await;
    let redirect = f.app(p).redirect_uris[0].clone();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
    ];
    if p == Airtable {
        form.push(("code_verifier", VERIFIER));
    }
    let resp = exchange(f, p, &form).await;
    assert_eq!(resp.status(), 200, "{p}");
    let body: Value = resp.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].clone(),
    )
}

#[tokio::test]
async fn token_responses_have_the_real_shapes() {
    let f = start(FakeConfig::default()).await;
    let redirect = f.app(Hubspot).redirect_uris[0].clone();
    let c = code(&f, Hubspot).await;
    let body: Value = exchange(
        &f,
        Hubspot,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &redirect),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_u64()),
        (Some("bearer"), Some(1800))
    );
    assert_eq!(body["token_use"], "access_token");
    assert_eq!(body["hub_id"], 4_242_424);
    assert!(body["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "oauth"));

    let (_, refresh) = connect(&f, Airtable).await;
    assert!(refresh.is_string());
    let (access, refresh) = connect(&f, Notion).await;
    assert!(access.starts_with("ntn_") && refresh.as_str().unwrap().starts_with("nrt_"));
    assert_eq!(
        f.counters().token_requests(Hubspot, "authorization_code"),
        1
    );

    // Introspection (HubSpot) names the hub; whoami (Airtable) the user.
    let (hs_access, _) = connect(&f, Hubspot).await;
    let app = f.app(Hubspot);
    let intro: Value = client()
        .post(format!("{}/introspect", f.urls(Hubspot).token))
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_deref().unwrap()),
            ("token", &hs_access),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (intro["active"].as_bool(), intro["hub_domain"].as_str()),
        (Some(true), Some("junction-test.hubspot.com"))
    );
    let (at_access, _) = connect(&f, Airtable).await;
    let who: Value = client()
        .get(format!("{}/v0/meta/whoami", f.urls(Airtable).api))
        .bearer_auth(&at_access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["email"], "tester@example.com");
}

#[tokio::test]
async fn authorize_validates_and_redirects() {
    let f = start(FakeConfig::default()).await;
    // Wrong client or redirect URI: an error page, no redirect.
    for p in ProviderId::ALL {
        let resp = authorize(&f, p, &[("client_id", "nope")]).await;
        assert_eq!(resp.status(), 400, "{p}");
        assert!(resp.headers().get(LOCATION).is_none());
        let resp = authorize(&f, p, &[("redirect_uri", "http://localhost:9/elsewhere")]).await;
        assert_eq!(resp.status(), 400, "{p}");
    }
    // Airtable: PKCE and the state format are required.
    for bad in [
        &[("code_challenge", "")][..],
        &[("code_challenge_method", "plain")],
        &[("state", "short")],
    ] {
        let q = location_query(authorize(&f, Airtable, bad).await.headers());
        assert_eq!(q["error"], "invalid_request", "{bad:?}");
    }
    // Notion: owner=user.
    let q = location_query(authorize(&f, Notion, &[("owner", "")]).await.headers());
    assert_eq!(q["error"], "invalid_request");
    // Deny on demand.
    f.set_deny(Notion, true);
    let q = location_query(authorize(&f, Notion, &[]).await.headers());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", STATE)
    );
    // Extra redirect URIs can be registered at run time.
    let uri = redirect_uri(45678, Hubspot);
    f.register_redirect_uri(Hubspot, &uri);
    assert_eq!(
        authorize(&f, Hubspot, &[("redirect_uri", &uri)])
            .await
            .status(),
        302
    );
}

#[tokio::test]
async fn token_endpoints_enforce_each_client_auth_style() {
    let f = start(FakeConfig::default()).await;
    let redirect = f.app(Airtable).redirect_uris[0].clone();

    // HubSpot: credentials in the body; Basic alone is not enough.
    let app = f.app(Hubspot);
    let resp = client()
        .post(f.urls(Hubspot).token)
        .basic_auth(&app.client_id, app.client_secret.as_ref())
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_refused(resp, 400, "error", "invalid_client").await;

    // Airtable with a secret: Basic required.
    let c = code(&f, Airtable).await;
    let resp = client()
        .post(f.urls(Airtable).token)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &redirect),
            ("code_verifier", VERIFIER),
            ("client_id", "junction-airtable"),
        ])
        .send()
        .await
        .unwrap();
    assert_refused(resp, 401, "error", "invalid_client").await;
    // ... and that code is now spent, even though the request failed.
    let resp = exchange(
        &f,
        Airtable,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &redirect),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_refused(resp, 400, "error", "invalid_grant").await;

    // Airtable without a secret: Basic forbidden, client_id in the body.
    f.set_app(
        Airtable,
        FakeApp {
            client_secret: None,
            ..f.app(Airtable)
        },
    );
    let c = code(&f, Airtable).await;
    let resp = client()
        .post(f.urls(Airtable).token)
        .basic_auth("junction-airtable", Some(""))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &redirect),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let (access, _) = connect(&f, Airtable).await;
    assert!(!access.is_empty());

    // Notion: Basic + JSON; a form body or no Basic is refused.
    let c = code(&f, Notion).await;
    let app = f.app(Notion);
    let resp = client()
        .post(f.urls(Notion).token)
        .basic_auth(&app.client_id, app.client_secret.as_ref())
        .form(&[("grant_type", "authorization_code"), ("code", &c)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = client()
        .post(f.urls(Notion).token)
        .json(&json!({"grant_type": "authorization_code", "code": c}))
        .send()
        .await
        .unwrap();
    assert_refused(resp, 401, "error", "invalid_client").await;
}

#[tokio::test]
async fn codes_are_single_use_verified_and_expire() {
    let f = start(FakeConfig::default()).await;
    let redirect = f.app(Airtable).redirect_uris[0].clone();
    // A wrong verifier fails, and spends the code.
    let c = code(&f, Airtable).await;
    let wrong = "x".repeat(43);
    for verifier in [wrong.as_str(), VERIFIER] {
        let form = [
            ("grant_type", "authorization_code"),
            ("redirect_uri", &redirect),
            ("code_verifier", verifier),
            ("code", &c),
        ];
        let resp = exchange(&f, Airtable, &form).await;
        assert_refused(resp, 400, "error", "invalid_grant").await;
    }

    // A good code works once.
    let c = code(&f, Hubspot).await;
    let hs_redirect = f.app(Hubspot).redirect_uris[0].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", c.as_str()),
        ("redirect_uri", hs_redirect.as_str()),
    ];
    assert_eq!(exchange(&f, Hubspot, &form).await.status(), 200);
    let resp = exchange(&f, Hubspot, &form).await;
    assert_refused(resp, 400, "status", "BAD_AUTH_CODE").await;

    // Codes older than 10 minutes are refused.
    let c = code(&f, Notion).await;
    f.age_codes(Notion, Duration::from_secs(601));
    let n_redirect = f.app(Notion).redirect_uris[0].clone();
    let resp = exchange(
        &f,
        Notion,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", &n_redirect),
        ],
    )
    .await;
    assert_refused(resp, 400, "error", "invalid_grant").await;
}

#[tokio::test]
async fn refresh_rotates_as_each_provider_does() {
    let f = start(FakeConfig::default()).await;
    let bases = |token: String| {
        let url = format!("{}/v0/meta/bases", f.urls(Airtable).api);
        async move {
            client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Airtable: both old tokens die; reusing the old refresh token right away is a 409.
    let (access, refresh) = connect(&f, Airtable).await;
    let refresh = refresh.as_str().unwrap().to_string();
    let resp = refresh_with(&f, Airtable, &refresh).await;
    assert_eq!(resp.status(), 200);
    let new_access = resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(bases(access).await, 401);
    assert_eq!(bases(new_access).await, 200);
    let resp = refresh_with(&f, Airtable, &refresh).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(f.counters().refresh_requests(Airtable), 2);

    // HubSpot: the refresh token stays; a bad one is BAD_REFRESH_TOKEN.
    let (_, refresh) = connect(&f, Hubspot).await;
    let refresh = refresh.as_str().unwrap().to_string();
    for _ in 0..2 {
        let body: Value = refresh_with(&f, Hubspot, &refresh)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["refresh_token"], refresh.as_str());
    }
    let body: Value = refresh_with(&f, Hubspot, "nope")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["status"], "BAD_REFRESH_TOKEN");

    // Notion: a new pair; the old refresh token is spent.
    let (_, refresh) = connect(&f, Notion).await;
    let refresh = refresh.as_str().unwrap().to_string();
    let body: Value = refresh_with(&f, Notion, &refresh)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(body["refresh_token"], refresh.as_str());
    let resp = refresh_with(&f, Notion, &refresh).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn revoke_counts_and_kills_the_token() {
    let f = start(FakeConfig::default()).await;
    let (access, _) = connect(&f, Notion).await;
    let app = f.app(Notion);
    let resp = client()
        .post(format!("{}/v1/oauth/revoke", f.urls(Notion).api))
        .basic_auth(&app.client_id, app.client_secret.as_ref())
        .json(&json!({"token": access}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(f.counters().revocations(Notion), 1);
    let resp = search(&f, &access, json!({})).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["message"].as_str()),
        (Some("unauthorized"), Some("API token is invalid."))
    );
}

fn hubspot_page(
    f: &FakeProviders,
    token: &str,
    object: &str,
    after: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut q = vec![
        ("limit", "100".to_string()),
        (
            "properties",
            "firstname,lastname,email,nonexistent".to_string(),
        ),
    ];
    if let Some(a) = after {
        q.push(("after", a.to_string()));
    }
    client()
        .get(format!(
            "{}/crm/objects/2026-09/{object}",
            f.urls(Hubspot).api
        ))
        .bearer_auth(token)
        .query(&q)
}

#[tokio::test]
async fn hubspot_paging_walks_all_and_429_is_exact() {
    let size = DataSize {
        contacts: 250,
        ..DataSize::default()
    };
    let f = start(FakeConfig {
        hubspot_limit: 4,
        data: size,
        ..FakeConfig::default()
    })
    .await;
    let (token, _) = connect(&f, Hubspot).await;
    let (mut after, mut ids) = (None::<String>, Vec::new());
    loop {
        let resp = hubspot_page(&f, &token, "contacts", after.as_deref())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["x-hubspot-ratelimit-max"], "4");
        assert_eq!(
            resp.headers()["x-hubspot-ratelimit-interval-milliseconds"],
            "10000"
        );
        let body: Value = resp.json().await.unwrap();
        for r in body["results"].as_array().unwrap() {
            let props = r["properties"].as_object().unwrap();
            assert!(props.contains_key("hs_object_id") && !props.contains_key("nonexistent"));
            assert!(props.values().all(|v| v.is_string() || v.is_null()));
            ids.push(r["id"].as_str().unwrap().to_string());
        }
        match body["paging"]["next"]["after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(ids.len(), 250);
    assert_eq!(
        f.counters().count(
            Hubspot,
            Endpoint::Objects(junction_core::providers::hubspot::ObjectType::Contacts)
        ),
        3
    );

    let _ = hubspot_page(&f, &token, "deals", None)
        .send()
        .await
        .unwrap(); // the 4th
    let resp = hubspot_page(&f, &token, "deals", None)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_none());
    assert_eq!(resp.headers()["x-hubspot-ratelimit-remaining"], "0");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "error");
    assert_eq!(
        body["message"],
        "You have reached your ten_secondly_rolling limit."
    );
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert!(body["correlationId"].is_string() && body["requestId"].is_string());
    assert_eq!(f.counters().rate_limited(Hubspot), 1);

    // Unknown and expired tokens get HubSpot's two 401s.
    f.set_rate_limits(false);
    let body: Value = hubspot_page(&f, "nope", "deals", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["category"], "INVALID_AUTHENTICATION");
    f.expire_access_tokens(Hubspot);
    let resp = hubspot_page(&f, &token, "deals", None)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["category"], "EXPIRED_AUTHENTICATION");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("The OAuth token used to make this call expired"));
}

#[tokio::test]
async fn airtable_paging_and_per_base_penalty() {
    let size = DataSize {
        bases: 3,
        tables_per_base: 1,
        records_per_table: 230,
        ..DataSize::default()
    };
    let config = FakeConfig {
        data: size,
        airtable_bases_page_size: 2,
        // The real 5 per second (a burst of 8 exceeds it even on a loaded machine), with
        // the penalty shortened from 30 s so the test stays quick.
        airtable_penalty: Duration::from_millis(300),
        ..FakeConfig::default()
    };
    let f = start(config).await;
    let (token, _) = connect(&f, Airtable).await;
    let api = f.urls(Airtable).api;
    let get = |path: String, q: Vec<(&'static str, String)>| {
        client()
            .get(format!("{api}{path}"))
            .bearer_auth(&token)
            .query(&q)
            .send()
    };

    let (mut offset, mut bases) = (None::<String>, Vec::new());
    loop {
        let q = offset.iter().map(|o| ("offset", o.clone())).collect();
        let body: Value = get("/v0/meta/bases".into(), q)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        bases.extend(
            body["bases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_str().unwrap().to_string()),
        );
        match body["offset"].as_str() {
            Some(o) => offset = Some(o.to_string()),
            None => break,
        }
    }
    assert_eq!(bases.len(), 3);
    let tables: Value = get(format!("/v0/meta/bases/{}/tables", bases[0]), vec![])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let table = tables["tables"][0]["id"].as_str().unwrap().to_string();
    assert!(tables["tables"][0]["primaryFieldId"].is_string());

    let (mut offset, mut records, mut pages) = (None::<String>, 0, 0);
    loop {
        let mut q = vec![("pageSize", "100".to_string())];
        q.extend(offset.iter().map(|o| ("offset", o.clone())));
        let body: Value = get(format!("/v0/{}/{table}", bases[0]), q)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        records += body["records"].as_array().unwrap().len();
        pages += 1;
        match body["offset"].as_str() {
            Some(o) => offset = Some(o.to_string()),
            None => break,
        }
    }
    assert_eq!((records, pages), (230, 3));

    // Burst past 5 per second: 429 with the plural `errors` body, then the
    // whole base is blocked for the (scaled) 30 s penalty; other bases are not.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let resp = get(format!("/v0/{}/{table}", bases[0]), vec![])
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            let body: Value = resp.json().await.unwrap();
            assert_eq!(
                body,
                json!({"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]})
            );
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let blocked = get(format!("/v0/{}/{table}", bases[0]), vec![])
        .await
        .unwrap()
        .status();
    assert_eq!(blocked, 429, "still in the penalty");
    let other = get(format!("/v0/meta/bases/{}/tables", bases[1]), vec![])
        .await
        .unwrap()
        .status();
    assert_eq!(other, 200);
    // After the penalty AND the 1 s window, the base answers again.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        get(format!("/v0/{}/{table}", bases[0]), vec![])
            .await
            .unwrap()
            .status(),
        200
    );

    let body: Value = get("/v0/meta/bases".into(), vec![])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["bases"].is_array());
    let resp = client()
        .get(format!("{api}/v0/meta/bases"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}})
    );
}

async fn search(f: &FakeProviders, token: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/search", f.urls(Notion).api))
        .bearer_auth(token)
        .header("Notion-Version", "2022-06-28")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn notion_search_pages_versions_and_429() {
    let size = DataSize {
        pages: 230,
        databases: 12,
        ..DataSize::default()
    };
    let f = start(FakeConfig {
        data: size,
        notion_burst: 4,
        rate_limit_scale: 2.0,
        ..FakeConfig::default()
    })
    .await;
    let (token, _) = connect(&f, Notion).await;

    let resp = client()
        .post(format!("{}/v1/search", f.urls(Notion).api))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_refused(resp, 400, "code", "missing_version").await;

    f.set_rate_limits(false);
    // Every search result on one version, paged by 100.
    let all = |version: &'static str| {
        let (f, token) = (&f, token.clone());
        async move {
            let (mut cursor, mut results) = (None::<String>, Vec::new());
            loop {
                let mut body = json!({"page_size": 100});
                if let Some(c) = &cursor {
                    body["start_cursor"] = json!(c);
                }
                let page: Value = client()
                    .post(format!("{}/v1/search", f.urls(Notion).api))
                    .bearer_auth(&token)
                    .header("Notion-Version", version)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                results.extend(page["results"].as_array().unwrap().iter().cloned());
                if page["has_more"] != true {
                    assert!(page["next_cursor"].is_null());
                    return (page["type"].clone(), results);
                }
                cursor = page["next_cursor"].as_str().map(str::to_string);
            }
        }
    };
    let (old_kind, old) = all("2022-06-28").await;
    let (new_kind, new) = all("2026-03-11").await;
    assert_eq!(
        (old_kind.as_str(), new_kind.as_str()),
        (Some("page_or_database"), Some("page_or_data_source"))
    );
    // 2026: data sources, one per source (the first database has two); no `archived`.
    let s = f.summary();
    let sources: Vec<&Value> = new
        .iter()
        .filter(|r| r["object"] == "data_source")
        .collect();
    assert!(
        !sources.is_empty() && sources.len() < s.data_sources,
        "search leaves some out"
    );
    assert!(new
        .iter()
        .all(|r| r.get("archived").is_none() && r["in_trash"] == false));
    let pages_new = new.iter().filter(|r| r["object"] == "page").count();
    assert!(pages_new < s.pages, "search leaves some pages out");
    // 2022: the same, less the database with two data sources and its rows (they are
    // not found at all on old versions); databases instead of data sources.
    let mut per_db: HashMap<&str, usize> = HashMap::new();
    for r in &sources {
        *per_db
            .entry(r["parent"]["database_id"].as_str().unwrap())
            .or_default() += 1;
    }
    let multi = per_db
        .iter()
        .find(|(_, n)| **n == 2)
        .map(|(id, _)| *id)
        .expect("the two-source database is searched");
    let multi_rows = new
        .iter()
        .filter(|r| r["object"] == "page" && r["parent"]["database_id"] == *multi)
        .count();
    let dbs = old.iter().filter(|r| r["object"] == "database").count();
    assert_eq!(dbs, per_db.len() - 1);
    assert_eq!(old.len() - dbs, pages_new - multi_rows);
    assert!(old
        .iter()
        .all(|r| r["archived"] == false && r["object"] != "data_source"));
    assert!(old
        .iter()
        .all(|r| r["id"] != *multi && r["parent"]["database_id"] != *multi));
    assert_eq!(
        search(&f, &token, json!({"page_size": 101})).await.status(),
        400
    );

    let new: Value = client()
        .post(format!("{}/v1/search", f.urls(Notion).api))
        .bearer_auth(&token)
        .header("Notion-Version", "2025-09-03")
        .json(&json!({"filter": {"property": "object", "value": "data_source"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(new["type"], "page_or_data_source");
    let results = new["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        sources.len(),
        "the filter keeps the data sources"
    );
    assert!(results
        .iter()
        .all(|r| r["object"] == "data_source" && r["parent"]["type"] == "database_id"));
    // On 2025-09-03 a "database" filter is gone.
    let resp = client()
        .post(format!("{}/v1/search", f.urls(Notion).api))
        .bearer_auth(&token)
        .header("Notion-Version", "2025-09-03")
        .json(&json!({"filter": {"property": "object", "value": "database"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // Burst of 4, then 429 with Retry-After; the block holds for 1 s / scale 2 (and
    // requests inside it get 429s too).
    f.set_rate_limits(true);
    let mut first_429 = None;
    for _ in 0..10 {
        let resp = search(&f, &token, json!({"page_size": 1})).await;
        if resp.status() == 429 && first_429.is_none() {
            first_429 = Some(Instant::now());
            assert_eq!(resp.headers()["retry-after"], "1");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(
                body,
                json!({"object": "error", "status": 429, "code": "rate_limited",
                       "message": "You have been rate limited. Please try again later.",
                       "additional_data": {"rate_limit_reason": "public_api_request_rate_limit", "retry_after": "1"}})
            );
        }
    }
    let first_429 = first_429.expect("a 429 after the burst");
    tokio::time::sleep(Duration::from_millis(510).saturating_sub(first_429.elapsed())).await;
    assert_eq!(
        search(&f, &token, json!({"page_size": 1})).await.status(),
        200
    );
    // The log has the 429s with their times, for "no request sooner than Retry-After".
    let log = f.counters().requests();
    let limited: Vec<_> = log
        .iter()
        .filter(|r| r.endpoint == Endpoint::Search && r.status == 429)
        .collect();
    assert!(!limited.is_empty() && limited.len() == f.counters().rate_limited(Notion));
}

#[tokio::test]
async fn an_older_version_fails_on_a_database_with_two_data_sources() {
    let f = start(FakeConfig {
        data: DataSize {
            pages: 120,
            databases: 4,
            edge_cases: true,
            ..DataSize::default()
        },
        rate_limits: false,
        ..FakeConfig::default()
    })
    .await;
    let api = f.urls(Notion).api;
    let (token, _) = connect(&f, Notion).await;
    let http = client();
    let call = |version: &'static str, method: reqwest::Method, path: String| {
        http.request(method, format!("{api}{path}"))
            .bearer_auth(&token)
            .header("Notion-Version", version)
            .json(&json!({}))
    };
    // Find the two-source database on the current version.
    let found: Value = call(
        junction_core::providers::notion::NOTION_VERSION,
        reqwest::Method::POST,
        "/v1/search".into(),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(found["type"], "page_or_data_source");
    let mut per_db: HashMap<String, usize> = HashMap::new();
    for r in found["results"].as_array().unwrap() {
        assert!(r.get("archived").is_none(), "no `archived` on 2026-03-11");
        if r["object"] == "data_source" {
            *per_db
                .entry(r["parent"]["database_id"].as_str().unwrap().into())
                .or_default() += 1;
        }
    }
    let multi = per_db
        .iter()
        .find(|(_, n)| **n == 2)
        .map(|(id, _)| id.clone())
        .unwrap();

    for (method, path) in [
        (reqwest::Method::GET, format!("/v1/databases/{multi}")),
        (
            reqwest::Method::POST,
            format!("/v1/databases/{multi}/query"),
        ),
    ] {
        let resp = call("2022-06-28", method, path).send().await.unwrap();
        assert_eq!(resp.status(), 400);
        let body = resp.bytes().await.unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "validation_error");
        assert_eq!(
            v["additional_data"]["error_type"],
            "multiple_data_sources_for_database"
        );
        assert_eq!(v["additional_data"]["minimum_api_version"], "2025-09-03");
        assert_eq!(
            v["additional_data"]["child_data_source_ids"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // What a load would report.
        assert_eq!(
            junction_core::providers::json::error_message(Notion, 400, &body),
            "validation_error: Databases with multiple data sources are not supported in this API version."
        );
    }
    // On the current version the same database answers with its data sources.
    let db: Value = call(
        junction_core::providers::notion::NOTION_VERSION,
        reqwest::Method::GET,
        format!("/v1/databases/{multi}"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(db["data_sources"].as_array().unwrap().len(), 2);
    // The old search leaves that database and its rows out; data source URLs are unknown.
    let old: Value = call("2022-06-28", reqwest::Method::POST, "/v1/search".into())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old["type"], "page_or_database");
    for r in old["results"].as_array().unwrap() {
        assert_ne!(r["id"].as_str(), Some(multi.as_str()));
        assert_ne!(r["parent"]["database_id"].as_str(), Some(multi.as_str()));
        assert!(
            r.get("archived").is_some(),
            "2022-06-28 objects carry `archived`"
        );
    }
    let source = db["data_sources"][0]["id"].as_str().unwrap().to_string();
    let resp = call(
        "2022-06-28",
        reqwest::Method::GET,
        format!("/v1/data_sources/{source}"),
    )
    .send()
    .await
    .unwrap();
    assert_refused(resp, 400, "code", "invalid_request_url").await;
}

#[tokio::test]
async fn faults_fire_on_demand() {
    let f = start(FakeConfig {
        rate_limits: false,
        ..FakeConfig::default()
    })
    .await;
    let (token, _) = connect(&f, Hubspot).await;
    let contacts = Endpoint::Objects(junction_core::providers::hubspot::ObjectType::Contacts);
    f.inject(
        Fault::new(Hubspot, FaultKind::Status(503))
            .on(contacts)
            .after(1),
    );
    f.inject(
        Fault::new(Hubspot, FaultKind::MalformedJson)
            .on(contacts)
            .after(2),
    );
    f.inject(
        Fault::new(Hubspot, FaultKind::DropConnection)
            .on(contacts)
            .after(3),
    );
    f.inject(
        Fault::new(Hubspot, FaultKind::RateLimited)
            .on(contacts)
            .after(4)
            .times(2),
    );
    f.inject(
        Fault::new(Hubspot, FaultKind::RevokeAccessTokens)
            .on(contacts)
            .after(6),
    );
    let send = || hubspot_page(&f, &token, "contacts", None).send();
    assert_eq!(send().await.unwrap().status(), 200);
    assert_eq!(send().await.unwrap().status(), 503);
    let malformed = send().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&malformed.bytes().await.unwrap()).is_err());
    let dropped = send().await;
    assert!(dropped.is_err(), "connection closed without a response");
    assert_eq!(send().await.unwrap().status(), 429);
    assert_eq!(send().await.unwrap().status(), 429);
    assert_eq!(send().await.unwrap().status(), 401);
    assert_eq!(
        send().await.unwrap().status(),
        401,
        "the token stays revoked"
    );
    assert_eq!(f.pending_faults(), 0);
    assert_eq!(f.counters().rate_limited(Hubspot), 2);
    assert!(
        f.counters().requests().iter().any(|r| r.status == 0),
        "the drop is logged"
    );

    // Refreshing recovers; the token endpoint can fail on demand too.
    let (_, refresh) = connect(&f, Hubspot).await;
    f.inject(Fault::new(Hubspot, FaultKind::Status(500)).on(Endpoint::Token));
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str().unwrap()),
    ];
    assert_eq!(exchange(&f, Hubspot, &form).await.status(), 500);
    let body: Value = exchange(&f, Hubspot, &form).await.json().await.unwrap();
    let fresh = body["access_token"].as_str().unwrap();
    assert_eq!(
        hubspot_page(&f, fresh, "contacts", None)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn latency_is_added_and_shutdown_frees_the_port() {
    let f = start(FakeConfig {
        latency: Duration::from_millis(30),
        ..FakeConfig::default()
    })
    .await;
    let addr = f.addr();
    let t = Instant::now();
    let _ = client()
        .get(format!("{}/airtable/v0/meta/bases", f.base_url()))
        .send()
        .await
        .unwrap();
    assert!(t.elapsed() >= Duration::from_millis(30));
    f.shutdown().await;
    tokio::net::TcpListener::bind(addr)
        .await
        .expect("the port is free again");
}

/// The fakes and the mappers agree: walking every endpoint with the provider modules'
/// own queries maps exactly the items the data set holds, edge cases included.
#[tokio::test]
async fn mappers_read_everything_the_fakes_serve() {
    use junction_core::providers::{
        airtable::mapping as airtable, hubspot::objects as hubspot, notion::mapping as notion,
    };
    let size = DataSize {
        edge_cases: true,
        contacts: 130,
        pages: 150,
        ..DataSize::default()
    };
    let f = start(FakeConfig {
        data: size,
        rate_limits: false,
        airtable_bases_page_size: 3,
        ..FakeConfig::default()
    })
    .await;
    let want = f.summary();
    let get_json = |url: String, token: String, q: Vec<(&'static str, String)>| async move {
        let resp = client()
            .get(url)
            .bearer_auth(token)
            .query(&q)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.unwrap()
    };

    let (token, _) = connect(&f, Hubspot).await;
    let mut hubspot_items = 0;
    for object in hubspot::ObjectType::ALL {
        let crm = hubspot::CrmType::standard(object);
        let mut after = None;
        loop {
            let url = format!("{}{}", f.urls(Hubspot).api, crm.endpoint());
            let mut q = vec![("limit", "100".to_string()), ("archived", "false".into())];
            q.extend(after.iter().map(|a: &String| ("after", a.clone())));
            let body = get_json(url, token.clone(), q).await;
            let page = hubspot::parse_list_page(&crm, &Default::default(), Some("4242424"), &body)
                .unwrap();
            hubspot_items += page.items.len();
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    assert_eq!(
        hubspot_items,
        want.contacts + want.companies + want.deals,
        "live records of the standard types"
    );

    let (token, _) = connect(&f, Airtable).await;
    let api = f.urls(Airtable).api;
    let (mut items, mut offset) = (Vec::new(), None::<String>);
    loop {
        let q = offset.iter().map(|o| ("offset", o.clone())).collect();
        let page = airtable::parse_bases_page(
            &get_json(format!("{api}/v0/meta/bases"), token.clone(), q).await,
        )
        .unwrap();
        for base in &page.bases {
            items.push(airtable::base_item(base));
            let body = get_json(
                format!("{api}{}", airtable::tables_endpoint(&base.id)),
                token.clone(),
                vec![],
            )
            .await;
            for table in airtable::parse_tables(&base.id, &body).unwrap() {
                items.push(airtable::table_item(base, &table));
                let mut cursor = None::<String>;
                loop {
                    let url = format!("{api}{}", airtable::records_endpoint(&base.id, &table.id));
                    let body = get_json(
                        url,
                        token.clone(),
                        airtable::records_query(cursor.as_deref()),
                    )
                    .await;
                    let page =
                        airtable::parse_records_page(base, &table, &body, &airtable::no_link_names)
                            .unwrap();
                    items.extend(page.items);
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
        }
        match page.offset {
            Some(o) => offset = Some(o),
            None => break,
        }
    }
    assert_eq!(items.len(), want.airtable_items());
    mapping_support::link_children(&mut items, true);
    assert!(items
        .iter()
        .filter(|i| i.directory)
        .all(|i| i.children.is_some()));
    assert!(
        items
            .iter()
            .any(|i| i.name.as_deref() == Some("Ada Lovelace")),
        "edge-case records served"
    );

    // Notion: search, then every database's data sources queried and every page's
    // block children walked, as a load does.
    let (token, _) = connect(&f, Notion).await;
    let mut items: HashMap<String, junction_core::IntegrationItem> = HashMap::new();
    let (mut databases, mut blocks, mut pages) = (Vec::new(), Vec::new(), Vec::new());
    let mut cursor = None::<String>;
    loop {
        let body = notion_call(
            &f,
            &token,
            "/v1/search",
            &[],
            Some(notion::search_body(cursor.as_deref())),
        )
        .await;
        let page = notion::parse_search_page(&body).unwrap();
        for p in page.pages {
            if p.partial {
                pages.push(p.item.id.clone().unwrap());
            } else if let Some((_, Some(db))) = p.row_of {
                databases.push(db);
            } else {
                blocks.push(p.item.id.clone().unwrap());
                items.insert(p.item.id.clone().unwrap(), p.item);
            }
        }
        databases.extend(page.data_sources.into_iter().filter_map(|s| s.database_id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut seen = std::collections::HashSet::new();
    while !(databases.is_empty() && blocks.is_empty() && pages.is_empty()) {
        for db in std::mem::take(&mut databases) {
            if !seen.insert(db.replace('-', "")) {
                continue;
            }
            let read = notion::read_database(
                &notion_call(&f, &token, &format!("/v1/databases/{db}"), &[], None).await,
            )
            .unwrap();
            items.insert(db.clone(), read.item);
            for (source, name) in read.data_sources {
                items.insert(
                    source.clone(),
                    notion::listed_data_source(&source, name.as_deref(), &db),
                );
                let mut cursor = None::<String>;
                loop {
                    let body = notion_call(
                        &f,
                        &token,
                        &format!("/v1/data_sources/{source}/query"),
                        &[],
                        Some(notion::query_body(cursor.as_deref(), None)),
                    )
                    .await;
                    let page = notion::parse_query_page(&source, &body).unwrap();
                    for row in page.rows {
                        blocks.push(row.item.id.clone().unwrap());
                        items.insert(row.item.id.clone().unwrap(), row.item);
                    }
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
        }
        for id in std::mem::take(&mut pages) {
            let read = notion::read_page(
                &notion_call(&f, &token, &format!("/v1/pages/{id}"), &[], None).await,
            )
            .unwrap();
            blocks.push(id.clone());
            items.insert(id, read.item);
        }
        for block in std::mem::take(&mut blocks) {
            let mut cursor = None::<String>;
            loop {
                let mut q = vec![("page_size", "100".to_string())];
                q.extend(cursor.iter().map(|c| ("start_cursor", c.clone())));
                let body = notion_call(
                    &f,
                    &token,
                    &format!("/v1/blocks/{block}/children"),
                    &q,
                    None,
                )
                .await;
                let page = notion::parse_children_page(&block, &body).unwrap();
                pages.extend(page.pages.into_iter().filter(|p| !items.contains_key(p)));
                databases.extend(page.databases);
                blocks.extend(page.containers);
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
    }
    assert_eq!(items.len(), want.notion_items());
    let mut items: Vec<_> = items.into_values().collect();
    mapping_support::fill_parent_names(&mut items);
    let with_parent = items.iter().filter(|i| i.parent_id.is_some()).count();
    let named = items
        .iter()
        .filter(|i| i.parent_path_or_name.is_some())
        .count();
    assert!(
        named > with_parent / 2,
        "most parents are loaded and named ({named}/{with_parent})"
    );
}

/// One Notion API call on the current version: GET, or POST with `body`.
async fn notion_call(
    f: &FakeProviders,
    token: &str,
    path: &str,
    query: &[(&str, String)],
    body: Option<Value>,
) -> Value {
    let url = format!("{}{path}", f.urls(Notion).api);
    let req = match body {
        Some(b) => client().post(url).json(&b),
        None => client().get(url),
    };
    let resp = req
        .query(query)
        .bearer_auth(token)
        .header(
            "Notion-Version",
            junction_core::providers::notion::NOTION_VERSION,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.json().await.unwrap()
}
