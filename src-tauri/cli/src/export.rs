//! `junction-cli export`: write what the item store holds (loaded by the app or by
//! `junction-cli items`), with no network request. The same writer serves `items`.

use std::path::Path;

use junction_core::export::{export_query, write_query_to, ExportOptions};
use junction_core::fs::blocking;
use junction_core::store::items::ItemQuery;
use junction_core::{Error, ProviderId, Session};

use crate::items::Target;

pub async fn run(
    session: &Session,
    target: Target,
    out: Option<&Path>,
    options: ExportOptions,
    search: Option<String>,
    types: Vec<String>,
) -> Result<(), Error> {
    let store = session.items().clone();
    let loads = blocking(move || store.loads()).await?;
    let providers: Vec<ProviderId> = match target {
        Target::One(p) => {
            let loaded = loads
                .iter()
                .any(|l| l.provider == p && (l.complete.is_some() || l.failed.is_some()));
            if !loaded {
                return Err(Error::InvalidInput(format!(
                    "nothing was ever loaded for {p}; run `junction-cli items {p}` or Load it in the app first"
                )));
            }
            vec![p]
        }
        Target::All => {
            if loads.is_empty() {
                return Err(Error::InvalidInput(
                    "the item store holds nothing yet; run `junction-cli items all` or Load in the app first".into(),
                ));
            }
            Vec::new()
        }
    };
    let query = ItemQuery {
        providers,
        types,
        search: search.unwrap_or_default(),
        sort: None,
    };
    write(session, &query, out, options).await
}

/// Writes `query`'s rows to `out` (atomically) or to stdout.
pub async fn write(
    session: &Session,
    query: &ItemQuery,
    out: Option<&Path>,
    options: ExportOptions,
) -> Result<(), Error> {
    let store = session.items().clone();
    let query = query.clone();
    match out {
        Some(path) => {
            let path = path.to_path_buf();
            let summary =
                blocking(move || export_query(&store, &query, options, &path, None)).await?;
            eprintln!(
                "wrote {} items to {}",
                summary.count,
                summary.path.display()
            );
        }
        None => {
            blocking(move || {
                write_query_to(&store, &query, options, std::io::stdout().lock()).map(|_| ())
            })
            .await?;
        }
    }
    Ok(())
}
