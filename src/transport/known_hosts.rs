//! OpenSSH `known_hosts` files, read and judged by us: plain and hashed (`|1|salt|hash`, HMAC-SHA1) host fields,
//! comma lists, `*`/`?` wildcards, `!` negations, `[host]:port` entries, `@revoked` and `@cert-authority` markers —
//! the parts libssh2's own parser ignores or gets wrong (docs/facts/ssh.md, "Host-key gaps in libssh2's known_hosts
//! handling"). Also host-key fingerprints as OpenSSH prints them and the line we append on trust-on-first-use
//! (hashed when the file already hashes its names). Pure functions except [`append`].
//!
//! Ports follow OpenSSH's `check_host_key` (docs/facts/ssh.md §1, "OpenSSH's rules"): the entries for `host` on
//! port 22, or for `[host]:port`, decide; only when there are none does a plain `host` entry count on another
//! port, and then only if it holds exactly the presented key. `@cert-authority` lines are not verified (libssh2
//! cannot check host certificates): a host they cover whose key is not otherwise known is refused, never trusted
//! on first use.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// What a known_hosts file says about one presented key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An entry for this host has exactly this key.
    Match,
    /// The key is listed under `@revoked`.
    Revoked,
    /// The host has entries, none with this key: the fingerprints of the keys the file expects (`type SHA256:…`).
    Mismatch { expected: Vec<String> },
    /// No entry for this host at all.
    NotFound,
    /// No entry has this key, but a `@cert-authority` line covers the host: it expects a CA-signed host
    /// certificate, which cannot be verified here — refuse rather than trust the key on first use.
    CertAuthorityOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

/// One parsed line of a known_hosts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    marker: Marker,
    hosts: String,
    /// Key type as written (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …).
    pub key_type: String,
    /// The key blob (base64-decoded).
    pub key: Vec<u8>,
}

/// Parses known_hosts text; lines that are not entries (comments, blanks, garbage) are skipped.
pub fn parse(text: &str) -> Vec<Entry> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Entry> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@revoked" => Marker::Revoked,
        "@cert-authority" => Marker::CertAuthority,
        m if m.starts_with('@') => return None,
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_string();
    let key = STANDARD.decode(fields.next()?).ok()?;
    Some(Entry { marker, hosts: first.to_string(), key_type, key })
}

/// The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise.
pub fn host_token(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// `*` and `?` glob match (OpenSSH `match_pattern`), case-insensitive like host names.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((c, rest)) => text.first().is_some_and(|t| t.eq_ignore_ascii_case(c)) && glob(rest, &text[1..]),
    }
}

/// HMAC-SHA1 (RFC 2104) — what OpenSSH's hashed host names are.
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..20].copy_from_slice(&Sha1::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha1::new();
    inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
    inner.update(message);
    let mut outer = Sha1::new();
    outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Does the host field of an entry name `token` (already `[host]:port` for non-22 ports)?
fn hosts_field_matches(field: &str, token: &str) -> bool {
    if let Some(hashed) = field.strip_prefix("|1|") {
        let Some((salt, hash)) = hashed.split_once('|') else { return false };
        let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else { return false };
        return hmac_sha1(&salt, token.as_bytes()).as_slice() == hash.as_slice();
    }
    let mut matched = false;
    for pattern in field.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated.as_bytes(), token.as_bytes()) {
                return false;
            }
        } else if glob(pattern.as_bytes(), token.as_bytes()) {
            matched = true;
        }
    }
    matched
}

/// The entries (any marker) whose host field names one of `names` as looked up on `port`: `host` on port 22,
/// `[host]:port` otherwise.
fn entries_named<'a>(entries: &'a [Entry], names: &[&str], port: u16) -> Vec<&'a Entry> {
    let tokens: Vec<String> = names.iter().map(|name| host_token(name, port)).collect();
    entries.iter().filter(|e| tokens.iter().any(|token| hosts_field_matches(&e.hosts, token))).collect()
}

/// The plain `host` entries OpenSSH falls back to on a non-22 port (none on port 22: those are the port's own).
fn portless_entries<'a>(entries: &'a [Entry], names: &[&str], port: u16) -> Vec<&'a Entry> {
    if port == 22 {
        return Vec::new();
    }
    entries_named(entries, names, 22)
}

/// The entries (any marker) that apply to connecting to any of `names` on `port`: the port's own entries, and —
/// only when those hold no host key, on a non-22 port — the plain `host` entries (OpenSSH's fallback).
pub fn entries_for<'a>(entries: &'a [Entry], names: &[&str], port: u16) -> Vec<&'a Entry> {
    let mut own = entries_named(entries, names, port);
    if !own.iter().any(|e| e.marker == Marker::None) {
        own.extend(portless_entries(entries, names, port));
    }
    own
}

/// Judges the presented key blob `key` for a host known as any of `names`, on `port`, as OpenSSH does: a key
/// `@revoked` for the host is refused; the port's own entries (`host` on 22, `[host]:port` elsewhere) decide
/// when there are any; otherwise, on a non-22 port, a plain `host` entry with exactly this key matches (another
/// key there is no mismatch: the host is new on this port); a host covered only by `@cert-authority` lines is
/// [`Verdict::CertAuthorityOnly`].
pub fn check(entries: &[Entry], names: &[&str], port: u16, key: &[u8]) -> Verdict {
    let own = entries_named(entries, names, port);
    let portless = portless_entries(entries, names, port);
    let all = || own.iter().chain(portless.iter());
    if all().any(|e| e.marker == Marker::Revoked && e.key == key) {
        return Verdict::Revoked;
    }
    let plain: Vec<&&Entry> = own.iter().filter(|e| e.marker == Marker::None).collect();
    if !plain.is_empty() {
        if plain.iter().any(|e| e.key == key) {
            return Verdict::Match;
        }
        let mut expected: Vec<String> = plain.iter().map(|e| describe_key(&e.key)).collect();
        expected.dedup();
        return Verdict::Mismatch { expected };
    }
    if portless.iter().any(|e| e.marker == Marker::None && e.key == key) {
        return Verdict::Match;
    }
    if all().any(|e| e.marker == Marker::CertAuthority) {
        return Verdict::CertAuthorityOnly;
    }
    Verdict::NotFound
}

/// The host-key methods to offer so that the server presents a key type the file knows for this host
/// (an RSA-only file must not become a false mismatch because ed25519 was negotiated). `None`: no entries,
/// keep libssh2's default order. Order follows libssh2's own preference; legacy SHA-1 `ssh-rsa` is never offered.
/// A host only `@cert-authority` covers is offered every plain key type (libssh2 prefers the `-cert-v01` ones), so
/// the refusal shows the host key's own fingerprint, the one `ssh-keygen -lf` prints on the host.
pub fn host_key_methods(entries: &[&Entry]) -> Option<String> {
    const ORDER: [(&str, &[&str]); 5] = [
        ("ssh-ed25519", &["ssh-ed25519"]),
        ("ecdsa-sha2-nistp256", &["ecdsa-sha2-nistp256"]),
        ("ecdsa-sha2-nistp384", &["ecdsa-sha2-nistp384"]),
        ("ecdsa-sha2-nistp521", &["ecdsa-sha2-nistp521"]),
        ("ssh-rsa", &["rsa-sha2-512", "rsa-sha2-256"]),
    ];
    let methods: Vec<&str> = ORDER
        .iter()
        .filter(|(key_type, _)| entries.iter().any(|e| e.marker == Marker::None && e.key_type == *key_type))
        .flat_map(|(_, methods)| methods.iter().copied())
        .collect();
    if methods.is_empty() && entries.iter().any(|e| e.marker == Marker::CertAuthority) {
        return Some(ORDER.iter().flat_map(|(_, methods)| methods.iter().copied()).collect::<Vec<_>>().join(","));
    }
    (!methods.is_empty()).then(|| methods.join(","))
}

/// The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`, `ssh-rsa`.
pub fn key_type_of(blob: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let name = blob.get(4..4 + len)?;
    std::str::from_utf8(name).ok().map(str::to_string)
}

/// OpenSSH's fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256 (as `ssh-keygen -lf` prints).
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

/// `ssh-ed25519 SHA256:…` for messages.
pub fn describe_key(blob: &[u8]) -> String {
    format!("{} {}", key_type_of(blob).unwrap_or_else(|| "unknown-key-type".into()), fingerprint(blob))
}

/// The line remembered on trust-on-first-use: `host keytype base64` (`[host]:port` for non-22 ports).
pub fn line_for(host: &str, port: u16, blob: &[u8]) -> String {
    let key_type = key_type_of(blob).unwrap_or_else(|| "unknown-key-type".into());
    format!("{} {key_type} {}", host_token(host, port), STANDARD.encode(blob))
}

/// The same line with the host name hashed as `ssh-keygen -H` / `HashKnownHosts yes` write it:
/// `|1|base64(salt)|base64(HMAC-SHA1(salt, host token))` with a fresh random 20-byte salt.
pub fn hashed_line_for(host: &str, port: u16, blob: &[u8]) -> String {
    use rand::RngCore;
    let mut salt = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    hashed_line_with_salt(host, port, blob, &salt)
}

fn hashed_line_with_salt(host: &str, port: u16, blob: &[u8], salt: &[u8; 20]) -> String {
    let key_type = key_type_of(blob).unwrap_or_else(|| "unknown-key-type".into());
    let hash = hmac_sha1(salt, host_token(host, port).as_bytes());
    format!("|1|{}|{} {key_type} {}", STANDARD.encode(salt), STANDARD.encode(hash), STANDARD.encode(blob))
}

/// Does the file hash its host names (any host-key entry in `|1|…` form)? Then a remembered key is hashed too,
/// so the file does not start listing the operator's hosts in clear.
pub fn hashes_names(entries: &[Entry]) -> bool {
    entries.iter().any(|e| e.marker == Marker::None && e.hosts.starts_with("|1|"))
}

/// The line to remember for `host` on `port` in a file holding `entries`: hashed when the file hashes.
pub fn remembered_line(entries: &[Entry], host: &str, port: u16, blob: &[u8]) -> String {
    if hashes_names(entries) {
        hashed_line_for(host, port, blob)
    } else {
        line_for(host, port, blob)
    }
}

/// Appends `line` to the known_hosts file `path`, creating its directory (0700) and the file (0600) when missing,
/// and starting on a fresh line if the file does not end with one.
pub fn append(path: &Path, line: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let needs_newline = match std::fs::read(path) {
        Ok(bytes) => !bytes.is_empty() && !bytes.ends_with(b"\n"),
        Err(_) => false,
    };
    let mut file = std::fs::OpenOptions::new().append(true).create(true).mode(0o600).open(path)?;
    let text = format!("{}{line}\n", if needs_newline { "\n" } else { "" });
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests;
