//! A dynamic quorum's membership changes on running nodes, as data: adding a controller leaves the other nodes'
//! files alone; a bootstrap controller removed rewrites their bootstrap list without a restart.

use super::super::{decide, decide_start, Action, Decision, StartDecision};
use super::*;
use crate::apply::facts::UnitState;
use crate::plan::HostStep;
use crate::project;
use crate::render::{Owner, Service};

const FIXTURE: &str = include_str!("../../../tests/fixtures/kraft-dynamic.toml");
const C4: &str = "\n[[hosts]]\nname = \"c4\"\naddress = \"10.2.0.14\"\nroles = [\"controller\"]\nid = 14\n";

fn spec(text: &str) -> ClusterSpec {
    let v = project::validate(&project::parse(text).unwrap());
    let errors: Vec<String> = v.errors().map(|p| p.to_string()).collect();
    v.spec.unwrap_or_else(|| panic!("{errors:?}"))
}

/// The fixture as deployed: its three controllers are the bootstrap controllers.
fn created() -> String {
    FIXTURE.replace("quorum = \"dynamic\"\n", "quorum = \"dynamic\"\nbootstrap_controllers = [11, 12, 13]\n")
}

fn server_properties(spec: &ClusterSpec, host: &str) -> String {
    let h = spec.hosts.iter().find(|h| h.name.as_str() == host).unwrap();
    render::render_host(spec, h).into_iter().find(|f| f.path.ends_with("/server.properties")).unwrap().content
}

/// Host `name` of `spec` running with every file as `spec` renders it, its bootstrap list read from its file.
fn deployed(spec: &ClusterSpec, name: &str) -> HostFacts {
    let host = spec.hosts.iter().find(|h| h.name.as_str() == name).unwrap();
    let mut facts = HostFacts { user_exists: true, group_exists: true, release_present: true, ..Default::default() };
    for f in render::render_host(spec, host) {
        facts.files.insert(f.path.clone(), Some(sha512_hex(f.content.as_bytes())));
        facts.file_modes.insert(f.path.clone(), format!("{} {:o}", f.owner.chown_spec("kafka"), f.mode));
        if let Some(v) = f.content.lines().find_map(|l| l.strip_prefix("controller.quorum.bootstrap.servers=")) {
            facts.bootstrap_servers = Some(v.to_string());
        }
    }
    facts.units.insert(
        "kafka-server.service".into(),
        UnitState { enabled: "enabled".into(), active: "active".into(), needs_daemon_reload: false },
    );
    facts
}

fn write_step(spec: &ClusterSpec) -> HostStep {
    HostStep::WriteFile {
        path: spec.kafka.config_dir.join("server.properties").to_string(),
        owner: Owner::RootServiceGroup,
        mode: 0o640,
    }
}

#[test]
fn adding_a_controller_changes_no_other_nodes_server_properties() {
    let before = spec(&created());
    let after = spec(&(created() + C4));
    for host in ["c1", "c2", "c3", "b1", "b2", "b3"] {
        assert_eq!(server_properties(&before, host), server_properties(&after, host), "{host}");
    }
    let c4 = server_properties(&after, "c4");
    assert!(c4.contains("controller.quorum.bootstrap.servers=10.2.0.11:9093,10.2.0.12:9093,10.2.0.13:9093\n"), "{c4}");
    // a project from before the key names every controller, as before
    let legacy = spec(&(FIXTURE.to_string() + C4));
    assert!(server_properties(&legacy, "b1").contains("10.2.0.14"));
}

#[test]
fn a_removed_bootstrap_controller_is_written_out_of_the_others_files_without_a_restart() {
    let before = spec(&created());
    let after = spec(
        &created()
            .replace("bootstrap_controllers = [11, 12, 13]", "bootstrap_controllers = [12, 13]")
            .replace("[[hosts]]\nname = \"c1\"\naddress = \"10.2.0.11\"\nroles = [\"controller\"]\nid = 11\n\n", ""),
    );
    let b1 = after.hosts.iter().find(|h| h.name.as_str() == "b1").unwrap();
    let facts = deployed(&before, "b1");
    let step = write_step(&after);
    let mut ctx = Context::default();
    let Decision::Change { actions, detail } = decide(&after, b1, &step, &facts, &mut ctx) else { panic!() };
    assert_eq!(actions.len(), 1, "written, no restart owed: {actions:?}");
    assert!(matches!(&actions[0], Action::Write { content, .. } if !content.contains("10.2.0.11")), "{actions:?}");
    assert!(detail.contains("only controller.quorum.bootstrap.servers changed"), "{detail}");
    assert!(detail.contains("takes effect at the service's next restart"), "{detail}");
    assert!(ctx.written.is_empty(), "{:?}", ctx.written);
    assert_eq!(decide_start(&after, b1, Service::Kafka, &facts, &ctx), StartDecision::Unchanged);

    // any other change in the same file restarts the node as always
    let mut drifted = facts.clone();
    drifted.files.insert(step_path(&step), Some("0".repeat(128)));
    let mut ctx = Context::default();
    let Decision::Change { actions, .. } = decide(&after, b1, &step, &drifted, &mut ctx) else { panic!() };
    assert_eq!(actions.len(), 2, "a restart owed, then the write: {actions:?}");
    assert!(matches!(decide_start(&after, b1, Service::Kafka, &drifted, &ctx), StartDecision::Restart { .. }));
}

fn step_path(step: &HostStep) -> String {
    match step {
        HostStep::WriteFile { path, .. } => path.clone(),
        _ => unreachable!(),
    }
}
