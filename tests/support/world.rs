//! The test world for end-to-end tests: real hosts, real Kafka releases and an Apache-shaped mirror.
//!
//! Owns nothing itself: it drives the scripts in `tests/world/` (which own the hosts, the
//! bridge and the caches) and the `mirror.py` processes it starts. Everything it starts it
//! stops on `Drop`; `World::up` first removes the leftovers of a crashed run.
//!
//! ```ignore
//! mod support;
//! use support::world::{self, World, Mirror};
//! let world = World::up(3);                       // h1..h3, torn down on drop
//! let rel = world::release(world::KAFKA_4);       // cached kafka_2.13-4.x.tgz
//! let mirror = Mirror::start(&[&rel]);            // http://127.0.0.1:<port>/kafka/<v>/...
//! world.ssh_ok("h1", "deploy", "sudo -n systemctl is-system-running");
//! ```
//!
//! E2E tests run one at a time: a `World` holds a process-wide mutex and, because the world is
//! machine-wide (one bridge, one subnet), the machine-wide session lock `SESSION_LOCK`, so a
//! second test run on the same machine waits for it. `world.sh` also serialises its own commands.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The 3.x release of the test world (ZooKeeper mode and KRaft): the newest 3.9.x on Maven Central.
pub const KAFKA_3: &str = "3.9.2";
/// The 4.x release of the test world (KRaft only).
pub const KAFKA_4: &str = "4.1.1";
/// Every release `tests/world/prepare.sh` assembles.
pub const RELEASES: [&str; 2] = [KAFKA_3, KAFKA_4];
/// The main namespace's address on the hosts' bridge.
pub const GATEWAY_IP: &str = "10.77.0.1";

/// `tests/world/` of this checkout: found from the compiling package's directory upward, so the desktop app's
/// end-to-end crate (`tests-app/`) shares this world.
pub fn world_dir() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("tests").join("world");
        if candidate.join("world.sh").exists() {
            return candidate;
        }
        dir = dir.parent().expect("tests/world/world.sh in CARGO_MANIFEST_DIR or above");
    }
}

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

static LOCK: Mutex<()> = Mutex::new(());

/// The machine-wide session lock file (`KW_SESSION_LOCK` in `tests/world/lib.sh`).
pub const SESSION_LOCK: &str = "/tmp/kafka-wizard-world.session.lock";

/// Holds `SESSION_LOCK` (flock, exclusive) through a `flock ... cat` child process for as long as
/// it lives: another test process on this machine waits instead of tearing down our hosts. If
/// this process dies, the child's stdin closes, `cat` exits and the lock is released.
struct SessionLock {
    child: Child,
}

impl SessionLock {
    fn acquire() -> SessionLock {
        let wait = std::env::var("KW_SESSION_WAIT").unwrap_or_else(|_| "1800".into());
        let mut child = Command::new("flock")
            .args(["-x", "-w", &wait, SESSION_LOCK, "-c", "echo locked; exec cat >/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn flock (util-linux)");
        let started = Instant::now();
        let mut stdout = child.stdout.take().expect("flock stdout");
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            got.push(byte[0]);
        }
        if got != b"locked" {
            let _ = child.kill();
            let _ = child.wait();
            panic!("another test run holds {SESSION_LOCK} (waited {wait} s); the test world is machine-wide");
        }
        if started.elapsed() > Duration::from_secs(2) {
            eprintln!(
                "[world] waited {:.0}s for another test run to release the world",
                started.elapsed().as_secs_f64()
            );
        }
        SessionLock { child }
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn run_script(script: &str, args: &[&str]) -> Output {
    let path = world_dir().join(script);
    let started = Instant::now();
    let out = Command::new("bash")
        .arg(&path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    eprintln!(
        "[world] {script} {} -> {} in {:.1}s\n{}{}",
        args.join(" "),
        out.status,
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run_script_ok(script: &str, args: &[&str]) -> String {
    let out = run_script(script, args);
    assert!(
        out.status.success(),
        "{script} {} failed ({}):\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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
    _guard: MutexGuard<'static, ()>,
}

impl World {
    /// Bring up `n` (1..=12) fresh hosts: removes whatever a crashed run left, boots the hosts,
    /// waits until each accepts SSH and systemd finished booting, reads the inventory.
    pub fn up(n: usize) -> World {
        assert!((1..=12).contains(&n), "World::up: 1..=12 hosts, not {n}");
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
        World { inventory, _session: session, _guard: guard }
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

    /// `world.sh status` output.
    pub fn status(&self) -> String {
        run_script_ok("world.sh", &["status"])
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let out = run_script("world.sh", &["down"]);
        if !out.status.success() && !std::thread::panicking() {
            panic!("world.sh down left something behind:\n{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// Read `tests/world/state/inventory.json`.
pub fn read_inventory() -> Inventory {
    let path = world_dir().join("state").join("inventory.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// A Kafka release tarball in the cache.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    /// Absolute path of `kafka_2.13-<version>.tgz` in /var/cache/kafka-wizard-tests/releases/.
    pub tarball: PathBuf,
}

impl Release {
    /// `kafka_2.13-<version>.tgz`
    pub fn file_name(&self) -> String {
        format!("kafka_2.13-{}.tgz", self.version)
    }
    /// `kafka_2.13-<version>` (the tarball's top directory).
    pub fn top_dir(&self) -> String {
        format!("kafka_2.13-{}", self.version)
    }
    /// The path on an Apache mirror: `/kafka/<v>/kafka_2.13-<v>.tgz`.
    pub fn mirror_path(&self) -> String {
        format!("/kafka/{}/{}", self.version, self.file_name())
    }
}

/// The cached release tarball of `version` (assembled from Maven Central on first use).
pub fn release(version: &str) -> Release {
    let out = run_script_ok("assemble-kafka.sh", &[version]);
    let last = out.lines().rev().map(str::trim).find(|l| l.starts_with('/')).unwrap_or("");
    let tarball = PathBuf::from(last);
    assert!(tarball.is_file(), "assemble-kafka.sh {version} printed no tarball path: {out}");
    Release { version: version.to_string(), tarball }
}

/// Every release of the test world.
pub fn releases() -> Vec<Release> {
    RELEASES.iter().map(|v| release(v)).collect()
}

/// `tests/world/mirror.py serve` on 127.0.0.1 (and optionally the bridge address), killed on drop.
pub struct Mirror {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
    on_bridge: bool,
}

impl Mirror {
    /// Publish `releases` into a fresh mirror root and serve it on 127.0.0.1:<free port>.
    pub fn start(releases: &[&Release]) -> Mirror {
        Self::start_inner(releases, false)
    }

    /// Like `start`, and also listen on 10.77.0.1 so the hosts can download from it
    /// (needs a `World` up: the bridge must exist).
    pub fn start_on_bridge(releases: &[&Release]) -> Mirror {
        Self::start_inner(releases, true)
    }

    fn start_inner(releases: &[&Release], on_bridge: bool) -> Mirror {
        let root = tempfile::Builder::new().prefix("kw-mirror-").tempdir().expect("mirror root");
        let script = world_dir().join("mirror.py");
        let mut publish = Command::new("python3");
        publish.arg(&script).arg("publish").arg("--root").arg(root.path());
        for r in releases {
            publish.arg(&r.tarball);
        }
        let out = publish.output().expect("run mirror.py publish");
        assert!(out.status.success(), "mirror.py publish: {}", String::from_utf8_lossy(&out.stderr));
        let mut serve = Command::new("python3");
        serve.arg(&script).args(["serve", "--port", "0", "--bind", "127.0.0.1"]);
        if on_bridge {
            serve.args(["--bind", GATEWAY_IP]);
        }
        let mut child = serve
            .arg("--root")
            .arg(root.path())
            .env("MIRROR_EXIT_WITH_PARENT", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn mirror.py serve");
        let mut stdout = child.stdout.take().expect("mirror stdout");
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        let port = line.strip_prefix("PORT=").and_then(|p| p.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mirror.py serve did not print its port (got {line:?})");
        };
        Mirror { child, port, root, on_bridge }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>` — what the wizard in the main namespace is pointed at.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://10.77.0.1:<port>` when started with `start_on_bridge`.
    pub fn bridge_url(&self) -> Option<String> {
        self.on_bridge.then(|| format!("http://{GATEWAY_IP}:{}", self.port))
    }

    /// The mirror's root directory (`<root>/kafka/<v>/...`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Make requests for `path` fail: `corrupt`, `404`, `slow:BPS`, `interrupt:K`, `none`;
    /// append `@N` to apply it to the next N requests only.
    pub fn set_fault(&self, path: &str, mode: &str) {
        let url =
            format!("{}/_mirror/fault?path={}&mode={}", self.base_url(), percent_encode(path), percent_encode(mode));
        let r = http_get(&url, &[]).expect("mirror control request");
        assert_eq!(r.status, 200, "set_fault({path}, {mode}): {}", String::from_utf8_lossy(&r.body));
    }

    pub fn clear_faults(&self) {
        let r = http_get(&format!("{}/_mirror/clear", self.base_url()), &[]).expect("mirror control request");
        assert_eq!(r.status, 200);
    }

    /// JSON: `{"faults": {...}, "log": [{"method","path","range","status","fault"}...]}`.
    pub fn request_log(&self) -> String {
        let r = http_get(&format!("{}/_mirror/log", self.base_url()), &[]).expect("mirror control request");
        String::from_utf8_lossy(&r.body).into_owned()
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// True when the server closed the connection before sending `Content-Length` bytes.
    pub fn truncated(&self) -> bool {
        self.header("Content-Length").and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| self.body.len() < n)
    }
}

/// `GET url` with std only (http:// only, `Connection: close`, bounded by a 60 s read timeout).
pub fn http_get(url: &str, extra_headers: &[(&str, &str)]) -> std::io::Result<HttpResponse> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr: SocketAddr = hostport
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address"))?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req =
        format!("GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: kafka-wizard-tests\r\nConnection: close\r\n");
    for (k, v) in extra_headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line {status_line:?}"))
    })?;
    let headers =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect();
    Ok(HttpResponse { status, headers, body })
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Quote `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Poll until `addr` accepts TCP connections (active ≠ listening), at most `timeout`.
pub fn wait_for_port(addr: &str, timeout: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let sa: SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    loop {
        if TcpStream::connect_timeout(&sa, Duration::from_secs(1)).is_ok() {
            return Ok(started.elapsed());
        }
        if started.elapsed() > timeout {
            return Err(format!("{addr} not listening after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The SHA-512 hex digest of a file (lowercase), via coreutils `sha512sum`.
pub fn sha512_hex(path: &Path) -> String {
    let out = Command::new("sha512sum").arg(path).output().expect("run sha512sum");
    assert!(out.status.success(), "sha512sum {}", path.display());
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string()
}

/// Parse an Apache `.sha512` file: gpg `--print-md` style (`name: 8-hex groups`, wrapped) or
/// `sha512sum` style (`hex  name`). Returns the lowercase 128-hex digest.
pub fn parse_sha512_file(text: &str) -> Option<String> {
    let hex: String = match text.split_once(':') {
        Some((_, rest)) => rest.chars().filter(|c| !c.is_ascii_whitespace()).collect(),
        None => text.split_whitespace().next()?.to_string(),
    };
    let hex = hex.to_ascii_lowercase();
    (hex.len() == 128 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}
