//! `HostStep::CreateDirectories`: the directories a host needs, with their owner and mode — and root never working
//! through a path the service user controls. `install -d -o kafka` applies owner and mode to whatever the path
//! names when it runs, through symbolic links; where the service user can write in an ancestor of a directory
//! (a nested service directory such as ZooKeeper's log directory inside its data directory, or a parent an
//! operator gave to the service user) that user could put a link there pointing at, say, `/etc`, and root would
//! hand it `/etc`. Such a directory is made by the service user itself (`runuser`), and one that exists there with
//! another owner is refused with what to do, never re-owned by root.

use super::{Action, Decision};
use crate::plan::Directory;
use crate::render::Owner;
use crate::shell::{self, quote};

/// The shell function the script defines: `kw_service_dir PATH MODE USER GROUP`.
const SERVICE_DIR_FUNCTION: &str = r#"kw_service_dir() {
  a=$(dirname -- "$1")
  while :; do
    if [ -e "$a" ] && runuser -u "$3" -- test -w "$a"; then
      runuser -u "$3" -- sh -c 'mkdir -p -- "$1" && chmod "$2" -- "$1"' sh "$1" "$2" || return 1
      [ "$(stat -c %U:%G -- "$1")" = "$3:$4" ] && return 0
      printf 'kafka-wizard: %s is owned by %s, not %s, and %s can write in %s: root does not change owners where %s could point the path elsewhere; give it to %s by hand (chown -h %s %s) and run again\n' "$1" "$(stat -c %U:%G -- "$1")" "$3:$4" "$3" "$a" "$3" "$3:$4" "$3:$4" "$1" >&2
      return 1
    fi
    [ "$a" = / ] && break
    a=$(dirname -- "$a")
  done
  install -d -m "$2" -o "$3" -g "$4" "$1"
}"#;

/// Creates what is missing or repairs owner and mode (`wanted` = `user:group mode` as the probe prints it).
pub fn decide(dirs: &[Directory], service_user: &str, state: impl Fn(&str) -> Option<String>) -> Decision {
    let wanted = |d: &Directory| format!("{} {:o}", d.owner.chown_spec(service_user), d.mode);
    let missing: Vec<&Directory> = dirs
        .iter()
        .filter(|d| match state(d.path.as_str()) {
            None => true,
            Some(_) if !d.managed => false,
            Some(is) => is != wanted(d),
        })
        .collect();
    if missing.is_empty() {
        return Decision::Unchanged { reason: "all directories exist with the right owner and mode".into() };
    }
    let names: Vec<&str> = missing.iter().map(|d| d.path.as_str()).collect();
    Decision::Change {
        detail: format!("prepared {}", names.join(", ")),
        actions: vec![Action::Run { script: script(&missing, service_user) }],
    }
}

fn script(dirs: &[&Directory], service_user: &str) -> String {
    let mut lines = Vec::new();
    if dirs.iter().any(|d| d.managed && d.owner == Owner::Service) {
        lines.push(SERVICE_DIR_FUNCTION.to_string());
    }
    for d in dirs {
        let mode = format!("{:04o}", d.mode);
        let (u, g) = d.owner.user_group(service_user);
        lines.push(match (d.managed, d.owner) {
            (false, _) => shell::join(&["mkdir", "-p", d.path.as_str()]),
            (true, Owner::Service) => {
                format!("kw_service_dir {} {mode} {} {}", quote(d.path.as_str()), quote(u), quote(g))
            }
            (true, _) => shell::join(&["install", "-d", "-m", &mode, "-o", u, "-g", g, d.path.as_str()]),
        });
    }
    // a function's failure does not stop `sh -c` by itself
    format!("set -e\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;

    fn dir(path: &str, owner: Owner, mode: u32) -> Directory {
        Directory { path: crate::project::spec::AbsPath(path.to_string()), owner, mode, managed: true }
    }

    #[test]
    fn only_missing_or_wrong_directories_are_prepared_and_service_ones_through_the_function() {
        let dirs = [dir("/etc/kafka", Owner::RootServiceGroup, 0o750), dir("/var/lib/zk/logs", Owner::Service, 0o750)];
        let state = |p: &str| (p == "/etc/kafka").then(|| "root:kafka 750".to_string());
        let Decision::Change { detail, actions } = decide(&dirs, "kafka", state) else { panic!("a missing dir") };
        assert_eq!(detail, "prepared /var/lib/zk/logs");
        let [Action::Run { script }] = &actions[..] else { panic!("{actions:?}") };
        assert!(script.starts_with("set -e\nkw_service_dir() {"), "{script}");
        assert!(script.ends_with("\nkw_service_dir /var/lib/zk/logs 0750 kafka kafka"), "{script}");
        let all_there = |_: &str| Some("kafka:kafka 750".to_string());
        let only_service = [dir("/var/lib/zk/logs", Owner::Service, 0o750)];
        assert!(matches!(decide(&only_service, "kafka", all_there), Decision::Unchanged { .. }));
    }

    /// Runs the function as this (non-root) test's own user — `runuser` needs root, so it is replaced by a shim
    /// that runs the command as the same user; what is under test is the walk up the ancestors and the refusal.
    fn run_function(path: &std::path::Path, shim_dir: &std::path::Path) -> (bool, String) {
        let shim = shim_dir.join("runuser");
        std::fs::write(&shim, "#!/bin/sh\nshift 3\nexec \"$@\"\n").unwrap();
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
        let group = String::from_utf8(Command::new("id").arg("-gn").output().unwrap().stdout).unwrap();
        let script = format!(
            "{SERVICE_DIR_FUNCTION}\nkw_service_dir {} 0750 {} {}",
            quote(&path.display().to_string()),
            me.trim(),
            group.trim()
        );
        let path_var = format!("{}:{}", shim_dir.display(), std::env::var("PATH").unwrap());
        let out = Command::new("sh").arg("-c").arg(script).env("PATH", path_var).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn a_directory_inside_one_the_service_user_can_write_is_made_by_that_user_with_its_mode() {
        let shims = tempfile::tempdir().unwrap();
        let parent = tempfile::tempdir().unwrap();
        let nested = parent.path().join("data/logs");
        let (ok, err) = run_function(&nested, shims.path());
        assert!(ok, "{err}");
        assert_eq!(std::fs::metadata(&nested).unwrap().permissions().mode() & 0o777, 0o750);
        // run again: nothing to do, still fine
        assert!(run_function(&nested, shims.path()).0);
    }

    #[test]
    fn a_directory_there_owned_by_someone_else_is_refused_naming_it_and_the_fix() {
        if !crate::test_support::running_as_root() {
            eprintln!("skipped: needs root to make a directory owned by someone else");
            return;
        }
        let shims = tempfile::tempdir().unwrap();
        let parent = tempfile::tempdir().unwrap();
        let foreign = parent.path().join("logs");
        std::fs::create_dir(&foreign).unwrap();
        assert!(Command::new("chown")
            .args(["nobody:nogroup", &foreign.display().to_string()])
            .status()
            .unwrap()
            .success());
        let (ok, err) = run_function(&foreign, shims.path());
        assert!(!ok);
        assert!(err.contains("is owned by nobody:nogroup, not root:root"), "{err}");
        assert!(err.contains("chown -h root:root"), "{err}");
    }
}
