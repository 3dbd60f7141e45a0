// The app package's root is the repository root (the product card fixes the layout),
// so capabilities live in src-tauri/capabilities. The app's own commands are read from
// the one list of them, the `contract!` call in src-tauri/src/contract.rs: each
// becomes an `allow-<command>` permission that only the main window's capability
// grants (the OAuth popup gets none).
fn main() {
    let contract = "src-tauri/src/contract.rs";
    println!("cargo:rerun-if-changed={contract}");
    let text = std::fs::read_to_string(contract).expect("read the contract");
    let commands = commands_of(&text);
    assert!(
        commands.len() > 10,
        "no commands found in the contract! call of {contract}"
    );
    // tauri-build keeps the names for the whole build: a build script may leak them.
    let names: &'static [&'static str] =
        Vec::leak(commands.into_iter().map(|c| &*String::leak(c)).collect());
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(names));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}

/// The `module::command` lines inside `contract! { … }`, as command names.
fn commands_of(text: &str) -> Vec<String> {
    let Some(start) = text.find("\ncontract! {") else {
        return Vec::new();
    };
    let body = &text[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end]
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_suffix(','))
        .filter_map(|l| l.split_once("::").map(|(_, name)| name.to_string()))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}
