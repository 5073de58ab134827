//! Transports: how the engine runs commands and moves files on a host — over SSH (`ssh/`, the `ssh2` crate) or on
//! the machine the wizard runs on (`local.rs`). One narrow, blocking interface; callers drive each host's transport
//! from its own blocking thread (`tokio::task::spawn_blocking`), one connection per host reused for every step.
//! [`open`] (`open.rs`) is the one place that picks the transport for a host; each transport provides only its
//! primitives (exec, staging an upload's bytes), the file operations built on them are shared (`staging.rs`).
//!
//! Privilege: `exec` runs the command as root — directly when logged in as root, else through `sudo -n`, or
//! `sudo -S` with the run's become password on stdin where the host's sudo asks for one (`sudo.rs`, decided once per
//! host when connecting); a transport built with `sudo = false` and a non-root user runs commands as that user. Commands are POSIX `sh`
//! scripts built with `crate::shell::quote` for every argument.
//!
//! Security invariants: SSH host keys are always verified against known_hosts (an unknown key is refused unless
//! the caller explicitly accepts it, a changed key is always refused with both fingerprints); secrets (passwords)
//! are held in [`Secret`], which never prints.

pub mod dial;
pub mod known_hosts;
pub mod local;
mod open;
pub mod route;
pub mod scripts;
pub mod ssh;
pub mod ssh_config;
mod staging;
pub mod sudo;
pub(crate) use staging::random_tag;

pub use open::{learn_routes, open, ConnectOptions, HostAccess};
pub use scripts::Privilege;

use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A secret (password, passphrase) that never shows in logs, Debug or Display; zeroed when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself — only for handing to the library that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The result of a command that ran to completion (whatever its exit status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutput {
    /// Exit status; a command killed by a signal is reported as 128 + signal number.
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecOutput {
    pub fn success(&self) -> bool {
        self.status == 0
    }
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// The last `lines` lines of stderr, for error messages.
    pub fn stderr_tail(&self, lines: usize) -> String {
        let text = String::from_utf8_lossy(&self.stderr);
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// What a command started with [`Transport::hold`] said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Held {
    /// It runs on, held by the connection: its first line of output (without the newline).
    Running(String),
    /// It ended before printing a whole line: all it printed and its exit status.
    Ended(ExecOutput),
}

/// What to do with a host key that is not in known_hosts yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownHostKey {
    /// Refuse the connection and report the key's fingerprint (the default).
    Refuse,
    /// Trust on first use: append the key to known_hosts and go on (the user said so explicitly).
    AcceptAndRemember,
}

/// Everything needed to open an SSH connection to one host.
#[derive(Clone, Debug)]
pub struct SshTarget {
    /// The host's name in the project (for messages).
    pub name: String,
    /// What to connect to (address, else name).
    pub address: String,
    pub port: u16,
    pub user: String,
    /// Private key file; `~` is expanded. When `None`, the agent and then default keys are tried.
    pub identity_file: Option<PathBuf>,
    /// known_hosts file; `~` is expanded. Default `~/.ssh/known_hosts`.
    pub known_hosts: Option<PathBuf>,
    /// Wrap privileged commands in `sudo -n` (for a non-root user).
    pub sudo: bool,
    /// Password for login (when keys are not used) — asked interactively, never stored.
    pub password: Option<Secret>,
    /// Passphrase of encrypted private key files (the identity file and the default keys) — asked, never stored.
    pub key_passphrase: Option<Secret>,
    /// Password for sudo where the host's sudo asks for one (`sudo.rs`) — asked, never stored.
    pub become_password: Option<Secret>,
    /// Connect/handshake timeout and per-call idle limit.
    pub timeout: std::time::Duration,
    /// The jump host (bastion) to go through (`ssh/tunnel.rs`); `None`: connect directly.
    pub jump: Option<Box<JumpTarget>>,
}

/// A jump host: how to log in to it, and what to do with its host key when known_hosts does not list it — decided
/// like for any host (the fingerprint the user accepted for it by its name, else `unknown`).
#[derive(Clone, Debug)]
pub struct JumpTarget {
    pub target: SshTarget,
    pub unknown: UnknownHostKey,
    pub accepted_fingerprint: Option<String>,
}

#[derive(Debug, Error)]
pub enum TransportError {
    #[error("{host}: cannot connect to {address}:{port}: {detail}")]
    Unreachable { host: String, address: String, port: u16, detail: String },
    #[error(
        "{host}: unknown SSH host key ({key_type} {fingerprint}) — verify the fingerprint, then accept it \
         (CLI: --accept-new-host-keys) or add it to {known_hosts}"
    )]
    UnknownHostKey { host: String, key_type: String, fingerprint: String, known_hosts: String },
    #[error(
        "{host}: SSH HOST KEY CHANGED — known_hosts has {expected}, the host presented {actual}. This may be an \
         attack or a reinstalled host; refusing to connect. If the change is expected, remove the old key from \
         {known_hosts} ({forget}) and connect again"
    )]
    HostKeyMismatch {
        host: String,
        expected: String,
        actual: String,
        known_hosts: String,
        /// The command that removes the host's old keys: `ssh-keygen -R` for each name known_hosts knows it by, in
        /// OpenSSH's form (`[address]:port` off port 22), quoted for a shell.
        forget: String,
    },
    #[error(
        "{host}: {known_hosts} vouches for this host only through a certificate authority (@cert-authority), and \
         the wizard cannot verify SSH host certificates — refusing to trust its key ({key_type} {fingerprint}) on \
         first use. Check that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then add the \
         host's own key to {known_hosts} (ssh-keyscan -p {port} {address} >> {known_hosts}) and connect again"
    )]
    HostCertificateUnsupported {
        host: String,
        address: String,
        port: u16,
        key_type: String,
        fingerprint: String,
        known_hosts: String,
    },
    #[error("{host}: SSH login as {user} failed: {detail}")]
    AuthFailed { host: String, user: String, detail: String },
    #[error(
        "{host}: sudo needs a password for {user} — give it with --ask-become-password (in the app: the sudo \
         password field), allow passwordless sudo for {user}, or log in as root"
    )]
    SudoPasswordRequired { host: String, user: String },
    #[error(
        "sudo on {host} refused the password given with --ask-become-password (in the app: the sudo password) for \
         {user} — check it and run again; nothing was changed"
    )]
    SudoPasswordRefused { host: String, user: String },
    #[error(
        "{host}: sudo requires a terminal for {user} (the sudoers setting `Defaults requiretty`), and the wizard's \
         commands run without one — turn it off for this user (`Defaults:{user} !requiretty` in a file under \
         /etc/sudoers.d, with visudo), or log in as root"
    )]
    SudoRequiresTty { host: String, user: String },
    #[error("{host}: {action} failed: {detail}")]
    Io { host: String, action: String, detail: String },
    #[error("{host}: command timed out after {seconds}s: {command}")]
    Timeout { host: String, command: String, seconds: u64 },
    #[error("{host}: {detail}")]
    SshConfig { host: String, detail: String },
    /// Reaching `host` failed at its jump host `jump` (the jump host's own error, naming it, is `source`).
    #[error("{host}: through the jump host {jump}: {source}")]
    Jump { host: String, jump: String, source: Box<TransportError> },
}

impl TransportError {
    /// An error of the jump host `jump` while reaching `host`: an unknown jump host key stays itself (naming the
    /// jump host, so it is asked about and accepted like any host's), every other error names both.
    pub fn through_jump(host: &str, jump: &str, error: TransportError) -> TransportError {
        match error {
            e @ TransportError::UnknownHostKey { .. } => e,
            e => TransportError::Jump { host: host.to_string(), jump: jump.to_string(), source: Box::new(e) },
        }
    }

    /// The error itself, or a jump host's error that stopped it.
    pub fn cause(&self) -> &TransportError {
        match self {
            TransportError::Jump { source, .. } => source.cause(),
            e => e,
        }
    }

    /// An [`TransportError::Io`] of `host`: `action` failed with `detail`.
    pub fn io(host: &str, action: impl Into<String>, detail: impl ToString) -> TransportError {
        TransportError::Io { host: host.to_string(), action: action.into(), detail: detail.to_string() }
    }
}

/// Called with (bytes done, bytes in all) as an upload goes.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// A connection to one host. Blocking; call from a blocking thread.
pub trait Transport: Send + Sync {
    /// The host's name in the project and how commands get root on this connection.
    fn login(&self) -> (&str, Privilege);

    /// The host's name in the project.
    fn host(&self) -> &str {
        self.login().0
    }

    /// How commands get root on this connection.
    fn privilege(&self) -> Privilege {
        self.login().1
    }

    /// Runs `script` with `sh -c` as root (see module docs), feeding `stdin` when given. Returns its output
    /// whatever the exit status; `Err` only when the command could not be run or awaited.
    fn exec(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError>;

    /// Starts `script` as root (like `exec`) and leaves it running for as long as this connection lives: its stdin
    /// stays open and is never written, its output is never read past the first line. What it holds (the run lock,
    /// `apply::runlock`) is let go when the connection closes — also when the wizard is killed: the host's sshd
    /// (or the kernel, for the local machine) then closes the command's stdin, and a command waiting for its end
    /// ends. Returns that first line, or everything the command printed when it ended first.
    fn hold(&self, script: &str) -> Result<Held, TransportError>;

    /// Checks, once and before any change, how this connection gets root (`sudo.rs`): a host whose sudo needs a
    /// password the run did not give, refuses it, or requires a TTY fails here, naming the fix.
    fn check_privilege(&self) -> Result<(), TransportError>;

    /// Copies a local file to `remote` (absolute), atomically: written under a temporary name in the same
    /// directory, then renamed over `remote` with `mode`, owned by root. `progress(done, total)` is called per chunk.
    fn upload(&self, local: &Path, remote: &str, mode: u32, progress: Progress<'_>) -> Result<(), TransportError>;

    /// Writes `content` to `remote` atomically with `mode`, owned by root (callers `chown` when needed).
    fn write_file(&self, remote: &str, content: &[u8], mode: u32) -> Result<(), TransportError> {
        self.write_file_after("", remote, content, mode).map(|_| ())
    }

    /// Runs the script `first` as root, then writes as [`Transport::write_file`] does — one command, one round trip
    /// (e.g. the old copy kept first, `apply::backup`). A failing `first` stops the write. Returns what `first`
    /// printed.
    fn write_file_after(&self, first: &str, remote: &str, content: &[u8], mode: u32) -> Result<String, TransportError> {
        staging::write_file_after(self, first, remote, content, mode)
    }

    /// [`Transport::write_file_after`], the file written as the service account `user` (`scripts::write_as_script`).
    fn write_file_as(
        &self,
        first: &str,
        remote: &str,
        content: &[u8],
        mode: u32,
        user: &str,
    ) -> Result<String, TransportError> {
        staging::write_file_as(self, first, remote, content, mode, user)
    }

    /// Reads `remote`; `Ok(None)` when it does not exist.
    fn read_file(&self, remote: &str) -> Result<Option<Vec<u8>>, TransportError> {
        staging::read_file(self, remote)
    }
}
