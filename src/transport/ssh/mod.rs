//! SSH transport over the `ssh2` crate (libssh2): one verified, authenticated session per host, reused for every
//! step (see `transport/mod.rs` for the contract and `docs/facts/ssh.md` for the measured facts this follows).
//! This module owns the [`SshTransport`] type and the connect sequence; each concern is a part of its own:
//!
//! - Connect (here): TCP `connect_timeout`, `TCP_NODELAY` (5 ms instead of 48 ms per exec), `Session::set_timeout`
//!   before the handshake, host-key methods limited to the types known_hosts has for the host.
//! - `host_key.rs`: judged by `known_hosts.rs` (hashed entries, markers, wildcards) with libssh2's `check_port` as a
//!   second opinion; unknown → refused unless the caller accepts it, changed → always refused with both fingerprints.
//! - `auth.rs`: identity file, then every agent identity, then default keys, then the password (at most 5 attempts).
//! - `exec.rs`: stdout and stderr read together in non-blocking mode with `poll` (no deadlock on big stderr), exit
//!   status after `wait_close`, `exit_signal` → 128 + n, `sudo -n` for privileged commands of a non-root user.
//! - `tunnel.rs`: through a jump host — a verified, logged-in session to it, a `direct-tcpip` channel to the
//!   target, bridged to the target's session by a socket pair and a pump thread; the same for the Kafka and
//!   ZooKeeper connections of `transport::dial` ([`open_channel`]); `startups.rs` keeps the logins under way at one
//!   jump host below sshd's `MaxStartups`.
//! - `hold.rs`: a command left running on its own channel while the transport lives (`Transport::hold`, the run
//!   lock), closed with EOF when the transport is dropped.
//! - `sftp.rs`: an upload's bytes over SFTP to a temporary name; the shared flow (`staging.rs`) moves it into place.
//! - `closing.rs`: a dropped transport's connection closed on a thread of its own, so a run's hosts close at once.

mod auth;
mod closing;
mod exec;
mod hold;
mod host_key;
mod sftp;
mod startups;
mod tunnel;

pub(crate) use tunnel::CHANNEL_REFUSED;

use super::scripts::Privilege;
use super::staging;
use super::sudo::Become;
use super::{ExecOutput, Held, JumpTarget, Progress, SshTarget, Transport, TransportError, UnknownHostKey};
use host_key::{KnownHosts, Trust};
use ssh2::{MethodType, Session, Sftp};
use std::mem::ManuallyDrop;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::io::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

pub use closing::wait_for_closes;
pub use exec::DEFAULT_COMMAND_DEADLINE;

/// A verified, authenticated SSH connection to one host. `Send + Sync`; calls are serialized on one session.
pub struct SshTransport {
    name: String,
    user: String,
    privilege: Privilege,
    /// `sudo -n`, or `sudo -S` with the run's password (`transport/sudo.rs`).
    become_: Become,
    key_type: String,
    fingerprint: String,
    deadline: Mutex<Duration>,
    /// Taken by the drop, which closes it on a thread of its own (`closing.rs`).
    inner: ManuallyDrop<Mutex<Inner>>,
}

struct Inner {
    session: Session,
    /// The socket under `session`, for `poll`; owned by the session.
    fd: RawFd,
    sftp: Option<Sftp>,
    /// Where a sudo user's uploads are staged (their home, else /tmp).
    staging_dir: Option<String>,
    /// Set when the connection was abandoned (a command overran its deadline); every later call fails with it.
    broken: Option<String>,
    /// The commands `hold` left running (`hold.rs`), ended when the transport is dropped.
    held: Vec<hold::HeldChannel>,
}

impl Drop for SshTransport {
    fn drop(&mut self) {
        // SAFETY: `inner` is taken once, here, and the transport is never used after its drop.
        let inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        closing::close_in_background(move || drop(inner));
    }
}

impl std::fmt::Debug for SshTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshTransport")
            .field("host", &self.name)
            .field("user", &self.user)
            .field("privilege", &self.privilege)
            .field("host_key", &format_args!("{} {}", self.key_type, self.fingerprint))
            .finish()
    }
}

/// `~` and `~/…` → `$HOME/…`.
pub fn expand_tilde(path: &Path) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    match path.to_str() {
        Some("~") => home().unwrap_or_else(|| path.to_path_buf()),
        Some(s) if s.starts_with("~/") => match home() {
            Some(h) => h.join(&s[2..]),
            None => path.to_path_buf(),
        },
        _ => path.to_path_buf(),
    }
}

impl SshTransport {
    /// Connects to `target`, verifies its host key against known_hosts (see [`UnknownHostKey`]) and logs in.
    pub fn connect(target: &SshTarget, unknown: UnknownHostKey) -> Result<SshTransport, TransportError> {
        let trust = match unknown {
            UnknownHostKey::Refuse => Trust::Refuse,
            UnknownHostKey::AcceptAndRemember => Trust::AcceptAny,
        };
        Self::connect_with(target, trust)
    }

    /// Trust on first use without a window for a swapped key: like `connect` with
    /// [`UnknownHostKey::AcceptAndRemember`], but an unknown key is accepted (and remembered) only when its
    /// fingerprint is `fingerprint` — the one the user saw in an earlier [`TransportError::UnknownHostKey`].
    /// Any other unknown key is refused with its own fingerprint; a changed key is refused as always.
    pub fn connect_accepting(target: &SshTarget, fingerprint: &str) -> Result<SshTransport, TransportError> {
        Self::connect_with(target, Trust::AcceptOnly(fingerprint))
    }

    fn connect_with(target: &SshTarget, trust: Trust<'_>) -> Result<SshTransport, TransportError> {
        let (session, fd, (key_type, fingerprint)) = match &target.jump {
            None => connect_session(target, trust)?,
            Some(jump) => {
                let stream = tunnel::open(&jump.target, jump_trust(jump), &target.address, target.port)
                    .map_err(|e| TransportError::through_jump(&target.name, &jump.target.name, e))?;
                let fd = stream.as_raw_fd();
                let (session, key) = establish(target, trust, stream)?;
                (session, fd, key)
            }
        };
        Ok(SshTransport {
            name: target.name.clone(),
            user: target.user.clone(),
            privilege: Privilege::of(target.user == "root", target.sudo),
            become_: Become::new(target.become_password.clone()),
            key_type,
            fingerprint,
            deadline: Mutex::new(DEFAULT_COMMAND_DEADLINE),
            inner: ManuallyDrop::new(Mutex::new(Inner {
                session,
                fd,
                sftp: None,
                staging_dir: None,
                broken: None,
                held: Vec::new(),
            })),
        })
    }

    /// The host key the server presented: key type (`ssh-ed25519`) and OpenSSH fingerprint (`SHA256:…`).
    pub fn host_key(&self) -> (String, String) {
        (self.key_type.clone(), self.fingerprint.clone())
    }

    fn io(&self, action: impl Into<String>, detail: impl ToString) -> TransportError {
        TransportError::io(&self.name, action, detail)
    }

    /// The session, unless the connection was abandoned (then every call fails saying why).
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, TransportError> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(why) = &inner.broken {
            return Err(self.io("using the SSH connection", why.clone()));
        }
        Ok(inner)
    }
}

/// What to do with the jump host's key when known_hosts does not list it: the fingerprint the user accepted for it,
/// else as the run decided for unknown keys.
fn jump_trust(jump: &JumpTarget) -> Trust<'_> {
    match (&jump.accepted_fingerprint, jump.unknown) {
        (Some(fingerprint), _) => Trust::AcceptOnly(fingerprint),
        (None, UnknownHostKey::AcceptAndRemember) => Trust::AcceptAny,
        (None, UnknownHostKey::Refuse) => Trust::Refuse,
    }
}

/// A connection to `address:port` through the jump host `jump` (its own verified, logged-in session and a
/// `direct-tcpip` channel, pumped to the returned socket by a thread of its own — `tunnel.rs`), for the dials of
/// `transport::dial`. Blocking.
pub(crate) fn open_channel(
    jump: &JumpTarget,
    address: &str,
    port: u16,
) -> Result<std::os::unix::net::UnixStream, TransportError> {
    tunnel::open(&jump.target, jump_trust(jump), address, port)
}

/// A verified, logged-in session to `target` over TCP, with its socket and its host key (type, fingerprint).
fn connect_session(target: &SshTarget, trust: Trust<'_>) -> Result<(Session, RawFd, (String, String)), TransportError> {
    let unreachable = |detail: String| TransportError::Unreachable {
        host: target.name.clone(),
        address: target.address.clone(),
        port: target.port,
        detail,
    };
    let timeout = timeout_of(target);
    // TCP: every resolved address, each with a bounded connect
    let addrs: Vec<_> = (target.address.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("cannot resolve {}: {e}", target.address)))?
        .collect();
    let mut last = format!("{} resolves to no address", target.address);
    let mut stream = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                last = format!("no answer within {}s", timeout.as_secs_f64())
            }
            Err(e) => last = e.to_string(),
        }
    }
    let stream = stream.ok_or_else(|| unreachable(last))?;
    stream.set_nodelay(true).map_err(|e| unreachable(format!("TCP_NODELAY: {e}")))?;
    let fd = stream.as_raw_fd();
    let (session, key) = establish(target, trust, stream)?;
    Ok((session, fd, key))
}

fn timeout_of(target: &SshTarget) -> Duration {
    if target.timeout.is_zero() {
        Duration::from_secs(10)
    } else {
        target.timeout
    }
}

/// The SSH handshake on `stream` (TCP, or a tunnel through a jump host), the host key judged against known_hosts
/// (its key types decide what is offered) and the login.
fn establish<S: AsRawFd + 'static>(
    target: &SshTarget,
    trust: Trust<'_>,
    stream: S,
) -> Result<(Session, (String, String)), TransportError> {
    let unreachable = |detail: String| TransportError::Unreachable {
        host: target.name.clone(),
        address: target.address.clone(),
        port: target.port,
        detail,
    };
    let known = KnownHosts::read(target)?;
    let mut session = Session::new().map_err(|e| unreachable(format!("SSH session: {e}")))?;
    session.set_timeout(timeout_of(target).as_millis().min(u32::MAX as u128) as u32);
    session.set_tcp_stream(stream);
    if let Some(methods) = &known.host_key_methods() {
        session
            .method_pref(MethodType::HostKey, methods)
            .map_err(|e| unreachable(format!("host key methods {methods}: {e}")))?;
    }
    session.handshake().map_err(|e| unreachable(format!("SSH handshake failed: {e}")))?;
    let key = known.verify(&session, trust)?;
    auth::authenticate(target, &session)?;
    Ok((session, key))
}

impl Transport for SshTransport {
    fn login(&self) -> (&str, Privilege) {
        (&self.name, self.privilege)
    }

    fn exec(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        self.exec_privileged(script, stdin)
    }

    fn hold(&self, script: &str) -> Result<Held, TransportError> {
        self.hold_command(script)
    }

    fn check_privilege(&self) -> Result<(), TransportError> {
        self.check_sudo()
    }

    fn upload(&self, local: &Path, remote: &str, mode: u32, progress: Progress<'_>) -> Result<(), TransportError> {
        staging::upload(self, local, remote, mode, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Secret;
    use std::time::Instant;

    #[test]
    fn the_ssh_transport_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SshTransport>();
    }

    #[test]
    fn a_tilde_expands_to_home_and_other_paths_stay() {
        let home = PathBuf::from(std::env::var_os("HOME").unwrap());
        assert_eq!(expand_tilde(Path::new("~/.ssh/known_hosts")), home.join(".ssh/known_hosts"));
        assert_eq!(expand_tilde(Path::new("~")), home);
        assert_eq!(expand_tilde(Path::new("/etc/x")), PathBuf::from("/etc/x"));
        assert_eq!(expand_tilde(Path::new("~other/x")), PathBuf::from("~other/x"));
    }

    /// A root login to `address:port` with no key, no secrets and no known_hosts file.
    pub(super) fn target(name: &str, address: &str, port: u16, timeout: Duration) -> SshTarget {
        SshTarget {
            name: name.into(),
            address: address.into(),
            port,
            user: "root".into(),
            identity_file: None,
            known_hosts: Some(PathBuf::from("/nonexistent/known_hosts")),
            sudo: false,
            password: None,
            key_passphrase: None,
            become_password: None,
            timeout,
            jump: None,
        }
    }

    #[test]
    fn a_refused_port_is_unreachable_naming_the_host_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let target = SshTarget {
            password: Some(Secret::new("hunter2")),
            key_passphrase: Some(Secret::new("correct horse")),
            ..target("nowhere", "127.0.0.1", port, Duration::from_secs(2))
        };
        let started = Instant::now();
        let err = SshTransport::connect(&target, UnknownHostKey::Refuse).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(matches!(err, TransportError::Unreachable { .. }), "{err:?}");
        let text = format!("{err} {err:?} {target:?}");
        assert!(text.contains("nowhere") && !text.contains("hunter2") && !text.contains("correct horse"), "{text}");
    }

    #[test]
    fn a_server_that_never_speaks_ssh_fails_within_the_timeout() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            let (conn, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(conn);
        });
        let target = target("silent", "127.0.0.1", port, Duration::from_secs(1));
        let started = Instant::now();
        let err = SshTransport::connect(&target, UnknownHostKey::Refuse).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
        assert!(matches!(err, TransportError::Unreachable { .. }), "{err:?}");
        holder.join().unwrap();
    }
}
