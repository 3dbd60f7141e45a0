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
    /// HubSpot records `{id, properties, createdAt, updatedAt, archived}` per type; the
    /// properties hold every defined property (null = defined, no value).
    pub hubspot: BTreeMap<ObjectType, Vec<Value>>,
    pub airtable: Vec<FakeBase>,
    /// The Notion workspace (2026-03-11 shapes).
    pub notion: NotionData,
}

/// How many items a data set holds, per kind (what a full load must return).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataSummary {
    pub contacts: usize,
    pub companies: usize,
    pub deals: usize,
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
    pub fn hubspot_items(&self) -> usize {
        self.contacts + self.companies + self.deals
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
        let mut data = Dataset {
            hubspot: ObjectType::ALL
                .into_iter()
                .map(|t| (t, hubspot_records(t, size, &mut rng)))
                .collect(),
            airtable: airtable_bases(size, &mut rng),
            notion: notion_data::generate(size, &mut rng),
        };
        if size.edge_cases {
            add_edge_cases(&mut data);
        }
        data
    }

    pub fn summary(&self) -> DataSummary {
        let count = |t| self.hubspot.get(&t).map_or(0, Vec::len);
        DataSummary {
            contacts: count(ObjectType::Contacts),
            companies: count(ObjectType::Companies),
            deals: count(ObjectType::Deals),
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

/// The properties each HubSpot type defines (requesting others returns nothing for
/// them, as HubSpot does for undefined properties).
pub(crate) fn hubspot_defined(t: ObjectType) -> &'static [&'static str] {
    match t {
        ObjectType::Contacts => &[
            "firstname",
            "lastname",
            "email",
            "phone",
            "company",
            "createdate",
            "lastmodifieddate",
            "hs_object_id",
        ],
        ObjectType::Companies => &[
            "name",
            "domain",
            "industry",
            "city",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
        ObjectType::Deals => &[
            "dealname",
            "amount",
            "closedate",
            "pipeline",
            "dealstage",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ],
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
    let n = match t {
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
            json!({"id": id, "properties": p, "createdAt": created, "updatedAt": updated, "archived": false})
        })
        .collect()
}

fn airtable_bases(size: &DataSize, rng: &mut Rng) -> Vec<FakeBase> {
    let mut record_no = 0usize;
    (0..size.bases)
        .map(|b| {
            let base_id = format!("app{}", rng.base62(14));
            let tables = (0..size.tables_per_base)
                .map(|t| {
                    let table_id = format!("tbl{}", rng.base62(14));
                    let name = format!("{} {t}", rng.pick(&["Tasks", "People", "Inventory", "Événements"]));
                    let fields: Vec<(String, &str, &str)> = [("Name", "singleLineText"), ("Notes", "multilineText"), ("Count", "number"), ("Done", "checkbox"), ("Tags", "multipleSelects"), ("Owner", "singleCollaborator")]
                        .into_iter()
                        .map(|(n, ty)| (format!("fld{}", rng.base62(14)), n, ty))
                        .collect();
                    let schema = json!({
                        "id": table_id,
                        "name": name,
                        "primaryFieldId": fields[0].0,
                        "fields": fields.iter().map(|(id, n, ty)| json!({"id": id, "name": n, "type": ty})).collect::<Vec<_>>(),
                        "views": [{"id": format!("viw{}", rng.base62(14)), "name": "Grid view", "type": "grid"}],
                    });
                    let records = (0..size.records_per_table)
                        .map(|r| {
                            record_no += 1;
                            // Empty values are omitted, as Airtable does.
                            let mut f = Map::new();
                            if r % 11 != 10 {
                                f.insert("Name".into(), format!("{} {}", rng.pick(WORDS), record_no).into());
                            }
                            if r % 2 == 0 {
                                f.insert("Notes".into(), "Line one\nline two".into());
                            }
                            f.insert("Count".into(), json!(rng.below(1000) as f64 / 4.0));
                            if r % 3 == 0 {
                                f.insert("Done".into(), true.into());
                            }
                            if r % 4 != 0 {
                                f.insert("Tags".into(), json!(["a", rng.pick(&["b", "c", "ü"])]));
                            }
                            f.insert("Owner".into(), json!({"id": "usrOwner0000001", "email": "owner@example.com", "name": "Owner"}));
                            json!({"id": format!("rec{}", rng.base62(14)), "createdTime": time(record_no), "fields": f})
                        })
                        .collect();
                    FakeTable { id: table_id, name, schema, records }
                })
                .collect();
            FakeBase {
                id: base_id,
                name: format!("{} base {b}", rng.pick(WORDS)),
                permission_level: "create".into(),
                tables,
            }
        })
        .collect()
}

fn fixture_list(text: &str, key: &str) -> Vec<Value> {
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
