//! Export failures through the public API: each names the path, leaves no partial or
//! temporary file, and never touches a file already at the destination.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use junction_core::export::{export_items, ExportFormat};
use junction_core::{Error, IntegrationItem, ProviderId};

fn items(n: usize) -> Vec<IntegrationItem> {
    (0..n)
        .map(|i| {
            let mut item = IntegrationItem::new(ProviderId::Notion, "Page", format!("p{i}"));
            item.name = Some(format!("Page {i}"));
            item
        })
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_io_naming(err: &Error, path: &Path, reason: &str) {
    assert_eq!(err.code(), "io", "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: ", path.display())),
        "names the path: {text}"
    );
    assert!(text.contains(reason), "expected `{reason}` in: {text}");
}

#[test]
fn cancel_before_start_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    let cancel = AtomicBool::new(true);
    for format in ExportFormat::ALL {
        let err = export_items(&items(10), format, &path, Some(&cancel)).unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        assert!(names_in(dir.path()).is_empty());
    }
}

#[test]
fn cancel_midway_leaves_no_file_and_keeps_the_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    fs::write(&path, "the previous export\n").unwrap();
    let all = items(20_000);
    for format in ExportFormat::ALL {
        let cancel = AtomicBool::new(false);
        // Cancel as the 5,000th item is written, like a user pressing Cancel.
        let view = all.iter().enumerate().map(|(i, item)| {
            if i == 5_000 {
                cancel.store(true, Ordering::Relaxed);
            }
            item
        });
        let err = export_items(view, format, &path, Some(&cancel)).unwrap_err();
        assert_eq!(err.code(), "cancelled", "{format}");
        assert_eq!(
            names_in(dir.path()),
            ["out.csv"],
            "{format}: no temporary file left"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "the previous export\n");
    }
}

#[test]
fn a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no such folder").join("out.json");
    let err = export_items(&items(1), ExportFormat::Json, &path, None).unwrap_err();
    assert_io_naming(&err, &path, "does not exist");
    assert!(names_in(dir.path()).is_empty());
}

#[test]
fn a_path_under_a_regular_file_is_refused() {
    // Tests run as root, so permissions cannot make a folder unwritable; a "folder" that
    // is really a file fails for everyone.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    fs::write(&file, "keep me").unwrap();
    let path = file.join("out.ndjson");
    let err = export_items(&items(3), ExportFormat::Ndjson, &path, None).unwrap_err();
    assert_io_naming(&err, &path, "is not a folder");
    assert_eq!(names_in(dir.path()), ["notes.txt"]);
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
}

#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_folder_is_named() {
    // /proc refuses new files, even for root.
    let path = Path::new("/proc/junction-export-test.json");
    let err = export_items(&items(3), ExportFormat::Json, path, None).unwrap_err();
    assert_io_naming(&err, path, "/proc");
    assert!(!path.exists());
}

#[test]
fn a_folder_as_the_destination_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("exports");
    fs::create_dir(&sub).unwrap();
    for format in ExportFormat::ALL {
        let err = export_items(&items(3), format, &sub, None).unwrap_err();
        assert_io_naming(&err, &sub, "is a folder");
        assert!(sub.is_dir());
        assert_eq!(names_in(dir.path()), ["exports"]);
        assert!(names_in(&sub).is_empty());
    }
}

#[test]
fn a_path_without_a_file_name_is_invalid_input() {
    let err = export_items(&items(1), ExportFormat::Csv, Path::new(".."), None).unwrap_err();
    assert_eq!(err.code(), "invalid_input", "{err}");
}

#[test]
fn a_successful_export_replaces_the_existing_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    fs::write(&path, "x".repeat(100_000)).unwrap();
    let summary = export_items(&items(2), ExportFormat::Json, &path, None).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(summary.bytes, text.len() as u64);
    assert_eq!(
        serde_json::from_str::<Vec<IntegrationItem>>(&text).unwrap(),
        items(2)
    );
    assert_eq!(names_in(dir.path()), ["out.json"]);
}
