//! Version upgrades of a running cluster, as Apache documents them (docs/facts/kafka.md §20): where the cluster
//! stands is read from the hosts on every run — which release each host's `<install_dir>/kafka` points at, the
//! `inter.broker.protocol.version` a ZooKeeper-mode host's `server.properties` pins, the KRaft cluster's finalized
//! `metadata.version` — never from local state, so a run cut off anywhere resumes where the hosts are.
//!
//! - Roll onto the new release (`deploy` with a raised `kafka.version`): ZooKeeper mode pins the protocol to the
//!   release the brokers ran before ([`judge`] → `KafkaSpec.protocol_pin`); every host's new release is unpacked
//!   beside the old one, and its symlink is swapped right before that host's own restart (`decide`'s deferred
//!   relink, `roll.rs`) — controllers then brokers, health-gated.
//! - Finalize (`upgrade --finalize`, [`Finalize`]): ZooKeeper mode drops the pin (a roll of the brokers); KRaft
//!   raises `metadata.version` with UpdateFeatures (`features.rs`) and waits until every broker reports it.
//! - Before finalize, the project's old version rolls back (relink + roll); afterwards a downgrade is refused, as
//!   are ZooKeeper mode on 4.x, skipping a bridge release, and KRaft on 4.x below its minimum `metadata.version`.
//!
//! [`judge`] is pure: the hosts' facts and the cluster's feature levels in, a [`Judgement`] or a refusal out.

pub mod features;
mod run;
#[cfg(test)]
mod tests;

pub(crate) use run::prepare;
pub use run::{finalize_rows, Prepared};

use crate::catalog::{self, Version};
use crate::project::spec::ClusterSpec;

/// What one host holds, as its probe read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRelease {
    pub host: String,
    /// The release `<install_dir>/kafka` points at (`None`: no link yet — a new host).
    pub linked: Option<Version>,
    /// ZooKeeper mode: the `inter.broker.protocol.version` its `server.properties` pins.
    pub pinned: Option<String>,
    pub java_major: Option<u16>,
}

/// A KRaft cluster's `metadata.version`, as its brokers report it (ApiVersions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetadataLevels {
    /// The finalized level (the same on every broker once it caught up; the lowest reported).
    pub finalized: i16,
    /// The highest level every broker supports (the lowest of their maxima): what finalize raises it to.
    pub supported: i16,
}

/// The lowest `metadata.version` a 4.x release runs with: 3.3-IV3 (docs/facts/kafka.md §20).
pub const MIN_METADATA_LEVEL_4X: i16 = 7;

/// Where an upgrade stands and what this run does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// ZooKeeper mode: the protocol version the brokers keep (written as `inter.broker.protocol.version`).
    pub pin: Option<String>,
    /// KRaft finalize: raise `metadata.version` to this level.
    pub raise_metadata: Option<i16>,
    /// Lines for people: the stage, what this run does, Java requirement changes per host, what comes next.
    pub notes: Vec<String>,
}

/// Whether the run is a finalize (`upgrade --finalize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Finalize {
    #[default]
    No,
    Yes,
}

/// Refuses a finalize limited to some hosts before any host is contacted: every host must run the new release
/// before the protocol or `metadata.version` moves, and that is judged on all of them.
pub(crate) fn check_options(opts: &crate::apply::DeployOptions) -> Result<(), crate::apply::ApplyError> {
    if opts.finalize_upgrade && !opts.limit.is_all() {
        return Err(crate::apply::ApplyError::Upgrade(
            "--limit: finalize works on every host of the project, never a part".into(),
        ));
    }
    Ok(())
}

/// The `inter.broker.protocol.version` of a release: its `major.minor`.
pub fn protocol_of(v: Version) -> String {
    format!("{}.{}", v.major, v.minor)
}

/// `3.9` → (3, 9); anything else (`3.9-IV0`, `2.8-IV1`) by its leading `major.minor`.
fn parse_protocol(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.split(['.', '-']);
    Some((parts.next()?.trim().parse().ok()?, parts.next()?.trim().parse().ok()?))
}

fn line(v: Version) -> (u16, u16) {
    (v.major, v.minor)
}

/// The release a linked directory (`/opt/kafka_2.13-3.9.1`) holds.
pub fn linked_version(link_target: &str) -> Option<Version> {
    Version::parse(link_target.rsplit('-').next()?)
}

/// Judges where the cluster stands against the project's release and what this run may do — or refuses, naming
/// the reason and the supported path (nothing on any host touched yet). `levels`: KRaft, when the cluster answered.
pub fn judge(
    spec: &ClusterSpec,
    hosts: &[HostRelease],
    levels: Option<MetadataLevels>,
    finalize: Finalize,
) -> Result<Judgement, String> {
    let to = spec.kafka.release.version;
    let mut notes = Vec::new();
    let linked: Vec<Version> = hosts.iter().filter_map(|h| h.linked).collect();
    let others: Vec<&HostRelease> = hosts.iter().filter(|h| h.linked.is_some_and(|v| v != to)).collect();
    let lowest = linked.iter().copied().min();
    let highest = linked.iter().copied().max();
    let user_pins_protocol = spec.kafka.properties.iter().any(|(k, _)| k == "inter.broker.protocol.version");
    java_notes(spec, hosts, &mut notes)?;
    if let (Some(low), Some(high)) = (lowest, highest) {
        if low != to || high != to {
            let from: Vec<String> = others.iter().map(|h| format!("{} on {}", h.host, h.linked.unwrap())).collect();
            notes.push(format!("release {to} for the hosts still on another: {}", from.join(", ")));
        }
    }
    if spec.is_kraft() {
        return judge_kraft(spec, &linked, levels, finalize, notes);
    }
    // ZooKeeper mode.
    if to.major >= 4 {
        return Err(format!("kafka.version: Kafka {to} has no ZooKeeper mode — migrate the cluster to KRaft on 3.9 first, then upgrade it to {to}"));
    }
    if let Some(low) = lowest {
        if low < Version::new(2, 4, 0) && to >= Version::new(3, 6, 0) {
            return Err(format!("kafka.version: Kafka {low} ships ZooKeeper 3.4, which Kafka {to}'s ZooKeeper client cannot use (KIP-902) — upgrade to a 2.4–3.5 release first (e.g. 3.5.2), finalize, then to {to}"));
        }
    }
    let pins: Vec<(u16, u16)> = hosts.iter().filter_map(|h| h.pinned.as_deref().and_then(parse_protocol)).collect();
    let pinned = pins.iter().copied().min();
    if user_pins_protocol {
        notes.push(
            "inter.broker.protocol.version is set in [kafka.properties]: the project manages it, not the wizard".into(),
        );
        return Ok(Judgement { pin: None, raise_metadata: None, notes });
    }
    let target = line(to);
    if let Some(high) = highest.filter(|h| line(*h) > target) {
        // Going back: allowed while the protocol is still that of the target (before finalize).
        if pinned.is_none_or(|p| p > target) {
            return Err(format!("kafka.version: {to} is older than the release the brokers run ({high}), and that upgrade was finalized (inter.broker.protocol.version {}) — Apache does not support a downgrade after finalize; keep kafka.version = \"{high}\" (or newer)", pinned.map_or(protocol_of(high), |(a, b)| format!("{a}.{b}"))));
        }
        notes.push(format!(
            "rolling back to {to} before finalize: each host relinked to {to} and restarted, one at a time"
        ));
    }
    if finalize == Finalize::Yes {
        if !others.is_empty() {
            let names: Vec<String> = others.iter().map(|h| h.host.clone()).collect();
            return Err(format!("kafka.version: cannot finalize — {} still run(s) another release than {to}; deploy first (the roll onto {to}), then finalize", names.join(", ")));
        }
        match pinned {
            Some(p) if p < target => notes.push(format!(
                "finalize: inter.broker.protocol.version {}.{} dropped, so the brokers speak {to}'s protocol ({}) — a rolling restart of the brokers; no downgrade below {} afterwards",
                p.0, p.1, protocol_of(to), protocol_of(to)
            )),
            _ => notes.push(format!("finalize: nothing to do — the brokers already speak {to}'s protocol")),
        }
        return Ok(Judgement { pin: None, raise_metadata: None, notes });
    }
    // The protocol the brokers keep until finalize: a pin already on the hosts, else the lowest release linked.
    let keep = pinned.or_else(|| lowest.map(line)).filter(|p| *p < target);
    let pin = keep.map(|(a, b)| format!("{a}.{b}"));
    if let Some(p) = &pin {
        if others.is_empty() {
            notes.push(format!("every host runs {to}, the brokers still speak protocol {p}: finalize the upgrade when the cluster has run well (kafka-wizard upgrade FILE --finalize, or Manage → Finalize upgrade); until then kafka.version may go back"));
        } else {
            notes.push(format!("upgrade to {to}, phase 1 of 2: inter.broker.protocol.version pinned at {p}, each host relinked right before its own restart; phase 2 (finalize) raises the protocol"));
        }
    }
    Ok(Judgement { pin, raise_metadata: None, notes })
}

fn judge_kraft(
    spec: &ClusterSpec,
    linked: &[Version],
    levels: Option<MetadataLevels>,
    finalize: Finalize,
    mut notes: Vec<String>,
) -> Result<Judgement, String> {
    let to = spec.kafka.release.version;
    let highest = linked.iter().copied().max();
    let lowest = linked.iter().copied().min();
    if let Some(low) = lowest.filter(|l| *l < Version::new(3, 3, 0) && to.major >= 4) {
        return Err(format!("kafka.version: Kafka {to} runs KRaft clusters from 3.3 on; this one runs {low} — upgrade to 3.9.x first, finalize its metadata.version, then to {to}"));
    }
    if let Some(l) = levels {
        if to.major >= 4 && l.finalized < MIN_METADATA_LEVEL_4X {
            return Err(format!("kafka.version: Kafka {to} needs metadata.version 3.3-IV3 (level {MIN_METADATA_LEVEL_4X}) or newer; the cluster's is level {} — finalize the upgrade on the release it runs (kafka-wizard upgrade FILE --finalize) before moving to {to}", l.finalized));
        }
    }
    let finalized = levels.is_some_and(|l| l.finalized >= l.supported);
    if let Some(high) = highest.filter(|h| line(*h) > line(to)) {
        // Every minor release since 3.3 added a metadata.version: finalized on the newer release is above the target's.
        if finalized && lowest.is_some_and(|l| line(l) > line(to)) {
            return Err(format!("kafka.version: {to} is older than the release the cluster runs ({high}), and its metadata.version was finalized (level {}) — Apache does not support this downgrade; keep kafka.version = \"{high}\" (or newer)", levels.map_or(0, |l| l.finalized)));
        }
        notes.push(format!(
            "rolling back to {to} before finalize: each host relinked to {to} and restarted, one at a time"
        ));
    }
    let others = linked.iter().filter(|v| **v != to).count();
    if finalize == Finalize::Yes {
        if others > 0 {
            return Err(format!("kafka.version: cannot finalize — {others} host(s) still run another release than {to}; deploy first (the roll onto {to}), then finalize"));
        }
        let Some(l) = levels else {
            return Err("cannot finalize: the brokers did not report the cluster's metadata.version (ApiVersions) — start them and run again".into());
        };
        if l.finalized >= l.supported {
            notes.push(format!(
                "finalize: nothing to do — metadata.version is level {}, the newest every broker supports",
                l.finalized
            ));
            return Ok(Judgement { pin: None, raise_metadata: None, notes });
        }
        notes.push(format!("finalize: metadata.version raised from level {} to {} (UpdateFeatures), then every broker must report it; no downgrade afterwards", l.finalized, l.supported));
        return Ok(Judgement { pin: None, raise_metadata: Some(l.supported), notes });
    }
    match levels {
        Some(l) if others > 0 => notes.push(format!("upgrade to {to}, phase 1 of 2: controllers then brokers, each host relinked right before its own restart; metadata.version stays at level {} until finalize", l.finalized)),
        Some(l) if l.finalized < l.supported => notes.push(format!("every host runs {to}, metadata.version is still level {} (the brokers support {}): finalize the upgrade when the cluster has run well (kafka-wizard upgrade FILE --finalize, or Manage → Finalize upgrade); until then kafka.version may go back", l.finalized, l.supported)),
        _ => {}
    }
    Ok(Judgement { pin: None, raise_metadata: None, notes })
}

/// Java per host: a release needing a newer Java than a host has is refused unless it is installed by the run
/// (checked again by the `check-java` step); a change of the requirement is shown for every host.
fn java_notes(spec: &ClusterSpec, hosts: &[HostRelease], notes: &mut Vec<String>) -> Result<(), String> {
    let to = spec.kafka.release;
    for h in hosts {
        let Some(from) = h.linked.filter(|v| *v != to.version).and_then(catalog::release_for) else { continue };
        if from.java.min == to.java.min {
            continue;
        }
        let has = h.java_major.map_or("no Java found".to_string(), |j| format!("has Java {j}"));
        notes.push(format!(
            "{}: Kafka {} needs Java {} or newer (Kafka {} needed {}); the host {has}",
            h.host, to.version, to.java.min, from.version, from.java.min
        ));
    }
    Ok(())
}
