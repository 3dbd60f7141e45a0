//! Faults on demand: a test says "after N requests to this endpoint, do X (K times)".

use super::counters::Endpoint;
use junction_core::ProviderId;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (5xx) and a short provider-style error body.
    Status(u16),
    /// Revoke the provider's access tokens and answer its real 401: every later request
    /// with those tokens is 401 too, until the client refreshes.
    RevokeAccessTokens,
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// Close the connection without answering.
    DropConnection,
    /// The provider's real 429 (body and headers). Without changing the limiter state.
    RateLimited,
    /// 200 with a body of this many bytes, streamed without a Content-Length.
    OversizedBody(usize),
    /// 200 with the body of the first page this path served while the fault waited: its
    /// next-page cursor points back to a page already loaded (a provider's paging bug:
    /// a cursor loop that never repeats the current cursor, only an earlier one). On a
    /// path whose first page this is, the request is answered as usual and the replay
    /// waits for the endpoint's next request.
    ReplayFirstPage,
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub provider: ProviderId,
    /// `None` = any item-listing endpoint of the provider.
    pub endpoint: Option<Endpoint>,
    /// Requests that match and pass untouched before the fault fires.
    pub after: usize,
    /// How many consecutive matching requests get the fault.
    pub times: usize,
    pub kind: FaultKind,
}

impl Fault {
    /// A fault that fires once on the first matching request of any listing endpoint.
    pub fn new(provider: ProviderId, kind: FaultKind) -> Fault {
        Fault {
            provider,
            endpoint: None,
            after: 0,
            times: 1,
            kind,
        }
    }

    /// Only on `endpoint`.
    pub fn on(mut self, endpoint: Endpoint) -> Fault {
        self.endpoint = Some(endpoint);
        self
    }

    /// After `n` matching requests have passed.
    pub fn after(mut self, n: usize) -> Fault {
        self.after = n;
        self
    }

    /// For `n` consecutive matching requests.
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    fn matches(&self, provider: ProviderId, endpoint: Endpoint) -> bool {
        self.provider == provider
            && match self.endpoint {
                Some(e) => e == endpoint,
                None => endpoint.is_api(),
            }
    }
}

/// The injected faults and how far along each one is.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    slots: Vec<(Fault, usize)>,
}

impl FaultSet {
    pub fn add(&mut self, fault: Fault) {
        self.slots.push((fault, 0));
    }

    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// The fault this request gets, if any. Every matching fault counts the request, so
    /// two faults on one endpoint keep their own positions.
    pub fn next(&mut self, provider: ProviderId, endpoint: Endpoint) -> Option<FaultKind> {
        let mut fired = None;
        for (fault, seen) in &mut self.slots {
            if !fault.matches(provider, endpoint) {
                continue;
            }
            *seen += 1;
            let in_range = *seen > fault.after && *seen <= fault.after + fault.times;
            if in_range && fired.is_none() {
                fired = Some(fault.kind);
            }
        }
        fired
    }

    /// Whether a fault of `kind` that this request would match has still to fire.
    pub fn awaits(&self, provider: ProviderId, endpoint: Endpoint, kind: FaultKind) -> bool {
        self.slots.iter().any(|(f, seen)| {
            f.kind == kind && f.matches(provider, endpoint) && *seen < f.after + f.times
        })
    }

    /// Faults that have not fired all their times yet.
    pub fn pending(&self) -> usize {
        self.slots
            .iter()
            .filter(|(f, seen)| *seen < f.after + f.times)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_after_n_for_k_times() {
        let mut set = FaultSet::default();
        set.add(
            Fault::new(ProviderId::Notion, FaultKind::RateLimited)
                .after(2)
                .times(2),
        );
        let seq: Vec<_> = (0..6)
            .map(|_| set.next(ProviderId::Notion, Endpoint::Search).is_some())
            .collect();
        assert_eq!(seq, [false, false, true, true, false, false]);
        assert_eq!(set.next(ProviderId::Hubspot, Endpoint::Search), None);
        assert_eq!(set.pending(), 0);
    }

    #[test]
    fn api_faults_skip_oauth_endpoints() {
        let mut set = FaultSet::default();
        set.add(Fault::new(ProviderId::Airtable, FaultKind::Status(500)));
        assert_eq!(set.next(ProviderId::Airtable, Endpoint::Token), None);
        assert_eq!(
            set.next(ProviderId::Airtable, Endpoint::Records),
            Some(FaultKind::Status(500))
        );
    }
}
