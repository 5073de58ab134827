//! A std-only HTTP/1.1 client (GET, `http://` only) for talking to the mirror and to what the hosts serve, and a
//! wait for a TCP port to accept connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// A plain HTTP/1.1 response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// True when the server closed the connection before sending `Content-Length` bytes.
    pub fn truncated(&self) -> bool {
        self.header("Content-Length").and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| self.body.len() < n)
    }
}

/// `GET url` with std only (http:// only, `Connection: close`, bounded by a 60 s read timeout).
pub fn http_get(url: &str, extra_headers: &[(&str, &str)]) -> std::io::Result<HttpResponse> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr: SocketAddr = hostport
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req =
        format!("GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: kafka-wizard-tests\r\nConnection: close\r\n");
    for (k, v) in extra_headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line {status_line:?}"))
    })?;
    let headers =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    Ok(HttpResponse { status, headers, body })
}

/// Percent-encodes `s` for a URL query value (unreserved characters and `/` stay as they are).
pub(super) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Poll until `addr` accepts TCP connections (active ≠ listening), at most `timeout`.
pub fn wait_for_port(addr: &str, timeout: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let sa: SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    loop {
        if TcpStream::connect_timeout(&sa, Duration::from_secs(1)).is_ok() {
            return Ok(started.elapsed());
        }
        if started.elapsed() > timeout {
            return Err(format!("{addr} not listening after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
