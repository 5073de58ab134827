//! The upgrade's decisions as data: every stage of a ZooKeeper-mode and a KRaft upgrade (nothing started, some hosts
//! rolled, all rolled, finalized, rolled back) → what the next run does, and what is refused.

use super::*;
use crate::apply::decide::{decide, decide_start, Context, Decision, StartDecision};
use crate::apply::facts::{HostFacts, UnitState};
use crate::plan::HostStep;
use crate::project;
use crate::render::{self, Service};

fn spec_with(text: &str, version: &str) -> ClusterSpec {
    let mut draft = project::parse(text).unwrap();
    draft.kafka.version = Some(version.into());
    let v = project::validate(&draft);
    v.spec.unwrap_or_else(|| panic!("{:?}", v.problems))
}
/// The guide's ZooKeeper-mode cluster (3 ZooKeeper hosts, 3 brokers) on `version`.
fn zk(version: &str) -> ClusterSpec {
    spec_with(include_str!("../../../tests/fixtures/seed-cluster.toml"), version)
}
fn kraft(version: &str) -> ClusterSpec {
    spec_with(include_str!("../../../tests/fixtures/kraft-dedicated.toml"), version)
}
fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}
/// Every host of `spec`: the first `on_new` linked to `new`, the others to `old`, each pinning `pin`.
fn hosts(spec: &ClusterSpec, old: &str, new: &str, on_new: usize, pin: Option<&str>) -> Vec<HostRelease> {
    spec.hosts
        .iter()
        .enumerate()
        .map(|(i, h)| HostRelease {
            host: h.name.to_string(),
            linked: Some(v(if i < on_new { new } else { old })),
            pinned: h.runs_kafka().then(|| pin.map(String::from)).flatten(),
            java_major: Some(17),
        })
        .collect()
}
fn levels(finalized: i16, supported: i16) -> Option<MetadataLevels> {
    Some(MetadataLevels { finalized, supported })
}

#[test]
fn zookeeper_mode_raising_the_version_pins_the_protocol_to_the_running_release() {
    let spec = zk("3.9.2");
    let j = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", 0, None), None, Finalize::No).unwrap();
    assert_eq!(j.pin.as_deref(), Some("3.8"));
    assert!(j.notes.iter().any(|n| n.contains("phase 1 of 2")), "{:?}", j.notes);
}

#[test]
fn zookeeper_mode_a_run_cut_off_mid_roll_keeps_the_pin_the_hosts_hold() {
    let spec = zk("3.9.2");
    for rolled in 1..=6 {
        let j = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", rolled, Some("3.8")), None, Finalize::No).unwrap();
        assert_eq!(j.pin.as_deref(), Some("3.8"), "{rolled} host(s) rolled");
    }
    // Every host rolled: the pin stays until finalize, and the notes say finalize is next.
    let j = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", 6, Some("3.8")), None, Finalize::No).unwrap();
    assert!(j.notes.iter().any(|n| n.contains("finalize the upgrade")), "{:?}", j.notes);
}

#[test]
fn zookeeper_mode_finalize_drops_the_pin_and_then_a_deploy_changes_nothing() {
    let spec = zk("3.9.2");
    let all_rolled = hosts(&spec, "3.8.1", "3.9.2", 6, Some("3.8"));
    let j = judge(&spec, &all_rolled, None, Finalize::Yes).unwrap();
    assert_eq!(j.pin, None);
    assert!(j.notes.iter().any(|n| n.contains("dropped")), "{:?}", j.notes);
    let finalized = hosts(&spec, "3.9.2", "3.9.2", 6, None);
    let j = judge(&spec, &finalized, None, Finalize::No).unwrap();
    assert_eq!(j, Judgement { pin: None, raise_metadata: None, notes: vec![] });
}

#[test]
fn zookeeper_mode_finalize_before_every_host_runs_the_release_is_refused_naming_them() {
    let spec = zk("3.9.2");
    let err = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", 4, Some("3.8")), None, Finalize::Yes).unwrap_err();
    assert!(err.starts_with("kafka.version: cannot finalize"), "{err}");
    assert!(err.contains("peter-kafka002") && err.contains("deploy first"), "{err}");
}

#[test]
fn zookeeper_mode_going_back_before_finalize_is_a_rollback_and_after_it_is_refused() {
    let spec = zk("3.8.1");
    let j = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", 3, Some("3.8")), None, Finalize::No).unwrap();
    assert_eq!(j.pin, None, "3.8 is 3.8.1's own protocol");
    assert!(j.notes.iter().any(|n| n.contains("rolling back")), "{:?}", j.notes);
    let err = judge(&spec, &hosts(&spec, "3.9.2", "3.9.2", 6, None), None, Finalize::No).unwrap_err();
    assert!(err.contains("downgrade after finalize") && err.contains("kafka.version = \"3.9.2\""), "{err}");
}

#[test]
fn zookeeper_mode_a_patch_release_needs_no_pin_and_nothing_to_finalize() {
    let spec = zk("3.9.2");
    let j = judge(&spec, &hosts(&spec, "3.9.1", "3.9.2", 0, None), None, Finalize::No).unwrap();
    assert_eq!(j.pin, None);
    let j = judge(&spec, &hosts(&spec, "3.9.1", "3.9.2", 6, None), None, Finalize::Yes).unwrap();
    assert!(j.notes.iter().any(|n| n.contains("nothing to do")), "{:?}", j.notes);
}

#[test]
fn zookeeper_mode_skipping_the_zookeeper_3_5_bridge_is_refused_with_the_path() {
    let spec = zk("3.6.2");
    let err = judge(&spec, &hosts(&spec, "2.3.1", "3.6.2", 0, None), None, Finalize::No).unwrap_err();
    assert!(err.contains("KIP-902") && err.contains("2.4–3.5"), "{err}");
}

#[test]
fn a_protocol_the_project_sets_itself_is_left_to_the_project() {
    let text = include_str!("../../../tests/fixtures/seed-cluster.toml")
        .replace("[zookeeper]", "[kafka.properties]\n\"inter.broker.protocol.version\" = \"3.8\"\n\n[zookeeper]");
    let mut draft = project::parse(&text).unwrap();
    draft.kafka.version = Some("3.9.2".into());
    let Some(spec) = project::validate(&draft).spec else { return }; // a key the wizard owns: refused by validation
    let j = judge(&spec, &hosts(&spec, "3.8.1", "3.9.2", 0, None), None, Finalize::No).unwrap();
    assert_eq!(j.pin, None);
}

#[test]
fn kraft_the_roll_changes_no_feature_and_finalize_raises_metadata_version_to_what_every_broker_supports() {
    let spec = kraft("4.1.1");
    for rolled in 0..6 {
        let j = judge(&spec, &hosts(&spec, "4.0.1", "4.1.1", rolled, None), levels(25, 25), Finalize::No).unwrap();
        assert_eq!((j.pin.clone(), j.raise_metadata), (None, None), "{rolled} rolled");
        assert!(j.notes.iter().any(|n| n.contains("phase 1 of 2")), "{:?}", j.notes);
        let err = judge(&spec, &hosts(&spec, "4.0.1", "4.1.1", rolled, None), levels(25, 25), Finalize::Yes);
        assert!(err.unwrap_err().contains("cannot finalize"));
    }
    let all = hosts(&spec, "4.0.1", "4.1.1", 6, None);
    let j = judge(&spec, &all, levels(25, 27), Finalize::No).unwrap();
    assert!(j.notes.iter().any(|n| n.contains("finalize the upgrade")), "{:?}", j.notes);
    let j = judge(&spec, &all, levels(25, 27), Finalize::Yes).unwrap();
    assert_eq!(j.raise_metadata, Some(27));
    // Finalized (also: a finalize run again after it was cut off once the update went through).
    let j = judge(&spec, &all, levels(27, 27), Finalize::Yes).unwrap();
    assert_eq!(j.raise_metadata, None);
    assert_eq!(judge(&spec, &all, levels(27, 27), Finalize::No).unwrap().notes, Vec::<String>::new());
}

#[test]
fn kraft_going_back_before_finalize_is_a_rollback_and_after_it_is_refused() {
    let spec = kraft("4.0.1");
    let j = judge(&spec, &hosts(&spec, "4.0.1", "4.1.1", 6, None), levels(25, 27), Finalize::No).unwrap();
    assert!(j.notes.iter().any(|n| n.contains("rolling back")), "{:?}", j.notes);
    let j = judge(&spec, &hosts(&spec, "4.0.1", "4.1.1", 2, None), levels(25, 25), Finalize::No).unwrap();
    assert!(j.notes.iter().any(|n| n.contains("rolling back")), "{:?}", j.notes);
    let err = judge(&spec, &hosts(&spec, "4.1.1", "4.1.1", 6, None), levels(27, 27), Finalize::No).unwrap_err();
    assert!(err.contains("does not support this downgrade") && err.contains("\"4.1.1\""), "{err}");
}

#[test]
fn kraft_4x_below_its_minimum_metadata_version_is_refused_with_the_path() {
    let spec = kraft("4.1.1");
    let err = judge(&spec, &hosts(&spec, "3.3.2", "4.1.1", 0, None), levels(4, 7), Finalize::No).unwrap_err();
    assert!(err.contains("3.3-IV3") && err.contains("--finalize"), "{err}");
}

#[test]
fn java_requirement_changes_are_named_per_host() {
    let spec = kraft("4.1.1");
    let j = judge(&spec, &hosts(&spec, "3.9.1", "4.1.1", 0, None), levels(21, 21), Finalize::No).unwrap();
    let java: Vec<&String> = j.notes.iter().filter(|n| n.contains("needs Java 17")).collect();
    assert_eq!(java.len(), spec.hosts.len(), "{:?}", j.notes);
    assert!(java[0].contains("has Java 17"), "{java:?}");
}

#[test]
fn a_linked_directory_names_its_release() {
    assert_eq!(linked_version("/opt/kafka_2.13-3.9.1"), Some(v("3.9.1")));
    assert_eq!(linked_version("/opt/something"), None);
}

fn running_host(spec: &ClusterSpec, index: usize, old_dir: &str, release_present: bool) -> HostFacts {
    let mut units = std::collections::BTreeMap::new();
    for s in Service::on(&spec.hosts[index]) {
        units.insert(
            s.unit().to_string(),
            UnitState { active: "active".into(), enabled: "enabled".into(), ..Default::default() },
        );
    }
    HostFacts { link_target: Some(old_dir.into()), release_present, units, ..Default::default() }
}

#[test]
fn a_running_host_gets_its_new_release_unpacked_and_relinked_only_with_its_own_restart() {
    let spec = zk("3.9.2");
    let host = &spec.hosts[3];
    let step = HostStep::InstallRelease {
        from: crate::plan::distribution::ReleaseFrom::Wizard,
        tarball: "t.tgz".into(),
        versioned_dir: spec.kafka.versioned_dir(),
        link: spec.kafka.current_link(),
    };
    for present in [false, true] {
        let facts = running_host(&spec, 3, "/usr/local/kafka_2.13-3.8.1", present);
        let mut ctx = Context { tarball: Some(("/c/t.tgz".into(), "ab".repeat(64))), ..Default::default() };
        let Decision::Change { detail, actions } = decide(&spec, host, &step, &facts, &mut ctx) else { panic!() };
        assert!(detail.contains("right before this host's own restart"), "{detail}");
        let scripts = format!("{actions:?}");
        assert!(!scripts.contains("ln -sfn"), "no link swap while the host runs: {scripts}");
        let relink = ctx.relink_before_restart.clone().expect("the swap goes with the restart");
        assert!(relink.contains("ln -sfn") && relink.contains("kafka_2.13-3.9.2"), "{relink}");
        let start = decide_start(&spec, host, Service::Kafka, &facts, &ctx);
        assert!(matches!(start, StartDecision::Restart { .. }), "{start:?}");
    }
    // A host where nothing runs is relinked at once.
    let mut stopped = running_host(&spec, 3, "/usr/local/kafka_2.13-3.8.1", true);
    stopped.units.clear();
    let mut ctx = Context::default();
    let Decision::Change { actions, .. } = decide(&spec, host, &step, &stopped, &mut ctx) else { panic!() };
    assert!(format!("{actions:?}").contains("ln -sfn"));
    assert_eq!(ctx.relink_before_restart, None);
}

#[test]
fn the_pin_is_written_into_a_zookeeper_mode_brokers_server_properties_only_while_it_is_set() {
    let mut spec = zk("3.9.2");
    let host = spec.hosts[3].clone();
    let file = |spec: &ClusterSpec| {
        render::render_host(spec, &host).into_iter().find(|f| f.path.ends_with("server.properties")).unwrap().content
    };
    assert!(!file(&spec).contains("inter.broker.protocol.version"));
    spec.kafka.protocol_pin = Some("3.8".into());
    assert!(file(&spec).contains("\ninter.broker.protocol.version=3.8\n"), "{}", file(&spec));
}
