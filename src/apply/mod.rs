//! Apply: carry out the plan on real hosts — connect, probe facts, decide per step what closes the gap (pure), act
//! over each host's transport in phases, hosts in parallel, with events for every step; and operate a deployed
//! cluster (start, stop, rolling restart, status).
//!
//! - `deploy` walks the plan; `preview` (`--dry-run`) decides the same plan without acting;
//! - `decide` holds every decision both make; `hosts` connects, probes and runs a host's steps; `runlock` keeps a
//!   second run off a host one works on;
//! - `operate` starts, stops and restarts along the plan's start phases; `roll` is the one rolling restart;
//!   `status` reports; `wait` checks health, `quorum` the KRaft quorum and who leads a quorum;
//! - `secrets` — a secured cluster's secrets store material for a run, and the admin's login for health checks;
//! - `users` — the SCRAM users phase (KRaft): users added after the format created, users dropped from the
//!   project deleted with their ACLs;
//! - `upgrade` — version upgrades: where the cluster stands (from the hosts), the protocol pin, finalize;
//! - `preflight` — before the first change on any host: ports, free space and Java refused, kernel settings warned;
//! - `acls` — the ACL phase: the cluster made to hold exactly the project's ACLs for the application users.

mod acls;
pub mod backup;
mod broker_gates;
pub mod connect;
mod convert_quorum;
mod crashed;
pub mod decide;
mod deploy;
pub mod facts;
pub mod handover;
mod hosts;
mod leftovers;
pub mod membership;
pub mod migrate;
pub mod operate;
mod options;
pub mod pending;
pub mod preflight;
mod preview;
pub mod quorum;
mod recover;
mod relay;
mod roll;
mod rotate_ca;
pub mod runlock;
pub mod running;
pub mod secrets;
mod start;
pub mod status;
pub mod upgrade;
mod users;
pub mod wait;

pub use deploy::deploy;
pub use options::{ApplyError, Cancel, DeployOptions, DeploySummary, Failure, MigrationReport, DEFAULT_PARALLELISM};
pub use preflight::{preflight, Finding, Verdict};
pub use preview::{preview, PreviewRow};
