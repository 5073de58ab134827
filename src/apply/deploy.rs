//! Deploy: carry out the plan on real hosts. Connect to all hosts, probe their facts, then walk the plan's phases in
//! order with a barrier between them: the release fetched on this machine, host steps on every host in parallel
//! (bounded; each host's steps in order on its own blocking thread; in the install phase a host the release's relay
//! serves starts once the relay is done with it, while it goes on elsewhere), and start phases (`start.rs`) that start what
//! is stopped and restart what changed, one host at a time, healthy in between — on a new cluster the brokers start
//! while ZooKeeper forms its quorum; then a secured KRaft cluster's SCRAM users (`users.rs`); last, a secured
//! cluster's ACLs (`acls.rs`). A failed step stops its host; the other hosts finish the phase, then the run ends with
//! every failure named (host, step, command output).

use super::decide::{agent_needed, fetch_needed};
use super::hosts::{connect_and_probe, run_host_steps, HostRun};
use super::options::{ApplyError, Cancel, DeployOptions, DeploySummary};
use super::relay::Handovers;
use super::runlock::Access;
use super::running;
use super::start::{start_phase, Carried};
use super::upgrade::Finalize;
use crate::download::{self, Cache, ReleaseSource};
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::{self, FetchRelease, HostSteps, Intent, Phase, Plan, Work};
use crate::project::spec::{ClusterSpec, Coordination};
use std::path::PathBuf;
use std::sync::Arc;

/// The targets a phase works on, for its start event.
pub(crate) fn phase_targets(phase: &Phase) -> Vec<Target> {
    match &phase.work {
        Work::Fetch(_) | Work::Acls(_) | Work::ScramUsers(_) | Work::ConvertQuorum(_) => vec![Target::Wizard],
        Work::OnHosts { hosts } => hosts.iter().map(|h| Target::host(&h.host)).collect(),
        Work::Start(start) => start.hosts.iter().map(Target::host).collect(),
        Work::RotateCa(pass) => pass.hosts.iter().map(|h| Target::host(&h.host)).collect(),
    }
}

/// Deploys the cluster: the plan of the spec (of the hosts `opts.limit` names), phase by phase, ending with the
/// cluster proven healthy.
pub async fn deploy(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<DeploySummary, ApplyError> {
    if spec.migration().is_some() {
        return super::migrate::deploy(spec, opts, events, cancel).await;
    }
    super::migrate::refuse_without_controllers(spec, opts)?;
    deploy_planned(spec, opts, events, cancel).await
}

/// [`deploy`] of exactly the spec given (a migration's stage already rendered into it: `apply::migrate`).
pub(crate) async fn deploy_planned(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
    cancel: Cancel,
) -> Result<DeploySummary, ApplyError> {
    if matches!(&spec.coordination, Coordination::Kraft(k) if k.cluster_id.is_none()) {
        return Err(ApplyError::NoClusterId);
    }
    super::rotate_ca::check_options(spec, opts)?;
    super::upgrade::check_options(opts)?;
    super::convert_quorum::check_options(spec, opts)?;
    running::check_limit(spec, &opts.limit, Intent::Deploy).await?;
    let spec = Arc::new(spec.clone());
    let mut plan = plan::plan(&spec);
    if super::rotate_ca::rotating(&spec, opts) {
        plan = plan::rotate_ca::with_ca_rotation(&spec, plan);
    }
    if opts.convert_quorum {
        plan = plan::convert_quorum::with_quorum_conversion(&spec, plan);
    }
    run_plan(&spec, &opts.limit.plan(plan), opts, &events, &cancel).await
}

/// Walks `plan` on the hosts of `opts.limit`: exactly the phases it lists, in order.
async fn run_plan(
    spec: &Arc<ClusterSpec>,
    plan: &Plan,
    opts: &DeployOptions,
    events: &EventSink,
    cancel: &Cancel,
) -> Result<DeploySummary, ApplyError> {
    let mut runs = connect_and_probe(spec, &opts.connect, &opts.limit, Access::Change, events).await?;
    super::preflight::reach::probe_all(spec, &mut runs).await;
    super::preflight::gate(spec, &runs, opts.install_java, events)?;
    if opts.fix_kernel {
        super::preflight::fix_before_deploy(spec, &runs, opts.install_java, events).await;
    }
    let formatted: Vec<String> = runs
        .iter()
        .filter(|run| !run.facts.meta_cluster_ids.is_empty() || run.facts.zookeeper_data)
        .map(|run| spec.hosts[run.index].name.to_string())
        .collect();
    if opts.recover_secrets {
        super::recover::recover_secrets(spec, &runs, &formatted, events).await?;
    }
    super::secrets::refuse_securing_formatted(spec, &formatted)?;
    super::secrets::refuse_renaming_admin(spec, &formatted)?;
    super::membership::refuse_kind_change(spec, &runs, opts.convert_quorum).map_err(ApplyError::Quorum)?;
    super::convert_quorum::check_hosts(spec, &runs, opts)?;
    super::secrets::refuse_quorum_tls_switch(spec, &runs)?;
    if super::membership::quorum_running(spec, &runs).await.map_err(ApplyError::Quorum)? {
        for run in runs.iter_mut() {
            run.ctx.quorum_running = true;
        }
    }
    let secrets = super::secrets::for_deploy(spec, events)?;
    for run in runs.iter_mut() {
        run.ctx.install_java = opts.install_java;
        run.ctx.adopt = opts.adopt;
        run.ctx.secrets = secrets.clone();
    }
    let rotation = match opts.rotate_ca || plan.phases.iter().any(|p| matches!(p.work, Work::RotateCa(_))) {
        true => Some(super::rotate_ca::prepare(spec, opts, &mut runs, secrets, events)?),
        false => None,
    };
    let finalize = if opts.finalize_upgrade { Finalize::Yes } else { Finalize::No };
    let upgrade = super::upgrade::prepare(spec, &runs, finalize, opts.install_java, events).await?;
    let spec = &upgrade.spec;
    let mut summary = DeploySummary::default();
    let mut carried = Carried::default();
    let mut uncompressing = None;
    for (n, phase) in plan.phases.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        let id = phase.kind.id().to_string();
        events(Event::PhaseStarted { phase: id.clone(), title: phase.title.clone(), targets: phase_targets(phase) });
        match &phase.work {
            Work::Fetch(fetch) => {
                fetch_release(spec, opts, fetch, &mut runs, events, cancel).await?;
                // the relay's tar made while the prepare phase runs
                let install = plan.phases.iter().find(|p| p.kind == plan::PhaseKind::Install);
                if let Some(Work::OnHosts { hosts }) = install.map(|p| &p.work) {
                    uncompressing = super::relay::uncompress_ahead(spec, hosts, &runs, &opts.cache_dir);
                }
            }
            Work::OnHosts { hosts } => {
                let relay = match phase.kind {
                    plan::PhaseKind::Install => super::relay::start(spec, hosts, &runs, uncompressing.take(), events),
                    _ => None,
                };
                match relay {
                    // the hosts the relay serves unpack as soon as it is done with each
                    Some((fanout, handovers)) => {
                        let steps = host_phase(spec, opts, hosts, handovers, &mut runs, events, cancel, &mut summary);
                        tokio::join!(fanout.run(cancel), steps).1?
                    }
                    None => {
                        host_phase(spec, opts, hosts, Handovers::new(), &mut runs, events, cancel, &mut summary).await?
                    }
                }
            }
            Work::Start(start) => {
                let next = plan.phases.get(n + 1).and_then(|p| match &p.work {
                    Work::Start(next) => Some(next),
                    _ => None,
                });
                let before = std::mem::take(&mut carried);
                carried = start_phase(spec, opts, start, next, before, &runs, events, cancel, &mut summary).await?
            }
            Work::ScramUsers(users) => match super::users::reconcile(spec, users, opts.health_timeout, events).await? {
                0 => summary.unchanged += 1,
                changed => summary.changed += changed,
            },
            Work::Acls(acls) => match super::acls::reconcile(spec, acls, opts.health_timeout, events).await? {
                0 => summary.unchanged += 1,
                changed => summary.changed += changed,
            },
            Work::ConvertQuorum(_) => super::convert_quorum::run(spec, &runs, opts.health_timeout, events).await?,
            Work::RotateCa(pass) => {
                let rotation = rotation.as_ref().expect("prepared with the plan");
                super::rotate_ca::run_pass(spec, opts, pass, &mut runs, rotation, events, cancel, &mut summary).await?
            }
        }
        events(Event::PhaseFinished { phase: id });
    }
    summary.changed += upgrade.finish(opts.health_timeout, events).await?;
    for run in &runs {
        let host = spec.hosts[run.index].name.to_string();
        if !run.backups.is_empty() {
            summary.backups.insert(host.clone(), run.backups.clone());
        }
        summary.uploaded.insert(host, run.uploaded);
    }
    Ok(summary)
}

/// Downloads and verifies `source` into `cache` as the wizard's step `step`: its progress as events, a failure as the
/// step's failure (a cancel as [`ApplyError::Cancelled`]).
async fn fetch_with_progress(
    cache: &Cache,
    source: &ReleaseSource,
    options: &download::FetchOptions,
    step: &str,
    events: &EventSink,
) -> Result<download::Fetched, ApplyError> {
    let (progress_events, progress_step) = (events.clone(), step.to_string());
    let mut progress = move |done: u64, total: Option<u64>| {
        progress_events(Event::Progress { target: Target::Wizard, step: progress_step.clone(), done, total });
    };
    match download::fetch_release_with(cache, source, options, &mut progress).await {
        Ok(f) => Ok(f),
        Err(download::DownloadError::Cancelled) => Err(ApplyError::Cancelled),
        Err(e) => {
            events(Event::StepFailed { target: Target::Wizard, step: step.to_string(), error: e.to_string() });
            Err(e.into())
        }
    }
}

async fn fetch_release(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    fetch: &FetchRelease,
    runs: &mut [HostRun],
    events: &EventSink,
    cancel: &Cancel,
) -> Result<(), ApplyError> {
    if let Some(agent) = &fetch.agent {
        fetch_agent(spec, opts, agent, runs, events, cancel).await?;
    }
    let step = fetch.title();
    // Nothing to upload when every host already has the release: no download at all.
    if !fetch_needed(runs.iter().map(|r| &r.facts)) {
        let outcome = Outcome::Unchanged { reason: "every host has the release".into() };
        events(Event::StepFinished { target: Target::Wizard, step, outcome });
        return Ok(());
    }
    events(Event::StepStarted { target: Target::Wizard, step: step.clone() });
    let source = ReleaseSource {
        file_name: fetch.tarball.clone(),
        tarball_urls: fetch.urls.clone(),
        checksum_urls: fetch.checksum_urls.clone(),
        local_tarball: spec.kafka.tarball.as_ref().map(PathBuf::from),
        pinned: None,
    };
    let cache = Cache::new(opts.cache_dir.clone());
    let fetch_options = download::FetchOptions { cancel: Some(cancel.flag()), ..Default::default() };
    let (fetched, signed) = match signature_source(opts, fetch) {
        // the SHA-512 and the signature checked in one read of the tarball
        Ok(signature) => {
            let (progress_events, progress_step) = (events.clone(), step.clone());
            let mut progress = move |done: u64, total: Option<u64>| {
                progress_events(Event::Progress { target: Target::Wizard, step: progress_step.clone(), done, total });
            };
            let checked =
                download::signed::fetch_signed_release(&cache, &source, &signature, &fetch_options, &mut progress)
                    .await;
            match checked {
                Ok(release) => (release.fetched, release.signed.describe()),
                Err(download::DownloadError::Cancelled) => return Err(ApplyError::Cancelled),
                Err(e) => {
                    events(Event::StepFailed { target: Target::Wizard, step, error: e.to_string() });
                    return Err(e.into());
                }
            }
        }
        Err(unsigned) => {
            let fetched = fetch_with_progress(&cache, &source, &fetch_options, &step, events).await?;
            events(Event::Warning { target: Target::Wizard, message: unsigned });
            (fetched, "NOT signature-checked: --allow-unsigned-offline-tarball".to_string())
        }
    };
    let reason = format!(
        "{} ({} MiB, SHA-512 {}…; {signed})",
        fetched.path.display(),
        fetched.size / (1024 * 1024),
        &fetched.sha512.as_hex()[..16]
    );
    let outcome = if fetched.downloaded {
        Outcome::Changed { detail: format!("downloaded and verified {reason}") }
    } else {
        Outcome::Unchanged { reason: format!("verified copy in the cache: {reason}") }
    };
    events(Event::StepFinished { target: Target::Wizard, step, outcome });
    for run in runs.iter_mut() {
        run.ctx.tarball = Some((fetched.path.clone(), fetched.sha512.as_hex().to_string()));
    }
    Ok(())
}

/// Where the release's OpenPGP signature comes from (`download::signed`), checked before any host gets the release;
/// `Err(warning)` for an offline tarball without its `.asc` that passes unsigned with
/// [`DeployOptions::allow_unsigned_offline_tarball`]: the warning said once its SHA-512 passed.
fn signature_source(opts: &DeployOptions, fetch: &FetchRelease) -> Result<download::signed::SignatureSource, String> {
    let local_signature = fetch.local_tarball.as_ref().map(|t| PathBuf::from(format!("{t}.asc")));
    if let Some(asc) = local_signature.as_ref().filter(|p| !p.exists() && opts.allow_unsigned_offline_tarball) {
        let message = format!(
            "UNSIGNED: the offline tarball {} is installed without an OpenPGP signature check ({} is missing; \
             --allow-unsigned-offline-tarball) — only its SHA-512 was checked",
            fetch.local_tarball.as_deref().unwrap_or_default(),
            asc.display()
        );
        return Err(message);
    }
    Ok(download::signed::SignatureSource {
        file_name: fetch.tarball.clone(),
        signature_urls: fetch.signature_urls.clone(),
        local_keys: fetch.local_tarball.as_ref().and_then(|t| Some(PathBuf::from(t).parent()?.join("KEYS"))),
        local_signature,
        keys_urls: fetch.keys_urls.clone(),
        trust_dir: opts.trust_dir.clone(),
    })
}

/// `[monitoring]`: the exporter jar into the cache (the release's downloader: size cap, resume, cancel), verified
/// against its pinned SHA-512 — unless every host has it already.
async fn fetch_agent(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    agent: &plan::FetchAgent,
    runs: &mut [HostRun],
    events: &EventSink,
    cancel: &Cancel,
) -> Result<(), ApplyError> {
    let step = format!("download {} and verify its pinned SHA-512", agent.jar);
    let path = crate::render::monitoring::agent_path(spec);
    if !agent_needed(runs.iter().map(|r| &r.facts), &path, &agent.sha512) {
        let outcome = Outcome::Unchanged { reason: format!("every host has {path}") };
        events(Event::StepFinished { target: Target::Wizard, step, outcome });
        return Ok(());
    }
    events(Event::StepStarted { target: Target::Wizard, step: step.clone() });
    let pinned = crate::verify::Sha512::from_hex(&agent.sha512).expect("the catalog pins a valid SHA-512");
    let source = ReleaseSource {
        file_name: agent.jar.clone(),
        tarball_urls: agent.urls.clone(),
        pinned: Some(pinned),
        ..ReleaseSource::default()
    };
    let cache = Cache::new(opts.cache_dir.clone());
    let fetch_options = download::FetchOptions {
        cancel: Some(cancel.flag()),
        max_bytes: crate::catalog::agent::MAX_AGENT_BYTES,
        ..Default::default()
    };
    let fetched = fetch_with_progress(&cache, &source, &fetch_options, &step, events).await?;
    let outcome = match fetched.downloaded {
        true => Outcome::Changed { detail: format!("downloaded and verified {}", fetched.path.display()) },
        false => Outcome::Unchanged { reason: format!("verified copy in the cache: {}", fetched.path.display()) },
    };
    events(Event::StepFinished { target: Target::Wizard, step, outcome });
    for run in runs.iter_mut() {
        run.ctx.agent = Some(fetched.path.clone());
    }
    Ok(())
}

/// Runs one phase's steps on every listed host, hosts in parallel (bounded), and waits for all (the barrier). A host
/// with a handover starts once the release's relay hands it over (`relay::start`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn host_phase(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    phase_hosts: &[HostSteps],
    mut handovers: Handovers,
    runs: &mut Vec<HostRun>,
    events: &EventSink,
    cancel: &Cancel,
    summary: &mut DeploySummary,
) -> Result<(), ApplyError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(opts.parallelism.max(1)));
    let mut tasks = Vec::new();
    let mut idle = Vec::new();
    for run in std::mem::take(runs) {
        let name = spec.hosts[run.index].name.as_str();
        let Some(steps) = phase_hosts.iter().find(|h| h.host == name).map(|h| h.steps.clone()) else {
            idle.push(run);
            continue;
        };
        let (spec, events, cancel, limit) = (spec.clone(), events.clone(), cancel.clone(), limit.clone());
        let handover = handovers.remove(&run.index);
        tasks.push(tokio::spawn(async move {
            let mut run = run;
            if let Some(handover) = handover {
                // a relay that ended without a word leaves the host to the install step's own upload
                if let Ok(relayed) = handover.await {
                    run.ctx.staged = relayed.staged;
                    run.ctx.staged_uncompressed = relayed.uncompressed;
                    run.uploaded += relayed.uploaded;
                }
            }
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            tokio::task::spawn_blocking(move || run_host_steps(&spec, run, &steps, &events, &cancel))
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
    ApplyError::check(failures)?;
    if cancel.is_cancelled() {
        return Err(ApplyError::Cancelled);
    }
    Ok(())
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

    #[tokio::test]
    async fn a_ca_rotation_of_a_plaintext_cluster_or_of_some_hosts_is_refused_before_any_host_is_contacted() {
        // The fixtures' host names do not resolve here: reaching any host would fail with a connection error.
        let plaintext =
            project::validate(&project::parse(include_str!("../../tests/fixtures/kraft-dedicated.toml")).unwrap())
                .spec
                .unwrap();
        let opts = DeployOptions { rotate_ca: true, ..DeployOptions::default() };
        let err = deploy(&plaintext, &opts, crate::events::discard(), Cancel::default()).await.unwrap_err();
        assert!(err.to_string().contains("a plaintext cluster has no CA to rotate"), "{err}");

        let secure =
            project::validate(&project::parse(include_str!("../../tests/fixtures/kraft-secure.toml")).unwrap())
                .spec
                .unwrap();
        let limit = crate::plan::Limit::parse(&secure, "secure1.example.com").unwrap();
        let opts = DeployOptions { rotate_ca: true, limit, ..DeployOptions::default() };
        let err = deploy(&secure, &opts, crate::events::discard(), Cancel::default()).await.unwrap_err();
        assert!(err.to_string().contains("without --limit (nothing was changed)"), "{err}");
        let err = super::super::preview(&secure, &opts, crate::events::discard()).await.unwrap_err();
        assert!(err.to_string().contains("without --limit"), "{err}");
    }

    #[tokio::test]
    async fn a_finalize_limited_to_some_hosts_is_refused_before_any_host_is_contacted() {
        let spec = project::validate(&project::parse(include_str!("../../tests/fixtures/seed-cluster.toml")).unwrap())
            .spec
            .unwrap();
        let limit = crate::plan::Limit::parse(&spec, "peter-kafka001").unwrap();
        let opts = DeployOptions { finalize_upgrade: true, limit, ..DeployOptions::default() };
        let err = deploy(&spec, &opts, crate::events::discard(), Cancel::default()).await.unwrap_err();
        assert!(matches!(err, ApplyError::Upgrade(_)) && err.to_string().contains("--limit"), "{err}");
    }
}
