//! Validation: turns a [`ProjectDraft`] into a [`ClusterSpec`], reporting ALL problems at once.
//!
//! Every problem names the field it is about and says what to do. Errors block the project; warnings (an even
//! ensemble, ZooKeeper next to a broker, combined KRaft nodes, a withdrawn release) do not. Never panics: the
//! draft may be anything a user or a fuzzer typed.

use super::checks;
use super::draft::{HostDraft, ProjectDraft, SshDraft};
use super::problem::{text, Problem, Text};
use super::spec::*;
use crate::catalog::{self, KraftSupport, Release, Version};
use std::collections::{BTreeMap, HashMap};

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

/// `server.properties` keys the wizard writes itself, and the project field to change instead (English, Korean).
pub const OWNED_PROPERTIES: &[(&str, &str, &str)] = &[
    ("broker.id", "hosts[].id", "hosts[].id"),
    ("node.id", "hosts[].id", "hosts[].id"),
    ("log.dirs", "kafka.data_dirs (or hosts[].data_dirs)", "kafka.data_dirs(또는 hosts[].data_dirs)"),
    ("log.dir", "kafka.data_dirs (or hosts[].data_dirs)", "kafka.data_dirs(또는 hosts[].data_dirs)"),
    (
        "zookeeper.connect",
        "the [zookeeper] section and the hosts with role \"zookeeper\"",
        "[zookeeper] 섹션과 역할이 \"zookeeper\"인 호스트",
    ),
    ("process.roles", "hosts[].roles", "hosts[].roles"),
    ("listeners", "kafka.listener_port (and kraft.controller_port)", "kafka.listener_port(와 kraft.controller_port)"),
    ("advertised.listeners", "hosts[].address and kafka.listener_port", "hosts[].address와 kafka.listener_port"),
    (
        "listener.security.protocol.map",
        "kafka.listener_port (listeners are generated)",
        "kafka.listener_port(리스너는 자동으로 생성됩니다)",
    ),
    (
        "inter.broker.listener.name",
        "kafka.listener_port (listeners are generated)",
        "kafka.listener_port(리스너는 자동으로 생성됩니다)",
    ),
    (
        "controller.listener.names",
        "kraft.controller_port (listeners are generated)",
        "kraft.controller_port(리스너는 자동으로 생성됩니다)",
    ),
    ("controller.quorum.voters", "the hosts with role \"controller\"", "역할이 \"controller\"인 호스트"),
    ("controller.quorum.bootstrap.servers", "the hosts with role \"controller\"", "역할이 \"controller\"인 호스트"),
    ("broker.rack", "hosts[].rack", "hosts[].rack"),
];

/// Properties whose value may not exceed the number of brokers.
const REPLICA_COUNT_PROPERTIES: &[&str] = &[
    "default.replication.factor",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "min.insync.replicas",
    "share.coordinator.state.topic.replication.factor",
];

const DEFAULT_INSTALL_DIR: &str = "/opt";
const DEFAULT_CONFIG_DIR: &str = "/etc/kafka";
const DEFAULT_KAFKA_LOG_DIR: &str = "/var/log/kafka";
const DEFAULT_DATA_DIR: &str = "/var/lib/kafka/data";
const DEFAULT_ZK_DATA_DIR: &str = "/var/lib/zookeeper";
const DEFAULT_ZK_LOG_DIR: &str = "/var/log/zookeeper";

/// Collects problems while checking; `Option`s carry values that passed.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn error(&mut self, field: impl Into<String>, message: Text) {
        self.problems.push(Problem::error(field, message));
    }
    fn warning(&mut self, field: impl Into<String>, message: Text) {
        self.problems.push(Problem::warning(field, message));
    }
    /// Records the error of a check, if any, and passes the value on.
    fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Text>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }
    fn has_errors(&self) -> bool {
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
    let (name, address) = check_name_and_address(&mut c, index, h);
    let ssh = merge_ssh(&mut c, &at("ssh"), &draft.ssh, h.ssh.as_ref());
    let connection = check_connection(&mut c, &at("connection"), h.connection.as_deref());
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

/// A host's name and its optional address: `None` for a field that failed its check (`Some(None)`: no address).
fn check_name_and_address(
    c: &mut Checker,
    i: usize,
    h: &HostDraft,
) -> (Option<NetAddress>, Option<Option<NetAddress>>) {
    let at = |f: &str| format!("hosts[{i}].{f}");
    let name = if h.name.is_empty() {
        c.error(
            at("name"),
            text!(
                "missing — give the host name operators know it by, e.g. name = \"kafka1\"",
                "없습니다 — 운영자들이 부르는 호스트 이름을 입력하세요. 예: name = \"kafka1\""
            ),
        );
        None
    } else {
        c.check(at("name"), checks::net_address(&h.name))
    };
    let address = match h.address.as_deref() {
        Some(a) => c.check(at("address"), checks::net_address(a)).map(Some),
        None => Some(None),
    };
    (name, address)
}

fn check_connection(c: &mut Checker, field: &str, raw: Option<&str>) -> Option<Connection> {
    match raw {
        None | Some("ssh") => Some(Connection::Ssh),
        Some("local") => Some(Connection::Local),
        Some(other) => {
            c.error(
                field,
                text!(
                    "{other:?} is not a connection — write \"ssh\" (the default) or \"local\" (this machine)",
                    "{other:?}은(는) 연결 방식이 아닙니다 — \"ssh\"(기본값) 또는 \"local\"(이 컴퓨터)을 쓰세요"
                ),
            );
            None
        }
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

    let release = check_release(c, d);
    let scala = release.and_then(|r| check_scala(c, r, d.kafka.scala.as_deref()));
    let kraft = release.and_then(|r| check_mode(c, r, d.kafka.mode.as_deref()));

    let k = &d.kafka;
    let install_dir = path_or_default(c, "kafka.install_dir", k.install_dir.as_deref(), DEFAULT_INSTALL_DIR);
    let config_dir = path_or_default(c, "kafka.config_dir", k.config_dir.as_deref(), DEFAULT_CONFIG_DIR);
    let log_dir = path_or_default(c, "kafka.log_dir", k.log_dir.as_deref(), DEFAULT_KAFKA_LOG_DIR);
    let default_data_dirs = match &k.data_dirs {
        None => Some(vec![AbsPath(DEFAULT_DATA_DIR.into())]),
        Some(list) => check_data_dirs(c, "kafka.data_dirs", list),
    };
    let listener_port = c.check("kafka.listener_port", checks::service_port(k.listener_port.unwrap_or(9092)));
    let heap = c.check("kafka.heap", checks::heap(k.heap.as_deref().unwrap_or("1g")));
    let user = check_service_user(c, k.user.as_deref().unwrap_or("kafka"));
    let java_home = k.java_home.as_deref().and_then(|j| c.check("kafka.java_home", checks::abs_path(j)));
    let mirror = k.mirror.as_deref().and_then(|m| check_url(c, "kafka.mirror", m));
    let apache_url = k.apache_url.as_deref().and_then(|m| check_url(c, "kafka.apache_url", m));
    let tarball = k.tarball.as_deref().and_then(|t| c.check("kafka.tarball", checks::local_path(t)));
    if let Some(t) = &tarball {
        warn_relative(c, "kafka.tarball", t);
    }
    let properties = check_properties(c, &k.properties);

    for (field, dir) in [("kafka.config_dir", &config_dir), ("kafka.log_dir", &log_dir)] {
        if let (Some(dir), Some(install)) = (dir, &install_dir) {
            if install.contains(dir) || dir.contains(install) {
                c.error(field, text!("{dir} overlaps kafka.install_dir {install} — keep configuration and logs outside the install directory so an upgrade does not lose them", "{dir}이(가) kafka.install_dir {install}과(와) 겹칩니다 — 업그레이드할 때 잃지 않도록 설정과 로그는 설치 디렉터리 밖에 두세요"));
            }
        }
    }

    // Coordination sections must match the mode.
    if kraft == Some(true) && d.zookeeper.is_some() {
        c.error("zookeeper", text!("this project uses KRaft mode, which has no ZooKeeper — remove the [zookeeper] section or set kafka.mode = \"zookeeper\"", "이 프로젝트는 ZooKeeper가 없는 KRaft 모드를 씁니다 — [zookeeper] 섹션을 지우거나 kafka.mode = \"zookeeper\"로 설정하세요"));
    }
    if kraft == Some(false) && d.kraft.is_some() {
        c.error(
            "kraft",
            text!(
                "this project uses ZooKeeper mode — remove the [kraft] section or set kafka.mode = \"kraft\"",
                "이 프로젝트는 ZooKeeper 모드를 씁니다 — [kraft] 섹션을 지우거나 kafka.mode = \"kraft\"로 설정하세요"
            ),
        );
    }

    let hosts = check_hosts(c, d, kraft, default_data_dirs.as_deref());
    // The coordination sections are checked even when hosts have problems, so all problems show at once.
    let coordination = match kraft? {
        true => Coordination::Kraft(check_kraft(c, d, hosts.as_deref(), listener_port)?),
        false => Coordination::Zookeeper(check_zookeeper(c, d, hosts.as_deref(), name.as_deref())?),
    };
    let hosts = hosts?;

    let spec = ClusterSpec {
        name: name?,
        kafka: KafkaSpec {
            release: release?,
            scala: scala?,
            install_dir: install_dir?,
            config_dir: config_dir?,
            log_dir: log_dir?,
            listener_port: listener_port?,
            heap: heap?,
            user: user?,
            java_home,
            mirror,
            apache_url,
            tarball,
            properties: properties?,
        },
        coordination,
        hosts,
    };
    check_cluster(c, &spec);
    Some(spec)
}

fn check_release(c: &mut Checker, d: &ProjectDraft) -> Option<&'static Release> {
    let Some(raw) = d.kafka.version.as_deref() else {
        let newest = catalog::newest().version;
        c.error(
            "kafka.version",
            text!(
                "missing — choose an Apache Kafka release, e.g. version = \"{newest}\" (see `kafka-wizard versions`)",
                "없습니다 — Apache Kafka 릴리스를 고르세요. 예: version = \"{newest}\" (`kafka-wizard versions` 참고)"
            ),
        );
        return None;
    };
    let Some(version) = Version::parse(raw) else {
        c.error(
            "kafka.version",
            text!(
                "{raw:?} is not a release number — write it as major.minor.patch, e.g. \"3.9.1\"",
                "{raw:?}은(는) 릴리스 번호가 아닙니다 — major.minor.patch 형식으로 쓰세요. 예: \"3.9.1\""
            ),
        );
        return None;
    };
    let Some(release) = catalog::find(version) else {
        let (major, minor) = (version.major, version.minor);
        let Text { en: hint, ko: hint_ko } = match catalog::newest_in_line(major, minor) {
            Some(r) => {
                let newest = r.version;
                text!(
                    "the newest {major}.{minor} release is {newest}",
                    "{major}.{minor}의 최신 릴리스는 {newest}입니다"
                )
            }
            None => text!(
                "see `kafka-wizard versions` for the releases it knows (2.0.0 and later)",
                "알고 있는 릴리스(2.0.0 이상)는 `kafka-wizard versions`에서 확인하세요"
            ),
        };
        c.error(
            "kafka.version",
            text!(
                "{version} is not a known Apache Kafka release — {hint}",
                "{version}은(는) 알려진 Apache Kafka 릴리스가 아닙니다 — {hint_ko}"
            ),
        );
        return None;
    };
    if release.withdrawn {
        let fix =
            catalog::newest_in_line(version.major, version.minor).map(|r| r.version.to_string()).unwrap_or_default();
        c.warning(
            "kafka.version",
            text!(
                "{version} was withdrawn by the Kafka project after a significant bug was found (\"it is recommended that {version} not be used\") — use {fix} instead",
                "{version}은(는) 중대한 버그가 발견되어 Kafka 프로젝트가 철회한 릴리스입니다(\"it is recommended that {version} not be used\") — 대신 {fix}을(를) 쓰세요"
            ),
        );
    }
    Some(release)
}

fn check_scala(c: &mut Checker, release: &Release, raw: Option<&str>) -> Option<String> {
    match raw {
        None if release.supports_scala(catalog::DEFAULT_SCALA) => Some(catalog::DEFAULT_SCALA.to_string()),
        None => release.scala.last().map(|s| s.to_string()),
        Some(s) if release.supports_scala(s) => Some(s.to_string()),
        Some(s) => {
            let (v, list) = (release.version, release.scala.join(", "));
            c.error(
                "kafka.scala",
                text!(
                    "Kafka {v} is not published for Scala {s:?} — choose one of {list}",
                    "Kafka {v}은(는) Scala {s:?}용으로 배포되지 않습니다 — {list} 중 하나를 고르세요"
                ),
            );
            None
        }
    }
}

/// `Some(true)` for KRaft, `Some(false)` for ZooKeeper mode.
fn check_mode(c: &mut Checker, release: &Release, raw: Option<&str>) -> Option<bool> {
    let v = release.version;
    let kraft = match raw {
        Some("kraft") => true,
        Some("zookeeper") => false,
        Some(other) => {
            c.error(
                "kafka.mode",
                text!(
                    "{other:?} is not a mode — write \"zookeeper\" or \"kraft\"",
                    "{other:?}은(는) 모드가 아닙니다 — \"zookeeper\" 또는 \"kraft\"를 쓰세요"
                ),
            );
            return None;
        }
        None => match release.default_mode_is_kraft() {
            Some(kraft) => kraft,
            None => {
                c.error("kafka.mode", text!("required for Kafka {v}, which supports both — write mode = \"kraft\" (recommended for new clusters) or mode = \"zookeeper\"", "두 모드를 모두 지원하는 Kafka {v}에서는 필수입니다 — mode = \"kraft\"(새 클러스터에 권장) 또는 mode = \"zookeeper\"를 쓰세요"));
                return None;
            }
        },
    };
    if kraft && release.kraft != KraftSupport::Production {
        let (what, what_ko) = match release.kraft {
            KraftSupport::None => ("has no KRaft mode", "에는 KRaft 모드가 없습니다"),
            KraftSupport::EarlyAccess => (
                "has KRaft only as an early-access feature, not for production",
                "의 KRaft는 프로덕션용이 아닌 early access 기능일 뿐입니다",
            ),
            _ => (
                "has KRaft only as a preview, not for production",
                "의 KRaft는 프로덕션용이 아닌 미리보기(preview)일 뿐입니다",
            ),
        };
        c.error(
            "kafka.mode",
            text!(
                "Kafka {v} {what} — use mode = \"zookeeper\", or Kafka 3.3.1 or later for KRaft",
                "Kafka {v}{what_ko} — mode = \"zookeeper\"를 쓰거나, KRaft를 쓰려면 Kafka 3.3.1 이상을 고르세요"
            ),
        );
        return None;
    }
    if !kraft && !release.zookeeper {
        c.error("kafka.mode", text!("ZooKeeper mode was removed in Kafka 4.0, so {v} runs only in KRaft mode — use mode = \"kraft\", or a 3.x release (3.9 is the last with ZooKeeper)", "ZooKeeper 모드는 Kafka 4.0에서 제거되어 {v}은(는) KRaft 모드로만 실행됩니다 — mode = \"kraft\"를 쓰거나 3.x 릴리스를 고르세요(ZooKeeper를 지원하는 마지막 릴리스는 3.9)"));
        return None;
    }
    Some(kraft)
}

fn path_or_default(c: &mut Checker, field: &str, raw: Option<&str>, default: &str) -> Option<AbsPath> {
    c.check(field, checks::abs_path(raw.unwrap_or(default)))
}

fn check_data_dirs(c: &mut Checker, field: &str, list: &[String]) -> Option<Vec<AbsPath>> {
    if list.is_empty() {
        c.error(
            field,
            text!(
                "is empty — list at least one directory for Kafka's data (log.dirs), one per disk",
                "비어 있습니다 — Kafka 데이터(log.dirs) 디렉터리를 디스크마다 하나씩, 적어도 하나 적으세요"
            ),
        );
        return None;
    }
    let mut ok = true;
    let mut seen: Vec<AbsPath> = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let item = format!("{field}[{i}]");
        match checks::abs_path(raw) {
            Err(message) => {
                c.error(item, message);
                ok = false;
            }
            Ok(path) => {
                if let Some(j) = seen.iter().position(|p| *p == path) {
                    c.error(
                        item,
                        text!(
                            "{path} is listed twice (also {field}[{j}]) — list each directory once",
                            "{path}이(가) 두 번 나옵니다({field}[{j}]에도 있음) — 디렉터리마다 한 번만 적으세요"
                        ),
                    );
                    ok = false;
                } else if let Some(j) = seen.iter().position(|p| p.contains(&path) || path.contains(p)) {
                    let other = &seen[j];
                    c.error(item, text!("{path} is nested with {other} ({field}[{j}]) — Kafka data directories must not contain each other", "{path}이(가) {other}({field}[{j}])과(와) 중첩됩니다 — Kafka 데이터 디렉터리는 서로를 포함하면 안 됩니다"));
                    ok = false;
                }
                seen.push(path);
            }
        }
    }
    ok.then_some(seen)
}

fn check_service_user(c: &mut Checker, raw: &str) -> Option<String> {
    let user = c.check("kafka.user", checks::user_name(raw))?;
    if user == "root" {
        c.error("kafka.user", text!("Kafka must not run as root — use a dedicated service account such as \"kafka\" (it is created if missing)", "Kafka를 root로 실행하면 안 됩니다 — \"kafka\" 같은 전용 서비스 계정을 쓰세요(없으면 만들어집니다)"));
        return None;
    }
    Some(user)
}

fn check_url(c: &mut Checker, field: &str, raw: &str) -> Option<String> {
    let trimmed = raw.trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !raw.chars().any(|ch| ch.is_whitespace() || ch.is_control()) => {
            Some(trimmed.to_string())
        }
        _ => {
            c.error(field, text!("{raw:?} is not an http(s) URL — give the base of a mirror with Apache's layout, e.g. https://downloads.apache.org/kafka", "{raw:?}은(는) http(s) URL이 아닙니다 — Apache와 같은 구조를 가진 미러의 기본 주소를 입력하세요. 예: https://downloads.apache.org/kafka"));
            None
        }
    }
}

fn check_properties(c: &mut Checker, props: &BTreeMap<String, toml::Value>) -> Option<Vec<(String, String)>> {
    let mut ok = true;
    let mut out = Vec::new();
    for (key, value) in props {
        let field = format!("kafka.properties.\"{key}\"");
        if !checks::property_key(key) {
            c.error(
                field,
                text!(
                    "is not a property name — use Kafka's dotted names such as num.partitions",
                    "속성 이름이 아닙니다 — num.partitions처럼 점으로 구분된 Kafka 속성 이름을 쓰세요"
                ),
            );
            ok = false;
            continue;
        }
        if let Some((_, owner, owner_ko)) = OWNED_PROPERTIES.iter().find(|(k, _, _)| k == key) {
            c.error(
                field,
                text!(
                    "{key} is generated by the wizard for each host — set {owner} instead",
                    "{key}은(는) 마법사가 호스트마다 생성합니다 — 대신 {owner_ko}을(를) 설정하세요"
                ),
            );
            ok = false;
            continue;
        }
        if key.starts_with("zookeeper.") && key != "zookeeper.connect" {
            // Allowed: session/connection timeouts and TLS settings of the ZooKeeper client.
        }
        let text = match value {
            toml::Value::String(s) if !s.chars().any(|ch| ch.is_control()) => s.clone(),
            toml::Value::String(_) => {
                c.error(
                    field,
                    text!(
                        "contains a line break or control character — give a one-line value",
                        "줄바꿈이나 제어 문자가 들어 있습니다 — 한 줄짜리 값을 쓰세요"
                    ),
                );
                ok = false;
                continue;
            }
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                c.error(
                    field,
                    text!("must be a string, number or true/false", "문자열, 숫자 또는 true/false여야 합니다"),
                );
                ok = false;
                continue;
            }
        };
        out.push((key.clone(), text));
    }
    ok.then_some(out)
}

fn parse_roles(c: &mut Checker, field: &str, raw: &[String]) -> Option<Vec<Role>> {
    if raw.is_empty() {
        c.error(
            field,
            text!(
                "is empty — give the host at least one role: \"broker\", \"zookeeper\" or \"controller\"",
                "비어 있습니다 — 호스트에 역할을 하나 이상 주세요: \"broker\", \"zookeeper\" 또는 \"controller\""
            ),
        );
        return None;
    }
    let mut roles = Vec::new();
    let mut ok = true;
    for (i, r) in raw.iter().enumerate() {
        match Role::ALL.iter().find(|role| role.name() == r) {
            Some(role) if roles.contains(role) => {
                c.error(
                    format!("{field}[{i}]"),
                    text!(
                        "{r:?} is listed twice — list each role once",
                        "{r:?}이(가) 두 번 나옵니다 — 역할마다 한 번만 적으세요"
                    ),
                );
                ok = false;
            }
            Some(role) => roles.push(*role),
            None => {
                c.error(
                    format!("{field}[{i}]"),
                    text!(
                        "{r:?} is not a role — use \"broker\", \"zookeeper\" or \"controller\"",
                        "{r:?}은(는) 역할이 아닙니다 — \"broker\", \"zookeeper\" 또는 \"controller\"를 쓰세요"
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(roles)
}

fn merge_ssh(c: &mut Checker, field: &str, base: &SshDraft, over: Option<&SshDraft>) -> Option<SshSettings> {
    let pick = |f: fn(&SshDraft) -> Option<String>| over.and_then(f).or_else(|| f(base));
    let user_raw = pick(|s| s.user.clone()).unwrap_or_else(|| "root".into());
    let user_field =
        if over.and_then(|o| o.user.as_ref()).is_some() { format!("{field}.user") } else { "ssh.user".into() };
    let user = c.check(user_field, checks::user_name(&user_raw));
    let port_raw = over.and_then(|o| o.port).or(base.port).unwrap_or(22);
    let port_field = if over.and_then(|o| o.port).is_some() { format!("{field}.port") } else { "ssh.port".into() };
    let port = c.check(port_field, checks::port(port_raw));
    let identity_file = ssh_local_file(c, field, "identity_file", base, over, |s| s.identity_file.clone())?;
    let known_hosts = ssh_local_file(c, field, "known_hosts", base, over, |s| s.known_hosts.clone())?;
    let user = user?;
    let sudo = over.and_then(|o| o.sudo).or(base.sudo).unwrap_or(user != "root");
    Some(SshSettings { user, port: port?, identity_file, known_hosts, sudo })
}

/// One of the SSH settings' local files (the override, else the default): `None` when its check failed,
/// `Some(None)` when unset. A relative path is warned about where it is written (the defaults once, an override on
/// its host).
fn ssh_local_file(
    c: &mut Checker,
    field: &str,
    key: &str,
    base: &SshDraft,
    over: Option<&SshDraft>,
    f: fn(&SshDraft) -> Option<String>,
) -> Option<Option<String>> {
    let Some(raw) = over.and_then(f).or_else(|| f(base)) else { return Some(None) };
    let at = format!("{field}.{key}");
    let path = c.check(at.clone(), checks::local_path(&raw))?;
    let written_here = if field == "ssh" { f(base).is_some() } else { over.and_then(f).is_some() };
    if written_here {
        warn_relative(c, &at, &path);
    }
    Some(Some(path))
}

/// A file on the wizard's machine given by a relative path is read from wherever the wizard runs (the CLI's working
/// directory; inside the AppImage, the image) — not from the project file's folder, as one might expect.
fn warn_relative(c: &mut Checker, field: &str, path: &str) {
    if !path.starts_with('/') && !path.starts_with('~') {
        c.warning(field, text!("{path:?} is relative: it is read from the directory the wizard runs in, not from the project file's folder — write it absolute or from ~/ so the CLI and the app find the same file", "{path:?}은(는) 상대 경로입니다: 프로젝트 파일이 있는 폴더가 아니라 마법사가 실행되는 디렉터리를 기준으로 읽힙니다 — CLI와 앱이 같은 파일을 찾도록 절대 경로나 ~/로 시작하는 경로를 쓰세요"));
    }
}

fn check_hosts(
    c: &mut Checker,
    d: &ProjectDraft,
    kraft: Option<bool>,
    default_dirs: Option<&[AbsPath]>,
) -> Option<Vec<HostSpec>> {
    if d.hosts.is_empty() {
        c.error(
            "hosts",
            text!(
                "no hosts — add a [[hosts]] entry for every machine of the cluster",
                "호스트가 없습니다 — 클러스터의 머신마다 [[hosts]] 항목을 추가하세요"
            ),
        );
        return None;
    }
    // Check the project-wide SSH defaults once, so their problems are reported once.
    let base_ssh = merge_ssh(c, "ssh", &d.ssh, None);
    let checked: Vec<Option<HostSpec>> =
        d.hosts.iter().enumerate().map(|(i, h)| check_host(c, i, h, &d.ssh, kraft, default_dirs)).collect();
    // Cross-host checks run on every host that passed on its own, so all problems show at once.
    let passed: Vec<(usize, &HostSpec)> =
        checked.iter().enumerate().filter_map(|(i, h)| h.as_ref().map(|h| (i, h))).collect();
    check_host_uniqueness(c, &passed);
    if checked.iter().flatten().all(|h| !h.has(Role::Broker)) && checked.iter().all(Option::is_some) {
        c.error(
            "hosts",
            text!(
                "no host has the role \"broker\" — give at least one host roles = [\"broker\"]",
                "역할이 \"broker\"인 호스트가 없습니다 — 적어도 한 호스트에 roles = [\"broker\"]를 주세요"
            ),
        );
    }
    let hosts: Option<Vec<HostSpec>> = checked.into_iter().collect();
    base_ssh?;
    hosts.filter(|_| !c.has_errors())
}

fn check_host(
    c: &mut Checker,
    i: usize,
    h: &HostDraft,
    ssh: &SshDraft,
    kraft: Option<bool>,
    default_dirs: Option<&[AbsPath]>,
) -> Option<HostSpec> {
    let at = |f: &str| format!("hosts[{i}].{f}");
    let (name, address) = check_name_and_address(c, i, h);
    let roles = parse_roles(c, &at("roles"), &h.roles);
    let label = name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
    let label_ko = name.as_ref().map(|n| format!("({n})")).unwrap_or_default();

    let mut ids_ok = true;
    if let Some(roles) = &roles {
        for role in roles {
            match (role, kraft) {
                (Role::Controller, Some(false)) => {
                    c.error(at("roles"), text!("\"controller\" is a KRaft role, but this project uses ZooKeeper mode — remove it{label}, or set kafka.mode = \"kraft\"", "\"controller\"는 KRaft 역할인데 이 프로젝트는 ZooKeeper 모드입니다 — 이 호스트{label_ko}에서 지우거나 kafka.mode = \"kraft\"로 설정하세요"));
                    ids_ok = false;
                }
                (Role::Zookeeper, Some(true)) => {
                    c.error(at("roles"), text!("\"zookeeper\" has no place in KRaft mode — remove it{label}, or use the role \"controller\"", "\"zookeeper\"는 KRaft 모드에서 쓸 수 없습니다 — 이 호스트{label_ko}에서 지우거나 역할 \"controller\"를 쓰세요"));
                    ids_ok = false;
                }
                _ => {}
            }
        }
    }
    let needs_id = roles.as_ref().is_some_and(|r| r.contains(&Role::Broker) || r.contains(&Role::Controller));
    let is_member = roles.as_ref().is_some_and(|r| r.contains(&Role::Zookeeper));
    let node_id = match (h.id, needs_id) {
        (Some(id), _) if !(0..=i64::from(i32::MAX)).contains(&id) => {
            let max = i32::MAX;
            c.error(
                at("id"),
                text!(
                    "{id} is out of range — broker and node ids are whole numbers from 0 to {max}",
                    "{id}은(는) 범위를 벗어났습니다 — broker id와 node id는 0부터 {max} 사이의 정수입니다"
                ),
            );
            ids_ok = false;
            None
        }
        (Some(id), true) => Some(id as u32),
        (Some(_), false) if roles.is_some() => {
            c.error(at("id"), text!("only brokers and controllers have an id — remove it{label}, or add the role \"broker\"", "id는 broker와 controller에만 있습니다 — 이 호스트{label_ko}에서 id를 지우거나 역할 \"broker\"를 추가하세요"));
            ids_ok = false;
            None
        }
        (None, true) => {
            let what = if kraft == Some(true) { "node.id" } else { "broker.id" };
            let n = i + 1;
            c.error(
                at("id"),
                text!(
                    "missing — every broker and controller needs a unique id ({what}), e.g. id = {n}",
                    "없습니다 — broker와 controller마다 고유한 id({what})가 필요합니다. 예: id = {n}"
                ),
            );
            ids_ok = false;
            None
        }
        _ => None,
    };
    let myid = match (h.zookeeper_id, is_member) {
        (Some(id), true) if (1..=255).contains(&id) => Some(id as u8),
        (Some(id), true) => {
            c.error(
                at("zookeeper_id"),
                text!(
                    "{id} is outside 1–255 — ZooKeeper's myid must be a number from 1 to 255",
                    "{id}은(는) 1–255 범위 밖입니다 — ZooKeeper의 myid는 1부터 255 사이의 숫자여야 합니다"
                ),
            );
            ids_ok = false;
            None
        }
        (Some(_), false) if roles.is_some() => {
            c.error(at("zookeeper_id"), text!("only ZooKeeper ensemble members have a myid — remove it{label}, or add the role \"zookeeper\"", "myid는 ZooKeeper 앙상블 멤버에만 있습니다 — 이 호스트{label_ko}에서 지우거나 역할 \"zookeeper\"를 추가하세요"));
            ids_ok = false;
            None
        }
        (None, true) => {
            let n = i + 1;
            c.error(at("zookeeper_id"), text!("missing — every ZooKeeper ensemble member needs a unique myid from 1 to 255, e.g. zookeeper_id = {n}", "없습니다 — ZooKeeper 앙상블 멤버마다 1부터 255 사이의 고유한 myid가 필요합니다. 예: zookeeper_id = {n}"));
            ids_ok = false;
            None
        }
        _ => None,
    };
    let rack = h.rack.as_deref().and_then(|r| c.check(at("rack"), checks::rack(r)));
    let rack_ok = h.rack.is_none() || rack.is_some();
    let data_dirs = match &h.data_dirs {
        Some(list) => check_data_dirs(c, &at("data_dirs"), list),
        // When the project-wide list is invalid its problems are already reported; go on with no directories so
        // the host's other fields are still checked.
        None => Some(default_dirs.map(<[AbsPath]>::to_vec).unwrap_or_default()),
    };
    let ssh = merge_ssh(c, &at("ssh"), ssh, h.ssh.as_ref());
    let connection = check_connection(c, &at("connection"), h.connection.as_deref());
    if !(ids_ok && rack_ok) {
        return None;
    }
    Some(HostSpec {
        name: name?,
        address: address?,
        roles: roles?,
        node_id,
        myid,
        rack,
        data_dirs: data_dirs?,
        ssh: ssh?,
        connection: connection?,
    })
}

fn check_host_uniqueness(c: &mut Checker, hosts: &[(usize, &HostSpec)]) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut reach: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<u32, usize> = HashMap::new();
    let mut myids: HashMap<u8, usize> = HashMap::new();
    let name_of = |j: usize| hosts.iter().find(|(k, _)| *k == j).map(|(_, h)| h.name.to_string()).unwrap_or_default();
    for &(i, h) in hosts {
        if let Some(&j) = names.get(h.name.as_str()) {
            let name = &h.name;
            c.error(
                format!("hosts[{i}].name"),
                text!(
                    "{name} is also hosts[{j}] — every host appears once; give it both roles instead",
                    "{name}은(는) hosts[{j}]에도 있습니다 — 호스트는 한 번만 적고, 대신 두 역할을 모두 주세요"
                ),
            );
        }
        names.insert(h.name.as_str(), i);
        if let Some(address) = &h.address {
            if let Some(&j) = reach.get(address.as_str()) {
                let other = name_of(j);
                c.error(format!("hosts[{i}].address"), text!("{address} is also the address of hosts[{j}] ({other}) — two entries for one machine; merge them and give it both roles", "{address}은(는) hosts[{j}]({other})의 주소이기도 합니다 — 한 머신에 항목이 두 개입니다. 하나로 합치고 두 역할을 모두 주세요"));
            }
            reach.insert(address.as_str(), i);
        }
        if let Some(id) = h.node_id {
            if let Some(&j) = ids.get(&id) {
                let other = name_of(j);
                c.error(
                    format!("hosts[{i}].id"),
                    text!(
                        "{id} is also the id of hosts[{j}] ({other}) — give every broker and controller a unique id",
                        "{id}은(는) hosts[{j}]({other})의 id이기도 합니다 — broker와 controller마다 고유한 id를 주세요"
                    ),
                );
            }
            ids.insert(id, i);
        }
        if let Some(myid) = h.myid {
            if let Some(&j) = myids.get(&myid) {
                let other = name_of(j);
                c.error(format!("hosts[{i}].zookeeper_id"), text!("{myid} is also the myid of hosts[{j}] ({other}) — give every ensemble member a unique zookeeper_id", "{myid}은(는) hosts[{j}]({other})의 myid이기도 합니다 — 앙상블 멤버마다 고유한 zookeeper_id를 주세요"));
            }
            myids.insert(myid, i);
        }
    }
}

fn check_zookeeper(
    c: &mut Checker,
    d: &ProjectDraft,
    hosts: Option<&[HostSpec]>,
    name: Option<&str>,
) -> Option<ZookeeperSpec> {
    let z = d.zookeeper.clone().unwrap_or_default();
    let chroot = match (&z.chroot, name) {
        (Some(raw), _) => c.check("zookeeper.chroot", checks::chroot(raw)),
        (None, Some(name)) => Some(format!("/{name}")),
        (None, None) => None,
    };
    let client_port = c.check("zookeeper.client_port", checks::service_port(z.client_port.unwrap_or(2181)));
    let quorum_port = c.check("zookeeper.quorum_port", checks::service_port(z.quorum_port.unwrap_or(2888)));
    let election_port = c.check("zookeeper.election_port", checks::service_port(z.election_port.unwrap_or(3888)));
    let data_dir = path_or_default(c, "zookeeper.data_dir", z.data_dir.as_deref(), DEFAULT_ZK_DATA_DIR);
    let log_dir = path_or_default(c, "zookeeper.log_dir", z.log_dir.as_deref(), DEFAULT_ZK_LOG_DIR);
    let heap = c.check("zookeeper.heap", checks::heap(z.heap.as_deref().unwrap_or("512m")));
    let positive = |c: &mut Checker, field: &str, raw: Option<i64>, default: u32| -> Option<u32> {
        let v = raw.unwrap_or(i64::from(default));
        match u32::try_from(v) {
            Ok(v) if v > 0 => Some(v),
            _ => {
                c.error(
                    field,
                    text!(
                        "{v} must be a positive whole number (default {default})",
                        "{v}: 양의 정수여야 합니다(기본값 {default})"
                    ),
                );
                None
            }
        }
    };
    let tick_time = positive(c, "zookeeper.tick_time", z.tick_time, 2000);
    let init_limit = positive(c, "zookeeper.init_limit", z.init_limit, 10);
    let sync_limit = positive(c, "zookeeper.sync_limit", z.sync_limit, 5);

    let hosts = hosts?;
    let mut members: Vec<usize> = (0..hosts.len()).filter(|&i| hosts[i].has(Role::Zookeeper)).collect();
    members.sort_by_key(|&i| hosts[i].myid);
    let ensemble = match &z.external {
        Some(list) if !members.is_empty() => {
            let _ = list;
            let n = members.len();
            c.error("zookeeper.external", text!("is set while {n} host(s) have the role \"zookeeper\" — use either an external ensemble or managed ensemble members, not both", "역할이 \"zookeeper\"인 호스트가 {n}대 있는데도 설정되어 있습니다 — 외부 앙상블과 관리되는 앙상블 멤버 중 하나만 쓰세요"));
            None
        }
        Some(list) if list.is_empty() => {
            c.error(
                "zookeeper.external",
                text!(
                    "is empty — list every member of the existing ensemble as \"host:port\"",
                    "비어 있습니다 — 기존 앙상블의 멤버를 모두 \"host:port\" 형식으로 적으세요"
                ),
            );
            None
        }
        Some(list) => {
            let mut ok = true;
            let mut out = Vec::new();
            for (i, entry) in list.iter().enumerate() {
                match parse_host_port(entry) {
                    Ok(hp) => out.push(hp),
                    Err(message) => {
                        c.error(format!("zookeeper.external[{i}]"), message);
                        ok = false;
                    }
                }
            }
            ok.then_some(Ensemble::External(out))
        }
        None if members.is_empty() => {
            c.error("hosts", text!("no ZooKeeper ensemble — give three hosts the role \"zookeeper\" (with zookeeper_id 1, 2, 3), or set zookeeper.external to an existing ensemble", "ZooKeeper 앙상블이 없습니다 — 호스트 세 대에 역할 \"zookeeper\"(zookeeper_id 1, 2, 3)를 주거나, zookeeper.external에 기존 앙상블을 설정하세요"));
            None
        }
        None => Some(Ensemble::Managed(members)),
    };

    Some(ZookeeperSpec {
        chroot: chroot?,
        client_port: client_port?,
        quorum_port: quorum_port?,
        election_port: election_port?,
        data_dir: data_dir?,
        log_dir: log_dir?,
        heap: heap?,
        tick_time: tick_time?,
        init_limit: init_limit?,
        sync_limit: sync_limit?,
        ensemble: ensemble?,
    })
}

fn parse_host_port(entry: &str) -> Result<String, Text> {
    let fix = "write it as host:port, e.g. zk1.example.com:2181, with no spaces and no chroot (set zookeeper.chroot)";
    let fix_ko =
        "공백과 chroot 없이 host:port 형식으로 쓰세요. 예: zk1.example.com:2181 (chroot는 zookeeper.chroot에 설정)";
    if entry.contains('/') {
        return Err(text!("{entry:?} contains a chroot — {fix}", "{entry:?}에 chroot가 들어 있습니다 — {fix_ko}"));
    }
    let (host, port) = entry
        .rsplit_once(':')
        .ok_or_else(|| text!("{entry:?} has no port — {fix}", "{entry:?}에 포트가 없습니다 — {fix_ko}"))?;
    let host = checks::net_address(host).map_err(|Text { en, ko }| text!("{en} — {fix}", "{ko} — {fix_ko}"))?;
    let port: i64 = port
        .parse()
        .map_err(|_| text!("{entry:?} has no numeric port — {fix}", "{entry:?}의 포트가 숫자가 아닙니다 — {fix_ko}"))?;
    let port = checks::port(port)?;
    Ok(format!("{}:{port}", host.for_host_port()))
}

fn check_kraft(
    c: &mut Checker,
    d: &ProjectDraft,
    hosts: Option<&[HostSpec]>,
    listener_port: Option<u16>,
) -> Option<KraftSpec> {
    let k = d.kraft.clone().unwrap_or_default();
    let cluster_id = match &k.cluster_id {
        Some(raw) => Some(c.check("kraft.cluster_id", checks::cluster_id(raw))?),
        None => None,
    };
    let controller_port = c.check("kraft.controller_port", checks::service_port(k.controller_port.unwrap_or(9093)))?;
    if listener_port == Some(controller_port) {
        c.error("kraft.controller_port", text!("{controller_port} is also kafka.listener_port — the controller listener needs its own port, e.g. 9093", "{controller_port}은(는) kafka.listener_port와 같습니다 — controller 리스너에는 별도의 포트가 필요합니다. 예: 9093"));
    }
    if !hosts?.iter().any(|h| h.has(Role::Controller)) {
        c.error("hosts", text!("KRaft mode needs controllers — give three hosts (or one, for a test) the role \"controller\"", "KRaft 모드에는 controller가 필요합니다 — 호스트 세 대(테스트라면 한 대)에 역할 \"controller\"를 주세요"));
        return None;
    }
    Some(KraftSpec { cluster_id, controller_port })
}

/// Cross-field checks on an otherwise valid cluster: ports per host, replica counts, topology warnings.
fn check_cluster(c: &mut Checker, spec: &ClusterSpec) {
    let brokers = spec.broker_count();
    for (key, value) in &spec.kafka.properties {
        if REPLICA_COUNT_PROPERTIES.contains(&key.as_str()) {
            let field = format!("kafka.properties.\"{key}\"");
            match value.parse::<i64>() {
                Ok(n) if n < 1 => c.error(field, text!("{n} must be at least 1", "{n}: 1 이상이어야 합니다")),
                Ok(n) if n as usize > brokers => c.error(field, text!("{n} is more than the {brokers} broker(s) in this cluster — Kafka could not place that many replicas; use at most {brokers} or add brokers", "{n}은(는) 이 클러스터의 broker 수({brokers})보다 많습니다 — Kafka가 그만큼의 복제본을 배치할 수 없습니다. {brokers} 이하로 쓰거나 broker를 추가하세요")),
                Ok(_) => {}
                Err(_) => c.error(field, text!("{value:?} is not a whole number", "{value:?}은(는) 정수가 아닙니다")),
            }
        }
    }
    let reserved_max = spec
        .kafka
        .properties
        .iter()
        .find(|(k, _)| k == "reserved.broker.max.id")
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .unwrap_or(1000);

    match &spec.coordination {
        Coordination::Zookeeper(z) => {
            for (i, h) in spec.hosts.iter().enumerate() {
                if let Some(id) = h.node_id {
                    if id > reserved_max {
                        c.error(format!("hosts[{i}].id"), text!("{id} is above reserved.broker.max.id ({reserved_max}) and could collide with an automatically generated broker id — use ids from 0 to {reserved_max}", "{id}은(는) reserved.broker.max.id({reserved_max})보다 커서 자동 생성되는 broker id와 겹칠 수 있습니다 — 0부터 {reserved_max} 사이의 id를 쓰세요"));
                    }
                }
                if h.has(Role::Zookeeper) {
                    let ports = [
                        ("zookeeper.client_port", z.client_port),
                        ("zookeeper.quorum_port", z.quorum_port),
                        ("zookeeper.election_port", z.election_port),
                    ];
                    check_distinct_ports(c, i, h, &ports, h.has(Role::Broker).then_some(spec.kafka.listener_port));
                    if h.has(Role::Broker) {
                        for (j, dir) in h.data_dirs.iter().enumerate() {
                            if dir.contains(&z.data_dir) || z.data_dir.contains(dir) {
                                let (zk_dir, name) = (&z.data_dir, &h.name);
                                c.error(format!("hosts[{i}].data_dirs[{j}]"), text!("{dir} overlaps zookeeper.data_dir {zk_dir} on {name} — keep Kafka data and ZooKeeper data in separate directories", "{dir}이(가) {name}의 zookeeper.data_dir {zk_dir}과(와) 겹칩니다 — Kafka 데이터와 ZooKeeper 데이터는 서로 다른 디렉터리에 두세요"));
                            }
                        }
                        let name = &h.name;
                        c.warning(format!("hosts[{i}].roles"), text!("{name} runs both ZooKeeper and a broker: acceptable for a small cluster, but a busy broker can starve ZooKeeper and stall the whole cluster — use separate hosts at scale", "{name}에서 ZooKeeper와 broker가 함께 실행됩니다: 작은 클러스터라면 괜찮지만, 바쁜 broker가 ZooKeeper의 자원을 빼앗아 클러스터 전체를 멈추게 할 수 있습니다 — 규모가 커지면 호스트를 분리하세요"));
                    }
                }
            }
            if let Ensemble::Managed(members) = &z.ensemble {
                ensemble_size_warning(c, ("ZooKeeper ensemble", "ZooKeeper 앙상블"), "zookeeper", members.len());
            }
        }
        Coordination::Kraft(k) => {
            for (i, h) in spec.hosts.iter().enumerate() {
                if h.has(Role::Controller) {
                    let ports = [("kraft.controller_port", k.controller_port)];
                    check_distinct_ports(c, i, h, &ports, h.has(Role::Broker).then_some(spec.kafka.listener_port));
                    if h.has(Role::Broker) {
                        let name = &h.name;
                        c.warning(format!("hosts[{i}].roles"), text!("{name} is a combined broker and controller: fine for small or test clusters, but Kafka does not recommend combined mode for critical production use — use dedicated controllers there", "{name}은(는) broker와 controller를 겸합니다: 작은 클러스터나 테스트 클러스터에는 괜찮지만, Kafka는 중요한 프로덕션 환경에 combined 모드를 권장하지 않습니다 — 그런 곳에서는 전용 controller를 쓰세요"));
                    }
                }
            }
            ensemble_size_warning(
                c,
                ("KRaft controller quorum", "KRaft controller 쿼럼"),
                "controller",
                spec.controllers().count(),
            );
        }
    }
    for (i, h) in spec.hosts.iter().enumerate() {
        for (j, dir) in h.data_dirs.iter().enumerate() {
            for (what, other) in [
                ("kafka.install_dir", &spec.kafka.install_dir),
                ("kafka.config_dir", &spec.kafka.config_dir),
                ("kafka.log_dir", &spec.kafka.log_dir),
            ] {
                if dir.contains(other) || other.contains(dir) {
                    c.error(
                        format!("hosts[{i}].data_dirs[{j}]"),
                        text!(
                            "{dir} overlaps {what} {other} — give Kafka's data its own directory",
                            "{dir}이(가) {what} {other}과(와) 겹칩니다 — Kafka 데이터에는 전용 디렉터리를 주세요"
                        ),
                    );
                }
            }
        }
    }
}

fn check_distinct_ports(c: &mut Checker, i: usize, h: &HostSpec, ports: &[(&str, u16)], broker_port: Option<u16>) {
    let mut all: Vec<(&str, u16)> = ports.to_vec();
    if let Some(p) = broker_port {
        all.push(("kafka.listener_port", p));
    }
    for (a, (field_a, port_a)) in all.iter().enumerate() {
        for (field_b, port_b) in &all[a + 1..] {
            if port_a == port_b {
                let name = &h.name;
                c.error(*field_b, text!("{port_b} is also {field_a} on {name} (hosts[{i}]) — every service on a host needs its own port", "{port_b}은(는) {name}(hosts[{i}])의 {field_a}이기도 합니다 — 한 호스트의 서비스마다 별도의 포트가 필요합니다"));
            }
        }
    }
}

/// `what` names the group in English and Korean.
fn ensemble_size_warning(c: &mut Checker, (what, what_ko): (&str, &str), role: &str, n: usize) {
    if n == 1 {
        c.warning("hosts", text!("the {what} has a single member: it is a single point of failure — if it stops, the whole cluster stops. Use three hosts with the role \"{role}\" for production", "{what_ko}의 멤버가 하나뿐입니다: 단일 장애점이라 이 멤버가 멈추면 클러스터 전체가 멈춥니다. 프로덕션에서는 역할이 \"{role}\"인 호스트 세 대를 쓰세요"));
    } else if n % 2 == 0 {
        let (fewer, more) = (n - 1, n + 1);
        c.warning("hosts", text!("the {what} has {n} members, an even number: it works by majority, so {n} members tolerate no more failures than {fewer} — use an odd number ({fewer} or {more})", "{what_ko}의 멤버가 {n}개로 짝수입니다: 과반수로 동작하므로 {n}개는 {fewer}개일 때보다 더 많은 장애를 견디지 못합니다 — 홀수({fewer}개 또는 {more}개)로 쓰세요"));
    }
}
