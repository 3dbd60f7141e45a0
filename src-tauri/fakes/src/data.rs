//! Deterministic data sets for the fakes: the same `DataSize` (seed included) always
//! gives the same items, so tests can assert exact counts and benchmarks are repeatable.
//! The fixtures' edge cases (tests/fixtures) are mixed in on demand.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::config::DataSize;
use super::notion_data::{self, NotionData};
use junction_core::providers::hubspot::ObjectType;

/// A base with its tables.
#[derive(Debug, Clone)]
pub(crate) struct FakeBase {
    pub id: String,
    pub name: String,
    pub permission_level: String,
    pub tables: Vec<FakeTable>,
}

/// A table: its schema JSON (as the tables endpoint returns it) and its records.
#[derive(Debug, Clone)]
pub(crate) struct FakeTable {
    pub id: String,
    pub name: String,
    pub schema: Value,
    pub records: Vec<Value>,
}

/// Everything the fakes serve.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dataset {
    /// HubSpot records `{id, properties, createdAt, updatedAt, archived}` per type,
    /// archived ones (`archived: true`, `archivedAt`) included; the properties hold the
    /// built-in properties (null = defined, no value). Generated properties are
    /// computed when served (`hubspot::data`).
    pub hubspot: BTreeMap<ObjectType, Vec<Value>>,
    /// The records of the portal's custom object type (`hubspot::data::CUSTOM_TYPE_ID`).
    pub hubspot_custom: Vec<Value>,
    /// Contact ↔ company ↔ deal associations of the live records.
    pub hubspot_associations: crate::hubspot::data::Associations,
    pub airtable: Vec<FakeBase>,
    /// The Notion workspace (2026-03-11 shapes).
    pub notion: NotionData,
}

/// How many items a data set holds, per kind (what a full load must return).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataSummary {
    /// Live (not archived) records of each standard HubSpot type.
    pub contacts: usize,
    pub companies: usize,
    pub deals: usize,
    /// Records of the custom object type (loaded when the custom scopes are granted).
    pub custom: usize,
    /// Archived HubSpot records of the three standard types (loaded only with
    /// `JUNCTION_HUBSPOT_ARCHIVED=true`).
    pub archived: usize,
    pub bases: usize,
    pub tables: usize,
    pub records: usize,
    /// Notion pages, rows included.
    pub pages: usize,
    pub databases: usize,
    /// Notion data sources (the first database has two).
    pub data_sources: usize,
    /// Notion rows: pages whose parent is a data source (counted in `pages`).
    pub rows: usize,
    /// Notion pages and databases that search leaves out: only the block walk finds them.
    pub walk_only: usize,
    /// The most references one Notion relation value holds (60 when there are enough
    /// pages: more than the 25 a page object shows).
    pub longest_relation: usize,
}

impl DataSummary {
    /// What a default HubSpot load returns: live records of every type, custom ones
    /// included (the fake portal grants the custom-object scopes unless told not to).
    pub fn hubspot_items(&self) -> usize {
        self.contacts + self.companies + self.deals + self.custom
    }
    pub fn airtable_items(&self) -> usize {
        self.bases + self.tables + self.records
    }
    /// Pages (rows included), databases and data sources.
    pub fn notion_items(&self) -> usize {
        self.pages + self.databases + self.data_sources
    }
}

impl Dataset {
    pub fn generate(size: &DataSize) -> Dataset {
        let mut rng = Rng(size.seed);
        let hubspot: BTreeMap<ObjectType, Vec<Value>> = ObjectType::ALL
            .into_iter()
            .map(|t| (t, hubspot_records(t, size, &mut rng)))
            .collect();
        let mut data = Dataset {
            hubspot_associations: crate::hubspot::data::associations(&hubspot),
            hubspot,
            hubspot_custom: hubspot_custom_records(size),
            airtable: airtable_bases(size, &mut rng),
            notion: notion_data::generate(size, &mut rng),
        };
        if size.edge_cases {
            add_edge_cases(&mut data);
        }
        data
    }

    pub fn summary(&self) -> DataSummary {
        let count = |t, archived: bool| {
            self.hubspot.get(&t).map_or(0, |list| {
                list.iter()
                    .filter(|r| (r["archived"] == true) == archived)
                    .count()
            })
        };
        DataSummary {
            contacts: count(ObjectType::Contacts, false),
            companies: count(ObjectType::Companies, false),
            deals: count(ObjectType::Deals, false),
            custom: self.hubspot_custom.len(),
            archived: ObjectType::ALL.into_iter().map(|t| count(t, true)).sum(),
            bases: self.airtable.len(),
            tables: self.airtable.iter().map(|b| b.tables.len()).sum(),
            records: self
                .airtable
                .iter()
                .flat_map(|b| &b.tables)
                .map(|t| t.records.len())
                .sum(),
            pages: self.notion.pages.len(),
            databases: self.notion.databases.len(),
            data_sources: self.notion.data_sources(),
            rows: self.notion.rows(),
            walk_only: self.notion.walk_only,
            longest_relation: self.notion.longest_relation,
        }
    }
}

/// SplitMix64: tiny, seedable, and stable across crate versions (unlike `rand`'s
/// generators), which keeps data sets identical forever.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    /// `len` characters of base62 (Airtable-style ids).
    pub fn base62(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..len).map(|_| ALPHABET[self.below(62)] as char).collect()
    }
    /// A UUID v4-shaped id, as Notion uses.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Zoë",
    "José",
    "Łukasz",
    "美咲",
    "Noor",
    "Olúwáṣeun",
    "Søren",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Ørsted",
    "García",
    "Nowak",
    "佐藤",
    "Haddad",
    "Adébáyọ̀",
];
pub(crate) const WORDS: &[&str] = &[
    "Roadmap",
    "Launch",
    "Notes",
    "Q3 plan",
    "Ideas",
    "Café menu",
    "計画",
    "Backlog",
    "Hiring",
    "Retro",
];

pub(crate) fn time(i: usize) -> String {
    let base = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    (base + ChronoDuration::minutes(i as i64 * 7)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn hubspot_records(t: ObjectType, size: &DataSize, rng: &mut Rng) -> Vec<Value> {
    // The live records asked for, plus the archived ones.
    let n = size.hubspot_archived
        + match t {
            ObjectType::Contacts => size.contacts,
            ObjectType::Companies => size.companies,
            ObjectType::Deals => size.deals,
        };
    (0..n)
        .map(|i| {
            // The same ids in every type: rows are told apart by type + id.
            let id = (100_000 + i).to_string();
            let (created, updated) = (time(i), time(i + 1000));
            let mut p = Map::new();
            match t {
                ObjectType::Contacts => {
                    let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
                    // Every 13th contact has no name (email only), as real CRMs do.
                    let unnamed = i % 13 == 12;
                    p.insert("firstname".into(), if unnamed { Value::Null } else { first.into() });
                    p.insert("lastname".into(), if unnamed { Value::Null } else { last.into() });
                    p.insert("email".into(), format!("contact{i}@example.com").into());
                    p.insert("phone".into(), if i % 3 == 0 { Value::Null } else { format!("+1 555 {i:04}").into() });
                    p.insert("company".into(), Value::Null);
                    p.insert("lastmodifieddate".into(), updated.clone().into());
                }
                ObjectType::Companies => {
                    p.insert("name".into(), format!("{} {} Ltd", rng.pick(LAST), i).into());
                    p.insert("domain".into(), format!("company{i}.example").into());
                    p.insert("industry".into(), Value::Null);
                    p.insert("city".into(), rng.pick(&["Paris", "Kraków", "東京", "Lagos"]).into());
                    p.insert("hs_lastmodifieddate".into(), updated.clone().into());
                }
                ObjectType::Deals => {
                    p.insert("dealname".into(), format!("{} deal #{i}", rng.pick(WORDS)).into());
                    p.insert("amount".into(), format!("{}.00", 100 + rng.below(10_000)).into());
                    p.insert("closedate".into(), time(i + 5000).into());
                    p.insert("pipeline".into(), "default".into());
                    p.insert("dealstage".into(), rng.pick(&["appointmentscheduled", "closedwon", "8734522"]).into());
                    p.insert("hs_lastmodifieddate".into(), updated.clone().into());
                }
            }
            p.insert("createdate".into(), created.clone().into());
            p.insert("hs_object_id".into(), id.clone().into());
            // The last few of each type are archived (restorable for 90 days).
            if i + size.hubspot_archived >= n {
                json!({"id": id, "properties": p, "createdAt": created, "updatedAt": updated,
                       "archived": true, "archivedAt": time(i + 2000)})
            } else {
                json!({"id": id, "properties": p, "createdAt": created, "updatedAt": updated, "archived": false})
            }
        })
        .collect()
}

/// The custom object's records (`pet_name`, `weight_kg`, `vaccinated`, `adopted_on`).
fn hubspot_custom_records(size: &DataSize) -> Vec<Value> {
    (0..size.hubspot_custom_records)
        .map(|i| {
            let id = (900_000 + i).to_string();
            let (created, updated) = (time(i), time(i + 500));
            let name = ["Rex", "Mimi", "Ōkami", "Bella"][i % 4];
            let adopted: Value = if i % 5 == 0 { Value::Null } else { format!("2024-0{}-1{}", 1 + i % 9, i % 10).into() };
            json!({"id": id, "createdAt": created, "updatedAt": updated, "archived": false,
                   "properties": {
                       "pet_name": name,
                       "weight_kg": format!("{}.5", 3 + i % 40),
                       "vaccinated": (i % 3 != 0).to_string(),
                       "adopted_on": adopted,
                       "hs_object_id": id, "hs_createdate": created, "hs_lastmodifieddate": updated}})
        })
        .collect()
}

/// Every field type of Airtable's field model (providers.md §4, the research notes):
/// name, type, options. A table after the first also links to the one before it
/// (`Link`, with a lookup and a rollup and a count through that link).
const AIRTABLE_FIELDS: &[(&str, &str)] = &[
    ("Name", "singleLineText"),
    ("Notes", "multilineText"),
    ("Count", "number"),
    ("Done", "checkbox"),
    ("Tags", "multipleSelects"),
    ("Owner", "singleCollaborator"),
    ("Watchers", "multipleCollaborators"),
    ("Stage", "singleSelect"),
    ("Price", "currency"),
    ("Progress", "percent"),
    ("Stars", "rating"),
    ("Spent", "duration"),
    ("Number", "autoNumber"),
    ("Due", "date"),
    ("Meeting", "dateTime"),
    ("Email", "email"),
    ("Site", "url"),
    ("Phone", "phoneNumber"),
    ("Brief", "richText"),
    ("Files", "multipleAttachments"),
    ("Code", "barcode"),
    ("Open", "button"),
    ("Score", "formula"),
    ("Summary", "aiText"),
    ("Created", "createdTime"),
    ("Modified", "lastModifiedTime"),
    ("Created by", "createdBy"),
    ("Modified by", "lastModifiedBy"),
];

fn airtable_bases(size: &DataSize, rng: &mut Rng) -> Vec<FakeBase> {
    let mut record_no = 0usize;
    (0..size.bases)
        .map(|b| {
            let base_id = format!("app{}", rng.base62(14));
            let mut tables: Vec<FakeTable> = Vec::new();
            for t in 0..size.tables_per_base {
                let table_id = format!("tbl{}", rng.base62(14));
                let name = format!("{} {t}", rng.pick(&["Tasks", "People", "Inventory", "Événements"]));
                let linked = tables.last().map(|prev| (prev.id.clone(), prev.schema["primaryFieldId"].clone()));
                let mut fields: Vec<Value> = AIRTABLE_FIELDS
                    .iter()
                    .map(|(n, ty)| json!({"id": format!("fld{}", rng.base62(14)), "name": n, "type": ty}))
                    .collect();
                if let Some((linked_id, linked_primary)) = &linked {
                    let link_id = format!("fld{}", rng.base62(14));
                    fields.push(json!({"id": link_id, "name": "Link", "type": "multipleRecordLinks",
                        "options": {"linkedTableId": linked_id, "isReversed": false, "prefersSingleRecordLink": false}}));
                    fields.push(json!({"id": format!("fld{}", rng.base62(14)), "name": "Linked names", "type": "multipleLookupValues",
                        "options": {"isValid": true, "recordLinkFieldId": link_id, "fieldIdInLinkedTable": linked_primary,
                                    "result": {"type": "singleLineText"}}}));
                    fields.push(json!({"id": format!("fld{}", rng.base62(14)), "name": "Linked total", "type": "rollup",
                        "options": {"isValid": true, "recordLinkFieldId": link_id, "result": {"type": "number", "options": {"precision": 2}}}}));
                    fields.push(json!({"id": format!("fld{}", rng.base62(14)), "name": "Links", "type": "count",
                        "options": {"isValid": true, "recordLinkFieldId": link_id}}));
                }
                let schema = json!({
                    "id": table_id,
                    "name": name,
                    "primaryFieldId": fields[0]["id"],
                    "fields": fields,
                    "views": [{"id": format!("viw{}", rng.base62(14)), "name": "Grid view", "type": "grid"}],
                });
                let previous: Vec<(String, Option<String>)> = tables
                    .last()
                    .map(|prev| {
                        prev.records
                            .iter()
                            .map(|r| (r["id"].as_str().unwrap_or_default().to_string(), r["fields"]["Name"].as_str().map(str::to_string)))
                            .collect()
                    })
                    .unwrap_or_default();
                let records = (0..size.records_per_table)
                    .map(|r| {
                        record_no += 1;
                        let id = format!("rec{}", rng.base62(14));
                        let f = airtable_cells(r, record_no, &id, &previous, rng);
                        json!({"id": id, "createdTime": time(record_no), "fields": f})
                    })
                    .collect();
                tables.push(FakeTable { id: table_id, name, schema, records });
            }
            FakeBase {
                id: base_id,
                name: format!("{} base {b}", rng.pick(WORDS)),
                permission_level: "create".into(),
                tables,
            }
        })
        .collect()
}

/// One record's cells, in Airtable's read format: empty cells absent, a checkbox only
/// when ticked, formula errors as Airtable sends them.
fn airtable_cells(
    r: usize,
    record_no: usize,
    id: &str,
    previous: &[(String, Option<String>)],
    rng: &mut Rng,
) -> Map<String, Value> {
    let mut f = Map::new();
    if r % 11 != 10 {
        f.insert(
            "Name".into(),
            format!("{} {}", rng.pick(WORDS), record_no).into(),
        );
    }
    if r.is_multiple_of(2) {
        f.insert(
            "Notes".into(),
            "Line one\nline two <airtable:mention id=\"menX\">@Alex</airtable:mention>".into(),
        );
    }
    f.insert("Count".into(), json!(rng.below(1000) as f64 / 4.0));
    if r.is_multiple_of(3) {
        f.insert("Done".into(), true.into());
    }
    if !r.is_multiple_of(4) {
        f.insert("Tags".into(), json!(["a", rng.pick(&["b", "c", "ü"])]));
    }
    let owner = json!({"id": "usrOwner0000001", "email": "owner@example.com", "name": "Owner"});
    f.insert("Owner".into(), owner.clone());
    if r.is_multiple_of(5) {
        // A group, and a collaborator without an account (no name).
        f.insert("Watchers".into(), json!([owner, {"id": "ugpTeam00000001", "name": "Team"}, {"id": "usrNoAccount001", "email": "guest@example.com"}]));
    }
    f.insert("Stage".into(), rng.pick(&["Todo", "Doing", "Done"]).into());
    f.insert("Price".into(), json!(19.99 + r as f64));
    f.insert("Progress".into(), json!(0.125));
    if r % 6 != 5 {
        f.insert("Stars".into(), json!(1 + r % 5));
    }
    f.insert("Spent".into(), json!(3600 + r));
    f.insert("Number".into(), json!(record_no));
    f.insert(
        "Due".into(),
        format!("2026-{:02}-{:02}", 1 + r % 12, 1 + r % 28).into(),
    );
    f.insert("Meeting".into(), time(record_no + 3).into());
    f.insert(
        "Email".into(),
        format!("person{record_no}@example.com").into(),
    );
    f.insert("Site".into(), "https://example.com/a?b=c".into());
    f.insert("Phone".into(), "+1 (555) 010-0000".into());
    f.insert("Brief".into(), "**bold** and _it_\n".into());
    if r % 3 == 1 {
        f.insert("Files".into(), json!([{"id": format!("att{}", rng.base62(14)), "url": format!("https://v5.airtableusercontent.com/v3/u/{id}/f.png"),
            "filename": "f.png", "size": 20_480, "type": "image/png", "width": 64, "height": 64,
            "thumbnails": {"small": {"url": "https://v5.airtableusercontent.com/s.png", "width": 36, "height": 36}}}]));
    }
    f.insert(
        "Code".into(),
        json!({"text": format!("0{record_no:011}"), "type": "upce"}),
    );
    f.insert(
        "Open".into(),
        json!({"label": "Open", "url": format!("https://example.com/r/{id}")}),
    );
    let score = match r % 9 {
        7 => json!({"error": "#ERROR!"}),
        8 => json!({"specialValue": "NaN"}),
        _ => json!(r as f64 * 1.5),
    };
    f.insert("Score".into(), score);
    f.insert(
        "Summary".into(),
        json!({"state": "generated", "isStale": false, "value": "A short summary."}),
    );
    f.insert("Created".into(), time(record_no).into());
    f.insert("Modified".into(), time(record_no + 1).into());
    f.insert(
        "Created by".into(),
        json!({"id": "usrOwner0000001", "email": "owner@example.com", "name": "Owner"}),
    );
    f.insert(
        "Modified by".into(),
        json!({"id": "usrOwner0000001", "email": "owner@example.com", "name": "Owner"}),
    );
    if !previous.is_empty() && r % 4 != 3 {
        let picks: Vec<&(String, Option<String>)> = (0..1 + r % 3)
            .map(|k| &previous[(r + k * 7) % previous.len()])
            .collect();
        f.insert(
            "Link".into(),
            json!(picks.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()),
        );
        let names: Vec<Value> = picks
            .iter()
            .filter_map(|(_, n)| n.clone().map(Value::from))
            .collect();
        if !names.is_empty() {
            f.insert("Linked names".into(), json!(names));
        }
        // A rollup answers one value (SUM), a lookup a list.
        f.insert("Linked total".into(), json!(picks.len() as f64 * 2.5));
        f.insert("Links".into(), json!(picks.len()));
    }
    f
}

/// The objects with a string `id` under `key` of a fixture file.
pub(crate) fn fixture_list(text: &str, key: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get(key).and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.get("id").is_some_and(Value::is_string))
        .collect()
}

/// Mixes in the fixtures: odd records first, so a load meets them on its first page.
fn add_edge_cases(data: &mut Dataset) {
    let hubspot = [
        (
            ObjectType::Contacts,
            include_str!("../../core/tests/fixtures/hubspot/contacts_page.json"),
        ),
        (
            ObjectType::Companies,
            include_str!("../../core/tests/fixtures/hubspot/companies_last_page.json"),
        ),
        (
            ObjectType::Deals,
            include_str!("../../core/tests/fixtures/hubspot/deals_page.json"),
        ),
    ];
    for (t, text) in hubspot {
        let list = data.hubspot.entry(t).or_default();
        let mut edge = fixture_list(text, "results");
        edge.append(list);
        *list = edge;
    }

    let schemas = fixture_list(
        include_str!("../../core/tests/fixtures/airtable/tables.json"),
        "tables",
    );
    let records = [
        fixture_list(
            include_str!("../../core/tests/fixtures/airtable/records_page.json"),
            "records",
        ),
        fixture_list(
            include_str!("../../core/tests/fixtures/airtable/records_numbers_last.json"),
            "records",
        ),
        fixture_list(
            include_str!("../../core/tests/fixtures/airtable/records_lists_last.json"),
            "records",
        ),
    ];
    let tables = schemas
        .into_iter()
        .enumerate()
        .map(|(i, schema)| FakeTable {
            id: schema["id"].as_str().unwrap_or_default().to_string(),
            name: schema["name"].as_str().unwrap_or_default().to_string(),
            records: records.get(i).cloned().unwrap_or_default(),
            schema,
        })
        .collect();
    data.airtable.insert(
        0,
        FakeBase {
            id: "appEdgeCases00001".into(),
            name: "Edge cases 🧪".into(),
            permission_level: "edit".into(),
            tables,
        },
    );
    data.airtable.push(FakeBase {
        id: "appEmptyName00001".into(),
        name: String::new(),
        permission_level: "none".into(),
        tables: Vec::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_exact_sizes() {
        let size = DataSize {
            contacts: 30,
            pages: 40,
            databases: 4,
            ..DataSize::default()
        };
        let (a, b) = (Dataset::generate(&size), Dataset::generate(&size));
        assert_eq!(a.notion.pages, b.notion.pages);
        assert_eq!(
            a.airtable[0].tables[0].records,
            b.airtable[0].tables[0].records
        );
        let s = a.summary();
        assert_eq!((s.contacts, s.pages, s.databases), (30, 40, 4));
        assert_eq!(s.data_sources, 5, "the first database has two data sources");
        assert_eq!(
            s.records,
            size.bases * size.tables_per_base * size.records_per_table
        );
        let edge = Dataset::generate(&DataSize {
            edge_cases: true,
            ..size
        })
        .summary();
        assert!(edge.contacts > 30 && edge.bases == 4 && edge.pages > 40);
    }

    #[test]
    fn notion_parents_come_before_children() {
        let data = Dataset::generate(&DataSize {
            pages: 200,
            databases: 10,
            ..DataSize::default()
        });
        let notion = &data.notion;
        let mut seen = std::collections::HashSet::new();
        for page in &notion.pages {
            let parent = &page["parent"];
            match parent["type"].as_str().unwrap() {
                "page_id" => assert!(seen.contains(parent["page_id"].as_str().unwrap())),
                "data_source_id" => {
                    assert!(notion
                        .source(parent["data_source_id"].as_str().unwrap())
                        .is_some())
                }
                // A toggle: its page lists it among its block children.
                "block_id" => assert!(notion
                    .children(parent["block_id"].as_str().unwrap())
                    .is_some()),
                other => assert_eq!(other, "workspace"),
            }
            seen.insert(page["id"].as_str().unwrap().to_string());
        }
    }
}
