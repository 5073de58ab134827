//! Quoting for POSIX shell command lines: every remote argument the engine builds goes through [`quote`].

use std::borrow::Cow;

/// Quotes `arg` for `sh` so it stays one word with its exact bytes; plain words are left as they are.
pub fn quote(arg: &str) -> Cow<'_, str> {
    let plain = !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./:@%+=,-".contains(&b));
    if plain {
        Cow::Borrowed(arg)
    } else {
        Cow::Owned(format!("'{}'", arg.replace('\'', r"'\''")))
    }
}

/// Joins words into one command line, quoting each.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| quote(w.as_ref()).into_owned()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_and_everything_else_is_single_quoted() {
        assert_eq!(quote("/data1"), "/data1");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(reboot)"), "'$(reboot)'");
        assert_eq!(join(&["echo", "a;b"]), "echo 'a;b'");
    }
}
