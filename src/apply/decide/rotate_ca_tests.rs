use super::*;
use crate::security::Secret;
use std::collections::BTreeMap;
use CaStage::*;

const TRUST: &str = "/etc/kafka/tls/ca.pem";
const KEY: &str = "/etc/kafka/tls/node.pem";

fn material() -> RotationMaterial {
    let keystores = |ca: &str| -> BTreeMap<String, Secret> {
        ["a", "b", "c"].iter().map(|h| (h.to_string(), Secret::new(format!("key of {h} from {ca}\n")))).collect()
    };
    RotationMaterial {
        old_ca: "OLD CA\n".into(),
        new_ca: "NEW CA\n".into(),
        new_fingerprint: "AB:CD".into(),
        old_keystores: keystores("old"),
        new_keystores: keystores("new"),
    }
}

/// The facts of a host whose files hold `stage` (and that owes Kafka a restart when `owes`).
fn facts(m: &RotationMaterial, host: &str, stage: CaStage, owes: bool) -> HostFacts {
    let mut f = HostFacts::default();
    f.files.insert(TRUST.into(), Some(sha512_hex(m.truststore(stage).as_bytes())));
    f.files.insert(KEY.into(), Some(sha512_hex(m.keystore(host, stage).unwrap().expose().as_bytes())));
    if owes {
        f.pending_restart.insert(Service::Kafka.unit().to_string());
    }
    f
}

fn node(host: &str, files: CaStage, owes_restart: bool) -> NodeStage {
    NodeStage { host: host.into(), files, owes_restart }
}

#[test]
fn each_stage_of_a_nodes_files_is_read_from_their_digests() {
    let m = material();
    for stage in CaStage::ALL {
        let read = node_stage(&m, "b", TRUST, KEY, &facts(&m, "b", stage, false)).unwrap();
        assert_eq!(read, node("b", stage, false));
    }
    let owed = node_stage(&m, "b", TRUST, KEY, &facts(&m, "b", NewCertificates, true)).unwrap();
    assert_eq!(owed.running(), TrustBoth, "files written but not restarted: it runs the stage before");
    assert_eq!(node("b", Old, true).running(), Old, "a restart owed for something else before any rotation");
}

#[test]
fn files_that_match_no_stage_are_refused_naming_the_host_and_files() {
    let m = material();
    let mut mixed = facts(&m, "a", New, false);
    mixed.files.insert(KEY.into(), Some(sha512_hex(m.keystore("a", Old).unwrap().expose().as_bytes())));
    let err = node_stage(&m, "a", TRUST, KEY, &mixed).unwrap_err();
    assert!(err.starts_with("a: /etc/kafka/tls/ca.pem and /etc/kafka/tls/node.pem hold neither"), "{err}");
    assert!(node_stage(&m, "a", TRUST, KEY, &HostFacts::default()).is_err(), "a node without the files");
    let other_host = facts(&m, "b", Old, false);
    assert!(node_stage(&m, "a", TRUST, KEY, &other_host).is_err(), "another node's keystore");
}

#[test]
fn from_every_settled_stage_the_run_carries_out_exactly_the_passes_left() {
    let all = |stage| vec![node("a", stage, false), node("b", stage, false), node("c", stage, false)];
    assert_eq!(passes_to_run(&all(Old)).unwrap(), [TrustBoth, NewCertificates, New]);
    assert_eq!(passes_to_run(&all(TrustBoth)).unwrap(), [NewCertificates, New]);
    assert_eq!(passes_to_run(&all(NewCertificates)).unwrap(), [New]);
    assert_eq!(passes_to_run(&all(New)).unwrap(), Vec::<CaStage>::new(), "rotated: nothing to do");
    assert_eq!(passes_to_run(&[]).unwrap(), Vec::<CaStage>::new());
}

#[test]
fn a_run_killed_during_a_pass_repeats_that_pass_and_never_writes_a_node_back() {
    // Killed while writing pass 2's files: a and b hold them (restart owed), c does not yet.
    let writing = [node("a", NewCertificates, true), node("b", NewCertificates, true), node("c", TrustBoth, false)];
    assert_eq!(passes_to_run(&writing).unwrap(), [NewCertificates, New]);
    // Killed during pass 2's roll: a restarted, b and c still owe it.
    let rolling =
        [node("a", NewCertificates, false), node("b", NewCertificates, true), node("c", NewCertificates, true)];
    assert_eq!(passes_to_run(&rolling).unwrap(), [NewCertificates, New]);
    // Killed after pass 3's roll, before the store finished the rotation.
    let done = [node("a", New, false), node("b", New, false), node("c", New, false)];
    assert_eq!(passes_to_run(&done).unwrap(), Vec::<CaStage>::new());
    // A restart owed for another reason (a changed setting) on a node behind: its files still decide the pass.
    let owed = [node("a", TrustBoth, true), node("b", NewCertificates, false), node("c", NewCertificates, false)];
    assert_eq!(passes_to_run(&owed).unwrap(), [NewCertificates, New], "never pass 1 again over b's and c's files");
}

#[test]
fn nodes_more_than_one_stage_apart_are_refused() {
    let apart = [node("a", Old, false), node("b", NewCertificates, false)];
    let err = passes_to_run(&apart).unwrap_err();
    assert!(err.contains("b: trusts the old and the new CA, presents the new CA's certificate"), "{err}");
    assert!(err.contains("a: trusts the old CA"), "{err}");
}

/// A model of the runner: a pass writes its files on every node (each write owes a restart), then rolls the nodes
/// one at a time. A run may be killed after any single action; the next run starts from the nodes' files and owed
/// restarts only. Every run ends with every node running the new CA alone, and at every moment the running nodes
/// trust each other's certificates.
#[test]
fn a_rotation_killed_after_any_action_converges_on_the_next_run_without_splitting_the_cluster() {
    let actions_of_a_full_rotation = 3 * (3 + 3);
    for kill_after in 0..=actions_of_a_full_rotation {
        let mut nodes = vec![node("a", Old, false), node("b", Old, false), node("c", Old, false)];
        let mut done = 0;
        let mut run = |nodes: &mut Vec<NodeStage>, budget: Option<usize>| {
            for pass in passes_to_run(nodes).unwrap() {
                for n in nodes.iter_mut() {
                    if budget.is_some_and(|b| done >= b) {
                        return;
                    }
                    if n.files != pass {
                        *n = node(&n.host.clone(), pass, true);
                    }
                    done += 1;
                }
                for i in 0..nodes.len() {
                    if budget.is_some_and(|b| done >= b) {
                        return;
                    }
                    nodes[i].owes_restart = false;
                    done += 1;
                    assert_trust_each_other(nodes);
                }
            }
        };
        run(&mut nodes, Some(kill_after));
        assert_trust_each_other(&nodes);
        run(&mut nodes, None);
        assert!(nodes.iter().all(|n| n.running() == New && n.files == New), "kill after {kill_after}: {nodes:?}");
        assert_eq!(passes_to_run(&nodes).unwrap(), Vec::<CaStage>::new(), "then: no changes");
    }
}

/// Every running node trusts the CA of every running node's certificate.
fn assert_trust_each_other(nodes: &[NodeStage]) {
    let trusts_old = |s: CaStage| s != New;
    let trusts_new = |s: CaStage| s != Old;
    let presents_new = |s: CaStage| matches!(s, NewCertificates | New);
    for a in nodes {
        for b in nodes {
            let (a, b) = (a.running(), b.running());
            let trusted = if presents_new(b) { trusts_new(a) } else { trusts_old(a) };
            assert!(trusted, "{a:?} does not trust {b:?}'s certificate: {nodes:?}");
        }
    }
}
