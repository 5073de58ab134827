//! CA rotation decisions (`deploy --rotate-ca`), pure: which [`CaStage`] each Kafka node's TLS files are at — read
//! from the SHA-512 of its `ca.pem` and `node.pem` the probe reports, compared with what every stage's files hold —
//! and which rotation passes this run still has to write and roll. A pass writes the next stage's files on every
//! node and rolls them (the one rolling restart); the next pass starts only after the roll, so running nodes are
//! never more than one stage apart and always trust each other's certificates (docs/facts/kafka.md §15).
//!
//! A node whose files are written but that still owes its restart (`pending.rs`) runs the stage before: the pass
//! that wrote them is repeated (nothing written again, only the owed restart), so a run killed anywhere converges.

use super::sha512_hex;
use crate::apply::facts::HostFacts;
use crate::render::Service;
use crate::security::store::{CaStage, RotationMaterial};

/// One Kafka node's view for the rotation: its name and which stage its files are at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeStage {
    pub host: String,
    /// What its files hold.
    pub files: CaStage,
    /// It owes a restart, so it runs with what the files held before (the stage before `files`).
    pub owes_restart: bool,
}

impl NodeStage {
    /// The stage the node runs with.
    pub fn running(&self) -> CaStage {
        match (self.owes_restart, self.files.previous()) {
            (true, Some(before)) => before,
            _ => self.files,
        }
    }
}

/// The stage `host`'s TLS files are at, from the digests the probe read; an error naming the file when they match
/// no stage (edited by hand, missing — a node the rotation cannot move).
pub fn node_stage(
    material: &RotationMaterial,
    host: &str,
    truststore: &str,
    keystore: &str,
    facts: &HostFacts,
) -> Result<NodeStage, String> {
    let digest = |path: &str| facts.files.get(path).cloned().flatten();
    let (trust, key) = (digest(truststore), digest(keystore));
    let stage = CaStage::ALL.into_iter().find(|stage| {
        let trust_matches = trust.as_deref() == Some(sha512_hex(material.truststore(*stage).as_bytes()).as_str());
        let key_matches = material
            .keystore(host, *stage)
            .is_some_and(|k| key.as_deref() == Some(sha512_hex(k.expose().as_bytes()).as_str()));
        trust_matches && key_matches
    });
    let Some(files) = stage else {
        return Err(format!(
            "{host}: {truststore} and {keystore} hold neither the old CA's nor the new CA's files (missing, or changed by hand): a CA rotation moves nodes that run the cluster's certificates — deploy the host without --rotate-ca first, or restore the files"
        ));
    };
    Ok(NodeStage { host: host.to_string(), files, owes_restart: facts.owes_restart(Service::Kafka) })
}

/// The passes (the stages to write and roll) this run carries out, in order, given every Kafka node's stage; empty
/// when every node runs the new CA only (then the rotation is finished in the store). A pass never writes a stage
/// below the files a node already holds; nodes more than one stage apart are refused (not a state a rotation makes).
pub fn passes_to_run(nodes: &[NodeStage]) -> Result<Vec<CaStage>, String> {
    let (Some(lowest_running), Some(highest_files), Some(lowest_files)) = (
        nodes.iter().map(NodeStage::running).min(),
        nodes.iter().map(|n| n.files).max(),
        nodes.iter().map(|n| n.files).min(),
    ) else {
        return Ok(Vec::new());
    };
    if position(highest_files) > position(lowest_files) + 1 {
        let at = |stage: CaStage| {
            nodes.iter().filter(|n| n.files == stage).map(|n| n.host.as_str()).collect::<Vec<_>>().join(", ")
        };
        return Err(format!(
            "the nodes are more than one CA rotation stage apart ({}: {}; {}: {}) — restore the files of the nodes ahead, then run deploy --rotate-ca again",
            at(highest_files),
            highest_files.describe(),
            at(lowest_files),
            lowest_files.describe()
        ));
    }
    let first = (position(lowest_running) + 1).max(position(highest_files));
    Ok(CaStage::ALL.into_iter().filter(|s| position(*s) >= first && position(*s) > 0).collect())
}

fn position(stage: CaStage) -> usize {
    CaStage::ALL.iter().position(|s| *s == stage).expect("a stage")
}

#[cfg(test)]
#[path = "rotate_ca_tests.rs"]
mod tests;
