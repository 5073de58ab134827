//! Which SCRAM users a running cluster must gain or lose (pure): the project's users — the admin and
//! `security.users` — each need a credential of the project's mechanism; a user the wizard made (its password is in
//! the secrets store) that the project no longer lists is retired: its credentials are removed (deleted in
//! ZooKeeper mode, disabled on KRaft: `credentials`' docs say why), and it is dropped from the store. A user the wizard never made is never in either list, whatever the cluster holds; the brokers'
//! own user is never retired. `apply::users` asks the cluster and carries the changes out.

use super::credentials::ScramCredentials;
use crate::project::spec::BROKER_USER;

/// What the cluster and the secrets store must change for the project's users.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// The project's users without a credential of its mechanism: set from the store's password.
    pub create: Vec<String>,
    /// Retired users that still hold usable credentials, with the mechanisms (Kafka's numbers) to remove.
    pub delete: Vec<(String, Vec<i8>)>,
    /// Every retired user — the store's, no longer the project's — whether or not the cluster holds it.
    pub retire: Vec<String>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.delete.is_empty() && self.retire.is_empty()
    }
}

/// The changes that make `current` (the cluster's credentials) hold `wanted` (the project's users) for
/// `mechanism`, given `made` (the users whose passwords the secrets store holds: the ones the wizard made).
pub fn user_changes(wanted: &[&str], made: &[String], mechanism: i8, current: &ScramCredentials) -> UserChanges {
    let create = wanted
        .iter()
        .filter(|u| !current.get(**u).is_some_and(|held| held.contains(&mechanism)))
        .map(|u| u.to_string())
        .collect();
    let mut retire: Vec<String> =
        made.iter().filter(|u| !wanted.contains(&u.as_str()) && u.as_str() != BROKER_USER).cloned().collect();
    retire.sort();
    retire.dedup();
    let delete = retire
        .iter()
        .filter_map(|u| current.get(u).filter(|held| !held.is_empty()).map(|held| (u.clone(), held.clone())))
        .collect();
    UserChanges { create, delete, retire }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA512: i8 = 2;
    const SHA256: i8 = 1;

    fn held(users: &[(&str, &[i8])]) -> ScramCredentials {
        users.iter().map(|(u, m)| (u.to_string(), m.to_vec())).collect()
    }

    fn made(users: &[&str]) -> Vec<String> {
        users.iter().map(|u| u.to_string()).collect()
    }

    #[test]
    fn a_cluster_that_already_holds_every_user_needs_nothing() {
        let current = held(&[("admin", &[SHA512]), ("kafka-broker", &[SHA512]), ("orders-app", &[SHA512])]);
        let todo =
            user_changes(&["admin", "orders-app"], &made(&["admin", "kafka-broker", "orders-app"]), SHA512, &current);
        assert!(todo.is_empty(), "{todo:?}");
    }

    #[test]
    fn a_user_added_after_the_format_gets_a_credential() {
        let current = held(&[("admin", &[SHA512]), ("orders-app", &[SHA512])]);
        let todo = user_changes(
            &["admin", "orders-app", "billing-app"],
            &made(&["admin", "kafka-broker", "orders-app", "billing-app"]),
            SHA512,
            &current,
        );
        assert_eq!(todo, UserChanges { create: vec!["billing-app".into()], ..UserChanges::default() });
    }

    #[test]
    fn a_user_holding_only_another_mechanism_gets_one_of_the_projects() {
        let current = held(&[("admin", &[SHA512]), ("orders-app", &[SHA256])]);
        let todo = user_changes(&["admin", "orders-app"], &made(&["admin", "orders-app"]), SHA512, &current);
        assert_eq!(todo.create, ["orders-app"]);
        assert!(todo.delete.is_empty(), "the other mechanism's credential is left alone");
    }

    #[test]
    fn a_user_the_project_dropped_loses_every_credential_and_leaves_the_store() {
        let current = held(&[("admin", &[SHA512]), ("billing-app", &[SHA256, SHA512])]);
        let todo = user_changes(&["admin"], &made(&["admin", "kafka-broker", "billing-app"]), SHA512, &current);
        assert_eq!(todo.delete, [("billing-app".to_string(), vec![SHA256, SHA512])]);
        assert_eq!(todo.retire, ["billing-app"]);
        assert!(todo.create.is_empty());
    }

    #[test]
    fn a_dropped_user_the_cluster_never_held_is_only_dropped_from_the_store() {
        let current = held(&[("admin", &[SHA512])]);
        let todo = user_changes(&["admin"], &made(&["admin", "never-deployed"]), SHA512, &current);
        assert!(todo.delete.is_empty() && !todo.is_empty());
        assert_eq!(todo.retire, ["never-deployed"]);
    }

    #[test]
    fn users_the_wizard_never_made_and_the_brokers_own_user_are_never_touched() {
        let current = held(&[("admin", &[SHA512]), ("kafka-broker", &[SHA512]), ("made-by-hand", &[SHA512])]);
        let todo = user_changes(&["admin"], &made(&["admin", "kafka-broker"]), SHA512, &current);
        assert!(todo.is_empty(), "{todo:?}");
    }
}
