//! `[[security.acls]]` applied to the running secured KRaft cluster by re-deploys (no new cluster): the dry run lists
//! the ACLs to add and remove; after a deploy the application user produces and consumes in its group with a
//! third-party client (kafka-python from client-config output), records counted; with one ACL removed from the file
//! the next deploy deletes it and the client is denied again; ACLs of another principal made by hand (over the
//! admin's Kafka protocol) survive every deploy, and an extra one of the managed user is deleted; no deploy here
//! restarts anything, and a no-change deploy sends no ACL change ([`no_acl_change`]).

pub use super::support::secure::{admin_auth, text};
use super::{deploy, invocation, wizard};
use crate::support::world::World;
use kafka_wizard::security::acls::client::AclSession;
use kafka_wizard::security::acls::{AclBinding, ALLOW, ANY_HOST};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WRITE_AND_DESCRIBE: &str =
    "\n[[security.acls]]\nuser = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\n\
                                  pattern = \"prefixed\"\noperations = [\"write\", \"describe\"]\n";
const READ_TOPIC: &str = "\n[[security.acls]]\nuser = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\n\
                          pattern = \"prefixed\"\noperations = [\"read\"]\n";
const READ_GROUP: &str =
    "\n[[security.acls]]\nuser = \"orders-app\"\nresource = \"group\"\nname = \"orders-readers\"\noperations = [\"read\"]\n";

fn acl(principal: &str, resource_type: i8, name: &str, operation: i8) -> AclBinding {
    AclBinding {
        principal: principal.into(),
        resource_type,
        resource_name: name.into(),
        pattern_type: 3,
        operation,
        permission_type: ALLOW,
        host: ANY_HOST.into(),
    }
}

fn client(python: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(args)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out, text)
}

/// The reconcile's own timing line (`ACLs: 4 created, 1 deleted, in effect on every broker (0.4 s)`).
fn reconcile_line(text: &str) -> String {
    text.lines().find(|l| l.contains("ACLs: ") || l.contains("ACLs checked")).unwrap_or("").trim().to_string()
}

/// Grants, uses, revokes and re-checks ACLs on the running cluster of `project` (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn granted_used_revoked_and_others_kept(
    world: &World,
    home: &Path,
    log: &mut String,
    project: &Path,
    python: &Path,
    admin_dir: &Path,
    app_dir: &Path,
) {
    let p = project.to_str().unwrap();
    let auth = admin_auth(home, admin_dir);
    let broker = format!("{}:9092", world.hosts()[0].ip);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let all_acls = || {
        rt.block_on(async {
            let mut session = AclSession::open(&broker, &auth, Duration::from_secs(20)).await.unwrap();
            session.describe_all().await.unwrap()
        })
    };
    // By hand, over the admin's Kafka protocol: one ACL of a principal the wizard does not manage, one extra of
    // orders-app (the project does not grant it).
    let legacy = acl("User:legacy-app", 2, "legacy", 3);
    let stale = acl("User:orders-app", 2, "stale-topic", 8);
    rt.block_on(async {
        let mut session = AclSession::open(&broker, &auth, Duration::from_secs(20)).await.unwrap();
        let answers = session.create(&[legacy.clone(), stale.clone()]).await.unwrap();
        assert!(answers.iter().all(|(_, refusal)| refusal.is_none()), "{answers:?}");
    });
    let original = std::fs::read_to_string(project).unwrap();
    std::fs::write(project, format!("{original}{WRITE_AND_DESCRIBE}{READ_TOPIC}{READ_GROUP}")).unwrap();

    let dry = text(&wizard(home, log, &["deploy", "--dry-run", p]));
    for want in [
        "add ACL allow User:orders-app write on topic \"orders\" (prefixed)",
        "add ACL allow User:orders-app read on group \"orders-readers\" (literal)",
        "remove ACL allow User:orders-app describe on topic \"stale-topic\" (literal)",
    ] {
        assert!(dry.contains(want), "the dry run lists {want:?}:\n{dry}");
    }
    assert!(!dry.contains("legacy-app"), "another principal's ACL is not the wizard's:\n{dry}");

    let before: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    let t = Instant::now();
    let granted = text(&deploy(world, home, log, p));
    eprintln!(
        "MEASURE ACL deploy granting 4, deleting 1: {:.1}s ({})",
        t.elapsed().as_secs_f64(),
        reconcile_line(&granted)
    );
    assert_eq!(granted.matches("add ACL allow User:orders-app").count(), 4, "{granted}");
    assert!(granted.contains("remove ACL allow User:orders-app describe on topic \"stale-topic\""), "{granted}");

    let t = Instant::now();
    let app = app_dir.join("client.properties");
    let admin = admin_dir.join("client.properties");
    let (out, used) = client(
        python,
        &[
            "--properties",
            app.to_str().unwrap(),
            "orders-e2e",
            "--group",
            "orders-readers",
            "--create-with",
            admin.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "orders-app with its ACLs:\n{used}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"produced": 20, "consumed": 20, "replicas": [3]}"#);
    eprintln!("MEASURE kafka-python as orders-app (ACLs: prefixed topic, group): {:.1}s", t.elapsed().as_secs_f64());
    log.push_str(&used);

    // One ACL removed from the file: the next deploy deletes it, and the consumer group is denied again.
    std::fs::write(project, format!("{original}{WRITE_AND_DESCRIBE}{READ_TOPIC}")).unwrap();
    let t = Instant::now();
    let revoked = text(&deploy(world, home, log, p));
    eprintln!("MEASURE ACL deploy deleting 1: {:.1}s ({})", t.elapsed().as_secs_f64(), reconcile_line(&revoked));
    assert!(
        revoked.contains("remove ACL allow User:orders-app read on group \"orders-readers\" (literal)"),
        "{revoked}"
    );
    assert!(!revoked.contains("add ACL"), "{revoked}");
    let (out, denied) =
        client(python, &["--properties", app.to_str().unwrap(), "orders-e2e", "--group", "orders-readers"]);
    assert!(
        !out.status.success() && denied.contains("GroupAuthorizationFailed"),
        "without READ on its group:\n{denied}"
    );
    log.push_str(&denied);

    let held = all_acls();
    assert!(held.contains(&legacy), "an ACL of another principal made by hand survives: {held:?}");
    assert!(!held.contains(&stale), "an extra ACL of a managed user is deleted: {held:?}");
    let after: Vec<String> = world.hosts().iter().map(|h| invocation(world, &h.name)).collect();
    assert_eq!(before, after, "applying ACLs restarts nothing");
}

/// A no-change deploy's output: no ACL created or deleted, the reconcile's check timed.
pub fn no_acl_change(deploy_output: &str) {
    assert!(!deploy_output.contains("add ACL") && !deploy_output.contains("remove ACL"), "{deploy_output}");
    let line = reconcile_line(deploy_output);
    assert!(line.contains("none to change"), "{deploy_output}");
    eprintln!("MEASURE ACL check of a no-change deploy: {line}");
}
