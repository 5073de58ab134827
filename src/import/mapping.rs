//! Inventory → project draft: which Ansible variable fills which project field (the one home of these names;
//! `export::ansible` writes the first name of each), how groups become roles, and what is refused or left over.
//!
//! Names come from cp-ansible (groups `zookeeper`, `kafka_controller`, `kafka_broker`; `zookeeper_id`,
//! `zookeeper_chroot`, `kafka_broker_custom_properties`, `jmxexporter_enabled`) and the popular Apache-Kafka roles
//! (`kafka_version`, `kafka_scala_version`, `kafka_root_dir`, `kafka_data_log_dirs`, `kafka_broker_id`,
//! `zookeeper_myid`); docs/facts/ansible.md §2. Precedence as Ansible's: `all` < other groups (inventory order) <
//! `group_vars/` files < the host's own vars.

use super::inventory::{Inventory, Vars};
use super::ImportError;
use crate::project::draft::{
    AclDraft, HostDraft, KraftDraft, LoggingDraft, MonitoringDraft, PreflightDraft, ProjectDraft, SecurityDraft,
    SshDraft, ZookeeperDraft, FORMAT,
};
use crate::project::validate::{OWNED_PROPERTIES, OWNED_SECURITY_PROPERTIES};
use serde_yaml_ng::Value;
use std::collections::BTreeSet;

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

fn s(v: Typed) -> Option<String> {
    match v {
        Typed::Str(s) => Some(s),
        _ => None,
    }
}
fn i(v: Typed) -> Option<i64> {
    match v {
        Typed::Int(n) => Some(n),
        _ => None,
    }
}
fn b(v: Typed) -> Option<bool> {
    match v {
        Typed::Bool(b) => Some(b),
        _ => None,
    }
}
fn l(v: Typed) -> Option<Vec<String>> {
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
fn sec(d: &mut ProjectDraft) -> &mut SecurityDraft {
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

/// What the caller decides beside the inventory.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The project's name; else `kafka_cluster_name`, else the ZooKeeper chroot, else the inventory's file name.
    pub name: Option<String>,
}

/// A draft made from an inventory, with everything it could not map or refused to copy.
#[derive(Clone, Debug)]
pub struct Imported {
    pub draft: ProjectDraft,
    pub warnings: Vec<String>,
}

/// True for a variable whose value is a password, a key's content or a token (never written into a project).
pub fn looks_secret(name: &str, value: &Value) -> bool {
    let n = name.to_ascii_lowercase();
    let by_name =
        ["password", "passwd", "secret", "token", "passphrase", "credential", "jaas"].iter().any(|w| n.contains(w))
            || (n.contains("private_key") && !n.ends_with("_file") && !n.ends_with("_path"));
    let by_value = match value {
        Value::String(s) => s.contains("-----BEGIN") || s.starts_with("$ANSIBLE_VAULT"),
        Value::Tagged(t) => t.tag == "vault" || t.tag == "!vault",
        _ => false,
    };
    by_name || by_value
}

struct Ctx<'a> {
    inv: &'a Inventory,
    file: &'a str,
    /// Imported hosts with their effective variables.
    hosts: Vec<(String, Vars)>,
    used: BTreeSet<String>,
    warnings: Vec<String>,
}

/// Maps an inventory into a project draft (see the module header for the names).
pub fn to_draft(inv: &Inventory, file: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let in_groups = |names: &[&str]| -> Vec<String> { names.iter().flat_map(|g| inv.members(g)).collect() };
    let (brokers, controllers, zookeepers) =
        (in_groups(BROKER_GROUPS), in_groups(CONTROLLER_GROUPS), in_groups(ZOOKEEPER_GROUPS));
    let mut warnings = Vec::new();
    let mut hosts = Vec::new();
    for h in &inv.hosts {
        if brokers.contains(h) || controllers.contains(h) || zookeepers.contains(h) {
            hosts.push((h.clone(), effective_vars(inv, h)));
        } else {
            warnings.push(format!(
                "host {h}: in no Kafka group ({}, {}, {}) — not imported",
                BROKER_GROUPS.join("/"),
                CONTROLLER_GROUPS.join("/"),
                ZOOKEEPER_GROUPS.join("/")
            ));
        }
    }
    if hosts.is_empty() {
        return Err(ImportError::NoKafkaHosts { file: file.to_string() });
    }
    let mut cx = Ctx { inv, file, hosts, used: BTreeSet::new(), warnings };
    cx.refuse_secrets();
    let mut draft = ProjectDraft { format: FORMAT, ..ProjectDraft::default() };
    for var in CLUSTER_VARS {
        if let Some((name, value)) = cx.cluster_value(var.names) {
            let typed = coerce(&value, var.kind).map_err(|why| bad(&name, "cluster", why))?;
            (var.set)(&mut draft, typed);
        }
    }
    cx.security_from_cp_ansible(&mut draft)?;
    if let Some((name, value)) = cx.cluster_value(ACLS) {
        let acls: Vec<AclDraft> = serde_yaml_ng::from_value(value).map_err(|e| {
            bad(&name, "cluster", format!("a list of {{user, resource, name, pattern, operations}} mappings: {e}"))
        })?;
        sec(&mut draft).acls = acls;
    }
    cx.properties(&mut draft)?;
    let data_dirs = cx.shared(DATA_DIRS, Kind::List)?;
    if let Some(Typed::List(dirs)) = &data_dirs {
        draft.kafka.data_dirs = Some(dirs.clone());
    }
    let ssh_user = cx.shared(SSH_USER, Kind::Str)?;
    let ssh_port = cx.shared(SSH_PORT, Kind::Int)?;
    let ssh_key = cx.shared(SSH_KEY, Kind::Str)?;
    let ssh_become = cx.shared(SSH_BECOME, Kind::Bool)?;
    let ssh_known = cx.shared(SSH_KNOWN_HOSTS, Kind::Str)?;
    draft.ssh = SshDraft {
        user: ssh_user.clone().and_then(s),
        port: ssh_port.clone().and_then(i),
        identity_file: ssh_key.clone().and_then(s),
        known_hosts: ssh_known.clone().and_then(s),
        sudo: ssh_become.clone().and_then(b),
    };
    let mode = draft.kafka.mode.clone().or_else(|| {
        if !controllers.is_empty() {
            Some("kraft".to_string())
        } else if !zookeepers.is_empty() || draft.zookeeper.as_ref().is_some_and(|z| z.external.is_some()) {
            Some("zookeeper".to_string())
        } else {
            None
        }
    });
    draft.kafka.mode = mode;
    for (host, vars) in cx.hosts.clone() {
        let place = format!("host {host}");
        let get = |names: &[&str], kind: Kind| -> Result<Option<Typed>, ImportError> {
            match names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n)) {
                Some((k, v)) => coerce(v, kind).map(Some).map_err(|why| bad(k, &place, why)),
                None => Ok(None),
            }
        };
        let differs = |names: &[&str], kind: Kind, shared: &Option<Typed>| -> Result<Option<Typed>, ImportError> {
            Ok(get(names, kind)?.filter(|v| Some(v) != shared.as_ref()))
        };
        let mut roles = Vec::new();
        for (role, members) in [("broker", &brokers), ("controller", &controllers), ("zookeeper", &zookeepers)] {
            if members.contains(&host) {
                roles.push(role.to_string());
            }
        }
        let ssh = SshDraft {
            user: differs(SSH_USER, Kind::Str, &ssh_user)?.and_then(s),
            port: differs(SSH_PORT, Kind::Int, &ssh_port)?.and_then(i),
            identity_file: differs(SSH_KEY, Kind::Str, &ssh_key)?.and_then(s),
            known_hosts: differs(SSH_KNOWN_HOSTS, Kind::Str, &ssh_known)?.and_then(s),
            sudo: differs(SSH_BECOME, Kind::Bool, &ssh_become)?.and_then(b),
        };
        let connection = match get(&[CONNECTION], Kind::Str)?.and_then(s).as_deref() {
            None | Some("ssh") | Some("paramiko") | Some("smart") => None,
            Some("local") => Some("local".to_string()),
            Some(other) => {
                return Err(ImportError::Host {
                    host,
                    why: format!("{CONNECTION}={other}: the wizard reaches hosts over SSH or runs locally (\"local\")"),
                })
            }
        };
        cx.used.extend(
            [HOST_ID, HOST_ZOOKEEPER_ID, HOST_RACK, &[HOST_ADDRESS, HOST_TLS_CERT, HOST_TLS_KEY, CONNECTION]]
                .iter()
                .flat_map(|names| names.iter().map(|n| n.to_string())),
        );
        draft.hosts.push(HostDraft {
            address: get(&[HOST_ADDRESS], Kind::Str)?.and_then(s).filter(|a| a != &host),
            roles,
            id: get(HOST_ID, Kind::Int)?.and_then(i),
            zookeeper_id: get(HOST_ZOOKEEPER_ID, Kind::Int)?.and_then(i),
            rack: get(HOST_RACK, Kind::Str)?.and_then(s),
            data_dirs: differs(DATA_DIRS, Kind::List, &data_dirs)?.and_then(l),
            ssh: (!ssh.is_empty()).then_some(ssh),
            connection,
            tls_cert: get(&[HOST_TLS_CERT], Kind::Str)?.and_then(s),
            tls_key: get(&[HOST_TLS_KEY], Kind::Str)?.and_then(s),
            name: host,
        });
    }
    draft.name = options.name.clone().or(draft.name).or_else(|| {
        let chroot = draft.zookeeper.as_ref().and_then(|z| z.chroot.as_deref()).map(|c| c.trim_matches('/'));
        chroot
            .filter(|c| !c.is_empty() && !c.contains('/'))
            .map(str::to_string)
            .or_else(|| std::path::Path::new(cx.file).file_stem().map(|s| s.to_string_lossy().to_string()))
    });
    cx.warn_unmapped();
    Ok(Imported { draft, warnings: cx.warnings })
}

/// A host's variables as Ansible resolves them: `all`, then each group holding it (inventory order), then its own.
fn effective_vars(inv: &Inventory, host: &str) -> Vars {
    let mut out = Vars::new();
    let all = inv.group("all").map(|g| g.vars.clone()).unwrap_or_default();
    let groups = inv.groups.iter().filter(|g| g.name != "all" && inv.members(&g.name).iter().any(|h| h == host));
    for (k, v) in all.into_iter().chain(groups.flat_map(|g| g.vars.clone())) {
        super::inventory::set(&mut out, &k, v);
    }
    for (k, v) in inv.host_vars.get(host).cloned().unwrap_or_default() {
        super::inventory::set(&mut out, &k, v);
    }
    out
}

impl Ctx<'_> {
    /// Every place a variable is set: `all`'s vars, each group's, each host's.
    fn places(&self) -> Vec<(String, &str, &Value)> {
        let mut out = Vec::new();
        for g in &self.inv.groups {
            for (k, v) in &g.vars {
                out.push((format!("group {}", g.name), k.as_str(), v));
            }
        }
        for (h, vars) in &self.inv.host_vars {
            for (k, v) in vars {
                out.push((format!("host {h}"), k.as_str(), v));
            }
        }
        out
    }

    fn refuse_secrets(&mut self) {
        let mut secret: Vec<(String, String)> = Vec::new();
        for (place, k, v) in self.places() {
            if looks_secret(k, v) {
                secret.push((k.to_string(), place));
            }
        }
        for (k, place) in secret {
            self.warnings.push(format!(
                "{k} ({place}): looks secret — NOT written into the project (the wizard makes its own keys and \
                 passwords and keeps them in its secrets store)"
            ));
            self.used.insert(k);
        }
    }

    /// The value of a cluster-wide variable: `all`'s, else the one every imported host that sets it agrees on
    /// (a disagreement is a warning; the first host's wins).
    fn cluster_value(&mut self, names: &[&str]) -> Option<(String, Value)> {
        let mut found: Vec<(String, String, Value)> = Vec::new();
        for (host, vars) in &self.hosts {
            if let Some((k, v)) = names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n)) {
                found.push((host.clone(), k.clone(), v.clone()));
            }
        }
        for n in names {
            self.used.insert(n.to_string());
        }
        if found.is_empty() {
            let all = self.inv.group("all")?;
            return names.iter().find_map(|n| all.vars.iter().find(|(k, _)| k == n).cloned());
        }
        let (first_host, key, value) = found[0].clone();
        let others: Vec<&str> = found.iter().filter(|(_, _, v)| *v != value).map(|(h, _, _)| h.as_str()).collect();
        if !others.is_empty() {
            self.warnings.push(format!(
                "{key}: differs between hosts ({} vs {first_host}) — the project holds one value for the cluster; \
                 {first_host}'s is used",
                others.join(", ")
            ));
        }
        Some((key, value))
    }

    /// A variable that is cluster-wide with per-host overrides: `all`'s value, else the value every imported host
    /// has; `None` when hosts differ (then each host keeps its own).
    fn shared(&mut self, names: &[&str], kind: Kind) -> Result<Option<Typed>, ImportError> {
        for n in names {
            self.used.insert(n.to_string());
        }
        let pick = |vars: &Vars| names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n).cloned());
        if let Some((k, v)) = self.inv.group("all").and_then(|g| pick(&g.vars)) {
            return coerce(&v, kind).map(Some).map_err(|why| bad(&k, "group all", why));
        }
        let mut values = Vec::new();
        for (host, vars) in &self.hosts {
            match pick(vars) {
                Some((k, v)) => values.push(coerce(&v, kind).map_err(|why| bad(&k, &format!("host {host}"), why))?),
                None => return Ok(None),
            }
        }
        Ok(values.first().cloned().filter(|first| values.iter().all(|v| v == first)))
    }

    /// cp-ansible's `ssl_enabled` / `sasl_protocol` when the wizard's own `kafka_security_protocol` is not set.
    fn security_from_cp_ansible(&mut self, draft: &mut ProjectDraft) -> Result<(), ImportError> {
        let ssl = match self.cluster_value(&["ssl_enabled"]) {
            Some((k, v)) => matches!(coerce(&v, Kind::Bool).map_err(|why| bad(&k, "cluster", why))?, Typed::Bool(true)),
            None => false,
        };
        let sasl = self.cluster_value(&["sasl_protocol"]).map(|(_, v)| value_text(&v).to_ascii_lowercase());
        if draft.security.as_ref().is_some_and(|s| s.protocol.is_some()) {
            return Ok(());
        }
        let mechanism = match sasl.as_deref() {
            Some("scram") | Some("scram512") => Some("SCRAM-SHA-512"),
            Some("scram256") => Some("SCRAM-SHA-256"),
            Some("none") | None => None,
            Some(other) => {
                self.warnings.push(format!(
                    "sasl_protocol={other}: the wizard runs SCRAM (scram, scram256) only — the project is TLS only"
                ));
                None
            }
        };
        match (ssl, mechanism) {
            (true, Some(m)) => {
                sec(draft).protocol = Some("sasl_ssl".into());
                sec(draft).sasl_mechanism = Some(m.into());
            }
            (true, None) => sec(draft).protocol = Some("ssl".into()),
            (false, Some(_)) => self.warnings.push(
                "sasl_protocol without ssl_enabled: SASL over plaintext is not offered — the project is plaintext; set \
                 security.protocol = \"sasl_ssl\" to secure it"
                    .into(),
            ),
            (false, None) => {}
        }
        Ok(())
    }

    fn properties(&mut self, draft: &mut ProjectDraft) -> Result<(), ImportError> {
        let Some((name, value)) = self.cluster_value(PROPERTIES) else { return Ok(()) };
        let value = match value {
            Value::String(text) => serde_yaml_ng::from_str(&text).unwrap_or(Value::String(text)),
            v => v,
        };
        let Value::Mapping(map) = value else {
            return Err(bad(&name, "cluster", "a mapping of server.properties keys to values".into()));
        };
        for (k, v) in map {
            let key = value_text(&k);
            let owner = OWNED_PROPERTIES
                .iter()
                .find(|(o, _, _)| *o == key)
                .map(|(_, field, _)| field.to_string())
                .or_else(|| OWNED_SECURITY_PROPERTIES.contains(&key.as_str()).then(|| "[security]".to_string()));
            if looks_secret(&key, &v) {
                self.warnings.push(format!("{name}.{key}: looks secret — NOT written into the project"));
            } else if let Some(field) = owner {
                self.warnings.push(format!(
                    "{name}.{key} = {}: the wizard writes this key itself (from {field}) — not copied",
                    value_text(&v)
                ));
            } else {
                draft.kafka.properties.insert(key, toml::Value::String(value_text(&v)));
            }
        }
        Ok(())
    }

    fn warn_unmapped(&mut self) {
        let mut left: Vec<(String, Vec<String>)> = Vec::new();
        for (place, k, _) in self.places() {
            if self.used.contains(k) {
                continue;
            }
            match left.iter_mut().find(|(name, _)| name == k) {
                Some((_, places)) => places.push(place),
                None => left.push((k.to_string(), vec![place])),
            }
        }
        for (k, places) in left {
            let shown = if places.len() > 3 {
                format!("{} and {} more", places[..3].join(", "), places.len() - 3)
            } else {
                places.join(", ")
            };
            self.warnings.push(format!("{k} ({shown}): not mapped to any project field — left out"));
        }
    }
}

fn bad(var: &str, place: &str, why: String) -> ImportError {
    ImportError::BadValue { var: var.to_string(), place: place.to_string(), why }
}

/// A scalar as text (`1`, `true`, `x`); a list or mapping as YAML flow text.
fn value_text(v: &Value) -> String {
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
