//! Metrics on the hosts: with `[monitoring] prometheus = true` every service runs the Prometheus JMX exporter, and an
//! HTTP GET of each scrape target (`http://<host>:<port>/metrics`, the ports of the project) answers with Kafka's
//! (or ZooKeeper's) metrics — the brokers' `kafka_server_replicamanager_underreplicatedpartitions` among them. The
//! jar comes from the test mirror's Maven-layout copy (`Mirror::serve_java_agent`), so the test needs no network.

use crate::support::world::{http_get, Mirror};
use std::time::{Duration, Instant};

/// `[monitoring]` of a test project: the exporter on, its jar from `mirror`.
pub fn section(mirror: &Mirror) -> String {
    format!("\n[monitoring]\nprometheus = true\nmaven_url = \"{}\"\n", mirror.serve_java_agent())
}

/// GETs `http://<address>:<port>/metrics` (retrying for up to 60 s while the agent starts) and checks that the body
/// holds `metric`; prints the latency and the number of samples.
pub fn the_target_serves(address: &str, port: u16, metric: &str) {
    let url = format!("http://{address}:{port}/metrics");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t0 = Instant::now();
        let answer = http_get(&url, &[]);
        let latency = t0.elapsed();
        match answer {
            Ok(r) if r.status == 200 => {
                let body = String::from_utf8_lossy(&r.body);
                let samples = body.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
                eprintln!(
                    "MEASURE scrape {url}: {:.0} ms, {samples} samples, {} bytes",
                    latency.as_secs_f64() * 1000.0,
                    r.body.len()
                );
                assert!(
                    body.lines().any(|l| l.starts_with(metric)),
                    "{url} has no {metric}: {}",
                    body.lines().filter(|l| !l.starts_with('#')).take(40).collect::<Vec<_>>().join("\n")
                );
                return;
            }
            other if Instant::now() > deadline => panic!("{url}: {other:?}"),
            _ => std::thread::sleep(Duration::from_secs(2)),
        }
    }
}
