//! The project file: reading it (draft), checking it (validate) and the validated model (spec).
//!
//! API boundary: the rest of the engine takes a [`spec::ClusterSpec`] only; front ends load with [`load`] (or
//! [`draft::parse`] + [`validate::validate`] for live validation) and show the [`problem::Problem`]s.

pub mod checks;
pub mod defaults;
pub mod draft;
pub mod file;
pub mod jvm_opts;
mod migration_file;
pub mod problem;
pub mod schema;
pub mod spec;
pub mod template;
pub mod validate;

pub use draft::{parse, ProjectDraft};
pub use file::{ensure_cluster_id, load, LoadError, LoadedProject};
pub use problem::{Problem, Severity, Text};
pub use spec::ClusterSpec;
pub use validate::{validate, Validation};
