//! Scenario on the secured cluster of `e2e_secure.rs` (issue 10, secrets): `export` holds no password or key without
//! `--include-secrets` and the real ones (0600) with it; after the local secrets store is deleted, `deploy` is refused
//! naming `--recover-secrets`; `deploy --recover-secrets` rebuilds the store from the hosts and resets the admin's
//! and orders-app's passwords on the running cluster without restarting anything; then status is healthy, smoke
//! passes, the admin works with its new password (kafka-python from client-config), and orders-app's old password is
//! refused while the new one logs in. Returns the new passwords, for the test's final grep.

use super::*;
use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::time::Duration;

/// The store's password of `user`.
fn stored_password(home: &Path, user: &str) -> String {
    let dir = home.join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let store: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    store["passwords"][user].as_str().unwrap().to_string()
}

/// Runs `secure_client.py --properties` and returns (success, output).
fn client(python: &Path, properties: &Path, topic: &str) -> (bool, String) {
    let out = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", properties.to_str().unwrap(), topic])
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

pub fn export_and_recovery(world: &World, home: &Path, log: &mut String, p: &str, python: &Path) -> Vec<String> {
    let old: Vec<(String, String)> =
        ["admin", "kafka-broker", "orders-app"].iter().map(|u| (u.to_string(), stored_password(home, u))).collect();
    let grep_count = |dir: &Path, needles: &[&str]| -> String {
        let args: Vec<String> = needles.iter().flat_map(|n| ["-e".to_string(), n.to_string()]).collect();
        let out = Command::new("grep").arg("-rlF").args(&args).arg(dir).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count().to_string()
    };
    let olds: Vec<&str> = old.iter().map(|(_, p)| p.as_str()).collect();

    // export: placeholders without --include-secrets, the real files (0600) with it.
    let plain = home.join("export-plain");
    wizard(home, log, &["export", p, "--out", plain.to_str().unwrap()]);
    assert_eq!(grep_count(&plain, &["PRIVATE KEY-----"]), "0", "a key in the export");
    assert_eq!(grep_count(&plain, &olds), "0", "a password in the export");
    let with = home.join("export-secrets");
    let t = Instant::now();
    let out = wizard(home, log, &["export", p, "--out", with.to_str().unwrap(), "--include-secrets"]);
    eprintln!("MEASURE export --include-secrets: {:.2}s", t.elapsed().as_secs_f64());
    assert!(String::from_utf8_lossy(&out.stderr).contains("now holds secrets"), "the warning");
    let host0 = &world.hosts()[0].name;
    let node = with.join(format!("{host0}/etc/kafka/tls/node.pem"));
    assert!(std::fs::read_to_string(&node).unwrap().contains("BEGIN PRIVATE KEY"));
    assert_eq!(std::fs::metadata(&node).unwrap().permissions().mode() & 0o777, 0o600);
    let on_host = world.ssh_ok(host0, "root", "cat /etc/kafka/tls/node.pem /etc/kafka/kafka-server-jaas.conf");
    let exported = format!(
        "{}{}",
        std::fs::read_to_string(&node).unwrap(),
        std::fs::read_to_string(with.join(format!("{host0}/etc/kafka/kafka-server-jaas.conf"))).unwrap()
    );
    assert_eq!(exported, on_host, "the exported secret files are the host's");
    assert_eq!(grep_count(&with, &[old[1].1.as_str()]), world.hosts().len().to_string(), "each JAAS file");
    std::fs::remove_dir_all(&with).unwrap();

    // The store is lost: deploy is refused, naming the recovery, and makes no store.
    let store_dir = lose_the_store_and_be_refused(home, log, p);

    // Recovered from the hosts: nothing restarts, the users get new passwords.
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    let t = Instant::now();
    let (out, text) = run_wizard(home, &["deploy", "--recover-secrets", p]);
    log.push_str(&text);
    assert!(out.status.success(), "deploy --recover-secrets failed:\n{text}");
    eprintln!("MEASURE deploy --recover-secrets (3 hosts read, 2 passwords reset): {:.1}s", t.elapsed().as_secs_f64());
    assert!(text.contains("recovered the lost secrets store from the hosts"), "{text}");
    assert!(text.contains("new passwords for SCRAM users admin, orders-app"), "{text}");
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    let restarted = before.iter().zip(&after).filter(|(b, a)| b != a).count();
    eprintln!("MEASURE restarts during the recovery: {restarted}");
    assert_eq!(restarted, 0, "the recovered store renders the hosts' files: nothing restarts");
    let new: Vec<(String, String)> = old.iter().map(|(u, _)| (u.clone(), stored_password(home, u))).collect();
    assert_eq!(new[1], old[1], "the brokers' own password comes back from the hosts");
    assert!(new[0].1 != old[0].1 && new[2].1 != old[2].1, "admin and orders-app get new passwords");
    let store_file = std::fs::read_dir(&store_dir).unwrap().next().unwrap().unwrap().path();
    assert!(std::fs::read_to_string(store_file).unwrap().contains("ca_key_lost"));

    let status = wizard(home, log, &["status", "--json", p]);
    let st: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(st["healthy"], true, "{st}");
    wizard(home, log, &["smoke", p]);

    // The admin with its new password, through a third-party client built from client-config.
    let admin_dir = home.join("client-admin-recovered");
    wizard(home, log, &["client-config", p, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    let (ok, output) = client(python, &admin_dir.join("client.properties"), "secure-recovered");
    log.push_str(&output);
    assert!(ok && output.contains(r#""consumed": 20"#), "admin after the recovery:\n{output}");

    // orders-app: the old password is refused, the new one logs in (then meets the ACLs).
    let app_dir = home.join("client-orders-app-recovered");
    wizard(home, log, &["client-config", p, "--user", "orders-app", "--out", app_dir.to_str().unwrap()]);
    let props = app_dir.join("client.properties");
    let (ok, output) = client(python, &props, "orders-recovered");
    log.push_str(&output);
    let authenticated = ok || output.contains("AuthorizationFailed");
    assert!(authenticated, "orders-app's new password:\n{output}");
    let old_props = app_dir.join("old.properties");
    std::fs::write(&old_props, std::fs::read_to_string(&props).unwrap().replace(&new[2].1, &old[2].1)).unwrap();
    let (ok, output) = client(python, &old_props, "orders-recovered");
    std::fs::remove_file(&old_props).unwrap();
    log.push_str(&output);
    assert!(!ok && !output.contains("AuthorizationFailed"), "orders-app's old password must not log in:\n{output}");
    let ca = std::fs::read_to_string(app_dir.join("ca.pem")).unwrap();
    let broker = format!("{}:9092", world.hosts()[0].ip);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let with_password = |password: &str| {
        let login = ScramLogin {
            mechanism: ScramMechanism::Sha512,
            username: "orders-app".into(),
            password: Secret::new(password),
        };
        let auth = KafkaAuth { tls: Some(TlsTrust::from_ca_pem(&ca).unwrap()), sasl: Some(login) };
        rt.block_on(kafka_metadata_with(&broker, &auth, Duration::from_secs(10)))
    };
    assert!(matches!(with_password(&old[2].1), Err(HealthError::AuthenticationFailed { .. })));
    assert!(with_password(&new[2].1).is_ok(), "orders-app logs in with the new password");
    new.into_iter().map(|(_, p)| p).collect()
}
