#![cfg(feature = "e2e")]
//! End to end: a cluster built by hand on three test hosts following the original guide's steps (download from the
//! mirror into /usr/local, the `kafka` symlink, /data1 and /data2, the properties edited in the release's `config/`,
//! the guide's own units running as root) is read with `kafka-wizard import --hosts`, and the imported project's
//! dry run and deploy restart nothing (the units' InvocationIDs unchanged); the cluster stays healthy.

mod support;

use std::time::Instant;
use support::kafka_probe;
use support::wizard::run_wizard;
use support::world::{self, Mirror, World};

const CHROOT: &str = "/peter-kafka";
/// What a failed hand-built start prints from h1.
const DIAGNOSE: &str = "systemctl status zookeeper-server kafka-server; \
                        journalctl -n 40 --no-pager -u zookeeper-server -u kafka-server; \
                        cat /usr/local/kafka/config/server.properties";

/// The guide's unit (`[부록] systemd 서비스 등록`) for `script` with `config`, as root with `Restart = no`, blanks
/// around the equals signs as the guide writes them; a heap small enough for the shared test machine.
fn guide_unit(name: &str, script: &str, stop: &str, config: &str, heap: &str) -> String {
    format!(
        "[Unit]\nDescription = {name}\nAfter = network.target\n\n[Service]\nType = simple\nUser = root\nGroup = root\n\
         SyslogIdentifier = {name}\nWorkingDirectory = /usr/local/kafka\nRestart = no\nRestartSec = 0s\n\
         Environment = \"KAFKA_HEAP_OPTS=-Xmx{heap} -Xms{heap}\" \"KAFKA_JVM_PERFORMANCE_OPTS=-XX:TieredStopAtLevel=1\"\n\
         ExecStart = /usr/local/kafka/bin/{script} /usr/local/kafka/config/{config}\n\
         ExecStop = /usr/local/kafka/bin/{stop}\n"
    )
}

/// The guide's steps on one host, by hand over SSH: download and unpack into /usr/local with the `kafka` link, the
/// data directories, ZooKeeper's `zookeeper.properties` and `myid`, `server.properties`' three edits (without the
/// guide's mistakes: no blanks, one chroot for the cluster), both units, daemon-reload, start.
fn build_by_hand(world: &World, mirror: &Mirror, n: usize) {
    let ips: Vec<String> = world.hosts().iter().map(|h| h.ip.clone()).collect();
    let rel = world::release(world::KAFKA_3);
    let connect = format!("{}{CHROOT}", ips.iter().map(|ip| format!("{ip}:2181")).collect::<Vec<_>>().join(","));
    let servers: String = ips.iter().enumerate().map(|(i, ip)| format!("server.{}={ip}:2888:3888\n", i + 1)).collect();
    let me = &ips[n - 1];
    // The guide's `wget` of the release: the test hosts have neither wget nor curl, so the mirror's copy is copied.
    world.scp_to(
        &format!("h{n}"),
        "root",
        &mirror.root().join(rel.mirror_path().trim_start_matches('/')),
        "/usr/local/",
    );
    let script = format!(
        "set -e\ncd /usr/local\ntar zxf {tgz}\nln -s {top} kafka\nls -la kafka\n\
         mkdir -p /data1 /data2 /data/zookeeper\necho {n} > /data/zookeeper/myid\n\
         cat >> kafka/config/zookeeper.properties <<'EOF'\ntickTime=2000\ninitLimit=10\nsyncLimit=5\n{servers}EOF\n\
         sed -i -e 's|^dataDir=.*|dataDir=/data/zookeeper|' kafka/config/zookeeper.properties\n\
         sed -i -e 's|^broker.id=.*|broker.id={n}|' -e 's|^log.dirs=.*|log.dirs=/data1,/data2|' \
         -e 's|^zookeeper.connect=.*|zookeeper.connect={connect}|' \
         -e 's|^#advertised.listeners=.*|advertised.listeners=PLAINTEXT://{me}:9092|' kafka/config/server.properties\n\
         cat > /etc/systemd/system/zookeeper-server.service <<'EOF'\n{zk}EOF\n\
         cat > /etc/systemd/system/kafka-server.service <<'EOF'\n{kafka}EOF\n\
         systemctl daemon-reload\nsystemctl start zookeeper-server.service kafka-server.service\n",
        tgz = rel.file_name(),
        top = rel.top_dir(),
        zk = guide_unit(
            "zookeeper-server",
            "zookeeper-server-start.sh",
            "zookeeper-server-stop.sh",
            "zookeeper.properties",
            "256m"
        ),
        kafka =
            guide_unit("kafka-server", "kafka-server-start.sh", "kafka-server-stop.sh", "server.properties", "384m"),
    );
    world.ssh_ok(&format!("h{n}"), "root", &script);
}

fn invocations(world: &World) -> Vec<String> {
    let mut out = Vec::new();
    for h in world.hosts() {
        for unit in ["zookeeper-server", "kafka-server"] {
            let id = world.ssh_ok(&h.name, "root", &format!("systemctl show -p InvocationID --value {unit}"));
            out.push(format!("{} {unit} {}", h.name, id.trim()));
        }
    }
    out
}

/// The broker ids every broker's metadata names (`[1, 2, 3]` when the three registered under the one chroot).
fn brokers_registered(world: &World) -> String {
    let mut seen = Vec::new();
    for h in world.hosts() {
        match kafka_probe::metadata_v4(&format!("{}:9092", h.ip)) {
            Ok(m) => {
                let mut ids: Vec<i32> = m.brokers.iter().map(|b| b.node_id).collect();
                ids.sort();
                seen.push(format!("{ids:?}"));
            }
            Err(e) => seen.push(format!("{}: {e}", h.name)),
        }
    }
    seen.dedup();
    seen.join(" / ")
}

#[test]
fn a_cluster_built_by_hand_following_the_guide_is_imported_and_its_deploy_restarts_nothing() {
    let rel = world::release(world::KAFKA_3);
    let world = World::up(3);
    let t_world = Instant::now();
    let mirror = Mirror::start(&[&rel]);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for n in 1..=3 {
            let (world, mirror) = (&world, &mirror);
            s.spawn(move || build_by_hand(world, mirror, n));
        }
    });
    // Healthy by hand: three brokers registered under the one chroot.
    let deadline = Instant::now() + std::time::Duration::from_secs(90);
    while brokers_registered(&world) != "[1, 2, 3]" {
        if Instant::now() > deadline {
            let diag = world.ssh("h1", "root", DIAGNOSE);
            panic!(
                "the hand-built cluster never registered 3 brokers:\n{}{}",
                String::from_utf8_lossy(&diag.stdout),
                String::from_utf8_lossy(&diag.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    eprintln!("MEASURE hand-built 3-host cluster (ZooKeeper + broker each) up in {:.1}s", t0.elapsed().as_secs_f64());
    // Data written by the root-run brokers: a replicated topic with records (kafka-python from the test world's
    // py-client; the test releases carry no admin tools), so its partition directories are root's.
    let bootstrap = format!("{}:9092", world.hosts()[0].ip);
    let client = format!(
        "from kafka.admin import KafkaAdminClient, NewTopic\nfrom kafka import KafkaProducer\n\
         KafkaAdminClient(bootstrap_servers='{bootstrap}').create_topics([NewTopic('guide', 3, 3)])\n\
         p = KafkaProducer(bootstrap_servers='{bootstrap}', acks='all')\n\
         for i in range(30): p.send('guide', b'record %d' % i)\np.flush()\n"
    );
    let made = std::process::Command::new(support::secure::python()).arg("-c").arg(&client).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(world.ssh_ok("h2", "root", "stat -c %U /data*/guide-* | sort -u").contains("root"));
    let before = invocations(&world);

    let home = tempfile::tempdir().unwrap();
    let inv = world.inventory();
    let hosts: Vec<String> = world.hosts().iter().map(|h| format!("{}={}", h.name, h.ip)).collect();
    let out = home.path().join("imported.toml");
    let (hosts, identity, known_hosts) =
        (hosts.join(","), inv.identity_file.display().to_string(), inv.known_hosts.display().to_string());
    let import = [
        "import",
        "--hosts",
        hosts.as_str(),
        "--identity-file",
        identity.as_str(),
        "--known-hosts",
        known_hosts.as_str(),
        "--out",
        out.to_str().unwrap(),
    ];
    let t1 = Instant::now();
    let (o, text) = run_wizard(home.path(), &import);
    eprintln!("MEASURE import --hosts of 3 hosts: {:.1}s", t1.elapsed().as_secs_f64());
    assert!(o.status.success(), "{text}");
    let project = std::fs::read_to_string(&out).unwrap();
    eprintln!("{project}");
    for needle in [
        "version = \"3.9.2\"",
        "install_dir = \"/usr/local\"",
        "chroot = \"/peter-kafka\"",
        "data_dir = \"/data/zookeeper\"",
    ] {
        assert!(project.contains(needle), "{needle} missing:\n{project}");
    }
    assert!(text.contains("runs as root"), "{text}");
    // Never over an existing file.
    let (again, again_text) = run_wizard(home.path(), &import);
    assert!(!again.status.success() && again_text.contains("already exists"), "{again_text}");

    let mirror_line = format!("mirror = \"{0}/kafka\"\napache_url = \"{0}/kafka\"\n", mirror.base_url());
    let with_mirror = project.replacen("[kafka]\n", &format!("[kafka]\n{mirror_line}"), 1);
    std::fs::write(&out, with_mirror).unwrap();
    let p = out.to_str().unwrap();
    // The dry run of the adoption: the wizard's files to write, every running service adopted, no restart.
    let (o, dry) = run_wizard(home.path(), &["deploy", "--dry-run", "--adopt", p]);
    assert!(o.status.success(), "{dry}");
    assert!(dry.contains("adopted: running as it was started, not restarted"), "{dry}");
    assert!(!dry.contains("restart, one host at a time"), "{dry}");
    let t2 = Instant::now();
    let (o, adopted) = run_wizard(home.path(), &["deploy", "--adopt", p]);
    assert!(o.status.success(), "{adopted}");
    eprintln!("MEASURE deploy --adopt of the hand-built cluster: {:.1}s", t2.elapsed().as_secs_f64());
    assert_eq!(before, invocations(&world), "the adoption restarted a service");
    // Then the imported project's plain dry run and deploy: no changes, nothing restarted.
    let (o, dry) = run_wizard(home.path(), &["deploy", "--dry-run", p]);
    assert!(o.status.success(), "{dry}");
    assert!(dry.contains("\n0 step(s) would change something"), "{dry}");
    let (o, deployed) = run_wizard(home.path(), &["deploy", p]);
    assert!(o.status.success(), "{deployed}");
    assert!(deployed.contains("no changes"), "{deployed}");
    assert_eq!(before, invocations(&world), "the imported project's no-change deploy restarted a service");
    assert_eq!(brokers_registered(&world), "[1, 2, 3]");
    let (o, status) = run_wizard(home.path(), &["status", p]);
    assert!(o.status.success(), "{status}");
    // The handover: a rolling restart moves each service onto the wizard's unit, as the service user.
    let t3 = Instant::now();
    let (o, restarted) = run_wizard(home.path(), &["restart", p]);
    assert!(o.status.success(), "{restarted}");
    eprintln!("MEASURE restart onto the wizard's units (3 ZooKeeper + 3 brokers): {:.1}s", t3.elapsed().as_secs_f64());
    for h in world.hosts() {
        for unit in ["zookeeper-server", "kafka-server"] {
            let user =
                world.ssh_ok(&h.name, "root", &format!("ps -o user= -p $(systemctl show -p MainPID --value {unit})"));
            assert_eq!(user.trim(), "kafka", "{} {unit} runs as the service user after the restart", h.name);
        }
    }
    assert_eq!(brokers_registered(&world), "[1, 2, 3]");
    let (o, status) = run_wizard(home.path(), &["status", p]);
    assert!(o.status.success(), "{status}");
    assert!(status.contains("3 partition(s) of 1 topic(s) led and fully replicated"), "{status}");
    for h in world.hosts() {
        let foreign = world.ssh_ok(&h.name, "root", "find /data1 /data2 /data/zookeeper ! -user kafka | head -3");
        assert_eq!(
            foreign.trim(),
            "",
            "{}: the adopted services' data is the service user's after the handover",
            h.name
        );
    }
    let (o, deployed) = run_wizard(home.path(), &["deploy", "--dry-run", p]);
    assert!(o.status.success() && deployed.contains("\n0 step(s) would change something"), "{deployed}");
    eprintln!("MEASURE e2e_import world time {:.1}s", t_world.elapsed().as_secs_f64());
}
