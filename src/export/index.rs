//! The export's `INDEX.md` — what goes where, and the plan as commands for applying it by hand — and each host
//! folder's `SHA256SUMS`.
//!
//! The by-hand procedure is safe and exact: each host's folder and the release are copied into a new private folder
//! on that host (`mktemp -d`, root's alone: never a predictable `/tmp` name), every file is checked there with
//! `sha256sum -c` and the release against its SHA-512 before anything is installed, each file is installed with
//! the owner and mode deploy gives it — a file the service user owns as that user ([`plan::manual_commands`]) — and
//! every path is quoted. Secret files exported as placeholders are not in `SHA256SUMS`: the check lists them and
//! fails until each is replaced with the real file.

use crate::plan::{self, Plan, Work};
use crate::project::spec::{ClusterSpec, Coordination};
use crate::render::HostFiles;
use crate::security::store::HOW_TO_GET;
use crate::shell;
use sha2::{Digest, Sha256};

/// Each host folder's checksum file (`<host>/SHA256SUMS`), in `sha256sum -c`'s format with paths relative to the
/// folder. The secret files the export holds for real are listed too: a SHA-256 of a random key or password
/// reveals nothing.
pub const SHA256SUMS: &str = "SHA256SUMS";

/// `SHA256SUMS` of one host's `files` (`(path on the host, bytes)`), in their order.
pub fn sha256sums<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (path, content) in files {
        let name = path.trim_start_matches('/');
        let hash = hex::encode(Sha256::digest(content.as_bytes()));
        // sha256sum's escaping: a name holding `\` or a newline is written escaped, the line starting with `\`
        if name.contains(['\\', '\n']) {
            out.push_str(&format!("\\{hash}  {}\n", name.replace('\\', "\\\\").replace('\n', "\\n")));
        } else {
            out.push_str(&format!("{hash}  {name}\n"));
        }
    }
    out
}

/// `INDEX.md`. `placeholders`: the secret files are placeholders (an export without `--include-secrets`).
pub fn index(spec: &ClusterSpec, hosts: &[HostFiles], plan: &Plan, placeholders: bool) -> String {
    let release = spec.kafka.release;
    let mode = match &spec.coordination {
        Coordination::Zookeeper(z) => format!("ZooKeeper mode, chroot `{}`", z.chroot),
        Coordination::Kraft(k) => format!(
            "KRaft mode, cluster id `{}`",
            k.cluster_id.as_ref().map(|c| c.as_str()).unwrap_or("(not generated)")
        ),
    };
    let mut s = format!(
        "# Kafka cluster `{}` — generated files\n\n\
         Apache Kafka {} (Scala {}), {mode}. Written by `kafka-wizard export` from the project file; \
         `kafka-wizard deploy` applies the same files for you.\n\n\
         Each folder is one host; inside it, every file sits at its absolute path on that host, and `{SHA256SUMS}` \
         holds the SHA-256 of each.\n\n## Files\n\n\
         | host | path on the host | owner | mode | what it is |\n|---|---|---|---|---|\n",
        spec.name, release.version, spec.kafka.scala
    );
    for host in hosts {
        for f in &host.files {
            let what = if placeholders && f.secret {
                format!(
                    "{} — **a placeholder here: not installable until you put the real file in its place**",
                    f.purpose
                )
            } else {
                f.purpose.clone()
            };
            s.push_str(&format!(
                "| {} | `{}` | {} | {:04o} | {what} |\n",
                host.host,
                f.path,
                f.owner.chown_spec(&spec.kafka.user),
                f.mode,
            ));
        }
    }
    let targets = crate::render::monitoring::scrape_targets(spec);
    if !targets.is_empty() {
        s.push_str(&format!(
            "\n## Metrics\n\nEach service runs the Prometheus JMX exporter; `{}` beside this file is a ready scrape \
             configuration of these targets:\n\n| host | service | scrape |\n|---|---|---|\n",
            crate::export::PROMETHEUS_YML
        ));
        for t in &targets {
            s.push_str(&format!("| {} | {} | `{}` |\n", t.host, t.service, t.url()));
        }
    }
    s.push_str(&format!(
        "\n## Applying by hand\n\n\
         As root on each host. Run the phases in order; within a phase, hosts are independent. Start ZooKeeper (or \
         the KRaft controllers) before the brokers, and stop the brokers first.\n\n\
         Phase 2 copies each host's folder and the release into a new private folder on that host (made by \
         `mktemp -d`) and checks every file there before anything is installed. The commands on a host read from \
         that folder as `{}`: in each shell on the host, first set `D` to the folder the copy printed for it \
         (`D=/tmp/tmp.…`) — without it a command stops instead of reading elsewhere.\n",
        plan::HOST_FOLDER
    ));
    let mut n = 0;
    let mut heading = |s: &mut String, title: &str| {
        n += 1;
        s.push_str(&format!("\n### {n}. {title}\n"));
    };
    for phase in &plan.phases {
        // by hand, the release was copied to every host with its files: no relay between hosts
        let title = match phase.kind {
            plan::PhaseKind::Install => "Unpack the release",
            _ => &phase.title,
        };
        heading(&mut s, title);
        match &phase.work {
            Work::Fetch(fetch) => {
                block(
                    &mut s,
                    "On the machine with internet access",
                    vec![(fetch.title(), plan::fetch_commands(fetch))],
                );
                heading(&mut s, "Copy each host's files and the release to it, and check them");
                copy_and_check(&mut s, hosts, fetch, placeholders);
            }
            Work::OnHosts { hosts: on } => {
                for host in on {
                    let placeholder = |path: &str| {
                        placeholders
                            && hosts
                                .iter()
                                .any(|h| h.host == host.host && h.files.iter().any(|f| f.path == path && f.secret))
                    };
                    let steps = host
                        .steps
                        .iter()
                        .map(|step| {
                            let title = match step {
                                plan::HostStep::WriteFile { path, .. } if placeholder(path) => {
                                    format!(
                                        "{} — a placeholder in this export: only once phase 2's check passes",
                                        step.title()
                                    )
                                }
                                plan::HostStep::InstallRelease { tarball, link, .. } => {
                                    format!("unpack {tarball} (copied with this host's files) and link {link}")
                                }
                                _ => step.title(),
                            };
                            (title, plan::manual_commands(spec, step))
                        })
                        // a step with nothing to do by hand (an interrupted run's leftovers) is not listed
                        .filter(|(_, commands)| !commands.is_empty())
                        .collect();
                    block(&mut s, &format!("On {}", host.host), steps);
                }
            }
            Work::ScramUsers(users) => block(
                &mut s,
                "On any host that reaches the brokers, as the admin",
                vec![(users.title(), plan::scram_user_commands(spec, users))],
            ),
            Work::Acls(acls) => block(
                &mut s,
                "On any host that reaches the brokers, as the admin",
                vec![(acls.title(), plan::acl_commands(spec, acls))],
            ),
            Work::ConvertQuorum(convert) => block(
                &mut s,
                "With kafka-wizard (`deploy --convert-quorum`), or by hand before any node gets its new configuration",
                vec![(convert.title(), plan::convert_quorum_commands(spec))],
            ),
            Work::RotateCa(pass) => block(
                &mut s,
                "With kafka-wizard (`deploy --rotate-ca`): the files come from its secrets store",
                vec![(pass.title(), vec![])],
            ),
            Work::Start(start) => {
                for host in &start.hosts {
                    block(&mut s, &format!("On {host}"), vec![(start.title(), plan::start_commands(start))]);
                }
                let checks: Vec<(String, Vec<String>)> = start
                    .health
                    .iter()
                    .map(|h| (h.title(), plan::health_commands(spec, h)))
                    .filter(|(_, commands)| !commands.is_empty())
                    .collect();
                if !checks.is_empty() {
                    block(&mut s, "Then check from any host", checks);
                }
            }
        }
    }
    s
}

/// The copy phase: from the operator's machine, one command per host that makes the private folder, copies the
/// host's folder and the release into it and prints it; then on each host the checks, before any install.
fn copy_and_check(s: &mut String, hosts: &[HostFiles], fetch: &plan::FetchRelease, placeholders: bool) {
    let tarball = fetch.tarball.as_str();
    let sums = format!("{tarball}.sha512");
    let mut release = vec![tarball, sums.as_str()];
    release.extend(fetch.agent.as_ref().map(|a| a.jar.as_str()));
    let copies = hosts
        .iter()
        .map(|h| {
            let login = shell::quote(&format!("root@{}", h.host)).into_owned();
            let folder = shell::quote(&h.host).into_owned();
            let command = format!(
                "D=$(ssh {login} mktemp -d) && tar -cf - -C {folder} . -C .. {} | ssh {login} tar -xf - --no-same-owner --no-overwrite-dir -C \"$D\" && echo {}\"$D\"",
                shell::join(&release),
                shell::quote(&format!("{}: D=", h.host)),
            );
            (format!("{}: its folder and the release into a new private folder there, printed as D=…", h.host), vec![command])
        })
        .collect();
    block(
        s,
        "From this export's folder (the release and its `.sha512` from phase 1 beside the host folders), on your machine",
        copies,
    );
    for h in hosts {
        let mut checks = vec![
            format!("(cd {} && sha256sum --strict -c {SHA256SUMS})", plan::HOST_FOLDER),
            plan::sha512_check(&plan::in_host_folder(tarball), &plan::in_host_folder(&sums)),
        ];
        if let Some(a) = &fetch.agent {
            checks.push(format!(
                "test {} = \"$(sha512sum {} | cut -d' ' -f1)\" && echo checksum OK",
                shell::quote(&a.sha512),
                plan::in_host_folder(&a.jar)
            ));
        }
        let mut steps = vec![(
            format!(
                "check every file against {SHA256SUMS} and the release against its SHA-512 before installing anything"
            ),
            checks,
        )];
        let secret: Vec<String> =
            h.files.iter().filter(|f| placeholders && f.secret).map(|f| plan::in_host_folder(&f.path)).collect();
        if !secret.is_empty() {
            steps.push((
                "the secret files are placeholders in this export (no --include-secrets) and not installable: put the real file in each one's place; this lists those still placeholders and fails until none is".into(),
                vec![format!("! grep -l -F -e {} {}", shell::quote(HOW_TO_GET), secret.join(" "))],
            ));
        }
        block(s, &format!("On {}", h.host), steps);
    }
}

/// One fenced block of commands, each group after a `# title` line.
fn block(s: &mut String, label: &str, steps: Vec<(String, Vec<String>)>) {
    s.push_str(&format!("\n{label}:\n\n```sh\n"));
    for (title, commands) in steps {
        s.push_str(&format!("# {title}\n"));
        for command in commands {
            s.push_str(&command);
            s.push('\n');
        }
    }
    s.push_str("```\n");
}
