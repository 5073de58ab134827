//! One hop of the relay, sender S to receiver R, set up beforehand (`setup.rs`): the copy sent over SSH from S, then
//! ONE command on R (key line removed, copy verified and moved into place). A failed hop makes the wizard upload to R
//! itself; a checksum mismatch also checks S's copy, and a bad one is uploaded again — the tampered host re-fetches.
//! And the wizard's own upload: to the first host, and to any host a hop could not serve.

use super::scripts::{finish_script, send_script, verify_script, VERIFY_MISMATCH};
use super::setup::{deauthorize, remove_key, run, Authorized, SenderKey};
use super::{Got, Peer, Release};
use crate::events::{Event, EventSink, Outcome, Target};
use crate::transport::Transport;

/// What a hop ended with: the receiver's copy (relayed, or uploaded by the wizard after the hop failed), and when the
/// sender's copy was found bad, its re-upload (`how` empty: the re-upload failed too).
pub(super) struct HopOutcome {
    pub receiver: Option<Got>,
    pub sender_refetched: Option<Got>,
}

const RECEIVE: &str = "receive the release";

/// The wizard uploads the tarball to `peer`'s upload name and verifies it there.
pub(super) fn receive_from_wizard(peer: &Peer, release: &Release, events: &EventSink, how: &str) -> Option<Got> {
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

/// The wizard serves `r` itself because no hop can (`why`): its key line, if it has one, removed first.
pub(super) fn from_wizard_instead(
    r: &Peer,
    authorized: Option<&Authorized>,
    why: &str,
    release: &Release,
    events: &EventSink,
) -> Option<Got> {
    if let Some(authorized) = authorized {
        deauthorize(r, authorized);
    }
    events(Event::Warning {
        target: Target::host(&r.name),
        message: format!("{why} — the wizard uploads the release to {} directly", r.name),
    });
    receive_from_wizard(r, release, events, &format!("from the wizard: {why}"))
}

/// `Ok` when `path` on the host has the SHA-512 `sum`; else what is wrong.
pub(super) fn verify(t: &dyn Transport, path: &str, sum: &str) -> Result<(), String> {
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

/// The hop `s` → `r` of `round` (`last`: the sender's last, which removes its key); on failure the wizard serves
/// `r` itself (and `s` again when its copy is bad).
pub(super) fn hop(
    (s, key, last): (&Peer, &SenderKey, bool),
    (r, authorized): (&Peer, &Authorized),
    round: u32,
    release: &Release,
    events: &EventSink,
) -> HopOutcome {
    let target = Target::host(&r.name);
    let how = format!("from {} (round {round})", s.name);
    events(Event::StepStarted { target: target.clone(), step: RECEIVE.into() });
    let started = std::time::Instant::now();
    let error = match relay((s, key, last), (r, authorized), release) {
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

/// The hop's two commands: the send on S, then R's last command.
fn relay(
    (s, key, last): (&Peer, &SenderKey, bool),
    (r, authorized): (&Peer, &Authorized),
    release: &Release,
) -> Result<(), HopError> {
    let send = send_script(&key.dir, last, r, &authorized.host_keys, &release.staged);
    if let Err(e) = run(s.transport.as_ref(), &send) {
        // the key line goes whatever happened; the sender's key too when this was its last hop (the send's own
        // removal may not have run)
        deauthorize(r, authorized);
        if last {
            remove_key(s, key);
        }
        return Err(failed(&format!("send to {}", r.name), &s.name)(e));
    }
    // one command on the receiver: the key line removed, the copy verified and moved into place
    let finish = finish_script(&r.user, &authorized.mark, &authorized.receive, authorized.hashed, release);
    let out = r.transport.exec(&finish, None);
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
