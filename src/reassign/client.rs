//! The Kafka calls of a reassignment, over `health`'s connection (`Conn`: TLS + SCRAM per `KafkaAuth`) and the
//! `kafka-protocol` codec (docs/facts/kafka.md §16): AlterPartitionReassignments (45) and
//! ListPartitionReassignments (46), IncrementalAlterConfigs (44) for the replication throttle, ElectLeaders (43)
//! for preferred leaders, UnregisterBroker (64). Each call uses the highest version both sides support and is
//! bounded by [`CALL_TIMEOUT`]; per-partition errors come back as data, never as a failed call.

use crate::health::{bounded, error_label, Conn, HealthError};
use crate::security::client::KafkaAuth;
use kafka_protocol::messages::alter_partition_reassignments_request::{ReassignablePartition, ReassignableTopic};
use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig};
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, ApiKey, BrokerId, ElectLeadersRequest,
    ElectLeadersResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, TopicName, UnregisterBrokerRequest,
    UnregisterBrokerResponse,
};
use kafka_protocol::protocol::{Message, StrBytes, VersionRange};
use std::collections::BTreeMap;
use std::time::Duration;

use super::balance::Reassignment;

/// The longest any one request may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const CALL_TIMEOUT_MS: i32 = 25_000;

/// Kafka's `NOT_CONTROLLER`: in ZooKeeper mode reassignments and elections go to the controller.
pub const NOT_CONTROLLER: i16 = 41;
/// Kafka's `ELECTION_NOT_NEEDED`: the preferred replica already leads.
pub const ELECTION_NOT_NEEDED: i16 = 84;
/// Kafka's `NO_REASSIGNMENT_IN_PROGRESS`.
pub const NO_REASSIGNMENT_IN_PROGRESS: i16 = 85;
/// Kafka's `BROKER_ID_NOT_REGISTERED`: UnregisterBroker of a broker already gone.
pub const BROKER_ID_NOT_REGISTERED: i16 = 102;

/// IncrementalAlterConfigs resource types and operations.
pub const TOPIC: i8 = 2;
pub const BROKER: i8 = 4;
pub const SET: i8 = 0;
pub const DELETE: i8 = 1;

/// A reassignment in progress as ListPartitionReassignments tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ongoing {
    pub topic: String,
    pub partition: i32,
    /// All replicas now (target and leaving ones).
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

impl Ongoing {
    /// The replicas the partition ends with.
    pub fn target(&self) -> Vec<i32> {
        self.replicas.iter().copied().filter(|b| !self.removing.contains(b)).collect()
    }
}

/// A config change for IncrementalAlterConfigs: resource, key, SET with a value or DELETE.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct ConfigChange {
    pub resource_type: i8,
    pub resource: String,
    pub key: &'static str,
    pub value: Option<String>,
}

/// What Kafka answered for one partition, topic or broker: `what` with an error code (0: none) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub what: String,
    pub code: i16,
    pub message: Option<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, error_label(self.code))?;
        match &self.message {
            Some(m) if !m.is_empty() => write!(f, " ({m})"),
            _ => Ok(()),
        }
    }
}

fn name(s: &str) -> TopicName {
    TopicName(StrBytes::from_string(s.to_string()))
}

fn text(s: &Option<StrBytes>) -> Option<String> {
    s.as_ref().map(|m| m.to_string())
}

/// One admin connection to one broker with the versions it offers.
pub struct AdminSession<'a> {
    addr: &'a str,
    conn: Conn<'a>,
    versions: Vec<(i16, i16, i16)>,
}

impl<'a> AdminSession<'a> {
    pub async fn open(addr: &'a str, auth: &'a KafkaAuth) -> Result<AdminSession<'a>, HealthError> {
        bounded(addr, CALL_TIMEOUT, async {
            let mut conn = Conn::open(addr, auth).await?;
            let versions = conn.api_versions().await?;
            Ok(AdminSession { addr, conn, versions })
        })
        .await
    }

    fn version(&self, key: ApiKey, ours: VersionRange) -> Result<i16, HealthError> {
        self.conn.negotiate(&self.versions, key, ours, 0, "a broker of Kafka 2.4 or later")
    }

    /// AlterPartitionReassignments: each partition's refusal (empty when Kafka accepted them all); a top-level
    /// error (NOT_CONTROLLER …) is one refusal with `what` = "request".
    pub async fn alter_reassignments(&mut self, moves: &[Reassignment]) -> Result<Vec<Refusal>, HealthError> {
        let version =
            self.version(ApiKey::AlterPartitionReassignments, AlterPartitionReassignmentsRequest::VERSIONS)?;
        let mut topics: BTreeMap<&str, Vec<ReassignablePartition>> = BTreeMap::new();
        for m in moves {
            topics.entry(&m.topic).or_default().push(
                ReassignablePartition::default()
                    .with_partition_index(m.partition)
                    .with_replicas(Some(m.to.iter().map(|&b| BrokerId(b)).collect())),
            );
        }
        let req = AlterPartitionReassignmentsRequest::default().with_timeout_ms(CALL_TIMEOUT_MS).with_topics(
            topics
                .into_iter()
                .map(|(t, partitions)| ReassignableTopic::default().with_name(name(t)).with_partitions(partitions))
                .collect(),
        );
        let addr = self.addr;
        let resp: AlterPartitionReassignmentsResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::AlterPartitionReassignments, version, &req)).await?;
        if resp.error_code != 0 {
            let message = text(&resp.error_message);
            return Ok(vec![Refusal { what: "request".into(), code: resp.error_code, message }]);
        }
        Ok(resp
            .responses
            .iter()
            .flat_map(|t| {
                t.partitions.iter().filter(|p| p.error_code != 0).map(|p| Refusal {
                    what: format!("{}-{}", t.name.as_str(), p.partition_index),
                    code: p.error_code,
                    message: text(&p.error_message),
                })
            })
            .collect())
    }

    /// ListPartitionReassignments of every partition: the reassignments in progress, or Kafka's error code.
    pub async fn list_reassignments(&mut self) -> Result<Result<Vec<Ongoing>, Refusal>, HealthError> {
        let version = self.version(ApiKey::ListPartitionReassignments, ListPartitionReassignmentsRequest::VERSIONS)?;
        let req = ListPartitionReassignmentsRequest::default().with_timeout_ms(CALL_TIMEOUT_MS).with_topics(None);
        let addr = self.addr;
        let resp: ListPartitionReassignmentsResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::ListPartitionReassignments, version, &req)).await?;
        if resp.error_code != 0 {
            let message = text(&resp.error_message);
            return Ok(Err(Refusal { what: "ListPartitionReassignments".into(), code: resp.error_code, message }));
        }
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect::<Vec<i32>>();
        let mut out: Vec<Ongoing> = resp
            .topics
            .iter()
            .flat_map(|t| {
                t.partitions.iter().map(|p| Ongoing {
                    topic: t.name.to_string(),
                    partition: p.partition_index,
                    replicas: ids(&p.replicas),
                    adding: ids(&p.adding_replicas),
                    removing: ids(&p.removing_replicas),
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Ok(Ok(out))
    }

    /// IncrementalAlterConfigs: the refusals per resource (empty when all were applied).
    pub async fn alter_configs(&mut self, changes: &[ConfigChange]) -> Result<Vec<Refusal>, HealthError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let version = self.version(ApiKey::IncrementalAlterConfigs, IncrementalAlterConfigsRequest::VERSIONS)?;
        let mut resources: BTreeMap<(i8, &str), Vec<AlterableConfig>> = BTreeMap::new();
        for c in changes {
            resources.entry((c.resource_type, &c.resource)).or_default().push(
                AlterableConfig::default()
                    .with_name(StrBytes::from_static_str(c.key))
                    .with_config_operation(if c.value.is_some() { SET } else { DELETE })
                    .with_value(c.value.clone().map(StrBytes::from_string)),
            );
        }
        let req = IncrementalAlterConfigsRequest::default().with_resources(
            resources
                .into_iter()
                .map(|((t, r), configs)| {
                    AlterConfigsResource::default()
                        .with_resource_type(t)
                        .with_resource_name(StrBytes::from_string(r.to_string()))
                        .with_configs(configs)
                })
                .collect(),
        );
        let addr = self.addr;
        let resp: IncrementalAlterConfigsResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::IncrementalAlterConfigs, version, &req)).await?;
        Ok(resp
            .responses
            .iter()
            .filter(|r| r.error_code != 0)
            .map(|r| Refusal {
                what: format!("{} {}", if r.resource_type == BROKER { "broker" } else { "topic" }, r.resource_name),
                code: r.error_code,
                message: text(&r.error_message),
            })
            .collect())
    }

    /// ElectLeaders of the preferred replica (election type 0) for `partitions`: how many got their preferred
    /// leader now, and the refusals other than "not needed".
    pub async fn elect_preferred(
        &mut self,
        partitions: &[(String, i32)],
    ) -> Result<(usize, Vec<Refusal>), HealthError> {
        if partitions.is_empty() {
            return Ok((0, Vec::new()));
        }
        let version = self.version(ApiKey::ElectLeaders, ElectLeadersRequest::VERSIONS)?;
        let mut topics: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for (t, p) in partitions {
            topics.entry(t).or_default().push(*p);
        }
        let req = ElectLeadersRequest::default()
            .with_election_type(0)
            .with_timeout_ms(CALL_TIMEOUT_MS)
            .with_topic_partitions(Some(
                topics
                    .into_iter()
                    .map(|(t, ps)| TopicPartitions::default().with_topic(name(t)).with_partitions(ps))
                    .collect(),
            ));
        let addr = self.addr;
        let resp: ElectLeadersResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::ElectLeaders, version, &req)).await?;
        if resp.error_code != 0 {
            return Ok((0, vec![Refusal { what: "request".into(), code: resp.error_code, message: None }]));
        }
        let mut elected = 0;
        let mut refusals = Vec::new();
        for t in &resp.replica_election_results {
            for p in &t.partition_result {
                match p.error_code {
                    0 => elected += 1,
                    ELECTION_NOT_NEEDED => {}
                    code => refusals.push(Refusal {
                        what: format!("{}-{}", t.topic.as_str(), p.partition_id),
                        code,
                        message: text(&p.error_message),
                    }),
                }
            }
        }
        Ok((elected, refusals))
    }

    /// UnregisterBroker (KRaft): None when done or the broker was not registered any more.
    pub async fn unregister_broker(&mut self, broker: i32) -> Result<Option<Refusal>, HealthError> {
        let version = self.version(ApiKey::UnregisterBroker, UnregisterBrokerRequest::VERSIONS)?;
        let req = UnregisterBrokerRequest::default().with_broker_id(BrokerId(broker));
        let addr = self.addr;
        let resp: UnregisterBrokerResponse =
            bounded(addr, CALL_TIMEOUT, self.conn.call(ApiKey::UnregisterBroker, version, &req)).await?;
        Ok(match resp.error_code {
            0 | BROKER_ID_NOT_REGISTERED => None,
            code => Some(Refusal { what: format!("broker {broker}"), code, message: text(&resp.error_message) }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ongoing_reassignment_ends_with_its_replicas_minus_the_leaving_ones_in_order() {
        let o =
            Ongoing { topic: "t".into(), partition: 0, replicas: vec![4, 2, 1, 3], adding: vec![4], removing: vec![3] };
        assert_eq!(o.target(), vec![4, 2, 1]);
    }

    #[test]
    fn a_refusal_names_the_partition_and_kafkas_error() {
        let r = Refusal { what: "orders-3".into(), code: 39, message: Some("Replica assignment is invalid".into()) };
        assert_eq!(r.to_string(), "orders-3: INVALID_REPLICA_ASSIGNMENT (Replica assignment is invalid)");
    }
}
