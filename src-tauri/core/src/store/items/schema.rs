//! The item store's tables, as versioned migrations (`PRAGMA user_version`).
//!
//! - `item_sets`: one row per load of a provider account: its state, when it ran, how
//!   many items it has, why it stopped and where to resume.
//! - `items`: every loaded item, every `IntegrationItem` field in its own column and
//!   `properties` as JSON, keyed by set (one provider account's load) + type + id.
//!   `search` is
//!   the folded text the search box matches (name, parent, id, property values).
//!
//! Only the key index is kept on `items`: sorting and searching run over an in-memory
//! index built from it (see `index.rs`), so loading never pays for more B-trees.

use rusqlite_migration::{Migrations, M};

pub(super) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(
        "CREATE TABLE item_sets (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            account TEXT NOT NULL,
            -- loading: a load writes into it; failed: it stopped (resume_point says
            -- where, when it can go on); complete: every item; superseded: a newer
            -- complete set replaced it and its rows are being deleted.
            state TEXT NOT NULL CHECK (state IN ('loading', 'failed', 'complete', 'superseded')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            item_count INTEGER NOT NULL DEFAULT 0,
            -- A complete set's items per type, as JSON (type to count): the counts
            -- a start shows before the index is built.
            type_counts TEXT,
            error_code TEXT,
            error_message TEXT,
            resume_point TEXT
        );
        CREATE INDEX item_sets_by_account ON item_sets (provider, account, state);

        CREATE TABLE items (
            rowid INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES item_sets (id),
            provider TEXT NOT NULL,
            account TEXT NOT NULL,
            item_type TEXT NOT NULL,
            id TEXT NOT NULL,
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
            properties TEXT NOT NULL,
            search TEXT NOT NULL,
            -- Unix milliseconds of the two times, for sorting without parsing.
            created_ms INTEGER,
            modified_ms INTEGER
        );
        -- A set is one provider account's: its rows are told apart by type and id.
        CREATE UNIQUE INDEX items_by_key ON items (set_id, item_type, id);",
    )])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
