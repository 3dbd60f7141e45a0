//! The CSV writer: RFC 4180 (`\r\n`, quoted only when needed, quotes doubled) with a
//! header row of the item fields in their JSON order.

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
    csv.write_field(r.id.unwrap_or(""))?;
    csv.write_field(r.item_type.unwrap_or(""))?;
    csv.write_field(flag(r.directory))?;
    csv.write_field(r.parent_path_or_name.unwrap_or(""))?;
    csv.write_field(r.parent_id.unwrap_or(""))?;
    csv.write_field(r.name.unwrap_or(""))?;
    csv.write_field(r.creation_time.unwrap_or(""))?;
    csv.write_field(r.last_modified_time.unwrap_or(""))?;
    csv.write_field(r.url.unwrap_or(""))?;
    csv.write_field(&s.children)?;
    csv.write_field(r.mime_type.unwrap_or(""))?;
    csv.write_field(r.delta.unwrap_or(""))?;
    csv.write_field(r.drive_id.unwrap_or(""))?;
    csv.write_field(r.visibility.map_or("", flag))?;
    csv.write_field(r.provider)?;
    csv.write_field(r.properties)?;
    csv.write_field(r.associations.unwrap_or(""))?;
    csv.write_record(None::<&[u8]>)
}
