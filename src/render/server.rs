//! `server.properties` for a broker (ZooKeeper mode) or a KRaft node (broker, controller or both).
//!
//! Keys the wizard owns come first, from the spec; sane production defaults follow (replication factors sized to
//! the cluster); the project's own `[kafka.properties]` come last and replace any default of the same key.

use super::properties::PropertiesWriter;
use crate::catalog::Version;
use crate::project::spec::{
    ClusterSpec, Coordination, Ensemble, HostSpec, KraftSpec, MigrationSpec, MigrationStage, Quorum, Role,
    ZookeeperSpec,
};

/// The controllers' listener name (also in AddRaftVoter, `apply::membership`).
pub const CONTROLLER_LISTENER: &str = "CONTROLLER";

pub fn server_properties(spec: &ClusterSpec, host: &HostSpec) -> String {
    let mut w = PropertiesWriter::new(&super::header(spec, &format!("Kafka configuration of {}", host.name)));
    let id = host.node_id.expect("validated: brokers and controllers have an id");
    match &spec.coordination {
        Coordination::Zookeeper(z) => match &z.migration {
            Some(m) => migration(&mut w, spec, host, z, m, id),
            None => zookeeper_mode(&mut w, spec, host, z, id),
        },
        Coordination::Kraft(k) => kraft_mode(&mut w, spec, host, k, id),
    }
    if let Some(s) = &spec.security {
        super::security::server_security(&mut w, spec, host, s);
    }
    if host.has(Role::Broker) {
        replication_defaults(&mut w, spec);
    }
    if !spec.kafka.properties.is_empty() {
        w.section("From the project file's [kafka.properties]");
        for (key, value) in &spec.kafka.properties {
            w.set(key, value);
        }
    }
    w.finish()
}

/// What a node's `server.properties` configures, for Review.
pub fn purpose(spec: &ClusterSpec, host: &HostSpec) -> String {
    let migrating = match spec.migration() {
        Some(m) if m.stage < MigrationStage::Finalized => ", migrating from ZooKeeper",
        _ => "",
    };
    match (spec.kafka_uses_zookeeper(host), host.has(Role::Broker), host.has(Role::Controller)) {
        (true, _, _) => format!("Kafka broker configuration (ZooKeeper mode{migrating})"),
        (false, true, true) => "Kafka configuration (KRaft, combined broker and controller)".into(),
        (false, false, true) => format!("Kafka configuration (KRaft controller{migrating})"),
        _ => format!("Kafka configuration (KRaft broker{migrating})"),
    }
}

fn zookeeper_mode(w: &mut PropertiesWriter, spec: &ClusterSpec, host: &HostSpec, z: &ZookeeperSpec, id: u32) {
    let port = spec.kafka.listener_port;
    let (listener, protocol) = super::security::broker_listener(spec);
    w.section("Identity");
    w.set("broker.id", id.to_string());
    if let Some(rack) = &host.rack {
        w.set("broker.rack", rack);
    }
    w.section("Listeners: bind every interface, advertise the address clients and other brokers use");
    w.set("listeners", format!("{listener}://{}:{port}", bind_all(host)));
    w.set("advertised.listeners", format!("{listener}://{}:{port}", host.reach().for_host_port()));
    if spec.security.is_some() {
        // A migrating broker's map also names the controller listener ([`migration`] sets it).
        if spec.migration().is_none() {
            w.set("listener.security.protocol.map", format!("{listener}:{protocol}"));
        }
        w.set("inter.broker.listener.name", listener);
    }
    w.section("Storage: one directory per disk");
    w.set("log.dirs", data_dirs(host));
    w.section("ZooKeeper: every ensemble member, then this cluster's one chroot (shared by all its brokers)");
    w.set("zookeeper.connect", zookeeper_connect(spec, z));
    w.set("zookeeper.connection.timeout.ms", "18000");
    if let Some(pin) = &spec.kafka.protocol_pin {
        w.section("Version upgrade not yet finalized: the brokers keep the protocol of the release they ran before");
        w.set("inter.broker.protocol.version", pin);
    }
}

/// A ZooKeeper-mode cluster migrating to KRaft (docs/facts/kafka.md §34), each node as its stage has it:
/// - controllers: KRaft controllers formatted with the running cluster's id; until finalized also the migration
///   flag, the ensemble (`zookeeper.connect`, the cluster's chroot) and the brokers' listener they send requests to;
/// - brokers while migrating: ZooKeeper mode plus the migration flag and the controller quorum;
/// - brokers from `BrokersOnKraft` on: KRaft brokers (`node.id` = the old `broker.id`, no ZooKeeper key).
fn migration(
    w: &mut PropertiesWriter,
    spec: &ClusterSpec,
    host: &HostSpec,
    z: &ZookeeperSpec,
    m: &MigrationSpec,
    id: u32,
) {
    let kraft = KraftSpec {
        cluster_id: m.cluster_id.clone(),
        controller_port: m.controller_port,
        quorum: Quorum::Static,
        bootstrap_controllers: None,
    };
    if host.has(Role::Controller) {
        kraft_mode(w, spec, host, &kraft, id);
        if m.stage < MigrationStage::Finalized {
            let (listener, _) = super::security::broker_listener(spec);
            w.section("Migration from ZooKeeper (until finalized): copy ZooKeeper's metadata, then write to both");
            w.set("zookeeper.metadata.migration.enable", "true");
            w.set("zookeeper.connect", zookeeper_connect(spec, z));
            w.set("zookeeper.connection.timeout.ms", "18000");
            w.set("inter.broker.listener.name", listener);
        }
    } else if m.stage >= MigrationStage::BrokersOnKraft {
        kraft_mode(w, spec, host, &kraft, id);
    } else {
        zookeeper_mode(w, spec, host, z, id);
        let (listener, protocol) = super::security::broker_listener(spec);
        let controller_protocol = super::security::controller_protocol(spec);
        w.section(
            "Migration to KRaft: this broker registers with the KRaft controllers, which take over from ZooKeeper",
        );
        w.set("zookeeper.metadata.migration.enable", "true");
        w.set("controller.quorum.voters", quorum_voters_at(spec, m.controller_port));
        w.set("controller.listener.names", CONTROLLER_LISTENER);
        w.set(
            "listener.security.protocol.map",
            format!("{CONTROLLER_LISTENER}:{controller_protocol},{listener}:{protocol}"),
        );
    }
}

fn kraft_mode(w: &mut PropertiesWriter, spec: &ClusterSpec, host: &HostSpec, k: &KraftSpec, id: u32) {
    let broker = host.has(Role::Broker);
    let controller = host.has(Role::Controller);
    let port = spec.kafka.listener_port;
    let reach = host.reach().for_host_port();
    let (listener, protocol) = super::security::broker_listener(spec);
    w.section("Identity and roles (KRaft)");
    w.set(
        "process.roles",
        match (broker, controller) {
            (true, true) => "broker,controller",
            (false, true) => "controller",
            _ => "broker",
        },
    );
    w.set("node.id", id.to_string());
    if broker {
        if let Some(rack) = &host.rack {
            w.set("broker.rack", rack);
        }
    }
    match k.quorum {
        Quorum::Static => {
            w.section("Controller quorum (static): every controller as id@host:port");
            w.set("controller.quorum.voters", quorum_voters(spec, k));
        }
        Quorum::Dynamic => {
            w.section(
                "Controller quorum (dynamic, kraft.version 1): the voters live in the metadata log; find it here",
            );
            w.set(super::quorum::BOOTSTRAP_SERVERS_KEY, super::quorum::bootstrap_servers(spec, k));
        }
    }
    w.set("controller.listener.names", CONTROLLER_LISTENER);

    w.section("Listeners: bind every interface, advertise the address other nodes and clients use");
    let mut listeners = Vec::new();
    let mut advertised = Vec::new();
    if broker {
        listeners.push(format!("{listener}://{}:{port}", bind_all(host)));
        advertised.push(format!("{listener}://{reach}:{port}"));
    }
    if controller {
        listeners.push(format!("{CONTROLLER_LISTENER}://{}:{}", bind_all(host), k.controller_port));
        // Before 3.9 a controller listener must not be advertised; from 3.9 on controllers advertise it.
        if spec.kafka.release.version >= Version::new(3, 9, 0) {
            advertised.push(format!("{CONTROLLER_LISTENER}://{reach}:{}", k.controller_port));
        }
    }
    w.set("listeners", listeners.join(","));
    if !advertised.is_empty() {
        w.set("advertised.listeners", advertised.join(","));
    }
    let controller_protocol = super::security::controller_protocol(spec);
    w.set(
        "listener.security.protocol.map",
        format!("{CONTROLLER_LISTENER}:{controller_protocol},{listener}:{protocol}"),
    );
    if broker {
        w.set("inter.broker.listener.name", listener);
    }
    w.section("Storage: one directory per disk (the first also holds the metadata log)");
    w.set("log.dirs", data_dirs(host));
}

/// The replication the wizard sizes to `brokers`: factor min(3, brokers), and a `min.insync.replicas` that still
/// allows one broker to be down (2 with factor 3, else 1) — `(factor, min_isr)`.
pub fn replication_for(brokers: usize) -> (usize, usize) {
    let rf = brokers.clamp(1, 3);
    (rf, if rf >= 3 { 2 } else { 1 })
}

/// The cluster's `min.insync.replicas` as its brokers run it: the project's `[kafka.properties]` value (validation
/// checked it is a whole number from 1 to the brokers), else the wizard's default ([`replication_for`]).
pub fn min_insync_replicas(spec: &ClusterSpec) -> usize {
    spec.kafka
        .properties
        .iter()
        .find(|(k, _)| k == "min.insync.replicas")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(replication_for(spec.broker_count()).1)
}

/// Internal topics and defaults sized to the cluster ([`replication_for`]).
fn replication_defaults(w: &mut PropertiesWriter, spec: &ClusterSpec) {
    let brokers = spec.broker_count();
    let (rf, min_isr) = replication_for(brokers);
    let defaults = [
        ("default.replication.factor", rf),
        ("min.insync.replicas", min_isr),
        ("offsets.topic.replication.factor", rf),
        ("transaction.state.log.replication.factor", rf),
        ("transaction.state.log.min.isr", min_isr),
    ];
    let user_set = |key: &str| spec.kafka.properties.iter().any(|(k, _)| k == key);
    if defaults.iter().all(|(key, _)| user_set(key)) {
        return;
    }
    // The same text for any number of brokers the values hold for (3 or more), so adding or removing a broker
    // changes no other node's file (and restarts none).
    let sized_for = if brokers >= 3 { "3 or more brokers".to_string() } else { format!("{brokers} broker(s)") };
    w.section(&format!(
        "Replication for {sized_for}: factor {rf}, writes survive one broker down when the factor allows"
    ));
    for (key, value) in defaults {
        if !user_set(key) {
            w.set(key, value.to_string());
        }
    }
}

/// The wildcard address to bind: IPv6's when the host is reached over IPv6 (dual-stack), else IPv4's.
fn bind_all(host: &HostSpec) -> &'static str {
    if host.reach().as_str().contains(':') {
        "[::]"
    } else {
        "0.0.0.0"
    }
}

fn data_dirs(host: &HostSpec) -> String {
    host.data_dirs.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

/// `a:2181,b:2181,c:2181/chroot`: no spaces, the chroot appended once at the end.
pub fn zookeeper_connect(spec: &ClusterSpec, z: &ZookeeperSpec) -> String {
    let members: Vec<String> = match &z.ensemble {
        Ensemble::Managed(_) => spec
            .zookeeper_members()
            .iter()
            .map(|m| format!("{}:{}", m.reach().for_host_port(), z.client_port))
            .collect(),
        Ensemble::External(list) => list.clone(),
    };
    format!("{}{}", members.join(","), z.chroot)
}

/// `1@c1:9093,2@c2:9093,3@c3:9093`, in id order.
pub fn quorum_voters(spec: &ClusterSpec, k: &KraftSpec) -> String {
    super::quorum::voters(spec, k.controller_port)
}

fn quorum_voters_at(spec: &ClusterSpec, controller_port: u16) -> String {
    super::quorum::voters(spec, controller_port)
}
