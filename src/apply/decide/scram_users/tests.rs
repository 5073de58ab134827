//! The SCRAM-users step as data: a bare host writes every user, a recorded one none, a new user only itself — and
//! no password ever in a script.

use super::*;
use crate::plan::{self, HostStep, PhaseKind, Work};
use crate::project;
use crate::security::Secret;
use std::sync::Arc;

fn zookeeper_secure() -> ClusterSpec {
    project::validate(&project::parse(include_str!("../../../../tests/fixtures/zookeeper-secure.toml")).unwrap())
        .spec
        .unwrap()
}

/// The material of a store: every password `PW-<user>`.
fn material(spec: &ClusterSpec) -> Arc<SecretMaterial> {
    let mut m = SecretMaterial::placeholders(spec, spec.security.as_ref().unwrap());
    for (user, password) in m.passwords.iter_mut() {
        *password = Secret::new(format!("PW-{user}"));
    }
    Arc::new(m)
}

fn the_step(spec: &ClusterSpec) -> (String, Vec<String>, String) {
    let plan = plan::plan(spec);
    let phase =
        plan.phases.iter().find(|p| p.kind == PhaseKind::ZookeeperScramUsers).expect("a zookeeper-scram-users phase");
    let Work::OnHosts { hosts } = &phase.work else { panic!() };
    let [HostStep::CreateScramUsers { users, connect }] = hosts[0].steps.as_slice() else { panic!() };
    (hosts[0].host.clone(), users.clone(), connect.clone())
}

#[test]
fn the_scram_users_phase_runs_on_the_first_broker_after_the_ensemble_and_before_the_brokers() {
    let spec = zookeeper_secure();
    let plan = plan::plan(&spec);
    let kinds: Vec<&str> = plan.phases.iter().map(|p| p.kind.id()).collect();
    let at = kinds.iter().position(|k| *k == "zookeeper-scram-users").expect("the phase");
    assert_eq!(kinds[at - 1..=at + 1], ["start-zookeeper", "zookeeper-scram-users", "start-brokers"]);
    let (host, users, connect) = the_step(&spec);
    assert_eq!(host, "kbs1.example.com");
    assert_eq!(users, ["admin", "kafka-broker", "orders-app"]);
    assert_eq!(connect, "10.0.1.11:2181,10.0.1.12:2181,10.0.1.13:2181/zk-secure");
    let kraft = include_str!("../../../../tests/fixtures/kraft-secure.toml");
    let kraft = project::validate(&project::parse(kraft).unwrap()).spec.unwrap();
    assert!(plan::plan(&kraft).phases.iter().all(|p| p.kind != PhaseKind::ZookeeperScramUsers), "KRaft: at format");
    let mut ssl_only = spec.clone();
    ssl_only.security.as_mut().unwrap().protection = crate::project::spec::Protection::Ssl;
    assert!(plan::plan(&ssl_only).phases.iter().all(|p| p.kind != PhaseKind::ZookeeperScramUsers), "no SASL, no users");
}

#[test]
fn a_bare_host_writes_every_user_from_a_private_file_and_no_password_is_in_the_script() {
    let spec = zookeeper_secure();
    let (_, users, connect) = the_step(&spec);
    let ctx = Context { secrets: Some(material(&spec)), ..Default::default() };
    let Decision::Change { detail, actions } = decide(&spec, &users, &connect, &HostFacts::default(), &ctx) else {
        panic!()
    };
    assert!(detail.starts_with("wrote the SCRAM credentials of admin, kafka-broker, orders-app"), "{detail}");
    let Action::Write { path, content, mode, owner, keep_old } = &actions[1] else { panic!("{actions:?}") };
    assert_eq!((path.as_str(), *mode, *owner, *keep_old), (PENDING, 0o600, Owner::Root, false));
    assert_eq!(content, "admin PW-admin\nkafka-broker PW-kafka-broker\norders-app PW-orders-app\n");
    let Action::Run { script } = &actions[2] else { panic!() };
    assert!(!script.contains("PW-"), "{script}");
    for part in [
        "org.apache.zookeeper.ZooKeeperMain -server 10.0.1.11:2181,10.0.1.12:2181,10.0.1.13:2181 create /zk-secure '' sasl:kafka:cdrwa,world:anyone:r",
        "*'Node already exists'*) ;;",
        "printf '%s=iterations=8192,password=%s\\n' SCRAM-SHA-512 \"$password\" > \"$t\"",
        "kafka.admin.ConfigCommand --zookeeper 10.0.1.11:2181,10.0.1.12:2181,10.0.1.13:2181/zk-secure --alter --add-config-file \"$t\"",
        "KAFKA_OPTS=-Djava.security.auth.login.config=/etc/kafka/kafka-server-jaas.conf",
        "trap 'rm -f \"$f\" \"$t\"' EXIT",
        "[ ! -d /var/lib/kafka-wizard/zookeeper-scram ] || { printf '%s\\n' 'kafka-wizard: /var/lib/kafka-wizard/zookeeper-scram is a directory",
        "mv /var/lib/kafka-wizard/zookeeper-scram.tmp /var/lib/kafka-wizard/zookeeper-scram",
    ] {
        assert!(script.contains(part), "{part}\n{script}");
    }
    let first = script.lines().next().unwrap();
    assert!(first.starts_with("# write the SCRAM users into ZooKeeper"), "the line a failure quotes: {first}");
}

/// A host whose record holds every one of `users` with its password in `m`.
fn recorded(users: &[String], connect: &str, m: &SecretMaterial) -> HostFacts {
    let mut facts = HostFacts::default();
    for u in users {
        facts.scram_users.insert(u.clone(), digest("SCRAM-SHA-512", connect, u, m.password(u)));
    }
    facts
}

#[test]
fn a_recorded_user_is_skipped_and_a_new_user_or_password_gets_its_credential() {
    let spec = zookeeper_secure();
    let (_, users, connect) = the_step(&spec);
    let m = material(&spec);
    let ctx = Context { secrets: Some(m.clone()), ..Default::default() };
    let mut facts = recorded(&users, &connect, &m);
    assert!(matches!(decide(&spec, &users, &connect, &facts, &ctx), Decision::Unchanged { .. }));

    facts.scram_users.remove("orders-app");
    facts.scram_users.insert("admin".into(), digest("SCRAM-SHA-512", &connect, "admin", "an old password"));
    let Decision::Change { detail, actions } = decide(&spec, &users, &connect, &facts, &ctx) else { panic!() };
    assert!(detail.contains("of admin, orders-app into"), "{detail}");
    let Action::Write { content, .. } = &actions[1] else { panic!() };
    assert_eq!(content, "admin PW-admin\norders-app PW-orders-app\n");
    let Action::Run { script } = &actions[2] else { panic!() };
    for u in &users {
        let line = format!("'{u} {}'", digest("SCRAM-SHA-512", &connect, u, m.password(u)));
        assert!(script.contains(&line), "the record lists every user: {line}");
    }

    let moved = digest("SCRAM-SHA-512", "elsewhere:2181/zk-secure", "admin", "PW-admin");
    assert_ne!(moved, digest("SCRAM-SHA-512", &connect, "admin", "PW-admin"), "a moved chroot writes again");
}

#[test]
fn a_nested_chroot_is_created_level_by_level() {
    let text = include_str!("../../../../tests/fixtures/zookeeper-secure.toml").replace("/zk-secure", "/kafka/prod");
    let spec = project::validate(&project::parse(&text).unwrap()).spec.unwrap();
    assert_eq!(plan::scram_users::chroot_nodes(&spec), ["/kafka", "/kafka/prod"]);
}

#[test]
fn a_user_retired_then_added_again_is_written_anew_and_the_rewritten_record_forgets_the_retired() {
    // Retiring (the scram-users phase) leaves the user's line in the record; its password left the store, so the
    // re-added user's new password has another digest and is written; a retired user's line never blocks it.
    let spec = zookeeper_secure();
    let (_, users, connect) = the_step(&spec);
    let m = material(&spec);
    let ctx = Context { secrets: Some(m.clone()), ..Default::default() };
    let mut facts = recorded(&users, &connect, &m);
    facts.scram_users.insert("old-app".into(), digest("SCRAM-SHA-512", &connect, "old-app", "its password"));
    assert!(matches!(decide(&spec, &users, &connect, &facts, &ctx), Decision::Unchanged { .. }), "a stale line");
    facts.scram_users.insert("orders-app".into(), digest("SCRAM-SHA-512", &connect, "orders-app", "before retiring"));
    let Decision::Change { detail, actions } = decide(&spec, &users, &connect, &facts, &ctx) else { panic!() };
    assert!(detail.contains("credentials of orders-app into"), "{detail}");
    let Action::Run { script } = &actions[2] else { panic!() };
    assert!(!script.contains("old-app"), "the rewritten record lists only the project's users");
}
