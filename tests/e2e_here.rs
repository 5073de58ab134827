#![cfg(feature = "e2e")]
//! End to end: "This machine" — one test host plays the operator's own machine. The CLI binary is copied there and
//! run there over SSH, as the operator would run it at their terminal (root, its own cache, secrets store and trust
//! store in root's home): `init --here` writes the one-node KRaft project (`connection = "local"`, no SSH), then
//! `deploy` downloads from the test mirror, verifies, installs, starts and proves it healthy; `status`, `stop`,
//! `start` (healthy again) and a second deploy that changes nothing.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_here -- --nocapture`

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;
use support::world::{self, Mirror, World, KAFKA_4};

/// Runs `script` with bash as root on h1; prints it, its output and how long it took; returns (success, output).
fn on_h1(world: &World, what: &str, script: &str) -> (bool, String, f64) {
    let started = Instant::now();
    let out = world.ssh("h1", "root", script);
    let secs = started.elapsed().as_secs_f64();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("[h1] {what} -> {} in {secs:.1}s\n{text}", out.status);
    (out.status.success(), text, secs)
}

#[test]
fn this_machine_installs_a_one_node_kraft_cluster_that_is_healthy_stops_and_starts() {
    let test_started = Instant::now();
    let world = World::up(1);
    let release = world::release(KAFKA_4);
    let mirror = Mirror::start_on_bridge(&[&release]);
    let url = mirror.bridge_url().expect("on the bridge");
    let maven = mirror.serve_java_agent().replace(&mirror.base_url(), &url);

    // the operator's machine gets the CLI and trusts the test world's signing key, as an operator would
    world.scp_to("h1", "root", Path::new(env!("CARGO_BIN_EXE_kafka-wizard")), "/usr/local/bin/kafka-wizard");
    world.scp_to("h1", "root", &world::signing_keys_file(), "/root/test-KEYS");
    let (ok, out, _) = on_h1(&world, "trust import", "kafka-wizard trust import --yes /root/test-KEYS");
    assert!(ok, "{out}");

    // init --here: a one-node KRaft project on this machine, from the test mirror (and its exporter jar)
    let init = format!(
        "cd /root && kafka-wizard init --here --version {KAFKA_4} --mirror {u}/kafka --apache-url {u}/kafka here.toml \
         && printf 'maven_url = \"%s\"\\n' {m} >> here.toml && cat here.toml",
        u = world::shell_quote(&url),
        m = world::shell_quote(&maven),
    );
    let (ok, out, _) = on_h1(&world, "init --here", &init);
    assert!(ok, "{out}");
    assert!(out.contains("connection = \"local\""), "{out}");
    assert!(out.contains("warning: hosts: the cluster has a single broker"), "{out}");
    let (ok, out, _) = on_h1(&world, "init --here again", "cd /root && kafka-wizard init --here here.toml");
    assert!(!ok && out.contains("already exists"), "init never replaces a file: {out}");

    // deploy: downloaded, verified, installed, started, healthy
    let (ok, out, deploy_secs) = on_h1(&world, "deploy", "cd /root && kafka-wizard deploy here.toml");
    assert!(ok, "{out}");
    assert!(out.contains("the cluster is healthy"), "{out}");
    assert!(out.contains("OpenPGP signature by key"), "the signature was checked: {out}");
    eprintln!("MEASURE this machine: first deploy (download, verify, install, start, healthy) {deploy_secs:.1} s");
    // the node runs as the service user, listening where init said clients reach it
    let (ok, out, _) =
        on_h1(&world, "the node", "systemctl is-active kafka-server; ps -o user= -C java; ss -ltnH 'sport = :9092'");
    assert!(ok && out.starts_with("active\nkafka\n") && out.contains(":9092"), "{out}");

    let (ok, out, status_secs) = on_h1(&world, "status", "cd /root && kafka-wizard status here.toml");
    assert!(ok, "healthy: {out}");
    eprintln!("MEASURE this machine: status {status_secs:.1} s");

    let (ok, out, stop_secs) = on_h1(&world, "stop", "cd /root && kafka-wizard stop here.toml");
    assert!(ok, "{out}");
    let (ok, out, _) = on_h1(&world, "status when stopped", "cd /root && kafka-wizard status here.toml");
    assert!(!ok, "a stopped cluster is not healthy: {out}");
    let (_, out, _) = on_h1(&world, "unit", "systemctl is-active kafka-server");
    assert_eq!(out.trim(), "inactive");

    let (ok, out, start_secs) = on_h1(&world, "start", "cd /root && kafka-wizard start here.toml");
    assert!(ok, "{out}");
    let (ok, out, _) = on_h1(&world, "status after start", "cd /root && kafka-wizard status here.toml");
    assert!(ok, "healthy again: {out}");
    eprintln!("MEASURE this machine: stop {stop_secs:.1} s, start until healthy {start_secs:.1} s");

    let (ok, out, again_secs) = on_h1(&world, "deploy again", "cd /root && kafka-wizard deploy here.toml");
    assert!(ok, "{out}");
    assert!(out.contains("no changes: every host already matched the project"), "{out}");
    eprintln!("MEASURE this machine: a second deploy (no changes) {again_secs:.1} s");
    eprintln!("MEASURE this machine: whole test {:.1} s", test_started.elapsed().as_secs_f64());
}
