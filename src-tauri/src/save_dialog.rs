//! Where an export is written: always the place the user picks in the native save
//! dialog, opened here in Rust. The page never sends a path, so a script injected into
//! the webview cannot write a file of its choosing (CSV keeps newlines inside quoted
//! cells: an export to `~/.ssh/authorized_keys` would be a working key file).

use std::path::PathBuf;

use junction_core::export::ExportFormat;
use tauri::{Runtime, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

use junction_core::ErrorCode;

use crate::error::{IpcError, IpcResult};

/// The file the user chose for an export in `format`, or `None` when they cancelled.
pub async fn choose_export_path<R: Runtime>(
    window: &WebviewWindow<R>,
    format: ExportFormat,
) -> IpcResult<Option<PathBuf>> {
    #[cfg(feature = "e2e")]
    if let Some(choice) = crate::e2e_hooks::save_dialog_choice() {
        return Ok(choice);
    }

    let (answer, answered) = tokio::sync::oneshot::channel();
    // The callback form: the dialog runs on the main thread and no async worker
    // waits blocked while the user decides.
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title("Export items")
        .set_file_name(default_file_name(format))
        .add_filter(format.display_name(), format.extensions())
        .save_file(move |picked| {
            let _ = answer.send(picked);
        });
    let picked = answered.await.map_err(|_| {
        IpcError::new(
            ErrorCode::Internal,
            "the save dialog closed without an answer",
        )
    })?;
    picked
        .map(|p| {
            p.into_path().map_err(|e| {
                IpcError::new(
                    ErrorCode::InvalidInput,
                    format!("the save dialog returned a location that is not a file: {e}"),
                )
            })
        })
        .transpose()
}

/// `junction-items-2026-12-01.csv`: today's date, the format's extension.
fn default_file_name(format: ExportFormat) -> String {
    let date = chrono::Local::now().format("%Y-%m-%d");
    format!("junction-items-{date}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_is_dated_and_has_the_format_extension() {
        for format in ExportFormat::ALL {
            let name = default_file_name(format);
            assert!(name.starts_with("junction-items-20"), "{name}");
            assert!(
                name.ends_with(&format!(".{}", format.extension())),
                "{name}"
            );
            assert!(!name.contains('/'), "a name, not a path: {name}");
            assert!(format.extensions().contains(&format.extension()));
        }
    }
}
