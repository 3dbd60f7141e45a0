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
    use crate::item::{RecordScratch, RowTable};
    use crate::{IntegrationItem, ProviderId};

    /// Items whose records differ in every field a chunk copies.
    fn items(n: usize) -> Vec<IntegrationItem> {
        (0..n)
            .map(|i| {
                let mut item = IntegrationItem::new(ProviderId::Notion, "Page", format!("id{i}"));
                item.name = Some("zoë ".repeat(i % 7));
                item.directory = i % 2 == 0;
                item.visibility = (i % 3 == 0).then_some(false);
                item.parent_path_or_name = (i % 5 != 0).then(String::new);
                item.url = Some(format!("https://notion.so/{i}"));
                item.properties
                    .insert("n".into(), serde_json::json!({ "i": i, "s": "\"q\"" }));
                item.table = (i % 4 != 0).then(|| RowTable {
                    id: format!("t{}", i % 3),
                    name: "Tasks".into(),
                });
                item
            })
            .collect()
    }

    fn emit_all(
        items: &[IntegrationItem],
        emit: &mut dyn FnMut(&ItemRecord<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut scratch = RecordScratch::default();
        items
            .iter()
            .try_for_each(|item| emit(&item.record(&mut scratch)))
    }

    #[test]
    fn every_record_arrives_in_order_with_every_field() {
        let items = items(3 * CHUNK_ROWS + 5);
        let mut seen = Vec::new();
        let n = piped(
            |emit| emit_all(&items, emit),
            |r| {
                seen.push(format!("{r:?}"));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n as usize, items.len());
        let mut scratch = RecordScratch::default();
        let want: Vec<String> = items
            .iter()
            .map(|item| format!("{:?}", item.record(&mut scratch)))
            .collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_failing_writer_stops_the_reader_and_its_error_is_the_result() {
        let items = items(100 * CHUNK_ROWS);
        let mut emitted = 0;
        let result = piped(
            |emit| {
                emit_all(&items, &mut |r| {
                    emitted += 1;
                    emit(r)
                })
            },
            |r| match r.id {
                Some("id1000") => Err(Error::InvalidInput("disk full".into())),
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
        let items = items(CHUNK_ROWS + 10);
        let mut taken = 0;
        let result = piped(
            |emit| {
                emit_all(&items, emit)?;
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
