//! The KRaft controller quorum as a node's configuration and its storage format see it (docs/facts/kafka.md §36): a static quorum's `controller.quorum.voters`; a dynamic quorum's
//! `controller.quorum.bootstrap.servers` and the `kafka-storage.sh format` flags that choose its first voters
//! (`--initial-controllers`, each with the directory id the wizard derives for it) or join a running quorum
//! (`--no-initial-controllers`).

use crate::project::spec::{ClusterSpec, HostSpec, KraftSpec, Quorum, Role};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The project's controllers in node id order.
fn controllers(spec: &ClusterSpec) -> Vec<&HostSpec> {
    let mut controllers: Vec<&HostSpec> = spec.controllers().collect();
    controllers.sort_by_key(|h| h.node_id);
    controllers
}

/// `1@c1:9093,2@c2:9093,3@c3:9093`, in id order (a static quorum's voters).
pub fn voters(spec: &ClusterSpec, controller_port: u16) -> String {
    controllers(spec)
        .iter()
        .map(|h| format!("{}@{}:{}", h.node_id.unwrap_or_default(), h.reach().for_host_port(), controller_port))
        .collect::<Vec<_>>()
        .join(",")
}

/// `c1:9093,c2:9093,c3:9093`, in id order: where a dynamic quorum's nodes find it (any one answering is enough) —
/// the bootstrap controllers (`kraft.bootstrap_controllers`, the controllers at the cluster's creation), else every
/// controller. Fixed at creation, so adding or removing another controller changes no other node's file.
pub fn bootstrap_servers(spec: &ClusterSpec, k: &KraftSpec) -> String {
    controllers(spec)
        .iter()
        .filter(|h| k.bootstrap_controllers.as_ref().is_none_or(|ids| h.node_id.is_some_and(|id| ids.contains(&id))))
        .map(|h| format!("{}:{}", h.reach().for_host_port(), k.controller_port))
        .collect::<Vec<_>>()
        .join(",")
}

/// The directory id a first voter is formatted with: derived from the cluster id and the node id, so every
/// render of the project gives the same (a Kafka Uuid: 16 bytes, base64url without padding, not one of Kafka's
/// reserved ids — all zero but the last byte — and not starting with `-`, which Kafka's own ids never do).
pub fn directory_id(cluster_id: &str, node_id: u32) -> String {
    let mut round = 0u32;
    loop {
        let digest = Sha256::new()
            .chain_update(b"kafka-wizard directory id\0")
            .chain_update(cluster_id.as_bytes())
            .chain_update(node_id.to_be_bytes())
            .chain_update(round.to_be_bytes())
            .finalize();
        let bytes = &digest[..16];
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if bytes[..15].iter().any(|b| *b != 0) && !id.starts_with('-') {
            return id;
        }
        round += 1;
    }
}

/// The key `bootstrap_servers` is rendered under in `server.properties`.
pub const BOOTSTRAP_SERVERS_KEY: &str = "controller.quorum.bootstrap.servers";

/// `--initial-controllers`' value: every controller as `id@host:port:directory-id`, in id order.
pub fn initial_controllers(spec: &ClusterSpec, k: &KraftSpec, cluster_id: &str) -> String {
    controllers(spec)
        .iter()
        .map(|h| {
            let id = h.node_id.unwrap_or_default();
            format!("{id}@{}:{}:{}", h.reach().for_host_port(), k.controller_port, directory_id(cluster_id, id))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// How a node's storage is formatted into the quorum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joining {
    /// The cluster is new: its controllers are formatted as the first voters.
    New,
    /// The cluster runs (another controller's storage is formatted): a new controller starts as an observer and
    /// becomes a voter by AddRaftVoter.
    Running,
}

/// `kafka-storage.sh format`'s quorum flags for `host`: none for a static quorum or a broker-only node; a dynamic
/// quorum's controller `--initial-controllers …` in a new cluster, `--no-initial-controllers` joining a running one.
pub fn format_flags(
    spec: &ClusterSpec,
    k: &KraftSpec,
    host: &HostSpec,
    cluster_id: &str,
    joining: Joining,
) -> Vec<String> {
    if k.quorum == Quorum::Static || !host.has(Role::Controller) {
        return vec![];
    }
    match joining {
        Joining::New => vec!["--initial-controllers".into(), initial_controllers(spec, k, cluster_id)],
        Joining::Running => vec!["--no-initial-controllers".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_id_is_stable_distinct_per_node_and_a_valid_kafka_uuid() {
        let a = directory_id("q2nNPvlTSGmhSmxqXwJ5Ag", 1);
        assert_eq!(a, directory_id("q2nNPvlTSGmhSmxqXwJ5Ag", 1), "the same every render");
        assert_ne!(a, directory_id("q2nNPvlTSGmhSmxqXwJ5Ag", 2));
        assert_ne!(a, directory_id("MkU3OEVBNTcwNTJENDM2Qk", 1));
        for node in 0..2000 {
            let id = directory_id("q2nNPvlTSGmhSmxqXwJ5Ag", node);
            assert_eq!(id.len(), 22, "{id}");
            assert!(!id.starts_with('-'), "{id}");
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&id).unwrap();
            assert_eq!(bytes.len(), 16);
        }
    }
}
