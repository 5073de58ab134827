//! The release's OpenPGP signature is enforced before any host is touched: the mirror's `.asc` replaced by a real
//! signature over the same tarball made by a fresh key nobody trusted (its SHA-512 still matches), then the `.asc`
//! made to answer 404. Each deploy is refused naming the key's fingerprint and `kafka-wizard trust import
//! KEYS_FILE`, or the signature's URL; nothing is written on the host (no config dir, unit, user or release).

use super::{kraft_project, text, wizard_with_cache};
use crate::support::world::{self, Mirror, World};
use pgp::composed::{ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;
use std::time::Instant;

/// Replaces the mirror's `.asc` of `rel` by a signature of a new Ed25519 key; returns the key's fingerprint.
fn sign_with_an_untrusted_key(mirror: &Mirror, rel: &world::Release) -> String {
    let mut params = SecretKeyParamsBuilder::default();
    params
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("Not Trusted <x@x>".into());
    let key = params.build().unwrap().generate(rand::thread_rng()).unwrap();
    let tarball = mirror.root().join(format!("kafka/{}/{}", rel.version, rel.file_name()));
    let reader = std::io::BufReader::new(std::fs::File::open(&tarball).unwrap());
    let sig = DetachedSignature::sign_binary_data(
        rand::thread_rng(),
        &key.primary_key,
        &Password::empty(),
        HashAlgorithm::Sha512,
        reader,
    )
    .unwrap();
    std::fs::write(
        tarball.with_file_name(format!("{}.asc", rel.file_name())),
        sig.to_armored_string(ArmorOptions::default()).unwrap(),
    )
    .unwrap();
    let public = key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap();
    let ring = kafka_wizard::verify::signature::Keyring::from_armored(&public, "the untrusted key").unwrap();
    ring.summaries()[0].fingerprint.to_string()
}

fn assert_untouched(world: &World) {
    for h in world.hosts() {
        let state = world.ssh_ok(
            &h.name,
            "root",
            "echo config=$(test -e /etc/kafka && echo yes || echo no) \
             unit=$(test -e /etc/systemd/system/kafka-server.service && echo yes || echo no) \
             release=$(ls -d /opt/kafka* 2>/dev/null | wc -l) user=$(id -u kafka >/dev/null 2>&1 && echo yes || echo no) \
             leftovers=$(find /opt /tmp /var/tmp /root /etc -xdev -name '.kw-*' 2>/dev/null | wc -l)",
        );
        assert_eq!(state.trim(), "config=no unit=no release=0 user=no leftovers=0", "{}: {state}", h.name);
    }
}

#[test]
fn a_release_signed_by_a_key_that_is_not_trusted_or_without_its_signature_is_refused_before_any_host_is_touched() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(1);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    let p = project.to_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let fpr = sign_with_an_untrusted_key(&mirror, &rel);

    let t0 = Instant::now();
    let out = wizard_with_cache(&["deploy", p], cache.path());
    let untrusted_secs = t0.elapsed().as_secs_f64();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains(&format!("key {fpr}")), "names the signing key's fingerprint: {said}");
    assert!(said.contains("kafka-wizard trust import KEYS_FILE"), "names the command that trusts it: {said}");
    let asc_url = format!("{}/kafka/{}/{}.asc", mirror.base_url(), rel.version, rel.file_name());
    assert!(said.contains(&asc_url), "names where the signature came from: {said}");
    assert_untouched(&world);

    let asc_path = format!("/kafka/{}/{}.asc", rel.version, rel.file_name());
    mirror.set_fault(&asc_path, "404");
    let t0 = Instant::now();
    let out = wizard_with_cache(&["deploy", p], cache.path());
    let missing_secs = t0.elapsed().as_secs_f64();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("cannot get the release's OpenPGP signature"), "{said}");
    assert!(said.contains(&format!("{asc_url}: 404 Not Found")), "names the URL: {said}");
    assert_untouched(&world);
    eprintln!(
        "MEASURE signature refusals: untrusted key refused in {untrusted_secs:.1}s (download + checks), missing .asc \
         refused in {missing_secs:.1}s (cached tarball), nothing written on the host"
    );
}
