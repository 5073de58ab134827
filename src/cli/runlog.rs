//! The CLI's side of run logs (`kafka_wizard::runlog`): opened before a run that can change hosts (deploy, start,
//! stop, restart, upgrade, rebalance, decommission — never a dry run), every event teed into it, and its path
//! printed last on stderr (`run log: PATH`), also after a failure or Ctrl-C. No place for it: one warning, and the
//! run goes on.

use kafka_wizard::events::EventSink;
use kafka_wizard::runlog::{self, RunLog};
use std::sync::Arc;

/// An open run log, or `None` (the warning was printed).
pub type Kept = Option<Arc<RunLog>>;

/// Opens the run log of `verb` on `project`.
pub fn open(project: &str, verb: &str) -> Kept {
    match runlog::open(project, verb) {
        Ok(log) => Some(Arc::new(log)),
        Err(e) => {
            eprintln!("warning: this run is not logged to a file: {e}");
            None
        }
    }
}

pub use runlog::{ending, Ending};

/// `events`, each one also recorded in the run log first.
pub fn tee(events: EventSink, log: &Kept) -> EventSink {
    runlog::tee(events, log)
}

/// Writes the closing line and prints where the log is (the last line of the run's output).
pub fn close(log: &Kept, (result, error): Ending) {
    if let Some(log) = log {
        log.finish(result, error.as_deref());
        eprintln!("run log: {}", log.path().display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::events::{Event, Target};
    use kafka_wizard::runlog::RunResult;
    use std::sync::Mutex;

    #[test]
    fn each_event_is_recorded_and_still_rendered_and_the_ending_names_cancel_and_failure() {
        let state = tempfile::tempdir().unwrap();
        let log: Kept =
            Some(Arc::new(RunLog::create(state.path(), "p", "stop", time::OffsetDateTime::now_utc()).unwrap()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let rendered = seen.clone();
        let events = tee(Arc::new(move |e: Event| rendered.lock().unwrap().push(e)), &log);
        let warning = Event::Warning { target: Target::host("h1"), message: "low disk".into() };
        events(warning.clone());
        assert_eq!(*seen.lock().unwrap(), std::slice::from_ref(&warning));
        let text = std::fs::read_to_string(log.as_ref().unwrap().path()).unwrap();
        let (ms, rest) =
            text.strip_prefix("{\"ms\":").and_then(|t| t.split_once(',')).expect("the line starts with ms");
        assert!(ms.parse::<u64>().is_ok(), "{text}");
        assert_eq!(format!("{{{rest}"), format!("{}\n", warning.json_line()));

        let fail: Result<(), &str> = Err("h1 down");
        assert_eq!(ending(&fail, |_| false), (RunResult::Failed, Some("h1 down".into())));
        assert_eq!(ending(&fail, |_| true).0, RunResult::Cancelled);
        assert_eq!(ending(&Ok::<(), &str>(()), |_| true), (RunResult::Succeeded, None));
    }
}
