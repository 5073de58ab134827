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
//!
//! This file finds and runs the `tests/world/` scripts; the rest lives in `world/`, one concern each, all
//! re-exported here (`world::World`, `world::Mirror`, …):
//! - `hosts`: [`World`] — bringing hosts up and down, their inventory, `ssh`/`scp` onto them;
//! - `session_lock`: the process-wide and machine-wide locks that keep test runs apart;
//! - `releases`: the Kafka releases of the test world and their checksums;
//! - `mirror`: [`Mirror`], `mirror.py serve` with faults and a request log;
//! - `project`: the project files deployed on the world (`kraft_project`, `combined_nodes`);
//! - `http`: a std-only HTTP GET and a wait for a listening port.
//!
//! The desktop app's end-to-end crate includes this file by path (`#[path = ".../world.rs"] mod world;`), so the
//! submodules are declared with explicit paths and refer to each other through `super::`, never `crate::`.

#[path = "world/hosts.rs"]
mod hosts;
#[path = "world/http.rs"]
mod http;
#[path = "world/mirror.rs"]
mod mirror;
#[path = "world/project.rs"]
mod project;
#[path = "world/releases.rs"]
mod releases;
#[path = "world/session_lock.rs"]
mod session_lock;

// Each test crate uses its own subset of these, so an unused one is no sign of dead code.
#[allow(unused_imports)]
pub use self::{
    hosts::{read_inventory, shell_quote, HostInfo, Inventory, World},
    http::{http_get, wait_for_port, HttpResponse},
    mirror::{signing_home, signing_keys_file, trust_test_key, trusting_config_home, Mirror},
    project::{combined_nodes, kraft_project, DATA_DIR},
    releases::{
        parse_sha512_file, release, releases, sha512_hex, Release, JVM_OPTS, KAFKA_3, KAFKA_3_EARLIER, KAFKA_4,
        RELEASES,
    },
    session_lock::SESSION_LOCK,
};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

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

/// Run `tests/world/<script> args…` with bash (stdin closed), log its output and time, return the raw output.
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

/// Like [`run_script`]; panics (with its output) unless the script exits 0. Returns its stdout.
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
