//! The Kafka calls the smoke test makes, through the engine's own connection (`health::Conn`) and the
//! `kafka-protocol` codec: Metadata for some topics, CreateTopics with a manual assignment, DeleteTopics, Produce of
//! one record with acks=all, Fetch from a leader (records encoded and decoded by `kafka_protocol::records`). Each
//! call uses the highest version both sides support; Produce and Fetch at most v12, the last that names topics
//! (v13 names them by id) — docs/facts/kafka.md §10. Every call is bounded by [`CALL_TIMEOUT`].

use super::report::Stored;
use crate::health::{self, bounded, ClusterMetadata, Conn, HealthError, PartitionState};
use crate::security::client::KafkaAuth;
use bytes::{Buf, Bytes, BytesMut};
use kafka_protocol::messages::create_topics_request::{
    CreatableReplicaAssignment, CreatableTopic, CreatableTopicConfig,
};
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, BrokerId, CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest, DeleteTopicsResponse,
    FetchRequest, FetchResponse, ProduceRequest, ProduceResponse, TopicName,
};
use kafka_protocol::protocol::{Message, StrBytes, VersionRange};
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use std::time::Duration;

/// The longest any one request may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a broker may wait for the in-sync replicas before answering a Produce (its `timeout_ms`).
const PRODUCE_TIMEOUT_MS: i32 = 10_000;

/// The highest Produce and Fetch versions used: from v13 on, both name topics by id instead of by name.
const LAST_VERSION_WITH_TOPIC_NAMES: i16 = 12;

pub use crate::health::error_label;

/// Errors a fresh partition gives while its leader is still being set up: wait a little and send again.
pub fn settling(code: i16) -> bool {
    use kafka_protocol::error::ResponseError::*;
    matches!(
        kafka_protocol::error::ResponseError::try_from_code(code),
        Some(UnknownTopicOrPartition | LeaderNotAvailable | NotLeaderOrFollower)
    )
}

/// Kafka's `NOT_CONTROLLER` (ZooKeeper mode: CreateTopics and DeleteTopics go to the controller).
pub const NOT_CONTROLLER: i16 = 41;
/// Kafka's `REQUEST_TIMED_OUT`.
pub const REQUEST_TIMED_OUT: i16 = 7;
/// Kafka's `UNKNOWN_TOPIC_OR_PARTITION`.
pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;

/// Metadata (through a new connection to `addr`) for `topics`, or for all topics when None: the brokers and
/// controller, and every partition of those topics.
pub async fn metadata(
    addr: &str,
    auth: &KafkaAuth,
    topics: Option<&[String]>,
) -> Result<(ClusterMetadata, Vec<PartitionState>), HealthError> {
    let topics = topics.map(|names| {
        names
            .iter()
            .map(|n| MetadataRequestTopic::default().with_name(Some(TopicName(StrBytes::from_string(n.clone())))))
            .collect()
    });
    let resp = health::metadata(addr, auth, CALL_TIMEOUT, topics).await?;
    Ok((health::cluster_of(&resp), health::partitions_of(&resp)))
}

/// What a broker said to a request about one topic or partition: an error code (0: none) and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub code: i16,
    pub message: Option<String>,
}

impl Answer {
    /// `NOT_ENOUGH_REPLICAS: Messages are rejected …` (the broker's message when it gave one).
    pub fn describe(&self) -> String {
        match &self.message {
            Some(m) if !m.is_empty() => format!("{}: {m}", error_label(self.code)),
            _ => error_label(self.code),
        }
    }
}

/// Records read from a partition and its high watermark.
pub struct Fetched {
    pub answer: Answer,
    pub high_watermark: i64,
    pub records: Vec<Stored>,
}

/// One connection to one broker with the versions it offers.
pub struct Session<'a> {
    addr: &'a str,
    conn: Conn<'a>,
    versions: Vec<(i16, i16, i16)>,
}

impl<'a> Session<'a> {
    pub async fn open(addr: &'a str, auth: &'a KafkaAuth) -> Result<Session<'a>, HealthError> {
        bounded(addr, CALL_TIMEOUT, async {
            let mut conn = Conn::open(addr, auth).await?;
            let versions = conn.api_versions().await?;
            Ok(Session { addr, conn, versions })
        })
        .await
    }

    fn version(&self, key: ApiKey, ours: VersionRange, floor: i16) -> Result<i16, HealthError> {
        self.conn.negotiate(&self.versions, key, ours, floor, "a broker listener")
    }

    /// CreateTopics with each partition's replicas given and `min.insync.replicas` set on the topic.
    pub async fn create_topic(
        &mut self,
        name: &str,
        assignment: &[Vec<i32>],
        min_insync_replicas: usize,
    ) -> Result<Answer, HealthError> {
        let version = self.version(ApiKey::CreateTopics, CreateTopicsRequest::VERSIONS, 2)?;
        let assignments = assignment
            .iter()
            .enumerate()
            .map(|(i, replicas)| {
                CreatableReplicaAssignment::default()
                    .with_partition_index(i as i32)
                    .with_broker_ids(replicas.iter().map(|id| BrokerId(*id)).collect())
            })
            .collect();
        let config = CreatableTopicConfig::default()
            .with_name(StrBytes::from_static_str("min.insync.replicas"))
            .with_value(Some(StrBytes::from_string(min_insync_replicas.to_string())));
        let topic = CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_string(name.to_string())))
            .with_num_partitions(-1)
            .with_replication_factor(-1)
            .with_assignments(assignments)
            .with_configs(vec![config]);
        let req = CreateTopicsRequest::default().with_topics(vec![topic]).with_timeout_ms(CALL_TIMEOUT_MS);
        let addr = self.addr;
        let resp: CreateTopicsResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::CreateTopics, version, &req)).await?;
        let t =
            resp.topics.iter().find(|t| t.name.as_str() == name).ok_or_else(|| missing(addr, "CreateTopics", name))?;
        Ok(Answer { code: t.error_code, message: t.error_message.as_ref().map(|m| m.to_string()) })
    }

    /// DeleteTopics: each topic's answer, waiting up to `timeout` for the deletion to finish.
    pub async fn delete_topics(
        &mut self,
        names: &[String],
        timeout: Duration,
    ) -> Result<Vec<(String, Answer)>, HealthError> {
        let version = self.version(ApiKey::DeleteTopics, DeleteTopicsRequest::VERSIONS, 1)?;
        let topic_names: Vec<TopicName> = names.iter().map(|n| TopicName(StrBytes::from_string(n.clone()))).collect();
        let req = DeleteTopicsRequest::default()
            .with_topics(topic_names.iter().map(|n| DeleteTopicState::default().with_name(Some(n.clone()))).collect())
            .with_topic_names(topic_names)
            .with_timeout_ms(timeout.as_millis() as i32);
        let addr = self.addr;
        let resp: DeleteTopicsResponse =
            bounded(addr, timeout + CALL_TIMEOUT, self.conn.call(ApiKey::DeleteTopics, version, &req)).await?;
        Ok(resp
            .responses
            .iter()
            .map(|r| {
                let name = r.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
                (name, Answer { code: r.error_code, message: r.error_message.as_ref().map(|m| m.to_string()) })
            })
            .collect())
    }

    /// Produce of one record with acks=all (-1): the broker's answer and the record's offset.
    pub async fn produce(
        &mut self,
        topic: &str,
        partition: i32,
        key: Bytes,
        value: Bytes,
    ) -> Result<(Answer, i64), HealthError> {
        let version = self.version(ApiKey::Produce, capped(ProduceRequest::VERSIONS), 3)?;
        let record = Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id: -1,
            producer_epoch: -1,
            timestamp_type: TimestampType::Creation,
            offset: 0,
            sequence: -1,
            timestamp: now_millis(),
            key: Some(key),
            value: Some(value),
            headers: Default::default(),
        };
        let mut batch = BytesMut::new();
        let options = RecordEncodeOptions { version: 2, compression: Compression::None };
        RecordBatchEncoder::encode(&mut batch, [&record], &options)
            .map_err(|e| health::protocol(self.addr, format!("cannot encode a record batch: {e}")))?;
        let data = PartitionProduceData::default().with_index(partition).with_records(Some(batch.freeze()));
        let topic_data = TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_string(topic.to_string())))
            .with_partition_data(vec![data]);
        let req = ProduceRequest::default()
            .with_acks(-1)
            .with_timeout_ms(PRODUCE_TIMEOUT_MS)
            .with_topic_data(vec![topic_data]);
        let addr = self.addr;
        let resp: ProduceResponse = bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::Produce, version, &req)).await?;
        let p = resp
            .responses
            .iter()
            .flat_map(|t| t.partition_responses.iter())
            .find(|p| p.index == partition)
            .ok_or_else(|| missing(addr, "Produce", topic))?;
        Ok((Answer { code: p.error_code, message: p.error_message.as_ref().map(|m| m.to_string()) }, p.base_offset))
    }

    /// Fetch from `offset` (waiting up to `max_wait` for data): the records in whole batches and the high watermark.
    pub async fn fetch(
        &mut self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_wait: Duration,
    ) -> Result<Fetched, HealthError> {
        let version = self.version(ApiKey::Fetch, capped(FetchRequest::VERSIONS), 4)?;
        let p = FetchPartition::default()
            .with_partition(partition)
            .with_fetch_offset(offset)
            .with_partition_max_bytes(1 << 20);
        let t = FetchTopic::default()
            .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
            .with_partitions(vec![p]);
        let req = FetchRequest::default()
            .with_max_wait_ms(max_wait.as_millis() as i32)
            .with_min_bytes(1)
            .with_max_bytes(8 << 20)
            .with_topics(vec![t]);
        let addr = self.addr;
        let resp: FetchResponse =
            bounded(addr, CALL_TIMEOUT + max_wait, self.conn.call(ApiKey::Fetch, version, &req)).await?;
        if resp.error_code != 0 {
            return Err(health::error_code(addr, "Fetch", resp.error_code));
        }
        let p = resp
            .responses
            .iter()
            .flat_map(|t| t.partitions.iter())
            .find(|p| p.partition_index == partition)
            .ok_or_else(|| missing(addr, "Fetch", topic))?;
        let records = match &p.records {
            Some(bytes) => decode_batches(bytes.clone()).map_err(|e| health::protocol(addr, e))?,
            None => Vec::new(),
        };
        Ok(Fetched { answer: Answer { code: p.error_code, message: None }, high_watermark: p.high_watermark, records })
    }
}

const CALL_TIMEOUT_MS: i32 = CALL_TIMEOUT.as_millis() as i32;

fn capped(ours: VersionRange) -> VersionRange {
    VersionRange { min: ours.min, max: ours.max.min(LAST_VERSION_WITH_TOPIC_NAMES) }
}

fn missing(addr: &str, api: &str, topic: &str) -> HealthError {
    health::protocol(addr, format!("the {api} answer does not mention {topic}"))
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The whole record batches in a Fetch answer's records (a broker may cut the last one short at its size limit:
/// that one is left for the next fetch).
pub fn decode_batches(mut bytes: Bytes) -> Result<Vec<Stored>, String> {
    /// A batch starts with its base offset (8 bytes) and its length after those 12 bytes (4).
    const BATCH_HEAD: usize = 12;
    let mut out = Vec::new();
    while bytes.remaining() >= BATCH_HEAD {
        let len = i32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if len < 0 || bytes.remaining() < BATCH_HEAD + len as usize {
            break;
        }
        let mut batch = bytes.split_to(BATCH_HEAD + len as usize);
        let set = RecordBatchDecoder::decode(&mut batch).map_err(|e| format!("cannot decode a record batch: {e}"))?;
        out.extend(set.records.into_iter().filter(|r| !r.control).map(|r| Stored {
            offset: r.offset,
            key: r.key,
            value: r.value,
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_named_as_kafka_names_them() {
        assert_eq!(error_label(19), "NOT_ENOUGH_REPLICAS");
        assert_eq!(error_label(6), "NOT_LEADER_OR_FOLLOWER");
        assert_eq!(error_label(NOT_CONTROLLER), "NOT_CONTROLLER");
        assert_eq!(error_label(0), "NONE");
        let a = Answer { code: 36, message: Some("Topic 't' already exists.".into()) };
        assert_eq!(a.describe(), "TOPIC_ALREADY_EXISTS: Topic 't' already exists.");
    }

    #[test]
    fn only_a_partition_still_being_set_up_is_retried() {
        assert!(settling(UNKNOWN_TOPIC_OR_PARTITION) && settling(5) && settling(6));
        assert!(!settling(19) && !settling(20) && !settling(0));
    }

    fn batch(offset: i64, values: &[&'static str]) -> BytesMut {
        let records: Vec<Record> = values
            .iter()
            .enumerate()
            .map(|(i, v)| Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: 0,
                producer_id: -1,
                producer_epoch: -1,
                timestamp_type: TimestampType::Creation,
                offset: offset + i as i64,
                sequence: -1,
                timestamp: 1,
                key: None,
                value: Some(Bytes::from_static(v.as_bytes())),
                headers: Default::default(),
            })
            .collect();
        let mut buf = BytesMut::new();
        let options = RecordEncodeOptions { version: 2, compression: Compression::None };
        RecordBatchEncoder::encode(&mut buf, &records, &options).unwrap();
        buf
    }

    #[test]
    fn whole_batches_are_decoded_and_a_batch_cut_short_is_left_for_the_next_fetch() {
        let mut bytes = batch(0, &["a", "b"]);
        bytes.extend_from_slice(&batch(2, &["c"]));
        let whole = bytes.len();
        let third = batch(3, &["d"]);
        bytes.extend_from_slice(&third[..third.len() - 5]);
        let read = decode_batches(bytes.freeze()).unwrap();
        let seen: Vec<(i64, &[u8])> = read.iter().map(|r| (r.offset, r.value.as_deref().unwrap())).collect();
        assert_eq!(seen, [(0, &b"a"[..]), (1, b"b"), (2, b"c")]);
        assert!(whole > 0);
        assert!(decode_batches(Bytes::new()).unwrap().is_empty());
    }

    #[test]
    fn produce_and_fetch_name_topics_so_stay_below_version_13() {
        assert_eq!(capped(VersionRange { min: 3, max: 13 }).max, 12);
        assert_eq!(capped(VersionRange { min: 4, max: 9 }).max, 9);
    }
}
