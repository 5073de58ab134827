//! `download::fetch_release` against the project's real Apache-shaped mirror (`tests/world/mirror.py`, python3 only,
//! no root): a small generated tarball published with a gpg-style `.sha512`, faults injected per request, and the
//! mirror's request log as the witness of what was transferred. The mirror signs what it publishes with the test
//! world's key (gpg, `tests/world/signing-key.sh`), so the engine's OpenPGP check is tested against gpg's own output.

mod support;

use kafka_wizard::download::{fetch_release, fetch_release_with, Cache, DownloadError, FetchOptions, ReleaseSource};
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::world::{http_get, sha512_hex, world_dir, Mirror, Release};

/// A release-named file of 3 MiB of pseudo-random bytes (the mirror only cares about the name).
fn fixture_release(dir: &Path) -> Release {
    let version = "0.0.1";
    let tarball = dir.join(format!("kafka_2.13-{version}.tgz"));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&tarball, data).unwrap();
    Release { version: version.into(), tarball }
}

struct Setup {
    _dir: tempfile::TempDir,
    release: Release,
    mirror: Mirror,
    cache: Cache,
    cache_dir: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let release = fixture_release(dir.path());
    let mirror = Mirror::start(&[&release]);
    let cache_dir = dir.path().join("cache");
    Setup { cache: Cache::new(cache_dir.clone()), cache_dir, _dir: dir, release, mirror }
}

impl Setup {
    fn url(&self) -> String {
        format!("{}{}", self.mirror.base_url(), self.release.mirror_path())
    }
    fn source(&self) -> ReleaseSource {
        ReleaseSource {
            file_name: self.release.file_name(),
            tarball_urls: vec![self.url()],
            checksum_urls: vec![format!("{}.sha512", self.url())],
            local_tarball: None,
            pinned: None,
        }
    }
    /// The mirror's log entries for the tarball: (method, range, status).
    fn tarball_requests(&self) -> Vec<(String, Option<String>, u16)> {
        let log: serde_json::Value = serde_json::from_str(&self.mirror.request_log()).unwrap();
        log["log"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["path"] == self.release.mirror_path())
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_string(),
                    e["range"].as_str().map(str::to_string),
                    e["status"].as_u64().unwrap_or(0) as u16,
                )
            })
            .collect()
    }
    /// Every file under the cache directory.
    fn cached_files(&self) -> Vec<PathBuf> {
        fn walk(d: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    walk(&e.path(), out)
                } else {
                    out.push(e.path())
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.cache_dir, &mut out);
        out
    }
}

#[tokio::test]
async fn a_fresh_download_is_verified_and_lands_in_the_cache() {
    let s = setup();
    let mut calls = Vec::new();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |done, total| calls.push((done, total))).await.unwrap();
    let size = std::fs::metadata(&s.release.tarball).unwrap().len();
    assert!(fetched.downloaded);
    assert_eq!(fetched.size, size);
    assert_eq!(fetched.sha512.as_hex(), sha512_hex(&s.release.tarball));
    assert_eq!(fetched.path, s.cache.entry_path(&s.release.file_name(), &fetched.sha512));
    assert_eq!(std::fs::read(&fetched.path).unwrap(), std::fs::read(&s.release.tarball).unwrap());
    assert_eq!(s.cached_files(), vec![fetched.path.clone()], "no .part left behind");
    assert_eq!(calls.last(), Some(&(size, Some(size))));
    assert!(calls.len() > 2, "progress is reported as bytes arrive: {calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "progress never goes back");
}

#[tokio::test]
async fn a_second_fetch_is_a_cache_hit_without_requesting_the_tarball() {
    let s = setup();
    let first = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    let second = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    assert!(!second.downloaded);
    assert_eq!(second.path, first.path);
    assert_eq!(second.sha512, first.sha512);
    assert_eq!(s.tarball_requests(), vec![("GET".to_string(), None, 200)], "one tarball transfer in all");
}

#[tokio::test]
async fn a_cached_file_damaged_on_disk_is_downloaded_again() {
    let s = setup();
    let first = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    std::fs::write(&first.path, b"damaged").unwrap();
    let again = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    assert!(again.downloaded);
    assert_eq!(again.sha512.as_hex(), sha512_hex(&again.path));
    assert_eq!(s.tarball_requests().len(), 2);
}

#[tokio::test]
async fn a_corrupted_tarball_is_refused_and_deleted() {
    let s = setup();
    s.mirror.set_fault(&s.release.mirror_path(), "corrupt");
    let err = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap_err();
    match &err {
        DownloadError::ChecksumMismatch { file, url, expected, actual } => {
            assert_eq!(file, &s.release.file_name());
            assert_eq!(url, &s.url());
            assert_eq!(expected.as_hex(), sha512_hex(&s.release.tarball));
            assert_ne!(actual, expected);
        }
        other => panic!("expected ChecksumMismatch, got {other:?}"),
    }
    assert!(err.to_string().contains("deleted"), "{err}");
    assert_eq!(s.cached_files(), Vec::<PathBuf>::new(), "the bad download is gone");

    s.mirror.clear_faults();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    assert!(fetched.downloaded, "the next try downloads a good copy");
}

#[tokio::test]
async fn a_404_on_the_first_url_falls_back_to_the_second() {
    let s = setup();
    let current = format!("{}/current{}", s.mirror.base_url(), s.release.mirror_path());
    let mut source = s.source();
    source.tarball_urls = vec![current.clone(), s.url()];
    let fetched = fetch_release(&s.cache, &source, &mut |_, _| {}).await.unwrap();
    assert!(fetched.downloaded);
    assert_eq!(fetched.sha512.as_hex(), sha512_hex(&s.release.tarball));
    let log: serde_json::Value = serde_json::from_str(&s.mirror.request_log()).unwrap();
    let statuses: Vec<(String, u64)> = log["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"].as_str().unwrap().ends_with(".tgz"))
        .map(|e| (e["path"].as_str().unwrap().to_string(), e["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, vec![(format!("/current{}", s.release.mirror_path()), 404), (s.release.mirror_path(), 200)]);
}

#[tokio::test]
async fn a_404_everywhere_names_every_url_tried() {
    let s = setup();
    let current = format!("{}/current{}", s.mirror.base_url(), s.release.mirror_path());
    s.mirror.set_fault(&s.release.mirror_path(), "404");
    let mut source = s.source();
    source.tarball_urls = vec![current.clone(), s.url()];
    let err = fetch_release(&s.cache, &source, &mut |_, _| {}).await.unwrap_err();
    assert!(
        matches!(&err, DownloadError::NotFound { tried, .. } if tried == &vec![current.clone(), s.url()]),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&current) && msg.contains(&s.url()), "{msg}");
}

#[tokio::test]
async fn a_missing_checksum_fails_before_any_tarball_transfer() {
    let s = setup();
    s.mirror.set_fault(&format!("{}.sha512", s.release.mirror_path()), "404");
    let err = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::ChecksumUnavailable { .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("{}.sha512", s.url())), "{err}");
    assert_eq!(s.tarball_requests(), vec![]);
}

#[tokio::test]
async fn an_interrupted_transfer_is_resumed_with_a_range_request_and_verifies() {
    let s = setup();
    s.mirror.set_fault(&s.release.mirror_path(), "interrupt:1000000@1");
    let mut calls = Vec::new();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |d, t| calls.push((d, t))).await.unwrap();
    assert!(fetched.downloaded);
    assert_eq!(fetched.sha512.as_hex(), sha512_hex(&s.release.tarball));
    let requests = s.tarball_requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0], ("GET".to_string(), None, 200));
    let range = requests[1].1.clone().expect("the second request asks for a range");
    let start: u64 = range.strip_prefix("bytes=").and_then(|r| r.strip_suffix('-')).unwrap().parse().unwrap();
    assert!(start > 0 && start <= 1_000_000, "resumed from what had arrived: {range}");
    assert_eq!(requests[1].2, 206);
    let size = fetched.size;
    assert_eq!(calls.last(), Some(&(size, Some(size))));
}

#[tokio::test]
async fn a_partial_download_left_by_an_earlier_run_is_resumed() {
    let s = setup();
    // an earlier run was killed after 1 MiB
    let expected = kafka_wizard::verify::Sha512::from_hex(&sha512_hex(&s.release.tarball)).unwrap();
    let final_path = s.cache.entry_path(&s.release.file_name(), &expected);
    std::fs::create_dir_all(final_path.parent().unwrap()).unwrap();
    let data = std::fs::read(&s.release.tarball).unwrap();
    std::fs::write(final_path.with_file_name(format!("{}.part", s.release.file_name())), &data[..1 << 20]).unwrap();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    assert_eq!(fetched.path, final_path);
    assert_eq!(std::fs::read(&fetched.path).unwrap(), data);
    assert_eq!(s.tarball_requests(), vec![("GET".to_string(), Some(format!("bytes={}-", 1 << 20)), 206)]);
}

#[tokio::test]
async fn a_stale_partial_download_that_fails_verification_is_discarded_and_downloaded_whole() {
    let s = setup();
    let expected = kafka_wizard::verify::Sha512::from_hex(&sha512_hex(&s.release.tarball)).unwrap();
    let final_path = s.cache.entry_path(&s.release.file_name(), &expected);
    std::fs::create_dir_all(final_path.parent().unwrap()).unwrap();
    std::fs::write(final_path.with_file_name(format!("{}.part", s.release.file_name())), vec![0u8; 1 << 20]).unwrap();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    assert_eq!(fetched.sha512, expected);
    assert_eq!(
        s.tarball_requests(),
        vec![("GET".to_string(), Some(format!("bytes={}-", 1 << 20)), 206), ("GET".to_string(), None, 200)]
    );
}

#[tokio::test]
async fn a_stalled_transfer_fails_with_a_network_error_naming_the_url() {
    let s = setup();
    s.mirror.set_fault(&s.release.mirror_path(), "slow:1");
    let options =
        FetchOptions { stall_timeout: Duration::from_millis(700), attempts_per_url: 1, ..FetchOptions::default() };
    let started = std::time::Instant::now();
    let err = fetch_release_with(&s.cache, &s.source(), &options, &mut |_, _| {}).await.unwrap_err();
    assert!(
        matches!(&err, DownloadError::Network { url, detail } if url == &s.url() && detail.contains("stalled")),
        "{err:?}"
    );
    assert!(err.to_string().contains(&s.url()), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_naming_the_url() {
    let s = setup();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap(); // bound, then dropped
    let url = format!("http://{closed}{}", s.release.mirror_path());
    let mut source = s.source();
    source.tarball_urls = vec![url.clone()];
    let err = fetch_release(&s.cache, &source, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(&err, DownloadError::Network { url: u, .. } if u == &url), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
}

#[tokio::test]
async fn a_cancelled_fetch_stops_with_cancelled() {
    let s = setup();
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let options = FetchOptions { cancel: Some(cancel), ..FetchOptions::default() };
    let err = fetch_release_with(&s.cache, &s.source(), &options, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::Cancelled), "{err:?}");
    assert_eq!(s.tarball_requests(), vec![]);
}

/// The `.sha512` text `gpg --print-md SHA512` would write for `file` (via the mirror's emulator).
fn gpg_print_md(file: &Path) -> String {
    let out = std::process::Command::new("python3")
        .arg(world_dir().join("mirror.py"))
        .arg("print-md")
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_local_tarball_with_a_sha512_beside_it_works_offline() {
    let dir = tempfile::tempdir().unwrap();
    let release = fixture_release(dir.path());
    std::fs::write(dir.path().join(format!("{}.sha512", release.file_name())), gpg_print_md(&release.tarball)).unwrap();
    let source = ReleaseSource {
        file_name: release.file_name(),
        tarball_urls: vec!["http://127.0.0.1:9/unreachable.tgz".into()],
        checksum_urls: vec!["http://127.0.0.1:9/unreachable.tgz.sha512".into()],
        local_tarball: Some(release.tarball.clone()),
        pinned: None,
    };
    let cache = Cache::new(dir.path().join("cache"));
    let fetched = fetch_release(&cache, &source, &mut |_, _| {}).await.unwrap();
    assert!(!fetched.downloaded);
    assert_eq!(fetched.path, release.tarball);
    assert_eq!(fetched.sha512.as_hex(), sha512_hex(&release.tarball));
}

#[tokio::test]
async fn a_local_tarball_that_does_not_match_its_sha512_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let release = fixture_release(dir.path());
    let sidecar = dir.path().join(format!("{}.sha512", release.file_name()));
    std::fs::write(&sidecar, gpg_print_md(&release.tarball)).unwrap();
    std::fs::write(&release.tarball, b"tampered").unwrap();
    let source = ReleaseSource {
        file_name: release.file_name(),
        local_tarball: Some(release.tarball.clone()),
        ..ReleaseSource::default()
    };
    let err = fetch_release(&Cache::new(dir.path().join("cache")), &source, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::ChecksumMismatch { .. }), "{err:?}");
    assert!(release.tarball.exists(), "the user's own file is never deleted");
}

#[tokio::test]
async fn a_local_tarball_without_a_sha512_gets_its_checksum_from_the_checksum_urls() {
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join(s.release.file_name());
    std::fs::copy(&s.release.tarball, &local).unwrap();
    let mut source = s.source();
    source.local_tarball = Some(local.clone());
    let fetched = fetch_release(&s.cache, &source, &mut |_, _| {}).await.unwrap();
    assert_eq!(fetched.path, local);
    assert!(!fetched.downloaded);
    assert_eq!(s.tarball_requests(), vec![], "offline: the tarball is not downloaded");
}

#[tokio::test]
async fn a_checksum_url_that_serves_something_big_is_not_read_whole() {
    let s = setup();
    let mut source = s.source();
    source.checksum_urls = vec![s.url()]; // the tarball itself, 3 MiB
    let err = fetch_release(&s.cache, &source, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(&err, DownloadError::ChecksumUnavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("not a checksum file"), "{err}");
}

#[test]
fn a_release_the_mirror_signed_with_gpg_verifies_once_its_keys_file_is_imported_with_trust_import() {
    use kafka_wizard::verify::signature::{verify_detached, Keyring, SignatureError};
    use kafka_wizard::verify::trust_store::TrustStore;
    let s = setup();
    let get = |path: &str| {
        let r = http_get(&format!("{}{path}", s.mirror.base_url()), &[]).unwrap();
        assert_eq!(r.status, 200, "{path}");
        r.body
    };
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("KEYS");
    std::fs::write(&keys, get("/kafka/KEYS")).unwrap();
    let asc = dir.path().join(format!("{}.asc", s.release.file_name()));
    std::fs::write(&asc, get(&format!("{}.asc", s.release.mirror_path()))).unwrap();

    // Not trusted yet: refused, naming the key that signed (gpg signs with the RSA signing subkey).
    let err = verify_detached(&s.release.tarball, &asc, &Keyring::default()).unwrap_err();
    assert!(matches!(err, SignatureError::UnknownKey { .. }), "{err}");
    assert!(err.to_string().contains("kafka-wizard trust import"), "{err}");

    let config = dir.path().join("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["trust", "import", keys.to_str().unwrap(), "--yes"])
        .env("XDG_CONFIG_HOME", &config)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let fpr = stdout.strip_prefix("trusted ").and_then(|l| l.split_whitespace().next()).unwrap().to_string();

    let trusted = TrustStore::new(config.join("kafka-wizard/trusted-keys")).keyring().unwrap();
    let verified = verify_detached(&s.release.tarball, &asc, &trusted).unwrap();
    assert_eq!(verified.primary.as_str(), fpr);
    assert_ne!(verified.signing_key, verified.primary, "gpg signed with the subkey; the primary is named");
    assert!(verified.user_id.unwrap().contains("kafka-wizard test release manager"));

    // The same signature over a tarball changed by one byte: a bad signature by that key.
    let tampered = dir.path().join(s.release.file_name());
    let mut bytes = std::fs::read(&s.release.tarball).unwrap();
    bytes[2_000_000] ^= 0x80;
    std::fs::write(&tampered, bytes).unwrap();
    let err = verify_detached(&tampered, &asc, &trusted).unwrap_err();
    assert!(matches!(&err, SignatureError::BadSignature { key, .. } if key.as_str() == fpr), "{err}");
}

#[tokio::test]
async fn a_fetched_release_is_signature_checked_with_the_asc_beside_it_on_the_mirror_and_a_missing_asc_names_its_url() {
    use kafka_wizard::download::signed::{verify_release_signature, SignatureSource};
    let s = setup();
    let fetched = fetch_release(&s.cache, &s.source(), &mut |_, _| {}).await.unwrap();
    let config = s.cache_dir.parent().unwrap().join("config");
    support::world::trust_test_key(&config);
    let source = SignatureSource {
        file_name: s.release.file_name(),
        signature_urls: vec![format!("{}.asc", s.url())],
        keys_urls: vec![format!("{}/kafka/KEYS", s.mirror.base_url())],
        trust_dir: config.join("kafka-wizard/trusted-keys"),
        ..Default::default()
    };
    let signed = verify_release_signature(&fetched.path, &source, &FetchOptions::default()).await.unwrap();
    assert!(!signed.pinned, "the test key is the user's, not a pinned Apache key");
    assert_eq!(signed.signature, format!("{}.asc", s.url()));
    assert!(signed.describe().contains("kafka-wizard test release manager"), "{}", signed.describe());
    let saved = fetched.path.with_file_name(format!("{}.asc", s.release.file_name()));
    assert!(saved.is_file(), "the signature is kept beside the cached tarball");

    s.mirror.set_fault(&format!("{}.asc", s.release.mirror_path()), "404");
    let err = verify_release_signature(&fetched.path, &source, &FetchOptions::default()).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&format!("{}.asc: 404 Not Found", s.url())), "{msg}");
    assert!(!msg.contains("--allow-unsigned-offline-tarball"), "a download has no opt-out: {msg}");
}
