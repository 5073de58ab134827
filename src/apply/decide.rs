//! Deciding: given a plan step and a host's facts, what to do — nothing (with the reason), a list of actions, or a
//! refusal. Pure (facts in, actions out), so every decision is unit-tested as data. `deploy` and `deploy --dry-run`
//! make every decision here, the same way: [`decide`] for host steps (noting in the [`Context`] what a change will
//! touch), [`decide_start`] for a start phase, [`fetch_needed`] for the download.

use super::facts::HostFacts;
use crate::plan::{Directory, HostStep};
use crate::project::spec::{ClusterSpec, HostSpec};
use crate::render::{self, Owner, Service};
use crate::shell::{self, quote};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One thing to do on a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run a shell script as root.
    Run { script: String },
    /// Upload a local file to `remote` (atomically), with progress.
    Upload { local: PathBuf, remote: String },
    /// Write a file's content, then give it its owner and mode.
    Write { path: String, content: String, mode: u32, owner: Owner },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Unchanged { reason: String },
    Change { detail: String, actions: Vec<Action> },
    Refuse { message: String },
}

/// What the operations need besides the spec and the facts.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The verified release tarball on this machine and its SHA-512 (lowercase hex).
    pub tarball: Option<(PathBuf, String)>,
    /// Files written on this host earlier in this run (for daemon-reload and restarts).
    pub written: BTreeSet<String>,
    /// The release was (re)installed or relinked on this host in this run.
    pub release_changed: bool,
    /// Install Java with the host's package manager when it is missing or too old (the user asked for it).
    pub install_java: bool,
}

/// Lowercase hex SHA-512, as `sha512sum` prints it.
pub fn sha512_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha512::digest(bytes))
}

impl Context {
    /// Notes what a change made by `step` touches, for the later steps and start phases of this run.
    fn note_change(&mut self, step: &HostStep) {
        match step {
            HostStep::WriteFile { path, .. } => {
                self.written.insert(path.clone());
            }
            HostStep::InstallRelease { .. } => self.release_changed = true,
            _ => {}
        }
    }
}

/// Decides one host step against the host's facts; a change is noted in `ctx` (files written, release changed), so
/// the later steps and the start phases of the same run see it.
pub fn decide(spec: &ClusterSpec, host: &HostSpec, step: &HostStep, facts: &HostFacts, ctx: &mut Context) -> Decision {
    let decision = decide_step(spec, host, step, facts, ctx);
    if let Decision::Change { .. } = decision {
        ctx.note_change(step);
    }
    decision
}

/// What a start phase does with a service on one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartDecision {
    /// Stopped: start it (together with the other stopped hosts).
    Start,
    /// Running, but this run changed what it runs: restart it, one host at a time, healthy in between. `reason`
    /// says what changed (see [`restart_reason`]).
    Restart { reason: String },
    /// Running, nothing it runs changed.
    Unchanged,
}

impl StartDecision {
    /// One line for people (the dry run's detail).
    pub fn detail(&self) -> String {
        match self {
            StartDecision::Start => "start".into(),
            StartDecision::Restart { reason } => format!("restart, one host at a time ({reason})"),
            StartDecision::Unchanged => "running, configuration unchanged".into(),
        }
    }
}

/// Decides what the start phase does with `service` on `host`.
pub fn decide_start(
    spec: &ClusterSpec,
    host: &HostSpec,
    service: Service,
    facts: &HostFacts,
    ctx: &Context,
) -> StartDecision {
    if !facts.is_active(service) {
        StartDecision::Start
    } else if let Some(reason) = restart_reason(spec, host, service, ctx) {
        StartDecision::Restart { reason }
    } else {
        StartDecision::Unchanged
    }
}

/// The release must be downloaded unless every host already has it.
pub fn fetch_needed<'a>(mut facts: impl Iterator<Item = &'a HostFacts>) -> bool {
    !facts.all(|f| f.release_present)
}

fn decide_step(spec: &ClusterSpec, host: &HostSpec, step: &HostStep, facts: &HostFacts, ctx: &Context) -> Decision {
    let k = &spec.kafka;
    match step {
        HostStep::CheckJava { min } => match (facts.java_major, &facts.java) {
            (Some(v), Some(line)) if v >= *min => Decision::Unchanged { reason: format!("Java {v} found ({line})") },
            _ if ctx.install_java && k.java_home.is_none() => {
                let major = java_package_major(spec);
                Decision::Change { detail: format!("installed OpenJDK {major} (headless JRE)"), actions: vec![Action::Run { script: install_java_script(major) }] }
            }
            (Some(v), _) => Decision::Refuse {
                message: format!("Java {v} is too old: Kafka {} needs Java {min} or newer — install it (e.g. apt-get install openjdk-17-jre-headless) or set kafka.java_home", k.release.version),
            },
            (None, _) => Decision::Refuse {
                message: format!("Java not found{} — install Java {min} or newer (e.g. apt-get install openjdk-17-jre-headless) or set kafka.java_home", k.java_home.as_ref().map(|j| format!(" at {j}")).unwrap_or_default()),
            },
        },
        HostStep::CreateServiceUser { user } => {
            if facts.user_exists && facts.group_exists {
                return Decision::Unchanged { reason: format!("user {user} exists") };
            }
            let u = quote(user);
            Decision::Change {
                detail: format!("created system user {user}"),
                actions: vec![Action::Run {
                    script: format!(
                        "getent group {u} >/dev/null || groupadd --system {u}\n\
                         id -u {u} >/dev/null 2>&1 || useradd --system --gid {u} --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin {u}"
                    ),
                }],
            }
        }
        HostStep::CreateDirectories { dirs } => {
            let wanted = |d: &Directory| format!("{} {:o}", d.owner.chown_spec(&k.user), d.mode);
            let missing: Vec<&Directory> = dirs
                .iter()
                .filter(|d| match facts.dirs.get(d.path.as_str()).cloned().flatten() {
                    None => true,
                    Some(_) if !d.managed => false,
                    Some(state) => state != wanted(d),
                })
                .collect();
            if missing.is_empty() {
                return Decision::Unchanged { reason: "all directories exist with the right owner and mode".into() };
            }
            let script = missing
                .iter()
                .map(|d| {
                    if d.managed {
                        let (u, g) = d.owner.user_group(&k.user);
                        shell::join(&["install", "-d", "-m", &format!("{:04o}", d.mode), "-o", u, "-g", g, d.path.as_str()])
                    } else {
                        shell::join(&["mkdir", "-p", d.path.as_str()])
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            let names: Vec<&str> = missing.iter().map(|d| d.path.as_str()).collect();
            Decision::Change { detail: format!("prepared {}", names.join(", ")), actions: vec![Action::Run { script }] }
        }
        HostStep::InstallRelease { tarball, versioned_dir, link } => {
            let linked = facts.link_target.as_deref() == Some(versioned_dir.as_str());
            if facts.release_present && linked {
                return Decision::Unchanged { reason: format!("{versioned_dir} is installed and {link} points at it") };
            }
            let relink = shell::join(&["ln", "-sfn", versioned_dir.as_str(), link.as_str()]);
            if facts.release_present {
                return Decision::Change { detail: format!("pointed {link} at {versioned_dir}"), actions: vec![Action::Run { script: relink }] };
            }
            let Some((local, sha512)) = &ctx.tarball else {
                return Decision::Refuse { message: "internal: the release tarball was not fetched".into() };
            };
            let install_dir = k.install_dir.as_str();
            let remote = format!("{install_dir}/.{tarball}.upload");
            let top = k.release.dist_dir_name(&k.scala);
            let script = format!(
                "set -e\n\
                 r={r}\n\
                 trap 'rm -f \"$r\"; rm -rf \"${{u:-}}\"' EXIT\n\
                 if [ \"$(sha512sum < \"$r\" | cut -c1-128)\" != {sum} ]; then echo \"uploaded tarball does not match SHA-512 {sum}\" >&2; exit 1; fi\n\
                 u=$(mktemp -d {install}/.unpack.XXXXXX)\n\
                 tar -xzf \"$r\" -C \"$u\" --no-same-owner\n\
                 test -f \"$u\"/{top}/bin/kafka-server-start.sh || {{ echo \"the tarball has no {top}/bin/kafka-server-start.sh\" >&2; exit 1; }}\n\
                 rm -rf {versioned}\n\
                 mv \"$u\"/{top} {versioned}\n\
                 {relink}",
                r = quote(&remote),
                sum = quote(sha512),
                install = quote(install_dir),
                top = quote(&top),
                versioned = quote(versioned_dir.as_str()),
            );
            Decision::Change {
                detail: format!("uploaded {tarball}, verified its SHA-512 on the host, unpacked it and linked {link}"),
                actions: vec![Action::Upload { local: local.clone(), remote }, Action::Run { script }],
            }
        }
        HostStep::WriteFile { path, owner, mode } => {
            let Some(file) = render::render_host(spec, host).into_iter().find(|f| &f.path == path) else {
                return Decision::Refuse { message: format!("internal: no generated file {path}") };
            };
            let wanted = sha512_hex(file.content.as_bytes());
            if facts.files.get(path).cloned().flatten().as_deref() == Some(wanted.as_str()) {
                return Decision::Unchanged { reason: "content is up to date".into() };
            }
            let detail = if facts.files.get(path).cloned().flatten().is_some() { "updated" } else { "written" };
            Decision::Change {
                detail: detail.into(),
                actions: vec![Action::Write { path: path.clone(), content: file.content, mode: *mode, owner: *owner }],
            }
        }
        HostStep::FormatStorage { cluster_id, config } => {
            let others: Vec<String> = host
                .data_dirs
                .iter()
                .filter_map(|d| facts.meta_cluster_ids.get(d.as_str()).filter(|id| *id != cluster_id).map(|id| format!("{d} (cluster id {id})")))
                .collect();
            if !others.is_empty() {
                return Decision::Refuse {
                    message: format!("{} formatted for another cluster, not {cluster_id} — refusing to touch its data; empty the directory or set kraft.cluster_id to that id", others.join(", ")),
                };
            }
            if host.data_dirs.iter().all(|d| facts.meta_cluster_ids.get(d.as_str()) == Some(cluster_id)) {
                return Decision::Unchanged { reason: format!("already formatted with cluster id {cluster_id}") };
            }
            let mut env = vec!["env".to_string(), format!("LOG_DIR={}", k.log_dir), "KAFKA_HEAP_OPTS=-Xmx256m".to_string()];
            if let Some(j) = &k.java_home {
                env.push(format!("JAVA_HOME={j}"));
            }
            let mut words: Vec<String> = vec!["runuser".into(), "-u".into(), k.user.clone(), "--".into()];
            words.extend(env);
            words.extend([
                format!("{}/bin/kafka-storage.sh", k.current_link()),
                "format".into(),
                "--ignore-formatted".into(),
                "-t".into(),
                cluster_id.clone(),
                "-c".into(),
                config.to_string(),
            ]);
            Decision::Change { detail: format!("formatted storage with cluster id {cluster_id}"), actions: vec![Action::Run { script: shell::join(&words) }] }
        }
        HostStep::RegisterUnits { units } => {
            let unit_written = ctx.written.iter().any(|p| p.starts_with("/etc/systemd/system/"));
            let not_enabled: Vec<&str> = units.iter().filter(|u| !facts.is_enabled(**u)).map(|u| u.unit()).collect();
            let names = units.iter().map(|u| u.unit()).collect::<Vec<_>>().join(", ");
            if !unit_written && not_enabled.is_empty() {
                return Decision::Unchanged { reason: format!("{names} registered and enabled") };
            }
            let mut script = String::new();
            if unit_written || !not_enabled.is_empty() {
                script.push_str("systemctl daemon-reload\n");
            }
            if !not_enabled.is_empty() {
                let mut enable = vec!["systemctl", "enable", "--quiet"];
                enable.extend(not_enabled.iter().copied());
                script.push_str(&shell::join(&enable));
            }
            Decision::Change { detail: format!("registered {names}"), actions: vec![Action::Run { script }] }
        }
    }
}

/// The OpenJDK to install for this release: 17 where the release runs on it (3.1 and later), else 11.
pub fn java_package_major(spec: &ClusterSpec) -> u16 {
    if spec.kafka.release.java.max >= 17 {
        17
    } else {
        11
    }
}

/// Installs a headless OpenJDK with whichever package manager the host has.
pub fn install_java_script(major: u16) -> String {
    format!(
        "set -e\n\
         if command -v apt-get >/dev/null 2>&1; then\n\
         export DEBIAN_FRONTEND=noninteractive\n\
         apt-get install -y -q --no-install-recommends openjdk-{major}-jre-headless || {{ apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-{major}-jre-headless; }}\n\
         elif command -v dnf >/dev/null 2>&1; then dnf install -y java-{major}-openjdk-headless\n\
         elif command -v yum >/dev/null 2>&1; then yum install -y java-{major}-openjdk-headless\n\
         elif command -v zypper >/dev/null 2>&1; then zypper --non-interactive install java-{major}-openjdk-headless\n\
         else echo 'no supported package manager (apt-get, dnf, yum, zypper): install Java {major} by hand' >&2; exit 1\n\
         fi\n\
         java -version"
    )
}

/// Why `service` on this host needs a restart because this run changed what it runs — its files that changed, the
/// release (`changed: /etc/kafka/server.properties, new release /opt/kafka_2.13-3.9.1`) — or `None`.
pub fn restart_reason(spec: &ClusterSpec, host: &HostSpec, service: Service, ctx: &Context) -> Option<String> {
    let mut changed: Vec<String> = render::render_host(spec, host)
        .into_iter()
        .filter(|f| f.service == service && ctx.written.contains(&f.path))
        .map(|f| f.path)
        .collect();
    if ctx.release_changed {
        changed.push(format!("new release {}", spec.kafka.versioned_dir()));
    }
    (!changed.is_empty()).then(|| format!("changed: {}", changed.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::facts::UnitState;
    use crate::plan;
    use crate::project;

    fn spec(text: &str) -> ClusterSpec {
        project::validate(&project::parse(text).unwrap()).spec.unwrap()
    }
    fn seed() -> ClusterSpec {
        spec(include_str!("../../tests/fixtures/seed-cluster.toml"))
    }
    fn kraft() -> ClusterSpec {
        spec(include_str!("../../tests/fixtures/kraft-dedicated.toml"))
    }
    fn steps_of(spec: &ClusterSpec, host: &str) -> Vec<HostStep> {
        plan::plan(spec).host_steps(host).cloned().collect()
    }

    #[test]
    fn a_bare_host_gets_every_step_and_an_up_to_date_one_gets_none() {
        let spec = seed();
        let host = &spec.hosts[3];
        let bare =
            HostFacts { java: Some("openjdk version \"17\"".into()), java_major: Some(17), ..Default::default() };
        let ctx = Context { tarball: Some(("/cache/t.tgz".into(), "ab".repeat(64))), ..Default::default() };
        let mut changed = 0;
        for step in steps_of(&spec, "peter-kafka001") {
            match decide(&spec, host, &step, &bare, &mut ctx.clone()) {
                Decision::Change { .. } => changed += 1,
                Decision::Unchanged { .. } => {}
                Decision::Refuse { message } => panic!("{step:?} refused on a bare host: {message}"),
            }
        }
        assert_eq!(changed, 7, "user, dirs, install, 3 files, register");

        // The same host after a deploy: every step is a no-op.
        let mut done = bare.clone();
        done.user_exists = true;
        done.group_exists = true;
        done.release_present = true;
        done.link_target = Some(spec.kafka.versioned_dir().to_string());
        for f in render::render_host(&spec, host) {
            done.files.insert(f.path.clone(), Some(sha512_hex(f.content.as_bytes())));
        }
        for d in plan::directories(&spec, host) {
            done.dirs.insert(d.path.to_string(), Some(format!("{} {:o}", d.owner.chown_spec("kafka"), d.mode)));
        }
        done.units
            .insert("kafka-server.service".into(), UnitState { enabled: "enabled".into(), active: "active".into() });
        for step in steps_of(&spec, "peter-kafka001") {
            let d = decide(&spec, host, &step, &done, &mut Context::default());
            assert!(!matches!(d, Decision::Change { .. }), "{step:?} would change: {d:?}");
        }
    }

    #[test]
    fn java_that_is_missing_or_too_old_is_refused_with_the_fix() {
        let spec = kraft();
        let step = HostStep::CheckJava { min: 17 };
        let old =
            HostFacts { java: Some("openjdk version \"11.0.2\"".into()), java_major: Some(11), ..Default::default() };
        let Decision::Refuse { message } = decide(&spec, &spec.hosts[0], &step, &old, &mut Context::default()) else {
            panic!()
        };
        assert!(message.contains("Java 11 is too old") && message.contains("Java 17"), "{message}");
        let Decision::Refuse { message } =
            decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut Context::default())
        else {
            panic!()
        };
        assert!(message.contains("Java not found at /usr/lib/jvm/java-17-openjdk-amd64"), "{message}");
    }

    #[test]
    fn missing_java_is_installed_with_the_package_manager_only_when_asked() {
        let spec = spec_of_version("3.9.1");
        let step = HostStep::CheckJava { min: 8 };
        let asked = Context { install_java: true, ..Default::default() };
        let Decision::Change { actions, .. } =
            decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut asked.clone())
        else {
            panic!()
        };
        let Action::Run { script } = &actions[0] else { panic!() };
        assert!(script.contains("apt-get install -y -q --no-install-recommends openjdk-17-jre-headless"), "{script}");
        assert!(script.contains("dnf install -y java-17-openjdk-headless"), "{script}");
        assert!(matches!(
            decide(&spec, &spec.hosts[0], &step, &HostFacts::default(), &mut Context::default()),
            Decision::Refuse { .. }
        ));
        assert_eq!(java_package_major(&spec_of_version("2.3.1")), 11, "Kafka 2.x is documented for Java 8 and 11 only");
    }

    fn spec_of_version(v: &str) -> ClusterSpec {
        let text = include_str!("../../tests/fixtures/seed-cluster.toml")
            .replace("version = \"2.8.0\"", &format!("version = \"{v}\""))
            .replace("scala = \"2.13\"", "scala = \"2.12\"");
        spec(&text)
    }

    #[test]
    fn storage_formatted_for_another_cluster_is_refused_and_our_own_is_left_alone() {
        let spec = kraft();
        let host = &spec.hosts[3];
        let step = HostStep::FormatStorage {
            cluster_id: "q2nNPvlTSGmhSmxqXwJ5Ag".into(),
            config: spec.kafka.config_dir.join("server.properties"),
        };
        let mut facts = HostFacts::default();
        facts.meta_cluster_ids.insert("/srv/kafka/disk1".into(), "MkU3OEVBNTcwNTJENDM2Qk".into());
        let Decision::Refuse { message } = decide(&spec, host, &step, &facts, &mut Context::default()) else {
            panic!()
        };
        assert!(message.contains("/srv/kafka/disk1 (cluster id MkU3OEVBNTcwNTJENDM2Qk)"), "{message}");
        for d in ["/srv/kafka/disk1", "/srv/kafka/disk2"] {
            facts.meta_cluster_ids.insert(d.into(), "q2nNPvlTSGmhSmxqXwJ5Ag".into());
        }
        assert!(matches!(decide(&spec, host, &step, &facts, &mut Context::default()), Decision::Unchanged { .. }));
        facts.meta_cluster_ids.remove("/srv/kafka/disk2");
        let Decision::Change { actions, .. } = decide(&spec, host, &step, &facts, &mut Context::default()) else {
            panic!()
        };
        let Action::Run { script } = &actions[0] else { panic!() };
        assert!(script.starts_with("runuser -u kafka -- env LOG_DIR=/var/log/kafka"), "{script}");
        assert!(
            script.contains("format --ignore-formatted -t q2nNPvlTSGmhSmxqXwJ5Ag -c /etc/kafka/server.properties"),
            "{script}"
        );
    }

    #[test]
    fn an_installed_release_behind_another_symlink_is_only_relinked() {
        let spec = seed();
        let step = HostStep::InstallRelease {
            tarball: "kafka_2.13-2.8.0.tgz".into(),
            versioned_dir: spec.kafka.versioned_dir(),
            link: spec.kafka.current_link(),
        };
        let facts = HostFacts {
            release_present: true,
            link_target: Some("/usr/local/kafka_2.13-2.7.0".into()),
            ..Default::default()
        };
        let Decision::Change { actions, .. } = decide(&spec, &spec.hosts[3], &step, &facts, &mut Context::default())
        else {
            panic!()
        };
        assert_eq!(
            actions,
            vec![Action::Run { script: "ln -sfn /usr/local/kafka_2.13-2.8.0 /usr/local/kafka".into() }]
        );
    }

    #[test]
    fn a_changed_server_properties_restarts_kafka_but_not_zookeeper() {
        let spec = spec(include_str!("../../tests/fixtures/mixed-zookeeper.toml"));
        let host = &spec.hosts[0];
        let ctx = Context { written: ["/etc/kafka-mixed/server.properties".to_string()].into(), ..Default::default() };
        assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_some());
        assert!(restart_reason(&spec, host, Service::Zookeeper, &ctx).is_none());
        let ctx = Context { written: ["/var/lib/zookeeper/myid".to_string()].into(), ..Default::default() };
        assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_none());
        let ctx = Context { written: ["/var/lib/zk-mixed/myid".to_string()].into(), ..Default::default() };
        assert!(restart_reason(&spec, host, Service::Zookeeper, &ctx).is_some());
        assert!(restart_reason(&spec, host, Service::Kafka, &ctx).is_none());
    }

    #[test]
    fn a_restart_names_the_changed_files_and_the_release() {
        let (spec, mut running) = (seed(), HostFacts::default());
        let active = UnitState { enabled: "enabled".into(), active: "active".into() };
        running.units.insert("kafka-server.service".into(), active);
        let ctx = Context {
            written: ["/etc/kafka/server.properties".into()].into(),
            release_changed: true,
            ..Default::default()
        };
        let decision = decide_start(&spec, &spec.hosts[3], Service::Kafka, &running, &ctx);
        let expected = "changed: /etc/kafka/server.properties, new release /usr/local/kafka_2.13-2.8.0";
        assert_eq!(decision, StartDecision::Restart { reason: expected.into() });
        assert_eq!(decision.detail(), format!("restart, one host at a time ({expected})"));
    }
}
