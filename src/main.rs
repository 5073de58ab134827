//! `kafka-wizard`: the command-line front door over the engine. `main` is the table of contents; each verb
//! lives in its own module under `src/cli/`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let code = run(args.command);
    // The hosts' connections close side by side on threads of their own; each host's run lock is let go when its
    // connection is closed, so the process waits for that before it ends (a run started next finds them free).
    kafka_wizard::transport::ssh::wait_for_closes();
    code
}

fn run(command: cli::Command) -> ExitCode {
    match command {
        cli::Command::Init(a) => cli::init::run(a),
        cli::Command::Validate(a) => cli::validate::run(a),
        cli::Command::Plan(a) => cli::plan::run(a),
        cli::Command::Export(a) => cli::export::run(a),
        cli::Command::Import(a) => cli::import::run(a),
        cli::Command::Versions(a) => cli::versions::run(a),
        cli::Command::Deploy(a) => cli::operate::deploy(a),
        cli::Command::Start(a) => cli::operate::operate(cli::operate::Verb::Start, a),
        cli::Command::Stop(a) => cli::operate::operate(cli::operate::Verb::Stop, a),
        cli::Command::Restart(a) => cli::operate::operate(cli::operate::Verb::Restart { force: a.force }, a.hosts),
        cli::Command::Status(a) => cli::status::status(a),
        cli::Command::Collect(a) => cli::collect::run(a),
        cli::Command::ClientConfig(a) => cli::client_config::run(a),
        cli::Command::Smoke(a) => cli::smoke::run(a),
        cli::Command::Upgrade(a) => cli::upgrade::run(a),
        cli::Command::Rebalance(a) => cli::reassign::rebalance(a),
        cli::Command::Decommission(a) => cli::reassign::decommission(a),
        cli::Command::Migrate(a) => cli::migrate::run(a),
        cli::Command::Trust(a) => cli::trust::run(a),
        cli::Command::Completions(a) => cli::shell_docs::completions(a),
        cli::Command::Man => cli::shell_docs::man(),
    }
}
