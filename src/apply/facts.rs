//! Facts: what a host looks like now, read in ONE round trip by a probe script, parsed by a pure function.
//!
//! The probe asks for exactly what the operations compare against: OS and init system, Java, the service user,
//! the installed release and symlink, the SHA-512 of every file the wizard would write, owner/mode of every
//! directory, KRaft `meta.properties` of the data directories, unit states; in ZooKeeper mode whether a member's
//! data directory has data, the record of SCRAM users written into ZooKeeper, what an interrupted run left
//! (`apply::leftovers`); and preflight's part (listening
//! sockets and their owners, free space, kernel settings: `preflight::probe`).

use super::decide::scram_users;
use super::pending;
use crate::plan;
use crate::project::spec::{ClusterSpec, Coordination, HostSpec, Role};
use crate::render::{self, Service};
use crate::shell::quote;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnitState {
    /// `systemctl is-enabled`: enabled, disabled, not-found, …
    pub enabled: String,
    /// `systemctl is-active`: active, inactive, failed, activating, …
    pub active: String,
    /// systemd has an older version of the unit file loaded than the one on disk (`NeedDaemonReload`).
    pub needs_daemon_reload: bool,
}

impl UnitState {
    pub fn is_active(&self) -> bool {
        self.active == "active" || self.active == "activating" || self.active == "reloading"
    }
    pub fn is_enabled(&self) -> bool {
        self.enabled == "enabled"
    }
}

/// The keys of a host's `server.properties` that tell a migration to KRaft's stage (all false/None when missing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServerMode {
    /// `zookeeper.metadata.migration.enable=true`.
    pub migration_flag: bool,
    /// `process.roles` (a KRaft node): `broker`, `controller`, `broker,controller`.
    pub process_roles: Option<String>,
    /// `zookeeper.connect` is set.
    pub zookeeper_connect: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HostFacts {
    /// `ID VERSION_ID` from /etc/os-release.
    pub os: String,
    pub systemd: bool,
    /// First line of `java -version`, and the major version parsed from it.
    pub java: Option<String>,
    pub java_major: Option<u16>,
    pub user_exists: bool,
    pub group_exists: bool,
    /// Where `<install_dir>/kafka` points, when it is a symlink.
    pub link_target: Option<String>,
    /// The versioned directory holds an unpacked release (its start script exists).
    pub release_present: bool,
    /// ZooKeeper mode: the `inter.broker.protocol.version` the host's `server.properties` pins (an upgrade not yet
    /// finalized, `apply::upgrade`); `None` when the key is absent.
    pub pinned_protocol: Option<String>,
    /// What `server.properties` says of a migration to KRaft (`apply::migrate`): its migration flag, its KRaft
    /// `process.roles`, and whether it names ZooKeeper.
    pub server_mode: ServerMode,
    /// A dynamic quorum's `controller.quorum.bootstrap.servers` as the host's `server.properties` has it (the last
    /// occurrence), so a change of only that line is written without a restart (`apply::decide`).
    pub bootstrap_servers: Option<String>,
    /// The host's `server.properties` sets `controller.quorum.voters` (a static KRaft quorum, or a migration).
    pub static_voters: bool,
    /// SHA-512 (lowercase hex) of each generated file's current content on the host; `None` when missing.
    pub files: BTreeMap<String, Option<String>>,
    /// `owner:group mode` (mode in octal, e.g. `640`) of each generated file that exists.
    pub file_modes: BTreeMap<String, String>,
    /// `owner:group mode` (mode in octal, e.g. `750`) of each directory; `None` when missing.
    pub dirs: BTreeMap<String, Option<String>>,
    /// `cluster.id` from `meta.properties` in each data directory that has one.
    pub meta_cluster_ids: BTreeMap<String, String>,
    pub units: BTreeMap<String, UnitState>,
    /// Units that owe a restart from an earlier run (`apply::pending`).
    pub pending_restart: BTreeSet<String>,
    /// ZooKeeper mode with SASL: the SCRAM credentials written into ZooKeeper from this host, per user the digest
    /// of what was written (`apply::decide::scram_users`).
    pub scram_users: BTreeMap<String, String>,
    /// An ensemble member's data directory holds ZooKeeper data (`version-2`): it has run.
    pub zookeeper_data: bool,
    /// An ensemble member's `zookeeper.properties` sets `sslQuorum=true` (the last occurrence): its members speak TLS
    /// to each other (`apply::secrets::refuse_quorum_tls_switch`).
    pub zookeeper_ssl_quorum: bool,
    /// Temporary names an interrupted run left (`apply::leftovers`).
    pub leftovers: Vec<super::leftovers::Leftover>,
    /// What preflight judges: listeners and their owners, free space, kernel settings (`apply::preflight`).
    pub preflight: super::preflight::probe::PreflightFacts,
}

impl HostFacts {
    /// The state of `service`'s unit (not found: all empty).
    pub fn unit(&self, service: Service) -> UnitState {
        self.units.get(service.unit()).cloned().unwrap_or_default()
    }
    pub fn is_active(&self, service: Service) -> bool {
        self.unit(service).is_active()
    }
    pub fn is_enabled(&self, service: Service) -> bool {
        self.unit(service).is_enabled()
    }
    /// An earlier run changed what `service` runs and did not restart it (see `apply::pending`).
    pub fn owes_restart(&self, service: Service) -> bool {
        self.pending_restart.contains(service.unit())
    }
}

/// The probe Test connection runs — and the first lines of every host's probe: OS, init system and Java
/// (`java_home` when the project sets one). Read-only; its output parses with [`parse_probe`].
pub fn reach_probe_script(java_home: Option<&str>) -> String {
    let java = match java_home {
        Some(home) => quote(&format!("{home}/bin/java")).into_owned(),
        None => "java".to_string(),
    };
    let mut s = String::from("export LC_ALL=C\n");
    s.push_str("echo \"os $(. /etc/os-release 2>/dev/null; echo \"${ID:-unknown} ${VERSION_ID:-}\")\"\n");
    s.push_str("if [ -d /run/systemd/system ]; then echo 'systemd yes'; else echo 'systemd no'; fi\n");
    s.push_str(&java_probe(&java));
    s
}

/// The `java` line: the version a Java runtime declares in its `release` file (`JAVA_VERSION="17.0.15"`, beside
/// `bin/` in every OpenJDK build since Java 9, Debian's and Red Hat's packages included), found through the
/// executable's real path — a file read instead of a JVM start, which on a busy host costs a second of CPU per probe
/// and was most of a no-change re-run's time. Without a readable `release` (Java 8, a hand-made runtime), the first
/// line of `java -version`, as before. `java` is the command, already quoted.
fn java_probe(java: &str) -> String {
    format!(
        "jr=$(readlink -f \"$(command -v {java})\" 2>/dev/null); jh=${{jr%/bin/java}}\n\
         jv=; [ -r \"$jh/release\" ] && while IFS= read -r l || [ -n \"$l\" ]; do case $l in JAVA_VERSION=\\\"*\\\") \
         jv=${{l#JAVA_VERSION=\\\"}}; jv=${{jv%\\\"}}; break;; esac; done < \"$jh/release\"\n\
         if [ -x \"$jr\" ] && [ \"$jh\" != \"$jr\" ] && [ -n \"$jv\" ]; then echo \"java version \\\"$jv\\\" at $jh\"\n\
         else echo \"java $({java} -version 2>&1 | head -n 1)\"; fi\n"
    )
}

/// The probe script for one host. Read-only; every path quoted.
pub fn probe_script(spec: &ClusterSpec, host: &HostSpec) -> String {
    let k = &spec.kafka;
    let user = quote(&k.user);
    let mut s = reach_probe_script(k.java_home.as_ref().map(|h| h.as_str()));
    s.push_str(&format!("if id -u {user} >/dev/null 2>&1; then echo 'user yes'; else echo 'user no'; fi\n"));
    s.push_str(&format!("if getent group {user} >/dev/null 2>&1; then echo 'group yes'; else echo 'group no'; fi\n"));
    let link = k.current_link();
    s.push_str(&format!("if [ -L {l} ]; then echo \"link $(readlink {l})\"; fi\n", l = quote(link.as_str())));
    let start = format!("{}/bin/kafka-server-start.sh", k.versioned_dir());
    s.push_str(&format!("if [ -f {} ]; then echo 'release yes'; else echo 'release no'; fi\n", quote(&start)));
    let server_path = spec.kafka.config_dir.join("server.properties");
    let server = quote(server_path.as_str());
    s.push_str(&server_mode_probe(&server));
    let agent = spec.monitoring.as_ref().map(|_| render::monitoring::agent_path(spec));
    let files: Vec<String> = render::render_host(spec, host).into_iter().map(|f| f.path).chain(agent).collect();
    s.push_str(&files_probe(&files));
    let dirs: Vec<String> = plan::directories(spec, host).into_iter().map(|d| d.path.to_string()).collect();
    s.push_str(&dirs_probe(&dirs));
    if host.runs_kafka() {
        s.push_str(&meta_probe(&host.data_dirs.iter().map(|d| d.to_string()).collect::<Vec<_>>()));
    }
    s.push_str(&units_probe());
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, host.has(Role::Zookeeper)) {
        s.push_str(&format!(
            "if [ -d {} ]; then echo 'zkdata yes'; fi\n\
             sed -n 's/^sslQuorum=\\(.*\\)$/zkssl \\1/p' {} 2>/dev/null\n",
            quote(z.data_dir.join("version-2").as_str()),
            quote(render::zookeeper::config_path(spec).as_str()),
        ));
    }
    let record = quote(scram_users::RECORD);
    s.push_str(&format!("if [ -f {record} ]; then sed 's/^/scram /' {record}; fi\n"));
    s.push_str(&pending::probe_script());
    s.push_str(&super::leftovers::probe_script(spec, host));
    s.push_str(&super::preflight::probe::probe_script(spec, host));
    s
}

/// The probe's `meta CLUSTER_ID DIR` lines: the first `cluster.id` of each data directory's `meta.properties`, read
/// by the shell's own `read` (no process per directory).
fn meta_probe(data_dirs: &[String]) -> String {
    let mut s = String::new();
    for dir in data_dirs {
        let file = quote(&format!("{dir}/meta.properties")).into_owned();
        s.push_str(&format!(
            "if [ -f {file} ]; then while IFS= read -r l || [ -n \"$l\" ]; do case $l in cluster.id=*) \
             echo \"meta ${{l#cluster.id=}} \"{d}; break;; esac; done < {file}; fi\n",
            d = quote(dir)
        ));
    }
    s
}

/// The probe's lines of the generated files: `file - - - PATH` for each one missing, and for those present ONE
/// `sha512sum` (`sum HASH  PATH`) and ONE `stat` (`fmode OWNER:GROUP MODE PATH`) — five processes per file were most
/// of the probe's time. The paths are the project's (no whitespace or backslash: `project::checks::abs_path`), so
/// neither tool escapes them and each line's path is the rest of it.
fn files_probe(paths: &[String]) -> String {
    let list: Vec<String> = paths.iter().map(|p| quote(p).into_owned()).collect();
    format!(
        "set --; for f in {}; do if [ -f \"$f\" ]; then set -- \"$@\" \"$f\"; else echo \"file - - - $f\"; fi; done\n\
         if [ $# -gt 0 ]; then sha512sum -- \"$@\" | sed 's/^/sum /'; stat -c 'fmode %U:%G %a %n' -- \"$@\"; fi\n",
        list.join(" ")
    )
}

/// The probe's `dir OWNER:GROUP MODE PATH` lines (`dir - - PATH` for one missing): one `stat` for all.
fn dirs_probe(paths: &[String]) -> String {
    let list: Vec<String> = paths.iter().map(|p| quote(p).into_owned()).collect();
    format!(
        "set --; for d in {}; do if [ -d \"$d\" ]; then set -- \"$@\" \"$d\"; else echo \"dir - - $d\"; fi; done\n\
         if [ $# -gt 0 ]; then stat -c 'dir %U:%G %a %n' -- \"$@\"; fi\n",
        list.join(" ")
    )
}

/// The probe's lines of the wizard's units, from ONE `systemctl show` of both (each `systemctl` costs a process and a
/// round trip to systemd, ten of them were a third of the probe's time): per unit `unit ENABLED ACTIVE UNIT` (what
/// `systemctl is-enabled` and `is-active` say: `UnitFileState`, or `not-found` for a unit systemd cannot load, and
/// `ActiveState`), `reload yes|no UNIT` (`NeedDaemonReload`; also yes for a unit systemd failed to load —
/// `LoadState` `error` or `bad-setting`, kept from an earlier load until a daemon-reload, even once its file is right
/// again), preflight's `mainpid UNIT PID` (`MainPID`) and, for an installed unit, `nofile UNIT SOFT HARD`
/// (`LimitNOFILESoft`, `LimitNOFILE`) with a `nofiledropin UNIT PATH VALUE` line per `LimitNOFILE` line of its drop-ins
/// (`DropInPaths`, read by awk itself: no process more; `preflight::unit_limits`). systemd prints each unit's
/// properties as a block, in its own order, blocks separated by an empty line.
fn units_probe() -> String {
    let units = [Service::Kafka, Service::Zookeeper].map(Service::unit).join(" ");
    format!(
        "systemctl show -p Id,LoadState,UnitFileState,ActiveState,NeedDaemonReload,MainPID,LimitNOFILE,LimitNOFILESoft,DropInPaths {units} 2>/dev/null | awk '\n\
         function flush() {{ if (id != \"\") {{ print \"unit \" (load == \"not-found\" ? \"not-found\" : file) \" \" active \" \" id; \
         print \"reload \" (load == \"error\" || load == \"bad-setting\" ? \"yes\" : reload) \" \" id; print \"mainpid \" id \" \" pid; \
         if (load != \"not-found\" && hard != \"\") {{ print \"nofile \" id \" \" soft \" \" hard; n = split(dropins, paths, \" \"); \
         for (i = 1; i <= n; i++) {{ while ((getline line < paths[i]) > 0) if (line ~ /^[ \\t]*LimitNOFILE[ \\t]*=/) {{ \
         sub(/^[^=]*=[ \\t]*/, \"\", line); print \"nofiledropin \" id \" \" paths[i] \" \" line }} close(paths[i]) }} }} }} \
         id = load = file = active = reload = pid = soft = hard = dropins = \"\" }}\n\
         /^$/ {{ flush(); next }}\n\
         {{ key = substr($0, 1, index($0, \"=\") - 1); value = substr($0, index($0, \"=\") + 1) }}\n\
         key == \"Id\" {{ id = value }} key == \"LoadState\" {{ load = value }} key == \"UnitFileState\" {{ file = value }}\n\
         key == \"ActiveState\" {{ active = value }} key == \"NeedDaemonReload\" {{ reload = value }} key == \"MainPID\" {{ pid = value }}\n\
         key == \"LimitNOFILE\" {{ hard = value }} key == \"LimitNOFILESoft\" {{ soft = value }} key == \"DropInPaths\" {{ dropins = value }}\n\
         END {{ flush() }}'\n"
    )
}

/// The probe's lines read from `server.properties` (`server`, already quoted) by ONE `sed`: [`ServerMode`]'s
/// `migration`, `roles` and `zkconnect`, and `pinned` (`inter.broker.protocol.version`; every occurrence, the parser
/// keeps the last as Java's `Properties` does), `qboot` (a dynamic quorum's `controller.quorum.bootstrap.servers`,
/// as written) and `qvoters` (a static quorum's `controller.quorum.voters` is set).
fn server_mode_probe(server: &str) -> String {
    format!(
        "sed -n -e 's/^zookeeper\\.metadata\\.migration\\.enable=\\(.*\\)$/migration \\1/p' \
         -e 's/^process\\.roles=\\(.*\\)$/roles \\1/p' -e 's/^zookeeper\\.connect=.*/zkconnect yes/p' \
         -e 's/^inter\\.broker\\.protocol\\.version=\\(.*\\)$/pinned \\1/p' \
         -e 's/^controller\\.quorum\\.bootstrap\\.servers=\\(.*\\)$/qboot \\1/p' \
         -e 's/^controller\\.quorum\\.voters=.*/qvoters yes/p' {server} 2>/dev/null\n"
    )
}

/// Parses the probe's output. Unknown lines are ignored (a newer probe against an older parser stays safe).
pub fn parse_probe(output: &str) -> HostFacts {
    let mut f = HostFacts::default();
    for line in output.lines() {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        match kind {
            "os" => f.os = rest.trim().to_string(),
            "systemd" => f.systemd = rest == "yes",
            "java" => {
                let rest = rest.trim();
                if !rest.is_empty() && !rest.contains("not found") && !rest.contains("No such file") {
                    f.java_major = java_major(rest);
                    f.java = Some(rest.to_string());
                }
            }
            "user" => f.user_exists = rest == "yes",
            "group" => f.group_exists = rest == "yes",
            "link" => f.link_target = Some(rest.to_string()),
            "release" => f.release_present = rest == "yes",
            "pinned" => f.pinned_protocol = Some(rest.trim().to_string()).filter(|v| !v.is_empty()),
            "qboot" => f.bootstrap_servers = Some(rest.to_string()),
            "qvoters" => f.static_voters = true,
            "migration" => f.server_mode.migration_flag = rest.trim() == "true",
            "roles" if !rest.trim().is_empty() => f.server_mode.process_roles = Some(rest.trim().to_string()),
            "zkconnect" => f.server_mode.zookeeper_connect = true,
            "file" => {
                let mut parts = rest.splitn(4, ' ');
                if let (Some(sum), Some(owner), Some(mode), Some(path)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                {
                    let sum = (sum != "-" && sum.len() == 128).then(|| sum.to_string());
                    if sum.is_some() {
                        f.file_modes.insert(path.to_string(), format!("{owner} {mode}"));
                    }
                    f.files.insert(path.to_string(), sum);
                }
            }
            "sum" => {
                if let Some((sum, path)) = rest.split_once("  ") {
                    if sum.len() == 128 && sum.bytes().all(|b| b.is_ascii_hexdigit()) {
                        f.files.insert(path.to_string(), Some(sum.to_string()));
                    }
                }
            }
            "fmode" => {
                let mut parts = rest.splitn(3, ' ');
                if let (Some(owner), Some(mode), Some(path)) = (parts.next(), parts.next(), parts.next()) {
                    f.file_modes.insert(path.to_string(), format!("{owner} {mode}"));
                }
            }
            "dir" => {
                let mut parts = rest.splitn(3, ' ');
                if let (Some(owner), Some(mode), Some(path)) = (parts.next(), parts.next(), parts.next()) {
                    let state = (owner != "-").then(|| format!("{owner} {mode}"));
                    f.dirs.insert(path.to_string(), state);
                }
            }
            "meta" => {
                if let Some((id, path)) = rest.split_once(' ') {
                    if !id.is_empty() {
                        f.meta_cluster_ids.insert(path.to_string(), id.to_string());
                    }
                }
            }
            "unit" => {
                let parts: Vec<&str> = rest.split(' ').collect();
                let state = f.units.entry(parts[parts.len() - 1].to_string()).or_default();
                if let [enabled, active, _] = parts[..] {
                    (state.enabled, state.active) = (enabled.into(), active.into());
                }
            }
            "reload" => {
                if let Some((answer, unit)) = rest.split_once(' ') {
                    f.units.entry(unit.to_string()).or_default().needs_daemon_reload = answer == "yes";
                }
            }
            "scram" => {
                if let Some((user, digest)) = rest.split_once(' ') {
                    f.scram_users.insert(user.to_string(), digest.trim().to_string());
                }
            }
            "zkdata" => f.zookeeper_data = rest == "yes",
            "zkssl" => f.zookeeper_ssl_quorum = rest.trim() == "true",
            "pending" => {
                f.pending_restart.insert(rest.trim().to_string());
            }
            "leftover" => f.leftovers.extend(super::leftovers::parse_line(rest)),
            "leftover-key" => f.leftovers.extend(super::leftovers::parse_key_line(rest)),
            kind => {
                super::preflight::probe::parse_line(&mut f.preflight, kind, rest);
            }
        }
    }
    f
}

/// `openjdk version "17.0.15" 2025-04-15` → 17; `java version "1.8.0_292"` → 8.
pub fn java_major(line: &str) -> Option<u16> {
    let quoted = line.split('"').nth(1)?;
    let mut parts = quoted.split(['.', '_', '-', '+']);
    let first: u16 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests;
