//! Run logs: every run that can change hosts keeps its events, one JSON object per line (each [`Event::json_line`],
//! exactly what the CLI's `--json` prints), then one `{"event":"run_finished",…}` line saying how it ended, in
//! `$XDG_STATE_HOME/kafka-wizard/runs/<project>/<UTC time>-<verb>.jsonl` (else `~/.local/state/…`; with neither
//! there is no run log — never a shared temporary directory). Directories are private (0700; a symlink or another
//! user's refused), files 0600 and created exclusively; the newest [`KEPT_RUNS`] per project are kept. Each line is
//! written straight to the file (no buffer), so a process that exits at once loses nothing already recorded.
//! Each line starts with `"ms"`, the milliseconds since the log was opened: where a run's time went (connecting,
//! the probe, each phase, each gate) is read from its log.
//! Events carry no secret by design (their fields are text the engine words; `Secret` prints as `***`).
//! [`tee`] records a run's events on their way to its front door; `listing` lists a project's runs and copies one out.

use crate::download::{ensure_private_dir, NotPrivate};
use crate::events::Event;
use serde::Serialize;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many run logs a project keeps; older ones are deleted when a run starts.
pub const KEPT_RUNS: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum RunLogError {
    #[error("no per-user state directory: neither XDG_STATE_HOME nor HOME is set to an absolute path")]
    NoStateDir,
    #[error("{}: {why}", dir.display())]
    UnsafeDir { dir: PathBuf, why: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// How a run ended (the `result` of the last line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    Succeeded,
    Failed,
    /// Stopped on request after the hosts' current steps.
    Cancelled,
    /// The process was ended at once (a third Ctrl-C).
    Aborted,
}

/// `$XDG_STATE_HOME`, else `$HOME/.local/state`; `None` when neither is an absolute path.
pub fn state_home() -> Option<PathBuf> {
    state_home_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

fn state_home_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let xdg = xdg_state_home.map(PathBuf::from).filter(|p| p.is_absolute());
    xdg.or_else(|| home.map(PathBuf::from).filter(|p| p.is_absolute()).map(|h| h.join(".local/state")))
}

/// Where a project's run logs are: `<state home>/kafka-wizard/runs/<project, made a safe file name>`.
pub fn runs_dir(state_home: &Path, project: &str) -> PathBuf {
    state_home.join("kafka-wizard").join("runs").join(safe_name(project))
}

/// One path component from any text: letters, digits, `-`, `_` and (not first) `.` kept, anything else `_`.
fn safe_name(text: &str) -> String {
    let name: String = text
        .chars()
        .take(64)
        .enumerate()
        .map(|(i, c)| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || (c == '.' && i > 0) { c } else { '_' })
        .collect();
    if name.is_empty() {
        "_".into()
    } else {
        name
    }
}

/// `20261201T044655.123Z-deploy.jsonl` (`…-deploy-2.jsonl` for a second run in the same millisecond).
fn file_name(at: time::OffsetDateTime, verb: &str, attempt: u32) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    );
    let suffix = if attempt > 1 { format!("-{attempt}") } else { String::new() };
    format!("{stamp}-{}{suffix}.jsonl", safe_name(verb))
}

/// The run logs in `dir`, newest first (by name, which starts with the UTC time).
fn newest_first(dir: &Path) -> Result<Vec<String>, RunLogError> {
    let io = |source| RunLogError::Io { path: dir.to_path_buf(), source };
    let mut logs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".jsonl") && entry.file_type().map_err(io)?.is_file() {
            logs.push(name);
        }
    }
    logs.sort_unstable_by(|a, b| b.cmp(a));
    Ok(logs)
}

/// The newest run log of `project` under `state_home`, if it has any.
pub fn newest(state_home: &Path, project: &str) -> Option<PathBuf> {
    let dir = runs_dir(state_home, project);
    newest_first(&dir).ok()?.into_iter().next().map(|name| dir.join(name))
}

/// Deletes all but the newest `keep` run logs in `dir`.
fn prune(dir: &Path, keep: usize) -> Result<(), RunLogError> {
    let logs = newest_first(dir)?;
    for old in logs.iter().skip(keep) {
        let path = dir.join(old);
        std::fs::remove_file(&path).map_err(|source| RunLogError::Io { path, source })?;
    }
    Ok(())
}

/// An open run log.
#[derive(Debug)]
pub struct RunLog {
    path: PathBuf,
    verb: String,
    /// `None` once a write failed (the rest of the run is not recorded; the run goes on).
    file: Mutex<Option<std::fs::File>>,
    /// When the log was opened: each line's `ms` counts from here.
    opened: std::time::Instant,
}

impl RunLog {
    /// Prunes the project's run logs to the newest `KEPT_RUNS - 1` and creates a new one for `verb` started `at`.
    pub fn create(
        state_home: &Path,
        project: &str,
        verb: &str,
        at: time::OffsetDateTime,
    ) -> Result<RunLog, RunLogError> {
        let root = state_home.join("kafka-wizard");
        let dir = runs_dir(state_home, project);
        for d in [root.clone(), root.join("runs"), dir.clone()] {
            ensure_private_dir(&d).map_err(|e| match e {
                NotPrivate::Io(source) => RunLogError::Io { path: d.clone(), source },
                NotPrivate::Unsafe(why) => RunLogError::UnsafeDir { dir: d.clone(), why },
            })?;
        }
        prune(&dir, KEPT_RUNS - 1)?;
        for attempt in 1..=100 {
            let path = dir.join(file_name(at, verb, attempt));
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&path);
            match opened {
                Ok(file) => {
                    let file = Mutex::new(Some(file));
                    return Ok(RunLog { path, verb: verb.to_string(), file, opened: std::time::Instant::now() });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(RunLogError::Io { path, source }),
            }
        }
        let source = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
        Err(RunLogError::Io { path: dir, source })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the event's JSON line.
    pub fn record(&self, event: &Event) {
        self.write_line(event.json_line());
    }

    /// Appends the closing line: `{"event":"run_finished","verb":…,"result":…,"error":…}`.
    pub fn finish(&self, result: RunResult, error: Option<&str>) {
        #[derive(Serialize)]
        struct RunFinished<'a> {
            event: &'static str,
            verb: &'a str,
            result: RunResult,
            error: Option<&'a str>,
        }
        let line = RunFinished { event: "run_finished", verb: &self.verb, result, error };
        self.write_line(serde_json::to_string(&line).expect("the closing line serialises"));
    }

    /// Writes the JSON object `line` with `"ms"` put first.
    fn write_line(&self, line: String) {
        let ms = self.opened.elapsed().as_millis();
        let line = match line.strip_prefix('{') {
            Some("}") => format!("{{\"ms\":{ms}}}\n"),
            Some(rest) => format!("{{\"ms\":{ms},{rest}\n"),
            None => format!("{line}\n"),
        };
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if file.as_mut().is_some_and(|f| f.write_all(line.as_bytes()).is_err()) {
            *file = None;
        }
    }
}

/// A new run log of `verb` on `project` in the user's state directory, started now.
pub fn open(project: &str, verb: &str) -> Result<RunLog, RunLogError> {
    let home = state_home().ok_or(RunLogError::NoStateDir)?;
    RunLog::create(&home, project, verb, time::OffsetDateTime::now_utc())
}

/// `events`, each one also recorded in `log` first (when there is one).
pub fn tee(events: crate::events::EventSink, log: &Option<std::sync::Arc<RunLog>>) -> crate::events::EventSink {
    match log.clone() {
        None => events,
        Some(log) => std::sync::Arc::new(move |event| {
            log.record(&event);
            events(event)
        }),
    }
}

/// The closing line's result and error.
pub type Ending = (RunResult, Option<String>);

/// How a run's result ends its log: cancelled when `cancelled(error)`, else failed with the error's message.
pub fn ending<T, E: std::fmt::Display>(result: &Result<T, E>, cancelled: impl Fn(&E) -> bool) -> Ending {
    match result {
        Ok(_) => (RunResult::Succeeded, None),
        Err(e) if cancelled(e) => (RunResult::Cancelled, Some(e.to_string())),
        Err(e) => (RunResult::Failed, Some(e.to_string())),
    }
}

pub mod listing;
#[cfg(test)]
mod tests;
