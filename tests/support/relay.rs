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

/// Every host but the first got the release from another host, each copy verified, and no relay failed.
pub fn relayed_to_all_but_one(log: &str, hosts: &[String]) {
    assert_eq!(uploaded_by_the_wizard(log), [hosts[0].clone()], "{log}");
    for h in &hosts[1..] {
        assert!(
            log.lines().any(|l| l.contains(h.as_str())
                && l.contains("host to host over SSH")
                && l.contains("SHA-512 verified")),
            "{h} got the release from another host:\n{log}"
        );
    }
    assert!(!log.contains("relay from"), "no relay failed:\n{log}");
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
