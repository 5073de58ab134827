#![cfg(feature = "e2e")]
//! Smoke test of the test world (issue 3): real hosts, real Kafka releases from the Apache-shaped
//! mirror, installed by hand (scp + ssh + systemd) and checked over the Kafka wire protocol.
//!
//! Needs root and `tests/world/prepare.sh` (or `tests/run-all.sh`, which runs it).
//! Run: `cargo test --features e2e --test e2e_world_smoke`

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::kafka_probe::{self, Metadata, API_METADATA};
use support::world::{self, http_get, parse_sha512_file, sha512_hex, wait_for_port, Mirror, Release, World};

const JAVA_HOME: &str = "/usr/lib/jvm/java-17-openjdk-amd64";

fn step(t0: Instant, on: &str, what: &str) {
    eprintln!("[smoke {on} +{:.1}s] {what}", t0.elapsed().as_secs_f64());
}

/// Download a release and its .sha512 from the mirror (std HTTP), check the file's format and
/// the digest; returns the downloaded file.
fn download_and_verify(mirror: &Mirror, rel: &Release, dir: &Path) -> PathBuf {
    let url = format!("{}{}", mirror.base_url(), rel.mirror_path());
    let r = http_get(&url, &[]).unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(r.status, 200, "GET {url}");
    assert!(!r.truncated(), "GET {url}: truncated");
    let file = dir.join(rel.file_name());
    std::fs::write(&file, &r.body).expect("write download");

    let sums = http_get(&format!("{url}.sha512"), &[]).expect("GET .sha512");
    assert_eq!(sums.status, 200);
    let text = String::from_utf8(sums.body).expect("sha512 file is text");
    // gpg --print-md layout: "<name>: " then 8-hex uppercase groups, continuation lines indented
    let indent = rel.file_name().len() + 2;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(&format!("{}: ", rel.file_name())), "{text}");
    assert_eq!(lines.len(), 3, "{text}");
    for l in &lines[1..] {
        assert!(l.starts_with(&" ".repeat(indent)) && !l[indent..].starts_with(' '), "{text}");
    }
    assert!(text.split_once(':').unwrap().1.chars().all(|c| !c.is_ascii_lowercase()), "not uppercase: {text}");
    let expected = parse_sha512_file(&text).expect("parse .sha512");
    assert_eq!(sha512_hex(&file), expected, "downloaded {} does not match its .sha512", rel.file_name());
    file
}

/// scp the tarball to `host`, unpack it to /opt/kafka_2.13-<v> (+ /opt/kafka symlink), create
/// the `kafka` user and its directories.
fn install(world: &World, host: &str, rel: &Release, tarball: &Path) {
    let remote = format!("/tmp/{}", rel.file_name());
    world.scp_to(host, "root", tarball, &remote);
    world.ssh_ok(
        host,
        "root",
        &format!(
            "set -euo pipefail
             id kafka >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /opt/kafka --shell /usr/sbin/nologin kafka
             rm -rf /opt/{top} && tar -xzf {remote} -C /opt && ln -sfn /opt/{top} /opt/kafka && rm -f {remote}
             test -x /opt/kafka/bin/kafka-server-start.sh
             install -d -o kafka -g kafka /etc/kafka /var/lib/kafka /var/lib/zookeeper /var/log/kafka /var/log/zookeeper",
            top = rel.top_dir()
        ),
    );
}

fn unit(description: &str, exec: &str, heap: &str, log_dir: &str, after: &str) -> String {
    format!(
        "[Unit]
Description={description}
After=network.target {after}
Wants={after}

[Service]
Type=simple
User=kafka
Group=kafka
Environment=JAVA_HOME={JAVA_HOME}
Environment=\"KAFKA_HEAP_OPTS={heap}\"
Environment=LOG_DIR={log_dir}
ExecStart={exec}
SuccessExitStatus=143
TimeoutStopSec=60
LimitNOFILE=100000

[Install]
WantedBy=multi-user.target
"
    )
}

/// Write `content` to `path` on `host` as root.
fn put(world: &World, host: &str, path: &str, content: &str) {
    let out = world.ssh_with_input(host, "root", &format!("cat > {path}"), content.as_bytes());
    assert!(out.status.success(), "write {host}:{path}: {}", String::from_utf8_lossy(&out.stderr));
}

fn start_service(world: &World, host: &str, name: &str) {
    world.ssh_ok(host, "root", &format!("systemctl daemon-reload && systemctl enable --now {name}.service 2>&1"));
}

/// systemd must see the JVM itself as the main PID (Type=simple; the launchers exec java).
fn assert_main_pid_is_java(world: &World, host: &str, name: &str) {
    let comm = world.ssh_ok(
        host,
        "root",
        &format!("p=$(systemctl show -p MainPID --value {name}); test \"$p\" -gt 0 && cat /proc/$p/comm"),
    );
    assert_eq!(comm.trim(), "java", "{name}'s main PID is not the JVM");
}

fn journal_tail(world: &World, host: &str, unit: &str) -> String {
    let out =
        world.ssh(host, "root", &format!("journalctl -u {unit} --no-pager -n 40; tail -n 40 /var/log/*/server.log"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Poll (bounded) until Metadata lists `node_id`; ApiVersions first, Metadata v4 must be supported.
fn wait_for_broker(world: &World, host: &str, addr: &str, node_id: i32, timeout: Duration) -> Metadata {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < timeout {
        match kafka_probe::api_versions(addr) {
            Ok(apis) => {
                let md = apis.iter().find(|a| a.api_key == API_METADATA).expect("broker lists Metadata");
                assert!(md.min <= 4 && 4 <= md.max, "Metadata v4 not supported: {md:?}");
                match kafka_probe::metadata_v4(addr) {
                    Ok(m) if m.brokers.iter().any(|b| b.node_id == node_id) => return m,
                    Ok(m) => last = format!("metadata without broker {node_id}: {m:?}"),
                    Err(e) => last = format!("metadata: {e}"),
                }
            }
            Err(e) => last = format!("api versions: {e}"),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("{addr}: no broker {node_id} after {timeout:?}; last: {last}\n{}", journal_tail(world, host, "kafka"));
}

/// A ZooKeeper-mode broker of the 3.x release (its bundled ZooKeeper standalone beside it) on `host`, configured by
/// hand, answers Metadata; the stop scripts stop both.
fn zookeeper_mode_smoke(world: &World, host: &str, mirror: &Mirror) {
    let t0 = Instant::now();
    let rel = world::release(world::KAFKA_3);
    let tmp = tempfile::tempdir().expect("tempdir");
    let tarball = download_and_verify(mirror, &rel, tmp.path());
    let h = world.host(host).clone();
    install(world, host, &rel, &tarball);
    step(t0, host, "ZooKeeper mode: release downloaded, verified, installed");

    put(
        world,
        host,
        "/etc/kafka/zookeeper.properties",
        "dataDir=/var/lib/zookeeper\nclientPort=2181\nmaxClientCnxns=0\nadmin.enableServer=false\n",
    );
    put(
        world,
        host,
        "/etc/systemd/system/zookeeper.service",
        &unit(
            "Apache ZooKeeper (smoke test)",
            "/opt/kafka/bin/zookeeper-server-start.sh /etc/kafka/zookeeper.properties",
            "-Xmx256m -Xms256m",
            "/var/log/zookeeper",
            "",
        ),
    );
    start_service(world, host, "zookeeper");
    let zk = format!("{}:2181", h.ip);
    wait_for_port(&zk, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}\n{}", journal_tail(world, host, "zookeeper")));
    // listening is not serving yet ("This ZooKeeper instance is not currently serving requests"): poll
    let started = Instant::now();
    let srvr = loop {
        let answer = kafka_probe::zk_four_letter(&zk, "srvr").unwrap_or_else(|e| format!("srvr: {e}"));
        if answer.contains("Mode: ") || started.elapsed() > Duration::from_secs(60) {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(srvr.contains("Zookeeper version: 3.8"), "{srvr}");
    assert!(srvr.contains("Mode: standalone"), "{srvr}");
    assert_main_pid_is_java(world, host, "zookeeper");
    step(t0, host, "ZooKeeper mode: zookeeper answers srvr");

    let server = format!(
        "broker.id=7\nlisteners=PLAINTEXT://{ip}:9092\nadvertised.listeners=PLAINTEXT://{ip}:9092\n\
         log.dirs=/var/lib/kafka/data\nzookeeper.connect=localhost:2181\nnum.partitions=1\n\
         offsets.topic.replication.factor=1\ntransaction.state.log.replication.factor=1\n\
         transaction.state.log.min.isr=1\ngroup.initial.rebalance.delay.ms=0\n",
        ip = h.ip
    );
    put(world, host, "/etc/kafka/server.properties", &server);
    put(
        world,
        host,
        "/etc/systemd/system/kafka.service",
        &unit(
            "Apache Kafka broker (smoke test)",
            // --override reaches kafka.Kafka: the file says broker.id=7, the broker must be 1
            "/opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties --override broker.id=1",
            "-Xmx384m -Xms384m",
            "/var/log/kafka",
            "zookeeper.service",
        ),
    );
    start_service(world, host, "kafka");
    let addr = format!("{}:9092", h.ip);
    let md = wait_for_broker(world, host, &addr, 1, Duration::from_secs(120));
    step(t0, host, "ZooKeeper mode: broker answers metadata");
    assert_eq!(md.brokers.len(), 1, "{md:?}");
    assert_eq!((md.brokers[0].host.as_str(), md.brokers[0].port), (h.ip.as_str(), 9092));
    assert_eq!(md.controller_id, 1, "{md:?}");
    let cluster_id = md.cluster_id.clone().expect("cluster id");
    assert_eq!(cluster_id.len(), 22, "{md:?}");
    let meta = world.ssh_ok(host, "root", "cat /var/lib/kafka/data/meta.properties");
    assert!(meta.contains(&format!("cluster.id={cluster_id}")), "{meta}");
    assert!(meta.contains("broker.id=1"), "{meta}");
    assert_main_pid_is_java(world, host, "kafka");
    // the stop scripts find and signal the JVMs; systemd sees a clean exit (SuccessExitStatus=143)
    for (script, unit) in [("kafka-server-stop.sh", "kafka"), ("zookeeper-server-stop.sh", "zookeeper")] {
        world.ssh_ok(
            host,
            "root",
            &format!(
                "/opt/kafka/bin/{script} && for i in $(seq 1 120); do systemctl is-active --quiet {unit} || break; sleep 0.5; done; \
                 test \"$(systemctl show -p ActiveState --value {unit})\" = inactive"
            ),
        );
    }
    step(t0, host, "ZooKeeper mode: done");
}

/// Format storage (`kafka-storage.sh`, as the kafka user) and start a 1-node combined KRaft node of `version` on `host`.
fn kraft_smoke(world: &World, host: &str, mirror: &Mirror, version: &str, dynamic_quorum: bool) {
    let t0 = Instant::now();
    let rel = world::release(version);
    let tmp = tempfile::tempdir().expect("tempdir");
    let tarball = download_and_verify(mirror, &rel, tmp.path());
    let h = world.host(host).clone();
    install(world, host, &rel, &tarball);
    step(t0, host, &format!("KRaft {version}: release downloaded, verified, installed"));
    // the hosts reach the mirror on the bridge address too
    let from_host = world.ssh_ok(
        host,
        "root",
        &format!(
            "python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' {}{}.sha512",
            mirror.bridge_url().expect("bridge url"),
            rel.mirror_path()
        ),
    );
    assert!(from_host.starts_with(&format!("{}: ", rel.file_name())), "{from_host}");

    let quorum = if dynamic_quorum {
        format!("controller.quorum.bootstrap.servers={}:9093", h.ip)
    } else {
        format!("controller.quorum.voters=1@{}:9093", h.ip)
    };
    let server = format!(
        "process.roles=broker,controller\nnode.id=1\n{quorum}\n\
         listeners=PLAINTEXT://{ip}:9092,CONTROLLER://{ip}:9093\n\
         advertised.listeners=PLAINTEXT://{ip}:9092{adv_ctl}\n\
         inter.broker.listener.name=PLAINTEXT\ncontroller.listener.names=CONTROLLER\n\
         listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n\
         log.dirs=/var/lib/kafka/data\nnum.partitions=1\noffsets.topic.replication.factor=1\n\
         transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n\
         share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n",
        ip = h.ip,
        adv_ctl = if dynamic_quorum { format!(",CONTROLLER://{}:9093", h.ip) } else { String::new() },
    );
    put(world, host, "/etc/kafka/server.properties", &server);
    let env = format!("JAVA_HOME={JAVA_HOME} KAFKA_HEAP_OPTS=-Xmx256m LOG_DIR=/var/log/kafka");
    let cluster_id = world
        .ssh_ok(host, "root", &format!("sudo -u kafka env {env} /opt/kafka/bin/kafka-storage.sh random-uuid"))
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string();
    assert_eq!(cluster_id.len(), 22, "random-uuid printed {cluster_id:?}");
    let standalone = if dynamic_quorum { " --standalone" } else { "" };
    world.ssh_ok(
        host,
        "root",
        &format!(
            "sudo -u kafka env {env} /opt/kafka/bin/kafka-storage.sh format -t {cluster_id} -c /etc/kafka/server.properties{standalone}"
        ),
    );
    let meta = world.ssh_ok(host, "root", "cat /var/lib/kafka/data/meta.properties");
    assert!(meta.contains(&format!("cluster.id={cluster_id}")) && meta.contains("node.id=1"), "{meta}");
    // the launcher passes every argument through: a second format fails, unless --ignore-formatted
    let format = format!(
        "sudo -u kafka env {env} /opt/kafka/bin/kafka-storage.sh format -t {cluster_id} -c /etc/kafka/server.properties{standalone}"
    );
    assert!(!world.ssh(host, "root", &format).status.success(), "formatting twice must fail");
    world.ssh_ok(host, "root", &format!("{format} --ignore-formatted"));
    step(t0, host, &format!("KRaft {version}: storage formatted"));

    put(
        world,
        host,
        "/etc/systemd/system/kafka.service",
        &unit(
            "Apache Kafka KRaft node (smoke test)",
            "/opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties",
            "-Xmx384m -Xms384m",
            "/var/log/kafka",
            "",
        ),
    );
    start_service(world, host, "kafka");
    let md = wait_for_broker(world, host, &format!("{}:9092", h.ip), 1, Duration::from_secs(120));
    step(t0, host, &format!("KRaft {version}: broker answers metadata"));
    assert_eq!(md.brokers.len(), 1, "{md:?}");
    assert_eq!((md.brokers[0].host.as_str(), md.brokers[0].port), (h.ip.as_str(), 9092));
    assert_eq!(md.cluster_id.as_deref(), Some(cluster_id.as_str()), "{md:?}");
    assert_eq!(md.controller_id, 1, "{md:?}");
    assert_main_pid_is_java(world, host, "kafka");
    world.ssh_ok(host, "root", "systemctl stop kafka");
    step(t0, host, &format!("KRaft {version}: done"));
}

/// Six hosts come up; on three of them at once, a broker of each release the suite uses, configured by hand (no
/// wizard): ZooKeeper mode from the 3.x release on h1, a KRaft node of 4.x (dynamic quorum) on h2 and of 3.x (static
/// voters) on h3. The other checks run on h4..h6 meanwhile. Each broker answers the Kafka wire protocol.
#[test]
fn six_hosts_come_up_and_each_release_runs_a_broker_configured_by_hand() {
    let t0 = Instant::now();
    let world = World::up(6);
    let (rel3, rel4) = (world::release(world::KAFKA_3), world::release(world::KAFKA_4));
    let mirror = Mirror::start_on_bridge(&[&rel3, &rel4]);
    step(t0, "world", "6 hosts up, mirror started");
    std::thread::scope(|s| {
        s.spawn(|| zookeeper_mode_smoke(&world, "h1", &mirror));
        s.spawn(|| kraft_smoke(&world, "h2", &mirror, world::KAFKA_4, true));
        s.spawn(|| kraft_smoke(&world, "h3", &mirror, world::KAFKA_3, false));
        s.spawn(|| hosts_have_ssh_sudo_java_and_a_network_that_can_be_cut(&world, t0));
    });
}

/// Every host as the inventory says (names, addresses, users, host keys); `deploy` has passwordless sudo and Java 17;
/// hosts reach each other by name; a cut host is unreachable until restored; a stopped host is gone and comes back
/// with the same host keys. Stops and cuts only h4..h6 (h1..h3 run the brokers).
fn hosts_have_ssh_sudo_java_and_a_network_that_can_be_cut(world: &World, t0: Instant) {
    let inv = world.inventory().clone();
    assert!(inv.identity_file.is_absolute() && inv.identity_file.is_file());
    let known = std::fs::read_to_string(&inv.known_hosts).expect("known_hosts");
    for (i, h) in inv.hosts.iter().enumerate() {
        assert_eq!(h.name, format!("h{}", i + 1));
        assert_eq!(h.ip, format!("10.77.0.{}", 11 + i));
        assert_eq!(h.users, ["root", "deploy"]);
        assert!(h.host_key_fingerprints["ssh-ed25519"].starts_with("SHA256:"));
        assert!(known.contains(&format!("{},{} ssh-ed25519 ", h.name, h.ip)));
        let out =
            world.ssh_ok(&h.name, "deploy", "hostname; sudo -n id -u; java -version 2>&1 | head -n1; ps -p 1 -o comm=");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], h.name);
        assert_eq!(lines[1], "0", "deploy has passwordless sudo");
        assert!(lines[2].contains("\"17."), "java 17: {out}");
        assert_eq!(lines[3], "systemd");
    }
    // hosts reach each other by name; a cut host is unreachable until restored
    world.ssh_ok("h1", "root", "timeout 5 bash -c '</dev/tcp/h6/22'");
    world.cut_network("h6");
    let cut = world.ssh("h1", "root", "timeout 3 bash -c '</dev/tcp/h6/22'");
    assert!(!cut.status.success(), "h6 still reachable after cut");
    world.restore_network("h6");
    world.ssh_ok(
        "h1",
        "root",
        "for i in $(seq 1 20); do timeout 2 bash -c '</dev/tcp/h6/22' && exit 0; sleep 0.5; done; exit 1",
    );
    step(t0, "world", "cut/restore ok");
    // a stopped host is gone; started again it has the same host keys (strict checking passes)
    world.stop_host("h5");
    assert!(!world.ssh("h5", "root", "true").status.success(), "h5 answers while stopped");
    world.start_host("h5");
    assert_eq!(world.ssh_ok("h5", "root", "hostname").trim(), "h5");
    step(t0, "world", "stop/start ok");
}

#[test]
fn the_mirror_detects_nothing_wrong_until_a_fault_is_injected() {
    let rel = world::release(world::KAFKA_4);
    let mirror = Mirror::start(&[&rel]);
    let tmp = tempfile::tempdir().expect("tempdir");
    let good = download_and_verify(&mirror, &rel, tmp.path());
    assert_eq!(sha512_hex(&good), sha512_hex(&rel.tarball));

    let url = format!("{}{}", mirror.base_url(), rel.mirror_path());
    mirror.set_fault(&rel.mirror_path(), "corrupt");
    let bad = http_get(&url, &[]).expect("GET corrupt");
    let bad_file = tmp.path().join("corrupt.tgz");
    std::fs::write(&bad_file, &bad.body).expect("write");
    assert_eq!(bad.body.len() as u64, std::fs::metadata(&rel.tarball).expect("stat").len());
    let sums = http_get(&format!("{url}.sha512"), &[]).expect("GET .sha512");
    let expected = parse_sha512_file(&String::from_utf8_lossy(&sums.body)).expect("parse");
    assert_ne!(sha512_hex(&bad_file), expected, "a corrupted download must not verify");

    mirror.set_fault(&rel.mirror_path(), "interrupt:1000000@1");
    let first = http_get(&url, &[]).expect("GET interrupted");
    assert!(first.truncated() && first.body.len() == 1_000_000, "{} bytes", first.body.len());
    let rest = http_get(&url, &[("Range", &format!("bytes={}-", first.body.len()))]).expect("GET rest");
    assert_eq!(rest.status, 206);
    let whole = [first.body, rest.body].concat();
    let resumed = tmp.path().join("resumed.tgz");
    std::fs::write(&resumed, &whole).expect("write");
    assert_eq!(sha512_hex(&resumed), expected, "a resumed download verifies");

    mirror.set_fault(&rel.mirror_path(), "404@1");
    assert_eq!(http_get(&url, &[]).expect("GET 404").status, 404);
    assert_eq!(http_get(&format!("{}/kafka/", mirror.base_url()), &[]).expect("index").status, 200);
}

#[test]
fn the_sha512_parser_reads_the_real_gpg_style_4_0_0_file_and_sha512sum_style() {
    let real = "kafka_2.13-4.0.0.tgz: 00722AB0 A6B954E0 006994B8 D589DCD8 F26E1827 C47F70B6\n                      E820FB45 AA35945C 19163B0F 188CAF0C AF976C11 F7AB005F\n                      D368C54E 5851E899 D2DE687A 804A5EB9\n";
    let hex = "00722ab0a6b954e0006994b8d589dcd8f26e1827c47f70b6e820fb45aa35945c19163b0f188caf0caf976c11f7ab005fd368c54e5851e899d2de687a804a5eb9";
    assert_eq!(parse_sha512_file(real).as_deref(), Some(hex));
    assert_eq!(parse_sha512_file(&real.replace('\n', "\r\n")).as_deref(), Some(hex));
    assert_eq!(parse_sha512_file(&format!("{hex}  kafka_2.13-4.0.0.tgz\n")).as_deref(), Some(hex));
    assert_eq!(parse_sha512_file(&real[..real.len() - 5]), None, "a truncated file is refused");
}

#[test]
fn the_probe_encodes_an_api_versions_v0_request_byte_for_byte() {
    let bytes = kafka_probe::encode_request(18, 0, 1, "kw", &[]);
    assert_eq!(bytes, [0, 0, 0, 12, 0, 18, 0, 0, 0, 0, 0, 1, 0, 2, b'k', b'w']);
    // a Metadata v4 response with one broker, a cluster id, controller 1, no topics
    let mut body = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 4];
    body.extend_from_slice(b"h1.x");
    body.extend_from_slice(&[0, 0, 0x23, 0x84, 0xff, 0xff, 0, 3]);
    body.extend_from_slice(b"abc");
    body.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]);
    let md = kafka_probe::decode_metadata_v4(&body).expect("decode");
    assert_eq!(md.brokers.len(), 1);
    assert_eq!((md.brokers[0].node_id, md.brokers[0].host.as_str(), md.brokers[0].port), (1, "h1.x", 9092));
    assert_eq!((md.cluster_id.as_deref(), md.controller_id), (Some("abc"), 1));
    assert!(kafka_probe::decode_metadata_v4(&body[..body.len() - 1]).is_err());
}
