//! Host-key verification of an SSH connection: the host's known_hosts entries (read before the handshake, so only
//! the key types known for the host are offered), the verdict on the key the server presented — judged by
//! `known_hosts.rs`, with libssh2's `check_port` as a second opinion — and the accept-new flow: an unknown key is
//! refused with its fingerprint unless the caller accepts it (any key, or only the one the user was shown), then
//! remembered (hashed when the file hashes its names); a changed or revoked key is always refused with both
//! fingerprints and the `ssh-keygen -R` that forgets the old one (`[address]:port` off port 22), and a host known
//! only through `@cert-authority` is refused (host certificates are not verified).

use super::expand_tilde;
use crate::shell;
use crate::transport::known_hosts::{self, Entry, Verdict};
use crate::transport::{SshTarget, TransportError};
use ssh2::Session;
use std::path::{Path, PathBuf};

/// What to do with a host key known_hosts does not list.
#[derive(Clone, Copy, Debug)]
pub(super) enum Trust<'a> {
    Refuse,
    AcceptAny,
    /// Accept (and remember) only the key with this fingerprint — the one the user was shown.
    AcceptOnly(&'a str),
}

/// The known_hosts file of one connection and the entries it holds.
pub(super) struct KnownHosts<'t> {
    target: &'t SshTarget,
    path: PathBuf,
    entries: Vec<Entry>,
}

impl<'t> KnownHosts<'t> {
    /// Reads the target's known_hosts file (default `~/.ssh/known_hosts`); a missing file has no entries.
    pub(super) fn read(target: &'t SshTarget) -> Result<KnownHosts<'t>, TransportError> {
        let path =
            expand_tilde(target.known_hosts.as_deref().unwrap_or(Path::new(crate::project::defaults::KNOWN_HOSTS)));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(TransportError::io(&target.name, format!("reading known_hosts {}", path.display()), e))
            }
        };
        Ok(KnownHosts { target, path, entries: known_hosts::parse(&text) })
    }

    /// The names the host is looked up by: its address, and its project name when that differs.
    fn names(&self) -> Vec<&'t str> {
        let target = self.target;
        let mut names: Vec<&str> = vec![target.address.as_str()];
        if target.name != target.address && !target.name.is_empty() {
            names.push(target.name.as_str());
        }
        names
    }

    /// `ssh-keygen -R` for each name the host goes by in known_hosts (OpenSSH's `[address]:port` off port 22).
    fn forget_command(&self, known_hosts: &str) -> String {
        self.names()
            .iter()
            .map(|n| {
                shell::join(&["ssh-keygen", "-f", known_hosts, "-R", &known_hosts::host_token(n, self.target.port)])
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The host-key methods to offer in the handshake: the types known_hosts has for the host (`None`: any).
    pub(super) fn host_key_methods(&self) -> Option<String> {
        known_hosts::host_key_methods(&known_hosts::entries_for(&self.entries, &self.names(), self.target.port))
    }

    /// Judges the key `session` presented; returns its type and fingerprint when it may be used.
    pub(super) fn verify(&self, session: &Session, trust: Trust<'_>) -> Result<(String, String), TransportError> {
        let target = self.target;
        let names = self.names();
        let kh_path = self.path.as_path();
        let (blob, _) = session.host_key().ok_or_else(|| TransportError::Unreachable {
            host: target.name.clone(),
            address: target.address.clone(),
            port: target.port,
            detail: "the server presented no host key".into(),
        })?;
        let blob = blob.to_vec();
        let key_type = known_hosts::key_type_of(&blob).unwrap_or_else(|| "unknown-key-type".into());
        let fingerprint = known_hosts::fingerprint(&blob);
        let kh_display = kh_path.display().to_string();

        let mut verdict = known_hosts::check(&self.entries, &names, target.port, &blob);
        if verdict == Verdict::NotFound && kh_path.exists() {
            // libssh2's own reading as a second opinion (a line format we do not parse)
            if let Ok(mut kh) = session.known_hosts() {
                if kh.read_file(kh_path, ssh2::KnownHostFileKind::OpenSSH).is_ok()
                    && names.iter().any(|n| matches!(kh.check_port(n, target.port, &blob), ssh2::CheckResult::Match))
                {
                    verdict = Verdict::Match;
                }
            }
        }
        match verdict {
            Verdict::Match => Ok((key_type, fingerprint)),
            Verdict::Revoked => Err(TransportError::HostKeyMismatch {
                host: target.name.clone(),
                expected: "no key: the presented key is marked @revoked".into(),
                actual: format!("{key_type} {fingerprint}"),
                forget: self.forget_command(&kh_display),
                known_hosts: kh_display,
            }),
            Verdict::Mismatch { expected } => Err(TransportError::HostKeyMismatch {
                host: target.name.clone(),
                expected: expected.join(", "),
                actual: format!("{key_type} {fingerprint}"),
                forget: self.forget_command(&kh_display),
                known_hosts: kh_display,
            }),
            Verdict::CertAuthorityOnly => Err(TransportError::HostCertificateUnsupported {
                host: target.name.clone(),
                address: target.address.clone(),
                port: target.port,
                key_type,
                fingerprint,
                known_hosts: kh_display,
            }),
            Verdict::NotFound => match trust {
                Trust::AcceptOnly(accepted) if accepted != fingerprint => Err(TransportError::UnknownHostKey {
                    host: target.name.clone(),
                    key_type,
                    fingerprint,
                    known_hosts: kh_display,
                }),
                Trust::Refuse => Err(TransportError::UnknownHostKey {
                    host: target.name.clone(),
                    key_type,
                    fingerprint,
                    known_hosts: kh_display,
                }),
                Trust::AcceptAny | Trust::AcceptOnly(_) => {
                    let line = known_hosts::remembered_line(&self.entries, &target.address, target.port, &blob);
                    known_hosts::append(kh_path, &line).map_err(|e| {
                        TransportError::io(&target.name, format!("remembering the host key in {kh_display}"), e)
                    })?;
                    Ok((key_type, fingerprint))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn target(name: &str, address: &str, known_hosts: &Path) -> SshTarget {
        let target = super::super::tests::target(name, address, 22, Duration::from_secs(1));
        SshTarget { known_hosts: Some(known_hosts.to_path_buf()), ..target }
    }

    #[test]
    fn a_host_is_looked_up_by_its_address_and_by_its_project_name() {
        let missing = Path::new("/nonexistent/known_hosts");
        let named = target("kafka1", "10.0.0.1", missing);
        assert_eq!(KnownHosts::read(&named).unwrap().names(), ["10.0.0.1", "kafka1"]);
        let same = target("10.0.0.1", "10.0.0.1", missing);
        assert_eq!(KnownHosts::read(&same).unwrap().names(), ["10.0.0.1"]);
    }

    #[test]
    fn only_the_key_types_known_for_the_host_are_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        // an ed25519 key for kafka1 (by name), nothing for kafka2
        let blob = {
            let mut b = Vec::new();
            for part in [&b"ssh-ed25519"[..], &[7u8; 32][..]] {
                b.extend_from_slice(&(part.len() as u32).to_be_bytes());
                b.extend_from_slice(part);
            }
            b
        };
        std::fs::write(&path, known_hosts::line_for("kafka1", 22, &blob)).unwrap();
        let known = target("kafka1", "10.0.0.1", &path);
        assert_eq!(KnownHosts::read(&known).unwrap().host_key_methods().as_deref(), Some("ssh-ed25519"));
        let unknown = target("kafka2", "10.0.0.2", &path);
        assert_eq!(KnownHosts::read(&unknown).unwrap().host_key_methods(), None);
    }

    #[test]
    fn the_command_to_forget_a_changed_key_names_the_host_as_known_hosts_does_also_off_port_22() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known hosts"); // a space: the command quotes the file
        let blob = |fill: u8| {
            let mut b = Vec::new();
            for part in [&b"ssh-ed25519"[..], &[fill; 32][..]] {
                b.extend_from_slice(&(part.len() as u32).to_be_bytes());
                b.extend_from_slice(part);
            }
            b
        };
        let lines = [
            known_hosts::line_for("10.0.0.1", 2222, &blob(1)),
            known_hosts::line_for("kafka1", 2222, &blob(2)),
            known_hosts::line_for("10.0.0.1", 22, &blob(3)),
        ];
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let target = SshTarget { port: 2222, ..target("kafka1", "10.0.0.1", &path) };
        let forget = KnownHosts::read(&target).unwrap().forget_command(&path.display().to_string());
        assert!(forget.contains("-R '[10.0.0.1]:2222'") && forget.contains("-R '[kafka1]:2222'"), "{forget}");
        // OpenSSH's own ssh-keygen carries it out: both entries for port 2222 go, port 22's stays
        let out = std::process::Command::new("sh").arg("-c").arg(&forget).output().unwrap();
        assert!(out.status.success(), "{forget}: {}", String::from_utf8_lossy(&out.stderr));
        let left = std::fs::read_to_string(&path).unwrap();
        assert_eq!(left, format!("{}\n", lines[2]));
    }

    #[test]
    fn an_unreadable_known_hosts_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = match KnownHosts::read(&target("h", "h", dir.path())) {
            Err(e) => e,
            Ok(_) => panic!("a directory is not a known_hosts file"),
        };
        assert!(err.to_string().contains("reading known_hosts"), "{err}");
    }
}
