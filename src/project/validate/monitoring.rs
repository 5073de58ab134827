//! `[monitoring]`: the Prometheus JMX exporter — on or off (off when left out, so an older project file keeps its
//! meaning), its HTTP port in Kafka's and in ZooKeeper's service (two defaults: a host may run both), and the
//! Maven-layout repository its pinned jar is downloaded from. The ports' clashes with the other services' ports of
//! the same host are `cluster.rs`'s.

use super::{checks, defaults, text, Checker, MonitoringSpec, ProjectDraft};

/// `[monitoring]`: `Some(None)` when the exporter is off, `None` when a value is wrong (problems recorded).
pub(super) fn check_monitoring(c: &mut Checker, d: &ProjectDraft) -> Option<Option<MonitoringSpec>> {
    let Some(m) = &d.monitoring else { return Some(None) };
    let port = |c: &mut Checker, field: &str, raw: Option<i64>, default: u16| {
        c.check(field, checks::service_port(raw.unwrap_or(i64::from(default))))
    };
    let kafka_port = port(c, "monitoring.kafka_port", m.kafka_port, defaults::EXPORTER_KAFKA_PORT);
    let zookeeper_port = port(c, "monitoring.zookeeper_port", m.zookeeper_port, defaults::EXPORTER_ZOOKEEPER_PORT);
    if let (Some(k), Some(z)) = (kafka_port, zookeeper_port) {
        if k == z {
            c.error("monitoring.zookeeper_port", text!("{z} is also monitoring.kafka_port — a host running Kafka and ZooKeeper needs a port for each exporter, e.g. {next}", "{z}은(는) monitoring.kafka_port와 같습니다 — Kafka와 ZooKeeper를 함께 실행하는 호스트에는 exporter마다 포트가 필요합니다. 예: {next}", next = z.wrapping_add(1).max(1024)));
        }
    }
    let maven_url = match m.maven_url.as_deref() {
        None => Some(None),
        Some(raw) => maven_url(raw).map(Some).or_else(|| {
            c.error("monitoring.maven_url", text!("{raw:?} is not an http(s) URL — give the base of a repository with Maven's layout, e.g. https://repo1.maven.org/maven2 (the jar's checksum is pinned, so any copy is safe)", "{raw:?}은(는) http(s) URL이 아닙니다 — Maven 구조를 가진 저장소의 기본 주소를 쓰세요. 예: https://repo1.maven.org/maven2 (jar의 체크섬이 고정되어 있어 어느 사본이든 안전합니다)"));
            None
        }),
    };
    let (kafka_port, zookeeper_port, maven_url) = (kafka_port?, zookeeper_port?, maven_url?);
    if kafka_port == zookeeper_port {
        return None;
    }
    Some(m.prometheus.unwrap_or(defaults::PROMETHEUS).then_some(MonitoringSpec {
        kafka_port,
        zookeeper_port,
        maven_url,
    }))
}

/// An http(s) URL without whitespace, its trailing slashes removed.
fn maven_url(raw: &str) -> Option<String> {
    let trimmed = raw.trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"))?;
    (!rest.is_empty() && !raw.chars().any(|ch| ch.is_whitespace() || ch.is_control())).then(|| trimmed.to_string())
}
