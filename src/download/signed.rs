//! The OpenPGP check of a release tarball that already passed its SHA-512: its detached signature (`.asc`) fetched
//! from the same place as the tarball (the mirror, `kafka.apache_url` or Apache; then Apache's own copy), or read
//! beside an offline tarball, and verified against the pinned Apache Kafka release managers' keys and the keys the
//! user trusted on purpose (`kafka-wizard trust import`). Anything else is refused before a host is touched.
//!
//! Where the pinned keys' material comes from (docs/facts/kafka.md §33): Apache's `KEYS` file, fetched from the
//! same place as the checksum (`kafka.apache_url`, else downloads.apache.org then archive.apache.org), or a `KEYS`
//! file beside an offline tarball. It is fetched only when the user's own keys do not already verify the signature,
//! and only the keys whose *primary fingerprint* is pinned in `verify::apache_keys` are kept from it. So `KEYS` is
//! untrusted transport, like the mirror: whoever can change it (or a project file's `apache_url`) can withhold a key
//! but never add a signer. Key material is not shipped in the repository because the release managers renew and
//! extend their keys (new subkeys, new expiry dates) in `KEYS`; a shipped copy would go stale and refuse good
//! releases, while a pinned fingerprint stays valid for the key's whole life. An operator without network access
//! puts Apache's `KEYS` beside the offline tarball (or imports the release manager's key with `trust import`).

use super::{get_small, http_client, DownloadError, FetchOptions};
use crate::verify::apache_keys::{pinned_fingerprints, pinned_keyring};
use crate::verify::signature::{verify_detached, Keyring, SignatureError, Verified};
use crate::verify::trust_store::{TrustError, TrustStore};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Where a release's signature and the signers' keys come from.
#[derive(Clone, Debug, Default)]
pub struct SignatureSource {
    /// `kafka_2.13-3.9.2.tgz`
    pub file_name: String,
    /// The `.asc`, tried in order (a 404 or no answer falls through to the next).
    pub signature_urls: Vec<String>,
    /// An offline tarball's `.asc` beside it: used instead of `signature_urls` (it must exist).
    pub local_signature: Option<PathBuf>,
    /// Apache's `KEYS`, tried in order, for the pinned fingerprints' key material.
    pub keys_urls: Vec<String>,
    /// A `KEYS` file beside an offline tarball: read first when it exists.
    pub local_keys: Option<PathBuf>,
    /// The user's trust store (`verify::trust_store`).
    pub trust_dir: PathBuf,
}

/// A release whose signature verified: where the signature came from and the key that made it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SignedBy {
    /// The URL (or the offline file's path) of the `.asc`.
    pub signature: String,
    pub key: Verified,
    /// True for a pinned Apache Kafka release manager's key, false for a key the user trusted.
    pub pinned: bool,
}

impl SignedBy {
    /// "signed by key D3DF… (Mickael Maison <…>), a pinned Apache Kafka release manager's key; signature from URL"
    pub fn describe(&self) -> String {
        let uid = self.key.user_id.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
        let whose = if self.pinned { "a pinned Apache Kafka release manager's key" } else { "a key you trusted" };
        format!("OpenPGP signature by key {}{uid}, {whose}; signature from {}", self.key.primary, self.signature)
    }
}

/// Why a release's signature was not accepted. Nothing was changed on any host.
#[derive(Debug, thiserror::Error)]
pub enum SignatureCheckError {
    #[error(
        "cannot get the release's OpenPGP signature (tried {}): {detail}; without a verified signature nothing is \
         installed{}", .tried.join(", "),
        if *.offline { " — put the release's `.asc` (from Apache, beside the tarball there) next to the offline \
                        tarball, or accept it unsigned on purpose with the CLI's --allow-unsigned-offline-tarball" }
        else { "" }
    )]
    Unavailable { tried: Vec<String>, detail: String, offline: bool },
    #[error("the release's signature ({signature}) is refused: {error}{keys_note}")]
    Refused { signature: String, error: SignatureError, keys_note: String },
    #[error("the trusted keys cannot be read: {0}")]
    TrustStore(#[from] TrustError),
}

/// The keys a release signature is accepted from, for a dry run (which one signed is known only once the
/// signature is fetched): "the 11 pinned Apache Kafka release managers' keys and the key(s) you trusted: FPR (uid)".
pub fn accepted_signers(trust_dir: &Path) -> String {
    let pinned = format!("the {} pinned Apache Kafka release managers' keys", pinned_fingerprints().len());
    match TrustStore::new(trust_dir.to_path_buf()).list() {
        Ok(keys) if keys.is_empty() => format!("{pinned} (you trusted no other key)"),
        Ok(keys) => {
            let keys: Vec<String> = keys
                .iter()
                .map(|k| match k.user_ids.first() {
                    Some(uid) => format!("{} ({uid})", k.fingerprint),
                    None => k.fingerprint.to_string(),
                })
                .collect();
            format!("{pinned} and the key(s) you trusted: {}", keys.join(", "))
        }
        Err(e) => format!("{pinned}; your trusted keys cannot be read: {e}"),
    }
}

/// Largest `.asc` accepted (a real one is under 1 KiB; several signatures a few KiB).
const MAX_SIGNATURE_FILE: usize = 64 * 1024;
/// Largest `KEYS` accepted (Apache Kafka's is about 150 KiB and grows with each release manager).
const MAX_KEYS_FILE: usize = 8 << 20;

/// Verifies `tarball` (already checked against its SHA-512) with the signature and keys of `source`.
pub async fn verify_release_signature(
    tarball: &Path,
    source: &SignatureSource,
    options: &FetchOptions,
) -> Result<SignedBy, DownloadError> {
    let (asc, from) = match &source.local_signature {
        Some(local) if local.is_file() => (local.clone(), local.display().to_string()),
        Some(local) => {
            return Err(SignatureCheckError::Unavailable {
                tried: vec![local.display().to_string()],
                detail: format!("{}: no such file", local.display()),
                offline: true,
            }
            .into())
        }
        None => fetch_signature(tarball, source, options).await?,
    };
    let trusted = TrustStore::new(source.trust_dir.clone()).keyring().map_err(SignatureCheckError::from)?;
    let refused = |error: SignatureError, keys_note: String| SignatureCheckError::Refused {
        signature: from.clone(),
        error,
        keys_note,
    };
    let first = verify(tarball, &asc, trusted.clone()).await?;
    let verified = match first {
        Ok(v) => v,
        Err(SignatureError::UnknownKey { .. }) => {
            options.check_cancel()?;
            let (pinned, note) = match pinned_keys(source, options).await {
                Ok(ring) => (ring, String::new()),
                Err(why) => (Keyring::default(), format!(" (the pinned Apache keys could not be read: {why})")),
            };
            let mut ring = trusted;
            ring.extend(pinned);
            match verify(tarball, &asc, ring).await? {
                Ok(v) => v,
                Err(e) => return Err(refused(e, note).into()),
            }
        }
        Err(e) => return Err(refused(e, String::new()).into()),
    };
    let pinned = pinned_fingerprints().contains(&verified.primary);
    Ok(SignedBy { signature: from, key: verified, pinned })
}

/// `verify_detached` on a blocking thread (it reads the whole tarball).
async fn verify(tarball: &Path, asc: &Path, ring: Keyring) -> Result<Result<Verified, SignatureError>, DownloadError> {
    let (t, a) = (tarball.to_path_buf(), asc.to_path_buf());
    tokio::task::spawn_blocking(move || verify_detached(&t, &a, &ring))
        .await
        .map_err(|e| DownloadError::Io { path: tarball.to_path_buf(), detail: e.to_string() })
}

/// The first signature URL that answers, saved beside the tarball as `<file>.asc` (a private cache directory;
/// written to a new temporary file, then renamed). Returns its path and URL.
async fn fetch_signature(
    tarball: &Path,
    source: &SignatureSource,
    options: &FetchOptions,
) -> Result<(PathBuf, String), DownloadError> {
    let client = http_client(options, source.signature_urls.first())?;
    let mut details = Vec::new();
    if source.signature_urls.is_empty() {
        details.push("no signature URL given".to_string());
    }
    for url in &source.signature_urls {
        options.check_cancel()?;
        let body = get_small(&client, url, MAX_SIGNATURE_FILE, "not a signature file");
        match tokio::time::timeout(options.stall_timeout, body).await {
            Ok(Ok(bytes)) => {
                let path = tarball.with_file_name(format!("{}.asc", source.file_name));
                save(&path, &bytes).map_err(|e| DownloadError::Io { path: path.clone(), detail: e.to_string() })?;
                return Ok((path, url.clone()));
            }
            Ok(Err(e)) => details.push(format!("{url}: {e}")),
            Err(_) => details.push(format!("{url}: no answer for {:?}", options.stall_timeout)),
        }
    }
    let tried = source.signature_urls.clone();
    Err(SignatureCheckError::Unavailable { tried, detail: details.join("; "), offline: false }.into())
}

fn save(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = path.with_file_name(format!(
        ".{}.{}-{:016x}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&temp)?;
    let written = file.write_all(bytes).and_then(|_| file.sync_all()).and_then(|_| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// The pinned release managers' keys from the first `KEYS` that holds any (beside an offline tarball, then the
/// URLs); every other key of those files is dropped. The error lists what was tried.
async fn pinned_keys(source: &SignatureSource, options: &FetchOptions) -> Result<Keyring, String> {
    let mut details = Vec::new();
    if let Some(local) = source.local_keys.as_ref().filter(|p| p.is_file()) {
        let name = local.display().to_string();
        match std::fs::read_to_string(local) {
            Ok(text) => match pinned_keyring(&text, &name) {
                Ok(ring) => return Ok(ring),
                Err(e) => details.push(e.to_string()),
            },
            Err(e) => details.push(format!("{name}: {e}")),
        }
    }
    let client = http_client(options, source.keys_urls.first()).map_err(|e| e.to_string())?;
    for url in &source.keys_urls {
        let body = get_small(&client, url, MAX_KEYS_FILE, "not a KEYS file");
        match tokio::time::timeout(options.stall_timeout, body).await {
            Ok(Ok(bytes)) => match pinned_keyring(&String::from_utf8_lossy(&bytes), url) {
                Ok(ring) => return Ok(ring),
                Err(e) => details.push(e.to_string()),
            },
            Ok(Err(e)) => details.push(format!("{url}: {e}")),
            Err(_) => details.push(format!("{url}: no answer for {:?}", options.stall_timeout)),
        }
    }
    if details.is_empty() {
        details.push("no KEYS file given".into());
    }
    Err(details.join("; "))
}

#[cfg(test)]
mod tests;
