//! The release's fan-out (`plan::distribution`, `apply::relay`) read back in a test: which hosts the wizard
//! uploaded to, and that nothing of a relay is left on the hosts.

use super::world::World;

/// The hosts the deploy's summary line says the wizard uploaded to (`; uploaded h1 12 MiB, h2 …`).
pub fn uploaded_by_the_wizard(out: &str) -> Vec<String> {
    let line = out.lines().find(|l| l.starts_with("deployed ")).unwrap_or_else(|| panic!("no summary:\n{out}"));
    let Some((_, rest)) = line.split_once("; uploaded ") else { return Vec::new() };
    let list = rest.split(';').next().unwrap();
    list.split(", ").map(|h| h.split_whitespace().next().unwrap().to_string()).collect()
}

/// The bytes the deploy's summary line says the wizard uploaded to each host (`h1 45 MiB`, `h2 812 KiB`).
pub fn uploaded_bytes(out: &str) -> Vec<(String, f64)> {
    let line = out.lines().find(|l| l.starts_with("deployed ")).unwrap_or_else(|| panic!("no summary:\n{out}"));
    let Some((_, rest)) = line.split_once("; uploaded ") else { return Vec::new() };
    let unit = |u: &str| match u {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unknown unit {other} in {line}"),
    };
    let list = rest.split(';').next().unwrap();
    list.split(", ")
        .map(|h| {
            let w: Vec<&str> = h.split_whitespace().collect();
            (w[0].to_string(), w[1].parse::<f64>().unwrap() * unit(w[2]))
        })
        .collect()
}

/// Every host but the first got the release from another host, each copy verified, and no relay failed: the
/// wizard uploaded the release (`release_bytes`) to the first host only — to the others at most their small files
/// (configs, the metrics agent).
pub fn relayed_to_all_but_one(log: &str, hosts: &[String], release_bytes: u64) {
    for (host, bytes) in uploaded_bytes(log) {
        if host == hosts[0] {
            assert!(bytes >= release_bytes as f64 * 0.9, "{host} got the release from the wizard:\n{log}");
        } else {
            assert!(bytes < release_bytes as f64 / 4.0, "{host} did not get the release from the wizard:\n{log}");
        }
    }
    for h in &hosts[1..] {
        assert!(
            log.lines().any(|l| l.contains(h.as_str())
                && l.contains("host to host over SSH")
                && l.contains("SHA-512 verified")),
            "{h} got the release from another host:\n{log}"
        );
    }
    assert!(!log.contains("relay from"), "no relay failed:\n{log}");
    assert!(
        log.contains("the relay carries the release's tar, uncompressed here from the verified tarball"),
        "the hosts got the tar (unpacked without gzip):\n{log}"
    );
}

/// No uncompressed tar of a relay (`.relay-*.tar`) is left in the wizard's cache directory `cache` (any depth).
pub fn no_relay_tar_left(cache: &std::path::Path) {
    let mut dirs = vec![cache.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(!(name.starts_with(".relay-") && name.ends_with(".tar")), "left: {}", entry.path().display());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
    }
}

/// No `authorized_keys` line of `user`, no key directory and no received temporary file is left on any host.
pub fn nothing_of_the_relay_is_left(world: &World, user: &str) {
    for h in world.hosts() {
        let script = format!(
            "h=$(getent passwd {user} | cut -d: -f6); grep -c kafka-wizard-relay- \"$h/.ssh/authorized_keys\" || true; \
             ls -a /opt \"$h\" | grep -c -e '\\.kw-' -e '\\.upload$' || true"
        );
        let left = world.ssh_ok(&h.name, "root", &script);
        assert_eq!(left.split_whitespace().collect::<Vec<_>>(), ["0", "0"], "{}: {left}", h.name);
    }
}
