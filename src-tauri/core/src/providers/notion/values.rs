//! Notion property values as typed JSON, per property type (notion-airtable-2026 N10).
//!
//! A value is `{id, type, <type>: value}`; what Junction keeps is the `<type>` part,
//! typed:
//!
//! | type | Junction JSON |
//! |---|---|
//! | `title`, `rich_text` | the plain text (segments' `plain_text` joined) |
//! | `number` | number or null |
//! | `select`, `status` | the option name or null |
//! | `multi_select` | `[names]` |
//! | `date` | `{start, end}` (`end` null when absent; `time_zone` only when set) or null |
//! | `checkbox` | boolean |
//! | `people` | `[{id, name, email}]` (users may be partial: null name/email) |
//! | `created_by`, `last_edited_by` | `{id, name, email}` |
//! | `relation` | `[ids]` |
//! | `files` | `[{name, url}]` |
//! | `url`, `email`, `phone_number`, `created_time`, `last_edited_time` | string or null |
//! | `formula` | its result: string, number, boolean, date, or null (unsupported) |
//! | `rollup` | number, date, or the array's values typed the same way; null otherwise |
//! | `unique_id` | `"PREFIX-N"`, or N without a prefix |
//! | `verification` | its state (`verified`, `expired`, `unverified`) |
//! | `button` | null (it holds no value) |
//! | anything else (`place`, types added later) | the raw JSON |
//!
//! Pure and panic-free: any JSON maps to some value.

use serde_json::{json, Map, Value};

/// The typed value of one property value object (`{id, type, <type>: …}`); null when it
/// has no type, the raw object when its type names no key.
pub fn property_value(prop: &Value) -> Value {
    let Some(kind) = prop.get("type").and_then(Value::as_str) else {
        return Value::Null;
    };
    match prop.get(kind) {
        Some(v) => typed(kind, v),
        None => Value::Null,
    }
}

/// The typed value of `v`, the `<type>` part of a property of type `kind`.
pub fn typed(kind: &str, v: &Value) -> Value {
    match kind {
        "title" | "rich_text" => match v.as_array() {
            Some(segments) => Value::String(plain_text(segments)),
            None => Value::Null,
        },
        "number" => number(v),
        "select" | "status" => option_name(v),
        "multi_select" => list(v, option_name),
        "date" => date(v),
        "checkbox" => v.as_bool().map_or(Value::Null, Value::Bool),
        "people" => list(v, user),
        "created_by" | "last_edited_by" => user(v),
        "relation" => list(v, |r| text(r.get("id"))),
        "files" => list(v, file),
        "url" | "email" | "phone_number" | "created_time" | "last_edited_time" => text(Some(v)),
        "formula" => formula(v),
        "rollup" => rollup(v),
        "unique_id" => unique_id(v),
        "verification" => text(v.get("state")),
        "button" => Value::Null,
        // `place` and any type added later: kept as Notion sent it.
        _ => v.clone(),
    }
}

/// The `plain_text` of rich-text segments, joined (`plain_text`, not `text.content`:
/// mentions and equations have no `text`).
pub fn plain_text(segments: &[Value]) -> String {
    segments
        .iter()
        .filter_map(|s| s.get("plain_text")?.as_str())
        .collect()
}

fn text(v: Option<&Value>) -> Value {
    match v {
        Some(Value::String(s)) => Value::String(s.clone()),
        _ => Value::Null,
    }
}

fn number(v: &Value) -> Value {
    match v {
        Value::Number(_) => v.clone(),
        _ => Value::Null,
    }
}

/// Each element mapped; nulls from elements that are not what they should be are kept
/// out (a list holds values only). Not an array: null.
fn list(v: &Value, each: impl Fn(&Value) -> Value) -> Value {
    match v.as_array() {
        Some(items) => Value::Array(items.iter().map(each).filter(|x| !x.is_null()).collect()),
        None => Value::Null,
    }
}

fn option_name(v: &Value) -> Value {
    text(v.get("name"))
}

/// `{start, end}`, plus `time_zone` when Notion gives one (the times are then local to
/// it, so dropping it would change what they mean).
fn date(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return Value::Null;
    };
    let mut out = Map::new();
    out.insert("start".into(), text(obj.get("start")));
    out.insert("end".into(), text(obj.get("end")));
    if let zone @ Value::String(_) = text(obj.get("time_zone")) {
        out.insert("time_zone".into(), zone);
    }
    Value::Object(out)
}

/// `{id, name, email}` of a user (person or bot) or a group; partial users carry only
/// the id, so name and email may be null.
fn user(u: &Value) -> Value {
    if !u.is_object() {
        return Value::Null;
    }
    json!({
        "id": text(u.get("id")),
        "name": text(u.get("name")),
        "email": text(u.get("person").and_then(|p| p.get("email"))),
    })
}

/// `{name, url}`: a Notion-hosted file's URL (it expires) or an external one.
fn file(f: &Value) -> Value {
    if !f.is_object() {
        return Value::Null;
    }
    let url = ["file", "external"]
        .iter()
        .find_map(|k| f.get(*k)?.get("url")?.as_str())
        .map_or(Value::Null, |u| Value::String(u.to_string()));
    json!({"name": text(f.get("name")), "url": url})
}

/// A formula's result: `{type: string|number|boolean|date, <type>: value}`.
fn formula(v: &Value) -> Value {
    let inner = v.get("type").and_then(Value::as_str).unwrap_or_default();
    let value = v.get(inner).unwrap_or(&Value::Null);
    match inner {
        "string" => text(Some(value)),
        "number" => number(value),
        "boolean" => value.as_bool().map_or(Value::Null, Value::Bool),
        "date" => date(value),
        // `unsupported` (and anything unknown) has no value to show.
        _ => Value::Null,
    }
}

/// A rollup's value: a number, a date, or an array of property values (each typed as
/// its own type says). `incomplete` and `unsupported` have none.
fn rollup(v: &Value) -> Value {
    let inner = v.get("type").and_then(Value::as_str).unwrap_or_default();
    let value = v.get(inner).unwrap_or(&Value::Null);
    match inner {
        "number" => number(value),
        "date" => date(value),
        "array" => match value.as_array() {
            Some(items) => Value::Array(items.iter().map(property_value).collect()),
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// `"PREFIX-N"`, or N when the property has no prefix; null without a number.
fn unique_id(v: &Value) -> Value {
    let n = match v.get("number") {
        Some(Value::Number(n)) => n,
        _ => return Value::Null,
    };
    match v.get("prefix").and_then(Value::as_str).filter(|p| !p.is_empty()) {
        Some(prefix) => Value::String(format!("{prefix}-{n}")),
        None => Value::Number(n.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: Value) -> Value {
        property_value(&v)
    }

    #[test]
    fn values_are_typed() {
        assert_eq!(p(json!({"type":"number","number":3.25})), json!(3.25));
        assert_eq!(p(json!({"type":"number","number":null})), Value::Null);
        assert_eq!(p(json!({"type":"checkbox","checkbox":false})), json!(false));
        assert_eq!(p(json!({"type":"select","select":null})), Value::Null);
        assert_eq!(
            p(json!({"type":"multi_select","multi_select":[{"name":"a"},{"name":"b"}]})),
            json!(["a", "b"])
        );
        assert_eq!(
            p(json!({"type":"date","date":{"start":"2024-01-01","end":null,"time_zone":null}})),
            json!({"start": "2024-01-01", "end": null})
        );
        assert_eq!(
            p(json!({"type":"date","date":{"start":"2024-01-01T09:00:00.000","end":null,"time_zone":"Europe/Paris"}})),
            json!({"start": "2024-01-01T09:00:00.000", "end": null, "time_zone": "Europe/Paris"})
        );
        assert_eq!(
            p(json!({"type":"formula","formula":{"type":"boolean","boolean":true}})),
            json!(true)
        );
        assert_eq!(
            p(json!({"type":"formula","formula":{"type":"unsupported","unsupported":{}}})),
            Value::Null
        );
        assert_eq!(
            p(json!({"type":"rollup","rollup":{"type":"array","array":[{"type":"number","number":1},{"type":"title","title":[{"plain_text":"x"}]}],"function":"show_original"}})),
            json!([1, "x"])
        );
        assert_eq!(
            p(json!({"type":"unique_id","unique_id":{"prefix":"T","number":7}})),
            json!("T-7")
        );
        assert_eq!(
            p(json!({"type":"unique_id","unique_id":{"prefix":null,"number":7}})),
            json!(7)
        );
        assert_eq!(
            p(json!({"type":"people","people":[{"object":"user","id":"u1"}]})),
            json!([{"id": "u1", "name": null, "email": null}])
        );
        assert_eq!(
            p(json!({"type":"title","title":[]})),
            json!(""),
            "empty rich text is the empty string"
        );
        assert_eq!(
            p(json!({"type":"place","place":{"lat":1.5,"lon":2}})),
            json!({"lat": 1.5, "lon": 2})
        );
        assert_eq!(p(json!({"type":"button","button":{}})), Value::Null);
        assert_eq!(p(json!({"type":"future_kind","future_kind":[1]})), json!([1]));
        assert_eq!(p(json!({"id":"x"})), Value::Null);
    }
}
