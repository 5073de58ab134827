//! A tiny writer for Java `.properties` files: sections with comments, `key=value` lines, values escaped so
//! that Java's `Properties.load` reads back exactly what was meant.

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
            self.out.push_str(line);
            self.out.push('\n');
        }
        self
    }

    pub fn set(&mut self, key: &str, value: impl AsRef<str>) -> &mut Self {
        self.out.push_str(key);
        self.out.push('=');
        self.out.push_str(&escape_value(value.as_ref()));
        self.out.push('\n');
        self
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// Escapes a value for `Properties.load`: backslashes, and leading whitespace (which would be stripped).
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, ch) in value.chars().enumerate() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ' ' if i == 0 => out.push_str("\\ "),
            _ => out.push(ch),
        }
    }
    out
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
}
