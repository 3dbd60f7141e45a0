//! Export round trips through the public API: what is written parses back to the same
//! items, in every format, with the hard cases (commas, quotes, newlines, unicode,
//! right-to-left text, nulls).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use junction_core::export::{export_items, ExportFormat, CSV_HEADER};
use junction_core::item::parse_time;
use junction_core::{IntegrationItem, ProviderId};

fn tricky_items() -> Vec<IntegrationItem> {
    let mut contact = IntegrationItem::new(ProviderId::Hubspot, "Contact", "151");
    contact.name = Some("Doe, Jane \"JD\"".into());
    contact.url = Some("https://app.hubspot.com/contacts/1/contact/151?a=1,2".into());
    contact.creation_time = parse_time(Some("2024-01-02T03:04:05.678Z"));
    contact.last_modified_time = parse_time(Some("2024-06-30T23:59:59+02:00"));
    contact.properties = BTreeMap::from([
        ("email".into(), "jane@example.com".into()),
        (
            "notes".into(),
            "line one\nline two, \"quoted\"\r\nline three".into(),
        ),
        ("company".into(), "Acme; Inc.".into()),
        // Typed values: numbers (integer, fraction, beyond 2^53), booleans, null,
        // lists and objects, as providers mean them.
        ("num_employees".into(), serde_json::json!(12)),
        ("amount".into(), serde_json::json!(1500.25)),
        ("big".into(), serde_json::json!(9_007_199_254_740_993_u64)),
        ("vip".into(), serde_json::json!(true)),
        ("fax".into(), serde_json::Value::Null),
        ("tags".into(), serde_json::json!(["a", "b, c", "\"q\""])),
        (
            "owner".into(),
            serde_json::json!({"id": "u1", "name": "Jane", "email": null}),
        ),
    ]);
    contact.associations = Some(BTreeMap::from([
        ("companies".to_string(), vec!["9".to_string()]),
        ("deals".to_string(), vec![]),
    ]));

    let mut page = IntegrationItem::new(ProviderId::Notion, "Page", "6f1c-aa01");
    page.name = Some("مرحبا بالعالم — שלום עולם ‏(RTL)‏ 🚀 日本語のページ".into());
    page.parent_path_or_name = Some("Roadmap / Q3 \"Launch\"".into());
    page.parent_id = Some("db-1".into());
    page.children = Some(vec!["c1".into(), "c2".into(), "c3".into()]);
    page.directory = true;
    page.properties.insert("Status".into(), "Done ✅".into());
    page.properties
        .insert("Ünïcödé key".into(), "\u{202e}reversed\u{202c}".into());

    let mut record = IntegrationItem::new(ProviderId::Airtable, "Record", "recABC");
    record.name = None;
    record.visibility = None;
    record.mime_type = Some("text/plain".into());
    record.delta = Some("d,1".into());
    record.drive_id = Some("appXYZ".into());
    record
        .properties
        .insert("Tab\tseparated".into(), "a\tb".into());

    let mut base = IntegrationItem::new(ProviderId::Airtable, "Base", "appXYZ");
    base.visibility = Some(false);
    base.children = Some(vec!["tbl1".into()]);
    base.name = Some(" leading and trailing spaces ".into());

    vec![contact, page, record, base]
}

fn export(items: &[IntegrationItem], format: ExportFormat, dir: &Path) -> (String, usize) {
    let path = dir.join(format!("items.{}", format.extension()));
    let summary = export_items(items, format, &path, None).unwrap();
    assert_eq!(summary.path, path);
    assert_eq!(summary.count, items.len());
    assert_eq!(summary.bytes, fs::metadata(&path).unwrap().len());
    let names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "only the export is left: {names:?}");
    let text = fs::read_to_string(&path).unwrap();
    fs::remove_file(&path).unwrap();
    (text, summary.count)
}

#[test]
fn json_parses_back_to_the_same_items() {
    let dir = tempfile::tempdir().unwrap();
    let items = tricky_items();
    let (text, _) = export(&items, ExportFormat::Json, dir.path());
    assert!(text.starts_with('['), "no BOM, an array");
    let back: Vec<IntegrationItem> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, items);
    // Every field is present on every object, null when unknown.
    let raw: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&text).unwrap();
    for obj in &raw {
        assert_eq!(obj.len(), CSV_HEADER.len());
    }
    assert_eq!(raw[2]["name"], serde_json::Value::Null);
    assert_eq!(raw[0]["creation_time"], "2024-01-02T03:04:05.678Z");
}

#[test]
fn ndjson_has_one_item_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let items = tricky_items();
    let (text, count) = export(&items, ExportFormat::Ndjson, dir.path());
    assert_eq!(text.lines().count(), count);
    assert!(text.ends_with('\n'));
    let back: Vec<IntegrationItem> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(back, items);
}

/// Rebuilds an item from a CSV record, as a spreadsheet user or a script would read it.
fn from_csv(record: &csv::StringRecord) -> IntegrationItem {
    let text = |i: usize| (!record[i].is_empty()).then(|| record[i].to_string());
    let flag = |i: usize| match &record[i] {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => panic!("not a boolean: {other}"),
    };
    IntegrationItem {
        id: text(0),
        item_type: text(1),
        directory: flag(2).expect("directory is never empty"),
        parent_path_or_name: text(3),
        parent_id: text(4),
        name: text(5),
        creation_time: text(6).map(|t| parse_time(Some(&t)).expect("an RFC 3339 time")),
        last_modified_time: text(7).map(|t| parse_time(Some(&t)).expect("an RFC 3339 time")),
        url: text(8),
        children: text(9).map(|c| c.split(';').map(String::from).collect()),
        mime_type: text(10),
        delta: text(11),
        drive_id: text(12),
        visibility: flag(13),
        provider: record[14].parse().unwrap(),
        properties: serde_json::from_str(&record[15]).unwrap(),
        associations: text(16).map(|a| serde_json::from_str(&a).unwrap()),
        table: None,
    }
}

#[test]
fn csv_parses_back_with_the_header_and_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let items = tricky_items();
    let (text, _) = export(&items, ExportFormat::Csv, dir.path());
    assert!(
        text.starts_with("id,type,directory,"),
        "header first, no BOM"
    );
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "id,type,directory,parent_path_or_name,parent_id,name,creation_time,\
         last_modified_time,url,children,mime_type,delta,drive_id,visibility,provider,properties,\
         associations"
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), items.len());
    for record in &records {
        assert_eq!(record.len(), CSV_HEADER.len());
    }

    // Spot checks of the spelled values.
    assert_eq!(&records[0][5], "Doe, Jane \"JD\"");
    assert_eq!(&records[0][6], "2024-01-02T03:04:05.678Z");
    assert_eq!(&records[0][7], "2024-06-30T21:59:59Z");
    assert_eq!(&records[0][9], "");
    assert_eq!(&records[0][13], "true");
    assert_eq!(&records[1][2], "true");
    assert_eq!(
        &records[1][5],
        "مرحبا بالعالم — שלום עולם ‏(RTL)‏ 🚀 日本語のページ"
    );
    assert_eq!(&records[1][9], "c1;c2;c3");
    assert_eq!(&records[2][5], "", "null is an empty field");
    assert_eq!(&records[2][13], "");
    assert_eq!(&records[2][14], "airtable");
    assert_eq!(&records[3][13], "false");
    assert_eq!(&records[3][5], " leading and trailing spaces ");
    let props: serde_json::Value = serde_json::from_str(&records[0][15]).unwrap();
    assert_eq!(
        props["notes"],
        "line one\nline two, \"quoted\"\r\nline three"
    );
    assert_eq!(
        props["amount"], 1500.25,
        "the properties column keeps JSON types"
    );
    assert_eq!(props["big"], 9_007_199_254_740_993_u64);
    assert_eq!(&records[0][16], r#"{"companies":["9"],"deals":[]}"#);
    assert_eq!(&records[1][16], "", "no associations is an empty field");

    let back: Vec<IntegrationItem> = records.iter().map(from_csv).collect();
    assert_eq!(back, items);
}

#[test]
fn empty_exports_are_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let (json, _) = export(&[], ExportFormat::Json, dir.path());
    assert_eq!(
        serde_json::from_str::<Vec<IntegrationItem>>(&json).unwrap(),
        vec![]
    );
    let (ndjson, _) = export(&[], ExportFormat::Ndjson, dir.path());
    assert_eq!(ndjson, "");
    let (csv_text, _) = export(&[], ExportFormat::Csv, dir.path());
    assert_eq!(csv_text, format!("{}\r\n", CSV_HEADER.join(",")));
}

#[test]
fn many_items_round_trip_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<IntegrationItem> = (0..5_000)
        .map(|i| {
            let mut item = tricky_items()[i % 4].clone();
            item.id = Some(format!("id-{i}"));
            item
        })
        .collect();
    let (json, _) = export(&items, ExportFormat::Json, dir.path());
    assert_eq!(
        json.lines().count(),
        items.len() + 2,
        "one line per item in the array"
    );
    assert_eq!(
        serde_json::from_str::<Vec<IntegrationItem>>(&json).unwrap(),
        items
    );
    let (ndjson, _) = export(&items, ExportFormat::Ndjson, dir.path());
    assert_eq!(ndjson.lines().count(), items.len());
    let (csv_text, _) = export(&items, ExportFormat::Csv, dir.path());
    let back: Vec<IntegrationItem> = csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| from_csv(&r.unwrap()))
        .collect();
    assert_eq!(back, items);
}

#[test]
fn a_filtered_view_exports_exactly_its_rows() {
    // The UI sends the keys of the rows in view; the shell passes the matching rows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("view.ndjson");
    let items = tricky_items();
    let view = items.iter().filter(|i| i.provider == ProviderId::Airtable);
    let summary = export_items(view, ExportFormat::Ndjson, &path, None).unwrap();
    assert_eq!(summary.count, 2);
    let text = fs::read_to_string(&path).unwrap();
    let back: Vec<IntegrationItem> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(back, items[2..].to_vec());
}
