//! CA rotation in a deploy (`DeployOptions.rotate_ca`, `deploy --rotate-ca`; a deploy while a rotation is under way
//! continues it): before the phases, the store's next CA and host certificates (made once, `security::store`'s
//! `[ca_next]`) and every Kafka node's stage read from its files' digests (`decide::rotate_ca`); each node's
//! configuration is written with the files of its own stage, so the ordinary phases leave them as they are. Then
//! each rotation pass the decision left (`plan::rotate_ca`) writes its stage's files on every node and rolls Kafka
//! through the ordinary start phases (`start::start_phase` → `roll.rs`, health-gated before and after each node);
//! the last pass ends the rotation in the store. Kafka reloads TLS files only on restart here (docs/facts/kafka.md
//! §15), so every pass is one rolling restart; an ensemble member with quorum TLS reloads its files itself, so a host
//! that only runs one is written and not restarted (`render::zookeeper_security::reloaded_by_member`).

use super::decide::rotate_ca::{node_stage, passes_to_run, NodeStage};
use super::decide::sha512_hex;
use super::deploy::host_phase;
use super::hosts::HostRun;
use super::options::{ApplyError, Cancel, DeployOptions, DeploySummary, Failure};
use super::start::start_phase;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::rotate_ca::RotateCaPass;
use crate::project::spec::ClusterSpec;
use crate::render::{self, Service};
use crate::security::store::{CaStage, RotationMaterial, SecretMaterial, SecretsStore};
use std::sync::Arc;

/// A rotation this run carries on: every stage's files, the passes still to run, the store's material.
pub(crate) struct Rotation {
    pub material: RotationMaterial,
    pub passes: Vec<CaStage>,
    pub nodes: Vec<NodeStage>,
    base: Arc<SecretMaterial>,
}

/// Whether this run rotates the CA: asked for, or a rotation is under way in the store (which a deploy must
/// continue: the ordinary files would take the nodes back to the old CA while some present the new one).
pub(crate) fn rotating(spec: &ClusterSpec, opts: &DeployOptions) -> bool {
    opts.rotate_ca
        || (spec.security.is_some() && SecretsStore::for_cluster(spec).rotation_in_progress().unwrap_or(false))
}

fn refused(message: String) -> ApplyError {
    ApplyError::Failed(vec![Failure { host: "this machine".into(), step: "rotate the CA".into(), message }])
}

/// Before any host is touched: a rotation needs a secured cluster and every node (no `--limit`).
pub(crate) fn check_options(spec: &ClusterSpec, opts: &DeployOptions) -> Result<(), ApplyError> {
    if !rotating(spec, opts) {
        return Ok(());
    }
    if spec.security.is_none() {
        return Err(refused("a plaintext cluster has no CA to rotate (nothing was changed)".into()));
    }
    if !opts.limit.is_all() {
        return Err(refused(
            "a CA rotation moves every Kafka node together: run it without --limit (nothing was changed)".into(),
        ));
    }
    Ok(())
}

/// Begins or continues the rotation (store first, before any host changes), reads every node's stage and gives each
/// host the files of its own stage. Refused for a limited run and for nodes the rotation cannot place.
pub(crate) fn prepare(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    runs: &mut [HostRun],
    base: Option<Arc<SecretMaterial>>,
    events: &EventSink,
) -> Result<Rotation, ApplyError> {
    check_options(spec, opts)?;
    let (Some(security), Some(base)) = (&spec.security, base) else {
        return Err(refused("a plaintext cluster has no CA to rotate".into()));
    };
    let store = SecretsStore::for_cluster(spec);
    let (material, notes) = store.begin_rotation(spec, security, time::OffsetDateTime::now_utc())?;
    for message in notes {
        events(Event::Warning { target: Target::Wizard, message: format!("secrets store: {message}") });
    }
    let (truststore, keystore) = (render::security::truststore_path(spec), render::security::keystore_path(spec));
    let mut nodes = Vec::new();
    for run in runs.iter_mut().filter(|r| spec.holds_certificate(&spec.hosts[r.index])) {
        let host = spec.hosts[run.index].name.to_string();
        let node = node_stage(&material, &host, truststore.as_str(), keystore.as_str(), &run.facts).map_err(refused)?;
        run.ctx.secrets = Some(Arc::new(material.material_for(&base, &host, node.files)));
        nodes.push(node);
    }
    let passes = passes_to_run(&nodes).map_err(refused)?;
    Ok(Rotation { material, passes, nodes, base })
}

/// One rotation pass: when the decision left it, its stage's files on every Kafka node, then Kafka rolled where they
/// changed (or a restart is owed); else every node said to be past it. After the last pass the store's rotation is
/// finished.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_pass(
    spec: &Arc<ClusterSpec>,
    opts: &DeployOptions,
    pass: &RotateCaPass,
    runs: &mut Vec<HostRun>,
    rotation: &Rotation,
    events: &EventSink,
    cancel: &Cancel,
    summary: &mut DeploySummary,
) -> Result<(), ApplyError> {
    if rotation.passes.contains(&pass.stage) {
        // The start phases before rolled everything this run had changed or a host owed: start afresh.
        for run in runs.iter_mut() {
            run.ctx.written.clear();
            run.ctx.release_changed = false;
            run.facts.pending_restart.remove(Service::Kafka.unit());
            let host = spec.hosts[run.index].name.to_string();
            if spec.holds_certificate(&spec.hosts[run.index]) {
                run.ctx.secrets = Some(Arc::new(rotation.material.material_for(&rotation.base, &host, pass.stage)));
            }
        }
        host_phase(spec, opts, &pass.hosts, Default::default(), runs, events, cancel, summary).await?;
        note_written(spec, runs, &rotation.material, pass.stage);
        for start in &pass.roll {
            start_phase(spec, opts, start, None, Default::default(), runs, events, cancel, summary).await?;
        }
    } else {
        for node in &rotation.nodes {
            let reason = format!("already done: the node {}", node.running().max(pass.stage).describe());
            let outcome = Outcome::Unchanged { reason };
            events(Event::StepFinished { target: Target::host(&node.host), step: pass.title(), outcome });
        }
        summary.unchanged += 1;
    }
    if pass.stage == CaStage::New {
        if let Some(done) = SecretsStore::for_cluster(spec).finish_rotation()? {
            events(Event::Warning { target: Target::Wizard, message: format!("secrets store: {done}") });
        }
    }
    Ok(())
}

/// The hosts now hold `stage`'s files: their facts say so, so a later pass compares against what is there.
fn note_written(spec: &ClusterSpec, runs: &mut [HostRun], material: &RotationMaterial, stage: CaStage) {
    let (truststore, keystore) = (render::security::truststore_path(spec), render::security::keystore_path(spec));
    for run in runs.iter_mut().filter(|r| spec.holds_certificate(&spec.hosts[r.index])) {
        let host = spec.hosts[run.index].name.as_str();
        let trust = sha512_hex(material.truststore(stage).as_bytes());
        run.facts.files.insert(truststore.to_string(), Some(trust));
        if let Some(key) = material.keystore(host, stage) {
            run.facts.files.insert(keystore.to_string(), Some(sha512_hex(key.expose().as_bytes())));
        }
    }
}

/// A dry run's view of a rotation: the nodes' stages and the passes left when one is under way; `None` before the
/// first `--rotate-ca` run made the new CA (every pass is then still to do).
pub(crate) struct RotationPreview(Option<(Vec<NodeStage>, Vec<CaStage>)>);

/// The dry run's counterpart of [`prepare`]: nothing is made or saved; each host's configuration is compared with
/// the files of its own stage.
pub(crate) fn preview_prepare(spec: &ClusterSpec, runs: &mut [HostRun]) -> Result<RotationPreview, ApplyError> {
    let Some(security) = &spec.security else { return Err(refused("a plaintext cluster has no CA to rotate".into())) };
    let store = SecretsStore::for_cluster(spec);
    let Some(material) = store.rotation_material(spec, security)? else { return Ok(RotationPreview(None)) };
    let base = super::secrets::for_preview(spec);
    let (truststore, keystore) = (render::security::truststore_path(spec), render::security::keystore_path(spec));
    let mut nodes = Vec::new();
    for run in runs.iter_mut().filter(|r| spec.holds_certificate(&spec.hosts[r.index])) {
        let host = spec.hosts[run.index].name.to_string();
        let node = node_stage(&material, &host, truststore.as_str(), keystore.as_str(), &run.facts).map_err(refused)?;
        if let Some(base) = &base {
            run.ctx.secrets = Some(Arc::new(material.material_for(base, &host, node.files)));
        }
        nodes.push(node);
    }
    let passes = passes_to_run(&nodes).map_err(refused)?;
    Ok(RotationPreview(Some((nodes, passes))))
}

/// The dry run's rows of one pass: per node, what it would write and that Kafka would roll, or that it is done.
pub(crate) fn preview_rows(
    spec: &ClusterSpec,
    pass: &RotateCaPass,
    preview: &RotationPreview,
) -> Vec<(Target, String, bool, String)> {
    let files = pass
        .hosts
        .first()
        .map(|h| h.steps.iter().map(|s| s.title()).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    pass.hosts
        .iter()
        .map(|h| {
            let kafka = spec.hosts.iter().any(|x| x.name.as_str() == h.host && x.runs_kafka());
            let to_do = match kafka {
                true => format!("{files}, then restart kafka-server, one node at a time, healthy in between"),
                false => format!("{files}; the ensemble member reloads them, nothing restarts"),
            };
            let (change, detail) = match &preview.0 {
                None => (true, format!("a new CA is generated first; {to_do}")),
                Some((_, passes)) if passes.contains(&pass.stage) => (true, to_do.clone()),
                Some((nodes, _)) => {
                    let running = nodes.iter().find(|n| n.host == h.host).map(NodeStage::running);
                    let now = running.unwrap_or(pass.stage).max(pass.stage);
                    (false, format!("already done: the node {}", now.describe()))
                }
            };
            (Target::host(&h.host), pass.title(), change, detail)
        })
        .collect()
}
