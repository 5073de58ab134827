//! Leftovers of an interrupted run: the temporary names the wizard gives what it is still writing on a host, where
//! they sit, and when one is stale. One home for these names — the transport, the install step and the sweep
//! (`apply::leftovers`) all take them from here.
//!
//! A run that is cut off (the SSH connection dropped, the laptop closed, the wizard killed) cannot clean up behind
//! itself: its cleanup would run over the session that just died. What it leaves: a partial upload (the release is
//! 100+ MB), an uploaded tarball not yet unpacked, a half-unpacked release, a temporary file beside a configuration.
//! The next run removes every such name that no process on the host holds, or that nobody has touched for
//! [`STALE_MINUTES`] — a run still going on holds the file it writes, so it is never taken for a leftover — as a step
//! of its plan, shown in `--dry-run` (`apply::leftovers`).

use crate::project::spec::{ClusterSpec, HostSpec};
use crate::render::{self, Owner};
use std::collections::BTreeSet;

/// A temporary name nobody has modified for this long belongs to a run that is gone (even if a process still holds
/// it: a session the host never learnt was cut).
pub const STALE_MINUTES: u32 = 30;

/// Marks every temporary file the wizard writes beside its target: `.<name>.kw-<random>` (a `mktemp` template, or
/// an upload's random tag).
pub const TEMP_MARK: &str = ".kw-";

/// The name of a file being uploaded into the SSH user's home, for a user that reaches root through sudo:
/// `.kw-upload-<random>`.
pub const UPLOAD_PREFIX: &str = ".kw-upload-";

/// The directory a release is unpacked into before it is moved into place: `<install_dir>/.unpack.<random>`.
pub const UNPACK_PREFIX: &str = ".unpack.";

/// The uploaded release tarball waiting to be verified and unpacked: `<install_dir>/.<tarball>.upload`.
pub fn uploaded_tarball(install_dir: &str, tarball: &str) -> String {
    format!("{install_dir}/.{tarball}{UPLOADED_SUFFIX}")
}
const UPLOADED_SUFFIX: &str = ".upload";

/// A release relay's (`apply::relay`) names, all matching [`name_tests`]: the sending host's key pair directory
/// (a `mktemp -d` template in the install directory), the copy a root login receives there, and the copy a sudo
/// login receives in its home (moved into place as root once verified).
pub fn relay_key_dir_template(install_dir: &str) -> String {
    format!("{install_dir}/.relay{TEMP_MARK}XXXXXXXX")
}

/// See [`relay_key_dir_template`].
pub fn relayed_tarball(install_dir: &str, tarball: &str, tag: &str) -> String {
    format!("{install_dir}/.{tarball}.relay{TEMP_MARK}{tag}")
}

/// See [`relay_key_dir_template`]: the SHA-512 a root login's copy at `relayed` (a [`relayed_tarball`]) was hashed to
/// as it arrived.
pub fn relayed_sum(relayed: &str) -> String {
    format!("{relayed}.sha512")
}

/// See [`relay_key_dir_template`]: a file name in the sudo login's home.
pub fn relayed_in_home(tag: &str) -> String {
    format!("{UPLOAD_PREFIX}relay-{tag}")
}

/// Marks a relay hop's forced-command line in the receiving login's `authorized_keys`:
/// `kafka-wizard-relay-<unix time>-<random>` (the line's comment). A line the relay did not remove (a killed run)
/// is a leftover too: swept under the run lock whatever its age, else once older than [`STALE_MINUTES`]
/// (`apply::leftovers`).
pub const RELAY_KEY_MARK: &str = "kafka-wizard-relay-";

/// `find` name tests (joined with `-o`) that match every temporary name above and nothing the wizard keeps.
pub fn name_tests() -> [String; 4] {
    [
        format!(".*{TEMP_MARK}*"),
        format!("{UPLOAD_PREFIX}*"),
        format!("{UNPACK_PREFIX}*"),
        format!(".*{UPLOADED_SUFFIX}"),
    ]
}

/// The directories of `host` the wizard writes temporary names into as root: the install directory and the
/// directory of every root-owned file it generates. Directories the service user owns are not swept (root does not
/// remove through a path the service user controls; what the wizard writes there is a few bytes).
pub fn dirs(spec: &ClusterSpec, host: &HostSpec) -> Vec<String> {
    let mut dirs = BTreeSet::from([spec.kafka.install_dir.to_string()]);
    for file in render::render_host(spec, host) {
        if file.owner != Owner::Service {
            dirs.insert(crate::transport::scripts::parent(&file.path).to_string());
        }
    }
    dirs.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_directory_and_the_directories_of_root_owned_files_are_swept_but_not_the_service_users() {
        let project = crate::project::parse(include_str!("../../tests/fixtures/zookeeper-secure.toml")).unwrap();
        let spec = crate::project::validate(&project).spec.unwrap();
        let member = spec.hosts.iter().find(|h| h.myid.is_some()).unwrap();
        let dirs = dirs(&spec, member);
        assert!(dirs.contains(&spec.kafka.install_dir.to_string()), "{dirs:?}");
        assert!(dirs.contains(&spec.kafka.config_dir.to_string()), "{dirs:?}");
        assert!(dirs.contains(&"/etc/systemd/system".to_string()), "{dirs:?}");
        let zookeeper_data = match &spec.coordination {
            crate::project::spec::Coordination::Zookeeper(z) => z.data_dir.to_string(),
            _ => unreachable!("a ZooKeeper-mode fixture"),
        };
        assert!(!dirs.contains(&zookeeper_data), "myid's directory belongs to the service user: {dirs:?}");
    }

    #[test]
    fn every_temporary_name_the_wizard_makes_matches_a_name_test() {
        let glob = |pattern: &str, name: &str| {
            let (head, tail) = pattern.split_once('*').unwrap_or((pattern, ""));
            match tail.split_once('*') {
                None => name.starts_with(head) && name.ends_with(tail) && name.len() >= head.len() + tail.len(),
                Some((middle, "")) => name.starts_with(head) && name[head.len()..].contains(middle),
                Some(_) => unreachable!("at most two stars"),
            }
        };
        let matches = |name: &str| name_tests().iter().any(|p| glob(p, name));
        let temp = crate::transport::scripts::temp_beside("/etc/kafka/server.properties", "0123456789abcdef");
        let uploaded = uploaded_tarball("/opt", "kafka_2.13-3.9.1.tgz");
        let relay_dir = relay_key_dir_template("/opt").replace("XXXXXXXX", "Ab12Cd34");
        let relayed = relayed_tarball("/opt", "kafka_2.13-3.9.1.tgz", "0123456789abcdef");
        let relayed_home = format!("/home/deploy/{}", relayed_in_home("0123456789abcdef"));
        let relayed_sum = relayed_sum(&relayed);
        for path in [
            temp.as_str(),
            uploaded.as_str(),
            "/opt/.unpack.Ab12Cd",
            "/home/deploy/.kw-upload-0a1b2c3d4e5f6071",
            relay_dir.as_str(),
            relayed.as_str(),
            relayed_home.as_str(),
            relayed_sum.as_str(),
        ] {
            assert!(matches(crate::transport::scripts::file_name(path)), "{path}");
        }
        for kept in ["server.properties", "kafka_2.13-3.9.1", "kafka", ".bashrc", "myid"] {
            assert!(!matches(kept), "{kept}");
        }
    }
}
