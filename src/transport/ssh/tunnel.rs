//! The way through a jump host (bastion), like OpenSSH's `ProxyJump`: an SSH session to the jump host — its host
//! key verified against known_hosts and logged in exactly like any host (`connect_session`) — then a
//! `direct-tcpip` channel from it to the target's SSH port. libssh2 runs a session only on a socket, so the target's
//! session gets one end of a Unix socket pair and a pump thread copies bytes between the other end and the channel.
//!
//! One jump session per target (not one shared by every host behind the bastion): libssh2 serializes everything
//! on a session behind one lock, so a shared jump session would put every host's uploads on one thread and one
//! lock; its own session keeps hosts parallel and a failure on one from breaking the others, for one more
//! handshake and login (~50 ms) per host — at most `startups::PER_JUMP_HOST` of those logins under way at once, so
//! the bastion's `MaxStartups` never drops one. The pump owns the jump session and ends when either side closes.

use super::{connect_session, Trust};
use crate::transport::{SshTarget, TransportError};
use ssh2::{Channel, Session};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::io::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// How the detail of a channel the jump host could not open starts (`transport::dial` tells it apart by this).
pub(crate) const CHANNEL_REFUSED: &str = "the jump host could not open a connection to it";

/// Bytes moved per read; big enough for libssh2's 32 KiB packets several at a time.
const CHUNK: usize = 256 * 1024;

/// Connects to `jump`, opens a channel to `address:port` through it and returns the local end of the tunnel.
/// The login to the jump host takes a place among its logins under way (`startups.rs`: sshd's `MaxStartups`) and
/// keeps it until the channel is open; a login the jump host dropped before its banner is tried again.
pub(super) fn open(jump: &SshTarget, trust: Trust<'_>, address: &str, port: u16) -> Result<UnixStream, TransportError> {
    let key = format!("{}:{}", jump.address, jump.port);
    let mut dropped = 0;
    let (place, session, fd) = loop {
        let place = super::startups::enter(&key);
        match connect_session(jump, trust) {
            Ok((session, fd, _key)) => break (place, session, fd),
            Err(e) if dropped < super::startups::RETRIES && super::startups::dropped_at_startup(&e) => {
                drop(place);
                dropped += 1;
                std::thread::sleep(super::startups::backoff(dropped));
            }
            Err(e) => return Err(e),
        }
    };
    let channel = session.channel_direct_tcpip(address, port, None).map_err(|e| TransportError::Unreachable {
        host: jump.name.clone(),
        address: address.to_string(),
        port,
        detail: format!("{CHANNEL_REFUSED}: {e}"),
    })?;
    drop(place);
    let (ours, theirs) = UnixStream::pair().map_err(|e| TransportError::io(&jump.name, "making a socket pair", e))?;
    ours.set_nonblocking(true).map_err(|e| TransportError::io(&jump.name, "making a socket pair", e))?;
    std::thread::Builder::new()
        .name(format!("jump {}", jump.name))
        .spawn(move || pump(session, channel, ours, fd))
        .map_err(|e| TransportError::io(&jump.name, "starting the tunnel thread", e))?;
    Ok(theirs)
}

/// Copies bytes both ways between `local` and `channel` until one side closes or fails; nothing blocks, so a full
/// buffer one way never stops the other.
fn pump(session: Session, mut channel: Channel, mut local: UnixStream, jump_fd: RawFd) {
    session.set_blocking(false);
    let mut up: Vec<u8> = Vec::new(); // read from the target's session, not yet written to the channel
    let mut down: Vec<u8> = Vec::new(); // read from the channel, not yet written to the target's session
    let mut buf = vec![0u8; CHUNK];
    loop {
        let mut moved = false;
        if up.is_empty() {
            match local.read(&mut buf) {
                Ok(0) => break, // the target's session is gone
                Ok(n) => up.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if !up.is_empty() {
            match channel.write(&up) {
                Ok(n) => {
                    up.drain(..n);
                    moved |= n > 0;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if down.is_empty() {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => break, // the target closed its end
                Ok(n) => down.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if !down.is_empty() {
            match local.write(&down) {
                Ok(n) => {
                    down.drain(..n);
                    moved |= n > 0;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
        if !moved {
            wait(&session, jump_fd, &local, up.is_empty(), !down.is_empty());
        }
    }
    drop(local);
    session.set_blocking(true);
    session.set_timeout(2000);
    let _ = channel.close();
    let _ = session.disconnect(None, "tunnel closed", None);
}

/// Sleeps until the jump socket is ready the way libssh2 wants, the local end has bytes to read (when there is
/// room) or room to write (when bytes wait) — at most 50 ms, as libssh2 may hold data it already read.
fn wait(session: &Session, jump_fd: RawFd, local: &UnixStream, read_local: bool, write_local: bool) {
    let jump_events = match session.block_directions() {
        ssh2::BlockDirections::Outbound => libc::POLLOUT,
        ssh2::BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
        ssh2::BlockDirections::Inbound | ssh2::BlockDirections::None => libc::POLLIN,
    };
    let mut local_events = 0;
    if read_local {
        local_events |= libc::POLLIN;
    }
    if write_local {
        local_events |= libc::POLLOUT;
    }
    let mut fds = [
        libc::pollfd { fd: jump_fd, events: jump_events, revents: 0 },
        libc::pollfd { fd: local.as_raw_fd(), events: local_events, revents: 0 },
    ];
    let ms = Duration::from_millis(50).as_millis() as i32;
    // SAFETY: two valid pollfds for the duration of the call; both fds stay open while `session` and `local` live.
    unsafe {
        libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms);
    }
}
