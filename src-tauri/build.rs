// The app package's root is the repository root (the product card fixes the layout),
// so capabilities live in src-tauri/capabilities and the app's own commands are
// declared here: each becomes an `allow-<command>` permission that only the main
// window's capability grants (the OAuth popup gets none).
fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_status",
            "retry_cache",
            "list_providers",
            "connect",
            "cancel_connect",
            "use_browser_instead",
            "disconnect",
            "get_settings",
            "save_settings",
            "set_client_secret",
            "forget_everything",
            "load_items",
            "resume_load",
            "cancel_load",
            "export_items",
            "open_url",
        ]));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
