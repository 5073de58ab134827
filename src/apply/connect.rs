//! Connecting to every host of a cluster in parallel: one transport per host, reused for every step.

use crate::project::spec::{ClusterSpec, Connection, HostSpec};
use crate::project::validate::HostReach;
use crate::transport::local::LocalTransport;
use crate::transport::ssh::SshTransport;
use crate::transport::{Secret, SshTarget, Transport, TransportError, UnknownHostKey};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to reach the hosts.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Trust on first use for host keys not in known_hosts (an explicit decision of the user).
    pub accept_new_host_keys: bool,
    /// Login password for every host, asked interactively when the user chose password login. Never stored.
    pub password: Option<Secret>,
    /// Passphrase of encrypted key files, asked interactively. Never stored.
    pub key_passphrase: Option<Secret>,
    pub timeout: Duration,
    /// Host keys the user accepted after seeing them: (host name, `SHA256:` fingerprint). Remembered only when the
    /// host still presents exactly that key.
    pub accepted_keys: Vec<(String, String)>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            accept_new_host_keys: false,
            password: None,
            key_passphrase: None,
            timeout: Duration::from_secs(15),
            accepted_keys: Vec::new(),
        }
    }
}

pub fn ssh_target(host: &HostSpec, opts: &ConnectOptions) -> SshTarget {
    target(host.name.as_str(), host.reach().as_str(), &host.ssh, opts)
}

/// The SSH target of one host checked on its own (Test connection before the project is complete).
pub fn reach_target(host: &HostReach, opts: &ConnectOptions) -> SshTarget {
    target(host.name.as_str(), host.reach().as_str(), &host.ssh, opts)
}

fn target(name: &str, address: &str, ssh: &crate::project::spec::SshSettings, opts: &ConnectOptions) -> SshTarget {
    SshTarget {
        name: name.to_string(),
        address: address.to_string(),
        port: ssh.port,
        user: ssh.user.clone(),
        identity_file: ssh.identity_file.as_ref().map(PathBuf::from),
        known_hosts: ssh.known_hosts.as_ref().map(PathBuf::from),
        sudo: ssh.sudo,
        password: opts.password.clone(),
        key_passphrase: opts.key_passphrase.clone(),
        timeout: opts.timeout,
    }
}

/// Connects to every host at once; one result per host, in host order.
pub async fn connect_each(
    spec: &ClusterSpec,
    opts: &ConnectOptions,
) -> Vec<Result<Arc<dyn Transport>, TransportError>> {
    let unknown = if opts.accept_new_host_keys { UnknownHostKey::AcceptAndRemember } else { UnknownHostKey::Refuse };
    let tasks: Vec<_> = spec
        .hosts
        .iter()
        .map(|h| {
            let target = ssh_target(h, opts);
            let accepted =
                opts.accepted_keys.iter().find(|(name, _)| name == h.name.as_str()).map(|(_, fp)| fp.clone());
            let local = h.connection == Connection::Local;
            tokio::task::spawn_blocking(move || {
                if local {
                    return Ok(Arc::new(LocalTransport::new(target.name.clone(), target.sudo)) as Arc<dyn Transport>);
                }
                let t = match accepted {
                    Some(fp) => SshTransport::connect_accepting(&target, &fp),
                    None => SshTransport::connect(&target, unknown),
                };
                t.map(|t| Arc::new(t) as Arc<dyn Transport>)
            })
        })
        .collect();
    let mut out = Vec::new();
    for (task, host) in tasks.into_iter().zip(&spec.hosts) {
        out.push(match task.await {
            Ok(r) => r,
            Err(join) => Err(TransportError::Io {
                host: host.name.to_string(),
                action: "connect".into(),
                detail: join.to_string(),
            }),
        });
    }
    out
}

/// Connects to every host at once; the transports in host order, or every host's error.
pub async fn connect_all(
    spec: &ClusterSpec,
    opts: &ConnectOptions,
) -> Result<Vec<Arc<dyn Transport>>, Vec<TransportError>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in connect_each(spec, opts).await {
        match r {
            Ok(t) => ok.push(t),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}
