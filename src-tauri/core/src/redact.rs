//! The secret redactor: what every log line (and any text shown to a user that might
//! carry a provider's answer) passes through.
//!
//! Junction never logs secrets on purpose (tokens are `secrecy` types), but provider
//! error bodies, URLs and `Debug` output can carry them by accident. Everything written
//! to a log passes through [`redact`], which replaces secret *values* with `***` and
//! leaves their names and everything else as they were:
//!
//! | form | before | after |
//! | --- | --- | --- |
//! | JSON, also `\"`-escaped inside a logged string | `"access_token":"ya29.x"` | `"access_token":"***"` |
//! | form body / query string | `?code=abc&state=s` | `?code=***&state=s` |
//! | `key=value` fields (tracing), quoted or not | `token="abc"` | `token="***"` |
//! | `key: value` (headers, Rust `Debug`) | `password: Some("pw")` | `password: Some("***")` |
//! | authorization header (scheme kept) | `Authorization: Bearer abc` | `Authorization: Bearer ***` |
//! | a bare bearer token | `bearer eyJhbGci.x.y` | `bearer ***` |
//! | password in a URL | `redis://user:pass@host` | `redis://user:***@host` |
//!
//! Secret names, case-insensitive, as a whole word (so `encode=1` or `error_code=x` are
//! left alone): `access_token`, `refresh_token`, `id_token`, `client_secret`, `code`,
//! `code_verifier`, `token`, `password`, `passwd`, `secret`, `api_key`/`apikey`/
//! `x-api-key`, `authorization`/`proxy-authorization`, their camelCase forms
//! (`accessToken`, `clientSecret` …) and any name ending in `token`, `secret` or
//! `password` (`hubspot_access_token`, `X-Notion-Token`, `DB_PASSWORD`). A name only
//! counts when a value follows it (`=`, `:`), so prose ("the token expired") is kept.
//! Values that cannot be secrets are kept: `null`, `true`, `false`, and for `code` a
//! plain number (`code=404`, `"code": 400`).
//!
//! # Wiring it into tracing
//!
//! [`RedactingMakeWriter`] wraps any `tracing_subscriber` `MakeWriter` (the app's
//! rolling file, the CLI's stderr: see [`crate::logs`]). The fmt layer formats each
//! event into one buffer and writes it with one `write_all`; the [`RedactingWriter`]
//! made for that event redacts it line by line as it goes through.
//! [`RedactingWriter`] alone wraps any [`std::io::Write`].

use std::borrow::Cow;
use std::io::{self, Write};

/// What a secret value is replaced with.
pub const MASK: &str = "***";

/// Lines longer than this without a newline are redacted and written in pieces so a
/// writer never holds an unbounded buffer.
const MAX_PENDING: usize = 64 * 1024;

/// Masks secret values in `line` (see the module docs). Returns the line itself,
/// unallocated, when there is nothing to mask.
pub fn redact(line: &str) -> Cow<'_, str> {
    if !might_hold_secret(line.as_bytes()) {
        return Cow::Borrowed(line);
    }
    let spans = secret_spans(line.as_bytes());
    if spans.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(&line[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&line[at..]);
    Cow::Owned(out)
}

/// A cheap test that lets most lines through without a scan.
fn might_hold_secret(b: &[u8]) -> bool {
    const HINTS: [&[u8]; 9] = [
        b"token", b"secret", b"code", b"pass", b"auth", b"bearer", b"api_key", b"api-key",
        b"apikey",
    ];
    HINTS.iter().any(|h| contains_ignore_case(b, h)) || b.windows(3).any(|w| w == b"://")
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Ends an unquoted value.
fn is_value_end(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'&' | b'"' | b'\'' | b',' | b';' | b')' | b'}' | b']' | b'<' | b'>' | b'\\'
        )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    /// Any value is masked.
    Secret,
    /// `code`: a plain number is kept (HTTP status codes), and an unquoted value after
    /// `:` is kept ("error code: E42").
    Code,
    /// An authorization header: the scheme (`Bearer`, `Basic` …) is kept.
    Authorization,
}

fn classify(word: &str) -> Option<Key> {
    let word = word.trim_start_matches('-');
    let lower = word.to_ascii_lowercase();
    let lower = lower.as_str();
    match lower {
        "code" => return Some(Key::Code),
        "authorization" | "proxy-authorization" => return Some(Key::Authorization),
        "code_verifier" | "codeverifier" | "code-verifier" | "passwd" | "api_key" | "apikey"
        | "api-key" | "x-api-key" => return Some(Key::Secret),
        _ => {}
    }
    if lower.ends_with("token")
        || lower.ends_with("secret")
        || lower.ends_with("password")
        || lower.ends_with("_api_key")
    {
        return Some(Key::Secret);
    }
    None
}

/// The byte ranges of secret values, in order, not overlapping.
fn secret_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_word_byte(c) && (i == 0 || !is_word_byte(b[i - 1])) {
            let start = i;
            while i < b.len() && is_word_byte(b[i]) {
                i += 1;
            }
            // Words are ASCII, so this slice is on char boundaries.
            let word = std::str::from_utf8(&b[start..i]).unwrap_or("");
            if let Some(key) = classify(word) {
                if let Some(span) = keyed_value(b, start, i, key) {
                    spans.push(span);
                    i = span.1;
                }
            } else if word.eq_ignore_ascii_case("bearer") {
                if let Some(span) = bare_bearer(b, i) {
                    spans.push(span);
                    i = span.1;
                }
            }
            continue;
        }
        if c == b':' && b[i..].starts_with(b"://") {
            if let Some(span) = url_password(b, i + 3) {
                spans.push(span);
                i = span.1;
                continue;
            }
            i += 3;
            continue;
        }
        i += 1;
    }
    spans
}

/// The quote a key or value is wrapped in: `"`, `'` or a `\"` from an escaped string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Double,
    Single,
    Escaped,
}

impl Quote {
    fn at(b: &[u8], i: usize) -> Option<(Quote, usize)> {
        match b.get(i)? {
            b'"' => Some((Quote::Double, 1)),
            b'\'' => Some((Quote::Single, 1)),
            b'\\' if b.get(i + 1) == Some(&b'"') => Some((Quote::Escaped, 2)),
            _ => None,
        }
    }

    /// The quote that ends just before `end`, if any.
    fn before(b: &[u8], end: usize) -> Option<Quote> {
        let prev = *b.get(end.checked_sub(1)?)?;
        match prev {
            b'"' if end >= 2 && b[end - 2] == b'\\' => Some(Quote::Escaped),
            b'"' => Some(Quote::Double),
            b'\'' => Some(Quote::Single),
            _ => None,
        }
    }

    /// Finds the closing quote of a value that starts at `from`; returns the end of the
    /// value (where the closing quote starts). An unclosed value runs to the line end.
    fn close(self, b: &[u8], from: usize) -> usize {
        let mut k = from;
        while k < b.len() {
            match (self, b[k]) {
                (Quote::Escaped, b'\\') if b.get(k + 1) == Some(&b'"') => return k,
                // `\\` inside an escaped string is one escaped backslash.
                (Quote::Escaped, b'\\') => k += 2,
                (Quote::Double, b'\\') => k += 2,
                (Quote::Double, b'"') | (Quote::Single, b'\'') => return k,
                _ => k += 1,
            }
        }
        b.len()
    }
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// The value after a secret name that spans `start..end`, if one follows.
fn keyed_value(b: &[u8], start: usize, end: usize, key: Key) -> Option<(usize, usize)> {
    let mut j = end;
    // A quoted name (`"token"`, `\"token\"`): step over its closing quote. (A quote
    // before the name that is not closed after it opens a string the name is in.)
    if let Some(q) = Quote::before(b, start) {
        if let Some((close, len)) = Quote::at(b, j) {
            if close == q {
                j += len;
            }
        }
    }
    j = skip_spaces(b, j);
    let sep = *b.get(j)?;
    if sep != b'=' && sep != b':' {
        return None;
    }
    // `scheme://` after a name is a URL, not a value.
    if sep == b':' && b[j..].starts_with(b"://") {
        return None;
    }
    j = skip_spaces(b, j + 1);

    // Rust `Debug` of an Option: `Some("…")`.
    if b[j..].starts_with(b"Some(") {
        j += 5;
    }
    let (mut vstart, vend, quoted) = match Quote::at(b, j) {
        Some((q, len)) => (j + len, q.close(b, j + len), true),
        None => {
            let mut k = j;
            if key == Key::Authorization {
                k = after_scheme(b, k);
            }
            // In a query string `#` starts the fragment (a literal `#` would be `%23`).
            while k < b.len() && !is_value_end(b[k]) && !(sep == b'=' && b[k] == b'#') {
                k += 1;
            }
            (j, k, false)
        }
    };
    if key == Key::Authorization {
        vstart = after_scheme(b, vstart).min(vend);
    }
    let value = &b[vstart..vend];
    if value.is_empty() || matches!(value, b"null" | b"true" | b"false" | b"None") {
        return None;
    }
    if key == Key::Code && (value.iter().all(u8::is_ascii_digit) || (!quoted && sep == b':')) {
        return None;
    }
    Some((vstart, vend))
}

/// Skips an authorization scheme word and the spaces after it (`Bearer `, `Basic `).
fn after_scheme(b: &[u8], i: usize) -> usize {
    let mut k = i;
    while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'-') {
        k += 1;
    }
    if k > i && k < b.len() && b[k] == b' ' {
        skip_spaces(b, k)
    } else {
        i
    }
}

/// A token after a bare `Bearer` word. Only something that looks like a token counts
/// (a whole RFC 6750 b64token of 8+ characters with a digit or a punctuation mark), so
/// "bearer authentication" in prose is kept.
fn bare_bearer(b: &[u8], after_word: usize) -> Option<(usize, usize)> {
    let start = skip_spaces(b, after_word);
    if start == after_word {
        return None;
    }
    let mut k = start;
    while k < b.len() && (b[k].is_ascii_alphanumeric() || b"-._~+/".contains(&b[k])) {
        k += 1;
    }
    while k < b.len() && b[k] == b'=' {
        k += 1;
    }
    let whole = k == b.len() || is_value_end(b[k]);
    let token = &b[start..k];
    let looks_like_token = token.len() >= 8 && token.iter().any(|c| !c.is_ascii_alphabetic());
    (whole && looks_like_token).then_some((start, k))
}

/// The password in `user:password@host` right after `://` (at `from`).
fn url_password(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut end = from;
    while end < b.len()
        && !matches!(b[end], b'/' | b'?' | b'#' | b'"' | b'\'' | b'>' | b'<')
        && !b[end].is_ascii_whitespace()
    {
        end += 1;
    }
    let authority = &b[from..end];
    let at = authority.iter().rposition(|&c| c == b'@')?;
    let colon = authority[..at].iter().position(|&c| c == b':')?;
    let (start, stop) = (from + colon + 1, from + at);
    (stop > start).then_some((start, stop))
}

/// Wraps a [`Write`], buffers to line boundaries and writes each line through
/// [`redact`], so a secret is never split between two writes.
///
/// A partial line stays buffered until its newline arrives, [`flush`](Write::flush) is
/// called, or the writer is dropped (then it is redacted and written as it is). Lines
/// over 64 KiB without a newline are written in 64 KiB pieces. Invalid UTF-8 is written
/// lossily (`U+FFFD`).
pub struct RedactingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub fn new(inner: W) -> Self {
        RedactingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        match std::str::from_utf8(line) {
            Ok(text) => self.inner.write_all(redact(text).as_bytes()),
            Err(_) => {
                let text = String::from_utf8_lossy(line);
                self.inner.write_all(redact(&text).as_bytes())
            }
        }
    }

    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let result = self.write_line(&pending);
        // Keep the allocation for the next line.
        self.pending = pending;
        self.pending.clear();
        result
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(nl) = rest.iter().position(|&c| c == b'\n') {
            let (line, tail) = rest.split_at(nl + 1);
            if self.pending.is_empty() {
                self.write_line(line)?;
            } else {
                self.pending.extend_from_slice(line);
                self.write_pending()?;
            }
            rest = tail;
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_PENDING {
            self.write_pending()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.write_pending();
        let _ = self.inner.flush();
    }
}

/// A `tracing_subscriber` `MakeWriter` whose writers redact: wrap the shell's
/// (non-blocking) writer with it. See the module docs.
#[derive(Debug, Clone, Default)]
pub struct RedactingMakeWriter<M> {
    inner: M,
}

impl<M> RedactingMakeWriter<M> {
    pub fn new(inner: M) -> Self {
        RedactingMakeWriter { inner }
    }
}

impl<'a, M> tracing_subscriber::fmt::MakeWriter<'a> for RedactingMakeWriter<M>
where
    M: tracing_subscriber::fmt::MakeWriter<'a>,
{
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer_for(meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(redact(input), expected, "input: {input}");
    }

    #[test]
    fn json_values_are_masked() {
        check(
            r#"{"access_token":"CJSP5qf1KhICAQEYs","refresh_token": "na1-abc","expires_in":1800,"token_type":"bearer"}"#,
            r#"{"access_token":"***","refresh_token": "***","expires_in":1800,"token_type":"bearer"}"#,
        );
        check(
            r#"{"client_secret" : "s3cr\"et", "x":1}"#,
            r#"{"client_secret" : "***", "x":1}"#,
        );
        check(r#"{"password":"hunter2"}"#, r#"{"password":"***"}"#);
        check(
            r#"{"code":"abc-123","code_verifier":"v3r"}"#,
            r#"{"code":"***","code_verifier":"***"}"#,
        );
        check(
            r#"{"accessToken":"a","clientSecret":"b"}"#,
            r#"{"accessToken":"***","clientSecret":"***"}"#,
        );
        check(
            r#"{"token":null,"secret":true}"#,
            r#"{"token":null,"secret":true}"#,
        );
    }

    #[test]
    fn escaped_json_inside_a_logged_string_is_masked() {
        check(
            r#"body="{\"access_token\":\"abc\",\"scope\":\"x\"}""#,
            r#"body="{\"access_token\":\"***\",\"scope\":\"x\"}""#,
        );
    }

    #[test]
    fn form_and_query_values_are_masked() {
        check(
            "grant_type=refresh_token&refresh_token=na1-xyz&client_id=id&client_secret=sh&redirect_uri=http://localhost:8000/cb",
            "grant_type=refresh_token&refresh_token=***&client_id=id&client_secret=***&redirect_uri=http://localhost:8000/cb",
        );
        check(
            "GET http://127.0.0.1:8000/oauth/callback?code=4/0Ab-xy_z&state=abc",
            "GET http://127.0.0.1:8000/oauth/callback?code=***&state=abc",
        );
        check(
            "code=abc&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "code=***&code_verifier=***",
        );
        check(
            "https://x.io/a?access_token=abc#frag",
            "https://x.io/a?access_token=***#frag",
        );
        check(
            r#"body="access_token=abc&x=1""#,
            r#"body="access_token=***&x=1""#,
        );
    }

    #[test]
    fn tracing_and_debug_fields_are_masked() {
        check(
            r#"INFO junction: token refreshed token="abc def" password=hunter2 user=me"#,
            r#"INFO junction: token refreshed token="***" password=*** user=me"#,
        );
        check(
            r#"TokenResponse { access_token: "a1", refresh_token: Some("r1"), expires_in: Some(60) }"#,
            r#"TokenResponse { access_token: "***", refresh_token: Some("***"), expires_in: Some(60) }"#,
        );
        check(
            "JUNCTION_HUBSPOT_CLIENT_SECRET=xyz X-Notion-Token: ntn_123",
            "JUNCTION_HUBSPOT_CLIENT_SECRET=*** X-Notion-Token: ***",
        );
        check("--password=pw --api-key k", "--password=*** --api-key k");
    }

    #[test]
    fn authorization_headers_keep_the_scheme() {
        check(
            "Authorization: Bearer pat12345.abcdef",
            "Authorization: Bearer ***",
        );
        check(
            "authorization: Basic dXNlcjpwYXNz",
            "authorization: Basic ***",
        );
        check(
            r#"headers: {"authorization": "Bearer ntn_abc123", "accept": "*/*"}"#,
            r#"headers: {"authorization": "Bearer ***", "accept": "*/*"}"#,
        );
        check(
            "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n",
            "Proxy-Authorization: Basic ***\r\n",
        );
        check(
            "sent bearer eyJhbGciOi.J9.x to api",
            "sent bearer *** to api",
        );
    }

    #[test]
    fn url_passwords_are_masked() {
        check(
            "redis://user:pass@host:6379/0",
            "redis://user:***@host:6379/0",
        );
        check(
            "connecting to rediss://:p%40ss@cache.local:6380",
            "connecting to rediss://:***@cache.local:6380",
        );
        check("redis://user@host", "redis://user@host");
        check("http://localhost:8000/cb", "http://localhost:8000/cb");
    }

    #[test]
    fn innocent_text_is_untouched() {
        for line in [
            "the token expired; connect HubSpot again",
            "refresh token rejected by provider (invalid_grant)",
            "encode=utf-8 decode=1 error_code=E42 barcode=123",
            "HTTP code=404 status code: 500",
            r#"{"code": 400, "message": "bad"}"#,
            "Basic setup complete; bearer authentication is enabled",
            "password reset link sent",
            "loaded 12,345 items from notion in 2.1 s",
            "token_type=bearer expires_in=3600",
            "PWD=/home/me OLDPWD=/tmp",
            "مرحبا token 😀 секрет",
        ] {
            let out = redact(line);
            assert!(matches!(out, Cow::Borrowed(_)), "changed: {line} -> {out}");
        }
    }

    #[test]
    fn unicode_around_secrets_is_kept() {
        check("مرحبا password=سر 😀 ok", "مرحبا password=*** 😀 ok");
    }

    #[test]
    fn writer_splits_lines_across_writes() {
        let mut w = RedactingWriter::new(Vec::new());
        w.write_all(b"first line ok\nsecond access_to").unwrap();
        // Nothing of the unfinished line is out yet.
        assert_eq!(w.get_ref().as_slice(), b"first line ok\n");
        w.write_all(b"ken=abc&x=1\nthird password=").unwrap();
        w.write_all(b"pw\nfourth").unwrap();
        w.flush().unwrap();
        let out = String::from_utf8(w.get_ref().clone()).unwrap();
        assert_eq!(
            out,
            "first line ok\nsecond access_token=***&x=1\nthird password=***\nfourth"
        );
    }

    #[test]
    fn writer_handles_many_lines_in_one_write_and_drop() {
        let mut sink = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut sink);
            write!(w, "a token=1\nb secret=2\nc").unwrap();
            write!(w, " code=zz").unwrap();
        }
        assert_eq!(
            String::from_utf8(sink).unwrap(),
            "a token=***\nb secret=***\nc code=***"
        );
    }

    #[test]
    fn writer_flushes_a_partial_line_when_asked() {
        let mut w = RedactingWriter::new(Vec::new());
        w.write_all(b"token=abc").unwrap();
        w.flush().unwrap();
        assert_eq!(w.get_ref().as_slice(), b"token=***");
    }

    #[test]
    fn tracing_output_is_redacted() {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        let sink = Sink::default();
        let make = {
            let sink = sink.clone();
            move || sink.clone()
        };
        let subscriber = tracing_subscriber::fmt()
            .with_writer(RedactingMakeWriter::new(make))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let body = r#"{"access_token":"s3cret","expires_in":1800}"#;
            tracing::info!(%body, password = "pw", "token response");
            tracing::warn!("callback http://127.0.0.1:8000/cb?code=xyz&state=1");
        });
        let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(
            !out.contains("s3cret") && !out.contains("pw\"") && !out.contains("xyz"),
            "{out}"
        );
        assert!(out.contains(r#""access_token":"***""#), "{out}");
        assert!(out.contains("code=***&state=1"), "{out}");
        assert_eq!(out.lines().count(), 2, "{out}");
    }
}
