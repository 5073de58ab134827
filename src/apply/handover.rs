//! The handover of an adopted service (`deploy --adopt`) to the wizard's unit at its first restart: a service
//! started by hand as root (the guide's unit) wrote its data as root, and the wizard's unit runs it as the service
//! user, which could not write those files. So when the running process (the unit's `MainPID`) belongs to root and
//! the service user is another, the restart is a stop, the service's own directories given to the service user
//! (`chown -R -P`: never following a symbolic link, while no process of that service runs), then the start. A
//! service already running as its user restarts as always; nothing else is ever re-owned.

use crate::project::spec::{ClusterSpec, Coordination, HostSpec};
use crate::render::{Owner, Service};
use crate::shell::{self, quote};

/// The directories `service` writes on `host`: Kafka's data directories and log directory, ZooKeeper's data and
/// log directories.
pub fn service_dirs(spec: &ClusterSpec, host: &HostSpec, service: Service) -> Vec<String> {
    match (service, &spec.coordination) {
        (Service::Zookeeper, Coordination::Zookeeper(z)) => vec![z.data_dir.to_string(), z.log_dir.to_string()],
        (Service::Zookeeper, _) => Vec::new(),
        _ => host.data_dirs.iter().map(|d| d.to_string()).chain([spec.kafka.log_dir.to_string()]).collect(),
    }
}

/// Shell run right before a restart's `systemctl restart` (joined with `&&`): when the running process is root's
/// and the service user is not root, stop the unit and give the service's directories to the service user.
pub fn before_restart(spec: &ClusterSpec, host: &HostSpec, service: Service) -> Option<String> {
    let user = spec.kafka.user.as_str();
    if user == "root" {
        return None;
    }
    let dirs = service_dirs(spec, host, service);
    if dirs.is_empty() {
        return None;
    }
    let owner = Owner::Service.chown_spec(user);
    let chown_one = format!("{} -- \"$d\"", shell::join(&["chown", "-R", "-P", &owner]));
    let unit = quote(service.unit());
    let dirs = dirs.iter().map(|d| quote(d).into_owned()).collect::<Vec<_>>().join(" ");
    Some(format!(
        "{{ p=$(systemctl show -p MainPID --value {unit}); if [ \"${{p:-0}}\" != 0 ] && [ \"$(stat -c %u /proc/$p)\" = 0 ]; \
         then systemctl stop {unit} && for d in {dirs}; do if [ -d \"$d\" ]; then {chown_one} || exit 1; fi; done; fi; }}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_process_is_stopped_and_its_directories_given_to_the_service_user_before_the_restart() {
        let text = include_str!("../../examples/seed-cluster.toml");
        let spec = crate::project::validate(&crate::project::parse(text).unwrap()).spec.unwrap();
        let broker = spec.hosts.iter().find(|h| Service::Kafka.runs_on(h)).unwrap();
        let s = before_restart(&spec, broker, Service::Kafka).unwrap();
        assert!(s.contains("systemctl show -p MainPID --value kafka-server.service"), "{s}");
        assert!(s.contains("[ \"$(stat -c %u /proc/$p)\" = 0 ]"), "{s}");
        assert!(s.contains("systemctl stop kafka-server.service"), "{s}");
        assert!(s.contains("chown -R -P kafka:kafka -- \"$d\""), "{s}");
        assert!(s.contains("for d in /data1 /data2 /var/log/kafka;"), "{s}");
        let out = std::process::Command::new("sh").arg("-n").arg("-c").arg(format!("{s} && true")).status().unwrap();
        assert!(out.success(), "the script parses: {s}");
    }
}
