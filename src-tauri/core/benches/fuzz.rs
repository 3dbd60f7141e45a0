//! Fuzzing at scale (issue 13): generated inputs through every parser of untrusted input
//! that the public API reaches, counting errors and panics (the goal: no panic).
//!
//! Run: `make fuzz` (1,000,000 inputs), or `cargo bench -p junction-core --bench fuzz`
//! with `JUNCTION_FUZZ_INPUTS=N`. Under `cargo test --all-targets` (no `--bench`) a
//! small run of 20,000 inputs is part of `make test`.
//!
//! Targets: HubSpot list, batch-read, schemas, definitions and association pages;
//! Airtable bases, tables and records pages; Notion search, query, block-children and
//! relation pages and page objects; every provider's error bodies and error messages;
//! loopback request heads; the log redactor; token responses (the standard ones and
//! Notion's JSON one) and a token set's expiry (any `expires_in`); the rate-limit
//! headers and bodies of a 429.
//!
//! Inputs: each target's real shape (as the providers send it, providers.md) with
//! random mutations (bytes flipped, cut, repeated; values swapped for other JSON: huge
//! and negative numbers, nulls, deep arrays), plus non-UTF-8 bytes, nesting deeper than
//! 128, huge numbers and truncated JSON. A fixed seed (`JUNCTION_FUZZ_SEED`), so a
//! panic is reproducible; the first panicking inputs are saved in the temporary
//! folder for a look.
//!

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use junction_core::oauth::loopback::parse_request_head;
use junction_core::oauth::{json_token_set, parse_token_response, TokenSet};
use junction_core::providers::airtable::mapping as airtable;
use junction_core::providers::announced_wait;
use junction_core::providers::hubspot::{associations, objects, properties};
use junction_core::providers::json::{error_body, error_message};
use junction_core::providers::notion::mapping as notion;
use junction_core::redact::redact;
use junction_core::session::Grant;
use junction_core::ProviderId;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;
use serde_json::{json, Value};

/// Runs one input; true when the parser refused it (an error, not a panic).
type Target = fn(&[u8]) -> bool;

fn value(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

fn hubspot_page(b: &[u8]) -> bool {
    let crm = objects::CrmType::standard(objects::ObjectType::Contacts);
    let defs = properties::definitions_of(&[
        json!({"name": "amount", "type": "number", "fieldType": "number"}),
        json!({"name": "closedate", "type": "datetime", "fieldType": "date"}),
        json!({"name": "flag", "type": "bool", "fieldType": "booleancheckbox"}),
        json!({"name": "tags", "type": "enumeration", "fieldType": "checkbox"}),
    ]);
    let parsed = objects::parse_records("/crm/objects/2026-09/contacts", b);
    if let Ok((records, _)) = &parsed {
        for r in records {
            let _ = objects::map_record(&crm, &defs, Some("42"), r);
        }
    }
    if let Some(v) = value(b) {
        let _ = objects::parse_list_page(&crm, &defs, None, &v);
        let _ = properties::parse_definitions("/crm/properties/2026-09/contacts", &v);
        let _ = associations::parse("/crm/associations/2026-09/contacts/companies", &v);
        let _ = objects::CrmType::custom(&v);
    }
    parsed.is_err()
}

fn airtable_page(b: &[u8]) -> bool {
    let Some(v) = value(b) else { return true };
    let base = airtable::BaseInfo {
        id: "appA".into(),
        name: Some("Base".into()),
        permission_level: None,
    };
    let _ = airtable::parse_bases_page(&v);
    let tables = airtable::parse_tables("appA", &v).unwrap_or_default();
    let table = tables.into_iter().next().unwrap_or(airtable::TableInfo {
        id: "tblA".into(),
        name: Some("Table".into()),
        description: None,
        primary_field_id: Some("fldName".into()),
        primary_field_name: Some("Name".into()),
        fields: [
            "singleLineText",
            "multipleRecordLinks",
            "multipleAttachments",
            "checkbox",
            "formula",
            "rollup",
            "multipleLookupValues",
            "singleCollaborator",
            "number",
        ]
        .iter()
        .enumerate()
        .map(|(i, k)| airtable::FieldInfo {
            id: format!("fld{i}"),
            name: if i == 0 {
                "Name".into()
            } else {
                format!("f{i}")
            },
            kind: k.to_string(),
        })
        .collect(),
    });
    match airtable::parse_records_page(&base, &table, &v, &|_| Some("n".into())) {
        Ok(page) => {
            for mut item in page.items {
                airtable::fill_link_names(&mut item, &|_| None);
            }
            false
        }
        Err(_) => true,
    }
}

fn notion_page(b: &[u8]) -> bool {
    let Some(v) = value(b) else { return true };
    let refused = notion::parse_search_page(&v).is_err();
    let _ = notion::parse_query_page("ds", &v);
    let _ = notion::parse_children_page("blk", &v);
    let _ = notion::parse_relation_page("/v1/pages/p/properties/r", &v);
    let _ = notion::read_page(&v);
    let _ = notion::read_database(&v);
    let _ = notion::read_data_source(&v);
    refused
}

fn error_bodies(b: &[u8]) -> bool {
    let mut unread = false;
    for p in ProviderId::ALL {
        unread |= error_body(p, b).summary().is_none();
        let _ = error_message(p, 400, b);
        let _ = error_message(p, 599, b);
    }
    unread
}

fn loopback_head(b: &[u8]) -> bool {
    parse_request_head(b).is_none()
}

fn redactor(b: &[u8]) -> bool {
    let _ = redact(&String::from_utf8_lossy(b));
    false
}

fn token_response(b: &[u8]) -> bool {
    let standard = parse_token_response(b);
    // Notion's JSON token endpoint, as a success and as a refusal.
    let notion = json_token_set(200, b);
    let _ = json_token_set(400, b);
    for tokens in standard.iter().chain(notion.as_ref().ok()) {
        let _ = Grant::from_tokens(tokens);
    }
    standard.is_none() && notion.is_err()
}

/// `Name: value` lines, a blank line, then the body: a 429 as the engine reads it.
fn rate_limit(b: &[u8]) -> bool {
    let split = b.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, body) = match split {
        Some(at) => (&b[..at], &b[at + 4..]),
        None => (b, &b[..0]),
    };
    let mut headers = HeaderMap::new();
    let mut refused = false;
    for line in head.split(|c| *c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|c| *c == b':') else {
            continue;
        };
        match (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => refused = true,
        }
    }
    for p in ProviderId::ALL {
        let _ = announced_wait(p, &headers, body);
    }
    refused
}

fn expiry(b: &[u8]) -> bool {
    let mut n = [0u8; 8];
    for (i, x) in b.iter().take(8).enumerate() {
        n[i] = *x;
    }
    let tokens = TokenSet {
        access_token: SecretString::from("a"),
        refresh_token: None,
        expires_in: Some(u64::from_le_bytes(n)),
        scopes: Vec::new(),
        portal_id: None,
        workspace_name: None,
    };
    let _ = Grant::from_tokens(&tokens);
    false
}

/// Each target with the real shapes its input comes in.
fn targets() -> Vec<(&'static str, Target, Vec<Vec<u8>>)> {
    let text = |v: Value| v.to_string().into_bytes();
    let hubspot = vec![
        text(
            json!({"results": [{"id": "101", "properties": {"firstname": "Ada", "email": null,
            "amount": "12.50", "closedate": "2025-01-02", "flag": "true", "tags": "a;b",
            "createdate": "2024-01-01T00:00:00.000Z"}, "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-02-01T00:00:00.000Z", "archived": false}],
            "paging": {"next": {"after": "101", "link": "https://api.hubapi.com/x"}}}),
        ),
        text(
            json!({"status": "COMPLETE", "results": [{"id": 7, "properties": {}}],
            "numErrors": 1, "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND"}]}),
        ),
        text(json!({"results": [{"name": "amount", "type": "number", "fieldType": "number"}]})),
        text(
            json!({"results": [{"from": {"id": "1"}, "to": [{"toObjectId": 2,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1}]}],
            "paging": {"next": {"after": "x"}}}]}),
        ),
        text(
            json!({"results": [{"id": "2-9", "objectTypeId": "2-9", "fullyQualifiedName": "p1_pets",
            "labels": {"singular": "Pet", "plural": "Pets"}, "properties": [{"name": "n",
            "type": "string", "fieldType": "text"}], "archived": false}]}),
        ),
    ];
    let airtable = vec![
        text(
            json!({"bases": [{"id": "appA", "name": "B", "permissionLevel": "create"}], "offset": "o1"}),
        ),
        text(
            json!({"tables": [{"id": "tblA", "name": "T", "primaryFieldId": "fld0",
            "fields": [{"id": "fld0", "name": "Name", "type": "singleLineText"},
                       {"id": "fld1", "name": "Links", "type": "multipleRecordLinks"}]}]}),
        ),
        text(
            json!({"records": [{"id": "rec1", "createdTime": "2024-01-01T00:00:00.000Z",
            "fields": {"Name": "x", "f1": ["rec2"], "f2": [{"id": "att", "url": "https://a",
            "filename": "a.png", "size": 3, "type": "image/png"}], "f3": true,
            "f4": {"specialValue": "NaN"}, "f5": [1, 2], "f6": {"error": "#ERROR!"},
            "f7": {"id": "usr", "email": "a@b", "name": "A"}, "f8": 1e308}}], "offset": "itr/rec1"}),
        ),
    ];
    let notion = vec![
        text(
            json!({"object": "list", "results": [{"object": "page", "id": "p1",
            "parent": {"type": "data_source_id", "data_source_id": "ds1", "database_id": "db1"},
            "properties": {"Name": {"id": "title", "type": "title", "title": [{"plain_text": "A"}]},
            "N": {"id": "n", "type": "number", "number": 1.5},
            "R": {"id": "r%3A1", "type": "relation", "relation": [{"id": "p2"}], "has_more": true},
            "D": {"id": "d", "type": "date", "date": {"start": "2025-01-01", "end": null}}},
            "created_time": "2025-01-01T00:00:00.000Z", "last_edited_time": "2025-01-02T00:00:00.000Z",
            "url": "https://www.notion.so/p1", "in_trash": false}], "next_cursor": "c1", "has_more": true}),
        ),
        text(
            json!({"object": "list", "results": [{"object": "block", "id": "b1", "type": "child_page",
            "child_page": {"title": "Sub"}, "has_children": true}], "next_cursor": null, "has_more": false}),
        ),
        text(
            json!({"object": "database", "id": "db1", "title": [{"plain_text": "DB"}],
            "data_sources": [{"id": "ds1", "name": "Main"}], "parent": {"type": "page_id", "page_id": "p1"}}),
        ),
        text(
            json!({"object": "list", "results": [{"object": "property_item", "type": "relation",
            "relation": {"id": "p3"}}], "next_cursor": "c2", "has_more": true}),
        ),
    ];
    let errors = vec![
        text(
            json!({"status": "error", "message": "m", "correlationId": "c", "category": "RATE_LIMITS"}),
        ),
        text(json!({"error": {"type": "NOT_FOUND", "message": "m"}})),
        text(json!({"error": "invalid_grant", "error_description": "d"})),
        text(json!({"object": "error", "status": 429, "code": "rate_limited", "message": "m"})),
        b"<html><body>502 Bad Gateway</body></html>".to_vec(),
    ];
    let heads = vec![
        b"GET /callback?code=abc&state=xyz HTTP/1.1\r\nHost: 127.0.0.1:53682\r\nUser-Agent: x\r\n"
            .to_vec(),
        b"GET / HTTP/1.0\r\nHost: localhost:1\r\nHost: evil\r\n".to_vec(),
    ];
    let lines = vec![
        b"GET https://api.hubapi.com/x?access_token=pat-na1-0123 Authorization: Bearer abc.def refresh_token=r1".to_vec(),
        b"{\"access_token\":\"secret\",\"client_secret\":\"s\"} code=xyz&state=1".to_vec(),
    ];
    let tokens = vec![
        text(
            json!({"token_type": "bearer", "access_token": "a", "refresh_token": "r",
            "expires_in": 1800, "hub_id": 42, "scope": "crm.objects.contacts.read oauth"}),
        ),
        text(
            json!({"token_type": "Bearer", "access_token": "a", "refresh_token": "r",
            "expires_in": 3600, "refresh_expires_in": 5_184_000, "scope": "data.records:read"}),
        ),
        text(
            json!({"access_token": "ntn_a", "token_type": "bearer", "bot_id": "b",
            "workspace_name": "W", "workspace_id": "w", "owner": {"type": "user"},
            "refresh_token": "nrt_r", "expires_in": 3600}),
        ),
        text(json!({"error": "invalid_grant", "error_description": "expired"})),
    ];
    let limits = vec![
        b"Retry-After: 30\r\nX-HubSpot-RateLimit-Interval-Milliseconds: 10000\r\nX-HubSpot-RateLimit-Max: 110\r\nX-HubSpot-RateLimit-Remaining: 0\r\n\r\n{\"status\":\"error\",\"policyName\":\"TEN_SECONDLY_ROLLING\",\"category\":\"RATE_LIMITS\"}".to_vec(),
        b"Retry-After: Wed, 02 Dec 2026 05:00:00 GMT\r\n\r\n{\"errors\":[{\"error\":\"RATE_LIMIT_REACHED\"}]}".to_vec(),
        b"Retry-After: 0.5\r\n\r\n{\"object\":\"error\",\"status\":429,\"code\":\"rate_limited\"}".to_vec(),
        b"\r\n\r\n{\"status\":\"error\",\"policyName\":\"DAILY\",\"category\":\"RATE_LIMITS\"}".to_vec(),
    ];
    let expiries = vec![
        u64::MAX.to_le_bytes().to_vec(),
        3600u64.to_le_bytes().to_vec(),
    ];
    vec![
        ("hubspot pages", hubspot_page as Target, hubspot),
        ("airtable pages", airtable_page, airtable),
        ("notion pages", notion_page, notion),
        ("error bodies", error_bodies, errors),
        ("loopback heads", loopback_head, heads),
        ("redactor", redactor, lines),
        ("token responses", token_response, tokens),
        ("rate limits", rate_limit, limits),
        ("token expiry", expiry, expiries),
    ]
}

/// A JSON value to put in place of another: the odd ones providers (or attackers) send.
fn odd_value(rng: &mut SmallRng) -> String {
    match rng.random_range(0..12) {
        0 => "null".into(),
        1 => "1e999999".into(),
        2 => "-18446744073709551617".into(),
        3 => "18446744073709551616000000".into(),
        4 => format!("{}", rng.random::<i64>()),
        5 => format!("{}", rng.random::<f64>()),
        6 => "\"\\ud800\"".into(),
        7 => "[".repeat(200) + &"]".repeat(200),
        8 => "{}".into(),
        9 => "[]".into(),
        10 => "true".into(),
        _ => "\"\u{202e}x\u{0}\"".into(),
    }
}

/// One mutation of `seed`.
fn mutate(seed: &[u8], rng: &mut SmallRng) -> Vec<u8> {
    let mut out = seed.to_vec();
    let edits = rng.random_range(1..4);
    for _ in 0..edits {
        if out.is_empty() {
            out.push(rng.random());
            continue;
        }
        let at = rng.random_range(0..out.len());
        match rng.random_range(0..9) {
            // Flip a byte (non-UTF-8 included).
            0 => out[at] = rng.random(),
            // Cut: truncated JSON.
            1 => out.truncate(at),
            // Drop a span.
            2 => {
                let end = (at + rng.random_range(1..16)).min(out.len());
                out.drain(at..end);
            }
            // Repeat a span.
            3 => {
                let end = (at + rng.random_range(1..32)).min(out.len());
                let span = out[at..end].to_vec();
                out.splice(at..at, span);
            }
            // Put an odd value after a colon or a bracket.
            4 | 5 => {
                if let Some(pos) = out[at..]
                    .iter()
                    .position(|c| matches!(c, b':' | b'[' | b','))
                {
                    let pos = at + pos + 1;
                    // Replace up to the next delimiter.
                    let end = out[pos..]
                        .iter()
                        .position(|c| matches!(c, b',' | b'}' | b']'))
                        .map_or(out.len(), |e| pos + e);
                    let v = odd_value(rng);
                    out.splice(pos..end, v.into_bytes());
                }
            }
            // Nest deeper than any parser's limit.
            6 => {
                let depth = rng.random_range(100..400);
                let wrapped = [b"[".repeat(depth), out.clone(), b"]".repeat(depth)].concat();
                out = wrapped;
            }
            // Invalid UTF-8 in the middle.
            7 => {
                out.splice(at..at, [0xff, 0xfe, 0xc0]);
            }
            // Duplicate keys / junk text.
            _ => {
                out.splice(at..at, b"\"id\":\"x\",".to_vec());
            }
        }
    }
    out
}

/// Completely random bytes, now and then.
fn noise(rng: &mut SmallRng) -> Vec<u8> {
    let n = rng.random_range(0..256);
    (0..n).map(|_| rng.random()).collect()
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let inputs: u64 = std::env::var("JUNCTION_FUZZ_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 20_000 } else { 1_000_000 });
    let seed: u64 = std::env::var("JUNCTION_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6a75_6e63_7469_6f6e);
    let mut rng = SmallRng::seed_from_u64(seed);
    // A panic is counted and its input kept; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let targets = targets();
    let started = Instant::now();
    let mut panics = 0u64;
    let mut errors = 0u64;
    let mut kept = Vec::new();
    let mut per_target = vec![0u64; targets.len()];
    let mut refused_by = vec![0u64; targets.len()];
    for i in 0..inputs {
        let t = (i as usize) % targets.len();
        let (_, run, seeds) = &targets[t];
        let input = if rng.random_range(0..20) == 0 {
            noise(&mut rng)
        } else {
            let seed = &seeds[rng.random_range(0..seeds.len())];
            if rng.random_range(0..10) == 0 {
                seed.clone()
            } else {
                mutate(seed, &mut rng)
            }
        };
        per_target[t] += 1;
        match catch_unwind(AssertUnwindSafe(|| run(&input))) {
            Ok(refused) => {
                errors += u64::from(refused);
                refused_by[t] += u64::from(refused);
            }
            Err(_) => {
                panics += 1;
                if kept.len() < 5 {
                    kept.push((targets[t].0, input));
                }
            }
        }
    }
    let _ = std::panic::take_hook();
    let elapsed = started.elapsed();
    println!(
        "fuzz: {inputs} inputs in {:.1} s (seed {seed}), {errors} errors, {panics} panics",
        elapsed.as_secs_f64()
    );
    for (((name, _, seeds), n), refused) in targets.iter().zip(&per_target).zip(&refused_by) {
        println!(
            "  {name:<15} {n:>9} inputs from {} real shapes, {refused:>9} refused",
            seeds.len()
        );
    }
    for (k, (name, input)) in kept.iter().enumerate() {
        let path = std::env::temp_dir().join(format!("junction-fuzz-panic-{k}.bin"));
        let _ = std::fs::write(&path, input);
        println!("  panic in {name}: input saved to {}", path.display());
    }
    if panics > 0 {
        std::process::exit(1);
    }
}
