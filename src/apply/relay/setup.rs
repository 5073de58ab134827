//! A relay's setup and cleanup (`super` has the why): before the hops, one key pair per sending host for all its
//! hops, and every receiver's forced-command key line for its sender's key — so a hop itself is only the copy and the
//! receiver's last command. Each is one command per host, run side by side; the receivers' lines while the wizard
//! uploads to the first host. After the hops, what no hop used is removed.

use super::scripts::{authorize_script, deauthorize_script, keygen_script};
use super::{Peer, Release};
use crate::plan::distribution::MAX_PARALLEL_HOPS;
use crate::plan::leftovers::RELAY_KEY_MARK;
use crate::shell::quote;
use crate::transport::Transport;
use std::sync::Arc;

/// A sending host's key pair: its 0700 directory (the private key never leaves the host) and the public key.
pub(super) struct SenderKey {
    pub dir: String,
    pub public: String,
}

/// A receiver ready for its hop: the mark of its key line, where the copy lands, its host public keys (read over
/// the wizard's verified session), and whether the copy is hashed while it arrives (a root login).
pub(super) struct Authorized {
    pub mark: String,
    pub receive: String,
    pub host_keys: Vec<String>,
    pub hashed: bool,
}

/// Runs `script` on `t`; its stdout, or the tail of its stderr.
pub(super) fn run(t: &dyn Transport, script: &str) -> Result<String, String> {
    let out = t.exec(script, None).map_err(|e| e.to_string())?;
    match out.success() {
        true => Ok(out.stdout_text()),
        false => Err(format!("exit status {}: {}", out.status, out.stderr_tail(4))),
    }
}

/// A fresh key pair on `s`.
pub(super) fn make_key(s: &Peer, release: &Release) -> Result<SenderKey, String> {
    let keys = run(s.transport.as_ref(), &keygen_script(&release.install_dir))
        .map_err(|e| format!("{}: key pair: {e}", s.name))?;
    let mut lines = keys.lines();
    let (Some(dir), Some(public)) = (lines.next(), lines.next()) else {
        return Err(format!("{}: key pair: unexpected output {keys:?}", s.name));
    };
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    Ok(SenderKey { dir: dir.to_string(), public: public.join(" ") })
}

/// `public` (a sender's key) authorized on `r` for one copy.
pub(super) fn authorize(r: &Peer, release: &Release, public: &str) -> Result<Authorized, String> {
    let tag = crate::transport::random_tag();
    let mark = format!("{RELAY_KEY_MARK}{}-{tag}", super::unix_now());
    let failed = |e: String| format!("{}: authorize the sender's key: {e}", r.name);
    let printed = run(r.transport.as_ref(), &authorize_script(r, release, &tag, &mark, public)).map_err(failed)?;
    let (mut receive, mut host_keys, mut hashed) = (None, Vec::new(), false);
    for line in printed.lines() {
        if let Some(path) = line.strip_prefix("receive ") {
            receive = Some(path.to_string());
        } else if let Some(key) = line.strip_prefix("hostkey ") {
            host_keys.push(key.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
        } else if line == "hashed" {
            hashed = true;
        }
    }
    let authorized = |receive| Authorized { mark: mark.clone(), receive, host_keys: Vec::new(), hashed };
    let Some(receive) = receive else {
        deauthorize(r, &authorized(String::new()));
        return Err(failed("no receive path printed".into()));
    };
    if host_keys.is_empty() {
        deauthorize(r, &authorized(receive));
        return Err(format!("{}: read host keys: no /etc/ssh/ssh_host_*_key.pub", r.name));
    }
    Ok(Authorized { mark, receive, host_keys, hashed })
}

/// `r`'s key line removed (a hop that did not reach the receiver's last command).
pub(super) fn deauthorize(r: &Peer, authorized: &Authorized) {
    let _ = run(r.transport.as_ref(), &deauthorize_script(&r.user, &authorized.mark));
}

/// `s`'s key directory removed (a sender whose last hop did not run).
pub(super) fn remove_key(s: &Peer, key: &SenderKey) {
    let _ = run(s.transport.as_ref(), &format!("rm -rf -- {}", quote(&key.dir)));
}

/// `work` for each of `items`, side by side on blocking threads (at most [`MAX_PARALLEL_HOPS`] at once); the
/// results in `items`' order.
pub(super) async fn side_by_side<T, R, F>(items: Vec<T>, work: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let (work, limit) = (Arc::new(work), Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL_HOPS)));
    let tasks: Vec<_> = items
        .into_iter()
        .map(|item| {
            let (work, limit) = (work.clone(), limit.clone());
            tokio::spawn(async move {
                let _permit = limit.acquire_owned().await.expect("semaphore open");
                tokio::task::spawn_blocking(move || work(item)).await.expect("relay task panicked")
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("relay task panicked"));
    }
    out
}
