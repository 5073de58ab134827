//! The `kafka-wizard` binary as users run it: exit codes, messages on stderr, files written.

use std::path::Path;
use std::process::{Command, Output};

fn wizard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-wizard")).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_accepts_the_guides_cluster_with_exit_zero() {
    let o = wizard(&["validate", "tests/fixtures/seed-cluster.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("valid"));
}

#[test]
fn validate_prints_one_line_per_problem_naming_the_field_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    let text = std::fs::read_to_string("tests/fixtures/seed-cluster.toml")
        .unwrap()
        .replace("id = 2\n", "id = 1\n")
        .replace("data_dirs = [\"/data1\", \"/data2\"]", "data_dirs = [\"/data1\", \"data2\"]");
    std::fs::write(&file, text).unwrap();
    let o = wizard(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error: hosts[4].id: 1 is also the id of hosts[3]"), "{err}");
    assert!(err.contains("error: kafka.data_dirs[1]:"), "{err}");
}

#[test]
fn validate_json_reports_warnings_and_validity() {
    let o = wizard(&["validate", "--json", "tests/fixtures/mixed-zookeeper.toml"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], true);
    let problems = v["problems"].as_array().unwrap();
    assert!(problems.iter().all(|p| p["severity"] == "warning"), "{problems:?}");
    for field in ["hosts[0].roles", "security"] {
        assert!(problems.iter().any(|p| p["field"] == field), "{field}: {problems:?}");
    }
}

#[test]
fn validate_names_an_unknown_key_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.toml");
    let text = std::fs::read_to_string("tests/fixtures/seed-cluster.toml").unwrap().replace("chroot =", "chroots =");
    std::fs::write(&file, text).unwrap();
    let o = wizard(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("zookeeper.chroots: unknown key"), "{}", stderr(&o));
}

#[test]
fn export_writes_the_same_files_as_the_golden_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let unit = std::fs::read_to_string(out.join("peter-kafka001/etc/systemd/system/kafka-server.service")).unwrap();
    let golden =
        std::fs::read_to_string("tests/golden/seed-cluster/peter-kafka001/etc/systemd/system/kafka-server.service")
            .unwrap();
    assert_eq!(unit, golden);
    assert!(out.join("peter-zk002/var/lib/zookeeper/myid").exists());
    assert!(out.join("INDEX.md").exists());
}

#[test]
fn export_refuses_a_folder_that_is_not_empty_and_replaces_an_earlier_export_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
    let target = dir.path().to_str().unwrap();
    let o = wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", target]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    let o = wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", target, "--force"]);
    assert_eq!(o.status.code(), Some(1), "a folder export did not write must never be replaced");
    assert!(dir.path().join("precious.txt").exists());

    let out = dir.path().join("export");
    let out = out.to_str().unwrap();
    assert!(wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", out]).status.success());
    assert_eq!(wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", out]).status.code(), Some(1));
    assert!(wizard(&["export", "tests/fixtures/seed-cluster.toml", "--out", out, "--force"]).status.success());
}

#[test]
fn export_zip_holds_the_same_entries_as_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("cluster");
    let o = wizard(&["export", "tests/fixtures/kraft-dedicated.toml", "--out", zip_path.to_str().unwrap(), "--zip"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = std::fs::File::open(dir.path().join("cluster.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut names: Vec<String> = (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().to_string()).collect();
    names.sort();
    assert!(names.contains(&"INDEX.md".to_string()));
    assert!(names.contains(&"broker2/etc/kafka/server.properties".to_string()));
    let mut content = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("ctrl3/etc/kafka/server.properties").unwrap(), &mut content)
        .unwrap();
    assert_eq!(
        content,
        std::fs::read_to_string("tests/golden/kraft-dedicated/ctrl3/etc/kafka/server.properties").unwrap()
    );
}

#[test]
fn export_zip_refuses_an_existing_file_and_with_force_replaces_only_an_earlier_export_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("cluster.zip");
    let out = zip_path.to_str().unwrap();
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "tests/fixtures/seed-cluster.toml", "--out", out, "--zip"];
        args.extend(extra);
        wizard(&args)
    };
    assert!(export(&[]).status.success());
    let o = export(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(export(&["--force"]).status.success(), "an earlier export's zip is replaced with --force");
    std::fs::write(&zip_path, "not an export").unwrap();
    let o = export(&["--force"]);
    assert_eq!(o.status.code(), Some(1), "a file export did not write must never be replaced");
    assert!(stderr(&o).contains("not a zip archive written by kafka-wizard export"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&zip_path).unwrap(), "not an export");
}

#[test]
fn export_writes_placeholders_for_secrets_and_the_real_files_0600_only_with_include_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("secure.toml");
    std::fs::copy("tests/fixtures/kraft-secure.toml", &project).unwrap();
    let spec = kafka_wizard::project::load(&project).unwrap().validation.spec.unwrap();
    let store =
        kafka_wizard::security::store::SecretsStore::in_dir(&dir.path().join("data/kafka-wizard/secrets"), &spec);
    let (material, _) = store.ensure(&spec, spec.security.as_ref().unwrap()).unwrap();
    let export = |out: &str, extra: &[&str]| {
        let mut args = vec!["export", project.to_str().unwrap(), "--out", out];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
            .args(&args)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .output()
            .unwrap()
    };
    let secrets: Vec<String> = material.passwords.values().map(|p| p.expose().to_string()).collect();
    let node = "secure1.example.com/etc/kafka/tls/node.pem";
    let jaas = "secure1.example.com/etc/kafka/kafka-server-jaas.conf";
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let plain = dir.path().join("plain");
    let o = export(plain.to_str().unwrap(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("holds secrets"), "{}", stderr(&o));
    let placeholder = std::fs::read_to_string(plain.join(node)).unwrap();
    assert!(placeholder.contains("kafka-wizard export --include-secrets"), "{placeholder}");
    for entry in walkdir(&plain) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(!text.contains("PRIVATE KEY-----"), "{} holds a key", entry.display());
        assert!(!secrets.iter().any(|s| text.contains(s.as_str())), "{} holds a password", entry.display());
    }

    let real = dir.path().join("real");
    let o = export(real.to_str().unwrap(), &["--include-secrets"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("now holds secrets"), "{}", stderr(&o));
    assert!(!secrets.iter().any(|s| stderr(&o).contains(s.as_str())));
    assert_eq!(std::fs::read_to_string(real.join(node)).unwrap(), material.keystores["secure1.example.com"].expose());
    assert!(std::fs::read_to_string(real.join(jaas)).unwrap().contains(material.password("kafka-broker")));
    assert_eq!((mode(&real.join(node)), mode(&real.join(jaas)), mode(&real)), (0o600, 0o600, 0o700));

    let zip_path = dir.path().join("real.zip");
    let o = export(zip_path.to_str().unwrap(), &["--zip", "--include-secrets"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&zip_path), 0o600);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    assert_eq!(archive.by_name(node).unwrap().unix_mode().map(|m| m & 0o777), Some(0o600));
    assert_eq!(archive.by_name("INDEX.md").unwrap().unix_mode().map(|m| m & 0o777), Some(0o644));
}

/// Every file under `dir`.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_kraft_cluster_id_is_generated_once_and_kept_in_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kraft.toml");
    std::fs::copy("examples/kraft-cluster.toml", &file).unwrap();
    let f = file.to_str().unwrap();
    let o = wizard(&["export", f, "--out", dir.path().join("a").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("generated KRaft cluster id"));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.starts_with("# A KRaft cluster"), "comments are kept");
    let id_line = saved.lines().find(|l| l.starts_with("cluster_id = ")).unwrap().to_string();

    let o = wizard(&["export", f, "--out", dir.path().join("b").to_str().unwrap()]);
    assert!(!stderr(&o).contains("generated"), "the second run must reuse the id");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);
    let id = id_line.split('"').nth(1).unwrap();
    let props = std::fs::read_to_string(dir.path().join("b/INDEX.md")).unwrap();
    assert!(props.contains(id));

    // Another project gets another id: never a deterministic one.
    let other = dir.path().join("other.toml");
    std::fs::copy("examples/kraft-cluster.toml", &other).unwrap();
    wizard(&["plan", other.to_str().unwrap()]);
    let other_text = std::fs::read_to_string(&other).unwrap();
    assert!(!other_text.contains(id));
}

#[test]
fn plan_lists_every_phase_in_start_order() {
    let o = wizard(&["plan", "tests/fixtures/seed-cluster.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let zk = out.find("Start the ZooKeeper ensemble").unwrap();
    let brokers = out.find("Start the brokers").unwrap();
    assert!(zk < brokers);
    assert!(out.contains("write /etc/kafka/server.properties"));
    let json = wizard(&["plan", "--json", "tests/fixtures/kraft-dedicated.toml"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let names: Vec<&str> = v["phases"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["fetch", "prepare", "install", "configure", "register", "start-controllers", "start-brokers"]);
}

#[test]
fn versions_lists_the_catalog_and_marks_withdrawn_releases() {
    let o = wizard(&["versions"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("3.3.0") && l.contains("WITHDRAWN")));
    let json = wizard(&["versions", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let r400 = v.as_array().unwrap().iter().find(|r| r["version"] == "4.0.0").unwrap();
    assert_eq!(r400["scala"], serde_json::json!(["2.13"]));
    assert_eq!(
        r400["downloads"]["2.13"]["sha512"][0],
        "https://archive.apache.org/dist/kafka/4.0.0/kafka_2.13-4.0.0.tgz.sha512"
    );
}

#[test]
fn a_missing_project_file_is_reported_with_its_path() {
    let o = wizard(&["validate", "no/such/file.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/file.toml"));
    assert!(!Path::new("no").exists());
}

#[test]
fn a_local_host_is_probed_without_ssh_and_needs_systemd() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("local.toml");
    let data = dir.path().join("data");
    std::fs::write(
        &file,
        format!(
            "format = 1\nname = \"here\"\n[kafka]\nversion = \"4.1.1\"\ndata_dirs = [\"{}\"]\n[kraft]\ncluster_id = \"q2nNPvlTSGmhSmxqXwJ5Ag\"\n\
             [[hosts]]\nname = \"localhost\"\nconnection = \"local\"\nroles = [\"broker\", \"controller\"]\nid = 1\n",
            data.display()
        ),
    )
    .unwrap();
    let o = wizard(&["deploy", "--dry-run", file.to_str().unwrap()]);
    if Path::new("/run/systemd/system").exists() {
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("localhost"), "{}", stdout(&o));
    } else {
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("localhost: probe facts: systemd is not running on this host"), "{}", stderr(&o));
    }
    assert!(!data.exists(), "a dry run changes nothing");
}

#[test]
fn an_unknown_limit_host_is_refused_with_exit_two_naming_the_known_hosts_before_any_host_is_contacted() {
    // The fixture's hosts do not resolve here: contacting one would fail differently (exit 1, a connect error).
    for verb in [&["stop"][..], &["deploy", "--dry-run"], &["status"]] {
        let mut args = verb.to_vec();
        args.extend(["--limit", "peter-kafka001,kafka9", "tests/fixtures/seed-cluster.toml"]);
        let o = wizard(&args);
        assert_eq!(o.status.code(), Some(2), "{verb:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(
                "error: --limit: unknown host(s) kafka9; the project's hosts are peter-zk001, peter-zk002, \
                 peter-zk003, peter-kafka001, peter-kafka002, peter-kafka003"
            ),
            "{verb:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn smoke_on_a_cluster_no_broker_of_which_answers_fails_naming_each_and_creates_nothing() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("down.toml");
    let hosts: String = (1..=3)
        .map(|i| format!("\n[[hosts]]\nname = \"b{i}\"\naddress = \"127.0.0.{i}\"\nroles = [\"broker\"]\nid = {i}\n"))
        .collect();
    let text = format!(
        "format = 1\nname = \"down\"\n[kafka]\nversion = \"3.9.1\"\nmode = \"zookeeper\"\nlistener_port = {port}\n\
         [zookeeper]\nexternal = [\"127.0.0.1:2181\"]\n{hosts}"
    );
    std::fs::write(&file, text).unwrap();
    let o = wizard(&["smoke", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((&r["passed"], &r["cleanup"]["state"]), (&false.into(), &"not_created".into()), "{r}");
    let failure = r["failures"][0].as_str().unwrap();
    assert!(failure.starts_with("no broker answered: b1: cannot connect to 127.0.0.1:"), "{failure}");
    assert!(failure.contains("; b3: "), "{failure}");
    assert_eq!((&r["replication_factor"], &r["min_insync_replicas"]), (&3.into(), &2.into()), "the cluster's defaults");
}

#[test]
fn version_names_the_crate_version_the_commit_and_the_build_date() {
    let o = wizard(&["--version"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rest = out
        .trim()
        .strip_prefix(concat!("kafka-wizard ", env!("CARGO_PKG_VERSION"), " ("))
        .unwrap_or_else(|| panic!("{out}"));
    let (commit, date) = rest.strip_suffix(')').and_then(|r| r.split_once(' ')).unwrap_or_else(|| panic!("{out}"));
    let hash = commit.strip_suffix("-dirty").unwrap_or(commit);
    assert!(hash == "unknown" || (hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit())), "{out}");
    let digits: Vec<&str> = date.split('-').collect();
    assert!(date == "unknown" || (digits.len() == 3 && digits.iter().all(|d| d.parse::<u16>().is_ok())), "{out}");
}

#[test]
fn bash_completions_load_in_bash_and_register_the_command() {
    let script =
        format!("source <({:?} completions bash) && complete -p kafka-wizard", env!("CARGO_BIN_EXE_kafka-wizard"));
    let o = Command::new("bash").args(["-c", &script]).output().expect("bash");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("kafka-wizard"), "{}", stdout(&o));
}

#[test]
fn zsh_and_fish_completions_name_the_subcommands() {
    for shell in ["zsh", "fish"] {
        let o = wizard(&["completions", shell]);
        assert!(o.status.success(), "{}", stderr(&o));
        for verb in ["deploy", "versions", "completions"] {
            assert!(stdout(&o).contains(verb), "{shell} completions lack {verb}");
        }
    }
    assert_eq!(wizard(&["completions", "powershell"]).status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_that_man_renders_with_every_subcommand() {
    let o = wizard(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.lines().any(|l| l.starts_with(".TH kafka-wizard 1")), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kafka-wizard.1");
    std::fs::write(&file, &page).unwrap();
    let rendered = Command::new("man").arg("-l").arg(&file).env("MANWIDTH", "100").env("MANPAGER", "cat").output();
    let rendered = match rendered {
        Ok(r) if r.status.success() => r,
        _ => {
            eprintln!("man is not installed: checked the roff header only");
            return;
        }
    };
    let text = stdout(&rendered);
    for part in ["NAME", "SYNOPSIS", "deploy", "versions", "completions"] {
        assert!(text.contains(part), "the rendered page lacks {part}: {text}");
    }
}

#[test]
fn a_deploy_whose_host_is_unreachable_fails_fast_and_leaves_a_private_run_log_naming_the_failure() {
    use std::os::unix::fs::PermissionsExt;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("down.toml");
    std::fs::write(
        &file,
        format!(
            "format = 1\nname = \"down\"\n[kafka]\nversion = \"4.1.1\"\n[kraft]\ncluster_id = \"q2nNPvlTSGmhSmxqXwJ5Ag\"\n\
             [ssh]\nport = {port}\n[[hosts]]\nname = \"h1\"\naddress = \"127.0.0.1\"\nroles = [\"broker\", \"controller\"]\nid = 1\n"
        ),
    )
    .unwrap();
    let state = dir.path().join("state");
    let o = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["deploy", file.to_str().unwrap()])
        .env("XDG_STATE_HOME", &state)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap();
    let path = Path::new(last.strip_prefix("run log: ").unwrap_or_else(|| panic!("the path is printed last: {err}")));
    assert!(path.starts_with(state.join("kafka-wizard/runs/down")), "{last}");
    assert!(path.file_name().unwrap().to_str().unwrap().ends_with("Z-deploy.jsonl"), "{last}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(path.parent().unwrap()), mode(path)), (0o700, 0o600));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let end = lines.last().unwrap();
    assert_eq!(
        (&end["event"], &end["verb"], &end["result"]),
        (&"run_finished".into(), &"deploy".into(), &"failed".into())
    );
    assert!(end["error"].as_str().unwrap().contains(&format!("h1: cannot connect to 127.0.0.1:{port}")), "{end}");

    // A dry run changes nothing and keeps no log.
    let o = Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["deploy", "--dry-run", file.to_str().unwrap()])
        .env("XDG_STATE_HOME", &state)
        .output()
        .unwrap();
    assert!(!stderr(&o).contains("run log:"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
}

/// `kafka-wizard` with its config directory (the trust store's home) in `config`.
fn wizard_with_config(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// An armored public key made here (Ed25519), and its fingerprint as the wizard writes it.
fn new_public_key(uid: &str) -> (String, String) {
    use pgp::composed::{ArmorOptions, KeyType, SecretKeyParamsBuilder};
    use pgp::types::KeyDetails;
    let mut params = SecretKeyParamsBuilder::default();
    params.key_type(KeyType::Ed25519Legacy).can_certify(true).can_sign(true).primary_user_id(uid.into());
    let key = params.build().unwrap().generate(rand::thread_rng()).unwrap();
    let fpr = hex::encode_upper(key.fingerprint().as_bytes());
    (key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap(), fpr)
}

#[test]
fn trust_import_shows_each_fingerprint_and_without_a_terminal_imports_only_with_yes() {
    use std::os::unix::fs::PermissionsExt;
    let config = tempfile::tempdir().unwrap();
    let (a, fpr_a) = new_public_key("Release Manager <rm@example.org>");
    let (b, fpr_b) = new_public_key("Other <o@example.org>");
    let keys = config.path().join("KEYS");
    std::fs::write(&keys, format!("pub   ed25519 [SC]\nuid   Release Manager\n{a}\n\n{b}\n")).unwrap();
    let keys = keys.to_str().unwrap();

    let o = wizard_with_config(config.path(), &["trust", "import", keys]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2 key(s) in") && err.contains("Release Manager <rm@example.org>"), "{err}");
    assert!(err.contains(&fpr_a[..4]) && err.contains("run again with --yes"), "{err}");
    let store = config.path().join("kafka-wizard/trusted-keys");
    assert!(!store.exists(), "nothing is imported without a confirmation");

    let o = wizard_with_config(config.path(), &["trust", "import", keys, "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for fpr in [&fpr_a, &fpr_b] {
        assert!(stdout(&o).contains(&format!("trusted {fpr}")), "{}", stdout(&o));
        let file = store.join(format!("{fpr}.asc"));
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o700);

    let o = wizard_with_config(config.path(), &["trust", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("{fpr_a}  Release Manager <rm@example.org>")), "{out}");
    assert!(
        out.contains("D3DF932A03037580D5453F498060FC0DA962AFE5  Mickael Maison"),
        "the pinned keys are listed: {out}"
    );
    let o = wizard_with_config(config.path(), &["trust", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["trusted"].as_array().unwrap().len(), 2);
    assert!(!v["pinned"].as_array().unwrap().is_empty());
}

#[test]
fn trust_remove_forgets_an_imported_key_and_refuses_a_pinned_one_or_a_key_id() {
    let config = tempfile::tempdir().unwrap();
    let (a, fpr) = new_public_key("RM <rm@example.org>");
    let file = config.path().join("a.asc");
    std::fs::write(&file, a).unwrap();
    let o = wizard_with_config(config.path(), &["trust", "import", file.to_str().unwrap(), "--yes"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Written as gpg prints it: groups of four, lower case.
    let spaced: String =
        fpr.to_lowercase().as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ");
    let o = wizard_with_config(config.path(), &["trust", "remove", &spaced]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("no longer trusted: {fpr}")), "{}", stdout(&o));
    let o = wizard_with_config(config.path(), &["trust", "list"]);
    assert!(stdout(&o).contains("none"), "{}", stdout(&o));

    let o = wizard_with_config(config.path(), &["trust", "remove", &fpr]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a trusted key"), "{}", stderr(&o));
    let o = wizard_with_config(config.path(), &["trust", "remove", "D3DF932A03037580D5453F498060FC0DA962AFE5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("built-in key of Apache Kafka release manager Mickael Maison"), "{}", stderr(&o));
    let o = wizard_with_config(config.path(), &["trust", "remove", "8060FC0DA962AFE5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a 16-digit key id is not enough"), "{}", stderr(&o));
}

#[test]
fn trust_import_of_a_file_without_keys_names_the_file_and_changes_nothing() {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("KEYS.html");
    std::fs::write(&file, "<html>404 Not Found</html>").unwrap();
    let o = wizard_with_config(config.path(), &["trust", "import", file.to_str().unwrap(), "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("KEYS.html: no OpenPGP public key"), "{}", stderr(&o));
    assert!(!config.path().join("kafka-wizard").exists());
}

#[test]
fn trust_import_of_an_endless_file_is_refused_after_sixteen_mib_and_changes_nothing() {
    let config = tempfile::tempdir().unwrap();
    let o = wizard_with_config(config.path(), &["trust", "import", "/dev/zero", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/dev/zero: larger than 16 MiB"), "{}", stderr(&o));
    assert!(!config.path().join("kafka-wizard").exists());
}

#[test]
fn preflight_shows_each_hosts_effective_ssh_settings_and_a_dead_jump_host_is_named() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("behind.toml");
    std::fs::write(
        &file,
        format!(
            "format = 1\nname = \"behind\"\n[kafka]\nversion = \"4.1.1\"\n[kraft]\ncluster_id = \"q2nNPvlTSGmhSmxqXwJ5Ag\"\n\
             [ssh]\nuser = \"deploy\"\njump = \"ops@127.0.0.1:{port}\"\nknown_hosts = \"/nonexistent/known_hosts\"\n\
             [[hosts]]\nname = \"k1\"\naddress = \"127.0.0.2\"\nroles = [\"broker\", \"controller\"]\nid = 1\n"
        ),
    )
    .unwrap();
    let o = wizard(&["deploy", "--preflight-only", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "SSH (effective settings):\n  k1: deploy@127.0.0.2:22 via jump host 127.0.0.1 (ops@127.0.0.1:{port}); key \
             ssh-agent or default keys; known_hosts /nonexistent/known_hosts; sudo -n\n"
        )),
        "{err}"
    );
    assert!(err.contains("k1: through the jump host 127.0.0.1: 127.0.0.1: cannot connect to 127.0.0.1"), "{err}");
}

#[test]
fn the_preflight_fixes_are_asked_for_with_preflight_only_and_a_dry_run_of_preflight_alone_is_a_usage_error() {
    let f = "tests/fixtures/kraft-dedicated.toml";
    for (args, says) in [
        (vec!["deploy", "--fix", f], "--preflight-only"),
        (vec!["deploy", "--fix-kernel", "--dry-run", f], "cannot be used with"),
        (vec!["deploy", "--fix-kernel", "--preflight-only", f], "cannot be used with"),
        (vec!["deploy", "--preflight-only", "--dry-run", f], "--dry-run goes with it only together with --fix"),
    ] {
        let o = wizard(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn init_here_writes_a_one_node_kraft_project_on_this_machine_that_validates_and_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("here.toml");
    let path = file.to_str().unwrap();
    let o = wizard(&["init", "--here", "--version", "4.1.1", "--mirror", "http://mirror.example/kafka", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: hosts: the cluster has a single broker"), "{}", stderr(&o));
    assert!(stderr(&o).contains("next: kafka-wizard deploy"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    for line in [
        "version = \"4.1.1\"",
        "mode = \"kraft\"",
        "connection = \"local\"",
        "address = \"127.0.0.1\"",
        "cluster_id = ",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    let o = wizard(&["validate", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wizard(&["init", "--here", path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "left as it was");
    let o = wizard(&["init", "--here", "--version", "9.9.9", dir.path().join("x.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--version 9.9.9"), "{}", stderr(&o));
}
