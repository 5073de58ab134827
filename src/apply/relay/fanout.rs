//! The fan-out itself (`super` has the why and the hop's commands): the setup's two rounds, the wizard's upload to
//! the first host, then every sender's hops in the plan's order as soon as it holds a verified copy and its earlier
//! hop ended — no barrier between rounds —, each host handed over to its install step as soon as the relay is done
//! with it, and at the end whatever no hop used removed.

use super::hop::{from_wizard_instead, hop, receive_from_wizard, HopOutcome};
use super::setup::{authorize, deauthorize, make_key, remove_key, side_by_side, Authorized, SenderKey};
use super::{uncompressed, Got, Handover, Peer, Release, Uncompressing};
use crate::apply::options::Cancel;
use crate::events::{Event, EventSink, Target};
use crate::plan::distribution::{self, ReleaseFrom, MAX_PARALLEL_HOPS};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::oneshot;

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
pub(in crate::apply) struct Fanout {
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
    /// Per host: a hop it sends is running.
    sending: Vec<bool>,
    /// Per host: its install step's handover, until sent.
    handovers: Vec<Option<oneshot::Sender<Handover>>>,
    limit: Arc<tokio::sync::Semaphore>,
    tasks: tokio::task::JoinSet<Done>,
    /// The uncompressed tar the relay carries (removed when the fan-out ends), until made: its making.
    tar: Option<tempfile::TempPath>,
    uncompressing: Option<Uncompressing>,
}

impl Fanout {
    pub(super) fn new(
        peers: Arc<Vec<Peer>>,
        release: Arc<Release>,
        events: EventSink,
        handovers: Vec<oneshot::Sender<Handover>>,
        uncompressing: Option<Uncompressing>,
    ) -> Fanout {
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
            sending: vec![false; n],
            handovers: handovers.into_iter().map(Some).collect(),
            limit: Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL_HOPS)),
            tasks: tokio::task::JoinSet::new(),
            tar: None,
            uncompressing,
        }
    }

    /// Sets up, uploads to the first host, walks the tree (handing each host over when done with it), cleans up.
    pub(in crate::apply) async fn run(mut self, cancel: &Cancel) {
        let (peers, release) = (self.peers.clone(), self.release.clone());
        let senders: Vec<usize> = (0..peers.len()).filter(|&i| !self.pending[i].is_empty()).collect();
        let (p, r) = (peers.clone(), release.clone());
        let made = side_by_side(senders.clone(), move |s| make_key(&p[s], &r)).await;
        if let Some(uncompressing) = self.uncompressing.take() {
            self.carry_uncompressed(uncompressing.0.await.expect("relay task panicked"));
        }
        let release = self.release.clone();
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
        // a cancel leaves hosts the walk never finished with: their install steps see the cancel too
        for host in 0..self.peers.len() {
            self.hand_over(host);
        }
        self.clean_up().await;
    }

    /// The relay carries the tar when it could be made (the hosts then unpack without gzip), else the tarball.
    fn carry_uncompressed(&mut self, tar: std::io::Result<uncompressed::Tar>) {
        let message = match tar {
            Ok(tar) => {
                let message = format!(
                    "the relay carries the release's tar, uncompressed here from the verified tarball ({:.1} MB, \
                     SHA-512 {}…): each host verifies it and unpacks it without gzip",
                    tar.size as f64 / 1e6,
                    &tar.sha512[..16]
                );
                let local = tar.file.to_path_buf();
                self.release =
                    Arc::new(Release { local, sha512: tar.sha512, uncompressed: true, ..(*self.release).clone() });
                self.tar = Some(tar.file);
                message
            }
            Err(e) => format!("the relay carries the tarball itself: it could not be uncompressed here ({e})"),
        };
        (self.events)(Event::Log { target: Target::Wizard, message });
    }

    /// `host`'s install step gets what it holds, once the relay is done with it: it got a copy (or none, after all)
    /// and sends no more hops.
    fn hand_over_when_done(&mut self, host: usize) {
        if self.got[host].is_some() && self.pending[host].is_empty() && !self.sending[host] {
            self.hand_over(host);
        }
    }

    fn hand_over(&mut self, host: usize) {
        if let Some(handover) = self.handovers[host].take() {
            let got = self.got[host].as_ref();
            let staged = got.map(|g| g.how.clone()).filter(|how| !how.is_empty());
            // a receiver gone (its run ended) needs nothing
            let (uncompressed, uploaded) = (self.release.uncompressed, got.map_or(0, |g| g.uploaded));
            let _ = handover.send(Handover { staged, uncompressed, uploaded });
        }
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
                self.hand_over_when_done(host);
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
            self.sending[sender] = true;
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
                for host in std::mem::take(&mut free) {
                    self.next_hop(host);
                    self.hand_over_when_done(host);
                }
            }
            let Some(done) = self.tasks.join_next().await else { return };
            match done.expect("relay task panicked") {
                Done::Hop { sender, receiver, outcome } => {
                    self.sending[sender] = false;
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
