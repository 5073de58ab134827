//! `migrate --rollback`: a migration to KRaft taken back to ZooKeeper mode before it was finalized, as Apache
//! documents it (docs/facts/kafka.md §34). From where the hosts stand ([`rollback_steps`]):
//!
//! 1. brokers on KRaft: rolled back into ZooKeeper mode *keeping* the migration flag (the project rendered at stage
//!    Migrating — the deploy's decide/roll/health-gate machinery, one broker at a time);
//! 2. the controllers retired: their `kafka-server.service` stopped and disabled, their `server.properties` and data
//!    directories (the KRaft metadata copied from ZooKeeper) moved aside, kept with a `.rolled-back-<time>` suffix
//!    and never deleted — so a later `migrate` formats fresh controllers, as Apache's "deprovision" asks;
//! 3. `/controller` in the cluster's chroot deleted when a KRaft controller holds it (so a ZooKeeper-mode broker is
//!    elected controller again) and `/migration` deleted, through ZooKeeper's own shell on the first broker;
//! 4. the brokers rolled without the migration keys (the project rendered without its controllers).
//!
//! Every step is idempotent and a cut-off rollback resumes where the hosts are: the next run judges the stage
//! again. When nothing is left to undo the front door removes the controllers from the project file
//! (`project::file::rewrite_file_without_controllers`).

use super::run::{log, merge};
use super::{at_stage, Standing};
use crate::apply::deploy::deploy_planned;
use crate::apply::hosts::{connect_and_probe, exec_checked, step_on_hosts, transports_of};
use crate::apply::options::{ApplyError, Cancel, DeployOptions, DeploySummary, MigrationReport};
use crate::apply::preview::{preview_planned, PreviewRow};
use crate::apply::runlock::Access;
use crate::events::{EventSink, Target};
use crate::plan::Limit;
use crate::plan::PhaseKind;
use crate::project::spec::{AbsPath, ClusterSpec, Coordination, Ensemble, MigrationStage, Role};
use crate::render::Service;
use crate::shell::{join, quote};
use std::collections::HashMap;
use std::sync::Arc;

/// One step of a rollback, in Apache's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollbackStep {
    BrokersBackToMigrationMode,
    RetireControllers,
    ReleaseControllerZnode,
    BrokersWithoutMigration,
}

impl RollbackStep {
    /// What the step does, for the log and the dry run.
    pub fn what_it_does(self) -> &'static str {
        match self {
            RollbackStep::BrokersBackToMigrationMode => "roll the brokers back into ZooKeeper mode, keeping the migration flag (Apache's first rollback step once brokers run as KRaft brokers)",
            RollbackStep::RetireControllers => "stop and disable the KRaft controllers, and move their server.properties and data directories aside (kept, suffix .rolled-back-<time>): a later migration starts from fresh controllers",
            RollbackStep::ReleaseControllerZnode => "delete /controller in the cluster's chroot when a KRaft controller holds it, so a broker becomes the ZooKeeper-mode controller again, and delete /migration",
            RollbackStep::BrokersWithoutMigration => "roll the brokers without the migration keys: a plain ZooKeeper-mode cluster again",
        }
    }
}

/// What `migrate --rollback` does from where the migration stands (empty: nothing left to undo, the front door
/// only removes the controllers from the project), or why it cannot.
pub fn rollback_steps(standing: &Standing) -> Result<Vec<RollbackStep>, String> {
    use RollbackStep::*;
    match standing.stage {
        None => Ok(vec![]),
        Some(MigrationStage::Migrating) => Ok(vec![RetireControllers, ReleaseControllerZnode, BrokersWithoutMigration]),
        Some(MigrationStage::BrokersOnKraft) => {
            Ok(vec![BrokersBackToMigrationMode, RetireControllers, ReleaseControllerZnode, BrokersWithoutMigration])
        }
        Some(MigrationStage::Finalized) => Err("the migration to KRaft is being finalized: the controllers left ZooKeeper, and Apache allows no way back from there — finish it with `kafka-wizard migrate FILE --finalize`".into()),
    }
}

/// The rollback's run: each step of [`rollback_steps`] in turn, from where the hosts stand.
pub(super) async fn roll_back(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    standing: &Standing,
    events: EventSink,
    cancel: Cancel,
) -> Result<DeploySummary, ApplyError> {
    let steps = rollback_steps(standing).map_err(ApplyError::Migration)?;
    if steps.is_empty() {
        log(&events, "migration to KRaft: nothing left to roll back — the brokers run in plain ZooKeeper mode and no controller is configured".into());
    }
    let mut total = DeploySummary::default();
    for step in steps {
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled);
        }
        log(&events, format!("migration rollback: {}", step.what_it_does()));
        match step {
            RollbackStep::BrokersBackToMigrationMode => {
                let staged = at_stage(spec, MigrationStage::Migrating, &standing.cluster_id);
                merge(&mut total, deploy_planned(&staged, opts, events.clone(), cancel.clone()).await?);
            }
            RollbackStep::RetireControllers => total.changed += retire_controllers(spec, opts, &events).await?,
            RollbackStep::ReleaseControllerZnode => release_controller_znode(spec, opts, &events).await?,
            RollbackStep::BrokersWithoutMigration => {
                let plain = without_migration(spec);
                merge(&mut total, deploy_planned(&plain, opts, events.clone(), cancel.clone()).await?);
            }
        }
    }
    let stage = standing.stage.unwrap_or(MigrationStage::Migrating);
    total.migration = Some(MigrationReport { stage, cluster_id: standing.cluster_id.clone(), rolled_back: true });
    Ok(total)
}

/// The rollback's dry run: its steps, and what the first roll of the brokers would change.
pub(super) async fn preview(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    standing: &Standing,
    events: EventSink,
) -> Result<Vec<PreviewRow>, ApplyError> {
    let steps = rollback_steps(standing).map_err(ApplyError::Migration)?;
    let mut rows = Vec::new();
    if steps.is_empty() {
        let note = "nothing left to roll back: the project file's controllers are removed";
        rows.push(PreviewRow::wizard(PhaseKind::Migrate, "migration rollback", false, note));
    }
    let mut previewed = false;
    for step in steps {
        rows.push(PreviewRow::wizard(PhaseKind::Migrate, "migration rollback", true, step.what_it_does()));
        let staged = match step {
            RollbackStep::BrokersBackToMigrationMode => at_stage(spec, MigrationStage::Migrating, &standing.cluster_id),
            RollbackStep::BrokersWithoutMigration => without_migration(spec),
            _ => continue,
        };
        if !previewed {
            previewed = true;
            rows.extend(preview_planned(&staged, opts, events.clone()).await?);
        }
    }
    Ok(rows)
}

/// The project as a plain ZooKeeper-mode cluster: its controllers left out (a host that was only a controller
/// dropped, the role taken from the others) and no migration.
pub fn without_migration(spec: &ClusterSpec) -> ClusterSpec {
    let mut plain = spec.clone();
    let only_controller = |roles: &[Role]| roles == [Role::Controller];
    let mut new_index = Vec::with_capacity(spec.hosts.len());
    let mut kept = 0;
    for h in &spec.hosts {
        new_index.push(kept);
        kept += usize::from(!only_controller(&h.roles));
    }
    plain.hosts.retain(|h| !only_controller(&h.roles));
    for h in &mut plain.hosts {
        if h.has(Role::Controller) {
            h.roles.retain(|r| *r != Role::Controller);
            h.node_id = None;
        }
    }
    if let Coordination::Zookeeper(z) = &mut plain.coordination {
        z.migration = None;
        if let Ensemble::Managed(members) = &mut z.ensemble {
            for m in members.iter_mut() {
                *m = new_index[*m];
            }
        }
    }
    plain
}

/// Step 2: every controller's service stopped and disabled, its `server.properties` and data directories moved
/// aside; the number of controllers that still had something to retire.
pub async fn retire_controllers(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: &EventSink,
) -> Result<usize, ApplyError> {
    let names: Vec<String> = spec.controllers().map(|h| h.name.to_string()).collect();
    let limit = Limit::parse(spec, &names.join(",")).expect("the controllers are the project's hosts");
    let spec = Arc::new(spec.clone());
    let runs = connect_and_probe(&spec, &opts.connect, &limit, Access::Change, events).await?;
    let server = spec.kafka.config_dir.join("server.properties");
    let changed = runs
        .iter()
        .filter(|r| {
            r.facts.is_active(Service::Kafka) || r.facts.files.get(server.as_str()).is_some_and(Option::is_some)
        })
        .count();
    let indexes: Vec<usize> = runs.iter().map(|r| r.index).collect();
    let scripts: HashMap<Target, String> = indexes
        .iter()
        .map(|&i| (Target::host(&spec.hosts[i].name), retire_script(&spec.hosts[i].data_dirs, server.as_str())))
        .collect();
    let step = format!("stop and disable {} and move its files aside", Service::Kafka.unit());
    let failures = step_on_hosts(&spec, &transports_of(&runs), &indexes, &step, events, move |t, target, _| {
        exec_checked(t, &scripts[target])
            .map(|()| "stopped and disabled; its configuration and metadata moved aside".into())
    })
    .await;
    ApplyError::check(failures)?;
    Ok(changed)
}

/// The retiring of one controller: idempotent (what was moved aside is not there any more).
fn retire_script(data_dirs: &[AbsPath], server: &str) -> String {
    let unit = quote(Service::Kafka.unit()).into_owned();
    let mut paths: Vec<String> = data_dirs.iter().map(|d| quote(d.as_str()).into_owned()).collect();
    paths.push(quote(server).into_owned());
    format!(
        "systemctl disable --now {unit} >/dev/null 2>&1 || systemctl stop {unit} 2>/dev/null || true\n\
         systemctl is-active --quiet {unit} && {{ echo '{unit} still runs' >&2; exit 1; }}\n\
         stamp=$(date -u +%Y%m%dT%H%M%SZ)\n\
         for p in {paths}; do\n\
         if [ -e \"$p\" ] || [ -L \"$p\" ]; then mv -T -- \"$p\" \"$p.rolled-back-$stamp\"; fi\n\
         done",
        paths = paths.join(" ")
    )
}

/// Step 3, on the first broker: `/controller` deleted when one of the project's controllers holds it, and
/// `/migration` deleted, through ZooKeeper's shell as the service user; what it found, for the log.
pub async fn release_controller_znode(
    spec: &ClusterSpec,
    opts: &DeployOptions,
    events: &EventSink,
) -> Result<(), ApplyError> {
    let first = spec.brokers().next().map(|h| h.name.to_string()).expect("a validated project has brokers");
    let limit = Limit::parse(spec, &first).expect("a broker is the project's host");
    let spec = Arc::new(spec.clone());
    let runs = connect_and_probe(&spec, &opts.connect, &limit, Access::Change, events).await?;
    let indexes: Vec<usize> = runs.iter().map(|r| r.index).collect();
    let script = znode_script(&spec);
    let failures = step_on_hosts(
        &spec,
        &transports_of(&runs),
        &indexes,
        "release /controller and /migration in ZooKeeper",
        events,
        move |t, _, _| {
            let out = t.exec(&script, None).map_err(|e| e.to_string())?;
            match out.success() {
                true => Ok(out.stdout_text().trim().to_string()),
                false => Err(format!("ZooKeeper's shell failed (exit {}): {}", out.status, out.stderr_tail(8))),
            }
        },
    )
    .await;
    ApplyError::check(failures)
}

/// The ZooKeeper shell commands of step 3 (idempotent: a missing node is what it wants), run as the service user with
/// the environment of Kafka's tools on a broker (with the brokers' JAAS login when ZooKeeper is locked).
pub fn znode_script(spec: &ClusterSpec) -> String {
    let Coordination::Zookeeper(z) = &spec.coordination else { return String::from("true") };
    let connect = crate::render::server::zookeeper_connect(spec, z);
    let mut words: Vec<String> = ["runuser", "-u", &spec.kafka.user, "--", "env"].map(String::from).to_vec();
    words.extend(crate::plan::scram_users::tool_env(spec));
    words.push(crate::plan::scram_users::run_class(spec));
    words.extend([crate::plan::scram_users::ZOOKEEPER_MAIN, "-server", &connect].map(String::from));
    let ids: Vec<String> = spec.controllers().filter_map(|h| h.node_id).map(|id| id.to_string()).collect();
    format!(
        "zk() {{ {shell} \"$@\" 2>&1; }}\n\
         missing() {{ case \"$1\" in *'Node does not exist'*|*NoNode*) return 0 ;; *) return 1 ;; esac; }}\n\
         said=''\n\
         if out=$(zk get /controller); then\n\
         holder=$(printf '%s\\n' \"$out\" | sed -n 's/.*\"brokerid\":\\([0-9]*\\).*/\\1/p' | head -n 1)\n\
         case \" {ids} \" in *\" $holder \"*) zk deleteall /controller >/dev/null || {{ printf '%s\\n' \"$out\" >&2; exit 1; }}; said=\"deleted /controller (held by KRaft controller $holder)\" ;;\n\
         *) case \"$out\" in *kraftControllerEpoch*) zk deleteall /controller >/dev/null || exit 1; said='deleted /controller (held by a KRaft controller)' ;; *) said=\"/controller is held by broker $holder\" ;; esac ;;\n\
         esac\n\
         elif missing \"$out\"; then said='no /controller'\n\
         else printf '%s\\n' \"$out\" >&2; exit 1\n\
         fi\n\
         if out=$(zk deleteall /migration); then said=\"$said; deleted /migration\"\n\
         elif missing \"$out\"; then said=\"$said; no /migration\"\n\
         else printf '%s\\n' \"$out\" >&2; exit 1\n\
         fi\n\
         echo \"$said\"",
        shell = join(&words),
        ids = ids.join(" "),
    )
}
