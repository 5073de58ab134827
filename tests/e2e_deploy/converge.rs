//! Re-runs converge after an interrupted deploy, on the guide's running ZooKeeper-mode cluster: a deploy of a changed
//! broker property killed (SIGKILL) during its start phase, and a version relink cut off by a host that failed. In
//! both, the next run restarts exactly the services still owed (the pending-restart markers, `apply::pending`) and
//! the one after changes nothing.

use super::{invocation, ok, running_config, status_json, text, wizard, wizard_until};
use crate::support::world::{self, Mirror, World};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

const BROKERS: [&str; 3] = ["h4", "h5", "h6"];
const ENSEMBLE: [&str; 3] = ["h1", "h2", "h3"];

/// Each host's `unit` InvocationID (a new one per start).
fn invocations(world: &World, hosts: &[&str], unit: &str) -> Vec<String> {
    hosts.iter().map(|h| invocation(world, h, unit)).collect()
}

/// The restarts owed on `host`: the marker files' names (units), sorted.
fn owed(world: &World, host: &str) -> Vec<String> {
    let out = world.ssh_ok(host, "root", "ls -A /var/lib/kafka-wizard/restart-pending 2>/dev/null | sort; true");
    out.lines().map(str::to_string).collect()
}

/// Waits (at most 3 minutes) until `status` finds the cluster healthy.
fn healthy_again(p: &str) {
    let t0 = Instant::now();
    while status_json(p)["healthy"] != true {
        assert!(t0.elapsed().as_secs() < 180, "healthy again");
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
}

/// The release directories the main process of `unit` on `host` runs from: where the jars its JVM holds open are
/// (`/proc/<pid>/fd` resolves the `/opt/kafka` link to the directory it pointed at when the process started).
fn release_dirs_in_use(world: &World, host: &str, unit: &str) -> BTreeSet<String> {
    let script = format!(
        "pid=$(systemctl show -p MainPID --value {unit}); for f in /proc/$pid/fd/*; do readlink \"$f\"; done \
         | sed -n 's#^\\(/opt/kafka_[^/]*\\)/libs/.*\\.jar$#\\1#p' | sort -u"
    );
    let dirs: BTreeSet<String> = world.ssh_ok(host, "root", &script).lines().map(str::to_string).collect();
    assert!(!dirs.is_empty(), "{host}: {unit}'s process holds no release jar open");
    dirs
}

/// A deploy killed during its start phase (SIGKILL: no chance to clean up) is finished by the next one. The project
/// already says `key` = `new` while the brokers run `old`. The deploy is killed while the first broker it restarted
/// (h4) is coming back: h4's restart is done (it cleared its own marker), h5's and h6's have not begun, so nothing is
/// in flight when the kill lands (killing right after "h4 back" would race h5's restart command). h5 and h6 keep
/// running `old` with the new file in place and their markers set; once the cluster is healthy again the next deploy
/// restarts exactly those two, and the one after changes nothing.
pub fn a_deploy_killed_in_its_start_phase_is_finished_by_the_next(
    world: &World,
    p: &str,
    key: &str,
    old: &str,
    new: &str,
) {
    let before = invocations(world, &BROKERS, "kafka-server");
    let t0 = Instant::now();
    let at_h4s_gate = |log: &str| log.lines().any(|l| l.trim_start().starts_with("h4 ") && l.contains("waiting for"));
    let (mut child, _stderr, log) = wizard_until(&["deploy", p], at_h4s_gate);
    child.kill().expect("SIGKILL the wizard");
    let killed_at = Instant::now();
    let status = child.wait().unwrap();
    eprintln!("[wizard] deploy killed after {:.1}s -> {status}\n{log}", t0.elapsed().as_secs_f64());
    assert!(at_h4s_gate(&log), "the deploy reached h4's gate: {log}");
    let killed = invocations(world, &BROKERS, "kafka-server");
    assert_ne!(killed[0], before[0], "h4 was restarted before the kill");
    assert_eq!(killed[1..], before[1..], "h5 and h6 were not restarted");
    assert_eq!(owed(world, "h4"), Vec::<String>::new(), "h4's restart is done");
    for h in ["h5", "h6"] {
        assert_eq!(owed(world, h), ["kafka-server.service"], "{h} owes its restart");
    }
    assert_eq!(running_config(world, "h5", 2, key), old, "h5 still runs the old value");
    healthy_again(p);
    let recovered = killed_at.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let o = ok(wizard(&["deploy", p]));
    let took = t0.elapsed().as_secs_f64();
    eprintln!(
        "MEASURE deploy killed in its start phase: healthy again {recovered:.1}s after the kill (checks included); \
         the next deploy restarted the 2 brokers still owed in {took:.1}s"
    );
    assert!(text(&o).contains("did not do"), "the restarts say they were owed: {}", text(&o));
    assert!(!text(&o).contains("no changes"), "a run that restarted brokers does not say so: {}", text(&o));
    let after = invocations(world, &BROKERS, "kafka-server");
    assert_eq!(after[0], killed[0], "h4 already ran the new value: not restarted again");
    for (i, h) in BROKERS.iter().enumerate().skip(1) {
        assert_ne!(after[i], killed[i], "{h} restarted");
    }
    for (id, h) in (1..).zip(BROKERS) {
        assert_eq!(running_config(world, h, id, key), new, "{h} runs the new value");
        assert_eq!(owed(world, h), Vec::<String>::new(), "{h} owes nothing");
    }
    let o = ok(wizard(&["deploy", p]));
    assert!(text(&o).contains("no changes"), "{}", text(&o));
    assert_eq!(invocations(world, &BROKERS, "kafka-server"), after, "the run after restarts nothing");
}

/// A version change cut off by a failed host is finished by the next run. The project moves from `KAFKA_3` to
/// `KAFKA_3_EARLIER` (a patch-level change within 3.9: same inter-broker protocol, no setting changes). h6 cannot
/// unpack (tar hidden), so h1–h5 get the new release unpacked beside the old one — their links untouched, since a
/// running process must never load classes from another release (each link is swapped right before its host's own
/// restart) — and the run stops before its start phases, every process still running from the old release. The
/// next run installs h6 and relinks and restarts every ZooKeeper member and broker through the gated rolls, each
/// process then running from the new release; the release was downloaded once; the run after changes nothing.
pub fn a_relink_cut_off_by_a_failed_host_is_finished_by_the_next(world: &World, project: &Path, mirror: &Mirror) {
    let p = project.to_str().unwrap();
    let (old_dir, new_dir) =
        (format!("/opt/kafka_2.13-{}", world::KAFKA_3), format!("/opt/kafka_2.13-{}", world::KAFKA_3_EARLIER));
    let running = |world: &World| -> Vec<BTreeSet<String>> {
        let zk = ENSEMBLE.iter().map(|h| release_dirs_in_use(world, h, "zookeeper-server"));
        zk.chain(BROKERS.iter().map(|h| release_dirs_in_use(world, h, "kafka-server"))).collect()
    };
    let units = |world: &World| -> Vec<String> {
        let mut ids = invocations(world, &ENSEMBLE, "zookeeper-server");
        ids.extend(invocations(world, &BROKERS, "kafka-server"));
        ids
    };
    let hosts: Vec<&str> = ENSEMBLE.iter().chain(&BROKERS).copied().collect();
    let link = |world: &World, h: &str| world.ssh_ok(h, "root", "readlink /opt/kafka").trim().to_string();
    assert!(running(world).iter().all(|dirs| *dirs == BTreeSet::from([old_dir.clone()])), "all run {old_dir}");
    let before = units(world);

    let from = format!("version = \"{}\"", world::KAFKA_3);
    let text_before = std::fs::read_to_string(project).unwrap();
    assert!(text_before.contains(&from));
    std::fs::write(project, text_before.replace(&from, &format!("version = \"{}\"", world::KAFKA_3_EARLIER))).unwrap();
    let tar = world.ssh_ok("h6", "root", "command -v tar").trim().to_string();
    world.ssh_ok("h6", "root", &format!("mv {tar} {tar}.hidden"));
    let t0 = Instant::now();
    let o = wizard(&["deploy", p]);
    let cut_off = t0.elapsed().as_secs_f64();
    world.ssh_ok("h6", "root", &format!("mv {tar}.hidden {tar}"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let tarball = format!("kafka_2.13-{}.tgz", world::KAFKA_3_EARLIER);
    // the step is named by where the release comes from (`upload …` from the wizard, `get … from h2 (round 3)`
    // when relayed): either way h6's install step, with the release's name
    assert!(
        text(&o).lines().any(|l| l.trim_start().starts_with("h6: ") && l.contains(&tarball)),
        "h6's install failed: {}",
        text(&o)
    );
    for h in &hosts[..5] {
        assert_eq!(link(world, h), old_dir, "{h} keeps its link until its own restart");
        world.ssh_ok(h, "root", &format!("test -f {new_dir}/bin/kafka-server-start.sh"));
        let service = if ENSEMBLE.contains(h) { "zookeeper-server.service" } else { "kafka-server.service" };
        assert_eq!(owed(world, h), [service], "{h} owes a restart");
    }
    assert_eq!(link(world, "h6"), old_dir, "h6 was not");
    assert_eq!(units(world), before, "no start phase was reached");
    assert!(running(world).iter().all(|dirs| *dirs == BTreeSet::from([old_dir.clone()])), "all still run {old_dir}");

    let t0 = Instant::now();
    let o = ok(wizard(&["deploy", p]));
    eprintln!(
        "MEASURE version relink: cut off by h6 after {cut_off:.1}s (download, 5 hosts unpacked, links untouched); the next run \
         finished it, ZooKeeper and broker rolls (6 restarts), in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    assert!(text(&o).contains(&format!("new release {new_dir}")), "the restarts say why: {}", text(&o));
    let after = units(world);
    for ((h, b), a) in hosts.iter().zip(&before).zip(&after) {
        assert_ne!(b, a, "{h} restarted");
        assert_eq!(link(world, h), new_dir);
        assert_eq!(owed(world, h), Vec::<String>::new(), "{h} owes nothing");
    }
    let dirs = running(world);
    eprintln!("MEASURE release dirs in use after the relink (h1..h6): {dirs:?}");
    assert!(dirs.iter().all(|d| *d == BTreeSet::from([new_dir.clone()])), "every process runs {new_dir}: {dirs:?}");
    assert_eq!(status_json(p)["healthy"], true);
    let downloads = mirror.request_log().matches(&format!("{tarball}\"")).count();
    assert_eq!(downloads, 1, "{tarball} is downloaded once for both runs: {}", mirror.request_log());

    let o = ok(wizard(&["deploy", p]));
    assert!(text(&o).contains("no changes"), "{}", text(&o));
    assert_eq!(units(world), after, "the run after restarts nothing");
}
