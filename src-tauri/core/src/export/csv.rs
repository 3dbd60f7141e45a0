//! The CSV writer: RFC 4180 (`\r\n`, quoted only when needed, quotes doubled) with a
//! header row of the item fields in their JSON order.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::format::{Fixed, Item, Numeric, Pad};
use chrono::{DateTime, Utc};

use crate::fs::WriteFailure;
use crate::item::IntegrationItem;

/// The CSV header: the [`IntegrationItem`] field names in their serde (JSON) order.
pub const CSV_HEADER: [&str; 16] = crate::item::FIELDS;

/// The separator of `children` ids in a CSV field.
pub const CSV_CHILDREN_SEPARATOR: char = ';';

/// RFC 3339 in UTC as [`crate::item::format_time`] spells it (`Z`, and 0, 3, 6 or 9
/// fraction digits), as chrono items, so a time is written into a reused buffer.
const TIME: &[Item<'static>] = &[
    Item::Numeric(Numeric::Year, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Month, Pad::Zero),
    Item::Literal("-"),
    Item::Numeric(Numeric::Day, Pad::Zero),
    Item::Literal("T"),
    Item::Numeric(Numeric::Hour, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Minute, Pad::Zero),
    Item::Literal(":"),
    Item::Numeric(Numeric::Second, Pad::Zero),
    Item::Fixed(Fixed::Nanosecond),
    Item::Literal("Z"),
];

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
    pub fn start(out: W) -> Result<Self, WriteFailure> {
        // `out` is already buffered: keep the csv writer's own buffer small.
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .buffer_capacity(16 * 1024)
            .from_writer(out);
        csv.write_record(CSV_HEADER).map_err(csv_error)?;
        Ok(Csv {
            csv,
            scratch: Scratch::default(),
        })
    }

    pub fn item(&mut self, item: &IntegrationItem) -> Result<(), WriteFailure> {
        row(&mut self.csv, item, &mut self.scratch).map_err(csv_error)
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
    properties: Vec<u8>,
    created: String,
    modified: String,
}

fn time_into(buf: &mut String, t: Option<&DateTime<Utc>>) {
    buf.clear();
    if let Some(t) = t {
        // Writing into a String cannot fail.
        let _ = write!(buf, "{}", t.format_with_items(TIME.iter()));
    }
}

fn row<W: Write>(
    csv: &mut csv::Writer<W>,
    item: &IntegrationItem,
    s: &mut Scratch,
) -> Result<(), csv::Error> {
    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    fn flag(v: bool) -> &'static str {
        if v {
            "true"
        } else {
            "false"
        }
    }
    time_into(&mut s.created, item.creation_time.as_ref());
    time_into(&mut s.modified, item.last_modified_time.as_ref());
    s.children.clear();
    if let Some(ids) = &item.children {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                s.children.push(CSV_CHILDREN_SEPARATOR);
            }
            s.children.push_str(id);
        }
    }
    s.properties.clear();
    serde_json::to_writer(&mut s.properties, &item.properties).map_err(io::Error::from)?;

    csv.write_field(text(&item.id))?;
    csv.write_field(text(&item.item_type))?;
    csv.write_field(flag(item.directory))?;
    csv.write_field(text(&item.parent_path_or_name))?;
    csv.write_field(text(&item.parent_id))?;
    csv.write_field(text(&item.name))?;
    csv.write_field(&s.created)?;
    csv.write_field(&s.modified)?;
    csv.write_field(text(&item.url))?;
    csv.write_field(&s.children)?;
    csv.write_field(text(&item.mime_type))?;
    csv.write_field(text(&item.delta))?;
    csv.write_field(text(&item.drive_id))?;
    csv.write_field(item.visibility.map_or("", flag))?;
    csv.write_field(item.provider.as_str())?;
    csv.write_field(&s.properties)?;
    csv.write_record(None::<&[u8]>)
}

#[cfg(test)]
pub(super) fn time_text(t: &DateTime<Utc>) -> String {
    let mut buf = String::new();
    time_into(&mut buf, Some(t));
    buf
}
