//! Property tests of the IAM policy evaluator: it never panics, a Deny never
//! grants, an Allow never takes away, actions match case-insensitively and ARNs
//! case-sensitively; and the ARN forms whose effect AWS does not document (a
//! wildcard in the service or resource type, a variable before the fifth colon, a
//! variable without `"Version": "2012-10-17"`) never give a pass.

use proptest::prelude::*;
use serde_json::{Value, json};
use studio_doctor_checks::policy::{Context, Decision, evaluate};

const ACCOUNT: &str = "111122223333";

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    }
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z*?:/${}, ']{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "Allow",
            "Deny",
            "Statement",
            "Effect",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
            "Principal",
            "*",
            "2012-10-17",
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "Version",
                    "Statement",
                    "Sid",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Condition",
                    "Principal",
                    "NotPrincipal",
                    "StringEquals",
                    "ArnLike",
                    "Null",
                    "ForAllValues:StringLike",
                    "aws:PrincipalArn",
                    "aws:username",
                ]),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// ARN segments, including upper case, wildcards and variables in odd places.
fn partition() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["aws", "aws-cn", "AWS", "*", "a?s"]).prop_map(String::from)
}
fn service() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "athena", "iam", "glue", "s3", "ATHENA", "*", "a*", "?am",
    ])
    .prop_map(String::from)
}
fn region() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "ap-northeast-1",
        "us-east-1",
        "",
        "*",
        "AP-NORTHEAST-1",
        "ap-*",
    ])
    .prop_map(String::from)
}
fn account() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        ACCOUNT,
        "444455556666",
        "",
        "*",
        "1111*",
        "${aws:PrincipalAccount}",
    ])
    .prop_map(String::from)
}
fn resource_part() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "workgroup/idc-wg",
        "workgroup/*",
        "workgroup*",
        "*",
        "*/idc-wg",
        "w*/idc-wg",
        "role/EMRStudio-ServiceRole",
        "role/EMR*",
        "*/EMRStudio-ServiceRole",
        "r?le/x",
        "catalog",
        "c*",
        "secret:emr-studio-*",
        "s*:emr-studio-x",
        "bucket/${aws:username}/*",
        "Workgroup/idc-wg",
        "log-group:/aws/emr:*",
    ])
    .prop_map(String::from)
}

/// A `Resource` pattern: a full ARN, or one cut short (with a trailing `*`).
fn pattern() -> impl Strategy<Value = String> {
    (
        partition(),
        service(),
        region(),
        account(),
        resource_part(),
        0..7usize,
    )
        .prop_map(|(p, s, r, a, res, cut)| {
            let full = format!("arn:{p}:{s}:{r}:{a}:{res}");
            if cut >= 6 {
                return full;
            }
            let mut short: Vec<&str> = full.splitn(6, ':').take(cut.max(2)).collect();
            short.push("*");
            short.join(":")
        })
}

/// A requested resource: the ARNs the checks ask about.
fn resource() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg",
        "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole",
        "arn:aws:glue:ap-northeast-1:111122223333:catalog",
        "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-x",
        "arn:aws:s3:::bucket/alice/x",
        "arn:aws:s3:::bucket",
        "arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/emr:log-stream:s",
        "*",
    ])
    .prop_map(String::from)
}

fn action() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "athena:GetWorkGroup",
        "iam:PassRole",
        "glue:GetTable",
        "s3:GetObject",
        "secretsmanager:TagResource",
        "logs:PutLogEvents",
    ])
    .prop_map(String::from)
}

fn action_pattern() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "*",
        "athena:*",
        "iam:PassRole",
        "glue:Get*",
        "s3:?etObject",
        "*:*",
    ])
    .prop_map(String::from)
}

fn statement(effect: &'static str) -> impl Strategy<Value = Value> {
    (
        action_pattern(),
        prop::collection::vec(pattern(), 1..3),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![
            json!({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}),
            json!({"StringEquals": {"aws:RequestTag/x": "y"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/EMR*"}}),
            json!({"StringLike": {"s3:prefix": "${aws:username}/*"}}),
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            json!({"Null": {"aws:username": "false"}}),
        ])),
    )
        .prop_map(move |(a, resources, not, cond)| {
            let mut st = json!({"Effect": effect, "Action": a});
            st[if not { "NotResource" } else { "Resource" }] = json!(resources);
            if let Some(c) = cond {
                st["Condition"] = c;
            }
            st
        })
}

fn version() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(vec!["2012-10-17", "2008-10-17"]))
}

fn document(statements: Vec<Value>, version: Option<&str>) -> Value {
    let mut d = json!({"Statement": statements});
    if let Some(v) = version {
        d["Version"] = json!(v);
    }
    d
}

fn context() -> Context {
    Context::new()
        .with("aws:PrincipalAccount", ACCOUNT)
        .with(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/EMRStudio-UserRole",
        )
        .with("aws:username", "alice")
}

fn flip_case(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().cycle())
        .map(|(c, flip)| match (flip, c.is_ascii_lowercase()) {
            (true, true) => c.to_ascii_uppercase(),
            (true, false) => c.to_ascii_lowercase(),
            _ => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics_on_arbitrary_json(doc in any_json(), a in action(), r in resource()) {
        let _ = evaluate(&[&doc], &a, &r, &context());
        let _ = evaluate(&[&json!({"Version": "2012-10-17", "Statement": doc})], &a, &r, &context());
    }

    #[test]
    fn never_panics_on_generated_statements(
        sts in prop::collection::vec(prop_oneof![statement("Allow"), statement("Deny")], 0..5),
        v in version(), a in action(), r in resource(),
    ) {
        let _ = evaluate(&[&document(sts, v)], &a, &r, &context());
    }

    #[test]
    fn adding_a_deny_never_grants(
        sts in prop::collection::vec(statement("Allow"), 0..4),
        deny in statement("Deny"),
        v in version(), a in action(), r in resource(),
    ) {
        let before = evaluate(&[&document(sts.clone(), v)], &a, &r, &context());
        let mut more = sts;
        more.push(deny);
        let after = evaluate(&[&document(more, v)], &a, &r, &context());
        prop_assert!(!after.is_allowed() || before.is_allowed(), "{before:?} -> {after:?}");
    }

    #[test]
    fn adding_an_allow_never_denies_what_was_allowed(
        sts in prop::collection::vec(prop_oneof![statement("Allow"), statement("Deny")], 0..4),
        allow in statement("Allow"),
        v in version(), a in action(), r in resource(),
    ) {
        let before = evaluate(&[&document(sts.clone(), v)], &a, &r, &context());
        let mut more = sts;
        more.push(allow);
        let after = evaluate(&[&document(more, v)], &a, &r, &context());
        prop_assert!(!before.is_allowed() || after.is_allowed(), "{before:?} -> {after:?}");
    }

    #[test]
    fn actions_match_case_insensitively(
        sts in prop::collection::vec(prop_oneof![statement("Allow"), statement("Deny")], 0..4),
        v in version(), a in action(), r in resource(),
        mask in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let doc = document(sts, v);
        let same = evaluate(&[&doc], &a, &r, &context());
        let flipped = evaluate(&[&doc], &flip_case(&a, &mask), &r, &context());
        prop_assert_eq!(same, flipped);
    }

    #[test]
    fn arns_match_case_sensitively(
        r in resource().prop_filter("an ARN", |r| r.starts_with("arn:")),
        mask in prop::collection::vec(any::<bool>(), 1..8),
        wildcard_tail in any::<bool>(),
    ) {
        // A literal ARN (or one whose last character is `*`, where that is not
        // in the resource type) matches only its own spelling.
        let tail = wildcard_tail && !r.ends_with(":catalog");
        let pattern = if tail { format!("{}*", &r[..r.len() - 1]) } else { r.clone() };
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": pattern}]});
        prop_assert!(evaluate(&[&doc], "a:b", &r, &context()).is_allowed());
        let other = flip_case(&r[..r.len() - 1], &mask) + &r[r.len() - 1..];
        prop_assume!(other != r);
        prop_assert_eq!(evaluate(&[&doc], "a:b", &other, &context()), Decision::ImplicitDeny);
    }

    #[test]
    fn undocumented_forms_never_pass(p in pattern(), v in version(), r in resource(), a in action()) {
        let segments: Vec<&str> = p.splitn(6, ':').collect();
        let wild = |s: &str| s.contains(['*', '?']);
        let service_wild = segments.get(2).is_none_or(|s| wild(s));
        let early_variable = segments.iter().take(5).any(|s| s.contains("${"));
        let doc = document(vec![json!({"Effect": "Allow", "Action": "*", "Resource": p})], v);
        let d = evaluate(&[&doc], &a, &r, &context());
        if service_wild && r != "*" {
            prop_assert!(!d.is_allowed(), "{p} on {r}: {d:?}");
        }
        if early_variable && r.starts_with("arn:") {
            // Literal `${...}` text never equals a real account or region.
            prop_assert!(!d.is_allowed(), "{p} on {r}: {d:?}");
        }
    }

    #[test]
    fn a_wildcard_in_the_resource_type_never_passes(
        kind in prop::sample::select(vec!["*", "r*", "?ole", "ro*e", "*le", "r?le"]),
        name in prop::sample::select(vec!["EMRStudio-ServiceRole", "*", "EMR*"]),
        deny in any::<bool>(),
    ) {
        let role = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
        let p = format!("arn:aws:iam::111122223333:{kind}/{name}");
        let st = json!({"Effect": if deny { "Deny" } else { "Allow" }, "Action": "iam:PassRole", "Resource": p});
        let mut sts = vec![st];
        if deny {
            sts.push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
        }
        let d = evaluate(&[&document(sts, Some("2012-10-17"))], "iam:PassRole", role, &context());
        prop_assert!(matches!(d, Decision::Undecided { .. }), "{p}: {d:?}");
    }

    #[test]
    fn variables_are_literal_text_without_version_2012_10_17(
        v in prop::option::of(Just("2008-10-17")),
        user in prop::sample::select(vec!["alice", "bob"]),
    ) {
        let doc = document(
            vec![json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"})],
            v,
        );
        let ctx = Context::new().with("aws:username", user);
        let object = format!("arn:aws:s3:::bucket/{user}/x");
        prop_assert_eq!(evaluate(&[&doc], "s3:GetObject", &object, &ctx), Decision::ImplicitDeny);
        let literal = "arn:aws:s3:::bucket/${aws:username}/x";
        prop_assert!(evaluate(&[&doc], "s3:GetObject", literal, &ctx).is_allowed());
    }
}
