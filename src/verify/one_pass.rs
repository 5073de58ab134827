//! One read of a release tarball that yields both its SHA-512 and its OpenPGP signature's verdict ([`OnePass`] fed
//! chunk by chunk, or [`check_file`] over a file), so a deploy never reads or hashes the tarball twice.
//!
//! The signature's rules stay in `signature.rs` ([`super::signature::prepare`] applies every one that needs no file
//! bytes); this module only computes the digest the signature covers and checks it, two ways:
//!
//! - **Shared SHA-512 state** — a v4 binary-document signature with SHA-512 (Apache Kafka's releases): the
//!   signature's digest is SHA-512(file ‖ hashed signature data ‖ trailer) (RFC 4880 §5.2.4), so the file is hashed
//!   once; a clone of that state finalized is the file's SHA-512, and the state continued with the signature's
//!   hashed data and trailer (the `pgp` crate's own `hash_signature_data` and `trailer`) is the signed digest. The
//!   checks of `pgp::packet::Signature::verify` that follow the hashing are repeated in the same order: the signed
//!   hash value's first two octets, then the key's own verification of the digest. A v4 signature by a v6 key (which
//!   the crate refuses before hashing) never takes this way.
//! - **Tee** — any other signature (SHA-256 or SHA-384, a text-document signature, v6 with its salt): each chunk is
//!   hashed into the SHA-512 here and handed to a worker thread where the crate's own
//!   `pgp::packet::Signature::verify` reads it as a stream; the two digests are computed at the same time.

use super::signature::{Prepared, SignatureError, Verified};
use super::Sha512;
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{SignatureType, SignatureVersion};
use pgp::types::{KeyDetails, KeyVersion, VerifyingKey};
use sha2::digest::DynDigest;
use sha2::Digest;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;

/// The result of one pass over the same bytes: the file's SHA-512 and the signature's verdict (a caller compares
/// the SHA-512 with the trusted checksum first: a damaged file is a checksum mismatch before it is a bad signature).
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub sha512: Sha512,
    /// How many bytes were read.
    pub bytes: u64,
    pub signature: Result<Verified, SignatureError>,
}

/// Which way the signed digest is computed (module header).
enum Way {
    Shared,
    Tee { chunks: Option<SyncSender<Vec<u8>>>, worker: JoinHandle<pgp::errors::Result<()>> },
}

/// The file's SHA-512 and its signature's digest, fed the file's bytes in order ([`OnePass::update`]), then
/// [`OnePass::finish`]ed.
pub struct OnePass<'p> {
    prepared: &'p Prepared,
    sha512: sha2::Sha512,
    way: Way,
    bytes: u64,
}

/// Chunks in flight to the tee's worker (1 MiB each from [`check_file`]): enough to keep both threads busy.
const TEE_DEPTH: usize = 4;

impl<'p> OnePass<'p> {
    pub fn new(prepared: &'p Prepared) -> OnePass<'p> {
        let way = if shares_sha512(prepared) {
            Way::Shared
        } else {
            let (tx, rx) = std::sync::mpsc::sync_channel(TEE_DEPTH);
            let (sig, key, signer) = (prepared.sig.clone(), prepared.key.clone(), prepared.signer);
            let worker = std::thread::spawn(move || {
                let reader = ChunkReader { chunks: rx, current: Vec::new(), at: 0 };
                match signer {
                    Some(sub) => sig.verify(&key.public_subkeys[sub], reader),
                    None => sig.verify(&key.primary_key, reader),
                }
            });
            Way::Tee { chunks: Some(tx), worker }
        };
        OnePass { prepared, sha512: sha2::Sha512::new(), way, bytes: 0 }
    }

    /// The next bytes of the file.
    pub fn update(&mut self, chunk: &[u8]) {
        Digest::update(&mut self.sha512, chunk);
        self.bytes += chunk.len() as u64;
        if let Way::Tee { chunks, .. } = &mut self.way {
            // A worker that stopped early (the crate refused the signature before reading) reports why at `finish`.
            if chunks.as_ref().is_some_and(|tx| tx.send(chunk.to_vec()).is_err()) {
                *chunks = None;
            }
        }
    }

    /// The file's SHA-512 and the signature's verdict over the bytes fed.
    pub fn finish(self) -> Checked {
        let OnePass { prepared, sha512, way, bytes } = self;
        let file_digest = Sha512(hex::encode(Digest::finalize(sha512.clone())));
        let verdict = match way {
            Way::Shared => verify_from_state(prepared, sha512),
            Way::Tee { chunks, worker } => {
                drop(chunks);
                match worker.join() {
                    Ok(verdict) => verdict.map_err(|e| prepared.failed(e)),
                    Err(_) => Err(prepared.bad_signature("the check stopped unexpectedly".into())),
                }
            }
        };
        Checked { sha512: file_digest, bytes, signature: verdict.map(|()| prepared.verified()) }
    }
}

/// True when the signed digest continues the file's SHA-512 state: a v4 binary-document SHA-512 signature by a v4
/// key (no salt before the data, no line-end normalising of it).
fn shares_sha512(prepared: &Prepared) -> bool {
    let sig = &prepared.sig;
    let key_version = match prepared.signer {
        Some(sub) => prepared.key.public_subkeys[sub].version(),
        None => prepared.key.primary_key.version(),
    };
    sig.version() == SignatureVersion::V4
        && sig.typ() == Some(SignatureType::Binary)
        && sig.hash_alg() == Some(HashAlgorithm::Sha512)
        && key_version == KeyVersion::V4
        && sig.config().is_some()
}

/// The signature's check from the file's SHA-512 state: the hashed signature data and trailer appended, the signed
/// hash value's two octets compared, the digest verified by the key (as `pgp::packet::Signature::verify` does).
fn verify_from_state(prepared: &Prepared, state: sha2::Sha512) -> Result<(), SignatureError> {
    let sig = &prepared.sig;
    let (Some(config), Some(signed_hash_value), Some(signature)) =
        (sig.config(), sig.signed_hash_value(), sig.signature())
    else {
        return Err(prepared.bad_signature("the signature's version is not supported".into()));
    };
    let mut hasher: Box<dyn DynDigest + Send> = Box::new(state);
    let len = config.hash_signature_data(&mut hasher).map_err(|e| prepared.failed(e))?;
    hasher.update(&config.trailer(len).map_err(|e| prepared.failed(e))?);
    let digest = hasher.finalize();
    if digest[..2] != signed_hash_value {
        return Err(prepared.bad_signature(super::signature::DIGEST_DIFFERS.into()));
    }
    let verified = match prepared.signer {
        Some(sub) => prepared.key.public_subkeys[sub].verify(config.hash_alg, &digest, signature),
        None => prepared.key.primary_key.verify(config.hash_alg, &digest, signature),
    };
    verified.map_err(|e| prepared.failed(e))
}

/// The tee's chunks as a stream for the crate.
struct ChunkReader {
    chunks: Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.recv() {
                Ok(next) => (self.current, self.at) = (next, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Reads `path` once (1 MiB chunks) into a [`OnePass`] for `prepared`. `on_chunk(bytes so far)` is called after each
/// chunk; returning false stops the pass with a `Read` error saying it was cancelled. `Err` only when the file could
/// not be read; the signature's verdict is in [`Checked::signature`].
pub fn check_file(
    path: &Path,
    prepared: &Prepared,
    on_chunk: &mut dyn FnMut(u64) -> bool,
) -> Result<Checked, SignatureError> {
    let read_error = |error: String| SignatureError::Read { path: path.to_path_buf(), error };
    let mut file = std::fs::File::open(path).map_err(|e| read_error(e.to_string()))?;
    let mut pass = OnePass::new(prepared);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e.to_string())),
        };
        pass.update(&buf[..n]);
        if !on_chunk(pass.bytes) {
            return Err(read_error("cancelled".into()));
        }
    }
    Ok(pass.finish())
}

#[cfg(test)]
mod tests;
