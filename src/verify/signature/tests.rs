//! Keys and signatures are made here with the same crate (Ed25519 keys: fast in a debug build), so every case is a
//! real OpenPGP signature checked end to end.

use super::*;
use pgp::composed::{
    ArmorOptions, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SignedSecretKey, SubkeyParamsBuilder,
};
use pgp::packet::{RevocationCode, SignatureConfig, Subpacket, SubpacketData};
use pgp::types::{Password, Timestamp};
use rand::thread_rng;
use std::io::Write;

/// A key whose primary can sign and certify, with one signing subkey.
fn new_key(uid: &str) -> SignedSecretKey {
    let mut sub = SubkeyParamsBuilder::default();
    sub.key_type(KeyType::Ed25519Legacy).can_sign(true).can_encrypt(EncryptionCaps::None);
    let mut params = SecretKeyParamsBuilder::default();
    params
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id(uid.into())
        .subkeys(vec![sub.build().unwrap()]);
    params.build().unwrap().generate(thread_rng()).unwrap()
}

fn armored_public(key: &SignedSecretKey) -> String {
    key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap()
}

fn fpr(key: &impl KeyDetails) -> Fingerprint {
    Fingerprint::of(key)
}

struct Files {
    _dir: tempfile::TempDir,
    data: PathBuf,
    asc: PathBuf,
}

/// A 3 MB "tarball" and the armored detached signature over it made by `signer` (the primary, or subkey 0).
fn signed_file(key: &SignedSecretKey, with_subkey: bool) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("kafka_2.13-9.9.9.tgz");
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&data, &bytes).unwrap();
    let pw = Password::empty();
    let sig = if with_subkey {
        DetachedSignature::sign_binary_data(
            thread_rng(),
            &key.secret_subkeys[0].key,
            &pw,
            HashAlgorithm::Sha512,
            &bytes[..],
        )
    } else {
        DetachedSignature::sign_binary_data(thread_rng(), &key.primary_key, &pw, HashAlgorithm::Sha512, &bytes[..])
    }
    .unwrap();
    let asc = dir.path().join("kafka_2.13-9.9.9.tgz.asc");
    std::fs::write(&asc, sig.to_armored_string(ArmorOptions::default()).unwrap()).unwrap();
    Files { _dir: dir, data, asc }
}

fn keyring(keys: &[&SignedSecretKey]) -> Keyring {
    let text: String =
        keys.iter().map(|k| format!("pub   comment line between keys\n{}\n", armored_public(k))).collect();
    Keyring::from_armored(&text, "KEYS").unwrap()
}

#[test]
fn a_good_signature_by_the_primary_key_verifies_and_names_that_key() {
    let key = new_key("Release Manager <rm@example.org>");
    let files = signed_file(&key, false);
    let v = verify_detached(&files.data, &files.asc, &keyring(&[&key])).unwrap();
    assert_eq!(v.primary, fpr(&key.primary_key));
    assert_eq!(v.signing_key, v.primary);
    assert_eq!(v.user_id.as_deref(), Some("Release Manager <rm@example.org>"));
    assert!(v.signed_at.is_some());
}

#[test]
fn a_signature_by_a_signing_subkey_names_the_primary_key_it_belongs_to() {
    let key = new_key("RM <rm@example.org>");
    let files = signed_file(&key, true);
    let v = verify_detached(&files.data, &files.asc, &keyring(&[&key])).unwrap();
    assert_eq!(v.primary, fpr(&key.primary_key));
    assert_eq!(v.signing_key, fpr(&key.secret_subkeys[0].key));
    assert_ne!(v.primary, v.signing_key);
}

#[test]
fn one_flipped_byte_in_the_file_is_a_bad_signature_naming_file_and_key() {
    let key = new_key("RM <rm@example.org>");
    let files = signed_file(&key, false);
    let mut bytes = std::fs::read(&files.data).unwrap();
    bytes[1_234_567] ^= 0x01;
    std::fs::write(&files.data, &bytes).unwrap();
    let err = verify_detached(&files.data, &files.asc, &keyring(&[&key])).unwrap_err();
    assert!(matches!(&err, SignatureError::BadSignature { key: k, .. } if *k == fpr(&key.primary_key)), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("kafka_2.13-9.9.9.tgz") && msg.contains("BAD signature") && msg.contains("digest differs"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
}

#[test]
fn a_signature_by_another_key_is_refused_naming_its_fingerprint_and_how_to_trust_it() {
    let trusted = new_key("RM <rm@example.org>");
    let other = new_key("Mallory <m@example.org>");
    let files = signed_file(&other, false);
    let err = verify_detached(&files.data, &files.asc, &keyring(&[&trusted])).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, SignatureError::UnknownKey { .. }), "{msg}");
    assert!(msg.contains(fpr(&other.primary_key).as_str()), "{msg}");
    assert!(msg.contains("kafka-wizard trust import KEYS_FILE"), "{msg}");
    assert!(!msg.contains(fpr(&trusted.primary_key).as_str()), "{msg}");
}

#[test]
fn a_foreign_subkey_attached_to_a_trusted_primary_key_cannot_vouch_for_a_signature() {
    // An attacker who can edit the KEYS file appends their own signing subkey to a pinned release manager's key.
    let victim = new_key("RM <rm@example.org>");
    let attacker = new_key("Mallory <m@example.org>");
    let mut forged = victim.to_public_key();
    forged.public_subkeys.push(attacker.to_public_key().public_subkeys[0].clone());
    let mut ring = Keyring::default();
    ring.add(forged);
    let files = signed_file(&attacker, true);
    let err = verify_detached(&files.data, &files.asc, &ring).unwrap_err();
    assert!(matches!(err, SignatureError::NotSigningKey { .. }), "{err}");
    assert!(err.to_string().contains("not bound"), "{err}");
}

#[test]
fn a_revoked_key_is_refused_with_its_reason() {
    let key = new_key("RM <rm@example.org>");
    let mut public = key.to_public_key();
    let mut config =
        SignatureConfig::v4(SignatureType::KeyRevocation, key.primary_key.algorithm(), HashAlgorithm::Sha512);
    config.hashed_subpackets = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(Timestamp::now())).unwrap(),
        Subpacket::regular(SubpacketData::IssuerFingerprint(key.primary_key.fingerprint())).unwrap(),
        Subpacket::regular(SubpacketData::RevocationReason(RevocationCode::KeyCompromised, "key lost".into())).unwrap(),
    ];
    let rev = config.sign_key(&key.primary_key, &Password::empty(), &public.primary_key).unwrap();
    public.details.revocation_signatures.push(rev);
    let mut ring = Keyring::default();
    ring.add(public);
    let files = signed_file(&key, false);
    let err = verify_detached(&files.data, &files.asc, &ring).unwrap_err();
    assert!(matches!(err, SignatureError::Revoked { .. }), "{err}");
    assert!(err.to_string().contains("REVOKED (\"key lost\")"), "{err}");
}

#[test]
fn a_keys_file_with_text_between_blocks_yields_every_key_and_pinning_keeps_only_the_listed_ones() {
    let a = new_key("A <a@example.org>");
    let b = new_key("B <b@example.org>");
    let text = format!(
        "This file contains the PGP keys of developers.\n\npub   ed25519 2024-01-01 [SC]\nuid   A\n{}\n\
         pub   ed25519 2024-01-02 [SC]\n{}\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot base64 at all!\n\
         -----END PGP PUBLIC KEY BLOCK-----\n",
        armored_public(&a),
        armored_public(&b)
    );
    let mut ring = Keyring::from_armored(&text, "KEYS").unwrap();
    let summaries = ring.summaries();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[0].fingerprint, fpr(&a.primary_key));
    assert_eq!(summaries[1].user_ids, vec!["B <b@example.org>".to_string()]);
    assert_eq!(summaries[1].created, b.primary_key.created_at().as_secs(), "the key's own creation time");
    assert_eq!(ring.skipped().len(), 1, "{:?}", ring.skipped());
    assert!(ring.skipped()[0].starts_with("block at line"), "{:?}", ring.skipped());

    ring.retain_pinned(&[fpr(&b.primary_key)]);
    assert_eq!(ring.summaries().len(), 1);
    let files = signed_file(&a, false);
    assert!(matches!(verify_detached(&files.data, &files.asc, &ring), Err(SignatureError::UnknownKey { .. })));
    let files = signed_file(&b, true);
    assert_eq!(verify_detached(&files.data, &files.asc, &ring).unwrap().primary, fpr(&b.primary_key));
}

#[test]
fn pinning_a_signing_subkeys_fingerprint_keeps_its_key_and_what_it_signed_verifies() {
    let a = new_key("A <a@example.org>");
    let b = new_key("B <b@example.org>");
    let mut ring = keyring(&[&a, &b]);
    ring.retain_pinned(&[fpr(&b.secret_subkeys[0].key)]);
    assert_eq!(ring.summaries().len(), 1);
    let files = signed_file(&b, true);
    let v = verify_detached(&files.data, &files.asc, &ring).unwrap();
    assert_eq!((v.primary, v.signing_key), (fpr(&b.primary_key), fpr(&b.secret_subkeys[0].key)));
}

#[test]
fn a_pinned_subkey_grafted_onto_another_primary_key_keeps_nothing() {
    // The subkey's public half is public: an attacker who can edit a KEYS file hangs it under their own primary.
    let victim = new_key("RM <rm@example.org>");
    let attacker = new_key("Mallory <m@example.org>");
    let mut forged = attacker.to_public_key();
    forged.public_subkeys.push(victim.to_public_key().public_subkeys[0].clone());
    let mut ring = Keyring::default();
    ring.add(forged);
    ring.retain_pinned(&[fpr(&victim.secret_subkeys[0].key)]);
    assert!(ring.is_empty(), "the grafted subkey is not bound to the attacker's primary");
}

#[test]
fn text_with_no_key_block_is_refused_naming_its_source() {
    let err = Keyring::from_armored("<html>404</html>", "https://example.org/KEYS").unwrap_err();
    assert!(matches!(err, SignatureError::NoKeys { .. }));
    assert!(err.to_string().starts_with("https://example.org/KEYS: no OpenPGP public key"), "{err}");
}

#[test]
fn an_empty_or_garbage_signature_file_says_there_is_no_signature_in_it() {
    let key = new_key("RM <rm@example.org>");
    let files = signed_file(&key, false);
    for content in ["", "<html>404 Not Found</html>\n"] {
        std::fs::File::create(&files.asc).unwrap().write_all(content.as_bytes()).unwrap();
        let err = verify_detached(&files.data, &files.asc, &keyring(&[&key])).unwrap_err();
        assert!(matches!(err, SignatureError::NoSignature { .. }), "{content:?}: {err}");
        assert!(err.to_string().contains(".tgz.asc: no OpenPGP signature"), "{err}");
    }
    let missing = files.asc.with_extension("missing");
    let err = verify_detached(&files.data, &missing, &keyring(&[&key])).unwrap_err();
    assert!(matches!(err, SignatureError::Read { .. }), "{err}");
}

#[test]
fn fingerprints_are_read_as_people_write_them_and_key_ids_are_not_enough() {
    let spaced = "d3df 932a 0303 7580 d545  3f49 8060 fc0d a962 afe5";
    assert_eq!(Fingerprint::parse(spaced).unwrap().as_str(), "D3DF932A03037580D5453F498060FC0DA962AFE5");
    assert_eq!(Fingerprint::parse("0xD3DF932A03037580D5453F498060FC0DA962AFE5").unwrap().as_str().len(), 40);
    assert!(Fingerprint::parse("8060FC0DA962AFE5").unwrap_err().contains("16"));
    assert!(Fingerprint::parse("D3DF932A03037580D5453F498060FC0DA962AFEZ").unwrap_err().contains("'Z'"));
}
