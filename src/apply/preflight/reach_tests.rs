//! Which ports each host dials on the others, what it skips, the probe run for real on this machine, and the
//! findings as the operator reads them.

use super::*;
use crate::project;

fn spec(fixture: &str) -> ClusterSpec {
    project::validate(&project::parse(fixture).unwrap()).spec.unwrap()
}

/// `peer:port` of each target, in order.
fn dialled(spec: &ClusterSpec, host: &str, running: &[(&str, Service)]) -> Vec<String> {
    let index = |name: &str| spec.hosts.iter().position(|h| h.name.as_str() == name).unwrap();
    let all: Vec<usize> = (0..spec.hosts.len()).collect();
    let running: Vec<(usize, Service)> = running.iter().map(|(n, s)| (index(n), *s)).collect();
    targets(spec, index(host), &all, |i, s| running.contains(&(i, s)))
        .iter()
        .map(|t| format!("{}:{}", t.peer, t.port))
        .collect()
}

#[test]
fn in_zookeeper_mode_a_broker_dials_the_other_brokers_and_the_ensemble_and_a_member_the_other_members() {
    let s = spec(include_str!("../../../tests/fixtures/seed-cluster.toml"));
    assert_eq!(
        dialled(&s, "peter-kafka001", &[]),
        ["peter-zk001:2181", "peter-zk002:2181", "peter-zk003:2181", "peter-kafka002:9092", "peter-kafka003:9092"]
    );
    assert_eq!(
        dialled(&s, "peter-zk002", &[]),
        ["peter-zk001:2888", "peter-zk001:3888", "peter-zk003:2888", "peter-zk003:3888"]
    );
}

#[test]
fn a_running_service_and_a_host_outside_the_run_are_never_dialled() {
    let s = spec(include_str!("../../../tests/fixtures/seed-cluster.toml"));
    let running = [("peter-zk001", Service::Zookeeper), ("peter-kafka002", Service::Kafka)];
    assert_eq!(
        dialled(&s, "peter-kafka001", &running),
        ["peter-zk002:2181", "peter-zk003:2181", "peter-kafka003:9092"]
    );
    let all_running: Vec<(&str, Service)> =
        s.hosts.iter().flat_map(|h| Service::on(h).into_iter().map(|sv| (h.name.as_str(), sv))).collect();
    for h in &s.hosts {
        assert_eq!(
            dialled(&s, h.name.as_str(), &all_running),
            Vec::<String>::new(),
            "a running cluster costs no probe"
        );
    }
    // only the hosts of the run (`--limit`): the first broker and the first member
    let limited = targets(&s, 3, &[0, 3], |_, _| false);
    assert_eq!(limited.iter().map(|t| (t.peer.as_str(), t.port)).collect::<Vec<_>>(), [("peter-zk001", 2181)]);
}

#[test]
fn in_kraft_a_broker_dials_brokers_and_controllers_and_a_controller_only_the_other_controllers() {
    let s = spec(include_str!("../../../tests/fixtures/kraft-dedicated.toml"));
    assert_eq!(dialled(&s, "ctrl1", &[]), ["ctrl2:9093", "ctrl3:9093"]);
    assert_eq!(dialled(&s, "broker1", &[]), ["ctrl1:9093", "ctrl2:9093", "ctrl3:9093", "broker2:9092", "broker3:9092"]);
    let t = &targets(&s, 0, &[0, 1], |_, _| false)[0];
    assert_eq!((t.address.as_str(), t.field), ("10.1.0.12", "kraft.controller_port"), "dialled by address");
}

#[test]
fn during_a_migration_the_controllers_also_dial_the_ensemble_and_the_brokers() {
    let s = spec(include_str!("../../../tests/fixtures/zookeeper-migrating.toml"));
    assert_eq!(
        dialled(&s, "zk1", &[]),
        [
            "zk2:9093",
            "zk2:2181",
            "zk2:2888",
            "zk2:3888",
            "zk3:9093",
            "zk3:2181",
            "zk3:2888",
            "zk3:3888",
            "kafka1:9092",
            "kafka2:9092",
            "kafka3:9092"
        ]
    );
}

#[test]
fn exporter_ports_are_not_dialled_by_the_other_hosts() {
    let s = spec(include_str!("../../../tests/fixtures/zookeeper-secure.toml"));
    assert!(s.monitoring.is_some());
    for h in &s.hosts {
        for peer in &s.hosts {
            let fields: Vec<&str> = dialled_ports(&s, h, peer).iter().map(|p| p.field).collect();
            assert!(fields.iter().all(|f| !f.starts_with("monitoring.")), "{} → {}: {fields:?}", h.name, peer.name);
        }
    }
}

#[test]
fn the_probe_run_here_tells_an_open_port_from_a_refused_one_and_an_unknown_name() {
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = |peer: &str, address: &str, port| PeerPort {
        peer: peer.into(),
        address: address.into(),
        port,
        field: "kafka.listener_port",
    };
    let targets = [
        target("a", "127.0.0.1", open.local_addr().unwrap().port()),
        target("b", "127.0.0.1", closed),
        target("c", "no-such-host.invalid", 9092),
    ];
    let out = std::process::Command::new("sh").arg("-c").arg(probe_script(&targets)).output().unwrap();
    let found = parse(&targets, &String::from_utf8_lossy(&out.stdout));
    let reach: Vec<(&str, &Reach)> = found.iter().map(|(t, r)| (t.peer.as_str(), r)).collect();
    assert_eq!(reach, [("a", &Reach::Open), ("b", &Reach::Refused), ("c", &Reach::Unresolved)], "{out:?}");
}

/// A listener whose accept queue is full: the kernel drops further SYNs, as a dropping firewall does.
fn a_port_that_never_answers() -> (std::net::TcpListener, Vec<std::net::TcpStream>, u16) {
    use std::os::fd::FromRawFd;
    // SAFETY: a fresh socket, owned by the listener built from it
    let listener = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let listener = std::net::TcpListener::from_raw_fd(fd);
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: 0,
            sin_addr: libc::in_addr { s_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be() },
            sin_zero: [0; 8],
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len), 0);
        assert_eq!(libc::listen(fd, 0), 0);
        listener
    };
    let port = listener.local_addr().unwrap().port();
    let timeout = std::time::Duration::from_millis(300);
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let queued: Vec<_> = (0..4).map_while(|_| std::net::TcpStream::connect_timeout(&address, timeout).ok()).collect();
    (listener, queued, port)
}

#[test]
fn a_port_that_never_answers_is_reported_after_the_timeout_and_the_probe_does_not_wait_longer() {
    let (_listener, _queued, silent) = a_port_that_never_answers();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let targets = [
        PeerPort { peer: "a".into(), address: "127.0.0.1".into(), port: silent, field: "kafka.listener_port" },
        PeerPort { peer: "b".into(), address: "127.0.0.1".into(), port: closed, field: "kafka.listener_port" },
    ];
    let started = std::time::Instant::now();
    let out = std::process::Command::new("sh").arg("-c").arg(probe_script(&targets)).output().unwrap();
    let took = started.elapsed();
    let found = parse(&targets, &String::from_utf8_lossy(&out.stdout));
    let reach: Vec<(&str, &Reach)> = found.iter().map(|(t, r)| (t.peer.as_str(), r)).collect();
    assert_eq!(reach, [("a", &Reach::NoAnswer), ("b", &Reach::Refused)], "{out:?}");
    let bound = std::time::Duration::from_secs(u64::from(REACH_TIMEOUT_SECS) + 20);
    assert!(took < bound, "the watchdog ends the silent dial: took {took:?}");
}

#[test]
fn bash_errors_and_timeouts_are_read_as_what_the_network_said() {
    let t = PeerPort { peer: "h3".into(), address: "10.77.0.13".into(), port: 9092, field: "kafka.listener_port" };
    let lines = "reach 10.77.0.13 9092 124 \n\
                 reach 10.77.0.99 9092 1 bash: connect: Connection refused\n\
                 garbage\n";
    assert_eq!(parse(std::slice::from_ref(&t), lines), [(t.clone(), Reach::NoAnswer)], "another address is not ours");
    let line = "reach 10.77.0.13 9092 1 bash: connect: No route to host bash: line 1: /dev/tcp/10.77.0.13/9092: No route to host";
    assert_eq!(parse(std::slice::from_ref(&t), line)[0].1, Reach::Unreachable("No route to host".into()));
    let line = "reach 10.77.0.13 9092 1 bash: connect: Permission denied bash: line 1: /dev/tcp/10.77.0.13/9092: Permission denied";
    assert_eq!(parse(std::slice::from_ref(&t), line)[0].1, Reach::Unreachable("Permission denied".into()));
    assert_eq!(parse(std::slice::from_ref(&t), "reach 10.77.0.13 9092 7 ")[0].1, Reach::Other("exit code 7".into()));
}

#[test]
fn a_dropped_or_unroutable_port_warns_naming_both_hosts_and_the_firewall_fix_and_a_reachable_one_passes() {
    let s = spec(include_str!("../../../tests/fixtures/kraft-dedicated.toml"));
    let t = |peer: &str, address: &str| PeerPort {
        peer: peer.into(),
        address: address.into(),
        port: 9093,
        field: "kraft.controller_port",
    };
    let probed = [
        (t("ctrl2", "10.1.0.12"), Reach::NoAnswer),
        (t("ctrl3", "10.1.0.13"), Reach::Unreachable("No route to host".into())),
        (t("ctrl4", "10.1.0.14"), Reach::Refused),
        (t("ctrl5", "10.1.0.15"), Reach::Unresolved),
    ];
    let f = judge(&s.hosts[0], &probed);
    let lines: Vec<String> = f.iter().map(Finding::line).collect();
    assert_eq!(f.len(), 3, "an unresolved name is the name check's: {lines:#?}");
    assert_eq!(f.iter().map(|f| f.verdict).collect::<Vec<_>>(), [Verdict::Warn, Verdict::Warn, Verdict::Pass]);
    assert_eq!(f[0].check, "reaches ctrl2:9093 (kraft.controller_port)");
    assert!(lines[0].starts_with("ctrl1: reaches ctrl2:9093 (kraft.controller_port): no answer in 2 s: a firewall drops it — fix: let TCP port 9093 from ctrl1 (10.1.0.11) in on ctrl2"), "{}", lines[0]);
    assert!(
        lines[0].contains("firewall-cmd --permanent --add-port=9093/tcp")
            && lines[0].contains("ufw allow from 10.1.0.11 to any port 9093 proto tcp"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("No route to host: the network refuses it"), "{}", lines[1]);
    assert_eq!(lines[2], "ctrl1: reaches ctrl4:9093 (kraft.controller_port): reachable (nothing listens there yet)");
}
