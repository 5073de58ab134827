//! The rules of `known_hosts.rs`, one test each: hashing, patterns, ports, markers, fingerprints, appends.

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
fn the_ports_own_entries_decide_and_a_plain_entry_cannot_vouch_for_a_key_they_contradict() {
    let known = blob("ssh-ed25519", 10);
    let presented = blob("ssh-ed25519", 11);
    // [host]:2222 knows another key; a plain entry with the presented key does not override it (OpenSSH:
    // HOST_CHANGED on the port, no fallback).
    let text = format!("{}\n{}\n", line("[10.0.0.5]:2222", &known), line("10.0.0.5", &presented));
    assert_eq!(
        check(&parse(&text), &["10.0.0.5"], 2222, &presented),
        Verdict::Mismatch { expected: vec![describe_key(&known)] }
    );
    // and a [host]:2222 entry never speaks for port 22
    let text = format!("{}\n{}\n", line("[10.0.0.5]:2222", &presented), line("10.0.0.5", &known));
    assert_eq!(
        check(&parse(&text), &["10.0.0.5"], 22, &presented),
        Verdict::Mismatch { expected: vec![describe_key(&known)] }
    );
}

#[test]
fn a_plain_entry_with_another_key_makes_a_non_standard_port_new_not_changed() {
    let known = blob("ssh-ed25519", 12);
    let presented = blob("ssh-ed25519", 13);
    let entries = parse(&line("10.0.0.5", &known));
    assert_eq!(check(&entries, &["10.0.0.5"], 2222, &presented), Verdict::NotFound);
    assert_eq!(
        check(&entries, &["10.0.0.5"], 22, &presented),
        Verdict::Mismatch { expected: vec![describe_key(&known)] }
    );
}

#[test]
fn a_hashed_plain_entry_is_the_port_22_entry_and_the_fallback_for_other_ports() {
    let key = blob("ssh-ed25519", 14);
    let entries = parse(&hashed_line_with_salt("10.0.0.5", 22, &key, &[3; 20]));
    assert_eq!(check(&entries, &["10.0.0.5"], 22, &key), Verdict::Match);
    assert_eq!(check(&entries, &["10.0.0.5"], 2222, &key), Verdict::Match);
    let other = blob("ssh-ed25519", 15);
    assert_eq!(check(&entries, &["10.0.0.5"], 2222, &other), Verdict::NotFound);
    assert!(matches!(check(&entries, &["10.0.0.5"], 22, &other), Verdict::Mismatch { .. }));
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
fn a_revoked_key_is_refused_on_a_non_standard_port_too() {
    let key = blob("ssh-ed25519", 16);
    let text = format!("@revoked {}\n{}\n", line("h1", &key), line("[h1]:2222", &key));
    assert_eq!(check(&parse(&text), &["h1"], 2222, &key), Verdict::Revoked);
    let text = format!("@revoked {}\n", line("[h1]:2222", &key));
    assert_eq!(check(&parse(&text), &["h1"], 2222, &key), Verdict::Revoked);
}

#[test]
fn a_host_covered_only_by_a_cert_authority_is_refused_rather_than_trusted_on_first_use() {
    let ca = blob("ssh-ed25519", 8);
    let host_key = blob("ssh-ed25519", 17);
    let text = format!("@cert-authority {}\n", line("*.example.org", &ca));
    let entries = parse(&text);
    // neither the CA's own key nor any other key is a host key for it
    assert_eq!(check(&entries, &["h1.example.org"], 22, &ca), Verdict::CertAuthorityOnly);
    assert_eq!(check(&entries, &["h1.example.org"], 22, &host_key), Verdict::CertAuthorityOnly);
    assert_eq!(check(&entries, &["h1.example.org"], 2222, &host_key), Verdict::CertAuthorityOnly);
    // a host the CA line does not cover is simply unknown
    assert_eq!(check(&entries, &["h1.other.org"], 22, &host_key), Verdict::NotFound);
}

#[test]
fn a_host_covered_only_by_a_cert_authority_is_offered_plain_key_types_so_its_own_fingerprint_shows() {
    let entries = parse(&format!("@cert-authority {}\n", line("*.example.org", &blob("ssh-ed25519", 8))));
    let refs = entries_for(&entries, &["h1.example.org"], 22);
    let methods = host_key_methods(&refs).unwrap();
    assert_eq!(
        methods,
        "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
    );
    assert!(!methods.contains("cert"));
}

#[test]
fn a_host_key_listed_beside_a_cert_authority_is_verified_as_usual() {
    let ca = blob("ssh-ed25519", 8);
    let host_key = blob("ssh-ed25519", 17);
    let text = format!("@cert-authority {}\n{}\n", line("*.example.org", &ca), line("h1.example.org", &host_key));
    let entries = parse(&text);
    assert_eq!(check(&entries, &["h1.example.org"], 22, &host_key), Verdict::Match);
    assert!(matches!(check(&entries, &["h1.example.org"], 22, &ca), Verdict::Mismatch { .. }));
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
fn a_hashed_line_is_what_ssh_keygen_writes_and_matches_only_its_host_and_port() {
    let key = blob("ssh-ed25519", 18);
    let l = hashed_line_with_salt("10.0.0.5", 2222, &key, &[5; 20]);
    let salt = STANDARD.encode([5u8; 20]);
    let hash = STANDARD.encode(hmac_sha1(&[5; 20], b"[10.0.0.5]:2222"));
    assert_eq!(l, format!("|1|{salt}|{hash} ssh-ed25519 {}", STANDARD.encode(&key)));
    assert!(!l.contains("10.0.0.5"));
    let entries = parse(&l);
    assert_eq!(check(&entries, &["10.0.0.5"], 2222, &key), Verdict::Match);
    assert_eq!(check(&entries, &["10.0.0.5"], 22, &key), Verdict::NotFound);
    assert_eq!(check(&entries, &["10.0.0.6"], 2222, &key), Verdict::NotFound);
}

#[test]
fn a_key_is_remembered_hashed_when_the_file_hashes_its_names_and_plain_otherwise() {
    let key = blob("ssh-ed25519", 19);
    let hashed_file = parse(&hashed_line_with_salt("h9", 22, &blob("ssh-ed25519", 1), &[1; 20]));
    let plain_file = parse(&line("h9", &blob("ssh-ed25519", 1)));
    let first = remembered_line(&hashed_file, "10.0.0.5", 22, &key);
    let second = remembered_line(&hashed_file, "10.0.0.5", 22, &key);
    assert!(first.starts_with("|1|") && !first.contains("10.0.0.5"), "{first}");
    assert_ne!(first, second, "a fresh salt every time");
    assert_eq!(check(&parse(&first), &["10.0.0.5"], 22, &key), Verdict::Match);
    assert_eq!(remembered_line(&plain_file, "10.0.0.5", 22, &key), line_for("10.0.0.5", 22, &key));
    assert_eq!(remembered_line(&[], "10.0.0.5", 22, &key), line_for("10.0.0.5", 22, &key));
    // a hashed @revoked line alone does not make the file "hashing"
    let revoked = parse(&format!("@revoked {}", hashed_line_with_salt("h9", 22, &key, &[1; 20])));
    assert!(!hashes_names(&revoked));
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
