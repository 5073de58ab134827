//! systemd units and their environment files for `kafka-server.service` and `zookeeper-server.service` (the
//! environment names each service's log4j file: `logging.rs`).
//!
//! The services run as the dedicated service user, restart on failure, have a file-descriptor limit fit for
//! Kafka, a stop timeout long enough for a controlled shutdown, and exit status 143 (SIGTERM) counts as success.
//! `ExecStart` runs the launcher in the foreground (no `-daemon`), so the JVM is the unit's main process.

use super::Service;
use crate::project::spec::{ClusterSpec, HostSpec, Role, ZookeeperSpec};

pub const KAFKA_UNIT: &str = "kafka-server.service";
pub const ZOOKEEPER_UNIT: &str = "zookeeper-server.service";

pub fn kafka_environment(spec: &ClusterSpec, host: &HostSpec) -> String {
    let mut env = environment(spec, Service::Kafka, &spec.kafka.heap.jvm_options(), spec.kafka.log_dir.as_str());
    let opts = [super::security::kafka_opts(spec, host), super::monitoring::agent_option(spec, Service::Kafka)];
    env.push_str(&kafka_opts(opts, &spec.kafka.jvm_opts));
    env
}

pub fn zookeeper_environment(spec: &ClusterSpec, z: &ZookeeperSpec) -> String {
    let mut env = environment(spec, Service::Zookeeper, &z.heap.jvm_options(), z.log_dir.as_str());
    let opts =
        [super::zookeeper_security::zookeeper_opts(spec), super::monitoring::agent_option(spec, Service::Zookeeper)];
    env.push_str(&kafka_opts(opts, &z.jvm_opts));
    env
}

/// The one `KAFKA_OPTS` line of an environment file: the wizard's options (the JAAS file, the exporter agent), then
/// the project's `jvm_opts` (last, so a `-XX:` flag there wins over the release's default); none without options.
fn kafka_opts(wizards: [Option<String>; 2], project: &[String]) -> String {
    let options: Vec<String> = wizards.into_iter().flatten().chain(project.iter().cloned()).collect();
    match options.is_empty() {
        true => String::new(),
        false => format!("KAFKA_OPTS=\"{}\"\n", options.join(" ")),
    }
}

fn environment(spec: &ClusterSpec, service: Service, heap: &str, log_dir: &str) -> String {
    let mut out = super::header(spec, &format!("Environment of {service}"));
    out.push_str(&format!("KAFKA_HEAP_OPTS=\"{heap}\"\n"));
    out.push_str(&format!("LOG_DIR={log_dir}\n"));
    // The wizard's log4j file instead of the release's (size-rotated, kept to a count: render/logging.rs).
    out.push_str(&super::logging::log4j_opts(spec, service));
    if let Some(java_home) = &spec.kafka.java_home {
        out.push_str(&format!("JAVA_HOME={java_home}\n"));
    }
    out
}

pub fn kafka_unit(spec: &ClusterSpec, host: &HostSpec) -> String {
    let what = match (host.has(Role::Broker), host.has(Role::Controller)) {
        (true, true) => "broker and KRaft controller",
        (false, true) => "KRaft controller",
        _ => "broker",
    };
    let mut ordering = String::from("Wants=network-online.target\nAfter=network-online.target\n");
    // Only a process that needs ZooKeeper pulls it in: a migration's controllers, and brokers moved to KRaft,
    // must not start an ensemble that finalize stopped.
    if spec.kafka_uses_zookeeper(host) && host.has(Role::Zookeeper) {
        ordering.push_str(&format!("# ZooKeeper runs on this host too: start it first, stop it last.\nWants={ZOOKEEPER_UNIT}\nAfter={ZOOKEEPER_UNIT}\n"));
    }
    // A KRaft broker's own shutdown deadline is 5 minutes; a ZooKeeper-mode controlled shutdown is shorter.
    let stop_timeout = if spec.kafka_uses_zookeeper(host) { 180 } else { 300 };
    let current = spec.kafka.current_link();
    let config = spec.kafka.config_dir.join("server.properties");
    let env = spec.kafka.config_dir.join("kafka-server.env");
    let node = host.node_id.unwrap_or_default();
    unit(
        spec,
        &format!("Apache Kafka {what} {node} of cluster {}", spec.name),
        &ordering,
        &env.to_string(),
        &format!("{current}/bin/kafka-server-start.sh {config}"),
        stop_timeout,
    )
}

pub fn zookeeper_unit(spec: &ClusterSpec) -> String {
    let current = spec.kafka.current_link();
    let config = super::zookeeper::config_path(spec);
    let env = spec.kafka.config_dir.join("zookeeper-server.env");
    unit(
        spec,
        &format!("Apache ZooKeeper ensemble member of Kafka cluster {}", spec.name),
        "Wants=network-online.target\nAfter=network-online.target\n",
        &env.to_string(),
        &format!("{current}/bin/zookeeper-server-start.sh {config}"),
        120,
    )
}

/// `LimitNOFILE` of both units: Kafka holds a file per segment and index and a socket per client.
pub const LIMIT_NOFILE: u64 = 100_000;

fn unit(
    spec: &ClusterSpec,
    description: &str,
    ordering: &str,
    env_file: &str,
    exec_start: &str,
    stop_timeout: u32,
) -> String {
    let user = &spec.kafka.user;
    format!(
        "{header}
[Unit]
Description={description}
Documentation=https://kafka.apache.org/documentation/
{ordering}
[Service]
Type=simple
User={user}
Group={user}
EnvironmentFile={env_file}
# In the foreground (no -daemon): the launcher exec's java, so the JVM is the main process.
ExecStart={exec_start}
# No ExecStop: systemd's SIGTERM runs the JVM's shutdown hook (a controlled shutdown).
TimeoutStopSec={stop_timeout}
# A JVM ended by SIGTERM exits with 128+15.
SuccessExitStatus=143
Restart=on-failure
RestartSec=10
LimitNOFILE={LIMIT_NOFILE}
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
",
        header = super::header(spec, "systemd unit")
    )
}
