//! `~/.ssh/config` against OpenSSH's documented behaviour (ssh_config(5), docs/facts/ssh-config.md).

use super::*;

fn lookup(text: &str, host: &str) -> HostConfig {
    SshConfig::parse(text, "config", Path::new("/nonexistent")).unwrap().lookup(host).unwrap()
}

#[test]
fn the_first_obtained_value_wins_so_specific_blocks_go_first() {
    let text = "Host db1\n  User alice\n  Port 2201\nHost *\n  User bob\n  Port 2200\n  IdentityFile /k/default\n";
    let db1 = lookup(text, "db1");
    assert_eq!((db1.user.as_deref(), db1.port), (Some("alice"), Some(2201)));
    assert_eq!(db1.identity_files, ["/k/default"]);
    let other = lookup(text, "db2");
    assert_eq!((other.user.as_deref(), other.port), (Some("bob"), Some(2200)));
}

#[test]
fn a_general_block_before_a_specific_one_wins_for_the_values_it_sets() {
    let text = "Host *\n  User bob\nHost db1\n  User alice\n  HostName 10.0.0.5\n";
    let db1 = lookup(text, "db1");
    assert_eq!(db1.user.as_deref(), Some("bob"));
    assert_eq!(db1.host_name.as_deref(), Some("10.0.0.5"));
}

#[test]
fn a_negated_pattern_excludes_a_host_whatever_else_matches() {
    let text = "Host *.example.com !bastion.example.com\n  ProxyJump bastion.example.com\n";
    assert_eq!(lookup(text, "kafka1.example.com").proxy_jump.as_deref(), Some("bastion.example.com"));
    assert_eq!(lookup(text, "bastion.example.com").proxy_jump, None);
    // a negation alone matches nothing
    assert_eq!(lookup("Host !foo\n  User x\n", "bar").user, None);
}

#[test]
fn question_mark_matches_exactly_one_character_and_names_match_case_insensitively() {
    let text = "Host kafka?\n  User k\n";
    assert_eq!(lookup(text, "kafka1").user.as_deref(), Some("k"));
    assert_eq!(lookup(text, "KAFKA2").user.as_deref(), Some("k"));
    assert_eq!(lookup(text, "kafka10").user, None);
    assert_eq!(lookup("Host a b,c\n User z\n", "c").user.as_deref(), Some("z"));
}

#[test]
fn hostname_expands_percent_h_and_identity_files_expand_tilde_and_accumulate() {
    let home = std::env::var("HOME").unwrap();
    let text = "Host k*\n  HostName %h.internal.example\n  IdentityFile ~/.ssh/%h_key\nHost *\n  IdentityFile ~/.ssh/id_ed25519\n";
    let cfg = lookup(text, "k1");
    assert_eq!(cfg.host_name.as_deref(), Some("k1.internal.example"));
    assert_eq!(cfg.identity_files, [format!("{home}/.ssh/k1_key"), format!("{home}/.ssh/id_ed25519")]);
}

#[test]
fn keywords_are_case_insensitive_and_take_an_equals_sign_or_quotes() {
    let text = "HOST=k1\n  user = deploy\n  PORT=2222\n  UserKnownHostsFile \"/tmp/my known hosts\"\n";
    let cfg = lookup(text, "k1");
    assert_eq!((cfg.user.as_deref(), cfg.port), (Some("deploy"), Some(2222)));
    assert_eq!(cfg.user_known_hosts_file.as_deref(), Some("/tmp/my known hosts"));
}

#[test]
fn options_before_any_host_line_apply_to_every_host() {
    let cfg = lookup("User early\nHost k1\n  User late\n", "k1");
    assert_eq!(cfg.user.as_deref(), Some("early"));
}

#[test]
fn match_blocks_other_than_match_all_are_skipped_and_said_so() {
    let text = "Match exec \"true\"\n  User fromexec\nMatch all\n  Port 2022\n";
    let cfg = lookup(text, "k1");
    assert_eq!((cfg.user, cfg.port), (None, Some(2022)));
    assert_eq!(cfg.skipped_match, ["config:1"]);
}

#[test]
fn an_include_inside_a_host_block_applies_only_to_that_block_and_globs_sort() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(dir.path().join("conf.d/20-b.conf"), "User from-b\nPort 2020\n").unwrap();
    std::fs::write(dir.path().join("conf.d/10-a.conf"), "User from-a\n").unwrap();
    let text = "Host k1\n  Include conf.d/*.conf\n  HostName after-include\nHost *\n  User general\n";
    let config = SshConfig::parse(text, "config", dir.path()).unwrap();
    let k1 = config.lookup("k1").unwrap();
    assert_eq!((k1.user.as_deref(), k1.port), (Some("from-a"), Some(2020)));
    assert_eq!(k1.host_name.as_deref(), Some("after-include"));
    let k2 = config.lookup("k2").unwrap();
    assert_eq!((k2.user.as_deref(), k2.port, k2.host_name), (Some("general"), None, None));
}

#[test]
fn a_bad_port_is_an_error_naming_the_file_and_line() {
    let config = SshConfig::parse("Host k1\n  Port 99999\n", "/home/me/.ssh/config", Path::new("/x")).unwrap();
    let err = config.lookup("k1").unwrap_err();
    assert_eq!(err.to_string(), "/home/me/.ssh/config:2: Port \"99999\" is not a TCP port");
    assert!(config.lookup("k2").is_ok());
    let err = SshConfig::parse("Host\n", "c", Path::new("/x")).unwrap_err();
    assert!(err.to_string().starts_with("c:1: Host needs"), "{err}");
}

#[test]
fn a_missing_config_file_is_an_empty_config() {
    let config = SshConfig::load(Path::new("/nonexistent/ssh_config")).unwrap();
    assert_eq!(config.lookup("k1").unwrap(), HostConfig::default());
}
