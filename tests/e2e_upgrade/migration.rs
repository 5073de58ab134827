//! The upgraded, secured (SASL_SSL + SCRAM-SHA-512, locked ensemble) 3.9 cluster of the ZooKeeper-mode test migrated
//! to KRaft (issue 14 part 4) under an acks=all load from kafka-python logging in as the admin (client-config
//! output): ACLs granted to orders-app in ZooKeeper mode first (AclAuthorizer, kept in ZooKeeper) beside one made by
//! hand for another principal; controllers beside the ensemble (node ids 101–103), `client-config` written before
//! their certificates exist; `migrate` killed in its second stage and resumed, rolled back from KRaft brokers
//! (`migrate --rollback`, [`rolls_back_and_migrates_again`]) and migrated again, then `migrate --finalize`. Then:
//! every acknowledged record consumed; no ZooKeeper runs; every node runs StandardAuthorizer; the project file is
//! KRaft; status healthy and smoke passing; the SCRAM users' credentials and the ACLs came over from ZooKeeper
//! (orders-app logs in with its password and may do what its ACLs allow and nothing more, a wrong password and an
//! unknown user are refused, the wrong ways in refused, the ACL made by hand still there); a no-change deploy restarts
//! nothing; no generated password in the wizard's or the clients' output nor on the hosts.

use super::support::secure::{admin_auth, as_app, wrong_ways_in_are_refused};
use super::support::world::World;
use super::{home, invocations, ok, run_until, wizard, Load, LOG};
use kafka_wizard::health::{kafka_metadata_with, kraft_quorum_with, HealthError};
use kafka_wizard::security::acls::client::AclSession;
use kafka_wizard::security::acls::{AclBinding, ALLOW, ANY_HOST};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ORDERS_ACLS: &str = "\n[[security.acls]]\nuser = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\n\
                           pattern = \"prefixed\"\noperations = [\"write\", \"describe\", \"read\"]\n\
                           \n[[security.acls]]\nuser = \"orders-app\"\nresource = \"group\"\nname = \"orders-readers\"\n\
                           operations = [\"read\"]\n";

/// `client-config` of `user` into `home/client-<user>-<what>`; its client.properties.
fn client_config(p: &str, user: &str, what: &str) -> PathBuf {
    let dir = home().join(format!("client-{user}-{what}"));
    ok(&["client-config", p, "--user", user, "--out", dir.to_str().unwrap()]);
    dir.join("client.properties")
}

/// Every ACL the cluster holds, sorted.
fn all_acls(rt: &tokio::runtime::Runtime, broker: &str, auth: &KafkaAuth) -> Vec<AclBinding> {
    rt.block_on(async {
        let mut session = AclSession::open(broker, auth, Duration::from_secs(20)).await.unwrap();
        let mut acls = session.describe_all().await.unwrap();
        acls.sort_by_key(|a| format!("{a:?}"));
        acls
    })
}

/// Every generated password in the test's secrets store: the SCRAM users' and the ensemble logins'.
fn stored_passwords() -> Vec<String> {
    let dir = home().join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let store: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    let mut passwords = Vec::new();
    for table in ["passwords", "zookeeper"] {
        let values = store[table].as_table().unwrap_or_else(|| panic!("a [{table}] table in the store"));
        passwords.extend(values.values().map(|v| v.as_str().unwrap().to_string()));
    }
    assert!(passwords.len() >= 5, "admin, kafka-broker, orders-app and the ensemble's two logins: {}", passwords.len());
    passwords
}

/// See the module docs. `project` is the guide's layout (h1–h3 ZooKeeper, h4–h6 brokers), `hosts` the world's.
pub fn migrates_to_kraft_under_load(world: &World, project: &Path, hosts: &[String]) {
    let started = Instant::now();
    let p = project.to_str().unwrap();
    let (members, brokers) = (&hosts[..3], &hosts[3..]);
    let broker = format!("{}:9092", world.host(&brokers[0]).ip);
    let rt = tokio::runtime::Runtime::new().unwrap();

    // The ACLs granted in ZooKeeper mode (AclAuthorizer keeps them in ZooKeeper), used once; one of another
    // principal made by hand over the admin's Kafka protocol.
    let text = std::fs::read_to_string(project).unwrap() + ORDERS_ACLS;
    std::fs::write(project, &text).unwrap();
    let granted = ok(&["deploy", p]);
    assert_eq!(granted.matches("add ACL allow User:orders-app").count(), 4, "{granted}");
    let (admin, app) = (client_config(p, "admin", "zookeeper"), client_config(p, "orders-app", "zookeeper"));
    let app_password = {
        let text = std::fs::read_to_string(&app).unwrap();
        text.split("password=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string()
    };
    let admin_auth = admin_auth(home(), admin.parent().unwrap());
    let legacy = AclBinding {
        principal: "User:legacy-app".into(),
        resource_type: 2,
        resource_name: "legacy".into(),
        pattern_type: 3,
        operation: 3,
        permission_type: ALLOW,
        host: ANY_HOST.into(),
    };
    rt.block_on(async {
        let mut session = AclSession::open(&broker, &admin_auth, Duration::from_secs(20)).await.unwrap();
        let answers = session.create(std::slice::from_ref(&legacy)).await.unwrap();
        assert!(answers.iter().all(|(_, refusal)| refusal.is_none()), "{answers:?}");
    });
    let (allowed, out) = as_app(&app, &admin, "orders-before-migration");
    assert!(allowed, "orders-app with its ACLs in ZooKeeper mode:\n{out}");
    LOG.lock().unwrap().push_str(&out);
    let acls_in_zookeeper = all_acls(&rt, &broker, &admin_auth);
    assert!(acls_in_zookeeper.contains(&legacy), "{acls_in_zookeeper:?}");

    let mut text = text;
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
    // client-config with the controllers in the file needs only the CA and the passwords, not their certificates
    // (issued when `migrate` deploys them).
    let (admin, app) = (client_config(p, "admin", "migration"), client_config(p, "orders-app", "migration"));
    let ca = std::fs::read_to_string(admin.parent().unwrap().join("ca.pem")).unwrap();

    // (the load runs from here through the rollback and the second migration to the end of finalize)
    let load = Load::start(&["--properties", admin.to_str().unwrap(), "migrate-load"]);
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
        "MEASURE secured migrate killed in its second stage at {:.1}s: {} of {} broker(s) restarted as KRaft brokers",
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
    let figures = load.stop(
        &format!("secured (SASL_SSL) ZooKeeper → KRaft migration (migrate {moved:.1}s + finalize {finalized:.1}s)"),
        t0.elapsed().as_secs_f64(),
    );
    LOG.lock().unwrap().push_str(&figures.to_string());

    // No ZooKeeper left; every Kafka node a KRaft node without ZooKeeper keys, authorizing with StandardAuthorizer.
    for m in members {
        let zk = world.ssh(m, "root", "systemctl is-active zookeeper-server; systemctl is-enabled zookeeper-server; pgrep -f '[Q]uorumPeerMain' || true");
        let zk = String::from_utf8_lossy(&zk.stdout).to_string();
        assert_eq!(zk.split_whitespace().collect::<Vec<_>>(), ["inactive", "disabled"], "{m}: no ZooKeeper runs");
    }
    for (i, h) in hosts.iter().enumerate() {
        let keys = world.ssh_ok(
            h,
            "root",
            "grep -e '^authorizer.class.name=' -e '^zookeeper' -e '^process.roles=' /etc/kafka/server.properties",
        );
        let roles = if i < 3 { "controller" } else { "broker" };
        assert_eq!(
            keys.lines().collect::<Vec<_>>(),
            [
                format!("process.roles={roles}"),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer".to_string()
            ],
            "{h}"
        );
    }
    let file = std::fs::read_to_string(project).unwrap();
    assert!(
        file.contains("mode = \"kraft\"") && !file.contains("[zookeeper]") && file.contains("cluster_id = "),
        "{file}"
    );
    let quorum = rt.block_on(kraft_quorum_with(&broker, &admin_auth, Duration::from_secs(5))).unwrap();
    assert!((101..=103).contains(&quorum.leader_id), "a KRaft controller leads the quorum: {quorum:?}");
    assert_eq!(quorum.voters.iter().copied().collect::<BTreeSet<i32>>(), BTreeSet::from([101, 102, 103]));
    let (out, text) = wizard(&["status", "--json", p]);
    assert!(out.status.success(), "{text}");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json");
    assert_eq!(status["healthy"], true, "the migrated cluster is healthy: {status}");
    let t = Instant::now();
    ok(&["smoke", p]);
    eprintln!("MEASURE smoke test over SASL_SSL as admin (migrated to KRaft): {:.1}s", t.elapsed().as_secs_f64());

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
    wrong_ways_in_are_refused(&ca, &broker);

    // The ACLs came over: the same set, held by KRaft; orders-app may use its topics and group, and nothing else.
    assert_eq!(
        all_acls(&rt, &broker, &admin_auth),
        acls_in_zookeeper,
        "the ACLs after the migration are those kept in ZooKeeper"
    );
    let (allowed, out) = as_app(&app, &admin, "orders-after-migration");
    assert!(allowed && out.contains(r#""consumed": 20"#), "orders-app with its ACLs on KRaft:\n{out}");
    LOG.lock().unwrap().push_str(&out);
    let (allowed, out) = as_app(&app, &admin, "payments-after-migration");
    assert!(!allowed && out.contains("TopicAuthorizationFailed"), "orders-app on a topic it has no ACL for:\n{out}");
    LOG.lock().unwrap().push_str(&out);

    // A no-change deploy of the rewritten project restarts nothing.
    let before = invocations(world, hosts, "kafka-server");
    let text = ok(&["deploy", p]);
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(invocations(world, hosts, "kafka-server"), before, "a migrated cluster re-deployed restarts nothing");

    // No password in the wizard's or the clients' output, nor in a journal, a log or a Kafka/ZooKeeper file shown.
    let passwords = stored_passwords();
    let log = LOG.lock().unwrap();
    for pw in &passwords {
        assert!(!log.contains(pw.as_str()), "a password is in the wizard's output or the client's");
    }
    let pattern: Vec<String> = passwords.iter().map(|p| format!("-e {}", p)).collect();
    for h in hosts {
        let script = format!(
            "{{ journalctl --no-pager; cat /var/log/kafka/* /var/log/zookeeper/* /etc/kafka/server.properties /etc/kafka/zookeeper.properties; }} 2>/dev/null | grep -cF {}",
            pattern.join(" ")
        );
        let count = String::from_utf8_lossy(&world.ssh(h, "root", &script).stdout).trim().to_string();
        assert_eq!(count, "0", "{h}: a password is in the journal, a log or a shown file");
    }
    eprintln!(
        "MEASURE the secured migration's part of the scenario (ACLs, migrate, kill, rollback, migrate, finalize, every check): {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Apache's rollback once the brokers run as KRaft brokers (`migrate --rollback`, under the caller's SASL_SSL load):
/// the brokers back in plain ZooKeeper mode (their ZooKeeper login and AclAuthorizer back), the controllers stopped
/// with their files moved aside, `/controller` and `/migration` released through ZooKeeper's shell logged in to the
/// locked ensemble, the project without controllers; then the controllers put back into the project and `migrate`
/// run again from fresh controllers.
fn rolls_back_and_migrates_again(world: &World, project: &Path, hosts: &[String], with_controllers: &str) {
    let p = project.to_str().unwrap();
    let (members, brokers) = (&hosts[..3], &hosts[3..]);
    let dry = ok(&["migrate", "--rollback", "--dry-run", p]);
    assert!(dry.contains("roll the brokers back into ZooKeeper mode") && dry.contains("server.properties"), "{dry}");
    let t0 = Instant::now();
    let text = ok(&["migrate", "--rollback", p]);
    let rolled_back = t0.elapsed().as_secs_f64();
    assert!(text.contains("rolled back: the cluster runs in ZooKeeper mode"), "{text}");
    // Through the locked ensemble (the znodes' ACLs are the brokers' login's): the KRaft controller held /controller.
    assert!(
        text.contains("deleted /controller (held by KRaft controller 10") && text.contains("deleted /migration"),
        "{text}"
    );
    for b in brokers {
        let keys = world.ssh_ok(
            b,
            "root",
            "grep -c -e '^process.roles' -e '^zookeeper.metadata.migration.enable' -e '^controller.quorum' -e '^zookeeper.connect=' /etc/kafka/server.properties || true",
        );
        assert_eq!(keys.trim(), "1", "{b}: a plain ZooKeeper-mode broker (zookeeper.connect only)");
        let secured = world.ssh_ok(
            b,
            "root",
            "grep -c -e '^authorizer.class.name=kafka.security.authorizer.AclAuthorizer$' -e '^zookeeper.set.acl=true$' /etc/kafka/server.properties; grep -c '^Client {' /etc/kafka/kafka-server-jaas.conf",
        );
        assert_eq!(
            secured.split_whitespace().collect::<Vec<_>>(),
            ["2", "1"],
            "{b}: AclAuthorizer, the ensemble login"
        );
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
        "MEASURE secured migration rolled back from KRaft brokers in {rolled_back:.1}s, migrated again from fresh controllers in {:.1}s",
        t1.elapsed().as_secs_f64()
    );
}
