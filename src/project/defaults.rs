//! Every value the engine applies to a project field left out of the file — the one home of these facts.
//!
//! Validation fills them into the spec, the field schema ([`super::schema`]) shows them to the UI as placeholders,
//! and the plan and the transport read them where they need the same value. Defaults derived from other fields
//! (the chroot from the name, `sudo` from the SSH user, a host's data directories from `kafka.data_dirs`) are
//! computed by validation and described in the schema; the Scala build's default is the catalog's
//! ([`crate::catalog::DEFAULT_SCALA`]), as it depends on the release.

use super::spec::Connection;

// [kafka]

/// `kafka.install_dir`: the release is unpacked to `<install_dir>/kafka_<scala>-<version>`, linked from `<install_dir>/kafka`.
pub const INSTALL_DIR: &str = "/opt";
/// `kafka.config_dir`: `server.properties`, `zookeeper.properties` and the environment files.
pub const CONFIG_DIR: &str = "/etc/kafka";
/// `kafka.log_dir`: the broker's `LOG_DIR` (its own logs, not the data).
pub const KAFKA_LOG_DIR: &str = "/var/log/kafka";
/// `kafka.data_dirs`: the broker's `log.dirs` (one directory).
pub const DATA_DIR: &str = "/var/lib/kafka/data";
/// `kafka.listener_port`: the brokers' client listener.
pub const LISTENER_PORT: u16 = 9092;
/// `kafka.heap`: `KAFKA_HEAP_OPTS` `-Xms`/`-Xmx`.
pub const KAFKA_HEAP: &str = "1g";
/// `kafka.user`: the service account Kafka (and ZooKeeper) run as.
pub const SERVICE_USER: &str = "kafka";

// [zookeeper]

/// `zookeeper.client_port`.
pub const CLIENT_PORT: u16 = 2181;
/// `zookeeper.quorum_port`: followers connect to the leader on it.
pub const QUORUM_PORT: u16 = 2888;
/// `zookeeper.election_port`: leader election.
pub const ELECTION_PORT: u16 = 3888;
/// `zookeeper.data_dir`: snapshots and `myid`.
pub const ZOOKEEPER_DATA_DIR: &str = "/var/lib/zookeeper";
/// `zookeeper.log_dir`: ZooKeeper's own logs.
pub const ZOOKEEPER_LOG_DIR: &str = "/var/log/zookeeper";
/// `zookeeper.heap`.
pub const ZOOKEEPER_HEAP: &str = "512m";
/// `zookeeper.tick_time`, in milliseconds.
pub const TICK_TIME: u32 = 2000;
/// `zookeeper.init_limit`, in ticks.
pub const INIT_LIMIT: u32 = 10;
/// `zookeeper.sync_limit`, in ticks.
pub const SYNC_LIMIT: u32 = 5;
/// `zookeeper.quorum_tls`: a secured cluster's ensemble members speak TLS to each other.
pub const ZOOKEEPER_QUORUM_TLS: bool = true;

// [kraft]

/// `kraft.controller_port`: the KRaft controllers' listener.
pub const CONTROLLER_PORT: u16 = 9093;

// [preflight]

/// `preflight.min_free_mb`: the free MiB a data, log or ZooKeeper data directory needs before a deploy changes anything.
pub const MIN_FREE_MB: u64 = 1024;

// [logging]

/// `logging.max_file_mb`: the MiB a service's log file grows to before it is rotated.
pub const LOG_MAX_FILE_MB: u32 = 100;
/// `logging.max_files`: the rotated files kept per log file (older ones are deleted).
pub const LOG_MAX_FILES: u32 = 10;

// [monitoring]

/// `monitoring.prometheus` when `[monitoring]` (or the key) is left out: no exporter — a project written before the
/// section existed keeps meaning what it meant. New projects the wizard writes turn it on (`project::template`).
pub const PROMETHEUS: bool = false;
/// `monitoring.kafka_port`: the JMX exporter's HTTP port in `kafka-server.service`.
pub const EXPORTER_KAFKA_PORT: u16 = 7071;
/// `monitoring.zookeeper_port`: the JMX exporter's HTTP port in `zookeeper-server.service` (another port than
/// Kafka's: a host may run both).
pub const EXPORTER_ZOOKEEPER_PORT: u16 = 7072;

// [security]

/// `security.protocol` when `[security]` is given without it.
pub const SECURITY_PROTOCOL: &str = "sasl_ssl";
/// `security.sasl_mechanism`.
pub const SASL_MECHANISM: &str = "SCRAM-SHA-512";
/// `security.ca`: the wizard's own CA for this cluster.
pub const SECURITY_CA: &str = "generate";
/// `security.admin_user`: the super user the wizard's health checks log in as.
pub const ADMIN_USER: &str = "admin";
/// `security.acls[].pattern`.
pub const ACL_PATTERN: &str = "literal";

// [ssh] and hosts[].ssh

/// `ssh.user`.
pub const SSH_USER: &str = "root";
/// `ssh.port`.
pub const SSH_PORT: u16 = 22;
/// `ssh.known_hosts`: the file host keys are checked against (and an accepted key is added to).
pub const KNOWN_HOSTS: &str = "~/.ssh/known_hosts";

// [[hosts]]

/// `hosts[].connection`: reach the host over SSH (the other choice is the wizard's machine).
pub const CONNECTION: Connection = Connection::Ssh;
