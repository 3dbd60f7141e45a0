//! HubSpot CRM object types (contacts, companies, deals and the portal's custom
//! objects) and their records → items.
//!
//! `GET /crm/objects/2026-09/{type}?limit=100&properties=…&after=…` and the batch read
//! answer `{results:[{id, properties, createdAt, updatedAt, archived, archivedAt?}],
//! paging?:{next:{after}}}`; `paging` is absent on the last page. Property values are
//! strings or null; [`super::properties`] types them by their definitions.

use serde_json::Value;

use super::api;
use super::properties::{typed, Definitions, PropertyKind};
use crate::item::{parse_time, Associations, RowTable};
use crate::providers::json::{
    expect_array, expect_object, id_text, malformed_json, str_field, Page,
};
use crate::{Error, IntegrationItem, ProviderId};

/// The largest page HubSpot serves; we always ask for it to keep request counts low.
pub const PAGE_LIMIT: u32 = 100;

/// The standard CRM object types Junction loads (custom ones come from the schemas).
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

    /// The property holding the last modification time.
    pub fn modified_property(self) -> &'static str {
        match self {
            ObjectType::Contacts => "lastmodifieddate",
            _ => "hs_lastmodifieddate",
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

/// One object type as a load sees it: a standard one, or a custom one from its schema.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CrmType {
    /// What goes in `{objectType}`: `contacts`, or a custom `objectTypeId` (`2-123`).
    pub path: String,
    /// The object type id (`0-1`, `2-123`), for record URLs and as the row table's id.
    pub type_id: String,
    /// The item `type`: "Contact", or the custom schema's singular label.
    pub item_type: String,
    /// The row table's name: "Contacts", or the schema's plural label.
    pub plural: String,
    /// `None` for custom objects.
    pub standard: Option<ObjectType>,
    /// A custom object's `primaryDisplayProperty`: its items' names.
    pub primary: Option<String>,
}

impl CrmType {
    pub fn standard(t: ObjectType) -> CrmType {
        let plural = match t {
            ObjectType::Contacts => "Contacts",
            ObjectType::Companies => "Companies",
            ObjectType::Deals => "Deals",
        };
        CrmType {
            path: t.path().into(),
            type_id: t.type_id().into(),
            item_type: t.item_type().into(),
            plural: plural.into(),
            standard: Some(t),
            primary: None,
        }
    }

    /// A custom object type from its schema (`GET /crm-object-schemas/2026-09/schemas`),
    /// with its property definitions; `None` without an `objectTypeId`.
    pub fn custom(schema: &Value) -> Option<(CrmType, Definitions)> {
        let type_id = str_field(schema, "objectTypeId")?.to_string();
        let labels = schema.get("labels");
        let label = |k: &str| labels.and_then(|l| str_field(l, k)).map(str::to_string);
        let name = str_field(schema, "name").map(str::to_string);
        let singular = label("singular")
            .or_else(|| name.clone())
            .unwrap_or_else(|| type_id.clone());
        let plural = label("plural")
            .or(name)
            .unwrap_or_else(|| singular.clone());
        let definitions = schema
            .get("properties")
            .and_then(Value::as_array)
            .map(|list| super::properties::definitions_of(list))
            .unwrap_or_default();
        let crm = CrmType {
            path: type_id.clone(),
            type_id,
            item_type: singular,
            plural,
            standard: None,
            primary: str_field(schema, "primaryDisplayProperty").map(str::to_string),
        };
        Some((crm, definitions))
    }

    /// The list path for messages: `/crm/objects/2026-09/contacts`.
    pub fn endpoint(&self) -> String {
        api::display(&api::objects(&self.path))
    }

    /// The name of this type's running total in progress events: `contacts`, or the
    /// custom plural label in lower case (`pets`).
    pub fn progress_name(&self) -> String {
        match self.standard {
            Some(t) => t.path().into(),
            None => self.plural.to_lowercase(),
        }
    }

    /// Properties a record always comes back with, wanted even when the definitions
    /// could not be read.
    fn dates(&self) -> [&'static str; 2] {
        match self.standard {
            Some(t) => ["createdate", t.modified_property()],
            None => ["hs_createdate", "hs_lastmodifieddate"],
        }
    }
}

/// The records of one list, batch-read or schemas answer and the next cursor, read
/// from the raw body with each record's null properties left out
/// ([`super::sparse`]): a page of records with hundreds of properties each is
/// megabytes, mostly nulls.
pub fn parse_records(endpoint: &str, body: &[u8]) -> Result<(Vec<Value>, Option<String>), Error> {
    let mut body = super::sparse::parse_page(body)
        .map_err(|e| malformed_json(ProviderId::Hubspot, endpoint, &e))?;
    let obj = expect_object(ProviderId::Hubspot, endpoint, &body)?;
    expect_array(ProviderId::Hubspot, endpoint, obj, "results")?;
    // Use `after`, never `link`: the link may be relative, absolute, or even wrong.
    let next = body
        .get("paging")
        .and_then(|p| p.get("next"))
        .and_then(|n| id_text(n.get("after")));
    let results = match body.get_mut("results").map(Value::take) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    Ok((results, next))
}

/// Maps one list page (records with their properties inline).
pub fn parse_list_page(
    crm: &CrmType,
    definitions: &Definitions,
    portal_id: Option<&str>,
    body: &Value,
) -> Result<Page, Error> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let (records, next) = parse_records(&crm.endpoint(), &bytes)?;
    let mut page = Page {
        next,
        ..Page::default()
    };
    for record in &records {
        match map_record(crm, definitions, portal_id, record) {
            Some(item) => page.items.push(item),
            None => page.skipped += 1,
        }
    }
    Ok(page)
}

/// Maps one record; `None` when it is not an object or has no id. `portal_id` is the
/// account's hub id (from the token response); without it record URLs stay null.
/// Archived records are marked `visibility: false`.
pub fn map_record(
    crm: &CrmType,
    definitions: &Definitions,
    portal_id: Option<&str>,
    record: &Value,
) -> Option<IntegrationItem> {
    record.as_object()?;
    let id = id_text(record.get("id"))?;
    let raw = record.get("properties").and_then(Value::as_object);
    let text = |k: &str| {
        raw.and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut item = IntegrationItem::new(ProviderId::Hubspot, &crm.item_type, id.clone());
    item.name = display_name(crm, &text);
    let [created, modified] = crm.dates();
    item.creation_time = parse_time(str_field(record, "createdAt"))
        .or_else(|| parse_time(text(created).as_deref()));
    item.last_modified_time = parse_time(str_field(record, "updatedAt"))
        .or_else(|| parse_time(text(modified).as_deref()));
    item.url = portal_id
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|portal| {
            format!(
                "https://app.hubspot.com/contacts/{portal}/record/{}/{id}",
                crm.type_id
            )
        });
    if record.get("archived") == Some(&Value::Bool(true)) {
        item.visibility = Some(false);
    }
    item.table = Some(RowTable {
        id: crm.type_id.clone(),
        name: crm.plural.clone(),
    });
    if let Some(raw) = raw {
        // Most of a portal's properties are empty on most records: skip the nulls
        // before looking anything up.
        for (key, value) in raw.iter().filter(|(_, v)| !v.is_null()) {
            // Not in the definitions (one added since they were read): its text.
            let kind = definitions
                .get(key)
                .copied()
                .unwrap_or(PropertyKind::Text);
            if let Some(v) = typed(kind, value) {
                item.properties.insert(key.clone(), v);
            }
        }
    }
    Some(item)
}

/// Sets the associations an item was found to have, each list sorted and unique.
pub fn set_associations(item: &mut IntegrationItem, mut associations: Associations) {
    for ids in associations.values_mut() {
        ids.sort();
        ids.dedup();
    }
    item.associations = Some(associations);
}

/// "firstname lastname" else email (contacts), name else domain (companies), dealname,
/// a custom object's primary display property.
fn display_name(crm: &CrmType, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match crm.standard {
        Some(ObjectType::Contacts) => {
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
        Some(ObjectType::Companies) => get("name").or_else(|| get("domain")),
        Some(ObjectType::Deals) => get("dealname"),
        None => crm.primary.as_deref().and_then(get),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn contact_name_falls_back_to_email_then_null() {
        let crm = CrmType::standard(ObjectType::Contacts);
        let rec = |props: Value| json!({"id": "1", "properties": props});
        let name = |props| {
            map_record(&crm, &Definitions::new(), None, &rec(props))
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
    fn custom_types_come_from_their_schema() {
        let schema = json!({"objectTypeId": "2-77", "name": "pets",
            "labels": {"singular": "Pet", "plural": "Pets"}, "primaryDisplayProperty": "pet_name",
            "properties": [{"name": "weight_kg", "type": "number", "fieldType": "number"}]});
        let (crm, defs) = CrmType::custom(&schema).unwrap();
        assert_eq!((crm.item_type.as_str(), crm.plural.as_str()), ("Pet", "Pets"));
        assert_eq!(crm.endpoint(), "/crm/objects/2026-09/2-77");
        let item = map_record(
            &crm,
            &defs,
            Some("9"),
            &json!({"id": "5", "archived": true,
                    "properties": {"pet_name": "Rex", "weight_kg": "4.5"}}),
        )
        .unwrap();
        assert_eq!(item.name.as_deref(), Some("Rex"));
        assert_eq!(item.properties["weight_kg"], json!(4.5));
        assert_eq!(item.visibility, Some(false), "archived");
        assert_eq!(item.table.unwrap().name, "Pets");
        assert!(CrmType::custom(&json!({"name": "x"})).is_none());
    }
}
