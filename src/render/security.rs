//! What a secured cluster adds to each Kafka host (docs/facts/kafka.md §11, §13): the TLS files under
//! `<config_dir>/tls/` (the CA as truststore; the node's PEM keystore: key + certificate chain, root:kafka 0640),
//! the `server.properties` security keys (listener protocols, PEM stores, mTLS on the controller listener, SCRAM,
//! the authorizer — `StandardAuthorizer` in KRaft, `AclAuthorizer` in ZooKeeper mode — with its super users), and
//! the brokers' JAAS file (root:kafka 0640) — their own SCRAM login with SASL, and in ZooKeeper mode their login to
//! the ensemble (`Client`) with `zookeeper.set.acl=true` — read through
//! `KAFKA_OPTS=-Djava.security.auth.login.config=…`, so `server.properties`, which Review shows, never holds a
//! password. The ensemble's own side is `zookeeper_security.rs`.
//!
//! Secret values come from a [`SecretMaterial`]: the secrets store's at deploy, placeholders for Review and export.
//! SCRAM between controllers is not supported (KAFKA-FACTS: cp-ansible refuses it), so the controller listener is
//! TLS with client certificates (every generated node certificate has the CN `kafka-broker`).

use super::properties::PropertiesWriter;
use super::{GeneratedFile, Owner, Service};
use crate::project::spec::{
    AbsPath, ClusterSpec, HostSpec, MigrationStage, Protection, Role, SecuritySpec, BROKER_USER,
};
use crate::security::store::SecretMaterial;

/// The broker listener's name on a secured cluster (clients and inter-broker traffic).
pub const SECURE_LISTENER: &str = "BROKER";
/// KRaft's authorizer (3.2+, on every broker and controller).
pub const KRAFT_AUTHORIZER: &str = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
/// ZooKeeper mode's authorizer (2.4+; ACLs kept in ZooKeeper).
pub const ZOOKEEPER_AUTHORIZER: &str = "kafka.security.authorizer.AclAuthorizer";

/// `<config_dir>/tls`: the CA and the node's keystore.
pub fn tls_dir(spec: &ClusterSpec) -> AbsPath {
    spec.kafka.config_dir.join("tls")
}

pub fn truststore_path(spec: &ClusterSpec) -> AbsPath {
    tls_dir(spec).join("ca.pem")
}

pub fn keystore_path(spec: &ClusterSpec) -> AbsPath {
    tls_dir(spec).join("node.pem")
}

/// The brokers' JAAS file: their own SCRAM login (with SASL) and their ZooKeeper login (ZooKeeper mode).
pub fn jaas_path(spec: &ClusterSpec) -> AbsPath {
    spec.kafka.config_dir.join("kafka-server-jaas.conf")
}

/// Whether `host` reads the JAAS file: it sends requests to brokers over a SASL listener (a broker, or a migration's
/// controller until finalized), or its Kafka logs in to a locked ensemble.
pub fn reads_jaas(spec: &ClusterSpec, host: &HostSpec) -> bool {
    (sasl(spec) && sends_to_brokers(spec, host)) || logs_in_to_zookeeper(spec, host)
}

/// Whether the cluster has KRaft controllers (KRaft mode, or a migration to it): the controller listener is then
/// TLS with client certificates, and the nodes' certificate subjects are super users.
fn has_controllers(spec: &ClusterSpec) -> bool {
    spec.is_kraft() || spec.migration().is_some()
}

/// Whether `host`'s Kafka speaks to brokers on their listener as a peer: a broker, or a migration's controller
/// until finalized (it sends the ZooKeeper-mode brokers their metadata, docs/facts/kafka.md §34).
fn sends_to_brokers(spec: &ClusterSpec, host: &HostSpec) -> bool {
    host.has(Role::Broker) || (host.has(Role::Controller) && migrating_controllers(spec))
}

/// A migration whose controllers still read and write ZooKeeper (not finalized).
fn migrating_controllers(spec: &ClusterSpec) -> bool {
    spec.migration().is_some_and(|m| m.stage < MigrationStage::Finalized)
}

/// Whether `host`'s Kafka logs in to the locked ensemble (the `Client` section of its JAAS file,
/// `zookeeper.set.acl`): a ZooKeeper-mode broker, or a migration's controller until finalized.
pub fn logs_in_to_zookeeper(spec: &ClusterSpec, host: &HostSpec) -> bool {
    super::zookeeper_security::locked(spec)
        && ((host.has(Role::Broker) && spec.kafka_uses_zookeeper(host))
            || (host.has(Role::Controller) && migrating_controllers(spec)))
}

/// Whether the cluster's brokers have a JAAS file: a SASL cluster, or a secured ZooKeeper-mode one (their login to
/// ZooKeeper).
pub fn brokers_read_jaas(spec: &ClusterSpec) -> bool {
    spec.security.as_ref().is_some_and(SecuritySpec::sasl) || super::zookeeper_security::locked(spec)
}

/// The listener name the brokers use and the protocol it speaks.
pub fn broker_listener(spec: &ClusterSpec) -> (&'static str, &'static str) {
    match &spec.security {
        None => ("PLAINTEXT", "PLAINTEXT"),
        Some(s) => (SECURE_LISTENER, s.protection.kafka_name()),
    }
}

/// The controller listener's protocol: TLS with client certificates on a secured cluster.
pub fn controller_protocol(spec: &ClusterSpec) -> &'static str {
    if spec.security.is_some() {
        "SSL"
    } else {
        "PLAINTEXT"
    }
}

/// The security keys of `server.properties` (no secrets: passwords live in the JAAS file).
pub fn server_security(w: &mut PropertiesWriter, spec: &ClusterSpec, host: &HostSpec, s: &SecuritySpec) {
    w.section(if has_controllers(spec) {
        "TLS: PEM files written by the wizard (key + chain, CA); client certificates on the controller listener"
    } else {
        "TLS: PEM files written by the wizard (key + chain, CA)"
    });
    w.set("ssl.keystore.type", "PEM");
    w.set("ssl.keystore.location", keystore_path(spec).as_str());
    w.set("ssl.truststore.type", "PEM");
    w.set("ssl.truststore.location", truststore_path(spec).as_str());
    if has_controllers(spec) {
        w.set("listener.name.controller.ssl.client.auth", "required");
    }
    if s.protection == Protection::SaslSsl {
        w.section(&format!(
            "SASL/SCRAM: every client logs in; brokers log in to each other as {BROKER_USER} (password in {})",
            jaas_path(spec)
        ));
        w.set("sasl.enabled.mechanisms", s.mechanism.name());
        if sends_to_brokers(spec, host) {
            w.set("sasl.mechanism.inter.broker.protocol", s.mechanism.name());
        }
        w.section("Authorization: only the super users until ACLs grant application users more");
        w.set("authorizer.class.name", authorizer(spec, host));
        w.set("super.users", super_users(spec, s));
        w.set("allow.everyone.if.no.acl.found", "false");
    }
    if logs_in_to_zookeeper(spec, host) {
        w.section(&format!(
            "ZooKeeper: brokers log in (SASL DIGEST-MD5, the Client section of {}) and their znodes are theirs alone to change",
            jaas_path(spec)
        ));
        w.set("zookeeper.set.acl", "true");
    }
}

/// The authorizer of `host`'s Kafka: `AclAuthorizer` while it runs in ZooKeeper mode (a migrating broker keeps it,
/// reading the ACLs from ZooKeeper), `StandardAuthorizer` on a KRaft node — a migration's controllers from the
/// start (they hold the ACLs copied from ZooKeeper), its brokers from their restart as KRaft brokers (Apache's
/// migration guide, docs/facts/kafka.md §34).
pub fn authorizer(spec: &ClusterSpec, host: &HostSpec) -> &'static str {
    if spec.kafka_uses_zookeeper(host) {
        ZOOKEEPER_AUTHORIZER
    } else {
        KRAFT_AUTHORIZER
    }
}

/// `User:<admin>;User:kafka-broker`, then with KRaft controllers (KRaft mode or a migration) the nodes' certificate
/// subjects (their principal on the mTLS controller listener; ZooKeeper mode has none).
pub fn super_users(spec: &ClusterSpec, s: &SecuritySpec) -> String {
    let mut users = vec![format!("User:{}", s.admin_user), format!("User:{BROKER_USER}")];
    if has_controllers(spec) {
        users.extend(s.node_principals());
    }
    users.join(";")
}

/// The TLS files and (with SASL, on brokers) the JAAS file of one Kafka host.
pub fn security_files(spec: &ClusterSpec, host: &HostSpec, material: &SecretMaterial) -> Vec<GeneratedFile> {
    let mut files = tls_files(spec, host, material, Service::Kafka);
    if reads_jaas(spec, host) {
        files.push(GeneratedFile {
            path: jaas_path(spec).to_string(),
            content: jaas_file(spec, host, material),
            mode: 0o640,
            owner: Owner::RootServiceGroup,
            purpose: match (sasl(spec) && sends_to_brokers(spec, host), logs_in_to_zookeeper(spec, host)) {
                (true, false) => {
                    format!("The brokers' own SCRAM login ({BROKER_USER}) for inter-broker traffic (secret, not shown)")
                }
                (true, true) => format!(
                    "The brokers' own SCRAM login ({BROKER_USER}) and their ZooKeeper login (secret, not shown)"
                ),
                _ => "The brokers' ZooKeeper login (secret, not shown)".to_string(),
            },
            service: Service::Kafka,
            secret: true,
        });
    }
    files
}

/// The cluster's CA and `host`'s PEM keystore (`<config_dir>/tls/`), read by `service` — Kafka, or on a host that
/// only runs an ensemble member with quorum TLS, ZooKeeper (`zookeeper_security::quorum_tls`).
pub fn tls_files(
    spec: &ClusterSpec,
    host: &HostSpec,
    material: &SecretMaterial,
    service: Service,
) -> Vec<GeneratedFile> {
    vec![
        GeneratedFile {
            path: truststore_path(spec).to_string(),
            content: material.ca_cert.clone(),
            mode: 0o644,
            owner: Owner::Root,
            purpose: "The cluster's CA certificate: the truststore of every node (PEM)".into(),
            service,
            secret: false,
        },
        GeneratedFile {
            path: keystore_path(spec).to_string(),
            content: material
                .keystores
                .get(host.name.as_str())
                .map(|k| k.expose().to_string())
                .unwrap_or_else(|| format!("# <no certificate for {} in the secrets store>\n", host.name)),
            mode: 0o640,
            owner: Owner::RootServiceGroup,
            purpose: "This node's private key and certificate chain (PEM keystore; secret, not shown)".into(),
            service,
            secret: true,
        },
    ]
}

fn sasl(spec: &ClusterSpec) -> bool {
    spec.security.as_ref().is_some_and(SecuritySpec::sasl)
}

/// A JAAS file's header: its comments are `//` (Java's JAAS parser refuses `#`).
pub fn jaas_header(spec: &ClusterSpec, what: &str) -> String {
    super::header(spec, what).lines().map(|l| format!("//{}\n", l.trim_start_matches('#'))).collect()
}

/// A Kafka host's JAAS file: `KafkaServer` (the brokers' SCRAM login) with SASL on a host that sends to brokers,
/// `Client` (the ZooKeeper login) on a host that logs in to the locked ensemble.
fn jaas_file(spec: &ClusterSpec, host: &HostSpec, material: &SecretMaterial) -> String {
    let mut out = jaas_header(spec, "JAAS configuration of kafka-server.service");
    if sasl(spec) && sends_to_brokers(spec, host) {
        out.push_str(&format!(
            "KafkaServer {{\n    org.apache.kafka.common.security.scram.ScramLoginModule required\n    username=\"{BROKER_USER}\"\n    password=\"{password}\";\n}};\n",
            password = material.password(BROKER_USER),
        ));
    }
    if logs_in_to_zookeeper(spec, host) {
        out.push_str(&super::zookeeper_security::client_section(material));
    }
    out
}

/// The `KAFKA_OPTS` option of `kafka-server.env` for a host that reads the JAAS file.
pub fn kafka_opts(spec: &ClusterSpec, host: &HostSpec) -> Option<String> {
    reads_jaas(spec, host).then(|| format!("-Djava.security.auth.login.config={}", jaas_path(spec)))
}
