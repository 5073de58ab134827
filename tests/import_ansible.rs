//! `kafka-wizard import --ansible` and `export --as ansible|strimzi`: the guide's cluster as an INI and a YAML
//! inventory imports to the shipped example (compared as validated specs), every example and fixture survives an
//! Ansible export → import round trip, and the CLI's refusals and warnings. (The third-party judges —
//! `ansible-inventory` and Strimzi's own schema — are in tests/graduation_judges.rs.)

#[path = "support/projects.rs"]
mod projects;

use kafka_wizard::export;
use kafka_wizard::import::{self, ImportOptions};
use kafka_wizard::project::{self, ClusterSpec};
use projects::{examples_and_fixtures, root, semantic, spec_of_file};
use std::path::Path;
use std::process::{Command, Output};

fn imported_spec(inventory: &Path) -> (ClusterSpec, Vec<String>) {
    let imported = import::import_ansible(inventory, &ImportOptions::default()).unwrap();
    let v = project::validate(&imported.draft);
    let spec = v.spec.unwrap_or_else(|| panic!("the import of {} is invalid: {:?}", inventory.display(), v.problems));
    (spec, imported.warnings)
}

fn kw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-wizard")).args(args).output().unwrap()
}

#[test]
fn the_guides_cluster_as_an_ini_inventory_imports_to_the_shipped_example() {
    let expected = spec_of_file(&root().join("examples/seed-cluster.toml"));
    let (got, warnings) = imported_spec(&root().join("tests/inventories/guide.ini"));
    assert_eq!(got, expected);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn the_guides_cluster_as_a_yaml_inventory_with_group_vars_imports_to_the_shipped_example() {
    let expected = spec_of_file(&root().join("examples/seed-cluster.toml"));
    let (got, warnings) = imported_spec(&root().join("tests/inventories/guide-yaml/inventory.yml"));
    assert_eq!(got, expected);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn every_example_and_fixture_survives_an_ansible_export_and_import() {
    let files = examples_and_fixtures();
    assert!(files.len() >= 8, "{files:?}");
    for file in files {
        let spec = spec_of_file(&file);
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in export::ansible::files(&spec) {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        let (back, warnings) = imported_spec(&dir.path().join(export::ansible::INVENTORY));
        assert_eq!(semantic(back), semantic(spec), "{} changed in the round trip", file.display());
        assert!(warnings.is_empty(), "{}: {warnings:?}", file.display());
    }
}

#[test]
fn unmapped_and_secret_variables_are_warnings_and_secrets_never_reach_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("hosts");
    std::fs::write(
        &inv,
        "[kafka_controller]\nc1 node_id=1\n[kafka_broker]\nb1 node_id=2 ansible_host=10.1.0.2 ansible_user=ops\n\
         [kafka_broker:vars]\nssl_keystore_password=hunter2-secret\nansible_become_pass=b3come-pass\nkafka_broker_custom_properties={'num.partitions': 6, \
         'listeners': 'PLAINTEXT://:9092', 'ssl.key.password': 'k3y-pass'}\n[all:vars]\nkafka_version=4.1.1\n\
         ansible_user=root\nansible_python_interpreter=/usr/bin/python3\n[monitoring]\ngrafana1\n",
    )
    .unwrap();
    let out_file = dir.path().join("cluster.toml");
    let out = kw(&["import", "--ansible", inv.to_str().unwrap(), "--out", out_file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(!text.contains("hunter2") && !text.contains("k3y-pass") && !text.contains("b3come"), "{text}");
    for expected in [
        "warning: ssl_keystore_password (group kafka_broker): looks secret — NOT written",
        "kafka_broker_custom_properties.ssl.key.password: looks secret",
        "kafka_broker_custom_properties.listeners = PLAINTEXT://:9092: the wizard writes this key itself",
        "warning: ansible_become_pass (group kafka_broker): looks secret",
        "warning: ansible_python_interpreter (group all): not mapped to any project field",
        "warning: host grafana1: in no Kafka group",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    let spec = spec_of_file(&out_file);
    assert!(spec.is_kraft());
    assert_eq!(spec.kafka.properties, [("num.partitions".to_string(), "6".to_string())]);
    let b1 = spec.hosts.iter().find(|h| h.name.as_str() == "b1").unwrap();
    assert_eq!((b1.ssh.user.as_str(), b1.address.as_ref().unwrap().as_str()), ("ops", "10.1.0.2"));
    // never replaced: a second import to the same file is refused and leaves it as it was
    let again = kw(&["import", "--ansible", inv.to_str().unwrap(), "--out", out_file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), text);
}

#[test]
fn cp_ansibles_per_host_custom_properties_give_the_broker_ids_and_data_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("hosts.yml");
    std::fs::write(
        &inv,
        "all:\n  vars:\n    kafka_version: 3.9.1\n    ansible_user: centos\n    ansible_become: true\n    ssl_enabled: true\n\
         \x20   sasl_protocol: scram\n    confluent_package_version: 7.9.0\n\
         zookeeper:\n  hosts:\n    zk1: {zookeeper_id: 1}\n\
         kafka_broker:\n  vars:\n    kafka_broker_custom_properties: {num.io.threads: 16}\n  hosts:\n\
         \x20   b1:\n      kafka_broker_custom_properties: {broker.id: 11, log.dirs: '/k/d1,/k/d2', num.io.threads: 16}\n\
         \x20   b2:\n      kafka_broker_custom_properties: {broker.id: 12, log.dirs: '/k/d1,/k/d2', num.io.threads: 16}\n",
    )
    .unwrap();
    let imported = import::import_ansible(&inv, &ImportOptions { name: Some("cp".into()) }).unwrap();
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert!(imported.warnings[0].starts_with("confluent_package_version (group all): not mapped"));
    let v = project::validate(&imported.draft);
    let spec = v.spec.unwrap_or_else(|| panic!("{:?}", v.problems));
    let b1 = spec.hosts.iter().find(|h| h.name.as_str() == "b1").unwrap();
    assert_eq!(b1.node_id, Some(11));
    assert_eq!(b1.data_dirs.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["/k/d1", "/k/d2"]);
    assert_eq!(spec.kafka.properties, [("num.io.threads".to_string(), "16".to_string())]);
    assert!(b1.ssh.sudo && b1.ssh.user == "centos");
    let security = spec.security.expect("ssl_enabled + sasl_protocol: scram secure the project");
    assert_eq!(security.mechanism.name(), "SCRAM-SHA-512");
}

#[test]
fn an_imported_project_that_does_not_validate_prints_its_problems_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.yml");
    std::fs::write(
        &inv,
        "kafka_broker:\n  hosts:\n    b1: {broker_id: 1}\n    b2: {broker_id: 1}\n  vars: {kafka_version: 3.9.1}\n",
    )
    .unwrap();
    let out = kw(&["import", "--ansible", inv.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("hosts[1].id"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("name = \"inv\""));
}

#[test]
fn a_broken_inventory_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("hosts.ini");
    std::fs::write(&inv, "[kafka_broker]\nb1 broker_id=1\nb2 broker_id 2\n").unwrap();
    let out = kw(&["import", "--ansible", inv.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("hosts.ini line 3") && stderr.contains("key=value"), "{stderr}");
}

#[test]
fn strimzi_export_refuses_a_zookeeper_mode_cluster_naming_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("k.yaml");
    let seed = root().join("examples/seed-cluster.toml");
    let out = kw(&[
        "export",
        seed.to_str().unwrap(),
        "--as",
        "strimzi",
        "--storage-size",
        "10Gi",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("KRaft mode") && stderr.contains("kafka-wizard migrate"), "{stderr}");
    assert!(!out_file.exists());
}

#[test]
fn strimzi_export_needs_a_storage_size_and_leaves_out_the_keys_strimzi_manages() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.toml");
    std::fs::write(
        &project,
        "format = 1\nname = \"orders\"\n[kafka]\nversion = \"4.1.1\"\ndata_dirs = [\"/d1\", \"/d2\"]\n\
         [kafka.properties]\n\"num.partitions\" = \"6\"\n\"ssl.keystore.type\" = \"PKCS12\"\n\
         [kraft]\ncluster_id = \"MkU3OEVBNTcwNTJENDM2Qk\"\n\
         [[hosts]]\nname = \"c1\"\nroles = [\"controller\"]\nid = 1\n[[hosts]]\nname = \"b1\"\nroles = [\"broker\"]\nid = 2\n\
         [[hosts]]\nname = \"b2\"\nroles = [\"broker\"]\nid = 3\n",
    )
    .unwrap();
    let out_file = dir.path().join("k.yaml");
    let args = ["export", project.to_str().unwrap(), "--as", "strimzi", "--out", out_file.to_str().unwrap()];
    let out = kw(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--storage-size"));
    let out = kw(&[&args[..], &["--storage-size", "50Gi"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("kafka.properties.ssl.keystore.type: Strimzi manages this key"), "{stderr}");
    let docs: Vec<serde_json::Value> =
        serde_yaml_ng::Deserializer::from_str(&std::fs::read_to_string(&out_file).unwrap())
            .map(|d| serde::Deserialize::deserialize(d).unwrap())
            .collect();
    let kinds: Vec<(&str, &str)> =
        docs.iter().map(|d| (d["kind"].as_str().unwrap(), d["metadata"]["name"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("KafkaNodePool", "controller"), ("KafkaNodePool", "broker"), ("Kafka", "orders")]);
    let broker = &docs[1]["spec"];
    assert_eq!(broker["replicas"], 2);
    assert_eq!(broker["roles"], serde_json::json!(["broker"]));
    assert_eq!(broker["storage"]["volumes"].as_array().unwrap().len(), 2);
    assert_eq!(broker["storage"]["volumes"][1]["size"], "50Gi");
    assert_eq!(docs[1]["metadata"]["annotations"]["strimzi.io/next-node-ids"], "[2, 3]");
    let kafka = &docs[2];
    assert_eq!(kafka["metadata"]["annotations"]["strimzi.io/kraft"], "enabled");
    assert_eq!(kafka["spec"]["kafka"]["version"], "4.1.1");
    assert_eq!(kafka["spec"]["kafka"]["config"], serde_json::json!({"num.partitions": "6"}));
    assert!(docs.iter().all(|d| d["apiVersion"] == "kafka.strimzi.io/v1"), "v1 by default");
    assert!(stderr.contains("(kafka.strimzi.io/v1: Strimzi 0.49 and later serve it;"), "{stderr}");
    // an existing file is not replaced without --force
    let again = kw(&[&args[..], &["--storage-size", "50Gi"]].concat());
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // v1beta2 on request; the flag only goes with --as strimzi
    let older = kw(&[&args[..], &["--storage-size", "50Gi", "--strimzi-api", "v1beta2", "--force"]].concat());
    assert!(older.status.success(), "{}", String::from_utf8_lossy(&older.stderr));
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(text.matches("\napiVersion: kafka.strimzi.io/v1beta2\n").count(), 3, "{text}");
    let misplaced =
        kw(&["export", project.to_str().unwrap(), "--strimzi-api", "v1", "--out", out_file.to_str().unwrap()]);
    assert_eq!(misplaced.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&misplaced.stderr).contains("--strimzi-api is for --as strimzi"));
}
