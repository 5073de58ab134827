//! How one host is reached over SSH: the project's settings, `~/.ssh/config` for what they leave unset (with
//! `[ssh] use_ssh_config = true`, `ssh_config.rs`) and the jump host — resolved into the [`SshTarget`] the SSH
//! transport connects to, and told as the effective settings (Test connection, `kafka-wizard preflight`).
//!
//! Precedence, per value: the project's own value (a host's override, else `[ssh]`); else `~/.ssh/config` for the
//! host's name as the project reaches it (its address, else its name — an ssh_config `Host` alias works as a
//! name); else the project's defaults. `HostName` from ssh_config replaces the address (like `ssh alias`). The jump
//! host is looked up in ssh_config too (its `HostName`, `User`, `Port`, `IdentityFile`); a user or port written in
//! the jump string wins, then ssh_config, then the target's user and port 22. The jump host uses the target's
//! known_hosts file and secrets, and the target's identity file unless ssh_config names one for it.

use super::open::{ConnectOptions, HostAccess};
use super::ssh_config::{HostConfig, SshConfig};
use super::{JumpTarget, SshTarget, TransportError, UnknownHostKey};
use crate::project::checks;
use crate::project::spec::{JumpHost, ProjectSet};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The SSH target of `host`: its settings resolved as above, with its jump host.
pub fn resolve(host: &HostAccess, opts: &ConnectOptions) -> Result<SshTarget, TransportError> {
    let ssh = &host.ssh;
    let config = match ssh.ssh_config {
        Some(set) => Some((set, load(host, opts)?)),
        None => None,
    };
    let found = match &config {
        Some((_, c)) => lookup(host, c, &host.address)?,
        None => HostConfig::default(),
    };
    let set =
        config.as_ref().map(|(set, _)| *set).unwrap_or(ProjectSet { user: true, port: true, jump: true, sudo: true });
    let bad = |detail: String| TransportError::SshConfig { host: host.name.clone(), detail };

    if let Some(command) = &found.proxy_command {
        return Err(bad(format!(
            "ProxyCommand ({command}) is not supported — use ProxyJump, or jump = \"user@bastion\" in the project"
        )));
    }
    let user = if set.user { ssh.user.clone() } else { found.user.clone().unwrap_or_else(|| ssh.user.clone()) };
    let identity_file = ssh.identity_file.clone().or_else(|| found.identity_files.first().cloned());
    refuse_certificate(&host.name, identity_file.as_deref(), found.certificate_file.as_deref())?;
    let mut target = SshTarget {
        name: host.name.clone(),
        address: found.host_name.clone().unwrap_or_else(|| host.address.clone()),
        port: if set.port { ssh.port } else { found.port.unwrap_or(ssh.port) },
        sudo: if set.sudo { ssh.sudo } else { user != "root" },
        user,
        identity_file: identity_file.map(PathBuf::from),
        known_hosts: ssh.known_hosts.clone().or_else(|| found.user_known_hosts_file.clone()).map(PathBuf::from),
        password: opts.password.clone(),
        key_passphrase: opts.key_passphrase.clone(),
        become_password: opts.become_password.clone(),
        timeout: opts.timeout,
        jump: None,
    };
    let jump = if set.jump {
        ssh.jump.clone()
    } else {
        match found.proxy_jump.as_deref() {
            None | Some("none") => None,
            Some(hops) if hops.contains(',') => {
                return Err(bad(format!("ProxyJump {hops} has several hops; the wizard goes through one jump host — give the last hop as jump = \"…\" and make it reachable directly, or connect from a machine nearer the hosts")))
            }
            Some(hop) => checks::jump(hop.strip_prefix("ssh://").unwrap_or(hop))
                .map_err(|e| bad(format!("ProxyJump {hop}: {}", e.en)))?,
        }
    };
    if let Some(jump) = jump {
        target.jump = Some(Box::new(jump_target(host, opts, config.as_ref().map(|(_, c)| c), &jump, &target)?));
    }
    Ok(target)
}

fn load(host: &HostAccess, opts: &ConnectOptions) -> Result<SshConfig, TransportError> {
    SshConfig::load(&super::ssh::expand_tilde(&opts.ssh_config_file))
        .map_err(|e| TransportError::SshConfig { host: host.name.clone(), detail: e.to_string() })
}

fn lookup(host: &HostAccess, config: &SshConfig, name: &str) -> Result<HostConfig, TransportError> {
    config.lookup(name).map_err(|e| TransportError::SshConfig { host: host.name.clone(), detail: e.to_string() })
}

fn jump_target(
    host: &HostAccess,
    opts: &ConnectOptions,
    config: Option<&SshConfig>,
    jump: &JumpHost,
    target: &SshTarget,
) -> Result<JumpTarget, TransportError> {
    let found = match config {
        Some(c) => lookup(host, c, &jump.host)?,
        None => HostConfig::default(),
    };
    let identity_file = found.identity_files.first().map(PathBuf::from).or_else(|| target.identity_file.clone());
    let jump_target = SshTarget {
        name: jump.host.clone(),
        address: found.host_name.clone().unwrap_or_else(|| jump.host.clone()),
        port: jump.port.or(found.port).unwrap_or(crate::project::defaults::SSH_PORT),
        user: jump.user.clone().or(found.user.clone()).unwrap_or_else(|| target.user.clone()),
        identity_file,
        known_hosts: target.known_hosts.clone(),
        sudo: false,
        password: opts.password.clone(),
        key_passphrase: opts.key_passphrase.clone(),
        become_password: None,
        timeout: opts.timeout,
        jump: None,
    };
    let unknown = if opts.accept_new_host_keys { UnknownHostKey::AcceptAndRemember } else { UnknownHostKey::Refuse };
    let accepted_fingerprint = opts.accepted_key(&jump.host).map(str::to_string);
    Ok(JumpTarget { target: jump_target, unknown, accepted_fingerprint })
}

/// libssh2 logs in with plain keys only: an OpenSSH user certificate (`*-cert.pub`) configured for a host is
/// refused with what to do instead, rather than silently ignored.
fn refuse_certificate(host: &str, identity: Option<&str>, certificate: Option<&str>) -> Result<(), TransportError> {
    let cert = certificate.or(identity.filter(|i| i.ends_with("-cert.pub")));
    match cert {
        None => Ok(()),
        Some(cert) => Err(TransportError::SshConfig {
            host: host.to_string(),
            detail: format!("{cert} is an SSH user certificate; the wizard's SSH library (libssh2) cannot log in with certificates — authorise the plain key for the user on the host (its .pub in ~/.ssh/authorized_keys), or use ssh-agent with the key"),
        }),
    }
}

/// The effective settings of `target` in one line per value: what Test connection and `preflight` show.
pub fn describe(target: &SshTarget) -> String {
    let mut out = String::new();
    let _ = write!(out, "{}: {}@{}:{}", target.name, target.user, target.address, target.port);
    if let Some(jump) = &target.jump {
        let j = &jump.target;
        let _ = write!(out, " via jump host {} ({}@{}:{})", j.name, j.user, j.address, j.port);
    }
    let key = target.identity_file.as_ref().map(|p| p.display().to_string());
    let _ = write!(out, "; key {}", key.as_deref().unwrap_or("ssh-agent or default keys"));
    let known = target.known_hosts.as_ref().map(|p| p.display().to_string());
    let _ = write!(out, "; known_hosts {}", known.as_deref().unwrap_or(crate::project::defaults::KNOWN_HOSTS));
    let _ = write!(out, "; {}", if target.sudo { "sudo -n" } else { "no sudo" });
    out
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
