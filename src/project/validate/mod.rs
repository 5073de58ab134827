//! Validation: turns a [`ProjectDraft`] into a [`ClusterSpec`], reporting ALL problems at once.
//!
//! Every problem names the field it is about and says what to do. Errors block the project; warnings (an even
//! ensemble, ZooKeeper next to a broker, combined KRaft nodes, a withdrawn release) do not. Never panics: the
//! draft may be anything a user or a fuzzer typed.
//!
//! This module owns the entry points ([`validate`], [`check_host_reach`]) and the order of the checks; each concern
//! has its own module: `kafka` (the `[kafka]` section), `hosts` (`[[hosts]]` one by one and against each other),
//! `ssh` (SSH settings with per-host overrides), `coordination` (`[zookeeper]` / `[kraft]`), `security`
//! (`[security]`: TLS, SCRAM users, ACLs), `logging` (`[logging]`: log rotation), `cluster` (cross-field
//! rules on an otherwise valid cluster). Values left out come from [`super::defaults`].

mod cluster;
mod coordination;
mod hosts;
mod kafka;
mod logging;
mod monitoring;
mod security;
mod ssh;

pub use cluster::MIGRATION_MIN_VERSION;
pub use kafka::OWNED_PROPERTIES;
pub use security::OWNED_SECURITY_PROPERTIES;
pub use security::{MIN_KRAFT_SCRAM_RELEASE, MIN_TLS_RELEASE};

use super::checks;
use super::defaults;
use super::draft::ProjectDraft;
use super::problem::{text, Problem, Text};
use super::spec::*;

/// The result of validation: the spec when there are no errors, and every problem found (errors and warnings).
#[derive(Clone, Debug)]
pub struct Validation {
    pub spec: Option<ClusterSpec>,
    pub problems: Vec<Problem>,
}

impl Validation {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_error())
    }
}

/// Collects problems while checking; `Option`s carry values that passed.
pub(super) struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    pub(super) fn error(&mut self, field: impl Into<String>, message: Text) {
        self.problems.push(Problem::error(field, message));
    }
    pub(super) fn warning(&mut self, field: impl Into<String>, message: Text) {
        self.problems.push(Problem::warning(field, message));
    }
    /// Records the error of a check, if any, and passes the value on.
    pub(super) fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Text>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }
    pub(super) fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

/// What it takes to reach one host (Test connection), checked on its own so a host can be tried before the rest
/// of the project is complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostReach {
    pub name: NetAddress,
    pub address: Option<NetAddress>,
    pub ssh: SshSettings,
    pub connection: Connection,
    /// `kafka.java_home`, when set and valid: where the probe looks for Java.
    pub java_home: Option<AbsPath>,
}

impl HostReach {
    /// The address to connect to: `address` when set, else the name.
    pub fn reach(&self) -> &NetAddress {
        self.address.as_ref().unwrap_or(&self.name)
    }
}

/// Checks only what reaching host `index` needs: its name, address, connection and SSH settings (the project's
/// defaults merged with the host's overrides). Returns the problems of exactly those fields otherwise.
pub fn check_host_reach(draft: &ProjectDraft, index: usize) -> Result<HostReach, Vec<Problem>> {
    let mut c = Checker { problems: Vec::new() };
    let Some(h) = draft.hosts.get(index) else {
        return Err(vec![Problem::error(
            format!("hosts[{index}]"),
            text!(
                "there is no such host — add it on the Hosts step",
                "그런 호스트가 없습니다 — 호스트와 ID 단계에서 추가하세요"
            ),
        )]);
    };
    let at = |f: &str| format!("hosts[{index}].{f}");
    let (name, address) = hosts::check_name_and_address(&mut c, index, h);
    let ssh = ssh::merge_ssh(&mut c, &at("ssh"), &draft.ssh, h.ssh.as_ref());
    let connection = hosts::check_connection(&mut c, &at("connection"), h.connection.as_deref());
    let java_home = match draft.kafka.java_home.as_deref() {
        Some(j) => checks::abs_path(j).ok(),
        None => None,
    };
    match (name, address, ssh, connection) {
        (Some(name), Some(address), Some(ssh), Some(connection)) if !c.has_errors() => {
            Ok(HostReach { name, address, ssh, connection, java_home })
        }
        _ => Err(c.problems),
    }
}

pub fn validate(draft: &ProjectDraft) -> Validation {
    let mut c = Checker { problems: Vec::new() };
    let spec = check_project(&mut c, draft);
    let spec = if c.has_errors() { None } else { spec };
    Validation { spec, problems: c.problems }
}

fn check_project(c: &mut Checker, d: &ProjectDraft) -> Option<ClusterSpec> {
    let name = match d.name.as_deref() {
        None => {
            c.error(
                "name",
                text!(
                    "missing — name the cluster, e.g. name = \"my-kafka\" (used for the default chroot)",
                    "없습니다 — 클러스터 이름을 정하세요. 예: name = \"my-kafka\" (기본 chroot에 쓰입니다)"
                ),
            );
            None
        }
        Some(raw) => c.check("name", checks::cluster_name(raw)),
    };

    let kafka = kafka::check_kafka(c, d);
    coordination::check_sections_match_mode(c, d, kafka.kraft);
    let hosts = hosts::check_hosts(c, d, kafka.kraft, kafka.data_dirs.as_deref());
    let security = security::check_security(c, d, kafka.release, kafka.kraft, hosts.as_deref());
    // The coordination sections are checked even when hosts have problems, so all problems show at once.
    let coordination = match kafka.kraft? {
        true => {
            Coordination::Kraft(coordination::check_kraft(c, d, hosts.as_deref(), kafka.listener_port, kafka.release)?)
        }
        false => Coordination::Zookeeper(coordination::check_zookeeper(
            c,
            d,
            hosts.as_deref(),
            name.as_deref(),
            kafka.listener_port,
        )?),
    };
    let preflight = check_preflight(c, d);
    let logging = logging::check_logging(c, d);
    let monitoring = monitoring::check_monitoring(c, d);
    let spec = ClusterSpec {
        name: name?,
        kafka: kafka.into_spec()?,
        coordination,
        hosts: hosts?,
        security: security?,
        preflight: preflight?,
        logging: logging?,
        monitoring: monitoring?,
    };
    cluster::check_cluster(c, &spec);
    Some(spec)
}

/// `[preflight]`: `min_free_mb` a whole number of MiB, 0 or more (0 turns the free-space check off).
fn check_preflight(c: &mut Checker, d: &ProjectDraft) -> Option<PreflightSpec> {
    let raw = d.preflight.as_ref().and_then(|p| p.min_free_mb);
    match raw.map(u64::try_from) {
        None => Some(PreflightSpec { min_free_mb: defaults::MIN_FREE_MB }),
        Some(Ok(min_free_mb)) => Some(PreflightSpec { min_free_mb }),
        Some(Err(_)) => {
            let v = raw.unwrap_or_default();
            c.error(
                "preflight.min_free_mb",
                text!(
                    "{v} is negative — give the free MiB each data and log directory needs (0 turns the check off)",
                    "{v}은(는) 음수입니다 — 데이터·로그 디렉터리마다 필요한 여유 공간을 MiB로 쓰세요 (0이면 검사하지 않습니다)"
                ),
            );
            None
        }
    }
}

pub(super) fn path_or_default(c: &mut Checker, field: &str, raw: Option<&str>, default: &str) -> Option<AbsPath> {
    c.check(field, checks::abs_path(raw.unwrap_or(default)))
}

/// A directory the deploy gives to the service user (`install -d -o <user>`), or its default: never a system
/// directory itself ([`checks::service_dir`]); `suggested_leaf` is the subdirectory the message proposes.
pub(super) fn service_dir_or_default(
    c: &mut Checker,
    field: &str,
    raw: Option<&str>,
    default: &str,
    suggested_leaf: &str,
) -> Option<AbsPath> {
    c.check(field, checks::service_dir(raw.unwrap_or(default), suggested_leaf))
}

/// A file on the wizard's machine given by a relative path is read from wherever the wizard runs (the CLI's working
/// directory; inside the AppImage, the image) — not from the project file's folder, as one might expect.
pub(super) fn warn_relative(c: &mut Checker, field: &str, path: &str) {
    if !path.starts_with('/') && !path.starts_with('~') {
        c.warning(field, text!("{path:?} is relative: it is read from the directory the wizard runs in, not from the project file's folder — write it absolute or from ~/ so the CLI and the app find the same file", "{path:?}은(는) 상대 경로입니다: 프로젝트 파일이 있는 폴더가 아니라 마법사가 실행되는 디렉터리를 기준으로 읽힙니다 — CLI와 앱이 같은 파일을 찾도록 절대 경로나 ~/로 시작하는 경로를 쓰세요"));
    }
}
