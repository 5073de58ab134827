//! Check a Kafka broker or a ZooKeeper server from the test process, with std only.
//!
//! Hand-encoded Kafka wire requests (docs/facts/kafka.md §8): every request and response is framed by
//! a big-endian i32 size; request header v1 = api_key i16, api_version i16, correlation_id i32,
//! client_id (i16-length string). ApiVersions (key 18) v0 is understood by every broker;
//! Metadata (key 3) v4 with an empty topic array asks for brokers and cluster id only.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub const API_METADATA: i16 = 3;
pub const API_API_VERSIONS: i16 = 18;

/// One entry of an ApiVersions response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRange {
    pub api_key: i16,
    pub min: i16,
    pub max: i16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub node_id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub brokers: Vec<Broker>,
    pub cluster_id: Option<String>,
    pub controller_id: i32,
}

fn connect(addr: &str) -> std::io::Result<TcpStream> {
    let sa: SocketAddr =
        addr.parse().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{addr}: {e}")))?;
    let s = TcpStream::connect_timeout(&sa, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(15)))?;
    s.set_write_timeout(Some(Duration::from_secs(15)))?;
    Ok(s)
}

/// Encode a request with header v1 and the given body.
pub fn encode_request(api_key: i16, api_version: i16, correlation_id: i32, client_id: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::new();
    msg.extend_from_slice(&api_key.to_be_bytes());
    msg.extend_from_slice(&api_version.to_be_bytes());
    msg.extend_from_slice(&correlation_id.to_be_bytes());
    msg.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    msg.extend_from_slice(client_id.as_bytes());
    msg.extend_from_slice(body);
    let mut framed = (msg.len() as i32).to_be_bytes().to_vec();
    framed.extend_from_slice(&msg);
    framed
}

fn roundtrip(s: &mut TcpStream, request: &[u8], correlation_id: i32) -> std::io::Result<Vec<u8>> {
    s.write_all(request)?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let len = i32::from_be_bytes(len);
    if !(4..=64 * 1024 * 1024).contains(&len) {
        return Err(bad(format!("response size {len}")));
    }
    let mut buf = vec![0u8; len as usize];
    s.read_exact(&mut buf)?;
    let mut r = Reader::new(&buf);
    let got = r.i32()?;
    if got != correlation_id {
        return Err(bad(format!("correlation id {got}, expected {correlation_id}")));
    }
    Ok(buf[4..].to_vec())
}

fn bad(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

/// A cursor over a response body.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> std::io::Result<&'a [u8]> {
        if self.pos + n > self.buf.len() {
            return Err(bad(format!("response too short: need {n} bytes at {}", self.pos)));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn i8(&mut self) -> std::io::Result<i8> {
        Ok(self.take(1)?[0] as i8)
    }
    pub fn i16(&mut self) -> std::io::Result<i16> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    pub fn i32(&mut self) -> std::io::Result<i32> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    pub fn nullable_string(&mut self) -> std::io::Result<Option<String>> {
        let n = self.i16()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(self.take(n as usize)?).into_owned()))
    }
    pub fn string(&mut self) -> std::io::Result<String> {
        self.nullable_string()?.ok_or_else(|| bad("null string".into()))
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
}

/// ApiVersions v0: the broker's supported version range per API key.
pub fn api_versions(addr: &str) -> std::io::Result<Vec<ApiRange>> {
    let mut s = connect(addr)?;
    let body = roundtrip(&mut s, &encode_request(API_API_VERSIONS, 0, 1, "kw-probe", &[]), 1)?;
    decode_api_versions_v0(&body)
}

pub fn decode_api_versions_v0(body: &[u8]) -> std::io::Result<Vec<ApiRange>> {
    let mut r = Reader::new(body);
    let error = r.i16()?;
    if error != 0 {
        return Err(bad(format!("ApiVersions error code {error}")));
    }
    let n = r.i32()?;
    if !(0..=10_000).contains(&n) {
        return Err(bad(format!("ApiVersions array length {n}")));
    }
    (0..n).map(|_| Ok(ApiRange { api_key: r.i16()?, min: r.i16()?, max: r.i16()? })).collect()
}

/// Metadata v4 with an empty topic array ("no topics"): brokers, cluster id, controller id.
pub fn metadata_v4(addr: &str) -> std::io::Result<Metadata> {
    let mut s = connect(addr)?;
    let mut body = Vec::new();
    body.extend_from_slice(&0i32.to_be_bytes()); // topics: empty array
    body.push(0); // allow_auto_topic_creation = false
    let resp = roundtrip(&mut s, &encode_request(API_METADATA, 4, 2, "kw-probe", &body), 2)?;
    decode_metadata_v4(&resp)
}

pub fn decode_metadata_v4(body: &[u8]) -> std::io::Result<Metadata> {
    let mut r = Reader::new(body);
    let _throttle_ms = r.i32()?;
    let n = r.i32()?;
    if !(0..=10_000).contains(&n) {
        return Err(bad(format!("Metadata broker count {n}")));
    }
    let mut brokers = Vec::new();
    for _ in 0..n {
        brokers.push(Broker { node_id: r.i32()?, host: r.string()?, port: r.i32()?, rack: r.nullable_string()? });
    }
    let cluster_id = r.nullable_string()?;
    let controller_id = r.i32()?;
    let topics = r.i32()?;
    if topics != 0 {
        return Err(bad(format!("asked for no topics, got {topics}")));
    }
    Ok(Metadata { brokers, cluster_id, controller_id })
}

/// A ZooKeeper four-letter word (e.g. `srvr`): the server's whole answer.
pub fn zk_four_letter(addr: &str, word: &str) -> std::io::Result<String> {
    let mut s = connect(addr)?;
    s.write_all(word.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}
