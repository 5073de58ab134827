//! Carrying out the release's distribution (`plan::distribution` says why and how): before the install phase, the
//! wizard uploads the verified tarball to the first host that needs it, and the hosts holding a verified copy pass
//! it on over SSH from host to host along the plan's tree (`distribution::tree`: who sends to whom, in which order);
//! the receiver verifies the wizard's SHA-512 before it counts as a holder. What this leaves on each host is the
//! install step's upload name (`plan::leftovers::uploaded_tarball`) holding a copy verified right there — in the
//! install directory, where only root writes —: the install step then unpacks it without an upload and without
//! reading it a second time (`Context::staged`; a later run relays or uploads it again, and verifies it before use).
//!
//! Set up first, so that a hop is only its copy and one command (`setup.rs`), over the wizard's own sessions, side
//! by side:
//! 1. on every sending host, a fresh ed25519 key pair for all its hops in a 0700 temporary directory of the install
//!    directory (swept as a leftover; the private key never leaves the host);
//! 2. on every receiver — while the wizard uploads to the first host — the sender's public key appended to the SSH
//!    user's `authorized_keys`, `restrict`ed to one forced command that writes a temporary file (a root login's also
//!    hashes it as it arrives), and the host's public keys printed (read over the wizard's verified session). Stale
//!    lines of an interrupted run are swept first (they carry their creation time).
//!
//! A hop, sender S to receiver R (`hop.rs`): S runs `ssh` with its key, `StrictHostKeyChecking=yes` against a
//! known_hosts of R's host keys only, the copy on stdin (AES-GCM offered first; S's key directory removed with its
//! last send); then R, in one command: the key line removed (always; alone when the send failed), the received file
//! checked against the release's SHA-512 — its sum taken on arrival for a root login, else read once it is moved
//! into place — and moved to the upload name (deleted when it is not the release).
//!
//! No rounds' barrier: a hop starts as soon as its sender holds a verified copy and has sent its earlier ones, so a
//! slow host holds up only the hosts below it in the tree, and the tree is exactly the plan's.
//!
//! Any failure of a hop makes the wizard upload to R directly (a warning says why); a checksum mismatch also makes it
//! verify S's copy, and a bad one is uploaded again from the wizard — the tampered host re-fetches. A sender that
//! never holds a copy (its upload failed, its copy went bad and could not be fetched again, its key pair failed)
//! leaves its receivers to the wizard's upload, and those send on to theirs. The scripts themselves: [`scripts`].

mod hop;
mod scripts;
mod setup;

use super::hosts::HostRun;
use super::options::Cancel;
use crate::events::{Event, EventSink, Target};
use crate::plan::distribution::{self, ReleaseFrom, Strategy, MAX_PARALLEL_HOPS};
use crate::plan::leftovers::uploaded_tarball;
use crate::plan::{HostStep, HostSteps};
use crate::project::spec::{ClusterSpec, Connection};
use crate::transport::{Privilege, Transport};
use hop::{from_wizard_instead, hop, receive_from_wizard, HopOutcome};
use setup::{authorize, deauthorize, make_key, remove_key, side_by_side, Authorized, SenderKey};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

/// What the release's tarball is and where it goes.
struct Release {
    local: PathBuf,
    sha512: String,
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

/// Distributes the release to the hosts of the install phase that need it, when the strategy says relay (else does
/// nothing: the install step uploads). Never fails the run: a host it could not serve is left to the install step's
/// direct upload.
pub(super) async fn distribute(
    spec: &ClusterSpec,
    phase_hosts: &[HostSteps],
    runs: &mut [HostRun],
    events: &EventSink,
    cancel: &Cancel,
) {
    let (strategy, needing) = planned(spec, phase_hosts, runs);
    let local = needing.first().and_then(|&i| runs[i].ctx.tarball.clone());
    let Some((local, sha512)) = local.filter(|_| strategy.relay) else { return };
    let tarball = spec.kafka.release.tarball_name(&spec.kafka.scala);
    let release = Arc::new(Release {
        staged: uploaded_tarball(spec.kafka.install_dir.as_str(), &tarball),
        install_dir: spec.kafka.install_dir.to_string(),
        local,
        sha512,
        tarball,
    });
    let peers: Arc<Vec<Peer>> = Arc::new(
        needing
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
            .collect(),
    );
    events(Event::Log { target: Target::Wizard, message: format!("release distribution: {}", strategy.why) });
    let got = Fanout::new(peers.clone(), release, events.clone()).run(cancel).await;
    for (i, got) in got.into_iter().enumerate() {
        let run = &mut runs[needing[i]];
        run.ctx.staged = got.as_ref().map(|g| g.how.clone()).filter(|how| !how.is_empty());
        run.uploaded += got.map_or(0, |g| g.uploaded);
    }
}

/// The plan's tree over the peers: each sender's receivers in the order it serves them, with their round.
fn receivers_by_sender(peers: &[Peer]) -> Vec<VecDeque<(usize, u32)>> {
    let names: Vec<String> = peers.iter().map(|p| p.name.clone()).collect();
    let mut by_sender = vec![VecDeque::new(); peers.len()];
    let index = |name: &str| names.iter().position(|n| n == name).expect("the tree is over these names");
    for (receiver, from) in distribution::tree(&names, true) {
        if let ReleaseFrom::Host { host, round } = from {
            by_sender[index(&host)].push_back((index(&receiver), round));
        }
    }
    by_sender
}

/// What a finished task of the fan-out reports.
enum Done {
    Hop { sender: usize, receiver: usize, outcome: HopOutcome },
    FromWizard { receiver: usize, got: Option<Got> },
}

/// The fan-out's state: the plan's tree, the setup's keys and key lines, what each host holds.
struct Fanout {
    peers: Arc<Vec<Peer>>,
    release: Arc<Release>,
    events: EventSink,
    /// Per sender: the receivers it has still to serve.
    pending: Vec<VecDeque<(usize, u32)>>,
    keys: Arc<Vec<Option<Result<SenderKey, String>>>>,
    authorized: Arc<Vec<Option<Result<Authorized, String>>>>,
    /// Per host: what it got (an empty `how`: nothing, after all).
    got: Vec<Option<Got>>,
    /// A receiver whose key line a task took over (removed by its hop or its upload), a sender whose last hop ran.
    line_taken: Vec<bool>,
    key_taken: Vec<bool>,
    limit: Arc<tokio::sync::Semaphore>,
    tasks: tokio::task::JoinSet<Done>,
}

impl Fanout {
    fn new(peers: Arc<Vec<Peer>>, release: Arc<Release>, events: EventSink) -> Fanout {
        let n = peers.len();
        Fanout {
            pending: receivers_by_sender(&peers),
            peers,
            release,
            events,
            keys: Arc::new(Vec::new()),
            authorized: Arc::new(Vec::new()),
            got: (0..n).map(|_| None).collect(),
            line_taken: vec![false; n],
            key_taken: vec![false; n],
            limit: Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL_HOPS)),
            tasks: tokio::task::JoinSet::new(),
        }
    }

    /// Sets up, uploads to the first host, walks the tree, cleans up; what each host got.
    async fn run(mut self, cancel: &Cancel) -> Vec<Option<Got>> {
        let (peers, release) = (self.peers.clone(), self.release.clone());
        let senders: Vec<usize> = (0..peers.len()).filter(|&i| !self.pending[i].is_empty()).collect();
        let (p, r) = (peers.clone(), release.clone());
        let made = side_by_side(senders.clone(), move |s| make_key(&p[s], &r)).await;
        let mut keys: Vec<Option<Result<SenderKey, String>>> = (0..peers.len()).map(|_| None).collect();
        for (s, key) in senders.into_iter().zip(made) {
            keys[s] = Some(key);
        }
        // each receiver gets its sender's key, while the wizard uploads to the first host
        let wanted: Vec<(usize, String)> = (0..peers.len())
            .flat_map(|s| self.pending[s].iter().map(move |&(r, _)| (r, s)))
            .filter_map(|(r, s)| Some((r, keys[s].as_ref()?.as_ref().ok()?.public.clone())))
            .collect();
        self.keys = Arc::new(keys);
        let (p, r, events) = (peers.clone(), release.clone(), self.events.clone());
        let first = tokio::task::spawn_blocking(move || receive_from_wizard(&p[0], &r, &events, "from the wizard"));
        let receivers: Vec<usize> = wanted.iter().map(|(r, _)| *r).collect();
        let (p, r) = (peers.clone(), release.clone());
        let lines = side_by_side(wanted, move |(receiver, public)| authorize(&p[receiver], &r, &public)).await;
        let mut authorized: Vec<Option<Result<Authorized, String>>> = (0..peers.len()).map(|_| None).collect();
        for (receiver, line) in receivers.into_iter().zip(lines) {
            authorized[receiver] = Some(line);
        }
        self.authorized = Arc::new(authorized);
        let first = first.await.expect("relay task panicked");
        let mut free = Vec::new();
        self.holds(0, first, &mut free);
        self.walk(free, cancel).await;
        self.clean_up().await;
        self.got
    }

    /// Records what `host` got; a holder joins `free`, and a host without a copy leaves its receivers to the wizard.
    fn holds(&mut self, host: usize, got: Option<Got>, free: &mut Vec<usize>) {
        match got {
            Some(g) if !g.how.is_empty() => {
                let uploaded = self.got[host].as_ref().map_or(0, |before| before.uploaded);
                self.got[host] = Some(Got { how: g.how, uploaded: uploaded + g.uploaded });
                free.push(host);
            }
            _ => {
                self.got[host] =
                    Some(Got { how: String::new(), uploaded: self.got[host].as_ref().map_or(0, |g| g.uploaded) });
                let why = format!("{} holds no verified copy to pass on", self.peers[host].name);
                self.orphan(host, &why);
            }
        }
    }

    /// Every receiver `sender` has still to serve gets the wizard's upload instead.
    fn orphan(&mut self, sender: usize, why: &str) {
        while let Some((receiver, _)) = self.pending[sender].pop_front() {
            self.upload_instead(receiver, why.to_string());
        }
    }

    /// Starts the wizard's upload to `receiver` (its key line removed first).
    fn upload_instead(&mut self, receiver: usize, why: String) {
        self.line_taken[receiver] = true;
        let (peers, release, events, authorized, limit) = self.shared();
        self.tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            let got = tokio::task::spawn_blocking(move || {
                let line = authorized[receiver].as_ref().and_then(|a| a.as_ref().ok());
                from_wizard_instead(&peers[receiver], line, &why, &release, &events)
            })
            .await
            .expect("relay task panicked");
            Done::FromWizard { receiver, got }
        });
    }

    #[allow(clippy::type_complexity)]
    fn shared(
        &self,
    ) -> (
        Arc<Vec<Peer>>,
        Arc<Release>,
        EventSink,
        Arc<Vec<Option<Result<Authorized, String>>>>,
        Arc<tokio::sync::Semaphore>,
    ) {
        (self.peers.clone(), self.release.clone(), self.events.clone(), self.authorized.clone(), self.limit.clone())
    }

    /// `sender`'s next hop started (it holds a copy and has no hop running).
    fn next_hop(&mut self, sender: usize) {
        let key_error = match self.keys.get(sender).and_then(Option::as_ref) {
            Some(Ok(_)) => None,
            Some(Err(e)) => Some(e.clone()),
            None => return, // no receivers
        };
        if let Some(e) = key_error {
            return self.orphan(sender, &format!("{} cannot send ({e})", self.peers[sender].name));
        }
        while let Some((receiver, round)) = self.pending[sender].pop_front() {
            let last = self.pending[sender].is_empty();
            let line_error = match &self.authorized[receiver] {
                Some(Ok(_)) => None,
                Some(Err(e)) => Some(e.clone()),
                None => Some("its key line was not set up".to_string()),
            };
            if let Some(e) = line_error {
                let why = format!("relay from {} (round {round}) failed: {e}", self.peers[sender].name);
                self.upload_instead(receiver, why);
                continue;
            }
            self.line_taken[receiver] = true;
            self.key_taken[sender] |= last;
            let (peers, release, events, authorized, limit) = self.shared();
            let keys = self.keys.clone();
            self.tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("semaphore open");
                let outcome = tokio::task::spawn_blocking(move || {
                    let key = keys[sender].as_ref().and_then(|k| k.as_ref().ok()).expect("checked above");
                    let line = authorized[receiver].as_ref().and_then(|a| a.as_ref().ok()).expect("checked above");
                    hop((&peers[sender], key, last), (&peers[receiver], line), round, &release, &events)
                })
                .await
                .expect("relay task panicked");
                Done::Hop { sender, receiver, outcome }
            });
            return;
        }
    }

    /// Starts hops as senders become free, until every task ended (a cancel starts no more).
    async fn walk(&mut self, mut free: Vec<usize>, cancel: &Cancel) {
        loop {
            if !cancel.is_cancelled() {
                for sender in std::mem::take(&mut free) {
                    self.next_hop(sender);
                }
            }
            let Some(done) = self.tasks.join_next().await else { return };
            match done.expect("relay task panicked") {
                Done::Hop { sender, receiver, outcome } => {
                    match outcome.sender_refetched {
                        Some(re) => self.holds(sender, Some(re), &mut free),
                        None => free.push(sender),
                    }
                    self.holds(receiver, outcome.receiver, &mut free);
                }
                Done::FromWizard { receiver, got } => self.holds(receiver, got, &mut free),
            }
        }
    }

    /// The key lines and key pairs no task took over (a cancel, a sender without a copy) removed, side by side.
    async fn clean_up(&mut self) {
        let lines: Vec<usize> = (0..self.peers.len())
            .filter(|&r| !self.line_taken[r] && matches!(self.authorized[r], Some(Ok(_))))
            .collect();
        let keys: Vec<usize> =
            (0..self.peers.len()).filter(|&s| !self.key_taken[s] && matches!(self.keys[s], Some(Ok(_)))).collect();
        let (peers, authorized, made) = (self.peers.clone(), self.authorized.clone(), self.keys.clone());
        let work: Vec<(usize, bool)> =
            lines.into_iter().map(|r| (r, true)).chain(keys.into_iter().map(|s| (s, false))).collect();
        side_by_side(work, move |(host, line)| match line {
            true => deauthorize(&peers[host], authorized[host].as_ref().unwrap().as_ref().unwrap()),
            false => remove_key(&peers[host], made[host].as_ref().unwrap().as_ref().unwrap()),
        })
        .await;
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
