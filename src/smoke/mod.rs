//! The smoke test: proves the cluster takes data and gives it back the way applications use it. A temporary topic
//! (its name says what it is, unique per run) with one partition per broker — partition i's replicas start at the
//! i-th broker, so each broker leads one and a broker that cannot lead shows — replication factor min(3, brokers)
//! and the cluster's `min.insync.replicas` (or an override); N records produced with `acks=all`, read back from
//! each leader and compared; the topic deleted, also after a failure or Cancel (a leftover of an interrupted run is
//! removed by the next). Everything over Kafka's own protocol from Rust (`kafka-protocol`), no Java tools.
//!
//! - `topic` — the pure choices: the name, leftovers, the replica assignment, the records;
//! - `client` — the Kafka calls (Metadata, CreateTopics, DeleteTopics, Produce, Fetch) over `health`'s connection;
//! - `run` — the test itself, step by step, with its events and Cancel;
//! - `report` — what it found (leadership per broker, outcome per partition, latency, failures) and the pure
//!   judging behind it.

mod client;
mod report;
mod run;
mod topic;

pub use report::{BrokerLeadership, Cleanup, Latency, PartitionOutcome, SmokeReport};
pub use run::{smoke, SmokeOptions};
pub use topic::TOPIC_PREFIX;
