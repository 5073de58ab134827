#![cfg(feature = "e2e")]
//! End to end: the SSH transport against the real test hosts (sshd, sudo, systemd) of the test world — host-key
//! verification in every case (known, unknown, remembered, changed, RSA-only, hashed, remembered hashed, only a
//! `@cert-authority`), root and sudo logins, exec
//! with big stderr, 50 MiB uploads, atomic writes and reads, unreachable hosts. Prints the measured figures.
//!
//! Needs root and `tests/world/prepare.sh`.
//! Run: `cargo test --features e2e --test e2e_transport -- --test-threads=1 --nocapture`

#[path = "support/mod.rs"]
mod support;

use kafka_wizard::transport::ssh::SshTransport;
use kafka_wizard::transport::{Secret, SshTarget, Transport, TransportError, UnknownHostKey};
use sha2::{Digest, Sha512};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::world::World;

fn target(world: &World, host: &str, user: &str, known_hosts: &Path) -> SshTarget {
    SshTarget {
        name: host.to_string(),
        address: world.host(host).ip.clone(),
        port: 22,
        user: user.to_string(),
        identity_file: Some(world.inventory().identity_file.clone()),
        known_hosts: Some(known_hosts.to_path_buf()),
        sudo: user != "root",
        password: None,
        key_passphrase: None,
        become_password: None,
        timeout: Duration::from_secs(5),
        jump: None,
    }
}

fn connect(world: &World, host: &str, user: &str) -> SshTransport {
    let kh = world.inventory().known_hosts.clone();
    SshTransport::connect(&target(world, host, user, &kh), UnknownHostKey::Refuse)
        .unwrap_or_else(|e| panic!("connect {user}@{host}: {e}"))
}

/// The fingerprint `ssh-keygen -lf` prints for the first key of `file`.
fn ssh_keygen_fingerprint(file: &Path) -> String {
    let out = Command::new("ssh-keygen").arg("-lf").arg(file).output().expect("ssh-keygen -lf");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).expect("fingerprint field").to_string()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
fn root_and_a_sudo_user_run_commands_move_files_and_reuse_one_session() {
    let world = World::up(1);

    // connect + verify + auth, a few times for a median
    let times: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            drop(connect(&world, "h1", "root"));
            t.elapsed()
        })
        .collect();
    eprintln!("[measure] connect+verify+auth (root, ed25519): median {:?} of {times:?}", median(times.clone()));

    let root = connect(&world, "h1", "root");
    assert_eq!(root.host(), "h1");
    let (key_type, fingerprint) = root.host_key();
    assert_eq!(key_type, "ssh-ed25519");
    assert_eq!(Some(&fingerprint), world.host("h1").host_key_fingerprints.get("ssh-ed25519"));

    // exec: stdout, stderr, exit status, stdin, a signal
    let out = root.exec("uname -n; echo oops >&2; exit 7", None).unwrap();
    assert_eq!((out.status, out.stdout_text().trim(), out.stderr_tail(1).as_str()), (7, "h1", "oops"));
    let out = root.exec("wc -c", Some(&vec![b'z'; 3 << 20])).unwrap();
    assert_eq!(out.stdout_text().trim(), (3 << 20).to_string());
    assert_eq!(root.exec("kill -TERM $$", None).unwrap().status, 143);

    // a large stderr (5 MB) together with stdout does not deadlock
    let t = Instant::now();
    let out = root.exec("head -c 5000000 /dev/zero >&2; head -c 2000000 /dev/zero; echo done >&2", None).unwrap();
    assert_eq!((out.status, out.stderr.len(), out.stdout.len()), (0, 5_000_005, 2_000_000));
    eprintln!("[measure] exec with 5 MB stderr + 2 MB stdout: {:?}", t.elapsed());

    // round trip on the reused session
    let rtts: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            assert!(root.exec("true", None).unwrap().success());
            t.elapsed()
        })
        .collect();
    let rtt = median(rtts);
    eprintln!("[measure] exec `true` on the reused session: median {rtt:?} of 50");
    assert!(rtt < Duration::from_millis(25), "slow round trip (TCP_NODELAY? a needless poll?): {rtt:?}");

    // the sudo user: commands run as root, files end up owned by root
    let deploy = connect(&world, "h1", "deploy");
    assert_eq!(deploy.exec("id -u", None).unwrap().stdout_text().trim(), "0");
    assert_eq!(deploy.exec("echo \"$0 it's quoted\"", None).unwrap().stdout_text().trim(), "sh it's quoted");

    // upload 50 MiB as root and as deploy: sha512 on the host matches, progress reached the total, no temp file
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("random.bin");
    let data: Vec<u8> = {
        let mut v = vec![0u8; 50 << 20];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for chunk in v.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        v
    };
    std::fs::write(&local, &data).unwrap();
    let local_sha = hex::encode(Sha512::digest(&data));
    for (who, transport, remote) in [("root", &root, "/opt/kw-root.bin"), ("deploy", &deploy, "/opt/kw-deploy.bin")] {
        let mut last = (0, 0);
        let mut calls = 0;
        let t = Instant::now();
        transport
            .upload(&local, remote, 0o640, &mut |done, total| {
                last = (done, total);
                calls += 1;
            })
            .unwrap_or_else(|e| panic!("upload as {who}: {e}"));
        let secs = t.elapsed().as_secs_f64();
        eprintln!("[measure] upload 50 MiB as {who}: {secs:.2}s = {:.0} MiB/s ({calls} progress calls)", 50.0 / secs);
        assert_eq!(last, (50 << 20, 50 << 20));
        assert_eq!(calls, 50);
        let remote_sha = root.exec(&format!("sha512sum {remote}"), None).unwrap().stdout_text();
        assert_eq!(remote_sha.split_whitespace().next(), Some(local_sha.as_str()), "{who}");
        let meta = root.exec(&format!("stat -c '%U:%G %a' {remote}"), None).unwrap().stdout_text();
        assert_eq!(meta.trim(), "root:root 640", "{who}");
    }
    let leftovers = root.exec("ls -A /opt /home/deploy /tmp | grep -c '[.]kw-' || true", None).unwrap().stdout_text();
    assert_eq!(leftovers.trim(), "0", "temporary files left behind");

    // an upload into a missing directory fails, leaves nothing, and the session goes on
    let err = deploy.upload(&local, "/no/such/dir/x.bin", 0o644, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, TransportError::Io { .. }), "{err}");
    let leftovers = root.exec("ls -A /home/deploy | grep -c '[.]kw-' || true", None).unwrap().stdout_text();
    assert_eq!(leftovers.trim(), "0");

    // write_file / read_file round trip, as root and as deploy; a missing file reads as None
    for (who, transport) in [("root", &root), ("deploy", &deploy)] {
        let path = format!("/etc/kw-{who}.properties");
        let content = format!("owner={who}\nquote='it''s'\n").into_bytes();
        transport.write_file(&path, &content, 0o600).unwrap();
        assert_eq!(transport.read_file(&path).unwrap(), Some(content.clone()), "{who}");
        transport.write_file(&path, b"replaced\n", 0o644).unwrap();
        assert_eq!(transport.read_file(&path).unwrap().as_deref(), Some(&b"replaced\n"[..]));
        let meta = root.exec(&format!("stat -c '%U:%G %a' {path}"), None).unwrap().stdout_text();
        assert_eq!(meta.trim(), "root:root 644");
        assert_eq!(transport.read_file("/etc/kw-does-not-exist").unwrap(), None, "{who}");
        assert!(transport.read_file("/etc").is_err(), "a directory is an error, not a missing file");
    }
    // /root is not readable by deploy itself: read_file goes through sudo
    root.write_file("/root/secret.txt", b"s", 0o600).unwrap();
    assert_eq!(deploy.read_file("/root/secret.txt").unwrap().as_deref(), Some(&b"s"[..]));

    // a password login works too (deploy's password is "deploy"), and a wrong one says so without showing it
    let kh = world.inventory().known_hosts.clone();
    let mut by_password = target(&world, "h1", "deploy", &kh);
    by_password.identity_file = Some(PathBuf::from("/nonexistent/key"));
    by_password.password = Some(Secret::new("deploy"));
    let t = SshTransport::connect(&by_password, UnknownHostKey::Refuse).unwrap();
    assert_eq!(t.exec("id -u", None).unwrap().stdout_text().trim(), "0");
    by_password.password = Some(Secret::new("wrong-pass-123"));
    let err = SshTransport::connect(&by_password, UnknownHostKey::Refuse).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, TransportError::AuthFailed { .. }) && !text.contains("wrong-pass-123"), "{text}");
    assert!(text.contains("does not exist"), "{text}");

    // a sudo user whose sudo wants a password is told so
    root.exec("sed -i 's/NOPASSWD://' /etc/sudoers.d/deploy", None).unwrap();
    let fresh = connect(&world, "h1", "deploy");
    match fresh.exec("id -u", None) {
        Err(TransportError::SudoPasswordRequired { host, user }) => {
            assert_eq!((host.as_str(), user.as_str()), ("h1", "deploy"))
        }
        other => panic!(
            "expected SudoPasswordRequired, got {other:?} (sudoers: {})",
            root.exec("cat /etc/sudoers.d/*", None).unwrap().stdout_text()
        ),
    }
}

#[test]
fn host_keys_are_verified_unknown_refused_remembered_and_a_changed_key_refused() {
    let world = World::up(1);
    let dir = tempfile::tempdir().unwrap();
    let inventory_kh = world.inventory().known_hosts.clone();
    let expected_fp = world.host("h1").host_key_fingerprints["ssh-ed25519"].clone();

    // the host's own public key, fetched over the trusted connection, fingerprinted by ssh-keygen
    let root = connect(&world, "h1", "root");
    let pubkey = dir.path().join("h1_ed25519.pub");
    std::fs::write(&pubkey, root.exec("cat /etc/ssh/ssh_host_ed25519_key.pub", None).unwrap().stdout).unwrap();
    assert_eq!(ssh_keygen_fingerprint(&pubkey), expected_fp);
    drop(root);

    // empty known_hosts: refused with the right fingerprint, nothing written
    let empty = dir.path().join("empty_known_hosts");
    std::fs::write(&empty, "").unwrap();
    let err = SshTransport::connect(&target(&world, "h1", "root", &empty), UnknownHostKey::Refuse).unwrap_err();
    match &err {
        TransportError::UnknownHostKey { host, key_type, fingerprint, .. } => {
            assert_eq!((host.as_str(), key_type.as_str(), fingerprint), ("h1", "ssh-ed25519", &expected_fp))
        }
        other => panic!("expected UnknownHostKey, got {other}"),
    }
    assert!(err.to_string().contains(&expected_fp), "{err}");
    assert_eq!(std::fs::read_to_string(&empty).unwrap(), "");

    // accepting only the fingerprint the user saw: another fingerprint is refused (nothing written), the right one
    // is remembered
    let seen = dir.path().join("seen_known_hosts");
    let wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let err = SshTransport::connect_accepting(&target(&world, "h1", "root", &seen), wrong).unwrap_err();
    assert!(matches!(&err, TransportError::UnknownHostKey { fingerprint, .. } if *fingerprint == expected_fp), "{err}");
    assert!(!seen.exists());
    SshTransport::connect_accepting(&target(&world, "h1", "root", &seen), &expected_fp).unwrap();
    assert!(SshTransport::connect(&target(&world, "h1", "root", &seen), UnknownHostKey::Refuse).is_ok());

    // accept and remember (into a file that does not exist yet): appended; then Refuse connects
    let tofu = dir.path().join("new").join("known_hosts");
    let t = SshTransport::connect(&target(&world, "h1", "root", &tofu), UnknownHostKey::AcceptAndRemember).unwrap();
    assert_eq!(t.host_key().1, expected_fp);
    let remembered = std::fs::read_to_string(&tofu).unwrap();
    assert!(remembered.starts_with(&format!("{} ssh-ed25519 AAAA", world.host("h1").ip)), "{remembered}");
    assert_eq!(ssh_keygen_fingerprint(&tofu), expected_fp);
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&tofu).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(tofu.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let again = SshTransport::connect(&target(&world, "h1", "root", &tofu), UnknownHostKey::Refuse).unwrap();
    assert_eq!(again.exec("uname -n", None).unwrap().stdout_text().trim(), "h1");
    assert_eq!(std::fs::read_to_string(&tofu).unwrap(), remembered, "a known key is not appended again");

    // a different key for that host: refused with both fingerprints, also with AcceptAndRemember
    let other_key = dir.path().join("other");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f"])
        .arg(&other_key)
        .status()
        .unwrap();
    assert!(status.success());
    let other_pub = PathBuf::from(format!("{}.pub", other_key.display()));
    let other_fp = ssh_keygen_fingerprint(&other_pub);
    let changed = dir.path().join("changed_known_hosts");
    let other_line = std::fs::read_to_string(&other_pub).unwrap();
    std::fs::write(&changed, format!("h1,{} {}", world.host("h1").ip, other_line)).unwrap();
    for unknown in [UnknownHostKey::Refuse, UnknownHostKey::AcceptAndRemember] {
        let err = SshTransport::connect(&target(&world, "h1", "root", &changed), unknown).unwrap_err();
        match &err {
            TransportError::HostKeyMismatch { host, expected, actual, .. } => {
                assert_eq!(host, "h1");
                assert!(expected.contains(&other_fp), "{expected}");
                assert!(actual.contains(&expected_fp), "{actual}");
            }
            other => panic!("expected HostKeyMismatch, got {other}"),
        }
        let text = err.to_string();
        assert!(text.contains(&other_fp) && text.contains(&expected_fp), "{text}");
        assert!(text.contains(" -R h1") && text.contains(&format!(" -R {}", world.host("h1").ip)), "{text}");
    }
    assert_eq!(std::fs::read_to_string(&changed).unwrap().lines().count(), 1, "nothing appended on a mismatch");

    // listed under the name only (not the address): still found
    let by_name = dir.path().join("by_name");
    let ed_line = std::fs::read_to_string(&pubkey).unwrap();
    std::fs::write(&by_name, format!("h1 {ed_line}")).unwrap();
    assert!(SshTransport::connect(&target(&world, "h1", "root", &by_name), UnknownHostKey::Refuse).is_ok());

    // an RSA-only known_hosts is not a false mismatch: the RSA host key is negotiated
    let rsa_only = dir.path().join("rsa_only");
    let rsa_lines: String = std::fs::read_to_string(&inventory_kh)
        .unwrap()
        .lines()
        .filter(|l| l.contains(" ssh-rsa ") && l.split(',').any(|h| h == "h1"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!rsa_lines.is_empty(), "no ssh-rsa line for h1 in {}", inventory_kh.display());
    std::fs::write(&rsa_only, &rsa_lines).unwrap();
    let rsa = SshTransport::connect(&target(&world, "h1", "root", &rsa_only), UnknownHostKey::Refuse).unwrap();
    assert_eq!(rsa.host_key(), ("ssh-rsa".to_string(), world.host("h1").host_key_fingerprints["ssh-rsa"].clone()));

    // a hashed copy of the inventory's known_hosts (ssh-keygen -H) works
    let hashed = dir.path().join("hashed");
    std::fs::copy(&inventory_kh, &hashed).unwrap();
    let out = Command::new("ssh-keygen").arg("-H").arg("-f").arg(&hashed).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&hashed).unwrap().starts_with("|1|"));
    let t = SshTransport::connect(&target(&world, "h1", "root", &hashed), UnknownHostKey::Refuse).unwrap();
    assert_eq!(t.host_key().1, expected_fp);

    // a revoked key is refused even though it is also listed normally
    let revoked = dir.path().join("revoked");
    std::fs::write(&revoked, format!("@revoked h1 {ed_line}h1 {ed_line}")).unwrap();
    let err = SshTransport::connect(&target(&world, "h1", "root", &revoked), UnknownHostKey::Refuse).unwrap_err();
    assert!(matches!(err, TransportError::HostKeyMismatch { .. }), "{err}");

    // a file that hashes its names gets the accepted key hashed too, and the real ssh-keygen finds it
    let hashing = dir.path().join("hashing");
    std::fs::write(&hashing, format!("h9 {other_line}")).unwrap();
    let out = Command::new("ssh-keygen").arg("-H").arg("-f").arg(&hashing).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    SshTransport::connect(&target(&world, "h1", "root", &hashing), UnknownHostKey::AcceptAndRemember).unwrap();
    let appended = std::fs::read_to_string(&hashing).unwrap().lines().nth(1).unwrap().to_string();
    assert!(appended.starts_with("|1|") && !appended.contains(&world.host("h1").ip), "{appended}");
    let found =
        Command::new("ssh-keygen").arg("-F").arg(&world.host("h1").ip).arg("-f").arg(&hashing).output().unwrap();
    assert!(found.status.success(), "ssh-keygen -F does not find the hashed line: {appended}");
    assert!(SshTransport::connect(&target(&world, "h1", "root", &hashing), UnknownHostKey::Refuse).is_ok());

    // a host only a @cert-authority line vouches for is refused — also when accepting new keys — showing its own
    // key's fingerprint (a plain key type was negotiated, not a certificate), nothing appended
    let ca_only = dir.path().join("ca_only");
    std::fs::write(&ca_only, format!("@cert-authority * {other_line}")).unwrap();
    for unknown in [UnknownHostKey::Refuse, UnknownHostKey::AcceptAndRemember] {
        let err = SshTransport::connect(&target(&world, "h1", "root", &ca_only), unknown).unwrap_err();
        match &err {
            TransportError::HostCertificateUnsupported { key_type, fingerprint, .. } => {
                assert_eq!((key_type.as_str(), fingerprint), ("ssh-ed25519", &expected_fp))
            }
            other => panic!("expected HostCertificateUnsupported, got {other}"),
        }
        assert!(err.to_string().contains("ssh-keyscan -p 22"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&ca_only).unwrap().lines().count(), 1, "nothing appended");
}

#[test]
fn a_stopped_or_cut_off_host_is_unreachable_quickly_and_names_itself() {
    let world = World::up(2);
    let kh = world.inventory().known_hosts.clone();
    let mut t = target(&world, "h1", "root", &kh);
    t.timeout = Duration::from_secs(3);

    // an open session to a host that is then cut off: the next exec fails within the timeout, not never
    let open = SshTransport::connect(&t, UnknownHostKey::Refuse).unwrap();
    world.cut_network("h1");
    let started = Instant::now();
    let err = open.exec("true", None).unwrap_err();
    eprintln!("[measure] exec on a session to a cut-off host failed after {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    assert!(err.to_string().starts_with("h1: "), "{err}");

    // a new connection to the cut-off host: Unreachable after the connect timeout
    let started = Instant::now();
    let err = SshTransport::connect(&t, UnknownHostKey::Refuse).unwrap_err();
    eprintln!("[measure] connect to a cut-off host failed after {:?}: {err}", started.elapsed());
    assert!(matches!(err, TransportError::Unreachable { ref host, .. } if host == "h1"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    world.restore_network("h1");

    // a stopped host
    world.stop_host("h1");
    let started = Instant::now();
    let err = SshTransport::connect(&t, UnknownHostKey::Refuse).unwrap_err();
    eprintln!("[measure] connect to a stopped host failed after {:?}: {err}", started.elapsed());
    assert!(matches!(err, TransportError::Unreachable { ref host, .. } if host == "h1"), "{err}");
    assert!(err.to_string().contains("h1") && err.to_string().contains(&world.host("h1").ip), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

    // the other host is unaffected
    let h2 = connect(&world, "h2", "root");
    assert_eq!(h2.exec("uname -n", None).unwrap().stdout_text().trim(), "h2");
}

#[test]
fn a_command_overrunning_its_deadline_is_a_timeout_and_the_session_stays_usable() {
    let world = World::up(1);
    let root = connect(&world, "h1", "root");
    let started = Instant::now();
    let err = root.exec_with_deadline("sleep 30", None, Duration::from_secs(2)).unwrap_err();
    assert!(matches!(err, TransportError::Timeout { seconds: 2, .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    assert_eq!(root.exec("pgrep -x sleep || echo none", None).unwrap().stdout_text().trim(), "none");
    assert!(root.exec_with_deadline("true", None, Duration::from_secs(5)).unwrap().success());

    // the safety net: a deadline on plain exec abandons the connection, later calls say why
    root.set_command_deadline(Duration::from_secs(1));
    let started = Instant::now();
    let err = root.exec("sleep 5", None).unwrap_err();
    assert!(matches!(err, TransportError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let err = root.exec("true", None).unwrap_err();
    assert!(err.to_string().contains("abandoned"), "{err}");
}

#[test]
fn every_agent_key_is_tried_and_a_key_file_without_its_pub_works() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::up(1);
    let dir = tempfile::tempdir().unwrap();
    let kh = world.inventory().known_hosts.clone();

    // a private key with no .pub beside it
    let bare = dir.path().join("bare_key");
    std::fs::copy(&world.inventory().identity_file, &bare).unwrap();
    std::fs::set_permissions(&bare, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut t = target(&world, "h1", "deploy", &kh);
    t.identity_file = Some(bare);
    let bare_conn = SshTransport::connect(&t, UnknownHostKey::Refuse).unwrap();
    assert_eq!(bare_conn.exec("id -u", None).unwrap().stdout_text().trim(), "0");

    // an agent holding a key the host does not accept FIRST, then the right one
    let stranger = dir.path().join("stranger");
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f"])
        .arg(&stranger)
        .status()
        .unwrap();
    assert!(ok.success());
    let socket = dir.path().join("agent.sock");
    let mut agent =
        Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).stdout(std::process::Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    while !socket.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for key in [stranger.as_path(), world.inventory().identity_file.as_path()] {
        let out = Command::new("ssh-add").arg(key).env("SSH_AUTH_SOCK", &socket).output().unwrap();
        assert!(out.status.success(), "ssh-add: {}", String::from_utf8_lossy(&out.stderr));
    }
    let listed = Command::new("ssh-add").arg("-l").env("SSH_AUTH_SOCK", &socket).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.lines().next().unwrap_or("").contains("stranger"), "agent order: {listed}");

    let saved = (std::env::var_os("SSH_AUTH_SOCK"), std::env::var_os("HOME"));
    std::env::set_var("SSH_AUTH_SOCK", &socket);
    std::env::set_var("HOME", dir.path()); // no default keys in ~/.ssh: only the agent can log in
    let mut t = target(&world, "h1", "root", &kh);
    t.identity_file = None;
    let result = SshTransport::connect(&t, UnknownHostKey::Refuse);
    for (name, value) in [("SSH_AUTH_SOCK", saved.0), ("HOME", saved.1)] {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
    let _ = agent.kill();
    let _ = agent.wait();
    let via_agent = result.unwrap_or_else(|e| panic!("agent login: {e}"));
    assert_eq!(via_agent.exec("uname -n", None).unwrap().stdout_text().trim(), "h1");
}

#[test]
fn an_encrypted_key_file_logs_in_with_its_passphrase_and_without_it_says_what_is_missing() {
    use std::os::unix::fs::PermissionsExt;
    const PASSPHRASE: &str = "kw key phrase 7e2";
    let world = World::up(1);
    let dir = tempfile::tempdir().unwrap();
    let kh = world.inventory().known_hosts.clone();
    let key = dir.path().join("id_encrypted");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "encrypted", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    world.ssh_ok("h1", "root", &format!("echo '{}' >> /root/.ssh/authorized_keys", public.trim()));

    let mut t = target(&world, "h1", "root", &kh);
    t.identity_file = Some(key.clone());
    let err = match SshTransport::connect(&t, UnknownHostKey::Refuse) {
        Err(e) => e,
        Ok(_) => panic!("an encrypted key without its passphrase must not log in"),
    };
    let text = err.to_string();
    assert!(matches!(err, TransportError::AuthFailed { .. }) && text.contains("passphrase"), "{text}");

    t.key_passphrase = Some(Secret::new("not the passphrase"));
    let Err(err) = SshTransport::connect(&t, UnknownHostKey::Refuse) else {
        panic!("a wrong passphrase must not log in")
    };
    assert!(err.to_string().contains("passphrase") && !err.to_string().contains("not the passphrase"), "{err}");

    t.key_passphrase = Some(Secret::new(PASSPHRASE));
    let conn = SshTransport::connect(&t, UnknownHostKey::Refuse).unwrap_or_else(|e| panic!("with the passphrase: {e}"));
    assert_eq!(conn.exec("id -u", None).unwrap().stdout_text().trim(), "0");
    assert!(!format!("{t:?}").contains(PASSPHRASE), "the passphrase never prints");
}
