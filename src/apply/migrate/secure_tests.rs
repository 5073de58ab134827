//! A secured (SASL_SSL, locked ensemble) cluster's migration as rendered at each stage: who logs in to ZooKeeper,
//! which authorizer each node runs, the controller listener's client certificates, no SCRAM user at the
//! controllers' format, and the finalized stage rendered exactly as the project rewritten to KRaft.

use super::*;
use crate::project::spec::MigrationStage::*;
use crate::render::security::{KRAFT_AUTHORIZER, ZOOKEEPER_AUTHORIZER};

const SECURITY: &str =
    "\n[security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\nusers = [\"orders-app\"]\n";

fn text() -> String {
    include_str!("../../../tests/fixtures/zookeeper-migrating.toml").to_string() + SECURITY
}

fn spec_of(text: &str) -> ClusterSpec {
    let v = crate::project::validate(&crate::project::parse(text).unwrap());
    v.spec.unwrap_or_else(|| panic!("{:?}", v.problems))
}

/// `host`'s Kafka files at `stage`: path → content (secrets as placeholders).
fn files(stage: MigrationStage, host: &str) -> std::collections::BTreeMap<String, String> {
    let s = at_stage(&spec_of(&text()), stage, "Zk0ClusterId0000000001");
    let h = s.hosts.iter().find(|h| h.name.as_str() == host).unwrap();
    crate::render::render_host(&s, h)
        .into_iter()
        .filter(|f| f.service == crate::render::Service::Kafka)
        .map(|f| (f.path.rsplit('/').next().unwrap().to_string(), f.content))
        .collect()
}

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[test]
fn a_migrating_controller_logs_in_to_the_locked_ensemble_and_to_the_brokers_and_authorizes_as_kraft() {
    for stage in [Migrating, BrokersOnKraft] {
        let f = files(stage, "zk1");
        let server = &f["server.properties"];
        for line in [
            "listener.security.protocol.map=CONTROLLER:SSL,BROKER:SASL_SSL",
            "listener.name.controller.ssl.client.auth=required",
            "inter.broker.listener.name=BROKER",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            &format!("authorizer.class.name={KRAFT_AUTHORIZER}"),
            "super.users=User:admin;User:kafka-broker;User:CN=kafka-broker",
            "zookeeper.set.acl=true",
        ] {
            assert!(has(server, line), "{stage:?}: {line} missing in\n{server}");
        }
        let jaas = &f["kafka-server-jaas.conf"];
        assert!(jaas.contains("KafkaServer {") && jaas.contains("Client {"), "{stage:?}: {jaas}");
        assert!(f["kafka-server.env"].contains("-Djava.security.auth.login.config=/etc/kafka/kafka-server-jaas.conf"));
    }
}

#[test]
fn brokers_keep_the_acl_authorizer_and_their_zookeeper_login_in_migration_mode_and_switch_as_kraft_brokers() {
    let f = files(Migrating, "kafka1");
    let server = &f["server.properties"];
    let maps: Vec<&str> = server.lines().filter(|l| l.starts_with("listener.security.protocol.map=")).collect();
    assert_eq!(maps, ["listener.security.protocol.map=CONTROLLER:SSL,BROKER:SASL_SSL"], "one map, naming both");
    for line in [
        &format!("authorizer.class.name={ZOOKEEPER_AUTHORIZER}"),
        "zookeeper.set.acl=true",
        "super.users=User:admin;User:kafka-broker;User:CN=kafka-broker",
    ] {
        assert!(has(server, line), "{line} missing in\n{server}");
    }
    assert!(f["kafka-server-jaas.conf"].contains("Client {"));

    let f = files(BrokersOnKraft, "kafka1");
    let server = &f["server.properties"];
    assert!(has(server, &format!("authorizer.class.name={KRAFT_AUTHORIZER}")), "{server}");
    assert!(!server.contains("zookeeper."), "a KRaft broker has no ZooKeeper key:\n{server}");
    let jaas = &f["kafka-server-jaas.conf"];
    assert!(jaas.contains("KafkaServer {") && !jaas.contains("Client {"), "no ZooKeeper login: {jaas}");
}

#[test]
fn a_finalized_controller_has_no_zookeeper_login_left() {
    let f = files(Finalized, "zk1");
    assert!(!f["server.properties"].contains("zookeeper."), "{}", f["server.properties"]);
    assert!(!f.contains_key("kafka-server-jaas.conf"), "a KRaft controller reads no JAAS file: {f:#?}");
    assert!(!f["kafka-server.env"].contains("login.config"));
}

#[test]
fn the_secured_project_rewritten_as_kraft_renders_every_kafka_node_exactly_as_finalize_left_it() {
    let (rewritten, _) = crate::project::file::rewrite_as_kraft(&text(), "Zk0ClusterId0000000001").unwrap();
    let kraft = spec_of(&rewritten);
    assert!(kraft.is_kraft() && kraft.security.is_some());
    for host in kraft.hosts.iter() {
        let got: std::collections::BTreeMap<String, String> = crate::render::render_host(&kraft, host)
            .into_iter()
            .filter(|f| f.service == crate::render::Service::Kafka)
            .map(|f| (f.path.rsplit('/').next().unwrap().to_string(), f.content))
            .collect();
        assert_eq!(
            got,
            files(Finalized, host.name.as_str()),
            "{}: a deploy after finalize restarts nothing",
            host.name
        );
    }
}

#[test]
fn the_controllers_are_formatted_without_scram_users_which_the_copy_brings_from_zookeeper() {
    let s = at_stage(&spec_of(&text()), Migrating, "Zk0ClusterId0000000001");
    let step = crate::plan::HostStep::FormatStorage {
        cluster_id: "Zk0ClusterId0000000001".into(),
        config: s.kafka.config_dir.join("server.properties"),
        initial_controllers: None,
    };
    let by_hand = crate::plan::manual_commands(&s, &step).join("\n");
    assert!(by_hand.contains("kafka-storage.sh") && !by_hand.contains("--add-scram"), "{by_hand}");
    let plain = spec_of(include_str!("../../../tests/fixtures/zookeeper-migrating.toml"));
    let plain = at_stage(&plain, Migrating, "Zk0ClusterId0000000001");
    assert_eq!(by_hand, crate::plan::manual_commands(&plain, &step).join("\n"), "as an unsecured one's");
}

#[test]
fn finalize_moves_the_secrets_store_to_the_key_of_the_project_rewritten_as_kraft() {
    use crate::security::store::SecretsStore;
    let dir = tempfile::tempdir().unwrap();
    let zookeeper = spec_of(&text());
    let (rewritten, _) = crate::project::file::rewrite_as_kraft(&text(), "Zk0ClusterId0000000001").unwrap();
    let kraft = spec_of(&rewritten);
    let (before, after) = (SecretsStore::in_dir(dir.path(), &zookeeper), SecretsStore::in_dir(dir.path(), &kraft));
    assert_ne!(before.path, after.path, "the KRaft project's store is keyed by its cluster id");
    std::fs::write(&before.path, "the store").unwrap();
    assert_eq!(before.rekey_as_kraft("Zk0ClusterId0000000001").unwrap(), Some(after.path.clone()));
    assert_eq!(std::fs::read_to_string(&after.path).unwrap(), "the store");
    assert!(!before.path.exists(), "one copy of the secrets");
    assert_eq!(before.rekey_as_kraft("Zk0ClusterId0000000001").unwrap(), None, "a re-run has nothing to move");
    std::fs::write(&before.path, "another store").unwrap();
    let refused = before.rekey_as_kraft("Zk0ClusterId0000000001").unwrap_err().to_string();
    assert!(refused.contains("a store is there already"), "{refused}");
    assert_eq!(std::fs::read_to_string(&after.path).unwrap(), "the store", "never replaced");
}
