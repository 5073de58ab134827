//! An upload's bytes over SFTP: the SSH transport's half of the shared upload flow (`staging.rs`, which writes
//! 1 MiB chunks and reports progress per chunk). The SFTP channel is opened once per connection; the temporary file is
//! created exclusively with mode 0600 and its size checked after closing; a sudo user's uploads are staged in the
//! login user's home (else /tmp), since only root may write beside the target.

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
        let inner = self.lock_sftp()?;
        let sftp = sftp_of(&inner);
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUSIVE;
        let mut out = sftp.open_mode(Path::new(tmp), flags, 0o600, OpenType::File).map_err(|e| self.io(action, e))?;
        let done = copy(&mut out)?;
        out.close().map_err(|e| self.io(action, e))?;
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
