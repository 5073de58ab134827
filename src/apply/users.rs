//! The SCRAM users phase (`Work::ScramUsers`, SASL_SSL, both modes), after the brokers are healthy and before the
//! ACLs: the running cluster is made to hold the project's users, over Kafka's protocol as the admin
//! (`secrets::kafka_auth`) through the first broker that answers. DescribeUserScramCredentials says who holds a
//! credential; `security::users::user_changes` (pure) says what to do: a user of the project without a credential
//! of its mechanism gets one from the secrets store's password (AlterUserScramCredentials, salted here); a user the
//! wizard made (its password is in the store) that the project no longer lists loses its credentials — deleted in
//! ZooKeeper mode, disabled on KRaft (replaced by a random one nobody knows: a KRaft deletion makes a node restarted
//! later refuse every SCRAM login, docs/facts/kafka.md §21) — and its ACLs, then its password is dropped from the
//! store — said in a warning. Then every broker is asked until it
//! agrees. Nothing restarts; a run with nothing to change sends no change. Each change is an event naming the user,
//! never a password. [`preview_rows`] is the dry run's part.

use super::acls::{broker_addrs, every_broker_agrees};
use super::options::{ApplyError, Failure};
use super::wait;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::ReconcileScramUsers;
use crate::project::spec::{ClusterSpec, SecuritySpec};
use crate::security::acls::client::AclSession;
use crate::security::acls::{changes, principal, AclBinding};
use crate::security::credentials::{
    alter_through_the_controller, describe_scram_credentials, mechanism_type, CredentialChanges,
};
use crate::security::store::SecretsStore;
use crate::security::users::{user_changes, UserChanges};
use crate::security::{KafkaAuth, Secret};
use std::time::{Duration, Instant};

/// The longest one call may take, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a dry run waits for the cluster: one that does not answer by then is reported as unknown.
const PREVIEW_TIMEOUT: Duration = Duration::from_secs(5);

/// What the cluster and the store must change, and the retired users' ACLs to delete, asked through the first
/// broker that answers.
struct Todo {
    addr: String,
    users: UserChanges,
    acls: Vec<AclBinding>,
}

impl Todo {
    fn is_empty(&self) -> bool {
        self.users.is_empty() && self.acls.is_empty()
    }
}

async fn todo(
    spec: &ClusterSpec,
    security: &SecuritySpec,
    work: &ReconcileScramUsers,
    auth: &KafkaAuth,
    timeout: Duration,
) -> Result<Todo, String> {
    let made = SecretsStore::for_cluster(spec).users_made().map_err(|e| e.to_string())?;
    let mut errors = Vec::new();
    for addr in broker_addrs(spec) {
        match describe_scram_credentials(&addr, auth, timeout).await {
            Ok(current) => {
                let wanted: Vec<&str> = work.users.iter().map(String::as_str).collect();
                let users = user_changes(&wanted, &made, mechanism_type(security.mechanism), &current);
                let acls = retired_acls(&addr, auth, &users.retire, timeout).await?;
                return Ok(Todo { addr, users, acls });
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(if errors.is_empty() { "the project has no broker".into() } else { errors.join("; ") })
}

/// Every ACL of the retired users' principals (none asked for when there is no retired user).
async fn retired_acls(
    addr: &str,
    auth: &KafkaAuth,
    retired: &[String],
    timeout: Duration,
) -> Result<Vec<AclBinding>, String> {
    if retired.is_empty() {
        return Ok(Vec::new());
    }
    let mut session = AclSession::open(addr, auth, timeout).await.map_err(|e| e.to_string())?;
    let current = session.describe_all().await.map_err(|e| e.to_string())?;
    let principals: Vec<String> = retired.iter().map(|u| principal(u)).collect();
    Ok(changes(&[], &current, &principals).delete)
}

/// Deploy's SCRAM users phase (see the module's docs); returns how many users and ACLs changed.
pub(crate) async fn reconcile(
    spec: &ClusterSpec,
    work: &ReconcileScramUsers,
    timeout: Duration,
    events: &EventSink,
) -> Result<usize, ApplyError> {
    let started = Instant::now();
    let title = work.title();
    let failed = |step: &str, message: String| {
        events(Event::StepFailed { target: Target::Wizard, step: step.to_string(), error: message.clone() });
        ApplyError::Failed(vec![Failure { host: Target::Wizard.to_string(), step: step.to_string(), message }])
    };
    let Some(security) = &spec.security else { return Ok(0) };
    let store = SecretsStore::for_cluster(spec);
    let auth = super::secrets::kafka_auth(spec).map_err(|m| failed(&title, m))?;
    let todo = todo(spec, security, work, &auth, CALL_TIMEOUT).await.map_err(|m| failed(&title, m))?;
    if todo.is_empty() {
        let reason = format!("every one holds a {} credential; no user to delete", work.mechanism);
        events(Event::StepFinished { target: Target::Wizard, step: title, outcome: Outcome::Unchanged { reason } });
        log(events, format!("SCRAM users checked, none to change ({:.1} s)", started.elapsed().as_secs_f64()));
        return Ok(0);
    }
    let material = store.load(spec, security).map_err(|e| failed(&title, e.to_string()))?;
    let upsert: Vec<(String, Secret)> =
        todo.users.create.iter().map(|u| (u.clone(), material.passwords[u.as_str()].clone())).collect();
    let removed: Vec<(String, i8)> =
        todo.users.delete.iter().flat_map(|(u, held)| held.iter().map(move |m| (u.clone(), *m))).collect();
    let (disable, delete) = match spec.is_kraft() {
        true => (removed, Vec::new()),
        false => (Vec::new(), removed),
    };
    if !upsert.is_empty() || !disable.is_empty() || !delete.is_empty() {
        let mut addrs = vec![todo.addr.clone()];
        addrs.extend(broker_addrs(spec).into_iter().filter(|a| *a != todo.addr));
        let changes = CredentialChanges { upsert: &upsert, disable: &disable, delete: &delete };
        alter_through_the_controller(&addrs, &auth, security.mechanism, changes, CALL_TIMEOUT)
            .await
            .map_err(|e| failed("create and remove SCRAM users", e.to_string()))?;
    }
    for user in &todo.users.create {
        let detail = format!("{} credential set with the secrets store's password", work.mechanism);
        let outcome = Outcome::Changed { detail };
        events(Event::StepFinished { target: Target::Wizard, step: format!("create SCRAM user {user}"), outcome });
    }
    for (user, _) in &todo.users.delete {
        let (step, detail) = removal(spec.is_kraft(), user);
        let outcome = Outcome::Changed { detail: format!("{detail}: the project no longer lists it") };
        events(Event::StepFinished { target: Target::Wizard, step, outcome });
    }
    let acls_deleted = delete_acls(&todo, &auth, &failed, events).await?;
    let addrs = broker_addrs(spec);
    wait::poll("the project's SCRAM users on every broker", None, timeout, events, || {
        on_every_broker(&addrs, &auth, &todo.users)
    })
    .await
    .map_err(ApplyError::Unhealthy)?;
    if !todo.users.retire.is_empty() {
        store.forget_users(&todo.users.retire).map_err(|e| failed(&title, e.to_string()))?;
        let message = format!(
            "SCRAM user(s) {} no longer in security.users: deleted from the cluster with their ACLs, and their \
             passwords dropped from the secrets store",
            todo.users.retire.join(", ")
        );
        events(Event::Warning { target: Target::Wizard, message });
    }
    let (created, deleted) = (todo.users.create.len(), todo.users.delete.len());
    let took = started.elapsed().as_secs_f64();
    log(
        events,
        format!(
            "SCRAM users: {created} created, {deleted} removed ({acls_deleted} ACL(s) with them), in effect on every \
             broker ({took:.1} s)"
        ),
    );
    Ok(created + deleted + acls_deleted)
}

/// Deletes the retired users' ACLs (an event each); returns how many.
async fn delete_acls(
    todo: &Todo,
    auth: &KafkaAuth,
    failed: &impl Fn(&str, String) -> ApplyError,
    events: &EventSink,
) -> Result<usize, ApplyError> {
    if todo.acls.is_empty() {
        return Ok(0);
    }
    let step = "remove the deleted users' ACLs";
    let mut session =
        AclSession::open(&todo.addr, auth, CALL_TIMEOUT).await.map_err(|e| failed(step, e.to_string()))?;
    let answers = session.delete(&todo.acls).await.map_err(|e| failed(step, e.to_string()))?;
    let mut done = 0;
    for (acl, refusal) in answers {
        let step = format!("remove ACL {acl}");
        match refusal {
            None => {
                done += 1;
                let outcome = Outcome::Changed { detail: "deleted: its user was removed from security.users".into() };
                events(Event::StepFinished { target: Target::Wizard, step, outcome });
            }
            Some(refusal) => return Err(failed(&step, refusal.to_string())),
        }
    }
    Ok(done)
}

/// The step removing a retired user's credentials and what it does: deleted in ZooKeeper mode, disabled on KRaft
/// (see the module's docs).
fn removal(kraft: bool, user: &str) -> (String, &'static str) {
    match kraft {
        true => (
            format!("disable SCRAM user {user}"),
            "its credential replaced by a random one nobody knows (a KRaft deletion makes a node restarted later \
             refuse every SCRAM login)",
        ),
        false => (format!("delete SCRAM user {user}"), "deleted"),
    }
}

fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

/// Ok when every broker's DescribeUserScramCredentials shows the created users and none of the deleted ones.
async fn on_every_broker(addrs: &[String], auth: &KafkaAuth, users: &UserChanges) -> Result<String, String> {
    every_broker_agrees(addrs, |addr| async move {
        let current = describe_scram_credentials(addr, auth, CALL_TIMEOUT).await.map_err(|e| e.to_string())?;
        let missing = users.create.iter().filter(|u| !current.contains_key(*u)).count();
        let left = users.delete.iter().filter(|(u, _)| current.contains_key(u)).count();
        match missing + left {
            0 => Ok(()),
            _ => Err(format!("{addr}: {missing} user(s) still missing, {left} still there")),
        }
    })
    .await
}

/// A dry run of the phase: `(step, change, detail)` per user to create or delete; one unchanged row when the
/// cluster already matches; one row saying it cannot tell when the cluster does not answer (not deployed yet, down,
/// or no secrets store).
pub(crate) async fn preview_rows(spec: &ClusterSpec, work: &ReconcileScramUsers) -> Vec<(String, bool, String)> {
    let Some(security) = &spec.security else { return vec![] };
    if super::secrets::for_preview(spec).is_none() {
        return vec![cannot_tell(work, "no secrets store for this cluster yet (it is made at the first deploy)")];
    }
    let todo = match super::secrets::kafka_auth(spec) {
        Ok(auth) => todo(spec, security, work, &auth, PREVIEW_TIMEOUT).await,
        Err(why) => Err(why),
    };
    match todo {
        Err(why) => vec![cannot_tell(work, &why)],
        Ok(todo) if todo.is_empty() => {
            vec![(work.title(), false, format!("every one holds a {} credential; no user to delete", work.mechanism))]
        }
        Ok(todo) => rows_of(work, spec.is_kraft(), &todo.users, &todo.acls),
    }
}

fn rows_of(
    work: &ReconcileScramUsers,
    kraft: bool,
    users: &UserChanges,
    acls: &[AclBinding],
) -> Vec<(String, bool, String)> {
    let create = users.create.iter().map(|u| {
        let detail = format!("would get a {} credential with the secrets store's password", work.mechanism);
        (format!("create SCRAM user {u}"), true, detail)
    });
    let delete = users.retire.iter().map(|u| {
        let held = users.delete.iter().any(|(d, _)| d == u);
        let (step, how) = removal(kraft, u);
        let detail = match held {
            true => format!("would be {how} and dropped from the secrets store: the project no longer lists it"),
            false => "would be dropped from the secrets store (the cluster holds no usable credential of it): the \
                      project no longer lists it"
                .to_string(),
        };
        (step, true, detail)
    });
    let acls = acls.iter().map(|acl| {
        (format!("remove ACL {acl}"), true, "would be deleted: its user was removed from security.users".to_string())
    });
    create.chain(delete).chain(acls).collect()
}

fn cannot_tell(work: &ReconcileScramUsers, why: &str) -> (String, bool, String) {
    let detail = format!(
        "cannot tell which SCRAM users the cluster holds ({why}); deploy gives {} a {} credential and deletes the \
         users it made that the project no longer lists",
        work.users.join(", "),
        work.mechanism
    );
    (work.title(), true, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> ReconcileScramUsers {
        ReconcileScramUsers { mechanism: "SCRAM-SHA-512".into(), users: vec!["admin".into(), "billing-app".into()] }
    }

    #[tokio::test]
    async fn a_dry_run_that_cannot_reach_the_cluster_says_it_cannot_tell_and_what_deploy_will_do() {
        // The fixture's hosts (10.0.0.21–23) are not deployed from here: no secrets store, or no answer.
        let text = include_str!("../../tests/fixtures/kraft-secure.toml");
        let spec = crate::project::validate(&crate::project::parse(text).unwrap()).spec.unwrap();
        let plan = crate::plan::plan(&spec);
        let work = plan.phases.iter().find_map(|p| match &p.work {
            crate::plan::Work::ScramUsers(w) => Some(w.clone()),
            _ => None,
        });
        let rows = preview_rows(&spec, &work.expect("a SCRAM users phase")).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        let (step, change, detail) = &rows[0];
        assert!(step.starts_with("give admin, orders-app a SCRAM-SHA-512 credential"), "{step}");
        assert!(*change && detail.starts_with("cannot tell which SCRAM users the cluster holds ("), "{detail}");
    }

    #[test]
    fn the_dry_run_names_each_user_to_create_and_to_remove_and_the_acls_going_with_them() {
        let users = UserChanges {
            create: vec!["billing-app".into()],
            delete: vec![("old-app".into(), vec![2])],
            retire: vec!["never-deployed".into(), "old-app".into()],
        };
        let acl = AclBinding {
            principal: "User:old-app".into(),
            resource_type: 2,
            resource_name: "old".into(),
            pattern_type: 3,
            operation: 4,
            permission_type: crate::security::acls::ALLOW,
            host: crate::security::acls::ANY_HOST.into(),
        };
        let rows = rows_of(&work(), false, &users, std::slice::from_ref(&acl));
        let steps: Vec<&str> = rows.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(
            steps,
            [
                "create SCRAM user billing-app",
                "delete SCRAM user never-deployed",
                "delete SCRAM user old-app",
                "remove ACL allow User:old-app write on topic \"old\" (literal)"
            ]
        );
        assert!(rows[1].2.contains("holds no usable credential") && rows[2].2.contains("would be deleted and dropped"));
        assert!(rows.iter().all(|(_, change, _)| *change));
    }

    #[test]
    fn on_kraft_the_dry_run_says_a_retired_user_is_disabled_not_deleted() {
        let users = UserChanges {
            delete: vec![("old-app".into(), vec![2])],
            retire: vec!["old-app".into()],
            ..UserChanges::default()
        };
        let rows = rows_of(&work(), true, &users, &[]);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].0, "disable SCRAM user old-app");
        assert!(rows[0].2.contains("replaced by a random one nobody knows"), "{}", rows[0].2);
    }
}
