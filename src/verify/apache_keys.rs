//! The one home of the Apache Kafka release managers' key fingerprints the wizard trusts without being told, of
//! which catalog release each key signed ([`PINNED`]; [`UNPINNED`] lists the releases whose signer is not pinned)
//! (docs/facts/kafka.md §33), and of where Apache publishes their keys.
//!
//! A fingerprint verified here is the *primary* key's: a release signed by a signing subkey verifies through the
//! primary that binds it (`signature.rs`), so pinning the primary covers the subkeys it has and will have. A
//! fingerprint known only from elsewhere ([`Evidence::PublishedElsewhere`]) is the signing key's, which may be a
//! subkey: a key of `KEYS` is kept when its primary or one of its subkeys is pinned.
//!
//! Only fingerprints are pinned, never key material: at verification time the wizard fetches Apache's `KEYS`
//! ([`keys_urls`]), keeps the keys whose primary fingerprint is listed here ([`pinned_keyring`]) and adds the keys
//! the user trusted on purpose (`trust_store`). A key that only the fetched `KEYS` (or a project file) names is
//! never trusted: whoever can change that file cannot add a signer.

use super::signature::{Fingerprint, Keyring, SignatureError};
use crate::catalog::{APACHE_ARCHIVE, APACHE_DOWNLOADS};

/// A pinned release manager's key: its fingerprint, whose key it is, the catalog releases it signed, and how that
/// is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinnedKey {
    /// The primary key's fingerprint ([`Evidence::VerifiedHere`]), or the fingerprint of the key that signed — the
    /// primary or a signing subkey, as gpg's `VALIDSIG` first field names it ([`Evidence::PublishedElsewhere`]).
    pub fingerprint: &'static str,
    pub owner: &'static str,
    /// The catalog releases this key signed; every catalog release is here or in [`UNPINNED`].
    pub signed: &'static [&'static str],
    pub evidence: Evidence,
}

/// How a pinned fingerprint is known to be the signer of its releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Each release's Maven Central signature (`kafka_<scala>-<v>.jar.asc`) was verified with this key from a
    /// `KEYS` snapshot (`gpg --verify`: `VALIDSIG`, this fingerprint as the primary's).
    VerifiedHere,
    /// The key is newer than the `KEYS` snapshot reachable here: its fingerprint is the one public build files
    /// check a release's tarball signature against (`where`), and its last 16 hex digits are the issuer key id of
    /// every listed release's Maven Central signature (`maven_issuer`, read here). A wrong fingerprint could only
    /// refuse a release, never admit another key: the key material still comes from Apache's `KEYS` alone and the
    /// signature must verify with it.
    PublishedElsewhere { maven_issuer: &'static str, r#where: &'static str },
}

const fn key(fingerprint: &'static str, owner: &'static str, signed: &'static [&'static str]) -> PinnedKey {
    PinnedKey { fingerprint, owner, signed, evidence: Evidence::VerifiedHere }
}

impl PinnedKey {
    /// Whether the releases this key signed were verified with it here (see [`Evidence`]).
    pub fn verified_here(&self) -> bool {
        self.evidence == Evidence::VerifiedHere
    }

    /// How the fingerprint is known to be its releases' signer, in a sentence (`kafka-wizard trust list`).
    pub fn evidence_text(&self) -> String {
        match self.evidence {
            Evidence::VerifiedHere => {
                "each release's Maven Central signature verified with this key from Apache's KEYS".into()
            }
            Evidence::PublishedElsewhere { maven_issuer, r#where } => format!(
                "newer than the KEYS this build's other pins were checked against: the fingerprint {where}, \
                 ending in the issuer id {maven_issuer} of the releases' Maven Central signatures"
            ),
        }
    }
}

/// The release managers' primary key fingerprints, computed with `gpg --show-keys` from apache/kafka-site's `KEYS`
/// at commit 49c30138 (2024-10-21; the file's last change fc5d25e1, 2024-09-17 — the newest snapshot reachable on
/// 2026-12-01), each matched to the releases it signed by verifying their Maven Central signatures
/// (docs/facts/kafka.md §33); then the signers of newer releases whose fingerprints public build files check
/// against ([`Evidence::PublishedElsewhere`]). Releases signed by a key not listed here need
/// `kafka-wizard trust import`. 2.0.0 – 2.5.1's Maven signatures are SHA-1, which the wizard refuses; whether their tarballs' are is not known.
pub const PINNED: &[PinnedKey] = &[
    key("461D2D1B577F40C58EC2FE060CF65F72E4609424", "Rajini Sivaram", &["2.0.0"]),
    key("2254B0BABB7F2ED82EB48C550DC9AB9E5B3A4458", "Manikumar Reddy Obili", &["2.0.1", "2.4.0", "2.8.2", "3.6.2"]),
    key("AFACDB09E6F0FF28C93D64BCBEED4F6CB9F77D0E", "Dong Lin", &["2.1.0"]),
    key("6B259C61F399AD22D4A4EBC0DE78987A9CD4D9D3", "Colin McCabe (key of 2019)", &["2.1.1", "2.3.0"]),
    // Signed with the signing subkey F2B4C5FFE57C6265C741BF58638DD2A63F3A0F00; the primary is pinned.
    key("926D5A8B7D1ADA5B5F7A1F4D48307CB31DCC852D", "Matthias J. Sax", &["2.2.0"]),
    key("F6627F0663D0CE710A29F8203674A03EDC7C2868", "Vahid Hashemian", &["2.2.1"]),
    key("7E417E5EF3F148C0EB1A762BA5B999BF0C414BEB", "Randall Hauch", &["2.2.2", "2.6.0"]),
    key("63F2B2B8D10CCC7A0CE88A72E9F87164989E9B3F", "David Arthur (key of 2019)", &["2.3.1", "2.5.0"]),
    key("DFB5ABA9CD50A02B5C2A511662A9813636302260", "Bill Bejeck", &["2.4.1", "2.7.0"]),
    key("87101C7E5C6DB1C98ADBF93B016CCFCA0E2FD561", "John Roesler", &["2.5.1", "2.8.0"]),
    key(
        "D3DF932A03037580D5453F498060FC0DA962AFE5",
        "Mickael Maison",
        &["2.6.1", "2.6.3", "2.7.1", "2.7.2", "3.0.1", "3.1.2", "3.2.2", "3.5.0", "3.6.1", "4.1.0", "4.3.0"],
    ),
    key("562DADAF4FAF35118DB8C0DF241A59C30616924E", "Anna Sophie Blee-Goldman", &["2.6.2"]),
    key("880BD93BF75EDE553B6A9918B4CC1061B61737F9", "David Jacot", &["2.8.1", "3.1.0", "4.0.0"]),
    key("4B7055359385B5711C9B7E63B453F41C8B56AEE1", "Konstantine Karantasis", &["3.0.0"]),
    key("6E85804BB51E348372973AE607D24FE8E0B51CAC", "Tom Bentley", &["3.0.2", "3.1.1", "3.2.3"]),
    key("1850AF2339ADA1B1F2DBE9A1299A97FC61C78183", "Bruno Cadonna", &["3.2.0"]),
    key("6FB0F28835C48C7C56D2F1F6D3360B139CE19FE8", "David Arthur (key of 2022)", &["3.2.1", "3.3.0", "3.4.0"]),
    key("21D66C1494D481B5A9407EC9CF2A47452FC9C6FD", "Jose Armando Garcia Sancio", &["3.3.1"]),
    key("5AFBFDA44492C1240E5A45AFF19D6CB551424672", "Chris Egerton", &["3.3.2"]),
    key("42EFF58EC9BDFD20FA7DF8B16CCECEFAC04AC304", "Luke Chen", &["3.4.1", "3.5.2", "3.9.1"]),
    key("9C1C80A9F910DFCDF11F1E2676AAB84D81427E11", "Divij Vaidya", &["3.5.1"]),
    key("0BA3A5C83CF58E807E4750EEF65DC3423D4CD7B9", "Satish Duggana", &["3.6.0"]),
    key("7C38C2F6E7DF40E527C7C996DE0D9D12FB1360DA", "Stanislav Kozlovski", &["3.7.0"]),
    key("4687E2BC1319B57B321D6F0E39AB5531A7FCB08E", "Igor Soarez", &["3.7.1"]),
    key("CF9500821E9557AEB04E026C05EEA67F87749E61", "Josep Prat", &["3.8.0", "3.8.1"]),
    key("7EEAA203132DC48CF650C9248AF5CC6A1653902F", "Colin Patrick McCabe (key of 2024)", &["3.9.0"]),
    PinnedKey {
        fingerprint: "D9472951E133753353DCE20D72E522CC9FCBBAC9",
        owner: "the release manager of 3.9.2 and 4.2.1 (key newer than the KEYS snapshot; name not known here)",
        signed: &["3.9.2", "4.2.1"],
        evidence: Evidence::PublishedElsewhere {
            maven_issuer: "72E522CC9FCBBAC9",
            r#where: "a public build file checks 3.9.2's tarball signature against (gpgv's VALIDSIG)",
        },
    },
    PinnedKey {
        fingerprint: "29DFD0B67638FE76706B399DDCFDB318BA5D9AA8",
        owner: "the release manager of 4.1.2 (key newer than the KEYS snapshot; name not known here)",
        signed: &["4.1.2"],
        evidence: Evidence::PublishedElsewhere {
            maven_issuer: "DCFDB318BA5D9AA8",
            r#where: "a public install guide checks 4.1.2's tarball signature against",
        },
    },
];

/// A catalog release whose signer is not pinned, and why: its signature's issuer key id, when one was seen, is
/// not in the `KEYS` snapshot [`PINNED`] was computed from, so its fingerprint is not known here. Such a release
/// verifies only once its signer's key is trusted on purpose (`kafka-wizard trust import`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnpinnedRelease {
    pub version: &'static str,
    /// The 64-bit issuer key id of its Maven Central signature; `None`: Maven Central has no `.asc` for it.
    pub issuer_key_id: Option<&'static str>,
}

const fn unpinned(version: &'static str, issuer_key_id: Option<&'static str>) -> UnpinnedRelease {
    UnpinnedRelease { version, issuer_key_id }
}

/// The catalog releases without a pinned signer (docs/facts/kafka.md §33).
pub const UNPINNED: &[UnpinnedRelease] = &[
    unpinned("3.7.2", Some("FBB09F6AAD19A4BA")),
    unpinned("4.0.1", Some("3F66597F0116FD68")),
    unpinned("4.0.2", Some("5115511788EDBCC9")),
    unpinned("4.1.1", Some("1E8A9F4B368638A9")),
    unpinned("4.2.0", Some("3F66597F0116FD68")),
    unpinned("4.2.2", None),
    unpinned("4.3.1", Some("71650CBCEA26F8A4")),
    unpinned("4.4.0", None),
];

/// The pinned key that signed catalog release `version` (`"4.1.0"`); `None`: its signer is not pinned in this build.
pub fn signer_of(version: &str) -> Option<&'static PinnedKey> {
    PINNED.iter().find(|k| k.signed.contains(&version))
}

/// Where Apache publishes the release managers' keys, in order: the main server, then the archive
/// (docs/facts/kafka.md §1).
pub fn keys_urls() -> Vec<String> {
    vec![format!("{APACHE_DOWNLOADS}/KEYS"), format!("{APACHE_ARCHIVE}/KEYS")]
}

/// The pinned fingerprints.
pub fn pinned_fingerprints() -> Vec<Fingerprint> {
    PINNED.iter().map(|k| Fingerprint::parse(k.fingerprint).expect("a pinned fingerprint is 40 hex digits")).collect()
}

/// The keys of a fetched `KEYS` text that are pinned here (`source_name` names it in errors); the others are
/// dropped. No pinned key in it at all is an error: the file is not Apache Kafka's, or none of its keys are pinned.
pub fn pinned_keyring(keys_text: &str, source_name: &str) -> Result<Keyring, SignatureError> {
    let mut ring = Keyring::from_armored(keys_text, source_name)?;
    ring.retain_pinned(&pinned_fingerprints());
    if ring.is_empty() {
        return Err(SignatureError::NoKeys {
            source_name: source_name.to_string(),
            skipped: vec!["none of its keys is a pinned Apache Kafka release manager's key".into()],
        });
    }
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Version;

    #[test]
    fn every_pinned_fingerprint_is_a_distinct_v4_fingerprint() {
        let fprs = pinned_fingerprints();
        assert_eq!(fprs.len(), PINNED.len());
        for (f, k) in fprs.iter().zip(PINNED) {
            assert_eq!(f.as_str(), k.fingerprint, "{} is written as gpg prints it", k.owner);
            assert_eq!(f.as_str().len(), 40);
        }
        let mut unique = fprs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), fprs.len());
    }

    /// Every catalog release named by `PINNED` or `UNPINNED`, with where.
    fn recorded() -> Vec<(&'static str, String)> {
        let pinned = PINNED.iter().flat_map(|k| k.signed.iter().map(move |v| (*v, k.owner.to_string())));
        let unpinned = UNPINNED.iter().map(|u| (u.version, format!("unpinned ({:?})", u.issuer_key_id)));
        pinned.chain(unpinned).collect()
    }

    #[test]
    fn every_catalog_release_has_its_signer_recorded_exactly_once() {
        let recorded = recorded();
        for r in crate::catalog::RELEASES {
            let v = r.version.to_string();
            let entries: Vec<&String> = recorded.iter().filter(|(rv, _)| *rv == v).map(|(_, who)| who).collect();
            assert_eq!(
                entries.len(),
                1,
                "Kafka {v}: record who signed it in PINNED (or, when its key is not in KEYS, in UNPINNED) exactly \
                 once, docs/facts/kafka.md §33; found {entries:?}"
            );
        }
    }

    #[test]
    fn every_recorded_release_is_a_catalog_release() {
        for (v, who) in recorded() {
            let version = Version::parse(v).unwrap_or_else(|| panic!("{v} ({who}) is not a version"));
            assert!(crate::catalog::find(version).is_some(), "{v} ({who}) is not in catalog::RELEASES");
        }
    }

    #[test]
    fn an_unpinned_release_is_not_signed_by_a_pinned_key() {
        for u in UNPINNED {
            let Some(id) = u.issuer_key_id else { continue };
            assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()), "{id}");
            // A v4 key id is its fingerprint's last 16 hex digits; a primary's id here means it belongs in PINNED.
            assert!(!PINNED.iter().any(|k| k.fingerprint.ends_with(id)), "{} is signed by a pinned key", u.version);
        }
    }

    #[test]
    fn a_fingerprint_published_elsewhere_ends_with_the_issuer_id_its_releases_carry_on_maven_central() {
        for k in PINNED {
            let Evidence::PublishedElsewhere { maven_issuer, r#where } = k.evidence else { continue };
            assert!(k.fingerprint.ends_with(maven_issuer), "{}: {maven_issuer} is not its key id", k.owner);
            assert!(!r#where.is_empty() && !k.signed.is_empty(), "{}", k.owner);
        }
        let elsewhere = PINNED.iter().filter(|k| !k.verified_here()).count();
        assert!(elsewhere < PINNED.len() / 4, "most pins are verified here: {elsewhere} of {}", PINNED.len());
    }

    #[test]
    fn a_releases_signer_is_the_pinned_key_that_signed_it_or_none() {
        assert_eq!(signer_of("4.1.0").map(|k| k.owner), Some("Mickael Maison"));
        assert!(signer_of("4.1.0").is_some_and(|k| k.verified_here()));
        assert!(signer_of("3.9.2").is_some_and(|k| !k.verified_here()), "known from public build files");
        assert_eq!(signer_of("4.1.1"), None);
        assert_eq!(signer_of("9.9.9"), None);
    }

    #[test]
    fn keys_come_from_apache_itself_never_a_mirror() {
        assert_eq!(
            keys_urls(),
            ["https://downloads.apache.org/kafka/KEYS", "https://archive.apache.org/dist/kafka/KEYS"]
        );
    }

    #[test]
    fn a_keys_file_without_any_pinned_key_gives_no_keyring() {
        // A real key that is not pinned: made here, so the file parses but must be refused as a whole.
        use pgp::composed::{ArmorOptions, KeyType, SecretKeyParamsBuilder};
        let mut params = SecretKeyParamsBuilder::default();
        params.key_type(KeyType::Ed25519Legacy).can_certify(true).can_sign(true).primary_user_id("X <x@x>".into());
        let key = params.build().unwrap().generate(rand::thread_rng()).unwrap();
        let text = key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap();
        let err = pinned_keyring(&text, "KEYS").unwrap_err();
        assert!(err.to_string().contains("none of its keys is a pinned"), "{err}");
    }
}
