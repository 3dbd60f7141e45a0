//! Realistic items for the benchmarks: HubSpot contacts, Notion pages and Airtable
//! records in the proportions and shapes the providers give (accents, several scripts,
//! long and empty values), generated deterministically.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use junction_core::{IntegrationItem, ProviderId};

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
        ("email".into(), email),
        ("firstname".into(), first.into()),
        ("lastname".into(), last.into()),
        (
            "phone".into(),
            format!("+1 555 {:03} {:04}", rng.next() % 1000, rng.next() % 10_000),
        ),
        ("company".into(), rng.pick(COMPANIES).into()),
        ("lifecyclestage".into(), rng.pick(STAGES).into()),
    ]);
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
        ("Status".into(), rng.pick(STATUSES).into()),
        (
            "Owner".into(),
            format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
        ),
        ("Tags".into(), "planning, q3".into()),
    ]);
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
    item.parent_path_or_name = Some(rng.pick(TABLES).into());
    item.parent_id = Some(format!("tbl{}", rng.alnum(14)));
    item.drive_id = Some(base.clone());
    item.url = Some(format!(
        "https://airtable.com/{base}/{}",
        item.id.as_deref().unwrap_or("")
    ));
    item.creation_time = Some(rng.time());
    item.properties = BTreeMap::from([
        ("Customer".into(), rng.pick(COMPANIES).into()),
        ("Quantity".into(), (rng.next() % 500).to_string()),
        (
            "Total".into(),
            format!("{}.{:02}", rng.next() % 10_000, rng.next() % 100),
        ),
        (
            "Paid".into(),
            if rng.next().is_multiple_of(2) {
                "true"
            } else {
                "false"
            }
            .into(),
        ),
        (
            "Notes".into(),
            if i.is_multiple_of(50) {
                "Deliver to the back door,\n\"ring twice\"".into()
            } else {
                "".into()
            },
        ),
    ]);
    item
}
