//! Running a command on the SSH session: the privilege wrapping (`sudo -n` or `sudo -S` with the become password on
//! stdin, by `transport/sudo.rs`, and `timeout` for a remote deadline), sudo's password prompt told apart, and the channel itself — stdin fed while stdout and
//! stderr are read together in non-blocking mode with `poll` (no deadlock on big stderr), the exit status after
//! `wait_close`, `exit_signal` → 128 + n. A command overrunning the safety-net deadline abandons the connection.

use super::{Inner, SshTransport};
use crate::transport::scripts::{self, Privilege};
use crate::transport::{ExecOutput, TransportError};
use ssh2::{ErrorCode, Session};
use std::io::{Read, Write};
use std::os::unix::io::RawFd;
use std::time::{Duration, Instant};

/// The default safety-net deadline of one `exec` (see [`SshTransport::set_command_deadline`]).
pub const DEFAULT_COMMAND_DEADLINE: Duration = Duration::from_secs(30 * 60);
const LIBSSH2_ERROR_EAGAIN: i32 = -37;

impl SshTransport {
    /// The safety net for `exec`: a command still running after this long makes the call fail with
    /// [`TransportError::Timeout`] and abandons the connection (connect again). Default 30 minutes.
    pub fn set_command_deadline(&self, deadline: Duration) {
        *self.deadline.lock().unwrap_or_else(|p| p.into_inner()) = deadline;
    }

    /// Like `exec`, but the remote command is run under `timeout` (killed after `deadline`, status 124 →
    /// [`TransportError::Timeout`]) so the connection stays usable.
    pub fn exec_with_deadline(
        &self,
        script: &str,
        stdin: Option<&[u8]>,
        deadline: Duration,
    ) -> Result<ExecOutput, TransportError> {
        let secs = deadline.as_secs().max(1);
        let command = self.become_.command_line(script, self.privilege, Some(secs));
        let started = Instant::now();
        let out = self.run(&command, script, stdin, Duration::from_secs(secs + 15))?;
        if out.status == 124 && started.elapsed() >= Duration::from_secs(secs) {
            return Err(self.timeout_error(script, secs));
        }
        Ok(out)
    }

    fn timeout_error(&self, script: &str, seconds: u64) -> TransportError {
        let first = script.lines().next().unwrap_or("");
        let command = if first.len() > 120 || script.lines().nth(1).is_some() {
            format!("{}…", first.chars().take(120).collect::<String>())
        } else {
            first.to_string()
        };
        TransportError::Timeout { host: self.name.clone(), command, seconds }
    }

    /// Runs `command` (a full remote command line) and checks for sudo's password prompt.
    fn run(
        &self,
        command: &str,
        script: &str,
        stdin: Option<&[u8]>,
        deadline: Duration,
    ) -> Result<ExecOutput, TransportError> {
        let input = self.become_.stdin(self.privilege, stdin);
        let mut inner = self.lock()?;
        let result = exec_on(&inner, command, input.as_deref().map(Vec::as_slice), deadline);
        let out = match result {
            Ok(out) => out,
            Err(ExecError::Deadline) => {
                inner.broken = Some(format!(
                    "the connection was abandoned after a command overran its {}s deadline",
                    deadline.as_secs()
                ));
                inner.session.set_blocking(true);
                return Err(self.timeout_error(script, deadline.as_secs()));
            }
            Err(ExecError::Ssh(action, detail)) => {
                inner.session.set_blocking(true);
                return Err(self.io(action, detail));
            }
        };
        if self.privilege == Privilege::Sudo && scripts::sudo_wants_password(out.status, &out.stderr) {
            return Err(TransportError::SudoPasswordRequired { host: self.name.clone(), user: self.user.clone() });
        }
        Ok(out)
    }

    /// `Transport::exec`: `script` with `sh -c`, privileged, under the safety-net deadline.
    pub(super) fn exec_privileged(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        let deadline = *self.deadline.lock().unwrap_or_else(|p| p.into_inner());
        self.run(&self.become_.command_line(script, self.privilege, None), script, stdin, deadline)
    }

    /// `Transport::check_privilege`: how this host's sudo is used, decided once (`transport/sudo.rs`).
    pub(super) fn check_sudo(&self) -> Result<(), TransportError> {
        self.become_.check(&self.name, &self.user, self.privilege, |command, stdin| {
            let inner = self.lock()?;
            let out = exec_on(&inner, command, Some(stdin), Duration::from_secs(60));
            out.map_err(|e| {
                inner.session.set_blocking(true);
                match e {
                    ExecError::Deadline => self.io("checking sudo", "no answer within 60s"),
                    ExecError::Ssh(action, detail) => self.io(action, detail),
                }
            })
        })
    }
}

enum ExecError {
    /// The safety-net deadline passed with the command still running.
    Deadline,
    /// An SSH-level failure: (action, detail).
    Ssh(String, String),
}

fn is_eagain(e: &ssh2::Error) -> bool {
    e.code() == ErrorCode::Session(LIBSSH2_ERROR_EAGAIN)
}

/// Runs one command on a channel, feeding stdin and reading stdout and stderr together (non-blocking + poll).
fn exec_on(inner: &Inner, command: &str, stdin: Option<&[u8]>, deadline: Duration) -> Result<ExecOutput, ExecError> {
    let ssh = |action: &str| {
        let action = action.to_string();
        move |e: ssh2::Error| ExecError::Ssh(action.clone(), e.to_string())
    };
    let session = &inner.session;
    let started = Instant::now();
    session.set_blocking(true);
    let mut channel = session.channel_session().map_err(ssh("opening an SSH channel"))?;
    channel.exec(command).map_err(ssh("starting a remote command"))?;
    let input = stdin.unwrap_or(&[]);
    let mut written = 0usize;
    let mut eof_sent = false;
    if input.is_empty() {
        channel.send_eof().map_err(ssh("closing the command's stdin"))?;
        eof_sent = true;
    }

    session.set_blocking(false);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut idle_passes = 0u32;
    loop {
        let remote_eof = channel.eof();
        let mut progressed = false;

        if !eof_sent && !remote_eof {
            if written < input.len() {
                let end = input.len().min(written + 256 * 1024);
                match channel.write(&input[written..end]) {
                    Ok(n) => {
                        written += n;
                        progressed |= n > 0;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(ExecError::Ssh("writing the command's stdin".into(), e.to_string())),
                }
            }
            if written == input.len() {
                match channel.send_eof() {
                    Ok(()) => {
                        eof_sent = true;
                        progressed = true;
                    }
                    Err(e) if is_eagain(&e) => {}
                    Err(e) => return Err(ExecError::Ssh("closing the command's stdin".into(), e.to_string())),
                }
            }
        }

        for (stream_id, sink) in [(0, &mut stdout), (1, &mut stderr)] {
            loop {
                let read = if stream_id == 0 { channel.read(&mut buf) } else { channel.stderr().read(&mut buf) };
                match read {
                    Ok(0) => break,
                    Ok(n) => {
                        sink.extend_from_slice(&buf[..n]);
                        progressed = true;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(ExecError::Ssh("reading the command's output".into(), e.to_string())),
                }
            }
        }

        if remote_eof && !progressed {
            break;
        }
        let elapsed = started.elapsed();
        if elapsed >= deadline {
            return Err(ExecError::Deadline);
        }
        if progressed {
            idle_passes = 0;
            continue;
        }
        // Reading one stream may have pulled the other stream's data, or the EOF, off the socket into libssh2's
        // buffers: poll only when nothing is waiting there (data of a stream we never read is polled past after a
        // second idle pass, so it cannot make this spin).
        if channel.eof() {
            continue; // the next pass drains what came before the EOF and ends
        }
        idle_passes += 1;
        let buffered = channel.read_window().available > 0;
        if buffered && idle_passes < 2 {
            continue;
        }
        let limit = if buffered { Duration::from_millis(10) } else { Duration::from_secs(1) };
        wait_socket(inner.fd, session, (deadline - elapsed).min(limit));
    }

    session.set_blocking(true);
    channel.wait_close().map_err(ssh("waiting for the command to end"))?;
    let mut status = channel.exit_status().map_err(ssh("reading the exit status"))?;
    if let Ok(signal) = channel.exit_signal() {
        if let Some(name) = signal.exit_signal {
            status = scripts::signal_status(&name);
        }
    }
    Ok(ExecOutput { status, stdout, stderr })
}

/// Waits until the session's socket is ready in the direction libssh2 is blocked on, or `limit` passes.
fn wait_socket(fd: RawFd, session: &Session, limit: Duration) {
    let events = match session.block_directions() {
        ssh2::BlockDirections::Outbound => libc::POLLOUT,
        ssh2::BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
        ssh2::BlockDirections::Inbound | ssh2::BlockDirections::None => libc::POLLIN,
    };
    let mut pfd = libc::pollfd { fd, events, revents: 0 };
    let ms = limit.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd for the duration of the call; fd is the session's open socket.
    unsafe {
        libc::poll(&mut pfd, 1, ms);
    }
}
