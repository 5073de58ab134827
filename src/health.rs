//! Health checks that prove the cluster, not just the processes: ZooKeeper `srvr`, and Kafka's own wire protocol
//! (ApiVersions, Metadata, KRaft DescribeQuorum) spoken directly over TCP with the `kafka-protocol` codec — no Java
//! tools, no other Kafka client.
//!
//! Owns the probes (Metadata without topics for the brokers, with all topics for every partition's replicas and
//! ISR; DescribeConfigs for topics' `min.insync.replicas`) and their pure parsers (`parse_srvr`, `pick_version`);
//! deciding whether a cluster is healthy (expected ids, one leader) is the caller's. Every probe is bounded by its
//! `timeout` (connect + exchange). Each Kafka probe has a `_with` form taking a `KafkaAuth` (TLS and/or SASL/SCRAM,
//! `security::client`); the plain form is PLAINTEXT. The size-framed connection (`Conn`, `health/wire.rs`:
//! ApiVersions, version negotiation, one call at a time) is also the smoke test's (`crate::smoke`).

use crate::security::KafkaAuth;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::{
    ApiKey, DescribeConfigsRequest, DescribeConfigsResponse, DescribeQuorumRequest, DescribeQuorumResponse,
    MetadataRequest, MetadataResponse, TopicName,
};
use kafka_protocol::protocol::{Message, StrBytes};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("cannot connect to {addr}: {detail}; is the service running and the port open?")]
    Unreachable { addr: String, detail: String },
    #[error("{addr} answered something unexpected: {detail}")]
    Protocol { addr: String, detail: String },
    #[error("{addr} did not answer in time; is the service up, and is this the right port?")]
    Timeout { addr: String },
    #[error("{addr} answered {api} with error code {code} ({}); check the server's log", error_name(*.code))]
    ErrorCode { addr: String, api: String, code: i16 },
    #[error("TLS handshake with {addr} failed: {detail}")]
    Tls { addr: String, detail: String },
    #[error("{addr} does not enable SASL mechanism {mechanism} (it enables: {}); check sasl.enabled.mechanisms", enabled.join(", "))]
    SaslMechanism { addr: String, mechanism: String, enabled: Vec<String> },
    #[error("{addr} refused {mechanism} authentication of user {user:?}: {detail}; check the user name and password")]
    AuthenticationFailed { addr: String, user: String, mechanism: String, detail: String },
}

/// The name Kafka gives an error code (`UnsupportedVersion`), or the number.
pub fn error_name(code: i16) -> String {
    match kafka_protocol::error::ResponseError::try_from_code(code) {
        Some(kafka_protocol::error::ResponseError::Unknown(c)) => format!("unknown error {c}"),
        Some(e) => format!("{e:?}: {e}"),
        None => "no error".into(),
    }
}

/// Kafka's name of an error code, as its logs and tools write it: `NOT_ENOUGH_REPLICAS`.
pub fn error_label(code: i16) -> String {
    match kafka_protocol::error::ResponseError::try_from_code(code) {
        None => "NONE".into(),
        Some(kafka_protocol::error::ResponseError::Unknown(c)) => format!("UNKNOWN_ERROR_{c}"),
        Some(e) => {
            let camel = format!("{e:?}");
            let mut out = String::new();
            for (i, c) in camel.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// ZooKeeper

/// The `Mode:` of a ZooKeeper server, or that it is not serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ZkMode {
    Leader,
    Follower,
    Standalone,
    Observer,
    ReadOnly,
    NotServing,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ZkStatus {
    pub mode: ZkMode,
    /// `3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c` (build date dropped); empty when not serving.
    pub version: String,
    /// The average request latency (`Latency min/avg/max`), in microseconds; None when not told.
    pub latency_avg_us: Option<u64>,
    /// Requests queued and not yet answered (`Outstanding`); None when not told.
    pub outstanding: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrvrParseError {
    #[error("the `srvr` command is not allowed by this server; add srvr to 4lw.commands.whitelist")]
    NotWhitelisted,
    #[error("no `Mode:` line in the `srvr` answer: {0:?}")]
    NoMode(String),
    #[error("unknown ZooKeeper mode {0:?}")]
    UnknownMode(String),
}

/// Parses the answer to the `srvr` four-letter word (docs/facts/kafka.md §5).
pub fn parse_srvr(text: &str) -> Result<ZkStatus, SrvrParseError> {
    if text.contains("not currently serving requests") {
        return Ok(ZkStatus {
            mode: ZkMode::NotServing,
            version: String::new(),
            latency_avg_us: None,
            outstanding: None,
        });
    }
    if text.contains("not in the whitelist") || text.contains("not executed") {
        return Err(SrvrParseError::NotWhitelisted);
    }
    let field = |key: &str| text.lines().find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()));
    let version =
        field("Zookeeper version:").map(|v| v.split(',').next().unwrap_or("").trim().to_string()).unwrap_or_default();
    let mode = field("Mode:").ok_or_else(|| SrvrParseError::NoMode(text.chars().take(200).collect()))?;
    let mode = match mode.as_str() {
        "leader" => ZkMode::Leader,
        "follower" => ZkMode::Follower,
        "standalone" => ZkMode::Standalone,
        "observer" => ZkMode::Observer,
        "read-only" => ZkMode::ReadOnly,
        other => return Err(SrvrParseError::UnknownMode(other.to_string())),
    };
    let latency_avg_us = field("Latency min/avg/max:")
        .and_then(|v| v.split('/').nth(1).and_then(|avg| avg.trim().parse::<f64>().ok()))
        .map(|ms| (ms * 1000.0).round() as u64);
    let outstanding = field("Outstanding:").and_then(|v| v.parse().ok());
    Ok(ZkStatus { mode, version, latency_avg_us, outstanding })
}

/// `srvr` four-letter word over TCP.
pub async fn zookeeper_srvr(addr: &str, timeout: Duration) -> Result<ZkStatus, HealthError> {
    let text = bounded(addr, timeout, async {
        let mut s = connect(addr).await?;
        s.write_all(b"srvr").await.map_err(|e| unreachable(addr, e))?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.map_err(|e| protocol(addr, format!("reading the srvr answer: {e}")))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    })
    .await?;
    parse_srvr(&text).map_err(|e| protocol(addr, e.to_string()))
}

// ---------------------------------------------------------------------------------------------------------------
// Kafka

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BrokerInfo {
    pub id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ClusterMetadata {
    pub cluster_id: Option<String>,
    /// In KRaft a random live broker, not the active controller (docs/facts/kafka.md §8).
    pub controller_id: i32,
    /// Live brokers, with their endpoint for the listener the request arrived on; sorted by id.
    pub brokers: Vec<BrokerInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct QuorumStatus {
    pub leader_id: i32,
    pub leader_epoch: i32,
    /// Sorted replica ids.
    pub voters: Vec<i32>,
    /// Sorted replica ids (brokers, in a combined or separate setup).
    pub observers: Vec<i32>,
    /// The quorum's high watermark: the offset a majority of the voters has replicated (-1 when unknown).
    pub high_watermark: i64,
    /// Each voter's log end offset as the leader last saw it (-1 when it never fetched), sorted by id.
    pub voter_log_ends: Vec<(i32, i64)>,
}

impl QuorumStatus {
    /// How far each voter is behind the high watermark (0 when it reached it; None when the leader has no offset
    /// for it yet), sorted by id.
    pub fn voter_lags(&self) -> Vec<(i32, Option<i64>)> {
        self.voter_log_ends
            .iter()
            .map(|&(id, end)| (id, (end >= 0 && self.high_watermark >= 0).then(|| (self.high_watermark - end).max(0))))
            .collect()
    }
}

/// The highest version both sides support, at least `floor`: ours is `ours`, the server's `server_min..=server_max`.
pub fn pick_version(ours: (i16, i16), server: (i16, i16), floor: i16) -> Option<i16> {
    let lo = ours.0.max(server.0).max(floor);
    let hi = ours.1.min(server.1);
    (lo <= hi).then_some(hi)
}

/// ApiVersions first, then Metadata (a version both sides support, >= 4, topics = empty array).
pub async fn kafka_metadata(addr: &str, timeout: Duration) -> Result<ClusterMetadata, HealthError> {
    kafka_metadata_with(addr, &KafkaAuth::plaintext(), timeout).await
}

/// `kafka_metadata` over a listener reached with `auth`.
pub async fn kafka_metadata_with(
    addr: &str,
    auth: &KafkaAuth,
    timeout: Duration,
) -> Result<ClusterMetadata, HealthError> {
    let resp = metadata(addr, auth, timeout, Some(Vec::new())).await?;
    Ok(cluster_of(&resp))
}

/// The brokers (sorted by id), cluster id and controller id of a Metadata answer.
pub(crate) fn cluster_of(resp: &MetadataResponse) -> ClusterMetadata {
    let mut brokers: Vec<BrokerInfo> = resp
        .brokers
        .iter()
        .map(|b| BrokerInfo {
            id: b.node_id.0,
            host: b.host.to_string(),
            port: b.port,
            rack: b.rack.as_ref().map(|r| r.to_string()),
        })
        .collect();
    brokers.sort_by_key(|b| b.id);
    ClusterMetadata {
        cluster_id: resp.cluster_id.as_ref().map(|c| c.to_string()),
        controller_id: resp.controller_id.0,
        brokers,
    }
}

/// One partition as a broker's Metadata describes it (docs/facts/kafka.md §5).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PartitionState {
    pub topic: String,
    /// -1 stands for the whole topic when the broker answered a topic-level error (then `error_code` is set).
    pub partition: i32,
    /// -1 when the partition has no leader (offline).
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// Replicas on offline log dirs or dead brokers (Metadata v5+; empty before).
    pub offline: Vec<i32>,
    /// The partition's (or topic's) error code, 0 when none.
    pub error_code: i16,
}

/// Metadata for ALL topics (internal ones included): every partition's leader, replicas, ISR and offline replicas,
/// sorted by topic and partition.
pub async fn kafka_partitions(addr: &str, timeout: Duration) -> Result<Vec<PartitionState>, HealthError> {
    kafka_partitions_with(addr, &KafkaAuth::plaintext(), timeout).await
}

/// `kafka_partitions` over a listener reached with `auth`.
pub async fn kafka_partitions_with(
    addr: &str,
    auth: &KafkaAuth,
    timeout: Duration,
) -> Result<Vec<PartitionState>, HealthError> {
    Ok(partitions_of(&metadata(addr, auth, timeout, None).await?))
}

/// Every partition of a Metadata answer, sorted by topic and partition (a topic-level error as partition -1).
pub(crate) fn partitions_of(resp: &MetadataResponse) -> Vec<PartitionState> {
    let ids = |v: &[kafka_protocol::messages::BrokerId]| v.iter().map(|b| b.0).collect::<Vec<i32>>();
    let mut partitions = Vec::new();
    for t in &resp.topics {
        let topic = t.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
        if t.error_code != 0 && t.partitions.is_empty() {
            let (replicas, isr, offline) = (Vec::new(), Vec::new(), Vec::new());
            let error_code = t.error_code;
            partitions.push(PartitionState { topic, partition: -1, leader: -1, replicas, isr, offline, error_code });
            continue;
        }
        partitions.extend(t.partitions.iter().map(|p| PartitionState {
            topic: topic.clone(),
            partition: p.partition_index,
            leader: p.leader_id.0,
            replicas: ids(&p.replica_nodes),
            isr: ids(&p.isr_nodes),
            offline: ids(&p.offline_replicas),
            error_code: p.error_code,
        }));
    }
    partitions.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    partitions
}

const MIN_INSYNC: &str = "min.insync.replicas";

/// Each of `topics`' effective `min.insync.replicas` — the topic's own value, else the broker's — through
/// DescribeConfigs (resource type 2, a topic); a topic the broker answers with an error is left out.
pub async fn topics_min_insync(
    addr: &str,
    timeout: Duration,
    topics: &[String],
) -> Result<BTreeMap<String, i32>, HealthError> {
    topics_min_insync_with(addr, &KafkaAuth::plaintext(), timeout, topics).await
}

/// `topics_min_insync` over a listener reached with `auth`.
pub async fn topics_min_insync_with(
    addr: &str,
    auth: &KafkaAuth,
    timeout: Duration,
    topics: &[String],
) -> Result<BTreeMap<String, i32>, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let ours = DescribeConfigsRequest::VERSIONS;
        let version = conn.negotiate(&versions, ApiKey::DescribeConfigs, ours, 0, "a broker listener")?;
        let mut req = DescribeConfigsRequest::default();
        req.resources = topics
            .iter()
            .map(|topic| {
                let mut r = DescribeConfigsResource::default();
                r.resource_type = 2;
                r.resource_name = StrBytes::from_string(topic.clone());
                r.configuration_keys = Some(vec![StrBytes::from_static_str(MIN_INSYNC)]);
                r
            })
            .collect();
        let resp: DescribeConfigsResponse = conn.call(ApiKey::DescribeConfigs, version, &req).await?;
        let value = |r: &kafka_protocol::messages::describe_configs_response::DescribeConfigsResult| {
            let config = r.configs.iter().find(|c| c.name.as_str() == MIN_INSYNC)?;
            config.value.as_ref()?.as_str().parse::<i32>().ok()
        };
        Ok(resp
            .results
            .iter()
            .filter(|r| r.error_code == 0)
            .filter_map(|r| value(r).map(|v| (r.resource_name.to_string(), v)))
            .collect())
    })
    .await
}

/// ApiVersions, then Metadata (a version both sides support, >= 4) for `topics` (None: all topics).
pub(crate) async fn metadata(
    addr: &str,
    auth: &KafkaAuth,
    timeout: Duration,
    topics: Option<Vec<kafka_protocol::messages::metadata_request::MetadataRequestTopic>>,
) -> Result<MetadataResponse, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let version = conn.negotiate(&versions, ApiKey::Metadata, MetadataRequest::VERSIONS, 4, "a broker listener")?;
        let mut req = MetadataRequest::default();
        req.topics = topics;
        req.allow_auto_topic_creation = false;
        let resp: MetadataResponse = conn.call(ApiKey::Metadata, version, &req).await?;
        if resp.error_code != 0 {
            return Err(error_code(addr, "Metadata", resp.error_code));
        }
        Ok(resp)
    })
    .await
}

/// KRaft DescribeQuorum (api key 55) for the `__cluster_metadata` topic partition 0, sent to a broker (which
/// forwards it to the active controller) or a controller's listener (only the leader answers; the others answer
/// NOT_LEADER_OR_FOLLOWER) — KIP-836: with the high watermark and every voter's log end offset.
pub async fn kraft_quorum(addr: &str, timeout: Duration) -> Result<QuorumStatus, HealthError> {
    kraft_quorum_with(addr, &KafkaAuth::plaintext(), timeout).await
}

/// `kraft_quorum` over a listener reached with `auth`.
pub async fn kraft_quorum_with(addr: &str, auth: &KafkaAuth, timeout: Duration) -> Result<QuorumStatus, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr, auth).await?;
        let p = describe_metadata_partition(
            &mut conn,
            0,
            "a KRaft broker or controller (ZooKeeper-mode brokers have no quorum)",
        )
        .await?;
        let mut voters: Vec<i32> = p.current_voters.iter().map(|r| r.replica_id.0).collect();
        let mut observers: Vec<i32> = p.observers.iter().map(|r| r.replica_id.0).collect();
        let mut voter_log_ends: Vec<(i32, i64)> =
            p.current_voters.iter().map(|r| (r.replica_id.0, r.log_end_offset)).collect();
        voters.sort_unstable();
        observers.sort_unstable();
        voter_log_ends.sort_unstable();
        Ok(QuorumStatus {
            leader_id: p.leader_id.0,
            leader_epoch: p.leader_epoch,
            voters,
            observers,
            high_watermark: p.high_watermark,
            voter_log_ends,
        })
    })
    .await
}

/// DescribeQuorum of `__cluster_metadata` partition 0 on an open connection, at version `floor` or newer (`needs`
/// says what answers it when the listener cannot): that partition's state, the answer's error codes made ours. The
/// quorum health check (v0) and the membership changes (`apply::membership`, v2 for directory ids) ask it alike.
pub(crate) async fn describe_metadata_partition(
    conn: &mut Conn<'_>,
    floor: i16,
    needs: &str,
) -> Result<kafka_protocol::messages::describe_quorum_response::PartitionData, HealthError> {
    let addr = conn.addr;
    let versions = conn.api_versions().await?;
    let version = conn.negotiate(&versions, ApiKey::DescribeQuorum, DescribeQuorumRequest::VERSIONS, floor, needs)?;
    let mut partition = PartitionData::default();
    partition.partition_index = 0;
    let mut topic = TopicData::default();
    topic.topic_name = TopicName(StrBytes::from_static_str("__cluster_metadata"));
    topic.partitions = vec![partition];
    let mut req = DescribeQuorumRequest::default();
    req.topics = vec![topic];
    let resp: DescribeQuorumResponse = conn.call(ApiKey::DescribeQuorum, version, &req).await?;
    if resp.error_code != 0 {
        return Err(error_code(addr, "DescribeQuorum", resp.error_code));
    }
    let p = resp
        .topics
        .into_iter()
        .flat_map(|t| t.partitions)
        .find(|p| p.partition_index == 0)
        .ok_or_else(|| protocol(addr, "DescribeQuorum answer without __cluster_metadata partition 0".into()))?;
    if p.error_code != 0 {
        return Err(error_code(addr, "DescribeQuorum", p.error_code));
    }
    Ok(p)
}

mod wire;
pub(crate) use wire::{bounded, connect, error_code, protocol, unreachable, Conn};

#[cfg(test)]
mod tests;
