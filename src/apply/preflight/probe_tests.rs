//! Tests of preflight's probe lines run through `sh` (dash here, as on the hosts) on this machine, against what the
//! machine says when asked directly.

use super::*;
use crate::apply::facts::parse_probe;
use std::process::Command;

fn run(script: &str, path: Option<&str>) -> PreflightFacts {
    let mut sh = Command::new("sh");
    sh.args(["-c", script]);
    if let Some(path) = path {
        sh.env("PATH", path);
    }
    let out = sh.output().unwrap();
    parse_probe(&String::from_utf8_lossy(&out.stdout)).preflight
}

fn dir(path: &str) -> MeasuredDir {
    MeasuredDir { path: path.to_string(), what: "data directory", service: Service::Kafka }
}

/// `df -Pk PATH`'s row for an existing path, asked directly.
fn df_of(path: &str) -> Space {
    let out = Command::new("df").args(["-Pk", path]).output().unwrap();
    parse_df_row(String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap()).unwrap()
}

#[test]
fn one_df_measures_every_directory_on_the_file_system_of_its_nearest_existing_ancestor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_str().unwrap();
    let existing = format!("{root}/data1");
    std::fs::create_dir(&existing).unwrap();
    let deeper = format!("{root}/not/made/yet");
    let dirs = [dir(&existing), dir(&deeper), dir("/")];
    let facts = run(&space_probe(&dirs), None);
    assert_eq!(facts.space.len(), 3, "{:?}", facts.space);
    assert_eq!(facts.space[&existing].mount, df_of(&existing).mount);
    assert_eq!(facts.space[&deeper].mount, df_of(root).mount, "measured where it will be made");
    assert_eq!(facts.space["/"].mount, "/");
    assert!(facts.space.values().all(|s| s.available_kib > 0), "{:?}", facts.space);
}

#[test]
fn a_df_that_cannot_answer_for_every_directory_at_once_is_asked_for_each_alone() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let real = String::from_utf8(Command::new("sh").args(["-c", "command -v df"]).output().unwrap().stdout).unwrap();
    // A df that answers one operand (`-Pk -- PATH`) and fails on more, printing only its header.
    let fake = format!(
        "#!/bin/sh\nif [ $# -gt 3 ]; then echo 'Filesystem 1024-blocks Used Available Capacity Mounted on'; exit 1; fi\n\
         exec {} \"$@\"\n",
        real.trim()
    );
    std::fs::write(bin.join("df"), fake).unwrap();
    std::fs::set_permissions(bin.join("df"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let root = tmp.path().to_str().unwrap();
    let dirs = [dir(&format!("{root}/a")), dir("/"), dir(&format!("{root}/b/c"))];
    let facts = run(&space_probe(&dirs), Some(&path));
    assert_eq!(facts.space.len(), 3, "{:?}", facts.space);
    assert_eq!(facts.space[&format!("{root}/b/c")].mount, df_of(root).mount);
}

#[test]
fn the_listeners_probe_names_each_listening_process_with_its_cgroup() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let facts = run(&listeners_and_sysctls_probe(), None);
    let me = std::process::id();
    let socket = facts.sockets.iter().find(|s| s.port == port).unwrap_or_else(|| panic!("{port}: {:?}", facts.sockets));
    assert!(socket.processes.iter().any(|p| p.pid == me), "{:?}", socket.processes);
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let joined = cgroup.lines().collect::<Vec<_>>().join(" ");
    assert_eq!(facts.cgroups[&me], joined);
    let pids: Vec<u32> = facts.sockets.iter().flat_map(|s| s.processes.iter().map(|p| p.pid)).collect();
    assert!(pids.iter().all(|pid| facts.cgroups.contains_key(pid)), "a cgroup line for every listener: {facts:?}");
}

#[test]
fn transparent_huge_pages_are_read_whole_by_the_shell() {
    let Ok(text) = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled") else { return };
    let thp = run(&read_line("thp", "/sys/kernel/mm/transparent_hugepage/enabled"), None).environment;
    let mode = text.split_once('[').and_then(|(_, r)| r.split_once(']')).map(|(m, _)| m.to_string());
    assert_eq!(thp.transparent_hugepages, mode);
}

#[test]
fn the_kernel_settings_are_read_as_the_kernel_shows_them_and_an_unreadable_one_is_left_out() {
    let facts = run(&listeners_and_sysctls_probe(), None);
    for (name, file) in SYSCTLS {
        let value: u64 = std::fs::read_to_string(format!("/proc/sys/{file}")).unwrap().trim().parse().unwrap();
        assert_eq!(facts.sysctls[name], value, "{name}");
    }
    let script = listeners_and_sysctls_probe().replace("/proc/sys/vm/swappiness", "/proc/sys/vm/no_such_setting");
    let without = run(&script, None);
    assert_eq!(without.sysctls.len(), SYSCTLS.len() - 1, "{:?}", without.sysctls);
    assert_eq!(without.sysctls["fs.nr_open"], facts.sysctls["fs.nr_open"]);
}

#[test]
fn the_files_the_fixes_keep_for_the_next_boot_are_read_in_the_same_awk_and_an_absent_one_says_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let sysctl_file = tmp.path().join("60-kafka.conf");
    let thp_file = tmp.path().join("60-kafka-thp.conf");
    let kept = std::collections::BTreeMap::from([("vm.max_map_count".to_string(), "500000".to_string())]);
    std::fs::write(&sysctl_file, super::super::remedy::sysctl_file(&kept) + "vm.swappiness=1\n").unwrap();
    std::fs::write(&thp_file, super::super::remedy::thp_file()).unwrap();
    let script = listeners_and_sysctls_probe()
        .replace(SYSCTL_FILE, sysctl_file.to_str().unwrap())
        .replace(THP_FILE, thp_file.to_str().unwrap());
    let facts = run(&script, None);
    let kept: Vec<(&str, u64)> = facts.kept_sysctls.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(kept, [("vm.max_map_count", 500_000), ("vm.swappiness", 1)]);
    assert_eq!(facts.environment.kept_transparent_hugepages.as_deref(), Some("madvise"));
    assert!(facts.environment.thp_fix_kept());
    assert!(!facts.sysctls.is_empty(), "the kernel's own values are still read: {facts:?}");

    let absent = listeners_and_sysctls_probe()
        .replace(SYSCTL_FILE, &format!("{}/none.conf", tmp.path().display()))
        .replace(THP_FILE, &format!("{}/none-thp.conf", tmp.path().display()));
    let facts = run(&absent, None);
    assert!(facts.kept_sysctls.is_empty() && facts.environment.kept_transparent_hugepages.is_none(), "{facts:?}");
}
