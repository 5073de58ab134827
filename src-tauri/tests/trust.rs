//! Trusted release signers… through Tauri's IPC on the mock runtime, against a real trust store: the one
//! `kafka-wizard trust` uses, under this test binary's own `XDG_CONFIG_HOME` (inside target/). Each test makes its
//! own keys, so the tests share the store and still do not see each other's keys.

mod ipc;

use ipc::invoke;
use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

const CONFIG: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/trust-xdg-config");

fn window() -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    ipc::window(&[("XDG_CONFIG_HOME", CONFIG)])
}

/// An armored public key made here (Ed25519).
fn public_key(uid: &str) -> String {
    use pgp::composed::{ArmorOptions, KeyType, SecretKeyParamsBuilder};
    let mut params = SecretKeyParamsBuilder::default();
    params.key_type(KeyType::Ed25519Legacy).can_certify(true).can_sign(true).primary_user_id(uid.into());
    let key = params.build().unwrap().generate(rand::thread_rng()).unwrap();
    key.to_public_key().to_armored_string(ArmorOptions::default()).unwrap()
}

/// A KEYS-like file (text between the blocks) with one key per user id, in a new folder.
fn keys_file(uids: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let text: Vec<String> = uids.iter().map(|u| format!("pub   ed25519 {u}\n{}", public_key(u))).collect();
    let path = dir.path().join("KEYS");
    std::fs::write(&path, text.join("\n")).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

fn imported(list: &Value) -> Vec<String> {
    list["imported"].as_array().unwrap().iter().map(|k| k["fingerprint"].as_str().unwrap().to_string()).collect()
}

fn store_dir() -> std::path::PathBuf {
    std::path::Path::new(CONFIG).join("kafka-wizard/trusted-keys")
}

#[test]
fn a_preview_shows_each_keys_fingerprint_and_user_id_and_stores_nothing() {
    let (_app, w) = window();
    let (_dir, file) = keys_file(&["Alice <alice@preview.example>", "Bob <bob@preview.example>"]);
    let preview = invoke(&w, "preview_signer_import", json!({ "path": file })).unwrap();
    assert_eq!(preview["file"], file.as_str());
    let keys = preview["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{preview}");
    for (key, uid) in keys.iter().zip(["Alice <alice@preview.example>", "Bob <bob@preview.example>"]) {
        let fpr = key["key"]["fingerprint"].as_str().unwrap();
        assert!(fpr.len() == 40 && fpr.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()), "{fpr}");
        assert_eq!(key["key"]["user_ids"], json!([uid]));
        assert!(key["key"]["created"].as_u64().unwrap() > 1_700_000_000, "{key}");
        assert_eq!(key["standing"], "new");
        assert!(!store_dir().join(format!("{fpr}.asc")).exists(), "a preview stores nothing");
    }
    let list = invoke(&w, "trusted_signers", json!({})).unwrap();
    for key in keys {
        assert!(!imported(&list).contains(&key["key"]["fingerprint"].as_str().unwrap().to_string()));
    }
}

#[test]
fn confirmed_keys_are_stored_where_the_cli_keeps_them_listed_and_removed() {
    let (_app, w) = window();
    let (_dir, file) = keys_file(&["Carol <carol@import.example>", "Dave <dave@import.example>"]);
    let preview = invoke(&w, "preview_signer_import", json!({ "path": file })).unwrap();
    let fprs: Vec<String> =
        preview["keys"].as_array().unwrap().iter().map(|k| k["key"]["fingerprint"].as_str().unwrap().into()).collect();

    // only the confirmed key is trusted, written as `kafka-wizard trust` writes it (one 0600 file per key)
    let list = invoke(&w, "import_signers", json!({ "path": file, "fingerprints": [fprs[0]] })).unwrap();
    assert!(imported(&list).contains(&fprs[0]) && !imported(&list).contains(&fprs[1]), "{list}");
    assert_eq!(list["dir"], store_dir().to_string_lossy().as_ref());
    let stored = store_dir().join(format!("{}.asc", fprs[0]));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777, 0o600);
    let carol = list["imported"].as_array().unwrap().iter().find(|k| k["fingerprint"] == fprs[0].as_str()).unwrap();
    assert_eq!(carol["user_ids"], json!(["Carol <carol@import.example>"]));
    assert!(!list["built_in"].as_array().unwrap().is_empty(), "the pinned release managers are listed too");

    let again = invoke(&w, "preview_signer_import", json!({ "path": file })).unwrap();
    assert_eq!(again["keys"][0]["standing"], "already_imported");
    assert_eq!(again["keys"][1]["standing"], "new");

    // a fingerprint typed with spaces and in lower case names the same key
    let lower = fprs[0].to_lowercase();
    let spaced: Vec<&str> = lower.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let list = invoke(&w, "remove_signer", json!({ "fingerprint": spaced.join(" ") })).unwrap();
    assert!(!imported(&list).contains(&fprs[0]), "{list}");
    assert!(!stored.exists());
    let err = invoke(&w, "remove_signer", json!({ "fingerprint": fprs[0] })).unwrap_err();
    assert_eq!(err["code"], "not_trusted", "{err}");
}

#[test]
fn a_file_with_no_key_is_refused_with_an_error_naming_the_file() {
    let (_app, w) = window();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "these are not the keys you are looking for\n").unwrap();
    let err = invoke(&w, "preview_signer_import", json!({ "path": file })).unwrap_err();
    assert_eq!(err["code"], "key_file", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains(&*file.to_string_lossy()) && message.contains("no OpenPGP public key"), "{message}");

    let missing = dir.path().join("gone.asc");
    let err = invoke(&w, "preview_signer_import", json!({ "path": missing })).unwrap_err();
    assert_eq!(err["code"], "key_file");
    assert!(err["message"].as_str().unwrap().contains(&*missing.to_string_lossy()), "{err}");
}

#[test]
fn a_confirmed_key_no_longer_in_the_file_imports_nothing() {
    let (_app, w) = window();
    let (_dir, file) = keys_file(&["Erin <erin@changed.example>"]);
    let preview = invoke(&w, "preview_signer_import", json!({ "path": file })).unwrap();
    let erin = preview["keys"][0]["key"]["fingerprint"].as_str().unwrap().to_string();
    std::fs::write(&file, public_key("Mallory <mallory@changed.example>")).unwrap();
    let err = invoke(&w, "import_signers", json!({ "path": file, "fingerprints": [erin] })).unwrap_err();
    assert_eq!(err["code"], "key_file");
    assert!(err["message"].as_str().unwrap().contains("nothing was imported"), "{err}");
    assert!(!imported(&invoke(&w, "trusted_signers", json!({})).unwrap()).contains(&erin));
    let err = invoke(&w, "import_signers", json!({ "path": file, "fingerprints": [] })).unwrap_err();
    assert_eq!(err["code"], "key_file", "an empty confirmation imports nothing");
}

#[test]
fn a_built_in_release_managers_key_cannot_be_removed_and_says_so() {
    let (_app, w) = window();
    let pinned = "D3DF 932A 0303 7580 D545  3F49 8060 FC0D A962 AFE5";
    let err = invoke(&w, "remove_signer", json!({ "fingerprint": pinned })).unwrap_err();
    assert_eq!(err["code"], "not_trusted");
    assert!(err["message"].as_str().unwrap().contains("Mickael Maison"), "{err}");
}

#[test]
fn a_key_imported_through_the_engines_default_store_like_the_cli_does_is_listed_by_the_app() {
    use kafka_wizard::verify::signature::Keyring;
    use kafka_wizard::verify::trust_store::TrustStore;
    let (_app, w) = window();
    let ring = Keyring::from_armored(&public_key("Frank <frank@cli.example>"), "KEYS").unwrap();
    let frank = ring.summaries()[0].fingerprint.clone();
    TrustStore::open_default().unwrap().import(&ring, &frank).unwrap();
    let list = invoke(&w, "trusted_signers", json!({})).unwrap();
    assert!(imported(&list).contains(&frank.to_string()), "{list}");
    invoke(&w, "remove_signer", json!({ "fingerprint": frank.as_str() })).unwrap();
    assert!(!TrustStore::open_default().unwrap().list().unwrap().iter().any(|k| k.fingerprint == frank));
}
