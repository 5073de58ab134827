//! The OpenPGP check of a release tarball, in the same read of the file as its SHA-512 check
//! ([`fetch_signed_release`], through `verify::one_pass`): its detached signature (`.asc`) fetched from the same
//! place as the tarball (the mirror, `kafka.apache_url` or Apache; then Apache's own copy), or read beside an
//! offline tarball, and verified against the pinned Apache Kafka release managers' keys and the keys the user
//! trusted on purpose (`kafka-wizard trust import`). Anything else is refused before a host is touched.
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

use super::{
    download_into, get_small, http_client, local_checksum, trusted_checksum, Cache, DownloadError, FetchOptions,
    Fetched, ReleaseSource,
};
use crate::verify::apache_keys::{pinned_fingerprints, pinned_keyring};
use crate::verify::one_pass::{check_file, Checked};
use crate::verify::signature::{prepare, Keyring, Prepared, SignatureError, Verified};
use crate::verify::trust_store::{TrustError, TrustStore};
use crate::verify::Sha512;
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

/// A release fetched and verified in one read of its tarball: the file, and who signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRelease {
    pub fetched: Fetched,
    pub signed: SignedBy,
}

/// Fetches `release` (a local tarball, a cache hit, or a download as [`super::fetch_release_with`]) and checks its
/// SHA-512 against the trusted checksum and its OpenPGP signature from `signature` in ONE read of the file
/// (`verify::one_pass`): a checksum mismatch is reported first (a damaged cache entry is deleted and downloaded
/// again), then the signature's verdict over the same bytes. A download is hashed while it streams, as always, and
/// then read once more for both checks. `progress` follows the download, or the read of a local tarball.
pub async fn fetch_signed_release(
    cache: &Cache,
    release: &ReleaseSource,
    signature: &SignatureSource,
    options: &FetchOptions,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
) -> Result<SignedRelease, DownloadError> {
    let client = http_client(options, release.tarball_urls.first())?;
    if let Some(local) = &release.local_tarball {
        let expected = local_checksum(&client, release, local, options).await?;
        let ready = prepare_signature(local, signature, options).await?;
        let checked = read_once(local, &ready, options, Some(progress)).await?;
        return finish(local, release, ready, checked, &expected, false);
    }
    let expected = trusted_checksum(&client, release, options).await?;
    let path = cache.entry_path(&release.file_name, &expected);
    cache.prepare(&path)?;
    // Held until this function returns, as in `fetch_release_with`.
    let _lock = cache.lock_entry(&path, options).await?;
    let mut ready = None;
    if path.is_file() {
        let cached = prepare_signature(&path, signature, options).await?;
        let checked = read_once(&path, &cached, options, None).await?;
        if checked.sha512 == expected {
            return finish(&path, release, cached, checked, &expected, false);
        }
        // damaged on disk since it was verified: fetch it again (the signature, already prepared, is kept)
        tokio::fs::remove_file(&path).await.map_err(|e| io(&path, e))?;
        ready = Some(cached);
    }
    let fetched = download_into(&client, release, options, progress, expected.clone(), path.clone()).await?;
    let ready = match ready {
        Some(ready) => ready,
        None => prepare_signature(&path, signature, options).await?,
    };
    let checked = read_once(&path, &ready, options, None).await?;
    if checked.sha512 != expected {
        let _ = tokio::fs::remove_file(&path).await;
    }
    finish(&path, release, ready, checked, &expected, fetched.downloaded)
}

/// Verifies `tarball` (already on disk) with the signature and keys of `source`, in one read of it.
pub async fn verify_release_signature(
    tarball: &Path,
    source: &SignatureSource,
    options: &FetchOptions,
) -> Result<SignedBy, DownloadError> {
    let ready = prepare_signature(tarball, source, options).await?;
    let checked = read_once(tarball, &ready, options, None).await?;
    let verified = checked.signature.map_err(|error| refused(&ready.from, error, String::new()))?;
    Ok(signed_by(ready.from, verified))
}

/// A signature fetched and read, its signer found among the user's trusted keys or the pinned Apache keys, and
/// every rule that needs no file bytes passed: only the tarball's digest is left.
struct Ready {
    prepared: Prepared,
    /// Where the `.asc` came from (its URL or the offline file's path).
    from: String,
}

fn refused(from: &str, error: SignatureError, keys_note: String) -> SignatureCheckError {
    SignatureCheckError::Refused { signature: from.to_string(), error, keys_note }
}

fn signed_by(signature: String, key: Verified) -> SignedBy {
    let pins = pinned_fingerprints();
    let pinned = pins.contains(&key.primary) || pins.contains(&key.signing_key);
    SignedBy { signature, key, pinned }
}

/// The checksum first, then the signature, both of the one read of `path`.
fn finish(
    path: &Path,
    release: &ReleaseSource,
    ready: Ready,
    checked: Checked,
    expected: &Sha512,
    downloaded: bool,
) -> Result<SignedRelease, DownloadError> {
    if &checked.sha512 != expected {
        return Err(DownloadError::ChecksumMismatch {
            file: release.file_name.clone(),
            url: path.display().to_string(),
            expected: expected.clone(),
            actual: checked.sha512,
        });
    }
    let verified = checked.signature.map_err(|error| refused(&ready.from, error, String::new()))?;
    let fetched = Fetched { path: path.to_path_buf(), sha512: checked.sha512, size: checked.bytes, downloaded };
    Ok(SignedRelease { fetched, signed: signed_by(ready.from, verified) })
}

/// The `.asc` of `tarball` (beside an offline tarball, or fetched and saved beside it), prepared against the user's
/// trusted keys and, only when they do not know the signer, the pinned keys read from `KEYS`.
async fn prepare_signature(
    tarball: &Path,
    source: &SignatureSource,
    options: &FetchOptions,
) -> Result<Ready, DownloadError> {
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
    let prepared = match prepare(tarball, &asc, &trusted) {
        Ok(prepared) => prepared,
        Err(SignatureError::UnknownKey { .. }) => {
            options.check_cancel()?;
            let (pinned, note) = match pinned_keys(source, options).await {
                Ok(ring) => (ring, String::new()),
                Err(why) => (Keyring::default(), format!(" (the pinned Apache keys could not be read: {why})")),
            };
            let mut ring = trusted;
            ring.extend(pinned);
            prepare(tarball, &asc, &ring).map_err(|e| refused(&from, e, note))?
        }
        Err(e) => return Err(refused(&from, e, String::new()).into()),
    };
    Ok(Ready { prepared, from })
}

/// `verify::one_pass::check_file` on a blocking thread (it reads the whole tarball), stopped by `options.cancel`;
/// `progress(done, total)` as it reads, when given.
async fn read_once(
    tarball: &Path,
    ready: &Ready,
    options: &FetchOptions,
    progress: Option<&mut (dyn FnMut(u64, Option<u64>) + Send)>,
) -> Result<Checked, DownloadError> {
    let total = tokio::fs::metadata(tarball).await.map_err(|e| io(tarball, e))?.len();
    let (path, prepared, cancel) = (tarball.to_path_buf(), ready.prepared.clone(), options.cancel.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut task = tokio::task::spawn_blocking(move || {
        let mut on_chunk = |done: u64| {
            let _ = tx.send(done);
            !cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
        };
        check_file(&path, &prepared, &mut on_chunk)
    });
    let mut progress = progress;
    let result = loop {
        tokio::select! {
            Some(done) = rx.recv() => if let Some(p) = progress.as_mut() { p(done, Some(total)) },
            result = &mut task => break result,
        }
    };
    while let (Ok(done), Some(p)) = (rx.try_recv(), progress.as_mut()) {
        p(done, Some(total));
    }
    options.check_cancel()?;
    let result = result.map_err(|e| io(tarball, e))?;
    result.map_err(|error| match error {
        SignatureError::Read { path, error } => DownloadError::Io { path, detail: error },
        error => refused(&ready.from, error, String::new()).into(),
    })
}

fn io(path: &Path, e: impl std::fmt::Display) -> DownloadError {
    DownloadError::Io { path: path.to_path_buf(), detail: e.to_string() }
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
