//! `IntegrationItem`: one loaded thing (a contact, a base, a page …).
//!
//! Field names are the original backend's (see shared/docs/origin.md) plus `provider`
//! and `properties`. Every field is always written, `null` when unknown, so exports
//! have one shape whatever the provider.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ProviderId;

/// Every field of an exported item, in order (JSON key order and CSV columns).
pub const FIELDS: [&str; 16] = [
    "id",
    "type",
    "directory",
    "parent_path_or_name",
    "parent_id",
    "name",
    "creation_time",
    "last_modified_time",
    "url",
    "children",
    "mime_type",
    "delta",
    "drive_id",
    "visibility",
    "provider",
    "properties",
];

/// One item, as exported. Field order here is the CSV column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationItem {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    pub directory: bool,
    pub parent_path_or_name: Option<String>,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    #[serde(with = "rfc3339_opt")]
    pub creation_time: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_opt")]
    pub last_modified_time: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub children: Option<Vec<String>>,
    pub mime_type: Option<String>,
    pub delta: Option<String>,
    pub drive_id: Option<String>,
    pub visibility: Option<bool>,
    pub provider: ProviderId,
    /// The record's own values as display strings (new in Junction).
    pub properties: BTreeMap<String, String>,
}

impl IntegrationItem {
    /// An item with the original defaults (`directory: false`, `visibility: true`).
    pub fn new(provider: ProviderId, item_type: &str, id: impl Into<String>) -> Self {
        IntegrationItem {
            id: Some(id.into()),
            item_type: Some(item_type.to_string()),
            directory: false,
            parent_path_or_name: None,
            parent_id: None,
            name: None,
            creation_time: None,
            last_modified_time: None,
            url: None,
            children: None,
            mime_type: None,
            delta: None,
            drive_id: None,
            visibility: Some(true),
            provider,
            properties: BTreeMap::new(),
        }
    }

    /// The row identity: provider + type + id (HubSpot ids repeat across object types).
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.provider,
            self.item_type.as_deref().unwrap_or(""),
            self.id.as_deref().unwrap_or("")
        )
    }
}

/// Parses a provider timestamp (RFC 3339 with any offset) into UTC; `None` when absent
/// or unreadable, so one odd value never fails a whole load.
pub fn parse_time(value: Option<&str>) -> Option<DateTime<Utc>> {
    let text = value?.trim();
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// RFC 3339 in UTC with a `Z`, milliseconds only when present.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

mod rfc3339_opt {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => s.serialize_str(&format_time(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => DateTime::parse_from_rfc3339(&t)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_written_and_round_trips() {
        let mut item = IntegrationItem::new(ProviderId::Notion, "Page", "abc");
        item.creation_time = parse_time(Some("2024-03-01T10:00:00.000+02:00"));
        item.properties.insert("Status".into(), "Done".into());
        let json = serde_json::to_value(&item).unwrap();
        let obj = json.as_object().unwrap();
        for field in FIELDS {
            assert!(obj.contains_key(field), "{field} missing");
        }
        assert_eq!(obj.len(), 16);
        assert_eq!(json["creation_time"], "2024-03-01T08:00:00Z");
        assert_eq!(json["last_modified_time"], serde_json::Value::Null);
        assert_eq!(json["provider"], "notion");
        let back: IntegrationItem = serde_json::from_value(json).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn keys_separate_types_with_the_same_id() {
        let a = IntegrationItem::new(ProviderId::Hubspot, "Contact", "1");
        let b = IntegrationItem::new(ProviderId::Hubspot, "Company", "1");
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key(), "hubspot:Contact:1");
    }

    #[test]
    fn unreadable_times_are_none() {
        assert_eq!(parse_time(Some("yesterday")), None);
        assert_eq!(parse_time(None), None);
        assert!(parse_time(Some("2024-01-01T00:00:00Z")).is_some());
    }
}
