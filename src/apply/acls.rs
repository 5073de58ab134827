//! The ACL phase (`Work::Acls`), after the brokers are started and healthy: the cluster is made to hold exactly the
//! project's ACLs for the application users, over Kafka's protocol as the admin (`secrets::kafka_auth`) through the
//! first broker that answers — DescribeAcls, the difference (`security::acls::changes`, pure), CreateAcls of the
//! missing, DeleteAcls of the extra, then every broker asked until its DescribeAcls agrees (authorizers learn ACLs
//! asynchronously: KRaft from the metadata log, ZooKeeper mode from change notifications). A run with nothing to
//! change sends neither CreateAcls nor DeleteAcls. Each change is an event; a refused one names the ACL and Kafka's
//! error code. [`preview_rows`] is the dry run's part: the ACLs to add and remove when the cluster answers, else
//! that it cannot tell.

use super::options::{ApplyError, Failure};
use super::wait;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::ReconcileAcls;
use crate::project::spec::ClusterSpec;
use crate::security::acls::client::{AclRefusal, AclSession};
use crate::security::acls::{changes, AclBinding, AclChanges, AclGrant};
use crate::security::KafkaAuth;
use std::time::{Duration, Instant};

/// The longest one ACL call may take, connection included.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a dry run waits for the cluster: one that does not answer by then is reported as unknown.
const PREVIEW_TIMEOUT: Duration = Duration::from_secs(5);

/// Every broker's listener address, in the project's order.
pub(crate) fn broker_addrs(spec: &ClusterSpec) -> Vec<String> {
    spec.brokers().map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port)).collect()
}

fn desired(work: &ReconcileAcls) -> Vec<AclBinding> {
    work.grants.iter().map(AclGrant::binding).collect()
}

/// A session with the first broker of `addrs` that lets the admin in; else what each said.
async fn open_any<'a>(addrs: &'a [String], auth: &KafkaAuth, timeout: Duration) -> Result<AclSession<'a>, String> {
    let mut errors = Vec::new();
    for addr in addrs {
        match AclSession::open(addr, auth, timeout).await {
            Ok(session) => return Ok(session),
            Err(e) => errors.push(e.to_string()),
        }
    }
    Err(if errors.is_empty() { "the project has no broker".into() } else { errors.join("; ") })
}

/// What the cluster must change for `work`, asked through the first broker that answers.
async fn changes_needed(spec: &ClusterSpec, work: &ReconcileAcls, timeout: Duration) -> Result<AclChanges, String> {
    let auth = super::secrets::kafka_auth(spec)?;
    let addrs = broker_addrs(spec);
    let mut session = open_any(&addrs, &auth, timeout).await?;
    let current = session.describe_all().await.map_err(|e| e.to_string())?;
    Ok(changes(&desired(work), &current, &work.principals))
}

/// Deploy's ACL phase: create what is missing, delete what the project does not grant (managed principals only),
/// wait up to `timeout` until every broker holds exactly the project's ACLs. Returns how many ACLs changed.
pub(crate) async fn reconcile(
    spec: &ClusterSpec,
    work: &ReconcileAcls,
    timeout: Duration,
    events: &EventSink,
) -> Result<usize, ApplyError> {
    let started = Instant::now();
    let title = work.title();
    let failed = |step: String, message: String| {
        events(Event::StepFailed { target: Target::Wizard, step: step.clone(), error: message.clone() });
        Failure { host: Target::Wizard.to_string(), step, message }
    };
    let auth = super::secrets::kafka_auth(spec).map_err(|m| ApplyError::Failed(vec![failed(title.clone(), m)]))?;
    let addrs = broker_addrs(spec);
    let mut session =
        open_any(&addrs, &auth, CALL_TIMEOUT).await.map_err(|m| ApplyError::Failed(vec![failed(title.clone(), m)]))?;
    let desired = desired(work);
    let current =
        session.describe_all().await.map_err(|e| ApplyError::Failed(vec![failed(title.clone(), e.to_string())]))?;
    let todo = changes(&desired, &current, &work.principals);
    if todo.is_empty() {
        let reason = format!("the cluster holds exactly the project's {} ACL(s) for them", desired.len());
        events(Event::StepFinished { target: Target::Wizard, step: title, outcome: Outcome::Unchanged { reason } });
        log(events, format!("ACLs checked, none to change ({:.1} s)", started.elapsed().as_secs_f64()));
        return Ok(0);
    }
    // Created before the extra ones are deleted: a grant that moves (literal → prefixed) never lapses.
    let mut failures = Vec::new();
    let mut done = 0;
    let batches =
        [("add", "created", &todo.create), ("remove", "deleted: the project does not grant it", &todo.delete)];
    for (verb, detail, acls) in batches {
        if acls.is_empty() {
            continue;
        }
        let answers = if verb == "add" { session.create(acls).await } else { session.delete(acls).await };
        let answers = answers.map_err(|e| ApplyError::Failed(vec![failed(format!("{verb} ACLs"), e.to_string())]))?;
        for (acl, refusal) in answers {
            let step = format!("{verb} ACL {acl}");
            match refusal {
                None => {
                    done += 1;
                    let outcome = Outcome::Changed { detail: detail.into() };
                    events(Event::StepFinished { target: Target::Wizard, step, outcome });
                }
                Some(refusal) => failures.push(failed(step, refusal_message(&refusal))),
            }
        }
    }
    ApplyError::check(failures)?;
    wait::poll("the project's ACLs on every broker", None, timeout, events, || {
        on_every_broker(&addrs, &auth, &desired, &work.principals)
    })
    .await
    .map_err(ApplyError::Unhealthy)?;
    let (created, deleted) = (todo.create.len(), todo.delete.len());
    let took = started.elapsed().as_secs_f64();
    log(events, format!("ACLs: {created} created, {deleted} deleted, in effect on every broker ({took:.1} s)"));
    Ok(done)
}

fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

/// Kafka's refusal, with what usually causes it.
fn refusal_message(refusal: &AclRefusal) -> String {
    let hint = match refusal.code {
        31 => " — the admin is not a super user here (super.users)",
        54 => " — no authorizer is configured on the brokers (authorizer.class.name)",
        _ => "",
    };
    format!("{refusal}{hint}")
}

/// Ok when every broker's DescribeAcls shows exactly `desired` for `managed`; else which broker still differs.
async fn on_every_broker(
    addrs: &[String],
    auth: &KafkaAuth,
    desired: &[AclBinding],
    managed: &[String],
) -> Result<String, String> {
    every_broker_agrees(addrs, |addr| async move {
        let mut session = AclSession::open(addr, auth, CALL_TIMEOUT).await.map_err(|e| e.to_string())?;
        let current = session.describe_all().await.map_err(|e| e.to_string())?;
        let left = changes(desired, &current, managed);
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("{addr}: {} to add, {} to remove", left.create.len(), left.delete.len()))
        }
    })
    .await
}

/// `check` on every broker at once: Ok (`3 broker(s) agree`) when it passes on all, else what each that differs
/// said — the condition `wait::poll` repeats after a change the brokers learn asynchronously.
pub(crate) async fn every_broker_agrees<'a, F, Fut>(addrs: &'a [String], check: F) -> Result<String, String>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let checks = addrs.iter().map(|addr| check(addr));
    let behind: Vec<String> =
        futures_util::future::join_all(checks).await.into_iter().filter_map(Result::err).collect();
    if behind.is_empty() {
        Ok(format!("{} broker(s) agree", addrs.len()))
    } else {
        Err(behind.join("; "))
    }
}

/// A dry run of the ACL phase: `(step, change, detail)` per ACL to add or remove; one unchanged row when the
/// cluster already holds exactly the project's; one row saying it cannot tell when the cluster does not answer (not
/// deployed yet, down, or no secrets store).
pub(crate) async fn preview_rows(spec: &ClusterSpec, work: &ReconcileAcls) -> Vec<(String, bool, String)> {
    if super::secrets::for_preview(spec).is_none() {
        let why = "no secrets store for this cluster yet (it is made at the first deploy)".to_string();
        return vec![cannot_tell(work, why)];
    }
    match changes_needed(spec, work, PREVIEW_TIMEOUT).await {
        Err(why) => vec![cannot_tell(work, why)],
        Ok(todo) if todo.is_empty() => {
            let detail = format!("the cluster holds exactly the project's {} ACL(s) for them", work.grants.len());
            vec![(work.title(), false, detail)]
        }
        Ok(todo) => {
            let add = todo.create.iter().map(|acl| (format!("add ACL {acl}"), true, "would be created".to_string()));
            let remove = todo.delete.iter().map(|acl| {
                (format!("remove ACL {acl}"), true, "would be deleted: the project does not grant it".to_string())
            });
            add.chain(remove).collect()
        }
    }
}

fn cannot_tell(work: &ReconcileAcls, why: String) -> (String, bool, String) {
    let detail = format!(
        "cannot tell which ACLs the cluster holds ({why}); deploy makes it hold exactly the project's {} ACL(s) for \
         {}",
        work.grants.len(),
        work.principals.join(", ")
    );
    (work.title(), true, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dry_run_that_cannot_reach_the_cluster_says_it_cannot_tell_and_what_deploy_will_do() {
        // The fixture's hosts (10.0.0.21–23) are not deployed from here: no secrets store, or no answer.
        let text = include_str!("../../tests/fixtures/kraft-secure.toml");
        let spec = crate::project::validate(&crate::project::parse(text).unwrap()).spec.unwrap();
        let plan = crate::plan::plan(&spec);
        let Some(crate::plan::Work::Acls(work)) = plan.phases.last().map(|p| &p.work) else { panic!("{plan:?}") };
        let rows = preview_rows(&spec, work).await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        let (step, change, detail) = &rows[0];
        assert_eq!(step, "give User:orders-app exactly the project's 2 ACL(s)");
        assert!(*change && detail.starts_with("cannot tell which ACLs the cluster holds ("), "{detail}");
        assert!(
            detail.ends_with("deploy makes it hold exactly the project's 2 ACL(s) for User:orders-app"),
            "{detail}"
        );
    }

    #[test]
    fn a_refused_acl_change_names_kafkas_error_and_its_usual_cause() {
        let refusal = AclRefusal { code: 31, message: Some("Cluster authorization failed.".into()) };
        assert_eq!(
            refusal_message(&refusal),
            "CLUSTER_AUTHORIZATION_FAILED (error code 31): Cluster authorization failed. — the admin is not a super \
             user here (super.users)"
        );
        let refusal = AclRefusal { code: 54, message: None };
        assert!(refusal_message(&refusal).starts_with("SECURITY_DISABLED (error code 54) — no authorizer"));
    }
}
