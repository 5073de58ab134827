//! Closing SSH connections off the caller's thread. Closing one is a round trip or two — the held run-lock
//! channel's EOF and close (`hold.rs`), an SFTP channel's close — and a run drops its hosts' transports one after
//! the other: at its end the run waited one round trip per host, growing with the fleet (and with the link's
//! latency: 100 hosts over a 30 ms VPN, 3 s). A transport's drop hands its connection to a thread of its own, so the
//! hosts close at once. [`wait_for_closes`] joins every close begun: a front door about to exit (the CLI) calls it
//! first, so each host's run lock is let go before the process ends and a run started right after finds it free; and
//! taking a run lock calls it first (`apply::runlock`), so a run of the same process (the app's next operation, a
//! migration's next stage) never finds the lock held by its own connection still closing, and takes it anew.

use std::sync::Mutex;
use std::thread::JoinHandle;

/// The closes begun and not yet joined (finished ones are dropped when the next begins).
static CLOSING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Runs `close` (what drops the connection) on a thread of its own; where no thread can be made, `close` is dropped
/// here, which closes the connection on this thread as before.
pub(super) fn close_in_background(close: impl FnOnce() + Send + 'static) {
    if let Ok(handle) = std::thread::Builder::new().name("ssh-close".into()).spawn(close) {
        let mut closing = CLOSING.lock().unwrap_or_else(|p| p.into_inner());
        closing.retain(|h| !h.is_finished());
        closing.push(handle);
    }
}

/// Waits until every connection dropped so far is closed. The list stays locked while it waits, so a second caller
/// waits too (none returns while a close it could depend on is still under way).
pub fn wait_for_closes() {
    let mut closing = CLOSING.lock().unwrap_or_else(|p| p.into_inner());
    for handle in closing.drain(..) {
        let _ = handle.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn connections_close_at_once_and_waiting_returns_only_when_every_one_is_closed() {
        let (started, starts) = mpsc::channel();
        let (closed, closes) = mpsc::channel();
        let mut gos = Vec::new();
        for host in 0..3 {
            let (go, wait) = mpsc::channel::<()>();
            gos.push(go);
            let (started, closed) = (started.clone(), closed.clone());
            close_in_background(move || {
                started.send(host).unwrap();
                wait.recv().unwrap();
                closed.send(host).unwrap();
            });
        }
        // every close has begun while none may finish: they run side by side, not one after the other
        let mut begun: Vec<i32> = (0..3).map(|_| starts.recv_timeout(Duration::from_secs(30)).unwrap()).collect();
        begun.sort();
        assert_eq!(begun, [0, 1, 2]);
        assert!(closes.try_recv().is_err());
        for go in gos {
            go.send(()).unwrap();
        }
        wait_for_closes();
        let mut done: Vec<i32> = closes.try_iter().collect();
        done.sort();
        assert_eq!(done, [0, 1, 2], "waiting returned before every close ended");
    }
}
