//! Install and Manage: deploy (and Manage's Finalize upgrade, Migrate to KRaft and Finalize migration, Rotate CA…,
//! each a deploy with its `RunOptions`), start / stop / rolling restart and status, with the engine's events streamed to
//! the UI through a `tauri::ipc::Channel<Vec<Event>>` (ordered, in batches: `batch`). One job at a time ([`crate::state::Jobs`]); Cancel
//! stops between steps. The SSH password, when given, lives only in memory for the run. Deploys and operations are
//! run-logged as the CLI's are (`runs::logged`).

use super::batch::EventBatch;
use super::runs::{logged, open};
use super::spec_of;
use crate::error::AppResult;
use crate::state::Jobs;
use kafka_wizard::apply::migrate::MigrateIntent;
use kafka_wizard::apply::operate::{self, Operation};
use kafka_wizard::apply::status::{self, ClusterStatus};
use kafka_wizard::apply::{self, ApplyError, DeployOptions, DeploySummary};
use kafka_wizard::events::Event;
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::transport::Secret;
use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// What the user chose for a run (never saved; `Debug` prints the password as `***`).
#[derive(Clone, Default, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct RunOptions {
    pub password: Option<String>,
    /// Passphrase of an encrypted key file.
    pub key_passphrase: Option<String>,
    /// sudo password of the SSH user, for hosts whose sudo asks for one (`transport/sudo.rs`); memory only.
    pub become_password: Option<String>,
    #[ts(as = "Option<_>")] // serde fills in what is left out: optional in TypeScript
    pub install_java: bool,
    /// Hosts whose unknown keys the user accepted after seeing them: (host name, `SHA256:` fingerprint).
    #[ts(as = "Option<_>")]
    pub accepted_keys: Vec<(String, String)>,
    /// Seconds to wait for quorum / brokers (default 180).
    pub health_timeout_secs: Option<u64>,
    /// Roll although the cluster is not healthy before the first node: Manage's "Restart anyway", offered after a
    /// restart was refused with `not_ready_to_roll`.
    #[ts(as = "Option<_>")]
    pub force: bool,
    /// Manage's "Finalize upgrade": the deploy ends a version upgrade (`DeployOptions.finalize_upgrade`).
    #[ts(as = "Option<_>")]
    pub finalize_upgrade: bool,
    /// Manage's "Migrate to KRaft" / "Finalize migration" of a ZooKeeper-mode project with controller hosts
    /// (`DeployOptions.migrate`); left out, a deploy keeps the migration where the hosts stand.
    pub migrate: Option<Migrate>,
    /// Manage's "Rotate CA…": the deploy moves the cluster to a new CA of its own in three rolling passes
    /// (`DeployOptions.rotate_ca`, the CLI's `deploy --rotate-ca`); with `preview_deploy`, those passes per node.
    #[ts(as = "Option<_>")]
    pub rotate_ca: bool,
    /// Manage's (or a refused Install's) "Recover secrets…": a secured cluster whose secrets store is lost gets a new
    /// one read from its hosts, the admin and users new passwords (`DeployOptions.recover_secrets`, the CLI's
    /// `deploy --recover-secrets`); the CA key cannot come back.
    #[ts(as = "Option<_>")]
    pub recover_secrets: bool,
    /// Manage's "Convert quorum…": a running static KRaft controller quorum made the project's dynamic one
    /// (`DeployOptions.convert_quorum`, the CLI's `deploy --convert-quorum`; Kafka 4.1+, irreversible); with
    /// `preview_deploy`, that step's row first.
    #[ts(as = "Option<_>")]
    pub convert_quorum: bool,
}

/// What a run does to a migration to KRaft, beyond keeping it where it stands (`apply::migrate::MigrateIntent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Migrate {
    /// Up to the reversible end: controllers provisioned, metadata copied, the brokers in KRaft mode
    /// (`kafka-wizard migrate`).
    Advance,
    /// The controllers leave ZooKeeper (irreversible), the ensemble is stopped and disabled
    /// (`kafka-wizard migrate --finalize`); the UI then has the project file rewritten (`finish_migration`).
    Finalize,
    /// Back to plain ZooKeeper mode before finalize (`kafka-wizard migrate --rollback`); the UI then has the
    /// controllers removed from the project file (`finish_migration`).
    Rollback,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("key_passphrase", &self.key_passphrase.as_ref().map(|_| "***"))
            .field("become_password", &self.become_password.as_ref().map(|_| "***"))
            .field("install_java", &self.install_java)
            .field("accepted_keys", &self.accepted_keys)
            .field("health_timeout_secs", &self.health_timeout_secs)
            .field("force", &self.force)
            .field("finalize_upgrade", &self.finalize_upgrade)
            .field("migrate", &self.migrate)
            .field("rotate_ca", &self.rotate_ca)
            .field("recover_secrets", &self.recover_secrets)
            .field("convert_quorum", &self.convert_quorum)
            .finish()
    }
}

fn is_cancelled(e: &ApplyError) -> bool {
    matches!(e, ApplyError::Cancelled)
}

impl RunOptions {
    /// The run log's verb for a deploy with these options, as the CLI names the same run (a CA rotation is a
    /// `deploy --rotate-ca`: "deploy").
    pub fn run_verb(&self) -> &'static str {
        match (self.finalize_upgrade, self.migrate) {
            (_, Some(Migrate::Advance)) => "migrate",
            (_, Some(Migrate::Finalize)) => "migrate-finalize",
            (_, Some(Migrate::Rollback)) => "migrate-rollback",
            (true, None) => "upgrade-finalize",
            (false, None) => "deploy",
        }
    }

    pub fn to_deploy_options(&self) -> DeployOptions {
        let mut opts = DeployOptions {
            install_java: self.install_java,
            force: self.force,
            finalize_upgrade: self.finalize_upgrade,
            rotate_ca: self.rotate_ca,
            recover_secrets: self.recover_secrets,
            convert_quorum: self.convert_quorum,
            migrate: match self.migrate {
                None => MigrateIntent::Keep,
                Some(Migrate::Advance) => MigrateIntent::Advance,
                Some(Migrate::Finalize) => MigrateIntent::Finalize,
                Some(Migrate::Rollback) => MigrateIntent::Rollback,
            },
            ..DeployOptions::default()
        };
        opts.connect.password = self.password.clone().filter(|p| !p.is_empty()).map(Secret::new);
        opts.connect.key_passphrase = self.key_passphrase.clone().filter(|p| !p.is_empty()).map(Secret::new);
        opts.connect.become_password = self.become_password.clone().filter(|p| !p.is_empty()).map(Secret::new);
        opts.connect.accepted_keys = self.accepted_keys.clone();
        if let Some(s) = self.health_timeout_secs {
            opts.health_timeout = std::time::Duration::from_secs(s);
        }
        opts
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    Start,
    Stop,
    Restart,
}

/// The run's events sent to the UI on `channel` in batches (keep it until the run ends: dropping it sends the rest).
pub(crate) fn batched(channel: Channel<Vec<Event>>) -> EventBatch {
    EventBatch::new(move |batch| {
        let _ = channel.send(batch);
    })
}

/// Installs the cluster (download, verify, upload, configure, start, health) — with `options.finalize_upgrade`,
/// Manage's Finalize upgrade; with `options.migrate`, its Migrate to KRaft / Finalize migration (the summary's
/// `migration` says where the run left it). Events stream on `on_event`.
#[tauri::command]
pub async fn deploy(
    jobs: State<'_, Jobs>,
    draft: ProjectDraft,
    options: RunOptions,
    on_event: Channel<Vec<Event>>,
) -> AppResult<DeploySummary> {
    let spec = spec_of(&draft)?;
    let job = jobs.begin()?;
    let opts = options.to_deploy_options();
    let run = |events| apply::deploy(&spec, &opts, events, job.cancel.clone());
    let events = batched(on_event);
    Ok(logged(open(&spec.name, options.run_verb()), events.sink(), is_cancelled, run).await?)
}

/// Start (ZooKeeper/controllers first), stop (brokers first) or rolling restart.
#[tauri::command]
pub async fn operate(
    jobs: State<'_, Jobs>,
    draft: ProjectDraft,
    verb: Verb,
    options: RunOptions,
    on_event: Channel<Vec<Event>>,
) -> AppResult<()> {
    let spec = spec_of(&draft)?;
    let job = jobs.begin()?;
    let opts = options.to_deploy_options();
    let events = batched(on_event);
    let cancel = job.cancel.clone();
    let (operation, word) = match verb {
        Verb::Start => (Operation::Start, "start"),
        Verb::Stop => (Operation::Stop, "stop"),
        Verb::Restart => (Operation::Restart, "restart"),
    };
    let run = |events| operate::operate(operation, &spec, &opts, events, cancel);
    Ok(logged(open(&spec.name, word), events.sink(), is_cancelled, run).await?)
}

/// Per host: units, listening, in cluster; and the cluster-wide checks.
#[tauri::command]
pub async fn cluster_status(draft: ProjectDraft, options: RunOptions) -> AppResult<ClusterStatus> {
    let spec = spec_of(&draft)?;
    Ok(status::status(&spec, &options.to_deploy_options()).await)
}

/// Asks the running install/operation to stop after the hosts' current steps; false when none runs.
#[tauri::command]
pub fn cancel_job(jobs: State<'_, Jobs>) -> bool {
    jobs.cancel()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_options_never_print_the_password() {
        let o = RunOptions {
            password: Some("hunter2".into()),
            key_passphrase: Some("correct horse".into()),
            become_password: Some("battery staple".into()),
            ..RunOptions::default()
        };
        let printed = format!("{o:?} {:?}", o.to_deploy_options());
        assert!(!printed.contains("hunter2") && !printed.contains("correct horse"), "{printed}");
        assert!(!printed.contains("battery staple"), "{printed}");
        assert_eq!(o.to_deploy_options().connect.become_password.unwrap().expose(), "battery staple");
        assert_eq!(o.to_deploy_options().connect.key_passphrase.unwrap().expose(), "correct horse");
        assert_eq!(o.to_deploy_options().connect.password.unwrap().expose(), "hunter2");
    }

    #[test]
    fn a_run_is_forced_only_when_the_ui_asks_for_it() {
        let asked: RunOptions = serde_json::from_value(serde_json::json!({ "force": true })).unwrap();
        assert!(asked.to_deploy_options().force);
        let plain: RunOptions = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(!plain.to_deploy_options().force);
    }

    #[test]
    fn a_run_rotates_the_ca_only_when_the_ui_asks_and_is_logged_as_the_clis_deploy() {
        let asked: RunOptions = serde_json::from_value(serde_json::json!({ "rotate_ca": true })).unwrap();
        assert!(asked.to_deploy_options().rotate_ca);
        assert_eq!(asked.run_verb(), "deploy");
        let plain: RunOptions = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(!plain.to_deploy_options().rotate_ca);
    }

    #[test]
    fn a_run_recovers_the_secrets_store_only_when_the_ui_asks_and_is_logged_as_the_clis_deploy() {
        let asked: RunOptions = serde_json::from_value(serde_json::json!({ "recover_secrets": true })).unwrap();
        assert!(asked.to_deploy_options().recover_secrets);
        assert_eq!(asked.run_verb(), "deploy");
        assert!(format!("{asked:?}").contains("recover_secrets: true"));
        let plain: RunOptions = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(!plain.to_deploy_options().recover_secrets);
    }

    #[test]
    fn a_run_moves_a_migration_only_as_far_as_the_ui_asks() {
        let intent = |json| serde_json::from_value::<RunOptions>(json).unwrap().to_deploy_options().migrate;
        assert_eq!(intent(serde_json::json!({})), MigrateIntent::Keep);
        assert_eq!(intent(serde_json::json!({ "migrate": "advance" })), MigrateIntent::Advance);
        assert_eq!(intent(serde_json::json!({ "migrate": "finalize" })), MigrateIntent::Finalize);
        assert_eq!(intent(serde_json::json!({ "migrate": "rollback" })), MigrateIntent::Rollback);
        assert!(serde_json::from_value::<RunOptions>(serde_json::json!({ "migrate": "sideways" })).is_err());
    }
}
