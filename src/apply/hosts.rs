//! The hosts of a run: connecting to all (taking the run lock when the run may change them) and probing their
//! facts, carrying out one host's steps (decided, then acted on), the actions themselves, and running one command on
//! many hosts at once with events.

use super::backup;
use super::connect::ConnectOptions;
use super::decide::{decide, step_title, Action, Context, Decision};
use super::facts::{parse_probe, probe_script, HostFacts};
use super::options::{ApplyError, Cancel, Failure};
use super::preflight::environment::wall_clock_ns;
use super::runlock::{self, Access};
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::{HostStep, Limit};
use crate::project::spec::ClusterSpec;
use crate::render::{Owner, Service};
use crate::shell::quote;
use crate::transport::scripts::Privilege;
use crate::transport::{self, HostAccess, Transport, TransportError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One host during a run: its connection, facts and what this run changed.
pub(crate) struct HostRun {
    pub index: usize,
    pub transport: Arc<dyn Transport>,
    pub facts: HostFacts,
    pub ctx: Context,
    pub uploaded: u64,
    /// Where this run kept the old copies of the files it overwrote (`apply::backup`).
    pub backups: Vec<String>,
}

/// The transports of a run by host index.
pub(crate) type Transports = BTreeMap<usize, Arc<dyn Transport>>;

pub(crate) fn transports_of(runs: &[HostRun]) -> Transports {
    runs.iter().map(|r| (r.index, r.transport.clone())).collect()
}

const PROBE_STEP: &str = "probe facts";

/// What opening one host came to: connected (locked when the run may change it) and probed, or why not.
enum Opened {
    Ready(Box<HostRun>),
    Unreachable(TransportError),
    Refused(runlock::Refusal),
    Failed(Failure),
}

/// Connects to every host `limit` names, takes the run lock on each when the run may change them, and probes their
/// facts — each host on its own, all at once, with no wait between the stages (a barrier per stage cost every run the
/// slowest host's time at each). A host that cannot be reached fails the run; another run holding any host refuses
/// it (`runlock`) — after the other hosts' read-only probes at most, before any step.
pub(crate) async fn connect_and_probe(
    spec: &Arc<ClusterSpec>,
    opts: &ConnectOptions,
    limit: &Limit,
    access: Access,
    events: &EventSink,
) -> Result<Vec<HostRun>, ApplyError> {
    let tasks: Vec<_> = (0..spec.hosts.len())
        .filter(|&index| limit.contains(spec.hosts[index].name.as_str()))
        .map(|index| {
            let (spec, opts, events) = (spec.clone(), opts.clone(), events.clone());
            (index, tokio::task::spawn_blocking(move || open_host(&spec, index, &opts, access, &events)))
        })
        .collect();
    let (mut runs, mut unreachable, mut busy, mut failures) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (index, task) in tasks {
        let host = spec.hosts[index].name.as_str();
        match task.await.unwrap_or_else(|join| Opened::Unreachable(TransportError::io(host, "connect", join))) {
            Opened::Ready(run) => runs.push(*run),
            Opened::Unreachable(e) => unreachable.push(e),
            Opened::Refused(runlock::Refusal::Busy(b)) => busy.push(b),
            Opened::Refused(runlock::Refusal::Failed(f)) | Opened::Failed(f) => failures.push(f),
        }
    }
    if !unreachable.is_empty() {
        return Err(ApplyError::Connect(unreachable));
    }
    if !busy.is_empty() {
        return Err(ApplyError::HostsBusy(busy));
    }
    if failures.is_empty() {
        for run in &runs {
            if !run.facts.systemd {
                failures.push(Failure {
                    host: spec.hosts[run.index].name.to_string(),
                    step: PROBE_STEP.into(),
                    message: "systemd is not running on this host — the wizard registers Kafka as systemd units".into(),
                });
            }
        }
    }
    ApplyError::check(failures).map(|()| runs)
}

/// One host: connect, take the run lock (a run that may change it), probe its facts (blocking).
fn open_host(spec: &ClusterSpec, index: usize, opts: &ConnectOptions, access: Access, events: &EventSink) -> Opened {
    let host = &spec.hosts[index];
    let transport = match transport::open(&HostAccess::from(host), opts) {
        Ok(t) => t,
        Err(e) => return Opened::Unreachable(e),
    };
    let without_run_lock = match access {
        Access::Change => match runlock::take_on(host.name.as_str(), transport.as_ref(), events) {
            Ok(unlocked) => unlocked,
            Err(refusal) => return Opened::Refused(refusal),
        },
        Access::ReadOnly => false,
    };
    let target = Target::host(&host.name);
    events(Event::StepStarted { target: target.clone(), step: PROBE_STEP.into() });
    let failure = |message| Failure { host: host.name.to_string(), step: PROBE_STEP.into(), message };
    let sent = wall_clock_ns();
    let result = match transport.exec(&probe_script(spec, host), None) {
        Ok(out) if out.success() => {
            let mut facts = parse_probe(&out.stdout_text());
            facts.preflight.environment.probe_window_ns = Some((sent, wall_clock_ns()));
            events(Event::StepFinished {
                target: target.clone(),
                step: PROBE_STEP.into(),
                outcome: Outcome::Unchanged {
                    reason: format!("{}, {}", facts.os, facts.java.as_deref().unwrap_or("no Java")),
                },
            });
            let ctx = Context { without_run_lock, ..Context::default() };
            return Opened::Ready(Box::new(HostRun { index, transport, facts, ctx, uploaded: 0, backups: Vec::new() }));
        }
        Ok(out) => failure(format!("exit {}: {}", out.status, out.stderr_tail(5))),
        Err(e) => failure(e.to_string()),
    };
    events(Event::StepFailed { target, step: result.step.clone(), error: result.message.clone() });
    Opened::Failed(result)
}

/// One host's steps, in order: each decided against the host's facts, then acted on; stops at the first failure or
/// when cancelled. Returns the host, (changed, unchanged) and the failure.
pub(crate) fn run_host_steps(
    spec: &ClusterSpec,
    mut run: HostRun,
    steps: &[HostStep],
    events: &EventSink,
    cancel: &Cancel,
) -> (HostRun, (usize, usize), Option<Failure>) {
    let host = &spec.hosts[run.index];
    let target = Target::host(&host.name);
    let mut counts = (0, 0);
    for step in steps {
        if cancel.is_cancelled() {
            break;
        }
        let title = step_title(step, &run.ctx);
        events(Event::StepStarted { target: target.clone(), step: title.clone() });
        let result = match decide(spec, host, step, &run.facts, &mut run.ctx) {
            Decision::Unchanged { reason } => Ok(Outcome::Unchanged { reason }),
            Decision::Refuse { message } => Err(message),
            Decision::Change { detail, actions } => {
                let mut kept = Vec::new();
                actions
                    .iter()
                    .try_for_each(|action| run_action(spec, &mut run, action, &title, events).map(|k| kept.extend(k)))
                    .map(|()| match kept.as_slice() {
                        [] => Outcome::Changed { detail },
                        kept => {
                            Outcome::Changed { detail: format!("updated; the old copy is kept at {}", kept.join(", ")) }
                        }
                    })
            }
        };
        match result {
            Ok(outcome) => {
                match outcome {
                    Outcome::Changed { .. } => counts.0 += 1,
                    Outcome::Unchanged { .. } => counts.1 += 1,
                }
                events(Event::StepFinished { target: target.clone(), step: title, outcome });
            }
            Err(message) => {
                events(Event::StepFailed { target, step: title.clone(), error: message.clone() });
                return (run, counts, Some(Failure { host: host.name.to_string(), step: title, message }));
            }
        }
    }
    (run, counts, None)
}

/// Carries out one action; returns where the old copy of an overwritten file was kept, if one was.
fn run_action(
    spec: &ClusterSpec,
    run: &mut HostRun,
    action: &Action,
    step: &str,
    events: &EventSink,
) -> Result<Option<String>, String> {
    let t = run.transport.clone();
    match action {
        Action::Run { script } => exec_checked(t.as_ref(), script).map(|()| None),
        Action::RunWithSecretInput { script, input } => {
            exec_checked_with(t.as_ref(), script, Some(input.expose().as_bytes())).map(|()| None)
        }
        Action::Upload { local, remote } => {
            let target = Target::host(t.host());
            let mut last = 0;
            let mut progress = |done: u64, total: u64| {
                last = done;
                events(Event::Progress { target: target.clone(), step: step.to_string(), done, total: Some(total) });
            };
            t.upload(local, remote, 0o600, &mut progress).map_err(|e| e.to_string())?;
            run.uploaded += last;
            Ok(None)
        }
        Action::Write { path, content, mode, owner, keep_old } => {
            let first = if *keep_old { backup::keep_script(path) } else { String::new() };
            // a file the service account owns sits in a directory it owns: written by that account, never by root
            let as_service = *owner == Owner::Service && t.privilege() != Privilege::User;
            let printed = match as_service {
                true => t.write_file_as(&first, path, content.as_bytes(), *mode, &spec.kafka.user),
                false => t.write_file_after(&first, path, content.as_bytes(), *mode),
            }
            .map_err(|e| e.to_string())?;
            let kept = printed.lines().last().map(str::to_string).filter(|_| *keep_old);
            run.backups.extend(kept.clone());
            match owner {
                Owner::Root => Ok(kept),
                Owner::Service if as_service => Ok(kept),
                owner => exec_checked(
                    t.as_ref(),
                    &format!("chown {} {}", quote(&owner.chown_spec(&spec.kafka.user)), quote(path)),
                )
                .map(|()| kept),
            }
        }
    }
}

/// Runs a script; a non-zero exit becomes a message with the command and the tail of its stderr.
pub(crate) fn exec_checked(t: &dyn Transport, script: &str) -> Result<(), String> {
    exec_checked_with(t, script, None)
}

/// [`exec_checked`] with `stdin` fed to the script (a secret the script must not carry).
fn exec_checked_with(t: &dyn Transport, script: &str, stdin: Option<&[u8]>) -> Result<(), String> {
    let out = t.exec(script, stdin).map_err(|e| e.to_string())?;
    if out.success() {
        return Ok(());
    }
    let first = script.lines().find(|l| !l.trim().is_empty() && !l.starts_with("set ")).unwrap_or(script);
    let mut tail = out.stderr_tail(8);
    if tail.is_empty() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        tail = lines[lines.len().saturating_sub(8)..].join("\n");
    }
    Err(format!("`{first}` exited with {}: {tail}", out.status))
}

/// Runs one step on several hosts at once, each on its own blocking thread, with events; `act` does the work on
/// one host and returns the finished step's detail. Returns the failures.
pub(crate) async fn step_on_hosts<F>(
    spec: &ClusterSpec,
    transports: &Transports,
    hosts: &[usize],
    step: &str,
    events: &EventSink,
    act: F,
) -> Vec<Failure>
where
    F: Fn(&dyn Transport, &Target, &EventSink) -> Result<String, String> + Clone + Send + 'static,
{
    let tasks: Vec<_> = hosts
        .iter()
        .map(|i| {
            let t = transports[i].clone();
            let (events, name, step, act) =
                (events.clone(), spec.hosts[*i].name.to_string(), step.to_string(), act.clone());
            tokio::task::spawn_blocking(move || {
                let target = Target::host(&name);
                events(Event::StepStarted { target: target.clone(), step: step.clone() });
                match act(t.as_ref(), &target, &events) {
                    Ok(detail) => {
                        events(Event::StepFinished { target, step, outcome: Outcome::Changed { detail } });
                        None
                    }
                    Err(message) => {
                        events(Event::StepFailed { target, step: step.clone(), error: message.clone() });
                        Some(Failure { host: name, step, message })
                    }
                }
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.expect("host task panicked"));
    }
    failures
}

/// An unhealthy-cluster error with the last lines of each stopped or failing unit's journal, so the cause shows.
pub(crate) fn unhealthy(spec: &ClusterSpec, transports: &Transports, message: String) -> ApplyError {
    let mut details = vec![message];
    for (index, t) in transports {
        let host = &spec.hosts[*index];
        for unit in Service::on(host).into_iter().map(Service::unit) {
            let script = format!(
                "systemctl is-active --quiet {unit} || journalctl -u {unit} -n 8 --no-pager -o cat 2>/dev/null"
            );
            if let Ok(out) = t.exec(&script, None) {
                let text = out.stdout_text();
                if !text.trim().is_empty() {
                    details.push(format!(
                        "{} {unit} is not active; its journal ends with:\n{}",
                        host.name,
                        text.trim_end()
                    ));
                }
            }
        }
    }
    ApplyError::Unhealthy(details.join("\n"))
}
