//! Golden tests: each project in `tests/fixtures/*.toml` exports exactly the files under `tests/golden/<name>/`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the expected files after an intended change, then review the diff.

use kafka_wizard::{export, project};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn files_under(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn check_fixture(fixture: &Path) {
    let name = fixture.file_stem().unwrap().to_string_lossy().into_owned();
    let loaded = project::load(fixture).unwrap();
    let spec = loaded.validation.spec.unwrap_or_else(|| panic!("{name} is invalid: {:?}", loaded.validation.problems));
    let entries = export::entries(&spec).unwrap();
    let golden = Path::new("tests/golden").join(&name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        for e in &entries {
            let path = golden.join(&e.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &e.content).unwrap();
        }
    }
    let expected = files_under(&golden);
    let actual: BTreeSet<String> = entries.iter().map(|e| e.path.clone()).collect();
    assert_eq!(actual, expected, "{name}: the set of exported files differs from tests/golden/{name}");
    for e in &entries {
        let want = std::fs::read_to_string(golden.join(&e.path)).unwrap();
        assert!(
            want == e.content,
            "{name}: {} differs from the golden file:\n--- expected\n{want}\n--- actual\n{}",
            e.path,
            e.content
        );
    }
}

#[test]
fn every_fixture_exports_exactly_its_golden_files() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 4, "fixtures missing");
    for f in fixtures {
        check_fixture(&f);
    }
}

#[test]
fn the_guides_cluster_has_one_chroot_and_no_spaces_in_zookeeper_connect() {
    let spec = project::load(Path::new("tests/fixtures/seed-cluster.toml")).unwrap().validation.spec.unwrap();
    let entries = export::entries(&spec).unwrap();
    let connects: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.path.ends_with("/etc/kafka/server.properties"))
        .flat_map(|e| {
            e.content.lines().filter(|l| l.starts_with("zookeeper.connect=")).map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        connects.into_iter().collect::<Vec<_>>(),
        ["zookeeper.connect=peter-zk001:2181,peter-zk002:2181,peter-zk003:2181/peter-kafka"],
        "all three brokers must share one connect string"
    );
    for e in &entries {
        for line in e.content.lines().filter(|l| !l.starts_with('#')) {
            if let Some(v) = line.strip_prefix("log.dirs=") {
                assert_eq!(v, "/data1,/data2");
            }
            if let Some(exec) = line.strip_prefix("ExecStart=") {
                assert!(!exec.contains("-daemon"), "{exec}");
            }
            assert!(line != "User=root" && line != "Restart=no", "{}: {line}", e.path);
        }
    }
}

#[test]
fn kraft_voters_list_every_controller_and_only_controllers_listen_on_the_controller_port() {
    let spec = project::load(Path::new("tests/fixtures/kraft-dedicated.toml")).unwrap().validation.spec.unwrap();
    let entries = export::entries(&spec).unwrap();
    for e in entries.iter().filter(|e| e.path.ends_with("server.properties")) {
        assert!(
            e.content.contains("controller.quorum.voters=101@10.1.0.11:9093,102@10.1.0.12:9093,103@10.1.0.13:9093\n"),
            "{}",
            e.path
        );
        let is_controller = e.path.starts_with("ctrl");
        assert_eq!(e.content.contains("CONTROLLER://0.0.0.0:9093"), is_controller, "{}", e.path);
        assert_eq!(e.content.contains("inter.broker.listener.name=PLAINTEXT"), !is_controller, "{}", e.path);
    }
}

/// A secured fixture's files as deploy writes them — secret values from a secrets store's material (fixed test
/// values here) — match `tests/golden/<fixture>-material/`; export (above) has placeholders instead, and no test
/// secret appears in any exported file.
fn check_secured_files_from_material(fixture: &str) {
    use kafka_wizard::security::{store::SecretMaterial, Secret};
    let spec = project::load(Path::new(&format!("tests/fixtures/{fixture}.toml"))).unwrap().validation.spec.unwrap();
    let security = spec.security.clone().unwrap();
    let material = SecretMaterial {
        ca_cert: "-----BEGIN CERTIFICATE-----\nTEST-CA\n-----END CERTIFICATE-----\n".into(),
        keystores: spec
            .hosts
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    Secret::new(format!(
                        "-----BEGIN PRIVATE KEY-----\nTEST-KEY-OF-{}\n-----END PRIVATE KEY-----\n",
                        h.name
                    )),
                )
            })
            .collect(),
        passwords: security
            .scram_users()
            .iter()
            .map(|u| (u.to_string(), Secret::new(format!("TESTPASSWORD{}", u.replace('-', "")))))
            .collect(),
        zookeeper: kafka_wizard::security::store::zookeeper_logins(&spec)
            .iter()
            .map(|l| (l.to_string(), Secret::new(format!("TESTZOOKEEPER{l}"))))
            .collect(),
    };
    let golden = Path::new("tests/golden").join(format!("{fixture}-material"));
    let mut expected_paths = BTreeSet::new();
    for host in &spec.hosts {
        for f in kafka_wizard::render::render_host_with(&spec, host, Some(&material)) {
            let is_security = f.secret || f.path.contains("/tls/") || f.path.ends_with(".env");
            if !is_security {
                continue;
            }
            let path = golden.join(host.name.as_str()).join(f.path.trim_start_matches('/'));
            if std::env::var_os("UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &f.content).unwrap();
            }
            assert_eq!(std::fs::read_to_string(&path).unwrap(), f.content, "{}", path.display());
            expected_paths.insert(path.strip_prefix(&golden).unwrap().to_string_lossy().into_owned());
        }
    }
    assert_eq!(files_under(&golden), expected_paths);
    for e in export::entries(&spec).unwrap() {
        assert!(!e.content.contains("TEST"), "{} holds a test secret", e.path);
    }
}

#[test]
fn a_secured_cluster_renders_its_tls_and_jaas_files_from_the_store_material() {
    check_secured_files_from_material("kraft-secure");
}

#[test]
fn a_secured_zookeeper_mode_cluster_renders_its_tls_and_both_jaas_files_from_the_store_material() {
    check_secured_files_from_material("zookeeper-secure");
}
