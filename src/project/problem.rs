//! A problem found in a project: its severity, the field it names (`hosts[3].id`) and what to do about it.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The project cannot be used until this is fixed.
    Error,
    /// Valid, but an experienced operator would want to know (exit status stays 0).
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// Path of the field in the project file: `name`, `kafka.data_dirs[1]`, `hosts[3].id`, `zookeeper.chroot`.
    pub field: String,
    /// What is wrong and what to do, in one sentence.
    pub message: String,
}

impl Problem {
    pub fn error(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { severity: Severity::Error, field: field.into(), message: message.into() }
    }
    pub fn warning(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { severity: Severity::Warning, field: field.into(), message: message.into() }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}: {}", self.field, self.message)
    }
}
