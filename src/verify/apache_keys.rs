//! The one home of the Apache Kafka release managers' key fingerprints the wizard trusts without being told
//! (docs/facts/kafka.md §33), and where Apache publishes their keys.
//!
//! Only fingerprints are pinned, never key material: at verification time the wizard fetches Apache's `KEYS`
//! ([`keys_urls`]), keeps the keys whose primary fingerprint is listed here ([`pinned_keyring`]) and adds the keys
//! the user trusted on purpose (`trust_store`). A key that only the fetched `KEYS` (or a project file) names is
//! never trusted: whoever can change that file cannot add a signer.

use super::signature::{Fingerprint, Keyring, SignatureError};
use crate::catalog::{APACHE_ARCHIVE, APACHE_DOWNLOADS};

/// A pinned release manager's key: its primary fingerprint, whose key it is, and which releases they announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinnedKey {
    pub fingerprint: &'static str,
    pub owner: &'static str,
    pub announced: &'static str,
}

/// The release managers' primary key fingerprints, computed with `gpg --show-keys` from apache/kafka-site's `KEYS`
/// at commit 49c30138 (2024-10-21); "announced" is the release announcement's author in kafka-site `blog.html`
/// (docs/facts/kafka.md §33). Releases signed by a key not listed here need `kafka-wizard trust import`.
pub const PINNED: &[PinnedKey] = &[
    PinnedKey {
        fingerprint: "D3DF932A03037580D5453F498060FC0DA962AFE5",
        owner: "Mickael Maison",
        announced: "3.5.0, 3.6.1",
    },
    PinnedKey { fingerprint: "9C1C80A9F910DFCDF11F1E2676AAB84D81427E11", owner: "Divij Vaidya", announced: "3.5.1" },
    PinnedKey { fingerprint: "42EFF58EC9BDFD20FA7DF8B16CCECEFAC04AC304", owner: "Luke Chen", announced: "3.5.2" },
    PinnedKey { fingerprint: "0BA3A5C83CF58E807E4750EEF65DC3423D4CD7B9", owner: "Satish Duggana", announced: "3.6.0" },
    PinnedKey {
        fingerprint: "2254B0BABB7F2ED82EB48C550DC9AB9E5B3A4458",
        owner: "Manikumar Reddy Obili",
        announced: "3.6.2",
    },
    PinnedKey {
        fingerprint: "7C38C2F6E7DF40E527C7C996DE0D9D12FB1360DA",
        owner: "Stanislav Kozlovski",
        announced: "3.7.0",
    },
    PinnedKey { fingerprint: "4687E2BC1319B57B321D6F0E39AB5531A7FCB08E", owner: "Igor Soarez", announced: "3.7.1" },
    PinnedKey { fingerprint: "CF9500821E9557AEB04E026C05EEA67F87749E61", owner: "Josep Prat", announced: "3.8.0" },
    PinnedKey {
        fingerprint: "7EEAA203132DC48CF650C9248AF5CC6A1653902F",
        owner: "Colin Patrick McCabe",
        announced: "3.9.0 (unconfirmed)",
    },
    PinnedKey {
        fingerprint: "880BD93BF75EDE553B6A9918B4CC1061B61737F9",
        owner: "David Jacot",
        announced: "4.0.0 (unconfirmed)",
    },
];

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
