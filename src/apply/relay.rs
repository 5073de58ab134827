//! Carrying out the release's distribution (`plan::distribution` says why and how): before the install phase, the
//! wizard uploads the verified tarball to the first host that needs it; then, round after round, every host holding
//! a verified copy sends it to one more host over SSH from host to host, and the receiver verifies the wizard's
//! SHA-512 before it counts as a holder. What this leaves on each host is the install step's upload name
//! (`plan::leftovers::uploaded_tarball`) holding a copy verified right there — in the install directory, where only
//! root writes, after it was made root's —: the install step then unpacks it without an upload and without reading
//! it a second time (`Context::staged`; a later run relays or uploads it again, and verifies it before use).
//!
//! A hop, sender S to receiver R, is four commands over the wizard's own sessions:
//! 1. S: a fresh ed25519 key pair in a 0700 temporary directory of the install directory (swept as a leftover).
//! 2. R: its public key appended to the SSH user's `authorized_keys`, `restrict`ed to one forced command that writes
//!    a temporary file; R's host public keys printed (read over the wizard's verified session). Stale lines of an
//!    interrupted run are swept first (they carry their creation time).
//! 3. S: `ssh` with that key, `StrictHostKeyChecking=yes` against a known_hosts of R's host keys only, the copy on
//!    stdin (AES-GCM offered first); S's key directory removed in the same command.
//! 4. R, in one command: the key line removed (always; alone when 3 failed); the received file made root's, moved
//!    into place and verified there (deleted when it is not the release).
//!
//! The scripts themselves: [`scripts`].
//!
//! Any failure of a hop makes the wizard upload to R directly (a warning says why); a checksum mismatch also makes it
//! verify S's copy, and a bad one is uploaded again from the wizard — the tampered host re-fetches.

mod scripts;

use super::hosts::HostRun;
use super::options::Cancel;
use crate::events::{Event, EventSink, Outcome, Target};
use crate::plan::distribution::{self, Strategy, MAX_PARALLEL_HOPS};
use crate::plan::leftovers::uploaded_tarball;
use crate::plan::{HostStep, HostSteps};
use crate::project::spec::{ClusterSpec, Connection};
use crate::shell::quote;
use crate::transport::{Privilege, Transport};
use scripts::{
    authorize_script, deauthorize_script, finish_script, keygen_script, send_script, verify_script, KEY_MARK,
    VERIFY_MISMATCH,
};
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
    let log = |message: String| events(Event::Log { target: Target::Wizard, message });
    log(format!("release distribution: {}", strategy.why));

    // per peer: how it holds a verified copy (none: left to the install step's upload), bytes the wizard sent it
    let mut got: Vec<Option<String>> = vec![None; peers.len()];
    let mut uploaded: Vec<u64> = vec![0; peers.len()];
    let mut holders: Vec<usize> = Vec::new();
    let mut waiting: Vec<usize> = (0..peers.len()).collect();
    waiting.reverse();
    // the first: from the wizard
    while let Some(first) = waiting.pop() {
        let (peer, release, events) = (peers[first].clone(), release.clone(), events.clone());
        let result =
            tokio::task::spawn_blocking(move || receive_from_wizard(&peer, &release, &events, "from the wizard"))
                .await
                .expect("relay task panicked");
        if let Some(g) = result {
            uploaded[first] += g.uploaded;
            got[first] = Some(g.how);
            holders.push(first);
            break;
        }
    }
    let mut round = 0;
    while !waiting.is_empty() && !holders.is_empty() && !cancel.is_cancelled() {
        round += 1;
        let mut tasks = Vec::new();
        for &sender in holders.iter().take(MAX_PARALLEL_HOPS) {
            let Some(receiver) = waiting.pop() else { break };
            let (s, r, release, events) =
                (peers[sender].clone(), peers[receiver].clone(), release.clone(), events.clone());
            tasks.push((sender, receiver, tokio::task::spawn_blocking(move || hop(&s, &r, round, &release, &events))));
        }
        for (sender, receiver, task) in tasks {
            let outcome = task.await.expect("relay task panicked");
            if let Some(re) = outcome.sender_refetched {
                uploaded[sender] += re.uploaded;
                got[sender] = Some(re.how).filter(|how| !how.is_empty());
                if got[sender].is_none() {
                    holders.retain(|&h| h != sender);
                }
            }
            if let Some(g) = outcome.receiver {
                uploaded[receiver] += g.uploaded;
                got[receiver] = Some(g.how);
                holders.push(receiver);
            }
        }
    }
    for (i, how) in got.into_iter().enumerate() {
        let run = &mut runs[needing[i]];
        run.ctx.staged = how;
        run.uploaded += uploaded[i];
    }
}

/// What a hop ended with: the receiver's copy (relayed, or uploaded by the wizard after the hop failed), and when the
/// sender's copy was found bad, its re-upload (`how` empty: the re-upload failed too).
struct HopOutcome {
    receiver: Option<Got>,
    sender_refetched: Option<Got>,
}

const RECEIVE: &str = "receive the release";

/// The wizard uploads the tarball to `peer`'s upload name and verifies it there.
fn receive_from_wizard(peer: &Peer, release: &Release, events: &EventSink, how: &str) -> Option<Got> {
    let target = Target::host(&peer.name);
    events(Event::StepStarted { target: target.clone(), step: RECEIVE.into() });
    let mut last = 0;
    let mut progress = |done: u64, total: u64| {
        last = done;
        events(Event::Progress { target: target.clone(), step: RECEIVE.into(), done, total: Some(total) });
    };
    let result = peer
        .transport
        .upload(&release.local, &release.staged, 0o600, &mut progress)
        .map_err(|e| e.to_string())
        .and_then(|()| verify(peer.transport.as_ref(), &release.staged, &release.sha512));
    match result {
        Ok(()) => {
            let detail = format!("{how}, SHA-512 verified on the host");
            events(Event::StepFinished { target, step: RECEIVE.into(), outcome: Outcome::Changed { detail } });
            Some(Got { how: how.to_string(), uploaded: last })
        }
        Err(e) => {
            events(Event::Warning {
                target,
                message: format!("the wizard's upload of the release failed ({e}); the install step tries again"),
            });
            None
        }
    }
}

/// `Ok` when `path` on the host has the SHA-512 `sum`; else what is wrong.
fn verify(t: &dyn Transport, path: &str, sum: &str) -> Result<(), String> {
    let out = t.exec(&verify_script(path, sum), None).map_err(|e| e.to_string())?;
    match out.status {
        0 => Ok(()),
        VERIFY_MISMATCH => Err(format!(
            "{path} does not match the release's SHA-512 (it has {}…)",
            &out.stdout_text()[..16.min(out.stdout.len())]
        )),
        _ => Err(format!("cannot read {path}: {}", out.stderr_tail(3))),
    }
}

/// One hop, `s` to `r`; on failure the wizard serves `r` itself (and `s` again when its copy is bad).
fn hop(s: &Peer, r: &Peer, round: u32, release: &Release, events: &EventSink) -> HopOutcome {
    let target = Target::host(&r.name);
    let how = format!("from {} (round {round})", s.name);
    events(Event::StepStarted { target: target.clone(), step: RECEIVE.into() });
    let started = std::time::Instant::now();
    let error = match relay(s, r, release) {
        Ok(()) => {
            let detail = format!(
                "{how}, host to host over SSH in {:.1}s, SHA-512 verified on the host",
                started.elapsed().as_secs_f64()
            );
            events(Event::StepFinished { target, step: RECEIVE.into(), outcome: Outcome::Changed { detail } });
            return HopOutcome { receiver: Some(Got { how, uploaded: 0 }), sender_refetched: None };
        }
        Err(e) => e,
    };
    events(Event::Warning {
        target: target.clone(),
        message: format!("relay {how} failed: {error} — the wizard uploads the release to {} directly", r.name),
    });
    let mut sender_refetched = None;
    if error.mismatch {
        if let Err(bad) = verify(s.transport.as_ref(), &release.staged, &release.sha512) {
            events(Event::Warning {
                target: Target::host(&s.name),
                message: format!("{}'s copy is not the release ({bad}): it re-fetches it from the wizard", s.name),
            });
            let re = receive_from_wizard(s, release, events, "from the wizard again: its copy did not verify");
            sender_refetched = Some(re.unwrap_or(Got { how: String::new(), uploaded: 0 }));
        }
    }
    let receiver = receive_from_wizard(r, release, events, &format!("from the wizard: the relay {how} failed"));
    HopOutcome { receiver, sender_refetched }
}

/// Why a hop failed; `mismatch`: the receiver got bytes that are not the release.
#[derive(Debug)]
struct HopError {
    message: String,
    mismatch: bool,
}

impl std::fmt::Display for HopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn failed(step: &str, host: &str) -> impl Fn(String) -> HopError {
    let (step, host) = (step.to_string(), host.to_string());
    move |m| HopError { message: format!("{host}: {step}: {m}"), mismatch: false }
}

/// Runs `script` on `t`; its stdout, or the tail of its stderr.
fn run(t: &dyn Transport, script: &str) -> Result<String, String> {
    let out = t.exec(script, None).map_err(|e| e.to_string())?;
    match out.success() {
        true => Ok(out.stdout_text()),
        false => Err(format!("exit status {}: {}", out.status, out.stderr_tail(4))),
    }
}

/// The four commands of a hop (module docs).
fn relay(s: &Peer, r: &Peer, release: &Release) -> Result<(), HopError> {
    let tag = crate::transport::random_tag();
    let mark = format!("{KEY_MARK}{}-{tag}", unix_now());
    let keys = run(s.transport.as_ref(), &keygen_script(&release.install_dir)).map_err(failed("key pair", &s.name))?;
    let mut lines = keys.lines();
    let (Some(dir), Some(public)) = (lines.next(), lines.next()) else {
        return Err(failed("key pair", &s.name)(format!("unexpected output {keys:?}")));
    };
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let authorized = run(r.transport.as_ref(), &authorize_script(r, release, &tag, &mark, &public.join(" ")));
    let result = authorized.map_err(failed("authorize the sender's key", &r.name)).and_then(|printed| {
        let mut receive = None;
        let mut host_keys = Vec::new();
        for line in printed.lines() {
            if let Some(path) = line.strip_prefix("receive ") {
                receive = Some(path.to_string());
            } else if let Some(key) = line.strip_prefix("hostkey ") {
                host_keys.push(key.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
            }
        }
        let receive = receive.ok_or_else(|| failed("authorize", &r.name)("no receive path printed".into()))?;
        if host_keys.is_empty() {
            return Err(failed("read host keys", &r.name)("no /etc/ssh/ssh_host_*_key.pub".into()));
        }
        run(s.transport.as_ref(), &send_script(dir, r, &host_keys, &release.staged))
            .map_err(failed(&format!("send to {}", r.name), &s.name))?;
        Ok(receive)
    });
    let receive = match result {
        Ok(receive) => receive,
        Err(e) => {
            // the key line goes whatever happened; the sender's directory too (a send that ran removed it itself)
            let _ = run(r.transport.as_ref(), &deauthorize_script(&r.user, &mark));
            let _ = run(s.transport.as_ref(), &format!("rm -rf -- {}", quote(dir)));
            return Err(e);
        }
    };
    // one command on the receiver: the key line removed, the copy verified and moved into place
    let out = r.transport.exec(&finish_script(&r.user, &mark, &receive, release), None);
    let out = out.map_err(|e| failed("verify and move the copy into place", &r.name)(e.to_string()))?;
    match out.status {
        0 => Ok(()),
        VERIFY_MISMATCH => Err(HopError {
            message: format!(
                "{}: the copy received ({}) does not match the release's SHA-512 (it has {}…)",
                r.name,
                release.staged,
                &out.stdout_text()[..16.min(out.stdout.len())]
            ),
            mismatch: true,
        }),
        _ => Err(failed("verify and move the copy into place", &r.name)(format!(
            "exit status {}: {}",
            out.status,
            out.stderr_tail(4)
        ))),
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
