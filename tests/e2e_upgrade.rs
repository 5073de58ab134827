#![cfg(feature = "e2e")]
//! End to end, version upgrades under load (issue 14 part 1), each scenario one cluster deployed by the real binary:
//! - ZooKeeper mode, the guide's layout (h1–h3 ZooKeeper, h4–h6 brokers), 3.8.1 → 3.9.2: the roll pins
//!   `inter.broker.protocol.version=3.8`, `upgrade --finalize` drops it (a roll of the brokers);
//! - KRaft, three combined nodes, 4.0.1 → 4.1.1: the roll changes no feature, `upgrade --finalize` raises
//!   `metadata.version` and every broker reports it (ApiVersions). The roll is killed after its first node and the
//!   next run finishes it.
//!
//! Through both, tests/world/roll_load.py produces with acks=all to an RF=3, min.insync.replicas=2 topic and consumes
//! it: every acknowledged record is consumed. Each host's link is swapped only with its own restart; afterwards every
//! process runs from the new release, and a no-change deploy restarts nothing.

mod support;

use kafka_wizard::apply::upgrade::features::broker_levels;
use kafka_wizard::security::KafkaAuth;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;
use support::world::{self, Mirror, World};

const ZK_FROM: &str = "3.8.1";
const ZK_TO: &str = "3.9.2";
const KRAFT_FROM: &str = "4.0.1";
const KRAFT_TO: &str = "4.1.1";

fn cache_home() -> PathBuf {
    std::env::temp_dir().join("kafka-wizard-e2e-upgrade-cache")
}

fn wizard(args: &[&str]) -> (Output, String) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home())
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .output()
        .expect("run kafka-wizard");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("[wizard] {} -> {} in {:.1}s\n{text}", args.join(" "), out.status, started.elapsed().as_secs_f64());
    (out, text)
}

fn ok(args: &[&str]) -> String {
    let (out, text) = wizard(args);
    assert!(out.status.success(), "kafka-wizard {} failed:\n{text}", args.join(" "));
    text
}

fn project(world: &World, mirror: &Mirror, dir: &Path, version: &str, zookeeper: bool) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let inv = world.inventory();
    let mode = if zookeeper { "zookeeper" } else { "kraft" };
    let mut s = format!(
        "format = 1\nname = \"e2e-upgrade-{mode}\"\n\n[kafka]\nversion = \"{version}\"\nmode = \"{mode}\"\n\
         install_dir = \"/opt\"\ndata_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\n{jvm}\nmirror = \"{base}\"\n\
         apache_url = \"{base}\"\n\n[ssh]\nuser = \"root\"\nidentity_file = \"{}\"\nknown_hosts = \"{}\"\n",
        inv.identity_file.display(),
        inv.known_hosts.display(),
        jvm = world::JVM_OPTS,
    );
    if zookeeper {
        s.push_str(&format!("\n[zookeeper]\nchroot = \"/e2e-upgrade\"\nheap = \"256m\"\n{}\n", world::JVM_OPTS));
    }
    for (i, h) in world.hosts().iter().enumerate() {
        let (roles, ids) = match (zookeeper, i) {
            (true, 0..=2) => ("[\"zookeeper\"]", format!("zookeeper_id = {}", i + 1)),
            (true, _) => ("[\"broker\"]", format!("id = {}", i - 2)),
            (false, _) => ("[\"broker\", \"controller\"]", format!("id = {}", i + 1)),
        };
        s.push_str(&format!("\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = {roles}\n{ids}\n", h.name, h.ip));
    }
    let path = dir.join(format!("{mode}.toml"));
    std::fs::write(&path, s).unwrap();
    path
}

fn set_version(project: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(project).unwrap();
    let old = format!("version = \"{from}\"");
    assert!(text.contains(&old));
    std::fs::write(project, text.replace(&old, &format!("version = \"{to}\""))).unwrap();
}

fn link(world: &World, host: &str) -> String {
    world.ssh_ok(host, "root", "readlink /opt/kafka").trim().to_string()
}

fn invocations(world: &World, hosts: &[String], unit: &str) -> Vec<String> {
    let script = format!("systemctl show -p InvocationID --value {unit}");
    hosts.iter().map(|h| world.ssh_ok(h, "root", &script).trim().to_string()).collect()
}

/// The release directories whose jars the main process of `unit` on `host` holds open.
fn release_dirs_in_use(world: &World, host: &str, unit: &str) -> BTreeSet<String> {
    let script = format!(
        "pid=$(systemctl show -p MainPID --value {unit}); for f in /proc/$pid/fd/*; do readlink \"$f\"; done \
         | sed -n 's#^\\(/opt/kafka_[^/]*\\)/libs/.*\\.jar$#\\1#p' | sort -u"
    );
    world.ssh_ok(host, "root", &script).lines().map(str::to_string).collect()
}

/// tests/world/roll_load.py running (`support::roll_load`): acks=all producer + consumer on an RF=3,
/// min.insync.replicas=2 topic.
struct Load(support::roll_load::RollLoad);

impl Load {
    fn start(bootstrap: &[String], topic: &str) -> Load {
        let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
        let python = Path::new(&cache).join("py-client/bin/python");
        assert!(python.exists(), "{} missing: run tests/world/prepare.sh", python.display());
        Load(support::roll_load::RollLoad::start(&python, &[&bootstrap.join(","), topic]))
    }

    /// Stops producing, waits for the consumer; asserts nothing acknowledged was lost; prints the figures.
    fn stop(self, what: &str, took: f64) {
        std::thread::sleep(std::time::Duration::from_secs(3));
        let f = self.0.stop();
        eprintln!(
            "MEASURE {what} under load in {took:.1}s: sent {}, acked {}, consumed {}, duplicates {}, lost {}, errors surfaced {}, longest producer stall {} s",
            f["sent"], f["acked"], f["consumed"], f["duplicates"], f["lost"], f["errors"], f["longest_stall"]
        );
        assert!(f["acked"].as_u64().unwrap() > 100, "the producer kept sending: {f}");
        assert_eq!(f["lost"], 0, "every acknowledged record is consumed: {f}");
    }
}

/// Runs the wizard with `args` (`--json` events on stdout) until, after an event `matched` accepts, a `restart
/// kafka-server` step finishes; then kills it (SIGKILL) and returns the event `matched` accepted.
fn run_until(args: &[&str], matched: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home())
        .env("XDG_STATE_HOME", std::env::temp_dir().join("kafka-wizard-e2e-state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut events = std::io::BufReader::new(child.stdout.take().unwrap());
    let (mut line, mut found) = (String::new(), None);
    loop {
        line.clear();
        assert!(events.read_line(&mut line).unwrap() > 0, "kafka-wizard {} ended before it was killed", args.join(" "));
        let e: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if found.is_none() && matched(&e) {
            found = Some(e);
        } else if found.is_some()
            && e["event"] == "step_finished"
            && e["step"].as_str().is_some_and(|s| s.starts_with("restart kafka-server"))
        {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    found.unwrap()
}

fn bootstrap(world: &World, brokers: &[String]) -> Vec<String> {
    brokers.iter().map(|b| format!("{}:9092", world.host(b).ip)).collect()
}

#[test]
fn a_zookeeper_mode_cluster_upgrades_3_8_to_3_9_under_load_with_the_protocol_pinned_until_finalize() {
    let (from, to) = (world::release(ZK_FROM), world::release(ZK_TO));
    let world = World::up(6);
    let mirror = Mirror::start(&[&from, &to]);
    let dir = tempfile::tempdir().unwrap();
    let project = project(&world, &mirror, dir.path(), ZK_FROM, true);
    let p = project.to_str().unwrap();
    let t0 = Instant::now();
    ok(&["deploy", p]);
    eprintln!("MEASURE fresh ZooKeeper-mode {ZK_FROM} deploy (6 hosts): {:.1}s", t0.elapsed().as_secs_f64());
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let brokers: Vec<String> = hosts[3..].to_vec();
    let (old_dir, new_dir) = (format!("/opt/kafka_2.13-{ZK_FROM}"), format!("/opt/kafka_2.13-{ZK_TO}"));
    let load = Load::start(&bootstrap(&world, &brokers), "upgrade-load");

    set_version(&project, ZK_FROM, ZK_TO);
    let t0 = Instant::now();
    let dry = ok(&["upgrade", "--dry-run", p]);
    assert!(dry.contains("phase 1 of 2") && dry.contains("3.8"), "the dry run names the pin: {dry}");
    assert!(hosts.iter().all(|h| link(&world, h) == old_dir), "a dry run changes nothing");
    let text = ok(&["deploy", p]);
    assert!(text.contains("pinned at 3.8"), "{text}");
    for b in &brokers {
        let pinned = world.ssh_ok(b, "root", "grep '^inter.broker.protocol.version=' /etc/kafka/server.properties");
        assert_eq!(pinned.trim(), "inter.broker.protocol.version=3.8", "{b}");
    }
    for h in &hosts {
        assert_eq!(link(&world, h), new_dir, "{h}");
        world.ssh_ok(h, "root", &format!("test -f {old_dir}/bin/kafka-server-start.sh"));
        // kept until finalize
    }
    let rolled = t0.elapsed().as_secs_f64();
    let again = ok(&["deploy", p]);
    assert!(again.contains("no changes") && again.contains("finalize the upgrade"), "{again}");

    let t1 = Instant::now();
    let text = ok(&["upgrade", "--finalize", p]);
    let finalized = t1.elapsed().as_secs_f64();
    assert!(text.contains("dropped"), "{text}");
    for b in &brokers {
        let out = world.ssh(b, "root", "grep -c '^inter.broker.protocol.version=' /etc/kafka/server.properties");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{b}: the pin is gone");
    }
    load.stop(
        &format!("ZooKeeper-mode upgrade {ZK_FROM} → {ZK_TO} (roll {rolled:.1}s + finalize {finalized:.1}s)"),
        t0.elapsed().as_secs_f64(),
    );
    for h in &hosts[..3] {
        assert_eq!(release_dirs_in_use(&world, h, "zookeeper-server"), BTreeSet::from([new_dir.clone()]), "{h}");
    }
    for b in &brokers {
        assert_eq!(release_dirs_in_use(&world, b, "kafka-server"), BTreeSet::from([new_dir.clone()]), "{b}");
    }
    let before = invocations(&world, &brokers, "kafka-server");
    let text = ok(&["deploy", p]);
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(
        invocations(&world, &brokers, "kafka-server"),
        before,
        "a finalized cluster re-deployed restarts nothing"
    );

    // Going back after finalize is refused before any host is touched.
    set_version(&project, ZK_TO, ZK_FROM);
    let (out, text) = wizard(&["deploy", p]);
    assert!(!out.status.success() && text.contains("downgrade after finalize"), "{text}");
    assert!(hosts.iter().all(|h| link(&world, h) == new_dir));
    set_version(&project, ZK_FROM, ZK_TO);

    migrates_to_kraft_under_load(&world, &project, &hosts);
}

/// The upgraded 3.9 cluster, its data in two RF=3 topics, migrates to KRaft (issue 14 part 4): controllers beside
/// the ensemble (node ids 101–103), `migrate` under load, `migrate --finalize`; then no ZooKeeper runs, the topics
/// are there, the project file is KRaft and a no-change deploy restarts nothing.
fn migrates_to_kraft_under_load(world: &World, project: &Path, hosts: &[String]) {
    // (the load runs from here through the rollback and the second migration to the end of finalize)
    let p = project.to_str().unwrap();
    let (members, brokers) = (&hosts[..3], &hosts[3..]);
    let mut text = std::fs::read_to_string(project).unwrap();
    for i in 1..=3 {
        let old = format!("roles = [\"zookeeper\"]\nzookeeper_id = {i}\n");
        assert!(text.contains(&old), "{text}");
        text = text
            .replace(&old, &format!("roles = [\"zookeeper\", \"controller\"]\nzookeeper_id = {i}\nid = {}\n", 100 + i));
    }
    std::fs::write(project, text).unwrap();
    let (out, refused) = wizard(&["deploy", p]);
    assert!(!out.status.success() && refused.contains("start it with `kafka-wizard migrate"), "{refused}");
    let dry = ok(&["migrate", "--dry-run", p]);
    assert!(dry.contains("not started") && dry.contains("migration stage migrating"), "{dry}");
    assert!(
        members.iter().all(|m| world.ssh(m, "root", "test -e /etc/kafka/server.properties").status.code() != Some(0)),
        "a dry run changes nothing"
    );

    let load = Load::start(&bootstrap(world, brokers), "migrate-load");
    let t0 = Instant::now();
    // `migrate` killed (SIGKILL) in its second stage, once the first broker is back as a KRaft broker.
    let copied = run_until(&["migrate", "--json", p], |e| {
        e["event"] == "step_finished"
            && e["step"].as_str().is_some_and(|s| s.starts_with("wait until the active controller"))
    });
    assert!(copied["outcome"].to_string().contains("Completed migration of metadata"), "{copied}");
    // The stage's files are written on every broker before the roll; a broker not yet restarted owes it.
    let owed = |b: &String| {
        world.ssh(b, "root", "test -e /var/lib/kafka-wizard/restart-pending/kafka-server.service").status.success()
    };
    let pending = brokers.iter().filter(|b| owed(b)).count();
    eprintln!(
        "MEASURE migrate killed in its second stage at {:.1}s: {} of {} broker(s) restarted as KRaft brokers",
        t0.elapsed().as_secs_f64(),
        brokers.len() - pending,
        brokers.len()
    );
    assert!((1..brokers.len()).contains(&pending), "killed mid-roll: {pending} broker(s) still to restart");
    let (out, refused) = wizard(&["migrate", "--finalize", p]);
    assert!(!out.status.success() && refused.contains("not every broker runs in KRaft mode"), "{refused}");
    let text = ok(&["migrate", p]);
    assert!(text.contains("configured as KRaft brokers"), "the re-run resumes where the hosts are: {text}");
    assert!(brokers.iter().all(|b| !owed(b)), "every broker restarted");
    let moved = t0.elapsed().as_secs_f64();
    for b in brokers {
        let roles = world.ssh_ok(
            b,
            "root",
            "grep -c -e '^process.roles=broker$' -e '^zookeeper' /etc/kafka/server.properties || true",
        );
        assert_eq!(roles.trim(), "1", "{b}: a KRaft broker without ZooKeeper keys");
    }
    let again = ok(&["migrate", p]);
    assert!(again.contains("no changes"), "a second run converges: {again}");
    let with_controllers = std::fs::read_to_string(project).unwrap();
    rolls_back_and_migrates_again(world, project, hosts, &with_controllers);

    let t1 = Instant::now();
    let text = ok(&["migrate", "--finalize", p]);
    let finalized = t1.elapsed().as_secs_f64();
    assert!(text.contains("now says kafka.mode = \"kraft\""), "{text}");
    load.stop(
        &format!("ZooKeeper → KRaft migration (migrate {moved:.1}s + finalize {finalized:.1}s)"),
        t0.elapsed().as_secs_f64(),
    );
    for m in members {
        let zk = world.ssh(m, "root", "systemctl is-active zookeeper-server; systemctl is-enabled zookeeper-server; pgrep -f '[Q]uorumPeerMain' || true");
        let zk = String::from_utf8_lossy(&zk.stdout).to_string();
        assert_eq!(zk.split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled"], "{m}: no ZooKeeper runs");
        let flag = world.ssh(m, "root", "grep -c '^zookeeper' /etc/kafka/server.properties");
        assert_eq!(String::from_utf8_lossy(&flag.stdout).trim(), "0", "{m}: the controller left ZooKeeper");
    }
    let file = std::fs::read_to_string(project).unwrap();
    assert!(
        file.contains("mode = \"kraft\"") && !file.contains("[zookeeper]") && file.contains("cluster_id = "),
        "{file}"
    );
    let quorum = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let addr = format!("{}:9092", world.host(&brokers[0]).ip);
        rt.block_on(kafka_wizard::health::kraft_quorum(&addr, std::time::Duration::from_secs(5))).unwrap()
    };
    assert!((101..=103).contains(&quorum.leader_id), "a KRaft controller leads the quorum: {quorum:?}");
    assert_eq!(quorum.voters.iter().copied().collect::<BTreeSet<i32>>(), BTreeSet::from([101, 102, 103]));
    let (out, text) = wizard(&["status", "--json", p]);
    assert!(out.status.success(), "{text}");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json");
    assert_eq!(status["healthy"], true, "the migrated cluster is healthy: {status}");
    let before = invocations(world, hosts, "kafka-server");
    let text = ok(&["deploy", p]);
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(invocations(world, hosts, "kafka-server"), before, "a migrated cluster re-deployed restarts nothing");
}

/// Apache's rollback once the brokers run as KRaft brokers (`migrate --rollback`, under the caller's load): the
/// brokers back in plain ZooKeeper mode, the controllers stopped with their files moved aside, the project without
/// controllers; then the controllers put back into the project and `migrate` run again from fresh controllers.
fn rolls_back_and_migrates_again(world: &World, project: &Path, hosts: &[String], with_controllers: &str) {
    let p = project.to_str().unwrap();
    let (members, brokers) = (&hosts[..3], &hosts[3..]);
    let dry = ok(&["migrate", "--rollback", "--dry-run", p]);
    assert!(dry.contains("roll the brokers back into ZooKeeper mode") && dry.contains("server.properties"), "{dry}");
    let t0 = Instant::now();
    let text = ok(&["migrate", "--rollback", p]);
    let rolled_back = t0.elapsed().as_secs_f64();
    assert!(text.contains("rolled back: the cluster runs in ZooKeeper mode"), "{text}");
    for b in brokers {
        let keys = world.ssh_ok(
            b,
            "root",
            "grep -c -e '^process.roles' -e '^zookeeper.metadata.migration.enable' -e '^controller.quorum' -e '^zookeeper.connect=' /etc/kafka/server.properties || true",
        );
        assert_eq!(keys.trim(), "1", "{b}: a plain ZooKeeper-mode broker (zookeeper.connect only)");
    }
    for m in members {
        let state = world.ssh(m, "root", "systemctl is-active kafka-server; systemctl is-enabled kafka-server; ls -d /var/lib/kafka/data.rolled-back-* /etc/kafka/server.properties.rolled-back-* | wc -l; test -e /etc/kafka/server.properties && echo configured || true");
        let state = String::from_utf8_lossy(&state.stdout).to_string();
        assert_eq!(state.split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled", "2"], "{m}: retired");
    }
    let file = std::fs::read_to_string(project).unwrap();
    assert!(!file.contains("controller") && !file.contains("[kraft]"), "the project has no controllers: {file}");
    let (out, text) = wizard(&["status", "--json", p]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(status["healthy"], true, "the rolled-back cluster is healthy: {text}");
    let (out, refused) = wizard(&["migrate", "--rollback", p]);
    assert!(!out.status.success() && refused.contains("no host with the role \"controller\""), "{refused}");

    std::fs::write(project, with_controllers).unwrap();
    let t1 = Instant::now();
    let text = ok(&["migrate", p]);
    assert!(text.contains("not started") && text.contains("the brokers run in KRaft mode"), "from the start: {text}");
    eprintln!(
        "MEASURE migration rolled back from KRaft brokers in {rolled_back:.1}s, migrated again from fresh controllers in {:.1}s",
        t1.elapsed().as_secs_f64()
    );
}

#[test]
fn a_kraft_cluster_upgrades_4_0_to_4_1_under_load_resumes_after_a_kill_and_finalizes_metadata_version() {
    let (from, to) = (world::release(KRAFT_FROM), world::release(KRAFT_TO));
    let world = World::up(3);
    let mirror = Mirror::start(&[&from, &to]);
    let dir = tempfile::tempdir().unwrap();
    let project = project(&world, &mirror, dir.path(), KRAFT_FROM, false);
    let p = project.to_str().unwrap();
    let t0 = Instant::now();
    ok(&["deploy", p]);
    eprintln!("MEASURE fresh KRaft {KRAFT_FROM} deploy (3 combined nodes): {:.1}s", t0.elapsed().as_secs_f64());
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let addrs = bootstrap(&world, &hosts);
    let levels = || -> Vec<(i16, i16)> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        addrs.iter().map(|a| rt.block_on(broker_levels(a, &KafkaAuth::plaintext())).unwrap()).collect()
    };
    let start_levels = levels();
    eprintln!("MEASURE metadata.version on {KRAFT_FROM} (finalized, supported) per broker: {start_levels:?}");
    let (old_dir, new_dir) = (format!("/opt/kafka_2.13-{KRAFT_FROM}"), format!("/opt/kafka_2.13-{KRAFT_TO}"));
    let load = Load::start(&addrs, "upgrade-load");

    set_version(&project, KRAFT_FROM, KRAFT_TO);
    let t0 = Instant::now();
    // The roll killed (SIGKILL) once its first node is back.
    run_until(&["deploy", "--json", p], |_| true);
    let relinked = hosts.iter().filter(|h| link(&world, h) == new_dir).count();
    eprintln!(
        "MEASURE KRaft roll killed after its first node at {:.1}s: {relinked} host(s) relinked",
        t0.elapsed().as_secs_f64()
    );
    assert!((1..hosts.len()).contains(&relinked), "killed mid-roll: {relinked} relinked");
    for h in hosts.iter().filter(|h| link(&world, h) == old_dir) {
        assert_eq!(release_dirs_in_use(&world, h, "kafka-server"), BTreeSet::from([old_dir.clone()]), "{h}");
    }
    let text = ok(&["deploy", p]);
    assert!(text.contains("phase 1 of 2") || text.contains("finalize the upgrade"), "{text}");
    let rolled = t0.elapsed().as_secs_f64();
    for h in &hosts {
        assert_eq!(link(&world, h), new_dir, "{h}");
        assert_eq!(release_dirs_in_use(&world, h, "kafka-server"), BTreeSet::from([new_dir.clone()]), "{h}");
    }
    assert_eq!(
        levels().iter().map(|l| l.0).collect::<Vec<_>>(),
        start_levels.iter().map(|l| l.0).collect::<Vec<_>>(),
        "the roll changes no feature level"
    );

    let dry = ok(&["upgrade", "--finalize", "--dry-run", p]);
    assert!(dry.contains("raise metadata.version"), "{dry}");
    let t1 = Instant::now();
    ok(&["upgrade", "--finalize", p]);
    let finalized = t1.elapsed().as_secs_f64();
    load.stop(
        &format!("KRaft upgrade {KRAFT_FROM} → {KRAFT_TO} (roll incl. kill {rolled:.1}s + finalize {finalized:.1}s)"),
        t0.elapsed().as_secs_f64(),
    );
    let end = levels();
    eprintln!("MEASURE metadata.version on {KRAFT_TO} after finalize (finalized, supported) per broker: {end:?}");
    assert!(end.iter().all(|(f, s)| f == s && *f > start_levels[0].0), "every broker reports the new level: {end:?}");

    let before = invocations(&world, &hosts, "kafka-server");
    let text = ok(&["deploy", p]);
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(invocations(&world, &hosts, "kafka-server"), before, "a finalized cluster re-deployed restarts nothing");
    set_version(&project, KRAFT_TO, KRAFT_FROM);
    let (out, text) = wizard(&["deploy", p]);
    assert!(!out.status.success() && text.contains("does not support this downgrade"), "{text}");
}
