//! OpenPGP release signatures: a [`Keyring`] read from armored keys (an Apache `KEYS` file: many key blocks with
//! text between them), and [`verify_detached`], which checks a detached signature (`.asc`) over a file read as a
//! stream and names the primary key that made it ([`prepare`] applies the rules below that need no file bytes;
//! `verify::one_pass` reads the file).
//!
//! The rules (docs/facts/kafka.md §33): the signature must be a document signature (binary or text) with a hash
//! stronger than SHA-1; its issuer must be a key of the keyring (the primary key, or a signing subkey bound to it by
//! the primary key with the subkey's back-signature); the primary key must carry a valid self-signature; a revoked
//! key, or one expired when the signature was made, is refused. The fingerprint returned is the *primary* key's,
//! like gpg's `VALIDSIG` 10th field, because trust is pinned on primary fingerprints. Pure Rust (the `pgp` crate):
//! the operator's machine needs no `gpg`.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey, SignedPublicSubKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Signature, SignatureType};
use pgp::types::{KeyDetails, Tag};
use std::fmt;
use std::path::{Path, PathBuf};

/// The command that trusts a key on purpose; every "unknown key" message names it.
pub const TRUST_IMPORT_HINT: &str = "kafka-wizard trust import KEYS_FILE";

/// An OpenPGP key fingerprint as uppercase hex (40 digits for a v4 key, 64 for v6), written as gpg prints it
/// without spaces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Reads a fingerprint as people write it: any case, spaces between groups allowed, an optional `0x`.
    pub fn parse(text: &str) -> Result<Fingerprint, String> {
        let t = text.trim();
        let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
        let hex: String = t.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("`{text}` is not a key fingerprint: {c:?} is not a hex digit"));
        }
        if hex.len() != 40 && hex.len() != 64 {
            return Err(format!(
                "`{text}` is not a key fingerprint: it has {} hex digits, a fingerprint has 40 (or 64 for a v6 key) — \
                 a 16-digit key id is not enough",
                hex.len()
            ));
        }
        Ok(Fingerprint(hex))
    }

    pub(crate) fn of(key: &impl KeyDetails) -> Fingerprint {
        Fingerprint(hex::encode_upper(key.fingerprint().as_bytes()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a keyring or a signature could not be used. Every variant names the file concerned.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("{path}: cannot read it: {error}")]
    Read { path: PathBuf, error: String },
    #[error("{source_name}: no OpenPGP public key in it (expected `-----BEGIN PGP PUBLIC KEY BLOCK-----` blocks, as in Apache's KEYS file){}", skipped_note(.skipped))]
    NoKeys { source_name: String, skipped: Vec<String> },
    #[error("{path}: no OpenPGP signature in it — expected the release's detached `.asc` signature{}", detail_note(.detail))]
    NoSignature { path: PathBuf, detail: Option<String> },
    #[error(
        "{path}: BAD signature by key {key} — the file is not what that key signed (changed in transit or on disk, \
         or the signature belongs to another file); delete it and download it again ({detail})"
    )]
    BadSignature { path: PathBuf, key: Fingerprint, detail: String },
    #[error(
        "{path}: signed by {issuers}, which is not a trusted key; if you trust that key on purpose (check its \
         fingerprint with its owner first), import it with `{TRUST_IMPORT_HINT}`"
    )]
    UnknownKey { path: PathBuf, issuers: String },
    #[error("{path}: signed by key {key}, which its owner has REVOKED{reason} — the signature is not accepted")]
    Revoked { path: PathBuf, key: Fingerprint, reason: String },
    #[error(
        "{path}: signed by key {key} at {signed_at} (Unix time), but that key had EXPIRED at {expired_at} — the \
         signature is not accepted"
    )]
    Expired { path: PathBuf, key: Fingerprint, signed_at: u32, expired_at: u32 },
    #[error("{path}: signed by key {key}, which is not valid for signing: {why}")]
    NotSigningKey { path: PathBuf, key: Fingerprint, why: String },
    #[error("{path}: the signature uses {algorithm:?}, which is too weak to trust (SHA-256 or stronger is needed)")]
    WeakHash { path: PathBuf, algorithm: HashAlgorithm },
    #[error("{path}: the signature is of type {typ:?}, not a signature over a file (binary or text document)")]
    NotADocumentSignature { path: PathBuf, typ: Option<SignatureType> },
}

fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!("; unreadable: {}", skipped.join("; "))
    }
}

fn detail_note(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}

/// One primary key of a keyring as shown to people: fingerprint, user ids and when the key was made.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeySummary {
    pub fingerprint: Fingerprint,
    pub user_ids: Vec<String>,
    /// The primary key's creation time (Unix seconds), as the key states it.
    pub created: u32,
}

/// Public keys read from armored text; several blocks, with any text between them (Apache's KEYS file).
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
    /// Blocks or keys that could not be read (`"block at line N: why"`); reported, never fatal on their own.
    skipped: Vec<String>,
}

const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const END: &str = "-----END PGP PUBLIC KEY BLOCK-----";

impl Keyring {
    /// Reads every public key block of `text`; `source_name` (a path or URL) names it in errors. A block that
    /// cannot be read is skipped and listed in [`Keyring::skipped`]; no readable key at all is an error.
    pub fn from_armored(text: &str, source_name: &str) -> Result<Keyring, SignatureError> {
        let mut ring = Keyring::default();
        let mut rest = text;
        let mut line = 1;
        while let Some(start) = rest.find(BEGIN) {
            line += rest[..start].matches('\n').count();
            let block = &rest[start..];
            let end = block.find(END).map(|e| e + END.len()).unwrap_or(block.len());
            let (block, after) = block.split_at(end);
            ring.add_block(block, line);
            line += block.matches('\n').count();
            rest = after;
        }
        if ring.keys.is_empty() {
            return Err(SignatureError::NoKeys { source_name: source_name.to_string(), skipped: ring.skipped });
        }
        Ok(ring)
    }

    fn add_block(&mut self, block: &str, line: usize) {
        match SignedPublicKey::from_string_many(block) {
            Err(e) => self.skipped.push(format!("block at line {line}: {e}")),
            Ok((keys, _headers)) => {
                for key in keys {
                    match key {
                        Ok(key) => self.add(key),
                        Err(e) => self.skipped.push(format!("a key in the block at line {line}: {e}")),
                    }
                }
            }
        }
    }

    /// Adds a key (a later copy of the same primary key replaces the earlier one).
    pub fn add(&mut self, key: SignedPublicKey) {
        let fpr = Fingerprint::of(&key.primary_key);
        self.keys.retain(|k| Fingerprint::of(&k.primary_key) != fpr);
        self.keys.push(key);
    }

    /// Adds every key of `other`.
    pub fn extend(&mut self, other: Keyring) {
        for key in other.keys {
            self.add(key);
        }
        self.skipped.extend(other.skipped);
    }

    /// Keeps only the keys whose primary fingerprint is in `allowed`, or one of whose signing subkeys' is — a
    /// subkey counted only when bound to that primary with its own back-signature, so nobody can graft a pinned
    /// subkey (its public half is public) onto a primary of their own and sign with that primary.
    pub fn retain_pinned(&mut self, allowed: &[Fingerprint]) {
        self.keys.retain(|k| {
            allowed.contains(&Fingerprint::of(&k.primary_key))
                || k.public_subkeys.iter().any(|s| {
                    allowed.contains(&Fingerprint::of(&s.key)) && check_subkey(k, s, None, &|_, _| Ok(())).is_ok()
                })
        });
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Each primary key's fingerprint, (UTF-8) user ids and creation time, in file order.
    pub fn summaries(&self) -> Vec<KeySummary> {
        self.keys
            .iter()
            .map(|k| KeySummary {
                fingerprint: Fingerprint::of(&k.primary_key),
                user_ids: k.details.users.iter().map(|u| String::from_utf8_lossy(u.id.id()).into_owned()).collect(),
                created: k.primary_key.created_at().as_secs(),
            })
            .collect()
    }

    /// The key with primary fingerprint `fpr`, armored on its own (what the trust store keeps per key).
    pub fn armored(&self, fpr: &Fingerprint) -> Option<String> {
        let key = self.keys.iter().find(|k| &Fingerprint::of(&k.primary_key) == fpr)?;
        key.to_armored_string(Default::default()).ok()
    }
}

/// A signature that verified: which primary key (and which of its keys) made it, and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Verified {
    /// The primary key's fingerprint (the one pinned or trusted).
    pub primary: Fingerprint,
    /// The key that signed: the primary itself or one of its signing subkeys.
    pub signing_key: Fingerprint,
    /// The primary key's first user id, for messages ("signed by D3DF… Mickael Maison <…>").
    pub user_id: Option<String>,
    /// The signature's creation time (Unix seconds), when it says.
    pub signed_at: Option<u32>,
}

/// Verifies the detached signature in `signature_path` (armored or binary) over the file `data_path`, read once
/// as a stream (never held in memory), against `keyring`. ([`prepare`], then [`super::one_pass::check_file`], whose
/// SHA-512 of the file is dropped here.)
pub fn verify_detached(data_path: &Path, signature_path: &Path, keyring: &Keyring) -> Result<Verified, SignatureError> {
    let prepared = prepare(data_path, signature_path, keyring)?;
    super::one_pass::check_file(data_path, &prepared, &mut |_| true)?.signature
}

/// A detached signature that passed every rule of this module that does not need the file: read, made by a key of
/// the keyring that may sign (not revoked, not expired when it signed, a subkey bound and back-signed), a document
/// signature with a strong hash. Only the file's digest is left to check ([`super::one_pass`]).
#[derive(Clone, Debug)]
pub struct Prepared {
    pub(super) sig: Signature,
    pub(super) key: SignedPublicKey,
    /// `None`: the primary key signed; `Some(i)`: its subkey `i`.
    pub(super) signer: Option<usize>,
    /// The signed file, for errors.
    pub(super) path: PathBuf,
    primary: Fingerprint,
}

impl Prepared {
    /// The hash algorithm the signature was made with.
    pub fn hash_algorithm(&self) -> Option<HashAlgorithm> {
        self.sig.hash_alg()
    }

    /// What a signature that checks out reports.
    pub(super) fn verified(&self) -> Verified {
        Verified {
            signing_key: match self.signer {
                Some(sub) => Fingerprint::of(&self.key.public_subkeys[sub]),
                None => self.primary.clone(),
            },
            primary: self.primary.clone(),
            user_id: self.key.details.users.first().map(|u| String::from_utf8_lossy(u.id.id()).into_owned()),
            signed_at: self.sig.created().map(|t| t.as_secs()),
        }
    }

    /// The crate's verdict as this module's error: a read error as `Read`, anything else as `BadSignature`.
    pub(super) fn failed(&self, e: pgp::errors::Error) -> SignatureError {
        match e {
            pgp::errors::Error::IO { source, .. } => {
                SignatureError::Read { path: self.path.clone(), error: source.to_string() }
            }
            e => self.bad_signature(one_line(&e)),
        }
    }

    pub(super) fn bad_signature(&self, detail: String) -> SignatureError {
        SignatureError::BadSignature { path: self.path.clone(), key: self.primary.clone(), detail }
    }
}

/// Reads the detached signature in `signature_path` (armored or binary) for the file `data_path` and applies every
/// rule that does not need the file's bytes, against `keyring`.
pub fn prepare(data_path: &Path, signature_path: &Path, keyring: &Keyring) -> Result<Prepared, SignatureError> {
    let sig_bytes = std::fs::read(signature_path)
        .map_err(|e| SignatureError::Read { path: signature_path.to_path_buf(), error: e.to_string() })?;
    let signatures = read_signatures(&sig_bytes, signature_path)?;
    let no_signature =
        |detail: Option<String>| SignatureError::NoSignature { path: signature_path.to_path_buf(), detail };
    if signatures.is_empty() {
        return Err(no_signature(None));
    }
    // The first signature whose issuer the keyring holds is the one checked (the file is streamed once).
    let Some((sig, key, signer)) =
        signatures.iter().find_map(|s| find_signer(s, keyring).map(|(key, signer)| (s, key, signer)))
    else {
        let issuers: Vec<String> = signatures.iter().flat_map(issuer_names).collect();
        let issuers =
            if issuers.is_empty() { "a key the signature does not name".to_string() } else { issuers.join(", ") };
        return Err(SignatureError::UnknownKey { path: data_path.to_path_buf(), issuers });
    };
    let primary = Fingerprint::of(&key.primary_key);
    let path = data_path.to_path_buf();
    match sig.typ() {
        Some(SignatureType::Binary | SignatureType::Text) => {}
        typ => return Err(SignatureError::NotADocumentSignature { path, typ }),
    }
    if let Some(algorithm @ (HashAlgorithm::Md5 | HashAlgorithm::Sha1 | HashAlgorithm::Ripemd160)) = sig.hash_alg() {
        return Err(SignatureError::WeakHash { path, algorithm });
    }
    let signed_at = sig.created().map(|t| t.as_secs());
    check_key_valid(key, signer, signed_at).map_err(|v| v.into_error(path.clone(), primary.clone()))?;
    Ok(Prepared { sig: sig.clone(), key: key.clone(), signer, path, primary })
}

/// A `BadSignature`'s detail when the file's digest is not the one signed (a changed file, or the wrong one).
pub(super) const DIGEST_DIFFERS: &str = "the file's digest differs from the one signed";

/// The crate's reason as one line; a digest mismatch (its most common case) said plainly.
fn one_line(e: &pgp::errors::Error) -> String {
    let text = e.to_string();
    if text.contains("invalid signed hash value") {
        return DIGEST_DIFFERS.into();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_signatures(bytes: &[u8], path: &Path) -> Result<Vec<Signature>, SignatureError> {
    let no_signature = |detail: String| SignatureError::NoSignature { path: path.to_path_buf(), detail: Some(detail) };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SignatureError::NoSignature { path: path.to_path_buf(), detail: Some("the file is empty".into()) });
    }
    let (sigs, _headers) = DetachedSignature::from_reader_many(bytes).map_err(|e| no_signature(e.to_string()))?;
    let mut out = Vec::new();
    for sig in sigs {
        out.push(sig.map_err(|e| no_signature(e.to_string()))?.signature);
    }
    Ok(out)
}

/// The issuer fingerprints (or, for an older signature, key ids) a signature names.
fn issuer_names(sig: &Signature) -> Vec<String> {
    let fprs: Vec<String> = sig.issuer_fingerprint().iter().map(|f| hex::encode_upper(f.as_bytes())).collect();
    if !fprs.is_empty() {
        return fprs.into_iter().map(|f| format!("key {f}")).collect();
    }
    sig.issuer_key_id().iter().map(|id| format!("key id {}", hex::encode_upper(id.as_ref()))).collect()
}

/// The keyring's key that issued `sig`: the key and `None` for its primary, `Some(i)` for its subkey `i`.
fn find_signer<'k>(sig: &Signature, keyring: &'k Keyring) -> Option<(&'k SignedPublicKey, Option<usize>)> {
    let fprs = sig.issuer_fingerprint();
    let ids = sig.issuer_key_id();
    let matches = |k: &dyn KeyDetails| {
        fprs.iter().any(|f| **f == k.fingerprint())
            || (fprs.is_empty() && ids.iter().any(|id| **id == k.legacy_key_id()))
    };
    for key in &keyring.keys {
        if matches(&key.primary_key) {
            return Some((key, None));
        }
        if let Some(i) = key.public_subkeys.iter().position(|s| matches(&s.key)) {
            return Some((key, Some(i)));
        }
    }
    None
}

/// Why a key may not vouch for a signature.
enum Invalid {
    Revoked(String),
    Expired { signed_at: u32, expired_at: u32 },
    NotSigning(String),
}

impl Invalid {
    fn into_error(self, path: PathBuf, key: Fingerprint) -> SignatureError {
        match self {
            Invalid::Revoked(reason) => SignatureError::Revoked { path, key, reason },
            Invalid::Expired { signed_at, expired_at } => SignatureError::Expired { path, key, signed_at, expired_at },
            Invalid::NotSigning(why) => SignatureError::NotSigningKey { path, key, why },
        }
    }
}

/// The primary key's self-signatures that verify (over a user id, or directly on the key).
fn valid_self_signatures(key: &SignedPublicKey) -> Vec<&Signature> {
    let primary = &key.primary_key;
    let mut out: Vec<&Signature> = key
        .details
        .users
        .iter()
        .flat_map(|u| u.signatures.iter().filter(move |s| s.verify_certification(primary, Tag::UserId, &u.id).is_ok()))
        .collect();
    out.extend(key.details.direct_signatures.iter().filter(|s| s.verify_key(primary).is_ok()));
    out
}

fn newest<'s>(sigs: impl IntoIterator<Item = &'s Signature>) -> Option<&'s Signature> {
    sigs.into_iter().max_by_key(|s| s.created().map(|t| t.as_secs()).unwrap_or(0))
}

fn revocation_reason(sig: &Signature) -> String {
    match sig.revocation_reason_string() {
        Some(r) if !r.is_empty() => format!(" (\"{}\")", String::from_utf8_lossy(r)),
        _ => String::new(),
    }
}

/// Checks that `key` (its primary, or subkey `signer`) could make a signature at `signed_at`.
fn check_key_valid(key: &SignedPublicKey, signer: Option<usize>, signed_at: Option<u32>) -> Result<(), Invalid> {
    let primary = &key.primary_key;
    if let Some(rev) = key.details.revocation_signatures.iter().find(|s| s.verify_key(primary).is_ok()) {
        return Err(Invalid::Revoked(revocation_reason(rev)));
    }
    let Some(self_sig) = newest(valid_self_signatures(key)) else {
        return Err(Invalid::NotSigning(
            "the key carries no valid self-signature (its user ids are not signed by it)".into(),
        ));
    };
    let expired = |created: u32, sig: &Signature| -> Result<(), Invalid> {
        if let (Some(signed_at), Some(valid_for)) = (signed_at, sig.key_expiration_time()) {
            let expired_at = created.saturating_add(valid_for.as_secs());
            if valid_for.as_secs() != 0 && signed_at > expired_at {
                return Err(Invalid::Expired { signed_at, expired_at });
            }
        }
        Ok(())
    };
    expired(primary.created_at().as_secs(), self_sig)?;
    match signer {
        None => {
            if has_key_flags(self_sig) && !self_sig.key_flags().sign() {
                return Err(Invalid::NotSigning("its self-signature does not allow signing".into()));
            }
            Ok(())
        }
        Some(i) => check_subkey(key, &key.public_subkeys[i], signed_at, &expired),
    }
}

fn check_subkey(
    key: &SignedPublicKey,
    sub: &SignedPublicSubKey,
    _signed_at: Option<u32>,
    expired: &dyn Fn(u32, &Signature) -> Result<(), Invalid>,
) -> Result<(), Invalid> {
    let primary = &key.primary_key;
    let verifies = |s: &&Signature| s.verify_subkey_binding(primary, &sub.key).is_ok();
    if let Some(rev) = sub.signatures.iter().filter(|s| s.typ() == Some(SignatureType::SubkeyRevocation)).find(verifies)
    {
        return Err(Invalid::Revoked(revocation_reason(rev)));
    }
    let bindings = sub.signatures.iter().filter(|s| s.typ() == Some(SignatureType::SubkeyBinding)).filter(verifies);
    let Some(binding) = newest(bindings) else {
        return Err(Invalid::NotSigning(
            "the subkey that signed is not bound to its primary key by a valid signature".into(),
        ));
    };
    if !binding.key_flags().sign() {
        return Err(Invalid::NotSigning("the subkey that signed is not bound as a signing subkey".into()));
    }
    let back_signed =
        binding.embedded_signature().is_some_and(|b| b.verify_primary_key_binding(&sub.key, primary).is_ok());
    if !back_signed {
        return Err(Invalid::NotSigning("the signing subkey has no valid back-signature to its primary key".into()));
    }
    expired(sub.key.created_at().as_secs(), binding)
}

fn has_key_flags(sig: &Signature) -> bool {
    sig.config()
        .is_some_and(|c| c.hashed_subpackets().any(|p| matches!(p.data, pgp::packet::SubpacketData::KeyFlags(_))))
}

#[cfg(test)]
mod tests;
