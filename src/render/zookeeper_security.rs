//! What a secured ZooKeeper-mode cluster adds to its ensemble (docs/facts/kafka.md §13): SASL DIGEST-MD5 required
//! for every client session (`authProvider.1`, `enforce.auth.*`) and between members on the quorum ports
//! (`quorum.auth.*`), and the ensemble's JAAS file — the `Server` login the brokers and the wizard's tools use, and
//! the members' own `QuorumServer` / `QuorumLearner` logins — root:<service group> 0640, read through
//! `KAFKA_OPTS=-Djava.security.auth.login.config=…` of `zookeeper-server.env`. The brokers' side (the `Client`
//! section of their JAAS file, `zookeeper.set.acl`) is in `security.rs`.
//!
//! With `zookeeper.quorum_tls` (the default) the members also speak TLS to each other (`sslQuorum`): each one's
//! PEM keystore and the cluster's CA — the same `<config_dir>/tls/` files a Kafka node has, written on ensemble-only
//! hosts too (`security.rs`) — with client certificates and host names verified both ways (ZooKeeper's defaults),
//! and the files reloaded when they change (`sslQuorumReloadCertFiles`), so a CA rotation restarts no member.
//!
//! The four-letter words the health checks use (`srvr`) are not sessions: they still answer without a login.

use super::properties::PropertiesWriter;
use super::{GeneratedFile, Owner, Service};
use crate::project::spec::{AbsPath, ClusterSpec, Coordination, HostSpec};
use crate::security::store::{SecretMaterial, ZOOKEEPER_CLIENT_LOGIN, ZOOKEEPER_QUORUM_LOGIN};

/// ZooKeeper's SASL authentication provider (DIGEST-MD5 with the JAAS `Server` section).
pub const SASL_PROVIDER: &str = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider";
/// The JAAS login module of ZooKeeper's DIGEST-MD5 logins, on both sides.
pub const DIGEST_LOGIN_MODULE: &str = "org.apache.zookeeper.server.auth.DigestLoginModule";

/// Whether the ensemble of `spec` is locked: a secured cluster in ZooKeeper mode.
pub fn locked(spec: &ClusterSpec) -> bool {
    spec.security.is_some() && matches!(spec.coordination, Coordination::Zookeeper(_))
}

/// The ensemble's JAAS file.
pub fn jaas_path(spec: &ClusterSpec) -> AbsPath {
    spec.kafka.config_dir.join("zookeeper-server-jaas.conf")
}

/// The security keys of `zookeeper.properties` (no secrets: passwords live in the JAAS file).
pub fn zookeeper_security(w: &mut PropertiesWriter) {
    w.section("Clients log in with SASL DIGEST-MD5 (JAAS Server section); a session without a login is closed");
    w.set("authProvider.1", SASL_PROVIDER);
    w.set("enforce.auth.enabled", "true");
    w.set("enforce.auth.schemes", "sasl");
    w.section("Members log in to each other with SASL on the quorum and election ports");
    w.set("quorum.auth.enableSasl", "true");
    w.set("quorum.auth.learnerRequireSasl", "true");
    w.set("quorum.auth.serverRequireSasl", "true");
}

/// The keys that make the members speak TLS on the quorum and election ports (ZooKeeper 3.5.5+; every release
/// the wizard secures in ZooKeeper mode runs 3.8): ZooKeeper's PEM loader reads the node's key and chain and the CA
/// without a password; unknown zoo.cfg keys become `zookeeper.`-prefixed system properties, which its quorum TLS
/// reads (`zookeeper.ssl.quorum.*`). Client authentication (`need`) and host name verification stay ZooKeeper's
/// defaults: a member's certificate names its host and address (`security::store::host_names`).
pub fn quorum_tls(w: &mut PropertiesWriter, spec: &ClusterSpec) {
    w.section("Members speak TLS to each other on the quorum and election ports; certificates are reloaded when the files change");
    w.set("sslQuorum", "true");
    w.set("sslQuorumReloadCertFiles", "true");
    w.set("ssl.quorum.keyStore.location", super::security::keystore_path(spec).as_str());
    w.set("ssl.quorum.keyStore.type", "PEM");
    w.set("ssl.quorum.trustStore.location", super::security::truststore_path(spec).as_str());
    w.set("ssl.quorum.trustStore.type", "PEM");
}

/// Whether a change to the file at `path` on `host` is taken up without a restart: the TLS files of a host whose
/// only reader is its ensemble member, which reloads them (`sslQuorumReloadCertFiles`). Kafka reads them only at
/// startup, so on a host that runs Kafka they restart it (docs/facts/kafka.md §15).
pub fn reloaded_by_member(spec: &ClusterSpec, host: &HostSpec, path: &str) -> bool {
    spec.zookeeper_quorum_tls()
        && !host.runs_kafka()
        && [super::security::keystore_path(spec), super::security::truststore_path(spec)]
            .iter()
            .any(|p| p.as_str() == path)
}

/// The ensemble member's JAAS file.
pub fn jaas_file(spec: &ClusterSpec, material: &SecretMaterial) -> GeneratedFile {
    let client = material.zookeeper_password(ZOOKEEPER_CLIENT_LOGIN);
    let quorum = material.zookeeper_password(ZOOKEEPER_QUORUM_LOGIN);
    let content = format!(
        "{header}Server {{\n    {DIGEST_LOGIN_MODULE} required\n    user_{ZOOKEEPER_CLIENT_LOGIN}=\"{client}\";\n}};\n\
         QuorumServer {{\n    {DIGEST_LOGIN_MODULE} required\n    user_{ZOOKEEPER_QUORUM_LOGIN}=\"{quorum}\";\n}};\n\
         QuorumLearner {{\n    {DIGEST_LOGIN_MODULE} required\n    username=\"{ZOOKEEPER_QUORUM_LOGIN}\"\n    password=\"{quorum}\";\n}};\n",
        header = super::security::jaas_header(spec, "JAAS configuration of zookeeper-server.service"),
    );
    GeneratedFile {
        path: jaas_path(spec).to_string(),
        content,
        mode: 0o640,
        owner: Owner::RootServiceGroup,
        purpose: format!(
            "ZooKeeper's logins: {ZOOKEEPER_CLIENT_LOGIN} (brokers and the wizard's tools) and {ZOOKEEPER_QUORUM_LOGIN} (between members) (secret, not shown)"
        ),
        service: Service::Zookeeper,
        secret: true,
    }
}

/// The `KAFKA_OPTS` option of `zookeeper-server.env` on a locked ensemble.
pub fn zookeeper_opts(spec: &ClusterSpec) -> Option<String> {
    locked(spec).then(|| format!("-Djava.security.auth.login.config={}", jaas_path(spec)))
}

/// The brokers' (and the wizard's tools') `Client` section: their login to the ensemble.
pub fn client_section(material: &SecretMaterial) -> String {
    format!(
        "Client {{\n    {DIGEST_LOGIN_MODULE} required\n    username=\"{ZOOKEEPER_CLIENT_LOGIN}\"\n    password=\"{}\";\n}};\n",
        material.zookeeper_password(ZOOKEEPER_CLIENT_LOGIN)
    )
}

#[cfg(test)]
mod tests {
    use crate::project::spec::{ClusterSpec, Protection};
    use crate::project::{parse, validate};
    use crate::render::render_host;

    /// The fixture without its `[monitoring]`: `KAFKA_OPTS` then holds the JAAS option alone (the exporter's part of
    /// the line is `render::monitoring`'s test).
    fn zookeeper_secure() -> ClusterSpec {
        let mut spec =
            validate(&parse(include_str!("../../tests/fixtures/zookeeper-secure.toml")).unwrap()).spec.unwrap();
        spec.monitoring = None;
        spec
    }

    fn file(spec: &ClusterSpec, host: usize, name: &str) -> Option<String> {
        render_host(spec, &spec.hosts[host]).into_iter().find(|f| f.path.ends_with(name)).map(|f| f.content)
    }

    #[test]
    fn with_ssl_only_brokers_still_log_in_to_the_locked_ensemble_but_have_no_scram_login_or_authorizer() {
        let mut spec = zookeeper_secure();
        spec.security.as_mut().unwrap().protection = Protection::Ssl;
        let jaas = file(&spec, 3, "kafka-server-jaas.conf").expect("the brokers' ZooKeeper login");
        assert!(jaas.contains("Client {") && !jaas.contains("KafkaServer"), "{jaas}");
        let server = file(&spec, 3, "server.properties").unwrap();
        for line in [
            "listener.security.protocol.map=BROKER:SSL\n",
            "inter.broker.listener.name=BROKER\n",
            "zookeeper.set.acl=true\n",
        ] {
            assert!(server.contains(line), "{line}");
        }
        assert!(!server.contains("authorizer.class.name") && !server.contains("sasl."), "{server}");
        let env = file(&spec, 3, "kafka-server.env").unwrap();
        assert!(env.contains("KAFKA_OPTS=\"-Djava.security.auth.login.config=/etc/kafka/kafka-server-jaas.conf\""));
        let zookeeper = file(&spec, 0, "zookeeper.properties").unwrap();
        assert!(
            zookeeper.contains("enforce.auth.schemes=sasl\n") && zookeeper.contains("quorum.auth.enableSasl=true\n")
        );
    }

    #[test]
    fn members_speak_tls_to_each_other_with_the_tls_files_an_ensemble_only_host_reloads_itself() {
        let spec = zookeeper_secure();
        let zookeeper = file(&spec, 0, "zookeeper.properties").unwrap();
        for line in [
            "sslQuorum=true\n",
            "sslQuorumReloadCertFiles=true\n",
            "ssl.quorum.keyStore.location=/etc/kafka/tls/node.pem\n",
            "ssl.quorum.keyStore.type=PEM\n",
            "ssl.quorum.trustStore.location=/etc/kafka/tls/ca.pem\n",
            "ssl.quorum.trustStore.type=PEM\n",
        ] {
            assert!(zookeeper.contains(line), "{line}");
        }
        let member = &spec.hosts[0];
        assert!(spec.holds_certificate(member) && !member.runs_kafka());
        let tls: Vec<_> =
            render_host(&spec, member).into_iter().filter(|f| f.path.starts_with("/etc/kafka/tls/")).collect();
        assert_eq!(tls.len(), 2, "the CA and the member's keystore");
        assert!(tls.iter().all(|f| f.service == crate::render::Service::Zookeeper));
        assert!(super::reloaded_by_member(&spec, member, "/etc/kafka/tls/node.pem"));
        assert!(!super::reloaded_by_member(&spec, member, "/etc/kafka/zookeeper.properties"));
        assert!(!super::reloaded_by_member(&spec, &spec.hosts[3], "/etc/kafka/tls/node.pem"), "Kafka restarts for it");

        let mut kept = spec.clone();
        if let crate::project::spec::Coordination::Zookeeper(z) = &mut kept.coordination {
            z.quorum_tls = false;
        }
        assert!(!file(&kept, 0, "zookeeper.properties").unwrap().contains("sslQuorum"));
        assert!(file(&kept, 0, "node.pem").is_none() && !kept.holds_certificate(&kept.hosts[0]));
        assert!(file(&kept, 0, "zookeeper.properties").unwrap().contains("quorum.auth.enableSasl=true\n"));
    }

    #[test]
    fn a_plaintext_ensemble_and_a_kraft_cluster_get_no_zookeeper_security() {
        let mut spec = zookeeper_secure();
        spec.security = None;
        assert!(!file(&spec, 0, "zookeeper.properties").unwrap().contains("authProvider"));
        assert!(!spec.zookeeper_quorum_tls() && file(&spec, 0, "node.pem").is_none());
        assert!(file(&spec, 0, "zookeeper-server-jaas.conf").is_none());
        assert!(!file(&spec, 0, "zookeeper-server.env").unwrap().contains("KAFKA_OPTS"));
        assert!(file(&spec, 3, "kafka-server-jaas.conf").is_none());
        let kraft = validate(&parse(include_str!("../../tests/fixtures/kraft-secure.toml")).unwrap()).spec.unwrap();
        let server = file(&kraft, 0, "server.properties").unwrap();
        assert!(!server.contains("zookeeper") && server.contains("StandardAuthorizer"), "{server}");
        assert!(!file(&kraft, 0, "kafka-server-jaas.conf").unwrap().contains("Client {"));
    }
}
