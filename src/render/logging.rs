//! The log4j configuration of each service the wizard runs, so its logs on the host are kept sanely: every file
//! rotated by size (`logging.max_file_mb`) with a retention count (`logging.max_files`), in the service's `log_dir`.
//!
//! Which backend reads it follows the release (docs/facts/kafka.md §24): Kafka 2.x and 3.x use the log4j 1 API
//! (log4j 1.2.17, then reload4j) and take `-Dlog4j.configuration=file:<path>`; Kafka 4.x uses log4j2 and takes
//! `-Dlog4j2.configurationFile=<path>` (YAML, as the release's own `config/log4j2.yaml`). Either reaches the JVM
//! through `KAFKA_LOG4J_OPTS` in the service's environment file; `kafka-run-class.sh` adds
//! `-Dkafka.logs.dir=$LOG_DIR`, which every file name here is relative to. ZooKeeper runs from the same release
//! (`zookeeper-server-start.sh`, 3.x only), so it has the same backend.
//!
//! Kafka gets the files its release ships (`server.log`, `state-change.log`, `kafka-request.log`,
//! `log-cleaner.log`, `controller.log`, `kafka-authorizer.log`) with the same loggers, but size-rotated instead of
//! hourly (the shipped `DailyRollingFileAppender` / `TimeBasedTriggeringPolicy` keep every hour's file forever).
//! ZooKeeper gets `server.log` only. The console — the unit's journal — gets warnings and errors only: a failed
//! start still shows why in `journalctl`, and the journal holds no second copy of `server.log`.

use super::properties::PropertiesWriter;
use super::{GeneratedFile, Owner, Service};
use crate::catalog::Release;
use crate::project::spec::{AbsPath, ClusterSpec, LoggingSpec};

/// The logging backend a release's launch scripts configure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Kafka 2.x and 3.x: the log4j 1.2 API (reload4j from 3.2), a `.properties` file.
    Log4j1,
    /// Kafka 4.x: log4j2, a YAML file.
    Log4j2,
}

impl Backend {
    pub fn of(release: &Release) -> Backend {
        if release.version.major >= 4 {
            Backend::Log4j2
        } else {
            Backend::Log4j1
        }
    }
}

/// The layout of every line the files write (Kafka's own).
const PATTERN: &str = "[%d] %p %m (%c)%n";

/// One log file and the loggers that write to it.
struct LogFile {
    /// The appender's name (Kafka 4.x's names).
    appender: &'static str,
    /// The file in `kafka.logs.dir`.
    file: &'static str,
    /// `(logger, level)`. The root's file: levels only (the loggers stay additive, so they reach it through the
    /// root). Every other file: these loggers write only there (additivity off), as the release ships them.
    loggers: &'static [(&'static str, &'static str)],
}

/// Kafka's files and loggers, as its release ships them: `config/log4j.properties` of 3.9 (2.x–3.8 have the same
/// files; `org.apache.kafka.controller`, KRaft's controller, was added in 3.4 and is harmless before) and
/// `config/log4j2.yaml` of 4.x, whose log cleaner is `kafka.log.*` in 4.0 and
/// `org.apache.kafka.storage.internals.log.*` from 4.1.
fn kafka_files(backend: Backend) -> &'static [LogFile] {
    const ROOT_1: &[(&str, &str)] =
        &[("org.apache.zookeeper", "INFO"), ("kafka", "INFO"), ("org.apache.kafka", "INFO")];
    const ROOT_2: &[(&str, &str)] = &[("kafka", "INFO"), ("org.apache.kafka", "INFO")];
    const REQUEST: &[(&str, &str)] = &[("kafka.request.logger", "WARN"), ("kafka.network.RequestChannel$", "WARN")];
    const STATE: &[(&str, &str)] = &[("state.change.logger", "INFO")];
    const AUTHORIZER: &[(&str, &str)] = &[("kafka.authorizer.logger", "INFO")];
    const CONTROLLER_1: &[(&str, &str)] = &[("org.apache.kafka.controller", "INFO"), ("kafka.controller", "TRACE")];
    const CONTROLLER_2: &[(&str, &str)] = &[("org.apache.kafka.controller", "INFO")];
    const CLEANER_1: &[(&str, &str)] = &[("kafka.log.LogCleaner", "INFO")];
    const CLEANER_2: &[(&str, &str)] = &[
        ("kafka.log.LogCleaner", "INFO"),
        ("kafka.log.LogCleaner$CleanerThread", "INFO"),
        ("kafka.log.Cleaner", "INFO"),
        ("org.apache.kafka.storage.internals.log.LogCleaner", "INFO"),
        ("org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread", "INFO"),
        ("org.apache.kafka.storage.internals.log.Cleaner", "INFO"),
    ];
    const fn files(
        root: &'static [(&'static str, &'static str)],
        controller: &'static [(&'static str, &'static str)],
        cleaner: &'static [(&'static str, &'static str)],
    ) -> [LogFile; 6] {
        [
            LogFile { appender: "KafkaAppender", file: "server.log", loggers: root },
            LogFile { appender: "StateChangeAppender", file: "state-change.log", loggers: STATE },
            LogFile { appender: "RequestAppender", file: "kafka-request.log", loggers: REQUEST },
            LogFile { appender: "CleanerAppender", file: "log-cleaner.log", loggers: cleaner },
            LogFile { appender: "ControllerAppender", file: "controller.log", loggers: controller },
            LogFile { appender: "AuthorizerAppender", file: "kafka-authorizer.log", loggers: AUTHORIZER },
        ]
    }
    const LOG4J1: [LogFile; 6] = files(ROOT_1, CONTROLLER_1, CLEANER_1);
    const LOG4J2: [LogFile; 6] = files(ROOT_2, CONTROLLER_2, CLEANER_2);
    match backend {
        Backend::Log4j1 => &LOG4J1,
        Backend::Log4j2 => &LOG4J2,
    }
}

/// ZooKeeper's one file.
const ZOOKEEPER_FILES: &[LogFile] =
    &[LogFile { appender: "ZooKeeperAppender", file: "server.log", loggers: &[("org.apache.zookeeper", "INFO")] }];

/// The configuration file of `service` on every host that runs it.
pub fn config_path(spec: &ClusterSpec, service: Service) -> AbsPath {
    let name = match (service, Backend::of(spec.kafka.release)) {
        (Service::Kafka, Backend::Log4j1) => "kafka-log4j.properties",
        (Service::Kafka, Backend::Log4j2) => "kafka-log4j2.yaml",
        (Service::Zookeeper, Backend::Log4j1) => "zookeeper-log4j.properties",
        (Service::Zookeeper, Backend::Log4j2) => "zookeeper-log4j2.yaml",
    };
    spec.kafka.config_dir.join(name)
}

/// The `KAFKA_LOG4J_OPTS` line of `service`'s environment file: the JVM reads the wizard's file, not the release's.
pub fn log4j_opts(spec: &ClusterSpec, service: Service) -> String {
    let path = config_path(spec, service);
    match Backend::of(spec.kafka.release) {
        Backend::Log4j1 => format!("KAFKA_LOG4J_OPTS=\"-Dlog4j.configuration=file:{path}\"\n"),
        Backend::Log4j2 => format!("KAFKA_LOG4J_OPTS=\"-Dlog4j2.configurationFile={path}\"\n"),
    }
}

/// The log4j configuration of `service`: root-owned, readable by the service; a change restarts the service.
pub fn config_file(spec: &ClusterSpec, service: Service) -> GeneratedFile {
    let backend = Backend::of(spec.kafka.release);
    let files = match service {
        Service::Kafka => kafka_files(backend),
        Service::Zookeeper => ZOOKEEPER_FILES,
    };
    let header = super::header(spec, &format!("log4j configuration of {service}"));
    let content = match backend {
        Backend::Log4j1 => log4j1(&header, files, spec.logging),
        Backend::Log4j2 => log4j2(&header, files, spec.logging),
    };
    let LoggingSpec { max_file_mb, max_files } = spec.logging;
    let names: Vec<&str> = files.iter().map(|f| f.file).collect();
    GeneratedFile {
        path: config_path(spec, service).to_string(),
        content,
        mode: 0o644,
        owner: Owner::Root,
        purpose: format!(
            "Logging of {service}: {} in its log directory, each rotated at {max_file_mb} MiB, {max_files} old files kept",
            names.join(", ")
        ),
        service,
        secret: false,
    }
}

fn log4j1(header: &str, files: &[LogFile], logging: LoggingSpec) -> String {
    let mut w = PropertiesWriter::new(header);
    let root = &files[0];
    w.section("The root logger: everything not routed below goes to the first file, and warnings also to stdout");
    w.set("log4j.rootLogger", format!("INFO, STDOUT, {}", root.appender));
    w.section("stdout is the unit's journal: warnings and errors only (the files below have everything)");
    w.set("log4j.appender.STDOUT", "org.apache.log4j.ConsoleAppender");
    w.set("log4j.appender.STDOUT.Threshold", "WARN");
    w.set("log4j.appender.STDOUT.layout", "org.apache.log4j.PatternLayout");
    w.set("log4j.appender.STDOUT.layout.ConversionPattern", PATTERN);
    for f in files {
        let a = format!("log4j.appender.{}", f.appender);
        w.section(&rotation_comment(f.file, logging));
        w.set(&a, "org.apache.log4j.RollingFileAppender");
        w.set(&format!("{a}.File"), format!("${{kafka.logs.dir}}/{}", f.file));
        w.set(&format!("{a}.MaxFileSize"), format!("{}MB", logging.max_file_mb));
        w.set(&format!("{a}.MaxBackupIndex"), logging.max_files.to_string());
        w.set(&format!("{a}.layout"), "org.apache.log4j.PatternLayout");
        w.set(&format!("{a}.layout.ConversionPattern"), PATTERN);
    }
    w.section(&format!("Loggers: these levels, through the root to {}", root.file));
    for (logger, level) in root.loggers {
        w.set(&format!("log4j.logger.{logger}"), *level);
    }
    for f in &files[1..] {
        w.section(&format!("Only to {}", f.file));
        for (logger, level) in f.loggers {
            w.set(&format!("log4j.logger.{logger}"), format!("{level}, {}", f.appender));
            w.set(&format!("log4j.additivity.{logger}"), "false");
        }
    }
    w.finish()
}

fn log4j2(header: &str, files: &[LogFile], logging: LoggingSpec) -> String {
    let root = &files[0];
    let mut out = format!(
        "{header}Configuration:\n  Properties:\n    Property:\n      # When the JVM was started without -Dkafka.logs.dir\n      \
         - name: \"kafka.logs.dir\"\n        value: \".\"\n      - name: \"logPattern\"\n        value: \"{PATTERN}\"\n\n  \
         Appenders:\n    # stdout is the unit's journal: warnings and errors only (the files below have everything)\n    \
         Console:\n      name: STDOUT\n      PatternLayout:\n        pattern: \"${{logPattern}}\"\n    RollingFile:\n"
    );
    for f in files {
        out.push_str(&format!(
            "      # {comment}\n      - name: {appender}\n        fileName: \"${{sys:kafka.logs.dir}}/{file}\"\n        \
             filePattern: \"${{sys:kafka.logs.dir}}/{file}.%i\"\n        PatternLayout:\n          pattern: \"${{logPattern}}\"\n        \
             SizeBasedTriggeringPolicy:\n          size: \"{mb} MB\"\n        DefaultRolloverStrategy:\n          max: {max}\n          \
             fileIndex: min\n",
            comment = rotation_comment(f.file, logging),
            appender = f.appender,
            file = f.file,
            mb = logging.max_file_mb,
            max = logging.max_files,
        ));
    }
    out.push_str(&format!(
        "\n  Loggers:\n    Root:\n      level: INFO\n      AppenderRef:\n        - ref: STDOUT\n          level: WARN\n        \
         - ref: {}\n    Logger:\n",
        root.appender
    ));
    for (logger, level) in root.loggers {
        out.push_str(&format!("      - name: \"{logger}\"\n        level: {level}\n"));
    }
    for f in &files[1..] {
        out.push_str(&format!("      # Only to {}\n", f.file));
        for (logger, level) in f.loggers {
            out.push_str(&format!(
                "      - name: \"{logger}\"\n        level: {level}\n        additivity: false\n        AppenderRef:\n          \
                 ref: {}\n",
                f.appender
            ));
        }
    }
    out
}

/// The comment above a file's appender: its rotation, in words.
fn rotation_comment(file: &str, logging: LoggingSpec) -> String {
    format!(
        "{file}: rotated at {} MiB into {file}.1 (the newest) up to {file}.{} (the oldest, then deleted)",
        logging.max_file_mb, logging.max_files
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{parse, validate};
    use crate::render::render_host;

    fn spec(text: &str) -> ClusterSpec {
        validate(&parse(text).unwrap()).spec.unwrap()
    }

    fn file<'a>(files: &'a [GeneratedFile], name: &str) -> Option<&'a GeneratedFile> {
        files.iter().find(|f| f.path.ends_with(name))
    }

    #[test]
    fn a_zookeeper_mode_cluster_of_kafka_3_gets_log4j_1_files_for_both_services_named_in_their_environment() {
        let spec = spec(include_str!("../../tests/fixtures/mixed-zookeeper.toml"));
        let both = spec.hosts.iter().find(|h| h.runs_kafka() && h.myid.is_some()).expect("a host running both");
        let files = render_host(&spec, both);
        let kafka = file(&files, "/kafka-log4j.properties").expect("Kafka's log4j file");
        let zookeeper = file(&files, "/zookeeper-log4j.properties").expect("ZooKeeper's log4j file");
        assert_eq!(
            (kafka.service, zookeeper.service),
            (Service::Kafka, Service::Zookeeper),
            "a change restarts its reader"
        );
        assert_eq!((kafka.mode, kafka.owner, kafka.secret), (0o644, Owner::Root, false));
        for name in [
            "server.log",
            "state-change.log",
            "kafka-request.log",
            "log-cleaner.log",
            "controller.log",
            "kafka-authorizer.log",
        ] {
            assert!(kafka.content.contains(&format!("=${{kafka.logs.dir}}/{name}\n")), "{name}");
        }
        assert!(!kafka.content.contains("DailyRollingFileAppender"), "{}", kafka.content);
        assert_eq!(zookeeper.content.matches("RollingFileAppender\n").count(), 1, "{}", zookeeper.content);
        let config = &spec.kafka.config_dir;
        let env = &file(&files, "kafka-server.env").unwrap().content;
        let opts = format!("KAFKA_LOG4J_OPTS=\"-Dlog4j.configuration=file:{config}/kafka-log4j.properties\"\n");
        assert!(env.contains(&opts), "{env}");
        let env = &file(&files, "zookeeper-server.env").unwrap().content;
        assert!(env.contains(&format!("-Dlog4j.configuration=file:{config}/zookeeper-log4j.properties\"")), "{env}");
        assert!(
            kafka.content.contains("MaxFileSize=50MB\n") && kafka.content.contains("MaxBackupIndex=5\n"),
            "the project's [logging]"
        );
    }

    #[test]
    fn kafka_4_gets_a_log4j2_yaml_file_and_no_log4j_1_option() {
        let spec = spec(include_str!("../../tests/fixtures/kraft-dedicated.toml"));
        let files = render_host(&spec, &spec.hosts[0]);
        let yaml = file(&files, "/kafka-log4j2.yaml").expect("the log4j2 file");
        assert!(yaml.content.contains("SizeBasedTriggeringPolicy") && !yaml.content.contains("TimeBased"));
        let env = &file(&files, "kafka-server.env").unwrap().content;
        assert!(
            env.contains("KAFKA_LOG4J_OPTS=\"-Dlog4j2.configurationFile=/etc/kafka/kafka-log4j2.yaml\"\n"),
            "{env}"
        );
        assert!(file(&files, "kafka-log4j.properties").is_none());
    }

    #[test]
    fn the_projects_size_and_count_reach_every_appender_of_both_backends() {
        let mut spec = spec(include_str!("../../tests/fixtures/mixed-zookeeper.toml"));
        spec.logging = LoggingSpec { max_file_mb: 7, max_files: 3 };
        let text = config_file(&spec, Service::Kafka).content;
        assert_eq!(text.matches("MaxFileSize=7MB\n").count(), 6, "{text}");
        assert_eq!(text.matches("MaxBackupIndex=3\n").count(), 6, "{text}");
        let text = log4j2("", kafka_files(Backend::Log4j2), spec.logging);
        assert_eq!(text.matches("size: \"7 MB\"\n").count(), 6, "{text}");
        assert_eq!(text.matches("max: 3\n").count(), 6, "{text}");
    }

    #[test]
    fn the_backend_follows_the_releases_major_version() {
        let backend = |v: (u16, u16, u16)| {
            Backend::of(crate::catalog::find(crate::catalog::Version::new(v.0, v.1, v.2)).expect("in the catalog"))
        };
        assert_eq!(backend((2, 0, 0)), Backend::Log4j1);
        assert_eq!(backend((3, 9, 1)), Backend::Log4j1);
        assert_eq!(backend((4, 0, 0)), Backend::Log4j2);
    }
}
