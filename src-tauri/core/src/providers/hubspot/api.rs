//! Which HubSpot API versions Junction speaks, and the paths they give. The one place
//! that names a version: moving to the next date-based release is an edit here (and
//! in the fake, which changes first).
//!
//! HubSpot retires the numbered paths (`/crm/v3/…`, `/oauth/v3/…`) in September 2027;
//! the date-based ones replace them (providers.md §4).

/// The CRM's date-based version: objects, batch reads, properties, associations,
/// schemas and account info.
pub const CRM_VERSION: &str = "2026-09";

/// The OAuth token endpoints' version (`/oauth/2026-03/token`, `…/introspect`,
/// `…/revoke`): HubSpot's 2026-09 OAuth files are pre-release stubs.
pub(crate) const TOKEN_URL: &str = "https://api.hubapi.com/oauth/2026-03/token";

/// The longest URL Junction sends: past it, a GET that names every property would be
/// refused by HubSpot's front end, so the properties go in a batch read's body.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// `/crm/objects/{v}/{type}`: list.
pub fn objects(object_type: &str) -> Vec<String> {
    vec![
        "crm".into(),
        "objects".into(),
        CRM_VERSION.into(),
        object_type.into(),
    ]
}

/// `/crm/objects/{v}/{type}/batch/read`.
pub fn batch_read(object_type: &str) -> Vec<String> {
    let mut path = objects(object_type);
    path.extend(["batch".into(), "read".into()]);
    path
}

/// `/crm/properties/{v}/{type}`: the property definitions.
pub fn properties(object_type: &str) -> Vec<String> {
    vec![
        "crm".into(),
        "properties".into(),
        CRM_VERSION.into(),
        object_type.into(),
    ]
}

/// `/crm/associations/{v}/{from}/{to}/batch/read`.
pub fn associations(from: &str, to: &str) -> Vec<String> {
    vec![
        "crm".into(),
        "associations".into(),
        CRM_VERSION.into(),
        from.into(),
        to.into(),
        "batch".into(),
        "read".into(),
    ]
}

/// `/crm-object-schemas/{v}/schemas`: the custom object types.
pub fn schemas() -> Vec<String> {
    vec![
        "crm-object-schemas".into(),
        CRM_VERSION.into(),
        "schemas".into(),
    ]
}

/// `/account-info/{v}/details`: the portal a token belongs to.
pub fn account_info() -> Vec<String> {
    vec!["account-info".into(), CRM_VERSION.into(), "details".into()]
}

/// A path for messages: `/crm/objects/2026-09/contacts`.
pub fn display(path: &[String]) -> String {
    path.iter().fold(String::new(), |mut out, s| {
        out.push('/');
        out.push_str(s);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_carry_the_date_version() {
        assert_eq!(display(&objects("contacts")), "/crm/objects/2026-09/contacts");
        assert_eq!(
            display(&associations("deals", "companies")),
            "/crm/associations/2026-09/deals/companies/batch/read"
        );
        assert_eq!(display(&schemas()), "/crm-object-schemas/2026-09/schemas");
        assert!(TOKEN_URL.ends_with("/oauth/2026-03/token"));
    }
}
