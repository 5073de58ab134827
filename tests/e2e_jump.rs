#![cfg(feature = "e2e")]
//! End to end: a host reachable only through another (a jump host, bastion) — h2 made unreachable from the
//! wizard's machine by an `unreachable` route while h1 still reaches it over the test bridge. Commands as root and
//! an upload through the jump (throughput printed next to a direct upload), a changed jump host key refused naming
//! the jump host, a refused jump login told apart from the target's, and a host named only by an ssh_config `Host`
//! alias (HostName, User, IdentityFile, UserKnownHostsFile, ProxyJump from the file). Then a one-node SASL_SSL
//! KRaft cluster on the cut-off h2, deployed through h1 by the real binary: every health gate, `status` and the
//! second deploy ("no changes") reach its Kafka ports through the jump host (`transport::dial`), TLS and SCRAM
//! over the tunnel, while a direct connection to them still fails.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_jump -- --nocapture`

#[path = "support/mod.rs"]
mod support;

use kafka_wizard::project::spec::{Connection, JumpHost, ProjectSet, SshSettings};
use kafka_wizard::transport::{self, route, ConnectOptions, HostAccess, Transport, TransportError};
use sha2::{Digest, Sha512};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use support::wizard::run_wizard;
use support::world::{self, Mirror, World};

/// An `unreachable` route to one address in this machine's namespace, removed on drop: the wizard cannot reach
/// it, the other hosts on the bridge still can.
struct CutOff(String);

impl CutOff {
    fn new(ip: &str) -> CutOff {
        let status = Command::new("ip").args(["route", "replace", "unreachable", &format!("{ip}/32")]).status();
        assert!(status.is_ok_and(|s| s.success()), "ip route replace unreachable {ip}");
        CutOff(ip.to_string())
    }
}

impl Drop for CutOff {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["route", "del", "unreachable", &format!("{}/32", self.0)]).status();
    }
}

fn ssh(world: &World, known_hosts: &Path, jump: Option<JumpHost>) -> SshSettings {
    SshSettings {
        user: "root".into(),
        port: 22,
        identity_file: Some(world.inventory().identity_file.display().to_string()),
        known_hosts: Some(known_hosts.display().to_string()),
        sudo: false,
        jump,
        ssh_config: None,
    }
}

fn access(name: &str, address: &str, ssh: SshSettings) -> HostAccess {
    HostAccess { name: name.into(), address: address.into(), connection: Connection::Ssh, ssh }
}

/// Uploads `file` to `host` and checks its SHA-512 there; returns MiB/s.
fn upload_checked(host: &dyn Transport, file: &Path, sha: &str, size: u64) -> f64 {
    let started = Instant::now();
    host.upload(file, "/root/through.bin", 0o644, &mut |_, _| {}).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let out = host.exec("sha512sum /root/through.bin; rm -f /root/through.bin", None).unwrap();
    assert_eq!(out.stdout_text().split_whitespace().next(), Some(sha));
    size as f64 / (1 << 20) as f64 / seconds
}

#[test]
fn a_host_behind_a_jump_host_is_reached_through_it_and_a_changed_jump_key_is_refused() {
    let direct_opts = ConnectOptions::default();
    let world = World::up(2);
    let (jump_ip, target_ip) = (world.host("h1").ip.clone(), world.host("h2").ip.clone());
    let known_hosts = world.inventory().known_hosts.clone();
    let _cut = CutOff::new(&target_ip);

    // directly: unreachable, naming the host
    let direct = access("h2", &target_ip, ssh(&world, &known_hosts, None));
    let err = transport::open(&direct, &direct_opts).err().expect("h2 is cut off from this machine");
    assert!(matches!(&err, TransportError::Unreachable { host, .. } if host == "h2"), "{err}");

    // through h1: commands as root on h2, an upload checked there
    let via = JumpHost { user: Some("root".into()), host: jump_ip.clone(), port: None };
    let behind = access("h2", &target_ip, ssh(&world, &known_hosts, Some(via.clone())));
    let started = Instant::now();
    let h2 = transport::open(&behind, &direct_opts).unwrap_or_else(|e| panic!("through the jump host: {e}"));
    eprintln!("[measure] connect through the jump host (two handshakes and logins): {:?}", started.elapsed());
    let out = h2.exec("uname -n; id -u", None).unwrap();
    assert_eq!(out.stdout_text(), "h2\n0\n");
    let started = Instant::now();
    for _ in 0..20 {
        assert!(h2.exec("true", None).unwrap().success());
    }
    eprintln!("[measure] exec through the jump host: {:?} each", started.elapsed() / 20);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payload.bin");
    let size: u64 = 32 << 20;
    {
        let mut f = std::fs::File::create(&file).unwrap();
        let mut block = vec![0u8; 1 << 20];
        for i in 0..(size >> 20) {
            for (j, b) in block.iter_mut().enumerate() {
                *b = (j as u64 ^ (i * 2654435761)).wrapping_mul(0x9E37_79B9) as u8;
            }
            f.write_all(&block).unwrap();
        }
    }
    let sha = format!("{:x}", Sha512::digest(std::fs::read(&file).unwrap()));
    let through = upload_checked(h2.as_ref(), &file, &sha, size);
    let h1 = transport::open(&access("h1", &jump_ip, ssh(&world, &known_hosts, None)), &direct_opts).unwrap();
    let straight = upload_checked(h1.as_ref(), &file, &sha, size);
    eprintln!("[measure] 32 MiB upload: {through:.0} MiB/s through the jump host, {straight:.0} MiB/s directly to it");
    drop((h1, h2));

    many_hosts_behind_one_jump_host_log_in_at_once_within_its_max_startups(&world, &behind, &jump_ip);

    // a changed key on the jump host: refused, naming the jump host (h2's own entries untouched)
    let swapped = dir.path().join("known_hosts");
    let text = std::fs::read_to_string(&known_hosts).unwrap();
    let h2_lines: Vec<&str> = text.lines().filter(|l| l.split(',').next() == Some("h2")).collect();
    let mut changed: Vec<String> =
        text.lines().filter(|l| l.split(',').next() != Some("h1")).map(String::from).collect();
    changed.extend(h2_lines.iter().map(|l| l.replacen("h2,", "h1,", 1).replace(&target_ip, &jump_ip)));
    std::fs::write(&swapped, changed.join("\n") + "\n").unwrap();
    let err = transport::open(&access("h2", &target_ip, ssh(&world, &swapped, Some(via.clone()))), &direct_opts)
        .err()
        .expect("refused");
    let text = err.to_string();
    assert!(
        matches!(err.cause(), TransportError::HostKeyMismatch { host, .. } if *host == jump_ip),
        "the jump host's key is the changed one: {text}"
    );
    assert!(
        text.starts_with(&format!("h2: through the jump host {jump_ip}: {jump_ip}: SSH HOST KEY CHANGED")),
        "{text}"
    );

    // a refused login at the jump host is the jump host's, not the target's
    let stranger = JumpHost { user: Some("nobody".into()), ..via.clone() };
    let err = transport::open(&access("h2", &target_ip, ssh(&world, &known_hosts, Some(stranger))), &direct_opts)
        .err()
        .expect("refused");
    assert!(
        matches!(err.cause(), TransportError::AuthFailed { host, user, .. } if *host == jump_ip && user == "nobody"),
        "{err}"
    );
    assert!(err.to_string().starts_with(&format!("h2: through the jump host {jump_ip}: ")), "{err}");

    // a host named only by an ssh_config Host alias, its jump host from the same file
    let config = dir.path().join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host kafka-behind\n  HostName {target_ip}\n  ProxyJump bastion\n  UserKnownHostsFile {kh}\n\
             Host bastion\n  HostName {jump_ip}\n  User root\nHost *\n  User root\n  IdentityFile {id}\n",
            kh = known_hosts.display(),
            id = world.inventory().identity_file.display()
        ),
    )
    .unwrap();
    let alias = HostAccess {
        name: "kafka-behind".into(),
        address: "kafka-behind".into(),
        connection: Connection::Ssh,
        ssh: SshSettings {
            user: "root".into(),
            port: 22,
            identity_file: None,
            known_hosts: None,
            sudo: false,
            jump: None,
            ssh_config: Some(ProjectSet::default()),
        },
    };
    let opts = ConnectOptions { ssh_config_file: config, ..ConnectOptions::default() };
    let target = opts.ssh_target(&alias).unwrap();
    eprintln!("[effective] {}", route::describe(&target));
    assert!(
        route::describe(&target).contains(&format!("root@{target_ip}:22 via jump host bastion (root@{jump_ip}:22)"))
    );
    let host = transport::open(&alias, &opts).unwrap_or_else(|e| panic!("the ssh_config alias: {e}"));
    assert_eq!(host.exec("uname -n", None).unwrap().stdout_text(), "h2\n");
    drop(host);

    a_cluster_behind_the_jump_host_deploys_is_healthy_and_redeploys_with_no_changes(&world, &behind, &jump_ip);
}

/// Sessions opened through h1 all at once, as a run with many hosts behind one bastion opens them: h1's sshd is set
/// to refuse every connection past 10 not yet logged in (`MaxStartups 10:100:10`: OpenSSH's default start, no
/// randomness), h2's to take any number (here every session goes on to the same target, where a real fleet has one
/// per host). Every one must open (`transport::ssh::startups` keeps the logins under way at h1 to 8).
fn many_hosts_behind_one_jump_host_log_in_at_once_within_its_max_startups(
    world: &World,
    behind: &HostAccess,
    jump_ip: &str,
) {
    const SESSIONS: usize = 24;
    let conf = "/etc/ssh/sshd_config.d/zz-kw-max-startups.conf";
    let set = |host: &dyn Transport, value: &str| {
        let script = format!("echo 'MaxStartups {value}' > {conf} && sshd -t && systemctl reload ssh");
        let out = host.exec(&script, None).unwrap();
        assert!(out.success(), "{script}: {}", out.stderr_tail(5));
    };
    let known_hosts = world.inventory().known_hosts.clone();
    let h1 = transport::open(&access("h1", jump_ip, ssh(world, &known_hosts, None)), &ConnectOptions::default())
        .expect("h1 directly");
    let h2 = transport::open(behind, &ConnectOptions::default()).expect("h2 through h1");
    set(h2.as_ref(), "200:100:200");
    set(h1.as_ref(), "10:100:10");
    // sshd re-executes itself on a reload, its port closed meanwhile: wait until a login to each works again
    let answers = |host: &HostAccess| {
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        while let Err(e) = transport::open(host, &ConnectOptions::default()) {
            assert!(Instant::now() < deadline, "{} after its sshd reload: {e}", host.name);
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    answers(&access("h1", jump_ip, ssh(world, &known_hosts, None)));
    answers(behind);
    let started = Instant::now();
    let opened: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let sessions: Vec<_> = (0..SESSIONS)
            .map(|_| {
                scope.spawn(|| {
                    let host = transport::open(behind, &ConnectOptions::default()).map_err(|e| e.to_string())?;
                    host.exec("uname -n", None).map(|o| o.stdout_text()).map_err(|e| e.to_string())
                })
            })
            .collect();
        sessions.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    for host in [&h1, &h2] {
        assert!(host.exec(&format!("rm -f {conf} && systemctl reload ssh"), None).unwrap().success());
    }
    let failed: Vec<&String> = opened.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{} of {SESSIONS} sessions through h1 failed: {failed:?}", failed.len());
    assert!(opened.iter().all(|r| r.as_deref() == Ok("h2\n")), "{opened:?}");
    eprintln!(
        "[measure] {SESSIONS} sessions opened at once through one jump host (MaxStartups 10:100:10): all in {elapsed:?}"
    );
}

/// A one-node SASL_SSL KRaft cluster on h2 (cut off from this machine), `[ssh] jump` through h1: deploy, status,
/// deploy again — all through the jump host.
fn a_cluster_behind_the_jump_host_deploys_is_healthy_and_redeploys_with_no_changes(
    world: &World,
    behind: &HostAccess,
    jump_ip: &str,
) {
    let target_ip = behind.address.as_str();
    // h2 answers only through the jump host: its checks go over the wizard's own transport through h1
    let on_h2 = |script: &str| {
        let h2 = transport::open(behind, &ConnectOptions::default()).expect("h2 through the jump host");
        h2.exec(script, None).unwrap().stdout_text()
    };
    let started = Instant::now();
    let mirror = Mirror::start(&[&world::release(world::KAFKA_4)]);
    let home = tempfile::tempdir().unwrap();
    let security = "[security]\nprotocol = \"sasl_ssl\"\nca = \"generate\"\nadmin_user = \"admin\"\n\n";
    let known_hosts = &world.inventory().known_hosts;
    let all = world::kraft_project(world, &mirror, "e2e-behind", security, known_hosts);
    let (head, _) = all.split_once("\n[[hosts]]").expect("the project's hosts");
    let kh_line = format!("known_hosts = \"{}\"\n", known_hosts.display());
    assert!(head.contains(&kh_line), "{head}");
    let head = head.replacen(&kh_line, &format!("{kh_line}jump = \"root@{jump_ip}\"\n"), 1);
    let text = format!(
        "{head}\n[[hosts]]\nname = \"h2\"\naddress = \"{target_ip}\"\nroles = [\"broker\", \"controller\"]\nid = 1\n"
    );
    let project = home.path().join("behind.toml");
    std::fs::write(&project, &text).unwrap();
    let project = project.to_str().unwrap();

    let (out, text) = run_wizard(home.path(), &["deploy", project]);
    let deploy_secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        let log = world.ssh("h2", "root", "grep -h -m 12 -E -A3 'ERROR|FATAL' /var/log/kafka/server.log");
        panic!(
            "deploy through the jump host failed:\n{text}\n--- h2 server.log:\n{}",
            String::from_utf8_lossy(&log.stdout)
        );
    }
    assert!(text.contains("the cluster is healthy"), "{text}");
    eprintln!("MEASURE jump host: one-node SASL_SSL KRaft deploy through it (download from a local mirror) {deploy_secs:.1} s");

    // the broker's ports are still cut off from this machine: what reached them went through h1
    let direct = std::net::TcpStream::connect_timeout(
        &format!("{target_ip}:9092").parse().unwrap(),
        std::time::Duration::from_secs(2),
    );
    assert!(direct.is_err(), "{target_ip}:9092 is reachable from this machine: the test proves nothing");
    let listening = on_h2("systemctl is-active kafka-server; ss -ltnH 'sport = :9092'");
    assert!(listening.starts_with("active\n") && listening.contains(":9092"), "{listening}");

    let at = Instant::now();
    let (out, text) = run_wizard(home.path(), &["status", project]);
    let status_secs = at.elapsed().as_secs_f64();
    assert!(out.status.success(), "healthy through the jump host: {text}");
    eprintln!("MEASURE jump host: status through it {status_secs:.1} s");

    let at = Instant::now();
    let (out, text) = run_wizard(home.path(), &["deploy", project]);
    let again_secs = at.elapsed().as_secs_f64();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("no changes: every host already matched the project"), "{text}");
    eprintln!("MEASURE jump host: a second deploy (no changes) through it {again_secs:.1} s");
    eprintln!("MEASURE jump host: the cluster part in all {:.1} s", started.elapsed().as_secs_f64());
}
