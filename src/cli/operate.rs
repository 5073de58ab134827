//! `kafka-wizard deploy|start|stop|restart|status FILE`: the verbs that touch hosts.

use super::interrupt::cancel_on_ctrl_c;
use super::progress::{sink, Renderer};
use super::runlog;
use super::{load_spec, ProjectArg};
use kafka_wizard::apply::migrate::MigrateIntent;
use kafka_wizard::apply::operate::{self, Operation};
use kafka_wizard::apply::{self, ApplyError, Cancel, DeployOptions, DeploySummary};
use kafka_wizard::plan::{Intent, Limit};
use kafka_wizard::project::spec::ClusterSpec;
use kafka_wizard::transport::{ConnectOptions, Secret};
use std::path::PathBuf;
use std::process::ExitCode;

/// How to log in over SSH: the flags every verb that connects to hosts takes.
#[derive(clap::Args)]
pub struct SshArgs {
    /// Trust SSH host keys not yet in known_hosts and remember them (check the fingerprints first!).
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// Ask for an SSH login password (used for every host, never stored).
    #[arg(long)]
    pub ask_password: bool,
    /// Ask for the passphrase of an encrypted key file (identity_file or a default key; never stored).
    #[arg(long)]
    pub ask_passphrase: bool,
    /// Ask for the sudo password of the SSH user, for hosts whose sudo wants one (without it, `sudo = true` means
    /// passwordless sudo, `sudo -n`). Read from the terminal without echo or, when stdin is not a terminal, as the
    /// first line of stdin. Fed to `sudo -S` on each command's stdin: never on a command line, never stored.
    #[arg(long)]
    pub ask_become_password: bool,
}

impl SshArgs {
    /// The connect options these flags ask for (a password and passphrase read from the terminal when asked).
    pub fn connect_options(&self) -> Result<ConnectOptions, ExitCode> {
        let mut connect =
            ConnectOptions { accept_new_host_keys: self.accept_new_host_keys, ..ConnectOptions::default() };
        let ask = |prompt: &str, what: &str| {
            rpassword::prompt_password(prompt).map(Secret::new).map_err(|e| {
                eprintln!("error: cannot read the {what}: {e}");
                ExitCode::FAILURE
            })
        };
        if self.ask_password {
            connect.password = Some(ask("SSH password: ", "password")?);
        }
        if self.ask_passphrase {
            connect.key_passphrase = Some(ask("Passphrase of the SSH key: ", "passphrase")?);
        }
        if self.ask_become_password {
            connect.become_password = Some(become_password()?);
        }
        Ok(connect)
    }
}

/// The sudo password: from the terminal without echo, else the first line of stdin (its line ending dropped).
fn become_password() -> Result<Secret, ExitCode> {
    use std::io::IsTerminal;
    let fail = |e: String| {
        eprintln!("error: cannot read the sudo password (--ask-become-password): {e}");
        ExitCode::FAILURE
    };
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("sudo password: ").map_err(|e| fail(e.to_string()))?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| fail(e.to_string()))?;
        let end = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(end);
        line
    };
    let password = Secret::new(password);
    kafka_wizard::transport::sudo::check_password(password.expose()).map_err(fail)?;
    Ok(password)
}

#[derive(clap::Args)]
pub struct HostArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    #[command(flatten)]
    pub ssh: SshArgs,
    /// Hosts worked on at once.
    #[arg(long, default_value_t = apply::DEFAULT_PARALLELISM, value_name = "N")]
    pub parallel: usize,
    /// Seconds to wait for a quorum or for brokers to join.
    #[arg(long, default_value_t = 180, value_name = "SECONDS")]
    pub health_timeout: u64,
    /// Print unchanged steps too.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print events (or the status) as JSON lines on stdout instead of progress bars.
    #[arg(long)]
    pub json: bool,
    /// Touch only these hosts over SSH (names from the project, comma-separated); the health gates still judge the
    /// whole cluster. Refused (exit 2, nothing touched) when it would break the ZooKeeper ensemble's or the KRaft
    /// quorum's order — see the README.
    #[arg(long, value_name = "HOST[,HOST]")]
    pub limit: Option<String>,
}

#[derive(clap::Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub hosts: HostArgs,
    /// Connect and read each host's facts, then show what would change — change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Connect, read each host's facts and run only the preflight checks (ports, free space, Java, kernel
    /// settings, the services' open-file limit): a table of host, check, result and fix; exit 1 when the deploy
    /// would be refused. Changes nothing (but with --fix).
    #[arg(long)]
    pub preflight_only: bool,
    /// With --preflight-only: make the fixes the wizard can make itself for the warnings found (kernel settings
    /// kept in /etc/sysctl.d/60-kafka.conf; transparent huge pages `always` set to `madvise`, kept in
    /// /etc/tmpfiles.d/60-kafka-thp.conf; each applied now where the kernel lets it), hosts in parallel, and print
    /// per host what was changed; with --dry-run, what would be.
    #[arg(long, requires = "preflight_only")]
    pub fix: bool,
    /// Before the deploy's own steps, once the preflight passed: make the same fixes as `--preflight-only --fix`.
    #[arg(long, conflicts_with_all = ["preflight_only", "dry_run"])]
    pub fix_kernel: bool,
    /// Take over a running cluster the wizard did not build (after `import --hosts`): write the wizard's files,
    /// units and directories, restart nothing — each service keeps running what it was started with until its next
    /// restart (`kafka-wizard restart` rolls it onto the wizard's files). With --dry-run: what it would write.
    #[arg(long, conflicts_with = "preflight_only")]
    pub adopt: bool,
    /// Where downloaded releases are kept (default: $XDG_CACHE_HOME/kafka-wizard or ~/.cache/kafka-wizard; 0700).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Install OpenJDK with each host's package manager where Java is missing or too old.
    #[arg(long)]
    pub install_java: bool,
    /// Restart changed running services although the cluster is not healthy before the first one (a warning).
    #[arg(long)]
    pub force: bool,
    /// The cluster's secrets store is lost: rebuild it from the hosts (host keys and certificates, the CA
    /// certificate, the brokers' password) and give the admin and every application user new passwords, set on the
    /// running cluster (the CA key cannot be recovered: a later new certificate is refused).
    #[arg(long)]
    pub recover_secrets: bool,
    /// Move the cluster to a new CA of its own (also the fix when the CA key was lost with the store): every Kafka
    /// node trusts both CAs, then gets a certificate of the new one, then drops the old — three rolling restarts,
    /// health-gated, resumable (a deploy while one is under way continues it).
    #[arg(long)]
    pub rotate_ca: bool,
    /// Convert the running cluster's static KRaft controller quorum (controller.quorum.voters) to the dynamic one
    /// the project asks for (kraft.quorum = "dynamic"; Kafka 4.1+): kraft.version raised to 1 first — irreversible
    /// — then every node rolled onto controller.quorum.bootstrap.servers, health-gated. Controllers can then be
    /// added and removed.
    #[arg(long)]
    pub convert_quorum: bool,
    /// Install the project's offline tarball (kafka.tarball) although it has no OpenPGP signature (`.asc`) beside
    /// it: only its SHA-512 is checked, and a warning says so. Never needed for a download (its signature is
    /// always fetched and checked); there is no project-file setting for this.
    #[arg(long)]
    pub allow_unsigned_offline_tarball: bool,
}

#[derive(clap::Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub hosts: HostArgs,
    /// Roll although the cluster is not healthy before the first node (partitions behind, a broker down …).
    #[arg(long)]
    pub force: bool,
}

/// Exit status of a refused `--limit` (a usage error: nothing was touched).
const LIMIT_REFUSED: u8 = 2;

pub(super) fn options(spec: &ClusterSpec, a: &HostArgs, cache: Option<PathBuf>) -> Result<DeployOptions, ExitCode> {
    let limit = match &a.limit {
        None => Limit::all(),
        Some(text) => Limit::parse(spec, text).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(LIMIT_REFUSED)
        })?,
    };
    let mut opts = DeployOptions {
        parallelism: a.parallel.max(1),
        health_timeout: std::time::Duration::from_secs(a.health_timeout),
        limit,
        ..DeployOptions::default()
    };
    opts.connect = a.ssh.connect_options()?;
    if let Some(c) = cache {
        opts.cache_dir = c;
    }
    Ok(opts)
}

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

/// When the only problem is host keys not yet known and a person is at the terminal: show each fingerprint and ask.
/// Returns true when the user accepted every one (they are then added to `opts`, to be remembered on connect).
fn ask_about_unknown_keys(error: &ApplyError, opts: &mut DeployOptions, json: bool) -> bool {
    use kafka_wizard::transport::TransportError;
    use std::io::{BufRead, IsTerminal, Write};
    let ApplyError::Connect(errors) = error else { return false };
    if json || !std::io::stdin().is_terminal() {
        return false;
    }
    let mut unknown = Vec::new();
    for e in errors {
        match e {
            // a jump host in front of several hosts is asked about once
            TransportError::UnknownHostKey { host, .. } if unknown.iter().any(|(h, _, _)| h == host) => {}
            TransportError::UnknownHostKey { host, key_type, fingerprint, .. } => {
                unknown.push((host.clone(), key_type.clone(), fingerprint.clone()))
            }
            _ => return false,
        }
    }
    eprintln!("
These hosts' SSH keys are not in known_hosts yet. Compare each fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before accepting.");
    for (host, key_type, fingerprint) in unknown {
        eprint!("  {host}: {key_type} {fingerprint} — accept and remember? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() || !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("not accepted: nothing was changed");
            return false;
        }
        opts.connect.accepted_keys.push((host, fingerprint));
    }
    true
}

/// The `--limit` rules for `intent`: a refused limit must not have connected to any host, even to ask about keys,
/// nor leave a run log (call before both).
fn check_limit(
    rt: &tokio::runtime::Runtime,
    spec: &ClusterSpec,
    opts: &DeployOptions,
    intent: Intent,
) -> Option<ExitCode> {
    rt.block_on(apply::running::check_limit(spec, &opts.limit, intent)).err().map(|e| report(Err(e), "--limit"))
}

/// With a person at the terminal, connect once up front so unknown host keys can be asked about before anything
/// starts; unattended (pipes, CI, --json) the command itself reports them.
fn interactive_key_check(
    rt: &tokio::runtime::Runtime,
    spec: &ClusterSpec,
    opts: &DeployOptions,
    json: bool,
) -> Result<(), ApplyError> {
    use std::io::IsTerminal;
    if json || !std::io::stdin().is_terminal() || opts.connect.accept_new_host_keys {
        return Ok(());
    }
    rt.block_on(apply::connect::connect_all(spec, &opts.limit, &opts.connect)).map(|_| ()).map_err(ApplyError::Connect)
}

pub(super) fn report(result: Result<(), ApplyError>, what: &str) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ ApplyError::Limit(_)) => {
            eprintln!("\nerror: {e}");
            ExitCode::from(LIMIT_REFUSED)
        }
        Err(e) => {
            eprintln!("\n{}", failure_message(&e, what));
            ExitCode::FAILURE
        }
    }
}

/// [`report`], then the run log closed with the same result (its path is the last line printed).
fn report_logged(result: Result<(), ApplyError>, what: &str, log: &runlog::Kept) -> ExitCode {
    let ending = runlog::ending(&result, cancelled);
    let code = report(result, what);
    runlog::close(log, ending);
    code
}

/// The error line of a failed command; a roll refused before its first node says how to force it here.
fn failure_message(e: &ApplyError, what: &str) -> String {
    match e {
        ApplyError::NotReadyToRoll(_) => format!("error: {what} failed: {e}, or pass --force to restart anyway"),
        _ => format!("error: {what} failed: {e}"),
    }
}

/// What `deploy --dry-run` prints: a line per row (the diff of a changed file indented under it) and the count of
/// changes; with `--json`, each row as one JSON object per line, then `{"changes": N}`.
fn dry_run_output(rows: &[apply::PreviewRow], json: bool) -> String {
    let changes = rows.iter().filter(|r| r.change).count();
    let mut out = String::new();
    for row in rows {
        if json {
            out.push_str(&serde_json::to_string(row).expect("a preview row serialises"));
            out.push('\n');
            continue;
        }
        let mark = if row.change { "~" } else { "=" };
        out.push_str(&format!("{:<16} {:<10} {mark} {}: {}\n", row.target, row.phase, row.step, row.detail));
        for line in row.diff.iter().flat_map(|d| d.lines()) {
            out.push_str(&format!("    {line}\n"));
        }
    }
    if json {
        out.push_str(&format!("{}\n", serde_json::json!({ "changes": changes })));
    } else {
        out.push_str(&format!("\n{changes} step(s) would change something; nothing was changed (--dry-run)\n"));
    }
    out
}

pub enum Verb {
    Start,
    Stop,
    /// With `--force`.
    Restart {
        force: bool,
    },
}

pub fn deploy(args: DeployArgs) -> ExitCode {
    deploy_or_finalize(args, false, "deploy")
}

/// `deploy`, or (`finalize`) `upgrade --finalize`: the same run, finalizing a version upgrade at its end; `verb`
/// names its run log.
pub fn deploy_or_finalize(args: DeployArgs, finalize: bool, verb: &str) -> ExitCode {
    deploy_as(args, finalize, MigrateIntent::Keep, verb)
}

/// `deploy`, `upgrade [--finalize]` or `migrate [--finalize]`: the same run, finalizing a version upgrade at its
/// end (`finalize`) and moving a migration to KRaft as `migrate` says; `verb` names its run log. A finalized
/// migration rewrites the project file to KRaft mode.
pub fn deploy_as(args: DeployArgs, finalize: bool, migrate: MigrateIntent, verb: &str) -> ExitCode {
    let (_, spec) = match load_spec(&args.hosts.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut opts = match options(&spec, &args.hosts, args.cache.clone()) {
        Ok(o) => o,
        Err(code) => return code,
    };
    opts.install_java = args.install_java;
    opts.force = args.force;
    opts.recover_secrets = args.recover_secrets;
    opts.rotate_ca = args.rotate_ca;
    opts.convert_quorum = args.convert_quorum;
    opts.finalize_upgrade = finalize;
    opts.migrate = migrate;
    opts.allow_unsigned_offline_tarball = args.allow_unsigned_offline_tarball;
    opts.fix_kernel = args.fix_kernel;
    opts.adopt = args.adopt;
    if args.preflight_only && args.dry_run && !args.fix {
        eprintln!(
            "error: --preflight-only changes nothing already; --dry-run goes with it only together with --fix (to \
             show what the fixes would change)"
        );
        return ExitCode::from(2);
    }
    if args.allow_unsigned_offline_tarball {
        match &spec.kafka.tarball {
            Some(t) => eprintln!(
                "warning: --allow-unsigned-offline-tarball: if {t}.asc is missing, {t} is installed WITHOUT an OpenPGP \
                 signature check (only its SHA-512)"
            ),
            None => eprintln!(
                "warning: --allow-unsigned-offline-tarball has no effect: the project names no kafka.tarball, and a \
                 downloaded release is always signature-checked"
            ),
        }
    }
    let rt = runtime();
    if let Some(code) = check_limit(&rt, &spec, &opts, Intent::Deploy) {
        return code;
    }
    // `--preflight-only --fix` changes hosts: its fixes are logged as a run of their own
    let fixing = args.preflight_only && args.fix && !args.dry_run;
    let log = match (args.dry_run || args.preflight_only, fixing) {
        (_, true) => runlog::open(&spec.name, "preflight-fix"),
        (true, false) => None,
        (false, false) => runlog::open(&spec.name, verb),
    };
    // Check host keys first (and ask about unknown ones), so a deploy never stops half-way over a prompt.
    if let Err(e) = interactive_key_check(&rt, &spec, &opts, args.hosts.json) {
        if !ask_about_unknown_keys(&e, &mut opts, args.hosts.json) {
            return report_logged(Err(e), if args.dry_run { "dry run" } else { "deploy" }, &log);
        }
    }
    let renderer = Renderer::new(args.hosts.verbose || args.dry_run);
    let events = runlog::tee(sink(&renderer, args.hosts.json), &log);
    if args.preflight_only {
        return super::preflight::run(&rt, &spec, &opts, &args, events, &renderer, &log);
    }
    if args.dry_run {
        let result = rt.block_on(apply::preview(&spec, &opts, events));
        renderer.finish();
        return match result {
            Ok(rows) => {
                super::write_stdout(&dry_run_output(&rows, args.hosts.json));
                ExitCode::SUCCESS
            }
            Err(e) => report(Err(e), "dry run"),
        };
    }
    let cancel = Cancel::default();
    let result = rt.block_on(async {
        cancel_on_ctrl_c(cancel.clone(), log.clone());
        apply::deploy(&spec, &opts, events, cancel).await
    });
    renderer.finish();
    let ending = runlog::ending(&result, cancelled);
    let code = match result {
        Ok(summary) => {
            let uploaded: Vec<String> = summary
                .uploaded
                .iter()
                .filter(|(_, b)| **b > 0)
                .map(|(h, b)| format!("{h} {} MiB", b / (1024 * 1024)))
                .collect();
            eprintln!(
                "\ndeployed {}: {} step(s) changed, {} unchanged{}{}; the cluster is healthy",
                spec.name,
                summary.changed,
                summary.unchanged,
                if uploaded.is_empty() { String::new() } else { format!("; uploaded {}", uploaded.join(", ")) },
                if summary.started.is_empty() {
                    String::new()
                } else {
                    format!("; (re)started on {}", summary.started.join(", "))
                },
            );
            for (host, kept) in &summary.backups {
                eprintln!("{host}: the old copies of the overwritten files are kept at {}", kept.join(", "));
            }
            if let Some(line) = nothing_changed_line(&summary) {
                eprintln!("{line}");
            }
            if let Some(line) = rebalance_offer(&summary, &args.hosts.project.file) {
                eprintln!("{line}");
            }
            match &summary.migration {
                Some(report) => super::migrate::after(report, &args.hosts.project.file),
                None => ExitCode::SUCCESS,
            }
        }
        Err(e) => report(Err(e), "deploy"),
    };
    runlog::close(&log, ending);
    code
}

/// Whether a run ended because it was asked to stop (Ctrl-C).
fn cancelled(e: &ApplyError) -> bool {
    matches!(e, ApplyError::Cancelled)
}

/// After a broker joined a running cluster: it holds no partitions yet; the command that spreads them.
fn rebalance_offer(summary: &DeploySummary, file: &std::path::Path) -> Option<String> {
    (!summary.new_brokers.is_empty()).then(|| {
        format!(
            "new broker(s) {} joined and hold no partitions yet: spread replicas and leaders onto them with \
             `kafka-wizard rebalance {}` (see the plan first with --dry-run)",
            summary.new_brokers.join(", "),
            file.display()
        )
    })
}

/// The closing line of a deploy that changed no step: "no changes" only when it (re)started nothing either — a run
/// that only did the restarts an earlier, interrupted run left owed (or started stopped services) says so instead.
fn nothing_changed_line(summary: &DeploySummary) -> Option<&'static str> {
    match (summary.changed, summary.started.is_empty()) {
        (0, true) => Some("no changes: every host already matched the project"),
        (0, false) => Some("every host already matched the project; only services were (re)started (see above)"),
        _ => None,
    }
}

pub fn operate(verb: Verb, args: HostArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut opts = match options(&spec, &args, None) {
        Ok(o) => o,
        Err(code) => return code,
    };
    opts.force = matches!(verb, Verb::Restart { force: true });
    let rt = runtime();
    let intent = match verb {
        Verb::Start => Intent::Start,
        Verb::Stop => Intent::Stop,
        Verb::Restart { .. } => Intent::Restart,
    };
    let (operation, what) = match verb {
        Verb::Start => (Operation::Start, "start"),
        Verb::Stop => (Operation::Stop, "stop"),
        Verb::Restart { .. } => (Operation::Restart, "restart"),
    };
    if let Some(code) = check_limit(&rt, &spec, &opts, intent) {
        return code;
    }
    let log = runlog::open(&spec.name, what);
    if let Err(e) = interactive_key_check(&rt, &spec, &opts, args.json) {
        if !ask_about_unknown_keys(&e, &mut opts, args.json) {
            return report_logged(Err(e), "connect", &log);
        }
    }
    let renderer = Renderer::new(args.verbose);
    let events = runlog::tee(sink(&renderer, args.json), &log);
    let cancel = Cancel::default();
    let result = rt.block_on(async {
        cancel_on_ctrl_c(cancel.clone(), log.clone());
        operate::operate(operation, &spec, &opts, events, cancel).await
    });
    renderer.finish();
    if result.is_ok() {
        let hosts = if opts.limit.is_all() { String::new() } else { format!(" (--limit {})", opts.limit.describe()) };
        eprintln!("\n{what}: done for cluster {}{hosts}", spec.name);
    }
    report_logged(result, what, &log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::apply::PreviewRow;
    use kafka_wizard::events::Target;

    fn rows() -> Vec<PreviewRow> {
        let row = |step: &str, change: bool, detail: &str, diff: Option<&str>| PreviewRow {
            phase: "configure".into(),
            target: Target::host("h4"),
            step: step.into(),
            change,
            detail: detail.into(),
            diff: diff.map(String::from),
        };
        vec![
            row("write /etc/kafka/server.properties", true, "updated", Some("--- a\n+++ b\n@@ -1 +1 @@\n-x=1\n+x=2\n")),
            row("write /etc/kafka/kafka-server.env", false, "content is up to date", None),
        ]
    }

    #[test]
    fn a_dry_run_prints_each_row_with_its_diff_indented_under_it() {
        let out = dry_run_output(&rows(), false);
        assert!(out.starts_with(
            "h4               configure  ~ write /etc/kafka/server.properties: updated\n    --- a\n    +++ b\n    \
             @@ -1 +1 @@\n    -x=1\n    +x=2\nh4               configure  = write /etc/kafka/kafka-server.env: "
        ));
        assert!(out.ends_with("\n1 step(s) would change something; nothing was changed (--dry-run)\n"), "{out}");
    }

    #[test]
    fn a_roll_refused_before_its_first_node_is_worded_with_the_force_flag() {
        let refused = ApplyError::NotReadyToRoll("partitions replicated: orders-1 behind".into());
        let line = failure_message(&refused, "restart");
        assert!(line.starts_with("error: restart failed: the cluster is not healthy: partitions replicated: orders-1"));
        assert!(line.ends_with("nothing was restarted; let the cluster recover (or fix it) and run again, or pass --force to restart anyway"), "{line}");
        let other = failure_message(&ApplyError::Unhealthy("h5 not back".into()), "restart");
        assert!(!other.contains("--force"), "only a refused roll can be forced: {other}");
    }

    #[test]
    fn a_deploy_that_only_restarted_services_does_not_say_no_changes() {
        let mut summary = DeploySummary::default();
        assert_eq!(nothing_changed_line(&summary), Some("no changes: every host already matched the project"));
        summary.started = vec!["h5".into(), "h6".into()];
        let line = nothing_changed_line(&summary).unwrap();
        assert!(!line.contains("no changes") && line.contains("(re)started"), "{line}");
        summary.changed = 1;
        assert_eq!(nothing_changed_line(&summary), None);
        assert_eq!(rebalance_offer(&summary, std::path::Path::new("p.toml")), None);
        summary.new_brokers = vec!["h4".into()];
        let offer = rebalance_offer(&summary, std::path::Path::new("p.toml")).unwrap();
        assert!(offer.starts_with("new broker(s) h4 joined") && offer.contains("`kafka-wizard rebalance p.toml`"));
    }

    #[test]
    fn a_json_dry_run_prints_every_row_then_the_number_of_changes() {
        let out = dry_run_output(&rows(), true);
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(lines[0]["target"], serde_json::json!({ "on": "host", "name": "h4" }));
        assert_eq!(lines[0]["diff"], "--- a\n+++ b\n@@ -1 +1 @@\n-x=1\n+x=2\n");
        assert!(lines[1].get("diff").is_none(), "no diff key on a row without one: {out}");
        assert_eq!(lines[2], serde_json::json!({ "changes": 1 }));
    }
}
