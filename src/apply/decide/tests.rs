//! The decisions as data: facts in, actions out, for bare, deployed, drifted and half-changed hosts.

use super::*;
use crate::apply::facts::UnitState;
use crate::plan;
use crate::project;

fn spec(text: &str) -> ClusterSpec {
    project::validate(&project::parse(text).unwrap()).spec.unwrap()
}
fn seed() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/seed-cluster.toml"))
}
fn kraft() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-dedicated.toml"))
}
fn steps_of(spec: &ClusterSpec, host: &str) -> Vec<HostStep> {
    plan::plan(spec).host_steps(host).cloned().collect()
}

#[test]
fn a_bare_host_gets_every_step_and_an_up_to_date_one_gets_none() {
    let spec = seed();
    let host = &spec.hosts[3];
    let bare = HostFacts { java: Some("openjdk version \"17\"".into()), java_major: Some(17), ..Default::default() };
    let ctx = Context { tarball: Some(("/cache/t.tgz".into(), "ab".repeat(64))), ..Default::default() };
    let mut changed = 0;
    for step in steps_of(&spec, "peter-kafka001") {
        match decide(&spec, host, &step, &bare, &mut ctx.clone()) {
            Decision::Change { .. } => changed += 1,
            Decision::Unchanged { .. } => {}
            Decision::Refuse { message } => panic!("{step:?} refused on a bare host: {message}"),
        }
    }
    assert_eq!(changed, 8, "user, dirs, install, 4 files, register");

    // The same host after a deploy: every step is a no-op.
    let mut done = bare.clone();
    done.user_exists = true;
    done.group_exists = true;
    done.release_present = true;
    done.link_target = Some(spec.kafka.versioned_dir().to_string());
    for f in render::render_host(&spec, host) {
        done.files.insert(f.path.clone(), Some(sha512_hex(f.content.as_bytes())));
    }
    for d in plan::directories(&spec, host) {
        done.dirs.insert(d.path.to_string(), Some(format!("{} {:o}", d.owner.chown_spec("kafka"), d.mode)));
    }
    done.units.insert(
        "kafka-server.service".into(),
        UnitState { enabled: "enabled".into(), active: "active".into(), needs_daemon_reload: false },
    );
    for step in steps_of(&spec, "peter-kafka001") {
        let d = decide(&spec, host, &step, &done, &mut Context::default());
        assert!(!matches!(d, Decision::Change { .. }), "{step:?} would change: {d:?}");
    }
}

#[test]
fn java_that_is_missing_or_too_old_is_refused_with_the_fix() {
    let spec = kraft();
    let step = HostStep::CheckJava { min: 17 };
    let old = HostFacts { java: Some("openjdk version \"11.0.2\"".into()), java_major: Some(11), ..Default::default() };
    let Decision::Refuse { message } = decide(&spec, &spec.hosts[0], &step, &old, &mut Context::default()) else {
        panic!()
    };
    assert!(message.contains("Java 11 is too old") && message.contains("Java 17"), "{message}");
    let Decision::Refuse { message } =
        decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut Context::default())
    else {
        panic!()
    };
    assert!(message.contains("Java not found at /usr/lib/jvm/java-17-openjdk-amd64"), "{message}");
}

#[test]
fn missing_java_is_installed_with_the_package_manager_only_when_asked() {
    let spec = spec_of_version("3.9.1");
    let step = HostStep::CheckJava { min: 8 };
    let asked = Context { install_java: true, ..Default::default() };
    let Decision::Change { actions, .. } =
        decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut asked.clone())
    else {
        panic!()
    };
    let Action::Run { script } = &actions[0] else { panic!() };
    assert!(script.contains("apt-get install -y -q --no-install-recommends openjdk-17-jre-headless"), "{script}");
    assert!(script.contains("dnf install -y java-17-openjdk-headless"), "{script}");
    assert!(matches!(
        decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut Context::default()),
        Decision::Refuse { .. }
    ));
    assert_eq!(java_package_major(&spec_of_version("2.3.1")), 11, "Kafka 2.x is documented for Java 8 and 11 only");
}

fn spec_of_version(v: &str) -> ClusterSpec {
    let text = include_str!("../../../tests/fixtures/seed-cluster.toml")
        .replace("version = \"2.8.0\"", &format!("version = \"{v}\""))
        .replace("scala = \"2.13\"", "scala = \"2.12\"");
    spec(&text)
}

#[test]
fn a_dynamic_quorums_controller_is_formatted_as_a_first_voter_in_a_new_cluster_and_joins_a_running_one() {
    let spec = spec(include_str!("../../../tests/fixtures/kraft-dynamic.toml"));
    let step = |name: &str| {
        let host = spec.hosts.iter().find(|h| h.name.as_str() == name).unwrap();
        let step = steps_of(&spec, name).into_iter().find(|s| matches!(s, HostStep::FormatStorage { .. })).unwrap();
        (host, step)
    };
    let script = |name: &str, running: bool| {
        let (host, step) = step(name);
        let mut ctx = Context { quorum_running: running, ..Default::default() };
        let Decision::Change { actions, .. } = decide(&spec, host, &step, &HostFacts::default(), &mut ctx) else {
            panic!()
        };
        let Action::Run { script } = &actions[0] else { panic!() };
        script.clone()
    };
    let first = script("c2", false);
    let list = "11@10.2.0.11:9093:cs6aY7D2hXq2h8rxwYCk7A,12@10.2.0.12:9093:Xqr3uywSruqYgeZSmrUqwA,\
                13@10.2.0.13:9093:qhB2hK8RAthju-BGtZe6mw";
    assert!(first.ends_with(&format!("-c /etc/kafka/server.properties --initial-controllers {list}")), "{first}");
    let joining = script("c2", true);
    assert!(joining.ends_with("-c /etc/kafka/server.properties --no-initial-controllers"), "{joining}");
    for running in [false, true] {
        let broker = script("b1", running);
        assert!(broker.ends_with("-c /etc/kafka/server.properties"), "a broker takes no quorum flag: {broker}");
    }
}

#[test]
fn storage_formatted_for_another_cluster_is_refused_and_our_own_is_left_alone() {
    let spec = kraft();
    let host = &spec.hosts[3];
    let step = HostStep::FormatStorage {
        cluster_id: "q2nNPvlTSGmhSmxqXwJ5Ag".into(),
        config: spec.kafka.config_dir.join("server.properties"),
        initial_controllers: None,
    };
    let mut facts = HostFacts::default();
    facts.meta_cluster_ids.insert("/srv/kafka/disk1".into(), "MkU3OEVBNTcwNTJENDM2Qk".into());
    let Decision::Refuse { message } = decide(&spec, host, &step, &facts, &mut Context::default()) else { panic!() };
    assert!(message.contains("/srv/kafka/disk1 (cluster id MkU3OEVBNTcwNTJENDM2Qk)"), "{message}");
    for d in ["/srv/kafka/disk1", "/srv/kafka/disk2"] {
        facts.meta_cluster_ids.insert(d.into(), "q2nNPvlTSGmhSmxqXwJ5Ag".into());
    }
    assert!(matches!(decide(&spec, host, &step, &facts, &mut Context::default()), Decision::Unchanged { .. }));
    facts.meta_cluster_ids.remove("/srv/kafka/disk2");
    let Decision::Change { actions, .. } = decide(&spec, host, &step, &facts, &mut Context::default()) else {
        panic!()
    };
    let Action::Run { script } = &actions[0] else { panic!() };
    assert!(script.starts_with("runuser -u kafka -- env LOG_DIR=/var/log/kafka"), "{script}");
    assert!(
        script.contains("format --ignore-formatted -t q2nNPvlTSGmhSmxqXwJ5Ag -c /etc/kafka/server.properties"),
        "{script}"
    );
}

/// The seed cluster's release step, the wizard uploading it.
fn install_release_from_the_wizard(spec: &ClusterSpec) -> HostStep {
    HostStep::InstallRelease {
        from: crate::plan::distribution::ReleaseFrom::Wizard,
        tarball: "kafka_2.13-2.8.0.tgz".into(),
        versioned_dir: spec.kafka.versioned_dir(),
        link: spec.kafka.current_link(),
    }
}

#[test]
fn an_installed_release_behind_another_symlink_is_only_relinked() {
    let spec = seed();
    let step = install_release_from_the_wizard(&spec);
    let facts = HostFacts {
        release_present: true,
        link_target: Some("/usr/local/kafka_2.13-2.7.0".into()),
        ..Default::default()
    };
    let Decision::Change { actions, .. } = decide(&spec, &spec.hosts[3], &step, &facts, &mut Context::default()) else {
        panic!()
    };
    assert_eq!(
        actions,
        vec![
            Action::Run { script: pending::mark_script(&[Service::Kafka]) },
            Action::Run {
                script: format!(
                    "{} && ln -sfn /usr/local/kafka_2.13-2.8.0 /usr/local/kafka",
                    crate::transport::scripts::refuse_real_directory("/usr/local/kafka")
                )
            }
        ]
    );
}

#[test]
fn a_changed_server_properties_restarts_kafka_but_not_zookeeper() {
    let spec = spec(include_str!("../../../tests/fixtures/mixed-zookeeper.toml"));
    let host = &spec.hosts[0];
    let ctx = Context { written: ["/etc/kafka-mixed/server.properties".to_string()].into(), ..Default::default() };
    assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_some());
    assert!(restart_reason(&spec, host, Service::Zookeeper, &ctx).is_none());
    let ctx = Context { written: ["/var/lib/zookeeper/myid".to_string()].into(), ..Default::default() };
    assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_none());
    let ctx = Context { written: ["/var/lib/zk-mixed/myid".to_string()].into(), ..Default::default() };
    assert!(restart_reason(&spec, host, Service::Zookeeper, &ctx).is_some());
    assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_none());
}

#[test]
fn a_changed_logging_section_rewrites_each_services_log4j_file_and_restarts_only_that_service() {
    let old = spec(include_str!("../../../tests/fixtures/mixed-zookeeper.toml"));
    let mut new = old.clone();
    new.logging.max_files += 1;
    let host = &new.hosts[0];
    let before = render::render_host(&old, host);
    let changed: Vec<_> = render::render_host(&new, host).into_iter().filter(|f| !before.contains(f)).collect();
    let paths: Vec<&str> = changed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["/etc/kafka-mixed/kafka-log4j.properties", "/etc/kafka-mixed/zookeeper-log4j.properties"]);
    for f in &changed {
        let ctx = Context { written: [f.path.clone()].into(), ..Default::default() };
        for service in [Service::Kafka, Service::Zookeeper] {
            let reason = restart_reason(&new, host, service, &ctx);
            assert_eq!(reason.is_some(), service == f.service, "{} and {service}: {reason:?}", f.path);
        }
    }
}

/// The seed cluster and its first broker's facts as deployed (see `deployed_broker`).
fn deployed_seed_broker() -> (ClusterSpec, HostFacts) {
    let spec = seed();
    let facts = deployed_broker(&spec);
    (spec, facts)
}

/// The seed cluster's first broker as deployed: every file current, the unit enabled and running.
fn deployed_broker(spec: &ClusterSpec) -> HostFacts {
    let host = &spec.hosts[3];
    let mut facts = HostFacts {
        java: Some("openjdk version \"17\"".into()),
        java_major: Some(17),
        user_exists: true,
        group_exists: true,
        release_present: true,
        link_target: Some(spec.kafka.versioned_dir().to_string()),
        ..Default::default()
    };
    for f in render::render_host(spec, host) {
        facts.files.insert(f.path.clone(), Some(sha512_hex(f.content.as_bytes())));
        facts.file_modes.insert(f.path.clone(), format!("{} {:o}", f.owner.chown_spec("kafka"), f.mode));
    }
    facts.units.insert(
        "kafka-server.service".into(),
        UnitState { enabled: "enabled".into(), active: "active".into(), needs_daemon_reload: false },
    );
    facts
}

/// The seed's first broker, deployed and running, whose `server.properties` on the host differs from the rendered
/// one, and the step that writes it.
fn a_changed_server_properties() -> (ClusterSpec, HostFacts, HostStep) {
    let (spec, mut facts) = deployed_seed_broker();
    facts.files.insert("/etc/kafka/server.properties".into(), Some("0".repeat(128)));
    let step = HostStep::WriteFile {
        path: "/etc/kafka/server.properties".into(),
        owner: Owner::RootServiceGroup,
        mode: 0o640,
    };
    (spec, facts, step)
}

#[test]
fn a_changed_file_marks_its_service_as_owing_a_restart_before_it_is_written() {
    let (spec, facts, step) = a_changed_server_properties();
    let host = &spec.hosts[3];
    let mut ctx = Context::default();
    let Decision::Change { actions, detail } = decide(&spec, host, &step, &facts, &mut ctx) else { panic!() };
    assert_eq!(actions[0], Action::Run { script: pending::mark_script(&[Service::Kafka]) });
    assert!(matches!(actions[1], Action::Write { keep_old: true, .. }), "the marker comes first: {actions:?}");
    assert_eq!(detail, "updated; the old copy is kept in /var/lib/kafka-wizard/backups/etc/kafka/server.properties/");
    let StartDecision::Restart { reason } = decide_start(&spec, host, Service::Kafka, &facts, &ctx) else { panic!() };
    assert!(reason.contains("/etc/kafka/server.properties"), "{reason}");
}

#[test]
fn an_adopting_run_writes_a_running_services_file_without_owing_or_doing_a_restart() {
    let (spec, mut facts, step) = a_changed_server_properties();
    let host = &spec.hosts[3];
    let mut ctx = Context { adopt: true, ..Context::default() };
    let Decision::Change { actions, detail } = decide(&spec, host, &step, &facts, &mut ctx) else { panic!() };
    assert_eq!(actions.len(), 1, "no restart-pending mark: {actions:?}");
    assert!(matches!(actions[0], Action::Write { .. }), "{actions:?}");
    assert!(detail.contains("adopted: read at the service's next restart"), "{detail}");
    let StartDecision::Adopted { changed } = decide_start(&spec, host, Service::Kafka, &facts, &ctx) else { panic!() };
    assert_eq!(changed, "/etc/kafka/server.properties");
    assert!(StartDecision::Adopted { changed }.detail().contains("not restarted"));
    // a restart an earlier ordinary run owed is still done, and a stopped service is started
    facts.pending_restart.insert("kafka-server.service".into());
    assert!(matches!(decide_start(&spec, host, Service::Kafka, &facts, &ctx), StartDecision::Restart { .. }));
    facts.units.get_mut("kafka-server.service").unwrap().active = "inactive".into();
    assert_eq!(decide_start(&spec, host, Service::Kafka, &facts, &ctx), StartDecision::Start);
}

#[test]
fn a_restart_an_earlier_run_owed_is_done_although_every_file_is_current() {
    let (spec, mut facts) = deployed_seed_broker();
    let host = &spec.hosts[3];
    let ctx = Context::default();
    assert_eq!(decide_start(&spec, host, Service::Kafka, &facts, &ctx), StartDecision::Unchanged);
    facts.pending_restart.insert("kafka-server.service".into());
    let StartDecision::Restart { reason } = decide_start(&spec, host, Service::Kafka, &facts, &ctx) else { panic!() };
    assert!(reason.contains("earlier run"), "{reason}");
    // a stopped service is simply started (it reads the current files)
    facts.units.get_mut("kafka-server.service").unwrap().active = "inactive".into();
    assert_eq!(decide_start(&spec, host, Service::Kafka, &facts, &ctx), StartDecision::Start);
}

#[test]
fn a_drifted_owner_or_mode_is_repaired_without_a_restart() {
    let (spec, mut facts) = deployed_seed_broker();
    let host = &spec.hosts[3];
    let unit = "/etc/systemd/system/kafka-server.service";
    facts.file_modes.insert(unit.into(), "kafka:kafka 664".into());
    let step = HostStep::WriteFile { path: unit.into(), owner: Owner::Root, mode: 0o644 };
    let mut ctx = Context::default();
    let Decision::Change { detail, actions } = decide(&spec, host, &step, &facts, &mut ctx) else { panic!() };
    assert!(detail.contains("kafka:kafka 664 → root:root 644"), "{detail}");
    assert_eq!(
        actions,
        vec![Action::Run { script: format!("test ! -L {unit} && chown root:root {unit} && chmod 0644 {unit}") }]
    );
    assert!(ctx.written.is_empty(), "a repaired mode is no new content");
    assert_eq!(decide_start(&spec, host, Service::Kafka, &facts, &ctx), StartDecision::Unchanged);
}

#[test]
fn a_unit_systemd_has_not_reloaded_is_reloaded_on_the_next_run() {
    let (spec, mut facts) = deployed_seed_broker();
    let host = &spec.hosts[3];
    let step = HostStep::RegisterUnits { units: vec![Service::Kafka] };
    assert!(matches!(decide(&spec, host, &step, &facts, &mut Context::default()), Decision::Unchanged { .. }));
    facts.units.get_mut("kafka-server.service").unwrap().needs_daemon_reload = true;
    let Decision::Change { actions, .. } = decide(&spec, host, &step, &facts, &mut Context::default()) else {
        panic!()
    };
    assert_eq!(actions, vec![Action::Run { script: "systemctl daemon-reload".into() }]);
}

#[test]
fn a_new_unit_is_enabled_with_the_one_reload_enable_makes_itself() {
    let (spec, mut facts) = deployed_seed_broker();
    let host = &spec.hosts[3];
    facts.units.get_mut("kafka-server.service").unwrap().enabled = "disabled".into();
    let step = HostStep::RegisterUnits { units: vec![Service::Kafka] };
    let mut ctx = Context::default();
    ctx.written.insert("/etc/systemd/system/kafka-server.service".into());
    let Decision::Change { actions, .. } = decide(&spec, host, &step, &facts, &mut ctx) else { panic!() };
    // no daemon-reload before it: `systemctl enable` reloads the manager once its links exist, loading the new file
    assert_eq!(actions, vec![Action::Run { script: "systemctl enable --quiet kafka-server.service".into() }]);
}

#[test]
fn a_restart_names_the_changed_files_and_the_release() {
    let (spec, mut running) = (seed(), HostFacts::default());
    let active = UnitState { enabled: "enabled".into(), active: "active".into(), needs_daemon_reload: false };
    running.units.insert("kafka-server.service".into(), active);
    let ctx = Context {
        written: ["/etc/kafka/server.properties".into()].into(),
        release_changed: true,
        ..Default::default()
    };
    let decision = decide_start(&spec, &spec.hosts[3], Service::Kafka, &running, &ctx);
    let expected = "changed: /etc/kafka/server.properties, new release /usr/local/kafka_2.13-2.8.0";
    assert_eq!(decision, StartDecision::Restart { reason: expected.into() });
    assert_eq!(decision.detail(), format!("restart, one host at a time ({expected})"));
}

#[test]
fn only_a_file_already_on_the_host_is_backed_up_before_it_is_written() {
    let (spec, mut facts) = deployed_seed_broker();
    let host = &spec.hosts[3];
    let path = "/etc/kafka/server.properties";
    let step = HostStep::WriteFile { path: path.into(), owner: Owner::RootServiceGroup, mode: 0o640 };
    let keeps = |facts: &HostFacts| match decide(&spec, host, &step, facts, &mut Context::default()) {
        Decision::Change { actions, .. } => actions.iter().any(|a| matches!(a, Action::Write { keep_old: true, .. })),
        _ => false,
    };
    assert!(!keeps(&facts), "a current file is not written, so nothing is backed up");
    facts.files.insert(path.into(), Some("0".repeat(128)));
    assert!(keeps(&facts), "an older copy is kept");
    facts.files.insert(path.into(), None);
    let Decision::Change { detail, actions } = decide(&spec, host, &step, &facts, &mut Context::default()) else {
        panic!()
    };
    assert_eq!(detail, "written");
    assert!(matches!(actions[1], Action::Write { keep_old: false, .. }), "nothing to keep: {actions:?}");
}

#[test]
fn a_secured_kraft_node_is_formatted_with_every_scram_user_and_its_files_carry_the_stores_secrets() {
    use crate::security::{store::SecretMaterial, Secret};
    let spec = spec(include_str!("../../../tests/fixtures/kraft-secure.toml"));
    let host = &spec.hosts[0];
    let mut material = SecretMaterial::placeholders(&spec, spec.security.as_ref().unwrap());
    for (user, password) in material.passwords.iter_mut() {
        *password = Secret::new(format!("PW{}", user.len()));
    }
    let mut ctx = Context { secrets: Some(std::sync::Arc::new(material)), ..Default::default() };
    let format =
        steps_of(&spec, "secure1.example.com").into_iter().find(|s| matches!(s, HostStep::FormatStorage { .. }));
    let Decision::Change { actions, detail } = decide(&spec, host, &format.unwrap(), &HostFacts::default(), &mut ctx)
    else {
        panic!()
    };
    assert!(detail.ends_with("and SCRAM users admin, kafka-broker, orders-app"), "{detail}");
    let Action::RunWithSecretInput { script, input } = &actions[0] else { panic!("{actions:?}") };
    assert!(!script.contains("PW") && !script.contains("--add-scram"), "no password on a command line: {script}");
    assert!(script.contains("/opt/kafka/bin/kafka-run-class.sh \"@$args\""), "{script}");
    let argfile = input.expose();
    assert!(argfile.starts_with("\"format\"\n\"--ignore-formatted\"\n\"-t\"\n"), "{argfile}");
    for arg in ["SCRAM-SHA-512=[name=admin,password=PW5]", "SCRAM-SHA-512=[name=kafka-broker,password=PW12]"] {
        assert!(argfile.contains(&format!("\"--add-scram\"\n\"{arg}\"\n")), "{argfile}");
    }
    assert_eq!(format!("{:?}", actions[0]).matches("PW").count(), 0, "Debug shows no password");
    let java8 = HostFacts { java_major: Some(8), ..Default::default() };
    let step = steps_of(&spec, "secure1.example.com").into_iter().find(|s| matches!(s, HostStep::FormatStorage { .. }));
    let refused = decide(&spec, host, &step.unwrap(), &java8, &mut ctx);
    assert!(
        matches!(&refused, Decision::Refuse { message } if message.contains("Java 8 cannot read a Java argument file")),
        "{refused:?}"
    );
    let jaas = HostStep::WriteFile {
        path: "/etc/kafka/kafka-server-jaas.conf".into(),
        owner: Owner::RootServiceGroup,
        mode: 0o640,
    };
    let Decision::Change { actions, .. } = decide(&spec, host, &jaas, &HostFacts::default(), &mut ctx) else {
        panic!()
    };
    assert!(
        matches!(&actions[1], Action::Write { content, .. } if content.contains("password=\"PW12\"")),
        "{actions:?}"
    );
}

/// The seed cluster with `[monitoring] prometheus = true`.
fn monitored() -> ClusterSpec {
    spec(&format!("{}\n[monitoring]\nprometheus = true\n", include_str!("../../../tests/fixtures/seed-cluster.toml")))
}

#[test]
fn the_exporter_jar_is_uploaded_and_verified_where_missing_or_different_and_left_alone_where_it_matches() {
    let spec = monitored();
    let step = steps_of(&spec, "peter-kafka001")
        .into_iter()
        .find(|s| matches!(s, HostStep::InstallAgent { .. }))
        .expect("every host of a monitored cluster gets the jar");
    let HostStep::InstallAgent { path, sha512, .. } = &step else { unreachable!() };
    assert_eq!(path, "/usr/local/jmx_prometheus_javaagent-1.0.1.jar");
    assert_eq!(sha512, crate::catalog::agent::JMX_EXPORTER.sha512);
    let ctx = Context { agent: Some("/cache/agent.jar".into()), ..Default::default() };
    let host = &spec.hosts[3];
    for on_host in [None, Some("cd".repeat(64))] {
        let facts = HostFacts { files: [(path.clone(), on_host)].into(), ..Default::default() };
        let Decision::Change { actions, .. } = decide(&spec, host, &step, &facts, &mut ctx.clone()) else { panic!() };
        let remote = "/usr/local/.jmx_prometheus_javaagent-1.0.1.jar.upload".to_string();
        assert_eq!(actions[0], Action::Upload { local: "/cache/agent.jar".into(), remote });
        let Action::Run { script } = &actions[1] else { panic!("{actions:?}") };
        assert!(script.contains(&format!("!= {sha512} ]")), "the host checks the pin: {script}");
        assert!(script.ends_with(&format!("mv -f \"$r\" {path}")), "{script}");
        assert!(!actions.iter().any(|a| matches!(a, Action::Run { script } if script.contains("pending"))));
    }
    let facts = HostFacts { files: [(path.clone(), Some(sha512.clone()))].into(), ..Default::default() };
    assert!(matches!(decide(&spec, host, &step, &facts, &mut Context::default()), Decision::Unchanged { .. }));
    assert!(!agent_needed([facts].iter(), path, sha512));
}

#[test]
fn turning_the_exporter_on_rewrites_each_env_file_which_restarts_its_service() {
    let (off, on) = (seed(), monitored());
    for (host, env) in [(3, "/etc/kafka/kafka-server.env"), (0, "/etc/kafka/zookeeper-server.env")] {
        let old = render::render_host(&off, &off.hosts[host]).into_iter().find(|f| f.path == env).unwrap();
        let step = HostStep::WriteFile { path: env.into(), owner: Owner::Root, mode: 0o644 };
        let facts = HostFacts {
            files: [(env.to_string(), Some(sha512_hex(old.content.as_bytes())))].into(),
            ..Default::default()
        };
        let Decision::Change { actions, .. } = decide(&on, &on.hosts[host], &step, &facts, &mut Context::default())
        else {
            panic!("{env} changes")
        };
        assert_eq!(actions[0], owe_restart(&[old.service]), "{env}");
        let Action::Write { content, .. } = &actions[1] else { panic!() };
        assert!(content.contains("-javaagent:/usr/local/jmx_prometheus_javaagent-1.0.1.jar="), "{content}");
    }
}

#[test]
fn the_install_step_is_named_by_where_this_run_gets_the_release_not_by_the_plans_tree() {
    let spec = seed();
    let step = HostStep::InstallRelease {
        from: crate::plan::distribution::ReleaseFrom::Host { host: "peter-kafka001".into(), round: 2 },
        tarball: "kafka_2.13-2.8.0.tgz".into(),
        versioned_dir: spec.kafka.versioned_dir(),
        link: spec.kafka.current_link(),
    };
    assert_eq!(
        step.title(),
        "get kafka_2.13-2.8.0.tgz from peter-kafka001 (round 2), verify, unpack and link /usr/local/kafka"
    );
    // the only host needing the release in this run (or a failed hop): the wizard uploads it
    assert_eq!(
        step_title(&step, &Context::default()),
        "get kafka_2.13-2.8.0.tgz from the wizard, verify, unpack and link /usr/local/kafka"
    );
    // the relay of this run put it there from another host than the plan's
    let relayed = Context { staged: Some("from peter-kafka003 (round 1)".into()), ..Default::default() };
    assert_eq!(
        step_title(&step, &relayed),
        "get kafka_2.13-2.8.0.tgz from peter-kafka003 (round 1), verify, unpack and link /usr/local/kafka"
    );
    let other = HostStep::CreateServiceUser { user: "kafka".into() };
    assert_eq!(step_title(&other, &relayed), other.title());
}

#[test]
fn a_relative_release_link_made_by_hand_counts_as_pointing_at_the_release() {
    assert!(link_leads_to("/usr/local/kafka", "kafka_2.13-3.9.2", "/usr/local/kafka_2.13-3.9.2"));
    assert!(link_leads_to("/usr/local/kafka", "./kafka_2.13-3.9.2/", "/usr/local/kafka_2.13-3.9.2"));
    assert!(link_leads_to("/opt/kafka", "/opt/kafka_2.13-3.9.2", "/opt/kafka_2.13-3.9.2"));
    assert!(!link_leads_to("/usr/local/kafka", "kafka_2.13-3.9.1", "/usr/local/kafka_2.13-3.9.2"));
    assert!(!link_leads_to("/usr/local/kafka", "../kafka_2.13-3.9.2", "/usr/local/kafka_2.13-3.9.2"));
}

#[test]
fn an_uploaded_release_is_verified_before_unpacking_and_one_the_relay_verified_in_place_is_read_once_without_gzip_when_uncompressed(
) {
    let spec = seed();
    let step = install_release_from_the_wizard(&spec);
    let script_with = |ctx: &mut Context| {
        ctx.tarball = Some(("/cache/kafka_2.13-2.8.0.tgz".into(), "ab".repeat(64)));
        let Decision::Change { actions, .. } = decide(&spec, &spec.hosts[3], &step, &HostFacts::default(), ctx) else {
            panic!()
        };
        let uploads = actions.iter().filter(|a| matches!(a, Action::Upload { .. })).count();
        let scripts: Vec<String> = actions
            .into_iter()
            .filter_map(|a| match a {
                Action::Run { script } => Some(script),
                _ => None,
            })
            .collect();
        (uploads, scripts.last().unwrap().clone())
    };
    let (uploads, direct) = script_with(&mut Context::default());
    assert_eq!(uploads, 1);
    let check = direct.find("sha512sum").expect("the uploaded copy is verified");
    assert!(check < direct.find("tar -xzf").unwrap(), "before it is unpacked: {direct}");
    let (uploads, relayed) =
        script_with(&mut Context { staged: Some("from h1 (round 1)".into()), ..Default::default() });
    assert_eq!(uploads, 0, "the relay put it there");
    assert!(!relayed.contains("sha512sum"), "the relay verified it where only root writes: {relayed}");
    assert!(relayed.contains("tar -xzf"), "{relayed}");
    // the relay's uncompressed tar: unpacked without gzip (it would refuse a file that is not gzip'd)
    let (uploads, tar) = script_with(&mut Context {
        staged: Some("from h1 (round 1)".into()),
        staged_uncompressed: true,
        ..Default::default()
    });
    assert_eq!(uploads, 0);
    assert!(tar.contains("tar -xf \"$r\"") && !tar.contains("sha512sum"), "{tar}");
    // no copy from the relay: the upload is the tarball, whatever a flag says
    let (_, uploaded) = script_with(&mut Context { staged_uncompressed: true, ..Default::default() });
    assert!(uploaded.contains("tar -xzf"), "{uploaded}");
}
