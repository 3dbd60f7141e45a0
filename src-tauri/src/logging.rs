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

/// Panics go to the log file too (through the same redaction), not only to a stderr
/// nobody sees when the app was started from the desktop. The release build unwinds
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
