//! Kafka Cluster Wizard's engine: from a project file to every file and step that makes a Kafka cluster.
//!
//! The engine never prints and knows nothing of its front ends (the `kafka-wizard` CLI here, the desktop app in
//! `src-tauri/`). See ARCHITECTURE.md for the code map and invariants.

pub mod apply;
pub mod catalog;
pub mod collect;
pub mod download;
pub mod events;
pub mod export;
pub mod health;
pub mod import;
pub mod overview;
pub mod plan;
pub mod project;
pub mod reassign;
pub mod release_index;
pub mod render;
pub mod runlog;
pub mod security;
pub mod shell;
pub mod smoke;
pub mod transport;
pub mod verify;

/// The build, as `kafka-wizard --version` says it: `<crate version> (<git short hash>[-dirty] <UTC build date>)`,
/// stamped by `build.rs` ("unknown" parts when built without git).
pub const BUILD_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("KAFKA_WIZARD_BUILD"), ")");

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    /// Whether the tests run as root (some can only be proven as root: `runuser`, `chown` to another user).
    pub fn running_as_root() -> bool {
        std::process::Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false)
    }
}
