//! `[[security.acls]]`: each grant names an application user, a resource type Kafka knows, a name (the cluster's is
//! `kafka-cluster`), a pattern, and Kafka's operation names in lower case (the names and codes:
//! `security::acls`). Deploy applies them (`apply/acls.rs`).

use super::Checker;
use crate::project::defaults;
use crate::project::draft::{AclDraft, SecurityDraft};
use crate::project::problem::text;
use crate::project::spec::{AclSpec, Protection};
use crate::security::acls::{AclOperation, AclPattern, AclResource, CLUSTER_RESOURCE_NAME};

pub(super) fn check_acls(c: &mut Checker, s: &SecurityDraft, users: &[String], protection: Protection) -> Vec<AclSpec> {
    if protection == Protection::Ssl && !s.acls.is_empty() {
        c.error(
            "security.acls",
            text!(
                "ACLs grant rights to SCRAM users: set protocol = \"sasl_ssl\", or remove them",
                "ACL은 SCRAM 사용자에게 권한을 줍니다: protocol = \"sasl_ssl\"로 설정하거나 지우세요"
            ),
        );
        return Vec::new();
    }
    s.acls.iter().enumerate().filter_map(|(i, a)| check_acl(c, &format!("security.acls[{i}]"), a, users)).collect()
}

fn check_acl(c: &mut Checker, at: &str, a: &AclDraft, users: &[String]) -> Option<AclSpec> {
    let field = |k: &str| format!("{at}.{k}");
    let user = match a.user.as_deref() {
        Some(u) if users.iter().any(|x| x == u) => Some(u.to_string()),
        Some(u) => {
            c.error(
                field("user"),
                text!(
                "{u:?} is not in security.users — ACLs are for application users (the admin is a super user)",
                "{u:?}은(는) security.users에 없습니다 — ACL은 애플리케이션 사용자용입니다(관리자는 슈퍼 사용자입니다)"
            ),
            );
            None
        }
        None => {
            c.error(
                field("user"),
                text!("missing — name one of security.users", "없습니다 — security.users 중 하나를 쓰세요"),
            );
            None
        }
    };
    let resource = a.resource.as_deref().and_then(AclResource::parse);
    if resource.is_none() {
        let (got, list) = (a.resource.as_deref().unwrap_or(""), AclResource::names());
        c.error(
            field("resource"),
            text!(
                "{got:?} is not a resource type — use one of {list}",
                "{got:?}은(는) 리소스 종류가 아닙니다 — {list} 중 하나를 쓰세요"
            ),
        );
    }
    let name = match (resource, a.name.as_deref()) {
        (Some(AclResource::Cluster), None) => Some(CLUSTER_RESOURCE_NAME.to_string()),
        (Some(AclResource::Cluster), Some(n)) if n == CLUSTER_RESOURCE_NAME => Some(n.to_string()),
        (Some(AclResource::Cluster), Some(other)) => {
            c.error(
                field("name"),
                text!(
                    "{other:?}: the cluster resource is named \"kafka-cluster\" — leave name out",
                    "{other:?}: 클러스터 리소스의 이름은 \"kafka-cluster\"입니다 — name을 빼세요"
                ),
            );
            None
        }
        (_, Some(n)) if !n.is_empty() && !n.chars().any(|ch| ch.is_whitespace() || ch.is_control()) => {
            Some(n.to_string())
        }
        _ => {
            c.error(
                field("name"),
                text!(
                    "missing or not a resource name (no spaces) — name the topic, group or transactional id",
                    "없거나 리소스 이름이 아닙니다(공백 불가) — 토픽, 그룹 또는 트랜잭션 ID의 이름을 쓰세요"
                ),
            );
            None
        }
    };
    let written = a.pattern.as_deref().unwrap_or(defaults::ACL_PATTERN);
    let pattern = AclPattern::parse(written);
    if pattern.is_none() {
        c.error(
            field("pattern"),
            text!(
                "{written:?} is not a pattern — use \"literal\" or \"prefixed\"",
                "{written:?}은(는) 패턴이 아닙니다 — \"literal\" 또는 \"prefixed\"를 쓰세요"
            ),
        );
    }
    let mut operations = Vec::new();
    match a.operations.as_deref() {
        None | Some([]) => c.error(
            field("operations"),
            text!(
                "missing — list the operations to allow, e.g. [\"write\", \"describe\"]",
                "없습니다 — 허용할 작업을 나열하세요. 예: [\"write\", \"describe\"]"
            ),
        ),
        Some(ops) => {
            for (j, op) in ops.iter().enumerate() {
                if let Some(op) = AclOperation::parse(op) {
                    operations.push(op);
                } else {
                    let list = AclOperation::names();
                    c.error(
                        format!("{at}.operations[{j}]"),
                        text!(
                            "{op:?} is not an operation — use Kafka's names in lower case: {list}",
                            "{op:?}은(는) 작업이 아닙니다 — Kafka의 이름을 소문자로 쓰세요: {list}"
                        ),
                    );
                }
            }
        }
    }
    Some(AclSpec { user: user?, resource: resource?, name: name?, pattern: pattern?, operations })
}
