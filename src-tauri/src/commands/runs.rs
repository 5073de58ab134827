//! Run logs in the app, as the CLI keeps them (`kafka_wizard::runlog`): every install and Manage operation that can
//! change hosts records its events to `$XDG_STATE_HOME/kafka-wizard/runs/<project>/…jsonl` and its ending
//! ([`logged`]); the Runs list (`run_logs`: newest first, how each ended) and Save log… (`save_run_log`: a copy into
//! a new file the user chose, 0600) read them back.

use super::spec_of;
use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::events::EventSink;
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::runlog::{self, listing, RunLog, RunResult};
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use ts_rs::TS;

/// One run of the project, as the Runs list shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct RunEntry {
    /// The log's file name (what `save_run_log` takes).
    pub file: String,
    /// `2026-12-01T04:46:55Z`.
    pub started_utc: String,
    /// `deploy`, `restart`, `migrate-finalize`, …
    pub verb: String,
    /// `succeeded`, `failed`, `cancelled`, `aborted`; null while it runs or when the app was ended during it.
    pub result: Option<String>,
    pub error: Option<String>,
    pub bytes: u64,
}

/// A new run log of `verb` on `project` in the user's state directory; none without one (the run goes on unlogged).
pub(crate) fn open(project: &str, verb: &str) -> Option<Arc<RunLog>> {
    runlog::open(project, verb).ok().map(Arc::new)
}

/// Runs `run` with its events (`events`) also recorded in `log`, closed with how the run ended.
pub(crate) async fn logged<T, E: std::fmt::Display, F: Future<Output = Result<T, E>>>(
    log: Option<Arc<RunLog>>,
    events: EventSink,
    cancelled: impl Fn(&E) -> bool,
    run: impl FnOnce(EventSink) -> F,
) -> Result<T, E> {
    let result = run(runlog::tee(events, &log)).await;
    if let Some(log) = &log {
        let (ending, error) = runlog::ending(&result, cancelled);
        log.finish(ending, error.as_deref());
    }
    result
}

fn result_word(r: RunResult) -> String {
    serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The project's runs, newest first (empty without a state directory or runs).
#[tauri::command]
pub fn run_logs(draft: ProjectDraft) -> AppResult<Vec<RunEntry>> {
    let spec = spec_of(&draft)?;
    let Some(home) = runlog::state_home() else { return Ok(vec![]) };
    Ok(listing::list(&home, &spec.name)
        .into_iter()
        .map(|r| RunEntry {
            file: r.file,
            started_utc: r.started_utc,
            verb: r.verb,
            result: r.result.map(result_word),
            error: r.error,
            bytes: r.bytes,
        })
        .collect())
}

/// Copies the project's run log `file` (a name from `run_logs`) to `out`, a new file (0600); returns its path.
#[tauri::command]
pub fn save_run_log(draft: ProjectDraft, file: String, out: String) -> AppResult<String> {
    let spec = spec_of(&draft)?;
    let home = runlog::state_home()
        .ok_or_else(|| AppError::new(ErrorCode::Io, runlog::RunLogError::NoStateDir.to_string()))?;
    let out = out.trim();
    let path = crate::paths::user_path(out).map_err(|e| AppError::new(ErrorCode::Io, format!("{out}: {e}")))?;
    let written =
        listing::copy_to(&home, &spec.name, &file, &path).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    Ok(written.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::events::{Event, Target};

    #[tokio::test]
    async fn a_logged_run_records_its_events_then_how_it_ended() {
        let state = tempfile::tempdir().unwrap();
        let log = |verb| Some(Arc::new(RunLog::create(state.path(), "p", verb, time_now()).unwrap()));
        let shown = Arc::new(std::sync::Mutex::new(0));
        let counter = shown.clone();
        let events: EventSink = Arc::new(move |_| *counter.lock().unwrap() += 1);
        let warn = |events: EventSink| async move {
            events(Event::Warning { target: Target::host("h1"), message: "low disk".into() });
            Err::<(), String>("h1: step failed".into())
        };
        let failed = logged(log("deploy"), events.clone(), |_| false, warn).await;
        assert!(failed.is_err());
        assert_eq!(*shown.lock().unwrap(), 1, "the event still reaches the UI");
        logged(log("stop"), events, |_| false, |_| async { Ok::<(), String>(()) }).await.unwrap();
        let runs = listing::list(state.path(), "p");
        let ended: Vec<_> =
            runs.iter().map(|r| (r.verb.as_str(), r.result.map(result_word), r.error.as_deref())).collect();
        assert_eq!(
            ended,
            [("stop", Some("succeeded".into()), None), ("deploy", Some("failed".into()), Some("h1: step failed"))]
        );
        let text = std::fs::read_to_string(state.path().join("kafka-wizard/runs/p").join(&runs[1].file)).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["event"], "warning", "{text}");
        assert!(text.starts_with("{\"ms\":"), "each line says when first: {text}");
    }

    fn time_now() -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}
