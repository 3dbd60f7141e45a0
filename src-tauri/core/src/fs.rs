//! Files Junction writes: all of them through [`write_atomic`], and the locks the app
//! and the CLI take around the small files they both read-modify-write.
//!
//! `write_atomic` writes a temporary file in the target's own folder, fsyncs it,
//! renames it over the target and fsyncs the folder, so a reader (or a crash) sees the
//! old file or the new one, never half of one; an error or a cancel removes the
//! temporary file and leaves an existing target exactly as it was. A file that
//! already exists keeps its permission bits; a new one gets [`NewFile`]'s.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The prefix and suffix of temporary files, so stale ones (a crash mid-write) are
/// recognisable.
pub const TEMP_PREFIX: &str = ".junction-";
pub const TEMP_SUFFIX: &str = ".part";

/// Permissions of a file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewFile {
    /// 0600: secrets, and anything holding account data.
    Private,
    /// What a plain `File::create` gives (0666 less the umask): exports.
    Ordinary,
}

/// Why a writer gave up: its own reason (a cancel), or an I/O error that
/// [`write_atomic`] turns into an [`Error::Io`] naming the file.
#[derive(Debug)]
pub enum WriteFailure {
    Stopped(Error),
    Io(io::Error),
}

impl From<io::Error> for WriteFailure {
    fn from(e: io::Error) -> Self {
        WriteFailure::Io(e)
    }
}

/// Writes `path` atomically with `write`, which gets a buffered writer. A failure of
/// `write` leaves nothing behind.
pub fn write_atomic<T>(
    path: &Path,
    new_file: NewFile,
    write: impl FnOnce(&mut BufWriter<&File>) -> std::result::Result<T, WriteFailure>,
) -> Result<T> {
    replace_through_temp(path, new_file, |temp| {
        let mut out = BufWriter::with_capacity(256 * 1024, temp.as_file());
        let value = write(&mut out)?;
        out.flush()?;
        Ok(value)
    })
}

/// [`write_atomic`] for a writer that wants a path (a database): `write` gets the
/// temporary file's path, writes and closes it; the file is then fsynced and renamed.
pub fn write_atomic_path<T>(
    path: &Path,
    new_file: NewFile,
    write: impl FnOnce(&Path) -> std::result::Result<T, WriteFailure>,
) -> Result<T> {
    replace_through_temp(path, new_file, |temp| write(temp.path()))
}

/// The steps both writers share: a temporary file beside `path` with the mode the
/// result keeps, `write` into it, then fsync (through our handle: a path writer closed
/// its own), rename over `path` and fsync the folder.
fn replace_through_temp<T>(
    path: &Path,
    new_file: NewFile,
    write: impl FnOnce(&tempfile::NamedTempFile) -> std::result::Result<T, WriteFailure>,
) -> Result<T> {
    let folder = folder_of(path);
    fs::create_dir_all(&folder).map_err(|e| Error::io(path, describe_create(&e, &folder)))?;
    let mode = existing_mode(path).unwrap_or(match new_file {
        NewFile::Private => 0o600,
        NewFile::Ordinary => 0o666,
    });
    remove_stale_temps(&folder);
    let temp =
        create_temp(&folder, mode).map_err(|e| Error::io(path, describe_create(&e, &folder)))?;
    let failed = |e: &io::Error| Error::io(path, describe_write(e));
    let value = match write(&temp) {
        Ok(v) => v,
        Err(WriteFailure::Stopped(e)) => return Err(e),
        Err(WriteFailure::Io(e)) => return Err(failed(&e)),
    };
    temp.as_file().sync_all().map_err(|e| failed(&e))?;
    temp.persist(path)
        .map_err(|e| Error::io(path, describe_rename(&e.error, path)))?;
    sync_folder(&folder);
    Ok(value)
}

/// [`write_atomic`] of bytes known in full.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8], new_file: NewFile) -> Result<()> {
    write_atomic(path, new_file, |out| Ok(out.write_all(bytes)?))
}

/// The folder a file is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> Option<u32> {
    None
}

/// A temporary file older than this was left by a crash (a write in progress touches
/// its file far more often): it is removed.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Best effort: deletes our own temporary files (`.junction-*.part`) in `folder` that
/// a crash left behind. They may hold a copy of secrets or account data. Young ones
/// belong to a write still running (this process or another) and are kept.
fn remove_stale_temps(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn create_temp(folder: &Path, mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        // Created with the final mode (the umask applies), so a private file is never
        // readable by others, not even for a moment.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let temp = builder.tempfile_in(folder)?;
    #[cfg(unix)]
    {
        // The umask may have narrowed an existing file's mode: set it exactly.
        use std::os::unix::fs::PermissionsExt;
        if mode != 0o666 {
            fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(temp)
}

/// Best effort: makes the rename itself durable. Failing here loses nothing the user
/// could act on, so it is not an error.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// Opens `lock_path` (creating it and its folder) and takes an exclusive lock on it,
/// held until the returned file is dropped. Blocks while another holder has it: call
/// it off the async workers.
pub fn lock_file(lock_path: &Path) -> Result<File> {
    use fs4::fs_std::FileExt;
    if let Some(dir) = lock_path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(|e| Error::io(lock_path, e))?;
    lock.lock_exclusive().map_err(|e| Error::io(lock_path, e))?;
    Ok(lock)
}

/// Runs `f` holding an exclusive lock on `lock_path` (blocking).
pub fn with_file_lock<T>(lock_path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let _lock = lock_file(lock_path)?;
    f()
}

/// Runs blocking file work on the blocking pool, off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("a file task failed: {e}")))?
}

pub(crate) fn describe_create(e: &io::Error, folder: &Path) -> String {
    let folder = folder.display();
    match e.kind() {
        io::ErrorKind::PermissionDenied => format!(
            "cannot write in the folder `{folder}` (permission denied); choose another folder"
        ),
        io::ErrorKind::ReadOnlyFilesystem => {
            format!("the folder `{folder}` is on a read-only file system; choose another folder")
        }
        io::ErrorKind::NotADirectory => format!("`{folder}` is not a folder"),
        _ => format!(
            "cannot create a file in the folder `{folder}` ({}); choose another folder",
            os_error(e)
        ),
    }
}

/// The error without tempfile's " at path \"<temporary file>\"" suffix: the temporary
/// name means nothing to the user.
fn os_error(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at path \"") {
        Some((head, _)) if text.ends_with('"') => head.to_string(),
        _ => text,
    }
}

pub(crate) fn describe_write(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::StorageFull => {
            format!("the disk is full ({e}); free some space or choose another drive")
        }
        io::ErrorKind::QuotaExceeded => {
            format!("the disk quota is exceeded ({e}); free some space or choose another drive")
        }
        io::ErrorKind::PermissionDenied => {
            format!("permission denied ({e}); choose another file or folder")
        }
        io::ErrorKind::ReadOnlyFilesystem => {
            format!("the file system is read-only ({e}); choose another folder")
        }
        _ => format!("could not write the file: {e}"),
    }
}

fn describe_rename(e: &io::Error, path: &Path) -> String {
    match e.kind() {
        io::ErrorKind::IsADirectory | io::ErrorKind::DirectoryNotEmpty => {
            "is a folder; choose a file name inside it".to_string()
        }
        io::ErrorKind::PermissionDenied => format!(
            "cannot replace `{}` (permission denied); choose another file name",
            path.display()
        ),
        _ => format!("could not save the file: {e}"),
    }
}

/// The names of the files in `dir`, sorted: what a failed write must leave unchanged.
#[cfg(test)]
pub(crate) fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_file_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_bytes_atomic(&path, b"one", NewFile::Ordinary).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        let failed = write_atomic::<()>(&path, NewFile::Ordinary, |out| {
            out.write_all(b"half")?;
            Err(WriteFailure::Stopped(Error::Cancelled))
        });
        assert!(matches!(failed, Err(Error::Cancelled)));
        assert_eq!(fs::read(&path).unwrap(), b"one", "untouched");
        assert_eq!(file_names(dir.path()), ["f.json"], "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_kept_or_chosen() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let secret = dir.path().join("secrets.json");
        write_bytes_atomic(&secret, b"{}", NewFile::Private).unwrap();
        assert_eq!(mode(&secret), 0o600);
        let export = dir.path().join("items.csv");
        fs::write(&export, "old").unwrap();
        fs::set_permissions(&export, fs::Permissions::from_mode(0o640)).unwrap();
        write_bytes_atomic(&export, b"new", NewFile::Ordinary).unwrap();
        assert_eq!(mode(&export), 0o640, "an existing file keeps its mode");
    }

    #[test]
    fn stale_temporary_files_from_a_crash_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir
            .path()
            .join(format!("{TEMP_PREFIX}crashed{TEMP_SUFFIX}"));
        let young = dir
            .path()
            .join(format!("{TEMP_PREFIX}running{TEMP_SUFFIX}"));
        let theirs = dir.path().join("notes.part");
        for f in [&stale, &young, &theirs] {
            fs::write(f, "refresh_token=...").unwrap();
        }
        let old = std::time::SystemTime::now() - STALE_TEMP_AGE * 2;
        for f in [&stale, &theirs] {
            File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        write_bytes_atomic(&dir.path().join("f.json"), b"{}", NewFile::Private).unwrap();
        assert!(!stale.exists(), "a crash's temporary file is removed");
        assert!(young.exists(), "a running write's file is kept");
        assert!(theirs.exists(), "files that are not ours are kept");
    }

    #[test]
    fn a_missing_folder_is_created_and_a_bad_one_named() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b/c.toml");
        write_bytes_atomic(&nested, b"x = 1", NewFile::Private).unwrap();
        assert!(nested.exists());
        let blocked = dir.path().join("a/b/c.toml/d.toml");
        let err = write_bytes_atomic(&blocked, b"x", NewFile::Private).unwrap_err();
        assert_eq!(err.code(), "io");
        assert!(err.to_string().contains("d.toml"), "{err}");
    }
}
