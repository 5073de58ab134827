//! What a running host holds, read as the programs that use it read it (pure): `.properties` files as Java's
//! `Properties.load` does, systemd units as systemd does (the keys the import needs), ZooKeeper's
//! `zookeeper.connect` string (members and chroot), `server.N` lines and the `myid` file.

use std::collections::BTreeMap;

/// A `.properties` file as `java.util.Properties.load(Reader)` reads it: logical lines (a line ending in an odd
/// number of backslashes continues, the next line's leading blanks dropped), `#`/`!` comments, the key ending at the
/// first unescaped `=`, `:` or blank, escapes (`\t \n \r \f \uXXXX`, any other `\c` is `c`). A later key replaces an
/// earlier one. Returns the keys in file order with their last values, and the keys that were set twice.
pub fn properties(text: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut twice = Vec::new();
    let mut lines = text.lines();
    while let Some(first) = lines.next() {
        let trimmed = first.trim_start_matches([' ', '\t', '\u{c}']);
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let mut logical = String::new();
        let mut line = trimmed.to_string();
        loop {
            if ends_with_odd_backslashes(&line) {
                line.pop();
                logical.push_str(&line);
                match lines.next() {
                    Some(next) => line = next.trim_start_matches([' ', '\t', '\u{c}']).to_string(),
                    None => break,
                }
            } else {
                logical.push_str(&line);
                break;
            }
        }
        let (key, value) = split_key_value(&logical);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => {
                slot.1 = value;
                twice.push(key);
            }
            None => out.push((key, value)),
        }
    }
    (out, twice)
}

fn ends_with_odd_backslashes(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

fn split_key_value(line: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut key_end = chars.len();
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '=' | ':' | ' ' | '\t' | '\u{c}' => {
                key_end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let key: String = chars[..key_end.min(chars.len())].iter().collect();
    let mut j = key_end;
    while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\u{c}') {
        j += 1;
    }
    if j < chars.len() && matches!(chars[j], '=' | ':') {
        j += 1;
        while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\u{c}') {
            j += 1;
        }
    }
    let value: String = chars[j.min(chars.len())..].iter().collect();
    (unescape(&key), unescape(&value))
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let mut chars = s.chars().peekable();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        if !units.is_empty() {
            out.push_str(&String::from_utf16_lossy(units));
            units.clear();
        }
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush(&mut units, &mut out);
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                match u16::from_str_radix(&hex, 16) {
                    Ok(unit) if hex.len() == 4 => units.push(unit),
                    _ => {
                        flush(&mut units, &mut out);
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                flush(&mut units, &mut out);
                out.push(match other {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    'f' => '\u{c}',
                    c => c,
                });
            }
            None => {}
        }
    }
    flush(&mut units, &mut out);
    out
}

/// The keys of a systemd unit the import reads, as systemd reads them: `Key=Value` lines in `[Service]` (blanks
/// around `=` allowed, as the guide writes them), `#`/`;` comments, a trailing `\` continuing the line; for
/// `Environment=` every assignment (quoted ones too) and for the others the last value (an empty value resets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unit {
    pub exec_start: Option<String>,
    pub user: Option<String>,
    pub environment: BTreeMap<String, String>,
    pub environment_files: Vec<String>,
    pub restart: Option<String>,
    pub limit_nofile: Option<String>,
}

pub fn unit(text: &str) -> Unit {
    let mut u = Unit::default();
    let mut section = String::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
            continue;
        }
        let line = std::mem::take(&mut pending) + line;
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].to_string();
            continue;
        }
        if section != "Service" {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let (key, value) = (key.trim(), value.trim().to_string());
        let last = |slot: &mut Option<String>| *slot = if value.is_empty() { None } else { Some(value.clone()) };
        match key {
            "ExecStart" => last(&mut u.exec_start),
            "User" => last(&mut u.user),
            "Restart" => last(&mut u.restart),
            "LimitNOFILE" => last(&mut u.limit_nofile),
            "EnvironmentFile" if value.is_empty() => u.environment_files.clear(),
            "EnvironmentFile" => u.environment_files.push(value.trim_start_matches('-').to_string()),
            "Environment" if value.is_empty() => u.environment.clear(),
            "Environment" => {
                for word in words(&value) {
                    if let Some((k, v)) = word.split_once('=') {
                        u.environment.insert(k.to_string(), v.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    u
}

/// A command line split as systemd splits `ExecStart=` (and `Environment=`): blanks separate words, double or single
/// quotes group, a backslash escapes the next character. A leading `@`, `-`, `:`, `+`, `!` prefix is dropped.
pub fn words(line: &str) -> Vec<String> {
    let line = line.trim_start_matches(['@', '-', ':', '+', '!']);
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            (q, None) if q == '"' || q == '\'' => {
                quote = Some(q);
                in_word = true;
            }
            (q, Some(open)) if q == open => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (c, _) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// What a unit runs: the start script (`…/bin/kafka-server-start.sh`), the install directory it lies in (the
/// script's `…/bin/..`) and the properties file it is given (the first argument ending in `.properties`, `.cfg`
/// or `.conf`; `-daemon` and other options skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub script: String,
    pub home: String,
    pub config: Option<String>,
}

pub fn launch(exec_start: &str) -> Option<Launch> {
    let argv = words(exec_start);
    let at = argv.iter().position(|w| w.ends_with("-server-start.sh"))?;
    let script = argv[at].clone();
    let home = script.rsplit_once('/')?.0.strip_suffix("/bin")?.to_string();
    let config = argv[at + 1..]
        .iter()
        .find(|w| !w.starts_with('-') && [".properties", ".cfg", ".conf"].iter().any(|e| w.ends_with(e)))
        .cloned();
    Some(Launch { script, home, config })
}

/// A `zookeeper.connect` string: `host:port` members, comma-separated, the chroot (if any) once at the end.
/// Blanks around the parts (as the guide writes them: `a:2181, b:2181 / peter-kafka`) are tolerated and reported,
/// since Kafka would read them literally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connect {
    pub members: Vec<(String, u16)>,
    pub chroot: Option<String>,
    pub had_blanks: bool,
}

pub fn connect(value: &str) -> Result<Connect, String> {
    let had_blanks = value.chars().any(char::is_whitespace);
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let (list, chroot) = match compact.find('/') {
        Some(at) => (&compact[..at], Some(compact[at..].trim_end_matches('/').to_string())),
        None => (compact.as_str(), None),
    };
    let chroot = chroot.filter(|c| !c.is_empty());
    let mut members = Vec::new();
    for part in list.split(',').filter(|p| !p.is_empty()) {
        let (host, port) = match part.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("`{part}`: the port is not a number"))?),
            None => (part, 2181),
        };
        if host.is_empty() {
            return Err(format!("`{part}`: no host"));
        }
        members.push((host.trim_matches(['[', ']']).to_string(), port));
    }
    if members.is_empty() {
        return Err("no member host".into());
    }
    Ok(Connect { members, chroot, had_blanks })
}

/// `server.<myid>=host:quorumPort:electionPort[:role][;clientPort]` lines of a `zookeeper.properties`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkServer {
    pub myid: u32,
    pub host: String,
    pub quorum_port: u16,
    pub election_port: u16,
}

pub fn zk_servers(props: &[(String, String)]) -> Result<Vec<ZkServer>, String> {
    let mut out = Vec::new();
    for (k, v) in props {
        let Some(id) = k.strip_prefix("server.") else { continue };
        let myid = id.parse::<u32>().map_err(|_| format!("{k}: the id after `server.` is not a number"))?;
        let address = v.split(';').next().unwrap_or("").trim();
        let parts: Vec<&str> = address.split(':').collect();
        if parts.len() < 3 {
            return Err(format!("{k}={v}: not host:quorumPort:electionPort"));
        }
        let port = |p: &str| p.parse::<u16>().map_err(|_| format!("{k}={v}: `{p}` is not a port"));
        out.push(ZkServer {
            myid,
            host: parts[0].to_string(),
            quorum_port: port(parts[1])?,
            election_port: port(parts[2])?,
        });
    }
    out.sort_by_key(|s| s.myid);
    Ok(out)
}

/// The `myid` file: one number (blanks around it allowed).
pub fn myid(text: &str) -> Result<u32, String> {
    text.trim().parse::<u32>().map_err(|_| format!("`{}` is not a number", text.trim()))
}

/// `kafka_2.13-3.9.2` (the release directory a symlink points to) → (`2.13`, `3.9.2`).
pub fn release_dir(name: &str) -> Option<(String, String)> {
    let rest = name.rsplit('/').next()?.strip_prefix("kafka_")?;
    let (scala, version) = rest.split_once('-')?;
    Some((scala.to_string(), version.to_string()))
}

/// The port of the first listener in a `listeners` value (`PLAINTEXT://:9092`, `SASL_SSL://0.0.0.0:9093`).
pub fn listener_port(value: &str) -> Option<u16> {
    value.split(',').next()?.trim().rsplit_once(':')?.1.parse().ok()
}

/// `-Xmx1G -Xms1G` → `1G` (the heap the wizard writes as both).
pub fn heap(opts: &str) -> Option<String> {
    opts.split_whitespace().find_map(|w| w.strip_prefix("-Xmx")).map(str::to_string)
}
