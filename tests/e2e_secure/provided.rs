//! `ca = "provided"` on real hosts: a CA and host certificates made by a third-party tool (openssl), not the wizard.
//! Run on the KRaft scenario's three hosts after its own checks, wiped: first every bad certificate (a SAN missing
//! the host's address, an expired one, a key of another certificate, one signed by another CA) is refused naming the
//! field before any host is touched; then the operator's files deploy a fresh SASL_SSL KRaft cluster whose nodes log
//! in to each other's mTLS controller listener with a multi-RDN subject (`CN=hN,OU=e2e,O=Kafka Wizard Tests`, Kafka's
//! RFC 2253 principal in `super.users`); every broker serves the operator's own certificate; kafka-python built only
//! from `client-config` output produces and consumes on an RF=3 topic with hostname verification; the re-deploy
//! changes nothing; and `admin_user` renamed in the project of the running cluster is refused (dry run and deploy)
//! with no store changed and nothing restarted.

use super::checks;
use super::support::wizard::run_wizard;
use super::{deploy, wizard, World};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Runs openssl in `dir`, failing the test with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
    assert!(out.status.success(), "openssl {}:\n{}", args.join(" "), super::support::secure::text(&out));
}

/// The operator's PKI, made with openssl in `dir`: `ca.pem` (+ `ca.key`), and for each host `NAME.pem` / `NAME.key`
/// (an RSA key in PKCS#8, a certificate for the host's name and address, server and client use, 30 days); also
/// `bad-san.pem` (h2 without its address), `expired.pem` (h2, expired), `foreign.pem` (h2 from another CA).
fn make_pki(world: &World, dir: &Path) {
    for (name, subject) in
        [("ca", "/O=Kafka Wizard Tests/CN=Tests Root CA"), ("other-ca", "/O=Someone Else/CN=Other CA")]
    {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-subj",
                subject,
                "-days",
                "30",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
    }
    let sign = |csr: &str, ca: &str, ext: &str, days: &str, out: &str| {
        std::fs::write(dir.join("ext.cnf"), ext).unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                days,
                "-extfile",
                "ext.cnf",
                "-out",
                out,
            ],
        );
    };
    let usage = "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n";
    for h in world.hosts() {
        let n = &h.name;
        openssl(
            dir,
            &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", &format!("{n}.key")],
        );
        let subject = format!("/O=Kafka Wizard Tests/OU=e2e/CN={n}");
        openssl(dir, &["req", "-new", "-key", &format!("{n}.key"), "-subj", &subject, "-out", &format!("{n}.csr")]);
        let ext = format!("subjectAltName=DNS:{n},IP:{}\n{usage}", h.ip);
        sign(&format!("{n}.csr"), "ca", &ext, "30", &format!("{n}.pem"));
    }
    let h2 = &world.hosts()[1];
    sign("h2.csr", "ca", &format!("subjectAltName=DNS:{}\n{usage}", h2.name), "30", "bad-san.pem");
    // `-days -1`: valid until a day before it was issued.
    sign("h2.csr", "ca", &format!("subjectAltName=DNS:{},IP:{}\n{usage}", h2.name, h2.ip), "-1", "expired.pem");
    sign("h2.csr", "other-ca", &format!("subjectAltName=DNS:{},IP:{}\n{usage}", h2.name, h2.ip), "30", "foreign.pem");
}

/// The project: the KRaft scenario's layout named `e2e-provided`, `ca = "provided"`, each host's files from `dir`,
/// h2's certificate and key replaced by `h2_files` when given.
fn provided_project(world: &World, mirror: &super::Mirror, dir: &Path, h2_files: Option<(&str, &str)>) -> String {
    let security = format!(
        "[security]\nprotocol = \"sasl_ssl\"\nca = \"provided\"\nca_cert = \"{}\"\nadmin_user = \"admin\"\n\n",
        dir.join("ca.pem").display()
    );
    let known_hosts = &world.inventory().known_hosts;
    let mut text = super::support::world::kraft_project(world, mirror, "e2e-provided", &security, known_hosts);
    for h in world.hosts() {
        let (cert, key) = match h2_files {
            Some((cert, key)) if h.name == "h2" => (cert.to_string(), key.to_string()),
            _ => (format!("{}.pem", h.name), format!("{}.key", h.name)),
        };
        let table = format!("name = \"{}\"\n", h.name);
        let with = format!(
            "{table}tls_cert = \"{}\"\ntls_key = \"{}\"\n",
            dir.join(&cert).display(),
            dir.join(&key).display()
        );
        text = text.replacen(&table, &with, 1);
    }
    text
}

/// Removes the KRaft scenario's cluster from every host (killed: the scenario is over), so the provided-CA cluster
/// starts from hosts the wizard never touched.
fn wipe(world: &World) {
    for h in world.hosts() {
        world.ssh_ok(
            &h.name,
            "root",
            "systemctl kill --signal=SIGKILL kafka-server; systemctl stop kafka-server; \
             rm -rf /opt/kafka /opt/kafka_2.13-* /etc/kafka /etc/systemd/system/kafka-server.service \
             /var/lib/kafka /var/lib/kafka-wizard /var/log/kafka && systemctl daemon-reload",
        );
    }
}

/// SHA-256 fingerprint of the first certificate in `pem` (openssl's form).
fn fingerprint(pem: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(pem).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The certificate the listener at `addr` presents (openssl s_client, no trust asked).
fn served_certificate(addr: &str) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["s_client", "-connect", addr, "-showcerts"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    out.stdout
}

/// The whole provided-CA scenario (see the module's docs) on `world`'s hosts, wiped first. `home`: the wizard's
/// (a store per cluster, so this cluster's is beside the scenario's).
pub fn a_provided_ca_cluster_from_openssl_files(world: &World, mirror: &super::Mirror, home: &Path, log: &mut String) {
    let t0 = Instant::now();
    wipe(world);
    let pki = home.join("operator-pki");
    std::fs::create_dir_all(&pki).unwrap();
    make_pki(world, &pki);
    let project = home.join("provided.toml");
    let p = project.to_str().unwrap();

    // Every bad certificate is refused naming the field, before any host is touched.
    let bad = [
        (("bad-san.pem", "h2.key"), "hosts[1].tls_cert", "does not name"),
        (("expired.pem", "h2.key"), "hosts[1].tls_cert", "not valid now"),
        (("h2.pem", "h3.key"), "hosts[1].tls_key", "does not belong"),
        (("foreign.pem", "h2.key"), "hosts[1].tls_cert", "not signed by security.ca_cert"),
    ];
    for (files, field, fragment) in bad {
        std::fs::write(&project, provided_project(world, mirror, &pki, Some(files))).unwrap();
        let (out, text) = run_wizard(home, &["deploy", p]);
        log.push_str(&text);
        assert!(!out.status.success(), "{files:?} refused:\n{text}");
        assert!(text.contains(field) && text.contains(fragment), "{files:?}: {field} {fragment}:\n{text}");
    }
    for h in world.hosts() {
        let untouched = world.ssh_ok(&h.name, "root", "ls -d /etc/kafka /var/lib/kafka /opt/kafka 2>/dev/null | wc -l");
        assert_eq!(untouched.trim(), "0", "{}: nothing made by a refused deploy", h.name);
    }
    assert!(!home.join("state/kafka-wizard/runs/e2e-provided").exists(), "no refused run began on the hosts");
    eprintln!(
        "MEASURE provided CA: openssl PKI made and 4 bad certificates refused: {:.1}s",
        t0.elapsed().as_secs_f64()
    );

    // The operator's files deploy a fresh secured cluster.
    std::fs::write(&project, provided_project(world, mirror, &pki, None)).unwrap();
    let t = Instant::now();
    deploy(world, home, log, p);
    eprintln!("MEASURE fresh 3-node KRaft deploy with a provided CA: {:.1}s", t.elapsed().as_secs_f64());
    let properties = world.ssh_ok("h1", "root", "cat /etc/kafka/server.properties");
    assert!(
        properties.contains("User:CN=h1,OU=e2e,O=Kafka Wizard Tests")
            && properties.contains("User:CN=h3,OU=e2e,O=Kafka Wizard Tests"),
        "the nodes' principals as Kafka names them are super users:\n{properties}"
    );
    for (i, h) in world.hosts().iter().enumerate() {
        let own = std::fs::read(pki.join(format!("{}.pem", h.name))).unwrap();
        let served = served_certificate(&format!("{}:9092", h.ip));
        assert_eq!(fingerprint(&served), fingerprint(&own), "{} serves the operator's certificate", h.name);
        let modes = world.ssh_ok(&h.name, "root", "stat -c '%U:%G %a' /etc/kafka/tls/node.pem");
        assert_eq!(modes.trim(), "root:kafka 640", "hosts[{i}]'s key");
    }
    let status = wizard(home, log, &["status", "--json", p]);
    let st: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(st["healthy"], true, "{st}");

    // kafka-python from client-config output only: the CA it is given is the operator's.
    let client = home.join("client-provided-admin");
    wizard(home, log, &["client-config", p, "--user", "admin", "--out", client.to_str().unwrap()]);
    assert_eq!(
        fingerprint(&std::fs::read(client.join("ca.pem")).unwrap()),
        fingerprint(&std::fs::read(pki.join("ca.pem")).unwrap()),
        "client-config hands out the provided CA"
    );
    let t = Instant::now();
    let out = checks::secure_client(&client.join("client.properties"), "provided-orders");
    let text = super::support::secure::text(&out);
    log.push_str(&text);
    assert!(out.status.success(), "secure_client.py failed:\n{text}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"produced": 20, "consumed": 20, "replicas": [3]}"#);
    eprintln!("MEASURE kafka-python client-config roundtrip (RF=3, provided CA): {:.1}s", t.elapsed().as_secs_f64());

    // A re-deploy changes nothing.
    let out = deploy(world, home, log, p);
    assert!(super::support::secure::text(&out).contains("no changes"), "a second deploy changes nothing");

    // Renaming the admin of the running cluster is refused before anything changes: no restart, the store as it was.
    let store_dir = home.join("data/kafka-wizard/secrets");
    let stores = |dir: &Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|f| (f.clone(), std::fs::read(f).unwrap()))
            .collect();
        all.sort();
        all
    };
    let before =
        (stores(&store_dir), world.ssh_ok("h1", "root", "systemctl show -p InvocationID --value kafka-server"));
    let text = std::fs::read_to_string(&project).unwrap().replace("admin_user = \"admin\"", "admin_user = \"ops\"");
    std::fs::write(&project, text).unwrap();
    for args in [&["deploy", p, "--dry-run"][..], &["deploy", p][..]] {
        let (out, text) = run_wizard(home, args);
        log.push_str(&text);
        assert!(!out.status.success(), "a renamed admin is refused:\n{text}");
        assert!(text.contains("security.admin_user: \"ops\" is not the admin"), "{text}");
        assert!(text.contains("Set admin_user back to \"admin\""), "{text}");
    }
    let after = (stores(&store_dir), world.ssh_ok("h1", "root", "systemctl show -p InvocationID --value kafka-server"));
    assert!(before == after, "the refused rename changed no store and restarted nothing");
    eprintln!("MEASURE provided-CA scenario in all: {:.1}s", t0.elapsed().as_secs_f64());
}
