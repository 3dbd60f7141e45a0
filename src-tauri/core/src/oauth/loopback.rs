//! The loopback server that receives the OAuth redirect.
//!
//! It listens on 127.0.0.1 and ::1 only, for one flow, answers GETs on the one
//! callback path, ignores everything else, and is gone when the flow ends (success,
//! denial, cancel or expiry: dropping it releases the port). Hand-written on tokio
//! rather than a web framework: it answers one GET, and the shipping app then needs
//! no HTTP server stack.
//!
//! What any local process or web page may send it is untrusted, so:
//! - a failed `accept()` (a full file table, an aborted connection) is waited out, never
//!   the end of the server;
//! - at most [`MAX_READERS`] connections are read at once (more wait in the kernel's
//!   backlog), each head bounded in size and time;
//! - a request whose `Host` is not this loopback address and port is refused before
//!   its target is looked at (a DNS-rebinding page reaches 127.0.0.1 under its own
//!   host name);
//! - every page it shows passes through the secret redactor.

use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// Connections whose request head is read at once; the next one is accepted when one
/// of them is done (answered, timed out or closed).
pub const MAX_READERS: usize = 16;
/// The most a request head may take (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause after a failed `accept()` before the next one.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// What the handler decided about one callback request.
pub enum Verdict<T> {
    /// The flow is over (connected, or refused by the user): answer and stop.
    Done(Result<T>, Page),
    /// Not ours (bad or replayed state): answer, keep waiting for the real callback.
    Ignore(Page),
}

/// The small page the browser shows after the redirect.
pub struct Page {
    pub status: u16,
    pub title: String,
    pub message: String,
}

impl Page {
    pub fn ok(title: impl Into<String>, message: impl Into<String>) -> Self {
        Page {
            status: 200,
            title: title.into(),
            message: message.into(),
        }
    }

    pub fn error(status: u16, title: impl Into<String>, message: impl Into<String>) -> Self {
        Page {
            status,
            title: title.into(),
            message: message.into(),
        }
    }

    fn html(&self) -> String {
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Junction</title>\
             <style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;\
             min-height:90vh;margin:0;color:#1f2330;background:#f6f7fb}}main{{text-align:center;\
             max-width:28rem;padding:2rem}}h1{{font-size:1.3rem}}p{{color:#555}}\
             @media(prefers-color-scheme:dark){{body{{background:#17181d;color:#e8e9ee}}p{{color:#aaa}}}}\
             </style></head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
            escape(&crate::redact::redact(&self.title)),
            escape(&crate::redact::redact(&self.message))
        )
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bound loopback server for one callback path.
pub struct Loopback {
    listeners: Vec<TcpListener>,
    path: String,
    port: u16,
}

impl Loopback {
    /// Binds `port` on 127.0.0.1 (required) and ::1 (when the machine has IPv6).
    /// A port still held by a sign-in that was just cancelled (its server is closing)
    /// gets a short grace period before it counts as taken.
    pub async fn bind(port: u16, path: &str) -> Result<Loopback> {
        let mut attempts = 0;
        loop {
            match Self::bind_once(port, path).await {
                Err(Error::PortInUse { .. }) if port != 0 && attempts < 10 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    async fn bind_once(port: u16, path: &str) -> Result<Loopback> {
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|e| bind_error(port, e))?;
        let port = v4.local_addr().map(|a| a.port()).unwrap_or(port);
        let mut listeners = vec![v4];
        match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await {
            Ok(v6) => listeners.push(v6),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(Error::PortInUse { port })
            }
            Err(_) => {} // no IPv6 loopback here; browsers then resolve localhost to 127.0.0.1
        }
        Ok(Loopback {
            listeners,
            path: path.to_string(),
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the handler says `Done`, the deadline passes, or `cancel` fires.
    pub async fn serve<T, F, Fut>(
        self,
        deadline: Instant,
        cancel: CancellationToken,
        mut handle: F,
    ) -> std::result::Result<Result<T>, Stop>
    where
        F: FnMut(HashMap<String, String>) -> Fut,
        Fut: Future<Output = Verdict<T>>,
    {
        // Each connection's request head is read in its own task, so an idle
        // connection (a browser's preconnect) never delays the real callback.
        let (tx, mut rx) = mpsc::channel::<(TcpStream, Option<String>)>(8);
        let mut accepters = tokio::task::JoinSet::new();
        let port = self.port;
        // One cap for both listeners.
        let readers = Arc::new(Semaphore::new(MAX_READERS));
        for listener in self.listeners {
            let (tx, readers) = (tx.clone(), readers.clone());
            accepters.spawn(async move {
                let accept = || async { listener.accept().await.map(|(stream, _)| stream) };
                accept_loop(accept, port, readers, tx).await;
            });
        }
        drop(tx);
        let outcome = loop {
            let (mut stream, target) = tokio::select! {
                _ = cancel.cancelled() => break Err(Stop::Cancelled),
                _ = tokio::time::sleep_until(deadline) => break Err(Stop::Expired),
                s = rx.recv() => match s { Some(s) => s, None => break Err(Stop::Expired) },
            };
            let Some(target) = target else {
                let _ = respond(&mut stream, &Page::error(400, "Bad request", "")).await;
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            if path != self.path {
                let _ = respond(&mut stream, &Page::error(404, "Not found", "")).await;
                continue;
            }
            let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            // The token exchange may take a while: cancel and expiry still end the flow.
            let verdict = tokio::select! {
                _ = cancel.cancelled() => break Err(Stop::Cancelled),
                _ = tokio::time::sleep_until(deadline) => break Err(Stop::Expired),
                v = handle(params) => v,
            };
            match verdict {
                Verdict::Done(result, page) => {
                    let _ = respond(&mut stream, &page).await;
                    break Ok(result);
                }
                Verdict::Ignore(page) => {
                    let _ = respond(&mut stream, &page).await;
                }
            }
        };
        // Dropping the accept tasks closes the listeners: the port is free again.
        accepters.shutdown().await;
        outcome
    }
}

/// Why serving stopped without a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Cancelled,
    Expired,
}

fn bind_error(port: u16, err: std::io::Error) -> Error {
    if err.kind() == std::io::ErrorKind::AddrInUse {
        Error::PortInUse { port }
    } else {
        Error::io(format!("127.0.0.1:{port}"), err)
    }
}

/// Accepts connections for ever (the caller aborts it), each read in a task of its
/// own while it holds one of `permits`; sends each with its GET target (`None`: not a
/// request to answer) to `tx`. `accept` is the listener's, a parameter so a test can
/// make it fail.
async fn accept_loop<F, Fut>(
    mut accept: F,
    port: u16,
    permits: Arc<Semaphore>,
    tx: mpsc::Sender<(TcpStream, Option<String>)>,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::io::Result<TcpStream>>,
{
    let mut readers = tokio::task::JoinSet::new();
    loop {
        let mut stream = match accept().await {
            Ok(stream) => stream,
            Err(e) => {
                // EMFILE, ENFILE, ECONNABORTED …: the listener is still good. Wait a
                // moment (descriptors free up) instead of ending the sign-in.
                tracing::debug!(error = %e, "the loopback accept failed; accepting again");
                tokio::time::sleep(ACCEPT_RETRY).await;
                continue;
            }
        };
        // While MAX_READERS are being read, this connection waits and no other is
        // taken: the rest wait in the kernel's backlog, costing no task or buffer.
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let tx = tx.clone();
        readers.spawn(async move {
            let target = read_request_target(&mut stream, port).await;
            drop(permit);
            let _ = tx.send((stream, target)).await;
        });
        // Reap finished readers so a long flow does not accumulate them.
        while readers.try_join_next().is_some() {}
    }
}

/// Reads the request head (bounded in size and time); the target of a GET addressed
/// to this loopback port, else `None`.
async fn read_request_target(stream: &mut TcpStream, port: u16) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        loop {
            if let Some(end) = memchr::memmem::find(&buf, b"\r\n\r\n") {
                buf.truncate(end);
                return Some(());
            }
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buf.len() > MAX_HEAD {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(HEAD_TIMEOUT, read).await.ok()??;
    let head = parse_request_head(&buf)?;
    let ours = head.method == "GET"
        && head
            .host
            .as_deref()
            .is_some_and(|h| is_loopback_host(h, port));
    ours.then_some(head.target)
}

/// What the loopback reads of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    pub target: String,
    /// The one `Host` header; `None` when there is none.
    pub host: Option<String>,
}

/// Parses a request head (the bytes before the blank line): `METHOD target HTTP/1.x`,
/// then `Name: value` lines. `None` for anything else, and for two `Host` headers
/// (which one a proxy believed is unknowable).
pub fn parse_request_head(bytes: &[u8]) -> Option<RequestHead> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split("\r\n");
    let mut request = lines.next()?.split(' ');
    let (method, target, version) = (request.next()?, request.next()?, request.next()?);
    if request.next().is_some()
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !target.starts_with('/')
        || !matches!(version, "HTTP/1.0" | "HTTP/1.1")
    {
        return None;
    }
    let mut host = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return None;
        }
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return None;
            }
            host = Some(value.trim().to_string());
        }
    }
    Some(RequestHead {
        method: method.to_string(),
        target: target.to_string(),
        host,
    })
}

/// Whether a `Host` header names this loopback server: `127.0.0.1`, `localhost` or
/// `[::1]`, with our port (which a browser leaves out only when it is 80).
pub fn is_loopback_host(host: &str, port: u16) -> bool {
    let (name, given) = match host.rsplit_once(':') {
        Some((name, p)) if !name.is_empty() && !p.contains(']') => (name, p.parse::<u16>().ok()),
        _ => (host, Some(80)),
    };
    given == Some(port)
        && ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
}

async fn respond(stream: &mut TcpStream, page: &Page) -> std::io::Result<()> {
    let body = page.html();
    let reason = match page.status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Connection: close\r\n\r\n",
        page.status,
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, path: &str) -> (u16, String) {
        get_as(port, path, &format!("127.0.0.1:{port}")).await
    }

    async fn get_as(port: u16, path: &str, host: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let status = out[9..12].parse().unwrap();
        (status, out)
    }

    #[tokio::test]
    async fn answers_the_callback_ignores_the_rest_and_frees_the_port() {
        let lb = Loopback::bind(0, "/integrations/hubspot/oauth2callback")
            .await
            .unwrap();
        let port = lb.port();
        let server = tokio::spawn(lb.serve(
            Instant::now() + Duration::from_secs(10),
            CancellationToken::new(),
            |params| async move {
                if params.get("state").map(String::as_str) == Some("good") {
                    Verdict::Done(
                        Ok(params["code"].clone()),
                        Page::ok("Connected", "close me"),
                    )
                } else {
                    Verdict::Ignore(Page::error(400, "State does not match", ""))
                }
            },
        ));
        assert_eq!(get(port, "/favicon.ico").await.0, 404);
        assert_eq!(
            get(
                port,
                "/integrations/hubspot/oauth2callback?state=bad&code=x"
            )
            .await
            .0,
            400
        );
        let (status, body) = get(
            port,
            "/integrations/hubspot/oauth2callback?state=good&code=c%201",
        )
        .await;
        assert_eq!(status, 200);
        assert!(body.contains("close me"));
        assert_eq!(server.await.unwrap().unwrap().unwrap(), "c 1");
        // The port is free again.
        Loopback::bind(port, "/x").await.expect("port released");
    }

    #[tokio::test]
    async fn an_idle_connection_does_not_delay_the_callback() {
        let lb = Loopback::bind(0, "/cb").await.unwrap();
        let port = lb.port();
        let server = tokio::spawn(lb.serve(
            Instant::now() + Duration::from_secs(30),
            CancellationToken::new(),
            |_| async { Verdict::Done(Ok(()), Page::ok("ok", "")) },
        ));
        // A browser's preconnect: a socket that never sends a request.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let started = std::time::Instant::now();
        assert_eq!(get(port, "/cb?state=s").await.0, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        server.await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_taken_port_is_named() {
        let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        let err = Loopback::bind(port, "/x").await.err().unwrap();
        assert_eq!(err.code(), "port_in_use");
        assert!(err.to_string().contains(&port.to_string()));
    }

    #[tokio::test]
    async fn expiry_and_cancel_stop_serving() {
        let lb = Loopback::bind(0, "/cb").await.unwrap();
        let port = lb.port();
        let stop = lb
            .serve::<(), _, _>(
                Instant::now() + Duration::from_millis(100),
                CancellationToken::new(),
                |_| async { Verdict::Ignore(Page::ok("", "")) },
            )
            .await
            .err();
        assert_eq!(stop, Some(Stop::Expired));
        let lb = Loopback::bind(port, "/cb").await.unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let stop = lb
            .serve::<(), _, _>(
                Instant::now() + Duration::from_secs(60),
                cancel,
                |_| async { Verdict::Ignore(Page::ok("", "")) },
            )
            .await
            .err();
        assert_eq!(stop, Some(Stop::Cancelled));
    }

    /// A server whose handler counts its calls and ends the flow on `state=good`.
    fn counting_server(
        lb: Loopback,
    ) -> (
        Arc<std::sync::atomic::AtomicUsize>,
        tokio::task::JoinHandle<std::result::Result<Result<()>, Stop>>,
    ) {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let server = tokio::spawn(lb.serve(
            Instant::now() + Duration::from_secs(30),
            CancellationToken::new(),
            move |params| {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if params.get("state").map(String::as_str) == Some("good") {
                        Verdict::Done(Ok(()), Page::ok("ok", ""))
                    } else {
                        Verdict::Ignore(Page::error(400, "no", ""))
                    }
                }
            },
        ));
        (calls, server)
    }

    #[tokio::test]
    async fn a_foreign_host_header_is_refused_before_the_handler() {
        let lb = Loopback::bind(0, "/cb").await.unwrap();
        let port = lb.port();
        let (calls, server) = counting_server(lb);
        // A DNS-rebinding page: the browser sends its own host name.
        for host in [
            "evil.example".to_string(),
            format!("evil.example:{port}"),
            format!("127.0.0.1:{}", port.wrapping_add(1)),
            format!("127.0.0.1.evil.example:{port}"),
        ] {
            assert_eq!(get_as(port, "/cb?state=good", &host).await.0, 400, "{host}");
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
        for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
            assert_eq!(get_as(port, "/cb?state=bad", &host).await.0, 400, "{host}");
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(get(port, "/cb?state=good").await.0, 200);
        server.await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn failed_accepts_do_not_end_the_server() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, mut rx) = mpsc::channel(8);
        let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = failures.clone();
        let listener = Arc::new(listener);
        let accepting = tokio::spawn(async move {
            let accept = || {
                let listener = listener.clone();
                let n = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n < 3 {
                        // What accept(2) says when the process is out of descriptors.
                        Err(std::io::Error::from_raw_os_error(24))
                    } else {
                        listener.accept().await.map(|(s, _)| s)
                    }
                }
            };
            accept_loop(accept, port, Arc::new(Semaphore::new(MAX_READERS)), tx).await
        });
        let client = tokio::spawn(async move { get(port, "/cb?state=s").await });
        let (mut stream, target) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("a connection after three failed accepts")
            .unwrap();
        assert_eq!(target.as_deref(), Some("/cb?state=s"));
        respond(&mut stream, &Page::ok("ok", "")).await.unwrap();
        assert_eq!(client.await.unwrap().0, 200);
        assert!(failures.load(std::sync::atomic::Ordering::SeqCst) >= 4);
        accepting.abort();
    }

    #[tokio::test]
    async fn at_most_max_readers_connections_are_read_at_once() {
        let lb = Loopback::bind(0, "/cb").await.unwrap();
        let port = lb.port();
        let (_calls, server) = counting_server(lb);
        let mut idle = Vec::new();
        for _ in 0..MAX_READERS {
            idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        // Every reader is busy with an idle socket: the callback waits in the backlog.
        let callback = tokio::spawn(async move { get(port, "/cb?state=good").await });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!callback.is_finished(), "a reader beyond the cap ran");
        // One idle socket goes away; its reader answers it and the callback gets its turn.
        drop(idle.pop());
        let (status, _) = tokio::time::timeout(Duration::from_secs(3), callback)
            .await
            .expect("the callback is read once a reader is free")
            .unwrap();
        assert_eq!(status, 200);
        server.await.unwrap().unwrap().unwrap();
    }

    #[test]
    fn request_heads_parse_strictly() {
        let head =
            parse_request_head(b"GET /cb?x=1 HTTP/1.1\r\nhOsT:  127.0.0.1:80 \r\nA: b").unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/cb?x=1");
        assert_eq!(head.host.as_deref(), Some("127.0.0.1:80"));
        for bad in [
            &b""[..],
            b"GET /cb",
            b"GET /cb HTTP/2",
            b"GET cb HTTP/1.1",
            b"get /cb HTTP/1.1",
            b"GET /cb HTTP/1.1 extra",
            b"GET /cb HTTP/1.1\r\nno colon",
            b"GET /cb HTTP/1.1\r\nHost: a\r\nHost: b",
            b"GET /cb HTTP/1.1\r\nHo st: a",
            b"GET /\xff HTTP/1.1",
        ] {
            assert_eq!(
                parse_request_head(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse_request_head(b"GET / HTTP/1.0").unwrap().host, None);
    }

    #[test]
    fn only_this_loopback_port_is_our_host() {
        assert!(is_loopback_host("127.0.0.1:8000", 8000));
        assert!(is_loopback_host("LOCALHOST:8000", 8000));
        assert!(is_loopback_host("[::1]:8000", 8000));
        assert!(is_loopback_host("localhost", 80));
        assert!(is_loopback_host("[::1]", 80));
        assert!(!is_loopback_host("localhost", 8000));
        assert!(!is_loopback_host("127.0.0.1:8001", 8000));
        assert!(!is_loopback_host("127.0.0.2:8000", 8000));
        assert!(!is_loopback_host("example.com:8000", 8000));
        assert!(!is_loopback_host(":8000", 8000));
        assert!(!is_loopback_host("127.0.0.1:99999", 8000));
    }

    #[test]
    fn the_page_masks_secrets() {
        let page = Page::error(
            400,
            "Sign-in failed",
            "invalid_grant: code=abc123 refresh_token: rt-9",
        );
        let html = page.html();
        assert!(!html.contains("abc123") && !html.contains("rt-9"), "{html}");
    }
}
