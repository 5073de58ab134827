//! The user's own trusted release-signing keys: keys trusted on purpose, beside the pinned Apache release managers
//! (`apache_keys`). Only the user adds them (`kafka-wizard trust import`, the app's settings); a project file never
//! can.
//!
//! Layout: `$XDG_CONFIG_HOME/kafka-wizard/trusted-keys/` (or `~/.config/…`; no shared fallback), directories 0700
//! and the user's own (the rule of the download cache: a symlink or another user's directory is refused), one
//! armored file per key named `<FINGERPRINT>.asc`, 0600, written whole through a new temporary file and a rename.

use super::signature::{Fingerprint, KeySummary, Keyring, SignatureError};
use crate::download::{ensure_private_dir, NotPrivate};
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Why the trust store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(
        "no place for trusted keys: neither XDG_CONFIG_HOME nor HOME is set to an absolute path (a shared \
         directory is never used instead) — set one of them"
    )]
    NoConfigDir,
    #[error("{dir}: cannot hold trusted keys: {why}")]
    UnsafeDir { dir: PathBuf, why: String },
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: String },
    #[error("{path}: holds key {found}, not the key {named} its name says — remove the file (`kafka-wizard trust remove {named}`) and import the key again")]
    Mismatch { path: PathBuf, named: Fingerprint, found: Fingerprint },
    #[error("{0} is not a trusted key (`kafka-wizard trust list` shows those)")]
    NotTrusted(Fingerprint),
    #[error("{path}: {why}")]
    KeyFile { path: PathBuf, why: String },
    #[error(transparent)]
    Key(#[from] SignatureError),
}

/// A key file larger than this is not a key file (Apache's whole `KEYS` is a few hundred KiB).
pub const MAX_KEY_FILE_BYTES: u64 = 16 << 20;

/// The public keys in the armored file at `path` a user offers to trust (`trust import`, the app's import): at
/// most [`MAX_KEY_FILE_BYTES`] are read — a larger file (or an endless one, a device or a pipe) is refused, naming it.
pub fn read_key_file(path: &Path) -> Result<Keyring, TrustError> {
    use std::io::Read;
    let fail = |why: String| TrustError::KeyFile { path: path.to_path_buf(), why };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(fail(format!("larger than {} MiB: too large for a file of public keys", MAX_KEY_FILE_BYTES >> 20)));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail("not text: not a file of armored public keys".into()))?;
    Ok(Keyring::from_armored(&text, &path.display().to_string())?)
}

fn io(path: &Path, e: impl std::fmt::Display) -> TrustError {
    TrustError::Io { path: path.to_path_buf(), error: e.to_string() }
}

/// The user's trusted keys, one file each in a private directory.
#[derive(Clone, Debug)]
pub struct TrustStore {
    dir: PathBuf,
}

impl TrustStore {
    /// `$XDG_CONFIG_HOME/kafka-wizard/trusted-keys`, else `$HOME/.config/kafka-wizard/trusted-keys`.
    pub fn default_dir() -> Result<PathBuf, TrustError> {
        default_dir_from(std::env::var_os("XDG_CONFIG_HOME"), std::env::var_os("HOME")).ok_or(TrustError::NoConfigDir)
    }

    pub fn new(dir: PathBuf) -> TrustStore {
        TrustStore { dir }
    }

    /// The store at [`TrustStore::default_dir`].
    pub fn open_default() -> Result<TrustStore, TrustError> {
        Ok(TrustStore::new(TrustStore::default_dir()?))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, fpr: &Fingerprint) -> PathBuf {
        self.dir.join(format!("{fpr}.asc"))
    }

    /// Creates (0700) or checks the store's directory and its parent `kafka-wizard`.
    fn prepare(&self) -> Result<(), TrustError> {
        if !self.dir.is_absolute() {
            return Err(TrustError::UnsafeDir { dir: self.dir.clone(), why: "not an absolute path".into() });
        }
        for dir in [self.dir.parent().unwrap_or(&self.dir), &self.dir] {
            ensure_private_dir(dir).map_err(|e| match e {
                NotPrivate::Io(e) => io(dir, e),
                NotPrivate::Unsafe(why) => TrustError::UnsafeDir { dir: dir.to_path_buf(), why },
            })?;
        }
        Ok(())
    }

    /// Trusts the key `fpr` of `ring` (replacing an earlier copy of it). Returns the file written.
    pub fn import(&self, ring: &Keyring, fpr: &Fingerprint) -> Result<PathBuf, TrustError> {
        let armored = ring.armored(fpr).ok_or_else(|| TrustError::NotTrusted(fpr.clone()))?;
        self.prepare()?;
        let target = self.path_of(fpr);
        let temp = self.dir.join(format!(".{fpr}.asc.{}-{:016x}", std::process::id(), rand::random::<u64>()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temp)
            .map_err(|e| io(&temp, e))?;
        let written = file.write_all(armored.as_bytes()).and_then(|_| file.sync_all());
        drop(file);
        if let Err(e) = written.and_then(|_| std::fs::rename(&temp, &target)) {
            let _ = std::fs::remove_file(&temp);
            return Err(io(&target, e));
        }
        Ok(target)
    }

    /// Stops trusting `fpr`: deletes its file. `NotTrusted` when there is none.
    pub fn remove(&self, fpr: &Fingerprint) -> Result<PathBuf, TrustError> {
        let path = self.path_of(fpr);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(TrustError::NotTrusted(fpr.clone())),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Every trusted key, read back from its file (a missing store is an empty one).
    pub fn keyring(&self) -> Result<Keyring, TrustError> {
        let mut ring = Keyring::default();
        if !self.dir.exists() {
            return Ok(ring);
        }
        self.prepare()?;
        let mut names: Vec<(Fingerprint, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))? {
            let entry = entry.map_err(|e| io(&self.dir, e))?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".asc")) else { continue };
            if let Ok(fpr) = Fingerprint::parse(stem) {
                if fpr.as_str() == stem {
                    names.push((fpr, entry.path()));
                }
            }
        }
        names.sort();
        for (named, path) in names {
            let text = read_no_follow(&path)?;
            let one = Keyring::from_armored(&text, &path.display().to_string())?;
            let found = one.summaries().into_iter().map(|s| s.fingerprint).collect::<Vec<_>>();
            if found.len() != 1 || found[0] != named {
                let found = found.into_iter().next().unwrap_or_else(|| named.clone());
                return Err(TrustError::Mismatch { path, named, found });
            }
            ring.extend(one);
        }
        Ok(ring)
    }

    /// The trusted keys' fingerprints and user ids.
    pub fn list(&self) -> Result<Vec<KeySummary>, TrustError> {
        Ok(self.keyring()?.summaries())
    }
}

/// A trusted key's file, refused when it is a symlink.
fn read_no_follow(path: &Path) -> Result<String, TrustError> {
    use std::io::Read;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| io(path, e))?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| io(path, e))?;
    Ok(text)
}

fn default_dir_from(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let xdg = xdg_config_home.map(PathBuf::from).filter(|p| p.is_absolute());
    let home = home.map(PathBuf::from).filter(|p| p.is_absolute()).map(|h| h.join(".config"));
    xdg.or(home).map(|base| base.join("kafka-wizard").join("trusted-keys"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn key_text(uid: &str) -> String {
        use pgp::composed::{ArmorOptions, KeyType, SecretKeyParamsBuilder};
        let mut params = SecretKeyParamsBuilder::default();
        params.key_type(KeyType::Ed25519Legacy).can_certify(true).can_sign(true).primary_user_id(uid.into());
        let key = params.build().unwrap().generate(rand::thread_rng()).unwrap();
        key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap()
    }

    #[test]
    fn a_key_file_is_read_whole_but_one_too_large_or_endless_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys.asc");
        std::fs::write(&keys, key_text("Ann <ann@example.org>")).unwrap();
        assert_eq!(read_key_file(&keys).unwrap().summaries().len(), 1);
        let big = dir.path().join("big.asc");
        let mut text = key_text("Bob <bob@example.org>");
        text.push_str(&"\n".repeat(MAX_KEY_FILE_BYTES as usize));
        std::fs::write(&big, text).unwrap();
        for path in [big.as_path(), Path::new("/dev/zero")] {
            let err = read_key_file(path).unwrap_err();
            assert!(matches!(err, TrustError::KeyFile { .. }), "{err:?}");
            let told = err.to_string();
            assert!(told.starts_with(&format!("{}: larger than 16 MiB", path.display())), "{told}");
        }
        let missing = read_key_file(&dir.path().join("missing.asc")).unwrap_err().to_string();
        assert!(missing.contains("missing.asc") && missing.contains("No such file"), "{missing}");
    }

    #[test]
    fn the_store_is_per_user_config_and_has_no_shared_fallback() {
        let d = |x: Option<&str>, h: Option<&str>| default_dir_from(x.map(Into::into), h.map(Into::into));
        assert_eq!(d(Some("/x"), Some("/h")), Some(PathBuf::from("/x/kafka-wizard/trusted-keys")));
        assert_eq!(d(Some("rel"), Some("/h")), Some(PathBuf::from("/h/.config/kafka-wizard/trusted-keys")));
        assert_eq!(d(None, None), None);
    }

    #[test]
    fn an_imported_key_is_listed_read_back_and_removed_and_its_files_are_private() {
        let base = tempfile::tempdir().unwrap();
        let store = TrustStore::new(base.path().join("kafka-wizard/trusted-keys"));
        assert!(store.list().unwrap().is_empty(), "a store not made yet is empty");
        let ring = Keyring::from_armored(&format!("{}\n{}", key_text("A <a@x>"), key_text("B <b@x>")), "KEYS").unwrap();
        let b = ring.summaries()[1].clone();
        let path = store.import(&ring, &b.fingerprint).unwrap();
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), format!("{}.asc", b.fingerprint));
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        for dir in [store.dir(), store.dir().parent().unwrap()] {
            assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700, "{dir:?}");
        }
        assert_eq!(store.list().unwrap(), vec![b.clone()]);
        assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 1, "no temporary file is left behind");
        store.remove(&b.fingerprint).unwrap();
        assert!(store.list().unwrap().is_empty());
        assert!(matches!(store.remove(&b.fingerprint), Err(TrustError::NotTrusted(_))));
    }

    #[test]
    fn a_file_holding_another_key_than_its_name_says_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let store = TrustStore::new(base.path().join("kw/trusted-keys"));
        let ring = Keyring::from_armored(&key_text("A <a@x>"), "KEYS").unwrap();
        let real = ring.summaries()[0].fingerprint.clone();
        let path = store.import(&ring, &real).unwrap();
        let named = Fingerprint::parse(&"AB".repeat(20)).unwrap();
        std::fs::rename(&path, store.dir().join(format!("{named}.asc"))).unwrap();
        let err = store.list().unwrap_err();
        assert!(matches!(&err, TrustError::Mismatch { found, .. } if *found == real), "{err}");
    }

    #[test]
    fn a_symlinked_store_directory_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir(base.path().join("kafka-wizard")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), base.path().join("kafka-wizard/trusted-keys")).unwrap();
        let store = TrustStore::new(base.path().join("kafka-wizard/trusted-keys"));
        let ring = Keyring::from_armored(&key_text("A <a@x>"), "KEYS").unwrap();
        let err = store.import(&ring, &ring.summaries()[0].fingerprint).unwrap_err();
        assert!(matches!(err, TrustError::UnsafeDir { .. }), "{err}");
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }
}
