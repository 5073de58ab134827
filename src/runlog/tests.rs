use super::*;
use crate::events::{Outcome, Target};
use crate::transport::Secret;
use std::os::unix::fs::PermissionsExt;

fn at(seconds: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_764_564_415 + seconds).unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn the_state_home_is_xdg_state_home_else_home_and_never_a_temporary_directory() {
    let some = |s: &str| Some(OsString::from(s));
    assert_eq!(state_home_from(some("/x/state"), some("/home/u")), Some(PathBuf::from("/x/state")));
    assert_eq!(state_home_from(some("relative"), some("/home/u")), Some(PathBuf::from("/home/u/.local/state")));
    assert_eq!(state_home_from(None, some("")), None);
    assert_eq!(state_home_from(None, None), None);
}

#[test]
fn a_project_name_with_slashes_or_dots_stays_one_directory_under_runs() {
    let runs = Path::new("/s/kafka-wizard/runs");
    assert_eq!(runs_dir(Path::new("/s"), "peter-kafka.prod"), runs.join("peter-kafka.prod"));
    for name in ["../../etc", "..", ".", "a/b", "/abs", "", "x\ny"] {
        let dir = runs_dir(Path::new("/s"), name);
        assert_eq!(dir.parent(), Some(runs), "{name:?} → {dir:?}");
        let last = dir.file_name().unwrap().to_str().unwrap();
        assert!(!last.starts_with('.') && !last.contains('/'), "{name:?} → {last:?}");
    }
    assert_eq!(file_name(at(0), "deploy", 1), "20251201T044655.000Z-deploy.jsonl");
    assert_eq!(file_name(at(0), "upgrade-finalize", 2), "20251201T044655.000Z-upgrade-finalize-2.jsonl");
}

#[test]
fn directories_are_created_0700_and_the_log_0600_with_one_json_line_per_event() {
    let state = tempfile::tempdir().unwrap();
    let log = RunLog::create(state.path(), "p", "deploy", at(0)).unwrap();
    log.record(&Event::PhaseFinished { phase: "fetch".into() });
    std::thread::sleep(std::time::Duration::from_millis(30));
    log.finish(RunResult::Failed, Some("h1: cannot connect"));
    for dir in ["kafka-wizard", "kafka-wizard/runs", "kafka-wizard/runs/p"] {
        assert_eq!(mode(&state.path().join(dir)), 0o700, "{dir}");
    }
    assert_eq!(mode(log.path()), 0o600);
    let text = std::fs::read_to_string(log.path()).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ms: Vec<u64> = lines.iter().map(|l| l["ms"].as_u64().unwrap()).collect();
    assert!(ms[0] < 30 && ms[1] >= ms[0] + 30, "each line says when, from the log's opening: {ms:?}");
    let without_ms = text.lines().map(|l| l.split_once(',').unwrap().1).collect::<Vec<_>>().join("\n");
    assert_eq!(
        without_ms,
        "\"event\":\"phase_finished\",\"phase\":\"fetch\"}\n\
         \"event\":\"run_finished\",\"verb\":\"deploy\",\"result\":\"failed\",\"error\":\"h1: cannot connect\"}"
    );
    assert!(text.starts_with("{\"ms\":"), "{text}");
    let again = RunLog::create(state.path(), "p", "deploy", at(0)).unwrap();
    assert!(again.path().to_str().unwrap().ends_with("-deploy-2.jsonl"), "same millisecond: a second file");
}

#[test]
fn rotation_keeps_the_newest_runs_and_deletes_the_older_ones_when_a_run_starts() {
    let state = tempfile::tempdir().unwrap();
    let dir = runs_dir(state.path(), "p");
    let first = RunLog::create(state.path(), "p", "stop", at(0)).unwrap().path().to_path_buf();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    for i in 1..KEPT_RUNS as i64 + 5 {
        RunLog::create(state.path(), "p", "start", at(i)).unwrap();
    }
    let kept = names(&dir);
    assert_eq!(kept.len(), KEPT_RUNS + 1, "the newest {KEPT_RUNS} and the file that is no run log");
    assert!(kept.contains(&"notes.txt".to_string()));
    assert!(!first.exists());
    assert_eq!(kept[0], file_name(at(5), "start", 1), "the oldest kept");
    assert_eq!(kept[KEPT_RUNS - 1], file_name(at(KEPT_RUNS as i64 + 4), "start", 1), "the newest");
    assert_eq!(newest(state.path(), "p"), Some(dir.join(&kept[KEPT_RUNS - 1])), "the newest run log is found");
    assert_eq!(newest(state.path(), "other"), None, "a project without runs has none");
}

#[test]
fn a_symlinked_runs_dir_is_refused_and_nothing_is_written_through_it() {
    let state = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(state.path().join("kafka-wizard")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), state.path().join("kafka-wizard/runs")).unwrap();
    let err = RunLog::create(state.path(), "p", "deploy", at(0)).unwrap_err();
    assert!(matches!(&err, RunLogError::UnsafeDir { why, .. } if why == "is a symbolic link"), "{err}");
    assert!(err.to_string().ends_with("kafka-wizard/runs: is a symbolic link"), "{err}");
    assert!(names(elsewhere.path()).is_empty());
}

#[test]
fn a_realistic_run_log_never_holds_a_planted_secret() {
    let planted = Secret::new("pl4nted-S3cret-value");
    let state = tempfile::tempdir().unwrap();
    let log = RunLog::create(state.path(), "secure", "deploy", at(0)).unwrap();
    let h1 = Target::host("h1");
    // Where a careless message could mention a secret, it prints as `***` (Secret's Display and Debug).
    let events = [
        Event::PhaseStarted { phase: "users".into(), title: "SCRAM users".into(), targets: vec![h1.clone()] },
        Event::StepStarted { target: h1.clone(), step: "create user app".into() },
        Event::Log { target: h1.clone(), message: format!("password {planted}") },
        Event::Warning { target: Target::Wizard, message: format!("{planted:?}") },
        Event::StepFinished {
            target: h1.clone(),
            step: "create user app".into(),
            outcome: Outcome::Changed { detail: "created".into() },
        },
        Event::StepFailed { target: h1, step: "write client.properties".into(), error: format!("{planted}") },
    ];
    for event in &events {
        log.record(event);
    }
    log.finish(RunResult::Failed, Some(&format!("login with {planted} refused")));
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert_eq!(text.lines().count(), events.len() + 1);
    assert!(text.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{text}");
    assert!(!text.contains(planted.expose()), "{text}");
    assert!(text.contains("***"));
}

/// Picks the inherent method when `T: Serialize`, else the trait's: whether a type can be serialised.
struct Probe<T>(std::marker::PhantomData<T>);
trait NotSerialize {
    fn serialisable(&self) -> bool {
        false
    }
}
impl<T> NotSerialize for Probe<T> {}
impl<T: Serialize> Probe<T> {
    fn serialisable(&self) -> bool {
        true
    }
}

#[test]
fn a_secret_cannot_be_serialised_so_no_event_field_can_hold_one() {
    assert!(Probe::<Event>(std::marker::PhantomData).serialisable());
    assert!(!Probe::<Secret>(std::marker::PhantomData).serialisable());
}

#[test]
fn the_runs_are_listed_newest_first_with_how_each_ended_and_one_is_copied_out_privately_never_over_a_file() {
    use super::listing::{copy_to, list};
    use std::os::unix::fs::PermissionsExt;
    let state = tempfile::tempdir().unwrap();
    let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(1_764_560_000 + s).unwrap();
    let done = RunLog::create(state.path(), "p", "deploy", at(0)).unwrap();
    done.record(&Event::Warning { target: crate::events::Target::host("h1"), message: "low disk".into() });
    done.finish(RunResult::Failed, Some("h1: step failed"));
    let running = RunLog::create(state.path(), "p", "restart", at(60)).unwrap();
    running.record(&Event::Warning { target: crate::events::Target::host("h2"), message: "slow".into() });
    let runs = list(state.path(), "p");
    assert_eq!(runs.iter().map(|r| r.verb.as_str()).collect::<Vec<_>>(), ["restart", "deploy"]);
    assert_eq!((runs[0].result, runs[0].error.as_deref()), (None, None), "still running: no ending yet");
    assert_eq!((runs[1].result, runs[1].error.as_deref()), (Some(RunResult::Failed), Some("h1: step failed")));
    assert_eq!(runs[1].started_utc, "2025-12-01T03:33:20Z");
    assert_eq!(runs[1].bytes, std::fs::metadata(done.path()).unwrap().len());
    assert!(list(state.path(), "other").is_empty());

    let out = state.path().join("saved.jsonl");
    copy_to(state.path(), "p", &runs[1].file, &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(done.path()).unwrap());
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let again = copy_to(state.path(), "p", &runs[1].file, &out).unwrap_err().to_string();
    assert!(again.contains("exists"), "{again}");
    let outside = copy_to(state.path(), "p", "../../x.jsonl", &state.path().join("y")).unwrap_err().to_string();
    assert!(outside.contains("no run log"), "{outside}");
}
