//! The SQLite export: a standalone database with an `items` table holding every
//! `IntegrationItem` field as a column (`children` and `properties` as JSON text), in
//! the export's order, that any SQLite tool opens.

use std::path::Path;

use rusqlite::{params, Connection};

use super::Source;
use crate::fs::WriteFailure;

/// The export's `items` table, named `table` (`items`, or `out.items` in an attached
/// database).
pub(crate) fn schema(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
    id TEXT,
    type TEXT,
    directory INTEGER NOT NULL,
    parent_path_or_name TEXT,
    parent_id TEXT,
    name TEXT,
    creation_time TEXT,
    last_modified_time TEXT,
    url TEXT,
    children TEXT,
    mime_type TEXT,
    delta TEXT,
    drive_id TEXT,
    visibility INTEGER,
    provider TEXT NOT NULL,
    properties TEXT NOT NULL
)"
    )
}

fn failed(e: rusqlite::Error) -> WriteFailure {
    WriteFailure::Io(std::io::Error::other(e.to_string()))
}

/// Writes the database at `path` (a fresh temporary file the caller renames).
pub(super) fn write(path: &Path, source: &mut dyn Source) -> Result<usize, WriteFailure> {
    let mut conn = Connection::open(path).map_err(failed)?;
    // A file written once and renamed: no journal needed while it is built.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(failed)?;
    conn.execute_batch(&schema("items")).map_err(failed)?;
    let tx = conn.transaction().map_err(failed)?;
    let count = {
        let mut insert = tx
            .prepare("INSERT INTO items VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")
            .map_err(failed)?;
        source.each(&mut |r| {
            insert
                .execute(params![
                    r.id,
                    r.item_type,
                    r.directory,
                    r.parent_path_or_name,
                    r.parent_id,
                    r.name,
                    r.creation_time,
                    r.last_modified_time,
                    r.url,
                    r.children,
                    r.mime_type,
                    r.delta,
                    r.drive_id,
                    r.visibility,
                    r.provider,
                    r.properties,
                ])
                .map(|_| ())
                .map_err(failed)
        })?
    };
    tx.commit().map_err(failed)?;
    conn.close().map_err(|(_, e)| failed(e))?;
    Ok(count)
}
