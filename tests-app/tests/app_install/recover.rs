//! Issue 10 (app): Manage's Recover secrets… in the real window, on the cluster the test installed. The app's
//! secrets store is deleted behind its back; Recover secrets… asks first (naming the project, that the hosts are read
//! as root, that passwords are new and the CA key cannot come back), then rebuilds the store from the hosts with
//! nothing restarted (systemd's InvocationIDs). Proven from outside the app: a new store file (0600), orders-app's
//! former password refused by a broker, and the password of a Client config… written now admitted.

use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use kafka_wizard_app_e2e::{click, shot, wait_text};
use std::path::Path;
use std::time::{Duration, Instant};

use super::world::World;

/// The login of a client.properties Client config… wrote (its user and password), trusting the CA file beside it.
pub fn login(properties: &Path) -> KafkaAuth {
    let text = std::fs::read_to_string(properties).unwrap();
    let quoted = |key: &str| text.split(&format!("{key}=\"")).nth(1).and_then(|rest| rest.split('"').next()).unwrap();
    let ca = std::fs::read_to_string(properties.with_file_name("ca.pem")).unwrap();
    let sasl = ScramLogin {
        mechanism: ScramMechanism::Sha512,
        username: quoted("username").into(),
        password: Secret::new(quoted("password")),
    };
    KafkaAuth { tls: Some(TlsTrust::from_ca_pem(&ca).unwrap()), sasl: Some(sasl) }
}

/// Recover secrets… from Manage; `before`: the client.properties of orders-app Client config… wrote earlier.
pub async fn recover_secrets_from_manage(c: &fantoccini::Client, world: &World, dir: &Path, before: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let t_all = Instant::now();
    let broker = format!("{}:9092", world.hosts()[0].ip);
    let store = kafka_wizard_app_e2e::target_dir().join("xdg-e2e/data/kafka-wizard/secrets");
    let files: Vec<_> = std::fs::read_dir(&store).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "one store: {files:?}");
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let running = super::invocation_ids(world);

    click(c, "#op-recover-secrets").await;
    let question =
        wait_text(c, ".overlay .dialog p", "Recover the secrets store of app-kraft", Duration::from_secs(5)).await;
    for words in ["as root over SSH", "NEW passwords", "Nothing is restarted", "cannot be recovered"] {
        assert!(question.contains(words), "{words}: {question}");
    }
    shot(c, "7-manage-recover-confirm").await;
    let t0 = Instant::now();
    click(c, "#dialog-yes").await;
    let result = wait_text(c, "#op-result", "", Duration::from_secs(300)).await;
    let recover_secs = t0.elapsed().as_secs_f64();
    shot(c, "7-manage-recover-done").await;
    assert!(result.contains("Secrets store recovered from the hosts"), "{result}");
    wait_text(c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    assert_eq!(super::invocation_ids(world), running, "the recovery restarted nothing");
    let files: Vec<_> = std::fs::read_dir(&store).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "a new store: {files:?}");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600);

    // orders-app's former password is refused; the one a Client config… writes now logs in.
    let refused = kafka_metadata_with(&broker, &login(before), Duration::from_secs(10)).await;
    assert!(matches!(refused, Err(HealthError::AuthenticationFailed { .. })), "the former password: {refused:?}");
    let out = dir.join("orders-app-client-recovered");
    super::save_client_config(c, &out).await;
    let admitted = kafka_metadata_with(&broker, &login(&out.join("client.properties")), Duration::from_secs(10)).await;
    assert!(admitted.is_ok(), "the new password: {admitted:?}");
    eprintln!(
        "MEASURE app Recover secrets… of 3 KRaft nodes: {recover_secs:.1}s from the confirmation to its result, \
         nothing restarted; the former password refused, the new one admitted; {:.1}s in all with the checks",
        t_all.elapsed().as_secs_f64()
    );
}
