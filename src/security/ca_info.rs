//! What a front end may show of a secured cluster's CA: subject, SHA-256 fingerprint and validity — never a key,
//! never a password. The generated CA comes from the secrets store (none before the first deploy); a provided CA
//! from the project's `security.ca_cert`.
//!
//! Owns: which certificate is "the cluster's CA" for display, and the summary's shape.

use super::pki::inspect_certificate;
use super::store::{SecretsStore, StoreError};
use crate::project::spec::{CertificateSource, ClusterSpec};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// The cluster's CA as the operator may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct CaInfo {
    /// `"generate"` (the wizard's own CA, from the secrets store) or `"provided"` (`security.ca_cert`).
    pub source: String,
    /// The store file or the provided certificate it was read from.
    pub path: String,
    /// RFC 4514 form, e.g. `CN=orders CA`.
    pub subject: String,
    /// Upper-case hex pairs joined by `:` (as `openssl x509 -fingerprint -sha256` prints them).
    pub sha256_fingerprint: String,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub not_before: i64,
    #[ts(type = "number")]
    pub not_after: i64,
}

/// The CA of `spec`'s secured cluster, from the store in `store_dir`; `None` for a plaintext cluster or a generated
/// CA not made yet (no deploy so far).
pub fn ca_info_in(spec: &ClusterSpec, store_dir: &Path) -> Result<Option<CaInfo>, StoreError> {
    let Some(security) = &spec.security else { return Ok(None) };
    let (source, path, pem) = match &security.certificates {
        CertificateSource::Generate => {
            let store = SecretsStore::in_dir(store_dir, spec);
            match store.ca_certificate()? {
                Some(pem) => ("generate", store.path.display().to_string(), pem),
                None => return Ok(None),
            }
        }
        CertificateSource::Provided { ca_cert, .. } => {
            let full = crate::transport::ssh::expand_tilde(Path::new(ca_cert));
            let pem = std::fs::read_to_string(&full).map_err(|e| StoreError::Provided {
                field: "security.ca_cert".into(),
                path: ca_cert.clone(),
                detail: e.to_string(),
            })?;
            ("provided", ca_cert.clone(), pem)
        }
    };
    let info = inspect_certificate(&pem, "the cluster's CA")?;
    Ok(Some(CaInfo {
        source: source.into(),
        path,
        subject: info.subject,
        sha256_fingerprint: info.sha256_fingerprint,
        not_before: info.not_before,
        not_after: info.not_after,
    }))
}

/// [`ca_info_in`] the user's secrets store (`store::default_dir`).
pub fn ca_info(spec: &ClusterSpec) -> Result<Option<CaInfo>, StoreError> {
    ca_info_in(spec, &super::store::default_dir())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{parse, validate};

    fn secure() -> ClusterSpec {
        validate(&parse(include_str!("../../tests/fixtures/kraft-secure.toml")).unwrap()).spec.unwrap()
    }

    #[test]
    fn a_generated_ca_is_shown_only_once_the_store_has_one_and_without_any_secret() {
        let dir = tempfile::tempdir().unwrap();
        let spec = secure();
        assert_eq!(ca_info_in(&spec, dir.path()).unwrap(), None, "no store before the first deploy");
        let store = SecretsStore::in_dir(dir.path(), &spec);
        store.ensure(&spec, spec.security.as_ref().unwrap()).unwrap();
        let info = ca_info_in(&spec, dir.path()).unwrap().unwrap();
        let stored = std::fs::read_to_string(&store.path).unwrap();
        let ca_pem = store.ca_certificate().unwrap().unwrap();
        assert_eq!(info.sha256_fingerprint, inspect_certificate(&ca_pem, "ca").unwrap().sha256_fingerprint);
        assert_eq!(info.source, "generate");
        assert!(info.not_after - info.not_before > 9 * 365 * 24 * 3600, "{info:?}");
        let shown = serde_json::to_string(&info).unwrap();
        assert!(!shown.contains("PRIVATE KEY") && !shown.contains("BEGIN"), "{shown}");
        let material = store.load(&spec, spec.security.as_ref().unwrap()).unwrap();
        for password in material.passwords.values() {
            assert!(stored.contains(password.expose()) && !shown.contains(password.expose()));
        }
    }

    #[test]
    fn a_provided_ca_is_read_from_its_file_and_a_missing_one_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let ca = crate::security::pki::ClusterCa::generate("theirs").unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, ca.cert_pem()).unwrap();
        let mut spec = secure();
        let provided = |ca_cert: String| CertificateSource::Provided { ca_cert, hosts: vec![] };
        spec.security.as_mut().unwrap().certificates = provided(path.display().to_string());
        let info = ca_info_in(&spec, dir.path()).unwrap().unwrap();
        assert_eq!((info.source.as_str(), info.path.as_str()), ("provided", path.to_str().unwrap()));
        assert_eq!(info.sha256_fingerprint, inspect_certificate(ca.cert_pem(), "ca").unwrap().sha256_fingerprint);
        spec.security.as_mut().unwrap().certificates = provided(dir.path().join("gone.pem").display().to_string());
        let err = ca_info_in(&spec, dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("security.ca_cert: cannot read"), "{err}");
    }

    #[test]
    fn a_plaintext_cluster_has_no_ca() {
        let spec = validate(&parse(include_str!("../../tests/fixtures/seed-cluster.toml")).unwrap()).spec.unwrap();
        assert_eq!(ca_info_in(&spec, Path::new("/nonexistent")).unwrap(), None);
    }

    #[test]
    fn a_damaged_store_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let spec = secure();
        std::fs::write(SecretsStore::in_dir(dir.path(), &spec).path, "ca = 7").unwrap();
        let err = ca_info_in(&spec, dir.path()).unwrap_err().to_string();
        assert!(err.contains("damaged"), "{err}");
    }
}
