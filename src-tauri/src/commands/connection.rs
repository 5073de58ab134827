//! Test connection (Hosts step): reach one host with the project's SSH settings, check its host key and the
//! login, and read its OS, init system and Java with the engine's read-only probe. Only the host's own fields and
//! the SSH settings have to be valid — a host can be tested before the rest of the project is filled in. An
//! unknown host key comes back with its SHA256 fingerprint; the user's Accept calls again with that fingerprint,
//! which is then remembered.

use crate::error::{AppError, AppResult, ErrorCode};
use kafka_wizard::apply::facts::{parse_probe, reach_probe_script};
use kafka_wizard::project::spec::Connection;
use kafka_wizard::project::validate::check_host_reach;
use kafka_wizard::project::ProjectDraft;
use kafka_wizard::transport::{self, ConnectOptions, HostAccess, Secret, TransportError};
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// What Test connection found, step by step: a `false`/`None` after a failure means "not reached".
#[derive(Debug, Default, Serialize, TS)]
pub struct ConnectionReport {
    pub host: String,
    /// The effective SSH settings tried (user@address:port, jump host, key, known_hosts — after `~/.ssh/config`
    /// with `use_ssh_config`); `None` for a `connection = "local"` host.
    pub ssh: Option<String>,
    /// TCP + SSH handshake worked.
    pub reachable: bool,
    /// The host key was verified (known, or just accepted).
    pub host_key_ok: bool,
    /// Set when the host key is unknown: type and `SHA256:` fingerprint, for Accept / Reject.
    pub unknown_key: Option<UnknownKey>,
    /// Logged in (and got root, directly or by `sudo -n`).
    pub auth_ok: bool,
    pub os: Option<String>,
    /// systemd runs on the host (the wizard registers Kafka as systemd units).
    pub systemd: Option<bool>,
    pub java: Option<String>,
    pub java_major: Option<u16>,
    /// The failure, when one stopped the test (`{code, message}`).
    pub error: Option<AppError>,
}

#[derive(Debug, Serialize, TS)]
pub struct UnknownKey {
    pub key_type: String,
    pub fingerprint: String,
}

/// Tests host `index` of the draft. `accept_fingerprint`: the key the user accepted after seeing it.
#[tauri::command]
pub async fn test_connection(
    draft: ProjectDraft,
    index: usize,
    accept_fingerprint: Option<String>,
    password: Option<String>,
    key_passphrase: Option<String>,
    become_password: Option<String>,
) -> AppResult<ConnectionReport> {
    if index >= draft.hosts.len() {
        return Err(AppError::new(ErrorCode::NoSuchHost, format!("there is no host {index}")));
    }
    let host = check_host_reach(&draft, index).map_err(|problems| {
        let list: Vec<String> =
            problems.iter().filter(|p| p.is_error()).map(|p| format!("{}: {}", p.field, p.message)).collect();
        AppError::new(ErrorCode::InvalidProject, format!("fix this host's settings first — {}", list.join("; ")))
    })?;
    let access = HostAccess::from(&host);
    let mut opts = ConnectOptions {
        password: password.filter(|p| !p.is_empty()).map(Secret::new),
        key_passphrase: key_passphrase.filter(|p| !p.is_empty()).map(Secret::new),
        become_password: become_password.filter(|p| !p.is_empty()).map(Secret::new),
        timeout: Duration::from_secs(10),
        ..ConnectOptions::default()
    };
    if let Some(fp) = accept_fingerprint {
        // the key shown may be the host's or its jump host's: the fingerprint must match exactly either way
        let jump = opts.ssh_target(&access).ok().and_then(|t| t.jump).map(|j| j.target.name);
        opts.accepted_keys = std::iter::once(access.name.clone()).chain(jump).map(|name| (name, fp.clone())).collect();
    }
    let probe = reach_probe_script(host.java_home.as_ref().map(|j| j.as_str()));
    let report = tokio::task::spawn_blocking(move || {
        let mut report = ConnectionReport { host: access.name.clone(), ..ConnectionReport::default() };
        if access.connection == Connection::Ssh {
            report.ssh = Some(match opts.ssh_target(&access) {
                Ok(target) => transport::route::describe(&target),
                Err(e) => e.to_string(),
            });
        }
        let transport = match transport::open(&access, &opts) {
            Ok(t) => t,
            Err(e) => return fill_failure(report, e),
        };
        report.reachable = true;
        report.host_key_ok = true;
        match transport.exec(&probe, None) {
            Ok(out) if out.success() => {
                report.auth_ok = true;
                let facts = parse_probe(&out.stdout_text());
                report.os = Some(facts.os).filter(|s| !s.is_empty());
                report.systemd = Some(facts.systemd);
                report.java = facts.java;
                report.java_major = facts.java_major;
            }
            Ok(out) => {
                report.error =
                    Some(AppError::new(ErrorCode::AuthFailed, format!("the probe failed: {}", out.stderr_tail(3))))
            }
            Err(e) => return fill_failure(report, e),
        }
        report
    })
    .await
    .map_err(|e| AppError::new(ErrorCode::Io, format!("the connection test stopped: {e}")))?;
    Ok(report)
}

/// How far a failed connection got, from the engine's error kind.
fn fill_failure(mut report: ConnectionReport, e: TransportError) -> ConnectionReport {
    match &e {
        TransportError::UnknownHostKey { key_type, fingerprint, .. } => {
            report.reachable = true;
            report.unknown_key = Some(UnknownKey { key_type: key_type.clone(), fingerprint: fingerprint.clone() });
        }
        TransportError::HostKeyMismatch { .. } => report.reachable = true,
        TransportError::AuthFailed { .. }
        | TransportError::SudoPasswordRequired { .. }
        | TransportError::SudoPasswordRefused { .. }
        | TransportError::SudoRequiresTty { .. } => {
            report.reachable = true;
            report.host_key_ok = true;
        }
        _ => {}
    }
    report.error = Some(e.into());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_reported_reachable_with_its_fingerprint_and_not_logged_in() {
        let e = TransportError::UnknownHostKey {
            host: "h".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:xyz".into(),
            known_hosts: "k".into(),
        };
        let r = fill_failure(ConnectionReport::default(), e);
        assert!(r.reachable && !r.host_key_ok && !r.auth_ok);
        assert_eq!(r.unknown_key.unwrap().fingerprint, "SHA256:xyz");
        assert_eq!(r.error.unwrap().code, ErrorCode::UnknownHostKey);
    }

    #[tokio::test]
    async fn a_host_of_an_unfinished_project_is_tested_and_a_bad_address_is_named() {
        // No roles, no ids, no version: the project is far from valid, yet host 0 can be tried. Port 1 on
        // localhost is closed, so the test gets as far as "unreachable".
        let mut draft = ProjectDraft::default();
        draft.hosts.push(kafka_wizard::project::draft::HostDraft { name: "127.0.0.1".into(), ..Default::default() });
        draft.ssh.port = Some(1);
        let report = test_connection(draft.clone(), 0, None, None, None, None).await.unwrap();
        assert!(!report.reachable);
        assert_eq!(report.error.unwrap().code, ErrorCode::Unreachable);

        draft.hosts[0].address = Some("bad address!".into());
        let err = test_connection(draft, 0, None, None, None, None).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidProject);
        assert!(err.message.contains("hosts[0].address"), "{}", err.message);
    }

    #[test]
    fn a_closed_port_is_reported_unreachable() {
        let e =
            TransportError::Unreachable { host: "h".into(), address: "a".into(), port: 22, detail: "refused".into() };
        let r = fill_failure(ConnectionReport::default(), e);
        assert!(!r.reachable);
        assert_eq!(r.error.unwrap().code, ErrorCode::Unreachable);
    }
}
