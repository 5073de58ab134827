#![cfg(feature = "e2e")]
//! `health` against REAL Kafka and ZooKeeper processes on 127.0.0.1: the cached release tarballs of the test world
//! (`tests/world/assemble-kafka.sh`, built by `tests/world/prepare.sh`) unpacked to a temp dir, storage formatted with
//! `kafka-storage.sh`, servers started with `kafka-server-start.sh` / `zookeeper-server-start.sh` on free ports with a
//! small heap, and killed at the end (Drop guard). No test hosts needed.
//!
//! Run: `cargo test --features e2e --test e2e_health`

mod support;

use kafka_wizard::health::{
    kafka_metadata, kafka_metadata_with, kraft_quorum, zookeeper_srvr, ClusterMetadata, HealthError, QuorumStatus,
    ZkMode,
};
use kafka_wizard::security::pki::ClusterCa;
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{random_password, KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::world::{self, Release};

/// One JVM cluster at a time: the machine has few cores and the JVMs are slow to start side by side.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const READY_WITHIN: Duration = Duration::from_secs(120);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An unpacked release and the processes started from it, killed on drop.
struct Servers {
    dir: tempfile::TempDir,
    home: PathBuf,
    children: Vec<(String, Child)>,
}

impl Servers {
    fn unpack(rel: &Release) -> Servers {
        let dir = tempfile::Builder::new().prefix("kw-health-").tempdir().unwrap();
        let out = Command::new("tar").arg("-xzf").arg(&rel.tarball).arg("-C").arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "untar {}: {}", rel.tarball.display(), String::from_utf8_lossy(&out.stderr));
        let home = dir.path().join(rel.top_dir());
        assert!(
            home.join("bin/kafka-server-start.sh").is_file(),
            "{} has no bin/kafka-server-start.sh",
            home.display()
        );
        Servers { dir, home, children: Vec::new() }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn script(&self, name: &str) -> Command {
        let mut c = Command::new("bash");
        c.arg(self.home.join("bin").join(name))
            .env("KAFKA_HEAP_OPTS", "-Xmx384m -Xms128m")
            .env("LOG_DIR", self.path("logs"))
            .stdin(Stdio::null());
        c
    }

    /// Run a script to completion; panics with its output unless it succeeds (an argument carrying a password is
    /// not shown).
    fn run(&self, name: &str, args: &[&str]) -> String {
        let out = self.script(name).args(args).output().unwrap();
        let shown: Vec<&str> = args.iter().map(|a| if a.contains("password=") { "<secret>" } else { a }).collect();
        assert!(
            out.status.success(),
            "{name} {shown:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Start a long-running script in the foreground (the JVM replaces it); output in `<dir>/<label>.out`.
    fn start(&mut self, label: &str, name: &str, args: &[&Path]) {
        let out = std::fs::File::create(self.path(&format!("{label}.out"))).unwrap();
        let child = self.script(name).args(args).stdout(out.try_clone().unwrap()).stderr(out).spawn().unwrap();
        self.children.push((label.to_string(), child));
    }

    /// The tail of every server's output, for failure messages.
    fn tails(&self) -> String {
        self.children
            .iter()
            .map(|(label, _)| {
                let text = std::fs::read_to_string(self.path(&format!("{label}.out"))).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                format!("--- {label} ---\n{}\n", lines[lines.len().saturating_sub(30)..].join("\n"))
            })
            .collect()
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (_, child) in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Poll `probe` until `done` accepts its result, at most READY_WITHIN.
async fn wait_until<T: std::fmt::Debug, E: std::fmt::Display, F: std::future::Future<Output = Result<T, E>>>(
    servers: &Servers,
    what: &str,
    mut probe: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let started = Instant::now();
    let mut last;
    loop {
        match probe().await {
            Ok(v) if done(&v) => {
                eprintln!("[e2e_health] {what}: ready after {:.1}s", started.elapsed().as_secs_f64());
                return v;
            }
            Ok(v) => last = format!("{v:?}"),
            Err(e) => last = e.to_string(),
        }
        if started.elapsed() > READY_WITHIN {
            panic!("{what}: not ready after {READY_WITHIN:?}; last: {last}\n{}", servers.tails());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The engine's own generator: random, and never starting with `-` (kafka-storage would take it for an option; one
/// id in 64 did, and failed this test's format).
fn random_cluster_id() -> String {
    kafka_wizard::project::checks::new_cluster_id().as_str().to_string()
}

/// `server.properties` of a combined KRaft node (id 1) whose broker (and inter-broker) listener `listener` on
/// `bport` speaks `protocol`, the controller listener PLAINTEXT on `cport`, plus `extra` lines.
fn kraft_node_properties(s: &Servers, bport: u16, cport: u16, listener: &str, protocol: &str, extra: &str) -> PathBuf {
    s.write(
        "server.properties",
        &format!(
            "process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{cport}
listeners={listener}://127.0.0.1:{bport},CONTROLLER://127.0.0.1:{cport}
advertised.listeners={listener}://127.0.0.1:{bport}
controller.listener.names=CONTROLLER
inter.broker.listener.name={listener}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,{listener}:{protocol}
{extra}log.dirs={data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
",
            data = s.path("data").display()
        ),
    )
}

/// A single combined KRaft node (id 1) on free ports, formatted with a fresh cluster id, checked over the wire.
async fn kraft_single_node(version: &str) {
    let _one = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let rel = world::release(version);
    let mut s = Servers::unpack(&rel);
    let (bport, cport) = (free_port(), free_port());
    let cluster_id = random_cluster_id();
    let props = kraft_node_properties(&s, bport, cport, "PLAINTEXT", "PLAINTEXT", "");
    s.run("kafka-storage.sh", &["format", "-t", &cluster_id, "-c", props.to_str().unwrap()]);
    s.start("kafka", "kafka-server-start.sh", &[&props]);

    let broker = format!("127.0.0.1:{bport}");
    let controller = format!("127.0.0.1:{cport}");
    let md: ClusterMetadata = wait_until(
        &s,
        &format!("Kafka {version} KRaft metadata at {broker}"),
        || kafka_metadata(&broker, PROBE_TIMEOUT),
        |m: &ClusterMetadata| !m.brokers.is_empty(),
    )
    .await;
    eprintln!(
        "[e2e_health] Kafka {version} KRaft healthy {:.1}s after unpacking: {md:?}",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(md.cluster_id.as_deref(), Some(cluster_id.as_str()));
    assert_eq!(md.brokers.len(), 1, "{md:?}");
    assert_eq!(md.brokers[0].id, 1);
    assert_eq!(md.brokers[0].host, "127.0.0.1");
    assert_eq!(md.brokers[0].port, i32::from(bport));
    assert_eq!(md.brokers[0].rack, None);
    assert_eq!(md.controller_id, 1, "the only live broker");

    let q: QuorumStatus = wait_until(
        &s,
        &format!("Kafka {version} quorum via the broker {broker}"),
        || kraft_quorum(&broker, PROBE_TIMEOUT),
        |q: &QuorumStatus| q.leader_id == 1,
    )
    .await;
    eprintln!("[e2e_health] Kafka {version} quorum: {q:?}");
    assert_eq!(q.voters, vec![1], "{q:?}");
    assert_eq!(q.observers, Vec::<i32>::new(), "a combined node is a voter, not an observer: {q:?}");
    assert!(q.leader_epoch >= 1, "{q:?}");
    let via_controller = kraft_quorum(&controller, PROBE_TIMEOUT).await.unwrap();
    assert_eq!((via_controller.leader_id, via_controller.voters.clone()), (1, vec![1]), "{via_controller:?}");

    log_dirs_are_described_with_their_file_system(&broker, &s.path("data")).await;

    // a controller listener serves no Metadata: a clear protocol error, not a hang
    let err = kafka_metadata(&controller, PROBE_TIMEOUT).await.unwrap_err();
    assert!(err.to_string().contains(&controller) && err.to_string().contains("Metadata"), "{err}");
    // nothing listens on a ZooKeeper port here
    assert!(zookeeper_srvr(&format!("127.0.0.1:{}", free_port()), PROBE_TIMEOUT).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_kafka_3_kraft_node_reports_its_broker_cluster_id_and_quorum() {
    kraft_single_node(world::KAFKA_3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_kafka_4_kraft_node_reports_its_broker_cluster_id_and_quorum() {
    kraft_single_node(world::KAFKA_4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_zookeeper_and_kafka_3_broker_report_standalone_and_the_broker() {
    let _one = ONE_AT_A_TIME.lock().await;
    let started = Instant::now();
    let rel = world::release(world::KAFKA_3);
    let mut s = Servers::unpack(&rel);
    let (zport, bport) = (free_port(), free_port());
    let zk_props = s.write(
        "zookeeper.properties",
        &format!(
            "dataDir={}\nclientPort={zport}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n",
            s.path("zk").display()
        ),
    );
    s.start("zookeeper", "zookeeper-server-start.sh", &[&zk_props]);
    let zk = format!("127.0.0.1:{zport}");
    let status = wait_until(
        &s,
        &format!("ZooKeeper srvr at {zk}"),
        || zookeeper_srvr(&zk, PROBE_TIMEOUT),
        |st| st.mode != ZkMode::NotServing,
    )
    .await;
    assert_eq!(status.mode, ZkMode::Standalone, "{status:?}");
    assert!(status.version.starts_with("3."), "{status:?}");

    let props = s.write(
        "server.properties",
        &format!(
            "broker.id=1
listeners=PLAINTEXT://127.0.0.1:{bport}
zookeeper.connect={zk}/kw-health
log.dirs={data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
",
            data = s.path("data").display()
        ),
    );
    s.start("kafka", "kafka-server-start.sh", &[&props]);
    let broker = format!("127.0.0.1:{bport}");
    let md = wait_until(
        &s,
        &format!("Kafka {} ZooKeeper-mode metadata at {broker}", rel.version),
        || kafka_metadata(&broker, PROBE_TIMEOUT),
        |m: &ClusterMetadata| !m.brokers.is_empty(),
    )
    .await;
    eprintln!(
        "[e2e_health] ZooKeeper + Kafka {} healthy {:.1}s after unpacking: {md:?}",
        rel.version,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(md.brokers.iter().map(|b| (b.id, b.port)).collect::<Vec<_>>(), vec![(1, i32::from(bport))]);
    assert_eq!(md.controller_id, 1, "the only broker is the controller");
    // the cluster id the broker got from ZooKeeper is the one it wrote into meta.properties
    let meta = std::fs::read_to_string(s.path("data/meta.properties")).unwrap();
    let written = meta.lines().find_map(|l| l.strip_prefix("cluster.id=")).expect("cluster.id in meta.properties");
    assert_eq!(md.cluster_id.as_deref(), Some(written), "{meta}");

    // a ZooKeeper-mode broker has no KRaft quorum: a clear error naming the address
    let err = kraft_quorum(&broker, PROBE_TIMEOUT).await.unwrap_err();
    assert!(err.to_string().contains(&broker), "{err}");
    // srvr still says standalone with the broker connected, with its latency and queue
    let srvr = zookeeper_srvr(&zk, PROBE_TIMEOUT).await.unwrap();
    assert_eq!(srvr.mode, ZkMode::Standalone);
    // (outstanding counts the requests queued at that moment — the broker's own may be one of them)
    assert!(srvr.latency_avg_us.is_some() && srvr.outstanding.is_some_and(|n| n <= 10), "{srvr:?}");
    log_dirs_are_described_with_their_file_system(&broker, &s.path("data")).await;
}

/// DescribeLogDirs (the overview's disk column) of a real broker: its one log directory, the partitions' size in it,
/// and — Kafka 3.3+, v4 — the file system's total and usable bytes, as `df` sees them.
async fn log_dirs_are_described_with_their_file_system(broker: &str, data: &Path) {
    let dirs = kafka_wizard::overview::describe_log_dirs(broker, &KafkaAuth::plaintext()).await.unwrap();
    eprintln!("[e2e_health] DescribeLogDirs at {broker}: {dirs:?}");
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    assert_eq!(Path::new(&dirs[0].path), data, "{dirs:?}");
    assert_eq!(dirs[0].error, None);
    let (total, usable) = (dirs[0].total_bytes.expect("v4 total"), dirs[0].usable_bytes.expect("v4 usable"));
    let df = Command::new("df").args(["-B1", "--output=size", &data.display().to_string()]).output().unwrap();
    let df_total: u64 = String::from_utf8_lossy(&df.stdout).lines().nth(1).unwrap().trim().parse().unwrap();
    assert_eq!(total, df_total, "the file system's size as df says");
    assert!(usable > 0 && usable <= total, "{usable} of {total}");
}

/// A single KRaft node whose client (and inter-broker) listener is SASL_SSL with SCRAM-SHA-512, its PEM keystore and
/// truststore written from `security::pki`, the admin credential added at format (docs/facts/kafka.md §11): the
/// engine's client gets Metadata as the admin with the CA and hostname verification on, and every wrong way in is
/// refused with an error saying what failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_kafka_4_sasl_ssl_listener_admits_the_admin_over_verified_tls_and_refuses_every_wrong_way_in() {
    let _one = ONE_AT_A_TIME.lock().await;
    let rel = world::release(world::KAFKA_4);
    let mut s = Servers::unpack(&rel);
    let (bport, cport) = (free_port(), free_port());
    let ca = ClusterCa::generate("e2e-health").unwrap();
    // The certificate names 127.0.0.1 only: dialling `localhost` is the name-mismatch case.
    let node = ca.issue_host("kafka-1", &["127.0.0.1".to_string()]).unwrap();
    let keystore = s.write("node.pem", node.keystore_pem(ca.cert_pem()).expose());
    let truststore = s.write("ca.pem", ca.cert_pem());
    let password = random_password(24);
    let security = format!(
        "sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.secure.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"{pw}\";
ssl.keystore.type=PEM
ssl.keystore.location={keystore}
ssl.truststore.type=PEM
ssl.truststore.location={truststore}
",
        pw = password.expose(),
        keystore = keystore.display(),
        truststore = truststore.display(),
    );
    let props = kraft_node_properties(&s, bport, cport, "SECURE", "SASL_SSL", &security);
    let scram = format!("SCRAM-SHA-512=[name=admin,password={}]", password.expose());
    s.run(
        "kafka-storage.sh",
        &["format", "-t", &random_cluster_id(), "-c", props.to_str().unwrap(), "--add-scram", &scram],
    );
    s.start("kafka", "kafka-server-start.sh", &[&props]);

    let broker = format!("127.0.0.1:{bport}");
    let trust = TlsTrust::from_ca_pem(ca.cert_pem()).unwrap();
    let login =
        |mechanism, password: &Secret| ScramLogin { mechanism, username: "admin".into(), password: password.clone() };
    let admin = KafkaAuth { tls: Some(trust.clone()), sasl: Some(login(ScramMechanism::Sha512, &password)) };
    let started = Instant::now();
    let md = wait_until(
        &s,
        &format!("Kafka {} SASL_SSL metadata at {broker} as admin", rel.version),
        || kafka_metadata_with(&broker, &admin, PROBE_TIMEOUT),
        |m: &ClusterMetadata| !m.brokers.is_empty(),
    )
    .await;
    eprintln!("MEASURE secure_metadata_ready_s={:.1}", started.elapsed().as_secs_f64());
    assert_eq!(md.brokers.iter().map(|b| (b.id, b.port)).collect::<Vec<_>>(), vec![(1, i32::from(bport))]);
    let one_call = Instant::now();
    kafka_metadata_with(&broker, &admin, PROBE_TIMEOUT).await.unwrap();
    eprintln!("MEASURE secure_metadata_call_ms={}", one_call.elapsed().as_millis());

    let refused = |auth: KafkaAuth, addr: String| refused_with(auth, addr, password.clone());
    let wrong = random_password(24);
    let err = refused(
        KafkaAuth { tls: Some(trust.clone()), sasl: Some(login(ScramMechanism::Sha512, &wrong)) },
        broker.clone(),
    )
    .await;
    assert!(matches!(err, HealthError::AuthenticationFailed { .. }), "wrong password: {err:?}");
    let err = refused(
        KafkaAuth { tls: Some(trust.clone()), sasl: Some(login(ScramMechanism::Sha256, &password)) },
        broker.clone(),
    )
    .await;
    assert!(
        matches!(&err, HealthError::SaslMechanism { enabled, .. } if enabled == &["SCRAM-SHA-512".to_string()]),
        "mechanism not enabled: {err:?}"
    );
    let err =
        refused(KafkaAuth { tls: None, sasl: Some(login(ScramMechanism::Sha512, &password)) }, broker.clone()).await;
    assert!(err.to_string().contains("connect with TLS"), "no TLS: {err}");
    refused(KafkaAuth::plaintext(), broker.clone()).await;
    let err = refused(KafkaAuth { tls: Some(trust.clone()), sasl: None }, broker.clone()).await;
    assert!(err.to_string().contains("log in with SASL"), "no SASL: {err}");
    let stranger = TlsTrust::from_ca_pem(ClusterCa::generate("stranger").unwrap().cert_pem()).unwrap();
    let err = refused(KafkaAuth { tls: Some(stranger), sasl: admin.sasl.clone() }, broker.clone()).await;
    assert!(matches!(&err, HealthError::Tls { detail, .. } if detail.contains("not trusted")), "other CA: {err:?}");
    let err = refused(admin.clone(), format!("localhost:{bport}")).await;
    assert!(matches!(&err, HealthError::Tls { detail, .. } if detail.contains("name mismatch")), "SANs: {err:?}");
    // the admin still gets in after all that
    kafka_metadata_with(&broker, &admin, PROBE_TIMEOUT).await.unwrap();
    third_party_client_produces_and_consumes(&broker, &truststore, &password);
}

/// tests/world/secure_client.py (kafka-python from tests/world/prepare.sh's venv) produces and consumes as the admin
/// over SASL_SSL with the CA file and hostname checking on; the password reaches it through its environment.
fn third_party_client_produces_and_consumes(broker: &str, ca_file: &Path, password: &Secret) {
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh (it installs kafka-python)", python.display());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py");
    let started = Instant::now();
    let out = Command::new(python)
        .arg(script)
        .args([broker, ca_file.to_str().unwrap(), "admin", "secure-smoke"])
        .env("KW_SCRAM_PASSWORD", password.expose())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "secure_client.py failed:\n{stdout}{stderr}");
    assert!(!stdout.contains(password.expose()) && !stderr.contains(password.expose()));
    assert_eq!(stdout.trim(), r#"{"produced": 20, "consumed": 20}"#);
    eprintln!("MEASURE kafka_python_sasl_ssl_roundtrip_s={:.1}", started.elapsed().as_secs_f64());
}

/// Metadata with `auth` at `addr` fails; the error names the address and never shows `password`.
async fn refused_with(auth: KafkaAuth, addr: String, password: Secret) -> HealthError {
    let err = kafka_metadata_with(&addr, &auth, PROBE_TIMEOUT).await.expect_err("must be refused");
    let text = err.to_string();
    eprintln!("[e2e_health] refused: {text}");
    assert!(text.contains(&addr), "the error names the address: {text}");
    assert!(!text.contains(password.expose()) && !format!("{err:?}").contains(password.expose()), "no password");
    err
}
