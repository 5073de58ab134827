//! Rebuilding a lost secrets store from the hosts (pure: the files read from the hosts in, the store's content out).
//!
//! What the hosts hold (root over SSH reads it all): every Kafka node's PEM keystore (its key, its certificate, the
//! CA certificate) and the CA certificate as truststore under `<config_dir>/tls/`, and — with SASL — on every broker
//! the JAAS file with the brokers' own SCRAM login. So the host keys and certificates, the CA certificate and the
//! brokers' password come back unchanged (the files the next deploy renders are the hosts' files byte for byte:
//! nothing is rewritten, nothing restarts). What the hosts never held cannot come back: the CA's key (recorded as
//! lost; a certificate needed later is refused with the reason, `StoreError::CaKeyLost`) and the passwords of the
//! admin and the application users (SCRAM servers keep only salted keys) — those get new generated passwords, which
//! `apply::recover` sets on the cluster, logged in as the brokers' own super user.
//!
//! ZooKeeper mode (a locked ensemble) adds the ensemble's logins, held twice on the hosts: every ensemble member's
//! `zookeeper-server-jaas.conf` (the `kafka` login in `Server`, the `quorum` login in `QuorumServer` and
//! `QuorumLearner`) and every broker's JAAS file (the `kafka` login in `Client`). All must agree; they come back
//! unchanged, into the store's `[zookeeper]` table.
//!
//! Owns: which files are read, the checks that the hosts agree, and splitting a keystore into key and certificate.
//! Every refusal names the host and the file.

use super::pki::{inspect_certificate, CertifiedKey};
use super::store::{host_names, RecoveredSecrets, PASSWORD_LENGTH};
use super::store::{ZOOKEEPER_CLIENT_LOGIN, ZOOKEEPER_QUORUM_LOGIN};
use super::{random_password, Secret};
use crate::project::spec::{CertificateSource, ClusterSpec, HostSpec, Role, SecuritySpec, BROKER_USER};
use crate::render::security::{jaas_path, keystore_path, reads_jaas, truststore_path};
use crate::render::zookeeper_security;
use std::collections::BTreeMap;

/// What was read from one Kafka host (`None`: the file does not exist).
#[derive(Clone, Debug, Default)]
pub struct FoundOnHost {
    pub host: String,
    pub truststore: Option<String>,
    pub keystore: Option<Secret>,
    pub jaas: Option<Secret>,
    /// A locked ensemble's member: its `zookeeper-server-jaas.conf`.
    pub zookeeper_jaas: Option<Secret>,
}

/// Whether `host` holds a file to read: a host with a certificate (a Kafka node, an ensemble member with quorum
/// TLS), or a member of a locked ensemble.
pub fn holds_secrets(spec: &ClusterSpec, host: &HostSpec) -> bool {
    spec.holds_certificate(host) || zookeeper_jaas_to_read(spec, host).is_some()
}

/// The ensemble's JAAS file when `host` is a member of a locked ensemble.
pub fn zookeeper_jaas_to_read(spec: &ClusterSpec, host: &HostSpec) -> Option<String> {
    (zookeeper_security::locked(spec) && host.has(Role::Zookeeper))
        .then(|| zookeeper_security::jaas_path(spec).to_string())
}

/// The files to read from `host` of `spec`: (truststore, keystore, JAAS file when the host reads one).
pub fn files_to_read(spec: &ClusterSpec, host: &HostSpec) -> (String, String, Option<String>) {
    (
        truststore_path(spec).to_string(),
        keystore_path(spec).to_string(),
        reads_jaas(spec, host).then(|| jaas_path(spec).to_string()),
    )
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecoverError {
    #[error("{host}: {path} {problem} — the secrets cannot be recovered from the hosts (restore the store file instead, or rebuild the cluster)")]
    File { host: String, path: String, problem: String },
    #[error("the hosts do not agree on {what}: {detail} — the secrets cannot be recovered from them (restore the store file instead, or rebuild the cluster)")]
    Disagree { what: String, detail: String },
    #[error("{host} was not reached in this run — recovering needs every Kafka host (run without --limit)")]
    HostMissing { host: String },
}

/// Judges what was read from every Kafka host and builds the store: the hosts' CA certificate, keys and
/// certificates, the brokers' password; new passwords for the admin and the application users. `when` says when
/// (for the lost CA key's note).
pub fn recover(
    spec: &ClusterSpec,
    security: &SecuritySpec,
    found: &[FoundOnHost],
    when: &str,
) -> Result<RecoveredSecrets, RecoverError> {
    let mut hosts = BTreeMap::new();
    let mut ca_by_host: BTreeMap<String, String> = BTreeMap::new();
    let mut broker_password = Agreement::default();
    let mut zookeeper = BTreeMap::<&str, Agreement>::new();
    for host in spec.hosts.iter().filter(|h| holds_secrets(spec, h)) {
        let name = host.name.to_string();
        let found = found.iter().find(|f| f.host == name).ok_or(RecoverError::HostMissing { host: name.clone() })?;
        let file_error = |path: &str, problem: &str| RecoverError::File {
            host: name.clone(),
            path: path.into(),
            problem: problem.into(),
        };
        if let Some(path) = zookeeper_jaas_to_read(spec, host) {
            let text = found.zookeeper_jaas.as_ref().ok_or_else(|| file_error(&path, "is missing"))?;
            for (login, password) in ensemble_logins(text.expose()).map_err(|problem| file_error(&path, &problem))? {
                zookeeper.entry(login).or_default().agree(&name, &path, password, login)?;
            }
        }
        if !spec.holds_certificate(host) {
            continue;
        }
        let (truststore, keystore, jaas) = files_to_read(spec, host);
        let ca = found.truststore.as_deref().ok_or_else(|| file_error(&truststore, "is missing"))?;
        let ca_info = inspect_certificate(ca, "the CA").map_err(|_| file_error(&truststore, "holds no certificate"))?;
        ca_by_host.insert(name.clone(), ca_info.sha256_fingerprint.clone());
        if security.certificates == CertificateSource::Generate {
            let pem = found.keystore.as_ref().ok_or_else(|| file_error(&keystore, "is missing"))?;
            let cert = split_keystore(pem.expose())
                .ok_or_else(|| file_error(&keystore, "is not a PEM keystore (a PRIVATE KEY, then certificates)"))?;
            let info = inspect_certificate(&cert.cert_pem, "the host certificate")
                .map_err(|_| file_error(&keystore, "holds no readable certificate"))?;
            if !info.matches_key(&cert.key_pem).unwrap_or(false) {
                return Err(file_error(&keystore, "holds a key that does not belong to its certificate"));
            }
            if info.issuer != ca_info.subject {
                let problem = format!("holds a certificate issued by {}, not by the CA in {truststore}", info.issuer);
                return Err(file_error(&keystore, &problem));
            }
            let names = host_names(host);
            let names = if names.iter().all(|n| info.covers(n)) { names } else { info_names(&info) };
            hosts.insert(name.clone(), (cert, names));
        }
        if let Some(jaas) = jaas {
            let text = found.jaas.as_ref().ok_or_else(|| file_error(&jaas, "is missing"))?;
            if security.sasl() {
                let password = jaas_password(text.expose())
                    .ok_or_else(|| file_error(&jaas, &format!("has no SCRAM login of {BROKER_USER}")))?;
                broker_password.agree(&name, &jaas, password, "the brokers' own password")?;
            }
            if zookeeper_security::locked(spec) {
                let password = jaas_value(text.expose(), "Client", "password").ok_or_else(|| {
                    file_error(&jaas, &format!("has no ZooKeeper login of {ZOOKEEPER_CLIENT_LOGIN} (Client)"))
                })?;
                zookeeper.entry(ZOOKEEPER_CLIENT_LOGIN).or_default().agree(
                    &name,
                    &jaas,
                    password,
                    ZOOKEEPER_CLIENT_LOGIN,
                )?;
            }
        }
    }
    let zookeeper: BTreeMap<String, Secret> = zookeeper
        .into_iter()
        .filter_map(|(login, agreed)| Some((login.to_string(), Secret::new(agreed.value?.2))))
        .collect();
    let mut fingerprints: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (host, fp) in &ca_by_host {
        fingerprints.entry(fp.as_str()).or_default().push(host.as_str());
    }
    if fingerprints.len() > 1 {
        let detail = fingerprints
            .iter()
            .map(|(fp, hosts)| format!("{} trust SHA-256 {fp}", hosts.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(RecoverError::Disagree { what: format!("the CA certificate ({})", truststore_path(spec)), detail });
    }
    let first_kafka = spec.hosts.iter().find(|h| h.runs_kafka()).map(|h| h.name.to_string()).unwrap_or_default();
    let ca_cert = found.iter().find(|f| f.host == first_kafka).and_then(|f| f.truststore.clone()).unwrap_or_default();
    let mut passwords = BTreeMap::new();
    for user in security.scram_users() {
        let password = match (&broker_password.value, user == BROKER_USER) {
            (Some((_, _, p)), true) => Secret::new(p.clone()),
            _ => random_password(PASSWORD_LENGTH),
        };
        passwords.insert(user.to_string(), password);
    }
    Ok(RecoveredSecrets {
        ca_cert: (security.certificates == CertificateSource::Generate).then_some(ca_cert),
        ca_key_lost: format!("recovered from the hosts {when}"),
        hosts,
        passwords,
        zookeeper,
    })
}

/// One secret that several hosts' files must hold alike: the first host and file that held it, and it.
#[derive(Default)]
struct Agreement {
    value: Option<(String, String, String)>,
}

impl Agreement {
    /// Records `value` from `host`'s `path`, or refuses when an earlier host's file held another one.
    fn agree(&mut self, host: &str, path: &str, value: String, what: &str) -> Result<(), RecoverError> {
        match &self.value {
            Some((first, first_path, known)) if *known != value => Err(RecoverError::Disagree {
                what: what_is(what),
                detail: match first_path == path {
                    true => format!("{first} and {host} hold different ones (in {path})"),
                    false => format!("{first} and {host} hold different ones (in {first_path} and {path})"),
                },
            }),
            Some(_) => Ok(()),
            None => {
                self.value = Some((host.to_string(), path.to_string(), value));
                Ok(())
            }
        }
    }
}

fn what_is(what: &str) -> String {
    match what {
        ZOOKEEPER_CLIENT_LOGIN | ZOOKEEPER_QUORUM_LOGIN => format!("the password of the ZooKeeper login {what}"),
        other => other.to_string(),
    }
}

/// The ensemble's logins in a member's `zookeeper-server-jaas.conf` the wizard wrote: `kafka` from `Server`,
/// `quorum` from `QuorumServer`, which `QuorumLearner` must repeat.
fn ensemble_logins(text: &str) -> Result<Vec<(&'static str, String)>, String> {
    let missing = |what: &str| format!("has no {what}");
    let client = jaas_value(text, "Server", &format!("user_{ZOOKEEPER_CLIENT_LOGIN}"))
        .ok_or_else(|| missing(&format!("ZooKeeper login {ZOOKEEPER_CLIENT_LOGIN} (Server)")))?;
    let quorum = jaas_value(text, "QuorumServer", &format!("user_{ZOOKEEPER_QUORUM_LOGIN}"))
        .ok_or_else(|| missing(&format!("ZooKeeper login {ZOOKEEPER_QUORUM_LOGIN} (QuorumServer)")))?;
    let learner = jaas_value(text, "QuorumLearner", "password")
        .ok_or_else(|| missing(&format!("ZooKeeper login {ZOOKEEPER_QUORUM_LOGIN} (QuorumLearner)")))?;
    if learner != quorum {
        return Err("holds two passwords of the ZooKeeper login quorum (QuorumServer, QuorumLearner)".into());
    }
    Ok(vec![(ZOOKEEPER_CLIENT_LOGIN, client), (ZOOKEEPER_QUORUM_LOGIN, quorum)])
}

/// The quoted value of `key` in the section `name { … };` of a JAAS file the wizard wrote (non-empty).
pub fn jaas_value(text: &str, name: &str, key: &str) -> Option<String> {
    let header = format!("{name} {{");
    let start = text.lines().position(|l| l.trim() == header)?;
    let section: Vec<&str> = text.lines().skip(start + 1).take_while(|l| l.trim() != "};").collect();
    let section = section.join("\n");
    let from = section.find(&format!("{key}=\""))? + key.len() + 2;
    let end = section[from..].find('"')?;
    Some(section[from..from + end].to_string()).filter(|v| !v.is_empty())
}

/// The users whose passwords are new after a recovery: set them on the cluster (all but the brokers' own).
pub fn reset_users(security: &SecuritySpec) -> Vec<&str> {
    security.scram_users().into_iter().filter(|u| *u != BROKER_USER).collect()
}

fn info_names(info: &super::pki::CertificateInfo) -> Vec<String> {
    info.dns_names.iter().cloned().chain(info.ip_addresses.iter().map(|ip| ip.to_string())).collect()
}

/// A Kafka PEM keystore (`CertifiedKey::keystore_pem`: key, certificate, chain) → the key and the first
/// certificate, each as its PEM block with a final newline, so `keystore_pem` gives the same file back.
pub fn split_keystore(pem: &str) -> Option<CertifiedKey> {
    let blocks = pem_blocks(pem);
    let key = blocks.iter().find(|b| b.starts_with("-----BEGIN PRIVATE KEY-----"))?;
    let cert = blocks.iter().find(|b| b.starts_with("-----BEGIN CERTIFICATE-----"))?;
    Some(CertifiedKey { cert_pem: format!("{cert}\n"), key_pem: Secret::new(format!("{key}\n")) })
}

fn pem_blocks(pem: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in pem.lines() {
        let line = line.trim_end();
        if line.starts_with("-----BEGIN ") {
            current = Some(vec![line]);
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
            if line.starts_with("-----END ") {
                blocks.push(lines.join("\n"));
                current = None;
            }
        }
    }
    blocks
}

/// The password of the `KafkaServer` SCRAM login in a JAAS file the wizard wrote (`username="kafka-broker"`).
pub fn jaas_password(text: &str) -> Option<String> {
    (jaas_value(text, "KafkaServer", "username")? == BROKER_USER)
        .then(|| jaas_value(text, "KafkaServer", "password"))?
}

#[cfg(test)]
#[path = "recover_tests.rs"]
mod tests;
