//! The store's queries agree with a plain in-memory sort and filter over the same rows,
//! for random rows (accents, mixed case, empty values), random sorts and searches.

use std::cmp::Ordering;

use chrono::{TimeZone, Utc};
use junction_core::store::items::text::fold;
use junction_core::store::items::{ItemQuery, ItemStore, Sort, SortColumn, SortDir};
use junction_core::{IntegrationItem, ProviderId};
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "Zoë",
    "zoe",
    "ZOE Ørsted",
    "Été",
    "ete",
    "Ada Lovelace",
    "ada",
    "",
    "  ",
    "José",
    "Łukasz",
    "計画",
    "Café menu",
    "b",
    "B",
    // Long shared beginnings, a key that is a prefix of others, and one that goes on
    // with a zero byte: the sort orders eight bytes at a time.
    "Contact record 0001 alpha",
    "contact record 0001 alphabet",
    "Contact record 0001 alph",
    "Contact record 0002",
    "contact record 0001 alph\u{0}",
    "Contact record",
];
const WORDS: &[&str] = &[
    "zo", "ZOË", "été", "a", "", "ada lo", "xyz", "ø", "café", "計", "b e",
];
const TYPES: &[&str] = &["Contact", "Deal", "Page", "page"];

#[derive(Debug, Clone)]
struct Spec {
    provider: usize,
    item_type: usize,
    name: Option<usize>,
    parent: Option<usize>,
    created: Option<i64>,
    url: Option<u8>,
    prop: Option<usize>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..3usize,
        0..TYPES.len(),
        proptest::option::of(0..NAMES.len()),
        proptest::option::of(0..NAMES.len()),
        proptest::option::of(0..5i64),
        proptest::option::of(0..8u8),
        proptest::option::of(0..NAMES.len()),
    )
        .prop_map(
            |(provider, item_type, name, parent, created, url, prop)| Spec {
                provider,
                item_type,
                name,
                parent,
                created,
                url,
                prop,
            },
        )
}

fn items(specs: &[Spec]) -> Vec<IntegrationItem> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = ProviderId::ALL[s.provider];
            let mut it = IntegrationItem::new(p, TYPES[s.item_type], format!("id{i:03}"));
            it.name = s.name.map(|n| NAMES[n].to_string());
            it.parent_path_or_name = s.parent.map(|n| NAMES[n].to_string());
            it.creation_time = s
                .created
                .map(|d| Utc.timestamp_opt(1_700_000_000 + d * 3600, 0).unwrap());
            // Every URL shares its first 20 bytes; some are prefixes of others.
            it.url = s
                .url
                .map(|u| format!("https://example.com/{}", "7".repeat(u.into())));
            if let Some(v) = s.prop {
                // Typed values: text, a number, and text inside arrays and objects.
                let value = match i % 3 {
                    0 => serde_json::json!(NAMES[v]),
                    1 => serde_json::json!([{"id": "x", "name": NAMES[v]}, 1.5]),
                    _ => serde_json::json!(NAMES[v]),
                };
                it.properties.insert("Note".into(), value);
                it.properties
                    .insert("Count".into(), serde_json::json!(i * 7));
            }
            it
        })
        .collect()
}

/// The reference: every word in the folded text, filters as sets, a stable sort by the
/// folded value with empty values last, ties by provider, type and id.
fn reference(items: &[IntegrationItem], q: &ItemQuery) -> Vec<String> {
    let words: Vec<String> = fold(&q.search)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut kept: Vec<&IntegrationItem> = items
        .iter()
        .filter(|it| q.providers.is_empty() || q.providers.contains(&it.provider))
        .filter(|it| q.types.is_empty() || q.types.iter().any(|t| Some(t) == it.item_type.as_ref()))
        .filter(|it| {
            let mut text = String::new();
            for f in [&it.name, &it.parent_path_or_name, &it.id] {
                text.push_str(&fold(f.as_deref().unwrap_or("")));
                text.push('\u{1f}');
            }
            fn leaves(v: &serde_json::Value, text: &mut String) {
                match v {
                    serde_json::Value::String(s) => {
                        text.push_str(&fold(s));
                        text.push('\u{1f}');
                    }
                    serde_json::Value::Number(n) => {
                        text.push_str(&n.to_string());
                        text.push('\u{1f}');
                    }
                    serde_json::Value::Array(a) => a.iter().for_each(|v| leaves(v, text)),
                    serde_json::Value::Object(o) => o.values().for_each(|v| leaves(v, text)),
                    _ => {}
                }
            }
            for v in it.properties.values() {
                leaves(v, &mut text);
            }
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    if let Some(sort) = q.sort {
        let key = |it: &IntegrationItem| -> Option<String> {
            let text = match sort.column {
                SortColumn::Name => fold(it.name.as_deref().unwrap_or("")),
                SortColumn::Parent => fold(it.parent_path_or_name.as_deref().unwrap_or("")),
                SortColumn::Type => fold(it.item_type.as_deref().unwrap_or("")),
                SortColumn::Provider => it.provider.as_str().to_string(),
                SortColumn::Url => it.url.clone().unwrap_or_default(),
                SortColumn::Created => {
                    return it
                        .creation_time
                        .map(|t| format!("{:020}", t.timestamp_millis()))
                }
                SortColumn::Modified => {
                    return it
                        .last_modified_time
                        .map(|t| format!("{:020}", t.timestamp_millis()))
                }
            };
            (!text.is_empty()).then_some(text)
        };
        let tie = |it: &IntegrationItem| {
            (
                it.provider.as_str().to_string(),
                it.item_type.clone().unwrap_or_default(),
                it.id.clone().unwrap_or_default(),
            )
        };
        kept.sort_by(|a, b| {
            let order = match (key(a), key(b)) {
                (Some(x), Some(y)) if sort.dir == SortDir::Desc => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            order.then_with(|| tie(a).cmp(&tie(b)))
        });
    }
    kept.iter().map(|it| it.id.clone().unwrap()).collect()
}

fn query() -> impl Strategy<Value = ItemQuery> {
    let column = prop_oneof![
        Just(SortColumn::Name),
        Just(SortColumn::Type),
        Just(SortColumn::Provider),
        Just(SortColumn::Parent),
        Just(SortColumn::Created),
        Just(SortColumn::Modified),
        Just(SortColumn::Url),
    ];
    let sort = proptest::option::of((column, any::<bool>()).prop_map(|(column, desc)| Sort {
        column,
        dir: if desc { SortDir::Desc } else { SortDir::Asc },
    }));
    (
        proptest::collection::vec(0..3usize, 0..3),
        proptest::collection::vec(0..TYPES.len(), 0..2),
        0..WORDS.len(),
        sort,
    )
        .prop_map(|(ps, ts, w, sort)| ItemQuery {
            providers: ps.into_iter().map(|p| ProviderId::ALL[p]).collect(),
            types: ts.into_iter().map(|t| TYPES[t].to_string()).collect(),
            search: WORDS[w].to_string(),
            sort,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn queries_match_an_in_memory_sort_and_filter(
        specs in proptest::collection::vec(spec(), 0..40),
        queries in proptest::collection::vec(query(), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = ItemStore::open(dir.path());
        let items = items(&specs);
        for p in ProviderId::ALL {
            let set = store.begin(p, "", false).unwrap();
            let mine: Vec<_> = items.iter().filter(|i| i.provider == p).cloned().collect();
            for chunk in mine.chunks(7) {
                store.write_batch(&set, chunk).unwrap();
            }
            store.complete(set).unwrap();
        }
        // Arrival order across providers is the order written: provider by provider.
        let arrival: Vec<IntegrationItem> = ProviderId::ALL
            .iter()
            .flat_map(|p| items.iter().filter(move |i| i.provider == *p).cloned())
            .collect();
        for q in &queries {
            let expected = reference(&arrival, q);
            let got = store.query(q, 0, 10_000).unwrap();
            let ids: Vec<String> = got.rows.iter().map(|r| r.key.id.clone()).collect();
            prop_assert_eq!(got.total as usize, expected.len());
            prop_assert_eq!(&ids, &expected, "query {:?}", q);
            // A window is a slice of the whole.
            let window = store.query(q, 3, 5).unwrap();
            let slice: Vec<String> = window.rows.iter().map(|r| r.key.id.clone()).collect();
            let want: Vec<String> = expected.iter().skip(3).take(5).cloned().collect();
            prop_assert_eq!(slice, want);
        }
    }
}
