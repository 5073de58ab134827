//! Setting SCRAM users' passwords on a running cluster: AlterUserScramCredentials (API 51, KIP-554; KRaft from
//! 3.5), sent to a broker, which forwards it to the active controller — in ZooKeeper mode only the active
//! controller takes it, the others answer NOT_CONTROLLER ([`alter_through_the_controller`] asks the next). The request carries no password: the salted
//! password, computed here with a fresh random salt (docs/facts/kafka.md §11, "Setting a password on a running
//! cluster"). The caller must be allowed to Alter the Cluster: a super user. Used by `apply::recover` to reset the
//! admin's and the application users' passwords after a lost secrets store, and by `apply::users` — with
//! DescribeUserScramCredentials (API 50: which users hold a credential of which mechanism, never a secret) — to
//! create the credentials of users added after the format and retire those of users the project dropped.
//!
//! On KRaft a retired user's credential is never deleted but *disabled*: replaced by a random one nobody knows,
//! marked with [`DISABLED_ITERATIONS`]. A deletion (`RemoveUserScramCredentialRecord`) makes any node restarted
//! afterwards lose every credential of that mechanism — admin's and the brokers' own too — through a bug in Kafka's
//! metadata image (docs/facts/kafka.md §21). [`describe_scram_credentials`] leaves disabled credentials out: no one
//! can log in with them.

use super::scram::ScramMechanism;
use super::{KafkaAuth, Secret};
use crate::health::{bounded, error_code, protocol, Conn, HealthError};
use kafka_protocol::messages::alter_user_scram_credentials_request::{
    ScramCredentialDeletion, ScramCredentialUpsertion,
};
use kafka_protocol::messages::{
    AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, ApiKey, DescribeUserScramCredentialsRequest,
    DescribeUserScramCredentialsResponse,
};
use kafka_protocol::protocol::{Message, StrBytes};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Per user holding a SCRAM credential: the mechanisms it holds one of, as Kafka numbers them
/// ([`mechanism_type`]).
pub type ScramCredentials = BTreeMap<String, Vec<i8>>;

/// What the brokers need for these calls, for the error when one lacks them.
const NEEDS: &str = "a broker of Kafka 3.5 or newer (KRaft) or 2.7 or newer (ZooKeeper mode)";
/// RESOURCE_NOT_FOUND: DescribeUserScramCredentials' answer for a user without a credential.
const RESOURCE_NOT_FOUND: i16 = 91;

/// Iterations of the salted passwords the wizard sets: Kafka's default and minimum for SCRAM (4096).
pub const SCRAM_ITERATIONS: u32 = 4096;
const SALT_BYTES: usize = 32;
/// The iterations of a credential the wizard disabled (KRaft): Kafka's maximum, never used for a credential anyone
/// can log in with — the wizard's own are [`SCRAM_ITERATIONS`] — so the cluster itself tells a disabled user apart.
pub const DISABLED_ITERATIONS: i32 = 16384;

/// One AlterUserScramCredentials' changes: `upsert` sets each `(user, password)` for the call's mechanism,
/// `disable` replaces each `(user, mechanism type)` by a random credential nobody knows ([`DISABLED_ITERATIONS`]),
/// `delete` deletes each `(user, mechanism type)` (ZooKeeper mode only: see the module's docs).
#[derive(Clone, Copy, Default)]
pub struct CredentialChanges<'a> {
    pub upsert: &'a [(String, Secret)],
    pub disable: &'a [(String, i8)],
    pub delete: &'a [(String, i8)],
}

/// Kafka's number for a mechanism in AlterUserScramCredentials (`ScramMechanism.type()`: 1 SHA-256, 2 SHA-512).
pub fn mechanism_type(mechanism: ScramMechanism) -> i8 {
    match mechanism {
        ScramMechanism::Sha256 => 1,
        ScramMechanism::Sha512 => 2,
    }
}

/// Sets each `(user, password)` at `addr` (logged in with `auth`), creating the user when it has no credential of
/// `mechanism` yet. Fails on the first user the server refused, naming it (never the password).
pub async fn set_scram_passwords(
    addr: &str,
    auth: &KafkaAuth,
    mechanism: ScramMechanism,
    users: &[(String, Secret)],
    timeout: Duration,
) -> Result<(), HealthError> {
    alter_scram_credentials(addr, auth, mechanism, CredentialChanges { upsert: users, ..Default::default() }, timeout)
        .await
}

/// NOT_CONTROLLER: how a ZooKeeper-mode broker that is not the active controller answers AlterUserScramCredentials
/// (docs/facts/kafka.md §11); it changed nothing.
const NOT_CONTROLLER: i16 = 41;

/// [`alter_scram_credentials`] through the first of `addrs` that takes it: a broker that answers NOT_CONTROLLER
/// (ZooKeeper mode) or cannot be reached changed nothing, so the next one is asked; any other failure ends it.
pub async fn alter_through_the_controller(
    addrs: &[String],
    auth: &KafkaAuth,
    mechanism: ScramMechanism,
    changes: CredentialChanges<'_>,
    timeout: Duration,
) -> Result<(), HealthError> {
    let mut last = None;
    for addr in addrs {
        match alter_scram_credentials(addr, auth, mechanism, changes, timeout).await {
            Ok(()) => return Ok(()),
            Err(e @ (HealthError::ErrorCode { code: NOT_CONTROLLER, .. } | HealthError::Unreachable { .. })) => {
                last = Some(e)
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| protocol("(no broker)", "no broker to ask".into())))
}

/// One AlterUserScramCredentials at `addr` carrying `changes` ([`CredentialChanges`]), passwords set for
/// `mechanism`. Fails on the first user the server refused, naming it.
pub async fn alter_scram_credentials(
    addr: &str,
    auth: &KafkaAuth,
    mechanism: ScramMechanism,
    changes: CredentialChanges<'_>,
    timeout: Duration,
) -> Result<(), HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let version = conn.negotiate(
            &versions,
            ApiKey::AlterUserScramCredentials,
            AlterUserScramCredentialsRequest::VERSIONS,
            0,
            NEEDS,
        )?;
        let mut req = AlterUserScramCredentialsRequest::default();
        let CredentialChanges { upsert, disable, delete } = changes;
        req.upsertions = upsert.iter().map(|(user, password)| upsertion(mechanism, user, password)).collect();
        req.upsertions.extend(disable.iter().map(|(user, mechanism)| disabling(user, *mechanism)));
        req.deletions = delete.iter().map(|(user, mechanism)| deletion(user, *mechanism)).collect();
        let resp: AlterUserScramCredentialsResponse =
            conn.call(ApiKey::AlterUserScramCredentials, version, &req).await?;
        for result in &resp.results {
            if result.error_code != 0 {
                let message = result.error_message.as_ref().map(|m| format!(": {}", m.as_str())).unwrap_or_default();
                let api = format!("AlterUserScramCredentials for user {}{message}", result.user.as_str());
                return Err(error_code(addr, &api, result.error_code));
            }
        }
        // Kafka answers once per user named, however many of its credentials were asked for.
        let asked: BTreeSet<&str> = upsert
            .iter()
            .map(|(u, _)| u.as_str())
            .chain(disable.iter().chain(delete).map(|(u, _)| u.as_str()))
            .collect();
        if resp.results.len() != asked.len() {
            return Err(protocol(addr, format!("{} results for {} users", resp.results.len(), asked.len())));
        }
        Ok(())
    })
    .await
}

/// DescribeUserScramCredentials of every user at `addr`: who holds a credential of which mechanism — leaving out
/// the credentials the wizard disabled ([`DISABLED_ITERATIONS`]), and a user holding only such.
pub async fn describe_scram_credentials(
    addr: &str,
    auth: &KafkaAuth,
    timeout: Duration,
) -> Result<ScramCredentials, HealthError> {
    bounded(addr, timeout, async {
        let mut conn = Conn::open(addr, auth).await?;
        let versions = conn.api_versions().await?;
        let version = conn.negotiate(
            &versions,
            ApiKey::DescribeUserScramCredentials,
            DescribeUserScramCredentialsRequest::VERSIONS,
            0,
            NEEDS,
        )?;
        let req = DescribeUserScramCredentialsRequest::default();
        let resp: DescribeUserScramCredentialsResponse =
            conn.call(ApiKey::DescribeUserScramCredentials, version, &req).await?;
        if resp.error_code != 0 {
            let message = resp.error_message.as_ref().map(|m| format!(": {}", m.as_str())).unwrap_or_default();
            return Err(error_code(addr, &format!("DescribeUserScramCredentials{message}"), resp.error_code));
        }
        let mut held = ScramCredentials::new();
        for result in &resp.results {
            match result.error_code {
                0 => {
                    let usable = result.credential_infos.iter().filter(|c| c.iterations != DISABLED_ITERATIONS);
                    let mechanisms: Vec<i8> = usable.map(|c| c.mechanism).collect();
                    if !mechanisms.is_empty() {
                        held.insert(result.user.to_string(), mechanisms);
                    }
                }
                RESOURCE_NOT_FOUND => {}
                code => {
                    let api = format!("DescribeUserScramCredentials for user {}", result.user.as_str());
                    return Err(error_code(addr, &api, code));
                }
            }
        }
        Ok(held)
    })
    .await
}

fn deletion(user: &str, mechanism: i8) -> ScramCredentialDeletion {
    let mut d = ScramCredentialDeletion::default();
    d.name = StrBytes::from_string(user.to_string());
    d.mechanism = mechanism;
    d
}

fn random_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A credential nobody can log in with: a random salted password (as long as SHA-512's), never derived from any
/// password and never kept, at [`DISABLED_ITERATIONS`].
fn disabling(user: &str, mechanism: i8) -> ScramCredentialUpsertion {
    let mut u = ScramCredentialUpsertion::default();
    u.name = StrBytes::from_string(user.to_string());
    u.mechanism = mechanism;
    u.iterations = DISABLED_ITERATIONS;
    u.salt = random_bytes(SALT_BYTES).into();
    u.salted_password = random_bytes(64).into();
    u
}

fn upsertion(mechanism: ScramMechanism, user: &str, password: &Secret) -> ScramCredentialUpsertion {
    let salt = random_bytes(SALT_BYTES);
    let salted = super::scram::salted_password(mechanism, password, &salt, SCRAM_ITERATIONS);
    let mut u = ScramCredentialUpsertion::default();
    u.name = StrBytes::from_string(user.to_string());
    u.mechanism = mechanism_type(mechanism);
    u.iterations = SCRAM_ITERATIONS as i32;
    u.salt = salt.into();
    u.salted_password = salted.into();
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upsertion_carries_a_fresh_salt_and_the_salted_password_never_the_password() {
        let password = Secret::new("pencil");
        let a = upsertion(ScramMechanism::Sha512, "orders-app", &password);
        let b = upsertion(ScramMechanism::Sha512, "orders-app", &password);
        assert_eq!((a.mechanism, a.iterations, a.salt.len(), a.salted_password.len()), (2, 4096, 32, 64));
        assert_ne!(a.salt, b.salt);
        assert!(!a.salted_password.windows(6).any(|w| w == b"pencil"));
        assert_eq!(
            a.salted_password.to_vec(),
            crate::security::scram::salted_password(ScramMechanism::Sha512, &password, &a.salt, 4096)
        );
        assert_eq!(upsertion(ScramMechanism::Sha256, "x", &password).mechanism, 1);
    }

    #[test]
    fn a_disabling_upsertion_is_random_every_time_and_carries_the_disabled_mark() {
        let (a, b) = (disabling("billing-app", 2), disabling("billing-app", 2));
        assert_eq!((a.mechanism, a.iterations, a.salt.len(), a.salted_password.len()), (2, 16384, 32, 64));
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.salted_password, b.salted_password);
        assert_ne!(DISABLED_ITERATIONS, SCRAM_ITERATIONS as i32, "the wizard's own credentials are never marked");
    }
}
