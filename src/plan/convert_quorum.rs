//! The plan of a static → dynamic controller quorum conversion (`deploy --convert-quorum`; Kafka 4.1+,
//! docs/facts/kafka.md §36): one phase FIRST, before anything is fetched, written or restarted — from the wizard's
//! machine, `kraft.version` raised to 1 (UpdateFeatures), which makes the quorum's leader record the voter set in the
//! metadata log. Only then do the plan's own phases write every node's `controller.quorum.bootstrap.servers` in
//! place of `controller.quorum.voters` and roll the nodes one at a time: a node restarted on the new configuration
//! while `kraft.version` is still 0 would find no voters at all. Irreversible: Kafka has no downgrade of
//! `kraft.version`, which is why it is never part of a plain deploy.

use super::{Phase, PhaseKind, Plan, Work};
use crate::project::spec::ClusterSpec;
use serde::Serialize;
use ts_rs::TS;

/// The conversion: the controllers whose voter set becomes the metadata log's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ConvertQuorum {
    /// The project's controllers (host names), the voters the converted quorum starts with.
    pub controllers: Vec<String>,
}

impl ConvertQuorum {
    /// One line for people.
    pub fn title(&self) -> String {
        format!(
            "raise kraft.version to 1 (UpdateFeatures): the voters {} recorded in the metadata log, the quorum \
             dynamic from then on — irreversible",
            self.controllers.join(", ")
        )
    }
}

/// `plan` with the conversion as its first phase.
pub fn with_quorum_conversion(spec: &ClusterSpec, mut plan: Plan) -> Plan {
    let work = ConvertQuorum { controllers: spec.controllers().map(|c| c.name.to_string()).collect() };
    let phase = Phase {
        kind: PhaseKind::ConvertQuorum,
        title: "convert the controller quorum to dynamic".into(),
        work: Work::ConvertQuorum(work),
    };
    plan.phases.insert(0, phase);
    plan
}
