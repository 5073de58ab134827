//! Asks the cluster what the overview needs, all in parallel and each bounded by [`CALL_TIMEOUT`]: Metadata for every
//! topic from the first broker that answers, the topics' `min.insync.replicas` (DescribeConfigs), every live
//! broker's log directories (DescribeLogDirs, api key 35: v4 adds the file system's total and usable bytes,
//! KIP-827, Kafka 3.3+), the KRaft quorum (DescribeQuorum) and each ZooKeeper member's `srvr`. Logs in as the admin
//! on a secured cluster (`apply::secrets::kafka_auth`).

use super::{assemble, Answers, ClusterOverview, LogDirOverview, ProjectBroker};
use crate::health::{self, bounded, error_code, Conn, HealthError};
use crate::project::spec::{ClusterSpec, Coordination, HostSpec};
use crate::security::KafkaAuth;
use kafka_protocol::messages::{ApiKey, DescribeLogDirsRequest, DescribeLogDirsResponse};
use kafka_protocol::protocol::Message;
use std::time::Duration;

/// The longest one call may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The overview of the project's cluster as it is now.
pub async fn collect(spec: &ClusterSpec) -> ClusterOverview {
    let auth = crate::apply::secrets::kafka_auth(spec).unwrap_or_default();
    let port = spec.kafka.listener_port;
    let addr = |h: &HostSpec| format!("{}:{port}", h.reach().for_host_port());
    let brokers: Vec<(&HostSpec, i32)> = spec.brokers().filter_map(|h| h.node_id.map(|id| (h, id as i32))).collect();
    let mut answers = Answers::default();

    let mut metadata = None;
    let mut last_error = None;
    for (h, _) in &brokers {
        match health::metadata(&addr(h), &auth, CALL_TIMEOUT, None).await {
            Ok(resp) => {
                metadata = Some((addr(h), resp));
                break;
            }
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    let asked = metadata.as_ref().map(|(a, _)| a.clone());
    if let Some((_, resp)) = &metadata {
        let cluster = health::cluster_of(resp);
        answers.live = Some((cluster.brokers.iter().map(|b| b.id).collect(), cluster.controller_id));
        answers.partitions = health::partitions_of(resp);
    } else {
        answers.metadata_error = last_error.or_else(|| Some("the project has no brokers".into()));
    }

    let topics: Vec<String> = {
        let mut t: Vec<String> = answers.partitions.iter().map(|p| p.topic.clone()).collect();
        t.dedup();
        t
    };
    let live: Vec<i32> = answers.live.as_ref().map(|(ids, _)| ids.clone()).unwrap_or_default();
    let min_insync = async {
        match (&asked, topics.is_empty()) {
            (Some(a), false) => {
                health::topics_min_insync_with(a, &auth, CALL_TIMEOUT, &topics).await.unwrap_or_default()
            }
            _ => Default::default(),
        }
    };
    let log_dirs = futures_util::future::join_all(brokers.iter().filter(|(_, id)| live.contains(id)).map(|(h, id)| {
        let (a, auth) = (addr(h), &auth);
        async move { (*id, describe_log_dirs(&a, auth).await.map_err(|e| e.to_string())) }
    }));
    let quorum = async {
        match (&spec.coordination, &asked) {
            (Coordination::Kraft(_), Some(a)) => health::kraft_quorum_with(a, &auth, CALL_TIMEOUT).await.ok(),
            _ => None,
        }
    };
    let members = spec.zookeeper_members();
    let zookeeper = futures_util::future::join_all(members.iter().map(|m| async move {
        let Coordination::Zookeeper(z) = &spec.coordination else { unreachable!("members only in ZooKeeper mode") };
        let a = format!("{}:{}", m.reach().for_host_port(), z.client_port);
        (m.name.to_string(), health::zookeeper_srvr(&a, CALL_TIMEOUT).await.map_err(|e| e.to_string()))
    }));
    let (min_insync, log_dirs, quorum, zookeeper) = tokio::join!(min_insync, log_dirs, quorum, zookeeper);
    answers.min_insync = min_insync;
    answers.log_dirs = log_dirs.into_iter().collect();
    answers.quorum = quorum.map(|q| (q.leader_id, q.voter_lags()));
    answers.voter_hosts =
        spec.controllers().filter_map(|h| h.node_id.map(|id| (id as i32, h.name.to_string()))).collect();
    answers.zookeeper = zookeeper;

    let project: Vec<ProjectBroker> =
        brokers.iter().map(|(h, id)| ProjectBroker { id: *id, host: h.name.to_string() }).collect();
    assemble(&project, answers)
}

/// Every log directory of the broker at `addr`: the size of its partitions (current ones, not a future replica
/// being moved in), and from v4 on the file system's total and usable bytes.
pub async fn describe_log_dirs(addr: &str, auth: &KafkaAuth) -> Result<Vec<LogDirOverview>, HealthError> {
    bounded(addr, CALL_TIMEOUT, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let version =
            conn.negotiate(&versions, ApiKey::DescribeLogDirs, DescribeLogDirsRequest::VERSIONS, 1, "a broker")?;
        let mut req = DescribeLogDirsRequest::default();
        req.topics = None;
        let resp: DescribeLogDirsResponse = conn.call(ApiKey::DescribeLogDirs, version, &req).await?;
        if resp.error_code != 0 {
            return Err(error_code(addr, "DescribeLogDirs", resp.error_code));
        }
        let known = |n: i64| (n >= 0).then_some(n as u64);
        let mut dirs: Vec<LogDirOverview> = resp
            .results
            .iter()
            .map(|r| LogDirOverview {
                path: r.log_dir.to_string(),
                used_bytes: r
                    .topics
                    .iter()
                    .flat_map(|t| t.partitions.iter())
                    .filter(|p| !p.is_future_key)
                    .map(|p| p.partition_size.max(0) as u64)
                    .sum(),
                total_bytes: known(r.total_bytes),
                usable_bytes: known(r.usable_bytes),
                error: (r.error_code != 0).then(|| health::error_label(r.error_code)),
            })
            .collect();
        dirs.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(dirs)
    })
    .await
}
