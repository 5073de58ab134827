//! The shell the transports send: privilege wrapping (`sudo -n sh -c …`), atomic install of an uploaded temporary
//! file, atomic write from stdin, read with "missing" told apart from other failures. Pure string builders shared by
//! the SSH and local transports; every path goes through `crate::shell::quote`.

use crate::shell::quote;

/// How a transport gets root for `exec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    /// Logged in as root: commands run directly.
    Root,
    /// A non-root user with passwordless sudo: commands run through `sudo -n`.
    Sudo,
    /// A non-root user without sudo: commands run as that user (files cannot be given to root).
    User,
}

impl Privilege {
    pub fn of(user_is_root: bool, sudo: bool) -> Privilege {
        match (user_is_root, sudo) {
            (true, _) => Privilege::Root,
            (false, true) => Privilege::Sudo,
            (false, false) => Privilege::User,
        }
    }
}

/// What sudo prints (in every locale we met, with `-n`) when it would have to ask for a password.
pub const SUDO_PASSWORD_REQUIRED: &str = "sudo: a password is required";

/// Marker a [`read_script`] prints on stderr (with exit status [`MISSING_STATUS`]) when the file does not exist.
pub const MISSING_MARKER: &str = "kafka-wizard: no such file";
pub const MISSING_STATUS: i32 = 3;

/// The command line that runs `script` with `sh -c` at `privilege`, optionally under `timeout` (remote deadline).
pub fn command_line(script: &str, privilege: Privilege, deadline_secs: Option<u64>) -> String {
    let mut line = format!("sh -c {}", quote(script));
    if let Some(secs) = deadline_secs {
        line = format!("timeout -k 10 {secs} {line}");
    }
    match privilege {
        Privilege::Sudo => format!("sudo -n {line}"),
        Privilege::Root | Privilege::User => line,
    }
}

/// Did sudo refuse for want of a password? (Only meaningful for [`Privilege::Sudo`].)
pub fn sudo_wants_password(status: i32, stderr: &[u8]) -> bool {
    status != 0 && String::from_utf8_lossy(stderr).contains(SUDO_PASSWORD_REQUIRED)
}

fn split(remote: &str) -> (&str, &str) {
    match remote.rfind('/') {
        Some(0) => ("/", &remote[1..]),
        Some(i) => (&remote[..i], &remote[i + 1..]),
        None => (".", remote),
    }
}

/// Directory of `remote` (absolute).
pub fn parent(remote: &str) -> &str {
    split(remote).0
}

/// A `mktemp` template beside `remote`: `<dir>/.<name>.kw-XXXXXX`.
fn temp_template(remote: &str) -> String {
    let (dir, name) = split(remote);
    let dir = if dir == "/" { "" } else { dir };
    format!("{dir}/.{name}{}XXXXXX", crate::plan::leftovers::TEMP_MARK)
}

/// The last component of `remote`.
pub fn file_name(remote: &str) -> &str {
    split(remote).1
}

/// A temporary name beside `remote` with the random `tag`: `<dir>/.<name>.kw-<tag>`.
pub fn temp_beside(remote: &str, tag: &str) -> String {
    temp_template(remote).replace("XXXXXX", tag)
}

/// A shell condition that holds when `remote` is not a directory, and otherwise prints on stderr that it is one,
/// naming it, and fails: `mv` onto a directory would move the file inside it and "succeed", so the host would
/// never converge. Put it before every `mv` onto a path the wizard does not create itself (`[ -d ]` rather than
/// GNU `mv -T`, which BusyBox and the BSDs lack).
pub fn refuse_directory(remote: &str) -> String {
    let q = quote(remote);
    let message = format!(
        "kafka-wizard: {remote} is a directory, so the file cannot be installed there — move the directory away (or \
         remove it) and run again"
    );
    format!("{{ [ ! -d {q} ] || {{ printf '%s\\n' {} >&2; false; }}; }}", quote(&message))
}

/// The same for a symbolic link the wizard swaps with `ln -sfn`: a link (to anything) or nothing passes; a real
/// directory at `link` fails, naming it — `ln` would make the new link inside it and the host never converge.
pub fn refuse_real_directory(link: &str) -> String {
    let q = quote(link);
    let message = format!(
        "kafka-wizard: {link} is a real directory, not the wizard's symbolic link — move it away (or remove it) and \
         run again"
    );
    format!("{{ [ -L {q} ] || [ ! -d {q} ] || {{ printf '%s\\n' {} >&2; false; }}; }}", quote(&message))
}

fn finish(file: &str, remote: &str, mode: u32, privilege: Privilege) -> String {
    let chown = match privilege {
        Privilege::Root | Privilege::Sudo => format!(" && chown root:root {file}"),
        Privilege::User => String::new(),
    };
    format!("{} && chmod {mode:o} {file}{chown} && mv -f -- {file} {}", refuse_directory(remote), quote(remote))
}

/// Moves the uploaded temporary file `tmp` onto `remote` with `mode` (owned by root when privileged), atomically:
/// when `tmp` is not in `remote`'s directory it is first copied to a fresh temporary name there. On failure no
/// temporary file is left and `remote` is untouched.
pub fn install_script(tmp: &str, remote: &str, mode: u32, privilege: Privilege) -> String {
    let q_tmp = quote(tmp);
    if parent(tmp) == parent(remote) {
        format!("if {}; then :; else rc=$?; rm -f -- {q_tmp}; exit $rc; fi", finish(&q_tmp, remote, mode, privilege))
    } else {
        format!(
            "t=$(mktemp {}) || {{ rm -f -- {q_tmp}; exit 1; }}\n\
             if cat -- {q_tmp} > \"$t\" && {}; then rm -f -- {q_tmp}; \
             else rc=$?; rm -f -- \"$t\" {q_tmp}; exit $rc; fi",
            quote(&temp_template(remote)),
            finish("\"$t\"", remote, mode, privilege)
        )
    }
}

/// Writes stdin to `remote` with `mode` (owned by root when privileged), atomically via a temporary file beside it.
pub fn write_script(remote: &str, mode: u32, privilege: Privilege) -> String {
    format!(
        "t=$(mktemp {}) || exit 1\nif cat > \"$t\" && {}; then :; else rc=$?; rm -f -- \"$t\"; exit $rc; fi",
        quote(&temp_template(remote)),
        finish("\"$t\"", remote, mode, privilege)
    )
}

/// Writes stdin to `remote` with `mode` as the service account `user` (through `runuser`, run as root): for a file
/// inside a directory that account owns, where root would work through a path it controls (it could swap the
/// temporary file or the target for a link to, say, `/etc/shadow` between root's steps). The file ends up owned by
/// `user` and its group, atomically as [`write_script`].
pub fn write_as_script(user: &str, remote: &str, mode: u32) -> String {
    format!("runuser -u {} -- sh -c {}", quote(user), quote(&write_script(remote, mode, Privilege::User)))
}

/// `first`, then `script`, as one script: `first` runs in a subshell (its `set -e`, `umask` and variables stay
/// there) and its failure ends the whole with its exit status before `script` starts.
pub fn after(first: &str, script: &str) -> String {
    format!("(\n{first}\n) || exit $?\n{script}")
}

/// Prints `remote`; when it does not exist, prints [`MISSING_MARKER`] on stderr and exits [`MISSING_STATUS`].
pub fn read_script(remote: &str) -> String {
    let q = quote(remote);
    format!(
        "if [ -e {q} ] || [ -L {q} ]; then exec cat -- {q}; fi\nprintf '%s\\n' {} >&2; exit {MISSING_STATUS}",
        quote(MISSING_MARKER)
    )
}

/// Did a [`read_script`] find no file?
pub fn is_missing(status: i32, stderr: &[u8]) -> bool {
    status == MISSING_STATUS && String::from_utf8_lossy(stderr).trim_end() == MISSING_MARKER
}

/// What a [`read_script`] run means: `None` when the file is missing, its bytes when it was read, else the failure.
pub fn read_outcome(out: super::ExecOutput) -> Result<Option<Vec<u8>>, String> {
    if is_missing(out.status, &out.stderr) {
        Ok(None)
    } else if out.success() {
        Ok(Some(out.stdout))
    } else {
        Err(format!("exit status {}: {}", out.status, out.stderr_tail(5)))
    }
}

/// Exit status for a command killed by `signal` (an SSH signal name such as `KILL`, or a number): 128 + n.
pub fn signal_status(signal: &str) -> i32 {
    const NAMES: [&str; 15] = [
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM",
    ];
    let name = signal.trim_start_matches("SIG");
    let number = NAMES.iter().position(|n| *n == name).map(|i| i as i32 + 1).or_else(|| name.parse().ok());
    128 + number.unwrap_or(127)
}

/// Rejects a remote path that is not absolute or has a NUL byte.
pub fn check_remote_path(remote: &str) -> Result<(), String> {
    if !remote.starts_with('/') || remote.ends_with('/') || remote.contains('\0') {
        return Err(format!("remote path must be an absolute file path, not {remote:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    fn sh(script: &str, stdin: &[u8]) -> (i32, String, String) {
        use std::io::Write;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A script that fails before it reads its input closes the pipe first: that is the case under test.
        match child.stdin.take().unwrap().write_all(stdin) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written.unwrap(),
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn root_runs_sh_directly_and_a_sudo_user_through_sudo_n_with_the_script_quoted() {
        let script = "echo 'it''s' $HOME; rm -rf \"/tmp/x y\"";
        assert_eq!(command_line("id -u", Privilege::Root, None), "sh -c 'id -u'");
        assert_eq!(command_line("id -u", Privilege::User, None), "sh -c 'id -u'");
        assert_eq!(command_line("id -u", Privilege::Sudo, None), "sudo -n sh -c 'id -u'");
        assert_eq!(command_line("true", Privilege::Sudo, Some(30)), "sudo -n timeout -k 10 30 sh -c true");
        let line = command_line(script, Privilege::Sudo, None);
        assert_eq!(line, format!("sudo -n sh -c {}", quote(script)));
        // the quoted script reaches sh byte for byte
        let (status, out, _) = sh(&format!("printf '%s' {}", quote(script)), b"");
        assert_eq!((status, out.as_str()), (0, script));
    }

    #[test]
    fn sudo_asking_for_a_password_is_recognised_only_on_failure() {
        assert!(sudo_wants_password(1, b"sudo: a password is required\n"));
        assert!(!sudo_wants_password(0, b"sudo: a password is required\n"));
        assert!(!sudo_wants_password(1, b"permission denied"));
    }

    #[test]
    fn signals_become_128_plus_their_number() {
        assert_eq!(signal_status("KILL"), 137);
        assert_eq!(signal_status("TERM"), 143);
        assert_eq!(signal_status("SIGSEGV"), 139);
        assert_eq!(signal_status("HUP"), 129);
        assert_eq!(signal_status("WEIRD"), 255);
    }

    #[test]
    fn temporary_names_sit_beside_the_target_and_start_with_a_dot() {
        assert_eq!(temp_beside("/etc/kafka/server.properties", "ab12"), "/etc/kafka/.server.properties.kw-ab12");
        assert_eq!(temp_beside("/x", "ab12"), "/.x.kw-ab12");
        assert_eq!(parent("/x"), "/");
        assert_eq!(parent("/a/b/c"), "/a/b");
    }

    #[test]
    fn relative_or_directory_paths_are_refused() {
        assert!(check_remote_path("/etc/kafka/x").is_ok());
        assert!(check_remote_path("etc/x").is_err());
        assert!(check_remote_path("/etc/").is_err());
    }

    #[test]
    fn write_then_read_round_trips_and_a_missing_file_is_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("it's a file").display().to_string();
        let (status, _, err) = sh(&write_script(&path, 0o640, Privilege::User), b"hello\nworld\n");
        assert_eq!(status, 0, "{err}");
        let (status, out, _) = sh(&read_script(&path), b"");
        assert_eq!((status, out.as_str()), (0, "hello\nworld\n"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");

        let missing = dir.path().join("nope").display().to_string();
        let (status, _, err) = sh(&read_script(&missing), b"");
        assert!(is_missing(status, err.as_bytes()), "{status} {err}");
        // a directory is not "missing": cat fails with its own message
        let (status, _, err) = sh(&read_script(&dir.path().display().to_string()), b"");
        assert!(status != 0 && !is_missing(status, err.as_bytes()), "{status} {err}");
    }

    #[test]
    fn a_file_written_as_the_service_account_is_its_own_with_the_mode_and_replaces_a_planted_link() {
        if !crate::test_support::running_as_root() {
            eprintln!("skipped: runuser needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let owned = dir.path().join("zookeeper");
        std::fs::create_dir(&owned).unwrap();
        assert!(Command::new("chown").args(["nobody", &owned.display().to_string()]).status().unwrap().success());
        let outside = dir.path().join("shadow");
        std::fs::write(&outside, "root's\n").unwrap();
        let path = owned.join("myid");
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        let (status, _, err) = sh(&write_as_script("nobody", &path.display().to_string(), 0o644), b"3\n");
        assert_eq!(status, 0, "{err}");
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file(), "the link was replaced by a file");
        assert_eq!((meta.permissions().mode() & 0o777, std::fs::read_to_string(&path).unwrap()), (0o644, "3\n".into()));
        let nobody = String::from_utf8(Command::new("id").args(["-u", "nobody"]).output().unwrap().stdout).unwrap();
        assert_eq!(meta.uid().to_string(), nobody.trim());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "root's\n", "what the link pointed at is untouched");
        assert_eq!(std::fs::metadata(&outside).unwrap().uid(), 0);
    }

    #[test]
    fn a_script_run_first_prints_what_it_prints_and_its_failure_stops_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f").display().to_string();
        let write = write_script(&path, 0o600, Privilege::User);
        let (status, out, err) = sh(&after("umask 077; echo kept", &write), b"new\n");
        assert_eq!((status, out.as_str()), (0, "kept\n"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let (status, _, _) = sh(&after("echo no >&2; exit 4", &write), b"newer\n");
        assert_eq!(status, 4);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n", "the write did not happen");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    /// Writes `content` to `tmp`, installs it over `target` as a plain user; the exit status and stderr.
    fn install_from(tmp: &str, content: &str, target: &str, mode: u32) -> (i32, String) {
        std::fs::write(tmp, content).unwrap();
        let (status, _, err) = sh(&install_script(tmp, target, mode, Privilege::User), b"");
        (status, err)
    }

    #[test]
    fn install_moves_a_temporary_file_into_place_from_the_same_or_another_directory() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let target = dir.path().join("target").display().to_string();
        std::fs::write(&target, "old").unwrap();

        let beside = temp_beside(&target, "t1");
        let (status, err) = install_from(&beside, "new1", &target, 0o600);
        assert_eq!((status, std::fs::read_to_string(&target).unwrap().as_str()), (0, "new1"), "{err}");
        let elsewhere = other.path().join(".kw-upload-1").display().to_string();
        let (status, err) = install_from(&elsewhere, "new2", &target, 0o644);
        assert_eq!((status, std::fs::read_to_string(&target).unwrap().as_str()), (0, "new2"), "{err}");
        assert!(!std::path::Path::new(&elsewhere).exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn installing_or_writing_onto_a_directory_fails_naming_it_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let target = dir.path().join("server.properties");
        std::fs::create_dir(&target).unwrap();
        let target = target.display().to_string();
        let expected = format!("kafka-wizard: {target} is a directory, so the file cannot be installed there");

        let (status, err) = install_from(&temp_beside(&target, "t1"), "new", &target, 0o644);
        assert!(status != 0 && err.contains(&expected), "{status} {err}");
        let elsewhere = other.path().join(".kw-upload-3").display().to_string();
        let (status, err) = install_from(&elsewhere, "new", &target, 0o644);
        assert!(status != 0 && err.contains(&expected), "{status} {err}");
        let (status, _, err) = sh(&write_script(&target, 0o644, Privilege::User), b"new");
        assert!(status != 0 && err.contains(&expected), "{status} {err}");

        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0, "nothing moved inside the directory");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        assert!(!std::path::Path::new(&elsewhere).exists());
    }

    #[test]
    fn refusing_a_directory_passes_a_file_or_a_missing_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        for path in [file.display().to_string(), dir.path().join("missing").display().to_string()] {
            assert_eq!(sh(&refuse_directory(&path), b"").0, 0, "{path}");
        }
        let (status, _, err) = sh(&refuse_directory(&dir.path().display().to_string()), b"");
        assert!(status != 0 && err.contains("is a directory"), "{err}");
    }

    #[test]
    fn a_link_swap_passes_a_link_or_nothing_and_refuses_a_real_directory() {
        let dir = tempfile::tempdir().unwrap();
        let release = dir.path().join("kafka_2.13-4.1.1");
        std::fs::create_dir(&release).unwrap();
        let link = dir.path().join("kafka");
        let swap = |link: &std::path::Path| {
            let link = link.display().to_string();
            let script = format!(
                "{} && ln -sfn {} {}",
                refuse_real_directory(&link),
                quote(&release.display().to_string()),
                quote(&link)
            );
            sh(&script, b"")
        };
        assert_eq!(swap(&link).0, 0, "no link yet");
        assert_eq!(swap(&link).0, 0, "a link to a directory is replaced");
        assert_eq!(std::fs::read_link(&link).unwrap(), release);
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let (status, _, err) = swap(&real);
        assert!(status != 0 && err.contains("is a real directory, not the wizard's symbolic link"), "{err}");
        assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0, "no link made inside it");
    }

    #[test]
    fn a_failed_install_leaves_neither_temporary_file_nor_a_changed_target() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let elsewhere = other.path().join(".kw-upload-2").display().to_string();
        let target = dir.path().join("no-such-dir").join("target").display().to_string();
        let (status, _) = install_from(&elsewhere, "data", &target, 0o644);
        assert_ne!(status, 0);
        assert!(!std::path::Path::new(&elsewhere).exists());
    }
}
