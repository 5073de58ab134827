#![cfg(feature = "e2e")]
//! End to end, a secured cluster: three combined KRaft nodes of Kafka 4.x deployed from a project file with
//! `[security]` (SASL_SSL, SCRAM-SHA-512, the wizard's own CA) by the real binary. Then: `status` healthy and `smoke`
//! passing (the wizard logs in as the admin over TLS + SCRAM); a third-party client (kafka-python) built only from
//! `client-config` output produces and consumes on an RF=3 topic with hostname verification; an application user
//! without ACLs is denied, then `[[security.acls]]` are applied by re-deploys (`e2e_secure/acls.rs`: granted, used,
//! one revoked, others' kept); no TLS / no SASL / a wrong password are refused, and the controller listener refuses
//! a client without a certificate from the cluster's CA (plaintext or TLS); a no-change re-deploy restarts
//! nothing and changes no ACL; a rebalance runs as the admin over TLS + SCRAM; no generated password is in any
//! output, log, the project file or the export.
//! `e2e_secure/provided.rs`: then, on the same hosts wiped, `ca = "provided"` with openssl-made certificates.
//! `e2e_secure/users.rs`: a SCRAM user added to the formatted cluster and removed again, with its ACLs.
//! `e2e_secure/secrets.rs`: export with and without `--include-secrets`, and a lost secrets store recovered from
//! the hosts (its CA key lost); `e2e_secure/rotation.rs`: then the CA rotated (`--rotate-ca`, interrupted once,
//! resumed under an acks=all load), every node restarted after the user's removal and logged in to. `e2e_secure/zookeeper.rs`: the same for a ZooKeeper-mode cluster (Kafka 3.9), with a locked ensemble, its
//! migration refused for the recovered store's missing CA key and its CA rotated (a secured migration to KRaft, rolled
//! back and done again under a SASL_SSL load, is e2e_upgrade's ZooKeeper-mode test).

#[path = "e2e_secure/acls.rs"]
mod acls;
mod support;

#[path = "e2e_secure/checks.rs"]
mod checks;
#[path = "e2e_secure/provided.rs"]
mod provided;
#[path = "e2e_secure/rotation.rs"]
mod rotation;
#[path = "e2e_secure/secrets.rs"]
mod secrets;
#[path = "e2e_secure/zookeeper.rs"]
mod zookeeper;

#[path = "e2e_secure/users.rs"]
mod users;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;
use support::wizard::run_wizard;
use support::world::{self, Mirror, World};

/// Runs the wizard with its download cache and data directory (the secrets store) under `home`; every run's
/// output is appended to `log`, which the test greps for passwords at the end.
fn wizard(home: &Path, log: &mut String, args: &[&str]) -> Output {
    let (out, text) = run_wizard(home, args);
    assert!(out.status.success(), "kafka-wizard {} failed:\n{text}", args.join(" "));
    log.push_str(&text);
    out
}

/// `deploy`; when it fails, Kafka's own errors on each host are printed before the test fails.
fn deploy(world: &World, home: &Path, log: &mut String, project: &str) -> Output {
    let (out, text) = run_wizard(home, &["deploy", project]);
    if !out.status.success() {
        for h in world.hosts() {
            let errors = world.ssh(&h.name, "root", "grep -h -m 12 -E -A3 'ERROR|FATAL' /var/log/kafka/server.log");
            eprintln!("--- {} server.log errors:\n{}", h.name, String::from_utf8_lossy(&errors.stdout));
            let zookeeper = world.ssh(&h.name, "root", "journalctl -u zookeeper-server -n 15 --no-pager -o cat");
            eprintln!("--- {} zookeeper-server:\n{}", h.name, String::from_utf8_lossy(&zookeeper.stdout));
        }
        panic!("deploy failed:\n{text}");
    }
    log.push_str(&text);
    out
}

fn secure_project(world: &World, mirror: &Mirror, dir: &Path) -> PathBuf {
    let security = "[security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\n\
                    users = [\"orders-app\"]\n\n";
    let text = world::kraft_project(world, mirror, "e2e-secure", security, &world.inventory().known_hosts);
    let path = dir.join("secure.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every password in the cluster's secrets store (its only file).
fn stored_passwords(home: &Path) -> Vec<String> {
    let dir = home.join("data/kafka-wizard/secrets");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    let store: toml::Table = std::fs::read_to_string(&files[0]).unwrap().parse().unwrap();
    let passwords: Vec<String> =
        store["passwords"].as_table().unwrap().values().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(passwords.len(), 3, "admin, kafka-broker, orders-app");
    passwords
}

/// The secrets store lost (its files deleted): `deploy` is refused naming `--recover-secrets` and makes no store.
/// Returns the store's directory.
fn lose_the_store_and_be_refused(home: &Path, log: &mut String, project: &str) -> PathBuf {
    let store_dir = home.join("data/kafka-wizard/secrets");
    for f in std::fs::read_dir(&store_dir).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let (out, text) = run_wizard(home, &["deploy", project]);
    log.push_str(&text);
    assert!(!out.status.success() && text.contains("--recover-secrets"), "refused naming the recovery:\n{text}");
    assert_eq!(std::fs::read_dir(&store_dir).unwrap().count(), 0, "a refused run makes no store");
    store_dir
}

fn invocation(world: &World, host: &str) -> String {
    world.ssh_ok(host, "root", "systemctl show -p InvocationID --value kafka-server").trim().to_string()
}

#[test]
fn a_sasl_ssl_kraft_cluster_deploys_admits_only_its_users_over_verified_tls_and_leaks_no_password() {
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let project = secure_project(&world, &mirror, home);
    let p = project.to_str().unwrap();
    let mut log = String::new();

    let t0 = Instant::now();
    let out = deploy(&world, home, &mut log, p);
    eprintln!("MEASURE fresh 3-node secure KRaft deploy: {:.1}s", t0.elapsed().as_secs_f64());
    assert!(String::from_utf8_lossy(&out.stderr).contains("secrets store"), "the new store is told");
    let mut passwords = stored_passwords(home);

    checks::healthy_and_smoke(home, &mut log, p, "");

    // On the hosts: keys and the JAAS file root:kafka 0640; server.properties holds no password.
    for h in world.hosts() {
        let modes = world.ssh_ok(
            &h.name,
            "root",
            "stat -c '%U:%G %a %n' /etc/kafka/tls/node.pem /etc/kafka/kafka-server-jaas.conf /etc/kafka/tls/ca.pem",
        );
        assert_eq!(
            modes.lines().map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>(),
            ["root:kafka 640", "root:kafka 640", "root:root 644"],
            "{modes}"
        );
    }

    // A third-party client from client-config output only: RF=3 topic, produce and consume, hostname verified.
    let admin_dir = checks::admin_client_roundtrip(home, &mut log, p, "");

    // An application user without ACLs logs in but is denied (StandardAuthorizer, no allow-everyone).
    checks::denied_without_acls(home, &mut log, p, "orders-app");
    let app_dir = home.join("client-orders-app");
    let python = checks::python();
    acls::granted_used_revoked_and_others_kept(&world, home, &mut log, &project, &python, &admin_dir, &app_dir);

    // Every wrong way in is refused: no TLS, TLS without SASL, a wrong password.
    let ca = std::fs::read_to_string(admin_dir.join("ca.pem")).unwrap();
    checks::wrong_ways_in_are_refused(&ca, &format!("{}:9092", world.hosts()[0].ip));
    // The controller listener (SSL, client certificates required) refuses a client without one.
    checks::controller_listener_refuses_without_a_certificate(&world, home, "h1", &world.hosts()[1].ip);

    // A no-change re-deploy restarts nothing.
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name)).collect();
    let out = deploy(&world, home, &mut log, p);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("no changes"), "a second deploy changes nothing");
    acls::no_acl_change(&text);
    users::no_user_change(&text);
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(&world, &h.name)).collect();
    assert_eq!(before, after, "nothing restarted");

    // A user added to and removed from the formatted cluster by re-deploys.
    passwords.push(users::added_and_removed(&world, home, &mut log, &project, &python, &admin_dir));

    // Export with and without secrets; a lost secrets store refused, then recovered from the hosts (the CA key is
    // lost with it).
    passwords.extend(secrets::export_and_recovery(&world, home, &mut log, p, &python));

    // A new CA rolled onto every node (interrupted once, resumed under load): the way back to a CA with a key after
    // the recovery. Its three rolling passes restart every node after the user's removal above, and each broker is
    // then logged in to as the admin (a KRaft deletion of a SCRAM credential once made a restarted node refuse every
    // SCRAM login: docs/facts/kafka.md §21).
    rotation::rotate_ca_under_load(&world, home, &mut log, p, &python);
    // Clients configured before the rotation trust only the old CA: the admin's configuration is written again.
    wizard(home, &mut log, &["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    // Reassignment requests (ListPartitionReassignments, IncrementalAlterConfigs, ElectLeaders) as the admin over
    // TLS + SCRAM: every node holds every replica here, so a rebalance has at most leadership order to change.
    let out = wizard(home, &mut log, &["rebalance", p, "--dry-run"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("elect preferred leaders"), "the plan is printed");
    let out = wizard(home, &mut log, &["rebalance", p]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("rebalance: ") && text.contains("remove the replication throttle"), "{text}");

    // No generated password anywhere but the store, the hosts' secret files and client-config's output.
    let shown = "/var/log/kafka/* /etc/kafka/server.properties /etc/kafka/kafka-server.env";
    // Every run that could change the cluster left its run log (JSON lines) under the user's state directory; they
    // are searched for passwords with the rest.
    let runs = home.join("state/kafka-wizard/runs/e2e-secure");
    let mut kept = 0;
    for file in std::fs::read_dir(&runs).unwrap() {
        let file = file.unwrap().path();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "{}", file.display());
        log.push_str(&std::fs::read_to_string(&file).unwrap());
        kept += 1;
    }
    eprintln!("MEASURE run logs kept for the secured KRaft cluster: {kept}");
    assert!(kept >= 10, "every deploy left a run log: {kept} in {}", runs.display());
    checks::no_password_leaks(&world, home, &project, &mut log, &passwords, shown);

    // The same hosts, wiped, with the operator's own CA and host certificates (openssl): refused when wrong, then a
    // cluster a client built from client-config output uses.
    provided::a_provided_ca_cluster_from_openssl_files(&world, &mirror, home, &mut log);
}
