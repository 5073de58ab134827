//! The `[kafka]` section: the release, its Scala build and mode, directories, port, heap, service user, download
//! sources and the extra `server.properties` (keys the wizard writes itself are refused).

use super::{path_or_default, service_dir_or_default, warn_relative, Checker};
use crate::catalog::{self, KraftSupport, Release, Version};
use crate::plan::distribution::Distribution;
use crate::project::checks;
use crate::project::defaults;
use crate::project::draft::ProjectDraft;
use crate::project::jvm_opts;
use crate::project::problem::{text, Text};
use crate::project::spec::*;
use std::collections::BTreeMap;

/// `server.properties` keys the wizard writes itself, and the project field to change instead (English, Korean).
#[rustfmt::skip]
pub const OWNED_PROPERTIES: &[(&str, &str, &str)] = &[
    ("broker.id", "hosts[].id", "hosts[].id"),
    ("node.id", "hosts[].id", "hosts[].id"),
    ("log.dirs", "kafka.data_dirs (or hosts[].data_dirs)", "kafka.data_dirs(또는 hosts[].data_dirs)"),
    ("log.dir", "kafka.data_dirs (or hosts[].data_dirs)", "kafka.data_dirs(또는 hosts[].data_dirs)"),
    ("zookeeper.connect", "the [zookeeper] section and the hosts with role \"zookeeper\"", "[zookeeper] 섹션과 역할이 \"zookeeper\"인 호스트"),
    ("process.roles", "hosts[].roles", "hosts[].roles"),
    ("listeners", "kafka.listener_port (and kraft.controller_port)", "kafka.listener_port(와 kraft.controller_port)"),
    ("advertised.listeners", "hosts[].address and kafka.listener_port", "hosts[].address와 kafka.listener_port"),
    ("listener.security.protocol.map", "kafka.listener_port (listeners are generated)", "kafka.listener_port(리스너는 자동으로 생성됩니다)"),
    ("inter.broker.listener.name", "kafka.listener_port (listeners are generated)", "kafka.listener_port(리스너는 자동으로 생성됩니다)"),
    ("controller.listener.names", "kraft.controller_port (listeners are generated)", "kraft.controller_port(리스너는 자동으로 생성됩니다)"),
    ("controller.quorum.voters", "the hosts with role \"controller\"", "역할이 \"controller\"인 호스트"),
    ("controller.quorum.bootstrap.servers", "the hosts with role \"controller\"", "역할이 \"controller\"인 호스트"),
    ("broker.rack", "hosts[].rack", "hosts[].rack"),
];

/// The `[kafka]` section checked field by field: `None` for a field that failed (or an optional one left out).
pub(super) struct KafkaChecked {
    pub release: Option<&'static Release>,
    scala: Option<String>,
    /// `Some(true)` for KRaft, `Some(false)` for ZooKeeper mode; None when the release or the mode failed.
    pub kraft: Option<bool>,
    install_dir: Option<AbsPath>,
    config_dir: Option<AbsPath>,
    log_dir: Option<AbsPath>,
    /// `kafka.data_dirs`: every host's directories unless it lists its own.
    pub data_dirs: Option<Vec<AbsPath>>,
    pub listener_port: Option<u16>,
    heap: Option<HeapSize>,
    jvm_opts: Option<Vec<String>>,
    user: Option<String>,
    java_home: Option<AbsPath>,
    mirror: Option<String>,
    apache_url: Option<String>,
    tarball: Option<String>,
    distribution: Option<Distribution>,
    properties: Option<Vec<(String, String)>>,
}

impl KafkaChecked {
    /// The section's spec, when every field passed.
    pub(super) fn into_spec(self) -> Option<KafkaSpec> {
        Some(KafkaSpec {
            release: self.release?,
            scala: self.scala?,
            install_dir: self.install_dir?,
            config_dir: self.config_dir?,
            log_dir: self.log_dir?,
            listener_port: self.listener_port?,
            heap: self.heap?,
            jvm_opts: self.jvm_opts?,
            user: self.user?,
            java_home: self.java_home,
            mirror: self.mirror,
            apache_url: self.apache_url,
            tarball: self.tarball,
            distribution: self.distribution?,
            properties: self.properties?,
            protocol_pin: None,
        })
    }
}

pub(super) fn check_kafka(c: &mut Checker, d: &ProjectDraft) -> KafkaChecked {
    let release = check_release(c, d);
    let scala = release.and_then(|r| check_scala(c, r, d.kafka.scala.as_deref()));
    let kraft = release.and_then(|r| check_mode(c, r, d.kafka.mode.as_deref()));

    let k = &d.kafka;
    let install_dir = path_or_default(c, "kafka.install_dir", k.install_dir.as_deref(), defaults::INSTALL_DIR);
    let config_dir =
        service_dir_or_default(c, "kafka.config_dir", k.config_dir.as_deref(), defaults::CONFIG_DIR, "kafka");
    let log_dir = service_dir_or_default(c, "kafka.log_dir", k.log_dir.as_deref(), defaults::KAFKA_LOG_DIR, "kafka");
    let data_dirs = match &k.data_dirs {
        None => Some(vec![AbsPath(defaults::DATA_DIR.into())]),
        Some(list) => check_data_dirs(c, "kafka.data_dirs", list),
    };
    let listener_port = c.check(
        "kafka.listener_port",
        checks::service_port(k.listener_port.unwrap_or(i64::from(defaults::LISTENER_PORT))),
    );
    let heap = c.check("kafka.heap", checks::heap(k.heap.as_deref().unwrap_or(defaults::KAFKA_HEAP)));
    let jvm_opts = c.check("kafka.jvm_opts", jvm_opts::check("kafka", k.jvm_opts.as_deref().unwrap_or_default()));
    let user = check_service_user(c, k.user.as_deref().unwrap_or(defaults::SERVICE_USER));
    let java_home = k.java_home.as_deref().and_then(|j| c.check("kafka.java_home", checks::abs_path(j)));
    let mirror = k.mirror.as_deref().and_then(|m| check_url(c, "kafka.mirror", m));
    let apache_url = k.apache_url.as_deref().and_then(|m| check_url(c, "kafka.apache_url", m));
    let tarball = k.tarball.as_deref().and_then(|t| c.check("kafka.tarball", checks::local_path(t)));
    if let Some(t) = &tarball {
        warn_relative(c, "kafka.tarball", t);
    }
    let distribution = check_distribution(c, k.distribution.as_deref());
    let properties = check_properties(c, &k.properties);

    for (field, dir) in [("kafka.config_dir", &config_dir), ("kafka.log_dir", &log_dir)] {
        if let (Some(dir), Some(install)) = (dir, &install_dir) {
            if install.contains(dir) || dir.contains(install) {
                c.error(field, text!("{dir} overlaps kafka.install_dir {install} — keep configuration and logs outside the install directory so an upgrade does not lose them", "{dir}이(가) kafka.install_dir {install}과(와) 겹칩니다 — 업그레이드할 때 잃지 않도록 설정과 로그는 설치 디렉터리 밖에 두세요"));
            }
        }
    }

    KafkaChecked {
        release,
        scala,
        kraft,
        install_dir,
        config_dir,
        log_dir,
        data_dirs,
        listener_port,
        heap,
        jvm_opts,
        user,
        java_home,
        mirror,
        apache_url,
        tarball,
        distribution,
        properties,
    }
}

/// `kafka.distribution`: "auto" when left out.
fn check_distribution(c: &mut Checker, raw: Option<&str>) -> Option<Distribution> {
    let Some(raw) = raw else { return Some(Distribution::Auto) };
    let found = Distribution::parse(raw);
    if found.is_none() {
        c.error(
            "kafka.distribution",
            text!(
                "{raw:?} is not a distribution — write \"auto\" (relay between hosts from 3 hosts on), \"direct\" (the wizard uploads to every host) or \"relay\"",
                "{raw:?}은(는) 배포 방식이 아닙니다 — \"auto\"(호스트 3대부터 호스트끼리 전달), \"direct\"(위저드가 모든 호스트에 업로드) 또는 \"relay\"를 쓰세요"
            ),
        );
    }
    found
}

pub(super) fn check_release(c: &mut Checker, d: &ProjectDraft) -> Option<&'static Release> {
    let (version, release) = match known_release(d.kafka.version.as_deref()) {
        Ok(found) => found,
        Err(problem) => {
            c.error("kafka.version", problem);
            return None;
        }
    };
    if let catalog::Lookup::UnknownPatch { line, .. } = catalog::lookup(version) {
        let (newest, java) = (line.version, format!("{}–{}", line.java.min, line.java.max));
        c.warning(
            "kafka.version",
            text!(
                "{version} is newer than this build's catalog: taken as a patch release of {major}.{minor} with {newest}'s facts (Scala builds, modes, Java {java}); it is verified against Apache's .sha512 like any release — check its release notes (and `kafka-wizard versions --refresh`)",
                "{version}은(는) 이 빌드의 카탈로그보다 새 릴리스입니다: {major}.{minor}의 패치 릴리스로 보고 {newest}의 정보(Scala 빌드, 모드, Java {java})를 씁니다. 다른 릴리스와 똑같이 Apache의 .sha512로 검증합니다 — 릴리스 노트를 확인하세요(`kafka-wizard versions --refresh`도 참고)",
                major = version.major,
                minor = version.minor
            ),
        );
    }
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

/// The catalog's release for `kafka.version`, or what is wrong with it.
fn known_release(raw: Option<&str>) -> Result<(Version, &'static Release), Text> {
    let Some(raw) = raw else {
        let newest = catalog::newest().version;
        return Err(text!(
            "missing — choose an Apache Kafka release, e.g. version = \"{newest}\" (see `kafka-wizard versions`)",
            "없습니다 — Apache Kafka 릴리스를 고르세요. 예: version = \"{newest}\" (`kafka-wizard versions` 참고)"
        ));
    };
    let Some(version) = Version::parse(raw) else {
        return Err(text!(
            "{raw:?} is not a release number — write it as major.minor.patch, e.g. \"3.9.1\"",
            "{raw:?}은(는) 릴리스 번호가 아닙니다 — major.minor.patch 형식으로 쓰세요. 예: \"3.9.1\""
        ));
    };
    // A patch release of a known line is accepted (with a warning, in `check_release`); an unknown line is not.
    let Some(release) = catalog::release_for(version) else {
        let lines = catalog::known_lines();
        let newest = catalog::newest().version;
        return Err(text!(
            "{version} is not a known Apache Kafka release line — this build knows {lines} (newest {newest}; see `kafka-wizard versions`)",
            "{version}은(는) 알려진 Apache Kafka 릴리스 계열이 아닙니다 — 이 빌드가 아는 계열은 {lines}입니다(최신 {newest}, `kafka-wizard versions` 참고)"
        ));
    };
    Ok((version, release))
}

pub(super) fn check_scala(c: &mut Checker, release: &Release, raw: Option<&str>) -> Option<String> {
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
pub(super) fn check_mode(c: &mut Checker, release: &Release, raw: Option<&str>) -> Option<bool> {
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

pub(super) fn check_data_dirs(c: &mut Checker, field: &str, list: &[String]) -> Option<Vec<AbsPath>> {
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
        match checks::service_dir(raw, "kafka") {
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

pub(super) fn check_service_user(c: &mut Checker, raw: &str) -> Option<String> {
    let user = c.check("kafka.user", checks::user_name(raw))?;
    if user == "root" {
        let default = defaults::SERVICE_USER;
        c.error("kafka.user", text!("Kafka must not run as root — use a dedicated service account such as \"{default}\" (it is created if missing)", "Kafka를 root로 실행하면 안 됩니다 — \"{default}\" 같은 전용 서비스 계정을 쓰세요(없으면 만들어집니다)"));
        return None;
    }
    Some(user)
}

pub(super) fn check_url(c: &mut Checker, field: &str, raw: &str) -> Option<String> {
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

pub(super) fn check_properties(
    c: &mut Checker,
    props: &BTreeMap<String, toml::Value>,
) -> Option<Vec<(String, String)>> {
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
