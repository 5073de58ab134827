//! Local transport: the machine the wizard runs on. Commands run with `sh -c` (through `sudo -n` when not root and
//! asked to); files are installed atomically with the same scripts as the SSH transport (`scripts.rs`).

use super::scripts::{self, Privilege};
use super::{ExecOutput, Transport, TransportError};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs commands and writes files on this machine.
#[derive(Debug, Clone)]
pub struct LocalTransport {
    name: String,
    privilege: Privilege,
}

impl LocalTransport {
    /// `name` is the host's name in the project; `sudo`: use `sudo -n` for commands when not running as root.
    pub fn new(name: impl Into<String>, sudo: bool) -> LocalTransport {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        LocalTransport { name: name.into(), privilege: Privilege::of(root, sudo) }
    }

    /// How commands get root here.
    pub fn privilege(&self) -> Privilege {
        self.privilege
    }

    fn io(&self, action: impl Into<String>, detail: impl ToString) -> TransportError {
        TransportError::Io { host: self.name.clone(), action: action.into(), detail: detail.to_string() }
    }

    fn run_ok(&self, action: &str, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        let out = self.exec(script, stdin)?;
        if !out.success() {
            return Err(self.io(action, format!("exit status {}: {}", out.status, out.stderr_tail(5))));
        }
        Ok(out)
    }
}

impl Transport for LocalTransport {
    fn host(&self) -> &str {
        &self.name
    }

    fn exec(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        use std::os::unix::process::ExitStatusExt;
        let mut command = match self.privilege {
            Privilege::Sudo => {
                let mut c = Command::new("sudo");
                c.args(["-n", "sh", "-c", script]);
                c
            }
            Privilege::Root | Privilege::User => {
                let mut c = Command::new("sh");
                c.args(["-c", script]);
                c
            }
        };
        let mut child = command
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.io("starting sh", e))?;
        // feed stdin from its own thread while wait_with_output drains stdout and stderr: no pipe deadlock
        let feeder = match (stdin, child.stdin.take()) {
            (Some(data), Some(mut pipe)) => {
                let data = data.to_vec();
                Some(std::thread::spawn(move || {
                    let _ = pipe.write_all(&data); // the command may exit without reading it all
                }))
            }
            _ => None,
        };
        let out = child.wait_with_output().map_err(|e| self.io("waiting for sh", e))?;
        if let Some(feeder) = feeder {
            let _ = feeder.join();
        }
        let status = out.status.code().unwrap_or_else(|| 128 + out.status.signal().unwrap_or(127));
        let output = ExecOutput { status, stdout: out.stdout, stderr: out.stderr };
        if self.privilege == Privilege::Sudo && scripts::sudo_wants_password(output.status, &output.stderr) {
            return Err(TransportError::SudoPasswordRequired {
                host: self.name.clone(),
                user: std::env::var("USER").unwrap_or_else(|_| "this user".into()),
            });
        }
        Ok(output)
    }

    fn upload(
        &self,
        local: &Path,
        remote: &str,
        mode: u32,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), TransportError> {
        use std::os::unix::fs::OpenOptionsExt;
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("copying to {remote}"), e))?;
        let action = format!("reading {}", local.display());
        let mut input = std::fs::File::open(local).map_err(|e| self.io(&action, e))?;
        let total = input.metadata().map_err(|e| self.io(&action, e))?.len();
        let tag = {
            use rand::RngCore;
            let mut b = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut b);
            hex::encode(b)
        };
        let tmp = match self.privilege {
            Privilege::Sudo => std::env::temp_dir().join(format!(".kw-upload-{tag}")).display().to_string(),
            Privilege::Root | Privilege::User => scripts::temp_beside(remote, &tag),
        };
        let copied = (|| -> Result<(), TransportError> {
            let copy_action = format!("copying {} to {tmp}", local.display());
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| self.io(&copy_action, e))?;
            let mut buf = vec![0u8; 1 << 20];
            let mut done = 0u64;
            loop {
                let n = match input.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(self.io(&action, e)),
                };
                out.write_all(&buf[..n]).map_err(|e| self.io(&copy_action, e))?;
                done += n as u64;
                progress(done, total);
            }
            if total == 0 {
                progress(0, 0);
            }
            out.sync_all().map_err(|e| self.io(&copy_action, e))
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let install = scripts::install_script(&tmp, remote, mode, self.privilege);
        let result = self.run_ok(&format!("moving the copy into place at {remote}"), &install, None);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map(|_| ())
    }

    fn write_file(&self, remote: &str, content: &[u8], mode: u32) -> Result<(), TransportError> {
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("writing {remote}"), e))?;
        let script = scripts::write_script(remote, mode, self.privilege);
        self.run_ok(&format!("writing {remote}"), &script, Some(content)).map(|_| ())
    }

    fn read_file(&self, remote: &str) -> Result<Option<Vec<u8>>, TransportError> {
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("reading {remote}"), e))?;
        let out = self.exec(&scripts::read_script(remote), None)?;
        scripts::read_outcome(out).map_err(|detail| self.io(format!("reading {remote}"), detail))
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
