//! What the fake HubSpot portal holds beyond the records themselves: the property
//! definitions (a real portal has hundreds), the values of the generated properties,
//! one custom object type, and the contact ↔ company ↔ deal associations.
//!
//! Generated property values are computed from (record id, property) when served
//! rather than stored, so a 100,000-contact portal with 480 properties each costs no
//! memory.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use junction_core::providers::hubspot::ObjectType;

/// A property type as the properties API states it: `(type, fieldType)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
    Bool,
    Date,
    DateTime,
    /// `enumeration` + `checkbox`: several values joined with `;`.
    MultiSelect,
    /// `enumeration` + `select`: one value.
    Select,
}

impl Kind {
    const GENERATED: [Kind; 7] = [
        Kind::Text,
        Kind::Number,
        Kind::Bool,
        Kind::Date,
        Kind::DateTime,
        Kind::MultiSelect,
        Kind::Select,
    ];

    fn type_and_field(self) -> (&'static str, &'static str) {
        match self {
            Kind::Text => ("string", "text"),
            Kind::Number => ("number", "number"),
            Kind::Bool => ("bool", "booleancheckbox"),
            Kind::Date => ("date", "date"),
            Kind::DateTime => ("datetime", "date"),
            Kind::MultiSelect => ("enumeration", "checkbox"),
            Kind::Select => ("enumeration", "select"),
        }
    }

    fn word(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Bool => "flag",
            Kind::Date => "day",
            Kind::DateTime => "moment",
            Kind::MultiSelect => "tags",
            Kind::Select => "choice",
        }
    }
}

/// The built-in properties of each standard type, with their kinds.
fn builtin(t: ObjectType) -> &'static [(&'static str, Kind)] {
    match t {
        ObjectType::Contacts => &[
            ("firstname", Kind::Text),
            ("lastname", Kind::Text),
            ("email", Kind::Text),
            ("phone", Kind::Text),
            ("company", Kind::Text),
            ("createdate", Kind::DateTime),
            ("lastmodifieddate", Kind::DateTime),
            ("hs_object_id", Kind::Number),
            ("hs_email_optout", Kind::Bool),
            ("num_associated_deals", Kind::Number),
        ],
        ObjectType::Companies => &[
            ("name", Kind::Text),
            ("domain", Kind::Text),
            ("industry", Kind::Select),
            ("city", Kind::Text),
            ("createdate", Kind::DateTime),
            ("hs_lastmodifieddate", Kind::DateTime),
            ("hs_object_id", Kind::Number),
            ("numberofemployees", Kind::Number),
        ],
        ObjectType::Deals => &[
            ("dealname", Kind::Text),
            ("amount", Kind::Number),
            ("closedate", Kind::DateTime),
            ("pipeline", Kind::Select),
            ("dealstage", Kind::Select),
            ("createdate", Kind::DateTime),
            ("hs_lastmodifieddate", Kind::DateTime),
            ("hs_object_id", Kind::Number),
            ("hs_is_closed", Kind::Bool),
        ],
    }
}

/// Every property a standard type defines: the built-in ones, then `extra` generated
/// ones (`jx_<word>_custom_field_<n>`) cycling through every kind.
pub(crate) fn properties(t: ObjectType, extra: usize) -> Vec<(String, Kind)> {
    builtin(t)
        .iter()
        .map(|(name, kind)| (name.to_string(), *kind))
        .chain((0..extra).map(|i| {
            let kind = Kind::GENERATED[i % Kind::GENERATED.len()];
            (format!("jx_{}_custom_field_{i:03}", kind.word()), kind)
        }))
        .collect()
}

/// Is `name` one of the generated properties?
pub(crate) fn is_generated(name: &str) -> bool {
    name.starts_with("jx_")
}

/// A property definition as `GET /crm/properties/2026-09/{type}` returns it.
pub(crate) fn definition(name: &str, kind: Kind, group: &str) -> Value {
    let (type_, field_type) = kind.type_and_field();
    let options: Vec<Value> = match kind {
        Kind::MultiSelect => ["alpha", "beta", "gamma"]
            .iter()
            .enumerate()
            .map(|(i, v)| json!({"label": v.to_uppercase(), "value": v, "hidden": false, "displayOrder": i}))
            .collect(),
        Kind::Select => (0..4)
            .map(|i| json!({"label": format!("Option {i}"), "value": format!("opt_{i}"), "hidden": false, "displayOrder": i}))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "name": name, "label": name.replace('_', " "), "type": type_, "fieldType": field_type,
        "groupName": group, "description": "", "options": options, "hidden": false,
        "calculated": false, "hasUniqueValue": false, "hubspotDefined": !is_generated(name),
        "formField": true, "displayOrder": -1,
        "modificationMetadata": {"archivable": true, "readOnlyDefinition": false, "readOnlyValue": false}
    })
}

fn mix(id: &str, salt: u64) -> u64 {
    // FNV-1a over the id, then a SplitMix64 finish: stable and cheap.
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for b in id.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

/// The value a record holds for the generated property number `index` (its name's
/// number), as HubSpot sends it: a string, or `None` (defined, no value: served as
/// null). About one property in eight has a value.
pub(crate) fn generated_value(record_id: &str, index: usize, kind: Kind) -> Option<String> {
    let h = mix(record_id, index as u64);
    if !h.is_multiple_of(8) {
        return None;
    }
    let r = h >> 8;
    let day = |r: u64| format!("2025-{:02}-{:02}", 1 + r % 12, 1 + (r >> 4) % 28);
    Some(match kind {
        Kind::Text => format!("note {} for {record_id}", r % 1000),
        // HubSpot sends an empty string for a cleared number now and then.
        Kind::Number if r.is_multiple_of(11) => String::new(),
        Kind::Number => format!("{}.{:02}", r % 100_000, (r >> 20) % 100),
        Kind::Bool => r.is_multiple_of(2).to_string(),
        Kind::Date => day(r),
        Kind::DateTime => format!(
            "{}T{:02}:{:02}:00.000Z",
            day(r),
            (r >> 9) % 24,
            (r >> 14) % 60
        ),
        Kind::MultiSelect => {
            ["alpha", "beta;gamma", "alpha;beta;gamma", ""][(r % 4) as usize].into()
        }
        Kind::Select => format!("opt_{}", r % 4),
    })
}

/// The number in a generated property's name (`jx_tags_custom_field_012` → 12).
pub(crate) fn generated_index(name: &str) -> Option<usize> {
    name.rsplit('_').next()?.parse().ok()
}

/// The custom object type of the fake portal (Enterprise portals have such).
pub(crate) const CUSTOM_TYPE_ID: &str = "2-9000001";
pub(crate) const CUSTOM_NAME: &str = "pets";

pub(crate) fn custom_properties() -> Vec<(String, Kind)> {
    [
        ("pet_name", Kind::Text),
        ("weight_kg", Kind::Number),
        ("vaccinated", Kind::Bool),
        ("adopted_on", Kind::Date),
        ("hs_object_id", Kind::Number),
        ("hs_createdate", Kind::DateTime),
        ("hs_lastmodifieddate", Kind::DateTime),
    ]
    .iter()
    .map(|(n, k)| (n.to_string(), *k))
    .collect()
}

/// The custom object's schema, as `GET /crm-object-schemas/2026-09/schemas` lists it.
pub(crate) fn custom_schema(portal_id: u64) -> Value {
    let properties: Vec<Value> = custom_properties()
        .iter()
        .map(|(n, k)| definition(n, *k, "pet_information"))
        .collect();
    json!({
        "id": "9000001", "objectTypeId": CUSTOM_TYPE_ID, "name": CUSTOM_NAME,
        "fullyQualifiedName": format!("p{portal_id}_{CUSTOM_NAME}"),
        "labels": {"singular": "Pet", "plural": "Pets"},
        "primaryDisplayProperty": "pet_name", "requiredProperties": ["pet_name"],
        "searchableProperties": ["pet_name"], "secondaryDisplayProperties": ["weight_kg"],
        "properties": properties,
        "associations": [{"id": "900", "fromObjectTypeId": CUSTOM_TYPE_ID, "toObjectTypeId": "0-1", "name": "pet_to_contact"}],
        "allowsSensitiveProperties": false, "archived": false,
        "createdAt": "2025-06-01T09:00:00.000Z", "updatedAt": "2025-06-01T09:00:00.000Z"
    })
}

/// Who is associated with whom: `(from, to)` → from id → to ids (both directions held).
pub(crate) type Associations = BTreeMap<(ObjectType, ObjectType), BTreeMap<String, Vec<String>>>;

/// The associations of the live records: contact `i` with company `i mod n` and with
/// the first company (so that one company has every contact, enough to need paging),
/// deal `j` with contact `j mod n` and company `j mod n`.
pub(crate) fn associations(records: &BTreeMap<ObjectType, Vec<Value>>) -> Associations {
    let live = |t: ObjectType| -> Vec<String> {
        records
            .get(&t)
            .map(|list| {
                list.iter()
                    .filter(|r| r["archived"] != true)
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (contacts, companies, deals) = (
        live(ObjectType::Contacts),
        live(ObjectType::Companies),
        live(ObjectType::Deals),
    );
    let mut out = Associations::new();
    let mut link = |a: ObjectType, a_id: &str, b: ObjectType, b_id: &str| {
        for (from, from_id, to, to_id) in [(a, a_id, b, b_id), (b, b_id, a, a_id)] {
            let list = out
                .entry((from, to))
                .or_default()
                .entry(from_id.to_string())
                .or_default();
            // Listed once per pair, whatever the number of labels.
            if !list.iter().any(|id| id == to_id) {
                list.push(to_id.to_string());
            }
        }
    };
    if !companies.is_empty() {
        for (i, contact) in contacts.iter().enumerate() {
            link(
                ObjectType::Contacts,
                contact,
                ObjectType::Companies,
                &companies[i % companies.len()],
            );
            link(
                ObjectType::Contacts,
                contact,
                ObjectType::Companies,
                &companies[0],
            );
        }
    }
    for (j, deal) in deals.iter().enumerate() {
        if !contacts.is_empty() {
            link(
                ObjectType::Deals,
                deal,
                ObjectType::Contacts,
                &contacts[j % contacts.len()],
            );
        }
        if !companies.is_empty() {
            link(
                ObjectType::Deals,
                deal,
                ObjectType::Companies,
                &companies[j % companies.len()],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_are_stable_and_sparse() {
        let props = properties(ObjectType::Contacts, 480);
        assert_eq!(props.len(), 490);
        let names: usize = props.iter().map(|(n, _)| n.len() + 1).sum();
        assert!(names > 8192, "all names in a URL would pass 8 KB: {names}");
        let with_value = (0..480)
            .filter(|i| generated_value("100001", *i, Kind::Text).is_some())
            .count();
        assert!((20..120).contains(&with_value), "{with_value}");
        assert_eq!(
            generated_value("100001", 7, Kind::Number),
            generated_value("100001", 7, Kind::Number)
        );
        assert_eq!(generated_index("jx_tags_custom_field_012"), Some(12));
    }
}
