//! The sweep of an interrupted run's leftovers (`plan::leftovers` names them): its part of the facts probe (the same
//! round trip), the parser of that part, and the decision of `HostStep::RemoveLeftovers` — which removes only what is
//! still a leftover when it runs.
//!
//! The sweep runs under the run lock (`apply::runlock`, taken before the probe): no other wizard run works on the
//! host meanwhile, so a temporary name is one a run that is gone left — the wizard killed, the host powered off,
//! the SSH connection dropped. Without the lock a name nobody holds could still be another run's, between the close
//! of its upload and its rename; under it, that window belongs only to this run. What still guards the sweep: a
//! killed run's last command may run on for a moment after its connection dropped (sshd sends no hangup to a
//! session without a terminal), so a name is removed only when no process on the host holds it (no open file in
//! it or of it, no working directory in it: the upload's `sftp-server`, the unpack's `tar`, the `cat` writing a
//! configuration's temporary file all hold what they write), or when nobody touched it for [`STALE_MINUTES`]. On a
//! host worked on without the lock (no `flock`) only that last rule applies: a fresh name is kept, since another run
//! may still be writing it.
//!
//! A release relay's forced-command key lines (`plan::leftovers::RELAY_KEY_MARK`) in the SSH login's
//! `authorized_keys` are leftovers too — removed line by line, never the file. Under the run lock every such line
//! is a gone run's (this run adds its own only after the probe, and the sweep removes only the lines the probe
//! saw), so all go; without it only those older than [`STALE_MINUTES`] (a line carries its creation time).

use super::decide::{Action, Decision};
use crate::plan::leftovers::{self, RELAY_KEY_MARK, STALE_MINUTES, UPLOAD_PREFIX};
use crate::project::spec::{ClusterSpec, HostSpec};
use crate::shell::quote;
use serde::Serialize;

/// A temporary name an interrupted run left, its size, and whether nobody touched it for [`STALE_MINUTES`]; or a
/// relay key line it left (`key_line`: the line's mark; `path`: the `authorized_keys` holding it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Leftover {
    pub path: String,
    pub kib: u64,
    /// Untouched for [`STALE_MINUTES`]: the only kind a run without the run lock removes.
    pub stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_line: Option<String>,
}

impl Leftover {
    /// How the run names it: the path, or for a key line the file and the line's mark.
    fn name(&self) -> String {
        match &self.key_line {
            Some(mark) => format!("{}: relay key line {mark}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The probe's lines `leftover <stale|fresh> <KiB>\t<path>`: every leftover temporary name in the host's swept
/// directories, and the uploads a sudo user's session left in that user's home (`$SUDO_USER`, set by sudo), each
/// marked stale when nobody touched it for [`STALE_MINUTES`]. Read-only; the names found by the shell's own globs
/// (every name test begins with a dot, so a glob sees what `find -name` would; no process on a host without any),
/// and the processes' open files read only when there is a temporary name at all.
pub fn probe_script(spec: &ClusterSpec, host: &HostSpec) -> String {
    let globs = |dir: &str| -> Vec<String> {
        leftovers::name_tests().iter().map(|test| format!("{dir}/{test}")).collect::<Vec<_>>()
    };
    let dirs: Vec<String> = leftovers::dirs(spec, host).iter().map(|d| quote(d).into_owned()).collect();
    let swept: Vec<String> = dirs.iter().flat_map(|d| globs(d)).collect();
    format!(
        "kw_names=; kw_nl='\n'\n\
         kw_found() {{ for p in \"$@\"; do {{ [ -e \"$p\" ] || [ -L \"$p\" ]; }} && \
         case \"$kw_nl$kw_names$kw_nl\" in *\"$kw_nl$p$kw_nl\"*) ;; *) kw_names=${{kw_names:+$kw_names$kw_nl}}$p ;; esac; \
         done; }}\n\
         kw_found {swept}\n\
         if [ -n \"${{SUDO_USER:-}}\" ] && h=$(getent passwd \"$SUDO_USER\" | cut -d: -f6) && [ -d \"$h\" ]; then \
         kw_found \"$h\"/{UPLOAD_PREFIX}*; fi\n\
         if [ -n \"$kw_names\" ]; then\n{gone}\
         printf '%s\\n' \"$kw_names\" | while IFS= read -r p; do if kw_gone \"$p\"; then \
         if kw_stale \"$p\"; then a=stale; else a=fresh; fi; du -sk -- \"$p\" 2>/dev/null | sed \"s/^/leftover $a /\"; fi; done\n\
         fi\n\
         {keys}",
        swept = swept.join(" "),
        gone = gone_function(),
        keys = key_lines_probe("\"$(getent passwd \"${SUDO_USER:-$(id -un)}\" | cut -d: -f6)/.ssh/authorized_keys\""),
    )
}

/// The probe's lines `leftover-key <stale|fresh> <mark>\t<file>`: each relay key line in the `authorized_keys` the
/// shell word `file` names (the SSH login's: the sudo user's, else the user's own), stale when its mark's time is
/// over [`STALE_MINUTES`] ago.
fn key_lines_probe(file: &str) -> String {
    format!(
        "kw_ak={file}\n\
         if [ -f \"$kw_ak\" ]; then kw_now=$(date +%s); \
         grep -o '{RELAY_KEY_MARK}[0-9][0-9]*-[0-9a-f][0-9a-f]*' \"$kw_ak\" 2>/dev/null | while IFS= read -r m; do \
         t=${{m#{RELAY_KEY_MARK}}}; t=${{t%%-*}}; if [ $((kw_now - t)) -gt {stale} ]; then a=stale; else a=fresh; fi; \
         printf 'leftover-key %s %s\\t%s\\n' \"$a\" \"$m\" \"$kw_ak\"; done; fi\n",
        stale = u64::from(STALE_MINUTES) * 60,
    )
}

/// `kw_gone PATH`: true when PATH is a leftover (see the module's docs) — untouched for [`STALE_MINUTES`]
/// (`kw_stale PATH`), or held by no process this script can see (as root: every one; a user without sudo sees its
/// own, the only ones that write where it writes). Reads every process's working directory and open files once, into
/// `kw_held`.
fn gone_function() -> String {
    format!(
        "kw_held=$(for d in /proc/[0-9]*; do readlink \"$d/cwd\" \"$d\"/fd/* 2>/dev/null; done)\n\
         kw_stale() {{ [ -n \"$(find \"$1\" -maxdepth 0 -mmin +{STALE_MINUTES} 2>/dev/null)\" ]; }}\n\
         kw_gone() {{ kw_stale \"$1\" || \
         ! printf '%s\\n' \"$kw_held\" | awk -v p=\"$1\" 'index($0, p) == 1 && (length($0) == length(p) || substr($0, length(p) + 1, 1) == \"/\") {{ f = 1; exit }} END {{ exit !f }}'; }}\n"
    )
}

/// One probe line's rest (after `leftover `): `<stale|fresh> <KiB>\t<path>`.
pub fn parse_line(rest: &str) -> Option<Leftover> {
    let (age, rest) = rest.split_once(' ')?;
    let (kib, path) = rest.split_once('\t')?;
    let stale = is_stale(age)?;
    Some(Leftover { path: path.to_string(), kib: kib.trim().parse().ok()?, stale, key_line: None })
}

/// One probe line's rest (after `leftover-key `): `<stale|fresh> <mark>\t<file>`.
pub fn parse_key_line(rest: &str) -> Option<Leftover> {
    let (age, rest) = rest.split_once(' ')?;
    let (mark, path) = rest.split_once('\t')?;
    let stale = is_stale(age)?;
    let mark = mark.strip_prefix(RELAY_KEY_MARK).map(|_| mark.to_string())?;
    Some(Leftover { path: path.to_string(), kib: 0, stale, key_line: Some(mark) })
}

/// A probe line's age word: `stale` or `fresh`.
fn is_stale(age: &str) -> Option<bool> {
    match age {
        "stale" => Some(true),
        "fresh" => Some(false),
        _ => None,
    }
}

/// `HostStep::RemoveLeftovers`: nothing to do, or remove what the probe found (each only if it still is a leftover;
/// `without_run_lock`: only the names nobody touched for [`STALE_MINUTES`] — a fresh one is kept, named, and is no
/// change: the run reports only what it removes).
pub fn decide(found: &[Leftover], without_run_lock: bool) -> Decision {
    let (removed, fresh): (Vec<&Leftover>, Vec<&Leftover>) = match without_run_lock {
        false => (found.iter().collect(), Vec::new()),
        true => found.iter().partition(|l| l.stale),
    };
    let names = |list: &[&Leftover]| list.iter().map(|l| l.name()).collect::<Vec<_>>().join(", ");
    let kept = match fresh.len() {
        0 => String::new(),
        n => format!(
            "without the run lock, kept {} touched in the last {STALE_MINUTES} minutes (another run may be writing \
             {}): {}",
            plural(n),
            if n == 1 { "it" } else { "them" },
            names(&fresh)
        ),
    };
    if removed.is_empty() {
        let reason = if kept.is_empty() { "nothing left by an interrupted run".into() } else { kept };
        return Decision::Unchanged { reason };
    }
    let kib: u64 = removed.iter().map(|l| l.kib).sum();
    let (what, test) = match without_run_lock {
        false => (format!("removed {}", plural(removed.len())), "kw_gone"),
        true => (
            format!("without the run lock, removed {} untouched for {STALE_MINUTES} minutes", plural(removed.len())),
            "kw_stale",
        ),
    };
    let kept = if kept.is_empty() { kept } else { format!("; {kept}") };
    let removed: Vec<Leftover> = removed.into_iter().cloned().collect();
    Decision::Change {
        detail: format!("{what} ({}): {}{kept}", size(kib), names(&removed.iter().collect::<Vec<_>>())),
        actions: vec![Action::Run { script: remove_script(&removed, test) }],
    }
}

/// Removes each leftover name that still is one by `test` (`kw_gone`, or `kw_stale` without the run lock; `rm -rf`
/// never follows a symbolic link): a name a run started since the probe holds again is kept. Key lines: exactly the
/// ones found (`super::relay::remove_key_lines_script`), each file once.
fn remove_script(found: &[Leftover], test: &str) -> String {
    let (keys, names): (Vec<&Leftover>, Vec<&Leftover>) = found.iter().partition(|l| l.key_line.is_some());
    let mut parts = Vec::new();
    if !names.is_empty() {
        let paths: Vec<String> = names.iter().map(|l| quote(&l.path).into_owned()).collect();
        let remove = format!("for p in {}; do if {test} \"$p\"; then rm -rf -- \"$p\"; fi; done", paths.join(" "));
        parts.push(format!("{}{remove}", gone_function()));
    }
    let files: std::collections::BTreeSet<&str> = keys.iter().map(|l| l.path.as_str()).collect();
    for file in files {
        let marks: Vec<&str> = keys.iter().filter(|l| l.path == file).filter_map(|l| l.key_line.as_deref()).collect();
        parts.push(super::relay::remove_key_lines_script(&format!("f={}", quote(file)), &marks));
    }
    parts.join("\n")
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 leftover".into()
    } else {
        format!("{n} leftovers")
    }
}

fn size(kib: u64) -> String {
    match kib {
        k if k >= 1024 * 1024 => format!("{:.1} GiB", k as f64 / (1024.0 * 1024.0)),
        k if k >= 1024 => format!("{:.1} MiB", k as f64 / 1024.0),
        k => format!("{k} KiB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn spec_with_install_dir(dir: &std::path::Path) -> ClusterSpec {
        let text = include_str!("../../tests/fixtures/zookeeper-secure.toml");
        let mut project = crate::project::parse(text).unwrap();
        project.kafka.install_dir = Some(dir.display().to_string());
        crate::project::validate(&project).spec.unwrap()
    }

    fn age(path: &std::path::Path, minutes: u64) {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(minutes * 60);
        std::fs::File::options()
            .write(true)
            .open(path)
            .or_else(|_| std::fs::File::open(path))
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    fn probe(script: &str) -> Vec<Leftover> {
        let out = Command::new("sh").arg("-c").arg(script).env_remove("SUDO_USER").output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("leftover ").and_then(parse_line))
            .collect()
    }

    /// A process holding `path` (`sleep` with it as its standard output, or, for a directory, as its working
    /// directory): what a run still going on looks like.
    fn holder(path: &std::path::Path) -> std::process::Child {
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        match path.is_dir() {
            true => sleep.current_dir(path),
            false => sleep.stdout(std::fs::File::options().append(true).open(path).unwrap()),
        };
        sleep.spawn().unwrap()
    }

    #[test]
    fn stale_names_and_fresh_ones_no_process_holds_are_found_and_removed_while_held_ones_and_kept_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec_with_install_dir(dir.path());
        let stale_upload = dir.path().join(".kafka_2.13-3.9.1.tgz.upload");
        let stale_temp = dir.path().join("..kafka_2.13-3.9.1.tgz.upload.kw-0123456789abcdef");
        let stale_unpack = dir.path().join(".unpack.Ab12Cd");
        // a run cut off a moment ago: its partial upload, held by nobody
        let abandoned = dir.path().join("..kafka_2.13-3.9.1.tgz.upload.kw-0a0a0a0a0a0a0a0a");
        // a run going on: its upload held open, its unpack directory tar's working directory
        let fresh_temp = dir.path().join("..kafka_2.13-3.9.1.tgz.upload.kw-fedcba9876543210");
        let fresh_unpack = dir.path().join(".unpack.Zz9Yy8");
        let kept = dir.path().join("kafka_2.13-3.9.1");
        std::fs::write(&stale_upload, vec![0u8; 300 * 1024]).unwrap();
        std::fs::write(&stale_temp, b"partial").unwrap();
        std::fs::create_dir_all(stale_unpack.join("kafka_2.13-3.9.1/bin")).unwrap();
        std::fs::write(&abandoned, b"cut off").unwrap();
        std::fs::write(&fresh_temp, b"being written").unwrap();
        std::fs::create_dir_all(fresh_unpack.join("kafka_2.13-3.9.1/bin")).unwrap();
        std::fs::create_dir(&kept).unwrap();
        for p in [&stale_upload, &stale_temp, &stale_unpack, &kept] {
            age(p, 45);
        }
        let mut holders = vec![holder(&fresh_temp), holder(&fresh_unpack.join("kafka_2.13-3.9.1/bin"))];

        let host = &spec.hosts[0];
        let mut found = probe(&probe_script(&spec, host));
        found.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<&str> = found.iter().map(|l| l.path.as_str()).collect();
        let want = [&stale_temp, &abandoned, &stale_upload, &stale_unpack].map(|p| p.display().to_string());
        assert_eq!(paths, want.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(found.iter().find(|l| l.path.ends_with(".upload")).unwrap().kib >= 300);

        assert_eq!(found.iter().filter(|l| l.stale).count(), 3, "{found:?}");
        assert!(!found.iter().find(|l| l.path == abandoned.display().to_string()).unwrap().stale);
        // without the run lock only what is stale goes: the fresh name nobody holds may be another run's — kept, and
        // told as kept, not as removed
        let Decision::Change { detail, actions } = decide(&found, true) else { panic!("leftovers are removed") };
        assert!(detail.starts_with("without the run lock, removed 3 leftovers untouched for 30 minutes ("), "{detail}");
        let (removed, kept_told) = detail.split_once("; ").unwrap();
        assert!(!removed.contains(&abandoned.display().to_string()), "{detail}");
        assert_eq!(
            kept_told,
            format!(
                "without the run lock, kept 1 leftover touched in the last 30 minutes (another run may be writing it): {}",
                abandoned.display()
            )
        );
        let [Action::Run { script }] = &actions[..] else { panic!("{actions:?}") };
        assert!(Command::new("sh").arg("-c").arg(script).status().unwrap().success());
        assert!(!stale_upload.exists() && !stale_unpack.exists() && !stale_temp.exists() && abandoned.exists());
        std::fs::write(&stale_upload, vec![0u8; 300 * 1024]).unwrap();
        std::fs::write(&stale_temp, b"partial").unwrap();
        std::fs::create_dir_all(stale_unpack.join("kafka_2.13-3.9.1/bin")).unwrap();
        for p in [&stale_upload, &stale_temp, &stale_unpack] {
            age(p, 45);
        }

        let Decision::Change { detail, actions } = decide(&found, false) else { panic!("leftovers are removed") };
        assert!(detail.starts_with("removed 4 leftovers ("), "{detail}");
        let [Action::Run { script }] = &actions[..] else { panic!("{actions:?}") };
        // a leftover a run started since the probe writes again (and holds) is kept
        std::fs::write(&stale_temp, b"written again").unwrap();
        holders.push(holder(&stale_temp));
        let status = Command::new("sh").arg("-c").arg(script).status().unwrap();
        assert!(status.success());
        assert!(!stale_upload.exists() && !stale_unpack.exists() && !abandoned.exists());
        assert!(stale_temp.exists() && fresh_temp.exists() && fresh_unpack.exists() && kept.exists());
        assert!(probe(&probe_script(&spec, host)).is_empty());
        assert_eq!(decide(&[], false), Decision::Unchanged { reason: "nothing left by an interrupted run".into() });
        for mut h in holders {
            h.kill().unwrap();
            h.wait().unwrap();
        }
        // once nobody holds them, the run that wrote them is gone: leftovers
        let mut found = probe(&probe_script(&spec, host));
        found.sort_by(|a, b| a.path.cmp(&b.path));
        let paths: Vec<&str> = found.iter().map(|l| l.path.as_str()).collect();
        let want = [&stale_temp, &fresh_temp, &fresh_unpack].map(|p| p.display().to_string());
        assert_eq!(paths, want.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn without_the_run_lock_a_fresh_name_alone_is_kept_and_no_change_and_the_probe_lines_say_which_is_stale() {
        let fresh = parse_line("fresh 4\t/opt/.kafka_2.13-4.1.1.tgz.upload.kw-0a0a").unwrap();
        let stale = parse_line("stale 12\t/opt/.unpack.Ab12Cd").unwrap();
        assert_eq!(
            fresh,
            Leftover { path: "/opt/.kafka_2.13-4.1.1.tgz.upload.kw-0a0a".into(), kib: 4, stale: false, key_line: None }
        );
        assert_eq!(stale, Leftover { path: "/opt/.unpack.Ab12Cd".into(), kib: 12, stale: true, key_line: None });
        assert_eq!(parse_line("12\t/opt/.unpack.Ab12Cd"), None);
        // a host without flock: a fresh name may be another run's upload — nothing is removed, so nothing changes
        // (a re-run there says "no changes"), and the kept name is told
        assert_eq!(
            decide(std::slice::from_ref(&fresh), true),
            Decision::Unchanged {
                reason: "without the run lock, kept 1 leftover touched in the last 30 minutes (another run may be \
                         writing it): /opt/.kafka_2.13-4.1.1.tgz.upload.kw-0a0a"
                    .into()
            }
        );
        // stale ones alone: removed, nothing said of kept ones
        let Decision::Change { detail, .. } = decide(std::slice::from_ref(&stale), true) else { panic!("removed") };
        assert_eq!(
            detail,
            "without the run lock, removed 1 leftover untouched for 30 minutes (12 KiB): /opt/.unpack.Ab12Cd"
        );
        // under the lock a fresh name nobody holds is a leftover like any other
        let Decision::Change { detail, .. } = decide(&[fresh, stale], false) else { panic!("removed") };
        assert_eq!(
            detail,
            "removed 2 leftovers (16 KiB): /opt/.kafka_2.13-4.1.1.tgz.upload.kw-0a0a, /opt/.unpack.Ab12Cd"
        );
    }

    #[test]
    fn a_name_two_name_tests_match_is_found_once_and_a_directory_without_leftovers_gives_no_line() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec_with_install_dir(dir.path());
        let host = &spec.hosts[0];
        assert!(probe(&probe_script(&spec, host)).is_empty());
        let both = dir.path().join(".unpack.Ab12Cd.upload");
        std::fs::write(&both, b"x").unwrap();
        std::os::unix::fs::symlink("/nonexistent", dir.path().join(".unpack.dangling")).unwrap();
        let mut found: Vec<String> = probe(&probe_script(&spec, host)).into_iter().map(|l| l.path).collect();
        found.sort();
        let want = [both.display().to_string(), dir.path().join(".unpack.dangling").display().to_string()];
        assert_eq!(found, want);
    }

    #[test]
    fn relay_key_lines_a_killed_run_left_are_found_with_their_age_and_only_they_are_removed_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("authorized_keys");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let old = format!("{RELAY_KEY_MARK}{}-00aa00aa00aa00aa", now - 3600);
        let young = format!("{RELAY_KEY_MARK}{}-00bb00bb00bb00bb", now - 60);
        let operator = "ssh-ed25519 AAAAoperator me@laptop";
        let line = |mark: &str| {
            format!(
                "restrict,command=\"set -C; umask 077; cat > '/home/d/.kw-upload-relay-x'\" ssh-ed25519 AAAAk {mark}"
            )
        };
        let text = format!("{operator}\n{}\n{}\n", line(&old), line(&young));
        std::fs::write(&keys, &text).unwrap();

        let script = key_lines_probe(&quote(keys.to_str().unwrap()));
        let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
        let found: Vec<Leftover> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("leftover-key ").and_then(parse_key_line))
            .collect();
        let file = keys.display().to_string();
        assert_eq!(
            found,
            [
                Leftover { path: file.clone(), kib: 0, stale: true, key_line: Some(old.clone()) },
                Leftover { path: file.clone(), kib: 0, stale: false, key_line: Some(young.clone()) },
            ]
        );

        // without the run lock the young line may be a run's still going on: kept, and told
        let Decision::Change { detail, actions } = decide(&found, true) else { panic!("the old line goes") };
        assert_eq!(
            detail,
            format!(
                "without the run lock, removed 1 leftover untouched for 30 minutes (0 KiB): {file}: relay key line \
                 {old}; without the run lock, kept 1 leftover touched in the last 30 minutes (another run may be \
                 writing it): {file}: relay key line {young}"
            )
        );
        let [Action::Run { script }] = &actions[..] else { panic!("{actions:?}") };
        let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&keys).unwrap());
        assert!(Command::new("sh").arg("-c").arg(script).status().unwrap().success());
        assert_eq!(std::fs::read_to_string(&keys).unwrap(), format!("{operator}\n{}\n", line(&young)));
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&keys).unwrap()),
            inode,
            "rewritten in place"
        );

        // under the lock every line the probe saw goes; a line added since (this run's own) and the operator's stay
        std::fs::write(&keys, &text).unwrap();
        let Decision::Change { actions, .. } = decide(&found, false) else { panic!("both go") };
        let [Action::Run { script }] = &actions[..] else { panic!("{actions:?}") };
        let own = line(&format!("{RELAY_KEY_MARK}{now}-00cc00cc00cc00cc"));
        std::fs::write(&keys, format!("{text}{own}\n")).unwrap();
        assert!(Command::new("sh").arg("-c").arg(script).status().unwrap().success());
        assert_eq!(std::fs::read_to_string(&keys).unwrap(), format!("{operator}\n{own}\n"));
        assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "no temporary file left beside it");

        // no authorized_keys, or one without relay lines: no line from the probe, nothing to remove
        std::fs::write(&keys, format!("{operator}\n")).unwrap();
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        assert!(out.status.success());
        let quiet = |p: &std::path::Path| {
            Command::new("sh").arg("-c").arg(key_lines_probe(&quote(p.to_str().unwrap()))).output().unwrap()
        };
        assert_eq!(quiet(&keys).stdout, b"");
        assert_eq!(quiet(&dir.path().join("none")).stdout, b"");
        assert_eq!(parse_key_line("stale someone-else-1-aa\t/root/.ssh/authorized_keys"), None);
    }

    #[test]
    fn sizes_read_in_the_unit_that_fits() {
        assert_eq!(size(12), "12 KiB");
        assert_eq!(size(120 * 1024 + 512), "120.5 MiB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 GiB");
    }
}
