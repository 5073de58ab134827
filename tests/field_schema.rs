//! The field schema as the UI gets it: `ui/src/generated/field-schema.json` is exactly `fields()` as pretty JSON
//! (run with `UPDATE_GOLDEN=1` to rewrite it after an intended change, then review the diff), and the schema
//! places every field on the step the wizard shows it, with the placeholders the wizard shows.

use kafka_wizard::project::defaults;
use kafka_wizard::project::schema::{self, fields, step_of, WizardStep};
use std::collections::BTreeSet;

const GENERATED: &str = "ui/src/generated/field-schema.json";

#[test]
fn the_uis_generated_schema_is_the_engines() {
    let json = serde_json::to_string_pretty(&fields()).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all("ui/src/generated").unwrap();
        std::fs::write(GENERATED, &json).unwrap();
    }
    let want = std::fs::read_to_string(GENERATED).unwrap_or_default();
    assert!(want == json, "{GENERATED} is stale — run `UPDATE_GOLDEN=1 cargo test --test field_schema`:\n{json}");
}

#[test]
fn a_default_in_the_json_is_the_engines_constant() {
    let json = serde_json::to_value(fields()).unwrap();
    let port = json.as_array().unwrap().iter().find(|f| f["path"] == "kafka.listener_port").unwrap();
    assert_eq!(port["default"], defaults::LISTENER_PORT.to_string());
    assert_eq!(port["step"], "storage");
}

/// The wizard's step for a field as the UI decided it before the schema (`stepOfField` in `ui/src/problems.ts`).
fn step_the_ui_chose(field: &str) -> WizardStep {
    const STORAGE_KAFKA_FIELDS: [&str; 10] = [
        "install_dir",
        "config_dir",
        "log_dir",
        "data_dirs",
        "user",
        "heap",
        "jvm_opts",
        "listener_port",
        "java_home",
        "properties",
    ];
    let host_data_dirs =
        field.strip_prefix("hosts[").and_then(|rest| rest.split_once("].")).is_some_and(|(index, rest)| {
            !index.is_empty() && index.chars().all(|c| c.is_ascii_digit()) && rest.starts_with("data_dirs")
        });
    let host_certificate = field.starts_with("hosts[") && (field.ends_with(".tls_cert") || field.ends_with(".tls_key"));
    if field == "name" || field == "format" {
        WizardStep::Version
    } else if field.starts_with("security") || host_certificate {
        WizardStep::Security
    } else if host_data_dirs {
        WizardStep::Storage
    } else if field.starts_with("hosts") || field.starts_with("ssh") {
        WizardStep::Hosts
    } else if field.starts_with("monitoring") {
        WizardStep::Storage
    } else if field.starts_with("zookeeper") || field.starts_with("kraft") {
        WizardStep::Coordination
    } else if let Some(key) = field.strip_prefix("kafka.") {
        let key = key.split(['.', '[']).next().unwrap_or_default();
        if STORAGE_KAFKA_FIELDS.contains(&key) {
            WizardStep::Storage
        } else {
            WizardStep::Version
        }
    } else {
        WizardStep::Review
    }
}

#[test]
fn every_field_is_on_the_step_the_wizard_shows_it() {
    let lists =
        ["hosts", "kafka.data_dirs", "hosts[].data_dirs", "hosts[].roles", "zookeeper.external", "security.users"];
    let mut samples: Vec<String> = fields().iter().map(|f| f.path.replace("[]", "[3]")).collect();
    samples.extend(lists.map(|list| list.replace("[]", "[0]") + "[1]"));
    samples.extend(
        ["kafka.properties.\"num.partitions\"", "kafka.properties.num.partitions", "zookeeper.external[2]"]
            .map(String::from),
    );
    for field in &samples {
        assert_eq!(step_of(field), step_the_ui_chose(field), "{field}");
    }
}

#[test]
fn defaults_and_examples_are_the_wizards_placeholders() {
    // (field, placeholder) as the wizard's steps show them; the chroot's follows the name (`derived`).
    let placeholders = [
        ("name", "peter-kafka"),
        ("kafka.install_dir", "/opt"),
        ("kafka.config_dir", "/etc/kafka"),
        ("kafka.log_dir", "/var/log/kafka"),
        ("kafka.data_dirs", "/var/lib/kafka/data"),
        ("kafka.user", "kafka"),
        ("kafka.heap", "1g"),
        ("kafka.listener_port", "9092"),
        ("hosts[].name", "kafka001"),
        ("hosts[].address", "10.0.0.11"),
        ("ssh.user", "root"),
        ("ssh.port", "22"),
        ("ssh.identity_file", "~/.ssh/id_ed25519"),
        ("ssh.known_hosts", "~/.ssh/known_hosts"),
        ("ssh.jump", "ops@bastion.example.com:22"),
        ("zookeeper.client_port", "2181"),
        ("zookeeper.quorum_port", "2888"),
        ("zookeeper.election_port", "3888"),
        ("zookeeper.data_dir", "/var/lib/zookeeper"),
        ("zookeeper.log_dir", "/var/log/zookeeper"),
        ("zookeeper.heap", "512m"),
        ("zookeeper.tick_time", "2000"),
        ("zookeeper.init_limit", "10"),
        ("zookeeper.sync_limit", "5"),
        ("kraft.controller_port", "9093"),
        ("security.admin_user", "admin"),
        ("monitoring.kafka_port", "7071"),
        ("monitoring.zookeeper_port", "7072"),
        ("monitoring.maven_url", "https://repo1.maven.org/maven2"),
    ];
    for (path, placeholder) in placeholders {
        let f = schema::entry_for(path).unwrap_or_else(|| panic!("{path} is not in the schema"));
        assert_eq!(f.default.or(f.example).as_deref(), Some(placeholder), "{path}");
    }
    // No other input gets a hint it did not have; the Scala and SASL mechanism menus say "default (…)", the other
    // Security menus preselect their default, a connection, the exporter and TLS between members are checkboxes.
    let hinted: BTreeSet<&str> =
        fields().into_iter().filter(|f| f.default.is_some() || f.example.is_some()).map(|f| f.path).collect();
    let shown: BTreeSet<&str> = placeholders
        .iter()
        .map(|(path, _)| *path)
        .chain(["kafka.scala", "hosts[].connection", "monitoring.prometheus", "zookeeper.quorum_tls"])
        .chain(["security.protocol", "security.sasl_mechanism", "security.ca", "security.acls[].pattern"])
        .collect();
    assert_eq!(hinted, shown);
    assert_eq!(schema::entry_for("kafka.scala").unwrap().default.as_deref(), Some("2.13"));
    assert_eq!(schema::entry_for("zookeeper.chroot").unwrap().derived.as_deref(), Some("/<name>"));
}
