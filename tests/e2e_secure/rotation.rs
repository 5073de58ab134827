//! Scenario on the secured KRaft cluster of `e2e_secure.rs`: CA rotation (`deploy --rotate-ca`) after the secrets
//! store's recovery lost the CA key, and after a SCRAM user was removed. A first run is interrupted (Ctrl-C) as its
//! first pass begins; a client built from
//! `client-config` (both CAs now) starts `tests/world/roll_load.py`'s acks=all load; the re-run finishes the rotation
//! under that load — every acknowledged record consumed, the producer's longest stall printed. Then every broker
//! presents a certificate of the new CA only, a fresh `client-config` (the new CA alone) produces and consumes with
//! kafka-python, the app's CA display names the new CA, the store holds its key again (a certificate can be issued),
//! and the next deploy changes and restarts nothing.

use super::*;
use kafka_wizard::health::kafka_metadata_with;
use kafka_wizard::security::pki::{inspect_certificate, ClusterCa};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::io::BufRead;
use std::time::Duration;

/// The store's only file, parsed.
fn store(home: &Path) -> toml::Table {
    let dir = home.join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    std::fs::read_to_string(file).unwrap().parse().unwrap()
}

/// `deploy --rotate-ca --json`, interrupted with SIGINT once the first rotation pass starts.
fn interrupted_at_the_first_pass(home: &Path, log: &mut String, project: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["deploy", "--rotate-ca", "--json", project])
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", world::trusting_config_home())
        .env("XDG_DATA_HOME", home.join("data"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        if line.contains(r#""event":"phase_started""#) && line.contains(r#""phase":"ca-trust-both""#) {
            break;
        }
    }
    assert!(line.contains("ca-trust-both"), "the first rotation pass never started:\n{line}");
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let result = child.wait_with_output().unwrap();
    let text = format!("{line}{}{}", String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    eprintln!("[wizard] deploy --rotate-ca (interrupted) -> {}\n{text}", result.status);
    log.push_str(&text);
    assert!(!result.status.success() && text.contains("cancel"), "the interrupted run ends cancelled:\n{text}");
    assert!(store(home).contains_key("ca_next"), "the new CA is in the store from the first moment");
}

pub fn rotate_ca_under_load(world: &World, home: &Path, log: &mut String, p: &str, python: &Path) {
    let old_ca = store(home)["ca"]["cert"].as_str().unwrap().to_string();
    assert!(store(home).contains_key("ca_key_lost"), "the recovery before this lost the CA key");
    interrupted_at_the_first_pass(home, log, p);

    // A client configured now trusts both CAs, and keeps working through the rest of the rotation.
    let load_dir = home.join("client-admin-rotation");
    wizard(home, log, &["client-config", p, "--user", "admin", "--out", load_dir.to_str().unwrap()]);
    let both = std::fs::read_to_string(load_dir.join("ca.pem")).unwrap();
    assert_eq!(both.matches("BEGIN CERTIFICATE").count(), 2, "during the rotation ca.pem holds both CAs");
    let properties = load_dir.join("client.properties");
    let load =
        support::roll_load::RollLoad::start(python, &["--properties", properties.to_str().unwrap(), "rotation-load"]);
    std::thread::sleep(Duration::from_secs(3));

    let t0 = Instant::now();
    let (out, text) = run_wizard(home, &["deploy", "--rotate-ca", p]);
    log.push_str(&text);
    let took = t0.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(3));
    let figures = load.stop();
    if !out.status.success() {
        kafka_errors(world);
        panic!("deploy --rotate-ca failed:\n{text}");
    }
    eprintln!(
        "MEASURE CA rotation (resumed after the first pass began) of 3 KRaft nodes under load in {took:.1}s: sent {}, \
         acked {}, consumed {}, duplicates {}, lost {}, errors {}, producer's longest stall {}s",
        figures["sent"],
        figures["acked"],
        figures["consumed"],
        figures["duplicates"],
        figures["lost"],
        figures["errors"],
        figures["longest_stall"]
    );
    assert!(text.contains("the CA rotation is done"), "{text}");
    assert!(figures["acked"].as_u64().unwrap() > 100, "the producer kept sending: {figures}");
    assert_eq!(figures["lost"], 0, "every acknowledged record is consumed: {figures}");

    // The store: the new CA with its key, nothing lost, no rotation left.
    let after = store(home);
    assert!(
        !after.contains_key("ca_next") && !after.contains_key("ca_key_lost"),
        "{:?}",
        after.keys().collect::<Vec<_>>()
    );
    let new_ca = after["ca"]["cert"].as_str().unwrap().to_string();
    assert_ne!(new_ca, old_ca);
    let ca = ClusterCa::from_pem(new_ca.clone(), Secret::new(after["ca"]["key"].as_str().unwrap())).unwrap();
    ca.issue_host("kafka-broker", &["h-new.example".into()]).expect("a new certificate can be issued again");

    // Every broker presents a certificate of the new CA: verified against it alone; the old CA alone is refused.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let admin_password = after["passwords"]["admin"].as_str().unwrap();
    let trusting = |ca_pem: &str, broker: &str| {
        let login = ScramLogin {
            mechanism: ScramMechanism::Sha512,
            username: "admin".into(),
            password: Secret::new(admin_password),
        };
        let auth = KafkaAuth { tls: Some(TlsTrust::from_ca_pem(ca_pem).unwrap()), sasl: Some(login) };
        rt.block_on(kafka_metadata_with(broker, &auth, Duration::from_secs(10)))
    };
    for h in world.hosts() {
        let broker = format!("{}:9092", h.ip);
        assert!(trusting(&new_ca, &broker).is_ok(), "{broker} presents a certificate of the new CA");
        assert!(trusting(&old_ca, &broker).is_err(), "{broker} no longer presents the old CA's certificate");
        let trust = world.ssh_ok(&h.name, "root", "grep -c 'BEGIN CERTIFICATE' /etc/kafka/tls/ca.pem");
        assert_eq!(trust.trim(), "1", "{}: the old CA left the truststore", h.name);
    }

    // A fresh client-config: the new CA alone; kafka-python produces and consumes.
    let fresh = home.join("client-admin-rotated");
    wizard(home, log, &["client-config", p, "--user", "admin", "--out", fresh.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(fresh.join("ca.pem")).unwrap().trim(), new_ca.trim());
    let client = checks::secure_client(&fresh.join("client.properties"), "after-rotation");
    let output = format!("{}{}", String::from_utf8_lossy(&client.stdout), String::from_utf8_lossy(&client.stderr));
    log.push_str(&output);
    assert!(client.status.success() && output.contains(r#""consumed": 20"#), "after the rotation:\n{output}");

    // The app's CA display names the new CA.
    let spec = kafka_wizard::project::file::load(Path::new(p)).unwrap().validation.spec.unwrap();
    let shown = kafka_wizard::security::ca_info::ca_info_in(&spec, &home.join("data/kafka-wizard/secrets"));
    let fingerprint = inspect_certificate(&new_ca, "the new CA").unwrap().sha256_fingerprint;
    assert_eq!(shown.unwrap().unwrap().sha256_fingerprint, fingerprint);

    // The next deploy: no changes, nothing restarted.
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    let out = deploy(world, home, log, p);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("no changes"), "a deploy after the rotation changes nothing:\n{text}");
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    assert_eq!(before, after, "nothing restarted");
}

/// Each host's last Kafka errors and warnings (printed when a run failed).
fn kafka_errors(world: &World) {
    for h in world.hosts() {
        let cmd = "grep -h -E 'ERROR|WARN' /var/log/kafka/server.log | grep -v 'combined' | tail -n 25";
        let errors = world.ssh(&h.name, "root", cmd);
        eprintln!("--- {} server.log:\n{}", h.name, String::from_utf8_lossy(&errors.stdout));
    }
}
