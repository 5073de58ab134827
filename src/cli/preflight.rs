//! `deploy FILE --preflight-only`: the preflight findings as a table (host, check, result, fix) — or, with `--json`,
//! one JSON object per finding then `{"refused": N}` — and the exit status: 1 when the deploy would be refused.
//! Before them (stderr), each SSH host's effective settings: user, address, port, jump host, key, known_hosts.
//! With `--fix`, after the table: per host what its fixes did (or, `--dry-run`, would do), and a count.

use super::operate::{report, DeployArgs};
use super::progress::Renderer;
use kafka_wizard::apply::preflight::fix::HostFix;
use kafka_wizard::apply::{self, DeployOptions, Finding, Verdict};
use kafka_wizard::events::EventSink;
use kafka_wizard::project::spec::{ClusterSpec, Connection};
use kafka_wizard::transport::{route, ConnectOptions, HostAccess};
use std::process::ExitCode;

/// `deploy FILE --preflight-only [--fix [--dry-run]]`: the hosts' SSH settings (stderr), the checks, the fixes when
/// asked; exit 1 when the deploy would be refused or a host could not be fixed.
pub fn run(
    rt: &tokio::runtime::Runtime,
    spec: &ClusterSpec,
    opts: &DeployOptions,
    args: &DeployArgs,
    events: EventSink,
    renderer: &Renderer,
    log: &super::runlog::Kept,
) -> ExitCode {
    let json = args.hosts.json;
    if !json {
        eprint!("{}", reach_lines(spec, &opts.connect));
    }
    if args.fix {
        let result = rt.block_on(apply::preflight::preflight_fix(spec, opts, args.dry_run, events));
        renderer.finish();
        let (code, ending) = match result {
            Ok((findings, done)) => {
                // the outcomes into the run log only: the list below shows them
                apply::preflight::fix_events(&done, &super::runlog::tee(std::sync::Arc::new(|_| ()), log));
                super::write_stdout(&(table(&findings, json, !args.dry_run) + &fixes(&done, args.dry_run, json)));
                let failed: Vec<String> =
                    done.iter().flat_map(|f| f.error.as_ref().map(|e| format!("{}: {e}", f.host))).collect();
                let code = if failed.is_empty() { exit_code(&findings) } else { ExitCode::FAILURE };
                let outcome = if failed.is_empty() { Ok(()) } else { Err(failed.join("; ")) };
                (code, super::runlog::ending(&outcome, |_| false))
            }
            Err(e) => {
                let ending = super::runlog::ending(&Err::<(), _>(&e), |_| false);
                (report(Err(e), "preflight --fix"), ending)
            }
        };
        super::runlog::close(log, ending);
        return code;
    }
    let result = rt.block_on(apply::preflight(spec, opts, events));
    renderer.finish();
    match result {
        Ok(findings) => {
            super::write_stdout(&table(&findings, json, false));
            exit_code(&findings)
        }
        Err(e) => report(Err(e), "preflight"),
    }
}

/// How each SSH host is reached — its effective settings after `~/.ssh/config` and the jump host — one line each,
/// under a heading; a host whose settings cannot be resolved says why.
pub fn reach_lines(spec: &ClusterSpec, connect: &ConnectOptions) -> String {
    let mut out = String::from("SSH (effective settings):\n");
    for host in spec.hosts.iter().filter(|h| h.connection == Connection::Ssh) {
        match connect.ssh_target(&HostAccess::from(host)) {
            Ok(target) => outln!(out, "  {}", route::describe(&target)),
            Err(e) => outln!(out, "  {e}"),
        }
    }
    out
}

/// The table (columns padded to their widest cell; a passed check has no fix) and a closing line (`fixing`: the
/// fixes' lines follow, so it does not say nothing was changed).
pub fn table(findings: &[Finding], json: bool, fixing: bool) -> String {
    let refused = findings.iter().filter(|f| f.verdict == Verdict::Refuse).count();
    let mut out = String::new();
    if json {
        for f in findings {
            outln!(out, "{}", serde_json::to_string(f).expect("a finding serializes"));
        }
        outln!(out, "{}", serde_json::json!({ "refused": refused }));
        return out;
    }
    let fixes: Vec<String> = findings.iter().map(fix_text).collect();
    let rows: Vec<[&str; 5]> = findings
        .iter()
        .zip(&fixes)
        .map(|(f, fix)| [f.host.as_str(), f.check.as_str(), f.verdict.word(), f.result.as_str(), fix.as_str()])
        .collect();
    let header = ["HOST", "CHECK", "", "RESULT", "FIX"];
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        outln!(out, "{}", line.trim_end());
    }
    let warned = findings.iter().filter(|f| f.verdict == Verdict::Warn).count();
    let changed = if fixing { "; the fixes follow" } else { "; nothing was changed" };
    match refused {
        0 => outln!(out, "\npreflight passed ({warned} warning(s)){changed}"),
        n => outln!(out, "\npreflight: {n} check(s) refuse the deploy ({warned} warning(s)){changed}"),
    }
    out
}

/// The CLI's way to have the wizard make a fix itself (the engine's fix text says what to do by hand; the app words
/// its own way, Apply fixes…).
const FIX_ACTION: &str = "`deploy --preflight-only --fix` does both";

/// A finding's fix as the table shows it: the engine's, and for a warning the wizard can fix itself, the CLI's way
/// to have it do that.
fn fix_text(f: &Finding) -> String {
    match (&f.remedy, f.verdict) {
        (Some(_), Verdict::Warn) => format!("{} — {FIX_ACTION}", f.fix),
        _ => f.fix.clone(),
    }
}

/// What `--fix` did per host, under a heading, then a count (`--json`: one `{"fix": …}` object per host).
pub fn fixes(fixes: &[HostFix], dry_run: bool, json: bool) -> String {
    let mut out = String::new();
    if json {
        for f in fixes {
            outln!(out, "{}", serde_json::json!({ "fix": f }));
        }
        return out;
    }
    outln!(out, "\nfixes{}:", if dry_run { " (--dry-run: nothing was changed)" } else { "" });
    for line in fixes.iter().flat_map(HostFix::lines) {
        outln!(out, "  {line}");
    }
    let outcomes: Vec<_> = fixes.iter().flat_map(|f| &f.outcomes).collect();
    let written = outcomes.iter().filter(|o| o.written).count();
    let now = outcomes.iter().filter(|o| o.now == Some(None)).count();
    let boot = outcomes.iter().filter(|o| matches!(o.now, Some(Some(_)))).count();
    let failed = fixes.iter().filter(|f| f.error.is_some()).count();
    if outcomes.is_empty() && failed == 0 {
        outln!(out, "\nnothing to fix on any host");
        return out;
    }
    match dry_run {
        true => outln!(out, "\n{} fix(es) on {} host(s) would change a file; nothing was changed", written, {
            fixes.iter().filter(|f| f.outcomes.iter().any(|o| o.written)).count()
        }),
        false => outln!(
            out,
            "\n{} setting(s) newly kept, {} already in place; {now} applied now, {boot} only at the next boot{}",
            written,
            outcomes.len() - written,
            if failed > 0 { format!("; {failed} host(s) could not be fixed") } else { String::new() }
        ),
    }
    out
}

/// 1 when any check refuses the deploy.
pub fn exit_code(findings: &[Finding]) -> ExitCode {
    match findings.iter().any(|f| f.verdict == Verdict::Refuse) {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(host: &str, check: &str, verdict: Verdict, result: &str, fix: &str) -> Finding {
        Finding {
            host: host.into(),
            check: check.into(),
            verdict,
            result: result.into(),
            fix: fix.into(),
            remedy: None,
        }
    }

    #[test]
    fn the_table_aligns_host_check_verdict_result_and_fix_and_counts_refusals() {
        let findings = [
            finding("h1", "port 9092 (kafka.listener_port)", Verdict::Refuse, "held by python3 (pid 7)", "stop it"),
            finding("h2", "Java", Verdict::Pass, "Java 17 found", ""),
        ];
        let out = table(&findings, false, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["HOST", "CHECK", "RESULT", "FIX"], "{out}");
        assert_eq!(lines[0].find("RESULT"), lines[1].find("held by"), "{out}");
        assert!(
            lines[1].starts_with("h1    port 9092 (kafka.listener_port)  REFUSED  held by python3 (pid 7)  stop it"),
            "{out}"
        );
        assert_eq!(lines[2], "h2    Java                             ok       Java 17 found", "{out}");
        assert!(
            out.ends_with("preflight: 1 check(s) refuse the deploy (0 warning(s)); nothing was changed\n"),
            "{out}"
        );
        assert_eq!(exit_code(&findings), ExitCode::FAILURE);
        let json = table(&findings[1..], true, false);
        assert!(json.ends_with("{\"refused\":0}\n"), "{json}");
        assert!(json.starts_with("{\"host\":\"h2\",\"check\":\"Java\",\"verdict\":\"pass\""), "{json}");
    }

    #[test]
    fn the_fixes_are_listed_per_host_with_a_count_of_what_was_kept_and_applied() {
        use kafka_wizard::apply::preflight::remedy::{Bound, FixOutcome, Remedy, SYSCTL_FILE};
        let outcome = |host: &str, written, now: Option<&str>| FixOutcome {
            host: host.into(),
            remedy: Remedy::Sysctl { key: "vm.swappiness".into(), value: 1, bound: Bound::AtMost },
            setting: "vm.swappiness = 1".into(),
            file: SYSCTL_FILE.into(),
            written,
            now: Some(now.map(String::from)),
        };
        let hosts = [
            HostFix {
                host: "h1".into(),
                outcomes: vec![outcome("h1", true, Some("Read-only file system"))],
                error: None,
            },
            HostFix { host: "h2".into(), outcomes: vec![outcome("h2", false, None)], error: None },
            HostFix { host: "h3".into(), outcomes: vec![], error: None },
        ];
        let out = fixes(&hosts, false, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "fixes:", "{out}");
        assert!(
            lines[2].starts_with("  h1: vm.swappiness = 1: kept in /etc/sysctl.d/60-kafka.conf, takes effect at boot")
        );
        assert_eq!(lines[3], "  h2: vm.swappiness = 1: already in place in /etc/sysctl.d/60-kafka.conf; applied now");
        assert_eq!(lines[4], "  h3: nothing to fix");
        assert!(
            out.ends_with("\n1 setting(s) newly kept, 1 already in place; 1 applied now, 1 only at the next boot\n"),
            "{out}"
        );
        let nothing = fixes(&hosts[2..], false, false);
        assert!(nothing.ends_with("  h3: nothing to fix\n\nnothing to fix on any host\n"), "{nothing}");
        let json = fixes(&hosts[2..], false, true);
        assert_eq!(json, "{\"fix\":{\"error\":null,\"host\":\"h3\",\"outcomes\":[]}}\n");
        let closing = table(&[finding("h1", "vm.swappiness", Verdict::Warn, "60", "sysctl")], false, true);
        assert!(closing.ends_with("preflight passed (1 warning(s)); the fixes follow\n"), "{closing}");
    }

    #[test]
    fn a_warning_the_wizard_can_fix_names_the_clis_fix_flag_and_one_it_cannot_does_not() {
        use kafka_wizard::apply::preflight::remedy::{Bound, Remedy};
        let fixable = Finding {
            remedy: Some(Remedy::Sysctl { key: "vm.swappiness".into(), value: 1, bound: Bound::AtMost }),
            ..finding("h1", "vm.swappiness", Verdict::Warn, "60", "sysctl -w vm.swappiness=1")
        };
        let by_hand = finding("h1", "clock", Verdict::Warn, "not synchronized", "run a time service");
        let out = table(&[fixable, by_hand], false, false);
        let line = |check: &str| out.lines().find(|l| l.contains(check)).unwrap().to_string();
        assert!(
            line("vm.swappiness").ends_with("sysctl -w vm.swappiness=1 — `deploy --preflight-only --fix` does both"),
            "{out}"
        );
        assert!(line("clock").ends_with("run a time service"), "{out}");
    }
}
