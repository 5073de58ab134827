//! Before a `--limit` run touches any host: which nodes answer on their service's port, from the wizard's machine
//! (no SSH), judged by the limit's rules (`plan::limit`). A refused run has connected to no host.

use super::options::ApplyError;
use super::status::port_open;
use crate::plan::{Intent, Limit, Running};
use crate::project::spec::{ClusterSpec, Coordination, Role};
use crate::render::Service;

/// The port each service of `host` answers on: ZooKeeper's client port; Kafka's listener port on a broker, the
/// controller port on a dedicated controller.
fn service_ports(spec: &ClusterSpec, host: &crate::project::spec::HostSpec) -> Vec<(Service, u16)> {
    let mut ports = Vec::new();
    if let (Coordination::Zookeeper(z), true) = (&spec.coordination, host.has(Role::Zookeeper)) {
        ports.push((Service::Zookeeper, z.client_port));
    }
    if host.has(Role::Broker) {
        ports.push((Service::Kafka, spec.kafka.listener_port));
    } else if let (Some(port), true) = (spec.controller_port(), host.has(Role::Controller)) {
        ports.push((Service::Kafka, port));
    }
    ports
}

/// Every node of the cluster whose service's port accepts a connection (all probed at once).
pub async fn running(spec: &ClusterSpec) -> Running {
    let mut probes = tokio::task::JoinSet::new();
    for host in &spec.hosts {
        for (service, port) in service_ports(spec, host) {
            let (name, addr) = (host.name.to_string(), format!("{}:{port}", host.reach().for_host_port()));
            probes.spawn(async move { (service, name, port_open(addr).await) });
        }
    }
    let mut running = Running::default();
    while let Some(Ok((service, name, open))) = probes.join_next().await {
        if open {
            match service {
                Service::Zookeeper => running.zookeeper.insert(name),
                Service::Kafka => running.kafka.insert(name),
            };
        }
    }
    running
}

/// The limit's rules for `intent` (nothing to check without a limit): refused before any host is touched.
pub async fn check_limit(spec: &ClusterSpec, limit: &Limit, intent: Intent) -> Result<(), ApplyError> {
    if limit.is_all() || matches!(intent, Intent::Restart | Intent::Status) {
        return Ok(());
    }
    limit.check(spec, intent, &running(spec).await).map_err(ApplyError::Limit)
}
