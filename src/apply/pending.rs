//! Restarts owed by an earlier run. Before a run changes what a service runs on a host — one of its files, or the
//! release it runs from — it leaves a marker for that service on the host; the start phase removes it together with
//! the (re)start that makes the service run the change. A run that stops in between (a failed host, a health wait
//! that timed out, Ctrl-C, Cancel, a dropped laptop) leaves the marker, so the next run restarts the service although
//! its files are already current. The markers live in a root-owned directory no service user can write.

use crate::render::Service;
use crate::shell::quote;

/// Where the markers are: one empty file per service unit that owes a restart.
pub const PENDING_DIR: &str = "/var/lib/kafka-wizard/restart-pending";

fn marker(service: Service) -> String {
    format!("{PENDING_DIR}/{}", service.unit())
}

/// Marks `services` as owing a restart (run before the change is made).
pub fn mark_script(services: &[Service]) -> String {
    let mut script = format!("install -d -m 0755 -o root -g root {}", quote(PENDING_DIR));
    for service in services {
        script.push_str(&format!("\n: > {}", quote(&marker(*service))));
    }
    script
}

/// `systemctl <verb>` of `service`, then its marker removed: the process now runs what is on the host.
pub fn systemctl_script(verb: &str, service: Service) -> String {
    format!("systemctl {verb} {} && rm -f {}", service.unit(), quote(&marker(service)))
}

/// Probe lines: `pending <unit>` for every marker present.
pub fn probe_script() -> String {
    format!("for p in {}/*; do [ -f \"$p\" ] && echo \"pending ${{p##*/}}\"; done; true\n", quote(PENDING_DIR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_set_before_a_change_and_cleared_only_by_a_successful_restart() {
        assert_eq!(
            mark_script(&[Service::Zookeeper, Service::Kafka]),
            "install -d -m 0755 -o root -g root /var/lib/kafka-wizard/restart-pending\n\
             : > /var/lib/kafka-wizard/restart-pending/zookeeper-server.service\n\
             : > /var/lib/kafka-wizard/restart-pending/kafka-server.service"
        );
        assert_eq!(
            systemctl_script("restart", Service::Kafka),
            "systemctl restart kafka-server.service && rm -f /var/lib/kafka-wizard/restart-pending/kafka-server.service"
        );
    }
}
