//! Distribution of the release to the hosts: who gets the tarball from where. Pure (no I/O): the strategy chosen
//! from the fleet size (or the project's `kafka.distribution`), and the fan-out tree the install walks
//! (`apply::relay` carries it out).
//!
//! Why (thinking like an operator): the wizard runs on a laptop, often behind a VPN; the release is ≈120 MB and the
//! hosts sit in one data centre, talking to each other 100× faster than to the laptop. Uploading to every host
//! costs N × 120 MB of the operator's uplink (24 hosts at 100 Mbit/s: 4 minutes). So the wizard uploads the release
//! once, to the first host that needs it, and every host that holds a *verified* copy passes it on to one more host
//! per round: 1, 2, 4, 8… holders — ⌈log₂ N⌉ rounds, the wizard's uplink used once whatever N is.
//!
//! - **No agent, no new port.** A hop is one `ssh` from the sending host to the receiving host's own sshd (the port
//!   the wizard already uses), with tools every host with an SSH server has. A host without an `ssh` client, a
//!   receiver its peer cannot reach, a login without `authorized_keys`: that hop falls back to the wizard's direct
//!   upload, and the run says so — relaying is an optimisation, never a new way to fail.
//! - **Authenticated hops, no lasting trust.** Each sending host makes a fresh key pair for this run's hops (the
//!   private key never leaves it, 0600 in a 0700 directory); each of its receivers' SSH user gets the public key in
//!   `authorized_keys` restricted to one forced command (`restrict,command="cat > <temp file>"`: no shell, no
//!   forwarding, no pty), and the sender gets a known_hosts holding only the receiver's host keys, read over the
//!   wizard's own verified session (`StrictHostKeyChecking=yes`). A receiver's line is removed when its hop ends, the
//!   key pair with the sender's last hop, whatever no hop used when the relay ends; a line an interrupted run left in
//!   `authorized_keys` is swept by the next deploy's leftovers step, relay or not — at once under the run lock (no
//!   other run works on the host), else after [`super::leftovers::STALE_MINUTES`] minutes (it carries its creation
//!   time). Nothing is stored in the project file or the logs.
//! - **Trust the checksum, not the peer.** The receiving host verifies the wizard's SHA-512 before it uses or
//!   passes on the copy. What is relayed is the release's tar, uncompressed by the wizard from the verified tarball
//!   (its SHA-512 taken by the wizard as it wrote it): a release's jars are zip files, so gzip saves a few per cent of
//!   the bytes and costs every host most of its unpack's CPU (`apply::relay`). A mismatch makes the wizard check the sender's copy too; a bad copy on either side is
//!   replaced by the wizard's direct upload (so a tampered host re-fetches, and never serves again).
//! - **Bounded.** At most [`MAX_PARALLEL_HOPS`] hops run at once (a round with more holders waits for the next).
//!   The rounds are the order of the tree, not a barrier: a hop starts as soon as its sender holds a verified copy
//!   and has sent its earlier ones, so a slow host holds up only the hosts below it.
//!
//! `auto` relays from [`RELAY_FROM_HOSTS`] hosts on: below that, the setup of a hop (a key pair, two SSH round trips)
//! costs more than the one or two uploads it saves. `direct` always uploads from the wizard (hosts that cannot reach
//! each other); `relay` relays even two hosts.

use serde::Serialize;
use ts_rs::TS;

/// `auto` relays when at least this many hosts need the release.
pub const RELAY_FROM_HOSTS: usize = 3;

/// Hops running at once. Each hop is a pair of hosts of its own (a holder sends to one host at a time)
/// and costs the wizard a blocking thread waiting on its two commands, so the bound only keeps the rounds doubling well
/// past any fleet the wizard is meant for: up to 128 hosts the rounds are ⌈log₂ N⌉ (100 hosts: 7 rounds; with 8 at
/// once, as before, 15 — the time grew with the fleet).
pub const MAX_PARALLEL_HOPS: usize = 64;

/// The project's `kafka.distribution`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Chosen from the fleet size.
    #[default]
    Auto,
    /// The wizard uploads to every host.
    Direct,
    /// The wizard uploads once; hosts pass it on.
    Relay,
}

impl Distribution {
    /// The project file's spelling.
    pub fn parse(raw: &str) -> Option<Distribution> {
        match raw {
            "auto" => Some(Distribution::Auto),
            "direct" => Some(Distribution::Direct),
            "relay" => Some(Distribution::Relay),
            _ => None,
        }
    }
}

/// How this run distributes the release, and why (for the plan).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Strategy {
    pub relay: bool,
    pub why: String,
}

/// The strategy for `hosts` hosts needing the release under the project's setting.
pub fn choose(setting: Distribution, hosts: usize) -> Strategy {
    let (relay, why) = match setting {
        Distribution::Direct => {
            (false, "kafka.distribution = \"direct\": the wizard uploads to every host".to_string())
        }
        Distribution::Relay if hosts < 2 => (false, format!("{hosts} host(s): nothing to relay")),
        Distribution::Relay => (true, "kafka.distribution = \"relay\"".to_string()),
        Distribution::Auto if hosts >= RELAY_FROM_HOSTS => (
            true,
            format!(
                "{hosts} hosts: the wizard uploads once and hosts pass the verified release on ({} rounds) — \
                 kafka.distribution = \"direct\" to upload to each",
                rounds(hosts)
            ),
        ),
        Distribution::Auto => {
            (false, format!("{hosts} host(s): uploaded directly (relaying pays from {RELAY_FROM_HOSTS} hosts on)"))
        }
    };
    Strategy { relay, why }
}

/// Where one host gets the release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ReleaseFrom {
    /// Uploaded by the wizard.
    Wizard,
    /// Sent by `host`, which holds a verified copy, in round `round` (1 = right after the wizard's upload).
    Host { host: String, round: u32 },
}

/// The fan-out tree over `hosts` (in order): `hosts[0]` from the wizard, then in each round every holder sends to
/// one host that has none, at most [`MAX_PARALLEL_HOPS`] at once. Direct: every host from the wizard.
pub fn tree(hosts: &[String], relay: bool) -> Vec<(String, ReleaseFrom)> {
    if !relay {
        return hosts.iter().map(|h| (h.clone(), ReleaseFrom::Wizard)).collect();
    }
    let mut out: Vec<(String, ReleaseFrom)> = Vec::with_capacity(hosts.len());
    let mut rest = hosts.iter();
    let Some(first) = rest.next() else { return out };
    out.push((first.clone(), ReleaseFrom::Wizard));
    let mut holders = vec![first.clone()];
    let mut round = 0;
    loop {
        round += 1;
        let mut new = Vec::new();
        for sender in holders.iter().take(MAX_PARALLEL_HOPS) {
            let Some(receiver) = rest.next() else { break };
            out.push((receiver.clone(), ReleaseFrom::Host { host: sender.clone(), round }));
            new.push(receiver.clone());
        }
        if new.is_empty() {
            return out;
        }
        holders.extend(new);
    }
}

/// Rounds of hops after the wizard's upload for `hosts` hosts (doubling).
pub fn rounds(hosts: usize) -> u32 {
    hosts.max(1).next_power_of_two().trailing_zeros()
}

impl ReleaseFrom {
    /// One line for people.
    pub fn title(&self) -> String {
        match self {
            ReleaseFrom::Wizard => "from the wizard".into(),
            ReleaseFrom::Host { host, round } => format!("from {host} (round {round})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("h{i}")).collect()
    }

    #[test]
    fn auto_uploads_directly_to_one_or_two_hosts_and_relays_from_three_on() {
        assert!(!choose(Distribution::Auto, 1).relay);
        assert!(!choose(Distribution::Auto, 2).relay);
        let three = choose(Distribution::Auto, 3);
        assert!(three.relay && three.why.contains("3 hosts") && three.why.contains("2 rounds"), "{}", three.why);
        assert!(choose(Distribution::Auto, 100).relay);
    }

    #[test]
    fn the_operator_overrides_auto_both_ways_and_the_reason_names_the_field() {
        let direct = choose(Distribution::Direct, 50);
        assert!(!direct.relay && direct.why.contains("kafka.distribution"), "{}", direct.why);
        assert!(choose(Distribution::Relay, 2).relay);
        assert!(!choose(Distribution::Relay, 1).relay, "one host has nobody to relay to");
    }

    #[test]
    fn only_the_first_host_gets_the_release_from_the_wizard_and_holders_double_each_round() {
        let t = tree(&names(6), true);
        assert_eq!(t.len(), 6);
        assert_eq!(t.iter().filter(|(_, f)| *f == ReleaseFrom::Wizard).count(), 1);
        let from = |host: &str| t.iter().find(|(h, _)| h == host).unwrap().1.clone();
        let hop = |host: &str, round| ReleaseFrom::Host { host: host.into(), round };
        assert_eq!(from("h1"), ReleaseFrom::Wizard);
        assert_eq!(from("h2"), hop("h1", 1));
        assert_eq!((from("h3"), from("h4")), (hop("h1", 2), hop("h2", 2)));
        assert_eq!((from("h5"), from("h6")), (hop("h1", 3), hop("h2", 3)));
    }

    #[test]
    fn every_sender_holds_the_release_before_its_round_and_rounds_grow_with_the_logarithm() {
        for n in [1, 2, 3, 7, 24, 100] {
            let t = tree(&names(n), true);
            assert_eq!(t.len(), n);
            let mut held_after: std::collections::BTreeMap<&str, u32> = Default::default();
            for (host, from) in &t {
                let round = match from {
                    ReleaseFrom::Wizard => 0,
                    ReleaseFrom::Host { host: sender, round } => {
                        assert!(held_after[sender.as_str()] < *round, "{sender} sends before it holds ({n} hosts)");
                        *round
                    }
                };
                held_after.insert(host, round);
            }
            let last = held_after.values().max().copied().unwrap_or(0);
            // doubling up to MAX_PARALLEL_HOPS senders per round, then linear in chunks of that many
            let bound = rounds(n.min(MAX_PARALLEL_HOPS * 2)) + (n / MAX_PARALLEL_HOPS) as u32;
            assert!(last <= bound, "{n} hosts took {last} rounds");
            for round in 1..=last {
                let hops = t.iter().filter(|(_, f)| matches!(f, ReleaseFrom::Host { round: r, .. } if *r == round));
                assert!(hops.count() <= MAX_PARALLEL_HOPS);
            }
        }
        assert_eq!(rounds(24), 5);
    }

    #[test]
    fn a_hundred_hosts_get_the_release_in_seven_rounds_as_the_logarithm_says() {
        let last = |n: usize| {
            tree(&names(n), true)
                .iter()
                .filter_map(|(_, f)| match f {
                    ReleaseFrom::Host { round, .. } => Some(*round),
                    ReleaseFrom::Wizard => None,
                })
                .max()
                .unwrap_or(0)
        };
        assert_eq!(last(100), 7);
        assert_eq!(last(128), 7);
        assert_eq!(last(129), 8);
        assert_eq!(rounds(100), 7);
    }

    #[test]
    fn direct_distribution_uploads_to_every_host_from_the_wizard() {
        assert!(tree(&names(5), false).iter().all(|(_, f)| *f == ReleaseFrom::Wizard));
    }

    #[test]
    fn the_setting_parses_the_three_spellings_only() {
        assert_eq!(Distribution::parse("relay"), Some(Distribution::Relay));
        assert_eq!(Distribution::parse("direct"), Some(Distribution::Direct));
        assert_eq!(Distribution::parse("auto"), Some(Distribution::Auto));
        assert_eq!(Distribution::parse("Relay"), None);
    }
}
