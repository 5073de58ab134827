//! `kafka-wizard smoke FILE`: the smoke test (`kafka_wizard::smoke`) — progress on stderr, then the report (or,
//! with `--json`, the report as JSON) on stdout; exit 0 when it passed, 1 on any loss, error or Cancel (Ctrl-C).

use super::interrupt::cancel_on_ctrl_c;
use super::progress::{sink, Renderer};
use super::{load_spec, ProjectArg};
use kafka_wizard::apply::Cancel;
use kafka_wizard::smoke::{self, Cleanup, SmokeOptions, SmokeReport};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct SmokeArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Records to produce with acks=all, spread over the topic's partitions (one per broker).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub records: u32,
    /// The test topic's min.insync.replicas (default: the cluster's, as the project configures it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub min_insync_replicas: Option<u16>,
    /// Seconds to wait for the partitions' leaders, for a record sent again, and for reading back.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SmokeArgs) -> ExitCode {
    let (_, spec) = match load_spec(&args.project.file) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = SmokeOptions {
        records: args.records,
        min_insync_replicas: args.min_insync_replicas.map(usize::from),
        timeout: Duration::from_secs(args.timeout),
    };
    let renderer = Renderer::new(false);
    let events = sink(&renderer, false);
    let cancel = Cancel::default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let report = rt.block_on(async {
        cancel_on_ctrl_c(cancel.clone(), None);
        smoke::smoke(&spec, &opts, &events, &cancel).await
    });
    renderer.finish();
    if args.json {
        super::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&report).expect("a report serialises")));
    } else {
        super::write_stdout(&text(&report));
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The report for people: the topic, leadership per broker, each partition, latency, cleanup, the verdict.
fn text(r: &SmokeReport) -> String {
    let mut out = String::new();
    outln!(
        out,
        "smoke test: topic {}, replication factor {}, min.insync.replicas {}, {} record(s) with acks=all\n",
        r.topic,
        r.replication_factor,
        r.min_insync_replicas,
        r.records
    );
    outln!(out, "{:<8} {:<16} {:<12} leads partition(s)", "broker", "host", "in cluster");
    for b in &r.brokers {
        let leads: Vec<String> = b.leads.iter().map(i32::to_string).collect();
        let leads = if leads.is_empty() { "-".to_string() } else { leads.join(", ") };
        outln!(out, "{:<8} {:<16} {:<12} {leads}", b.id, b.host, if b.in_cluster { "yes" } else { "NO" });
    }
    if !r.partitions.is_empty() {
        outln!(
            out,
            "\n{:<10} {:<20} {:<12} {:<12} {:>6} {:>10}",
            "partition",
            "leader",
            "replicas",
            "isr",
            "acked",
            "read back"
        );
        for p in &r.partitions {
            let leader = if p.leader < 0 { "none".to_string() } else { format!("{} ({})", p.leader, p.leader_host) };
            outln!(
                out,
                "{:<10} {:<20} {:<12} {:<12} {:>6} {:>10}",
                p.partition,
                leader,
                format!("{:?}", p.replicas),
                format!("{:?}", p.isr),
                p.acked,
                p.read_back
            );
        }
    }
    out.push('\n');
    if let Some(l) = &r.latency {
        outln!(
            out,
            "produce latency (one record per request, acks=all): p50 {} ms, p99 {} ms, max {} ms ({} requests)",
            l.p50_ms,
            l.p99_ms,
            l.max_ms,
            l.samples
        );
    }
    if let Some(ms) = r.end_to_end_ms {
        outln!(out, "end to end (first record sent → last read back): {ms} ms");
    }
    outln!(
        out,
        "acknowledged {} of {}, read back unchanged {}; took {:.1} s",
        r.acked,
        r.records,
        r.read_back,
        r.total_ms / 1000.0
    );
    if !r.leftovers_removed.is_empty() {
        outln!(out, "removed topics left by interrupted smoke tests: {}", r.leftovers_removed.join(", "));
    }
    match &r.cleanup {
        Cleanup::NotCreated => outln!(out, "the topic was not created"),
        Cleanup::Deleted => outln!(out, "the topic was deleted"),
        Cleanup::Pending { reason } => outln!(out, "the topic's deletion is pending: {reason}"),
        Cleanup::Failed { reason } => outln!(out, "the topic was NOT deleted: {reason}"),
    }
    if r.passed {
        outln!(out, "\nsmoke test PASSED");
    } else if r.cancelled && r.failures.is_empty() {
        outln!(out, "\nsmoke test cancelled");
    } else {
        outln!(out, "\nsmoke test FAILED:");
        for f in &r.failures {
            outln!(out, "  - {f}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_wizard::smoke::{BrokerLeadership, Latency, PartitionOutcome};

    fn report() -> SmokeReport {
        SmokeReport {
            passed: false,
            cancelled: false,
            topic: "kafka-wizard-smoke-1-00000001".into(),
            replication_factor: 2,
            min_insync_replicas: 1,
            records: 7,
            acked: 7,
            read_back: 7,
            brokers: vec![
                BrokerLeadership { id: 1, host: "h4".into(), in_cluster: true, leads: vec![0] },
                BrokerLeadership { id: 2, host: "h5".into(), in_cluster: false, leads: vec![] },
            ],
            partitions: vec![PartitionOutcome {
                partition: 0,
                leader: 1,
                leader_host: "h4".into(),
                replicas: vec![1, 2],
                isr: vec![1],
                acked: 7,
                read_back: 7,
                lost: 0,
                mismatched: 0,
                error: None,
            }],
            latency: Some(Latency { p50_ms: 1.5, p99_ms: 4.0, max_ms: 9.1, samples: 7 }),
            end_to_end_ms: Some(12.5),
            total_ms: 2345.0,
            leftovers_removed: vec![],
            cleanup: Cleanup::Deleted,
            failures: vec!["broker 2 (h5) is not in the cluster".into()],
        }
    }

    #[test]
    fn the_text_report_shows_leadership_latency_and_each_failure() {
        let out = text(&report());
        assert!(out.contains("1        h4               yes          0\n"), "{out}");
        assert!(out.contains("2        h5               NO           -\n"), "{out}");
        assert!(out.contains("p50 1.5 ms, p99 4 ms, max 9.1 ms (7 requests)"), "{out}");
        assert!(out.ends_with("smoke test FAILED:\n  - broker 2 (h5) is not in the cluster\n"), "{out}");
    }
}
