//! Local transport: the machine the wizard runs on (`hold`: a child process whose stdin pipe stays open until the
//! transport is dropped, or this process dies). Commands run with `sh -c` (through `sudo -n`, or `sudo -S` with
//! the become password, when not root and asked to: the command line of `sudo.rs`, run by `sh -c`); files are installed atomically by the shared flow of `staging.rs`, an upload staged with plain file I/O.

use super::scripts::{self, Privilege};
use super::staging::{self, CopyInto, Stage};
use super::sudo::Become;
use super::{ExecOutput, Held, Progress, Secret, Transport, TransportError};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// Runs commands and writes files on this machine.
#[derive(Debug)]
pub struct LocalTransport {
    name: String,
    privilege: Privilege,
    become_: Become,
    /// The commands `hold` left running, their stdin open; closed (and the commands awaited) when dropped.
    held: Mutex<Vec<Child>>,
}

impl Drop for LocalTransport {
    fn drop(&mut self) {
        for mut child in self.held.get_mut().unwrap_or_else(|p| p.into_inner()).drain(..) {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

impl LocalTransport {
    /// `name` is the host's name in the project; `sudo`: use sudo for commands when not running as root.
    pub fn new(name: impl Into<String>, sudo: bool) -> LocalTransport {
        LocalTransport::with_become_password(name, sudo, None)
    }

    /// [`LocalTransport::new`] with the run's become password (used where sudo asks for one, `sudo.rs`).
    pub fn with_become_password(name: impl Into<String>, sudo: bool, password: Option<Secret>) -> LocalTransport {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        LocalTransport {
            name: name.into(),
            privilege: Privilege::of(root, sudo),
            become_: Become::new(password),
            held: Mutex::new(Vec::new()),
        }
    }

    fn user() -> String {
        std::env::var("USER").unwrap_or_else(|_| "this user".into())
    }

    /// Runs the full command line `line` with `sh -c`, feeding `stdin`.
    fn run(&self, line: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        use std::os::unix::process::ExitStatusExt;
        let mut child = Command::new("sh")
            .args(["-c", line])
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.io("starting sh", e))?;
        // feed stdin from its own thread while wait_with_output drains stdout and stderr: no pipe deadlock
        let out = std::thread::scope(|scope| {
            if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
                scope.spawn(move || {
                    let _ = pipe.write_all(data); // the command may exit without reading it all
                });
            }
            child.wait_with_output()
        });
        let out = out.map_err(|e| self.io("waiting for sh", e))?;
        let status = out.status.code().unwrap_or_else(|| 128 + out.status.signal().unwrap_or(127));
        Ok(ExecOutput { status, stdout: out.stdout, stderr: out.stderr })
    }

    fn io(&self, action: impl Into<String>, detail: impl ToString) -> TransportError {
        TransportError::io(&self.name, action, detail)
    }
}

impl Transport for LocalTransport {
    fn login(&self) -> (&str, Privilege) {
        (&self.name, self.privilege)
    }

    fn exec(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        let line = self.become_.command_line(script, self.privilege, None);
        let input = self.become_.stdin(self.privilege, stdin);
        let output = self.run(&line, input.as_deref().map(Vec::as_slice))?;
        if self.privilege == Privilege::Sudo && scripts::sudo_wants_password(output.status, &output.stderr) {
            return Err(TransportError::SudoPasswordRequired { host: self.name.clone(), user: Self::user() });
        }
        Ok(output)
    }

    fn hold(&self, script: &str) -> Result<Held, TransportError> {
        use std::os::unix::process::ExitStatusExt;
        let line = self.become_.command_line(script, self.privilege, None);
        let mut child = Command::new("sh")
            .args(["-c", &line])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.io("starting sh", e))?;
        if let (Some(input), Some(pipe)) = (self.become_.stdin(self.privilege, None), child.stdin.as_mut()) {
            pipe.write_all(&input).map_err(|e| self.io("writing the command's stdin", e))?;
        }
        let mut stdout = Vec::new();
        let mut pipe = child.stdout.take().expect("stdout is piped");
        let mut byte = [0u8; 1];
        while pipe.read(&mut byte).map_err(|e| self.io("reading the command's output", e))? == 1 {
            if byte[0] == b'\n' {
                self.held.lock().unwrap_or_else(|p| p.into_inner()).push(child);
                return Ok(Held::Running(String::from_utf8_lossy(&stdout).into_owned()));
            }
            stdout.push(byte[0]);
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().map_err(|e| self.io("waiting for sh", e))?;
        let status = out.status.code().unwrap_or_else(|| 128 + out.status.signal().unwrap_or(127));
        Ok(Held::Ended(ExecOutput { status, stdout, stderr: out.stderr }))
    }

    fn check_privilege(&self) -> Result<(), TransportError> {
        self.become_.check(&self.name, &Self::user(), self.privilege, |line, stdin| self.run(line, Some(stdin)))
    }

    fn upload(&self, local: &Path, remote: &str, mode: u32, progress: Progress<'_>) -> Result<(), TransportError> {
        staging::upload(self, local, remote, mode, progress)
    }
}

impl Stage for LocalTransport {
    fn staging_dir(&self) -> Result<String, TransportError> {
        Ok(std::env::temp_dir().display().to_string())
    }

    fn write_new(&self, tmp: &str, action: &str, copy: CopyInto<'_>) -> Result<u64, TransportError> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(tmp)
            .map_err(|e| self.io(action, e))?;
        let done = copy(&mut out)?;
        out.sync_all().map_err(|e| self.io(action, e))?;
        Ok(done)
    }

    fn remove(&self, tmp: &str) {
        let _ = std::fs::remove_file(tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> LocalTransport {
        LocalTransport::new("localhost", false)
    }

    #[test]
    fn exec_returns_status_stdout_and_stderr_and_feeds_stdin() {
        let out = local().exec("echo out; echo err >&2; exit 3", None).unwrap();
        assert_eq!((out.status, out.stdout_text(), out.stderr_tail(1)), (3, "out\n".into(), "err".into()));
        let out = local().exec("tr a-z A-Z", Some(b"hello")).unwrap();
        assert_eq!(out.stdout_text(), "HELLO");
    }

    #[test]
    fn a_command_killed_by_a_signal_reports_128_plus_the_signal() {
        assert_eq!(local().exec("kill -KILL $$", None).unwrap().status, 137);
    }

    #[test]
    fn big_stdout_and_stderr_together_with_big_stdin_do_not_deadlock() {
        let input = vec![b'x'; 4 << 20];
        let out = local().exec("head -c 5000000 /dev/zero >&2; cat; head -c 3000000 /dev/zero", Some(&input)).unwrap();
        assert_eq!((out.stderr.len(), out.stdout.len()), (5_000_000, 4 * 1024 * 1024 + 3_000_000));
    }

    #[test]
    fn write_read_and_upload_are_atomic_and_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let t = local();
        let target = dir.path().join("conf file").display().to_string();
        assert_eq!(t.read_file(&target).unwrap(), None);
        t.write_file(&target, b"a=1\n", 0o640).unwrap();
        assert_eq!(t.read_file(&target).unwrap().as_deref(), Some(&b"a=1\n"[..]));

        let source = dir.path().join("source.bin");
        std::fs::write(&source, vec![7u8; 3 * 1024 * 1024 + 5]).unwrap();
        let uploaded = dir.path().join("uploaded.bin").display().to_string();
        let mut calls = Vec::new();
        t.upload(&source, &uploaded, 0o644, &mut |done, total| calls.push((done, total))).unwrap();
        assert_eq!(std::fs::read(&uploaded).unwrap(), std::fs::read(&source).unwrap());
        assert_eq!(calls.last(), Some(&(3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 5)));
        assert_eq!(calls.len(), 4);
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, ["conf file", "source.bin", "uploaded.bin"]);
    }

    #[test]
    fn an_upload_into_a_missing_directory_fails_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("s");
        std::fs::write(&source, b"x").unwrap();
        let target = dir.path().join("missing").join("t").display().to_string();
        let err = local().upload(&source, &target, 0o644, &mut |_, _| {}).unwrap_err();
        assert!(matches!(err, TransportError::Io { .. }), "{err:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
