//! Deciding: given a plan step and a host's facts, what to do — nothing (with the reason), a list of actions, or a
//! refusal. Pure (facts in, actions out), so every decision is unit-tested as data. `deploy` and `deploy --dry-run`
//! make every decision here, the same way: [`decide`] for host steps (noting in the [`Context`] what a change will
//! touch), [`decide_start`] for a start phase, [`fetch_needed`] for the download.

mod directories;
mod quorum;
pub mod rotate_ca;
pub mod scram_users;

use super::backup;
use super::facts::HostFacts;
use super::pending;
use crate::plan::argfile;
use crate::plan::HostStep;
use crate::project::spec::{ClusterSpec, HostSpec};
use crate::render::{self, Owner, Service};
use crate::security::store::SecretMaterial;
use crate::shell::{self, quote};
use crate::transport::scripts::refuse_real_directory;
use quorum::bootstrap_only_change;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One thing to do on a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run a shell script as root.
    Run { script: String },
    /// Run a shell script as root with `input` on its stdin: a secret the script must not carry, since a script is
    /// on `sh -c`'s command line, which every user of the host can read in `/proc/<pid>/cmdline`.
    RunWithSecretInput { script: String, input: crate::security::Secret },
    /// Upload a local file to `remote` (atomically), with progress.
    Upload { local: PathBuf, remote: String },
    /// Write a file's content, then give it its owner and mode. `keep_old`: the host has an older copy, kept first
    /// in the same command (`apply::backup`).
    Write { path: String, content: String, mode: u32, owner: Owner, keep_old: bool },
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
    /// The release distribution of this run (`apply::relay`) already put a verified copy of the tarball at the
    /// install step's upload name on this host and verified it there, where only root writes: how it got there
    /// (`from h1 (round 1)`), so the step unpacks it without uploading it or verifying it again.
    pub staged: Option<String>,
    /// That copy is the release's tar, uncompressed by the wizard from the verified tarball (`apply::relay`): it is
    /// unpacked without gzip.
    pub staged_uncompressed: bool,
    /// `[monitoring]`: the exporter jar on this machine, verified against its pinned SHA-512.
    pub agent: Option<PathBuf>,
    /// Files written on this host earlier in this run (for daemon-reload and restarts).
    pub written: BTreeSet<String>,
    /// The release was (re)installed or relinked on this host in this run.
    pub release_changed: bool,
    /// A version change on a host whose services run: the new release is unpacked beside the old one, and this
    /// script points `<install_dir>/kafka` at it right before the host's own restart (`apply::roll`), never earlier —
    /// running JVMs keep loading classes from the release they started with (docs/facts/kafka.md §20).
    pub relink_before_restart: Option<String>,
    /// Install Java with the host's package manager when it is missing or too old (the user asked for it).
    pub install_java: bool,
    /// A secured cluster's secret values (from the secrets store) for the files and the storage format; `None`:
    /// placeholders (a dry run before the store exists).
    pub secrets: Option<std::sync::Arc<SecretMaterial>>,
    /// This run works on the host without the run lock (no `flock` there, `apply::runlock`): the leftover sweep
    /// keeps a name another run may still be writing.
    pub without_run_lock: bool,
    /// `deploy --adopt`: a file written for a running service owes it no restart, and a running service is left
    /// running ([`StartDecision::Adopted`]).
    pub adopt: bool,
    /// A dynamic quorum's cluster already runs: another controller's storage is formatted with the cluster id
    /// (`apply::deploy` sets it from every probed host), so a controller formatted now joins it
    /// (`--no-initial-controllers`) instead of being one of its first voters.
    pub quorum_running: bool,
}

/// Lowercase hex SHA-512, as `sha512sum` prints it.
pub fn sha512_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha512::digest(bytes))
}

impl Context {
    /// Notes what a change made by `step` touches, for the later steps and start phases of this run (a repaired
    /// owner or mode is not a new content: nothing to restart for it).
    fn note_change(&mut self, step: &HostStep, actions: &[Action]) {
        match step {
            HostStep::WriteFile { path, .. } if actions.iter().any(|a| matches!(a, Action::Write { .. })) => {
                self.written.insert(path.clone());
            }
            HostStep::InstallRelease { .. } => self.release_changed = true,
            _ => {}
        }
    }
}

/// The step's title as this run carries it out: the install step names where this run gets the release from — the
/// relay's hop that put a verified copy there (`Context::staged`), else the wizard's own upload. The plan's tree is
/// over every host; a run where fewer hosts need the release relays less or uploads directly, and a failed hop falls
/// back to the upload, so the plan's `from` would name a source the run did not use.
pub fn step_title(step: &HostStep, ctx: &Context) -> String {
    match step {
        HostStep::InstallRelease { tarball, link, .. } => {
            let from = ctx.staged.clone().unwrap_or_else(|| crate::plan::distribution::ReleaseFrom::Wizard.title());
            format!("get {tarball} {from}, verify, unpack and link {link}")
        }
        step => step.title(),
    }
}

/// Decides one host step against the host's facts; a change is noted in `ctx` (files written, release changed), so
/// the later steps and the start phases of the same run see it.
pub fn decide(spec: &ClusterSpec, host: &HostSpec, step: &HostStep, facts: &HostFacts, ctx: &mut Context) -> Decision {
    let decision = decide_step(spec, host, step, facts, ctx);
    if let Decision::Change { actions, .. } = &decision {
        // a file whose only change is read at the service's next start owes it no restart
        let read_at_start = matches!(step, HostStep::WriteFile { path, .. }
            if bootstrap_only_change(spec, host, path, facts, ctx).is_some());
        if !read_at_start {
            ctx.note_change(step, actions);
        }
        if let HostStep::InstallRelease { versioned_dir, link, .. } = step {
            if relink_deferred(host, facts) {
                ctx.relink_before_restart = Some(relink_script(versioned_dir.as_str(), link.as_str()));
            }
        }
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
    /// `deploy --adopt`: running as it was started before the wizard took it over; what this run wrote for it
    /// (`changed`, may be empty) takes effect at its next restart.
    Adopted { changed: String },
}

impl StartDecision {
    /// One line for people (the dry run's detail).
    pub fn detail(&self) -> String {
        match self {
            StartDecision::Start => "start".into(),
            StartDecision::Restart { reason } => format!("restart, one host at a time ({reason})"),
            StartDecision::Unchanged => "running, configuration unchanged".into(),
            StartDecision::Adopted { changed } if changed.is_empty() => {
                "adopted: running as it was started, not restarted".into()
            }
            StartDecision::Adopted { changed } => format!(
                "adopted: running as it was started, not restarted; the wizard's files ({changed}) take effect at its \
                 next restart (`kafka-wizard restart` rolls it onto them, health-gated)"
            ),
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
    } else if ctx.adopt && !facts.owes_restart(service) {
        let changed = restart_reason(spec, host, service, ctx).unwrap_or_default();
        StartDecision::Adopted { changed: changed.trim_start_matches("changed: ").to_string() }
    } else if let Some(reason) = restart_reason(spec, host, service, ctx).or_else(|| {
        facts.owes_restart(service).then(|| "a restart an earlier run changed the host for and did not do".to_string())
    }) {
        StartDecision::Restart { reason }
    } else {
        StartDecision::Unchanged
    }
}

/// Whether a new release's link swap waits for the host's restart: some service on it runs (from the linked
/// release). A host with nothing running is relinked at once.
pub fn relink_deferred(host: &HostSpec, facts: &HostFacts) -> bool {
    facts.link_target.is_some() && Service::on(host).iter().any(|s| facts.is_active(*s))
}

/// Points `link` at `versioned_dir`; a real directory at `link` is refused, naming it (`ln` would link inside it).
fn relink_script(versioned_dir: &str, link: &str) -> String {
    format!("{} && {}", refuse_real_directory(link), shell::join(&["ln", "-sfn", versioned_dir, link]))
}

/// Whether the symbolic link `link`, whose `readlink` is `target`, leads to `dir`: an absolute target as it is, a
/// relative one (`ln -s kafka_2.13-3.9.2 kafka`, as the original guide makes it) from the link's own directory.
pub fn link_leads_to(link: &str, target: &str, dir: &str) -> bool {
    let target = target.trim_end_matches('/');
    if target.starts_with('/') {
        return target == dir;
    }
    let parent = link.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    format!("{parent}/{}", target.trim_start_matches("./")) == dir
}

/// Marks `services` as owing a restart, before a change to what they run (see `apply::pending`).
fn owe_restart(services: &[Service]) -> Action {
    Action::Run { script: pending::mark_script(services) }
}

/// Gives a file whose content is current its owner and mode back (never through a symlink).
fn repair_script(path: &str, owner: &str, mode: u32) -> String {
    let p = quote(path);
    format!("test ! -L {p} && chown {} {p} && chmod {mode:04o} {p}", quote(owner))
}

/// The release must be downloaded unless every host already has it.
pub fn fetch_needed<'a>(mut facts: impl Iterator<Item = &'a HostFacts>) -> bool {
    !facts.all(|f| f.release_present)
}

/// Whether the exporter jar must be downloaded: some host lacks it at `path` with the pinned `sha512`.
pub fn agent_needed<'a>(mut facts: impl Iterator<Item = &'a HostFacts>, path: &str, sha512: &str) -> bool {
    !facts.all(|f| f.files.get(path).cloned().flatten().as_deref() == Some(sha512))
}

fn decide_step(spec: &ClusterSpec, host: &HostSpec, step: &HostStep, facts: &HostFacts, ctx: &Context) -> Decision {
    let k = &spec.kafka;
    match step {
        HostStep::RemoveLeftovers { .. } => super::leftovers::decide(&facts.leftovers, ctx.without_run_lock),
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
            directories::decide(dirs, &k.user, |path| facts.dirs.get(path).cloned().flatten())
        }
        HostStep::InstallRelease { tarball, versioned_dir, link, .. } => {
            let linked = facts.link_target.as_deref().is_some_and(|t| link_leads_to(link.as_str(), t, versioned_dir.as_str()));
            if facts.release_present && linked {
                return Decision::Unchanged { reason: format!("{versioned_dir} is installed and {link} points at it") };
            }
            let deferred = relink_deferred(host, facts);
            let relink = if deferred { String::new() } else { relink_script(versioned_dir.as_str(), link.as_str()) };
            if facts.release_present && deferred {
                return Decision::Change {
                    detail: format!("{versioned_dir} is unpacked; {link} is pointed at it right before this host's own restart (one host at a time)"),
                    actions: vec![owe_restart(&Service::on(host))],
                };
            }
            if facts.release_present {
                return Decision::Change {
                    detail: format!("pointed {link} at {versioned_dir}"),
                    actions: vec![owe_restart(&Service::on(host)), Action::Run { script: relink }],
                };
            }
            let Some((local, sha512)) = &ctx.tarball else {
                return Decision::Refuse { message: "internal: the release tarball was not fetched".into() };
            };
            let install_dir = k.install_dir.as_str();
            let remote = crate::plan::leftovers::uploaded_tarball(install_dir, tarball);
            let top = k.release.dist_dir_name(&k.scala);
            let script = format!(
                "set -e\n\
                 r={r}\n\
                 trap 'rm -f \"$r\"; rm -rf \"${{u:-}}\"' EXIT\n\
                 trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM\n\
                 {verify}\
                 u=$(mktemp -d {install}/{unpack}XXXXXX)\n\
                 tar -x{z}f \"$r\" -C \"$u\" --no-same-owner\n\
                 test -f \"$u\"/{top}/bin/kafka-server-start.sh || {{ echo \"the tarball has no {top}/bin/kafka-server-start.sh\" >&2; exit 1; }}\n\
                 rm -rf {versioned}\n\
                 mv \"$u\"/{top} {versioned}\n\
                 {relink}",
                r = quote(&remote),
                verify = match ctx.staged {
                    // relayed, or uploaded ahead by the relay: verified where it lies, where only root writes
                    Some(_) => String::new(),
                    None => format!(
                        "if [ \"$(sha512sum < \"$r\" | cut -c1-128)\" != {sum} ]; then echo \"uploaded tarball does not match SHA-512 {sum}\" >&2; exit 1; fi\n",
                        sum = quote(sha512)
                    ),
                },
                z = if ctx.staged.is_some() && ctx.staged_uncompressed { "" } else { "z" },
                install = quote(install_dir),
                unpack = crate::plan::leftovers::UNPACK_PREFIX,
                top = quote(&top),
                versioned = quote(versioned_dir.as_str()),
            );
            let linked = if deferred {
                format!("; {link} is pointed at it right before this host's own restart (one host at a time)")
            } else {
                format!(" and linked {link}")
            };
            let (got, upload) = match &ctx.staged {
                Some(how) if ctx.staged_uncompressed => (format!("got {tarball}'s tar (uncompressed by the wizard) {how}"), None),
                Some(how) => (format!("got {tarball} {how}"), None),
                None => (format!("uploaded {tarball}"), Some(Action::Upload { local: local.clone(), remote })),
            };
            let mut actions = vec![owe_restart(&Service::on(host))];
            actions.extend(upload);
            actions.push(Action::Run { script });
            Decision::Change { detail: format!("{got}, verified its SHA-512 on the host, unpacked it{linked}"), actions }
        }
        HostStep::InstallAgent { jar, path, sha512 } => {
            if !agent_needed(std::iter::once(facts), path, sha512) {
                return Decision::Unchanged { reason: format!("{path} is there with the pinned SHA-512") };
            }
            let Some(local) = &ctx.agent else {
                return Decision::Refuse { message: format!("internal: {jar} was not fetched") };
            };
            let remote = crate::plan::leftovers::uploaded_tarball(k.install_dir.as_str(), jar);
            let script = format!(
                "set -e\n\
                 r={r}\n\
                 trap 'rm -f \"$r\"' EXIT\n\
                 if [ \"$(sha512sum < \"$r\" | cut -c1-128)\" != {sum} ]; then echo \"uploaded {jar} does not match its pinned SHA-512 {sum}\" >&2; exit 1; fi\n\
                 chown root:root \"$r\"\n\
                 chmod 0644 \"$r\"\n\
                 {refuse}\n\
                 mv -f \"$r\" {path}",
                r = quote(&remote),
                sum = quote(sha512),
                jar = jar,
                refuse = crate::transport::scripts::refuse_directory(path),
                path = quote(path),
            );
            Decision::Change {
                detail: format!("uploaded {jar} to {path} and verified its pinned SHA-512 on the host"),
                actions: vec![Action::Upload { local: local.clone(), remote }, Action::Run { script }],
            }
        }
        HostStep::WriteFile { path, owner, mode } => {
            let files = render::render_host_with(spec, host, ctx.secrets.as_deref());
            let Some(file) = files.into_iter().find(|f| &f.path == path) else {
                return Decision::Refuse { message: format!("internal: no generated file {path}") };
            };
            let wanted = sha512_hex(file.content.as_bytes());
            if facts.files.get(path).cloned().flatten().as_deref() == Some(wanted.as_str()) {
                let want = format!("{} {mode:o}", owner.chown_spec(&k.user));
                return match facts.file_modes.get(path) {
                    Some(is) if *is != want => Decision::Change {
                        detail: format!("content is up to date; repaired owner and mode ({is} → {want})"),
                        actions: vec![match owner {
                            // in the service account's directory: written again by that account (root does not
                            // chown there), which gives it the account's owner and the mode
                            Owner::Service => Action::Write {
                                path: path.clone(),
                                content: file.content,
                                mode: *mode,
                                owner: *owner,
                                keep_old: false,
                            },
                            _ => Action::Run { script: repair_script(path, &owner.chown_spec(&k.user), *mode) },
                        }],
                    },
                    _ => Decision::Unchanged { reason: "content is up to date".into() },
                };
            }
            let keep_old = facts.files.get(path).cloned().flatten().is_some();
            let detail = if keep_old {
                format!("updated; the old copy is kept in {}/", backup::backup_dir_of(path))
            } else {
                "written".to_string()
            };
            let write = Action::Write { path: path.clone(), content: file.content, mode: *mode, owner: *owner, keep_old };
            if let Some((old, new)) = bootstrap_only_change(spec, host, path, facts, ctx) {
                return Decision::Change {
                    detail: format!(
                        "{detail}: only {key} changed ({old} → {new}); read only at startup, it takes effect at the \
                         service's next restart — nothing is restarted for it (docs/facts/kafka.md §36)",
                        key = render::quorum::BOOTSTRAP_SERVERS_KEY
                    ),
                    actions: vec![write],
                };
            }
            if render::zookeeper_security::reloaded_by_member(spec, host, path) {
                return Decision::Change {
                    detail: format!("{detail}: the ensemble member reloads it (sslQuorumReloadCertFiles) — nothing is restarted for it"),
                    actions: vec![write],
                };
            }
            if ctx.adopt && facts.is_active(file.service) {
                // adopted: the running service keeps what it was started with; no restart is owed for it
                return Decision::Change { detail: format!("{detail} (adopted: read at the service's next restart)"), actions: vec![write] };
            }
            Decision::Change { detail, actions: vec![owe_restart(&[file.service]), write] }
        }
        HostStep::FormatStorage { cluster_id, config, initial_controllers } => {
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
            let env = crate::plan::scram_users::tool_env_without_login(spec);
            let mut detail = format!("formatted storage with cluster id {cluster_id}");
            let quorum = quorum_flags(initial_controllers.as_deref(), ctx.quorum_running);
            match (initial_controllers, ctx.quorum_running) {
                (Some(_), true) => detail.push_str(", to join the running dynamic quorum as an observer"),
                (Some(_), false) => detail.push_str(", as one of the dynamic quorum's first voters"),
                _ => {}
            }
            let bin = format!("{}/bin", k.current_link());
            // A migration's controllers take the SCRAM users from ZooKeeper with the rest of its metadata (the copy,
            // docs/facts/kafka.md §34): none at format.
            let Some(s) = spec.security.as_ref().filter(|s| s.sasl() && spec.migration().is_none()) else {
                let mut words: Vec<String> = vec!["runuser".into(), "-u".into(), k.user.clone(), "--".into(), "env".into()];
                words.extend(env);
                words.push(format!("{bin}/kafka-storage.sh"));
                words.extend(["format", "--ignore-formatted", "-t", cluster_id, "-c", config.as_str()].map(String::from));
                words.extend(quorum);
                return Decision::Change { detail, actions: vec![Action::Run { script: shell::join(&words) }] };
            };
            if let Some(v) = facts.java_major.filter(|v| *v < argfile::MIN_JAVA && !ctx.install_java) {
                return Decision::Refuse {
                    message: format!("Java {v} cannot read a Java argument file, through which the SCRAM passwords reach kafka-storage without being on a command line — use Java {} or newer (kafka.java_home)", argfile::MIN_JAVA),
                };
            }
            let secrets = ctx.secrets.as_ref();
            let password = |u: &str| secrets.and_then(|m| m.passwords.get(u)).map_or("<password>".into(), |p| p.expose().to_string());
            let tool_args = argfile::tool_args(cluster_id, config.as_str(), &quorum, s, password);
            detail.push_str(&format!(" and SCRAM users {}", s.scram_users().join(", ")));
            let script = argfile::format_script(&bin, &k.user, &env);
            let input = crate::security::Secret::new(argfile::argfile_lines(&tool_args));
            Decision::Change { detail, actions: vec![Action::RunWithSecretInput { script, input }] }
        }
        HostStep::RegisterUnits { units } => {
            let unit_written = ctx.written.iter().any(|p| p.starts_with("/etc/systemd/system/"))
                || units.iter().any(|u| facts.unit(*u).needs_daemon_reload);
            let not_enabled: Vec<&str> = units.iter().filter(|u| !facts.is_enabled(**u)).map(|u| u.unit()).collect();
            let names = units.iter().map(|u| u.unit()).collect::<Vec<_>>().join(", ");
            if !unit_written && not_enabled.is_empty() {
                return Decision::Unchanged { reason: format!("{names} registered and enabled") };
            }
            // `systemctl enable` reloads the manager itself once its links are made (unless `--no-reload`), which
            // loads a unit written this run too: a daemon-reload before it would be a second full reload (≈ 0.13 s
            // of the host's CPU each, measured on the test hosts' systemd 252).
            let script = if not_enabled.is_empty() {
                "systemctl daemon-reload".to_string()
            } else {
                let mut enable = vec!["systemctl", "enable", "--quiet"];
                enable.extend(not_enabled.iter().copied());
                shell::join(&enable)
            };
            Decision::Change { detail: format!("registered {names}"), actions: vec![Action::Run { script }] }
        }
        HostStep::CreateScramUsers { users, connect } => scram_users::decide(spec, users, connect, facts, ctx),
    }
}

/// `kafka-storage.sh format`'s quorum flags (docs/facts/kafka.md §36): none for a static quorum
/// or a broker (`initial_controllers` None); a dynamic quorum's controller joins a running cluster as an observer
/// (`--no-initial-controllers`; AddRaftVoter makes it a voter after it caught up) or is one of a new cluster's
/// first voters (`--initial-controllers …`).
pub fn quorum_flags(initial_controllers: Option<&str>, quorum_running: bool) -> Vec<String> {
    match (initial_controllers, quorum_running) {
        (None, _) => vec![],
        (Some(_), true) => vec!["--no-initial-controllers".into()],
        (Some(list), false) => vec!["--initial-controllers".into(), list.into()],
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
        .filter(|f| !render::zookeeper_security::reloaded_by_member(spec, host, &f.path))
        .map(|f| f.path)
        .collect();
    if ctx.release_changed {
        changed.push(format!("new release {}", spec.kafka.versioned_dir()));
    }
    (!changed.is_empty()).then(|| format!("changed: {}", changed.join(", ")))
}

#[cfg(test)]
mod tests;
