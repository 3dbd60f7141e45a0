//! Stand-ins for the parts of the desktop an end-to-end test cannot click: the native
//! save dialog and the system browser. Compiled only with the `e2e` feature, which
//! only `make test` turns on: `make run` and `make deb` builds do not contain these
//! names (scripts/deb-check.sh greps the packaged binaries for them).

use std::io::Write;
use std::path::PathBuf;

use junction_core::ErrorCode;

use crate::error::{IpcError, IpcResult};

/// `JUNCTION_TEST_SAVE_PATH`: what the save dialog "answers". A path is the chosen
/// file; set but empty is a cancelled dialog. `None` (unset): ask for real.
pub fn save_dialog_choice() -> Option<Option<PathBuf>> {
    let value = std::env::var_os("JUNCTION_TEST_SAVE_PATH")?;
    Some((!value.is_empty()).then(|| PathBuf::from(value)))
}

/// `JUNCTION_TEST_OPEN_URL_LOG`: appends `url` to that file instead of launching a
/// browser on the CI machine. `None` when the variable is unset.
pub fn log_opened_url(url: &str) -> Option<IpcResult<()>> {
    let log = std::env::var_os("JUNCTION_TEST_OPEN_URL_LOG")?;
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| writeln!(f, "{url}"))
        .map_err(|e| {
            IpcError::new(
                ErrorCode::Io,
                format!("cannot append to {}: {e}", PathBuf::from(&log).display()),
            )
        });
    Some(appended)
}
