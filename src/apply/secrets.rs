//! A secured cluster's secrets for a run: deploy gets the secrets store's material (made or completed on first need,
//! what it made told as warnings — never a secret), a dry run reads an existing store only, and every health check,
//! `status` and the rolling gates log in as the admin with [`kafka_auth`] (TLS verified against the cluster's CA,
//! SCRAM as `security.admin_user`).

use super::options::ApplyError;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::security::client::{KafkaAuth, ScramLogin, TlsTrust};
use crate::security::store::{SecretMaterial, SecretsStore};
use std::sync::Arc;

/// Deploy: the store's material for `spec` (none for a plaintext cluster), what the store made told as warnings.
pub fn for_deploy(spec: &ClusterSpec, events: &EventSink) -> Result<Option<Arc<SecretMaterial>>, ApplyError> {
    let Some(security) = &spec.security else { return Ok(None) };
    let store = SecretsStore::for_cluster(spec);
    let (material, notes) = store.ensure(spec, security)?;
    for message in notes {
        events(Event::Warning { target: Target::Wizard, message: format!("secrets store: {message}") });
    }
    Ok(Some(Arc::new(material)))
}

/// Refuses `[security]` on a cluster that has already run when there is no secrets store for it (deployed
/// plaintext, or the store is lost): see [`ApplyError::SecureFormattedCluster`] (KRaft) and
/// [`ApplyError::SecurePlaintextZookeeperCluster`]. `formatted` names the hosts with a formatted data directory
/// (or, in ZooKeeper mode, ensemble data). Checked before the store is made, so a refused run leaves none behind.
pub fn refuse_securing_formatted(spec: &ClusterSpec, formatted: &[String]) -> Result<(), ApplyError> {
    let store = SecretsStore::for_cluster(spec);
    refusal(spec, formatted, &store.path)
}

/// [`refuse_securing_formatted`]'s judgement, given where the store would be.
fn refusal(spec: &ClusterSpec, formatted: &[String], store: &std::path::Path) -> Result<(), ApplyError> {
    if spec.security.is_none() || formatted.is_empty() || store.exists() {
        return Ok(());
    }
    let (hosts, store) = (formatted.join(", "), store.display().to_string());
    Err(match spec.coordination {
        Coordination::Kraft(_) => ApplyError::SecureFormattedCluster { hosts, store },
        Coordination::Zookeeper(_) => ApplyError::SecurePlaintextZookeeperCluster { hosts, store },
    })
}

/// A dry run: the store's material when the store exists and has everything but the passwords of application
/// users added since the last deploy (nothing is made or saved), else `None` — then secret files are compared as
/// placeholders, i.e. shown as to be written.
pub fn for_preview(spec: &ClusterSpec) -> Option<Arc<SecretMaterial>> {
    let security = spec.security.as_ref()?;
    let store = SecretsStore::for_cluster(spec);
    store.path.exists().then(|| store.load_existing(spec, security).ok()).flatten().map(Arc::new)
}

/// How the wizard's own Kafka client reaches `spec`'s brokers and controllers: plaintext, or TLS against the
/// cluster's CA with SCRAM as the admin, from the secrets store. An error when a secured cluster has no store yet.
pub fn kafka_auth(spec: &ClusterSpec) -> Result<KafkaAuth, String> {
    let Some(security) = &spec.security else { return Ok(KafkaAuth::plaintext()) };
    let store = SecretsStore::for_cluster(spec);
    let material = store.load_existing(spec, security).map_err(|e| {
        format!("{e} — deploy the cluster first (a deployed cluster whose store is lost: deploy --recover-secrets)")
    })?;
    let tls = TlsTrust::from_ca_pem(&material.ca_cert).map_err(|e| e.to_string())?;
    let sasl = security.sasl().then(|| ScramLogin {
        mechanism: security.mechanism,
        username: security.admin_user.clone(),
        password: material.passwords[&security.admin_user].clone(),
    });
    Ok(KafkaAuth { tls: Some(tls), sasl })
}

/// How the wizard's own Kafka client reaches the KRaft controllers' listener of a secured cluster (TLS with client
/// certificates, no SASL, docs/facts/kafka.md §11): the cluster's CA, presenting the keystore of one of its
/// controllers — a node's identity the store holds, a super user (`render::security::super_users`). Plaintext
/// on a plaintext cluster.
pub fn controller_auth(spec: &ClusterSpec) -> Result<KafkaAuth, String> {
    let Some(security) = &spec.security else { return Ok(KafkaAuth::plaintext()) };
    let store = SecretsStore::for_cluster(spec);
    let material = store.load_existing(spec, security).map_err(|e| e.to_string())?;
    let keystore = spec
        .controllers()
        .find_map(|c| material.keystores.get(c.name.as_str()))
        .ok_or("no controller's keystore in the secrets store")?;
    let tls = TlsTrust::with_identity(&material.ca_cert, keystore.expose()).map_err(|e| e.to_string())?;
    Ok(KafkaAuth { tls: Some(tls), sasl: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{parse, validate};

    fn spec(text: &str) -> ClusterSpec {
        validate(&parse(text).unwrap()).spec.unwrap()
    }

    #[test]
    fn securing_a_cluster_that_ran_without_a_store_is_refused_with_the_steps_of_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        let zk = spec(include_str!("../../tests/fixtures/zookeeper-secure.toml"));
        let err = refusal(&zk, &["zks1.example.com".into()], &missing).unwrap_err();
        assert!(matches!(err, ApplyError::SecurePlaintextZookeeperCluster { .. }), "{err}");
        let text = err.to_string();
        assert!(text.starts_with("zks1.example.com: this ZooKeeper-mode cluster has already run"), "{text}");
        assert!(text.contains("zookeeper-security-migration.sh") && text.contains("nothing was changed"), "{text}");
        let kraft = spec(include_str!("../../tests/fixtures/kraft-secure.toml"));
        let err = refusal(&kraft, &["secure1.example.com".into()], &missing).unwrap_err();
        assert!(matches!(err, ApplyError::SecureFormattedCluster { .. }), "{err}");

        assert!(refusal(&zk, &[], &missing).is_ok(), "a cluster that never ran is secured from the start");
        std::fs::write(&missing, "").unwrap();
        assert!(refusal(&zk, &["zks1.example.com".into()], &missing).is_ok(), "its own store: deployed secured");
    }
}
