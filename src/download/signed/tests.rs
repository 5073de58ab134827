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
