use super::*;
use crate::project::{parse, validate};
use crate::security::store::{SecretsStore, StoreError};
use std::os::unix::fs::PermissionsExt;

fn spec(text: &str) -> ClusterSpec {
    validate(&parse(text).unwrap()).spec.unwrap()
}

fn secure() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-secure.toml"))
}

/// A store as `--recover-secrets` leaves it: the CA's certificate without its key, marked lost.
fn lose_ca_key(store: &SecretsStore) {
    let mut file: toml::Table = toml::from_str(&std::fs::read_to_string(&store.path).unwrap()).unwrap();
    file["ca"].as_table_mut().unwrap().insert("key".into(), "".into());
    file.insert("ca_key_lost".into(), "recovered from the hosts on 2026-11-30".into());
    std::fs::write(&store.path, toml::to_string(&file).unwrap()).unwrap();
}

fn issuer_of_keystore(keystore: &str) -> String {
    let leaf = keystore.find("-----BEGIN CERTIFICATE").unwrap();
    inspect_certificate(&keystore[leaf..], "host").unwrap().issuer
}

#[test]
fn a_rotation_of_a_store_whose_ca_key_was_lost_keeps_the_new_ca_in_the_store_until_it_is_finished() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    let (before, _) = store.ensure(&spec, &security).unwrap();
    lose_ca_key(&store);
    let renamed = spec_with_new_address();
    let refused = store.ensure(&renamed, renamed.security.as_ref().unwrap()).unwrap_err();
    assert!(
        matches!(refused, StoreError::CaKeyLost { .. }) && refused.to_string().contains("--rotate-ca"),
        "{refused}"
    );

    assert!(!store.rotation_in_progress().unwrap());
    assert!(store.rotation_material(&spec, &security).unwrap().is_none(), "a dry run makes nothing");
    let (material, notes) = store.begin_rotation(&spec, &security, time::OffsetDateTime::now_utc()).unwrap();
    assert!(notes[0].starts_with("CA rotation: generated a new CA"), "{notes:?}");
    assert_eq!(std::fs::metadata(&store.path).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(store.rotation_in_progress().unwrap());
    assert_eq!(material.old_ca, before.ca_cert);
    let old_subject = inspect_certificate(&material.old_ca, "old").unwrap().subject;
    let new_subject = inspect_certificate(&material.new_ca, "new").unwrap().subject;
    assert_ne!(old_subject, new_subject, "two CAs in one truststore are told apart by their names");
    for host in ["secure1.example.com", "secure2.example.com", "secure3.example.com"] {
        assert_eq!(material.keystore(host, CaStage::TrustBoth), before.keystores.get(host));
        assert_eq!(
            issuer_of_keystore(material.keystore(host, CaStage::NewCertificates).unwrap().expose()),
            new_subject
        );
    }
    assert_eq!(material.truststore(CaStage::TrustBoth).matches("BEGIN CERTIFICATE").count(), 2);
    assert_eq!(material.truststore(CaStage::New), material.new_ca);

    // Killed and run again: the same new CA and certificates, nothing generated twice.
    let (again, notes) = store.begin_rotation(&spec, &security, time::OffsetDateTime::now_utc()).unwrap();
    assert!(notes[0].starts_with("continuing the CA rotation"), "{notes:?}");
    assert_eq!(
        (again.new_ca.as_str(), again.new_keystores.clone()),
        (material.new_ca.as_str(), material.new_keystores.clone())
    );

    // Meanwhile clients and the wizard's checks trust both CAs; the app still shows the CA in use.
    let during = store.load(&spec, &security).unwrap();
    assert_eq!(during.ca_cert, both(&material.old_ca, &material.new_ca));
    assert_eq!(store.ca_certificate().unwrap().unwrap(), material.old_ca);

    assert!(store.finish_rotation().unwrap().unwrap().contains(&material.new_fingerprint));
    assert_eq!(store.finish_rotation().unwrap(), None, "finished once");
    let (after, notes) = store.ensure(&spec, &security).unwrap();
    assert_eq!(notes, Vec::<String>::new(), "the new CA's certificates are the store's now");
    assert_eq!(after.ca_cert, material.new_ca);
    assert_eq!(after.ca_cert, material.truststore(CaStage::New), "a finished rotation renders the last stage's files");
    for (host, keystore) in &after.keystores {
        assert_eq!(Some(keystore), material.keystore(host, CaStage::New));
    }
    assert_eq!(store.ca_certificate().unwrap().unwrap(), material.new_ca);
    let saved = std::fs::read_to_string(&store.path).unwrap();
    assert!(!saved.contains("ca_key_lost") && !saved.contains("ca_next"), "{saved}");
    let (moved, notes) = store.ensure(&renamed, renamed.security.as_ref().unwrap()).unwrap();
    assert_eq!(notes.len(), 1, "the CA key is back: a moved host gets its certificate: {notes:?}");
    assert_eq!(issuer_of_keystore(moved.keystores["secure3.example.com"].expose()), new_subject);
}

fn spec_with_new_address() -> ClusterSpec {
    spec(&include_str!("../../../tests/fixtures/kraft-secure.toml").replace("10.0.0.23", "10.0.0.33"))
}

#[test]
fn a_rotation_is_refused_for_a_provided_ca_and_before_the_cluster_has_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    let err = store.begin_rotation(&spec, &security, time::OffsetDateTime::now_utc()).unwrap_err();
    assert!(err.to_string().contains("deploy the cluster first"), "{err}");
    let mut provided = security.clone();
    provided.certificates = CertificateSource::Provided { ca_cert: "/ca.pem".into(), hosts: vec![] };
    let err = store.begin_rotation(&spec, &provided, time::OffsetDateTime::now_utc()).unwrap_err();
    assert!(err.to_string().contains("rotate your CA yourself"), "{err}");
}

#[test]
fn a_truststore_of_two_cas_holds_the_old_then_the_new_each_ending_in_one_newline() {
    let old = "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n";
    let new = "-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n\n";
    assert_eq!(
        both(old, new),
        "-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n"
    );
}
