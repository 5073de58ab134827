//! The effective SSH settings of a host: the project's values win, `~/.ssh/config` fills the rest, jump hosts.

use super::*;
use crate::project::spec::{Connection, SshSettings};
use std::path::Path;

fn host(name: &str, address: &str, ssh: SshSettings) -> HostAccess {
    HostAccess { name: name.into(), address: address.into(), connection: Connection::Ssh, ssh }
}

fn settings(set: Option<ProjectSet>) -> SshSettings {
    SshSettings {
        user: "root".into(),
        port: 22,
        identity_file: None,
        known_hosts: None,
        sudo: false,
        jump: None,
        ssh_config: set,
    }
}

fn opts(config: &str) -> (tempfile::TempDir, ConnectOptions) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, config).unwrap();
    (dir, ConnectOptions { ssh_config_file: path, ..ConnectOptions::default() })
}

const CONFIG: &str = "\
Host kafka-a
  HostName 10.1.0.5
  User deploy
  Port 2222
  IdentityFile /keys/kafka
  ProxyJump ops@bastion
  UserKnownHostsFile /keys/known_hosts
Host bastion
  HostName 192.0.2.9
  Port 2022
  IdentityFile /keys/bastion
";

#[test]
fn an_ssh_config_alias_fills_in_everything_the_project_leaves_unset() {
    let (_dir, opts) = opts(CONFIG);
    let target = resolve(&host("kafka-a", "kafka-a", settings(Some(ProjectSet::default()))), &opts).unwrap();
    assert_eq!((target.address.as_str(), target.port, target.user.as_str()), ("10.1.0.5", 2222, "deploy"));
    assert!(target.sudo, "a non-root user from ssh_config gets sudo unless the project says otherwise");
    assert_eq!(target.identity_file.as_deref(), Some(Path::new("/keys/kafka")));
    assert_eq!(target.known_hosts.as_deref(), Some(Path::new("/keys/known_hosts")));
    let jump = &target.jump.as_ref().expect("ProxyJump gives a jump host").target;
    assert_eq!((jump.name.as_str(), jump.address.as_str(), jump.port), ("bastion", "192.0.2.9", 2022));
    assert_eq!((jump.user.as_str(), jump.identity_file.as_deref()), ("ops", Some(Path::new("/keys/bastion"))));
    assert_eq!(jump.known_hosts, target.known_hosts, "the jump host is checked in the same known_hosts");
}

#[test]
fn the_projects_own_values_win_over_ssh_config() {
    let (_dir, opts) = opts(CONFIG);
    let mut ssh = settings(Some(ProjectSet { user: true, port: true, jump: true, sudo: true }));
    ssh.port = 22;
    ssh.identity_file = Some("/mine/key".into());
    let target = resolve(&host("kafka-a", "kafka-a", ssh), &opts).unwrap();
    assert_eq!((target.port, target.user.as_str(), target.sudo), (22, "root", false));
    assert_eq!(target.identity_file.as_deref(), Some(Path::new("/mine/key")));
    assert!(target.jump.is_none(), "jump = \"none\" (or unset but written) in the project beats ProxyJump");
    assert_eq!(target.address, "10.1.0.5", "HostName still maps the alias to its address");
}

#[test]
fn without_use_ssh_config_the_file_is_not_read() {
    let (_dir, opts) = opts("this is not an ssh_config line with a bad Port\nPort x\n");
    let target = resolve(&host("kafka-a", "kafka-a", settings(None)), &opts).unwrap();
    assert_eq!((target.address.as_str(), target.port), ("kafka-a", 22));
}

#[test]
fn a_project_jump_host_takes_its_user_and_port_from_the_string_else_the_target() {
    let (_dir, opts) = opts("");
    let mut ssh = settings(None);
    ssh.user = "deploy".into();
    ssh.jump = crate::project::checks::jump("bastion.example.com").unwrap();
    let target = resolve(&host("k1", "10.0.0.1", ssh.clone()), &opts).unwrap();
    let jump = &target.jump.unwrap().target;
    assert_eq!((jump.user.as_str(), jump.address.as_str(), jump.port), ("deploy", "bastion.example.com", 22));
    ssh.jump = crate::project::checks::jump("ops@[2001:db8::1]:2200").unwrap();
    let jump = resolve(&host("k1", "10.0.0.1", ssh), &opts).unwrap().jump.unwrap().target;
    assert_eq!((jump.user.as_str(), jump.address.as_str(), jump.port), ("ops", "2001:db8::1", 2200));
}

#[test]
fn several_proxyjump_hops_and_proxycommand_are_refused_clearly() {
    let (_dir, opts) = opts("Host a\n  ProxyJump j1,j2\nHost b\n  ProxyCommand nc %h %p\n");
    let err = resolve(&host("a", "a", settings(Some(ProjectSet::default()))), &opts).unwrap_err();
    assert!(err.to_string().starts_with("a: ProxyJump j1,j2 has several hops"), "{err}");
    let err = resolve(&host("b", "b", settings(Some(ProjectSet::default()))), &opts).unwrap_err();
    assert!(err.to_string().contains("ProxyCommand (nc %h %p) is not supported"), "{err}");
}

#[test]
fn a_user_certificate_is_refused_with_what_to_do_instead() {
    let (_dir, opts) = opts("Host a\n  CertificateFile ~/.ssh/id_ed25519-cert.pub\n");
    let err = resolve(&host("a", "a", settings(Some(ProjectSet::default()))), &opts).unwrap_err();
    assert!(err.to_string().contains("cannot log in with certificates"), "{err}");
    let mut ssh = settings(None);
    ssh.identity_file = Some("~/.ssh/id_rsa-cert.pub".into());
    assert!(resolve(&host("b", "b", ssh), &opts).is_err());
}

#[test]
fn the_effective_settings_name_the_jump_host_and_the_files() {
    let (_dir, opts) = opts(CONFIG);
    let target = resolve(&host("kafka-a", "kafka-a", settings(Some(ProjectSet::default()))), &opts).unwrap();
    assert_eq!(
        describe(&target),
        "kafka-a: deploy@10.1.0.5:2222 via jump host bastion (ops@192.0.2.9:2022); key /keys/kafka; known_hosts \
         /keys/known_hosts; sudo -n"
    );
}
