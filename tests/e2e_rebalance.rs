#![cfg(feature = "e2e")]
//! End to end, growing and shrinking a running cluster (issue 14 parts 2 and 3), on one cluster: three combined
//! KRaft nodes of Kafka 4.x with an RF=3 and an RF=2 topic (12 partitions each, data in the RF=3 one). A fourth,
//! broker-only host added to the project: deploy starts only it (the old nodes' systemd InvocationIDs unchanged)
//! and offers a rebalance; a rebalance killed while its throttled moves run is finished by the next run; a third
//! run finds the cluster balanced; the new broker holds and leads a fair share; no throttle is left. Then the
//! broker is decommissioned under an acks=all load (tests/world/roll_load.py) — its first run killed mid-move, the
//! re-run finishing the moves and the rest: no acknowledged record lost, every partition's ISR sampled during the
//! move never below its min.insync.replicas; the project file no longer has
//! the host (its other comments kept), its unit is stopped and disabled, and a no-change deploy restarts nothing.
//! A controller's decommission is refused first, and one while another broker is down, before anything changes.
//! The cluster's controller quorum is dynamic (`kraft.quorum = "dynamic"`, docs/facts/kafka.md §8): at the end
//! the freed fourth host comes back as a dedicated controller under an acks=all load — deploy formats it to join,
//! starts it and adds it as a voter once it caught up — and leaves again with `decommission --controller`, still
//! under the load: no acknowledged record lost, the voters exactly the project's controllers after each. The
//! bootstrap list is the controllers at creation (`kraft.bootstrap_controllers`, saved by the first deploy), so
//! neither the add nor the removal restarts another node (InvocationIDs unchanged), and a deploy after the removal
//! has nothing to change.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::wizard::run_wizard;
use support::world::{self, Mirror, World};

fn wizard(home: &Path, args: &[&str]) -> String {
    let (out, text) = run_wizard(home, args);
    assert!(out.status.success(), "kafka-wizard {} failed:\n{text}", args.join(" "));
    text
}

fn python() -> PathBuf {
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh (it installs kafka-python)", python.display());
    python
}

/// Runs a kafka-python snippet with the bootstrap list as argv[1]; its stdout.
fn py(bootstrap: &str, code: &str) -> String {
    let out = Command::new(python()).args(["-c", code, bootstrap]).output().expect("run python");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "python failed:\n{text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

const CREATE_AND_FILL: &str = r#"
import sys
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
b = sys.argv[1].split(",")
a = KafkaAdminClient(bootstrap_servers=b)
a.create_topics([NewTopic("orders", 12, 3, topic_configs={"min.insync.replicas": "2"}),
                 NewTopic("events", 12, 2, topic_configs={"min.insync.replicas": "1"})], timeout_ms=30000)
a.close()
p = KafkaProducer(bootstrap_servers=b, acks="all", linger_ms=20, batch_size=1 << 20, max_request_size=2 << 20)
v = b"x" * 100000
for i in range(360):
    p.send("orders", v, partition=i % 12)
p.flush()
p.close()
print("filled")
"#;

/// Prints every throttle config that is set (dynamic, not the default) on brokers 1–4 and the test's topics.
const THROTTLES: &str = r#"
import sys
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","))
res = [ConfigResource(ConfigResourceType.BROKER, str(i)) for i in (1, 2, 3)]
res += [ConfigResource(ConfigResourceType.TOPIC, t) for t in ("orders", "events")]
for resp in a.describe_configs(res):
    for r in resp.resources:
        for entry in r[4]:
            name, value = entry[0], entry[1]
            if "throttled" in name and value not in (None, "", "9223372036854775807"):
                print(f"{r[3]} {name}={value}")
a.close()
"#;

fn invocation(world: &World, host: &str) -> String {
    world.ssh_ok(host, "root", "systemctl show -p InvocationID --value kafka-server").trim().to_string()
}

fn project(world: &World, mirror: &Mirror, dir: &Path) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let inv = world.inventory();
    let mut s = format!(
        "# e2e: grow and shrink a running cluster\nformat = 1\nname = \"e2e-rebalance\"\n\n[kafka]\n\
         version = \"{v}\"\ninstall_dir = \"/opt\"\ndata_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\n{jvm}\n\
         mirror = \"{base}\"\napache_url = \"{base}\"\n\n[kraft]\nquorum = \"dynamic\"\n\n[ssh]\nuser = \"root\"\nidentity_file = \"{id}\"\n\
         known_hosts = \"{kh}\"\n",
        v = world::KAFKA_4,
        jvm = world::JVM_OPTS,
        id = inv.identity_file.display(),
        kh = inv.known_hosts.display()
    );
    for (i, h) in world.hosts().iter().take(3).enumerate() {
        s.push_str(&format!(
            "\n[[hosts]] # node {n}\nname = \"{}\"\naddress = \"{}\"\nroles = [\"broker\", \"controller\"]\nid = {n}\n",
            h.name,
            h.ip,
            n = i + 1
        ));
    }
    let path = dir.join("rebalance.toml");
    std::fs::write(&path, s).unwrap();
    path
}

/// Every partition of the cluster as broker `addr` sees it.
fn partitions(addr: &str) -> Vec<kafka_wizard::health::PartitionState> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(kafka_wizard::health::kafka_partitions(addr, Duration::from_secs(5))).unwrap_or_default()
}

/// Per broker 1..=4: (replicas, partitions led).
fn spread(addr: &str) -> Vec<(i32, usize, usize)> {
    let ps = partitions(addr);
    (1..=4)
        .map(|b| {
            (b, ps.iter().filter(|p| p.replicas.contains(&b)).count(), ps.iter().filter(|p| p.leader == b).count())
        })
        .collect()
}

/// Samples every partition's ISR every 0.5 s until stopped: (samples, lowest ISR − min.insync.replicas seen, the
/// partitions seen below it).
fn sample_isr(addr: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(usize, i64, Vec<String>)> {
    std::thread::spawn(move || {
        let min_isr = |topic: &str| match topic {
            "events" => 1,
            _ => 2,
        };
        let (mut samples, mut lowest, mut below) = (0, i64::MAX, Vec::new());
        while !stop.load(Ordering::SeqCst) {
            let ps = partitions(&addr);
            if !ps.is_empty() {
                samples += 1;
            }
            for p in ps.iter().filter(|p| p.partition >= 0 && !p.topic.starts_with("__")) {
                let margin = p.isr.len() as i64 - min_isr(&p.topic);
                lowest = lowest.min(margin);
                if margin < 0 {
                    below.push(format!("{}-{} isr {:?}", p.topic, p.partition, p.isr));
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        (samples, lowest, below)
    })
}

#[test]
fn a_broker_is_added_rebalanced_onto_and_decommissioned_under_load_without_losing_a_record() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(4);
    let t_all = Instant::now();
    let mirror = Mirror::start(&[&rel]);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let project = project(&world, &mirror, home);
    let p = project.to_str().unwrap();
    let ips: Vec<String> = world.hosts().iter().map(|h| format!("{}:9092", h.ip)).collect();
    let bootstrap = ips[..3].join(",");

    let t = Instant::now();
    wizard(home, &["deploy", p]);
    eprintln!("MEASURE fresh 3-node KRaft deploy: {:.1}s", t.elapsed().as_secs_f64());
    assert_eq!(py(&bootstrap, CREATE_AND_FILL).trim(), "filled");
    let saved = std::fs::read_to_string(&project).unwrap();
    assert!(saved.contains("bootstrap_controllers = [1, 2, 3]"), "the first deploy saves the bootstrap list: {saved}");

    // A controller cannot be decommissioned (static quorum): refused before anything changes.
    let (out, text) = run_wizard(home, &["decommission", p, "--broker", "3"]);
    assert!(!out.status.success() && text.contains("also a KRaft controller"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");

    // A fourth host, broker only: deploy touches no running node and offers the rebalance.
    let h4 = &world.hosts()[3];
    let mut s = std::fs::read_to_string(&project).unwrap();
    s.push_str(&format!(
        "\n# added later\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"broker\"]\nid = 4\n",
        h4.name, h4.ip
    ));
    std::fs::write(&project, &s).unwrap();
    let old: Vec<&str> = world.hosts()[..3].iter().map(|h| h.name.as_str()).collect();
    let before: Vec<String> = old.iter().map(|h| invocation(&world, h)).collect();
    let t = Instant::now();
    let text = wizard(home, &["deploy", p]);
    eprintln!("MEASURE deploy adding a 4th broker: {:.1}s", t.elapsed().as_secs_f64());
    assert_eq!(old.iter().map(|h| invocation(&world, h)).collect::<Vec<_>>(), before, "no old node restarted");
    assert!(text.contains(&format!("new broker(s) {} joined", h4.name)), "{text}");
    assert!(text.contains(&format!("kafka-wizard rebalance {p}")), "{text}");
    let empty = spread(&ips[0]);
    assert_eq!(empty[3], (4, 0, 0), "the new broker holds nothing yet: {empty:?}");

    let plan = wizard(home, &["rebalance", p, "--dry-run"]);
    assert!(plan.contains("reassign ") && plan.contains("elect preferred leaders"), "{plan}");
    assert_eq!(spread(&ips[0]), empty, "a dry run moves nothing");

    // Killed while its throttled (1 MB/s) moves run: the next run waits for them, then finishes.
    let t = Instant::now();
    killed_while_moving(home, &["rebalance", p, "--throttle", "1"]);
    let text = wizard(home, &["rebalance", p, "--throttle", "200"]);
    eprintln!("MEASURE rebalance killed mid-move, then finished by a re-run: {:.1}s", t.elapsed().as_secs_f64());
    assert!(
        text.contains("reassignment(s) an earlier run had started"),
        "the re-run finished the killed run's moves:\n{text}"
    );
    let text = wizard(home, &["rebalance", p]);
    assert!(text.contains("rebalance: balanced, nothing to move"), "{text}");
    let throttles = py(&bootstrap, THROTTLES);
    assert_eq!(throttles.trim(), "", "no throttle left behind");

    let after = spread(&ips[0]);
    eprintln!("MEASURE per broker after the rebalance (broker, replicas, leads): {after:?}");
    let (replicas, leads): (Vec<usize>, Vec<usize>) = after.iter().map(|&(_, r, l)| (r, l)).unzip();
    assert!(replicas.iter().max().unwrap() - replicas.iter().min().unwrap() <= 1, "{after:?}");
    let partitions_total: usize = leads.iter().sum();
    assert!(leads[3] >= partitions_total / 4 - 1 && leads[3] > 0, "broker 4 leads a fair share: {after:?}");

    // While another broker is down, a decommission is refused before anything changes; it is started again and
    // every partition's ISR is full before the decommission below.
    let h3 = &world.hosts()[2].name;
    world.ssh_ok(h3, "root", "systemctl stop kafka-server");
    let (out, text) = run_wizard(home, &["decommission", p, "--broker", "4"]);
    assert!(!out.status.success() && text.contains(&format!("broker 3 ({h3}) not in the cluster")), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    world.ssh_ok(h3, "root", "systemctl start kafka-server");
    let t = Instant::now();
    loop {
        let ps = partitions(&ips[0]);
        if !ps.is_empty() && ps.iter().all(|p| p.isr.len() == p.replicas.len()) {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(180), "{h3} never rejoined every ISR: {ps:?}");
        std::thread::sleep(Duration::from_secs(1));
    }
    eprintln!("MEASURE {h3} back in every ISR after its restart: {:.1}s", t.elapsed().as_secs_f64());

    // Decommission broker 4 under an acks=all load, sampling every partition's ISR.
    let load = support::roll_load::RollLoad::start(&python(), &[&bootstrap, "decommission-load"]);
    std::thread::sleep(Duration::from_secs(2));
    let on_four = spread(&ips[0])[3].1;
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample_isr(ips[0].clone(), stop.clone());
    let plan = wizard(home, &["decommission", p, "--broker", "4", "--dry-run"]);
    assert!(plan.contains(&format!("remove host {} from the project file", h4.name)), "{plan}");
    // Killed while its throttled moves run: the re-run waits for them, then stops the broker and drops the host.
    let t = Instant::now();
    killed_while_moving(home, &["decommission", p, "--broker", "4", "--throttle", "1"]);
    let killed_after = t.elapsed().as_secs_f64();
    let project_text = std::fs::read_to_string(&project).unwrap();
    assert!(project_text.contains(&h4.name), "the killed run left the host in the project: {project_text}");
    assert_eq!(world.ssh_ok(&h4.name, "root", "systemctl is-active kafka-server").trim(), "active");
    let text = wizard(home, &["decommission", p, "--broker", "4"]);
    let took = t.elapsed().as_secs_f64();
    eprintln!("MEASURE decommission killed {killed_after:.1}s in, mid-move, then finished by a re-run: {took:.1}s");
    assert!(text.contains("reassignment(s) an earlier run had started"), "the re-run finished the moves:\n{text}");
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::SeqCst);
    let (samples, lowest, below) = sampler.join().unwrap();
    let figures = load.stop();
    eprintln!(
        "MEASURE decommission of broker 4 ({on_four} replicas) under load in {took:.1}s: sent {}, acked {}, \
         consumed {}, lost {}, errors {}; ISR sampled {samples} times, lowest ISR − min.insync.replicas {lowest}",
        figures["sent"], figures["acked"], figures["consumed"], figures["lost"], figures["errors"]
    );
    assert!(text.contains("no longer in the project"), "{text}");
    assert!(below.is_empty(), "partitions below min.insync.replicas during the move: {below:?}");
    assert!(samples > 0 && lowest >= 0, "samples {samples}, lowest {lowest}");
    assert!(figures["acked"].as_u64().unwrap() > 100, "the producer kept sending: {figures}");
    assert_eq!(figures["lost"], 0, "every acknowledged record is consumed: {figures}");

    // The host is gone from the project (other comments kept), its unit stopped and disabled, the cluster 3 brokers.
    let s = std::fs::read_to_string(&project).unwrap();
    assert!(!s.contains(&h4.name) && !s.contains("id = 4"), "{s}");
    assert!(s.starts_with("# e2e: grow and shrink a running cluster\n") && s.contains("[[hosts]] # node 3"), "{s}");
    let state = world.ssh(&h4.name, "root", "systemctl is-active kafka-server; systemctl is-enabled kafka-server");
    assert_eq!(String::from_utf8_lossy(&state.stdout).split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled"]);
    assert!(spread(&ips[0])[3].1 == 0, "nothing left on broker 4");
    let brokers = support::kafka_probe::metadata_v4(&ips[0]).unwrap().brokers;
    assert_eq!(brokers.iter().map(|b| b.node_id).collect::<Vec<_>>(), [1, 2, 3]);

    let before: Vec<String> = old.iter().map(|h| invocation(&world, h)).collect();
    let text = wizard(home, &["deploy", p]);
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(old.iter().map(|h| invocation(&world, h)).collect::<Vec<_>>(), before, "nothing restarted");

    add_and_remove_a_controller(&world, home, &project, &bootstrap);
    eprintln!("MEASURE e2e_rebalance after the hosts were up: {:.1}s", t_all.elapsed().as_secs_f64());
}

/// Runs the wizard with `args` and kills it (SIGKILL: no clean-up of its own) once it reports its reassignments
/// still moving — they go on in the cluster, throttled, for the next run to find.
fn killed_while_moving(home: &Path, args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .env("XDG_DATA_HOME", home.join("data"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut moving = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        eprintln!("[killed {}] {line}", args[0]);
        if line.contains("still moving") {
            moving = true;
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(moving, "{args:?} ended ({status}) before its moves were reported moving");
}

/// The voters of the project's dynamic quorum as its leader reports them.
fn voters(project: &Path) -> Vec<i32> {
    let spec = kafka_wizard::project::load(project).unwrap().validation.spec.unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (m, _) = rt.block_on(kafka_wizard::apply::membership::describe(&spec)).unwrap();
    m.voters.iter().map(|v| v.id).collect()
}

/// The fourth host (its broker decommissioned above; its old storage wiped, as a reused machine would be) added as
/// a dedicated controller and removed again, each under an acks=all load.
fn add_and_remove_a_controller(world: &World, home: &Path, project: &Path, bootstrap: &str) {
    let p = project.to_str().unwrap();
    let h4 = &world.hosts()[3];
    assert_eq!(voters(project), [1, 2, 3]);
    world.ssh_ok(&h4.name, "root", "rm -rf /var/lib/kafka/data/*");
    let mut s = std::fs::read_to_string(project).unwrap();
    s.push_str(&format!(
        "\n# a fourth controller\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"controller\"]\nid = 14\n",
        h4.name, h4.ip
    ));
    std::fs::write(project, &s).unwrap();

    let old: Vec<&str> = world.hosts()[..3].iter().map(|h| h.name.as_str()).collect();
    let before: Vec<String> = old.iter().map(|h| invocation(world, h)).collect();
    let load = support::roll_load::RollLoad::start(&python(), &[bootstrap, "controller-load"]);
    std::thread::sleep(Duration::from_secs(2));
    let t = Instant::now();
    let text = wizard(home, &["deploy", p]);
    let added = t.elapsed().as_secs_f64();
    eprintln!("[deploy adding controller 14]\n{text}");
    assert_eq!(voters(project), [1, 2, 3, 14], "the new controller votes");
    assert_eq!(old.iter().map(|h| invocation(world, h)).collect::<Vec<_>>(), before, "no other node restarted");
    let conf =
        world.ssh_ok(&h4.name, "root", "grep ^controller.quorum.bootstrap.servers= /etc/kafka/server.properties");
    assert!(!conf.contains(&h4.ip) && conf.contains(&world.hosts()[0].ip), "the bootstrap controllers: {conf}");

    let plan = wizard(home, &["decommission", p, "--controller", "14", "--dry-run"]);
    assert!(plan.contains("RemoveRaftVoter") && plan.contains(&format!("remove host {}", h4.name)), "{plan}");
    assert!(!plan.contains("warning: the quorum is left"), "4 → 3 voters still tolerates a failure: {plan}");
    let t = Instant::now();
    let text = wizard(home, &["decommission", p, "--controller", "14"]);
    let removed = t.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(2));
    let figures = load.stop();
    eprintln!(
        "MEASURE controller 14 added by deploy (no other node restarted) in {added:.1}s, removed by decommission \
         --controller in {removed:.1}s, under load: sent {}, acked {}, consumed {}, lost {}, errors {}",
        figures["sent"], figures["acked"], figures["consumed"], figures["lost"], figures["errors"]
    );
    assert!(text.contains("removed from the KRaft quorum"), "{text}");
    assert_eq!(voters(project), [1, 2, 3], "the removed controller no longer votes");
    let state = world.ssh(&h4.name, "root", "systemctl is-active kafka-server; systemctl is-enabled kafka-server");
    assert_eq!(String::from_utf8_lossy(&state.stdout).split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled"]);
    assert!(!std::fs::read_to_string(project).unwrap().contains(&h4.name), "the host left the project");
    assert!(figures["acked"].as_u64().unwrap() > 100, "the producer kept sending: {figures}");
    assert_eq!(figures["lost"], 0, "every acknowledged record is consumed: {figures}");
    let t = Instant::now();
    let text = wizard(home, &["deploy", p]);
    eprintln!("MEASURE deploy after the controller's removal: {:.1}s", t.elapsed().as_secs_f64());
    assert!(text.contains("no changes"), "the other nodes' files did not change: {text}");
    assert_eq!(old.iter().map(|h| invocation(world, h)).collect::<Vec<_>>(), before, "no other node restarted");
}
