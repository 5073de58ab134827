//! The secured KRaft format without passwords on a command line (docs/facts/kafka.md §11, "No password on a
//! command line"): `kafka-storage.sh format … --add-scram 'SCRAM-SHA-512=[name=…,password=…]'` would put every
//! SCRAM password in the `argv` of `sh -c`, `runuser`, `kafka-run-class.sh` and `java`, which any user of the host
//! can read in `/proc/<pid>/cmdline` while the format runs. Instead the tool's arguments reach the host on the
//! script's stdin, are written to a 0600 file owned by the service user, and the java launcher reads them from it
//! as a Java argument file (`java … -cp … @file`, JDK 9+), which `kafka-run-class.sh` passes through untouched; the
//! file is removed when the script ends, however it ends.
//!
//! Why not the salted form `--add-scram 'SCRAM-SHA-512=[name=…,iterations=…,salt=…,saltedpassword=…]'`: the salted
//! password is secret-equivalent — the SCRAM client key is HMAC(SaltedPassword, "Client Key"), which is all a client
//! needs to log in (RFC 5802 §3).
//!
//! The launcher expands `@file` only before the main class, and an argument file may hold the main class itself,
//! so the file starts with `kafka-storage.sh`'s own main class (read from the script on the host, so it follows the
//! release) and `kafka-run-class.sh` is called with the file alone. Deploy runs [`format_script`] (from
//! `apply::decide`); the export's by-hand commands are [`manual_format`].

use crate::project::spec::SecuritySpec;
use crate::shell::{self, quote};

/// The first Java whose launcher reads argument files (JDK 9, JEP 293's `@argfiles`).
pub const MIN_JAVA: u16 = 9;

/// The script that formats with the arguments on its stdin (see the module's docs); `env` are the `NAME=value`
/// settings of the tool's environment. Its first line names the step (a failure message quotes it); it holds no
/// secret.
pub fn format_script(bin: &str, user: &str, env: &[String]) -> String {
    let storage = quote(&format!("{bin}/kafka-storage.sh")).into_owned();
    let mut run: Vec<String> = vec!["runuser".into(), "-u".into(), user.into(), "--".into(), "env".into()];
    run.extend(env.iter().cloned());
    run.push(format!("{bin}/kafka-run-class.sh"));
    format!(
        "# format KRaft storage with the SCRAM users (arguments from stdin through a 0600 Java argument file, no password on a command line)\n\
         set -e\n\
         class=$(sed -n -e '/^[[:space:]]*#/d' -e 's/.*kafka-run-class\\.sh\"\\{{0,1\\}} \\{{1,\\}}\\([A-Za-z][A-Za-z0-9_.]*\\).*/\\1/p' {storage} | head -n 1)\n\
         [ -n \"$class\" ] || {{ echo \"no main class found in \"{storage} >&2; exit 1; }}\n\
         args=$(mktemp /tmp/kafka-wizard-format.XXXXXX)\n\
         trap 'rm -f \"$args\"' EXIT\n\
         trap 'rm -f \"$args\"; exit 143' HUP INT TERM\n\
         {{ printf '%s\\n' \"$class\"; cat; }} > \"$args\"\n\
         chown {user} \"$args\"\n\
         {run} \"@$args\"\n",
        user = quote(user),
        run = shell::join(&run),
    )
}

/// `kafka-storage.sh format`'s arguments (after the class) with every SCRAM user of `security`: `password` gives
/// each user's password (the store's at deploy, a placeholder by hand).
pub fn tool_args(
    cluster_id: &str,
    config: &str,
    quorum: &[String],
    security: &SecuritySpec,
    password: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut args: Vec<String> =
        ["format", "--ignore-formatted", "-t", cluster_id, "-c", config].map(String::from).to_vec();
    args.extend(quorum.iter().cloned());
    for user in security.scram_users() {
        args.push("--add-scram".into());
        args.push(format!("{}=[name={user},password={}]", security.mechanism.name(), password(user)));
    }
    args
}

/// The by-hand form of the same (the export's index): the argument file — a new 0600 file from `mktemp`, never a
/// fixed name — written with a here-document by the operator, who puts the passwords from the secrets store in
/// place of `<password of …>`.
pub fn manual_format(bin: &str, user: &str, tool_args: &[String]) -> Vec<String> {
    vec![
        "# the SCRAM passwords go in a 0600 Java argument file, never on a command line".to_string(),
        format!("A=$(mktemp) && cat > \"$A\" <<'EOF'\n{STORAGE_TOOL}\n{}EOF", argfile_lines(tool_args)),
        format!("{} \"$A\"", shell::join(&["chown", user])),
        format!(
            "{} \"@$A\" && rm -f \"$A\"",
            shell::join(&["runuser", "-u", user, "--", &format!("{bin}/kafka-run-class.sh")])
        ),
    ]
}

/// `kafka-storage.sh`'s main class (docs/facts/kafka.md §6, "Main classes"), for the by-hand commands; deploy reads
/// it from the host's script instead.
const STORAGE_TOOL: &str = "kafka.tools.StorageTool";

/// The tool's arguments as a Java argument file's lines: each argument in double quotes, `\` and `"` escaped.
pub fn argfile_lines(args: &[String]) -> String {
    args.iter().map(|a| format!("\"{}\"\n", a.replace('\\', "\\\\").replace('"', "\\\""))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_holds_no_argument_and_calls_kafka_run_class_with_the_argument_file_alone() {
        let env = vec!["LOG_DIR=/var/log/kafka".to_string(), "KAFKA_HEAP_OPTS=-Xmx256m".to_string()];
        let script = format_script("/opt/kafka/bin", "kafka", &env);
        assert!(script.lines().last().unwrap().ends_with(
            "runuser -u kafka -- env LOG_DIR=/var/log/kafka KAFKA_HEAP_OPTS=-Xmx256m /opt/kafka/bin/kafka-run-class.sh \"@$args\""
        ));
        assert!(script.contains("mktemp /tmp/kafka-wizard-format.") && script.contains("trap 'rm -f \"$args\"' EXIT"));
        assert!(!script.contains("password=") && !script.contains("--add-scram"), "{script}");
    }

    #[test]
    fn the_main_class_is_read_from_either_form_of_kafka_storage_sh() {
        let dir = tempfile::tempdir().unwrap();
        for (n, line) in [
            "exec $(dirname $0)/kafka-run-class.sh kafka.tools.StorageTool \"$@\"",
            "exec \"$(dirname \"$0\")/kafka-run-class.sh\" kafka.tools.StorageTool \"$@\"",
        ]
        .iter()
        .enumerate()
        {
            let bin = dir.path().join(n.to_string());
            std::fs::create_dir_all(&bin).unwrap();
            let storage = format!("#!/bin/bash\n# calls kafka-run-class.sh in.a.Comment\n{line}\n");
            std::fs::write(bin.join("kafka-storage.sh"), storage).unwrap();
            let script = format_script(bin.to_str().unwrap(), "nobody", &[]);
            let class_line = script.lines().find(|l| l.starts_with("class=")).unwrap();
            let probe = format!("{class_line}\necho \"$class\"");
            let out = std::process::Command::new("sh").arg("-c").arg(probe).output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), "kafka.tools.StorageTool\n", "{line}");
        }
    }

    #[test]
    fn arguments_are_quoted_one_per_line() {
        let args = ["-c".to_string(), "/etc/my kafka/server.properties".to_string(), "a\"b\\c".to_string()];
        assert_eq!(argfile_lines(&args), "\"-c\"\n\"/etc/my kafka/server.properties\"\n\"a\\\"b\\\\c\"\n");
    }
}
