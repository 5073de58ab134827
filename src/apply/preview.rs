//! `deploy --dry-run`: connect, probe facts, and decide every step of the plan exactly as deploy would (the same
//! decision functions, in the same order, with the same bookkeeping) — without changing anything.

use super::decide::{decide, decide_start, fetch_needed, Decision, StartDecision};
use super::hosts::connect_and_probe;
use super::options::{ApplyError, DeployOptions};
use crate::events::{EventSink, Target};
use crate::plan::{self, Work};
use crate::project::spec::ClusterSpec;
use std::path::PathBuf;
use std::sync::Arc;

/// One line of a dry run: what a step would do on a target, decided from the hosts' real facts.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PreviewRow {
    pub phase: String,
    pub target: Target,
    pub step: String,
    /// True when the step would change the target.
    pub change: bool,
    pub detail: String,
}

pub async fn preview(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    let spec = Arc::new(spec.clone());
    let plan = plan::plan(&spec);
    let mut runs = connect_and_probe(&spec, &opts.connect, &events).await?;
    for run in runs.iter_mut() {
        run.ctx.tarball = Some((PathBuf::from("(downloaded at deploy time)"), String::new()));
        run.ctx.install_java = opts.install_java;
    }
    let mut rows = Vec::new();
    for phase in &plan.phases {
        let row = |target: Target, step: String, change: bool, detail: String| PreviewRow {
            phase: phase.kind.id().into(),
            target,
            step,
            change,
            detail,
        };
        match &phase.work {
            Work::Fetch(fetch) => {
                let needed = fetch_needed(runs.iter().map(|r| &r.facts));
                let detail = if needed {
                    "download (or reuse the cached copy) and verify"
                } else {
                    "not needed: every host has the release"
                };
                rows.push(row(Target::Wizard, fetch.title(), needed, detail.into()));
            }
            Work::OnHosts { hosts } => {
                for hs in hosts {
                    let Some(run) = runs.iter_mut().find(|r| spec.hosts[r.index].name.as_str() == hs.host) else {
                        continue;
                    };
                    let host = &spec.hosts[run.index];
                    for step in &hs.steps {
                        let (change, detail) = match decide(&spec, host, step, &run.facts, &mut run.ctx) {
                            Decision::Unchanged { reason } => (false, reason),
                            Decision::Refuse { message } => (true, format!("WOULD FAIL: {message}")),
                            Decision::Change { detail, .. } => (true, detail),
                        };
                        rows.push(row(Target::host(&hs.host), step.title(), change, detail));
                    }
                }
            }
            Work::Start(start) => {
                for name in &start.hosts {
                    let Some(run) = runs.iter().find(|r| spec.hosts[r.index].name.as_str() == name) else { continue };
                    let decision = decide_start(&spec, &spec.hosts[run.index], start.service, &run.facts, &run.ctx);
                    let change = decision != StartDecision::Unchanged;
                    rows.push(row(Target::host(name), start.title(), change, decision.detail().into()));
                }
                for health in &start.health {
                    rows.push(row(Target::Wizard, health.title(), false, "check the cluster's health".into()));
                }
            }
        }
    }
    Ok(rows)
}
