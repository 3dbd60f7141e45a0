//! JSON (one array, an item per line) and NDJSON (an object per line) writers.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use super::check_cancel;
use crate::fs::WriteFailure;
use crate::item::IntegrationItem;

/// `[`, then one compact item per line (`{…},`), then `]`: one valid JSON document
/// that is also easy to stream, diff and `grep`.
pub(super) fn write_json<'a, W: Write>(
    items: impl IntoIterator<Item = &'a IntegrationItem>,
    out: &mut W,
    cancel: Option<&AtomicBool>,
) -> Result<usize, WriteFailure> {
    let mut n = 0;
    out.write_all(b"[")?;
    for item in items {
        check_cancel(n, cancel)?;
        out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, item).map_err(std::io::Error::from)?;
        n += 1;
    }
    out.write_all(if n == 0 { b"]\n" } else { b"\n]\n" })?;
    Ok(n)
}

/// One compact object per line, `\n` after each (also after the last).
pub(super) fn write_ndjson<'a, W: Write>(
    items: impl IntoIterator<Item = &'a IntegrationItem>,
    out: &mut W,
    cancel: Option<&AtomicBool>,
) -> Result<usize, WriteFailure> {
    let mut n = 0;
    for item in items {
        check_cancel(n, cancel)?;
        serde_json::to_writer(&mut *out, item).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}
