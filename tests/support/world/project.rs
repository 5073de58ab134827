//! The project files the end-to-end tests deploy on the test world: the tables they share, written once — a KRaft
//! cluster of combined broker+controller nodes on every host, Kafka 4.x from the test mirror, root over SSH with
//! the world's key.

use super::{Mirror, World, JVM_OPTS, KAFKA_4};
use std::path::Path;

/// The data directory of every host in these projects.
pub const DATA_DIR: &str = "/var/lib/kafka/data";

/// A KRaft project named `name` on every host of `world` (see [`combined_nodes`]), Kafka 4.x from `mirror`, logged
/// in as root with the world's key and `known_hosts`; `extra`: tables put between `[kafka]` and `[ssh]` (e.g.
/// `[security]`), each ending with a blank line. The cluster id is left to the wizard (generated on first use).
pub fn kraft_project(world: &World, mirror: &Mirror, name: &str, extra: &str, known_hosts: &Path) -> String {
    let base = format!("{}/kafka", mirror.base_url());
    format!(
        "format = 1\nname = \"{name}\"\n\n[kafka]\nversion = \"{KAFKA_4}\"\ninstall_dir = \"/opt\"\n\
         data_dirs = [\"{DATA_DIR}\"]\nheap = \"384m\"\n{JVM_OPTS}\nmirror = \"{base}\"\napache_url = \"{base}\"\n\n\
         {extra}[ssh]\nuser = \"root\"\nidentity_file = \"{id}\"\nknown_hosts = \"{kh}\"\n{nodes}",
        id = world.inventory().identity_file.display(),
        kh = known_hosts.display(),
        nodes = combined_nodes(world),
    )
}

/// The `[[hosts]]` tables of every host of `world`: each a combined broker and controller, ids 1, 2, … in host order.
pub fn combined_nodes(world: &World) -> String {
    let mut s = String::new();
    for (i, h) in world.hosts().iter().enumerate() {
        s.push_str(&format!(
            "\n[[hosts]]\nname = \"{}\"\naddress = \"{}\"\nroles = [\"broker\", \"controller\"]\nid = {}\n",
            h.name,
            h.ip,
            i + 1
        ));
    }
    s
}
