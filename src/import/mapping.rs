//! Inventory → project draft: the hosts of the Kafka groups with their roles, each variable of `vars` put into its
//! field, and what is refused (secret-looking variables) or left over (warnings naming each variable and where it was
//! set). Precedence as Ansible's: `all` < other groups (inventory order) < `group_vars/` files < the host's own vars.

use super::inventory::{Inventory, Vars};
use super::vars::*;
use super::ImportError;
use crate::project::draft::{AclDraft, HostDraft, ProjectDraft, SshDraft, FORMAT};
use crate::project::validate::{OWNED_PROPERTIES, OWNED_SECURITY_PROPERTIES};
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a host's properties map says of the host itself (cp-ansible: `kafka_broker_custom_properties` per host).
#[derive(Clone, Debug, Default)]
struct HostProps {
    id: Option<Typed>,
    data_dirs: Option<Typed>,
}

/// What the caller decides beside the inventory.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The project's name; else `kafka_cluster_name`, else the ZooKeeper chroot, else the inventory's file name.
    pub name: Option<String>,
}

/// A draft made from an inventory, with everything it could not map or refused to copy.
#[derive(Clone, Debug)]
pub struct Imported {
    pub draft: ProjectDraft,
    pub warnings: Vec<String>,
}

struct Ctx<'a> {
    inv: &'a Inventory,
    file: &'a str,
    /// Imported hosts with their effective variables.
    hosts: Vec<(String, Vars)>,
    used: BTreeSet<String>,
    warnings: Vec<String>,
}

/// Maps an inventory into a project draft (see the module header for the names).
pub fn to_draft(inv: &Inventory, file: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let in_groups = |names: &[&str]| -> Vec<String> { names.iter().flat_map(|g| inv.members(g)).collect() };
    let (brokers, controllers, zookeepers) =
        (in_groups(BROKER_GROUPS), in_groups(CONTROLLER_GROUPS), in_groups(ZOOKEEPER_GROUPS));
    let mut warnings = Vec::new();
    let mut hosts = Vec::new();
    for h in &inv.hosts {
        if brokers.contains(h) || controllers.contains(h) || zookeepers.contains(h) {
            hosts.push((h.clone(), effective_vars(inv, h)));
        } else {
            warnings.push(format!(
                "host {h}: in no Kafka group ({}, {}, {}) — not imported",
                BROKER_GROUPS.join("/"),
                CONTROLLER_GROUPS.join("/"),
                ZOOKEEPER_GROUPS.join("/")
            ));
        }
    }
    if hosts.is_empty() {
        return Err(ImportError::NoKafkaHosts { file: file.to_string() });
    }
    let mut cx = Ctx { inv, file, hosts, used: BTreeSet::new(), warnings };
    cx.refuse_secrets();
    let mut draft = ProjectDraft { format: FORMAT, ..ProjectDraft::default() };
    for var in CLUSTER_VARS {
        if let Some((name, value)) = cx.cluster_value(var.names) {
            let typed = coerce(&value, var.kind).map_err(|why| bad(&name, "cluster", why))?;
            (var.set)(&mut draft, typed);
        }
    }
    cx.security_from_cp_ansible(&mut draft)?;
    if let Some((name, value)) = cx.cluster_value(ACLS) {
        let acls: Vec<AclDraft> = serde_yaml_ng::from_value(value).map_err(|e| {
            bad(&name, "cluster", format!("a list of {{user, resource, name, pattern, operations}} mappings: {e}"))
        })?;
        sec(&mut draft).acls = acls;
    }
    let host_props = cx.properties(&mut draft)?;
    let data_dirs = cx.shared(DATA_DIRS, Kind::List)?;
    if let Some(Typed::List(dirs)) = &data_dirs {
        draft.kafka.data_dirs = Some(dirs.clone());
    }
    let ssh_user = cx.shared(SSH_USER, Kind::Str)?;
    let ssh_port = cx.shared(SSH_PORT, Kind::Int)?;
    let ssh_key = cx.shared(SSH_KEY, Kind::Str)?;
    let ssh_become = cx.shared(SSH_BECOME, Kind::Bool)?;
    let ssh_known = cx.shared(SSH_KNOWN_HOSTS, Kind::Str)?;
    draft.ssh = SshDraft {
        user: ssh_user.clone().and_then(s),
        port: ssh_port.clone().and_then(i),
        identity_file: ssh_key.clone().and_then(s),
        known_hosts: ssh_known.clone().and_then(s),
        sudo: ssh_become.clone().and_then(b),
        ..SshDraft::default()
    };
    let mode = draft.kafka.mode.clone().or_else(|| {
        if !controllers.is_empty() {
            Some("kraft".to_string())
        } else if !zookeepers.is_empty() || draft.zookeeper.as_ref().is_some_and(|z| z.external.is_some()) {
            Some("zookeeper".to_string())
        } else {
            None
        }
    });
    draft.kafka.mode = mode;
    for (host, vars) in cx.hosts.clone() {
        let place = format!("host {host}");
        let props = host_props.get(&host).cloned().unwrap_or_default();
        let get = |names: &[&str], kind: Kind| -> Result<Option<Typed>, ImportError> {
            match names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n)) {
                Some((k, v)) => coerce(v, kind).map(Some).map_err(|why| bad(k, &place, why)),
                None => Ok(None),
            }
        };
        let differs = |names: &[&str], kind: Kind, shared: &Option<Typed>| -> Result<Option<Typed>, ImportError> {
            Ok(get(names, kind)?.filter(|v| Some(v) != shared.as_ref()))
        };
        let mut roles = Vec::new();
        for (role, members) in [("broker", &brokers), ("controller", &controllers), ("zookeeper", &zookeepers)] {
            if members.contains(&host) {
                roles.push(role.to_string());
            }
        }
        let ssh = SshDraft {
            user: differs(SSH_USER, Kind::Str, &ssh_user)?.and_then(s),
            port: differs(SSH_PORT, Kind::Int, &ssh_port)?.and_then(i),
            identity_file: differs(SSH_KEY, Kind::Str, &ssh_key)?.and_then(s),
            known_hosts: differs(SSH_KNOWN_HOSTS, Kind::Str, &ssh_known)?.and_then(s),
            sudo: differs(SSH_BECOME, Kind::Bool, &ssh_become)?.and_then(b),
            ..SshDraft::default()
        };
        let connection = match get(&[CONNECTION], Kind::Str)?.and_then(s).as_deref() {
            None | Some("ssh") | Some("paramiko") | Some("smart") => None,
            Some("local") => Some("local".to_string()),
            Some(other) => {
                return Err(ImportError::Host {
                    host,
                    why: format!("{CONNECTION}={other}: the wizard reaches hosts over SSH or runs locally (\"local\")"),
                })
            }
        };
        cx.used.extend(
            [HOST_ID, HOST_ZOOKEEPER_ID, HOST_RACK, &[HOST_ADDRESS, HOST_TLS_CERT, HOST_TLS_KEY, CONNECTION]]
                .iter()
                .flat_map(|names| names.iter().map(|n| n.to_string())),
        );
        draft.hosts.push(HostDraft {
            address: get(&[HOST_ADDRESS], Kind::Str)?.and_then(s).filter(|a| a != &host),
            roles,
            id: get(HOST_ID, Kind::Int)?.or_else(|| props.id.clone()).and_then(i),
            zookeeper_id: get(HOST_ZOOKEEPER_ID, Kind::Int)?.and_then(i),
            rack: get(HOST_RACK, Kind::Str)?.and_then(s),
            data_dirs: differs(DATA_DIRS, Kind::List, &data_dirs)?
                .or_else(|| props.data_dirs.clone().filter(|d| Some(d) != data_dirs.as_ref()))
                .and_then(l),
            ssh: (!ssh.is_empty()).then_some(ssh),
            connection,
            tls_cert: get(&[HOST_TLS_CERT], Kind::Str)?.and_then(s),
            tls_key: get(&[HOST_TLS_KEY], Kind::Str)?.and_then(s),
            name: host,
        });
    }
    draft.name = options.name.clone().or(draft.name).or_else(|| {
        let chroot = draft.zookeeper.as_ref().and_then(|z| z.chroot.as_deref()).map(|c| c.trim_matches('/'));
        chroot
            .filter(|c| !c.is_empty() && !c.contains('/'))
            .map(str::to_string)
            .or_else(|| std::path::Path::new(cx.file).file_stem().map(|s| s.to_string_lossy().to_string()))
    });
    cx.warn_unmapped();
    Ok(Imported { draft, warnings: cx.warnings })
}

/// A host's variables as Ansible resolves them: `all`, then each group holding it (inventory order), then its own.
fn effective_vars(inv: &Inventory, host: &str) -> Vars {
    let mut out = Vars::new();
    let all = inv.group("all").map(|g| g.vars.clone()).unwrap_or_default();
    let groups = inv.groups.iter().filter(|g| g.name != "all" && inv.members(&g.name).iter().any(|h| h == host));
    for (k, v) in all.into_iter().chain(groups.flat_map(|g| g.vars.clone())) {
        super::inventory::set(&mut out, &k, v);
    }
    for (k, v) in inv.host_vars.get(host).cloned().unwrap_or_default() {
        super::inventory::set(&mut out, &k, v);
    }
    out
}

impl Ctx<'_> {
    /// Every place a variable is set: `all`'s vars, each group's, each host's.
    fn places(&self) -> Vec<(String, &str, &Value)> {
        let mut out = Vec::new();
        for g in &self.inv.groups {
            for (k, v) in &g.vars {
                out.push((format!("group {}", g.name), k.as_str(), v));
            }
        }
        for (h, vars) in &self.inv.host_vars {
            for (k, v) in vars {
                out.push((format!("host {h}"), k.as_str(), v));
            }
        }
        out
    }

    fn refuse_secrets(&mut self) {
        let mut secret: Vec<(String, String)> = Vec::new();
        for (place, k, v) in self.places() {
            if looks_secret(k, v) {
                secret.push((k.to_string(), place));
            }
        }
        for (k, place) in secret {
            self.warnings.push(format!(
                "{k} ({place}): looks secret — NOT written into the project (the wizard makes its own keys and \
                 passwords and keeps them in its secrets store)"
            ));
            self.used.insert(k);
        }
    }

    /// The value of a cluster-wide variable: `all`'s, else the one every imported host that sets it agrees on
    /// (a disagreement is a warning; the first host's wins).
    fn cluster_value(&mut self, names: &[&str]) -> Option<(String, Value)> {
        let mut found: Vec<(String, String, Value)> = Vec::new();
        for (host, vars) in &self.hosts {
            if let Some((k, v)) = names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n)) {
                found.push((host.clone(), k.clone(), v.clone()));
            }
        }
        for n in names {
            self.used.insert(n.to_string());
        }
        if found.is_empty() {
            let all = self.inv.group("all")?;
            return names.iter().find_map(|n| all.vars.iter().find(|(k, _)| k == n).cloned());
        }
        let (first_host, key, value) = found[0].clone();
        let others: Vec<&str> = found.iter().filter(|(_, _, v)| *v != value).map(|(h, _, _)| h.as_str()).collect();
        if !others.is_empty() {
            self.warnings.push(format!(
                "{key}: differs between hosts ({} vs {first_host}) — the project holds one value for the cluster; \
                 {first_host}'s is used",
                others.join(", ")
            ));
        }
        Some((key, value))
    }

    /// A variable that is cluster-wide with per-host overrides: `all`'s value, else the value every imported host
    /// has; `None` when hosts differ (then each host keeps its own).
    fn shared(&mut self, names: &[&str], kind: Kind) -> Result<Option<Typed>, ImportError> {
        for n in names {
            self.used.insert(n.to_string());
        }
        let pick = |vars: &Vars| names.iter().find_map(|n| vars.iter().find(|(k, _)| k == n).cloned());
        if let Some((k, v)) = self.inv.group("all").and_then(|g| pick(&g.vars)) {
            return coerce(&v, kind).map(Some).map_err(|why| bad(&k, "group all", why));
        }
        let mut values = Vec::new();
        for (host, vars) in &self.hosts {
            match pick(vars) {
                Some((k, v)) => values.push(coerce(&v, kind).map_err(|why| bad(&k, &format!("host {host}"), why))?),
                None => return Ok(None),
            }
        }
        Ok(values.first().cloned().filter(|first| values.iter().all(|v| v == first)))
    }

    /// cp-ansible's `ssl_enabled` / `sasl_protocol` when the wizard's own `kafka_security_protocol` is not set.
    fn security_from_cp_ansible(&mut self, draft: &mut ProjectDraft) -> Result<(), ImportError> {
        let ssl = match self.cluster_value(&["ssl_enabled"]) {
            Some((k, v)) => matches!(coerce(&v, Kind::Bool).map_err(|why| bad(&k, "cluster", why))?, Typed::Bool(true)),
            None => false,
        };
        let sasl = self.cluster_value(&["sasl_protocol"]).map(|(_, v)| value_text(&v).to_ascii_lowercase());
        if draft.security.as_ref().is_some_and(|s| s.protocol.is_some()) {
            return Ok(());
        }
        let mechanism = match sasl.as_deref() {
            Some("scram") | Some("scram512") => Some("SCRAM-SHA-512"),
            Some("scram256") => Some("SCRAM-SHA-256"),
            Some("none") | None => None,
            Some(other) => {
                self.warnings.push(format!(
                    "sasl_protocol={other}: the wizard runs SCRAM (scram, scram256) only — the project is TLS only"
                ));
                None
            }
        };
        match (ssl, mechanism) {
            (true, Some(m)) => {
                sec(draft).protocol = Some("sasl_ssl".into());
                sec(draft).sasl_mechanism = Some(m.into());
            }
            (true, None) => sec(draft).protocol = Some("ssl".into()),
            (false, Some(_)) => self.warnings.push(
                "sasl_protocol without ssl_enabled: SASL over plaintext is not offered — the project is plaintext; set \
                 security.protocol = \"sasl_ssl\" to secure it"
                    .into(),
            ),
            (false, None) => {}
        }
        Ok(())
    }

    /// `[kafka.properties]` from each host's properties map: a key every host that sets it agrees on; `broker.id` /
    /// `node.id` and `log.dirs` (cp-ansible sets them per host) are returned per host for its id and data dirs.
    fn properties(&mut self, draft: &mut ProjectDraft) -> Result<BTreeMap<String, HostProps>, ImportError> {
        let mut per_host = BTreeMap::new();
        let mut seen: Vec<(String, String, Value)> = Vec::new(); // (key, first host, value)
        for n in PROPERTIES {
            self.used.insert(n.to_string());
        }
        for (host, vars) in self.hosts.clone() {
            let Some((name, value)) = PROPERTIES.iter().find_map(|n| vars.iter().find(|(k, _)| k == n)).cloned() else {
                continue;
            };
            let value = match value {
                Value::String(text) => serde_yaml_ng::from_str(&text).unwrap_or(Value::String(text)),
                v => v,
            };
            let Value::Mapping(map) = value else {
                return Err(bad(
                    &name,
                    &format!("host {host}"),
                    "a mapping of server.properties keys to values".into(),
                ));
            };
            let mut mine = HostProps::default();
            for (k, v) in map {
                let key = value_text(&k);
                let place = format!("host {host}");
                match key.as_str() {
                    "broker.id" | "node.id" => {
                        mine.id = Some(coerce(&v, Kind::Int).map_err(|why| bad(&format!("{name}.{key}"), &place, why))?)
                    }
                    "log.dirs" | "log.dir" => {
                        mine.data_dirs =
                            Some(coerce(&v, Kind::List).map_err(|why| bad(&format!("{name}.{key}"), &place, why))?)
                    }
                    _ => match seen.iter().find(|(k, _, _)| *k == key) {
                        Some((_, first, before)) if *before != v => self.warnings.push(format!(
                            "{name}.{key}: differs between hosts ({host} vs {first}) — the project holds one value for \
                             the cluster; {first}'s is used"
                        )),
                        Some(_) => {}
                        None => {
                            seen.push((key.clone(), host.clone(), v.clone()));
                            self.property(draft, &name, key, &v);
                        }
                    },
                }
            }
            per_host.insert(host, mine);
        }
        Ok(per_host)
    }

    fn property(&mut self, draft: &mut ProjectDraft, name: &str, key: String, v: &Value) {
        let owner = OWNED_PROPERTIES
            .iter()
            .find(|(o, _, _)| *o == key)
            .map(|(_, field, _)| field.to_string())
            .or_else(|| OWNED_SECURITY_PROPERTIES.contains(&key.as_str()).then(|| "[security]".to_string()));
        if looks_secret(&key, v) {
            self.warnings.push(format!("{name}.{key}: looks secret — NOT written into the project"));
        } else if let Some(field) = owner {
            self.warnings.push(format!(
                "{name}.{key} = {}: the wizard writes this key itself (from {field}) — not copied",
                value_text(v)
            ));
        } else {
            draft.kafka.properties.insert(key, toml::Value::String(value_text(v)));
        }
    }

    fn warn_unmapped(&mut self) {
        let mut left: Vec<(String, Vec<String>)> = Vec::new();
        for (place, k, _) in self.places() {
            if self.used.contains(k) {
                continue;
            }
            match left.iter_mut().find(|(name, _)| name == k) {
                Some((_, places)) => places.push(place),
                None => left.push((k.to_string(), vec![place])),
            }
        }
        for (k, places) in left {
            let shown = if places.len() > 3 {
                format!("{} and {} more", places[..3].join(", "), places.len() - 3)
            } else {
                places.join(", ")
            };
            self.warnings.push(format!("{k} ({shown}): not mapped to any project field — left out"));
        }
    }
}

fn bad(var: &str, place: &str, why: String) -> ImportError {
    ImportError::BadValue { var: var.to_string(), place: place.to_string(), why }
}
