//! Settings' "Trusted release signers…": the OpenPGP keys trusted to sign the Kafka releases the app installs,
//! besides the Apache release managers' keys pinned in this build. The same store as `kafka-wizard trust`
//! ([`TrustStore::open_default`], read at each call: what the CLI imported the app lists, and the other way round).
//!
//! Importing is two calls, so nothing is trusted before the user saw the fingerprints: [`preview_signer_import`]
//! reads a key file and returns its keys (nothing stored), [`import_signers`] reads the file again and stores exactly
//! the fingerprints the user confirmed — all of them, or none when one is no longer in the file.

use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::verify::apache_keys::{self, PinnedKey};
use kafka_wizard::verify::signature::{Fingerprint, KeySummary, Keyring};
use kafka_wizard::verify::trust_store::{self, TrustStore};
use serde::Serialize;
use std::path::PathBuf;
use ts_rs::TS;

/// A key as the dialog shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SignerKey {
    /// The primary key's full fingerprint, uppercase hex without spaces.
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// When the key was made (Unix seconds), as the key states it.
    pub created: u32,
}

impl From<KeySummary> for SignerKey {
    fn from(k: KeySummary) -> Self {
        SignerKey { fingerprint: k.fingerprint.to_string(), user_ids: k.user_ids, created: k.created }
    }
}

/// An Apache Kafka release manager's key pinned by fingerprint in this build (never removable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct BuiltInSigner {
    pub fingerprint: String,
    pub owner: String,
    /// The catalog releases it signed.
    pub signed: Vec<String>,
}

/// Every key trusted to sign releases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct TrustedSigners {
    /// The store's folder (`~/.config/kafka-wizard/trusted-keys`), shared with `kafka-wizard trust`.
    pub dir: String,
    /// The keys the user imported (here or with `kafka-wizard trust import`); only these can be removed.
    pub imported: Vec<SignerKey>,
    pub built_in: Vec<BuiltInSigner>,
}

/// What importing one key of a file would change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Not trusted yet: importing adds it.
    New,
    /// Already imported: importing replaces the stored copy.
    AlreadyImported,
    /// A pinned release manager's key: trusted already, importing also keeps a copy of it in the store.
    BuiltIn,
}

/// One key of the chosen file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ImportCandidate {
    pub key: SignerKey,
    pub standing: Standing,
    /// The release manager, when the key is built in.
    pub built_in_owner: Option<String>,
}

/// The keys a file would add; nothing is stored yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ImportPreview {
    /// The file read, as an absolute path (what [`import_signers`] is given back).
    pub file: String,
    pub keys: Vec<ImportCandidate>,
    /// Blocks of the file that could not be read as keys (`block at line N: why`), left out.
    pub skipped: Vec<String>,
}

fn store() -> AppResult<TrustStore> {
    Ok(TrustStore::open_default()?)
}

fn pinned(fpr: &Fingerprint) -> Option<&'static PinnedKey> {
    apache_keys::PINNED.iter().find(|k| k.fingerprint == fpr.as_str())
}

fn signers(store: &TrustStore) -> AppResult<TrustedSigners> {
    Ok(TrustedSigners {
        dir: store.dir().to_string_lossy().into_owned(),
        imported: store.list()?.into_iter().map(SignerKey::from).collect(),
        built_in: apache_keys::PINNED
            .iter()
            .map(|k| BuiltInSigner {
                fingerprint: k.fingerprint.into(),
                owner: k.owner.into(),
                signed: k.signed.iter().map(|v| v.to_string()).collect(),
            })
            .collect(),
    })
}

/// The key file `path` (`~` and relative paths as [`crate::paths::user_path`] resolves them), read as armored keys.
fn read_key_file(path: &str) -> AppResult<(PathBuf, Keyring)> {
    let raw = path.trim();
    if raw.is_empty() {
        return Err(AppError::new(ErrorCode::KeyFile, "choose the file with the keys to trust"));
    }
    let file = crate::paths::user_path(raw).map_err(|e| AppError::new(ErrorCode::KeyFile, format!("{raw}: {e}")))?;
    let ring = trust_store::read_key_file(&file)?;
    Ok((file, ring))
}

/// The keys trusted to sign releases: the user's, then the built-in ones.
#[tauri::command]
pub fn trusted_signers() -> AppResult<TrustedSigners> {
    signers(&store()?)
}

/// The keys of the file at `path`, each with its full fingerprint and what importing it would change. Stores
/// nothing. `key_file` when the file cannot be read or holds no public key (the message names the file).
#[tauri::command]
pub fn preview_signer_import(path: String) -> AppResult<ImportPreview> {
    let (file, ring) = read_key_file(&path)?;
    let imported: Vec<Fingerprint> = store()?.list()?.into_iter().map(|k| k.fingerprint).collect();
    let keys = ring
        .summaries()
        .into_iter()
        .map(|k| {
            let owner = pinned(&k.fingerprint).map(|p| p.owner.to_string());
            let standing = match &owner {
                Some(_) => Standing::BuiltIn,
                None if imported.contains(&k.fingerprint) => Standing::AlreadyImported,
                None => Standing::New,
            };
            ImportCandidate { key: k.into(), standing, built_in_owner: owner }
        })
        .collect();
    Ok(ImportPreview { file: file.to_string_lossy().into_owned(), keys, skipped: ring.skipped().to_vec() })
}

/// Trusts the keys `fingerprints` of the file at `path` — the ones the user confirmed after the preview — and
/// returns the trusted keys afterwards. Refused, nothing stored, when none is given or one is not in the file.
#[tauri::command]
pub fn import_signers(path: String, fingerprints: Vec<String>) -> AppResult<TrustedSigners> {
    if fingerprints.is_empty() {
        return Err(AppError::new(ErrorCode::KeyFile, "no key was confirmed: nothing was imported"));
    }
    let (file, ring) = read_key_file(&path)?;
    let in_file: Vec<Fingerprint> = ring.summaries().into_iter().map(|k| k.fingerprint).collect();
    let mut chosen = Vec::new();
    for text in &fingerprints {
        let fpr = Fingerprint::parse(text).map_err(|e| AppError::new(ErrorCode::KeyFile, e))?;
        if !in_file.contains(&fpr) {
            return Err(AppError::new(
                ErrorCode::KeyFile,
                format!(
                    "{}: key {fpr} is not in it (the file changed since it was read?) — nothing was imported; choose \
                     the file again",
                    file.display()
                ),
            ));
        }
        chosen.push(fpr);
    }
    let store = store()?;
    for fpr in &chosen {
        store.import(&ring, fpr)?;
    }
    signers(&store)
}

/// Stops trusting a key the user imported; returns the trusted keys afterwards. `not_trusted` for a key that is not
/// in the user's store — a built-in key's message says it is pinned in this build.
#[tauri::command]
pub fn remove_signer(fingerprint: String) -> AppResult<TrustedSigners> {
    let fpr = Fingerprint::parse(&fingerprint).map_err(|e| AppError::new(ErrorCode::NotTrusted, e))?;
    let store = store()?;
    if let Err(e) = store.remove(&fpr) {
        return Err(match pinned(&fpr) {
            Some(k) => AppError::new(
                ErrorCode::NotTrusted,
                format!(
                    "{fpr} is the built-in key of Apache Kafka release manager {}, pinned in this build; it cannot be \
                     removed",
                    k.owner
                ),
            ),
            None => e.into(),
        });
    }
    signers(&store)
}
