//! A problem found in a project: its severity, the field it names (`hosts[3].id`) and what to do about it — in
//! English (the CLI's language) and in Korean (the app's Korean mode), both written at the place that finds it.

use serde::Serialize;
use std::fmt;
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The project cannot be used until this is fixed.
    Error,
    /// Valid, but an experienced operator would want to know (exit status stays 0).
    Warning,
}

/// One message in both languages: `en` for the CLI and the English UI, `ko` for the Korean UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    /// A message that exists only in English (a TOML parser's error, say): the Korean side repeats it.
    pub fn english_only(en: impl Into<String>) -> Self {
        let en = en.into();
        Text { ko: en.clone(), en }
    }
}

/// `text!("english {x}", "한국어 {x}")` → a [`Text`]; both sides are `format!` strings over the same names or
/// trailing arguments (an argument one side leaves out does not compile).
macro_rules! text {
    ($en:literal, $ko:literal $(,)?) => {
        $crate::project::problem::Text { en: format!($en), ko: format!($ko) }
    };
    ($en:literal, $ko:literal, $($arg:tt)+) => {
        $crate::project::problem::Text { en: format!($en, $($arg)+), ko: format!($ko, $($arg)+) }
    };
}
pub(crate) use text;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Problem {
    pub severity: Severity,
    /// Path of the field in the project file: `name`, `kafka.data_dirs[1]`, `hosts[3].id`, `zookeeper.chroot`.
    pub field: String,
    /// What is wrong and what to do, in one sentence (English: what the CLI prints).
    pub message: String,
    /// The same sentence in Korean, for the app's Korean mode.
    pub message_ko: String,
}

impl Problem {
    pub fn error(field: impl Into<String>, text: Text) -> Self {
        Problem { severity: Severity::Error, field: field.into(), message: text.en, message_ko: text.ko }
    }
    pub fn warning(field: impl Into<String>, text: Text) -> Self {
        Problem { severity: Severity::Warning, field: field.into(), message: text.en, message_ko: text.ko }
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
