use super::*;
use std::sync::Arc;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn a_generated_ca_is_a_ca_valid_ten_years_with_a_pkcs8_key() {
    let ca = ClusterCa::generate("orders").unwrap();
    assert!(ca.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(ca.0.key_pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    let info = inspect_certificate(ca.cert_pem(), "the CA").unwrap();
    assert!(info.is_ca);
    assert_eq!(info.subject, "CN=orders CA");
    assert_eq!(info.issuer, info.subject);
    let days = (info.not_after - now_unix()) / 86_400;
    assert!((3649..=3650).contains(&days), "{days}");
    assert!(info.valid_at(now_unix()));
    assert!(info.matches_key(&ca.0.key_pem).unwrap());
}

#[test]
fn a_host_certificate_covers_exactly_the_names_and_ips_it_was_issued_for() {
    let ca = ClusterCa::generate("orders").unwrap();
    let host = ca.issue_host("h1.example.com", &names(&["h1.example.com", "h1", "10.0.0.11", "::1"])).unwrap();
    let info = inspect_certificate(&host.cert_pem, "h1").unwrap();
    assert!(!info.is_ca);
    assert_eq!(info.issuer, "CN=orders CA");
    for covered in ["h1.example.com", "H1.Example.Com.", "h1", "10.0.0.11", "::1", "[::1]"] {
        assert!(info.covers(covered), "{covered}");
    }
    for not_covered in ["h2.example.com", "example.com", "10.0.0.12", "127.0.0.1"] {
        assert!(!info.covers(not_covered), "{not_covered}");
    }
    let days = (info.not_after - now_unix()) / 86_400;
    assert!((729..=730).contains(&days), "{days}");
    assert!(info.not_before <= now_unix() - 3500, "starts an hour early for clock skew");
}

#[test]
fn a_host_key_matches_its_certificate_and_not_another() {
    let ca = ClusterCa::generate("orders").unwrap();
    let h1 = ca.issue_host("h1", &names(&["h1"])).unwrap();
    let h2 = ca.issue_host("h2", &names(&["h2"])).unwrap();
    let info = inspect_certificate(&h1.cert_pem, "h1").unwrap();
    assert!(h1.key_pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(info.matches_key(&h1.key_pem).unwrap());
    assert!(!info.matches_key(&h2.key_pem).unwrap());
    assert!(!info.matches_key(&ca.0.key_pem).unwrap());
}

#[test]
fn a_host_certificate_verifies_against_its_ca_for_its_names_only() {
    use rustls::client::danger::ServerCertVerifier;
    use rustls_pki_types::{pem::PemObject, CertificateDer, ServerName, UnixTime};
    let ca = ClusterCa::generate("orders").unwrap();
    let other_ca = ClusterCa::generate("other").unwrap();
    let host = ca.issue_host("h1", &names(&["h1.example.com", "10.0.0.11"])).unwrap();
    let leaf = CertificateDer::from_pem_slice(host.cert_pem.as_bytes()).unwrap();
    let verify = |trusted: &ClusterCa, name: &str| {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(trusted.cert_pem().as_bytes()).unwrap()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
        let server_name = ServerName::try_from(name.to_string()).unwrap();
        verifier.verify_server_cert(&leaf, &[], &server_name, &[], UnixTime::now()).map(|_| ())
    };
    verify(&ca, "h1.example.com").unwrap();
    verify(&ca, "10.0.0.11").unwrap();
    assert!(verify(&ca, "h2.example.com").is_err());
    assert!(verify(&other_ca, "h1.example.com").is_err());
}

#[test]
fn a_wildcard_san_covers_one_label_only() {
    let ca = ClusterCa::generate("c").unwrap();
    let host = ca.issue_host("brokers", &names(&["*.kafka.example.com"])).unwrap();
    let info = inspect_certificate(&host.cert_pem, "brokers").unwrap();
    assert!(info.covers("b1.kafka.example.com"));
    assert!(!info.covers("kafka.example.com"));
    assert!(!info.covers("a.b1.kafka.example.com"));
}

#[test]
fn the_fingerprint_is_the_sha256_of_the_der_in_openssl_form() {
    use rustls_pki_types::{pem::PemObject, CertificateDer};
    let ca = ClusterCa::generate("c").unwrap();
    let info = inspect_certificate(ca.cert_pem(), "the CA").unwrap();
    let der = CertificateDer::from_pem_slice(ca.cert_pem().as_bytes()).unwrap();
    let expected: Vec<String> = Sha256::digest(der.as_ref()).iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(info.sha256_fingerprint, expected.join(":"));
    assert_eq!(info.sha256_fingerprint.len(), 32 * 3 - 1);
}

#[test]
fn an_expired_certificate_is_not_valid_now() {
    let long_ago = OffsetDateTime::now_utc() - Duration::days(800);
    let ca = ClusterCa::generate_at("c", long_ago).unwrap();
    let host = ca.issue_host_at("h1", &names(&["h1"]), long_ago).unwrap();
    let info = inspect_certificate(&host.cert_pem, "h1").unwrap();
    assert!(!info.valid_at(now_unix()));
    assert!(info.valid_at(long_ago.unix_timestamp()));
}

#[test]
fn pkcs1_sec1_and_encrypted_keys_are_refused_with_the_conversion_command() {
    let ca = ClusterCa::generate("c").unwrap();
    let info = inspect_certificate(ca.cert_pem(), "the CA").unwrap();
    for (label, found) in
        [("RSA PRIVATE KEY", "PKCS#1 RSA"), ("EC PRIVATE KEY", "SEC1 EC"), ("ENCRYPTED PRIVATE KEY", "encrypted")]
    {
        let pem = Secret::new(format!("-----BEGIN {label}-----\nAAAA\n-----END {label}-----\n"));
        let err = info.matches_key(&pem).unwrap_err().to_string();
        assert!(err.contains(found) && err.contains("openssl pkcs8 -topk8 -nocrypt"), "{err}");
    }
}

#[test]
fn garbage_is_not_a_certificate_and_the_error_names_the_field() {
    let err = inspect_certificate("hello", "hosts[0].tls_cert").unwrap_err().to_string();
    assert!(err.starts_with("hosts[0].tls_cert is not a PEM certificate"), "{err}");
}

#[test]
fn a_keystore_file_holds_the_key_then_the_certificate_then_the_chain() {
    let ca = ClusterCa::generate("c").unwrap();
    let host = ca.issue_host("h1", &names(&["h1"])).unwrap();
    let keystore = host.keystore_pem(ca.cert_pem());
    let text = keystore.expose();
    let key_at = text.find("BEGIN PRIVATE KEY").unwrap();
    let certs: Vec<usize> = text.match_indices("BEGIN CERTIFICATE").map(|(i, _)| i).collect();
    assert_eq!(certs.len(), 2);
    assert!(key_at < certs[0]);
    assert!(text[certs[0]..].starts_with(&host.cert_pem["-----".len()..][..17]));
    assert!(text.ends_with("-----END CERTIFICATE-----\n"));
}

#[test]
fn a_name_that_is_neither_dns_nor_ip_is_refused() {
    let ca = ClusterCa::generate("c").unwrap();
    assert!(matches!(ca.issue_host("h", &names(&["bad name"])), Err(PkiError::BadSubjectAltName(_))));
}

#[test]
fn a_ca_kept_as_pem_loads_back_and_issues_certificates_it_signed() {
    let ca = ClusterCa::generate("orders").unwrap();
    let again = ClusterCa::from_pem(ca.cert_pem().to_string(), ca.0.key_pem.clone()).unwrap();
    let host = again.issue_host("h1", &names(&["h1"])).unwrap();
    assert_eq!(inspect_certificate(&host.cert_pem, "h1").unwrap().issuer, "CN=orders CA");
}

#[test]
fn a_ca_with_another_key_or_a_host_certificate_is_not_loaded_as_the_ca() {
    let ca = ClusterCa::generate("orders").unwrap();
    let other = ClusterCa::generate("other").unwrap();
    let host = ca.issue_host("h1", &names(&["h1"])).unwrap();
    let err = ClusterCa::from_pem(ca.cert_pem().to_string(), other.0.key_pem.clone()).unwrap_err();
    assert_eq!(err, PkiError::KeyMismatch { what: "the CA key".into() });
    let err = ClusterCa::from_pem(host.cert_pem.clone(), host.key_pem.clone()).unwrap_err();
    assert_eq!(err, PkiError::NotACa { what: "the CA certificate".into() });
}
