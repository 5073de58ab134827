//! Manage's Rebalance and Decommission broker…: the engine's `reassign` — the CLI's `rebalance` and `decommission`
//! (a request may also name a dynamic quorum's controller, as `decommission --controller`; Manage has no button for it
//! yet).
//! `preview_reassign` is the dry run: the cluster read, the typed `ReassignPlan` back (the phases, every move, the
//! throttle, the spread before and after), or the engine's refusal verbatim (`reassign_refused`, nothing changed).
//! `reassign` runs it as a job (one at a time with the other operations, [`crate::state::Jobs`]; Cancel stops the
//! waiting, never a move), its events streamed on a Channel and run-logged as the CLI's `rebalance` /
//! `decommission`. A decommission works on the project's saved file, as the CLI does: the spec is read from it and at
//! the end the engine drops the broker from it (comments kept); the project read again comes back for the UI to take.

use super::operate::{batched, RunOptions};
use super::project::{absolute, read_project, reopen, OpenedProject};
use super::runs::{logged, open};
use super::spec_of;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::Jobs;
use kafka_wizard::apply::Cancel;
use kafka_wizard::events::{Event, EventSink};
use kafka_wizard::project::{validate, ClusterSpec, ProjectDraft};
use kafka_wizard::reassign::{self, Procedure, ReassignError, ReassignOptions, ReassignPlan, ReassignReport};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

/// What the user chose: a rebalance, the decommission of one broker, or one controller out of a dynamic quorum.
#[derive(Clone, Debug, Default, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct ReassignRequest {
    /// The broker id (`hosts[].id`) to decommission; left out, a rebalance.
    pub broker: Option<i32>,
    /// A dedicated controller's id to remove from a dynamic KRaft quorum (the CLI's `decommission --controller`);
    /// not with `broker`.
    pub controller: Option<i32>,
    /// Replication throttle while replicas move, MB/s (default `reassign::DEFAULT_THROTTLE_MB`, as the CLI).
    pub throttle_mb: Option<u64>,
    /// The project's file: a decommission needs it (its spec, and the file the broker is dropped from).
    pub path: Option<String>,
}

impl ReassignRequest {
    pub fn procedure(&self) -> Procedure {
        match (self.broker, self.controller) {
            (Some(broker), _) => Procedure::Decommission { broker },
            (None, Some(controller)) => Procedure::RemoveController { controller },
            (None, None) => Procedure::Rebalance,
        }
    }

    /// The run log's verb, as the CLI names the same run.
    pub fn verb(&self) -> &'static str {
        match self.procedure() {
            Procedure::Rebalance => "rebalance",
            Procedure::Decommission { .. } | Procedure::RemoveController { .. } => "decommission",
        }
    }

    pub fn to_options(&self, run: &RunOptions) -> ReassignOptions {
        let mb = self.throttle_mb.unwrap_or(reassign::DEFAULT_THROTTLE_MB).max(1);
        ReassignOptions {
            procedure: self.procedure(),
            throttle_bytes: mb * 1_000_000,
            connect: run.to_deploy_options().connect,
        }
    }
}

/// Per broker the run keeps, at its end.
#[derive(Clone, Debug, Serialize, TS)]
pub struct BrokerNow {
    pub broker: i32,
    pub replicas: usize,
    /// Partitions it leads now.
    pub leads: usize,
}

/// What a run did.
#[derive(Debug, Serialize, TS)]
pub struct ReassignOutcome {
    pub plan: ReassignPlan,
    /// Reassignments an earlier, interrupted run started that this one waited for.
    pub resumed: usize,
    /// Partitions whose preferred leader this run elected.
    pub elected: usize,
    pub brokers: Vec<BrokerNow>,
    /// After a decommission: the project read again from its file, which no longer lists the broker.
    pub project: Option<OpenedProject>,
}

/// The spec and the file a request works on: a rebalance the draft's (the file is not touched), a decommission the
/// saved file's — what the engine rewrites must be what it planned from.
fn target(draft: &ProjectDraft, request: &ReassignRequest) -> AppResult<(ClusterSpec, PathBuf)> {
    if request.broker.is_some() && request.controller.is_some() {
        return Err(AppError::new(
            ErrorCode::InvalidProject,
            "decommission one broker or one controller, not both at once",
        ));
    }
    let path = request.path.as_deref().filter(|p| !p.trim().is_empty());
    if let Procedure::Rebalance = request.procedure() {
        let path = path.map(absolute).transpose()?.unwrap_or_default();
        return Ok((spec_of(draft)?, path));
    }
    let Some(path) = path else {
        return Err(AppError::new(
            ErrorCode::Io,
            "a decommission drops the broker or controller from the project's file: save the project first",
        ));
    };
    let path = absolute(path)?;
    let (saved, _) = read_project(&path)?;
    let spec = validate(&saved).spec.ok_or_else(|| {
        AppError::new(ErrorCode::InvalidProject, format!("{} has errors — fix them first", path.display()))
    })?;
    Ok((spec, path))
}

/// The dry run (`rebalance --dry-run` / `decommission --dry-run`): reads the cluster, changes nothing.
#[tauri::command]
pub async fn preview_reassign(
    draft: ProjectDraft,
    request: ReassignRequest,
    options: RunOptions,
) -> AppResult<ReassignPlan> {
    let (spec, path) = target(&draft, &request)?;
    Ok(reassign::preview(&spec, &path, &request.to_options(&options)).await?)
}

/// The run, logged as the CLI's: `log` gets every event and how it ended.
pub(crate) async fn run_logged(
    spec: &ClusterSpec,
    path: &Path,
    opts: &ReassignOptions,
    log: Option<Arc<kafka_wizard::runlog::RunLog>>,
    events: EventSink,
    cancel: &Cancel,
) -> Result<ReassignReport, ReassignError> {
    let cancelled = |e: &ReassignError| matches!(e, ReassignError::Cancelled(_));
    logged(log, events, cancelled, |events| async move { reassign::run(spec, path, opts, &events, cancel).await }).await
}

/// Rebalance, or decommission `request.broker`, with live events on `on_event`; refused with `busy` while another
/// install or operation runs.
#[tauri::command]
pub async fn reassign<R: Runtime>(
    app: AppHandle<R>,
    jobs: State<'_, Jobs>,
    draft: ProjectDraft,
    request: ReassignRequest,
    options: RunOptions,
    on_event: Channel<Vec<Event>>,
) -> AppResult<ReassignOutcome> {
    let (spec, path) = target(&draft, &request)?;
    let job = jobs.begin()?;
    let opts = request.to_options(&options);
    let log = open(&spec.name, request.verb());
    let events = batched(on_event);
    let report = run_logged(&spec, &path, &opts, log, events.sink(), &job.cancel).await?;
    drop(events);
    let project = if report.project_updated { Some(reopen(&app, &path)?) } else { None };
    let brokers =
        report.final_loads.iter().map(|&(broker, replicas, leads)| BrokerNow { broker, replicas, leads }).collect();
    Ok(ReassignOutcome { plan: report.plan, resumed: report.resumed, elected: report.elected, brokers, project })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::runlog::{listing, RunLog, RunResult};

    fn request(json: serde_json::Value) -> ReassignRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_request_names_its_procedure_its_throttle_and_the_clis_verb() {
        let plain = request(serde_json::json!({}));
        assert_eq!((plain.procedure(), plain.verb()), (Procedure::Rebalance, "rebalance"));
        assert_eq!(plain.to_options(&RunOptions::default()).throttle_bytes, 50_000_000);
        let one = request(serde_json::json!({ "broker": 4, "throttle_mb": 10 }));
        assert_eq!((one.procedure(), one.verb()), (Procedure::Decommission { broker: 4 }, "decommission"));
        let run = RunOptions { become_password: Some("s3cret".into()), ..RunOptions::default() };
        let opts = one.to_options(&run);
        assert_eq!(opts.throttle_bytes, 10_000_000);
        assert_eq!(opts.connect.become_password.unwrap().expose(), "s3cret", "the broker's stop needs sudo");
        let controller = request(serde_json::json!({ "controller": 14 }));
        assert_eq!(
            (controller.procedure(), controller.verb()),
            (Procedure::RemoveController { controller: 14 }, "decommission"),
            "the CLI's decommission --controller"
        );
    }

    #[test]
    fn a_controllers_removal_needs_the_saved_file_and_names_one_node() {
        let draft = kafka_wizard::project::parse(include_str!("../../../tests/fixtures/kraft-dynamic.toml")).unwrap();
        let err = target(&draft, &request(serde_json::json!({ "controller": 13 }))).unwrap_err();
        assert_eq!(err.code, ErrorCode::Io);
        assert!(err.message.contains("save the project first"), "{}", err.message);
        let both = request(serde_json::json!({ "broker": 1, "controller": 13, "path": "/nonexistent/p.toml" }));
        let err = target(&draft, &both).unwrap_err();
        assert!(err.message.contains("not both at once"), "{}", err.message);
    }

    #[test]
    fn a_decommission_without_the_projects_file_asks_to_save_it_first() {
        let draft = kafka_wizard::project::parse(include_str!("../../../examples/seed-cluster.toml")).unwrap();
        let err = target(&draft, &request(serde_json::json!({ "broker": 1 }))).unwrap_err();
        assert_eq!(err.code, ErrorCode::Io);
        assert!(err.message.contains("save the project first"), "{}", err.message);
        let (spec, path) = target(&draft, &request(serde_json::json!({}))).unwrap();
        assert_eq!((spec.name.as_str(), path), ("peter-kafka", PathBuf::new()), "a rebalance needs no file");
    }

    #[tokio::test]
    async fn a_rebalance_no_broker_answers_is_logged_as_the_clis_failed_rebalance() {
        let mut draft = kafka_wizard::project::parse(include_str!("../../../examples/seed-cluster.toml")).unwrap();
        // every broker on its own loopback address and a port nothing listens on: refused at once
        draft.kafka.listener_port = Some(29_092);
        for (i, h) in draft.hosts.iter_mut().enumerate() {
            h.address = Some(format!("127.0.0.{}", i + 1));
        }
        let spec = spec_of(&draft).unwrap();
        let state = tempfile::tempdir().unwrap();
        let req = request(serde_json::json!({}));
        let log = RunLog::create(state.path(), &spec.name, req.verb(), time::OffsetDateTime::now_utc()).unwrap();
        let events: EventSink = Arc::new(|_| {});
        let opts = req.to_options(&RunOptions::default());
        let result = run_logged(&spec, Path::new(""), &opts, Some(Arc::new(log)), events, &Cancel::default()).await;
        let err = AppError::from(result.unwrap_err());
        assert_eq!(err.code, ErrorCode::StepsFailed, "{err}");
        assert!(err.message.contains("no broker answered"), "{err}");
        let runs = listing::list(state.path(), &spec.name);
        let ended: Vec<_> = runs.iter().map(|r| (r.verb.as_str(), r.result)).collect();
        assert_eq!(ended, [("rebalance", Some(RunResult::Failed))]);
    }
}
