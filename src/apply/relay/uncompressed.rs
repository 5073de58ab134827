//! What the relay carries: the release's tar, uncompressed once on this machine, instead of the gzip'd tarball.
//!
//! A Kafka release's jars are zip files already, so gzip shrinks its tarball by a few per cent only (the test
//! world's: 45 → 48 MB, 6.4 %), while undoing it is the largest part of unpacking on every host (measured on a test
//! host: `gzip -d` 0.24 s of CPU of the unpack's 0.31 s for that tarball; a real release is 2–3 times the size).
//! So the wizard decompresses the VERIFIED tarball once (its SHA-512 and signature were checked by the fetch) into
//! a temporary file, hashing the tar as it writes it; every host then verifies that SHA-512 — derived by the wizard
//! from the verified tarball, so trusted as much — before it uses or passes on its copy, and unpacks with `tar -x`
//! alone. The cost: the few per cent more bytes on each hop and on the one upload from the wizard.
//!
//! An optimisation only: when the tar cannot be made (no space for it, an unreadable file), the relay carries the
//! tarball as before.

use crate::plan::leftovers::STALE_MINUTES;
use sha2::{Digest, Sha512};
use std::io::{Read, Write};
use std::path::Path;

/// The release's tar: a temporary file in the wizard's cache directory (removed when dropped) and its SHA-512.
pub(super) struct Tar {
    pub file: tempfile::TempPath,
    pub sha512: String,
    pub size: u64,
}

/// How the temporary tar is named, beside the tarball in the wizard's cache.
const PREFIX: &str = ".relay-";

/// Decompresses `tgz` (already verified) into a temporary file in `dir` (the wizard's cache directory: never a
/// shared temporary directory, nor the folder of an operator's own tarball), its SHA-512 taken in the same pass.
/// One a killed run left there (untouched for [`STALE_MINUTES`]) is removed first.
pub(super) fn derive(tgz: &Path, dir: &Path) -> std::io::Result<Tar> {
    std::fs::create_dir_all(dir)?;
    remove_stale(dir);
    let input = std::fs::File::open(tgz)?;
    let mut gz = flate2::read::GzDecoder::new(std::io::BufReader::with_capacity(1 << 20, input));
    let mut out = tempfile::Builder::new().prefix(PREFIX).suffix(".tar").tempfile_in(dir)?;
    let (mut hash, mut size, mut buf) = (Sha512::new(), 0u64, vec![0u8; 1 << 20]);
    loop {
        let n = match gz.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hash.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    out.flush()?;
    Ok(Tar { file: out.into_temp_path(), sha512: hex::encode(hash.finalize()), size })
}

/// Removes the temporary tars in `dir` nobody touched for [`STALE_MINUTES`] (a run killed while relaying).
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let stale = std::time::Duration::from_secs(u64::from(STALE_MINUTES) * 60);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if name.starts_with(PREFIX) && name.ends_with(".tar") && old.is_some_and(|age| age > stale) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn the_tar_is_what_gzip_gives_and_its_sha512_is_sha512sums_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("kafka_2.13-9.9.9/bin");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("kafka-server-start.sh"), "#!/bin/sh\n".repeat(50_000)).unwrap();
        let tgz = dir.path().join("k.tgz");
        let made = Command::new("tar").arg("-czf").arg(&tgz).arg("-C").arg(dir.path()).arg("kafka_2.13-9.9.9").status();
        assert!(made.unwrap().success());

        let tar = derive(&tgz, dir.path()).unwrap();
        let gunzipped = Command::new("gzip").arg("-dc").arg(&tgz).output().unwrap().stdout;
        assert_eq!(std::fs::read(&tar.file).unwrap(), gunzipped);
        assert_eq!(tar.size, gunzipped.len() as u64);
        let sum = Command::new("sha512sum").arg(&*tar.file).output().unwrap().stdout;
        assert_eq!(tar.sha512, String::from_utf8(sum).unwrap()[..128]);
        let listed = Command::new("tar").arg("-tf").arg(&*tar.file).output().unwrap();
        assert!(String::from_utf8(listed.stdout).unwrap().contains("kafka_2.13-9.9.9/bin/kafka-server-start.sh"));
        let path = tar.file.to_path_buf();
        assert_eq!(path.parent(), Some(dir.path()), "in the directory given: the wizard's cache");
        drop(tar);
        assert!(!path.exists(), "the temporary tar goes with the relay");

        // one a killed run left an hour ago is removed by the next; a fresh one (another run's) stays
        let (old, young) = (dir.path().join(".relay-old.tar"), dir.path().join(".relay-young.tar"));
        std::fs::write(&old, b"x").unwrap();
        std::fs::write(&young, b"x").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(hour_ago).unwrap();
        drop(derive(&tgz, dir.path()).unwrap());
        assert!(!old.exists() && young.exists());

        // not a gzip file: an error (the relay then carries the tarball itself)
        std::fs::write(&tgz, b"not gzip").unwrap();
        assert!(derive(&tgz, dir.path()).is_err());
    }
}
