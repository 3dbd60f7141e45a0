//! The mappers never panic, whatever JSON a provider (or a broken proxy) sends.

mod mapping_support;

use junction_core::providers::{
    airtable::mapping as airtable, hubspot::associations as hubspot_associations,
    hubspot::objects as hubspot, hubspot::properties as hubspot_properties, json as provider,
    notion::mapping as notion, notion::values as notion_values,
};
use junction_core::ProviderId;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Arbitrary JSON trees, biased towards the keys the mappers look at so the generated
/// values reach deep into the mapping code instead of failing at the first lookup.
fn json_value() -> impl Strategy<Value = Value> {
    let keys = prop_oneof![
        Just("id".to_string()),
        Just("results".to_string()),
        Just("records".to_string()),
        Just("bases".to_string()),
        Just("tables".to_string()),
        Just("fields".to_string()),
        Just("properties".to_string()),
        Just("paging".to_string()),
        Just("next".to_string()),
        Just("after".to_string()),
        Just("offset".to_string()),
        Just("object".to_string()),
        Just("type".to_string()),
        Just("title".to_string()),
        Just("plain_text".to_string()),
        Just("parent".to_string()),
        Just("has_more".to_string()),
        Just("next_cursor".to_string()),
        Just("primaryFieldId".to_string()),
        Just("formula".to_string()),
        Just("rollup".to_string()),
        Just("array".to_string()),
        Just("name".to_string()),
        Just("error".to_string()),
        Just("errors".to_string()),
        "[a-z_]{0,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        prop_oneof![
            Just("page".to_string()),
            Just("database".to_string()),
            Just("data_source".to_string()),
            Just("title".to_string()),
            Just("workspace".to_string()),
            Just("page_id".to_string()),
            Just("rollup".to_string()),
            Just("array".to_string()),
            Just("2024-01-01T00:00:00Z".to_string()),
            "\\PC{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One property of every kind HubSpot defines.
fn hubspot_defs() -> hubspot_properties::Definitions {
    use hubspot_properties::PropertyKind::*;
    [
        ("n", Number),
        ("b", Bool),
        ("d", Date),
        ("t", DateTime),
        ("m", MultiSelect),
        ("s", Text),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any value under any definition types without a panic, and a string value is
    /// never dropped: it comes back typed, as its text, or (empty) as no value.
    #[test]
    fn hubspot_property_values_never_panic(v in json_value(), text in ".{0,40}") {
        use hubspot_properties::{typed, PropertyKind::*};
        for kind in [Number, Bool, Date, DateTime, MultiSelect, Text] {
            let _ = typed(kind, &v);
            let out = typed(kind, &Value::String(text.clone()));
            if !text.trim().is_empty() {
                prop_assert!(out.is_some(), "{kind:?} dropped {text:?}");
            }
        }
        let record = serde_json::json!({"id": "1", "properties": {"n": v, "b": v, "d": v, "t": v, "m": v, "s": v}});
        let crm = hubspot::CrmType::standard(hubspot::ObjectType::Deals);
        let item = hubspot::map_record(&crm, &hubspot_defs(), None, &record).unwrap();
        prop_assert!(serde_json::to_string(&item).is_ok());
    }

    #[test]
    fn mappers_never_panic(v in json_value()) {
        let defs = hubspot_defs();
        for object in hubspot::ObjectType::ALL {
            let crm = hubspot::CrmType::standard(object);
            let _ = hubspot::parse_list_page(&crm, &defs, Some("1"), &v);
            let _ = hubspot::map_record(&crm, &defs, None, &v);
        }
        let _ = hubspot::CrmType::custom(&v);
        let _ = hubspot_properties::parse_definitions("/p", &v);
        let _ = hubspot_associations::parse("/a", &v);
        let _ = airtable::parse_bases_page(&v);
        let _ = airtable::parse_tables("appX", &v);
        let base = airtable::BaseInfo { id: "appX".into(), name: Some("B".into()), permission_level: None };
        let table = airtable::TableInfo {
            id: "tblX".into(),
            name: None,
            description: None,
            primary_field_id: Some("id".into()),
            primary_field_name: Some("name".into()),
            fields: ["multipleRecordLinks", "multipleAttachments", "singleCollaborator",
                     "multipleCollaborators", "multipleLookupValues", "rollup", "formula", "checkbox", "number"]
                .iter()
                .map(|k| airtable::FieldInfo { id: format!("fld{k}"), name: k.to_string(), kind: k.to_string() })
                .collect(),
        };
        let _ = airtable::parse_records_page(&base, &table, &v, &|_| Some("n".into()));
        for field in &table.fields {
            let _ = airtable::typed_cell(&field.kind, &v, &airtable::no_link_names);
        }
        let _ = airtable::cell_text(&v);
        let _ = notion::parse_search_page(&v);
        let _ = notion::parse_query_page("ds", &v);
        let _ = notion::parse_children_page("b", &v);
        let _ = notion::parse_relation_page("/v1/pages/p/properties/r", &v);
        let _ = notion::read_database(&v);
        let _ = notion::read_data_source(&v);
        let _ = notion_values::property_value(&v);
        if let Some(mut items) = notion::read_page(&v).map(|p| vec![p.item]) {
            mapping_support::fill_parent_names(&mut items);
            mapping_support::link_children(&mut items, true);
        }
        let bytes = v.to_string();
        for p in ProviderId::ALL {
            let _ = provider::error_message(p, 500, bytes.as_bytes());
        }
    }

    #[test]
    fn wrapped_in_a_valid_page_every_result_maps_or_is_skipped(v in json_value()) {
        let list = Value::Array(vec![v.clone(), v]);
        let mut body = Map::new();
        body.insert("results".into(), list.clone());
        body.insert("records".into(), list);
        let body = Value::Object(body);
        let crm = hubspot::CrmType::standard(hubspot::ObjectType::Contacts);
        let page = hubspot::parse_list_page(&crm, &hubspot_defs(), None, &body).unwrap();
        prop_assert_eq!(page.items.len() + page.skipped, 2);
        let page = notion::parse_search_page(&body).unwrap();
        prop_assert_eq!(page.pages.len() + page.data_sources.len() + page.skipped, 2);
        let query = notion::parse_query_page("ds", &body).unwrap();
        prop_assert_eq!(query.rows.len() + query.skipped, 2);
        let items = page.pages.into_iter().map(|p| p.item).chain(page.data_sources.into_iter().map(|s| s.item));
        for item in items {
            // Every mapped item serializes (every field).
            prop_assert_eq!(serde_json::to_value(&item).unwrap().as_object().unwrap().len(), junction_core::item::FIELDS.len());
        }
    }
}

/// Notion property value objects of every type, holding arbitrary JSON where the
/// value should be.
fn notion_property() -> impl Strategy<Value = Value> {
    let kinds = prop::sample::select(vec![
        "title",
        "rich_text",
        "number",
        "select",
        "multi_select",
        "status",
        "date",
        "checkbox",
        "people",
        "relation",
        "formula",
        "rollup",
        "files",
        "url",
        "email",
        "phone_number",
        "created_time",
        "last_edited_time",
        "created_by",
        "last_edited_by",
        "unique_id",
        "verification",
        "button",
        "place",
        "some_new_type",
    ]);
    // Values shaped like the real ones often enough to reach the inner branches.
    let inner = prop_oneof![
        json_value(),
        Just(
            serde_json::json!({"type": "array", "array": [{"type": "number", "number": 1}, {"type": "formula"}]})
        ),
        Just(
            serde_json::json!({"type": "date", "date": {"start": 1, "end": [], "time_zone": "Europe/Paris"}})
        ),
        Just(serde_json::json!([{"object": "user", "person": {"email": 3}}, {"name": null}, 7])),
        Just(serde_json::json!({"prefix": "", "number": -1.5})),
        Just(
            serde_json::json!([{"type": "external", "external": {"url": false}}, {"file": {"url": "u"}}])
        ),
    ];
    (kinds, inner).prop_map(|(kind, value)| {
        let mut prop = Map::new();
        prop.insert("id".into(), Value::String("p%3A1".into()));
        prop.insert("type".into(), Value::String(kind.into()));
        prop.insert(kind.into(), value);
        Value::Object(prop)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any value of any property type maps without a panic, to JSON that serializes, and
    /// a page holding it keeps it under its key.
    #[test]
    fn notion_property_values_never_panic(prop in notion_property()) {
        let typed = notion_values::property_value(&prop);
        prop_assert!(serde_json::to_string(&typed).is_ok());
        let page = serde_json::json!({"object": "page", "id": "p1", "properties": {"X": prop}});
        let read = notion::read_page(&page).unwrap();
        prop_assert_eq!(read.item.properties.get("X"), Some(&typed));
    }
}
