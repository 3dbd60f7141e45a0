//! HubSpot: contacts, companies and deals, three cursors at once (`limit=100`, `after`)
//! in one account budget.

use futures_util::future::join_all;

use super::objects::{list_query, parse_list_page, ObjectType};
use crate::fetch::{Budget, Call, Ctx};

/// One object type's cursor.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cursor {
    /// The `after` of the next page; `None` = the first page (or, when `done`, none).
    after: Option<String>,
    done: bool,
}

/// The three cursors.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    cursors: Vec<(ObjectType, Cursor)>,
}

impl Default for State {
    fn default() -> Self {
        State {
            cursors: ObjectType::ALL
                .into_iter()
                .map(|t| (t, Cursor::default()))
                .collect(),
        }
    }
}

pub(crate) async fn run(ctx: &Ctx, state: &mut State) {
    let budget = super::budget(ctx.session.config());
    // Record URLs need the portal id from the connection; without it they stay null.
    let portal = ctx
        .session
        .connections()
        .get(ctx.provider)
        .await
        .ok()
        .flatten()
        .and_then(|facts| facts.portal_id);
    let streams = state
        .cursors
        .iter_mut()
        .filter(|(_, c)| !c.done)
        .map(|(object, cursor)| stream(ctx, &budget, *object, portal.as_deref(), cursor));
    join_all(streams).await;
}

async fn stream(
    ctx: &Ctx,
    budget: &Budget,
    object: ObjectType,
    portal: Option<&str>,
    cursor: &mut Cursor,
) {
    let endpoint = object.endpoint();
    while !cursor.done {
        let call = Call {
            budget,
            endpoint: endpoint.to_string(),
            url: ctx.url(
                &["crm", "v3", "objects", object.path()],
                &list_query(object, cursor.after.as_deref()),
            ),
            json: None,
        };
        let page = match ctx
            .fetch(&call)
            .await
            .and_then(|body| parse_list_page(object, portal, &body))
        {
            Ok(page) => page,
            Err(e) => return ctx.fail(e),
        };
        if page.next.is_some() && page.next == cursor.after {
            return ctx.fail(ctx.stuck(endpoint));
        }
        // Send, then advance: no await between, so the page is in exactly one run.
        let n = page.items.len() as u64;
        ctx.send_items(page.items);
        ctx.progress(object.path(), n);
        cursor.done = page.next.is_none();
        cursor.after = page.next;
    }
}
