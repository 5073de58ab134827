use super::*;
use crate::security::acls::{AclOperation, AclPattern, AclResource};

fn spec_of(text: &str) -> ClusterSpec {
    let validation = crate::project::validate(&crate::project::parse(text).unwrap());
    validation.spec.unwrap_or_else(|| panic!("{:?}", validation.problems))
}

fn secure() -> ClusterSpec {
    spec_of(include_str!("../../tests/fixtures/kraft-secure.toml"))
}

/// The secured fixture without its lines from `from` up to the hosts.
fn secure_without_lines_from(from: &str) -> ClusterSpec {
    let text = include_str!("../../tests/fixtures/kraft-secure.toml");
    let (start, end) = (text.find(from).unwrap(), text.find("[[hosts]]").unwrap());
    spec_of(&format!("{}{}", &text[..start], &text[end..]))
}

#[test]
fn a_secured_cluster_with_application_users_ends_with_its_users_then_its_acls_after_the_brokers_are_healthy() {
    let plan = plan(&secure());
    let kinds: Vec<PhaseKind> = plan.phases.iter().map(|p| p.kind).collect();
    assert_eq!(kinds[kinds.len() - 3..], [PhaseKind::StartBrokers, PhaseKind::ScramUsers, PhaseKind::ApplyAcls]);
    let Work::Acls(acls) = &plan.phases.last().unwrap().work else { panic!("{plan:?}") };
    assert_eq!(acls.principals, ["User:orders-app"]);
    let grant = |operation| AclGrant {
        user: "orders-app".into(),
        resource: AclResource::Topic,
        name: "orders".into(),
        pattern: AclPattern::Literal,
        operation,
    };
    assert_eq!(acls.grants, [grant(AclOperation::Write), grant(AclOperation::Describe)]);
    assert_eq!(PhaseKind::ApplyAcls.id(), "apply-acls");
}

#[test]
fn users_without_acls_still_get_the_acl_phase_so_acls_added_by_hand_to_them_are_removed() {
    let plan = plan(&secure_without_lines_from("[[security.acls]]"));
    let Work::Acls(acls) = &plan.phases.last().unwrap().work else { panic!("{plan:?}") };
    assert!(acls.grants.is_empty() && acls.principals == ["User:orders-app"]);
}

#[test]
fn a_cluster_without_application_users_has_no_acl_phase() {
    let plan = plan(&secure_without_lines_from("users = ["));
    assert!(plan.phases.iter().all(|p| p.kind != PhaseKind::ApplyAcls));
    let plaintext = plan_of_fixture(include_str!("../../tests/fixtures/kraft-dedicated.toml"));
    assert!(plaintext.phases.iter().all(|p| !matches!(p.work, Work::Acls(_))));
}

fn plan_of_fixture(text: &str) -> Plan {
    plan(&spec_of(text))
}

#[test]
fn a_limited_deploy_keeps_the_clusters_acls() {
    let spec = secure();
    let limit = Limit::parse(&spec, "secure2.example.com").unwrap();
    let limited = limit.plan(plan(&spec));
    assert!(matches!(limited.phases.last().unwrap().work, Work::Acls(_)));
}

#[test]
fn the_acls_by_hand_are_one_kafka_acls_add_per_resource_then_a_list_of_what_else_the_users_hold() {
    let spec = secure();
    let plan = plan(&spec);
    let Work::Acls(acls) = &plan.phases.last().unwrap().work else { panic!() };
    let commands = acl_commands(&spec, acls);
    let adds: Vec<&String> = commands.iter().filter(|c| c.contains("--add")).collect();
    assert_eq!(adds.len(), 1, "{commands:#?}");
    assert!(
        adds[0].ends_with(
            "--add --allow-principal User:orders-app --operation Write --operation Describe --topic orders \
             --resource-pattern-type literal"
        ),
        "{}",
        adds[0]
    );
    assert!(adds[0].starts_with("/opt/kafka/bin/kafka-acls.sh --bootstrap-server "), "{}", adds[0]);
    assert!(adds[0].contains("--command-config admin.properties"), "{}", adds[0]);
    assert!(commands.last().unwrap().ends_with("--list --principal User:orders-app"), "{commands:#?}");
}

#[test]
fn a_sasl_kraft_cluster_reconciles_the_admin_and_its_users_even_without_application_users() {
    let Work::ScramUsers(users) = &plan(&secure()).phases[plan(&secure()).phases.len() - 2].work else { panic!() };
    assert_eq!(
        (users.mechanism.as_str(), users.users.as_slice()),
        ("SCRAM-SHA-512", &["admin".to_string(), "orders-app".into()][..])
    );
    assert_eq!(PhaseKind::ScramUsers.id(), "scram-users");
    let without_users = plan(&secure_without_lines_from("users = ["));
    let Work::ScramUsers(users) = &without_users.phases.last().unwrap().work else { panic!("{without_users:?}") };
    assert_eq!(users.users, ["admin"], "users dropped from the file are still deleted from the cluster");
    let plaintext = plan_of_fixture(include_str!("../../tests/fixtures/kraft-dedicated.toml"));
    assert!(plaintext.phases.iter().all(|p| !matches!(p.work, Work::ScramUsers(_))));
}

#[test]
fn a_sasl_zookeeper_mode_cluster_reconciles_its_users_too_once_its_brokers_run() {
    let zookeeper = plan_of_fixture(include_str!("../../tests/fixtures/zookeeper-secure.toml"));
    let kinds: Vec<PhaseKind> = zookeeper.phases.iter().map(|p| p.kind).collect();
    assert_eq!(kinds[kinds.len() - 3..], [PhaseKind::StartBrokers, PhaseKind::ScramUsers, PhaseKind::ApplyAcls]);
    assert!(
        kinds.iter().position(|k| *k == PhaseKind::ZookeeperScramUsers)
            < kinds.iter().position(|k| *k == PhaseKind::StartBrokers)
    );
    let Work::ScramUsers(users) = &zookeeper.phases[kinds.len() - 2].work else { panic!() };
    assert_eq!(users.users, ["admin", "orders-app"]);
}

#[test]
fn a_ca_rotation_adds_its_three_passes_after_the_start_phases_each_rolling_only_kafka() {
    use crate::security::store::CaStage;
    for spec in [secure(), spec_of(include_str!("../../tests/fixtures/zookeeper-secure.toml"))] {
        let normal = plan(&spec);
        let rotating = rotate_ca::with_ca_rotation(&spec, normal.clone());
        let kinds: Vec<PhaseKind> = rotating.phases.iter().map(|p| p.kind).collect();
        let at = kinds.iter().position(|k| *k == PhaseKind::CaTrustBoth).unwrap();
        assert_eq!(kinds[at - 1], PhaseKind::StartBrokers, "after the cluster is started: {kinds:?}");
        assert_eq!(
            kinds[at..at + 4],
            [PhaseKind::CaTrustBoth, PhaseKind::CaNewCertificates, PhaseKind::CaDropOld, PhaseKind::ScramUsers]
        );
        assert_eq!(rotating.phases.len(), normal.phases.len() + 3, "the ordinary phases are all kept");
        let passes: Vec<&rotate_ca::RotateCaPass> = rotating
            .phases
            .iter()
            .filter_map(|p| match &p.work {
                Work::RotateCa(pass) => Some(pass),
                _ => None,
            })
            .collect();
        assert_eq!(
            passes.iter().map(|p| p.stage).collect::<Vec<_>>(),
            [CaStage::TrustBoth, CaStage::NewCertificates, CaStage::New]
        );
        // every host of both fixtures: KRaft nodes, and the ZooKeeper-mode one's brokers and ensemble-only members
        let with_certificates: Vec<String> = spec.hosts.iter().map(|h| h.name.to_string()).collect();
        assert!(spec.hosts.iter().all(|h| spec.holds_certificate(h)));
        for pass in &passes {
            assert_eq!(
                pass.hosts.iter().map(|h| h.host.clone()).collect::<Vec<_>>(),
                with_certificates,
                "every Kafka node and (quorum TLS) every ensemble member is written"
            );
            assert!(pass.roll.iter().all(|s| s.service == Service::Kafka), "members reload their files: not rolled");
            assert_eq!(pass.roll.last().unwrap().hosts, spec.brokers().map(|h| h.name.to_string()).collect::<Vec<_>>());
        }
        let written = |pass: &rotate_ca::RotateCaPass| match &pass.hosts[0].steps[..] {
            [HostStep::WriteFile { path, .. }] => path.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(written(passes[0]), "/etc/kafka/tls/ca.pem");
        assert_eq!(written(passes[1]), "/etc/kafka/tls/node.pem");
        assert_eq!(written(passes[2]), "/etc/kafka/tls/ca.pem");
    }
    let plaintext = spec_of(include_str!("../../tests/fixtures/kraft-dedicated.toml"));
    assert!(rotate_ca::rotation_phases(&plaintext).is_empty(), "no CA to rotate");
}

/// `kafka.version` replaced and a mirror set: the fetch phase of that project.
fn fetch_of(version: &str) -> FetchRelease {
    let text = include_str!("../../tests/fixtures/kraft-secure.toml");
    let at = text.find("version = ").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    let text =
        format!("{}version = \"{version}\"\nmirror = \"https://mirror.example/kafka\"{}", &text[..at], &text[end..]);
    let plan = plan(&spec_of(&text));
    let fetch = plan.phases.iter().find_map(|p| match &p.work {
        Work::Fetch(f) => Some(f.clone()),
        _ => None,
    });
    fetch.expect("a fetch phase")
}

#[test]
fn an_unknown_patch_release_is_fetched_from_the_mirror_and_verified_against_apache_exactly_like_a_known_one() {
    let (known, patch) = (fetch_of("4.4.0"), fetch_of("4.4.9"));
    assert_eq!(patch.urls, ["https://mirror.example/kafka/4.4.9/kafka_2.13-4.4.9.tgz"]);
    assert_eq!(
        known.checksum_urls,
        [
            "https://downloads.apache.org/kafka/4.4.0/kafka_2.13-4.4.0.tgz.sha512",
            "https://archive.apache.org/dist/kafka/4.4.0/kafka_2.13-4.4.0.tgz.sha512",
        ]
    );
    assert_eq!(
        patch.checksum_urls,
        known.checksum_urls.iter().map(|u| u.replace("4.4.0", "4.4.9")).collect::<Vec<_>>()
    );
}

#[test]
fn the_signature_is_fetched_from_the_tarballs_source_first_then_apache_and_keys_only_from_apache() {
    let fetch = fetch_of("4.4.0");
    assert_eq!(
        fetch.signature_urls,
        [
            "https://mirror.example/kafka/4.4.0/kafka_2.13-4.4.0.tgz.asc",
            "https://downloads.apache.org/kafka/4.4.0/kafka_2.13-4.4.0.tgz.asc",
            "https://archive.apache.org/dist/kafka/4.4.0/kafka_2.13-4.4.0.tgz.asc",
        ]
    );
    assert_eq!(fetch.keys_urls, crate::verify::apache_keys::keys_urls(), "never the mirror's KEYS");
    assert_eq!(fetch.local_tarball, None);
    let title = fetch.title();
    assert!(title.contains("from https://mirror.example") && title.contains("OpenPGP signature"), "{title}");
}

#[test]
fn a_start_phase_overlaps_the_next_only_when_the_next_phase_also_starts_a_service() {
    let overlaps = |text: &str| -> Vec<(PhaseKind, bool)> {
        let plan = plan(&spec_of(text));
        plan.phases
            .iter()
            .filter_map(|p| match &p.work {
                Work::Start(s) => Some((p.kind, s.overlap_next)),
                _ => None,
            })
            .collect()
    };
    // the guide's cluster: the brokers may start while ZooKeeper forms its quorum
    assert_eq!(
        overlaps(include_str!("../../tests/fixtures/seed-cluster.toml")),
        [(PhaseKind::StartZookeeper, true), (PhaseKind::StartBrokers, false)]
    );
    // dedicated KRaft controllers: the brokers wait for them by themselves
    assert_eq!(
        overlaps(include_str!("../../tests/fixtures/kraft-dedicated.toml")),
        [(PhaseKind::StartControllers, true), (PhaseKind::StartBrokers, false)]
    );
    // ZooKeeper-mode SCRAM: the credentials go into ZooKeeper between the two — no overlap across that
    let secure = plan(&spec_of(include_str!("../../tests/fixtures/zookeeper-secure.toml")));
    let kinds: Vec<PhaseKind> = secure.phases.iter().map(|p| p.kind).collect();
    let zookeeper = kinds.iter().position(|k| *k == PhaseKind::StartZookeeper).unwrap();
    assert_ne!(kinds[zookeeper + 1], PhaseKind::StartBrokers, "{kinds:?}");
    let Work::Start(start) = &secure.phases[zookeeper].work else { unreachable!() };
    assert!(!start.overlap_next);
    // the plain start phases (`start`, `restart`, a CA rotation's roll) never overlap
    assert!(start_phases(&spec_of(include_str!("../../tests/fixtures/seed-cluster.toml")))
        .iter()
        .all(|p| matches!(&p.work, Work::Start(s) if !s.overlap_next)));
}
