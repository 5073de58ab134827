//! The wire under `health`'s probes: a size-framed Kafka connection (`Conn`: TCP — or a tunnel through the host's
//! jump host, `transport::dial` — then TLS and SASL/SCRAM when its
//! `KafkaAuth` says so, ApiVersions once, version negotiation, one call at a time), the timeout around a probe, and
//! the errors for what the network or the server did.

use super::{pick_version, HealthError};
use crate::security::client::{secure_stream, KafkaStream};
use crate::security::KafkaAuth;
use crate::transport::dial::Wire;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) fn unreachable(addr: &str, e: impl std::fmt::Display) -> HealthError {
    HealthError::Unreachable { addr: addr.to_string(), detail: e.to_string() }
}

pub(crate) fn protocol(addr: &str, detail: String) -> HealthError {
    HealthError::Protocol { addr: addr.to_string(), detail }
}

pub(crate) fn error_code(addr: &str, api: &str, code: i16) -> HealthError {
    HealthError::ErrorCode { addr: addr.to_string(), api: api.to_string(), code }
}

pub(crate) async fn bounded<T>(
    addr: &str,
    timeout: Duration,
    f: impl std::future::Future<Output = Result<T, HealthError>>,
) -> Result<T, HealthError> {
    tokio::time::timeout(timeout, f).await.unwrap_or_else(|_| Err(HealthError::Timeout { addr: addr.to_string() }))
}

/// A connection to `addr`, directly or through the host's jump host (`transport::dial`, the one home for that).
pub(crate) async fn connect(addr: &str) -> Result<Box<dyn Wire>, HealthError> {
    crate::transport::dial::connect(addr).await.map_err(|e| unreachable(addr, e))
}

/// Whether the 4 bytes read as a Kafka frame size are the start of a TLS record (an alert or handshake, version 3.x):
/// what a TLS listener sends a plaintext client.
fn speaks_tls(len: i32) -> bool {
    let [content_type, major, _, _] = len.to_be_bytes();
    matches!(content_type, 0x15 | 0x16) && major == 3
}

/// A size-framed Kafka connection, plaintext or TLS, authenticated when its `KafkaAuth` says so.
pub(crate) struct Conn<'a> {
    pub(crate) addr: &'a str,
    stream: KafkaStream,
    correlation_id: i32,
    /// The ApiVersions answer, asked once per connection.
    versions: Option<Vec<(i16, i16, i16)>>,
    /// Whether the connection is TLS, and whether it logged in with SASL (for what a closed connection means).
    tls: bool,
    authenticated: bool,
}

const CLIENT_ID: &str = "kafka-wizard";
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

impl<'a> Conn<'a> {
    /// Connects, then (per `auth`) TLS and SASL/SCRAM authentication.
    pub(crate) async fn open(addr: &'a str, auth: &KafkaAuth) -> Result<Conn<'a>, HealthError> {
        let stream = secure_stream(addr, connect(addr).await?, auth.tls.as_ref()).await?;
        let tls = auth.tls.is_some();
        let mut conn = Conn { addr, stream, correlation_id: 0, versions: None, tls, authenticated: false };
        if let Some(login) = &auth.sasl {
            conn.authenticate(login).await?;
            conn.authenticated = true;
        }
        Ok(conn)
    }

    /// ApiVersions v0 (every broker understands it): api key → (min, max).
    pub(crate) async fn api_versions(&mut self) -> Result<Vec<(i16, i16, i16)>, HealthError> {
        if let Some(versions) = &self.versions {
            return Ok(versions.clone());
        }
        let resp: ApiVersionsResponse = self.call(ApiKey::ApiVersions, 0, &ApiVersionsRequest::default()).await?;
        if resp.error_code != 0 {
            return Err(error_code(self.addr, "ApiVersions", resp.error_code));
        }
        let versions: Vec<_> = resp.api_keys.iter().map(|k| (k.api_key, k.min_version, k.max_version)).collect();
        self.versions = Some(versions.clone());
        Ok(versions)
    }

    pub(crate) fn negotiate(
        &self,
        versions: &[(i16, i16, i16)],
        key: ApiKey,
        ours: kafka_protocol::protocol::VersionRange,
        floor: i16,
        needs: &str,
    ) -> Result<i16, HealthError> {
        let Some(&(_, min, max)) = versions.iter().find(|(k, _, _)| *k == key as i16) else {
            return Err(protocol(
                self.addr,
                format!("the server does not offer {key:?} (API {}); point this at {needs}", key as i16),
            ));
        };
        pick_version((ours.min, ours.max), (min, max), floor).ok_or_else(|| {
            protocol(
                self.addr,
                format!(
                    "no common {key:?} version: the server supports {min}–{max}, kafka-wizard {}–{} (at least {floor})",
                    ours.min, ours.max
                ),
            )
        })
    }

    pub(crate) async fn call<Req: Encodable, Resp: Decodable>(
        &mut self,
        key: ApiKey,
        version: i16,
        req: &Req,
    ) -> Result<Resp, HealthError> {
        let addr = self.addr;
        self.correlation_id += 1;
        let mut header = RequestHeader::default();
        header.request_api_key = key as i16;
        header.request_api_version = version;
        header.correlation_id = self.correlation_id;
        header.client_id = Some(StrBytes::from_static_str(CLIENT_ID));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, key.request_header_version(version))
            .and_then(|_| req.encode(&mut body, version))
            .map_err(|e| protocol(addr, format!("cannot encode {key:?} v{version}: {e}")))?;
        let mut frame = BytesMut::with_capacity(body.len() + 4);
        frame.put_i32(body.len() as i32);
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).await.map_err(|e| unreachable(addr, e))?;

        let unauthenticated_tls = self.tls && !self.authenticated;
        let len = self.stream.read_i32().await.map_err(|e| {
            let hint = if unauthenticated_tls {
                "a SASL_SSL listener closes connections that do not authenticate: log in with SASL"
            } else {
                "is this a Kafka listener?"
            };
            protocol(addr, format!("connection closed before the {key:?} answer ({e}); {hint}"))
        })?;
        if speaks_tls(len) {
            let hint = "it answered with TLS: this is an SSL or SASL_SSL listener, connect with TLS";
            return Err(protocol(addr, format!("{key:?} answer is a TLS record; {hint}")));
        }
        if len < 4 || len as usize > MAX_RESPONSE {
            return Err(protocol(addr, format!("{key:?} answer of {len} bytes; is this a Kafka listener?")));
        }
        let mut buf = vec![0u8; len as usize];
        self.stream.read_exact(&mut buf).await.map_err(|e| protocol(addr, format!("{key:?} answer cut short: {e}")))?;
        let mut buf = Bytes::from(buf);
        let rh = ResponseHeader::decode(&mut buf, key.response_header_version(version))
            .map_err(|e| protocol(addr, format!("{key:?} response header: {e}")))?;
        if rh.correlation_id != self.correlation_id {
            return Err(protocol(
                addr,
                format!("correlation id {} for request {}", rh.correlation_id, self.correlation_id),
            ));
        }
        let resp =
            Resp::decode(&mut buf, version).map_err(|e| protocol(addr, format!("{key:?} v{version} answer: {e}")))?;
        if buf.has_remaining() {
            return Err(protocol(addr, format!("{} bytes left after the {key:?} v{version} answer", buf.remaining())));
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_record_is_told_apart_from_a_frame_size() {
        assert!(speaks_tls(i32::from_be_bytes([0x15, 0x03, 0x03, 0x00])));
        assert!(speaks_tls(i32::from_be_bytes([0x16, 0x03, 0x01, 0x02])));
        assert!(!speaks_tls(352));
        assert!(!speaks_tls(MAX_RESPONSE as i32));
    }
}
