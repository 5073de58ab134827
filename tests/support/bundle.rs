//! `kafka-wizard collect`'s support bundle read back in a test: every entry's text, and the checks every bundle
//! must pass whatever the cluster (each host reached with its generated files, journals, facts; a manifest).

use super::wizard::run_wizard;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Runs `collect` for `project` into `home/<name>` and returns every entry (path → text) and the manifest, after
/// checking what every bundle holds: per host in `hosts` its `server.properties` (every Kafka host) or ZooKeeper
/// config, a journal and `systemctl status` per unit, `facts.txt` with the Java version; `status.json`,
/// `project.toml`, `manifest.json`; mode 0600.
pub fn collect(
    home: &Path,
    project: &str,
    hosts: &[String],
    name: &str,
) -> (BTreeMap<String, String>, serde_json::Value) {
    use std::os::unix::fs::PermissionsExt;
    let zip_path = home.join(name);
    let t = Instant::now();
    let (out, text) = run_wizard(home, &["collect", project, "--out", zip_path.to_str().unwrap(), "--lines", "300"]);
    assert!(out.status.success(), "collect failed:\n{text}");
    let seconds = t.elapsed().as_secs_f64();
    assert_eq!(std::fs::metadata(&zip_path).unwrap().permissions().mode() & 0o777, 0o600);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).expect("the bundle opens as a zip");
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        let name = file.name().to_string();
        entries.insert(name, std::io::read_to_string(file).unwrap());
    }
    let manifest: serde_json::Value = serde_json::from_str(&entries["manifest.json"]).unwrap();
    for local in ["status.json", "project.toml"] {
        assert!(entries.contains_key(local), "{local} in the bundle: {:?}", entries.keys());
    }
    for host in hosts {
        let has =
            |suffix: &str| entries.keys().any(|k| k.starts_with(&format!("hosts/{host}/")) && k.ends_with(suffix));
        assert!(has("server.properties") || has("zookeeper.properties"), "{host}'s config in the bundle");
        assert!(has(".journal.txt") && has(".status.txt"), "{host}'s units in the bundle");
        let facts = &entries[&format!("hosts/{host}/facts.txt")];
        assert!(facts.contains("## java") && facts.contains("openjdk"), "{host}'s facts name its Java:\n{facts}");
        let record = manifest["hosts"].as_array().unwrap().iter().find(|h| h["host"] == host.as_str()).unwrap();
        assert_eq!(record["reached"], true, "{record}");
    }
    let bytes: usize = entries.values().map(|t| t.len()).sum();
    let redacted: usize = entries.values().map(|t| t.matches("<redacted").count()).sum();
    eprintln!(
        "MEASURE support bundle of {} host(s): {} entries, {} KiB uncompressed, {} KiB zip, {redacted} redaction(s), {seconds:.1}s",
        hosts.len(),
        entries.len(),
        bytes / 1024,
        std::fs::metadata(&zip_path).unwrap().len() / 1024,
    );
    (entries, manifest)
}
