//! Downloads of release tarballs into a local cache, verified against Apache's `.sha512`, with resume and progress.
//!
//! Owns the cache directory (`<dir>/<first 16 hex of the SHA-512>/<file name>`, partial downloads as
//! `<file name>.part` beside it) and the HTTP side of the `fetch` phase: the checksum first (so a cache hit costs no
//! tarball transfer), then the tarball from the first URL that has it (a 404 falls through to the next: mirror or
//! Apache current → archive), hashed while streaming. A mismatch deletes the file. A partial download is resumed
//! with an HTTP `Range` request (206), or restarted when the server ignores it. Which URLs are trusted for the
//! checksum is the caller's decision (the catalog: always Apache, never a mirror).
//!
//! Cancelling: drop the future (the `.part` file stays and the next call resumes it), or set
//! [`FetchOptions::cancel`] to get [`DownloadError::Cancelled`].
//!
//! Untrusted servers: a tarball larger than [`FetchOptions::max_bytes`] (default [`MAX_TARBALL_BYTES`]) is refused
//! and its partial file deleted, so a mirror cannot fill the disk. The cache itself (`cache.rs`) is per user,
//! private, and locked per entry while it is downloaded.

mod cache;
mod checksum;
pub mod signed;
pub use cache::Cache;
pub(crate) use cache::{ensure_private_dir, NotPrivate};
pub(crate) use checksum::{local_checksum, trusted_checksum};

use crate::verify::{sha512_of_file, Sha512, Sha512Hasher};
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where a release comes from.
#[derive(Clone, Debug, Default)]
pub struct ReleaseSource {
    /// `kafka_2.13-3.9.2.tgz`
    pub file_name: String,
    /// Tried in order (mirror or Apache current → archive).
    pub tarball_urls: Vec<String>,
    /// Apache's `.sha512`, tried in order (never from an untrusted mirror; the caller decides).
    pub checksum_urls: Vec<String>,
    /// Offline install: use this file; checksum from `<file>.sha512` beside it, else from `checksum_urls`.
    pub local_tarball: Option<PathBuf>,
    /// A checksum the caller already trusts (the catalog's pin of a java agent jar): no checksum is fetched, and
    /// `checksum_urls` are not used.
    pub pinned: Option<Sha512>,
}

/// A verified tarball on local disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub path: PathBuf,
    pub sha512: Sha512,
    pub size: u64,
    /// false = cache hit (or a local tarball): no tarball bytes were transferred.
    pub downloaded: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("{url} was not found (404){}; check the version and the mirror, or use a local tarball", also_tried(.tried, .url))]
    NotFound { url: String, tried: Vec<String> },
    #[error("{url} answered HTTP {status}; try again later, or another mirror")]
    Http { url: String, status: u16 },
    #[error("cannot download {url}: {detail}; check the network, proxy and TLS settings, or use a local tarball")]
    Network { url: String, detail: String },
    #[error(
        "{file} from {url} has SHA-512 {actual}, but the trusted checksum (Apache's, or the catalog's pin) is {expected}; the file was deleted — \
         the download was damaged or tampered with: try again, or another mirror"
    )]
    ChecksumMismatch { file: String, url: String, expected: Sha512, actual: Sha512 },
    #[error("cannot get the SHA-512 checksum (tried {}): {detail}; without it nothing is installed", .urls.join(", "))]
    ChecksumUnavailable { urls: Vec<String>, detail: String },
    #[error("{}: {detail}", .path.display())]
    Io { path: PathBuf, detail: String },
    #[error("the download was cancelled")]
    Cancelled,
    /// The release's OpenPGP signature is missing or refused (`signed.rs`).
    #[error(transparent)]
    Signature(Box<signed::SignatureCheckError>),
    #[error(
        "{url} is larger than {limit} bytes, more than the file it should be (a Kafka release tarball, or a java agent \
         jar); the partial file was deleted — check kafka.mirror / kafka.apache_url / monitoring.maven_url (the server \
         sends something else), or use a local tarball"
    )]
    TooLarge { url: String, limit: u64 },
    #[error(
        "no per-user download cache: neither XDG_CACHE_HOME nor HOME is set to an absolute path{} — set HOME, or \
         give a directory of your own (CLI: --cache DIR); a shared temporary directory is never used",
        if .dir.as_os_str().is_empty() { String::new() } else { format!(" (and {} is not absolute)", .dir.display()) }
    )]
    NoCacheDir { dir: PathBuf },
    #[error("the download cache {} {why} — remove it, or give a directory of your own (CLI: --cache DIR)", .dir.display())]
    UnsafeCacheDir { dir: PathBuf, why: String },
}

impl From<signed::SignatureCheckError> for DownloadError {
    fn from(e: signed::SignatureCheckError) -> Self {
        DownloadError::Signature(Box::new(e))
    }
}

fn also_tried(tried: &[String], url: &str) -> String {
    let others: Vec<&str> = tried.iter().map(String::as_str).filter(|t| *t != url).collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(" (also not at {})", others.join(", "))
    }
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> DownloadError {
    DownloadError::Io { path: path.to_path_buf(), detail: e.to_string() }
}

/// An error and every error it wraps, `: `-separated (reqwest's own message alone says little).
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

/// Timeouts and cancellation of a fetch. `Default` is what `fetch_release` uses.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// TCP + TLS connect (15 s).
    pub connect_timeout: Duration,
    /// No bytes for this long fails the transfer with a Network error naming the URL (30 s).
    pub stall_timeout: Duration,
    /// Attempts per tarball URL when a transfer breaks off after making progress; each resumes with Range (3).
    pub attempts_per_url: u32,
    /// Set to true to stop: the fetch returns `Cancelled` (checked between chunks and requests).
    pub cancel: Option<Arc<AtomicBool>>,
    /// A tarball that announces or reaches more bytes than this is refused ([`DownloadError::TooLarge`]).
    pub max_bytes: u64,
}

/// The size cap of a release download: 1 GiB. Apache Kafka's binary tarballs are about 60–130 MB (the catalog
/// has no sizes), so this only stops a server that sends something else, without ever refusing a real release.
pub const MAX_TARBALL_BYTES: u64 = 1 << 30;

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(15),
            stall_timeout: Duration::from_secs(30),
            attempts_per_url: 3,
            cancel: None,
            max_bytes: MAX_TARBALL_BYTES,
        }
    }
}

impl FetchOptions {
    pub(crate) fn check_cancel(&self) -> Result<(), DownloadError> {
        match &self.cancel {
            Some(flag) if flag.load(Ordering::SeqCst) => Err(DownloadError::Cancelled),
            _ => Ok(()),
        }
    }
}

/// Downloads (or finds in the cache) and verifies a release tarball, with the default [`FetchOptions`].
///
/// Cache entries are keyed by file name + checksum (`<dir>/<sha512 prefix>/<file_name>`); a partial download
/// (`.part`) is resumed with an HTTP Range request when the server supports it (206), else restarted; the SHA-512
/// is computed while streaming. The checksum is fetched first (a cache hit needs no tarball transfer), then the
/// tarball. On mismatch the file is deleted and `ChecksumMismatch` returned. `progress(done, total)` is called as
/// bytes arrive (total None when unknown). A URL that 404s falls through to the next URL; the error lists what was
/// tried.
pub async fn fetch_release(
    cache: &Cache,
    source: &ReleaseSource,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
) -> Result<Fetched, DownloadError> {
    fetch_release_with(cache, source, &FetchOptions::default(), progress).await
}

/// [`fetch_release`] with explicit timeouts and cancellation.
pub async fn fetch_release_with(
    cache: &Cache,
    source: &ReleaseSource,
    options: &FetchOptions,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
) -> Result<Fetched, DownloadError> {
    let client = http_client(options, source.tarball_urls.first())?;

    if let Some(local) = &source.local_tarball {
        return verify_local(&client, source, local, options, progress).await;
    }

    let expected = trusted_checksum(&client, source, options).await?;
    let path = cache.entry_path(&source.file_name, &expected);
    cache.prepare(&path)?;
    // Held until this function returns: another wizard fetching the same release waits here, then finds it cached.
    let _lock = cache.lock_entry(&path, options).await?;
    if let Some(hit) = cache_hit(&path, &expected).await? {
        return Ok(hit);
    }
    download_into(&client, source, options, progress, expected, path).await
}

/// Downloads `source` into the cache entry `path` (its entry locked by the caller), from the first URL that has
/// it, and checks it against `expected` while streaming.
pub(crate) async fn download_into(
    client: &reqwest::Client,
    source: &ReleaseSource,
    options: &FetchOptions,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
    expected: Sha512,
    path: PathBuf,
) -> Result<Fetched, DownloadError> {
    let part = path.with_file_name(format!("{}.part", source.file_name));

    let mut not_found = Vec::new();
    let mut other: Option<DownloadError> = None;
    for url in &source.tarball_urls {
        let mut attempt = 0;
        let mut restarted = false;
        loop {
            options.check_cancel()?;
            attempt += 1;
            match transfer(client, url, &part, options, progress).await {
                Ok(Transferred { sha512: actual, size, resumed }) => {
                    if actual != expected {
                        let _ = tokio::fs::remove_file(&part).await;
                        if resumed && !restarted {
                            // the partial file may be stale (an earlier, different copy): one whole download more
                            restarted = true;
                            continue;
                        }
                        return Err(DownloadError::ChecksumMismatch {
                            file: source.file_name.clone(),
                            url: url.clone(),
                            expected,
                            actual,
                        });
                    }
                    tokio::fs::rename(&part, &path).await.map_err(|e| io_err(&path, e))?;
                    return Ok(Fetched { path, sha512: expected, size, downloaded: true });
                }
                Err(Failure { error: DownloadError::NotFound { .. }, .. }) => {
                    not_found.push(url.clone());
                    break;
                }
                Err(Failure {
                    error: e @ (DownloadError::Io { .. } | DownloadError::Cancelled | DownloadError::TooLarge { .. }),
                    ..
                }) => return Err(e),
                Err(Failure { error, progressed }) => {
                    other = Some(error);
                    if !progressed || attempt >= options.attempts_per_url {
                        break;
                    }
                }
            }
        }
    }
    Err(match (other, not_found.first()) {
        (Some(e), _) => e,
        (None, Some(first)) => DownloadError::NotFound { url: first.clone(), tried: not_found.clone() },
        (None, None) => DownloadError::NotFound { url: "(no download URL given)".into(), tried: vec![] },
    })
}

/// The HTTP client of a fetch (`url` names the first request in the error).
pub(crate) fn http_client(options: &FetchOptions, url: Option<&String>) -> Result<reqwest::Client, DownloadError> {
    reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .user_agent(concat!("kafka-wizard/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DownloadError::Network {
            url: url.cloned().unwrap_or_default(),
            detail: format!("cannot set up the HTTP client: {}", chain(&e)),
        })
}

async fn cache_hit(path: &Path, expected: &Sha512) -> Result<Option<Fetched>, DownloadError> {
    if !path.is_file() {
        return Ok(None);
    }
    let p = path.to_path_buf();
    let actual = tokio::task::spawn_blocking(move || sha512_of_file(&p))
        .await
        .map_err(|e| io_err(path, e))?
        .map_err(|e| io_err(path, e))?;
    if &actual != expected {
        // damaged on disk since it was verified: fetch it again
        tokio::fs::remove_file(path).await.map_err(|e| io_err(path, e))?;
        return Ok(None);
    }
    let size = tokio::fs::metadata(path).await.map_err(|e| io_err(path, e))?.len();
    Ok(Some(Fetched { path: path.to_path_buf(), sha512: actual, size, downloaded: false }))
}

/// A local tarball: checksum from `<file>.sha512` beside it, else from the checksum URLs; never deleted.
async fn verify_local(
    client: &reqwest::Client,
    source: &ReleaseSource,
    local: &Path,
    options: &FetchOptions,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
) -> Result<Fetched, DownloadError> {
    let expected = local_checksum(client, source, local, options).await?;
    let mut file = tokio::fs::File::open(local).await.map_err(|e| io_err(local, e))?;
    let total = file.metadata().await.map_err(|e| io_err(local, e))?.len();
    let mut hasher = Sha512Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    loop {
        options.check_cancel()?;
        let n = file.read(&mut buf).await.map_err(|e| io_err(local, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(done, Some(total));
    }
    let actual = hasher.finish();
    if actual != expected {
        return Err(DownloadError::ChecksumMismatch {
            file: source.file_name.clone(),
            url: local.display().to_string(),
            expected,
            actual,
        });
    }
    Ok(Fetched { path: local.to_path_buf(), sha512: actual, size: done, downloaded: false })
}

/// The body of a small file at `url` (a `.sha512`, an `.asc`, a `KEYS`): more than `limit` bytes is refused as
/// `what`. The error is one line for a list of what was tried (`404 Not Found`, `HTTP 500`, the network's reason).
pub(crate) async fn get_small(
    client: &reqwest::Client,
    url: &str,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>, String> {
    let resp = client.get(url).send().await.map_err(|e| chain(&e))?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err("404 Not Found".to_string());
    }
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.map_err(|e| chain(&e))?);
        if body.len() > limit {
            return Err(format!("more than {limit} bytes: {what}"));
        }
    }
    Ok(body)
}

/// A finished transfer: the digest and size of the whole file, and whether it continued an earlier partial file.
struct Transferred {
    sha512: Sha512,
    size: u64,
    resumed: bool,
}

/// A failed transfer attempt; `progressed` when trying the same URL again is worthwhile (some bytes arrived and
/// will be resumed, or the partial file was discarded and the next request starts over).
struct Failure {
    error: DownloadError,
    progressed: bool,
}

fn fail(error: DownloadError, progressed: bool) -> Failure {
    Failure { error, progressed }
}

/// One GET of `url` into `part` (resuming what is there), hashing everything in `part`. Returns the digest and size.
async fn transfer(
    client: &reqwest::Client,
    url: &str,
    part: &Path,
    options: &FetchOptions,
    progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
) -> Result<Transferred, Failure> {
    let have = tokio::fs::metadata(part).await.map(|m| m.len()).unwrap_or(0);
    let mut request = client.get(url);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let network = |detail: String| DownloadError::Network { url: url.to_string(), detail };
    let resp = match tokio::time::timeout(options.stall_timeout, request.send()).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(fail(network(chain(&e)), false)),
        Err(_) => return Err(fail(network(format!("no response for {:?}", options.stall_timeout)), false)),
    };
    let status = resp.status();
    let resumed = match status.as_u16() {
        206 if have > 0 && content_range_start(&resp) == Some(have) => true,
        200 => false,
        404 => return Err(fail(DownloadError::NotFound { url: url.into(), tried: vec![url.into()] }, false)),
        206 | 416 if have > 0 => {
            // what we have does not fit the file (longer than it, it changed, or an unasked-for range): start over
            let _ = tokio::fs::remove_file(part).await;
            return Err(fail(network("the partial download did not fit the file; restarting".into()), true));
        }
        s => return Err(fail(DownloadError::Http { url: url.into(), status: s }, false)),
    };
    let mut hasher = Sha512Hasher::new();
    let mut file = if resumed {
        // hash what is already there, then append
        let mut f = tokio::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(part)
            .await
            .map_err(|e| fail(io_err(part, e), false))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).await.map_err(|e| fail(io_err(part, e), false))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        f
    } else {
        tokio::fs::File::create(part).await.map_err(|e| fail(io_err(part, e), false))?
    };
    let mut done = if resumed { have } else { 0 };
    let total = resp.content_length().map(|n| n + done);
    let too_large = || {
        let _ = std::fs::remove_file(part);
        fail(DownloadError::TooLarge { url: url.to_string(), limit: options.max_bytes }, false)
    };
    if total.is_some_and(|t| t > options.max_bytes) || done > options.max_bytes {
        drop(file);
        return Err(too_large());
    }
    progress(done, total);
    let mut stream = resp.bytes_stream();
    let mut progressed = false;
    loop {
        if let Err(e) = options.check_cancel() {
            let _ = file.flush().await;
            return Err(fail(e, progressed));
        }
        let chunk = match tokio::time::timeout(options.stall_timeout, stream.next()).await {
            Ok(Some(Ok(c))) => c,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                let _ = file.flush().await;
                return Err(fail(
                    network(format!("the transfer broke off after {done} bytes: {}", chain(&e))),
                    progressed,
                ));
            }
            Err(_) => {
                let _ = file.flush().await;
                let detail = format!("no data for {:?} after {done} bytes (stalled)", options.stall_timeout);
                return Err(fail(network(detail), progressed));
            }
        };
        if done + chunk.len() as u64 > options.max_bytes {
            drop(file);
            return Err(too_large());
        }
        file.write_all(&chunk).await.map_err(|e| fail(io_err(part, e), progressed))?;
        hasher.update(&chunk);
        done += chunk.len() as u64;
        progressed = true;
        progress(done, total);
    }
    file.flush().await.map_err(|e| fail(io_err(part, e), progressed))?;
    if let Some(t) = total {
        if done < t {
            return Err(fail(network(format!("the transfer ended after {done} of {t} bytes")), progressed));
        }
    }
    Ok(Transferred { sha512: hasher.finish(), size: done, resumed })
}

/// The first byte of a `Content-Range: bytes START-END/SIZE` header.
fn content_range_start(resp: &reqwest::Response) -> Option<u64> {
    let v = resp.headers().get(reqwest::header::CONTENT_RANGE)?.to_str().ok()?;
    v.strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests;
