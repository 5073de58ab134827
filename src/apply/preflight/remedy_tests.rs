//! Preflight's remedies and the units' open-file limit, as data: which warnings carry which remedy, the wizard's
//! files merged without moving an operator's value back, the read-back judged honestly, the lines a fix prints.

use super::fix::{remedies_of, HostFix};
use super::judge::judge;
use super::remedy::*;
use super::unit_limits::written_limit;
use super::{Finding, Verdict};
use crate::apply::facts::parse_probe;
use crate::project;
use crate::project::spec::ClusterSpec;

fn kraft() -> ClusterSpec {
    let text = include_str!("../../../tests/fixtures/kraft-dedicated.toml");
    project::validate(&project::parse(text).unwrap()).spec.unwrap()
}

/// A broker's findings from probe lines (nothing else read: only what they say is judged).
fn broker_findings(lines: &str) -> Vec<Finding> {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    judge(&spec, host, &parse_probe(lines), false, &Default::default())
}

fn sysctl(key: &str, value: u64, bound: Bound) -> Remedy {
    Remedy::Sysctl { key: key.into(), value, bound }
}

#[test]
fn each_kernel_warning_carries_its_typed_remedy_and_a_setting_that_passes_carries_none() {
    let found = broker_findings(
        "sysctl vm.max_map_count 65530\nsysctl vm.swappiness 60\nsysctl fs.nr_open 1048576\n\
         thp [always] madvise never\n",
    );
    let host = &found[0].host;
    assert_eq!(
        remedies_of(&found, host),
        vec![
            sysctl("vm.max_map_count", 262_144, Bound::AtLeast),
            sysctl("vm.swappiness", 1, Bound::AtMost),
            Remedy::TransparentHugePages
        ]
    );
    let nr_open = found.iter().find(|f| f.check == "open files").unwrap();
    assert_eq!((nr_open.verdict, &nr_open.remedy), (Verdict::Pass, &None));
    let map = found.iter().find(|f| f.check == "vm.max_map_count").unwrap();
    assert!(map.fix.contains("/etc/sysctl.d/60-kafka.conf"), "{}", map.fix);
    for f in found.iter().filter(|f| f.remedy.is_some()) {
        // the front doors word the way to have the wizard do it (the CLI's --fix, the app's Apply fixes…)
        assert!(!f.fix.contains("--fix") && !f.fix.contains("Apply fixes"), "{}: {}", f.check, f.fix);
    }
    let low = broker_findings("sysctl fs.nr_open 20000\nthp always [madvise] never\n");
    assert_eq!(remedies_of(&low, host), vec![sysctl("fs.nr_open", 1_048_576, Bound::AtLeast)]);
    assert_eq!(remedies_of(&low, "another-host"), vec![]);
    let json = serde_json::to_string(&low.iter().find(|f| f.remedy.is_some()).unwrap()).unwrap();
    assert!(
        json.ends_with(r#""remedy":{"kind":"sysctl","key":"fs.nr_open","value":1048576,"bound":"at_least"}}"#),
        "{json}"
    );
}

#[test]
fn a_unit_whose_limit_a_drop_in_lowers_warns_naming_the_drop_in_and_an_uninstalled_unit_is_not_judged() {
    let dropin = "/etc/systemd/system/kafka-server.service.d/50-low-nofile.conf";
    let found = broker_findings(&format!(
        "nofile kafka-server.service 4096 4096\nnofiledropin kafka-server.service {dropin} 4096\n\
         nofiledropin kafka-server.service /etc/systemd/system/kafka-server.service.d/10-ok.conf 200000\n"
    ));
    let unit = found.iter().find(|f| f.check == "open files kafka-server.service").expect("judged");
    assert_eq!(unit.verdict, Verdict::Warn);
    assert!(unit.result.starts_with("LimitNOFILE=4096 (as systemd sees it), below the 100000"), "{}", unit.result);
    assert!(unit.result.ends_with(&format!("lowered by the drop-in {dropin} (LimitNOFILE=4096)")), "{}", unit.result);
    assert!(unit.fix.starts_with(&format!("remove the LimitNOFILE line from {dropin} (not the wizard's")));
    assert_eq!(unit.remedy, None, "someone else's drop-in is advice only");
    let fine = broker_findings("nofile kafka-server.service 100000 100000\n");
    let unit = fine.iter().find(|f| f.check == "open files kafka-server.service").unwrap();
    assert_eq!((unit.verdict, unit.result.as_str()), (Verdict::Pass, "LimitNOFILE=100000"));
    let soft = broker_findings("nofile kafka-server.service 1024 infinity\n");
    let unit = soft.iter().find(|f| f.check == "open files kafka-server.service").unwrap();
    assert!(unit.verdict == Verdict::Warn && unit.fix.contains("systemctl cat kafka-server.service"), "{unit:?}");
    let old_systemd = broker_findings("nofile kafka-server.service  4096\n");
    let unit = old_systemd.iter().find(|f| f.check == "open files kafka-server.service").unwrap();
    assert!(unit.verdict == Verdict::Warn && unit.result.starts_with("LimitNOFILE=4096 "), "{unit:?}");
    assert!(broker_findings("").iter().all(|f| !f.check.starts_with("open files ")), "not installed: not judged");
    assert_eq!(
        (written_limit("1024:524288"), written_limit("infinity"), written_limit("")),
        (Some(1024), Some(u64::MAX), None)
    );
}

#[test]
fn the_sysctl_file_keeps_an_operators_value_beyond_the_remedy_and_a_second_merge_changes_nothing() {
    let existing = "# by hand\nvm.max_map_count = 500000\nvm.swappiness=0\nnet.core.somaxconn = 4096\n";
    let remedies = [
        sysctl("vm.max_map_count", 262_144, Bound::AtLeast),
        sysctl("vm.swappiness", 1, Bound::AtMost),
        sysctl("fs.nr_open", 1_048_576, Bound::AtLeast),
    ];
    let merged = merged_sysctls(existing, &remedies);
    let values: Vec<(&str, &str)> = merged.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        values,
        [
            ("fs.nr_open", "1048576"),
            ("net.core.somaxconn", "4096"),
            ("vm.max_map_count", "500000"),
            ("vm.swappiness", "0")
        ]
    );
    let text = sysctl_file(&merged);
    assert!(text.ends_with("vm.max_map_count = 500000\nvm.swappiness = 0\n"), "{text}");
    assert_eq!(sysctl_file(&merged_sysctls(&text, &remedies)), text, "idempotent");
    let fresh = sysctl_file(&merged_sysctls("", &remedies[..2]));
    let settings = parse_sysctl_file(&fresh);
    assert_eq!(settings, [("vm.max_map_count".into(), "262144".into()), ("vm.swappiness".into(), "1".into())]);
    assert_eq!(
        thp_file().lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(),
        [
            "w /sys/kernel/mm/transparent_hugepage/enabled - - - - madvise",
            "w /sys/kernel/mm/transparent_hugepage/defrag - - - - madvise"
        ]
    );
}

#[test]
fn the_apply_script_writes_only_the_settings_asked_and_the_read_back_tells_applied_from_refused() {
    let script = apply_script(&[("vm.swappiness".into(), 1), ("no.such.key".into(), 5)], false);
    assert!(script.contains("printf '%s\\n' 1 > /proc/sys/vm/swappiness"), "{script}");
    assert!(!script.contains("no.such") && !script.contains("transparent_hugepage"), "{script}");
    assert!(apply_script(&[], true).contains("echo madvise > /sys/kernel/mm/transparent_hugepage/defrag"));
    let out = "now vm.swappiness 1\t\nnow vm.max_map_count 65530\tsh: 1: cannot create /proc/sys/vm/max_map_count: \
               Read-only file system \nnow fs.nr_open 1048576\t\nnow thp always\t\n";
    let read = parse_applied(out);
    assert_eq!(taken_now(&sysctl("vm.swappiness", 1, Bound::AtMost), "1", &read), None);
    assert_eq!(
        taken_now(&sysctl("vm.max_map_count", 262_144, Bound::AtLeast), "262144", &read).as_deref(),
        Some("cannot create /proc/sys/vm/max_map_count: Read-only file system")
    );
    // a higher value than asked is taken; a silent no-change is not
    assert_eq!(taken_now(&sysctl("fs.nr_open", 200_000, Bound::AtLeast), "200000", &read), None);
    assert_eq!(
        taken_now(&Remedy::TransparentHugePages, "madvise", &read).as_deref(),
        Some("the kernel still says always")
    );
    assert_eq!(taken_now(&sysctl("vm.x", 1, Bound::AtMost), "1", &read).as_deref(), Some("the host did not say"));
}

#[test]
fn a_fix_says_per_host_and_setting_what_was_kept_and_whether_the_kernel_took_it_now() {
    let outcome = |written, now: Option<Option<&str>>| FixOutcome {
        host: "h1".into(),
        remedy: sysctl("vm.swappiness", 1, Bound::AtMost),
        setting: "vm.swappiness = 1".into(),
        file: SYSCTL_FILE.into(),
        written,
        now: now.map(|n| n.map(String::from)),
    };
    assert_eq!(
        outcome(true, Some(Some("Read-only file system"))).line(),
        "h1: vm.swappiness = 1: kept in /etc/sysctl.d/60-kafka.conf, takes effect at boot; applying it now failed: \
         Read-only file system"
    );
    assert_eq!(
        outcome(true, Some(None)).line(),
        "h1: vm.swappiness = 1: kept in /etc/sysctl.d/60-kafka.conf and applied now"
    );
    assert_eq!(
        outcome(false, Some(Some("x"))).line(),
        "h1: vm.swappiness = 1: already in place in /etc/sysctl.d/60-kafka.conf, takes effect at boot; applying it \
         now failed: x"
    );
    assert!(outcome(true, None).line().ends_with(": would be kept in /etc/sysctl.d/60-kafka.conf and applied now"));
    assert!(outcome(false, None)
        .line()
        .ends_with(": already in place in /etc/sysctl.d/60-kafka.conf; would be applied now"));
    let host = |outcomes, error: Option<&str>| HostFix { host: "h2".into(), outcomes, error: error.map(String::from) };
    assert_eq!(host(vec![], None).lines(), ["h2: nothing to fix"]);
    assert_eq!(host(vec![], Some("sudo refused")).lines(), ["h2: fixing failed: sudo refused"]);
}

#[test]
fn a_fix_already_kept_for_the_next_boot_warns_with_how_to_take_it_now_and_is_not_offered_again() {
    // the kernel refused the fixes (a container's read-only /proc/sys): the files hold them, the kernel does not
    let kept = broker_findings(
        "sysctl vm.max_map_count 65530\nsysctl vm.swappiness 60\nsysctl fs.nr_open 1048576\n\
         keptsysctl # Kernel settings for Kafka, kept by kafka-wizard\nkeptsysctl vm.max_map_count = 262144\n\
         keptsysctl vm.swappiness = 1\nthp [always] madvise never\n\
         keptthp w /sys/kernel/mm/transparent_hugepage/enabled - - - - madvise\n",
    );
    let host = &kept[0].host;
    assert_eq!(remedies_of(&kept, host), vec![], "nothing left for the wizard's fix to do");
    let map = kept.iter().find(|f| f.check == "vm.max_map_count").unwrap();
    assert_eq!(map.verdict, Verdict::Warn, "the kernel still has 65530: the warning stands");
    assert!(
        map.result.starts_with("65530: ")
            && map
                .result
                .ends_with("; vm.max_map_count = 262144 is kept in /etc/sysctl.d/60-kafka.conf for the next boot"),
        "{}",
        map.result
    );
    assert!(
        map.fix.starts_with("reboot the host, or apply it now: sysctl -p /etc/sysctl.d/60-kafka.conf"),
        "{}",
        map.fix
    );
    let thp = kept.iter().find(|f| f.check == "transparent huge pages").unwrap();
    assert_eq!((thp.verdict, &thp.remedy), (Verdict::Warn, &None));
    assert!(thp.result.contains("madvise is kept in /etc/tmpfiles.d/60-kafka-thp.conf for the next boot"), "{thp:?}");
    assert!(thp.fix.contains("systemd-tmpfiles --create /etc/tmpfiles.d/60-kafka-thp.conf"), "{thp:?}");

    // a value kept that does not reach the bound (or a tmpfiles entry that keeps `always`) is no fix: offered
    let short = broker_findings(
        "sysctl vm.max_map_count 65530\nkeptsysctl vm.max_map_count = 100000\nthp [always] madvise never\n\
         keptthp w /sys/kernel/mm/transparent_hugepage/enabled - - - - always\n",
    );
    assert_eq!(
        remedies_of(&short, host),
        vec![sysctl("vm.max_map_count", 262_144, Bound::AtLeast), Remedy::TransparentHugePages]
    );
    // once the kernel has it, it passes whatever the file says
    let taken = broker_findings("sysctl vm.max_map_count 262144\nkeptsysctl vm.max_map_count = 262144\n");
    assert_eq!(taken.iter().find(|f| f.check == "vm.max_map_count").unwrap().verdict, Verdict::Pass);
}
