//! Redaction of everything a support bundle carries: no password, private key or secret value leaves the hosts
//! or the operator's machine in it. Three passes over each text, each counted for the manifest:
//! 1. every secret value the wizard itself made for the cluster (the secrets store's passwords; the private key
//!    blocks of its keystores are caught by pass 2) — replaced wherever it appears, also in log lines;
//! 2. PEM private key blocks (`-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`), whatever made them;
//! 3. the value of a `key=value` / `key: value` line whose key names a secret (password, passwd, secret, credential,
//!    `sasl.jaas.config`, token) and every `password="…"` in JAAS syntax — values an operator added by hand.

use serde::Serialize;
use ts_rs::TS;

/// What replaced a secret value.
pub const REDACTED: &str = "<redacted>";
/// What replaced a private key block.
pub const REDACTED_KEY: &str = "<redacted: private key>";
/// Values shorter than this are not searched for by value (a short value would match ordinary text); the
/// wizard's own passwords are much longer.
const MIN_SECRET_LEN: usize = 8;
/// Words that make a property key a secret's.
const SECRET_KEY_WORDS: [&str; 6] = ["password", "passwd", "secret", "credential", "jaas.config", "token"];

/// How many values of each kind one text had redacted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
pub struct Redactions {
    /// Known secret values (the wizard's own passwords) replaced.
    pub known_values: usize,
    /// Private key blocks removed.
    pub private_keys: usize,
    /// Values of secret-named keys (`…password=…`, JAAS `password="…"`) replaced.
    pub secret_keys: usize,
}

impl Redactions {
    pub fn total(&self) -> usize {
        self.known_values + self.private_keys + self.secret_keys
    }
}

/// The secret values to search for; built once per bundle.
#[derive(Default)]
pub struct Redactor {
    known: Vec<String>,
}

impl Redactor {
    /// A redactor for `values` (the short ones are dropped: see [`MIN_SECRET_LEN`]), longest first so a value that
    /// contains another is replaced whole.
    pub fn new(values: impl IntoIterator<Item = String>) -> Redactor {
        let mut known: Vec<String> = values.into_iter().filter(|v| v.len() >= MIN_SECRET_LEN).collect();
        known.sort_by_key(|v| std::cmp::Reverse(v.len()));
        known.dedup();
        Redactor { known }
    }

    /// `text` with every secret replaced, and the counts.
    pub fn redact(&self, text: &str) -> (String, Redactions) {
        let mut counts = Redactions::default();
        let mut out = text.to_string();
        for value in &self.known {
            let n = out.matches(value.as_str()).count();
            if n > 0 {
                counts.known_values += n;
                out = out.replace(value.as_str(), REDACTED);
            }
        }
        let (out, keys) = remove_private_keys(&out);
        counts.private_keys = keys;
        let mut lines = Vec::new();
        for line in out.split_inclusive('\n') {
            let (line, n) = redact_line(line);
            counts.secret_keys += n;
            lines.push(line);
        }
        (lines.concat(), counts)
    }
}

/// `text` without its PEM private key blocks (each replaced by one [`REDACTED_KEY`] line; an unterminated block is
/// removed to the end), and how many there were.
fn remove_private_keys(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !inside && trimmed.starts_with("-----BEGIN") && trimmed.contains("PRIVATE KEY-----") {
            inside = true;
            count += 1;
            out.push_str(REDACTED_KEY);
            out.push('\n');
            continue;
        }
        if inside {
            if trimmed.starts_with("-----END") && trimmed.contains("PRIVATE KEY-----") {
                inside = false;
            }
            continue;
        }
        out.push_str(line);
    }
    (out, count)
}

/// One line with the values of secret-named keys replaced: JAAS `password="…"` anywhere in it, else a
/// `key=value` or `key: value` line whose key names a secret.
fn redact_line(line: &str) -> (String, usize) {
    let lower = line.to_ascii_lowercase();
    if lower.contains("password=\"") {
        return redact_quoted_passwords(line);
    }
    let Some(sep) = line.find(['=', ':']) else { return (line.to_string(), 0) };
    let key = lower[..sep].trim();
    let value = line[sep + 1..].trim();
    let names_secret = SECRET_KEY_WORDS.iter().any(|w| key.ends_with(w) || key.contains(&format!("{w}.")));
    // a key is one word (no spaces: not a log sentence that mentions a password); an empty value, Kafka's `null`
    // and `[hidden]` (its config dump at start) hide nothing
    let hides_nothing = ["", "null", "[hidden]", "\"\"", REDACTED].contains(&value);
    if !names_secret || key.is_empty() || key.contains(char::is_whitespace) || hides_nothing {
        return (line.to_string(), 0);
    }
    let newline = if line.ends_with('\n') { "\n" } else { "" };
    (format!("{}{REDACTED}{newline}", &line[..=sep]), 1)
}

/// Every `password="…"` (any case) in `line` with its value replaced.
fn redact_quoted_passwords(line: &str) -> (String, usize) {
    const KEY: &str = "password=\"";
    let mut out = String::new();
    let mut rest = line;
    let mut count = 0;
    while let Some(at) = rest.to_ascii_lowercase().find(KEY) {
        let value_start = at + KEY.len();
        out.push_str(&rest[..value_start]);
        let after = &rest[value_start..];
        match closing_quote(after) {
            Some(end) => {
                if &after[..end] != REDACTED {
                    count += 1;
                }
                out.push_str(REDACTED);
                rest = &after[end..];
            }
            None => {
                count += 1;
                out.push_str(REDACTED);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, count)
}

/// Where the quoted value `text` starts ends: its first `"` not escaped by a backslash.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_password_is_replaced_wherever_it_appears_also_in_log_lines() {
        let r = Redactor::new(["s3cr3t-Value-1234".to_string(), "short".to_string()]);
        let (out, n) = r.redact("INFO login as admin with s3cr3t-Value-1234 ok\nshort stays\n");
        assert_eq!(out, "INFO login as admin with <redacted> ok\nshort stays\n");
        assert_eq!(n, Redactions { known_values: 1, ..Default::default() });
    }

    #[test]
    fn jaas_passwords_are_replaced_and_the_rest_of_the_entry_kept() {
        let text = "KafkaServer {\n  org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\"admin\" Password=\"abc\\\"def\";\n};\n";
        let (out, n) = Redactor::default().redact(text);
        assert!(out.contains("username=\"admin\" Password=\"<redacted>\";"), "{out}");
        assert_eq!(n.secret_keys, 1);
    }

    #[test]
    fn secret_named_properties_lose_their_values_but_other_lines_and_sentences_do_not() {
        let text = "ssl.truststore.password=changeit\nlisteners=SASL_SSL://:9092\nsasl.jaas.config: x y z\n\
                    INFO the password is checked: ok\nssl.key.password=\n\tssl.keystore.password = null\n\tsasl.jaas.config = [hidden]\n";
        let (out, n) = Redactor::default().redact(text);
        assert_eq!(
            out,
            "ssl.truststore.password=<redacted>\nlisteners=SASL_SSL://:9092\nsasl.jaas.config:<redacted>\n\
             INFO the password is checked: ok\nssl.key.password=\n\tssl.keystore.password = null\n\tsasl.jaas.config = [hidden]\n"
        );
        assert_eq!(n.secret_keys, 2);
    }

    #[test]
    fn private_key_blocks_are_removed_and_certificates_kept() {
        let text = "-----BEGIN PRIVATE KEY-----\nMIIB\nabcd\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\ncut";
        let (out, n) = Redactor::default().redact(text);
        assert_eq!(
            out,
            "<redacted: private key>\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n<redacted: private key>\n"
        );
        assert_eq!(n.private_keys, 2);
        assert_eq!(n.total(), 2);
    }
}
