//! A secured cluster's secrets for a run: deploy gets the secrets store's material (made or completed on first need,
//! what it made told as warnings — never a secret), a dry run reads an existing store only, and every health check,
//! `status` and the rolling gates log in as the admin with [`kafka_auth`] (TLS verified against the cluster's CA,
//! SCRAM as `security.admin_user`).

use super::options::ApplyError;
use crate::events::{Event, EventSink, Target};
use crate::project::spec::{ClusterSpec, Coordination, Role};
use crate::render::Service;
use crate::security::client::{KafkaAuth, ScramLogin, TlsTrust};
use crate::security::store::{SecretMaterial, SecretsStore};
use std::sync::Arc;

/// Deploy: the store's material for `spec` (none for a plaintext cluster), what the store made told as warnings.
pub fn for_deploy(spec: &ClusterSpec, events: &EventSink) -> Result<Option<Arc<SecretMaterial>>, ApplyError> {
    let Some(security) = &spec.security else { return Ok(None) };
    let store = SecretsStore::for_cluster(spec);
    let (material, notes) = store.ensure(spec, security)?;
    for message in notes {
        events(Event::Warning { target: Target::Wizard, message: format!("secrets store: {message}") });
    }
    Ok(Some(Arc::new(material)))
}

/// Refuses `[security]` on a cluster that has already run when there is no secrets store for it (deployed
/// plaintext, or the store is lost): see [`ApplyError::SecureFormattedCluster`] (KRaft) and
/// [`ApplyError::SecurePlaintextZookeeperCluster`]. `formatted` names the hosts with a formatted data directory
/// (or, in ZooKeeper mode, ensemble data). Checked before the store is made, so a refused run leaves none behind.
pub fn refuse_securing_formatted(spec: &ClusterSpec, formatted: &[String]) -> Result<(), ApplyError> {
    let store = SecretsStore::for_cluster(spec);
    refusal(spec, formatted, &store.path)
}

/// [`refuse_securing_formatted`]'s judgement, given where the store would be.
fn refusal(spec: &ClusterSpec, formatted: &[String], store: &std::path::Path) -> Result<(), ApplyError> {
    if spec.security.is_none() || formatted.is_empty() || store.exists() {
        return Ok(());
    }
    let (hosts, store) = (formatted.join(", "), store.display().to_string());
    Err(match spec.coordination {
        Coordination::Kraft(_) => ApplyError::SecureFormattedCluster { hosts, store },
        Coordination::Zookeeper(_) => ApplyError::SecurePlaintextZookeeperCluster { hosts, store },
    })
}

/// Refuses a `security.admin_user` other than the one the cluster was deployed with: see
/// [`ApplyError::AdminRenamed`]. On a cluster that has run (`formatted`, as in [`refuse_securing_formatted`]) the
/// admin must be the one the store recorded at the last deploy — or, in a store written before it recorded one, a
/// user it holds a password for (the admin's is there from the first deploy on). Checked before the store is
/// touched.
pub fn refuse_renaming_admin(spec: &ClusterSpec, formatted: &[String]) -> Result<(), ApplyError> {
    if formatted.is_empty() || !spec.security.as_ref().is_some_and(|s| s.sasl()) {
        return Ok(()); // nothing read: a plaintext, TLS-only or new cluster has no admin login to keep
    }
    let store = SecretsStore::for_cluster(spec);
    let Some((users, admin)) = store.logins()? else { return Ok(()) };
    renamed_admin(spec, formatted, &users, admin.as_deref(), &store.path)
}

/// [`refuse_renaming_admin`]'s judgement, given the users the store holds passwords for and where it is.
fn renamed_admin(
    spec: &ClusterSpec,
    formatted: &[String],
    stored: &[String],
    stored_admin: Option<&str>,
    store: &std::path::Path,
) -> Result<(), ApplyError> {
    let Some(security) = spec.security.as_ref().filter(|s| s.sasl()) else { return Ok(()) };
    let new = security.admin_user.as_str();
    let former: Vec<&str> = match stored_admin {
        _ if formatted.is_empty() => return Ok(()),
        Some(old) if old == new => return Ok(()),
        Some(old) => vec![old],
        None if stored.iter().any(|u| u == new) => return Ok(()),
        // A store from before the admin was recorded: a stored user the project no longer names (a removed
        // application user looks the same, so every such name is given).
        None => {
            let known = security.scram_users();
            stored.iter().map(String::as_str).filter(|u| !known.contains(u)).collect()
        }
    };
    let quoted = former.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(" or ");
    let back = if former.is_empty() { String::new() } else { format!(" to {quoted}") };
    let old = match (stored_admin, former.is_empty()) {
        (Some(_), _) => format!(" recorded {quoted} as its admin"),
        (None, true) => format!(" holds no password for {new:?}"),
        (None, false) => format!(" holds no password for {new:?}, one for {quoted}"),
    };
    Err(ApplyError::AdminRenamed {
        new: new.to_string(),
        old,
        back,
        hosts: formatted.join(", "),
        store: store.display().to_string(),
    })
}

/// A dry run: the store's material when the store exists and has everything but the passwords of application
/// users added since the last deploy (nothing is made or saved), else `None` — then secret files are compared as
/// placeholders, i.e. shown as to be written.
pub fn for_preview(spec: &ClusterSpec) -> Option<Arc<SecretMaterial>> {
    let security = spec.security.as_ref()?;
    let store = SecretsStore::for_cluster(spec);
    store.path.exists().then(|| store.load_existing(spec, security).ok()).flatten().map(Arc::new)
}

/// How the wizard's own Kafka client reaches `spec`'s brokers and controllers: plaintext, or TLS against the
/// cluster's CA with SCRAM as the admin, from the secrets store. An error when a secured cluster has no store yet.
pub fn kafka_auth(spec: &ClusterSpec) -> Result<KafkaAuth, String> {
    let Some(security) = &spec.security else { return Ok(KafkaAuth::plaintext()) };
    let store = SecretsStore::for_cluster(spec);
    let material = store.load_existing(spec, security).map_err(|e| {
        format!("{e} — deploy the cluster first (a deployed cluster whose store is lost: deploy --recover-secrets)")
    })?;
    let tls = TlsTrust::from_ca_pem(&material.ca_cert).map_err(|e| e.to_string())?;
    let sasl = security.sasl().then(|| ScramLogin {
        mechanism: security.mechanism,
        username: security.admin_user.clone(),
        password: material.passwords[&security.admin_user].clone(),
    });
    Ok(KafkaAuth { tls: Some(tls), sasl })
}

/// How the wizard's own Kafka client reaches the KRaft controllers' listener of a secured cluster (TLS with client
/// certificates, no SASL, docs/facts/kafka.md §11): the cluster's CA, presenting the keystore of one of its
/// controllers — a node's identity the store holds, a super user (`render::security::super_users`). Plaintext
/// on a plaintext cluster.
pub fn controller_auth(spec: &ClusterSpec) -> Result<KafkaAuth, String> {
    let Some(security) = &spec.security else { return Ok(KafkaAuth::plaintext()) };
    let store = SecretsStore::for_cluster(spec);
    let material = store.load_existing(spec, security).map_err(|e| e.to_string())?;
    let keystore = spec
        .controllers()
        .find_map(|c| material.keystores.get(c.name.as_str()))
        .ok_or("no controller's keystore in the secrets store")?;
    let tls = TlsTrust::with_identity(&material.ca_cert, keystore.expose()).map_err(|e| e.to_string())?;
    Ok(KafkaAuth { tls: Some(tls), sasl: None })
}

/// Refuses changing whether the ensemble's members speak TLS to each other (`zookeeper.quorum_tls`) while members
/// run that do otherwise (their `zookeeper.properties` has or lacks `sslQuorum=true` — an ensemble secured by an
/// earlier version of the wizard runs without): a member restarted with TLS dials its peers with TLS, and one
/// restarted without it dials them in plaintext, so one plain roll would leave it outside the quorum. ZooKeeper's
/// switch takes three rolls with port unification (docs/facts/kafka.md §13), which the wizard does not do yet.
/// Checked before any host is touched.
pub(crate) fn refuse_quorum_tls_switch(spec: &ClusterSpec, runs: &[super::hosts::HostRun]) -> Result<(), ApplyError> {
    let running: Vec<(String, bool)> = runs
        .iter()
        .filter(|r| spec.hosts[r.index].has(Role::Zookeeper) && r.facts.is_active(Service::Zookeeper))
        .map(|r| (spec.hosts[r.index].name.to_string(), r.facts.zookeeper_ssl_quorum))
        .collect();
    quorum_tls_switch(spec, &running).map_err(ApplyError::Quorum)
}

/// [`refuse_quorum_tls_switch`]'s judgement over the running members: (name, speaks TLS to its peers).
fn quorum_tls_switch(spec: &ClusterSpec, running: &[(String, bool)]) -> Result<(), String> {
    let want = spec.zookeeper_quorum_tls();
    let other: Vec<&str> = running.iter().filter(|(_, tls)| *tls != want).map(|(name, _)| name.as_str()).collect();
    if spec.zookeeper_members().is_empty() || other.is_empty() {
        return Ok(());
    }
    let (runs, asked, keep) = match want {
        true => ("without TLS (SASL-authenticated, unencrypted)", "turns TLS on", "false"),
        false => ("with TLS", "turns TLS off", "true"),
    };
    Err(format!(
        "{}: the running ZooKeeper ensemble's members speak to each other {runs}, and the project {asked} \
         (zookeeper.quorum_tls) — a member restarted so could not rejoin the others. Switching a running ensemble \
         takes three rolling restarts (port unification, then sslQuorum, then port unification off), which the \
         wizard does not do yet. Set zookeeper.quorum_tls = {keep} in the project file to keep the ensemble as it \
         runs, or stop every member (kafka-wizard stop) and deploy: a stopped ensemble starts as the project says",
        other.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{parse, validate};

    fn spec(text: &str) -> ClusterSpec {
        validate(&parse(text).unwrap()).spec.unwrap()
    }

    #[test]
    fn securing_a_cluster_that_ran_without_a_store_is_refused_with_the_steps_of_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        let zk = spec(include_str!("../../tests/fixtures/zookeeper-secure.toml"));
        let err = refusal(&zk, &["zks1.example.com".into()], &missing).unwrap_err();
        assert!(matches!(err, ApplyError::SecurePlaintextZookeeperCluster { .. }), "{err}");
        let text = err.to_string();
        assert!(text.starts_with("zks1.example.com: this ZooKeeper-mode cluster has already run"), "{text}");
        assert!(text.contains("zookeeper-security-migration.sh") && text.contains("nothing was changed"), "{text}");
        let kraft = spec(include_str!("../../tests/fixtures/kraft-secure.toml"));
        let err = refusal(&kraft, &["secure1.example.com".into()], &missing).unwrap_err();
        assert!(matches!(err, ApplyError::SecureFormattedCluster { .. }), "{err}");

        assert!(refusal(&zk, &[], &missing).is_ok(), "a cluster that never ran is secured from the start");
        std::fs::write(&missing, "").unwrap();
        assert!(refusal(&zk, &["zks1.example.com".into()], &missing).is_ok(), "its own store: deployed secured");
    }

    #[test]
    fn an_admin_renamed_in_the_project_of_a_running_cluster_is_refused_naming_the_former_admin() {
        let store = std::path::Path::new("/store.toml");
        let text = include_str!("../../tests/fixtures/kraft-secure.toml");
        let renamed = spec(&text.replace("admin_user = \"admin\"", "admin_user = \"ops\""));
        assert_eq!(renamed.security.as_ref().unwrap().admin_user, "ops", "the fixture names its admin");
        let stored: Vec<String> = ["admin", "kafka-broker"].map(String::from).to_vec();
        let err = renamed_admin(&renamed, &["secure1.example.com".into()], &stored, None, store).unwrap_err();
        assert!(matches!(err, ApplyError::AdminRenamed { .. }), "{err}");
        let text = err.to_string();
        assert!(text.starts_with("security.admin_user: \"ops\" is not the admin"), "{text}");
        assert!(text.contains("Set admin_user back to \"admin\"") && text.contains("Nothing was changed"), "{text}");
        assert!(text.contains("security.users") && text.contains("[[security.acls]]"), "the way that works: {text}");

        let formatted = ["secure1.example.com".to_string()];
        assert!(renamed_admin(&renamed, &[], &stored, None, store).is_ok(), "a cluster that never ran takes any admin");
        let with_ops: Vec<String> = ["admin", "ops", "kafka-broker"].map(String::from).to_vec();
        assert!(renamed_admin(&renamed, &formatted, &with_ops, None, store).is_ok(), "an older store's own admin");
        let kraft = spec(text_of_fixture());
        assert!(renamed_admin(&kraft, &formatted, &stored, None, store).is_ok(), "the admin unchanged");
        assert!(renamed_admin(&kraft, &formatted, &stored, Some("admin"), store).is_ok(), "the recorded admin");

        // A user with a password (an application user promoted to admin) is still not the admin the store recorded.
        let err = renamed_admin(&renamed, &formatted, &with_ops, Some("admin"), store).unwrap_err().to_string();
        assert!(err.contains("Set admin_user back to \"admin\""), "{err}");
        assert!(renamed_admin(&renamed, &[], &with_ops, Some("admin"), store).is_ok(), "not yet run: any admin");
    }

    #[test]
    fn turning_quorum_tls_on_or_off_under_members_that_run_otherwise_is_refused_naming_them_and_the_way_out() {
        let zk = spec(include_str!("../../tests/fixtures/zookeeper-secure.toml"));
        assert!(zk.zookeeper_quorum_tls(), "the default of a secured ZooKeeper-mode cluster");
        let running = |tls: [bool; 3]| -> Vec<(String, bool)> {
            (1..=3).map(|i| format!("zks{i}.example.com")).zip(tls).collect()
        };
        let err = quorum_tls_switch(&zk, &running([false, true, false])).unwrap_err();
        assert!(err.starts_with("zks1.example.com, zks3.example.com: the running ZooKeeper ensemble"), "{err}");
        assert!(err.contains("zookeeper.quorum_tls = false") && err.contains("three rolling restarts"), "{err}");
        assert!(quorum_tls_switch(&zk, &running([true; 3])).is_ok(), "already TLS");
        assert!(quorum_tls_switch(&zk, &[]).is_ok(), "a stopped or new ensemble starts with TLS");
        let kept = spec(
            &include_str!("../../tests/fixtures/zookeeper-secure.toml")
                .replace("chroot = \"/zk-secure\"", "chroot = \"/zk-secure\"\nquorum_tls = false"),
        );
        assert!(!kept.zookeeper_quorum_tls());
        assert!(quorum_tls_switch(&kept, &running([false; 3])).is_ok(), "the opt-out keeps it as it runs");
        let err = quorum_tls_switch(&kept, &running([true, false, false])).unwrap_err();
        assert!(
            err.starts_with("zks1.example.com: the running ZooKeeper ensemble's members speak to each other with TLS"),
            "{err}"
        );
        assert!(err.contains("turns TLS off") && err.contains("zookeeper.quorum_tls = true"), "{err}");
    }

    fn text_of_fixture() -> &'static str {
        include_str!("../../tests/fixtures/kraft-secure.toml")
    }
}
