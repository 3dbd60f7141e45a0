//! Reading stored records on one thread while another writes them out.
//!
//! An export of a million rows spends about as long stepping SQLite through them as
//! encoding and writing them. A helper thread reads and copies the rows, a chunk at a
//! time, into buffers that the caller's thread turns back into [`ItemRecord`]s for its
//! writer, so the two halves overlap on two cores.

use std::sync::mpsc::{channel, sync_channel};

use crate::item::ItemRecord;
use crate::{Error, Result};

/// A chunk is handed over at this many rows, or this many bytes of text.
const CHUNK_ROWS: usize = 512;
const CHUNK_BYTES: usize = 1 << 20;

/// The text fields of a record, in [`Chunk::push`]'s order.
const TEXT_FIELDS: usize = 17;

/// Where one text field sits in [`Chunk::text`] (`None`: NULL).
type Span = Option<(u32, u32)>;

struct Copied {
    text: [Span; TEXT_FIELDS],
    directory: bool,
    visibility: Option<bool>,
}

/// Rows copied out of SQLite, their text in one buffer.
#[derive(Default)]
struct Chunk {
    text: String,
    rows: Vec<Copied>,
}

impl Chunk {
    fn push(&mut self, r: &ItemRecord<'_>) {
        let text = &mut self.text;
        let mut put = |s: Option<&str>| -> Span {
            s.map(|s| {
                let start = text.len();
                text.push_str(s);
                (start as u32, s.len() as u32)
            })
        };
        let (table_id, table_name) = r.table.unzip();
        let spans = [
            put(r.id),
            put(r.item_type),
            put(r.parent_path_or_name),
            put(r.parent_id),
            put(r.name),
            put(r.creation_time),
            put(r.last_modified_time),
            put(r.url),
            put(r.children),
            put(r.mime_type),
            put(r.delta),
            put(r.drive_id),
            put(Some(r.provider)),
            put(Some(r.properties)),
            put(r.associations),
            put(table_id),
            put(table_name),
        ];
        self.rows.push(Copied {
            text: spans,
            directory: r.directory,
            visibility: r.visibility,
        });
    }

    fn is_full(&self) -> bool {
        self.rows.len() >= CHUNK_ROWS || self.text.len() >= CHUNK_BYTES
    }

    fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
    }

    fn records(&self) -> impl Iterator<Item = ItemRecord<'_>> {
        self.rows.iter().map(|row| {
            let get = |i: usize| {
                row.text[i].map(|(start, len)| &self.text[start as usize..(start + len) as usize])
            };
            ItemRecord {
                id: get(0),
                item_type: get(1),
                directory: row.directory,
                parent_path_or_name: get(2),
                parent_id: get(3),
                name: get(4),
                creation_time: get(5),
                last_modified_time: get(6),
                url: get(7),
                children: get(8),
                mime_type: get(9),
                delta: get(10),
                drive_id: get(11),
                visibility: row.visibility,
                provider: get(12).unwrap_or(""),
                properties: get(13).unwrap_or("{}"),
                associations: get(14),
                table: get(15).zip(get(16)),
            }
        })
    }
}

/// Runs `read` on a helper thread, handing each record it emits to `each` on this
/// one, in order. Returns how many `each` took. When `each` fails, `read` is stopped
/// at its next full chunk and `each`'s error is the result; when `read` fails, its
/// error is the result.
pub(super) fn piped(
    read: impl FnOnce(&mut dyn FnMut(&ItemRecord<'_>) -> Result<()>) -> Result<()> + Send,
    mut each: impl FnMut(&ItemRecord<'_>) -> Result<()>,
) -> Result<u64> {
    std::thread::scope(|scope| {
        let (full, filled) = sync_channel::<Chunk>(2);
        let (free, freed) = channel::<Chunk>();
        let reader = scope.spawn(move || {
            let mut chunk = Chunk::default();
            read(&mut |r| {
                chunk.push(r);
                if chunk.is_full() {
                    let next = freed.try_recv().unwrap_or_default();
                    // The receiving end is gone only when `each` failed.
                    full.send(std::mem::replace(&mut chunk, next))
                        .map_err(|_| Error::Cancelled)?;
                }
                Ok(())
            })?;
            if !chunk.rows.is_empty() {
                let _ = full.send(chunk);
            }
            Ok(())
        });
        let mut n = 0;
        let mut written = Ok(());
        'chunks: for mut chunk in filled.iter() {
            for r in chunk.records() {
                if let Err(e) = each(&r) {
                    written = Err(e);
                    break 'chunks;
                }
                n += 1;
            }
            chunk.clear();
            let _ = free.send(chunk);
        }
        // Unblocks a reader waiting to hand over its next chunk.
        drop(filled);
        let read = reader
            .join()
            .map_err(|_| Error::Internal("the store reader stopped".into()))?;
        written?;
        read?;
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize, text: &str) -> (String, String) {
        (format!("id{i}"), text.repeat(i % 7))
    }

    #[test]
    fn every_record_arrives_in_order_with_every_field() {
        let rows: Vec<(String, String)> =
            (0..3 * CHUNK_ROWS + 5).map(|i| record(i, "zoë ")).collect();
        let mut seen = Vec::new();
        let n = piped(
            |emit| {
                for (i, (id, name)) in rows.iter().enumerate() {
                    emit(&ItemRecord {
                        id: Some(id),
                        item_type: None,
                        directory: i % 2 == 0,
                        parent_path_or_name: Some(""),
                        parent_id: None,
                        name: Some(name),
                        creation_time: None,
                        last_modified_time: None,
                        url: None,
                        children: None,
                        mime_type: None,
                        delta: None,
                        drive_id: None,
                        visibility: (i % 3 == 0).then_some(false),
                        provider: "notion",
                        properties: "{\"a\":1}",
                        associations: None,
                        table: Some(("t", "T")),
                    })?;
                }
                Ok(())
            },
            |r| {
                seen.push((
                    r.id.unwrap().to_string(),
                    r.name.unwrap().to_string(),
                    r.directory,
                    r.visibility,
                    r.parent_path_or_name.map(str::to_string),
                    r.item_type.is_none(),
                    r.properties == "{\"a\":1}" && r.provider == "notion",
                    r.table == Some(("t", "T")),
                ));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n as usize, rows.len());
        for (i, s) in seen.iter().enumerate() {
            assert_eq!((&s.0, &s.1), (&rows[i].0, &rows[i].1));
            assert_eq!(s.2, i % 2 == 0);
            assert_eq!(s.3, (i % 3 == 0).then_some(false));
            assert_eq!(s.4.as_deref(), Some(""));
            assert!(s.5 && s.6 && s.7);
        }
    }

    fn plain(id: &str) -> ItemRecord<'_> {
        ItemRecord {
            id: Some(id),
            item_type: None,
            directory: false,
            parent_path_or_name: None,
            parent_id: None,
            name: None,
            creation_time: None,
            last_modified_time: None,
            url: None,
            children: None,
            mime_type: None,
            delta: None,
            drive_id: None,
            visibility: None,
            provider: "hubspot",
            properties: "{}",
            associations: None,
            table: None,
        }
    }

    #[test]
    fn a_failing_writer_stops_the_reader_and_its_error_is_the_result() {
        let mut emitted = 0;
        let result = piped(
            |emit| {
                for i in 0..100 * CHUNK_ROWS {
                    emitted += 1;
                    emit(&plain(&i.to_string()))?;
                }
                Ok(())
            },
            |r| match r.id {
                Some("1000") => Err(Error::InvalidInput("disk full".into())),
                _ => Ok(()),
            },
        );
        assert!(matches!(result, Err(Error::InvalidInput(m)) if m == "disk full"));
        assert!(
            emitted < 10 * CHUNK_ROWS,
            "the reader stopped early: {emitted}"
        );
    }

    #[test]
    fn a_failing_reader_is_the_result() {
        let mut taken = 0;
        let result = piped(
            |emit| {
                for i in 0..CHUNK_ROWS + 10 {
                    emit(&plain(&i.to_string()))?;
                }
                Err(Error::Store("the disk went away".into()))
            },
            |_| {
                taken += 1;
                Ok(())
            },
        );
        assert!(matches!(result, Err(Error::Store(_))));
        assert!(taken <= CHUNK_ROWS + 10);
    }
}
