//! Notion search results (pages, databases, data sources) → items.
//!
//! `POST /v1/search` with `Notion-Version: 2022-06-28` answers
//! `{object:"list", results, next_cursor, has_more}`; continue with
//! `start_cursor = next_cursor` while `has_more` is true. Results may be partial
//! (`{object:"page", id}`); on 2025-09-03+ databases come as `data_source` objects.
//! See providers.md §3.

use serde_json::{json, Value};

use crate::providers::json::{
    expect_array, expect_object, id_text, join_list, put, scalar_text, str_field, Page,
};
use crate::item::parse_time;
use crate::{Error, IntegrationItem, ProviderId};

/// Results per search page: Notion's maximum.
pub const PAGE_SIZE: u32 = 100;
/// The search endpoint.
pub const SEARCH_ENDPOINT: &str = "/v1/search";

/// The JSON body of one search request.
pub fn search_body(start_cursor: Option<&str>) -> Value {
    let mut body = json!({ "page_size": PAGE_SIZE });
    if let Some(cursor) = start_cursor {
        body["start_cursor"] = Value::String(cursor.to_string());
    }
    body
}

/// Maps one search page. `next` is set only while `has_more` is true and a cursor came
/// with it (a `has_more` without a cursor would loop forever, so it ends the walk).
pub fn parse_search_page(body: &Value) -> Result<Page, Error> {
    let obj = expect_object(ProviderId::Notion, SEARCH_ENDPOINT, body)?;
    let results = expect_array(ProviderId::Notion, SEARCH_ENDPOINT, obj, "results")?;
    let mut page = Page::default();
    for result in results {
        match map_result(result) {
            Some(item) => page.items.push(item),
            None => page.skipped += 1,
        }
    }
    if obj.get("has_more").and_then(Value::as_bool) == Some(true) {
        page.next = id_text(obj.get("next_cursor"));
    }
    Ok(page)
}

/// Maps one result; `None` for objects that are not pages/databases or have no id.
pub fn map_result(result: &Value) -> Option<IntegrationItem> {
    let item_type = match result.get("object")?.as_str()? {
        "page" => "Page",
        "database" | "data_source" => "Database",
        _ => return None,
    };
    let id = id_text(result.get("id"))?;
    let mut item = IntegrationItem::new(ProviderId::Notion, item_type, id);
    item.name = if item_type == "Page" {
        page_title(result)
    } else {
        rich_text(result.get("title"))
    };
    item.parent_id = result.get("parent").and_then(parent_id);
    item.creation_time = parse_time(str_field(result, "created_time"));
    item.last_modified_time = parse_time(str_field(result, "last_edited_time"));
    item.url = str_field(result, "url").map(str::to_string);
    if item_type == "Page" {
        if let Some(Value::Object(props)) = result.get("properties") {
            for (key, prop) in props {
                put(&mut item.properties, key, property_text(prop));
            }
        }
    } else {
        // A database's `properties` is its schema, not values; its description is the
        // one piece of content it carries.
        put(
            &mut item.properties,
            "description",
            rich_text(result.get("description")),
        );
    }
    Some(item)
}

/// The page title: the property whose `type` is "title", whatever its key.
fn page_title(page: &Value) -> Option<String> {
    let props = page.get("properties")?.as_object()?;
    let title = props
        .values()
        .find(|p| p.get("type").and_then(Value::as_str) == Some("title"))?;
    rich_text(title.get("title"))
}

/// The parent's id: `page_id`, `database_id`, `block_id` or `data_source_id`; the
/// workspace (and anything unknown) has none.
fn parent_id(parent: &Value) -> Option<String> {
    let kind = parent.get("type").and_then(Value::as_str);
    match kind {
        Some("workspace") => None,
        Some(k) => id_text(parent.get(k)),
        // No `type`: take the first id key present (most specific first).
        None => ["data_source_id", "database_id", "page_id", "block_id"]
            .iter()
            .find_map(|k| id_text(parent.get(*k))),
    }
}

/// Joins the `plain_text` of a rich-text array (`plain_text`, not `text.content`:
/// mentions and equations have no `text`). `None` when empty.
pub fn rich_text(v: Option<&Value>) -> Option<String> {
    let segments = v?.as_array()?;
    let text: String = segments
        .iter()
        .filter_map(|s| s.get("plain_text")?.as_str())
        .collect();
    (!text.is_empty()).then_some(text)
}

/// A page property value as plain text. Multi-valued properties are joined with ", ";
/// dates are "start" or "start → end"; formulas and rollups show their value.
pub fn property_text(prop: &Value) -> Option<String> {
    let kind = prop.get("type")?.as_str()?;
    value_text(kind, prop.get(kind)?)
}

/// The value of a property of type `kind`.
fn value_text(kind: &str, v: &Value) -> Option<String> {
    match kind {
        "title" | "rich_text" => rich_text(Some(v)),
        "select" | "status" => str_field(v, "name").map(str::to_string),
        "multi_select" => join_list(
            v.as_array()?
                .iter()
                .filter_map(|o| str_field(o, "name").map(str::to_string)),
        ),
        "date" => date_text(v),
        "people" => join_list(v.as_array()?.iter().filter_map(user_text)),
        "created_by" | "last_edited_by" => user_text(v),
        "relation" => join_list(v.as_array()?.iter().filter_map(|r| id_text(r.get("id")))),
        "files" => join_list(
            v.as_array()?
                .iter()
                .filter_map(|f| str_field(f, "name").map(str::to_string)),
        ),
        "unique_id" => {
            let number = v.get("number").and_then(scalar_text)?;
            Some(match str_field(v, "prefix") {
                Some(prefix) => format!("{prefix}-{number}"),
                None => number,
            })
        }
        "verification" => str_field(v, "state").map(str::to_string),
        // Formulas and rollups nest a typed value: {type:"number", number: 3}.
        "formula" | "rollup" => {
            let inner = v.get("type")?.as_str()?;
            if inner == "array" {
                join_list(v.get("array")?.as_array()?.iter().filter_map(property_text))
            } else {
                value_text(inner, v.get(inner)?)
            }
        }
        // number, checkbox, url, email, phone_number, created_time, last_edited_time,
        // formula strings and booleans: a scalar as written.
        _ => scalar_text(v).filter(|s| !s.is_empty()),
    }
}

/// "start" or "start → end".
fn date_text(v: &Value) -> Option<String> {
    let start = str_field(v, "start")?;
    Some(match str_field(v, "end") {
        Some(end) => format!("{start} → {end}"),
        None => start.to_string(),
    })
}

/// A user by name, else email, else id (partial users carry only the id).
fn user_text(u: &Value) -> Option<String> {
    str_field(u, "name")
        .or_else(|| u.get("person").and_then(|p| str_field(p, "email")))
        .map(str::to_string)
        .or_else(|| id_text(u.get("id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_values_as_text() {
        let p = |v: Value| property_text(&v);
        assert_eq!(
            p(json!({"type":"number","number":3.25})),
            Some("3.25".into())
        );
        assert_eq!(
            p(json!({"type":"checkbox","checkbox":false})),
            Some("false".into())
        );
        assert_eq!(p(json!({"type":"select","select":null})), None);
        assert_eq!(
            p(json!({"type":"multi_select","multi_select":[{"name":"a"},{"name":"b"}]})),
            Some("a, b".into())
        );
        assert_eq!(
            p(json!({"type":"date","date":{"start":"2024-01-01","end":"2024-01-03"}})),
            Some("2024-01-01 → 2024-01-03".into())
        );
        assert_eq!(
            p(json!({"type":"formula","formula":{"type":"boolean","boolean":true}})),
            Some("true".into())
        );
        assert_eq!(
            p(
                json!({"type":"rollup","rollup":{"type":"array","array":[{"type":"number","number":1},{"type":"number","number":2}]}})
            ),
            Some("1, 2".into())
        );
        assert_eq!(
            p(json!({"type":"unique_id","unique_id":{"prefix":"T","number":7}})),
            Some("T-7".into())
        );
        assert_eq!(
            p(json!({"type":"people","people":[{"object":"user","id":"u1"}]})),
            Some("u1".into())
        );
    }

    #[test]
    fn search_stops_when_has_more_is_false_even_with_a_cursor() {
        let page =
            parse_search_page(&json!({"results": [], "next_cursor": "x", "has_more": false}))
                .unwrap();
        assert_eq!(page.next, None);
        let page = parse_search_page(&json!({"results": [], "next_cursor": "x", "has_more": true}))
            .unwrap();
        assert_eq!(page.next.as_deref(), Some("x"));
        let page =
            parse_search_page(&json!({"results": [], "next_cursor": null, "has_more": true}))
                .unwrap();
        assert_eq!(page.next, None);
    }
}
