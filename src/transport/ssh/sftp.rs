//! An upload's bytes over SFTP: the SSH transport's half of the shared upload flow (`staging.rs`, which writes
//! 1 MiB chunks and reports progress per chunk). The SFTP channel is opened once per connection; the temporary file is
//! created exclusively with mode 0600 and its size checked after closing; a sudo user's uploads are staged in the
//! login user's home (else /tmp), since only root may write beside the target. A write that times out (the host
//! stopped answering) abandons the connection, so the cleanup calls after it fail at once instead of each waiting out
//! the timeout.

use super::{Inner, SshTransport};
use crate::transport::staging::{CopyInto, Stage};
use crate::transport::TransportError;
use ssh2::{OpenFlags, OpenType, Sftp};
use std::path::Path;
use std::sync::MutexGuard;

impl SshTransport {
    /// The session with its SFTP channel open (opened on first use).
    fn lock_sftp(&self) -> Result<MutexGuard<'_, Inner>, TransportError> {
        let mut inner = self.lock()?;
        if inner.sftp.is_none() {
            inner.sftp = Some(inner.session.sftp().map_err(|e| self.io("opening SFTP", e))?);
        }
        Ok(inner)
    }
}

fn sftp_of(inner: &Inner) -> &Sftp {
    inner.sftp.as_ref().expect("opened by lock_sftp")
}

impl Stage for SshTransport {
    fn staging_dir(&self) -> Result<String, TransportError> {
        let mut inner = self.lock_sftp()?;
        if inner.staging_dir.is_none() {
            let home = sftp_of(&inner).realpath(Path::new(".")).ok().and_then(|p| p.to_str().map(str::to_string));
            inner.staging_dir = Some(home.filter(|h| h.starts_with('/')).unwrap_or_else(|| "/tmp".into()));
        }
        Ok(inner.staging_dir.clone().expect("set above"))
    }

    fn write_new(&self, tmp: &str, action: &str, copy: CopyInto<'_>) -> Result<u64, TransportError> {
        let mut inner = self.lock_sftp()?;
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUSIVE;
        let out =
            sftp_of(&inner).open_mode(Path::new(tmp), flags, 0o600, OpenType::File).map_err(|e| self.io(action, e))?;
        let mut watched = Watched { file: out, silent: false };
        let copied = copy(&mut watched);
        if watched.silent {
            // The host stopped answering mid-upload (a cut link, a host gone): every later call on this session would
            // wait out the whole timeout again — closing the file, removing it, closing SFTP and the session, 15 s
            // each by default — so the connection is abandoned here and those calls return at once.
            inner.broken =
                Some(format!("the connection was abandoned: {} stopped answering during an upload", self.name));
            inner.session.set_timeout(1);
            drop(watched);
            return Err(copied.err().unwrap_or_else(|| self.io(action, "the host stopped answering")));
        }
        let done = copied?;
        let sftp = sftp_of(&inner);
        watched.file.close().map_err(|e| self.io(action, e))?;
        let size = sftp.stat(Path::new(tmp)).map_err(|e| self.io(action, e))?.size;
        if size != Some(done) {
            return Err(self.io(action, format!("wrote {done} bytes, remote has {size:?}")));
        }
        Ok(done)
    }

    fn remove(&self, tmp: &str) {
        if let Ok(inner) = self.lock() {
            if let Some(sftp) = &inner.sftp {
                let _ = sftp.unlink(Path::new(tmp));
            }
        }
    }
}

/// The upload's remote file, noting a write that timed out: the host stopped answering.
struct Watched {
    file: ssh2::File,
    silent: bool,
}

impl Watched {
    fn noted<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result {
            self.silent |= e.kind() == std::io::ErrorKind::TimedOut;
        }
        result
    }
}

impl std::io::Write for Watched {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.file.write(buf);
        self.noted(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.file.flush();
        self.noted(result)
    }
}
