//! Issue 10 (app): Manage's Rotate CA… in the real window, on the cluster the test installed (no new deploy). The
//! preview read from the hosts shows the three passes, each naming every Kafka node with work to do; the
//! confirmation names the project and the nodes; the run ends "CA rotated" with the cluster healthy. Proven from
//! outside the app: before, every broker's TLS certificate verifies (`openssl s_client`) against the CA file Client
//! config… wrote; after, every broker verifies against the new CA file a Client config… written now holds (one
//! certificate, the fingerprint Manage now shows) and refuses the old one, and kafka-python built from that new
//! client.properties creates an RF=3 topic, produces and consumes.

use kafka_wizard_app_e2e::file_chooser::FileChooser;
use kafka_wizard_app_e2e::{choose, click, css, shot, wait_text};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::world::World;

/// A pass of the preview as shown: its phase, and per node (host, class, text).
type ShownPass = (String, Vec<(String, String, String)>);

/// The rotation's passes in the engine's order (`plan::rotate_ca`).
const PASSES: [&str; 3] = ["ca-trust-both", "ca-new-certificates", "ca-drop-old"];

/// Whether `broker`'s TLS certificate chains to a CA of `ca_file` (`openssl s_client -verify_return_error`: the
/// handshake fails otherwise); the second value is what openssl said.
fn verifies(broker: &str, ca_file: &Path) -> (bool, String) {
    let out = Command::new("timeout")
        .args(["20", "openssl", "s_client", "-brief", "-verify_return_error", "-connect", broker, "-CAfile"])
        .arg(ca_file)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("openssl runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && said.contains("Verification: OK"), said)
}

fn fingerprint(ca_pem: &Path) -> String {
    let pem = std::fs::read_to_string(ca_pem).unwrap();
    kafka_wizard::security::pki::inspect_certificate(&pem, "ca").unwrap().sha256_fingerprint
}

/// Client config… for `user` into `out` (GTK's folder chooser answered); returns client.properties once written.
async fn client_config(c: &fantoccini::Client, user: &str, out: &Path) -> PathBuf {
    choose(c, "#client-config-user", user).await;
    click(c, "#client-config").await;
    FileChooser::shown(&format!("Folder for the client configuration of {user}")).await.choose(out).await;
    wait_text(c, "#client-config-result", "client.properties", Duration::from_secs(10)).await;
    out.join("client.properties")
}

/// Rotate CA… from Manage; `old_ca`: the ca.pem Client config… wrote before.
pub async fn rotate_ca_from_manage(c: &fantoccini::Client, world: &World, dir: &Path, old_ca: &Path) {
    let t_all = Instant::now();
    let brokers: Vec<String> = world.hosts().iter().map(|h| format!("{}:9092", h.ip)).collect();
    for broker in &brokers {
        let (ok, said) = verifies(broker, old_ca);
        assert!(ok, "{broker} does not verify against the installed CA before the rotation:\n{said}");
    }
    let old_fingerprint = fingerprint(old_ca);

    // The preview: three passes, every node with work in each; nothing else would change.
    let t_plan = Instant::now();
    click(c, "#op-rotate-ca").await;
    let what = wait_text(c, "#rotate-ca-what", "", Duration::from_secs(60)).await;
    let plan_secs = t_plan.elapsed().as_secs_f64();
    assert!(what.contains("each of the 3 Kafka node(s) is restarted three times"), "{what}");
    let js = "return [...document.querySelectorAll('#rotate-ca li[data-pass]')].map((li) => [li.dataset.pass, \
              [...li.querySelectorAll('li[data-node]')].map((n) => [n.dataset.node, n.className, n.textContent])])";
    let passes: Vec<ShownPass> = serde_json::from_value(c.execute(js, vec![]).await.unwrap()).unwrap();
    assert_eq!(passes.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), PASSES, "{passes:?}");
    for (pass, nodes) in &passes {
        let hosts: Vec<&str> = nodes.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(hosts, ["h1", "h2", "h3"], "{pass}: {nodes:?}");
        assert!(nodes.iter().all(|n| n.1 != "muted"), "{pass}: every node has work to do: {nodes:?}");
    }
    assert!(c.find(fantoccini::Locator::Css("#rotate-ca-other")).await.is_err(), "no other change rides along");
    let section = vec![serde_json::to_value(css(c, "#rotate-ca").await).unwrap()];
    c.execute("arguments[0].scrollIntoView({block: 'start'})", section).await.unwrap();
    shot(c, "7-manage-rotate-ca-plan").await;

    // Rotate now → the confirmation → the run.
    let t0 = Instant::now();
    click(c, "#rotate-ca-run").await;
    let question = wait_text(c, ".overlay .dialog p", "Rotate the CA of app-kraft?", Duration::from_secs(5)).await;
    assert!(question.contains("Each of the 3 Kafka node(s) is restarted three times"), "{question}");
    shot(c, "7-manage-rotate-ca-confirm").await;
    click(c, "#dialog-yes").await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    shot(c, "7-manage-rotate-ca-running").await;
    let result = wait_text(c, "#op-result", "", Duration::from_secs(900)).await;
    let rotate_secs = t0.elapsed().as_secs_f64();
    shot(c, "7-manage-rotate-ca-done").await;
    assert!(result.contains("CA rotated"), "{result}");
    wait_text(c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;

    // Manage shows the new CA; Client config… now writes it alone.
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        // read afresh each time: a status read redraws Manage, and a node found just before is then stale
        let now = css(c, "#ca-info").await.attr("data-fingerprint").await.ok().flatten().unwrap_or_default();
        if !now.is_empty() && now != old_fingerprint {
            break now;
        }
        assert!(Instant::now() < deadline, "Manage still shows the old CA {old_fingerprint}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let out = dir.join("admin-client-rotated");
    let properties = client_config(c, "admin", &out).await;
    let new_ca = out.join("ca.pem");
    let pem = std::fs::read_to_string(&new_ca).unwrap();
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1, "after the rotation ca.pem holds the new CA alone");
    assert_eq!(fingerprint(&new_ca), shown, "Manage shows the CA Client config… writes");

    // Every broker: the new CA verifies it, the old CA file is refused.
    for broker in &brokers {
        let (ok, said) = verifies(broker, &new_ca);
        assert!(ok, "{broker} does not verify against the new CA:\n{said}");
        let (ok, said) = verifies(broker, old_ca);
        assert!(!ok, "{broker} still verifies against the old CA:\n{said}");
    }

    // A third-party client from the new client.properties: an RF=3 topic, 20 records produced and consumed.
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh", python.display());
    let client = Command::new(python)
        .arg(kafka_wizard_app_e2e::workspace().join("tests/world/secure_client.py"))
        .args(["--properties", properties.to_str().unwrap(), "after-app-rotation"])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&client.stdout), String::from_utf8_lossy(&client.stderr));
    assert!(client.status.success() && said.contains(r#""consumed": 20"#), "after the rotation:\n{said}");
    eprintln!(
        "MEASURE app Rotate CA… of 3 KRaft nodes: preview {plan_secs:.1}s, rotation {rotate_secs:.1}s from the click \
         on Rotate now to its result; then every broker verified against the new CA only, kafka-python {}; \
         {:.1}s in all with the checks",
        said.trim(),
        t_all.elapsed().as_secs_f64()
    );
}
