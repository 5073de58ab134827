//! Apply: carry out the plan on real hosts — probe facts, compute the operations that close the gap (pure),
//! run them over each host's transport, in phases, hosts in parallel, with events for every step.

pub mod facts;
pub mod operations;
