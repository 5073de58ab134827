//! The Kafka releases of the test world: release-shaped tarballs assembled from Maven Central by
//! `tests/world/assemble-kafka.sh` (cached), and their SHA-512 checksums.

use super::run_script_ok;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The 3.x release of the test world (ZooKeeper mode and KRaft): the newest 3.9.x on Maven Central.
pub const KAFKA_3: &str = "3.9.2";
/// An earlier 3.9.x, to move a running `KAFKA_3` cluster to (a version relink within 3.9: same inter-broker
/// protocol, so no other setting changes).
pub const KAFKA_3_EARLIER: &str = "3.9.1";
/// The 4.x release of the test world (KRaft only).
pub const KAFKA_4: &str = "4.1.1";
/// The `jvm_opts` line of the test projects' `[kafka]` and `[zookeeper]`: C1 only, which spares the shared 2-core
/// test machine a third of each JVM's start-up CPU and two fifths of its idle CPU (docs/facts/kafka.md §35). The
/// fan-out test and the app's password-and-cancel install keep the release's defaults, so those stay proven too.
pub const JVM_OPTS: &str = "jvm_opts = [\"-XX:TieredStopAtLevel=1\"]";
/// Every release `tests/world/prepare.sh` assembles.
pub const RELEASES: [&str; 3] = [KAFKA_3_EARLIER, KAFKA_3, KAFKA_4];

/// A Kafka release tarball in the cache.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    /// Absolute path of `kafka_2.13-<version>.tgz` in /var/cache/kafka-wizard-tests/releases/.
    pub tarball: PathBuf,
}

impl Release {
    /// `kafka_2.13-<version>.tgz`
    pub fn file_name(&self) -> String {
        format!("kafka_2.13-{}.tgz", self.version)
    }
    /// `kafka_2.13-<version>` (the tarball's top directory).
    pub fn top_dir(&self) -> String {
        format!("kafka_2.13-{}", self.version)
    }
    /// The path on an Apache mirror: `/kafka/<v>/kafka_2.13-<v>.tgz`.
    pub fn mirror_path(&self) -> String {
        format!("/kafka/{}/{}", self.version, self.file_name())
    }
}

/// The cached release tarball of `version` (assembled from Maven Central on first use).
pub fn release(version: &str) -> Release {
    let out = run_script_ok("assemble-kafka.sh", &[version]);
    let last = out.lines().rev().map(str::trim).find(|l| l.starts_with('/')).unwrap_or("");
    let tarball = PathBuf::from(last);
    assert!(tarball.is_file(), "assemble-kafka.sh {version} printed no tarball path: {out}");
    Release { version: version.to_string(), tarball }
}

/// Every release of the test world.
pub fn releases() -> Vec<Release> {
    RELEASES.iter().map(|v| release(v)).collect()
}

/// The SHA-512 hex digest of a file (lowercase), via coreutils `sha512sum`.
pub fn sha512_hex(path: &Path) -> String {
    let out = Command::new("sha512sum").arg(path).output().expect("run sha512sum");
    assert!(out.status.success(), "sha512sum {}", path.display());
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string()
}

/// Parse an Apache `.sha512` file: gpg `--print-md` style (`name: 8-hex groups`, wrapped) or
/// `sha512sum` style (`hex  name`). Returns the lowercase 128-hex digest. The formats: docs/facts/kafka.md §2.
pub fn parse_sha512_file(text: &str) -> Option<String> {
    let hex: String = match text.split_once(':') {
        Some((_, rest)) => rest.chars().filter(|c| !c.is_ascii_whitespace()).collect(),
        None => text.split_whitespace().next()?.to_string(),
    };
    let hex = hex.to_ascii_lowercase();
    (hex.len() == 128 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}
