//! Logging, set up in one place for the app and the CLI. Every line passes through the
//! secret redactor ([`crate::redact`]) before it is written.
//!
//! - The app writes a daily file in `<config dir>/logs/` (a folder only the user can
//!   read), keeping the last [`KEEP_DAYS`] files; `JUNCTION_LOG` sets the filter.
//! - The CLI keeps stdout for data: it logs to stderr, and only when `JUNCTION_LOG`
//!   asks for it.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

use crate::redact::RedactingMakeWriter;

/// Days of app logs kept; older files are deleted as new ones start.
pub const KEEP_DAYS: usize = 14;
/// The variable that sets the log filter (`info`, `debug`, `junction_core=trace`, …).
pub const FILTER_VAR: &str = "JUNCTION_LOG";
const LOG_FILE_PREFIX: &str = "junction";
const LOG_FILE_SUFFIX: &str = "log";

/// Installs the app's file logger. Keep the guard alive for the app's lifetime (it
/// flushes on drop). `None` when the folder cannot be made: the app runs unlogged
/// rather than not at all.
pub fn init_app(dir: &Path) -> Option<WorkerGuard> {
    make_private_dir(dir).ok()?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(KEEP_DAYS)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env(FILTER_VAR)
        .unwrap_or_else(|_| EnvFilter::new("info,junction_core=info,junction_app=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(writer))
        .try_init()
        .ok()
        .map(|_| guard)
}

/// Creates the log folder, and makes it (new or not) readable by the user only: logs
/// name accounts and endpoints even with secrets redacted.
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Installs the CLI's stderr logger when `JUNCTION_LOG` is set.
pub fn init_cli() {
    if let Ok(filter) = std::env::var(FILTER_VAR) {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(filter))
            .with_writer(RedactingMakeWriter::new(std::io::stderr))
            .try_init();
    }
}

/// Panics go to the log too (through the same redaction), not only to a stderr nobody
/// sees when the app was started from the desktop. The release build unwinds
/// (docs/decisions.md): the panicking command or load ends, the window stays.
pub fn log_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic: {message}");
        default_hook(info);
    }));
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_log_folder_is_private_even_when_it_existed() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = root.path().join("a/logs");
        super::make_private_dir(&new).unwrap();
        assert_eq!(mode(&new), 0o700);
        let old = root.path().join("old-logs");
        std::fs::create_dir(&old).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
        super::make_private_dir(&old).unwrap();
        assert_eq!(mode(&old), 0o700);
    }
}
