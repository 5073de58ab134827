//! `--limit HOST[,HOST]`: the hosts a run touches, and what a limited run must not do — the one home of both.
//!
//! A [`Limit`] is all of the project's hosts (the default) or the named ones. It filters the typed plan
//! ([`Limit::plan`], [`Limit::phases`]): each phase keeps only the named hosts and a phase left without hosts is
//! dropped, so `deploy`, `deploy --dry-run`, `start`, `stop`, `restart` and `status` connect to and act on exactly
//! those hosts, and the dry run shows exactly the limited plan. The health conditions are not filtered: the gates
//! still judge the whole cluster over Kafka's and ZooKeeper's protocols.
//!
//! The rules ([`Limit::check`]), judged against the nodes that answer on their ports ([`Running`]) before any host
//! is touched; a refused run touches nothing:
//! - **stop**: refused when it would take the ZooKeeper ensemble or the KRaft controller quorum from a majority to
//!   below one while brokers outside the limit keep running (they need it);
//! - **deploy, start**: refused when the ensemble or the controller quorum would have no majority running after it
//!   (members neither running nor in the limit) while the limit has brokers or members to start; and when a start
//!   phase of the limited run has hosts outside the limit that are not running — its health gates judge every one
//!   of them, so it could never pass (a first install limited to some hosts is refused this way);
//! - **restart** is never refused for quorum reasons: it takes one node down at a time and waits for it to be back
//!   (the before-roll health check and `--force` apply as always); **status** only reads.

use super::{start_phases, Phase, Plan, Work};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::Service;
use std::collections::BTreeSet;
use thiserror::Error;

/// The hosts a run touches: all of the project's ([`Limit::all`], the default) or the ones `--limit` names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limit(Option<BTreeSet<String>>);

/// What a limited run does, for its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Deploy,
    Start,
    Stop,
    Restart,
    Status,
}

/// The nodes that answer on their service's port, by service: ZooKeeper members on the client port, Kafka nodes
/// on the listener port (dedicated controllers on the controller port).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Running {
    pub zookeeper: BTreeSet<String>,
    pub kafka: BTreeSet<String>,
}

impl Running {
    fn of(&self, service: Service) -> &BTreeSet<String> {
        match service {
            Service::Zookeeper => &self.zookeeper,
            Service::Kafka => &self.kafka,
        }
    }
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LimitError {
    #[error("--limit names no host; name one or more of the project's hosts: {known}")]
    Empty { known: String },
    #[error("--limit: unknown host(s) {unknown}; the project's hosts are {known}")]
    UnknownHosts { unknown: String, known: String },
    #[error("--limit {limit} refused, no host was touched: {reason}")]
    Refused { limit: String, reason: String },
}

/// The ensemble or quorum the brokers need: its name, service and members.
struct Quorum {
    name: &'static str,
    service: Service,
    members: Vec<String>,
}

impl Quorum {
    fn of(spec: &ClusterSpec) -> Option<Quorum> {
        let (name, service, members): (_, _, Vec<String>) = match &spec.coordination {
            Coordination::Zookeeper(_) => (
                "ZooKeeper ensemble",
                Service::Zookeeper,
                spec.zookeeper_members().iter().map(|h| h.name.to_string()).collect(),
            ),
            Coordination::Kraft(_) => {
                ("KRaft controller quorum", Service::Kafka, spec.controllers().map(|h| h.name.to_string()).collect())
            }
        };
        (!members.is_empty()).then_some(Quorum { name, service, members })
    }

    fn majority(&self) -> usize {
        self.members.len() / 2 + 1
    }
}

fn list<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

impl Limit {
    /// Every host of the project (no `--limit`).
    pub fn all() -> Limit {
        Limit(None)
    }

    /// `HOST[,HOST]` — names of the project's hosts, separated by commas. An unknown name is an error naming the
    /// known hosts.
    pub fn parse(spec: &ClusterSpec, text: &str) -> Result<Limit, LimitError> {
        let known = || spec.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(", ");
        let named: BTreeSet<String> =
            text.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect();
        if named.is_empty() {
            return Err(LimitError::Empty { known: known() });
        }
        let unknown: Vec<&String> =
            named.iter().filter(|n| !spec.hosts.iter().any(|h| h.name.as_str() == *n)).collect();
        if !unknown.is_empty() {
            return Err(LimitError::UnknownHosts { unknown: list(unknown), known: known() });
        }
        Ok(Limit(Some(named)))
    }

    /// No `--limit`: every host.
    pub fn is_all(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the run touches `host`.
    pub fn contains(&self, host: &str) -> bool {
        self.0.as_ref().is_none_or(|named| named.contains(host))
    }

    /// The named hosts, comma-separated (`all` without a limit).
    pub fn describe(&self) -> String {
        self.0.as_ref().map_or_else(|| "all".to_string(), list)
    }

    /// The plan of the named hosts only: see [`Limit::phases`].
    pub fn plan(&self, plan: Plan) -> Plan {
        Plan { cluster: plan.cluster, phases: self.phases(plan.phases), scrape_targets: plan.scrape_targets }
    }

    /// Each phase with only the named hosts; a phase on hosts left with none is dropped. The download stays (it is
    /// skipped when every named host has the release), so do the cluster's ACLs, and every health condition stays
    /// whole.
    pub fn phases(&self, phases: Vec<Phase>) -> Vec<Phase> {
        if self.is_all() {
            return phases;
        }
        phases
            .into_iter()
            .filter_map(|mut phase| {
                match &mut phase.work {
                    // Downloading and the cluster's ACLs are not any host's: they stay.
                    // A CA rotation moves every node (a limited run with one is refused before it starts).
                    Work::Fetch(_)
                    | Work::Acls(_)
                    | Work::ScramUsers(_)
                    | Work::RotateCa(_)
                    | Work::ConvertQuorum(_) => {}
                    Work::OnHosts { hosts } => {
                        hosts.retain(|h| self.contains(&h.host));
                        if hosts.is_empty() {
                            return None;
                        }
                    }
                    Work::Start(start) => {
                        start.hosts.retain(|h| self.contains(h));
                        if start.hosts.is_empty() {
                            return None;
                        }
                    }
                }
                Some(phase)
            })
            .collect()
    }

    /// The rules of the module docs for `intent`, judged against the nodes `running` now. Without a limit nothing
    /// is refused (every host is in it).
    pub fn check(&self, spec: &ClusterSpec, intent: Intent, running: &Running) -> Result<(), LimitError> {
        if self.is_all() {
            return Ok(());
        }
        let reason = match intent {
            Intent::Deploy | Intent::Start => self.start_refusal(spec, running),
            Intent::Stop => self.stop_refusal(spec, running),
            Intent::Restart | Intent::Status => None,
        };
        match reason {
            Some(reason) => Err(LimitError::Refused { limit: self.describe(), reason }),
            None => Ok(()),
        }
    }

    fn start_refusal(&self, spec: &ClusterSpec, running: &Running) -> Option<String> {
        if let Some(q) = Quorum::of(spec) {
            let starts_any =
                spec.brokers().any(|b| self.contains(b.name.as_str())) || q.members.iter().any(|m| self.contains(m));
            let (up, down): (Vec<&String>, Vec<&String>) =
                q.members.iter().partition(|m| self.contains(m) || running.of(q.service).contains(*m));
            if starts_any && up.len() < q.majority() {
                return Some(format!(
                    "the {} would have {} of its {} members running, and a majority ({}) is needed; {} {} neither \
                     running nor in --limit: add them to --limit or start them first",
                    q.name,
                    up.len(),
                    q.members.len(),
                    q.majority(),
                    list(down.iter().copied()),
                    if down.len() == 1 { "is" } else { "are" },
                ));
            }
        }
        let everything = start_phases(spec);
        for phase in self.phases(everything.clone()) {
            let Work::Start(start) = &phase.work else { continue };
            let whole = everything.iter().find_map(|p| match &p.work {
                Work::Start(s) if p.kind == phase.kind => Some(&s.hosts),
                _ => None,
            })?;
            let down: Vec<&String> =
                whole.iter().filter(|h| !self.contains(h) && !running.of(start.service).contains(*h)).collect();
            if !down.is_empty() {
                let nothing_runs = running.zookeeper.is_empty() && running.kafka.is_empty();
                return Some(format!(
                    "{} outside --limit {} not running, and the health gates after starting the {} judge every one \
                     of them; add {} to --limit or start {} first{}",
                    list(down.iter().copied()),
                    if down.len() == 1 { "is" } else { "are" },
                    phase.kind.group(),
                    if down.len() == 1 { "it" } else { "them" },
                    if down.len() == 1 { "it" } else { "them" },
                    if nothing_runs {
                        " (nothing of the cluster runs: a first install includes every host)"
                    } else {
                        ""
                    },
                ));
            }
        }
        None
    }

    fn stop_refusal(&self, spec: &ClusterSpec, running: &Running) -> Option<String> {
        let q = Quorum::of(spec)?;
        let up: Vec<&String> = q.members.iter().filter(|m| running.of(q.service).contains(*m)).collect();
        let (stopped, left): (Vec<&String>, Vec<&String>) = up.iter().partition(|m| self.contains(m));
        if up.len() < q.majority() || left.len() >= q.majority() {
            return None;
        }
        let brokers_left: Vec<String> = spec
            .brokers()
            .map(|b| b.name.to_string())
            .filter(|b| !self.contains(b) && running.kafka.contains(b))
            .collect();
        if brokers_left.is_empty() {
            return None;
        }
        Some(format!(
            "stopping {} would leave {} of the {} members of the {} running, below its majority ({}), while {} \
             outside --limit {} running and {} it; stop {} too (add {} to --limit) or fewer members",
            list(stopped),
            left.len(),
            q.members.len(),
            q.name,
            q.majority(),
            list(&brokers_left),
            if brokers_left.len() == 1 { "keeps" } else { "keep" },
            if brokers_left.len() == 1 { "needs" } else { "need" },
            if brokers_left.len() == 1 { "that broker" } else { "those brokers" },
            if brokers_left.len() == 1 { "it" } else { "them" },
        ))
    }
}

#[cfg(test)]
mod tests;
