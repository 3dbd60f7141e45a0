//! Realistic items for the benchmarks: HubSpot contacts, Notion pages and Airtable
//! records in the proportions and shapes the providers give (accents, several scripts,
//! long and empty values), generated deterministically.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use junction_core::item::RowTable;
use junction_core::{IntegrationItem, ProviderId};
use serde_json::{json, Value};

/// A deterministic pseudo-random sequence (no dependency, same items every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn time(&mut self) -> DateTime<Utc> {
        let ms = 1_600_000_000_000 + (self.next() % 150_000_000_000) as i64;
        Utc.timestamp_millis_opt(ms).single().expect("a valid time")
    }
    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[(self.next() % CHARS.len() as u64) as usize] as char)
            .collect()
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIRST: &[&str] = &[
    "Jane",
    "Ahmed",
    "María",
    "Wei",
    "Olga",
    "Kwame",
    "Zoë",
    "Søren",
    "Aiko",
    "Liam",
    "Noa",
    "François",
];
const LAST: &[&str] = &[
    "Doe",
    "Al-Sayed",
    "García",
    "Zhang",
    "Ivanova",
    "Mensah",
    "O'Brien",
    "Ødegaard",
    "Tanaka",
    "Smith",
    "Cohen",
    "Lefèvre",
];
const COMPANIES: &[&str] = &[
    "Acme, Inc.",
    "Globex",
    "Initech",
    "Umbrella \"Corp\"",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "株式会社サンプル",
];
const STAGES: &[&str] = &[
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "opportunity",
    "customer",
];
const PAGE_TITLES: &[&str] = &[
    "Réunion d'équipe — notes",
    "会議メモ 📝",
    "Roadmap Q3 🚀",
    "مرحبا بالعالم: خطة المشروع",
    "שלום — תכנון ספרינט",
    "Onboarding checklist ✅",
    "Дизайн-ревью",
    "Incident post-mortem, 2024",
];
const WORKSPACES: &[&str] = &[
    "Engineering Wiki",
    "Product",
    "Design 🎨",
    "المبيعات",
    "Ops",
];
const STATUSES: &[&str] = &["Not started", "In progress", "Done", "Blocked"];
const TABLES: &[&str] = &["Orders", "Customers", "Inventory", "Tasks"];

pub fn build_items(count: usize) -> Vec<IntegrationItem> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|i| match i % 10 {
            0..=3 => hubspot_contact(&mut rng, i),
            4..=6 => notion_page(&mut rng, i),
            _ => airtable_record(&mut rng, i),
        })
        .collect()
}

fn hubspot_contact(rng: &mut Rng, i: usize) -> IntegrationItem {
    let id = (50_000_000 + i).to_string();
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", id.clone());
    item.name = Some(format!("{first} {last}"));
    item.parent_path_or_name = Some("Contacts".into());
    item.url = Some(format!(
        "https://app.hubspot.com/contacts/44123456/record/0-1/{id}"
    ));
    item.creation_time = Some(rng.time());
    item.last_modified_time = Some(rng.time());
    let email = format!(
        "{}.{}{}@example.com",
        first.to_lowercase(),
        last.to_lowercase(),
        i
    );
    item.properties = BTreeMap::from([
        ("email".into(), json!(email)),
        ("firstname".into(), json!(first)),
        ("lastname".into(), json!(last)),
        (
            "phone".into(),
            json!(format!(
                "+1 555 {:03} {:04}",
                rng.next() % 1000,
                rng.next() % 10_000
            )),
        ),
        ("company".into(), json!(rng.pick(COMPANIES))),
        ("lifecyclestage".into(), json!(rng.pick(STAGES))),
        ("num_notes".into(), json!(rng.next() % 40)),
    ]);
    item.associations = Some(BTreeMap::from([(
        "companies".to_string(),
        vec![(rng.next() % 5_000).to_string()],
    )]));
    item.table = Some(RowTable {
        id: "contacts".into(),
        name: "Contacts".into(),
    });
    item
}

fn notion_page(rng: &mut Rng, i: usize) -> IntegrationItem {
    let id = rng.uuid();
    let title = rng.pick(PAGE_TITLES);
    let mut item = IntegrationItem::new(ProviderId::Notion, "Page", id.clone());
    item.name = Some(format!("{title} #{i}"));
    item.parent_path_or_name = Some(rng.pick(WORKSPACES).into());
    item.parent_id = Some(rng.uuid());
    item.url = Some(format!("https://www.notion.so/{}", id.replace('-', "")));
    item.creation_time = Some(rng.time());
    item.last_modified_time = Some(rng.time());
    if i.is_multiple_of(3) {
        item.children = Some((0..3).map(|_| rng.uuid()).collect());
        item.directory = true;
    }
    item.properties = BTreeMap::from([
        ("Status".into(), json!(rng.pick(STATUSES))),
        (
            "Owner".into(),
            json!([{"id": rng.uuid(), "name": format!("{} {}", rng.pick(FIRST), rng.pick(LAST)), "email": null}]),
        ),
        ("Tags".into(), json!(["planning", "q3"])),
    ]);
    // A third of the pages are rows of one of a few data sources.
    if i % 3 == 1 {
        let source = rng.next() % 4;
        item.parent_id = Some(format!("d5000000-0000-4000-8000-00000000000{source}"));
        item.table = Some(RowTable {
            id: item.parent_id.clone().unwrap_or_default(),
            name: format!("Projects / Source {source}"),
        });
    }
    item
}

fn airtable_record(rng: &mut Rng, i: usize) -> IntegrationItem {
    let base = format!("app{}", rng.alnum(14));
    let mut item = IntegrationItem::new(
        ProviderId::Airtable,
        "Record",
        format!("rec{}", rng.alnum(14)),
    );
    item.name = Some(format!("Order {i}"));
    let table = rng.next() as usize % TABLES.len();
    item.parent_path_or_name = Some(TABLES[table].into());
    item.parent_id = Some(format!("tblBench{table:09}"));
    item.table = Some(RowTable {
        id: item.parent_id.clone().unwrap_or_default(),
        name: TABLES[table].into(),
    });
    item.drive_id = Some(base.clone());
    item.url = Some(format!(
        "https://airtable.com/{base}/{}",
        item.id.as_deref().unwrap_or("")
    ));
    item.creation_time = Some(rng.time());
    item.properties = BTreeMap::from([
        ("Customer".into(), json!(rng.pick(COMPANIES))),
        ("Quantity".into(), json!(rng.next() % 500)),
        (
            "Total".into(),
            json!((rng.next() % 1_000_000) as f64 / 100.0),
        ),
        ("Paid".into(), json!(rng.next().is_multiple_of(2))),
        (
            "Notes".into(),
            if i.is_multiple_of(50) {
                json!("Deliver to the back door,\n\"ring twice\"")
            } else {
                Value::Null
            },
        ),
    ]);
    item
}
