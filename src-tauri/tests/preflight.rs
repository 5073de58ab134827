//! Review's Check hosts and Apply fixes… through Tauri's IPC on the mock runtime: argument names, JSON shapes and
//! `{code, message}` errors as the UI sees them, against hosts that do not answer (no test host here: the rows of a
//! real check are read in the app's window test on the test world, `tests-app/tests/app_install.rs`, and the
//! engine's own tests). Applying fixes is a job — refused with `busy` while another runs, before any host is asked —
//! and run-logged as `preflight-fix`.

mod ipc;

use ipc::invoke;
use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

fn window() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    ipc::window(&[
        ("XDG_CONFIG_HOME", concat!(env!("CARGO_TARGET_TMPDIR"), "/preflight-xdg-config")),
        ("XDG_DATA_HOME", concat!(env!("CARGO_TARGET_TMPDIR"), "/preflight-xdg-data")),
        ("XDG_STATE_HOME", concat!(env!("CARGO_TARGET_TMPDIR"), "/preflight-xdg-state")),
    ])
}

/// The guide's project with every host on a closed port of its own loopback address: refused at once, nothing read.
fn unreachable_draft(w: &WebviewWindow<MockRuntime>) -> Value {
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml");
    let mut draft = invoke(w, "open_project", json!({ "path": seed })).unwrap()["draft"].clone();
    draft["ssh"]["port"] = json!(1);
    for (i, host) in draft["hosts"].as_array_mut().unwrap().iter_mut().enumerate() {
        host["address"] = json!(format!("127.0.0.{}", i + 1));
    }
    draft
}

#[test]
fn applying_fixes_is_refused_with_busy_while_an_install_runs_before_any_host_is_asked_and_a_run_is_logged() {
    use tauri::Manager;
    let (app, w) = window();
    let draft = unreachable_draft(&w);
    let jobs = app.state::<kafka_wizard_app::state::Jobs>();
    let running = jobs.begin().unwrap();
    let err = invoke(&w, "preflight_fix", json!({ "draft": draft, "options": {}, "dryRun": false })).unwrap_err();
    assert_eq!(err["code"], "busy", "refused before any host is asked: {err}");
    // the preview is no job: it goes on to the hosts (here: none answers)
    let err = invoke(&w, "preflight_fix", json!({ "draft": draft, "options": {}, "dryRun": true })).unwrap_err();
    assert_eq!(err["code"], "connect", "{err}");
    drop(running);
    let err = invoke(&w, "preflight_fix", json!({ "draft": draft, "options": {}, "dryRun": false })).unwrap_err();
    assert_eq!(err["code"], "connect", "{err}");
    // the fixes' run is logged as the CLI's `deploy --preflight-only --fix`, failed with the engine's message
    let runs = invoke(&w, "run_logs", json!({ "draft": draft })).unwrap();
    let newest = &runs.as_array().unwrap()[0];
    assert_eq!((newest["verb"].as_str(), newest["result"].as_str()), (Some("preflight-fix"), Some("failed")), "{runs}");
    assert!(newest["error"].as_str().unwrap().contains("peter-kafka001"), "{newest}");
}

#[test]
fn checking_unreachable_hosts_fails_with_the_connect_code_naming_them() {
    let (_app, w) = window();
    let mut draft = unreachable_draft(&w);
    let err = invoke(&w, "preflight_check", json!({ "draft": draft, "options": {} })).unwrap_err();
    assert_eq!(err["code"], "connect", "{err}");
    assert!(err["message"].as_str().unwrap().contains("peter-kafka001"), "{err}");
    let err = invoke(&w, "preflight_fix", json!({ "draft": draft, "options": {}, "dryRun": true })).unwrap_err();
    assert_eq!(err["code"], "connect", "{err}");
    draft["hosts"][4]["id"] = json!(1);
    let err = invoke(&w, "preflight_check", json!({ "draft": draft, "options": {} })).unwrap_err();
    assert_eq!(err["code"], "invalid_project", "{err}");
}
