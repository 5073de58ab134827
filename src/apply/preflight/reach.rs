//! Preflight's check that each host reaches the ports its services will dial on the other hosts — not only that
//! they are free there: a firewall between two hosts (a DROP rule: no answer; a REJECT with host-prohibited or a
//! missing route: no route) is named with its fix before the first change, instead of showing as a broker that never
//! joins. A second round trip after the facts probe, and only towards a peer in the run whose service for that port
//! does not run yet: its port is then unbound, so a reachable one answers "refused" at once. A running service is
//! never dialled by the probe (nothing in its logs), and a run against a running cluster costs nothing; peers left
//! out by `--limit` are not probed. Each probe is bash's `/dev/tcp`, all of one host's at once under one watchdog
//! ([`REACH_TIMEOUT_SECS`]); a host without bash says nothing. A firewall that rejects with port-unreachable
//! (iptables' default REJECT) looks like "nothing listens yet": the health gates find that one when the service
//! starts. Findings are warnings.

use super::judge::{needed_ports, NeededPort};
use super::{Finding, Verdict};
use crate::apply::hosts::HostRun;
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Role};
use crate::render::Service;
use crate::shell::quote;
use serde::Serialize;
use std::sync::Arc;

/// How long one probe waits for an answer (seconds): a LAN answers in milliseconds, a dropping firewall never.
pub const REACH_TIMEOUT_SECS: u32 = 2;

/// A port on another host that one of this host's services dials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeerPort {
    pub peer: String,
    /// How the services reach the peer (its address, else its name).
    pub address: String,
    pub port: u16,
    /// The project field of the port.
    pub field: &'static str,
}

/// What one probe found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Something accepted the connection.
    Open,
    /// The peer answered that nothing listens there: reachable.
    Refused,
    /// No answer within [`REACH_TIMEOUT_SECS`].
    NoAnswer,
    /// The network said no (no route to host, network unreachable, prohibited), in the host's words.
    Unreachable(String),
    /// The name does not resolve on the host (preflight's name check reports that).
    Unresolved,
    /// Anything else, in the host's words.
    Other(String),
}

/// The ports on `peer` that `host`'s services dial: a broker dials the other brokers' listener (replication), the
/// KRaft controllers' port and the ensemble's client port; a KRaft controller dials the other controllers — and
/// during a migration from ZooKeeper (ZooKeeper mode) also the ensemble's client port and the brokers' listener; an
/// ensemble member dials the other members' quorum and election ports. Exporter ports are scraped from elsewhere.
pub fn dialled_ports(spec: &ClusterSpec, host: &HostSpec, peer: &HostSpec) -> Vec<NeededPort> {
    let zookeeper_mode = matches!(spec.coordination, Coordination::Zookeeper(_));
    let dials = |field: &str| match field {
        "kafka.listener_port" => host.has(Role::Broker) || (host.has(Role::Controller) && zookeeper_mode),
        "kraft.controller_port" | "zookeeper.client_port" => host.runs_kafka(),
        "zookeeper.quorum_port" | "zookeeper.election_port" => host.has(Role::Zookeeper),
        _ => false,
    };
    if peer.name == host.name {
        return Vec::new();
    }
    needed_ports(spec, peer).into_iter().filter(|p| dials(p.field)).collect()
}

/// What the host at `index` probes: every port of every other host in the run (`in_run`) that its services dial and
/// whose service there does not run yet (`running(peer index, service)`), each address and port once.
pub fn targets(
    spec: &ClusterSpec,
    index: usize,
    in_run: &[usize],
    running: impl Fn(usize, Service) -> bool,
) -> Vec<PeerPort> {
    let host = &spec.hosts[index];
    let mut out: Vec<PeerPort> = Vec::new();
    for &p in in_run {
        let peer = &spec.hosts[p];
        for need in dialled_ports(spec, host, peer) {
            let address = peer.reach().to_string();
            if running(p, need.service) || out.iter().any(|t| t.address == address && t.port == need.port) {
                continue;
            }
            out.push(PeerPort { peer: peer.name.to_string(), address, port: need.port, field: need.field });
        }
    }
    out
}

/// The probe's program, run by bash with the targets as its arguments (`ADDRESS PORT` pairs): each dial is a fork of
/// this bash (no new program) in a job of its own (`set -m`), its error kept in a file; one watchdog kills every job
/// still dialling after [`REACH_TIMEOUT_SECS`] (a killed dial is reported as exit code 124, "no answer"). Then one line
/// per target in the arguments' order. A few processes per host whatever the number of targets — one `timeout` and
/// one bash per target made a 24-host run's probe cost seconds of CPU.
const PROBE_PROGRAM: &str = r#"d=$(mktemp -d) || exit 0
trap 'rm -rf "$d"' EXIT
set -m
n=$(($# / 2))
pids=()
for ((i = 0; i < n; i++)); do
  a=${@:2*i+1:1} p=${@:2*i+2:1}
  (exec 2>"$d/$i"; exec 3<>"/dev/tcp/$a/$p") </dev/null >/dev/null &
  pids[i]=$!
done
(sleep SECS; for q in "${pids[@]}"; do kill -KILL -- "-$q"; done) </dev/null >/dev/null 2>&1 &
dog=$!
for ((i = 0; i < n; i++)); do
  a=${@:2*i+1:1} p=${@:2*i+2:1}
  wait "${pids[i]}"
  c=$?
  m=
  read -r -d '' m <"$d/$i"
  if [ "$c" -ge 128 ]; then c=124; fi
  printf 'reach %s %s %s %s\n' "$a" "$p" "$c" "${m//$'\n'/ }"
done
kill -KILL -- "-$dog"
"#;

/// The probe: one line per target, `reach ADDRESS PORT EXIT-CODE MESSAGE` (bash's error on one line), all at once
/// ([`PROBE_PROGRAM`]). A host without bash says nothing.
pub fn probe_script(targets: &[PeerPort]) -> String {
    let program = PROBE_PROGRAM.replace("SECS", &REACH_TIMEOUT_SECS.to_string());
    let mut s = format!("command -v bash >/dev/null 2>&1 || exit 0\nexec 2>/dev/null bash -c {} bash", quote(&program));
    for t in targets {
        s.push_str(&format!(" {} {}", quote(&t.address), t.port));
    }
    s.push('\n');
    s
}

/// The probe's answer for each target (a target without a line is left out).
pub fn parse(targets: &[PeerPort], output: &str) -> Vec<(PeerPort, Reach)> {
    let mut out = Vec::new();
    for line in output.lines() {
        let mut words = line.splitn(5, ' ');
        let (Some("reach"), Some(address), Some(port), Some(code)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            continue;
        };
        let message = words.next().unwrap_or("").trim();
        let Some(target) = targets.iter().find(|t| t.address == address && Ok(t.port) == port.parse()) else {
            continue;
        };
        out.push((target.clone(), reach_of(code, message)));
    }
    out.sort_by(|a, b| (&a.0.peer, a.0.port).cmp(&(&b.0.peer, b.0.port)));
    out
}

/// bash's exit code and error (`bash: connect: Connection refused bash: line 1: /dev/tcp/…: Connection refused`).
fn reach_of(code: &str, message: &str) -> Reach {
    let reason = message.rsplit(": ").next().unwrap_or(message).trim().to_string();
    match code {
        "0" => Reach::Open,
        "124" => Reach::NoAnswer,
        _ if message.contains("Connection refused") => Reach::Refused,
        _ if ["No route to host", "Network is unreachable", "Permission denied"]
            .iter()
            .any(|m| message.contains(m)) =>
        {
            Reach::Unreachable(reason)
        }
        _ if message.contains("Name or service not known") || message.contains("Temporary failure in name") => {
            Reach::Unresolved
        }
        _ => Reach::Other(if reason.is_empty() { format!("exit code {code}") } else { reason }),
    }
}

/// The findings of one host's probes.
pub fn judge(host: &HostSpec, probed: &[(PeerPort, Reach)]) -> Vec<Finding> {
    let from = host.reach().to_string();
    probed
        .iter()
        .filter_map(|(t, reach)| {
            let (port, peer) = (t.port, &t.peer);
            let fix = format!(
                "let TCP port {port} from {} ({from}) in on {peer} — its services talk on it (on {peer}: \
                 `firewall-cmd --permanent --add-port={port}/tcp && firewall-cmd --reload`, or `ufw allow from {from} \
                 to any port {port} proto tcp`; a cloud security group likewise), and check the route between them",
                host.name
            );
            let (verdict, result, fix) = match reach {
                Reach::Open => (Verdict::Pass, "connects".to_string(), String::new()),
                Reach::Refused => (Verdict::Pass, "reachable (nothing listens there yet)".to_string(), String::new()),
                Reach::NoAnswer => {
                    (Verdict::Warn, format!("no answer in {REACH_TIMEOUT_SECS} s: a firewall drops it"), fix)
                }
                Reach::Unreachable(why) => (Verdict::Warn, format!("{why}: the network refuses it"), fix),
                Reach::Other(why) => (Verdict::Warn, why.clone(), fix),
                // the name check says it (`environment.rs`)
                Reach::Unresolved => return None,
            };
            Some(Finding {
                host: host.name.to_string(),
                check: format!("reaches {peer}:{port} ({})", t.field),
                verdict,
                result,
                fix,
                remedy: None,
            })
        })
        .collect()
}

/// Runs each host's probe (hosts at once; a host with nothing to probe is not asked) and keeps what it found in the
/// host's facts (`PreflightFacts::reach`). A probe that fails to run leaves nothing: nothing is said.
pub(crate) async fn probe_all(spec: &Arc<ClusterSpec>, runs: &mut [HostRun]) {
    let in_run: Vec<usize> = runs.iter().map(|r| r.index).collect();
    let running: Vec<(usize, Service)> = runs
        .iter()
        .flat_map(|r| Service::ALL.into_iter().filter(|s| r.facts.is_active(*s)).map(|s| (r.index, s)))
        .collect();
    let tasks: Vec<_> = runs
        .iter()
        .map(|run| {
            let targets = targets(spec, run.index, &in_run, |i, s| running.contains(&(i, s)));
            let transport = run.transport.clone();
            tokio::task::spawn_blocking(move || {
                if targets.is_empty() {
                    return Vec::new();
                }
                match transport.exec(&probe_script(&targets), None) {
                    Ok(out) => parse(&targets, &out.stdout_text()),
                    Err(_) => Vec::new(),
                }
            })
        })
        .collect();
    for (run, task) in runs.iter_mut().zip(tasks) {
        run.facts.preflight.reach = task.await.expect("reach probe task panicked");
    }
}

#[cfg(test)]
#[path = "reach_tests.rs"]
mod tests;
