//! A secured cluster's secrets for a run: deploy gets the secrets store's material (made or completed on first need,
//! what it made told as warnings — never a secret), a dry run reads an existing store only, and every health check,
//! `status` and the rolling gates log in as the admin with [`kafka_auth`] (TLS verified against the cluster's CA,
//! SCRAM as `security.admin_user`).

use super::options::ApplyError;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::ClusterSpec;
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

/// Refuses `[security]` on a cluster whose storage is already formatted when there is no secrets store for it
/// (deployed plaintext, or the store is lost): see [`ApplyError::SecureFormattedCluster`]. `formatted` names the
/// hosts with a formatted data directory. Checked before the store is made, so a refused run leaves none behind.
pub fn refuse_securing_formatted(spec: &ClusterSpec, formatted: &[String]) -> Result<(), ApplyError> {
    let store = SecretsStore::for_cluster(spec);
    if spec.security.is_none() || formatted.is_empty() || store.path.exists() {
        return Ok(());
    }
    Err(ApplyError::SecureFormattedCluster { hosts: formatted.join(", "), store: store.path.display().to_string() })
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
