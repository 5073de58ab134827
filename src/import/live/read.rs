//! Reading a running host over the engine's transport (host keys verified as for a deploy; read-only, no lock):
//! the systemd units that run Kafka's or ZooKeeper's start script, the properties files they are given, the
//! release directory their install link points to, ZooKeeper's `myid` and whether each unit runs. Three short
//! round trips per host; every path that reaches the shell goes through `shell::quote`, every file comes back
//! base64-encoded so no content can be mistaken for the framing.

use super::parse;
use crate::shell::quote;
use crate::transport::Transport;
use base64::Engine;
use std::collections::BTreeMap;

/// One service found on a host: its unit and what it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceReading {
    /// The unit file's path (`/etc/systemd/system/kafka-server.service`).
    pub unit_path: String,
    pub unit: parse::Unit,
    /// The properties file the unit's start command is given, and its text (None: could not be read).
    pub config_path: Option<String>,
    pub config: Option<String>,
    /// The install directory as the unit names it (`/usr/local/kafka`) and where it really leads
    /// (`/usr/local/kafka_2.13-3.9.2`).
    pub home: String,
    pub home_real: Option<String>,
    /// The unit's state: `active` and its `InvocationID` (so a later run can be checked not to have restarted it).
    pub active: bool,
    pub invocation: Option<String>,
    /// ZooKeeper only: the `myid` file's path and text.
    pub myid_path: Option<String>,
    pub myid: Option<String>,
}

/// What one host holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostReading {
    pub name: String,
    pub address: Option<String>,
    pub kafka: Option<ServiceReading>,
    pub zookeeper: Option<ServiceReading>,
    /// Further units that run a start script (a second broker on one host): named in a warning, not imported.
    pub other_units: Vec<String>,
}

const UNIT_DIRS: &[&str] =
    &["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

/// Reads one host (blocking: call from a blocking thread).
pub fn read_host(t: &dyn Transport, name: &str, address: Option<&str>) -> Result<HostReading, String> {
    let mut reading = HostReading { name: name.into(), address: address.map(str::to_string), ..Default::default() };
    // 1. Units whose text names a start script (the first directory that holds a name wins, as systemd's order).
    let dirs: Vec<String> = UNIT_DIRS.iter().map(|d| quote(d).into_owned()).collect();
    let script = format!(
        "for d in {}; do for f in \"$d\"/*.service; do [ -f \"$f\" ] || continue; \
         if grep -qE 'kafka-server-start\\.sh|zookeeper-server-start\\.sh' \"$f\"; then \
         printf 'file\\t%s\\t' \"$f\"; base64 -w0 < \"$f\"; printf '\\n'; fi; done; done",
        dirs.join(" ")
    );
    let units = framed(t, &script)?;
    let mut seen = BTreeMap::new();
    for (path, text) in units {
        let unit_name = path.rsplit('/').next().unwrap_or(&path).to_string();
        if seen.contains_key(&unit_name) {
            continue;
        }
        seen.insert(unit_name, ());
        let text = text.unwrap_or_default();
        let unit = parse::unit(&text);
        let Some(launch) = unit.exec_start.as_deref().and_then(parse::launch) else { continue };
        let service = ServiceReading {
            unit_path: path.clone(),
            unit,
            config_path: launch.config.clone(),
            home: launch.home.clone(),
            ..Default::default()
        };
        let slot = if launch.script.ends_with("zookeeper-server-start.sh") {
            &mut reading.zookeeper
        } else {
            &mut reading.kafka
        };
        if slot.is_some() {
            reading.other_units.push(path);
        } else {
            *slot = Some(service);
        }
    }
    // 2. Their properties files, their install links, their states.
    let mut script = String::new();
    for s in [&reading.kafka, &reading.zookeeper].into_iter().flatten() {
        if let Some(c) = &s.config_path {
            script.push_str(&read_file_line(c));
        }
        let unit_name = s.unit_path.rsplit('/').next().unwrap_or("");
        script.push_str(&format!(
            "printf 'link\\t%s\\t%s\\n' {h} \"$(readlink -f {h} | base64 -w0)\"; \
             printf 'state\\t%s\\t%s\\n' {u} \"$(systemctl show -p ActiveState -p InvocationID {u} | \
             tr '\\n' ' ' | base64 -w0)\"; ",
            h = quote(&s.home),
            u = quote(unit_name),
        ));
    }
    if script.is_empty() {
        return Ok(reading);
    }
    let out = lines(t, &script)?;
    for s in [&mut reading.kafka, &mut reading.zookeeper].into_iter().flatten() {
        let unit_name = s.unit_path.rsplit('/').next().unwrap_or("").to_string();
        for (kind, key, value) in &out {
            match kind.as_str() {
                "file" if Some(key) == s.config_path.as_ref() => s.config = value.clone(),
                "link" if *key == s.home => {
                    s.home_real = value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
                }
                "state" if *key == unit_name => {
                    let v = value.clone().unwrap_or_default();
                    for word in v.split_whitespace() {
                        match word.split_once('=') {
                            Some(("ActiveState", state)) => s.active = state == "active",
                            Some(("InvocationID", id)) if !id.is_empty() => s.invocation = Some(id.to_string()),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // 3. ZooKeeper's myid, in the dataDir its properties name.
    if let Some(z) = &mut reading.zookeeper {
        let data_dir = z.config.as_deref().and_then(|c| {
            let (props, _) = parse::properties(c);
            props.into_iter().find(|(k, _)| k == "dataDir").map(|(_, v)| v)
        });
        if let Some(dir) = data_dir {
            let path = format!("{}/myid", dir.trim_end_matches('/'));
            let out = framed(t, &read_file_line(&path))?;
            z.myid = out.into_iter().find(|(p, _)| *p == path).and_then(|(_, v)| v);
            z.myid_path = Some(path);
        }
    }
    Ok(reading)
}

/// One line `file<TAB>path<TAB>base64` (an empty third field and status `-` when it cannot be read).
fn read_file_line(path: &str) -> String {
    let p = quote(path);
    format!(
        "if [ -f {p} ] && [ -r {p} ]; then printf 'file\\t%s\\t' {p}; base64 -w0 < {p}; printf '\\n'; \
         else printf 'file\\t%s\\t-\\n' {p}; fi; "
    )
}

fn lines(t: &dyn Transport, script: &str) -> Result<Vec<(String, String, Option<String>)>, String> {
    let out = t.exec(script, None).map_err(|e| e.to_string())?;
    if !out.success() {
        return Err(format!("reading the host failed: {}", out.stderr_tail(5)));
    }
    let mut rows = Vec::new();
    for line in out.stdout_text().lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(kind), Some(key), Some(value)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let decoded = if value == "-" {
            None
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        rows.push((kind.to_string(), key.to_string(), decoded));
    }
    Ok(rows)
}

fn framed(t: &dyn Transport, script: &str) -> Result<Vec<(String, Option<String>)>, String> {
    Ok(lines(t, script)?.into_iter().filter(|(k, _, _)| k == "file").map(|(_, p, v)| (p, v)).collect())
}
