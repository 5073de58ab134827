//! Checks every secured-cluster scenario runs (KRaft and ZooKeeper mode): a third-party client built only from
//! `client-config` output, the wrong ways in refused, and no generated password anywhere it must not be.

pub use super::support::secure::{python, wrong_ways_in_are_refused};
use super::{wizard, World};
use std::path::Path;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

/// `status` healthy and `smoke` passing: the wizard logs in as the admin over TLS + SCRAM (`mode` names the cluster
/// in the MEASURE line).
pub fn healthy_and_smoke(home: &Path, log: &mut String, project: &str, mode: &str) {
    let status = wizard(home, log, &["status", "--json", project]);
    let st: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(st["healthy"], true, "{st}");
    let t = Instant::now();
    wizard(home, log, &["smoke", project]);
    eprintln!("MEASURE smoke test over SASL_SSL as admin{mode}: {:.1}s", t.elapsed().as_secs_f64());
}

/// The admin's `client-config` output (0600 files) and kafka-python built only from it: an RF=3 topic, 20 records
/// produced and consumed with hostname verification. Returns the client-config directory.
pub fn admin_client_roundtrip(home: &Path, log: &mut String, project: &str, mode: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let admin_dir = home.join("client-admin");
    wizard(home, log, &["client-config", project, "--user", "admin", "--out", admin_dir.to_str().unwrap()]);
    for f in ["client.properties", "ca.pem"] {
        assert_eq!(std::fs::metadata(admin_dir.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
    }
    let started = Instant::now();
    let out = secure_client(&admin_dir.join("client.properties"), "secure-orders");
    let client = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "secure_client.py failed:\n{client}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"produced": 20, "consumed": 20, "replicas": [3]}"#);
    eprintln!("MEASURE kafka-python client-config roundtrip (RF=3{mode}): {:.1}s", started.elapsed().as_secs_f64());
    log.push_str(&client);
    admin_dir
}

/// An application user without ACLs logs in but is denied (no allow-everyone).
pub fn denied_without_acls(home: &Path, log: &mut String, project: &str, user: &str) {
    let app_dir = home.join(format!("client-{user}"));
    wizard(home, log, &["client-config", project, "--user", user, "--out", app_dir.to_str().unwrap()]);
    let out = secure_client(&app_dir.join("client.properties"), &format!("{user}-denied"));
    let denied = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success() && denied.contains("AuthorizationFailed"), "{user} without ACLs:\n{denied}");
    log.push_str(&denied);
}

/// kafka-python (`tests/world/secure_client.py`) from a `client.properties`: creates `topic` (RF=3), produces and
/// consumes; prints `{"produced": …, "consumed": …, "replicas": […]}`.
pub fn secure_client(properties: &Path, topic: &str) -> Output {
    Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/world/secure_client.py"))
        .args(["--properties", properties.to_str().unwrap(), topic])
        .output()
        .unwrap()
}

/// None of `passwords` is in an export (made here: Review's files are the same renders), the plan and dry run Review
/// shows (text and `--json`, with secret files changed on a host), the project file, the wizard's and the
/// clients' output (`log`), or on any host in the journal or `host_files` (a shell glob list: logs, shown files).
pub fn no_password_leaks(
    world: &World,
    home: &Path,
    project: &Path,
    log: &mut String,
    passwords: &[String],
    host_files: &str,
) {
    let p = project.to_str().unwrap();
    let export = home.join("export");
    wizard(home, log, &["export", p, "--out", export.to_str().unwrap()]);
    // The support bundle: every host's files, logs and journals, redacted; its whole text joins the password grep.
    // The project's hosts (the world may hold more, for a later step).
    let text = std::fs::read_to_string(project).unwrap();
    let hosts: Vec<String> =
        world.hosts().iter().map(|h| h.name.clone()).filter(|n| text.contains(&format!("name = \"{n}\""))).collect();
    let (bundle, manifest) = super::support::bundle::collect(home, p, &hosts, "support.zip");
    let jaas = bundle.iter().find(|(k, _)| k.ends_with("/etc/kafka/kafka-server-jaas.conf")).expect("a JAAS file");
    assert!(jaas.1.contains("password=\"<redacted>\""), "the JAAS passwords are redacted:\n{}", jaas.1);
    assert!(!bundle.keys().any(|k| k.ends_with("/node.pem")), "no private key file is collected");
    assert!(!bundle.values().any(|t| t.contains("PRIVATE KEY-----")), "no private key in the bundle");
    let omitted = manifest["hosts"][0]["omitted"].as_array().unwrap();
    assert!(
        omitted.iter().any(|o| o["path"].as_str().unwrap().ends_with("node.pem")),
        "the key file is listed as left out"
    );
    for text in bundle.values() {
        log.push_str(text);
    }
    review_output_with_secret_files_changed(world, home, log, p, &hosts[0]);
    let patterns: Vec<String> = passwords.iter().flat_map(|p| ["-e".to_string(), p.clone()]).collect();
    let grep = Command::new("grep").arg("-rqF").args(&patterns).arg(&export).arg(project).status().unwrap();
    assert_eq!(grep.code(), Some(1), "a password is in the project file or the export");
    for pw in passwords {
        assert!(!log.contains(pw.as_str()), "a password is in the wizard's output or the client's");
    }
    let pattern = patterns.join(" ");
    for h in world.hosts() {
        let script = format!("{{ journalctl --no-pager; cat {host_files}; }} 2>/dev/null | grep -cF {pattern}");
        let count = String::from_utf8_lossy(&world.ssh(&h.name, "root", &script).stdout).trim().to_string();
        assert_eq!(count, "0", "{}: a password is in the journal, a log or a shown file", h.name);
    }
}

/// openssl's TLS client against `addr`, trusting `ca` (a file), with `key_and_cert` (one PEM file) as its client
/// certificate or none; stdin held open 2 s so that a refusal sent after a TLS 1.3 handshake (the server judges the
/// client's certificate after the client's Finished) arrives before it hangs up. Its output and exit code.
pub(super) fn openssl_client(addr: &str, ca: &Path, key_and_cert: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = format!("sleep 2 | openssl s_client -connect {addr} -CAfile {} -verify_return_error", ca.display());
    if let Some(p) = key_and_cert {
        cmd.push_str(&format!(" -cert {0} -key {0}", p.display()));
    }
    let out = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    (out.status.code(), super::support::secure::text(&out))
}

/// The KRaft controller listener (`host_ip`:9093, SSL with `ssl.client.auth=required`) refuses every client without a
/// certificate from the cluster's CA: plaintext, TLS without a client certificate (the engine's own client and
/// openssl) — while openssl with a node's own certificate (read from `host`, kept 0600 under `home`) is admitted, so
/// the refusal is the certificate's doing.
pub fn controller_listener_refuses_without_a_certificate(world: &World, home: &Path, host: &str, host_ip: &str) {
    use kafka_wizard::health::kafka_metadata_with;
    use kafka_wizard::security::{KafkaAuth, TlsTrust};
    use std::os::unix::fs::PermissionsExt;
    let started = Instant::now();
    let addr = format!("{host_ip}:9093");
    let ca = home.join("controller-ca.pem");
    std::fs::write(&ca, world.ssh_ok(host, "root", "cat /etc/kafka/tls/ca.pem")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let trust = TlsTrust::from_ca_pem(&std::fs::read_to_string(&ca).unwrap()).unwrap();
    for (what, auth) in [
        ("plaintext", KafkaAuth::plaintext()),
        ("TLS without a client certificate", KafkaAuth { tls: Some(trust), sasl: None }),
    ] {
        let err = rt
            .block_on(kafka_metadata_with(&addr, &auth, std::time::Duration::from_secs(10)))
            .expect_err("the controller listener refuses a client without a certificate");
        eprintln!("[secure] controller listener, {what}: refused: {err}");
    }
    let (code, refused) = openssl_client(&addr, &ca, None);
    // TLS 1.3: `certificate_required`; TLS 1.2 would say `bad_certificate`.
    assert!(
        refused.contains("alert certificate required") || refused.contains("alert bad certificate"),
        "openssl without a client certificate is refused ({code:?}):\n{refused}"
    );
    let node = home.join("controller-client.pem");
    std::fs::write(&node, world.ssh_ok(host, "root", "cat /etc/kafka/tls/node.pem")).unwrap();
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, admitted) = openssl_client(&addr, &ca, Some(&node));
    std::fs::remove_file(&node).unwrap();
    assert!(
        code == Some(0) && admitted.contains("Verify return code: 0 (ok)") && !admitted.contains("alert"),
        "openssl with the node's certificate is admitted ({code:?}):\n{admitted}"
    );
    eprintln!(
        "MEASURE controller listener {addr}: plaintext and TLS without a client certificate refused, a CA-signed \
         certificate admitted: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// What Review shows besides the files (the plan and the dry run, as text and `--json`) joins `log` for the password
/// grep — the dry run while `host`'s keystore and JAAS file differ from the generated ones (a line appended to each,
/// then the originals put back with their owner, mode and times), so it has secret files to show: each is said to
/// change with its content not shown, and no diff.
fn review_output_with_secret_files_changed(world: &World, home: &Path, log: &mut String, p: &str, host: &str) {
    let files = ["/etc/kafka/tls/node.pem", "/etc/kafka/kafka-server-jaas.conf"];
    let mut script = String::from("set -e\n");
    for f in files {
        script.push_str(&format!("cp -p {f} {f}.e2e-orig\necho '# changed behind the wizard' >> {f}\n"));
    }
    world.ssh_ok(host, "root", &script);
    wizard(home, log, &["plan", "--json", p]);
    let text = String::from_utf8_lossy(&wizard(home, log, &["deploy", "--dry-run", p]).stdout).into_owned();
    let json = String::from_utf8_lossy(&wizard(home, log, &["deploy", "--dry-run", "--json", p]).stdout).into_owned();
    let mut script = String::from("set -e\n");
    for f in files {
        script.push_str(&format!("cp -p {f}.e2e-orig {f}\nrm {f}.e2e-orig\n"));
    }
    world.ssh_ok(host, "root", &script);
    for f in files {
        let row = text.lines().find(|l| l.starts_with(host) && l.contains(f)).unwrap_or_else(|| panic!("{f}:\n{text}"));
        assert!(row.contains(" ~ ") && row.contains("holds a secret: content not shown"), "{row}");
        let row: serde_json::Value = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .find(|r: &serde_json::Value| r["target"]["name"] == host && r["step"].as_str().unwrap_or("").contains(f))
            .unwrap_or_else(|| panic!("{f}:\n{json}"));
        assert!(row["change"] == true && row["diff"].is_null(), "{row}");
    }
    assert!(!text.contains("changed behind the wizard"), "no secret file's diff is shown:\n{text}");
}
