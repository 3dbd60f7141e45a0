//! Reads a page of HubSpot records with their empty properties left out as they are
//! parsed.
//!
//! A portal has hundreds of properties and a record fills few of them, yet HubSpot
//! answers every requested name, mostly with `null`. Parsed into a `serde_json::Value`,
//! a page of 100 records × 490 names is 49,000 map entries, each inserted into a sorted
//! map, then dropped: that, not the network, was most of the client's time in the load
//! bench. Here a null property never becomes an entry (its name is not even copied when
//! the body needs no unescaping). Everything else is the same `Value` a plain parse
//! gives, so the mapping reads it as before; any other shape parses as plain JSON and
//! meets the same shape checks.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// Where in a records page the parser is: what each level expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `{"results": [...], "paging": ...}`
    Body,
    /// `[record, ...]`
    Results,
    /// `{"id": ..., "properties": {...}, ...}`
    Record,
    /// `{"name": value, ...}`: nulls are dropped.
    Properties,
    /// Anything else: plain JSON.
    Plain,
}

impl Level {
    /// The level of the value under `key` in a map at this level.
    fn below(self, key: &str) -> Level {
        match (self, key) {
            (Level::Body, "results") => Level::Results,
            (Level::Record, "properties") => Level::Properties,
            _ => Level::Plain,
        }
    }
}

/// Parses a records page (list, batch read or schemas) as JSON, leaving out the null
/// values of each record's `properties`.
pub fn parse_page(body: &[u8]) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = Level::Body.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

impl<'de> DeserializeSeed<'de> for Level {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        if self == Level::Plain {
            return Value::deserialize(de);
        }
        de.deserialize_any(self)
    }
}

/// A map key, borrowed from the body when it needs no unescaping.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        de.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for Level {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self == Level::Results {
            // Not the list it should be: plain JSON, which the shape check refuses.
            return Value::deserialize(MapAccessDeserializer::new(map));
        }
        let mut out = Map::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let value = map.next_value_seed(self.below(&key))?;
            if self == Level::Properties && value.is_null() {
                continue;
            }
            out.insert(key.into_owned(), value);
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self != Level::Results {
            return Value::deserialize(SeqAccessDeserializer::new(seq));
        }
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element_seed(Level::Record)? {
            out.push(record);
        }
        Ok(Value::Array(out))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_only_the_null_properties_of_records() {
        let body = json!({
            "results": [
                {"id": "1", "properties": {"a": "x", "b": null, "c\u{e9}": "y"}, "archived": false,
                 "extra": {"b": null}},
                {"id": "2", "properties": null},
                7,
                {"id": "3", "properties": [{"name": "p", "x": null}]}
            ],
            "paging": {"next": {"after": "2", "none": null}}
        });
        let text = serde_json::to_vec(&body).unwrap();
        let parsed = parse_page(&text).unwrap();
        let mut expected = body.clone();
        expected["results"][0]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("b");
        assert_eq!(parsed, expected);
    }

    #[test]
    fn other_shapes_parse_as_plain_json() {
        for body in [
            json!([1, 2]),
            json!({"results": {"id": "1"}}),
            json!("text"),
            json!(null),
            json!({"results": [[null]], "n": 1.5}),
        ] {
            let text = serde_json::to_vec(&body).unwrap();
            assert_eq!(parse_page(&text).unwrap(), body, "{body}");
        }
    }

    #[test]
    fn escaped_keys_and_bad_json() {
        let parsed = parse_page(br#"{"results":[{"properties":{"a\"b":"1","n":null}}]}"#).unwrap();
        assert_eq!(parsed, json!({"results": [{"properties": {"a\"b": "1"}}]}));
        assert!(parse_page(br#"{"results": [}"#).is_err());
        assert!(parse_page(br#"{} trailing"#).is_err());
    }
}
