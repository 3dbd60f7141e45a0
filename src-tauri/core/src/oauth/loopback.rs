//! The loopback server that receives the OAuth redirect.
//!
//! It listens on 127.0.0.1 and ::1 only, for one flow, answers GETs on the one
//! callback path, ignores everything else, and is gone when the flow ends (success,
//! denial, cancel or expiry: dropping it releases the port). Hand-written on tokio
//! rather than a web framework: it answers one GET, and the shipping app then needs
//! no HTTP server stack.

use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

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
            escape(&self.title),
            escape(&self.message)
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
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, Option<String>)>(8);
        let mut accepters = tokio::task::JoinSet::new();
        for listener in self.listeners {
            let tx = tx.clone();
            accepters.spawn(async move {
                let mut readers = tokio::task::JoinSet::new();
                while let Ok((mut stream, _)) = listener.accept().await {
                    let tx = tx.clone();
                    readers.spawn(async move {
                        let target = read_request_target(&mut stream).await;
                        let _ = tx.send((stream, target)).await;
                    });
                    // Reap finished readers so a long flow does not accumulate them.
                    while readers.try_join_next().is_some() {}
                }
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

/// Reads the request head (bounded in size and time) and returns the GET target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buf.len() > 16 * 1024 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET").then(|| target.to_string())
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
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
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
}
