//! The item store: every loaded item in one SQLite database, `items.db` in the data
//! dir, shared by the app and the CLI.
//!
//! - **Sets.** Each load of a provider account writes into its own *set*. The table
//!   shows each account's last complete set; a first load's rows show as they arrive.
//!   A reload is staged: its set becomes visible only when complete, in the one
//!   transaction that also retires the set it replaces. A failed or cancelled load
//!   keeps its rows and a resume point; a Resume writes into the same set, by key, so
//!   it never duplicates.
//! - **Concurrency.** WAL mode and a busy timeout: the app and the CLI read and write
//!   at once. A commit from the other process is noticed through `PRAGMA
//!   data_version` and the in-memory index is rebuilt.
//! - **Damage.** A file that is not a readable database is moved aside
//!   (`items.db.corrupt-<time>`) and replaced by an empty store; the app never refuses
//!   to start because of it.
//!
//! Everything here blocks: call it off the async workers.

mod index;
mod memory;
mod query;
mod records;
mod schema;
mod tables;
pub mod text;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;

use crate::{Error, ProviderId, Result};

pub use index::SortColumn;
pub use query::{Counts, ItemKey, ItemQuery, QueryResult, RowView, Sort, SortDir, SqliteSink};
pub use tables::{JsonKinds, TableSchema};

/// The store's file name in the data dir.
pub const ITEMS_DB: &str = "items.db";
/// How long a statement waits for the other process's write lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A load's set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SetId(pub i64);

/// Why the store started empty: the damaged file it moved aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recovery {
    pub moved_to: PathBuf,
    pub reason: String,
}

/// What the store knows of one provider account's loads (for its card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadRecord {
    pub provider: ProviderId,
    pub account: String,
    /// The last complete load: when it finished and how many items it holds.
    pub complete: Option<CompleteLoad>,
    /// A load writing right now (here or in the other process).
    pub running: bool,
    /// The last load that stopped, if it is newer than the complete one.
    pub failed: Option<FailedLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompleteLoad {
    pub finished_at: DateTime<Utc>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedLoad {
    pub code: crate::ErrorCode,
    pub message: String,
    /// Items it wrote (kept for Resume).
    pub count: u64,
    pub resumable: bool,
}

/// The item store. Cheap to clone.
#[derive(Clone)]
pub struct ItemStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// Writes, and the `data_version` check (it changes only for other
    /// connections' commits).
    writer: Mutex<Connection>,
    /// Reads of windows and items, so a long write never stalls the table.
    reader: Mutex<Connection>,
    view: Mutex<query::View>,
    /// Set while a thread builds the index.
    rebuilding: std::sync::atomic::AtomicBool,
    /// The sets the index shows; writers queue the rows they add to them.
    visible: Mutex<std::collections::HashSet<SetId>>,
    pending: Mutex<Vec<query::PendingRow>>,
    recovered: Option<Recovery>,
}

impl ItemStore {
    /// Opens (or creates) `<data_dir>/items.db`. A damaged file is moved aside and an
    /// empty store takes its place; when even that fails (an unwritable folder), the
    /// store lives in memory and says why.
    pub fn open(data_dir: &Path) -> ItemStore {
        let path = data_dir.join(ITEMS_DB);
        match Self::open_at(&path) {
            Ok(store) => store,
            Err(Damage::Corrupt(reason)) => {
                let moved_to = aside(&path);
                tracing::warn!(path = %path.display(), moved_to = %moved_to.display(), %reason, "the item store was damaged; starting empty");
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(path_with(&path, suffix));
                }
                match Self::open_at(&path) {
                    Ok(mut store) => {
                        Arc::get_mut(&mut store.inner)
                            .expect("not shared yet")
                            .recovered = Some(Recovery { moved_to, reason });
                        store
                    }
                    Err(e) => Self::in_memory(&path, e.reason()),
                }
            }
            Err(Damage::Unusable(reason)) => Self::in_memory(&path, reason),
        }
    }

    fn open_at(path: &Path) -> std::result::Result<ItemStore, Damage> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Damage::Unusable(format!("{}: {e}", dir.display())))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        let mut writer = connect(path, true)?;
        schema::migrations()
            .to_latest(&mut writer)
            .map_err(Damage::from_migration)?;
        let reader = connect(path, false)?;
        let store = ItemStore::with(path, writer, reader, None);
        store
            .clean_up()
            .map_err(|e| Damage::Unusable(e.to_string()))?;
        Ok(store)
    }

    /// A store over its two connections: the writer (loads) and the reader (the table).
    fn with(
        path: &Path,
        writer: Connection,
        reader: Connection,
        recovered: Option<Recovery>,
    ) -> ItemStore {
        ItemStore {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                reader: Mutex::new(reader),
                view: Mutex::new(query::View::default()),
                rebuilding: Default::default(),
                visible: Default::default(),
                pending: Default::default(),
                recovered,
            }),
        }
    }

    /// A store in memory only, when the file cannot be used at all: the app still
    /// loads and shows items, and says why they will not be kept.
    fn in_memory(path: &Path, reason: String) -> ItemStore {
        tracing::error!(path = %path.display(), %reason, "the item store is unusable; keeping items in memory");
        // Two connections to one in-memory database: a shared-cache URI names it.
        let uri = format!(
            "file:junction-items-{}-{}?mode=memory&cache=shared",
            std::process::id(),
            rand::random::<u64>()
        );
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI;
        // Opening memory cannot meet a file problem; failing here is a broken SQLite.
        let mut writer = Connection::open_with_flags(&uri, flags).expect("SQLite opens memory");
        schema::migrations()
            .to_latest(&mut writer)
            .expect("the schema applies to an empty database");
        let reader = Connection::open_with_flags(&uri, flags).expect("SQLite opens memory");
        let recovered = Recovery {
            moved_to: PathBuf::new(),
            reason: format!("items are kept in memory only: {reason}"),
        };
        ItemStore::with(path, writer, reader, Some(recovered))
    }

    /// Drops the index (the visible sets changed) and builds it again in the
    /// background.
    fn invalidate_view(&self) {
        self.inner.view.lock().invalidate();
        self.rebuild_in_background();
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The damaged file moved aside at open, if any (for the status bar).
    pub fn recovered(&self) -> Option<&Recovery> {
        self.inner.recovered.as_ref()
    }

    /// The database's size on disk, its write-ahead log included.
    pub fn size_bytes(&self) -> u64 {
        ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(path_with(&self.inner.path, s)).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Each provider account's loads, for the cards.
    pub fn loads(&self) -> Result<Vec<LoadRecord>> {
        let conn = self.inner.reader.lock();
        let alive = |id: i64| self.lease_held(SetId(id));
        let mut stmt = conn
            .prepare_cached(
                "SELECT provider, account, state, finished_at, item_count, error_code, error_message,
                        resume_point IS NOT NULL, id
                 FROM item_sets WHERE state != 'superseded' ORDER BY id",
            )
            .map_err(sql)?;
        let mut records: Vec<LoadRecord> = Vec::new();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (provider, account, state, finished, count, code, message, resumable, id) =
                row.map_err(sql)?;
            let Ok(provider) = provider.parse::<ProviderId>() else {
                continue;
            };
            let at = records
                .iter()
                .position(|r| r.provider == provider && r.account == account);
            let record = match at {
                Some(i) => &mut records[i],
                None => {
                    records.push(LoadRecord {
                        provider,
                        account: account.clone(),
                        complete: None,
                        running: false,
                        failed: None,
                    });
                    records.last_mut().expect("just pushed")
                }
            };
            // Sets come oldest first: later ones override what they make stale.
            match state.as_str() {
                "complete" => {
                    record.complete = Some(CompleteLoad {
                        finished_at: finished
                            .as_deref()
                            .and_then(|t| crate::item::parse_time(Some(t)))
                            .unwrap_or_else(Utc::now),
                        count: count.max(0) as u64,
                    });
                    record.failed = None;
                    record.running = false;
                }
                "failed" => {
                    record.failed = Some(FailedLoad {
                        code: code
                            .as_deref()
                            .map_or(crate::ErrorCode::Internal, crate::ErrorCode::parse),
                        message: message.unwrap_or_default(),
                        count: count.max(0) as u64,
                        resumable,
                    });
                    record.running = false;
                }
                _ if alive(id) => record.running = true,
                // A load whose process is gone (a crash): its rows stay, with no
                // point to resume from.
                _ => {
                    record.failed = Some(FailedLoad {
                        code: crate::ErrorCode::Interrupted,
                        message: "the load was interrupted (Junction closed while loading)".into(),
                        count: count.max(0) as u64,
                        resumable: false,
                    });
                    record.running = false;
                }
            }
        }
        Ok(records)
    }

    /// Deletes every row and load of `provider` (Disconnect).
    pub fn forget_provider(&self, provider: ProviderId) -> Result<()> {
        {
            let mut conn = self.inner.writer.lock();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            tx.execute(
                "DELETE FROM items WHERE set_id IN (SELECT id FROM item_sets WHERE provider = ?1)",
                [provider.as_str()],
            )
            .map_err(sql)?;
            tx.execute(
                "DELETE FROM item_sets WHERE provider = ?1",
                [provider.as_str()],
            )
            .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        self.invalidate_view();
        Ok(())
    }

    /// Deletes every item (Forget everything): the rows, the space they took (so
    /// nothing lingers in free pages), and damaged copies moved aside earlier.
    pub fn forget_everything(&self) -> Result<()> {
        {
            let conn = self.inner.writer.lock();
            conn.execute_batch(
                "DELETE FROM items; DELETE FROM item_sets; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .map_err(sql)?;
        }
        self.invalidate_view();
        if let (Some(dir), Some(name)) = (self.inner.path.parent(), self.inner.path.file_name()) {
            let aside = format!("{}.corrupt-", name.to_string_lossy());
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.file_name().to_string_lossy().starts_with(&aside) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }

    /// Retires what an earlier process left behind: rows of superseded sets.
    fn clean_up(&self) -> Result<()> {
        let conn = self.inner.writer.lock();
        conn.execute_batch(
            "DELETE FROM items WHERE set_id IN (SELECT id FROM item_sets WHERE state = 'superseded');
             DELETE FROM item_sets WHERE state = 'superseded';",
        )
        .map_err(sql)
    }
}

/// Opens one connection with the store's settings.
fn connect(path: &Path, writer: bool) -> std::result::Result<Connection, Damage> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(Damage::from_sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(Damage::from_sql)?;
    // Reading the schema is what finds a file that is not a database.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(Damage::from_sql)?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(Damage::from_sql)?;
    }
    // NORMAL is durable in WAL mode up to the last checkpoint-free commit: a crash
    // loses at most the last batches, never the database.
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;",
    )
    .map_err(Damage::from_sql)?;
    if writer {
        // Checkpoint every ~64 MB of log rather than every 4 MB: loads write in long
        // runs, and a page that several batches change (the key index's, the last
        // table page) is copied back once per checkpoint, not once per batch
        // (ingest of 300,000 items: ~78,000/s at 16 MB, ~95,000/s at 64 MB).
        conn.pragma_update(None, "wal_autocheckpoint", 16000)
            .map_err(Damage::from_sql)?;
    }
    Ok(conn)
}

/// Why the file could not be opened.
enum Damage {
    /// Not a database, or a damaged one: move it aside.
    Corrupt(String),
    /// Something else (permissions, a full disk): leave the file alone.
    Unusable(String),
}

impl Damage {
    fn from_sql(e: rusqlite::Error) -> Damage {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match e.sqlite_error_code() {
            Some(DatabaseCorrupt | NotADatabase) => Damage::Corrupt(e.to_string()),
            _ => Damage::Unusable(e.to_string()),
        }
    }

    fn from_migration(e: rusqlite_migration::Error) -> Damage {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => Damage::from_sql(err),
            // A newer Junction's database: not ours to move, and not usable.
            other => Damage::Unusable(other.to_string()),
        }
    }

    fn reason(self) -> String {
        match self {
            Damage::Corrupt(r) | Damage::Unusable(r) => r,
        }
    }
}

/// `items.db.corrupt-<time>`, after moving the file there (or where it would be).
fn aside(path: &Path) -> PathBuf {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let to = path_with(path, &format!(".corrupt-{stamp}"));
    if let Err(e) = std::fs::rename(path, &to) {
        tracing::warn!(error = %e, "could not move the damaged store aside; removing it");
        let _ = std::fs::remove_file(path);
    }
    to
}

fn path_with(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A SQLite error as the store's error.
pub(crate) fn sql(e: rusqlite::Error) -> Error {
    Error::Store(e.to_string())
}
