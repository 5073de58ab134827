//! Manage's Smoke test: the engine's smoke test (`kafka_wizard::smoke`) with its events streamed to the UI through a
//! `tauri::ipc::Channel<Vec<Event>>` (in batches). One job at a time like the operations ([`crate::state::Jobs`]), so Cancel reaches
//! it; the temporary topic is deleted all the same. The report is data, pass or fail: the command fails only when
//! the project is invalid or another job runs.

use super::operate::batched;
use super::spec_of;
use crate::error::AppResult;
use crate::state::Jobs;
use kafka_wizard::events::Event;
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::smoke::{self, SmokeOptions, SmokeReport};
use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// What the user may change about a smoke test (everything else comes from the project).
#[derive(Clone, Debug, Default, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct SmokeRequest {
    /// Records to produce (default 1000).
    pub records: Option<u32>,
    /// The test topic's `min.insync.replicas` (default: the cluster's).
    pub min_insync_replicas: Option<u16>,
}

impl SmokeRequest {
    pub fn to_options(&self) -> SmokeOptions {
        let defaults = SmokeOptions::default();
        SmokeOptions {
            records: self.records.unwrap_or(defaults.records),
            min_insync_replicas: self.min_insync_replicas.filter(|n| *n > 0).map(usize::from),
            ..defaults
        }
    }
}

/// Runs the smoke test on the draft's cluster; its progress streams on `on_event`.
#[tauri::command]
pub async fn smoke_test(
    jobs: State<'_, Jobs>,
    draft: ProjectDraft,
    request: SmokeRequest,
    on_event: Channel<Vec<Event>>,
) -> AppResult<SmokeReport> {
    let spec = spec_of(&draft)?;
    let job = jobs.begin()?;
    let events = batched(on_event);
    Ok(smoke::smoke(&spec, &request.to_options(), &events.sink(), &job.cancel).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_left_empty_runs_the_engines_default_smoke_test() {
        let opts = SmokeRequest::default().to_options();
        assert_eq!((opts.records, opts.min_insync_replicas), (1000, None));
        let opts = SmokeRequest { records: Some(50), min_insync_replicas: Some(3) }.to_options();
        assert_eq!((opts.records, opts.min_insync_replicas), (50, Some(3)));
    }
}
