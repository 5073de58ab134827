//! SCRAM users added to and removed from the running secured KRaft cluster by re-deploys (no new cluster, no
//! restart): `billing-app` added to `security.users` with ACLs — the dry run lists the user to create, the deploy
//! creates its credential (DescribeUserScramCredentials, then AlterUserScramCredentials) and kafka-python from its
//! client-config output produces and consumes; removed again — the dry run lists the user to disable and its ACLs
//! to delete, the deploy replaces its credential by one nobody knows (KRaft: never a deletion, docs/facts/kafka.md
//! §21), deletes its ACLs and drops its password from the secrets store; its login is refused, no usable credential
//! and no ACL of it is left. [`no_user_change`] checks a no-change deploy's phase. Each deploy's phase time is printed (`MEASURE`).

use super::acls::{admin_auth, text};
use super::{deploy, invocation, wizard};
use crate::support::world::World;
use kafka_wizard::health::{kafka_metadata_with, HealthError};
use kafka_wizard::security::acls::client::AclSession;
use kafka_wizard::security::credentials::describe_scram_credentials;
use kafka_wizard::security::scram::ScramMechanism;
use kafka_wizard::security::{KafkaAuth, ScramLogin, Secret, TlsTrust};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BILLING_ACLS: &str = "\n[[security.acls]]\nuser = \"billing-app\"\nresource = \"topic\"\nname = \"billing\"\n\
                            pattern = \"prefixed\"\noperations = [\"write\", \"describe\", \"read\"]\n\
                            \n[[security.acls]]\nuser = \"billing-app\"\nresource = \"group\"\n\
                            name = \"billing-readers\"\noperations = [\"read\"]\n";

/// The phase's own timing line (`SCRAM users: 1 created, 0 removed (0 ACL(s) with them), … (0.4 s)`).
fn phase_line(text: &str) -> String {
    text.lines().find(|l| l.contains("SCRAM users: ") || l.contains("SCRAM users checked")).unwrap_or("").trim().into()
}

fn stored_passwords(home: &Path) -> toml::Table {
    let dir = home.join("data/kafka-wizard/secrets");
    let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
    let store: toml::Table = std::fs::read_to_string(file).unwrap().parse().unwrap();
    store["passwords"].as_table().unwrap().clone()
}

/// Adds and removes `billing-app` (see the module's docs); returns its password, for the test's final grep.
pub fn added_and_removed(
    world: &World,
    home: &Path,
    log: &mut String,
    project: &Path,
    python: &Path,
    admin_dir: &Path,
) -> String {
    let p = project.to_str().unwrap();
    let original = std::fs::read_to_string(project).unwrap();
    let listed = "users = [\"orders-app\"]";
    assert!(original.contains(listed), "{original}");
    let added = original.replace(listed, "users = [\"orders-app\", \"billing-app\"]");
    std::fs::write(project, format!("{added}{BILLING_ACLS}")).unwrap();
    let before: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();

    let dry = text(&wizard(home, log, &["deploy", "--dry-run", p]));
    assert!(dry.contains("create SCRAM user billing-app"), "the dry run lists the user to create:\n{dry}");
    assert!(dry.contains("add ACL allow User:billing-app write on topic \"billing\" (prefixed)"), "{dry}");
    let t = Instant::now();
    let out = text(&deploy(world, home, log, p));
    eprintln!("MEASURE deploy adding SCRAM user billing-app: {:.1}s ({})", t.elapsed().as_secs_f64(), phase_line(&out));
    let removed = ["delete SCRAM user ", "disable SCRAM user "].iter().any(|step| out.contains(step));
    assert!(out.contains("create SCRAM user billing-app") && !removed, "{out}");
    assert!(phase_line(&out).contains("1 created, 0 removed"), "{out}");
    let password = stored_passwords(home)["billing-app"].as_str().unwrap().to_string();

    let billing_dir = home.join("client-billing-app");
    wizard(home, log, &["client-config", p, "--user", "billing-app", "--out", billing_dir.to_str().unwrap()]);
    let props = billing_dir.join("client.properties");
    let admin = admin_dir.join("client.properties");
    let client = |topic: &str, create: bool| {
        let mut args = vec!["--properties", props.to_str().unwrap(), topic, "--group", "billing-readers"];
        if create {
            args.extend(["--create-with", admin.to_str().unwrap()]);
        }
        let out = Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
            .args(&args)
            .output()
            .unwrap();
        (out.status.success(), text(&out), String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let t = Instant::now();
    let (ok, output, stdout) = client("billing-e2e", true);
    log.push_str(&output);
    assert!(ok, "billing-app, added to a formatted cluster, produces and consumes:\n{output}");
    assert_eq!(stdout, r#"{"produced": 20, "consumed": 20, "replicas": [3]}"#);
    eprintln!("MEASURE kafka-python as billing-app (added after the format): {:.1}s", t.elapsed().as_secs_f64());

    // Removed from the project: its credential and ACLs deleted, its password dropped from the store.
    std::fs::write(project, &original).unwrap();
    let dry = text(&wizard(home, log, &["deploy", "--dry-run", p]));
    assert!(dry.contains("disable SCRAM user billing-app"), "the dry run lists the user to disable:\n{dry}");
    assert!(dry.contains("remove ACL allow User:billing-app"), "and its ACLs:\n{dry}");
    let t = Instant::now();
    let out = text(&deploy(world, home, log, p));
    eprintln!(
        "MEASURE deploy removing SCRAM user billing-app: {:.1}s ({})",
        t.elapsed().as_secs_f64(),
        phase_line(&out)
    );
    assert!(out.contains("disable SCRAM user billing-app"), "{out}");
    assert!(out.contains("no longer in security.users"), "a warning says so:\n{out}");
    assert_eq!(out.matches("remove ACL allow User:billing-app").count(), 4, "{out}");
    assert!(!stored_passwords(home).contains_key("billing-app"), "dropped from the secrets store");

    let (ok, output, _) = client("billing-e2e", false);
    log.push_str(&output);
    assert!(!ok && !output.contains("AuthorizationFailed"), "billing-app's login must be refused:\n{output}");
    let ca = std::fs::read_to_string(billing_dir.join("ca.pem")).unwrap();
    let broker = format!("{}:9092", world.hosts()[0].ip);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let login = ScramLogin {
        mechanism: ScramMechanism::Sha512,
        username: "billing-app".into(),
        password: Secret::new(&password),
    };
    let auth = KafkaAuth { tls: Some(TlsTrust::from_ca_pem(&ca).unwrap()), sasl: Some(login) };
    let refused = rt.block_on(kafka_metadata_with(&broker, &auth, Duration::from_secs(10)));
    assert!(matches!(refused, Err(HealthError::AuthenticationFailed { .. })), "{refused:?}");
    let admin = admin_auth(home, admin_dir);
    let (held, users) = rt.block_on(async {
        let mut session = AclSession::open(&broker, &admin, Duration::from_secs(20)).await.unwrap();
        let held = session.describe_all().await.unwrap();
        (held, describe_scram_credentials(&broker, &admin, Duration::from_secs(20)).await.unwrap())
    });
    assert!(held.iter().all(|acl| acl.principal != "User:billing-app"), "its ACLs are gone: {held:?}");
    assert!(held.iter().any(|acl| acl.principal == "User:orders-app"), "orders-app's stay: {held:?}");
    assert!(!users.contains_key("billing-app") && users.contains_key("orders-app"), "{users:?}");
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    assert_eq!(before, after, "adding and removing users restarts nothing");
    std::fs::remove_dir_all(&billing_dir).unwrap();
    password
}

/// A no-change deploy's output: no SCRAM user created or deleted, the phase's check timed.
pub fn no_user_change(deploy_output: &str) {
    let changed = ["create SCRAM user ", "delete SCRAM user ", "disable SCRAM user "]
        .iter()
        .any(|step| deploy_output.contains(step));
    assert!(!changed, "{deploy_output}");
    let line = phase_line(deploy_output);
    assert!(line.contains("none to change"), "{deploy_output}");
    eprintln!("MEASURE SCRAM users check of a no-change deploy: {line}");
}
