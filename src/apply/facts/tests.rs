//! Tests of `apply::facts`: the probe scripts run through `sh` on this machine, and the parser.

use super::*;

#[test]
fn java_versions_parse_old_and_new_schemes() {
    assert_eq!(java_major("openjdk version \"17.0.15\" 2025-04-15"), Some(17));
    assert_eq!(java_major("java version \"1.8.0_292\""), Some(8));
    assert_eq!(java_major("openjdk version \"21\" 2023-09-19"), Some(21));
    assert_eq!(java_major("openjdk version \"11.0.2-ea\""), Some(11));
    assert_eq!(java_major("sh: 1: java: not found"), None);
}

/// Runs the reach probe under `sh` (dash here, as on the hosts) with `java_home` pointing at a fake runtime
/// whose `bin/java` leaves a mark when it is started; returns the parsed facts and whether it was started.
fn probe_fake_runtime(release: Option<&str>) -> (HostFacts, bool) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("jdk with space");
    std::fs::create_dir_all(home.join("bin")).unwrap();
    let mark = dir.path().join("started");
    let java = home.join("bin/java");
    let script = format!("#!/bin/sh\ntouch '{}'\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n", mark.display());
    std::fs::write(&java, script).unwrap();
    std::fs::set_permissions(&java, std::fs::Permissions::from_mode(0o755)).unwrap();
    if let Some(release) = release {
        std::fs::write(home.join("release"), release).unwrap();
    }
    let probe = reach_probe_script(Some(home.to_str().unwrap()));
    let out = std::process::Command::new("sh").arg("-c").arg(&probe).output().unwrap();
    (parse_probe(&String::from_utf8_lossy(&out.stdout)), mark.exists())
}

#[test]
fn java_s_version_is_read_from_the_runtime_s_release_file_without_starting_a_jvm() {
    let (facts, started) = probe_fake_runtime(Some(
        "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\nJAVA_VERSION_DATE=\"2025-04-15\"\n",
    ));
    assert!(!started, "the probe started the JVM although its release file says the version");
    assert_eq!(facts.java_major, Some(17));
    let java = facts.java.unwrap();
    assert!(java.starts_with("version \"17.0.15\" at /") && java.ends_with("jdk with space"), "{java}");
}

#[test]
fn without_a_release_file_the_probe_asks_java_itself() {
    let (facts, started) = probe_fake_runtime(None);
    assert!(started);
    assert_eq!(facts.java.as_deref(), Some("openjdk version \"11.0.2\" 2019-01-15"));
    assert_eq!(facts.java_major, Some(11));
    let (facts, started) = probe_fake_runtime(Some("IMPLEMENTOR=\"Hand made\"\n"));
    assert!(started && facts.java_major == Some(11), "a release file without JAVA_VERSION: {facts:?}");
}

/// `units_probe()` run through `sh` against a fake `systemctl` that prints `show`.
fn units_from(show: &str) -> HostFacts {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("show"), show).unwrap();
    let fake = dir.path().join("systemctl");
    std::fs::write(&fake, format!("#!/bin/sh\ncat '{}'\n", dir.path().join("show").display())).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap());
    let out = std::process::Command::new("sh").arg("-c").arg(units_probe()).env("PATH", path).output().unwrap();
    parse_probe(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn a_unit_systemd_failed_to_load_needs_a_daemon_reload_even_when_its_file_is_right() {
    // a unit that failed (killed) and whose file was removed and written again with no daemon-reload in between:
    // systemd keeps the failed load, `systemctl start` refuses "failed to load properly … reload service manager"
    for load in ["error", "bad-setting"] {
        let show = format!(
            "MainPID=0\nId=kafka-server.service\nLoadState={load}\nActiveState=failed\nUnitFileState=enabled\n\
             NeedDaemonReload=no\n"
        );
        let kafka = units_from(&show).unit(Service::Kafka);
        assert_eq!((kafka.enabled.as_str(), kafka.needs_daemon_reload), ("enabled", true), "{load}");
    }
    let loaded = "MainPID=0\nId=kafka-server.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=enabled\n\
                  NeedDaemonReload=no\n";
    assert!(!units_from(loaded).unit(Service::Kafka).needs_daemon_reload);
}

#[test]
fn one_systemctl_show_gives_each_unit_s_state_its_reload_flag_and_main_pid() {
    // What systemd 252 prints (Debian 12), properties in its own order: a unit that is not installed, a
    // running one whose file changed since it was loaded.
    let show = "MainPID=0\nId=kafka-server.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n\
                NeedDaemonReload=no\n\nMainPID=313\nId=zookeeper-server.service\nLoadState=loaded\n\
                ActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=yes\n";
    let f = units_from(show);
    let kafka = f.unit(Service::Kafka);
    assert_eq!(
        (kafka.enabled.as_str(), kafka.active.as_str(), kafka.needs_daemon_reload),
        ("not-found", "inactive", false)
    );
    let zk = f.unit(Service::Zookeeper);
    assert_eq!((zk.enabled.as_str(), zk.active.as_str(), zk.needs_daemon_reload), ("enabled", "active", true));
    assert!(zk.is_active() && zk.is_enabled() && !kafka.is_active());
    assert_eq!(f.preflight.main_pids["zookeeper-server.service"], 313);
    assert_eq!(f.preflight.main_pids["kafka-server.service"], 0);
}

#[test]
fn the_units_probe_reads_each_installed_unit_s_open_file_limit_and_its_drop_ins_limit_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (low, other) = (dir.path().join("50-low nofile.conf"), dir.path().join("10-other.conf"));
    std::fs::write(&low, "[Service]\n  LimitNOFILE = 4096\nNice=5\n").unwrap();
    std::fs::write(&other, "[Service]\nNice=1\n# LimitNOFILE=1\n").unwrap();
    let (low_path, other_path) = (low.display().to_string(), other.display().to_string());
    // DropInPaths is space-separated: a path with a space is not found (read as two), the other is read
    let show = format!(
        "MainPID=0\nId=kafka-server.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\
         NeedDaemonReload=no\nLimitNOFILE=4096\nLimitNOFILESoft=4096\nDropInPaths={other_path} {low_path}\n\n\
         MainPID=0\nId=zookeeper-server.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n\
         NeedDaemonReload=no\nLimitNOFILE=524288\nLimitNOFILESoft=1024\nDropInPaths=\n"
    );
    let f = units_from(&show).preflight;
    let kafka = &f.unit_limits["kafka-server.service"];
    assert_eq!((kafka.soft, kafka.hard), (Some(4096), Some(4096)));
    assert!(kafka.dropins.is_empty(), "a path with a space is not one systemd lists: {kafka:?}");
    assert!(!f.unit_limits.contains_key("zookeeper-server.service"), "a unit not installed is skipped: {f:?}");
    let plain = dir.path().join("50-low-nofile.conf");
    std::fs::rename(&low, &plain).unwrap();
    let show =
        show.replace(&low_path, &plain.display().to_string()).replace("LimitNOFILE=4096", "LimitNOFILE=infinity");
    let kafka = units_from(&show).preflight.unit_limits["kafka-server.service"].clone();
    assert_eq!((kafka.soft, kafka.hard), (Some(4096), Some(u64::MAX)));
    assert_eq!(kafka.dropins, vec![(plain.display().to_string(), "4096".to_string())], "{kafka:?}");
}

#[test]
fn a_probe_of_a_bare_host_shows_nothing_installed() {
    let out = "os debian 12\nsystemd yes\njava sh: 1: java: not found\nuser no\ngroup no\nrelease no\n\
               file - - - /etc/kafka/server.properties\ndir - - /etc/kafka\n\
               unit not-found inactive kafka-server.service\nunit  inactive zookeeper-server.service\n";
    let f = parse_probe(out);
    assert_eq!(f.os, "debian 12");
    assert!(f.systemd);
    assert_eq!(f.java, None);
    assert!(!f.user_exists && !f.release_present);
    assert_eq!(f.files["/etc/kafka/server.properties"], None);
    assert!(f.file_modes.is_empty());
    assert_eq!(f.dirs["/etc/kafka"], None);
    assert!(f.pending_restart.is_empty());
    assert!(!f.units["kafka-server.service"].is_active());
}

#[test]
fn a_probe_of_a_deployed_host_shows_files_dirs_units_and_cluster_ids() {
    let sum = "a".repeat(128);
    let out = format!(
        "java openjdk version \"17.0.15\" 2025-04-15\nuser yes\nlink /opt/kafka_2.13-4.1.1\nrelease yes\n\
         file {sum} root:kafka 640 /etc/kafka/my server.properties\ndir kafka:kafka 750 /data 1\n\
         meta q2nNPvlTSGmhSmxqXwJ5Ag /data1\nunit enabled active kafka-server.service\n\
         reload yes kafka-server.service\npending kafka-server.service\n"
    );
    let f = parse_probe(&out);
    assert_eq!(f.java_major, Some(17));
    assert_eq!(f.link_target.as_deref(), Some("/opt/kafka_2.13-4.1.1"));
    assert_eq!(f.files["/etc/kafka/my server.properties"].as_deref(), Some(sum.as_str()));
    assert_eq!(f.file_modes["/etc/kafka/my server.properties"], "root:kafka 640");
    assert_eq!(f.dirs["/data 1"].as_deref(), Some("kafka:kafka 750"));
    assert_eq!(f.meta_cluster_ids["/data1"], "q2nNPvlTSGmhSmxqXwJ5Ag");
    assert!(f.units["kafka-server.service"].is_active() && f.units["kafka-server.service"].is_enabled());
    assert!(f.units["kafka-server.service"].needs_daemon_reload);
    assert!(f.owes_restart(Service::Kafka) && !f.owes_restart(Service::Zookeeper));
    assert!(f.scram_users.is_empty() && !f.zookeeper_data);
}

#[test]
fn the_files_and_directories_probe_reads_sums_owners_and_modes_in_one_call_each_and_names_what_is_missing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let (present, missing) = (format!("{root}/server.properties"), format!("{root}/gone.properties"));
    std::fs::write(&present, "broker.id=1\n").unwrap();
    std::fs::set_permissions(&present, std::fs::Permissions::from_mode(0o640)).unwrap();
    let sub = format!("{root}/data-1");
    std::fs::create_dir(&sub).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o750)).unwrap();
    let script = files_probe(&[present.clone(), missing.clone()]) + &dirs_probe(&[sub.clone(), format!("{root}/no")]);
    let out = std::process::Command::new("sh").args(["-c", &script]).output().unwrap();
    let f = parse_probe(&String::from_utf8_lossy(&out.stdout));
    let me = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "printf %s:%s \"$(id -un)\" \"$(id -gn)\""])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(f.files[&present].as_deref(), Some(crate::apply::decide::sha512_hex(b"broker.id=1\n").as_str()));
    assert_eq!(f.file_modes[&present], format!("{me} 640"));
    assert_eq!(f.files[&missing], None);
    assert!(!f.file_modes.contains_key(&missing));
    assert_eq!(f.dirs[&sub].as_deref(), Some(format!("{me} 750").as_str()));
    assert_eq!(f.dirs[&format!("{root}/no")], None);
}

#[test]
fn the_probe_reads_a_migration_stage_from_server_properties_through_sh() {
    let dir = tempfile::tempdir().unwrap();
    let read = |text: &str| {
        let path = dir.path().join("server.properties");
        std::fs::write(&path, text).unwrap();
        let script = server_mode_probe(&quote(path.to_str().unwrap()));
        let out = std::process::Command::new("sh").args(["-c", &script]).output().unwrap();
        parse_probe(&String::from_utf8_lossy(&out.stdout)).server_mode
    };
    let migrating = read("broker.id=1\nzookeeper.connect=a:2181/x\nzookeeper.metadata.migration.enable=true\n");
    assert!(migrating.migration_flag && migrating.zookeeper_connect && migrating.process_roles.is_none());
    let kraft = read("process.roles=broker\nnode.id=1\n# zookeeper.connect=old\n");
    assert_eq!(kraft, ServerMode { process_roles: Some("broker".into()), ..ServerMode::default() });
    assert_eq!(read("zookeeper.metadata.migration.enable=false\n"), ServerMode::default());
    let pinned = |text: &str| {
        let path = dir.path().join("server.properties");
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new("sh")
            .args(["-c", &server_mode_probe(&quote(path.to_str().unwrap()))])
            .output()
            .unwrap();
        parse_probe(&String::from_utf8_lossy(&out.stdout)).pinned_protocol
    };
    let twice = "inter.broker.protocol.version=3.8\nbroker.id=1\ninter.broker.protocol.version=3.9\n";
    assert_eq!(pinned(twice).as_deref(), Some("3.9"), "the last occurrence counts, as in Java's Properties");
    assert_eq!(pinned("inter.broker.protocol.version=3.8\ninter.broker.protocol.version=\n"), None);
    assert_eq!(pinned("broker.id=1\n"), None);
    std::fs::remove_file(dir.path().join("server.properties")).unwrap();
    let missing = std::process::Command::new("sh")
        .args(["-c", &server_mode_probe(&quote(dir.path().join("server.properties").to_str().unwrap()))])
        .output()
        .unwrap();
    assert!(missing.stdout.is_empty(), "a host without the file says nothing");
}

#[test]
fn each_data_directory_s_cluster_id_is_read_from_its_meta_properties_through_sh() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let (formatted, no_id, bare) = (format!("{root}/data 1"), format!("{root}/data2"), format!("{root}/data3"));
    for d in [&formatted, &no_id, &bare] {
        std::fs::create_dir(d).unwrap();
    }
    // Kafka writes a comment first; the last line may lack its newline.
    std::fs::write(
        format!("{formatted}/meta.properties"),
        "#\nversion=1\ncluster.id=q2nNPvlTSGmhSmxqXwJ5Ag\nnode.id=1",
    )
    .unwrap();
    std::fs::write(format!("{no_id}/meta.properties"), "version=0\nbroker.id=1\n").unwrap();
    let script = meta_probe(&[formatted.clone(), no_id.clone(), bare.clone()]);
    let out = std::process::Command::new("sh").args(["-c", &script]).output().unwrap();
    let f = parse_probe(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(f.meta_cluster_ids.len(), 1, "{:?}", f.meta_cluster_ids);
    assert_eq!(f.meta_cluster_ids[&formatted], "q2nNPvlTSGmhSmxqXwJ5Ag");
    let last = "cluster.id=lastLineWithoutNewline";
    std::fs::write(format!("{bare}/meta.properties"), last).unwrap();
    let out = std::process::Command::new("sh").args(["-c", &meta_probe(std::slice::from_ref(&bare))]).output().unwrap();
    assert_eq!(parse_probe(&String::from_utf8_lossy(&out.stdout)).meta_cluster_ids[&bare], "lastLineWithoutNewline");
}

#[test]
fn a_probe_reads_the_record_of_scram_users_and_whether_the_ensemble_has_data() {
    let f = parse_probe("zkdata yes\nscram admin 0a1b\nscram orders-app 2c3d\n");
    assert!(f.zookeeper_data);
    assert_eq!(
        f.scram_users.iter().map(|(u, d)| format!("{u}={d}")).collect::<Vec<_>>(),
        ["admin=0a1b", "orders-app=2c3d"]
    );
    let spec = crate::project::validate(
        &crate::project::parse(include_str!("../../../tests/fixtures/zookeeper-secure.toml")).unwrap(),
    )
    .spec
    .unwrap();
    let script = probe_script(&spec, &spec.hosts[0]);
    assert!(script.contains("if [ -d /var/lib/zookeeper/version-2 ]; then echo 'zkdata yes'; fi"), "{script}");
    assert!(script.contains("sed 's/^/scram /' /var/lib/kafka-wizard/zookeeper-scram"), "{script}");
}
