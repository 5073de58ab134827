//! Generated files: everything the wizard writes onto each host, as pure functions of the [`ClusterSpec`].
//!
//! Each host gets its `server.properties` (broker/controller), `zookeeper.properties` + `myid` (ensemble
//! members), environment files, systemd units and each service's log4j configuration (`logging`). Content is deterministic (no timestamps), so a re-run writes
//! nothing when nothing changed, and golden tests pin every byte. Configuration lives in `kafka.config_dir`,
//! outside the versioned install directory, so an upgrade is a symlink swap. A secured cluster's hosts also get
//! their TLS files and JAAS file (`security`), a secured ensemble its SASL keys and JAAS file
//! (`zookeeper_security`); their secret values come from a [`SecretMaterial`] — the secrets
//! store's at deploy ([`render_host_with`]), placeholders everywhere else ([`render_host`]: Review, export, plan).

pub mod logging;
pub mod monitoring;
pub(crate) mod properties;
pub mod quorum;
pub mod security;
pub(crate) mod server;
pub(crate) mod systemd;
pub mod zookeeper;
pub mod zookeeper_security;

use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Role};
use crate::security::store::SecretMaterial;
use serde::Serialize;
use thiserror::Error;
use ts_rs::TS;

pub use server::{min_insync_replicas, replication_for, zookeeper_connect, CONTROLLER_LISTENER};
pub use systemd::{KAFKA_UNIT, LIMIT_NOFILE, ZOOKEEPER_UNIT};

/// A service the wizard runs under systemd: its unit's name and which hosts run it (one home for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
pub enum Service {
    /// A ZooKeeper ensemble member (`zookeeper-server.service`).
    #[ts(rename = ZOOKEEPER_UNIT)]
    Zookeeper,
    /// A Kafka broker, KRaft controller, or both (`kafka-server.service`).
    #[ts(rename = KAFKA_UNIT)]
    Kafka,
}

impl Service {
    /// Start order: ZooKeeper before Kafka (and stop order reversed).
    pub const ALL: [Service; 2] = [Service::Zookeeper, Service::Kafka];

    /// The systemd unit's file name.
    pub fn unit(self) -> &'static str {
        match self {
            Service::Zookeeper => ZOOKEEPER_UNIT,
            Service::Kafka => KAFKA_UNIT,
        }
    }

    /// Whether `host` runs this service.
    pub fn runs_on(self, host: &HostSpec) -> bool {
        match self {
            Service::Zookeeper => host.has(Role::Zookeeper),
            Service::Kafka => host.runs_kafka(),
        }
    }

    /// The services `host` runs, in start order.
    pub fn on(host: &HostSpec) -> Vec<Service> {
        Service::ALL.into_iter().filter(|s| s.runs_on(host)).collect()
    }
}

/// Serialised as its unit's name (`kafka-server.service`), as the plan and status show it.
impl Serialize for Service {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.unit())
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.unit())
    }
}

/// Who owns a generated file on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// `root:root`.
    Root,
    /// `root:<service group>`: root-owned, readable by the service (configs that may later hold secrets).
    RootServiceGroup,
    /// `<service user>:<service group>` (files inside the service's data directories).
    Service,
}

impl Owner {
    /// The `(user, group)` this owner means, given the service account (the one place that mapping lives).
    pub fn user_group(self, service_user: &str) -> (&str, &str) {
        match self {
            Owner::Root => ("root", "root"),
            Owner::RootServiceGroup => ("root", service_user),
            Owner::Service => (service_user, service_user),
        }
    }

    /// `user:group`, as `chown` takes it and `stat -c %U:%G` prints it.
    pub fn chown_spec(self, service_user: &str) -> String {
        let (user, group) = self.user_group(service_user);
        format!("{user}:{group}")
    }
}

/// One file for one host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct GeneratedFile {
    /// Absolute path on the host.
    pub path: String,
    pub content: String,
    /// Permission bits, e.g. 0o640.
    pub mode: u32,
    pub owner: Owner,
    /// One line saying what the file is for (shown in the Review step and the export index).
    pub purpose: String,
    /// The service that reads this file: a change to it restarts that service.
    pub service: Service,
    /// It holds a key or a password: never diffed or shown (placeholders outside deploy).
    #[serde(default)]
    pub secret: bool,
}

/// All files for one host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct HostFiles {
    pub host: String,
    pub files: Vec<GeneratedFile>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("kraft.cluster_id: not generated yet — every KRaft node must be formatted with one shared cluster id; run a command that saves one (export, plan or deploy) or add it to the project file")]
    MissingClusterId,
}

/// Every generated file for every host, in host order.
pub fn render_cluster(spec: &ClusterSpec) -> Result<Vec<HostFiles>, RenderError> {
    if let Coordination::Kraft(k) = &spec.coordination {
        if k.cluster_id.is_none() {
            return Err(RenderError::MissingClusterId);
        }
    }
    Ok(spec
        .hosts
        .iter()
        .map(|host| HostFiles { host: host.name.to_string(), files: render_host(spec, host) })
        .collect())
}

/// Every generated file for one host, secrets as placeholders (Review, export, the plan).
pub fn render_host(spec: &ClusterSpec, host: &HostSpec) -> Vec<GeneratedFile> {
    render_host_with(spec, host, None)
}

/// Every generated file for one host; a secured cluster's secret values from `material` (the secrets store's, at
/// deploy), else placeholders.
pub fn render_host_with(spec: &ClusterSpec, host: &HostSpec, material: Option<&SecretMaterial>) -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    let config_dir = &spec.kafka.config_dir;
    let placeholders =
        spec.security.as_ref().filter(|_| material.is_none()).map(|s| SecretMaterial::placeholders(spec, s));
    let material = material.or(placeholders.as_ref());
    if host.runs_kafka() {
        files.push(GeneratedFile {
            path: config_dir.join("server.properties").to_string(),
            content: server::server_properties(spec, host),
            mode: 0o640,
            owner: Owner::RootServiceGroup,
            purpose: server::purpose(spec, host),
            service: Service::Kafka,
            secret: false,
        });
        files.push(GeneratedFile {
            path: config_dir.join("kafka-server.env").to_string(),
            content: systemd::kafka_environment(spec, host),
            mode: 0o644,
            owner: Owner::Root,
            purpose: "Environment of kafka-server.service: heap, log directory and its log4j file, Java".into(),
            service: Service::Kafka,
            secret: false,
        });
        files.push(GeneratedFile {
            path: format!("/etc/systemd/system/{KAFKA_UNIT}"),
            content: systemd::kafka_unit(spec, host),
            mode: 0o644,
            owner: Owner::Root,
            purpose: "systemd unit that runs Kafka as the service user".into(),
            service: Service::Kafka,
            secret: false,
        });
        files.push(logging::config_file(spec, Service::Kafka));
        files.extend(monitoring::rules_file(spec, Service::Kafka));
        if let Some(material) = material {
            files.extend(security::security_files(spec, host, material));
        }
    }
    if let (Coordination::Zookeeper(z), Some(myid)) = (&spec.coordination, host.myid) {
        files.push(GeneratedFile {
            path: zookeeper::config_path(spec).to_string(),
            content: zookeeper::zookeeper_properties(spec, z),
            mode: 0o640,
            owner: Owner::RootServiceGroup,
            purpose: "ZooKeeper ensemble member configuration".into(),
            service: Service::Zookeeper,
            secret: false,
        });
        files.push(GeneratedFile {
            path: z.data_dir.join("myid").to_string(),
            content: format!("{myid}\n"),
            mode: 0o644,
            owner: Owner::Service,
            purpose: "This member's ZooKeeper id (myid)".into(),
            service: Service::Zookeeper,
            secret: false,
        });
        files.push(GeneratedFile {
            path: config_dir.join("zookeeper-server.env").to_string(),
            content: systemd::zookeeper_environment(spec, z),
            mode: 0o644,
            owner: Owner::Root,
            purpose: "Environment of zookeeper-server.service: heap, log directory and its log4j file, Java".into(),
            service: Service::Zookeeper,
            secret: false,
        });
        files.push(GeneratedFile {
            path: format!("/etc/systemd/system/{ZOOKEEPER_UNIT}"),
            content: systemd::zookeeper_unit(spec),
            mode: 0o644,
            owner: Owner::Root,
            purpose: "systemd unit that runs ZooKeeper as the service user".into(),
            service: Service::Zookeeper,
            secret: false,
        });
        files.push(logging::config_file(spec, Service::Zookeeper));
        files.extend(monitoring::rules_file(spec, Service::Zookeeper));
        if let Some(material) = material.filter(|_| zookeeper_security::locked(spec)) {
            files.push(zookeeper_security::jaas_file(spec, material));
            if spec.zookeeper_quorum_tls() && !host.runs_kafka() {
                files.extend(security::tls_files(spec, host, material, Service::Zookeeper));
            }
        }
    }
    files
}

/// The first line of every generated text file.
fn header(spec: &ClusterSpec, what: &str) -> String {
    format!(
        "# {what} for cluster {}, generated by kafka-wizard from its project file.\n\
         # Edit the project file and re-deploy instead of editing this file: changes here are overwritten.\n",
        spec.name
    )
}
