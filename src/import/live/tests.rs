//! The live import's parsing and mapping, on the files the guide's hand-built cluster holds.

use super::map::to_draft;
use super::parse::*;
use super::read::{HostReading, ServiceReading};
use crate::project::draft::SshDraft;

#[test]
fn properties_are_read_as_java_reads_them() {
    let text =
        "# comment\n! also a comment\n  broker.id = 1\nlog.dirs:/data1,\\\n    /data2\nkey\\=with\\:colon value\n\
                zookeeper.connect=a:2181\nempty=\nnum.partitions 3\nunicode=caf\\u00e9\nzookeeper.connect=b:2181\n";
    let (props, twice) = properties(text);
    let get = |k: &str| props.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("broker.id"), Some("1"));
    assert_eq!(get("log.dirs"), Some("/data1,/data2"), "a continued line's next line loses its leading blanks");
    assert_eq!(get("key=with:colon"), Some("value"));
    assert_eq!(get("empty"), Some(""));
    assert_eq!(get("num.partitions"), Some("3"), "a blank ends the key");
    assert_eq!(get("unicode"), Some("café"));
    assert_eq!(get("zookeeper.connect"), Some("b:2181"), "the later value wins, as in Java");
    assert_eq!(twice, vec!["zookeeper.connect".to_string()]);
    assert_eq!(props.len(), 7);
}

#[test]
fn an_even_number_of_trailing_backslashes_does_not_continue_the_line() {
    let (props, _) = properties("a=x\\\\\nb=y\n");
    assert_eq!(props, vec![("a".into(), "x\\".into()), ("b".into(), "y".into())]);
}

#[test]
fn the_guides_unit_is_read_with_its_blanks_around_the_equals_signs() {
    let u = unit(
        "[Unit]\nDescription = kafka-server\nAfter = network.target\n[Service]\nType = simple\nUser = root\n\
         Group = root\nRestart = no\nExecStart = /usr/local/kafka/bin/kafka-server-start.sh \\\n  \
         /usr/local/kafka/config/server.properties\nEnvironment=\"KAFKA_HEAP_OPTS=-Xmx1G -Xms1G\" A=b\n\
         EnvironmentFile=-/etc/default/kafka\n",
    );
    assert_eq!(u.user.as_deref(), Some("root"));
    assert_eq!(u.restart.as_deref(), Some("no"));
    assert_eq!(
        u.exec_start.as_deref(),
        Some("/usr/local/kafka/bin/kafka-server-start.sh  /usr/local/kafka/config/server.properties")
    );
    assert_eq!(u.environment.get("KAFKA_HEAP_OPTS").map(String::as_str), Some("-Xmx1G -Xms1G"));
    assert_eq!(u.environment.get("A").map(String::as_str), Some("b"));
    assert_eq!(u.environment_files, vec!["/etc/default/kafka".to_string()]);
    assert_eq!(unit("[Unit]\nUser=x\n").user, None, "only [Service] counts");
}

#[test]
fn the_start_command_names_the_install_directory_and_the_properties_file_wherever_daemon_stands() {
    let l =
        launch("/usr/local/kafka/bin/kafka-server-start.sh /usr/local/kafka/config/server.properties -daemon").unwrap();
    assert_eq!(l.home, "/usr/local/kafka");
    assert_eq!(l.config.as_deref(), Some("/usr/local/kafka/config/server.properties"));
    let z = launch("/bin/sh -c '/opt/kafka/bin/zookeeper-server-start.sh -daemon /etc/zk/zookeeper.properties'");
    assert_eq!(z, None, "a shell wrapper is one word: not recognized (named by the import as no unit found)");
    let z = launch("-/opt/kafka/bin/zookeeper-server-start.sh -daemon \"/etc/zk/zoo keeper.properties\"").unwrap();
    assert_eq!((z.home.as_str(), z.config.as_deref()), ("/opt/kafka", Some("/etc/zk/zoo keeper.properties")));
    assert_eq!(launch("/usr/bin/java -jar x.jar"), None);
}

#[test]
fn a_connect_string_gives_its_members_and_one_chroot_and_the_guides_blanks_are_noticed() {
    let c = connect("zk1:2181,zk2:2182,zk3/peter-kafka").unwrap();
    assert_eq!(c.members, vec![("zk1".into(), 2181), ("zk2".into(), 2182), ("zk3".into(), 2181)]);
    assert_eq!((c.chroot.as_deref(), c.had_blanks), (Some("/peter-kafka"), false));
    let g = connect("peter-zk001:2181, peter-zk002:2181, peter-zk003:2181 / peter-kafka").unwrap();
    assert_eq!((g.members.len(), g.chroot.as_deref(), g.had_blanks), (3, Some("/peter-kafka"), true));
    assert_eq!(connect("a:2181,b:2181").unwrap().chroot, None);
    assert_eq!(connect("a:2181/").unwrap().chroot, None, "a bare slash is the root");
    assert_eq!(connect("a:2181/x/y").unwrap().chroot.as_deref(), Some("/x/y"));
    assert!(connect("a:port").unwrap_err().contains("not a number"));
    assert!(connect("/chroot").is_err());
}

#[test]
fn server_lines_and_myid_are_read_with_the_optional_role_and_client_port() {
    let (props, _) = properties("server.2=h2:2888:3888\nserver.1=h1:2888:3888:participant;2181\ndataDir=/x\n");
    let s = zk_servers(&props).unwrap();
    assert_eq!(s.iter().map(|s| (s.myid, s.host.as_str())).collect::<Vec<_>>(), vec![(1, "h1"), (2, "h2")]);
    assert_eq!((s[0].quorum_port, s[0].election_port), (2888, 3888));
    assert!(zk_servers(&[("server.x".into(), "h:1:2".into())]).is_err());
    assert!(zk_servers(&[("server.1".into(), "h:1".into())]).is_err());
    assert_eq!(myid(" 3\n"), Ok(3));
    assert!(myid("three").is_err());
}

#[test]
fn the_release_directory_gives_scala_and_version() {
    assert_eq!(release_dir("/usr/local/kafka_2.13-3.9.2"), Some(("2.13".into(), "3.9.2".into())));
    assert_eq!(release_dir("/usr/local/kafka"), None);
    assert_eq!(listener_port("PLAINTEXT://:9093,SSL://:9094"), Some(9093));
    assert_eq!(heap("-Xmx2G -Xms2G"), Some("2G".into()));
}

fn guide_host(n: u32, root_unit: bool) -> HostReading {
    let home = "/usr/local/kafka".to_string();
    let real = Some("/usr/local/kafka_2.13-3.9.2".to_string());
    let kafka_unit = if root_unit {
        "[Service]\nUser = root\nRestart = no\nExecStart = /usr/local/kafka/bin/kafka-server-start.sh /usr/local/kafka/config/server.properties\n"
    } else {
        "[Service]\nUser=kafka\nRestart=on-failure\nExecStart=/usr/local/kafka/bin/kafka-server-start.sh /usr/local/kafka/config/server.properties\n"
    };
    let server = format!(
        "broker.id={n}\nlog.dirs=/data1,/data2\nnum.partitions=1\nlog.retention.hours=168\n\
         zookeeper.connect=h1:2181,h2:2181,h3:2181/peter-kafka\nzookeeper.connection.timeout.ms=18000\n\
         ssl.keystore.password=hunter2\nlisteners=PLAINTEXT://:9092\n"
    );
    HostReading {
        name: format!("h{n}"),
        address: Some(format!("10.0.0.{n}")),
        kafka: Some(ServiceReading {
            unit_path: "/etc/systemd/system/kafka-server.service".into(),
            unit: unit(kafka_unit),
            config_path: Some("/usr/local/kafka/config/server.properties".into()),
            config: Some(server),
            home: home.clone(),
            home_real: real.clone(),
            active: true,
            ..Default::default()
        }),
        zookeeper: Some(ServiceReading {
            unit_path: "/etc/systemd/system/zookeeper-server.service".into(),
            unit: unit("[Service]\nUser=kafka\nRestart=on-failure\nEnvironment=\"KAFKA_HEAP_OPTS=-Xmx256m -Xms256m\"\nExecStart=/usr/local/kafka/bin/zookeeper-server-start.sh /usr/local/kafka/config/zookeeper.properties\n"),
            config_path: Some("/usr/local/kafka/config/zookeeper.properties".into()),
            config: Some(
                "dataDir=/data/zookeeper\nclientPort=2181\nmaxClientCnxns=0\ntickTime=2000\ninitLimit=10\nsyncLimit=5\n\
                 server.1=h1:2888:3888\nserver.2=h2:2888:3888\nserver.3=h3:2888:3888\n"
                    .into(),
            ),
            home,
            home_real: real,
            active: true,
            myid_path: Some("/data/zookeeper/myid".into()),
            myid: Some(format!("{n}\n")),
            ..Default::default()
        }),
        other_units: vec![],
    }
}

#[test]
fn the_guides_cluster_maps_to_a_valid_project_with_its_ids_chroot_and_unknown_settings() {
    let hosts: Vec<HostReading> = (1..=3).map(|n| guide_host(n, false)).collect();
    let out = to_draft(&hosts, SshDraft { user: Some("root".into()), ..SshDraft::default() }, None).unwrap();
    let d = &out.draft;
    assert_eq!(d.name.as_deref(), Some("peter-kafka"));
    assert_eq!((d.kafka.version.as_deref(), d.kafka.scala.as_deref()), (Some("3.9.2"), Some("2.13")));
    assert_eq!(d.kafka.install_dir.as_deref(), Some("/usr/local"));
    assert_eq!(d.kafka.data_dirs, Some(vec!["/data1".to_string(), "/data2".to_string()]));
    assert_eq!(d.kafka.user.as_deref(), Some("kafka"));
    let z = d.zookeeper.as_ref().unwrap();
    assert_eq!(
        (z.chroot.as_deref(), z.data_dir.as_deref(), z.client_port),
        (Some("/peter-kafka"), Some("/data/zookeeper"), Some(2181))
    );
    assert_eq!((z.quorum_port, z.election_port, z.tick_time), (Some(2888), Some(3888), Some(2000)));
    assert_eq!((d.kafka.heap.as_deref(), z.heap.as_deref()), (None, Some("256m")), "the heap from KAFKA_HEAP_OPTS");
    let ids: Vec<_> = d.hosts.iter().map(|h| (h.name.as_str(), h.id, h.zookeeper_id)).collect();
    assert_eq!(ids, vec![("h1", Some(1), Some(1)), ("h2", Some(2), Some(2)), ("h3", Some(3), Some(3))]);
    assert_eq!(d.hosts[0].roles, vec!["broker".to_string(), "zookeeper".to_string()]);
    let keys: Vec<&str> = d.kafka.properties.keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["log.retention.hours", "num.partitions"], "owned, rendered and secret keys are not copied");
    let warned = |needle: &str| out.warnings.iter().any(|w| w.contains(needle));
    assert!(warned("ssl.keystore.password: looks secret — NOT written"), "{:#?}", out.warnings);
    assert!(!out.warnings.iter().any(|w| w.contains("hunter2")), "a secret's value is never shown");
    assert!(warned("maxClientCnxns=0"), "a ZooKeeper setting the project cannot hold is named");
    assert!(warned("inside the versioned install directory"));
    let validation = crate::project::validate(d);
    assert_eq!(validation.errors().count(), 0, "{:#?}", validation.problems);
}

#[test]
fn a_root_service_and_a_broker_without_an_id_are_named() {
    let hosts: Vec<HostReading> = (1..=3).map(|n| guide_host(n, true)).collect();
    let out = to_draft(&hosts, SshDraft::default(), Some("x".into())).unwrap();
    assert!(out
        .warnings
        .iter()
        .any(|w| w.contains("runs as root") && w.contains("h1:/etc/systemd/system/kafka-server.service")));
    assert!(out.warnings.iter().any(|w| w.contains("Restart=no")));
    let mut no_id = guide_host(1, false);
    no_id.kafka.as_mut().unwrap().config = Some("log.dirs=/d\nzookeeper.connect=h1:2181\n".into());
    let err = to_draft(&[no_id], SshDraft::default(), None).unwrap_err();
    assert!(err.contains("h1:/usr/local/kafka/config/server.properties: no broker.id"), "{err}");
}

#[test]
fn brokers_with_different_chroots_are_refused_as_different_clusters() {
    let mut hosts: Vec<HostReading> = (1..=2).map(|n| guide_host(n, false)).collect();
    let k = hosts[1].kafka.as_mut().unwrap();
    k.config = Some(k.config.as_ref().unwrap().replace("/peter-kafka", "/peter-kafka002"));
    let err = to_draft(&hosts, SshDraft::default(), None).unwrap_err();
    assert!(err.contains("different clusters"), "{err}");
}

#[test]
fn a_myid_without_its_server_line_and_a_mixed_version_are_refused() {
    let mut h = guide_host(1, false);
    h.zookeeper.as_mut().unwrap().myid = Some("7".into());
    assert!(to_draft(&[h], SshDraft::default(), None).unwrap_err().contains("no server.7 line"));
    let mut hosts: Vec<HostReading> = (1..=2).map(|n| guide_host(n, false)).collect();
    let second = &mut hosts[1];
    for s in [&mut second.kafka, &mut second.zookeeper].into_iter().flatten() {
        s.home_real = Some("/usr/local/kafka_2.13-3.9.1".into());
    }
    assert!(to_draft(&hosts, SshDraft::default(), None).unwrap_err().contains("finish the upgrade"));
}

#[test]
fn a_host_with_nothing_running_is_left_out_with_a_warning() {
    let mut hosts: Vec<HostReading> = (1..=3).map(|n| guide_host(n, false)).collect();
    hosts.push(HostReading { name: "h4".into(), ..Default::default() });
    let out = to_draft(&hosts, SshDraft::default(), None).unwrap();
    assert_eq!(out.draft.hosts.len(), 3);
    assert!(out.warnings.iter().any(|w| w.starts_with("h4: no systemd unit")));
}

#[test]
fn the_projects_ssh_keeps_the_jump_host_and_ssh_config_the_hosts_were_read_through() {
    use crate::project::spec::{JumpHost, ProjectSet, SshSettings};
    let jump = JumpHost { user: Some("ops".into()), host: "bastion.example.com".into(), port: Some(2222) };
    let mut ssh = SshSettings {
        user: "root".into(),
        port: 22,
        identity_file: Some("~/.ssh/ops".into()),
        known_hosts: None,
        sudo: false,
        jump: Some(jump),
        ssh_config: None,
    };
    let draft = super::draft_ssh(&ssh);
    assert_eq!(draft.jump.as_deref(), Some("ops@bastion.example.com:2222"));
    assert_eq!((draft.user.as_deref(), draft.port, draft.use_ssh_config), (Some("root"), Some(22), None));
    // the jump host written parses back to the same one
    assert_eq!(crate::project::checks::jump(draft.jump.as_deref().unwrap()).unwrap(), ssh.jump);

    // with ssh_config, what the command line did not give is left to the file (and so to the deploy)
    ssh.jump = None;
    ssh.ssh_config = Some(ProjectSet { user: false, port: false, jump: false, sudo: false });
    let draft = super::draft_ssh(&ssh);
    assert_eq!(draft.use_ssh_config, Some(true));
    assert_eq!((draft.user, draft.port, draft.sudo, draft.jump), (None, None, None, None));
    assert_eq!(draft.identity_file.as_deref(), Some("~/.ssh/ops"));
}
