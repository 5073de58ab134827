//! Property tests: no input panics the parser, the validator, or (for valid projects) rendering, planning and
//! export. Inputs: arbitrary text, byte-level mutations of a real project, and random structured drafts built
//! from values chosen to hit edge cases. Also: saving any draft over a commented project file reads back as that
//! draft (the desktop app's Save keeps the user's text).

use kafka_wizard::project::draft::{
    HostDraft, KafkaDraft, KraftDraft, MonitoringDraft, ProjectDraft, SshDraft, ZookeeperDraft,
};
use kafka_wizard::{export, plan, project};
use proptest::prelude::*;

const SEED: &str = include_str!("fixtures/seed-cluster.toml");
const MIXED: &str = include_str!("fixtures/mixed-zookeeper.toml");

/// Everything downstream of a draft: must never panic.
fn exercise(draft: &ProjectDraft) {
    let validation = project::validate(draft);
    for p in &validation.problems {
        assert!(!p.field.is_empty() || p.field.is_empty());
        let _ = p.to_string();
        // Every problem, whatever the draft, has its Korean message too.
        assert!(
            p.message_ko != p.message && p.message_ko.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c)),
            "untranslated: {p} / {}",
            p.message_ko
        );
    }
    if let Some(spec) = validation.spec {
        let _ = plan::plan(&spec);
        let _ = export::entries(&spec);
    }
}

fn exercise_text(text: &str) {
    if let Ok(draft) = project::parse(text) {
        exercise(&draft);
    }
}

fn pick<T: Clone + std::fmt::Debug + 'static>(values: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(values)
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    proptest::option::of(s)
}

const STRINGS: &[&str] = &[
    "",
    " ",
    "/",
    "//",
    "/data1",
    "/data1/",
    "data",
    "/a,b",
    "/a b",
    "/zookeeper",
    "/x/..",
    "~/.ssh/id",
    "h1",
    "H1",
    "10.0.0.1",
    "::1",
    "[::1]",
    "fd00::4",
    "a_b",
    "-x",
    "é",
    "2.8.0",
    "3.9.1",
    "4.1.1",
    "3.3.0",
    "9.9.9",
    "2.13",
    "2.12",
    "2.11",
    "kraft",
    "zookeeper",
    "1g",
    "512m",
    "0g",
    "99999999g",
    "root",
    "kafka",
    "http://m",
    "https://",
    "q2nNPvlTSGmhSmxqXwJ5Ag",
    "AAAAAAAAAAAAAAAAAAAAAA",
    "zk1:2181",
    "zk1",
    ":2181",
    "a:99999",
    "\n",
    "$(x)",
];
const INTS: &[i64] = &[i64::MIN, -1, 0, 1, 2, 3, 255, 256, 1000, 1001, 1023, 2181, 9092, 9093, 65535, 65536, i64::MAX];
const ROLES: &[&str] = &["broker", "controller", "zookeeper", "", "Broker", "zk"];

fn s() -> impl Strategy<Value = String> {
    pick(STRINGS).prop_map(str::to_string)
}
fn i() -> impl Strategy<Value = i64> {
    pick(INTS)
}
fn strings() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(s(), 0..4)
}

fn ssh() -> impl Strategy<Value = SshDraft> {
    (opt(s()), opt(i()), opt(s()), opt(s()), opt(any::<bool>()), opt(s()), opt(any::<bool>())).prop_map(
        |(user, port, identity_file, known_hosts, sudo, jump, use_ssh_config)| SshDraft {
            user,
            port,
            identity_file,
            known_hosts,
            sudo,
            jump,
            use_ssh_config,
        },
    )
}

fn host() -> impl Strategy<Value = HostDraft> {
    (
        s(),
        opt(s()),
        proptest::collection::vec(pick(ROLES).prop_map(str::to_string), 0..3),
        opt(pick(&[0i64, 1, 2, 3, 4, -1, 1001][..])),
        opt(pick(&[0i64, 1, 2, 3, 256][..])),
        opt(s()),
        opt(strings()),
        opt(ssh()),
    )
        .prop_map(|(name, address, roles, id, zookeeper_id, rack, data_dirs, ssh)| HostDraft {
            name,
            address,
            roles,
            id,
            zookeeper_id,
            rack,
            data_dirs,
            ssh,
            connection: None,
            tls_cert: None,
            tls_key: None,
        })
}

fn kafka() -> impl Strategy<Value = KafkaDraft> {
    (
        (opt(s()), opt(s()), opt(s()), opt(s()), opt(s()), opt(s())),
        (opt(strings()), opt(i()), opt(s()), opt(s()), opt(s()), opt(s())),
        proptest::collection::btree_map(s(), i().prop_map(toml::Value::Integer), 0..3),
        opt(strings()),
    )
        .prop_map(
            |(
                (version, scala, mode, install_dir, config_dir, log_dir),
                (data_dirs, listener_port, heap, user, java_home, mirror),
                properties,
                jvm_opts,
            )| KafkaDraft {
                version,
                scala,
                mode,
                install_dir,
                config_dir,
                log_dir,
                data_dirs,
                listener_port,
                heap,
                jvm_opts,
                user,
                java_home,
                mirror,
                apache_url: None,
                tarball: None,
                distribution: None,
                properties,
            },
        )
}

fn zookeeper() -> impl Strategy<Value = ZookeeperDraft> {
    (
        (opt(s()), opt(i()), opt(i()), opt(i()), opt(s())),
        (opt(s()), opt(s()), opt(i()), opt(i()), opt(i()), opt(strings())),
        (opt(strings()), opt(any::<bool>())),
    )
        .prop_map(
            |(
                (chroot, client_port, quorum_port, election_port, data_dir),
                (log_dir, heap, tick_time, init_limit, sync_limit, external),
                (jvm_opts, quorum_tls),
            )| {
                ZookeeperDraft {
                    chroot,
                    client_port,
                    quorum_port,
                    election_port,
                    data_dir,
                    log_dir,
                    heap,
                    jvm_opts,
                    tick_time,
                    init_limit,
                    sync_limit,
                    quorum_tls,
                    external,
                }
            },
        )
}

fn draft() -> impl Strategy<Value = ProjectDraft> {
    (
        opt(s()),
        kafka(),
        opt(zookeeper()),
        opt((opt(s()), opt(i()), opt(s())).prop_map(|(cluster_id, controller_port, quorum)| KraftDraft {
            cluster_id,
            controller_port,
            quorum,
            bootstrap_controllers: None,
        })),
        ssh(),
        proptest::collection::vec(host(), 0..7),
        opt((opt(proptest::bool::ANY), opt(i()), opt(i()), opt(s()))),
    )
        .prop_map(|(name, kafka, zookeeper, kraft, ssh, hosts, monitoring)| ProjectDraft {
            format: 1,
            name,
            kafka,
            zookeeper,
            kraft,
            ssh,
            hosts,
            security: None,
            preflight: None,
            logging: None,
            monitoring: monitoring.map(|(prometheus, kafka_port, zookeeper_port, maven_url)| MonitoringDraft {
                prometheus,
                kafka_port,
                zookeeper_port,
                maven_url,
            }),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in "\\PC*") {
        exercise_text(&text);
    }

    #[test]
    fn mutated_real_projects_never_panic(base in pick(&[SEED, MIXED][..]), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)) {
        let mut bytes = base.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 if !bytes.is_empty() => { bytes.remove(i.min(bytes.len() - 1)); }
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if !bytes.is_empty() => { let j = i.min(bytes.len() - 1); bytes[j] = byte; }
                _ => {}
            }
        }
        exercise_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_structured_projects_never_panic_the_validator_or_renderer(d in draft()) {
        exercise(&d);
        // A draft also round-trips through TOML without panicking.
        let text = project::draft::to_toml(&d);
        exercise_text(&text);
    }

    #[test]
    fn any_draft_saved_over_a_commented_project_file_reads_back_as_that_draft(base in pick(&[SEED, MIXED][..]), d in draft()) {
        let saved = project::file::merge_into(base, &d);
        prop_assert_eq!(project::parse(&saved).unwrap(), d);
    }
}

#[test]
fn every_fixture_saved_unchanged_is_byte_for_byte_the_same_file() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(draft) = project::parse(&text) else { continue };
        assert_eq!(project::file::merge_into(&text, &draft), text, "{}", path.display());
    }
}

#[test]
fn random_drafts_do_reach_valid_projects_sometimes() {
    // Guards the generator itself: if no random draft were ever valid, the renderer would go untested.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut valid = 0;
    let base = project::parse(SEED).unwrap();
    for _ in 0..2000 {
        let mut d = draft().new_tree(&mut runner).unwrap().current();
        // Keep the structure of the guide's cluster, randomise the rest.
        d.hosts = base.hosts.clone();
        d.kafka = KafkaDraft { heap: d.kafka.heap, listener_port: d.kafka.listener_port, ..base.kafka.clone() };
        d.kraft = None;
        if project::validate(&d).spec.is_some() {
            valid += 1;
        }
    }
    assert!(valid > 0, "no random draft was valid");
}
