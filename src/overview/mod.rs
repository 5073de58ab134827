//! The cluster at a glance, as an operator asks after an install: per broker — up, controller, partitions it leads
//! and holds, those of its partitions under-replicated or under `min.insync.replicas`, each log directory's size and
//! free space; per KRaft voter — leader or not and its lag; per ZooKeeper member — mode, latency and queued
//! requests; cluster-wide — offline partitions, and the problems, each saying what to do. `status --json` carries it
//! and `status` prints it (`--watch` again and again); the app's Manage step shows the same data.
//!
//! This module owns the typed overview and its pure assembly from what the cluster answered ([`assemble`]);
//! `collect.rs` asks (Metadata, DescribeConfigs, DescribeLogDirs, DescribeQuorum, `srvr`) over `health`'s
//! connections.

mod collect;

pub use collect::{collect, describe_log_dirs};

use crate::health::{PartitionState, ZkStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// One log directory of a broker (DescribeLogDirs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct LogDirOverview {
    pub path: String,
    /// The size of the partitions in it.
    #[ts(type = "number")]
    pub used_bytes: u64,
    /// The file system's size and what is left for Kafka (Kafka 3.3+, KIP-827); None before.
    #[ts(type = "number | null")]
    pub total_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub usable_bytes: Option<u64>,
    /// The directory is offline (a disk error), as Kafka names it.
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct BrokerOverview {
    pub id: i32,
    /// The project's host name.
    pub host: String,
    /// In the cluster's metadata (registered and alive).
    pub up: bool,
    /// The controller (ZooKeeper mode), or the active KRaft controller on a combined node.
    pub controller: bool,
    /// Partitions it leads / holds a replica of.
    pub leads: u32,
    pub replicas: u32,
    /// Of the partitions it leads: those whose ISR is smaller than their replica set, and those whose ISR is
    /// below their topic's `min.insync.replicas` (producers with `acks=all` are refused there).
    pub under_replicated: u32,
    pub under_min_isr: u32,
    /// None when the broker could not be asked (it is down, or the call failed: `log_dirs_error`).
    pub log_dirs: Option<Vec<LogDirOverview>>,
    pub log_dirs_error: Option<String>,
}

/// A KRaft voter as the quorum's leader sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct VoterOverview {
    pub id: i32,
    pub host: String,
    pub leader: bool,
    /// Records behind the quorum's high watermark; None when the leader has no offset for it.
    #[ts(type = "number | null")]
    pub lag: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ZookeeperOverview {
    pub host: String,
    /// `leader`, `follower`, `standalone`, … or None when it did not answer (`error`).
    pub mode: Option<String>,
    #[ts(type = "number | null")]
    pub latency_avg_us: Option<u64>,
    #[ts(type = "number | null")]
    pub outstanding: Option<u64>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
pub struct ClusterOverview {
    pub brokers: Vec<BrokerOverview>,
    /// KRaft: the quorum's voters (empty in ZooKeeper mode, or when the quorum could not be described).
    pub voters: Vec<VoterOverview>,
    /// ZooKeeper mode with the wizard's ensemble: its members.
    pub zookeeper: Vec<ZookeeperOverview>,
    pub topics: u32,
    pub partitions: u32,
    /// Partitions with no leader: nobody can read or write them.
    pub offline_partitions: u32,
    /// What is wrong, each line saying what to do; empty when nothing is.
    pub problems: Vec<String>,
}

/// A broker of the project: its id and host name.
pub struct ProjectBroker {
    pub id: i32,
    pub host: String,
}

/// Each voter's id and how far it is behind the quorum's high watermark (None: unknown).
pub type VoterLags = Vec<(i32, Option<i64>)>;

/// What the cluster answered, for [`assemble`].
#[derive(Default)]
pub struct Answers {
    /// Live broker ids (Metadata) and the controller id (ZooKeeper mode); None when no broker answered.
    pub live: Option<(Vec<i32>, i32)>,
    pub partitions: Vec<PartitionState>,
    /// Each topic's effective `min.insync.replicas`.
    pub min_insync: BTreeMap<String, i32>,
    /// Per broker id: its log directories, or why they could not be read.
    pub log_dirs: BTreeMap<i32, Result<Vec<LogDirOverview>, String>>,
    /// KRaft: the quorum's leader and each voter's lag (by id).
    pub quorum: Option<(i32, VoterLags)>,
    /// Voter id → host name.
    pub voter_hosts: BTreeMap<i32, String>,
    /// ZooKeeper members: host name and what `srvr` said.
    pub zookeeper: Vec<(String, Result<ZkStatus, String>)>,
    /// Why no broker could be asked for metadata.
    pub metadata_error: Option<String>,
}

/// A log directory with less than this share of its file system usable is a problem.
pub const LOW_DISK_PERCENT: u64 = 10;

/// The overview of `brokers` from what the cluster answered.
pub fn assemble(brokers: &[ProjectBroker], answers: Answers) -> ClusterOverview {
    let mut problems = Vec::new();
    let (live, controller_id) = answers.live.clone().unwrap_or_default();
    if let Some(e) = &answers.metadata_error {
        problems
            .push(format!("no broker answered a Metadata request ({e}) — start the brokers: kafka-wizard start FILE"));
    }
    let quorum_leader = answers.quorum.as_ref().map(|(leader, _)| *leader);
    let real: Vec<&PartitionState> = answers.partitions.iter().filter(|p| p.partition >= 0).collect();
    let behind = |p: &PartitionState| p.isr.len() < p.replicas.len();
    let below_min = |p: &PartitionState| {
        answers.min_insync.get(&p.topic).is_some_and(|&min| (p.isr.len() as i32) < min && p.leader >= 0)
    };
    let mut overview = ClusterOverview::default();
    for b in brokers {
        let count = |f: &dyn Fn(&PartitionState) -> bool| real.iter().filter(|p| f(p)).count() as u32;
        let (log_dirs, log_dirs_error) = match answers.log_dirs.get(&b.id) {
            Some(Ok(dirs)) => (Some(dirs.clone()), None),
            Some(Err(e)) => (None, Some(e.clone())),
            None => (None, None),
        };
        let up = live.contains(&b.id);
        let broker = BrokerOverview {
            id: b.id,
            host: b.host.clone(),
            up,
            controller: up && (quorum_leader.map_or(controller_id == b.id, |leader| leader == b.id)),
            leads: count(&|p| p.leader == b.id),
            replicas: count(&|p| p.replicas.contains(&b.id)),
            under_replicated: count(&|p| p.leader == b.id && behind(p)),
            under_min_isr: count(&|p| p.leader == b.id && below_min(p)),
            log_dirs,
            log_dirs_error,
        };
        if answers.live.is_some() && !up {
            problems.push(format!(
                "broker {} ({}) is not in the cluster — see `kafka-wizard status` for its unit, then its log \
                 (journalctl -u kafka-server on {})",
                b.id, b.host, b.host
            ));
        }
        for dir in broker.log_dirs.iter().flatten() {
            if let Some(e) = &dir.error {
                problems.push(format!("broker {}: log directory {} is offline ({e}) — check the disk", b.id, dir.path));
            } else if let (Some(total), Some(usable)) = (dir.total_bytes, dir.usable_bytes) {
                if total > 0 && usable * 100 < total * LOW_DISK_PERCENT {
                    problems.push(format!(
                        "broker {}: {} has {}% free ({} of {}) — add disk or lower retention",
                        b.id,
                        dir.path,
                        usable * 100 / total,
                        bytes(usable),
                        bytes(total)
                    ));
                }
            }
        }
        overview.brokers.push(broker);
    }
    let offline: Vec<&&PartitionState> = real.iter().filter(|p| p.leader < 0).collect();
    let under: Vec<&&PartitionState> = real.iter().filter(|p| p.leader >= 0 && behind(p)).collect();
    let under_min: Vec<&&PartitionState> = real.iter().filter(|p| below_min(p)).collect();
    let names = |ps: &[&&PartitionState]| {
        let mut list: Vec<String> = ps.iter().take(5).map(|p| format!("{}-{}", p.topic, p.partition)).collect();
        if ps.len() > 5 {
            list.push(format!("{} more", ps.len() - 5));
        }
        list.join(", ")
    };
    if !offline.is_empty() {
        problems.push(format!(
            "{} partition(s) offline, no leader ({}) — start the brokers that hold them",
            offline.len(),
            names(&offline)
        ));
    }
    if !under_min.is_empty() {
        problems.push(format!(
            "{} partition(s) below min.insync.replicas ({}): producers with acks=all are refused — bring their \
             brokers back",
            under_min.len(),
            names(&under_min)
        ));
    } else if !under.is_empty() {
        problems.push(format!(
            "{} partition(s) under-replicated ({}) — a broker is down or catching up; wait, or check the brokers \
             not in the ISR",
            under.len(),
            names(&under)
        ));
    }
    if let Some((leader, lags)) = &answers.quorum {
        for (id, lag) in lags {
            let host = answers.voter_hosts.get(id).cloned().unwrap_or_else(|| format!("node {id}"));
            overview.voters.push(VoterOverview { id: *id, host, leader: id == leader, lag: *lag });
        }
    }
    for (host, srvr) in &answers.zookeeper {
        let member = match srvr {
            Ok(s) => ZookeeperOverview {
                host: host.clone(),
                mode: Some(format!("{:?}", s.mode).to_lowercase()),
                latency_avg_us: s.latency_avg_us,
                outstanding: s.outstanding,
                error: None,
            },
            Err(e) => {
                problems.push(format!("ZooKeeper on {host} does not answer ({e}) — start it: kafka-wizard start FILE"));
                ZookeeperOverview {
                    host: host.clone(),
                    mode: None,
                    latency_avg_us: None,
                    outstanding: None,
                    error: Some(e.clone()),
                }
            }
        };
        overview.zookeeper.push(member);
    }
    let mut topics: Vec<&str> = answers.partitions.iter().map(|p| p.topic.as_str()).collect();
    topics.dedup();
    overview.topics = topics.len() as u32;
    overview.partitions = real.len() as u32;
    overview.offline_partitions = offline.len() as u32;
    overview.problems = problems;
    overview
}

/// `1.5 GiB`, `320.0 MiB`, `12 KiB`, `100 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests;
