//! The runner: carries out a plan on real hosts. Connect to all hosts, probe their facts, then run the plan's
//! phases in order with a barrier between them — hosts in parallel (bounded) within a phase, each host's steps in
//! order on its own blocking thread. Start phases start what is stopped and restart what changed, one host at a
//! time, waiting for the cluster to be healthy in between. A failed step stops its host; the other hosts finish
//! the phase, then the run ends with every failure named (host, step, command output).

use super::connect::{connect_all, ConnectOptions};
use super::facts::{parse_probe, probe_script, HostFacts};
use super::operations::{decide, needs_restart, Action, Context, Decision};
use super::wait;
use crate::download::{self, Cache, ReleaseSource};
use crate::events::{Event, EventSink, Outcome};
use crate::plan::{self, Phase, RunsOn, Step};
use crate::project::spec::{ClusterSpec, Role};
use crate::render::Owner;
use crate::shell::quote;
use crate::transport::{Transport, TransportError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

#[derive(Clone, Debug)]
pub struct DeployOptions {
    pub connect: ConnectOptions,
    pub cache_dir: PathBuf,
    /// Hosts worked on at once.
    pub parallelism: usize,
    /// How long to wait for a ZooKeeper quorum or for all brokers to join.
    pub health_timeout: Duration,
    /// Install Java with the hosts' package manager where it is missing or too old.
    pub install_java: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            connect: ConnectOptions::default(),
            cache_dir: Cache::default_dir(),
            parallelism: 8,
            health_timeout: Duration::from_secs(180),
            install_java: false,
        }
    }
}

/// Set from another thread (Ctrl-C, the app's Cancel button): hosts finish their current step, then the run stops.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The shared flag, for code that takes an `Arc<AtomicBool>` (the downloader).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// A step that failed on a host.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub host: String,
    pub step: String,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum ApplyError {
    #[error("cannot connect to {} host(s) — nothing was changed on any host:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Connect(Vec<TransportError>),
    #[error(transparent)]
    Download(#[from] download::DownloadError),
    #[error("{} step(s) failed:\n{}", .0.len(), .0.iter().map(|f| format!("  {}: {}: {}", f.host, f.step, f.message)).collect::<Vec<_>>().join("\n"))]
    Failed(Vec<Failure>),
    #[error("the cluster is not healthy: {0}")]
    Unhealthy(String),
    #[error("cancelled — hosts finished their current step; run the command again to converge")]
    Cancelled,
    #[error("kraft.cluster_id is not set — every KRaft node must be formatted with the same id: generate one (the CLI does on plan/export/deploy and saves it in the project file; the app on Review) and keep it")]
    NoClusterId,
}

/// What a deploy did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DeploySummary {
    pub changed: usize,
    pub unchanged: usize,
    /// Bytes uploaded per host.
    pub uploaded: BTreeMap<String, u64>,
    /// Hosts whose services were (re)started.
    pub started: Vec<String>,
}

/// One host during a run: its connection, facts and what this run changed.
pub(crate) struct HostRun {
    pub index: usize,
    pub transport: Arc<dyn Transport>,
    pub facts: HostFacts,
    pub ctx: Context,
    pub failed: bool,
    pub uploaded: u64,
}

/// Connects to every host and probes its facts (in parallel).
pub(crate) async fn connect_and_probe(
    spec: &Arc<ClusterSpec>,
    opts: &ConnectOptions,
    events: &EventSink,
) -> Result<Vec<HostRun>, ApplyError> {
    let transports = connect_all(spec, opts).await.map_err(ApplyError::Connect)?;
    let mut tasks = Vec::new();
    for (index, transport) in transports.into_iter().enumerate() {
        let spec = spec.clone();
        let events = events.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            let host = &spec.hosts[index];
            let name = host.name.to_string();
            events(Event::StepStarted { host: name.clone(), step: "probe facts".into() });
            let out = transport.exec(&probe_script(&spec, host), None);
            let result = match out {
                Ok(out) if out.success() => {
                    let facts = parse_probe(&out.stdout_text());
                    events(Event::StepFinished {
                        host: name.clone(),
                        step: "probe facts".into(),
                        outcome: Outcome::Unchanged {
                            reason: format!("{}, {}", facts.os, facts.java.as_deref().unwrap_or("no Java")),
                        },
                    });
                    Ok(HostRun { index, transport, facts, ctx: Context::default(), failed: false, uploaded: 0 })
                }
                Ok(out) => Err(Failure {
                    host: name.clone(),
                    step: "probe facts".into(),
                    message: format!("exit {}: {}", out.status, out.stderr_tail(5)),
                }),
                Err(e) => Err(Failure { host: name.clone(), step: "probe facts".into(), message: e.to_string() }),
            };
            if let Err(f) = &result {
                events(Event::StepFailed { host: f.host.clone(), step: f.step.clone(), error: f.message.clone() });
            }
            result
        }));
    }
    let mut runs = Vec::new();
    let mut failures = Vec::new();
    for t in tasks {
        match t.await.expect("probe task panicked") {
            Ok(r) => runs.push(r),
            Err(f) => failures.push(f),
        }
    }
    if failures.is_empty() {
        for run in &runs {
            if !run.facts.systemd {
                failures.push(Failure {
                    host: spec.hosts[run.index].name.to_string(),
                    step: "probe facts".into(),
                    message: "systemd is not running on this host — the wizard registers Kafka as systemd units".into(),
                });
            }
        }
    }
    if failures.is_empty() {
        Ok(runs)
    } else {
        Err(ApplyError::Failed(failures))
    }
}

/// Deploys the cluster: download and verify, then every phase of the plan, then proves the cluster healthy.
pub async fn deploy(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<DeploySummary, ApplyError> {
    if matches!(&spec.coordination, crate::project::spec::Coordination::Kraft(k) if k.cluster_id.is_none()) {
        return Err(ApplyError::NoClusterId);
    }
    let spec = Arc::new(spec.clone());
    let plan = plan::plan(&spec);
    let mut runs = connect_and_probe(&spec, &opts.connect, &events).await?;
    for run in runs.iter_mut() {
        run.ctx.install_java = opts.install_java;
    }
    warn_about_facts(&spec, &runs, &events);
    let mut summary = DeploySummary::default();
    for phase in &plan.phases {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        let hosts = phase
            .hosts
            .iter()
            .filter(|h| phase.runs_on == RunsOn::Local || h.host != "local")
            .map(|h| h.host.clone())
            .collect();
        events(Event::PhaseStarted { phase: phase.name.into(), title: phase.title.clone(), hosts });
        match phase.name {
            "fetch" => fetch(&spec, opts, phase, &mut runs, &events, &cancel).await?,
            name if name.starts_with("start-") => {
                start_phase(&spec, opts, phase, &mut runs, &events, &mut summary).await?
            }
            _ => host_phase(&spec, opts, phase, &mut runs, &events, &cancel, &mut summary).await?,
        }
        events(Event::PhaseFinished { phase: phase.name.into() });
    }
    for run in &runs {
        summary.uploaded.insert(spec.hosts[run.index].name.to_string(), run.uploaded);
    }
    Ok(summary)
}

fn warn_about_facts(spec: &ClusterSpec, runs: &[HostRun], events: &EventSink) {
    for run in runs {
        let host = &spec.hosts[run.index];
        for (dir, kib) in &run.facts.free_kib {
            if *kib < 1024 * 1024 {
                events(Event::Warning {
                    host: host.name.to_string(),
                    message: format!("only {} MiB free for {dir}", kib / 1024),
                });
            }
        }
        let ours_active = |unit: &str| run.facts.units.get(unit).is_some_and(|u| u.is_active());
        let mut ports = Vec::new();
        if host.has(Role::Broker) && !ours_active(crate::render::KAFKA_UNIT) {
            ports.push(spec.kafka.listener_port);
        }
        for port in ports {
            if run.facts.listening.contains(&port) {
                events(Event::Warning {
                    host: host.name.to_string(),
                    message: format!(
                        "port {port} is already in use by another process; Kafka will not be able to listen on it"
                    ),
                });
            }
        }
    }
}

async fn fetch(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    phase: &Phase,
    runs: &mut [HostRun],
    events: &EventSink,
    cancel: &Cancel,
) -> Result<(), ApplyError> {
    let Some(Step::FetchRelease { tarball, urls, checksum_urls }) = phase.hosts.first().and_then(|h| h.steps.first())
    else {
        return Ok(());
    };
    let step = phase.hosts[0].steps[0].title();
    // Nothing to upload when every host already has the release: no download at all.
    if runs.iter().all(|r| r.facts.release_present) {
        events(Event::StepFinished {
            host: "local".into(),
            step,
            outcome: Outcome::Unchanged { reason: "every host has the release".into() },
        });
        return Ok(());
    }
    events(Event::StepStarted { host: "local".into(), step: step.clone() });
    let source = ReleaseSource {
        file_name: tarball.clone(),
        tarball_urls: urls.clone(),
        checksum_urls: checksum_urls.clone(),
        local_tarball: spec.kafka.tarball.as_ref().map(PathBuf::from),
    };
    let cache = Cache::new(opts.cache_dir.clone());
    let fetch_options = download::FetchOptions { cancel: Some(cancel.flag()), ..Default::default() };
    let progress_events = events.clone();
    let progress_step = step.clone();
    let mut progress = move |done: u64, total: Option<u64>| {
        progress_events(Event::Progress { host: "local".into(), step: progress_step.clone(), done, total });
    };
    let fetched = match download::fetch_release_with(&cache, &source, &fetch_options, &mut progress).await {
        Ok(f) => f,
        Err(download::DownloadError::Cancelled) => return Err(ApplyError::Cancelled),
        Err(e) => {
            events(Event::StepFailed { host: "local".into(), step, error: e.to_string() });
            return Err(e.into());
        }
    };
    let reason = format!(
        "{} ({} MiB, SHA-512 {}…)",
        fetched.path.display(),
        fetched.size / (1024 * 1024),
        &fetched.sha512.as_hex()[..16]
    );
    let outcome = if fetched.downloaded {
        Outcome::Changed { detail: format!("downloaded and verified {reason}") }
    } else {
        Outcome::Unchanged { reason: format!("verified copy in the cache: {reason}") }
    };
    events(Event::StepFinished { host: "local".into(), step, outcome });
    for run in runs.iter_mut() {
        run.ctx.tarball = Some((fetched.path.clone(), fetched.sha512.as_hex().to_string()));
    }
    Ok(())
}

/// Runs one phase's steps on every listed host, hosts in parallel (bounded), and waits for all (the barrier).
async fn host_phase(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    phase: &Phase,
    runs: &mut Vec<HostRun>,
    events: &EventSink,
    cancel: &Cancel,
    summary: &mut DeploySummary,
) -> Result<(), ApplyError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.parallelism.max(1)));
    let mut tasks = Vec::new();
    let mut idle = Vec::new();
    for run in std::mem::take(runs) {
        let name = spec.hosts[run.index].name.to_string();
        let Some(steps) = phase.hosts.iter().find(|h| h.host == name).map(|h| h.steps.clone()) else {
            idle.push(run);
            continue;
        };
        let (spec, events, cancel, limit) = (spec.clone(), events.clone(), cancel.clone(), limit.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            tokio::task::spawn_blocking(move || run_steps(&spec, run, &steps, &events, &cancel))
                .await
                .expect("host task panicked")
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        let (run, counts, failure) = t.await.expect("host task panicked");
        summary.changed += counts.0;
        summary.unchanged += counts.1;
        failures.extend(failure);
        idle.push(run);
    }
    idle.sort_by_key(|r| r.index);
    *runs = idle;
    if !failures.is_empty() {
        return Err(ApplyError::Failed(failures));
    }
    if cancel.is_cancelled() {
        return Err(ApplyError::Cancelled);
    }
    Ok(())
}

/// One host's steps, in order; stops at the first failure. Returns the host, (changed, unchanged), the failure.
fn run_steps(
    spec: &ClusterSpec,
    mut run: HostRun,
    steps: &[Step],
    events: &EventSink,
    cancel: &Cancel,
) -> (HostRun, (usize, usize), Option<Failure>) {
    let host = &spec.hosts[run.index];
    let name = host.name.to_string();
    let mut counts = (0, 0);
    for step in steps {
        if cancel.is_cancelled() {
            break;
        }
        let title = step.title();
        events(Event::StepStarted { host: name.clone(), step: title.clone() });
        let result = match decide(spec, host, step, &run.facts, &run.ctx) {
            Decision::Unchanged { reason } => Ok(Outcome::Unchanged { reason }),
            Decision::Refuse { message } => Err(message),
            Decision::Change { detail, actions } => {
                let mut result = Ok(Outcome::Changed { detail });
                for action in &actions {
                    if let Err(e) = run_action(spec, &mut run, action, &title, events) {
                        result = Err(e);
                        break;
                    }
                }
                if result.is_ok() {
                    match step {
                        Step::WriteFile { path, .. } => {
                            run.ctx.written.insert(path.clone());
                        }
                        Step::InstallRelease { .. } => run.ctx.release_changed = true,
                        _ => {}
                    }
                }
                result
            }
        };
        match result {
            Ok(outcome) => {
                match outcome {
                    Outcome::Changed { .. } => counts.0 += 1,
                    Outcome::Unchanged { .. } => counts.1 += 1,
                }
                events(Event::StepFinished { host: name.clone(), step: title, outcome });
            }
            Err(message) => {
                run.failed = true;
                events(Event::StepFailed { host: name.clone(), step: title.clone(), error: message.clone() });
                return (run, counts, Some(Failure { host: name, step: title, message }));
            }
        }
    }
    (run, counts, None)
}

fn run_action(
    spec: &ClusterSpec,
    run: &mut HostRun,
    action: &Action,
    step: &str,
    events: &EventSink,
) -> Result<(), String> {
    let t = run.transport.clone();
    let name = t.host().to_string();
    match action {
        Action::Run { script } => exec_checked(t.as_ref(), script),
        Action::Upload { local, remote } => {
            let mut last = 0;
            let mut progress = |done: u64, total: u64| {
                last = done;
                events(Event::Progress { host: name.clone(), step: step.to_string(), done, total: Some(total) });
            };
            t.upload(local, remote, 0o600, &mut progress).map_err(|e| e.to_string())?;
            run.uploaded += last;
            Ok(())
        }
        Action::Write { path, content, mode, owner } => {
            t.write_file(path, content.as_bytes(), *mode).map_err(|e| e.to_string())?;
            let user = &spec.kafka.user;
            let chown = match owner {
                Owner::Root => None,
                Owner::RootServiceGroup => Some(format!("root:{user}")),
                Owner::Service => Some(format!("{user}:{user}")),
            };
            match chown {
                Some(o) => exec_checked(t.as_ref(), &format!("chown {} {}", quote(&o), quote(path))),
                None => Ok(()),
            }
        }
    }
}

/// Runs a script; a non-zero exit becomes a message with the command and the tail of its stderr.
pub(crate) fn exec_checked(t: &dyn Transport, script: &str) -> Result<(), String> {
    let out = t.exec(script, None).map_err(|e| e.to_string())?;
    if out.success() {
        Ok(())
    } else {
        let first = script.lines().find(|l| !l.trim().is_empty() && !l.starts_with("set ")).unwrap_or(script);
        let tail = out.stderr_tail(8);
        let tail = if tail.is_empty() {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            tail
        };
        Err(format!("`{first}` exited with {}: {tail}", out.status))
    }
}

/// A start phase: start the unit where it is stopped (all such hosts at once), restart it where this run changed
/// its configuration (one host at a time, healthy in between), then wait for the phase's health condition.
async fn start_phase(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    phase: &Phase,
    runs: &mut [HostRun],
    events: &EventSink,
    summary: &mut DeploySummary,
) -> Result<(), ApplyError> {
    let mut to_start = Vec::new();
    let mut to_restart = Vec::new();
    for hs in phase.hosts.iter().filter(|h| h.host != "local" || phase.runs_on == RunsOn::Local) {
        for step in &hs.steps {
            if let Step::StartUnit { unit } = step {
                let Some(run) = runs.iter().find(|r| spec.hosts[r.index].name.as_str() == hs.host) else { continue };
                let host = &spec.hosts[run.index];
                let active = run.facts.units.get(*unit).is_some_and(|u| u.is_active());
                if !active {
                    to_start.push((run.index, *unit));
                } else if needs_restart(spec, host, unit, &run.ctx) {
                    to_restart.push((run.index, *unit));
                } else {
                    events(Event::StepFinished {
                        host: hs.host.clone(),
                        step: step.title(),
                        outcome: Outcome::Unchanged { reason: "running, configuration unchanged".into() },
                    });
                }
            }
        }
    }
    let transports: BTreeMap<usize, Arc<dyn Transport>> = runs.iter().map(|r| (r.index, r.transport.clone())).collect();
    // Stopped units: start together.
    let mut failures = Vec::new();
    let mut tasks = Vec::new();
    for (index, unit) in &to_start {
        let t = transports[index].clone();
        let (events, unit, name) = (events.clone(), *unit, spec.hosts[*index].name.to_string());
        tasks.push(tokio::task::spawn_blocking(move || {
            let step = format!("start {unit}");
            events(Event::StepStarted { host: name.clone(), step: step.clone() });
            let result = exec_checked(t.as_ref(), &format!("systemctl start {unit}"));
            match &result {
                Ok(()) => events(Event::StepFinished {
                    host: name.clone(),
                    step: step.clone(),
                    outcome: Outcome::Changed { detail: "started".into() },
                }),
                Err(e) => events(Event::StepFailed { host: name.clone(), step: step.clone(), error: e.clone() }),
            }
            result.map_err(|message| Failure { host: name, step, message })
        }));
        summary.started.push(spec.hosts[*index].name.to_string());
    }
    for t in tasks {
        if let Err(f) = t.await.expect("start task panicked") {
            failures.push(f);
        }
    }
    if !failures.is_empty() {
        return Err(ApplyError::Failed(failures));
    }
    let wait_for_phase = |spec: &Arc<ClusterSpec>| {
        let spec = spec.clone();
        let events = events.clone();
        let timeout = opts.health_timeout;
        let name = phase.name;
        async move {
            match name {
                "start-zookeeper" => wait::zookeeper_quorum(&spec, timeout, &events).await,
                "start-controllers" => wait::controller_quorum(&spec, timeout, &events).await,
                _ => wait::brokers_in_cluster(&spec, timeout, &events).await,
            }
        }
    };
    if !to_start.is_empty() || to_restart.is_empty() {
        wait_for_phase(spec).await.map_err(|m| unhealthy(spec, &transports, m))?;
    }
    // Changed configuration on running units: rolling, one host at a time.
    for (index, unit) in to_restart {
        let t = transports[&index].clone();
        let name = spec.hosts[index].name.to_string();
        let step = format!("restart {unit} (configuration changed)");
        events(Event::StepStarted { host: name.clone(), step: step.clone() });
        let result =
            tokio::task::spawn_blocking(move || exec_checked(t.as_ref(), &format!("systemctl restart {unit}")))
                .await
                .expect("restart task panicked");
        if let Err(message) = result {
            events(Event::StepFailed { host: name.clone(), step: step.clone(), error: message.clone() });
            return Err(ApplyError::Failed(vec![Failure { host: name, step, message }]));
        }
        wait_for_phase(spec).await.map_err(|m| unhealthy(spec, &transports, m))?;
        events(Event::StepFinished {
            host: name.clone(),
            step,
            outcome: Outcome::Changed { detail: "restarted; the cluster is healthy again".into() },
        });
        summary.started.push(name);
    }
    Ok(())
}

/// An unhealthy-cluster error with the last lines of each stopped or failing unit's journal, so the cause shows.
pub(crate) fn unhealthy(
    spec: &ClusterSpec,
    transports: &BTreeMap<usize, Arc<dyn Transport>>,
    message: String,
) -> ApplyError {
    let mut details = vec![message];
    for (index, t) in transports {
        let host = &spec.hosts[*index];
        let units: Vec<&str> = [
            (host.has(Role::Zookeeper), crate::render::ZOOKEEPER_UNIT),
            (host.runs_kafka(), crate::render::KAFKA_UNIT),
        ]
        .into_iter()
        .filter_map(|(yes, u)| yes.then_some(u))
        .collect();
        for unit in units {
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

/// One line of a dry run: what a step would do on a host, decided from the host's real facts.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PreviewRow {
    pub phase: String,
    pub host: String,
    pub step: String,
    /// True when the step would change the host.
    pub change: bool,
    pub detail: String,
}

/// `deploy --dry-run`: connect, probe facts, and decide every step as deploy would — without changing anything.
pub async fn preview(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    let spec = Arc::new(spec.clone());
    let plan = plan::plan(&spec);
    let mut runs = connect_and_probe(&spec, &opts.connect, &events).await?;
    let mut rows = Vec::new();
    for run in runs.iter_mut() {
        run.ctx.tarball = Some((PathBuf::from("(downloaded at deploy time)"), String::new()));
        run.ctx.install_java = opts.install_java;
    }
    for phase in &plan.phases {
        for hs in &phase.hosts {
            for step in &hs.steps {
                let row = |change: bool, detail: String| PreviewRow {
                    phase: phase.name.into(),
                    host: hs.host.clone(),
                    step: step.title(),
                    change,
                    detail,
                };
                if hs.host == "local" {
                    let needed = match step {
                        Step::FetchRelease { .. } => !runs.iter().all(|r| r.facts.release_present),
                        _ => false,
                    };
                    let detail = match step {
                        Step::FetchRelease { .. } if needed => {
                            "download (or reuse the cached copy) and verify".to_string()
                        }
                        Step::FetchRelease { .. } => "not needed: every host has the release".to_string(),
                        _ => "check the cluster's health".to_string(),
                    };
                    rows.push(row(needed, detail));
                    continue;
                }
                let Some(run) = runs.iter_mut().find(|r| spec.hosts[r.index].name.as_str() == hs.host) else {
                    continue;
                };
                let host = &spec.hosts[run.index];
                match step {
                    Step::StartUnit { unit } => {
                        let active = run.facts.units.get(*unit).is_some_and(|u| u.is_active());
                        let r = if !active {
                            row(true, "start".into())
                        } else if needs_restart(&spec, host, unit, &run.ctx) {
                            row(true, "restart, one host at a time (configuration changed)".into())
                        } else {
                            row(false, "running, configuration unchanged".into())
                        };
                        rows.push(r);
                    }
                    _ => match decide(&spec, host, step, &run.facts, &run.ctx) {
                        Decision::Unchanged { reason } => rows.push(row(false, reason)),
                        Decision::Refuse { message } => rows.push(row(true, format!("WOULD FAIL: {message}"))),
                        Decision::Change { detail, .. } => {
                            match step {
                                Step::WriteFile { path, .. } => {
                                    run.ctx.written.insert(path.clone());
                                }
                                Step::InstallRelease { .. } => run.ctx.release_changed = true,
                                _ => {}
                            }
                            rows.push(row(true, detail));
                        }
                    },
                }
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project;

    #[tokio::test]
    async fn a_kraft_deploy_without_a_cluster_id_is_refused_before_any_host_is_contacted() {
        let text = include_str!("../../tests/fixtures/kraft-dedicated.toml");
        let mut draft = project::parse(text).unwrap();
        draft.kraft.as_mut().unwrap().cluster_id = None;
        // The hosts' names do not resolve here: reaching any of them would fail with a connection error instead.
        let spec = project::validate(&draft).spec.unwrap();
        let err =
            deploy(&spec, &DeployOptions::default(), crate::events::discard(), Cancel::default()).await.unwrap_err();
        assert!(matches!(err, ApplyError::NoClusterId), "{err}");
        assert!(err.to_string().contains("kraft.cluster_id"), "{err}");
    }
}
