//! `deploy` with `DeployOptions.recover_secrets` (the CLI's `--recover-secrets`): a secured cluster whose secrets
//! store is lost gets a new one from its hosts instead of being refused (`ApplyError::SecureFormattedCluster`).
//!
//! Right after the probe, before anything is changed: every Kafka host's truststore, keystore and (brokers) JAAS
//! file are read as root; `security::recover` checks that they agree and builds the store; the admin and every
//! application user get new generated passwords, set on the running cluster with AlterUserScramCredentials, logged
//! in as the brokers' own super user (`kafka-broker`, whose password the JAAS file holds) over TLS against the
//! hosts' CA; only then is the store saved. ZooKeeper mode works alike (its brokers take the same request): the
//! ensemble members' JAAS files are read too, and the ensemble's logins come back unchanged. There the
//! `zookeeper-scram-users` step's record on the first broker still holds digests of the old passwords, so this
//! run (or the next) writes the same new credentials into ZooKeeper once more — no restart, and the record then
//! matches. The run goes on as any deploy: the recovered store renders the hosts'
//! files byte for byte, so nothing is rewritten and nothing restarts. Said as warnings: what came back, which users
//! got new passwords (never a password), and that the CA key is lost.

use super::hosts::HostRun;
use super::options::ApplyError;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::{ClusterSpec, BROKER_USER};
use crate::security::client::{KafkaAuth, ScramLogin, TlsTrust};
use crate::security::credentials::set_scram_passwords;
use crate::security::recover::{
    files_to_read, holds_secrets, recover, reset_users, zookeeper_jaas_to_read, FoundOnHost,
};
use crate::security::store::SecretsStore;
use crate::security::Secret;
use std::time::Duration;

/// How long setting the passwords may take on one broker.
const RESET_TIMEOUT: Duration = Duration::from_secs(30);

/// Recovers the secrets store of `spec` from the hosts of `runs` when it is lost and the cluster is formatted
/// (`formatted` names those hosts); otherwise says why there is nothing to recover.
pub(crate) async fn recover_secrets(
    spec: &ClusterSpec,
    runs: &[HostRun],
    formatted: &[String],
    events: &EventSink,
) -> Result<(), ApplyError> {
    let warn = |message: String| events(Event::Warning { target: Target::Wizard, message });
    let Some(security) = &spec.security else {
        warn("recover secrets: the cluster has no [security]: nothing to recover".into());
        return Ok(());
    };
    let store = SecretsStore::for_cluster(spec);
    if store.path.exists() {
        warn(format!("recover secrets: the secrets store {} exists: nothing to recover", store.path.display()));
        return Ok(());
    }
    if formatted.is_empty() {
        warn("recover secrets: no host is formatted yet: nothing to recover, a new secrets store is made".into());
        return Ok(());
    }
    let found = read_hosts(spec, runs).await?;
    let when = time::OffsetDateTime::now_utc().date();
    let recovered = recover(spec, security, &found, &format!("on {when}"))?;
    let trust_pem = match &recovered.ca_cert {
        Some(ca) => ca.clone(),
        None => found.iter().find_map(|f| f.truststore.clone()).unwrap_or_default(),
    };
    let users = reset_users(security);
    if security.sasl() && !users.is_empty() {
        let tls = TlsTrust::from_ca_pem(&trust_pem).map_err(|e| ApplyError::RecoverReset(e.to_string()))?;
        let login = ScramLogin {
            mechanism: security.mechanism,
            username: BROKER_USER.to_string(),
            password: recovered.passwords[BROKER_USER].clone(),
        };
        let auth = KafkaAuth { tls: Some(tls), sasl: Some(login) };
        let new: Vec<(String, Secret)> =
            users.iter().map(|u| (u.to_string(), recovered.passwords[*u].clone())).collect();
        set_on_a_broker(spec, &auth, security.mechanism, &new).await?;
    }
    store.save_recovered(&recovered)?;
    let hosts: Vec<&str> = recovered.hosts.keys().map(String::as_str).collect();
    let mut what = match &recovered.ca_cert {
        Some(_) => vec![format!("the CA certificate, the keys and certificates of {}", hosts.join(", "))],
        None => vec![],
    };
    if security.sasl() {
        what.push("the brokers' own password".into());
    }
    if !recovered.zookeeper.is_empty() {
        what.push("the ZooKeeper logins' passwords".into());
    }
    let ca_key = match &recovered.ca_cert {
        Some(_) => " The CA's key was never on the hosts: a host that later needs a new certificate (a new or renamed host, expiry) is refused.",
        None => "",
    };
    warn(format!(
        "recovered the lost secrets store from the hosts into {}: {}.{ca_key}",
        store.path.display(),
        what.join(" and ")
    ));
    if !users.is_empty() {
        let how = if security.sasl() {
            "set on the cluster and kept in the secrets store"
        } else {
            "kept in the secrets store"
        };
        warn(format!(
            "new passwords for SCRAM users {} ({how}; the old ones no longer work — `client-config` writes a user's client configuration with the new one)",
            users.join(", ")
        ));
    }
    Ok(())
}

/// Reads each Kafka host's and each locked ensemble member's secret files (its TLS files too with quorum TLS) as root (blocking reads, each host on
/// its own thread).
async fn read_hosts(spec: &ClusterSpec, runs: &[HostRun]) -> Result<Vec<FoundOnHost>, ApplyError> {
    let mut tasks = Vec::new();
    for run in runs.iter().filter(|r| holds_secrets(spec, &spec.hosts[r.index])) {
        let host = spec.hosts[run.index].clone();
        let tls = spec.holds_certificate(&host);
        let (truststore, keystore, jaas) = files_to_read(spec, &host);
        let zookeeper_jaas = zookeeper_jaas_to_read(spec, &host);
        let t = run.transport.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            let read = |path: &str| -> Result<Option<String>, String> {
                let bytes = t.read_file(path).map_err(|e| format!("{}: cannot read {path}: {e}", host.name))?;
                Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
            };
            let secret = |path: Option<String>| -> Result<Option<Secret>, String> {
                match path {
                    Some(path) => Ok(read(&path)?.map(Secret::new)),
                    None => Ok(None),
                }
            };
            Ok::<_, String>(FoundOnHost {
                host: host.name.to_string(),
                truststore: if tls { read(&truststore)? } else { None },
                keystore: secret(tls.then_some(keystore))?,
                jaas: secret(jaas)?,
                zookeeper_jaas: secret(zookeeper_jaas)?,
            })
        }));
    }
    let mut found = Vec::new();
    for task in tasks {
        let result = task.await.map_err(|e| ApplyError::RecoverReset(e.to_string()))?;
        found.push(result.map_err(ApplyError::RecoverRead)?);
    }
    Ok(found)
}

/// Sets the new passwords through the first broker that takes them.
async fn set_on_a_broker(
    spec: &ClusterSpec,
    auth: &KafkaAuth,
    mechanism: crate::security::scram::ScramMechanism,
    users: &[(String, Secret)],
) -> Result<(), ApplyError> {
    let mut errors = Vec::new();
    for broker in spec.brokers() {
        let addr = format!("{}:{}", broker.reach().for_host_port(), spec.kafka.listener_port);
        match set_scram_passwords(&addr, auth, mechanism, users, RESET_TIMEOUT).await {
            Ok(()) => return Ok(()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(ApplyError::RecoverReset(format!(
        "no broker took the new passwords, logged in as {BROKER_USER} — the brokers must be running: {}",
        errors.join("; ")
    )))
}
