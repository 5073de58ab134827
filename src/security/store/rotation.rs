//! CA rotation in the secrets store (`deploy --rotate-ca`): the next CA and the host certificates it issued, kept
//! in the store's `[ca_next]` table (same file, 0600) from the moment a rotation begins until every Kafka node
//! trusts and presents only them; then they replace `[ca]` and `[hosts]` (`finish_rotation`) and the lost-key mark
//! is gone. A rotation is four stages of the TLS files on every Kafka node ([`CaStage`]); this module says what
//! each stage's files hold ([`RotationMaterial`]); which stage the hosts are at and which passes remain is decided
//! in `apply/decide/rotate_ca.rs` from the files' digests.
//!
//! Owns: the `[ca_next]` format, beginning (new CA + new host certificates, saved before any host is touched, so a
//! run killed at any point finds them again) and finishing a rotation.

use super::{host_names, SecretMaterial, SecretsStore, StoreError, StoreFile, StoredCert, BROKER_CN};
use crate::project::spec::{CertificateSource, ClusterSpec, SecuritySpec};
use crate::security::pki::{inspect_certificate, CertifiedKey, ClusterCa};
use crate::security::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The next CA while a rotation is under way: its certificate and key and each Kafka host's certificate from it.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct CaNext {
    pub ca: StoredCert,
    #[serde(default)]
    pub hosts: BTreeMap<String, StoredCert>,
}

/// What the TLS files of every Kafka node hold, in the order a rotation moves them. Each stage is rolled (one
/// rolling restart) before the next is written, so no two running nodes ever fail to trust each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CaStage {
    /// Truststore: the old CA; keystore: a certificate of the old CA (before the rotation).
    Old,
    /// Truststore: old + new CA; keystore still the old CA's certificate.
    TrustBoth,
    /// Truststore: old + new CA; keystore: a certificate of the new CA.
    NewCertificates,
    /// Truststore: the new CA only; keystore: the new CA's certificate (the rotation is done).
    New,
}

impl CaStage {
    pub const ALL: [CaStage; 4] = [CaStage::Old, CaStage::TrustBoth, CaStage::NewCertificates, CaStage::New];

    /// The stage before this one (`Old` has none).
    pub fn previous(self) -> Option<CaStage> {
        CaStage::ALL.iter().rev().skip_while(|s| **s != self).nth(1).copied()
    }

    /// What a node holds at this stage, for people.
    pub fn describe(self) -> &'static str {
        match self {
            CaStage::Old => "trusts the old CA, presents its certificate",
            CaStage::TrustBoth => "trusts the old and the new CA, presents the old CA's certificate",
            CaStage::NewCertificates => "trusts the old and the new CA, presents the new CA's certificate",
            CaStage::New => "trusts only the new CA, presents its certificate",
        }
    }
}

/// The TLS file contents of every stage: the old and the new CA, each Kafka host's old and new keystore.
#[derive(Clone, Debug)]
pub struct RotationMaterial {
    pub old_ca: String,
    pub new_ca: String,
    /// The new CA's SHA-256 fingerprint (for messages).
    pub new_fingerprint: String,
    pub old_keystores: BTreeMap<String, Secret>,
    pub new_keystores: BTreeMap<String, Secret>,
}

impl RotationMaterial {
    /// The truststore (`ca.pem`) a node holds at `stage`: one CA, or both (old first) in the middle stages.
    pub fn truststore(&self, stage: CaStage) -> String {
        match stage {
            CaStage::Old => self.old_ca.clone(),
            CaStage::TrustBoth | CaStage::NewCertificates => both(&self.old_ca, &self.new_ca),
            CaStage::New => self.new_ca.clone(),
        }
    }

    /// `host`'s keystore (`node.pem`) at `stage`.
    pub fn keystore(&self, host: &str, stage: CaStage) -> Option<&Secret> {
        match stage {
            CaStage::Old | CaStage::TrustBoth => self.old_keystores.get(host),
            CaStage::NewCertificates | CaStage::New => self.new_keystores.get(host),
        }
    }

    /// `base` (the store's passwords) with the TLS files of `stage` for `host`.
    pub fn material_for(&self, base: &SecretMaterial, host: &str, stage: CaStage) -> SecretMaterial {
        let mut material = base.clone();
        material.ca_cert = self.truststore(stage);
        if let Some(keystore) = self.keystore(host, stage) {
            material.keystores.insert(host.to_string(), keystore.clone());
        }
        material
    }
}

/// Two CA certificates in one PEM truststore, old first (Kafka's PEM truststore takes every certificate in the
/// file, docs/facts/kafka.md §11).
pub fn both(old: &str, new: &str) -> String {
    format!("{}\n{}\n", old.trim_end(), new.trim_end())
}

impl SecretsStore {
    /// Whether a rotation is under way (the store holds a next CA).
    pub fn rotation_in_progress(&self) -> Result<bool, StoreError> {
        Ok(self.read()?.is_some_and(|f| f.ca_next.is_some()))
    }

    /// Begins a rotation, or continues the one under way: the new CA and a certificate from it for every Kafka
    /// host, saved (0600) before anything is returned. Needs the wizard's own CA and a store holding every Kafka
    /// host's current certificate (a deployed cluster, or one recovered with `--recover-secrets`).
    pub fn begin_rotation(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
        now: time::OffsetDateTime,
    ) -> Result<(RotationMaterial, Vec<String>), StoreError> {
        self.rotation(spec, security, now, true).map(|r| r.expect("made when missing"))
    }

    /// The files of the rotation under way, nothing made or saved (a dry run); `None` when none is under way.
    pub fn rotation_material(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
    ) -> Result<Option<RotationMaterial>, StoreError> {
        if !self.rotation_in_progress()? {
            return Ok(None);
        }
        Ok(self.rotation(spec, security, time::OffsetDateTime::now_utc(), false)?.map(|(m, _)| m))
    }

    fn rotation(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
        now: time::OffsetDateTime,
        save: bool,
    ) -> Result<Option<(RotationMaterial, Vec<String>)>, StoreError> {
        let shown = self.path.display().to_string();
        if !matches!(security.certificates, CertificateSource::Generate) {
            return Err(StoreError::Incomplete {
                path: shown,
                what: "a CA of its own to rotate: security.ca = \"provided\" — rotate your CA yourself and give the new files in the project".into(),
            });
        }
        let Some(mut file) = self.read()? else {
            return Err(StoreError::Io {
                path: shown,
                detail: "not found: deploy the cluster first (or recover a lost store with --recover-secrets)".into(),
            });
        };
        let mut notes = Vec::new();
        let next = match file.ca_next.take() {
            Some(next) => {
                notes.push(format!(
                    "continuing the CA rotation under way (new CA SHA-256 {})",
                    fingerprint(&next.ca.cert)
                ));
                next
            }
            None => {
                let stamp = now.unix_timestamp();
                let ca = ClusterCa::generate_at(&format!("{} {stamp}", spec.name), now)?;
                notes.push(format!(
                    "CA rotation: generated a new CA (SHA-256 {}); every Kafka node is moved to it in three rolling restarts",
                    fingerprint(ca.cert_pem())
                ));
                CaNext {
                    ca: StoredCert { cert: ca.cert_pem().into(), key: ca.0.key_pem.expose().into(), names: vec![] },
                    hosts: BTreeMap::new(),
                }
            }
        };
        let mut next = next;
        let ca = ClusterCa::from_pem(next.ca.cert.clone(), Secret::new(next.ca.key.clone()))?;
        let old_ca = file
            .ca
            .as_ref()
            .map(|c| c.cert.clone())
            .ok_or_else(|| StoreError::Incomplete { path: shown.clone(), what: "the CA certificate".into() })?;
        let (mut old_keystores, mut new_keystores) = (BTreeMap::new(), BTreeMap::new());
        for host in spec.hosts.iter().filter(|h| spec.holds_certificate(h)) {
            let name = host.name.to_string();
            let old = file.hosts.get(&name).ok_or_else(|| StoreError::Incomplete {
                path: shown.clone(),
                what: format!(
                    "{name}'s certificate: a CA rotation moves the nodes the cluster has — add {name} after it"
                ),
            })?;
            let old = CertifiedKey { cert_pem: old.cert.clone(), key_pem: Secret::new(old.key.clone()) };
            old_keystores.insert(name.clone(), old.keystore_pem(&old_ca));
            let names = host_names(host);
            let issued = match next.hosts.get(&name).filter(|c| c.names == names) {
                Some(c) => CertifiedKey { cert_pem: c.cert.clone(), key_pem: Secret::new(c.key.clone()) },
                None => {
                    let issued = ca.issue_host_at(BROKER_CN, &names, now)?;
                    let stored =
                        StoredCert { cert: issued.cert_pem.clone(), key: issued.key_pem.expose().into(), names };
                    next.hosts.insert(name.clone(), stored);
                    issued
                }
            };
            new_keystores.insert(name, issued.keystore_pem(ca.cert_pem()));
        }
        let material = RotationMaterial {
            old_ca,
            new_ca: ca.cert_pem().to_string(),
            new_fingerprint: fingerprint(ca.cert_pem()),
            old_keystores,
            new_keystores,
        };
        file.ca_next = Some(next);
        if save {
            self.save(&file)?;
        }
        Ok(Some((material, notes)))
    }

    /// Ends a rotation every node has completed: the next CA and its certificates become the store's CA and host
    /// certificates (the CA key is known again). Nothing to do without a rotation under way.
    pub fn finish_rotation(&self) -> Result<Option<String>, StoreError> {
        let Some(mut file) = self.read()? else { return Ok(None) };
        let Some(next) = file.ca_next.take() else { return Ok(None) };
        let done = format!(
            "the CA rotation is done: every node trusts only the new CA (SHA-256 {})",
            fingerprint(&next.ca.cert)
        );
        file.ca = Some(next.ca);
        file.ca_key_lost = None;
        for (host, cert) in next.hosts {
            file.hosts.insert(host, cert);
        }
        self.save(&file)?;
        Ok(Some(done))
    }
}

/// The store's view during a rotation: the truststore clients and the wizard's own checks need (both CAs).
pub(super) fn transition_truststore(file: &StoreFile, current: String) -> String {
    match &file.ca_next {
        Some(next) => both(&current, &next.ca.cert),
        None => current,
    }
}

fn fingerprint(cert: &str) -> String {
    inspect_certificate(cert, "the CA").map(|i| i.sha256_fingerprint).unwrap_or_default()
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod tests;
