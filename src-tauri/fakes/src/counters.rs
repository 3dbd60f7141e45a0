//! What the fakes saw: every request (when, where, what status), token grants and
//! revocations. Tests read these to check request counts, refresh counts, 429s and
//! waits ("no request sooner than Retry-After").

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::Instant;

use junction_core::providers::hubspot::ObjectType;
use junction_core::ProviderId;

/// One endpoint of one fake provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Authorize,
    Token,
    Revoke,
    Introspect,
    /// Airtable `GET /v0/meta/whoami`.
    Whoami,
    /// HubSpot `GET /crm/objects/2026-09/{type}` of a standard type.
    Objects(ObjectType),
    /// HubSpot `GET /crm/objects/2026-09/{type}` of the custom object type.
    CustomObjects,
    /// HubSpot `POST /crm/objects/2026-09/{type}/batch/read`.
    BatchRead,
    /// HubSpot `GET /crm/properties/2026-09/{type}`.
    Properties,
    /// HubSpot `POST /crm/associations/2026-09/{from}/{to}/batch/read`.
    Associations,
    /// HubSpot `GET /crm-object-schemas/2026-09/schemas`.
    Schemas,
    /// HubSpot `GET /account-info/2026-09/details`.
    AccountInfo,
    /// Airtable `GET /v0/meta/bases`.
    Bases,
    /// Airtable `GET /v0/meta/bases/{base}/tables`.
    Tables,
    /// Airtable `GET /v0/{base}/{table}`.
    Records,
    /// Notion `POST /v1/search`.
    Search,
    /// Notion `GET /v1/databases/{id}`.
    Database,
    /// Notion `POST /v1/databases/{id}/query` (before 2025-09-03).
    DatabaseQuery,
    /// Notion `GET /v1/data_sources/{id}`.
    DataSource,
    /// Notion `POST /v1/data_sources/{id}/query`.
    DataSourceQuery,
    /// Notion `GET /v1/blocks/{id}/children`.
    BlockChildren,
    /// Notion `GET /v1/pages/{id}`.
    Page,
    /// Notion `GET /v1/pages/{id}/properties/{property}`.
    PageProperty,
}

impl Endpoint {
    /// Item-listing endpoints (what a load calls), as opposed to OAuth ones.
    /// Endpoints that page with a next-page cursor.
    pub fn is_listing(self) -> bool {
        matches!(
            self,
            Endpoint::Objects(_)
                | Endpoint::CustomObjects
                | Endpoint::Bases
                | Endpoint::Records
                | Endpoint::Search
                | Endpoint::DatabaseQuery
                | Endpoint::DataSourceQuery
                | Endpoint::BlockChildren
        )
    }

    pub fn is_api(self) -> bool {
        matches!(
            self,
            Endpoint::Objects(_)
                | Endpoint::CustomObjects
                | Endpoint::BatchRead
                | Endpoint::Properties
                | Endpoint::Associations
                | Endpoint::Schemas
                | Endpoint::Bases
                | Endpoint::Tables
                | Endpoint::Records
                | Endpoint::Search
                | Endpoint::Database
                | Endpoint::DatabaseQuery
                | Endpoint::DataSource
                | Endpoint::DataSourceQuery
                | Endpoint::BlockChildren
                | Endpoint::Page
                | Endpoint::PageProperty
        )
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// When it arrived (before the configured latency).
    pub at: Instant,
    pub provider: ProviderId,
    pub endpoint: Endpoint,
    /// Airtable: the base the request was for (rate limits are per base).
    pub base: Option<String>,
    /// The status answered; 0 when the connection was dropped without an answer.
    pub status: u16,
}

/// Thread-safe counters, shared by all handlers.
#[derive(Debug, Default)]
pub struct Counters {
    log: Mutex<Vec<RequestRecord>>,
    grants: Mutex<HashMap<(ProviderId, String), usize>>,
    revocations: Mutex<HashMap<ProviderId, usize>>,
}

impl Counters {
    pub(crate) fn record(&self, rec: RequestRecord) {
        self.log.lock().push(rec);
    }

    pub(crate) fn count_grant(&self, provider: ProviderId, grant_type: &str) {
        *self
            .grants
            .lock()
            .entry((provider, grant_type.to_string()))
            .or_default() += 1;
    }

    pub(crate) fn count_revocation(&self, provider: ProviderId) {
        *self.revocations.lock().entry(provider).or_default() += 1;
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.log.lock().clone()
    }

    /// Requests to one endpoint.
    pub fn count(&self, provider: ProviderId, endpoint: Endpoint) -> usize {
        self.log
            .lock()
            .iter()
            .filter(|r| r.provider == provider && r.endpoint == endpoint)
            .count()
    }

    /// Item-listing requests to `provider` (all API endpoints).
    pub fn api_requests(&self, provider: ProviderId) -> usize {
        self.log
            .lock()
            .iter()
            .filter(|r| r.provider == provider && r.endpoint.is_api())
            .count()
    }

    /// 429s sent by `provider`.
    pub fn rate_limited(&self, provider: ProviderId) -> usize {
        self.log
            .lock()
            .iter()
            .filter(|r| r.provider == provider && r.status == 429)
            .count()
    }

    /// Token requests by grant type (`authorization_code`, `refresh_token`), counted
    /// whatever the outcome.
    pub fn token_requests(&self, provider: ProviderId, grant_type: &str) -> usize {
        self.grants
            .lock()
            .get(&(provider, grant_type.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Refresh requests (token requests with `grant_type=refresh_token`).
    pub fn refresh_requests(&self, provider: ProviderId) -> usize {
        self.token_requests(provider, "refresh_token")
    }

    /// Successful revocations.
    pub fn revocations(&self, provider: ProviderId) -> usize {
        self.revocations.lock().get(&provider).copied().unwrap_or(0)
    }

    /// Forget everything seen so far (e.g. after a test's connect phase).
    pub fn reset(&self) {
        self.log.lock().clear();
        self.grants.lock().clear();
        self.revocations.lock().clear();
    }
}
