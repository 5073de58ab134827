//! How the wizard dials host H port P for anything that is not SSH — Kafka and ZooKeeper clients of the health
//! gates, `status`, the protocol operations and the port probes (`health::wire::connect`, `apply::wait`,
//! `apply::status`) — the one place that decides it: straight over TCP from the wizard's machine, or, for a host
//! reached through a jump host (`[ssh] jump`, a host's own, or ProxyJump from ssh_config), a `direct-tcpip` channel
//! of an SSH session to that jump host, so a bastion that lets only SSH through carries the Kafka traffic too.
//!
//! Which hosts go through which jump host is learned where a host's transport is opened (`open.rs`): every name
//! the host is dialled by — its project name, its address, the `HostName` ssh_config gave it — maps to its jump
//! host and to the address the jump host should connect to (the resolved one, so an ssh_config alias works). Kafka
//! brokers advertise the host's address or name (`render`), so brokers learned from metadata map to the same
//! host. A host opened without a jump host (or as `connection = "local"`) is dialled directly again. The map is
//! process-wide: the latest opened transport of a host name decides.
//!
//! Design (the `ssh2` crate's threading rules: one mutex per session serializes every channel of it, and a blocking
//! call on a tokio worker stalls other tasks): each dial through a jump host opens its own SSH session to the jump
//! host (host key verified against known_hosts like any connection, login as for the host) on a blocking thread,
//! opens one `direct-tcpip` channel to `address:port` on it, and hands the caller one end of a Unix socket pair;
//! a pump thread that owns the session copies bytes between the other end and the channel (`ssh/tunnel.rs`, the
//! same tunnel the host's own SSH session rides on). The caller gets a tokio stream, so TLS and SASL run over it
//! unchanged (TLS still verifies the certificate for the name dialled). A dial costs one TCP connect, handshake
//! and login at the jump host (tens of ms on a LAN); sessions are not shared between dials, so no lock is shared
//! either and a connection closing ends its own session. Parallel dials and hosts share one bound on the logins
//! under way at a jump host (`ssh/startups.rs`), below the bastion's `MaxStartups`.

use super::{ssh, JumpTarget, TransportError};
use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream to a host's port: TCP, or a tunnel through its jump host.
pub trait Wire: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Wire for T {}

/// How one host name is reached through a jump host.
#[derive(Clone, Debug)]
struct Through {
    /// The host's name in the project (for messages).
    host: String,
    /// What the jump host connects to (the host's resolved address).
    address: String,
    jump: Arc<JumpTarget>,
}

/// Where a route comes from: a host's transport being opened (with the run's secrets), or the project read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Opened,
    Learned,
}

fn routes() -> &'static Mutex<HashMap<String, Through>> {
    static ROUTES: OnceLock<Mutex<HashMap<String, Through>>> = OnceLock::new();
    ROUTES.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(name: &str) -> String {
    name.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()
}

/// Whether two routes go to the same address through the same jump host (login and port included).
fn same_way(a: &Through, address: &str, jump: &JumpTarget) -> bool {
    let (x, y) = (&a.jump.target, &jump.target);
    a.address == address && x.address == y.address && x.port == y.port && x.user == y.user
}

/// Records how the host named `host` (also dialled by each of `names`) is reached: through `jump` to `address`, or
/// directly when `jump` is `None`. `Learned` keeps a route already known the same way (one an opened transport
/// recorded with the run's secrets); `Opened` replaces it.
pub(crate) fn remember(host: &str, names: &[&str], address: &str, jump: Option<&JumpTarget>, how: Source) {
    let mut map = routes().lock().unwrap_or_else(|p| p.into_inner());
    let jump = jump.map(|j| Arc::new(j.clone()));
    for name in names.iter().chain([&host, &address]) {
        match &jump {
            Some(jump) => {
                if how == Source::Learned && map.get(&key(name)).is_some_and(|t| same_way(t, address, jump)) {
                    continue;
                }
                let through = Through { host: host.into(), address: address.into(), jump: jump.clone() };
                map.insert(key(name), through);
            }
            None => {
                map.remove(&key(name));
            }
        }
    }
}

/// The jump host `addr` (`host:port`, `[v6]:port`) goes through, for messages: `None` when dialled directly.
pub fn jump_of(addr: &str) -> Option<String> {
    let (host, _) = split(addr).ok()?;
    let map = routes().lock().unwrap_or_else(|p| p.into_inner());
    map.get(&key(host)).map(|t| t.jump.target.name.clone())
}

fn split(addr: &str) -> io::Result<(&str, u16)> {
    let bad = || io::Error::new(io::ErrorKind::InvalidInput, format!("{addr:?} is not host:port"));
    let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
    let port = port.parse().map_err(|_| bad())?;
    Ok((host.trim_start_matches('[').trim_end_matches(']'), port))
}

/// Connects to `addr` (`host:port`): through the host's jump host when it has one, else over TCP (`TCP_NODELAY`).
pub async fn connect(addr: &str) -> io::Result<Box<dyn Wire>> {
    let (host, port) = split(addr)?;
    let through = routes().lock().unwrap_or_else(|p| p.into_inner()).get(&key(host)).cloned();
    let Some(through) = through else {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        let _ = tcp.set_nodelay(true);
        return Ok(Box::new(tcp));
    };
    let local = tokio::task::spawn_blocking(move || {
        ssh::open_channel(&through.jump, &through.address, port).map_err(|e| {
            let jump = &through.jump.target.name;
            let text = match e {
                // the jump host is fine, the port behind it is not: the caller names the address already
                TransportError::Unreachable { host, detail, .. }
                    if host == *jump && detail.starts_with(ssh::CHANNEL_REFUSED) =>
                {
                    format!("through the jump host {jump}: {detail}")
                }
                e => TransportError::through_jump(&through.host, jump, e).to_string(),
            };
            io::Error::new(io::ErrorKind::ConnectionRefused, text)
        })
    })
    .await
    .map_err(io::Error::other)??;
    local.set_nonblocking(true)?;
    Ok(Box::new(tokio::net::UnixStream::from_std(local)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{SshTarget, UnknownHostKey};
    use std::time::Duration;

    fn jump() -> JumpTarget {
        let target = SshTarget {
            name: "bastion".into(),
            address: "127.0.0.1".into(),
            port: 1, // nothing listens: a dial through it fails at the jump host
            user: "ops".into(),
            identity_file: None,
            known_hosts: Some("/nonexistent/known_hosts".into()),
            sudo: false,
            password: None,
            key_passphrase: None,
            become_password: None,
            timeout: Duration::from_secs(2),
            jump: None,
        };
        JumpTarget { target, unknown: UnknownHostKey::Refuse, accepted_fingerprint: None }
    }

    #[test]
    fn host_and_port_are_split_for_names_and_bracketed_v6_addresses() {
        assert_eq!(split("kafka1:9092").unwrap(), ("kafka1", 9092));
        assert_eq!(split("[fd00::1]:9093").unwrap(), ("fd00::1", 9093));
        assert!(split("kafka1").is_err() && split("kafka1:x").is_err());
    }

    #[tokio::test]
    async fn every_name_of_a_host_behind_a_jump_host_is_dialled_through_it_until_it_is_opened_directly() {
        let names = ["dial-test-behind.example", "dial-test-alias"];
        remember("dial-test-host", &names, "10.255.0.9", Some(&jump()), Source::Opened);
        for name in ["DIAL-TEST-BEHIND.example", "dial-test-alias", "dial-test-host", "10.255.0.9"] {
            assert_eq!(jump_of(&format!("{name}:9092")).as_deref(), Some("bastion"), "{name}");
        }
        // a dial goes to the jump host (nothing listens there), never straight to the address
        let err = connect("dial-test-alias:9092").await.err().expect("the jump host is down");
        let text = err.to_string();
        assert!(text.starts_with("dial-test-host: through the jump host bastion: bastion: cannot connect"), "{text}");

        // the project read again keeps the opened route; opened directly, the host is dialled directly
        let mut other = jump();
        other.target.password = Some(crate::transport::Secret::new("only-when-opened"));
        remember("dial-test-host", &names, "10.255.0.9", Some(&other), Source::Opened);
        remember("dial-test-host", &names, "10.255.0.9", Some(&jump()), Source::Learned);
        let kept = routes().lock().unwrap().get("dial-test-alias").map(|t| t.jump.target.password.is_some());
        assert_eq!(kept, Some(true), "a route learned the same way keeps the opened one's secrets");
        remember("dial-test-host", &names, "10.255.0.9", None, Source::Opened);
        assert_eq!(jump_of("dial-test-alias:9092"), None);
        assert_eq!(jump_of("10.255.0.9:9092"), None);
    }

    #[tokio::test]
    async fn a_host_without_a_jump_host_is_dialled_over_tcp() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        assert_eq!(jump_of(&addr), None);
        let accept = tokio::spawn(async move { listener.accept().await.map(|_| ()) });
        connect(&addr).await.unwrap();
        accept.await.unwrap().unwrap();
    }
}
