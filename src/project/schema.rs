//! The field schema: every field of the project file once — the wizard step that edits it, its default (from
//! [`super::defaults`]) or an example — so front ends derive their placeholders and the step a problem belongs to
//! from here instead of keeping copies. The app serves it (`field_schema`); `ui/src/generated/field-schema.json`
//! is its JSON, rewritten by `UPDATE_GOLDEN=1 cargo test --test field_schema`.

use super::defaults;
use super::draft::FORMAT;
use super::spec::LoggingSpec;
use crate::catalog;
use serde::Serialize;
use ts_rs::TS;

/// The wizard steps that edit project fields, in the wizard's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    Version,
    Hosts,
    Storage,
    Coordination,
    /// `[security]`: protocol, CA, users, ACLs, and each host's provided certificate.
    Security,
    /// Where a problem goes whose field no step edits.
    Review,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct FieldInfo {
    /// The field as validation problems name it, with `[]` for any index: "kafka.listener_port",
    /// "hosts[].ssh.port", "kafka.data_dirs", "hosts[].data_dirs", "kafka.properties" (covers its keys), "name".
    /// A section (`zookeeper`, `hosts`) is listed too: problems about the section as a whole name it.
    pub path: &'static str,
    /// The wizard step where the field is edited.
    pub step: WizardStep,
    /// The value used when the field is left empty, as the user would type it (from `defaults`); None when
    /// there is no fixed default (required, or derived from other fields — then say so in `derived`).
    pub default: Option<String>,
    /// An example value for a field without a fixed default (e.g. "kafka001", "10.0.0.11", "~/.ssh/id_ed25519").
    /// The wizard shows the default, else the example, in an empty input: only fields whose input should show a
    /// hint have one.
    pub example: Option<String>,
    /// How the value is worked out from other fields when it is left empty (in English), when it is.
    pub derived: Option<String>,
}

impl FieldInfo {
    fn new(path: &'static str, step: WizardStep) -> Self {
        FieldInfo { path, step, default: None, example: None, derived: None }
    }
    fn default(mut self, value: impl ToString) -> Self {
        self.default = Some(value.to_string());
        self
    }
    fn example(mut self, value: impl ToString) -> Self {
        self.example = Some(value.to_string());
        self
    }
    fn derived(mut self, how: impl ToString) -> Self {
        self.derived = Some(how.to_string());
        self
    }
}

/// Every field of the project file (format 1), in the file's order.
pub fn fields() -> Vec<FieldInfo> {
    use WizardStep::*;
    let f = FieldInfo::new;
    vec![
        f("format", Version).derived(format!("the wizard writes format {FORMAT}")),
        f("name", Version).example("peter-kafka"),
        // [kafka]
        f("kafka.version", Version),
        f("kafka.scala", Version)
            .default(catalog::DEFAULT_SCALA)
            .derived("the newest Scala build of the release when it has none for the default"),
        f("kafka.mode", Version)
            .derived("kraft from Kafka 4.0, zookeeper before 3.3; required from 3.3 to 3.9, which have both"),
        f("kafka.install_dir", Storage).default(defaults::INSTALL_DIR),
        f("kafka.config_dir", Storage).default(defaults::CONFIG_DIR),
        f("kafka.log_dir", Storage).default(defaults::KAFKA_LOG_DIR),
        f("kafka.data_dirs", Storage).default(defaults::DATA_DIR),
        f("kafka.listener_port", Storage).default(defaults::LISTENER_PORT),
        f("kafka.heap", Storage).default(defaults::KAFKA_HEAP),
        f("kafka.jvm_opts", Storage),
        f("kafka.user", Storage).default(defaults::SERVICE_USER),
        f("kafka.java_home", Storage),
        f("kafka.mirror", Version),
        f("kafka.apache_url", Version),
        f("kafka.tarball", Version),
        f("kafka.distribution", Version)
            .derived("auto: the wizard uploads once and hosts relay the release from 3 hosts on, else direct"),
        f("kafka.properties", Storage),
        // [zookeeper]
        f("zookeeper", Coordination),
        f("zookeeper.chroot", Coordination).derived("/<name>"),
        f("zookeeper.client_port", Coordination).default(defaults::CLIENT_PORT),
        f("zookeeper.quorum_port", Coordination).default(defaults::QUORUM_PORT),
        f("zookeeper.election_port", Coordination).default(defaults::ELECTION_PORT),
        f("zookeeper.data_dir", Coordination).default(defaults::ZOOKEEPER_DATA_DIR),
        f("zookeeper.log_dir", Coordination).default(defaults::ZOOKEEPER_LOG_DIR),
        f("zookeeper.heap", Coordination).default(defaults::ZOOKEEPER_HEAP),
        f("zookeeper.jvm_opts", Coordination),
        f("zookeeper.tick_time", Coordination).default(defaults::TICK_TIME),
        f("zookeeper.init_limit", Coordination).default(defaults::INIT_LIMIT),
        f("zookeeper.sync_limit", Coordination).default(defaults::SYNC_LIMIT),
        f("zookeeper.quorum_tls", Coordination).default(defaults::ZOOKEEPER_QUORUM_TLS),
        f("zookeeper.external", Coordination),
        // [kraft]
        f("kraft", Coordination),
        f("kraft.cluster_id", Coordination)
            .derived("generated once (16 random bytes, base64url) and saved in the project"),
        f("kraft.controller_port", Coordination).default(defaults::CONTROLLER_PORT),
        f("kraft.quorum", Coordination)
            .derived("static when absent (the voters fixed in every node's configuration); `init --here` (the app's This machine) on Kafka 3.9+ writes dynamic"),
        f("kraft.bootstrap_controllers", Coordination).derived(
            "dynamic quorum: saved by the first deploy (the controllers at creation); absent: every controller",
        ),
        // [ssh]
        f("ssh", Hosts),
        f("ssh.user", Hosts).default(defaults::SSH_USER),
        f("ssh.port", Hosts).default(defaults::SSH_PORT),
        f("ssh.identity_file", Hosts).example("~/.ssh/id_ed25519"),
        f("ssh.known_hosts", Hosts).default(defaults::KNOWN_HOSTS),
        f("ssh.sudo", Hosts).derived(
            "true unless ssh.user is root; true: sudo -n (passwordless), or sudo -S with --ask-become-password / \
             the app's sudo password where the host's sudo asks for one",
        ),
        f("ssh.jump", Hosts).example("ops@bastion.example.com:22").derived("unset: hosts are reached directly"),
        f("ssh.use_ssh_config", Hosts).derived("false: ~/.ssh/config is not read"),
        // [[hosts]]
        f("hosts", Hosts),
        f("hosts[].name", Hosts).example("kafka001"),
        f("hosts[].address", Hosts).example("10.0.0.11").derived("hosts[].name"),
        f("hosts[].roles", Hosts),
        f("hosts[].connection", Hosts).default(defaults::CONNECTION.name()),
        f("hosts[].id", Hosts),
        f("hosts[].zookeeper_id", Hosts),
        f("hosts[].rack", Hosts),
        f("hosts[].data_dirs", Storage).derived("kafka.data_dirs"),
        f("hosts[].ssh", Hosts),
        f("hosts[].ssh.user", Hosts).derived("ssh.user"),
        f("hosts[].ssh.port", Hosts).derived("ssh.port"),
        f("hosts[].ssh.identity_file", Hosts).derived("ssh.identity_file"),
        f("hosts[].ssh.known_hosts", Hosts).derived("ssh.known_hosts"),
        f("hosts[].ssh.sudo", Hosts).derived("ssh.sudo"),
        f("hosts[].ssh.jump", Hosts).derived("ssh.jump; \"none\" for no jump host"),
        f("hosts[].ssh.use_ssh_config", Hosts).derived("ssh.use_ssh_config"),
        f("hosts[].tls_cert", Security).derived("only with security.ca = \"provided\""),
        f("hosts[].tls_key", Security).derived("only with security.ca = \"provided\""),
        // [security]: the Security step; its menus preselect their defaults, the admin's input shows its own.
        f("security", Security).derived("left out: plaintext and unauthenticated (a warning)"),
        f("security.protocol", Security)
            .default(defaults::SECURITY_PROTOCOL)
            .derived("plaintext when the file has no [security] section"),
        f("security.sasl_mechanism", Security).default(defaults::SASL_MECHANISM),
        f("security.ca", Security).default(defaults::SECURITY_CA),
        f("security.ca_cert", Security).derived("only with security.ca = \"provided\""),
        f("security.admin_user", Security).default(defaults::ADMIN_USER),
        f("security.users", Security),
        f("security.acls", Security),
        f("security.acls[].user", Security),
        f("security.acls[].resource", Security),
        f("security.acls[].name", Security),
        f("security.acls[].pattern", Security).default(defaults::ACL_PATTERN),
        f("security.acls[].operations", Security),
        // [preflight]: no step edits it (problems go to Review).
        f("preflight", Review),
        f("preflight.min_free_mb", Review)
            .derived(format!("{} when left out; 0 turns the free-space check off", defaults::MIN_FREE_MB)),
        // [logging]: no step edits it (problems go to Review).
        f("logging", Review).derived(format!(
            "left out: each log file rotated at {} MiB, {} rotated files kept",
            defaults::LOG_MAX_FILE_MB,
            defaults::LOG_MAX_FILES
        )),
        f("logging.max_file_mb", Review).derived(format!(
            "{} when left out (MiB, 1 to {})",
            defaults::LOG_MAX_FILE_MB,
            LoggingSpec::MAX_FILE_MB
        )),
        f("logging.max_files", Review).derived(format!(
            "{} when left out (1 to {})",
            defaults::LOG_MAX_FILES,
            LoggingSpec::MAX_FILES
        )),
        // [monitoring]: the Storage step, beside the listener port (the Review step lists the scrape targets).
        f("monitoring", Storage).derived("left out: no exporter; new projects the wizard writes turn it on"),
        f("monitoring.prometheus", Storage).default(defaults::PROMETHEUS).derived(
            "true in new projects: the Prometheus JMX exporter in every broker, controller and ZooKeeper member",
        ),
        f("monitoring.kafka_port", Storage).default(defaults::EXPORTER_KAFKA_PORT),
        f("monitoring.zookeeper_port", Storage).default(defaults::EXPORTER_ZOOKEEPER_PORT),
        f("monitoring.maven_url", Storage).default(crate::catalog::agent::MAVEN_CENTRAL),
    ]
}

/// The step a problem's field belongs to: `hosts[3].ssh.port` -> the entry `hosts[].ssh.port`; a deeper key
/// (`kafka.properties.num.partitions`) -> its nearest listed ancestor; unknown -> Review.
pub fn step_of(field: &str) -> WizardStep {
    entry_for(field).map_or(WizardStep::Review, |f| f.step)
}

/// The schema entry a field path falls under: the path with its indexes made `[]`, else its nearest listed ancestor.
pub fn entry_for(field: &str) -> Option<FieldInfo> {
    let all = fields();
    let mut path = without_indexes(field);
    loop {
        if let Some(entry) = all.iter().find(|f| f.path == path) {
            return Some(entry.clone());
        }
        path = parent(&path)?.to_string();
    }
}

/// `hosts[3].data_dirs[0]` -> `hosts[].data_dirs[]`.
fn without_indexes(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if ch == '[' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    out
}

/// The path without its last part (`.key` or `[]`); None at the top.
fn parent(path: &str) -> Option<&str> {
    if let Some(list) = path.strip_suffix("[]") {
        return Some(list);
    }
    path.rfind('.').map(|dot| &path[..dot])
}

#[cfg(test)]
mod tests {
    use super::WizardStep::*;
    use super::*;

    #[test]
    fn an_indexed_field_finds_its_entry() {
        assert_eq!(entry_for("hosts[3].ssh.port").unwrap().path, "hosts[].ssh.port");
        assert_eq!(step_of("hosts[3].ssh.port"), Hosts);
        assert_eq!(step_of("hosts[12].data_dirs[1]"), Storage);
        assert_eq!(step_of("zookeeper.external[2]"), Coordination);
    }

    #[test]
    fn a_property_key_belongs_to_the_properties_entry() {
        assert_eq!(entry_for("kafka.properties.num.partitions").unwrap().path, "kafka.properties");
        assert_eq!(step_of("kafka.properties.\"default.replication.factor\""), Storage);
    }

    #[test]
    fn an_unknown_field_goes_to_review() {
        assert_eq!(step_of("nonsense"), Review);
        assert_eq!(step_of(""), Review);
        assert_eq!(step_of("kafka"), Review);
    }

    #[test]
    fn every_path_is_listed_once() {
        let all = fields();
        for f in &all {
            assert_eq!(all.iter().filter(|g| g.path == f.path).count(), 1, "{} is listed twice", f.path);
        }
    }

    #[test]
    fn a_field_with_a_default_needs_no_example() {
        for f in fields() {
            assert!(f.default.is_none() || f.example.is_none(), "{}", f.path);
        }
    }

    #[test]
    fn defaults_are_the_engines_constants() {
        let default_of = |path: &str| entry_for(path).and_then(|f| f.default);
        assert_eq!(default_of("kafka.listener_port"), Some(defaults::LISTENER_PORT.to_string()));
        assert_eq!(default_of("zookeeper.tick_time"), Some(defaults::TICK_TIME.to_string()));
        assert_eq!(default_of("hosts[0].connection").as_deref(), Some("ssh"));
    }
}
