use super::*;
use crate::project::{parse, validate};
use std::os::unix::fs::PermissionsExt;

fn spec(text: &str) -> ClusterSpec {
    validate(&parse(text).unwrap()).spec.unwrap()
}

fn secure() -> ClusterSpec {
    spec(include_str!("../../../tests/fixtures/kraft-secure.toml"))
}

/// The secure fixture with the user `billing` added and `secure3.example.com` moved to 10.0.0.33.
fn with_a_user_added_and_a_host_moved() -> ClusterSpec {
    let text = include_str!("../../../tests/fixtures/kraft-secure.toml")
        .replace("users = [\"orders-app\"]", "users = [\"orders-app\", \"billing\"]")
        .replace("10.0.0.23", "10.0.0.33");
    spec(&text)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_first_need_creates_a_private_store_and_the_next_run_reuses_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(&dir.path().join("secrets"), &spec);
    assert!(store.path.ends_with("secrets/c2VjdXJlLWNsdXN0ZXItaQ.toml"));
    assert!(store.load(&spec, &security).is_err(), "no store yet: load makes nothing");
    let (first, notes) = store.ensure(&spec, &security).unwrap();
    assert!(notes[0].contains("creating it"), "{notes:?}");
    assert_eq!(mode(&store.path), 0o600);
    assert_eq!(mode(store.path.parent().unwrap()), 0o700);
    assert_eq!(first.passwords.keys().collect::<Vec<_>>(), ["admin", "kafka-broker", "orders-app"]);
    assert!(first.passwords.values().all(|p| p.expose().len() == PASSWORD_LENGTH));
    let keystore = first.keystores["secure2.example.com"].expose();
    assert!(keystore.starts_with("-----BEGIN PRIVATE KEY-----") && keystore.matches("BEGIN CERTIFICATE").count() == 2);
    let leaf = keystore.find("-----BEGIN CERTIFICATE").unwrap();
    let info = inspect_certificate(&keystore[leaf..], "host").unwrap();
    assert!(info.covers("secure2.example.com") && info.covers("10.0.0.22") && !info.covers("10.0.0.21"));
    assert_eq!(info.subject, format!("CN={BROKER_CN}"));

    let before = std::fs::read_to_string(&store.path).unwrap();
    let (again, notes) = store.ensure(&spec, &security).unwrap();
    assert_eq!(notes, Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(&store.path).unwrap(), before);
    assert_eq!(again.passwords, first.passwords);
    assert_eq!(again.keystores, first.keystores);
    assert_eq!(store.load(&spec, &security).unwrap().ca_cert, first.ca_cert);
    // The admin of this deploy is recorded (a later deploy of the running cluster refuses another one).
    let (users, admin) = store.logins().unwrap().unwrap();
    assert_eq!((users.len(), admin.as_deref()), (3, Some("admin")));
}

#[test]
fn a_new_user_or_a_moved_host_gets_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let spec1 = secure();
    let store = SecretsStore::in_dir(dir.path(), &spec1);
    let (first, _) = store.ensure(&spec1, spec1.security.as_ref().unwrap()).unwrap();
    let spec2 = with_a_user_added_and_a_host_moved();
    let security2 = spec2.security.clone().unwrap();
    assert!(matches!(store.load(&spec2, &security2), Err(StoreError::Incomplete { .. })));
    let (second, notes) = store.ensure(&spec2, &security2).unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("secure3.example.com (secure3.example.com, 10.0.0.33)")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("SCRAM user billing")), "{notes:?}");
    assert_eq!(second.ca_cert, first.ca_cert);
    assert_eq!(second.passwords["admin"], first.passwords["admin"]);
    assert_eq!(second.keystores["secure1.example.com"], first.keystores["secure1.example.com"]);
    assert_ne!(second.keystores["secure3.example.com"], first.keystores["secure3.example.com"]);
}

#[test]
fn a_lost_store_is_no_lock_out_a_new_ca_and_new_passwords_are_made_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    let (first, _) = store.ensure(&spec, &security).unwrap();
    std::fs::remove_file(&store.path).unwrap();
    let (second, notes) = store.ensure(&spec, &security).unwrap();
    assert!(notes[0].contains("a new CA, new host certificates and new passwords"), "{notes:?}");
    assert_ne!(second.ca_cert, first.ca_cert);
    assert_ne!(second.passwords["admin"], first.passwords["admin"]);
}

#[test]
fn a_damaged_store_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    std::fs::write(&store.path, "ca = 3").unwrap();
    let err = store.ensure(&spec, spec.security.as_ref().unwrap()).unwrap_err().to_string();
    assert!(err.contains("damaged") && err.contains("move it away"), "{err}");
}

#[test]
fn placeholders_name_each_secret_and_hold_none() {
    let spec = secure();
    let m = SecretMaterial::placeholders(&spec, spec.security.as_ref().unwrap());
    assert_eq!(m.password("orders-app"), format!("<password of orders-app: {HOW_TO_GET}>"));
    let keystore = m.keystores["secure1.example.com"].expose();
    assert!(keystore.contains("secrets store") && keystore.contains("export --include-secrets"), "{keystore}");
    assert!(!m.ca_cert.contains("BEGIN") && !keystore.contains("BEGIN"));
}

#[test]
fn a_zookeeper_mode_store_keeps_the_ensemble_logins_and_a_kraft_store_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(include_str!("../../../tests/fixtures/zookeeper-secure.toml"));
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    assert!(store.path.ends_with("zk-secure.toml"), "keyed by the cluster's name");
    let (first, _) = store.ensure(&spec, &security).unwrap();
    assert_eq!(first.zookeeper.keys().collect::<Vec<_>>(), [ZOOKEEPER_CLIENT_LOGIN, ZOOKEEPER_QUORUM_LOGIN]);
    assert!(first.zookeeper.values().all(|p| p.expose().len() == PASSWORD_LENGTH));
    assert_ne!(first.zookeeper_password("kafka"), first.zookeeper_password("quorum"));
    let (again, notes) = store.ensure(&spec, &security).unwrap();
    assert_eq!(notes, Vec::<String>::new());
    assert_eq!(again.zookeeper, first.zookeeper);
    assert_eq!(store.load(&spec, &security).unwrap().zookeeper, first.zookeeper);
    let with_keystores: Vec<&str> = first.keystores.keys().map(String::as_str).collect();
    assert_eq!(
        with_keystores,
        [
            "kbs1.example.com",
            "kbs2.example.com",
            "kbs3.example.com",
            "zks1.example.com",
            "zks2.example.com",
            "zks3.example.com"
        ],
        "with quorum TLS (the default) every ensemble member has a certificate too"
    );

    let kraft_dir = tempfile::tempdir().unwrap();
    let kraft = secure();
    let kraft_store = SecretsStore::in_dir(kraft_dir.path(), &kraft);
    let (material, _) = kraft_store.ensure(&kraft, kraft.security.as_ref().unwrap()).unwrap();
    assert!(material.zookeeper.is_empty());
    assert!(!std::fs::read_to_string(&kraft_store.path).unwrap().contains("[zookeeper]"), "the format as before");
}

#[test]
fn a_store_written_before_zookeeper_logins_existed_gets_them_and_keeps_its_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(include_str!("../../../tests/fixtures/zookeeper-secure.toml"));
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(dir.path(), &spec);
    store.ensure(&spec, &security).unwrap();
    let text = std::fs::read_to_string(&store.path).unwrap();
    let older = &text[..text.find("[zookeeper]").expect("a [zookeeper] table")];
    std::fs::write(&store.path, older).unwrap();
    assert!(store.load(&spec, &security).is_err(), "load makes nothing: the logins are missing");
    let before = store.ensure(&spec, &security);
    let (material, notes) = before.unwrap();
    assert_eq!(notes, ["generated a ZooKeeper password for kafka", "generated a ZooKeeper password for quorum"]);
    assert!(std::fs::read_to_string(&store.path).unwrap().starts_with("# kafka-wizard secrets store"));
    assert_eq!(material.zookeeper.len(), 2);
    assert!(text.contains(&format!("admin = \"{}\"", material.password("admin"))), "SCRAM passwords kept");
}

#[test]
fn a_user_added_since_the_last_deploy_does_not_stop_the_admins_login_but_client_config_still_needs_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let store = SecretsStore::in_dir(&dir.path().join("secrets"), &spec);
    store.ensure(&spec, spec.security.as_ref().unwrap()).unwrap();
    let mut security = spec.security.clone().unwrap();
    security.users.push("billing-app".into());
    assert!(store.load(&spec, &security).unwrap_err().to_string().contains("the password of billing-app"));
    let existing = store.load_existing(&spec, &security).unwrap();
    assert_eq!(existing.passwords.keys().collect::<Vec<_>>(), ["admin", "kafka-broker", "orders-app"]);
}

#[test]
fn the_users_made_are_the_stores_and_a_forgotten_user_leaves_it_while_the_others_stay() {
    let dir = tempfile::tempdir().unwrap();
    let spec = secure();
    let security = spec.security.clone().unwrap();
    let store = SecretsStore::in_dir(&dir.path().join("secrets"), &spec);
    assert_eq!(store.users_made().unwrap(), Vec::<String>::new(), "no store: no user made");
    let (before, _) = store.ensure(&spec, &security).unwrap();
    assert_eq!(store.users_made().unwrap(), ["admin", "kafka-broker", "orders-app"]);
    store.forget_users(&["orders-app".into()]).unwrap();
    assert_eq!(store.users_made().unwrap(), ["admin", "kafka-broker"]);
    assert_eq!(mode(&store.path), 0o600);
    let mut without = security.clone();
    without.users.clear();
    let after = store.load(&spec, &without).unwrap();
    assert_eq!(after.passwords["admin"], before.passwords["admin"], "the others' passwords are kept");
}

#[test]
fn a_client_gets_the_ca_and_the_passwords_while_a_host_is_new_or_the_ca_key_is_lost_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let spec1 = secure();
    let store = SecretsStore::in_dir(dir.path(), &spec1);
    assert!(matches!(store.load_for_client(&spec1, spec1.security.as_ref().unwrap()), Err(StoreError::Io { .. })));
    let (first, _) = store.ensure(&spec1, spec1.security.as_ref().unwrap()).unwrap();
    // A host moved (it needs a new certificate) and a user added (no password until the next deploy): `load` refuses,
    // the client's load gives the CA and the passwords there are.
    let spec2 = with_a_user_added_and_a_host_moved();
    let security2 = spec2.security.clone().unwrap();
    assert!(matches!(store.load(&spec2, &security2), Err(StoreError::Incomplete { .. })));
    // With the CA's key lost too (a recovered store), no certificate could be issued at all.
    let mut file: toml::Table = toml::from_str(&std::fs::read_to_string(&store.path).unwrap()).unwrap();
    file["ca"].as_table_mut().unwrap().insert("key".into(), "".into());
    file.insert("ca_key_lost".into(), "recovered from the hosts on 2026-11-30".into());
    std::fs::write(&store.path, toml::to_string(&file).unwrap()).unwrap();
    let before = std::fs::read_to_string(&store.path).unwrap();
    let client = store.load_for_client(&spec2, &security2).unwrap();
    assert_eq!(client.ca_cert, first.ca_cert);
    assert_eq!(client.passwords.keys().collect::<Vec<_>>(), ["admin", "kafka-broker", "orders-app"]);
    assert_eq!(client.passwords["orders-app"], first.passwords["orders-app"]);
    assert!(client.keystores.is_empty() && client.zookeeper.is_empty());
    assert_eq!(std::fs::read_to_string(&store.path).unwrap(), before, "the client's load changes nothing");
}
