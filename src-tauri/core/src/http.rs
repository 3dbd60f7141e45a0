//! The HTTP clients Junction uses.
//!
//! rustls with the system's root certificates: corporate proxies re-sign TLS with a
//! root the OS trusts, which bundled web-PKI roots would reject.

use std::time::Duration;

use crate::{Error, Result};

const USER_AGENT: &str = concat!("Junction/", env!("CARGO_PKG_VERSION"));

/// The most one API answer (a page of a list, an error) may be. A page of 100 records
/// with every property is well under 10 MiB; more is a broken or hostile server, and
/// reading it all would only fill memory.
pub const MAX_API_BODY: usize = 64 * 1024 * 1024;
/// The most a token endpoint's (or an account lookup's) answer may be: a few hundred
/// bytes in practice.
pub const MAX_TOKEN_BODY: usize = 1024 * 1024;

/// Why a body was not read.
#[derive(Debug)]
pub enum BodyError {
    /// Larger than the cap: the reason names the cap and the host.
    TooLarge(String),
    /// The connection failed while reading.
    Read(reqwest::Error),
}

/// Reads `response`'s body, at most `cap` bytes. A larger one (by its Content-Length,
/// or as it streams in) stops the read with [`BodyError::TooLarge`].
pub async fn read_body(
    mut response: reqwest::Response,
    cap: usize,
) -> std::result::Result<Vec<u8>, BodyError> {
    let host = response
        .url()
        .host_str()
        .unwrap_or("the server")
        .to_string();
    let too_large = || {
        BodyError::TooLarge(format!(
            "the response from {host} is larger than the {} cap",
            size(cap)
        ))
    };
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// "64 MiB", "1 MiB", "512 KiB".
fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

/// For provider APIs: follows redirects, bounded timeouts so a dead server never hangs
/// a load (the fetch engine retries timeouts).
pub fn api_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// For token endpoints: never follows redirects, so a code or secret is never replayed
/// to another host (oauth2's advice).
pub fn token_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))
}

/// Describes a reqwest failure without its URL's query (which may carry a code).
pub fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_decode() {
        "could not read the response"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn clients_build() {
        api_client().unwrap();
        token_client().unwrap();
    }

    #[test]
    fn caps_read_well() {
        assert_eq!(size(MAX_API_BODY), "64 MiB");
        assert_eq!(size(MAX_TOKEN_BODY), "1 MiB");
        assert_eq!(size(1000), "1 KiB");
    }

    /// A server that answers every request with `head` and then `body_len` bytes.
    async fn server(head: String, body_len: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let head = head.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let _ = s.write_all(head.as_bytes()).await;
                    let chunk = vec![b'x'; 64 * 1024];
                    let mut left = body_len;
                    while left > 0 {
                        let n = left.min(chunk.len());
                        if s.write_all(&chunk[..n]).await.is_err() {
                            return;
                        }
                        left -= n;
                    }
                });
            }
        });
        format!("http://{addr}/")
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_an_error_naming_cap_and_host() {
        let cap = 256 * 1024;
        // Announced by Content-Length, and streamed without one.
        let announced = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", cap + 1);
        let streamed = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_string();
        for head in [announced, streamed] {
            let url = server(head, cap + 1).await;
            let response = api_client().unwrap().get(&url).send().await.unwrap();
            match read_body(response, cap).await {
                Err(BodyError::TooLarge(reason)) => {
                    assert!(
                        reason.contains("256 KiB") && reason.contains("127.0.0.1"),
                        "{reason}"
                    )
                }
                other => panic!("expected TooLarge, got {:?}", other.map(|b| b.len())),
            }
        }
        let url = server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".into(), cap).await;
        let response = api_client().unwrap().get(&url).send().await.unwrap();
        assert_eq!(read_body(response, cap).await.unwrap().len(), cap);
    }
}
