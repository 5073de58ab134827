//! How the engine's Kafka client (`health::Conn`) reaches a secured listener (docs/facts/kafka.md §11): TLS that
//! verifies the broker against a given CA with hostname verification on (the host of the address dialled, a DNS
//! name or an IP), then SaslHandshake v1 + SaslAuthenticate carrying a SCRAM exchange.
//!
//! Owns the settings type the callers pass through (`KafkaAuth`: plaintext when empty), the TLS wrapping of a TCP
//! stream, the SASL exchange, and turning their failures into errors that say what failed and where.

use super::pki::{inspect_certificate, PkiError};
use super::scram::{ScramClient, ScramMechanism};
use super::Secret;
use crate::health::{Conn, HealthError};
use crate::transport::dial::Wire;
use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
};
use kafka_protocol::protocol::{Message, StrBytes};
use rustls::CertificateError;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};

/// How to reach a Kafka listener. `KafkaAuth::default()` is plaintext without authentication (PLAINTEXT); `tls`
/// alone is SSL; `sasl` alone SASL_PLAINTEXT; both SASL_SSL.
#[derive(Clone, Debug, Default)]
pub struct KafkaAuth {
    pub tls: Option<TlsTrust>,
    pub sasl: Option<ScramLogin>,
}

impl KafkaAuth {
    pub fn plaintext() -> KafkaAuth {
        KafkaAuth::default()
    }
}

/// The CA a broker's certificate must chain to.
#[derive(Clone)]
pub struct TlsTrust {
    ca_subject: String,
    config: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for TlsTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTrust").field("ca", &self.ca_subject).finish()
    }
}

impl TlsTrust {
    /// Trusts every certificate in `ca_pem` (a CA certificate, or several).
    pub fn from_ca_pem(ca_pem: &str) -> Result<TlsTrust, PkiError> {
        TlsTrust::build(ca_pem, None)
    }

    /// [`TlsTrust::from_ca_pem`] that also presents a client certificate: `keystore_pem` (a private key and its
    /// certificate chain, a node's PEM keystore) — for a listener that requires one (a KRaft controller listener).
    pub fn with_identity(ca_pem: &str, keystore_pem: &str) -> Result<TlsTrust, PkiError> {
        TlsTrust::build(ca_pem, Some(keystore_pem))
    }

    fn build(ca_pem: &str, identity: Option<&str>) -> Result<TlsTrust, PkiError> {
        use rustls_pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
        let not_ca = |detail: String| PkiError::NotACertificate { what: "the CA".into(), detail };
        let ca_subject = inspect_certificate(ca_pem, "the CA")?.subject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.map_err(|e| not_ca(format!("{e:?}")))?).map_err(|e| not_ca(e.to_string()))?;
        }
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| not_ca(e.to_string()))?
            .with_root_certificates(roots);
        let config = match identity {
            None => builder.with_no_client_auth(),
            Some(pem) => {
                // Never the key's bytes in an error: only what is wrong with it.
                let bad = |detail: String| PkiError::NotACertificate { what: "the client keystore".into(), detail };
                let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| bad(format!("{e:?}")))?;
                let key = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| bad("no private key".into()))?;
                builder.with_client_auth_cert(chain, key).map_err(|e| bad(e.to_string()))?
            }
        };
        Ok(TlsTrust { ca_subject, config: Arc::new(config) })
    }
}

/// A SCRAM user. `Debug` shows the user and mechanism, never the password.
#[derive(Clone, Debug)]
pub struct ScramLogin {
    pub mechanism: ScramMechanism,
    pub username: String,
    pub password: Secret,
}

/// A plaintext or TLS byte stream to a broker.
pub(crate) trait KafkaIo: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> KafkaIo for T {}
pub(crate) type KafkaStream = Box<dyn KafkaIo>;

/// `tcp` as is, or after a TLS handshake that verifies the broker's certificate for the host of `addr`.
pub(crate) async fn secure_stream(
    addr: &str,
    tcp: Box<dyn Wire>,
    tls: Option<&TlsTrust>,
) -> Result<KafkaStream, HealthError> {
    let Some(trust) = tls else { return Ok(Box::new(tcp)) };
    let host = host_of(addr);
    let server_name = rustls_pki_types::ServerName::try_from(host.to_string()).map_err(|_| {
        tls_error(addr, format!("{host:?} is not a DNS name or IP address to verify the certificate for"))
    })?;
    let connector = tokio_rustls::TlsConnector::from(trust.config.clone());
    match connector.connect(server_name, tcp).await {
        Ok(stream) => Ok(Box::new(stream)),
        Err(e) => Err(tls_error(addr, explain_tls_failure(&e, host, &trust.ca_subject))),
    }
}

impl Conn<'_> {
    /// ApiVersions (allowed before authentication) to pick versions, SaslHandshake v1 for the login's mechanism, then
    /// the SCRAM exchange in SaslAuthenticate (docs/facts/kafka.md §11): client-first → server-first, client-final →
    /// server-final, whose signature proves the server knows the credential.
    pub(crate) async fn authenticate(&mut self, login: &ScramLogin) -> Result<(), HealthError> {
        let addr = self.addr;
        let mechanism = login.mechanism.name();
        let versions = self.api_versions().await?;
        let needs = "a SASL listener";
        let handshake_version =
            self.negotiate(&versions, ApiKey::SaslHandshake, SaslHandshakeRequest::VERSIONS, 1, needs)?;
        let version =
            self.negotiate(&versions, ApiKey::SaslAuthenticate, SaslAuthenticateRequest::VERSIONS, 0, needs)?;
        let mut handshake = SaslHandshakeRequest::default();
        handshake.mechanism = StrBytes::from_static_str(mechanism);
        let resp: SaslHandshakeResponse = self.call(ApiKey::SaslHandshake, handshake_version, &handshake).await?;
        if resp.error_code != 0 {
            let enabled = resp.mechanisms.iter().map(|m| m.to_string()).collect();
            return Err(HealthError::SaslMechanism { addr: addr.into(), mechanism: mechanism.into(), enabled });
        }
        let failed = |detail: String| HealthError::AuthenticationFailed {
            addr: addr.into(),
            user: login.username.clone(),
            mechanism: mechanism.into(),
            detail,
        };
        let mut scram = ScramClient::new(login.mechanism, &login.username, &login.password);
        let server_first = self.sasl_step(version, scram.client_first(), &failed).await?;
        let client_final = scram.client_final(&server_first).map_err(|e| failed(e.to_string()))?;
        let server_final = self.sasl_step(version, client_final, &failed).await?;
        scram.verify_server_final(&server_final).map_err(|e| failed(e.to_string()))
    }

    async fn sasl_step(
        &mut self,
        version: i16,
        message: String,
        failed: &impl Fn(String) -> HealthError,
    ) -> Result<String, HealthError> {
        let mut req = SaslAuthenticateRequest::default();
        req.auth_bytes = Bytes::from(message.into_bytes());
        let resp: SaslAuthenticateResponse = self.call(ApiKey::SaslAuthenticate, version, &req).await?;
        if resp.error_code != 0 {
            let said =
                resp.error_message.map(|m| m.to_string()).unwrap_or_else(|| crate::health::error_name(resp.error_code));
            return Err(failed(said));
        }
        String::from_utf8(resp.auth_bytes.to_vec())
            .map_err(|_| failed("the server's SCRAM message is not UTF-8".into()))
    }
}

/// The host part of `host:port`, `[v6]:port` or a bare host.
fn host_of(addr: &str) -> &str {
    let host = match addr.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.is_empty() => host,
        _ => addr,
    };
    host.trim_start_matches('[').trim_end_matches(']')
}

fn tls_error(addr: &str, detail: String) -> HealthError {
    HealthError::Tls { addr: addr.to_string(), detail }
}

fn explain_tls_failure(e: &std::io::Error, host: &str, ca: &str) -> String {
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else {
        return match e.kind() {
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
                "the server closed the connection during the handshake; is this a TLS (SSL or SASL_SSL) listener?"
                    .into()
            }
            _ => e.to_string(),
        };
    };
    match tls {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                format!("its certificate is not trusted: it is not signed by the CA {ca}")
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("its certificate does not cover {host} (no subject alternative name for it): name mismatch")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "its certificate has expired".into(),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "its certificate is not valid yet; check the clocks".into()
            }
            other => format!("its certificate is refused: {other:?}"),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server does not speak TLS; is this a PLAINTEXT or SASL_PLAINTEXT listener?".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
