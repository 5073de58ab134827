//! Preflight's parsers and decisions as data.

use super::judge::{judge, needed_ports};
use super::probe::{parse_df_row, parse_ss_line, Process, Space};
use super::{Finding, Verdict};
use crate::apply::facts::parse_probe;
use crate::project;
use crate::project::spec::ClusterSpec;

fn spec(fixture: &str) -> ClusterSpec {
    project::validate(&project::parse(fixture).unwrap()).spec.unwrap()
}

fn zookeeper_mode() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/seed-cluster.toml"))
}

fn kraft() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-dedicated.toml"))
}

/// A healthy probe: Java 17, plenty of room for `dirs`, nothing listening but sshd, kernel settings as advised.
fn healthy(dirs: &[&str]) -> String {
    let mut out = String::from(
        "java openjdk version \"17.0.15\" 2025-04-15\n\
         ss LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=50,fd=3))\n\
         cgroup 50 0::/system.slice/ssh.service \n\
         mainpid kafka-server.service 0\nmainpid zookeeper-server.service 0\n\
         sysctl vm.max_map_count 262144\nsysctl vm.swappiness 1\nsysctl fs.nr_open 1048576\n",
    );
    for d in dirs {
        out.push_str(&format!("df {d} /dev/sda1 41152736 8000000 30000000 22% /\n"));
    }
    out
}

fn verdicts(findings: &[Finding], verdict: Verdict) -> Vec<String> {
    findings.iter().filter(|f| f.verdict == verdict).map(Finding::line).collect()
}

#[test]
fn ss_lines_give_the_port_and_every_process_for_ipv4_ipv6_and_wildcards() {
    let s = parse_ss_line("LISTEN 0      50      0.0.0.0:9092      0.0.0.0:*    users:((\"java\",pid=812,fd=120))")
        .unwrap();
    assert_eq!(s.port, 9092);
    assert_eq!(s.processes, vec![Process { name: "java".into(), pid: 812 }]);
    let s = parse_ss_line("LISTEN 0 5 [::]:2181 [::]:* users:((\"python3\",pid=9,fd=3),(\"python3\",pid=10,fd=3))")
        .unwrap();
    assert_eq!((s.port, s.processes.len(), s.processes[1].pid), (2181, 2, 10));
    let s = parse_ss_line("LISTEN 0 4096 *:9093 *:*").unwrap();
    assert_eq!((s.port, s.processes.len()), (9093, 0), "no process info without root");
    let s = parse_ss_line("LISTEN 0 4096 [::ffff:127.0.0.1]:3888 *:* users:((\"a b\",pid=7,fd=1))").unwrap();
    assert_eq!((s.port, s.processes[0].name.as_str()), (3888, "a b"));
    assert_eq!(parse_ss_line(""), None);
    assert_eq!(parse_ss_line("garbage"), None);
}

#[test]
fn df_rows_give_the_available_kib_and_the_mount_point() {
    let row = "tmpfs                    1024      1024         0     100% /var/lib/kafka/data";
    assert_eq!(parse_df_row(row), Some(Space { available_kib: 0, mount: "/var/lib/kafka/data".into() }));
    let row = "/dev/mapper/vg-root 41152736 8000000 30000000 22% /";
    assert_eq!(parse_df_row(row).unwrap().available_kib, 30_000_000);
    assert_eq!(parse_df_row("Filesystem 1024-blocks Used Available Capacity Mounted on"), None);
    assert_eq!(parse_df_row(""), None);
}

#[test]
fn the_ports_a_host_needs_come_from_its_roles_and_the_spec() {
    let zk = zookeeper_mode();
    let member = zk.hosts.iter().find(|h| h.has(project::spec::Role::Zookeeper)).unwrap();
    let ports: Vec<u16> = needed_ports(&zk, member).iter().map(|p| p.port).collect();
    assert!(ports.contains(&2181) && ports.contains(&2888) && ports.contains(&3888), "{ports:?}");
    let kraft = kraft();
    let controller = kraft.hosts.iter().find(|h| !h.has(project::spec::Role::Broker)).unwrap();
    let broker = kraft.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    assert_eq!(needed_ports(&kraft, controller).iter().map(|p| p.port).collect::<Vec<_>>(), [9093]);
    assert_eq!(needed_ports(&kraft, broker).iter().map(|p| p.port).collect::<Vec<_>>(), [9092]);
}

#[test]
fn a_bare_healthy_host_passes_every_check() {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    let dirs: Vec<String> =
        host.data_dirs.iter().map(|d| d.to_string()).chain([spec.kafka.log_dir.to_string()]).collect();
    let facts = parse_probe(&healthy(&dirs.iter().map(String::as_str).collect::<Vec<_>>()));
    let all = judge(&spec, host, &facts, false, &Default::default());
    assert!(all.iter().all(|f| f.verdict == Verdict::Pass), "{all:#?}");
    assert!(all.iter().any(|f| f.check == "port 9092 (kafka.listener_port)" && f.result == "free"));
}

#[test]
fn a_foreign_listener_on_the_brokers_port_is_refused_naming_it_and_the_fix() {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    let out = format!(
        "{}ss LISTEN 0 5 0.0.0.0:9092 0.0.0.0:* users:((\"python3\",pid=4242,fd=3))\n\
         cgroup 4242 0::/system.slice/foreign.service \n",
        healthy(&[])
    );
    let refused = verdicts(&judge(&spec, host, &parse_probe(&out), false, &Default::default()), Verdict::Refuse);
    let expected = format!(
        "{}: port 9092 (kafka.listener_port): held by python3 (pid 4242), not by this cluster's kafka-server.service \
         — fix: stop that process (`ss -ltnp 'sport = :9092'` shows it) or set kafka.listener_port to a free port",
        host.name
    );
    assert!(refused.contains(&expected), "{refused:#?}");
}

#[test]
fn the_clusters_own_running_service_on_its_port_is_not_refused_by_cgroup_or_main_pid() {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    let listen = "ss LISTEN 0 50 *:9092 *:* users:((\"java\",pid=812,fd=120))\n";
    let by_cgroup = format!("{}{listen}cgroup 812 0::/system.slice/kafka-server.service \n", healthy(&[]));
    let by_main_pid = format!("{}{listen}mainpid kafka-server.service 812\n", healthy(&[]));
    // The owner hidden (not root): trusted only while the cluster's unit runs.
    let hidden = "ss LISTEN 0 50 *:9092 *:*\n";
    let hidden_running = format!("{}{hidden}unit enabled active kafka-server.service\n", healthy(&[]));
    let hidden_stopped = format!("{}{hidden}", healthy(&[]));
    for (out, refused) in [(by_cgroup, false), (by_main_pid, false), (hidden_running, false), (hidden_stopped, true)] {
        let all = judge(&spec, host, &parse_probe(&out), false, &Default::default());
        let port = all.iter().find(|f| f.check.starts_with("port 9092")).unwrap();
        assert_eq!(port.verdict == Verdict::Refuse, refused, "{port:?}\n{out}");
    }
}

#[test]
fn a_directory_below_the_minimum_is_refused_unless_its_service_already_runs() {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    let data = host.data_dirs[0].to_string();
    let full = format!("{}df {data} tmpfs 1024 1024 0 100% {data}\n", healthy(&[]));
    let refused = verdicts(&judge(&spec, host, &parse_probe(&full), false, &Default::default()), Verdict::Refuse);
    let expected = format!(
        "{}: free space {data} (data directory): 0 MiB free on {data}, below preflight.min_free_mb = 1024 — fix: \
         free space on {data} or mount a larger disk at {data} (or lower [preflight] min_free_mb)",
        host.name
    );
    assert!(refused.contains(&expected), "{refused:#?}");
    // A running broker is not refused for it (a deploy may be what frees the space): warned.
    let running = format!("{full}unit enabled active kafka-server.service\n");
    let all = judge(&spec, host, &parse_probe(&running), false, &Default::default());
    let f = all.iter().find(|f| f.check.starts_with(&format!("free space {data}"))).unwrap();
    assert_eq!(f.verdict, Verdict::Warn, "{f:?}");
    // min_free_mb = 0 turns the check off.
    let mut off = spec.clone();
    off.preflight.min_free_mb = 0;
    assert!(verdicts(&judge(&off, host, &parse_probe(&full), false, &Default::default()), Verdict::Refuse).is_empty());
}

#[test]
fn java_missing_or_too_old_is_refused_unless_the_run_installs_it() {
    let spec = zookeeper_mode();
    let host = &spec.hosts[0];
    let none = healthy(&[]).replace("java openjdk version \"17.0.15\" 2025-04-15", "java sh: 1: java: not found");
    let refused = verdicts(&judge(&spec, host, &parse_probe(&none), false, &Default::default()), Verdict::Refuse);
    assert!(refused.iter().any(|l| l.contains(": Java: Java not found — fix: install Java")), "{refused:#?}");
    assert!(verdicts(&judge(&spec, host, &parse_probe(&none), true, &Default::default()), Verdict::Refuse).is_empty());
    let old = healthy(&[]).replace("\"17.0.15\"", "\"1.7.0_80\"");
    let refused = verdicts(&judge(&spec, host, &parse_probe(&old), false, &Default::default()), Verdict::Refuse);
    assert!(refused.iter().any(|l| l.contains(": Java: Java 7 is too old")), "{refused:#?}");
}

#[test]
fn kernel_settings_below_the_advice_are_warnings_with_their_fix() {
    let spec = kraft();
    let host = spec.hosts.iter().find(|h| h.has(project::spec::Role::Broker)).unwrap();
    let out = healthy(&[])
        .replace("vm.max_map_count 262144", "vm.max_map_count 65530")
        .replace("vm.swappiness 1", "vm.swappiness 60")
        .replace("fs.nr_open 1048576", "fs.nr_open 20000");
    let warned = verdicts(&judge(&spec, host, &parse_probe(&out), false, &Default::default()), Verdict::Warn);
    for fix in ["sysctl -w vm.max_map_count=262144", "sysctl -w vm.swappiness=1", "sysctl -w fs.nr_open=1048576"] {
        assert!(warned.iter().any(|l| l.contains(fix)), "{fix}: {warned:#?}");
    }
}

#[test]
fn the_refusal_error_lists_every_refused_check_and_says_nothing_changed() {
    let f = Finding {
        host: "h1".into(),
        check: "port 9092 (kafka.listener_port)".into(),
        verdict: Verdict::Refuse,
        result: "held by python3 (pid 7), not by this cluster's kafka-server.service".into(),
        fix: "stop it".into(),
        remedy: None,
    };
    let e = crate::apply::ApplyError::Preflight(vec![f]).to_string();
    assert_eq!(
        e,
        "preflight refused the run — nothing was changed on any host:\n  h1: port 9092 (kafka.listener_port): held \
         by python3 (pid 7), not by this cluster's kafka-server.service — fix: stop it"
    );
}

#[test]
fn a_foreign_listener_on_an_exporter_port_is_refused_like_a_brokers_port() {
    let spec = spec(&format!(
        "{}\n[monitoring]\nprometheus = true\nzookeeper_port = 7075\n",
        include_str!("../../../tests/fixtures/mixed-zookeeper.toml")
    ));
    let both = spec
        .hosts
        .iter()
        .find(|h| h.has(project::spec::Role::Zookeeper) && h.has(project::spec::Role::Broker))
        .unwrap();
    let ports: Vec<(u16, &str)> = needed_ports(&spec, both).iter().map(|p| (p.port, p.field)).collect();
    assert!(
        ports.contains(&(7071, "monitoring.kafka_port")) && ports.contains(&(7075, "monitoring.zookeeper_port")),
        "{ports:?}"
    );
    let out = format!(
        "{}ss LISTEN 0 5 0.0.0.0:7075 0.0.0.0:* users:((\"nc\",pid=77,fd=3))\ncgroup 77 0::/user.slice \n",
        healthy(&[])
    );
    let refused = verdicts(&judge(&spec, both, &parse_probe(&out), false, &Default::default()), Verdict::Refuse);
    assert!(
        refused.iter().any(|r| r.contains("port 7075 (monitoring.zookeeper_port): held by nc (pid 77)")
            && r.contains("set monitoring.zookeeper_port to a free port")),
        "{refused:#?}"
    );
}

fn host<'a>(spec: &'a ClusterSpec, name: &str) -> &'a crate::project::spec::HostSpec {
    spec.hosts.iter().find(|h| h.name.as_str() == name).unwrap()
}

/// A healthy probe for `h` (room in every directory it measures), then `extra` lines.
fn healthy_for(spec: &ClusterSpec, h: &crate::project::spec::HostSpec, extra: &str) -> String {
    let dirs: Vec<String> = super::probe::measured_dirs(spec, h).into_iter().map(|d| d.path).collect();
    healthy(&dirs.iter().map(String::as_str).collect::<Vec<_>>()) + extra
}

#[test]
fn a_host_resolves_the_names_of_the_hosts_its_services_dial_but_not_ip_literals_or_its_own() {
    use super::environment::{names_to_resolve, probe_script};
    let mut spec = zookeeper_mode();
    let zk2 = spec.hosts.iter().position(|h| h.name.as_str() == "peter-zk002").unwrap();
    spec.hosts[zk2].address = Some(crate::project::spec::NetAddress("10.0.0.2".into()));
    assert_eq!(names_to_resolve(&spec, host(&spec, "peter-zk001")), ["peter-zk003"], "a member dials members only");
    assert_eq!(
        names_to_resolve(&spec, host(&spec, "peter-kafka001")),
        ["peter-kafka002", "peter-kafka003", "peter-zk001", "peter-zk003"]
    );
    let script = probe_script(&spec, host(&spec, "peter-zk001"));
    assert!(script.ends_with("kw_resolve peter-zk003\n"), "{script}");
    assert!(!script.contains("peter-zk002"), "{script}");
    // Run by sh: every line the parser takes, the name that does not resolve here with no address.
    let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l == "resolve peter-zk003 "), "{text}");
    assert!(text.lines().any(|l| l.starts_with("ntp ")) && text.lines().any(|l| l.starts_with("addrs ")), "{text}");
    let localhost = script.replace("peter-zk003", "localhost");
    let out = std::process::Command::new("sh").arg("-c").arg(&localhost).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("resolve localhost ")).unwrap_or_else(|| panic!("{text}"));
    let address = line.trim_start_matches("resolve localhost ");
    assert!(address.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback()), "{line}");
}

#[test]
fn a_peer_name_that_does_not_resolve_or_resolves_to_a_loopback_address_is_refused_with_the_fix() {
    let spec = zookeeper_mode();
    let zk1 = host(&spec, "peter-zk001");
    let out =
        healthy_for(&spec, zk1, "resolve peter-zk002 10.0.0.22\nresolve peter-zk003 \nthp always [madvise] never\n");
    let all = judge(&spec, zk1, &parse_probe(&out), false, &Default::default());
    assert_eq!(
        verdicts(&all, Verdict::Refuse),
        ["peter-zk001: resolves peter-zk003: does not resolve: its services cannot reach it — fix: add peter-zk003 \
          to DNS or to /etc/hosts on peter-zk001, or set that host's address"]
    );
    assert!(all
        .iter()
        .any(|f| f.check == "resolves peter-zk002" && f.verdict == Verdict::Pass && f.result == "10.0.0.22"));
    let out = healthy_for(&spec, zk1, "resolve peter-zk002 127.0.1.1\nresolve peter-zk003 10.0.0.23\n");
    let refused = verdicts(&judge(&spec, zk1, &parse_probe(&out), false, &Default::default()), Verdict::Refuse);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("resolves to 127.0.1.1, a loopback address"), "{refused:?}");
    let silent = judge(&spec, zk1, &parse_probe(&healthy_for(&spec, zk1, "")), false, &Default::default());
    assert!(!silent.iter().any(|f| f.check.starts_with("resolves")), "no getent, nothing learnt: {silent:?}");
}

#[test]
fn a_peer_name_resolved_to_none_of_that_peers_own_addresses_warns_and_one_of_them_passes() {
    let spec = zookeeper_mode();
    let zk1 = host(&spec, "peter-zk001");
    let out = healthy_for(
        &spec,
        zk1,
        "addrs 10.0.0.21 fd00::21\nresolve peter-zk002 10.0.0.99\nresolve peter-zk003 10.0.0.23\n",
    );
    let facts = parse_probe(&out);
    assert_eq!(facts.preflight.environment.own_addresses, ["10.0.0.21", "fd00::21"]);
    let peers: super::environment::PeerAddresses = [
        ("peter-zk002".to_string(), vec!["10.0.0.22".to_string()]),
        ("peter-zk003".to_string(), vec!["192.168.1.3".to_string(), "10.0.0.23".to_string()]),
    ]
    .into();
    let all = judge(&spec, zk1, &facts, false, &peers);
    assert_eq!(
        verdicts(&all, Verdict::Warn).into_iter().filter(|w| w.contains("resolves")).collect::<Vec<_>>(),
        ["peter-zk001: resolves peter-zk002: resolves to 10.0.0.99, none of that host's own addresses (10.0.0.22): \
          its services would dial another machine — fix: correct peter-zk002 in DNS or in /etc/hosts on \
          peter-zk001 (a stale entry?), or set that host's address (a NAT that maps 10.0.0.99 to it is fine: then \
          ignore this)"]
    );
    assert!(all.iter().any(|f| f.check == "resolves peter-zk003" && f.verdict == Verdict::Pass));
    // a peer that said nothing of its addresses (no `hostname -I`) is not judged
    let quiet: super::environment::PeerAddresses = [("peter-zk002".to_string(), vec![])].into();
    assert!(judge(&spec, zk1, &facts, false, &quiet)
        .iter()
        .all(|f| f.verdict != Verdict::Warn || !f.check.starts_with("resolves")));
}

#[test]
fn the_clock_is_judged_within_the_probes_round_trip_and_refused_under_tls_when_certificates_would_not_be_valid() {
    use super::environment::EnvironmentFacts;
    let s = 1_000_000_000i128;
    let clock = |spec: &ClusterSpec, at: i128| {
        let f = EnvironmentFacts {
            clock_ns: Some(at),
            probe_window_ns: Some((1000 * s, 1000 * s + s / 5)),
            ..Default::default()
        };
        let found = super::environment::judge(spec, host(spec, "peter-zk001"), &f, &Default::default());
        let (_, verdict, result, _) = found.into_iter().find(|(c, ..)| c == "clock").unwrap();
        (verdict, result)
    };
    let plain = zookeeper_mode();
    assert_eq!(clock(&plain, 1000 * s + s / 10), (Verdict::Pass, "within 0.10 s of this machine's".into()));
    assert_eq!(clock(&plain, 1005 * s), (Verdict::Warn, "4.8 s ahead of this machine's".into()));
    assert_eq!(clock(&plain, 990 * s), (Verdict::Warn, "10.0 s behind this machine's".into()));
    assert_eq!(clock(&plain, (1000 - 4000) * s).0, Verdict::Warn, "no certificates: only a warning");
    let mut secure = plain.clone();
    secure.security = spec(include_str!("../../../tests/fixtures/zookeeper-secure.toml")).security;
    let (verdict, result) = clock(&secure, (1000 - 4000) * s);
    assert_eq!(verdict, Verdict::Refuse);
    assert!(result.contains("not valid there yet (they start 60 min early)"), "{result}");
    let none = EnvironmentFacts::default();
    assert!(
        super::environment::judge(&plain, host(&plain, "peter-zk001"), &none, &Default::default()).is_empty(),
        "nothing read, nothing said"
    );
}

#[test]
fn transparent_huge_pages_always_and_an_unsynchronized_clock_warn() {
    let spec = zookeeper_mode();
    let h = host(&spec, "peter-kafka001");
    let warned = |extra: &str| {
        verdicts(
            &judge(&spec, h, &parse_probe(&healthy_for(&spec, h, extra)), false, &Default::default()),
            Verdict::Warn,
        )
    };
    let always = warned("thp [always] madvise never\nntp no\n");
    assert!(
        always
            .iter()
            .any(|w| w.contains("transparent huge pages: always") && w.contains("/etc/tmpfiles.d/60-kafka-thp.conf")),
        "{always:?}"
    );
    assert!(
        always.iter().any(|w| w.contains("time sync: the kernel says the clock is not synchronized")),
        "{always:?}"
    );
    assert!(warned("thp always [madvise] never\nntp yes\n").is_empty());
    assert!(warned("thp \nntp \n").is_empty(), "unknown: nothing said");
}

#[test]
fn the_clock_sync_state_is_read_from_the_kernel_by_perl_without_asking_timedated() {
    use super::environment::NTP_BY_ADJTIMEX;
    // This machine has perl (the test command installs Debian's toolchain) and is x86_64 or aarch64: the syscall
    // answers, and the answer is the kernel's — `adjtimex` state 5 (TIME_ERROR) exactly when maxerror is at its
    // 16 s ceiling, the two ways the kernel says "not synchronized".
    let out = std::process::Command::new("sh").arg("-c").arg(NTP_BY_ADJTIMEX).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said == "yes\n" || said == "no\n", "{said:?}");
    let state = std::process::Command::new("perl")
        .arg("-e")
        .arg(
            "my $t = \"\\0\" x 512; my $r = syscall($^O eq 'linux' && `uname -m` =~ /aarch64/ ? 171 : 159, $t); \
              print $r, \" \", unpack(\"x24 q\", $t)",
        )
        .output()
        .unwrap();
    let state = String::from_utf8_lossy(&state.stdout).into_owned();
    let (kernel_state, maxerror) = state.split_once(' ').unwrap();
    let unsynchronized = maxerror.parse::<i64>().unwrap() >= 16_000_000;
    assert_eq!(said == "no\n", unsynchronized, "state {kernel_state}, maxerror {maxerror}");
    // A refused syscall (here: a number no kernel has, ENOSYS; in a container, seccomp's EPERM): `no`, as timedated
    // says when its own adjtimex fails.
    let refused = NTP_BY_ADJTIMEX.replace("62 => 159, 183 => 171", "62 => 99999, 183 => 99999");
    let out = std::process::Command::new("sh").arg("-c").arg(&refused).output().unwrap();
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(0), &b"no\n"[..]));
    // An architecture the table does not know (perl's binary header not x86_64 nor aarch64): exit 2, nothing
    // printed — the probe then asks timedatectl.
    let elsewhere = NTP_BY_ADJTIMEX.replace("62 => 159, 183 => 171", "1 => 159");
    let out = std::process::Command::new("sh").arg("-c").arg(&elsewhere).output().unwrap();
    assert_eq!((out.status.code(), out.stdout.as_slice()), (Some(2), &b""[..]));
}

/// Runs `kw_resolve` with `names` through `sh`: its lines, and how many times it ran `getent` (counted by a
/// `getent` first on the PATH that notes each run and runs the real one).
fn resolved_by_sh(names: &[&str]) -> (Vec<String>, usize) {
    use super::environment::RESOLVE_NAMES;
    let real =
        String::from_utf8(std::process::Command::new("sh").args(["-c", "command -v getent"]).output().unwrap().stdout)
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let counting = format!("#!/bin/sh\necho run >> '{}'\nexec {} \"$@\"\n", runs.display(), real.trim());
    std::fs::write(dir.path().join("getent"), counting).unwrap();
    std::fs::set_permissions(dir.path().join("getent"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let script = format!("{RESOLVE_NAMES}kw_resolve {}\n", names.join(" "));
    let out = std::process::Command::new("sh").arg("-c").arg(&script).env("PATH", path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    lines.sort();
    (lines, std::fs::read_to_string(runs).unwrap_or_default().lines().count())
}

/// What `getent hosts NAME` alone gives as the first address (empty when it does not resolve).
fn getent_alone(name: &str) -> String {
    let out = std::process::Command::new("getent").args(["hosts", name]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string()
}

#[test]
fn names_are_resolved_by_one_getent_and_each_gets_the_address_getent_gives_it_alone() {
    // This machine's own name and localhost resolve here (its hosts file); the one getent answers all of them.
    let own = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let names = ["localhost", own.as_str()];
    let mut want: Vec<String> = names.iter().map(|n| format!("resolve {n} {}", getent_alone(n))).collect();
    want.sort();
    assert!(want.iter().all(|l| !l.ends_with(' ')), "both resolve here: {want:?}");
    assert_eq!(resolved_by_sh(&names), (want, 1), "one getent for every name");
    // A name that does not resolve, between two that do: getent skips it, one group short, so each is asked on its
    // own — the same lines, the unresolved name with no address.
    let lost = "kw-no-such-host.invalid";
    let names = ["localhost", lost, own.as_str()];
    let mut want: Vec<String> = names.iter().map(|n| format!("resolve {n} {}", getent_alone(n))).collect();
    want.sort();
    assert!(want.contains(&format!("resolve {lost} ")), "{want:?}");
    assert_eq!(resolved_by_sh(&names), (want, 1 + 3));
    // One name twice in a row: one hostent, so fewer groups than names: asked one by one, both answered.
    assert_eq!(
        resolved_by_sh(&["localhost", "localhost"]),
        (vec![format!("resolve localhost {}", getent_alone("localhost")); 2], 1 + 2)
    );
}
