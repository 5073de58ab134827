//! An Ansible inventory as Ansible reads it: groups (hosts, children, vars) and host vars, from the INI format or
//! the YAML one, plus the `group_vars/` and `host_vars/` folders beside the inventory file. Values are kept as YAML
//! values ([`serde_yaml_ng::Value`]); an INI value is a string, as Ansible's INI `:vars` sections give them, and
//! [`super::mapping`] reads it as the type its project field needs.
//!
//! Ansible's rules followed here (docs.ansible.com, "How to build your inventory"; docs/facts/ansible.md §1):
//! `[group]` lists hosts with inline `key=value` vars, `[group:vars]` sets group vars, `[group:children]` names child
//! groups, host ranges `name[01:03]` expand with their zero padding, `#` and `;` start comments; in YAML a group is
//! a mapping with `hosts`, `vars` and `children`, and every top-level key is a group.

use super::ImportError;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;

/// Variables by name, in the order they were written.
pub type Vars = Vec<(String, Value)>;

/// One inventory group: hosts listed directly, child groups, and its vars.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    pub name: String,
    pub hosts: Vec<String>,
    pub children: Vec<String>,
    pub vars: Vars,
}

/// A whole inventory: groups in the order they were first named, every host in the order it was first named.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    pub groups: Vec<Group>,
    pub hosts: Vec<String>,
    pub host_vars: BTreeMap<String, Vars>,
}

impl Inventory {
    /// The group named `name`, made (empty) on first use.
    pub fn group_mut(&mut self, name: &str) -> &mut Group {
        if let Some(i) = self.groups.iter().position(|g| g.name == name) {
            return &mut self.groups[i];
        }
        self.groups.push(Group { name: name.to_string(), ..Group::default() });
        self.groups.last_mut().expect("just pushed")
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// Adds `host` to `group` (and to the host list), keeping first-seen order.
    pub fn add_host(&mut self, group: &str, host: &str) {
        if !self.hosts.iter().any(|h| h == host) {
            self.hosts.push(host.to_string());
        }
        let g = self.group_mut(group);
        if !g.hosts.iter().any(|h| h == host) {
            g.hosts.push(host.to_string());
        }
    }

    pub fn set_host_var(&mut self, host: &str, key: &str, value: Value) {
        set(self.host_vars.entry(host.to_string()).or_default(), key, value);
    }

    /// Every host of `group`: its own and its children's, recursively (a cycle is followed once).
    pub fn members(&self, group: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        self.collect_members(group, &mut out, &mut seen);
        if group == "all" {
            for h in &self.hosts {
                if !out.contains(h) {
                    out.push(h.clone());
                }
            }
        }
        out
    }

    fn collect_members(&self, group: &str, out: &mut Vec<String>, seen: &mut Vec<String>) {
        if seen.iter().any(|s| s == group) {
            return;
        }
        seen.push(group.to_string());
        let Some(g) = self.group(group) else { return };
        for h in &g.hosts {
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
        for child in &g.children {
            self.collect_members(child, out, seen);
        }
    }
}

/// Sets `key` in `vars`, replacing an earlier value (a later definition wins, as in Ansible).
pub fn set(vars: &mut Vars, key: &str, value: Value) {
    match vars.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => vars.push((key.to_string(), value)),
    }
}

/// Reads an INI inventory. `file` names it in errors.
pub fn parse_ini(text: &str, file: &str) -> Result<Inventory, ImportError> {
    let mut inv = Inventory::default();
    enum Section {
        Hosts(String),
        Vars(String),
        Children(String),
    }
    let mut section = Section::Hosts("ungrouped".to_string());
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let bad = |why: String| ImportError::Ini { file: file.to_string(), line: line_no, why };
        if let Some(head) = line.strip_prefix('[') {
            let head = head
                .split_once(']')
                .map(|(h, _)| h.trim())
                .ok_or_else(|| bad("a section header needs its closing `]`, e.g. `[kafka_broker]`".into()))?;
            section = match head.split_once(':') {
                None => Section::Hosts(head.to_string()),
                Some((g, "vars")) => Section::Vars(g.to_string()),
                Some((g, "children")) => Section::Children(g.to_string()),
                Some((_, other)) => {
                    return Err(bad(format!(
                        "`[{head}]`: unknown section kind `{other}` — Ansible knows `[group]`, `[group:vars]` and `[group:children]`"
                    )))
                }
            };
            let (Section::Hosts(g) | Section::Vars(g) | Section::Children(g)) = &section;
            if g.is_empty() {
                return Err(bad("a section needs a group name".into()));
            }
            inv.group_mut(g);
            continue;
        }
        match &section {
            Section::Hosts(group) => {
                let words = split_words(line).map_err(&bad)?;
                let (pattern, vars) = words.split_first().expect("a non-empty line has a word");
                let mut parsed = Vec::new();
                for word in vars {
                    let (k, v) = word.split_once('=').ok_or_else(|| {
                        bad(format!("`{word}`: a host's variables are written `key=value` after the host name"))
                    })?;
                    parsed.push((k.to_string(), ini_value(v)));
                }
                for host in expand_range(pattern).map_err(&bad)? {
                    inv.add_host(group, &host);
                    for (k, v) in &parsed {
                        inv.set_host_var(&host, k, v.clone());
                    }
                }
            }
            Section::Vars(group) => {
                let (k, v) = line
                    .split_once('=')
                    .ok_or_else(|| bad(format!("`{line}`: a `[{group}:vars]` line is `key=value`")))?;
                let value = ini_value(&split_words(v.trim()).map_err(&bad)?.join(" "));
                set(&mut inv.group_mut(group).vars, k.trim(), value);
            }
            Section::Children(group) => {
                let child = line.to_string();
                inv.group_mut(&child);
                let g = inv.group_mut(group);
                if !g.children.contains(&child) {
                    g.children.push(child);
                }
            }
        }
    }
    Ok(inv)
}

/// An INI value: a string, its quotes removed (the mapping reads numbers, booleans and lists out of it).
fn ini_value(v: &str) -> Value {
    Value::String(v.to_string())
}

/// Splits a line into words at blanks, keeping quoted parts (`'…'`, `"…"`) together and unquoted; a `#` after
/// a blank starts a comment.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    let mut prev_blank = true;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                started = true;
            }
            None if c == '#' && prev_blank => break,
            None if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None => {
                word.push(c);
                started = true;
            }
        }
        prev_blank = c.is_whitespace();
    }
    if quote.is_some() {
        return Err("a quote is not closed on this line".into());
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

/// Expands Ansible's host ranges: `kafka[01:03]` → kafka01, kafka02, kafka03 (`[a:c]` for letters too).
fn expand_range(pattern: &str) -> Result<Vec<String>, String> {
    let Some((head, rest)) = pattern.split_once('[') else { return Ok(vec![pattern.to_string()]) };
    let (range, tail) = rest.split_once(']').ok_or_else(|| format!("`{pattern}`: a host range needs its `]`"))?;
    let (from, to) = range
        .split_once(':')
        .ok_or_else(|| format!("`{pattern}`: a host range is written `[first:last]`, e.g. `kafka[1:3]`"))?;
    let mut out = Vec::new();
    let tails = expand_range(tail)?;
    if let (Ok(a), Ok(b)) = (from.parse::<u64>(), to.parse::<u64>()) {
        if a > b {
            return Err(format!("`{pattern}`: the range's first number is above its last"));
        }
        let width = if from.len() > 1 && from.starts_with('0') { from.len() } else { 0 };
        for i in a..=b {
            for t in &tails {
                out.push(format!("{head}{i:0width$}{t}"));
            }
        }
    } else if let (Some(a), Some(b)) = (single_letter(from), single_letter(to)) {
        for c in a..=b {
            for t in &tails {
                out.push(format!("{head}{c}{t}"));
            }
        }
    } else {
        return Err(format!("`{pattern}`: a host range is numbers (`[01:03]`) or letters (`[a:c]`)"));
    }
    Ok(out)
}

fn single_letter(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
        _ => None,
    }
}

/// Reads a YAML inventory: every top-level key is a group.
pub fn parse_yaml(text: &str, file: &str) -> Result<Inventory, ImportError> {
    let doc: Value =
        serde_yaml_ng::from_str(text).map_err(|e| ImportError::Yaml { file: file.to_string(), why: e.to_string() })?;
    let mut inv = Inventory::default();
    match doc {
        Value::Null => {}
        Value::Mapping(groups) => {
            for (name, body) in groups {
                let name = key_name(&name, file, "a group")?;
                yaml_group(&mut inv, &name, body, file)?;
            }
        }
        _ => {
            return Err(ImportError::Yaml {
                file: file.to_string(),
                why: "the top level must be a mapping of groups (e.g. `all:` with `hosts`, `vars`, `children`)".into(),
            })
        }
    }
    Ok(inv)
}

fn key_name(key: &Value, file: &str, what: &str) -> Result<String, ImportError> {
    match key {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(ImportError::Yaml {
            file: file.to_string(),
            why: format!("{what} must be named by a string, not {}", short(other)),
        }),
    }
}

fn yaml_group(inv: &mut Inventory, name: &str, body: Value, file: &str) -> Result<(), ImportError> {
    inv.group_mut(name);
    let body = match body {
        Value::Null => return Ok(()),
        Value::Mapping(m) => m,
        other => {
            return Err(ImportError::Yaml {
                file: file.to_string(),
                why: format!("group `{name}`: expected `hosts`, `vars` or `children`, found {}", short(&other)),
            })
        }
    };
    for (key, value) in body {
        let key = key_name(&key, file, "a group's key")?;
        match key.as_str() {
            "hosts" => {
                for (host, vars) in mapping_or_empty(value, file, &format!("group `{name}`: hosts"))? {
                    let host = key_name(&host, file, "a host")?;
                    for h in expand_range(&host).map_err(|why| ImportError::Yaml { file: file.to_string(), why })? {
                        inv.add_host(name, &h);
                        for (k, v) in mapping_or_empty(vars.clone(), file, &format!("host `{h}`"))? {
                            let k = key_name(&k, file, "a variable")?;
                            inv.set_host_var(&h, &k, v);
                        }
                    }
                }
            }
            "vars" => {
                for (k, v) in mapping_or_empty(value, file, &format!("group `{name}`: vars"))? {
                    let k = key_name(&k, file, "a variable")?;
                    set(&mut inv.group_mut(name).vars, &k, v);
                }
            }
            "children" => {
                for (child, child_body) in mapping_or_empty(value, file, &format!("group `{name}`: children"))? {
                    let child = key_name(&child, file, "a group")?;
                    yaml_group(inv, &child, child_body, file)?;
                    let g = inv.group_mut(name);
                    if !g.children.contains(&child) {
                        g.children.push(child);
                    }
                }
            }
            other => {
                return Err(ImportError::Yaml {
                    file: file.to_string(),
                    why: format!(
                        "group `{name}`: unknown key `{other}` — a YAML inventory group has `hosts`, `vars` and `children` \
                         (a host's variables go under its name in `hosts`)"
                    ),
                })
            }
        }
    }
    Ok(())
}

fn mapping_or_empty(value: Value, file: &str, what: &str) -> Result<Mapping, ImportError> {
    match value {
        Value::Null => Ok(Mapping::new()),
        Value::Mapping(m) => Ok(m),
        other => Err(ImportError::Yaml {
            file: file.to_string(),
            why: format!("{what}: expected a mapping, found {}", short(&other)),
        }),
    }
}

/// Reads a `group_vars/<group>` or `host_vars/<host>` file (YAML, a mapping of variables).
pub fn parse_vars_file(text: &str, file: &str) -> Result<Vars, ImportError> {
    let doc: Value =
        serde_yaml_ng::from_str(text).map_err(|e| ImportError::Yaml { file: file.to_string(), why: e.to_string() })?;
    let mut out = Vars::new();
    for (k, v) in mapping_or_empty(doc, file, "a variables file")? {
        let k = key_name(&k, file, "a variable")?;
        set(&mut out, &k, v);
    }
    Ok(out)
}

fn short(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ini_inventory_gives_groups_children_host_vars_and_group_vars() {
        let inv = parse_ini(
            "# the guide's cluster\n[zk]\nzk[1:2] myid=7\n[zookeeper:children]\nzk\n[kafka_broker]\nk01 ansible_host=10.0.0.1 broker_id=1 # one\n\
             [all:vars]\nansible_user = 'ops user'\n",
            "hosts.ini",
        )
        .unwrap();
        assert_eq!(inv.hosts, ["zk1", "zk2", "k01"]);
        assert_eq!(inv.members("zookeeper"), ["zk1", "zk2"]);
        assert_eq!(inv.host_vars["k01"][0], ("ansible_host".to_string(), Value::String("10.0.0.1".into())));
        assert_eq!(inv.host_vars["k01"].len(), 2);
        assert_eq!(inv.group("all").unwrap().vars[0].1, Value::String("ops user".into()));
    }

    #[test]
    fn a_host_range_keeps_its_zero_padding() {
        assert_eq!(
            expand_range("peter-kafka[001:003]").unwrap(),
            ["peter-kafka001", "peter-kafka002", "peter-kafka003"]
        );
        assert_eq!(expand_range("n[a:b]x").unwrap(), ["nax", "nbx"]);
        assert!(expand_range("n[3:1]").is_err());
    }

    #[test]
    fn an_ini_error_names_the_line_and_the_fix() {
        let e = parse_ini("[kafka_broker]\nk1 broker_id\n", "inv").unwrap_err().to_string();
        assert!(e.contains("inv line 2") && e.contains("key=value"), "{e}");
        let e = parse_ini("[kafka:wat]\n", "inv").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("[group:children]"), "{e}");
    }

    #[test]
    fn a_yaml_inventory_gives_nested_children_and_their_hosts() {
        let inv = parse_yaml(
            "all:\n  vars: {ansible_user: root}\n  children:\n    kafka:\n      children:\n        kafka_broker:\n          hosts:\n            b1: {broker_id: 1}\n            b2:\n",
            "inv.yml",
        )
        .unwrap();
        assert_eq!(inv.members("kafka"), ["b1", "b2"]);
        assert_eq!(inv.members("all"), ["b1", "b2"]);
        assert_eq!(inv.host_vars["b1"][0].1, Value::Number(1.into()));
        let e = parse_yaml("all:\n  host:\n    b1:\n", "inv.yml").unwrap_err().to_string();
        assert!(e.contains("unknown key `host`"), "{e}");
    }
}
