#![cfg(feature = "e2e")]
//! End to end, a secured cluster: three combined KRaft nodes of Kafka 4.x deployed from a project file with
//! `[security]` (SASL_SSL, SCRAM-SHA-512, the wizard's own CA) by the real binary. Then: `status` healthy and `smoke`
//! passing (the wizard logs in as the admin over TLS + SCRAM); a third-party client (kafka-python) built only from
//! `client-config` output produces and consumes on an RF=3 topic with hostname verification; an application user
//! without ACLs is denied, then `[[security.acls]]` are applied by re-deploys (`e2e_secure/acls.rs`: granted, used,
//! one revoked, others' kept); no TLS / no SASL / a wrong password are refused; a no-change re-deploy restarts
//! nothing and changes no ACL; no generated password is in any output, log, the project file or the export.
//! `e2e_secure/users.rs`: a SCRAM user added to the formatted cluster and removed again, with its ACLs.
//! `e2e_secure/secrets.rs`: export with and without `--include-secrets`, and a lost secrets store recovered from
//! the hosts.

#[path = "e2e_secure/acls.rs"]
mod acls;
mod support;

#[path = "e2e_secure/secrets.rs"]
mod secrets;

#[path = "e2e_secure/users.rs"]
mod users;

use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
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
        }
        panic!("deploy failed:\n{text}");
    }
    log.push_str(&text);
    out
}

fn run_wizard(home: &Path, args: &[&str]) -> (Output, String) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .expect("run kafka-wizard");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("[wizard] {} -> {} in {:.1}s\n{text}", args.join(" "), out.status, started.elapsed().as_secs_f64());
    (out, text)
}

fn secure_project(world: &World, mirror: &Mirror, dir: &Path) -> PathBuf {
    let base = format!("{}/kafka", mirror.base_url());
    let inv = world.inventory();
    let mut s = format!(
        "format = 1\nname = \"e2e-secure\"\n\n[kafka]\nversion = \"{v}\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         [security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\nusers = [\"orders-app\"]\n\n\
         [ssh]\nuser = \"root\"\nidentity_file = \"{id}\"\nknown_hosts = \"{kh}\"\n",
        v = world::KAFKA_4,
        id = inv.identity_file.display(),
        kh = inv.known_hosts.display()
    );
    for (i, h) in world.hosts().iter().enumerate() {
        s.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"broker\", \"controller\"]\nid = {}\n",
            h.name,
            h.ip,
            i + 1
        ));
    }
    let path = dir.join("secure.toml");
    std::fs::write(&path, s).unwrap();
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

    let status = wizard(home, &mut log, &["status", "--json", p]);
    let st: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(st["healthy"], true, "{st}");
    let t = Instant::now();
    wizard(home, &mut log, &["smoke", p]);
    eprintln!("MEASURE smoke test over SASL_SSL as admin: {:.1}s", t.elapsed().as_secs_f64());

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
    let admin_dir = home.join("client-admin");
    wizard(home, &mut log, &["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    for f in ["client.properties", "ca.pem"] {
        assert_eq!(std::fs::metadata(admin_dir.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh", python.display());
    let started = Instant::now();
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", admin_dir.join("client.properties").to_str().unwrap(), "secure-orders"])
        .output()
        .unwrap();
    let client = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "secure_client.py failed:\n{client}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"produced": 20, "consumed": 20, "replicas": [3]}"#);
    eprintln!("MEASURE kafka-python client-config roundtrip (RF=3): {:.1}s", started.elapsed().as_secs_f64());
    log.push_str(&client);

    // An application user without ACLs logs in but is denied (StandardAuthorizer, no allow-everyone).
    let app_dir = home.join("client-orders-app");
    wizard(home, &mut log, &["client-config", p, "--user", "orders-app", "--out", app_dir.to_str().unwrap()]);
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", app_dir.join("client.properties").to_str().unwrap(), "orders-denied"])
        .output()
        .unwrap();
    let denied = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success() && denied.contains("AuthorizationFailed"), "orders-app without ACLs:\n{denied}");
    log.push_str(&denied);
    acls::granted_used_revoked_and_others_kept(&world, home, &mut log, &project, &python, &admin_dir, &app_dir);

    // Every wrong way in is refused: no TLS, TLS without SASL, a wrong password.
    let ca = std::fs::read_to_string(admin_dir.join("ca.pem")).unwrap();
    let broker = format!("{}:9092", world.hosts()[0].ip);
    let login = |password: &str| ScramLogin {
        mechanism: ScramMechanism::Sha512,
        username: "admin".into(),
        password: Secret::new(password),
    };
    let trust = TlsTrust::from_ca_pem(&ca).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let refused = |auth: KafkaAuth| -> HealthError {
        let err = rt.block_on(kafka_metadata_with(&broker, &auth, Duration::from_secs(10))).expect_err("refused");
        eprintln!("[e2e_secure] refused: {err}");
        err
    };
    let wrong = KafkaAuth { tls: Some(trust.clone()), sasl: Some(login("not-the-password-0")) };
    assert!(matches!(refused(wrong), HealthError::AuthenticationFailed { .. }));
    assert!(refused(KafkaAuth { tls: None, sasl: Some(login("x")) }).to_string().contains("connect with TLS"));
    refused(KafkaAuth::plaintext());
    assert!(refused(KafkaAuth { tls: Some(trust), sasl: None }).to_string().contains("log in with SASL"));

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

    // Export with and without secrets; a lost secrets store refused, then recovered from the hosts.
    passwords.extend(secrets::export_and_recovery(&world, home, &mut log, p, &python));

    // No generated password anywhere but the store, the hosts' secret files and client-config's output.
    let export = home.join("export");
    wizard(home, &mut log, &["export", p, "--out", export.to_str().unwrap()]);
    wizard(home, &mut log, &["deploy", "--dry-run", p]);
    let patterns: Vec<String> = passwords.iter().flat_map(|p| ["-e".to_string(), p.clone()]).collect();
    let grep = Command::new("grep").arg("-rqF").args(&patterns).arg(&export).arg(&project).status().unwrap();
    assert_eq!(grep.code(), Some(1), "a password is in the project file or the export");
    for pw in &passwords {
        assert!(!log.contains(pw.as_str()), "a password is in the wizard's output or the client's");
    }
    let pattern = patterns.join(" ");
    for h in world.hosts() {
        let found = world.ssh(
            &h.name,
            "root",
            &format!(
                "{{ journalctl --no-pager; cat /var/log/kafka/* /etc/kafka/server.properties /etc/kafka/kafka-server.env; }} 2>/dev/null | grep -cF {pattern}"
            ),
        );
        let count = String::from_utf8_lossy(&found.stdout).trim().to_string();
        assert_eq!(count, "0", "{}: a password is in the journal, Kafka's logs or a shown file", h.name);
    }
}
