//! `kafka.jvm_opts` / `zookeeper.jvm_opts`: extra JVM options for the services, checked so they can never break
//! the options the wizard sets itself.
//!
//! The options are appended to the service's `KAFKA_OPTS` (after the JAAS and exporter options): Kafka's launcher
//! puts `KAFKA_OPTS` last among the JVM's options, so a `-XX:` flag given here overrides the release's default
//! (docs/facts/kafka.md §35). Refused: what another project field owns (heap, JAAS file, log4j file and directory),
//! a garbage collector choice (the launcher already selects G1: the JVM refuses two collectors), and anything the
//! environment file or the launcher's word splitting would mangle (quotes, `$`, backslashes, whitespace).

use crate::project::problem::{text, Text};

/// Option prefixes another field owns: (prefix, the field to change instead).
#[rustfmt::skip]
const OWNED: &[(&str, &str)] = &[
    ("-Xmx", "heap"),
    ("-Xms", "heap"),
    ("-XX:MaxHeapSize", "heap"),
    ("-XX:InitialHeapSize", "heap"),
    ("-XX:MinHeapSize", "heap"),
    ("-Djava.security.auth.login.config", "the [security] section (the wizard writes the JAAS file)"),
    ("-Dlog4j.configuration", "log_dir (the wizard writes the log4j file)"),
    ("-Dlog4j.configurationFile", "log_dir (the wizard writes the log4j file)"),
    ("-Dlog4j2.configurationFile", "log_dir (the wizard writes the log4j file)"),
    ("-Dkafka.logs.dir", "log_dir"),
];

/// The section's options as written, each checked; `section` is `kafka` or `zookeeper` (for the messages).
pub fn check(section: &str, options: &[String]) -> Result<Vec<String>, Text> {
    options.iter().map(|option| check_one(section, option)).collect()
}

fn check_one(section: &str, option: &str) -> Result<String, Text> {
    if !option.starts_with('-') || option.len() < 2 {
        return Err(text!(
            "{option:?} is not a JVM option — each entry is one option starting with '-', such as \"-XX:+AlwaysPreTouch\"",
            "{option:?}은(는) JVM 옵션이 아닙니다 — 항목마다 \"-XX:+AlwaysPreTouch\"처럼 '-'로 시작하는 옵션 하나를 쓰세요"
        ));
    }
    if let Some(c) = option.chars().find(|c| c.is_whitespace() || c.is_control() || "\"'`$\\".contains(*c)) {
        return Err(text!(
            "{option:?} contains {c:?}, which the service's environment file cannot pass on intact — write one option per entry, without quotes, '$' or backslashes",
            "{option:?}에 서비스 환경 파일이 그대로 전달할 수 없는 {c:?} 문자가 들어 있습니다 — 항목마다 옵션 하나를 따옴표, '$', 역슬래시 없이 쓰세요"
        ));
    }
    if let Some((_, field)) = OWNED.iter().find(|(prefix, _)| option.starts_with(prefix)) {
        let field = match field.starts_with("heap") || field.starts_with("log_dir") {
            true => format!("{section}.{field}"),
            false => field.to_string(),
        };
        return Err(text!(
            "{option:?} sets what the wizard sets from {field} — change {field} instead",
            "{option:?}은(는) 마법사가 {field}에서 정하는 값입니다 — {field}을(를) 바꾸세요"
        ));
    }
    if option.starts_with("-XX:+Use") && option.ends_with("GC") {
        return Err(text!(
            "{option:?} chooses a garbage collector, but Kafka's launcher already selects G1 and the JVM refuses to start with two — leave it out (G1 is what Kafka's docs recommend)",
            "{option:?}은(는) 가비지 컬렉터를 고르는데, Kafka 실행 스크립트가 이미 G1을 고르므로 JVM이 둘이 되어 시작하지 않습니다 — 빼세요(Kafka 문서도 G1을 권합니다)"
        ));
    }
    Ok(option.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(option: &str) -> Result<Vec<String>, Text> {
        check("kafka", &[option.to_string()])
    }

    #[test]
    fn options_pass_through_as_written() {
        let options = ["-XX:TieredStopAtLevel=1", "-Dsun.net.inetaddr.ttl=60", "-XX:+AlwaysPreTouch"];
        let checked = check("kafka", &options.map(String::from)).unwrap();
        assert_eq!(checked, options);
    }

    #[test]
    fn options_another_field_owns_are_refused_naming_that_field() {
        let heap = one("-Xmx4g").unwrap_err().en;
        assert!(heap.contains("kafka.heap"), "{heap}");
        let zk = check("zookeeper", &["-Xms1g".into()]).unwrap_err().en;
        assert!(zk.contains("zookeeper.heap"), "{zk}");
        let jaas = one("-Djava.security.auth.login.config=/tmp/x.conf").unwrap_err().en;
        assert!(jaas.contains("[security]"), "{jaas}");
        assert!(one("-Dlog4j2.configurationFile=/x").unwrap_err().en.contains("kafka.log_dir"));
    }

    #[test]
    fn a_second_garbage_collector_is_refused() {
        assert!(one("-XX:+UseSerialGC").unwrap_err().en.contains("G1"));
        assert!(one("-XX:+UseZGC").is_err());
        assert!(one("-XX:+UseStringDeduplication").is_ok());
    }

    #[test]
    fn what_the_environment_file_would_mangle_is_refused() {
        for bad in
            ["-Dx=a b", "-Dx=\"a\"", "-Dx=$HOME", "-Dx=a\\b", "-Dx='a'", "-Dx=`id`", "XX:+AlwaysPreTouch", "-", ""]
        {
            assert!(one(bad).is_err(), "{bad:?}");
        }
    }
}
