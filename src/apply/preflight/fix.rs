//! Preflight's fixes applied where the operator asks (`deploy --preflight-only --fix`, and `deploy --fix-kernel`
//! once the preflight passed): each host's warnings that carry a [`Remedy`] are made on that host, hosts in
//! parallel — the wizard-owned files written (root, 0644, atomically) only where their content changes, then the
//! settings applied now and read back, so a host whose kernel refuses the write (a container's read-only
//! `/proc/sys`) is reported as "takes effect at boot", never as applied. A dry run reads the files and says what
//! would change.

use super::remedy::{self, FixOutcome, Remedy, SYSCTL_FILE, THP_FILE, THP_MODE};
use super::{Finding, Verdict};
use crate::apply::hosts::HostRun;
use crate::project::spec::ClusterSpec;
use crate::transport::{Transport, TransportError};
use serde::Serialize;
use std::sync::Arc;

/// What fixing one host did (or would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostFix {
    pub host: String,
    /// One per remedy of the host's warnings; empty when it had none.
    pub outcomes: Vec<FixOutcome>,
    /// The host could not be fixed (reading or writing failed): why.
    pub error: Option<String>,
}

impl HostFix {
    /// The lines the CLI prints for this host.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.outcomes.iter().map(FixOutcome::line).collect();
        match &self.error {
            Some(e) => out.push(format!("{}: fixing failed: {e}", self.host)),
            None if out.is_empty() => out.push(format!("{}: nothing to fix", self.host)),
            None => {}
        }
        out
    }
}

/// The remedies of `host`'s warnings, in finding order.
pub fn remedies_of(findings: &[Finding], host: &str) -> Vec<Remedy> {
    findings.iter().filter(|f| f.host == host && f.verdict == Verdict::Warn).filter_map(|f| f.remedy.clone()).collect()
}

/// Applies (or, `dry_run`, describes) the remedies of `findings` on every host of `runs`, in parallel, in host
/// order.
pub(crate) async fn fix_all(spec: &ClusterSpec, runs: &[HostRun], findings: &[Finding], dry_run: bool) -> Vec<HostFix> {
    let tasks: Vec<_> = runs
        .iter()
        .map(|run| {
            let host = spec.hosts[run.index].name.to_string();
            let remedies = remedies_of(findings, &host);
            let transport = run.transport.clone();
            tokio::task::spawn_blocking(move || fix_host(transport, host, remedies, dry_run))
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("a fix task does not panic"));
    }
    out
}

fn fix_host(transport: Arc<dyn Transport>, host: String, remedies: Vec<Remedy>, dry_run: bool) -> HostFix {
    let mut fix = HostFix { host: host.clone(), outcomes: Vec::new(), error: None };
    if remedies.is_empty() {
        return fix;
    }
    match apply(&*transport, &host, &remedies, dry_run) {
        Ok(outcomes) => fix.outcomes = outcomes,
        Err(e) => fix.error = Some(e.to_string()),
    }
    fix
}

fn read_text(transport: &dyn Transport, path: &str) -> Result<String, TransportError> {
    Ok(transport.read_file(path)?.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default())
}

/// One host: its files read, the changed ones written, the settings applied now and read back.
fn apply(
    transport: &dyn Transport,
    host: &str,
    remedies: &[Remedy],
    dry_run: bool,
) -> Result<Vec<FixOutcome>, TransportError> {
    let sysctls = remedies.iter().any(|r| matches!(r, Remedy::Sysctl { .. }));
    let thp = remedies.contains(&Remedy::TransparentHugePages);
    let mut writes: Vec<(&str, String)> = Vec::new();
    let (mut old, mut new) = (Default::default(), Default::default());
    if sysctls {
        let existing = read_text(transport, SYSCTL_FILE)?;
        old = remedy::parse_sysctl_file(&existing).into_iter().collect::<std::collections::BTreeMap<_, _>>();
        new = remedy::merged_sysctls(&existing, remedies);
        let text = remedy::sysctl_file(&new);
        if text != existing {
            writes.push((SYSCTL_FILE, text));
        }
    }
    let thp_written = thp && {
        let text = remedy::thp_file();
        let changed = read_text(transport, THP_FILE)? != text;
        if changed {
            writes.push((THP_FILE, text));
        }
        changed
    };
    // The value each remedy is applied at: the file's (merged) value.
    let targets: Vec<(&Remedy, String)> = remedies
        .iter()
        .map(|r| match r {
            Remedy::Sysctl { key, value, .. } => (r, new.get(key).cloned().unwrap_or_else(|| value.to_string())),
            Remedy::TransparentHugePages => (r, THP_MODE.to_string()),
        })
        .collect();
    let applied = if dry_run {
        None
    } else {
        for (path, text) in &writes {
            let dir = path.rsplit_once('/').map_or("/", |(d, _)| d);
            transport.write_file_after(
                &format!("mkdir -p {}", crate::shell::quote(dir)),
                path,
                text.as_bytes(),
                0o644,
            )?;
        }
        let settings: Vec<(String, u64)> = targets
            .iter()
            .filter_map(|(r, target)| match r {
                Remedy::Sysctl { key, .. } => target.parse().ok().map(|v| (key.clone(), v)),
                Remedy::TransparentHugePages => None,
            })
            .collect();
        let out = transport.exec(&remedy::apply_script(&settings, thp), None)?;
        Some(remedy::parse_applied(&out.stdout_text()))
    };
    Ok(targets
        .into_iter()
        .map(|(r, target)| {
            let (setting, written) = match r {
                Remedy::Sysctl { key, .. } => (format!("{key} = {target}"), old.get(key) != Some(&target)),
                Remedy::TransparentHugePages => (format!("transparent huge pages = {THP_MODE}"), thp_written),
            };
            FixOutcome {
                host: host.to_string(),
                remedy: r.clone(),
                setting,
                file: r.file().to_string(),
                written,
                now: applied.as_ref().map(|a| remedy::taken_now(r, &target, a)),
            }
        })
        .collect())
}
