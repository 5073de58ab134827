//! `deploy --dry-run`: connect, probe facts, and decide every step of the plan exactly as deploy would (the same
//! decision functions, in the same order, with the same bookkeeping) — without changing anything. A generated file
//! that would change is shown as a unified diff against the host's current copy (read only for those files); a
//! restart says what changed; the SCRAM users to create and delete and the ACLs to add and remove are asked of the
//! cluster (or said to be unknown).

use super::decide::{agent_needed, decide, decide_start, fetch_needed, step_title, Action, Decision, StartDecision};
use super::hosts::{connect_and_probe, transports_of};
use super::options::{ApplyError, DeployOptions};
use super::runlock::Access;
use super::running;
use super::upgrade::Finalize;
use crate::events::{EventSink, Target};
use crate::plan::{self, distribution, HostStep, Intent, PhaseKind, Work};
use crate::project::spec::ClusterSpec;
use crate::render;
use crate::transport::Transport;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Lines of unchanged context around each change in a diff, as `diff -u` shows them.
const DIFF_CONTEXT_LINES: usize = 3;

/// One line of a dry run: what a step would do on a target, decided from the hosts' real facts. The CLI prints it
/// (`deploy --dry-run`), the app's Review shows it (`preview_deploy`).
#[derive(Clone, Debug, serde::Serialize, ts_rs::TS)]
pub struct PreviewRow {
    /// The phase's id ([`crate::plan::PhaseKind::id`]).
    #[ts(as = "crate::plan::PhaseKind")]
    pub phase: String,
    pub target: Target,
    pub step: String,
    /// True when the step would change the target.
    pub change: bool,
    pub detail: String,
    /// For a generated file that would change: a unified diff of the host's current copy (absent: every line added)
    /// against the generated content ([`unified_diff`]). `None` for every other row, and for a file whose content
    /// must not be shown (see [`file_to_diff`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub diff: Option<String>,
}

/// A changed file whose diff is still to be made: the row it belongs to, its path and its generated content.
struct PendingDiff {
    row: usize,
    path: String,
    generated: String,
}

pub async fn preview(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    if spec.migration().is_some() {
        return super::migrate::preview(spec, opts, events).await;
    }
    super::migrate::refuse_without_controllers(spec, opts)?;
    preview_planned(spec, opts, events).await
}

impl PreviewRow {
    /// A row of the wizard's own work in phase `phase`.
    pub(crate) fn wizard(phase: crate::plan::PhaseKind, step: &str, change: bool, detail: &str) -> PreviewRow {
        PreviewRow {
            phase: phase.id().into(),
            target: Target::Wizard,
            step: step.into(),
            change,
            detail: detail.into(),
            diff: None,
        }
    }
}

/// [`preview`] of exactly the spec given (a migration's stage already rendered into it: `apply::migrate`).
pub(crate) async fn preview_planned(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    super::rotate_ca::check_options(spec, opts)?;
    super::upgrade::check_options(opts)?;
    super::convert_quorum::check_options(spec, opts)?;
    running::check_limit(spec, &opts.limit, Intent::Deploy).await?;
    let spec = Arc::new(spec.clone());
    let rotating = super::rotate_ca::rotating(&spec, opts);
    let mut plan = plan::plan(&spec);
    if rotating {
        plan = plan::rotate_ca::with_ca_rotation(&spec, plan);
    }
    if opts.convert_quorum {
        plan = plan::convert_quorum::with_quorum_conversion(&spec, plan);
    }
    let plan = opts.limit.plan(plan);
    let mut runs = connect_and_probe(&spec, &opts.connect, &opts.limit, Access::ReadOnly, &events).await?;
    let formatted: Vec<String> = runs
        .iter()
        .filter(|run| !run.facts.meta_cluster_ids.is_empty() || run.facts.zookeeper_data)
        .map(|run| spec.hosts[run.index].name.to_string())
        .collect();
    super::secrets::refuse_renaming_admin(&spec, &formatted)?;
    super::membership::refuse_kind_change(&spec, &runs, opts.convert_quorum).map_err(ApplyError::Quorum)?;
    super::convert_quorum::check_hosts(&spec, &runs, opts)?;
    super::secrets::refuse_quorum_tls_switch(&spec, &runs)?;
    let secrets = super::secrets::for_preview(&spec);
    for run in runs.iter_mut() {
        run.ctx.tarball = Some((PathBuf::from("(downloaded at deploy time)"), String::new()));
        run.ctx.agent = Some(PathBuf::from("(downloaded at deploy time)"));
        run.ctx.install_java = opts.install_java;
        run.ctx.adopt = opts.adopt;
        run.ctx.secrets = secrets.clone();
    }
    let rotation = match rotating {
        true => Some(super::rotate_ca::preview_prepare(&spec, &mut runs)?),
        false => None,
    };
    let finalize = if opts.finalize_upgrade { Finalize::Yes } else { Finalize::No };
    // Its notes become rows here, not log lines as well.
    let upgrade = super::upgrade::prepare(&spec, &runs, finalize, opts.install_java, &crate::events::discard()).await?;
    let spec = upgrade.spec.clone();
    let upgrade_row = |(step, change, detail): (String, bool, String)| PreviewRow {
        phase: PhaseKind::Upgrade.id().into(),
        target: Target::Wizard,
        step,
        change,
        detail,
        diff: None,
    };
    let mut upgrade_rows = super::upgrade::finalize_rows(&upgrade.judgement).into_iter().map(upgrade_row);
    let mut rows: Vec<PreviewRow> = upgrade_rows.by_ref().take(upgrade.judgement.notes.len()).collect();
    // By host index: the files that would change there, diffed once the walk is done (one read per such file).
    let mut pending: BTreeMap<usize, Vec<PendingDiff>> = BTreeMap::new();
    for phase in &plan.phases {
        let row = |target: Target, step: String, change: bool, detail: String| PreviewRow {
            phase: phase.kind.id().into(),
            target,
            step,
            change,
            detail,
            diff: None,
        };
        match &phase.work {
            Work::Fetch(fetch) => {
                let agent = fetch.agent.as_ref().is_some_and(|a| {
                    agent_needed(runs.iter().map(|r| &r.facts), &render::monitoring::agent_path(&spec), &a.sha512)
                });
                let needed = fetch_needed(runs.iter().map(|r| &r.facts)) || agent;
                let detail = if needed {
                    format!(
                        "download (or reuse the cached copy) and verify; signature accepted from {}{}",
                        crate::download::signed::accepted_signers(&opts.trust_dir),
                        unsigned_warning(fetch, opts)
                    )
                } else {
                    "not needed: every host has the release".into()
                };
                rows.push(row(Target::Wizard, fetch.title(), needed, detail));
            }
            Work::OnHosts { hosts } => {
                if phase.kind == PhaseKind::Install {
                    let (strategy, needing) = super::relay::planned(&spec, hosts, &runs);
                    if strategy.relay {
                        let names: Vec<String> =
                            needing.iter().map(|&i| spec.hosts[runs[i].index].name.to_string()).collect();
                        for (i, (_, from)) in needing.iter().zip(distribution::tree(&names, true)) {
                            runs[*i].ctx.staged = Some(from.title());
                        }
                    }
                    if !needing.is_empty() {
                        rows.push(row(Target::Wizard, "distribute the release".into(), strategy.relay, strategy.why));
                    }
                }
                for hs in hosts {
                    let Some(run) = runs.iter_mut().find(|r| spec.hosts[r.index].name.as_str() == hs.host) else {
                        continue;
                    };
                    let host = &spec.hosts[run.index];
                    let secret_files: Vec<String> =
                        render::render_host(&spec, host).into_iter().filter(|f| f.secret).map(|f| f.path).collect();
                    for step in &hs.steps {
                        let decision = decide(&spec, host, step, &run.facts, &mut run.ctx);
                        let secret = matches!(step, HostStep::WriteFile { path, .. } if secret_files.contains(path));
                        if let Some((path, generated)) = file_to_diff(step, &decision).filter(|_| !secret) {
                            pending.entry(run.index).or_default().push(PendingDiff {
                                row: rows.len(),
                                path,
                                generated,
                            });
                        }
                        let (change, detail) = match decision {
                            Decision::Unchanged { reason } => (false, reason),
                            Decision::Refuse { message } => (true, format!("WOULD FAIL: {message}")),
                            Decision::Change { detail, .. } if secret => {
                                (true, format!("{detail} (holds a secret: content not shown)"))
                            }
                            Decision::Change { detail, .. } => (true, detail),
                        };
                        rows.push(row(Target::host(&hs.host), step_title(step, &run.ctx), change, detail));
                    }
                }
            }
            Work::Start(start) => {
                for name in &start.hosts {
                    let Some(run) = runs.iter().find(|r| spec.hosts[r.index].name.as_str() == name) else { continue };
                    let decision = decide_start(&spec, &spec.hosts[run.index], start.service, &run.facts, &run.ctx);
                    let change = !matches!(decision, StartDecision::Unchanged | StartDecision::Adopted { .. });
                    rows.push(row(Target::host(name), start.title(), change, decision.detail()));
                }
                for health in &start.health {
                    rows.push(row(Target::Wizard, health.title(), false, "check the cluster's health".into()));
                }
            }
            Work::ScramUsers(users) => {
                for (step, change, detail) in super::users::preview_rows(&spec, users).await {
                    rows.push(row(Target::Wizard, step, change, detail));
                }
            }
            Work::Acls(acls) => {
                for (step, change, detail) in super::acls::preview_rows(&spec, acls).await {
                    rows.push(row(Target::Wizard, step, change, detail));
                }
            }
            Work::ConvertQuorum(_) => {
                let (step, change, detail) = super::convert_quorum::preview_row(&spec, &runs).await;
                rows.push(row(Target::Wizard, step, change, detail));
            }
            Work::RotateCa(pass) => {
                let rotation = rotation.as_ref().expect("read with the plan");
                for (target, step, change, detail) in super::rotate_ca::preview_rows(&spec, pass, rotation) {
                    rows.push(row(target, step, change, detail));
                }
            }
        }
    }
    rows.extend(upgrade_rows);
    attach_diffs(&spec, &transports_of(&runs), pending, &mut rows).await;
    Ok(rows)
}

/// The path and new content of a generated file this decision would write — the files the dry run shows as a diff.
///
/// **Secrets are never shown.** A generated file that holds a secret (a keystore, the JAAS file) says so
/// (`render::GeneratedFile::secret`); the walk above filters this function's result by it: such a file gets no diff
/// (neither the host's copy nor the new content is read or printed) and its row says its content is not shown.
/// The dry run's warning when the offline tarball will be installed unsigned (`--allow-unsigned-offline-tarball`
/// and no `.asc` beside it).
fn unsigned_warning(fetch: &plan::FetchRelease, opts: &DeployOptions) -> String {
    match &fetch.local_tarball {
        Some(t) if opts.allow_unsigned_offline_tarball && !std::path::Path::new(&format!("{t}.asc")).exists() => {
            format!(" — WARNING: {t}.asc is missing and --allow-unsigned-offline-tarball is given: it would be installed UNSIGNED (only its SHA-512 checked)")
        }
        _ => String::new(),
    }
}

fn file_to_diff(step: &HostStep, decision: &Decision) -> Option<(String, String)> {
    let (HostStep::WriteFile { .. }, Decision::Change { actions, .. }) = (step, decision) else { return None };
    actions.iter().find_map(|a| match a {
        Action::Write { path, content, .. } => Some((path.clone(), content.clone())),
        _ => None,
    })
}

/// Reads the current copy of every pending file through its host's transport (hosts at once, each host's files in
/// turn) and puts the diff on its row. A copy that cannot be read leaves the row without a diff and says why.
async fn attach_diffs(
    spec: &Arc<ClusterSpec>,
    transports: &BTreeMap<usize, Arc<dyn Transport>>,
    pending: BTreeMap<usize, Vec<PendingDiff>>,
    rows: &mut [PreviewRow],
) {
    let mut tasks = Vec::new();
    for (index, files) in pending {
        let transport = transports[&index].clone();
        let host = spec.hosts[index].name.to_string();
        tasks.push(tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .map(|f| {
                    let diff = transport.read_file(&f.path).map(|current| {
                        let current = current.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
                        unified_diff(&host, &f.path, current.as_deref(), &f.generated)
                    });
                    (f.row, diff)
                })
                .collect::<Vec<_>>()
        }));
    }
    for task in tasks {
        for (row, diff) in task.await.expect("reading files for the dry run panicked") {
            match diff {
                Ok(diff) => rows[row].diff = Some(diff),
                Err(e) => rows[row].detail.push_str(&format!(" (no diff: the current file could not be read: {e})")),
            }
        }
    }
}

/// A unified diff, [`DIFF_CONTEXT_LINES`] lines of context, of `current` — `path` on `host`, `None` when it does not
/// exist there (every line is then added) — against the `generated` content:
/// `--- host:/path (on the host)`, `+++ host:/path (generated)`, then the hunks.
pub fn unified_diff(host: &str, path: &str, current: Option<&str>, generated: &str) -> String {
    let on_host = if current.is_some() { "on the host" } else { "not on the host" };
    similar::TextDiff::from_lines(current.unwrap_or(""), generated)
        .unified_diff()
        .context_radius(DIFF_CONTEXT_LINES)
        .header(&format!("{host}:{path} ({on_host})"), &format!("{host}:{path} (generated)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Owner;

    fn numbered(lines: std::ops::RangeInclusive<u32>) -> String {
        lines.map(|i| format!("line.{i}=x\n")).collect()
    }

    #[test]
    fn a_diff_shows_only_the_changed_line_with_three_lines_of_context() {
        let current = numbered(1..=20);
        let generated = current.replace("line.10=x\n", "line.10=y\n");
        let diff = unified_diff("h4", "/etc/kafka/server.properties", Some(&current), &generated);
        let expected = "--- h4:/etc/kafka/server.properties (on the host)\n\
                        +++ h4:/etc/kafka/server.properties (generated)\n\
                        @@ -7,7 +7,7 @@\n line.7=x\n line.8=x\n line.9=x\n-line.10=x\n+line.10=y\n line.11=x\n line.12=x\n \
                        line.13=x\n";
        assert_eq!(diff, expected);
    }

    #[test]
    fn changes_far_apart_are_separate_hunks_and_unchanged_lines_between_them_are_left_out() {
        let current = numbered(1..=30);
        let generated = current.replace("line.2=x\n", "line.2=y\n").replace("line.28=x\n", "");
        let diff = unified_diff("h", "/f", Some(&current), &generated);
        assert_eq!(diff.matches("\n@@ ").count(), 2, "{diff}");
        assert!(diff.contains("-line.2=x\n+line.2=y\n") && diff.contains("-line.28=x\n"), "{diff}");
        assert!(!diff.contains("line.15=x"), "lines far from any change are not shown: {diff}");
        let changed =
            diff.lines().filter(|l| l.starts_with(['-', '+']) && !l.starts_with("---") && !l.starts_with("+++"));
        assert_eq!(changed.count(), 3, "{diff}");
    }

    #[test]
    fn a_file_absent_on_the_host_is_shown_as_every_line_added() {
        let diff = unified_diff("h1", "/var/lib/zookeeper/myid", None, "1\n");
        assert_eq!(
            diff,
            "--- h1:/var/lib/zookeeper/myid (not on the host)\n+++ h1:/var/lib/zookeeper/myid (generated)\n\
             @@ -0,0 +1 @@\n+1\n"
        );
    }

    #[test]
    fn only_a_generated_file_that_would_change_gets_a_diff() {
        let step = HostStep::WriteFile { path: "/etc/kafka/server.properties".into(), owner: Owner::Root, mode: 0o644 };
        let write = Action::Write {
            path: "/etc/kafka/server.properties".into(),
            content: "a=1\n".into(),
            mode: 0o644,
            owner: Owner::Root,
            keep_old: true,
        };
        let change = Decision::Change { detail: "updated".into(), actions: vec![write] };
        assert_eq!(file_to_diff(&step, &change), Some(("/etc/kafka/server.properties".into(), "a=1\n".into())));
        assert_eq!(file_to_diff(&step, &Decision::Unchanged { reason: "content is up to date".into() }), None);
        let run = Decision::Change { detail: "created".into(), actions: vec![Action::Run { script: "true".into() }] };
        assert_eq!(file_to_diff(&HostStep::CreateServiceUser { user: "kafka".into() }, &run), None);
    }
}
