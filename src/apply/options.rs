//! What a run is given and how it ends: the options of deploy and the operations, the cancel flag, the errors and
//! the summary.

use super::connect::ConnectOptions;
use crate::download::{self, Cache};
use crate::plan::{Limit, LimitError};
use crate::transport::TransportError;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Hosts worked on at once unless the operator says otherwise (`--parallel`). A host in flight costs the wizard one
/// blocking thread waiting on its (already open) session while the host does the work, so a fleet's phases run
/// side by side up to this many hosts: with 8, as before, a 100-host phase ran in 13 waves one after the other.
pub const DEFAULT_PARALLELISM: usize = 32;

#[derive(Clone, Debug)]
pub struct DeployOptions {
    pub connect: ConnectOptions,
    pub cache_dir: PathBuf,
    /// Hosts worked on at once.
    pub parallelism: usize,
    /// How long to wait for each health condition (a ZooKeeper quorum, all brokers in the cluster, …).
    pub health_timeout: Duration,
    /// Install Java with the hosts' package manager where it is missing or too old.
    pub install_java: bool,
    /// Start a rolling restart although the cluster is not healthy before its first node (a warning says so): the
    /// CLI's `--force`, the app's "Restart anyway" after [`ApplyError::NotReadyToRoll`].
    pub force: bool,
    /// The hosts the run touches (`--limit`; all by default). The app never limits a run.
    pub limit: Limit,
    /// A secured cluster whose secrets store is lost: rebuild the store from the hosts and reset the admin's and
    /// the users' passwords (`apply::recover`) instead of refusing ([`ApplyError::SecureFormattedCluster`]).
    pub recover_secrets: bool,
    /// Move the cluster to a new CA of its own (`apply::rotate_ca`, the CLI's `--rotate-ca`): three rolling passes.
    /// A deploy while a rotation is under way continues it without this.
    pub rotate_ca: bool,
    /// Finalize a version upgrade (`upgrade --finalize`, Manage → Finalize upgrade): `apply::upgrade`.
    pub finalize_upgrade: bool,
    /// Convert a running static controller quorum to the project's dynamic one (`apply::convert_quorum`, the CLI's
    /// `--convert-quorum`; Kafka 4.1+, irreversible). Without it such a deploy is refused before anything changes.
    pub convert_quorum: bool,
    /// A project migrating to KRaft: keep the stage (`deploy`), move on (`migrate`) or finalize (`apply::migrate`).
    pub migrate: super::migrate::MigrateIntent,
    /// The user's trusted release-signing keys (`verify::trust_store`; empty when there is no config directory:
    /// then only the pinned Apache keys verify a release).
    pub trust_dir: PathBuf,
    /// Install an offline tarball (`kafka.tarball`) that has no `.asc` beside it, unsigned, with a warning: the
    /// CLI's `--allow-unsigned-offline-tarball` only — never a project-file setting, never the app.
    pub allow_unsigned_offline_tarball: bool,
    /// Make the preflight warnings' remedies (kernel settings, transparent huge pages: `preflight::fix`) once the
    /// preflight passed, before the deploy's own steps: the CLI's `--fix-kernel`.
    pub fix_kernel: bool,
    /// Take over services the wizard did not start (`deploy --adopt`, after `import --hosts`): write the wizard's
    /// files and units onto running hosts, restart nothing and owe no restart — each running service keeps what it
    /// was started with until its next restart (`apply::decide`'s `StartDecision::Adopted`).
    pub adopt: bool,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            connect: ConnectOptions::default(),
            // empty when there is no per-user cache directory: the fetch then refuses (DownloadError::NoCacheDir)
            cache_dir: Cache::default_dir().unwrap_or_default(),
            parallelism: DEFAULT_PARALLELISM,
            health_timeout: Duration::from_secs(180),
            install_java: false,
            force: false,
            limit: Limit::all(),
            recover_secrets: false,
            rotate_ca: false,
            finalize_upgrade: false,
            convert_quorum: false,
            migrate: super::migrate::MigrateIntent::Keep,
            trust_dir: crate::verify::trust_store::TrustStore::default_dir().unwrap_or_default(),
            allow_unsigned_offline_tarball: false,
            fix_kernel: false,
            adopt: false,
        }
    }
}

/// Set from another thread (Ctrl-C, the app's Cancel button): hosts finish their current step, then the run stops.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The shared flag, for code that takes an `Arc<AtomicBool>` (the downloader).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

/// A step that failed on a host.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub host: String,
    pub step: String,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum ApplyError {
    #[error("cannot connect to {} host(s) — nothing was changed on any host:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Connect(Vec<TransportError>),
    #[error(transparent)]
    Download(#[from] download::DownloadError),
    /// Another wizard run holds some of the hosts (`apply::runlock`): refused right after connecting, before
    /// anything was read or changed.
    #[error("another kafka-wizard run is working on {} host(s) — nothing was changed on any host:\n{}", .0.len(), .0.iter().map(|b| format!("  {b}")).collect::<Vec<_>>().join("\n"))]
    HostsBusy(Vec<super::runlock::HostBusy>),
    #[error("{} step(s) failed:\n{}", .0.len(), .0.iter().map(|f| format!("  {}: {}: {}", f.host, f.step, f.message)).collect::<Vec<_>>().join("\n"))]
    Failed(Vec<Failure>),
    #[error("the cluster is not healthy: {0}")]
    Unhealthy(String),
    /// The cluster was not healthy before the first node of a rolling restart, so nothing was restarted. It can be
    /// forced (`DeployOptions.force`); each front door words that its own way (the CLI's `--force`, the app's
    /// "Restart anyway"), so the message here does not.
    #[error("the cluster is not healthy: {0} — refusing to start a rolling restart, nothing was restarted; let the cluster recover (or fix it) and run again")]
    NotReadyToRoll(String),
    #[error("cancelled — hosts finished their current step; run the command again to converge")]
    Cancelled,
    /// `--limit` named an unknown host, or would break the ensemble's or quorum's order (`plan::limit`).
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("kraft.cluster_id is not set — every KRaft node must be formatted with the same id: generate one (the CLI does on plan/export/deploy and saves it in the project file; the app on Review) and keep it")]
    NoClusterId,
    /// The secrets store of a secured cluster could not be read, made or saved.
    #[error(transparent)]
    Secrets(#[from] crate::security::store::StoreError),
    /// `[security]` on hosts whose storage is already formatted, with no secrets store for the cluster: either the
    /// cluster was deployed plaintext, or its store is lost. Its SCRAM users were (if at all) created with other
    /// passwords when the storage was formatted, so rolling the new configuration would lock brokers out of each
    /// other (and a mixed plaintext/TLS roll breaks replication). Refused before anything is made or changed. A lost
    /// store is recovered from the hosts with `DeployOptions.recover_secrets` (the CLI's `--recover-secrets`).
    #[error("{hosts}: the storage is already formatted, and there is no secrets store for this cluster at {store} — either its store is lost, or the cluster was deployed without [security]; nothing was changed. A lost store can be recovered from the hosts: deploy again with --recover-secrets (the hosts' keys, certificates and the brokers' password are read back; the admin and every application user get new passwords, set on the running cluster; the CA key cannot be recovered). A cluster deployed without [security] cannot be secured in one roll (its brokers and controllers would lock each other out): it takes several rolling steps the wizard does not do yet — a SASL_SSL listener added beside the plaintext one with the SCRAM users created on the running cluster, every client moved to it, then inter-broker and controller traffic moved and the plaintext listener removed. Remove [security] to keep running the cluster as it is, or deploy a new secured cluster (empty data directories) and move the clients")]
    SecureFormattedCluster { hosts: String, store: String },
    /// Recovering a lost secrets store: what the hosts hold does not make one (a file missing, hosts disagreeing).
    #[error(transparent)]
    Recover(#[from] crate::security::recover::RecoverError),
    /// Recovering a lost secrets store: a host's file could not be read.
    #[error("recovering the secrets store: {0}")]
    RecoverRead(String),
    /// Recovering a lost secrets store: the new passwords could not be set on the cluster (nothing was saved).
    #[error("recovering the secrets store: {0} — nothing was saved; start the cluster's brokers and run again")]
    RecoverReset(String),
    /// ZooKeeper mode: `[security]` on a cluster whose brokers or ensemble already ran, with no secrets store for
    /// it. Securing it is a sequence of rolls (the ensemble's SASL, the brokers' login, `zookeeper.set.acl`, the
    /// znodes' ACLs rewritten, a TLS listener beside the plaintext one) that is not built: refused before anything
    /// is made or changed (docs/facts/kafka.md §13). A lost store is recovered with `--recover-secrets`.
    #[error("{hosts}: this ZooKeeper-mode cluster has already run (broker storage or ensemble data exists), and there is no secrets store for it at {store}. If its store is lost, `deploy --recover-secrets` rebuilds it from the hosts (or restore the store file). If it was deployed without [security]: securing a running ZooKeeper-mode cluster takes several rolling steps (ZooKeeper's SASL logins, the brokers' ZooKeeper login, zookeeper.set.acl with the existing znodes' ACLs rewritten by zookeeper-security-migration.sh, a TLS listener beside the plaintext one while clients move) that the wizard does not do yet, and a single roll would lock the brokers out of ZooKeeper and each other: nothing was changed. Remove [security] to keep running the cluster as it is, or deploy a new secured cluster (with empty data directories) and move the clients")]
    SecurePlaintextZookeeperCluster { hosts: String, store: String },
    /// `security.admin_user` names another user than the one the running cluster was deployed with (the store
    /// recorded another admin, or holds no password for it): renaming the admin is not built, and rolling
    /// `super.users` to it would lock the wizard's own checks out. Refused before anything is made or changed.
    #[error("security.admin_user: {new:?} is not the admin this cluster runs with ({hosts} already ran; the secrets store at {store}{old}) — renaming the admin of a running cluster is not built yet: rolling super.users to a user the running brokers do not treat as a super user (and that may have no SCRAM credential) would lock out the wizard's own health checks, status and Manage. Nothing was changed. Set admin_user back{back}. To let another login administer the cluster, list it in security.users and grant it what it needs with [[security.acls]] (a deploy creates its credential and ACLs without a restart); to change the admin itself, deploy a new cluster with the new admin_user and move the clients")]
    AdminRenamed { new: String, old: String, back: String, hosts: String, store: String },
    /// A version upgrade Apache does not support, or a finalize that cannot be done yet (`apply::upgrade`): the
    /// reason and the supported path; refused before any host was touched.
    #[error("{0} — nothing was changed on any host")]
    Upgrade(String),
    /// A dynamic quorum's membership cannot be changed as asked (`apply::membership`): the reason and the
    /// supported path; refused before any host was touched.
    #[error("{0} — nothing was changed on any host")]
    Quorum(String),
    /// A migration to KRaft refused where it stands (`apply::migrate`): the reason and the command that goes on;
    /// or its wait for the metadata copy timed out (the stages before it are done: a re-run resumes).
    #[error("{0}")]
    Migration(String),
    /// Preflight found hosts the cluster could not work on (`apply::preflight`): each refusal with host, check and
    /// fix; found before any host was changed.
    #[error("preflight refused the run — nothing was changed on any host:\n{}", .0.iter().map(|f| format!("  {}", f.line())).collect::<Vec<_>>().join("\n"))]
    Preflight(Vec<super::preflight::Finding>),
}

impl ApplyError {
    /// `Failed` unless there are no failures.
    pub(crate) fn check(failures: Vec<Failure>) -> Result<(), ApplyError> {
        if failures.is_empty() {
            Ok(())
        } else {
            Err(ApplyError::Failed(failures))
        }
    }
}

/// What a deploy did.
#[derive(Clone, Debug, Default, serde::Serialize, ts_rs::TS)]
pub struct DeploySummary {
    pub changed: usize,
    pub unchanged: usize,
    /// Bytes uploaded per host.
    pub uploaded: BTreeMap<String, u64>,
    /// Hosts whose services were (re)started.
    pub started: Vec<String>,
    /// Per host, where the old copies of the files this run overwrote are kept (`apply::backup`).
    pub backups: BTreeMap<String, Vec<String>>,
    /// Brokers this run started for the first time on a cluster that already ran: they hold no partitions until a
    /// rebalance (`kafka-wizard rebalance`) moves some onto them.
    pub new_brokers: Vec<String>,
    /// A migration to KRaft (`apply::migrate`): the last stage this run deployed and the cluster's id; after
    /// `Finalized` the front door rewrites the project file to KRaft mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub migration: Option<MigrationReport>,
}

/// Where a run left a migration to KRaft (the desktop app gets it back with its Finalize migration's rewrite).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct MigrationReport {
    /// The last stage deployed; after a rollback, the stage it started from.
    pub stage: crate::project::spec::MigrationStage,
    pub cluster_id: String,
    /// `migrate --rollback` left the cluster in plain ZooKeeper mode: the front door removes the controllers from
    /// the project file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub rolled_back: bool,
}
