//! Groundwork for secure clusters: the cluster's own certificate authority and host certificates (`pki`), the
//! SCRAM client (`scram`), and the settings with which the engine's Kafka client speaks TLS + SASL/SCRAM
//! (`client`, used by `health`). Not yet wired into the project file: nothing here is chosen by a `[security]`
//! section, and deploy still renders plaintext clusters.
//!
//! Owns `Secret`, the one type that carries key material and passwords: it never shows its value in `Debug`, has no
//! `Display`, and is read only through `expose`.

pub mod client;
pub mod pki;
pub mod scram;

pub use client::{KafkaAuth, ScramLogin, TlsTrust};

/// A password or private key. `Debug` prints `Secret(***)`; there is no `Display`, so a secret cannot slip into a
/// message, an event or a log by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// A random password of `len` letters and digits from the OS CSPRNG (`[A-Za-z0-9]` survives every Kafka tool's
    /// parser, docs/facts/kafka.md §10).
    pub fn random_password(len: usize) -> Secret {
        use rand::Rng;
        let value: String =
            rand::rngs::OsRng.sample_iter(&rand::distributions::Alphanumeric).take(len).map(char::from).collect();
        Secret(value)
    }

    /// The value itself, for the one place that must use it (a key file, a SCRAM proof).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_its_value_when_debug_printed() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(Secret(***))");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn random_passwords_are_letters_and_digits_and_differ() {
        let (a, b) = (Secret::random_password(32), Secret::random_password(32));
        assert_eq!(a.expose().len(), 32);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
