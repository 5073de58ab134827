//! A project's run logs as a list (newest first: when each started, its verb, how it ended, its size — read from the
//! file's name and its closing line) and a copy of one into a file the user chose (the desktop app's Runs list and
//! Save log…). Only a name from the list is accepted, never a path; the copy is a new file (0600), never over an
//! existing one nor through a symlink.

use super::{newest_first, runs_dir, RunLogError, RunResult};
use serde::Deserialize;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// One run log of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The file's name in the project's runs directory (`20261201T044655.123Z-deploy.jsonl`).
    pub file: String,
    /// `2026-12-01T04:46:55Z`, from the name.
    pub started_utc: String,
    pub verb: String,
    /// How it ended; `None` while it runs, or when the process was ended before it could say.
    pub result: Option<RunResult>,
    pub error: Option<String>,
    pub bytes: u64,
}

/// The closing line as written by `RunLog::finish`.
#[derive(Deserialize)]
struct RunFinished {
    event: String,
    verb: String,
    result: RunResult,
    error: Option<String>,
}

/// How many bytes from the end the closing line is looked for in.
const TAIL_BYTES: u64 = 16 * 1024;

/// The project's run logs, newest first (none when it has no runs directory).
pub fn list(state_home: &Path, project: &str) -> Vec<RunInfo> {
    let dir = runs_dir(state_home, project);
    let names = newest_first(&dir).unwrap_or_default();
    names.into_iter().filter_map(|name| info(&dir, name)).collect()
}

fn info(dir: &Path, file: String) -> Option<RunInfo> {
    let mut f = std::fs::File::open(dir.join(&file)).ok()?;
    let bytes = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(bytes.saturating_sub(TAIL_BYTES))).ok()?;
    let mut tail = String::new();
    f.take(TAIL_BYTES).read_to_string(&mut tail).ok();
    let finished = tail
        .lines()
        .last()
        .and_then(|l| serde_json::from_str::<RunFinished>(l).ok())
        .filter(|f| f.event == "run_finished");
    let stem = file.trim_end_matches(".jsonl");
    let (stamp, verb) = stem.split_once('-').unwrap_or((stem, ""));
    // `…-deploy-2` (a second run in the same millisecond): the verb without the counter
    let verb = finished.as_ref().map(|f| f.verb.clone()).unwrap_or_else(|| verb.to_string());
    Some(RunInfo {
        started_utc: utc_of(stamp),
        verb,
        result: finished.as_ref().map(|f| f.result),
        error: finished.and_then(|f| f.error),
        bytes,
        file,
    })
}

/// `20261201T044655.123Z` → `2026-12-01T04:46:55Z` (as it is when it does not have that shape).
fn utc_of(stamp: &str) -> String {
    let d: Vec<char> = stamp.chars().collect();
    if d.len() < 15 || d[8] != 'T' {
        return stamp.to_string();
    }
    let s = |a: usize, b: usize| d[a..b].iter().collect::<String>();
    format!("{}-{}-{}T{}:{}:{}Z", s(0, 4), s(4, 6), s(6, 8), s(9, 11), s(11, 13), s(13, 15))
}

/// Copies the project's run log `file` (a name from [`list`]) to `out`: a new file, mode 0600.
pub fn copy_to(state_home: &Path, project: &str, file: &str, out: &Path) -> Result<PathBuf, RunLogError> {
    let dir = runs_dir(state_home, project);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunLogError::Io { path, source }
    };
    if !newest_first(&dir)?.iter().any(|n| n == file) {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, format!("no run log {file:?} of {project}"));
        return Err(RunLogError::Io { path: dir, source });
    }
    let from = dir.join(file);
    let text = std::fs::read(&from).map_err(io(&from))?;
    let mut to = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(out)
        .map_err(io(out))?;
    to.write_all(&text).map_err(io(out))?;
    Ok(out.to_path_buf())
}
