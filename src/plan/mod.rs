//! The plan: what deploying a cluster does, per phase, host and step — typed data computed from the spec.
//!
//! The `plan` command prints it, the Review step shows it, `deploy --dry-run` decides it against each host's facts,
//! the runner carries it out, and the export index lists its commands for applying by hand. A phase is one of
//! five kinds of [`Work`]: fetching the release on the wizard's machine, steps on hosts (hosts in parallel, each
//! host's steps in order), starting a service on hosts followed by the [`Health`] conditions that prove it (the
//! same conditions `start`, `restart` and `status` use), making a secured cluster's SCRAM users match the project
//! ([`ReconcileScramUsers`]), and, last, setting the ACLs of its application users ([`ReconcileAcls`]). Phases run
//! in order with a barrier between them.
//! `plan()` does no I/O and reads no clock.

pub mod argfile;
pub mod convert_quorum;
pub mod distribution;
pub mod leftovers;
pub mod limit;
mod manual;
pub mod roll;
pub mod rotate_ca;
pub mod scram_users;

pub use limit::{Intent, Limit, LimitError, Running};
pub use manual::{
    acl_commands, convert_quorum_commands, fetch_commands, health_commands, in_host_folder, manual_commands,
    scram_user_commands, sha512_check, start_commands, HOST_FOLDER,
};

use crate::project::spec::{AbsPath, ClusterSpec, Coordination, HostSpec, Quorum, Role};
use crate::render::{self, GeneratedFile, Owner, Service};
use crate::security::acls::{self, AclGrant};
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Plan {
    pub cluster: String,
    pub phases: Vec<Phase>,
    /// `[monitoring]`: every exporter Prometheus scrapes once the plan ran (empty without it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<render::monitoring::ScrapeTarget>>")]
    pub scrape_targets: Vec<render::monitoring::ScrapeTarget>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Phase {
    /// Serialised as `name` (its id), as earlier versions printed it.
    #[serde(rename = "name")]
    pub kind: PhaseKind,
    pub title: String,
    pub work: Work,
}

impl Plan {
    /// Every step the plan gives `host`, in order.
    pub fn host_steps<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a HostStep> + 'a {
        self.phases.iter().flat_map(move |p| match &p.work {
            Work::OnHosts { hosts } => hosts.iter().filter(|h| h.host == host).flat_map(|h| h.steps.iter()).collect(),
            _ => Vec::new(),
        })
    }
}

/// Which phase this is. Its [`PhaseKind::id`] names it in events and JSON; code matches on the kind itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, TS)]
pub enum PhaseKind {
    #[ts(rename = PhaseKind::Fetch.id())]
    Fetch,
    #[ts(rename = PhaseKind::Prepare.id())]
    Prepare,
    #[ts(rename = PhaseKind::Install.id())]
    Install,
    #[ts(rename = PhaseKind::Configure.id())]
    Configure,
    #[ts(rename = PhaseKind::Register.id())]
    Register,
    #[ts(rename = PhaseKind::StartZookeeper.id())]
    StartZookeeper,
    #[ts(rename = PhaseKind::StartControllers.id())]
    StartControllers,
    /// ZooKeeper mode with SASL: the SCRAM users written into ZooKeeper, after the ensemble and before the brokers.
    #[ts(rename = PhaseKind::ZookeeperScramUsers.id())]
    ZookeeperScramUsers,
    #[ts(rename = PhaseKind::StartBrokers.id())]
    StartBrokers,
    #[ts(rename = PhaseKind::ScramUsers.id())]
    ScramUsers,
    #[ts(rename = PhaseKind::ApplyAcls.id())]
    ApplyAcls,
    /// CA rotation (`rotate_ca.rs`), pass 1: every Kafka node trusts the old and the new CA.
    #[ts(rename = PhaseKind::CaTrustBoth.id())]
    CaTrustBoth,
    /// CA rotation, pass 2: every Kafka node presents a certificate of the new CA.
    #[ts(rename = PhaseKind::CaNewCertificates.id())]
    CaNewCertificates,
    /// CA rotation, pass 3: the old CA leaves every truststore.
    #[ts(rename = PhaseKind::CaDropOld.id())]
    CaDropOld,
    /// A version upgrade's own work (`apply::upgrade`): where it stands, and finalize's `metadata.version` update
    /// after the start phases (KRaft). Not in `plan()`: a run adds it from what the hosts hold.
    #[ts(rename = PhaseKind::Upgrade.id())]
    Upgrade,
    /// A migration to KRaft's own work (`apply::migrate`): where it stands, the wait for the metadata copy, the
    /// ensemble stopped at finalize. Not in `plan()`: a run adds it from what the hosts hold.
    #[ts(rename = PhaseKind::Migrate.id())]
    Migrate,
    /// A static controller quorum made dynamic (`convert_quorum.rs`; only in a run with `--convert-quorum`).
    #[ts(rename = PhaseKind::ConvertQuorum.id())]
    ConvertQuorum,
}

impl PhaseKind {
    /// A stable id for events and logs (`fetch`, `start-brokers`).
    pub fn id(self) -> &'static str {
        match self {
            PhaseKind::Fetch => "fetch",
            PhaseKind::Prepare => "prepare",
            PhaseKind::Install => "install",
            PhaseKind::Configure => "configure",
            PhaseKind::Register => "register",
            PhaseKind::StartZookeeper => "start-zookeeper",
            PhaseKind::StartControllers => "start-controllers",
            PhaseKind::ZookeeperScramUsers => "zookeeper-scram-users",
            PhaseKind::StartBrokers => "start-brokers",
            PhaseKind::ScramUsers => "scram-users",
            PhaseKind::ApplyAcls => "apply-acls",
            PhaseKind::CaTrustBoth => "ca-trust-both",
            PhaseKind::CaNewCertificates => "ca-new-certificates",
            PhaseKind::CaDropOld => "ca-drop-old",
            PhaseKind::Upgrade => "upgrade",
            PhaseKind::Migrate => "migrate",
            PhaseKind::ConvertQuorum => "convert-quorum",
        }
    }

    /// The hosts a start phase is about, as operations name them (`stop-brokers`, "Stop the controllers"); the
    /// phase's own id for the others.
    pub fn group(self) -> &'static str {
        match self {
            PhaseKind::StartZookeeper => "zookeeper",
            PhaseKind::StartControllers => "controllers",
            PhaseKind::StartBrokers => "brokers",
            other => other.id(),
        }
    }
}

impl Serialize for PhaseKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// What a phase does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "work", rename_all = "snake_case")]
pub enum Work {
    /// On the wizard's machine: download the release and verify it (skipped when every host has it).
    Fetch(FetchRelease),
    /// Steps on hosts: hosts in parallel, each host's steps in order.
    OnHosts { hosts: Vec<HostSteps> },
    /// Start a service where it is stopped (all at once), restart it where this run changed what it runs (one host
    /// at a time), each followed by the health conditions, checked from the wizard's machine.
    Start(StartService),
    /// From the wizard's machine, as the admin over Kafka's protocol: make the running cluster hold exactly the
    /// project's ACLs for the application users.
    Acls(ReconcileAcls),
    /// From the wizard's machine, as the admin over Kafka's protocol: give every user of the project a SCRAM
    /// credential and delete those of users the wizard made that the project no longer lists.
    ScramUsers(ReconcileScramUsers),
    /// A CA rotation pass: one stage's TLS files written on every Kafka node, then Kafka rolled
    /// (`rotate_ca.rs`; only in a run that rotates the CA).
    RotateCa(rotate_ca::RotateCaPass),
    /// From the wizard's machine, over Kafka's protocol: a static controller quorum made dynamic (`kraft.version`
    /// 1), before the nodes get their new configuration (`convert_quorum.rs`; only with `--convert-quorum`).
    ConvertQuorum(convert_quorum::ConvertQuorum),
}

impl FetchRelease {
    /// One line for people.
    pub fn title(&self) -> String {
        let release = match &self.local_tarball {
            Some(local) => format!(
                "verify the offline tarball {local}: its SHA-512 and its OpenPGP signature {local}.asc, by a pinned \
                 Apache Kafka release manager's key or a key you trusted"
            ),
            None => format!(
                "download {} from {}, verify its SHA-512 from {} and its OpenPGP signature from {}, by a pinned Apache \
                 Kafka release manager's key or a key you trusted",
                self.tarball,
                origin(&self.urls),
                origin(&self.checksum_urls),
                origin(&self.signature_urls)
            ),
        };
        match &self.agent {
            None => release,
            Some(a) => format!("{release}; download {} and verify its pinned SHA-512", a.jar),
        }
    }
}

/// The first URL's scheme and host (`https://downloads.apache.org`), for a title.
fn origin(urls: &[String]) -> String {
    let Some(url) = urls.first() else { return "nowhere".into() };
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => url.clone(),
    }
}

impl StartService {
    /// One line for people.
    pub fn title(&self) -> String {
        format!("start {}", self.service.unit())
    }
}

/// The ACLs of the principals the wizard manages (`security.users`, as `User:<name>`): after this step the cluster
/// holds exactly `grants` for them — missing ones created, others of theirs deleted; every other principal's ACLs
/// (the admin, the brokers, anyone added by hand) untouched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ReconcileAcls {
    pub principals: Vec<String>,
    pub grants: Vec<AclGrant>,
}

impl ReconcileAcls {
    /// One line for people.
    pub fn title(&self) -> String {
        match self.grants.len() {
            0 => format!("give {} no ACL (the project grants none)", self.principals.join(", ")),
            n => format!("give {} exactly the project's {n} ACL(s)", self.principals.join(", ")),
        }
    }
}

/// The SCRAM users of a secured KRaft cluster (the admin and `security.users`): after this step each holds a
/// credential of `mechanism` with the secrets store's password — a user added after the format gets one — and a
/// user the wizard made (the store holds its password) that `users` no longer names is deleted from the cluster,
/// its ACLs with it, and dropped from the store. Users the wizard never made are never touched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ReconcileScramUsers {
    /// Kafka's name of the mechanism, `SCRAM-SHA-512`.
    pub mechanism: String,
    pub users: Vec<String>,
}

impl ReconcileScramUsers {
    /// One line for people.
    pub fn title(&self) -> String {
        format!(
            "give {} a {} credential; remove the users the project no longer lists",
            self.users.join(", "),
            self.mechanism
        )
    }
}

/// Download the release tarball (or read the offline one), verify its SHA-512 (Apache's `.sha512`) and its OpenPGP
/// signature (`.asc`, `download::signed`) against the pinned Apache Kafka release managers' keys and the keys the
/// user trusted, keep it in the local cache.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct FetchRelease {
    pub tarball: String,
    pub urls: Vec<String>,
    pub checksum_urls: Vec<String>,
    /// The detached signature: from the same place as the tarball first, then from the checksum's source.
    pub signature_urls: Vec<String>,
    /// Apache's `KEYS`, read for the pinned fingerprints' key material only (`verify::apache_keys`).
    pub keys_urls: Vec<String>,
    /// `kafka.tarball`: the offline tarball used instead of `urls`; its signature must be `<tarball>.asc` beside it.
    pub local_tarball: Option<String>,
    /// `[monitoring]`: the exporter jar too (skipped when every host has it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub agent: Option<FetchAgent>,
}

/// The Prometheus JMX exporter jar: downloaded from the first URL that has it and installed only when it hashes to
/// the SHA-512 pinned in the catalog (`catalog::agent`), so the repository it comes from needs no trust.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct FetchAgent {
    /// `jmx_prometheus_javaagent-1.0.1.jar`
    pub jar: String,
    pub urls: Vec<String>,
    /// Lowercase hex.
    pub sha512: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct HostSteps {
    pub host: String,
    pub steps: Vec<HostStep>,
}

/// One service started on some hosts, and what proves it healthy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct StartService {
    pub service: Service,
    pub hosts: Vec<String>,
    pub health: Vec<Health>,
    /// The next phase starts a service too, which waits for this one by itself (a broker for its ZooKeeper session or
    /// for the controllers): on a run that starts every node of both phases (none of them running — a new or wholly
    /// stopped cluster) the next phase starts right away and `health` is proven with the next phase's; otherwise,
    /// and always when unset, `health` holds before the next phase begins.
    pub overlap_next: bool,
}

/// A condition the cluster must reach, checked from the wizard's machine over Kafka's and ZooKeeper's own protocols
/// (`apply::wait`): polled after a start or restart, checked once by `status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "health", rename_all = "snake_case")]
pub enum Health {
    /// `srvr` on every member shows one leader and the rest followers.
    ZookeeperQuorum { members: Vec<String> },
    /// Every dedicated KRaft controller accepts connections on the controller port (controllers alone answer no
    /// Metadata; their quorum is proven through the brokers).
    ControllersListening { controllers: Vec<String> },
    /// Every broker's Metadata lists every expected broker id, all with one cluster id (KRaft: the project's).
    BrokersInCluster { broker_ids: Vec<u32> },
    /// Every partition of every topic (internal ones too) has a leader and all its replicas in its ISR, as every
    /// broker's Metadata says — no under-replicated and no offline partitions, so the next broker may go down.
    PartitionsReplicated,
    /// The KRaft quorum has a leader, its voters are exactly the controllers, and each voter is caught up to the
    /// quorum's high watermark (DescribeQuorum).
    KraftQuorum { voters: Vec<u32> },
    /// A dynamic quorum (`kraft.quorum = "dynamic"`): every controller votes — one added to the project joins as an
    /// observer, and once it caught up to the high watermark it is made a voter (AddRaftVoter) by this gate.
    QuorumJoined { controllers: Vec<u32> },
}

impl Health {
    /// One line for people (the plan).
    pub fn title(&self) -> String {
        match self {
            Health::ZookeeperQuorum { members } => format!("wait for a ZooKeeper quorum of {}", members.len()),
            Health::ControllersListening { controllers } => {
                format!("wait until controllers {} listen", controllers.join(", "))
            }
            Health::BrokersInCluster { broker_ids } => format!("wait until brokers {broker_ids:?} are in the cluster"),
            Health::PartitionsReplicated => {
                "wait until every partition has a leader and all its replicas in sync".into()
            }
            Health::KraftQuorum { voters } => format!("wait for a KRaft quorum of voters {voters:?}"),
            Health::QuorumJoined { controllers } => format!(
                "wait until controllers {controllers:?} vote: one new to the quorum is added as a voter (AddRaftVoter) once it caught up as an observer"
            ),
        }
    }

    /// The check's name in `status`, and what is waited for while polling (the log).
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Health::ZookeeperQuorum { .. } => {
                ("ZooKeeper quorum", "a ZooKeeper quorum (one leader, the rest followers)")
            }
            Health::ControllersListening { .. } => ("KRaft controllers listening", "the KRaft controllers listening"),
            Health::BrokersInCluster { .. } => ("brokers in one cluster", "every broker in one cluster"),
            Health::PartitionsReplicated => ("partitions replicated", "partitions fully replicated"),
            Health::KraftQuorum { .. } => ("KRaft quorum", "a KRaft quorum with every controller voting and caught up"),
            Health::QuorumJoined { .. } => ("controllers voting", "every controller a voter of the dynamic quorum"),
        }
    }

    /// The check's name in `status`.
    pub fn check_name(&self) -> &'static str {
        self.names().0
    }

    /// What is being waited for (the log while polling).
    pub fn waiting_for(&self) -> &'static str {
        self.names().1
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Directory {
    #[ts(as = "String")]
    pub path: AbsPath,
    pub owner: Owner,
    pub mode: u32,
    /// False for shared parents such as `/opt`: created when missing, but an existing one keeps its owner and mode.
    pub managed: bool,
}

/// A step carried out on one host: decided against the host's facts (`apply::decide`), idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum HostStep {
    /// Remove what an interrupted run left in `dirs` (and in the SSH user's home): temporary names no process on the
    /// host holds, or untouched for [`leftovers::STALE_MINUTES`] minutes, and a relay's key lines in the login's
    /// `authorized_keys` (`plan::leftovers`, `apply::leftovers`).
    RemoveLeftovers {
        dirs: Vec<String>,
    },
    /// Java on the host meets the release's requirement.
    CheckJava {
        min: u16,
    },
    /// The service account and its group exist (system account, no login shell).
    CreateServiceUser {
        user: String,
    },
    CreateDirectories {
        dirs: Vec<Directory>,
    },
    /// `[monitoring]`: upload the exporter jar to `path` (root-owned, 0644) unless the host has it, its SHA-512
    /// checked on the host against the pin.
    InstallAgent {
        jar: String,
        path: String,
        sha512: String,
    },
    /// Get the tarball onto the host (`from` the wizard or from a host holding a verified copy:
    /// `plan::distribution`), verify its SHA-512 on the host, unpack it and point the symlink at it.
    InstallRelease {
        tarball: String,
        from: distribution::ReleaseFrom,
        #[ts(as = "String")]
        versioned_dir: AbsPath,
        #[ts(as = "String")]
        link: AbsPath,
    },
    WriteFile {
        path: String,
        owner: Owner,
        mode: u32,
    },
    /// KRaft: format every log directory with the project's cluster id (skipped when already formatted with it).
    FormatStorage {
        cluster_id: String,
        #[ts(as = "String")]
        config: AbsPath,
        /// A dynamic quorum's controller: `--initial-controllers`' value, used when the cluster is new; a controller
        /// added to a running cluster is formatted with `--no-initial-controllers` instead (`render::quorum`).
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        initial_controllers: Option<String>,
    },
    RegisterUnits {
        units: Vec<Service>,
    },
    /// ZooKeeper mode with SASL: every SCRAM user's credential in ZooKeeper under the chroot (`connect`), which is
    /// created first when missing — through the brokers' ZooKeeper login, passwords read from a 0600 file (skipped
    /// for users already written with their current password).
    CreateScramUsers {
        users: Vec<String>,
        connect: String,
    },
}

impl HostStep {
    /// One line for people.
    pub fn title(&self) -> String {
        match self {
            HostStep::RemoveLeftovers { dirs } => {
                format!(
                    "remove what an interrupted run left in {} and the SSH user's home and authorized_keys",
                    dirs.join(", ")
                )
            }
            HostStep::CheckJava { min } => format!("check Java {min} or newer is installed"),
            HostStep::CreateServiceUser { user } => format!("create service user {user}"),
            HostStep::CreateDirectories { dirs } => {
                format!("create directories {}", dirs.iter().map(|d| d.path.as_str()).collect::<Vec<_>>().join(", "))
            }
            HostStep::InstallRelease { tarball, link, from, .. } => {
                format!("get {tarball} {}, verify, unpack and link {link}", from.title())
            }
            HostStep::InstallAgent { jar, path, .. } => format!("upload {jar} to {path} and verify its SHA-512"),
            HostStep::WriteFile { path, .. } => format!("write {path}"),
            HostStep::FormatStorage { .. } => "format KRaft storage with the cluster id".to_string(),
            HostStep::RegisterUnits { units } => {
                format!("register and enable {}", units.iter().map(|u| u.unit()).collect::<Vec<_>>().join(", "))
            }
            HostStep::CreateScramUsers { users, connect } => {
                format!("create SCRAM users {} in ZooKeeper ({connect})", users.join(", "))
            }
        }
    }
}

pub fn plan(spec: &ClusterSpec) -> Plan {
    let release = spec.kafka.release;
    let tarball = release.tarball_name(&spec.kafka.scala);
    let mut phases = vec![Phase {
        kind: PhaseKind::Fetch,
        title: "Download and verify the release".into(),
        work: Work::Fetch(fetch_release(spec)),
    }];
    let on_hosts = |kind, title: &str, f: &dyn Fn(&HostSpec) -> Vec<HostStep>| Phase {
        kind,
        title: title.into(),
        work: Work::OnHosts {
            hosts: spec
                .hosts
                .iter()
                .map(|h| HostSteps { host: h.name.to_string(), steps: f(h) })
                .filter(|h| !h.steps.is_empty())
                .collect(),
        },
    };
    phases.push(on_hosts(PhaseKind::Prepare, "Check Java, create the service user and directories", &|h| {
        vec![
            HostStep::RemoveLeftovers { dirs: leftovers::dirs(spec, h) },
            HostStep::CheckJava { min: release.java.min },
            HostStep::CreateServiceUser { user: spec.kafka.user.clone() },
            HostStep::CreateDirectories { dirs: directories(spec, h) },
        ]
    }));
    let names: Vec<String> = spec.hosts.iter().map(|h| h.name.to_string()).collect();
    let strategy = distribution::choose(spec.kafka.distribution, names.len());
    let sources = distribution::tree(&names, strategy.relay);
    let install_title = format!("Upload and unpack the release ({})", strategy.why);
    let agent = fetch_agent(spec);
    phases.push(on_hosts(PhaseKind::Install, &install_title, &|h| {
        let from = sources.iter().find(|(n, _)| n == h.name.as_str()).map(|(_, f)| f.clone());
        let mut steps = vec![HostStep::InstallRelease {
            tarball: tarball.clone(),
            from: from.unwrap_or(distribution::ReleaseFrom::Wizard),
            versioned_dir: spec.kafka.versioned_dir(),
            link: spec.kafka.current_link(),
        }];
        if let Some(a) = &agent {
            steps.push(HostStep::InstallAgent {
                jar: a.jar.clone(),
                path: render::monitoring::agent_path(spec),
                sha512: a.sha512.clone(),
            });
        }
        steps
    }));
    phases.push(on_hosts(PhaseKind::Configure, "Write configuration, environment and units", &|h| {
        let mut steps: Vec<HostStep> = render::render_host(spec, h).iter().map(write_step).collect();
        // KRaft: every node's storage; a migration to KRaft: its controllers' (the brokers keep theirs).
        let cluster_id = match (&spec.coordination, spec.migration()) {
            (Coordination::Kraft(k), _) if h.runs_kafka() => Some(&k.cluster_id),
            (_, Some(m)) if h.has(Role::Controller) => Some(&m.cluster_id),
            _ => None,
        };
        if let Some(id) = cluster_id {
            let cluster_id = id.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
            let initial_controllers = match &spec.coordination {
                Coordination::Kraft(k) if k.quorum == Quorum::Dynamic && h.has(Role::Controller) => {
                    Some(render::quorum::initial_controllers(spec, k, &cluster_id))
                }
                _ => None,
            };
            steps.push(HostStep::FormatStorage {
                cluster_id,
                config: spec.kafka.config_dir.join("server.properties"),
                initial_controllers,
            });
        }
        steps
    }));
    phases.push(on_hosts(PhaseKind::Register, "Register and enable the systemd units", &|h| {
        let units = Service::on(h);
        if units.is_empty() {
            vec![]
        } else {
            vec![HostStep::RegisterUnits { units }]
        }
    }));
    let mut starts = start_phases(spec);
    if let Some(scram) = scram_users::phase(spec) {
        let brokers = starts.iter().position(|p| p.kind == PhaseKind::StartBrokers).unwrap_or(starts.len());
        starts.insert(brokers, scram);
    }
    overlap_consecutive_starts(&mut starts);
    phases.extend(starts);
    if let Some(work) = reconcile_scram_users(spec) {
        phases.push(Phase {
            kind: PhaseKind::ScramUsers,
            title: "Make the cluster's SCRAM users match the project".into(),
            work: Work::ScramUsers(work),
        });
    }
    if let Some(work) = reconcile_acls(spec) {
        phases.push(Phase {
            kind: PhaseKind::ApplyAcls,
            title: "Apply the application users' ACLs".into(),
            work: Work::Acls(work),
        });
    }
    Plan { cluster: spec.name.clone(), phases, scrape_targets: render::monitoring::scrape_targets(spec) }
}

/// The ACL step of a cluster with SCRAM users (SASL_SSL and `security.users`); none otherwise.
fn reconcile_acls(spec: &ClusterSpec) -> Option<ReconcileAcls> {
    let security = spec.security.as_ref().filter(|s| s.sasl() && !s.users.is_empty())?;
    Some(ReconcileAcls { principals: acls::managed_principals(security), grants: acls::grants(security) })
}

/// The SCRAM users step of a cluster with SASL_SSL; none otherwise. In ZooKeeper mode it runs too, after the
/// `zookeeper-scram-users` step wrote the credentials into ZooKeeper: the brokers serve the same requests (Kafka
/// 2.7+, docs/facts/kafka.md §11), so it retires the users dropped from the project and restores a lost credential.
fn reconcile_scram_users(spec: &ClusterSpec) -> Option<ReconcileScramUsers> {
    let security = spec.security.as_ref().filter(|s| s.sasl())?;
    let mut users = vec![security.admin_user.clone()];
    users.extend(security.users.iter().cloned());
    Some(ReconcileScramUsers { mechanism: security.mechanism.name().to_string(), users })
}

fn fetch_release(spec: &ClusterSpec) -> FetchRelease {
    let release = spec.kafka.release;
    let tarball = release.tarball_name(&spec.kafka.scala);
    let trusted = |file: &str| match &spec.kafka.apache_url {
        Some(base) => vec![format!("{base}/{}/{file}", release.version)],
        None => release.apache_urls(file),
    };
    let urls = match &spec.kafka.mirror {
        Some(mirror) => vec![format!("{mirror}/{}/{tarball}", release.version)],
        None => trusted(&tarball),
    };
    let checksum_urls = trusted(&format!("{tarball}.sha512"));
    let mut signature_urls: Vec<String> = urls.iter().map(|u| format!("{u}.asc")).collect();
    for u in trusted(&format!("{tarball}.asc")) {
        if !signature_urls.contains(&u) {
            signature_urls.push(u);
        }
    }
    let keys_urls = match &spec.kafka.apache_url {
        Some(base) => vec![format!("{base}/KEYS")],
        None => crate::verify::apache_keys::keys_urls(),
    };
    let local_tarball = spec.kafka.tarball.clone();
    FetchRelease { tarball, urls, checksum_urls, signature_urls, keys_urls, local_tarball, agent: fetch_agent(spec) }
}

/// The exporter jar of a project with `[monitoring]`: from `monitoring.maven_url`, else Maven Central.
fn fetch_agent(spec: &ClusterSpec) -> Option<FetchAgent> {
    let m = spec.monitoring.as_ref()?;
    let agent = crate::catalog::agent::JMX_EXPORTER;
    let repository = m.maven_url.as_deref().unwrap_or(crate::catalog::agent::MAVEN_CENTRAL);
    Some(FetchAgent { jar: agent.file_name(), urls: vec![agent.url_in(repository)], sha512: agent.sha512.to_string() })
}

/// The start phases in start order — ZooKeeper (managed ensemble) or dedicated KRaft controllers, then brokers —
/// each with the health conditions that must hold before the next host or phase. `start`, `stop` (reversed) and
/// `restart` walk these too.
pub fn start_phases(spec: &ClusterSpec) -> Vec<Phase> {
    let names = |pick: &dyn Fn(&HostSpec) -> bool| -> Vec<String> {
        spec.hosts.iter().filter(|h| pick(h)).map(|h| h.name.to_string()).collect()
    };
    let start = |kind, title: &str, service, hosts: Vec<String>, health| Phase {
        kind,
        title: title.into(),
        work: Work::Start(StartService { service, hosts, health, overlap_next: false }),
    };
    let mut phases = Vec::new();
    if let Coordination::Zookeeper(_) = &spec.coordination {
        let members = names(&|h| h.has(Role::Zookeeper));
        if !members.is_empty() {
            let health = vec![Health::ZookeeperQuorum { members: members.clone() }];
            phases.push(start(
                PhaseKind::StartZookeeper,
                "Start the ZooKeeper ensemble",
                Service::Zookeeper,
                members,
                health,
            ));
        }
    }
    // KRaft's dedicated controllers, or a migration's (after the ensemble they copy from, before the brokers that
    // register with them).
    let dedicated = names(&|h| h.has(Role::Controller) && !h.has(Role::Broker));
    if spec.has_kraft_quorum() && !dedicated.is_empty() {
        let mut health = vec![Health::ControllersListening { controllers: dedicated.clone() }];
        // A migration's brokers roll next, which needs the quorum first; its controllers (Kafka 3.7+) answer
        // DescribeQuorum themselves.
        if spec.migration().is_some() {
            health.extend(kraft_quorum(spec));
        }
        phases.push(start(
            PhaseKind::StartControllers,
            "Start the KRaft controllers",
            Service::Kafka,
            dedicated,
            health,
        ));
    }
    let mut brokers_healthy = vec![brokers_in_cluster(spec), Health::PartitionsReplicated];
    brokers_healthy.extend(quorum_gates(spec));
    phases.push(start(
        PhaseKind::StartBrokers,
        "Start the brokers",
        Service::Kafka,
        names(&|h| h.has(Role::Broker)),
        brokers_healthy,
    ));
    phases
}

/// A deploy's start phase directly followed by another start phase may overlap it ([`StartService::overlap_next`]):
/// a broker waits for ZooKeeper or for the controllers by itself. Not across another phase (ZooKeeper-mode SCRAM
/// credentials must be in ZooKeeper before a broker starts).
fn overlap_consecutive_starts(phases: &mut [Phase]) {
    for n in 1..phases.len() {
        let next_starts = matches!(phases[n].work, Work::Start(_));
        if let (Work::Start(start), true) = (&mut phases[n - 1].work, next_starts) {
            start.overlap_next = true;
        }
    }
}

fn brokers_in_cluster(spec: &ClusterSpec) -> Health {
    let mut broker_ids: Vec<u32> = spec.brokers().filter_map(|h| h.node_id).collect();
    broker_ids.sort_unstable();
    Health::BrokersInCluster { broker_ids }
}

/// The gates after starting KRaft nodes: a dynamic quorum's joining controllers made voters, then the quorum.
fn quorum_gates(spec: &ClusterSpec) -> Vec<Health> {
    let joined = match &spec.coordination {
        Coordination::Kraft(k) if k.quorum == Quorum::Dynamic => {
            Some(Health::QuorumJoined { controllers: spec.controllers().filter_map(|h| h.node_id).collect() })
        }
        _ => None,
    };
    joined.into_iter().chain(kraft_quorum(spec)).collect()
}

fn kraft_quorum(spec: &ClusterSpec) -> Option<Health> {
    spec.has_kraft_quorum()
        .then(|| Health::KraftQuorum { voters: spec.controllers().filter_map(|h| h.node_id).collect() })
}

/// Every condition a healthy cluster meets (what `status` checks): the ZooKeeper quorum of a managed ensemble, the
/// KRaft quorum, the brokers in one cluster, every partition fully replicated.
pub fn cluster_health(spec: &ClusterSpec) -> Vec<Health> {
    let mut health = Vec::new();
    let members = spec.zookeeper_members();
    if !members.is_empty() {
        health.push(Health::ZookeeperQuorum { members: members.iter().map(|m| m.name.to_string()).collect() });
    }
    health.push(brokers_in_cluster(spec));
    health.push(Health::PartitionsReplicated);
    health.extend(kraft_quorum(spec));
    health
}

fn write_step(file: &GeneratedFile) -> HostStep {
    HostStep::WriteFile { path: file.path.clone(), owner: file.owner, mode: file.mode }
}

/// Directories a host needs, with owner and mode.
pub fn directories(spec: &ClusterSpec, h: &HostSpec) -> Vec<Directory> {
    let dir = |path: &AbsPath, owner, mode| Directory { path: path.clone(), owner, mode, managed: true };
    let mut dirs = vec![
        Directory { path: spec.kafka.install_dir.clone(), owner: Owner::Root, mode: 0o755, managed: false },
        dir(&spec.kafka.config_dir, Owner::RootServiceGroup, 0o750),
    ];
    if h.runs_kafka() {
        dirs.push(dir(&spec.kafka.log_dir, Owner::Service, 0o750));
        dirs.extend(h.data_dirs.iter().map(|d| dir(d, Owner::Service, 0o750)));
        if spec.security.is_some() {
            dirs.push(dir(&render::security::tls_dir(spec), Owner::RootServiceGroup, 0o750));
        }
    }
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, h.has(Role::Zookeeper)) {
        dirs.push(dir(&z.data_dir, Owner::Service, 0o750));
        dirs.push(dir(&z.log_dir, Owner::Service, 0o750));
        if !h.runs_kafka() && spec.security.is_some() && spec.holds_certificate(h) {
            // an ensemble-only member's quorum TLS files
            dirs.push(dir(&render::security::tls_dir(spec), Owner::RootServiceGroup, 0o750));
        }
    }
    dirs
}

#[cfg(test)]
mod tests;
