//! `export --as ansible`: the cluster as an Ansible inventory in cp-ansible's group shape (`zookeeper`,
//! `kafka_controller`, `kafka_broker`) — `inventory.yml` with every host and its own vars, `group_vars/all.yml`
//! with the cluster's. Every value is written explicitly (defaults included), with the variable names of
//! `import::vars` (the one home of those names), so `import --ansible` reads it back to an equal project.
//! Nothing secret is in it: the wizard's keys and passwords stay in its secrets store.

use crate::import::vars::{
    self as mapping, Typed, CLUSTER_VARS, CONNECTION, DATA_DIRS, HOST_ADDRESS, HOST_ID, HOST_RACK, HOST_TLS_CERT,
    HOST_TLS_KEY, HOST_ZOOKEEPER_ID, PROPERTIES, SSH_BECOME, SSH_KEY, SSH_KNOWN_HOSTS, SSH_PORT, SSH_USER,
};
use crate::plan::distribution::Distribution;
use crate::project::spec::{
    CertificateSource, ClusterSpec, Connection, Coordination, Ensemble, HostSpec, Protection, Role, SshSettings,
};
use serde_yaml_ng::{Mapping, Value};

pub const INVENTORY: &str = "inventory.yml";
pub const GROUP_VARS_ALL: &str = "group_vars/all.yml";

/// The inventory's files: (path relative to the output folder, content).
pub fn files(spec: &ClusterSpec) -> Vec<(String, String)> {
    let header = format!(
        "# Written by kafka-wizard export --as ansible for the cluster {:?}; `kafka-wizard import --ansible {INVENTORY}`\n\
         # reads it back. Groups in cp-ansible's shape; passwords and keys are not here (the wizard's secrets store).\n",
        spec.name
    );
    let all = cluster_vars(spec);
    let shared_ssh = spec.hosts.first().map(|h| h.ssh.clone());
    let shared_dirs = shared_data_dirs(spec);
    let mut root_vars = Mapping::new();
    let mut hosts = Mapping::new();
    if let Some(ssh) = &shared_ssh {
        for (k, v) in ssh_vars(ssh, None) {
            root_vars.insert(k.into(), v);
        }
    }
    if let Some(dirs) = &shared_dirs {
        root_vars.insert(DATA_DIRS[0].into(), list(dirs));
    }
    for h in &spec.hosts {
        hosts.insert(h.name.as_str().into(), Value::Mapping(host_vars(spec, h, shared_ssh.as_ref(), &shared_dirs)));
    }
    let mut children = Mapping::new();
    for (group, role) in [
        (mapping::ZOOKEEPER_GROUPS[0], Role::Zookeeper),
        (mapping::CONTROLLER_GROUPS[0], Role::Controller),
        (mapping::BROKER_GROUPS[0], Role::Broker),
    ] {
        let members: Mapping =
            spec.hosts.iter().filter(|h| h.has(role)).map(|h| (h.name.as_str().into(), Value::Null)).collect();
        if !members.is_empty() {
            children.insert(
                group.into(),
                Value::Mapping([("hosts".into(), Value::Mapping(members))].into_iter().collect()),
            );
        }
    }
    let mut top = Mapping::new();
    top.insert("hosts".into(), Value::Mapping(hosts));
    top.insert("vars".into(), Value::Mapping(root_vars));
    top.insert("children".into(), Value::Mapping(children));
    let inventory: Mapping = [("all".into(), Value::Mapping(top))].into_iter().collect();
    vec![
        (INVENTORY.to_string(), header.clone() + &yaml(&Value::Mapping(inventory))),
        (GROUP_VARS_ALL.to_string(), header + &yaml(&Value::Mapping(all))),
    ]
}

fn yaml(v: &Value) -> String {
    serde_yaml_ng::to_string(v).expect("a YAML value always serialises")
}

fn list(items: &[impl AsRef<str>]) -> Value {
    Value::Sequence(items.iter().map(|s| Value::String(s.as_ref().to_string())).collect())
}

/// Data directories every host has (then written once, for `all`).
fn shared_data_dirs(spec: &ClusterSpec) -> Option<Vec<String>> {
    let first: Vec<String> = spec.hosts.first()?.data_dirs.iter().map(|d| d.to_string()).collect();
    spec.hosts.iter().all(|h| h.data_dirs.iter().map(|d| d.to_string()).eq(first.iter().cloned())).then_some(first)
}

/// One SSH variable: its name and how to read it from the settings.
type SshField = (&'static str, fn(&SshSettings) -> Value);

fn ssh_vars(ssh: &SshSettings, shared: Option<&SshSettings>) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let differs = |f: fn(&SshSettings) -> Value| shared.is_none_or(|s| f(s) != f(ssh));
    let fields: [SshField; 5] = [
        (SSH_USER[0], |s| s.user.clone().into()),
        (SSH_PORT[0], |s| u64::from(s.port).into()),
        (SSH_KEY[0], |s| s.identity_file.clone().map(Value::String).unwrap_or(Value::Null)),
        (SSH_KNOWN_HOSTS[0], |s| s.known_hosts.clone().map(Value::String).unwrap_or(Value::Null)),
        (SSH_BECOME[0], |s| s.sudo.into()),
    ];
    for (name, f) in fields {
        let v = f(ssh);
        if differs(f) && !v.is_null() {
            out.push((name, v));
        }
    }
    out
}

fn host_vars(
    spec: &ClusterSpec,
    h: &HostSpec,
    shared_ssh: Option<&SshSettings>,
    shared_dirs: &Option<Vec<String>>,
) -> Mapping {
    let mut m = Mapping::new();
    if let Some(a) = &h.address {
        m.insert(HOST_ADDRESS.into(), a.as_str().into());
    }
    if let Some(id) = h.node_id {
        m.insert(HOST_ID[0].into(), u64::from(id).into());
    }
    if let Some(myid) = h.myid {
        m.insert(HOST_ZOOKEEPER_ID[0].into(), u64::from(myid).into());
    }
    if let Some(rack) = &h.rack {
        m.insert(HOST_RACK[0].into(), rack.as_str().into());
    }
    if shared_dirs.is_none() {
        m.insert(DATA_DIRS[0].into(), list(&h.data_dirs.iter().map(|d| d.to_string()).collect::<Vec<_>>()));
    }
    for (k, v) in ssh_vars(&h.ssh, shared_ssh) {
        m.insert(k.into(), v);
    }
    if h.connection == Connection::Local {
        m.insert(CONNECTION.into(), "local".into());
    }
    if let Some(CertificateSource::Provided { hosts, .. }) = spec.security.as_ref().map(|s| &s.certificates) {
        if let Some(c) = hosts.iter().find(|c| c.host == h.name.as_str()) {
            m.insert(HOST_TLS_CERT.into(), c.cert.as_str().into());
            m.insert(HOST_TLS_KEY.into(), c.key.as_str().into());
        }
    }
    m
}

/// The cluster's variables, each under the name `import::vars::CLUSTER_VARS` reads for its field.
fn cluster_vars(spec: &ClusterSpec) -> Mapping {
    let k = &spec.kafka;
    let mut fields: Vec<(&str, Typed)> = vec![
        ("name", Typed::Str(spec.name.clone())),
        ("kafka.version", Typed::Str(k.release.version.to_string())),
        ("kafka.scala", Typed::Str(k.scala.clone())),
        ("kafka.mode", Typed::Str(if spec.is_kraft() { "kraft" } else { "zookeeper" }.into())),
        ("kafka.install_dir", Typed::Str(k.install_dir.to_string())),
        ("kafka.config_dir", Typed::Str(k.config_dir.to_string())),
        ("kafka.log_dir", Typed::Str(k.log_dir.to_string())),
        ("kafka.listener_port", Typed::Int(k.listener_port.into())),
        ("kafka.heap", Typed::Str(k.heap.jvm.clone())),
        ("kafka.jvm_opts", Typed::List(k.jvm_opts.clone())),
        ("kafka.user", Typed::Str(k.user.clone())),
        (
            "kafka.distribution",
            Typed::Str(
                match k.distribution {
                    Distribution::Auto => "auto",
                    Distribution::Direct => "direct",
                    Distribution::Relay => "relay",
                }
                .into(),
            ),
        ),
        ("preflight.min_free_mb", Typed::Int(spec.preflight.min_free_mb as i64)),
        ("logging.max_file_mb", Typed::Int(spec.logging.max_file_mb.into())),
        ("logging.max_files", Typed::Int(spec.logging.max_files.into())),
    ];
    let optional = [
        ("kafka.java_home", k.java_home.as_ref().map(|p| p.to_string())),
        ("kafka.mirror", k.mirror.clone()),
        ("kafka.apache_url", k.apache_url.clone()),
        ("kafka.tarball", k.tarball.clone()),
    ];
    fields.extend(optional.into_iter().filter_map(|(f, v)| v.map(|v| (f, Typed::Str(v)))));
    match &spec.coordination {
        Coordination::Zookeeper(z) => {
            fields.extend([
                ("zookeeper.chroot", Typed::Str(z.chroot.clone())),
                ("zookeeper.client_port", Typed::Int(z.client_port.into())),
                ("zookeeper.quorum_port", Typed::Int(z.quorum_port.into())),
                ("zookeeper.election_port", Typed::Int(z.election_port.into())),
                ("zookeeper.data_dir", Typed::Str(z.data_dir.to_string())),
                ("zookeeper.log_dir", Typed::Str(z.log_dir.to_string())),
                ("zookeeper.heap", Typed::Str(z.heap.jvm.clone())),
                ("zookeeper.jvm_opts", Typed::List(z.jvm_opts.clone())),
                ("zookeeper.tick_time", Typed::Int(z.tick_time.into())),
                ("zookeeper.init_limit", Typed::Int(z.init_limit.into())),
                ("zookeeper.sync_limit", Typed::Int(z.sync_limit.into())),
            ]);
            if let Ensemble::External(list) = &z.ensemble {
                fields.push(("zookeeper.external", Typed::List(list.clone())));
            }
            if let Some(m) = &z.migration {
                fields.push(("kraft.controller_port", Typed::Int(m.controller_port.into())));
                if let Some(id) = &m.cluster_id {
                    fields.push(("kraft.cluster_id", Typed::Str(id.as_str().into())));
                }
            }
        }
        Coordination::Kraft(kr) => {
            fields.push(("kraft.controller_port", Typed::Int(kr.controller_port.into())));
            fields.push(("kraft.quorum", Typed::Str(kr.quorum.as_str().into())));
            if let Some(id) = &kr.cluster_id {
                fields.push(("kraft.cluster_id", Typed::Str(id.as_str().into())));
            }
        }
    }
    if let Some(s) = &spec.security {
        let protocol = match s.protection {
            Protection::Ssl => "ssl",
            Protection::SaslSsl => "sasl_ssl",
        };
        fields.extend([
            ("security.protocol", Typed::Str(protocol.into())),
            ("security.sasl_mechanism", Typed::Str(s.mechanism.name().into())),
            ("security.admin_user", Typed::Str(s.admin_user.clone())),
            ("security.users", Typed::List(s.users.clone())),
        ]);
        match &s.certificates {
            CertificateSource::Generate => fields.push(("security.ca", Typed::Str("generate".into()))),
            CertificateSource::Provided { ca_cert, .. } => {
                fields.push(("security.ca", Typed::Str("provided".into())));
                fields.push(("security.ca_cert", Typed::Str(ca_cert.clone())));
            }
        }
    }
    if let Some(m) = &spec.monitoring {
        fields.extend([
            ("monitoring.prometheus", Typed::Bool(true)),
            ("monitoring.kafka_port", Typed::Int(m.kafka_port.into())),
            ("monitoring.zookeeper_port", Typed::Int(m.zookeeper_port.into())),
        ]);
        if let Some(url) = &m.maven_url {
            fields.push(("monitoring.maven_url", Typed::Str(url.clone())));
        }
    }
    let mut out = Mapping::new();
    for (field, value) in fields {
        let var = CLUSTER_VARS.iter().find(|v| v.field == field).expect("every exported field has its variable");
        let value = match value {
            Typed::Str(s) => Value::String(s),
            Typed::Int(n) => n.into(),
            Typed::Bool(b) => b.into(),
            Typed::List(l) => list(&l),
        };
        out.insert(var.names[0].into(), value);
    }
    if !k.properties.is_empty() {
        let props: Mapping = k.properties.iter().map(|(k, v)| (k.as_str().into(), v.as_str().into())).collect();
        out.insert(PROPERTIES[0].into(), Value::Mapping(props));
    }
    if let Some(s) = spec.security.as_ref().filter(|s| !s.acls.is_empty()) {
        let acls = s
            .acls
            .iter()
            .map(|a| {
                let m: Mapping = [
                    ("user", Value::String(a.user.clone())),
                    ("resource", a.resource.name().into()),
                    ("name", Value::String(a.name.clone())),
                    ("pattern", a.pattern.name().into()),
                    ("operations", list(&a.operations.iter().map(|o| o.name()).collect::<Vec<_>>())),
                ]
                .into_iter()
                .map(|(k, v)| (Value::from(k), v))
                .collect();
                Value::Mapping(m)
            })
            .collect();
        out.insert(mapping::ACLS[0].into(), Value::Sequence(acls));
    }
    out
}
