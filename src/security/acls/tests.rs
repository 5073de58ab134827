use super::*;
use crate::project::spec::ClusterSpec;

fn secure_spec(acls: &str) -> ClusterSpec {
    let text = include_str!("../../../tests/fixtures/kraft-secure.toml");
    let head = &text[..text.find("[[security.acls]]").unwrap()];
    let tail = &text[text.find("[[hosts]]").unwrap()..];
    let text = format!(
        "{}users = [\"orders-app\", \"billing\"]\n\n{acls}\n{tail}",
        head.replace("users = [\"orders-app\"]\n", "")
    );
    let validation = crate::project::validate(&crate::project::parse(&text).unwrap());
    validation.spec.unwrap_or_else(|| panic!("{:?}", validation.problems))
}

fn binding(principal: &str, resource_type: i8, name: &str, pattern_type: i8, operation: i8) -> AclBinding {
    AclBinding {
        principal: principal.into(),
        resource_type,
        resource_name: name.into(),
        pattern_type,
        operation,
        permission_type: ALLOW,
        host: ANY_HOST.into(),
    }
}

#[test]
fn kafka_codes_are_the_ones_kafka_defines() {
    let resources: Vec<(&str, i8)> = AclResource::ALL.iter().map(|r| (r.name(), r.code())).collect();
    assert_eq!(resources, [("topic", 2), ("group", 3), ("cluster", 4), ("transactional_id", 5)]);
    assert_eq!((AclPattern::Literal.code(), AclPattern::Prefixed.code()), (3, 4));
    let operations: Vec<i8> = AclOperation::ALL.iter().map(|o| o.code()).collect();
    assert_eq!(operations, (2..=12).collect::<Vec<i8>>());
    assert_eq!(AclOperation::parse("idempotent_write"), Some(AclOperation::IdempotentWrite));
    assert_eq!(AclOperation::parse("WRITE"), None, "lower case only");
    assert_eq!((ALLOW, ANY), (3, 1));
}

#[test]
fn kafka_acls_sh_names_operations_in_camel_case() {
    assert_eq!(AclOperation::ClusterAction.tool_name(), "ClusterAction");
    assert_eq!(AclOperation::Write.tool_name(), "Write");
    assert_eq!(AclOperation::IdempotentWrite.tool_name(), "IdempotentWrite");
}

#[test]
fn each_operation_of_a_project_acl_is_one_allow_binding_for_the_users_principal_from_any_host() {
    let spec = secure_spec(
        "[[security.acls]]\nuser = \"orders-app\"\nresource = \"topic\"\nname = \"orders\"\npattern = \"prefixed\"\n\
         operations = [\"write\", \"describe\"]\n\n[[security.acls]]\nuser = \"billing\"\nresource = \"cluster\"\n\
         operations = [\"idempotent_write\"]\n",
    );
    let security = spec.security.as_ref().unwrap();
    let bindings: Vec<AclBinding> = grants(security).iter().map(AclGrant::binding).collect();
    assert_eq!(
        bindings,
        [
            binding("User:orders-app", 2, "orders", 4, 4),
            binding("User:orders-app", 2, "orders", 4, 8),
            binding("User:billing", 4, "kafka-cluster", 3, 12),
        ]
    );
    assert_eq!(managed_principals(security), ["User:orders-app", "User:billing"]);
}

#[test]
fn an_operation_granted_twice_is_one_binding() {
    let twice = "[[security.acls]]\nuser = \"orders-app\"\nresource = \"group\"\nname = \"g\"\noperations = [\"read\", \"read\"]\n";
    let spec = secure_spec(&format!("{twice}\n{twice}"));
    assert_eq!(grants(spec.security.as_ref().unwrap()).len(), 1);
}

#[test]
fn a_binding_reads_as_people_write_it_and_names_codes_this_version_does_not_know() {
    let b = binding("User:orders-app", 2, "orders", 3, 4);
    assert_eq!(b.to_string(), "allow User:orders-app write on topic \"orders\" (literal)");
    let odd =
        AclBinding { permission_type: 2, host: "10.0.0.9".into(), operation: 99, ..binding("User:x", 7, "u", 4, 0) };
    assert_eq!(odd.to_string(), "deny User:x operation 99 on user \"u\" (prefixed) from host 10.0.0.9");
}

#[test]
fn missing_acls_are_created_and_extra_ones_of_managed_principals_deleted() {
    let managed = vec!["User:orders-app".to_string()];
    let write = binding("User:orders-app", 2, "orders", 3, 4);
    let describe = binding("User:orders-app", 2, "orders", 3, 8);
    let stale = binding("User:orders-app", 3, "old-group", 3, 3);
    let changes = changes(&[write.clone(), describe.clone()], &[describe, stale.clone()], &managed);
    assert_eq!(changes, AclChanges { create: vec![write], delete: vec![stale] });
}

#[test]
fn acls_of_principals_the_wizard_does_not_manage_are_never_deleted() {
    let managed = vec!["User:orders-app".to_string()];
    let by_hand = [
        binding("User:legacy-app", 2, "legacy", 3, 3),
        binding("User:admin", 4, "kafka-cluster", 3, 2),
        binding("User:CN=kafka-broker", 4, "kafka-cluster", 3, 9),
    ];
    assert!(changes(&[], &by_hand, &managed).is_empty());
}

#[test]
fn a_cluster_that_holds_exactly_the_projects_acls_needs_no_change() {
    let managed = vec!["User:orders-app".to_string()];
    let want = [binding("User:orders-app", 2, "orders", 3, 4), binding("User:orders-app", 3, "readers", 4, 3)];
    let mut held = want.to_vec();
    held.reverse();
    held.push(binding("User:other", 2, "orders", 3, 4));
    assert!(changes(&want, &held, &managed).is_empty());
}

#[test]
fn an_acl_that_differs_only_in_host_permission_or_pattern_is_another_acl() {
    let managed = vec!["User:orders-app".to_string()];
    let want = binding("User:orders-app", 2, "orders", 3, 4);
    let deny = AclBinding { permission_type: 2, ..want.clone() };
    let one_host = AclBinding { host: "10.0.0.9".into(), ..want.clone() };
    let prefixed = AclBinding { pattern_type: 4, ..want.clone() };
    let c = changes(std::slice::from_ref(&want), &[deny.clone(), one_host.clone(), prefixed.clone()], &managed);
    assert_eq!(c.create, [want]);
    assert_eq!(c.delete.len(), 3);
    assert!([deny, one_host, prefixed].iter().all(|b| c.delete.contains(b)));
}

#[test]
fn removing_a_user_from_the_project_leaves_its_acls_alone() {
    // A user no longer in security.users is no longer managed: its ACLs stay (docs: README, ARCHITECTURE).
    let spec = secure_spec("");
    let security = spec.security.as_ref().unwrap();
    let gone = binding("User:retired-app", 2, "orders", 3, 4);
    assert!(changes(&[], &[gone], &managed_principals(security)).is_empty());
}
