#![cfg(feature = "e2e")]
//! End to end: the release's fan-out (`plan::distribution`, `apply::relay`) on six real test hosts — the wizard
//! uploads the release to one host only, the others get it host to host over SSH, each verifying the SHA-512, and
//! the cluster deploys healthy; a middle host whose copy is tampered with is caught by the next host's check and
//! re-fetches from the wizard. The binary is run exactly as users run it.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_fanout -- --test-threads=1 --nocapture`

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;
use support::world::{self, Mirror, World};

fn wizard(args: &[&str], cache: &Path) -> Output {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-fanout-state"))
        .output()
        .expect("run kafka-wizard");
    eprintln!(
        "[wizard] {} -> {} in {:.1}s\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status,
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Six hosts of Kafka 4: h1–h3 combined broker + controller, h4–h6 brokers; `distribution` left out (auto); the
/// wizard logs in as `user` (root, or `deploy` with sudo).
fn project(world: &World, mirror: &Mirror, dir: &Path, user: &str) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let inv = world.inventory();
    let mut s = format!(
        "format = 1\nname = \"e2e-fanout\"\n\n[kafka]\nversion = \"{v}\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"/var/lib/kafka/data\"]\nheap = \"256m\"\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         [ssh]\nuser = \"{user}\"\nidentity_file = \"{id}\"\nknown_hosts = \"{kh}\"\n",
        v = world::KAFKA_4,
        id = inv.identity_file.display(),
        kh = inv.known_hosts.display(),
    );
    for (i, h) in world.hosts().iter().enumerate() {
        let roles = if i < 3 { "[\"broker\", \"controller\"]" } else { "[\"broker\"]" };
        s.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = {roles}\nid = {}\n",
            h.name,
            h.ip,
            i + 1
        ));
    }
    let path = dir.join("fanout.toml");
    std::fs::write(&path, s).unwrap();
    path
}

/// The hosts the deploy's summary line says the wizard uploaded to (`; uploaded h1 12 MiB, h2 …`).
fn uploaded_by_the_wizard(out: &str) -> Vec<String> {
    let line = out.lines().find(|l| l.starts_with("deployed ")).unwrap_or_else(|| panic!("no summary:\n{out}"));
    let Some((_, rest)) = line.split_once("; uploaded ") else { return Vec::new() };
    let list = rest.split(';').next().unwrap();
    list.split(", ").map(|h| h.split_whitespace().next().unwrap().to_string()).collect()
}

fn healthy(project: &str, cache: &Path) {
    let o = wizard(&["status", "--json", project], cache);
    let st: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("status --json: {e}\n{}", text(&o)));
    assert_eq!(st["healthy"], true, "{st}");
}

/// No `authorized_keys` line of `user`, no key directory and no received temporary file is left on any host.
fn nothing_of_the_relay_is_left(world: &World, user: &str) {
    for h in world.hosts() {
        let script = format!(
            "h=$(getent passwd {user} | cut -d: -f6); grep -c kafka-wizard-relay- \"$h/.ssh/authorized_keys\" || true; \
             ls -a /opt \"$h\" | grep -c -e '\\.kw-' -e '\\.upload$' || true"
        );
        let left = world.ssh_ok(&h.name, "root", &script);
        assert_eq!(left.split_whitespace().collect::<Vec<_>>(), ["0", "0"], "{}: {left}", h.name);
    }
}

#[test]
fn six_hosts_get_the_release_from_one_upload_by_the_wizard_and_deploy_healthy() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(6);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let project = project(&world, &mirror, dir.path(), "root");
    let p = project.to_str().unwrap();

    let plan = wizard(&["plan", "--json", p], &cache);
    assert!(plan.status.success(), "{}", text(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let install = plan["phases"].as_array().unwrap().iter().find(|ph| ph["name"] == "install").unwrap();
    assert!(install["title"].as_str().unwrap().contains("6 hosts"), "{install}");
    let from: Vec<String> = install["work"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["steps"][0]["from"]["from"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(from.iter().filter(|f| *f == "wizard").count(), 1, "{install}");

    let t0 = Instant::now();
    let out = wizard(&["deploy", p], &cache);
    assert!(out.status.success(), "{}", text(&out));
    eprintln!("MEASURE fresh 6-host KRaft deploy with the release relayed: {:.1}s", t0.elapsed().as_secs_f64());
    let log = text(&out);
    assert_eq!(uploaded_by_the_wizard(&log), ["h1"], "{log}");
    for h in ["h2", "h3", "h4", "h5", "h6"] {
        assert!(
            log.lines().any(|l| l.contains(h) && l.contains("host to host over SSH") && l.contains("SHA-512 verified")),
            "{h} got the release from another host:\n{log}"
        );
    }
    assert!(!log.contains("relay from"), "no relay failed:\n{log}");
    healthy(p, &cache);
    nothing_of_the_relay_is_left(&world, "root");
    let again = wizard(&["deploy", p], &cache);
    assert!(again.status.success() && text(&again).contains("no changes"), "{}", text(&again));
}

#[test]
fn a_tampered_copy_on_a_middle_host_is_caught_by_the_next_host_and_both_re_fetch_from_the_wizard() {
    // logged in as a sudo user: relayed copies land in its home and are moved into place as root
    let rel = world::release(world::KAFKA_4);
    let world = World::up(6);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let project = project(&world, &mirror, dir.path(), "deploy");
    let p = project.to_str().unwrap();
    // h2 holds a verified copy after round 1 and sends it in round 2 (to h4): the first `ssh` it runs overwrites
    // bytes of the copy it is about to send (its stdin) — once — as a compromised or failing host would.
    world.ssh_ok(
        "h2",
        "root",
        "cat > /usr/local/bin/ssh <<'EOF'\n#!/bin/sh\nf=$(readlink /proc/$$/fd/0)\nrm -f /usr/local/bin/ssh\n\
         printf tampered | dd of=\"$f\" bs=1 seek=4096 conv=notrunc 2>/dev/null\nexec /usr/bin/ssh \"$@\"\nEOF\n\
         chmod 755 /usr/local/bin/ssh",
    );

    let out = wizard(&["deploy", p], &cache);
    assert!(out.status.success(), "{}", text(&out));
    let log = text(&out);
    assert!(log.contains("does not match the release's SHA-512"), "h4 caught the bad copy:\n{log}");
    assert!(log.contains("h2's copy is not the release") && log.contains("re-fetches it from the wizard"), "{log}");
    let mut uploaded = uploaded_by_the_wizard(&log);
    uploaded.sort();
    assert_eq!(uploaded, ["h1", "h2", "h4"], "{log}");
    assert_eq!(world.ssh_ok("h2", "root", "test -e /usr/local/bin/ssh && echo still || echo used").trim(), "used");
    healthy(p, &cache);
    nothing_of_the_relay_is_left(&world, "deploy");
}
