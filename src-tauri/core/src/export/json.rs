//! JSON (one array, an item per line) and NDJSON (an object per line) writers.
//!
//! They write an [`ItemRecord`] field by field, byte for byte what serde writes for an
//! `IntegrationItem` (the same keys, order and escaping), with `children` and
//! `properties` and `associations` copied as the store keeps them: already JSON.

use std::io::{self, Write};

use crate::fs::WriteFailure;
use crate::item::{ItemRecord, FIELDS};

/// `[`, then one compact item per line (`{…},`), then `]`: one valid JSON document
/// that is also easy to stream, diff and `grep`.
pub(super) struct Json<W> {
    out: W,
    n: usize,
}

impl<W: Write> Json<W> {
    pub fn start(mut out: W) -> Result<Self, WriteFailure> {
        out.write_all(b"[")?;
        Ok(Json { out, n: 0 })
    }

    pub fn record(&mut self, r: &ItemRecord<'_>) -> Result<(), WriteFailure> {
        self.out
            .write_all(if self.n == 0 { b"\n" } else { b",\n" })?;
        object(&mut self.out, r)?;
        self.n += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W, WriteFailure> {
        self.out
            .write_all(if self.n == 0 { b"]\n" } else { b"\n]\n" })?;
        Ok(self.out)
    }
}

/// One compact object per line, `\n` after each (also after the last).
pub(super) struct Ndjson<W> {
    out: W,
}

impl<W: Write> Ndjson<W> {
    pub fn start(out: W) -> Result<Self, WriteFailure> {
        Ok(Ndjson { out })
    }

    pub fn record(&mut self, r: &ItemRecord<'_>) -> Result<(), WriteFailure> {
        object(&mut self.out, r)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    pub fn finish(self) -> Result<W, WriteFailure> {
        Ok(self.out)
    }
}

/// One item as a compact JSON object.
pub(super) fn object<W: Write>(out: &mut W, r: &ItemRecord<'_>) -> io::Result<()> {
    enum V<'a> {
        Text(Option<&'a str>),
        Flag(Option<bool>),
        Raw(Option<&'a str>),
    }
    let values = [
        V::Text(r.id),
        V::Text(r.item_type),
        V::Flag(Some(r.directory)),
        V::Text(r.parent_path_or_name),
        V::Text(r.parent_id),
        V::Text(r.name),
        V::Text(r.creation_time),
        V::Text(r.last_modified_time),
        V::Text(r.url),
        V::Raw(r.children),
        V::Text(r.mime_type),
        V::Text(r.delta),
        V::Text(r.drive_id),
        V::Flag(r.visibility),
        V::Text(Some(r.provider)),
        V::Raw(Some(r.properties)),
        V::Raw(r.associations),
    ];
    out.write_all(b"{")?;
    for (i, (field, value)) in FIELDS.iter().zip(values).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\"")?;
        out.write_all(field.as_bytes())?;
        out.write_all(b"\":")?;
        match value {
            V::Text(Some(s)) => serde_json::to_writer(&mut *out, s).map_err(io::Error::from)?,
            V::Flag(Some(true)) => out.write_all(b"true")?,
            V::Flag(Some(false)) => out.write_all(b"false")?,
            V::Raw(Some(json)) => out.write_all(json.as_bytes())?,
            V::Text(None) | V::Flag(None) | V::Raw(None) => out.write_all(b"null")?,
        }
    }
    out.write_all(b"}")
}
