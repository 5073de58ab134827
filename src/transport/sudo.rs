//! sudo for a non-root login: passwordless (`sudo -n`), or with the become password of the run (CLI
//! `--ask-become-password`, the app's sudo password field) fed to `sudo -S` on stdin — never on a command line,
//! never in a file. One [`Become`] per transport decides once, when connecting ([`Become::check`], before any
//! change), which of the two this host's sudo needs, and then wraps every command the same way.
//!
//! How the password travels (docs/facts/sudo.md, measured on sudo 1.9.13): `sudo -S -p ''` reads stdin one byte
//! at a time up to the first newline and leaves the rest to the command. But sudo reads nothing when it needs no
//! password — cached credentials (`-k` ignores them) or a `NOPASSWD` rule — and the password would then be the
//! command's input. So the password line is followed by a marker line, and the command's shell first reads lines
//! up to the marker (at most two, with `read`, which also stops at the newline): whether sudo took the password or
//! not, the command's own input starts right after the marker and the password is never seen by it.

use super::scripts::{self, Privilege};
use super::{ExecOutput, Secret, TransportError};
use crate::shell::quote;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroizing;

/// The line after the password on the command's stdin.
pub const STDIN_MARK: &str = "kafka-wizard:stdin";
/// Exit status of a wrapped command whose stdin did not start with the expected lines.
pub const MARK_MISSING_STATUS: i32 = 97;
/// What the connection check's command prints when it ran as root.
const CHECK_OK: &str = "kafka-wizard:sudo-ok";

/// The shell that skips the password line (when sudo left it) and the marker, ahead of `script`.
fn skip_to_mark(script: &str) -> String {
    let mark = quote(STDIN_MARK);
    format!(
        "IFS= read -r kw_line; [ \"$kw_line\" = {mark} ] || IFS= read -r kw_line; [ \"$kw_line\" = {mark} ] || \
         {{ echo 'kafka-wizard: the command input did not start with the sudo password and its marker' >&2; \
         exit {MARK_MISSING_STATUS}; }}; unset kw_line\n{script}"
    )
}

/// The command line that runs `script` with `sh -c` as root through `sudo -S` reading the password from stdin
/// (see the module docs; feed [`Become::stdin`]), optionally under `timeout`. The password is not in it.
pub fn password_command_line(script: &str, deadline_secs: Option<u64>) -> String {
    let line = scripts::command_line(&skip_to_mark(script), Privilege::Root, deadline_secs);
    format!("sudo -k -S -p '' {line}")
}

/// How one transport runs privileged commands: the run's become password, and whether this host's sudo wants it.
pub struct Become {
    password: Option<Secret>,
    /// Set by [`Become::check`] when the host's sudo asked for the password.
    with_password: AtomicBool,
}

impl std::fmt::Debug for Become {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Become")
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("with_password", &self.with_password.load(Ordering::Relaxed))
            .finish()
    }
}

impl Become {
    pub fn new(password: Option<Secret>) -> Become {
        Become { password, with_password: AtomicBool::new(false) }
    }

    fn uses_password(&self, privilege: Privilege) -> bool {
        privilege == Privilege::Sudo && self.with_password.load(Ordering::Relaxed)
    }

    /// The command line for `script` at `privilege`.
    pub fn command_line(&self, script: &str, privilege: Privilege, deadline_secs: Option<u64>) -> String {
        if self.uses_password(privilege) {
            password_command_line(script, deadline_secs)
        } else {
            scripts::command_line(script, privilege, deadline_secs)
        }
    }

    /// The bytes to feed the command line of [`Become::command_line`]: `stdin` as is, or behind the password and
    /// the marker (zeroed when dropped).
    pub fn stdin(&self, privilege: Privilege, stdin: Option<&[u8]>) -> Option<Zeroizing<Vec<u8>>> {
        match (&self.password, self.uses_password(privilege)) {
            (Some(password), true) => Some(with_password(password, stdin.unwrap_or_default())),
            _ => stdin.map(|s| Zeroizing::new(s.to_vec())),
        }
    }

    /// Decides, once per host and before any change, how its sudo is used: runs `sudo -n` and, when that wants a
    /// password, `sudo -S` with the run's password. `run(command line, stdin)` runs one command as the login user.
    /// Errors name the host and the fix: no password given, the password refused, `requiretty`, or sudo's own
    /// message.
    pub fn check(
        &self,
        host: &str,
        user: &str,
        privilege: Privilege,
        run: impl Fn(&str, &[u8]) -> Result<ExecOutput, TransportError>,
    ) -> Result<(), TransportError> {
        if privilege != Privilege::Sudo {
            return Ok(());
        }
        let probe = format!("echo {CHECK_OK}");
        let out = run(&scripts::command_line(&probe, Privilege::Sudo, None), b"")?;
        if out.success() && out.stdout_text().contains(CHECK_OK) {
            return Ok(()); // passwordless: the password, if given, is never sent to this host
        }
        judge(host, user, &out)?;
        if !scripts::sudo_wants_password(out.status, &out.stderr) {
            return Err(sudo_failed(host, &out));
        }
        let Some(password) = &self.password else {
            return Err(TransportError::SudoPasswordRequired { host: host.into(), user: user.into() });
        };
        // the password and nothing else: a refused one makes sudo read EOF next, not a marker as a second try
        let mut line = Zeroizing::new(password.expose().as_bytes().to_vec());
        line.push(b'\n');
        let out = run(&format!("sudo -k -S -p '' {}", scripts::command_line(&probe, Privilege::Root, None)), &line)?;
        if out.success() && out.stdout_text().contains(CHECK_OK) {
            self.with_password.store(true, Ordering::Relaxed);
            return Ok(());
        }
        judge(host, user, &out)?;
        if String::from_utf8_lossy(&out.stderr).contains("incorrect password") {
            return Err(TransportError::SudoPasswordRefused { host: host.into(), user: user.into() });
        }
        Err(sudo_failed(host, &out))
    }
}

/// `password`, a newline, the marker line, then `stdin`.
fn with_password(password: &Secret, stdin: &[u8]) -> Zeroizing<Vec<u8>> {
    let secret = password.expose().as_bytes();
    let mut all = Zeroizing::new(Vec::with_capacity(secret.len() + STDIN_MARK.len() + 2 + stdin.len()));
    all.extend_from_slice(secret);
    all.push(b'\n');
    all.extend_from_slice(STDIN_MARK.as_bytes());
    all.push(b'\n');
    all.extend_from_slice(stdin);
    all
}

/// A password the wizard can feed to `sudo -S`: sudo ends it at a newline or a carriage return.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.contains(['\n', '\r']) {
        return Err("a sudo password cannot contain a line break (sudo -S reads one line)".into());
    }
    Ok(())
}

/// sudo's refusals that do not depend on the password: `requiretty`.
fn judge(host: &str, user: &str, out: &ExecOutput) -> Result<(), TransportError> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.success() && stderr.contains("must have a tty") {
        return Err(TransportError::SudoRequiresTty { host: host.into(), user: user.into() });
    }
    Ok(())
}

fn sudo_failed(host: &str, out: &ExecOutput) -> TransportError {
    TransportError::io(host, "checking sudo", format!("exit status {}: {}", out.status, out.stderr_tail(3)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// Runs `line` with `sh -c`, with `stdin`; (status, stdout).
    fn sh(line: &str, stdin: &[u8]) -> (i32, String) {
        let mut child = Command::new("sh")
            .args(["-c", line])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin);
        let out = child.wait_with_output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn the_password_command_line_reads_the_password_with_sudo_s_and_never_carries_it() {
        let line = password_command_line("cat > /etc/x", None);
        assert!(line.starts_with("sudo -k -S -p '' sh -c "), "{line}");
        let timed = password_command_line("true", Some(30));
        assert!(timed.starts_with("sudo -k -S -p '' timeout -k 10 30 sh -c "), "{timed}");
        let b = Become::new(Some(Secret::new("s3cret pass")));
        b.with_password.store(true, Ordering::Relaxed);
        assert_eq!(b.command_line("id -u", Privilege::Sudo, None), password_command_line("id -u", None));
        assert!(!b.command_line("id -u", Privilege::Sudo, None).contains("s3cret"));
        assert_eq!(b.command_line("id -u", Privilege::Root, None), "sh -c 'id -u'", "root needs no sudo");
        let stdin = b.stdin(Privilege::Sudo, Some(b"data")).unwrap();
        assert_eq!(&stdin[..], b"s3cret pass\nkafka-wizard:stdin\ndata");
        assert!(!format!("{b:?}").contains("s3cret"), "{b:?}");
    }

    #[test]
    fn without_a_password_or_before_the_check_said_so_commands_use_sudo_n_and_stdin_as_is() {
        let b = Become::new(Some(Secret::new("pw")));
        assert_eq!(b.command_line("id -u", Privilege::Sudo, None), "sudo -n sh -c 'id -u'");
        assert_eq!(&b.stdin(Privilege::Sudo, Some(b"x")).unwrap()[..], b"x");
        assert!(Become::new(None).stdin(Privilege::Sudo, None).is_none());
    }

    /// The command's shell (as sudo would start it, minus sudo) given the password line or not.
    fn wrapped(script: &str) -> String {
        scripts::command_line(&skip_to_mark(script), Privilege::Root, None)
    }

    #[test]
    fn the_command_reads_its_own_input_whether_sudo_took_the_password_line_or_left_it() {
        // sudo took the password: the marker comes first
        let (status, out) = sh(&wrapped("cat"), b"kafka-wizard:stdin\nline 1\nline 2\n");
        assert_eq!((status, out.as_str()), (0, "line 1\nline 2\n"));
        // sudo needed no password (NOPASSWD, cached credentials): the password line is skipped, never output
        let (status, out) = sh(&wrapped("cat; echo \"${kw_line-unset}\""), b"hunter2\nkafka-wizard:stdin\nbody");
        assert_eq!((status, out.as_str()), (0, "bodyunset\n"));
        // binary input right after the marker arrives byte for byte
        let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let mut input = b"kafka-wizard:stdin\n".to_vec();
        input.extend_from_slice(&body);
        let (status, out) = sh(&wrapped("od -An -v -tx1 | tr -d ' \\n' | wc -c"), &input);
        assert_eq!((status, out.trim()), (0, (body.len() * 2).to_string().as_str()));
    }

    #[test]
    fn input_without_the_marker_stops_the_command_before_it_runs() {
        let (status, out) = sh(&wrapped("echo ran"), b"one\ntwo\nkafka-wizard:stdin\n");
        assert_eq!((status, out.as_str()), (MARK_MISSING_STATUS, ""));
        let (status, out) = sh(&wrapped("echo ran"), b"");
        assert_eq!((status, out.as_str()), (MARK_MISSING_STATUS, ""));
    }

    fn output(status: i32, stdout: &str, stderr: &str) -> ExecOutput {
        ExecOutput { status, stdout: stdout.into(), stderr: stderr.into() }
    }

    /// Runs [`Become::check`] against canned answers: the first for `sudo -n`, the second for `sudo -S`.
    fn check(password: Option<&str>, answers: [ExecOutput; 2]) -> (Result<(), TransportError>, Vec<String>, bool) {
        let b = Become::new(password.map(Secret::new));
        let calls = std::sync::Mutex::new(Vec::new());
        let result = b.check("h1", "deploy", Privilege::Sudo, |line, stdin| {
            let mut calls = calls.lock().unwrap();
            calls.push(format!("{line} <{}>", String::from_utf8_lossy(stdin)));
            Ok(answers[calls.len() - 1].clone())
        });
        let uses = b.uses_password(Privilege::Sudo);
        (result, calls.into_inner().unwrap(), uses)
    }

    #[test]
    fn the_check_keeps_sudo_n_where_it_works_and_never_sends_the_password_there() {
        let ok = output(0, "kafka-wizard:sudo-ok\n", "");
        let (result, calls, uses) = check(Some("pw"), [ok.clone(), ok]);
        assert!(result.is_ok() && !uses);
        assert_eq!(calls, ["sudo -n sh -c 'echo kafka-wizard:sudo-ok' <>"]);
    }

    #[test]
    fn the_check_switches_to_the_password_when_sudo_wants_one_and_takes_it() {
        let wants = output(1, "", "sudo: a password is required\n");
        let (result, calls, uses) = check(Some("pw"), [wants, output(0, "kafka-wizard:sudo-ok\n", "")]);
        assert!(result.is_ok() && uses, "{result:?}");
        assert_eq!(calls[1], "sudo -k -S -p '' sh -c 'echo kafka-wizard:sudo-ok' <pw\n>");
    }

    #[test]
    fn the_check_names_the_flag_when_no_password_was_given_and_says_a_wrong_one_was_refused() {
        let wants = output(1, "", "sudo: a password is required\n");
        let (result, _, _) = check(None, [wants.clone(), wants.clone()]);
        let text = result.unwrap_err().to_string();
        assert!(text.contains("h1") && text.contains("--ask-become-password"), "{text}");
        let wrong =
            output(1, "", "Sorry, try again.\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n");
        let (result, _, uses) = check(Some("nope"), [wants, wrong]);
        let text = result.unwrap_err().to_string();
        assert!(text.contains("sudo on h1 refused the password given with --ask-become-password"), "{text}");
        assert!(!text.contains("nope") && !uses);
    }

    #[test]
    fn a_host_whose_sudo_requires_a_tty_is_told_apart_naming_the_sudoers_setting() {
        let tty = output(1, "", "sudo: sorry, you must have a tty to run sudo\n");
        for password in [None, Some("pw")] {
            let (result, _, _) = check(password, [tty.clone(), tty.clone()]);
            let text = result.unwrap_err().to_string();
            assert!(text.contains("requiretty") && text.contains("h1"), "{text}");
        }
    }

    #[test]
    fn other_sudo_failures_carry_sudos_own_words() {
        let wants = output(1, "", "sudo: a password is required\n");
        let not_allowed = output(1, "", "deploy is not in the sudoers file.\n");
        let (result, _, _) = check(Some("pw"), [wants, not_allowed]);
        let text = result.unwrap_err().to_string();
        assert!(text.contains("h1") && text.contains("not in the sudoers file"), "{text}");
    }

    #[test]
    fn a_password_with_a_line_break_is_refused_before_it_is_used() {
        assert!(check_password("fine pass; 'quoted' $x").is_ok());
        assert!(check_password("two\nlines").is_err());
        assert!(check_password("cr\r").is_err());
    }
}
