//! What a load does after mapping, for tests that map fixtures page by page: parent
//! names filled from the loaded set, and Airtable's `children` linked.

use std::collections::{BTreeMap, HashMap};

use junction_core::{IntegrationItem, ProviderId};

/// Fills `parent_path_or_name` from the names of loaded parents (same provider), as a
/// second pass: a parent may come after its child. Notion ids compare without dashes.
pub fn fill_parent_names(items: &mut [IntegrationItem]) {
    let names: HashMap<(ProviderId, String), String> = items
        .iter()
        .filter_map(|it| Some(((it.provider, bare(it.id.as_deref()?)), it.name.clone()?)))
        .collect();
    for item in items.iter_mut() {
        if item.parent_path_or_name.is_some() {
            continue;
        }
        let Some(parent) = item.parent_id.as_deref() else {
            continue;
        };
        if let Some(name) = names.get(&(item.provider, bare(parent))) {
            item.parent_path_or_name = Some(name.clone());
        }
    }
}

fn bare(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Fills `children`: a base's are its tables' ids; a table's are its records' ids when
/// records were loaded, else `None` (unknown, not "empty").
pub fn link_children(items: &mut [IntegrationItem], records_loaded: bool) {
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in items.iter() {
        if item.provider != ProviderId::Airtable {
            continue;
        }
        let is_child = match item.item_type.as_deref() {
            Some("Table") => true,
            Some("Record") => records_loaded,
            _ => false,
        };
        if let (true, Some(parent), Some(id)) = (is_child, &item.parent_id, &item.id) {
            children.entry(parent.clone()).or_default().push(id.clone());
        }
    }
    for item in items.iter_mut() {
        let wants = match item.item_type.as_deref() {
            Some("Base") => true,
            Some("Table") => records_loaded,
            _ => false,
        };
        if item.provider == ProviderId::Airtable && wants {
            let id = item.id.clone().unwrap_or_default();
            item.children = Some(children.remove(&id).unwrap_or_default());
        }
    }
}
