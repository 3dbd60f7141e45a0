//! Item mapping over the fixtures in `tests/fixtures/<provider>/` (written from
//! shared/docs/providers.md, edge cases included).

mod mapping_support;

use junction_core::providers::hubspot::{
    associations as hubspot_associations, properties as hubspot_properties, CrmType, ObjectType,
};
use junction_core::providers::{
    airtable::mapping as airtable, hubspot::objects as hubspot, json as provider,
    notion::mapping as notion,
};
use junction_core::{IntegrationItem, ProviderId};
use serde_json::{json, Value};

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).expect(&full)).expect(&full)
}

fn by_id<'a>(items: &'a [IntegrationItem], id: &str) -> &'a IntegrationItem {
    items
        .iter()
        .find(|i| i.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// Every field is written (null when unknown) and times are RFC 3339 UTC.
fn assert_exportable(item: &IntegrationItem) {
    let v = serde_json::to_value(item).unwrap();
    assert_eq!(
        v.as_object().unwrap().len(),
        junction_core::item::FIELDS.len()
    );
    for key in ["creation_time", "last_modified_time"] {
        if let Some(t) = v[key].as_str() {
            assert!(t.ends_with('Z'), "{key} = {t}");
        }
    }
}

/// A page of `object` mapped with no definitions (every value its text) or the deal
/// definitions fixture.
fn hubspot_page(object: ObjectType, portal: Option<&str>, body: &Value) -> provider::Page {
    try_hubspot_page(object, portal, body).unwrap()
}

fn try_hubspot_page(
    object: ObjectType,
    portal: Option<&str>,
    body: &Value,
) -> Result<provider::Page, junction_core::Error> {
    let defs = if object == ObjectType::Deals {
        deal_definitions()
    } else {
        hubspot_properties::Definitions::new()
    };
    hubspot::parse_list_page(&CrmType::standard(object), &defs, portal, body)
}

fn deal_definitions() -> hubspot_properties::Definitions {
    hubspot_properties::parse_definitions(
        "/crm/properties/2026-09/deals",
        &fixture("hubspot/deal_properties.json"),
    )
    .unwrap()
}

#[test]
fn hubspot_values_are_typed_by_their_definitions() {
    let defs = deal_definitions();
    assert_eq!(defs.len(), 10);
    let crm = CrmType::standard(ObjectType::Deals);
    let body = fixture("hubspot/deals_batch_read_207.json");
    let page = hubspot::parse_list_page(&crm, &defs, Some("7"), &body).unwrap();
    assert_eq!(page.items.len(), 2, "the 207's found records are read");
    let renewal = by_id(&page.items, "402");
    let p = &renewal.properties;
    assert_eq!(p["hs_is_closed"], json!(true));
    assert_eq!(p["deal_tags"], json!(["hot", "renewal"]));
    assert_eq!(p["closedate"], json!("2026-01-01T00:00:00Z"), "epoch ms");
    assert_eq!(p["first_contact_day"], json!("2026-03-31"));
    assert_eq!(p["hs_num_of_associated_line_items"], json!(3));
    assert_eq!(p["hs_object_id"], json!(402));
    assert_eq!(p["pipeline"], json!("default"), "a select stays text");
    assert!(!p.contains_key("amount"), "an empty number is no value");
    assert!(!p.contains_key("dealstage"), "null is no value");
    let big = by_id(&page.items, "401");
    assert_eq!(big.properties["amount"], json!(1500.0));
    assert_eq!(big.properties["hs_is_closed"], json!(false));
    assert_eq!(big.properties["deal_tags"], json!([]));
    assert_eq!(
        big.properties["unknown_since_read"],
        json!("7"),
        "undefined: its text"
    );
    assert_eq!(big.name.as_deref(), Some("Big deal"));
    // The Name column reads as text whatever the types.
    assert_eq!(renewal.name.as_deref(), Some("Renewal 2027"));
    assert_exportable(big);
}

#[test]
fn hubspot_associations_and_custom_schemas() {
    let batch = hubspot_associations::parse(
        "/crm/associations/2026-09/contacts/companies/batch/read",
        &fixture("hubspot/associations_contacts_companies.json"),
    )
    .unwrap();
    assert_eq!(batch.found["101"], vec!["5790939450", "5790939451"]);
    assert_eq!(batch.found["102"], vec!["5790939450"]);
    assert_eq!(batch.more.len(), 1, "101 has another page");
    assert_eq!(
        batch.more[0].after.as_deref(),
        Some("MC0yLTE1OTc0MDA2NTg%3D")
    );

    let schemas = fixture("hubspot/schemas.json");
    let (cars, defs) = CrmType::custom(&schemas["results"][0]).unwrap();
    assert_eq!(
        (cars.item_type.as_str(), cars.plural.as_str()),
        ("Car", "Cars")
    );
    let item = hubspot::map_record(
        &cars,
        &defs,
        Some("7878787"),
        &json!({"id": "9", "properties": {"model": "Zoe", "year": "2021", "electric": "true"},
                "createdAt": "2025-06-01T09:00:00.000Z", "updatedAt": "2025-06-02T09:00:00.000Z",
                "archived": false}),
    )
    .unwrap();
    assert_eq!(item.item_type.as_deref(), Some("Car"));
    assert_eq!(item.name.as_deref(), Some("Zoe"));
    assert_eq!(item.properties["year"], json!(2021));
    assert_eq!(item.properties["electric"], json!(true));
    assert_eq!(
        item.url.as_deref(),
        Some("https://app.hubspot.com/contacts/7878787/record/2-123456/9")
    );
    assert_eq!(item.visibility, Some(true));
}

#[test]
fn hubspot_contacts_page() {
    let page = hubspot_page(
        ObjectType::Contacts,
        Some("4242"),
        &fixture("hubspot/contacts_page.json"),
    );
    assert_eq!(
        page.next.as_deref(),
        Some("109"),
        "the after cursor, not the link"
    );
    assert_eq!(page.items.len(), 8);
    assert_eq!(page.skipped, 2, "no id / not an object");
    page.items.iter().for_each(assert_exportable);

    let ada = by_id(&page.items, "101");
    assert_eq!(ada.provider, ProviderId::Hubspot);
    assert_eq!(ada.item_type.as_deref(), Some("Contact"));
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        ada.url.as_deref(),
        Some("https://app.hubspot.com/contacts/4242/record/0-1/101")
    );
    let json = serde_json::to_value(ada).unwrap();
    assert_eq!(json["creation_time"], "2024-01-02T03:04:05.678Z");
    assert_eq!(json["last_modified_time"], "2024-02-03T04:05:06Z");
    assert_eq!(ada.properties["email"], "ada@example.com");
    assert_eq!(json["parent_id"], Value::Null);
    assert_eq!(json["children"], Value::Null);

    assert_eq!(
        by_id(&page.items, "102").name.as_deref(),
        Some("only.email@example.com")
    );
    let nothing = by_id(&page.items, "103");
    assert_eq!(nothing.name, None);
    assert!(
        !nothing.properties.contains_key("firstname"),
        "null values are kept out"
    );
    assert_eq!(nothing.properties["hs_object_id"], "103");
    assert_eq!(
        by_id(&page.items, "104").name.as_deref(),
        Some("Zoë Ørsted-李")
    );
    let long = by_id(&page.items, "105").name.clone().unwrap();
    assert!(long.chars().count() > 600 && long.ends_with("end"));
    assert_eq!(by_id(&page.items, "106").name.as_deref(), Some("Solo"));
    let odd = by_id(&page.items, "107");
    assert_eq!((odd.creation_time, odd.last_modified_time), (None, None));
    assert!(odd.properties.is_empty());
}

#[test]
fn hubspot_companies_and_deals() {
    let page = hubspot_page(
        ObjectType::Companies,
        None,
        &fixture("hubspot/companies_last_page.json"),
    );
    assert_eq!(page.next, None, "absent paging = last page");
    assert_eq!(
        by_id(&page.items, "101").item_type.as_deref(),
        Some("Company")
    );
    assert_eq!(by_id(&page.items, "101").url, None, "no portal id, no url");
    assert_eq!(
        by_id(&page.items, "202").name.as_deref(),
        Some("domain-only.example")
    );
    assert_eq!(by_id(&page.items, "203").name, None);
    assert_eq!(
        by_id(&page.items, "203")
            .properties
            .get("name")
            .and_then(serde_json::Value::as_str),
        Some("")
    );
    assert_eq!(
        by_id(&page.items, "204").name.as_deref(),
        Some("株式会社テスト")
    );

    let page = hubspot_page(
        ObjectType::Deals,
        Some("1"),
        &fixture("hubspot/deals_page.json"),
    );
    assert_eq!(page.next.as_deref(), Some("NTI1Cg%3D%3D"));
    let deal = by_id(&page.items, "301");
    assert_eq!(deal.name.as_deref(), Some("Big deal"));
    assert_eq!(
        deal.properties["amount"],
        json!(1500.0),
        "typed as a number"
    );
    assert_eq!(deal.properties["hs_is_closed"], json!(false));
    assert_eq!(
        deal.url.as_deref(),
        Some("https://app.hubspot.com/contacts/1/record/0-3/301")
    );
    assert_eq!(by_id(&page.items, "302").name, None);

    // Same id, different types: different rows.
    let contact = IntegrationItem::new(ProviderId::Hubspot, "Contact", "101");
    let company = hubspot_page(
        ObjectType::Companies,
        None,
        &fixture("hubspot/companies_last_page.json"),
    )
    .items
    .remove(0);
    assert_ne!(contact.key(), company.key());
}

#[test]
fn hubspot_wrong_shapes_are_errors() {
    for body in [
        json!([]),
        json!({"results": {}}),
        json!({"paging": {}}),
        json!("x"),
    ] {
        let err = try_hubspot_page(ObjectType::Deals, None, &body).unwrap_err();
        assert_eq!(err.code(), "provider_response", "{body}");
        assert!(err.to_string().contains("/crm/objects/2026-09/deals"));
    }
    // An empty list with odd paging is fine.
    let page = hubspot_page(
        ObjectType::Deals,
        None,
        &json!({"results": [], "paging": {"next": {}}}),
    );
    assert_eq!((page.items.len(), page.next), (0, None));
}

#[test]
fn airtable_bases_tables_records() {
    let p1 = airtable::parse_bases_page(&fixture("airtable/bases_page1.json")).unwrap();
    assert_eq!(
        p1.offset.as_deref(),
        Some("itr23sEjsdfEr3282/appSW9R5uCNmRmfl6")
    );
    assert_eq!((p1.bases.len(), p1.skipped), (2, 1));
    let p2 = airtable::parse_bases_page(&fixture("airtable/bases_page2.json")).unwrap();
    assert_eq!(p2.offset, None);
    assert_eq!(p2.bases[0].name, None, "empty name is unknown");

    let base = &p1.bases[0];
    let base_item = airtable::base_item(base);
    assert_eq!(
        base_item.id.as_deref(),
        Some("appSW9R5uCNmRmfl6"),
        "no _Base suffix"
    );
    assert_eq!(base_item.item_type.as_deref(), Some("Base"));
    assert!(base_item.directory);
    assert_eq!(
        base_item.url.as_deref(),
        Some("https://airtable.com/appSW9R5uCNmRmfl6")
    );

    let tables = airtable::parse_tables(&base.id, &fixture("airtable/tables.json")).unwrap();
    assert_eq!(tables.len(), 4, "the table without id is dropped");
    let people = &tables[0];
    assert_eq!(people.primary_field_name.as_deref(), Some("名前"));
    assert_eq!(tables[3].primary_field_name, None);
    let table_item = airtable::table_item(base, people);
    assert_eq!(table_item.parent_id.as_deref(), Some("appSW9R5uCNmRmfl6"));
    assert_eq!(table_item.parent_path_or_name.as_deref(), Some("Sales CRM"));
    assert_eq!(
        table_item.url.as_deref(),
        Some("https://airtable.com/appSW9R5uCNmRmfl6/tblPeople00000001")
    );
    assert!(table_item.directory);

    let companies = |id: &str| (id == "recCompany000001").then(|| "Acme".to_string());
    let page = airtable::parse_records_page(
        base,
        people,
        &fixture("airtable/records_page.json"),
        &companies,
    )
    .unwrap();
    assert_eq!(page.next.as_deref(), Some("itrABC/rec0000000000005"));
    assert_eq!((page.items.len(), page.skipped), (5, 1));
    page.items.iter().for_each(assert_exportable);
    let ada = by_id(&page.items, "rec0000000000001");
    assert_eq!(ada.item_type.as_deref(), Some("Record"));
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.parent_id.as_deref(), Some("tblPeople00000001"));
    assert_eq!(ada.parent_path_or_name.as_deref(), Some("Sales CRM/People"));
    assert_eq!(
        ada.url.as_deref(),
        Some("https://airtable.com/appSW9R5uCNmRmfl6/tblPeople00000001/rec0000000000001")
    );
    assert_eq!(
        serde_json::to_value(ada).unwrap()["creation_time"],
        "2024-03-04T05:06:07Z"
    );
    let p = &ada.properties;
    assert_eq!(p["Age"], json!(36.5));
    assert_eq!(p["Tags"], json!(["math", "poetry"]));
    assert_eq!(
        p["Owner"],
        json!({"id": "usrAAA", "email": "owner@example.com", "name": "Owner Name"})
    );
    assert_eq!(
        p["Files"],
        json!([{"id": "attA", "url": "https://dl.airtable.com/a.png", "filename": "a.png",
                "size": 10, "type": "image/png"}])
    );
    assert_eq!(
        p["Company"],
        json!([{"id": "recCompany000001", "name": "Acme"}, {"id": "recCompany000002", "name": null}]),
        "named when loaded, else null"
    );
    assert_eq!(p["Done"], json!(true));
    assert_eq!(ada.table.as_ref().unwrap().name, "Sales CRM / People");

    let empty = by_id(&page.items, "rec0000000000002");
    assert_eq!(empty.name, None);
    assert_eq!(
        serde_json::to_value(&empty.properties).unwrap(),
        json!({"Done": false}),
        "Airtable leaves unticked boxes out"
    );
    let odd = by_id(&page.items, "rec0000000000003");
    assert_eq!(odd.properties["Formula"], json!({"error": "NaN"}));
    assert_eq!(
        odd.properties["Button"],
        json!({"label": "Open", "url": "https://x"})
    );
    assert_eq!(
        odd.properties["Notes"],
        json!("line 1\nline 2"),
        "not in the schema: as sent"
    );
    assert_eq!(by_id(&page.items, "rec0000000000005").creation_time, None);

    let numbers = airtable::parse_records_page(
        base,
        &tables[1],
        &fixture("airtable/records_numbers_last.json"),
        &airtable::no_link_names,
    )
    .unwrap();
    assert_eq!(numbers.next, None);
    assert_eq!(numbers.items[0].name.as_deref(), Some("1234567.891"));
    assert_eq!(numbers.items[1].name.as_deref(), Some("-3"));
    let lists = airtable::parse_records_page(
        base,
        &tables[2],
        &fixture("airtable/records_lists_last.json"),
        &airtable::no_link_names,
    )
    .unwrap();
    assert_eq!(lists.items[0].name.as_deref(), Some("Ann, b@example.com"));

    // children: base → tables; table → records only when records were loaded.
    let mut items = vec![base_item.clone(), table_item.clone()];
    items.extend(page.items.clone());
    mapping_support::link_children(&mut items, true);
    assert_eq!(
        items[0].children.as_deref(),
        Some(&["tblPeople00000001".to_string()][..])
    );
    assert_eq!(items[1].children.as_ref().unwrap().len(), 5);
    let mut shallow = vec![base_item, table_item];
    mapping_support::link_children(&mut shallow, false);
    assert_eq!(shallow[1].children, None);
}

/// Every field type of Airtable's field model, each cell as the API reference shows
/// it, typed as issue 10 asks.
#[test]
fn airtable_every_field_type() {
    let types = [
        ("Text", "singleLineText", json!("hi"), json!("hi")),
        ("Long", "multilineText", json!("a\nb"), json!("a\nb")),
        ("Rich", "richText", json!("**b**\n"), json!("**b**\n")),
        ("Mail", "email", json!("a@b.c"), json!("a@b.c")),
        ("Site", "url", json!("https://x"), json!("https://x")),
        ("Tel", "phoneNumber", json!("+1 555"), json!("+1 555")),
        ("Num", "number", json!(1.5), json!(1.5)),
        ("Pct", "percent", json!(0.125), json!(0.125)),
        ("Money", "currency", json!(19.99), json!(19.99)),
        ("Stars", "rating", json!(4), json!(4)),
        ("Spent", "duration", json!(3600), json!(3600)),
        ("No", "autoNumber", json!(7), json!(7)),
        ("Links n", "count", json!(2), json!(2)),
        ("Tick", "checkbox", json!(true), json!(true)),
        ("One", "singleSelect", json!("Todo"), json!("Todo")),
        (
            "Many",
            "multipleSelects",
            json!(["a", "b"]),
            json!(["a", "b"]),
        ),
        ("Day", "date", json!("2022-09-05"), json!("2022-09-05")),
        (
            "At",
            "dateTime",
            json!("2022-09-05T07:00:00.000Z"),
            json!("2022-09-05T07:00:00.000Z"),
        ),
        (
            "Made",
            "createdTime",
            json!("2022-09-05T07:00:00.000Z"),
            json!("2022-09-05T07:00:00.000Z"),
        ),
        (
            "Changed",
            "lastModifiedTime",
            json!("2022-09-06"),
            json!("2022-09-06"),
        ),
        (
            "Who",
            "singleCollaborator",
            json!({"id": "usr1", "email": "a@b.c", "name": "Ann"}),
            json!({"id": "usr1", "email": "a@b.c", "name": "Ann"}),
        ),
        (
            "Group",
            "multipleCollaborators",
            json!([{"id": "ugp1", "name": "Team"}, {"id": "usr2", "email": "g@b.c"}]),
            json!([{"id": "ugp1", "email": null, "name": "Team"}, {"id": "usr2", "email": "g@b.c", "name": null}]),
        ),
        (
            "By",
            "createdBy",
            json!({"id": "usr1", "email": "a@b.c", "name": "Ann"}),
            json!({"id": "usr1", "email": "a@b.c", "name": "Ann"}),
        ),
        (
            "Edited by",
            "lastModifiedBy",
            json!({"id": "usr3"}),
            json!({"id": "usr3", "email": null, "name": null}),
        ),
        (
            "Link",
            "multipleRecordLinks",
            json!(["recA", "recB"]),
            json!([{"id": "recA", "name": "Alpha"}, {"id": "recB", "name": null}]),
        ),
        (
            "Files",
            "multipleAttachments",
            json!([{"id": "att1", "url": "https://u/f.png", "filename": "f.png", "size": 10, "type": "image/png",
                    "width": 2, "height": 2, "thumbnails": {"small": {"url": "s", "width": 1, "height": 1}}}]),
            json!([{"id": "att1", "url": "https://u/f.png", "filename": "f.png", "size": 10, "type": "image/png"}]),
        ),
        (
            "Code",
            "barcode",
            json!({"text": "012", "type": "upce"}),
            json!({"text": "012", "type": "upce"}),
        ),
        (
            "Go",
            "button",
            json!({"label": "Open", "url": null}),
            json!({"label": "Open", "url": null}),
        ),
        ("Calc", "formula", json!(3), json!(3)),
        (
            "Broken",
            "formula",
            json!({"error": "#ERROR!"}),
            json!({"error": "#ERROR!"}),
        ),
        (
            "Zero",
            "formula",
            json!({"specialValue": "NaN"}),
            json!({"error": "NaN"}),
        ),
        (
            "Far",
            "formula",
            json!({"specialValue": "Infinity"}),
            json!({"error": "Infinity"}),
        ),
        (
            "Names",
            "multipleLookupValues",
            json!(["Alpha", {"error": "#ERROR!"}]),
            json!(["Alpha", {"error": "#ERROR!"}]),
        ),
        ("Total", "rollup", json!(5.5), json!([5.5])),
        ("Uniq", "rollup", json!(["x", "y"]), json!(["x", "y"])),
        ("Sync", "externalSyncSource", json!("Jira"), json!("Jira")),
        (
            "AI",
            "aiText",
            json!({"state": "generated", "isStale": false, "value": "v"}),
            json!({"state": "generated", "isStale": false, "value": "v"}),
        ),
        (
            "Later",
            "someTypeAddedIn2027",
            json!({"new": [1]}),
            json!({"new": [1]}),
        ),
    ];
    let fields: Vec<Value> = types
        .iter()
        .enumerate()
        .map(|(i, (name, kind, _, _))| json!({"id": format!("fld{i:014}"), "name": name, "type": kind}))
        .collect();
    let tables = json!({"tables": [{"id": "tblAll", "name": "All", "primaryFieldId": "fld00000000000000",
        "fields": fields, "views": []}]});
    let table = &airtable::parse_tables("appA", &tables).unwrap()[0];
    assert_eq!(table.fields.len(), types.len());
    let cells: serde_json::Map<String, Value> = types
        .iter()
        .map(|(name, _, cell, _)| (name.to_string(), cell.clone()))
        .collect();
    let base = airtable::BaseInfo {
        id: "appA".into(),
        name: Some("B".into()),
        permission_level: None,
    };
    let names = |id: &str| (id == "recA").then(|| "Alpha".to_string());
    let item = airtable::map_record(
        &base,
        table,
        &json!({"id": "rec1", "fields": cells}),
        &names,
    )
    .unwrap();
    for (name, kind, _, want) in &types {
        assert_eq!(&item.properties[*name], want, "{name} ({kind})");
    }
    assert_eq!(item.properties.len(), types.len(), "nothing is dropped");
    assert_eq!(
        item.name.as_deref(),
        Some("hi"),
        "the Name column stays text"
    );
    // A record with no cells: only the checkbox, unticked.
    let bare =
        airtable::map_record(&base, table, &json!({"id": "rec2", "fields": {}}), &names).unwrap();
    assert_eq!(
        serde_json::to_value(&bare.properties).unwrap(),
        json!({"Tick": false})
    );
}

#[test]
fn airtable_wrong_shapes_are_errors() {
    assert_eq!(
        airtable::parse_bases_page(&json!({"bases": null}))
            .unwrap_err()
            .code(),
        "provider_response"
    );
    let err = airtable::parse_tables("appX", &json!({})).unwrap_err();
    assert!(
        err.to_string().contains("/v0/meta/bases/appX/tables"),
        "{err}"
    );
    let base = airtable::BaseInfo {
        id: "appX".into(),
        name: None,
        permission_level: None,
    };
    let table = airtable::TableInfo {
        id: "tblY".into(),
        name: None,
        description: None,
        primary_field_id: None,
        primary_field_name: None,
        fields: Vec::new(),
    };
    let err = airtable::parse_records_page(&base, &table, &json!([1]), &airtable::no_link_names)
        .unwrap_err();
    assert!(err.to_string().contains("/v0/appX/tblY"), "{err}");
}

/// The items of a search page: pages, then data sources.
fn search_items(page: &notion::SearchPage) -> Vec<IntegrationItem> {
    let mut items: Vec<IntegrationItem> = page.pages.iter().map(|p| p.item.clone()).collect();
    items.extend(page.data_sources.iter().map(|s| s.item.clone()));
    items
}

#[test]
fn notion_search_2022() {
    // The 2022-06-28 fixtures still map (pages only: databases are not data sources).
    let page = notion::parse_search_page(&fixture("notion/search_2022_page1.json")).unwrap();
    assert_eq!(
        page.next.as_deref(),
        Some("a1b2c3d4-0000-4000-8000-000000000006")
    );
    assert_eq!(
        (page.pages.len(), page.data_sources.len(), page.skipped),
        (5, 0, 4),
        "user objects, id-less results and 2022 database objects skipped"
    );
    let items = search_items(&page);
    items.iter().for_each(assert_exportable);

    let task = by_id(&items, "a1b2c3d4-0000-4000-8000-000000000001");
    assert_eq!(task.item_type.as_deref(), Some("Page"));
    assert_eq!(
        task.name.as_deref(),
        Some("Tâche 2024-05-01 – E=mc^2"),
        "title under 名前, plain_text"
    );
    assert_eq!(
        task.parent_id.as_deref(),
        Some("d9824bdc-8445-4327-be8b-5b47500af6ce")
    );
    assert_eq!(
        task.url.as_deref(),
        Some("https://www.notion.so/a1b2c3d4000040008000000000000001")
    );
    let json = serde_json::to_value(task).unwrap();
    assert_eq!(json["creation_time"], "2024-01-01T10:00:00Z");
    assert_eq!(json["last_modified_time"], "2024-01-02T11:30:00Z");
    let p = &task.properties;
    let expect = [
        ("Notes", json!("Some notes")),
        ("Empty notes", json!("")),
        ("Count", json!(42)),
        ("Nothing", Value::Null),
        ("Stage", json!("Doing")),
        ("No stage", Value::Null),
        ("Tags", json!(["red", "blue"])),
        ("Due", json!({"start": "2024-01-01", "end": "2024-01-05"})),
        (
            "When",
            json!({"start": "2024-02-01T10:00:00.000+02:00", "end": null}),
        ),
        ("Done", json!(false)),
        ("Link", json!("https://example.com")),
        ("Mail", json!("x@example.com")),
        ("Phone", json!("+1 555 0100")),
        (
            "People",
            json!([{"id": "u1", "name": "Ann", "email": "ann@example.com"},
                   {"id": "u2", "name": null, "email": null}]),
        ),
        ("Related", json!(["r1", "r2"])),
        ("Calc", json!(3.5)),
        ("Calc date", json!({"start": "2024-03-03", "end": null})),
        ("Roll", json!(["x", "y"])),
        ("Status", json!("In progress")),
        ("Created", json!("2024-01-01T10:00:00.000Z")),
        (
            "Edited by",
            json!({"id": "u3", "name": "Bob", "email": null}),
        ),
        (
            "Files",
            json!([{"name": "doc.pdf", "url": "https://x/doc.pdf"}]),
        ),
        ("ID", json!("TASK-12")),
        ("Button", Value::Null),
        ("名前", json!("Tâche 2024-05-01 – E=mc^2")),
    ];
    for (k, v) in &expect {
        assert_eq!(p.get(*k), Some(v), "property {k}");
    }
    assert_eq!(p.len(), expect.len(), "every property, nothing dropped");

    let roadmap = by_id(&items, "59833787-2cf9-4fdf-8782-e53db20768a5");
    assert_eq!(roadmap.name.as_deref(), Some("Roadmap"));
    assert_eq!(roadmap.parent_id, None, "workspace parent");
    let untitled = by_id(&items, "a1b2c3d4-0000-4000-8000-000000000003");
    assert_eq!(
        untitled.name, None,
        "untitled is null, never 'multi_select'"
    );
    let block_child = by_id(&items, "a1b2c3d4-0000-4000-8000-000000000004");
    assert_eq!(block_child.name.as_deref(), Some("Multi-segment title"));
    assert_eq!(
        block_child.parent_id.as_deref(),
        Some("b10c0000-0000-4000-8000-000000000000")
    );
    let partial = page
        .pages
        .iter()
        .find(|p| p.item.id.as_deref() == Some("a1b2c3d4-0000-4000-8000-000000000005"))
        .unwrap();
    assert!(partial.partial, "read again for the rest");
    assert_eq!(
        (
            partial.item.name.as_ref(),
            partial.item.url.as_ref(),
            partial.item.creation_time
        ),
        (None, None, None)
    );

    // Second pass: parent names from the loaded set, wherever the parent came in it.
    let last = notion::parse_search_page(&fixture("notion/search_2022_last.json")).unwrap();
    assert_eq!(last.next, None);
    let mut all = items.clone();
    all.extend(search_items(&last));
    mapping_support::fill_parent_names(&mut all);
    let no_type = by_id(&all, "a1b2c3d4-0000-4000-8000-000000000007");
    assert_eq!(
        no_type.parent_id.as_deref(),
        Some("59833787-2cf9-4fdf-8782-e53db20768a5")
    );
    assert_eq!(no_type.parent_path_or_name.as_deref(), Some("Roadmap"));
    assert!(by_id(&all, "a1b2c3d4-0000-4000-8000-000000000006")
        .name
        .as_deref()
        .unwrap()
        .starts_with("🚀 Ünïcødé"));
}

#[test]
fn notion_search_2026() {
    let page = notion::parse_search_page(&fixture("notion/search_2026.json")).unwrap();
    assert_eq!(page.next, None);
    assert_eq!(page.skipped, 2, "a user and an id-less data source");
    let roadmap = &page.pages[0];
    assert_eq!(roadmap.item.name.as_deref(), Some("Roadmap"));
    assert!(!roadmap.partial && !roadmap.in_trash && roadmap.row_of.is_none());

    // Data sources: parent = their database; a partial one has none yet.
    let active = &page.data_sources[0];
    assert_eq!(active.item.item_type.as_deref(), Some("Data source"));
    assert_eq!(active.name.as_deref(), Some("Active"));
    assert_eq!(
        active.database_id.as_deref(),
        Some("27a5d30a-1728-4a1e-a788-71341f22fb97")
    );
    assert_eq!(active.item.parent_id, active.database_id);
    assert_eq!(active.item.properties["description"], "Work in flight");
    assert!(active.item.directory);
    let partial = &page.data_sources[1];
    assert_eq!(
        (partial.database_id.as_ref(), partial.name.as_ref()),
        (None, None)
    );

    // A row: its data source and database, and the relation cut at 25.
    let row = page
        .pages
        .iter()
        .find(|p| p.item.id.as_deref() == Some("a1b2c3d4-0000-4000-8000-0000000000a1"))
        .unwrap();
    assert_eq!(
        row.row_of,
        Some((
            "164b19c5-58e5-4a47-a3a9-c905d9519c65".into(),
            Some("27a5d30a-1728-4a1e-a788-71341f22fb97".into())
        ))
    );
    assert_eq!(
        row.item.parent_id.as_deref(),
        Some("164b19c5-58e5-4a47-a3a9-c905d9519c65")
    );
    assert_eq!(
        row.truncated,
        vec![notion::Truncated {
            name: "Related".into(),
            id: "rel%3A1".into()
        }]
    );
    let trashed = page
        .pages
        .iter()
        .find(|p| p.item.id.as_deref() == Some("a1b2c3d4-0000-4000-8000-0000000000b2"))
        .unwrap();
    assert!(trashed.in_trash);
    let partial_page = page.pages.last().unwrap();
    assert!(partial_page.partial);
    for p in &page.pages {
        assert_exportable(&p.item);
    }
}

#[test]
fn notion_database_and_data_source_2026() {
    let db = notion::read_database(&fixture("notion/database_2026.json")).unwrap();
    assert!(!db.in_trash);
    let item = &db.item;
    assert_eq!(item.item_type.as_deref(), Some("Database"));
    assert_eq!(item.name.as_deref(), Some("Tasks"));
    assert_eq!(
        item.parent_id.as_deref(),
        Some("59833787-2cf9-4fdf-8782-e53db20768a5")
    );
    assert_eq!(item.properties["description"], "Everything we ship");
    assert!(item.directory);
    assert_eq!(
        db.data_sources,
        vec![
            (
                "164b19c5-58e5-4a47-a3a9-c905d9519c65".to_string(),
                Some("Active".to_string())
            ),
            (
                "25c104cd-477e-8047-836b-000b4aa4bc94".to_string(),
                Some("Archive".to_string())
            ),
        ]
    );
    assert_eq!(
        item.children.as_deref(),
        Some(
            &[
                "164b19c5-58e5-4a47-a3a9-c905d9519c65".to_string(),
                "25c104cd-477e-8047-836b-000b4aa4bc94".to_string()
            ][..]
        )
    );
    let json = serde_json::to_value(item).unwrap();
    assert_eq!(json["creation_time"], "2025-08-07T17:11:07.504Z");
    assert_exportable(item);

    let source = notion::read_data_source(&fixture("notion/data_source_2026.json")).unwrap();
    assert_eq!(source.name.as_deref(), Some("Active"));
    assert_eq!(source.item.parent_id, source.database_id);
    assert!(
        source.item.properties.is_empty(),
        "the schema is not values"
    );
    // Rows show "Database / Data source", or the database alone with one source.
    assert_eq!(
        notion::row_label(Some("Tasks"), Some("Active"), 2),
        "Tasks / Active"
    );
    assert_eq!(notion::row_label(Some("Tasks"), Some("Active"), 1), "Tasks");
    // A data source id is not a database: the mappers tell the objects apart.
    assert!(notion::read_database(&fixture("notion/data_source_2026.json")).is_none());
    assert!(notion::read_data_source(&fixture("notion/database_2026.json")).is_none());
}

/// Every property type, as the API reference shows its value.
#[test]
fn notion_rows_2026_every_property_type() {
    let page = notion::parse_query_page(
        "164b19c5-58e5-4a47-a3a9-c905d9519c65",
        &fixture("notion/query_2026_rows.json"),
    )
    .unwrap();
    assert!(page.incomplete, "request_status: incomplete");
    assert_eq!(
        page.next.as_deref(),
        Some("e6c6f5ff-10b6-4f9e-8d0c-7f52b3e0a1c4")
    );
    assert_eq!(page.rows.len(), 3);
    assert_eq!(page.skipped, 2, "a wiki's data source and an id-less page");
    assert_eq!(
        page.last_created.as_deref(),
        Some("2026-02-10T09:14:00.000Z")
    );

    let row = &page.rows[0];
    assert_exportable(&row.item);
    assert_eq!(
        row.item.name.as_deref(),
        Some("Ship Roadmap by 2026-04-01: e^{i\\pi}+1=0"),
        "mentions and equations by their plain_text"
    );
    let person = json!({"id": "e79a0b74-3aba-4149-9f74-0bb5791a6ee6", "name": "Ada Lovelace", "email": "ada@example.com"});
    let partial_user =
        json!({"id": "9c8b7a6d-0000-4000-8000-000000000001", "name": null, "email": null});
    let refs: Vec<Value> = (0..25)
        .map(|i| json!(format!("a0000000-0000-4000-8000-{i:012}")))
        .collect();
    let expect = [
        ("Task", json!("Ship Roadmap by 2026-04-01: e^{i\\pi}+1=0")),
        ("Notes", json!("Line one\nline two with a link")),
        ("Empty notes", json!("")),
        ("Estimate", json!(3.5)),
        ("Count", json!(42)),
        ("No number", Value::Null),
        ("Priority", json!("High")),
        ("No priority", Value::Null),
        ("Tags", json!(["Q1", "Ünïcødé 🚀"])),
        ("No tags", json!([])),
        ("Status", json!("In progress")),
        ("Due", json!({"start": "2026-04-01", "end": "2026-04-03"})),
        (
            "Meeting",
            json!({"start": "2026-04-02T09:30:00.000", "end": null, "time_zone": "Europe/Paris"}),
        ),
        ("No date", Value::Null),
        ("Done", json!(true)),
        (
            "Owners",
            json!([person.clone(), partial_user.clone(),
                   {"id": "6b786605-8a1d-4c4b-9f63-5ff4f7c0b1d2", "name": "Junction", "email": null},
                   {"id": "5e37c1b4-0000-4000-8000-0000000000c1", "name": "Engineering", "email": null}]),
        ),
        ("Related", Value::Array(refs)),
        (
            "Parent task",
            json!(["b0000000-0000-4000-8000-000000000001"]),
        ),
        ("Label", json!("High · 3.5")),
        ("Score", json!(7)),
        ("Late", json!(false)),
        (
            "Next review",
            json!({"start": "2026-05-01T00:00:00.000+00:00", "end": null}),
        ),
        ("Broken", Value::Null),
        ("Empty formula", Value::Null),
        ("Total", json!(128.25)),
        ("Latest", json!({"start": "2026-03-30", "end": null})),
        (
            "Names",
            json!(["Alpha", 2, {"start": "2026-01-01", "end": null}, [partial_user.clone()]]),
        ),
        ("Unique", Value::Null),
        (
            "Spec",
            json!([{"name": "spec.pdf", "url": "https://prod-files-secure.s3.us-west-2.amazonaws.com/spec.pdf?X-Amz-Expires=3600"},
                   {"name": "Figma", "url": "https://figma.com/file/abc"}]),
        ),
        ("Site", json!("https://example.com/ship")),
        ("No site", Value::Null),
        ("Mail", json!("ada@example.com")),
        ("Phone", json!("+33 1 23 45 67 89")),
        ("Created", json!("2026-02-10T09:14:00.000Z")),
        ("Edited", json!("2026-03-01T17:02:00.000Z")),
        ("Created by", person),
        ("Edited by", partial_user),
        ("ID", json!("TASK-42")),
        ("Seq", json!(7)),
        ("Verified", json!("verified")),
        ("Unverified", json!("unverified")),
        ("Go", Value::Null),
        (
            "Office",
            json!({"lat": 48.8584, "lon": 2.2945, "name": "Tour Eiffel", "address": "Champ de Mars, Paris",
                   "google_place_id": "ChIJLU7jZClu5kcR4PcOOO6p3I0"}),
        ),
        ("Someday", json!({"text": "A type added later"})),
    ];
    let p = &row.item.properties;
    for (k, v) in &expect {
        assert_eq!(p.get(*k), Some(v), "property {k}");
    }
    assert_eq!(p.len(), expect.len(), "every property, nothing dropped");
    assert_eq!(
        row.truncated,
        vec![notion::Truncated {
            name: "Related".into(),
            id: "rel%3A1".into()
        }],
        "only the relation with has_more waits for the property endpoint"
    );
    // Typed values survive JSON: numbers stay numbers, booleans booleans.
    let json = serde_json::to_value(&row.item).unwrap();
    assert!(json["properties"]["Count"].is_u64());
    assert!(json["properties"]["Done"].is_boolean());
    let back: IntegrationItem = serde_json::from_value(json).unwrap();
    assert_eq!(back.properties, row.item.properties);

    // Archived (2026): loaded, not visible; untitled: no name.
    let archived = &page.rows[1];
    assert_eq!(archived.item.visibility, Some(false));
    assert_eq!(archived.item.name, None);
    assert!(page.rows[2].partial);
}

#[test]
fn notion_block_children_2026() {
    let page = notion::parse_children_page(
        "59833787-2cf9-4fdf-8782-e53db20768a5",
        &fixture("notion/block_children_2026.json"),
    )
    .unwrap();
    assert_eq!(
        page.next.as_deref(),
        Some("c0000000-0000-4000-8000-000000000009")
    );
    assert_eq!(
        page.pages,
        vec!["a1b2c3d4-0000-4000-8000-0000000000c1".to_string()],
        "the trashed child page is left out"
    );
    assert_eq!(
        page.databases,
        vec!["27a5d30a-1728-4a1e-a788-71341f22fb97".to_string()],
        "a child database's block id is the database id"
    );
    assert_eq!(
        page.containers,
        vec![
            "b10c0000-0000-4000-8000-000000000001".to_string(),
            "c0000000-0000-4000-8000-000000000002".to_string(),
            "c0000000-0000-4000-8000-000000000003".to_string(),
            "c0000000-0000-4000-8000-000000000005".to_string(),
        ],
        "toggle, column list, synced block, meeting notes; not the table"
    );
    assert_eq!(page.skipped, 1, "the id-less block");
}

#[test]
fn notion_relation_pages_2026() {
    let endpoint = "/v1/pages/a1b2c3d4-0000-4000-8000-0000000000a1/properties/rel%3A1";
    let first =
        notion::parse_relation_page(endpoint, &fixture("notion/property_relation_page1.json"))
            .unwrap();
    assert_eq!(first.ids.len(), 25);
    assert_eq!(first.next.as_deref(), Some("cGFnZS0y"));
    let last =
        notion::parse_relation_page(endpoint, &fixture("notion/property_relation_last.json"))
            .unwrap();
    assert_eq!(last.ids.len(), 5);
    assert_eq!(last.next, None);
    assert_eq!(last.ids[4], "a0000000-0000-4000-8000-000000000029");
}

#[test]
fn notion_data_sources_2025() {
    let page = notion::parse_search_page(&fixture("notion/search_2025_data_sources.json")).unwrap();
    let mut items = search_items(&page);
    mapping_support::fill_parent_names(&mut items);
    let ds = by_id(&items, "f1000000-0000-4000-8000-0000000000f1");
    assert_eq!(ds.item_type.as_deref(), Some("Data source"));
    assert_eq!(ds.name.as_deref(), Some("Projects"));
    assert_eq!(
        ds.parent_id.as_deref(),
        Some("d9824bdc-8445-4327-be8b-5b47500af6ce")
    );
    let child = by_id(&items, "a1b2c3d4-0000-4000-8000-000000000008");
    assert_eq!(
        child.parent_id.as_deref(),
        Some("f1000000-0000-4000-8000-0000000000f1")
    );
    assert_eq!(child.parent_path_or_name.as_deref(), Some("Projects"));
    assert!(page.pages[0].row_of.is_some());
}

#[test]
fn notion_wrong_shapes_are_errors() {
    for body in [
        json!(null),
        json!({"object": "list"}),
        json!({"results": "x"}),
    ] {
        let err = notion::parse_search_page(&body).unwrap_err();
        assert_eq!(err.code(), "provider_response");
        assert!(err.to_string().contains("/v1/search"));
        let err = notion::parse_query_page("ds1", &body).unwrap_err();
        assert!(
            err.to_string().contains("/v1/data_sources/ds1/query"),
            "{err}"
        );
        let err = notion::parse_children_page("b1", &body).unwrap_err();
        assert!(err.to_string().contains("/v1/blocks/b1/children"), "{err}");
    }
    assert!(notion::read_page(&json!({"object": "page"})).is_none());
    assert!(notion::read_database(&json!([])).is_none());
    assert_eq!(notion::search_body(None), json!({"page_size": 100}));
    assert_eq!(
        notion::search_body(Some("c")),
        json!({"page_size": 100, "start_cursor": "c"})
    );
}

#[test]
fn error_bodies_of_every_provider() {
    let msg = |p, body: Value| provider::error_message(p, 400, body.to_string().as_bytes());
    assert_eq!(
        msg(
            ProviderId::Hubspot,
            json!({"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"TEN_SECONDLY_ROLLING"})
        ),
        "RATE_LIMIT: You have reached your ten_secondly_rolling limit."
    );
    assert_eq!(
        msg(
            ProviderId::Airtable,
            json!({"errors":[{"error":"RATE_LIMIT_REACHED","message":"Rate limit exceeded. Please try again later"}]})
        ),
        "RATE_LIMIT_REACHED: Rate limit exceeded. Please try again later"
    );
    assert_eq!(
        msg(ProviderId::Airtable, json!({"error": "NOT_FOUND"})),
        "NOT_FOUND"
    );
    assert_eq!(
        msg(
            ProviderId::Notion,
            json!({"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again later."})
        ),
        "rate_limited: You have been rate limited. Please try again later."
    );
    assert_eq!(
        provider::error_body(ProviderId::Notion, b"not json"),
        provider::ErrorBody::default()
    );
}
