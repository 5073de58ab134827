//! `deploy FILE --preflight-only`: the preflight findings as a table (host, check, result, fix) — or, with `--json`,
//! one JSON object per finding then `{"refused": N}` — and the exit status: 1 when the deploy would be refused.
//! Before them (stderr), each SSH host's effective settings: user, address, port, jump host, key, known_hosts.

use kafka_wizard::apply::{Finding, Verdict};
use kafka_wizard::project::spec::{ClusterSpec, Connection};
use kafka_wizard::transport::{route, ConnectOptions, HostAccess};
use std::process::ExitCode;

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

/// The table (columns padded to their widest cell; a passed check has no fix) and a closing line.
pub fn table(findings: &[Finding], json: bool) -> String {
    let refused = findings.iter().filter(|f| f.verdict == Verdict::Refuse).count();
    let mut out = String::new();
    if json {
        for f in findings {
            outln!(out, "{}", serde_json::to_string(f).expect("a finding serializes"));
        }
        outln!(out, "{}", serde_json::json!({ "refused": refused }));
        return out;
    }
    let rows: Vec<[&str; 5]> = findings
        .iter()
        .map(|f| [f.host.as_str(), f.check.as_str(), f.verdict.word(), f.result.as_str(), f.fix.as_str()])
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
    match refused {
        0 => outln!(out, "\npreflight passed ({warned} warning(s)); nothing was changed"),
        n => outln!(out, "\npreflight: {n} check(s) refuse the deploy ({warned} warning(s)); nothing was changed"),
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
        let out = table(&findings, false);
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
        let json = table(&findings[1..], true);
        assert!(json.ends_with("{\"refused\":0}\n"), "{json}");
        assert!(json.starts_with("{\"host\":\"h2\",\"check\":\"Java\",\"verdict\":\"pass\""), "{json}");
    }
}
