//! The ACL calls over the wizard's own Kafka connection (`health::Conn`: TLS + SCRAM as the admin on a secured
//! cluster): DescribeAcls (29) of every ACL, CreateAcls (30) and DeleteAcls (31) of exact bindings, each answered
//! per ACL. Versions 1–3 (v1 added pattern types; Kafka 4 dropped v0) — docs/facts/kafka.md §12. Only Kafka's
//! protocol: the same calls serve KRaft's StandardAuthorizer and ZooKeeper mode's AclAuthorizer.

use super::{AclBinding, ANY};
use crate::health::{bounded, error_code, error_label, Conn, HealthError};
use crate::security::client::KafkaAuth;
use kafka_protocol::messages::create_acls_request::AclCreation;
use kafka_protocol::messages::delete_acls_request::DeleteAclsFilter;
use kafka_protocol::messages::{
    ApiKey, CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest,
    DescribeAclsResponse,
};
use kafka_protocol::protocol::{Message, StrBytes, VersionRange};
use std::time::Duration;

/// The lowest version used: v1 carries the pattern type (literal or prefixed).
const FLOOR: i16 = 1;

/// What a broker said about one ACL it did not create or delete: Kafka's error code and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclRefusal {
    pub code: i16,
    pub message: Option<String>,
}

/// `CLUSTER_AUTHORIZATION_FAILED (error code 31): …`
impl std::fmt::Display for AclRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (error code {})", error_label(self.code), self.code)?;
        match &self.message {
            Some(m) if !m.is_empty() => write!(f, ": {m}"),
            _ => Ok(()),
        }
    }
}

fn refusal(code: i16, message: &Option<StrBytes>) -> Option<AclRefusal> {
    (code != 0).then(|| AclRefusal { code, message: message.as_ref().map(|m| m.to_string()) })
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// CreateAcls and DeleteAcls answer each ACL in the order asked: anything else cannot be matched up.
fn one_answer_each(addr: &str, api: &str, answers: usize, asked: usize) -> Result<(), HealthError> {
    if answers == asked {
        Ok(())
    } else {
        Err(crate::health::protocol(addr, format!("{answers} {api} results for {asked} ACLs")))
    }
}

/// One connection to one broker, with the ACL versions it offers; every call bounded by its timeout.
pub struct AclSession<'a> {
    conn: Conn<'a>,
    versions: Vec<(i16, i16, i16)>,
    timeout: Duration,
}

impl<'a> AclSession<'a> {
    /// Connects to `addr` and logs in per `auth` (the admin: only a super user may read and change ACLs).
    pub async fn open(addr: &'a str, auth: &KafkaAuth, timeout: Duration) -> Result<AclSession<'a>, HealthError> {
        bounded(addr, timeout, async {
            let mut conn = Conn::open(addr, auth).await?;
            let versions = conn.api_versions().await?;
            Ok(AclSession { conn, versions, timeout })
        })
        .await
    }

    fn version(&self, key: ApiKey, ours: VersionRange) -> Result<i16, HealthError> {
        self.conn.negotiate(&self.versions, key, ours, FLOOR, "a broker listener")
    }

    /// Every ACL the cluster holds, of every principal.
    pub async fn describe_all(&mut self) -> Result<Vec<AclBinding>, HealthError> {
        let version = self.version(ApiKey::DescribeAcls, DescribeAclsRequest::VERSIONS)?;
        let everything = DescribeAclsRequest::default()
            .with_resource_type_filter(ANY)
            .with_resource_name_filter(None)
            .with_pattern_type_filter(ANY)
            .with_principal_filter(None)
            .with_host_filter(None)
            .with_operation(ANY)
            .with_permission_type(ANY);
        let addr = self.conn.addr;
        let resp: DescribeAclsResponse =
            bounded(addr, self.timeout, self.conn.call(ApiKey::DescribeAcls, version, &everything)).await?;
        if resp.error_code != 0 {
            return Err(error_code(addr, "DescribeAcls", resp.error_code));
        }
        Ok(resp
            .resources
            .iter()
            .flat_map(|r| {
                r.acls.iter().map(|a| AclBinding {
                    principal: a.principal.to_string(),
                    resource_type: r.resource_type,
                    resource_name: r.resource_name.to_string(),
                    pattern_type: r.pattern_type,
                    operation: a.operation,
                    permission_type: a.permission_type,
                    host: a.host.to_string(),
                })
            })
            .collect())
    }

    /// CreateAcls of `acls` in one request: each ACL with its refusal, if any.
    pub async fn create(&mut self, acls: &[AclBinding]) -> Result<Vec<(AclBinding, Option<AclRefusal>)>, HealthError> {
        let version = self.version(ApiKey::CreateAcls, CreateAclsRequest::VERSIONS)?;
        let creations = acls
            .iter()
            .map(|b| {
                AclCreation::default()
                    .with_resource_type(b.resource_type)
                    .with_resource_name(text(&b.resource_name))
                    .with_resource_pattern_type(b.pattern_type)
                    .with_principal(text(&b.principal))
                    .with_host(text(&b.host))
                    .with_operation(b.operation)
                    .with_permission_type(b.permission_type)
            })
            .collect();
        let addr = self.conn.addr;
        let req = CreateAclsRequest::default().with_creations(creations);
        let resp: CreateAclsResponse =
            bounded(addr, self.timeout, self.conn.call(ApiKey::CreateAcls, version, &req)).await?;
        one_answer_each(addr, "CreateAcls", resp.results.len(), acls.len())?;
        Ok(acls.iter().cloned().zip(resp.results.iter().map(|r| refusal(r.error_code, &r.error_message))).collect())
    }

    /// DeleteAcls of exactly `acls` (one filter per ACL, every field given): each ACL with its refusal, if any.
    pub async fn delete(&mut self, acls: &[AclBinding]) -> Result<Vec<(AclBinding, Option<AclRefusal>)>, HealthError> {
        let version = self.version(ApiKey::DeleteAcls, DeleteAclsRequest::VERSIONS)?;
        let filters = acls
            .iter()
            .map(|b| {
                DeleteAclsFilter::default()
                    .with_resource_type_filter(b.resource_type)
                    .with_resource_name_filter(Some(text(&b.resource_name)))
                    .with_pattern_type_filter(b.pattern_type)
                    .with_principal_filter(Some(text(&b.principal)))
                    .with_host_filter(Some(text(&b.host)))
                    .with_operation(b.operation)
                    .with_permission_type(b.permission_type)
            })
            .collect();
        let addr = self.conn.addr;
        let req = DeleteAclsRequest::default().with_filters(filters);
        let resp: DeleteAclsResponse =
            bounded(addr, self.timeout, self.conn.call(ApiKey::DeleteAcls, version, &req)).await?;
        one_answer_each(addr, "DeleteAcls", resp.filter_results.len(), acls.len())?;
        let answers = resp.filter_results.iter().map(|r| {
            refusal(r.error_code, &r.error_message)
                .or_else(|| r.matching_acls.iter().find_map(|m| refusal(m.error_code, &m.error_message)))
        });
        Ok(acls.iter().cloned().zip(answers).collect())
    }
}
