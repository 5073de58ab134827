//! The plan: what deploying a cluster does, per phase, host and step — pure data computed from the spec.
//!
//! The `plan` command prints it, the Review step shows it, `deploy --dry-run` prints it with facts, and the
//! export index lists its commands for applying by hand. Phases run in order with a barrier between them; hosts
//! within a phase run in parallel, except where the phase says otherwise (start order, rolling restarts).
//! `plan()` does no I/O and reads no clock.

use crate::project::spec::{AbsPath, ClusterSpec, Coordination, HostSpec, Role};
use crate::render::{self, GeneratedFile, Owner, KAFKA_UNIT, ZOOKEEPER_UNIT};
use crate::shell;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub cluster: String,
    pub phases: Vec<Phase>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub title: String,
    /// `Local` runs on the machine running the wizard; otherwise on every listed host.
    pub runs_on: RunsOn,
    pub hosts: Vec<HostSteps>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunsOn {
    Local,
    HostsInParallel,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostSteps {
    /// The host's name, or `local` for the local phase.
    pub host: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directory {
    pub path: AbsPath,
    pub owner: Owner,
    pub mode: u32,
    /// False for shared parents such as `/opt`: created when missing, but an existing one keeps its owner and mode.
    pub managed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Download the release tarball and Apache's `.sha512`, verify, keep in the local cache.
    FetchRelease {
        tarball: String,
        urls: Vec<String>,
        checksum_urls: Vec<String>,
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
    /// Upload the tarball once, verify its SHA-512 on the host, unpack it and point the symlink at it.
    InstallRelease {
        tarball: String,
        versioned_dir: AbsPath,
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
        config: AbsPath,
    },
    RegisterUnits {
        units: Vec<&'static str>,
    },
    StartUnit {
        unit: &'static str,
    },
    /// Wait until `srvr` on every member shows one leader and the rest followers.
    AwaitZookeeperQuorum {
        members: Vec<String>,
    },
    /// Wait until a Metadata request lists every expected broker id in one cluster.
    AwaitBrokers {
        broker_ids: Vec<u32>,
    },
}

impl Step {
    /// One line for people.
    pub fn title(&self) -> String {
        match self {
            Step::FetchRelease { tarball, .. } => format!("download {tarball} and verify its SHA-512 from Apache"),
            Step::CheckJava { min } => format!("check Java {min} or newer is installed"),
            Step::CreateServiceUser { user } => format!("create service user {user}"),
            Step::CreateDirectories { dirs } => {
                format!("create directories {}", dirs.iter().map(|d| d.path.as_str()).collect::<Vec<_>>().join(", "))
            }
            Step::InstallRelease { tarball, link, .. } => format!("upload {tarball}, verify, unpack and link {link}"),
            Step::WriteFile { path, .. } => format!("write {path}"),
            Step::FormatStorage { .. } => "format KRaft storage with the cluster id".to_string(),
            Step::RegisterUnits { units } => format!("register and enable {}", units.join(", ")),
            Step::StartUnit { unit } => format!("start {unit}"),
            Step::AwaitZookeeperQuorum { members } => format!("wait for a ZooKeeper quorum of {}", members.len()),
            Step::AwaitBrokers { broker_ids } => format!("wait until brokers {broker_ids:?} are in the cluster"),
        }
    }
}

pub fn plan(spec: &ClusterSpec) -> Plan {
    let release = spec.kafka.release;
    let scala = &spec.kafka.scala;
    let tarball = release.tarball_name(scala);
    let trusted = |file: &str| match &spec.kafka.apache_url {
        Some(base) => vec![format!("{base}/{}/{file}", release.version)],
        None => release.apache_urls(file),
    };
    let urls = match &spec.kafka.mirror {
        Some(mirror) => vec![format!("{mirror}/{}/{tarball}", release.version)],
        None => trusted(&tarball),
    };
    let checksum_urls = trusted(&format!("{tarball}.sha512"));
    let mut phases = vec![Phase {
        name: "fetch",
        title: "Download and verify the release".into(),
        runs_on: RunsOn::Local,
        hosts: vec![HostSteps {
            host: "local".into(),
            steps: vec![Step::FetchRelease { tarball: tarball.clone(), urls, checksum_urls }],
        }],
    }];

    let all = |f: &dyn Fn(&HostSpec) -> Vec<Step>| -> Vec<HostSteps> {
        spec.hosts
            .iter()
            .map(|h| HostSteps { host: h.name.to_string(), steps: f(h) })
            .filter(|h| !h.steps.is_empty())
            .collect()
    };
    phases.push(Phase {
        name: "prepare",
        title: "Check Java, create the service user and directories".into(),
        runs_on: RunsOn::HostsInParallel,
        hosts: all(&|h| {
            vec![
                Step::CheckJava { min: release.java.min },
                Step::CreateServiceUser { user: spec.kafka.user.clone() },
                Step::CreateDirectories { dirs: directories(spec, h) },
            ]
        }),
    });
    phases.push(Phase {
        name: "install",
        title: "Upload and unpack the release".into(),
        runs_on: RunsOn::HostsInParallel,
        hosts: all(&|_| {
            vec![Step::InstallRelease {
                tarball: tarball.clone(),
                versioned_dir: spec.kafka.versioned_dir(),
                link: spec.kafka.current_link(),
            }]
        }),
    });
    phases.push(Phase {
        name: "configure",
        title: "Write configuration, environment and units".into(),
        runs_on: RunsOn::HostsInParallel,
        hosts: all(&|h| {
            let mut steps: Vec<Step> = render::render_host(spec, h).iter().map(write_step).collect();
            if let Coordination::Kraft(k) = &spec.coordination {
                if h.runs_kafka() {
                    steps.push(Step::FormatStorage {
                        cluster_id: k.cluster_id.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(),
                        config: spec.kafka.config_dir.join("server.properties"),
                    });
                }
            }
            steps
        }),
    });
    phases.push(Phase {
        name: "register",
        title: "Register and enable the systemd units".into(),
        runs_on: RunsOn::HostsInParallel,
        hosts: all(&|h| {
            let units = units_of(h);
            if units.is_empty() {
                vec![]
            } else {
                vec![Step::RegisterUnits { units }]
            }
        }),
    });

    let start = |name: &'static str, title: &str, unit: &'static str, pick: &dyn Fn(&HostSpec) -> bool| Phase {
        name,
        title: title.into(),
        runs_on: RunsOn::HostsInParallel,
        hosts: spec
            .hosts
            .iter()
            .filter(|h| pick(h))
            .map(|h| HostSteps { host: h.name.to_string(), steps: vec![Step::StartUnit { unit }] })
            .collect(),
    };
    let mut broker_ids: Vec<u32> = spec.brokers().filter_map(|h| h.node_id).collect();
    broker_ids.sort_unstable();
    match &spec.coordination {
        Coordination::Zookeeper(_) => {
            let members: Vec<String> = spec.zookeeper_members().iter().map(|m| m.name.to_string()).collect();
            if !members.is_empty() {
                let mut phase = start("start-zookeeper", "Start the ZooKeeper ensemble", ZOOKEEPER_UNIT, &|h| {
                    h.has(Role::Zookeeper)
                });
                phase
                    .hosts
                    .push(HostSteps { host: "local".into(), steps: vec![Step::AwaitZookeeperQuorum { members }] });
                phases.push(phase);
            }
        }
        Coordination::Kraft(_) => {
            if spec.hosts.iter().any(|h| h.has(Role::Controller) && !h.has(Role::Broker)) {
                phases.push(start("start-controllers", "Start the KRaft controllers", KAFKA_UNIT, &|h| {
                    h.has(Role::Controller) && !h.has(Role::Broker)
                }));
            }
        }
    }
    let mut brokers = start("start-brokers", "Start the brokers", KAFKA_UNIT, &|h| h.has(Role::Broker));
    brokers.hosts.push(HostSteps { host: "local".into(), steps: vec![Step::AwaitBrokers { broker_ids }] });
    phases.push(brokers);
    Plan { cluster: spec.name.clone(), phases }
}

fn write_step(file: &GeneratedFile) -> Step {
    Step::WriteFile { path: file.path.clone(), owner: file.owner, mode: file.mode }
}

fn units_of(h: &HostSpec) -> Vec<&'static str> {
    let mut units = Vec::new();
    if h.has(Role::Zookeeper) {
        units.push(ZOOKEEPER_UNIT);
    }
    if h.runs_kafka() {
        units.push(KAFKA_UNIT);
    }
    units
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
    }
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, h.has(Role::Zookeeper)) {
        dirs.push(dir(&z.data_dir, Owner::Service, 0o750));
        dirs.push(dir(&z.log_dir, Owner::Service, 0o750));
    }
    dirs
}

/// `-o user -g group` arguments for `install`.
fn owner_args(owner: Owner, user: &str) -> [String; 4] {
    let (u, g) = match owner {
        Owner::Root => ("root", "root"),
        Owner::RootServiceGroup => ("root", user),
        Owner::Service => (user, user),
    };
    ["-o".into(), u.into(), "-g".into(), g.into()]
}

/// Shell commands that carry out `step` by hand (the export index). `export_dir` is where the exported host files
/// are, relative to the directory the commands run in.
/// Where the export index tells the operator to copy a host's exported folder before applying it by hand.
pub const UPLOAD_DIR: &str = "/tmp/kafka-wizard";

pub fn manual_commands(spec: &ClusterSpec, step: &Step, host: &str) -> Vec<String> {
    let user = &spec.kafka.user;
    match step {
        Step::FetchRelease { tarball, urls, checksum_urls } => vec![
            shell::join(&["curl", "-fLO", &urls[0]]),
            shell::join(&["curl", "-fLO", &checksum_urls[0]]),
            format!(
                "test \"$(cut -d: -f2- {sha} | tr -d ' \\r\\n' | tr A-F a-f)\" = \"$(sha512sum {t} | cut -d' ' -f1)\" && echo checksum OK",
                sha = shell::quote(&format!("{tarball}.sha512")),
                t = shell::quote(tarball)
            ),
        ],
        Step::CheckJava { min } => vec![format!("java -version   # needs Java {min} or newer")],
        Step::CreateServiceUser { user } => vec![
            format!("getent group {u} >/dev/null || groupadd --system {u}", u = shell::quote(user)),
            format!(
                "id -u {u} >/dev/null 2>&1 || useradd --system --gid {u} --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin {u}",
                u = shell::quote(user)
            ),
        ],
        Step::CreateDirectories { dirs } => dirs
            .iter()
            .map(|d| {
                if !d.managed {
                    return shell::join(&["mkdir", "-p", d.path.as_str()]);
                }
                let mut words: Vec<String> = vec!["install".into(), "-d".into(), "-m".into(), format!("{:04o}", d.mode)];
                words.extend(owner_args(d.owner, user));
                words.push(d.path.to_string());
                shell::join(&words)
            })
            .collect(),
        Step::InstallRelease { tarball, versioned_dir, link } => {
            let install_dir = &spec.kafka.install_dir;
            vec![
                format!("scp {} root@{}:/tmp/   # from the machine that downloaded it", shell::quote(tarball), shell::quote(host)),
                shell::join(&["tar", "-xzf", &format!("/tmp/{tarball}"), "-C", install_dir.as_str(), "--no-same-owner"]),
                shell::join(&["test", "-d", versioned_dir.as_str()]),
                shell::join(&["ln", "-sfn", versioned_dir.as_str(), link.as_str()]),
            ]
        }
        Step::WriteFile { path, owner, mode } => {
            let mut words: Vec<String> = vec!["install".into(), "-m".into(), format!("{mode:04o}")];
            words.extend(owner_args(*owner, user));
            words.push(format!("{UPLOAD_DIR}{path}"));
            words.push(path.clone());
            vec![shell::join(&words)]
        }
        Step::FormatStorage { cluster_id, config } => vec![shell::join(&[
            "runuser",
            "-u",
            user,
            "--",
            &format!("{}/bin/kafka-storage.sh", spec.kafka.current_link()),
            "format",
            "--ignore-formatted",
            "-t",
            cluster_id,
            "-c",
            config.as_str(),
        ])],
        Step::RegisterUnits { units } => {
            let mut enable = vec!["systemctl".to_string(), "enable".into()];
            enable.extend(units.iter().map(|u| u.to_string()));
            vec!["systemctl daemon-reload".into(), shell::join(&enable)]
        }
        Step::StartUnit { unit } => vec![shell::join(&["systemctl", "start", unit])],
        Step::AwaitZookeeperQuorum { members } => {
            let port = match &spec.coordination {
                Coordination::Zookeeper(z) => z.client_port,
                _ => 2181,
            };
            members
                .iter()
                .map(|m| format!("echo srvr | nc {} {port} | grep Mode   # one leader, the others follower", shell::quote(m)))
                .collect()
        }
        Step::AwaitBrokers { broker_ids } => {
            let first = spec.brokers().next().map(|b| b.reach().for_host_port()).unwrap_or_default();
            vec![format!(
                "{}/bin/kafka-broker-api-versions.sh --bootstrap-server {first}:{} | grep -c 'id:'   # expect {} brokers",
                spec.kafka.current_link(),
                spec.kafka.listener_port,
                broker_ids.len()
            )]
        }
    }
}
