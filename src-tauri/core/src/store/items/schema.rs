//! The item store's tables, as versioned migrations (`PRAGMA user_version`).
//!
//! - `item_sets`: one row per load of a provider account: its state, when it ran, how
//!   many items it has, why it stopped and where to resume.
//! - `items`: every loaded item, every `IntegrationItem` field in its own column and
//!   `properties` as JSON, keyed by set (one provider account's load) + type + id.
//!   `search` is
//!   the folded text the search box matches (name, parent, id, property values).
//!
//! - `table_columns`: per set, the provider tables (HubSpot object types, Airtable
//!   tables, Notion data sources) its rows belong to, with their property keys and
//!   value kinds, for the SQLite export's typed tables.
//!
//! Only the key index is kept on `items`: sorting and searching run over an in-memory
//! index built from it (see `index.rs`), so loading never pays for more B-trees.

use rusqlite_migration::{Migrations, M};

pub(super) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
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
        ),
        // Faithful items: a record's associations (JSON id lists per object type), and
        // the provider table it is a row of (what the SQLite export types by).
        M::up(
            "ALTER TABLE items ADD COLUMN associations TEXT;
            ALTER TABLE items ADD COLUMN table_id TEXT;
            ALTER TABLE items ADD COLUMN table_name TEXT;
            -- Per set, the provider tables its rows belong to, their property keys and
            -- the JSON kinds of their values (a bit mask, see tables.rs).
            CREATE TABLE table_columns (
                set_id INTEGER NOT NULL,
                table_id TEXT NOT NULL,
                table_name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('table', 'property', 'associations')),
                key TEXT NOT NULL,
                types INTEGER NOT NULL,
                PRIMARY KEY (set_id, table_id, kind, key)
            ) WITHOUT ROWID;
            -- Whatever retires a set (a swap, a Disconnect, a fresh start) retires its
            -- schemas with it.
            CREATE TRIGGER item_sets_retire_columns AFTER DELETE ON item_sets
            BEGIN
                DELETE FROM table_columns WHERE set_id = old.id;
            END;",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
