use super::*;
use crate::project::{parse, validate};
use crate::render::render_host_with;
use crate::security::store::{SecretMaterial, SecretsStore, StoreError};

fn spec(text: &str) -> ClusterSpec {
    validate(&parse(text).unwrap()).spec.unwrap()
}

fn secure() -> ClusterSpec {
    spec(include_str!("../../tests/fixtures/kraft-secure.toml"))
}

/// What the hosts of a cluster deployed with `material` hold.
fn on_hosts(spec: &ClusterSpec, material: &SecretMaterial) -> Vec<FoundOnHost> {
    spec.hosts
        .iter()
        .filter(|h| h.runs_kafka())
        .map(|h| {
            let files = render_host_with(spec, h, Some(material));
            let read = |path: &str| files.iter().find(|f| f.path == path).map(|f| f.content.clone());
            let (truststore, keystore, jaas) = files_to_read(spec, h);
            FoundOnHost {
                host: h.name.to_string(),
                truststore: read(&truststore),
                keystore: read(&keystore).map(Secret::new),
                jaas: jaas.and_then(|j| read(&j)).map(Secret::new),
            }
        })
        .collect()
}

#[test]
fn a_store_recovered_from_the_hosts_renders_every_file_the_hosts_hold_and_resets_only_the_users_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let lost = SecretsStore::in_dir(&dir.path().join("lost"), &spec);
    let (before, _) = lost.ensure(&spec, &security).unwrap();
    let found = on_hosts(&spec, &before);

    let recovered = recover(&spec, &security, &found, "on 2026-11-30").unwrap();
    let store = SecretsStore::in_dir(&dir.path().join("new"), &spec);
    store.save_recovered(&recovered).unwrap();
    assert!(matches!(store.save_recovered(&recovered), Err(StoreError::Exists { .. })), "never replaces a store");
    let (after, notes) = store.ensure(&spec, &security).unwrap();
    assert_eq!(notes, Vec::<String>::new(), "nothing to make: every host's certificate is back");
    for host in spec.hosts.iter() {
        let (old, new) = (render_host_with(&spec, host, Some(&before)), render_host_with(&spec, host, Some(&after)));
        assert_eq!(old, new, "{}: the recovered store renders the hosts' files byte for byte", host.name);
    }
    assert_eq!(after.passwords["kafka-broker"], before.passwords["kafka-broker"]);
    for user in reset_users(&security) {
        assert_ne!(after.passwords[user], before.passwords[user], "{user} gets a new password");
        assert_eq!(after.passwords[user].expose().len(), PASSWORD_LENGTH);
    }
    assert_eq!(reset_users(&security), ["admin", "orders-app"]);
    let saved = std::fs::read_to_string(&store.path).unwrap();
    assert!(saved.contains("ca_key_lost = \"recovered from the hosts on 2026-11-30\""), "{saved}");
}

#[test]
fn a_host_added_after_the_recovery_is_refused_because_the_ca_key_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let spec1 = secure();
    let security = spec1.security.clone().unwrap();
    let (before, _) = SecretsStore::in_dir(&dir.path().join("lost"), &spec1).ensure(&spec1, &security).unwrap();
    let store = SecretsStore::in_dir(&dir.path().join("new"), &spec1);
    store.save_recovered(&recover(&spec1, &security, &on_hosts(&spec1, &before), "on 2026-11-30").unwrap()).unwrap();
    let moved = include_str!("../../tests/fixtures/kraft-secure.toml").replace("10.0.0.23", "10.0.0.33");
    let spec2 = spec(&moved);
    let err = store.ensure(&spec2, spec2.security.as_ref().unwrap()).unwrap_err().to_string();
    assert!(err.starts_with("secure3.example.com needs a new certificate (its names are now"), "{err}");
    assert!(
        err.contains("CA key is not in the secrets store") && err.contains("recovered from the hosts on 2026-11-30")
    );
}

#[test]
fn a_missing_or_damaged_file_is_refused_naming_the_host_and_the_file() {
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (material, _) = SecretsStore::in_dir(dir.path(), &spec).ensure(&spec, &security).unwrap();
    let mut found = on_hosts(&spec, &material);
    found[1].jaas = None;
    let err = recover(&spec, &security, &found, "now").unwrap_err();
    assert_eq!(
        err,
        RecoverError::File {
            host: "secure2.example.com".into(),
            path: "/etc/kafka/kafka-server-jaas.conf".into(),
            problem: "is missing".into()
        }
    );
    let mut found = on_hosts(&spec, &material);
    found[2].keystore = Some(Secret::new("garbage"));
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(err.starts_with("secure3.example.com: /etc/kafka/tls/node.pem is not a PEM keystore"), "{err}");
    let mut found = on_hosts(&spec, &material);
    found.remove(0);
    assert_eq!(
        recover(&spec, &security, &found, "now").unwrap_err(),
        RecoverError::HostMissing { host: "secure1.example.com".into() }
    );
}

#[test]
fn hosts_that_disagree_on_the_ca_or_the_brokers_password_are_refused_naming_them() {
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = SecretsStore::in_dir(&dir.path().join("a"), &spec).ensure(&spec, &security).unwrap();
    let (b, _) = SecretsStore::in_dir(&dir.path().join("b"), &spec).ensure(&spec, &security).unwrap();
    let mut found = on_hosts(&spec, &a);
    let other = on_hosts(&spec, &b).remove(2);
    (found[2].truststore, found[2].keystore) = (other.truststore, other.keystore);
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(err.contains("secure1.example.com, secure2.example.com trust SHA-256"), "{err}");
    assert!(err.contains("secure3.example.com trust SHA-256"), "{err}");

    let mut found = on_hosts(&spec, &a);
    found[1].jaas = on_hosts(&spec, &b).remove(1).jaas;
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(err.contains("secure1.example.com and secure2.example.com hold different ones"), "{err}");
}

#[test]
fn the_brokers_password_is_read_only_from_their_own_login() {
    let jaas = "// header\nKafkaServer {\n    org.apache.kafka.common.security.scram.ScramLoginModule required\n    username=\"kafka-broker\"\n    password=\"Abc123\";\n};\n";
    assert_eq!(jaas_password(jaas).as_deref(), Some("Abc123"));
    assert_eq!(jaas_password(&jaas.replace("kafka-broker", "admin")), None);
    assert_eq!(jaas_password("KafkaServer {};"), None);
}
