//! Errors at the UI boundary: `{code, message}`. The engine's rich errors are mapped here once, so the UI
//! branches on `code` (never on message text) and shows `message` to the user.

use kafka_wizard::apply::ApplyError;
use kafka_wizard::export::ExportError;
use kafka_wizard::project::draft::ParseError;
use kafka_wizard::render::RenderError;
use kafka_wizard::security::client_config::ClientConfigError;
use kafka_wizard::security::store::StoreError;
use kafka_wizard::transport::TransportError;
use serde::Serialize;
use ts_rs::TS;

/// What went wrong, as the UI branches on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Reading or writing a local file failed.
    Io,
    /// The native file dialog could not be shown.
    DialogUnavailable,
    /// The project file is not a valid format-1 TOML project (syntax, unknown key, wrong type).
    Parse,
    /// The project has validation errors; they are shown next to their fields.
    InvalidProject,
    /// A KRaft project has no cluster id yet.
    MissingClusterId,
    /// The export folder is not empty (or not an earlier export).
    ExportFolderNotEmpty,
    /// The export's zip file exists and Replace was not asked for (or it is not an earlier export's zip).
    ExportFileExists,
    /// Save As: the chosen file exists and is not a kafka-wizard project; saving replaces it only when confirmed.
    NotAProjectFile,
    /// A host did not answer on its SSH port.
    Unreachable,
    /// The host's key is not in known_hosts; the message carries the fingerprint to show.
    UnknownHostKey,
    /// The host's key differs from known_hosts: refused.
    HostKeyChanged,
    /// SSH login or sudo failed.
    AuthFailed,
    /// Connecting to some hosts failed (deploy/operate); see the message per host.
    Connect,
    /// The release download or its checksum failed.
    Download,
    /// Steps failed on some hosts.
    StepsFailed,
    /// The cluster did not become healthy.
    Unhealthy,
    /// A rolling restart was refused: the cluster was not healthy before its first node, nothing was restarted.
    /// It can be forced (`RunOptions.force`).
    NotReadyToRoll,
    /// The user cancelled the run.
    Cancelled,
    /// Another install or operation is still running.
    Busy,
    /// The host index is not in the project.
    NoSuchHost,
    /// A client configuration was asked of a plaintext project.
    NotSecured,
    /// A client configuration was asked for a name that is neither the admin nor one of `security.users`.
    UnknownUser,
    /// A secured cluster has already run but this machine has no secrets store for it (lost, or the cluster was
    /// deployed plaintext): nothing was changed; the UI offers Recover secrets… (`RunOptions.recover_secrets`).
    SecretsLost,
    /// The secrets store is missing (the cluster was not deployed yet), incomplete or damaged, or a provided
    /// certificate cannot be read.
    SecretsStore,
    /// The migration to KRaft was finalized on the hosts, but the project file could not be rewritten to KRaft
    /// mode: the message names the file and what to set by hand. Told apart from `io` because the cluster run
    /// succeeded — the UI says so and keeps the message in view.
    MigrationRewrite,
    /// A rebalance or decommission was refused before anything changed (a broker down, too few brokers left for a
    /// topic's replication, a KRaft controller): the message is the engine's reason, shown as it is.
    ReassignRefused,
    /// The key file chosen in Trusted release signers… cannot be read or holds no OpenPGP public key, or a confirmed
    /// key is no longer in it (the message names the file); nothing was trusted.
    KeyFile,
    /// The trusted keys' folder (`~/.config/kafka-wizard/trusted-keys`) cannot be used: not private, a key file in it
    /// holding another key than its name says, no config directory; the message says which and what to do.
    TrustStore,
    /// The key to stop trusting is not one the user imported (a built-in key is pinned in this build).
    NotTrusted,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { code, message: message.into() }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

/// `From<$error> for AppError`: the code `$code_of` picks for it, and the engine's own message.
macro_rules! from_engine_error {
    ($error:ty, $code_of:expr) => {
        impl From<$error> for AppError {
            fn from(e: $error) -> Self {
                let code_of: fn(&$error) -> ErrorCode = $code_of;
                AppError::new(code_of(&e), e.to_string())
            }
        }
    };
}

from_engine_error!(ParseError, |_| ErrorCode::Parse);

from_engine_error!(RenderError, |e| match e {
    RenderError::MissingClusterId => ErrorCode::MissingClusterId,
});

from_engine_error!(ExportError, |e| match e {
    ExportError::Render(RenderError::MissingClusterId) => ErrorCode::MissingClusterId,
    ExportError::NotEmpty { .. } | ExportError::NotAnExport { .. } => ErrorCode::ExportFolderNotEmpty,
    ExportError::FileExists { .. } | ExportError::NotAnExportZip { .. } => ErrorCode::ExportFileExists,
    ExportError::Io { .. } => ErrorCode::Io,
});

from_engine_error!(TransportError, |e| match e.cause() {
    TransportError::Unreachable { .. } | TransportError::Timeout { .. } => ErrorCode::Unreachable,
    TransportError::UnknownHostKey { .. } => ErrorCode::UnknownHostKey,
    TransportError::HostKeyMismatch { .. } | TransportError::HostCertificateUnsupported { .. } => {
        ErrorCode::HostKeyChanged
    }
    TransportError::AuthFailed { .. }
    | TransportError::SudoPasswordRequired { .. }
    | TransportError::SudoPasswordRefused { .. }
    | TransportError::SudoRequiresTty { .. } => ErrorCode::AuthFailed,
    TransportError::Io { .. } | TransportError::Jump { .. } => ErrorCode::Unreachable,
    TransportError::SshConfig { .. } => ErrorCode::InvalidProject,
});

fn apply_code(e: &ApplyError) -> ErrorCode {
    match e {
        ApplyError::Connect(_) => ErrorCode::Connect,
        ApplyError::Download(_) => ErrorCode::Download,
        ApplyError::Failed(_) => ErrorCode::StepsFailed,
        // Another wizard run (the CLI, or another app) works on a host: like a job of this app still running.
        ApplyError::HostsBusy(_) => ErrorCode::Busy,
        ApplyError::Unhealthy(_) => ErrorCode::Unhealthy,
        ApplyError::NotReadyToRoll(_) => ErrorCode::NotReadyToRoll,
        ApplyError::Cancelled => ErrorCode::Cancelled,
        ApplyError::NoClusterId => ErrorCode::InvalidProject,
        // The app never limits a run (its DeployOptions keep every host), so a --limit refusal cannot reach it.
        ApplyError::Limit(_) => ErrorCode::InvalidProject,
        ApplyError::Secrets(_) => ErrorCode::Io,
        // A formatted cluster without a secrets store: the UI offers Recover secrets… beside the message.
        ApplyError::SecureFormattedCluster { .. } | ApplyError::SecurePlaintextZookeeperCluster { .. } => {
            ErrorCode::SecretsLost
        }
        ApplyError::AdminRenamed { .. } => ErrorCode::InvalidProject,
        // Recover secrets… refused (a file missing or the hosts disagreeing) or its new passwords not set.
        ApplyError::Recover(_) | ApplyError::RecoverRead(_) | ApplyError::RecoverReset(_) => ErrorCode::StepsFailed,
        // A version upgrade Apache does not support (or a finalize not yet possible): its message names kafka.version.
        ApplyError::Upgrade(_) => ErrorCode::InvalidProject,
        // A migration to KRaft refused where it stands (its message names the CLI command that goes on — Manage's
        // Migrate to KRaft / Finalize migration are the same runs), or its wait for the metadata copy timed out. The UI
        // shows the message and branches on nothing here, so it keeps the code of a failed run.
        ApplyError::Migration(_) => ErrorCode::StepsFailed,
        // A controller added to a dynamic quorum whose leader does not answer: the message says to start the
        // controllers first; nothing was changed.
        ApplyError::Quorum(_) => ErrorCode::Unhealthy,
        // Preflight refused the hosts (a port taken, a full disk, no Java): its message lists host, check and fix.
        ApplyError::Preflight(_) => ErrorCode::StepsFailed,
    }
}

impl From<ApplyError> for AppError {
    fn from(e: ApplyError) -> Self {
        let code = apply_code(&e);
        let message = e.to_string();
        // The engine names the CLI's flag; the app's way is its own action.
        let message = match code {
            ErrorCode::SecretsLost => message
                .replace("deploy again with --recover-secrets", "use Recover secrets… (Manage)")
                .replace("`deploy --recover-secrets`", "Recover secrets… (Manage)"),
            _ => message,
        };
        AppError::new(code, message)
    }
}

from_engine_error!(StoreError, |_| ErrorCode::SecretsStore);

from_engine_error!(kafka_wizard::verify::signature::SignatureError, |_| ErrorCode::KeyFile);

from_engine_error!(kafka_wizard::verify::trust_store::TrustError, |e| {
    use kafka_wizard::verify::trust_store::TrustError;
    match e {
        TrustError::NotTrusted(_) => ErrorCode::NotTrusted,
        TrustError::Key(_) | TrustError::KeyFile { .. } => ErrorCode::KeyFile,
        TrustError::NoConfigDir
        | TrustError::UnsafeDir { .. }
        | TrustError::Io { .. }
        | TrustError::Mismatch { .. } => ErrorCode::TrustStore,
    }
});

from_engine_error!(kafka_wizard::project::file::KraftRewriteError, |_| ErrorCode::MigrationRewrite);
from_engine_error!(kafka_wizard::project::file::RollbackRewriteError, |_| ErrorCode::MigrationRewrite);

from_engine_error!(kafka_wizard::reassign::ReassignError, |e| {
    use kafka_wizard::reassign::ReassignError;
    match e {
        ReassignError::Refused(_) => ErrorCode::ReassignRefused,
        ReassignError::Cluster(_) | ReassignError::Host { .. } => ErrorCode::StepsFailed,
        ReassignError::ProjectFile { .. } => ErrorCode::Io,
        ReassignError::Cancelled(_) => ErrorCode::Cancelled,
    }
});

from_engine_error!(ClientConfigError, |e| match e {
    ClientConfigError::NotSecured => ErrorCode::NotSecured,
    ClientConfigError::UnknownUser { .. } => ErrorCode::UnknownUser,
    ClientConfigError::Store(_) | ClientConfigError::NotMadeYet { .. } => ErrorCode::SecretsStore,
    ClientConfigError::Write { .. } => ErrorCode::Io,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_serialises_as_code_and_message_for_the_ui() {
        let e = AppError::new(ErrorCode::ExportFolderNotEmpty, "folder x is not empty");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"code": "export_folder_not_empty", "message": "folder x is not empty"}));
    }

    #[test]
    fn a_roll_refused_before_its_first_node_has_its_own_code_and_no_cli_flag_in_its_message() {
        let e: AppError = ApplyError::NotReadyToRoll("brokers in one cluster: h3: cannot connect".into()).into();
        assert_eq!(e.code, ErrorCode::NotReadyToRoll);
        assert!(
            e.message.contains("h3: cannot connect") && e.message.contains("nothing was restarted"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("--force"), "the app offers its own action, not a CLI flag: {}", e.message);
    }

    #[test]
    fn a_formatted_cluster_without_its_secrets_store_has_its_own_code_and_names_the_apps_recovery_not_the_clis() {
        let lost: AppError =
            ApplyError::SecureFormattedCluster { hosts: "h1, h2".into(), store: "/s/id.toml".into() }.into();
        assert_eq!(lost.code, ErrorCode::SecretsLost);
        assert!(
            lost.message.contains("Recover secrets… (Manage)") && lost.message.contains("h1, h2"),
            "{}",
            lost.message
        );
        assert!(!lost.message.contains("--recover-secrets"), "{}", lost.message);
        let zk: AppError =
            ApplyError::SecurePlaintextZookeeperCluster { hosts: "zk1".into(), store: "/s/zk.toml".into() }.into();
        assert_eq!(zk.code, ErrorCode::SecretsLost);
        assert!(
            zk.message.contains("Recover secrets… (Manage)") && !zk.message.contains("--recover"),
            "{}",
            zk.message
        );
    }

    #[test]
    fn a_refused_rebalance_keeps_the_engines_reason_under_its_own_code() {
        use kafka_wizard::reassign::ReassignError;
        let why = "broker 3 (h3) not in the cluster: deploy (or start) it first";
        let e: AppError = ReassignError::Refused(why.into()).into();
        assert_eq!((e.code, e.message), (ErrorCode::ReassignRefused, format!("{why} — nothing was changed")));
        let e: AppError = ReassignError::Cancelled("2 reassignment(s) continue".into()).into();
        assert_eq!(e.code, ErrorCode::Cancelled);
    }

    #[test]
    fn a_key_file_without_a_key_and_an_unusable_trust_store_have_their_own_codes() {
        use kafka_wizard::verify::signature::SignatureError;
        use kafka_wizard::verify::trust_store::TrustError;
        let no_keys = || SignatureError::NoKeys { source_name: "/home/op/notes.txt".into(), skipped: vec![] };
        let e: AppError = TrustError::Key(no_keys()).into();
        assert_eq!(e.code, ErrorCode::KeyFile);
        let e: AppError = no_keys().into();
        assert_eq!(e.code, ErrorCode::KeyFile);
        assert!(e.message.starts_with("/home/op/notes.txt: no OpenPGP public key"), "{}", e.message);
        let e: AppError = TrustError::UnsafeDir { dir: "/x".into(), why: "a symlink".into() }.into();
        assert_eq!(e.code, ErrorCode::TrustStore);
        assert_eq!(AppError::from(TrustError::NoConfigDir).code, ErrorCode::TrustStore);
    }

    #[test]
    fn an_unknown_host_key_keeps_its_own_code() {
        let e: AppError = TransportError::UnknownHostKey {
            host: "h1".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:abc".into(),
            known_hosts: "/k".into(),
        }
        .into();
        assert_eq!(e.code, ErrorCode::UnknownHostKey);
        assert!(e.message.contains("SHA256:abc"));
    }
}
