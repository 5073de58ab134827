#![cfg(feature = "e2e")]
//! End to end, version upgrades under load (issue 14 part 1), each scenario one cluster deployed by the real binary:
//! - ZooKeeper mode, the guide's layout (h1–h3 ZooKeeper, h4–h6 brokers), secured (SASL_SSL + SCRAM-SHA-512, the
//!   wizard's own CA, the ensemble locked), 3.8.1 → 3.9.2: the roll pins `inter.broker.protocol.version=3.8`,
//!   `upgrade --finalize` drops it (a roll of the brokers); every health gate logs in as the admin. Then migrated to
//!   KRaft, killed, rolled back and migrated again under a SASL_SSL load (`e2e_upgrade/migration.rs`);
//! - KRaft, three combined nodes (PLAINTEXT), 4.0.1 → 4.1.1: the roll changes no feature, `upgrade --finalize` raises
//!   `metadata.version` and every broker reports it (ApiVersions). The roll is killed after its first node and the
//!   next run finishes it. Then its static controller quorum is converted to a dynamic one under load
//!   (`e2e_upgrade/convert_quorum.rs`).
//!
//! Through both, tests/world/roll_load.py produces with acks=all to an RF=3, min.insync.replicas=2 topic and consumes
//! it (logged in as the admin from client-config output on the secured cluster): every acknowledged record is
//! consumed. Each host's link is swapped only with its own restart; afterwards every process runs from the new
//! release, and a no-change deploy restarts nothing.

mod support;

#[path = "e2e_upgrade/convert_quorum.rs"]
mod convert_quorum;
#[path = "e2e_upgrade/migration.rs"]
mod migration;

use kafka_wizard::apply::upgrade::features::broker_levels;
use kafka_wizard::security::KafkaAuth;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;
use support::world::{self, Mirror, World};

const ZK_FROM: &str = "3.8.1";
const ZK_TO: &str = "3.9.2";
const KRAFT_FROM: &str = "4.0.1";
const KRAFT_TO: &str = "4.1.1";

/// The wizard's cache, secrets store and run logs for this process's tests (`support::wizard`'s layout).
fn home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// Every output of the wizard and of the clients in this process, grepped for passwords at the end.
static LOG: Mutex<String> = Mutex::new(String::new());

fn wizard(args: &[&str]) -> (Output, String) {
    let (out, text) = support::wizard::run_wizard(home(), args);
    LOG.lock().unwrap().push_str(&text);
    (out, text)
}

fn ok(args: &[&str]) -> String {
    let (out, text) = wizard(args);
    assert!(out.status.success(), "kafka-wizard {} failed:\n{text}", args.join(" "));
    text
}

/// The secured ZooKeeper-mode cluster's `[security]`: SASL_SSL, SCRAM-SHA-512, the wizard's own CA (the ensemble
/// locked with it).
const SECURITY: &str =
    "\n[security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\nusers = [\"orders-app\"]\n";

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
        s.push_str(SECURITY);
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
/// min.insync.replicas=2 topic; `args` are `BOOTSTRAP TOPIC` or `--properties CLIENT_PROPERTIES TOPIC`.
struct Load(support::roll_load::RollLoad);

impl Load {
    fn start(args: &[&str]) -> Load {
        Load(support::roll_load::RollLoad::start(&support::secure::python(), args))
    }

    /// Stops producing, waits for the consumer; asserts nothing acknowledged was lost; prints the figures and
    /// returns them.
    fn stop(self, what: &str, took: f64) -> serde_json::Value {
        std::thread::sleep(std::time::Duration::from_secs(3));
        let f = self.0.stop();
        eprintln!(
            "MEASURE {what} under load in {took:.1}s: sent {}, acked {}, consumed {}, duplicates {}, lost {}, errors surfaced {}, longest producer stall {} s",
            f["sent"], f["acked"], f["consumed"], f["duplicates"], f["lost"], f["errors"], f["longest_stall"]
        );
        assert!(f["acked"].as_u64().unwrap() > 100, "the producer kept sending: {f}");
        assert_eq!(f["lost"], 0, "every acknowledged record is consumed: {f}");
        f
    }
}

/// Runs the wizard with `args` (`--json` events on stdout) until, after an event `matched` accepts, a `restart
/// kafka-server` step finishes; then kills it (SIGKILL) and returns the event `matched` accepted.
fn run_until(args: &[&str], matched: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", home().join("cache"))
        .env("XDG_DATA_HOME", home().join("data"))
        .env("XDG_STATE_HOME", home().join("state"))
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
        LOG.lock().unwrap().push_str(&line);
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
    eprintln!("MEASURE fresh secured ZooKeeper-mode {ZK_FROM} deploy (6 hosts): {:.1}s", t0.elapsed().as_secs_f64());
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let brokers: Vec<String> = hosts[3..].to_vec();
    let (old_dir, new_dir) = (format!("/opt/kafka_2.13-{ZK_FROM}"), format!("/opt/kafka_2.13-{ZK_TO}"));
    // The ensemble-only members speak TLS to each other (quorum TLS, the default of a secured cluster) with their
    // own certificates, root:kafka 0640; the upgrade's roll and the migration below run over it.
    for member in &hosts[..3] {
        let tls = world.ssh_ok(
            member,
            "root",
            "grep -c '^sslQuorum=true$' /etc/kafka/zookeeper.properties; stat -c '%U:%G %a' /etc/kafka/tls/node.pem; \
             grep -c 'Using TLS encrypted quorum communication' /var/log/zookeeper/server.log",
        );
        let lines: Vec<&str> = tls.lines().collect();
        assert!(
            lines.len() == 3 && lines[0] == "1" && lines[1] == "root:kafka 640" && lines[2] != "0",
            "{member}: {tls}"
        );
    }
    // The load logs in as the admin over SASL_SSL (client-config output); the wizard's health gates, the pinned
    // roll and the finalize speak SASL_SSL + SCRAM as the admin.
    let admin_dir = home().join("client-admin-upgrade");
    ok(&["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    let admin = admin_dir.join("client.properties");
    let load = Load::start(&["--properties", admin.to_str().unwrap(), "upgrade-load"]);

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
        &format!("secured (SASL_SSL) ZooKeeper-mode upgrade {ZK_FROM} → {ZK_TO} (roll {rolled:.1}s + finalize {finalized:.1}s)"),
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

    migration::migrates_to_kraft_under_load(&world, &project, &hosts);
}

#[test]
fn a_kraft_cluster_upgrades_4_0_to_4_1_under_load_resumes_after_a_kill_finalizes_and_converts_its_quorum_to_dynamic() {
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
    let load = Load::start(&[&addrs.join(","), "upgrade-load"]);

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
    set_version(&project, KRAFT_FROM, KRAFT_TO);
    convert_quorum::static_quorum_converted_to_dynamic_under_load(&world, &project, &hosts, &addrs);
}
