//! A small IAM policy evaluator: "may this role do this action on this resource?"
//! and "does this trust policy let this service assume the role?". Pure, no I/O.
//!
//! It handles what the Studio roles need: `Effect` Allow/Deny (explicit deny wins),
//! `Action`/`NotAction` (case-insensitive `*`/`?`), `Resource`/`NotResource`,
//! `Principal`/`NotPrincipal` in trust policies, policy variables it knows the
//! value of, and the common condition operators (`String*`, `Arn*`, `Bool`,
//! `Null`, with `...IfExists` and `ForAllValues:`/`ForAnyValue:`) on keys whose
//! values the caller passes in a [`Context`].
//!
//! Decisions taken from the IAM User Guide:
//! - ARN matching is case-sensitive in every segment, partition, service and
//!   region included ("Case-sensitive matching of the ARN", condition operators
//!   page); `arn:aws:IAM::...` does not match an IAM ARN.
//! - In `Resource`/`NotResource` a `*` or `?` stays inside its colon-separated
//!   segment, except a `*` that ends a segment: it "can expand to match beyond the
//!   colon boundaries" (Resource element page). So `arn:aws:athena:*` matches every
//!   Athena ARN. After the fifth colon (the resource part) wildcards match any
//!   character. ARN condition operators check the six segments one by one.
//! - A wildcard in the service segment ("You can't use a wildcard in the service
//!   segment") or in the resource type ("You cannot use a wildcard in the portion
//!   of the ARN that specifies the resource type", ARN page), for example
//!   `arn:aws:secretsmanager:*:*:s*:name`, is incorrect usage whose effect is not
//!   documented: a statement that matches only that way is undecided, never a
//!   match.
//! - Policy variables are substituted only in documents with `"Version":
//!   "2012-10-17"` (otherwise they "are treated as literal strings"), only after
//!   the fifth colon of a `Resource` ("You can't use a variable to replace parts of
//!   the ARN before the fifth colon"), and only in string and ARN conditions.
//!
//! What it cannot decide (another operator, a key not in the context, an unknown
//! policy variable, one of the incorrect forms above, a malformed statement) it
//! does not guess: an Allow that only matches through such a statement, or a
//! Deny that might apply through one, gives [`Decision::Undecided`] naming the
//! statement and the reason. We looked at the `iam-rs` crate (a complete engine)
//! but keep this one small so that undecidable conditions are reported, not
//! guessed. SCPs, session policies and resource policies are out of scope:
//! results are the identity-policy view.
//!
//! References:
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

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
/// A key with no values is known to be absent from the request. A key can also
/// be known only up to a few candidates (AWS does not document which one it
/// sends): a condition on it is decided only when every candidate decides it
/// the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, Vec<String>>,
    either: BTreeMap<String, (Vec<Vec<String>>, String)>,
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
        let key = key.to_ascii_lowercase();
        self.either.remove(&key);
        self.keys.insert(key, values);
        self
    }

    /// The key holds one of `candidates` (each a list of values; an empty list:
    /// absent), and `why` says why it is not known which (for messages).
    pub fn with_either(mut self, key: &str, candidates: Vec<Vec<String>>, why: &str) -> Self {
        let key = key.to_ascii_lowercase();
        self.keys.remove(&key);
        self.either.insert(key, (candidates, why.to_string()));
        self
    }

    /// The key's values; `None` when the key is not known (or only up to candidates).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.keys.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }

    fn candidates(&self, key: &str) -> Option<&(Vec<Vec<String>>, String)> {
        self.either.get(&key.to_ascii_lowercase())
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
        let vars = supports_variables(doc);
        for (label, st) in statements(name, doc) {
            if !st.is_object() {
                let why = format!("{label} cannot be read");
                maybe_allow.push(why.clone());
                maybe_deny.push(why);
                continue;
            }
            let effect = st.get("Effect").and_then(Value::as_str);
            match (effect, applies(st, r, vars)) {
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

/// Policy variables are substituted only under `"Version": "2012-10-17"`:
/// "If you don't include the Version element and set it to an appropriate version
/// date, variables like ${aws:username} are treated as literal strings".
fn supports_variables(doc: &Value) -> bool {
    doc.get("Version").and_then(Value::as_str) == Some("2012-10-17")
}

/// Does the statement apply? `vars`: substitute policy variables (see
/// [`supports_variables`]).
fn applies(st: &Value, r: &Request, vars: bool) -> Match {
    principal_part(st, r)
        .and(|| action_part(st, r))
        .and(|| resource_part(st, r, vars))
        .and(|| condition_part(st.get("Condition"), r.ctx, vars))
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

fn resource_part(st: &Value, r: &Request, vars: bool) -> Match {
    let Some(resource) = r.resource else {
        return Match::Yes;
    };
    let one = |p: &String| {
        if !vars {
            return resource_match(p, resource);
        }
        match substitute_resource(p, r.ctx) {
            Ok(p) => resource_match(&p, resource),
            Err((widened, var)) => resource_match(&widened, resource).and(|| {
                Match::Maybe(format!(
                    "its resource {p} uses the policy variable {var}, whose value is not known"
                ))
            }),
        }
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

/// Substitute policy variables in a `Resource` pattern, only after the fifth
/// colon: "You can use a policy variable in the Resource element, but only in the
/// resource portion of the ARN. This portion of the ARN appears after the fifth
/// colon (:)." Before it (or in a pattern with fewer colons) `${...}` is literal.
fn substitute_resource(p: &str, ctx: &Context) -> Result<String, (String, String)> {
    let Some((at, _)) = p.match_indices(':').nth(4) else {
        return Ok(p.to_string());
    };
    let (head, tail) = p.split_at(at + 1);
    substitute(tail, ctx)
        .map(|t| format!("{head}{t}"))
        .map_err(|(t, var)| (format!("{head}{t}"), var))
}

/// Replace `${key}` (or `${key, 'default'}`) with the context value. Err: the
/// pattern with every unknown variable widened to `*`, and the first unknown one.
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
        let (key, default) = match var[2..var.len() - 1].split_once(',') {
            Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\''))),
            None => (var[2..var.len() - 1].trim(), None),
        };
        match (ctx.get(key), default) {
            (Some([v]), _) => out.push_str(v),
            (Some([]), Some(d)) => out.push_str(d),
            _ if key == "$" => out.push('$'),
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

/// How one character of a `Resource` pattern matches.
#[derive(Clone, Copy)]
enum Tok {
    Lit(char),
    /// `?`; `colon`: it may match a colon.
    One {
        colon: bool,
    },
    /// `*`; `colon`: it may run over colons.
    Star {
        colon: bool,
    },
}

/// A `Resource` pattern as tokens. In the first five colon-separated segments a
/// `?` or `*` stays inside its segment, except a `*` that ends a segment (or the
/// pattern): "If the * wildcard is the last character of a resource ARN segment,
/// it can expand to match beyond the colon boundaries." After the fifth colon
/// (the resource part, which keeps its colons) both match any character.
fn tokens(pattern: &str) -> Vec<Tok> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut colons = 0;
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let resource = colons >= 5;
            match c {
                '*' => Tok::Star {
                    colon: resource || chars.get(i + 1).is_none_or(|n| *n == ':'),
                },
                '?' => Tok::One { colon: resource },
                ':' => {
                    colons += 1;
                    Tok::Lit(':')
                }
                c => Tok::Lit(c),
            }
        })
        .collect()
}

/// Case-sensitive glob match of tokens against a value.
fn glob(toks: &[Tok], value: &str) -> bool {
    let v: Vec<char> = value.chars().collect();
    let ok = |colon: bool, c: char| colon || c != ':';
    let mut dp = vec![false; v.len() + 1];
    dp[0] = true;
    for t in toks {
        let mut next = vec![false; v.len() + 1];
        for j in 0..=v.len() {
            next[j] = match *t {
                Tok::Star { colon } => dp[j] || (j > 0 && next[j - 1] && ok(colon, v[j - 1])),
                Tok::One { colon } => j > 0 && dp[j - 1] && ok(colon, v[j - 1]),
                Tok::Lit(c) => j > 0 && dp[j - 1] && v[j - 1] == c,
            };
        }
        dp = next;
    }
    dp[v.len()]
}

/// Does a `Resource` pattern match the requested resource? Case-sensitive (the
/// ARN operators are "Case-sensitive matching of the ARN"). A match through a
/// form the ARN documentation calls incorrect (a wildcard in the service
/// segment, or in the resource type) is not guessed about.
fn resource_match(pattern: &str, resource: &str) -> Match {
    if !glob(&tokens(pattern), resource) {
        return Match::No;
    }
    if !pattern.starts_with("arn:") || !wild(pattern) {
        return Match::Yes;
    }
    let segments: Vec<&str> = pattern.splitn(6, ':').collect();
    if segments.get(2).is_none_or(|s| wild(s)) {
        return Match::Maybe(format!(
            "its resource {pattern} has a wildcard in (or in place of) the service segment, which the IAM documentation does not allow (\"You can't use a wildcard in the service segment\"), so whether IAM matches it is not known"
        ));
    }
    if let (Some(part), Some(kind)) = (segments.get(5), resource_type(resource))
        && *part != "*"
        && wild(&part.chars().take(kind.chars().count()).collect::<String>())
    {
        return Match::Maybe(format!(
            "its resource {pattern} has a wildcard in the resource type ({kind}), which the ARN documentation calls incorrect usage, so whether IAM matches it is not known"
        ));
    }
    Match::Yes
}

fn wild(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The resource type of an ARN (`role` in `...:role/x`, `secret` in
/// `...:secret:x`, `catalog` in `...:catalog`); `None` where the resource part is
/// a plain name (S3 buckets and objects, SQS queues, SNS topics) or not an ARN.
fn resource_type(arn: &str) -> Option<&str> {
    let s: Vec<&str> = arn.splitn(6, ':').collect();
    if s.len() < 6 || s[0] != "arn" {
        return None;
    }
    if (s[2] == "s3" && s[3].is_empty() && s[4].is_empty()) || matches!(s[2], "sqs" | "sns") {
        return None;
    }
    s[5].split(['/', ':']).next()
}

/// ARN condition operators: "Each of the six colon-delimited components of the
/// ARN is checked separately" (case-sensitive). A pattern that starts like an
/// ARN but has fewer than six segments is not guessed about.
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

fn condition_part(cond: Option<&Value>, ctx: &Context, vars: bool) -> Match {
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
        all(keys, |(key, values)| condition(op, key, values, ctx, vars))
    })
}

/// One `op: {key: values}` test. A key known only up to candidates is decided
/// when every candidate gives the same answer.
fn condition(op_name: &str, key: &str, values: &Value, ctx: &Context, vars: bool) -> Match {
    let Some((candidates, why)) = ctx.candidates(key) else {
        return condition_known(op_name, key, values, ctx, vars);
    };
    let results: Vec<Match> = candidates
        .iter()
        .map(|c| {
            let known = ctx.clone().with_values(key, c.clone());
            condition_known(op_name, key, values, &known, vars)
        })
        .collect();
    if let Some(m) = results.iter().find(|m| matches!(m, Match::Maybe(_))) {
        return m.clone();
    }
    if results.iter().all(|m| *m == Match::Yes) {
        Match::Yes
    } else if results.iter().all(|m| *m == Match::No) {
        Match::No
    } else {
        Match::Maybe(format!(
            "condition {op_name} on {key} cannot be evaluated: {why}"
        ))
    }
}

fn condition_known(op_name: &str, key: &str, values: &Value, ctx: &Context, vars: bool) -> Match {
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
    // Variables work "in any condition that involves the string operators or the
    // ARN operators", not with Boolean ones.
    let mut wanted = Vec::new();
    for p in &policy {
        if !vars || base == "Bool" {
            wanted.push(p.clone());
            continue;
        }
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
        // A `*` inside a segment stays in it; one that ends a segment may run
        // over colons. IAM User Guide, Resource element: "If the * wildcard is the
        // last character of a resource ARN segment, it can expand to match beyond
        // the colon boundaries."
        let doc = allow(json!("iam:*"), json!("arn:aws:iam::1*2:role/x"));
        assert!(ev(doc.clone(), "iam:PassRole", "arn:aws:iam::1002:role/x").is_allowed());
        assert!(ev(doc, "iam:PassRole", "arn:aws:iam::1:2:role/x").is_denied());
        let doc = allow(json!("iam:*"), json!("arn:aws:iam::*:role/x"));
        assert!(ev(doc.clone(), "iam:PassRole", "arn:aws:iam::1:role/x").is_allowed());
        assert!(ev(doc, "iam:PassRole", "arn:aws:iam::1:2:role/x").is_allowed());
        // So a pattern with fewer segments is decided: the region's `*` spans
        // region and account.
        let doc = allow(json!("athena:*"), json!("arn:aws:athena:*:workgroup/x"));
        let wg = "arn:aws:athena:r:1:workgroup/x";
        assert!(ev(doc.clone(), "athena:GetWorkGroup", wg).is_allowed());
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
        // IAM User Guide, policy variables: "You can use a policy variable in the
        // Resource element, but only in the resource portion of the ARN. This
        // portion of the ARN appears after the fifth colon (:)."
        let doc = allow(json!("s3:*"), json!("arn:aws:s3:::b/${aws:username}/*"));
        let alice = Context::new().with("aws:username", "alice");
        assert!(
            ev_ctx(
                doc.clone(),
                "s3:GetObject",
                "arn:aws:s3:::b/alice/x",
                &alice
            )
            .is_allowed()
        );
        assert!(ev_ctx(doc.clone(), "s3:GetObject", "arn:aws:s3:::b/bob/x", &alice).is_denied());
        // Unknown variable: undecided when it could match, denied when it cannot.
        let d = ev(doc.clone(), "s3:GetObject", "arn:aws:s3:::b/alice/x");
        assert!(undecided(&d).contains("${aws:username}"), "{d:?}");
        assert!(ev(doc, "s3:GetObject", "arn:aws:s3:::other/alice/x").is_denied());
        // A default applies when the key is known to be absent.
        let doc = allow(
            json!("s3:*"),
            json!("arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*"),
        );
        let untagged = Context::new().with_values("aws:PrincipalTag/team", vec![]);
        assert!(ev_ctx(doc, "s3:GetObject", "arn:aws:s3:::b/shared/x", &untagged).is_allowed());
    }

    #[test]
    fn variables_before_the_fifth_colon_are_literal_text() {
        // "You can't use a variable to replace parts of the ARN before the fifth
        // colon, such as the service or account." (IAM User Guide, policy
        // variables): the statement does not match a real account.
        let ctx = Context::new().with("aws:PrincipalAccount", ACCT);
        let doc = allow(
            json!("glue:*"),
            json!("arn:aws:glue:*:${aws:PrincipalAccount}:catalog"),
        );
        let catalog = "arn:aws:glue:ap-northeast-1:111122223333:catalog";
        assert_eq!(
            ev_ctx(doc, "glue:GetTable", catalog, &ctx),
            Decision::ImplicitDeny
        );
        let doc = allow(
            json!("iam:PassRole"),
            json!("arn:aws:iam::${aws:PrincipalAccount}:role/EMR*"),
        );
        let role = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
        assert_eq!(
            ev_ctx(doc, "iam:PassRole", role, &ctx),
            Decision::ImplicitDeny
        );
        // A Deny written that way does not apply either.
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "glue:*", "Resource": "arn:aws:glue:*:${aws:PrincipalAccount}:*"}]});
        assert!(ev_ctx(doc, "glue:GetTable", catalog, &ctx).is_allowed());
    }

    #[test]
    fn without_version_2012_10_17_variables_are_literal_text() {
        // "If you don't include the Version element and set it to an appropriate
        // version date, variables like ${aws:username} are treated as literal
        // strings in the policy." (IAM User Guide, policy variables)
        let ctx = Context::new().with("aws:username", "alice");
        for version in [None, Some("2008-10-17")] {
            let mut doc = json!({"Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
                {"Effect": "Allow", "Action": "athena:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}}]});
            if let Some(v) = version {
                doc["Version"] = json!(v);
            }
            let literal = "arn:aws:s3:::b/${aws:username}/x";
            assert!(
                ev_ctx(doc.clone(), "s3:GetObject", "arn:aws:s3:::b/alice/x", &ctx).is_denied()
            );
            assert!(ev_ctx(doc.clone(), "s3:GetObject", literal, &ctx).is_allowed());
            let owner = ctx.clone().with("aws:PrincipalTag/owner", "alice");
            assert!(ev_ctx(doc.clone(), "athena:GetWorkGroup", "r", &owner).is_denied());
            let owner = ctx
                .clone()
                .with("aws:PrincipalTag/owner", "${aws:username}");
            assert!(ev_ctx(doc, "athena:GetWorkGroup", "r", &owner).is_allowed());
        }
        // And variables are never substituted in Boolean conditions: "You can't
        // use a policy variable with other operators, such as ... Boolean".
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
            "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "${aws:ViaAWSService}"}}}]});
        let ctx = Context::new()
            .with("aws:SecureTransport", "true")
            .with("aws:ViaAWSService", "true");
        assert!(ev_ctx(doc, "a:b", "r", &ctx).is_denied());
    }

    #[test]
    fn a_wildcard_in_the_resource_type_is_never_a_pass() {
        // IAM User Guide, ARNs: "You cannot use a wildcard in the portion of the
        // ARN that specifies the resource type, such as the term user in an IAM
        // ARN." It does not say what IAM does then: warn, naming the statement.
        let svc = "arn:aws:iam::111122223333:role/EMRStudio-ServiceRole";
        let secret = "arn:aws:secretsmanager:r:111122223333:secret:emr-studio-x";
        let cases = [
            (
                "iam:PassRole",
                "arn:aws:iam::*:*/EMRStudio-ServiceRole",
                svc,
            ),
            (
                "iam:PassRole",
                "arn:aws:iam::111122223333:r?le/EMRStudio-*",
                svc,
            ),
            (
                "secretsmanager:TagResource",
                "arn:aws:secretsmanager:*:*:s*:emr-studio-x",
                secret,
            ),
        ];
        for (action, pattern, arn) in cases {
            let doc = json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Odd", "Effect": "Allow", "Action": action, "Resource": pattern}]});
            let d = ev(doc, action, arn);
            let why = undecided(&d);
            assert!(
                why.contains("\"Odd\"") && why.contains("resource type"),
                "{why}"
            );
            // As a Deny it might apply, so an allowed action becomes undecided.
            let doc = json!({"Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "OddDeny", "Effect": "Deny", "Action": action, "Resource": pattern}]});
            assert!(undecided(&ev(doc, action, arn)).contains("OddDeny"));
        }
        // Wildcards after a literal type are fine, as in the documented
        // `arn:aws:athena:*:<account>:workgroup*`; so is a whole segment `*`.
        let wg = "arn:aws:athena:r:111122223333:workgroup/idc-wg";
        for pattern in [
            "arn:aws:athena:*:111122223333:workgroup*",
            "arn:aws:athena:*:*:*",
        ] {
            assert!(
                ev(
                    allow(json!("athena:*"), json!(pattern)),
                    "athena:GetWorkGroup",
                    wg
                )
                .is_allowed()
            );
        }
        // S3 bucket and object ARNs have no resource type.
        let doc = allow(json!("s3:*"), json!("arn:aws:s3:::*-results/*"));
        assert!(ev(doc, "s3:PutObject", "arn:aws:s3:::my-results/x").is_allowed());
    }

    #[test]
    fn short_arns_with_a_trailing_wildcard() {
        // "If the * wildcard is the last character of a resource ARN segment, it
        // can expand to match beyond the colon boundaries." (IAM User Guide,
        // Resource element)
        let wg = "arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg";
        let doc = allow(json!("athena:*"), json!("arn:aws:athena:*"));
        assert!(ev(doc.clone(), "athena:GetWorkGroup", wg).is_allowed());
        assert!(ev(doc, "glue:GetTable", "arn:aws:glue:r:1:catalog").is_denied());
        // In NotResource alike.
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:athena:*"}]});
        assert!(ev(doc.clone(), "athena:GetWorkGroup", wg).is_denied());
        assert!(ev(doc, "glue:GetTable", "arn:aws:glue:r:1:catalog").is_allowed());
        // `arn:aws:*` puts the wildcard in the service segment: "You can't use a
        // wildcard in the service segment that identifies the AWS product."
        for pattern in ["arn:aws:*", "arn:*", "arn:aws:a*:*"] {
            let doc = json!({"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": pattern}]});
            let d = ev(doc.clone(), "athena:GetWorkGroup", wg);
            assert!(
                undecided(&d).contains("service segment"),
                "{pattern}: {d:?}"
            );
            let not =
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": pattern}]});
            undecided(&ev(not, "athena:GetWorkGroup", wg));
        }
        // Another partition never matches.
        let doc = allow(json!("*"), json!("arn:aws:athena:*"));
        assert!(
            ev(
                doc,
                "athena:GetWorkGroup",
                "arn:aws-cn:athena:r:1:workgroup/x"
            )
            .is_denied()
        );
    }

    #[test]
    fn arn_matching_is_case_sensitive_in_every_segment() {
        // The decision recorded in the module doc: ARN operators are
        // "Case-sensitive matching of the ARN" (IAM User Guide, condition
        // operators), and so is Resource matching, partition, service and region
        // included. AWS's own ARNs use lower case there.
        let wg = "arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg";
        for pattern in [
            "arn:AWS:athena:ap-northeast-1:111122223333:workgroup/idc-wg",
            "arn:aws:Athena:ap-northeast-1:111122223333:workgroup/idc-wg",
            "arn:aws:athena:AP-NORTHEAST-1:111122223333:workgroup/idc-wg",
            "arn:aws:athena:ap-northeast-1:111122223333:workgroup/IDC-WG",
        ] {
            let doc = allow(json!("athena:*"), json!(pattern));
            assert_eq!(
                ev(doc, "athena:GetWorkGroup", wg),
                Decision::ImplicitDeny,
                "{pattern}"
            );
        }
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
