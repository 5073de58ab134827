//! A dynamic KRaft quorum's membership through the protocol (docs/facts/kafka.md §36; KIP-853):
//! who votes and who observes, with their directory ids (DescribeQuorum v2), a caught-up observer made a voter
//! (AddRaftVoter, API 80) and a voter removed (RemoveRaftVoter, API 81). Each request goes to the quorum's leader
//! on its controller listener, logged in as a controller (`apply::secrets::controller_auth`).

use crate::health::{self, error_code, Conn, HealthError};
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Quorum};
use crate::security::KafkaAuth;
use kafka_protocol::messages::add_raft_voter_request::Listener;
use kafka_protocol::messages::{
    AddRaftVoterRequest, AddRaftVoterResponse, ApiKey, RemoveRaftVoterRequest, RemoveRaftVoterResponse,
};
use kafka_protocol::protocol::{Message, StrBytes};
use std::time::Duration;

const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the leader may take to commit a voter change (AddRaftVoter's own `TimeoutMs`).
const CHANGE_TIMEOUT_MS: i32 = 30_000;

/// A replica of the metadata log as the leader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    pub id: i32,
    pub directory_id: uuid::Uuid,
    /// -1 when it never fetched.
    pub log_end: i64,
}

impl Replica {
    /// The directory id as Kafka writes it (`meta.properties`' `directory.id`, the tools): URL-safe base64 of its
    /// 16 bytes, no padding.
    pub fn directory_id_text(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.directory_id.as_bytes())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Members {
    pub leader_id: i32,
    pub high_watermark: i64,
    pub voters: Vec<Replica>,
    pub observers: Vec<Replica>,
}

impl Members {
    pub fn voter(&self, id: i32) -> Option<&Replica> {
        self.voters.iter().find(|r| r.id == id)
    }
    pub fn observer(&self, id: i32) -> Option<&Replica> {
        self.observers.iter().find(|r| r.id == id)
    }
}

/// The dynamic quorum's settings, or an error saying why this cluster has none.
pub fn dynamic(spec: &ClusterSpec) -> Result<(String, u16), String> {
    match &spec.coordination {
        Coordination::Kraft(k) if k.quorum == Quorum::Dynamic => {
            Ok((k.cluster_id.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(), k.controller_port))
        }
        _ => Err("the cluster's controller quorum is static (kraft.quorum)".into()),
    }
}

/// DescribeQuorum v2 (with directory ids) at one controller listener; only the leader answers it there.
async fn describe_at(addr: &str, auth: &KafkaAuth) -> Result<Members, HealthError> {
    health::bounded(addr, CALL_TIMEOUT, async {
        let mut conn = Conn::open(addr, auth).await?;
        let p = health::describe_metadata_partition(&mut conn, 2, "a KRaft 3.9+ controller").await?;
        let replicas = |list: &[kafka_protocol::messages::describe_quorum_response::ReplicaState]| {
            let mut out: Vec<Replica> = list
                .iter()
                .map(|r| Replica {
                    id: r.replica_id.0,
                    directory_id: r.replica_directory_id,
                    log_end: r.log_end_offset,
                })
                .collect();
            out.sort_by_key(|r| r.id);
            out
        };
        Ok(Members {
            leader_id: p.leader_id.0,
            high_watermark: p.high_watermark,
            voters: replicas(&p.current_voters),
            observers: replicas(&p.observers),
        })
    })
    .await
}

fn controller_addr(host: &HostSpec, port: u16) -> String {
    format!("{}:{port}", host.reach().for_host_port())
}

/// The quorum's members from its leader, and the leader's controller address: each project controller is asked
/// until one answers (the leader; a follower answers NOT_LEADER_OR_FOLLOWER).
pub async fn describe(spec: &ClusterSpec) -> Result<(Members, String), String> {
    let (_, port) = dynamic(spec)?;
    let auth = super::secrets::controller_auth(spec)?;
    let mut errors = Vec::new();
    for c in spec.controllers() {
        let addr = controller_addr(c, port);
        match describe_at(&addr, &auth).await {
            Ok(m) => return Ok((m, addr)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(format!("no controller answered DescribeQuorum as the leader: {}", errors.join("; ")))
}

/// AddRaftVoter at the leader `addr`: `host` (node `id`, storage directory `directory_id`) becomes a voter,
/// reachable on its controller listener.
pub async fn add_voter(
    spec: &ClusterSpec,
    addr: &str,
    host: &HostSpec,
    id: i32,
    directory_id: uuid::Uuid,
) -> Result<(), String> {
    let (cluster_id, port) = dynamic(spec)?;
    let auth = super::secrets::controller_auth(spec)?;
    let mut listener = Listener::default();
    listener.name = StrBytes::from_static_str(crate::render::CONTROLLER_LISTENER);
    listener.host = StrBytes::from_string(host.reach().as_str().to_string());
    listener.port = port;
    let mut req = AddRaftVoterRequest::default();
    req.cluster_id = Some(StrBytes::from_string(cluster_id));
    req.timeout_ms = CHANGE_TIMEOUT_MS;
    req.voter_id = id;
    req.voter_directory_id = directory_id;
    req.listeners = vec![listener];
    let call = health::bounded(addr, Duration::from_millis(CHANGE_TIMEOUT_MS as u64 + 5_000), async {
        let mut conn = Conn::open(addr, &auth).await?;
        let versions = conn.api_versions().await?;
        let v = conn.negotiate(
            &versions,
            ApiKey::AddRaftVoter,
            AddRaftVoterRequest::VERSIONS,
            0,
            "a KRaft 3.9+ controller",
        )?;
        let resp: AddRaftVoterResponse = conn.call(ApiKey::AddRaftVoter, v, &req).await?;
        match resp.error_code {
            0 => Ok(()),
            code => Err(error_code(addr, "AddRaftVoter", code)),
        }
    });
    call.await.map_err(|e| e.to_string())
}

/// RemoveRaftVoter at the leader `addr`: node `id` with storage directory `directory_id` stops voting.
pub async fn remove_voter(spec: &ClusterSpec, addr: &str, id: i32, directory_id: uuid::Uuid) -> Result<(), String> {
    let (cluster_id, _) = dynamic(spec)?;
    let auth = super::secrets::controller_auth(spec)?;
    let mut req = RemoveRaftVoterRequest::default();
    req.cluster_id = Some(StrBytes::from_string(cluster_id));
    req.voter_id = id;
    req.voter_directory_id = directory_id;
    let call = health::bounded(addr, Duration::from_millis(CHANGE_TIMEOUT_MS as u64 + 5_000), async {
        let mut conn = Conn::open(addr, &auth).await?;
        let versions = conn.api_versions().await?;
        let v = conn.negotiate(
            &versions,
            ApiKey::RemoveRaftVoter,
            RemoveRaftVoterRequest::VERSIONS,
            0,
            "a KRaft 3.9+ controller",
        )?;
        let resp: RemoveRaftVoterResponse = conn.call(ApiKey::RemoveRaftVoter, v, &req).await?;
        match resp.error_code {
            0 => Ok(()),
            code => Err(error_code(addr, "RemoveRaftVoter", code)),
        }
    });
    call.await.map_err(|e| e.to_string())
}

/// Whether a dynamic quorum already runs, so a controller formatted now joins it (`--no-initial-controllers`)
/// rather than being one of its first voters: false for a static quorum, or while no probed controller's storage
/// is formatted (a new cluster) or every controller's is (nothing to format); true when the quorum's leader
/// answers. Formatted controllers beside unformatted ones with no leader answering is refused: formatting the new
/// ones as first voters could split the quorum, and joining needs a leader — start the controllers first.
pub(crate) async fn quorum_running(spec: &ClusterSpec, runs: &[super::hosts::HostRun]) -> Result<bool, String> {
    let Ok((cluster_id, _)) = dynamic(spec) else { return Ok(false) };
    let controllers: Vec<(&HostSpec, bool)> = runs
        .iter()
        .map(|r| (&spec.hosts[r.index], r))
        .filter(|(h, _)| h.has(crate::project::spec::Role::Controller))
        .map(|(h, r)| (h, r.facts.meta_cluster_ids.values().any(|id| *id == cluster_id)))
        .collect();
    let formatted: Vec<&str> = controllers.iter().filter(|(_, f)| *f).map(|(h, _)| h.name.as_str()).collect();
    let fresh: Vec<&str> = controllers.iter().filter(|(_, f)| !*f).map(|(h, _)| h.name.as_str()).collect();
    // A run limited to some hosts may not see the formatted controllers: the quorum's leader tells then.
    let all_probed = controllers.len() == spec.controllers().count();
    if fresh.is_empty() || (formatted.is_empty() && all_probed) {
        return Ok(false);
    }
    match describe(spec).await {
        Ok(_) => Ok(true),
        Err(_) if formatted.is_empty() => Ok(false),
        Err(e) => Err(format!(
            "{} would join the dynamic controller quorum of {}, but its leader does not answer ({e}): start the \
             controllers (kafka-wizard start FILE), then deploy again to add {}",
            fresh.join(", "),
            formatted.join(", "),
            fresh.join(", ")
        )),
    }
}

/// Refuses a deploy that would switch a running cluster's quorum kind (docs/facts/kafka.md §36): the kind is
/// fixed when the storage is formatted, so rendering `controller.quorum.bootstrap.servers` for nodes of a static
/// quorum (kraft.version 0) — or the voters for a dynamic one — would roll them onto a configuration their metadata
/// log does not match. Judged from the formatted hosts' `server.properties` (`HostFacts`), before anything changes.
/// `converting`: the run converts the static quorum first (`--convert-quorum`, `apply::convert_quorum`), so static
/// nodes under a dynamic project are what it is for.
pub(crate) fn refuse_kind_change(
    spec: &ClusterSpec,
    runs: &[super::hosts::HostRun],
    converting: bool,
) -> Result<(), String> {
    if converting && matches!(&spec.coordination, Coordination::Kraft(k) if k.quorum == Quorum::Dynamic) {
        return Ok(());
    }
    kind_change(spec, runs.iter().map(|r| (spec.hosts[r.index].name.as_str(), &r.facts)))
}

/// [`refuse_kind_change`]'s judgement over each probed host's name and facts.
pub fn kind_change<'a>(
    spec: &ClusterSpec,
    hosts: impl Iterator<Item = (&'a str, &'a super::facts::HostFacts)>,
) -> Result<(), String> {
    let Coordination::Kraft(k) = &spec.coordination else { return Ok(()) };
    let Some(cluster_id) = k.cluster_id.as_ref().map(|c| c.as_str()) else { return Ok(()) };
    let other: Vec<&str> = hosts
        .filter(|(_, f)| f.meta_cluster_ids.values().any(|id| id == cluster_id))
        .filter(|(_, f)| match k.quorum {
            Quorum::Dynamic => f.static_voters && f.bootstrap_servers.is_none(),
            Quorum::Static => f.bootstrap_servers.is_some() && !f.static_voters,
        })
        .map(|(name, _)| name)
        .collect();
    if other.is_empty() {
        return Ok(());
    }
    let hosts = other.join(", ");
    Err(match k.quorum {
        Quorum::Dynamic => format!(
            "{hosts} run(s) a static controller quorum (controller.quorum.voters), but the project says kraft.quorum = \
             \"dynamic\": rolling its nodes onto controller.quorum.bootstrap.servers would not convert it. Convert it \
             with deploy --convert-quorum (Kafka 4.1+: kraft.version raised to 1 first, then every node rolled; \
             irreversible), or remove kraft.quorum and kraft.bootstrap_controllers to keep the static quorum"
        ),
        Quorum::Static => format!(
            "{hosts} run(s) a dynamic controller quorum (controller.quorum.bootstrap.servers), but the project's \
             kraft.quorum is static: a dynamic quorum cannot go back to static voters. Set kraft.quorum = \"dynamic\""
        ),
    })
}

/// What to do about one project controller that does not vote yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joining {
    /// Not seen by the leader yet (not started, or still connecting).
    NotSeen,
    /// Fetching as an observer, this many records behind the high watermark.
    Behind(i64),
    /// Caught up: add it as a voter.
    Add(uuid::Uuid),
}

/// Judges a controller `id` that is not a voter: seen as an observer at most `max_lag` records behind → Add.
pub fn judge_joining(m: &Members, id: i32, max_lag: i64) -> Joining {
    match m.observer(id) {
        None => Joining::NotSeen,
        Some(o) if o.log_end < 0 || m.high_watermark - o.log_end > max_lag => {
            Joining::Behind(if o.log_end < 0 { -1 } else { m.high_watermark - o.log_end })
        }
        Some(o) => Joining::Add(o.directory_id),
    }
}

/// The start gate of a dynamic quorum (`Health::QuorumJoined`): every project controller votes. A controller that
/// observes and caught up is added now (AddRaftVoter), one per check; Err says who is still joining and why.
pub async fn join_check(spec: &ClusterSpec) -> Result<String, String> {
    if dynamic(spec).is_err() {
        return Ok("static quorum".into());
    }
    let (m, leader) = describe(spec).await?;
    let mut waiting = Vec::new();
    for c in spec.controllers() {
        let Some(id) = c.node_id.map(|n| n as i32) else { continue };
        if m.voter(id).is_some() {
            continue;
        }
        match judge_joining(&m, id, super::quorum::MAX_QUORUM_LAG) {
            Joining::NotSeen => waiting.push(format!("{} (node {id}) not fetching from the leader yet", c.name)),
            Joining::Behind(lag) => {
                waiting.push(format!("{} (node {id}) catching up as an observer, {lag} records behind", c.name))
            }
            Joining::Add(dir) => {
                add_voter(spec, &leader, c, id, dir).await.map_err(|e| format!("adding {} as a voter: {e}", c.name))?;
                waiting.push(format!("{} (node {id}) added as a voter (AddRaftVoter)", c.name));
            }
        }
    }
    if waiting.is_empty() {
        Ok(format!("every controller votes ({} voters)", m.voters.len()))
    } else {
        Err(waiting.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(hw: i64, observers: &[(i32, i64)]) -> Members {
        let r =
            |&(id, log_end): &(i32, i64)| Replica { id, directory_id: uuid::Uuid::from_u128(id as u128 + 7), log_end };
        Members {
            leader_id: 1,
            high_watermark: hw,
            voters: [(1, hw), (2, hw)].iter().map(r).collect(),
            observers: observers.iter().map(r).collect(),
        }
    }

    #[test]
    fn a_running_clusters_quorum_kind_cannot_be_switched_by_the_project() {
        let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
        let dynamic = crate::project::validate(&crate::project::parse(fixture).unwrap()).spec.unwrap();
        let stat = crate::project::parse(&fixture.replace("quorum = \"dynamic\"\n", "")).unwrap();
        let stat = crate::project::validate(&stat).spec.unwrap();
        let host = |cluster: &str, voters: bool, bootstrap: bool| super::super::facts::HostFacts {
            meta_cluster_ids: [("/var/lib/kafka/data".to_string(), cluster.to_string())].into(),
            static_voters: voters,
            bootstrap_servers: bootstrap.then(|| "10.2.0.11:9093".to_string()),
            ..Default::default()
        };
        let ours = "MkU3OEVBNTcwNTJENDM2Qk";
        let (static_node, dynamic_node, fresh) =
            (host(ours, true, false), host(ours, false, true), host("", false, false));
        let fresh = super::super::facts::HostFacts { meta_cluster_ids: Default::default(), ..fresh };
        assert_eq!(kind_change(&dynamic, [("c1", &dynamic_node), ("c4", &fresh)].into_iter()), Ok(()));
        assert_eq!(kind_change(&stat, [("c1", &static_node), ("c4", &fresh)].into_iter()), Ok(()));
        let why = kind_change(&dynamic, [("c1", &static_node), ("c2", &static_node)].into_iter()).unwrap_err();
        assert!(why.starts_with("c1, c2 run(s) a static controller quorum"), "{why}");
        assert!(why.contains("remove kraft.quorum") && why.contains("deploy --convert-quorum"), "{why}");
        let why = kind_change(&stat, [("c1", &dynamic_node)].into_iter()).unwrap_err();
        assert!(why.contains("cannot go back to static voters"), "{why}");
        // another cluster's storage is not this cluster's quorum
        assert_eq!(kind_change(&dynamic, [("c1", &host("OTHER", true, false))].into_iter()), Ok(()));
    }

    #[test]
    fn a_joining_controller_is_added_only_once_it_observes_and_caught_up() {
        assert_eq!(judge_joining(&members(500, &[]), 4, 10), Joining::NotSeen);
        assert_eq!(judge_joining(&members(500, &[(4, -1)]), 4, 10), Joining::Behind(-1));
        assert_eq!(judge_joining(&members(500, &[(4, 200)]), 4, 10), Joining::Behind(300));
        assert_eq!(judge_joining(&members(500, &[(4, 495)]), 4, 10), Joining::Add(uuid::Uuid::from_u128(11)));
    }
}
