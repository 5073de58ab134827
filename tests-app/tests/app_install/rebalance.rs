//! Issue 14 (app): Manage's Rebalance in the real window, on the cluster the test installed. A topic is created
//! lopsided from outside the app (kafka-python as the admin: every partition's replicas on brokers 1 and 2, none on
//! 3); Rebalance reads the plan from the cluster and shows it — the moves, broker 3's replicas rising in the spread
//! table; the confirmation names the project, the moves and the throttle; the run ends "Rebalance done" with the
//! cluster healthy. Judged from outside the app by kafka-python: every broker within one replica of the others, the
//! lopsided topic now on broker 3 too, and broker 3 leading partitions.

use kafka_wizard_app_e2e::{click, css, shot, wait_text};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TOPIC: &str = "lopsided";
const PARTITIONS: usize = 6;

/// tests/world/spread.py with the admin's client.properties; its one JSON line.
fn spread_py(admin_properties: &Path, args: &[&str]) -> Value {
    let cache = std::env::var("KW_CACHE").unwrap_or_else(|_| "/var/cache/kafka-wizard-tests".into());
    let python = Path::new(&cache).join("py-client/bin/python");
    assert!(python.exists(), "{} missing: run tests/world/prepare.sh", python.display());
    let out = Command::new(python)
        .arg(kafka_wizard_app_e2e::workspace().join("tests/world/spread.py"))
        .arg("--properties")
        .arg(admin_properties)
        .args(args)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "spread.py {args:?}:\n{said}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {said}"))
}

/// Per broker 1..=3: (replicas, leaders) over every topic.
fn loads(spread: &Value) -> Vec<(u64, u64)> {
    (1..=3)
        .map(|b| {
            let of = &spread["brokers"][b.to_string()];
            (of["replicas"].as_u64().unwrap_or(0), of["leaders"].as_u64().unwrap_or(0))
        })
        .collect()
}

/// Rebalance from Manage; `admin_properties`: the admin's client.properties a Client config… wrote.
pub async fn rebalance_from_manage(c: &fantoccini::Client, admin_properties: &Path) {
    let t_all = Instant::now();
    let before = spread_py(admin_properties, &["lopsided", TOPIC, &PARTITIONS.to_string(), "1,2"]);
    assert_eq!(before["topics"][TOPIC]["3"], Value::Null, "broker 3 holds none of {TOPIC}: {before}");
    let (replicas_before, _) = loads(&before)[2];

    click(c, "#op-rebalance").await;
    let what = wait_text(c, "#reassign-what", "partition", Duration::from_secs(60)).await;
    wait_text(c, "#reassign-spread tr[data-broker='3']", "→", Duration::from_secs(5)).await;
    // its cells: the broker, its replicas "before → after", its leaders "before → after"
    let js =
        "return [...document.querySelectorAll(\"#reassign-spread tr[data-broker='3'] td\")].map(td => td.textContent)";
    let row: Vec<String> = serde_json::from_value(c.execute(js, vec![]).await.unwrap()).unwrap();
    let replicas: Vec<u64> = row[1].split('→').map(|n| n.trim().parse().unwrap()).collect();
    let (from, to) = (replicas[0], replicas[1]);
    assert!(to > from, "broker 3's replicas rise in the plan: {row:?} ({what})");
    eprintln!("app's plan for broker 3: {from} → {to} replicas (kafka-python counted {replicas_before} before)");
    shot(c, "7-manage-rebalance-plan").await;

    click(c, "#reassign-run").await;
    let question = wait_text(c, ".overlay .dialog p", "Rebalance app-kraft?", Duration::from_secs(5)).await;
    assert!(question.contains("partition(s) are reassigned") && question.contains("MB/s"), "{question}");
    let t0 = Instant::now();
    click(c, "#dialog-yes").await;
    let result = wait_text(c, "#op-result", "", Duration::from_secs(300)).await;
    let took = t0.elapsed().as_secs_f64();
    shot(c, "7-manage-rebalance-done").await;
    assert!(result.contains("Rebalance done"), "{result}");
    wait_text(c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    // offered again once the status read after the run is in (the buttons wait while a read is under way)
    let deadline = Instant::now() + Duration::from_secs(30);
    while !css(c, "#op-rebalance").await.is_enabled().await.unwrap_or(false) {
        assert!(Instant::now() < deadline, "Rebalance is not offered again");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let after = spread_py(admin_properties, &["spread"]);
    let per_broker = loads(&after);
    let replicas: Vec<u64> = per_broker.iter().map(|l| l.0).collect();
    assert!(replicas.iter().max().unwrap() - replicas.iter().min().unwrap() <= 1, "{per_broker:?}: {after}");
    let on_three = after["topics"][TOPIC]["3"].as_u64().unwrap_or(0);
    assert!(on_three > 0, "{TOPIC} now also on broker 3: {after}");
    assert!(per_broker[2].1 > 0, "broker 3 leads partitions: {per_broker:?}");
    eprintln!(
        "MEASURE app Rebalance of 3 KRaft nodes ({what}): {took:.1}s from the confirmation to its result; per broker \
         (replicas, leaders) before {:?}, after {per_broker:?} (kafka-python); {on_three} of {TOPIC}'s {} replicas \
         now on broker 3; {:.1}s in all with the checks",
        loads(&before),
        PARTITIONS * 2,
        t_all.elapsed().as_secs_f64()
    );
}
