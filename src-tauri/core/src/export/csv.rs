//! The CSV writer: RFC 4180 (`\r\n`, quoted only when needed, quotes doubled) with a
//! header row of the item fields in their JSON order.
//!
//! **Formula injection.** A spreadsheet runs a cell that begins with `=`, `+`, `-` or
//! `@` (and, after a tab or carriage return, some do too) as a formula, and item text
//! is attacker-controlled (a HubSpot contact from a public form). Such a cell, unless it
//! is a plain number (`-5`, `+1.5e3`), is written with a leading `'`, which spreadsheets
//! read as "text" and do not show (OWASP's advice). `csv_raw_formulas` turns this off for
//! readers that want the bytes as they came.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::fs::WriteFailure;
use crate::item::ItemRecord;

/// The CSV header: the [`IntegrationItem`] field names in their serde (JSON) order.
pub const CSV_HEADER: [&str; 17] = crate::item::FIELDS;

/// The separator of `children` ids in a CSV field.
pub const CSV_CHILDREN_SEPARATOR: char = ';';

fn csv_error(e: csv::Error) -> WriteFailure {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => WriteFailure::Io(e),
        other => WriteFailure::Io(io::Error::other(format!("{other:?}"))),
    }
}

/// RFC 4180 with the header row first.
pub(super) struct Csv<W: Write> {
    csv: csv::Writer<W>,
    scratch: Scratch,
}

impl<W: Write> Csv<W> {
    /// `raw_formulas`: write cells that look like formulas as they are (no `'`).
    pub fn start(out: W, raw_formulas: bool) -> Result<Self, WriteFailure> {
        // `out` is already buffered: keep the csv writer's own buffer small.
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .buffer_capacity(16 * 1024)
            .from_writer(out);
        csv.write_record(CSV_HEADER).map_err(csv_error)?;
        Ok(Csv {
            csv,
            scratch: Scratch {
                raw_formulas,
                ..Scratch::default()
            },
        })
    }

    pub fn record(&mut self, r: &ItemRecord<'_>) -> Result<(), WriteFailure> {
        row(&mut self.csv, r, &mut self.scratch).map_err(csv_error)
    }

    pub fn finish(self) -> Result<W, WriteFailure> {
        self.csv
            .into_inner()
            .map_err(|e| WriteFailure::Io(e.into_error()))
    }
}

#[derive(Default)]
struct Scratch {
    children: String,
    raw_formulas: bool,
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a CSV cell: with a leading `'` when a spreadsheet would run it as a
/// formula (see the module docs).
pub(crate) fn defused(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !is_plain_number(text) => {
            Cow::Owned(format!("'{text}"))
        }
        _ => Cow::Borrowed(text),
    }
}

/// A decimal number as a spreadsheet reads one: sign, digits, a fraction, an exponent
/// (`-5`, `+1.25`, `-.5e-3`). Not `inf` or `NaN`, which Rust's float parser takes.
fn is_plain_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn row<W: Write>(
    csv: &mut csv::Writer<W>,
    r: &ItemRecord<'_>,
    s: &mut Scratch,
) -> Result<(), csv::Error> {
    fn flag(v: bool) -> &'static str {
        if v {
            "true"
        } else {
            "false"
        }
    }
    s.children.clear();
    if let Some(json) = r.children {
        // The store keeps children as a JSON array of ids; CSV joins them.
        let ids: Vec<String> = serde_json::from_str(json).unwrap_or_default();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                s.children.push(CSV_CHILDREN_SEPARATOR);
            }
            s.children.push_str(id);
        }
    }
    let raw = s.raw_formulas;
    // Every text field passes through here: any of them can hold provider text.
    let mut text = |value: &str| {
        if raw {
            csv.write_field(value)
        } else {
            csv.write_field(defused(value).as_ref())
        }
    };
    text(r.id.unwrap_or(""))?;
    text(r.item_type.unwrap_or(""))?;
    text(flag(r.directory))?;
    text(r.parent_path_or_name.unwrap_or(""))?;
    text(r.parent_id.unwrap_or(""))?;
    text(r.name.unwrap_or(""))?;
    text(r.creation_time.unwrap_or(""))?;
    text(r.last_modified_time.unwrap_or(""))?;
    text(r.url.unwrap_or(""))?;
    text(&s.children)?;
    text(r.mime_type.unwrap_or(""))?;
    text(r.delta.unwrap_or(""))?;
    text(r.drive_id.unwrap_or(""))?;
    text(r.visibility.map_or("", flag))?;
    text(r.provider)?;
    text(r.properties)?;
    text(r.associations.unwrap_or(""))?;
    csv.write_record(None::<&[u8]>)
}
