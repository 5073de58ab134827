//! The file operations every transport shares, built on its primitives: atomic write and read through the scripts of
//! `scripts.rs`, and the upload flow — a local file copied in 1 MiB chunks to a temporary name (beside the target, or
//! in the login user's staging directory for a sudo user, who cannot write there), then moved into place by one
//! privileged install script; on any failure the temporary file is removed and the target is untouched.

use super::scripts::{self, Privilege};
use super::{ExecOutput, Transport, TransportError};
use crate::plan::leftovers::UPLOAD_PREFIX;
use std::io::{Read, Write};
use std::path::Path;

/// Size of each upload write (docs/facts/ssh.md, "Upload": 1 MiB was fastest; libssh2 pipelines one write call).
pub const UPLOAD_CHUNK: usize = 1 << 20;

/// A transport's half of an upload: where its login user may stage a file, and writing the file there.
/// Writes an upload's content into the temporary file and returns the bytes written.
pub(super) type CopyInto<'a> = &'a mut dyn FnMut(&mut dyn Write) -> Result<u64, TransportError>;

pub(super) trait Stage: Transport {
    /// A directory the login user can write to, for the uploads of a sudo user.
    fn staging_dir(&self) -> Result<String, TransportError>;

    /// Creates `tmp` (it must not exist; mode 0600, owned by the login user), lets `copy` write its content and
    /// returns the number of bytes `copy` reported. Checks, where it can, that `tmp` holds exactly that many.
    /// Its own failures are errors of `action`.
    fn write_new(&self, tmp: &str, action: &str, copy: CopyInto<'_>) -> Result<u64, TransportError>;

    /// Removes `tmp`, ignoring failures (the cleanup after a failed upload).
    fn remove(&self, tmp: &str);
}

/// Runs `script` privileged and turns a non-zero exit into an `Io` error for `action`.
pub(super) fn exec_ok<T: Transport + ?Sized>(
    transport: &T,
    action: &str,
    script: &str,
    stdin: Option<&[u8]>,
) -> Result<ExecOutput, TransportError> {
    let out = transport.exec(script, stdin)?;
    if !out.success() {
        let detail = format!("exit status {}: {}", out.status, out.stderr_tail(5));
        return Err(TransportError::io(transport.host(), action, detail));
    }
    Ok(out)
}

/// [`Transport::write_file_after`] for every transport: `first`, then [`scripts::write_script`] fed `content` on
/// stdin, in one command; returns what `first` printed.
pub(super) fn write_file_after<T: Transport + ?Sized>(
    transport: &T,
    first: &str,
    remote: &str,
    content: &[u8],
    mode: u32,
) -> Result<String, TransportError> {
    let action = format!("writing {remote}");
    let script = scripts::write_script(remote, mode, transport.privilege());
    write_with(transport, &action, first, remote, &script, content)
}

/// [`Transport::write_file_as`] for every transport.
pub(super) fn write_file_as<T: Transport + ?Sized>(
    transport: &T,
    first: &str,
    remote: &str,
    content: &[u8],
    mode: u32,
    user: &str,
) -> Result<String, TransportError> {
    let action = format!("writing {remote} as {user}");
    write_with(transport, &action, first, remote, &scripts::write_as_script(user, remote, mode), content)
}

fn write_with<T: Transport + ?Sized>(
    transport: &T,
    action: &str,
    first: &str,
    remote: &str,
    script: &str,
    content: &[u8],
) -> Result<String, TransportError> {
    scripts::check_remote_path(remote).map_err(|e| TransportError::io(transport.host(), action, e))?;
    let script = if first.is_empty() { script.to_string() } else { scripts::after(first, script) };
    exec_ok(transport, action, &script, Some(content)).map(|out| out.stdout_text())
}

/// [`Transport::read_file`] for every transport: [`scripts::read_script`], a missing file told apart.
pub(super) fn read_file<T: Transport + ?Sized>(transport: &T, remote: &str) -> Result<Option<Vec<u8>>, TransportError> {
    let action = format!("reading {remote}");
    scripts::check_remote_path(remote).map_err(|e| TransportError::io(transport.host(), &action, e))?;
    let out = transport.exec(&scripts::read_script(remote), None)?;
    scripts::read_outcome(out).map_err(|detail| TransportError::io(transport.host(), action, detail))
}

/// [`Transport::upload`] for every transport (see the module docs).
pub(super) fn upload<T: Stage>(
    transport: &T,
    local: &Path,
    remote: &str,
    mode: u32,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), TransportError> {
    let host = transport.host();
    scripts::check_remote_path(remote).map_err(|e| TransportError::io(host, format!("uploading to {remote}"), e))?;
    let read_action = format!("reading {}", local.display());
    let mut file = std::fs::File::open(local).map_err(|e| TransportError::io(host, &read_action, e))?;
    let total = file.metadata().map_err(|e| TransportError::io(host, &read_action, e))?.len();
    let tag = random_tag();
    let tmp = match transport.privilege() {
        Privilege::Sudo => format!("{}/{UPLOAD_PREFIX}{tag}", transport.staging_dir()?.trim_end_matches('/')),
        Privilege::Root | Privilege::User => scripts::temp_beside(remote, &tag),
    };

    let write_action = format!("uploading {} to {tmp}", local.display());
    let mut copy = |out: &mut dyn Write| -> Result<u64, TransportError> {
        let mut buf = vec![0u8; UPLOAD_CHUNK];
        let mut done = 0u64;
        loop {
            let n = fill(&mut file, &mut buf).map_err(|e| TransportError::io(host, &read_action, e))?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n]).map_err(|e| TransportError::io(host, &write_action, e))?;
            done += n as u64;
            progress(done, total);
        }
        if total == 0 {
            progress(0, 0);
        }
        Ok(done)
    };
    let written = transport.write_new(&tmp, &write_action, &mut copy).and_then(|done| match done == total {
        true => Ok(()),
        false => Err(TransportError::io(host, &write_action, format!("wrote {done} of {total} bytes"))),
    });
    if let Err(e) = written {
        transport.remove(&tmp);
        return Err(with_free_space(transport, &tmp, total, e));
    }

    let install = scripts::install_script(&tmp, remote, mode, transport.privilege());
    match exec_ok(transport, &format!("moving the upload into place at {remote}"), &install, None) {
        Ok(_) => Ok(()),
        Err(e) => {
            // the script removes it itself; this covers a sudo that never ran it
            transport.remove(&tmp);
            Err(e)
        }
    }
}

/// A failed upload's error, told the free space where it was written when the file does not fit there: SFTP says
/// only "failure" for a full disk (OpenSSH's sftp-server answers ENOSPC with SSH_FX_FAILURE). Measured after the
/// partial file was removed; a connection that is gone is not asked.
fn with_free_space<T: Transport + ?Sized>(transport: &T, tmp: &str, total: u64, e: TransportError) -> TransportError {
    let TransportError::Io { host, action, detail } = e else { return e };
    let dir = scripts::parent(tmp);
    let df = format!("df -Pk -- {} | awk 'NR == 2 {{ print $4 }}'", crate::shell::quote(dir));
    let free = transport.exec(&df, None).ok().and_then(|out| out.stdout_text().trim().parse::<u64>().ok());
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    let detail = match free {
        Some(kib) if kib.saturating_mul(1024) < total => {
            format!("{detail} — no space left: {dir} has {} free, the file is {}", mib(kib * 1024), mib(total))
        }
        _ => detail,
    };
    TransportError::Io { host, action, detail }
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

/// 16 hex digits from the OS CSPRNG, for temporary names (also the relay's: `apply::relay`).
pub(crate) fn random_tag() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_tags_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (random_tag(), random_tag());
        assert!(a.len() == 16 && a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn a_failed_upload_that_does_not_fit_where_it_was_written_says_so_with_the_free_space() {
        let t = super::super::local::LocalTransport::new("localhost", false);
        let dir = tempfile::tempdir().unwrap();
        let tmp = format!("{}/.k.tgz.kw-0123", dir.path().display());
        let failed = || TransportError::io("h3", "uploading k.tgz", "failure");
        let told = with_free_space(&t, &tmp, u64::MAX / 2, failed()).to_string();
        let expected = format!("h3: uploading k.tgz failed: failure — no space left: {} has ", dir.path().display());
        assert!(told.starts_with(&expected) && told.ends_with(" MiB free, the file is 8796093022208.0 MiB"), "{told}");
        // a file that fits: the failure was something else, told as it was
        assert_eq!(with_free_space(&t, &tmp, 1024, failed()).to_string(), "h3: uploading k.tgz failed: failure");
    }

    #[test]
    fn fill_reads_whole_chunks_until_the_end_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![1u8; 10]).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut buf = [0u8; 4];
        let sizes: Vec<usize> = (0..4).map(|_| fill(&mut file, &mut buf).unwrap()).collect();
        assert_eq!(sizes, [4, 4, 2, 0]);
    }
}
