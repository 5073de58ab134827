//! Status of a deployed cluster: per host its units, whether its service listens and whether the cluster counts it
//! as a member; and the cluster-wide health conditions (the plan's, each checked once); and, for a project asking
//! for a dynamic KRaft quorum, the hosts still on the static one (`apply::convert_quorum`).

use super::connect::connect_each;
use super::facts::{parse_probe, probe_script, HostFacts, UnitState};
use super::options::DeployOptions;
use super::wait;
use crate::health::{self, ZkMode};
use crate::plan;
use crate::project::spec::{ClusterSpec, Coordination, Quorum, Role};
use crate::render::Service;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use ts_rs::TS;

#[derive(Clone, Debug, Serialize, TS)]
pub struct UnitStatus {
    pub unit: &'static str,
    pub enabled: String,
    pub active: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct HostStatus {
    pub host: String,
    pub roles: Vec<Role>,
    /// `None` when the host could not be reached (see `error`).
    pub units: Option<Vec<UnitStatus>>,
    /// The service's port accepts connections (the process is up and listening).
    pub listening: Option<bool>,
    /// Seen as a member by the cluster: in the brokers' Metadata, a ZooKeeper leader/follower.
    pub in_cluster: Option<bool>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct ClusterStatus {
    pub hosts: Vec<HostStatus>,
    /// One line per check: ZooKeeper quorum, brokers, KRaft quorum — Ok(summary) or Err(what is wrong).
    pub checks: Vec<(String, Result<String, String>)>,
    pub healthy: bool,
    /// The cluster at a glance: brokers, quorum or ensemble, partitions, disks, problems (`crate::overview`).
    pub overview: crate::overview::ClusterOverview,
    /// A project asking for a dynamic KRaft quorum (`kraft.quorum = "dynamic"`): the hosts that still run the static
    /// one (`controller.quorum.voters`) — convert it with `deploy --convert-quorum` (Manage: Convert quorum…).
    pub static_quorum: Vec<String>,
}

/// Whether `addr` accepts a connection within 2 s (through the host's jump host when it has one).
pub(crate) async fn port_open(addr: String) -> bool {
    let dial = crate::transport::dial::connect(&addr);
    matches!(tokio::time::timeout(Duration::from_secs(2), dial).await, Ok(Ok(_)))
}

/// Per host (those `opts.limit` names): unit states, process listening, membership; and the cluster-wide checks
/// (always of the whole cluster).
pub async fn status(spec: &ClusterSpec, opts: &DeployOptions) -> ClusterStatus {
    let connections = connect_each(spec, &opts.limit, &opts.connect).await;
    let mut probes = Vec::new();
    for (i, c) in connections {
        let spec_host = spec.hosts[i].clone();
        let script = probe_script(spec, &spec_host);
        probes.push((
            i,
            tokio::task::spawn_blocking(move || match c {
                Ok(t) => t.exec(&script, None).map(|o| parse_probe(&o.stdout_text())).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }),
        ));
    }
    let mut probed: BTreeMap<usize, Result<HostFacts, String>> = BTreeMap::new();
    for (i, p) in probes {
        probed.insert(i, p.await.unwrap_or_else(|e| Err(e.to_string())));
    }
    let static_quorum: Vec<String> = match &spec.coordination {
        Coordination::Kraft(k) if k.quorum == Quorum::Dynamic => super::convert_quorum::static_hosts(
            spec,
            probed.iter().filter_map(|(i, p)| p.as_ref().ok().map(|f| (spec.hosts[*i].name.as_str(), f))),
        )
        .into_iter()
        .map(str::to_string)
        .collect(),
        _ => Vec::new(),
    };

    // Membership as the cluster sees it.
    let mut broker_ids_seen: Option<Vec<i32>> = None;
    let auth = super::secrets::kafka_auth(spec).unwrap_or_default();
    for b in spec.brokers() {
        if let Ok(m) = health::kafka_metadata_with(
            &format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port),
            &auth,
            Duration::from_secs(3),
        )
        .await
        {
            broker_ids_seen = Some(m.brokers.iter().map(|x| x.id).collect());
            break;
        }
    }
    let mut hosts = Vec::new();
    for (i, h) in spec.hosts.iter().enumerate() {
        let Some(facts) = probed.get(&i) else { continue };
        let (units, error) = match facts {
            Ok(facts) => {
                let mut list = Vec::new();
                for unit in Service::on(h).into_iter().map(Service::unit) {
                    let s: UnitState = facts.units.get(unit).cloned().unwrap_or_default();
                    list.push(UnitStatus { unit, enabled: s.enabled, active: s.active });
                }
                (Some(list), None)
            }
            Err(e) => (None, Some(e.clone())),
        };
        let mut listening = None;
        let mut in_cluster = None;
        if h.runs_kafka() {
            let port = if h.has(Role::Broker) {
                spec.kafka.listener_port
            } else {
                spec.controller_port().unwrap_or(spec.kafka.listener_port)
            };
            listening = Some(port_open(format!("{}:{port}", h.reach().for_host_port())).await);
            if h.has(Role::Broker) {
                in_cluster = Some(
                    broker_ids_seen.as_ref().is_some_and(|ids| h.node_id.is_some_and(|id| ids.contains(&(id as i32)))),
                );
            }
        }
        if let (Coordination::Zookeeper(z), true) = (&spec.coordination, h.has(Role::Zookeeper)) {
            let addr = format!("{}:{}", h.reach().for_host_port(), z.client_port);
            let srvr = health::zookeeper_srvr(&addr, Duration::from_secs(3)).await;
            listening = Some(listening.unwrap_or(true) && srvr.is_ok());
            let member = matches!(srvr.map(|s| s.mode), Ok(ZkMode::Leader | ZkMode::Follower | ZkMode::Standalone));
            in_cluster = Some(in_cluster.unwrap_or(true) && member);
        }
        hosts.push(HostStatus {
            host: h.name.to_string(),
            roles: h.roles.clone(),
            units,
            listening,
            in_cluster,
            error,
        });
    }
    let checks = async {
        let mut checks = Vec::new();
        for health in plan::cluster_health(spec) {
            checks.push((health.check_name().to_string(), wait::check(spec, &health).await));
        }
        checks
    };
    let (checks, overview) = tokio::join!(checks, crate::overview::collect(spec));
    let healthy = checks.iter().all(|(_, r)| r.is_ok()) && hosts.iter().all(|h| h.error.is_none());
    ClusterStatus { hosts, checks, healthy, overview, static_quorum }
}
