#![cfg(feature = "e2e")]
//! End to end: the release's fan-out (`plan::distribution`, `apply::relay`) on four real test hosts — a middle host
//! whose copy is tampered with is caught by the next host's check and both re-fetch from the wizard, and the cluster
//! deploys healthy. The login user's sudo asks for a password there (`--ask-become-password`, fed on stdin): a run
//! without it, and one with a wrong one, fail before anything changes, and while the deploy runs a sampler reads
//! every host's process list — the password is never in it, nor in the run logs, files or output. (The clean
//! fan-out — the wizard uploads to one host of six, the others get it host to host, each
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

/// [`wizard`] with `stdin` fed to it.
fn wizard_fed(args: &[&str], home: &Path, stdin: &[u8]) -> Output {
    support::wizard::run_wizard_with_input(home, args, Some(stdin)).0
}

/// The `deploy` user's password on the test hosts for this test (set by it), and sudo made to ask for it.
const BECOME_PASSWORD: &str = "Kw-sudo-7f3e9a-Pw";

fn require_sudo_password(world: &World) {
    for h in world.hosts() {
        world.ssh_ok(
            &h.name,
            "root",
            &format!(
                "echo 'deploy:{BECOME_PASSWORD}' | chpasswd && echo 'deploy ALL=(ALL) ALL' > /etc/sudoers.d/deploy && \
                 visudo -c -q"
            ),
        );
    }
}

/// Nothing of Kafka on any host yet (no change was made).
fn untouched(world: &World) {
    for h in world.hosts() {
        let found = world.ssh_ok(&h.name, "root", "ls -A /opt /etc | grep -ci kafka || true");
        assert_eq!(found.trim(), "0", "{} was changed", h.name);
    }
}

/// The line between two process lists in the sampler's stream.
const SAMPLE_END: &str = "=== kw sample end ===";

/// Samples `ps -eo args` on every host until `stop`: (samples, lines that ran a sudo command, lines with the
/// password). One SSH session per host runs the sampling loop there (10 lists a second) and streams the lists: a new
/// connection per sample cost both cores' worth of key exchanges during the deploy it watched.
fn sample_process_lists(world: &World, stop: &std::sync::atomic::AtomicBool) -> (usize, usize, Vec<String>) {
    use std::io::BufRead;
    use std::sync::atomic::Ordering;
    let script = format!("while :; do ps -eo args; echo '{SAMPLE_END}'; sleep 0.1; done");
    let mut sessions: Vec<std::process::Child> = world
        .hosts()
        .iter()
        .map(|h| {
            std::process::Command::new("ssh")
                .args(world.ssh_options())
                .arg(format!("root@{}", h.ip))
                .arg(&script)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn the sampling ssh")
        })
        .collect();
    let counts = std::thread::scope(|scope| {
        let readers: Vec<_> = sessions
            .iter_mut()
            .map(|child| {
                let stdout = child.stdout.take().expect("the sampler's stdout");
                scope.spawn(move || {
                    let (mut samples, mut sudo, mut leaks) = (0, 0, Vec::new());
                    for line in std::io::BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        if line == SAMPLE_END {
                            samples += 1;
                        } else if line.starts_with("sudo -k -S -p") {
                            sudo += 1;
                        }
                        if line.contains(BECOME_PASSWORD) {
                            leaks.push(line);
                        }
                    }
                    (samples, sudo, leaks)
                })
            })
            .collect();
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // the last lists of the deploy were read by now; ending the sessions ends the readers
        std::thread::sleep(std::time::Duration::from_millis(300));
        for child in sessions.iter_mut() {
            let _ = child.kill();
        }
        readers.into_iter().map(|r| r.join().unwrap()).collect::<Vec<_>>()
    });
    for mut child in sessions {
        let _ = child.wait();
    }
    counts.into_iter().fold((0, 0, Vec::new()), |mut all, one| {
        all.0 += one.0;
        all.1 += one.1;
        all.2.extend(one.2);
        all
    })
}

/// The files under `dir` whose bytes hold the password.
fn files_with_password(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(BECOME_PASSWORD.len()).any(|w| w == BECOME_PASSWORD.as_bytes()) {
                    found.push(path);
                }
            }
        }
    }
    found
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
    let input = format!("{BECOME_PASSWORD}\n");
    let o = wizard_fed(&["status", "--json", "--ask-become-password", project], home, input.as_bytes());
    let st: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("status --json: {e}\n{}", text(&o)));
    assert_eq!(st["healthy"], true, "{st}");
}

#[test]
fn a_tampered_copy_on_a_middle_host_is_caught_by_the_next_host_and_both_re_fetch_from_the_wizard() {
    // logged in as a sudo user whose sudo asks for a password: relayed copies land in its home and are moved into
    // place as root
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

    require_sudo_password(&world);
    let started = std::time::Instant::now();
    let out = wizard(&["deploy", p], home);
    let log = text(&out);
    assert!(!out.status.success() && log.contains("sudo needs a password for deploy"), "{log}");
    assert!(log.contains("--ask-become-password") && log.contains("h1"), "{log}");
    untouched(&world);
    let out = wizard_fed(&["deploy", "--ask-become-password", p], home, b"not-the-password\n");
    let log = text(&out);
    assert!(!out.status.success(), "{log}");
    assert!(log.contains("sudo on h1 refused the password given with --ask-become-password"), "{log}");
    untouched(&world);
    eprintln!("refused without and with a wrong password in {:.1}s", started.elapsed().as_secs_f64());

    let stop = std::sync::atomic::AtomicBool::new(false);
    let (out, (samples, sudo_lines, leaks)) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| sample_process_lists(&world, &stop));
        let input = format!("{BECOME_PASSWORD}\n");
        let out = wizard_fed(&["deploy", "--ask-become-password", p], home, input.as_bytes());
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        (out, sampler.join().unwrap())
    });
    assert!(out.status.success(), "{}", text(&out));
    let log = text(&out);
    eprintln!("{samples} process lists sampled, {sudo_lines} `sudo -k -S` command lines seen");
    assert!(sudo_lines > 0, "the sampler saw the privileged commands ({samples} samples)");
    assert!(leaks.is_empty(), "the password in a process list: {leaks:?}");
    assert!(!log.contains(BECOME_PASSWORD), "the password in the CLI's output");
    let leaked_files = files_with_password(dir.path());
    assert!(leaked_files.is_empty(), "the password in the run logs, state or project dir: {leaked_files:?}");
    for h in world.hosts() {
        let grep = format!("grep -rIl -- '{BECOME_PASSWORD}' /etc /opt /var/log /home /tmp /root 2>/dev/null || true");
        let hits = world.ssh_ok(&h.name, "root", &grep);
        assert_eq!(hits.trim(), "", "the password in files on {}", h.name);
    }
    assert!(log.contains("does not match the release's SHA-512"), "h4 caught the bad copy:\n{log}");
    assert!(log.contains("h2's copy is not the release") && log.contains("re-fetches it from the wizard"), "{log}");
    let mut uploaded = support::relay::uploaded_by_the_wizard(&log);
    uploaded.sort();
    assert_eq!(uploaded, ["h1", "h2", "h4"], "{log}");
    assert_eq!(world.ssh_ok("h2", "root", "test -e /usr/local/bin/ssh && echo still || echo used").trim(), "used");
    healthy(p, home);
    support::relay::nothing_of_the_relay_is_left(&world, "deploy");
}
