//! `Transport::hold` over SSH: a command started on its own channel of the host's session and left running while
//! the transport lives (the run lock of `apply::runlock`). The channel is read once, up to its first line, and never
//! written past sudo's password: its command prints nothing more and reads nothing, so its flow-control windows never
//! fill and the other channels of the session (each `exec`, SFTP) go on as before — libssh2 queues a channel's
//! packets per channel, and a held channel gets none. Dropping the transport sends the command EOF and waits
//! (bounded by the session's timeout, on the closing thread of `closing.rs`) for its channel to close: a command still running would otherwise make the
//! drop wait for it (docs/facts/ssh.md). A killed wizard's TCP connection closes, and the host's sshd closes the
//! command's stdin itself.

use super::SshTransport;
use crate::transport::scripts;
use crate::transport::{ExecOutput, Held, TransportError};
use ssh2::Channel;
use std::io::{Read, Write};

/// A held command's channel: EOF sent and the close awaited when dropped.
pub(super) struct HeldChannel(Channel);

impl Drop for HeldChannel {
    fn drop(&mut self) {
        let _ = self.0.send_eof();
        let _ = self.0.wait_close();
    }
}

impl SshTransport {
    pub(super) fn hold_command(&self, script: &str) -> Result<Held, TransportError> {
        let command = self.become_.command_line(script, self.privilege, None);
        let input = self.become_.stdin(self.privilege, None);
        let mut inner = self.lock()?;
        let ssh = |action: &'static str| move |e: ssh2::Error| self.io(action, e);
        let io = |action: &'static str| move |e: std::io::Error| self.io(action, e);
        inner.session.set_blocking(true);
        let mut channel = inner.session.channel_session().map_err(ssh("opening an SSH channel"))?;
        channel.exec(&command).map_err(ssh("starting a remote command"))?;
        if let Some(input) = &input {
            channel.write_all(input).map_err(io("writing the command's stdin"))?;
        }
        let mut stdout = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            let n = channel.read(&mut buf).map_err(io("reading the command's output"))?;
            if n == 0 {
                break;
            }
            stdout.extend_from_slice(&buf[..n]);
            if let Some(end) = stdout.iter().position(|b| *b == b'\n') {
                let line = String::from_utf8_lossy(&stdout[..end]).into_owned();
                inner.held.push(HeldChannel(channel));
                return Ok(Held::Running(line));
            }
        }
        let mut stderr = Vec::new();
        channel.stderr().read_to_end(&mut stderr).map_err(io("reading the command's output"))?;
        channel.wait_close().map_err(ssh("waiting for the command to end"))?;
        let mut status = channel.exit_status().map_err(ssh("reading the exit status"))?;
        if let Ok(Some(name)) = channel.exit_signal().map(|s| s.exit_signal) {
            status = scripts::signal_status(&name);
        }
        Ok(Held::Ended(ExecOutput { status, stdout, stderr }))
    }
}
