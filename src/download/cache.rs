//! The local release cache: where it is (per user, never a shared temporary directory), its directories created
//! 0700 and owned by the user, and one exclusive lock per entry so that two wizards at once (the CLI and the app)
//! never write the same `.part` file.
//!
//! Layout: `<dir>/<first 16 hex of the SHA-512>/<file name>` (verified) and `<file name>.part` (a download under
//! way); whoever fetches an entry holds an `flock` on its directory (no lock file is left behind).

use super::{io_err, DownloadError, FetchOptions};
use crate::verify::Sha512;
use std::ffi::OsString;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The local download cache.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    /// `$XDG_CACHE_HOME/kafka-wizard`, else `$HOME/.cache/kafka-wizard`; `None` when neither is set to an absolute
    /// path — there is no per-user place then, and a shared temporary directory is never used instead.
    pub fn default_dir() -> Option<PathBuf> {
        default_dir_from(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the verified `file_name` with digest `sha512` lives in the cache.
    pub fn entry_path(&self, file_name: &str, sha512: &Sha512) -> PathBuf {
        self.dir.join(&sha512.as_hex()[..16]).join(file_name)
    }

    /// Makes sure the cache directory and the directory of `entry` exist as private directories of this user
    /// (created 0700; an existing one of ours is narrowed to 0700; a symlink or another user's is refused).
    pub(super) fn prepare(&self, entry: &Path) -> Result<(), DownloadError> {
        if self.dir.as_os_str().is_empty() || !self.dir.is_absolute() {
            return Err(DownloadError::NoCacheDir { dir: self.dir.clone() });
        }
        private_dir(&self.dir)?;
        let entry_dir = entry.parent().filter(|d| d.starts_with(&self.dir)).unwrap_or(&self.dir);
        private_dir(entry_dir)
    }

    /// Takes the exclusive lock of `entry` (an `flock` on its directory, made by [`Cache::prepare`]), waiting
    /// while another process holds it and checking `options.cancel` meanwhile. Released when the returned guard is
    /// dropped (or the process ends).
    pub(super) async fn lock_entry(&self, entry: &Path, options: &FetchOptions) -> Result<EntryLock, DownloadError> {
        let path = entry.parent().unwrap_or(&self.dir);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        loop {
            options.check_cancel()?;
            // SAFETY: flock on a file descriptor this function owns (kept open by the returned guard).
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return Ok(EntryLock { _file: file });
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) && err.kind() != std::io::ErrorKind::Interrupted {
                return Err(io_err(path, format!("cannot lock the cache entry: {err}")));
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }
}

/// How often a fetch waiting for another process's download tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(200);

/// The held lock of one cache entry; dropping it closes the directory and so releases the `flock`.
#[derive(Debug)]
pub(super) struct EntryLock {
    _file: std::fs::File,
}

fn default_dir_from(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let xdg = xdg_cache_home.map(PathBuf::from).filter(|p| p.is_absolute());
    let home = home.map(PathBuf::from).filter(|p| p.is_absolute()).map(|h| h.join(".cache"));
    xdg.or(home).map(|base| base.join("kafka-wizard"))
}

/// `dir` as a private directory of this user: created (with its parents) 0700 when missing; an existing one must
/// be a real directory (not a symlink) owned by this user, and is narrowed to 0700.
fn private_dir(dir: &Path) -> Result<(), DownloadError> {
    ensure_private_dir(dir).map_err(|e| match e {
        NotPrivate::Io(e) => io_err(dir, e),
        NotPrivate::Unsafe(why) => DownloadError::UnsafeCacheDir { dir: dir.to_path_buf(), why },
    })
}

/// Why a directory cannot serve as a private one of this user.
#[derive(Debug)]
pub(crate) enum NotPrivate {
    Io(std::io::Error),
    /// It is a symbolic link, not a directory, or another user's.
    Unsafe(String),
}

/// The rule of [`private_dir`], for every private per-user directory of the wizard (the cache, run logs).
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), NotPrivate> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(NotPrivate::Io)?;
            // the last component is ours now; make sure of its mode whatever the umask
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(NotPrivate::Io)
        }
        Err(e) => Err(NotPrivate::Io(e)),
        Ok(meta) => {
            // SAFETY: geteuid has no preconditions and cannot fail.
            let me = unsafe { libc::geteuid() };
            if !meta.file_type().is_dir() || meta.uid() != me {
                return Err(NotPrivate::Unsafe(if meta.file_type().is_symlink() {
                    "is a symbolic link".into()
                } else if !meta.file_type().is_dir() {
                    "is not a directory".into()
                } else {
                    format!("belongs to another user (uid {})", meta.uid())
                }));
            }
            if meta.mode() & 0o077 != 0 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(NotPrivate::Io)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_under_xdg_cache_home_else_home_and_never_a_shared_temporary_directory() {
        let some = |s: &str| Some(OsString::from(s));
        assert_eq!(default_dir_from(some("/x/cache"), some("/home/u")), Some(PathBuf::from("/x/cache/kafka-wizard")));
        assert_eq!(default_dir_from(None, some("/home/u")), Some(PathBuf::from("/home/u/.cache/kafka-wizard")));
        assert_eq!(
            default_dir_from(some("relative"), some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/kafka-wizard"))
        );
        assert_eq!(default_dir_from(None, None), None);
        assert_eq!(default_dir_from(some(""), some("relative")), None);
    }

    #[test]
    fn without_a_cache_directory_the_fetch_is_refused_saying_how_to_give_one() {
        let entry = PathBuf::from("abababababababab/kafka.tgz");
        let err = Cache::new(PathBuf::new()).prepare(&entry).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("HOME") && msg.contains("XDG_CACHE_HOME") && msg.contains("--cache DIR"), "{msg}");
    }

    #[test]
    fn cache_directories_are_created_private_and_an_open_one_is_narrowed() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::new(base.path().join("a").join("kafka-wizard"));
        let entry = cache.dir().join("abababababababab").join("kafka.tgz");
        cache.prepare(&entry).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(cache.dir()), 0o700);
        assert_eq!(mode(entry.parent().unwrap()), 0o700);
        std::fs::set_permissions(cache.dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
        cache.prepare(&entry).unwrap();
        assert_eq!(mode(cache.dir()), 0o700);
    }

    #[test]
    fn a_cache_directory_that_is_a_symlink_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let elsewhere = base.path().join("planted");
        std::fs::create_dir(&elsewhere).unwrap();
        let dir = base.path().join("kafka-wizard");
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        let err = Cache::new(dir.clone()).prepare(&dir.join("ab").join("k.tgz")).unwrap_err();
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
    }

    #[tokio::test]
    async fn a_second_lock_on_an_entry_waits_until_the_first_is_released() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::new(base.path().to_path_buf());
        let entry = base.path().join("k.tgz");
        let first = cache.lock_entry(&entry, &FetchOptions::default()).await.unwrap();
        let waiting = {
            let cache = cache.clone();
            let entry = entry.clone();
            tokio::spawn(async move { cache.lock_entry(&entry, &FetchOptions::default()).await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(!waiting.is_finished(), "the second lock must wait while the first is held");
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap();
    }

    #[tokio::test]
    async fn waiting_for_a_lock_can_be_cancelled() {
        let base = tempfile::tempdir().unwrap();
        let cache = Cache::new(base.path().to_path_buf());
        let entry = base.path().join("k.tgz");
        let _held = cache.lock_entry(&entry, &FetchOptions::default()).await.unwrap();
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let options = FetchOptions { cancel: Some(cancel), ..FetchOptions::default() };
        assert!(matches!(cache.lock_entry(&entry, &options).await, Err(DownloadError::Cancelled)));
    }
}
