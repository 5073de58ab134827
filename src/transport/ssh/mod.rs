//! SSH transport over the `ssh2` crate (libssh2): one verified, authenticated session per host, reused for every
//! step (see `transport/mod.rs` for the contract and `SSH-NOTES.md` for the measured facts this follows).
//!
//! - Connect: TCP `connect_timeout`, `TCP_NODELAY` (5 ms instead of 48 ms per exec), `Session::set_timeout` before
//!   the handshake, host-key methods limited to the types known_hosts has for the host.
//! - Host key: judged by `known_hosts.rs` (hashed entries, markers, wildcards) with libssh2's `check_port` as a
//!   second opinion; unknown → refused unless the caller accepts it, changed → always refused with both fingerprints.
//! - Auth: identity file, then every agent identity, then default keys, then the password (at most 5 attempts).
//! - Exec: stdout and stderr read together in non-blocking mode with `poll` (no deadlock on big stderr), exit status
//!   after `wait_close`, `exit_signal` → 128 + n, `sudo -n` for privileged commands of a non-root user.
//! - Upload: SFTP, 1 MiB writes, to a temporary name, then a privileged `mv -f` onto the target.

use super::known_hosts::{self, Verdict};
use super::scripts::{self, Privilege};
use super::{ExecOutput, SshTarget, Transport, TransportError, UnknownHostKey};
use ssh2::{ErrorCode, MethodType, OpenFlags, OpenType, Session, Sftp};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::io::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Size of each SFTP write (SSH-NOTES: 1 MiB was fastest; libssh2 pipelines one write call).
pub const UPLOAD_CHUNK: usize = 1 << 20;
/// The default safety-net deadline of one `exec` (see [`SshTransport::set_command_deadline`]).
pub const DEFAULT_COMMAND_DEADLINE: Duration = Duration::from_secs(30 * 60);
/// libssh2 attempts after which OpenSSH drops the connection are 6; stay below.
const MAX_AUTH_ATTEMPTS: usize = 5;
const LIBSSH2_ERROR_EAGAIN: i32 = -37;

/// A verified, authenticated SSH connection to one host. `Send + Sync`; calls are serialized on one session.
pub struct SshTransport {
    name: String,
    user: String,
    privilege: Privilege,
    key_type: String,
    fingerprint: String,
    deadline: Mutex<Duration>,
    inner: Mutex<Inner>,
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

/// A user-facing explanation of a libssh2 authentication error (SSH-NOTES: the raw messages mislead).
fn explain_auth(e: &ssh2::Error) -> String {
    match e.code() {
        ErrorCode::Session(-18) => "key not accepted for this user (-18)".into(),
        ErrorCode::Session(-16) => {
            "cannot read or decrypt the private key — a wrong or missing passphrase (give it: --ask-passphrase, or the app's key passphrase field; or load the key into ssh-agent), or an unreadable file (-16)".into()
        }
        ErrorCode::Session(-19) => "the key could not be used to sign — often a wrong passphrase (-19)".into(),
        _ => e.to_string(),
    }
}

/// What to do with a host key known_hosts does not list.
#[derive(Clone, Copy, Debug)]
enum Trust<'a> {
    Refuse,
    AcceptAny,
    /// Accept (and remember) only the key with this fingerprint — the one the user was shown.
    AcceptOnly(&'a str),
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
        let unreachable = |detail: String| TransportError::Unreachable {
            host: target.name.clone(),
            address: target.address.clone(),
            port: target.port,
            detail,
        };
        let timeout = if target.timeout.is_zero() { Duration::from_secs(10) } else { target.timeout };

        // known_hosts first: its key types decide what we offer in the handshake
        let kh_path = expand_tilde(target.known_hosts.as_deref().unwrap_or(Path::new("~/.ssh/known_hosts")));
        let kh_text = match std::fs::read_to_string(&kh_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(TransportError::Io {
                    host: target.name.clone(),
                    action: format!("reading known_hosts {}", kh_path.display()),
                    detail: e.to_string(),
                })
            }
        };
        let entries = known_hosts::parse(&kh_text);
        let mut names: Vec<&str> = vec![target.address.as_str()];
        if target.name != target.address && !target.name.is_empty() {
            names.push(target.name.as_str());
        }
        let methods = known_hosts::host_key_methods(&known_hosts::entries_for(&entries, &names, target.port));

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

        let mut session = Session::new().map_err(|e| unreachable(format!("SSH session: {e}")))?;
        session.set_timeout(timeout.as_millis().min(u32::MAX as u128) as u32);
        session.set_tcp_stream(stream);
        if let Some(methods) = &methods {
            session
                .method_pref(MethodType::HostKey, methods)
                .map_err(|e| unreachable(format!("host key methods {methods}: {e}")))?;
        }
        session.handshake().map_err(|e| unreachable(format!("SSH handshake failed: {e}")))?;

        let (key_type, fingerprint) = verify_host_key(target, &session, &entries, &names, &kh_path, trust)?;
        authenticate(target, &session)?;

        Ok(SshTransport {
            name: target.name.clone(),
            user: target.user.clone(),
            privilege: Privilege::of(target.user == "root", target.sudo),
            key_type,
            fingerprint,
            deadline: Mutex::new(DEFAULT_COMMAND_DEADLINE),
            inner: Mutex::new(Inner { session, fd, sftp: None, staging_dir: None, broken: None }),
        })
    }

    /// The host key the server presented: key type (`ssh-ed25519`) and OpenSSH fingerprint (`SHA256:…`).
    pub fn host_key(&self) -> (String, String) {
        (self.key_type.clone(), self.fingerprint.clone())
    }

    /// How commands get root on this connection.
    pub fn privilege(&self) -> Privilege {
        self.privilege
    }

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
        let command = scripts::command_line(script, self.privilege, Some(secs));
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

    fn io(&self, action: impl Into<String>, detail: impl ToString) -> TransportError {
        TransportError::Io { host: self.name.clone(), action: action.into(), detail: detail.to_string() }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, TransportError> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(why) = &inner.broken {
            return Err(self.io("using the SSH connection", why.clone()));
        }
        Ok(inner)
    }

    /// Runs `command` (a full remote command line) and checks for sudo's password prompt.
    fn run(
        &self,
        command: &str,
        script: &str,
        stdin: Option<&[u8]>,
        deadline: Duration,
    ) -> Result<ExecOutput, TransportError> {
        let mut inner = self.lock()?;
        let result = exec_on(&inner, command, stdin, deadline);
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

    /// Runs `script` privileged and turns a non-zero exit into an `Io` error for `action`.
    fn run_ok(&self, action: &str, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        let out = Transport::exec(self, script, stdin)?;
        if !out.success() {
            return Err(self.io(action, format!("exit status {}: {}", out.status, out.stderr_tail(5))));
        }
        Ok(out)
    }

    fn upload_inner(
        &self,
        local: &Path,
        remote: &str,
        mode: u32,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), TransportError> {
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("upload to {remote}"), e))?;
        let local_action = || format!("reading {}", local.display());
        let mut file = std::fs::File::open(local).map_err(|e| self.io(local_action(), e))?;
        let total = file.metadata().map_err(|e| self.io(local_action(), e))?.len();
        let tag = random_tag();

        let tmp = {
            let mut inner = self.lock()?;
            if inner.sftp.is_none() {
                inner.sftp = Some(inner.session.sftp().map_err(|e| self.io("opening SFTP", e))?);
            }
            let tmp = match self.privilege {
                Privilege::Sudo => {
                    if inner.staging_dir.is_none() {
                        let sftp = inner.sftp.as_ref().expect("sftp opened above");
                        let home = sftp.realpath(Path::new(".")).ok().and_then(|p| p.to_str().map(str::to_string));
                        inner.staging_dir = Some(home.filter(|h| h.starts_with('/')).unwrap_or_else(|| "/tmp".into()));
                    }
                    let dir = inner.staging_dir.as_deref().expect("set above").trim_end_matches('/').to_string();
                    format!("{dir}/.kw-upload-{tag}")
                }
                Privilege::Root | Privilege::User => scripts::temp_beside(remote, &tag),
            };
            let sftp = inner.sftp.as_ref().expect("sftp opened above");
            let written = (|| -> Result<(), TransportError> {
                let action = format!("uploading {} to {tmp}", local.display());
                let mut out = sftp
                    .open_mode(
                        Path::new(&tmp),
                        OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUSIVE,
                        0o600,
                        OpenType::File,
                    )
                    .map_err(|e| self.io(&action, e))?;
                let mut buf = vec![0u8; UPLOAD_CHUNK];
                let mut done = 0u64;
                loop {
                    let n = fill(&mut file, &mut buf).map_err(|e| self.io(local_action(), e))?;
                    if n == 0 {
                        break;
                    }
                    out.write_all(&buf[..n]).map_err(|e| self.io(&action, e))?;
                    done += n as u64;
                    progress(done, total);
                }
                if total == 0 {
                    progress(0, 0);
                }
                out.close().map_err(|e| self.io(&action, e))?;
                let size = sftp.stat(Path::new(&tmp)).map_err(|e| self.io(&action, e))?.size;
                if size != Some(done) || done != total {
                    return Err(self.io(action, format!("wrote {done} of {total} bytes, remote has {size:?}")));
                }
                Ok(())
            })();
            if let Err(e) = written {
                let _ = sftp.unlink(Path::new(&tmp));
                return Err(e);
            }
            tmp
        };

        let install = scripts::install_script(&tmp, remote, mode, self.privilege);
        match self.run_ok(&format!("moving the upload into place at {remote}"), &install, None) {
            Ok(_) => Ok(()),
            Err(e) => {
                // the script removes it itself; this covers a sudo that never ran it
                if let Ok(inner) = self.lock() {
                    if let Some(sftp) = &inner.sftp {
                        let _ = sftp.unlink(Path::new(&tmp));
                    }
                }
                Err(e)
            }
        }
    }
}

impl Transport for SshTransport {
    fn host(&self) -> &str {
        &self.name
    }

    fn exec(&self, script: &str, stdin: Option<&[u8]>) -> Result<ExecOutput, TransportError> {
        let deadline = *self.deadline.lock().unwrap_or_else(|p| p.into_inner());
        self.run(&scripts::command_line(script, self.privilege, None), script, stdin, deadline)
    }

    fn upload(
        &self,
        local: &Path,
        remote: &str,
        mode: u32,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), TransportError> {
        self.upload_inner(local, remote, mode, progress)
    }

    fn write_file(&self, remote: &str, content: &[u8], mode: u32) -> Result<(), TransportError> {
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("writing {remote}"), e))?;
        let script = scripts::write_script(remote, mode, self.privilege);
        self.run_ok(&format!("writing {remote}"), &script, Some(content)).map(|_| ())
    }

    fn read_file(&self, remote: &str) -> Result<Option<Vec<u8>>, TransportError> {
        scripts::check_remote_path(remote).map_err(|e| self.io(format!("reading {remote}"), e))?;
        let script = scripts::read_script(remote);
        let deadline = *self.deadline.lock().unwrap_or_else(|p| p.into_inner());
        let out = self.run(&scripts::command_line(&script, self.privilege, None), &script, None, deadline)?;
        scripts::read_outcome(out).map_err(|detail| self.io(format!("reading {remote}"), detail))
    }
}

/// Reads until `buf` is full or the end of the file.
fn fill(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// 16 hex digits from the OS CSPRNG, for temporary names.
fn random_tag() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn verify_host_key(
    target: &SshTarget,
    session: &Session,
    entries: &[known_hosts::Entry],
    names: &[&str],
    kh_path: &Path,
    trust: Trust<'_>,
) -> Result<(String, String), TransportError> {
    let (blob, _) = session.host_key().ok_or_else(|| TransportError::Unreachable {
        host: target.name.clone(),
        address: target.address.clone(),
        port: target.port,
        detail: "the server presented no host key".into(),
    })?;
    let blob = blob.to_vec();
    let key_type = known_hosts::key_type_of(&blob).unwrap_or_else(|| "unknown-key-type".into());
    let fingerprint = known_hosts::fingerprint(&blob);
    let kh_display = kh_path.display().to_string();

    let mut verdict = known_hosts::check(entries, names, target.port, &blob);
    if verdict == Verdict::NotFound && kh_path.exists() {
        // libssh2's own reading as a second opinion (a line format we do not parse)
        if let Ok(mut kh) = session.known_hosts() {
            if kh.read_file(kh_path, ssh2::KnownHostFileKind::OpenSSH).is_ok()
                && names.iter().any(|n| matches!(kh.check_port(n, target.port, &blob), ssh2::CheckResult::Match))
            {
                verdict = Verdict::Match;
            }
        }
    }
    match verdict {
        Verdict::Match => Ok((key_type, fingerprint)),
        Verdict::Revoked => Err(TransportError::HostKeyMismatch {
            host: target.name.clone(),
            expected: "no key: the presented key is marked @revoked".into(),
            actual: format!("{key_type} {fingerprint}"),
            known_hosts: kh_display,
        }),
        Verdict::Mismatch { expected } => Err(TransportError::HostKeyMismatch {
            host: target.name.clone(),
            expected: expected.join(", "),
            actual: format!("{key_type} {fingerprint}"),
            known_hosts: kh_display,
        }),
        Verdict::NotFound => match trust {
            Trust::AcceptOnly(accepted) if accepted != fingerprint => Err(TransportError::UnknownHostKey {
                host: target.name.clone(),
                key_type,
                fingerprint,
                known_hosts: kh_display,
            }),
            Trust::Refuse => Err(TransportError::UnknownHostKey {
                host: target.name.clone(),
                key_type,
                fingerprint,
                known_hosts: kh_display,
            }),
            Trust::AcceptAny | Trust::AcceptOnly(_) => {
                let line = known_hosts::line_for(&target.address, target.port, &blob);
                known_hosts::append(kh_path, &line).map_err(|e| TransportError::Io {
                    host: target.name.clone(),
                    action: format!("remembering the host key in {kh_display}"),
                    detail: e.to_string(),
                })?;
                Ok((key_type, fingerprint))
            }
        },
    }
}

fn authenticate(target: &SshTarget, session: &Session) -> Result<(), TransportError> {
    let user = target.user.as_str();
    let mut failures: Vec<String> = Vec::new();
    let mut attempts = 0usize;
    let reserve = usize::from(target.password.is_some());

    let try_key_file = |key: &Path, attempts: &mut usize, failures: &mut Vec<String>| -> bool {
        let public = PathBuf::from(format!("{}.pub", key.display()));
        let public = public.exists().then_some(public);
        *attempts += 1;
        let passphrase = target.key_passphrase.as_ref().map(|p| p.expose());
        match session.userauth_pubkey_file(user, public.as_deref(), key, passphrase) {
            Ok(()) if session.authenticated() => true,
            Ok(()) => {
                failures.push(format!("key {}: not accepted", key.display()));
                false
            }
            Err(e) => {
                failures.push(format!("key {}: {}", key.display(), explain_auth(&e)));
                false
            }
        }
    };

    if let Some(identity) = &target.identity_file {
        let key = expand_tilde(identity);
        if !key.is_file() {
            failures.push(format!("identity file {} does not exist", key.display()));
        } else if try_key_file(&key, &mut attempts, &mut failures) {
            return Ok(());
        }
    }

    if std::env::var_os("SSH_AUTH_SOCK").is_some() && attempts + reserve < MAX_AUTH_ATTEMPTS {
        if let Ok(mut agent) = session.agent() {
            if agent.connect().is_ok() && agent.list_identities().is_ok() {
                let identities = agent.identities().unwrap_or_default();
                let mut tried = 0;
                for identity in &identities {
                    if attempts + reserve >= MAX_AUTH_ATTEMPTS {
                        break;
                    }
                    attempts += 1;
                    tried += 1;
                    if agent.userauth(user, identity).is_ok() && session.authenticated() {
                        let _ = agent.disconnect();
                        return Ok(());
                    }
                }
                if !identities.is_empty() {
                    failures.push(format!("ssh-agent: {tried} of {} keys tried, none accepted", identities.len()));
                }
                let _ = agent.disconnect();
            }
        }
    }

    if target.identity_file.is_none() {
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
            let key = expand_tilde(&Path::new("~/.ssh").join(name));
            if key.is_file()
                && attempts + reserve < MAX_AUTH_ATTEMPTS
                && try_key_file(&key, &mut attempts, &mut failures)
            {
                return Ok(());
            }
        }
    }

    if let Some(password) = &target.password {
        match session.userauth_password(user, password.expose()) {
            Ok(()) if session.authenticated() => return Ok(()),
            Ok(()) => failures.push("password: not accepted".into()),
            Err(e) if e.code() == ErrorCode::Session(-18) => failures.push("password: not accepted (-18)".into()),
            Err(e) => failures.push(format!("password: {e}")),
        }
    }

    if failures.is_empty() {
        failures.push("no identity file, ssh-agent key, default key or password to try".into());
    }
    Err(TransportError::AuthFailed { host: target.name.clone(), user: user.to_string(), detail: failures.join("; ") })
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn misleading_libssh2_auth_codes_get_plain_explanations() {
        let e = ssh2::Error::new(ErrorCode::Session(-18), "Username/PublicKey combination invalid");
        assert!(explain_auth(&e).contains("not accepted"));
        let e = ssh2::Error::new(ErrorCode::Session(-16), "Unsupported private key file format");
        assert!(explain_auth(&e).contains("passphrase"));
        let e = ssh2::Error::new(ErrorCode::Session(-19), "Callback returned error");
        assert!(explain_auth(&e).contains("passphrase"));
    }

    #[test]
    fn a_refused_port_is_unreachable_naming_the_host_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let target = SshTarget {
            name: "nowhere".into(),
            address: "127.0.0.1".into(),
            port,
            user: "root".into(),
            identity_file: None,
            known_hosts: Some(PathBuf::from("/nonexistent/known_hosts")),
            sudo: false,
            password: Some(super::super::Secret::new("hunter2")),
            key_passphrase: Some(super::super::Secret::new("correct horse")),
            timeout: Duration::from_secs(2),
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
        let target = SshTarget {
            name: "silent".into(),
            address: "127.0.0.1".into(),
            port,
            user: "root".into(),
            identity_file: None,
            known_hosts: Some(PathBuf::from("/nonexistent/known_hosts")),
            sudo: false,
            password: None,
            key_passphrase: None,
            timeout: Duration::from_secs(1),
        };
        let started = Instant::now();
        let err = SshTransport::connect(&target, UnknownHostKey::Refuse).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
        assert!(matches!(err, TransportError::Unreachable { .. }), "{err:?}");
        holder.join().unwrap();
    }
}
