use super::*;
use crate::project::spec::{MigrationStage::*, Role};

fn spec() -> ClusterSpec {
    let draft = crate::project::parse(include_str!("../../../tests/fixtures/zookeeper-migrating.toml")).unwrap();
    let v = crate::project::validate(&draft);
    v.spec.unwrap_or_else(|| panic!("{:?}", v.problems))
}

/// The guide's six nodes as a ZooKeeper-mode cluster that ran: brokers formatted with one cluster id, on 3.9.1,
/// controllers not yet configured.
fn ran() -> Vec<NodeState> {
    let s = spec();
    s.hosts
        .iter()
        .filter(|h| h.runs_kafka())
        .map(|h| NodeState {
            host: h.name.to_string(),
            broker: h.has(Role::Broker),
            controller: h.has(Role::Controller),
            configured: h.has(Role::Broker),
            cluster_ids: if h.has(Role::Broker) { vec!["Zk0ClusterId0000000001".into()] } else { vec![] },
            linked: h.has(Role::Broker).then_some(Version::new(3, 9, 1)),
            ..NodeState::default()
        })
        .collect()
}

fn set(nodes: &mut [NodeState], pick: impl Fn(&NodeState) -> bool, change: impl Fn(&mut NodeState)) {
    nodes.iter_mut().filter(|n| pick(n)).for_each(change);
}

fn controllers_configured(nodes: &mut [NodeState], flag: bool) {
    set(
        nodes,
        |n| n.controller,
        |n| {
            n.configured = true;
            n.server.process_roles = Some("controller".into());
            n.server.migration_flag = flag;
            n.server.zookeeper_connect = flag;
            n.cluster_ids = vec!["Zk0ClusterId0000000001".into()];
        },
    );
}

#[test]
fn a_zookeeper_mode_cluster_that_ran_has_not_started_and_keeps_its_cluster_id() {
    let s = judge(&spec(), &ran()).unwrap();
    assert_eq!(s.stage, None);
    assert_eq!(s.cluster_id, "Zk0ClusterId0000000001");
    assert!(s.notes[0].contains("not started: 3 broker(s) in ZooKeeper mode, 3 controller(s)"), "{:?}", s.notes);
}

#[test]
fn configured_controllers_or_brokers_with_the_flag_mean_migrating_until_a_broker_runs_kraft() {
    let mut nodes = ran();
    controllers_configured(&mut nodes, true);
    assert_eq!(judge(&spec(), &nodes).unwrap().stage, Some(Migrating));
    set(&mut nodes, |n| n.host == "kafka1", |n| n.server.migration_flag = true);
    assert_eq!(judge(&spec(), &nodes).unwrap().stage, Some(Migrating));
    set(&mut nodes, |n| n.host == "kafka2", |n| n.server.process_roles = Some("broker".into()));
    let s = judge(&spec(), &nodes).unwrap();
    assert_eq!(s.stage, Some(BrokersOnKraft));
    assert!(s.notes[0].contains("1 of 3 broker(s) configured as KRaft brokers, 1 of them restarted"), "{:?}", s.notes);
    assert!(!s.brokers_on_kraft);
}

#[test]
fn controllers_without_the_flag_after_every_broker_moved_mean_finalizing() {
    let mut nodes = ran();
    controllers_configured(&mut nodes, true);
    set(&mut nodes, |n| n.broker, |n| n.server.process_roles = Some("broker".into()));
    assert_eq!(judge(&spec(), &nodes).unwrap().stage, Some(BrokersOnKraft));
    set(&mut nodes, |n| n.host == "zk2", |n| n.server.migration_flag = false);
    assert_eq!(judge(&spec(), &nodes).unwrap().stage, Some(Finalized));
}

#[test]
fn a_cluster_that_never_ran_or_of_two_clusters_is_refused_with_the_fix() {
    let mut nodes = ran();
    set(&mut nodes, |_| true, |n| n.cluster_ids.clear());
    let e = judge(&spec(), &nodes).unwrap_err();
    assert!(e.contains("nothing to migrate") && e.contains("kafka.mode = \"kraft\""), "{e}");
    let mut nodes = ran();
    set(&mut nodes, |n| n.host == "kafka3", |n| n.cluster_ids = vec!["Other".into()]);
    let e = judge(&spec(), &nodes).unwrap_err();
    assert!(e.contains("2 clusters"), "{e}");
}

#[test]
fn a_controller_formatted_for_another_cluster_is_refused_naming_it() {
    let mut nodes = ran();
    set(&mut nodes, |n| n.host == "zk3", |n| n.cluster_ids = vec!["SomeOtherCluster".into()]);
    let e = judge(&spec(), &nodes).unwrap_err();
    assert!(e.starts_with("zk3:") && e.contains("SomeOtherCluster"), "{e}");
}

#[test]
fn an_unfinished_upgrade_or_a_broker_on_another_release_is_refused_first() {
    let mut nodes = ran();
    set(&mut nodes, |n| n.host == "kafka1", |n| n.pinned = Some("3.8".into()));
    let e = judge(&spec(), &nodes).unwrap_err();
    assert!(e.contains("upgrade FILE --finalize") && e.contains("kafka1 (3.8)"), "{e}");
    let mut nodes = ran();
    set(&mut nodes, |n| n.host == "kafka2", |n| n.linked = Some(Version::new(3, 8, 1)));
    let e = judge(&spec(), &nodes).unwrap_err();
    assert!(e.contains("kafka2 (3.8.1)") && e.contains("deploy"), "{e}");
}

#[test]
fn each_command_runs_the_stages_left_up_to_its_end_and_refuses_the_rest() {
    use MigrateIntent::*;
    let at = |stage, brokers_on_kraft| Standing { stage, cluster_id: "x".into(), brokers_on_kraft, notes: vec![] };
    assert_eq!(stages_to_run(&at(None, false), Advance).unwrap(), [Migrating, BrokersOnKraft]);
    assert_eq!(stages_to_run(&at(Some(Migrating), false), Advance).unwrap(), [Migrating, BrokersOnKraft]);
    assert_eq!(stages_to_run(&at(Some(BrokersOnKraft), false), Advance).unwrap(), [BrokersOnKraft]);
    assert!(stages_to_run(&at(Some(Finalized), true), Advance).unwrap_err().contains("--finalize"));
    assert_eq!(stages_to_run(&at(Some(BrokersOnKraft), true), Finalize).unwrap(), [Finalized]);
    assert_eq!(stages_to_run(&at(Some(Finalized), true), Finalize).unwrap(), [Finalized]);
    assert!(stages_to_run(&at(Some(Migrating), false), Finalize)
        .unwrap_err()
        .contains("run `kafka-wizard migrate FILE` first"));
    assert_eq!(stages_to_run(&at(Some(Migrating), false), Keep).unwrap(), [Migrating]);
    assert_eq!(stages_to_run(&at(Some(BrokersOnKraft), false), Keep).unwrap(), [BrokersOnKraft]);
    assert!(stages_to_run(&at(None, false), Keep).unwrap_err().contains("start it with `kafka-wizard migrate FILE`"));
    assert!(stages_to_run(&at(Some(Finalized), true), Keep).unwrap_err().contains("--finalize"));
}

#[test]
fn finalize_waits_until_every_broker_was_restarted_as_a_kraft_broker() {
    let mut nodes = ran();
    controllers_configured(&mut nodes, true);
    set(&mut nodes, |n| n.broker, |n| n.server.process_roles = Some("broker".into()));
    set(&mut nodes, |n| n.host == "kafka3", |n| n.restart_owed = true);
    let s = judge(&spec(), &nodes).unwrap();
    assert_eq!(s.stage, Some(BrokersOnKraft));
    let refused = stages_to_run(&s, MigrateIntent::Finalize).unwrap_err();
    assert!(refused.contains("not every broker runs in KRaft mode") && refused.contains("migrate FILE"), "{refused}");
    assert_eq!(stages_to_run(&s, MigrateIntent::Advance).unwrap(), [BrokersOnKraft], "migrate finishes the roll");
    set(&mut nodes, |n| n.host == "kafka3", |n| n.restart_owed = false);
    assert!(judge(&spec(), &nodes).unwrap().brokers_on_kraft);
}

fn server_properties(stage: MigrationStage, host: &str) -> String {
    let s = at_stage(&spec(), stage, "Zk0ClusterId0000000001");
    let h = s.hosts.iter().find(|h| h.name.as_str() == host).unwrap();
    crate::render::server::server_properties(&s, h)
}

fn keys(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.starts_with('#') && l.contains('=')).map(str::to_string).collect()
}

#[test]
fn the_controllers_run_kraft_with_the_migration_and_the_ensemble_until_finalized() {
    let migrating = keys(&server_properties(Migrating, "zk1"));
    for line in [
        "process.roles=controller",
        "node.id=101",
        "controller.quorum.voters=101@10.0.2.11:9093,102@10.0.2.12:9093,103@10.0.2.13:9093",
        "zookeeper.metadata.migration.enable=true",
        "zookeeper.connect=10.0.2.11:2181,10.0.2.12:2181,10.0.2.13:2181/migrating",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    ] {
        assert!(migrating.iter().any(|l| l == line), "{line} missing in {migrating:#?}");
    }
    assert_eq!(keys(&server_properties(BrokersOnKraft, "zk1")), migrating, "brokers moving changes no controller");
    let finalized = keys(&server_properties(Finalized, "zk1"));
    assert!(finalized.iter().all(|l| !l.starts_with("zookeeper.")), "{finalized:#?}");
    assert!(finalized.contains(&"process.roles=controller".to_string()));
}

#[test]
fn the_brokers_add_the_migration_then_become_kraft_brokers_with_their_broker_id_as_node_id() {
    let migrating = keys(&server_properties(Migrating, "kafka2"));
    for line in [
        "broker.id=2",
        "zookeeper.metadata.migration.enable=true",
        "controller.listener.names=CONTROLLER",
        "controller.quorum.voters=101@10.0.2.11:9093,102@10.0.2.12:9093,103@10.0.2.13:9093",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    ] {
        assert!(migrating.iter().any(|l| l == line), "{line} missing in {migrating:#?}");
    }
    assert!(migrating.iter().any(|l| l.starts_with("zookeeper.connect=")));
    assert!(!migrating.iter().any(|l| l.starts_with("process.roles")));
    let kraft = keys(&server_properties(BrokersOnKraft, "kafka2"));
    assert!(kraft.contains(&"process.roles=broker".to_string()) && kraft.contains(&"node.id=2".to_string()));
    assert!(kraft.iter().all(|l| !l.starts_with("zookeeper.") && !l.starts_with("broker.id")), "{kraft:#?}");
    assert!(kraft.contains(&"log.dirs=/data1,/data2".to_string()), "the brokers keep their data: {kraft:#?}");
    assert_eq!(keys(&server_properties(Finalized, "kafka2")), kraft, "finalize changes no broker");
}

#[test]
fn the_plan_provisions_the_controllers_between_the_ensemble_and_the_brokers_and_gates_on_their_quorum() {
    let s = at_stage(&spec(), Migrating, "Zk0ClusterId0000000001");
    let plan = crate::plan::plan(&s);
    let starts: Vec<crate::plan::PhaseKind> =
        plan.phases.iter().filter(|p| matches!(p.work, crate::plan::Work::Start(_))).map(|p| p.kind).collect();
    use crate::plan::PhaseKind as K;
    assert_eq!(starts, [K::StartZookeeper, K::StartControllers, K::StartBrokers]);
    let formats: Vec<&str> = plan
        .phases
        .iter()
        .flat_map(|p| match &p.work {
            crate::plan::Work::OnHosts { hosts } => hosts
                .iter()
                .filter(|h| h.steps.iter().any(|s| matches!(s, crate::plan::HostStep::FormatStorage { cluster_id, .. } if cluster_id == "Zk0ClusterId0000000001")))
                .map(|h| h.host.as_str())
                .collect::<Vec<_>>(),
            _ => vec![],
        })
        .collect();
    assert_eq!(formats, ["zk1", "zk2", "zk3"], "only the controllers are formatted, with the running cluster's id");
    let brokers = plan.phases.iter().find(|p| p.kind == K::StartBrokers).unwrap();
    let crate::plan::Work::Start(start) = &brokers.work else { unreachable!() };
    assert!(start
        .health
        .iter()
        .any(|h| matches!(h, crate::plan::Health::KraftQuorum { voters } if voters == &[101, 102, 103])));
}

#[test]
fn a_controller_beside_zookeeper_never_pulls_the_ensemble_in_and_kraft_brokers_leave_it_too() {
    let s = at_stage(&spec(), Migrating, "x");
    let zk1 = s.hosts.iter().find(|h| h.name.as_str() == "zk1").unwrap();
    let unit = crate::render::systemd::kafka_unit(&s, zk1);
    assert!(!unit.contains("Wants=zookeeper"), "{unit}");
    assert!(unit.contains("KRaft controller 101"), "{unit}");
}

#[test]
fn the_rewritten_project_is_kraft_and_renders_every_kafka_node_exactly_as_finalize_left_it() {
    let text = include_str!("../../../tests/fixtures/zookeeper-migrating.toml");
    let (rewritten, dropped) = crate::project::file::rewrite_as_kraft(text, "Zk0ClusterId0000000001").unwrap();
    assert!(dropped.is_empty(), "every ensemble member is a controller too: {dropped:?}");
    assert!(rewritten.contains("# The guide's layout on Kafka 3.9"), "comments kept:\n{rewritten}");
    assert!(!rewritten.contains("zookeeper"), "{rewritten}");
    let v = crate::project::validate(&crate::project::parse(&rewritten).unwrap());
    let kraft = v.spec.unwrap_or_else(|| panic!("{rewritten}\n{:?}", v.problems));
    assert!(kraft.is_kraft());
    let finalized = at_stage(&spec(), Finalized, "Zk0ClusterId0000000001");
    for host in kraft.hosts.iter() {
        let before = finalized.hosts.iter().find(|h| h.name == host.name).unwrap();
        let files = |s: &ClusterSpec, h| -> Vec<(String, String)> {
            crate::render::render_host(s, h)
                .into_iter()
                .filter(|f| f.service == crate::render::Service::Kafka)
                .map(|f| (f.path, f.content))
                .collect()
        };
        assert_eq!(
            files(&kraft, host),
            files(&finalized, before),
            "{}: a deploy after finalize restarts nothing",
            host.name
        );
    }
}

#[test]
fn ensemble_members_without_another_role_leave_the_project() {
    let text = include_str!("../../../tests/fixtures/seed-cluster.toml").replace(
        "[[hosts]]\nname = \"peter-kafka001\"",
        "[[hosts]]\nname = \"c1\"\nroles = [\"controller\"]\nid = 101\n\n[[hosts]]\nname = \"peter-kafka001\"",
    );
    let (rewritten, dropped) = crate::project::file::rewrite_as_kraft(&text, "Zk0ClusterId0000000001").unwrap();
    assert_eq!(dropped, ["peter-zk001", "peter-zk002", "peter-zk003"]);
    assert!(!rewritten.contains("peter-zk") && rewritten.contains("name = \"c1\""), "{rewritten}");
    assert!(rewritten.contains("cluster_id = \"Zk0ClusterId0000000001\"") && rewritten.contains("mode = \"kraft\""));
}

/// The nodes once every broker runs as a KRaft broker (the controllers still migrating).
fn brokers_on_kraft() -> Vec<NodeState> {
    let mut nodes = ran();
    controllers_configured(&mut nodes, true);
    set(&mut nodes, |n| n.broker, |n| n.server.process_roles = Some("broker".into()));
    nodes
}

#[test]
fn a_rollback_from_kraft_brokers_takes_them_back_through_migration_mode_first() {
    use rollback::RollbackStep::*;
    let standing = judge(&spec(), &brokers_on_kraft()).unwrap();
    assert_eq!(
        rollback::rollback_steps(&standing).unwrap(),
        [BrokersBackToMigrationMode, RetireControllers, ReleaseControllerZnode, BrokersWithoutMigration]
    );
    // a rollback cut off after the controllers were retired (their files moved aside) resumes with the rest
    let mut nodes = brokers_on_kraft();
    set(&mut nodes, |n| n.broker, |n| (n.server.process_roles, n.server.migration_flag) = (None, true));
    set(
        &mut nodes,
        |n| n.controller,
        |n| (n.configured, n.server, n.cluster_ids) = (false, Default::default(), vec![]),
    );
    let standing = judge(&spec(), &nodes).unwrap();
    assert_eq!(standing.stage, Some(Migrating));
    assert_eq!(
        rollback::rollback_steps(&standing).unwrap(),
        [RetireControllers, ReleaseControllerZnode, BrokersWithoutMigration]
    );
    // and once the brokers left the migration keys there is nothing left but the project file
    set(&mut nodes, |n| n.broker, |n| n.server.migration_flag = false);
    let standing = judge(&spec(), &nodes).unwrap();
    assert_eq!((standing.stage, rollback::rollback_steps(&standing).unwrap()), (None, vec![]));
}

#[test]
fn a_finalizing_migration_cannot_be_rolled_back() {
    let mut nodes = brokers_on_kraft();
    set(&mut nodes, |n| n.host == "zk1", |n| n.server.migration_flag = false);
    let standing = judge(&spec(), &nodes).unwrap();
    assert_eq!(standing.stage, Some(Finalized));
    let why = rollback::rollback_steps(&standing).unwrap_err();
    assert!(why.contains("no way back") && why.contains("--finalize"), "{why}");
}

#[test]
fn the_rolled_back_cluster_is_the_project_file_without_its_controllers() {
    // a dedicated controller on a host of its own besides the three beside the ensemble
    let text = format!(
        "{}\n[[hosts]]\nname = \"ctl4\"\naddress = \"10.0.2.31\"\nroles = [\"controller\"]\nid = 104\n",
        include_str!("../../../tests/fixtures/zookeeper-migrating.toml")
    );
    let with_controllers = crate::project::validate(&crate::project::parse(&text).unwrap()).spec.unwrap();
    let (rewritten, dropped) = crate::project::file::without_controllers(&text).unwrap();
    assert_eq!(dropped, ["ctl4"]);
    let from_file = crate::project::validate(&crate::project::parse(&rewritten).unwrap()).spec.unwrap();
    let plain = rollback::without_migration(&with_controllers);
    assert_eq!(plain, from_file);
    assert!(plain.migration().is_none() && plain.controllers().next().is_none());
    assert_eq!(plain.zookeeper_members().iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["zk1", "zk2", "zk3"]);
}

#[test]
fn the_controller_znode_is_released_only_from_the_projects_controllers_through_zookeepers_shell_as_the_service_user() {
    let script = rollback::znode_script(&spec());
    assert!(script.contains("runuser -u kafka -- env LOG_DIR=/var/log/kafka KAFKA_HEAP_OPTS=-Xmx256m /opt/kafka/bin/kafka-run-class.sh org.apache.zookeeper.ZooKeeperMain -server 10.0.2.11:2181,10.0.2.12:2181,10.0.2.13:2181/migrating"), "{script}");
    assert!(script.contains("case \" 101 102 103 \" in"), "{script}");
    assert!(script.contains("zk deleteall /migration"), "{script}");
    assert!(!script.contains("login.config"), "an unsecured cluster's brokers have no JAAS file: {script}");
}

#[test]
fn the_controller_znode_is_released_with_the_brokers_zookeeper_login_on_a_secured_cluster() {
    let draft = crate::project::parse(include_str!("../../../tests/fixtures/zookeeper-secure.toml")).unwrap();
    let script = rollback::znode_script(&crate::project::validate(&draft).spec.unwrap());
    assert!(
        script.contains("KAFKA_OPTS=-Djava.security.auth.login.config=/etc/kafka/kafka-server-jaas.conf"),
        "{script}"
    );
}

#[test]
fn migrate_asks_for_controllers_a_project_does_not_have() {
    let kraft = crate::project::validate(
        &crate::project::parse(include_str!("../../../tests/fixtures/kraft-dedicated.toml")).unwrap(),
    )
    .spec
    .unwrap();
    let opts = |migrate| crate::apply::DeployOptions { migrate, ..Default::default() };
    let e = refuse_without_controllers(&kraft, &opts(MigrateIntent::Rollback)).unwrap_err().to_string();
    assert!(e.contains("KRaft mode already"), "{e}");
    let plain = rollback::without_migration(&spec());
    let e = refuse_without_controllers(&plain, &opts(MigrateIntent::Advance)).unwrap_err().to_string();
    assert!(e.contains("no host with the role \"controller\""), "{e}");
    refuse_without_controllers(&plain, &opts(MigrateIntent::Keep)).unwrap();
}
