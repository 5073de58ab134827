//! The plan of a CA rotation (`deploy --rotate-ca`, or a deploy while one is under way): three passes after the
//! cluster's start phases, each writing one stage's TLS files on every Kafka node and rolling Kafka through the one
//! rolling restart (`apply/roll.rs`) — (1) truststores trust the old and the new CA, (2) every node's keystore holds
//! a certificate of the new CA, (3) the old CA leaves the truststores. Which passes a run still carries out is
//! decided from the hosts' files (`apply/decide/rotate_ca.rs`). An ensemble with quorum TLS has its members' files
//! written in the same passes (on every host that holds a certificate); the members reload them
//! (`sslQuorumReloadCertFiles`), so only Kafka is rolled.

use super::{start_phases, HostStep, HostSteps, Phase, PhaseKind, Plan, StartService, Work};
use crate::project::spec::ClusterSpec;
use crate::render::{self, Owner, Service};
use crate::security::store::CaStage;
use serde::Serialize;
use ts_rs::TS;

/// One pass of a CA rotation: the TLS files of `stage` written on every Kafka node, then Kafka rolled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct RotateCaPass {
    pub stage: CaStage,
    /// Per Kafka node: the truststore and keystore writes.
    pub hosts: Vec<HostSteps>,
    /// Kafka's start phases (dedicated controllers, then brokers), each rolled where a file changed.
    pub roll: Vec<StartService>,
}

impl RotateCaPass {
    /// One line for people.
    pub fn title(&self) -> String {
        format!("every Kafka node {}, one rolling restart", self.stage.describe())
    }
}

impl PhaseKind {
    /// The rotation pass that moves the nodes to `stage` (`None` for the stage before any rotation).
    pub fn rotating_to(stage: CaStage) -> Option<PhaseKind> {
        match stage {
            CaStage::Old => None,
            CaStage::TrustBoth => Some(PhaseKind::CaTrustBoth),
            CaStage::NewCertificates => Some(PhaseKind::CaNewCertificates),
            CaStage::New => Some(PhaseKind::CaDropOld),
        }
    }
}

/// `plan` with the three rotation passes put after the start phases (before the SCRAM users and ACLs).
pub fn with_ca_rotation(spec: &ClusterSpec, mut plan: Plan) -> Plan {
    let at = plan
        .phases
        .iter()
        .position(|p| matches!(p.work, Work::ScramUsers(_) | Work::Acls(_)))
        .unwrap_or(plan.phases.len());
    let passes = rotation_phases(spec);
    plan.phases.splice(at..at, passes);
    plan
}

/// The three passes of a rotation of `spec`'s CA (none for a plaintext cluster).
pub fn rotation_phases(spec: &ClusterSpec) -> Vec<Phase> {
    if spec.security.is_none() {
        return Vec::new();
    }
    let files = |stage: CaStage| {
        let truststore = HostStep::WriteFile {
            path: render::security::truststore_path(spec).to_string(),
            owner: Owner::Root,
            mode: 0o644,
        };
        let keystore = HostStep::WriteFile {
            path: render::security::keystore_path(spec).to_string(),
            owner: Owner::RootServiceGroup,
            mode: 0o640,
        };
        match stage {
            CaStage::TrustBoth | CaStage::New => vec![truststore],
            _ => vec![keystore],
        }
    };
    let roll: Vec<StartService> = start_phases(spec)
        .into_iter()
        .filter_map(|p| match p.work {
            Work::Start(start) if start.service == Service::Kafka => Some(start),
            _ => None,
        })
        .collect();
    let titles = [
        (CaStage::TrustBoth, "CA rotation 1/3: trust the old and the new CA"),
        (CaStage::NewCertificates, "CA rotation 2/3: certificates from the new CA"),
        (CaStage::New, "CA rotation 3/3: drop the old CA"),
    ];
    titles
        .into_iter()
        .map(|(stage, title)| Phase {
            kind: PhaseKind::rotating_to(stage).expect("a rotation stage"),
            title: title.into(),
            work: Work::RotateCa(RotateCaPass {
                stage,
                hosts: spec
                    .hosts
                    .iter()
                    .filter(|h| spec.holds_certificate(h))
                    .map(|h| HostSteps { host: h.name.to_string(), steps: files(stage) })
                    .collect(),
                roll: roll.clone(),
            }),
        })
        .collect()
}
