//! ZooKeeper mode with SASL: how the SCRAM users get into ZooKeeper before the brokers start (docs/facts/kafka.md
//! §13) — the plan's `zookeeper-scram-users` phase, and the one home of the tools, the chroot's ACL and the iterations,
//! which the deploy's script (`apply::decide`) and the export index's commands for doing it by hand both use.
//!
//! The tools run from the release (`kafka-run-class.sh`: `kafka-configs.sh` is its `kafka.admin.ConfigCommand`) with
//! the brokers' JAAS file, so they log in to the ensemble as the brokers do and create secure znodes. A chrooted
//! client cannot create its chroot, so the chroot is created first, with the ACL the brokers would give it.

use super::{HostStep, HostSteps, Phase, PhaseKind, Work};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::security::jaas_path;
use crate::security::store::ZOOKEEPER_CLIENT_LOGIN;
use crate::shell;

/// ZooKeeper mode with SASL: the SCRAM users' credentials, written into ZooKeeper from the first broker's host
/// (it has the release and the brokers' ZooKeeper login) once the ensemble runs, before any broker starts
/// (docs/facts/kafka.md §13).
pub(super) fn phase(spec: &ClusterSpec) -> Option<Phase> {
    let security = spec.security.as_ref().filter(|s| s.sasl())?;
    let Coordination::Zookeeper(z) = &spec.coordination else { return None };
    let host = spec.brokers().next()?;
    let step = HostStep::CreateScramUsers {
        users: security.scram_users().into_iter().map(String::from).collect(),
        connect: crate::render::zookeeper_connect(spec, z),
    };
    Some(Phase {
        kind: PhaseKind::ZookeeperScramUsers,
        title: "Create the SCRAM users in ZooKeeper, before the brokers start".into(),
        work: Work::OnHosts { hosts: vec![HostSteps { host: host.name.to_string(), steps: vec![step] }] },
    })
}

/// `kafka-configs.sh`'s class.
pub const CONFIG_COMMAND: &str = "kafka.admin.ConfigCommand";
/// ZooKeeper's shell (`zookeeper-shell.sh`'s class without Kafka's TLS wrapper).
pub const ZOOKEEPER_MAIN: &str = "org.apache.zookeeper.ZooKeeperMain";
/// SCRAM iterations of every credential (Kafka's minimum is 4096).
pub const ITERATIONS: u32 = 8192;

/// The ACL of a chroot znode the wizard creates: Kafka's own for a secured cluster — all rights for the brokers'
/// login, read for anyone (docs/facts/kafka.md §13).
pub fn chroot_acl() -> String {
    format!("sasl:{ZOOKEEPER_CLIENT_LOGIN}:cdrwa,world:anyone:r")
}

/// `host:port,…` of the ensemble: the connect string without its chroot.
pub fn ensemble(spec: &ClusterSpec, connect: &str) -> String {
    match &spec.coordination {
        Coordination::Zookeeper(z) => connect.strip_suffix(z.chroot.as_str()).unwrap_or(connect).to_string(),
        Coordination::Kraft(_) => connect.to_string(),
    }
}

/// The chroot and its parents, outermost first (`/a/b` → `/a`, `/a/b`).
pub fn chroot_nodes(spec: &ClusterSpec) -> Vec<String> {
    let Coordination::Zookeeper(z) = &spec.coordination else { return vec![] };
    let mut nodes = Vec::new();
    for (i, c) in z.chroot.char_indices().skip(1) {
        if c == '/' {
            nodes.push(z.chroot[..i].to_string());
        }
    }
    nodes.push(z.chroot.clone());
    nodes
}

/// The heap of a Kafka tool the wizard runs on a host (`kafka-storage`, `kafka-configs`, ZooKeeper's shell): small,
/// beside a running broker.
const TOOL_HEAP: &str = "-Xmx256m";

/// The environment of Kafka's tools run on a broker host: heap, log directory, Java, and the brokers' JAAS file (their
/// ZooKeeper login) when the brokers have one.
pub fn tool_env(spec: &ClusterSpec) -> Vec<String> {
    let mut env = tool_env_without_login(spec);
    if crate::render::security::brokers_read_jaas(spec) {
        env.push(format!("KAFKA_OPTS=-Djava.security.auth.login.config={}", jaas_path(spec)));
    }
    env
}

/// [`tool_env`] without the JAAS file: for a tool that logs in to nothing (`kafka-storage format`).
pub fn tool_env_without_login(spec: &ClusterSpec) -> Vec<String> {
    let k = &spec.kafka;
    let mut env = vec![format!("LOG_DIR={}", k.log_dir), format!("KAFKA_HEAP_OPTS={TOOL_HEAP}")];
    if let Some(j) = &k.java_home {
        env.push(format!("JAVA_HOME={j}"));
    }
    env
}

/// `<install>/kafka/bin/kafka-run-class.sh`.
pub fn run_class(spec: &ClusterSpec) -> String {
    format!("{}/bin/kafka-run-class.sh", spec.kafka.current_link())
}

/// The commands that do the step by hand: each user's credential goes through a 0600 file read by
/// `--add-config-file` (in that file the value takes no brackets, docs/facts/kafka.md §13), so no password is on a
/// command line; the passwords are placeholders.
pub fn manual_commands(spec: &ClusterSpec, users: &[String], connect: &str) -> Vec<String> {
    let Some(security) = &spec.security else { return vec![] };
    let env = tool_env(spec);
    let with_env = |words: Vec<String>| {
        let mut all = vec!["env".to_string()];
        all.extend(env.iter().cloned());
        all.extend(words);
        shell::join(&all)
    };
    let mut commands: Vec<String> = chroot_nodes(spec)
        .into_iter()
        .map(|node| {
            let create = [ZOOKEEPER_MAIN, "-server", &ensemble(spec, connect), "create", &node, "", &chroot_acl()];
            let mut words = vec![run_class(spec)];
            words.extend(create.map(String::from));
            format!("{}   # unless it exists", with_env(words))
        })
        .collect();
    for user in users {
        let file = format!("/root/scram-{user}.properties");
        commands.push(format!(
            "(umask 077 && cat > {}) <<'EOF'\n{}=iterations={ITERATIONS},password=<password of {user}: secrets store>\nEOF",
            shell::quote(&file),
            security.mechanism.name()
        ));
        let words = [CONFIG_COMMAND, "--zookeeper", connect, "--alter", "--add-config-file", &file];
        let mut all = vec![run_class(spec)];
        all.extend(words.map(String::from));
        all.extend(["--entity-type", "users", "--entity-name", user].map(String::from));
        commands.push(with_env(all));
        commands.push(format!("rm -f {}", shell::quote(&file)));
    }
    commands
}
