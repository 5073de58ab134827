//! The trusted SHA-512 of a release: the caller's pin, Apache's `.sha512` from the first checksum URL that answers
//! (never a mirror's: the caller gives the URLs), or `<file>.sha512` beside an offline tarball.

use super::{get_small, DownloadError, FetchOptions, ReleaseSource};
use crate::verify::{parse_sha512_file, Sha512};
use std::path::Path;

/// The trusted checksum of `source`: its pin, else the first checksum URL that answers.
pub(crate) async fn trusted_checksum(
    client: &reqwest::Client,
    source: &ReleaseSource,
    options: &FetchOptions,
) -> Result<Sha512, DownloadError> {
    match &source.pinned {
        Some(sum) => Ok(sum.clone()),
        None => fetch_checksum(client, source, options, None).await,
    }
}

/// The trusted checksum of a local tarball: `<file>.sha512` beside it, else the first checksum URL that answers.
pub(crate) async fn local_checksum(
    client: &reqwest::Client,
    source: &ReleaseSource,
    local: &Path,
    options: &FetchOptions,
) -> Result<Sha512, DownloadError> {
    let local_name = local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sidecar = local.with_file_name(format!("{local_name}.sha512"));
    if sidecar.is_file() {
        let text = tokio::fs::read_to_string(&sidecar).await.map_err(|e| super::io_err(&sidecar, e))?;
        parse_sha512_file(&text, &source.file_name).or_else(|_| parse_sha512_file(&text, &local_name)).map_err(|e| {
            DownloadError::ChecksumUnavailable { urls: vec![sidecar.display().to_string()], detail: e.to_string() }
        })
    } else {
        fetch_checksum(client, source, options, Some(&sidecar)).await
    }
}

/// The first checksum URL that answers with a parseable `.sha512` for `source.file_name`.
async fn fetch_checksum(
    client: &reqwest::Client,
    source: &ReleaseSource,
    options: &FetchOptions,
    sidecar: Option<&Path>,
) -> Result<Sha512, DownloadError> {
    let mut urls: Vec<String> = sidecar.map(|p| p.display().to_string()).into_iter().collect();
    urls.extend(source.checksum_urls.iter().cloned());
    let mut details = Vec::new();
    if let Some(p) = sidecar {
        details.push(format!("{}: no such file", p.display()));
    }
    if source.checksum_urls.is_empty() {
        details.push("no checksum URL given".into());
    }
    for url in &source.checksum_urls {
        options.check_cancel()?;
        let text = get_small(client, url, MAX_CHECKSUM_FILE, "not a checksum file");
        let text = match tokio::time::timeout(options.stall_timeout, text).await {
            Ok(Ok(t)) => String::from_utf8_lossy(&t).into_owned(),
            Ok(Err(e)) => {
                details.push(format!("{url}: {e}"));
                continue;
            }
            Err(_) => {
                details.push(format!("{url}: no answer for {:?}", options.stall_timeout));
                continue;
            }
        };
        match parse_sha512_file(&text, &source.file_name) {
            Ok(sum) => return Ok(sum),
            Err(e) => details.push(format!("{url}: {e}")),
        }
    }
    Err(DownloadError::ChecksumUnavailable { urls, detail: details.join("; ") })
}

/// A `.sha512` file is about 200 bytes; anything far bigger is not one.
const MAX_CHECKSUM_FILE: usize = 64 * 1024;
