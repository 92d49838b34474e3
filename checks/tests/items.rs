//! One Studio or workgroup that could not be described makes only that item's
//! results `error`: every other item is still judged as before.

use studio_doctor_checks::CheckResult;
use studio_doctor_checks::facts::{Studio, WorkGroup};
use studio_doctor_checks::{Fact, Facts, Status, Unknown, UnknownKind, registry, run};

fn healthy() -> Facts {
    let text = include_str!("../../examples/healthy-account.json");
    Facts::from_json(text).unwrap()
}

fn all(f: &Facts) -> Vec<CheckResult> {
    let checks: Vec<_> = registry::ALL.iter().collect();
    run(f, &checks, "test").results
}

fn denied(action: &str) -> Unknown {
    Unknown::new(UnknownKind::AccessDenied, action, "no")
}

/// The results about `scope`, and the statuses of everything else by check id.
fn split(results: &[CheckResult], scope: &str) -> (Vec<CheckResult>, Vec<(String, Status)>) {
    let (mine, rest): (Vec<_>, Vec<_>) = results
        .iter()
        .cloned()
        .partition(|r| r.scopes.iter().any(|s| s.to_string() == scope));
    let rest = rest
        .into_iter()
        .map(|r| (format!("{} {}", r.id, r.resource), r.status))
        .collect();
    (mine, rest)
}

fn assert_only_item_errors(f: &Facts, scope: &str, action: &str, allowed_pass: &[&str]) {
    let before = all(&healthy());
    let after = all(f);
    let (mine, rest) = split(&after, scope);
    assert!(!mine.is_empty(), "no result about {scope}");
    for r in &mine {
        let ok = matches!(r.status, Status::Error | Status::Skip)
            || (r.status == Status::Pass && allowed_pass.contains(&r.id));
        assert!(ok, "{scope}: {} is {:?}: {}", r.id, r.status, r.message);
    }
    assert!(
        mine.iter()
            .any(|r| r.status == Status::Error && r.message.contains(action)),
        "{mine:#?}"
    );
    let (_, unaffected) = split(&before, scope);
    for (what, status) in &rest {
        let was = unaffected.iter().find(|(w, _)| w == what).map(|(_, s)| *s);
        if let Some(was) = was {
            assert_eq!(
                *status, was,
                "{what} changed because another item was unreadable"
            );
        }
    }
    // Nothing passes that needed the unreadable item, and nothing fails because of it.
    assert!(
        after.iter().all(|r| r.status != Status::Fail),
        "{:#?}",
        after
            .iter()
            .filter(|r| r.status == Status::Fail)
            .collect::<Vec<_>>()
    );
}

fn studios(f: &mut Facts) -> &mut Vec<Studio> {
    match &mut f.studios {
        Fact::Known(v) => v,
        Fact::Unknown(_) => panic!("healthy has Studios"),
    }
}

fn workgroups(f: &mut Facts) -> &mut Vec<WorkGroup> {
    match &mut f.workgroups {
        Fact::Known(v) => v,
        Fact::Unknown(_) => panic!("healthy has workgroups"),
    }
}

#[test]
fn an_unreadable_studio_errors_alone() {
    let mut f = healthy();
    let first = studios(&mut f)[0].clone();
    // As ListStudios shows it: id, name, URL, auth mode, VPC.
    let second = Studio {
        studio_id: "es-0000000000000000000000002".into(),
        name: "second".into(),
        url: Some(
            "https://es-0000000000000000000000002.emrstudio-prod.us-east-1.amazonaws.com".into(),
        ),
        studio_arn: None,
        service_role: None,
        user_role: None,
        idc_instance_arn: None,
        trusted_identity_propagation_enabled: None,
        idc_user_assignment: None,
        default_s3_location: None,
        encryption_key_arn: None,
        subnet_ids: Vec::new(),
        workspace_security_group_id: None,
        engine_security_group_id: None,
        session_mappings: Fact::default(),
        application_arn: Fact::default(),
        unreadable: Some(denied("elasticmapreduce:DescribeStudio")),
        ..first
    };
    studios(&mut f).push(second);
    assert_only_item_errors(
        &f,
        "studio:es-0000000000000000000000002",
        "elasticmapreduce:DescribeStudio",
        &["ES001"],
    );
}

#[test]
fn an_unreadable_workgroup_errors_alone() {
    let mut f = healthy();
    let first = workgroups(&mut f)
        .iter()
        .find(|w| w.identity_center_application_arn.is_some())
        .cloned()
        .unwrap();
    let second = WorkGroup {
        name: "second".into(),
        enable_identity_center: None,
        identity_center_instance_arn: None,
        execution_role: None,
        output_location: None,
        encryption_option: None,
        expected_bucket_owner: None,
        managed_query_results: None,
        enforce_workgroup_configuration: None,
        s3_access_grants: None,
        effective_engine_version: None,
        unreadable: Some(denied("athena:GetWorkGroup")),
        ..first
    };
    workgroups(&mut f).push(second);
    assert_only_item_errors(&f, "workgroup:second", "athena:GetWorkGroup", &["WG001"]);
}

/// Without `--studio`, a Studio with IAM authentication beside an Identity
/// Center one is off the path: it is not judged.
#[test]
fn iam_studios_beside_an_identity_center_one_are_not_judged() {
    let mut f = healthy();
    let mut other = studios(&mut f)[0].clone();
    other.studio_id = "es-0000000000000000000000003".into();
    other.name = "batch".into();
    other.auth_mode = Some("IAM".into());
    studios(&mut f).push(other);
    let r = all(&f);
    assert!(
        r.iter().all(|r| r.status == Status::Pass),
        "{:#?}",
        r.iter()
            .filter(|r| r.status != Status::Pass)
            .collect::<Vec<_>>()
    );
    assert!(!r.iter().any(|r| r.resource.contains("batch")));
    f.target.studio = Some("batch".into());
    let es001: Vec<_> = all(&f).into_iter().filter(|r| r.id == "ES001").collect();
    assert_eq!(es001.len(), 1);
    assert_eq!(es001[0].status, Status::Fail, "{:#?}", es001[0]);
}

const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";
const ANALYSTS: &str = "e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f";

fn statuses_of(f: &Facts, ids: &[&str]) -> Vec<(String, Status)> {
    all(f)
        .into_iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| (r.id.to_string(), r.status))
        .collect()
}

/// Assignments read per principal answer for those principals only.
#[test]
fn assignments_read_per_principal_answer_for_those_principals_only() {
    let checks = ["WG003", "LF010", "ES008"];
    let mut f = healthy();
    for app in f.applications.values_mut() {
        app.assignments_of = Some(vec![ALICE.into(), ANALYSTS.into()]);
    }
    assert!(
        statuses_of(&f, &checks)
            .iter()
            .all(|(_, s)| *s == Status::Pass),
        "{:?}",
        statuses_of(&f, &checks)
    );
    // The group was not asked about: its assignment may exist, so no verdict.
    for app in f.applications.values_mut() {
        app.assignments_of = Some(vec![ALICE.into()]);
    }
    let wg003 = statuses_of(&f, &["WG003"]);
    assert_eq!(wg003, [("WG003".to_string(), Status::Error)]);
    // Without --user, a per-principal list cannot say whether anyone is assigned.
    f.target.users.clear();
    f.users.clear();
    let wg003 = statuses_of(&f, &["WG003"]);
    assert_eq!(wg003, [("WG003".to_string(), Status::Error)]);
}
