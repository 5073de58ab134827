//! Review's "Check hosts" and "Apply fixes…": the engine's preflight (`kafka_wizard::apply::preflight`, the CLI's
//! `deploy --preflight-only`) as the rows of a table — host, check, verdict, result, fix, and the file that keeps a
//! fix the wizard can make itself — and its fixes (`preflight_fix`, the CLI's `--preflight-only --fix
//! [--dry-run]`): a preview naming every file written on every host, nothing changed, or the fixes made with each
//! host's outcome as the engine reports it (applied now, kept for the next boot, or the host could not be fixed).
//! Making the fixes is a job ([`Jobs`]: not while an install runs) and run-logged as the CLI logs it
//! (`preflight-fix`). Nothing is decided here: the engine judges, fixes and reads back.

use super::operate::RunOptions;
use super::runs::open;
use super::spec_of;
use crate::error::AppResult;
use crate::state::Jobs;
use kafka_wizard::apply::preflight::{self, fix::HostFix, remedy::FixOutcome};
use kafka_wizard::apply::{Finding, Verdict};
use kafka_wizard::events;
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::runlog;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// One check on one host, as Review's table shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct PreflightRow {
    pub host: String,
    /// What was checked: `port 9092 (kafka.listener_port)`, `free space /data1 (data directory)`, `Java`, …
    pub check: String,
    /// `refuse`: the install is refused while it stands; `warn`: worth fixing; `pass`.
    pub verdict: Verdict,
    /// What was found.
    pub result: String,
    /// What to do about it (empty when it passed).
    pub fix: String,
    /// Set when the wizard can make the fix itself (Apply fixes…): the file on the host that keeps it.
    pub fix_file: Option<String>,
}

impl From<Finding> for PreflightRow {
    fn from(f: Finding) -> Self {
        PreflightRow {
            fix_file: f.remedy.as_ref().map(|r| r.file().to_string()),
            host: f.host,
            check: f.check,
            verdict: f.verdict,
            result: f.result,
            fix: f.fix,
        }
    }
}

/// Every host's checks, in the engine's order (host by host), and how many refuse or warn.
#[derive(Clone, Debug, Serialize, TS)]
pub struct PreflightReport {
    pub rows: Vec<PreflightRow>,
    pub refused: u32,
    pub warned: u32,
}

impl PreflightReport {
    fn of(findings: Vec<Finding>) -> Self {
        let count = |v| findings.iter().filter(|f| f.verdict == v).count() as u32;
        let (refused, warned) = (count(Verdict::Refuse), count(Verdict::Warn));
        PreflightReport { rows: findings.into_iter().map(PreflightRow::from).collect(), refused, warned }
    }
}

/// Where one fix stands, as the engine read it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FixState {
    /// A preview: nothing was changed; the fix would be kept in its file and applied now.
    Planned,
    /// Kept in its file, and the kernel has it now.
    AppliedNow,
    /// Kept in its file, which applies it at the next boot; the kernel refused it now (`why`).
    AtBoot,
}

/// One fix on one host: the setting, the file that keeps it, and what happened (or would happen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct FixRow {
    /// `vm.swappiness = 1`, `transparent huge pages = madvise`.
    pub setting: String,
    pub file: String,
    /// Whether the file was (or, in a preview, would be) written for it; false: the setting was already there.
    pub written: bool,
    pub state: FixState,
    /// Why the kernel did not take it now (`at_boot`).
    pub why: Option<String>,
}

impl From<&FixOutcome> for FixRow {
    fn from(o: &FixOutcome) -> Self {
        let (state, why) = match &o.now {
            None => (FixState::Planned, None),
            Some(None) => (FixState::AppliedNow, None),
            Some(Some(why)) => (FixState::AtBoot, Some(why.clone())),
        };
        FixRow { setting: o.setting.clone(), file: o.file.clone(), written: o.written, state, why }
    }
}

/// What fixing one host did (or would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct HostFixReport {
    pub host: String,
    /// One per fixable warning of the host; empty when it had none.
    pub fixes: Vec<FixRow>,
    /// The host could not be fixed (reading or writing failed): why. Nothing of its fixes is known to be applied.
    pub error: Option<String>,
}

impl From<&HostFix> for HostFixReport {
    fn from(h: &HostFix) -> Self {
        HostFixReport {
            host: h.host.clone(),
            fixes: h.outcomes.iter().map(FixRow::from).collect(),
            error: h.error.clone(),
        }
    }
}

/// The fixes of every host of the project, in host order.
#[derive(Clone, Debug, Serialize, TS)]
pub struct FixReport {
    /// A preview: nothing was changed on any host.
    pub dry_run: bool,
    pub hosts: Vec<HostFixReport>,
}

/// Checks every host before an install (connects, reads each host's facts, dials the ports between the hosts);
/// changes nothing on any host.
#[tauri::command]
pub async fn preflight_check(draft: ProjectDraft, options: RunOptions) -> AppResult<PreflightReport> {
    let spec = spec_of(&draft)?;
    let findings = preflight::preflight(&spec, &options.to_deploy_options(), events::discard()).await?;
    Ok(PreflightReport::of(findings))
}

/// The fixes the wizard can make itself for the warnings found now: with `dry_run`, what each host would get
/// (the files written, the settings applied) and nothing changed; else made, each host's outcome read back, the run
/// logged (`preflight-fix`). One job at a time: refused with `busy` while an install or operation runs.
#[tauri::command]
pub async fn preflight_fix(
    jobs: State<'_, Jobs>,
    draft: ProjectDraft,
    options: RunOptions,
    dry_run: bool,
) -> AppResult<FixReport> {
    let spec = spec_of(&draft)?;
    let opts = options.to_deploy_options();
    if dry_run {
        let (_, fixes) = preflight::preflight_fix(&spec, &opts, true, events::discard()).await?;
        return Ok(FixReport { dry_run, hosts: fixes.iter().map(HostFixReport::from).collect() });
    }
    let _job = jobs.begin()?;
    let log = open(&spec.name, "preflight-fix");
    let events = runlog::tee(events::discard(), &log);
    let result = preflight::preflight_fix(&spec, &opts, false, events.clone()).await;
    if let Ok((_, fixes)) = &result {
        preflight::fix_events(fixes, &events);
    }
    if let Some(log) = &log {
        // as the CLI ends it: a host that could not be fixed fails the run
        let outcome: Result<(), String> = match &result {
            Ok((_, fixes)) => {
                let failed: Vec<String> =
                    fixes.iter().filter_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.host))).collect();
                if failed.is_empty() {
                    Ok(())
                } else {
                    Err(failed.join("; "))
                }
            }
            Err(e) => Err(e.to_string()),
        };
        let (ending, error) = runlog::ending(&outcome, |_| false);
        log.finish(ending, error.as_deref());
    }
    let (_, fixes) = result?;
    Ok(FixReport { dry_run, hosts: fixes.iter().map(HostFixReport::from).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::apply::preflight::remedy::{Bound, Remedy, SYSCTL_FILE, THP_FILE};

    fn finding(verdict: Verdict, remedy: Option<Remedy>) -> Finding {
        Finding {
            host: "h1".into(),
            check: "vm.swappiness".into(),
            verdict,
            result: "60: the kernel swaps the JVM's heap out".into(),
            fix: "sysctl -w vm.swappiness=1".into(),
            remedy,
        }
    }

    #[test]
    fn a_row_names_the_file_of_a_fix_the_wizard_can_make_and_the_report_counts_refusals_and_warnings() {
        let swap = Remedy::Sysctl { key: "vm.swappiness".into(), value: 1, bound: Bound::AtMost };
        let report = PreflightReport::of(vec![
            finding(Verdict::Warn, Some(swap)),
            finding(Verdict::Warn, Some(Remedy::TransparentHugePages)),
            finding(Verdict::Refuse, None),
            finding(Verdict::Pass, None),
        ]);
        let files: Vec<Option<&str>> = report.rows.iter().map(|r| r.fix_file.as_deref()).collect();
        assert_eq!(files, [Some(SYSCTL_FILE), Some(THP_FILE), None, None]);
        assert_eq!((report.refused, report.warned), (1, 2));
        let json = serde_json::to_value(&report.rows[2]).unwrap();
        assert_eq!(json["verdict"], "refuse", "{json}");
    }

    #[test]
    fn each_fix_outcome_is_told_as_the_engine_read_it_back() {
        let outcome = |now: Option<Option<String>>| FixOutcome {
            host: "h1".into(),
            remedy: Remedy::TransparentHugePages,
            setting: "transparent huge pages = madvise".into(),
            file: THP_FILE.into(),
            written: true,
            now,
        };
        let row = |now| FixRow::from(&outcome(now));
        assert_eq!((row(None).state, row(None).why), (FixState::Planned, None));
        assert_eq!(row(Some(None)).state, FixState::AppliedNow);
        let boot = row(Some(Some("Read-only file system".into())));
        assert_eq!((boot.state, boot.why.as_deref()), (FixState::AtBoot, Some("Read-only file system")));
        assert_eq!((boot.file.as_str(), boot.written), (THP_FILE, true));
        let host = HostFixReport::from(&HostFix { host: "h2".into(), outcomes: vec![], error: Some("exit 1".into()) });
        assert_eq!((host.fixes.len(), host.error.as_deref()), (0, Some("exit 1")));
    }
}
