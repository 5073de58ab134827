//! What a support bundle reads from one host, in ONE command (one round trip per host): the files the wizard
//! generates there as they are on the host now (a file holding a private key only as its owner, mode and size), the
//! last lines of every `*.log` in Kafka's and ZooKeeper's log directories, the journal and `systemctl status` of
//! each of the host's units, and the facts that matter to Kafka (OS, kernel, Java, CPU and memory, disks of the data
//! and log directories, the units' limits, the kernel settings the preflight checks, transparent huge pages,
//! listening sockets, the clock). Each item starts with a line `<boundary> <kind> <name>`; the boundary is random
//! per run, so no file's content can forge an item.

use crate::project::spec::{ClusterSpec, Coordination, HostSpec};
use crate::render::{render_host, Service};
use crate::shell::quote;

/// Files larger than this are cut (a generated config is a few KiB; this bounds a file replaced by something else).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Kernel settings that matter to Kafka and ZooKeeper (the preflight's, and the network's backlog).
const SYSCTLS: [&str; 6] =
    ["vm.max_map_count", "vm.swappiness", "fs.file-max", "fs.nr_open", "net.core.somaxconn", "vm.dirty_ratio"];

/// One item read from a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// A path on the host (file, log), a unit name (journal, unit status) or `facts`.
    pub name: String,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A generated file as it is on the host.
    File,
    /// A generated file that holds a private key: only `owner:group mode size`.
    Omitted,
    Log,
    Journal,
    UnitStatus,
    Facts,
}

impl ItemKind {
    const ALL: [ItemKind; 6] =
        [ItemKind::File, ItemKind::Omitted, ItemKind::Log, ItemKind::Journal, ItemKind::UnitStatus, ItemKind::Facts];

    pub fn word(self) -> &'static str {
        match self {
            ItemKind::File => "file",
            ItemKind::Omitted => "omitted",
            ItemKind::Log => "log",
            ItemKind::Journal => "journal",
            ItemKind::UnitStatus => "unit-status",
            ItemKind::Facts => "facts",
        }
    }
}

/// Whether a generated file is left out (only its metadata collected): it holds a private key. Other secret files
/// (JAAS, env files with passwords) are collected and redacted.
pub fn holds_private_key(path: &str) -> bool {
    [".pem", ".key", ".p12", ".jks", ".keystore"].iter().any(|ext| path.ends_with(ext)) && !path.ends_with("ca.pem")
}

/// The log directories of `host`'s services.
fn log_dirs(spec: &ClusterSpec, host: &HostSpec) -> Vec<String> {
    let mut dirs = Vec::new();
    if host.runs_kafka() {
        dirs.push(spec.kafka.log_dir.to_string());
    }
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, Service::Zookeeper.runs_on(host)) {
        if !dirs.contains(&z.log_dir.to_string()) {
            dirs.push(z.log_dir.to_string());
        }
    }
    dirs
}

/// The script that prints every item of `host`, each after a `<boundary> <kind> <name>` line; `lines` log and
/// journal lines per file or unit.
pub fn script(spec: &ClusterSpec, host: &HostSpec, boundary: &str, lines: u32) -> String {
    let item = |kind: ItemKind, name: &str| {
        format!("printf '%s\\n' {}\n", quote(&format!("{boundary} {} {name}", kind.word())))
    };
    let mut s = String::from("exec 2>&1\n");
    for file in render_host(spec, host) {
        let path = quote(&file.path);
        if holds_private_key(&file.path) {
            s.push_str(&item(ItemKind::Omitted, &file.path));
            s.push_str(&format!("stat -c '%U:%G %a %s bytes' {path} || true\n"));
        } else {
            s.push_str(&item(ItemKind::File, &file.path));
            s.push_str(&format!(
                "if [ -f {path} ]; then head -c {MAX_FILE_BYTES} {path}; else echo '(not on this host)'; fi\n"
            ));
        }
    }
    for dir in log_dirs(spec, host) {
        // the boundary line is printed by the loop for each file found, with its path
        s.push_str(&format!(
            "for f in {dir}/*.log; do [ -f \"$f\" ] || continue; printf '%s %s %s\\n' {b} log \"$f\"; tail -n {lines} -- \"$f\"; done\n",
            dir = quote(&dir),
            b = quote(boundary)
        ));
    }
    for service in Service::on(host) {
        let unit = service.unit();
        s.push_str(&item(ItemKind::UnitStatus, unit));
        s.push_str(&format!("systemctl status --no-pager -l {unit} | head -n 60 || true\n"));
        s.push_str(&item(ItemKind::Journal, unit));
        s.push_str(&format!("journalctl -u {unit} -n {lines} --no-pager -o short-iso || true\n"));
    }
    s.push_str(&item(ItemKind::Facts, "facts"));
    s.push_str(&facts_script(spec, host));
    s
}

/// The facts block: one `## <what>` heading per command.
fn facts_script(spec: &ClusterSpec, host: &HostSpec) -> String {
    let java = match &spec.kafka.java_home {
        Some(home) => quote(&format!("{home}/bin/java")).into_owned(),
        None => "java".to_string(),
    };
    let mut dirs: Vec<String> = host.data_dirs.iter().map(|d| d.to_string()).collect();
    dirs.extend(log_dirs(spec, host));
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, Service::Zookeeper.runs_on(host)) {
        dirs.push(z.data_dir.to_string());
    }
    let dirs: Vec<String> = dirs.iter().map(|d| quote(d).into_owned()).collect();
    let units: Vec<&str> = Service::on(host).into_iter().map(Service::unit).collect();
    let commands: Vec<(&str, String)> = vec![
        ("clock (UTC)", "date -u '+%Y-%m-%dT%H:%M:%S.%NZ'".into()),
        ("os", "cat /etc/os-release".into()),
        ("kernel", "uname -a".into()),
        ("uptime", "uptime".into()),
        ("cpus", "nproc".into()),
        ("memory", "free -m".into()),
        ("java", format!("{java} -version")),
        ("disks of the data and log directories", format!("df -hP {}", dirs.join(" "))),
        ("the units' limits", format!("systemctl show -p LimitNOFILE -p LimitNPROC -p MainPID {}", units.join(" "))),
        ("kernel settings", format!("sysctl {}", SYSCTLS.join(" "))),
        ("transparent huge pages", "cat /sys/kernel/mm/transparent_hugepage/enabled".into()),
        ("listening TCP sockets", "ss -ltnp".into()),
        ("the release", format!("ls -la {}", quote(spec.kafka.install_dir.as_str()))),
    ];
    let mut s = String::new();
    for (what, command) in commands {
        s.push_str(&format!("echo {}\n{command} || true\n", quote(&format!("## {what}: {command}"))));
    }
    s
}

/// The items in `output` (the script's), in order; text before the first boundary line is dropped.
pub fn parse(output: &str, boundary: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let prefix = format!("{boundary} ");
    for line in output.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(&prefix) {
            let rest = rest.trim_end_matches('\n');
            let (word, name) = rest.split_once(' ').unwrap_or((rest, ""));
            if let Some(kind) = ItemKind::ALL.into_iter().find(|k| k.word() == word) {
                items.push(Item { kind, name: name.to_string(), text: String::new() });
                continue;
            }
        }
        if let Some(last) = items.last_mut() {
            last.text.push_str(line);
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project;

    fn guide() -> ClusterSpec {
        let draft = project::parse(include_str!("../../tests/fixtures/seed-cluster.toml")).unwrap();
        project::validate(&draft).spec.unwrap()
    }

    #[test]
    fn items_are_split_at_boundary_lines_only_and_a_forged_boundary_needs_the_random_one() {
        let b = "@@kw-1234@@";
        let out = "noise\n@@kw-1234@@ file /etc/kafka/server.properties\nbroker.id=1\n@@kw-9999@@ log /x\n\
                   @@kw-1234@@ facts facts\n## os\nDebian\n";
        let items = parse(out, b);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].kind, ItemKind::File);
        assert_eq!(items[0].name, "/etc/kafka/server.properties");
        assert_eq!(items[0].text, "broker.id=1\n@@kw-9999@@ log /x\n");
        assert_eq!(items[1].kind, ItemKind::Facts);
        assert_eq!(items[1].text, "## os\nDebian\n");
    }

    #[test]
    fn the_script_reads_each_generated_file_each_units_journal_and_quotes_every_path() {
        let spec = guide();
        let host = spec.hosts.iter().find(|h| h.has(crate::project::spec::Role::Zookeeper)).unwrap();
        let s = script(&spec, host, "@@b@@", 200);
        assert!(s.contains("'@@b@@ journal zookeeper-server.service'"), "{s}");
        assert!(s.contains("journalctl -u zookeeper-server.service -n 200 "), "{s}");
        assert!(s.contains("tail -n 200 --"), "{s}");
        for file in render_host(&spec, host) {
            assert!(s.contains(&*quote(&file.path)), "{} is read", file.path);
        }
    }

    #[test]
    fn only_private_key_files_are_left_out_the_ca_certificate_is_kept() {
        assert!(holds_private_key("/etc/kafka/tls/node.pem"));
        assert!(!holds_private_key("/etc/kafka/tls/ca.pem"));
        assert!(!holds_private_key("/etc/kafka/kafka-server-jaas.conf"));
    }
}
