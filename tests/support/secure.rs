//! Checks of a secured (SASL_SSL + SCRAM-SHA-512) cluster shared by the end-to-end files that run one (e2e_secure,
//! e2e_upgrade): the py-client's python, the admin's login read back from a test's secrets store, the wrong ways in
//! refused, and kafka-python (`tests/world/secure_client.py`) as an application user.

use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The py-client virtualenv's python (kafka-python, kazoo), made by `tests/world/prepare.sh`.
pub fn python() -> PathBuf {
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh", python.display());
    python
}

/// stdout then stderr of a finished process, as text.
pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The admin's login, from the secrets store under `home` (`support::wizard`'s layout) and client-config's `ca.pem`.
pub fn admin_auth(home: &Path, admin_dir: &Path) -> KafkaAuth {
    let dir = home.join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let store: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    let password = store["passwords"]["admin"].as_str().unwrap();
    let ca = std::fs::read_to_string(admin_dir.join("ca.pem")).unwrap();
    let sasl =
        ScramLogin { mechanism: ScramMechanism::Sha512, username: "admin".into(), password: Secret::new(password) };
    KafkaAuth { tls: Some(TlsTrust::from_ca_pem(&ca).unwrap()), sasl: Some(sasl) }
}

/// Every wrong way into `broker` is refused: a wrong password, no TLS (with or without SASL), TLS without SASL.
pub fn wrong_ways_in_are_refused(ca_pem: &str, broker: &str) {
    let login = |password: &str| ScramLogin {
        mechanism: ScramMechanism::Sha512,
        username: "admin".into(),
        password: Secret::new(password),
    };
    let trust = TlsTrust::from_ca_pem(ca_pem).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let refused = |auth: KafkaAuth| -> HealthError {
        let err = rt.block_on(kafka_metadata_with(broker, &auth, Duration::from_secs(10))).expect_err("refused");
        eprintln!("[secure] refused: {err}");
        err
    };
    let wrong = KafkaAuth { tls: Some(trust.clone()), sasl: Some(login("not-the-password-0")) };
    assert!(matches!(refused(wrong), HealthError::AuthenticationFailed { .. }));
    assert!(refused(KafkaAuth { tls: None, sasl: Some(login("x")) }).to_string().contains("connect with TLS"));
    refused(KafkaAuth::plaintext());
    assert!(refused(KafkaAuth { tls: Some(trust), sasl: None }).to_string().contains("log in with SASL"));
}

/// kafka-python as the user of `properties` in group orders-readers on `topic`, the topic created by the admin of
/// `admin` (client.properties files); its output and whether it succeeded.
pub fn as_app(properties: &Path, admin: &Path, topic: &str) -> (bool, String) {
    let out = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", properties.to_str().unwrap(), topic, "--group", "orders-readers"])
        .args(["--create-with", admin.to_str().unwrap()])
        .output()
        .unwrap();
    (out.status.success(), text(&out))
}
