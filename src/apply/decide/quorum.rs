//! A dynamic quorum's bootstrap list changed on a running node (docs/facts/kafka.md §36): `server.properties`
//! whose only change is `controller.quorum.bootstrap.servers` is written without a restart, since a node reads the
//! list only at startup.

use super::{sha512_hex, Context};
use crate::apply::facts::HostFacts;
use crate::project::spec::{ClusterSpec, HostSpec};
use crate::render;

/// A dynamic quorum's `server.properties` whose only change is `controller.quorum.bootstrap.servers` (a bootstrap
/// controller removed): `(old, new)` values. A node reads the list only at startup, to find the quorum's leader, and
/// then knows the voters from the metadata log (docs/facts/kafka.md §36) — so the file is written and nothing is
/// restarted for it. Judged by content: the wanted file with the host's old value has the host's file's hash.
pub(super) fn bootstrap_only_change(
    spec: &ClusterSpec,
    host: &HostSpec,
    path: &str,
    facts: &HostFacts,
    ctx: &Context,
) -> Option<(String, String)> {
    let old = facts.bootstrap_servers.as_deref()?;
    let have = facts.files.get(path).cloned().flatten()?;
    let file = render::render_host_with(spec, host, ctx.secrets.as_deref()).into_iter().find(|f| f.path == path)?;
    let prefix = format!("{}=", render::quorum::BOOTSTRAP_SERVERS_KEY);
    let new = file.content.lines().find_map(|l| l.strip_prefix(prefix.as_str()))?.to_string();
    if new == old {
        return None;
    }
    let with_old: String = file
        .content
        .split_inclusive('\n')
        .map(|l| if l.starts_with(&prefix) { format!("{prefix}{old}\n") } else { l.to_string() })
        .collect();
    (sha512_hex(with_old.as_bytes()) == have).then_some((old.to_string(), new))
}

#[cfg(test)]
#[path = "quorum_tests.rs"]
mod tests;
