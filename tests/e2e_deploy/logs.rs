//! Logs on the hosts are the wizard's: the running JVM of each service was started with the wizard's log4j file
//! (its `/proc/<pid>/cmdline` carries the option from the environment file) and writes `server.log` into the
//! project's log directory; and that file rotates at the project's `[logging] max_file_mb`, keeping
//! `max_files` rotated files. Rotation is proven without writing a MiB of logs: while the service is stopped its
//! `server.log` is filled past the size and `server.log.1` / `.2` are planted; the first line the started JVM
//! writes rolls the files over (log4j 1 and log4j2 both count the size the file already has when they open it).

use crate::support::world::World;

/// `[logging]` of the test projects: 1 MiB files, 2 rotated files kept.
pub const LOGGING: &str = "[logging]\nmax_file_mb = 1\nmax_files = 2\n";
const MAX_BYTES: u64 = 1024 * 1024;

/// A service as the test checks its logs.
pub struct ServiceLogs<'a> {
    pub host: &'a str,
    /// The unit without `.service`.
    pub unit: &'a str,
    /// The JVM option naming the wizard's log4j file, exactly as the environment file gives it.
    pub option: &'a str,
    /// The project's `log_dir` of this service.
    pub log_dir: &'a str,
}

/// The running JVM reads the wizard's log4j file and writes `server.log` (owned by the service user) in `log_dir`.
pub fn the_service_uses_the_wizards_log4j_file(world: &World, s: &ServiceLogs) {
    let cmdline = world.ssh_ok(
        s.host,
        "root",
        &format!("tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value {})/cmdline", s.unit),
    );
    let args: Vec<&str> = cmdline.lines().collect();
    assert!(args.contains(&s.option), "{} {}: the JVM has no {}: {args:?}", s.host, s.unit, s.option);
    assert!(args.contains(&format!("-Dkafka.logs.dir={}", s.log_dir).as_str()), "{}: {args:?}", s.host);
    let stat = world.ssh_ok(s.host, "root", &format!("stat -c '%U %s' {}/server.log", s.log_dir));
    let (owner, size) = stat.trim().split_once(' ').unwrap();
    assert_eq!(owner, "kafka", "{} {}: {stat}", s.host, s.unit);
    assert!(size.parse::<u64>().unwrap() > 0, "{} {}: server.log is empty", s.host, s.unit);
}

/// While the service is stopped: `server.log` past the size, `server.log.1` and `.2` planted with markers.
pub fn plant_a_full_server_log(world: &World, s: &ServiceLogs) {
    let d = s.log_dir;
    world.ssh_ok(
        s.host,
        "root",
        &format!(
            "head -c {bytes} /dev/zero | tr '\\0' x >> {d}/server.log && \
             echo kw-rotated-1 > {d}/server.log.1 && echo kw-rotated-2 > {d}/server.log.2 && \
             chown kafka:kafka {d}/server.log {d}/server.log.1 {d}/server.log.2",
            bytes = MAX_BYTES + 4096
        ),
    );
}

/// After the start: the full file became `server.log.1`, the old `.1` became `.2`, the old `.2` was deleted, and no
/// `.3` exists; the new `server.log` holds the lines written since. Returns the sizes of `server.log` and `.1`.
pub fn the_full_server_log_was_rotated_and_two_kept(world: &World, s: &ServiceLogs) -> (u64, u64) {
    let d = s.log_dir;
    let listing = world.ssh_ok(
        s.host,
        "root",
        &format!("cd {d} && for f in server.log*; do echo \"$f $(stat -c %s $f) $(head -c 12 $f)\"; done"),
    );
    let files: Vec<(&str, u64, &str)> = listing
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            (parts.next().unwrap(), parts.next().unwrap().parse().unwrap(), parts.next().unwrap_or(""))
        })
        .collect();
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    assert_eq!(names, ["server.log", "server.log.1", "server.log.2"], "{} {}: {listing}", s.host, s.unit);
    let (current, first, second) = (&files[0], &files[1], &files[2]);
    assert!(current.1 < MAX_BYTES && current.1 > 0, "{} {}: a new server.log: {listing}", s.host, s.unit);
    assert!(first.1 >= MAX_BYTES, "{} {}: the full file is server.log.1: {listing}", s.host, s.unit);
    assert_eq!(
        second.2, "kw-rotated-1",
        "{} {}: the old .1 moved to .2, the old .2 deleted: {listing}",
        s.host, s.unit
    );
    (current.1, first.1)
}
