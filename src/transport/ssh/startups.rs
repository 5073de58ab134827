//! How many SSH logins the wizard has in flight at one jump host at a time. Every host behind a bastion, and every
//! Kafka dial through it (`transport::dial`), opens its own session to it (`tunnel.rs`), all at once; sshd counts a
//! connection as a "startup" until it has logged in, and with more than `MaxStartups` of them (OpenSSH's default
//! `10:30:100`: past 10, each new one is refused with a probability rising from 30 %) it drops new connections —
//! a run with a dozen hosts behind one bastion would lose some at random. So at most [`PER_JUMP_HOST`] logins to
//! one jump host (`address:port`) are under way at once; the others wait for a free place, and a login holds its
//! place only until it is through (logged in and its channel open, or failed), so the sessions themselves stay as
//! many as needed. sshd stops counting a connection only once its monitor has noticed the login, a moment after the
//! client has seen it succeed — under load long enough for new connections to pile up past the limit — so a login
//! the jump host dropped before its banner ([`dropped_at_startup`]) is tried again, up to [`RETRIES`] times after a
//! growing pause ([`backoff`]). Hosts reached directly are not limited: each is a different sshd.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// Logins in flight at one jump host: below OpenSSH's default `MaxStartups` start (10), with room for an operator's
/// own logins beside the run.
pub(super) const PER_JUMP_HOST: usize = 8;

/// How many times a login dropped at startup is tried again.
pub(super) const RETRIES: u32 = 5;

/// Whether a login failed the way sshd's `MaxStartups` drops one: the connection closed before the server's banner.
pub(super) fn dropped_at_startup(e: &crate::transport::TransportError) -> bool {
    matches!(e, crate::transport::TransportError::Unreachable { detail, .. }
        if detail.contains("Failed getting banner") || detail.contains("Connection reset"))
}

/// The pause before try `n` (1-based): 100, 200, 400 … ms, plus up to 100 ms picked from the clock so that logins
/// dropped together do not come back together.
pub(super) fn backoff(n: u32) -> std::time::Duration {
    let spread =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos()) % 100;
    std::time::Duration::from_millis((100u64 << (n.min(6) - 1)) + u64::from(spread))
}

#[derive(Default)]
struct Gate {
    in_flight: Mutex<usize>,
    freed: Condvar,
}

/// A place among one jump host's logins in flight, given back when dropped.
pub(super) struct Place(Arc<Gate>);

impl Drop for Place {
    fn drop(&mut self) {
        let mut n = self.0.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        *n -= 1;
        self.0.freed.notify_one();
    }
}

/// Waits (blocking) until fewer than [`PER_JUMP_HOST`] logins to the jump host `key` are under way, and takes a place.
pub(super) fn enter(key: &str) -> Place {
    static GATES: OnceLock<Mutex<HashMap<String, Arc<Gate>>>> = OnceLock::new();
    let gate = {
        let mut gates = GATES.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        gates.entry(key.to_string()).or_default().clone()
    };
    let mut n = gate.in_flight.lock().unwrap_or_else(|p| p.into_inner());
    while *n >= PER_JUMP_HOST {
        n = gate.freed.wait(n).unwrap_or_else(|p| p.into_inner());
    }
    *n += 1;
    drop(n);
    Place(gate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn no_more_than_the_limit_of_logins_to_one_jump_host_are_under_way_at_once() {
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..3 * PER_JUMP_HOST)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                std::thread::spawn(move || {
                    let _place = enter("bastion-a:22");
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    now.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), PER_JUMP_HOST, "the limit is reached and never passed");
    }

    #[test]
    fn only_a_connection_closed_before_the_banner_counts_as_dropped_at_startup_and_the_pause_grows() {
        let unreachable = |detail: &str| crate::transport::TransportError::Unreachable {
            host: "bastion".into(),
            address: "10.0.0.1".into(),
            port: 22,
            detail: detail.into(),
        };
        assert!(dropped_at_startup(&unreachable("SSH handshake failed: [Session(-43)] Failed getting banner")));
        assert!(dropped_at_startup(&unreachable("Connection reset by peer (os error 104)")));
        assert!(!dropped_at_startup(&unreachable("Connection refused (os error 111)")));
        assert!(!dropped_at_startup(&unreachable("no answer within 10s")));
        let (first, last) = (backoff(1), backoff(RETRIES));
        assert!(first >= Duration::from_millis(100) && first < Duration::from_millis(200), "{first:?}");
        assert!(last >= Duration::from_millis(1600) && last < Duration::from_millis(1700), "{last:?}");
    }

    #[test]
    fn a_full_jump_host_makes_the_next_login_wait_for_a_free_place_and_holds_up_no_other_jump_host() {
        let full: Vec<Place> = (0..PER_JUMP_HOST).map(|_| enter("bastion-c:22")).collect();
        let entered = |key: &'static str| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let place = enter(key);
                tx.send(()).unwrap();
                drop(place);
            });
            rx
        };
        let other = entered("bastion-d:22");
        other.recv_timeout(Duration::from_secs(10)).expect("another jump host is not held up");
        let next = entered("bastion-c:22");
        assert!(next.recv_timeout(Duration::from_millis(300)).is_err(), "entered while every place was taken");
        drop(full);
        next.recv_timeout(Duration::from_secs(10)).expect("a place given back lets the next login in");
    }
}
