//! Opening the transport of one host — the one place that decides how a host is reached: the machine the wizard
//! runs on (`connection = "local"`), or SSH with the project's settings, an unknown host key refused, remembered
//! (trust on first use, when the user asked for it) or accepted only with the fingerprint the user was shown.
//! Used by the engine (`apply/connect.rs`, every host of a cluster) and by the app's Test connection (one host that
//! passed `project::validate::check_host_reach`), so both reach a host the same way. Opening a host also tells
//! `dial.rs` whether its Kafka and ZooKeeper ports are dialled through its jump host.

use super::dial::Source;
use super::local::LocalTransport;
use super::ssh::SshTransport;
use super::{Secret, SshTarget, Transport, TransportError, UnknownHostKey};
use crate::project::spec::{Connection, HostSpec, NetAddress, SshSettings};
use crate::project::validate::HostReach;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What reaching one host takes: a validated project host ([`HostSpec`]) and a host checked on its own for Test
/// connection ([`HostReach`]) both have it. Owned, so it can move to the blocking thread that connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostAccess {
    /// The host's name in the project.
    pub name: String,
    /// What to connect to: its address, else its name.
    pub address: String,
    pub connection: Connection,
    pub ssh: SshSettings,
}

impl HostAccess {
    fn of(name: &NetAddress, address: &NetAddress, connection: Connection, ssh: &SshSettings) -> HostAccess {
        HostAccess { name: name.as_str().into(), address: address.as_str().into(), connection, ssh: ssh.clone() }
    }
}

impl From<&HostSpec> for HostAccess {
    fn from(host: &HostSpec) -> HostAccess {
        HostAccess::of(&host.name, host.reach(), host.connection, &host.ssh)
    }
}

impl From<&HostReach> for HostAccess {
    fn from(host: &HostReach) -> HostAccess {
        HostAccess::of(&host.name, host.reach(), host.connection, &host.ssh)
    }
}

/// How to reach the hosts: what the user decided about host keys, and the secrets asked for this run.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Trust on first use for host keys not in known_hosts (an explicit decision of the user).
    pub accept_new_host_keys: bool,
    /// Login password for every host, asked interactively when the user chose password login. Never stored.
    pub password: Option<Secret>,
    /// Passphrase of encrypted key files, asked interactively. Never stored.
    pub key_passphrase: Option<Secret>,
    /// Password for sudo on hosts whose sudo asks for one (`transport/sudo.rs`), asked interactively. Never stored.
    pub become_password: Option<Secret>,
    pub timeout: Duration,
    /// Host keys the user accepted after seeing them: (host name, `SHA256:` fingerprint). Remembered only when the
    /// host still presents exactly that key.
    pub accepted_keys: Vec<(String, String)>,
    /// The ssh_config file read for hosts with `use_ssh_config` (`~` expanded).
    pub ssh_config_file: PathBuf,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            accept_new_host_keys: false,
            password: None,
            key_passphrase: None,
            become_password: None,
            timeout: Duration::from_secs(15),
            accepted_keys: Vec::new(),
            ssh_config_file: PathBuf::from("~/.ssh/config"),
        }
    }
}

impl ConnectOptions {
    /// The SSH target of `host`: its settings, `~/.ssh/config` when the project uses it, its jump host, and these
    /// options' secrets and timeout (`route.rs`).
    pub fn ssh_target(&self, host: &HostAccess) -> Result<SshTarget, TransportError> {
        super::route::resolve(host, self)
    }

    /// The fingerprint the user accepted for the host named `name`, if any.
    pub(super) fn accepted_key(&self, name: &str) -> Option<&str> {
        self.accepted_keys.iter().find(|(host, _)| host == name).map(|(_, fingerprint)| fingerprint.as_str())
    }
}

/// Opens the transport of `host`: the local transport for the wizard's own machine; else an SSH connection whose
/// host key is verified — an unknown key accepted only with the fingerprint the user accepted for this host, else
/// remembered when `opts.accept_new_host_keys`, else refused. Then how it gets root is checked once
/// (`Transport::check_privilege`). Blocking; call from a blocking thread.
pub fn open(host: &HostAccess, opts: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
    let transport = open_unchecked(host, opts)?;
    transport.check_privilege()?;
    Ok(transport)
}

fn open_unchecked(host: &HostAccess, opts: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
    if host.connection == Connection::Local {
        remember_route(host, None, Source::Opened);
        let password = opts.become_password.clone();
        return Ok(Arc::new(LocalTransport::with_become_password(host.name.clone(), host.ssh.sudo, password)));
    }
    let target = opts.ssh_target(host)?;
    remember_route(host, Some(&target), Source::Opened);
    let unknown = if opts.accept_new_host_keys { UnknownHostKey::AcceptAndRemember } else { UnknownHostKey::Refuse };
    let transport = match opts.accepted_key(&host.name) {
        Some(fingerprint) => SshTransport::connect_accepting(&target, fingerprint)?,
        None => SshTransport::connect(&target, unknown)?,
    };
    Ok(Arc::new(transport))
}

/// Tells `dial.rs` how `host`'s other ports are dialled: through its SSH target's jump host, or directly.
fn remember_route(host: &HostAccess, target: Option<&SshTarget>, how: Source) {
    let address = target.map_or(host.address.as_str(), |t| t.address.as_str());
    let jump = target.and_then(|t| t.jump.as_deref());
    super::dial::remember(&host.name, &[&host.address], address, jump, how);
}

/// Tells `dial.rs` how each of `hosts` is reached (its jump host or none) without connecting to any — for the
/// operations that speak only Kafka (`smoke`, the reassignment views, the CLI's every command) and may never open
/// a host's transport. A host whose SSH settings cannot be resolved (an unreadable ssh_config) is left as it was:
/// opening it says why. A route an opened transport recorded the same way is kept (it has the run's secrets).
pub fn learn_routes(hosts: &[HostSpec], opts: &ConnectOptions) {
    for host in hosts.iter().map(HostAccess::from) {
        match host.connection {
            Connection::Local => remember_route(&host, None, Source::Learned),
            Connection::Ssh => {
                if let Ok(target) = opts.ssh_target(&host) {
                    remember_route(&host, Some(&target), Source::Learned);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, connection: Connection, port: u16) -> HostAccess {
        HostAccess {
            name: name.into(),
            address: "127.0.0.1".into(),
            connection,
            ssh: SshSettings {
                user: "deploy".into(),
                port,
                identity_file: Some("~/.ssh/kafka".into()),
                known_hosts: Some("/nonexistent/known_hosts".into()),
                sudo: true,
                jump: None,
                ssh_config: None,
            },
        }
    }

    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[test]
    fn a_local_host_opens_this_machine_without_ssh() {
        let mut here = host("local", Connection::Local, closed_port());
        here.ssh.sudo = false;
        let transport = open(&here, &ConnectOptions::default()).unwrap();
        assert_eq!(transport.host(), "local");
        let out = transport.exec("echo \"$0\" here", None).unwrap();
        assert_eq!(out.stdout_text(), "sh here\n");
    }

    #[test]
    fn an_ssh_host_is_connected_with_its_settings_and_an_unreachable_one_is_named() {
        let err = match open(&host("kafka1", Connection::Ssh, closed_port()), &ConnectOptions::default()) {
            Err(e) => e,
            Ok(_) => panic!("nothing listens on the port"),
        };
        assert!(matches!(&err, TransportError::Unreachable { host, .. } if host == "kafka1"), "{err:?}");
    }

    #[test]
    fn the_ssh_target_carries_the_settings_and_the_secrets_of_the_run() {
        let opts = ConnectOptions {
            password: Some(Secret::new("pw")),
            key_passphrase: Some(Secret::new("phrase")),
            timeout: Duration::from_secs(7),
            ..ConnectOptions::default()
        };
        let target = opts.ssh_target(&host("kafka1", Connection::Ssh, 2222)).unwrap();
        assert_eq!((target.name.as_str(), target.address.as_str(), target.port), ("kafka1", "127.0.0.1", 2222));
        assert_eq!((target.user.as_str(), target.sudo, target.timeout), ("deploy", true, Duration::from_secs(7)));
        assert_eq!(target.identity_file, Some(PathBuf::from("~/.ssh/kafka")));
        assert_eq!(target.known_hosts, Some(PathBuf::from("/nonexistent/known_hosts")));
        assert_eq!(target.password.as_ref().map(Secret::expose), Some("pw"));
        assert_eq!(target.key_passphrase.as_ref().map(Secret::expose), Some("phrase"));
    }

    #[test]
    fn an_accepted_fingerprint_belongs_to_its_own_host_only() {
        let opts = ConnectOptions {
            accepted_keys: vec![("kafka1".into(), "SHA256:one".into()), ("kafka2".into(), "SHA256:two".into())],
            ..ConnectOptions::default()
        };
        assert_eq!(opts.accepted_key("kafka2"), Some("SHA256:two"));
        assert_eq!(opts.accepted_key("kafka3"), None);
    }

    #[test]
    fn a_host_reaches_by_its_address_else_by_its_name() {
        let ssh = host("x", Connection::Ssh, 22).ssh;
        let reach = |address: Option<&str>| HostReach {
            name: NetAddress("kafka1".into()),
            address: address.map(|a| NetAddress(a.into())),
            ssh: ssh.clone(),
            connection: Connection::Ssh,
            java_home: None,
        };
        assert_eq!(HostAccess::from(&reach(Some("10.0.0.1"))).address, "10.0.0.1");
        let by_name = HostAccess::from(&reach(None));
        assert_eq!((by_name.name.as_str(), by_name.address.as_str()), ("kafka1", "kafka1"));
    }
}
