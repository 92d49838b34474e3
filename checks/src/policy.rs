//! A small IAM policy evaluator: "may this role do this action on this resource?"
//! and "does this trust policy let this service assume the role?". Pure, no I/O.
//!
//! It handles what the Studio roles need: `Effect` Allow/Deny (explicit deny wins),
//! `Action`/`NotAction` (case-insensitive `*`/`?`), `Resource`/`NotResource`
//! (case-sensitive, ARN segment by segment), `Principal`/`NotPrincipal` in trust
//! policies, policy variables it knows the value of, and the common condition
//! operators (`String*`, `Arn*`, `Bool`, `Null`, with `...IfExists` and
//! `ForAllValues:`/`ForAnyValue:`) on keys whose values the caller passes in a
//! [`Context`].
//!
//! What it cannot decide (another operator, a key not in the context, an unknown
//! policy variable, a malformed statement) it does not guess: an Allow that only
//! matches through such a statement, or a Deny that might apply through one, gives
//! [`Decision::Undecided`] naming the statement and the reason. We looked at the
//! `iam-rs` crate (a complete engine) but keep this one small so that undecidable
//! conditions are reported, not guessed. SCPs, session policies and resource
//! policies are out of scope: results are the identity-policy view.

use crate::fact::{Fact, Unknown};
use crate::facts::Role;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use wildmatch::WildMatch;

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// No statement allows it.
    ImplicitDeny,
    /// A Deny statement applies.
    ExplicitDeny {
        statement: String,
    },
    /// The identity policies allow it but the permissions boundary does not.
    OutsideBoundary {
        boundary: String,
    },
    /// A statement that matters has a condition or element we cannot evaluate.
    Undecided {
        reason: String,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        *self == Decision::Allowed
    }

    /// Not allowed, whatever the undecidable parts say.
    pub fn is_denied(&self) -> bool {
        matches!(
            self,
            Decision::ImplicitDeny
                | Decision::ExplicitDeny { .. }
                | Decision::OutsideBoundary { .. }
        )
    }

    /// A short phrase for messages: "not allowed", "explicitly denied by ...".
    pub fn describe(&self) -> String {
        match self {
            Decision::Allowed => "allowed".into(),
            Decision::ImplicitDeny => "not allowed by any statement".into(),
            Decision::ExplicitDeny { statement } => format!("explicitly denied by {statement}"),
            Decision::OutsideBoundary { boundary } => {
                format!(
                    "allowed by the role's policies but not by its permissions boundary {boundary}"
                )
            }
            Decision::Undecided { reason } => format!("undecided: {reason}"),
        }
    }
}

/// Known request-context values, by condition key (keys are case-insensitive).
/// A key with no values is known to be absent from the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// Set a single-valued key.
    pub fn with(self, key: &str, value: impl Into<String>) -> Self {
        self.with_values(key, vec![value.into()])
    }

    /// Set a multi-valued key (an empty list: known to be absent).
    pub fn with_values(mut self, key: &str, values: Vec<String>) -> Self {
        self.keys.insert(key.to_ascii_lowercase(), values);
        self
    }

    /// The key's values; `None` when the key is not known.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.keys.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }
}

/// Who asks, in a trust policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    /// A service principal, e.g. `elasticmapreduce.amazonaws.com`.
    Service(&'a str),
    /// An IAM principal ARN.
    Aws(&'a str),
}

/// Evaluate identity policies (no Principal) for one action on one resource.
pub fn evaluate(docs: &[&Value], action: &str, resource: &str, ctx: &Context) -> Decision {
    let named: Vec<(String, &Value)> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = if docs.len() > 1 {
                format!("policy #{}", i + 1)
            } else {
                String::new()
            };
            (name, *d)
        })
        .collect();
    decide(&named, &req(None, action, Some(resource), ctx))
}

/// Evaluate a role's inline and attached policies, limited by its permissions
/// boundary when one is set. An unread policy list or boundary is an error.
pub fn evaluate_role(
    role: &Role,
    action: &str,
    resource: &str,
    ctx: &Context,
) -> Result<Decision, Unknown> {
    let inline = role.inline_policies.known().map_err(Unknown::clone)?;
    let attached = role.attached_policies.known().map_err(Unknown::clone)?;
    let named: Vec<(String, &Value)> = inline
        .iter()
        .chain(attached)
        .map(|p| (format!("policy {}", p.name), &p.document))
        .collect();
    let r = req(None, action, Some(resource), ctx);
    let identity = decide(&named, &r);
    match &role.permissions_boundary {
        None => Ok(identity),
        Some(Fact::Unknown(u)) => Err(u.clone()),
        Some(Fact::Known(b)) => {
            let name = format!("permissions boundary {}", b.name);
            let bound = decide(&[(name, &b.document)], &r);
            Ok(within_boundary(identity, bound, &b.name))
        }
    }
}

/// Does the trust policy let the service principal perform `action` (e.g. `sts:SetContext`)?
/// `Principal: "*"` and `{"AWS": "*"}` count.
pub fn trust_allows(trust: &Value, service: &str, action: &str, ctx: &Context) -> Decision {
    trust_allows_principal(trust, Principal::Service(service), action, ctx)
}

/// Like [`trust_allows`] for any principal.
pub fn trust_allows_principal(
    trust: &Value,
    who: Principal,
    action: &str,
    ctx: &Context,
) -> Decision {
    decide(
        &[("trust policy".to_string(), trust)],
        &req(Some(who), action, None, ctx),
    )
}

/// A policy document allowing each action on its resource, one statement per resource.
pub fn allow_document(grants: &[(&str, &str)]) -> Value {
    let mut by_resource: Vec<(&str, Vec<&str>)> = Vec::new();
    for (action, resource) in grants {
        match by_resource.iter_mut().find(|(r, _)| r == resource) {
            Some((_, actions)) if !actions.contains(action) => actions.push(action),
            Some(_) => {}
            None => by_resource.push((resource, vec![action])),
        }
    }
    let statements: Vec<Value> = by_resource
        .into_iter()
        .map(|(resource, actions)| {
            let action = if actions.len() == 1 {
                json!(actions[0])
            } else {
                json!(actions)
            };
            json!({"Effect": "Allow", "Action": action, "Resource": resource})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `base`, or `base2`, `base3`, ... : an inline policy name the role does not use
/// yet, so `put-role-policy` adds a policy instead of replacing one.
pub fn unused_policy_name(role: &Role, base: &str) -> String {
    let taken: Vec<&str> = match role.inline_policies.known() {
        Ok(p) => p.iter().map(|p| p.name.as_str()).collect(),
        Err(_) => Vec::new(),
    };
    (1..)
        .map(|i| {
            if i == 1 {
                base.to_string()
            } else {
                format!("{base}{i}")
            }
        })
        .find(|n| !taken.contains(&n.as_str()))
        .unwrap_or_else(|| base.to_string())
}

/// The account id in an ARN (`arn:aws:iam::111122223333:role/x` -> `111122223333`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(3))
        .flatten()
        .filter(|a| !a.is_empty())
}

// ---------------------------------------------------------------------------

struct Request<'a> {
    principal: Option<Principal<'a>>,
    action: &'a str,
    resource: Option<&'a str>,
    ctx: &'a Context,
}

fn req<'a>(
    principal: Option<Principal<'a>>,
    action: &'a str,
    resource: Option<&'a str>,
    ctx: &'a Context,
) -> Request<'a> {
    Request {
        principal,
        action,
        resource,
        ctx,
    }
}

/// Three-valued: does a statement (or part of one) apply to the request?
#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    Yes,
    No,
    Maybe(String),
}

impl Match {
    fn from_bool(b: bool) -> Match {
        if b { Match::Yes } else { Match::No }
    }

    /// Logical AND: No wins, then Maybe.
    fn and(self, other: impl FnOnce() -> Match) -> Match {
        match self {
            Match::No => Match::No,
            Match::Yes => other(),
            Match::Maybe(r) => match other() {
                Match::No => Match::No,
                _ => Match::Maybe(r),
            },
        }
    }

    fn not(self) -> Match {
        match self {
            Match::Yes => Match::No,
            Match::No => Match::Yes,
            m => m,
        }
    }
}

/// Logical OR over items: Yes wins, then Maybe.
fn any<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> Match) -> Match {
    let mut maybe = None;
    for i in items {
        match f(i) {
            Match::Yes => return Match::Yes,
            Match::Maybe(r) => maybe = maybe.or(Some(r)),
            Match::No => {}
        }
    }
    maybe.map_or(Match::No, Match::Maybe)
}

/// Logical AND over items.
fn all<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> Match) -> Match {
    any(items, |i| f(i).not()).not()
}

fn decide(docs: &[(String, &Value)], r: &Request) -> Decision {
    let mut allowed = false;
    let mut maybe_allow = Vec::new();
    let mut maybe_deny = Vec::new();
    for (name, doc) in docs {
        for (label, st) in statements(name, doc) {
            if !st.is_object() {
                let why = format!("{label} cannot be read");
                maybe_allow.push(why.clone());
                maybe_deny.push(why);
                continue;
            }
            let effect = st.get("Effect").and_then(Value::as_str);
            match (effect, applies(st, r)) {
                (_, Match::No) => {}
                (Some("Deny"), Match::Yes) => return Decision::ExplicitDeny { statement: label },
                (Some("Deny"), Match::Maybe(why)) => maybe_deny.push(format!("{label}: {why}")),
                (Some("Allow"), Match::Yes) => allowed = true,
                (Some("Allow"), Match::Maybe(why)) => maybe_allow.push(format!("{label}: {why}")),
                (_, _) => {
                    let why = format!("{label}: its Effect is not \"Allow\" or \"Deny\"");
                    maybe_allow.push(why.clone());
                    maybe_deny.push(why);
                }
            }
        }
    }
    if !maybe_deny.is_empty() && (allowed || !maybe_allow.is_empty()) {
        let mut reason = format!("a Deny might apply ({})", maybe_deny.join("; "));
        if !allowed {
            reason.push_str(&format!(
                "; and it is only allowed through {}",
                maybe_allow.join("; ")
            ));
        }
        return Decision::Undecided { reason };
    }
    if allowed {
        Decision::Allowed
    } else if !maybe_allow.is_empty() {
        Decision::Undecided {
            reason: format!("only allowed through {}", maybe_allow.join("; or ")),
        }
    } else {
        Decision::ImplicitDeny
    }
}

/// The statements of a document with their labels (`statement "Sid" in policy X`).
/// A document without a `Statement` yields one unreadable pseudo-statement.
fn statements<'a>(name: &str, doc: &'a Value) -> Vec<(String, &'a Value)> {
    static MALFORMED: Value = Value::Null;
    let of = if name.is_empty() {
        String::new()
    } else {
        format!(" in {name}")
    };
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => {
            let what = if name.is_empty() { "the policy" } else { name };
            return vec![(format!("{what} (no Statement element)"), &MALFORMED)];
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(i, st)| {
            let label = match st.get("Sid").and_then(Value::as_str) {
                Some(sid) if !sid.is_empty() => format!("statement \"{sid}\"{of}"),
                _ => format!("statement #{}{of}", i + 1),
            };
            (label, st)
        })
        .collect()
}

fn applies(st: &Value, r: &Request) -> Match {
    principal_part(st, r)
        .and(|| action_part(st, r))
        .and(|| resource_part(st, r))
        .and(|| condition_part(st.get("Condition"), r.ctx))
}

fn principal_part(st: &Value, r: &Request) -> Match {
    let Some(who) = r.principal else {
        return Match::Yes;
    };
    match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(p), None) => principal_matches(p, who),
        (None, Some(np)) => principal_matches(np, who).not(),
        _ => Match::Maybe("it has no single Principal or NotPrincipal".into()),
    }
}

fn principal_matches(p: &Value, who: Principal) -> Match {
    if p.as_str() == Some("*") {
        return Match::Yes;
    }
    let Value::Object(map) = p else {
        return Match::Maybe("its Principal is not \"*\" or an object".into());
    };
    let mut result = Match::No;
    for (kind, values) in map {
        let Some(values) = strings(values) else {
            return Match::Maybe(format!("its Principal.{kind} is not a string or list"));
        };
        let hit = values.iter().any(|v| match (kind.as_str(), who) {
            ("AWS", _) if v == "*" => true,
            ("AWS", Principal::Aws(arn)) => v == arn,
            ("Service", Principal::Service(s)) => v.eq_ignore_ascii_case(s),
            _ => false,
        });
        if hit {
            result = Match::Yes;
        }
    }
    result
}

fn action_part(st: &Value, r: &Request) -> Match {
    let matches = |p: &String| WildMatch::new_case_insensitive(p).matches(r.action);
    match (st.get("Action"), st.get("NotAction")) {
        (Some(a), None) => match strings(a) {
            Some(list) => Match::from_bool(list.iter().any(matches)),
            None => Match::Maybe("its Action is not a string or list".into()),
        },
        (None, Some(na)) => match strings(na) {
            Some(list) => Match::from_bool(!list.iter().any(matches)),
            None => Match::Maybe("its NotAction is not a string or list".into()),
        },
        _ => Match::Maybe("it has no single Action or NotAction".into()),
    }
}

fn resource_part(st: &Value, r: &Request) -> Match {
    let Some(resource) = r.resource else {
        return Match::Yes;
    };
    let one = |p: &String| match substitute(p, r.ctx) {
        Ok(p) => arn_match(&p, resource, "its resource"),
        Err((widened, var)) => arn_match(&widened, resource, "its resource").and(|| {
            Match::Maybe(format!(
                "its resource {p} uses the policy variable {var}, whose value is not known"
            ))
        }),
    };
    match (st.get("Resource"), st.get("NotResource")) {
        (Some(v), None) => match strings(v) {
            Some(list) => any(&list, one),
            None => Match::Maybe("its Resource is not a string or list".into()),
        },
        (None, Some(v)) => match strings(v) {
            Some(list) => any(&list, one).not(),
            None => Match::Maybe("its NotResource is not a string or list".into()),
        },
        _ => Match::Maybe("it has no single Resource or NotResource".into()),
    }
}

/// Replace `${key}` with the context value. Err: the pattern with every unknown
/// variable widened to `*`, and the first unknown variable.
fn substitute(p: &str, ctx: &Context) -> Result<String, (String, String)> {
    let mut out = String::new();
    let mut unknown: Option<String> = None;
    let mut rest = p;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let var = &rest[start..start + len + 1];
        let key = var[2..var.len() - 1].split(',').next().unwrap_or("").trim();
        match ctx.get(key) {
            Some([v]) => out.push_str(v),
            _ => {
                out.push('*');
                unknown.get_or_insert_with(|| var.to_string());
            }
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    match unknown {
        None => Ok(out),
        Some(var) => Err((out, var)),
    }
}

/// Case-sensitive `*`/`?` match; ARNs are matched segment by segment. A pattern
/// that starts like an ARN but has fewer than six segments only matches a full ARN
/// if a wildcard spans colons, which we do not guess about.
fn arn_match(pattern: &str, value: &str, what: &str) -> Match {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let v: Vec<&str> = value.splitn(6, ':').collect();
    let whole = WildMatch::new(pattern).matches(value);
    if p.len() == 6 && v.len() == 6 && p[0] == "arn" && v[0] == "arn" {
        Match::from_bool(p.iter().zip(&v).all(|(p, v)| WildMatch::new(p).matches(v)))
    } else if p[0] == "arn" && v.len() == 6 && whole {
        Match::Maybe(format!(
            "{what} {pattern} is not a full ARN (fewer than six segments)"
        ))
    } else {
        Match::from_bool(whole)
    }
}

/// A string or a list of strings (numbers and booleans as their text).
fn strings(v: &Value) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().map(one).collect(),
        v => one(v).map(|s| vec![s]),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    AnyValue,
    AllValues,
}

/// The operators this evaluator decides: (name, negated).
const OPERATORS: &[(&str, bool)] = &[
    ("StringEquals", false),
    ("StringNotEquals", true),
    ("StringEqualsIgnoreCase", false),
    ("StringNotEqualsIgnoreCase", true),
    ("StringLike", false),
    ("StringNotLike", true),
    ("ArnEquals", false),
    ("ArnLike", false),
    ("ArnNotEquals", true),
    ("ArnNotLike", true),
    ("Bool", false),
];

fn condition_part(cond: Option<&Value>, ctx: &Context) -> Match {
    let Some(cond) = cond else {
        return Match::Yes;
    };
    let Value::Object(blocks) = cond else {
        return Match::Maybe("its Condition is not an object".into());
    };
    all(blocks, |(op, block)| {
        let Value::Object(keys) = block else {
            return Match::Maybe(format!("its condition {op} is not an object"));
        };
        all(keys, |(key, values)| condition(op, key, values, ctx))
    })
}

/// One `op: {key: values}` test.
fn condition(op_name: &str, key: &str, values: &Value, ctx: &Context) -> Match {
    let undecidable = |why: &str| Match::Maybe(format!("condition {op_name} on {key} {why}"));
    let (set, rest) = if let Some(r) = op_name.strip_prefix("ForAnyValue:") {
        (SetOp::AnyValue, r)
    } else if let Some(r) = op_name.strip_prefix("ForAllValues:") {
        (SetOp::AllValues, r)
    } else {
        (SetOp::Single, op_name)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let Some(policy) = strings(values) else {
        return undecidable("has values that are not strings");
    };
    let Some(actual) = ctx.get(key) else {
        return undecidable(
            "cannot be evaluated: studio-doctor does not know the value of this key",
        );
    };
    if base == "Null" && set == SetOp::Single && !if_exists {
        // "true": the key must be absent.
        return Match::from_bool(
            policy.iter().any(|p| p.eq_ignore_ascii_case("true")) == actual.is_empty(),
        );
    }
    let Some(&(_, negated)) = OPERATORS.iter().find(|(n, _)| *n == base) else {
        return undecidable("cannot be evaluated: studio-doctor does not evaluate this operator");
    };
    let mut wanted = Vec::new();
    for p in &policy {
        match substitute(p, ctx) {
            Ok(p) => wanted.push(p),
            Err((_, var)) => {
                return undecidable(&format!(
                    "cannot be evaluated: it uses the policy variable {var}, whose value is not known"
                ));
            }
        }
    }
    let what = format!("condition {op_name} on {key} has the value");
    // One request value against the policy values; negated operators match none.
    let single = |v: &String| {
        let hit = any(&wanted, |p| match base {
            "StringEquals" | "StringNotEquals" => Match::from_bool(p == v),
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" | "Bool" => {
                Match::from_bool(p.to_lowercase() == v.to_lowercase())
            }
            "StringLike" | "StringNotLike" => Match::from_bool(WildMatch::new(p).matches(v)),
            _ => arn_match(p, v, &what),
        });
        if negated { hit.not() } else { hit }
    };
    match set {
        SetOp::AnyValue => any(actual, single),
        SetOp::AllValues => all(actual, single),
        SetOp::Single => match actual {
            // Absent: IfExists and negated operators match, the others do not.
            [] => Match::from_bool(if_exists || negated),
            [v] => single(v),
            _ => undecidable(
                "cannot be evaluated: the key has several values and the operator has no ForAnyValue/ForAllValues",
            ),
        },
    }
}

/// Combine the identity-policy decision with the permissions boundary's.
fn within_boundary(identity: Decision, bound: Decision, boundary: &str) -> Decision {
    use Decision::*;
    match (identity, bound) {
        (d @ ExplicitDeny { .. }, _) | (_, d @ ExplicitDeny { .. }) => d,
        (ImplicitDeny, _) => ImplicitDeny,
        (_, ImplicitDeny) | (_, OutsideBoundary { .. }) => OutsideBoundary {
            boundary: boundary.to_string(),
        },
        (Allowed, Allowed) => Allowed,
        (Undecided { reason: a }, Undecided { reason: b }) => Undecided {
            reason: format!("{a}; {b}"),
        },
        (Undecided { reason }, _) | (_, Undecided { reason }) => Undecided { reason },
        (OutsideBoundary { boundary }, _) => OutsideBoundary { boundary },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::UnknownKind;
    use crate::facts::Policy;

    const ACCT: &str = "111122223333";

    fn ev(doc: Value, action: &str, resource: &str) -> Decision {
        evaluate(&[&doc], action, resource, &Context::new())
    }

    fn ev_ctx(doc: Value, action: &str, resource: &str, ctx: &Context) -> Decision {
        evaluate(&[&doc], action, resource, ctx)
    }

    fn allow(action: Value, resource: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    fn undecided(d: &Decision) -> &str {
        match d {
            Decision::Undecided { reason } => reason,
            other => panic!("expected Undecided, got {other:?}"),
        }
    }

    #[test]
    fn action_wildcards_are_case_insensitive() {
        let doc = allow(json!("athena:*"), json!("*"));
        assert_eq!(
            ev(doc.clone(), "athena:GetWorkGroup", "x"),
            Decision::Allowed
        );
        assert_eq!(
            ev(doc.clone(), "ATHENA:getworkgroup", "x"),
            Decision::Allowed
        );
        assert_eq!(ev(doc, "glue:GetTable", "x"), Decision::ImplicitDeny);
        let doc = allow(json!(["glue:Get*", "s3:?etObject"]), json!("*"));
        assert_eq!(ev(doc.clone(), "glue:GetTables", "x"), Decision::Allowed);
        assert_eq!(ev(doc.clone(), "s3:GetObject", "x"), Decision::Allowed);
        assert_eq!(ev(doc.clone(), "s3:PutObject", "x"), Decision::ImplicitDeny);
        assert_eq!(ev(doc, "glue:CreateTable", "x"), Decision::ImplicitDeny);
        assert_eq!(
            ev(allow(json!("*"), json!("*")), "iam:PassRole", "x"),
            Decision::Allowed
        );
    }

    #[test]
    fn resources_are_case_sensitive_and_matched_per_segment() {
        let doc = allow(
            json!("secretsmanager:TagResource"),
            json!("arn:aws:secretsmanager:*:*:secret:emr-studio-*"),
        );
        let ok = "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-example";
        assert_eq!(
            ev(doc.clone(), "secretsmanager:TagResource", ok),
            Decision::Allowed
        );
        let upper = "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:EMR-studio-example";
        assert_eq!(
            ev(doc.clone(), "secretsmanager:TagResource", upper),
            Decision::ImplicitDeny
        );
        let other = "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:db-password";
        assert_eq!(
            ev(doc, "secretsmanager:TagResource", other),
            Decision::ImplicitDeny
        );
        // `*` in the region segment does not swallow the account segment.
        let doc = allow(json!("iam:*"), json!("arn:aws:iam::*:role/x"));
        assert!(ev(doc.clone(), "iam:PassRole", "arn:aws:iam::1:role/x").is_allowed());
        assert!(ev(doc, "iam:PassRole", "arn:aws:iam::1:2:role/x").is_denied());
        // A pattern with fewer segments is not guessed about.
        let doc = allow(json!("athena:*"), json!("arn:aws:athena:*:workgroup/x"));
        let d = ev(
            doc.clone(),
            "athena:GetWorkGroup",
            "arn:aws:athena:r:1:workgroup/x",
        );
        assert!(undecided(&d).contains("not a full ARN"), "{d:?}");
        assert!(ev(doc, "athena:GetWorkGroup", "arn:aws:athena:r:1:workgroup/y").is_denied());
        // The resource segment keeps its colons.
        let doc = allow(
            json!("logs:*"),
            json!("arn:aws:logs:*:*:log-group:/aws/emr:*"),
        );
        assert_eq!(
            ev(
                doc,
                "logs:PutLogEvents",
                "arn:aws:logs:r:1:log-group:/aws/emr:log-stream:s"
            ),
            Decision::Allowed
        );
    }

    #[test]
    fn strings_and_arrays_and_single_statement_objects() {
        let single = json!({"Statement": {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ["a", "b"]}});
        assert_eq!(ev(single.clone(), "iam:PassRole", "b"), Decision::Allowed);
        assert_eq!(ev(single, "iam:PassRole", "c"), Decision::ImplicitDeny);
        assert_eq!(
            ev(json!({"Statement": []}), "iam:PassRole", "b"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn not_action_and_not_resource() {
        let doc =
            json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]});
        assert_eq!(
            ev(doc.clone(), "athena:GetWorkGroup", "x"),
            Decision::Allowed
        );
        assert_eq!(ev(doc, "iam:PassRole", "x"), Decision::ImplicitDeny);
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]});
        assert_eq!(
            ev(doc.clone(), "s3:GetObject", "arn:aws:s3:::data/x"),
            Decision::Allowed
        );
        assert_eq!(
            ev(doc, "s3:GetObject", "arn:aws:s3:::secret/x"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn explicit_deny_wins_and_is_named() {
        let allow_all = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let deny = json!({"Statement": [
            {"Sid": "NoPass", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"},
            {"Effect": "Deny", "Action": "athena:Delete*", "Resource": "*"}
        ]});
        let ctx = Context::new();
        assert_eq!(
            evaluate(&[&allow_all, &deny], "iam:PassRole", "r", &ctx),
            Decision::ExplicitDeny {
                statement: "statement \"NoPass\" in policy #2".into()
            }
        );
        assert_eq!(
            evaluate(&[&deny], "athena:DeleteWorkGroup", "r", &ctx),
            Decision::ExplicitDeny {
                statement: "statement #2".into()
            }
        );
        assert_eq!(
            evaluate(&[&allow_all, &deny], "athena:GetWorkGroup", "r", &ctx),
            Decision::Allowed
        );
    }

    #[test]
    fn decided_conditions() {
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": ["111122223333", "444455556666"]}}}]});
        let mine = Context::new().with("aws:resourceaccount", ACCT);
        let other = Context::new().with("aws:ResourceAccount", "999999999999");
        assert_eq!(ev_ctx(doc.clone(), "a:b", "r", &mine), Decision::Allowed);
        assert_eq!(ev_ctx(doc, "a:b", "r", &other), Decision::ImplicitDeny);

        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/EMRStudio-*"},
                          "StringNotEqualsIgnoreCase": {"aws:PrincipalAccount": "999999999999"},
                          "Bool": {"aws:ViaAWSService": false}}}]});
        let ctx = Context::new()
            .with(
                "aws:PrincipalArn",
                "arn:aws:iam::111122223333:role/EMRStudio-UserRole",
            )
            .with("aws:PrincipalAccount", ACCT)
            .with("aws:ViaAWSService", "FALSE");
        assert_eq!(ev_ctx(doc.clone(), "a:b", "r", &ctx), Decision::Allowed);
        let ctx = ctx.with("aws:PrincipalArn", "arn:aws:iam::111122223333:role/Other");
        assert_eq!(ev_ctx(doc, "a:b", "r", &ctx), Decision::ImplicitDeny);
    }

    #[test]
    fn string_like_and_ignore_case() {
        let cond = |op: &str, v: &str| {
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {op: {"aws:userid": v}}}]})
        };
        let ctx = Context::new().with("aws:userid", "AROAEXAMPLE:alice");
        assert!(ev_ctx(cond("StringLike", "AROA*:*"), "a:b", "r", &ctx).is_allowed());
        assert!(ev_ctx(cond("StringLike", "aroa*"), "a:b", "r", &ctx).is_denied());
        assert!(ev_ctx(cond("StringNotLike", "*:bob"), "a:b", "r", &ctx).is_allowed());
        assert!(
            ev_ctx(
                cond("StringEqualsIgnoreCase", "aroaexample:ALICE"),
                "a:b",
                "r",
                &ctx
            )
            .is_allowed()
        );
        assert!(ev_ctx(cond("StringEquals", "aroaexample:ALICE"), "a:b", "r", &ctx).is_denied());
        assert!(
            ev_ctx(
                cond("ArnNotLike", "arn:aws:iam::*:role/x"),
                "a:b",
                "r",
                &ctx
            )
            .is_allowed()
        );
    }

    #[test]
    fn undecided_conditions_name_the_statement() {
        let doc = json!({"Statement": [{"Sid": "Tagged", "Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/team": "data"}}}]});
        let d = ev(doc, "secretsmanager:CreateSecret", "r");
        let r = undecided(&d);
        assert!(
            r.contains("\"Tagged\"") && r.contains("aws:RequestTag/team"),
            "{r}"
        );

        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]});
        let ctx = Context::new().with("aws:SourceIp", "10.1.2.3");
        let d = ev_ctx(doc, "a:b", "r", &ctx);
        assert!(undecided(&d).contains("does not evaluate this operator"));
    }

    #[test]
    fn a_false_condition_beats_an_undecidable_one() {
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "999999999999", "aws:RequestTag/x": "y"}}}]});
        let ctx = Context::new().with("aws:PrincipalAccount", ACCT);
        assert_eq!(ev_ctx(doc, "a:b", "r", &ctx), Decision::ImplicitDeny);
    }

    #[test]
    fn a_deny_that_might_apply_makes_an_allow_undecided() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "OnlyFromVpc", "Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}}
        ]});
        let d = ev(doc.clone(), "a:b", "r");
        let r = undecided(&d);
        assert!(
            r.contains("Deny might apply") && r.contains("OnlyFromVpc"),
            "{r}"
        );
        // Decided either way once the key is known.
        let inside = Context::new().with("aws:SourceVpc", "vpc-1");
        assert_eq!(ev_ctx(doc.clone(), "a:b", "r", &inside), Decision::Allowed);
        let outside = Context::new().with("aws:SourceVpc", "vpc-2");
        assert!(matches!(
            ev_ctx(doc, "a:b", "r", &outside),
            Decision::ExplicitDeny { .. }
        ));
        // Without any Allow, a possible Deny changes nothing: not allowed.
        let only_deny = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
        assert_eq!(ev(only_deny, "a:b", "r"), Decision::ImplicitDeny);
    }

    #[test]
    fn if_exists_null_and_absent_keys() {
        let doc = |op: &str, v: Value| {
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {op: {"aws:SourceArn": v}}}]})
        };
        let absent = Context::new().with_values("aws:SourceArn", vec![]);
        let present = Context::new().with("aws:SourceArn", "arn:aws:x:r:1:y");
        assert!(
            ev_ctx(
                doc("ArnLikeIfExists", json!("arn:aws:z:*:*:*")),
                "a:b",
                "r",
                &absent
            )
            .is_allowed()
        );
        assert!(
            ev_ctx(
                doc("ArnLikeIfExists", json!("arn:aws:z:*:*:*")),
                "a:b",
                "r",
                &present
            )
            .is_denied()
        );
        assert!(
            ev_ctx(
                doc("ArnLike", json!("arn:aws:z:*:*:*")),
                "a:b",
                "r",
                &absent
            )
            .is_denied()
        );
        assert!(
            ev_ctx(
                doc("ArnNotLike", json!("arn:aws:z:*:*:*")),
                "a:b",
                "r",
                &absent
            )
            .is_allowed()
        );
        assert!(ev_ctx(doc("Null", json!("true")), "a:b", "r", &absent).is_allowed());
        assert!(ev_ctx(doc("Null", json!(false)), "a:b", "r", &present).is_allowed());
        assert!(ev_ctx(doc("Null", json!("true")), "a:b", "r", &present).is_denied());
        // Not known at all: undecidable, even with IfExists.
        let d = ev(doc("ArnLikeIfExists", json!("arn:aws:z:*:*:*")), "a:b", "r");
        assert!(undecided(&d).contains("aws:SourceArn"));
    }

    #[test]
    fn set_operators() {
        let doc = |op: &str| {
            json!({"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*",
                "Condition": {op: {"sts:RequestContextProviders": ["arn:aws:iam::aws:contextProvider/IdentityCenter"]}}}]})
        };
        let idc = Context::new().with_values(
            "sts:RequestContextProviders",
            vec!["arn:aws:iam::aws:contextProvider/IdentityCenter".into()],
        );
        let mixed = Context::new().with_values(
            "sts:RequestContextProviders",
            vec![
                "arn:aws:iam::aws:contextProvider/IdentityCenter".into(),
                "arn:aws:iam::aws:contextProvider/Other".into(),
            ],
        );
        let none = Context::new().with_values("sts:RequestContextProviders", vec![]);
        assert!(ev_ctx(doc("ForAllValues:ArnEquals"), "sts:SetContext", "r", &idc).is_allowed());
        assert!(ev_ctx(doc("ForAllValues:ArnEquals"), "sts:SetContext", "r", &mixed).is_denied());
        assert!(ev_ctx(doc("ForAllValues:ArnEquals"), "sts:SetContext", "r", &none).is_allowed());
        assert!(ev_ctx(doc("ForAnyValue:ArnEquals"), "sts:SetContext", "r", &mixed).is_allowed());
        assert!(ev_ctx(doc("ForAnyValue:ArnEquals"), "sts:SetContext", "r", &none).is_denied());
        assert!(
            ev_ctx(
                doc("ForAnyValue:ArnNotEquals"),
                "sts:SetContext",
                "r",
                &mixed
            )
            .is_allowed()
        );
        // Several values without a set operator: undecidable, not guessed.
        undecided(&ev_ctx(doc("ArnEquals"), "sts:SetContext", "r", &mixed));
    }

    #[test]
    fn policy_variables() {
        let doc = allow(
            json!("iam:PassRole"),
            json!("arn:aws:iam::${aws:PrincipalAccount}:role/EMR*"),
        );
        let ctx = Context::new().with("aws:PrincipalAccount", ACCT);
        let arn = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
        assert!(ev_ctx(doc.clone(), "iam:PassRole", arn, &ctx).is_allowed());
        assert!(
            ev_ctx(
                doc.clone(),
                "iam:PassRole",
                "arn:aws:iam::444455556666:role/EMRx",
                &ctx
            )
            .is_denied()
        );
        // Unknown variable: undecided when it could match, denied when it cannot.
        let d = ev(doc.clone(), "iam:PassRole", arn);
        assert!(undecided(&d).contains("${aws:PrincipalAccount}"));
        assert!(ev(doc, "iam:PassRole", "arn:aws:iam::1:role/Other").is_denied());
        let doc = allow(json!("s3:*"), json!("arn:aws:s3:::b/${aws:username}/*"));
        undecided(&ev(doc, "s3:GetObject", "arn:aws:s3:::b/alice/x"));
    }

    #[test]
    fn malformed_statements_are_undecided_not_allowed() {
        undecided(&ev(
            json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            "a:b",
            "r",
        ));
        undecided(&ev(
            json!({"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}),
            "a:b",
            "r",
        ));
        undecided(&ev(json!({"Version": "2012-10-17"}), "a:b", "r"));
        undecided(&ev(json!({"Statement": ["nope"]}), "a:b", "r"));
    }

    fn role(inline: Vec<Value>, boundary: Option<Fact<Policy>>) -> Role {
        Role {
            role_name: "R".into(),
            arn: "arn:aws:iam::111122223333:role/R".into(),
            trust_policy: json!({}),
            inline_policies: Fact::Known(
                inline
                    .into_iter()
                    .enumerate()
                    .map(|(i, document)| Policy {
                        name: format!("P{i}"),
                        document,
                    })
                    .collect(),
            ),
            attached_policies: Fact::Known(vec![]),
            permissions_boundary: boundary,
        }
    }

    #[test]
    fn role_policies_and_boundary() {
        let ctx = Context::new();
        let r = role(vec![allow(json!("athena:*"), json!("*"))], None);
        assert_eq!(
            evaluate_role(&r, "athena:GetWorkGroup", "x", &ctx),
            Ok(Decision::Allowed)
        );

        let boundary = |doc: Value| {
            Some(Fact::Known(Policy {
                name: "arn:aws:iam::111122223333:policy/Boundary".into(),
                document: doc,
            }))
        };
        let r = role(
            vec![allow(json!("*"), json!("*"))],
            boundary(allow(json!("athena:*"), json!("*"))),
        );
        assert_eq!(
            evaluate_role(&r, "athena:GetWorkGroup", "x", &ctx),
            Ok(Decision::Allowed)
        );
        assert_eq!(
            evaluate_role(&r, "iam:PassRole", "x", &ctx),
            Ok(Decision::OutsideBoundary {
                boundary: "arn:aws:iam::111122223333:policy/Boundary".into()
            })
        );
        // The boundary alone grants nothing.
        let r = role(vec![], boundary(allow(json!("*"), json!("*"))));
        assert_eq!(
            evaluate_role(&r, "athena:GetWorkGroup", "x", &ctx),
            Ok(Decision::ImplicitDeny)
        );
        // A Deny in the boundary is named as such.
        let r = role(
            vec![allow(json!("*"), json!("*"))],
            boundary(
                json!({"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
                                          {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ),
        );
        match evaluate_role(&r, "iam:PassRole", "x", &ctx).unwrap() {
            Decision::ExplicitDeny { statement } => {
                assert!(statement.contains("permissions boundary"))
            }
            d => panic!("{d:?}"),
        }
        // An undecidable boundary makes an allowed action undecided.
        let r = role(
            vec![allow(json!("*"), json!("*"))],
            boundary(
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestTag/x": "y"}}}]}),
            ),
        );
        assert!(
            undecided(&evaluate_role(&r, "a:b", "x", &ctx).unwrap())
                .contains("permissions boundary")
        );
    }

    #[test]
    fn unknown_role_facts_are_errors() {
        let u = Unknown::new(UnknownKind::AccessDenied, "iam:GetRolePolicy", "no");
        let mut r = role(vec![allow(json!("*"), json!("*"))], None);
        r.permissions_boundary = Some(Fact::Unknown(u.clone()));
        assert_eq!(
            evaluate_role(&r, "a:b", "x", &Context::new()),
            Err(u.clone())
        );
        let mut r = role(vec![allow(json!("*"), json!("*"))], None);
        r.attached_policies = Fact::Unknown(u.clone());
        assert_eq!(
            evaluate_role(&r, "a:b", "x", &Context::new()),
            Err(u.clone())
        );
        r.attached_policies = Fact::Known(vec![]);
        r.inline_policies = Fact::Unknown(u.clone());
        assert_eq!(evaluate_role(&r, "a:b", "x", &Context::new()), Err(u));
    }

    #[test]
    fn trust_policies() {
        const EMR: &str = "elasticmapreduce.amazonaws.com";
        let trust = |principal: Value, action: Value| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]});
        let ctx = Context::new();
        let t = trust(
            json!({"Service": EMR}),
            json!(["sts:AssumeRole", "sts:SetContext"]),
        );
        assert!(trust_allows(&t, EMR, "sts:AssumeRole", &ctx).is_allowed());
        assert!(trust_allows(&t, EMR, "sts:SetContext", &ctx).is_allowed());
        assert!(trust_allows(&t, "athena.amazonaws.com", "sts:AssumeRole", &ctx).is_denied());
        let t = trust(json!({"Service": EMR}), json!("sts:AssumeRole"));
        assert!(trust_allows(&t, EMR, "sts:SetContext", &ctx).is_denied());
        let t = trust(
            json!({"Service": ["ec2.amazonaws.com", EMR]}),
            json!("sts:*"),
        );
        assert!(trust_allows(&t, EMR, "sts:SetContext", &ctx).is_allowed());
        assert!(
            trust_allows(&trust(json!("*"), json!("*")), EMR, "sts:SetContext", &ctx).is_allowed()
        );
        assert!(
            trust_allows(
                &trust(json!({"AWS": "*"}), json!("sts:*")),
                EMR,
                "sts:AssumeRole",
                &ctx
            )
            .is_allowed()
        );
        let svc_role = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
        let t = trust(
            json!({"AWS": svc_role}),
            json!(["sts:AssumeRole", "sts:SetContext"]),
        );
        assert!(trust_allows(&t, EMR, "sts:SetContext", &ctx).is_denied());
        assert!(
            trust_allows_principal(&t, Principal::Aws(svc_role), "sts:SetContext", &ctx)
                .is_allowed()
        );
        // A Deny on the service wins; NotPrincipal excludes it.
        let t = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": EMR}, "Action": "sts:*"},
            {"Sid": "NoContext", "Effect": "Deny", "Principal": "*", "Action": "sts:SetContext"},
            {"Effect": "Deny", "NotPrincipal": {"Service": EMR}, "Action": "sts:AssumeRole"}
        ]});
        assert!(
            matches!(trust_allows(&t, EMR, "sts:SetContext", &ctx), Decision::ExplicitDeny { statement } if statement.contains("NoContext"))
        );
        assert!(trust_allows(&t, EMR, "sts:AssumeRole", &ctx).is_allowed());
    }

    #[test]
    fn trust_conditions() {
        const EMR: &str = "elasticmapreduce.amazonaws.com";
        let t = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": EMR}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCT},
                          "ArnLike": {"aws:SourceArn": "arn:aws:elasticmapreduce:ap-northeast-1:111122223333:*"}}}]});
        let studio = "arn:aws:elasticmapreduce:ap-northeast-1:111122223333:studio/es-1";
        let ctx = Context::new()
            .with("aws:SourceAccount", ACCT)
            .with("aws:SourceArn", studio);
        assert!(trust_allows(&t, EMR, "sts:AssumeRole", &ctx).is_allowed());
        let elsewhere = ctx.clone().with(
            "aws:SourceArn",
            "arn:aws:elasticmapreduce:us-east-1:111122223333:studio/es-1",
        );
        assert!(trust_allows(&t, EMR, "sts:AssumeRole", &elsewhere).is_denied());
        let no_arn = Context::new().with("aws:SourceAccount", ACCT);
        let d = trust_allows(&t, EMR, "sts:AssumeRole", &no_arn);
        assert!(undecided(&d).contains("aws:SourceArn"));
        // A trust statement without a Principal cannot be read as a grant.
        let t = json!({"Statement": [{"Effect": "Allow", "Action": "sts:SetContext", "Resource": "arn:aws:iam::1:role/x"}]});
        undecided(&trust_allows(&t, EMR, "sts:SetContext", &Context::new()));
    }

    #[test]
    fn fix_helpers() {
        let doc = allow_document(&[
            ("athena:GetWorkGroup", "arn:wg"),
            ("athena:ListWorkGroups", "*"),
            ("athena:StartQueryExecution", "arn:wg"),
            ("athena:GetWorkGroup", "arn:wg"),
        ]);
        assert_eq!(
            doc.to_string(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:GetWorkGroup","athena:StartQueryExecution"],"Resource":"arn:wg"},{"Effect":"Allow","Action":"athena:ListWorkGroups","Resource":"*"}]}"#
        );
        // The document grants what it says.
        assert!(
            evaluate(
                &[&doc],
                "athena:StartQueryExecution",
                "arn:wg",
                &Context::new()
            )
            .is_allowed()
        );
        let r = role(vec![json!({}), json!({})], None);
        assert_eq!(unused_policy_name(&r, "P0"), "P02");
        assert_eq!(unused_policy_name(&r, "StudioAthenaTip"), "StudioAthenaTip");
        assert_eq!(arn_account("arn:aws:iam::111122223333:role/x"), Some(ACCT));
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(arn_account("*"), None);
    }
}
