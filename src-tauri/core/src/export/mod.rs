//! Export of loaded items to JSON, NDJSON, CSV and SQLite.
//!
//! [`export_items`] streams the items through [`crate::fs::write_atomic`]: a temporary
//! file in the destination's own folder, fsynced, then renamed onto the destination.
//! So:
//!
//! * an error (unwritable folder, full disk …) or a cancel leaves no partial file behind:
//!   the temporary file is removed, and a file that already exists at the destination is
//!   never touched — it is either left exactly as it was or replaced whole;
//! * a reader never sees a half-written export.
//!
//! # Formats
//!
//! * **JSON** — one array of [`IntegrationItem`] objects. It is compact, with one item per
//!   line (`[`, then `{…},` lines, then `]`): still one valid JSON document, but also
//!   easy to stream, diff and `grep`, and much smaller than pretty printing.
//! * **NDJSON** — one compact object per line, `\n` after each (also after the last).
//! * **CSV** — RFC 4180 (`\r\n` record terminator, fields quoted only when they contain
//!   `,`, `"`, `\r` or `\n`, quotes doubled) with a header row of the [`IntegrationItem`]
//!   field names in their JSON order ([`CSV_HEADER`]). `children` is joined with `;`,
//!   `properties` and `associations` are their JSON text (`properties` is `{}` when
//!   empty; its values keep their JSON types), `null` is an empty field, booleans
//!   are `true`/`false`, times are RFC 3339 in UTC exactly as in JSON. A cell that a
//!   spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return and is not a number) gets a leading `'`, unless
//!   [`ExportOptions::csv_raw_formulas`] is set. JSON, NDJSON and SQLite are never
//!   changed.
//!
//! Every file is UTF-8 **without a byte-order mark**: RFC 4180, JSON (RFC 8259 forbids
//! emitting one) and NDJSON readers, `csv`/pandas/`jq` and spreadsheet imports that let
//! you pick the encoding all take BOM-less UTF-8, while a BOM turns up as junk in the
//! first header name (`\u{feff}id`) for many scripts. The one reader that wants a BOM is
//! Excel opening a `.csv` by double click; "Data → From Text/CSV" in Excel reads it right.

mod csv;
mod json;
mod sqlite;

use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::fs::{write_atomic, write_atomic_path, NewFile, WriteFailure};
use crate::item::{IntegrationItem, ItemRecord, RecordScratch};
use crate::store::items::{ItemQuery, ItemStore};
use crate::{Error, Result};

pub use self::csv::{CSV_CHILDREN_SEPARATOR, CSV_HEADER};

/// How often (in items) the writers look at the cancel flag.
const CANCEL_CHECK_EVERY: usize = 256;

/// An export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Ndjson,
    Csv,
    Sqlite,
}

impl ExportFormat {
    /// Every format, the default (JSON) first: the order of the save dialog's filters.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Json,
        ExportFormat::Ndjson,
        ExportFormat::Csv,
        ExportFormat::Sqlite,
    ];

    /// The lowercase id (`json`, `ndjson`, `csv`, `sqlite`), as parsed by [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
            ExportFormat::Sqlite => "sqlite",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// Every extension a file of this format may have (the save dialog's filter).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            ExportFormat::Json => &["json"],
            ExportFormat::Ndjson => &["ndjson", "jsonl"],
            ExportFormat::Csv => &["csv"],
            ExportFormat::Sqlite => &["sqlite", "db", "sqlite3"],
        }
    }

    /// The name people read (save dialog filter names, toasts).
    pub fn display_name(self) -> &'static str {
        match self {
            ExportFormat::Json => "JSON",
            ExportFormat::Ndjson => "NDJSON (one JSON object per line)",
            ExportFormat::Csv => "CSV",
            ExportFormat::Sqlite => "SQLite database",
        }
    }

    /// The media type of the file.
    pub fn mime_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Sqlite => "application/vnd.sqlite3",
        }
    }

    /// The formats written as text (everything but the database).
    pub const TEXT: [ExportFormat; 3] =
        [ExportFormat::Json, ExportFormat::Ndjson, ExportFormat::Csv];

    /// Whether it can be written to a stream (stdout); a database needs a file.
    pub fn streams(self) -> bool {
        self != ExportFormat::Sqlite
    }

    /// The format a file name asks for by its extension (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<ExportFormat> {
        path.extension()?.to_str()?.parse().ok()
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportFormat {
    type Err = Error;

    /// `json`, `ndjson`, `csv` or `sqlite`, case-insensitive, with or without a dot.
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let text = text.strip_prefix('.').unwrap_or(text);
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "unknown export format `{s}`; expected json, ndjson, csv or sqlite"
                ))
            })
    }
}

/// How an export is written: its format and, for CSV, whether formula-looking cells
/// stay exactly as they are. A plain [`ExportFormat`] converts into the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// CSV only: write cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return as they are, without the leading `'` that keeps a spreadsheet from running
    /// them as formulas. Off by default; no other format is affected.
    pub csv_raw_formulas: bool,
}

impl From<ExportFormat> for ExportOptions {
    fn from(format: ExportFormat) -> Self {
        ExportOptions {
            format,
            csv_raw_formulas: false,
        }
    }
}

/// What an export wrote: for the toast ("12,345 items saved to …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// The destination, as given.
    pub path: PathBuf,
    /// Items written.
    pub count: usize,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// What a writer is given for each item.
pub(crate) type Each<'e> = dyn FnMut(&ItemRecord<'_>) -> std::result::Result<(), WriteFailure> + 'e;

/// Where an export's items come from: a list, or a query of the item store.
pub(crate) trait Source {
    /// Calls `each` with every item, in order; returns how many.
    fn each(&mut self, each: &mut Each<'_>) -> std::result::Result<usize, WriteFailure>;

    /// Writes the items as a SQLite database at `path` (a fresh temporary file).
    fn write_sqlite(
        &mut self,
        path: &Path,
        cancel: Option<&AtomicBool>,
    ) -> std::result::Result<usize, WriteFailure>;
}

struct Listed<I>(I);

impl<'a, I: Iterator<Item = &'a IntegrationItem>> Source for Listed<I> {
    fn write_sqlite(
        &mut self,
        path: &Path,
        cancel: Option<&AtomicBool>,
    ) -> std::result::Result<usize, WriteFailure> {
        sqlite::write(
            path,
            &mut Cancellable {
                source: self,
                cancel,
            },
        )
    }

    fn each(&mut self, each: &mut Each<'_>) -> std::result::Result<usize, WriteFailure> {
        let mut scratch = RecordScratch::default();
        let mut n = 0;
        for item in self.0.by_ref() {
            each(&item.record(&mut scratch))?;
            n += 1;
        }
        Ok(n)
    }
}

struct Stored<'a> {
    store: &'a ItemStore,
    query: &'a ItemQuery,
}

impl Source for Stored<'_> {
    /// The store copies its rows into the database itself: no row leaves SQLite.
    fn write_sqlite(
        &mut self,
        path: &Path,
        _cancel: Option<&AtomicBool>,
    ) -> std::result::Result<usize, WriteFailure> {
        self.store
            .copy_into_sqlite(self.query, path, &mut sqlite::StoreSink::default())
            .map(|n| n as usize)
            .map_err(WriteFailure::Stopped)
    }

    fn each(&mut self, each: &mut Each<'_>) -> std::result::Result<usize, WriteFailure> {
        // The store's callback speaks its own error type: park the writer's failure
        // (an I/O error keeps its kind for the message) and stop the read with it.
        let mut failure = None;
        let read = self.store.for_each_record(self.query, |record| {
            each(record).map_err(|e| {
                failure = Some(e);
                Error::Cancelled
            })
        });
        match (read, failure) {
            (_, Some(f)) => Err(f),
            (Ok(n), None) => Ok(n as usize),
            (Err(e), None) => Err(WriteFailure::Stopped(e)),
        }
    }
}

/// Checks `cancel` every [`CANCEL_CHECK_EVERY`] items of `source`.
struct Cancellable<'a> {
    source: &'a mut dyn Source,
    cancel: Option<&'a AtomicBool>,
}

impl Source for Cancellable<'_> {
    fn write_sqlite(
        &mut self,
        path: &Path,
        cancel: Option<&AtomicBool>,
    ) -> std::result::Result<usize, WriteFailure> {
        self.source.write_sqlite(path, cancel)
    }

    fn each(&mut self, each: &mut Each<'_>) -> std::result::Result<usize, WriteFailure> {
        let cancel = self.cancel;
        let mut n = 0;
        self.source.each(&mut |item| {
            check_cancel(n, cancel)?;
            n += 1;
            each(item)
        })
    }
}

/// Writes `items` to `path` in `format`, atomically (see the module docs).
///
/// `cancel` is polled while writing; once it is `true` the export stops with
/// [`Error::Cancelled`] and leaves nothing behind. Every other failure is an
/// [`Error::Io`] naming `path`, with a reason that says what to do (the folder does not
/// exist, is not writable, the disk is full, the path is a folder …), or
/// [`Error::InvalidInput`] for a path with no file name.
pub fn export_items<'a>(
    items: impl IntoIterator<Item = &'a IntegrationItem>,
    options: impl Into<ExportOptions>,
    path: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<ExportSummary> {
    export(&mut Listed(items.into_iter()), options.into(), path, cancel)
}

/// Writes what `query` selects from the store to `path` in `format`, in the query's
/// order, atomically (as [`export_items`]).
pub fn export_query(
    store: &ItemStore,
    query: &ItemQuery,
    options: impl Into<ExportOptions>,
    path: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<ExportSummary> {
    export(&mut Stored { store, query }, options.into(), path, cancel)
}

fn export(
    source: &mut dyn Source,
    options: ExportOptions,
    path: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<ExportSummary> {
    let target = destination(path)?;
    if is_cancelled(cancel) {
        return Err(Error::Cancelled);
    }
    let mut source = Cancellable { source, cancel };
    let written = if options.format == ExportFormat::Sqlite {
        write_atomic_path(&target, NewFile::Ordinary, |temp| {
            let count = source.source.write_sqlite(temp, cancel)?;
            Ok((count, std::fs::metadata(temp).map(|m| m.len()).unwrap_or(0)))
        })
    } else {
        write_atomic(&target, NewFile::Ordinary, |out| {
            // Buffered before the count: the writers make a dozen small writes per
            // item, which should cost a copy each, not a call through the counter.
            let mut counted = BufWriter::with_capacity(256 * 1024, CountingWriter::new(out));
            let count = write_text(options, &mut counted, &mut source)?;
            counted.flush()?;
            Ok((count, counted.get_ref().written))
        })
    };
    // Messages name the path as the user gave it, not the resolved symlink target.
    let (count, bytes) = written.map_err(|e| match e {
        Error::Io { reason, .. } => Error::io(path, reason),
        other => other,
    })?;
    Ok(ExportSummary {
        path: path.to_path_buf(),
        count,
        bytes,
    })
}

/// Streams items in `format` to any writer (the CLI's stdout). Files should use
/// [`export_items`], which is atomic; a stream cannot be.
pub fn write_to<'a, W: Write>(
    items: impl IntoIterator<Item = &'a IntegrationItem>,
    options: impl Into<ExportOptions>,
    writer: W,
) -> Result<usize> {
    stream(&mut Listed(items.into_iter()), options.into(), writer)
}

/// Streams what `query` selects from the store to any writer.
pub fn write_query_to<W: Write>(
    store: &ItemStore,
    query: &ItemQuery,
    options: impl Into<ExportOptions>,
    writer: W,
) -> Result<usize> {
    stream(&mut Stored { store, query }, options.into(), writer)
}

fn stream<W: Write>(source: &mut dyn Source, options: ExportOptions, writer: W) -> Result<usize> {
    let format = options.format;
    if !format.streams() {
        return Err(Error::InvalidInput(format!(
            "a {} export needs a file: give --out FILE",
            format.display_name()
        )));
    }
    let mut out = BufWriter::with_capacity(256 * 1024, writer);
    let written = write_text(options, &mut out, source).and_then(|n| Ok(out.flush().map(|_| n)?));
    match written {
        Ok(count) => Ok(count),
        Err(WriteFailure::Stopped(e)) => Err(e),
        Err(WriteFailure::Io(e)) => Err(Error::io("standard output", e)),
    }
}

/// The text formats' core: writes every item of `source` in `format` to `out`.
pub(crate) fn write_text<W: Write>(
    options: ExportOptions,
    out: &mut W,
    source: &mut dyn Source,
) -> std::result::Result<usize, WriteFailure> {
    match options.format {
        ExportFormat::Json => {
            let mut w = json::Json::start(out)?;
            let n = source.each(&mut |r| w.record(r))?;
            w.finish()?;
            Ok(n)
        }
        ExportFormat::Ndjson => {
            let mut w = json::Ndjson::start(out)?;
            let n = source.each(&mut |r| w.record(r))?;
            w.finish()?;
            Ok(n)
        }
        ExportFormat::Csv => {
            let mut w = csv::Csv::start(out, options.csv_raw_formulas)?;
            let n = source.each(&mut |r| w.record(r))?;
            w.finish()?;
            Ok(n)
        }
        ExportFormat::Sqlite => Err(WriteFailure::Stopped(Error::InvalidInput(
            "SQLite is not a text format".into(),
        ))),
    }
}

/// The tests' entry: `items` in a text `format` to `out`, cancellable.
#[cfg(test)]
pub(crate) fn write_items<'a, W: Write>(
    items: impl IntoIterator<Item = &'a IntegrationItem>,
    options: impl Into<ExportOptions>,
    out: &mut W,
    cancel: Option<&AtomicBool>,
) -> std::result::Result<usize, WriteFailure> {
    let mut listed = Listed(items.into_iter());
    let mut source = Cancellable {
        source: &mut listed,
        cancel,
    };
    write_text(options.into(), out, &mut source)
}

/// Fails with `Cancelled` every [`CANCEL_CHECK_EVERY`] items once `cancel` is set.
fn check_cancel(n: usize, cancel: Option<&AtomicBool>) -> std::result::Result<(), WriteFailure> {
    if n.is_multiple_of(CANCEL_CHECK_EVERY) && is_cancelled(cancel) {
        return Err(WriteFailure::Stopped(Error::Cancelled));
    }
    Ok(())
}

fn is_cancelled(cancel: Option<&AtomicBool>) -> bool {
    cancel.is_some_and(|c| c.load(Ordering::Relaxed))
}

/// Counts the bytes that pass through to the file. Under `cfg(test)` it can also fail
/// like a full disk after a set number of bytes (see [`fail_after`]).
pub(crate) struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W> CountingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        CountingWriter { inner, written: 0 }
    }
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        #[cfg(test)]
        test_hooks::before_write(self.written, buf.len())?;
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod test_hooks {
    use std::cell::Cell;
    use std::io;

    thread_local! {
        static FAIL_AFTER: Cell<Option<u64>> = const { Cell::new(None) };
    }

    /// Makes every [`super::CountingWriter`] on this thread fail with ENOSPC once it
    /// would pass `bytes`.
    pub(crate) fn fail_after(bytes: Option<u64>) {
        FAIL_AFTER.with(|f| f.set(bytes));
    }

    pub(super) fn before_write(written: u64, len: usize) -> io::Result<()> {
        match FAIL_AFTER.with(Cell::get) {
            Some(limit) if written + len as u64 > limit => Err(enospc()),
            _ => Ok(()),
        }
    }

    pub(crate) fn enospc() -> io::Error {
        #[cfg(unix)]
        return io::Error::from_raw_os_error(28);
        #[cfg(not(unix))]
        return io::Error::new(io::ErrorKind::StorageFull, "no space left on device");
    }
}

/// The file to replace, checked (with its folder) before anything is written.
///
/// A symlink is followed, so exporting onto `latest.json -> exports/2024.json` rewrites
/// `exports/2024.json` and keeps the link. Devices, pipes and sockets are refused: the
/// rename would replace them with a regular file.
fn destination(path: &Path) -> Result<PathBuf> {
    if path.file_name().is_none() {
        return Err(Error::InvalidInput(format!(
            "`{}` is not a file name; choose a file to export to",
            path.display()
        )));
    }
    let target = match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::io(
                path,
                "is a folder; choose a file name inside it to export to",
            ))
        }
        Ok(meta) if !meta.is_file() => {
            return Err(Error::io(
                path,
                "is not a regular file (a device, pipe or socket); choose another file name",
            ))
        }
        Ok(_) if is_symlink(path) => fs::canonicalize(path).unwrap_or_else(|_| path.into()),
        // Absent (the usual case) or not readable: a parent that is a file, a permission
        // problem … are reported below or when creating the temporary file.
        _ => path.to_path_buf(),
    };
    let folder = crate::fs::folder_of(&target);
    match fs::metadata(&folder) {
        Ok(meta) if meta.is_dir() => Ok(target),
        Ok(_) => Err(Error::io(
            path,
            format!("`{}` is not a folder", folder.display()),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::io(
            path,
            format!(
                "the folder `{}` does not exist; choose an existing folder",
                folder.display()
            ),
        )),
        Err(e) => Err(Error::io(path, crate::fs::describe_create(&e, &folder))),
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::parse_time;
    use crate::ProviderId;
    use std::fs::File;

    fn sample(n: usize) -> Vec<IntegrationItem> {
        (0..n)
            .map(|i| {
                let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", i.to_string());
                item.name = Some(format!("Contact, \"{i}\"\nline two — مرحبا"));
                item.creation_time = parse_time(Some("2024-03-01T10:00:00.250+02:00"));
                item.children = Some(vec!["a".into(), "b".into()]);
                item.properties
                    .insert("email".into(), format!("c{i}@example.com").into());
                item
            })
            .collect()
    }

    fn buffered<W: Write>(w: W) -> BufWriter<CountingWriter<W>> {
        BufWriter::with_capacity(64, CountingWriter::new(w))
    }

    fn to_bytes(items: &[IntegrationItem], format: ExportFormat) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = buffered(&mut out);
        let n = write_items(items, format, &mut w, None).unwrap();
        w.flush().unwrap();
        let bytes = w.get_ref().written;
        drop(w);
        assert_eq!(n, items.len());
        assert_eq!(bytes, out.len() as u64);
        out
    }

    #[test]
    fn formats_parse_and_name_themselves() {
        for f in ExportFormat::ALL {
            assert_eq!(f.as_str().parse::<ExportFormat>().unwrap(), f);
            assert_eq!(f.to_string(), f.extension());
            assert!(!f.display_name().is_empty());
        }
        assert_eq!(
            " NDJSON ".parse::<ExportFormat>().unwrap(),
            ExportFormat::Ndjson
        );
        assert_eq!(".csv".parse::<ExportFormat>().unwrap(), ExportFormat::Csv);
        let err = "xlsx".parse::<ExportFormat>().unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("xlsx"));
        assert_eq!(
            ExportFormat::from_path(Path::new("/x/items.JSON")),
            Some(ExportFormat::Json)
        );
        assert_eq!(ExportFormat::from_path(Path::new("/x/items")), None);
    }

    #[test]
    fn csv_header_is_the_serde_field_order() {
        let mut item = IntegrationItem::new(ProviderId::Notion, "Page", "id");
        item.children = Some(vec![]);
        let json = serde_json::to_string(&item).unwrap();
        let mut last = 0;
        for name in CSV_HEADER {
            let at = json
                .find(&format!("\"{name}\":"))
                .unwrap_or_else(|| panic!("{name} missing"));
            assert!(at >= last, "{name} out of order in {json}");
            last = at;
        }
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value.as_object().unwrap().len(), CSV_HEADER.len());
    }

    #[test]
    fn a_record_is_written_as_serde_writes_the_item() {
        let mut odd = IntegrationItem::new(ProviderId::Notion, "Page", "p\"1");
        odd.name = Some("tab\t, quote \" backslash \\ \u{1f} émoji 🧪 \u{2028}".into());
        odd.visibility = None;
        odd.children = Some(vec!["a\"b".into(), "c".into()]);
        odd.creation_time = parse_time(Some("2024-03-01T10:00:00.123456+02:00"));
        odd.properties.insert("k\n".into(), "v\u{0}".into());
        let mut items = sample(3);
        items.push(odd);
        items.push(IntegrationItem::new(ProviderId::Airtable, "Base", "b"));
        let mut scratch = crate::item::RecordScratch::default();
        for item in &items {
            let mut out = Vec::new();
            json::object(&mut out, &item.record(&mut scratch)).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(item).unwrap()
            );
        }
    }

    #[test]
    fn json_is_one_array_with_an_item_per_line() {
        let items = sample(3);
        let text = String::from_utf8(to_bytes(&items, ExportFormat::Json)).unwrap();
        assert!(
            text.starts_with("[\n{") && text.ends_with("}\n]\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 5);
        let back: Vec<IntegrationItem> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, items);

        let empty = to_bytes(&[], ExportFormat::Json);
        assert_eq!(empty, b"[]\n");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let items = sample(4);
        let text = String::from_utf8(to_bytes(&items, ExportFormat::Ndjson)).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.ends_with("}\n"));
        for (line, item) in text.lines().zip(&items) {
            assert_eq!(
                &serde_json::from_str::<IntegrationItem>(line).unwrap(),
                item
            );
        }
        assert!(to_bytes(&[], ExportFormat::Ndjson).is_empty());
    }

    #[test]
    fn csv_row_spells_each_field() {
        let mut item = IntegrationItem::new(ProviderId::Airtable, "Record", "rec1");
        item.visibility = None;
        item.directory = true;
        item.children = Some(vec!["x".into(), "y".into(), "z".into()]);
        item.last_modified_time = parse_time(Some("2024-05-06T07:08:09Z"));
        item.properties.insert("Notes".into(), "a \"b\", c".into());
        let text = String::from_utf8(to_bytes(&[item], ExportFormat::Csv)).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next().unwrap(), CSV_HEADER.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "rec1,Record,true,,,,,2024-05-06T07:08:09Z,,x;y;z,,,,,airtable,\
             \"{\"\"Notes\"\":\"\"a \\\"\"b\\\"\", c\"\"}\","
        );
        assert_eq!(lines.next().unwrap(), "");
        assert!(lines.next().is_none());
    }

    fn csv_row_of(name: &str, options: ExportOptions) -> String {
        let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", "7");
        item.name = Some(name.to_string());
        let mut out = Vec::new();
        write_items(&[item], options, &mut out, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        row[5].to_string()
    }

    #[test]
    fn csv_cells_that_would_run_as_formulas_get_a_quote() {
        let csv = ExportOptions::from(ExportFormat::Csv);
        for attack in [
            "=HYPERLINK(\"http://evil\",\"click\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "-",
            "+1 555 0100",
            "-inf",
            "+NaN",
            "-1e",
        ] {
            assert_eq!(csv_row_of(attack, csv), format!("'{attack}"), "{attack:?}");
        }
        for plain in ["-5", "+1.25", "-.5e-3", "12", "a=b", "", "'already", "1-2"] {
            assert_eq!(csv_row_of(plain, csv), plain, "{plain:?}");
        }
    }

    #[test]
    fn raw_formulas_write_cells_as_they_are_and_other_formats_never_change() {
        let raw = ExportOptions {
            format: ExportFormat::Csv,
            csv_raw_formulas: true,
        };
        assert_eq!(csv_row_of("=1+1", raw), "=1+1");
        let mut item = IntegrationItem::new(ProviderId::Hubspot, "Contact", "=id");
        item.name = Some("@name".into());
        for format in [ExportFormat::Json, ExportFormat::Ndjson] {
            let text = String::from_utf8(to_bytes(std::slice::from_ref(&item), format)).unwrap();
            assert!(
                text.contains("\"=id\"") && text.contains("\"@name\""),
                "{text}"
            );
            assert!(!text.contains('\''), "{text}");
        }
    }

    #[test]
    fn csv_of_nothing_is_the_header() {
        let text = String::from_utf8(to_bytes(&[], ExportFormat::Csv)).unwrap();
        assert_eq!(text, format!("{}\r\n", CSV_HEADER.join(",")));
    }

    #[test]
    fn cancel_stops_the_writers() {
        let items = sample(1000);
        let cancel = AtomicBool::new(true);
        for f in ExportFormat::TEXT {
            let r = write_items(&items, f, &mut buffered(Vec::new()), Some(&cancel));
            assert!(
                matches!(r, Err(WriteFailure::Stopped(Error::Cancelled))),
                "{f}"
            );
        }
    }

    /// A writer that accepts `room` bytes, then fails like a full disk.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(test_hooks::enospc());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_surfaces_its_error() {
        let items = sample(200);
        for f in ExportFormat::TEXT {
            for room in [0, 10, 5000] {
                let mut w = buffered(FullDisk { room });
                match write_items(&items, f, &mut w, None).and_then(|_| Ok(w.flush()?)) {
                    Err(WriteFailure::Io(e)) => {
                        assert_eq!(e.kind(), io::ErrorKind::StorageFull, "{f} {room}: {e}")
                    }
                    other => panic!("{f} {room}: expected an I/O error, got {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_full_disk_names_the_path_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("items.json");
        fs::write(&path, "previous export").unwrap();
        let items = sample(2000);
        for f in ExportFormat::TEXT {
            test_hooks::fail_after(Some(100_000));
            let err = export_items(&items, f, &path, None).unwrap_err();
            test_hooks::fail_after(None);
            assert_eq!(err.code(), "io");
            let text = err.to_string();
            assert!(text.contains(&path.display().to_string()), "{text}");
            assert!(text.contains("disk is full"), "{text}");
            assert_eq!(crate::fs::file_names(dir.path()), ["items.json"], "{f}");
            assert_eq!(fs::read_to_string(&path).unwrap(), "previous export");
        }
    }

    #[test]
    fn export_replaces_an_existing_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        fs::write(&path, "x".repeat(1_000_000)).unwrap();
        let items = sample(2);
        let summary = export_items(&items, ExportFormat::Ndjson, &path, None).unwrap();
        assert_eq!(summary.count, 2);
        assert_eq!(summary.bytes, fs::metadata(&path).unwrap().len());
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
        assert_eq!(crate::fs::file_names(dir.path()), ["out.ndjson"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_export_gets_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("perm.csv");
        export_items(&sample(1), ExportFormat::Csv, &path, None).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // What `File::create` gives under the same umask, not tempfile's 0600.
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let expected = fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "mode {mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let summary = export_items(&sample(2), ExportFormat::Json, &link, None).unwrap();
        assert_eq!(summary.path, link);
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let back: Vec<IntegrationItem> =
            serde_json::from_str(&fs::read_to_string(&real).unwrap()).unwrap();
        assert_eq!(back.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_never_replaced() {
        let err =
            export_items(&sample(1), ExportFormat::Csv, Path::new("/dev/null"), None).unwrap_err();
        assert_eq!(err.code(), "io");
        assert!(
            err.to_string()
                .starts_with("/dev/null: is not a regular file"),
            "{err}"
        );
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn a_path_without_a_file_name_is_invalid_input() {
        let err = export_items(&sample(1), ExportFormat::Json, Path::new("/"), None).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }
}
