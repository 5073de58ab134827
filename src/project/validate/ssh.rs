//! SSH settings: the project's `[ssh]` defaults merged with a host's `hosts[].ssh` overrides, each problem named
//! where the value was written. A host's `jump = "none"` turns the project's jump host off for that host.

use super::{warn_relative, Checker};
use crate::project::checks;
use crate::project::defaults;
use crate::project::draft::SshDraft;
use crate::project::spec::{ProjectSet, SshSettings};

pub(super) fn merge_ssh(c: &mut Checker, field: &str, base: &SshDraft, over: Option<&SshDraft>) -> Option<SshSettings> {
    let pick = |f: fn(&SshDraft) -> Option<String>| over.and_then(f).or_else(|| f(base));
    let user_raw = pick(|s| s.user.clone()).unwrap_or_else(|| defaults::SSH_USER.into());
    let user_field =
        if over.and_then(|o| o.user.as_ref()).is_some() { format!("{field}.user") } else { "ssh.user".into() };
    let user = c.check(user_field, checks::user_name(&user_raw));
    let port_raw = over.and_then(|o| o.port).or(base.port).unwrap_or(i64::from(defaults::SSH_PORT));
    let port_field = if over.and_then(|o| o.port).is_some() { format!("{field}.port") } else { "ssh.port".into() };
    let port = c.check(port_field, checks::port(port_raw));
    let identity_file = ssh_local_file(c, field, "identity_file", base, over, |s| s.identity_file.clone())?;
    let known_hosts = ssh_local_file(c, field, "known_hosts", base, over, |s| s.known_hosts.clone())?;
    let user = user?;
    let sudo = over.and_then(|o| o.sudo).or(base.sudo).unwrap_or(user != "root");
    let jump_field =
        if over.and_then(|o| o.jump.as_ref()).is_some() { format!("{field}.jump") } else { "ssh.jump".into() };
    let jump_raw = pick(|s| s.jump.clone());
    let jump = match &jump_raw {
        Some(raw) => c.check(jump_field, checks::jump(raw))?,
        None => None,
    };
    let use_ssh_config = over.and_then(|o| o.use_ssh_config).or(base.use_ssh_config).unwrap_or(false);
    let ssh_config = use_ssh_config.then(|| ProjectSet {
        user: over.and_then(|o| o.user.as_ref()).or(base.user.as_ref()).is_some(),
        port: over.and_then(|o| o.port).or(base.port).is_some(),
        jump: jump_raw.is_some(),
        sudo: over.and_then(|o| o.sudo).or(base.sudo).is_some(),
    });
    Some(SshSettings { user, port: port?, identity_file, known_hosts, sudo, jump, ssh_config })
}

/// One of the SSH settings' local files (the override, else the default): `None` when its check failed,
/// `Some(None)` when unset. A relative path is warned about where it is written (the defaults once, an override on
/// its host).
fn ssh_local_file(
    c: &mut Checker,
    field: &str,
    key: &str,
    base: &SshDraft,
    over: Option<&SshDraft>,
    f: fn(&SshDraft) -> Option<String>,
) -> Option<Option<String>> {
    let Some(raw) = over.and_then(f).or_else(|| f(base)) else { return Some(None) };
    let at = format!("{field}.{key}");
    let path = c.check(at.clone(), checks::local_path(&raw))?;
    let written_here = if field == "ssh" { f(base).is_some() } else { over.and_then(f).is_some() };
    if written_here {
        warn_relative(c, &at, &path);
    }
    Some(Some(path))
}
