//! The Ansible variable names the import reads and the Ansible export writes — the one home of these names
//! (the export writes the first name of each) — with the project field each fills, how its value is read
//! (`coerce`: INI's strings too), and what counts as secret.
//!
//! Names come from cp-ansible (groups `zookeeper`, `kafka_controller`, `kafka_broker`; `zookeeper_id`,
//! `zookeeper_chroot`, `kafka_broker_custom_properties`, `jmxexporter_enabled`) and the popular Apache-Kafka roles
//! (`kafka_version`, `kafka_scala_version`, `kafka_root_dir`, `kafka_data_log_dirs`, `kafka_broker_id`,
//! `zookeeper_myid`); the wizard's own names (`kafka_mode`, `kafka_heap`, …) fill the rest. docs/facts/ansible.md §2.

use crate::project::draft::{
    KraftDraft, LoggingDraft, MonitoringDraft, PreflightDraft, ProjectDraft, SecurityDraft, ZookeeperDraft,
};
use serde_yaml_ng::Value;
/// Groups whose hosts get each role (cp-ansible's name first).
pub const BROKER_GROUPS: &[&str] = &["kafka_broker", "kafka", "kafka_brokers"];
pub const CONTROLLER_GROUPS: &[&str] = &["kafka_controller", "kafka_controllers"];
pub const ZOOKEEPER_GROUPS: &[&str] = &["zookeeper", "zookeepers"];

/// Host variables (first name: what export writes).
pub const HOST_ID: &[&str] = &["broker_id", "kafka_broker_id", "node_id", "kafka_node_id"];
pub const HOST_ZOOKEEPER_ID: &[&str] = &["zookeeper_id", "myid", "zookeeper_myid"];
pub const HOST_RACK: &[&str] = &["kafka_broker_rack", "broker_rack", "rack"];
pub const HOST_ADDRESS: &str = "ansible_host";
pub const HOST_TLS_CERT: &str = "kafka_tls_cert";
pub const HOST_TLS_KEY: &str = "kafka_tls_key";
pub const CONNECTION: &str = "ansible_connection";
/// Variables that are cluster-wide and may be overridden per host.
pub const DATA_DIRS: &[&str] = &["kafka_data_dirs", "kafka_data_log_dirs", "kafka_log_dirs"];
pub const SSH_USER: &[&str] = &["ansible_user", "ansible_ssh_user"];
pub const SSH_PORT: &[&str] = &["ansible_port", "ansible_ssh_port"];
pub const SSH_KEY: &[&str] = &["ansible_ssh_private_key_file", "ansible_private_key_file"];
pub const SSH_BECOME: &[&str] = &["ansible_become"];
pub const SSH_KNOWN_HOSTS: &[&str] = &["kafka_ssh_known_hosts"];
/// `[kafka.properties]`; owned keys are left out with a warning.
pub const PROPERTIES: &[&str] = &["kafka_properties", "kafka_broker_custom_properties"];
pub const ACLS: &[&str] = &["kafka_acls"];

/// The value of a cluster-wide variable, read as its field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
}

/// A cluster-wide variable: its names (export writes the first), the field it fills, and how.
pub struct ClusterVar {
    pub names: &'static [&'static str],
    pub field: &'static str,
    pub kind: Kind,
    pub set: fn(&mut ProjectDraft, Typed),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Str,
    Int,
    Bool,
    List,
}

macro_rules! var {
    ($names:expr, $field:literal, $kind:ident, |$d:ident, $v:ident| $body:expr) => {
        ClusterVar { names: $names, field: $field, kind: Kind::$kind, set: |$d, $v| $body }
    };
}

pub(super) fn s(v: Typed) -> Option<String> {
    match v {
        Typed::Str(s) => Some(s),
        _ => None,
    }
}
pub(super) fn i(v: Typed) -> Option<i64> {
    match v {
        Typed::Int(n) => Some(n),
        _ => None,
    }
}
pub(super) fn b(v: Typed) -> Option<bool> {
    match v {
        Typed::Bool(b) => Some(b),
        _ => None,
    }
}
pub(super) fn l(v: Typed) -> Option<Vec<String>> {
    match v {
        Typed::List(l) => Some(l),
        _ => None,
    }
}
fn zk(d: &mut ProjectDraft) -> &mut ZookeeperDraft {
    d.zookeeper.get_or_insert_with(ZookeeperDraft::default)
}
fn kr(d: &mut ProjectDraft) -> &mut KraftDraft {
    d.kraft.get_or_insert_with(KraftDraft::default)
}
pub(super) fn sec(d: &mut ProjectDraft) -> &mut SecurityDraft {
    d.security.get_or_insert_with(SecurityDraft::default)
}
fn mon(d: &mut ProjectDraft) -> &mut MonitoringDraft {
    d.monitoring.get_or_insert_with(MonitoringDraft::default)
}
fn logs(d: &mut ProjectDraft) -> &mut LoggingDraft {
    d.logging.get_or_insert_with(LoggingDraft::default)
}

/// Every cluster-wide variable the import maps.
pub const CLUSTER_VARS: &[ClusterVar] = &[
    var!(&["kafka_cluster_name"], "name", Str, |d, v| d.name = s(v)),
    var!(&["kafka_version"], "kafka.version", Str, |d, v| d.kafka.version = s(v)),
    var!(&["kafka_scala_version"], "kafka.scala", Str, |d, v| d.kafka.scala = s(v)),
    var!(&["kafka_mode"], "kafka.mode", Str, |d, v| d.kafka.mode = s(v)),
    var!(&["kafka_install_dir", "kafka_root_dir"], "kafka.install_dir", Str, |d, v| d.kafka.install_dir = s(v)),
    var!(&["kafka_config_dir", "kafka_conf_dir"], "kafka.config_dir", Str, |d, v| d.kafka.config_dir = s(v)),
    var!(&["kafka_log_dir"], "kafka.log_dir", Str, |d, v| d.kafka.log_dir = s(v)),
    var!(&["kafka_listener_port", "kafka_port"], "kafka.listener_port", Int, |d, v| d.kafka.listener_port = i(v)),
    var!(&["kafka_heap"], "kafka.heap", Str, |d, v| d.kafka.heap = s(v)),
    var!(&["kafka_jvm_opts"], "kafka.jvm_opts", List, |d, v| d.kafka.jvm_opts = l(v)),
    var!(&["kafka_user"], "kafka.user", Str, |d, v| d.kafka.user = s(v)),
    var!(&["kafka_java_home", "java_home"], "kafka.java_home", Str, |d, v| d.kafka.java_home = s(v)),
    var!(&["kafka_mirror"], "kafka.mirror", Str, |d, v| d.kafka.mirror = s(v)),
    var!(&["kafka_apache_url"], "kafka.apache_url", Str, |d, v| d.kafka.apache_url = s(v)),
    var!(&["kafka_tarball"], "kafka.tarball", Str, |d, v| d.kafka.tarball = s(v)),
    var!(&["kafka_distribution"], "kafka.distribution", Str, |d, v| d.kafka.distribution = s(v)),
    var!(&["zookeeper_chroot"], "zookeeper.chroot", Str, |d, v| zk(d).chroot = s(v)),
    var!(&["zookeeper_client_port", "zookeeper_port"], "zookeeper.client_port", Int, |d, v| zk(d).client_port = i(v)),
    var!(&["zookeeper_quorum_port", "zookeeper_peer_port"], "zookeeper.quorum_port", Int, |d, v| zk(d).quorum_port =
        i(v)),
    var!(&["zookeeper_election_port", "zookeeper_leader_port"], "zookeeper.election_port", Int, |d, v| zk(d)
        .election_port =
        i(v)),
    var!(&["zookeeper_data_dir"], "zookeeper.data_dir", Str, |d, v| zk(d).data_dir = s(v)),
    var!(&["zookeeper_log_dir"], "zookeeper.log_dir", Str, |d, v| zk(d).log_dir = s(v)),
    var!(&["zookeeper_heap"], "zookeeper.heap", Str, |d, v| zk(d).heap = s(v)),
    var!(&["zookeeper_jvm_opts"], "zookeeper.jvm_opts", List, |d, v| zk(d).jvm_opts = l(v)),
    var!(&["zookeeper_tick_time"], "zookeeper.tick_time", Int, |d, v| zk(d).tick_time = i(v)),
    var!(&["zookeeper_init_limit"], "zookeeper.init_limit", Int, |d, v| zk(d).init_limit = i(v)),
    var!(&["zookeeper_sync_limit"], "zookeeper.sync_limit", Int, |d, v| zk(d).sync_limit = i(v)),
    var!(&["zookeeper_external"], "zookeeper.external", List, |d, v| zk(d).external = l(v)),
    var!(&["kafka_cluster_id"], "kraft.cluster_id", Str, |d, v| kr(d).cluster_id = s(v)),
    var!(&["kafka_controller_port"], "kraft.controller_port", Int, |d, v| kr(d).controller_port = i(v)),
    var!(&["kafka_kraft_quorum"], "kraft.quorum", Str, |d, v| kr(d).quorum = s(v)),
    var!(&["kafka_security_protocol"], "security.protocol", Str, |d, v| sec(d).protocol = s(v)),
    var!(&["kafka_sasl_mechanism"], "security.sasl_mechanism", Str, |d, v| sec(d).sasl_mechanism = s(v)),
    var!(&["kafka_tls_ca"], "security.ca", Str, |d, v| sec(d).ca = s(v)),
    var!(&["kafka_tls_ca_cert"], "security.ca_cert", Str, |d, v| sec(d).ca_cert = s(v)),
    var!(&["kafka_admin_user"], "security.admin_user", Str, |d, v| sec(d).admin_user = s(v)),
    var!(&["kafka_users"], "security.users", List, |d, v| sec(d).users = l(v)),
    var!(&["kafka_preflight_min_free_mb"], "preflight.min_free_mb", Int, |d, v| d.preflight =
        Some(PreflightDraft { min_free_mb: i(v) })),
    var!(&["kafka_log_max_file_mb"], "logging.max_file_mb", Int, |d, v| logs(d).max_file_mb = i(v)),
    var!(&["kafka_log_max_files"], "logging.max_files", Int, |d, v| logs(d).max_files = i(v)),
    var!(&["jmxexporter_enabled"], "monitoring.prometheus", Bool, |d, v| mon(d).prometheus = b(v)),
    var!(&["kafka_broker_jmxexporter_port"], "monitoring.kafka_port", Int, |d, v| mon(d).kafka_port = i(v)),
    var!(&["zookeeper_jmxexporter_port"], "monitoring.zookeeper_port", Int, |d, v| mon(d).zookeeper_port = i(v)),
    var!(&["jmxexporter_maven_url"], "monitoring.maven_url", Str, |d, v| mon(d).maven_url = s(v)),
];

/// True for a variable whose value is a password, a key's content or a token (never written into a project):
/// Ansible's own `ansible_password`, `ansible_ssh_pass`, `ansible_become_pass`, keystore passwords, JAAS configs,
/// PEM blocks and Vault-encrypted values.
pub fn looks_secret(name: &str, value: &Value) -> bool {
    let n = name.to_ascii_lowercase();
    let by_name =
        ["password", "passwd", "secret", "token", "passphrase", "credential", "jaas"].iter().any(|w| n.contains(w))
            || n.ends_with("_pass")
            || n.contains("_pass_")
            || (n.contains("private_key") && !n.ends_with("_file") && !n.ends_with("_path"));
    let by_value = match value {
        Value::String(s) => s.contains("-----BEGIN") || s.starts_with("$ANSIBLE_VAULT"),
        Value::Tagged(t) => t.tag == "vault" || t.tag == "!vault",
        _ => false,
    };
    by_name || by_value
}

/// A scalar as text (`1`, `true`, `x`); a list or mapping as YAML flow text.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// Reads `v` as `kind`, accepting INI's strings (`"22"`, `"True"`, `"/a,/b"`, `"['/a', '/b']"`).
pub fn coerce(v: &Value, kind: Kind) -> Result<Typed, String> {
    match kind {
        Kind::Str => match v {
            Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_) | Value::Null => {
                Err("expected a single value".into())
            }
            _ => Ok(Typed::Str(value_text(v))),
        },
        Kind::Int => match v {
            Value::Number(n) => n.as_i64().map(Typed::Int).ok_or_else(|| format!("{n} is not a whole number")),
            Value::String(t) => t.trim().parse().map(Typed::Int).map_err(|_| format!("`{t}` is not a whole number")),
            _ => Err("expected a whole number".into()),
        },
        Kind::Bool => match v {
            Value::Bool(b) => Ok(Typed::Bool(*b)),
            Value::String(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" | "y" => Ok(Typed::Bool(true)),
                "false" | "no" | "off" | "0" | "n" => Ok(Typed::Bool(false)),
                _ => Err(format!("`{t}` is not a boolean (true/false, yes/no)")),
            },
            Value::Number(n) => Ok(Typed::Bool(n.as_i64() != Some(0))),
            _ => Err("expected a boolean".into()),
        },
        Kind::List => match v {
            Value::Sequence(items) => Ok(Typed::List(items.iter().map(value_text).collect())),
            Value::String(t) if t.trim_start().starts_with('[') => match serde_yaml_ng::from_str::<Value>(t) {
                Ok(Value::Sequence(items)) => Ok(Typed::List(items.iter().map(value_text).collect())),
                _ => Err(format!("`{t}` is not a list")),
            },
            Value::String(t) => {
                Ok(Typed::List(t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()))
            }
            _ => Err("expected a list (YAML list, or comma-separated)".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_vault_values_and_key_contents_look_secret_but_key_file_paths_do_not() {
        let text = |s: &str| Value::String(s.into());
        let vault: Value = serde_yaml_ng::from_str("!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n").unwrap();
        assert!(looks_secret("kafka_admin_secret_value", &vault) && looks_secret("anything", &vault));
        for name in
            ["ansible_ssh_pass", "ansible_become_pass", "ansible_password", "ssl_keystore_password", "sasl_jaas_config"]
        {
            assert!(looks_secret(name, &text("x")), "{name}");
        }
        assert!(looks_secret("tls_key", &text("-----BEGIN PRIVATE KEY-----\nMII…")));
        assert!(looks_secret("ssl_private_key", &text("x")));
        assert!(!looks_secret("ansible_ssh_private_key_file", &text("~/.ssh/id_ed25519")));
        assert!(!looks_secret("kafka_version", &text("3.9.1")));
    }

    #[test]
    fn ini_strings_are_read_as_the_fields_type() {
        assert_eq!(coerce(&Value::String(" 22".into()), Kind::Int), Ok(Typed::Int(22)));
        assert_eq!(coerce(&Value::String("True".into()), Kind::Bool), Ok(Typed::Bool(true)));
        let list = Typed::List(vec!["/a".into(), "/b".into()]);
        assert_eq!(coerce(&Value::String("/a, /b".into()), Kind::List), Ok(list.clone()));
        assert_eq!(coerce(&Value::String("['/a', '/b']".into()), Kind::List), Ok(list));
        assert!(coerce(&Value::String("twenty".into()), Kind::Int).unwrap_err().contains("not a whole number"));
        assert!(coerce(&Value::String("maybe".into()), Kind::Bool).is_err());
    }
}
