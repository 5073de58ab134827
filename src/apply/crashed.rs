//! A service that crashes as soon as the wizard (re)started it — its JVM exits at once (an option it does not know,
//! a data directory it cannot write) and systemd restarts it every `RestartSec` (`Restart=on-failure`) — is watched
//! beside the health wait: once systemd has restarted it [`CRASHES`] times, the run ends naming the host, with the
//! end of the unit's journal (the JVM's reason), instead of waiting out the whole health timeout (180 s by default)
//! for a node that can never come back.

use super::hosts::Transports;
use super::options::ApplyError;
use crate::project::spec::ClusterSpec;
use std::time::Duration;

/// Restarts by systemd after which a unit is taken for crashing: one could be a passing failure the retry
/// survives; two (20 s with the units' `RestartSec=10`) is a service that cannot start.
pub const CRASHES: u32 = 2;

/// How often each unit is asked.
const EVERY: Duration = Duration::from_secs(2);

/// The journal lines shown: a whole crash (the JVM's lines, then systemd's exit, failure, scheduled restart, start)
/// even when the next start has begun.
const JOURNAL_LINES: u32 = 12;

/// One read of the unit's restart count and state (`NRestarts=…`, `ActiveState=…`).
pub fn show_script(unit: &str) -> String {
    format!("systemctl show -p NRestarts -p ActiveState {unit}")
}

/// What [`show_script`] printed: the restart count and the active state, when both are there.
pub fn parse_show(out: &str) -> Option<(u32, String)> {
    let value = |key: &str| out.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(str::trim);
    Some((value("NRestarts")?.parse().ok()?, value("ActiveState")?.to_string()))
}

/// Whether the unit crashed since the first read (`baseline` restarts): systemd restarted it [`CRASHES`] more times,
/// or gave up on it (`failed`). `None` while it has not.
pub fn judge(baseline: u32, restarts: u32, state: &str) -> Option<String> {
    let crashes = restarts.saturating_sub(baseline);
    if state == "failed" {
        return Some(format!("it failed (systemd gave up after {crashes} restart(s))"));
    }
    (crashes >= CRASHES).then(|| format!("it exited and systemd restarted it {crashes} times"))
}

/// Asks each host's `unit` every [`EVERY`] until one of them crashed (see [`judge`]); returns that host (its index)
/// and a message naming it. Pending for as long as none does (the caller races it against the health wait); a host
/// that cannot be asked is left to the health wait.
pub async fn first_crash(spec: &ClusterSpec, transports: &Transports, hosts: &[usize], unit: &str) -> (usize, String) {
    let mut baselines: Vec<Option<u32>> = vec![None; hosts.len()];
    loop {
        for (i, index) in hosts.iter().enumerate() {
            let Some(t) = transports.get(index).cloned() else { continue };
            let script = show_script(unit);
            let read = tokio::task::spawn_blocking(move || t.exec(&script, None)).await.expect("unit read panicked");
            let Some((restarts, state)) = read.ok().and_then(|out| parse_show(&out.stdout_text())) else { continue };
            let baseline = *baselines[i].get_or_insert(restarts);
            if let Some(how) = judge(baseline, restarts, &state) {
                return (*index, format!("{}: {unit} crashes on start: {how}", spec.hosts[*index].name));
            }
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// The run's error for a crashing unit: `message`, then the end of the unit's journal on its host — read whatever
/// the unit's state (between two crashes systemd may have just started it again, which `hosts::unhealthy` takes for
/// a running unit).
pub fn told(spec: &ClusterSpec, transports: &Transports, index: usize, unit: &str, message: String) -> ApplyError {
    let script = format!("journalctl -u {unit} -n {JOURNAL_LINES} --no-pager -o cat 2>/dev/null");
    let journal = transports.get(&index).and_then(|t| t.exec(&script, None).ok()).map(|out| out.stdout_text());
    ApplyError::Unhealthy(match journal.as_deref().map(str::trim_end).filter(|j| !j.trim().is_empty()) {
        Some(journal) => {
            format!("{message}\n{} {unit} keeps crashing; its journal ends with:\n{journal}", spec.hosts[index].name)
        }
        None => message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restart_count_and_state_are_read_from_systemctl_show() {
        assert_eq!(parse_show("NRestarts=3\nActiveState=activating\n"), Some((3, "activating".into())));
        assert_eq!(parse_show("ActiveState=active\nNRestarts=0\n"), Some((0, "active".into())));
        assert_eq!(parse_show("ActiveState=active\n"), None, "an old systemd without NRestarts: never judged");
        assert_eq!(parse_show(""), None);
    }

    #[test]
    fn a_unit_is_crashing_after_two_restarts_by_systemd_or_once_it_failed() {
        assert_eq!(judge(0, 0, "active"), None);
        assert_eq!(judge(0, 1, "activating"), None, "one restart may be a passing failure");
        assert_eq!(judge(0, 2, "activating").as_deref(), Some("it exited and systemd restarted it 2 times"));
        assert_eq!(judge(5, 6, "active"), None, "restarts before the wizard's (re)start do not count");
        assert_eq!(judge(5, 7, "activating").as_deref(), Some("it exited and systemd restarted it 2 times"));
        assert_eq!(judge(0, 0, "failed").as_deref(), Some("it failed (systemd gave up after 0 restart(s))"));
    }
}
