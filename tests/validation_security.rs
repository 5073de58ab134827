//! `[security]` validation, one rule per test: a secure three-node KRaft project with one thing changed must be
//! refused (or warned about) with the field named — before any host is touched. Provided certificates are made
//! with the engine's own CA in a temporary directory.

#[path = "support/problems.rs"]
mod problems_support;

use kafka_wizard::project::{self, Problem, Severity};
use kafka_wizard::security::pki::ClusterCa;
use problems_support::{assert_translated, expect_in};
use std::path::Path;

/// Three combined KRaft nodes on `version`, then `security` (a TOML fragment: `[security]` and more).
fn project_text(version: &str, security: &str, host_extra: &[&str; 3]) -> String {
    let mut text = format!(
        "format = 1\nname = \"k\"\n[kafka]\nversion = \"{version}\"\nmode = \"kraft\"\n[kraft]\ncluster_id = \"q2nNPvlTSGmhSmxqXwJ5Ag\"\n"
    );
    for (i, extra) in host_extra.iter().enumerate() {
        let n = i + 1;
        text.push_str(&format!(
            "[[hosts]]\nname = \"c{n}.example.com\"\naddress = \"10.0.0.{n}\"\nroles = [\"broker\", \"controller\"]\nid = {n}\n{extra}\n"
        ));
    }
    text.push_str(security);
    text
}

const SECURE: &str = "[security]\nprotocol = \"sasl_ssl\"\nadmin_user = \"admin\"\nusers = [\"orders-app\"]\n";

fn problems(text: &str) -> Vec<Problem> {
    let draft = project::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let found = project::validate(&draft).problems;
    assert_translated(&found);
    found
}

/// The problems other than the combined-mode warnings the three-node base always gets.
fn security_problems(found: &[Problem]) -> Vec<&Problem> {
    found.iter().filter(|p| p.is_error() || !p.field.ends_with(".roles")).collect()
}

#[track_caller]
fn expect(severity: Severity, text: &str, field: &str, fragment: &str) {
    expect_in(&problems(text), severity, field, fragment);
}

fn secure_with(extra: &str) -> String {
    project_text("4.1.1", &format!("{SECURE}{extra}"), &["", "", ""])
}

#[test]
fn a_sasl_ssl_kraft_project_is_valid_without_warnings_and_its_spec_carries_the_users() {
    let draft = project::parse(&secure_with("")).unwrap();
    let v = project::validate(&draft);
    assert_eq!(security_problems(&v.problems), Vec::<&Problem>::new());
    let security = v.spec.unwrap().security.unwrap();
    assert_eq!(security.admin_user, "admin");
    assert_eq!(security.scram_users(), vec!["admin", "kafka-broker", "orders-app"]);
    assert_eq!(security.mechanism.name(), "SCRAM-SHA-512");
}

#[test]
fn a_project_without_security_is_plaintext_with_a_warning_that_it_is_unauthenticated() {
    let text = project_text("4.1.1", "", &["", "", ""]);
    expect(Severity::Warning, &text, "security", "unauthenticated");
    let v = project::validate(&project::parse(&text).unwrap());
    assert!(v.spec.unwrap().security.is_none());
    let text = project_text("4.1.1", "[security]\nprotocol = \"plaintext\"\n", &["", "", ""]);
    expect(Severity::Warning, &text, "security.protocol", "unauthenticated");
}

#[test]
fn an_unknown_protocol_or_mechanism_or_ca_choice_is_refused_by_field() {
    let t = |s: &str| project_text("4.1.1", s, &["", "", ""]);
    expect(Severity::Error, &t("[security]\nprotocol = \"sasl_plaintext\"\n"), "security.protocol", "not a protocol");
    expect(Severity::Error, &secure_with("sasl_mechanism = \"PLAIN\"\n"), "security.sasl_mechanism", "SCRAM-SHA-256");
    expect(Severity::Error, &secure_with("ca = \"mine\"\n"), "security.ca", "\"provided\"");
    expect(Severity::Error, &secure_with("ca_cert = \"/x.pem\"\n"), "security.ca_cert", "only with");
}

#[test]
fn user_names_that_scram_or_acls_cannot_take_are_refused() {
    let t = |users: &str| project_text("4.1.1", &format!("[security]\nusers = {users}\n"), &["", "", ""]);
    expect(Severity::Error, &t("[\"orders app\"]"), "security.users[0]", "cannot be a Kafka user");
    expect(Severity::Error, &t("[\"ok\", \"a,b\"]"), "security.users[1]", "cannot be a Kafka user");
    expect(Severity::Error, &t("[\"User:x\"]"), "security.users[0]", "cannot be a Kafka user");
    expect(Severity::Error, &t("[\"kafka-broker\"]"), "security.users[0]", "brokers' own login");
    expect(Severity::Error, &t("[\"a\", \"a\"]"), "security.users[1]", "twice");
    let admin = project_text("4.1.1", "[security]\nadmin_user = \"ad;min\"\n", &["", "", ""]);
    expect(Severity::Error, &admin, "security.admin_user", "cannot be a Kafka user");
}

#[test]
fn the_admin_user_listed_among_the_users_is_refused() {
    let text = project_text("4.1.1", "[security]\nadmin_user = \"root-app\"\nusers = [\"root-app\"]\n", &["", "", ""]);
    expect(Severity::Error, &text, "security.users[0]", "super user already");
}

#[test]
fn kraft_with_scram_below_3_5_and_tls_below_3_3_are_refused_naming_the_release_needed() {
    expect(Severity::Error, &project_text("3.4.1", SECURE, &["", "", ""]), "security.protocol", "needs 3.5.0");
    let ssl_only = project_text("3.4.1", "[security]\nprotocol = \"ssl\"\n", &["", "", ""]);
    assert!(problems(&ssl_only).iter().all(|p| !p.is_error()), "{:?}", problems(&ssl_only));
    expect(Severity::Error, &project_text("3.2.3", SECURE, &["", "", ""]), "security.protocol", "PEM keystores");
}

#[test]
fn a_secured_zookeeper_mode_cluster_on_kafka_3_6_or_newer_with_its_own_ensemble_is_valid() {
    let text = include_str!("fixtures/zookeeper-secure.toml");
    let v = project::validate(&project::parse(text).unwrap());
    assert!(v.problems.iter().all(|p| !p.is_error()), "{:?}", v.problems);
    assert_eq!(v.spec.unwrap().security.unwrap().scram_users(), ["admin", "kafka-broker", "orders-app"]);
}

#[test]
fn a_secured_zookeeper_mode_cluster_below_3_6_is_refused_once_naming_the_release_needed() {
    let old = include_str!("fixtures/zookeeper-secure.toml").replace("\"3.9.1\"", "\"3.5.2\"");
    expect(Severity::Error, &old, "security.protocol", "choose Kafka 3.6.0 or newer");
    let seed = include_str!("fixtures/seed-cluster.toml").to_string() + "\n[security]\n";
    let found = problems(&seed);
    expect_in(&found, Severity::Error, "security.protocol", "enforce.auth");
    assert_eq!(found.iter().filter(|p| p.field == "security.protocol" && p.is_error()).count(), 1, "{found:?}");
}

#[test]
fn a_secured_cluster_on_an_external_zookeeper_ensemble_is_refused() {
    let text = include_str!("fixtures/zookeeper-secure.toml")
        .replace("roles = [\"zookeeper\"]", "roles = []")
        .replace("chroot = \"/zk-secure\"", "chroot = \"/zk-secure\"\nexternal = [\"zk.example.com:2181\"]");
    expect(Severity::Error, &text, "zookeeper.external", "ensemble the wizard runs");
}

#[test]
fn acls_name_a_known_user_resource_pattern_and_operations() {
    let acl = |body: &str| secure_with(&format!("[[security.acls]]\n{body}\n"));
    let good = "user = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\noperations = [\"write\", \"describe\"]";
    let found = problems(&acl(good));
    assert!(security_problems(&found).is_empty(), "a valid ACL is applied by deploy, no warning: {found:?}");
    expect(Severity::Error, &acl(&good.replace("orders-app", "admin")), "security.acls[0].user", "super user");
    expect(Severity::Error, &acl(&good.replace("\"topic\"", "\"table\"")), "security.acls[0].resource", "topic");
    expect(Severity::Error, &acl(&good.replace("\"write\"", "\"WRITE\"")), "security.acls[0].operations[0]", "lower");
    expect(Severity::Error, &acl(&format!("{good}\npattern = \"glob\"")), "security.acls[0].pattern", "prefixed");
    let cluster = "user = \"orders-app\"\nresource = \"cluster\"\nname = \"x\"\noperations = [\"idempotent_write\"]";
    expect(Severity::Error, &acl(cluster), "security.acls[0].name", "kafka-cluster");
}

#[test]
fn the_wizard_owns_the_security_keys_of_server_properties() {
    let text = secure_with("").replace("[kraft]", "[kafka.properties]\n\"ssl.keystore.location\" = \"/x\"\n[kraft]");
    expect(Severity::Error, &text, "kafka.properties.ssl.keystore.location", "from [security]");
}

/// Writes `name.pem` / `name.key` for a host certificate of `ca` naming `names`, issued at `at`.
fn host_files(dir: &Path, ca: &ClusterCa, name: &str, names: &[&str], at: time::OffsetDateTime) -> (String, String) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let cert = ca.issue_host_at(name, &names, at).unwrap();
    let (c, k) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    std::fs::write(&c, &cert.cert_pem).unwrap();
    std::fs::write(&k, cert.key_pem.expose()).unwrap();
    (c.display().to_string(), k.display().to_string())
}

#[test]
fn provided_certificates_must_name_their_host_be_current_be_signed_by_the_ca_and_match_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let ca = ClusterCa::generate("k").unwrap();
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca.cert_pem()).unwrap();
    let good = host_files(dir.path(), &ca, "c1", &["c1.example.com", "10.0.0.1"], now);
    let no_ip = host_files(dir.path(), &ca, "c2", &["c2.example.com"], now);
    let expired = host_files(dir.path(), &ca, "c3", &["c3.example.com", "10.0.0.3"], now - time::Duration::days(1000));
    let pair = |(c, k): &(String, String)| format!("tls_cert = \"{c}\"\ntls_key = \"{k}\"");
    let security = format!("{SECURE}ca = \"provided\"\nca_cert = \"{}\"\n", ca_path.display());
    let text = project_text("4.1.1", &security, &[&pair(&good), &pair(&no_ip), &pair(&expired)]);
    expect(Severity::Error, &text, "hosts[1].tls_cert", "does not name 10.0.0.2");
    expect(Severity::Error, &text, "hosts[2].tls_cert", "not valid now");
    assert!(!problems(&text).iter().any(|p| p.field.starts_with("hosts[0]")), "{:?}", problems(&text));

    let swapped = (good.0.clone(), no_ip.1.clone());
    let text = project_text("4.1.1", &security, &[&pair(&swapped), &pair(&good), &pair(&good)]);
    expect(Severity::Error, &text, "hosts[0].tls_key", "does not belong");
    let other_ca = ClusterCa::generate("another").unwrap();
    let foreign = host_files(dir.path(), &other_ca, "c2", &["c2.example.com", "10.0.0.2"], now);
    let text = project_text("4.1.1", &security, &[&pair(&good), &pair(&foreign), &pair(&good)]);
    expect(Severity::Error, &text, "hosts[1].tls_cert", "not signed by security.ca_cert");
    assert!(!problems(&text).iter().any(|p| p.field.starts_with("hosts[0]")), "{:?}", problems(&text));
    let missing = project_text("4.1.1", &security, &[&pair(&good), "", ""]);
    expect(Severity::Error, &missing, "hosts[1].tls_cert", "missing");
}

#[test]
fn the_shipped_kraft_example_is_secured_with_the_wizards_ca_and_the_guides_example_stays_as_the_guide_wrote_it() {
    use kafka_wizard::project::spec::{CertificateSource, Protection};
    let kraft = project::validate(&project::parse(include_str!("../examples/kraft-cluster.toml")).unwrap());
    let security = kraft.spec.expect("the example is valid").security.expect("the example is secured");
    assert_eq!(security.protection, Protection::SaslSsl);
    assert_eq!(security.certificates, CertificateSource::Generate);
    assert_eq!(security.admin_user, "admin");
    let guide = project::validate(&project::parse(include_str!("../examples/seed-cluster.toml")).unwrap());
    assert!(guide.spec.expect("the guide's example is valid").security.is_none(), "the guide wrote no [security]");
    assert!(
        guide.problems.iter().any(|p| p.field == "security" && p.severity == Severity::Warning),
        "plaintext is warned about: {:?}",
        guide.problems
    );
}
