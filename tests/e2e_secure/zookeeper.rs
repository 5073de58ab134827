//! A secured ZooKeeper-mode cluster: three hosts each running a ZooKeeper member and a broker of Kafka 3.9, deployed
//! from a project file with `[security]` (SASL_SSL, SCRAM-SHA-512, the wizard's own CA). Then: status healthy and smoke
//! passing; kafka-python from client-config output on an RF=3 topic; an application user without ACLs denied, then its
//! ACLs applied by re-deploys (granted and used, one revoked, another principal's kept); the wrong ways in refused; a
//! ZooKeeper client without a login can neither create nor change a znode under the chroot; a no-change re-deploy
//! restarts nothing and writes no SCRAM user; a new user gets its credential without a restart; that user removed again
//! is deleted (its login refused), nothing restarted; the secrets store lost: deploy refused naming
//! `--recover-secrets`, `deploy --recover-secrets` rebuilds it from the hosts (the ensemble's logins included) and
//! resets the admin's and the users' passwords, nothing restarted, the admin works with its new password, and a
//! following deploy changes nothing; three KRaft controllers added on the world's other three hosts: `migrate` refused
//! naming `deploy --rotate-ca` (the recovered store has no CA key), touching nothing; the CA rotated, the cluster
//! healthy and used with the new CA; no generated password (SCRAM or ZooKeeper, old or new) leaks. (Its migration to
//! KRaft under a SASL_SSL load, its SCRAM users and ACLs carried over, is in e2e_upgrade's ZooKeeper-mode test.)
//! The members speak TLS to each other (quorum TLS, the default): their election ports present the cluster's CA and
//! refuse a client without a certificate; turning it off under the running ensemble is refused; after the CA
//! rotation (the members reload their files) a restarted member rejoins.

use super::support::world::{self, Mirror, World};
use super::{checks, deploy, lose_the_store_and_be_refused, run_wizard, stored_passwords, wizard};
use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, TlsTrust};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHROOT: &str = "/e2e-zk-secure";

pub(super) fn zookeeper_secure_project(world: &World, mirror: &Mirror, dir: &Path, users: &str) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let inv = world.inventory();
    let mut s = format!(
        "format = 1\nname = \"e2e-zk-secure\"\n\n[kafka]\nversion = \"{v}\"\nmode = \"zookeeper\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\n{jvm}\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         [zookeeper]\nchroot = \"{CHROOT}\"\nheap = \"256m\"\n{jvm}\n\n\
         [security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\nusers = {users}\n\n\
         [ssh]\nuser = \"root\"\nidentity_file = \"{id}\"\nknown_hosts = \"{kh}\"\n",
        v = world::KAFKA_3,
        jvm = world::JVM_OPTS,
        id = inv.identity_file.display(),
        kh = inv.known_hosts.display()
    );
    // The first three hosts; the other three are the KRaft controllers of the refused migration at the end.
    for (i, h) in world.hosts().iter().take(3).enumerate() {
        s.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"zookeeper\", \"broker\"]\nzookeeper_id = {n}\nid = {n}\n",
            h.name,
            h.ip,
            n = i + 1
        ));
    }
    let path = dir.join("zk-secure.toml");
    std::fs::write(&path, s).unwrap();
    path
}

/// The ensemble logins' passwords in the cluster's secrets store.
fn stored_zookeeper_passwords(home: &Path) -> Vec<String> {
    let dir = home.join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let store: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    let logins = store["zookeeper"].as_table().expect("a [zookeeper] table");
    assert_eq!(logins.keys().collect::<Vec<_>>(), ["kafka", "quorum"]);
    logins.values().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// `systemctl show -p InvocationID` of `unit` on every host: a restart changes it.
fn invocations(world: &World, unit: &str) -> Vec<String> {
    let script = format!("systemctl show -p InvocationID --value {unit}");
    world.hosts().iter().map(|h| world.ssh_ok(&h.name, "root", &script).trim().to_string()).collect()
}

/// ZooKeeper's own shell on h1 against the ensemble as the brokers reach it, with `jvm` options (a JAAS login, or
/// none); its log4j warnings and errors included, and how it ended.
fn zookeeper_shell(world: &World, jvm: &str, command: &str) -> String {
    let ip = &world.hosts()[0].ip;
    let script = format!(
        "LOG_DIR=/tmp KAFKA_OPTS={jvm:?} timeout 90 /opt/kafka/bin/kafka-run-class.sh org.apache.zookeeper.ZooKeeperMain \
         -server {ip}:2181 {command} 2>&1 | grep -v '^$\\|WATCHER::\\|WatchedEvent'; echo \"exit ${{PIPESTATUS[0]}}\""
    );
    let started = Instant::now();
    let out = String::from_utf8_lossy(&world.ssh("h1", "root", &script).stdout).into_owned();
    eprintln!("[zookeeper-shell] {command} ({:.1}s):\n{out}", started.elapsed().as_secs_f64());
    out
}

#[test]
fn a_sasl_ssl_zookeeper_mode_cluster_locks_its_ensemble_admits_only_its_users_and_leaks_no_password() {
    let rel = world::release(world::KAFKA_3);
    // Three hosts for the cluster, three more for the KRaft controllers of the refused migration at the end.
    let world = World::up(6);
    let mirror = Mirror::start(&[&rel]);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let project = zookeeper_secure_project(&world, &mirror, home, "[\"orders-app\"]");
    let p = project.to_str().unwrap();
    let mut log = String::new();

    let t0 = Instant::now();
    let out = deploy(&world, home, &mut log, p);
    eprintln!(
        "MEASURE fresh 3-host secure ZooKeeper-mode deploy (3 ZooKeeper + 3 brokers): {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    let deployed = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(deployed.contains("secrets store"), "the new store is told");
    assert!(deployed.contains("wrote the SCRAM credentials of admin, kafka-broker, orders-app"), "{deployed}");
    let mut passwords = stored_passwords(home);
    let zookeeper_logins = stored_zookeeper_passwords(home);
    passwords.extend(zookeeper_logins.clone());

    // Healthy: ZooKeeper's srvr still answers without a login; the brokers over SASL_SSL as the admin.
    checks::healthy_and_smoke(home, &mut log, p, " (ZooKeeper mode)");
    ensemble_answers_srvr_and_status_shows_it(&world, home, &mut log, p);
    members_speak_tls_to_each_other(&world, home);
    switching_quorum_tls_off_under_the_running_ensemble_is_refused(&world, home, &mut log, p);

    // On the hosts: both JAAS files root:kafka 0640; the record of SCRAM users root 0600, no pending passwords.
    for h in world.hosts().iter().take(3) {
        let modes = world.ssh_ok(
            &h.name,
            "root",
            "stat -c '%U:%G %a' /etc/kafka/kafka-server-jaas.conf /etc/kafka/zookeeper-server-jaas.conf /etc/kafka/tls/node.pem",
        );
        assert_eq!(modes.lines().collect::<Vec<_>>(), ["root:kafka 640"; 3], "{}: {modes}", h.name);
    }
    let record =
        world.ssh_ok("h1", "root", "stat -c '%U %a' /var/lib/kafka-wizard/zookeeper-scram; ls /var/lib/kafka-wizard");
    assert!(record.starts_with("root 600\n") && !record.contains("zookeeper-scram.pending"), "{record}");

    // ZooKeeper without a login: the session is closed before any change; with the brokers' login, the chroot's
    // ACL is theirs alone to change and the intruder's znode is not there.
    for command in
        [format!("create {CHROOT}/intruder x"), format!("set {CHROOT} x"), format!("delete {CHROOT}/brokers")]
    {
        let out = zookeeper_shell(&world, "", &command);
        assert!(out.contains("failed to authenticate"), "{command}: {out}");
    }
    let login = "-Djava.security.auth.login.config=/etc/kafka/kafka-server-jaas.conf";
    let acl = zookeeper_shell(&world, login, &format!("getAcl {CHROOT}"));
    assert!(acl.contains("'sasl,'kafka\n: cdrwa") && acl.contains("'world,'anyone\n: r"), "{acl}");
    let children = zookeeper_shell(&world, login, &format!("ls {CHROOT}"));
    assert!(children.contains("brokers") && !children.contains("intruder"), "{children}");

    // A third-party client from client-config output only; an application user without ACLs denied (AclAuthorizer).
    let admin_dir = checks::admin_client_roundtrip(home, &mut log, p, ", ZooKeeper mode");
    checks::denied_without_acls(home, &mut log, p, "orders-app");
    // Its ACLs added to the project and applied by re-deploys (AclAuthorizer): granted and used, one revoked, another
    // principal's ACL made by hand kept, nothing restarted.
    let app_dir = home.join("client-orders-app");
    let python = checks::python();
    super::acls::granted_used_revoked_and_others_kept(&world, home, &mut log, &project, &python, &admin_dir, &app_dir);

    let ca = std::fs::read_to_string(admin_dir.join("ca.pem")).unwrap();
    let broker = format!("{}:9092", world.hosts()[0].ip);
    checks::wrong_ways_in_are_refused(&ca, &broker);

    // A no-change re-deploy restarts nothing and writes no SCRAM user; a new user gets its credential in ZooKeeper
    // — only it, nothing restarted — and logs in.
    let services = || (invocations(&world, "kafka-server"), invocations(&world, "zookeeper-server"));
    let before = services();
    let redeploy = |what: &str, log: &mut String| {
        let t = Instant::now();
        let out = deploy(&world, home, log, p);
        eprintln!("MEASURE {what} (ZooKeeper mode, secured): {:.1}s", t.elapsed().as_secs_f64());
        assert_eq!(before, services(), "{what}: a service restarted");
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let text = redeploy("no-change re-deploy", &mut log);
    assert!(text.contains("no changes"), "a second deploy changes nothing:\n{text}");
    zookeeper_secure_project(&world, &mirror, home, "[\"orders-app\", \"billing-app\"]");
    let text = redeploy("re-deploy adding a SCRAM user", &mut log);
    assert!(text.contains("wrote the SCRAM credentials of billing-app into"), "{text}");
    let billing_dir = home.join("client-billing-app");
    wizard(home, &mut log, &["client-config", p, "--user", "billing-app", "--out", billing_dir.to_str().unwrap()]);
    let properties = std::fs::read_to_string(billing_dir.join("client.properties")).unwrap();
    let password = properties.split("password=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let auth = KafkaAuth {
        tls: Some(TlsTrust::from_ca_pem(&ca).unwrap()),
        sasl: Some(ScramLogin {
            mechanism: ScramMechanism::Sha512,
            username: "billing-app".into(),
            password: kafka_wizard::security::Secret::new(password.clone()),
        }),
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(kafka_metadata_with(&broker, &auth, Duration::from_secs(10))).expect("billing-app logs in");
    passwords.push(password);

    // billing-app removed from the project: the scram-users phase deletes it (ZooKeeper-mode brokers serve
    // AlterUserScramCredentials), nothing restarted; its login is refused.
    zookeeper_secure_project(&world, &mirror, home, "[\"orders-app\"]");
    let text = redeploy("re-deploy removing a SCRAM user", &mut log);
    assert!(text.contains("delete SCRAM user billing-app") && text.contains("no longer in security.users"), "{text}");
    let refused = rt.block_on(kafka_metadata_with(&broker, &auth, Duration::from_secs(10)));
    assert!(matches!(refused, Err(HealthError::AuthenticationFailed { .. })), "{refused:?}");

    // The secrets store lost: deploy is refused naming the recovery; deploy --recover-secrets reads it back.
    lose_the_store_and_be_refused(home, &mut log, p);
    let t = Instant::now();
    let (out, text) = run_wizard(home, &["deploy", "--recover-secrets", p]);
    log.push_str(&text);
    assert!(out.status.success(), "deploy --recover-secrets failed:\n{text}");
    eprintln!(
        "MEASURE deploy --recover-secrets (ZooKeeper mode: 3 brokers and 3 members read, 2 passwords reset): {:.1}s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(before, services(), "the recovery restarted a service");
    assert!(text.contains("recovered the lost secrets store from the hosts"), "{text}");
    assert!(text.contains("the ZooKeeper logins' passwords"), "{text}");
    assert!(text.contains("new passwords for SCRAM users admin, orders-app"), "{text}");
    assert_eq!(stored_zookeeper_passwords(home), zookeeper_logins, "the ensemble's logins come back unchanged");
    checks::healthy_and_smoke(home, &mut log, p, " (ZooKeeper mode, recovered store)");
    let admin_dir = home.join("client-admin-recovered");
    wizard(home, &mut log, &["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    let out = checks::secure_client(&admin_dir.join("client.properties"), "zk-recovered");
    let client = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    log.push_str(&client);
    assert!(out.status.success() && client.contains(r#""consumed": 20"#), "admin after the recovery:\n{client}");
    let text = redeploy("deploy after the recovery", &mut log);
    assert!(text.contains("no changes"), "a deploy after the recovery changes nothing:\n{text}");
    passwords.extend(stored_passwords(home));

    rotates_its_ca_after_a_refused_migration(&world, home, &mut log, p);

    let shown = "/var/log/kafka/* /var/log/zookeeper/* /etc/kafka/server.properties /etc/kafka/zookeeper.properties /etc/kafka/*.env";
    checks::no_password_leaks(&world, home, &project, &mut log, &passwords, shown);
}

/// Three dedicated KRaft controllers (node ids 101–103) on the world's other three hosts added to the project: the
/// store recovered earlier has no CA key to issue their certificates, so `migrate` is refused naming the way out
/// (`deploy --rotate-ca`) before any host changes. The way out is taken on the cluster as it is (the controllers
/// out of the file again): a new CA rolled onto the ZooKeeper-mode brokers, then status healthy, smoke passing and
/// the admin's kafka-python client, configured again, trusting the new CA. (A secured migration itself, rolled back
/// and done again, is proven in e2e_upgrade.)
fn rotates_its_ca_after_a_refused_migration(world: &World, home: &Path, log: &mut String, p: &str) {
    let hosts = world.hosts();
    let without_controllers = std::fs::read_to_string(p).unwrap();
    let mut text = without_controllers.clone();
    for (i, h) in hosts[3..6].iter().enumerate() {
        let id = 101 + i;
        text.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"controller\"]\nid = {id}\n",
            h.name, h.ip
        ));
    }
    std::fs::write(p, &text).unwrap();
    let before = invocations(world, "kafka-server");
    let (out, refused) = run_wizard(home, &["migrate", p]);
    log.push_str(&refused);
    assert!(!out.status.success() && refused.contains("--rotate-ca"), "{refused}");
    let untouched = world.ssh(&hosts[3].name, "root", "test -e /etc/kafka/server.properties");
    assert!(
        !untouched.status.success() && invocations(world, "kafka-server") == before,
        "a refused migration touches nothing"
    );

    std::fs::write(p, &without_controllers).unwrap();
    let t = Instant::now();
    deploy_rotating(world, home, log, p);
    eprintln!("MEASURE CA rotation of the ZooKeeper-mode cluster (3 brokers): {:.1}s", t.elapsed().as_secs_f64());
    checks::healthy_and_smoke(home, log, p, " (ZooKeeper mode, new CA)");
    a_member_restarted_after_the_rotation_rejoins(world, home, log, p);
    let admin_dir = home.join("client-admin-rotated");
    wizard(home, log, &["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    let out = checks::secure_client(&admin_dir.join("client.properties"), "zk-rotated");
    let client = super::support::secure::text(&out);
    log.push_str(&client);
    assert!(out.status.success() && client.contains(r#""consumed": 20"#), "admin after the CA rotation:\n{client}");
}

fn deploy_rotating(world: &World, home: &Path, log: &mut String, p: &str) {
    let (out, text) = run_wizard(home, &["deploy", "--rotate-ca", p]);
    log.push_str(&text);
    if !out.status.success() {
        for h in world.hosts().iter().take(3) {
            let errors = world.ssh(&h.name, "root", "grep -h -m 12 -E -A3 'ERROR|FATAL' /var/log/kafka/server.log");
            eprintln!("--- {} server.log errors:\n{}", h.name, String::from_utf8_lossy(&errors.stdout));
        }
        panic!("deploy --rotate-ca failed:\n{text}");
    }
}

/// The locked ensemble still answers the four-letter word the wizard's health checks use (`srvr`, no login) on
/// every member — one leader, two followers — and `status --json` shows the same ensemble with no problem.
fn ensemble_answers_srvr_and_status_shows_it(world: &World, home: &Path, log: &mut String, p: &str) {
    let started = Instant::now();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut modes: Vec<String> = world.hosts()[..3]
        .iter()
        .map(|h| {
            let srvr =
                rt.block_on(kafka_wizard::health::zookeeper_srvr(&format!("{}:2181", h.ip), Duration::from_secs(10)));
            format!("{:?}", srvr.unwrap_or_else(|e| panic!("srvr on {}: {e}", h.name)).mode).to_lowercase()
        })
        .collect();
    modes.sort();
    assert_eq!(modes, ["follower", "follower", "leader"]);
    let status = wizard(home, log, &["status", "--json", p]);
    let st: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let members = st["overview"]["zookeeper"].as_array().unwrap_or_else(|| panic!("no ensemble in the status: {st}"));
    let mut seen: Vec<&str> = members.iter().map(|m| m["mode"].as_str().unwrap_or("none")).collect();
    seen.sort();
    assert_eq!(seen, ["follower", "follower", "leader"], "{st}");
    assert!(members.iter().all(|m| m["error"].is_null()) && st["healthy"] == true, "{st}");
    eprintln!(
        "MEASURE srvr on the locked ensemble (3 members, no login) and status --json: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Quorum TLS (`zookeeper.quorum_tls`, on by default): every member's election port speaks TLS with a certificate
/// of the cluster's CA and refuses a client without one, and each member's log says it started with TLS between
/// members — while the ensemble has formed (srvr above).
fn members_speak_tls_to_each_other(world: &World, home: &Path) {
    let started = Instant::now();
    let ca = home.join("quorum-ca.pem");
    std::fs::write(&ca, world.ssh_ok("h1", "root", "cat /etc/kafka/tls/ca.pem")).unwrap();
    for h in world.hosts().iter().take(3) {
        let (code, out) = checks::openssl_client(&format!("{}:3888", h.ip), &ca, None);
        assert!(
            out.contains("CN = kafka-broker") || out.contains("CN=kafka-broker"),
            "{}: no CA-signed server certificate on the election port ({code:?}):\n{out}",
            h.name
        );
        assert!(
            out.contains("alert certificate required")
                || out.contains("alert bad certificate")
                || out.contains("alert handshake failure"),
            "{}: the election port admits a client without a certificate ({code:?}):\n{out}",
            h.name
        );
        let logged = world.ssh_ok(
            &h.name,
            "root",
            "grep -h -c -e 'Using TLS encrypted quorum communication' -e 'Creating TLS-only quorum server socket' /var/log/zookeeper/server.log*; \
             grep -h -c 'Using insecure (non-TLS) quorum communication' /var/log/zookeeper/server.log* || true",
        );
        let counts: Vec<u32> = logged.split_whitespace().filter_map(|n| n.parse().ok()).collect();
        assert!(
            counts.first().is_some_and(|n| *n >= 2) && counts.iter().skip(1).all(|n| *n == 0),
            "{}: {logged}",
            h.name
        );
    }
    eprintln!(
        "MEASURE quorum TLS: 3 election ports present the cluster's CA and refuse a client without a certificate; \
         the members' logs say TLS: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// `zookeeper.quorum_tls = false` under the running TLS ensemble: refused before any host changes, naming the
/// members and the way out; the project restored.
fn switching_quorum_tls_off_under_the_running_ensemble_is_refused(
    world: &World,
    home: &Path,
    log: &mut String,
    p: &str,
) {
    let text = std::fs::read_to_string(p).unwrap();
    let before = (invocations(world, "zookeeper-server"), invocations(world, "kafka-server"));
    std::fs::write(p, text.replace("[zookeeper]\n", "[zookeeper]\nquorum_tls = false\n")).unwrap();
    let (out, refused) = run_wizard(home, &["deploy", p]);
    std::fs::write(p, &text).unwrap();
    log.push_str(&refused);
    assert!(!out.status.success(), "{refused}");
    assert!(
        refused.contains("speak to each other with TLS") && refused.contains("zookeeper.quorum_tls = true"),
        "{refused}"
    );
    assert!(refused.contains("nothing was changed on any host"), "{refused}");
    assert_eq!(
        before,
        (invocations(world, "zookeeper-server"), invocations(world, "kafka-server")),
        "nothing restarted"
    );
    let zoo_cfg = world.ssh_ok("h1", "root", "grep -c '^sslQuorum=true$' /etc/kafka/zookeeper.properties");
    assert_eq!(zoo_cfg.trim(), "1", "the members' configuration untouched");
}

/// After the CA rotation every member's truststore holds the new CA only and its keystore a new certificate; the
/// members reloaded both (`sslQuorumReloadCertFiles`) without a restart. A member restarted now presents its new
/// certificate to peers that must trust it, and must trust theirs: it rejoins as a follower.
fn a_member_restarted_after_the_rotation_rejoins(world: &World, home: &Path, log: &mut String, p: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mode = |ip: &str| {
        rt.block_on(kafka_wizard::health::zookeeper_srvr(&format!("{ip}:2181"), Duration::from_secs(5)))
            .map(|s| format!("{:?}", s.mode).to_lowercase())
            .unwrap_or_else(|e| format!("error: {e}"))
    };
    let hosts = &world.hosts()[..3];
    let follower = hosts.iter().find(|h| mode(&h.ip) == "follower").expect("a follower");
    let invocation = "systemctl show -p InvocationID --value zookeeper-server";
    let before = world.ssh_ok(&follower.name, "root", invocation);
    let started = Instant::now();
    world.ssh_ok(&follower.name, "root", "systemctl restart zookeeper-server");
    assert_ne!(world.ssh_ok(&follower.name, "root", invocation), before, "the member restarted");
    let mut now = String::new();
    while started.elapsed() < Duration::from_secs(90) {
        now = mode(&follower.ip);
        if now == "follower" {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(now, "follower", "{} did not rejoin the ensemble after the rotation", follower.name);
    eprintln!(
        "MEASURE a member restarted after the CA rotation ({}) rejoined as a follower: {:.1}s",
        follower.name,
        started.elapsed().as_secs_f64()
    );
    ensemble_answers_srvr_and_status_shows_it(world, home, log, p);
}
