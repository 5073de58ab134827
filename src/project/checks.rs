//! Single-value checks used by validation: paths, host names, chroots, heap sizes, user names, cluster ids.
//!
//! Each returns the checked value or a [`Text`] saying, in English and Korean, what is wrong and what to write
//! instead; the caller adds the field path. Pure functions, no I/O.

use super::problem::{text, Text};
use super::spec::{AbsPath, ClusterId, HeapSize, JumpHost, NetAddress};
use base64::Engine;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Characters a path may not contain: they would break `log.dirs` (`,`), a unit file or a shell command.
const FORBIDDEN_IN_PATH: &[char] = &[
    ',', '$', '`', ';', '&', '|', '<', '>', '(', ')', '{', '}', '[', ']', '*', '?', '!', '#', '~', '\'', '"', '\\',
    '=', '%',
];

pub fn abs_path(raw: &str) -> Result<AbsPath, Text> {
    if raw.is_empty() {
        return Err(text!(
            "is empty — give an absolute path such as /data1",
            "비어 있습니다 — /data1 같은 절대 경로를 입력하세요"
        ));
    }
    if raw.chars().any(|c| c.is_whitespace()) {
        return Err(text!(
            "{raw:?} contains whitespace — use a path without spaces",
            "{raw:?}에 공백이 있습니다 — 공백 없는 경로를 쓰세요"
        ));
    }
    if let Some(c) = raw.chars().find(|c| FORBIDDEN_IN_PATH.contains(c) || c.is_control()) {
        let (why, why_ko) = if c == ',' {
            (" (it would split the log.dirs list)", " (log.dirs 목록이 나뉩니다)")
        } else {
            (" (shell metacharacter)", " (셸 메타문자)")
        };
        return Err(text!(
            "{raw:?} contains {c:?}{why} — use letters, digits, '/', '.', '-' and '_'",
            "{raw:?}에 {c:?} 문자가 들어 있습니다{why_ko} — 영문자, 숫자, '/', '.', '-', '_'만 쓰세요"
        ));
    }
    if !raw.starts_with('/') {
        return Err(text!(
            "{raw:?} is relative — give an absolute path starting with '/'",
            "{raw:?}은(는) 상대 경로입니다 — '/'로 시작하는 절대 경로를 쓰세요"
        ));
    }
    let trimmed = raw.strip_suffix('/').unwrap_or(raw);
    if trimmed.is_empty() {
        return Err(text!(
            "\"/\" is the root directory — give a dedicated directory such as /data1",
            "\"/\"는 루트 디렉터리입니다 — /data1 같은 전용 디렉터리를 지정하세요"
        ));
    }
    if trimmed[1..].split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(text!(
            "{raw:?} has an empty, '.' or '..' element — write the plain absolute path",
            "{raw:?}에 빈 요소나 '.', '..' 요소가 있습니다 — 그런 요소 없는 절대 경로를 그대로 쓰세요"
        ));
    }
    Ok(AbsPath(trimmed.to_string()))
}

/// Directories of the operating system itself. The deploy runs `install -d -o <service user>` as root on every
/// directory a service owns, and `install` re-owns and re-modes a directory that already exists — so none of these
/// may be such a directory; a subdirectory (`/var/log/kafka`, `/srv/kafka`) is fine. The one home of this list.
pub const SYSTEM_DIRECTORIES: &[&str] = &[
    "/",
    "/etc",
    "/var",
    "/var/log",
    "/var/lib",
    "/usr",
    "/usr/local",
    "/usr/lib",
    "/home",
    "/opt",
    "/tmp",
    "/var/tmp",
    "/root",
    "/boot",
    "/srv",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/dev",
    "/proc",
    "/sys",
    "/run",
    "/mnt",
    "/media",
];

/// `raw` with repeated slashes, `.` elements and trailing slashes removed (`//var/./log/` → `/var/log`); `..` is
/// kept as it is (validation refuses it anyway).
fn normalise_path(raw: &str) -> String {
    let parts: Vec<&str> = raw.split('/').filter(|part| !part.is_empty() && *part != ".").collect();
    format!("/{}", parts.join("/"))
}

/// Whether `path` is one of [`SYSTEM_DIRECTORIES`] itself (after normalising slashes and `.` elements).
pub fn is_system_directory(path: &str) -> bool {
    path.starts_with('/') && SYSTEM_DIRECTORIES.contains(&normalise_path(path).as_str())
}

/// A directory a service user will own (created with `install -d -o <user>`): an [`abs_path`] that is not a
/// system directory. `suggested_leaf` names the subdirectory the message proposes (`kafka` → `/var/log/kafka`).
pub fn service_dir(raw: &str, suggested_leaf: &str) -> Result<AbsPath, Text> {
    let path = abs_path(raw)?;
    if is_system_directory(path.as_str()) {
        let suggestion = format!("{}/{suggested_leaf}", path.as_str().trim_end_matches('/'));
        return Err(text!(
            "{path} is a system directory: the deploy would make the service user its owner (install -d -o …) — give the service a directory of its own inside it, such as {suggestion}",
            "{path}은(는) 시스템 디렉터리입니다: 배포가 서비스 사용자를 소유자로 바꿉니다(install -d -o …) — {suggestion}처럼 그 안에 서비스 전용 디렉터리를 지정하세요"
        ));
    }
    Ok(path)
}

/// A path that may start with `~/` (SSH identity and known_hosts files, expanded on the machine running the wizard).
pub fn local_path(raw: &str) -> Result<String, Text> {
    if raw.is_empty() {
        return Err(text!(
            "is empty — give a file path or remove the key",
            "비어 있습니다 — 파일 경로를 입력하거나 이 키를 지우세요"
        ));
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err(text!("contains a control character", "제어 문자가 들어 있습니다"));
    }
    Ok(raw.to_string())
}

/// An RFC 1123 host name (letters, digits, hyphens; labels of 1–63; 253 in all).
pub fn dns_name(raw: &str) -> bool {
    if raw.is_empty() || raw.len() > 253 {
        return false;
    }
    let name = raw.strip_suffix('.').unwrap_or(raw);
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        // An all-numeric dotted name is an IPv4 literal or a typo of one, never a DNS name.
        && !name.split('.').all(|label| label.bytes().all(|b| b.is_ascii_digit()))
}

pub fn net_address(raw: &str) -> Result<NetAddress, Text> {
    if raw.parse::<Ipv4Addr>().is_ok() {
        return Ok(NetAddress(raw.to_string()));
    }
    let unbracketed = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(raw);
    if let Ok(v6) = unbracketed.parse::<Ipv6Addr>() {
        return Ok(NetAddress(v6.to_string()));
    }
    if dns_name(raw) {
        return Ok(NetAddress(raw.to_ascii_lowercase()));
    }
    Err(text!(
        "{raw:?} is neither a valid host name (letters, digits and '-' in dot-separated labels) nor an IP address",
        "{raw:?}은(는) 올바른 호스트 이름(점으로 구분한 레이블마다 영문자, 숫자, '-')도 IP 주소도 아닙니다"
    ))
}

pub fn port(raw: i64) -> Result<u16, Text> {
    match u16::try_from(raw) {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(text!(
            "{raw} is not a TCP port — use a number from 1 to 65535",
            "{raw}은(는) TCP 포트가 아닙니다 — 1부터 65535 사이의 숫자를 쓰세요"
        )),
    }
}

/// A port the (non-root) service user can bind: 1024–65535.
pub fn service_port(raw: i64) -> Result<u16, Text> {
    let p = port(raw)?;
    if p < 1024 {
        return Err(text!(
            "{p} is a privileged port that the non-root service user cannot bind — use a port from 1024 to 65535",
            "{p}은(는) root가 아닌 서비스 사용자가 바인드할 수 없는 특권 포트입니다 — 1024부터 65535 사이의 포트를 쓰세요"
        ));
    }
    Ok(p)
}

/// The ZooKeeper chroot shared by every broker of one cluster.
pub fn chroot(raw: &str) -> Result<String, Text> {
    let fix = "write it like /my-cluster: one leading '/', no trailing '/', no spaces";
    let fix_ko = "/my-cluster처럼 쓰세요: 맨 앞에 '/' 하나, 끝에는 '/' 없이, 공백 없이";
    if raw.chars().any(char::is_whitespace) {
        return Err(text!("{raw:?} contains whitespace — {fix}", "{raw:?}에 공백이 있습니다 — {fix_ko}"));
    }
    if !raw.starts_with('/') {
        return Err(text!(
            "{raw:?} does not start with '/' — {fix}",
            "{raw:?}은(는) '/'로 시작하지 않습니다 — {fix_ko}"
        ));
    }
    if raw == "/" {
        return Err(text!(
            "\"/\" is the ensemble's root: the cluster would not be isolated — {fix}",
            "\"/\"는 앙상블의 루트입니다: 클러스터가 분리되지 않습니다 — {fix_ko}"
        ));
    }
    if raw.ends_with('/') {
        return Err(text!("{raw:?} ends with '/' — {fix}", "{raw:?}은(는) '/'로 끝납니다 — {fix_ko}"));
    }
    let elements: Vec<&str> = raw[1..].split('/').collect();
    if elements.iter().any(|e| e.is_empty()) {
        return Err(text!(
            "{raw:?} has an empty element ('//') — {fix}",
            "{raw:?}에 빈 요소('//')가 있습니다 — {fix_ko}"
        ));
    }
    if elements.iter().any(|e| *e == "." || *e == "..") {
        return Err(text!(
            "{raw:?} has a '.' or '..' element, which ZooKeeper refuses — {fix}",
            "{raw:?}에 ZooKeeper가 거부하는 '.' 또는 '..' 요소가 있습니다 — {fix_ko}"
        ));
    }
    if elements[0] == "zookeeper" {
        return Err(text!(
            "{raw:?} is inside /zookeeper, which ZooKeeper reserves — choose another name",
            "{raw:?}은(는) ZooKeeper가 예약해 둔 /zookeeper 안에 있습니다 — 다른 이름을 고르세요"
        ));
    }
    if let Some(c) = raw.chars().find(|c| c.is_control() || *c == ',' || *c == ':') {
        return Err(text!(
            "{raw:?} contains {c:?}, which would corrupt zookeeper.connect — {fix}",
            "{raw:?}에 zookeeper.connect를 망가뜨리는 {c:?} 문자가 들어 있습니다 — {fix_ko}"
        ));
    }
    Ok(raw.to_string())
}

/// `512m`, `1g`, `2048M`, `1G` → a heap size; at least 128 MiB.
pub fn heap(raw: &str) -> Result<HeapSize, Text> {
    let fix = "write a whole number followed by m or g, such as 512m or 4g";
    let fix_ko = "512m이나 4g처럼 정수 뒤에 m 또는 g를 붙여 쓰세요";
    let not_a_size = || text!("{raw:?} is not a heap size — {fix}", "{raw:?}은(는) 힙 크기가 아닙니다 — {fix_ko}");
    let lower = raw.trim().to_ascii_lowercase();
    let (number, unit_mib) = match lower.char_indices().last() {
        Some((i, 'm')) => (&lower[..i], 1u64),
        Some((i, 'g')) => (&lower[..i], 1024u64),
        _ => return Err(text!("{raw:?} has no unit — {fix}", "{raw:?}에 단위가 없습니다 — {fix_ko}")),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 7 {
        return Err(not_a_size());
    }
    let amount: u64 = number.parse().map_err(|_| not_a_size())?;
    let mib = amount * unit_mib;
    if mib < 128 {
        return Err(text!(
            "{raw:?} is below 128m, too small for a Kafka or ZooKeeper JVM — use at least 256m",
            "{raw:?}은(는) 128m보다 작아 Kafka나 ZooKeeper JVM에는 너무 작습니다 — 256m 이상을 쓰세요"
        ));
    }
    Ok(HeapSize { mib, jvm: format!("{amount}{}", if unit_mib == 1 { "m" } else { "g" }) })
}

/// A jump host as written: `[user@]host[:port]` (IPv6 in brackets when a port follows), or `"none"` → `None`.
pub fn jump(raw: &str) -> Result<Option<JumpHost>, Text> {
    if raw == "none" {
        return Ok(None);
    }
    let shape = || {
        text!(
            "{raw:?} is not a jump host — write \"user@bastion.example.com:22\" (user and port optional; \"[::1]:22\" for IPv6) or \"none\"",
            "{raw:?}은(는) 점프 호스트가 아닙니다 — \"user@bastion.example.com:22\"처럼 쓰세요(사용자와 포트는 생략 가능, IPv6는 \"[::1]:22\") 또는 \"none\""
        )
    };
    let (user, rest) = match raw.rsplit_once('@') {
        Some((user, rest)) => (Some(user_name(user)?), rest),
        None => (None, raw),
    };
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(shape)?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(shape)?)),
        }
    } else if rest.matches(':').count() == 1 {
        let (host, port) = rest.split_once(':').ok_or_else(shape)?;
        (host, Some(port))
    } else {
        (rest, None)
    };
    if host.is_empty() {
        return Err(shape());
    }
    let host = net_address(host)?.0;
    let port = match port {
        None => None,
        Some(p) => Some(self::port(p.parse::<i64>().map_err(|_| shape())?)?),
    };
    Ok(Some(JumpHost { user, host, port }))
}

/// A POSIX user name usable with `useradd` (and for SSH logins).
pub fn user_name(raw: &str) -> Result<String, Text> {
    let ok = !raw.is_empty()
        && raw.len() <= 32
        && raw.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(text!(
            "{raw:?} is not a valid user name — use lowercase letters, digits, '_' and '-', starting with a letter",
            "{raw:?}은(는) 올바른 사용자 이름이 아닙니다 — 영문 소문자로 시작하고 영문 소문자, 숫자, '_', '-'만 쓰세요"
        ))
    }
}

/// The cluster name: used in file names, unit descriptions and the default chroot.
pub fn cluster_name(raw: &str) -> Result<String, Text> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(text!(
            "{raw:?} is not a usable cluster name — use letters, digits, '-', '_' and '.', starting with a letter or digit",
            "{raw:?}은(는) 쓸 수 있는 클러스터 이름이 아닙니다 — 영문자나 숫자로 시작하고 영문자, 숫자, '-', '_', '.'만 쓰세요"
        ))
    }
}

/// A rack label for `broker.rack`.
pub fn rack(raw: &str) -> Result<String, Text> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(text!(
            "{raw:?} is not a usable rack label — use letters, digits, '-', '_' and '.'",
            "{raw:?}은(는) 쓸 수 있는 랙 레이블이 아닙니다 — 영문자, 숫자, '-', '_', '.'만 쓰세요"
        ))
    }
}

/// A KRaft cluster id as `kafka-storage.sh random-uuid` prints it.
pub fn cluster_id(raw: &str) -> Result<ClusterId, Text> {
    let fix = "remove the key to have a fresh one generated, or paste the id printed by kafka-storage.sh random-uuid";
    let fix_ko = "키를 지워 새 id가 생성되게 하거나, kafka-storage.sh random-uuid가 출력한 id를 붙여 넣으세요";
    // Java's decoder (which Kafka uses) accepts non-zero trailing bits, as in the docs' MkU3OEVBNTcwNTJENDM2Qk.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    let bytes = lenient.decode(raw).ok().filter(|b| b.len() == 16 && raw.len() == 22).ok_or_else(|| {
        text!(
            "{raw:?} is not a 22-character base64url id — {fix}",
            "{raw:?}은(는) 22자짜리 base64url id가 아닙니다 — {fix_ko}"
        )
    })?;
    if raw.starts_with('-') {
        return Err(text!(
            "{raw:?} starts with '-', which Kafka's tools cannot take as an argument — {fix}",
            "{raw:?}은(는) '-'로 시작해 Kafka 도구가 인자로 받을 수 없습니다 — {fix_ko}"
        ));
    }
    // Uuid.ZERO_UUID and Uuid.METADATA_TOPIC_ID (0…01) are reserved by Kafka.
    if bytes[..15].iter().all(|&b| b == 0) && bytes[15] <= 1 {
        return Err(text!("{raw:?} is a reserved id — {fix}", "{raw:?}은(는) Kafka가 예약한 id입니다 — {fix_ko}"));
    }
    Ok(ClusterId(raw.to_string()))
}

/// A fresh random cluster id (16 bytes from the OS's CSPRNG), never a deterministic one.
pub fn new_cluster_id() -> ClusterId {
    use rand::RngCore;
    loop {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if let Ok(id) = cluster_id(&id) {
            return id;
        }
    }
}

/// A Kafka property key: dotted lowercase words (no `=`, `:`, spaces or newlines that would corrupt the file).
pub fn property_key(raw: &str) -> bool {
    !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_host_is_user_at_host_colon_port_with_user_and_port_optional() {
        let j = |raw: &str| jump(raw).map(|j| j.map(|j| (j.user, j.host, j.port)));
        assert_eq!(j("ops@bastion:2222").unwrap(), Some((Some("ops".into()), "bastion".into(), Some(2222))));
        assert_eq!(j("Bastion.Example.com").unwrap(), Some((None, "bastion.example.com".into(), None)));
        assert_eq!(j("[2001:db8::1]:22").unwrap(), Some((None, "2001:db8::1".into(), Some(22))));
        assert_eq!(j("2001:db8::1").unwrap(), Some((None, "2001:db8::1".into(), None)));
        assert_eq!(j("none").unwrap(), None);
        for bad in ["", "ops@", "@bastion", "bastion:", "bastion:0", "bastion:x", "a b", "[::1", "[::1]x", "Ops@b"] {
            assert!(jump(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paths_must_be_absolute_plain_and_shell_safe() {
        assert_eq!(abs_path("/data1").unwrap().as_str(), "/data1");
        assert_eq!(abs_path("/data1/").unwrap().as_str(), "/data1");
        for bad in ["data1", "/", "", "/a b", "/a,b", "/a;rm -rf", "/a/../b", "/a//b", "/$HOME", "~/x", "/a\nb"] {
            assert!(abs_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn system_directories_are_recognised_whatever_the_slashes_and_dot_elements() {
        for path in ["/var/log", "/var/log/", "//etc", "/./var/./lib", "/usr//local/", "/", "//", "/opt", "/media"] {
            assert!(is_system_directory(path), "{path}");
        }
        for path in ["/var/log/kafka", "/srv/kafka", "/etc/kafka/", "/data1", "/optional", "/var/lib/zookeeper", "var"]
        {
            assert!(!is_system_directory(path), "{path}");
        }
    }

    #[test]
    fn a_service_directory_may_be_inside_a_system_directory_but_not_one_itself() {
        assert_eq!(service_dir("/var/log/kafka/", "kafka").unwrap().as_str(), "/var/log/kafka");
        let refused = service_dir("/var/lib/", "zookeeper").unwrap_err();
        assert!(refused.en.contains("/var/lib is a system directory"), "{}", refused.en);
        assert!(refused.en.contains("such as /var/lib/zookeeper"), "{}", refused.en);
        assert!(refused.ko.contains("/var/lib/zookeeper"), "{}", refused.ko);
        assert!(service_dir("relative", "kafka").unwrap_err().en.contains("relative"));
    }

    #[test]
    fn host_names_follow_rfc_1123_and_ip_literals_are_accepted() {
        for good in ["peter-kafka001", "kafka1.example.com", "10.0.0.1", "::1", "[fe80::1]", "H1"] {
            assert!(net_address(good).is_ok(), "{good:?}");
        }
        for bad in ["", "-bad", "bad-", "a_b", "a..b", "a b", "300.1.1.1", "1.2.3", "a:b", &"x".repeat(64)] {
            assert!(net_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn chroots_are_one_absolute_znode_path() {
        assert!(chroot("/peter-kafka").is_ok());
        assert!(chroot("/kafka/prod").is_ok());
        for bad in [
            "peter-kafka",
            "/",
            "/peter-kafka/",
            "/a//b",
            "/peter kafka",
            "/zookeeper",
            "/zookeeper/x",
            "/a/./b",
            "/a,b",
        ] {
            assert!(chroot(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn heap_sizes_take_m_or_g_units() {
        assert_eq!(heap("1g").unwrap().jvm_options(), "-Xms1g -Xmx1g");
        assert_eq!(heap("512M").unwrap().mib, 512);
        for bad in ["1", "1gb", "g", "-1g", "1.5g", "64m", "lots"] {
            assert!(heap(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_cluster_ids_are_valid_and_different_each_time() {
        let a = new_cluster_id();
        let b = new_cluster_id();
        assert_ne!(a, b);
        assert!(cluster_id(a.as_str()).is_ok());
        assert_eq!(a.as_str().len(), 22);
    }

    #[test]
    fn cluster_ids_refuse_bad_length_leading_dash_and_reserved_values() {
        assert!(cluster_id("MkU3OEVBNTcwNTJENDM2Qk").is_ok());
        assert!(cluster_id("short").is_err());
        assert!(cluster_id("AAAAAAAAAAAAAAAAAAAAAA").is_err());
        assert!(cluster_id("AAAAAAAAAAAAAAAAAAAAAQ").is_err());
        assert!(cluster_id("-kU3OEVBNTcwNTJENDM2Qk").is_err());
    }
}
