//! The project file as written: a lenient, serde-shaped mirror of the TOML (`format = 1`).
//!
//! Everything a user may leave out is an `Option`; numbers are `i64` so that a negative id reaches validation
//! (and gets a field-named message) instead of failing inside serde. Unknown keys are refused here, with the
//! key's full path. The draft is also what the desktop app edits and saves; [`super::validate`] turns it into
//! the strict [`super::spec::ClusterSpec`] that the rest of the engine takes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;
use ts_rs::TS;

/// The project file format this build reads and writes.
pub const FORMAT: i64 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct ProjectDraft {
    pub format: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub kafka: KafkaDraft,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper: Option<ZookeeperDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kraft: Option<KraftDraft>,
    #[serde(default, skip_serializing_if = "SshDraft::is_empty")]
    #[ts(as = "Option<_>")] // left out when empty: optional in TypeScript
    pub ssh: SshDraft,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>")]
    pub hosts: Vec<HostDraft>,
    /// TLS, SASL/SCRAM users and ACLs; left out, the cluster is plaintext and unauthenticated (a warning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<SecurityDraft>,
    /// `[preflight]`: what the checks before a deploy's first change require of every host (`apply::preflight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<PreflightDraft>,
    /// `[logging]`: how the services' own log files on the hosts are rotated and kept (`render::logging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingDraft>,
    /// `[monitoring]`: the Prometheus JMX exporter on every node (`render::monitoring`); left out, none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringDraft>,
}

/// `[monitoring]`: the Prometheus JMX exporter java agent in every broker, controller and ZooKeeper member.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct MonitoringDraft {
    /// Install the exporter and serve metrics over HTTP (left out: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<bool>,
    /// The port of the exporter in `kafka-server.service` (brokers and controllers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_port: Option<i64>,
    /// The port of the exporter in `zookeeper-server.service` (ensemble members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_port: Option<i64>,
    /// A Maven-layout repository serving the exporter jar instead of Maven Central (its checksum is pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maven_url: Option<String>,
}

/// `[preflight]`: the limits the checks before a deploy refuse below.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct PreflightDraft {
    /// Free MiB every data, log and ZooKeeper data directory needs (0: not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_free_mb: Option<i64>,
}

/// `[logging]`: the rotation of the log files Kafka and ZooKeeper write into their `log_dir`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct LoggingDraft {
    /// MiB a log file (`server.log`, `controller.log`, …) grows to before it is rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_mb: Option<i64>,
    /// Rotated files kept per log file (`server.log.1` … `server.log.N`); older ones are deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<i64>,
}

/// `[security]`: how clients and nodes authenticate and encrypt. Passwords and keys are never here (secrets store).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct SecurityDraft {
    /// `"plaintext"`, `"ssl"` or `"sasl_ssl"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// `"SCRAM-SHA-512"` or `"SCRAM-SHA-256"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl_mechanism: Option<String>,
    /// `"generate"` (the wizard's own CA for this cluster) or `"provided"` (`ca_cert` and every host's certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
    /// With `ca = "provided"`: the CA that signed the host certificates (a PEM file on the wizard's machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    /// The super user, also the login of the wizard's own health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_user: Option<String>,
    /// Application users, created with generated passwords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<_>")]
    pub acls: Vec<AclDraft>,
}

/// `[[security.acls]]`: one grant to an application user.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct AclDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `topic`, `group`, `cluster` or `transactional_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `literal` (default) or `prefixed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Kafka's operation names in lower case (`read`, `write`, `describe`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct KafkaDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scala: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dirs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener_port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap: Option<String>,
    /// Extra JVM options for the Kafka service, one per entry (appended to `KAFKA_OPTS`; `project::jvm_opts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jvm_opts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_home: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<String>,
    /// Base URL trusted for Apache's checksums (and tarballs when no mirror is set): an internal copy of
    /// `https://downloads.apache.org/kafka` that you trust. Default: Apache's own servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apache_url: Option<String>,
    /// A local tarball for offline installs (its `.sha512` must sit beside it, or `checksum` be given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tarball: Option<String>,
    /// How the release reaches the hosts: "auto" (default), "direct" or "relay" (`plan::distribution`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(type = "Record<string, unknown>")]
    pub properties: BTreeMap<String, toml::Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct ZookeeperDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chroot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum_port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap: Option<String>,
    /// Extra JVM options for the ZooKeeper service, one per entry (`project::jvm_opts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jvm_opts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_limit: Option<i64>,
    /// A secured cluster's managed ensemble: TLS between members on the quorum and election ports (default true;
    /// `false` keeps the members' traffic SASL-authenticated and unencrypted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum_tls: Option<bool>,
    /// `host:port` of an existing ensemble, instead of hosts with the role `zookeeper`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct KraftDraft {
    /// Generated once (16 random bytes, base64url) and kept here; every node is formatted with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_port: Option<i64>,
    /// `"static"` (absent: the voters fixed in every node's configuration) or `"dynamic"` (Kafka 3.9+: controllers
    /// can be added and removed on a running cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<String>,
    /// A dynamic quorum's bootstrap controllers (node ids): the controllers at the cluster's creation, written here
    /// with the cluster id; every node's `controller.quorum.bootstrap.servers` names them, so adding or removing
    /// another controller changes no other node's files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_controllers: Option<Vec<i64>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct SshDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sudo: Option<bool>,
    /// `[user@]host[:port]` of a jump host (bastion), or `"none"` (a host reached directly despite `[ssh] jump`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jump: Option<String>,
    /// Read `~/.ssh/config` for what the project leaves unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_ssh_config: Option<bool>,
}

impl SshDraft {
    pub fn is_empty(&self) -> bool {
        *self == SshDraft::default()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(optional_fields)]
pub struct HostDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zookeeper_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dirs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshDraft>,
    /// `"ssh"` (default) or `"local"`: the machine the wizard runs on, without SSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// With `security.ca = "provided"`: this host's PEM certificate (its SANs cover its name and address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<String>,
    /// With `security.ca = "provided"`: this host's PKCS#8 PEM private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<String>,
}

/// Why a project file could not be read as a draft (before any validation).
#[derive(Debug, Error, PartialEq)]
pub enum ParseError {
    #[error("the project file is not valid TOML: {0}")]
    Syntax(String),
    #[error("format: missing — add `format = 1` as the first line of the project file")]
    MissingFormat,
    #[error("format: must be a whole number (this version of kafka-wizard reads format {FORMAT})")]
    FormatNotANumber,
    #[error(
        "format: the file is format {found}, written by a newer kafka-wizard; this version reads format {FORMAT} — \
         upgrade kafka-wizard to open it"
    )]
    FutureFormat { found: i64 },
    #[error("format: {found} is not a project file format (this version reads format {FORMAT})")]
    BadFormat { found: i64 },
    #[error("{path}: unknown key — check its spelling (the project file refuses keys it does not know)")]
    UnknownKey { path: String },
    #[error(
        "{path}: a project file cannot choose which keys sign Kafka releases, nor turn signature checks off — the \
         keys trusted are the built-in Apache release managers' and your own (`kafka-wizard trust import KEYS_FILE`, \
         kept in your config directory); remove this key"
    )]
    TrustSetting { path: String },
    #[error("{path}: {message}")]
    WrongType { path: String, message: String },
}

/// Reads a project file's text into a draft: checks `format` first, then refuses unknown keys by path.
pub fn parse(text: &str) -> Result<ProjectDraft, ParseError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ParseError::Syntax(one_line(&e)))?;
    match table.get("format") {
        None => return Err(ParseError::MissingFormat),
        Some(toml::Value::Integer(n)) if *n == FORMAT => {}
        Some(toml::Value::Integer(n)) if *n > FORMAT => return Err(ParseError::FutureFormat { found: *n }),
        Some(toml::Value::Integer(n)) => return Err(ParseError::BadFormat { found: *n }),
        Some(_) => return Err(ParseError::FormatNotANumber),
    }
    let deserializer = toml::Deserializer::new(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.message().to_string();
        if let Some(key) = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next()) {
            let path = if path == "." || path.is_empty() {
                key.to_string()
            } else if path.ends_with(key) {
                path
            } else {
                format!("{path}.{key}")
            };
            if widens_trust(&path) {
                ParseError::TrustSetting { path }
            } else {
                ParseError::UnknownKey { path }
            }
        } else {
            ParseError::WrongType { path, message: message.trim().to_string() }
        }
    })
}

/// True for an unknown key that reads like a release-trust setting (signing keys, signature checks): outside the
/// SSH and cluster-security tables, whose own keys are about hosts and TLS, not about releases.
fn widens_trust(path: &str) -> bool {
    if path.starts_with("ssh.") || path.starts_with("security.") || path.starts_with("hosts[") {
        return false;
    }
    let key = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
    ["key", "sign", "verif", "trust", "gpg", "pgp", "insecure"].iter().any(|w| key.contains(w))
}

/// A draft as a fresh TOML file (a new project's first Save; over an existing file, `file::merge_into` keeps its text).
pub fn to_toml(draft: &ProjectDraft) -> String {
    toml::to_string_pretty(draft).expect("a draft always serialises")
}

fn one_line(e: &toml::de::Error) -> String {
    let message = e.message().trim();
    match e.span() {
        Some(span) => format!("{message} (at byte {})", span.start),
        None => message.to_string(),
    }
}
