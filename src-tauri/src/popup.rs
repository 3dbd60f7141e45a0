//! The in-app sign-in popup: a separate window on the provider's page, with its own
//! data directory (no cookies shared with anything else) and no IPC capability
//! (capabilities name only the main window). It closes itself when the flow ends;
//! closing it by hand cancels the flow.

use std::path::{Path, PathBuf};

use junction_core::ProviderId;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio_util::sync::CancellationToken;
use url::Url;

use junction_core::ErrorCode;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Unique per sign-in, so a new popup never collides with one still closing.
pub fn label(provider: ProviderId, id: u64) -> String {
    format!("oauth-{provider}-{id}")
}

/// The popup's own data directory (the provider's cookies and storage live there).
fn data_dir<R: Runtime>(app: &AppHandle<R>) -> IpcResult<PathBuf> {
    app.path()
        .app_cache_dir()
        .map(|d| d.join("oauth-popup"))
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
}

/// Removes the popup's data directory, so Disconnect and Forget everything also forget
/// the provider's login. Best effort: a failure is logged, not fatal.
pub fn wipe_data<R: Runtime>(app: &AppHandle<R>) {
    if let Ok(dir) = data_dir(app) {
        wipe_dir(&dir);
    }
}

fn wipe_dir(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "could not wipe the sign-in popup's data")
        }
    }
}

/// Whether the popup may go to `to`: https anywhere (the provider's pages and its
/// identity providers), plain http only to the loopback redirect named in the
/// authorization URL `auth`. Anything else (http elsewhere, file:, data:, javascript:,
/// custom schemes) is refused.
pub fn navigation_allowed(auth: &Url, to: &Url) -> bool {
    match to.scheme() {
        "https" => true,
        "http" => {
            redirect_of(auth).is_some_and(|r| {
                r.scheme() == "http"
                    && r.host_str() == to.host_str()
                    && r.port_or_known_default() == to.port_or_known_default()
                    && r.path() == to.path()
            }) || fake_provider_page(to)
        }
        _ => false,
    }
}

/// The end-to-end build signs in against the fake providers, which serve plain http on
/// loopback. Only that build allows it.
#[cfg(feature = "e2e")]
fn fake_provider_page(to: &Url) -> bool {
    matches!(to.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
}

#[cfg(not(feature = "e2e"))]
fn fake_provider_page(_: &Url) -> bool {
    false
}

/// The `redirect_uri` of an authorization URL.
fn redirect_of(auth: &Url) -> Option<Url> {
    let (_, uri) = auth.query_pairs().find(|(k, _)| k == "redirect_uri")?;
    Url::parse(&uri).ok()
}

/// The popup's title: always the host of the page it shows, so the user sees where
/// they type their password.
pub fn title(provider: ProviderId, page: &Url) -> String {
    let host = page.host_str().unwrap_or("(no host)");
    format!("Sign in to {} — {host}", provider.display_name())
}

pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    provider: ProviderId,
    id: u64,
    url: &Url,
    cancel: CancellationToken,
) -> IpcResult<()> {
    let data_dir = data_dir(app)?;
    let auth = url.clone();
    let window =
        WebviewWindowBuilder::new(app, label(provider, id), WebviewUrl::External(url.clone()))
            .title(title(provider, url))
            .inner_size(560.0, 720.0)
            .center()
            .data_directory(data_dir)
            .on_navigation(move |to| {
                let allowed = navigation_allowed(&auth, to);
                if !allowed {
                    tracing::warn!(
                        scheme = to.scheme(),
                        host = to.host_str().unwrap_or(""),
                        "the sign-in popup was kept from leaving https"
                    );
                }
                allowed
            })
            .on_page_load(move |window, payload| {
                let _ = window.set_title(&title(provider, payload.url()));
            })
            .build()
            .map_err(|e| {
                IpcError::new(
                    ErrorCode::Internal,
                    format!("could not open the sign-in window: {e}"),
                )
            })?;
    let handle = app.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Destroyed = event {
            let state = handle.state::<AppState>();
            let mut slot = state.pending();
            let by_user = slot
                .as_ref()
                .is_some_and(|p| p.id == id && !p.closing_on_purpose);
            if by_user {
                cancel.cancel();
                slot.take();
            }
        }
    });
    Ok(())
}

pub fn close<R: Runtime>(app: &AppHandle<R>, provider: ProviderId, id: u64) {
    if let Some(window) = app.get_webview_window(&label(provider, id)) {
        let _ = window.destroy();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Url {
        Url::parse(
            "https://airtable.com/oauth2/v1/authorize?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback&state=s",
        )
        .unwrap()
    }

    #[test]
    fn navigation_is_https_or_the_loopback_redirect() {
        let ok = |u: &str| navigation_allowed(&auth(), &Url::parse(u).unwrap());
        assert!(ok("https://airtable.com/login"));
        assert!(ok("https://accounts.google.com/o/oauth2/auth?x=1"));
        assert!(ok("http://127.0.0.1:8123/callback?code=c&state=s"));
        for refused in [
            "http://airtable.com/login",
            "http://localhost:8123/callback",
            "file:///etc/passwd",
            "data:text/html,<h1>x</h1>",
            "javascript:alert(1)",
            "junction://x",
        ] {
            assert!(!ok(refused), "{refused}");
        }
        // Other loopback pages: only the e2e build (the fakes serve http there).
        let e2e = cfg!(feature = "e2e");
        for loopback in [
            "http://127.0.0.1:8124/callback",
            "http://127.0.0.1:8123/other",
        ] {
            assert_eq!(ok(loopback), e2e, "{loopback}");
        }
        // No redirect in the authorization URL: no http at all (but the fakes').
        let bare = Url::parse("https://app.hubspot.com/oauth/authorize").unwrap();
        let to = Url::parse("http://127.0.0.1:8123/callback").unwrap();
        assert_eq!(navigation_allowed(&bare, &to), e2e);
    }

    #[test]
    fn the_title_names_the_page_s_host() {
        let page = Url::parse("https://evil.example/airtable.com/login").unwrap();
        assert_eq!(
            title(ProviderId::Airtable, &page),
            "Sign in to Airtable — evil.example"
        );
    }

    #[test]
    fn wiping_removes_the_data_dir_and_tolerates_none() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("oauth-popup");
        std::fs::create_dir_all(dir.join("WebKit/LocalStorage")).unwrap();
        std::fs::write(dir.join("WebKit/cookies.db"), "session=1").unwrap();
        wipe_dir(&dir);
        assert!(!dir.exists());
        wipe_dir(&dir);
    }
}
