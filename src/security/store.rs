//! The secrets store: everything secret about one secured cluster, on the wizard's machine only — never in the
//! project file, never in a file shown in Review or written by export, never in logs or events.
//!
//! One TOML file per cluster, `$XDG_DATA_HOME/kafka-wizard/secrets/<cluster id>.toml` (else
//! `~/.local/share/…`), mode 0600 in a 0700 directory, holding the generated CA (certificate and key), each host's
//! certificate and key (with the names it was issued for), and every SCRAM password. `ensure` creates what is
//! missing on first need and reuses it after: a new host, a host whose names changed, or a certificate close to
//! expiry gets a new certificate; a new user gets a new password. A lost store is not a lock-out: before the cluster
//! is formatted the next run simply makes a new one (and says so, `StoreNotes`); after, it is rebuilt from the hosts
//! (`security::recover`, `save_recovered`: everything but the CA key, which is then recorded as lost).
//!
//! Owns: the store's location and format, and `SecretMaterial` — the secret values rendering puts into files
//! (real ones for deploy; `SecretMaterial::placeholders` for Review and export).

use super::pki::{inspect_certificate, CertifiedKey, ClusterCa, PkiError};
use super::{random_password, Secret};
use crate::project::spec::{CertificateSource, ClusterSpec, Coordination, HostSpec, SecuritySpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Length of generated SCRAM passwords (`[A-Za-z0-9]`, about 190 bits).
pub const PASSWORD_LENGTH: usize = 32;
/// A host certificate closer than this to its expiry is re-issued by the next run.
const RENEW_BEFORE_SECONDS: i64 = 30 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("secrets store {path}: {detail}")]
    Io { path: String, detail: String },
    #[error(
        "secrets store {path} is damaged ({detail}) — restore it from a backup, or move it away and deploy with --recover-secrets (it is rebuilt from the hosts)"
    )]
    Damaged { path: String, detail: String },
    #[error("{0}")]
    Pki(#[from] PkiError),
    #[error("{field}: cannot read {path}: {detail}")]
    Provided { field: String, path: String, detail: String },
    #[error("the secrets store {path} lacks {what}")]
    Incomplete { path: String, what: String },
    /// A host needs a certificate the store cannot issue: the CA key was lost (the store was recovered from the
    /// hosts, which hold only the CA's certificate).
    #[error("{host} needs a new certificate ({why}), but this cluster's CA key is not in the secrets store: it was lost with the store, which was then recovered from the hosts ({lost}), and the hosts hold only the CA's certificate. Issuing a certificate needs a new CA rolled onto every node first: run `kafka-wizard deploy FILE --rotate-ca` with the host's names as they were (three rolling restarts, no outage), then deploy the change")]
    CaKeyLost { host: String, why: String, lost: String },
    #[error("the secrets store {path} exists — recovering from the hosts never replaces a store")]
    Exists { path: String },
}

/// The secret values the generated files of a secured cluster carry.
#[derive(Clone, Debug)]
pub struct SecretMaterial {
    /// The CA certificate (PEM; public, but from the store).
    pub ca_cert: String,
    /// Per host name: the PEM keystore file's content (key, certificate, CA).
    pub keystores: BTreeMap<String, Secret>,
    /// Per SCRAM user: the password.
    pub passwords: BTreeMap<String, Secret>,
    /// ZooKeeper mode: the SASL DIGEST-MD5 passwords of the ensemble's logins, per login
    /// ([`ZOOKEEPER_CLIENT_LOGIN`], [`ZOOKEEPER_QUORUM_LOGIN`]); empty in KRaft mode.
    pub zookeeper: BTreeMap<String, Secret>,
}

impl SecretMaterial {
    /// Stand-ins that name what the real value is and how to get it, for Review and export: no secret, no store
    /// needed.
    pub fn placeholders(spec: &ClusterSpec, security: &SecuritySpec) -> SecretMaterial {
        SecretMaterial {
            ca_cert: format!("# <the cluster's CA certificate (PEM) from the wizard's secrets store: {HOW_TO_GET}>\n"),
            keystores: spec
                .hosts
                .iter()
                .map(|h| {
                    let text = format!(
                        "# <{}'s private key and certificate chain (PEM) from the wizard's secrets store: {HOW_TO_GET}>\n",
                        h.name
                    );
                    (h.name.to_string(), Secret::new(text))
                })
                .collect(),
            passwords: security
                .scram_users()
                .into_iter()
                .map(|u| (u.to_string(), Secret::new(format!("<password of {u}: {HOW_TO_GET}>"))))
                .collect(),
            zookeeper: zookeeper_logins(spec)
                .iter()
                .map(|l| (l.to_string(), Secret::new(format!("<ZooKeeper password of {l}: {HOW_TO_GET}>"))))
                .collect(),
        }
    }

    pub fn password(&self, user: &str) -> &str {
        self.passwords.get(user).map(Secret::expose).unwrap_or("<missing password>")
    }

    /// The password of a ZooKeeper login ([`ZOOKEEPER_CLIENT_LOGIN`], [`ZOOKEEPER_QUORUM_LOGIN`]).
    pub fn zookeeper_password(&self, login: &str) -> &str {
        self.zookeeper.get(login).map(Secret::expose).unwrap_or("<missing password>")
    }
}

/// ZooKeeper mode: the login brokers and the wizard's tools use with the ensemble (SASL DIGEST-MD5; every znode
/// they create is theirs alone to change, docs/facts/kafka.md §13). Its own namespace: no clash with SCRAM users.
pub const ZOOKEEPER_CLIENT_LOGIN: &str = "kafka";
/// ZooKeeper mode: the login ensemble members use with each other on the quorum and election ports.
pub const ZOOKEEPER_QUORUM_LOGIN: &str = "quorum";

/// The ZooKeeper logins a secured cluster needs: both for a ZooKeeper-mode cluster, none in KRaft.
pub fn zookeeper_logins(spec: &ClusterSpec) -> &'static [&'static str] {
    match spec.coordination {
        Coordination::Zookeeper(_) => &[ZOOKEEPER_CLIENT_LOGIN, ZOOKEEPER_QUORUM_LOGIN],
        Coordination::Kraft(_) => &[],
    }
}

/// How a placeholder's reader gets the real value (a placeholder never holds it).
pub const HOW_TO_GET: &str =
    "not exported — deploy writes the real file on the host; `kafka-wizard export --include-secrets` writes it here";

/// A secrets store rebuilt from the hosts after the local one was lost (see `security::recover`).
#[derive(Clone, Debug)]
pub struct RecoveredSecrets {
    /// The CA certificate every host trusts (its key is not on the hosts); `None` with provided certificates.
    pub ca_cert: Option<String>,
    /// When and from where, for the messages of later runs that would need the CA key.
    pub ca_key_lost: String,
    /// Per Kafka host: its key and certificate, and the names the store records it was issued for.
    pub hosts: BTreeMap<String, (CertifiedKey, Vec<String>)>,
    /// Every SCRAM user's password: the brokers' own from the hosts, the others newly generated.
    pub passwords: BTreeMap<String, Secret>,
    /// ZooKeeper mode: the ensemble logins' passwords, from the hosts (empty in KRaft mode).
    pub zookeeper: BTreeMap<String, Secret>,
}

/// What `ensure` did that the operator should hear about (one line each, without secrets).
pub type StoreNotes = Vec<String>;

#[derive(Default, Serialize, Deserialize)]
struct StoreFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca: Option<StoredCert>,
    /// Set when the CA key is not in the store (it was recovered from the hosts): when and how, for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_key_lost: Option<String>,
    #[serde(default)]
    hosts: BTreeMap<String, StoredCert>,
    #[serde(default)]
    passwords: BTreeMap<String, String>,
    /// ZooKeeper mode: the ensemble logins' passwords (absent from stores written before, and in KRaft mode).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    zookeeper: BTreeMap<String, String>,
    /// A CA rotation under way (`deploy --rotate-ca`): the next CA and its host certificates (`rotation.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_next: Option<rotation::CaNext>,
    /// `security.admin_user` as of the last deploy (absent from stores written before, and right after a
    /// recovery): a deploy of a cluster that has run refuses another admin (`apply::secrets::refuse_renaming_admin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admin: Option<String>,
}

/// [`SecretsStore::logins`]: the users with a password, and the recorded admin.
pub type StoredLogins = (Vec<String>, Option<String>);

#[derive(Clone, Serialize, Deserialize)]
struct StoredCert {
    cert: String,
    /// Empty for a CA whose key was lost (`StoreFile.ca_key_lost`).
    #[serde(default)]
    key: String,
    #[serde(default)]
    names: Vec<String>,
}

/// What `build` may do: make what is missing (deploy), or only read — requiring every user's password, or only
/// the admin's and the brokers' (an application user added since the last deploy has none yet).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ensure,
    Load,
    Existing,
    /// What a client needs: the CA certificate (no host's certificate, no ZooKeeper login) and the passwords the
    /// store holds.
    Client,
}

/// One cluster's store file.
#[derive(Clone, Debug)]
pub struct SecretsStore {
    pub path: PathBuf,
}

impl SecretsStore {
    /// The store of `spec`'s cluster in the user's data directory, keyed by the KRaft cluster id (else the name).
    pub fn for_cluster(spec: &ClusterSpec) -> SecretsStore {
        SecretsStore::in_dir(&default_dir(), spec)
    }

    /// The store of `spec`'s cluster in `dir` (tests; a custom location).
    pub fn in_dir(dir: &Path, spec: &ClusterSpec) -> SecretsStore {
        let key = match &spec.coordination {
            Coordination::Kraft(k) => k.cluster_id.as_ref().map(|c| c.as_str().to_string()),
            Coordination::Zookeeper(_) => None,
        }
        .unwrap_or_else(|| spec.name.clone());
        SecretsStore { path: dir.join(format!("{key}.toml")) }
    }

    /// A migration to KRaft finalized: the project, rewritten to KRaft mode with `cluster_id`, finds its store under
    /// that id (`in_dir`), so the store of the ZooKeeper-mode project (keyed by its name) is renamed to it — the
    /// same secrets, one copy. Returns the new path, or None when there is nothing to move (no store here, or moved
    /// already); refuses to replace a store the id already has.
    pub fn rekey_as_kraft(&self, cluster_id: &str) -> Result<Option<PathBuf>, StoreError> {
        let to = self.path.with_file_name(format!("{cluster_id}.toml"));
        if to == self.path || !self.path.exists() {
            return Ok(None);
        }
        let failed = |detail: String| StoreError::Io { path: self.path.display().to_string(), detail };
        if to.exists() {
            return Err(failed(format!("cannot move it to {}: a store is there already — keep the one of this cluster (compare their CA) and delete the other", to.display())));
        }
        std::fs::rename(&self.path, &to).map_err(|e| failed(format!("cannot move it to {}: {e}", to.display())))?;
        Ok(Some(to))
    }

    /// Loads the store, adds what `spec` needs and lacks (saving it, 0600), and returns the material.
    pub fn ensure(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
    ) -> Result<(SecretMaterial, StoreNotes), StoreError> {
        self.ensure_at(spec, security, time::OffsetDateTime::now_utc())
    }

    /// The SCRAM users the store holds a password for, and the admin of the last deploy when the store recorded it;
    /// `None` when there is no store (nothing else is read).
    pub fn logins(&self) -> Result<Option<StoredLogins>, StoreError> {
        let shown = self.path.display().to_string();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io { path: shown, detail: e.to_string() }),
        };
        let file = toml::from_str::<StoreFile>(&text)
            .map_err(|e| StoreError::Damaged { path: shown, detail: e.message().to_string() })?;
        Ok(Some((file.passwords.into_keys().collect(), file.admin)))
    }

    /// The material of an existing, complete store; nothing is made or saved (status, health checks, dry runs).
    pub fn load(&self, spec: &ClusterSpec, security: &SecuritySpec) -> Result<SecretMaterial, StoreError> {
        self.build(spec, security, time::OffsetDateTime::now_utc(), Mode::Load).map(|(m, _)| m)
    }

    /// Like [`load`](Self::load), but an application user the store has no password for yet (added to the project
    /// since the last deploy) is left out of `passwords` instead of refused: what logging in as the admin and a dry
    /// run need.
    pub fn load_existing(&self, spec: &ClusterSpec, security: &SecuritySpec) -> Result<SecretMaterial, StoreError> {
        self.build(spec, security, time::OffsetDateTime::now_utc(), Mode::Existing).map(|(m, _)| m)
    }

    /// What a client of the cluster needs (`client-config`): the CA certificate clients trust (both CAs during a
    /// rotation) and the SCRAM passwords the store holds — no host certificate is looked at, so a project with hosts
    /// not deployed yet (or whose certificates cannot be issued until the CA is rotated) still gives its clients'
    /// configuration. Changes nothing.
    pub fn load_for_client(&self, spec: &ClusterSpec, security: &SecuritySpec) -> Result<SecretMaterial, StoreError> {
        self.build(spec, security, time::OffsetDateTime::now_utc(), Mode::Client).map(|(m, _)| m)
    }

    /// The SCRAM users the wizard made for this cluster — the ones the store holds a password of (none without a
    /// store).
    pub fn users_made(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.read()?.map(|file| file.passwords.into_keys().collect()).unwrap_or_default())
    }

    /// Drops `users`' passwords from the store (users the project no longer lists, deleted from the cluster).
    pub fn forget_users(&self, users: &[String]) -> Result<(), StoreError> {
        let Some(mut file) = self.read()? else { return Ok(()) };
        let before = file.passwords.len();
        file.passwords.retain(|user, _| !users.contains(user));
        if file.passwords.len() == before {
            return Ok(());
        }
        self.save(&file)
    }

    /// The store's file, `None` when there is none.
    fn read(&self) -> Result<Option<StoreFile>, StoreError> {
        let shown = self.path.display().to_string();
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str::<StoreFile>(&text)
                .map(Some)
                .map_err(|e| StoreError::Damaged { path: shown, detail: e.message().to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path: shown, detail: e.to_string() }),
        }
    }

    pub fn ensure_at(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
        now: time::OffsetDateTime,
    ) -> Result<(SecretMaterial, StoreNotes), StoreError> {
        self.build(spec, security, now, Mode::Ensure)
    }

    fn build(
        &self,
        spec: &ClusterSpec,
        security: &SecuritySpec,
        now: time::OffsetDateTime,
        mode: Mode,
    ) -> Result<(SecretMaterial, StoreNotes), StoreError> {
        let make = mode == Mode::Ensure;
        let shown = self.path.display().to_string();
        let lacks = |what: String| StoreError::Incomplete { path: shown.clone(), what };
        let mut notes = Vec::new();
        let mut file = match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str::<StoreFile>(&text)
                .map_err(|e| StoreError::Damaged { path: shown.clone(), detail: e.message().to_string() })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !make => {
                return Err(StoreError::Io { path: shown, detail: "not found".into() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                notes.push(format!(
                    "no secrets store for this cluster at {shown}: creating it — a new CA, new host certificates and new passwords (a cluster deployed before with another store gets them on this run)"
                ));
                StoreFile::default()
            }
            Err(e) => return Err(StoreError::Io { path: shown, detail: e.to_string() }),
        };
        let before = toml::to_string(&file).unwrap_or_default();
        let (ca_cert, keystores) = match (&security.certificates, mode) {
            (CertificateSource::Generate, Mode::Client) => {
                let ca = file.ca.as_ref().ok_or_else(|| lacks("the cluster's CA certificate".into()))?;
                (ca.cert.clone(), BTreeMap::new())
            }
            (CertificateSource::Provided { ca_cert, .. }, Mode::Client) => provided_certificates(ca_cert, &[])?,
            (CertificateSource::Generate, _) => generated_certificates(&mut file, spec, now, &mut notes)?,
            (CertificateSource::Provided { ca_cert, hosts }, _) => provided_certificates(ca_cert, hosts)?,
        };
        // During a CA rotation clients and the wizard's own checks trust both CAs.
        let ca_cert = rotation::transition_truststore(&file, ca_cert);
        if !make && !notes.is_empty() {
            return Err(lacks(notes.join("; ")));
        }
        for user in security.scram_users() {
            if !file.passwords.contains_key(user) {
                let optional =
                    matches!(mode, Mode::Existing | Mode::Client) && security.users.iter().any(|u| u == user);
                if optional {
                    continue;
                }
                if !make {
                    return Err(lacks(format!("the password of {user}")));
                }
                file.passwords.insert(user.to_string(), random_password(PASSWORD_LENGTH).expose().to_string());
                if !notes.iter().any(|n| n.starts_with("no secrets store")) {
                    notes.push(format!("generated a password for SCRAM user {user}"));
                }
            }
        }
        let logins = if mode == Mode::Client { &[][..] } else { zookeeper_logins(spec) };
        for login in logins {
            if !file.zookeeper.contains_key(*login) {
                if !make {
                    return Err(lacks(format!("the ZooKeeper password of {login}")));
                }
                file.zookeeper.insert(login.to_string(), random_password(PASSWORD_LENGTH).expose().to_string());
                if !notes.iter().any(|n| n.starts_with("no secrets store")) {
                    notes.push(format!("generated a ZooKeeper password for {login}"));
                }
            }
        }
        if make && file.admin.as_deref() != Some(security.admin_user.as_str()) {
            file.admin = Some(security.admin_user.clone());
        }
        if toml::to_string(&file).unwrap_or_default() != before {
            self.save(&file)?;
        }
        let passwords = security
            .scram_users()
            .into_iter()
            .filter_map(|u| Some((u.to_string(), Secret::new(file.passwords.get(u)?.clone()))))
            .collect();
        let zookeeper = logins.iter().map(|l| (l.to_string(), Secret::new(file.zookeeper[*l].clone()))).collect();
        Ok((SecretMaterial { ca_cert, keystores, passwords, zookeeper }, notes))
    }

    /// Makes the store from what was recovered from the hosts (`security::recover`): the CA certificate without its
    /// key (noted as lost), each host's key and certificate, and the passwords. Never replaces an existing store.
    pub fn save_recovered(&self, recovered: &RecoveredSecrets) -> Result<(), StoreError> {
        if self.path.exists() {
            return Err(StoreError::Exists { path: self.path.display().to_string() });
        }
        let file = StoreFile {
            ca: recovered.ca_cert.as_ref().map(|cert| StoredCert {
                cert: cert.clone(),
                key: String::new(),
                names: vec![],
            }),
            ca_key_lost: recovered.ca_cert.as_ref().map(|_| recovered.ca_key_lost.clone()),
            hosts: recovered
                .hosts
                .iter()
                .map(|(host, (cert, names))| {
                    let stored = StoredCert {
                        cert: cert.cert_pem.clone(),
                        key: cert.key_pem.expose().to_string(),
                        names: names.clone(),
                    };
                    (host.clone(), stored)
                })
                .collect(),
            passwords: recovered.passwords.iter().map(|(u, p)| (u.clone(), p.expose().to_string())).collect(),
            zookeeper: recovered.zookeeper.iter().map(|(l, p)| (l.clone(), p.expose().to_string())).collect(),
            ca_next: None,
            admin: None,
        };
        self.save(&file)
    }

    /// The generated CA's certificate (PEM, public) from the store; `None` when there is no store yet or it holds
    /// no CA. Reads nothing else from the store and makes nothing.
    pub fn ca_certificate(&self) -> Result<Option<String>, StoreError> {
        let shown = self.path.display().to_string();
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str::<StoreFile>(&text)
                .map(|file| file.ca.map(|ca| ca.cert))
                .map_err(|e| StoreError::Damaged { path: shown, detail: e.message().to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path: shown, detail: e.to_string() }),
        }
    }

    /// Writes the store atomically: a 0600 temporary file beside it, then a rename; the directory is 0700.
    fn save(&self, file: &StoreFile) -> Result<(), StoreError> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| StoreError::Io { path: self.path.display().to_string(), detail: e.to_string() };
        let dir = self.path.parent().expect("a store file has a directory");
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        let text = format!(
            "# kafka-wizard secrets store: the CA, host keys and SCRAM passwords of one cluster. Keep it private (0600).\n\
             # Losing it is not a lock-out: `kafka-wizard deploy --recover-secrets` rebuilds it from the hosts.\n{}",
            toml::to_string(file).expect("the store serialises")
        );
        let tmp = self.path.with_extension("toml.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut out = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(io)?;
        out.write_all(text.as_bytes()).and_then(|_| out.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

/// `$XDG_DATA_HOME/kafka-wizard/secrets`, else `~/.local/share/kafka-wizard/secrets`.
pub fn default_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".local/share")
    });
    data.join("kafka-wizard/secrets")
}

/// Every DNS name and IP a client or another node may dial `host` by: its name and its address.
pub fn host_names(host: &HostSpec) -> Vec<String> {
    let mut names = vec![host.name.to_string()];
    if let Some(a) = &host.address {
        if a.as_str() != host.name.as_str() {
            names.push(a.to_string());
        }
    }
    names
}

type Certificates = (String, BTreeMap<String, Secret>);

fn generated_certificates(
    file: &mut StoreFile,
    spec: &ClusterSpec,
    now: time::OffsetDateTime,
    notes: &mut StoreNotes,
) -> Result<Certificates, StoreError> {
    let ca = match (&file.ca, &file.ca_key_lost) {
        (Some(_), Some(_)) => None,
        (Some(c), None) => Some(ClusterCa::from_pem(c.cert.clone(), Secret::new(c.key.clone()))?),
        (None, _) => {
            let ca = ClusterCa::generate_at(&spec.name, now)?;
            let info = inspect_certificate(ca.cert_pem(), "the new CA")?;
            notes.push(format!("generated the cluster's CA (SHA-256 {})", info.sha256_fingerprint));
            file.ca = Some(StoredCert {
                cert: ca.cert_pem().to_string(),
                key: ca.0.key_pem.expose().to_string(),
                names: vec![],
            });
            file.ca_key_lost = None;
            Some(ca)
        }
    };
    let ca_cert = file.ca.as_ref().map(|c| c.cert.clone()).unwrap_or_default();
    let ca_subject = inspect_certificate(&ca_cert, "the CA").map(|c| c.subject).unwrap_or_default();
    let mut keystores = BTreeMap::new();
    for host in spec.hosts.iter().filter(|h| spec.holds_certificate(h)) {
        let names = host_names(host);
        let stored = file.hosts.get(host.name.as_str());
        let info = stored.and_then(|c| inspect_certificate(&c.cert, "a stored host certificate").ok());
        let why_new = match (stored, &info) {
            (None, _) | (_, None) => Some("a host without one".to_string()),
            (Some(c), _) if c.names != names => Some(format!("its names are now {}", names.join(", "))),
            (_, Some(i)) if i.issuer != ca_subject => Some("issued by another CA".to_string()),
            (_, Some(i)) if i.not_after <= now.unix_timestamp() => Some("its certificate has expired".to_string()),
            (_, Some(i)) if i.not_after - RENEW_BEFORE_SECONDS <= now.unix_timestamp() && ca.is_some() => {
                Some("its certificate expires within 30 days".to_string())
            }
            _ => None,
        };
        let cert = match (why_new, stored) {
            // With the CA key lost, a certificate due for renewal is kept until it expires (then: `CaKeyLost`).
            (None, Some(c)) => CertifiedKey { cert_pem: c.cert.clone(), key_pem: Secret::new(c.key.clone()) },
            (why, _) => {
                let Some(ca) = &ca else {
                    return Err(StoreError::CaKeyLost {
                        host: host.name.to_string(),
                        why: why.unwrap_or_else(|| "a host without one".into()),
                        lost: file.ca_key_lost.clone().unwrap_or_default(),
                    });
                };
                let issued = ca.issue_host_at(BROKER_CN, &names, now)?;
                notes.push(format!("issued a certificate for {} ({})", host.name, names.join(", ")));
                file.hosts.insert(
                    host.name.to_string(),
                    StoredCert { cert: issued.cert_pem.clone(), key: issued.key_pem.expose().to_string(), names },
                );
                issued
            }
        };
        keystores.insert(host.name.to_string(), cert.keystore_pem(&ca_cert));
    }
    Ok((ca_cert, keystores))
}

/// The common name of every generated host certificate: nodes authenticate to the controller listener with it, so
/// `super.users` names one principal, `User:CN=kafka-broker`, whatever the host (their SANs differ).
pub const BROKER_CN: &str = "kafka-broker";

fn provided_certificates(
    ca_cert: &str,
    hosts: &[crate::project::spec::ProvidedHostCert],
) -> Result<Certificates, StoreError> {
    let read = |field: String, path: &str| {
        let full = crate::transport::ssh::expand_tilde(Path::new(path));
        std::fs::read_to_string(full).map_err(|e| StoreError::Provided {
            field,
            path: path.into(),
            detail: e.to_string(),
        })
    };
    let ca = read("security.ca_cert".into(), ca_cert)?;
    let mut keystores = BTreeMap::new();
    for (i, h) in hosts.iter().enumerate() {
        let cert = read(format!("hosts[{i}].tls_cert"), &h.cert)?;
        let key = Secret::new(read(format!("hosts[{i}].tls_key"), &h.key)?);
        keystores.insert(h.host.clone(), CertifiedKey { cert_pem: cert, key_pem: key }.keystore_pem(&ca));
    }
    Ok((ca, keystores))
}

mod rotation;
pub use rotation::{both as both_cas, CaStage, RotationMaterial};

#[cfg(test)]
mod tests;
