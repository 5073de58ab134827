#![cfg(feature = "e2e")]
//! End to end: the release's fan-out (`plan::distribution`, `apply::relay`) on four real test hosts — a middle host
//! whose copy is tampered with is caught by the next host's check and both re-fetch from the wizard, and the cluster
//! deploys healthy. (The clean fan-out — the wizard uploads to one host of six, the others get it host to host, each
//! copy verified — is checked on the guide's six hosts in `e2e_deploy.rs`.) The binary is run exactly as users run
//! it.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_fanout -- --test-threads=1 --nocapture`

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::world::{self, Mirror, World};

/// The real binary with the test's own cache, data and state under `home` (`support::wizard::run_wizard`).
fn wizard(args: &[&str], home: &Path) -> Output {
    support::wizard::run_wizard(home, args).0
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Kafka 4: h1–h3 combined broker + controller, the rest brokers; `distribution` left out (auto); the
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

fn healthy(project: &str, home: &Path) {
    let o = wizard(&["status", "--json", project], home);
    let st: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("status --json: {e}\n{}", text(&o)));
    assert_eq!(st["healthy"], true, "{st}");
}

#[test]
fn a_tampered_copy_on_a_middle_host_is_caught_by_the_next_host_and_both_re_fetch_from_the_wizard() {
    // logged in as a sudo user: relayed copies land in its home and are moved into place as root
    let rel = world::release(world::KAFKA_4);
    let world = World::up(4);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
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

    let out = wizard(&["deploy", p], home);
    assert!(out.status.success(), "{}", text(&out));
    let log = text(&out);
    assert!(log.contains("does not match the release's SHA-512"), "h4 caught the bad copy:\n{log}");
    assert!(log.contains("h2's copy is not the release") && log.contains("re-fetches it from the wizard"), "{log}");
    let mut uploaded = support::relay::uploaded_by_the_wizard(&log);
    uploaded.sort();
    assert_eq!(uploaded, ["h1", "h2", "h4"], "{log}");
    assert_eq!(world.ssh_ok("h2", "root", "test -e /usr/local/bin/ssh && echo still || echo used").trim(), "used");
    healthy(p, home);
    support::relay::nothing_of_the_relay_is_left(&world, "deploy");
}
