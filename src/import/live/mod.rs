//! Import from running hosts (`import --hosts`): each host reached over the engine's SSH transport (host keys
//! verified exactly as for a deploy; a jump host and ~/.ssh/config as the settings say, written into the project's
//! `[ssh]` by [`draft_ssh`]), read only (`read.rs`: units, properties files, release link, `myid`), then
//! mapped into a project draft (`map.rs`) with a warning for everything the project holds differently.
//! `parse.rs` reads the files as Kafka, ZooKeeper and systemd read them.

pub mod map;
pub mod parse;
pub mod read;

#[cfg(test)]
mod tests;

pub use map::LiveImport;
pub use read::HostReading;

use crate::project::draft::SshDraft;
use crate::project::spec::{Connection, ProjectSet, SshSettings};
use crate::transport::{self, ConnectOptions, HostAccess};

/// One host to read: its name in the project and, when it differs, the address to reach it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveHost {
    pub name: String,
    pub address: Option<String>,
}

impl LiveHost {
    /// `name` or `name=address`.
    pub fn parse(text: &str) -> Result<LiveHost, String> {
        let (name, address) = match text.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().to_string())),
            None => (text.trim(), None),
        };
        if name.is_empty() || address.as_deref() == Some("") {
            return Err(format!("`{text}`: give a host as NAME or NAME=ADDRESS"));
        }
        Ok(LiveHost { name: name.into(), address })
    }
}

/// Reads every host (in parallel, each on its own thread) and maps what they hold. A host that cannot be reached
/// or read is an error naming it: an import from part of a cluster would write a different cluster.
pub fn import_live(
    hosts: &[LiveHost],
    ssh: &SshSettings,
    connect: &ConnectOptions,
    name: Option<String>,
) -> Result<LiveImport, String> {
    let readings: Vec<Result<HostReading, String>> = std::thread::scope(|scope| {
        let jobs: Vec<_> = hosts
            .iter()
            .map(|h| {
                scope.spawn(move || {
                    let access = HostAccess {
                        name: h.name.clone(),
                        address: h.address.clone().unwrap_or_else(|| h.name.clone()),
                        connection: Connection::Ssh,
                        ssh: ssh.clone(),
                    };
                    // every transport error names the host already
                    let t = transport::open(&access, connect).map_err(|e| e.to_string())?;
                    read::read_host(t.as_ref(), &h.name, h.address.as_deref()).map_err(|e| format!("{}: {e}", h.name))
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap_or_else(|_| Err("reading the host panicked".into()))).collect()
    });
    let readings: Vec<HostReading> = readings.into_iter().collect::<Result<_, _>>()?;
    map::to_draft(&readings, draft_ssh(ssh), name)
}

/// The project's `[ssh]` for how the hosts were read: the user and port given (with `use_ssh_config`, only those
/// written on the command line — the rest stays ssh_config's), the key, known_hosts, the jump host and
/// `use_ssh_config`, so a deploy reaches the hosts the way the import did.
pub fn draft_ssh(ssh: &SshSettings) -> SshDraft {
    let given = ssh.ssh_config.unwrap_or(ProjectSet { user: true, port: true, jump: true, sudo: true });
    SshDraft {
        user: given.user.then(|| ssh.user.clone()),
        port: given.port.then_some(ssh.port.into()),
        identity_file: ssh.identity_file.clone(),
        known_hosts: ssh.known_hosts.clone(),
        sudo: (given.user && ssh.user != "root").then_some(ssh.sudo),
        jump: ssh.jump.as_ref().map(|j| j.to_string()),
        use_ssh_config: ssh.ssh_config.is_some().then_some(true),
    }
}
