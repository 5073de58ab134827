//! A tiny writer for Java `.properties` files: sections with comments, `key=value` lines, keys and values escaped
//! so that Java's `Properties.load` reads back exactly what was meant.
//!
//! `Properties.load(InputStream)` — how Kafka and ZooKeeper read their files — decodes ISO-8859-1, so the
//! output is printable ASCII only: every other character is written as `\uXXXX`, one escape per UTF-16 code unit
//! (a surrogate pair for a character beyond the BMP), as `Properties.store` does (docs/facts/kafka.md §32).

#[derive(Default)]
pub struct PropertiesWriter {
    out: String,
}

impl PropertiesWriter {
    pub fn new(header: &str) -> Self {
        PropertiesWriter { out: header.to_string() }
    }

    /// Starts a section: a blank line and a comment.
    pub fn section(&mut self, comment: &str) -> &mut Self {
        self.out.push('\n');
        for line in comment.lines() {
            self.out.push_str("# ");
            for ch in line.chars() {
                push_char(&mut self.out, ch);
            }
            self.out.push('\n');
        }
        self
    }

    pub fn set(&mut self, key: &str, value: impl AsRef<str>) -> &mut Self {
        self.out.push_str(&escape_key(key));
        self.out.push('=');
        self.out.push_str(&escape_value(value.as_ref()));
        self.out.push('\n');
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// Escapes a key for `Properties.load`: as a value, plus the characters that would end the key (`=`, `:`,
/// whitespace) or start a comment (`#`, `!`).
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for ch in key.chars() {
        match ch {
            '=' | ':' | ' ' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            _ => push_escaped(&mut out, ch),
        }
    }
    out
}

/// Escapes a value for `Properties.load`: backslashes, leading whitespace (which would be stripped), control
/// characters, and everything outside printable ASCII.
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, ch) in value.chars().enumerate() {
        match ch {
            ' ' if i == 0 => out.push_str("\\ "),
            _ => push_escaped(&mut out, ch),
        }
    }
    out
}

/// One character of a key or value: `\\`, the named escapes, printable ASCII as it is, anything else `\uXXXX`.
fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '\\' => out.push_str("\\\\"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{c}' => out.push_str("\\f"),
        _ => push_char(out, ch),
    }
}

/// Printable ASCII as it is; any other character as `\uXXXX` per UTF-16 code unit (ISO-8859-1-safe output).
fn push_char(out: &mut String, ch: char) {
    if (' '..='~').contains(&ch) {
        out.push(ch);
    } else {
        let mut units = [0u16; 2];
        for unit in ch.encode_utf16(&mut units) {
            out.push_str(&format!("\\u{unit:04X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslashes_and_leading_spaces_survive_java_properties_loading() {
        assert_eq!(escape_value(r"C:\x"), r"C:\\x");
        assert_eq!(escape_value(" a b"), r"\ a b");
        assert_eq!(escape_value("a=b:c"), "a=b:c");
    }

    #[test]
    fn characters_outside_printable_ascii_are_written_as_utf16_escapes() {
        assert_eq!(escape_value("Zürich"), r"Z\u00FCrich");
        assert_eq!(escape_value("日本"), r"\u65E5\u672C");
        assert_eq!(escape_value("ok 🚀"), r"ok \uD83D\uDE80");
        assert_eq!(escape_value("a\tb\u{7f}"), r"a\tb\u007F");
        assert!(escape_value("ü日本🚀\u{0}").bytes().all(|b| (0x20..0x7f).contains(&b)));
    }

    #[test]
    fn keys_escape_separators_comment_marks_and_non_ascii() {
        assert_eq!(escape_key("log.dirs"), "log.dirs");
        assert_eq!(escape_key("a=b:c d#!"), r"a\=b\:c\ d\#\!");
        assert_eq!(escape_key("clé"), r"cl\u00E9");
    }

    #[test]
    fn a_written_file_is_printable_ascii_with_escaped_comments_keys_and_values() {
        let mut w = PropertiesWriter::new("# header\n");
        w.section("Grüße").set("client.id", "日本-🚀");
        assert_eq!(w.finish(), "# header\n\n# Gr\\u00FC\\u00DFe\nclient.id=\\u65E5\\u672C-\\uD83D\\uDE80\n");
    }
}
