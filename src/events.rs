//! Events: what the engine reports while it works — typed, serialisable, in order. The CLI renders them as
//! progress bars and lines; the desktop app forwards them to the UI through a Tauri Channel. The engine never
//! prints.

use serde::Serialize;
use std::sync::Arc;
use ts_rs::TS;

/// Where something happens: the machine the wizard runs on, or one of the project's hosts (a host may be named
/// anything, `local` included: the two never share a name space).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
#[serde(tag = "on", content = "name", rename_all = "snake_case")]
pub enum Target {
    /// The machine the wizard runs on (downloads, health checks).
    Wizard,
    /// A host of the project, by name.
    Host(String),
}

impl Target {
    pub fn host(name: impl ToString) -> Target {
        Target::Host(name.to_string())
    }
}

/// How people read it: the host's name, or `this machine`.
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Wizard => f.pad("this machine"),
            Target::Host(name) => f.pad(name),
        }
    }
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The host was changed to match the project.
    Changed { detail: String },
    /// Nothing to do; why.
    Unchanged { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A phase begins; `phase` is its id (`fetch`, `start-brokers`, `stop-brokers`), `targets` where it works.
    PhaseStarted {
        phase: String,
        title: String,
        targets: Vec<Target>,
    },
    PhaseFinished {
        phase: String,
    },
    StepStarted {
        target: Target,
        step: String,
    },
    /// Bytes moved for a download (on the wizard's machine) or an upload (to a host).
    Progress {
        target: Target,
        step: String,
        done: u64,
        total: Option<u64>,
    },
    StepFinished {
        target: Target,
        step: String,
        outcome: Outcome,
    },
    StepFailed {
        target: Target,
        step: String,
        error: String,
    },
    /// Something an operator should know that does not stop the run (low disk space, a sysctl that cannot be set).
    Warning {
        target: Target,
        message: String,
    },
    /// A line for the log pane.
    Log {
        target: Target,
        message: String,
    },
}

impl Event {
    /// The event as one line of JSON (no newline): what the CLI's `--json` prints and what a run log keeps.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).expect("an event serialises")
    }
}

/// Where events go. Cheap to clone; called from many threads.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// A sink that drops everything (for callers that only want the result).
pub fn discard() -> EventSink {
    Arc::new(|_| {})
}
