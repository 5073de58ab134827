//! [`Mirror`]: `tests/world/mirror.py serve` — an Apache-shaped download mirror of the test world's releases on
//! 127.0.0.1 (and optionally the hosts' bridge), with faults to inject and a request log; killed on drop. Its
//! releases are signed with the test world's key (`.asc` beside each tarball, the key in `/kafka/KEYS`).

use super::http::{http_get, percent_encode};
use super::releases::Release;
use super::{run_script_ok, world_dir, GATEWAY_IP};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The test world's cache (`KW_CACHE` of `tests/world/lib.sh`).
const KW_CACHE: &str = "/var/cache/kafka-wizard-tests";

/// `tests/world/mirror.py serve` on 127.0.0.1 (and optionally the bridge address), killed on drop.
pub struct Mirror {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
    on_bridge: bool,
}

/// The GNUPGHOME of the test world's release-signing key (`tests/world/signing-key.sh`: made once, cached under
/// /var/cache/kafka-wizard-tests/signing-key/, beside its public key as a `KEYS` file).
pub fn signing_home() -> PathBuf {
    let out = run_script_ok("signing-key.sh", &[]);
    let home = PathBuf::from(out.lines().rev().map(str::trim).find(|l| l.starts_with('/')).unwrap_or(""));
    assert!(home.is_dir(), "signing-key.sh printed no GNUPGHOME: {out}");
    home
}

/// The test world's public signing key as a `KEYS` file (beside its GNUPGHOME).
pub fn signing_keys_file() -> PathBuf {
    signing_home().parent().expect("the signing key's directory").join("KEYS")
}

/// Trusts the test world's release-signing key in the trust store under `config_home` (what `XDG_CONFIG_HOME` of
/// the wizard or the app is), as `kafka-wizard trust import KEYS --yes` does: every deploy verifies the mirror's
/// signatures, and a test key is trusted only in a test's own configuration, never the user's.
pub fn trust_test_key(config_home: &Path) {
    use kafka_wizard::verify::signature::Keyring;
    use kafka_wizard::verify::trust_store::TrustStore;
    let keys = signing_keys_file();
    let text = std::fs::read_to_string(&keys).expect("the test world's KEYS");
    let ring = Keyring::from_armored(&text, &keys.display().to_string()).expect("the test world's key");
    let store = TrustStore::new(config_home.join("kafka-wizard/trusted-keys"));
    for key in ring.summaries() {
        store.import(&ring, &key.fingerprint).expect("trust the test world's key");
    }
}

/// A configuration home shared by this machine's end-to-end tests, trusting the test world's signing key
/// ([`trust_test_key`]): the `XDG_CONFIG_HOME` of every wizard they run.
pub fn trusting_config_home() -> PathBuf {
    let home = std::env::temp_dir().join("kafka-wizard-e2e-config");
    trust_test_key(&home);
    home
}

impl Mirror {
    /// Publish `releases` into a fresh mirror root and serve it on 127.0.0.1:<free port>.
    pub fn start(releases: &[&Release]) -> Mirror {
        Self::start_inner(releases, false)
    }

    /// Like `start`, and also listen on 10.77.0.1 so the hosts can download from it
    /// (needs a `World` up: the bridge must exist).
    pub fn start_on_bridge(releases: &[&Release]) -> Mirror {
        Self::start_inner(releases, true)
    }

    fn start_inner(releases: &[&Release], on_bridge: bool) -> Mirror {
        let root = tempfile::Builder::new().prefix("kw-mirror-").tempdir().expect("mirror root");
        let script = world_dir().join("mirror.py");
        let mut publish = Command::new("python3");
        publish.arg(&script).arg("publish").arg("--root").arg(root.path());
        // Signed like Apache's releases, with the test world's key (tests/world/signing-key.sh, cached).
        publish.arg("--sign-with").arg(signing_home());
        for r in releases {
            publish.arg(&r.tarball);
        }
        let out = publish.output().expect("run mirror.py publish");
        assert!(out.status.success(), "mirror.py publish: {}", String::from_utf8_lossy(&out.stderr));
        let mut serve = Command::new("python3");
        serve.arg(&script).args(["serve", "--port", "0", "--bind", "127.0.0.1"]);
        if on_bridge {
            serve.args(["--bind", GATEWAY_IP]);
        }
        let mut child = serve
            .arg("--root")
            .arg(root.path())
            .env("MIRROR_EXIT_WITH_PARENT", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn mirror.py serve");
        let mut stdout = child.stdout.take().expect("mirror stdout");
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        let port = line.strip_prefix("PORT=").and_then(|p| p.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mirror.py serve did not print its port (got {line:?})");
        };
        Mirror { child, port, root, on_bridge }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>` — what the wizard in the main namespace is pointed at.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://10.77.0.1:<port>` when started with `start_on_bridge`.
    pub fn bridge_url(&self) -> Option<String> {
        self.on_bridge.then(|| format!("http://{GATEWAY_IP}:{}", self.port))
    }

    /// The mirror's root directory (`<root>/kafka/<v>/...`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Serve the Prometheus JMX exporter jar the catalog pins under `/maven2` in Maven's layout (from the test
    /// world's Maven cache, where `tests/world/prepare.sh` put it) and return that repository's base URL — the
    /// project's `monitoring.maven_url`, so the tests need no Maven Central.
    pub fn serve_java_agent(&self) -> String {
        let agent = kafka_wizard::catalog::agent::JMX_EXPORTER;
        let relative = agent.url_in("").trim_start_matches('/').to_string();
        let cached = Path::new(KW_CACHE).join("m2").join(&relative);
        assert!(
            cached.is_file(),
            "{} is missing: run tests/world/prepare.sh (it fetches the exporter jar)",
            cached.display()
        );
        let served = self.root.path().join("maven2").join(&relative);
        std::fs::create_dir_all(served.parent().unwrap()).unwrap();
        std::fs::copy(&cached, &served).unwrap();
        format!("{}/maven2", self.base_url())
    }

    /// Make requests for `path` fail: `corrupt`, `404`, `slow:BPS`, `interrupt:K`, `none`;
    /// append `@N` to apply it to the next N requests only.
    pub fn set_fault(&self, path: &str, mode: &str) {
        let url =
            format!("{}/_mirror/fault?path={}&mode={}", self.base_url(), percent_encode(path), percent_encode(mode));
        let r = http_get(&url, &[]).expect("mirror control request");
        assert_eq!(r.status, 200, "set_fault({path}, {mode}): {}", String::from_utf8_lossy(&r.body));
    }

    pub fn clear_faults(&self) {
        let r = http_get(&format!("{}/_mirror/clear", self.base_url()), &[]).expect("mirror control request");
        assert_eq!(r.status, 200);
    }

    /// JSON: `{"faults": {...}, "log": [{"method","path","range","status","fault"}...]}`.
    pub fn request_log(&self) -> String {
        let r = http_get(&format!("{}/_mirror/log", self.base_url()), &[]).expect("mirror control request");
        String::from_utf8_lossy(&r.body).into_owned()
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
