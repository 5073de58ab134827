//! Events: what the engine reports while it works — typed, serialisable, in order. The CLI renders them as
//! progress bars and lines; the desktop app forwards them to the UI through a Tauri Channel. The engine never
//! prints.

use serde::Serialize;
use std::sync::Arc;

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The host was changed to match the project.
    Changed { detail: String },
    /// Nothing to do; why.
    Unchanged { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    PhaseStarted {
        phase: String,
        title: String,
        hosts: Vec<String>,
    },
    PhaseFinished {
        phase: String,
    },
    StepStarted {
        host: String,
        step: String,
    },
    /// Bytes moved for a download (host `local`) or an upload.
    Progress {
        host: String,
        step: String,
        done: u64,
        total: Option<u64>,
    },
    StepFinished {
        host: String,
        step: String,
        outcome: Outcome,
    },
    StepFailed {
        host: String,
        step: String,
        error: String,
    },
    /// Something an operator should know that does not stop the run (low disk space, a sysctl that cannot be set).
    Warning {
        host: String,
        message: String,
    },
    /// A line for the log pane.
    Log {
        host: String,
        message: String,
    },
}

/// Where events go. Cheap to clone; called from many threads.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// A sink that drops everything (for callers that only want the result).
pub fn discard() -> EventSink {
    Arc::new(|_| {})
}
