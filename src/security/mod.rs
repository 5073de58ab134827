//! Secure clusters: the cluster's own certificate authority and host certificates (`pki`), the SCRAM client
//! (`scram`), the settings with which the engine's Kafka client speaks TLS + SASL/SCRAM (`client`, used by
//! `health`), and the per-cluster secrets store on the wizard's machine (`store`: CA, host keys, passwords; the
//! `SecretMaterial` rendering puts into files), a user's client settings (`client_config`), what may be shown of
//! the CA (`ca_info`), ACLs (`acls`: Kafka's codes, the project's grants as bindings, what to create and delete,
//! and the ACL calls), SCRAM credentials on a running cluster (`credentials`; `users`: which SCRAM users it must
//! gain or lose) and a lost store rebuilt from the hosts (`recover`). The project file's `[security]` chooses them
//! (`project::spec::SecuritySpec`).
//!
//! Key material and passwords are `transport::Secret` (re-exported here): `***` in `Debug` and `Display`, read only
//! through `expose`. Owns generating passwords.

pub mod acls;
pub mod ca_info;
pub mod client;
pub mod client_config;
pub mod credentials;
pub mod pki;
pub mod recover;
pub mod scram;
pub mod store;
pub mod users;

pub use crate::transport::Secret;
pub use client::{KafkaAuth, ScramLogin, TlsTrust};

/// A random password of `len` letters and digits from the OS CSPRNG (`[A-Za-z0-9]` survives every Kafka tool's
/// parser, docs/facts/kafka.md §11).
pub fn random_password(len: usize) -> Secret {
    use rand::Rng;
    let value: String =
        rand::rngs::OsRng.sample_iter(&rand::distributions::Alphanumeric).take(len).map(char::from).collect();
    Secret::new(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_passwords_are_letters_and_digits_and_differ() {
        let (a, b) = (random_password(32), random_password(32));
        assert_eq!(a.expose().len(), 32);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert_eq!(format!("{a:?} {a}"), "*** ***");
    }
}
