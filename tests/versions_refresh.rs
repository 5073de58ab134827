//! `kafka-wizard versions --refresh` against the project's real Apache-shaped mirror (`tests/world/mirror.py`,
//! python3 only, no root): the index it serves is read, cached privately with the date, and `versions` then lists
//! the catalog and the discovered releases, each marked.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::world::{Mirror, Release};

/// Release-named placeholder tarballs (the index only lists directories; nothing is downloaded).
fn published(dir: &Path, versions: &[&str]) -> Vec<Release> {
    versions
        .iter()
        .map(|v| {
            let tarball = dir.join(format!("kafka_2.13-{v}.tgz"));
            std::fs::write(&tarball, format!("not really kafka {v}")).unwrap();
            Release { version: v.to_string(), tarball }
        })
        .collect()
}

fn wizard(cache_home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-wizard")).args(args).env("XDG_CACHE_HOME", cache_home).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn refresh_reads_the_projects_mirror_index_caches_it_privately_and_versions_marks_catalog_and_discovered() {
    let files = tempfile::tempdir().unwrap();
    let releases = published(files.path(), &["3.9.2", "3.9.7", "4.1.1", "4.99.0"]);
    let mirror = Mirror::start(&releases.iter().collect::<Vec<_>>());
    let project = files.path().join("cluster.toml");
    let fixture = std::fs::read_to_string("tests/fixtures/seed-cluster.toml").unwrap();
    let with_mirror = fixture.replacen("[kafka]\n", &format!("[kafka]\nmirror = \"{}/kafka\"\n", mirror.base_url()), 1);
    std::fs::write(&project, with_mirror).unwrap();
    let cache_home = tempfile::tempdir().unwrap();

    let o = wizard(cache_home.path(), &["versions", "--refresh", "--project", project.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("lists 4 release(s), 2 not in this build's catalog"), "{}", text(&o.stderr));
    assert!(mirror.request_log().contains("\"/kafka/\""), "{}", mirror.request_log());

    let cache = cache_home.path().join("kafka-wizard/releases/index.json");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(cache.parent().unwrap()), mode(&cache)), (0o700, 0o600));
    let cached: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(cached["source"], format!("{}/kafka", mirror.base_url()));
    assert_eq!(cached["versions"], serde_json::json!(["3.9.2", "3.9.7", "4.1.1", "4.99.0"]));
    assert_eq!(cached["date"].as_str().unwrap().len(), 10);

    // Later, without --refresh (and with the mirror gone): the cache is what is listed.
    drop(mirror);
    let o = wizard(cache_home.path(), &["versions"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let row =
        |v: &str| out.lines().find(|l| l.starts_with(&format!("{v} "))).unwrap_or_else(|| panic!("no {v}: {out}"));
    assert!(row("3.9.2").contains(" catalog "), "{out}");
    assert!(row("3.9.7").contains(" discovered ") && row("3.9.7").contains("facts taken from 3.9.2"), "{out}");
    assert!(row("3.9.7").contains("2.12, 2.13") && row("3.9.7").contains("8–21"), "{out}");
    assert!(row("4.99.0").contains("not usable until the wizard is updated"), "{out}");
    assert!(row("2.8.0").contains(" catalog "), "{out}");
    assert!(out.contains("discovered: listed by http://127.0.0.1:"), "{out}");

    let o = wizard(cache_home.path(), &["versions", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entry = |v: &str| all.as_array().unwrap().iter().find(|r| r["version"] == v).unwrap().clone();
    assert_eq!(
        (entry("3.9.7")["known"].as_str(), entry("3.9.7")["usable"].as_bool()),
        (Some("discovered"), Some(true))
    );
    assert_eq!(
        entry("3.9.7")["downloads"]["2.13"]["sha512"][1],
        "https://archive.apache.org/dist/kafka/3.9.7/kafka_2.13-3.9.7.tgz.sha512"
    );
    assert_eq!(entry("4.99.0")["usable"], false);
    assert_eq!(entry("4.1.1")["known"], "catalog");
}

#[test]
fn refresh_from_an_address_that_is_not_a_release_index_fails_and_keeps_the_previous_cache() {
    let files = tempfile::tempdir().unwrap();
    let releases = published(files.path(), &["4.1.1"]);
    let mirror = Mirror::start(&releases.iter().collect::<Vec<_>>());
    let cache_home = tempfile::tempdir().unwrap();
    let base = format!("{}/kafka", mirror.base_url());
    assert!(wizard(cache_home.path(), &["versions", "--refresh", "--from", &base]).status.success());

    let o = wizard(cache_home.path(), &["versions", "--refresh", "--from", &format!("{base}/4.1.1")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("lists no release directory"), "{}", text(&o.stderr));
    let o = wizard(cache_home.path(), &["versions", "--refresh", "--from", &format!("{base}/no-such-dir")]);
    assert!(text(&o.stderr).contains("HTTP 404"), "{}", text(&o.stderr));

    let cache = cache_home.path().join("kafka-wizard/releases/index.json");
    let cached: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(cache).unwrap()).unwrap();
    assert_eq!(cached["versions"], serde_json::json!(["4.1.1"]));
}
