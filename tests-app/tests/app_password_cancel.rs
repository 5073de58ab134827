//! Password login, Cancel and a second Install from the REAL app window against the real test hosts
//! (`tests/world/`). Root only; feature `world`.
//!
//! The project logs in as `deploy` (given a fresh password here; passwordless sudo) with no key file, and is opened
//! from the app's command line. Test connection without the password says the login failed; with the password typed into
//! the (never saved) password field it logs in and reads OS, systemd and Java. Install starts while the mirror
//! serves the release slowly; Cancel stops it during the download — nothing is installed or started on any host.
//! Install again (the mirror at full speed) converges to a healthy cluster, over password logins throughout. The
//! password is then nowhere: not in the saved project, not in the log pane, not in the app's files.
#![cfg(feature = "world")]

#[allow(dead_code)]
#[path = "../../tests/support/world.rs"]
mod world;

use kafka_wizard_app_e2e::{attr_of, connect_with_args, css, go, shot, text_of, wait_text, Driver};
use std::time::{Duration, Instant};
use world::{Mirror, World};

fn password_project(world: &World, mirror: &Mirror, known_hosts: &std::path::Path) -> String {
    let base = format!("{}/kafka", mirror.base_url());
    let mut s = format!(
        "# Logs in with a password: no identity_file on purpose.\nformat = 1\nname = \"app-password\"\n\n[kafka]\nversion = \"{v}\"\n\
         install_dir = \"/opt\"\ndata_dirs = [\"/var/lib/kafka/data\"]\nheap = \"384m\"\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         [kraft]\ncluster_id = \"MkU3OEVBNTcwNTJENDM2Qg\"\n\n[ssh]\nuser = \"deploy\"\nknown_hosts = \"{kh}\"\n",
        v = world::KAFKA_4,
        kh = known_hosts.display()
    );
    s.push_str(&world::combined_nodes(world));
    s
}

fn unit_state(world: &World, host: &str) -> String {
    String::from_utf8_lossy(&world.ssh(host, "root", "systemctl is-active kafka-server || true").stdout)
        .trim()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_login_is_tested_an_install_is_cancelled_in_the_download_and_installing_again_converges() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
    let rel = world::release(world::KAFKA_4);
    let world = World::up(3);
    let mirror = Mirror::start(&[&rel]);
    // ~39 MiB at 4 MB/s: about ten seconds of download to cancel in.
    mirror.set_fault(&rel.mirror_path(), "slow:4000000");
    const PASSWORD: &str = "kw-Pw-4f1c9e";
    for h in world.hosts() {
        world.ssh_ok(&h.name, "root", &format!("echo 'deploy:{PASSWORD}' | chpasswd"));
    }
    let dir = tempfile::tempdir().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    std::fs::copy(&world.inventory().known_hosts, &known_hosts).unwrap();
    let project = dir.path().join("app-password.toml");
    std::fs::write(&project, password_project(&world, &mirror, &known_hosts)).unwrap();

    // A fresh download cache, so the release really is downloaded (slowly) in this test.
    let xdg = tempfile::tempdir().unwrap();
    world::trust_test_key(&xdg.path().join("config"));
    let _driver = Driver::start_with(4458, "en_US.UTF-8", xdg.path());
    let c = connect_with_args(4458, &[&project.to_string_lossy()]).await;
    css(&c, "body[data-ready='1']").await;
    wait_text(&c, "#project-path", "app-password.toml", Duration::from_secs(10)).await;

    // Test connection: no password → the login fails; with it → logged in, OS, systemd and Java read.
    go(&c, "hosts").await;
    css(&c, "#test-0").await.click().await.unwrap();
    wait_text(&c, "tr[data-conn='0']", "login failed", Duration::from_secs(30)).await;
    css(&c, "#ssh-password").await.send_keys(PASSWORD).await.unwrap();
    css(&c, "#test-0").await.click().await.unwrap();
    let report = wait_text(&c, "tr[data-conn='0']", "Java", Duration::from_secs(30)).await;
    assert!(report.contains("login ok") && report.contains("systemd") && report.contains("17"), "{report}");
    shot(&c, "2-hosts-password-login").await;

    // Install, then Cancel while the release is still downloading.
    go(&c, "install").await;
    css(&c, "#install").await.click().await.unwrap();
    wait_text(&c, "tr[data-wizard-row]", "download", Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    css(&c, "#cancel").await.click().await.unwrap();
    let result = wait_text(&c, "#run-result", "Install cancelled", Duration::from_secs(60)).await;
    shot(&c, "6-install-cancelled").await;
    eprintln!("cancelled: {result}");
    for h in world.hosts() {
        assert_eq!(unit_state(&world, &h.name), "inactive", "nothing was started on {}", h.name);
        let opt = world.ssh_ok(&h.name, "root", "ls -a /opt");
        assert!(!opt.contains("kafka"), "nothing was installed on {}: {opt}", h.name);
    }
    let log = mirror.request_log();
    assert!(log.contains(&rel.mirror_path()), "the release was being downloaded: {log}");

    // Install again at full speed: converges, every host running, logged in with the password throughout.
    mirror.clear_faults();
    let t0 = Instant::now();
    css(&c, "#install").await.click().await.unwrap();
    let result = wait_text(&c, "#run-result", "", Duration::from_secs(600)).await;
    shot(&c, "6-install-after-cancel").await;
    assert!(result.contains("healthy"), "{result}");
    eprintln!("MEASURE app install after a cancel (password logins): {:.1}s", t0.elapsed().as_secs_f64());
    for h in world.hosts() {
        assert_eq!(unit_state(&world, &h.name), "active", "{}", h.name);
        let state = attr_of(&c, &format!("tr[data-host-row='{}']", h.name), "data-state").await;
        assert_eq!(state.as_deref(), Some("done"), "{}", h.name);
    }
    let log = text_of(&c, "#log").await;
    assert!(!log.contains(PASSWORD), "the password is not in the log pane");

    // Save over the opened file: the comment stays, the password is written nowhere.
    let before = std::fs::metadata(&project).unwrap().modified().unwrap();
    css(&c, "#file-save").await.click().await.unwrap();
    wait_text(&c, "#toast", "app-password.toml", Duration::from_secs(10)).await;
    assert!(std::fs::metadata(&project).unwrap().modified().unwrap() > before, "saved");
    let saved = std::fs::read_to_string(&project).unwrap();
    assert!(saved.starts_with("# Logs in with a password"), "the file's comment is kept: {saved}");
    assert!(!saved.contains(PASSWORD), "{saved}");
    let leaked = std::process::Command::new("grep").args(["-rl", PASSWORD]).arg(xdg.path()).output().unwrap();
    assert!(leaked.stdout.is_empty(), "the password is in {}", String::from_utf8_lossy(&leaked.stdout));
    c.close().await.ok();
}
