//! Deciding `CreateScramUsers` (ZooKeeper mode with SASL, docs/facts/kafka.md §13): which SCRAM users still need
//! their credential written into ZooKeeper, and the script that writes them.
//!
//! What was written is recorded on the host in [`RECORD`] (root, 0600): one line per user with a SHA-256 digest of
//! the mechanism, the connect string, the user and the password — no password, and a 190-bit random password
//! cannot be found from it. The probe reads it; a user whose digest matches is done, so a re-run with the same
//! store runs no tool and restarts nothing, and a new user, a new password or a moved chroot gets a new
//! credential. Brokers pick credential changes up from ZooKeeper without a restart.
//!
//! Passwords never reach a command line: they go to the host in a 0600 file ([`PENDING`], written like every
//! generated file), which the script reads with the shell's `read`, turns into one 0600 properties file per user
//! for `kafka-configs`' `--add-config-file`, and removes on every exit. A tool's error is printed with any
//! `password=…` masked.

use super::{Action, Context, Decision};
use crate::apply::facts::HostFacts;
use crate::plan::scram_users::{
    chroot_acl, chroot_nodes, ensemble, run_class, tool_env, CONFIG_COMMAND, ITERATIONS, ZOOKEEPER_MAIN,
};
use crate::project::spec::ClusterSpec;
use crate::render::Owner;
use crate::security::store::SecretMaterial;
use crate::shell::quote;
use crate::transport::scripts::refuse_directory;

/// The record of the credentials written into ZooKeeper: `<user> <digest>` lines.
pub const RECORD: &str = "/var/lib/kafka-wizard/zookeeper-scram";
/// The passwords of the users to write (`<user> <password>` lines), present only while the step runs.
pub const PENDING: &str = "/var/lib/kafka-wizard/zookeeper-scram.pending";

/// The record's digest of one credential (lowercase hex SHA-256).
pub fn digest(mechanism: &str, connect: &str, user: &str, password: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("kafka-wizard scram\n{mechanism}\n{connect}\n{user}\n{password}")))
}

pub(super) fn decide(
    spec: &ClusterSpec,
    users: &[String],
    connect: &str,
    facts: &HostFacts,
    ctx: &Context,
) -> Decision {
    let Some(security) = &spec.security else {
        return Decision::Refuse { message: "internal: SCRAM users on a cluster without [security]".into() };
    };
    let placeholders;
    let material = match ctx.secrets.as_deref() {
        Some(m) => m,
        None => {
            placeholders = SecretMaterial::placeholders(spec, security);
            &placeholders
        }
    };
    let mechanism = security.mechanism.name();
    let wanted: Vec<(&str, String)> =
        users.iter().map(|u| (u.as_str(), digest(mechanism, connect, u, material.password(u)))).collect();
    let missing: Vec<&str> =
        wanted.iter().filter(|(user, d)| facts.scram_users.get(*user) != Some(d)).map(|(user, _)| *user).collect();
    if missing.is_empty() {
        return Decision::Unchanged {
            reason: format!("SCRAM users {} are in ZooKeeper with their current passwords", users.join(", ")),
        };
    }
    let pending: String = missing.iter().map(|u| format!("{u} {}\n", material.password(u))).collect();
    let record: Vec<String> = wanted.iter().map(|(u, d)| format!("{u} {d}")).collect();
    Decision::Change {
        detail: format!("wrote the SCRAM credentials of {} into ZooKeeper ({connect})", missing.join(", ")),
        actions: vec![
            Action::Run { script: "mkdir -p /var/lib/kafka-wizard".into() },
            Action::Write { path: PENDING.into(), content: pending, mode: 0o600, owner: Owner::Root, keep_old: false },
            Action::Run { script: script(spec, mechanism, connect, &record) },
        ],
    }
}

/// Creates the chroot (unless it exists), writes each pending user's credential, then the record.
fn script(spec: &ClusterSpec, mechanism: &str, connect: &str, record: &[String]) -> String {
    let env: Vec<String> = tool_env(spec).iter().map(|e| quote(e).into_owned()).collect();
    let mut s =
        String::from("# write the SCRAM users into ZooKeeper (passwords from a 0600 file, on no command line)\n");
    s.push_str(&format!(
        "set -e\nf={pending}\nt=$(mktemp)\ntrap 'rm -f \"$f\" \"$t\"' EXIT\nexport {env}\nrun={run}\n\
         masked() {{ printf '%s\\n' \"$1\" | sed 's/password=[^],]*/password=***/g' >&2; }}\n",
        pending = quote(PENDING),
        env = env.join(" "),
        run = quote(&run_class(spec)),
    ));
    for node in chroot_nodes(spec) {
        s.push_str(&format!(
            "if ! out=$(\"$run\" {ZOOKEEPER_MAIN} -server {ensemble} create {node} '' {acl} 2>&1); then\n\
             case \"$out\" in *'Node already exists'*) ;; *) masked \"$out\"; exit 1 ;; esac\nfi\n",
            ensemble = quote(&ensemble(spec, connect)),
            node = quote(&node),
            acl = quote(&chroot_acl()),
        ));
    }
    s.push_str(&format!(
        "while read -r user password; do\n\
         printf '%s=iterations={ITERATIONS},password=%s\\n' {mechanism} \"$password\" > \"$t\"\n\
         if ! out=$(\"$run\" {CONFIG_COMMAND} --zookeeper {connect} --alter --add-config-file \"$t\" --entity-type users --entity-name \"$user\" 2>&1); then\n\
         masked \"$out\"; exit 1\nfi\n\
         done < \"$f\"\n",
        mechanism = quote(mechanism),
        connect = quote(connect),
    ));
    let lines: Vec<String> = record.iter().map(|l| quote(l).into_owned()).collect();
    s.push_str(&format!(
        "printf '%s\\n' {lines} > {tmp}\nchmod 0600 {tmp}\n{not_a_directory}\nmv {tmp} {record}\n",
        lines = lines.join(" "),
        tmp = quote(&format!("{RECORD}.tmp")),
        not_a_directory = refuse_directory(RECORD),
        record = quote(RECORD),
    ));
    s
}

#[cfg(test)]
mod tests;
