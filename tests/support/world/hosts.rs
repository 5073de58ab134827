//! [`World`]: N real hosts h1..hN (systemd-nspawn, sshd, systemd, Java 17) for the lifetime of a value — brought up
//! and torn down by `tests/world/world.sh`, described by its inventory, reached with the `ssh`/`scp` command lines.

use super::session_lock::{SessionLock, LOCK};
use super::{run_script, run_script_ok, world_dir};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::MutexGuard;

/// `tests/world/state/inventory.json`, written by `world.sh up`.
#[derive(Debug, Clone, Deserialize)]
pub struct Inventory {
    pub hosts: Vec<HostInfo>,
    /// ed25519 private key (no passphrase) authorised for root and deploy on every host.
    pub identity_file: PathBuf,
    /// The same key pair in RSA/PEM form, for SSH libraries without ed25519.
    #[serde(default)]
    pub identity_file_rsa: Option<PathBuf>,
    /// known_hosts with every host's real host keys, under both its name and its IP.
    pub known_hosts: PathBuf,
    /// An ssh_config with `Host hX` entries, strict host-key checking, user root.
    pub ssh_config: PathBuf,
    /// A hosts-file snippet (`IP name` lines); the machine's /etc/hosts is not touched.
    #[serde(default)]
    pub hosts_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HostInfo {
    pub name: String,
    pub ip: String,
    pub users: Vec<String>,
    /// e.g. `"ssh-ed25519" -> "SHA256:..."`, also `ecdsa-sha2-nistp256` and `ssh-rsa`.
    pub host_key_fingerprints: BTreeMap<String, String>,
}

fn require_root() {
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "the end-to-end suite needs root (network namespaces, systemd-nspawn); run `sudo cargo test --features e2e` \
         after `sudo tests/world/prepare.sh`"
    );
}

/// N real hosts h1..hN at 10.77.0.11.. for the lifetime of this value.
pub struct World {
    inventory: Inventory,
    // dropped in this order after `Drop::drop` tore the hosts down
    _session: SessionLock,
    /// When this test got the world (after waiting for the lock): how long it held it goes to `KW_E2E_TIMINGS`.
    held_since: std::time::Instant,
    /// This test process's CPU seconds (its own and its reaped children's) when it got the world.
    cpu_since: f64,
    _guard: MutexGuard<'static, ()>,
}

impl World {
    /// Bring up `n` (1..=24, `world.sh`'s KW_MAX_HOSTS; the suite uses at most 12, 24 is the by-hand fleet test's)
    /// fresh hosts: removes whatever a crashed run left, boots the hosts, waits until each accepts SSH and systemd
    /// finished booting, reads the inventory.
    pub fn up(n: usize) -> World {
        assert!((1..=24).contains(&n), "World::up: 1..=24 hosts, not {n}");
        let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        require_root();
        let session = SessionLock::acquire();
        run_script_ok("world.sh", &["clean"]);
        let out = run_script("world.sh", &["up", &n.to_string()]);
        if !out.status.success() {
            run_script("world.sh", &["down"]);
            panic!(
                "world.sh up {n} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let inventory = read_inventory();
        assert_eq!(inventory.hosts.len(), n, "inventory lists {} hosts, expected {n}", inventory.hosts.len());
        World {
            inventory,
            held_since: std::time::Instant::now(),
            cpu_since: own_cpu_seconds(),
            _session: session,
            _guard: guard,
        }
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    pub fn hosts(&self) -> &[HostInfo] {
        &self.inventory.hosts
    }

    /// The host called `name` (`h1`..).
    pub fn host(&self, name: &str) -> &HostInfo {
        self.inventory.hosts.iter().find(|h| h.name == name).unwrap_or_else(|| panic!("no host {name} in the world"))
    }

    /// `ssh` options: the world's key, its known_hosts, strict host-key checking, batch mode.
    pub fn ssh_options(&self) -> Vec<String> {
        vec![
            "-i".into(),
            self.inventory.identity_file.display().to_string(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "StrictHostKeyChecking=yes".into(),
            "-o".into(),
            format!("UserKnownHostsFile={}", self.inventory.known_hosts.display()),
            "-o".into(),
            "GlobalKnownHostsFile=/dev/null".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "ConnectTimeout=5".into(),
            "-o".into(),
            "LogLevel=ERROR".into(),
        ]
    }

    /// Run `script` with bash on `host` as `user`, feeding `stdin`; returns the raw output.
    pub fn ssh_with_input(&self, host: &str, user: &str, script: &str, stdin: &[u8]) -> Output {
        let ip = self.host(host).ip.clone();
        let mut child = Command::new("ssh")
            .args(self.ssh_options())
            .arg(format!("{user}@{ip}"))
            .arg(format!("bash -c {}", shell_quote(script)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ssh");
        child.stdin.take().expect("stdin").write_all(stdin).expect("write to ssh");
        child.wait_with_output().expect("wait for ssh")
    }

    /// Run `script` with bash on `host` as `user`.
    pub fn ssh(&self, host: &str, user: &str, script: &str) -> Output {
        self.ssh_with_input(host, user, script, b"")
    }

    /// Run `script` on `host` as `user`; panics (with stdout and stderr) unless it exits 0.
    pub fn ssh_ok(&self, host: &str, user: &str, script: &str) -> String {
        let out = self.ssh(host, user, script);
        assert!(
            out.status.success(),
            "on {host} as {user}: `{script}` failed ({}):\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Copy a local file to `host` with `scp` (strict host-key checking).
    pub fn scp_to(&self, host: &str, user: &str, local: &Path, remote: &str) {
        let ip = &self.host(host).ip;
        let out = Command::new("scp")
            .args(self.ssh_options())
            .arg("-q")
            .arg(local)
            .arg(format!("{user}@{ip}:{remote}"))
            .output()
            .expect("spawn scp");
        assert!(
            out.status.success(),
            "scp {} -> {host}:{remote} failed: {}",
            local.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Clean halt of one host (its files and host keys are kept).
    pub fn stop_host(&self, name: &str) {
        run_script_ok("world.sh", &["stop", name]);
    }

    /// Boot a stopped host again and wait for SSH.
    pub fn start_host(&self, name: &str) {
        run_script_ok("world.sh", &["start", name]);
    }

    /// Cut a host off the network (its link goes down; the guest keeps running).
    pub fn cut_network(&self, name: &str) {
        run_script_ok("world.sh", &["cut", name]);
    }

    /// Undo `cut_network`.
    pub fn restore_network(&self, name: &str) {
        run_script_ok("world.sh", &["restore", name]);
    }

    /// Drop every TCP packet sent to the host's `port` (no answer, as behind a firewall's DROP rule).
    pub fn drop_port(&self, name: &str, port: u16) {
        run_script_ok("world.sh", &["drop", name, &port.to_string()]);
    }

    /// Undo every `drop_port` and `slow_link` on the host.
    pub fn undrop_ports(&self, name: &str) {
        run_script_ok("world.sh", &["undrop", name]);
    }

    /// Limit what is sent to the host to `mbit` Mbit/s (so an upload to it lasts); `undrop_ports` removes it.
    pub fn slow_link(&self, name: &str, mbit: u32) {
        run_script_ok("world.sh", &["slow", name, &mbit.to_string()]);
    }

    /// `world.sh status` output.
    pub fn status(&self) -> String {
        run_script_ok("world.sh", &["status"])
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let hosts_cpu = String::from_utf8_lossy(&run_script("world.sh", &["cpu"]).stdout).trim().to_string();
        let test_cpu = own_cpu_seconds() - self.cpu_since;
        let out = run_script("world.sh", &["down"]);
        record_time_held(self.held_since.elapsed(), self.inventory.hosts.len(), &hosts_cpu, test_cpu);
        if !out.status.success() && !std::thread::panicking() {
            panic!("world.sh down left something behind:\n{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// With `KW_E2E_TIMINGS` set (tests/run-all.sh sets it and prints the file after the e2e phase): one line per test
/// that held the world — seconds, hosts, the CPU seconds its hosts used (`world.sh cpu`; "-" where unknown) and the
/// test process used (the wizard runs, ssh, the test's clients; the whole process, so a test running beside it
/// without the world counts too), the test's name — so the suite's time and CPU can be seen per test.
fn record_time_held(held: std::time::Duration, hosts: usize, hosts_cpu: &str, test_cpu: f64) {
    let Some(path) = std::env::var_os("KW_E2E_TIMINGS") else { return };
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let hosts_cpu = if hosts_cpu.is_empty() { "-" } else { hosts_cpu };
    let line = format!(
        "{:6.0} s  {hosts:2} hosts  cpu: hosts {hosts_cpu:>4} s, test {test_cpu:4.0} s  {test}\n",
        held.as_secs_f64()
    );
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}

/// The CPU seconds (user + system) of this process and of its children it has waited for.
fn own_cpu_seconds() -> f64 {
    let seconds = |who| {
        // SAFETY: getrusage writes one rusage into the zeroed struct it is given
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(who, &mut usage) } != 0 {
            return 0.0;
        }
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(usage.ru_utime) + tv(usage.ru_stime)
    };
    seconds(libc::RUSAGE_SELF) + seconds(libc::RUSAGE_CHILDREN)
}

/// Read `tests/world/state/inventory.json`.
pub fn read_inventory() -> Inventory {
    let path = world_dir().join("state").join("inventory.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Quote `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
