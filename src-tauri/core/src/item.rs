//! `IntegrationItem`: one loaded thing (a contact, a base, a page …).
//!
//! Field names are the original backend's (see shared/docs/origin.md) plus `provider`,
//! `properties` and `associations`. Every field is always written, `null` when unknown,
//! so exports have one shape whatever the provider.
//!
//! `properties` holds the record's own values as typed JSON, as the provider means
//! them (numbers, booleans, strings, arrays, objects, null): never all turned into text.

use std::collections::BTreeMap;

use serde_json::Value;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ProviderId;

/// Every field of an exported item, in order (JSON key order and CSV columns).
pub const FIELDS: [&str; 17] = [
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
    "associations",
];

/// A record's links to other records, by the other object type ("companies",
/// "deals"): their ids, in the provider's order.
pub type Associations = BTreeMap<String, Vec<String>>;

/// One item, as exported. Field order here is the CSV column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct IntegrationItem {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub item_type: Option<String>,
    pub directory: bool,
    pub parent_path_or_name: Option<String>,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    #[serde(with = "rfc3339_opt")]
    #[specta(type = Option<String>)]
    pub creation_time: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_opt")]
    #[specta(type = Option<String>)]
    pub last_modified_time: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub children: Option<Vec<String>>,
    pub mime_type: Option<String>,
    pub delta: Option<String>,
    pub drive_id: Option<String>,
    pub visibility: Option<bool>,
    pub provider: ProviderId,
    /// The record's own values, typed (new in Junction).
    #[specta(type = BTreeMap<String, JsonValue>)]
    pub properties: BTreeMap<String, Value>,
    /// Ids of the records this one is associated with, per object type (HubSpot's
    /// contacts ↔ companies ↔ deals); `null` for providers without associations.
    #[serde(default)]
    pub associations: Option<Associations>,
    /// The provider table this item is a row of, when it is one; not an exported field
    /// (the SQLite export makes a typed table of each).
    #[serde(skip)]
    #[specta(skip)]
    pub table: Option<RowTable>,
}

/// What a property value is, as the UI receives it: any JSON, its numbers JavaScript
/// numbers. It only describes `serde_json::Value` to the IPC contract.
#[derive(Serialize, specta::Type)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<JsonValue>),
    Map(BTreeMap<String, JsonValue>),
}

/// A provider's table of like records: a HubSpot object type, an Airtable table, a
/// Notion data source. Its rows share a schema, so the SQLite export gives each one a
/// table with a typed column per property.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowTable {
    /// Stable within the provider account (`contacts`, `tbl…`, a data source id).
    pub id: String,
    /// What people call it ("Contacts", "Base / Table", "Database / Data source").
    pub name: String,
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
            associations: None,
            table: None,
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

/// An item as the store keeps it: its text fields as they are, and its two JSON parts
/// (`children`, `properties`) already encoded. Exports write it without decoding.
#[derive(Debug, Clone, Copy)]
pub struct ItemRecord<'a> {
    pub id: Option<&'a str>,
    pub item_type: Option<&'a str>,
    pub directory: bool,
    pub parent_path_or_name: Option<&'a str>,
    pub parent_id: Option<&'a str>,
    pub name: Option<&'a str>,
    /// RFC 3339, as [`format_time`] writes it.
    pub creation_time: Option<&'a str>,
    pub last_modified_time: Option<&'a str>,
    pub url: Option<&'a str>,
    /// A JSON array of ids, or `None`.
    pub children: Option<&'a str>,
    pub mime_type: Option<&'a str>,
    pub delta: Option<&'a str>,
    pub drive_id: Option<&'a str>,
    pub visibility: Option<bool>,
    pub provider: &'a str,
    /// A JSON object.
    pub properties: &'a str,
    /// A JSON object of id lists, or `None`.
    pub associations: Option<&'a str>,
    /// The provider table it is a row of: id and name.
    pub table: Option<(&'a str, &'a str)>,
}

/// The encoded parts of an item, to view it as an [`ItemRecord`].
#[derive(Default)]
pub struct RecordScratch {
    created: String,
    modified: String,
    children: Option<String>,
    properties: String,
    associations: Option<String>,
}

impl IntegrationItem {
    /// This item as a record; `scratch` holds what had to be encoded.
    pub fn record<'a>(&'a self, scratch: &'a mut RecordScratch) -> ItemRecord<'a> {
        scratch.created.clear();
        scratch.modified.clear();
        if let Some(t) = &self.creation_time {
            write_time(&mut scratch.created, t);
        }
        if let Some(t) = &self.last_modified_time {
            write_time(&mut scratch.modified, t);
        }
        scratch.children = self
            .children
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_else(|_| "[]".into()));
        scratch.properties =
            serde_json::to_string(&self.properties).unwrap_or_else(|_| "{}".into());
        scratch.associations = self
            .associations
            .as_ref()
            .map(|a| serde_json::to_string(a).unwrap_or_else(|_| "{}".into()));
        ItemRecord {
            id: self.id.as_deref(),
            item_type: self.item_type.as_deref(),
            directory: self.directory,
            parent_path_or_name: self.parent_path_or_name.as_deref(),
            parent_id: self.parent_id.as_deref(),
            name: self.name.as_deref(),
            creation_time: self.creation_time.map(|_| scratch.created.as_str()),
            last_modified_time: self.last_modified_time.map(|_| scratch.modified.as_str()),
            url: self.url.as_deref(),
            children: scratch.children.as_deref(),
            mime_type: self.mime_type.as_deref(),
            delta: self.delta.as_deref(),
            drive_id: self.drive_id.as_deref(),
            visibility: self.visibility,
            provider: self.provider.as_str(),
            properties: &scratch.properties,
            associations: scratch.associations.as_deref(),
            table: self
                .table
                .as_ref()
                .map(|t| (t.id.as_str(), t.name.as_str())),
        }
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

/// RFC 3339 in UTC with a `Z`, and 0, 3, 6 or 9 fraction digits (as many as the time
/// needs). The one spelling of a time in Junction's output.
pub fn format_time(t: &DateTime<Utc>) -> String {
    let mut out = String::with_capacity(24);
    write_time(&mut out, t);
    out
}

/// [`format_time`] into a reused buffer.
pub fn write_time(out: &mut String, t: &DateTime<Utc>) {
    use chrono::format::{Fixed, Item, Numeric, Pad};
    use std::fmt::Write as _;
    const RFC3339_UTC: &[Item<'static>] = &[
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
        Item::Literal("T"),
        Item::Numeric(Numeric::Hour, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Minute, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Second, Pad::Zero),
        Item::Fixed(Fixed::Nanosecond),
        Item::Literal("Z"),
    ];
    // Writing into a String cannot fail.
    let _ = write!(out, "{}", t.format_with_items(RFC3339_UTC.iter()));
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
        item.properties
            .insert("Amount".into(), serde_json::json!(1500.5));
        item.properties.insert(
            "Tags".into(),
            serde_json::json!(["a", {"id": 1}, null, true]),
        );
        item.associations = Some([("deals".to_string(), vec!["7".to_string()])].into());
        let json = serde_json::to_value(&item).unwrap();
        let obj = json.as_object().unwrap();
        for field in FIELDS {
            assert!(obj.contains_key(field), "{field} missing");
        }
        assert_eq!(obj.len(), FIELDS.len());
        assert_eq!(json["properties"]["Amount"], 1500.5);
        assert_eq!(json["associations"]["deals"][0], "7");
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
    fn times_are_spelled_as_rfc3339_does() {
        use chrono::{SecondsFormat, TimeZone};
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut times = vec![
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap(),
            // A leap second.
            chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        ];
        for _ in 0..20_000 {
            let secs = (next() % 8_000_000_000) as i64 - 1_000_000_000;
            let nanos = match next() % 4 {
                0 => 0,
                1 => (next() % 1000) as u32 * 1_000_000,
                2 => (next() % 1_000_000) as u32 * 1_000,
                _ => (next() % 1_000_000_000) as u32,
            };
            times.push(Utc.timestamp_opt(secs, nanos).unwrap());
        }
        let mut buf = String::new();
        for t in &times {
            buf.clear();
            write_time(&mut buf, t);
            assert_eq!(buf, t.to_rfc3339_opts(SecondsFormat::AutoSi, true), "{t:?}");
        }
    }

    #[test]
    fn unreadable_times_are_none() {
        assert_eq!(parse_time(Some("yesterday")), None);
        assert_eq!(parse_time(None), None);
        assert!(parse_time(Some("2024-01-01T00:00:00Z")).is_some());
    }
}
