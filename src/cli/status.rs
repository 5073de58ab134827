//! `kafka-wizard status FILE [--json] [--watch [SECONDS]]`: per host its units, listening and membership; the
//! cluster-wide checks; the overview (`kafka_wizard::overview`): brokers with their partitions and disks, the
//! quorum or the ensemble, and the problems with what to do. `--watch` draws the whole frame again every interval,
//! in place (one write per frame: no flicker); with `--json`, one JSON object per line per interval.

use super::load_spec;
use super::operate::{options, runtime, HostArgs};
use kafka_wizard::apply::status::{self, ClusterStatus};
use kafka_wizard::overview::{bytes, ClusterOverview};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub hosts: HostArgs,
    /// Refresh every SECONDS (default 5) until Ctrl-C, redrawn in place (with --json: one object per line).
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "5")]
    pub watch: Option<u64>,
}

pub fn status(args: StatusArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.hosts.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = match options(&spec, &args.hosts, None) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let rt = runtime();
    let json = args.hosts.json;
    let Some(every) = args.watch else {
        let status = rt.block_on(status::status(&spec, &opts));
        super::write_stdout(&if json { pretty_json(&status) } else { render(&status) });
        return if status.healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    };
    let every = Duration::from_secs(every.max(1));
    loop {
        let started = std::time::Instant::now();
        let status = rt.block_on(status::status(&spec, &opts));
        let frame = if json {
            format!("{}\n", serde_json::to_string(&status).expect("status serialises"))
        } else {
            let t = time::OffsetDateTime::now_utc();
            let now = format!("{:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second());
            // cursor home, the frame, clear what the previous frame left below it
            format!(
                "\x1b[H{}: every {}s, {now} — Ctrl-C to stop\x1b[K\n\n{}\x1b[J",
                spec.name,
                every.as_secs(),
                render(&status).replace('\n', "\x1b[K\n")
            )
        };
        super::write_stdout(&frame);
        std::thread::sleep(every.saturating_sub(started.elapsed()));
    }
}

fn pretty_json(status: &ClusterStatus) -> String {
    format!("{}\n", serde_json::to_string_pretty(status).expect("status serialises"))
}

/// The status as text: hosts, checks, the overview, the verdict.
pub fn render(status: &ClusterStatus) -> String {
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "-",
    };
    let mut out = format!("{:<16} {:<22} {:<36} {:<10} {}\n", "host", "roles", "units", "listening", "in cluster");
    for h in &status.hosts {
        let roles: Vec<&str> = h.roles.iter().map(|r| r.name()).collect();
        let units = match &h.units {
            Some(units) => units
                .iter()
                .map(|u| format!("{}={}", u.unit.trim_end_matches(".service"), u.active))
                .collect::<Vec<_>>()
                .join(" "),
            None => format!("unreachable: {}", h.error.as_deref().unwrap_or("")),
        };
        out.push_str(&format!(
            "{:<16} {:<22} {:<36} {:<10} {}\n",
            h.host,
            roles.join(","),
            units,
            yes_no(h.listening),
            yes_no(h.in_cluster)
        ));
    }
    out.push('\n');
    for (name, r) in &status.checks {
        match r {
            Ok(s) => out.push_str(&format!("ok   {name}: {s}\n")),
            Err(s) => out.push_str(&format!("FAIL {name}: {s}\n")),
        }
    }
    out.push('\n');
    out.push_str(&render_overview(&status.overview));
    if !status.static_quorum.is_empty() {
        out.push_str(&format!(
            "\nnote: {} still run(s) a static controller quorum (controller.quorum.voters) while the project asks for a \
             dynamic one: kafka-wizard deploy FILE --convert-quorum (Kafka 4.1+, irreversible)\n",
            status.static_quorum.join(", ")
        ));
    }
    out.push_str(if status.healthy { "\ncluster is healthy\n" } else { "\ncluster is NOT healthy\n" });
    out
}

/// The overview as text: a broker table, the quorum or ensemble, the partitions, the problems.
pub fn render_overview(o: &ClusterOverview) -> String {
    let mut out = format!(
        "{:<7} {:<16} {:<4} {:<10} {:>5} {:>8} {:>10} {:>13}  {}\n",
        "broker", "host", "up", "controller", "leads", "replicas", "under-repl", "under-min-isr", "log dirs"
    );
    for b in &o.brokers {
        let dirs = match (&b.log_dirs, &b.log_dirs_error) {
            (Some(dirs), _) => dirs
                .iter()
                .map(|d| match (&d.error, d.total_bytes, d.usable_bytes) {
                    (Some(e), _, _) => format!("{} OFFLINE ({e})", d.path),
                    (None, Some(total), Some(usable)) => {
                        format!("{} {} used, {} of {} free", d.path, bytes(d.used_bytes), bytes(usable), bytes(total))
                    }
                    _ => format!("{} {} used", d.path, bytes(d.used_bytes)),
                })
                .collect::<Vec<_>>()
                .join("; "),
            (None, Some(e)) => format!("not read: {e}"),
            (None, None) => "-".into(),
        };
        out.push_str(&format!(
            "{:<7} {:<16} {:<4} {:<10} {:>5} {:>8} {:>10} {:>13}  {dirs}\n",
            b.id,
            b.host,
            if b.up { "yes" } else { "NO" },
            if b.controller { "yes" } else { "" },
            b.leads,
            b.replicas,
            b.under_replicated,
            b.under_min_isr
        ));
    }
    if !o.voters.is_empty() {
        let voters: Vec<String> = o
            .voters
            .iter()
            .map(|v| {
                let role = if v.leader { "leader" } else { "follower" };
                let lag = v.lag.map_or("lag unknown".to_string(), |l| format!("lag {l}"));
                format!("{} ({}) {role}, {lag}", v.id, v.host)
            })
            .collect();
        out.push_str(&format!("KRaft quorum: {}\n", voters.join("; ")));
    }
    if !o.zookeeper.is_empty() {
        let members: Vec<String> = o
            .zookeeper
            .iter()
            .map(|z| match &z.mode {
                Some(mode) => format!(
                    "{} {mode}, {} ms avg, {} queued",
                    z.host,
                    z.latency_avg_us.map_or("?".into(), |us| format!("{:.1}", us as f64 / 1000.0)),
                    z.outstanding.map_or("?".into(), |n| n.to_string())
                ),
                None => format!("{} not answering", z.host),
            })
            .collect();
        out.push_str(&format!("ZooKeeper: {}\n", members.join("; ")));
    }
    out.push_str(&format!("topics {}, partitions {}, offline {}\n", o.topics, o.partitions, o.offline_partitions));
    for p in &o.problems {
        out.push_str(&format!("problem: {p}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::overview::{BrokerOverview, LogDirOverview, VoterOverview, ZookeeperOverview};

    #[test]
    fn the_overview_reads_as_a_broker_table_then_the_quorum_ensemble_counts_and_problems() {
        let dir = LogDirOverview {
            path: "/data1".into(),
            used_bytes: 3 << 20,
            total_bytes: Some(50 << 30),
            usable_bytes: Some(40 << 30),
            error: None,
        };
        let broker = |id: i32, up: bool| BrokerOverview {
            id,
            host: format!("h{id}"),
            up,
            controller: id == 1,
            leads: 6,
            replicas: 18,
            under_replicated: 0,
            under_min_isr: 0,
            log_dirs: up.then(|| vec![dir.clone()]),
            log_dirs_error: None,
        };
        let o = ClusterOverview {
            brokers: vec![broker(1, true), broker(2, false)],
            voters: vec![VoterOverview { id: 1, host: "h1".into(), leader: true, lag: Some(0) }],
            zookeeper: vec![ZookeeperOverview {
                host: "z1".into(),
                mode: Some("leader".into()),
                latency_avg_us: Some(250),
                outstanding: Some(0),
                error: None,
            }],
            topics: 2,
            partitions: 12,
            offline_partitions: 0,
            problems: vec!["broker 2 (h2) is not in the cluster".into()],
        };
        let text = render_overview(&o);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("broker  host"), "{text}");
        assert!(lines[1].starts_with("1       h1               yes  yes"), "{text}");
        assert!(lines[1].ends_with("/data1 3.0 MiB used, 40.0 GiB of 50.0 GiB free"), "{text}");
        assert!(lines[2].starts_with("2       h2               NO") && lines[2].ends_with("  -"), "{text}");
        assert_eq!(lines[3], "KRaft quorum: 1 (h1) leader, lag 0");
        assert_eq!(lines[4], "ZooKeeper: z1 leader, 0.2 ms avg, 0 queued");
        assert_eq!(lines[5], "topics 2, partitions 12, offline 0");
        assert_eq!(lines[6], "problem: broker 2 (h2) is not in the cluster");
    }
}
