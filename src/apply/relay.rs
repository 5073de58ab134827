//! Carrying out the release's distribution (`plan::distribution` says why and how): in the install phase, the
//! wizard uploads the release to the first host that needs it, and the hosts holding a verified copy pass it on
//! over SSH from host to host along the plan's tree (`distribution::tree`: who sends to whom, in which order); the
//! receiver verifies the wizard's SHA-512 before it counts as a holder. What travels is the release's tar,
//! uncompressed once by the wizard from the verified tarball while the prepare phase runs (`uncompressed.rs`:
//! gzip saves a release a few per cent of its bytes and costs each host most of its unpack), so each host unpacks
//! it with `tar -x` alone (`Context::staged_uncompressed`); when the tar cannot be made, the tarball travels. What
//! this leaves on each host is the install step's upload name (`plan::leftovers::uploaded_tarball`) holding a copy
//! verified right there — in the install directory, where only root writes —: the install step then unpacks it
//! without an upload and without reading it a second time (`Context::staged`; a later run relays or uploads it
//! again, and verifies it before use).
//!
//! Set up first, so that a hop is only its copy and one command (`setup.rs`), over the wizard's own sessions, side
//! by side:
//! 1. on every sending host, a fresh ed25519 key pair for all its hops in a 0700 temporary directory of the install
//!    directory (swept as a leftover; the private key never leaves the host);
//! 2. on every receiver — while the wizard uploads to the first host — the sender's public key appended to the SSH
//!    user's `authorized_keys`, `restrict`ed to one forced command that writes a temporary file (a root login's also
//!    hashes it as it arrives), and the host's public keys printed (read over the wizard's verified session). Stale
//!    lines of an interrupted run are swept first: under this run's run lock every one (no other run works on the
//!    host), else those older than `STALE_MINUTES` (they carry their creation time).
//!
//! A hop, sender S to receiver R (`hop.rs`): S runs `ssh` with its key, `StrictHostKeyChecking=yes` against a
//! known_hosts of R's host keys only, the copy on stdin (AES-GCM offered first; S's key directory removed with its
//! last send); then R, in one command: the key line removed (always; alone when the send failed), the received file
//! checked against the release's SHA-512 — its sum taken on arrival for a root login, else read once it is moved
//! into place — and moved to the upload name (deleted when it is not the release).
//!
//! No rounds' barrier: a hop starts as soon as its sender holds a verified copy and has sent its earlier ones, so a
//! slow host holds up only the hosts below it in the tree, and the tree is exactly the plan's. Nor a barrier before
//! the install step: the relay runs beside the install phase's host steps and hands each host over (`Handover`) as
//! soon as it is done with it — it holds a verified copy and has sent its last hop — so the hosts that finished
//! their part unpack while the others still pass the release on (one host's commands never overlap: each runs on
//! the host's one session in turn). The fan-out: `fanout.rs`.
//!
//! Any failure of a hop makes the wizard upload to R directly (a warning says why); a checksum mismatch also makes it
//! verify S's copy, and a bad one is uploaded again from the wizard — the tampered host re-fetches. A sender that
//! never holds a copy (its upload failed, its copy went bad and could not be fetched again, its key pair failed)
//! leaves its receivers to the wizard's upload, and those send on to theirs. The scripts themselves: [`scripts`].

mod fanout;
mod hop;
mod scripts;
mod setup;
mod uncompressed;

use super::hosts::HostRun;
use crate::events::{Event, EventSink, Target};
use crate::plan::distribution::{self, Strategy};
use crate::plan::leftovers::uploaded_tarball;
use crate::plan::{HostStep, HostSteps};
use crate::project::spec::{ClusterSpec, Connection};
use crate::transport::{Privilege, Transport};
pub(super) use fanout::Fanout;
pub(super) use scripts::remove_key_lines_script;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What the release's tarball is and where it goes.
#[derive(Clone)]
struct Release {
    local: PathBuf,
    sha512: String,
    /// `local` is the release's tar, uncompressed here from the verified tarball (`uncompressed.rs`), and `sha512`
    /// that tar's; else the tarball itself.
    uncompressed: bool,
    /// The install step's upload name on every host.
    staged: String,
    install_dir: String,
    tarball: String,
}

/// One host taking part: its transport and how the others reach its sshd.
#[derive(Clone)]
struct Peer {
    name: String,
    transport: Arc<dyn Transport>,
    address: String,
    port: u16,
    user: String,
}

/// What the distribution did for one host.
struct Got {
    how: String,
    uploaded: u64,
}

/// The strategy for this run and the hosts it relays to, in order (indices into `runs`): the hosts of the install
/// phase without the release (`facts`) that reach it over SSH with root (a `local` host or a user without sudo is
/// left to the install step's direct upload). What both `deploy` and `deploy --dry-run` go by.
pub(super) fn planned(spec: &ClusterSpec, phase_hosts: &[HostSteps], runs: &[HostRun]) -> (Strategy, Vec<usize>) {
    let installs = |name: &str| {
        phase_hosts
            .iter()
            .any(|h| h.host == name && h.steps.iter().any(|s| matches!(s, HostStep::InstallRelease { .. })))
    };
    let needing: Vec<usize> = (0..runs.len())
        .filter(|&i| {
            let (run, host) = (&runs[i], &spec.hosts[runs[i].index]);
            installs(host.name.as_str())
                && !run.facts.release_present
                && run.ctx.tarball.is_some()
                && host.connection == Connection::Ssh
                && run.transport.privilege() != Privilege::User
        })
        .collect();
    (distribution::choose(spec.kafka.distribution, needing.len()), needing)
}

/// What the install step of a host the relay served takes over: the copy it holds (`how` it got there, for
/// `Context::staged`; none: the install step uploads), whether that copy is the uncompressed tar
/// (`Context::staged_uncompressed`), and the bytes the wizard sent it.
pub(super) struct Handover {
    pub staged: Option<String>,
    pub uncompressed: bool,
    pub uploaded: u64,
}

/// Per host (its index in the spec): where its install step waits for the relay to be done with it.
pub(super) type Handovers = HashMap<usize, tokio::sync::oneshot::Receiver<Handover>>;

/// The release's tar being uncompressed for the relay (`uncompressed.rs`), begun right after the fetch so that it
/// runs beside the prepare phase instead of before the first upload.
pub(super) struct Uncompressing(tokio::task::JoinHandle<std::io::Result<uncompressed::Tar>>);

/// Begins [`Uncompressing`] when this run's install phase (`phase_hosts`) will relay the release; the tar goes to
/// `cache_dir` (the wizard's cache).
pub(super) fn uncompress_ahead(
    spec: &ClusterSpec,
    phase_hosts: &[HostSteps],
    runs: &[HostRun],
    cache_dir: &std::path::Path,
) -> Option<Uncompressing> {
    let (strategy, needing) = planned(spec, phase_hosts, runs);
    let (tgz, _) = needing.first().and_then(|&i| runs[i].ctx.tarball.clone()).filter(|_| strategy.relay)?;
    let dir = cache_dir.to_path_buf();
    Some(Uncompressing(tokio::task::spawn_blocking(move || uncompressed::derive(&tgz, &dir))))
}

/// The release's distribution to the hosts of the install phase that need it, when the strategy says relay (else
/// none: the install step uploads): the fan-out to run, and each served host's handover — sent as soon as the relay
/// is done with that host (it holds a verified copy and has sent its last hop, or it got none), so its install step
/// unpacks while the relay goes on elsewhere. Never fails the run: a host it could not serve is left to the install
/// step's direct upload.
pub(super) fn start(
    spec: &ClusterSpec,
    phase_hosts: &[HostSteps],
    runs: &[HostRun],
    uncompressing: Option<Uncompressing>,
    events: &EventSink,
) -> Option<(Fanout, Handovers)> {
    let (strategy, needing) = planned(spec, phase_hosts, runs);
    let local = needing.first().and_then(|&i| runs[i].ctx.tarball.clone());
    let (local, sha512) = local.filter(|_| strategy.relay)?;
    let tarball = spec.kafka.release.tarball_name(&spec.kafka.scala);
    let release = Arc::new(Release {
        staged: uploaded_tarball(spec.kafka.install_dir.as_str(), &tarball),
        install_dir: spec.kafka.install_dir.to_string(),
        local,
        sha512,
        uncompressed: false,
        tarball,
    });
    let peers: Vec<Peer> = needing
        .iter()
        .map(|&i| {
            let host = &spec.hosts[runs[i].index];
            Peer {
                name: host.name.to_string(),
                transport: runs[i].transport.clone(),
                address: host.reach().to_string(),
                port: host.ssh.port,
                user: host.ssh.user.clone(),
            }
        })
        .collect();
    let (senders, receivers): (Vec<_>, Vec<_>) = needing.iter().map(|_| tokio::sync::oneshot::channel()).unzip();
    let handovers = needing.iter().map(|&i| runs[i].index).zip(receivers).collect();
    events(Event::Log { target: Target::Wizard, message: format!("release distribution: {}", strategy.why) });
    Some((Fanout::new(Arc::new(peers), release, events.clone(), senders, uncompressing), handovers))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
