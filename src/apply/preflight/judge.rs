//! Preflight's decisions, pure: one host's facts → findings (host, check, verdict, result, fix). Refusals: a port
//! the host's services need held by a process that is not the cluster's own, a directory below
//! `preflight.min_free_mb` (for a service not running yet), Java missing or too old (the same decision as the
//! plan's Java step), a peer's name the host cannot resolve, a clock too far behind for the wizard's certificates
//! (`environment.rs`). Warnings: kernel settings Kafka's operations guidance names (docs/facts/kafka.md §22), clock
//! skew, time not synchronized, transparent huge pages `always`, a peer's port the network keeps from the host
//! (`reach.rs`), a unit whose effective `LimitNOFILE` a drop-in lowered (`unit_limits.rs`). The warnings the wizard
//! can fix itself carry their [`Remedy`]; their fix text says what to do by hand and names no front door's way to
//! have the wizard do it (the CLI's `--fix`, the app's Apply fixes…): each front door words that itself.

use super::probe::{measured_dirs, PreflightFacts};
use super::remedy::{Bound, Remedy, SYSCTL_FILE};
use super::{Finding, Verdict};
use crate::apply::decide::{decide, Context, Decision};
use crate::apply::facts::HostFacts;
use crate::plan::HostStep;
use crate::project::spec::{ClusterSpec, Coordination, Ensemble, HostSpec, Role};
use crate::render::Service;
use crate::render::LIMIT_NOFILE;

/// `vm.max_map_count` below this warns: 2 map areas per log segment (docs/facts/kafka.md §22).
pub const MIN_MAX_MAP_COUNT: u64 = 262_144;
/// `vm.swappiness` above this warns (cp-ansible sets 1).
pub const MAX_SWAPPINESS: u64 = 10;

/// A port one of `host`'s services listens on: the port, its project field and the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeededPort {
    pub port: u16,
    pub field: &'static str,
    pub service: Service,
}

/// Every port `host`'s services listen on, from the spec: a broker's listener, a KRaft controller's port, an
/// ensemble member's client, quorum and election ports; with `[monitoring]`, each service's exporter port.
pub fn needed_ports(spec: &ClusterSpec, host: &HostSpec) -> Vec<NeededPort> {
    let mut ports = Vec::new();
    if host.has(Role::Broker) {
        ports.push(NeededPort {
            port: spec.kafka.listener_port,
            field: "kafka.listener_port",
            service: Service::Kafka,
        });
    }
    if let (Some(port), true) = (spec.controller_port(), host.has(Role::Controller)) {
        ports.push(NeededPort { port, field: "kraft.controller_port", service: Service::Kafka });
    }
    match &spec.coordination {
        Coordination::Zookeeper(z) if host.has(Role::Zookeeper) && matches!(z.ensemble, Ensemble::Managed(_)) => {
            let zk = Service::Zookeeper;
            ports.push(NeededPort { port: z.client_port, field: "zookeeper.client_port", service: zk });
            ports.push(NeededPort { port: z.quorum_port, field: "zookeeper.quorum_port", service: zk });
            ports.push(NeededPort { port: z.election_port, field: "zookeeper.election_port", service: zk });
        }
        _ => {}
    }
    if let Some(m) = &spec.monitoring {
        for service in Service::on(host) {
            let field = match service {
                Service::Kafka => "monitoring.kafka_port",
                Service::Zookeeper => "monitoring.zookeeper_port",
            };
            ports.push(NeededPort { port: crate::render::monitoring::port(m, service), field, service });
        }
    }
    ports
}

/// Every finding for one host; `peers`: the other hosts' own addresses (`environment::PeerAddresses`).
pub fn judge(
    spec: &ClusterSpec,
    host: &HostSpec,
    facts: &HostFacts,
    install_java: bool,
    peers: &super::environment::PeerAddresses,
) -> Vec<Finding> {
    let name = host.name.to_string();
    let finding = |check: String, verdict, result: String, fix: String| Finding {
        host: name.clone(),
        check,
        verdict,
        result,
        fix,
        remedy: None,
    };
    let mut out = Vec::new();
    for need in needed_ports(spec, host) {
        let (verdict, result, fix) = port_verdict(&need, facts);
        out.push(finding(format!("port {} ({})", need.port, need.field), verdict, result, fix));
    }
    for dir in measured_dirs(spec, host) {
        let check = format!("free space {} ({})", dir.path, dir.what);
        let min_mib = spec.preflight.min_free_mb;
        let (verdict, result, fix) = match facts.preflight.space.get(&dir.path) {
            None => {
                (Verdict::Warn, "could not be measured (df failed)".into(), "check the directory's file system".into())
            }
            Some(space) => {
                let free_mib = space.available_kib / 1024;
                let result = format!("{free_mib} MiB free on {}", space.mount);
                if free_mib >= min_mib {
                    (Verdict::Pass, result, String::new())
                } else {
                    let verdict = if facts.is_active(dir.service) { Verdict::Warn } else { Verdict::Refuse };
                    let running = if verdict == Verdict::Warn { " (its service runs: not refused)" } else { "" };
                    (
                        verdict,
                        format!("{result}, below preflight.min_free_mb = {min_mib}{running}"),
                        format!(
                            "free space on {} or mount a larger disk at {} (or lower [preflight] min_free_mb)",
                            space.mount, dir.path
                        ),
                    )
                }
            }
        };
        out.push(finding(check, verdict, result, fix));
    }
    let (verdict, result, fix) = java_verdict(spec, host, facts, install_java);
    out.push(finding("Java".into(), verdict, result, fix));
    for (check, verdict, result, fix, remedy) in kernel_warnings(host, &facts.preflight) {
        out.push(Finding { remedy, ..finding(check, verdict, result, fix) });
    }
    for (check, verdict, result, fix) in super::unit_limits::judge(host, &facts.preflight) {
        out.push(finding(check, verdict, result, fix));
    }
    for (check, verdict, result, fix) in super::environment::judge(spec, host, &facts.preflight.environment, peers) {
        let thp = check == super::environment::THP_CHECK
            && verdict == Verdict::Warn
            && !facts.preflight.environment.thp_fix_kept();
        let remedy = thp.then_some(Remedy::TransparentHugePages);
        out.push(Finding { remedy, ..finding(check, verdict, result, fix) });
    }
    out.extend(super::reach::judge(host, &facts.preflight.reach));
    out
}

fn port_verdict(need: &NeededPort, facts: &HostFacts) -> (Verdict, String, String) {
    let (port, unit) = (need.port, need.service.unit());
    let (listened, processes) = facts.preflight.listeners(port);
    let fix = format!("stop that process (`ss -ltnp 'sport = :{port}'` shows it) or set {} to a free port", need.field);
    if !listened {
        return (Verdict::Pass, "free".into(), String::new());
    }
    if processes.is_empty() {
        // The owner is hidden (the probe is not root): trust the port to the cluster only while its unit runs.
        return match facts.is_active(need.service) {
            true => (Verdict::Pass, format!("in use, {unit} is running (owner not visible)"), String::new()),
            false => (Verdict::Refuse, format!("held by a process the probe cannot see; {unit} is not running"), fix),
        };
    }
    let foreign: Vec<String> = processes
        .iter()
        .filter(|p| !facts.preflight.is_own(p))
        .map(|p| format!("{} (pid {})", p.name, p.pid))
        .collect();
    if foreign.is_empty() {
        return (Verdict::Pass, "held by this cluster's own service".into(), String::new());
    }
    (Verdict::Refuse, format!("held by {}, not by this cluster's {unit}", foreign.join(", ")), fix)
}

/// The plan's own Java decision (`HostStep::CheckJava`), asked before any change: missing or too old refuses unless
/// the run installs Java.
fn java_verdict(
    spec: &ClusterSpec,
    host: &HostSpec,
    facts: &HostFacts,
    install_java: bool,
) -> (Verdict, String, String) {
    let mut ctx = Context { install_java, ..Context::default() };
    let step = HostStep::CheckJava { min: spec.kafka.release.java.min };
    match decide(spec, host, &step, facts, &mut ctx) {
        Decision::Unchanged { reason } => (Verdict::Pass, reason, String::new()),
        Decision::Change { detail, .. } => {
            (Verdict::Pass, format!("missing or too old: will be {detail}"), String::new())
        }
        Decision::Refuse { message } => match message.split_once(" — ") {
            Some((result, fix)) => (Verdict::Refuse, result.to_string(), fix.to_string()),
            None => (Verdict::Refuse, message, String::new()),
        },
    }
}

/// A kernel setting's finding: (check, verdict, result, fix, the remedy of a warning).
type KernelFinding = (String, Verdict, String, String, Option<Remedy>);

/// Kernel settings: `vm.max_map_count` (Kafka hosts), `vm.swappiness`, and `fs.nr_open` against the units'
/// `LimitNOFILE`, each warning with its [`Remedy`]. A setting the probe could not read is left out.
fn kernel_warnings(host: &HostSpec, f: &PreflightFacts) -> Vec<KernelFinding> {
    let mut out = Vec::new();
    // (check, the setting, its value's problem when bad, the value it gets when fixed and which way, shown when fine)
    let mut setting = |check: &str, key: &str, bad: Option<String>, fixed: u64, bound: Bound, fine: String| {
        out.push(match bad {
            // The wizard's fix is already kept for the next boot (the kernel refused it now, or it was lowered
            // since): nothing left that it can do, so no remedy — only the way to make the kernel take it.
            Some(problem) if f.kept_sysctls.get(key).is_some_and(|&kept| bound.holds(kept, fixed)) => (
                check.to_string(),
                Verdict::Warn,
                format!("{problem}; {key} = {} is kept in {SYSCTL_FILE} for the next boot", f.kept_sysctls[key]),
                format!(
                    "reboot the host, or apply it now: sysctl -p {SYSCTL_FILE} (a container takes it from the \
                     machine that runs it)"
                ),
                None,
            ),
            Some(problem) => (
                check.to_string(),
                Verdict::Warn,
                problem,
                format!("sysctl -w {key}={fixed}, and keep it in {SYSCTL_FILE} ({key} = {fixed})"),
                Some(Remedy::Sysctl { key: key.to_string(), value: fixed, bound }),
            ),
            None => (check.to_string(), Verdict::Pass, fine, String::new(), None),
        })
    };
    if let (Some(&v), true) = (f.sysctls.get("vm.max_map_count"), host.runs_kafka()) {
        let bad = (v < MIN_MAX_MAP_COUNT).then(|| {
            format!("{v}: each log segment takes 2 memory map areas, so this caps the partitions a broker can hold")
        });
        setting("vm.max_map_count", "vm.max_map_count", bad, MIN_MAX_MAP_COUNT, Bound::AtLeast, v.to_string());
    }
    if let Some(&v) = f.sysctls.get("vm.swappiness") {
        let bad = (v > MAX_SWAPPINESS)
            .then(|| format!("{v}: the kernel swaps the JVM's heap out rather than drop page cache"));
        setting("vm.swappiness", "vm.swappiness", bad, 1, Bound::AtMost, v.to_string());
    }
    if let Some(&v) = f.sysctls.get("fs.nr_open") {
        let bad = (v < LIMIT_NOFILE).then(|| {
            format!("fs.nr_open = {v} is below the services' LimitNOFILE={LIMIT_NOFILE}: they get fewer open files")
        });
        let fine = format!("fs.nr_open = {v}, the services get LimitNOFILE={LIMIT_NOFILE}");
        setting("open files", "fs.nr_open", bad, 1_048_576, Bound::AtLeast, fine);
    }
    out
}
