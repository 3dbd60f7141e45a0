//! HubSpot CRM objects (contacts, companies, deals) → items.
//!
//! `GET /crm/v3/objects/{type}?limit=100&properties=…&after=…` answers
//! `{results:[{id, properties, createdAt, updatedAt, archived}], paging?:{next:{after}}}`;
//! `paging` is absent on the last page. Property values are all strings (or null when
//! defined but empty). See providers.md §1.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::providers::json::{expect_array, expect_object, id_text, scalar_text, str_field, Page};
use crate::item::parse_time;
use crate::{Error, IntegrationItem, ProviderId};

/// The largest page HubSpot serves; we always ask for it to keep request counts low.
pub const PAGE_LIMIT: u32 = 100;

/// The CRM object types Junction loads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ObjectType {
    Contacts,
    Companies,
    Deals,
}

impl ObjectType {
    pub const ALL: [ObjectType; 3] = [
        ObjectType::Contacts,
        ObjectType::Companies,
        ObjectType::Deals,
    ];

    /// The path segment: `contacts`, `companies`, `deals`.
    pub fn path(self) -> &'static str {
        match self {
            ObjectType::Contacts => "contacts",
            ObjectType::Companies => "companies",
            ObjectType::Deals => "deals",
        }
    }

    /// The endpoint path under the API base URL.
    pub fn endpoint(self) -> &'static str {
        match self {
            ObjectType::Contacts => "/crm/v3/objects/contacts",
            ObjectType::Companies => "/crm/v3/objects/companies",
            ObjectType::Deals => "/crm/v3/objects/deals",
        }
    }

    /// The item `type`.
    pub fn item_type(self) -> &'static str {
        match self {
            ObjectType::Contacts => "Contact",
            ObjectType::Companies => "Company",
            ObjectType::Deals => "Deal",
        }
    }

    /// HubSpot's object type id, used in record URLs.
    pub fn type_id(self) -> &'static str {
        match self {
            ObjectType::Contacts => "0-1",
            ObjectType::Companies => "0-2",
            ObjectType::Deals => "0-3",
        }
    }

    /// Properties to request explicitly: HubSpot's defaults for the type plus the
    /// creation and modification dates, so an export carries them whatever the
    /// account's defaults are.
    pub fn properties(self) -> &'static [&'static str] {
        match self {
            ObjectType::Contacts => &[
                "firstname",
                "lastname",
                "email",
                "createdate",
                "lastmodifieddate",
            ],
            ObjectType::Companies => &["name", "domain", "createdate", "hs_lastmodifieddate"],
            ObjectType::Deals => &[
                "dealname",
                "amount",
                "closedate",
                "pipeline",
                "dealstage",
                "createdate",
                "hs_lastmodifieddate",
            ],
        }
    }

    /// Parses `contacts`, `companies`, `deals` (and the `0-N` ids).
    pub fn from_path(s: &str) -> Option<ObjectType> {
        match s {
            "contacts" | "0-1" => Some(ObjectType::Contacts),
            "companies" | "0-2" => Some(ObjectType::Companies),
            "deals" | "0-3" => Some(ObjectType::Deals),
            _ => None,
        }
    }
}

/// Query parameters of one list request (`after` only after the first page).
pub fn list_query(object: ObjectType, after: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("limit", PAGE_LIMIT.to_string()),
        ("properties", object.properties().join(",")),
        ("archived", "false".to_string()),
    ];
    if let Some(after) = after {
        q.push(("after", after.to_string()));
    }
    q
}

/// Maps one list page. `portal_id` is the account's hub id (from the token response);
/// without it record URLs stay null.
pub fn parse_list_page(
    object: ObjectType,
    portal_id: Option<&str>,
    body: &Value,
) -> Result<Page, Error> {
    let endpoint = object.endpoint();
    let obj = expect_object(ProviderId::Hubspot, endpoint, body)?;
    let results = expect_array(ProviderId::Hubspot, endpoint, obj, "results")?;
    let mut page = Page::default();
    for record in results {
        match map_record(object, portal_id, record) {
            Some(item) => page.items.push(item),
            None => page.skipped += 1,
        }
    }
    // Use `after`, never `link`: the link may be relative or absolute.
    page.next = body
        .get("paging")
        .and_then(|p| p.get("next"))
        .and_then(|n| id_text(n.get("after")));
    Ok(page)
}

/// Maps one record; `None` when it is not an object or has no id.
pub fn map_record(
    object: ObjectType,
    portal_id: Option<&str>,
    record: &Value,
) -> Option<IntegrationItem> {
    let id = id_text(record.get("id"))?;
    let props = properties(record.get("properties"));
    let mut item = IntegrationItem::new(ProviderId::Hubspot, object.item_type(), id.clone());
    item.name = display_name(object, &props);
    item.creation_time = parse_time(str_field(record, "createdAt"))
        .or_else(|| parse_time(props.get("createdate").map(String::as_str)));
    item.last_modified_time = parse_time(str_field(record, "updatedAt")).or_else(|| {
        let modified = props
            .get("lastmodifieddate")
            .or_else(|| props.get("hs_lastmodifieddate"));
        parse_time(modified.map(String::as_str))
    });
    item.url = portal_id
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|portal| {
            format!(
                "https://app.hubspot.com/contacts/{portal}/record/{}/{id}",
                object.type_id()
            )
        });
    item.properties = props
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Some(item)
}

/// The record's properties as returned. Null values are left out (a missing key reads
/// as "no value"; HubSpot sends null for "defined but empty"). Values are strings in
/// practice; anything else is written as its JSON text rather than dropped.
fn properties(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(Value::Object(map)) = v else {
        return out;
    };
    for (key, value) in map {
        let text = match value {
            Value::Null => None,
            Value::Array(_) | Value::Object(_) => Some(value.to_string()),
            other => scalar_text(other),
        };
        if let Some(text) = text {
            // Unlike `put`, an empty string is kept: HubSpot returned it as the value.
            out.insert(key.clone(), text);
        }
    }
    out
}

/// "firstname lastname" else email (contacts), name else domain (companies), dealname.
fn display_name(object: ObjectType, props: &BTreeMap<String, String>) -> Option<String> {
    let get = |k: &str| {
        props
            .get(k)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match object {
        ObjectType::Contacts => {
            let full = [get("firstname"), get("lastname")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if full.is_empty() {
                get("email")
            } else {
                Some(full)
            }
        }
        ObjectType::Companies => get("name").or_else(|| get("domain")),
        ObjectType::Deals => get("dealname"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contact_name_falls_back_to_email_then_null() {
        let rec = |props: Value| json!({"id": "1", "properties": props});
        let name = |props| {
            map_record(ObjectType::Contacts, None, &rec(props))
                .unwrap()
                .name
        };
        assert_eq!(
            name(json!({"firstname": " Ada ", "lastname": "Lovelace"})),
            Some("Ada Lovelace".into())
        );
        assert_eq!(
            name(json!({"firstname": null, "lastname": "Lovelace"})),
            Some("Lovelace".into())
        );
        assert_eq!(
            name(json!({"firstname": "", "email": "a@b.c"})),
            Some("a@b.c".into())
        );
        assert_eq!(name(json!({"firstname": null, "email": null})), None);
    }

    #[test]
    fn query_asks_for_100_and_explicit_properties() {
        let q = list_query(ObjectType::Deals, Some("abc"));
        assert!(q.contains(&("limit", "100".into())));
        assert!(q.contains(&("after", "abc".into())));
        let props = &q.iter().find(|(k, _)| *k == "properties").unwrap().1;
        assert!(props.contains("dealname") && props.contains("hs_lastmodifieddate"));
    }
}
