//! `zookeeper.properties` (zoo.cfg) for the members of a managed ensemble (with its security keys when the
//! cluster is secured: `zookeeper_security.rs`).

use super::properties::PropertiesWriter;
use crate::project::spec::{ClusterSpec, ZookeeperSpec};

/// Four-letter-word commands the engine's health checks use (`srvr` for the mode, `ruok`/`mntr` for monitoring).
pub const FOUR_LETTER_WORDS: &str = "srvr,ruok,mntr";

/// Where a member's configuration is: `<config_dir>/zookeeper.properties`.
pub fn config_path(spec: &ClusterSpec) -> crate::project::spec::AbsPath {
    spec.kafka.config_dir.join("zookeeper.properties")
}

pub fn zookeeper_properties(spec: &ClusterSpec, z: &ZookeeperSpec) -> String {
    let mut w = PropertiesWriter::new(&super::header(spec, "ZooKeeper ensemble configuration"));
    w.section("Timing: tickTime in ms; followers get initLimit ticks to connect and syncLimit ticks to stay in sync");
    w.set("tickTime", z.tick_time.to_string());
    w.set("initLimit", z.init_limit.to_string());
    w.set("syncLimit", z.sync_limit.to_string());
    w.section("Storage and clients");
    w.set("dataDir", z.data_dir.as_str());
    w.set("clientPort", z.client_port.to_string());
    w.set("autopurge.snapRetainCount", "3");
    w.set("autopurge.purgeInterval", "24");
    w.section("Operations: health checks use four-letter words; the embedded admin web server stays off");
    w.set("4lw.commands.whitelist", FOUR_LETTER_WORDS);
    w.set("admin.enableServer", "false");
    if super::zookeeper_security::locked(spec) {
        super::zookeeper_security::zookeeper_security(&mut w);
    }
    if spec.zookeeper_quorum_tls() {
        super::zookeeper_security::quorum_tls(&mut w, spec);
    }
    w.section("Ensemble: server.<myid>=host:quorumPort:electionPort for every member.\nListen on all addresses, so a host name that resolves to a loopback address cannot break the quorum.");
    w.set("quorumListenOnAllIPs", "true");
    for member in spec.zookeeper_members() {
        let myid = member.myid.expect("validated: ensemble members have a myid");
        w.set(
            &format!("server.{myid}"),
            format!("{}:{}:{}", member.reach().for_host_port(), z.quorum_port, z.election_port),
        );
    }
    w.finish()
}
