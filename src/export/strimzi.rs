//! `export --as strimzi`: the cluster as Strimzi custom resources (apiVersion `kafka.strimzi.io/v1`, which Strimzi
//! 0.49 and later serve, or `v1beta2` for Strimzi up to 0.51: [`StrimziApi`]) — one
//! `Kafka` (KRaft with node pools: the `strimzi.io/node-pools` and `strimzi.io/kraft` annotations) and one
//! `KafkaNodePool` per role set (controllers, brokers, combined nodes), for the fleet that moves to Kubernetes.
//!
//! Mapped: the release, the listener (plain, tls, or tls with SCRAM-SHA-512 authentication from `[security]`),
//! storage (a JBOD `persistent-claim` volume per data directory, each `size` given by the operator: a cluster's disk
//! size is not in the project), heap, node ids (`strimzi.io/next-node-ids`), the `[kafka.properties]` Strimzi
//! allows in `spec.kafka.config`, and on a SASL_SSL cluster a `KafkaUser` per user with its ACLs. Everything else is a warning naming what was left out. Facts: docs/facts/strimzi.md.

use crate::project::spec::{ClusterSpec, HostSpec, Protection, Role};
use crate::security::scram::ScramMechanism;
use serde_json::{json, Map, Value};
use thiserror::Error;

/// The API version the resources are written in (docs/facts/strimzi.md §1: Strimzi 0.49–0.51 serve both, 1.x only
/// `v1`, 0.48 and older only `v1beta2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StrimziApi {
    /// `kafka.strimzi.io/v1`: Strimzi 0.49 and later (the only one Strimzi 1.x serves).
    #[default]
    V1,
    /// `kafka.strimzi.io/v1beta2`: Strimzi up to 0.51.
    V1beta2,
}

impl StrimziApi {
    /// The `apiVersion` of every resource.
    pub fn api_version(self) -> &'static str {
        match self {
            StrimziApi::V1 => "kafka.strimzi.io/v1",
            StrimziApi::V1beta2 => "kafka.strimzi.io/v1beta2",
        }
    }

    /// Which Strimzi releases read it, and what to use otherwise.
    pub fn served_by(self) -> &'static str {
        match self {
            StrimziApi::V1 => {
                "Strimzi 0.49 and later serve it; for an older operator export with --strimzi-api v1beta2"
            }
            StrimziApi::V1beta2 => "Strimzi up to 0.51 serves it; Strimzi 1.x needs --strimzi-api v1",
        }
    }
}

/// Strimzi's `KafkaClusterSpec.FORBIDDEN_PREFIXES` and `FORBIDDEN_PREFIX_EXCEPTIONS` (Strimzi 0.51.0's api jar;
/// docs/facts/strimzi.md §2): keys Strimzi manages itself and refuses in `spec.kafka.config`.
pub const FORBIDDEN_PREFIXES: &[&str] = &[
    "listeners",
    "advertised.",
    "broker.",
    "listener.",
    "host.name",
    "port",
    "inter.broker.listener.name",
    "sasl.",
    "ssl.",
    "security.",
    "password.",
    "log.dir",
    "zookeeper.connect",
    "zookeeper.set.acl",
    "zookeeper.ssl",
    "zookeeper.clientCnxnSocket",
    "authorizer.",
    "super.user",
    "cruise.control.metrics.topic",
    "cruise.control.metrics.reporter.bootstrap.servers",
    "node.id",
    "process.roles",
    "controller.",
    "metadata.log.dir",
    "zookeeper.metadata.migration.enable",
    "client.quota.callback.static.kafka.admin.",
    "client.quota.callback.static.produce",
    "client.quota.callback.static.fetch",
    "client.quota.callback.static.storage.per.volume.limit.min.available.",
    "client.quota.callback.static.excluded.principal.name.list",
    "prometheus.metrics.reporter.",
];
pub const FORBIDDEN_PREFIX_EXCEPTIONS: &[&str] = &[
    "zookeeper.connection.timeout.ms",
    "sasl.server.max.receive.size",
    "ssl.cipher.suites",
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.secure.random.implementation",
    "cruise.control.metrics.topic.num.partitions",
    "cruise.control.metrics.topic.replication.factor",
    "cruise.control.metrics.topic.retention.ms",
    "cruise.control.metrics.topic.auto.create.retries",
    "cruise.control.metrics.topic.auto.create.timeout.ms",
    "cruise.control.metrics.topic.min.insync.replicas",
    "broker.session.timeout.ms",
    "broker.heartbeat.interval.ms",
    "controller.socket.timeout.ms",
    "controller.quorum.election.backoff.max.ms",
    "controller.quorum.election.timeout.ms",
    "controller.quorum.fetch.timeout.ms",
];

/// Whether Strimzi lets `key` into `spec.kafka.config`.
pub fn allowed_in_config(key: &str) -> bool {
    FORBIDDEN_PREFIX_EXCEPTIONS.contains(&key) || !FORBIDDEN_PREFIXES.iter().any(|p| key.starts_with(p))
}

#[derive(Debug, Error, PartialEq)]
pub enum StrimziError {
    #[error(
        "{name} runs in ZooKeeper mode: current Strimzi runs Kafka only in KRaft mode (ZooKeeper support was removed \
         in Strimzi 0.46) — migrate the cluster first (`kafka-wizard migrate <project file>`, then `migrate --finalize`), then \
         export it"
    )]
    ZookeeperMode { name: String },
    #[error(
        "--storage-size {given:?}: a Kubernetes quantity such as 100Gi or 500G is needed (the size of each data \
         directory's volume)"
    )]
    BadSize { given: String },
    #[error("{name}: Kubernetes names are lower-case letters, digits and '-' (at most 63): rename the project")]
    BadName { name: String },
}

/// The resources (a multi-document YAML) and what could not be carried over.
#[derive(Clone, Debug)]
pub struct StrimziExport {
    pub yaml: String,
    pub warnings: Vec<String>,
}

/// The Kafka and KafkaNodePool resources of a KRaft cluster; `storage_size` is each data directory's volume.
pub fn resources(spec: &ClusterSpec, storage_size: &str, api: StrimziApi) -> Result<StrimziExport, StrimziError> {
    if !spec.is_kraft() {
        return Err(StrimziError::ZookeeperMode { name: spec.name.clone() });
    }
    if !is_quantity(storage_size) {
        return Err(StrimziError::BadSize { given: storage_size.to_string() });
    }
    let name = spec.name.clone();
    if name.is_empty()
        || name.len() > 63
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(StrimziError::BadName { name });
    }
    let mut warnings = Vec::new();
    let mut docs = Vec::new();
    let pools: [(&str, &[Role]); 3] = [
        ("controller", &[Role::Controller]),
        ("broker", &[Role::Broker]),
        ("dual-role", &[Role::Controller, Role::Broker]),
    ];
    for (pool, roles) in pools {
        let hosts: Vec<&HostSpec> = spec
            .hosts
            .iter()
            .filter(|h| h.runs_kafka())
            .filter(|h| {
                roles.iter().all(|r| h.has(*r))
                    && h.roles.iter().filter(|r| **r != Role::Zookeeper).count() == roles.len()
            })
            .collect();
        if hosts.is_empty() {
            continue;
        }
        docs.push(node_pool(spec, pool, roles, &hosts, storage_size, &mut warnings));
    }
    docs.push(kafka(spec, &mut warnings));
    docs.extend(users(spec));
    // every resource in the one API version asked for (the builders leave it out)
    let docs: Vec<Value> = docs
        .into_iter()
        .map(|doc| {
            let mut with_version = Map::from_iter([("apiVersion".to_string(), json!(api.api_version()))]);
            with_version.extend(doc.as_object().cloned().unwrap_or_default());
            Value::Object(with_version)
        })
        .collect();
    if spec.hosts.iter().any(|h| h.rack.is_some()) {
        warnings.push(
            "hosts[].rack: Strimzi takes racks from a node label (spec.kafka.rack.topologyKey, e.g. \
             topology.kubernetes.io/zone), not per broker — set it for your Kubernetes nodes"
                .into(),
        );
    }
    if spec.monitoring.is_some() {
        warnings.push(
            "[monitoring]: Strimzi's JMX exporter takes its rules from a ConfigMap (spec.kafka.metricsConfig) — not \
             written; see Strimzi's examples/metrics"
                .into(),
        );
    }
    let header = format!(
        "# Written by kafka-wizard export --as strimzi for the cluster {name:?}: apply with `kubectl apply -f` in the\n\
         # namespace a Strimzi cluster operator watches.\n# apiVersion {version}: {served}.\n",
        name = spec.name,
        version = api.api_version(),
        served = api.served_by()
    );
    let body: Vec<String> =
        docs.iter().map(|d| serde_yaml_ng::to_string(d).expect("JSON values serialise as YAML")).collect();
    Ok(StrimziExport { yaml: header + &body.join("---\n"), warnings })
}

/// A Kubernetes quantity as Strimzi's `size` takes it: digits with an optional SI or binary suffix.
fn is_quantity(s: &str) -> bool {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &s[digits.len()..];
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ["", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].contains(&suffix)
}

fn node_pool(
    spec: &ClusterSpec,
    pool: &str,
    roles: &[Role],
    hosts: &[&HostSpec],
    size: &str,
    warnings: &mut Vec<String>,
) -> Value {
    let dirs = hosts.iter().map(|h| h.data_dirs.len()).max().unwrap_or(1).max(1);
    if hosts.iter().any(|h| h.data_dirs.len() != dirs) {
        warnings.push(format!(
            "node pool {pool}: its hosts have different numbers of data directories — every node gets {dirs} volumes"
        ));
    }
    let volumes: Vec<Value> = (0..dirs)
        .map(|i| {
            let mut v = json!({"id": i, "type": "persistent-claim", "size": size, "deleteClaim": false});
            if i == 0 {
                v["kraftMetadata"] = json!("shared");
            }
            v
        })
        .collect();
    let ids: Vec<String> = hosts.iter().filter_map(|h| h.node_id).map(|i| i.to_string()).collect();
    let role_names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    json!({
        "kind": "KafkaNodePool",
        "metadata": {
            "name": pool,
            "labels": {"strimzi.io/cluster": spec.name},
            "annotations": {"strimzi.io/next-node-ids": format!("[{}]", ids.join(", "))},
        },
        "spec": {
            "replicas": hosts.len(),
            "roles": role_names,
            "storage": {"type": "jbod", "volumes": volumes},
            "jvmOptions": {"-Xms": spec.kafka.heap.jvm, "-Xmx": spec.kafka.heap.jvm},
        },
    })
}

fn kafka(spec: &ClusterSpec, warnings: &mut Vec<String>) -> Value {
    let mut port = spec.kafka.listener_port;
    if port < 9092 || port == 9404 || port == 9999 {
        warnings.push(format!(
            "kafka.listener_port {port}: Strimzi reserves ports below 9092, 9404 and 9999 — the listener uses 9092"
        ));
        port = 9092;
    }
    let mut listener = json!({"name": "plain", "port": port, "type": "internal", "tls": false});
    let mut kafka = Map::new();
    let mut config = Map::new();
    if let Some(s) = &spec.security {
        listener["name"] = json!("tls");
        listener["tls"] = json!(true);
        if s.protection == Protection::SaslSsl {
            listener["name"] = json!("scram");
            listener["authentication"] = json!({"type": "scram-sha-512"});
            kafka.insert("authorization".into(), json!({"type": "simple", "superUsers": [s.admin_user]}));
            if s.mechanism == ScramMechanism::Sha256 {
                warnings.push(
                    "security.sasl_mechanism SCRAM-SHA-256: Strimzi's listeners authenticate with SCRAM-SHA-512 only \
                     — clients switch their sasl.mechanism"
                        .into(),
                );
            }
            warnings.push(format!(
                "security.users and admin_user: written as KafkaUser resources ({}) with their ACLs; Strimzi's User \
                 Operator gives each a NEW password, in a Secret named after the user",
                std::iter::once(s.admin_user.as_str())
                    .chain(s.users.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        warnings.push(
            "[security] certificates: Strimzi runs its own cluster CA (or spec.clusterCa with your own) — the wizard's \
             CA and keys are not carried over; clients need Strimzi's CA certificate"
                .into(),
        );
    }
    for (key, value) in &spec.kafka.properties {
        if allowed_in_config(key) {
            config.insert(key.clone(), json!(value));
        } else {
            warnings.push(format!(
                "kafka.properties.{key}: Strimzi manages this key itself and refuses it in spec.kafka.config — left out"
            ));
        }
    }
    if !spec.kafka.jvm_opts.is_empty() {
        warnings.push(format!(
            "kafka.jvm_opts ({}): Strimzi takes JVM options as jvmOptions.-XX / javaSystemProperties — not written",
            spec.kafka.jvm_opts.join(" ")
        ));
    }
    kafka.insert("version".into(), json!(spec.kafka.release.version.to_string()));
    kafka.insert("listeners".into(), json!([listener]));
    if !config.is_empty() {
        kafka.insert("config".into(), Value::Object(config));
    }
    json!({
        "kind": "Kafka",
        "metadata": {
            "name": spec.name,
            "annotations": {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"},
        },
        "spec": {
            "kafka": kafka,
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    })
}

/// A `KafkaUser` (SCRAM-SHA-512) for the admin and each application user, with the user's ACLs (`simple`), on a
/// SASL_SSL cluster; none otherwise. Strimzi's names: resource types `topic`, `group`, `cluster`,
/// `transactionalId`; patterns `literal`, `prefix`; operations in Kafka's own case (`Read`, `ClusterAction`).
fn users(spec: &ClusterSpec) -> Vec<Value> {
    let Some(s) = spec.security.as_ref().filter(|s| s.protection == Protection::SaslSsl) else { return Vec::new() };
    std::iter::once(&s.admin_user)
        .chain(&s.users)
        .map(|user| {
            let acls: Vec<Value> = s
                .acls
                .iter()
                .filter(|a| &a.user == user)
                .map(|a| {
                    let kind = match a.resource.name() {
                        "transactional_id" => "transactionalId",
                        other => other,
                    };
                    let mut resource = json!({"type": kind});
                    if kind != "cluster" {
                        resource["name"] = json!(a.name);
                        resource["patternType"] =
                            json!(if a.pattern.name() == "prefixed" { "prefix" } else { "literal" });
                    }
                    let operations: Vec<String> = a.operations.iter().map(|o| o.tool_name()).collect();
                    json!({"resource": resource, "operations": operations, "host": "*"})
                })
                .collect();
            let mut user_spec = json!({"authentication": {"type": "scram-sha-512"}});
            if !acls.is_empty() {
                user_spec["authorization"] = json!({"type": "simple", "acls": acls});
            }
            json!({
                        "kind": "KafkaUser",
                "metadata": {"name": user, "labels": {"strimzi.io/cluster": spec.name}},
                "spec": user_spec,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strimzi_refuses_the_keys_it_manages_and_keeps_its_exceptions() {
        assert!(allowed_in_config("num.partitions"));
        assert!(allowed_in_config("ssl.cipher.suites"));
        assert!(!allowed_in_config("ssl.keystore.location"));
        assert!(!allowed_in_config("listeners"));
        assert!(!allowed_in_config("controller.quorum.voters"));
        assert!(allowed_in_config("controller.quorum.fetch.timeout.ms"));
    }

    #[test]
    fn a_storage_size_is_a_kubernetes_quantity() {
        assert!(is_quantity("100Gi") && is_quantity("500G") && is_quantity("1024"));
        assert!(!is_quantity("100 GB") && !is_quantity("Gi") && !is_quantity("1.5x"));
    }
}
