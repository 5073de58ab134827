//! The `[security]` section: protocol, SASL mechanism, where certificates come from, the admin and application
//! users, and ACLs — checked against the release and the coordination mode (docs/facts/kafka.md §11).
//!
//! A file without `[security]` (or with `protocol = "plaintext"`) stays plaintext, with a warning that anyone who
//! reaches the brokers may use the cluster. Provided certificates are read from the wizard's machine here, so a
//! certificate that does not name its host, has expired, or does not match its key is refused before any host is
//! touched.

mod acls;

use super::Checker;
use crate::catalog::{Release, Version};
use crate::project::defaults;
use crate::project::draft::{ProjectDraft, SecurityDraft};
use crate::project::problem::{text, Text};
use crate::project::spec::*;
use crate::security::pki::{inspect_certificate, untrusted_by};
use crate::security::scram::ScramMechanism;
use crate::security::Secret;

/// TLS needs PEM keystore files with unencrypted PKCS#8 keys, which Kafka loads from 3.3.0 (docs/facts/kafka.md
/// §11); older releases (which would need PKCS12 or an encrypted key) are refused.
pub const MIN_TLS_RELEASE: Version = Version::new(3, 3, 0);
/// SCRAM users created at KRaft storage format (`--add-scram`, KIP-900) need 3.5.0 (docs/facts/kafka.md §11).
pub const MIN_KRAFT_SCRAM_RELEASE: Version = Version::new(3, 5, 0);

/// ZooKeeper mode: the ensemble the release ships must enforce SASL for every session (`enforce.auth.*`, ZooKeeper
/// 3.7+), which Kafka runs from 3.6.0 on (ZooKeeper 3.8.2; docs/facts/kafka.md §13).
pub const MIN_ZOOKEEPER_SECURITY_RELEASE: Version = Version::new(3, 6, 0);

/// `server.properties` keys the wizard writes itself on a secured cluster.
pub const OWNED_SECURITY_PROPERTIES: &[&str] = &[
    "ssl.keystore.type",
    "ssl.keystore.location",
    "ssl.truststore.type",
    "ssl.truststore.location",
    "ssl.client.auth",
    "sasl.enabled.mechanisms",
    "sasl.mechanism.inter.broker.protocol",
    "authorizer.class.name",
    "super.users",
    "allow.everyone.if.no.acl.found",
    "zookeeper.set.acl",
];

/// The section checked against the release, the mode and the hosts: `Some(None)` = plaintext, `None` = errors.
pub(super) fn check_security(
    c: &mut Checker,
    d: &ProjectDraft,
    release: Option<&Release>,
    kraft: Option<bool>,
    hosts: Option<&[HostSpec]>,
) -> Option<Option<SecuritySpec>> {
    if d.zookeeper.as_ref().and_then(|z| z.quorum_tls) == Some(true) && (d.security.is_none() || kraft == Some(true)) {
        c.warning("zookeeper.quorum_tls", text!(
            "has no effect: the members speak TLS to each other only on a secured cluster in ZooKeeper mode (add [security])",
            "효과가 없습니다: 멤버 사이 TLS는 ZooKeeper 모드의 보안 클러스터에서만 쓰입니다([security]를 추가하세요)"
        ));
    }
    let Some(s) = &d.security else {
        c.warning("security", text!(
            "no [security] section: the cluster is PLAINTEXT and unauthenticated — anyone who reaches the brokers can read, write and delete every topic; add [security] with protocol = \"sasl_ssl\"",
            "[security] 섹션이 없습니다: 클러스터는 PLAINTEXT이며 인증이 없습니다 — 브로커에 닿는 누구나 모든 토픽을 읽고 쓰고 지울 수 있습니다; protocol = \"sasl_ssl\"로 [security]를 추가하세요"
        ));
        return Some(None);
    };
    let protocol = s.protocol.as_deref().unwrap_or(defaults::SECURITY_PROTOCOL);
    let protection = match protocol {
        "plaintext" => {
            c.warning("security.protocol", text!(
                "plaintext: the cluster is unauthenticated and unencrypted — anyone who reaches the brokers can use it; choose \"sasl_ssl\"",
                "plaintext: 클러스터에 인증도 암호화도 없습니다 — 브로커에 닿는 누구나 쓸 수 있습니다; \"sasl_ssl\"을 고르세요"
            ));
            for (field, set) in [
                ("security.users", s.users.is_some()),
                ("security.acls", !s.acls.is_empty()),
                ("security.ca_cert", s.ca_cert.is_some()),
            ] {
                if set {
                    c.error(
                        field,
                        text!(
                            "has no effect with protocol = \"plaintext\" — choose \"sasl_ssl\" or remove it",
                            "protocol = \"plaintext\"에서는 효과가 없습니다 — \"sasl_ssl\"을 고르거나 지우세요"
                        ),
                    );
                }
            }
            return Some(None);
        }
        "ssl" => Protection::Ssl,
        "sasl_ssl" => Protection::SaslSsl,
        other => {
            c.error("security.protocol", text!(
                "{other:?} is not a protocol — use \"sasl_ssl\" (TLS and SCRAM logins), \"ssl\" (TLS only) or \"plaintext\"",
                "{other:?}은(는) 프로토콜이 아닙니다 — \"sasl_ssl\"(TLS와 SCRAM 로그인), \"ssl\"(TLS만) 또는 \"plaintext\"를 쓰세요"
            ));
            return None;
        }
    };
    if protection == Protection::Ssl {
        c.warning("security.protocol", text!(
            "ssl: traffic is encrypted and the brokers verified, but clients do not log in — anyone who reaches the brokers can use the cluster; choose \"sasl_ssl\"",
            "ssl: 트래픽은 암호화되고 브로커는 검증되지만 클라이언트는 로그인하지 않습니다 — 브로커에 닿는 누구나 클러스터를 쓸 수 있습니다; \"sasl_ssl\"을 고르세요"
        ));
    }
    let before = c.problems.len();
    check_release_supports(c, d, release, kraft, protection);
    let mechanism = check_mechanism(c, s);
    let certificates = check_certificates(c, d, s, hosts, kraft);
    let (admin_user, users) = check_users(c, s, protection);
    let acls = acls::check_acls(c, s, &users, protection);
    check_owned_properties(c, d);
    if c.problems[before..].iter().any(|p| p.is_error()) {
        return None;
    }
    Some(Some(SecuritySpec {
        protection,
        mechanism: mechanism?,
        certificates: certificates?,
        admin_user: admin_user?,
        users,
        acls,
    }))
}

fn check_release_supports(
    c: &mut Checker,
    d: &ProjectDraft,
    release: Option<&Release>,
    kraft: Option<bool>,
    protection: Protection,
) {
    if kraft == Some(false) {
        check_zookeeper_mode(c, d, release);
        if release.is_some_and(|r| r.version < MIN_ZOOKEEPER_SECURITY_RELEASE) {
            return;
        }
    }
    let Some(release) = release else { return };
    let version = release.version;
    if version < MIN_TLS_RELEASE {
        c.error("security.protocol", text!(
            "Kafka {version} cannot load the PEM keystores the wizard writes (unencrypted PKCS#8 keys load from {MIN_TLS_RELEASE}) — choose Kafka {MIN_TLS_RELEASE} or newer",
            "Kafka {version}은(는) 마법사가 쓰는 PEM 키스토어를 읽지 못합니다(암호화되지 않은 PKCS#8 키는 {MIN_TLS_RELEASE}부터) — Kafka {MIN_TLS_RELEASE} 이상을 고르세요"
        ));
    } else if kraft == Some(true) && protection == Protection::SaslSsl && version < MIN_KRAFT_SCRAM_RELEASE {
        c.error("security.protocol", text!(
            "Kafka {version} in KRaft mode cannot create SCRAM users at storage format (--add-scram needs {MIN_KRAFT_SCRAM_RELEASE}) — choose Kafka {MIN_KRAFT_SCRAM_RELEASE} or newer, or protocol = \"ssl\"",
            "KRaft 모드의 Kafka {version}은(는) 스토리지 포맷 때 SCRAM 사용자를 만들 수 없습니다(--add-scram은 {MIN_KRAFT_SCRAM_RELEASE}부터) — Kafka {MIN_KRAFT_SCRAM_RELEASE} 이상이나 protocol = \"ssl\"을 고르세요"
        ));
    }
}

/// A secured ZooKeeper-mode cluster: the wizard locks only an ensemble it runs, on a release whose ZooKeeper can
/// enforce SASL logins.
fn check_zookeeper_mode(c: &mut Checker, d: &ProjectDraft, release: Option<&Release>) {
    if d.zookeeper.as_ref().is_some_and(|z| z.external.is_some()) {
        c.error("zookeeper.external", text!(
            "a secured cluster needs a ZooKeeper ensemble the wizard runs: it locks the ensemble with SASL logins whose passwords it keeps, which it cannot do for an external one — give three hosts the role \"zookeeper\", or use KRaft",
            "보안 클러스터에는 마법사가 운영하는 ZooKeeper 앙상블이 필요합니다: 마법사가 보관하는 비밀번호의 SASL 로그인으로 앙상블을 잠그는데, 외부 앙상블에는 그렇게 할 수 없습니다 — 호스트 세 대에 역할 \"zookeeper\"를 주거나 KRaft를 쓰세요"
        ));
    }
    let Some(version) = release.map(|r| r.version) else { return };
    if version < MIN_ZOOKEEPER_SECURITY_RELEASE {
        c.error("security.protocol", text!(
            "Kafka {version} in ZooKeeper mode ships a ZooKeeper that cannot require a login for every session (enforce.auth needs ZooKeeper 3.7, shipped from Kafka {MIN_ZOOKEEPER_SECURITY_RELEASE}) — choose Kafka {MIN_ZOOKEEPER_SECURITY_RELEASE} or newer, or KRaft",
            "ZooKeeper 모드의 Kafka {version}에 포함된 ZooKeeper는 모든 세션에 로그인을 요구할 수 없습니다(enforce.auth는 ZooKeeper 3.7부터, Kafka {MIN_ZOOKEEPER_SECURITY_RELEASE}부터 포함) — Kafka {MIN_ZOOKEEPER_SECURITY_RELEASE} 이상이나 KRaft를 고르세요"
        ));
    }
}

fn check_mechanism(c: &mut Checker, s: &SecurityDraft) -> Option<ScramMechanism> {
    let raw = s.sasl_mechanism.as_deref().unwrap_or(defaults::SASL_MECHANISM);
    let found = ScramMechanism::from_name(raw).filter(|m| m.name() == raw);
    if found.is_none() {
        c.error(
            "security.sasl_mechanism",
            text!(
            "{raw:?} is not a mechanism the wizard sets up — use \"SCRAM-SHA-512\" or \"SCRAM-SHA-256\"",
            "{raw:?}은(는) 마법사가 설정하는 메커니즘이 아닙니다 — \"SCRAM-SHA-512\" 또는 \"SCRAM-SHA-256\"을 쓰세요"
        ),
        );
    }
    found
}

fn check_certificates(
    c: &mut Checker,
    d: &ProjectDraft,
    s: &SecurityDraft,
    hosts: Option<&[HostSpec]>,
    kraft: Option<bool>,
) -> Option<CertificateSource> {
    match s.ca.as_deref().unwrap_or(defaults::SECURITY_CA) {
        "generate" => {
            let mut ok = true;
            if s.ca_cert.is_some() {
                c.error("security.ca_cert", only_when_provided());
                ok = false;
            }
            for (i, h) in d.hosts.iter().enumerate() {
                for (key, set) in [("tls_cert", h.tls_cert.is_some()), ("tls_key", h.tls_key.is_some())] {
                    if set {
                        c.error(format!("hosts[{i}].{key}"), only_when_provided());
                        ok = false;
                    }
                }
            }
            ok.then_some(CertificateSource::Generate)
        }
        "provided" => check_provided(c, d, s, hosts, kraft),
        other => {
            c.error("security.ca", text!(
                "{other:?} is not a choice — use \"generate\" (the wizard's own CA for this cluster) or \"provided\" (ca_cert and every host's tls_cert and tls_key)",
                "{other:?}은(는) 선택지가 아닙니다 — \"generate\"(이 클러스터 전용 마법사 CA) 또는 \"provided\"(ca_cert와 각 호스트의 tls_cert, tls_key)를 쓰세요"
            ));
            None
        }
    }
}

fn only_when_provided() -> Text {
    text!(
        "is used only with security.ca = \"provided\" — remove it, or set ca = \"provided\"",
        "security.ca = \"provided\"일 때만 쓰입니다 — 지우거나 ca = \"provided\"로 설정하세요"
    )
}

fn check_provided(
    c: &mut Checker,
    d: &ProjectDraft,
    s: &SecurityDraft,
    hosts: Option<&[HostSpec]>,
    kraft: Option<bool>,
) -> Option<CertificateSource> {
    // `ClusterSpec::holds_certificate` before the spec exists: a Kafka host, or a member of a managed ensemble with
    // quorum TLS
    let quorum_tls = kraft == Some(false)
        && d.zookeeper
            .as_ref()
            .is_none_or(|z| z.external.is_none() && z.quorum_tls.unwrap_or(defaults::ZOOKEEPER_QUORUM_TLS));
    let holds_certificate = |h: &HostSpec| h.runs_kafka() || (quorum_tls && h.has(Role::Zookeeper));
    let ca_cert = match &s.ca_cert {
        None => {
            c.error(
                "security.ca_cert",
                text!(
                    "missing — with ca = \"provided\", give the PEM file of the CA that signed the host certificates",
                    "없습니다 — ca = \"provided\"이면 호스트 인증서에 서명한 CA의 PEM 파일을 지정하세요"
                ),
            );
            None
        }
        Some(path) => read_local(c, "security.ca_cert", path).and_then(|pem| {
            match inspect_certificate(&pem, "the CA certificate") {
                Ok(info) if info.is_ca => Some((path.clone(), pem)),
                Ok(_) => {
                    c.error(
                        "security.ca_cert",
                        text!(
                            "is not a CA certificate (no CA:TRUE basic constraint)",
                            "CA 인증서가 아닙니다(CA:TRUE 기본 제약이 없습니다)"
                        ),
                    );
                    None
                }
                Err(e) => {
                    let e = e.to_string();
                    c.error("security.ca_cert", text!("{e}", "인증서를 읽을 수 없습니다: {e}"));
                    None
                }
            }
        }),
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut provided = Vec::new();
    for (i, h) in d.hosts.iter().enumerate() {
        let at = |k: &str| format!("hosts[{i}].{k}");
        let spec = hosts.and_then(|hs| hs.iter().find(|x| x.name.as_str() == h.name));
        if spec.is_some_and(|x| !holds_certificate(x)) {
            continue;
        }
        let (Some(cert), Some(key)) = (&h.tls_cert, &h.tls_key) else {
            let missing = if h.tls_cert.is_none() { "tls_cert" } else { "tls_key" };
            c.error(
                at(missing),
                text!(
                "missing — with security.ca = \"provided\", every Kafka host (and every ZooKeeper member, with zookeeper.quorum_tls) needs its PEM certificate and PKCS#8 key",
                "없습니다 — security.ca = \"provided\"이면 모든 Kafka 호스트(zookeeper.quorum_tls이면 모든 ZooKeeper 멤버도)에 PEM 인증서와 PKCS#8 키가 필요합니다"
            ),
            );
            continue;
        };
        let (Some(cert_pem), Some(key_pem)) =
            (read_local(c, &at("tls_cert"), cert), read_local(c, &at("tls_key"), key))
        else {
            continue;
        };
        let info = match inspect_certificate(&cert_pem, "the certificate") {
            Ok(info) => info,
            Err(e) => {
                let e = e.to_string();
                c.error(at("tls_cert"), text!("{e}", "인증서를 읽을 수 없습니다: {e}"));
                continue;
            }
        };
        if let Some(spec) = spec {
            for name in [Some(&spec.name), spec.address.as_ref()].into_iter().flatten() {
                if !info.covers(name.as_str()) {
                    let name = name.as_str();
                    let ips = info.ip_addresses.iter().map(|ip| ip.to_string());
                    let sans = info.dns_names.iter().cloned().chain(ips).collect::<Vec<_>>().join(", ");
                    c.error(at("tls_cert"), text!(
                        "does not name {name} (its SANs: {sans}) — clients verify the host name, so issue it with every name and address of the host",
                        "{name}을(를) 포함하지 않습니다(SAN: {sans}) — 클라이언트가 호스트 이름을 검증하므로 호스트의 모든 이름과 주소로 발급하세요"
                    ));
                }
            }
        }
        if !info.valid_at(now) {
            let until = time::OffsetDateTime::from_unix_timestamp(info.not_after)
                .map(|t| t.date().to_string())
                .unwrap_or_else(|_| info.not_after.to_string());
            c.error(
                at("tls_cert"),
                text!(
                    "is not valid now (valid until {until}) — renew it",
                    "지금 유효하지 않습니다({until}까지 유효) — 갱신하세요"
                ),
            );
        }
        let name = spec.map(|x| x.name.to_string()).unwrap_or_else(|| h.name.clone());
        if let Some(why) = ca_cert.as_ref().and_then(|(_, ca_pem)| untrusted_by(&cert_pem, ca_pem, &name)) {
            c.error(
                at("tls_cert"),
                text!(
                    "{why} — clients and the other nodes trust only security.ca_cert: issue it from that CA, or give the CA that issued it",
                    "{why} — 클라이언트와 다른 노드는 security.ca_cert만 신뢰합니다: 그 CA로 발급하거나, 발급한 CA를 지정하세요"
                ),
            );
        }
        match info.matches_key(&Secret::new(key_pem)) {
            Ok(true) => {}
            Ok(false) => c.error(
                at("tls_key"),
                text!(
                    "does not belong to hosts[{i}].tls_cert (the public keys differ)",
                    "hosts[{i}].tls_cert의 키가 아닙니다(공개 키가 다릅니다)"
                ),
            ),
            Err(e) => {
                let e = e.to_string();
                c.error(at("tls_key"), text!("{e}", "키를 읽을 수 없습니다: {e}"));
            }
        }
        provided.push(ProvidedHostCert {
            host: h.name.clone(),
            cert: cert.clone(),
            key: key.clone(),
            subject: info.principal.clone(),
        });
    }
    Some(CertificateSource::Provided { ca_cert: ca_cert?.0, hosts: provided })
}

/// A PEM file on the wizard's machine (`~` expanded); a read failure is an error at `field`.
fn read_local(c: &mut Checker, field: &str, path: &str) -> Option<String> {
    let full = crate::transport::ssh::expand_tilde(std::path::Path::new(path));
    match std::fs::read_to_string(&full) {
        Ok(text) => Some(text),
        Err(e) => {
            let e = e.to_string();
            c.error(field, text!("cannot read {path:?}: {e}", "{path:?}을(를) 읽을 수 없습니다: {e}"));
            None
        }
    }
}

/// A SCRAM user name the wizard can pass through `--add-scram`, JAAS and `super.users`/ACL principals unchanged:
/// letters, digits, `.`, `_`, `-` (1–64, starting with a letter or digit).
fn scram_user(raw: &str) -> Result<String, Text> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(text!(
            "{raw:?} cannot be a Kafka user here — use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit): ',', '=', ';', ':' and spaces break SCRAM and ACL principals",
            "{raw:?}은(는) 여기서 Kafka 사용자 이름이 될 수 없습니다 — 영문자, 숫자, '.', '_', '-'만 쓰세요(64자 이하, 영문자나 숫자로 시작): ',', '=', ';', ':'와 공백은 SCRAM과 ACL 주체를 깨뜨립니다"
        ))
    }
}

fn check_users(c: &mut Checker, s: &SecurityDraft, protection: Protection) -> (Option<String>, Vec<String>) {
    let reserved = |c: &mut Checker, field: &str, name: &str| {
        if name == BROKER_USER {
            c.error(
                field,
                text!(
                    "{name:?} is the brokers' own login — choose another name",
                    "{name:?}은(는) 브로커 자신의 로그인입니다 — 다른 이름을 고르세요"
                ),
            );
            false
        } else {
            true
        }
    };
    let admin = s.admin_user.as_deref().unwrap_or(defaults::ADMIN_USER);
    let admin = c.check("security.admin_user", scram_user(admin)).filter(|a| reserved(c, "security.admin_user", a));
    let mut users: Vec<String> = Vec::new();
    let list = s.users.as_deref().unwrap_or_default();
    if protection == Protection::Ssl && !list.is_empty() {
        c.error(
            "security.users",
            text!(
                "users log in with SASL: set protocol = \"sasl_ssl\", or remove the list",
                "사용자는 SASL로 로그인합니다: protocol = \"sasl_ssl\"로 설정하거나 목록을 지우세요"
            ),
        );
        return (admin, users);
    }
    for (i, raw) in list.iter().enumerate() {
        let field = format!("security.users[{i}]");
        let Some(name) = c.check(&field, scram_user(raw)) else { continue };
        if !reserved(c, &field, &name) {
            continue;
        }
        if Some(&name) == admin.as_ref() {
            c.error(&field, text!(
                "{name:?} is security.admin_user, a super user already — remove it from users or choose another admin_user",
                "{name:?}은(는) 이미 슈퍼 사용자인 security.admin_user입니다 — users에서 지우거나 다른 admin_user를 고르세요"
            ));
        } else if users.contains(&name) {
            c.error(&field, text!("{name:?} is listed twice", "{name:?}이(가) 두 번 나옵니다"));
        } else {
            users.push(name);
        }
    }
    (admin, users)
}

/// On a secured cluster the wizard writes the TLS, SASL and authorizer keys; `[kafka.properties]` may not.
fn check_owned_properties(c: &mut Checker, d: &ProjectDraft) {
    for key in d.kafka.properties.keys() {
        let owned = OWNED_SECURITY_PROPERTIES.contains(&key.as_str())
            || (key.starts_with("listener.name.") && (key.contains(".ssl.") || key.contains(".sasl.")));
        if owned {
            c.error(
                format!("kafka.properties.{key}"),
                text!(
                    "the wizard sets {key} from [security] — remove it here",
                    "{key}은(는) 마법사가 [security]에서 설정합니다 — 여기서 지우세요"
                ),
            );
        }
    }
}
