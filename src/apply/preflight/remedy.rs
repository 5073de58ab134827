//! The fixes preflight can make itself (`deploy --preflight-only --fix`, `deploy --fix-kernel`), pure: a warning's
//! typed [`Remedy`], the wizard-owned files that keep them across boots ([`SYSCTL_FILE`], loaded by
//! systemd-sysctl; [`THP_FILE`], a tmpfiles.d entry systemd-tmpfiles writes at boot), the one script that applies them
//! now and reads the kernel's values back, and its parser. A setting is never moved past what the operator set: a
//! raise keeps a higher value already in the file, a lowering a lower one, and only the settings that warned are
//! written to the kernel now (not the whole file: that could undo a value raised by hand since).

use super::probe::SYSCTLS;
use crate::shell::quote;
use serde::Serialize;
use std::collections::BTreeMap;

/// The wizard's kernel settings, one `key = value` a line (systemd-sysctl loads `/etc/sysctl.d/*.conf` at boot).
pub const SYSCTL_FILE: &str = "/etc/sysctl.d/60-kafka.conf";
/// The wizard's tmpfiles.d entry that turns transparent huge pages off at every boot.
pub const THP_FILE: &str = "/etc/tmpfiles.d/60-kafka-thp.conf";
/// Where the kernel keeps the transparent huge pages modes.
pub const THP_DIR: &str = "/sys/kernel/mm/transparent_hugepage";
/// The mode [`Remedy::TransparentHugePages`] sets, in `enabled` and `defrag`: huge pages only where a program asks
/// for them (madvise). Kafka's JVM does not ask unless started with `-XX:+UseTransparentHugePages`, so for it this is
/// `never`, while other programs keep their choice (docs/facts/kafka.md §22).
pub const THP_MODE: &str = "madvise";

/// Which way a kernel setting is fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Raised to at least the value (a higher one stays).
    AtLeast,
    /// Lowered to at most the value (a lower one stays).
    AtMost,
}

impl Bound {
    /// Whether `v` already satisfies the bound of `value`.
    pub fn holds(self, v: u64, value: u64) -> bool {
        match self {
            Bound::AtLeast => v >= value,
            Bound::AtMost => v <= value,
        }
    }

    /// The value that satisfies both `a` and `b` the way the bound goes.
    fn keep(self, a: u64, b: u64) -> u64 {
        match self {
            Bound::AtLeast => a.max(b),
            Bound::AtMost => a.min(b),
        }
    }
}

/// A fix the wizard can make itself, carried by the warning it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remedy {
    /// A kernel setting (one of [`SYSCTLS`]) set to `value` or beyond it the way `bound` goes.
    Sysctl { key: String, value: u64, bound: Bound },
    /// Transparent huge pages set to [`THP_MODE`].
    TransparentHugePages,
}

impl Remedy {
    /// The file that keeps it across boots.
    pub fn file(&self) -> &'static str {
        match self {
            Remedy::Sysctl { .. } => SYSCTL_FILE,
            Remedy::TransparentHugePages => THP_FILE,
        }
    }
}

/// The settings of a sysctl.d file's text: `key = value` lines (comments and blank lines skipped), in file order.
pub fn parse_sysctl_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().trim_start_matches('-').to_string(), v.trim().to_string()))
        .collect()
}

/// What the kernel settings become: the file's settings with `remedies` merged in (a value already beyond the
/// remedy's kept), as (key, value) in key order.
pub fn merged_sysctls(existing: &str, remedies: &[Remedy]) -> BTreeMap<String, String> {
    let mut settings: BTreeMap<String, String> = parse_sysctl_file(existing).into_iter().collect();
    for remedy in remedies {
        if let Remedy::Sysctl { key, value, bound } = remedy {
            let kept = settings.get(key).and_then(|v| v.parse::<u64>().ok());
            let value = kept.map_or(*value, |k| bound.keep(k, *value));
            settings.insert(key.clone(), value.to_string());
        }
    }
    settings
}

/// The text of [`SYSCTL_FILE`] holding `settings`.
pub fn sysctl_file(settings: &BTreeMap<String, String>) -> String {
    let mut out = String::from(
        "# Kernel settings for Kafka, kept by kafka-wizard (deploy --preflight-only --fix); systemd-sysctl loads\n\
         # them at boot. A value here is never lowered (vm.max_map_count, fs.nr_open) or raised (vm.swappiness) by\n\
         # the wizard past what is already set.\n",
    );
    for (key, value) in settings {
        out.push_str(&format!("{key} = {value}\n"));
    }
    out
}

/// The text of [`THP_FILE`]: [`THP_MODE`] written to both modes at boot.
pub fn thp_file() -> String {
    format!(
        "# Transparent huge pages only where a program asks (not Kafka's JVM), kept by kafka-wizard\n\
         # (deploy --preflight-only --fix);\n\
         # systemd-tmpfiles writes them at boot.\n\
         w {THP_DIR}/enabled - - - - {THP_MODE}\nw {THP_DIR}/defrag - - - - {THP_MODE}\n"
    )
}

/// The file under `/proc/sys` of a setting the probe knows.
fn proc_file(key: &str) -> Option<String> {
    SYSCTLS.iter().find(|(name, _)| *name == key).map(|(_, file)| format!("/proc/sys/{file}"))
}

/// The script that applies `settings` (key, value) and, with `thp`, transparent huge pages now, then reads each
/// back: `now KEY VALUE<TAB>ERROR` (`now thp MODE<TAB>ERROR` for huge pages; the error is what the kernel said to
/// the write, on one line). Always exits 0: a refused write is reported, not a failure.
pub fn apply_script(settings: &[(String, u64)], thp: bool) -> String {
    let mut s = String::new();
    for (key, value) in settings {
        let Some(file) = proc_file(key) else { continue };
        let f = quote(&file);
        s.push_str(&format!(
            "err=$({{ printf '%s\\n' {value} > {f}; }} 2>&1 | tr '\\n' ' ')\n\
             printf 'now %s %s\\t%s\\n' {k} \"$(cat {f} 2>/dev/null)\" \"$err\"\n",
            k = quote(key)
        ));
    }
    if thp {
        let (enabled, defrag) = (quote_path(&format!("{THP_DIR}/enabled")), quote_path(&format!("{THP_DIR}/defrag")));
        s.push_str(&format!(
            "err=$({{ echo {THP_MODE} > {enabled} && echo {THP_MODE} > {defrag}; }} 2>&1 | tr '\\n' ' ')\n\
             printf 'now thp %s\\t%s\\n' \"$(sed -n 's/.*\\[\\(.*\\)\\].*/\\1/p' {enabled} 2>/dev/null)\" \"$err\"\n"
        ));
    }
    s.push_str("true\n");
    s
}

fn quote_path(path: &str) -> String {
    quote(path).into_owned()
}

/// The apply script's read-back: per key (`thp` for huge pages), the value the kernel now has and what it said to
/// the write (empty when nothing).
pub fn parse_applied(output: &str) -> BTreeMap<String, (String, String)> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("now "))
        .filter_map(|l| {
            let (key, rest) = l.split_once(' ')?;
            let (value, error) = rest.split_once('\t').unwrap_or((rest, ""));
            Some((key.to_string(), (value.trim().to_string(), without_shell_prefix(error.trim()).to_string())))
        })
        .collect()
}

/// `sh: 3: cannot create …: Read-only file system` → `cannot create …: Read-only file system` (dash names itself
/// and the script's line).
fn without_shell_prefix(error: &str) -> &str {
    let Some(rest) = error.strip_prefix("sh: ") else { return error };
    match rest.split_once(": ") {
        Some((line, message)) if line.bytes().all(|b| b.is_ascii_digit()) => message,
        _ => error,
    }
}

/// Whether the kernel took a remedy now, from the read-back: `None` when it did, else why not.
pub fn taken_now(remedy: &Remedy, target: &str, applied: &BTreeMap<String, (String, String)>) -> Option<String> {
    let key = match remedy {
        Remedy::Sysctl { key, .. } => key.as_str(),
        Remedy::TransparentHugePages => "thp",
    };
    let Some((value, error)) = applied.get(key) else { return Some("the host did not say".into()) };
    let took = match remedy {
        Remedy::Sysctl { bound, .. } => match (value.parse::<u64>(), target.parse::<u64>()) {
            (Ok(v), Ok(t)) => bound.holds(v, t),
            _ => false,
        },
        Remedy::TransparentHugePages => value == THP_MODE,
    };
    match (took, error.is_empty()) {
        (true, _) => None,
        (false, false) => Some(error.clone()),
        (false, true) => Some(format!("the kernel still says {}", if value.is_empty() { "nothing" } else { value })),
    }
}

/// What a fix did (or, in a dry run, would do) with one remedy on one host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixOutcome {
    pub host: String,
    pub remedy: Remedy,
    /// `vm.max_map_count = 262144`, `transparent huge pages = never`.
    pub setting: String,
    /// The file that keeps it.
    pub file: String,
    /// Whether its file was (or would be) written for it; false: it was already there.
    pub written: bool,
    /// Applied now: `None` in a dry run, `Some(None)` when the kernel took it, `Some(Some(why))` when not.
    pub now: Option<Option<String>>,
}

impl FixOutcome {
    /// `h1: vm.swappiness = 1: kept in /etc/sysctl.d/60-kafka.conf, takes effect at boot; applying it now failed: …`
    pub fn line(&self) -> String {
        let file = &self.file;
        let said = match (&self.now, self.written) {
            (None, true) => format!("would be kept in {file} and applied now"),
            (None, false) => format!("already in place in {file}; would be applied now"),
            (Some(None), true) => format!("kept in {file} and applied now"),
            (Some(None), false) => format!("already in place in {file}; applied now"),
            (Some(Some(why)), true) => format!("kept in {file}, takes effect at boot; applying it now failed: {why}"),
            (Some(Some(why)), false) => {
                format!("already in place in {file}, takes effect at boot; applying it now failed: {why}")
            }
        };
        format!("{}: {}: {said}", self.host, self.setting)
    }
}
