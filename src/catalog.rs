//! The version catalog: every Apache Kafka release from 2.0.0 on that the wizard knows, with its Scala builds,
//! which coordination modes it supports, the Java it needs, whether it was withdrawn, and where Apache serves it.
//!
//! Facts come from `docs/facts/kafka.md` §1 and §3 (Apache's downloads page, release notes and
//! compatibility pages). Download URLs: releases still on the main distribution server are tried there first;
//! every release is also on `archive.apache.org/dist/kafka` forever, so that is always the fallback. Checksums and
//! signatures are always taken from Apache itself (never from a mirror).

pub mod agent;

use serde::Serialize;
use std::fmt;
use ts_rs::TS;

/// The main ASF distribution server: holds only the current releases.
pub const APACHE_DOWNLOADS: &str = "https://downloads.apache.org/kafka";
/// The ASF archive: holds every release ever published.
pub const APACHE_ARCHIVE: &str = "https://archive.apache.org/dist/kafka";

/// A release number `major.minor.patch`, ordered numerically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct Version {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Version { major, minor, patch }
    }

    /// Parses `"3.9.1"`; anything else (missing parts, signs, suffixes) is `None`.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.split('.');
        let mut next = || -> Option<u16> {
            let part = parts.next()?;
            if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let version = Version::new(next()?, next()?, next()?);
        if parts.next().is_some() {
            return None;
        }
        Some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

/// How far KRaft had come in a release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum KraftSupport {
    /// Not in the release at all.
    None,
    /// 2.8: early access, not for production.
    EarlyAccess,
    /// 3.0–3.2: preview, not for production.
    Preview,
    /// 3.3.1 on: production ready for new clusters.
    Production,
}

/// Java versions a release runs on: `min` is required, `max` is the newest the Kafka docs list as supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
pub struct JavaRange {
    pub min: u16,
    pub max: u16,
}

/// One Apache Kafka release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Release {
    #[ts(as = "String")]
    pub version: Version,
    /// Scala builds published as binary tarballs (`kafka_<scala>-<version>.tgz`).
    pub scala: &'static [&'static str],
    pub zookeeper: bool,
    pub kraft: KraftSupport,
    pub java: JavaRange,
    /// Pulled by the Kafka project after release ("It is recommended that … not be used").
    pub withdrawn: bool,
    /// Still on downloads.apache.org (the newest of each supported line); others live only on the archive.
    pub current: bool,
}

/// The Scala build used when the project file does not name one.
pub const DEFAULT_SCALA: &str = "2.13";

impl Release {
    pub fn supports_scala(&self, scala: &str) -> bool {
        self.scala.contains(&scala)
    }

    /// `kafka_<scala>-<version>.tgz`, the tarball's file name (and, without `.tgz`, its top-level directory).
    pub fn tarball_name(&self, scala: &str) -> String {
        format!("{}.tgz", self.dist_dir_name(scala))
    }

    /// `kafka_<scala>-<version>`: the directory the tarball unpacks to.
    pub fn dist_dir_name(&self, scala: &str) -> String {
        format!("kafka_{}-{}", scala, self.version)
    }

    /// Where to download the tarball from, in order: the main server (current releases only), then the archive.
    pub fn tarball_urls(&self, scala: &str) -> Vec<String> {
        self.apache_urls(&self.tarball_name(scala))
    }

    /// Where Apache publishes the tarball's `.sha512`, in the same order as [`Release::tarball_urls`].
    pub fn checksum_urls(&self, scala: &str) -> Vec<String> {
        self.apache_urls(&format!("{}.sha512", self.tarball_name(scala)))
    }

    /// Where Apache publishes the tarball's detached signature (`.asc`).
    pub fn signature_urls(&self, scala: &str) -> Vec<String> {
        self.apache_urls(&format!("{}.asc", self.tarball_name(scala)))
    }

    /// Apache's URLs for a file of this release's directory: the main server (current releases), then the archive.
    pub fn apache_urls(&self, file: &str) -> Vec<String> {
        let mut urls = Vec::with_capacity(2);
        if self.current {
            urls.push(format!("{APACHE_DOWNLOADS}/{}/{file}", self.version));
        }
        urls.push(format!("{APACHE_ARCHIVE}/{}/{file}", self.version));
        urls
    }

    /// The coordination mode used when the project file does not say: KRaft where it is the only mode,
    /// ZooKeeper where KRaft is not production ready; `None` where both are (3.3–3.9) and the user must choose.
    pub fn default_mode_is_kraft(&self) -> Option<bool> {
        match (self.zookeeper, self.kraft) {
            (false, _) => Some(true),
            (true, KraftSupport::Production) => None,
            (true, _) => Some(false),
        }
    }
}

const S_211_212: &[&str] = &["2.11", "2.12"];
const S_211_212_213: &[&str] = &["2.11", "2.12", "2.13"];
const S_212_213: &[&str] = &["2.12", "2.13"];
const S_213: &[&str] = &["2.13"];

const fn release(
    version: (u16, u16, u16),
    scala: &'static [&'static str],
    kraft: KraftSupport,
    java: (u16, u16),
) -> Release {
    Release {
        version: Version::new(version.0, version.1, version.2),
        scala,
        zookeeper: version.0 < 4,
        kraft,
        java: JavaRange { min: java.0, max: java.1 },
        withdrawn: false,
        current: false,
    }
}

const fn withdrawn(mut r: Release) -> Release {
    r.withdrawn = true;
    r
}

const fn current(mut r: Release) -> Release {
    r.current = true;
    r
}

use KraftSupport::{EarlyAccess, Preview, Production};
const NO_KRAFT: KraftSupport = KraftSupport::None;

/// Every known release, oldest first.
pub static RELEASES: &[Release] = &[
    release((2, 0, 0), S_211_212, NO_KRAFT, (8, 8)),
    release((2, 0, 1), S_211_212, NO_KRAFT, (8, 8)),
    release((2, 1, 0), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 1, 1), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 2, 0), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 2, 1), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 2, 2), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 3, 0), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 3, 1), S_211_212, NO_KRAFT, (8, 11)),
    release((2, 4, 0), S_211_212_213, NO_KRAFT, (8, 11)),
    release((2, 4, 1), S_211_212_213, NO_KRAFT, (8, 11)),
    release((2, 5, 0), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 5, 1), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 6, 0), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 6, 1), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 6, 2), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 6, 3), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 7, 0), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 7, 1), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 7, 2), S_212_213, NO_KRAFT, (8, 11)),
    release((2, 8, 0), S_212_213, EarlyAccess, (8, 11)),
    release((2, 8, 1), S_212_213, EarlyAccess, (8, 11)),
    release((2, 8, 2), S_212_213, EarlyAccess, (8, 11)),
    release((3, 0, 0), S_212_213, Preview, (8, 11)),
    release((3, 0, 1), S_212_213, Preview, (8, 11)),
    release((3, 0, 2), S_212_213, Preview, (8, 11)),
    release((3, 1, 0), S_212_213, Preview, (8, 17)),
    release((3, 1, 1), S_212_213, Preview, (8, 17)),
    release((3, 1, 2), S_212_213, Preview, (8, 17)),
    release((3, 2, 0), S_212_213, Preview, (8, 17)),
    release((3, 2, 1), S_212_213, Preview, (8, 17)),
    withdrawn(release((3, 2, 2), S_212_213, Preview, (8, 17))),
    release((3, 2, 3), S_212_213, Preview, (8, 17)),
    withdrawn(release((3, 3, 0), S_212_213, Production, (8, 17))),
    release((3, 3, 1), S_212_213, Production, (8, 17)),
    release((3, 3, 2), S_212_213, Production, (8, 17)),
    release((3, 4, 0), S_212_213, Production, (8, 17)),
    release((3, 4, 1), S_212_213, Production, (8, 17)),
    release((3, 5, 0), S_212_213, Production, (8, 17)),
    release((3, 5, 1), S_212_213, Production, (8, 17)),
    release((3, 5, 2), S_212_213, Production, (8, 17)),
    release((3, 6, 0), S_212_213, Production, (8, 17)),
    release((3, 6, 1), S_212_213, Production, (8, 17)),
    release((3, 6, 2), S_212_213, Production, (8, 17)),
    release((3, 7, 0), S_212_213, Production, (8, 21)),
    release((3, 7, 1), S_212_213, Production, (8, 21)),
    release((3, 7, 2), S_212_213, Production, (8, 21)),
    release((3, 8, 0), S_212_213, Production, (8, 21)),
    release((3, 8, 1), S_212_213, Production, (8, 21)),
    release((3, 9, 0), S_212_213, Production, (8, 21)),
    release((3, 9, 1), S_212_213, Production, (8, 21)),
    current(release((3, 9, 2), S_212_213, Production, (8, 21))),
    release((4, 0, 0), S_213, Production, (17, 23)),
    release((4, 0, 1), S_213, Production, (17, 23)),
    release((4, 0, 2), S_213, Production, (17, 23)),
    release((4, 1, 0), S_213, Production, (17, 23)),
    release((4, 1, 1), S_213, Production, (17, 23)),
    release((4, 1, 2), S_213, Production, (17, 23)),
    release((4, 2, 0), S_213, Production, (17, 25)),
    release((4, 2, 1), S_213, Production, (17, 25)),
    current(release((4, 2, 2), S_213, Production, (17, 25))),
    release((4, 3, 0), S_213, Production, (17, 25)),
    current(release((4, 3, 1), S_213, Production, (17, 25))),
    current(release((4, 4, 0), S_213, Production, (17, 25))),
];

/// The release with this exact version, if the catalog knows it.
pub fn find(version: Version) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.version == version)
}

/// The newest non-withdrawn release of the same `major.minor` line, to suggest when a version is unknown.
pub fn newest_in_line(major: u16, minor: u16) -> Option<&'static Release> {
    RELEASES.iter().rev().find(|r| r.version.major == major && r.version.minor == minor && !r.withdrawn)
}

/// What the catalog says about a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// In the catalog.
    Known(&'static Release),
    /// Not in the catalog, but its `major.minor` line is (a patch release newer than this build, or one the catalog
    /// missed): `release` carries the line's facts (Scala builds, modes, Java) from `line`, its newest good release.
    /// Its checksum is verified exactly like a known one's: Apache's `.sha512`, never a mirror's or a pinned value.
    UnknownPatch { release: &'static Release, line: &'static Release },
    /// Neither the release nor its line is known.
    Unknown,
}

impl Lookup {
    /// The release to use (known, or a patch release with its line's facts); `None` when unknown.
    pub fn release(self) -> Option<&'static Release> {
        match self {
            Lookup::Known(r) | Lookup::UnknownPatch { release: r, .. } => Some(r),
            Lookup::Unknown => None,
        }
    }
}

/// Looks `version` up: known, a patch release of a known line (see [`Lookup::UnknownPatch`]), or unknown.
pub fn lookup(version: Version) -> Lookup {
    if let Some(known) = find(version) {
        return Lookup::Known(known);
    }
    match newest_in_line(version.major, version.minor) {
        Some(line) => Lookup::UnknownPatch { release: patch_of_line(version, line), line },
        None => Lookup::Unknown,
    }
}

/// The known release or a patch release of a known line; `None` when unknown (see [`lookup`]).
pub fn release_for(version: Version) -> Option<&'static Release> {
    lookup(version).release()
}

/// A release entry for an unknown patch of `line`'s line, made once per version and kept for the process's life
/// (the spec holds `&'static Release`; a process sees a handful of versions at most).
fn patch_of_line(version: Version, line: &'static Release) -> &'static Release {
    static MADE: std::sync::Mutex<Vec<&'static Release>> = std::sync::Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(r) = made.iter().find(|r| r.version == version) {
        return r;
    }
    let release: &'static Release = Box::leak(Box::new(Release {
        version,
        withdrawn: false,
        // Newer than the line's newest known: on the main server while current (the archive is the fallback anyway).
        current: version > line.version,
        ..line.clone()
    }));
    made.push(release);
    release
}

/// The known `major.minor` lines, compact per major: `"2.0–2.8, 3.0–3.9, 4.0–4.4"` (for messages).
pub fn known_lines() -> String {
    let mut spans: Vec<(u16, u16, u16)> = Vec::new(); // (major, first minor, last minor)
    for r in RELEASES {
        let Version { major, minor, .. } = r.version;
        match spans.last_mut() {
            Some(span) if span.0 == major => span.2 = minor,
            _ => spans.push((major, minor, minor)),
        }
    }
    let shown: Vec<String> = spans
        .iter()
        .map(
            |&(major, first, last)| {
                if first == last {
                    format!("{major}.{first}")
                } else {
                    format!("{major}.{first}–{major}.{last}")
                }
            },
        )
        .collect();
    shown.join(", ")
}

/// The newest release overall (what a new project should default to).
pub fn newest() -> &'static Release {
    RELEASES.last().expect("the catalog is not empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_sorted_and_has_no_duplicates() {
        for pair in RELEASES.windows(2) {
            assert!(pair[0].version < pair[1].version, "{} then {}", pair[0].version, pair[1].version);
        }
    }

    #[test]
    fn versions_parse_only_in_three_numeric_parts() {
        assert_eq!(Version::parse("3.9.1"), Some(Version::new(3, 9, 1)));
        for bad in ["3.9", "3.9.1.0", "3.9.x", "", "-1.0.0", "3..1", " 3.9.1", "3.9.1-rc1", "99999.0.0"] {
            assert_eq!(Version::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zookeeper_mode_ends_with_the_3_x_line_and_kraft_is_production_from_3_3() {
        for r in RELEASES {
            assert_eq!(r.zookeeper, r.version.major < 4, "{}", r.version);
            let production = r.kraft == KraftSupport::Production;
            assert_eq!(production, r.version >= Version::new(3, 3, 0), "{}", r.version);
        }
    }

    #[test]
    fn kafka_4_is_published_for_scala_2_13_only() {
        let r = find(Version::new(4, 0, 0)).unwrap();
        assert_eq!(r.scala, &["2.13"]);
        assert_eq!(r.java.min, 17);
        assert!(!find(Version::new(2, 3, 1)).unwrap().supports_scala("2.13"));
        assert!(find(Version::new(2, 4, 0)).unwrap().supports_scala("2.13"));
    }

    #[test]
    fn archived_releases_are_downloaded_from_the_archive_only() {
        let r = find(Version::new(2, 8, 0)).unwrap();
        assert_eq!(r.tarball_urls("2.13"), vec!["https://archive.apache.org/dist/kafka/2.8.0/kafka_2.13-2.8.0.tgz"]);
        assert_eq!(
            r.checksum_urls("2.13"),
            vec!["https://archive.apache.org/dist/kafka/2.8.0/kafka_2.13-2.8.0.tgz.sha512"]
        );
    }

    #[test]
    fn current_releases_try_the_main_server_before_the_archive() {
        let r = find(Version::new(3, 9, 2)).unwrap();
        assert_eq!(
            r.tarball_urls("2.13"),
            vec![
                "https://downloads.apache.org/kafka/3.9.2/kafka_2.13-3.9.2.tgz",
                "https://archive.apache.org/dist/kafka/3.9.2/kafka_2.13-3.9.2.tgz",
            ]
        );
    }

    #[test]
    fn the_withdrawn_releases_are_3_2_2_and_3_3_0() {
        let withdrawn: Vec<String> = RELEASES.iter().filter(|r| r.withdrawn).map(|r| r.version.to_string()).collect();
        assert_eq!(withdrawn, ["3.2.2", "3.3.0"]);
    }

    #[test]
    fn an_unknown_patch_of_a_known_line_takes_the_lines_facts_and_is_made_once() {
        let Lookup::UnknownPatch { release, line } = lookup(Version::new(3, 9, 7)) else { panic!("not a patch") };
        assert_eq!(line.version, Version::new(3, 9, 2));
        assert_eq!(release.version, Version::new(3, 9, 7));
        assert_eq!(
            (release.scala, release.zookeeper, release.kraft, release.java),
            (line.scala, true, line.kraft, line.java)
        );
        assert!(!release.withdrawn && release.current);
        assert!(std::ptr::eq(release, release_for(Version::new(3, 9, 7)).unwrap()), "made once, then reused");
        assert_eq!(
            release.checksum_urls("2.13"),
            [
                "https://downloads.apache.org/kafka/3.9.7/kafka_2.13-3.9.7.tgz.sha512",
                "https://archive.apache.org/dist/kafka/3.9.7/kafka_2.13-3.9.7.tgz.sha512"
            ]
        );
    }

    #[test]
    fn a_new_patch_of_an_old_line_is_tried_on_the_main_server_then_the_archive_and_known_ones_stay_the_catalogs() {
        let r = release_for(Version::new(3, 3, 9)).unwrap();
        assert_eq!(r.tarball_urls("2.12").len(), 2);
        assert_eq!(r.java, find(Version::new(3, 3, 2)).unwrap().java);
        let r = release_for(Version::new(2, 8, 1)).unwrap();
        assert!(std::ptr::eq(r, find(Version::new(2, 8, 1)).unwrap()), "a known release is the catalog's own");
    }

    #[test]
    fn the_known_lines_are_spans_per_major() {
        assert_eq!(known_lines(), "2.0–2.8, 3.0–3.9, 4.0–4.4");
    }

    #[test]
    fn a_version_of_an_unknown_line_is_unknown() {
        for v in [Version::new(3, 10, 0), Version::new(9, 0, 0), Version::new(1, 1, 1)] {
            assert_eq!(lookup(v), Lookup::Unknown, "{v}");
        }
    }

    #[test]
    fn the_default_mode_follows_what_the_release_supports() {
        assert_eq!(find(Version::new(2, 8, 0)).unwrap().default_mode_is_kraft(), Some(false));
        assert_eq!(find(Version::new(3, 9, 1)).unwrap().default_mode_is_kraft(), None);
        assert_eq!(find(Version::new(4, 1, 0)).unwrap().default_mode_is_kraft(), Some(true));
    }
}
