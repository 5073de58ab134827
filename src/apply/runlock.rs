//! The run lock: one wizard run at a time on a host. Every run that may change a host (deploy, start, stop, restart,
//! upgrade, migrate and its rollback, a decommission's stop) takes it right after connecting, before the probe;
//! runs that only read (`--dry-run` and Review's diff, `--preflight-only`, `status`, the support bundle) do not. A
//! second run on a host that one holds is refused before it reads or changes anything, naming the host and who holds
//! it ([`HostBusy`]); nothing of it waits.
//!
//! The lock is `flock(1)` (util-linux) on [`LOCK_FILE`] — root's, in root-only `/run`, so no service user can plant
//! or pre-create it (a login without sudo locks `$HOME/.kafka-wizard.lock` instead) — held by a command left running
//! on the run's own connection (`Transport::hold`): `cat`, reading a stdin the wizard never writes. When the run
//! ends its transport is dropped and the command gets EOF; when the wizard is killed its TCP connection closes, the
//! host's sshd closes the command's stdin, `cat` ends and the kernel lets the lock go — no stale lock to clear by
//! hand. (A link cut without a FIN keeps the lock until the host's sshd notices the connection is gone.) The holder
//! writes who it is into the locked file, which a refused run reads for its message. A process never refuses itself:
//! the file names the holding process by a random token, and a run that finds its own (a migration's stages, each
//! connecting anew) goes on. A host without `flock` is worked on without the lock, with a warning in the run log;
//! its leftover sweep then keeps a fresh name (`apply::leftovers`).

use super::options::Failure;
use crate::events::{Event, EventSink, Target};
use crate::shell::quote;
use crate::transport::{Held, Privilege, Transport};
use std::sync::OnceLock;

/// The lock file of a run working as root.
pub const LOCK_FILE: &str = "/run/kafka-wizard.lock";
/// The lock script's exit status when another run holds the lock (`flock -E`; EX_TEMPFAIL).
const BUSY_STATUS: i32 = 75;
const STEP: &str = "take the run lock";

/// A host another wizard run holds: the refusal's line for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host}: another kafka-wizard run holds this host ({holder}); wait for it to finish, or if no such run exists, \
     the lock frees itself when its SSH connection closes"
)]
pub struct HostBusy {
    pub host: String,
    /// Who holds it, as the holder wrote it: `started <UTC time> by <user>@<machine>, pid <pid>`.
    pub holder: String,
}

/// What taking the lock on one host came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Taken: held until the transport is dropped.
    Taken,
    /// This process already holds it, through another connection.
    Ours,
    /// The host has no `flock`: the run goes on without the lock.
    NoFlock,
    /// Another run holds it: who.
    Busy(String),
    /// The lock script failed: why.
    Failed(String),
}

/// This process's token in the lock file (random, made once).
fn token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(crate::transport::random_tag)
}

/// The line the holder writes into the lock file: `<token> started <UTC time> by <user>@<machine>, pid <pid>`.
fn holder_line(token: &str) -> String {
    let now = time::OffsetDateTime::now_utc();
    let when = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let user = user_name();
    let machine = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "?".into());
    let line = format!("{token} started {when} by {}@{}, pid {}", user.trim(), machine.trim(), std::process::id());
    line.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// Who runs the wizard: `$USER` (`$LOGNAME`), else the name `/etc/passwd` gives this process's user id.
fn user_name() -> String {
    let from_env = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).ok().filter(|u| !u.is_empty());
    from_env.unwrap_or_else(|| {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() }.to_string();
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let name = passwd.lines().map(|l| l.split(':').collect::<Vec<_>>()).find(|f| f.get(2) == Some(&uid.as_str()));
        name.map_or_else(|| format!("uid {uid}"), |f| f[0].to_string())
    })
}

/// Takes the lock at `path` (a shell word: quoted, or `"$HOME"/…`) and writes `holder` into it, then prints the
/// line `kw-lock held` and waits for its stdin's end; prints `kw-lock busy <what the file says>` and exits
/// [`BUSY_STATUS`] when another process holds it; `kw-lock no-flock` (exit 0) without `flock` — these two with no
/// newline, so `Transport::hold` reads them to the command's end. The lock is on fd 9, which `cat` keeps: it is let
/// go when `cat` ends.
fn script(path: &str, holder: &str) -> String {
    format!(
        "kw_lock={path}\n\
         command -v flock >/dev/null 2>&1 || {{ printf 'kw-lock no-flock'; exit 0; }}\n\
         exec 9>>\"$kw_lock\" || exit 1\n\
         flock -n -E {BUSY_STATUS} 9 || {{ s=$?; if [ \"$s\" = {BUSY_STATUS} ]; then \
         printf 'kw-lock busy %s' \"$(head -n 1 \"$kw_lock\")\"; fi; exit \"$s\"; }}\n\
         printf '%s\\n' {holder} >\"$kw_lock\"\n\
         echo 'kw-lock held'\n\
         exec cat >/dev/null",
        holder = quote(holder),
    )
}

/// The lock file's shell word for a connection: [`LOCK_FILE`] as root, the login's home without root.
fn path_for(privilege: Privilege) -> String {
    match privilege {
        Privilege::User => "\"$HOME\"/.kafka-wizard.lock".into(),
        Privilege::Root | Privilege::Sudo => quote(LOCK_FILE).into_owned(),
    }
}

/// What the lock script said (pure): `ours` is this process's token.
fn judge(held: &Held, ours: &str) -> Lock {
    match held {
        Held::Running(line) if line == "kw-lock held" => Lock::Taken,
        Held::Running(line) => Lock::Failed(format!("the lock command said {line:?}")),
        Held::Ended(out) => {
            let said = out.stdout_text();
            let said = said.trim_end_matches('\n');
            match (out.status, said.strip_prefix("kw-lock busy")) {
                (0, _) if said == "kw-lock no-flock" => Lock::NoFlock,
                (BUSY_STATUS, Some(rest)) => match rest.trim().split_once(' ') {
                    Some((token, _)) if token == ours => Lock::Ours,
                    Some((_, who)) if !who.trim().is_empty() => Lock::Busy(who.trim().to_string()),
                    _ => Lock::Busy("it has not written who it is yet".into()),
                },
                (status, _) => {
                    let tail = out.stderr_tail(3);
                    let why = if tail.is_empty() { said.to_string() } else { tail };
                    Lock::Failed(format!("the lock command exited with {status}: {why}"))
                }
            }
        }
    }
}

/// Takes the run lock on `t`'s host (blocking): held until `t` is dropped. A connection of this process dropped
/// before is closed first: while it closes it still holds the lock, which would read as [`Lock::Ours`] — and then
/// be let go, leaving this run without it.
pub(crate) fn take(t: &dyn Transport) -> Lock {
    crate::transport::ssh::wait_for_closes();
    let script = script(&path_for(t.privilege()), &holder_line(token()));
    match t.hold(&script) {
        Ok(held) => judge(&held, token()),
        Err(e) => Lock::Failed(e.to_string()),
    }
}

/// Why a host's run lock was not taken: another run holds it, or the lock command failed.
#[derive(Debug)]
pub(crate) enum Refusal {
    Busy(HostBusy),
    Failed(Failure),
}

/// Takes the run lock on one connected host (blocking), right after connecting and before its probe: `Ok(false)` when
/// held (until `t` is dropped), `Ok(true)` when the host has no `flock` — warned about, the run works on it without
/// the lock — and the refusal otherwise. Each host takes its own and goes on to its probe (read-only) without waiting
/// for the others; the run is refused ([`ApplyError::HostsBusy`]) before any step when another run holds any host.
pub(crate) fn take_on(host: &str, t: &dyn Transport, events: &EventSink) -> Result<bool, Refusal> {
    match take(t) {
        Lock::Taken | Lock::Ours => Ok(false),
        Lock::NoFlock => {
            events(Event::Warning {
                target: Target::host(host),
                message: "flock (util-linux) is not installed on this host: this run works on it without the run \
                          lock, so another kafka-wizard run on it at the same time is not kept out"
                    .into(),
            });
            Ok(true)
        }
        Lock::Busy(holder) => Err(Refusal::Busy(HostBusy { host: host.into(), holder })),
        Lock::Failed(message) => Err(Refusal::Failed(Failure { host: host.into(), step: STEP.into(), message })),
    }
}

/// Whether a run takes the run lock: one that may change a host does, one that only reads does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Change,
    ReadOnly,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::options::ApplyError;
    use crate::transport::local::LocalTransport;
    use crate::transport::ExecOutput;

    fn ended(status: i32, stdout: &str, stderr: &str) -> Held {
        Held::Ended(ExecOutput { status, stdout: stdout.into(), stderr: stderr.into() })
    }

    #[test]
    fn the_lock_scripts_answers_are_judged_as_taken_busy_ours_no_flock_or_failed() {
        assert_eq!(judge(&Held::Running("kw-lock held".into()), "t1"), Lock::Taken);
        let busy = "kw-lock busy 0a1b started 2026-12-02T15:01:02Z by ann@laptop, pid 1234\n";
        assert_eq!(
            judge(&ended(75, busy, ""), "t1"),
            Lock::Busy("started 2026-12-02T15:01:02Z by ann@laptop, pid 1234".into())
        );
        assert_eq!(judge(&ended(75, busy, ""), "0a1b"), Lock::Ours);
        assert_eq!(
            judge(&ended(75, "kw-lock busy \n", ""), "t1"),
            Lock::Busy("it has not written who it is yet".into())
        );
        assert_eq!(judge(&ended(0, "kw-lock no-flock\n", ""), "t1"), Lock::NoFlock);
        let failed = judge(&ended(1, "", "sh: 3: cannot create /run/kafka-wizard.lock: Read-only file system\n"), "t");
        assert_eq!(
            failed,
            Lock::Failed(
                "the lock command exited with 1: sh: 3: cannot create /run/kafka-wizard.lock: Read-only file system"
                    .into()
            )
        );
        assert!(matches!(judge(&Held::Running("hello".into()), "t1"), Lock::Failed(_)));
    }

    #[test]
    fn the_holder_line_names_the_time_the_user_the_machine_and_the_pid_on_one_line() {
        let line = holder_line("0a1b");
        let (token, who) = line.split_once(' ').unwrap();
        assert_eq!(token, "0a1b");
        assert!(who.starts_with("started 20") && who.contains("Z by ") && who.contains('@'), "{who}");
        assert!(who.ends_with(&format!(", pid {}", std::process::id())), "{who}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn a_second_holder_is_refused_naming_the_first_until_the_first_connection_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = quote(&dir.path().join("run lock").display().to_string()).into_owned();
        let first = LocalTransport::new("h1", false);
        let held = first.hold(&script(&path, "first started 2026-12-02T15:01:02Z by ann@laptop, pid 1")).unwrap();
        assert_eq!(judge(&held, "second"), Lock::Taken);

        let second = LocalTransport::new("h1", false);
        let refused = second.hold(&script(&path, "second started later")).unwrap();
        assert_eq!(judge(&refused, "second"), Lock::Busy("started 2026-12-02T15:01:02Z by ann@laptop, pid 1".into()));
        // the first holder's own process finds its token: never refused by itself
        assert_eq!(judge(&second.hold(&script(&path, "again")).unwrap(), "first"), Lock::Ours);

        drop(first);
        let third = LocalTransport::new("h1", false);
        assert_eq!(judge(&third.hold(&script(&path, "third")).unwrap(), "x"), Lock::Taken);
        let file = std::fs::read_to_string(dir.path().join("run lock")).unwrap();
        assert_eq!(file, "third\n");
        // a host without flock: told, nothing held
        let no_flock = third.hold(&format!("PATH=/nonexistent\n{}", script(&path, "fourth"))).unwrap();
        assert_eq!(judge(&no_flock, "x"), Lock::NoFlock);
    }

    #[test]
    fn the_lock_is_let_go_when_the_process_holding_its_stdin_is_killed() {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let path = quote(&dir.path().join("lock").display().to_string()).into_owned();
        // the wizard's side of the held command's stdin, in a process of its own: killed as a wizard is
        let mut wizard = Command::new("sleep").arg("60").stdout(Stdio::piped()).spawn().unwrap();
        let mut holder = Command::new("sh")
            .arg("-c")
            .arg(script(&path, "gone started 2026-12-02T15:01:02Z by ann@laptop, pid 2"))
            .stdin(Stdio::from(wizard.stdout.take().unwrap()))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 13];
        std::io::Read::read_exact(holder.stdout.as_mut().unwrap(), &mut first).unwrap();
        assert_eq!(&first, b"kw-lock held\n");
        let t = LocalTransport::new("h1", false);
        assert!(matches!(judge(&t.hold(&script(&path, "next")).unwrap(), "next"), Lock::Busy(_)));
        wizard.kill().unwrap(); // SIGKILL
        wizard.wait().unwrap();
        holder.wait().unwrap();
        assert_eq!(judge(&t.hold(&script(&path, "next")).unwrap(), "next"), Lock::Taken);
    }

    #[test]
    fn a_refused_run_names_each_host_and_who_holds_it_and_says_nothing_was_changed() {
        let holder = "started 2026-12-02T15:01:02Z by ann@laptop, pid 1234".to_string();
        let busy = ["h1", "h3"].map(|h| HostBusy { host: h.into(), holder: holder.clone() });
        assert_eq!(
            ApplyError::HostsBusy(busy.to_vec()).to_string(),
            "another kafka-wizard run is working on 2 host(s) — nothing was changed on any host:\n  \
             h1: another kafka-wizard run holds this host (started 2026-12-02T15:01:02Z by ann@laptop, pid 1234); wait \
             for it to finish, or if no such run exists, the lock frees itself when its SSH connection closes\n  \
             h3: another kafka-wizard run holds this host (started 2026-12-02T15:01:02Z by ann@laptop, pid 1234); wait \
             for it to finish, or if no such run exists, the lock frees itself when its SSH connection closes"
        );
    }

    #[test]
    fn a_run_as_root_locks_in_run_and_one_without_root_in_its_home() {
        assert_eq!(path_for(Privilege::Root), "/run/kafka-wizard.lock");
        assert_eq!(path_for(Privilege::Sudo), "/run/kafka-wizard.lock");
        assert_eq!(path_for(Privilege::User), "\"$HOME\"/.kafka-wizard.lock");
    }
}
