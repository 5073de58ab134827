//! `kafka-wizard plan FILE [--json]`: the steps each host will get, offline.

use super::{load_spec, ProjectArg};
use kafka_wizard::plan::{self, Work};
use kafka_wizard::project::spec::Coordination;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: PlanArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let plan = plan::plan(&spec);
    let mut out = String::new();
    if args.json {
        outln!(out, "{}", serde_json::to_string_pretty(&plan).expect("plans serialise"));
        super::write_stdout(&out);
        return ExitCode::SUCCESS;
    }
    let mode = match spec.coordination {
        Coordination::Zookeeper(_) => "ZooKeeper mode",
        Coordination::Kraft(_) => "KRaft mode",
    };
    outln!(
        out,
        "Plan for cluster {} — Apache Kafka {} (Scala {}), {mode}, {} host(s)",
        spec.name,
        spec.kafka.release.version,
        spec.kafka.scala,
        spec.hosts.len()
    );
    for (n, phase) in plan.phases.iter().enumerate() {
        match &phase.work {
            Work::Fetch(fetch) => {
                outln!(out, "\n{}. {} (on this machine)", n + 1, phase.title);
                outln!(out, "     - {}", fetch.title());
            }
            Work::OnHosts { hosts } => {
                outln!(out, "\n{}. {} (hosts in parallel)", n + 1, phase.title);
                for host in hosts {
                    outln!(out, "   {}", host.host);
                    for step in &host.steps {
                        outln!(out, "     - {}", step.title());
                    }
                }
            }
            Work::ScramUsers(users) => {
                outln!(out, "\n{}. {} (from this machine, as the admin)", n + 1, phase.title);
                outln!(out, "     - {}", users.title());
            }
            Work::Acls(acls) => {
                outln!(out, "\n{}. {} (from this machine, as the admin)", n + 1, phase.title);
                outln!(out, "     - {}", acls.title());
                for grant in &acls.grants {
                    outln!(out, "       {}", grant.binding());
                }
            }
            Work::ConvertQuorum(convert) => {
                outln!(out, "\n{}. {} (from this machine, as a controller)", n + 1, phase.title);
                outln!(out, "     - {}", convert.title());
            }
            Work::RotateCa(pass) => {
                outln!(out, "\n{}. {} (hosts in parallel, then one rolling restart)", n + 1, phase.title);
                outln!(out, "     - {}", pass.title());
            }
            Work::Start(start) => {
                outln!(out, "\n{}. {} (stopped hosts together, changed ones one at a time)", n + 1, phase.title);
                for host in &start.hosts {
                    outln!(out, "   {host}");
                    outln!(out, "     - {}", start.title());
                }
                match start.overlap_next {
                    true => outln!(
                        out,
                        "   then, from this machine (when every node here and in the next phase starts now: with the \
                         next phase's checks, the next phase starting right away)"
                    ),
                    false => outln!(out, "   then, from this machine"),
                }
                for health in &start.health {
                    outln!(out, "     - {}", health.title());
                }
            }
        }
    }
    if !plan.scrape_targets.is_empty() {
        outln!(out, "\nPrometheus scrape targets (export writes them as prometheus.yml)");
        for t in &plan.scrape_targets {
            outln!(out, "   {:<24} {:<26} {}", t.host, t.service.unit(), t.url());
        }
    }
    super::write_stdout(&out);
    ExitCode::SUCCESS
}
