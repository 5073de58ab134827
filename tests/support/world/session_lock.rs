//! Keeping test runs apart: a process-wide mutex (one `World` at a time in this test binary) and the machine-wide
//! session lock file (one test run at a time on this machine — the world is machine-wide: one bridge, one subnet).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Held by a `World` for its lifetime: tests of one binary take turns.
pub(super) static LOCK: Mutex<()> = Mutex::new(());

/// The machine-wide session lock file (`KW_SESSION_LOCK` in `tests/world/lib.sh`).
pub const SESSION_LOCK: &str = "/tmp/kafka-wizard-world.session.lock";

/// Holds `SESSION_LOCK` (flock, exclusive) through a `flock ... cat` child process for as long as
/// it lives: another test process on this machine waits instead of tearing down our hosts. If
/// this process dies, the child's stdin closes, `cat` exits and the lock is released.
pub(super) struct SessionLock {
    child: Child,
}

impl SessionLock {
    /// Waits up to `KW_SESSION_WAIT` seconds (default 1800) for the lock; panics if another run keeps it.
    pub(super) fn acquire() -> SessionLock {
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
