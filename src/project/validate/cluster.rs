//! Cross-field rules on an otherwise valid cluster: replica counts against the brokers, ids against
//! `reserved.broker.max.id`, distinct ports per host, data directories apart from everything else, and topology
//! warnings (ZooKeeper next to a broker, combined KRaft nodes, ensemble sizes).

use super::{defaults, Checker};
use crate::project::problem::text;
use crate::project::spec::*;

/// Properties whose value may not exceed the number of brokers.
const REPLICA_COUNT_PROPERTIES: &[&str] = &[
    "default.replication.factor",
    "offsets.topic.replication.factor",
    "transaction.state.log.replication.factor",
    "transaction.state.log.min.isr",
    "min.insync.replicas",
    "share.coordinator.state.topic.replication.factor",
];

/// Kafka's own default of `reserved.broker.max.id`: broker ids above it are generated ones (ZooKeeper mode).
const KAFKA_RESERVED_BROKER_MAX_ID: u32 = 1000;

/// Cross-field checks on an otherwise valid cluster: ports per host, replica counts, topology warnings.
pub(super) fn check_cluster(c: &mut Checker, spec: &ClusterSpec) {
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
    if brokers == 1 {
        c.warning("hosts", text!("the cluster has a single broker: every partition has one copy (replication factor 1, min.insync.replicas 1), so losing that host's disk loses the data and stopping it stops every client — fine to try Kafka or the wizard; use three brokers for anything you keep", "클러스터에 broker가 하나뿐입니다: 모든 파티션의 사본이 하나(복제 계수 1, min.insync.replicas 1)라서 그 호스트의 디스크를 잃으면 데이터를 잃고, 멈추면 모든 클라이언트가 멈춥니다 — Kafka나 이 마법사를 써 보기에는 괜찮지만, 보관할 데이터에는 broker 세 대를 쓰세요"));
    }
    let reserved_max = spec
        .kafka
        .properties
        .iter()
        .find(|(k, _)| k == "reserved.broker.max.id")
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .unwrap_or(KAFKA_RESERVED_BROKER_MAX_ID);

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
            if let Some(m) = &z.migration {
                check_migration(c, spec, z, m);
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
    if let Some(m) = &spec.monitoring {
        check_exporter_ports(c, spec, m);
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

/// The oldest release the wizard migrates from ZooKeeper to KRaft: Apache's migration is production-ready from
/// 3.6 and migrates JBOD brokers (several `log.dirs`) from 3.7 (docs/facts/kafka.md §34).
pub const MIGRATION_MIN_VERSION: crate::catalog::Version = crate::catalog::Version::new(3, 7, 0);

/// A ZooKeeper-mode project with controllers: the KRaft controllers of its migration to KRaft.
fn check_migration(c: &mut Checker, spec: &ClusterSpec, z: &ZookeeperSpec, m: &MigrationSpec) {
    let v = spec.kafka.release.version;
    if v < MIGRATION_MIN_VERSION {
        c.error("kafka.version", text!("hosts with the role \"controller\" migrate this ZooKeeper-mode cluster to KRaft, which the wizard does from Kafka {MIGRATION_MIN_VERSION} on ({v} here) — upgrade the cluster first (3.9 is the last release with ZooKeeper and Apache's recommended one for the migration), or remove the role \"controller\"", "역할이 \"controller\"인 호스트는 이 ZooKeeper 모드 클러스터를 KRaft로 마이그레이션하며, 위저드는 Kafka {MIGRATION_MIN_VERSION}부터 지원합니다(현재 {v}) — 먼저 클러스터를 업그레이드하거나(ZooKeeper를 지원하는 마지막 릴리스인 3.9가 Apache 권장), 역할 \"controller\"를 지우세요"));
    }
    // A secured cluster migrates with SASL_SSL (proven end to end, rolled back and done again, tests/e2e_upgrade/migration.rs); TLS alone is not
    // proven yet, so it is refused before any host is touched.
    if spec.security.as_ref().is_some_and(|s| s.protection != Protection::SaslSsl) {
        c.error("security.protocol", text!("the wizard migrates plaintext and SASL_SSL clusters to KRaft, not yet one secured with TLS alone (protocol = \"ssl\") — switch the cluster to protocol = \"sasl_ssl\" first (deploy it in ZooKeeper mode), or remove the role \"controller\" to keep running it in ZooKeeper mode", "위저드는 평문과 SASL_SSL 클러스터를 KRaft로 마이그레이션하며, TLS만으로 보호된 클러스터(protocol = \"ssl\")는 아직 지원하지 않습니다 — 먼저 protocol = \"sasl_ssl\"로 바꿔 ZooKeeper 모드로 배포하거나, ZooKeeper 모드로 계속 운영하려면 역할 \"controller\"를 지우세요"));
    }
    for (i, h) in spec.hosts.iter().enumerate() {
        if !h.has(Role::Controller) {
            continue;
        }
        let mut ports = vec![("kraft.controller_port", m.controller_port)];
        if h.has(Role::Zookeeper) {
            ports.extend([
                ("zookeeper.client_port", z.client_port),
                ("zookeeper.quorum_port", z.quorum_port),
                ("zookeeper.election_port", z.election_port),
            ]);
        }
        check_distinct_ports(c, i, h, &ports, None);
    }
    let names: Vec<&str> = spec.controllers().map(|h| h.name.as_str()).collect();
    let names = names.join(", ");
    c.warning("hosts", text!("{names}: KRaft controllers for this cluster's migration from ZooKeeper to KRaft — `kafka-wizard migrate` provisions them and moves the brokers over in Apache's phases (reversible until `migrate --finalize`); `deploy` keeps a migration where it stands", "{names}: 이 클러스터를 ZooKeeper에서 KRaft로 마이그레이션할 KRaft controller입니다 — `kafka-wizard migrate`가 이들을 준비하고 Apache의 단계대로 broker를 옮깁니다(`migrate --finalize` 전까지 되돌릴 수 있음). `deploy`는 진행 중인 마이그레이션을 그 단계 그대로 유지합니다"));
    ensemble_size_warning(
        c,
        ("KRaft controller quorum", "KRaft controller 쿼럼"),
        "controller",
        spec.controllers().count(),
    );
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

/// Each exporter's port is none of the other ports its host serves (listener, controller, ZooKeeper's three).
fn check_exporter_ports(c: &mut Checker, spec: &ClusterSpec, m: &MonitoringSpec) {
    for (i, h) in spec.hosts.iter().enumerate() {
        let mut taken: Vec<(&str, u16)> = Vec::new();
        if h.has(Role::Broker) {
            taken.push(("kafka.listener_port", spec.kafka.listener_port));
        }
        match &spec.coordination {
            Coordination::Kraft(k) if h.has(Role::Controller) => {
                taken.push(("kraft.controller_port", k.controller_port))
            }
            Coordination::Zookeeper(z) if h.has(Role::Zookeeper) => taken.extend([
                ("zookeeper.client_port", z.client_port),
                ("zookeeper.quorum_port", z.quorum_port),
                ("zookeeper.election_port", z.election_port),
            ]),
            _ => {}
        }
        let mut exporters = Vec::new();
        if h.runs_kafka() {
            exporters.push(("monitoring.kafka_port", m.kafka_port));
        }
        if h.has(Role::Zookeeper) {
            exporters.push(("monitoring.zookeeper_port", m.zookeeper_port));
        }
        for (field, port) in exporters {
            if let Some((other, _)) = taken.iter().find(|(_, p)| *p == port) {
                let name = &h.name;
                c.error(field, text!("{port} is also {other} on {name} (hosts[{i}]) — the exporter needs a port of its own, e.g. the default {default}", "{port}은(는) {name}(hosts[{i}])의 {other}이기도 합니다 — exporter에는 별도의 포트가 필요합니다. 예: 기본값 {default}", default = if field == "monitoring.kafka_port" { defaults::EXPORTER_KAFKA_PORT } else { defaults::EXPORTER_ZOOKEEPER_PORT }));
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
