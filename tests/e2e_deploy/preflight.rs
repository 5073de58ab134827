//! Preflight refuses early, on fresh hosts before the first deploy of the KRaft cluster: a foreign process listening
//! on h1's broker port and a full tmpfs mounted at h2's data directory. `--preflight-only` prints both in its table
//! (exit 1) and `deploy` is refused naming host, check and fix, with nothing written on any host (no config dir, no
//! unit, no service user, no release, no JVM). A clock 5 s ahead on h3 is a warning: the hosts share this machine's
//! kernel clock (a time namespace shifts only the monotonic and boot clocks), so h3's clock is faked where the probe
//! reads it — a `date` in `/usr/local/bin` (first on root's PATH) that adds 5 s. The network between the hosts is
//! cut in two ways, each a warning naming both hosts and the firewall fix: h1 has no route to h3 (an `unreachable`
//! route in h1's namespace; so h3's connections to h1 get no answer either: h1's replies have no way back), and what
//! is sent to h2's controller port is dropped (`world.sh drop`: no answer). The
//! plants are then removed; the test's own deploy that follows proves a re-run deploys healthy. Last, the hosts
//! reached by name: a stale /etc/hosts entry on h1 is a warning naming the peer's own address.

use super::{ok, text, wizard};
use crate::support::world::World;
use std::time::Instant;

const DATA_DIR: &str = "/var/lib/kafka/data";
/// A `date` 5 s ahead of the real one (GNU date takes a fractional `@epoch`).
const FAST_DATE: &str =
    "#!/bin/sh\nexec /usr/bin/date -d \"@$(( $(/usr/bin/date +%s) + 5 )).$(/usr/bin/date +%N)\" \"$@\"\n";
const FOREIGN_UNIT: &str = "kw-foreign-listener";

/// Plants the two problems, proves the refusal and that nothing was written, and removes them again.
pub fn planted_problems_are_refused_before_anything_is_written(world: &World, p: &str) {
    let port = 9092;
    world.ssh_ok(
        "h1",
        "root",
        &format!(
            "systemd-run --quiet --unit={FOREIGN_UNIT} python3 -m http.server {port} --bind 0.0.0.0 && \
             for i in $(seq 50); do ss -Hltn 'sport = :{port}' | grep -q . && exit 0; sleep 0.1; done; exit 1"
        ),
    );
    let pid =
        world.ssh_ok("h1", "root", &format!("systemctl show -p MainPID --value {FOREIGN_UNIT}")).trim().to_string();
    world.ssh_ok(
        "h2",
        "root",
        &format!(
            "mkdir -p {DATA_DIR} && mount -t tmpfs -o size=1m kw-full {DATA_DIR} && \
             (dd if=/dev/zero of={DATA_DIR}/fill bs=64k 2>/dev/null; true) && df -Pk {DATA_DIR}"
        ),
    );

    world.ssh_ok(
        "h3",
        "root",
        &format!(
            "printf '%s' {} > /usr/local/bin/date && chmod 0755 /usr/local/bin/date && date +%s",
            crate::support::world::shell_quote(FAST_DATE)
        ),
    );

    let h3 = world.host("h3").ip.clone();
    world.ssh_ok("h1", "root", &format!("ip route add unreachable {h3}/32"));
    world.drop_port("h2", 9093);

    let t0 = Instant::now();
    let only = wizard(&["deploy", "--preflight-only", p]);
    let preflight_secs = t0.elapsed().as_secs_f64();
    assert_eq!(only.status.code(), Some(1), "{}", text(&only));
    let table = String::from_utf8_lossy(&only.stdout).to_string();
    let row = |host: &str, check: &str| {
        table
            .lines()
            .find(|l| l.starts_with(host) && l.contains(check))
            .unwrap_or_else(|| panic!("{host} {check}: {table}"))
            .to_string()
    };
    assert!(row("h1", "port 9092 (kafka.listener_port)").contains("REFUSED"), "{table}");
    assert!(row("h2", &format!("free space {DATA_DIR}")).contains("REFUSED"), "{table}");
    assert!(row("h3", "port 9092 (kafka.listener_port)").contains(" ok "), "{table}");
    assert!(row("h1", "port 9093 (kraft.controller_port)").contains(" ok "), "{table}");
    assert!(row("h1", "Java").contains(" ok "), "{table}");
    // The hosts share this machine's kernel clock: the offset measured inside the probe's round trip is tiny —
    // but for h3's faked one.
    for h in ["h1", "h2"] {
        let clock = row(h, "clock ");
        assert!(clock.contains(" ok ") && clock.contains("of this machine's"), "{clock}\n{table}");
    }
    let clock = row("h3", "clock ");
    assert!(clock.contains("WARN") && clock.contains("s ahead of this machine's"), "{clock}\n{table}");
    eprintln!("MEASURE preflight clock rows:\n{}\n{}\n{clock}", row("h1", "clock "), row("h2", "clock "));
    let thp = row("h1", "transparent huge pages");
    assert!(["always", "madvise", "never"].iter().any(|m| thp.contains(m)), "{thp}");
    // the network between the hosts: each cut a warning with the fix, the rest reachable (nothing listens yet) —
    // h2 → h1:9092 reaches the foreign listener
    for (from, to) in [("h1", "h3:9092 (kafka.listener_port)"), ("h1", "h3:9093 (kraft.controller_port)")] {
        let cut = row(from, &format!("reaches {to}"));
        assert!(cut.contains("WARN") && cut.contains("No route to host") && cut.contains("firewall-cmd"), "{cut}");
    }
    for (from, to) in [("h1", "h2:9093"), ("h3", "h2:9093"), ("h3", "h1:9092")] {
        let cut = row(from, &format!("reaches {to}"));
        assert!(cut.contains("WARN") && cut.contains("no answer in 2 s: a firewall drops it"), "{cut}\n{table}");
    }
    assert!(row("h2", "reaches h3:9092 (kafka.listener_port)").contains("reachable (nothing listens there yet)"));
    assert!(row("h2", "reaches h1:9092 (kafka.listener_port)").contains("connects"), "{table}");
    assert!(row("h3", "reaches h2:9092 (kafka.listener_port)").contains(" ok "), "{table}");
    eprintln!("MEASURE preflight reach rows:\n{}\n{}", row("h1", "reaches h3:9092"), row("h3", "reaches h2:9093"));

    let t0 = Instant::now();
    let refused = wizard(&["deploy", p]);
    let deploy_secs = t0.elapsed().as_secs_f64();
    let out = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{out}");
    let expected = [
        "preflight refused the run — nothing was changed on any host:".to_string(),
        format!(
            "  h1: port {port} (kafka.listener_port): held by python3 (pid {pid}), not by this cluster's \
             kafka-server.service — fix: stop that process (`ss -ltnp 'sport = :{port}'` shows it) or set \
             kafka.listener_port to a free port"
        ),
        format!(
            "  h2: free space {DATA_DIR} (data directory): 0 MiB free on {DATA_DIR}, below preflight.min_free_mb = \
             1024 — fix: free space on {DATA_DIR} or mount a larger disk at {DATA_DIR} (or lower [preflight] \
             min_free_mb)"
        ),
    ];
    for line in &expected {
        assert!(out.lines().any(|l| l.ends_with(line.as_str())), "missing {line:?} in:\n{out}");
    }
    // The refusal: its first line and the indented lines after it (the run log's path follows).
    let refusal: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.contains("preflight refused"))
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with("  "))
        .map(|(_, l)| l)
        .collect();
    eprintln!("REFUSAL as printed:\n{}", refusal.join("\n"));
    assert_eq!(refusal.len(), 3, "exactly the two planted problems: {out}");

    for h in world.hosts() {
        let state = world.ssh_ok(
            &h.name,
            "root",
            "echo config=$(test -e /etc/kafka && echo yes || echo no) \
             unit=$(test -e /etc/systemd/system/kafka-server.service && echo yes || echo no) \
             release=$(ls -d /opt/kafka* 2>/dev/null | wc -l) user=$(id -u kafka >/dev/null 2>&1 && echo yes || echo no) \
             units=$(systemctl list-units --all --no-legend 'kafka*' 'zookeeper*' | wc -l) \
             java=$(pgrep -c java || true)",
        );
        assert_eq!(state.trim(), "config=no unit=no release=0 user=no units=0 java=0", "{}: {state}", h.name);
    }
    eprintln!(
        "MEASURE preflight: --preflight-only on 3 hosts {preflight_secs:.1}s, refused deploy {deploy_secs:.1}s, \
         2 planted problems refused, nothing written on any of 3 hosts"
    );

    world.undrop_ports("h2");
    world.ssh_ok("h1", "root", &format!("ip route del unreachable {h3}/32"));
    world.ssh_ok("h3", "root", "rm /usr/local/bin/date");
    world.ssh_ok("h1", "root", &format!("systemctl stop {FOREIGN_UNIT}"));
    world.ssh_ok("h2", "root", &format!("umount {DATA_DIR} && rmdir {DATA_DIR} /var/lib/kafka"));

    a_stale_hosts_entry_warns_naming_the_peers_own_address(world, p);
}

/// The same hosts reached by their names (no `address`; the wizard finds them through the world's ssh_config, the
/// hosts through their /etc/hosts): a stale entry on h1 sending `h3` to h2's address is a warning naming h3's own
/// address, the names resolved right pass, and the run is not refused. The entry is removed again.
fn a_stale_hosts_entry_warns_naming_the_peers_own_address(world: &World, p: &str) {
    let inventory = world.inventory();
    let by_name: String = std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("address = "))
        .map(|l| match l.starts_with("known_hosts = ") {
            true => format!("known_hosts = \"{}\"\nuse_ssh_config = true\n", inventory.known_hosts.display()),
            false => format!("{l}\n"),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("by-name.toml");
    std::fs::write(&project, by_name).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::copy(&inventory.ssh_config, home.join(".ssh/config")).unwrap();

    let (h2, h3) = (world.host("h2").ip.clone(), world.host("h3").ip.clone());
    world.ssh_ok("h1", "root", &format!("sed -i '1i {h2} h3 # kw-stale' /etc/hosts && getent hosts h3"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-wizard"))
        .args(["deploy", "--preflight-only", project.to_str().unwrap()])
        .env("HOME", &home)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", crate::support::world::trusting_config_home())
        .output()
        .unwrap();
    world.ssh_ok("h1", "root", "sed -i '/# kw-stale/d' /etc/hosts");
    let table = text(&out);
    assert_eq!(out.status.code(), Some(0), "a warning does not refuse the run:\n{table}");
    let row = |host: &str, check: &str| {
        table
            .lines()
            .find(|l| l.starts_with(host) && l.contains(check))
            .unwrap_or_else(|| panic!("{host} {check}: {table}"))
    };
    let stale = row("h1", "resolves h3");
    assert!(
        stale.contains("WARN") && stale.contains(&format!("resolves to {h2}, none of that host's own addresses ({h3}")),
        "{stale}\n{table}"
    );
    for (host, name) in [("h1", "resolves h2"), ("h2", "resolves h3"), ("h3", "resolves h1")] {
        assert!(row(host, name).contains(" ok "), "{}\n{table}", row(host, name));
    }
    eprintln!("MEASURE preflight stale hosts entry: {stale}");
}

/// On the deployed, running cluster: a drop-in on h1 that lowers kafka-server.service's open-file limit (after a
/// daemon-reload, as systemd sees it) is a warning naming h1 and the drop-in, and gone once it is removed. Then the
/// kernel fixes where the operator asks: `--preflight-only --fix --dry-run` says what would change and changes
/// nothing; `--fix` keeps the settings that warned (this machine's kernel: vm.max_map_count 65530, swappiness 60) in
/// /etc/sysctl.d/60-kafka.conf (root, 0644) on every host and says per host and setting whether the kernel took it
/// now — checked against the value the kernel then has: the hosts are containers with a read-only /proc/sys, whose
/// vm.* is this machine's own, so the test first makes sure a write cannot reach it; a second `--fix` sees each
/// setting kept for the next boot and has nothing to make. The file stays for the deploy with `--fix-kernel` that
/// follows ([`a_deploy_with_fix_kernel_finds_the_fixes_in_place`]), which removes it.
pub fn the_services_open_file_limit_and_the_kernel_fixes(world: &World, p: &str) {
    const DROPIN: &str = "/etc/systemd/system/kafka-server.service.d/50-low-nofile.conf";
    const FILE: &str = "/etc/sysctl.d/60-kafka.conf";
    let t0 = Instant::now();
    world.ssh_ok(
        "h1",
        "root",
        &format!(
            "mkdir -p {dir} && printf '[Service]\\nLimitNOFILE=4096\\n' > {DROPIN} && systemctl daemon-reload",
            dir = "/etc/systemd/system/kafka-server.service.d"
        ),
    );
    let warned = wizard(&["deploy", "--preflight-only", p]);
    world.ssh_ok(
        "h1",
        "root",
        &format!("rm {DROPIN} && rmdir /etc/systemd/system/kafka-server.service.d && systemctl daemon-reload"),
    );
    let table = text(&warned);
    assert_eq!(warned.status.code(), Some(0), "a warning does not refuse:\n{table}");
    let row = |table: &str, host: &str, check: &str| {
        table
            .lines()
            .find(|l| l.starts_with(host) && l.contains(check))
            .unwrap_or_else(|| panic!("{host} {check}: {table}"))
            .to_string()
    };
    let low = row(&table, "h1", "open files kafka-server.service");
    assert!(
        low.contains("WARN")
            && low.contains("LimitNOFILE=4096")
            && low.contains(&format!("lowered by the drop-in {DROPIN}"))
            && low.contains(&format!("remove the LimitNOFILE line from {DROPIN}")),
        "{low}\n{table}"
    );
    for h in ["h2", "h3"] {
        let fine = row(&table, h, "open files kafka-server.service");
        assert!(fine.contains(" ok ") && fine.ends_with(" LimitNOFILE=100000"), "{fine}\n{table}");
    }
    let after = text(&ok(wizard(&["deploy", "--preflight-only", p])));
    assert!(row(&after, "h1", "open files kafka-server.service").contains(" ok "), "removed: {after}");
    eprintln!(
        "MEASURE preflight open-file limit: {low}\n  (plant, warn, remove, pass in {:.1}s)",
        t0.elapsed().as_secs_f64()
    );

    // The fixes: never let a write reach this machine's kernel through a host whose /proc/sys is writable.
    let kernel = |h: &str| {
        world
            .ssh_ok(h, "root", "cat /proc/sys/vm/max_map_count /proc/sys/vm/swappiness")
            .split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let before = kernel("h1");
    for h in world.hosts() {
        let mount = world.ssh_ok(&h.name, "root", "awk '$2 == \"/proc/sys\" { print $4 }' /proc/mounts");
        assert!(
            mount.split(',').any(|o| o.trim() == "ro"),
            "{}: /proc/sys is not read-only ({mount}): the fix would change this machine's kernel",
            h.name
        );
    }
    let warned_keys: Vec<&str> = ["vm.max_map_count", "vm.swappiness"]
        .into_iter()
        .filter(|k| row(&after, "h1", &format!("{k} ")).contains("WARN"))
        .collect();
    assert!(!warned_keys.is_empty(), "this machine's kernel ({before:?}) warns on nothing to fix: {after}");

    let t0 = Instant::now();
    let dry = text(&ok(wizard(&["deploy", "--preflight-only", "--fix", "--dry-run", p])));
    for h in world.hosts() {
        for k in &warned_keys {
            assert!(row(&dry, &format!("  {}", h.name), k).contains(&format!("would be kept in {FILE}")), "{dry}");
        }
        assert_eq!(
            world.ssh_ok(&h.name, "root", &format!("test -e {FILE} && echo yes || echo no")).trim(),
            "no",
            "a dry run wrote:\n{dry}"
        );
    }
    let first = text(&ok(wizard(&["deploy", "--preflight-only", "--fix", p])));
    let fix_secs = t0.elapsed().as_secs_f64();
    for h in world.hosts() {
        let file = world.ssh_ok(&h.name, "root", &format!("stat -c '%U:%G %a' {FILE} && grep -v '^#' {FILE}"));
        let expected: Vec<String> = warned_keys.iter().map(|k| expected_line(k)).collect();
        assert_eq!(
            file.lines().collect::<Vec<_>>(),
            [vec!["root:root 644"], expected.iter().map(String::as_str).collect()].concat(),
            "{}: {file}",
            h.name
        );
        let now = kernel(&h.name);
        for (i, k) in ["vm.max_map_count", "vm.swappiness"].iter().enumerate() {
            if !warned_keys.contains(k) {
                continue;
            }
            let line = row(&first, &format!("  {}", h.name), k);
            assert!(line.contains(&format!("kept in {FILE}")), "{line}\n{first}");
            // honest: "applied now" only when the kernel has it
            match line.contains("applying it now failed: ") {
                true => assert_eq!(now[i], before[i], "{line}"),
                false => assert!(line.ends_with("and applied now") && now[i] != before[i], "{line} {now:?}"),
            }
        }
    }
    // the fixes are a run of their own, logged
    let log = first.lines().rev().find_map(|l| l.strip_prefix("run log: ")).expect("a --fix keeps a run log");
    let logged = std::fs::read_to_string(log).unwrap();
    assert!(
        logged.contains(&format!("{}: kept in {FILE}", expected_line(warned_keys[0])))
            && logged.contains("\"verb\":\"preflight-fix\"")
            && logged.contains("\"result\":\"succeeded\""),
        "{logged}"
    );
    // a second `--fix`: each setting the kernel did not take is seen kept for the next boot (the table says so and
    // how to take it now) and not made again; one the kernel took passes
    let second = text(&ok(wizard(&["deploy", "--preflight-only", "--fix", p])));
    let now = kernel("h1");
    for h in world.hosts() {
        for (i, k) in ["vm.max_map_count", "vm.swappiness"].iter().enumerate() {
            if !warned_keys.contains(k) {
                continue;
            }
            let line = row(&second, &h.name, &format!("{k} "));
            match now[i] == before[i] {
                true => assert!(
                    line.contains("WARN")
                        && line.contains(&format!("is kept in {FILE} for the next boot"))
                        && line.contains(&format!("sysctl -p {FILE}")),
                    "{line}\n{second}"
                ),
                false => assert!(line.contains(" ok "), "{line}\n{second}"),
            }
        }
        assert!(second.contains(&format!("  {}: nothing to fix", h.name)), "{second}");
    }
    assert!(second.contains("\nnothing to fix on any host\n"), "{second}");
    eprintln!(
        "MEASURE preflight --fix on 3 hosts (dry run + fix) {fix_secs:.1}s; first:\n{}\nsecond:\n{}",
        first.lines().skip_while(|l| !l.starts_with("fixes")).collect::<Vec<_>>().join("\n"),
        second.lines().skip_while(|l| !l.starts_with("fixes")).collect::<Vec<_>>().join("\n")
    );
}

/// The line `--fix` keeps for a setting this machine's kernel warns about.
fn expected_line(key: &str) -> String {
    match key {
        "vm.max_map_count" => "vm.max_map_count = 262144".to_string(),
        _ => "vm.swappiness = 1".to_string(),
    }
}

/// `deploy --fix-kernel` on the hosts `--fix` already fixed (`out`: what the deploy printed): each host's warning
/// says its settings are kept for the next boot (the containers' kernel did not take them), with no fix offered
/// again; then the file is removed from every host.
pub fn a_deploy_with_fix_kernel_finds_the_fixes_in_place(world: &World, out: &str) {
    const FILE: &str = "/etc/sysctl.d/60-kafka.conf";
    for h in world.hosts() {
        let said = out
            .lines()
            .filter(|l| {
                l.trim_start().starts_with(&format!("{} ", h.name))
                    && l.contains(&format!("is kept in {FILE} for the next boot"))
                    && !l.contains("the wizard can make it")
            })
            .count();
        assert!(said >= 1, "{}: no fix event in:\n{out}", h.name);
        world.ssh_ok(&h.name, "root", &format!("rm {FILE}"));
    }
}
