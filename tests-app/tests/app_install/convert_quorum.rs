//! Issue 14 (app): the installed cluster (Kafka 4.1, created with the static controller quorum) made dynamic in the
//! real window. Coordination's "Dynamic" puts `kraft.quorum = "dynamic"` into the project (Save writes it); Manage's
//! status then names every node still on the static quorum and offers Convert quorum…, whose plan shows the
//! irreversible kraft.version step and the nodes it restarts; confirmed, it ends "Quorum converted" with the cluster
//! healthy and the offer gone. Judged from outside the app: every node's `server.properties` has
//! `controller.quorum.bootstrap.servers` and no voters, every node restarted once (systemd's InvocationIDs), every
//! broker reports `kraft.version` 1 over TLS + SCRAM as the admin (ApiVersions), and the saved project lists the
//! bootstrap controllers.

use kafka_wizard::apply::upgrade::features::{feature_levels, KRAFT_VERSION};
use kafka_wizard_app_e2e::{click, go, shot, wait_text};
use std::path::Path;
use std::time::{Duration, Instant};

use super::world::World;

/// Coordination's Dynamic, Save, then Convert quorum… from Manage; `admin_properties`: the admin's client.properties.
pub async fn convert_quorum_from_the_app(
    c: &fantoccini::Client,
    world: &World,
    project: &Path,
    admin_properties: &Path,
) {
    let t_all = Instant::now();
    go(c, "coordination").await;
    click(c, "#quorum-dynamic").await;
    click(c, "#file-save").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(project).unwrap().contains("quorum = \"dynamic\"") {
        assert!(Instant::now() < deadline, "Save did not write kraft.quorum");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = super::invocation_ids(world);

    go(c, "manage").await;
    click(c, "#refresh").await;
    let offer = wait_text(c, "#convert-quorum-offer", "static controller quorum", Duration::from_secs(60)).await;
    for h in world.hosts() {
        assert!(offer.contains(&h.name), "{offer}");
    }
    click(c, "#op-convert-quorum").await;
    let step = wait_text(c, "#convert-quorum-step", "irreversible", Duration::from_secs(60)).await;
    assert!(step.contains("UpdateFeatures kraft.version=1"), "{step}");
    wait_text(c, "#convert-quorum-restarts", "h1", Duration::from_secs(5)).await;
    shot(c, "7-manage-convert-quorum-plan").await;
    assert_eq!(super::invocation_ids(world), before, "reading the plan restarts nothing");

    click(c, "#convert-quorum-run").await;
    wait_text(c, ".overlay .dialog p", "irreversible", Duration::from_secs(5)).await;
    let t0 = Instant::now();
    click(c, "#dialog-yes").await;
    let result = wait_text(c, "#op-result", "", Duration::from_secs(400)).await;
    let took = t0.elapsed().as_secs_f64();
    shot(c, "7-manage-convert-quorum-done").await;
    assert!(result.contains("Quorum converted"), "{result}");
    wait_text(c, "#health", "Cluster is healthy", Duration::from_secs(60)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.find(fantoccini::Locator::Css("#convert-quorum-offer")).await.is_ok() {
        assert!(Instant::now() < deadline, "the offer stays after the conversion");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let after = super::invocation_ids(world);
    for (h, (old, new)) in world.hosts().iter().zip(before.iter().zip(&after)) {
        assert_ne!(old, new, "{} was restarted onto its new configuration", h.name);
        let conf =
            world.ssh_ok(&h.name, "root", "grep -E '^controller\\.quorum\\.' /etc/kafka/server.properties || true");
        assert!(!conf.contains("controller.quorum.voters"), "{}: {conf}", h.name);
        assert!(conf.contains("controller.quorum.bootstrap.servers="), "{}: {conf}", h.name);
    }
    let auth = super::recover::login(admin_properties);
    for h in world.hosts() {
        let addr = format!("{}:9092", h.ip);
        let (finalized, _) = feature_levels(&addr, &auth, KRAFT_VERSION).await.unwrap();
        assert_eq!(finalized, Some(1), "{addr} reports kraft.version 1");
    }
    click(c, "#file-save").await;
    let saved_bootstrap = || {
        let text = std::fs::read_to_string(project).unwrap();
        kafka_wizard::project::parse(&text).ok().and_then(|d| d.kraft).and_then(|k| k.bootstrap_controllers)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while saved_bootstrap() != Some(vec![1, 2, 3]) {
        assert!(
            Instant::now() < deadline,
            "the saved project's bootstrap controllers: {:?}\n{}",
            saved_bootstrap(),
            std::fs::read_to_string(project).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "MEASURE app Convert quorum… of 3 KRaft 4.1 nodes: {took:.1}s from the confirmation to its result (kraft.version \
         1, each node restarted once onto controller.quorum.bootstrap.servers); {:.1}s in all with the checks",
        t_all.elapsed().as_secs_f64()
    );
}
