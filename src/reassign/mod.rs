//! Moving partitions between brokers (issue 14): `rebalance` (an even replica and preferred-leader spread over the
//! project's brokers, e.g. after adding one) and `decommission` (every replica moved off one broker, then the
//! broker stopped, unregistered and dropped from the project; or, `--controller`, a dedicated controller removed
//! from a dynamic KRaft quorum — `controller.rs`). `balance.rs` — the pure planner; `plan.rs` — the
//! typed plans and the refusals (pure); `client.rs` — the Kafka calls (AlterPartitionReassignments,
//! ListPartitionReassignments, IncrementalAlterConfigs, ElectLeaders, UnregisterBroker); `run.rs` — the runner.
//! Facts: docs/facts/kafka.md §16.

pub mod balance;
pub mod client;
pub mod controller;
pub mod plan;
mod remove_voter;
pub mod run;

pub use balance::{BrokerLoad, PartitionReplicas, Reassignment};
pub use plan::{ClusterView, Procedure, ReassignPhase, ReassignPlan};
pub use run::{preview, run, ReassignError, ReassignOptions, ReassignReport, DEFAULT_THROTTLE_MB};
