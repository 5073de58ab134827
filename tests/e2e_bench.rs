#![cfg(feature = "e2e")]
//! End to end: the benchmark (`bench/bench.py`) in its small form — three fresh hosts, one run of install-only and
//! its no-change re-run, with this build's `kafka-wizard` — produces sane figures: every host worked on, bytes sent
//! to each, no run failed, every figure present. Never a timed assertion: the full benchmark and its goals are run
//! by hand (`sudo bench/run.sh`, bench/README.md). The runner takes the world's session lock itself, so this test
//! holds no `World`.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_bench -- --nocapture`

use std::path::Path;
use std::process::Command;

#[test]
fn the_benchmarks_small_form_counts_every_host_and_the_bytes_sent_to_each_and_no_run_fails() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let run = Command::new("python3")
        .arg(root.join("bench/bench.py"))
        .args(["--quick", "--wizard", env!("CARGO_BIN_EXE_kafka-wizard"), "--out"])
        .arg(out.path())
        .output()
        .expect("run bench/bench.py");
    let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    eprintln!("{text}");
    assert!(run.status.success(), "bench/bench.py --quick failed:\n{text}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(results["failures"], serde_json::json!([]), "{results:#}");
    let raw = &results["raw"]["install_only"][0];
    assert_eq!(raw["hosts"], 3, "{raw:#}");
    let hosts = serde_json::json!(["h1", "h2", "h3"]);
    for (kind, runs) in [("install-only", &raw["runs"]), ("re-run", &raw["reruns"])] {
        let runs = runs.as_array().unwrap_or_else(|| panic!("no {kind} runs: {raw:#}"));
        assert_eq!(runs.len(), 1, "{kind}: {raw:#}");
        let r = &runs[0];
        assert_eq!(r["ok"], true, "{kind}: {r:#}");
        assert_eq!(r["hosts_with_steps"], hosts, "{kind}: every host worked on: {r:#}");
        let phases: Vec<&str> = r["phases"].as_array().unwrap().iter().filter_map(|p| p[0].as_str()).collect();
        assert!(phases.contains(&"install"), "{kind}: the install phase ran: {phases:?}");
        assert!(r["secs"].as_f64().unwrap() > 0.0 && r["rss_mb"].as_f64().unwrap() > 0.0, "{kind}: {r:#}");
    }
    // the fresh hosts got the release (its size, within the SSH overhead and the relay's share) from the wizard
    let tarball_mb = results["raw"]["tarball_mb"].as_f64().unwrap();
    let sent_mb = raw["runs"][0]["bytes_sent"].as_f64().unwrap() / 1e6;
    assert!(sent_mb > tarball_mb * 0.9, "the wizard sent {sent_mb:.1} MB for a {tarball_mb:.1} MB release: {raw:#}");
    // the re-run changed nothing: the release is not sent again
    let resent_mb = raw["reruns"][0]["bytes_sent"].as_f64().unwrap() / 1e6;
    assert!(resent_mb < tarball_mb / 4.0, "the no-change re-run sent {resent_mb:.1} MB: {raw:#}");
    // the re-run's floor: every host logged in to at once, once per run
    let logins = raw["login_floor"].as_array().unwrap_or_else(|| panic!("no login floor: {raw:#}"));
    assert!(logins.len() == 1 && logins[0].as_f64().unwrap() > 0.0, "{raw:#}");
    let names: Vec<&str> = results["figures"].as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    for want in [
        "install-only, 3 hosts",
        "no-change install-only re-run, 3 hosts",
        "wizard peak RSS, install-only 3 hosts",
        "wizard CPU, install-only 3 hosts",
        "bytes sent by the wizard per host, install-only 3 hosts",
    ] {
        assert!(names.contains(&want), "figure {want:?} missing: {names:?}");
    }
    assert!(text.contains("install-only, 3 hosts (s)"), "the table is printed:\n{text}");
}
