//! SSH login, in a fixed order: the identity file (with its passphrase when encrypted), then every ssh-agent
//! identity, then the default keys (`~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`, only without an identity file), then
//! the password — at most 5 attempts, one kept for the password. A failed login says what each method answered, in
//! words instead of libssh2's misleading codes (docs/facts/ssh.md, "Authentication").

use super::expand_tilde;
use crate::transport::{SshTarget, TransportError};
use ssh2::{ErrorCode, Session};
use std::path::{Path, PathBuf};

/// OpenSSH drops the connection after 6 failed attempts; stay below.
const MAX_AUTH_ATTEMPTS: usize = 5;

/// A user-facing explanation of a libssh2 authentication error (docs/facts/ssh.md, "Authentication": the raw
/// messages mislead).
fn explain_auth(e: &ssh2::Error) -> String {
    match e.code() {
        ErrorCode::Session(-18) => "key not accepted for this user (-18)".into(),
        ErrorCode::Session(-16) => {
            "cannot read or decrypt the private key — a wrong or missing passphrase (give it: --ask-passphrase, or the app's key passphrase field; or load the key into ssh-agent), or an unreadable file (-16)".into()
        }
        ErrorCode::Session(-19) => "the key could not be used to sign — often a wrong passphrase (-19)".into(),
        _ => e.to_string(),
    }
}

/// Logs in to the handshaken `session` as `target.user`, trying each method in the order above.
pub(super) fn authenticate(target: &SshTarget, session: &Session) -> Result<(), TransportError> {
    let user = target.user.as_str();
    let mut failures: Vec<String> = Vec::new();
    let mut attempts = 0usize;
    let reserve = usize::from(target.password.is_some());

    let try_key_file = |key: &Path, attempts: &mut usize, failures: &mut Vec<String>| -> bool {
        let public = PathBuf::from(format!("{}.pub", key.display()));
        let public = public.exists().then_some(public);
        *attempts += 1;
        let passphrase = target.key_passphrase.as_ref().map(|p| p.expose());
        match session.userauth_pubkey_file(user, public.as_deref(), key, passphrase) {
            Ok(()) if session.authenticated() => true,
            Ok(()) => {
                failures.push(format!("key {}: not accepted", key.display()));
                false
            }
            Err(e) => {
                failures.push(format!("key {}: {}", key.display(), explain_auth(&e)));
                false
            }
        }
    };

    if let Some(identity) = &target.identity_file {
        let key = expand_tilde(identity);
        if !key.is_file() {
            failures.push(format!("identity file {} does not exist", key.display()));
        } else if try_key_file(&key, &mut attempts, &mut failures) {
            return Ok(());
        }
    }

    if std::env::var_os("SSH_AUTH_SOCK").is_some() && attempts + reserve < MAX_AUTH_ATTEMPTS {
        if let Ok(mut agent) = session.agent() {
            if agent.connect().is_ok() && agent.list_identities().is_ok() {
                let identities = agent.identities().unwrap_or_default();
                let mut tried = 0;
                for identity in &identities {
                    if attempts + reserve >= MAX_AUTH_ATTEMPTS {
                        break;
                    }
                    attempts += 1;
                    tried += 1;
                    if agent.userauth(user, identity).is_ok() && session.authenticated() {
                        let _ = agent.disconnect();
                        return Ok(());
                    }
                }
                if !identities.is_empty() {
                    failures.push(format!("ssh-agent: {tried} of {} keys tried, none accepted", identities.len()));
                }
                let _ = agent.disconnect();
            }
        }
    }

    if target.identity_file.is_none() {
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
            let key = expand_tilde(&Path::new("~/.ssh").join(name));
            if key.is_file()
                && attempts + reserve < MAX_AUTH_ATTEMPTS
                && try_key_file(&key, &mut attempts, &mut failures)
            {
                return Ok(());
            }
        }
    }

    if let Some(password) = &target.password {
        match session.userauth_password(user, password.expose()) {
            Ok(()) if session.authenticated() => return Ok(()),
            Ok(()) => failures.push("password: not accepted".into()),
            Err(e) if e.code() == ErrorCode::Session(-18) => failures.push("password: not accepted (-18)".into()),
            Err(e) => failures.push(format!("password: {e}")),
        }
    }

    if failures.is_empty() {
        failures.push("no identity file, ssh-agent key, default key or password to try".into());
    }
    Err(TransportError::AuthFailed { host: target.name.clone(), user: user.to_string(), detail: failures.join("; ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misleading_libssh2_auth_codes_get_plain_explanations() {
        let e = ssh2::Error::new(ErrorCode::Session(-18), "Username/PublicKey combination invalid");
        assert!(explain_auth(&e).contains("not accepted"));
        let e = ssh2::Error::new(ErrorCode::Session(-16), "Unsupported private key file format");
        assert!(explain_auth(&e).contains("passphrase"));
        let e = ssh2::Error::new(ErrorCode::Session(-19), "Callback returned error");
        assert!(explain_auth(&e).contains("passphrase"));
    }
}
