//! `kafka-wizard client-config`: what an application needs to reach a secured cluster as one of its users — a Java
//! client `client.properties` (`bootstrap.servers`, `security.protocol`, SCRAM `sasl.jaas.config` with the user's
//! password from the secrets store, the CA as a PEM truststore) and that CA as `ca.pem`, both 0600.
//!
//! Owns: which users may get one (the admin and `security.users`, never the brokers' own login), the file's
//! content, and writing both files privately.

use super::store::{SecretMaterial, SecretsStore, StoreError};
use crate::project::spec::{ClusterSpec, SecuritySpec, BROKER_USER};
use crate::render::properties::PropertiesWriter;
use std::path::{Path, PathBuf};

/// The truststore file written beside `client.properties`.
pub const CA_FILE: &str = "ca.pem";
pub const PROPERTIES_FILE: &str = "client.properties";

#[derive(Debug, thiserror::Error)]
pub enum ClientConfigError {
    #[error("the cluster is plaintext (no [security] section, or protocol = \"plaintext\"): clients need only bootstrap.servers")]
    NotSecured,
    #[error("{user:?} is not a user of this cluster — choose security.admin_user or one of security.users ({known})")]
    UnknownUser { user: String, known: String },
    #[error(
        "{0} — deploy the cluster first (its passwords and CA are made then; a lost store: deploy --recover-secrets)"
    )]
    Store(#[from] StoreError),
    #[error("{user} has no password yet: a user added to security.users gets one when the cluster is next deployed — deploy first")]
    NotMadeYet { user: String },
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
}

/// The users a client configuration can be written for.
pub fn client_users(security: &SecuritySpec) -> Vec<&str> {
    security.scram_users().into_iter().filter(|u| *u != BROKER_USER).collect()
}

/// `client.properties` for `user`, trusting the CA at `ca_path` (absolute).
pub fn client_properties(
    spec: &ClusterSpec,
    security: &SecuritySpec,
    material: &SecretMaterial,
    user: &str,
    ca_path: &Path,
) -> String {
    let header = format!(
        "# Kafka client configuration of user {user} for cluster {}, written by kafka-wizard client-config.\n\
         # It holds {user}'s password: keep it private (mode 0600).\n",
        spec.name
    );
    let mut w = PropertiesWriter::new(&header);
    let port = spec.kafka.listener_port;
    let brokers: Vec<String> = spec.brokers().map(|b| format!("{}:{port}", b.reach().for_host_port())).collect();
    w.set("bootstrap.servers", brokers.join(","));
    w.set("security.protocol", security.protection.kafka_name());
    if security.sasl() {
        w.set("sasl.mechanism", security.mechanism.name());
        w.set(
            "sasl.jaas.config",
            format!(
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"{}\";",
                material.password(user)
            ),
        );
    }
    w.set("ssl.truststore.type", "PEM");
    w.set("ssl.truststore.location", ca_path.display().to_string());
    w.finish()
}

/// Writes `DIR/client.properties` and `DIR/ca.pem` (0600; DIR created 0700 when missing) for `user`, from the
/// cluster's secrets store. Returns both paths.
pub fn write_client_config(spec: &ClusterSpec, user: &str, dir: &Path) -> Result<[PathBuf; 2], ClientConfigError> {
    let security = spec.security.as_ref().ok_or(ClientConfigError::NotSecured)?;
    let users = client_users(security);
    if !users.contains(&user) {
        return Err(ClientConfigError::UnknownUser { user: user.into(), known: users.join(", ") });
    }
    let material = SecretsStore::for_cluster(spec).load_for_client(spec, security)?;
    if !material.passwords.contains_key(user) {
        return Err(ClientConfigError::NotMadeYet { user: user.into() });
    }
    let write_err = |path: &Path, e: std::io::Error| ClientConfigError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| write_err(dir, e))?;
    }
    let dir = std::fs::canonicalize(dir).map_err(|e| write_err(dir, e))?;
    let ca = dir.join(CA_FILE);
    let properties = dir.join(PROPERTIES_FILE);
    write_private(&ca, &material.ca_cert).map_err(|e| write_err(&ca, e))?;
    let text = client_properties(spec, security, &material, user, &ca);
    write_private(&properties, &text).map_err(|e| write_err(&properties, e))?;
    Ok([properties, ca])
}

/// Writes `text` to `path` with mode 0600 (an existing file is replaced and made 0600 too).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::Secret;

    #[test]
    fn a_client_properties_names_every_broker_the_users_scram_login_and_the_pem_truststore() {
        let spec = crate::project::validate(
            &crate::project::parse(include_str!("../../tests/fixtures/kraft-secure.toml")).unwrap(),
        )
        .spec
        .unwrap();
        let security = spec.security.as_ref().unwrap();
        let mut material = SecretMaterial::placeholders(&spec, security);
        material.passwords.insert("orders-app".into(), Secret::new("Pw0rd"));
        let text = client_properties(&spec, security, &material, "orders-app", Path::new("/home/a/cfg/ca.pem"));
        for line in [
            "bootstrap.servers=10.0.0.21:9092,10.0.0.22:9092,10.0.0.23:9092",
            "security.protocol=SASL_SSL",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"orders-app\" password=\"Pw0rd\";",
            "ssl.truststore.type=PEM",
            "ssl.truststore.location=/home/a/cfg/ca.pem",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
        assert_eq!(client_users(security), ["admin", "orders-app"]);
    }
}
