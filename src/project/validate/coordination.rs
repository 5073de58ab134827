//! Coordination: the `[zookeeper]` section (ports, directories, timing, a managed or an external ensemble) and
//! the `[kraft]` section (cluster id, controller port, controllers present), and that the sections match the mode.

use super::{service_dir_or_default, Checker};
use crate::catalog::Release;
use crate::project::checks;
use crate::project::defaults;
use crate::project::draft::ProjectDraft;
use crate::project::jvm_opts;
use crate::project::problem::{text, Text};
use crate::project::spec::*;

/// The `[zookeeper]` and `[kraft]` sections must match the mode (`kraft`: None when the mode is unknown).
pub(super) fn check_sections_match_mode(c: &mut Checker, d: &ProjectDraft, kraft: Option<bool>) {
    if kraft == Some(true) && d.zookeeper.is_some() {
        c.error("zookeeper", text!("this project uses KRaft mode, which has no ZooKeeper — remove the [zookeeper] section or set kafka.mode = \"zookeeper\"", "이 프로젝트는 ZooKeeper가 없는 KRaft 모드를 씁니다 — [zookeeper] 섹션을 지우거나 kafka.mode = \"zookeeper\"로 설정하세요"));
    }
    let controllers = d.hosts.iter().any(|h| h.roles.iter().any(|r| r == Role::Controller.name()));
    if kraft == Some(false) && d.kraft.as_ref().is_some_and(|k| k.cluster_id.is_some()) && controllers {
        c.error("kraft.cluster_id", text!("a migration to KRaft keeps the running cluster's id, which the wizard reads from the brokers' storage — remove kraft.cluster_id", "KRaft로의 마이그레이션은 실행 중인 클러스터의 id를 그대로 쓰며, 위저드가 broker의 저장소에서 읽습니다 — kraft.cluster_id를 지우세요"));
    }
    if kraft == Some(false) && d.kraft.is_some() && !controllers {
        c.error(
            "kraft",
            text!(
                "this project uses ZooKeeper mode — remove the [kraft] section, set kafka.mode = \"kraft\", or give hosts the role \"controller\" to migrate the cluster to KRaft",
                "이 프로젝트는 ZooKeeper 모드를 씁니다 — [kraft] 섹션을 지우거나, kafka.mode = \"kraft\"로 설정하거나, 클러스터를 KRaft로 마이그레이션하려면 호스트에 역할 \"controller\"를 주세요"
            ),
        );
    }
}

pub(super) fn check_zookeeper(
    c: &mut Checker,
    d: &ProjectDraft,
    hosts: Option<&[HostSpec]>,
    name: Option<&str>,
    listener_port: Option<u16>,
) -> Option<ZookeeperSpec> {
    let z = d.zookeeper.clone().unwrap_or_default();
    let chroot = match (&z.chroot, name) {
        (Some(raw), _) => c.check("zookeeper.chroot", checks::chroot(raw)),
        (None, Some(name)) => Some(format!("/{name}")),
        (None, None) => None,
    };
    let client_port = c.check(
        "zookeeper.client_port",
        checks::service_port(z.client_port.unwrap_or(i64::from(defaults::CLIENT_PORT))),
    );
    let quorum_port = c.check(
        "zookeeper.quorum_port",
        checks::service_port(z.quorum_port.unwrap_or(i64::from(defaults::QUORUM_PORT))),
    );
    let election_port = c.check(
        "zookeeper.election_port",
        checks::service_port(z.election_port.unwrap_or(i64::from(defaults::ELECTION_PORT))),
    );
    let data_dir = service_dir_or_default(
        c,
        "zookeeper.data_dir",
        z.data_dir.as_deref(),
        defaults::ZOOKEEPER_DATA_DIR,
        "zookeeper",
    );
    let log_dir =
        service_dir_or_default(c, "zookeeper.log_dir", z.log_dir.as_deref(), defaults::ZOOKEEPER_LOG_DIR, "zookeeper");
    let heap = c.check("zookeeper.heap", checks::heap(z.heap.as_deref().unwrap_or(defaults::ZOOKEEPER_HEAP)));
    let jvm_opts =
        c.check("zookeeper.jvm_opts", jvm_opts::check("zookeeper", z.jvm_opts.as_deref().unwrap_or_default()));
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
    let tick_time = positive(c, "zookeeper.tick_time", z.tick_time, defaults::TICK_TIME);
    let init_limit = positive(c, "zookeeper.init_limit", z.init_limit, defaults::INIT_LIMIT);
    let sync_limit = positive(c, "zookeeper.sync_limit", z.sync_limit, defaults::SYNC_LIMIT);

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

    let migration = match hosts.iter().any(|h| h.has(Role::Controller)) {
        false => None,
        true => Some(MigrationSpec {
            controller_port: check_controller_port(c, d, listener_port)?,
            stage: MigrationStage::Migrating,
            cluster_id: None,
        }),
    };
    Some(ZookeeperSpec {
        migration,
        chroot: chroot?,
        client_port: client_port?,
        quorum_port: quorum_port?,
        election_port: election_port?,
        data_dir: data_dir?,
        log_dir: log_dir?,
        heap: heap?,
        jvm_opts: jvm_opts?,
        tick_time: tick_time?,
        init_limit: init_limit?,
        sync_limit: sync_limit?,
        quorum_tls: z.quorum_tls.unwrap_or(defaults::ZOOKEEPER_QUORUM_TLS),
        ensemble: ensemble?,
    })
}

fn parse_host_port(entry: &str) -> Result<String, Text> {
    let Text { en: fix, ko: fix_ko } = {
        let port = defaults::CLIENT_PORT;
        text!(
            "write it as host:port, e.g. zk1.example.com:{port}, with no spaces and no chroot (set zookeeper.chroot)",
            "공백과 chroot 없이 host:port 형식으로 쓰세요. 예: zk1.example.com:{port} (chroot는 zookeeper.chroot에 설정)"
        )
    };
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

pub(super) fn check_kraft(
    c: &mut Checker,
    d: &ProjectDraft,
    hosts: Option<&[HostSpec]>,
    listener_port: Option<u16>,
    release: Option<&'static Release>,
) -> Option<KraftSpec> {
    let k = d.kraft.clone().unwrap_or_default();
    let cluster_id = match &k.cluster_id {
        Some(raw) => Some(c.check("kraft.cluster_id", checks::cluster_id(raw))?),
        None => None,
    };
    let controller_port = check_controller_port(c, d, listener_port);
    let quorum = c.check("kraft.quorum", quorum(k.quorum.as_deref(), release));
    let (controller_port, quorum) = (controller_port?, quorum?);
    if !hosts?.iter().any(|h| h.has(Role::Controller)) {
        c.error("hosts", text!("KRaft mode needs controllers — give three hosts (or one, for a test) the role \"controller\"", "KRaft 모드에는 controller가 필요합니다 — 호스트 세 대(테스트라면 한 대)에 역할 \"controller\"를 주세요"));
        return None;
    }
    let hosts = hosts?;
    let bootstrap_controllers = match &k.bootstrap_controllers {
        Some(ids) => Some(c.check("kraft.bootstrap_controllers", bootstrap_controllers(ids, quorum, hosts))?),
        None => None,
    };
    Some(KraftSpec { cluster_id, controller_port, quorum, bootstrap_controllers })
}

/// `kraft.bootstrap_controllers` (docs/facts/kafka.md §36): a dynamic quorum's, non-empty, each a project
/// controller's id once; sorted.
pub(super) fn bootstrap_controllers(ids: &[i64], quorum: Quorum, hosts: &[HostSpec]) -> Result<Vec<u32>, Text> {
    if quorum != Quorum::Dynamic {
        return Err(text!(
            "only a dynamic quorum has bootstrap controllers (a static one lists its voters on every node) — remove kraft.bootstrap_controllers, or set kraft.quorum = \"dynamic\" for a new cluster",
            "bootstrap controller는 동적 quorum에만 있습니다(고정 quorum은 모든 노드에 voter를 나열) — kraft.bootstrap_controllers를 지우거나, 새 클러스터라면 kraft.quorum = \"dynamic\"으로 설정하세요"
        ));
    }
    let controllers: Vec<u32> = hosts.iter().filter(|h| h.has(Role::Controller)).filter_map(|h| h.node_id).collect();
    if ids.is_empty() {
        return Err(text!(
            "is empty — list at least one controller's id (e.g. {controllers:?}), or remove the key to name every controller",
            "비어 있습니다 — controller id를 하나 이상 쓰거나(예: {controllers:?}) 키를 지워 모든 controller를 쓰세요"
        ));
    }
    let mut out = Vec::new();
    for &id in ids {
        match u32::try_from(id).ok().filter(|id| controllers.contains(id)) {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {
                return Err(text!("lists {id} twice — list each controller once", "{id}가 두 번 있습니다 — 각 controller를 한 번만 쓰세요"))
            }
            None => {
                return Err(text!(
                    "{id} is not a controller of the project (controllers: {controllers:?}) — remove it from the list (kafka-wizard decommission --controller does this when it removes a controller)",
                    "{id}는 프로젝트의 controller가 아닙니다(controller: {controllers:?}) — 목록에서 지우세요(kafka-wizard decommission --controller는 controller를 제거할 때 이를 함께 합니다)"
                ))
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `kraft.quorum`: absent or `"static"`, or `"dynamic"` on a release with the dynamic quorum (3.9+, KIP-853).
pub(super) fn quorum(raw: Option<&str>, release: Option<&'static Release>) -> Result<Quorum, Text> {
    match raw {
        None | Some("static") => Ok(Quorum::Static),
        Some("dynamic") => match release {
            Some(r) if r.version < DYNAMIC_QUORUM_SINCE => {
                let v = r.version;
                Err(text!(
                "Kafka {v} has only the static controller quorum: the dynamic one (kraft.version 1) needs Kafka {DYNAMIC_QUORUM_SINCE} or later — set kafka.version to {DYNAMIC_QUORUM_SINCE} or later, or remove kraft.quorum",
                "Kafka {v}에는 고정(static) controller quorum만 있습니다: 동적 quorum(kraft.version 1)은 Kafka {DYNAMIC_QUORUM_SINCE} 이상이 필요합니다 — kafka.version을 {DYNAMIC_QUORUM_SINCE} 이상으로 올리거나 kraft.quorum을 지우세요"
                ))
            }
            _ => Ok(Quorum::Dynamic),
        },
        Some(other) => Err(text!(
            "{other:?} is not a quorum kind — write \"static\" (the voters fixed in every node's configuration) or \"dynamic\" (Kafka 3.9+: controllers can be added and removed)",
            "{other:?}는 quorum 종류가 아닙니다 — \"static\"(모든 노드 설정에 고정된 voter) 또는 \"dynamic\"(Kafka 3.9+: controller 추가·제거 가능)을 쓰세요"
        )),
    }
}

/// `kraft.controller_port` (KRaft, or a ZooKeeper-mode cluster's migration to KRaft): a service port, not the
/// brokers' listener port (`listener_port`, when known).
fn check_controller_port(c: &mut Checker, d: &ProjectDraft, listener_port: Option<u16>) -> Option<u16> {
    let raw = d.kraft.as_ref().and_then(|k| k.controller_port);
    let controller_port =
        c.check("kraft.controller_port", checks::service_port(raw.unwrap_or(i64::from(defaults::CONTROLLER_PORT))))?;
    if listener_port == Some(controller_port) {
        let example = defaults::CONTROLLER_PORT;
        c.error("kraft.controller_port", text!("{controller_port} is also kafka.listener_port — the controller listener needs its own port, e.g. {example}", "{controller_port}은(는) kafka.listener_port와 같습니다 — controller 리스너에는 별도의 포트가 필요합니다. 예: {example}"));
    }
    Some(controller_port)
}
