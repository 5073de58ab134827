//! `kafka-wizard upgrade FILE [--finalize] [--dry-run]`: a version upgrade, as Apache documents it. Without
//! `--finalize` it is `deploy` (the roll onto the project's `kafka.version`, the protocol pinned in ZooKeeper mode,
//! each host relinked right before its own restart); `--finalize` raises the protocol (ZooKeeper mode: a roll) or
//! `metadata.version` (KRaft) once every host runs the new release. Where the cluster stands is read from the hosts
//! (`apply::upgrade`), so either can be run again after an interruption.

use super::operate::{deploy_or_finalize, DeployArgs};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Finalize: every host runs the new release — raise the protocol (ZooKeeper mode) or metadata.version
    /// (KRaft). After it, the release cannot go back.
    #[arg(long)]
    pub finalize: bool,
}

pub fn run(args: UpgradeArgs) -> ExitCode {
    deploy_or_finalize(args.deploy, args.finalize, if args.finalize { "upgrade-finalize" } else { "upgrade" })
}
