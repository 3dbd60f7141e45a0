//! Airtable bases, tables and records → items.
//!
//! Three endpoints (providers.md §2): `GET /v0/meta/bases` → `{bases, offset?}`,
//! `GET /v0/meta/bases/{base}/tables` → `{tables}`, `GET /v0/{base}/{table}` →
//! `{records:[{id, createdTime, fields}], offset?}`. Empty cell values are omitted by
//! Airtable, so `fields` can be `{}`. Ids are Airtable's own (no `_Base` suffix as in the
//! original backend).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::providers::json::{
    expect_array, expect_object, id_text, join_list, put, scalar_text, str_field, Page,
};
use crate::item::parse_time;
use crate::{Error, IntegrationItem, ProviderId};

/// Records per page: Airtable's maximum.
pub const RECORDS_PAGE_SIZE: u32 = 100;
/// The bases list endpoint.
pub const BASES_ENDPOINT: &str = "/v0/meta/bases";

/// A base, as the engine needs it to fetch and name its tables.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BaseInfo {
    pub id: String,
    pub name: Option<String>,
    pub permission_level: Option<String>,
}

/// A table, with what records need: its name and the name of its primary field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableInfo {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub primary_field_id: Option<String>,
    /// The primary field's name: records come keyed by field name.
    pub primary_field_name: Option<String>,
}

/// One page of the bases list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BasesPage {
    pub bases: Vec<BaseInfo>,
    pub offset: Option<String>,
    pub skipped: usize,
}

/// `/v0/meta/bases/{base}/tables`.
pub fn tables_endpoint(base_id: &str) -> String {
    format!("/v0/meta/bases/{base_id}/tables")
}

/// `/v0/{base}/{table}`.
pub fn records_endpoint(base_id: &str, table_id: &str) -> String {
    format!("/v0/{base_id}/{table_id}")
}

/// Query of one records request.
pub fn records_query(offset: Option<&str>) -> Vec<(&'static str, String)> {
    let mut q = vec![("pageSize", RECORDS_PAGE_SIZE.to_string())];
    if let Some(offset) = offset {
        q.push(("offset", offset.to_string()));
    }
    q
}

/// Parses a bases page.
pub fn parse_bases_page(body: &Value) -> Result<BasesPage, Error> {
    let obj = expect_object(ProviderId::Airtable, BASES_ENDPOINT, body)?;
    let list = expect_array(ProviderId::Airtable, BASES_ENDPOINT, obj, "bases")?;
    let mut page = BasesPage {
        offset: id_text(obj.get("offset")),
        ..BasesPage::default()
    };
    for base in list {
        match id_text(base.get("id")) {
            Some(id) => page.bases.push(BaseInfo {
                id,
                name: str_field(base, "name").map(str::to_string),
                permission_level: str_field(base, "permissionLevel").map(str::to_string),
            }),
            None => page.skipped += 1,
        }
    }
    Ok(page)
}

/// Parses a base's tables; tables without an id are dropped.
pub fn parse_tables(base_id: &str, body: &Value) -> Result<Vec<TableInfo>, Error> {
    let endpoint = tables_endpoint(base_id);
    let obj = expect_object(ProviderId::Airtable, &endpoint, body)?;
    let list = expect_array(ProviderId::Airtable, &endpoint, obj, "tables")?;
    Ok(list
        .iter()
        .filter_map(|table| {
            let id = id_text(table.get("id"))?;
            let primary_field_id = str_field(table, "primaryFieldId").map(str::to_string);
            let primary_field_name = primary_field_id.as_deref().and_then(|pid| {
                let fields = table.get("fields")?.as_array()?;
                let field = fields
                    .iter()
                    .find(|f| f.get("id").and_then(Value::as_str) == Some(pid))?;
                str_field(field, "name").map(str::to_string)
            });
            Some(TableInfo {
                id,
                name: str_field(table, "name").map(str::to_string),
                description: str_field(table, "description").map(str::to_string),
                primary_field_id,
                primary_field_name,
            })
        })
        .collect())
}

/// A base as an item: a directory of its tables (`children` filled by [`link_children`]).
pub fn base_item(base: &BaseInfo) -> IntegrationItem {
    let mut item = IntegrationItem::new(ProviderId::Airtable, "Base", base.id.clone());
    item.directory = true;
    item.name = base.name.clone();
    item.url = Some(format!("https://airtable.com/{}", base.id));
    put(
        &mut item.properties,
        "permissionLevel",
        base.permission_level.clone(),
    );
    item
}

/// A table as an item: a directory of its records, under its base.
pub fn table_item(base: &BaseInfo, table: &TableInfo) -> IntegrationItem {
    let mut item = IntegrationItem::new(ProviderId::Airtable, "Table", table.id.clone());
    item.directory = true;
    item.name = table.name.clone();
    item.parent_id = Some(base.id.clone());
    item.parent_path_or_name = base.name.clone();
    item.url = Some(format!("https://airtable.com/{}/{}", base.id, table.id));
    put(
        &mut item.properties,
        "description",
        table.description.clone(),
    );
    put(
        &mut item.properties,
        "primaryField",
        table.primary_field_name.clone(),
    );
    item
}

/// Maps one records page of `table` in `base`.
pub fn parse_records_page(base: &BaseInfo, table: &TableInfo, body: &Value) -> Result<Page, Error> {
    let endpoint = records_endpoint(&base.id, &table.id);
    let obj = expect_object(ProviderId::Airtable, &endpoint, body)?;
    let records = expect_array(ProviderId::Airtable, &endpoint, obj, "records")?;
    let mut page = Page {
        next: id_text(obj.get("offset")),
        ..Page::default()
    };
    for record in records {
        match map_record(base, table, record) {
            Some(item) => page.items.push(item),
            None => page.skipped += 1,
        }
    }
    Ok(page)
}

/// Maps one record; `None` when it has no id.
pub fn map_record(base: &BaseInfo, table: &TableInfo, record: &Value) -> Option<IntegrationItem> {
    let id = id_text(record.get("id"))?;
    let mut item = IntegrationItem::new(ProviderId::Airtable, "Record", id.clone());
    let fields = record.get("fields").and_then(Value::as_object);
    item.properties = fields.map(field_texts).unwrap_or_default();
    // Records come keyed by field name; with returnFieldsByFieldId they are keyed by id.
    item.name = [
        table.primary_field_name.as_deref(),
        table.primary_field_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|key| item.properties.get(key).and_then(|v| v.as_str().map(String::from)));
    item.parent_id = Some(table.id.clone());
    item.parent_path_or_name = match (&base.name, &table.name) {
        (Some(b), Some(t)) => Some(format!("{b}/{t}")),
        (Some(b), None) => Some(format!("{b}/{}", table.id)),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
    };
    item.creation_time = parse_time(str_field(record, "createdTime"));
    item.url = Some(format!(
        "https://airtable.com/{}/{}/{id}",
        base.id, table.id
    ));
    Some(item)
}

/// Every field as display text.
fn field_texts(fields: &Map<String, Value>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (key, value) in fields {
        put(&mut out, key, cell_text(value));
    }
    out
}

/// A cell value as display text: numbers as written, lists joined with ", ",
/// collaborators / attachments / linked records by their name or filename, other objects
/// by the first of their readable keys (buttons' label, barcodes' text, AI text's value,
/// formula errors' `error`).
pub fn cell_text(value: &Value) -> Option<String> {
    match value {
        Value::Array(list) => join_list(list.iter().filter_map(cell_text)),
        Value::Object(obj) => [
            "name",
            "filename",
            "label",
            "text",
            "value",
            "email",
            "specialValue",
            "error",
            "url",
            "id",
        ]
        .iter()
        .find_map(|k| obj.get(*k).filter(|v| !v.is_object()).and_then(cell_text)),
        other => scalar_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_display_like_airtable() {
        assert_eq!(cell_text(&json!(1.5)), Some("1.5".into()));
        assert_eq!(cell_text(&json!(true)), Some("true".into()));
        assert_eq!(cell_text(&json!(["a", "b"])), Some("a, b".into()));
        assert_eq!(
            cell_text(&json!([{"id": "usr1", "email": "a@b.c", "name": "Ada"}])),
            Some("Ada".into())
        );
        assert_eq!(
            cell_text(&json!([{"id": "att1", "url": "u", "filename": "f.png"}])),
            Some("f.png".into())
        );
        assert_eq!(
            cell_text(&json!({"specialValue": "NaN"})),
            Some("NaN".into())
        );
        assert_eq!(cell_text(&json!([])), None);
        assert_eq!(cell_text(&json!({"nested": {"name": "x"}})), None);
    }
}
