//! SHA-512 checksums: the [`Sha512`] value, Apache `.sha512` files (`gpg --print-md` and `sha512sum` styles) and
//! hashing (incrementally while streaming, or a whole file). A release's SHA-512 and its OpenPGP signature are
//! checked in one read of the file by `one_pass`.
//!
//! Owns the parsing rules of `docs/facts/kafka.md` §2: Kafka's `.sha512` files are written by
//! `gpg --print-md SHA512 <name>` (`<name>: ` then uppercase 8-hex groups, wrapped and indented under the first
//! group); other ASF projects use `sha512sum` (`<hex>  <name>` or `<hex> *<name>`). Both are accepted, with any
//! indentation and CRLF line ends.

pub mod apache_keys;
pub mod one_pass;
pub mod signature;
pub mod trust_store;

use sha2::Digest;
use std::io::Read;
use std::path::Path;

/// A SHA-512 digest: 128 lowercase hex chars.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Sha512(String);

impl Sha512 {
    /// Accepts 128 hex digits in either case (no whitespace).
    pub fn from_hex(hex: &str) -> Result<Sha512, ChecksumError> {
        let lower = hex.to_ascii_lowercase();
        check_hex(&lower)?;
        Ok(Sha512(lower))
    }

    /// The digest as 128 lowercase hex chars.
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sha512 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const FORMATS: &str = "`NAME: HEX HEX …` (gpg --print-md SHA512) or `HEX  NAME` (sha512sum)";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChecksumError {
    #[error("the checksum file is empty; expected {FORMATS}")]
    Empty,
    #[error("the checksum has {found} hex digits, a SHA-512 has 128; expected {FORMATS} — is this the right file?")]
    WrongLength { found: usize },
    #[error("the checksum contains {found:?}, which is not a hex digit; expected {FORMATS}")]
    NotHex { found: char },
    #[error(
        "the checksum file is for `{found}`, not for `{expected}`; fetch the `.sha512` that belongs to the tarball"
    )]
    NameMismatch { found: String, expected: String },
}

fn check_hex(lower: &str) -> Result<(), ChecksumError> {
    if let Some(c) = lower.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(ChecksumError::NotHex { found: c });
    }
    if lower.len() != 128 {
        return Err(ChecksumError::WrongLength { found: lower.len() });
    }
    Ok(())
}

/// True when `named` (as written in a checksum file, maybe with a directory) names `expected`.
fn names(named: &str, expected: &str) -> bool {
    named == expected || named.rsplit('/').next() == Some(expected)
}

/// Parses an Apache `.sha512` file: `gpg --print-md SHA512` style (`name: HEX HEX ...` uppercase, grouped, wrapped,
/// any indent, CRLF) and `sha512sum` style (`hex  name` / `hex *name`). When the file names a file, it must be
/// `expected_file_name`.
pub fn parse_sha512_file(text: &str, expected_file_name: &str) -> Result<Sha512, ChecksumError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ChecksumError::Empty);
    }
    // gpg style: the name, a colon, then the digest in groups over one or more lines.
    // (A sha512sum line has no colon: hex digits and a file name without one.)
    if let Some((name, rest)) = text.split_once(':') {
        let name = name.trim();
        if !name.is_empty() && !names(name, expected_file_name) {
            return Err(ChecksumError::NameMismatch { found: name.to_string(), expected: expected_file_name.into() });
        }
        let hex: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        return Sha512::from_hex(&hex);
    }
    // sha512sum style: one `hex  name` line per file; pick the line for our file (or the only line).
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut mismatch = None;
    for line in &lines {
        let (hex, name) = match line.split_once(char::is_whitespace) {
            Some((hex, name)) => (hex, name.trim_start().trim_start_matches('*')),
            None => (*line, ""),
        };
        if name.is_empty() || names(name, expected_file_name) {
            return Sha512::from_hex(hex);
        }
        mismatch.get_or_insert_with(|| name.to_string());
    }
    Err(ChecksumError::NameMismatch { found: mismatch.unwrap_or_default(), expected: expected_file_name.into() })
}

/// Incremental SHA-512 hasher.
#[derive(Clone, Default)]
pub struct Sha512Hasher(sha2::Sha512);

impl Sha512Hasher {
    pub fn new() -> Self {
        Sha512Hasher(sha2::Sha512::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> Sha512 {
        Sha512(hex::encode(self.0.finalize()))
    }
}

/// The SHA-512 of a whole file (read in 1 MiB chunks).
pub fn sha512_of_file(path: &Path) -> std::io::Result<Sha512> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha512Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The real `kafka_2.13-4.0.0.tgz.sha512` (docs/facts/kafka.md §2, verbatim).
    const KAFKA_4_0_0: &str = "kafka_2.13-4.0.0.tgz: 00722AB0 A6B954E0 006994B8 D589DCD8 F26E1827 C47F70B6
                      E820FB45 AA35945C 19163B0F 188CAF0C AF976C11 F7AB005F
                      D368C54E 5851E899 D2DE687A 804A5EB9
";
    const KAFKA_4_0_0_HEX: &str = "00722ab0a6b954e0006994b8d589dcd8f26e1827c47f70b6e820fb45aa35945c19163b0f188caf0caf976c11f7ab005fd368c54e5851e899d2de687a804a5eb9";

    /// Emulates GnuPG's `print_hex()` for `gpg --print-md SHA512 <fname>` (docs/facts/kafka.md Appendix A;
    /// 64-byte digests). `new`: GnuPG >= 2.3.4; otherwise GnuPG 1.4/2.0/2.2.
    fn gpg_print_md(fname: &str, digest: &[u8; 64], new: bool) -> String {
        let mut out = String::new();
        let mut indent = 0;
        if !fname.is_empty() {
            let s = format!("{fname}: ");
            indent = s.len();
            out.push_str(&s);
        }
        if indent > 40 {
            out.push('\n');
            indent = 0;
        }
        let mut count = indent;
        out.push_str(&format!("{:02X}", digest[0]));
        count += 2;
        for (i, b) in digest.iter().enumerate().skip(1) {
            if i % 4 == 0 {
                let wrap = if new { count + 8 >= 79 } else { count + 8 > 79 };
                if wrap {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent));
                    if !new && indent == 0 {
                        out.push(' ');
                    }
                    count = indent;
                } else {
                    out.push(' ');
                    count += 1;
                }
            }
            out.push_str(&format!("{b:02X}"));
            count += 2;
        }
        out.push('\n');
        out
    }

    #[test]
    fn the_real_kafka_4_0_0_checksum_file_parses_to_its_digest() {
        let d = parse_sha512_file(KAFKA_4_0_0, "kafka_2.13-4.0.0.tgz").unwrap();
        assert_eq!(d.as_hex(), KAFKA_4_0_0_HEX);
        assert_eq!(d.to_string(), KAFKA_4_0_0_HEX);
    }

    #[test]
    fn the_emulator_reproduces_the_real_kafka_4_0_0_file_byte_for_byte() {
        let digest: [u8; 64] = hex::decode(KAFKA_4_0_0_HEX).unwrap().try_into().unwrap();
        assert_eq!(gpg_print_md("kafka_2.13-4.0.0.tgz", &digest, true), KAFKA_4_0_0);
        assert_eq!(gpg_print_md("kafka_2.13-4.0.0.tgz", &digest, false), KAFKA_4_0_0);
    }

    #[test]
    fn the_reconstructed_3_9_0_and_2_8_0_checksum_files_parse_to_debeziums_digests() {
        let v390 = "kafka_2.13-3.9.0.tgz: 5324C1F4 4D4C84EA 469712C2 CC3D2D15 545C3716 EDBB5353
                      722DF9C6 61FCC78B 031FCF07 D1C4F030 9C5FDB32 686665DF
                      B0CFFE55 210CD3A1 FE2A3705 38CB4E6D
";
        let v280 = "kafka_2.12-2.8.0.tgz: EE0E2312 53ECA43B FFBFCFFC F431828C 96DF5551 1EAEFC5E
                      ACBA39C4 1232DA99 1B8C7425 F927A780 BABF7972 DC183FF6
                      88CF5B76 EBF400E9 5D3280BC 30741EBB
";
        assert_eq!(
            parse_sha512_file(v390, "kafka_2.13-3.9.0.tgz").unwrap().as_hex(),
            "5324C1F44D4C84EA469712C2CC3D2D15545C3716EDBB5353722DF9C661FCC78B031FCF07D1C4F0309C5FDB32686665DFB0CFFE55210CD3A1FE2A370538CB4E6D".to_ascii_lowercase()
        );
        assert_eq!(
            parse_sha512_file(v280, "kafka_2.12-2.8.0.tgz").unwrap().as_hex(),
            "EE0E231253ECA43BFFBFCFFCF431828C96DF55511EAEFC5EACBA39C41232DA991B8C7425F927A780BABF7972DC183FF688CF5B76EBF400E95D3280BC30741EBB".to_ascii_lowercase()
        );
    }

    #[test]
    fn a_checksum_file_with_crlf_line_ends_and_other_indentation_parses() {
        let crlf = KAFKA_4_0_0.replace('\n', "\r\n").replace("                      ", "\t  ");
        assert_eq!(parse_sha512_file(&crlf, "kafka_2.13-4.0.0.tgz").unwrap().as_hex(), KAFKA_4_0_0_HEX);
    }

    #[test]
    fn sha512sum_style_lines_parse_with_text_and_binary_markers() {
        for sep in ["  ", " *", "\t"] {
            let text = format!("{KAFKA_4_0_0_HEX}{sep}kafka_2.13-4.0.0.tgz\r\n");
            assert_eq!(parse_sha512_file(&text, "kafka_2.13-4.0.0.tgz").unwrap().as_hex(), KAFKA_4_0_0_HEX, "{text:?}");
        }
        let bare = format!("{}\n", KAFKA_4_0_0_HEX.to_ascii_uppercase());
        assert_eq!(parse_sha512_file(&bare, "kafka_2.13-4.0.0.tgz").unwrap().as_hex(), KAFKA_4_0_0_HEX);
    }

    #[test]
    fn a_sha512sum_file_listing_several_files_yields_the_line_of_the_expected_one() {
        let other = "ab".repeat(64);
        let text = format!("{other}  kafka-4.0.0-src.tgz\n{KAFKA_4_0_0_HEX}  ./kafka_2.13-4.0.0.tgz\n");
        assert_eq!(parse_sha512_file(&text, "kafka_2.13-4.0.0.tgz").unwrap().as_hex(), KAFKA_4_0_0_HEX);
    }

    #[test]
    fn a_checksum_file_for_another_file_is_refused_naming_both() {
        let err = parse_sha512_file(KAFKA_4_0_0, "kafka_2.13-4.1.1.tgz").unwrap_err();
        assert_eq!(
            err,
            ChecksumError::NameMismatch {
                found: "kafka_2.13-4.0.0.tgz".into(),
                expected: "kafka_2.13-4.1.1.tgz".into()
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("kafka_2.13-4.0.0.tgz") && msg.contains("kafka_2.13-4.1.1.tgz"), "{msg}");
        let sum = format!("{KAFKA_4_0_0_HEX}  kafka_2.13-4.0.0.tgz\n");
        assert!(matches!(parse_sha512_file(&sum, "x.tgz"), Err(ChecksumError::NameMismatch { .. })));
    }

    #[test]
    fn short_long_non_hex_and_empty_checksums_are_refused() {
        let name = "kafka_2.13-4.0.0.tgz";
        let short = format!("{name}: {}", &KAFKA_4_0_0_HEX[..127]);
        assert_eq!(parse_sha512_file(&short, name), Err(ChecksumError::WrongLength { found: 127 }));
        let long = format!("{name}: {KAFKA_4_0_0_HEX}0");
        assert_eq!(parse_sha512_file(&long, name), Err(ChecksumError::WrongLength { found: 129 }));
        let not_hex = KAFKA_4_0_0.replace("804A5EB9", "804A5EBG");
        assert_eq!(parse_sha512_file(&not_hex, name), Err(ChecksumError::NotHex { found: 'g' }));
        let html = "<html><body>404 Not Found</body></html>";
        assert!(parse_sha512_file(html, name).is_err());
        assert_eq!(parse_sha512_file(" \r\n", name), Err(ChecksumError::Empty));
        assert!(Sha512::from_hex(&KAFKA_4_0_0_HEX[1..]).is_err());
        assert!(ChecksumError::WrongLength { found: 127 }.to_string().contains("128"));
    }

    #[test]
    fn the_hasher_computes_the_known_sha512_of_abc() {
        let mut h = Sha512Hasher::new();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(
            h.finish().as_hex(),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn hashing_a_file_equals_hashing_its_bytes_incrementally() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut h = Sha512Hasher::new();
        for chunk in data.chunks(12345) {
            h.update(chunk);
        }
        assert_eq!(sha512_of_file(&path).unwrap(), h.finish());
    }

    proptest! {
        #[test]
        fn any_digest_written_gpg_style_parses_back_to_itself(
            digest in proptest::array::uniform32(any::<u8>()).prop_flat_map(|a| {
                proptest::array::uniform32(any::<u8>()).prop_map(move |b| {
                    let mut d = [0u8; 64]; d[..32].copy_from_slice(&a); d[32..].copy_from_slice(&b); d
                })
            }),
            name in "[a-z0-9_.-]{1,60}",
            new in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            let mut text = gpg_print_md(&name, &digest, new);
            if crlf { text = text.replace('\n', "\r\n"); }
            let parsed = parse_sha512_file(&text, &name).unwrap();
            prop_assert_eq!(parsed.as_hex(), hex::encode(digest));
        }
    }
}
