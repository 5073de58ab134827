//! What the hosts hold → a project draft (pure): roles from the units found, ids from `broker.id` and `myid`, the
//! ensemble and chroot from `zookeeper.connect` and the `server.N` lines, version and install directory from the
//! release link, data directories from `log.dirs`, every other broker setting kept under `[kafka.properties]`.
//! Every value the project cannot hold, or holds differently (the guide's root user, a config inside the install
//! directory), is a warning naming the host and the file it came from; a secret-looking setting is never copied.

use super::parse;
use super::read::{HostReading, ServiceReading};
use crate::import::vars::looks_secret;
use crate::project::draft::{HostDraft, ProjectDraft, SshDraft, ZookeeperDraft, FORMAT};
use crate::project::validate::{OWNED_PROPERTIES, OWNED_SECURITY_PROPERTIES};
use std::collections::BTreeMap;

/// The broker settings the wizard writes itself with a value of its own, so a host's value is not copied (it is
/// named in a warning when it differs from what the wizard writes).
const RENDERED_BY_WIZARD: &[&str] = &["zookeeper.connection.timeout.ms"];

/// The result: the draft and the warnings, each naming host and file.
#[derive(Clone, Debug)]
pub struct LiveImport {
    pub draft: ProjectDraft,
    pub warnings: Vec<String>,
}

/// Maps the hosts' readings into a draft. `ssh` is the `[ssh]` the hosts were reached with.
pub fn to_draft(readings: &[HostReading], ssh: SshDraft, name: Option<String>) -> Result<LiveImport, String> {
    let mut w: Vec<String> = Vec::new();
    let mut d = ProjectDraft { format: FORMAT, ssh, ..ProjectDraft::default() };
    d.kafka.mode = Some("zookeeper".into());
    let mut hosts: Vec<HostDraft> = Vec::new();
    let mut release: Option<(String, String, String)> = None; // (scala, version, where)
    let mut install_dir: Option<String> = None;
    let mut data_dirs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut connect: Option<(parse::Connect, String)> = None;
    let mut props: BTreeMap<String, (String, String)> = BTreeMap::new(); // key -> (value, where)
    let mut users: BTreeMap<String, String> = BTreeMap::new();
    let mut zk = ZookeeperDraft::default();
    let mut zk_servers: Option<(Vec<parse::ZkServer>, String)> = None;
    for r in readings {
        for extra in &r.other_units {
            w.push(format!(
                "{}: {extra} also runs a start script — only one broker and one ZooKeeper per host are imported",
                r.name
            ));
        }
        if r.kafka.is_none() && r.zookeeper.is_none() {
            w.push(format!(
                "{}: no systemd unit runs kafka-server-start.sh or zookeeper-server-start.sh — host not imported",
                r.name
            ));
            continue;
        }
        let mut host = HostDraft { name: r.name.clone(), address: r.address.clone(), ..HostDraft::default() };
        for s in [&r.kafka, &r.zookeeper].into_iter().flatten() {
            common(&r.name, s, &mut release, &mut install_dir, &mut users, &mut w)?;
        }
        if let Some(k) = &r.kafka {
            host.roles.push("broker".into());
            heap_of(&r.name, k, &mut d.kafka.heap, &mut w);
            let place = format!("{}:{}", r.name, k.config_path.as_deref().unwrap_or("?"));
            let text = k.config.as_deref().ok_or_else(|| {
                format!(
                    "{}: {} runs Kafka with {} which cannot be read",
                    r.name,
                    k.unit_path,
                    k.config_path.as_deref().unwrap_or("no properties file")
                )
            })?;
            let (kv, twice) = parse::properties(text);
            for key in twice {
                w.push(format!("{place}: {key} is set more than once — the last value (Kafka's) is kept"));
            }
            for (key, value) in kv {
                match key.as_str() {
                    "broker.id" | "node.id" => {
                        host.id = Some(
                            value
                                .trim()
                                .parse::<i64>()
                                .map_err(|_| format!("{place}: {key}={value} is not a number"))?,
                        );
                    }
                    "log.dirs" | "log.dir" => {
                        if value.contains(' ') {
                            w.push(format!("{place}: {key}={value} has blanks — Kafka reads them as part of the names; imported without them"));
                        }
                        let dirs: Vec<String> =
                            value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                        data_dirs.insert(r.name.clone(), dirs);
                    }
                    "zookeeper.connect" => {
                        let c = parse::connect(&value)
                            .map_err(|why| format!("{place}: zookeeper.connect={value}: {why}"))?;
                        if c.had_blanks {
                            w.push(format!(
                                "{place}: zookeeper.connect has blanks (`{value}`) — the project writes it without"
                            ));
                        }
                        match &connect {
                            Some((first, at)) if first.chroot != c.chroot => {
                                return Err(format!(
                                    "{place}: zookeeper.connect's chroot {:?} differs from {at}'s {:?} — brokers with different chroots are different clusters; import them separately",
                                    c.chroot, first.chroot
                                ));
                            }
                            Some(_) => {}
                            None => connect = Some((c, place.clone())),
                        }
                    }
                    "listeners" => {
                        if let Some(port) = parse::listener_port(&value) {
                            d.kafka.listener_port = Some(port.into());
                        }
                        if !value.starts_with("PLAINTEXT://") {
                            w.push(format!("{place}: listeners={value} — the project's listener is generated (kafka.listener_port, [security])"));
                        }
                    }
                    k if RENDERED_BY_WIZARD.contains(&k) => {
                        if value != "18000" {
                            w.push(format!("{place}: {key}={value} — the wizard writes 18000; set it under [kafka.properties] to keep it"));
                        }
                    }
                    k if OWNED_PROPERTIES.iter().any(|(o, _, _)| *o == k) || OWNED_SECURITY_PROPERTIES.contains(&k) => {
                        w.push(format!(
                            "{place}: {key}={value} — generated by the wizard from the project, not copied"
                        ));
                    }
                    k if looks_secret(k, &serde_yaml_ng::Value::String(value.clone())) => {
                        w.push(format!("{place}: {key}: looks secret — NOT written into the project"));
                    }
                    _ => match props.get(&key) {
                        Some((v, at)) if *v != value => {
                            w.push(format!("{place}: {key}={value} differs from {at}'s {v} — the project holds one value for every broker ({at}'s)"));
                        }
                        Some(_) => {}
                        None => {
                            props.insert(key, (value, place.clone()));
                        }
                    },
                }
            }
            if host.id.is_none() {
                return Err(format!("{place}: no broker.id — give each broker its id (the wizard needs it fixed)"));
            }
        }
        if let Some(z) = &r.zookeeper {
            host.roles.push("zookeeper".into());
            heap_of(&r.name, z, &mut zk.heap, &mut w);
            let place = format!("{}:{}", r.name, z.config_path.as_deref().unwrap_or("?"));
            let text = z.config.as_deref().ok_or_else(|| format!("{place}: cannot be read"))?;
            let (kv, _) = parse::properties(text);
            let servers = parse::zk_servers(&kv).map_err(|why| format!("{place}: {why}"))?;
            let myid_text = z.myid.as_deref().ok_or_else(|| {
                format!(
                    "{}: {} cannot be read — each ensemble member needs its myid",
                    r.name,
                    z.myid_path.as_deref().unwrap_or("dataDir/myid")
                )
            })?;
            let myid = parse::myid(myid_text)
                .map_err(|why| format!("{}:{}: {why}", r.name, z.myid_path.as_deref().unwrap_or("myid")))?;
            host.zookeeper_id = Some(myid.into());
            for (key, value) in kv {
                let num = |v: &str| v.trim().parse::<i64>().map_err(|_| format!("{place}: {key}={v} is not a number"));
                let agree = |slot: &mut Option<i64>, v: i64, w: &mut Vec<String>| match slot {
                    Some(old) if *old != v => {
                        w.push(format!("{place}: {key}={v} differs from another member's {old} — the first is kept"))
                    }
                    _ => *slot = Some(v),
                };
                match key.as_str() {
                    "dataDir" => match &zk.data_dir {
                        Some(old) if *old != value => w.push(format!("{place}: dataDir={value} differs from another member's {old} — the first is kept")),
                        _ => zk.data_dir = Some(value),
                    },
                    "clientPort" => agree(&mut zk.client_port, num(&value)?, &mut w),
                    "tickTime" => agree(&mut zk.tick_time, num(&value)?, &mut w),
                    "initLimit" => agree(&mut zk.init_limit, num(&value)?, &mut w),
                    "syncLimit" => agree(&mut zk.sync_limit, num(&value)?, &mut w),
                    k if k.starts_with("server.") => {}
                    _ => w.push(format!("{place}: {key}={value} — the project has no field for it; the wizard's zookeeper.properties does not keep it")),
                }
            }
            if let Some(me) = servers.iter().find(|s| s.myid == myid) {
                if !matches_host(&me.host, r) {
                    w.push(format!(
                        "{place}: server.{myid} names {} but this host is {} — check the ensemble",
                        me.host, r.name
                    ));
                }
            } else if !servers.is_empty() {
                return Err(format!("{place}: no server.{myid} line for this member's myid {myid}"));
            }
            if zk_servers.is_none() {
                zk_servers = Some((servers, place));
            }
        }
        hosts.push(host);
    }
    if hosts.is_empty() {
        return Err("no host runs Kafka or ZooKeeper under systemd — nothing to import".into());
    }
    // Release and paths.
    let (scala, version, _) = release.ok_or("no Kafka release found behind the units' start scripts")?;
    d.kafka.version = Some(version);
    d.kafka.scala = Some(scala);
    d.kafka.install_dir = install_dir;
    // One service user: the wizard never runs services as root.
    for (user, at) in &users {
        if user == "root" {
            w.push(format!(
                "{at}: the service runs as root — the wizard runs it as its own user (kafka.user, `kafka` unless another \
                 user ran a service) from its first restart"
            ));
        } else if d.kafka.user.is_none() {
            d.kafka.user = Some(user.clone());
        } else {
            w.push(format!(
                "{at}: the service runs as {user} — the project has one service user ({})",
                d.kafka.user.as_deref().unwrap_or("")
            ));
        }
    }
    // Data directories: shared when every broker has the same list.
    let lists: Vec<&Vec<String>> = data_dirs.values().collect();
    if let Some(first) = lists.first() {
        if lists.iter().all(|l| l == first) {
            d.kafka.data_dirs = Some((*first).clone());
        } else {
            for h in &mut hosts {
                h.data_dirs = data_dirs.get(&h.name).cloned();
            }
        }
    }
    // The ensemble: the members zookeeper.connect names must be the imported ZooKeeper hosts, else it is external.
    let zk_hosts: Vec<&HostDraft> = hosts.iter().filter(|h| h.roles.iter().any(|r| r == "zookeeper")).collect();
    if let Some((c, at)) = &connect {
        zk.chroot = c.chroot.clone();
        if zk_hosts.is_empty() {
            zk.external = Some(c.members.iter().map(|(h, p)| format!("{h}:{p}")).collect());
            w.push(format!(
                "{at}: the ensemble ({}) runs on none of the given hosts — kept as zookeeper.external",
                zk.external.as_ref().unwrap().join(",")
            ));
        } else {
            for (host, port) in &c.members {
                let found = readings.iter().any(|r| r.zookeeper.is_some() && matches_host(host, r));
                if !found {
                    w.push(format!("{at}: zookeeper.connect names {host}:{port}, not among the given hosts running ZooKeeper — give every member with --hosts"));
                }
                if zk.client_port.is_some_and(|p| p != i64::from(*port)) {
                    w.push(format!(
                        "{at}: zookeeper.connect names {host}:{port} but the members' clientPort is {}",
                        zk.client_port.unwrap_or(0)
                    ));
                }
            }
        }
    }
    if let Some((servers, _)) = &zk_servers {
        if let Some(s) = servers.first() {
            zk.quorum_port = Some(s.quorum_port.into());
            zk.election_port = Some(s.election_port.into());
        }
        for s in servers {
            if !hosts.iter().any(|h| h.zookeeper_id == Some(s.myid.into())) {
                w.push(format!(
                    "server.{}={} is a member not among the given hosts — give every member with --hosts",
                    s.myid, s.host
                ));
            }
        }
    }
    if zk != ZookeeperDraft::default() {
        d.zookeeper = Some(zk);
    }
    d.kafka.properties = props.into_iter().map(|(k, (v, _))| (k, toml::Value::String(v))).collect();
    d.name = name.or_else(|| {
        connect.as_ref().and_then(|(c, _)| c.chroot.as_ref()).map(|c| c.trim_start_matches('/').replace('/', "-"))
    });
    d.hosts = hosts;
    Ok(LiveImport { draft: d, warnings: w })
}

/// The release, install directory and user a service's unit and link say (one for the whole cluster).
fn common(
    host: &str,
    s: &ServiceReading,
    release: &mut Option<(String, String, String)>,
    install_dir: &mut Option<String>,
    users: &mut BTreeMap<String, String>,
    w: &mut Vec<String>,
) -> Result<(), String> {
    let place = format!("{host}:{}", s.unit_path);
    let real = s.home_real.as_deref().unwrap_or(&s.home);
    let (scala, version) = parse::release_dir(real).ok_or_else(|| {
        format!(
            "{place}: {} leads to {real}, not a kafka_<scala>-<version> release directory — the version cannot be told",
            s.home
        )
    })?;
    match release {
        Some((_, v, at)) if *v != version => {
            return Err(format!(
                "{place}: runs Kafka {version} but {at} runs {v} — finish the upgrade before importing"
            ))
        }
        Some(_) => {}
        None => *release = Some((scala, version, place.clone())),
    }
    let (parent, _) = s.home.rsplit_once('/').unwrap_or(("", ""));
    let link_name = s.home.rsplit('/').next().unwrap_or("");
    if link_name == "kafka" && !parent.is_empty() {
        install_dir.get_or_insert_with(|| parent.to_string());
    } else {
        w.push(format!("{place}: Kafka runs from {} — the wizard installs into <install_dir>/kafka_<scala>-<version> linked from <install_dir>/kafka", s.home));
    }
    if let Some(c) = &s.config_path {
        if c.starts_with(&format!("{}/", s.home)) || c.starts_with(&format!("{real}/")) {
            w.push(format!("{place}: its configuration {c} lies inside the versioned install directory (lost on an upgrade) — the wizard writes it to kafka.config_dir (/etc/kafka)"));
        }
    }
    let user = s.unit.user.clone().unwrap_or_else(|| "root".into());
    users.entry(user).or_insert(place.clone());
    if s.unit.restart.as_deref().is_none_or(|r| r == "no") {
        w.push(format!(
            "{place}: Restart={} — the wizard's unit restarts on failure",
            s.unit.restart.as_deref().unwrap_or("no")
        ));
    }
    for (k, v) in &s.unit.environment {
        if k == "KAFKA_HEAP_OPTS" && parse::heap(v).is_some() {
            // taken into kafka.heap / zookeeper.heap (`heap_of`)
        } else {
            w.push(format!("{place}: Environment {k}=… — not kept (the wizard writes its own environment file)"));
        }
    }
    Ok(())
}

/// `-Xmx` of the unit's `KAFKA_HEAP_OPTS` into `slot` (the first host's; another host's different one is named).
fn heap_of(host: &str, s: &ServiceReading, slot: &mut Option<String>, w: &mut Vec<String>) {
    let Some(heap) = s.unit.environment.get("KAFKA_HEAP_OPTS").and_then(|v| parse::heap(v)) else { return };
    match slot {
        Some(old) if *old != heap => {
            w.push(format!("{host}:{}: heap {heap} differs from another host's {old} — the first is kept", s.unit_path))
        }
        Some(_) => {}
        None => *slot = Some(heap),
    }
}

fn matches_host(name: &str, r: &HostReading) -> bool {
    name == r.name || Some(name) == r.address.as_deref() || name.split('.').next() == Some(r.name.as_str())
}
