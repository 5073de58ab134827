//! OpenSSH `known_hosts` files, read and judged by us: plain and hashed (`|1|salt|hash`, HMAC-SHA1) host fields,
//! comma lists, `*`/`?` wildcards, `!` negations, `[host]:port` entries, `@revoked` and `@cert-authority` markers —
//! the parts libssh2's own parser ignores or gets wrong (docs/facts/ssh.md, "Host-key gaps in libssh2's known_hosts
//! handling"). Also host-key fingerprints as OpenSSH prints them and the line we append on trust-on-first-use. Pure
//! functions except [`append`].

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
fn glob(pattern: &[u8], text: &[u8]) -> bool {
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

/// The entries (any marker) that apply to connecting to any of `names` on `port`. For a non-22 port, entries for
/// `[name]:port` apply, and so do plain `name` entries (OpenSSH and libssh2 both accept those,
/// docs/facts/ssh.md, "Handshake and host-key verification").
pub fn entries_for<'a>(entries: &'a [Entry], names: &[&str], port: u16) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|e| {
            names.iter().any(|name| {
                hosts_field_matches(&e.hosts, &host_token(name, port))
                    || (port != 22 && hosts_field_matches(&e.hosts, name))
            })
        })
        .collect()
}

/// Judges the presented key blob `key` for a host known as any of `names`, on `port`.
pub fn check(entries: &[Entry], names: &[&str], port: u16, key: &[u8]) -> Verdict {
    let relevant = entries_for(entries, names, port);
    if relevant.iter().any(|e| e.marker == Marker::Revoked && e.key == key) {
        return Verdict::Revoked;
    }
    let plain: Vec<&&Entry> = relevant.iter().filter(|e| e.marker == Marker::None).collect();
    if plain.iter().any(|e| e.key == key) {
        return Verdict::Match;
    }
    if plain.is_empty() {
        return Verdict::NotFound;
    }
    let mut expected: Vec<String> = plain.iter().map(|e| describe_key(&e.key)).collect();
    expected.dedup();
    Verdict::Mismatch { expected }
}

/// The host-key methods to offer so that the server presents a key type the file knows for this host
/// (an RSA-only file must not become a false mismatch because ed25519 was negotiated). `None`: no entries,
/// keep libssh2's default order. Order follows libssh2's own preference; legacy SHA-1 `ssh-rsa` is never offered.
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
mod tests {
    use super::*;

    /// A fake but well-formed key blob of `key_type`.
    fn blob(key_type: &str, fill: u8) -> Vec<u8> {
        let mut b = (key_type.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(key_type.as_bytes());
        b.extend_from_slice(&[0, 0, 0, 32]);
        b.extend_from_slice(&[fill; 32]);
        b
    }

    fn line(hosts: &str, key: &[u8]) -> String {
        format!("{hosts} {} {}", key_type_of(key).unwrap(), STANDARD.encode(key))
    }

    #[test]
    fn hmac_sha1_matches_the_rfc_2202_test_vector() {
        assert_eq!(
            hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        // key longer than the block size (RFC 2202 test case 6)
        assert_eq!(
            hex::encode(hmac_sha1(&[0xaa; 80], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }

    #[test]
    fn a_hashed_entry_made_by_ssh_keygen_matches_its_host_and_no_other() {
        // `ssh-keygen -H` output for host "10.77.0.11": |1|base64(salt)|base64(HMAC-SHA1(salt, host))
        let salt = [7u8; 20];
        let hash = hmac_sha1(&salt, b"10.77.0.11");
        let field = format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(hash));
        assert!(hosts_field_matches(&field, "10.77.0.11"));
        assert!(!hosts_field_matches(&field, "10.77.0.12"));
        let key = blob("ssh-ed25519", 1);
        let entries = parse(&line(&field, &key));
        assert_eq!(check(&entries, &["h1", "10.77.0.11"], 22, &key), Verdict::Match);
        assert_eq!(check(&entries, &["h2", "10.77.0.12"], 22, &key), Verdict::NotFound);
    }

    #[test]
    fn a_hashed_entry_for_a_non_standard_port_hashes_the_bracketed_form() {
        let salt = [9u8; 20];
        let hash = hmac_sha1(&salt, b"[example.org]:2222");
        let field = format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(hash));
        let key = blob("ssh-ed25519", 2);
        let entries = parse(&line(&field, &key));
        assert_eq!(check(&entries, &["example.org"], 2222, &key), Verdict::Match);
        assert_eq!(check(&entries, &["example.org"], 22, &key), Verdict::NotFound);
    }

    #[test]
    fn lines_hashed_by_the_real_ssh_keygen_match_with_their_fingerprint() {
        // `ssh-keygen -H` (OpenSSH 9.2) of "localhost …" and "[example.org]:2222 …"; `ssh-keygen -lf` of the key
        // printed SHA256:SHTBH4ltqhCYPf7rQrjfoREsX/ic+lMeSdQLuZaf6j0.
        let text = "|1|68Ms1CwRmRT1B6Tz7N4RSIoo1GU=|6jQG8NJ3dZf6AQVDqz39lFqYZbc= ssh-ed25519 \
                    AAAAC3NzaC1lZDI1NTE5AAAAIPyIpURyN0vLYWC289tjNHRpV7ASAASrm5y1bt0qr4iX\n\
                    |1|g5nnL1f0J5rKKFyrJWOca7iQQ2I=|SvmUxIgn7Pl5Gl334Den8lSvfBA= ssh-ed25519 \
                    AAAAC3NzaC1lZDI1NTE5AAAAIPyIpURyN0vLYWC289tjNHRpV7ASAASrm5y1bt0qr4iX\n";
        let entries = parse(text);
        assert_eq!(entries.len(), 2);
        let key = entries[0].key.clone();
        assert_eq!(fingerprint(&key), "SHA256:SHTBH4ltqhCYPf7rQrjfoREsX/ic+lMeSdQLuZaf6j0");
        assert_eq!(check(&entries, &["localhost"], 22, &key), Verdict::Match);
        assert_eq!(check(&entries, &["example.org"], 2222, &key), Verdict::Match);
        assert_eq!(check(&entries, &["example.org"], 22, &key), Verdict::NotFound);
        assert_eq!(check(&entries, &["127.0.0.1"], 22, &key), Verdict::NotFound);
    }

    #[test]
    fn comma_lists_wildcards_and_negations_are_honoured() {
        assert!(hosts_field_matches("h1,10.77.0.11", "h1"));
        assert!(hosts_field_matches("h1,10.77.0.11", "10.77.0.11"));
        assert!(!hosts_field_matches("h1,10.77.0.11", "h11"));
        assert!(hosts_field_matches("10.77.0.*", "10.77.0.12"));
        assert!(hosts_field_matches("H?", "h3"));
        assert!(!hosts_field_matches("!10.77.0.11,10.77.0.*", "10.77.0.11"));
        assert!(hosts_field_matches("!10.77.0.11,10.77.0.*", "10.77.0.12"));
    }

    #[test]
    fn a_non_standard_port_matches_bracketed_entries_and_plain_ones_but_not_another_port() {
        let key = blob("ssh-ed25519", 3);
        let bracketed = parse(&line("[10.0.0.5]:2222", &key));
        assert_eq!(check(&bracketed, &["10.0.0.5"], 2222, &key), Verdict::Match);
        assert_eq!(check(&bracketed, &["10.0.0.5"], 22, &key), Verdict::NotFound);
        assert_eq!(check(&parse(&line("[10.0.0.5]:2200", &key)), &["10.0.0.5"], 2222, &key), Verdict::NotFound);
        assert_eq!(check(&parse(&line("10.0.0.5", &key)), &["10.0.0.5"], 2222, &key), Verdict::Match);
    }

    #[test]
    fn a_different_key_is_a_mismatch_listing_every_expected_fingerprint() {
        let known_ed = blob("ssh-ed25519", 4);
        let known_rsa = blob("ssh-rsa", 5);
        let presented = blob("ssh-ed25519", 6);
        let text = format!("# comment\n\n{}\n{}\n", line("h1,10.77.0.11", &known_ed), line("10.77.0.11", &known_rsa));
        let entries = parse(&text);
        assert_eq!(
            check(&entries, &["h1", "10.77.0.11"], 22, &presented),
            Verdict::Mismatch { expected: vec![describe_key(&known_ed), describe_key(&known_rsa)] }
        );
        assert_eq!(check(&entries, &["h1"], 22, &known_ed), Verdict::Match);
        assert_eq!(check(&entries, &["10.77.0.11"], 22, &known_rsa), Verdict::Match);
    }

    #[test]
    fn a_revoked_key_is_refused_even_when_also_listed_normally() {
        let key = blob("ssh-ed25519", 7);
        let text = format!("@revoked {}\n{}\n", line("h1", &key), line("h1", &key));
        assert_eq!(check(&parse(&text), &["h1"], 22, &key), Verdict::Revoked);
    }

    #[test]
    fn cert_authority_lines_never_count_as_a_host_key() {
        let key = blob("ssh-ed25519", 8);
        let text = format!("@cert-authority {}\n", line("*", &key));
        assert_eq!(check(&parse(&text), &["h1"], 22, &key), Verdict::NotFound);
    }

    #[test]
    fn host_key_methods_follow_the_types_the_file_knows_and_never_offer_sha1_rsa() {
        let rsa = parse(&line("h1", &blob("ssh-rsa", 1)));
        let refs: Vec<&Entry> = rsa.iter().collect();
        assert_eq!(host_key_methods(&refs).as_deref(), Some("rsa-sha2-512,rsa-sha2-256"));
        let both = parse(&format!("{}\n{}\n", line("h1", &blob("ssh-rsa", 1)), line("h1", &blob("ssh-ed25519", 1))));
        let refs: Vec<&Entry> = both.iter().collect();
        assert_eq!(host_key_methods(&refs).as_deref(), Some("ssh-ed25519,rsa-sha2-512,rsa-sha2-256"));
        assert_eq!(host_key_methods(&[]), None);
    }

    #[test]
    fn the_fingerprint_is_openssh_style_sha256_unpadded_base64() {
        // The ed25519 public key of RFC 8709's example and its `ssh-keygen -lf` fingerprint.
        let b64 = "AAAAC3NzaC1lZDI1NTE5AAAAIGuWX3j0vIn8t6cZWeU8I0a/kLv0zFA2jO2jKEDTh2xR";
        let key = STANDARD.decode(b64).unwrap();
        let fp = fingerprint(&key);
        assert!(fp.starts_with("SHA256:") && !fp.ends_with('='), "{fp}");
        assert_eq!(fp.len(), "SHA256:".len() + 43);
        assert_eq!(fp, format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&key))));
        assert_eq!(key_type_of(&key).as_deref(), Some("ssh-ed25519"));
        assert_eq!(describe_key(&key), format!("ssh-ed25519 {fp}"));
    }

    #[test]
    fn the_remembered_line_uses_the_bracketed_form_on_other_ports_and_parses_back() {
        let key = blob("ssh-ed25519", 9);
        let l22 = line_for("10.0.0.5", 22, &key);
        assert!(l22.starts_with("10.0.0.5 ssh-ed25519 AAAA"), "{l22}");
        let l2222 = line_for("10.0.0.5", 2222, &key);
        assert!(l2222.starts_with("[10.0.0.5]:2222 ssh-ed25519 "), "{l2222}");
        assert_eq!(check(&parse(&l2222), &["10.0.0.5"], 2222, &key), Verdict::Match);
    }

    #[test]
    fn append_creates_a_private_file_and_directory_and_keeps_lines_separate() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ssh").join("known_hosts");
        append(&path, "a ssh-ed25519 AAAA").unwrap();
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::write(&path, "a ssh-ed25519 AAAA").unwrap(); // no trailing newline
        append(&path, "b ssh-ed25519 BBBB").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a ssh-ed25519 AAAA\nb ssh-ed25519 BBBB\n");
    }
}
