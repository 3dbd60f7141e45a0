//! HubSpot property definitions and the typed values they give.
//!
//! `GET /crm/properties/2026-09/{type}` answers `{results: [{name, type, fieldType, …}]}`
//! (no paging). Record values always arrive as strings (or null); the definition says
//! what a string means:
//!
//! | `type` / `fieldType`        | value              | JSON                         |
//! |-----------------------------|--------------------|------------------------------|
//! | `number`                    | `"1500.00"`        | `1500.0` (`"3"` → `3`)       |
//! | `bool`                      | `"true"`           | `true`                       |
//! | `date`                      | `"2026-03-31"`     | `"2026-03-31"`               |
//! | `datetime`                  | ISO, or epoch ms   | RFC 3339 text                |
//! | `enumeration` + `checkbox`  | `"a;b"`            | `["a", "b"]`                 |
//! | anything else               | text               | the text                     |
//!
//! An empty string is "no value" (null) for numbers, booleans and dates, and an empty
//! list for a multi-select; text keeps it, since HubSpot returned it. A string that does
//! not read as its type stays a string: nothing is dropped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Number, Value};

use crate::providers::json::{expect_array, expect_object, str_field};
use crate::{Error, ProviderId};

/// What a property's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PropertyKind {
    Number,
    Bool,
    Date,
    DateTime,
    /// `enumeration` with `fieldType` `checkbox`: several values joined by `;`.
    MultiSelect,
    /// Strings, phone numbers, single selects, and any type not known here.
    Text,
}

impl PropertyKind {
    /// From a definition's `type` and `fieldType`.
    pub fn of(type_: &str, field_type: &str) -> PropertyKind {
        match (type_, field_type) {
            ("number", _) => PropertyKind::Number,
            ("bool", _) => PropertyKind::Bool,
            ("date", _) => PropertyKind::Date,
            ("datetime", _) => PropertyKind::DateTime,
            ("enumeration", "checkbox") => PropertyKind::MultiSelect,
            _ => PropertyKind::Text,
        }
    }
}

/// A type's properties: name → kind, in name order.
pub type Definitions = BTreeMap<String, PropertyKind>;

/// Reads a properties answer (`{results: [...]}`); definitions without a name are
/// skipped.
pub fn parse_definitions(endpoint: &str, body: &Value) -> Result<Definitions, Error> {
    let obj = expect_object(ProviderId::Hubspot, endpoint, body)?;
    let list = expect_array(ProviderId::Hubspot, endpoint, obj, "results")?;
    Ok(definitions_of(list))
}

/// Definitions from a list of property objects (also a custom schema's `properties`).
pub fn definitions_of(list: &[Value]) -> Definitions {
    list.iter()
        .filter_map(|p| {
            let name = str_field(p, "name")?;
            let kind = PropertyKind::of(
                str_field(p, "type").unwrap_or_default(),
                str_field(p, "fieldType").unwrap_or_default(),
            );
            Some((name.to_string(), kind))
        })
        .collect()
}

/// The typed value of one property as HubSpot sent it; `None` for "no value" (null).
pub fn typed(kind: PropertyKind, value: &Value) -> Option<Value> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.as_str(),
        // Not what HubSpot sends; kept as it came rather than guessed at.
        other => return Some(other.clone()),
    };
    let trimmed = text.trim();
    let as_text = || Some(Value::String(text.to_string()));
    match kind {
        PropertyKind::Text => as_text(),
        _ if trimmed.is_empty() && kind != PropertyKind::MultiSelect => None,
        PropertyKind::Number => number(trimmed).or_else(as_text),
        PropertyKind::Bool => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => as_text(),
        },
        PropertyKind::Date => match epoch_millis(trimmed) {
            Some(t) => Some(Value::String(t.format("%Y-%m-%d").to_string())),
            None => as_text(),
        },
        PropertyKind::DateTime => match epoch_millis(trimmed) {
            Some(t) => Some(Value::String(crate::item::format_time(&t))),
            None => as_text(),
        },
        PropertyKind::MultiSelect => Some(Value::Array(
            trimmed
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        )),
    }
}

/// `"3"` → 3, `"1500.00"` → 1500.0; `None` for text that is not a finite number.
fn number(text: &str) -> Option<Value> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::Number(n.into()));
    }
    let f = text.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Number::from_f64(f).map(Value::Number)
}

/// Older portals send dates as epoch milliseconds.
fn epoch_millis(text: &str) -> Option<DateTime<Utc>> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp_millis(text.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_their_definitions() {
        use PropertyKind::*;
        assert_eq!(typed(Number, &json!("3")), Some(json!(3)));
        assert_eq!(typed(Number, &json!("1500.00")), Some(json!(1500.0)));
        assert_eq!(typed(Number, &json!("")), None);
        assert_eq!(typed(Number, &json!("n/a")), Some(json!("n/a")));
        assert_eq!(typed(Bool, &json!("TRUE")), Some(json!(true)));
        assert_eq!(typed(Date, &json!("1767225600000")), Some(json!("2026-01-01")));
        assert_eq!(
            typed(DateTime, &json!("1767225600123")),
            Some(json!("2026-01-01T00:00:00.123Z"))
        );
        assert_eq!(
            typed(DateTime, &json!("2026-03-31T12:34:56.789Z")),
            Some(json!("2026-03-31T12:34:56.789Z"))
        );
        assert_eq!(typed(MultiSelect, &json!("a;b; ;c")), Some(json!(["a", "b", "c"])));
        assert_eq!(typed(MultiSelect, &json!("")), Some(json!([])));
        assert_eq!(typed(Text, &json!("")), Some(json!("")));
        assert_eq!(typed(Text, &Value::Null), None);
        assert_eq!(typed(Number, &json!(12)), Some(json!(12)));
    }

    #[test]
    fn definitions_read_type_and_field_type() {
        let body = json!({"results": [
            {"name": "amount", "type": "number", "fieldType": "number"},
            {"name": "tags", "type": "enumeration", "fieldType": "checkbox"},
            {"name": "stage", "type": "enumeration", "fieldType": "select"},
            {"type": "string"},
        ]});
        let defs = parse_definitions("/crm/properties/2026-09/deals", &body).unwrap();
        assert_eq!(defs.len(), 3);
        assert_eq!(defs["tags"], PropertyKind::MultiSelect);
        assert_eq!(defs["stage"], PropertyKind::Text);
        assert!(parse_definitions("/x", &json!({"results": 3})).is_err());
    }
}
