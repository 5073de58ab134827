//! Apply: carry out the plan on real hosts — connect, probe facts, compute the operations that close the gap
//! (pure), run them over each host's transport in phases, hosts in parallel, with events for every step; and
//! operate a deployed cluster (start, stop, rolling restart, status).

pub mod connect;
pub mod facts;
pub mod operations;
pub mod ops;
pub mod runner;
pub mod wait;

pub use runner::{deploy, ApplyError, Cancel, DeployOptions, DeploySummary, Failure};
