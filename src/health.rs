//! Health checks that prove the cluster, not just the processes: ZooKeeper `srvr`, and Kafka's own wire protocol
//! (ApiVersions, Metadata, KRaft DescribeQuorum) spoken directly over TCP with the `kafka-protocol` codec — no Java
//! tools, no other Kafka client.
//!
//! Owns the probes (Metadata without topics for the brokers, with all topics for every partition's replicas and
//! ISR) and their pure parsers (`parse_srvr`, `pick_version`); deciding whether a cluster is healthy
//! (expected ids, one leader) is the caller's. Every probe is bounded by its `timeout` (connect + exchange). The
//! size-framed connection (`Conn`: ApiVersions, version negotiation, one call at a time) is also the smoke test's
//! (`crate::smoke`).

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, DescribeQuorumRequest, DescribeQuorumResponse, MetadataRequest,
    MetadataResponse, RequestHeader, ResponseHeader, TopicName,
};
use kafka_protocol::protocol::{Decodable, Encodable, Message, StrBytes};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
}

/// The name Kafka gives an error code (`UnsupportedVersion`), or the number.
pub fn error_name(code: i16) -> String {
    match kafka_protocol::error::ResponseError::try_from_code(code) {
        Some(kafka_protocol::error::ResponseError::Unknown(c)) => format!("unknown error {c}"),
        Some(e) => format!("{e:?}: {e}"),
        None => "no error".into(),
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
        return Ok(ZkStatus { mode: ZkMode::NotServing, version: String::new() });
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
    Ok(ZkStatus { mode, version })
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
}

/// The highest version both sides support, at least `floor`: ours is `ours`, the server's `server_min..=server_max`.
pub fn pick_version(ours: (i16, i16), server: (i16, i16), floor: i16) -> Option<i16> {
    let lo = ours.0.max(server.0).max(floor);
    let hi = ours.1.min(server.1);
    (lo <= hi).then_some(hi)
}

/// ApiVersions first, then Metadata (a version both sides support, >= 4, topics = empty array).
pub async fn kafka_metadata(addr: &str, timeout: Duration) -> Result<ClusterMetadata, HealthError> {
    let resp = metadata(addr, timeout, Some(Vec::new())).await?;
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
    Ok(partitions_of(&metadata(addr, timeout, None).await?))
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

/// ApiVersions, then Metadata (a version both sides support, >= 4) for `topics` (None: all topics).
pub(crate) async fn metadata(
    addr: &str,
    timeout: Duration,
    topics: Option<Vec<kafka_protocol::messages::metadata_request::MetadataRequestTopic>>,
) -> Result<MetadataResponse, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr).await?;
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

/// KRaft DescribeQuorum (api key 55) for the `__cluster_metadata` topic partition 0, sent to a broker (or a
/// controller's listener).
pub async fn kraft_quorum(addr: &str, timeout: Duration) -> Result<QuorumStatus, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr).await?;
        let versions = conn.api_versions().await?;
        let version = conn.negotiate(
            &versions,
            ApiKey::DescribeQuorum,
            DescribeQuorumRequest::VERSIONS,
            0,
            "a KRaft broker or controller (ZooKeeper-mode brokers have no quorum)",
        )?;
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
            .iter()
            .flat_map(|t| t.partitions.iter())
            .find(|p| p.partition_index == 0)
            .ok_or_else(|| protocol(addr, "DescribeQuorum answer without __cluster_metadata partition 0".into()))?;
        if p.error_code != 0 {
            return Err(error_code(addr, "DescribeQuorum", p.error_code));
        }
        let mut voters: Vec<i32> = p.current_voters.iter().map(|r| r.replica_id.0).collect();
        let mut observers: Vec<i32> = p.observers.iter().map(|r| r.replica_id.0).collect();
        voters.sort_unstable();
        observers.sort_unstable();
        Ok(QuorumStatus { leader_id: p.leader_id.0, leader_epoch: p.leader_epoch, voters, observers })
    })
    .await
}

// ---------------------------------------------------------------------------------------------------------------
// plumbing

fn unreachable(addr: &str, e: impl std::fmt::Display) -> HealthError {
    HealthError::Unreachable { addr: addr.to_string(), detail: e.to_string() }
}

pub(crate) fn protocol(addr: &str, detail: String) -> HealthError {
    HealthError::Protocol { addr: addr.to_string(), detail }
}

pub(crate) fn error_code(addr: &str, api: &str, code: i16) -> HealthError {
    HealthError::ErrorCode { addr: addr.to_string(), api: api.to_string(), code }
}

pub(crate) async fn bounded<T>(
    addr: &str,
    timeout: Duration,
    f: impl std::future::Future<Output = Result<T, HealthError>>,
) -> Result<T, HealthError> {
    tokio::time::timeout(timeout, f).await.unwrap_or_else(|_| Err(HealthError::Timeout { addr: addr.to_string() }))
}

async fn connect(addr: &str) -> Result<TcpStream, HealthError> {
    let s = TcpStream::connect(addr).await.map_err(|e| unreachable(addr, e))?;
    let _ = s.set_nodelay(true);
    Ok(s)
}

/// A size-framed Kafka connection.
pub(crate) struct Conn<'a> {
    addr: &'a str,
    stream: TcpStream,
    correlation_id: i32,
}

const CLIENT_ID: &str = "kafka-wizard";
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

impl<'a> Conn<'a> {
    pub(crate) async fn open(addr: &'a str) -> Result<Conn<'a>, HealthError> {
        Ok(Conn { addr, stream: connect(addr).await?, correlation_id: 0 })
    }

    /// ApiVersions v0 (every broker understands it): api key → (min, max).
    pub(crate) async fn api_versions(&mut self) -> Result<Vec<(i16, i16, i16)>, HealthError> {
        let resp: ApiVersionsResponse = self.call(ApiKey::ApiVersions, 0, &ApiVersionsRequest::default()).await?;
        if resp.error_code != 0 {
            return Err(error_code(self.addr, "ApiVersions", resp.error_code));
        }
        Ok(resp.api_keys.iter().map(|k| (k.api_key, k.min_version, k.max_version)).collect())
    }

    pub(crate) fn negotiate(
        &self,
        versions: &[(i16, i16, i16)],
        key: ApiKey,
        ours: kafka_protocol::protocol::VersionRange,
        floor: i16,
        needs: &str,
    ) -> Result<i16, HealthError> {
        let Some(&(_, min, max)) = versions.iter().find(|(k, _, _)| *k == key as i16) else {
            return Err(protocol(
                self.addr,
                format!("the server does not offer {key:?} (API {}); point this at {needs}", key as i16),
            ));
        };
        pick_version((ours.min, ours.max), (min, max), floor).ok_or_else(|| {
            protocol(
                self.addr,
                format!(
                    "no common {key:?} version: the server supports {min}–{max}, kafka-wizard {}–{} (at least {floor})",
                    ours.min, ours.max
                ),
            )
        })
    }

    pub(crate) async fn call<Req: Encodable, Resp: Decodable>(
        &mut self,
        key: ApiKey,
        version: i16,
        req: &Req,
    ) -> Result<Resp, HealthError> {
        let addr = self.addr;
        self.correlation_id += 1;
        let mut header = RequestHeader::default();
        header.request_api_key = key as i16;
        header.request_api_version = version;
        header.correlation_id = self.correlation_id;
        header.client_id = Some(StrBytes::from_static_str(CLIENT_ID));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, key.request_header_version(version))
            .and_then(|_| req.encode(&mut body, version))
            .map_err(|e| protocol(addr, format!("cannot encode {key:?} v{version}: {e}")))?;
        let mut frame = BytesMut::with_capacity(body.len() + 4);
        frame.put_i32(body.len() as i32);
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).await.map_err(|e| unreachable(addr, e))?;

        let len = self.stream.read_i32().await.map_err(|e| {
            protocol(addr, format!("connection closed before the {key:?} answer ({e}); is this a Kafka listener?"))
        })?;
        if len < 4 || len as usize > MAX_RESPONSE {
            return Err(protocol(addr, format!("{key:?} answer of {len} bytes; is this a Kafka listener?")));
        }
        let mut buf = vec![0u8; len as usize];
        self.stream.read_exact(&mut buf).await.map_err(|e| protocol(addr, format!("{key:?} answer cut short: {e}")))?;
        let mut buf = Bytes::from(buf);
        let rh = ResponseHeader::decode(&mut buf, key.response_header_version(version))
            .map_err(|e| protocol(addr, format!("{key:?} response header: {e}")))?;
        if rh.correlation_id != self.correlation_id {
            return Err(protocol(
                addr,
                format!("correlation id {} for request {}", rh.correlation_id, self.correlation_id),
            ));
        }
        let resp =
            Resp::decode(&mut buf, version).map_err(|e| protocol(addr, format!("{key:?} v{version} answer: {e}")))?;
        if buf.has_remaining() {
            return Err(protocol(addr, format!("{} bytes left after the {key:?} v{version} answer", buf.remaining())));
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEADER: &str =
        "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC
Latency min/avg/max: 0/0.0/0
Received: 12
Sent: 11
Connections: 1
Outstanding: 0
Zxid: 0x100000000
Mode: leader
Node count: 5
Proposal sizes last/min/max: -1/-1/-1
";

    #[test]
    fn srvr_of_a_leader_gives_mode_and_version() {
        let s = parse_srvr(LEADER).unwrap();
        assert_eq!(
            s,
            ZkStatus { mode: ZkMode::Leader, version: "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c".into() }
        );
    }

    #[test]
    fn srvr_modes_are_all_recognised_with_crlf_too() {
        for (word, mode) in [
            ("follower", ZkMode::Follower),
            ("standalone", ZkMode::Standalone),
            ("observer", ZkMode::Observer),
            ("read-only", ZkMode::ReadOnly),
        ] {
            let text = LEADER.replace("Mode: leader", &format!("Mode: {word}")).replace('\n', "\r\n");
            assert_eq!(parse_srvr(&text).unwrap().mode, mode, "{word}");
        }
    }

    #[test]
    fn a_zookeeper_that_is_not_serving_says_so() {
        let s = parse_srvr("This ZooKeeper instance is not currently serving requests\n").unwrap();
        assert_eq!(s.mode, ZkMode::NotServing);
    }

    #[test]
    fn srvr_answers_without_a_known_mode_are_errors() {
        assert_eq!(
            parse_srvr("srvr is not executed because it is not in the whitelist.\n"),
            Err(SrvrParseError::NotWhitelisted)
        );
        assert!(matches!(parse_srvr("Zookeeper version: 3.8.4\n"), Err(SrvrParseError::NoMode(_))));
        assert_eq!(
            parse_srvr(&LEADER.replace("Mode: leader", "Mode: looking")),
            Err(SrvrParseError::UnknownMode("looking".into()))
        );
        assert!(matches!(parse_srvr(""), Err(SrvrParseError::NoMode(_))));
    }

    #[test]
    fn the_metadata_version_is_the_highest_common_one_and_at_least_the_floor() {
        assert_eq!(pick_version((0, 13), (0, 12), 4), Some(12));
        assert_eq!(pick_version((0, 13), (4, 13), 4), Some(13));
        assert_eq!(pick_version((0, 13), (0, 3), 4), None);
        assert_eq!(pick_version((0, 2), (0, 1), 0), Some(1));
        assert_eq!(pick_version((5, 9), (0, 4), 0), None);
    }

    #[test]
    fn error_codes_are_named() {
        assert!(error_name(35).contains("UnsupportedVersion"), "{}", error_name(35));
        let e = HealthError::ErrorCode { addr: "h1:9092".into(), api: "Metadata".into(), code: 35 };
        assert!(e.to_string().contains("h1:9092") && e.to_string().contains("Metadata"), "{e}");
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_naming_the_address() {
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        let err = kafka_metadata(&addr, Duration::from_secs(5)).await.unwrap_err();
        assert!(matches!(&err, HealthError::Unreachable { addr: a, .. } if a == &addr), "{err:?}");
        let err = zookeeper_srvr(&addr, Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains(&addr), "{err}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let _hold = tokio::spawn(async move {
            let (_s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let err = kraft_quorum(&addr, Duration::from_millis(300)).await.unwrap_err();
        assert!(matches!(&err, HealthError::Timeout { addr: a } if a == &addr), "{err:?}");
    }

    #[tokio::test]
    async fn a_non_kafka_server_is_a_protocol_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        });
        let err = kafka_metadata(&addr, Duration::from_secs(5)).await.unwrap_err();
        assert!(matches!(err, HealthError::Protocol { .. }), "{err:?}");
    }
}
