//! Preflight's checks of what surrounds the services: the host's clock against the wizard's (read in the probe's
//! round trip, bounded by when the wizard sent it and got the answer), whether the kernel says the clock is kept in
//! sync, transparent huge pages, and whether the host resolves the names its services dial on the other hosts (a host
//! without `address` is reached by its name: listeners, quorum voters, the ZooKeeper connect string) — to one of
//! the addresses that host says are its own (`hostname -I`), else a warning: a stale hosts-file entry sends a
//! broker's replication to another machine.
//! The probe lines (read-only, every name quoted), their parser and the judgement (pure). Sources:
//! docs/facts/kafka.md §22.

use crate::project::spec::{ClusterSpec, HostSpec, Role};
use crate::shell::quote;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A clock further than this from the wizard's warns (seconds).
pub const MAX_CLOCK_SKEW_SECS: f64 = 1.0;

/// What the probe read of the host's surroundings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EnvironmentFacts {
    /// The host's clock (`date +%s%N`), nanoseconds since the epoch.
    pub clock_ns: Option<i128>,
    /// The wizard's clock when it sent the probe and when the answer was in (nanoseconds since the epoch): the
    /// host's reading was taken in between.
    pub probe_window_ns: Option<(i128, i128)>,
    /// `timedatectl`'s `NTPSynchronized` (the kernel's "clock synchronized" state); None when unknown.
    pub ntp_synchronized: Option<bool>,
    /// The selected mode of `/sys/kernel/mm/transparent_hugepage/enabled` (`always`, `madvise`, `never`).
    pub transparent_hugepages: Option<String>,
    /// The mode the wizard's tmpfiles.d entry (`remedy::THP_FILE`) writes to `enabled` at the next boot.
    pub kept_transparent_hugepages: Option<String>,
    /// Per name the host had to resolve: its first address, or None when it did not resolve.
    pub resolved: BTreeMap<String, Option<String>>,
    /// The host's own addresses (`hostname -I`), where a peer that reaches it by name should resolve that name to.
    pub own_addresses: Vec<String>,
}

/// The names `host` must resolve: how it reaches the hosts its services talk to, when that is a name (not an IP
/// literal). A Kafka node talks to every other host (brokers, controllers, the ensemble); an ensemble member only to
/// the other members.
pub fn names_to_resolve(spec: &ClusterSpec, host: &HostSpec) -> Vec<String> {
    let talks_to = |peer: &HostSpec| host.runs_kafka() || peer.has(Role::Zookeeper);
    let mut names: Vec<String> = spec
        .hosts
        .iter()
        .filter(|peer| peer.name != host.name && talks_to(peer))
        .map(|peer| peer.reach().to_string())
        .filter(|reach| reach.parse::<IpAddr>().is_err())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The probe lines: the clock last of all (the closer to the answer, the tighter the bound), the names resolved by
/// [`RESOLVE_NAMES`].
pub fn probe_script(spec: &ClusterSpec, host: &HostSpec) -> String {
    let mut s = super::probe::read_line("thp", "/sys/kernel/mm/transparent_hugepage/enabled");
    // Printed straight after the label, not through `$(…)` (a fork each); a command that fails gives the bare label.
    s.push_str(&format!(
        "{{ printf 'ntp '; {NTP_BY_ADJTIMEX} 2>/dev/null || timedatectl show -p NTPSynchronized --value 2>/dev/null \
         || echo; }}\n\
         {{ printf 'addrs '; hostname -I 2>/dev/null || echo; }}\n"
    ));
    let names = names_to_resolve(spec, host);
    if !names.is_empty() {
        let names: Vec<_> = names.iter().map(|n| quote(n)).collect();
        s.push_str(&format!("{RESOLVE_NAMES}kw_resolve {}\n", names.join(" ")));
    }
    s
}

/// `kw_resolve NAME…` prints `resolve NAME <first address>` per name (no address when it does not resolve), as
/// `getent hosts NAME` answers it. Every Kafka node resolves every other host's name, so per-name processes grew with
/// the square of the fleet (at 24 hosts, 23 names each: one getent saved ≈ 0.3 s of the hosts' CPU per re-run, README
/// Benchmark F). One `getent` takes
/// every name: it prints one line per address of each name in the names' order, each name's lines with that name's
/// one hostent (the same canonical name and aliases), and skips a name it cannot resolve (glibc's getent.c
/// `hosts_keys`). So its lines grouped by that part, one group per name, map to the names in order — when
/// there are as many groups as names. Otherwise (a name not resolved, or two names in a row resolving to one
/// hostent), each name is asked on its own, all at once: a slow resolver still costs one timeout, not one per name.
pub const RESOLVE_NAMES: &str = "kw_resolve() {
  command -v getent >/dev/null 2>&1 || return 0
  getent hosts \"$@\" 2>/dev/null | {
    i=0; last=; said=
    while read -r a names; do
      [ \"$i\" -gt 0 ] && [ \"$names\" = \"$last\" ] && continue
      i=$((i + 1)); last=$names
      eval \"n=\\${$i}\"
      said=\"${said}resolve $n $a
\"
    done
    if [ \"$i\" = $# ]; then printf '%s' \"$said\"; else
      for n in \"$@\"; do getent hosts \"$n\" | { a=; read -r a _; echo \"resolve $n $a\"; } & done
      wait
    fi
  }
}
";

/// The kernel's "clock synchronized" state as systemd-timedated judges it (`NTPSynchronized`: adjtimex(2)'s
/// `maxerror` below 16 s), read by perl (`perl-base` is part of every Debian and Ubuntu) with the syscall itself:
/// `timedatectl` would ask systemd-timedated over D-Bus, and that service is started on demand and exits when idle —
/// on a host asked every few minutes each run started it again, the largest part of a no-change re-run's CPU on the
/// host (docs/facts/kafka.md §22). The syscall's number is the architecture's (x86_64 159, aarch64 171), told by the
/// ELF header of perl's own binary (`e_machine` at byte 18: 62, 183); `struct timex` is read-only with `modes` 0 and
/// has `maxerror` at byte 24 on both. Prints `yes` or `no` — `no` also when the syscall is refused, as timedated
/// says then (`ntp_synced()` is false when adjtimex fails: a container without CAP_SYS_TIME, whose seccomp filter
/// refuses the `@clock` calls — systemd-nspawn's); exits 2 (the caller falls back to `timedatectl`) on another
/// architecture.
pub const NTP_BY_ADJTIMEX: &str = "perl -e 'open my $f, \"<\", $^X or exit 2; read $f, my $h, 20; \
     my $nr = {62 => 159, 183 => 171}->{unpack \"x18 v\", $h} or exit 2; my $t = \"\\0\" x 512; \
     my $r = syscall($nr, $t); print $r >= 0 && unpack(\"x24 q\", $t) < 16000000 ? \"yes\\n\" : \"no\\n\"'";

/// This machine's clock, nanoseconds since the epoch (0 before it).
pub fn wall_clock_ns() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

/// The clock's line, sent after everything else the probe prints.
pub const CLOCK_LINE: &str = "date +'clock %s%N'\n";

/// Takes one probe line of this module's kinds (`thp`, `ntp`, `resolve`, `addrs`, `clock`); false for another kind.
pub fn parse_line(f: &mut EnvironmentFacts, kind: &str, rest: &str) -> bool {
    match kind {
        "thp" => {
            f.transparent_hugepages = rest.split_once('[').and_then(|(_, r)| r.split_once(']')).map(|(m, _)| m.into())
        }
        "keptthp" => {
            // `w /sys/kernel/mm/transparent_hugepage/enabled - - - - madvise` (a comment line has another shape)
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let enabled = format!("{}/enabled", super::remedy::THP_DIR);
            if fields.len() == 7 && fields[0].starts_with('w') && fields[1] == enabled {
                f.kept_transparent_hugepages = Some(fields[6].to_string());
            }
        }
        "ntp" => {
            f.ntp_synchronized = match rest.trim() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            }
        }
        "resolve" => {
            let (name, address) = rest.split_once(' ').unwrap_or((rest, ""));
            let address = address.trim();
            f.resolved.insert(name.to_string(), (!address.is_empty()).then(|| address.to_string()));
        }
        "addrs" => f.own_addresses = rest.split_whitespace().map(str::to_string).collect(),
        "clock" => f.clock_ns = rest.trim().parse().ok(),
        _ => return false,
    }
    true
}

/// The check of transparent huge pages (its warning carries `Remedy::TransparentHugePages`, unless that fix is
/// already kept for the next boot: [`EnvironmentFacts::thp_fix_kept`]).
pub const THP_CHECK: &str = "transparent huge pages";

impl EnvironmentFacts {
    /// The wizard's tmpfiles.d entry already sets a mode other than `always` at the next boot: its fix is made,
    /// the kernel only has not taken it yet.
    pub fn thp_fix_kept(&self) -> bool {
        self.kept_transparent_hugepages.as_deref().is_some_and(|mode| mode != "always")
    }
}

/// A finding before it names its host: (check, verdict, result, fix).
pub type Judged = (String, super::Verdict, String, String);

/// What the other hosts of the run said their own addresses are, by the name the project reaches them by (a peer
/// outside the run, or one that said nothing, is not in it).
pub type PeerAddresses = BTreeMap<String, Vec<String>>;

/// Every finding of this module for one host; `peers` to tell a name resolved to another machine.
pub fn judge(spec: &ClusterSpec, host: &HostSpec, f: &EnvironmentFacts, peers: &PeerAddresses) -> Vec<Judged> {
    let mut out = Vec::new();
    if let Some(clock) = clock_finding(spec, f) {
        out.push(clock);
    }
    if f.ntp_synchronized == Some(false) {
        out.push((
            "time sync".into(),
            super::Verdict::Warn,
            "the kernel says the clock is not synchronized (timedatectl: NTPSynchronized=no)".into(),
            "run a time service (systemd-timesyncd or chrony) on the host, or on the machine that runs it when it is \
             a container"
                .into(),
        ));
    }
    if let Some(mode) = &f.transparent_hugepages {
        use super::remedy::{THP_DIR, THP_FILE, THP_MODE};
        out.push(match mode.as_str() {
            "always" if f.thp_fix_kept() => (
                THP_CHECK.into(),
                super::Verdict::Warn,
                format!(
                    "always now; {} is kept in {THP_FILE} for the next boot (the kernel has not taken it yet)",
                    f.kept_transparent_hugepages.as_deref().unwrap_or(THP_MODE)
                ),
                format!(
                    "reboot the host, or apply it now: systemd-tmpfiles --create {THP_FILE} (a container takes it \
                     from the machine that runs it)"
                ),
            ),
            "always" => (
                THP_CHECK.into(),
                super::Verdict::Warn,
                "always: the kernel compacts memory into huge pages behind the JVM's back (latency stalls)".into(),
                format!(
                    "echo {THP_MODE} > {THP_DIR}/enabled (and defrag), and keep it with a tmpfiles.d entry \
                     ({THP_FILE})"
                ),
            ),
            other => (THP_CHECK.into(), super::Verdict::Pass, other.to_string(), String::new()),
        });
    }
    for name in names_to_resolve(spec, host) {
        let check = format!("resolves {name}");
        let fix = format!("add {name} to DNS or to /etc/hosts on {}, or set that host's address", host.name);
        out.push(match f.resolved.get(&name) {
            // The probe had no getent: nothing was learnt, nothing is said.
            None => continue,
            Some(None) => (check, super::Verdict::Refuse, "does not resolve: its services cannot reach it".into(), fix),
            Some(Some(address)) if address.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) => (
                check,
                super::Verdict::Refuse,
                format!("resolves to {address}, a loopback address: its services would dial themselves"),
                fix,
            ),
            Some(Some(address)) => match peers.get(&name) {
                Some(own) if !own.is_empty() && !own.contains(address) => (
                    check,
                    super::Verdict::Warn,
                    format!(
                        "resolves to {address}, none of that host's own addresses ({}): its services would dial \
                         another machine",
                        own.join(", ")
                    ),
                    format!(
                        "correct {name} in DNS or in /etc/hosts on {} (a stale entry?), or set that host's address \
                         (a NAT that maps {address} to it is fine: then ignore this)",
                        host.name
                    ),
                ),
                _ => (check, super::Verdict::Pass, address.clone(), String::new()),
            },
        });
    }
    out
}

/// The host's clock against the wizard's: the skew lies between (host − answer in) and (host − sent). A warning when
/// it is surely beyond [`MAX_CLOCK_SKEW_SECS`]; a refusal when TLS is on and the host is surely behind by more than
/// the head start the wizard's certificates get (they would not be valid there yet).
fn clock_finding(spec: &ClusterSpec, f: &EnvironmentFacts) -> Option<Judged> {
    let (clock, (sent, received)) = (f.clock_ns?, f.probe_window_ns?);
    let secs = |ns: i128| ns as f64 / 1e9;
    let (low, high) = (secs(clock - received), secs(clock - sent));
    let check = "clock".to_string();
    let head_start = crate::security::pki::CLOCK_SKEW.whole_seconds() as f64;
    let fix = "synchronize the clocks (systemd-timesyncd or chrony, the same time source on every host and this \
               machine)"
        .to_string();
    let behind = format!("{:.1} s behind this machine's", -high);
    let ahead = format!("{:.1} s ahead of this machine's", low);
    Some(if spec.security.is_some() && high < -head_start {
        (
            check,
            super::Verdict::Refuse,
            format!(
                "{behind}: the certificates the wizard issues now are not valid there yet (they start {} min early)",
                head_start / 60.0
            ),
            fix,
        )
    } else if high < -MAX_CLOCK_SKEW_SECS {
        (check, super::Verdict::Warn, behind, fix)
    } else if low > MAX_CLOCK_SKEW_SECS {
        (check, super::Verdict::Warn, ahead, fix)
    } else {
        let within = high.abs().max(low.abs());
        (check, super::Verdict::Pass, format!("within {within:.2} s of this machine's"), String::new())
    })
}
