//! Notion objects (2025-09-03 and later) → items, and the list responses that carry
//! them (notion-airtable-2026 N2–N10).
//!
//! - **Pages** (`Page`): name = the title property (whatever its key), parent = its
//!   page, block, data source or database, properties typed by [`super::values`]. A
//!   row is a page whose parent is a data source.
//! - **Databases** (`Database`, `GET /v1/databases/{id}`): the container; `children`
//!   are its data sources.
//! - **Data sources** (`Data source`): parent = their database.
//!
//! Lists are `{object:"list", results, next_cursor, has_more}`: continue with
//! `start_cursor = next_cursor` while `has_more` is true. Results may be partial
//! (`{object:"page", id}`); trashed objects say `in_trash` (2026-03-11 has no
//! `archived`, and this never reads it).

use serde_json::{json, Value};

use super::values::{plain_text, property_value};
use crate::item::parse_time;
use crate::providers::json::{expect_array, expect_object, id_text, str_field};
use crate::{Error, IntegrationItem, ProviderId};

/// Results per page of every list: Notion's maximum.
pub const PAGE_SIZE: u32 = 100;
/// The search endpoint.
pub const SEARCH_ENDPOINT: &str = "/v1/search";
/// Item types.
pub const PAGE: &str = "Page";
pub const DATABASE: &str = "Database";
pub const DATA_SOURCE: &str = "Data source";

/// References a page object holds of one relation; past it `has_more` is true.
pub const PAGE_REFERENCES: usize = 25;

/// The JSON body of one search request.
pub fn search_body(start_cursor: Option<&str>) -> Value {
    let mut body = json!({ "page_size": PAGE_SIZE });
    if let Some(cursor) = start_cursor {
        body["start_cursor"] = Value::String(cursor.to_string());
    }
    body
}

/// The body of one data source query: oldest rows first, so that a query cut at
/// Notion's 10,000 rows can go on from the last `created_time` it returned
/// (`window_start`: `created_time on_or_after`).
pub fn query_body(start_cursor: Option<&str>, window_start: Option<&str>) -> Value {
    let mut body = json!({
        "page_size": PAGE_SIZE,
        "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
    });
    if let Some(start) = window_start {
        body["filter"] =
            json!({"timestamp": "created_time", "created_time": {"on_or_after": start}});
    }
    if let Some(cursor) = start_cursor {
        body["start_cursor"] = Value::String(cursor.to_string());
    }
    body
}

pub fn database_endpoint(id: &str) -> String {
    format!("/v1/databases/{id}")
}
pub fn data_source_endpoint(id: &str) -> String {
    format!("/v1/data_sources/{id}")
}
pub fn query_endpoint(id: &str) -> String {
    format!("/v1/data_sources/{id}/query")
}
pub fn children_endpoint(id: &str) -> String {
    format!("/v1/blocks/{id}/children")
}
pub fn page_endpoint(id: &str) -> String {
    format!("/v1/pages/{id}")
}
pub fn property_endpoint(page: &str, property: &str) -> String {
    format!("/v1/pages/{page}/properties/{property}")
}

/// A relation a page object cut at 25 references: completed through the page
/// property endpoint.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Truncated {
    /// The property's key in `properties` (its name).
    pub name: String,
    /// Its id, URL-encoded as Notion gives it.
    pub id: String,
}

/// A page as read, and what the load still has to do for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRead {
    pub item: IntegrationItem,
    /// The data source it is a row of, and that source's database.
    pub row_of: Option<(String, Option<String>)>,
    /// Only `{object, id}` came: read it again for the rest.
    pub partial: bool,
    pub in_trash: bool,
    /// Relations past 25 references.
    pub truncated: Vec<Truncated>,
}

/// A data source as read (a search result or `GET /v1/data_sources/{id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct DataSourceRead {
    pub id: String,
    pub name: Option<String>,
    /// Its database (`parent.database_id`); `None` for a partial result.
    pub database_id: Option<String>,
    pub in_trash: bool,
    /// The item, `children` not yet known.
    pub item: IntegrationItem,
}

/// A database as `GET /v1/databases/{id}` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseRead {
    /// The item; `children` = its data sources' ids.
    pub item: IntegrationItem,
    /// Its data sources: id and name.
    pub data_sources: Vec<(String, Option<String>)>,
    pub in_trash: bool,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    pub pages: Vec<PageRead>,
    pub data_sources: Vec<DataSourceRead>,
    pub next: Option<String>,
    /// Results that are neither a page nor a data source with an id.
    pub skipped: usize,
}

/// One page of a data source query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryPage {
    pub rows: Vec<PageRead>,
    pub next: Option<String>,
    /// `request_status: incomplete`: the query hit Notion's row cap.
    pub incomplete: bool,
    /// The `created_time` of the last result, as Notion wrote it.
    pub last_created: Option<String>,
    pub skipped: usize,
}

/// One page of a block's children, sorted by what the walk does with them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChildrenPage {
    /// `child_page` blocks: their id is the page's.
    pub pages: Vec<String>,
    /// `child_database` blocks: their id is the database's (not a data source's).
    pub databases: Vec<String>,
    /// Other blocks with children (toggles, columns, synced blocks…): listed in turn.
    pub containers: Vec<String>,
    pub next: Option<String>,
    pub skipped: usize,
}

/// One page of a relation's references (the page property endpoint).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelationPage {
    pub ids: Vec<String>,
    pub next: Option<String>,
}

/// The cursor of a list page: set only while `has_more` is true and a cursor came
/// with it (a `has_more` without a cursor would loop forever, so it ends the list).
fn next_cursor(obj: &serde_json::Map<String, Value>) -> Option<String> {
    if obj.get("has_more").and_then(Value::as_bool) == Some(true) {
        id_text(obj.get("next_cursor"))
    } else {
        None
    }
}

/// Maps one search page.
pub fn parse_search_page(body: &Value) -> Result<SearchPage, Error> {
    let obj = expect_object(ProviderId::Notion, SEARCH_ENDPOINT, body)?;
    let results = expect_array(ProviderId::Notion, SEARCH_ENDPOINT, obj, "results")?;
    let mut page = SearchPage {
        next: next_cursor(obj),
        ..SearchPage::default()
    };
    for result in results {
        match result.get("object").and_then(Value::as_str) {
            Some("page") => match read_page(result) {
                Some(p) => page.pages.push(p),
                None => page.skipped += 1,
            },
            Some("data_source") => match read_data_source(result) {
                Some(s) => page.data_sources.push(s),
                None => page.skipped += 1,
            },
            _ => page.skipped += 1,
        }
    }
    Ok(page)
}

/// Maps one page of `POST /v1/data_sources/{id}/query` (results that are not pages,
/// such as a wiki's nested data sources, are skipped).
pub fn parse_query_page(data_source: &str, body: &Value) -> Result<QueryPage, Error> {
    let endpoint = query_endpoint(data_source);
    let obj = expect_object(ProviderId::Notion, &endpoint, body)?;
    let results = expect_array(ProviderId::Notion, &endpoint, obj, "results")?;
    let mut page = QueryPage {
        next: next_cursor(obj),
        incomplete: obj
            .get("request_status")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("incomplete"),
        ..QueryPage::default()
    };
    for result in results {
        match read_page(result).filter(|_| result["object"] == "page") {
            Some(row) => {
                if let Some(t) = str_field(result, "created_time") {
                    page.last_created = Some(t.to_string());
                }
                page.rows.push(row);
            }
            None => page.skipped += 1,
        }
    }
    Ok(page)
}

/// Maps one page of `GET /v1/blocks/{id}/children`.
pub fn parse_children_page(block: &str, body: &Value) -> Result<ChildrenPage, Error> {
    let endpoint = children_endpoint(block);
    let obj = expect_object(ProviderId::Notion, &endpoint, body)?;
    let results = expect_array(ProviderId::Notion, &endpoint, obj, "results")?;
    let mut page = ChildrenPage {
        next: next_cursor(obj),
        ..ChildrenPage::default()
    };
    for b in results {
        let Some(id) = id_text(b.get("id")) else {
            page.skipped += 1;
            continue;
        };
        if b.get("in_trash").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        match b.get("type").and_then(Value::as_str) {
            Some("child_page") => page.pages.push(id),
            Some("child_database") => page.databases.push(id),
            // Tables hold rows of cells, never pages.
            Some("table" | "table_row") => {}
            // Everything else (toggles, columns, synced blocks, `meeting_notes` and
            // the old `transcription`, `unsupported`, types added later) is walked
            // when it says it has children.
            _ if b.get("has_children").and_then(Value::as_bool) == Some(true) => {
                page.containers.push(id)
            }
            _ => {}
        }
    }
    Ok(page)
}

/// Maps one page of `GET /v1/pages/{page}/properties/{relation}`: the related page
/// ids of its property items.
pub fn parse_relation_page(endpoint: &str, body: &Value) -> Result<RelationPage, Error> {
    let obj = expect_object(ProviderId::Notion, endpoint, body)?;
    let results = expect_array(ProviderId::Notion, endpoint, obj, "results")?;
    Ok(RelationPage {
        ids: results
            .iter()
            .filter_map(|r| id_text(r.get("relation")?.get("id")))
            .collect(),
        next: next_cursor(obj),
    })
}

/// A page (`object: "page"` with an id), mapped; `None` otherwise.
pub fn read_page(page: &Value) -> Option<PageRead> {
    if page.get("object").and_then(Value::as_str) != Some("page") {
        return None;
    }
    let id = id_text(page.get("id"))?;
    let mut item = IntegrationItem::new(ProviderId::Notion, PAGE, id);
    let parent = page.get("parent");
    item.parent_id = parent.and_then(parent_id);
    item.creation_time = parse_time(str_field(page, "created_time"));
    item.last_modified_time = parse_time(str_field(page, "last_edited_time"));
    item.url = str_field(page, "url").map(str::to_string);
    // Archived (2026, not trashed): loaded, but not shown as visible.
    if page.get("is_archived").and_then(Value::as_bool) == Some(true) {
        item.visibility = Some(false);
    }
    let mut truncated = Vec::new();
    if let Some(Value::Object(props)) = page.get("properties") {
        for (key, prop) in props {
            if prop.get("type").and_then(Value::as_str) == Some("title") && item.name.is_none()
            {
                item.name = prop
                    .get("title")
                    .and_then(Value::as_array)
                    .map(|t| plain_text(t))
                    .filter(|t| !t.is_empty());
            }
            if prop.get("type").and_then(Value::as_str) == Some("relation")
                && prop.get("has_more").and_then(Value::as_bool) == Some(true)
            {
                if let Some(id) = id_text(prop.get("id")) {
                    truncated.push(Truncated {
                        name: key.clone(),
                        id,
                    });
                }
            }
            item.properties.insert(key.clone(), property_value(prop));
        }
    }
    let row_of = parent
        .filter(|p| p.get("type").and_then(Value::as_str) == Some("data_source_id"))
        .and_then(|p| {
            Some((
                id_text(p.get("data_source_id"))?,
                id_text(p.get("database_id")),
            ))
        });
    Some(PageRead {
        item,
        row_of,
        partial: parent.is_none() && page.get("properties").is_none(),
        in_trash: in_trash(page),
        truncated,
    })
}

/// A data source object, mapped; `None` without an id.
pub fn read_data_source(v: &Value) -> Option<DataSourceRead> {
    if v.get("object").and_then(Value::as_str) != Some("data_source") {
        return None;
    }
    let id = id_text(v.get("id"))?;
    let name = rich_text(v.get("title"));
    let database_id = v
        .get("parent")
        .and_then(|p| id_text(p.get("database_id")));
    let mut item = IntegrationItem::new(ProviderId::Notion, DATA_SOURCE, id.clone());
    item.directory = true;
    item.name = name.clone();
    item.parent_id = database_id.clone();
    item.creation_time = parse_time(str_field(v, "created_time"));
    item.last_modified_time = parse_time(str_field(v, "last_edited_time"));
    item.url = str_field(v, "url").map(str::to_string);
    describe(&mut item, v);
    Some(DataSourceRead {
        id,
        name,
        database_id,
        in_trash: in_trash(v),
        item,
    })
}

/// The data source item known only from its database's `data_sources` list.
pub fn listed_data_source(id: &str, name: Option<&str>, database: &str) -> IntegrationItem {
    let mut item = IntegrationItem::new(ProviderId::Notion, DATA_SOURCE, id);
    item.directory = true;
    item.name = name.filter(|n| !n.is_empty()).map(str::to_string);
    item.parent_id = Some(database.to_string());
    item
}

/// A database object (`GET /v1/databases/{id}`), mapped; `None` when the body is no
/// database with an id.
pub fn read_database(v: &Value) -> Option<DatabaseRead> {
    if v.get("object").and_then(Value::as_str) != Some("database") {
        return None;
    }
    let id = id_text(v.get("id"))?;
    let mut item = IntegrationItem::new(ProviderId::Notion, DATABASE, id);
    item.directory = true;
    item.name = rich_text(v.get("title"));
    item.parent_id = v.get("parent").and_then(parent_id);
    item.creation_time = parse_time(str_field(v, "created_time"));
    item.last_modified_time = parse_time(str_field(v, "last_edited_time"));
    item.url = str_field(v, "url").map(str::to_string);
    describe(&mut item, v);
    let data_sources: Vec<(String, Option<String>)> = v
        .get("data_sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                id_text(s.get("id"))?,
                str_field(s, "name").map(str::to_string),
            ))
        })
        .collect();
    item.children = Some(data_sources.iter().map(|(id, _)| id.clone()).collect());
    Some(DatabaseRead {
        item,
        data_sources,
        in_trash: in_trash(v),
    })
}

/// A database's or data source's description: the one piece of content it carries
/// (its `properties` are a schema, not values).
fn describe(item: &mut IntegrationItem, v: &Value) {
    if let Some(text) = rich_text(v.get("description")) {
        item.properties
            .insert("description".into(), Value::String(text));
    }
}

fn in_trash(v: &Value) -> bool {
    v.get("in_trash").and_then(Value::as_bool) == Some(true)
}

/// The parent's id: `page_id`, `block_id`, `data_source_id` or `database_id`; the
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

/// The plain text of a rich-text array; `None` when empty.
pub fn rich_text(v: Option<&Value>) -> Option<String> {
    let text = plain_text(v?.as_array()?);
    (!text.is_empty()).then_some(text)
}

/// What rows show as their parent, and what their provider table is called: "Database
/// / Data source", or the database's name alone when it has one data source.
pub fn row_label(database: Option<&str>, source: Option<&str>, sources: usize) -> String {
    match (database, source) {
        (Some(db), _) if sources <= 1 => db.to_string(),
        (Some(db), Some(ds)) => format!("{db} / {ds}"),
        (Some(db), None) => db.to_string(),
        (None, Some(ds)) => ds.to_string(),
        (None, None) => "Untitled".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_stop_when_has_more_is_false_even_with_a_cursor() {
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

    #[test]
    fn labels() {
        assert_eq!(row_label(Some("Tasks"), Some("Active"), 1), "Tasks");
        assert_eq!(row_label(Some("Tasks"), Some("Active"), 2), "Tasks / Active");
        assert_eq!(row_label(None, Some("Active"), 2), "Active");
    }

    #[test]
    fn query_bodies_sort_oldest_first_and_window_by_created_time() {
        assert_eq!(
            query_body(Some("c"), Some("2024-01-01T00:00:00.000Z")),
            json!({"page_size": 100, "start_cursor": "c",
                   "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
                   "filter": {"timestamp": "created_time", "created_time": {"on_or_after": "2024-01-01T00:00:00.000Z"}}})
        );
    }
}
