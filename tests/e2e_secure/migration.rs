//! The secured ZooKeeper-mode cluster of `zookeeper.rs` migrated to KRaft (issue 14): ACLs granted to orders-app in
//! ZooKeeper mode first (AclAuthorizer, kept in ZooKeeper), then three dedicated KRaft controllers (node ids 101–103)
//! on the world's other three hosts — first refused, touching nothing, because the store recovered earlier has no CA
//! key to issue their certificates (the way out it names, `deploy --rotate-ca`, is taken) —, then `migrate` and
//! `migrate --finalize` under an acks=all load from kafka-python
//! logging in with SASL_SSL (client-config output). Then: every acknowledged record consumed; the SCRAM users'
//! credentials and the ACLs came over from ZooKeeper (orders-app logs in with its password and may do what its ACLs
//! allow and nothing more, a wrong password and an unknown user are refused, the ACL made by hand in ZooKeeper mode is
//! still there); every node runs StandardAuthorizer; no ZooKeeper runs; status healthy; a no-change deploy restarts
//! nothing; no password in the output or on the hosts.

use super::support::world::World;
use super::{acls, checks, run_wizard, wizard};
use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::acls::client::AclSession;
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const ORDERS_ACLS: &str = "\n[[security.acls]]\nuser = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\n\
                           pattern = \"prefixed\"\noperations = [\"write\", \"describe\", \"read\"]\n\
                           \n[[security.acls]]\nuser = \"orders-app\"\nresource = \"group\"\nname = \"orders-readers\"\n\
                           operations = [\"read\"]\n";

/// `systemctl show -p InvocationID` of kafka-server on every host: a restart changes it.
fn invocations(world: &World) -> Vec<String> {
    let script = "systemctl show -p InvocationID --value kafka-server";
    world.hosts().iter().map(|h| world.ssh_ok(&h.name, "root", script).trim().to_string()).collect()
}

/// kafka-python (`tests/world/secure_client.py`) as the user of `properties` in group orders-readers, the topic
/// created by the admin; its output and whether it succeeded.
fn as_app(python: &Path, properties: &Path, admin: &Path, topic: &str) -> (bool, String) {
    let out = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", properties.to_str().unwrap(), topic, "--group", "orders-readers"])
        .args(["--create-with", admin.to_str().unwrap()])
        .output()
        .unwrap();
    (out.status.success(), acls::text(&out))
}

/// Kafka's errors on every host (a failed run's evidence).
fn kafka_errors(world: &World) {
    for h in world.hosts() {
        let errors = world.ssh(&h.name, "root", "grep -h -m 12 -E -A3 'ERROR|FATAL' /var/log/kafka/server.log");
        eprintln!("--- {} server.log errors:\n{}", h.name, String::from_utf8_lossy(&errors.stdout));
    }
}

fn ok(world: &World, home: &Path, log: &mut String, args: &[&str]) -> String {
    let (out, text) = run_wizard(home, args);
    log.push_str(&text);
    if !out.status.success() {
        kafka_errors(world);
        panic!("kafka-wizard {} failed:\n{text}", args.join(" "));
    }
    text
}

/// See the module docs. `project` lists the first three hosts (ZooKeeper and a broker each); `passwords` are every
/// generated password so far.
pub fn migrates_to_kraft_under_a_sasl_ssl_load(
    world: &World,
    home: &Path,
    log: &mut String,
    project: &Path,
    passwords: &mut Vec<String>,
) {
    let started = Instant::now();
    let p = project.to_str().unwrap();
    let python = checks::python();
    let hosts = world.hosts();
    let broker = format!("{}:9092", hosts[0].ip);
    let admin_dir = home.join("client-admin-migration");
    let app_dir = home.join("client-orders-app-migration");
    for (user, dir) in [("admin", &admin_dir), ("orders-app", &app_dir)] {
        wizard(home, log, &["client-config", p, "--user", user, "--out", dir.to_str().unwrap()]);
    }
    let (admin, app) = (admin_dir.join("client.properties"), app_dir.join("client.properties"));
    let app_password = {
        let text = std::fs::read_to_string(&app).unwrap();
        text.split("password=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string()
    };

    // The ACLs granted in ZooKeeper mode (AclAuthorizer keeps them in ZooKeeper): used once before the migration.
    let text = std::fs::read_to_string(project).unwrap() + ORDERS_ACLS;
    std::fs::write(project, &text).unwrap();
    let granted = ok(world, home, log, &["deploy", p]);
    assert_eq!(granted.matches("add ACL allow User:orders-app").count(), 4, "{granted}");
    let (allowed, out) = as_app(&python, &app, &admin, "orders-before-migration");
    assert!(allowed, "orders-app with its ACLs in ZooKeeper mode:\n{out}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let all_acls = |admin_auth: &KafkaAuth| {
        rt.block_on(async {
            let mut session = AclSession::open(&broker, admin_auth, Duration::from_secs(20)).await.unwrap();
            let mut acls = session.describe_all().await.unwrap();
            acls.sort_by_key(|a| format!("{a:?}"));
            acls
        })
    };
    let acls_in_zookeeper = all_acls(&acls::admin_auth(home, &admin_dir));
    assert!(acls_in_zookeeper.iter().any(|a| a.principal == "User:legacy-app"), "{acls_in_zookeeper:?}");

    // Three dedicated KRaft controllers on the other hosts.
    let without_controllers = text.clone();
    let mut text = text;
    for (i, h) in hosts[3..6].iter().enumerate() {
        text.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"controller\"]\nid = {}\n",
            h.name,
            h.ip,
            101 + i
        ));
    }
    std::fs::write(project, &text).unwrap();
    let dry = ok(world, home, log, &["migrate", "--dry-run", p]);
    assert!(dry.contains("not started") && dry.contains("migration stage migrating"), "{dry}");

    // The store was recovered from the hosts earlier, without the CA key: the new controllers cannot get
    // certificates, and `migrate` is refused naming the way out before any host changes; the CA is rotated.
    let before = invocations(world);
    let (out, refused) = run_wizard(home, &["migrate", p]);
    log.push_str(&refused);
    assert!(!out.status.success() && refused.contains("--rotate-ca"), "{refused}");
    let untouched = world.ssh(&hosts[3].name, "root", "test -e /etc/kafka/server.properties");
    assert!(!untouched.status.success() && invocations(world) == before, "a refused migration touches nothing");
    // (the rotation runs on the hosts as they were, the controllers added back after it)
    std::fs::write(project, &without_controllers).unwrap();
    let t = Instant::now();
    ok(world, home, log, &["deploy", "--rotate-ca", p]);
    eprintln!(
        "MEASURE CA rotation of the ZooKeeper-mode cluster (3 brokers) before its migration: {:.1}s",
        t.elapsed().as_secs_f64()
    );
    // The controllers back in the file: client-config needs only the CA and the passwords, not their certificates
    // (issued when `migrate` deploys them).
    std::fs::write(project, &text).unwrap();
    for (user, dir) in [("admin", &admin_dir), ("orders-app", &app_dir)] {
        wizard(home, log, &["client-config", p, "--user", user, "--out", dir.to_str().unwrap()]);
    }
    let ca = std::fs::read_to_string(admin_dir.join("ca.pem")).unwrap();
    let admin_auth = acls::admin_auth(home, &admin_dir);

    let load =
        super::support::roll_load::RollLoad::start(&python, &["--properties", admin.to_str().unwrap(), "migrate-load"]);
    let t0 = Instant::now();
    let migrated = ok(world, home, log, &["migrate", p]);
    let moved = t0.elapsed().as_secs_f64();
    assert!(migrated.contains("Completed migration of metadata"), "{migrated}");
    let t1 = Instant::now();
    let finalized = ok(world, home, log, &["migrate", "--finalize", p]);
    let finalize = t1.elapsed().as_secs_f64();
    assert!(finalized.contains("now says kafka.mode = \"kraft\""), "{finalized}");
    std::thread::sleep(Duration::from_secs(2));
    let figures = load.stop();
    eprintln!(
        "MEASURE secured (SASL_SSL) ZooKeeper → KRaft migration of 3 brokers + 3 new controllers under load: migrate \
         {moved:.1}s + finalize {finalize:.1}s: sent {}, acked {}, consumed {}, lost {}, duplicates {}, errors {}, \
         producer's longest stall {}s",
        figures["sent"],
        figures["acked"],
        figures["consumed"],
        figures["lost"],
        figures["duplicates"],
        figures["errors"],
        figures["longest_stall"]
    );
    assert!(figures["acked"].as_u64().unwrap() > 100, "the producer kept sending: {figures}");
    assert_eq!(figures["lost"], 0, "every acknowledged record is consumed: {figures}");

    // No ZooKeeper left; every Kafka node authorizes with KRaft's StandardAuthorizer.
    for h in &hosts[..3] {
        let zk = world.ssh(&h.name, "root", "systemctl is-active zookeeper-server; systemctl is-enabled zookeeper-server; pgrep -f '[Q]uorumPeerMain' || true");
        let zk = String::from_utf8_lossy(&zk.stdout).to_string();
        assert_eq!(zk.split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled"], "{}: no ZooKeeper", h.name);
    }
    for (i, h) in hosts.iter().enumerate() {
        let keys = world.ssh_ok(
            &h.name,
            "root",
            "grep -e '^authorizer.class.name=' -e '^zookeeper' -e '^process.roles=' /etc/kafka/server.properties",
        );
        let roles = if i < 3 { "broker" } else { "controller" };
        assert_eq!(
            keys.lines().collect::<Vec<_>>(),
            [
                format!("process.roles={roles}"),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer".to_string()
            ],
            "{}",
            h.name
        );
    }
    let file = std::fs::read_to_string(project).unwrap();
    assert!(file.contains("mode = \"kraft\"") && !file.contains("[zookeeper]"), "{file}");
    checks::healthy_and_smoke(home, log, p, " (migrated to KRaft)");

    // The SCRAM credentials came over: orders-app logs in with the password it had; a wrong one and an unknown
    // user are refused (and no TLS, no SASL).
    let trust = TlsTrust::from_ca_pem(&ca).unwrap();
    let login = |user: &str, password: &str| KafkaAuth {
        tls: Some(trust.clone()),
        sasl: Some(ScramLogin {
            mechanism: ScramMechanism::Sha512,
            username: user.into(),
            password: Secret::new(password.to_string()),
        }),
    };
    let metadata = |auth: &KafkaAuth| rt.block_on(kafka_metadata_with(&broker, auth, Duration::from_secs(10)));
    metadata(&login("orders-app", &app_password)).expect("orders-app logs in with its password after the migration");
    for (user, password) in [("orders-app", "not-the-password-0"), ("nobody-app", app_password.as_str())] {
        let refused = metadata(&login(user, password));
        assert!(matches!(refused, Err(HealthError::AuthenticationFailed { .. })), "{user}: {refused:?}");
    }
    checks::wrong_ways_in_are_refused(&ca, &broker);

    // The ACLs came over: the same set, held by KRaft; orders-app may use its topics and group, and nothing else.
    assert_eq!(all_acls(&admin_auth), acls_in_zookeeper, "the ACLs after the migration are those kept in ZooKeeper");
    let (allowed, out) = as_app(&python, &app, &admin, "orders-after-migration");
    assert!(allowed, "orders-app with its ACLs on KRaft:\n{out}");
    assert!(out.contains(r#""consumed": 20"#), "{out}");
    let (allowed, out) = as_app(&python, &app, &admin, "payments-after-migration");
    assert!(!allowed && out.contains("TopicAuthorizationFailed"), "orders-app on a topic it has no ACL for:\n{out}");
    log.push_str(&out);

    // A no-change deploy of the rewritten project restarts nothing.
    let before = invocations(world);
    let t = Instant::now();
    let text = ok(world, home, log, &["deploy", p]);
    eprintln!("MEASURE no-change re-deploy of the migrated secured cluster: {:.1}s", t.elapsed().as_secs_f64());
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(invocations(world), before, "a migrated cluster re-deployed restarts nothing");

    // No password in the output or on the hosts.
    passwords.extend(super::stored_passwords(home));
    for pw in passwords.iter() {
        assert!(!log.contains(pw.as_str()), "a password is in the wizard's output or the client's");
    }
    let pattern: Vec<String> = passwords.iter().map(|p| format!("-e {}", p)).collect();
    for h in hosts {
        let script = format!(
            "{{ journalctl --no-pager; cat /var/log/kafka/* /etc/kafka/server.properties; }} 2>/dev/null | grep -cF {}",
            pattern.join(" ")
        );
        let count = String::from_utf8_lossy(&world.ssh(&h.name, "root", &script).stdout).trim().to_string();
        assert_eq!(count, "0", "{}: a password is in the journal, a log or server.properties", h.name);
    }
    eprintln!(
        "MEASURE the migration's part of the scenario (ACL deploy, migrate, finalize, every check): {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
