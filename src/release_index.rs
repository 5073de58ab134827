//! Releases discovered on an Apache-style download index (`kafka-wizard versions --refresh`): reading the
//! directory listing of the Apache dist server or a mirror (`<a href="3.9.1/">`), caching what it lists in the
//! user's cache directory (`<cache>/kafka-wizard/releases/index.json`, directory 0700, file 0600, with the date),
//! and telling each discovered version's standing against the catalog.
//!
//! Discovery only widens what is *listed*: validation accepts an unknown patch release of a known line anyway
//! (`catalog::lookup`), and every release, discovered or not, is verified against Apache's `.sha512` when fetched.

use crate::catalog::{self, Lookup, Version};
use crate::download::{chain, Cache};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An index page is a few KiB; anything far bigger is not one.
const MAX_INDEX_PAGE: usize = 4 * 1024 * 1024;
/// The whole request (connect, headers and body) must be done in this time.
const INDEX_TIMEOUT: Duration = Duration::from_secs(30);

/// What one `--refresh` found, as cached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    /// The index read (the base URL, e.g. `https://downloads.apache.org/kafka`).
    pub source: String,
    /// When, as `YYYY-MM-DD` (UTC).
    pub date: String,
    /// When, in seconds since the Unix epoch.
    pub fetched_at: u64,
    /// Every release directory the index listed, oldest first.
    pub versions: Vec<String>,
}

/// A discovered version against this build's catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// In the catalog: facts verified when the wizard was built.
    Catalog,
    /// A patch release of a known line: usable, with that line's facts (validation warns).
    PatchOfKnownLine { line: Version },
    /// A line this build does not know: not usable until the wizard is updated.
    UnknownLine,
}

/// How `version` stands against the catalog.
pub fn standing(version: Version) -> Standing {
    match catalog::lookup(version) {
        Lookup::Known(_) => Standing::Catalog,
        Lookup::UnknownPatch { line, .. } => Standing::PatchOfKnownLine { line: line.version },
        Lookup::Unknown => Standing::UnknownLine,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "{url}: {detail} — check the URL (an Apache-style directory index such as https://downloads.apache.org/kafka/)"
    )]
    Fetch { url: String, detail: String },
    #[error(
        "{url} lists no release directory (no `<a href=\"x.y.z/\">`) — is it the Kafka directory of an Apache mirror?"
    )]
    NoReleases { url: String },
    #[error("the release cache {path}: {detail}")]
    Cache { path: PathBuf, detail: String },
}

/// The release versions an Apache-style index page links to as directories (`href="3.9.1/"`, also absolute or
/// `./` links), sorted and without duplicates; every other link (files, parent, sort links, RCs) is ignored.
pub fn parse_index(html: &str) -> Vec<Version> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = find_ascii_ci(rest, "href=") {
        rest = &rest[at + 5..];
        let (quote, body) = match rest.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => (q as char, &rest[1..]),
            _ => (' ', rest),
        };
        let end = body.find(|c: char| c == quote || c == '>' || (quote == ' ' && c.is_whitespace()));
        let Some(end) = end else { break };
        let link = &body[..end];
        rest = &body[end..];
        let Some(dir) = link.strip_suffix('/') else { continue };
        if let Some(version) = Version::parse(dir.rsplit('/').next().unwrap_or(dir)) {
            found.push(version);
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads the index at `base` (`<base>/`) and returns what it lists.
pub async fn fetch_index(base: &str) -> Result<Vec<Version>, IndexError> {
    let url = format!("{}/", base.trim_end_matches('/'));
    let fail = |detail: String| IndexError::Fetch { url: url.clone(), detail };
    let client = reqwest::Client::builder().timeout(INDEX_TIMEOUT).build().map_err(|e| fail(e.to_string()))?;
    let mut resp = client.get(&url).send().await.map_err(|e| fail(chain(&e)))?;
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP {}", resp.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| fail(chain(&e)))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_INDEX_PAGE {
            return Err(fail(format!("more than {MAX_INDEX_PAGE} bytes: not an index page")));
        }
    }
    let versions = parse_index(&String::from_utf8_lossy(&body));
    if versions.is_empty() {
        return Err(IndexError::NoReleases { url });
    }
    Ok(versions)
}

impl Discovered {
    /// What `source` listed, stamped with the current time.
    pub fn now(source: &str, versions: &[Version]) -> Discovered {
        let fetched_at =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        let date = time::OffsetDateTime::from_unix_timestamp(fetched_at as i64)
            .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
            .unwrap_or_else(|_| "unknown".into());
        let versions = versions.iter().map(Version::to_string).collect();
        Discovered { source: source.trim_end_matches('/').to_string(), date, fetched_at, versions }
    }

    /// The cached versions that parse, oldest first.
    pub fn parsed(&self) -> Vec<Version> {
        let mut versions: Vec<Version> = self.versions.iter().filter_map(|v| Version::parse(v)).collect();
        versions.sort();
        versions.dedup();
        versions
    }
}

/// Where `--refresh` caches what it found: `<user cache>/kafka-wizard/releases/index.json`; `None` without a
/// per-user cache directory (`Cache::default_dir`).
pub fn cache_file() -> Option<PathBuf> {
    Cache::default_dir().map(|dir| dir.join("releases").join("index.json"))
}

/// Writes `found` to `path` (its directory made 0700, the file 0600, replaced atomically).
pub fn save(path: &Path, found: &Discovered) -> Result<(), IndexError> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let fail = |e: std::io::Error| IndexError::Cache { path: path.to_path_buf(), detail: e.to_string() };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(fail)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    let temp = path.with_extension("json.part");
    let _ = std::fs::remove_file(&temp);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp).map_err(fail)?;
    let text = serde_json::to_string_pretty(found).expect("the cache serialises");
    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(fail)?;
    std::fs::rename(&temp, path).map_err(fail)
}

/// The cached discovery, `None` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Discovered>, IndexError> {
    let fail = |detail: String| IndexError::Cache { path: path.to_path_buf(), detail };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| fail(format!("{e} — run `kafka-wizard versions --refresh`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of https://downloads.apache.org/kafka/ (Apache httpd's fancy index), trimmed.
    const APACHE_INDEX: &str = r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /kafka</title></head><body><h1>Index of /kafka</h1>
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>  <a href="?C=M;O=A">Last modified</a><hr>
<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/">Parent Directory</a>                        -
<img src="/icons/folder.gif" alt="[DIR]"> <a href="3.9.1/">3.9.1/</a>       2025-05-20 11:42    -
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.1.0/">4.1.0/</a>       2025-09-02 09:10    -
<img src="/icons/folder.gif" alt="[DIR]"> <a href="3.9.7/">3.9.7/</a>       2026-11-02 09:10    -
<img src="/icons/unknown.gif" alt="[   ]"> <a href="KEYS">KEYS</a>         2025-10-01 08:00  120K
</pre><hr></body></html>"#;

    fn versions(html: &str) -> Vec<String> {
        parse_index(html).iter().map(Version::to_string).collect()
    }

    #[test]
    fn an_apache_index_yields_its_release_directories_sorted() {
        assert_eq!(versions(APACHE_INDEX), ["3.9.1", "3.9.7", "4.1.0"]);
    }

    #[test]
    fn files_parents_sort_links_and_non_release_directories_are_ignored() {
        let html = r#"<a href="kafka_2.13-4.1.0.tgz">t</a> <a href="../">up</a> <a href="?C=S;O=A">s</a>
            <a href="4.1.0-rc1/">rc</a> <a href="4.1/">line</a> <a href="KEYS">k</a> <a href="4.1.0">no slash</a>"#;
        assert!(parse_index(html).is_empty(), "{:?}", parse_index(html));
    }

    #[test]
    fn single_quoted_unquoted_absolute_and_upper_case_links_count_once_each() {
        let html = "<A HREF='2.8.2/'>a</A> <a href=3.0.0/>b</a> <a href=\"/dist/kafka/4.0.0/\">c</a> \
                    <a href=\"./4.0.0/\">dup</a> <a href=\"3.0.0/\">dup</a>";
        assert_eq!(versions(html), ["2.8.2", "3.0.0", "4.0.0"]);
    }

    #[test]
    fn a_page_cut_off_inside_a_link_keeps_what_came_before() {
        assert_eq!(versions("<a href=\"3.9.1/\">x</a><a href=\"3.9"), ["3.9.1"]);
    }

    #[test]
    fn each_version_stands_as_catalog_patch_of_a_known_line_or_unknown_line() {
        assert_eq!(standing(Version::new(3, 9, 1)), Standing::Catalog);
        assert_eq!(standing(Version::new(3, 9, 7)), Standing::PatchOfKnownLine { line: Version::new(3, 9, 2) });
        assert_eq!(standing(Version::new(4, 99, 0)), Standing::UnknownLine);
    }

    #[test]
    fn the_cache_is_private_dated_and_read_back_as_written() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kafka-wizard/releases/index.json");
        assert_eq!(load(&path).unwrap(), None);
        let found = Discovered::now("http://mirror.example/kafka/", &parse_index(APACHE_INDEX));
        save(&path, &found).unwrap();
        save(&path, &found).unwrap(); // replaced, not appended
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(path.parent().unwrap()), mode(&path)), (0o700, 0o600));
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back, found);
        assert_eq!(back.source, "http://mirror.example/kafka");
        assert_eq!(back.date.len(), 10, "{}", back.date);
        assert_eq!(back.parsed(), parse_index(APACHE_INDEX));
    }
}
