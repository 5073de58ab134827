//! `~/.ssh/config`, read the way OpenSSH reads it (ssh_config(5), copied into docs/facts/ssh-config.md): `Host`
//! blocks whose whitespace-separated patterns use `*` and `?` and `!negation` (a negated match excludes the block
//! whatever else matches), `Match all` as `Host *`, other `Match` criteria not evaluated (their block is skipped and
//! said so), `Include` (relative to `~/.ssh`, `*`/`?` in the file name, processed inside the block it appears in),
//! keywords case-insensitive with `Keyword value` or `Keyword=value`, double-quoted arguments — and **the first
//! obtained value of each parameter wins**. Only what the wizard uses is kept: `HostName` (with `%h`), `User`,
//! `Port`, `IdentityFile` (`~`, `%h`, `%d`), `ProxyJump`, `UserKnownHostsFile`, `CertificateFile`, `ProxyCommand`.

use super::known_hosts::glob;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SshConfigError {
    #[error("{file}:{line}: {detail}")]
    Syntax { file: String, line: usize, detail: String },
    #[error("reading {file}: {detail}")]
    Read { file: String, detail: String },
}

/// One option line: lower-case keyword, its arguments, and where it was written (`file:line`).
#[derive(Clone, Debug)]
struct Opt {
    keyword: String,
    args: Vec<String>,
    origin: String,
}

/// A block's condition: every pattern list must match (a `Host` line, and the ones of the blocks an `Include`
/// sits in). `None`: a `Match` block that is not evaluated.
#[derive(Clone, Debug)]
struct Block {
    conditions: Option<Vec<Vec<String>>>,
    origin: String,
    options: Vec<Opt>,
}

/// A parsed ssh_config file with its includes, in file order.
#[derive(Clone, Debug, Default)]
pub struct SshConfig {
    blocks: Vec<Block>,
}

/// What `~/.ssh/config` says for one host name: each parameter's first obtained value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub host_name: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
    /// Every `IdentityFile`, in order (OpenSSH tries them all; they accumulate).
    pub identity_files: Vec<String>,
    pub proxy_jump: Option<String>,
    pub user_known_hosts_file: Option<String>,
    pub certificate_file: Option<String>,
    pub proxy_command: Option<String>,
    /// `Match` blocks that were skipped (`file:line`), to be shown with the effective settings.
    pub skipped_match: Vec<String>,
}

const MAX_INCLUDE_DEPTH: usize = 16;

impl SshConfig {
    /// Reads `path` (a missing file is an empty config). `~/.ssh` is where relative `Include`s are looked for.
    pub fn load(path: &Path) -> Result<SshConfig, SshConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SshConfig::default()),
            Err(e) => return Err(SshConfigError::Read { file: path.display().to_string(), detail: e.to_string() }),
        };
        let base = super::ssh::expand_tilde(Path::new("~/.ssh"));
        Self::parse(&text, &path.display().to_string(), &base)
    }

    /// Parses `text` (named `file` in errors); relative includes are under `include_dir`.
    pub fn parse(text: &str, file: &str, include_dir: &Path) -> Result<SshConfig, SshConfigError> {
        let mut config = SshConfig::default();
        config.read(text, file, include_dir, &Some(Vec::new()), 0)?;
        Ok(config)
    }

    fn read(
        &mut self,
        text: &str,
        file: &str,
        include_dir: &Path,
        outer: &Option<Vec<Vec<String>>>,
        depth: usize,
    ) -> Result<(), SshConfigError> {
        self.blocks.push(Block { conditions: outer.clone(), origin: format!("{file}:start"), options: Vec::new() });
        for (n, raw) in text.lines().enumerate() {
            let origin = format!("{file}:{}", n + 1);
            let syntax = |detail: String| SshConfigError::Syntax { file: file.to_string(), line: n + 1, detail };
            let Some((keyword, args)) = split_line(raw).map_err(syntax)? else { continue };
            match keyword.as_str() {
                "host" => {
                    if args.is_empty() {
                        return Err(syntax("Host needs at least one pattern".into()));
                    }
                    let conditions = outer.clone().map(|mut c| {
                        c.push(args.clone());
                        c
                    });
                    self.blocks.push(Block { conditions, origin, options: Vec::new() });
                }
                "match" => {
                    let all = args.len() == 1 && args[0].eq_ignore_ascii_case("all");
                    let conditions = if all { outer.clone() } else { None };
                    self.blocks.push(Block { conditions, origin, options: Vec::new() });
                }
                "include" => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        return Err(syntax(format!("Include nested deeper than {MAX_INCLUDE_DEPTH} levels")));
                    }
                    let here = self.blocks.last().map(|b| b.conditions.clone()).unwrap_or_default();
                    for pattern in &args {
                        for path in include_paths(pattern, include_dir) {
                            let text = std::fs::read_to_string(&path).map_err(|e| SshConfigError::Read {
                                file: path.display().to_string(),
                                detail: e.to_string(),
                            })?;
                            self.read(&text, &path.display().to_string(), include_dir, &here, depth + 1)?;
                        }
                    }
                    // the lines after an Include belong to the block it was in
                    let resumed = Block { conditions: here, origin: origin.clone(), options: Vec::new() };
                    self.blocks.push(resumed);
                }
                _ => {
                    if args.is_empty() {
                        return Err(syntax(format!("{keyword} has no value")));
                    }
                    let block = self.blocks.last_mut().expect("a block is always open");
                    block.options.push(Opt { keyword, args, origin });
                }
            }
        }
        Ok(())
    }

    /// The settings for `host` (the name as the user gave it): the first value of each parameter wins.
    pub fn lookup(&self, host: &str) -> Result<HostConfig, SshConfigError> {
        let mut out = HostConfig::default();
        for block in &self.blocks {
            let Some(conditions) = &block.conditions else {
                if !block.options.is_empty() {
                    out.skipped_match.push(block.origin.clone());
                }
                continue;
            };
            if !conditions.iter().all(|patterns| host_matches(patterns, host)) {
                continue;
            }
            for opt in &block.options {
                let first = opt.args[0].clone();
                let bad = |detail: String| {
                    let (file, line) = opt.origin.rsplit_once(':').unwrap_or((&opt.origin, "0"));
                    SshConfigError::Syntax { file: file.into(), line: line.parse().unwrap_or(0), detail }
                };
                match opt.keyword.as_str() {
                    "hostname" if out.host_name.is_none() => out.host_name = Some(percent(&first, host).map_err(bad)?),
                    "user" if out.user.is_none() => out.user = Some(first),
                    "port" if out.port.is_none() => {
                        let port = first.parse::<u16>().ok().filter(|p| *p > 0);
                        out.port = Some(port.ok_or_else(|| bad(format!("Port {first:?} is not a TCP port")))?);
                    }
                    "identityfile" => out.identity_files.push(percent(&first, host).map_err(bad)?),
                    "proxyjump" if out.proxy_jump.is_none() => out.proxy_jump = Some(first),
                    "userknownhostsfile" if out.user_known_hosts_file.is_none() => {
                        out.user_known_hosts_file = Some(percent(&first, host).map_err(bad)?)
                    }
                    "certificatefile" if out.certificate_file.is_none() => out.certificate_file = Some(first),
                    "proxycommand" if out.proxy_command.is_none() => out.proxy_command = Some(opt.args.join(" ")),
                    _ => {}
                }
            }
        }
        Ok(out)
    }
}

/// One line → (lower-case keyword, arguments); `None` for blanks and comments. `Keyword value`, `Keyword=value`
/// and `Keyword = value`; double quotes group an argument.
fn split_line(line: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let end = line.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(line.len());
    let keyword = line[..end].to_ascii_lowercase();
    let mut rest = line[end..].trim_start();
    if let Some(after) = rest.strip_prefix('=') {
        rest = after.trim_start();
    }
    let mut args = Vec::new();
    let mut chars = rest.chars().peekable();
    while chars.peek().is_some() {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.peek() {
            None => break,
            Some('#') => break,
            Some('"') => {
                chars.next();
                let arg: String = chars.by_ref().take_while(|c| *c != '"').collect();
                args.push(arg);
            }
            Some(_) => {
                let mut arg = String::new();
                while let Some(c) = chars.peek().copied().filter(|c| !c.is_whitespace()) {
                    arg.push(c);
                    chars.next();
                }
                args.push(arg);
            }
        }
    }
    if rest.matches('"').count() % 2 == 1 {
        return Err(format!("unbalanced quotes in {keyword}"));
    }
    Ok(Some((keyword, args)))
}

/// A `Host` line's patterns against `host`: some positive pattern matches and no negated one does.
pub fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.iter().flat_map(|p| p.split(',')) {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated.as_bytes(), host.as_bytes()) {
                return false;
            }
        } else if glob(pattern.as_bytes(), host.as_bytes()) {
            matched = true;
        }
    }
    matched
}

/// `%h` (the host name as given), `%d` (home), `%%`, then `~` — the tokens the wizard's keywords use.
fn percent(value: &str, host: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(host),
            Some('%') => out.push('%'),
            Some('d') => out.push_str(&super::ssh::expand_tilde(Path::new("~")).display().to_string()),
            Some(other) => return Err(format!("the token %{other} in {value:?} is not supported here (%h, %d, %%)")),
            None => return Err(format!("{value:?} ends with a lone %")),
        }
    }
    Ok(super::ssh::expand_tilde(Path::new(&out)).display().to_string())
}

/// The files an `Include` argument names: `~` expanded, relative to `include_dir`, `*`/`?` in the last component
/// matched against the directory's entries in lexical order (as glob(3) sorts them). No match is no file.
fn include_paths(pattern: &str, include_dir: &Path) -> Vec<PathBuf> {
    let expanded = super::ssh::expand_tilde(Path::new(pattern));
    let path = if expanded.is_absolute() { expanded } else { include_dir.join(expanded) };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.contains(['*', '?']) {
        return if path.is_file() { vec![path] } else { Vec::new() };
    }
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| glob(name.as_bytes(), e.file_name().to_string_lossy().as_bytes()))
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[cfg(test)]
#[path = "ssh_config_tests.rs"]
mod tests;
