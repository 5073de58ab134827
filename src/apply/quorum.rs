//! The coordinating quorums, as health and as who leads: the KRaft quorum through DescribeQuorum (a leader, the
//! voters exactly the controllers, each caught up to the high watermark — docs/facts/kafka.md §8), and the leader
//! of the KRaft quorum or of the ZooKeeper ensemble (`srvr`), which a rolling restart takes last.

use crate::health::{self, QuorumStatus, ZkMode};
use crate::project::spec::{ClusterSpec, Coordination, Role};
use crate::render::Service;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A voter this many records or fewer behind the high watermark counts as caught up: the metadata log keeps
/// growing while idle, so a live follower is often a record or two behind when asked (docs/facts/kafka.md §8).
pub const MAX_QUORUM_LAG: i64 = 10;

/// Judges a DescribeQuorum answer: Ok with a summary when the quorum has a leader, its voters are `expected`, and
/// every voter is at most [`MAX_QUORUM_LAG`] behind the high watermark; else Err naming what is not (voters by
/// their host name from `names`, and node id).
pub fn judge_quorum(
    q: &QuorumStatus,
    expected: &BTreeSet<i32>,
    names: &BTreeMap<i32, String>,
) -> Result<String, String> {
    let name = |id: i32| match names.get(&id) {
        Some(n) => format!("{n} (node {id})"),
        None => format!("node {id}"),
    };
    let voters: BTreeSet<i32> = q.voters.iter().copied().collect();
    if q.leader_id < 0 {
        return Err(format!("no leader (epoch {}), voters {voters:?}", q.leader_epoch));
    }
    let leader = format!("leader {} in epoch {}", name(q.leader_id), q.leader_epoch);
    if &voters != expected {
        return Err(format!("{leader}, voters {voters:?}, expected voters {expected:?}"));
    }
    let behind: Vec<String> = q
        .voter_lags()
        .into_iter()
        .filter_map(|(id, lag)| match lag {
            Some(lag) if lag <= MAX_QUORUM_LAG => None,
            Some(lag) => Some(format!("{} lag {lag}", name(id))),
            None => Some(format!("{} not fetching yet", name(id))),
        })
        .collect();
    if behind.is_empty() {
        Ok(format!("{leader}, voters {voters:?} caught up (high watermark {})", q.high_watermark))
    } else {
        Err(format!("{leader}, behind the high watermark {}: {}", q.high_watermark, behind.join(", ")))
    }
}

/// DescribeQuorum from the first node that answers: the brokers (they forward it to the active controller), then
/// the controllers' listeners (only the leader answers there).
async fn describe_quorum(spec: &ClusterSpec) -> Result<QuorumStatus, String> {
    let Some(controller_port) = spec.controller_port() else { return Err("no KRaft".into()) };
    // Brokers in ZooKeeper mode (a migration's first stage) do not serve DescribeQuorum: the controllers then.
    let brokers = spec
        .brokers()
        .filter(|b| !spec.kafka_uses_zookeeper(b))
        .map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port));
    let controllers = spec.controllers().map(|c| format!("{}:{}", c.reach().for_host_port(), controller_port));
    // The brokers' listener as the admin; the controllers' (TLS with client certificates) as a controller.
    let (auth, controller_auth) = (super::secrets::kafka_auth(spec)?, super::secrets::controller_auth(spec)?);
    let asks = brokers.map(|a| (a, &auth)).chain(controllers.map(|a| (a, &controller_auth)));
    let mut errors = Vec::new();
    for (addr, auth) in asks {
        match health::kraft_quorum_with(&addr, auth, PROBE_TIMEOUT).await {
            Ok(q) => return Ok(q),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(errors.first().cloned().unwrap_or_else(|| "no broker or controller to ask".into()))
}

/// The controllers' node ids → host names.
fn controller_names(spec: &ClusterSpec) -> BTreeMap<i32, String> {
    spec.controllers().filter_map(|c| c.node_id.map(|id| (id as i32, c.name.to_string()))).collect()
}

/// Checks the KRaft quorum once: a leader, voters = controllers, every voter caught up.
pub async fn quorum_check(spec: &ClusterSpec) -> Result<String, String> {
    if !spec.has_kraft_quorum() {
        return Ok("no KRaft".into());
    }
    let expected: BTreeSet<i32> = spec.controllers().filter_map(|c| c.node_id).map(|id| id as i32).collect();
    let q = describe_quorum(spec).await?;
    judge_quorum(&q, &expected, &controller_names(spec))
}

/// The host that leads the quorum `service` belongs to, now: the KRaft quorum's leader for Kafka (None in
/// ZooKeeper mode: brokers have no order among themselves), the ZooKeeper member whose `srvr` says `leader`.
/// None when it cannot be told.
pub async fn leader(spec: &ClusterSpec, service: Service) -> Option<String> {
    match (service, &spec.coordination) {
        (Service::Kafka, _) if spec.has_kraft_quorum() => {
            let q = describe_quorum(spec).await.ok()?;
            controller_names(spec).remove(&q.leader_id)
        }
        (Service::Zookeeper, Coordination::Zookeeper(z)) => {
            let port = z.client_port;
            let asks = spec.hosts.iter().filter(|h| h.has(Role::Zookeeper)).map(|m| async move {
                let addr = format!("{}:{port}", m.reach().for_host_port());
                let mode = health::zookeeper_srvr(&addr, PROBE_TIMEOUT).await.map(|s| s.mode);
                (m.name.to_string(), mode)
            });
            let answers = futures_util::future::join_all(asks).await;
            answers.into_iter().find(|(_, mode)| matches!(mode, Ok(ZkMode::Leader))).map(|(name, _)| name)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quorum(leader: i32, hw: i64, ends: &[(i32, i64)]) -> QuorumStatus {
        QuorumStatus {
            leader_id: leader,
            leader_epoch: 7,
            voters: ends.iter().map(|(id, _)| *id).collect(),
            observers: Vec::new(),
            high_watermark: hw,
            voter_log_ends: ends.to_vec(),
        }
    }

    fn names() -> BTreeMap<i32, String> {
        (1..=3).map(|id| (id, format!("h{id}"))).collect()
    }

    fn three() -> BTreeSet<i32> {
        BTreeSet::from([1, 2, 3])
    }

    #[test]
    fn a_quorum_with_a_leader_and_every_voter_at_the_high_watermark_is_fine() {
        let q = quorum(1, 500, &[(1, 501), (2, 500), (3, 495)]);
        assert_eq!(
            judge_quorum(&q, &three(), &names()).unwrap(),
            "leader h1 (node 1) in epoch 7, voters {1, 2, 3} caught up (high watermark 500)"
        );
    }

    #[test]
    fn a_voter_behind_the_high_watermark_is_named_with_its_lag() {
        let q = quorum(1, 500, &[(1, 500), (2, 488), (3, 500)]);
        assert_eq!(
            judge_quorum(&q, &three(), &names()).unwrap_err(),
            "leader h1 (node 1) in epoch 7, behind the high watermark 500: h2 (node 2) lag 12"
        );
        let q = quorum(1, 500, &[(1, 500), (2, 500), (3, -1)]);
        assert!(judge_quorum(&q, &three(), &names()).unwrap_err().ends_with("h3 (node 3) not fetching yet"));
    }

    #[test]
    fn a_quorum_without_a_leader_or_with_other_voters_is_not_healthy() {
        let q = quorum(-1, 500, &[(1, 500), (2, 500), (3, 500)]);
        assert_eq!(judge_quorum(&q, &three(), &names()).unwrap_err(), "no leader (epoch 7), voters {1, 2, 3}");
        let q = quorum(2, 500, &[(1, 500), (2, 500)]);
        assert_eq!(
            judge_quorum(&q, &three(), &names()).unwrap_err(),
            "leader h2 (node 2) in epoch 7, voters {1, 2}, expected voters {1, 2, 3}"
        );
    }

    #[test]
    fn lag_is_measured_against_the_high_watermark_and_unknown_offsets_have_none() {
        let q = quorum(1, 100, &[(1, 120), (2, 90), (3, -1)]);
        assert_eq!(q.voter_lags(), [(1, Some(0)), (2, Some(10)), (3, None)]);
    }

    #[tokio::test]
    async fn no_leader_is_told_when_nothing_answers() {
        // The fixtures' hosts do not resolve here.
        for fixture in [
            include_str!("../../tests/fixtures/kraft-dedicated.toml"),
            include_str!("../../tests/fixtures/mixed-zookeeper.toml"),
        ] {
            let spec = crate::project::validate(&crate::project::parse(fixture).unwrap()).spec.unwrap();
            assert_eq!(leader(&spec, Service::Kafka).await, None);
            assert_eq!(leader(&spec, Service::Zookeeper).await, None);
        }
    }
}
