//! One test per validation rule: a valid base project with one thing broken must be refused (or warned about)
//! with the field named. Bases: the guide's ZooKeeper cluster and a three-node KRaft cluster.

#[path = "support/problems.rs"]
mod problems_support;

use kafka_wizard::project::spec::LoggingSpec;
use kafka_wizard::project::{self, Problem, Severity, Text};
use problems_support::{assert_translated, expect_in};

const ZK_BASE: &str = include_str!("fixtures/seed-cluster.toml");

const KRAFT_BASE: &str = r#"
format = 1
name = "k"
[kafka]
version = "4.1.1"
[kraft]
cluster_id = "q2nNPvlTSGmhSmxqXwJ5Ag"
[[hosts]]
name = "c1"
roles = ["broker", "controller"]
id = 1
[[hosts]]
name = "c2"
roles = ["broker", "controller"]
id = 2
[[hosts]]
name = "c3"
roles = ["broker", "controller"]
id = 3
"#;

/// Applies edits: each `(path, value)` sets a key (`hosts.3.id`, `kafka.data_dirs`) to a TOML value; the value
/// `!remove` removes the key.
fn edited(base: &str, edits: &[(&str, &str)]) -> String {
    let mut root = toml::Value::Table(base.parse::<toml::Table>().unwrap());
    for (path, value) in edits {
        let parts = split_path(path);
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut node = &mut root;
        for part in &parts[..parts.len() - 1] {
            node = match part.parse::<usize>() {
                Ok(i) => &mut node.as_array_mut().unwrap()[i],
                Err(_) => node
                    .as_table_mut()
                    .unwrap()
                    .entry(part.to_string())
                    .or_insert_with(|| toml::Value::Table(Default::default())),
            };
        }
        let table = node.as_table_mut().unwrap();
        let last = parts[parts.len() - 1].to_string();
        if *value == "!remove" {
            table.remove(&last);
        } else {
            let parsed: toml::Table =
                format!("v = {value}").parse().unwrap_or_else(|e| panic!("bad test value {value}: {e}"));
            table.insert(last, parsed["v"].clone());
        }
    }
    toml::to_string(&root).unwrap()
}

/// Splits `kafka.properties."broker.id"` into its keys, keeping quoted keys whole.
fn split_path(path: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for ch in path.chars() {
        match ch {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            _ => parts.last_mut().unwrap().push(ch),
        }
    }
    parts
}

fn problems(text: &str) -> Vec<Problem> {
    match project::parse(text) {
        Ok(draft) => {
            let found = project::validate(&draft).problems;
            assert_translated(&found);
            found
        }
        Err(e) => vec![Problem::error("(parse)", Text::english_only(e.to_string()))],
    }
}

#[track_caller]
fn expect(severity: Severity, text: &str, field: &str, fragment: &str) {
    expect_in(&problems(text), severity, field, fragment);
}

/// `rule!(test_name, base, [edits], field, "message fragment")` — an error naming the field.
macro_rules! rejects {
    ($name:ident, $base:expr, [$($path:expr => $value:expr),* $(,)?], $field:expr, $fragment:expr) => {
        #[test]
        fn $name() {
            expect(Severity::Error, &edited($base, &[$(($path, $value)),*]), $field, $fragment);
        }
    };
}

/// Like `rejects!` but for a warning, and the project must stay valid.
macro_rules! warns {
    ($name:ident, $base:expr, [$($path:expr => $value:expr),* $(,)?], $field:expr, $fragment:expr) => {
        #[test]
        fn $name() {
            let text = edited($base, &[$(($path, $value)),*]);
            expect(Severity::Warning, &text, $field, $fragment);
            let errors: Vec<_> = problems(&text).into_iter().filter(|p| p.is_error()).collect();
            assert!(errors.is_empty(), "a warning case must stay valid: {errors:?}");
        }
    };
}

#[test]
fn both_base_projects_are_valid_and_warned_only_that_they_are_unauthenticated() {
    let found = problems(ZK_BASE);
    assert!(found.len() == 1 && found[0].field == "security" && !found[0].is_error(), "{found:?}");
    assert!(problems(KRAFT_BASE).iter().all(|p| !p.is_error()));
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = edited(
        ZK_BASE,
        &[("hosts.3.id", "-1"), ("kafka.data_dirs", "[\"/data1\", \"data2\"]"), ("zookeeper.chroot", "\"x/\"")],
    );
    let found = problems(&text);
    for field in ["hosts[3].id", "kafka.data_dirs[1]", "zookeeper.chroot"] {
        assert!(found.iter().any(|p| p.field == field), "{field} missing from {found:?}");
    }
}

// Ids.
rejects!(a_duplicate_broker_id_is_refused, ZK_BASE, ["hosts.4.id" => "1"], "hosts[4].id", "also the id of hosts[3]");
rejects!(a_negative_broker_id_is_refused, ZK_BASE, ["hosts.3.id" => "-1"], "hosts[3].id", "out of range");
rejects!(a_duplicate_myid_is_refused, ZK_BASE, ["hosts.1.zookeeper_id" => "1"], "hosts[1].zookeeper_id", "also the myid");
rejects!(a_myid_of_zero_is_refused, ZK_BASE, ["hosts.0.zookeeper_id" => "0"], "hosts[0].zookeeper_id", "1–255");
rejects!(a_myid_above_255_is_refused, ZK_BASE, ["hosts.0.zookeeper_id" => "256"], "hosts[0].zookeeper_id", "1–255");
rejects!(a_broker_without_an_id_is_refused, ZK_BASE, ["hosts.3.id" => "!remove"], "hosts[3].id", "missing");
rejects!(an_ensemble_member_without_a_myid_is_refused, ZK_BASE, ["hosts.0.zookeeper_id" => "!remove"], "hosts[0].zookeeper_id", "missing");
rejects!(an_id_on_a_host_that_is_not_a_broker_is_refused, ZK_BASE, ["hosts.0.id" => "7"], "hosts[0].id", "only brokers and controllers");
rejects!(a_broker_id_above_reserved_broker_max_id_is_refused, ZK_BASE, ["hosts.3.id" => "1001"], "hosts[3].id", "reserved.broker.max.id");
rejects!(kraft_node_ids_are_unique_across_brokers_and_controllers, KRAFT_BASE, ["hosts.2.id" => "1"], "hosts[2].id", "unique id");

// Hosts.
rejects!(a_duplicate_host_name_is_refused, ZK_BASE, ["hosts.4.name" => "\"peter-kafka001\""], "hosts[4].name", "also hosts[3]");
rejects!(a_duplicate_address_is_refused, ZK_BASE, ["hosts.3.address" => "\"10.0.0.1\"", "hosts.4.address" => "\"10.0.0.1\""], "hosts[4].address", "also the address of hosts[3]");
rejects!(a_host_name_with_an_underscore_is_refused, ZK_BASE, ["hosts.3.name" => "\"peter_kafka\""], "hosts[3].name", "neither a valid host name");
rejects!(an_address_that_is_not_an_ip_or_name_is_refused, ZK_BASE, ["hosts.3.address" => "\"10.0.0.300\""], "hosts[3].address", "nor an IP address");
rejects!(a_host_without_a_name_is_refused, ZK_BASE, ["hosts.3.name" => "\"\""], "hosts[3].name", "missing");
rejects!(an_unknown_role_is_refused, ZK_BASE, ["hosts.3.roles" => "[\"borker\"]"], "hosts[3].roles[0]", "not a role");
rejects!(a_host_without_roles_is_refused, ZK_BASE, ["hosts.3.roles" => "[]"], "hosts[3].roles", "at least one role");
rejects!(a_cluster_without_brokers_is_refused, ZK_BASE, ["hosts.3.roles" => "[\"zookeeper\"]", "hosts.3.id" => "!remove", "hosts.3.zookeeper_id" => "4", "hosts.4.roles" => "[\"zookeeper\"]", "hosts.4.id" => "!remove", "hosts.4.zookeeper_id" => "5", "hosts.5.roles" => "[\"zookeeper\"]", "hosts.5.id" => "!remove", "hosts.5.zookeeper_id" => "6"], "hosts", "no host has the role \"broker\"");
rejects!(a_project_without_hosts_is_refused, ZK_BASE, ["hosts" => "[]"], "hosts", "no hosts");
// A ZooKeeper-mode project's controllers are the KRaft controllers of its migration to KRaft (apply/migrate).
const MIGRATING: &str = include_str!("fixtures/zookeeper-migrating.toml");
rejects!(a_broker_cannot_also_be_a_migration_controller, ZK_BASE, ["hosts.3.roles" => "[\"broker\", \"controller\"]"], "hosts[3].roles", "dedicated controllers");
warns!(
    controllers_in_a_zookeeper_mode_project_are_its_migration_to_kraft,
    MIGRATING,
    [],
    "hosts",
    "kafka-wizard migrate"
);
rejects!(a_migration_needs_kafka_3_7_or_newer, MIGRATING, ["kafka.version" => "\"3.6.2\""], "kafka.version", "from Kafka 3.7.0 on");
warns!(a_sasl_ssl_cluster_is_migrated, MIGRATING, ["security" => "{ protocol = \"sasl_ssl\" }"], "hosts", "kafka-wizard migrate");
rejects!(a_cluster_secured_with_tls_alone_is_not_migrated_yet, MIGRATING, ["security" => "{ protocol = \"ssl\" }"], "security.protocol", "not yet one secured with TLS alone");
rejects!(a_migration_keeps_the_running_clusters_id, MIGRATING, ["kraft.cluster_id" => "\"q2nNPvlTSGmhSmxqXwJ5Ag\""], "kraft.cluster_id", "reads from the brokers' storage");
rejects!(a_controller_port_beside_zookeeper_must_differ_from_its_ports, MIGRATING, ["kraft.controller_port" => "2181"], "zookeeper.client_port", "its own port");
rejects!(a_kraft_section_without_controllers_is_refused_in_zookeeper_mode, ZK_BASE, ["kraft" => "{ controller_port = 9093 }"], "kraft", "give hosts the role \"controller\"");
rejects!(the_zookeeper_role_is_refused_in_kraft_mode, KRAFT_BASE, ["hosts.0.roles" => "[\"broker\", \"zookeeper\"]", "hosts.0.zookeeper_id" => "1"], "hosts[0].roles", "no place in KRaft");

// Paths.
rejects!(a_relative_data_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/data1\", \"data2\"]"], "kafka.data_dirs[1]", "relative");
rejects!(the_root_directory_as_data_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/\"]"], "kafka.data_dirs[0]", "root directory");
rejects!(a_duplicate_data_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/data1\", \"/data1/\"]"], "kafka.data_dirs[1]", "listed twice");
rejects!(nested_data_dirs_are_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/data\", \"/data/kafka\"]"], "kafka.data_dirs[1]", "nested");
rejects!(a_comma_in_a_data_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/data1,/data2\"]"], "kafka.data_dirs[0]", "split the log.dirs list");
rejects!(whitespace_in_a_path_is_refused, ZK_BASE, ["kafka.install_dir" => "\"/usr/local kafka\""], "kafka.install_dir", "whitespace");
rejects!(shell_metacharacters_in_a_path_are_refused, ZK_BASE, ["zookeeper.data_dir" => "\"/var/lib/zk;reboot\""], "zookeeper.data_dir", "shell metacharacter");
rejects!(an_empty_data_dir_list_is_refused, ZK_BASE, ["kafka.data_dirs" => "[]"], "kafka.data_dirs", "at least one directory");
rejects!(a_host_data_dir_override_is_checked_too, ZK_BASE, ["hosts.3.data_dirs" => "[\"/data1\", \"$HOME/x\"]"], "hosts[3].data_dirs[1]", "shell metacharacter");
rejects!(config_inside_the_install_dir_is_refused, ZK_BASE, ["kafka.config_dir" => "\"/usr/local/kafka/config\""], "kafka.config_dir", "outside the install directory");
rejects!(a_data_dir_inside_the_install_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/usr/local/kafka-data\", \"/usr/local/x\"]"], "hosts[3].data_dirs[1]", "overlaps kafka.install_dir");
rejects!(kafka_data_in_the_zookeeper_data_dir_is_refused, ZK_BASE, ["hosts.3.roles" => "[\"broker\", \"zookeeper\"]", "hosts.3.zookeeper_id" => "4", "kafka.data_dirs" => "[\"/var/lib/zookeeper/kafka\"]"], "hosts[3].data_dirs[0]", "overlaps zookeeper.data_dir");
rejects!(the_system_directory_var_log_as_kafka_log_dir_is_refused, ZK_BASE, ["kafka.log_dir" => "\"/var/log\""], "kafka.log_dir", "/var/log is a system directory");
rejects!(the_system_directory_etc_as_config_dir_is_refused_with_a_subdirectory_to_use, ZK_BASE, ["kafka.config_dir" => "\"/etc/\""], "kafka.config_dir", "such as /etc/kafka");
rejects!(the_system_directory_home_as_a_data_dir_is_refused, ZK_BASE, ["kafka.data_dirs" => "[\"/data1\", \"/home\"]"], "kafka.data_dirs[1]", "system directory");
rejects!(a_system_directory_in_a_host_data_dir_override_is_refused, ZK_BASE, ["hosts.3.data_dirs" => "[\"/srv\"]"], "hosts[3].data_dirs[0]", "such as /srv/kafka");
rejects!(the_system_directory_var_lib_as_zookeeper_data_dir_is_refused, ZK_BASE, ["zookeeper.data_dir" => "\"/var/lib\""], "zookeeper.data_dir", "such as /var/lib/zookeeper");
rejects!(the_system_directory_tmp_as_zookeeper_log_dir_is_refused, ZK_BASE, ["zookeeper.log_dir" => "\"/tmp\""], "zookeeper.log_dir", "system directory");

#[test]
fn subdirectories_of_system_directories_and_a_system_install_dir_are_accepted() {
    let text = edited(
        ZK_BASE,
        &[
            ("kafka.install_dir", "\"/opt\""),
            ("kafka.config_dir", "\"/etc/kafka\""),
            ("kafka.log_dir", "\"/var/log/kafka\""),
            ("kafka.data_dirs", "[\"/srv/kafka\", \"/home/kafka-data\"]"),
            ("zookeeper.data_dir", "\"/var/lib/zookeeper\""),
            ("zookeeper.log_dir", "\"/var/log/zookeeper\""),
        ],
    );
    let errors: Vec<_> = problems(&text).into_iter().filter(|p| p.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

// Chroot.
rejects!(a_chroot_without_a_leading_slash_is_refused, ZK_BASE, ["zookeeper.chroot" => "\"peter-kafka\""], "zookeeper.chroot", "does not start with '/'");
rejects!(a_chroot_with_a_trailing_slash_is_refused, ZK_BASE, ["zookeeper.chroot" => "\"/peter-kafka/\""], "zookeeper.chroot", "ends with '/'");
rejects!(a_chroot_with_an_empty_element_is_refused, ZK_BASE, ["zookeeper.chroot" => "\"/kafka//prod\""], "zookeeper.chroot", "empty element");
rejects!(the_zookeeper_chroot_is_refused, ZK_BASE, ["zookeeper.chroot" => "\"/zookeeper\""], "zookeeper.chroot", "reserves");
rejects!(a_chroot_with_spaces_is_refused, ZK_BASE, ["zookeeper.chroot" => "\" /peter-kafka\""], "zookeeper.chroot", "whitespace");
rejects!(the_root_chroot_is_refused, ZK_BASE, ["zookeeper.chroot" => "\"/\""], "zookeeper.chroot", "not be isolated");

// Ports.
rejects!(a_port_above_65535_is_refused, ZK_BASE, ["kafka.listener_port" => "70000"], "kafka.listener_port", "1 to 65535");
rejects!(a_port_of_zero_is_refused, ZK_BASE, ["zookeeper.client_port" => "0"], "zookeeper.client_port", "not a TCP port");
rejects!(a_privileged_port_is_refused_for_the_non_root_service, ZK_BASE, ["kafka.listener_port" => "80"], "kafka.listener_port", "privileged port");
rejects!(an_ssh_port_out_of_range_is_refused, ZK_BASE, ["ssh.port" => "-22"], "ssh.port", "not a TCP port");
rejects!(colliding_ports_on_one_host_are_refused, ZK_BASE, ["hosts.3.roles" => "[\"broker\", \"zookeeper\"]", "hosts.3.zookeeper_id" => "4", "kafka.listener_port" => "2181"], "kafka.listener_port", "own port");
rejects!(the_dynamic_quorum_needs_kafka_3_9, KRAFT_BASE, ["kafka.version" => "\"3.8.1\"", "kafka.mode" => "\"kraft\"", "kraft.quorum" => "\"dynamic\""], "kraft.quorum", "needs Kafka 3.9.0 or later");
rejects!(a_quorum_kind_is_static_or_dynamic, KRAFT_BASE, ["kraft.quorum" => "\"elastic\""], "kraft.quorum", "not a quorum kind");
rejects!(the_controller_port_must_differ_from_the_listener_port, KRAFT_BASE, ["kraft.controller_port" => "9092"], "kraft.controller_port", "its own port");

// Versions and modes.
rejects!(an_unknown_release_line_is_refused_naming_the_known_lines, ZK_BASE, ["kafka.version" => "\"3.10.0\""], "kafka.version", "knows 2.0–2.8, 3.0–3.9, 4.0–4.4");
rejects!(an_unknown_major_is_refused_naming_the_known_lines, KRAFT_BASE, ["kafka.version" => "\"5.0.0\""], "kafka.version", "not a known Apache Kafka release line");
warns!(an_unknown_patch_of_a_known_line_is_a_warning_with_the_lines_facts, ZK_BASE, ["kafka.version" => "\"2.8.9\""], "kafka.version", "patch release of 2.8 with 2.8.2's facts (Scala builds, modes, Java 8–11)");
rejects!(a_malformed_version_is_refused, ZK_BASE, ["kafka.version" => "\"2.8\""], "kafka.version", "major.minor.patch");
rejects!(zookeeper_mode_on_kafka_4_is_refused, ZK_BASE, ["kafka.version" => "\"4.0.0\""], "kafka.mode", "removed in Kafka 4.0");
rejects!(kraft_before_3_3_is_refused, KRAFT_BASE, ["kafka.version" => "\"3.2.3\"", "kafka.mode" => "\"kraft\""], "kafka.mode", "3.3.1 or later");
rejects!(the_mode_is_required_where_both_are_supported, ZK_BASE, ["kafka.version" => "\"3.9.1\"", "kafka.mode" => "!remove"], "kafka.mode", "supports both");
rejects!(an_unknown_mode_is_refused, ZK_BASE, ["kafka.mode" => "\"zk\""], "kafka.mode", "not a mode");
rejects!(an_unpublished_scala_build_is_refused, ZK_BASE, ["kafka.version" => "\"2.3.1\"", "kafka.scala" => "\"2.13\""], "kafka.scala", "2.11, 2.12");
rejects!(scala_2_12_is_refused_for_kafka_4, KRAFT_BASE, ["kafka.scala" => "\"2.12\""], "kafka.scala", "not published");
rejects!(kraft_without_controllers_is_refused, KRAFT_BASE, ["hosts.0.roles" => "[\"broker\"]", "hosts.1.roles" => "[\"broker\"]", "hosts.2.roles" => "[\"broker\"]"], "hosts", "needs controllers");
rejects!(a_zookeeper_section_in_kraft_mode_is_refused, KRAFT_BASE, ["zookeeper.chroot" => "\"/k\""], "zookeeper", "no ZooKeeper");
rejects!(zookeeper_mode_without_an_ensemble_is_refused, ZK_BASE, ["hosts.0.roles" => "[\"broker\"]", "hosts.0.zookeeper_id" => "!remove", "hosts.0.id" => "10", "hosts.1.roles" => "[\"broker\"]", "hosts.1.zookeeper_id" => "!remove", "hosts.1.id" => "11", "hosts.2.roles" => "[\"broker\"]", "hosts.2.zookeeper_id" => "!remove", "hosts.2.id" => "12"], "hosts", "no ZooKeeper ensemble");
rejects!(an_external_ensemble_and_managed_members_together_are_refused, ZK_BASE, ["zookeeper.external" => "[\"zk9:2181\"]"], "zookeeper.external", "not both");
rejects!(an_external_ensemble_entry_with_a_chroot_is_refused, ZK_BASE, ["hosts.0.roles" => "[\"broker\"]", "hosts.0.zookeeper_id" => "!remove", "hosts.0.id" => "10", "hosts.1.roles" => "[\"broker\"]", "hosts.1.zookeeper_id" => "!remove", "hosts.1.id" => "11", "hosts.2.roles" => "[\"broker\"]", "hosts.2.zookeeper_id" => "!remove", "hosts.2.id" => "12", "zookeeper.external" => "[\"zk1:2181\", \"zk2:2181/kafka\"]"], "zookeeper.external[1]", "contains a chroot");
rejects!(a_malformed_cluster_id_is_refused, KRAFT_BASE, ["kraft.cluster_id" => "\"not-an-id\""], "kraft.cluster_id", "22-character");

// Properties.
rejects!(a_replication_factor_above_the_broker_count_is_refused, ZK_BASE, ["kafka.properties.\"default.replication.factor\"" => "4"], "kafka.properties.\"default.replication.factor\"", "more than the 3 broker(s)");
rejects!(overriding_broker_id_through_properties_is_refused, ZK_BASE, ["kafka.properties.\"broker.id\"" => "5"], "kafka.properties.\"broker.id\"", "set hosts[].id");
rejects!(overriding_zookeeper_connect_through_properties_is_refused, ZK_BASE, ["kafka.properties.\"zookeeper.connect\"" => "\"a:2181\""], "kafka.properties.\"zookeeper.connect\"", "generated by the wizard");
rejects!(overriding_listeners_through_properties_is_refused, ZK_BASE, ["kafka.properties.listeners" => "\"PLAINTEXT://:9092\""], "kafka.properties.\"listeners\"", "kafka.listener_port");
rejects!(overriding_log_dirs_through_properties_is_refused, ZK_BASE, ["kafka.properties.\"log.dirs\"" => "\"/x\""], "kafka.properties.\"log.dirs\"", "kafka.data_dirs");
rejects!(overriding_quorum_voters_through_properties_is_refused, KRAFT_BASE, ["kafka.properties.\"controller.quorum.voters\"" => "\"1@a:9093\""], "kafka.properties.\"controller.quorum.voters\"", "role \"controller\"");
rejects!(overriding_process_roles_through_properties_is_refused, KRAFT_BASE, ["kafka.properties.\"process.roles\"" => "\"broker\""], "kafka.properties.\"process.roles\"", "hosts[].roles");
rejects!(a_property_value_with_a_line_break_is_refused, ZK_BASE, ["kafka.properties.\"num.partitions\"" => "\"3\\nbroker.id=9\""], "kafka.properties.\"num.partitions\"", "line break");

// Other fields.
rejects!(an_unparseable_heap_is_refused, ZK_BASE, ["kafka.heap" => "\"1 gigabyte\""], "kafka.heap", "such as 512m or 4g");
rejects!(a_jvm_option_the_heap_field_owns_is_refused, ZK_BASE, ["kafka.jvm_opts" => "[\"-XX:+AlwaysPreTouch\", \"-Xmx8g\"]"], "kafka.jvm_opts", "change kafka.heap instead");
rejects!(a_second_garbage_collector_for_zookeeper_is_refused, ZK_BASE, ["zookeeper.jvm_opts" => "[\"-XX:+UseParallelGC\"]"], "zookeeper.jvm_opts", "already selects G1");
rejects!(running_kafka_as_root_is_refused, ZK_BASE, ["kafka.user" => "\"root\""], "kafka.user", "must not run as root");
rejects!(a_missing_cluster_name_is_refused, ZK_BASE, ["name" => "!remove"], "name", "missing");
rejects!(a_cluster_name_with_a_slash_is_refused, ZK_BASE, ["name" => "\"a/b\""], "name", "not a usable cluster name");
rejects!(a_missing_version_is_refused, ZK_BASE, ["kafka.version" => "!remove"], "kafka.version", "missing");
rejects!(an_unknown_distribution_is_refused_with_the_three_choices, ZK_BASE, ["kafka.distribution" => "\"fast\""], "kafka.distribution", "write \"auto\"");
rejects!(a_mirror_that_is_not_a_url_is_refused, ZK_BASE, ["kafka.mirror" => "\"ftp://x\""], "kafka.mirror", "not an http(s) URL");
rejects!(an_invalid_rack_is_refused, ZK_BASE, ["hosts.3.rack" => "\"rack a\""], "hosts[3].rack", "rack label");
rejects!(a_jump_host_of_the_wrong_shape_is_refused, ZK_BASE, ["ssh.jump" => "\"ops@bastion:ssh\""], "ssh.jump", "not a jump host");
rejects!(a_per_host_jump_host_names_its_host, ZK_BASE, ["hosts.2.ssh.jump" => "\"Ops@bastion\""], "hosts[2].ssh.jump", "not a valid user name");
rejects!(a_per_host_ssh_port_is_checked, ZK_BASE, ["hosts.3.ssh.port" => "0"], "hosts[3].ssh.port", "not a TCP port");

// Warnings.
warns!(an_even_ensemble_is_a_warning_that_explains_the_majority_rule, ZK_BASE, ["hosts.3.roles" => "[\"broker\", \"zookeeper\"]", "hosts.3.zookeeper_id" => "4"], "hosts", "works by majority");
warns!(a_single_member_ensemble_is_a_warning_about_a_single_point_of_failure, ZK_BASE, ["hosts.1.roles" => "[\"broker\"]", "hosts.1.zookeeper_id" => "!remove", "hosts.1.id" => "11", "hosts.2.roles" => "[\"broker\"]", "hosts.2.zookeeper_id" => "!remove", "hosts.2.id" => "12"], "hosts", "single point of failure");
warns!(zookeeper_on_a_broker_host_is_a_warning, ZK_BASE, ["hosts.3.roles" => "[\"broker\", \"zookeeper\"]", "hosts.3.zookeeper_id" => "4", "hosts.2.roles" => "[\"broker\", \"zookeeper\"]", "hosts.2.id" => "9"], "hosts[3].roles", "starve ZooKeeper");
warns!(combined_kraft_nodes_are_a_warning_for_production, KRAFT_BASE, [], "hosts[0].roles", "combined mode");
warns!(the_withdrawn_3_3_0_is_a_warning, KRAFT_BASE, ["kafka.version" => "\"3.3.0\"", "kafka.mode" => "\"kraft\""], "kafka.version", "use 3.3.2 instead");
warns!(the_withdrawn_3_2_2_is_a_warning, ZK_BASE, ["kafka.version" => "\"3.2.2\""], "kafka.version", "withdrawn");
warns!(an_even_controller_quorum_is_a_warning, KRAFT_BASE, ["hosts.2.roles" => "[\"broker\"]", "hosts.1.roles" => "[\"broker\", \"controller\"]"], "hosts", "even number");

// Reading the file.
#[test]
fn an_unknown_key_is_refused_with_its_path() {
    let text = edited(ZK_BASE, &[("hosts.2.rakc", "\"a\"")]);
    let err = project::parse(&text).unwrap_err();
    assert_eq!(err, project::draft::ParseError::UnknownKey { path: "hosts[2].rakc".into() });
    let err = project::parse(&edited(ZK_BASE, &[("kafka.dat_dirs", "[]")])).unwrap_err();
    assert_eq!(err.to_string().split(':').next().unwrap(), "kafka.dat_dirs");
    let err = project::parse(&edited(ZK_BASE, &[("colour", "1")])).unwrap_err();
    assert_eq!(err.to_string().split(':').next().unwrap(), "colour");
}

#[test]
fn a_project_file_that_names_signing_keys_or_turns_signature_checks_off_is_refused_saying_who_decides() {
    for (key, value) in [
        ("kafka.signing_keys", "[\"D3DF932A03037580D5453F498060FC0DA962AFE5\"]"),
        ("kafka.verify_signature", "false"),
        ("kafka.trusted_keys_url", "\"http://evil.example/KEYS\""),
        ("gpg_keyring", "\"/tmp/k\""),
    ] {
        let err = project::parse(&edited(ZK_BASE, &[(key, value)])).unwrap_err();
        assert_eq!(err, project::draft::ParseError::TrustSetting { path: key.into() }, "{key}");
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{key}: a project file cannot choose which keys sign")), "{msg}");
        assert!(msg.contains("kafka-wizard trust import KEYS_FILE"), "{msg}");
    }
    // A typo elsewhere is still an ordinary unknown key.
    let err = project::parse(&edited(ZK_BASE, &[("ssh.key_fil", "\"/k\"")])).unwrap_err();
    assert_eq!(err, project::draft::ParseError::UnknownKey { path: "ssh.key_fil".into() });
}

#[test]
fn a_later_format_is_refused_with_a_clear_message() {
    let err = project::parse(&edited(ZK_BASE, &[("format", "2")])).unwrap_err();
    assert!(err.to_string().contains("newer kafka-wizard"), "{err}");
    assert!(project::parse("name = \"x\"").unwrap_err().to_string().contains("format = 1"));
}

#[test]
fn a_wrong_type_names_the_field() {
    let err = project::parse(&edited(ZK_BASE, &[("hosts.3.id", "\"one\"")])).unwrap_err();
    assert!(err.to_string().starts_with("hosts[3].id:"), "{err}");
}

#[test]
fn a_kraft_project_defaults_to_the_newest_scala_and_kraft_mode() {
    let draft = project::parse(KRAFT_BASE).unwrap();
    let spec = project::validate(&draft).spec.unwrap();
    assert!(spec.is_kraft());
    assert_eq!(spec.kafka.scala, "2.13");
}
#[test]
fn a_host_named_local_is_accepted() {
    // `local` is an ordinary host name: the wizard's own machine is chosen by `connection = "local"`, not by a name.
    for connection in ["\"ssh\"", "\"local\""] {
        let text = edited(KRAFT_BASE, &[("hosts.0.name", "\"local\""), ("hosts.0.connection", connection)]);
        let found = problems(&text);
        assert!(found.iter().all(|p| !p.is_error()), "{found:?}");
        let spec = project::validate(&project::parse(&text).unwrap()).spec.unwrap();
        assert_eq!(spec.hosts[0].name.as_str(), "local");
        assert_eq!(reach(&text, 0).unwrap().name.as_str(), "local");
    }
}
rejects!(an_unknown_connection_is_refused, ZK_BASE, ["hosts.3.connection" => "\"telnet\""], "hosts[3].connection", "\"ssh\" (the default) or \"local\"");
rejects!(a_negative_preflight_min_free_mb_is_refused, ZK_BASE, ["preflight.min_free_mb" => "-1"], "preflight.min_free_mb", "is negative");

#[test]
fn preflight_min_free_mb_defaults_to_1024_and_0_turns_the_check_off() {
    let spec = |text: &str| project::validate(&project::parse(text).unwrap()).spec.unwrap().preflight.min_free_mb;
    assert_eq!(spec(ZK_BASE), 1024);
    assert_eq!(spec(&edited(ZK_BASE, &[("preflight.min_free_mb", "0")])), 0);
    assert_eq!(spec(&edited(ZK_BASE, &[("preflight.min_free_mb", "20480")])), 20480);
}

rejects!(a_logging_max_file_mb_of_0_is_refused, ZK_BASE, ["logging.max_file_mb" => "0"], "logging.max_file_mb", "0 is out of range — give the MiB a log file grows to before it is rotated, 1 to 10240");
rejects!(a_logging_max_file_mb_above_10_gib_is_refused, KRAFT_BASE, ["logging.max_file_mb" => "10241"], "logging.max_file_mb", "1 to 10240 (default 100)");
rejects!(a_negative_logging_max_files_is_refused, ZK_BASE, ["logging.max_files" => "-3"], "logging.max_files", "-3 is out of range — give how many rotated files to keep per log file, 1 to 100");
rejects!(a_logging_max_files_above_100_is_refused, KRAFT_BASE, ["logging.max_files" => "101"], "logging.max_files", "1 to 100 (default 10)");

#[test]
fn logging_defaults_to_100_mib_files_and_10_kept_and_takes_the_projects_values() {
    let spec = |text: &str| project::validate(&project::parse(text).unwrap()).spec.unwrap().logging;
    assert_eq!(spec(ZK_BASE), LoggingSpec { max_file_mb: 100, max_files: 10 });
    let both = edited(KRAFT_BASE, &[("logging.max_file_mb", "1"), ("logging.max_files", "1")]);
    assert_eq!(spec(&both), LoggingSpec { max_file_mb: 1, max_files: 1 });
    let one = edited(ZK_BASE, &[("logging.max_files", "100")]);
    assert_eq!(spec(&one), LoggingSpec { max_file_mb: 100, max_files: 100 });
}

rejects!(an_exporter_port_below_1024_is_refused, ZK_BASE, ["monitoring.kafka_port" => "80"], "monitoring.kafka_port", "80 is a privileged port");
rejects!(one_port_for_both_exporters_is_refused, ZK_BASE, ["monitoring.kafka_port" => "7100", "monitoring.zookeeper_port" => "7100"], "monitoring.zookeeper_port", "7100 is also monitoring.kafka_port");
rejects!(an_exporter_port_that_is_a_brokers_listener_is_refused, KRAFT_BASE, ["monitoring.prometheus" => "true", "monitoring.kafka_port" => "9092"], "monitoring.kafka_port", "9092 is also kafka.listener_port on");
rejects!(an_exporter_port_that_is_zookeepers_client_port_is_refused, ZK_BASE, ["monitoring.prometheus" => "true", "monitoring.zookeeper_port" => "2181"], "monitoring.zookeeper_port", "2181 is also zookeeper.client_port on");
rejects!(a_maven_url_that_is_not_http_is_refused, ZK_BASE, ["monitoring.maven_url" => "\"ftp://m/maven2\""], "monitoring.maven_url", "is not an http(s) URL — give the base of a repository with Maven's layout");

#[test]
fn monitoring_is_off_when_left_out_and_on_with_its_default_ports_when_asked() {
    let spec = |text: &str| project::validate(&project::parse(text).unwrap()).spec.unwrap().monitoring;
    assert_eq!(spec(ZK_BASE), None, "a project written before [monitoring] keeps meaning no exporter");
    assert_eq!(spec(&edited(ZK_BASE, &[("monitoring.prometheus", "false")])), None);
    let on = spec(&edited(KRAFT_BASE, &[("monitoring.prometheus", "true")])).unwrap();
    assert_eq!((on.kafka_port, on.zookeeper_port, on.maven_url), (7071, 7072, None));
    let edits = [("monitoring.prometheus", "true"), ("monitoring.maven_url", "\"http://m:8080/maven2/\"")];
    assert_eq!(spec(&edited(ZK_BASE, &edits)).unwrap().maven_url.as_deref(), Some("http://m:8080/maven2"));
}

#[test]
fn the_examples_new_projects_start_from_turn_monitoring_on() {
    for example in [include_str!("../examples/seed-cluster.toml"), include_str!("../examples/kraft-cluster.toml")] {
        let draft = project::parse(example).unwrap();
        assert_eq!(draft.monitoring.and_then(|m| m.prometheus), Some(true));
    }
}

// ---- Test connection checks one host on its own ----

fn reach(text: &str, index: usize) -> Result<project::validate::HostReach, Vec<Problem>> {
    let result = project::validate::check_host_reach(&project::parse(text).unwrap(), index);
    if let Err(found) = &result {
        assert_translated(found);
    }
    result
}

#[test]
fn a_host_can_be_reached_while_the_rest_of_the_project_is_unfinished() {
    // No version, no roles, no ids: the project is invalid, the host's reach is not.
    let text = "format = 1\n[ssh]\nuser = \"ops\"\nport = 2222\n[[hosts]]\nname = \"k1\"\naddress = \"10.0.0.5\"\n[[hosts]]\nname = \"k2\"\nssh = { user = \"admin\", port = 22 }\n";
    assert!(project::validate(&project::parse(text).unwrap()).spec.is_none());
    let first = reach(text, 0).unwrap();
    assert_eq!(
        (first.reach().as_str(), first.ssh.user.as_str(), first.ssh.port, first.ssh.sudo),
        ("10.0.0.5", "ops", 2222, true)
    );
    let second = reach(text, 1).unwrap();
    assert_eq!((second.reach().as_str(), second.ssh.user.as_str(), second.ssh.port), ("k2", "admin", 22));
}

#[test]
fn a_project_jump_host_applies_to_every_host_but_one_that_says_none() {
    let text = "format = 1\n[ssh]\njump = \"ops@bastion.example.com:2222\"\nuse_ssh_config = true\n[[hosts]]\nname = \"k1\"\n[[hosts]]\nname = \"k2\"\nssh = { jump = \"none\", user = \"admin\" }\n";
    let first = reach(text, 0).unwrap();
    let jump = first.ssh.jump.as_ref().expect("the project's jump host");
    assert_eq!(jump.to_string(), "ops@bastion.example.com:2222");
    let set = first.ssh.ssh_config.expect("use_ssh_config");
    assert!(set.jump && !set.user && !set.port && !set.sudo, "{set:?}");
    let second = reach(text, 1).unwrap();
    assert_eq!(second.ssh.jump, None);
    assert!(second.ssh.ssh_config.is_some_and(|s| s.user && s.jump));
}

#[test]
fn reaching_a_host_names_only_that_hosts_bad_fields() {
    let text =
        edited(ZK_BASE, &[("hosts.0.address", "\"no spaces allowed\""), ("hosts.1.id", "-5"), ("ssh.port", "70000")]);
    let problems = reach(&text, 0).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["hosts[0].address", "ssh.port"], "{problems:?}");
    assert!(reach(&text, 9).unwrap_err()[0].field == "hosts[9]");
}

#[test]
fn a_relative_key_file_known_hosts_or_tarball_is_warned_about_where_it_is_written() {
    let text = edited(
        ZK_BASE,
        &[
            ("ssh.identity_file", "\"keys/id_ed25519\""),
            ("hosts.4.ssh", "{ known_hosts = \"kh\" }"),
            ("kafka.tarball", "\"kafka.tgz\""),
        ],
    );
    expect(Severity::Warning, &text, "ssh.identity_file", "relative");
    expect(Severity::Warning, &text, "hosts[4].ssh.known_hosts", "relative");
    expect(Severity::Warning, &text, "kafka.tarball", "not from the project file's folder");
    let warned: Vec<String> =
        problems(&text).into_iter().filter(|p| p.message.contains("relative")).map(|p| p.field).collect();
    assert_eq!(warned.len(), 3, "once each, where written: {warned:?}");
    let absolute =
        edited(ZK_BASE, &[("ssh.identity_file", "\"~/.ssh/id_ed25519\""), ("kafka.tarball", "\"/srv/kafka.tgz\"")]);
    assert!(problems(&absolute).iter().all(|p| !p.message.contains("relative")), "{:?}", problems(&absolute));
}

// ---- Every problem also speaks Korean (the app's Korean mode shows `message_ko`) ----

#[test]
fn problems_carry_a_korean_message_with_the_same_values() {
    let found = problems(&edited(ZK_BASE, &[("hosts.4.id", "1")]));
    let p = found.iter().find(|p| p.field == "hosts[4].id").expect("the duplicate id");
    assert!(p.message.contains("is also the id of hosts[3]"), "{p}");
    assert!(p.message_ko.contains("hosts[3]") && p.message_ko.contains("고유한 id"), "{}", p.message_ko);
    let json = serde_json::to_value(p).unwrap();
    assert_eq!(json["message_ko"], p.message_ko.as_str());
}

#[test]
fn warnings_carry_a_korean_message_too() {
    // `problems` checks every message; here a warning is known to be among them.
    let found = problems(KRAFT_BASE);
    let combined =
        found.iter().find(|p| !p.is_error() && p.field == "hosts[0].roles").expect("the combined-mode warning");
    assert!(combined.message_ko.contains("combined 모드"), "{}", combined.message_ko);
}

// ---- Every field a problem can name has its entry in the field schema ----

/// Values that break most fields one way or another (wrong range, empty, relative, duplicated, nested, reserved).
const BREAKING_VALUES: &[&str] = &[
    "\"\"",
    "\"not valid!\"",
    "\"relative/dir\"",
    "\"root\"",
    "\"local\"",
    "-1",
    "0",
    "80",
    "5000",
    "70000",
    "[]",
    "[\"/a\", \"/a\"]",
    "[\"/a\", \"/a/b\"]",
    "[\"/opt/kafka/data\"]",
    "[\"/var/lib/zookeeper\"]",
    "[\"zk1:2181\"]",
    "[\"zk1\"]",
    "[\"broker\", \"broker\"]",
    "[\"zookeeper\"]",
    "[\"controller\"]",
    "true",
];

/// Breakages that need more than one field, or a particular one.
const BREAKING_EDITS: &[&[(&str, &str)]] = &[
    &[("name", "!remove")],
    &[("kafka.version", "!remove")],
    &[("kafka.version", "\"9.9.9\"")],
    &[("kafka.version", "\"2.8.1\""), ("kafka.mode", "!remove")],
    &[("kafka.version", "\"3.9.1\""), ("kafka.mode", "!remove")],
    &[("kafka.mode", "\"kraft\"")],
    &[("kafka.mode", "\"zookeeper\"")],
    &[("kafka.scala", "\"2.10\"")],
    &[("kafka.properties.\"broker.id\"", "1")],
    &[("kafka.properties.\"default.replication.factor\"", "99")],
    &[("kafka.properties.\"min.insync.replicas\"", "\"x\"")],
    &[("kafka.properties.\"bad key\"", "1")],
    &[("kafka.properties.\"a.b\"", "\"two\\nlines\"")],
    &[("kafka.properties.\"a.b\"", "[1]")],
    &[("hosts.0.address", "\"10.0.0.1\""), ("hosts.1.address", "\"10.0.0.1\"")],
    &[("hosts.1.name", "\"same\""), ("hosts.2.name", "\"same\"")],
    &[("hosts.1.id", "7"), ("hosts.2.id", "7")],
    &[("hosts.0.roles", "[\"broker\", \"zookeeper\"]"), ("hosts.0.id", "9"), ("hosts.0.zookeeper_id", "9")],
    &[("kraft.controller_port", "9092")],
    &[("zookeeper.client_port", "9092"), ("hosts.0.roles", "[\"broker\", \"zookeeper\"]"), ("hosts.0.id", "9")],
    &[("hosts.2.roles", "!remove"), ("hosts.2.zookeeper_id", "!remove")],
];

/// A ZooKeeper-mode cluster on an existing ensemble (`zookeeper.external`).
const EXTERNAL_ZK_BASE: &str = r#"
format = 1
name = "x"
[kafka]
version = "3.9.1"
mode = "zookeeper"
[zookeeper]
external = ["zk1:2181"]
[[hosts]]
name = "b1"
roles = ["broker"]
id = 1
"#;

/// `hosts[].ssh.port` -> `hosts.<index>.ssh.port`, as `edited` takes it.
fn edit_path(schema_path: &str, index: usize) -> String {
    schema_path.replace("[]", &format!(".{index}"))
}

/// Every problem field validation reports over the fixtures and over the bases with each field broken.
fn problem_fields() -> std::collections::BTreeSet<String> {
    let mut texts: Vec<String> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for base in [ZK_BASE, KRAFT_BASE, EXTERNAL_ZK_BASE] {
        let hosts = base.parse::<toml::Table>().unwrap()["hosts"].as_array().unwrap().len();
        // `[[security.acls]]` items do not exist in the bases to be broken (tests/validation_security.rs does that).
        for field in project::schema::fields().into_iter().filter(|f| !f.path.starts_with("security.acls[]")) {
            let indexes: &[usize] = if field.path.contains("[]") { &[0, 2] } else { &[0] };
            for &index in indexes.iter().filter(|&&i| i < hosts) {
                let path = edit_path(field.path, index);
                texts.extend(BREAKING_VALUES.iter().map(|value| edited(base, &[(path.as_str(), value)])));
            }
        }
        if hosts >= 3 {
            texts.extend(BREAKING_EDITS.iter().map(|edits| edited(base, edits)));
        }
    }
    texts.iter().flat_map(|text| problems(text)).map(|p| p.field).filter(|f| f != "(parse)").collect()
}

#[test]
fn every_field_a_problem_names_has_its_entry_in_the_field_schema() {
    let fields = problem_fields();
    assert!(fields.len() > 60, "the breakages reach most fields: {fields:?}");
    assert!(fields.contains("zookeeper.external[0]"), "{fields:?}");
    for field in &fields {
        let entry = project::schema::entry_for(field).unwrap_or_else(|| panic!("{field}: not in the field schema"));
        // Exactly its entry (indexes aside), an item of a listed list, or a key of kafka.properties.
        let shape: String = field.chars().filter(|c| !c.is_ascii_digit()).collect();
        let listed = shape == entry.path
            || shape.trim_end_matches("[]") == entry.path
            || (entry.path == "kafka.properties" && shape.starts_with("kafka.properties."));
        assert!(listed, "{field} falls under {} only as a deeper field — list it", entry.path);
    }
}
