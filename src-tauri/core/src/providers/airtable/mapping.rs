//! Airtable bases, tables and records → items.
//!
//! Three endpoints (providers.md §2): `GET /v0/meta/bases` → `{bases, offset?}`,
//! `GET /v0/meta/bases/{base}/tables` → `{tables}`, `GET /v0/{base}/{table}` →
//! `{records:[{id, createdTime, fields}], offset?}`. Empty cell values are omitted by
//! Airtable, so `fields` can be `{}`. Ids are Airtable's own (no `_Base` suffix as in the
//! original backend).

use serde_json::Value;

use crate::item::{parse_time, RowTable};
use crate::providers::json::{
    expect_array, expect_object, id_text, join_list, put, scalar_text, str_field, Page,
};
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

/// A table, with what records need: its name, the name of its primary field, and its
/// fields' types.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableInfo {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub primary_field_id: Option<String>,
    /// The primary field's name: records come keyed by field name.
    pub primary_field_name: Option<String>,
    /// The schema's fields (resume points written before typed cells have none: their
    /// cells keep Airtable's JSON as it came).
    #[serde(default)]
    pub fields: Vec<FieldInfo>,
}

/// One field of a table's schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldInfo {
    pub id: String,
    pub name: String,
    /// Airtable's field type (`singleLineText`, `multipleRecordLinks`, …).
    pub kind: String,
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
            let fields = table
                .get("fields")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|f| {
                            Some(FieldInfo {
                                id: str_field(f, "id")?.to_string(),
                                name: str_field(f, "name")?.to_string(),
                                kind: str_field(f, "type").unwrap_or_default().to_string(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(TableInfo {
                id,
                name: str_field(table, "name").map(str::to_string),
                description: str_field(table, "description").map(str::to_string),
                primary_field_id,
                primary_field_name,
                fields,
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

/// The primary-field text of records loaded so far, by record id: what a linked
/// record is called. `None` when the record is not loaded (yet) or has no name.
pub type LinkNames<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Names no linked record.
pub fn no_link_names(_: &str) -> Option<String> {
    None
}

/// Maps one records page of `table` in `base`.
pub fn parse_records_page(
    base: &BaseInfo,
    table: &TableInfo,
    body: &Value,
    names: LinkNames<'_>,
) -> Result<Page, Error> {
    let endpoint = records_endpoint(&base.id, &table.id);
    let obj = expect_object(ProviderId::Airtable, &endpoint, body)?;
    let records = expect_array(ProviderId::Airtable, &endpoint, obj, "records")?;
    let mut page = Page {
        next: id_text(obj.get("offset")),
        ..Page::default()
    };
    for record in records {
        match map_record(base, table, record, names) {
            Some(item) => page.items.push(item),
            None => page.skipped += 1,
        }
    }
    Ok(page)
}

/// "Base / Table": the name of a table's rows in the typed SQLite export.
pub fn row_table(base: &BaseInfo, table: &TableInfo) -> RowTable {
    let table_name = table.name.clone().unwrap_or_else(|| table.id.clone());
    RowTable {
        id: table.id.clone(),
        name: match &base.name {
            Some(b) => format!("{b} / {table_name}"),
            None => table_name,
        },
    }
}

/// Maps one record; `None` when it has no id. Cells are typed by the schema
/// ([`typed_cell`]); a checkbox Airtable left out (it never sends `false`) is `false`.
pub fn map_record(
    base: &BaseInfo,
    table: &TableInfo,
    record: &Value,
    names: LinkNames<'_>,
) -> Option<IntegrationItem> {
    let id = id_text(record.get("id"))?;
    let mut item = IntegrationItem::new(ProviderId::Airtable, "Record", id.clone());
    let fields = record.get("fields").and_then(Value::as_object);
    // Records come keyed by field name; with returnFieldsByFieldId they are keyed by id.
    let field_of = |key: &str| table.fields.iter().find(|f| f.name == key || f.id == key);
    if let Some(fields) = fields {
        for (key, value) in fields {
            let kind = field_of(key).map_or("", |f| f.kind.as_str());
            item.properties
                .insert(key.clone(), typed_cell(kind, value, names));
        }
        item.name = [
            table.primary_field_name.as_deref(),
            table.primary_field_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find_map(|key| fields.get(key).and_then(cell_text))
        .filter(|n| !n.is_empty());
    }
    for field in table.fields.iter().filter(|f| f.kind == "checkbox") {
        if !item.properties.contains_key(&field.name) && !item.properties.contains_key(&field.id) {
            item.properties.insert(field.name.clone(), Value::Bool(false));
        }
    }
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
    item.table = Some(row_table(base, table));
    Some(item)
}

/// A cell as Junction keeps it, by its field type (the research notes' field model):
///
/// - linked records → `[{id, name}]`, the name from `names` (null until that record
///   is loaded);
/// - attachments → `[{id, url, filename, size, type}]`;
/// - collaborators (and created/modified by) → `{id, email, name}`, or a list of them;
/// - lookups → the list of their values, rollups too (one value becomes a list of one);
/// - formula, rollup and lookup errors → `{"error": "#ERROR!"}`; `{"specialValue":
///   "NaN"}` (0/0) and `"Infinity"` become `{"error": "NaN"}` and `{"error":
///   "Infinity"}`: they are no number JSON can hold;
/// - every other type (and a type Airtable adds later) as Airtable sent it.
pub fn typed_cell(kind: &str, value: &Value, names: LinkNames<'_>) -> Value {
    match kind {
        "multipleRecordLinks" => Value::Array(
            as_list(value)
                .iter()
                .filter_map(|link| {
                    let id = match link {
                        Value::String(s) => s.clone(),
                        Value::Object(o) => id_text(o.get("id"))?,
                        _ => return None,
                    };
                    let name = names(&id).map_or(Value::Null, Value::String);
                    Some(serde_json::json!({"id": id, "name": name}))
                })
                .collect(),
        ),
        "multipleAttachments" => Value::Array(
            as_list(value)
                .iter()
                .map(|a| pick(a, &["id", "url", "filename", "size", "type"]))
                .collect(),
        ),
        "singleCollaborator" | "createdBy" | "lastModifiedBy" => collaborator(value),
        "multipleCollaborators" => Value::Array(as_list(value).iter().map(collaborator).collect()),
        "multipleLookupValues" | "lookup" | "rollup" => {
            Value::Array(as_list(value).iter().map(error_marked).collect())
        }
        "formula" => match value {
            Value::Array(list) => Value::Array(list.iter().map(error_marked).collect()),
            other => error_marked(other),
        },
        _ => value.clone(),
    }
}

/// A value that may be a list, as a list.
fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// `{id, email, name}` of a collaborator (a user, or a group without an email).
fn collaborator(value: &Value) -> Value {
    pick(value, &["id", "email", "name"])
}

/// The object with exactly `keys` (null where absent); anything else as it came.
fn pick(value: &Value, keys: &[&str]) -> Value {
    let Value::Object(obj) = value else {
        return value.clone();
    };
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), obj.get(*k).cloned().unwrap_or(Value::Null)))
            .collect(),
    )
}

/// Formula errors in one form: `{"error": …}`.
fn error_marked(value: &Value) -> Value {
    let Value::Object(obj) = value else {
        return value.clone();
    };
    match obj.get("error").or_else(|| obj.get("specialValue")) {
        Some(e) if obj.len() == 1 => serde_json::json!({ "error": e }),
        _ => value.clone(),
    }
}

/// Fills the names of linked records that were not loaded when `item` was mapped;
/// `true` when one was filled (the item is worth sending again).
pub fn fill_link_names(item: &mut IntegrationItem, names: LinkNames<'_>) -> bool {
    let mut filled = false;
    for value in item.properties.values_mut() {
        let Value::Array(list) = value else { continue };
        for link in list {
            let Value::Object(obj) = link else { continue };
            if obj.len() != 2 || obj.get("name") != Some(&Value::Null) {
                continue;
            }
            let Some(id) = obj.get("id").and_then(Value::as_str).filter(|id| id.starts_with("rec")) else {
                continue;
            };
            if let Some(name) = names(id) {
                obj.insert("name".into(), Value::String(name));
                filled = true;
            }
        }
    }
    filled
}

/// Does `item` link to a record whose name is not known yet?
pub fn has_unnamed_links(item: &IntegrationItem) -> bool {
    item.properties.values().any(|v| {
        v.as_array().is_some_and(|list| {
            list.iter().any(|l| {
                l.as_object().is_some_and(|o| {
                    o.len() == 2
                        && o.get("name") == Some(&Value::Null)
                        && o.get("id").and_then(Value::as_str).is_some_and(|id| id.starts_with("rec"))
                })
            })
        })
    })
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
