use super::*;
use crate::apply::membership::Replica;

fn spec(text: &str) -> ClusterSpec {
    let draft = crate::project::parse(text).unwrap();
    let v = crate::project::validate(&draft);
    let errors: Vec<String> = v.errors().map(|p| p.to_string()).collect();
    v.spec.unwrap_or_else(|| panic!("{errors:?}"))
}

fn dynamic() -> ClusterSpec {
    spec(include_str!("../../tests/fixtures/kraft-dynamic.toml"))
}

fn members(hw: i64, voters: &[(i32, i64)]) -> Members {
    Members {
        leader_id: voters[0].0,
        high_watermark: hw,
        voters: voters
            .iter()
            .map(|&(id, log_end)| Replica { id, directory_id: uuid::Uuid::from_u128(id as u128), log_end })
            .collect(),
        observers: vec![],
    }
}

#[test]
fn a_dedicated_controller_of_a_dynamic_quorum_is_removed_voter_first_then_stopped_then_dropped() {
    let s = dynamic();
    assert_eq!(static_refusal(&s, 13), None);
    let ids: Vec<&str> = plan(&s, 13).phases.iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["remove-voter", "stop-broker", "drop-from-project", "quorum-healthy"]);
    assert!(plan(&s, 13).phases[0].title().contains("controller 13 (c3)"), "{:?}", plan(&s, 13).phases[0].title());
}

#[test]
fn a_static_quorum_an_old_release_a_broker_id_and_a_combined_node_are_refused_with_the_reason() {
    let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
    let static_quorum = spec(&fixture.replace("quorum = \"dynamic\"\n", ""));
    let why = static_refusal(&static_quorum, 13).unwrap();
    assert!(why.contains("static") && why.contains("4.1") && why.contains("does not do that conversion yet"), "{why}");
    let old = spec(
        &fixture
            .replace("quorum = \"dynamic\"\n", "")
            .replace("version = \"4.1.1\"", "version = \"3.8.1\"\nmode = \"kraft\""),
    );
    assert!(static_refusal(&old, 13).unwrap().contains("needs Kafka 3.9.0 or later"));
    assert!(static_refusal(&dynamic(), 1).unwrap().contains("no host in the project is controller 1"));
    let combined =
        spec(&fixture.replace("roles = [\"controller\"]\nid = 13", "roles = [\"broker\", \"controller\"]\nid = 13"));
    assert!(static_refusal(&combined, 13).unwrap().contains("combined broker and controller"));
}

#[test]
fn removing_a_voter_is_refused_while_a_remaining_voter_lags_or_is_not_in_the_project() {
    let s = dynamic();
    assert_eq!(
        quorum_refusal(&s, &members(900, &[(11, 900), (12, 895), (13, 100)]), 13, 10),
        None,
        "the leaving one may lag"
    );
    let why = quorum_refusal(&s, &members(900, &[(11, 900), (12, 500), (13, 900)]), 13, 10).unwrap();
    assert!(why.contains("node 12") && why.contains("not caught up"), "{why}");
    let why = quorum_refusal(&s, &members(900, &[(11, 900), (12, -1), (13, 900)]), 13, 10).unwrap();
    assert!(why.contains("node 12"), "{why}");
    let why = quorum_refusal(&s, &members(900, &[(11, 900), (77, 900), (13, 900)]), 13, 10).unwrap();
    assert!(why.contains("node 77"), "{why}");
    assert!(quorum_refusal(&s, &members(900, &[(13, 900)]), 13, 10).unwrap().contains("only voter"));
}

#[test]
fn a_removal_leaving_fewer_than_three_voters_warns_that_no_failure_is_tolerated_and_the_last_is_refused() {
    let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
    let four = spec(&format!(
        "{fixture}\n[[hosts]]\nname = \"c4\"\naddress = \"10.2.0.14\"\nroles = [\"controller\"]\nid = 14\n"
    ));
    assert_eq!(warnings(&four, 14), Vec::<String>::new(), "4 → 3 voters still tolerates one failure");
    assert_eq!(plan(&four, 14).warnings, Vec::<String>::new());

    let w = plan(&dynamic(), 13).warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("the quorum is left with 2 voter(s) ([11, 12]): a majority of 2 is 2"), "{w:?}");
    assert!(w[0].contains("no longer tolerates a controller failure") && w[0].contains("add one"), "{w:?}");

    let two = spec(
        &fixture
            .replace("[[hosts]]\nname = \"c3\"\naddress = \"10.2.0.13\"\nroles = [\"controller\"]\nid = 13\n\n", ""),
    );
    assert!(warnings(&two, 12)[0].starts_with("the quorum is left with 1 voter(s) ([11])"), "{:?}", warnings(&two, 12));

    let one = spec(&fixture.replace(
        "[[hosts]]\nname = \"c2\"\naddress = \"10.2.0.12\"\nroles = [\"controller\"]\nid = 12\n\n[[hosts]]\nname = \"c3\"\naddress = \"10.2.0.13\"\nroles = [\"controller\"]\nid = 13\n\n",
        "",
    ));
    assert!(static_refusal(&one, 11).unwrap().contains("the cluster's only controller"));
}

#[test]
fn removing_a_bootstrap_controller_says_the_new_list_takes_effect_at_each_nodes_next_restart() {
    let fixture = include_str!("../../tests/fixtures/kraft-dynamic.toml");
    let four = spec(&format!(
        "{}\n[[hosts]]\nname = \"c4\"\naddress = \"10.2.0.14\"\nroles = [\"controller\"]\nid = 14\n",
        fixture.replace("quorum = \"dynamic\"\n", "quorum = \"dynamic\"\nbootstrap_controllers = [11, 12, 13]\n")
    ));
    assert_eq!(warnings(&four, 14), Vec::<String>::new(), "not a bootstrap controller: nothing changes elsewhere");
    let w = warnings(&four, 11);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("bootstrap controller") && w[0].contains("the list becomes [12, 13]"), "{w:?}");
    assert!(w[0].contains("without restarting them") && w[0].contains("takes effect at each node's next restart"));
    assert_eq!(remaining_controllers(&four, 11), [12, 13, 14]);
}
