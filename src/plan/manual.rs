//! The plan as shell commands for applying it by hand (the export's `INDEX.md`). Every argument that reaches a
//! shell goes through `shell::quote`.

use super::argfile;
use super::{FetchRelease, Health, HostStep, ReconcileAcls, ReconcileScramUsers, StartService};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::Owner;
use crate::security::acls::AclResource;
use crate::shell;

/// The shell word for the private folder (`mktemp -d`) the export index has the operator copy a host's exported
/// folder and the release into, on that host: `$D`, which stops the command when unset instead of reading elsewhere.
pub const HOST_FOLDER: &str = "\"${D:?}\"";

/// `path` (absolute, or a bare file name) inside [`HOST_FOLDER`], as one shell word: `"${D:?}"/etc/kafka/x`.
pub fn in_host_folder(path: &str) -> String {
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    format!("{HOST_FOLDER}{}", shell::quote(&path))
}

/// `-o user -g group` arguments for `install`.
fn owner_args(owner: Owner, user: &str) -> [String; 4] {
    let (u, g) = owner.user_group(user);
    ["-o".into(), u.into(), "-g".into(), g.into()]
}

/// Commands that download and verify the release on a machine with internet access: the SHA-512, then the OpenPGP
/// signature with `gpg` in a throwaway home, accepted only when the key that made it (VALIDSIG's first field) or
/// its primary (the 10th) is a pinned Apache Kafka release manager's key — the rule of `download::signed`, by hand.
pub fn fetch_commands(fetch: &FetchRelease) -> Vec<String> {
    let FetchRelease { tarball, urls, checksum_urls, signature_urls, keys_urls, agent, .. } = fetch;
    let asc = format!("{tarball}.asc");
    let pinned: Vec<String> =
        crate::verify::apache_keys::PINNED.iter().map(|k| format!("-e {}", k.fingerprint)).collect();
    let mut commands = vec![
        shell::join(&["curl", "-fLO", &urls[0]]),
        shell::join(&["curl", "-fLO", &checksum_urls[0]]),
        sha512_check(&shell::quote(tarball), &shell::quote(&format!("{tarball}.sha512"))),
        shell::join(&["curl", "-fLO", &signature_urls[0]]),
        shell::join(&["curl", "-fL", "-o", "KEYS", &keys_urls[0]]),
        format!(
            "G=\"$(mktemp -d)\" && gpg --homedir \"$G\" --batch --quiet --import KEYS && gpg --homedir \"$G\" --batch \
             --status-fd 1 --verify {} {} | awk '$2 == \"VALIDSIG\" {{print $3; print $12}}' | grep -qxF {} && echo signature OK",
            shell::quote(&asc),
            shell::quote(tarball),
            pinned.join(" ")
        ),
    ];
    if let Some(a) = agent {
        commands.push(shell::join(&["curl", "-fLO", &a.urls[0]]));
        commands.push(format!(
            "test {} = \"$(sha512sum {} | cut -d' ' -f1)\" && echo checksum OK",
            shell::quote(&a.sha512),
            shell::quote(&a.jar)
        ));
    }
    commands
}

/// The command that compares a release's SHA-512 with its `.sha512` file from Apache (`name: HEX HEX …`, upper
/// case, wrapped): `tarball` and `sums` are shell words. It fails (and prints nothing) on a mismatch.
pub fn sha512_check(tarball: &str, sums: &str) -> String {
    format!(
        "test \"$(cut -d: -f2- {sums} | tr -d ' \\r\\n' | tr A-F a-f)\" = \"$(sha512sum {tarball} | cut -d' ' -f1)\" && echo checksum OK"
    )
}

/// The command that starts a service on one host.
pub fn start_commands(start: &StartService) -> Vec<String> {
    vec![shell::join(&["systemctl", "start", start.service.unit()])]
}

/// Commands that check a health condition by hand, from any host; none where only the wizard's own protocol
/// checks apply (the KRaft quorum and controllers, the partitions' replication).
pub fn health_commands(spec: &ClusterSpec, health: &Health) -> Vec<String> {
    match health {
        Health::ZookeeperQuorum { members } => {
            let port = match &spec.coordination {
                Coordination::Zookeeper(z) => z.client_port,
                Coordination::Kraft(_) => return Vec::new(),
            };
            members
                .iter()
                .map(|m| {
                    format!("echo srvr | nc {} {port} | grep Mode   # one leader, the others follower", shell::quote(m))
                })
                .collect()
        }
        // The partitions' check is the wizard's own (`apply::wait`); none here keeps the exported index as it was.
        // By hand a cluster is new: a dynamic quorum's controllers are formatted as its first voters, so every
        // controller votes from the start and nothing is added.
        Health::ControllersListening { .. }
        | Health::KraftQuorum { .. }
        | Health::QuorumJoined { .. }
        | Health::PartitionsReplicated => Vec::new(),
        Health::BrokersInCluster { broker_ids } => {
            let first = spec.brokers().next().map(|b| b.reach().for_host_port()).unwrap_or_default();
            vec![format!(
                "{}/bin/kafka-broker-api-versions.sh --bootstrap-server {first}:{} | grep -c 'id:'   # expect {} brokers",
                spec.kafka.current_link(),
                spec.kafka.listener_port,
                broker_ids.len()
            )]
        }
    }
}

/// The SCRAM users by hand: the format (ZooKeeper mode: the `zookeeper-scram-users` step) gave every user of the
/// project a credential; list who holds one with
/// `kafka-configs.sh`, as the admin, and delete a user the project no longer lists (deploy does both, and creates
/// the credential of a user added after the format without a password on any command line).
pub fn scram_user_commands(spec: &ClusterSpec, users: &ReconcileScramUsers) -> Vec<String> {
    let tool = format!("{}/bin/kafka-configs.sh", spec.kafka.current_link());
    let brokers: Vec<String> =
        spec.brokers().map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port)).collect();
    let base =
        [tool, "--bootstrap-server".into(), brokers.join(","), "--command-config".into(), "admin.properties".into()];
    let mut list = base.to_vec();
    list.extend(["--describe".into(), "--entity-type".into(), "users".into()]);
    let mut delete = base.to_vec();
    delete.extend(["--alter".into(), "--delete-config".into(), users.mechanism.clone()]);
    delete.extend(["--entity-type".into(), "users".into(), "--entity-name".into(), "<user>".into()]);
    let when = if spec.is_kraft() { "at the format" } else { "in ZooKeeper before the brokers started" };
    vec![
        format!("# every user of the project ({}) got its credential {when}; list them:", users.users.join(", ")),
        shell::join(&list),
        "# a user the project no longer lists: delete it (and remove its ACLs, kafka-acls.sh --remove)".into(),
        shell::join(&delete),
    ]
}

/// `kafka-acls.sh` commands that give the application users the project's ACLs, as the admin (its
/// `client.properties` from `kafka-wizard client-config`), then list what else they hold to remove by hand: one
/// `--add` per resource with all its operations.
pub fn acl_commands(spec: &ClusterSpec, acls: &ReconcileAcls) -> Vec<String> {
    let tool = format!("{}/bin/kafka-acls.sh", spec.kafka.current_link());
    let brokers: Vec<String> =
        spec.brokers().map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port)).collect();
    let admin = spec.security.as_ref().map_or("admin", |s| s.admin_user.as_str());
    let base =
        [tool, "--bootstrap-server".into(), brokers.join(","), "--command-config".into(), "admin.properties".into()];
    let mut commands = vec![format!(
        "# admin.properties: `kafka-wizard client-config <project> --user {}` (its client.properties)",
        shell::quote(admin)
    )];
    let mut rest = acls.grants.as_slice();
    while let Some(first) = rest.first() {
        let same = rest
            .iter()
            .take_while(|g| {
                (&g.user, g.resource, &g.name, g.pattern) == (&first.user, first.resource, &first.name, first.pattern)
            })
            .count();
        let mut words = base.to_vec();
        words.extend(["--add".into(), "--allow-principal".into(), crate::security::acls::principal(&first.user)]);
        for g in &rest[..same] {
            words.extend(["--operation".into(), g.operation.tool_name()]);
        }
        match first.resource {
            AclResource::Cluster => words.push("--cluster".into()),
            AclResource::Topic => words.extend(["--topic".into(), first.name.clone()]),
            AclResource::Group => words.extend(["--group".into(), first.name.clone()]),
            AclResource::TransactionalId => words.extend(["--transactional-id".into(), first.name.clone()]),
        }
        words.extend(["--resource-pattern-type".into(), first.pattern.name().into()]);
        commands.push(shell::join(&words));
        rest = &rest[same..];
    }
    commands.push("# then remove (--remove) every other ACL these users hold:".into());
    for principal in &acls.principals {
        let mut words = base.to_vec();
        words.extend(["--list".into(), "--principal".into(), principal.clone()]);
        commands.push(shell::join(&words));
    }
    commands
}

/// Shell commands that carry out a host step by hand, after the host's exported folder and the release were copied
/// into [`HOST_FOLDER`] and checked there (the export index's copy phase). A file the service user owns (inside its
/// data directory) is written as that user, so root never writes into a directory the service user controls.
pub fn manual_commands(spec: &ClusterSpec, step: &HostStep) -> Vec<String> {
    let user = &spec.kafka.user;
    match step {
        // nothing the wizard left: a host installed by hand has no wizard run to recover from
        HostStep::RemoveLeftovers { .. } => Vec::new(),
        HostStep::CheckJava { min } => vec![format!("java -version   # needs Java {min} or newer")],
        HostStep::CreateServiceUser { user } => vec![
            format!("getent group {u} >/dev/null || groupadd --system {u}", u = shell::quote(user)),
            format!(
                "id -u {u} >/dev/null 2>&1 || useradd --system --gid {u} --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin {u}",
                u = shell::quote(user)
            ),
        ],
        HostStep::CreateDirectories { dirs } => dirs
            .iter()
            .map(|d| {
                if !d.managed {
                    return shell::join(&["mkdir", "-p", d.path.as_str()]);
                }
                let mut words: Vec<String> = vec!["install".into(), "-d".into(), "-m".into(), format!("{:04o}", d.mode)];
                words.extend(owner_args(d.owner, user));
                words.push(d.path.to_string());
                shell::join(&words)
            })
            .collect(),
        HostStep::InstallRelease { tarball, versioned_dir, link, .. } => {
            let install_dir = &spec.kafka.install_dir;
            vec![
                format!(
                    "tar -xzf {} -C {} --no-same-owner",
                    in_host_folder(tarball),
                    shell::quote(install_dir.as_str())
                ),
                shell::join(&["test", "-d", versioned_dir.as_str()]),
                shell::join(&["ln", "-sfn", versioned_dir.as_str(), link.as_str()]),
            ]
        }
        HostStep::InstallAgent { jar, path, .. } => {
            vec![format!("install -m 0644 -o root -g root {} {}", in_host_folder(jar), shell::quote(path))]
        }
        HostStep::WriteFile { path, owner, mode } => {
            let mut words: Vec<String> = vec!["install".into(), "-m".into(), format!("{mode:04o}")];
            words.extend(owner_args(*owner, user));
            if *owner == Owner::Service {
                // as the service user, reading what root's shell opens: the private folder stays root's alone
                let mut run: Vec<String> = ["runuser", "-u", user, "--"].map(String::from).to_vec();
                run.extend(words);
                run.extend(["/dev/stdin".into(), path.clone()]);
                return vec![format!("{} < {}", shell::join(&run), in_host_folder(path))];
            }
            vec![format!("{} {} {}", shell::join(&words), in_host_folder(path), shell::quote(path))]
        }
        HostStep::FormatStorage { cluster_id, config, initial_controllers } => {
            // By hand the cluster is new (a controller added later is formatted by deploy, which sees it runs).
            let quorum = crate::apply::decide::quorum_flags(initial_controllers.as_deref(), false);
            let bin = format!("{}/bin", spec.kafka.current_link());
            // SCRAM users at format (docs/facts/kafka.md §11): their passwords are in the secrets store, not here,
            // and go through an argument file, never on a command line.
            // (a migration's controllers take them from ZooKeeper with the rest of its metadata)
            if let Some(s) = spec.security.as_ref().filter(|s| s.sasl() && spec.migration().is_none()) {
                let args = argfile::tool_args(cluster_id, config.as_str(), &quorum, s, |u| format!("<password of {u}>"));
                return argfile::manual_format(&bin, user, &args);
            }
            let mut words: Vec<String> =
                ["runuser", "-u", user, "--", &format!("{bin}/kafka-storage.sh")].map(String::from).to_vec();
            if cluster_id.is_empty() && spec.migration().is_some() {
                // A migration's controllers take the running cluster's id, which only the brokers' storage holds.
                let dir = spec.brokers().next().and_then(|b| b.data_dirs.first()).map_or("<data dir>", |d| d.as_str());
                words.extend(["format", "--ignore-formatted", "-t"].map(String::from));
                return vec![
                    format!("# the running cluster's id, from any broker: sed -n 's/^cluster.id=//p' {dir}/meta.properties"),
                    "read -r CLUSTER_ID  # paste the id printed on the broker".into(),
                    format!("{} \"$CLUSTER_ID\" -c {}", shell::join(&words), shell::quote(config.as_str())),
                ];
            }
            words.extend(["format", "--ignore-formatted", "-t", cluster_id, "-c", config.as_str()].map(String::from));
            words.extend(quorum);
            vec![shell::join(&words)]
        }
        HostStep::RegisterUnits { units } => {
            let mut enable = vec!["systemctl".to_string(), "enable".into()];
            enable.extend(units.iter().map(|u| u.unit().to_string()));
            vec!["systemctl daemon-reload".into(), shell::join(&enable)]
        }
        HostStep::CreateScramUsers { users, connect } => super::scram_users::manual_commands(spec, users, connect),
    }
}

/// By hand, a static quorum's conversion (`deploy --convert-quorum`): Kafka's own tool raises `kraft.version`
/// through a broker, logged in as the admin where the cluster is secured.
pub fn convert_quorum_commands(spec: &ClusterSpec) -> Vec<String> {
    let tool = format!("{}/bin/kafka-features.sh", spec.kafka.current_link());
    let brokers: Vec<String> =
        spec.brokers().map(|b| format!("{}:{}", b.reach().for_host_port(), spec.kafka.listener_port)).collect();
    let mut words = vec![tool, "--bootstrap-server".into(), brokers.join(",")];
    let mut commands = Vec::new();
    if let Some(security) = &spec.security {
        commands.push(format!(
            "# admin.properties: `kafka-wizard client-config <project> --user {}` (its client.properties)",
            shell::quote(&security.admin_user)
        ));
        words.extend(["--command-config".into(), "admin.properties".into()]);
    }
    words.extend(["upgrade".into(), "--feature".into(), "kraft.version=1".into()]);
    commands.push(words.iter().map(|w| shell::quote(w)).collect::<Vec<_>>().join(" "));
    commands
}
