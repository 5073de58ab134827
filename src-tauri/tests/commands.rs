//! The app's commands through Tauri's IPC on the mock runtime (`tauri::test::mock_builder()`): argument names,
//! JSON shapes and `{code, message}` errors exactly as the UI sees them, without a window.

mod ipc;

use ipc::invoke;
use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seed-cluster.toml");
const SECURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/kraft-secure.toml");
const MIGRATING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/zookeeper-migrating.toml");

/// Recent projects go to the app's config dir, and the secrets store to its data dir: both inside target/.
fn window() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    ipc::window(&[
        ("XDG_CONFIG_HOME", concat!(env!("CARGO_TARGET_TMPDIR"), "/xdg-config")),
        ("XDG_DATA_HOME", concat!(env!("CARGO_TARGET_TMPDIR"), "/xdg-data")),
    ])
}

fn seed_draft(window: &WebviewWindow<MockRuntime>) -> Value {
    invoke(window, "open_project", json!({ "path": SEED })).expect("the seed project opens")["draft"].clone()
}

#[test]
fn opening_the_guides_project_returns_its_draft_without_errors() {
    let (_app, w) = window();
    let opened = invoke(&w, "open_project", json!({ "path": SEED })).unwrap();
    assert_eq!(opened["draft"]["name"], "peter-kafka");
    assert_eq!(opened["draft"]["hosts"].as_array().unwrap().len(), 6);
    assert!(opened["problems"].as_array().unwrap().iter().all(|p| p["severity"] != "error"), "{opened}");
}

#[test]
fn a_duplicate_broker_id_comes_back_as_an_error_naming_that_hosts_id_field() {
    let (_app, w) = window();
    let mut draft = seed_draft(&w);
    draft["hosts"][4]["id"] = json!(1);
    let problems = invoke(&w, "validate_project", json!({ "draft": draft })).unwrap();
    let fields: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"hosts[4].id"), "{problems}");
    // …with its message in English and in Korean (the UI's Korean mode shows message_ko)
    let dup = problems.as_array().unwrap().iter().find(|p| p["field"] == "hosts[4].id").unwrap();
    assert!(dup["message"].as_str().unwrap().contains("is also the id of"), "{dup}");
    let ko = dup["message_ko"].as_str().unwrap();
    assert!(ko.contains("고유한 id") && ko.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)), "{dup}");
}

#[test]
fn this_machine_is_a_one_node_kraft_project_here_whose_files_size_replication_to_one_broker() {
    let (_app, w) = window();
    let draft = invoke(&w, "this_machine_project", json!({})).unwrap();
    assert_eq!(draft["hosts"].as_array().unwrap().len(), 1, "{draft}");
    assert_eq!(draft["hosts"][0]["connection"], "local");
    let problems = invoke(&w, "validate_project", json!({ "draft": draft })).unwrap();
    assert!(problems.as_array().unwrap().iter().all(|p| p["severity"] != "error"), "{problems}");
    let review = invoke(&w, "review", json!({ "draft": draft })).unwrap();
    let host = &review["hosts"][0];
    assert_eq!(host["host"], "localhost");
    let props = host["files"].as_array().unwrap().iter().find(|f| f["path"] == "/etc/kafka/server.properties").unwrap();
    let text = props["content"].as_str().unwrap();
    for line in
        ["offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1", "min.insync.replicas=1"]
    {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    assert!(text.lines().any(|l| l.starts_with("advertised.listeners=") && l.contains("//127.0.0.1:9092")), "{text}");
}

#[test]
fn review_returns_each_hosts_files_and_the_plan() {
    let (_app, w) = window();
    let review = invoke(&w, "review", json!({ "draft": seed_draft(&w) })).unwrap();
    let hosts = review["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 6);
    let broker = hosts.iter().find(|h| h["host"] == "peter-kafka002").unwrap();
    let props =
        broker["files"].as_array().unwrap().iter().find(|f| f["path"] == "/etc/kafka/server.properties").unwrap();
    assert!(props["content"].as_str().unwrap().contains("broker.id=2"));
    assert!(!review["plan"]["phases"].as_array().unwrap().is_empty());
}

#[test]
fn exporting_into_a_folder_with_other_files_fails_with_a_code_the_ui_can_branch_on() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = invoke(
        &w,
        "export_files",
        json!({ "draft": seed_draft(&w), "target": dir.path(), "format": "folder", "replace": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "export_folder_not_empty", "{err}");
    assert!(err["message"].as_str().unwrap().contains("not empty"));
}

#[test]
fn export_to_a_new_folder_writes_the_index_and_every_hosts_files() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let written = invoke(
        &w,
        "export_files",
        json!({ "draft": seed_draft(&w), "target": out, "format": "folder", "replace": false }),
    )
    .unwrap();
    assert!(written[1].as_u64().unwrap() > 6);
    assert!(out.join("INDEX.md").exists());
    assert!(out.join("peter-kafka001/etc/kafka/server.properties").exists());
}

#[test]
fn saving_writes_toml_the_cli_reads_and_remembers_the_file_as_recent() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.toml");
    let saved = invoke(&w, "save_project", json!({ "path": path, "draft": seed_draft(&w) })).unwrap();
    assert_eq!(saved[0], path.to_string_lossy().as_ref());
    assert_eq!(saved[1][0], path.to_string_lossy().as_ref());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(kafka_wizard::project::parse(&text).is_ok(), "{text}");
}

#[test]
fn testing_a_connection_of_a_host_with_a_bad_name_asks_to_fix_that_field_first() {
    let (_app, w) = window();
    let draft = json!({ "format": 1, "hosts": [{ "name": "not a host name!" }] });
    let err = invoke(
        &w,
        "test_connection",
        json!({ "draft": draft, "index": 0, "acceptFingerprint": null, "password": null }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_project", "{err}");
    assert!(err["message"].as_str().unwrap().contains("hosts[0].name"), "{err}");
    let err = invoke(
        &w,
        "test_connection",
        json!({ "draft": draft, "index": 3, "acceptFingerprint": null, "password": null }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "no_such_host", "{err}");
}

#[test]
fn the_deploy_preview_of_unreachable_hosts_fails_with_the_connect_code_naming_them() {
    let (_app, w) = window();
    let mut draft = seed_draft(&w);
    // every host on a closed port of its own loopback address: refused at once, nothing read
    draft["ssh"]["port"] = json!(1);
    for (i, host) in draft["hosts"].as_array_mut().unwrap().iter_mut().enumerate() {
        host["address"] = json!(format!("127.0.0.{}", i + 1));
    }
    let err = invoke(&w, "preview_deploy", json!({ "draft": draft, "options": {} })).unwrap_err();
    assert_eq!(err["code"], "connect", "{err}");
    assert!(err["message"].as_str().unwrap().contains("peter-kafka001"), "{err}");
    draft["hosts"][4]["id"] = json!(1);
    let err = invoke(&w, "preview_deploy", json!({ "draft": draft, "options": {} })).unwrap_err();
    assert_eq!(err["code"], "invalid_project", "{err}");
}

#[test]
fn a_ca_rotation_preview_of_a_plaintext_project_is_refused_before_any_host_is_reached() {
    let (_app, w) = window();
    // the guide's hosts do not resolve here: only a refusal before connecting can answer
    let err =
        invoke(&w, "preview_deploy", json!({ "draft": seed_draft(&w), "options": { "rotate_ca": true } })).unwrap_err();
    assert_eq!(err["code"], "steps_failed", "{err}");
    assert!(err["message"].as_str().unwrap().contains("a plaintext cluster has no CA to rotate"), "{err}");
}

#[test]
fn cancel_without_a_running_job_says_so() {
    let (_app, w) = window();
    assert_eq!(invoke(&w, "cancel_job", json!({})).unwrap(), json!(false));
}

#[test]
fn the_catalog_marks_modes_for_the_version_step() {
    let (_app, w) = window();
    let releases = invoke(&w, "releases", json!({})).unwrap();
    let find = |v: &str| releases.as_array().unwrap().iter().find(|r| r["version"] == v).cloned().unwrap();
    assert_eq!(find("2.8.0")["default_mode"], "zookeeper");
    assert_eq!(find("3.9.0")["default_mode"], Value::Null);
    assert!(find("3.9.0")["scala"].as_array().unwrap().len() >= 2);
}

#[test]
fn the_field_schema_gives_the_engines_defaults() {
    let (_app, w) = window();
    let schema = invoke(&w, "field_schema", json!({})).unwrap();
    let port = schema.as_array().unwrap().iter().find(|f| f["path"] == "kafka.listener_port").cloned().unwrap();
    assert_eq!(port["default"], kafka_wizard::project::defaults::LISTENER_PORT.to_string());
    assert_eq!(port["step"], "storage");
}

#[test]
fn a_new_project_starts_secure_tls_and_scram_with_the_wizards_own_ca_and_an_admin() {
    let (_app, w) = window();
    let draft = invoke(&w, "new_project", json!({})).unwrap();
    assert_eq!(draft["security"], json!({"protocol": "sasl_ssl", "ca": "generate", "admin_user": "admin"}));
    let problems = invoke(&w, "validate_project", json!({ "draft": draft })).unwrap();
    let fields: Vec<&str> = problems.as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert!(!fields.iter().any(|f| f.starts_with("security")), "no unauthenticated warning: {fields:?}");
}

/// The secured fixture with a cluster id of its own, so its secrets store is this test's alone.
fn secure_draft(w: &WebviewWindow<MockRuntime>) -> Value {
    let mut draft = invoke(w, "open_project", json!({ "path": SECURE })).unwrap()["draft"].clone();
    draft["kraft"]["cluster_id"] = invoke(w, "new_cluster_id", json!({})).unwrap();
    draft
}

#[test]
fn client_config_writes_a_users_properties_and_ca_privately_once_the_cluster_has_its_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let (_app, w) = window();
    let draft = secure_draft(&w);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("orders-app");
    let ask = |user: &str| invoke(&w, "client_config", json!({ "draft": draft, "user": user, "directory": out }));
    assert_eq!(
        invoke(&w, "cluster_ca", json!({ "draft": draft })).unwrap(),
        Value::Null,
        "no CA before the first deploy"
    );
    let err = ask("orders-app").unwrap_err();
    assert_eq!(err["code"], "secrets_store", "{err}");
    assert!(err["message"].as_str().unwrap().contains("deploy the cluster first"), "{err}");

    // what the first deploy makes: the cluster's secrets store
    let spec = kafka_wizard::project::validate(&serde_json::from_value(draft.clone()).unwrap()).spec.unwrap();
    let store = kafka_wizard::security::store::SecretsStore::for_cluster(&spec);
    assert!(store.path.starts_with(env!("CARGO_TARGET_TMPDIR")), "{}", store.path.display());
    let (material, _) = store.ensure(&spec, spec.security.as_ref().unwrap()).unwrap();

    let ca = invoke(&w, "cluster_ca", json!({ "draft": draft })).unwrap();
    let real = kafka_wizard::security::pki::inspect_certificate(&material.ca_cert, "ca").unwrap();
    assert_eq!(ca["sha256_fingerprint"], real.sha256_fingerprint.as_str());
    assert_eq!(ca["not_after"], real.not_after);
    let shown = ca.to_string();
    assert!(!shown.contains("PRIVATE") && !shown.contains(material.password("admin")), "{shown}");

    let written = ask("orders-app").unwrap();
    let properties = out.join("client.properties");
    let ca_pem = out.join("ca.pem");
    assert_eq!(written, json!([properties, ca_pem]));
    for file in [&properties, &ca_pem] {
        assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600, "{}", file.display());
    }
    let text = std::fs::read_to_string(&properties).unwrap();
    let password = material.password("orders-app");
    assert!(text.contains(&format!("username=\"orders-app\" password=\"{password}\"")), "{text}");
    assert!(text.contains(&format!("ssl.truststore.location={}", ca_pem.display())), "{text}");
    assert_eq!(std::fs::read_to_string(&ca_pem).unwrap(), material.ca_cert);
    assert!(!written.to_string().contains(password), "the password never reaches the UI");

    let err = ask("kafka-broker").unwrap_err();
    assert_eq!(err["code"], "unknown_user", "the brokers' own login is not offered: {err}");
}

#[test]
fn client_config_of_a_plaintext_project_says_it_needs_none() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let err = invoke(&w, "client_config", json!({ "draft": seed_draft(&w), "user": "admin", "directory": dir.path() }))
        .unwrap_err();
    assert_eq!(err["code"], "not_secured", "{err}");
    assert_eq!(invoke(&w, "cluster_ca", json!({ "draft": seed_draft(&w) })).unwrap(), Value::Null);
}

/// A copy of the migrating fixture (ZooKeeper mode with controller hosts) in a temporary directory.
fn migrating_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrating.toml");
    std::fs::copy(MIGRATING, &path).unwrap();
    (dir, path)
}

#[test]
fn after_a_finalized_migration_the_project_file_says_kraft_with_the_clusters_id_and_comes_back_reloaded() {
    let (_app, w) = window();
    let (_dir, path) = migrating_file();
    let report = json!({ "stage": "finalized", "cluster_id": "MkU3OEVBNTcwNTJENDM2Qk" });
    let migrated = invoke(&w, "finish_migration", json!({ "path": path, "report": report })).unwrap();
    let draft = &migrated["project"]["draft"];
    assert_eq!(draft["kafka"]["mode"], "kraft", "{migrated}");
    assert_eq!(draft["kraft"]["cluster_id"], "MkU3OEVBNTcwNTJENDM2Qk");
    assert!(draft.get("zookeeper").is_none(), "{draft}");
    assert!(draft["hosts"].as_array().unwrap().iter().all(|h| !h["roles"].to_string().contains("zookeeper")));
    assert_eq!(migrated["dropped"], json!([]), "every ensemble member is also a controller");
    assert!(migrated["project"]["problems"].as_array().unwrap().iter().all(|p| p["severity"] != "error"), "{migrated}");
    assert_eq!(migrated["project"]["path"], path.to_str().unwrap());
    // the file on disk is what came back: opening it again gives the same draft
    let reopened = invoke(&w, "open_project", json!({ "path": path })).unwrap();
    assert_eq!(&reopened["draft"], draft);
    assert!(std::fs::read_to_string(&path).unwrap().contains("# The guide's layout on Kafka 3.9"), "comments kept");
}

#[test]
fn after_a_rolled_back_migration_the_project_file_has_no_controllers_and_comes_back_reloaded() {
    let (_app, w) = window();
    let (_dir, path) = migrating_file();
    let report = json!({ "stage": "brokers_on_kraft", "cluster_id": "MkU3OEVBNTcwNTJENDM2Qk", "rolled_back": true });
    let back = invoke(&w, "finish_migration", json!({ "path": path, "report": report })).unwrap();
    let draft = &back["project"]["draft"];
    assert_eq!(draft["kafka"]["mode"], "zookeeper", "{back}");
    assert!(draft.get("kraft").is_none(), "{draft}");
    assert!(draft["hosts"].as_array().unwrap().iter().all(|h| !h["roles"].to_string().contains("controller")));
    assert_eq!(back["dropped"], json!([]), "the controllers sat beside the ensemble members");
    assert!(back["project"]["problems"].as_array().unwrap().iter().all(|p| p["severity"] != "error"), "{back}");
    let reopened = invoke(&w, "open_project", json!({ "path": path })).unwrap();
    assert_eq!(&reopened["draft"], draft);
}

#[test]
fn a_migration_run_that_stopped_before_finalize_leaves_the_project_file_alone() {
    let (_app, w) = window();
    let (_dir, path) = migrating_file();
    for stage in ["migrating", "brokers_on_kraft"] {
        let report = json!({ "stage": stage, "cluster_id": "MkU3OEVBNTcwNTJENDM2Qk" });
        assert_eq!(invoke(&w, "finish_migration", json!({ "path": path, "report": report })).unwrap(), Value::Null);
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), std::fs::read_to_string(MIGRATING).unwrap());
}

#[test]
fn a_finalized_migrations_file_that_cannot_be_rewritten_fails_with_its_own_code_and_the_fix() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone.toml");
    let report = json!({ "stage": "finalized", "cluster_id": "MkU3OEVBNTcwNTJENDM2Qk" });
    let err = invoke(&w, "finish_migration", json!({ "path": path, "report": report })).unwrap_err();
    assert_eq!(err["code"], "migration_rewrite", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("gone.toml") && message.contains("kafka.mode = \"kraft\""), "{message}");
    assert!(message.contains("kraft.cluster_id = \"MkU3OEVBNTcwNTJENDM2Qk\""), "{message}");
}

#[test]
fn a_support_bundle_of_unreachable_hosts_is_still_written_with_the_project_and_names_each_host_not_reached() {
    use std::os::unix::fs::PermissionsExt;
    let (_app, w) = window();
    let mut draft = seed_draft(&w);
    draft["ssh"]["port"] = json!(1);
    for (i, host) in draft["hosts"].as_array_mut().unwrap().iter_mut().enumerate() {
        host["address"] = json!(format!("127.0.0.{}", i + 1));
    }
    let name = invoke(&w, "support_bundle_name", json!({ "draft": draft })).unwrap();
    let name = name.as_str().unwrap();
    assert!(name.starts_with("peter-kafka-support-") && name.ends_with(".zip"), "{name}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(name);
    let args = json!({ "draft": draft, "options": {}, "projectPath": SEED, "out": out });
    let summary = invoke(&w, "support_bundle", args.clone()).unwrap();
    assert_eq!(summary["path"], json!(out), "{summary}");
    let hosts = summary["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 6, "{summary}");
    assert!(hosts.iter().all(|h| h["error"].is_string() && h["entries"] == 0), "{summary}");
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<&str> = zip.file_names().collect();
    for entry in ["manifest.json", "status.json", "project.toml"] {
        assert!(names.contains(&entry), "{entry} missing: {names:?}");
    }
    assert_eq!(summary["entries"].as_u64().unwrap() as usize, names.len(), "{summary}");
    let before = std::fs::read(&out).unwrap();
    let err = invoke(&w, "support_bundle", args).unwrap_err();
    assert_eq!(err["code"], "io", "{err}");
    assert!(err["message"].as_str().unwrap().contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), before, "never over an existing file");
}

#[test]
fn the_runs_list_names_each_run_of_the_project_and_save_run_log_copies_one_into_a_new_file() {
    let state = tempfile::tempdir().unwrap();
    // the only test of this binary that reads run logs through the state directory
    std::env::set_var("XDG_STATE_HOME", state.path());
    let (_app, w) = window();
    let draft = seed_draft(&w);
    let log = kafka_wizard::runlog::open("peter-kafka", "restart").unwrap();
    log.finish(kafka_wizard::runlog::RunResult::Cancelled, Some("cancelled — hosts finished their current step"));
    let runs = invoke(&w, "run_logs", json!({ "draft": draft })).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["verb"].as_str(), runs[0]["result"].as_str()), (Some("restart"), Some("cancelled")));
    let out = state.path().join("saved.jsonl");
    let file = runs[0]["file"].clone();
    let saved = invoke(&w, "save_run_log", json!({ "draft": draft, "file": file, "out": out })).unwrap();
    assert_eq!(saved, json!(out));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(log.path()).unwrap());
    let err = invoke(&w, "save_run_log", json!({ "draft": draft, "file": "../x.jsonl", "out": out })).unwrap_err();
    assert_eq!(err["code"], "io", "{err}");
}

#[test]
fn a_rebalance_is_refused_with_busy_while_another_operation_runs_and_nothing_is_asked_of_the_cluster() {
    use tauri::Manager;
    let (app, w) = window();
    let draft = seed_draft(&w);
    let jobs = app.state::<kafka_wizard_app::state::Jobs>();
    let running = jobs.begin().unwrap();
    let args = json!({ "draft": draft, "request": {}, "options": {}, "onEvent": "__CHANNEL__:1" });
    let err = invoke(&w, "reassign", args.clone()).unwrap_err();
    assert_eq!(err["code"], "busy", "{err}");
    drop(running);
    let decommission = json!({ "draft": draft, "request": { "broker": 1 }, "options": {}, "onEvent": "__CHANNEL__:1" });
    let err = invoke(&w, "reassign", decommission).unwrap_err();
    assert_eq!(err["code"], "io", "{err}");
    assert!(err["message"].as_str().unwrap().contains("save the project first"), "{err}");
}

#[test]
fn a_decommission_plan_is_read_from_the_saved_file_and_refused_when_it_has_errors() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, "format = 1\nname = \"x\"\n[kafka]\nversion = \"3.9.1\"\n").unwrap();
    let request = json!({ "broker": 1, "path": file });
    let err = invoke(&w, "preview_reassign", json!({ "draft": seed_draft(&w), "request": request, "options": {} }))
        .unwrap_err();
    assert_eq!(err["code"], "invalid_project", "the file's errors, not the draft's: {err}");
    assert!(err["message"].as_str().unwrap().contains("broken.toml"), "{err}");
}
