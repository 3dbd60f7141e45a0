//! Where Junction keeps things: a TTL cache ([`Kv`]: Redis or embedded), secrets
//! ([`Secrets`]: OS keychain, a 0600 file, or memory) and small atomic file writes.

mod keys;
mod kv;
mod kv_memory;
mod kv_redis;
mod secrets;

pub use keys::{KeyKind, Keys};
pub use kv::Kv;
pub use kv_memory::MemoryKv;
pub use kv_redis::RedisKv;
pub use secrets::{FileBackend, KeyringBackend, MemoryBackend, SecretBackend, SecretName, Secrets};

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// Opens `lock_path` (creating it and its folder) and takes an exclusive lock on it,
/// held until the returned file is dropped. Blocks while another holder has it.
pub fn lock_file(lock_path: &Path) -> Result<std::fs::File> {
    use fs4::fs_std::FileExt;
    if let Some(dir) = lock_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(|e| Error::io(lock_path, e))?;
    lock.lock_exclusive().map_err(|e| Error::io(lock_path, e))?;
    Ok(lock)
}

/// Runs `f` holding an exclusive lock on `lock_path`: the app and the CLI
/// read-modify-write the same small files.
pub fn with_file_lock<T>(lock_path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let _lock = lock_file(lock_path)?;
    f()
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename,
/// so readers see the old file or the new one, never half of one. `private` makes the
/// file 0600 before anything is written to it (secrets).
pub fn atomic_write(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".junction-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
