//! The cluster's own certificate authority and its host certificates, and inspecting PEM certificates an operator
//! provides (docs/facts/kafka.md §11).
//!
//! Owns: generating a self-signed ECDSA P-256 CA (valid 10 years) and issuing host certificates from it (valid 2
//! years, every DNS name and IP a client may use as a SAN), keys as unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`,
//! the only form Kafka's PEM keystore loads without a key password); and reading a PEM certificate's SANs,
//! validity, SHA-256 fingerprint, its subject as Kafka's principal (`pki/principal.rs`), and whether a private key
//! belongs to it.

use super::Secret;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use time::{Duration, OffsetDateTime};

/// How long a generated CA is valid: operators expect a cluster CA to outlive several host certificates.
pub const CA_VALIDITY_DAYS: i64 = 3650;
/// How long a generated host certificate is valid; re-issuing is a re-deploy.
pub const HOST_VALIDITY_DAYS: i64 = 730;
/// Certificates start an hour in the past so a host whose clock is slightly behind still accepts them.
pub const CLOCK_SKEW: Duration = Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("cannot generate the certificate: {0}")]
    Generate(String),
    #[error("{what} is not a PEM certificate: {detail}")]
    NotACertificate { what: String, detail: String },
    #[error(
        "{what} is a {found} key; Kafka's PEM keystore needs PKCS#8 (`BEGIN PRIVATE KEY`): convert it with \
         `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`"
    )]
    NotPkcs8 { what: String, found: String },
    #[error("{what} is not a usable private key: {detail}")]
    NotAKey { what: String, detail: String },
    #[error("{0:?} is neither a DNS name nor an IP address")]
    BadSubjectAltName(String),
    #[error("{what} is not a CA certificate (no basic constraints with CA:TRUE)")]
    NotACa { what: String },
    #[error("{what} does not belong to its certificate: the public keys differ")]
    KeyMismatch { what: String },
}

/// A certificate with its private key, both PEM.
#[derive(Clone, Debug)]
pub struct CertifiedKey {
    pub cert_pem: String,
    /// Unencrypted PKCS#8 (`BEGIN PRIVATE KEY`).
    pub key_pem: Secret,
}

/// The cluster's certificate authority: a self-signed CA certificate and its key.
#[derive(Clone, Debug)]
pub struct ClusterCa(pub CertifiedKey);

impl ClusterCa {
    /// A new CA named `<cluster> CA`, valid for `CA_VALIDITY_DAYS` from now.
    pub fn generate(cluster: &str) -> Result<ClusterCa, PkiError> {
        ClusterCa::generate_at(cluster, OffsetDateTime::now_utc())
    }

    pub fn generate_at(cluster: &str, now: OffsetDateTime) -> Result<ClusterCa, PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(generate)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(&format!("{cluster} CA"));
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = now - CLOCK_SKEW;
        params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
        params.serial_number = Some(random_serial());
        let cert = params.self_signed(&key).map_err(generate)?;
        Ok(ClusterCa(CertifiedKey { cert_pem: cert.pem(), key_pem: Secret::new(key.serialize_pem()) }))
    }

    /// A CA kept from an earlier run (or provided): its certificate must be a CA and the key must be its key.
    pub fn from_pem(cert_pem: String, key_pem: Secret) -> Result<ClusterCa, PkiError> {
        let info = inspect_certificate(&cert_pem, "the CA certificate")?;
        if !info.is_ca {
            return Err(PkiError::NotACa { what: "the CA certificate".into() });
        }
        if !info.matches_key(&key_pem)? {
            return Err(PkiError::KeyMismatch { what: "the CA key".into() });
        }
        Ok(ClusterCa(CertifiedKey { cert_pem, key_pem }))
    }

    pub fn cert_pem(&self) -> &str {
        &self.0.cert_pem
    }

    /// A host certificate for `common_name` whose SANs are `names` (each a DNS name or an IP address: every name
    /// a client or another broker may dial), valid for `HOST_VALIDITY_DAYS` from now, for both TLS server and
    /// client use (inter-broker connections present it too).
    pub fn issue_host(&self, common_name: &str, names: &[String]) -> Result<CertifiedKey, PkiError> {
        self.issue_host_at(common_name, names, OffsetDateTime::now_utc())
    }

    pub fn issue_host_at(
        &self,
        common_name: &str,
        names: &[String],
        now: OffsetDateTime,
    ) -> Result<CertifiedKey, PkiError> {
        let ca_key = KeyPair::from_pem(self.0.key_pem.expose())
            .map_err(|e| PkiError::NotAKey { what: "the CA key".into(), detail: e.to_string() })?;
        let ca_params = CertificateParams::from_ca_cert_pem(&self.0.cert_pem)
            .map_err(|e| PkiError::NotACertificate { what: "the CA certificate".into(), detail: e.to_string() })?;
        let issuer = ca_params.self_signed(&ca_key).map_err(generate)?;

        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(generate)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = name(common_name);
        params.subject_alt_names = names.iter().map(|n| subject_alt_name(n)).collect::<Result<_, _>>()?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = now - CLOCK_SKEW;
        params.not_after = now + Duration::days(HOST_VALIDITY_DAYS);
        params.serial_number = Some(random_serial());
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &issuer, &ca_key).map_err(generate)?;
        Ok(CertifiedKey { cert_pem: cert.pem(), key_pem: Secret::new(key.serialize_pem()) })
    }
}

impl CertifiedKey {
    /// The content of a Kafka PEM keystore file (`ssl.keystore.type=PEM`, `ssl.keystore.location`): the private
    /// key, then the certificate chain (this certificate, then `chain`, e.g. the CA).
    pub fn keystore_pem(&self, chain: &str) -> Secret {
        let mut pem = self.key_pem.expose().trim_end().to_string();
        for part in [self.cert_pem.as_str(), chain] {
            if !part.trim().is_empty() {
                pem.push('\n');
                pem.push_str(part.trim_end());
            }
        }
        pem.push('\n');
        Secret::new(pem)
    }
}

/// What a PEM certificate says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// RFC 4514 form, e.g. `CN=h1.example.com`.
    pub subject: String,
    /// The subject as Kafka names a TLS client's principal (RFC 2253, `X500Principal.getName()`): `CN=h1,O=Example`.
    pub principal: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    /// Seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Upper-case hex pairs joined by `:` (as `openssl x509 -fingerprint -sha256` prints them).
    pub sha256_fingerprint: String,
    pub is_ca: bool,
    /// The subjectPublicKey bits, to match a private key against.
    public_key: Vec<u8>,
}

impl CertificateInfo {
    /// Whether a client dialling `host` (a DNS name or an IP address) accepts this certificate's name: an IP must be
    /// an IP SAN; a name must be a DNS SAN, or match a `*.` wildcard SAN in its first label. The subject's CN is not
    /// consulted (clients verify SANs; the CN fallback is deprecated, docs/facts/kafka.md §11).
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.ip_addresses.contains(&ip);
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.dns_names.iter().any(|san| {
            let san = san.trim_end_matches('.').to_ascii_lowercase();
            match san.strip_prefix("*.") {
                Some(parent) => host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
                None => san == host,
            }
        })
    }

    /// Whether the certificate is valid at `unix_seconds`.
    pub fn valid_at(&self, unix_seconds: i64) -> bool {
        (self.not_before..=self.not_after).contains(&unix_seconds)
    }

    /// Whether `key_pem` (unencrypted PKCS#8) is this certificate's private key.
    pub fn matches_key(&self, key_pem: &Secret) -> Result<bool, PkiError> {
        let key = parse_private_key(key_pem, "the private key")?;
        Ok(key.public_key_raw() == self.public_key.as_slice())
    }
}

/// Reads the first certificate of `pem` (`what` names it in errors, e.g. `hosts[0].tls_cert`).
pub fn inspect_certificate(pem: &str, what: &str) -> Result<CertificateInfo, PkiError> {
    use rustls_pki_types::{pem::PemObject, CertificateDer};
    let not_cert = |detail: String| PkiError::NotACertificate { what: what.to_string(), detail };
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| not_cert(format!("{e:?}")))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| not_cert(e.to_string()))?;
    let (mut dns_names, mut ip_addresses) = (Vec::new(), Vec::new());
    if let Ok(Some(sans)) = cert.subject_alternative_name() {
        for san in &sans.value.general_names {
            match san {
                x509_parser::extensions::GeneralName::DNSName(name) => dns_names.push(name.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    if let Ok(octets) = <[u8; 4]>::try_from(*bytes) {
                        ip_addresses.push(IpAddr::from(octets));
                    } else if let Ok(octets) = <[u8; 16]>::try_from(*bytes) {
                        ip_addresses.push(IpAddr::from(octets));
                    }
                }
                _ => {}
            }
        }
    }
    let fingerprint = Sha256::digest(der.as_ref()).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    Ok(CertificateInfo {
        subject: cert.subject().to_string(),
        principal: principal::rfc2253(cert.subject()),
        issuer: cert.issuer().to_string(),
        dns_names,
        ip_addresses,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        sha256_fingerprint: fingerprint,
        is_ca: cert.is_ca(),
        public_key: cert.public_key().subject_public_key.data.to_vec(),
    })
}

/// Why a provided host certificate would not be accepted by a client trusting `ca_pem` alone (TLS, as Kafka's own
/// clients verify it: the chain to the CA, its signature, its use for TLS servers). `None` when it would be, and also
/// when what stops it is its name or its dates — those are told apart by [`CertificateInfo::covers`] and
/// [`CertificateInfo::valid_at`]. Intermediates the certificate file holds after the leaf are used.
pub fn untrusted_by(cert_pem: &str, ca_pem: &str, name: &str) -> Option<String> {
    use rustls::client::danger::ServerCertVerifier;
    use rustls::{CertificateError, Error};
    use rustls_pki_types::{pem::PemObject, CertificateDer, ServerName, UnixTime};
    let mut chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes()).filter_map(Result::ok);
    let leaf = chain.next()?;
    let intermediates: Vec<CertificateDer> = chain.collect();
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(ca_pem.as_bytes()).filter_map(Result::ok) {
        roots.add(ca).ok()?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(std::sync::Arc::new(roots), provider)
        .build()
        .ok()?;
    let server_name = ServerName::try_from(name.to_string()).ok()?;
    match verifier.verify_server_cert(&leaf, &intermediates, &server_name, &[], UnixTime::now()) {
        Ok(_) => None,
        Err(Error::InvalidCertificate(e)) => match e {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                Some("is not signed by security.ca_cert (nor through intermediates in its file)".into())
            }
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                Some("is not for TLS servers (its extendedKeyUsage lacks serverAuth)".into())
            }
            CertificateError::Revoked => Some("is revoked".into()),
            _ => None,
        },
        Err(_) => None,
    }
}

/// An unencrypted PKCS#8 key, or an error naming what it is instead (PKCS#1 `RSA PRIVATE KEY`, SEC1
/// `EC PRIVATE KEY`, an encrypted key).
fn parse_private_key(key_pem: &Secret, what: &str) -> Result<KeyPair, PkiError> {
    let text = key_pem.expose();
    for (label, found) in [
        ("BEGIN RSA PRIVATE KEY", "PKCS#1 RSA"),
        ("BEGIN EC PRIVATE KEY", "SEC1 EC"),
        ("BEGIN ENCRYPTED PRIVATE KEY", "password-encrypted PKCS#8"),
    ] {
        if text.contains(label) {
            return Err(PkiError::NotPkcs8 { what: what.to_string(), found: found.to_string() });
        }
    }
    // The key's bytes never reach the message: rcgen's error names only the kind of failure.
    KeyPair::from_pem(text).map_err(|e| PkiError::NotAKey { what: what.to_string(), detail: e.to_string() })
}

fn subject_alt_name(name: &str) -> Result<SanType, PkiError> {
    let bad = || PkiError::BadSubjectAltName(name.to_string());
    match name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => Ok(SanType::IpAddress(ip)),
        Err(_) => {
            let without_wildcard = name.strip_prefix("*.").unwrap_or(name);
            rustls_pki_types::DnsName::try_from(without_wildcard).map_err(|_| bad())?;
            Ok(SanType::DnsName(name.to_string().try_into().map_err(|_| bad())?))
        }
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn random_serial() -> rcgen::SerialNumber {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f; // a positive INTEGER
    rcgen::SerialNumber::from_slice(&bytes)
}

fn generate(e: rcgen::Error) -> PkiError {
    PkiError::Generate(e.to_string())
}

mod principal;

#[cfg(test)]
mod tests;
