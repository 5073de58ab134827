//! The validated cluster: the strict model every later stage (render, plan, deploy, export) takes.
//!
//! A `ClusterSpec` only exists after [`super::validate`] accepted a draft, so its fields carry checked values:
//! absolute, shell-safe paths; DNS names or IP literals; ports in range; unique ids; a release the catalog
//! knows with a Scala build it publishes; a coordination mode that release supports. Roles are a closed set.

use crate::catalog::{Release, Version};
use crate::security::acls::{AclOperation, AclPattern, AclResource};
use serde::Serialize;
use std::fmt;

/// A checked absolute path: starts with `/`, is not `/`, has no empty/`.`/`..` element, no trailing `/`, and no
/// whitespace, commas or shell metacharacters — safe to put in `log.dirs`, a unit file and a shell command.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AbsPath(pub(crate) String);

impl AbsPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// This path with one more (checked) element; `name` must itself be shell-safe with no `/`.
    pub fn join(&self, name: &str) -> AbsPath {
        debug_assert!(!name.is_empty() && !name.contains('/'));
        AbsPath(format!("{}/{}", self.0, name))
    }
    /// True when `other` is this path or lies below it.
    pub fn contains(&self, other: &AbsPath) -> bool {
        other.0 == self.0 || other.0.starts_with(&format!("{}/", self.0))
    }
}

impl fmt::Display for AbsPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A host name (RFC 1123 DNS name) or an IPv4/IPv6 literal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NetAddress(pub(crate) String);

impl NetAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The form used in `host:port` strings: IPv6 literals in brackets.
    pub fn for_host_port(&self) -> String {
        if self.0.contains(':') {
            format!("[{}]", self.0)
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for NetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// JVM heap size, e.g. `1g`: rendered as `-Xms1g -Xmx1g` (equal, as Kafka's docs advise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeapSize {
    /// The size in MiB (for checks).
    pub mib: u64,
    /// The size as the JVM takes it (`512m`, `2g`).
    pub jvm: String,
}

impl HeapSize {
    pub fn jvm_options(&self) -> String {
        format!("-Xms{0} -Xmx{0}", self.jvm)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Broker,
    Controller,
    Zookeeper,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Broker, Role::Controller, Role::Zookeeper];
    pub fn name(self) -> &'static str {
        match self {
            Role::Broker => "broker",
            Role::Controller => "controller",
            Role::Zookeeper => "zookeeper",
        }
    }
}

/// SSH access to one host (project defaults with the host's overrides applied). Holds no secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SshSettings {
    pub user: String,
    pub port: u16,
    /// As written (may start with `~`); expanded by the transport.
    pub identity_file: Option<String>,
    pub known_hosts: Option<String>,
    /// Run privileged steps through sudo (default: when `user` is not root): `sudo -n` (passwordless), or
    /// `sudo -S` with the run's become password where the host's sudo asks for one (`transport/sudo.rs`).
    pub sudo: bool,
    /// The jump host (bastion) the connection goes through (`jump = "user@bastion:22"`; `"none"` for no jump).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jump: Option<JumpHost>,
    /// `use_ssh_config = true`: `~/.ssh/config` fills in what the project leaves unset (`transport/ssh_config.rs`);
    /// records which values the project set itself, since those win.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_config: Option<ProjectSet>,
}

/// A jump host (bastion): `[user@]host[:port]`. Without a user, the host's own SSH user logs in to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JumpHost {
    pub user: Option<String>,
    pub host: String,
    /// `None`: 22, or the jump host's `Port` in `~/.ssh/config` with `use_ssh_config`.
    pub port: Option<u16>,
}

impl std::fmt::Display for JumpHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        match (self.port, self.host.contains(':')) {
            (Some(port), true) => write!(f, "[{}]:{port}", self.host),
            (Some(port), false) => write!(f, "{}:{port}", self.host),
            (None, _) => f.write_str(&self.host),
        }
    }
}

/// Which SSH settings the project wrote itself (they win over `~/.ssh/config`); `identity_file` and `known_hosts`
/// are `None` in [`SshSettings`] when unset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProjectSet {
    pub user: bool,
    pub port: bool,
    /// A jump host or `jump = "none"`.
    pub jump: bool,
    pub sudo: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostSpec {
    pub name: NetAddress,
    pub address: Option<NetAddress>,
    pub roles: Vec<Role>,
    /// `broker.id` (ZooKeeper mode) or `node.id` (KRaft); set exactly when the host is a broker or controller.
    pub node_id: Option<u32>,
    /// ZooKeeper `myid` (1–255); set exactly when the host is an ensemble member.
    pub myid: Option<u8>,
    pub rack: Option<String>,
    pub data_dirs: Vec<AbsPath>,
    pub ssh: SshSettings,
    pub connection: Connection,
}

/// How the wizard reaches a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Connection {
    Ssh,
    /// The machine the wizard runs on (commands run directly, with `sudo -n` when not root and `ssh.sudo`).
    Local,
}

impl Connection {
    pub const ALL: [Connection; 2] = [Connection::Ssh, Connection::Local];
    /// The name as the project file writes it (`connection = "ssh"`).
    pub fn name(self) -> &'static str {
        match self {
            Connection::Ssh => "ssh",
            Connection::Local => "local",
        }
    }
}

impl Default for Connection {
    fn default() -> Self {
        super::defaults::CONNECTION
    }
}

impl HostSpec {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// How other machines reach this host: the address when given, else the name.
    pub fn reach(&self) -> &NetAddress {
        self.address.as_ref().unwrap_or(&self.name)
    }
    /// Runs `kafka-server.service` (a broker, a KRaft controller, or both).
    pub fn runs_kafka(&self) -> bool {
        self.has(Role::Broker) || self.has(Role::Controller)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZookeeperSpec {
    /// The ONE chroot every broker of this cluster shares, e.g. `/peter-kafka`.
    pub chroot: String,
    pub client_port: u16,
    pub quorum_port: u16,
    pub election_port: u16,
    pub data_dir: AbsPath,
    pub log_dir: AbsPath,
    pub heap: HeapSize,
    /// Extra JVM options, checked (`project::jvm_opts`): appended to the service's `KAFKA_OPTS`.
    pub jvm_opts: Vec<String>,
    pub tick_time: u32,
    pub init_limit: u32,
    pub sync_limit: u32,
    /// `zookeeper.quorum_tls`: a secured cluster's members speak TLS to each other (see
    /// [`ClusterSpec::zookeeper_quorum_tls`], which says when it applies).
    pub quorum_tls: bool,
    pub ensemble: Ensemble,
    /// Hosts with the role "controller" in a ZooKeeper-mode project: the KRaft controllers of a migration to KRaft
    /// (`apply::migrate`); `None` without them.
    pub migration: Option<MigrationSpec>,
}

/// A ZooKeeper-mode cluster's migration to KRaft (Apache's documented procedure, docs/facts/kafka.md §34): its
/// controllers' port, the stage the files are rendered for, and the cluster id the controllers are formatted with
/// (the running cluster's own, read from the brokers' storage — `None` until a run read it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MigrationSpec {
    pub controller_port: u16,
    pub stage: MigrationStage,
    pub cluster_id: Option<ClusterId>,
}

/// Where a migration to KRaft stands, in Apache's order. Validation gives a project [`MigrationStage::Migrating`]
/// (the first run's work); a run reads the stage from the hosts (`apply::migrate::judge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MigrationStage {
    /// The controllers run with the migration on and the brokers, still in ZooKeeper mode, talk to them: the
    /// active controller copies ZooKeeper's metadata, then writes every change to both (reversible).
    Migrating,
    /// The brokers run in KRaft mode; the controllers still write to ZooKeeper too (reversible).
    BrokersOnKraft,
    /// The controllers leave ZooKeeper (irreversible); the ensemble is stopped next.
    Finalized,
}

impl MigrationStage {
    pub fn id(self) -> &'static str {
        match self {
            MigrationStage::Migrating => "migrating",
            MigrationStage::BrokersOnKraft => "brokers-on-kraft",
            MigrationStage::Finalized => "finalized",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ensemble {
    /// Indexes into `ClusterSpec::hosts` of the members, in `myid` order.
    Managed(Vec<usize>),
    /// An existing ensemble the wizard does not install: `host:port` strings.
    External(Vec<String>),
}

/// A KRaft cluster id: 16 random bytes, base64url without padding (22 characters), as `kafka-storage random-uuid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClusterId(pub(crate) String);

impl ClusterId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KraftSpec {
    /// `None` until first generated and saved into the project file (see `project::ensure_cluster_id`).
    pub cluster_id: Option<ClusterId>,
    pub controller_port: u16,
    /// `kraft.quorum`: how the controller quorum's membership is kept (docs/facts/kafka.md §36).
    pub quorum: Quorum,
    /// `kraft.bootstrap_controllers`: a dynamic quorum's bootstrap controllers (node ids, each a project
    /// controller), in id order; `None`: every controller (a project before the key, or a cluster not yet created).
    pub bootstrap_controllers: Option<Vec<u32>>,
}

/// The first release with the dynamic controller quorum (KIP-853; docs/facts/kafka.md §36).
pub const DYNAMIC_QUORUM_SINCE: Version = Version::new(3, 9, 0);

/// The KRaft controller quorum's kind (`kraft.quorum`; absent = static, what every project before the key meant).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quorum {
    /// `kraft.version` 0: the voters are fixed in every node's `controller.quorum.voters`; membership never changes.
    #[default]
    Static,
    /// `kraft.version` 1 (Kafka 3.9+, KIP-853): the voters live in the metadata log, formatted with
    /// `--initial-controllers`, found through `controller.quorum.bootstrap.servers`; controllers can be added and
    /// removed on a running cluster (AddRaftVoter / RemoveRaftVoter).
    Dynamic,
}

impl Quorum {
    pub fn as_str(self) -> &'static str {
        match self {
            Quorum::Static => "static",
            Quorum::Dynamic => "dynamic",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Coordination {
    Zookeeper(ZookeeperSpec),
    Kraft(KraftSpec),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KafkaSpec {
    pub release: &'static Release,
    pub scala: String,
    pub install_dir: AbsPath,
    pub config_dir: AbsPath,
    pub log_dir: AbsPath,
    pub listener_port: u16,
    pub heap: HeapSize,
    /// Extra JVM options, checked (`project::jvm_opts`): appended to the service's `KAFKA_OPTS`.
    pub jvm_opts: Vec<String>,
    pub user: String,
    pub java_home: Option<AbsPath>,
    /// Base URL of a mirror with Apache's layout (`<mirror>/<version>/<tarball>`); checksums still come from Apache.
    pub mirror: Option<String>,
    /// Base URL trusted like Apache's own distribution (checksums come from here); `None` = Apache's servers.
    pub apache_url: Option<String>,
    /// A local tarball for offline installs.
    pub tarball: Option<String>,
    /// How the release reaches the hosts (`plan::distribution`).
    pub distribution: crate::plan::distribution::Distribution,
    /// Extra `server.properties` entries, sorted by key, already checked against the keys the wizard owns.
    pub properties: Vec<(String, String)>,
    /// ZooKeeper mode, during a version upgrade not yet finalized: the `inter.broker.protocol.version` the brokers
    /// keep speaking (the release they ran before). Never from the project file: `apply::upgrade` sets it from what
    /// the hosts hold; `None` (validation's value) writes no such key.
    pub protocol_pin: Option<String>,
}

impl KafkaSpec {
    /// `<install_dir>/kafka_<scala>-<version>`: the versioned directory the tarball unpacks to.
    pub fn versioned_dir(&self) -> AbsPath {
        self.install_dir.join(&self.release.dist_dir_name(&self.scala))
    }
    /// `<install_dir>/kafka`: the symlink units point at, so an upgrade is a link swap.
    pub fn current_link(&self) -> AbsPath {
        self.install_dir.join("kafka")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterSpec {
    pub name: String,
    pub kafka: KafkaSpec,
    pub coordination: Coordination,
    pub hosts: Vec<HostSpec>,
    /// `None`: plaintext without authentication (no `[security]`, or `protocol = "plaintext"`).
    pub security: Option<SecuritySpec>,
    /// `[preflight]`: what the checks before a deploy's first change require (`apply::preflight`).
    pub preflight: PreflightSpec,
    /// `[logging]`: the rotation of the services' log files (`render::logging`).
    pub logging: LoggingSpec,
    /// `[monitoring]`: the Prometheus JMX exporter (`render::monitoring`); `None`: no exporter.
    pub monitoring: Option<MonitoringSpec>,
}

/// `[monitoring] prometheus = true`, validated: the exporter's port in each service and where its jar comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonitoringSpec {
    /// In `kafka-server.service` (brokers and controllers).
    pub kafka_port: u16,
    /// In `zookeeper-server.service` (ensemble members the wizard runs).
    pub zookeeper_port: u16,
    /// A Maven-layout repository (http/https, no trailing slash); `None`: Maven Central.
    pub maven_url: Option<String>,
}

/// `[logging]`, validated: each log file is rotated at `max_file_mb` MiB and `max_files` rotated files are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LoggingSpec {
    /// 1 ..= [`LoggingSpec::MAX_FILE_MB`].
    pub max_file_mb: u32,
    /// 1 ..= [`LoggingSpec::MAX_FILES`].
    pub max_files: u32,
}

impl LoggingSpec {
    /// The largest `max_file_mb` accepted: 10 GiB.
    pub const MAX_FILE_MB: u32 = 10_240;
    /// The most rotated files accepted: each rotation renames every kept file, so a long chain makes it slow.
    pub const MAX_FILES: u32 = 100;
}

/// `[preflight]`, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PreflightSpec {
    /// Free MiB every data, log and ZooKeeper data directory needs; 0 = not checked.
    pub min_free_mb: u64,
}

/// How the cluster's listeners are protected (`security.protocol` other than plaintext).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// TLS only: encrypted, the brokers verified, clients not authenticated.
    Ssl,
    /// TLS, and every client logs in with SASL/SCRAM.
    SaslSsl,
}

impl Protection {
    /// Kafka's name for the protocol (`listener.security.protocol.map`, a client's `security.protocol`).
    pub fn kafka_name(self) -> &'static str {
        match self {
            Protection::Ssl => "SSL",
            Protection::SaslSsl => "SASL_SSL",
        }
    }
}

/// Where the cluster's certificates come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "ca")]
pub enum CertificateSource {
    /// The wizard's own CA for this cluster, kept in the secrets store; host certificates issued from it.
    Generate,
    /// The operator's CA and host certificates (PEM files on the wizard's machine, as written in the project).
    Provided { ca_cert: String, hosts: Vec<ProvidedHostCert> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProvidedHostCert {
    pub host: String,
    pub cert: String,
    pub key: String,
    /// The certificate's subject as Kafka names it (RFC 2253, `CN=h1,O=Example`): the node's principal on the mTLS
    /// controller listener (`User:<subject>`).
    pub subject: String,
}

/// `[security]`, validated: a protected cluster on a release that supports it (docs/facts/kafka.md §11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecuritySpec {
    pub protection: Protection,
    pub mechanism: crate::security::scram::ScramMechanism,
    pub certificates: CertificateSource,
    /// The super user; the wizard's own health checks log in as it.
    pub admin_user: String,
    /// Application users, without rights until ACLs grant them some.
    pub users: Vec<String>,
    pub acls: Vec<AclSpec>,
}

impl SecuritySpec {
    pub fn sasl(&self) -> bool {
        self.protection == Protection::SaslSsl
    }
    /// The principals the nodes present to each other on the controller listener (mTLS): super users.
    pub fn node_principals(&self) -> Vec<String> {
        match &self.certificates {
            CertificateSource::Generate => vec![format!("User:CN={}", crate::security::store::BROKER_CN)],
            CertificateSource::Provided { hosts, .. } => {
                let mut subjects: Vec<String> = hosts.iter().map(|h| format!("User:{}", h.subject)).collect();
                subjects.sort();
                subjects.dedup();
                subjects
            }
        }
    }
    /// Every SCRAM user the cluster knows: the admin, the brokers' own login, then the application users.
    pub fn scram_users(&self) -> Vec<&str> {
        let mut users = vec![self.admin_user.as_str(), BROKER_USER];
        users.extend(self.users.iter().map(String::as_str));
        users
    }
}

/// The SCRAM user brokers log in as to each other (inter-broker listener); a super user. Reserved.
pub const BROKER_USER: &str = "kafka-broker";

/// `[[security.acls]]`, validated (Kafka's names and codes: `security::acls`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AclSpec {
    pub user: String,
    pub resource: AclResource,
    pub name: String,
    pub pattern: AclPattern,
    pub operations: Vec<AclOperation>,
}

impl ClusterSpec {
    pub fn is_kraft(&self) -> bool {
        matches!(self.coordination, Coordination::Kraft(_))
    }
    pub fn brokers(&self) -> impl Iterator<Item = &HostSpec> {
        self.hosts.iter().filter(|h| h.has(Role::Broker))
    }
    pub fn controllers(&self) -> impl Iterator<Item = &HostSpec> {
        self.hosts.iter().filter(|h| h.has(Role::Controller))
    }
    /// The migration to KRaft of a ZooKeeper-mode cluster with controllers; `None` otherwise.
    pub fn migration(&self) -> Option<&MigrationSpec> {
        match &self.coordination {
            Coordination::Zookeeper(z) => z.migration.as_ref(),
            Coordination::Kraft(_) => None,
        }
    }
    /// The KRaft controllers' port: KRaft's, or a migration's; `None` in ZooKeeper mode without one.
    pub fn controller_port(&self) -> Option<u16> {
        match &self.coordination {
            Coordination::Kraft(k) => Some(k.controller_port),
            Coordination::Zookeeper(z) => z.migration.as_ref().map(|m| m.controller_port),
        }
    }
    /// A KRaft quorum runs (KRaft mode, or a ZooKeeper-mode cluster migrating to KRaft): its controllers vote, and
    /// DescribeQuorum proves it.
    pub fn has_kraft_quorum(&self) -> bool {
        self.is_kraft() || self.migration().is_some()
    }
    /// The host's Kafka process talks to ZooKeeper: a ZooKeeper-mode broker, until a migration moved the brokers
    /// to KRaft (a migration's controllers use ZooKeeper but never wait for it).
    pub fn kafka_uses_zookeeper(&self, host: &HostSpec) -> bool {
        match self.migration() {
            _ if self.is_kraft() || host.has(Role::Controller) => false,
            Some(m) => m.stage < MigrationStage::BrokersOnKraft,
            None => true,
        }
    }
    pub fn broker_count(&self) -> usize {
        self.brokers().count()
    }
    /// Whether the managed ensemble's members speak TLS to each other (`sslQuorum`, docs/facts/kafka.md §13): a
    /// secured ZooKeeper-mode cluster with `zookeeper.quorum_tls` (the default) and members of its own. Each member
    /// then holds the cluster's CA and a certificate of its own ([`ClusterSpec::holds_certificate`]).
    pub fn zookeeper_quorum_tls(&self) -> bool {
        matches!(&self.coordination, Coordination::Zookeeper(z) if z.quorum_tls && matches!(z.ensemble, Ensemble::Managed(_)))
            && self.security.is_some()
    }
    /// Whether `host` holds the cluster's CA and a certificate of its own on a secured cluster: it runs Kafka, or it
    /// is a member of an ensemble with quorum TLS.
    pub fn holds_certificate(&self, host: &HostSpec) -> bool {
        host.runs_kafka() || (self.zookeeper_quorum_tls() && host.has(Role::Zookeeper))
    }
    /// The ensemble members managed by this project (empty for an external ensemble or KRaft).
    pub fn zookeeper_members(&self) -> Vec<&HostSpec> {
        match &self.coordination {
            Coordination::Zookeeper(ZookeeperSpec { ensemble: Ensemble::Managed(members), .. }) => {
                members.iter().map(|&i| &self.hosts[i]).collect()
            }
            _ => Vec::new(),
        }
    }
}
