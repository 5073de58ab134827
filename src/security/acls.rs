//! ACLs as the wizard applies them (docs/facts/kafka.md §12). Owns Kafka's codes for resource types, pattern types,
//! operations and permissions; the project's grants (`[[security.acls]]`: principal `User:<name>`, ALLOW, host `*`,
//! one binding per operation) as Kafka's bindings; and the reconcile's pure part — which bindings of the principals
//! the wizard manages to create and which to delete so that the cluster holds exactly the project's, leaving every
//! other principal's alone. The wire calls (DescribeAcls, CreateAcls, DeleteAcls) are in `acls/client.rs`.

pub mod client;

use crate::project::spec::SecuritySpec;
use serde::Serialize;
use std::collections::BTreeSet;
use ts_rs::TS;

/// An enum of Kafka's with its lower-case names (as the project writes them) and its wire codes.
macro_rules! kafka_codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal, $code:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every value, in Kafka's code order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The project's name for it (Kafka's name in lower case).
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Kafka's code on the wire.
            pub fn code(self) -> i8 {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The value the project names `text`, if any.
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.name() == text)
            }

            /// Every name, for messages (`topic, group, …`).
            pub fn names() -> String {
                $name::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

kafka_codes! {
    /// A resource type an ACL of the project may name (Kafka's `ResourceType`).
    AclResource {
        Topic = "topic", 2;
        Group = "group", 3;
        Cluster = "cluster", 4;
        TransactionalId = "transactional_id", 5;
    }
}

kafka_codes! {
    /// How an ACL's resource name matches (Kafka's `PatternType`): the whole name, or a prefix of it.
    AclPattern {
        Literal = "literal", 3;
        Prefixed = "prefixed", 4;
    }
}

kafka_codes! {
    /// An operation an ACL allows (Kafka's `AclOperation`).
    AclOperation {
        All = "all", 2;
        Read = "read", 3;
        Write = "write", 4;
        Create = "create", 5;
        Delete = "delete", 6;
        Alter = "alter", 7;
        Describe = "describe", 8;
        ClusterAction = "cluster_action", 9;
        DescribeConfigs = "describe_configs", 10;
        AlterConfigs = "alter_configs", 11;
        IdempotentWrite = "idempotent_write", 12;
    }
}

impl AclOperation {
    /// The name `kafka-acls.sh --operation` takes (`ClusterAction`).
    pub fn tool_name(self) -> String {
        self.name().split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
    }
}

/// The one name of the cluster resource.
pub const CLUSTER_RESOURCE_NAME: &str = "kafka-cluster";
/// The host the project's ACLs allow: any.
pub const ANY_HOST: &str = "*";
/// `AclPermissionType.ALLOW`: every ACL of the project allows.
pub const ALLOW: i8 = 3;
/// The filter codes that match anything (`ANY` of `ResourceType`, `PatternType`, `AclOperation`,
/// `AclPermissionType`).
pub const ANY: i8 = 1;

/// The principal of a SCRAM user (`User:<name>`).
pub fn principal(user: &str) -> String {
    format!("User:{user}")
}

/// One ACL the project grants: a user may do one operation on a resource (ALLOW, host `*`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, TS)]
pub struct AclGrant {
    pub user: String,
    pub resource: AclResource,
    pub name: String,
    pub pattern: AclPattern,
    pub operation: AclOperation,
}

impl AclGrant {
    pub fn binding(&self) -> AclBinding {
        AclBinding {
            principal: principal(&self.user),
            resource_type: self.resource.code(),
            resource_name: self.name.clone(),
            pattern_type: self.pattern.code(),
            operation: self.operation.code(),
            permission_type: ALLOW,
            host: ANY_HOST.to_string(),
        }
    }
}

/// The grants `[[security.acls]]` make, one per operation, in the file's order, each once.
pub fn grants(security: &SecuritySpec) -> Vec<AclGrant> {
    let mut seen = BTreeSet::new();
    let mut grants = Vec::new();
    for acl in &security.acls {
        for &operation in &acl.operations {
            let grant = AclGrant {
                user: acl.user.clone(),
                resource: acl.resource,
                name: acl.name.clone(),
                pattern: acl.pattern,
                operation,
            };
            if seen.insert(grant.clone()) {
                grants.push(grant);
            }
        }
    }
    grants
}

/// The principals whose ACLs the wizard owns: the application users (`security.users`). The admin and the brokers'
/// own principals are super users and never among them; every other principal's ACLs are left alone.
pub fn managed_principals(security: &SecuritySpec) -> Vec<String> {
    security.users.iter().map(|u| principal(u)).collect()
}

/// One ACL as Kafka stores it, with the wire codes: an ACL read from the cluster that the project cannot express (a
/// DENY, one host, an operation this version does not name) is kept exactly, so it can be deleted exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AclBinding {
    pub principal: String,
    pub resource_type: i8,
    pub resource_name: String,
    pub pattern_type: i8,
    pub operation: i8,
    pub permission_type: i8,
    pub host: String,
}

/// Kafka's name of a code, or the code itself when this version does not know it.
fn code_name(code: i8, names: &[(i8, &'static str)], what: &str) -> String {
    names.iter().find(|(c, _)| *c == code).map_or_else(|| format!("{what} {code}"), |(_, n)| n.to_string())
}

/// Codes the cluster may hold beyond the project's (read back, shown, deleted).
const OTHER_RESOURCES: &[(i8, &str)] = &[(6, "delegation_token"), (7, "user")];
const OTHER_OPERATIONS: &[(i8, &str)] = &[(13, "create_tokens"), (14, "describe_tokens"), (15, "two_phase_commit")];
const PERMISSIONS: &[(i8, &str)] = &[(2, "deny"), (ALLOW, "allow")];

fn names_of<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (i8, &'static str),
    other: &[(i8, &'static str)],
) -> Vec<(i8, &'static str)> {
    all.iter().map(|v| f(*v)).chain(other.iter().copied()).collect()
}

/// `allow User:orders-app write on topic "orders" (literal)`; a host other than `*` is named.
impl std::fmt::Display for AclBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resources = names_of(AclResource::ALL, |r| (r.code(), r.name()), OTHER_RESOURCES);
        let patterns = names_of(AclPattern::ALL, |p| (p.code(), p.name()), &[]);
        let operations = names_of(AclOperation::ALL, |o| (o.code(), o.name()), OTHER_OPERATIONS);
        write!(
            f,
            "{} {} {} on {} {:?} ({})",
            code_name(self.permission_type, PERMISSIONS, "permission"),
            self.principal,
            code_name(self.operation, &operations, "operation"),
            code_name(self.resource_type, &resources, "resource type"),
            self.resource_name,
            code_name(self.pattern_type, &patterns, "pattern type"),
        )?;
        if self.host != ANY_HOST {
            write!(f, " from host {}", self.host)?;
        }
        Ok(())
    }
}

/// What the cluster must change to hold exactly the project's ACLs for the managed principals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclChanges {
    /// The project's ACLs the cluster lacks.
    pub create: Vec<AclBinding>,
    /// ACLs of managed principals the project does not grant.
    pub delete: Vec<AclBinding>,
}

impl AclChanges {
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.delete.is_empty()
    }
}

/// Compares the cluster's ACLs (`current`: all of them, any principal) with the project's (`desired`): the project's
/// missing are to be created, those of `managed` principals the project does not grant are to be deleted; any other
/// principal's ACLs are never touched. Both lists sorted, each ACL once.
pub fn changes(desired: &[AclBinding], current: &[AclBinding], managed: &[String]) -> AclChanges {
    let desired: BTreeSet<&AclBinding> = desired.iter().collect();
    let held: BTreeSet<&AclBinding> = current.iter().filter(|b| managed.contains(&b.principal)).collect();
    AclChanges {
        create: desired.difference(&held).map(|b| (*b).clone()).collect(),
        delete: held.difference(&desired).map(|b| (*b).clone()).collect(),
    }
}

#[cfg(test)]
mod tests;
