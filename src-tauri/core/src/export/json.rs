//! JSON (one array, an item per line) and NDJSON (an object per line) writers.

use std::io::Write;

use crate::fs::WriteFailure;
use crate::item::IntegrationItem;

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

    pub fn item(&mut self, item: &IntegrationItem) -> Result<(), WriteFailure> {
        self.out
            .write_all(if self.n == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut self.out, item).map_err(std::io::Error::from)?;
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

    pub fn item(&mut self, item: &IntegrationItem) -> Result<(), WriteFailure> {
        serde_json::to_writer(&mut self.out, item).map_err(std::io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    pub fn finish(self) -> Result<W, WriteFailure> {
        Ok(self.out)
    }
}
