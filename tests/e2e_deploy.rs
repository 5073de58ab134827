#![cfg(feature = "e2e")]
//! End to end: `kafka-wizard deploy|start|stop|restart|status` against real test hosts (sshd + systemd), a real
//! Kafka release served by an Apache-shaped mirror, and real ZooKeeper and Kafka processes. The binary is run
//! exactly as users run it.

#[path = "e2e_deploy/converge.rs"]
mod converge;
#[path = "e2e_deploy/logs.rs"]
mod logs;
#[path = "e2e_deploy/metrics.rs"]
mod metrics;
#[path = "e2e_deploy/overview.rs"]
mod overview;
#[path = "e2e_deploy/preflight.rs"]
mod preflight;
#[path = "e2e_deploy/signature.rs"]
mod signature;
mod support;

use logs::ServiceLogs;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;
use support::kafka_probe;
use support::world::{self, Mirror, World};

fn wizard(args: &[&str]) -> Output {
    wizard_with_cache(args, &cache_home())
}

/// Runs the wizard with its download cache in `cache` (a test that must really download uses a fresh one).
fn wizard_with_cache(args: &[&str], cache: &Path) -> Output {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .output()
        .expect("run kafka-wizard");
    eprintln!(
        "[wizard] {} -> {} in {:.1}s\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status,
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs the wizard on a pseudo-terminal (util-linux `script`) with `answers` typed in.
fn at_terminal(args: &[&str], answers: &str) -> Output {
    use std::io::Write;
    let command = std::iter::once(env!("CARGO_BIN_EXE_kafka-wizard").to_string())
        .chain(args.iter().map(|a| world::shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("XDG_CACHE_HOME", cache_home())
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script");
    child.stdin.take().unwrap().write_all(answers.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    eprintln!("[wizard at a terminal] {} -> {}\n{}", args.join(" "), out.status, text(&out));
    out
}

/// Starts the wizard with `args` and reads its stderr into the returned log until `until` holds for the log so far
/// (or the wizard's stderr ends); the rest of stderr is left to read.
fn wizard_until(
    args: &[&str],
    until: impl Fn(&str) -> bool,
) -> (std::process::Child, std::io::BufReader<std::process::ChildStderr>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home())
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run kafka-wizard");
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    while std::io::BufRead::read_line(&mut stderr, &mut log).unwrap() > 0 && !until(&log) {}
    (child, stderr, log)
}

/// The wizard's download cache for this test run (fresh per process, so the first deploy really downloads).
/// This test process's download cache (shared by its tests); the caches of earlier runs, whose process is gone,
/// are removed here so they never pile up.
fn cache_home() -> PathBuf {
    const PREFIX: &str = "kw-e2e-cache-";
    let tmp = std::env::temp_dir();
    for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let pid = name.strip_prefix(PREFIX).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let dir = tmp.join(format!("{PREFIX}{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[track_caller]
fn ok(o: Output) -> Output {
    assert!(o.status.success(), "kafka-wizard failed:\n{}", text(&o));
    o
}

/// The `[ssh]` section and `[[hosts]]` entries shared by the project files below.
fn ssh_section(world: &World) -> String {
    let inv = world.inventory();
    format!(
        "[ssh]\nuser = \"root\"\nidentity_file = \"{}\"\nknown_hosts = \"{}\"\n",
        inv.identity_file.display(),
        inv.known_hosts.display()
    )
}

fn host(name: &str, ip: &str, roles: &str, ids: &str) -> String {
    format!("\n[[hosts]]\nname = \"{name}\"\naddress = \"{ip}\"\nroles = {roles}\n{ids}\n")
}

/// The guide's topology: h1–h3 ZooKeeper, h4–h6 brokers 1–3, two data dirs, one chroot.
fn zookeeper_project(world: &World, mirror: &Mirror, dir: &Path) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let mut s = format!(
        "format = 1\nname = \"e2e-zk\"\n\n[kafka]\nversion = \"{v}\"\nmode = \"zookeeper\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"/data1\", \"/data2\"]\nheap = \"384m\"\n{jvm}\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         [zookeeper]\nchroot = \"/e2e-zk\"\nheap = \"256m\"\n{jvm}\n\n{logging}\n{ssh}",
        v = world::KAFKA_3,
        jvm = world::JVM_OPTS,
        logging = logs::LOGGING,
        ssh = ssh_section(world)
    );
    for (i, h) in world.hosts().iter().enumerate() {
        if i < 3 {
            s.push_str(&host(&h.name, &h.ip, "[\"zookeeper\"]", &format!("zookeeper_id = {}", i + 1)));
        } else {
            s.push_str(&host(&h.name, &h.ip, "[\"broker\"]", &format!("id = {}", i - 2)));
        }
    }
    let path = dir.join("zk.toml");
    std::fs::write(&path, s).unwrap();
    path
}

/// `status`'s overview of three healthy combined KRaft nodes: every broker up, exactly one the active controller
/// (the quorum's leader), every partition led by one of them, each with a log directory with its file system's free space (Kafka 4:
/// DescribeLogDirs v4), three voters, nothing offline, no problem; and the text form's broker table.
fn the_overview_shows_three_combined_nodes(st: &serde_json::Value, text: &str) {
    let o = &st["overview"];
    eprintln!("MEASURE status overview (KRaft, 3 combined nodes): {}", serde_json::to_string(o).unwrap());
    let brokers = o["brokers"].as_array().expect("brokers");
    assert_eq!(brokers.len(), 3, "{o}");
    assert!(brokers.iter().all(|b| b["up"] == true), "{o}");
    let leads: u64 = brokers.iter().map(|b| b["leads"].as_u64().unwrap()).sum();
    assert_eq!(Some(leads), o["partitions"].as_u64(), "every partition led by one of them: {o}");
    assert_eq!(brokers.iter().filter(|b| b["controller"] == true).count(), 1, "{o}");
    for b in brokers {
        let dirs = b["log_dirs"].as_array().expect("log dirs read");
        assert!(dirs.iter().all(|d| d["usable_bytes"].as_u64() > Some(0) && d["error"].is_null()), "{o}");
    }
    let voters = o["voters"].as_array().expect("voters");
    assert_eq!((voters.len(), voters.iter().filter(|v| v["leader"] == true).count()), (3, 1), "{o}");
    let leader = voters.iter().find(|v| v["leader"] == true).unwrap()["id"].clone();
    assert_eq!(brokers.iter().find(|b| b["controller"] == true).unwrap()["id"], leader, "the quorum leader");
    // no problem, but the one the machine's own disk may give: the hosts' data directories are on its file system,
    // and a log directory with less than LOW_DISK_PERCENT free is rightly reported (once each)
    let low_disk = brokers
        .iter()
        .flat_map(|b| b["log_dirs"].as_array().unwrap())
        .filter(|d| {
            let (total, usable) = (d["total_bytes"].as_u64().unwrap(), d["usable_bytes"].as_u64().unwrap());
            usable * 100 < total * kafka_wizard::overview::LOW_DISK_PERCENT
        })
        .count();
    let problems = o["problems"].as_array().expect("problems");
    assert!(problems.iter().all(|p| p.as_str().unwrap().contains("% free")), "{o}");
    assert_eq!((o["offline_partitions"].as_u64(), problems.len()), (Some(0), low_disk), "{o}");
    assert!(text.contains("broker  host") && text.contains("KRaft quorum: "), "{text}");
}

/// Three combined KRaft nodes on Kafka 4.x, the cluster id generated by the wizard.
fn kraft_project(world: &World, mirror: &Mirror, dir: &Path) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let mut s = format!(
        "format = 1\nname = \"e2e-kraft\"\n\n[kafka]\nversion = \"{v}\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\n{jvm}\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n{logging}\n{ssh}",
        v = world::KAFKA_4,
        jvm = world::JVM_OPTS,
        logging = logs::LOGGING,
        ssh = ssh_section(world)
    );
    for (i, h) in world.hosts().iter().enumerate() {
        s.push_str(&host(&h.name, &h.ip, "[\"broker\", \"controller\"]", &format!("id = {}", i + 1)));
    }
    let path = dir.join("kraft.toml");
    std::fs::write(&path, s).unwrap();
    path
}

fn unit_active(world: &World, host: &str, unit: &str) -> String {
    world
        .ssh(host, "root", &format!("systemctl is-active {unit}"))
        .stdout
        .iter()
        .map(|b| *b as char)
        .collect::<String>()
        .trim()
        .to_string()
}

fn invocation(world: &World, host: &str, unit: &str) -> String {
    world.ssh_ok(host, "root", &format!("systemctl show -p InvocationID --value {unit}")).trim().to_string()
}

fn broker_ids(addr: &str) -> (BTreeSet<i32>, Option<String>) {
    let m = kafka_probe::metadata_v4(addr).unwrap_or_else(|e| panic!("metadata from {addr}: {e}"));
    (m.brokers.iter().map(|b| b.node_id).collect(), m.cluster_id)
}

fn status_json(project: &str) -> serde_json::Value {
    let o = wizard(&["status", "--json", project]);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("status --json: {e}\n{}", text(&o)))
}

#[test]
fn the_guides_topology_deploys_from_nothing_and_is_operated_in_zookeeper_mode() {
    let rel = world::release(world::KAFKA_3);
    let earlier = world::release(world::KAFKA_3_EARLIER);
    let world = World::up(6);
    let mirror = Mirror::start(&[&rel, &earlier]);
    let dir = tempfile::tempdir().unwrap();
    let project = zookeeper_project(&world, &mirror, dir.path());
    // Metrics: the Prometheus JMX exporter in every broker and ensemble member.
    let monitored = std::fs::read_to_string(&project).unwrap() + &metrics::section(&mirror);
    std::fs::write(&project, monitored).unwrap();
    let p = project.to_str().unwrap();

    // The plan: six hosts need the release, so the wizard uploads it once and the hosts relay it (auto).
    let plan: serde_json::Value = serde_json::from_slice(&ok(wizard(&["plan", "--json", p])).stdout).unwrap();
    let install = plan["phases"].as_array().unwrap().iter().find(|ph| ph["name"] == "install").unwrap();
    assert!(install["title"].as_str().unwrap().contains("6 hosts"), "{install}");
    let from: Vec<&str> = install["work"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["steps"][0]["from"]["from"].as_str().unwrap())
        .collect();
    assert_eq!(from.iter().filter(|f| **f == "wizard").count(), 1, "{install}");

    // Deploy from nothing.
    let t0 = Instant::now();
    let out = ok(wizard(&["deploy", p]));
    eprintln!("MEASURE fresh 6-host ZooKeeper-mode deploy (the release relayed): {:.1}s", t0.elapsed().as_secs_f64());
    assert!(text(&out).contains("the cluster is healthy"), "{}", text(&out));
    let names: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    support::relay::relayed_to_all_but_one(&text(&out), &names, std::fs::metadata(&rel.tarball).unwrap().len());
    support::relay::nothing_of_the_relay_is_left(&world, "root");
    support::relay::no_relay_tar_left(&cache_home());
    let brokers: Vec<String> = world.hosts()[3..].iter().map(|h| format!("{}:9092", h.ip)).collect();
    for addr in &brokers {
        let (ids, cluster) = broker_ids(addr);
        assert_eq!(ids, BTreeSet::from([1, 2, 3]), "{addr}");
        assert!(cluster.is_some());
    }
    // The support bundle of the six hosts: one command, every host's files, logs, journals and facts.
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let (bundle, _) = support::bundle::collect(dir.path(), p, &hosts, "support.zip");
    for broker in &hosts[3..] {
        let log = format!("hosts/{broker}/logs/var/log/kafka/server.log");
        assert!(bundle.get(&log).is_some_and(|t| t.contains("started (kafka.server.KafkaServer)")), "{log}");
    }
    // One cluster under the ONE chroot: the brokers registered in /e2e-zk/brokers/ids of the ensemble.
    let ls = world.ssh_ok("h1", "root", "java -cp '/opt/kafka/libs/*' org.apache.zookeeper.ZooKeeperMain -server 127.0.0.1:2181 ls /e2e-zk/brokers/ids 2>/dev/null | tail -n 1");
    assert!(ls.contains("[1, 2, 3]"), "{ls}");
    // Runs as the service user, not root; config outside the install dir.
    let user = world.ssh_ok("h4", "root", "ps -o user= -p $(systemctl show -p MainPID --value kafka-server)");
    assert_eq!(user.trim(), "kafka");
    // myid is written by the service account itself, inside its own data directory (root does not work there)
    let myid = world.ssh_ok("h1", "root", "stat -c '%U:%G %a' /var/lib/zookeeper/myid; cat /var/lib/zookeeper/myid");
    assert_eq!(myid, "kafka:kafka 644\n1\n");
    assert!(world
        .ssh_ok("h4", "root", "readlink /opt/kafka")
        .trim()
        .ends_with(&format!("kafka_2.13-{}", world::KAFKA_3)));
    let st = status_json(p);
    assert_eq!(st["healthy"], true, "{st}");
    // Logs: the broker and the ensemble member run with the wizard's log4j 1 files, writing into their log_dirs.
    let zk_logs = [
        ServiceLogs {
            host: "h4",
            unit: "kafka-server",
            option: "-Dlog4j.configuration=file:/etc/kafka/kafka-log4j.properties",
            log_dir: "/var/log/kafka",
        },
        ServiceLogs {
            host: "h1",
            unit: "zookeeper-server",
            option: "-Dlog4j.configuration=file:/etc/kafka/zookeeper-log4j.properties",
            log_dir: "/var/log/zookeeper",
        },
    ];
    for s in &zk_logs {
        logs::the_service_uses_the_wizards_log4j_file(&world, s);
    }

    // A second deploy changes nothing and restarts nothing.
    let before: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    let t0 = Instant::now();
    let out = ok(wizard(&["deploy", p]));
    eprintln!("MEASURE no-change re-deploy: {:.1}s", t0.elapsed().as_secs_f64());
    assert!(text(&out).contains("no changes"), "{}", text(&out));
    let after: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    assert_eq!(before, after, "a no-change deploy must not restart anything");
    for h in world.hosts() {
        assert_eq!(backups_on(&world, &h.name), Vec::<String>::new(), "{}: nothing was overwritten yet", h.name);
    }
    let log = mirror.request_log();
    assert_eq!(log.matches(".tgz\"").count(), 1, "the tarball is downloaded once in all: {log}");
    assert_eq!(log.matches(".jar\"").count(), 1, "the exporter jar is downloaded once in all: {log}");
    // Every exporter answers, after the no-change re-deploy too: ZooKeeper's on the members, Kafka's on the brokers.
    for h in &world.hosts()[..3] {
        metrics::the_target_serves(&h.ip, 7072, "zookeeper_quorumsize");
    }
    for h in &world.hosts()[3..] {
        metrics::the_target_serves(&h.ip, 7071, "kafka_server_replicamanager_underreplicatedpartitions");
    }

    // stop: every unit inactive; start: healthy again.
    ok(wizard(&["stop", p]));
    for h in 1..=3 {
        assert_eq!(unit_active(&world, &format!("h{h}"), "zookeeper-server"), "inactive");
    }
    for h in 4..=6 {
        assert_eq!(unit_active(&world, &format!("h{h}"), "kafka-server"), "inactive");
    }
    assert_eq!(wizard(&["status", p]).status.code(), Some(1), "a stopped cluster is not healthy");
    for s in &zk_logs {
        logs::plant_a_full_server_log(&world, s);
    }
    ok(wizard(&["start", p]));
    assert_eq!(status_json(p)["healthy"], true);
    for s in &zk_logs {
        let (current, rotated) = logs::the_full_server_log_was_rotated_and_two_kept(&world, s);
        eprintln!(
            "MEASURE log4j 1 rotation on {} {}: server.log.1 {rotated} B, new server.log {current} B",
            s.host, s.unit
        );
    }

    // restart: rolling and health-gated, under load from a real client (kafka-python): an RF=3,
    // min.insync.replicas=2 topic, an idempotent acks=all producer sending and a consumer reading throughout.
    // Every broker restarted, every acknowledged record consumed, none lost; healthy after.
    let before: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    let zk_leader = zookeeper_leader(p).expect("the ensemble has a leader");
    let events = restart_under_load(p, &brokers, &["h4", "h5", "h6"]);
    let zk_order = restart_order(&events, "restart zookeeper-server.service");
    eprintln!("MEASURE ZooKeeper roll order in restart {zk_order:?}, leader before: {zk_leader}");
    assert_eq!(zk_order.len(), 3, "restart rolls the ensemble too: {zk_order:?}");
    assert_eq!(zk_order.last(), Some(&zk_leader), "the ensemble's leader is restarted last");
    let order = restart_order(&events, "restart kafka-server.service");
    assert_eq!(order, ["h4", "h5", "h6"], "brokers have no leader among them: the project's order");
    let after: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    for (b, a) in before.iter().zip(&after) {
        assert_ne!(b, a, "every broker restarted");
    }
    for addr in &brokers {
        assert_eq!(broker_ids(addr).0, BTreeSet::from([1, 2, 3]));
    }
    limit_touches_only_the_named_hosts(&world, p);

    a_paused_broker_stops_the_roll(&world, p);

    // A changed broker setting is written and restarts only the brokers, one at a time.
    let zk_before = invocation(&world, "h1", "zookeeper-server");
    let changed = std::fs::read_to_string(&project)
        .unwrap()
        .replace("[zookeeper]", "[kafka.properties]\n\"num.partitions\" = 3\n\n[zookeeper]");
    std::fs::write(&project, changed).unwrap();
    let old_file = world.ssh_ok("h5", "root", "cat /etc/kafka/server.properties");
    let out = ok(wizard(&["deploy", p]));
    the_overwritten_file_is_kept_root_only(&world, "h5", &old_file, &text(&out));
    assert!(world.ssh_ok("h5", "root", "cat /etc/kafka/server.properties").contains("num.partitions=3"));
    assert_eq!(invocation(&world, "h1", "zookeeper-server"), zk_before, "ZooKeeper's config did not change");
    assert_eq!(status_json(p)["healthy"], true);
    assert_eq!(running_config(&world, "h4", 1, "num.partitions"), "3", "the brokers run the new value");

    // An interrupted run converges: a changed setting reaches h4 and h5, then h6 fails in configure (chown hidden),
    // so the run stops before its start phase and h4 and h5 still run the old value with the new file in place.
    let before: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    let changed =
        std::fs::read_to_string(&project).unwrap().replace("\"num.partitions\" = 3", "\"num.partitions\" = 5");
    std::fs::write(&project, changed).unwrap();
    world.ssh_ok("h6", "root", "mv /usr/bin/chown /usr/bin/chown.hidden");
    let o = wizard(&["deploy", p]);
    world.ssh_ok("h6", "root", "mv /usr/bin/chown.hidden /usr/bin/chown");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("h6: write /etc/kafka/server.properties"), "{}", text(&o));
    assert!(world.ssh_ok("h5", "root", "cat /etc/kafka/server.properties").contains("num.partitions=5"));
    assert_eq!(invocation(&world, "h5", "kafka-server"), before[1], "no start phase was reached");
    assert_eq!(running_config(&world, "h5", 2, "num.partitions"), "3", "h5 still runs the old value");
    // The next run finds h4's and h5's files current, and restarts them anyway: the restart is still owed.
    let o = ok(wizard(&["deploy", p]));
    assert!(text(&o).contains("restart"), "{}", text(&o));
    for (i, id) in (4..=6).zip(1..=3) {
        let h = format!("h{i}");
        assert_ne!(invocation(&world, &h, "kafka-server"), before[i - 4], "{h} restarted");
        assert_eq!(running_config(&world, &h, id, "num.partitions"), "5", "{h} runs the new value");
    }
    assert_eq!(world.ssh_ok("h4", "root", "ls -A /var/lib/kafka-wizard/restart-pending").trim(), "", "no restart owed");
    // And the one after changes nothing, and backs nothing up.
    let before: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    let kept_before: Vec<Vec<String>> = (4..=6).map(|i| backups_on(&world, &format!("h{i}"))).collect();
    assert!(text(&ok(wizard(&["deploy", p]))).contains("no changes"));
    let after: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    assert_eq!(before, after);
    let kept_after: Vec<Vec<String>> = (4..=6).map(|i| backups_on(&world, &format!("h{i}"))).collect();
    assert_eq!(kept_before, kept_after, "a no-change deploy makes no backup");
    let counts: Vec<usize> = kept_after.iter().map(Vec::len).collect();
    eprintln!("MEASURE backups kept on h4..h6 after two changes of server.properties (one cut off on h6): {counts:?}");
    assert_eq!(counts, [2, 2, 2], "one copy per change; h6's retried write kept its old copy once: {kept_after:?}");

    // A changed ZooKeeper setting restarts the ensemble, followers first, its leader last; the brokers stay up. The
    // leader is first moved off h3 (restarted by hand), so leader-last differs from the project's order h1, h2, h3.
    if zookeeper_leader(p).as_deref() == Some("h3") {
        world.ssh_ok("h3", "root", "systemctl restart zookeeper-server");
    }
    let t0 = Instant::now();
    let leader = loop {
        match zookeeper_leader(p) {
            Some(leader) if leader != "h3" => break leader,
            _ => assert!(t0.elapsed().as_secs() < 60, "the ensemble elects another leader"),
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    };
    let zk_before: Vec<String> = (1..=3).map(|i| invocation(&world, &format!("h{i}"), "zookeeper-server")).collect();
    let changed = std::fs::read_to_string(&project).unwrap().replace("[zookeeper]\n", "[zookeeper]\nsync_limit = 6\n");
    std::fs::write(&project, changed).unwrap();
    let t0 = Instant::now();
    let out = ok(wizard(&["deploy", "--json", p]));
    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let order = restart_order(&events, "restart zookeeper-server.service");
    eprintln!(
        "MEASURE ZooKeeper ensemble rolled in {:.1}s: {order:?}, leader was {leader}",
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(order.len(), 3, "every member restarted: {order:?}");
    assert_eq!(order.last(), Some(&leader), "the ensemble's leader is restarted last: {order:?}");
    for (i, b) in (1..=3).zip(&zk_before) {
        assert_ne!(&invocation(&world, &format!("h{i}"), "zookeeper-server"), b, "h{i} restarted");
    }
    let after: Vec<String> = (4..=6).map(|i| invocation(&world, &format!("h{i}"), "kafka-server")).collect();
    assert_eq!(before, after, "the brokers were not restarted");
    assert_eq!(status_json(p)["healthy"], true);

    // One property changed again: the dry run shows exactly that line per broker and which restarts it causes.
    let changed =
        std::fs::read_to_string(&project).unwrap().replace("\"num.partitions\" = 5", "\"num.partitions\" = 6");
    std::fs::write(&project, changed).unwrap();
    a_dry_run_shows_the_changed_line_and_changes_nothing(&world, p, "num.partitions=5", "num.partitions=6");

    smoke_passes_then_names_a_stopped_broker(&world, p);

    converge::a_deploy_killed_in_its_start_phase_is_finished_by_the_next(&world, p, "num.partitions", "5", "6");
    converge::a_relink_cut_off_by_a_failed_host_is_finished_by_the_next(&world, &project, &mirror);
    securing_the_plaintext_cluster_is_refused(&world, &project, "this ZooKeeper-mode cluster has already run");
}

/// `kafka-wizard smoke --json`: passes, every record read back, each broker leading one partition, the topic
/// deleted; prints the figures. Returns the report.
fn smoke_passes(project: &str, cluster: &str) -> serde_json::Value {
    let o = ok(wizard(&["smoke", "--json", "--records", "300", project]));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", text(&o)));
    assert_eq!((&r["passed"], &r["read_back"], &r["cleanup"]["state"]), (&true.into(), &300.into(), &"deleted".into()));
    let brokers = r["brokers"].as_array().unwrap();
    for (i, b) in brokers.iter().enumerate() {
        assert_eq!(b["leads"], serde_json::json!([i]), "each broker leads its own partition: {r}");
    }
    let (l, e2e, total) = (&r["latency"], &r["end_to_end_ms"], &r["total_ms"]);
    eprintln!(
        "MEASURE smoke test on {cluster} (300 records, acks=all, RF {}): produce p50 {} ms, p99 {} ms, max {} ms; \
         end to end {e2e} ms; whole test {total} ms",
        r["replication_factor"], l["p50_ms"], l["p99_ms"], l["max_ms"]
    );
    r
}

/// The smoke test passes; with h6's broker (id 3) stopped and the topic at RF 3 / min.insync.replicas 3 it exits 1
/// naming that broker and the refused writes; `start` brings the broker back, the topic is gone from ZooKeeper.
fn smoke_passes_then_names_a_stopped_broker(world: &World, p: &str) {
    smoke_passes(p, "3 ZooKeeper-mode brokers");
    world.ssh_ok("h6", "root", "systemctl stop kafka-server");
    let h4 = format!("{}:9092", world.hosts()[3].ip);
    let gone = (0..30).any(|_| {
        std::thread::sleep(std::time::Duration::from_secs(1));
        broker_ids(&h4).0 == BTreeSet::from([1, 2])
    });
    assert!(gone, "broker 3 left the cluster");
    let o = wizard(&["smoke", "--records", "30", "--min-insync-replicas", "3", p]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("broker 3 (h6) is not in the cluster"), "{}", text(&o));
    assert!(text(&o).contains("(leader broker 1 on h4): NOT_ENOUGH_REPLICAS"), "{}", text(&o));
    ok(wizard(&["start", p]));
    assert_eq!(status_json(p)["healthy"], true);
    let topics = "java -cp '/opt/kafka/libs/*' org.apache.zookeeper.ZooKeeperMain -server 127.0.0.1:2181 \
                  ls /e2e-zk/brokers/topics 2>/dev/null | tail -n 1";
    let left = (0..10)
        .map(|_| {
            std::thread::sleep(std::time::Duration::from_secs(1));
            world.ssh_ok("h1", "root", topics)
        })
        .find(|ls| !ls.contains("kafka-wizard-smoke-"));
    assert!(left.is_some(), "the smoke topics are deleted once the broker is back");
}

/// Every backup file on `host` (`apply::backup`), sorted.
fn backups_on(world: &World, host: &str) -> Vec<String> {
    let out = world.ssh_ok(host, "root", "find /var/lib/kafka-wizard/backups -type f 2>/dev/null | sort; true");
    out.lines().map(str::to_string).collect()
}

/// After a deploy that changed `host`'s server.properties (it held `old` before): the old copy is the one backup
/// there, the directories 0700 root and the copy 0600 root, and the deploy said where it went.
fn the_overwritten_file_is_kept_root_only(world: &World, host: &str, old: &str, deploy_output: &str) {
    let dir = "/var/lib/kafka-wizard/backups/etc/kafka/server.properties";
    let kept = backups_on(world, host);
    assert_eq!(kept.len(), 1, "{host}: one backup: {kept:?}");
    assert!(kept[0].starts_with(&format!("{dir}/")), "{kept:?}");
    assert_eq!(world.ssh_ok(host, "root", &format!("cat {}", kept[0])), old, "the backup is the old file");
    let modes =
        world.ssh_ok(host, "root", &format!("stat -c '%a %U:%G' /var/lib/kafka-wizard/backups {dir} {}", kept[0]));
    assert_eq!(modes, "700 root:root\n700 root:root\n600 root:root\n", "root-only");
    assert!(
        deploy_output.contains(&format!("{host}: the old copies of the overwritten files are kept at {}", kept[0])),
        "deploy says where: {deploy_output}"
    );
    eprintln!("MEASURE backup on {host}: {} ({} bytes)", kept[0], old.len());
}

/// `--limit` on the running guide's cluster: `restart --limit h5` restarts h5 alone and connects to no other host,
/// `status --limit` and `deploy --dry-run --limit` report on h5 alone; an unknown host and a stop that would take
/// the ZooKeeper ensemble below its majority while the brokers run are refused (exit 2) with nothing touched.
fn limit_touches_only_the_named_hosts(world: &World, p: &str) {
    let units = |world: &World| -> Vec<String> {
        let mut ids: Vec<String> = (1..=3).map(|i| invocation(world, &format!("h{i}"), "zookeeper-server")).collect();
        ids.extend((4..=6).map(|i| invocation(world, &format!("h{i}"), "kafka-server")));
        ids
    };
    let hosts_in = |stdout: &[u8]| -> BTreeSet<String> {
        String::from_utf8_lossy(stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|e| e["target"]["name"].as_str().map(str::to_string))
            .collect()
    };
    let before = units(world);
    let t0 = Instant::now();
    let out = ok(wizard(&["restart", "--limit", "h5", "--json", p]));
    eprintln!("MEASURE restart --limit h5: {:.1}s", t0.elapsed().as_secs_f64());
    assert_eq!(hosts_in(&out.stdout), BTreeSet::from(["h5".to_string()]), "only h5 was connected to and acted on");
    let after = units(world);
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        let h = format!("h{}", i + 1);
        assert_eq!(b != a, h == "h5", "{h}: restarted only if it is h5 (InvocationID {b} → {a})");
    }

    let out = ok(wizard(&["status", "--limit", "h5", "--json", p]));
    let st: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<&str> = st["hosts"].as_array().unwrap().iter().map(|h| h["host"].as_str().unwrap()).collect();
    assert_eq!(rows, ["h5"], "{st}");
    assert_eq!(st["healthy"], true, "the checks judge the whole cluster: {st}");
    assert!(st["checks"].as_array().unwrap().len() >= 3, "{st}");

    let out = ok(wizard(&["deploy", "--dry-run", "--json", "--limit", "h5", p]));
    assert_eq!(hosts_in(&out.stdout), BTreeSet::from(["h5".to_string()]), "the dry run shows the limited plan");

    let before = units(world);
    let t0 = Instant::now();
    let o = wizard(&["restart", "--limit", "h5,h9", p]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--limit: unknown host(s) h9; the project's hosts are h1, h2, h3, h4, h5, h6"),
        "{}",
        text(&o)
    );
    let o = wizard(&["stop", "--json", "--limit", "h1,h2", p]);
    eprintln!("MEASURE two --limit refusals: {:.1}s", t0.elapsed().as_secs_f64());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("stopping h1, h2 would leave 1 of the 3 members of the ZooKeeper ensemble running"),
        "{}",
        text(&o)
    );
    assert_eq!(hosts_in(&o.stdout), BTreeSet::new(), "no host was connected to: {}", text(&o));
    assert_eq!(units(world), before, "nothing was touched");
    for h in ["h1", "h2"] {
        assert_eq!(unit_active(world, h, "zookeeper-server"), "active");
    }
}

/// `kafka-wizard restart` while tests/world/roll_load.py (kafka-python, from tests/world/prepare.sh's venv) produces
/// with acks=all and idempotence to an RF=3, min.insync.replicas=2 topic and consumes it; then counts: every
/// acknowledged record consumed, no NotEnoughReplicas surfaced to the producer; prints the figures and each node's
/// gate time.
fn restart_under_load(project: &str, brokers: &[String], nodes: &[&str]) -> Vec<serde_json::Value> {
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh (it installs kafka-python)", python.display());
    let load = support::roll_load::RollLoad::start(&python, &[&brokers.join(","), "roll-load"]);
    std::thread::sleep(std::time::Duration::from_secs(3));

    let t0 = Instant::now();
    let out = ok(wizard(&["restart", "--json", project]));
    let took = t0.elapsed().as_secs_f64();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let figures = load.stop();

    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let gates: Vec<String> = events
        .iter()
        .filter_map(|e| e["message"].as_str().map(str::to_string))
        .filter(|m| m.contains(" back: "))
        .collect();
    eprintln!(
        "MEASURE rolling restart of {} nodes under load in {took:.1}s: sent {}, acked {}, consumed {}, duplicates {}, \
         lost {}, errors surfaced {}",
        nodes.len(),
        figures["sent"],
        figures["acked"],
        figures["consumed"],
        figures["duplicates"],
        figures["lost"],
        figures["errors"]
    );
    for gate in &gates {
        eprintln!("MEASURE gate: {gate}");
    }
    for &h in nodes {
        assert!(
            gates.iter().any(|g| g.starts_with(&format!("{h} back: partitions fully replicated after "))),
            "{h}'s partition gate is logged: {gates:?}"
        );
    }
    assert!(figures["acked"].as_u64().unwrap() > 100, "the producer kept sending: {figures}");
    assert_eq!(figures["lost"], 0, "every acknowledged record is consumed: {figures}");
    assert!(figures["errors"].get("NotEnoughReplicasError").is_none(), "no NotEnoughReplicas surfaced: {figures}");
    assert!(figures["errors"].get("NotEnoughReplicasAfterAppendError").is_none(), "{figures}");
    events
}

/// The hosts whose restart step (`step`, e.g. `restart kafka-server.service`) started, in order, from `--json` events.
fn restart_order(events: &[serde_json::Value], step: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "step_started" && e["step"].as_str().is_some_and(|s| s.starts_with(step)))
        .filter_map(|e| e["target"]["name"].as_str().map(str::to_string))
        .collect()
}

/// The ZooKeeper ensemble's leader as `status` reports it, when the ensemble is healthy.
fn zookeeper_leader(project: &str) -> Option<String> {
    let status = status_json(project);
    let found = status["checks"].as_array().into_iter().flatten().find(|c| c[0] == "ZooKeeper quorum")?;
    found[1]["Ok"].as_str()?.split(", ").find_map(|m| m.strip_suffix(" leader").map(str::to_string))
}

/// The summary of a check in `status --json` (e.g. "KRaft quorum"), which must hold.
fn check_summary(status: &serde_json::Value, check: &str) -> String {
    let found = status["checks"].as_array().into_iter().flatten().find(|c| c[0] == check);
    let found = found.unwrap_or_else(|| panic!("no {check} check: {status}"));
    found[1]["Ok"].as_str().unwrap_or_else(|| panic!("{check} does not hold: {status}")).to_string()
}

/// The gate refuses to go on: during `kafka-wizard restart`, while the first broker (h4) is starting again, h6 is
/// paused (SIGSTOP): it answers nothing and its replicas fall behind, so h4's gate never holds. The restart ends
/// non-zero after `--health-timeout`, naming h6 and the partitions behind, and neither h5 nor h6 was restarted.
/// Then h6 resumes (SIGCONT) and the cluster is healthy again.
fn a_paused_broker_stops_the_roll(world: &World, p: &str) {
    let before: Vec<String> = (4..=6).map(|i| invocation(world, &format!("h{i}"), "kafka-server")).collect();
    let main_pid = "$(systemctl show -p MainPID --value kafka-server)";
    // h4 was restarted and is coming back: its gate is being waited for.
    let (mut child, mut stderr, mut log) = wizard_until(&["restart", "--health-timeout", "40", p], |log| {
        log.lines().any(|l| l.contains("h4") && l.contains("waiting for"))
    });
    world.ssh_ok("h6", "root", &format!("kill -STOP {main_pid}"));
    let paused = Instant::now();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    let status = child.wait().unwrap();
    let refused_after = paused.elapsed().as_secs_f64();
    world.ssh_ok("h6", "root", &format!("kill -CONT {main_pid}"));
    eprintln!("[wizard] restart with h6 paused -> {status}\n{log}");
    let after: Vec<String> = (4..=6).map(|i| invocation(world, &format!("h{i}"), "kafka-server")).collect();
    let t0 = Instant::now();
    while status_json(p)["healthy"] != true {
        assert!(t0.elapsed().as_secs() < 180, "healthy again after SIGCONT");
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let recovered = t0.elapsed().as_secs_f64();
    eprintln!(
        "MEASURE gate with h6 paused: refused {refused_after:.1}s after the pause (--health-timeout 40); healthy \
         {recovered:.1}s after SIGCONT"
    );
    let failure = log.lines().find(|l| l.contains("no further node is restarted")).unwrap_or_default().to_string();
    eprintln!("MEASURE gate's refusal: {failure}");
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(failure.contains("h6") && failure.contains("partition(s) behind"), "names h6 and partitions: {log}");
    assert_ne!(after[0], before[0], "h4 was restarted");
    assert_eq!(after[1..], before[1..], "h5 and h6 were not restarted: {log}");
}

/// The value broker `id` runs with for `key`, as the broker reports it (DescribeConfigs through Kafka's own
/// ConfigCommand, run on `host`).
fn running_config(world: &World, host: &str, id: u32, key: &str) -> String {
    let ip = &world.hosts().iter().find(|h| h.name == host).expect("host").ip;
    let out = world.ssh_ok(
        host,
        "root",
        &format!(
            "LOG_DIR=/tmp KAFKA_HEAP_OPTS=-Xmx128m /opt/kafka/bin/kafka-run-class.sh kafka.admin.ConfigCommand \
             --bootstrap-server {ip}:9092 --entity-type brokers --entity-name {id} --describe --all 2>/dev/null"
        ),
    );
    let prefix = format!("{key}=");
    out.lines()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()).map(|v| v.split(' ').next().unwrap_or("").to_string()))
        .unwrap_or_else(|| panic!("{host}: no {key} in DescribeConfigs: {out}"))
}

/// What a host runs and holds: every file the wizard writes (hashed), the release link, and each service's main
/// process and its start time.
fn host_state(world: &World, host: &str) -> String {
    world.ssh_ok(
        host,
        "root",
        "sha256sum /etc/kafka/* /etc/systemd/system/kafka-server.service /etc/systemd/system/zookeeper-server.service \
         /var/lib/zookeeper/myid 2>/dev/null; readlink /opt/kafka; \
         systemctl show -p MainPID -p ExecMainStartTimestamp kafka-server zookeeper-server; true",
    )
}

/// One property of the brokers' changed in the project since the last deploy (the brokers run `old`, the project
/// says `new`, e.g. `num.partitions=3` → `num.partitions=4`): `deploy --dry-run` and `--dry-run --json` show a diff
/// of exactly that line for each broker's `server.properties`, restart rows naming the file, and leave every host as
/// it was.
fn a_dry_run_shows_the_changed_line_and_changes_nothing(world: &World, p: &str, old: &str, new: &str) {
    let (old_line, new_line) = (format!("-{old}"), format!("+{new}"));
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let before: Vec<String> = hosts.iter().map(|h| host_state(world, h)).collect();
    for (h, state) in hosts.iter().zip(&before) {
        let running = state.lines().any(|l| l.starts_with("MainPID=") && l != "MainPID=0");
        assert!(running && state.contains(" /etc/kafka/"), "{h}: files hashed and a service running: {state}");
    }
    let brokers = ["h4", "h5", "h6"];

    let t0 = Instant::now();
    let out = ok(wizard(&["deploy", "--dry-run", p]));
    eprintln!("MEASURE dry run of one changed property on 6 hosts: {:.1}s", t0.elapsed().as_secs_f64());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    for b in brokers {
        let file = format!("{b}:/etc/kafka/server.properties");
        let header = format!("    --- {file} (on the host)\n    +++ {file} (generated)\n");
        let at = stdout.find(&header).unwrap_or_else(|| panic!("no diff for {b}:\n{stdout}"));
        let diff: Vec<&str> = stdout[at + header.len()..].lines().take_while(|l| l.starts_with("    ")).collect();
        let changed: Vec<&str> =
            diff.iter().filter_map(|l| l.strip_prefix("    ")).filter(|l| l.starts_with(['-', '+'])).collect();
        assert_eq!(changed, [&old_line, &new_line], "{b}:\n{}", diff.join("\n"));
    }
    assert_eq!(stdout.matches("    --- ").count(), 3, "only the brokers' server.properties changed:\n{stdout}");

    let out = ok(wizard(&["deploy", "--dry-run", "--json", p]));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let rows: Vec<&serde_json::Value> =
        lines.iter().filter(|v| v.get("step").is_some() && v.get("change").is_some()).collect();
    let summary = lines.last().expect("a summary line");
    let changes = rows.iter().filter(|r| r["change"] == true).count();
    assert_eq!(summary, &serde_json::json!({ "changes": changes }), "the summary comes last");
    let on = |r: &serde_json::Value| r["target"]["name"].as_str().unwrap_or("").to_string();
    let mut changed: Vec<String> = rows
        .iter()
        .filter(|r| r["change"] == true)
        .map(|r| format!("{} {}", on(r), r["step"].as_str().unwrap()))
        .collect();
    changed.sort();
    let mut expected: Vec<String> = brokers
        .iter()
        .flat_map(|b| [format!("{b} start kafka-server.service"), format!("{b} write /etc/kafka/server.properties")])
        .collect();
    expected.sort();
    assert_eq!(changed, expected, "only the brokers' server.properties and their restarts");
    for r in rows.iter().filter(|r| r["change"] == true) {
        if r["step"] == "start kafka-server.service" {
            let detail = r["detail"].as_str().unwrap();
            assert!(detail.starts_with("restart") && detail.contains("/etc/kafka/server.properties"), "{r}");
            assert!(r.get("diff").is_none(), "{r}");
        } else {
            let diff = r["diff"].as_str().unwrap_or_else(|| panic!("no diff: {r}"));
            let lines: Vec<&str> = diff.lines().filter(|l| !l.starts_with("---") && !l.starts_with("+++")).collect();
            let changed: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with(['-', '+'])).collect();
            assert_eq!(changed, [&old_line, &new_line], "{diff}");
            assert!(lines.iter().filter(|l| l.starts_with(' ')).count() <= 6, "3 lines of context each side: {diff}");
        }
    }

    let after: Vec<String> = hosts.iter().map(|h| host_state(world, h)).collect();
    assert_eq!(before, after, "a dry run changes no file and restarts nothing");
}

#[test]
fn dedicated_kraft_controllers_are_restarted_before_the_brokers_the_active_controller_last() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(6);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    // h1–h3 dedicated controllers (node ids 1–3), h4–h6 brokers (4–6).
    let mut text = std::fs::read_to_string(kraft_project(&world, &mirror, dir.path())).unwrap();
    for i in 1..=6 {
        let combined = format!(
            "name = \"h{i}\"\naddress = \"{}\"\nroles = [\"broker\", \"controller\"]",
            world.host(&format!("h{i}")).ip
        );
        assert!(text.contains(&combined), "{text}");
        let role = if i <= 3 { "[\"controller\"]" } else { "[\"broker\"]" };
        text = text.replace(&combined, &combined.replace("[\"broker\", \"controller\"]", role));
    }
    let project = dir.path().join("dedicated.toml");
    std::fs::write(&project, text).unwrap();
    let p = project.to_str().unwrap();

    let t0 = Instant::now();
    ok(wizard(&["deploy", p]));
    eprintln!("MEASURE fresh KRaft deploy, 3 dedicated controllers + 3 brokers: {:.1}s", t0.elapsed().as_secs_f64());
    let status = status_json(p);
    assert_eq!(status["healthy"], true, "{status}");
    let quorum = check_summary(&status, "KRaft quorum");
    let leader = quorum.strip_prefix("leader ").and_then(|l| l.split(' ').next()).expect("a leader").to_string();
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name, "kafka-server")).collect();

    let t0 = Instant::now();
    let out = ok(wizard(&["restart", "--json", p]));
    let took = t0.elapsed().as_secs_f64();
    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let order = restart_order(&events, "restart kafka-server.service");
    eprintln!("MEASURE restart of 3 dedicated controllers + 3 brokers in {took:.1}s: order {order:?}, active controller before: {leader}");
    assert_eq!(order.len(), 6, "{order:?}");
    let (controllers, brokers) = order.split_at(3);
    let mut sorted = controllers.to_vec();
    sorted.sort();
    assert_eq!(sorted, ["h1", "h2", "h3"], "the controllers first: {order:?}");
    assert_eq!(controllers.last(), Some(&leader), "the active controller last of them: {order:?}");
    assert_eq!(brokers, ["h4", "h5", "h6"], "then the brokers: {order:?}");
    let waited = events.iter().filter_map(|e| e["message"].as_str()).any(|m| m.contains("caught up"));
    assert!(waited, "each controller's gate waits for the quorum to catch up: {events:?}");
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name, "kafka-server")).collect();
    for ((h, b), a) in world.hosts().iter().zip(&before).zip(&after) {
        assert_ne!(b, a, "{} restarted", h.name);
    }
    assert_eq!(status_json(p)["healthy"], true);
}

#[test]
fn three_combined_kraft_nodes_of_kafka_4_deploy_and_are_operated() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    // Metrics: the Prometheus JMX exporter in every node.
    let monitored = std::fs::read_to_string(&project).unwrap() + &metrics::section(&mirror);
    std::fs::write(&project, monitored).unwrap();
    let p = project.to_str().unwrap();
    // A port taken by a foreign process and a full data directory: refused before anything is written; then removed.
    preflight::planted_problems_are_refused_before_anything_is_written(&world, p);

    let t0 = Instant::now();
    ok(wizard(&["deploy", p]));
    eprintln!("MEASURE fresh 3-node KRaft deploy: {:.1}s", t0.elapsed().as_secs_f64());
    let saved = std::fs::read_to_string(&project).unwrap();
    let id = saved
        .lines()
        .find_map(|l| l.strip_prefix("cluster_id = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .expect("cluster id saved");
    for h in world.hosts() {
        let (ids, cluster) = broker_ids(&format!("{}:9092", h.ip));
        assert_eq!(ids, BTreeSet::from([1, 2, 3]));
        assert_eq!(cluster.as_deref(), Some(id.as_str()), "formatted with the project's cluster id");
    }
    let st = status_json(p);
    assert_eq!(st["healthy"], true, "{st}");
    the_overview_shows_three_combined_nodes(&st, &text(&ok(wizard(&["status", p]))));
    // The services' open-file limit lowered by a drop-in warns; the kernel fixes made where asked.
    preflight::the_services_open_file_limit_and_the_kernel_fixes(&world, p);
    // Logs: Kafka 4 runs with the wizard's log4j2 file, writing into kafka.log_dir.
    let kraft_logs = ServiceLogs {
        host: "h1",
        unit: "kafka-server",
        option: "-Dlog4j2.configurationFile=/etc/kafka/kafka-log4j2.yaml",
        log_dir: "/var/log/kafka",
    };
    logs::the_service_uses_the_wizards_log4j_file(&world, &kraft_logs);
    // Every node's exporter answers with Kafka's metrics; the plan lists each as a scrape target.
    for h in world.hosts() {
        metrics::the_target_serves(&h.ip, 7071, "kafka_server_replicamanager_underreplicatedpartitions");
    }
    let plan = text(&ok(wizard(&["plan", p])));
    for h in world.hosts() {
        assert!(plan.contains(&format!("http://{}:7071/metrics", h.ip)), "{plan}");
    }
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name, "kafka-server")).collect();

    // with --fix-kernel: the kernel fixes made before (above) are found in place, the cluster is not changed
    let out = ok(wizard(&["deploy", "--fix-kernel", p]));
    assert!(text(&out).contains("no changes"), "{}", text(&out));
    preflight::a_deploy_with_fix_kernel_finds_the_fixes_in_place(&world, &text(&out));
    // A no-change re-deploy restarts nothing, and the exporters still answer.
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name, "kafka-server")).collect();
    assert_eq!(before, after, "a no-change re-deploy restarted a node");
    for h in world.hosts() {
        metrics::the_target_serves(&h.ip, 7071, "kafka_server_replicamanager_underreplicatedpartitions");
    }

    ok(wizard(&["stop", p]));
    for h in world.hosts() {
        assert_eq!(unit_active(&world, &h.name, "kafka-server"), "inactive");
    }
    logs::plant_a_full_server_log(&world, &kraft_logs);
    ok(wizard(&["start", p]));
    let (current, rotated) = logs::the_full_server_log_was_rotated_and_two_kept(&world, &kraft_logs);
    eprintln!("MEASURE log4j2 rotation on h1 kafka-server: server.log.1 {rotated} B, new server.log {current} B");
    // restart under load: the combined nodes that do not lead the quorum first, the active controller last, each
    // caught up in the quorum and every partition fully replicated before the next.
    let status = status_json(p);
    assert_eq!(status["healthy"], true);
    let quorum = check_summary(&status, "KRaft quorum");
    let leader = quorum.strip_prefix("leader ").and_then(|l| l.split(' ').next()).expect("a leader").to_string();
    let brokers: Vec<String> = world.hosts().iter().map(|h| format!("{}:9092", h.ip)).collect();
    let order = restart_order(&restart_under_load(p, &brokers, &["h1", "h2", "h3"]), "restart kafka-server.service");
    eprintln!("MEASURE KRaft roll order {order:?}, active controller before: {leader} ({quorum})");
    assert_eq!(order.len(), 3, "{order:?}");
    assert_eq!(order.last(), Some(&leader), "the active controller is restarted last");
    assert_eq!(status_json(p)["healthy"], true);
    // Stopping two of the three combined nodes would leave the controller quorum without a majority: refused.
    let o = wizard(&["stop", "--json", "--limit", "h1,h2", p]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("would leave 1 of the 3 members of the KRaft controller quorum running"), "{}", text(&o));
    assert_eq!(unit_active(&world, "h1", "kafka-server"), "active");
    // The overview with a broker stopped behind the wizard's back: the RF=3 topics' partitions under-replicated.
    overview::status_counts_under_replicated_partitions_while_a_broker_is_stopped(&world, p, "h3", 3);

    // Ctrl-C during a rolling restart stops it between nodes: the node being restarted comes back, no further one
    // goes down.
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name, "kafka-server")).collect();
    let (mut child, mut stderr, mut log) = wizard_until(&["restart", p], |log| log.contains("back in the cluster"));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(log.contains("cancelled"), "{log}");
    let restarted =
        world.hosts().iter().zip(&before).filter(|(h, b)| invocation(&world, &h.name, "kafka-server") != **b).count();
    assert!((1..3).contains(&restarted), "the roll stopped between nodes: {restarted} of 3 restarted\n{log}");
    assert_eq!(status_json(p)["healthy"], true);

    smoke_passes(p, "3 combined KRaft nodes");
    securing_the_plaintext_cluster_is_refused(&world, &project, "the storage is already formatted");
}

/// `[security]` added to the project of a running plaintext cluster with no secrets store: in KRaft its storage is
/// formatted without the SCRAM users, in ZooKeeper mode the ensemble and its znodes are open — rolling a secured
/// configuration onto it would lock the brokers out — refused (`refusal` says which) before anything is made or
/// changed (no file on any host, no store, nothing restarted).
fn securing_the_plaintext_cluster_is_refused(world: &World, project: &Path, refusal: &str) {
    let plaintext = std::fs::read_to_string(project).unwrap();
    let p = project.to_str().unwrap();
    let files = "sha256sum /etc/kafka/* 2>/dev/null; ls /etc/kafka; \
                 systemctl show -p InvocationID --value kafka-server zookeeper-server; true";
    let before: Vec<String> = world.hosts().iter().map(|h| world.ssh_ok(&h.name, "root", files)).collect();
    let secured = format!(
        "{plaintext}\n[security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\nusers = [\"orders-app\"]\n"
    );
    std::fs::write(project, secured).unwrap();
    let o = wizard(&["deploy", p]);
    let log = text(&o);
    let after: Vec<String> = world.hosts().iter().map(|h| world.ssh_ok(&h.name, "root", files)).collect();
    std::fs::write(project, &plaintext).unwrap();
    eprintln!("[wizard] deploy with [security] on the plaintext cluster -> {}\n{log}", o.status);
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert!(log.contains(refusal) && log.contains("nothing was changed"), "{log}");
    assert_eq!(before, after, "no file written and nothing restarted on any host");
    assert!(!log.contains("creating it"), "no secrets store was made: {log}");
    assert_eq!(status_json(p)["healthy"], true, "the plaintext cluster runs on");
}

#[test]
fn a_tampered_tarball_or_sha512_is_refused_before_anything_is_uploaded() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(1);
    let mirror = Mirror::start(&[&rel]);
    mirror.set_fault(&rel.mirror_path(), "corrupt");
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    let refused = |case: &str| {
        // A fresh cache: a verified copy cached by an earlier run would (rightly) be used without downloading.
        let cache = tempfile::tempdir().unwrap();
        let o = wizard_with_cache(&["deploy", project.to_str().unwrap()], cache.path());
        assert_eq!(o.status.code(), Some(1), "{case}: {}", text(&o));
        let said = text(&o).to_lowercase();
        assert!(said.contains("sha-512") || said.contains("checksum"), "{case}: {}", text(&o));
        let left = world.ssh_ok("h1", "root", "ls -a /opt");
        assert!(!left.contains("kafka"), "{case}: nothing was uploaded or unpacked: {left}");
        let cached: Vec<_> = walk(cache.path()).into_iter().filter(|p| p.ends_with(".tgz")).collect();
        assert!(cached.is_empty(), "{case}: the refused tarball is not kept in the cache: {cached:?}");
    };
    refused("a tampered tarball");

    // The tarball intact, the mirror's .sha512 beside it tampered with (one hex digit changed): Apache's checksum
    // is the one trusted, so a wrong one refuses the (good) tarball rather than vouching for it.
    mirror.clear_faults();
    let sha512 = mirror.root().join(format!("{}.sha512", rel.mirror_path().trim_start_matches('/')));
    let good = std::fs::read_to_string(&sha512).unwrap();
    let at = good.rfind(|c: char| c.is_ascii_hexdigit()).unwrap();
    let flipped = if &good[at..at + 1] == "0" { "1" } else { "0" };
    std::fs::write(&sha512, format!("{}{flipped}{}", &good[..at], &good[at + 1..])).unwrap();
    refused("a tampered .sha512");
}

/// Every file under `dir`, as strings.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        match path.is_dir() {
            true => out.extend(walk(&path)),
            false => out.push(path.display().to_string()),
        }
    }
    out
}

#[test]
fn unknown_and_changed_host_keys_are_refused_and_accepted_only_on_request() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(2);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    let empty = dir.path().join("known_hosts");
    std::fs::write(&empty, "").unwrap();
    let text0 = std::fs::read_to_string(&project).unwrap();
    std::fs::write(
        &project,
        text0.replace(&world.inventory().known_hosts.display().to_string(), &empty.display().to_string()),
    )
    .unwrap();
    let p = project.to_str().unwrap();

    let o = wizard(&["deploy", "--dry-run", p]);
    assert_eq!(o.status.code(), Some(1));
    let fp = &world.host("h1").host_key_fingerprints["ssh-ed25519"];
    assert!(text(&o).contains("unknown SSH host key") && text(&o).contains(fp.as_str()), "{}", text(&o));

    // At a terminal the fingerprints are shown and asked about: "n" changes nothing, "y" accepts and remembers.
    let declined = at_terminal(&["deploy", "--dry-run", p], "n\n");
    assert!(!declined.status.success() && text(&declined).contains(fp.as_str()), "{}", text(&declined));
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "", "a declined key is not remembered");
    let accepted = at_terminal(&["deploy", "--dry-run", p], "y\ny\n");
    assert!(accepted.status.success(), "{}", text(&accepted));
    assert!(std::fs::read_to_string(&empty).unwrap().contains(&world.host("h1").ip));
    ok(wizard(&["deploy", "--dry-run", p]));
    // Unattended, the flag accepts.
    std::fs::write(&empty, "").unwrap();
    ok(wizard(&["deploy", "--dry-run", "--accept-new-host-keys", p]));
    ok(wizard(&["deploy", "--dry-run", p]));

    // h2's key recorded for h1's address: a changed key, refused with both fingerprints.
    let h1 = world.host("h1").ip.clone();
    let h2 = world.host("h2").ip.clone();
    let kh = std::fs::read_to_string(&empty).unwrap();
    let h2_lines: Vec<String> =
        kh.lines().filter(|l| l.starts_with(&format!("{h2} "))).map(|l| l.replacen(&h2, &h1, 1)).collect();
    assert!(!h2_lines.is_empty(), "accepted keys were remembered: {kh}");
    std::fs::write(&empty, h2_lines.join("\n") + "\n").unwrap();
    let o = wizard(&["deploy", "--dry-run", "--accept-new-host-keys", p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("HOST KEY CHANGED"), "{}", text(&o));
}

#[test]
fn a_host_that_is_down_is_named_and_nothing_is_changed_elsewhere() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    world.stop_host("h2");
    let t0 = Instant::now();
    let o = wizard(&["deploy", project.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(t0.elapsed().as_secs() < 60, "a down host is detected quickly");
    assert!(text(&o).contains("h2: cannot connect"), "{}", text(&o));
    assert!(!text(&o).contains("h1: cannot connect") && !text(&o).contains("h3: cannot connect"));
    assert!(!world.ssh_ok("h1", "root", "ls -a /opt").contains("kafka"));
}

#[test]
fn a_failing_step_names_its_host_the_others_finish_the_phase_and_a_rerun_converges() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    let p = project.to_str().unwrap();
    // Java missing on h2: the preflight refuses the whole run before anything changes on any host.
    world.ssh_ok("h2", "root", "mv /usr/bin/java /usr/bin/java.hidden");
    let o = wizard(&["deploy", p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("preflight refused the run — nothing was changed on any host"), "{}", text(&o));
    assert!(text(&o).contains("h2: Java: Java not found"), "{}", text(&o));
    for h in ["h1", "h3"] {
        let user = world.ssh(h, "root", "id -u kafka");
        assert!(!user.status.success(), "{h}: nothing was changed, not even the service user");
    }
    world.ssh_ok("h2", "root", "mv /usr/bin/java.hidden /usr/bin/java");

    // A step that fails on h2 only (its data directory's parent is a file): the others finish the phase, no host
    // goes on to the next one, and the error names h2.
    world.ssh_ok("h2", "root", "mkdir -p /var/lib && touch /var/lib/kafka");
    let o = wizard(&["deploy", p]);
    assert_eq!(o.status.code(), Some(1));
    let said = text(&o);
    let failed: Vec<&str> = said.lines().filter(|l| l.contains("/var/lib/kafka") && l.contains("h2")).collect();
    assert!(!failed.is_empty(), "the failure names h2 and the path:\n{said}");
    eprintln!("MEASURE the failure as told: {}", failed[0].trim());
    for h in ["h1", "h3"] {
        world.ssh_ok(h, "root", "id -u kafka && test -d /var/lib/kafka/data");
        assert!(!world.ssh_ok(h, "root", "ls -a /opt").contains("kafka"), "no host goes on to the next phase");
    }

    world.ssh_ok("h2", "root", "rm /var/lib/kafka");
    ok(wizard(&["deploy", p]));
    assert_eq!(status_json(p)["healthy"], true);
}

#[test]
fn ctrl_c_stops_a_deploy_between_steps_and_a_rerun_converges() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    // A slow download keeps the deploy busy long enough to interrupt it.
    mirror.set_fault(&rel.mirror_path(), "slow:8000000");
    let dir = tempfile::tempdir().unwrap();
    let project = kraft_project(&world, &mirror, dir.path());
    let p = project.to_str().unwrap();
    let fresh_cache = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["deploy", p])
        .env("XDG_CACHE_HOME", fresh_cache.path())
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    eprintln!("{}", text(&out));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("cancel"), "{}", text(&out));
    for h in world.hosts() {
        assert_eq!(unit_active(&world, &h.name, "kafka-server"), "inactive", "nothing was started");
    }
    mirror.clear_faults();
    what_an_interrupted_run_left_is_removed_by_the_next(&world, p);
    assert_eq!(status_json(p)["healthy"], true);
}

/// What a run cut off on h1 would leave (a run killed or its SSH connection dropped cannot clean up behind itself):
/// an uploaded tarball never unpacked, a half-unpacked release, a temporary file beside a configuration — made
/// stale (untouched for an hour) — and a fresh temporary file a process still writes (held open: a run that is still
/// going on). `--dry-run` names the stale ones and removes nothing; the deploy removes them (their size in its row)
/// and keeps the one being written.
fn what_an_interrupted_run_left_is_removed_by_the_next(world: &World, p: &str) {
    let upload = format!("/opt/.kafka_2.13-{}.tgz.upload", world::KAFKA_4);
    let stale = [upload.as_str(), "/opt/.unpack.Ab12Cd", "/etc/kafka/.server.properties.kw-Zz9Yy8"];
    let fresh = "/etc/kafka/.server.properties.kw-Fr3sh0";
    world.ssh_ok(
        "h1",
        "root",
        &format!(
            "set -e; mkdir -p /etc/kafka /opt/.unpack.Ab12Cd/kafka_2.13/bin; head -c 20971520 /dev/zero > {upload}; \
             echo partial > {}; touch -d '-1 hour' {} {} {}; \
             systemd-run --quiet --unit=kw-writer sh -c 'echo being-written > {fresh}; exec sleep 600 >> {fresh}'; \
             for i in $(seq 50); do test -s {fresh} && exit 0; sleep 0.1; done; exit 1",
            stale[2], stale[0], stale[1], stale[2]
        ),
    );
    let listing = |world: &World| {
        world.ssh_ok("h1", "root", "find /opt /etc/kafka -mindepth 1 -maxdepth 1 -name '.*' -printf '%f\\n' | sort")
    };
    let before = listing(world);
    let dry = ok(wizard(&["deploy", p, "--dry-run"]));
    for path in stale {
        assert!(text(&dry).contains(path), "the dry run names {path}: {}", text(&dry));
    }
    assert!(!text(&dry).contains(fresh), "a temporary file being written is not a leftover: {}", text(&dry));
    assert_eq!(listing(world), before, "a dry run removes nothing");

    let out = ok(wizard(&["deploy", p]));
    let row = text(&out).lines().find(|l| l.contains("removed 3 leftovers (")).map(str::to_string);
    eprintln!("MEASURE leftovers of an interrupted run on h1: {row:?}");
    let row = row.unwrap_or_else(|| panic!("the deploy removes the leftovers: {}", text(&out)));
    assert!(row.contains("20.0 MiB") || row.contains("20.1 MiB"), "{row}");
    let left = listing(world);
    assert_eq!(left.trim(), ".server.properties.kw-Fr3sh0", "only the temporary file being written stays");
    world.ssh_ok("h1", "root", &format!("systemctl stop kw-writer; rm -f {fresh}"));
}
