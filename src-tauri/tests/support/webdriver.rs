//! A small W3C WebDriver client (reqwest + serde_json) and a `tauri-driver` launcher.
//!
//! Hand-written rather than fantoccini: it needs six endpoints, and fantoccini adds
//! about 1.5 minutes to a cold build on two cores (build-notes.md).
//!
//! Every call has a timeout, so a window that never comes (or a driver that stops
//! answering) fails the test with a message instead of hanging the run. Tests run one
//! after the other in one D-Bus session: a driver is started only once the previous
//! test's app has let go of Junction's single-instance name, or the new app would hand
//! over to the dying one and exit.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub type Res<T> = Result<T, String>;

/// The longest one WebDriver command may take (a click, a script, a screenshot).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a new session may take: the app starts and shows its window.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an app may take to exit and release its D-Bus name.
const EXIT_TIMEOUT: Duration = Duration::from_secs(15);

/// The D-Bus name a running Junction holds (tauri-plugin-single-instance: the
/// identifier in tauri.conf.json + ".SingleInstance").
pub const SINGLE_INSTANCE_NAME: &str = "app.junction.desktop.SingleInstance";

/// Asks the session bus itself (`org.freedesktop.DBus.<method>`) with `dbus-send`;
/// `None` when there is no session bus or no answer.
fn ask_bus(method: &str, args: &[String]) -> Option<String> {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS")?;
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
        ])
        .arg(format!("org.freedesktop.DBus.{method}"))
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether a process holds Junction's single-instance name on the session bus; `None`
/// when that cannot be asked (no session bus, no `dbus-send`).
pub fn single_instance_held() -> Option<bool> {
    let reply = ask_bus("NameHasOwner", &[format!("string:{SINGLE_INSTANCE_NAME}")])?;
    if reply.contains("boolean true") {
        Some(true)
    } else if reply.contains("boolean false") {
        Some(false)
    } else {
        None
    }
}

/// The process id of the bus connection `name` (a well-known or unique name).
pub fn bus_name_pid(name: &str) -> Option<u32> {
    let reply = ask_bus("GetConnectionUnixProcessID", &[format!("string:{name}")])?;
    reply.split_whitespace().last()?.parse().ok()
}

/// The process ids of every connection to the session bus.
pub fn bus_connection_pids() -> Vec<u32> {
    let Some(reply) = ask_bus("ListNames", &[]) else {
        return Vec::new();
    };
    reply
        .split('"')
        .filter(|n| n.starts_with(':'))
        .filter_map(bus_name_pid)
        .collect()
}

/// Waits until no Junction holds the single-instance name (the previous test's app
/// has exited), at most `timeout`. Returns whether it is free (or cannot be known).
pub async fn wait_single_instance_free(timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match single_instance_held() {
            Some(true) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Some(true) => return false,
            _ => return true,
        }
    }
}

/// Whether a process of the process group `pgid` still runs (zombies, already
/// ended, do not count: their parent may be gone and nobody reaps them).
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|g| g.parse::<u32>().ok());
        pgrp == Some(pgid) && state != Some("Z") && state != Some("X")
    })
}

/// A running tauri-driver; killed on drop.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver runs in its own process group with WebKitWebDriver and the app:
        // end them all, also when a test failed before closing its session, and wait
        // until they are gone (the app's D-Bus name with them), killing what lingers.
        let pgid = self.child.id();
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{pgid}"))
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + EXIT_TIMEOUT;
        while Instant::now() < deadline
            && (group_alive(pgid) || single_instance_held() == Some(true))
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        if group_alive(pgid) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tauri_driver_path() -> PathBuf {
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cargo/bin/tauri-driver");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

impl Driver {
    /// Starts tauri-driver on free ports with `env` added to what the app inherits.
    pub async fn start(env: &[(&str, String)], remove: &[&str]) -> Res<Driver> {
        if !wait_single_instance_free(EXIT_TIMEOUT).await {
            return Err(format!(
                "another Junction still holds {SINGLE_INSTANCE_NAME} after {EXIT_TIMEOUT:?}: \
                 a new app would hand over to it and exit"
            ));
        }
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(tauri_driver_path());
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        for k in remove {
            cmd.env_remove(k);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver (install it: make setup-test): {e}"))?;
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if client
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .is_ok()
            {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("tauri-driver did not answer within 15 s".into())
    }
}

/// One WebDriver session on the app.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    pub async fn new(driver: &Driver, application: &Path) -> Res<Session> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application}
        }}});
        let reply: Value = http
            .post(format!("{}/session", driver.url))
            .timeout(SESSION_TIMEOUT)
            .json(&caps)
            .send()
            .await
            .map_err(|e| format!("new session (the app's window within {SESSION_TIMEOUT:?}): {e}"))?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let id = reply["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {reply}"))?;
        Ok(Session {
            http,
            base: format!("{}/session/{id}", driver.url),
        })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Res<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply: Value = req
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        if let Some(err) = reply["value"]["error"].as_str() {
            return Err(format!("{err}: {}", reply["value"]["message"]));
        }
        Ok(reply["value"].clone())
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub async fn find(&self, css: &str, timeout: Duration) -> Res<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            match found {
                Ok(v) => {
                    if let Some(id) = v
                        .as_object()
                        .and_then(|o| o.values().next())
                        .and_then(Value::as_str)
                    {
                        return Ok(id.to_string());
                    }
                }
                Err(e) if Instant::now() >= deadline => return Err(format!("{css}: {e}")),
                Err(_) => {}
            }
            if Instant::now() >= deadline {
                return Err(format!("{css}: not found within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn text(&self, element: &str) -> Res<String> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{element}/text"),
                None,
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The element's `textContent`, trimmed (WebKitWebDriver's rendered text can be
    /// empty for elements it deems not displayed, e.g. while the window is unfocused).
    pub async fn text_of(&self, css: &str) -> Res<Option<String>> {
        let v = self
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;",
                json!([css]),
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Waits until the element's text satisfies `pred`; returns the last text.
    pub async fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Res<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(Some(text)) = self.text_of(css).await {
                if pred(&text) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(format!("{css}: text stayed {last:?}"))
    }

    pub async fn click(&self, element: &str) -> Res<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await
        .map(|_| ())
    }

    pub async fn send_keys(&self, element: &str, text: &str) -> Res<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await
        .map(|_| ())
    }

    pub async fn attribute(&self, element: &str, name: &str) -> Res<Option<String>> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{element}/attribute/{name}"),
                None,
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    pub async fn execute(&self, script: &str, args: Value) -> Res<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Runs an async script: it calls `arguments[arguments.length - 1](result)`.
    pub async fn execute_async(&self, script: &str, args: Value) -> Res<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    pub async fn window_handles(&self) -> Res<Vec<String>> {
        let v = self
            .call(reqwest::Method::GET, "/window/handles", None)
            .await?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str().map(str::to_string))
            .collect())
    }

    /// Saves a PNG of the window.
    pub async fn screenshot(&self, path: &Path) -> Res<()> {
        use base64::Engine as _;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let data = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(path, data).map_err(|e| e.to_string())
    }

    pub async fn close(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}
