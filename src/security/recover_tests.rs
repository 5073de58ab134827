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
        .filter(|h| holds_secrets(spec, h))
        .map(|h| {
            let files = render_host_with(spec, h, Some(material));
            let read = |path: &str| files.iter().find(|f| f.path == path).map(|f| f.content.clone());
            let (truststore, keystore, jaas) = files_to_read(spec, h);
            FoundOnHost {
                host: h.name.to_string(),
                truststore: read(&truststore),
                keystore: read(&keystore).map(Secret::new),
                jaas: jaas.and_then(|j| read(&j)).map(Secret::new),
                zookeeper_jaas: zookeeper_jaas_to_read(spec, h).and_then(|j| read(&j)).map(Secret::new),
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

fn zookeeper_secure() -> ClusterSpec {
    spec(include_str!("../../tests/fixtures/zookeeper-secure.toml"))
}

#[test]
fn a_zookeeper_mode_store_is_recovered_from_the_brokers_and_the_ensemble_members_with_its_zookeeper_logins() {
    let dir = tempfile::tempdir().unwrap();
    let spec = zookeeper_secure();
    let security = spec.security.clone().unwrap();
    let (before, _) = SecretsStore::in_dir(&dir.path().join("lost"), &spec).ensure(&spec, &security).unwrap();
    let found = on_hosts(&spec, &before);
    assert_eq!(found.len(), 6, "three ensemble members and three brokers are read");
    assert!(found[0].keystore.is_some() && found[0].zookeeper_jaas.is_some(), "a member's quorum TLS keystore is read");
    let mut kept = spec.clone();
    if let crate::project::spec::Coordination::Zookeeper(z) = &mut kept.coordination {
        z.quorum_tls = false;
    }
    let without = on_hosts(&kept, &before);
    assert!(without[0].truststore.is_none() && without[0].keystore.is_none(), "without quorum TLS: no TLS file");

    let recovered = recover(&spec, &security, &found, "on 2026-11-30").unwrap();
    let store = SecretsStore::in_dir(&dir.path().join("new"), &spec);
    store.save_recovered(&recovered).unwrap();
    let (after, notes) = store.ensure(&spec, &security).unwrap();
    assert_eq!(notes, Vec::<String>::new());
    assert_eq!(after.zookeeper, before.zookeeper, "the ensemble's logins come back unchanged");
    for host in spec.hosts.iter() {
        let (old, new) = (render_host_with(&spec, host, Some(&before)), render_host_with(&spec, host, Some(&after)));
        assert_eq!(old, new, "{}: the recovered store renders the hosts' files byte for byte", host.name);
    }
    assert_eq!(after.passwords["kafka-broker"], before.passwords["kafka-broker"]);
    assert_eq!(reset_users(&security), ["admin", "orders-app"]);
    for user in reset_users(&security) {
        assert_ne!(after.passwords[user], before.passwords[user], "{user} gets a new password");
    }
    let saved = std::fs::read_to_string(&store.path).unwrap();
    assert!(saved.contains("[zookeeper]"), "{saved}");
}

#[test]
fn zookeeper_logins_missing_or_disagreeing_are_refused_naming_the_host_and_the_file() {
    let spec = zookeeper_secure();
    let security = spec.security.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = SecretsStore::in_dir(&dir.path().join("a"), &spec).ensure(&spec, &security).unwrap();
    let (b, _) = SecretsStore::in_dir(&dir.path().join("b"), &spec).ensure(&spec, &security).unwrap();
    let mut found = on_hosts(&spec, &a);
    found[1].zookeeper_jaas = None;
    assert_eq!(
        recover(&spec, &security, &found, "now").unwrap_err(),
        RecoverError::File {
            host: "zks2.example.com".into(),
            path: "/etc/kafka/zookeeper-server-jaas.conf".into(),
            problem: "is missing".into()
        }
    );
    let mut found = on_hosts(&spec, &a);
    found[2].zookeeper_jaas = on_hosts(&spec, &b).remove(2).zookeeper_jaas;
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(err.contains("the password of the ZooKeeper login kafka"), "{err}");
    assert!(
        err.contains(
            "zks1.example.com and zks3.example.com hold different ones (in /etc/kafka/zookeeper-server-jaas.conf)"
        ),
        "{err}"
    );
    // A broker whose ZooKeeper login differs from the ensemble's: both files named.
    let mut found = on_hosts(&spec, &a);
    let jaas = found[4].jaas.as_ref().unwrap().expose().to_string();
    let client = a.zookeeper_password("kafka").to_string();
    found[4].jaas = Some(Secret::new(jaas.replace(&client, "another")));
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(
        err.contains("zks1.example.com and kbs2.example.com hold different ones (in /etc/kafka/zookeeper-server-jaas.conf and /etc/kafka/kafka-server-jaas.conf)"),
        "{err}"
    );
    let mut found = on_hosts(&spec, &a);
    let member = found[0].zookeeper_jaas.as_ref().unwrap().expose().to_string();
    found[0].zookeeper_jaas = Some(Secret::new(member.replacen("QuorumLearner {", "Other {", 1)));
    let err = recover(&spec, &security, &found, "now").unwrap_err().to_string();
    assert!(
        err.starts_with(
            "zks1.example.com: /etc/kafka/zookeeper-server-jaas.conf has no ZooKeeper login quorum (QuorumLearner)"
        ),
        "{err}"
    );
}

#[test]
fn a_jaas_value_is_read_from_its_own_section_only() {
    let jaas = "Server {\n    m required\n    user_kafka=\"K\";\n};\nQuorumServer {\n    m required\n    user_quorum=\"Q\";\n};\n";
    assert_eq!(jaas_value(jaas, "Server", "user_kafka").as_deref(), Some("K"));
    assert_eq!(jaas_value(jaas, "Server", "user_quorum"), None, "QuorumServer's key is not Server's");
    assert_eq!(jaas_value(jaas, "QuorumServer", "user_quorum").as_deref(), Some("Q"));
    assert_eq!(jaas_value(jaas, "Client", "password"), None);
}
