//! The cluster side of removing a controller (`reassign::controller` plans it): the quorum asked whether it may
//! go, the voter removed at the leader (RemoveRaftVoter with the directory id the leader reports, so a re-run after
//! it was already removed finds nothing to remove), and the remaining quorum waited for.

use super::controller;
use super::run::ReassignError;
use crate::apply::{membership, quorum, Cancel};
use crate::events::{Event, EventSink, Target};
use crate::project::spec::ClusterSpec;
use std::time::{Duration, Instant};

/// How long the remaining quorum may take to show a leader and every voter caught up.
const QUORUM_TIMEOUT: Duration = Duration::from_secs(120);

fn log(events: &EventSink, message: String) {
    events(Event::Log { target: Target::Wizard, message });
}

/// Refuses removing controller `id` when the quorum would not stay safe (`controller::quorum_refusal`); a voter
/// already removed (an interrupted run) passes.
pub async fn check(spec: &ClusterSpec, id: i32) -> Result<(), ReassignError> {
    let (m, _) = membership::describe(spec).await.map_err(ReassignError::Cluster)?;
    if m.voter(id).is_none() {
        return Ok(());
    }
    match controller::quorum_refusal(spec, &m, id, quorum::MAX_QUORUM_LAG) {
        Some(why) => Err(ReassignError::Refused(why)),
        None => Ok(()),
    }
}

/// RemoveRaftVoter for controller `id` at the leader; nothing when it no longer votes.
pub async fn remove(spec: &ClusterSpec, id: i32, host: &str, events: &EventSink) -> Result<(), ReassignError> {
    let (m, leader) = membership::describe(spec).await.map_err(ReassignError::Cluster)?;
    let Some(voter) = m.voter(id) else {
        log(events, format!("controller {id} ({host}) is not a voter (already removed)"));
        return Ok(());
    };
    membership::remove_voter(spec, &leader, id, voter.directory_id)
        .await
        .map_err(|e| ReassignError::Cluster(format!("RemoveRaftVoter for controller {id} ({host}): {e}")))?;
    log(
        events,
        format!("controller {id} ({host}) removed from the quorum's voters (directory {})", voter.directory_id),
    );
    Ok(())
}

/// Waits until the quorum of the project `text` (the controller already dropped) is healthy.
pub async fn wait_for_quorum(text: &str, events: &EventSink, cancel: &Cancel) -> Result<(), ReassignError> {
    let spec = crate::project::parse(text)
        .ok()
        .and_then(|d| crate::project::validate(&d).spec)
        .ok_or_else(|| ReassignError::Cluster("the updated project file is not valid".into()))?;
    let start = Instant::now();
    loop {
        match quorum::quorum_check(&spec).await {
            Ok(seen) => {
                log(events, format!("KRaft quorum: {seen}"));
                return Ok(());
            }
            Err(e) if start.elapsed() > QUORUM_TIMEOUT => {
                return Err(ReassignError::Cluster(format!(
                    "the remaining KRaft quorum is not healthy after {} s: {e}",
                    QUORUM_TIMEOUT.as_secs()
                )))
            }
            Err(_) if cancel.is_cancelled() => return Err(ReassignError::Cancelled("waiting for the quorum".into())),
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
