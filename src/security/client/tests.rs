use super::super::pki::ClusterCa;
use super::*;

#[test]
fn the_host_to_verify_is_the_address_without_its_port() {
    assert_eq!(host_of("h1.example.com:9092"), "h1.example.com");
    assert_eq!(host_of("10.0.0.1:9092"), "10.0.0.1");
    assert_eq!(host_of("[::1]:9092"), "::1");
    assert_eq!(host_of("h1"), "h1");
}

#[test]
fn settings_never_show_the_password_in_debug_output() {
    let ca = ClusterCa::generate("c").unwrap();
    let auth = KafkaAuth {
        tls: Some(TlsTrust::from_ca_pem(ca.cert_pem()).unwrap()),
        sasl: Some(ScramLogin {
            mechanism: ScramMechanism::Sha512,
            username: "admin".into(),
            password: Secret::new("hunter2"),
        }),
    };
    let shown = format!("{auth:?}");
    assert!(shown.contains("admin") && shown.contains("CN=c CA"), "{shown}");
    assert!(!shown.contains("hunter2") && !shown.contains("PRIVATE"), "{shown}");
}

/// A TLS server on 127.0.0.1 presenting a certificate for `names` from `ca`; accepts one handshake.
async fn tls_server(ca: &ClusterCa, names: &[&str]) -> u16 {
    use rustls_pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let host = ca.issue_host("server", &names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let chain = vec![CertificateDer::from_pem_slice(host.cert_pem.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(host.key_pem.expose().as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let _ = tokio_rustls::TlsAcceptor::from(Arc::new(config)).accept(tcp).await;
    });
    port
}

async fn handshake(addr: &str, trust: &ClusterCa) -> Result<(), HealthError> {
    let tcp = Box::new(tokio::net::TcpStream::connect(addr.replace("localhost", "127.0.0.1")).await.unwrap());
    let trust = TlsTrust::from_ca_pem(trust.cert_pem()).unwrap();
    secure_stream(addr, tcp, Some(&trust)).await.map(|_| ())
}

#[tokio::test]
async fn tls_verifies_the_ca_and_the_dialled_name_or_ip() {
    let ca = ClusterCa::generate("c").unwrap();
    let port = tls_server(&ca, &["127.0.0.1"]).await;
    handshake(&format!("127.0.0.1:{port}"), &ca).await.unwrap();

    let port = tls_server(&ca, &["127.0.0.1"]).await;
    let err = handshake(&format!("localhost:{port}"), &ca).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("TLS handshake with localhost:{port} failed")), "{err}");
    assert!(err.contains("does not cover localhost") && err.contains("name mismatch"), "{err}");

    let port = tls_server(&ca, &["localhost"]).await;
    let stranger = ClusterCa::generate("stranger").unwrap();
    let err = handshake(&format!("localhost:{port}"), &stranger).await.unwrap_err().to_string();
    assert!(err.contains("not trusted") && err.contains("CN=stranger CA"), "{err}");
}

#[tokio::test]
async fn tls_to_a_server_that_does_not_speak_it_says_so() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        drop(tcp); // a plaintext Kafka listener reads a huge frame size and closes
    });
    let ca = ClusterCa::generate("c").unwrap();
    let err = handshake(&format!("127.0.0.1:{port}"), &ca).await.unwrap_err().to_string();
    assert!(err.contains("is this a TLS (SSL or SASL_SSL) listener?"), "{err}");
}

#[test]
fn a_ca_that_is_not_pem_is_refused() {
    assert!(TlsTrust::from_ca_pem("not a certificate").is_err());
}

/// A fake SASL listener (hand-encoded: ApiVersions v0, SaslHandshake v1, SaslAuthenticate v0) that offers
/// SCRAM-SHA-512 and answers the client-final with `server_final` (or, when `refuse` is set, with SaslAuthenticate
/// error 58 and that message).
async fn fake_sasl_server(server_final: &'static str, refuse: bool) -> u16 {
    use bytes::{Buf, BufMut, BytesMut};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        loop {
            let Ok(len) = tcp.read_i32().await else { return };
            let mut frame = vec![0u8; len as usize];
            tcp.read_exact(&mut frame).await.unwrap();
            let mut req = bytes::Bytes::from(frame);
            let (key, version, correlation_id) = (req.get_i16(), req.get_i16(), req.get_i32());
            let client_id_len = req.get_i16();
            req.advance(client_id_len.max(0) as usize);
            let mut body = BytesMut::new();
            body.put_i32(correlation_id);
            match (key, version) {
                (18, 0) => {
                    body.put_i16(0);
                    body.put_i32(3);
                    for (api_key, min, max) in [(17, 0, 1), (36, 0, 0), (3, 0, 12)] {
                        body.put_i16(api_key);
                        body.put_i16(min);
                        body.put_i16(max);
                    }
                }
                (17, 1) => {
                    body.put_i16(0);
                    body.put_i32(1);
                    body.put_i16(13);
                    body.put_slice(b"SCRAM-SHA-512");
                }
                (36, 0) => {
                    let text = String::from_utf8(req.slice(4..).to_vec()).unwrap();
                    let (error, message, auth): (i16, Option<&str>, String) = match text.strip_prefix("n,,n=admin,r=") {
                        Some(nonce) => (0, None, format!("r={nonce}srv,s=c2FsdA==,i=4096")),
                        None if refuse => (58, Some(server_final), String::new()),
                        None => (0, None, server_final.to_string()),
                    };
                    body.put_i16(error);
                    let message = message.map(str::as_bytes);
                    body.put_i16(message.map_or(-1, |m| m.len() as i16));
                    body.put_slice(message.unwrap_or_default());
                    body.put_i32(auth.len() as i32);
                    body.put_slice(auth.as_bytes());
                }
                other => panic!("unexpected request {other:?}"),
            }
            let mut out = BytesMut::new();
            out.put_i32(body.len() as i32);
            out.extend_from_slice(&body);
            tcp.write_all(&out).await.unwrap();
        }
    });
    port
}

fn admin(password: &str) -> KafkaAuth {
    let login =
        ScramLogin { mechanism: ScramMechanism::Sha512, username: "admin".into(), password: Secret::new(password) };
    KafkaAuth { tls: None, sasl: Some(login) }
}

#[tokio::test]
async fn a_server_that_cannot_prove_it_knows_the_credential_is_refused() {
    let port = fake_sasl_server(
        "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
        false,
    )
    .await;
    let addr = format!("127.0.0.1:{port}");
    let err =
        crate::health::kafka_metadata_with(&addr, &admin("pw"), std::time::Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err, HealthError::AuthenticationFailed { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&addr) && text.contains("signature is wrong"), "{text}");
}

#[tokio::test]
async fn a_refused_login_reports_the_servers_message_naming_user_and_address() {
    let port = fake_sasl_server("Authentication failed: invalid credentials", true).await;
    let addr = format!("127.0.0.1:{port}");
    let err = crate::health::kafka_metadata_with(&addr, &admin("hunter2"), std::time::Duration::from_secs(5))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{addr} refused SCRAM-SHA-512 authentication of user \"admin\": Authentication failed: invalid \
             credentials; check the user name and password"
        )
    );
}
