//! What the fake providers serve and how strict they are.

use std::collections::BTreeMap;
use std::time::Duration;

use junction_core::ProviderId;

/// The OAuth app registered at one fake provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeApp {
    pub client_id: String,
    /// `None` = an Airtable integration without a secret (then HTTP Basic is forbidden
    /// and `client_id` goes in the body). HubSpot and Notion always have one.
    pub client_secret: Option<String>,
    /// Exact redirect URIs accepted by authorize (and checked again at the token call).
    pub redirect_uris: Vec<String>,
}

impl FakeApp {
    /// The default app of `provider`: client `junction-<p>`, secret `secret-<p>`, redirect
    /// URI `http://localhost:8000/integrations/<p>/oauth2callback` (the original's).
    pub fn default_for(provider: ProviderId) -> FakeApp {
        FakeApp {
            client_id: format!("junction-{provider}"),
            client_secret: Some(format!("secret-{provider}")),
            redirect_uris: vec![redirect_uri(8000, provider)],
        }
    }
}

/// Junction's redirect URI on `port`.
pub fn redirect_uri(port: u16, provider: ProviderId) -> String {
    format!("http://localhost:{port}/integrations/{provider}/oauth2callback")
}

/// How much data each fake serves. Generated deterministically from `seed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSize {
    /// Live HubSpot records of each standard type (archived ones come on top).
    pub contacts: usize,
    pub companies: usize,
    pub deals: usize,
    pub bases: usize,
    pub tables_per_base: usize,
    pub records_per_table: usize,
    /// HubSpot: generated properties per standard type beside the built-in ones (a
    /// real portal has hundreds; 480 make the list of names longer than 8 KB).
    pub hubspot_extra_properties: usize,
    /// HubSpot: records of the custom object type.
    pub hubspot_custom_records: usize,
    /// HubSpot: archived records of each standard type, besides the live ones.
    pub hubspot_archived: usize,
    /// Notion pages (in a tree under pages, databases and the workspace).
    pub pages: usize,
    /// Notion databases (under pages or the workspace).
    pub databases: usize,
    /// Mix the fixtures' edge cases (tests/fixtures) into the generated sets.
    pub edge_cases: bool,
    pub seed: u64,
}

impl Default for DataSize {
    fn default() -> Self {
        DataSize {
            contacts: 25,
            companies: 10,
            deals: 10,
            bases: 2,
            tables_per_base: 2,
            records_per_table: 15,
            hubspot_extra_properties: 480,
            hubspot_custom_records: 12,
            hubspot_archived: 2,
            pages: 30,
            databases: 3,
            edge_cases: false,
            seed: 7,
        }
    }
}

/// Everything the fakes can be told at start. Most limits also change at run time
/// through [`super::FakeProviders`].
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Port on 127.0.0.1; 0 = any free port.
    pub port: u16,
    pub apps: BTreeMap<ProviderId, FakeApp>,
    pub data: DataSize,
    /// Added to every request before it is answered (the API's own latency).
    pub latency: Duration,
    /// Divides every rate-limit window, penalty and Retry-After wait the fakes enforce.
    /// What they *announce* (Retry-After, X-HubSpot-RateLimit-Interval-Milliseconds) stays
    /// the real value: the client divides by the same `JUNCTION_RATE_LIMIT_SCALE`.
    pub rate_limit_scale: f64,
    /// Turn rate limiting off entirely (for tests that count requests).
    pub rate_limits: bool,
    /// HubSpot: requests per rolling 10 s window per account (110 for public apps).
    pub hubspot_limit: u32,
    /// Airtable: requests per second per base (5); and the penalty after a 429 (30 s).
    pub airtable_per_second: u32,
    pub airtable_penalty: Duration,
    /// Airtable `GET /v0/meta/bases` page size (1000 in reality; small in tests).
    pub airtable_bases_page_size: usize,
    /// Notion: average requests per second (3) and the burst allowed on top.
    pub notion_per_second: f64,
    pub notion_burst: u32,
    /// Notion: the `Retry-After` seconds announced on a 429.
    pub notion_retry_after_secs: u64,
    /// Notion: the most rows one data source query returns (10,000); past it every
    /// page of the result says `request_status: incomplete`.
    pub notion_query_cap: usize,
    /// Notion: the most items one page of the page property endpoint holds, whatever
    /// `page_size` asks (Notion may return fewer than asked).
    pub notion_property_page_size: usize,
    /// Lifetime of access tokens; `None` = the provider's own (HubSpot 1800 s, Airtable
    /// 3600 s, Notion: no expiry).
    pub access_token_ttl: Option<Duration>,
    /// Authorization codes expire after this (10 min).
    pub code_ttl: Duration,
    /// Airtable: a refresh with a refresh token rotated less than this long ago gets 409
    /// (a racing refresh), instead of 400 invalid_grant. Zero disables the 409.
    pub airtable_refresh_race_window: Duration,
    /// Notion: answer token requests with `refresh_token: null` and a workspace owner,
    /// as legacy installs do.
    pub notion_legacy_tokens: bool,
    /// HubSpot: the portal grants the optional custom-object scopes (an Enterprise
    /// portal); without them the schemas endpoint answers 403 MISSING_SCOPES.
    pub hubspot_custom_scopes: bool,
    /// HubSpot: associations listed per from-record in one batch answer before a
    /// `paging.next.after` (500 in reality).
    pub hubspot_associations_page: usize,
    /// HubSpot portal id (`hub_id`) and its domain.
    pub hubspot_portal_id: u64,
    pub hubspot_hub_domain: String,
    pub notion_workspace_name: String,
    pub airtable_user_email: String,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            apps: ProviderId::ALL
                .into_iter()
                .map(|p| (p, FakeApp::default_for(p)))
                .collect(),
            data: DataSize::default(),
            latency: Duration::ZERO,
            rate_limit_scale: 1.0,
            rate_limits: true,
            hubspot_limit: 110,
            airtable_per_second: 5,
            airtable_penalty: Duration::from_secs(30),
            airtable_bases_page_size: 1000,
            notion_per_second: 3.0,
            notion_burst: 10,
            notion_retry_after_secs: 1,
            notion_query_cap: 10_000,
            notion_property_page_size: 100,
            access_token_ttl: None,
            code_ttl: Duration::from_secs(600),
            airtable_refresh_race_window: Duration::from_secs(2),
            notion_legacy_tokens: false,
            hubspot_custom_scopes: true,
            hubspot_associations_page: 500,
            hubspot_portal_id: 4_242_424,
            hubspot_hub_domain: "junction-test.hubspot.com".into(),
            notion_workspace_name: "Junction Test Workspace".into(),
            airtable_user_email: "tester@example.com".into(),
        }
    }
}

impl FakeConfig {
    /// A real-time window scaled down by `rate_limit_scale`.
    pub fn scaled(&self, real: Duration) -> Duration {
        let scale = if self.rate_limit_scale.is_finite() && self.rate_limit_scale > 0.0 {
            self.rate_limit_scale
        } else {
            1.0
        };
        real.div_f64(scale)
    }
}
