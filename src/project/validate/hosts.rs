//! The `[[hosts]]` entries: each host on its own (name, address, roles, ids, rack, data directories, connection)
//! and against each other (names, addresses and ids appear once; some host is a broker).

use super::kafka::check_data_dirs;
use super::ssh::merge_ssh;
use super::Checker;
use crate::project::checks;
use crate::project::defaults;
use crate::project::draft::{HostDraft, ProjectDraft, SshDraft};
use crate::project::problem::text;
use crate::project::spec::*;
use std::collections::HashMap;

/// A host's name and its optional address: `None` for a field that failed its check (`Some(None)`: no address).
pub(super) fn check_name_and_address(
    c: &mut Checker,
    i: usize,
    h: &HostDraft,
) -> (Option<NetAddress>, Option<Option<NetAddress>>) {
    let at = |f: &str| format!("hosts[{i}].{f}");
    let name = if h.name.is_empty() {
        c.error(
            at("name"),
            text!(
                "missing — give the host name operators know it by, e.g. name = \"kafka1\"",
                "없습니다 — 운영자들이 부르는 호스트 이름을 입력하세요. 예: name = \"kafka1\""
            ),
        );
        None
    } else {
        c.check(at("name"), checks::net_address(&h.name))
    };
    let address = match h.address.as_deref() {
        Some(a) => c.check(at("address"), checks::net_address(a)).map(Some),
        None => Some(None),
    };
    (name, address)
}

pub(super) fn check_connection(c: &mut Checker, field: &str, raw: Option<&str>) -> Option<Connection> {
    let Some(raw) = raw else { return Some(defaults::CONNECTION) };
    match Connection::ALL.into_iter().find(|kind| kind.name() == raw) {
        Some(kind) => Some(kind),
        None => {
            let other = raw;
            c.error(
                field,
                text!(
                    "{other:?} is not a connection — write \"ssh\" (the default) or \"local\" (this machine)",
                    "{other:?}은(는) 연결 방식이 아닙니다 — \"ssh\"(기본값) 또는 \"local\"(이 컴퓨터)을 쓰세요"
                ),
            );
            None
        }
    }
}

fn parse_roles(c: &mut Checker, field: &str, raw: &[String]) -> Option<Vec<Role>> {
    if raw.is_empty() {
        c.error(
            field,
            text!(
                "is empty — give the host at least one role: \"broker\", \"zookeeper\" or \"controller\"",
                "비어 있습니다 — 호스트에 역할을 하나 이상 주세요: \"broker\", \"zookeeper\" 또는 \"controller\""
            ),
        );
        return None;
    }
    let mut roles = Vec::new();
    let mut ok = true;
    for (i, r) in raw.iter().enumerate() {
        match Role::ALL.iter().find(|role| role.name() == r) {
            Some(role) if roles.contains(role) => {
                c.error(
                    format!("{field}[{i}]"),
                    text!(
                        "{r:?} is listed twice — list each role once",
                        "{r:?}이(가) 두 번 나옵니다 — 역할마다 한 번만 적으세요"
                    ),
                );
                ok = false;
            }
            Some(role) => roles.push(*role),
            None => {
                c.error(
                    format!("{field}[{i}]"),
                    text!(
                        "{r:?} is not a role — use \"broker\", \"zookeeper\" or \"controller\"",
                        "{r:?}은(는) 역할이 아닙니다 — \"broker\", \"zookeeper\" 또는 \"controller\"를 쓰세요"
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(roles)
}

pub(super) fn check_hosts(
    c: &mut Checker,
    d: &ProjectDraft,
    kraft: Option<bool>,
    default_dirs: Option<&[AbsPath]>,
) -> Option<Vec<HostSpec>> {
    if d.hosts.is_empty() {
        c.error(
            "hosts",
            text!(
                "no hosts — add a [[hosts]] entry for every machine of the cluster",
                "호스트가 없습니다 — 클러스터의 머신마다 [[hosts]] 항목을 추가하세요"
            ),
        );
        return None;
    }
    // Check the project-wide SSH defaults once, so their problems are reported once.
    let base_ssh = merge_ssh(c, "ssh", &d.ssh, None);
    let checked: Vec<Option<HostSpec>> =
        d.hosts.iter().enumerate().map(|(i, h)| check_host(c, i, h, &d.ssh, kraft, default_dirs)).collect();
    // Cross-host checks run on every host that passed on its own, so all problems show at once.
    let passed: Vec<(usize, &HostSpec)> =
        checked.iter().enumerate().filter_map(|(i, h)| h.as_ref().map(|h| (i, h))).collect();
    check_host_uniqueness(c, &passed);
    if checked.iter().flatten().all(|h| !h.has(Role::Broker)) && checked.iter().all(Option::is_some) {
        c.error(
            "hosts",
            text!(
                "no host has the role \"broker\" — give at least one host roles = [\"broker\"]",
                "역할이 \"broker\"인 호스트가 없습니다 — 적어도 한 호스트에 roles = [\"broker\"]를 주세요"
            ),
        );
    }
    let hosts: Option<Vec<HostSpec>> = checked.into_iter().collect();
    base_ssh?;
    hosts.filter(|_| !c.has_errors())
}

fn check_host(
    c: &mut Checker,
    i: usize,
    h: &HostDraft,
    ssh: &SshDraft,
    kraft: Option<bool>,
    default_dirs: Option<&[AbsPath]>,
) -> Option<HostSpec> {
    let at = |f: &str| format!("hosts[{i}].{f}");
    let (name, address) = check_name_and_address(c, i, h);
    let roles = parse_roles(c, &at("roles"), &h.roles);
    let label = name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
    let label_ko = name.as_ref().map(|n| format!("({n})")).unwrap_or_default();

    let mut ids_ok = true;
    if let Some(roles) = &roles {
        for role in roles {
            match (role, kraft) {
                // A ZooKeeper-mode project's controllers are the KRaft controllers of its migration to KRaft
                // (`kafka-wizard migrate`), which Apache runs on dedicated controllers only.
                (Role::Controller, Some(false)) if roles.contains(&Role::Broker) => {
                    c.error(at("roles"), text!("a migration to KRaft needs dedicated controllers (Apache does not migrate a broker into a combined node) — give the role \"controller\"{label} to hosts without \"broker\"", "KRaft로의 마이그레이션에는 전용 controller가 필요합니다(Apache는 broker를 combined 노드로 마이그레이션하지 않습니다) — 역할 \"controller\"{label_ko}는 \"broker\"가 없는 호스트에 주세요"));
                    ids_ok = false;
                }
                (Role::Zookeeper, Some(true)) => {
                    c.error(at("roles"), text!("\"zookeeper\" has no place in KRaft mode — remove it{label}, or use the role \"controller\"", "\"zookeeper\"는 KRaft 모드에서 쓸 수 없습니다 — 이 호스트{label_ko}에서 지우거나 역할 \"controller\"를 쓰세요"));
                    ids_ok = false;
                }
                _ => {}
            }
        }
    }
    let needs_id = roles.as_ref().is_some_and(|r| r.contains(&Role::Broker) || r.contains(&Role::Controller));
    let is_member = roles.as_ref().is_some_and(|r| r.contains(&Role::Zookeeper));
    let node_id = match (h.id, needs_id) {
        (Some(id), _) if !(0..=i64::from(i32::MAX)).contains(&id) => {
            let max = i32::MAX;
            c.error(
                at("id"),
                text!(
                    "{id} is out of range — broker and node ids are whole numbers from 0 to {max}",
                    "{id}은(는) 범위를 벗어났습니다 — broker id와 node id는 0부터 {max} 사이의 정수입니다"
                ),
            );
            ids_ok = false;
            None
        }
        (Some(id), true) => Some(id as u32),
        (Some(_), false) if roles.is_some() => {
            c.error(at("id"), text!("only brokers and controllers have an id — remove it{label}, or add the role \"broker\"", "id는 broker와 controller에만 있습니다 — 이 호스트{label_ko}에서 id를 지우거나 역할 \"broker\"를 추가하세요"));
            ids_ok = false;
            None
        }
        (None, true) => {
            let what = if kraft == Some(true) { "node.id" } else { "broker.id" };
            let n = i + 1;
            c.error(
                at("id"),
                text!(
                    "missing — every broker and controller needs a unique id ({what}), e.g. id = {n}",
                    "없습니다 — broker와 controller마다 고유한 id({what})가 필요합니다. 예: id = {n}"
                ),
            );
            ids_ok = false;
            None
        }
        _ => None,
    };
    let myid = match (h.zookeeper_id, is_member) {
        (Some(id), true) if (1..=255).contains(&id) => Some(id as u8),
        (Some(id), true) => {
            c.error(
                at("zookeeper_id"),
                text!(
                    "{id} is outside 1–255 — ZooKeeper's myid must be a number from 1 to 255",
                    "{id}은(는) 1–255 범위 밖입니다 — ZooKeeper의 myid는 1부터 255 사이의 숫자여야 합니다"
                ),
            );
            ids_ok = false;
            None
        }
        (Some(_), false) if roles.is_some() => {
            c.error(at("zookeeper_id"), text!("only ZooKeeper ensemble members have a myid — remove it{label}, or add the role \"zookeeper\"", "myid는 ZooKeeper 앙상블 멤버에만 있습니다 — 이 호스트{label_ko}에서 지우거나 역할 \"zookeeper\"를 추가하세요"));
            ids_ok = false;
            None
        }
        (None, true) => {
            let n = i + 1;
            c.error(at("zookeeper_id"), text!("missing — every ZooKeeper ensemble member needs a unique myid from 1 to 255, e.g. zookeeper_id = {n}", "없습니다 — ZooKeeper 앙상블 멤버마다 1부터 255 사이의 고유한 myid가 필요합니다. 예: zookeeper_id = {n}"));
            ids_ok = false;
            None
        }
        _ => None,
    };
    let rack = h.rack.as_deref().and_then(|r| c.check(at("rack"), checks::rack(r)));
    let rack_ok = h.rack.is_none() || rack.is_some();
    let data_dirs = match &h.data_dirs {
        Some(list) => check_data_dirs(c, &at("data_dirs"), list),
        // When the project-wide list is invalid its problems are already reported; go on with no directories so
        // the host's other fields are still checked.
        None => Some(default_dirs.map(<[AbsPath]>::to_vec).unwrap_or_default()),
    };
    let ssh = merge_ssh(c, &at("ssh"), ssh, h.ssh.as_ref());
    let connection = check_connection(c, &at("connection"), h.connection.as_deref());
    if !(ids_ok && rack_ok) {
        return None;
    }
    Some(HostSpec {
        name: name?,
        address: address?,
        roles: roles?,
        node_id,
        myid,
        rack,
        data_dirs: data_dirs?,
        ssh: ssh?,
        connection: connection?,
    })
}

fn check_host_uniqueness(c: &mut Checker, hosts: &[(usize, &HostSpec)]) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut reach: HashMap<&str, usize> = HashMap::new();
    let mut ids: HashMap<u32, usize> = HashMap::new();
    let mut myids: HashMap<u8, usize> = HashMap::new();
    let name_of = |j: usize| hosts.iter().find(|(k, _)| *k == j).map(|(_, h)| h.name.to_string()).unwrap_or_default();
    for &(i, h) in hosts {
        if let Some(&j) = names.get(h.name.as_str()) {
            let name = &h.name;
            c.error(
                format!("hosts[{i}].name"),
                text!(
                    "{name} is also hosts[{j}] — every host appears once; give it both roles instead",
                    "{name}은(는) hosts[{j}]에도 있습니다 — 호스트는 한 번만 적고, 대신 두 역할을 모두 주세요"
                ),
            );
        }
        names.insert(h.name.as_str(), i);
        if let Some(address) = &h.address {
            if let Some(&j) = reach.get(address.as_str()) {
                let other = name_of(j);
                c.error(format!("hosts[{i}].address"), text!("{address} is also the address of hosts[{j}] ({other}) — two entries for one machine; merge them and give it both roles", "{address}은(는) hosts[{j}]({other})의 주소이기도 합니다 — 한 머신에 항목이 두 개입니다. 하나로 합치고 두 역할을 모두 주세요"));
            }
            reach.insert(address.as_str(), i);
        }
        if let Some(id) = h.node_id {
            if let Some(&j) = ids.get(&id) {
                let other = name_of(j);
                c.error(
                    format!("hosts[{i}].id"),
                    text!(
                        "{id} is also the id of hosts[{j}] ({other}) — give every broker and controller a unique id",
                        "{id}은(는) hosts[{j}]({other})의 id이기도 합니다 — broker와 controller마다 고유한 id를 주세요"
                    ),
                );
            }
            ids.insert(id, i);
        }
        if let Some(myid) = h.myid {
            if let Some(&j) = myids.get(&myid) {
                let other = name_of(j);
                c.error(format!("hosts[{i}].zookeeper_id"), text!("{myid} is also the myid of hosts[{j}] ({other}) — give every ensemble member a unique zookeeper_id", "{myid}은(는) hosts[{j}]({other})의 myid이기도 합니다 — 앙상블 멤버마다 고유한 zookeeper_id를 주세요"));
            }
            myids.insert(myid, i);
        }
    }
}
