//! Preflight's part of the facts probe (the same round trip as `facts::probe_script`) and its pure parsers: who
//! listens on which TCP port (`ss -Hltnp`) with each listener's cgroup and the wizard's units' main PIDs, free space
//! on the file system that holds (or will hold) each data and log directory (`df -Pk` of its nearest existing
//! ancestor), the kernel settings Kafka cares about, and (`environment.rs`) the clock, huge pages and names.

use super::remedy::{SYSCTL_FILE, THP_FILE};
use crate::project::spec::{ClusterSpec, Coordination, Ensemble, HostSpec};
use crate::render::Service;
use crate::shell::quote;
use serde::Serialize;
use std::collections::BTreeMap;

/// The kernel settings the probe reads: the name, and its file under `/proc/sys`.
pub const SYSCTLS: [(&str, &str); 3] =
    [("vm.max_map_count", "vm/max_map_count"), ("vm.swappiness", "vm/swappiness"), ("fs.nr_open", "fs/nr_open")];

/// A process holding a listening socket, as `ss -p` names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Process {
    pub name: String,
    pub pid: u32,
}

/// One listening TCP socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Socket {
    pub port: u16,
    /// Empty when the probe may not see the owner (not root).
    pub processes: Vec<Process>,
}

/// Free space where a directory lives (its nearest existing ancestor's file system).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Space {
    pub available_kib: u64,
    pub mount: String,
}

/// What preflight reads on a host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PreflightFacts {
    pub sockets: Vec<Socket>,
    /// `/proc/<pid>/cgroup` of every process that holds a listening socket (its lines joined by spaces).
    pub cgroups: BTreeMap<u32, String>,
    /// `MainPID` of the wizard's units that run (0 = none).
    pub main_pids: BTreeMap<String, u32>,
    /// Per directory, the free space of the file system it is (or will be) on.
    pub space: BTreeMap<String, Space>,
    /// `vm.max_map_count`, `vm.swappiness`, `fs.nr_open` as read.
    pub sysctls: BTreeMap<String, u64>,
    /// The numeric settings of [`SYSCTL_FILE`] (the last of a key wins, as systemd-sysctl reads it): what the
    /// kernel gets at the next boot.
    pub kept_sysctls: BTreeMap<String, u64>,
    /// Per installed unit of the wizard's, its open-file limit as systemd sees it (`preflight::unit_limits`).
    pub unit_limits: BTreeMap<String, super::unit_limits::UnitLimit>,
    /// The clock, time sync, huge pages, name resolution (`preflight::environment`).
    pub environment: super::environment::EnvironmentFacts,
    /// The ports on other hosts its services dial, as its second round trip found them (`preflight::reach`; empty
    /// when nothing was probed).
    pub reach: Vec<(super::reach::PeerPort, super::reach::Reach)>,
}

/// A directory whose free space preflight checks: the path, what it is (for messages) and the service that uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasuredDir {
    pub path: String,
    pub what: &'static str,
    pub service: Service,
}

/// The directories of `host` that need free space: a Kafka node's data directories and log directory, an
/// ensemble member's ZooKeeper data and log directories (each once).
pub fn measured_dirs(spec: &ClusterSpec, host: &HostSpec) -> Vec<MeasuredDir> {
    let mut dirs = Vec::new();
    if host.runs_kafka() {
        for d in &host.data_dirs {
            dirs.push(MeasuredDir { path: d.to_string(), what: "data directory", service: Service::Kafka });
        }
        dirs.push(MeasuredDir { path: spec.kafka.log_dir.to_string(), what: "kafka.log_dir", service: Service::Kafka });
    }
    if let Coordination::Zookeeper(z) = &spec.coordination {
        if matches!(z.ensemble, Ensemble::Managed(_)) && host.has(crate::project::spec::Role::Zookeeper) {
            let zk = Service::Zookeeper;
            dirs.push(MeasuredDir { path: z.data_dir.to_string(), what: "zookeeper.data_dir", service: zk });
            dirs.push(MeasuredDir { path: z.log_dir.to_string(), what: "zookeeper.log_dir", service: zk });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    dirs.retain(|d| seen.insert(d.path.clone()));
    dirs
}

/// The probe lines preflight adds (read-only; every path quoted), with as few processes as the shell allows — each
/// costs a fork and an exec on every host of every run, and on a busy host the probe's processes were most of a
/// no-change re-run's time: `ss` once, its lines, every listener's cgroup and the kernel settings printed by ONE
/// `awk`; ONE `df` for every measured directory.
pub fn probe_script(spec: &ClusterSpec, host: &HostSpec) -> String {
    // The `mainpid` lines come with the units' (`apply::facts`' one `systemctl show`).
    let mut s = listeners_and_sysctls_probe();
    s.push_str(&space_probe(&measured_dirs(spec, host)));
    s.push_str(&super::environment::probe_script(spec, host));
    s.push_str(super::environment::CLOCK_LINE);
    s
}

/// ONE `ss`, ONE `awk`: the `sysctl NAME VALUE` lines of [`SYSCTLS`] (read by the awk before its input: a file it
/// cannot read gives no line; not the shell's `read` — dash reads a byte at a time, and a `/proc/sys` file answers
/// only the first read, so `65530` read as `6`), the `keptsysctl LINE` / `keptthp LINE` lines of the files the
/// wizard's fixes keep for the next boot ([`SYSCTL_FILE`], [`THP_FILE`]; none when absent), the `ss LINE` lines of
/// `ss -Hltnp`, and a `cgroup PID LINES` line (`/proc/PID/cgroup`, its lines joined by spaces) for each process
/// holding a listening socket.
fn listeners_and_sysctls_probe() -> String {
    let sysctls: Vec<String> = SYSCTLS.iter().map(|(name, file)| format!("{name}=/proc/sys/{file}")).collect();
    format!(
        "ss -Hltnp 2>/dev/null | awk 'BEGIN {{ n = split(\"{sysctls}\", s, \" \")\n\
         for (i = 1; i <= n; i++) {{ eq = index(s[i], \"=\"); f = substr(s[i], eq + 1)\n\
         if ((getline v < f) > 0) print \"sysctl \" substr(s[i], 1, eq - 1) \" \" v; close(f) }}\n\
         f = \"{SYSCTL_FILE}\"; while ((getline l < f) > 0) print \"keptsysctl \" l; close(f)\n\
         f = \"{THP_FILE}\"; while ((getline l < f) > 0) print \"keptthp \" l; close(f) }}\n\
         {{ print \"ss \" $0; rest = $0\n\
         while (match(rest, /pid=[0-9]+/)) {{ pid = substr(rest, RSTART + 4, RLENGTH - 4); rest = substr(rest, RSTART + RLENGTH)\n\
         if (!(pid in seen)) {{ seen[pid] = 1; c = \"\"; f = \"/proc/\" pid \"/cgroup\"; while ((getline l < f) > 0) c = c l \" \"\n\
         close(f); print \"cgroup \" pid \" \" c }} }} }}'\n",
        sysctls = sysctls.join(" ")
    )
}

/// `echo "LABEL <the first line of FILE>"` through the shell's `read` (no process; an unreadable file gives an empty
/// value). `label` and `file` are the wizard's constants, without quotes or `$`. Not for `/proc/sys` (see
/// [`listeners_and_sysctls_probe`]); `/sys` files answer a byte at a time.
pub fn read_line(label: &str, file: &str) -> String {
    format!("v=; read -r v 2>/dev/null < {file}; echo \"{label} $v\"\n")
}

/// The `df PATH ROW` lines: each directory's nearest existing ancestor (found with the shell's own `${p%/*}`), then
/// ONE `df -Pk` of them all — it prints a row per operand, in order, duplicates too. Should it print another number
/// of rows (an operand it could not read), each directory is measured alone and one that fails gives no line.
fn space_probe(dirs: &[MeasuredDir]) -> String {
    if dirs.is_empty() {
        return String::new();
    }
    let mut s = String::from("set --\n");
    for dir in dirs {
        s.push_str(&format!(
            "p={}; while [ ! -e \"$p\" ]; do p=${{p%/*}}; p=${{p:-/}}; done; set -- \"$@\" \"$p\"\n",
            quote(&dir.path)
        ));
    }
    let names: Vec<&str> = dirs.iter().map(|d| d.path.as_str()).collect();
    // The paths are the project's (no whitespace or backslash: `project::checks::abs_path`): a space-separated list
    // is safe to hand to awk.
    let names = quote(&names.join(" ")).into_owned();
    s.push_str(&format!(
        "df -Pk -- \"$@\" 2>/dev/null | awk -v n={n} -v names={names} 'NR > 1 {{ row[NR - 1] = $0 }}\n\
         END {{ if (NR - 1 != n) exit 1; split(names, d, \" \"); for (i = 1; i <= n; i++) print \"df \" d[i] \" \" row[i] }}' ||\n\
         for d in {list}; do p=$1; shift; df -Pk -- \"$p\" 2>/dev/null | awk -v d=\"$d\" 'NR == 2 {{ print \"df \" d \" \" $0 }}'; done\n",
        n = dirs.len(),
        list = dirs.iter().map(|d| quote(&d.path).into_owned()).collect::<Vec<_>>().join(" "),
    ));
    s
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;

/// Takes one probe line of preflight's kinds (`ss`, `cgroup`, `mainpid`, `df`, `sysctl`, `keptsysctl`, `nofile`,
/// `nofiledropin`); false for another kind.
pub fn parse_line(f: &mut PreflightFacts, kind: &str, rest: &str) -> bool {
    match kind {
        "ss" => f.sockets.extend(parse_ss_line(rest)),
        "cgroup" => {
            if let Some((pid, cgroup)) = rest.split_once(' ') {
                if let Ok(pid) = pid.parse() {
                    f.cgroups.insert(pid, cgroup.trim().to_string());
                }
            }
        }
        "mainpid" => {
            if let Some((unit, pid)) = rest.split_once(' ') {
                f.main_pids.insert(unit.to_string(), pid.trim().parse().unwrap_or(0));
            }
        }
        "df" => {
            if let Some((path, row)) = rest.split_once(' ') {
                if let Some(space) = parse_df_row(row) {
                    f.space.insert(path.to_string(), space);
                }
            }
        }
        "sysctl" => {
            if let Some((name, value)) = rest.split_once(' ') {
                if let Ok(v) = value.trim().parse() {
                    f.sysctls.insert(name.to_string(), v);
                }
            }
        }
        "keptsysctl" => {
            for (key, value) in super::remedy::parse_sysctl_file(rest) {
                if let Ok(v) = value.parse() {
                    f.kept_sysctls.insert(key, v);
                }
            }
        }
        "nofile" | "nofiledropin" => return super::unit_limits::parse_line(f, kind, rest),
        other => return super::environment::parse_line(&mut f.environment, other, rest),
    }
    true
}

/// One line of `ss -Hltnp`: `LISTEN 0 50 0.0.0.0:9092 0.0.0.0:* users:(("java",pid=812,fd=120))` — the local
/// port (IPv4, `[::]:p`, `*:p`) and the processes.
pub fn parse_ss_line(line: &str) -> Option<Socket> {
    let local = line.split_whitespace().nth(3)?;
    let port = local.rsplit_once(':')?.1.parse().ok()?;
    let processes = match line.split_once("users:(") {
        None => Vec::new(),
        Some((_, users)) => users
            .split("(\"")
            .skip(1)
            .filter_map(|entry| {
                let (name, rest) = entry.split_once('"')?;
                let pid = rest.split_once("pid=")?.1;
                let digits: String = pid.chars().take_while(char::is_ascii_digit).collect();
                Some(Process { name: name.to_string(), pid: digits.parse().ok()? })
            })
            .collect(),
    };
    Some(Socket { port, processes })
}

/// The data row of `df -Pk`: `Filesystem 1024-blocks Used Available Capacity Mounted-on` → the available KiB and
/// the mount point.
pub fn parse_df_row(row: &str) -> Option<Space> {
    let fields: Vec<&str> = row.split_whitespace().collect();
    if fields.len() < 6 {
        return None;
    }
    let available_kib = fields[3].parse().ok()?;
    Some(Space { available_kib, mount: fields[5..].join(" ") })
}

impl PreflightFacts {
    /// The processes listening on `port` (empty when none is, or when their owners are hidden), and whether any
    /// socket listens on it.
    pub fn listeners(&self, port: u16) -> (bool, Vec<&Process>) {
        let on_port: Vec<&Socket> = self.sockets.iter().filter(|s| s.port == port).collect();
        let mut processes: Vec<&Process> = on_port.iter().flat_map(|s| &s.processes).collect();
        processes.sort_by_key(|p| p.pid);
        processes.dedup();
        (!on_port.is_empty(), processes)
    }

    /// The process is one of the cluster's own services: the main PID of one of the wizard's units, or in its
    /// cgroup (`0::/system.slice/kafka-server.service`).
    pub fn is_own(&self, process: &Process) -> bool {
        let units = [Service::Kafka, Service::Zookeeper].map(Service::unit);
        let main = units.iter().any(|u| self.main_pids.get(*u).is_some_and(|pid| *pid != 0 && *pid == process.pid));
        let cgroup = self
            .cgroups
            .get(&process.pid)
            .is_some_and(|text| text.split([' ', '/', ':']).any(|part| units.contains(&part)));
        main || cgroup
    }
}
