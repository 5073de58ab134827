//! `kafka-wizard rebalance FILE` and `kafka-wizard decommission FILE --broker ID` (`kafka_wizard::reassign`):
//! `--dry-run` prints the plan (phases, each reassignment, replicas and preferred leaders per broker before and
//! after); a run shows progress on stderr and ends with the per-broker counts. Exit 0 done, 1 refused or failed.

use super::interrupt::cancel_on_ctrl_c;
use super::operate::SshArgs;
use super::progress::{sink, Renderer};
use super::{load_spec, ProjectArg};
use kafka_wizard::apply::Cancel;
use kafka_wizard::reassign::{self, Procedure, ReassignOptions, ReassignPhase, ReassignPlan};
use kafka_wizard::transport::ConnectOptions;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReassignArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Read the cluster and print the plan — change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replication throttle while replicas move, in MB/s (per broker, leader and follower side); removed at the end.
    #[arg(long, default_value_t = reassign::DEFAULT_THROTTLE_MB, value_name = "MB/s", value_parser = clap::value_parser!(u64).range(1..))]
    pub throttle: u64,
    /// The dry run lists every reassignment (else the first 20).
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(clap::Args)]
pub struct DecommissionArgs {
    #[command(flatten)]
    pub common: ReassignArgs,
    /// The broker id (`hosts[].id`) to move every replica off, stop and drop from the project.
    #[arg(long, value_name = "ID", required_unless_present = "controller", conflicts_with = "controller")]
    pub broker: Option<i32>,
    /// A dedicated controller's id (`hosts[].id`) to remove from a dynamic KRaft quorum (RemoveRaftVoter), stop and
    /// drop from the project.
    #[arg(long, value_name = "ID")]
    pub controller: Option<i32>,
    #[command(flatten)]
    pub ssh: SshArgs,
}

pub fn rebalance(args: ReassignArgs) -> ExitCode {
    run(&args, Procedure::Rebalance, ConnectOptions::default())
}

pub fn decommission(args: DecommissionArgs) -> ExitCode {
    match args.ssh.connect_options() {
        Ok(connect) => {
            let procedure = match (args.broker, args.controller) {
                (Some(broker), _) => Procedure::Decommission { broker },
                (None, Some(controller)) => Procedure::RemoveController { controller },
                (None, None) => unreachable!("clap requires --broker or --controller"),
            };
            run(&args.common, procedure, connect)
        }
        Err(code) => code,
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

fn run(args: &ReassignArgs, procedure: Procedure, connect: ConnectOptions) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = ReassignOptions { procedure, throttle_bytes: args.throttle * 1_000_000, connect };
    let verb = match procedure {
        Procedure::Rebalance => "rebalance",
        Procedure::Decommission { .. } | Procedure::RemoveController { .. } => "decommission",
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let file = &args.project.file;
    if args.dry_run {
        return match rt.block_on(reassign::preview(&spec, file, &opts)) {
            Ok(plan) => {
                super::write_stdout(&plan_text(&plan, args.verbose, verb, file));
                ExitCode::SUCCESS
            }
            Err(e) => fail(format!("{verb}: {e}")),
        };
    }
    let log = super::runlog::open(&spec.name, verb);
    let renderer = Renderer::new(args.verbose);
    let events = super::runlog::tee(sink(&renderer, false), &log);
    let cancel = Cancel::default();
    let result = rt.block_on(async {
        cancel_on_ctrl_c(cancel.clone(), log.clone());
        reassign::run(&spec, file, &opts, &events, &cancel).await
    });
    renderer.finish();
    let ending = super::runlog::ending(&result, |e| matches!(e, reassign::ReassignError::Cancelled(_)));
    let code = match result {
        Ok(report) => {
            let mut out = String::new();
            if report.resumed > 0 {
                outln!(out, "\n{verb}: finished {} reassignment(s) an earlier run had started", report.resumed);
            }
            if let Procedure::RemoveController { controller } = procedure {
                outln!(out, "\n{verb}: done — controller {controller} removed from the KRaft quorum and stopped");
            } else if report.plan.balanced() {
                outln!(out, "\n{verb}: balanced, nothing to move");
            } else {
                let moves = report.plan.moves().len();
                outln!(out, "\n{verb}: done — {moves} partition(s) reassigned, {} leader(s) elected", report.elected);
            }
            if !report.final_loads.is_empty() {
                outln!(out, "{:<8} {:>9} {:>6}", "broker", "replicas", "leads");
            }
            for (b, replicas, leads) in &report.final_loads {
                outln!(out, "{b:<8} {replicas:>9} {leads:>6}");
            }
            for warning in &report.plan.warnings {
                outln!(out, "warning: {warning}");
            }
            if report.project_updated {
                let what =
                    if matches!(procedure, Procedure::RemoveController { .. }) { "controller" } else { "broker" };
                outln!(out, "{} was updated: the {what} is no longer in the project", file.display());
            }
            eprint!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(format!("{verb}: {e}")),
    };
    super::runlog::close(&log, ending);
    code
}

/// The dry run's text: each phase, the reassignments (all with `verbose`, else the first 20), and per broker the
/// replicas and preferred leaderships before → after.
fn plan_text(plan: &ReassignPlan, verbose: bool, verb: &str, file: &std::path::Path) -> String {
    let mut out = String::new();
    if plan.balanced() {
        outln!(out, "{verb} {}: balanced, nothing to move", file.display());
    } else {
        outln!(out, "{verb} {}: {} phase(s)", file.display(), plan.phases.len());
    }
    for (i, phase) in plan.phases.iter().enumerate() {
        outln!(out, "{:>2}. {}", i + 1, phase.title());
        if let ReassignPhase::Reassign { moves } = phase {
            let shown = if verbose { moves.len() } else { moves.len().min(20) };
            for m in &moves[..shown] {
                outln!(out, "      {m}");
            }
            if shown < moves.len() {
                outln!(out, "      … and {} more (--verbose lists all)", moves.len() - shown);
            }
        }
    }
    for warning in &plan.warnings {
        outln!(out, "warning: {warning}");
    }
    if plan.before.is_empty() {
        return out;
    }
    outln!(out, "\n{:<8} {:>18} {:>22}", "broker", "replicas now→after", "preferred leader of");
    for (before, after) in plan.before.iter().zip(&plan.after) {
        outln!(
            out,
            "{:<8} {:>18} {:>22}",
            before.broker,
            format!("{} → {}", before.replicas, after.replicas),
            format!("{} → {}", before.leaders, after.leaders)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::reassign::{BrokerLoad, Reassignment};

    #[test]
    fn the_dry_run_lists_phases_moves_and_the_spread_before_and_after() {
        let load = |broker, replicas, leaders| BrokerLoad { broker, replicas, leaders };
        let plan = ReassignPlan {
            procedure: Procedure::Rebalance,
            phases: vec![
                ReassignPhase::Reassign {
                    moves: vec![Reassignment { topic: "t".into(), partition: 0, from: vec![1, 2], to: vec![3, 2] }],
                },
                ReassignPhase::ElectLeaders,
            ],
            before: vec![load(1, 2, 1), load(3, 0, 0)],
            after: vec![load(1, 1, 0), load(3, 1, 1)],
            warnings: vec![],
        };
        let text = plan_text(&plan, false, "rebalance", std::path::Path::new("p.toml"));
        assert!(text.starts_with("rebalance p.toml: 2 phase(s)\n 1. reassign 1 partition(s)"), "{text}");
        assert!(text.contains("      t-0 [1, 2] → [3, 2]\n 2. elect preferred leaders\n"), "{text}");
        assert!(text.contains("3                     0 → 1                  0 → 1\n"), "{text}");
    }
}
