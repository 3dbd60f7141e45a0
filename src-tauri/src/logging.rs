//! Logs go to a daily file in the app's log dir, through the core's redaction so a
//! token that slips into a message never reaches the disk.

use std::path::Path;

use junction_core::logging::RedactingMakeWriter;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Installs the file logger; keep the guard alive for the app's lifetime (it flushes).
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    if std::fs::create_dir_all(dir).is_err() {
        return None;
    }
    let appender = tracing_appender::rolling::daily(dir, "junction.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("JUNCTION_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,junction_core=info,junction_app=info"));
    let result = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(writer))
        .try_init();
    result.ok().map(|_| guard)
}
