//! The fake Notion workspace: pages, databases and their data sources, rows, and the
//! blocks that hold child pages and child databases. Stored in the 2026-03-11 shape;
//! notion.rs derives the older versions' shapes when it serves them.
//!
//! What it models (providers.md §4; notion-airtable-2026 N1–N10):
//! - the first database has two data sources, every other one has one;
//! - search leaves some objects out, as the real one may: every 6th page below another
//!   page, every 3rd database below a page, every 9th row. Objects shared directly
//!   (workspace parents) are always returned, so the block walk can reach the rest;
//! - a page's block children list its child pages (`child_page`, some inside a toggle
//!   whose id is then the page's parent) and child databases (`child_database`);
//! - the first row of the first data source relates to 60 pages: a page object shows 25
//!   and `has_more: true`, the page property endpoint pages through all of them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::config::DataSize;
use super::data::{fixture_list, time, Rng, WORDS};

/// The workspace's one user (created_by, people values).
const USER: &str = "9c8b7a6d-0000-4000-8000-000000000001";
/// References in the long relation.
pub const LONG_RELATION: usize = 60;
/// The long relation's property id, URL-encoded as Notion sends ids ("rel:1").
pub(crate) const RELATION_ID: &str = "rel%3A1";

/// A database: the container, and its data sources.
#[derive(Debug, Clone)]
pub(crate) struct FakeDatabase {
    /// The 2026 database object (`data_sources: [{id, name}]`, no schema).
    pub object: Value,
    pub sources: Vec<FakeSource>,
}

/// A data source: its object (schema included) and its rows, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct FakeSource {
    pub object: Value,
    /// Indices into [`NotionData::pages`], by `created_time`.
    pub rows: Vec<usize>,
}

/// What search lists, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Page(usize),
    /// (database, data source) indices.
    Source(usize, usize),
}

/// Everything the fake Notion serves.
#[derive(Debug, Clone, Default)]
pub(crate) struct NotionData {
    /// Every page, rows included, parents before children.
    pub pages: Vec<Value>,
    pub databases: Vec<FakeDatabase>,
    /// Block children by the bare id of their page or block, in order.
    children: HashMap<String, Vec<Value>>,
    /// What search returns, in order (the objects it leaves out are not here).
    pub search: Vec<Found>,
    /// Pages and databases that search leaves out and nothing it returns leads to
    /// (a database can be reached from a row search returns): only a walk finds them.
    pub walk_only: usize,
    /// Databases search leaves out (all their data sources).
    unsearched_databases: Vec<usize>,
    /// The most references any relation value holds.
    pub longest_relation: usize,
    pages_by_id: HashMap<String, usize>,
    databases_by_id: HashMap<String, usize>,
    sources_by_id: HashMap<String, (usize, usize)>,
    /// Blocks that are neither pages nor databases (toggles, paragraphs).
    blocks: HashSet<String>,
}

/// Notion ids compare without dashes, in lowercase.
pub(crate) fn bare(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl NotionData {
    pub fn page(&self, id: &str) -> Option<&Value> {
        self.pages_by_id.get(&bare(id)).map(|&i| &self.pages[i])
    }

    pub fn database(&self, id: &str) -> Option<&FakeDatabase> {
        self.databases_by_id
            .get(&bare(id))
            .map(|&i| &self.databases[i])
    }

    pub fn source(&self, id: &str) -> Option<(&FakeDatabase, &FakeSource)> {
        let &(d, s) = self.sources_by_id.get(&bare(id))?;
        let db = &self.databases[d];
        Some((db, &db.sources[s]))
    }

    /// The block children of a page, block or database (empty when it has none);
    /// `None` for an id that is no block at all.
    pub fn children(&self, id: &str) -> Option<&[Value]> {
        let key = bare(id);
        let known = self.pages_by_id.contains_key(&key)
            || self.databases_by_id.contains_key(&key)
            || self.blocks.contains(&key);
        if !known {
            return None;
        }
        Some(self.children.get(&key).map_or(&[], Vec::as_slice))
    }

    pub fn data_sources(&self) -> usize {
        self.databases.iter().map(|d| d.sources.len()).sum()
    }

    pub fn rows(&self) -> usize {
        self.databases
            .iter()
            .flat_map(|d| &d.sources)
            .map(|s| s.rows.len())
            .sum()
    }

    /// Adds a page; a row joins its data source (which must exist already).
    fn add_page(&mut self, page: Value, searched: bool) {
        let i = self.pages.len();
        let id = text_of(&page, "id");
        if page["parent"]["type"] == "data_source_id" {
            let source = text_of(&page["parent"], "data_source_id");
            if let Some(&(d, s)) = self.sources_by_id.get(&bare(&source)) {
                self.databases[d].sources[s].rows.push(i);
            }
        } else if !searched {
            self.walk_only += 1;
        }
        for prop in page["properties"].as_object().into_iter().flatten() {
            if let Some(refs) = prop.1.get("relation").and_then(Value::as_array) {
                self.longest_relation = self.longest_relation.max(refs.len());
            }
        }
        if searched {
            self.search.push(Found::Page(i));
        }
        self.pages_by_id.insert(bare(&id), i);
        self.pages.push(page);
    }

    fn add_database(&mut self, db: FakeDatabase, searched: bool) {
        let d = self.databases.len();
        self.databases_by_id
            .insert(bare(&text_of(&db.object, "id")), d);
        for (s, source) in db.sources.iter().enumerate() {
            self.sources_by_id
                .insert(bare(&text_of(&source.object, "id")), (d, s));
            if searched {
                self.search.push(Found::Source(d, s));
            }
        }
        if !searched {
            self.unsearched_databases.push(d);
        }
        self.databases.push(db);
    }

    /// Appends a block to the children of `container` (a page or block id).
    fn add_block(&mut self, container: &str, block: Value) {
        let id = bare(&text_of(&block, "id"));
        if !matches!(
            block["type"].as_str(),
            Some("child_page" | "child_database")
        ) {
            self.blocks.insert(id);
        }
        self.children
            .entry(bare(container))
            .or_default()
            .push(block);
    }

    /// Rows by creation time (stable), `has_children` on the blocks that have some, and
    /// the databases only a walk finds (no row of theirs in search).
    fn finish(&mut self) {
        let searched_pages: HashSet<usize> = self
            .search
            .iter()
            .filter_map(|f| match f {
                Found::Page(i) => Some(*i),
                Found::Source(..) => None,
            })
            .collect();
        for &d in &self.unsearched_databases {
            let reached = self.databases[d]
                .sources
                .iter()
                .flat_map(|s| &s.rows)
                .any(|r| searched_pages.contains(r));
            if !reached {
                self.walk_only += 1;
            }
        }
        let created = |p: &Value| {
            p["created_time"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let pages = &self.pages;
        for source in self.databases.iter_mut().flat_map(|d| &mut d.sources) {
            source.rows.sort_by_key(|&i| created(&pages[i]));
        }
        let with_children: HashSet<String> = self
            .children
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for block in self.children.values_mut().flatten() {
            let id = bare(block["id"].as_str().unwrap_or_default());
            if block["type"] == "child_page" {
                block["has_children"] = with_children.contains(&id).into();
            }
        }
    }
}

pub(crate) fn rich(text: &str) -> Value {
    json!([{"type": "text", "text": {"content": text, "link": null},
            "annotations": {"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
            "plain_text": text, "href": null}])
}

fn user() -> Value {
    json!({"object": "user", "id": USER})
}

fn person() -> Value {
    json!({"object": "user", "id": USER, "name": "Ada Lovelace", "avatar_url": null,
           "type": "person", "person": {"email": "ada@example.com"}})
}

fn url_of(id: &str) -> String {
    format!("https://www.notion.so/{}", bare(id))
}

/// A data source's id, derived from its database's (`second` for a database's second
/// source) so both stay stable.
pub(crate) fn data_source_id(db_id: &str, second: bool) -> String {
    let tail: String = db_id.chars().skip(2).collect();
    format!("{}{tail}", if second { "d6" } else { "d5" })
}

fn block(id: &str, parent: Value, kind: &str, body: Value, has_children: bool, at: &str) -> Value {
    json!({"object": "block", "id": id, "parent": parent, "created_time": at, "last_edited_time": at,
           "created_by": user(), "last_edited_by": user(), "has_children": has_children,
           "in_trash": false, "type": kind, kind: body})
}

fn schema_entry(id: &str, name: &str, kind: &str, settings: Value) -> Value {
    json!({"id": id, "name": name, "description": null, "type": kind, kind: settings})
}

/// The schema every generated data source has (the title under `title_key`), with a
/// relation to `related` = (database id, data source id) on the first one.
fn schema(title_key: &str, related: Option<(&str, &str)>) -> Value {
    let options = |names: &[&str]| {
        json!({"options": names.iter().enumerate()
            .map(|(i, n)| json!({"id": format!("o{i}"), "name": n, "color": "default", "description": null}))
            .collect::<Vec<_>>()})
    };
    let mut s = json!({
        title_key: schema_entry("title", title_key, "title", json!({})),
        "Status": schema_entry("st%3D", "Status", "status", options(&["Not started", "In progress", "Done"])),
        "Tags": schema_entry("tg", "Tags", "multi_select", options(&["x", "y"])),
        "Due": schema_entry("du", "Due", "date", json!({})),
        "Estimate": schema_entry("es", "Estimate", "number", json!({"format": "number"})),
        "Done": schema_entry("dn", "Done", "checkbox", json!({})),
        "Owner": schema_entry("ow", "Owner", "people", json!({})),
        "Ticket": schema_entry("tk", "Ticket", "unique_id", json!({"prefix": "T"})),
    });
    if let Some((db, source)) = related {
        s["Related"] = schema_entry(
            RELATION_ID,
            "Related",
            "relation",
            json!({"database_id": db, "data_source_id": source, "type": "single_property", "single_property": {}}),
        );
    }
    s
}

/// A generated row's values for `schema`.
fn row_values(schema: &Value, title: &str, n: usize, rng: &mut Rng) -> Value {
    let mut values = serde_json::Map::new();
    for (key, entry) in schema.as_object().into_iter().flatten() {
        let id = entry["id"].clone();
        let kind = entry["type"].as_str().unwrap_or_default();
        let value = match kind {
            "title" => rich(title),
            "status" => {
                let name = rng.pick(&["Not started", "In progress", "Done"]);
                json!({"id": "o1", "name": name, "color": "default"})
            }
            "multi_select" => json!([{"id": "o0", "name": "x", "color": "default"},
                                     {"id": "o1", "name": "y", "color": "default"}]),
            "date" if n.is_multiple_of(2) => {
                json!({"start": "2024-05-01", "end": null, "time_zone": null})
            }
            "date" => Value::Null,
            "number" if n.is_multiple_of(5) => Value::Null,
            "number" => json!(rng.below(400) as f64 / 4.0),
            "checkbox" => json!(n.is_multiple_of(3)),
            "people" if n.is_multiple_of(2) => json!([person()]),
            "people" => json!([user()]),
            "unique_id" => json!({"prefix": "T", "number": n}),
            "relation" => json!([]),
            _ => Value::Null,
        };
        let mut prop = json!({"id": id, "type": kind, kind: value});
        if kind == "relation" {
            prop["has_more"] = false.into();
        }
        values.insert(key.clone(), prop);
    }
    Value::Object(values)
}

fn page_object(id: &str, parent: Value, properties: Value, at: &str) -> Value {
    json!({"object": "page", "id": id, "created_time": at, "last_edited_time": at,
           "created_by": user(), "last_edited_by": user(), "cover": null, "icon": null,
           "parent": parent, "in_trash": false, "is_archived": false, "is_locked": false,
           "properties": properties, "url": url_of(id), "public_url": null})
}

/// Where a child page or database goes: its parent JSON, and the container whose
/// block children list it.
fn placed_under(container: &str, kind: &str) -> (Value, String) {
    (
        json!({"type": kind, kind: container}),
        container.to_string(),
    )
}

/// The generated workspace (the fixtures' edge cases first, when asked for).
pub(crate) fn generate(size: &DataSize, rng: &mut Rng) -> NotionData {
    let mut data = NotionData::default();
    if size.edge_cases {
        add_edge_cases(&mut data);
    }
    // Objects share a minute in pairs (Notion rounds times to the minute), so a query
    // window that starts at a row's created_time meets its neighbour again.
    let at = |i: usize| time(i - i % 2);
    // Pages generated so far (any can be a parent), and their toggles.
    let mut pages: Vec<String> = Vec::new();
    let mut toggles: HashMap<String, String> = HashMap::new();
    // (database, data source) of every data source.
    let mut sources: Vec<(String, String)> = Vec::new();
    let total = size.pages + size.databases;
    let db_every = total
        .checked_div(size.databases)
        .map_or(usize::MAX, |n| n.max(1));
    let (mut made_pages, mut made_dbs) = (0, 0);
    for i in 0..total {
        let id = rng.uuid();
        let created = at(i);
        let make_db = made_dbs < size.databases && (i % db_every == 0 || made_pages >= size.pages);
        if make_db {
            made_dbs += 1;
            let parent_page = match (pages.is_empty(), rng.below(3)) {
                (false, 0 | 1) => Some(pages[rng.below(pages.len())].clone()),
                _ => None,
            };
            let (parent, container) = match &parent_page {
                Some(p) => {
                    let (parent, c) = placed_under(p, "page_id");
                    (parent, Some(c))
                }
                None => (json!({"type": "workspace", "workspace": true}), None),
            };
            // Some name their title property in Japanese: the key is free.
            let title_key = if made_dbs.is_multiple_of(2) {
                "名前"
            } else {
                "Name"
            };
            let title = format!("{} DB {made_dbs}", rng.pick(WORDS));
            let names: Vec<String> = if made_dbs == 1 {
                vec!["Active".into(), "Archive".into()]
            } else {
                vec![title.clone()]
            };
            let ids: Vec<String> = (0..names.len())
                .map(|n| data_source_id(&id, n == 1))
                .collect();
            let related = (ids.len() > 1).then(|| (id.as_str(), ids[1].as_str()));
            let sources_json: Vec<FakeSource> = ids
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(n, (sid, name))| FakeSource {
                    object: json!({
                        "object": "data_source", "id": sid, "title": rich(name), "description": [],
                        "parent": {"type": "database_id", "database_id": id},
                        "database_parent": parent, "is_inline": false, "in_trash": false,
                        "created_time": created, "last_edited_time": created,
                        "created_by": user(), "last_edited_by": user(),
                        "properties": schema(title_key, if n == 0 { related } else { None }),
                        "icon": null, "cover": null, "url": url_of(sid), "public_url": null
                    }),
                    rows: Vec::new(),
                })
                .collect();
            for sid in &ids {
                sources.push((id.clone(), sid.clone()));
            }
            let object = json!({
                "object": "database", "id": id, "title": rich(&title), "description": [],
                "parent": parent, "is_inline": false, "in_trash": false, "is_locked": false,
                "created_time": created, "last_edited_time": created,
                "data_sources": ids.iter().zip(&names).map(|(i, n)| json!({"id": i, "name": n})).collect::<Vec<_>>(),
                "icon": null, "cover": null, "url": url_of(&id), "public_url": null
            });
            // Databases shared directly are always searched; every 3rd one below a
            // page is left out.
            let searched = container.is_none() || !made_dbs.is_multiple_of(3);
            if let Some(c) = &container {
                let b = block(
                    &id,
                    parent.clone(),
                    "child_database",
                    json!({"title": title}),
                    false,
                    &created,
                );
                data.add_block(c, b);
            }
            data.add_database(
                FakeDatabase {
                    object,
                    sources: sources_json,
                },
                searched,
            );
            continue;
        }
        made_pages += 1;
        let roll = rng.below(10);
        let title_text = format!("{} {made_pages}", rng.pick(WORDS));
        if roll < 4 && !sources.is_empty() {
            let (db, sid) = sources[rng.below(sources.len())].clone();
            let source_schema = data
                .source(&sid)
                .map(|(_, s)| s.object["properties"].clone())
                .unwrap_or_default();
            let values = row_values(&source_schema, &title_text, made_pages, rng);
            let parent =
                json!({"type": "data_source_id", "data_source_id": sid, "database_id": db});
            data.add_page(
                page_object(&id, parent, values, &created),
                made_pages % 9 != 4,
            );
        } else {
            let (parent, container) = if roll < 8 && !pages.is_empty() {
                let p = pages[rng.below(pages.len())].clone();
                if rng.below(5) == 0 {
                    // Inside a toggle of that page: the page's parent is the block.
                    let toggle = match toggles.get(&p) {
                        Some(t) => t.clone(),
                        None => {
                            let t = rng.uuid();
                            let (tp, _) = placed_under(&p, "page_id");
                            let b = block(
                                &t,
                                tp,
                                "toggle",
                                json!({"rich_text": rich("More"), "color": "default"}),
                                true,
                                &created,
                            );
                            data.add_block(&p, b);
                            toggles.insert(p.clone(), t.clone());
                            t
                        }
                    };
                    let (parent, c) = placed_under(&toggle, "block_id");
                    (parent, Some(c))
                } else {
                    let (parent, c) = placed_under(&p, "page_id");
                    (parent, Some(c))
                }
            } else {
                (json!({"type": "workspace", "workspace": true}), None)
            };
            // Every 17th page is untitled.
            let title = if made_pages.is_multiple_of(17) {
                json!([])
            } else {
                rich(&title_text)
            };
            let plain = if made_pages.is_multiple_of(17) {
                ""
            } else {
                title_text.as_str()
            };
            let searched = container.is_none() || made_pages % 6 != 5;
            if let Some(c) = &container {
                let b = block(
                    &id,
                    parent.clone(),
                    "child_page",
                    json!({"title": plain}),
                    false,
                    &created,
                );
                data.add_block(c, b);
            }
            let properties = json!({"title": {"id": "title", "type": "title", "title": title}});
            data.add_page(page_object(&id, parent, properties, &created), searched);
        }
        if made_pages.is_multiple_of(4) {
            let (pp, _) = placed_under(&id, "page_id");
            let b = block(
                &rng.uuid(),
                pp,
                "paragraph",
                json!({"rich_text": rich("Notes"), "color": "default"}),
                false,
                &created,
            );
            data.add_block(&id, b);
        }
        pages.push(id);
    }
    add_long_relation(&mut data);
    data.finish();
    data
}

/// The first row of the first generated data source relates to up to 60 other pages.
fn add_long_relation(data: &mut NotionData) {
    let Some(source) = data
        .databases
        .iter()
        .flat_map(|d| &d.sources)
        .find(|s| s.object["properties"]["Related"].is_object())
    else {
        return;
    };
    let Some(&row) = source.rows.first() else {
        return;
    };
    let refs: Vec<Value> = data
        .pages
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != row)
        .take(LONG_RELATION)
        .map(|(_, p)| json!({"id": p["id"]}))
        .collect();
    data.longest_relation = data.longest_relation.max(refs.len());
    if let Some(prop) = data.pages[row]["properties"].get_mut("Related") {
        prop["relation"] = Value::Array(refs);
    }
}

/// The fixtures' pages and databases (2022-06-28 search results), first in search
/// order: each database gets one data source, its pages become that source's rows,
/// and pages under a page are listed in its block children.
fn add_edge_cases(data: &mut NotionData) {
    let results: Vec<Value> = [
        include_str!("../../core/tests/fixtures/notion/search_2022_page1.json"),
        include_str!("../../core/tests/fixtures/notion/search_2022_last.json"),
    ]
    .iter()
    .flat_map(|t| fixture_list(t, "results"))
    .collect();
    for db in results.iter().filter(|r| r["object"] == "database") {
        let id = text_of(db, "id");
        let name: String = db["title"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["plain_text"].as_str())
            .collect();
        let sid = data_source_id(&id, false);
        let times = |k: &str| db.get(k).cloned().unwrap_or(Value::Null);
        let source = json!({
            "object": "data_source", "id": sid, "title": db["title"], "description": db.get("description").cloned().unwrap_or(json!([])),
            "parent": {"type": "database_id", "database_id": id}, "database_parent": db["parent"],
            "is_inline": db.get("is_inline").cloned().unwrap_or(false.into()), "in_trash": false,
            "created_time": times("created_time"), "last_edited_time": times("last_edited_time"),
            "properties": db.get("properties").cloned().unwrap_or(json!({})),
            "url": url_of(&sid), "public_url": null
        });
        let mut object = db.clone();
        if let Some(o) = object.as_object_mut() {
            o.remove("properties");
            o.remove("archived");
            o.insert("data_sources".into(), json!([{"id": sid, "name": name}]));
            o.insert("is_locked".into(), false.into());
            o.entry("in_trash").or_insert(false.into());
        }
        data.add_database(
            FakeDatabase {
                object,
                sources: vec![FakeSource {
                    object: source,
                    rows: Vec::new(),
                }],
            },
            true,
        );
    }
    for page in results.iter().filter(|r| r["object"] == "page") {
        let mut page = page.clone();
        if let Some(o) = page.as_object_mut() {
            o.remove("archived");
        }
        let parent = page["parent"].clone();
        let kind = parent["type"].as_str().unwrap_or_default();
        if kind == "database_id" {
            let db = text_of(&parent, "database_id");
            if data.database(&db).is_some() {
                page["parent"] = json!({"type": "data_source_id",
                    "data_source_id": data_source_id(&db, false), "database_id": db});
            }
        } else if kind == "page_id" && data.page(&text_of(&parent, "page_id")).is_some() {
            let container = text_of(&parent, "page_id");
            let title: String = page["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .find(|(_, p)| p["type"] == "title")
                .and_then(|(_, p)| p["title"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|s| s["plain_text"].as_str())
                .collect();
            let at = page["created_time"]
                .as_str()
                .unwrap_or("2024-01-01T00:00:00.000Z")
                .to_string();
            let b = block(
                &text_of(&page, "id"),
                parent.clone(),
                "child_page",
                json!({"title": title}),
                false,
                &at,
            );
            data.add_block(&container, b);
        }
        data.add_page(page, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(pages: usize, databases: usize) -> NotionData {
        let size = DataSize {
            pages,
            databases,
            ..DataSize::default()
        };
        generate(&size, &mut Rng(size.seed))
    }

    #[test]
    fn sizes_sources_and_the_long_relation() {
        let data = sized(300, 10);
        assert_eq!((data.pages.len(), data.databases.len()), (300, 10));
        assert_eq!(data.data_sources(), 11, "the first database has two");
        assert_eq!(data.databases[0].sources.len(), 2);
        assert_eq!(data.longest_relation, LONG_RELATION);
        assert!(data.walk_only > 10, "{}", data.walk_only);
        assert!(data.rows() > 50);
    }

    #[test]
    fn every_object_is_reachable_from_search_through_blocks_and_sources() {
        let data = sized(400, 12);
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue: Vec<String> = Vec::new();
        for found in &data.search {
            match *found {
                Found::Page(i) => queue.push(text_of(&data.pages[i], "id")),
                Found::Source(d, _) => queue.push(text_of(&data.databases[d].object, "id")),
            }
        }
        while let Some(id) = queue.pop() {
            if !seen.insert(bare(&id)) {
                continue;
            }
            if let Some(db) = data.database(&id) {
                for s in &db.sources {
                    queue.extend(s.rows.iter().map(|&r| text_of(&data.pages[r], "id")));
                }
            }
            for b in data.children(&id).unwrap_or_default() {
                queue.push(text_of(b, "id"));
            }
        }
        for page in &data.pages {
            assert!(seen.contains(&bare(&text_of(page, "id"))), "{page}");
        }
        for db in &data.databases {
            assert!(seen.contains(&bare(&text_of(&db.object, "id"))));
        }
    }
}
