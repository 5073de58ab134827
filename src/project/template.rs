//! The projects the wizard writes from nothing — one home for both front doors: a new, empty project (the app's
//! New, `kafka-wizard init`) and "This machine" (the app's empty Hosts step, `kafka-wizard init --here`), a
//! one-node KRaft cluster on the machine the wizard runs on (`connection = "local"`).

use super::checks;
use super::defaults;
use super::draft::{HostDraft, KafkaDraft, KraftDraft, MonitoringDraft, ProjectDraft, SecurityDraft, SshDraft, FORMAT};
use super::spec::{Quorum, DYNAMIC_QUORUM_SINCE};
use crate::catalog::{self, KraftSupport, Release};
use crate::verify::apache_keys::signer_of;

/// The name of a new project.
pub const NEW_NAME: &str = "my-kafka";
/// The name of the one-node project on this machine.
pub const HERE_NAME: &str = "this-machine";
/// The one node's name: what clients on this machine dial, covered by its TLS certificate.
pub const HERE_HOST: &str = "localhost";
/// The one node's address: advertised to clients (IPv4 loopback, so `localhost` resolving to `::1` first does not
/// matter), also in its certificate.
pub const HERE_ADDRESS: &str = "127.0.0.1";
/// The one node's KRaft node id.
pub const HERE_NODE_ID: i64 = 1;

/// A new, empty project: the newest release, no hosts yet, and secure from the start — TLS + SASL/SCRAM with the
/// wizard's own CA and an admin user (the Security step can make it plaintext, with a warning) — and monitored: the
/// Prometheus JMX exporter on (`[monitoring]` left out of a file means off, so only new projects get it).
pub fn new_project() -> ProjectDraft {
    ProjectDraft {
        format: FORMAT,
        name: Some(NEW_NAME.into()),
        kafka: KafkaDraft { version: Some(catalog::newest().version.to_string()), ..KafkaDraft::default() },
        security: Some(SecurityDraft {
            protocol: Some(defaults::SECURITY_PROTOCOL.into()),
            ca: Some(defaults::SECURITY_CA.into()),
            admin_user: Some(defaults::ADMIN_USER.into()),
            ..SecurityDraft::default()
        }),
        monitoring: Some(MonitoringDraft { prometheus: Some(true), ..MonitoringDraft::default() }),
        ..ProjectDraft::default()
    }
}

/// Whether this build verifies `release`'s signature without a key imported by hand: its release manager's key is
/// pinned and was checked against that release here (`verify::apache_keys::Evidence`) — a first run on this
/// machine must not depend on a fingerprint known only from elsewhere.
fn signer_pinned(release: &Release) -> bool {
    let v = release.version.to_string();
    signer_of(&v).is_some_and(|k| k.verified_here())
}

/// The release of a first run on this machine: the newest production-ready KRaft release whose signature this
/// build verifies out of the box (so the very first deploy needs no `kafka-wizard trust import`), else the newest.
pub fn here_release() -> &'static Release {
    catalog::RELEASES
        .iter()
        .rev()
        .find(|r| r.kraft == KraftSupport::Production && !r.withdrawn && signer_pinned(r))
        .unwrap_or_else(catalog::newest)
}

/// "This machine": a new project ([`new_project`], secured, monitored) with one combined broker and controller on
/// the machine the wizard runs on — `connection = "local"`, named [`HERE_HOST`] at [`HERE_ADDRESS`] (what clients on
/// this machine dial and the node's certificate covers), node id 1, a fresh cluster id, `sudo` where the wizard
/// does not run as root — on [`here_release`]. Replication sizes itself to the one broker (factor 1, min ISR 1:
/// `render::replication_for`); the data and log directories are the defaults.
pub fn this_machine() -> ProjectDraft {
    let mut draft = new_project();
    draft.name = Some(HERE_NAME.into());
    draft.kafka.version = Some(here_release().version.to_string());
    draft.kafka.mode = Some("kraft".into());
    // The dynamic controller quorum where the release has it, so controllers can be added later.
    let quorum = (here_release().version >= DYNAMIC_QUORUM_SINCE).then(|| Quorum::Dynamic.as_str().to_string());
    // Its one controller is the dynamic quorum's bootstrap controller, fixed with the cluster id (docs/facts/kafka.md §36).
    let bootstrap_controllers = quorum.is_some().then(|| vec![HERE_NODE_ID]);
    draft.kraft = Some(KraftDraft {
        cluster_id: Some(checks::new_cluster_id().as_str().to_string()),
        quorum,
        bootstrap_controllers,
        ..KraftDraft::default()
    });
    draft.hosts = vec![HostDraft {
        name: HERE_HOST.into(),
        address: Some(HERE_ADDRESS.into()),
        roles: vec!["broker".into(), "controller".into()],
        id: Some(HERE_NODE_ID),
        connection: Some("local".into()),
        // Without root, every privileged command goes through sudo (as root, sudo is never used).
        ssh: Some(SshDraft { sudo: Some(true), ..SshDraft::default() }),
        ..HostDraft::default()
    }];
    draft
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{validate, Severity};

    #[test]
    fn a_new_project_names_the_newest_release_and_is_secured_and_monitored() {
        let d = new_project();
        assert_eq!(d.kafka.version.as_deref(), Some(catalog::newest().version.to_string().as_str()));
        assert_eq!(d.security.as_ref().and_then(|s| s.protocol.as_deref()), Some("sasl_ssl"));
        assert_eq!(d.monitoring.and_then(|m| m.prometheus), Some(true));
        assert!(d.hosts.is_empty());
    }

    #[test]
    fn this_machine_is_a_valid_one_node_kraft_cluster_with_its_single_node_said_in_warnings() {
        let draft = this_machine();
        let v = validate(&draft);
        let errors: Vec<String> = v.errors().map(|p| p.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let spec = v.spec.as_ref().expect("valid");
        assert!(spec.is_kraft());
        let dynamic =
            matches!(&spec.coordination, crate::project::spec::Coordination::Kraft(k) if k.quorum == Quorum::Dynamic);
        assert_eq!(
            dynamic,
            here_release().version >= DYNAMIC_QUORUM_SINCE,
            "a release with it gets the dynamic quorum"
        );
        assert_eq!(spec.hosts.len(), 1);
        let h = &spec.hosts[0];
        assert_eq!(h.connection, crate::project::spec::Connection::Local);
        assert!(h.ssh.sudo, "a non-root operator needs sudo");
        assert_eq!(h.reach().as_str(), HERE_ADDRESS);
        assert_eq!(crate::render::replication_for(spec.broker_count()), (1, 1));
        let warnings: Vec<String> =
            v.problems.iter().filter(|p| p.severity == Severity::Warning).map(|p| p.to_string()).collect();
        assert!(warnings.iter().any(|w| w.contains("a single broker")), "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("single point of failure")), "{warnings:?}");
        // a cluster id of its own each time
        assert_ne!(this_machine().kraft.and_then(|k| k.cluster_id), draft.kraft.and_then(|k| k.cluster_id));
    }

    #[test]
    fn this_machine_runs_a_kraft_release_this_build_verifies_without_an_imported_key() {
        let r = here_release();
        assert_eq!(r.kraft, KraftSupport::Production);
        assert!(signer_pinned(r), "{}", r.version);
        assert!(r.version.to_string().starts_with("4."), "{}", r.version);
        // no newer release qualifies
        for newer in catalog::RELEASES.iter().filter(|n| n.version > r.version) {
            assert!(!signer_pinned(newer) || newer.withdrawn, "{} is newer and verifiable", newer.version);
        }
    }
}
