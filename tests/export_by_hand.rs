//! The export's by-hand procedure, run: `INDEX.md`'s copy command (with an `ssh` that runs its remote command here,
//! as ssh hands it to the remote shell) makes a private folder with `mktemp -d` and copies a host's folder and the
//! release into it; the host's check then passes on exact files and fails — naming the file — on a changed one, a
//! tampered release, a secret placeholder still in place, or `D` unset. Every command block of every fixture's
//! index parses as `sh`. Installing needs root and the real paths, so it is not run here (the e2e suite deploys).

use kafka_wizard::{export, project};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fenced `sh` blocks of `index` under the heading starting with `heading` (all of them for `""`), each with
/// the line before it (its label).
fn blocks<'a>(index: &'a str, heading: &str) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut out = Vec::new();
    let (mut inside, mut label, mut current) = (heading.is_empty(), "", None::<Vec<&str>>);
    for line in index.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            inside = heading.is_empty() || title.split_once(". ").is_some_and(|(_, t)| t.starts_with(heading));
        } else if line == "```sh" {
            current = Some(Vec::new());
        } else if line == "```" {
            if let Some(lines) = current.take() {
                if inside {
                    out.push((label, lines));
                }
            }
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        } else if !line.is_empty() {
            label = line;
        }
    }
    out
}

fn sh(script: &str, dir: &Path, path: &str, tmp: &Path, d: Option<&str>) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir).env("PATH", path).env("TMPDIR", tmp);
    match d {
        Some(d) => cmd.env("D", d),
        None => cmd.env_remove("D"),
    };
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// An export of `fixture` in a temp dir with a release and its Apache-style `.sha512` beside the host folders, and
/// an `ssh` on PATH that drops the login and runs the remote command through `sh -c`, as sshd does.
struct Exported {
    dir: tempfile::TempDir,
    index: String,
    path: String,
    /// The release's file name.
    tarball: String,
}

impl Exported {
    fn new(fixture: &str) -> Self {
        let spec =
            project::load(Path::new(&format!("tests/fixtures/{fixture}.toml"))).unwrap().validation.spec.unwrap();
        let tarball = spec.kafka.release.tarball_name(&spec.kafka.scala);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("export");
        export::write_dir(&export::entries(&spec).unwrap(), &out, false).unwrap();
        std::fs::write(out.join(&tarball), b"not really a tarball, but bytes to check").unwrap();
        let hex = Command::new("sha512sum").arg(&tarball).current_dir(&out).output().unwrap();
        let hex = String::from_utf8(hex.stdout).unwrap()[..128].to_uppercase();
        let grouped: Vec<String> = hex.as_bytes().chunks(8).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
        let apache = format!("{tarball}: {}\n{}\n", grouped[..8].join(" "), grouped[8..].join(" "));
        std::fs::write(out.join(format!("{tarball}.sha512")), apache).unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("ssh"), "#!/bin/sh\nshift\nexec sh -c \"$*\"\n").unwrap();
        std::fs::set_permissions(bin.join("ssh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(dir.path().join("host-tmp")).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let index = std::fs::read_to_string(out.join("INDEX.md")).unwrap();
        Exported { dir, index, path, tarball }
    }

    fn export_dir(&self) -> PathBuf {
        self.dir.path().join("export")
    }

    /// Runs the index's copy command for `host` and returns the private folder it printed.
    fn copy(&self, host: &str) -> PathBuf {
        let copies = blocks(&self.index, "Copy each host's files");
        let (label, lines) = &copies[0];
        assert!(label.contains("on your machine"), "{label}");
        let command = lines
            .iter()
            .find(|l| l.contains(&format!("root@{host} "))) // the copy command of `host`
            .unwrap_or_else(|| panic!("no copy command for {host} in {lines:?}"));
        let out = sh(command, &self.export_dir(), &self.path, &self.dir.path().join("host-tmp"), None);
        assert!(out.status.success(), "{command}\n{}", text(&out));
        let printed = String::from_utf8(out.stdout).unwrap();
        let folder = printed.trim().strip_prefix(&format!("{host}: D=")).unwrap_or_else(|| panic!("{printed}"));
        PathBuf::from(folder)
    }

    /// Runs the index's check block for `host` with `D` set to `folder` (or unset).
    fn check(&self, host: &str, folder: Option<&Path>) -> Output {
        let checks = blocks(&self.index, "Copy each host's files");
        let (_, lines) = checks.iter().find(|(label, _)| *label == format!("On {host}:")).unwrap();
        let script = format!("set -e\n{}", lines.join("\n"));
        sh(&script, self.dir.path(), &self.path, &self.dir.path().join("host-tmp"), folder.map(|f| f.to_str().unwrap()))
    }
}

#[test]
fn the_copy_makes_a_private_folder_and_the_check_passes_on_the_exact_files() {
    let e = Exported::new("mixed-zookeeper");
    let d = e.copy("m1");
    assert!(d.starts_with(e.dir.path().join("host-tmp")), "{d:?} is not made by mktemp -d in TMPDIR");
    assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(
        d.join("var/lib/zk-mixed/myid").is_file() && d.join(&e.tarball).is_file() && d.join("SHA256SUMS").is_file()
    );
    let out = e.check("m1", Some(&d));
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("var/lib/zk-mixed/myid: OK") && said.contains("checksum OK"), "{said}");
    // a second copy gets a folder of its own
    assert_ne!(e.copy("m1"), d);
}

#[test]
fn a_file_changed_after_the_export_fails_the_check_naming_it() {
    let e = Exported::new("mixed-zookeeper");
    let d = e.copy("m2");
    let props = d.join("etc/kafka-mixed/server.properties");
    let mut changed = std::fs::read_to_string(&props).unwrap();
    changed.push_str("advertised.listeners=PLAINTEXT://attacker:9092\n");
    std::fs::write(&props, changed).unwrap();
    let out = e.check("m2", Some(&d));
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("etc/kafka-mixed/server.properties: FAILED"), "{}", text(&out));
}

#[test]
fn a_release_that_does_not_match_its_sha512_fails_the_check() {
    let e = Exported::new("seed-cluster");
    let d = e.copy("peter-kafka001");
    std::fs::write(d.join(&e.tarball), b"another tarball").unwrap();
    let out = e.check("peter-kafka001", Some(&d));
    assert!(!out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("checksum OK"), "{}", text(&out));
}

#[test]
fn the_check_stops_when_d_is_not_set() {
    let e = Exported::new("seed-cluster");
    e.copy("peter-zk001");
    let out = e.check("peter-zk001", None);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("D"), "{}", text(&out));
}

#[test]
fn secret_placeholders_fail_the_check_by_name_until_the_real_files_replace_them() {
    let e = Exported::new("kraft-secure");
    let host = "secure1.example.com";
    let d = e.copy(host);
    let out = e.check(host, Some(&d));
    assert!(!out.status.success(), "{}", text(&out));
    let said = text(&out);
    for placeholder in ["etc/kafka/tls/node.pem", "etc/kafka/kafka-server-jaas.conf"] {
        assert!(said.contains(&format!("{}/{placeholder}", d.display())), "{placeholder} not listed:\n{said}");
    }
    let sums = std::fs::read_to_string(d.join("SHA256SUMS")).unwrap();
    assert!(!sums.contains("node.pem") && sums.contains("etc/kafka/tls/ca.pem"), "{sums}");
    std::fs::write(d.join("etc/kafka/tls/node.pem"), "-----BEGIN PRIVATE KEY-----\nthe real one\n").unwrap();
    let out = e.check(host, Some(&d));
    assert!(!out.status.success() && !text(&out).contains("node.pem"), "{}", text(&out));
    std::fs::write(d.join("etc/kafka/kafka-server-jaas.conf"), "KafkaServer { the real one };\n").unwrap();
    let out = e.check(host, Some(&d));
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn every_command_block_of_every_index_parses_as_sh_and_reads_only_from_the_private_folder() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 6);
    for fixture in fixtures {
        let spec = project::load(&fixture).unwrap().validation.spec.unwrap();
        let entries = export::entries(&spec).unwrap();
        let index = &entries[0].content;
        let all = blocks(index, "");
        assert!(all.len() > 5, "{fixture:?}");
        for (label, lines) in all {
            let script = lines.join("\n");
            let out = Command::new("sh").arg("-n").arg("-c").arg(&script).output().unwrap();
            assert!(out.status.success(), "{fixture:?} {label}\n{script}\n{}", text(&out));
            assert!(!script.contains("/tmp"), "{fixture:?} {label}: a fixed /tmp path\n{script}");
        }
        // a file the service user owns is written as that user, never by root into its directory
        for line in index.lines().filter(|l| l.starts_with("install -m ") || l.starts_with("runuser ")) {
            if line.contains("/dev/stdin") {
                assert!(line.starts_with(&format!("runuser -u {} -- install", spec.kafka.user)), "{line}");
            } else if !line.starts_with("runuser") {
                assert!(!line.contains(&format!("-o {}", spec.kafka.user)), "root writes a service file: {line}");
            }
        }
    }
}
