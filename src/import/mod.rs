//! Import: an Ansible inventory (INI or YAML, with the `group_vars/` and `host_vars/` folders beside it) read into
//! a project draft. `inventory` parses what Ansible would read; `mapping` turns groups, host vars and group vars into
//! the project's fields, and lists everything it could not map (never dropping anything silently) and every
//! secret-looking variable it refused to copy.
//!
//! `live` reads running hosts instead (`import --hosts`: units, properties, `myid` over SSH).
//!
//! The variable names both directions use are in `vars` (the one home: `export::ansible` writes them).

pub mod inventory;
pub mod live;
pub mod mapping;
pub mod vars;

pub use mapping::{ImportOptions, Imported};

use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why an inventory could not be imported.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{file} line {line}: {why}")]
    Ini { file: String, line: usize, why: String },
    #[error("{file}: not a YAML inventory Ansible reads: {why}")]
    Yaml { file: String, why: String },
    #[error("{var} ({place}): {why}")]
    BadValue { var: String, place: String, why: String },
    #[error(
        "{file}: no host is in a Kafka group — put hosts in `zookeeper`, `kafka_broker` (or `kafka`, \
         `kafka_brokers`) and `kafka_controller` (children groups count)"
    )]
    NoKafkaHosts { file: String },
    #[error("host {host}: {why}")]
    Host { host: String, why: String },
}

/// Reads the inventory at `path` (INI, or YAML for `.yml`/`.yaml` or a file whose first line is a `group:`), then
/// the `group_vars/` and `host_vars/` folders beside it, as Ansible does.
pub fn read_inventory(path: &Path) -> Result<inventory::Inventory, ImportError> {
    let text = read(path)?;
    let file = path.display().to_string();
    let mut inv =
        if is_yaml(path, &text) { inventory::parse_yaml(&text, &file)? } else { inventory::parse_ini(&text, &file)? };
    let dir = path.parent().unwrap_or(Path::new("."));
    let groups: Vec<String> = inv.groups.iter().map(|g| g.name.clone()).chain(["all".to_string()]).collect();
    for group in groups {
        for (k, v) in vars_files(&dir.join("group_vars"), &group)? {
            inventory::set(&mut inv.group_mut(&group).vars, &k, v);
        }
    }
    for host in inv.hosts.clone() {
        for (k, v) in vars_files(&dir.join("host_vars"), &host)? {
            inv.set_host_var(&host, &k, v);
        }
    }
    Ok(inv)
}

/// Reads an inventory and maps it into a project draft.
pub fn import_ansible(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let inv = read_inventory(path)?;
    mapping::to_draft(&inv, &path.display().to_string(), options)
}

fn is_yaml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yml" | "yaml" | "json") => true,
        Some("ini" | "cfg") => false,
        _ => text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
            .is_some_and(|l| l.ends_with(':') || l == "---" || l.starts_with('{')),
    }
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Read { path: path.to_path_buf(), source })
}

/// `<dir>/<name>`, `<name>.yml`, `.yaml`, `.json`, and every such file in a `<dir>/<name>/` folder (sorted).
fn vars_files(dir: &Path, name: &str) -> Result<inventory::Vars, ImportError> {
    let mut out = inventory::Vars::new();
    let mut files = Vec::new();
    for candidate in [name.to_string(), format!("{name}.yml"), format!("{name}.yaml"), format!("{name}.json")] {
        let p = dir.join(candidate);
        if p.is_file() {
            files.push(p);
        }
    }
    let folder = dir.join(name);
    if folder.is_dir() {
        let mut inner: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|source| ImportError::Read { path: folder.clone(), source })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml" || e == "json"))
            .collect();
        inner.sort();
        files.extend(inner);
    }
    for f in files {
        for (k, v) in inventory::parse_vars_file(&read(&f)?, &f.display().to_string())? {
            inventory::set(&mut out, &k, v);
        }
    }
    Ok(out)
}
