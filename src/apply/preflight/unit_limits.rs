//! The open-file limit the wizard's services get: each installed unit's effective `LimitNOFILE` as systemd sees it
//! (soft and hard, after every drop-in), read in the facts probe's one `systemctl show` of the units
//! (`apply::facts::units_probe`, which also prints each drop-in's `LimitNOFILE` lines), judged against the
//! [`LIMIT_NOFILE`] the wizard's units set: below it warns, naming the drop-in that lowers it. The fix is advice
//! only: the drop-in is someone else's file, the wizard does not remove it. A unit not installed yet is not judged.

use super::probe::PreflightFacts;
use super::Verdict;
use crate::project::spec::HostSpec;
use crate::render::{Service, LIMIT_NOFILE};
use serde::Serialize;

/// One unit's open-file limit as systemd sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnitLimit {
    /// `LimitNOFILESoft` (`infinity` read as `u64::MAX`); None when unreadable.
    pub soft: Option<u64>,
    /// `LimitNOFILE`, the hard limit.
    pub hard: Option<u64>,
    /// Each drop-in's `LimitNOFILE` setting: (its path, the value as written), in the order systemd applies them.
    pub dropins: Vec<(String, String)>,
}

/// A limit as systemd prints or takes it: a number or `infinity`.
fn limit_value(text: &str) -> Option<u64> {
    match text.trim() {
        "infinity" => Some(u64::MAX),
        v => v.parse().ok(),
    }
}

/// A `LimitNOFILE=` value as written (`4096`, `1024:524288`, `infinity`): the lower of soft and hard; None for one
/// that does not parse (or an empty reset).
pub fn written_limit(text: &str) -> Option<u64> {
    text.split(':').map(limit_value).collect::<Option<Vec<u64>>>()?.into_iter().min()
}

/// Takes one probe line of this module's kinds: `nofile UNIT SOFT HARD`, `nofiledropin UNIT PATH VALUE`.
pub fn parse_line(f: &mut PreflightFacts, kind: &str, rest: &str) -> bool {
    match kind {
        "nofile" => {
            // an older systemd without `LimitNOFILESoft` prints an empty soft limit: the hard one alone
            let parts: Vec<&str> = rest.split(' ').collect();
            if let [unit, soft, hard] = parts[..] {
                let limit = f.unit_limits.entry(unit.to_string()).or_default();
                (limit.soft, limit.hard) = (limit_value(soft), limit_value(hard));
            }
        }
        "nofiledropin" => {
            let mut parts = rest.splitn(3, ' ');
            if let (Some(unit), Some(path), Some(value)) = (parts.next(), parts.next(), parts.next()) {
                let limit = f.unit_limits.entry(unit.to_string()).or_default();
                limit.dropins.push((path.to_string(), value.trim().to_string()));
            }
        }
        _ => return false,
    }
    true
}

/// Per service of `host` whose unit is installed: (check, verdict, result, fix).
pub fn judge(host: &HostSpec, f: &PreflightFacts) -> Vec<super::environment::Judged> {
    let mut out = Vec::new();
    for service in Service::on(host) {
        let unit = service.unit();
        let Some(limit) = f.unit_limits.get(unit) else { continue };
        let Some(effective) = limit.soft.into_iter().chain(limit.hard).min() else { continue };
        let check = format!("open files {unit}");
        if effective >= LIMIT_NOFILE {
            out.push((check, Verdict::Pass, format!("LimitNOFILE={}", shown(effective)), String::new()));
            continue;
        }
        let lowering: Vec<&(String, String)> =
            limit.dropins.iter().filter(|(_, v)| written_limit(v).is_some_and(|v| v < LIMIT_NOFILE)).collect();
        let (result, fix) = match lowering.is_empty() {
            true => (
                format!(
                    "LimitNOFILE={} (as systemd sees it), below the {LIMIT_NOFILE} the wizard's unit sets",
                    shown(effective)
                ),
                format!(
                    "`systemctl cat {unit}` shows where it is set: a re-deploy restores the wizard's unit; remove \
                     any other LimitNOFILE, then `systemctl daemon-reload` and restart {unit}"
                ),
            ),
            false => {
                let named: Vec<String> = lowering.iter().map(|(p, v)| format!("{p} (LimitNOFILE={v})")).collect();
                let paths: Vec<&str> = lowering.iter().map(|(p, _)| p.as_str()).collect();
                (
                    format!(
                        "LimitNOFILE={} (as systemd sees it), below the {LIMIT_NOFILE} the wizard's unit sets: \
                         lowered by the drop-in {}",
                        shown(effective),
                        named.join(", ")
                    ),
                    format!(
                        "remove the LimitNOFILE line from {} (not the wizard's file: it is left alone), then \
                         `systemctl daemon-reload` and restart {unit}",
                        paths.join(", ")
                    ),
                )
            }
        };
        out.push((check, Verdict::Warn, result, fix));
    }
    out
}

fn shown(limit: u64) -> String {
    match limit {
        u64::MAX => "infinity".into(),
        v => v.to_string(),
    }
}
