//! Real keys and signatures made in-test with the `pgp` crate (Ed25519: fast in a debug build); the offline paths
//! (`local_signature`, `local_keys`), so no server is needed — the URL paths run against the test mirror in
//! `tests/download.rs`.

use super::*;
use crate::verify::signature::Fingerprint;
use pgp::composed::{ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;

fn new_key(uid: &str) -> SignedSecretKey {
    let mut params = SecretKeyParamsBuilder::default();
    params.key_type(KeyType::Ed25519Legacy).can_certify(true).can_sign(true).primary_user_id(uid.into());
    params.build().unwrap().generate(rand::thread_rng()).unwrap()
}

fn public(key: &SignedSecretKey) -> String {
    key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap()
}

/// An offline release: a tarball, its `.asc` by `signer`, and a trust store (empty) in one temporary directory.
struct Offline {
    dir: tempfile::TempDir,
    tarball: PathBuf,
}

impl Offline {
    fn signed_by(signer: &SignedSecretKey) -> Offline {
        let dir = tempfile::tempdir().unwrap();
        let tarball = dir.path().join("kafka_2.13-9.9.9.tgz");
        let bytes: Vec<u8> = (0..500_000u32).map(|i| (i * 13 % 251) as u8).collect();
        std::fs::write(&tarball, &bytes).unwrap();
        let sig = DetachedSignature::sign_binary_data(
            rand::thread_rng(),
            &signer.primary_key,
            &Password::empty(),
            HashAlgorithm::Sha512,
            &bytes[..],
        )
        .unwrap();
        std::fs::write(dir.path().join("kafka_2.13-9.9.9.tgz.asc"), sig.to_armored_string(Default::default()).unwrap())
            .unwrap();
        Offline { dir, tarball }
    }

    fn source(&self) -> SignatureSource {
        SignatureSource {
            file_name: "kafka_2.13-9.9.9.tgz".into(),
            signature_urls: vec![],
            local_signature: Some(self.dir.path().join("kafka_2.13-9.9.9.tgz.asc")),
            keys_urls: vec![],
            local_keys: Some(self.dir.path().join("KEYS")),
            trust_dir: self.dir.path().join("config/kafka-wizard/trusted-keys"),
        }
    }

    fn trust(&self, key: &SignedSecretKey) -> Fingerprint {
        let ring = Keyring::from_armored(&public(key), "KEYS").unwrap();
        let fpr = ring.summaries()[0].fingerprint.clone();
        TrustStore::new(self.source().trust_dir).import(&ring, &fpr).unwrap();
        fpr
    }

    async fn verify(&self) -> Result<SignedBy, DownloadError> {
        verify_release_signature(&self.tarball, &self.source(), &FetchOptions::default()).await
    }
}

#[tokio::test]
async fn a_release_signed_by_a_key_the_user_trusted_verifies_and_names_the_key_and_where_the_signature_came_from() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    let fpr = offline.trust(&key);
    let signed = offline.verify().await.unwrap();
    assert_eq!(signed.key.primary, fpr);
    assert!(!signed.pinned, "a key the user trusted is not a pinned Apache key");
    let text = signed.describe();
    assert!(text.contains(fpr.as_str()) && text.contains("Test Release Manager <rm@example.org>"), "{text}");
    assert!(text.contains("a key you trusted") && text.contains("kafka_2.13-9.9.9.tgz.asc"), "{text}");
}

#[tokio::test]
async fn a_release_signed_by_an_unknown_key_is_refused_naming_its_fingerprint_and_the_trust_import_command() {
    let key = new_key("Someone <someone@example.org>");
    let offline = Offline::signed_by(&key);
    let fpr = Keyring::from_armored(&public(&key), "k").unwrap().summaries()[0].fingerprint.clone();
    let err = offline.verify().await.unwrap_err();
    assert!(
        matches!(&err, DownloadError::Signature(e) if matches!(**e, SignatureCheckError::Refused { .. })),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(fpr.as_str()), "names the signing key: {msg}");
    assert!(msg.contains("kafka-wizard trust import KEYS_FILE"), "names the command: {msg}");
    assert!(msg.contains("the pinned Apache keys could not be read"), "says why no pinned key helped: {msg}");
}

#[tokio::test]
async fn a_keys_file_beside_the_tarball_never_adds_a_signer_that_is_not_pinned() {
    let key = new_key("Mallory <m@example.org>");
    let offline = Offline::signed_by(&key);
    std::fs::write(offline.dir.path().join("KEYS"), public(&key)).unwrap();
    let msg = offline.verify().await.unwrap_err().to_string();
    assert!(msg.contains("not a trusted key") && msg.contains("none of its keys is a pinned"), "{msg}");
}

#[tokio::test]
async fn a_tarball_that_differs_from_what_was_signed_is_refused_as_a_bad_signature_naming_the_signature() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    let mut bytes = std::fs::read(&offline.tarball).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&offline.tarball, bytes).unwrap();
    let msg = offline.verify().await.unwrap_err().to_string();
    assert!(msg.contains("BAD signature"), "{msg}");
    assert!(msg.contains("kafka_2.13-9.9.9.tgz.asc"), "names where the signature came from: {msg}");
}

#[tokio::test]
async fn an_offline_tarball_without_its_asc_is_refused_naming_the_missing_file_and_the_opt_out_flag() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    std::fs::remove_file(offline.dir.path().join("kafka_2.13-9.9.9.tgz.asc")).unwrap();
    let err = offline.verify().await.unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(&err, DownloadError::Signature(e) if matches!(**e, SignatureCheckError::Unavailable { offline: true, .. }))
    );
    assert!(msg.contains("kafka_2.13-9.9.9.tgz.asc: no such file"), "{msg}");
    assert!(msg.contains("--allow-unsigned-offline-tarball"), "{msg}");
}

#[tokio::test]
async fn a_signature_file_that_holds_no_signature_is_refused_naming_it() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    std::fs::write(offline.dir.path().join("kafka_2.13-9.9.9.tgz.asc"), "<html>404</html>").unwrap();
    let msg = offline.verify().await.unwrap_err().to_string();
    assert!(msg.contains("no OpenPGP signature") && msg.contains("kafka_2.13-9.9.9.tgz.asc"), "{msg}");
}

impl Offline {
    /// `<tarball>.sha512` beside the offline tarball, of its bytes now (`sha512sum` style).
    fn write_checksum(&self) -> crate::verify::Sha512 {
        let sum = crate::verify::sha512_of_file(&self.tarball).unwrap();
        std::fs::write(self.dir.path().join("kafka_2.13-9.9.9.tgz.sha512"), format!("{sum}  kafka_2.13-9.9.9.tgz\n"))
            .unwrap();
        sum
    }

    fn release(&self, local: bool, pinned: Option<crate::verify::Sha512>) -> ReleaseSource {
        ReleaseSource {
            file_name: "kafka_2.13-9.9.9.tgz".into(),
            local_tarball: local.then(|| self.tarball.clone()),
            pinned,
            ..Default::default()
        }
    }

    fn cache(&self) -> Cache {
        Cache::new(self.dir.path().join("cache"))
    }
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0xff;
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn an_offline_release_is_checked_in_one_read_that_yields_its_sha512_its_signer_and_its_progress() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    let fpr = offline.trust(&key);
    let sum = offline.write_checksum();
    let mut seen = Vec::new();
    let release = offline.release(true, None);
    let options = FetchOptions::default();
    let checked = fetch_signed_release(&offline.cache(), &release, &offline.source(), &options, &mut |done, total| {
        seen.push((done, total))
    })
    .await
    .unwrap();
    assert_eq!(
        checked.fetched,
        Fetched { path: offline.tarball.clone(), sha512: sum, size: 500_000, downloaded: false }
    );
    assert_eq!(checked.signed.key.primary, fpr);
    assert_eq!(seen.last(), Some(&(500_000, Some(500_000))));
}

#[tokio::test]
async fn an_offline_tarball_changed_after_its_checksum_is_a_checksum_mismatch_before_it_is_a_bad_signature() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    offline.write_checksum();
    flip_byte(&offline.tarball, 4321);
    let release = offline.release(true, None);
    let options = FetchOptions::default();
    let err = fetch_signed_release(&offline.cache(), &release, &offline.source(), &options, &mut |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::ChecksumMismatch { .. }), "{err:?}");
    assert!(offline.tarball.is_file(), "an offline tarball is never deleted");
}

#[tokio::test]
async fn an_offline_tarball_whose_checksum_matches_but_not_its_signature_is_refused_as_before() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    flip_byte(&offline.tarball, 1000);
    offline.write_checksum();
    let release = offline.release(true, None);
    let options = FetchOptions::default();
    let err = fetch_signed_release(&offline.cache(), &release, &offline.source(), &options, &mut |_, _| {})
        .await
        .unwrap_err();
    let DownloadError::Signature(boxed) = &err else { panic!("{err:?}") };
    let SignatureCheckError::Refused { error, .. } = &**boxed else { panic!("{err:?}") };
    assert!(
        matches!(error, SignatureError::BadSignature { detail, .. } if detail == "the file's digest differs from the one signed"),
        "{error:?}"
    );
    assert_eq!(err.to_string(), offline.verify().await.unwrap_err().to_string(), "the same refusal as the check alone");
}

#[tokio::test]
async fn a_cached_release_is_checked_in_one_read_and_a_damaged_one_is_deleted_to_be_downloaded_again() {
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    offline.trust(&key);
    let sum = offline.write_checksum();
    let (cache, release, options) =
        (offline.cache(), offline.release(false, Some(sum.clone())), FetchOptions::default());
    let entry = cache.entry_path("kafka_2.13-9.9.9.tgz", &sum);
    cache.prepare(&entry).unwrap();
    std::fs::copy(&offline.tarball, &entry).unwrap();
    let hit = fetch_signed_release(&cache, &release, &offline.source(), &options, &mut |_, _| {}).await.unwrap();
    assert_eq!(hit.fetched, Fetched { path: entry.clone(), sha512: sum, size: 500_000, downloaded: false });
    flip_byte(&entry, 10);
    let err = fetch_signed_release(&cache, &release, &offline.source(), &options, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::NotFound { .. }), "no URL to download it from again: {err:?}");
    assert!(!entry.exists(), "the damaged copy was deleted");
}

#[tokio::test]
async fn a_downloaded_release_is_checked_in_one_read_after_it_streamed_and_is_a_cache_hit_the_next_time() {
    use crate::download::tests::{Server, NAME};
    let key = new_key("Test Release Manager <rm@example.org>");
    let offline = Offline::signed_by(&key);
    let fpr = offline.trust(&key);
    assert_eq!(offline.tarball.file_name().unwrap(), NAME);
    let bytes = std::fs::read(&offline.tarball).unwrap();
    let server = Server::start(bytes, true, std::time::Duration::ZERO);
    let (cache, release, options) = (offline.cache(), server.source(), FetchOptions::default());
    let first = fetch_signed_release(&cache, &release, &offline.source(), &options, &mut |_, _| {}).await.unwrap();
    assert!(first.fetched.downloaded);
    assert_eq!(first.fetched.sha512, crate::verify::sha512_of_file(&offline.tarball).unwrap());
    assert_eq!(first.signed.key.primary, fpr);
    let again = fetch_signed_release(&cache, &release, &offline.source(), &options, &mut |_, _| {}).await.unwrap();
    assert_eq!((again.fetched.downloaded, again.fetched.path), (false, first.fetched.path));
    assert_eq!(server.body_gets.load(std::sync::atomic::Ordering::SeqCst), 1, "the second is a cache hit");
}
