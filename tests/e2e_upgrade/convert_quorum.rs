//! The KRaft cluster just upgraded to 4.1 and finalized, still on the static quorum it was created with
//! (`controller.quorum.voters`), converted to a dynamic one (issue 14 part 3; docs/facts/kafka.md §36) under an
//! acks=all load. The project asking for `kraft.quorum = "dynamic"` alone is refused before anything changes,
//! naming `--convert-quorum`; its dry run shows the irreversible `kraft.version` step first; the conversion loses
//! no acknowledged record, leaves every node on `controller.quorum.bootstrap.servers` without the voters, every
//! broker reporting `kraft.version` 1 and the leader's voters the three controllers with their real directory ids
//! (those of each controller's `meta.properties`); the project saves its bootstrap controllers, and the next runs
//! (plain and with `--convert-quorum`) change and restart nothing.

use super::{invocations, ok, wizard, Load};
use kafka_wizard::apply::upgrade::features::{feature_levels, KRAFT_VERSION};
use kafka_wizard::security::KafkaAuth;
use std::path::Path;
use std::time::Instant;

use super::support::world::World;

pub fn static_quorum_converted_to_dynamic_under_load(
    world: &World,
    project: &Path,
    hosts: &[String],
    addrs: &[String],
) {
    let p = project.to_str().unwrap();
    let text = std::fs::read_to_string(project).unwrap();
    let text = match text.contains("[kraft]\n") {
        true => text.replacen("[kraft]\n", "[kraft]\nquorum = \"dynamic\"\n", 1),
        false => format!("{text}\n[kraft]\nquorum = \"dynamic\"\n"),
    };
    std::fs::write(project, &text).unwrap();
    let before = invocations(world, hosts, "kafka-server");

    let (out, said) = wizard(&["deploy", p]);
    assert!(!out.status.success() && said.contains("deploy --convert-quorum"), "{said}");
    assert!(said.contains("nothing was changed"), "{said}");
    let dry = ok(&["deploy", "--convert-quorum", "--dry-run", p]);
    assert!(dry.contains("raise kraft.version to 1") && dry.contains("irreversible"), "{dry}");
    assert_eq!(invocations(world, hosts, "kafka-server"), before, "neither the refusal nor the dry run restarts");

    let load = Load::start(&[&addrs.join(","), "convert-load"]);
    let t0 = Instant::now();
    let said = ok(&["deploy", "--convert-quorum", p]);
    let took = t0.elapsed().as_secs_f64();
    eprintln!("[deploy --convert-quorum]\n{said}");
    load.stop(&format!("static → dynamic quorum conversion ({took:.1}s)"), took);
    assert!(said.contains("kraft.version 1: the quorum is dynamic"), "{said}");

    let after = invocations(world, hosts, "kafka-server");
    for (h, (old, new)) in hosts.iter().zip(before.iter().zip(&after)) {
        assert_ne!(old, new, "{h} was rolled onto its new configuration");
        let conf = world.ssh_ok(h, "root", "grep -E '^controller\\.quorum\\.' /etc/kafka/server.properties || true");
        assert!(!conf.contains("controller.quorum.voters"), "{h}: {conf}");
        assert!(conf.contains("controller.quorum.bootstrap.servers="), "{h}: {conf}");
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    for a in addrs {
        let (finalized, _) = rt.block_on(feature_levels(a, &KafkaAuth::plaintext(), KRAFT_VERSION)).unwrap();
        assert_eq!(finalized, Some(1), "{a} reports kraft.version 1");
    }
    let spec = kafka_wizard::project::load(project).unwrap().validation.spec.unwrap();
    let (members, _) = rt.block_on(kafka_wizard::apply::membership::describe(&spec)).unwrap();
    assert_eq!(members.voters.iter().map(|v| v.id).collect::<Vec<_>>(), [1, 2, 3], "{members:?}");
    for (h, v) in hosts.iter().zip(&members.voters) {
        let meta = world.ssh_ok(h, "root", "grep ^directory.id= /var/lib/kafka/data/meta.properties");
        assert_eq!(meta.trim(), format!("directory.id={}", v.directory_id_text()), "{h}'s voter record");
    }
    let saved = std::fs::read_to_string(project).unwrap();
    assert!(saved.contains("bootstrap_controllers = [1, 2, 3]"), "the conversion saves the bootstrap list: {saved}");
    eprintln!(
        "MEASURE static → dynamic quorum conversion of 3 combined KRaft {} nodes under load: {took:.1}s; voters \
         {:?} with their meta.properties directory ids",
        spec.kafka.release.version,
        members.voters.iter().map(|v| (v.id, v.directory_id_text())).collect::<Vec<_>>()
    );

    for args in [vec!["deploy", p], vec!["deploy", "--convert-quorum", p]] {
        let said = ok(&args);
        assert!(said.contains("no changes"), "{args:?}: {said}");
    }
    assert_eq!(invocations(world, hosts, "kafka-server"), after, "nothing restarted after the conversion");
}
