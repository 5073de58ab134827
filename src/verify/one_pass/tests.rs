//! Real keys and signatures made in-test with the `pgp` crate (Ed25519: fast in a debug build), each checked by
//! the one pass and, where it matters, against what the crate's own `Signature::verify` says of the same bytes.

use super::*;
use crate::verify::sha512_of_file;
use crate::verify::signature::{prepare, Fingerprint, Keyring};
use pgp::composed::{ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder, SignedSecretKey};
use pgp::types::Password;
use rand::thread_rng;
use std::path::PathBuf;

fn new_key(version: KeyVersion) -> SignedSecretKey {
    let mut params = SecretKeyParamsBuilder::default();
    let key_type = if version == KeyVersion::V6 { KeyType::Ed25519 } else { KeyType::Ed25519Legacy };
    params
        .version(version)
        .key_type(key_type)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("Release Manager <rm@example.org>".into());
    params.build().unwrap().generate(thread_rng()).unwrap()
}

fn keyring(key: &SignedSecretKey) -> Keyring {
    let armored = key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap();
    Keyring::from_armored(&armored, "KEYS").unwrap()
}

/// How the test signature is made.
#[derive(Clone, Copy)]
enum Sign {
    Binary(HashAlgorithm),
    Text(HashAlgorithm),
}

struct Files {
    _dir: tempfile::TempDir,
    data: PathBuf,
    asc: PathBuf,
}

/// A 3 MB "tarball" (not a multiple of the 1 MiB chunk) and a detached signature over it by `key`.
fn signed_file(key: &SignedSecretKey, how: Sign) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kafka_2.13-9.9.9.tgz");
    let bytes: Vec<u8> = (0..3_000_001u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&data, &bytes).unwrap();
    let (rng, pw) = (thread_rng(), Password::empty());
    let sig = match how {
        Sign::Binary(hash) => DetachedSignature::sign_binary_data(rng, &key.primary_key, &pw, hash, &bytes[..]),
        Sign::Text(hash) => DetachedSignature::sign_text_data(rng, &key.primary_key, &pw, hash, &bytes[..]),
    }
    .unwrap();
    let asc = dir.path().join("kafka_2.13-9.9.9.tgz.asc");
    std::fs::write(&asc, sig.to_armored_string(ArmorOptions::default()).unwrap()).unwrap();
    Files { _dir: dir, data, asc }
}

fn check(files: &Files, key: &SignedSecretKey) -> Result<Verified, SignatureError> {
    let prepared = prepare(&files.data, &files.asc, &keyring(key)).unwrap();
    check_file(&files.data, &prepared, &mut |_| true).unwrap().signature
}

fn tamper(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(path, &bytes).unwrap();
}

/// The error the two-pass check (`Signature::verify` over the file) gave a changed file.
fn digest_differs(files: &Files, key: &SignedSecretKey) -> SignatureError {
    SignatureError::BadSignature {
        path: files.data.clone(),
        key: Fingerprint::of(&key.primary_key),
        detail: "the file's digest differs from the one signed".into(),
    }
}

#[test]
fn the_one_pass_sha512_equals_sha512_of_file_and_the_sha512_signature_verifies() {
    let key = new_key(KeyVersion::V4);
    let files = signed_file(&key, Sign::Binary(HashAlgorithm::Sha512));
    let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
    assert!(shares_sha512(&prepared), "a v4 SHA-512 binary signature shares the file's SHA-512 state");
    let checked = check_file(&files.data, &prepared, &mut |_| true).unwrap();
    assert_eq!(checked.sha512, sha512_of_file(&files.data).unwrap());
    assert_eq!(checked.bytes, 3_000_001);
    let verified = checked.signature.unwrap();
    assert_eq!(verified.primary, Fingerprint::of(&key.primary_key));
    assert_eq!(verified.user_id.as_deref(), Some("Release Manager <rm@example.org>"));
}

#[test]
fn a_tampered_byte_fails_the_sha512_signature_with_the_same_bad_signature_error_as_the_two_pass_check() {
    let key = new_key(KeyVersion::V4);
    let files = signed_file(&key, Sign::Binary(HashAlgorithm::Sha512));
    tamper(&files.data, 2_100_000);
    let err = check(&files, &key).unwrap_err();
    assert_eq!(err, digest_differs(&files, &key));
    // the crate's own check of the same bytes refuses them too
    let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
    let bytes = std::fs::read(&files.data).unwrap();
    assert!(prepared.sig.verify(&key.to_public_key().primary_key, &bytes[..]).is_err());
}

#[test]
fn a_sha256_signature_still_verifies_in_one_pass_and_yields_the_files_sha512() {
    let key = new_key(KeyVersion::V4);
    let files = signed_file(&key, Sign::Binary(HashAlgorithm::Sha256));
    let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
    assert!(!shares_sha512(&prepared), "a SHA-256 signature takes the tee");
    let checked = check_file(&files.data, &prepared, &mut |_| true).unwrap();
    assert_eq!(checked.sha512, sha512_of_file(&files.data).unwrap());
    assert_eq!(checked.signature.unwrap().primary, Fingerprint::of(&key.primary_key));
}

#[test]
fn a_tampered_byte_fails_a_sha256_signature_with_the_same_bad_signature_error() {
    let key = new_key(KeyVersion::V4);
    let files = signed_file(&key, Sign::Binary(HashAlgorithm::Sha256));
    tamper(&files.data, 17);
    assert_eq!(check(&files, &key).unwrap_err(), digest_differs(&files, &key));
}

#[test]
fn sha384_text_document_and_v6_signatures_verify_through_the_crates_own_check() {
    for (version, how) in [
        (KeyVersion::V4, Sign::Binary(HashAlgorithm::Sha384)),
        (KeyVersion::V4, Sign::Text(HashAlgorithm::Sha512)),
        (KeyVersion::V6, Sign::Binary(HashAlgorithm::Sha512)),
    ] {
        let key = new_key(version);
        let files = signed_file(&key, how);
        let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
        assert!(!shares_sha512(&prepared));
        let checked = check_file(&files.data, &prepared, &mut |_| true).unwrap();
        assert_eq!(checked.sha512, sha512_of_file(&files.data).unwrap());
        assert!(checked.signature.is_ok(), "{:?}", checked.signature);
        tamper(&files.data, 1_048_576);
        assert!(matches!(check(&files, &key), Err(SignatureError::BadSignature { .. })));
    }
}

#[test]
fn a_truncated_file_fails_the_signature_but_still_yields_its_own_sha512() {
    let key = new_key(KeyVersion::V4);
    let files = signed_file(&key, Sign::Binary(HashAlgorithm::Sha512));
    let bytes = std::fs::read(&files.data).unwrap();
    std::fs::write(&files.data, &bytes[..bytes.len() - 1]).unwrap();
    let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
    let checked = check_file(&files.data, &prepared, &mut |_| true).unwrap();
    assert_eq!(checked.sha512, sha512_of_file(&files.data).unwrap());
    assert_eq!(checked.bytes, 3_000_000);
    assert_eq!(checked.signature.unwrap_err(), digest_differs(&files, &key));
}

#[test]
fn the_bytes_fed_in_any_chunking_give_the_same_sha512_and_verdict() {
    let key = new_key(KeyVersion::V4);
    for hash in [HashAlgorithm::Sha512, HashAlgorithm::Sha256] {
        let files = signed_file(&key, Sign::Binary(hash));
        let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
        let bytes = std::fs::read(&files.data).unwrap();
        for size in [1usize << 20, 65_537, 4_096, 1_000_000] {
            let mut pass = OnePass::new(&prepared);
            pass.update(&[]);
            for chunk in bytes.chunks(size) {
                pass.update(chunk);
            }
            let checked = pass.finish();
            assert_eq!(checked.sha512, sha512_of_file(&files.data).unwrap(), "chunks of {size}");
            assert!(checked.signature.is_ok(), "chunks of {size}: {:?}", checked.signature);
        }
    }
}

#[test]
fn a_pass_stopped_by_its_caller_is_a_read_error_saying_cancelled() {
    let key = new_key(KeyVersion::V4);
    for hash in [HashAlgorithm::Sha512, HashAlgorithm::Sha256] {
        let files = signed_file(&key, Sign::Binary(hash));
        let prepared = prepare(&files.data, &files.asc, &keyring(&key)).unwrap();
        let mut seen = Vec::new();
        let err = check_file(&files.data, &prepared, &mut |done| {
            seen.push(done);
            done < 2 << 20
        })
        .unwrap_err();
        assert!(matches!(&err, SignatureError::Read { error, .. } if error == "cancelled"), "{err}");
        assert_eq!(seen, [1 << 20, 2 << 20]);
    }
}
