//! Notion: one `POST /v1/search` cursor (`page_size=100`, `start_cursor`), 3 requests
//! per second. Parent names are filled as parents become known; an item whose parent
//! came later is sent again at the end with the name (same key).

use std::collections::HashMap;

use super::mapping::{parse_search_page, search_body, SEARCH_ENDPOINT};
use crate::fetch::{Call, Ctx};
use crate::IntegrationItem;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    next: Option<String>,
    done: bool,
    /// Names of the items loaded so far, by bare id (Notion ids come with and without
    /// dashes).
    names: HashMap<String, String>,
    /// Items sent before their parent was loaded: sent again at the end if it was.
    orphans: Vec<IntegrationItem>,
}

pub(crate) async fn run(ctx: &Ctx, state: &mut State) {
    let budget = super::budget(ctx.session.config());
    while !state.done {
        let call = Call {
            budget: &budget,
            endpoint: SEARCH_ENDPOINT.to_string(),
            url: ctx.url(&["v1", "search"], &[]),
            json: Some(search_body(state.next.as_deref())),
        };
        let page = match ctx
            .fetch(&call)
            .await
            .and_then(|body| parse_search_page(&body))
        {
            Ok(page) => page,
            Err(e) => return ctx.fail(e),
        };
        if page.next.is_some() && page.next == state.next {
            return ctx.fail(ctx.stuck(SEARCH_ENDPOINT));
        }
        let mut items = page.items;
        for item in &items {
            if let (Some(id), Some(name)) = (&item.id, &item.name) {
                state.names.insert(id_key(id), name.clone());
            }
        }
        let (mut pages, mut databases) = (0, 0);
        for item in &mut items {
            if item.item_type.as_deref() == Some("Database") {
                databases += 1;
            } else {
                pages += 1;
            }
            if item.parent_path_or_name.is_some() {
                continue;
            }
            let Some(parent) = item.parent_id.as_deref() else {
                continue;
            };
            match state.names.get(&id_key(parent)) {
                Some(name) => item.parent_path_or_name = Some(name.clone()),
                None => state.orphans.push(item.clone()),
            }
        }
        ctx.send_items(items);
        if pages > 0 {
            ctx.progress("pages", pages);
        }
        if databases > 0 {
            ctx.progress("databases", databases);
        }
        state.done = page.next.is_none();
        state.next = page.next;
    }
    // Parents that arrived after their children: send those children again, named.
    let mut named = Vec::new();
    for mut item in std::mem::take(&mut state.orphans) {
        let name = item
            .parent_id
            .as_deref()
            .and_then(|p| state.names.get(&id_key(p)));
        if let Some(name) = name {
            item.parent_path_or_name = Some(name.clone());
            named.push(item);
        }
    }
    ctx.resend(named);
}

/// Notion ids compared bare: no dashes, lowercase.
fn id_key(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}
