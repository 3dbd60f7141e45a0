//! HubSpot associations in batches:
//! `POST /crm/associations/2026-09/{from}/{to}/batch/read` with up to 1000
//! `{"inputs":[{"id"}, {"id", "after"}]}` answers, per from-record,
//! `{from:{id}, to:[{toObjectId, associationTypes}], paging?:{next:{after}}}`. A record
//! with more than a page of associations is sent again with its `after`; one without
//! any is simply absent. `toObjectId` is a number in HubSpot's examples and a string in
//! its spec: both are read. A pair with several labels is listed once.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::providers::json::{expect_array, expect_object, id_text};
use crate::{Error, ProviderId};

/// The most inputs one batch takes.
pub const MAX_INPUTS: usize = 1000;

/// What to ask for: a record id and, when continuing, its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub id: String,
    pub after: Option<String>,
}

/// The request body for up to [`MAX_INPUTS`] inputs.
pub fn body(inputs: &[Input]) -> Value {
    let inputs: Vec<Value> = inputs
        .iter()
        .map(|i| match &i.after {
            Some(after) => json!({"id": i.id, "after": after}),
            None => json!({"id": i.id}),
        })
        .collect();
    json!({ "inputs": inputs })
}

/// One answer: the associated ids found per from-record, and the records to ask again
/// (with their cursor) for the rest.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub found: BTreeMap<String, Vec<String>>,
    pub more: Vec<Input>,
}

pub fn parse(endpoint: &str, body: &Value) -> Result<Batch, Error> {
    let obj = expect_object(ProviderId::Hubspot, endpoint, body)?;
    let results = expect_array(ProviderId::Hubspot, endpoint, obj, "results")?;
    let mut batch = Batch::default();
    for result in results {
        let Some(from) = id_text(result.get("from").and_then(|f| f.get("id"))) else {
            continue;
        };
        let ids = batch.found.entry(from.clone()).or_default();
        for to in result
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(id) = id_text(to.get("toObjectId")) {
                ids.push(id);
            }
        }
        let after = result
            .get("paging")
            .and_then(|p| p.get("next"))
            .and_then(|n| id_text(n.get("after")));
        if let Some(after) = after {
            batch.more.push(Input {
                id: from,
                after: Some(after),
            });
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_and_strings_and_paging() {
        let body = json!({"status": "COMPLETE", "results": [
            {"from": {"id": "1"}, "to": [{"toObjectId": 11, "associationTypes": []},
                                          {"toObjectId": "12", "associationTypes": []}],
             "paging": {"next": {"after": "MC0y", "link": null}}},
            {"from": {"id": "2"}, "to": []},
            {"to": [{"toObjectId": 9}]}
        ]});
        let batch = parse("/x", &body).unwrap();
        assert_eq!(batch.found["1"], vec!["11", "12"]);
        assert!(batch.found["2"].is_empty());
        assert_eq!(
            batch.more,
            vec![Input {
                id: "1".into(),
                after: Some("MC0y".into())
            }]
        );
        assert!(parse("/x", &json!({"results": null})).is_err());
        assert_eq!(
            body_inputs(&body_of()),
            2,
            "inputs carry their cursor when continuing"
        );
    }

    fn body_of() -> Value {
        body(&[
            Input {
                id: "1".into(),
                after: None,
            },
            Input {
                id: "2".into(),
                after: Some("a".into()),
            },
        ])
    }

    fn body_inputs(v: &Value) -> usize {
        assert_eq!(v["inputs"][1]["after"], "a");
        v["inputs"].as_array().unwrap().len()
    }
}
