//! # ES005 studio-user-role-permissions
//!
//! **What it checks.** For every EMR Studio in scope that uses IAM Identity Center
//! authentication, the permissions of the Studio session allow what the Athena
//! SQL editor needs. A Studio session has the user role's inline and attached
//! policies (limited by its permissions boundary, if any), intersected with the
//! session policy of the user's session mapping. Needed:
//! - `athena:StartQueryExecution`, `GetQueryExecution`, `GetQueryResults`,
//!   `StopQueryExecution`, `GetWorkGroup` on each target workgroup
//!   (`arn:aws:athena:<region>:<account>:workgroup/<name>`; `workgroup/*` when no
//!   workgroup is selected), and `athena:ListWorkGroups` on `*`;
//! - `glue:GetDatabase`, `GetDatabases`, `GetTable`, `GetTables`, `GetPartitions`
//!   on the Glue Data Catalog resource and all its ancestors: each on
//!   `arn:aws:glue:<region>:<account>:catalog` and `database/<db>` of each
//!   `--table db.table`, the table actions also on `table/<db>/<table>`; without
//!   `--table`, on `database/*` and `table/*/*`;
//! - `lakeformation:GetDataAccess` on `*`;
//! - `secretsmanager:TagResource` on an `emr-studio-*` secret (checked on
//!   `arn:aws:secretsmanager:<region>:<account>:secret:emr-studio-example`, granted
//!   on `...:secret:emr-studio-*`);
//! - `iam:PassRole` on the Studio's service role, by its full ARN: DescribeStudio
//!   may give a bare role name, and a role under a path such as `/service-role/`
//!   has the path in its ARN, so the ARN comes from `iam:GetRole`. When the role
//!   cannot be read, a PassRole allowed on the ARN without a path is a warning.
//!
//! Session policies: with `--user`, the session mappings that apply to the user,
//! directly (`USER`) or through one of their groups (`GROUP`); when several apply,
//! each is judged and a mixed result is a warning (which one EMR Studio uses is
//! not documented). Without `--user`, every session mapping of the Studio (each
//! is somebody's session). With no session mapping, the user role alone.
//!
//! One result per Studio and `--user` lists every missing action and which
//! policy removed it: the user role's, or the session policy of which mapping.
//! Deny statements win. Service control policies and
//! resource policies are not included. A session policy that could not be read
//! is an error, never a pass.
//!
//! Which policy forms make the result a warning instead of a verdict: a
//! condition on a key studio-doctor does not know, an operator it does not
//! evaluate (`IpAddress`, `Numeric*`, `Date*`, ...), a policy variable whose value
//! is not known, a wildcard in the service or resource-type part of a `Resource`
//! ARN (`arn:aws:secretsmanager:*:*:s*:name`, which the IAM documentation calls
//! incorrect usage), and a malformed statement; the fix then keeps those conditions.
//! Policy variables count only under `"Version": "2012-10-17"` and after the fifth
//! colon of an ARN (elsewhere they are literal text, as IAM treats them). Keys
//! every request carries are evaluated: `aws:PrincipalArn`,
//! `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:ResourceAccount` (not for S3
//! buckets and objects) and `aws:RequestedRegion` (the target region; not for S3
//! buckets and objects); for `iam:PassRole` of the service role also
//! `iam:PassedToService` = `elasticmapreduce.amazonaws.com`, while
//! `aws:RequestedRegion` is decided only when the Studio's region and `us-east-1`
//! agree (AWS does not document which one a PassRole check sees).
//!
//! **Why it matters.** With trusted identity propagation the Studio runs Athena
//! queries with the user role's session, scoped to the Identity Center user.
//! Without these permissions the Athena SQL editor cannot list workgroups, start
//! queries or read the Glue catalog. Without `secretsmanager:TagResource` on
//! `emr-studio-*` and `iam:PassRole` on the service role, opening the Studio has
//! been observed to fail. A session policy without the Athena actions makes every
//! query of the users mapped to it fail while the user role looks complete.
//!
//! **How to fix.** For what the user role lacks: add an inline policy with
//! exactly the missing actions. Console: IAM → Roles → (the user role) → Add
//! permissions → Create inline policy → JSON, paste the document from the report.
//! CLI (the report fills in the role, the actions and the resources):
//! `aws iam put-role-policy --role-name <USER_ROLE> --policy-name StudioAthenaTip
//! --policy-document '{"Version":"2012-10-17","Statement":[...]}'`. The report
//! picks a policy name the role does not use yet (`StudioAthenaTip2`, ...), so the
//! command adds a policy and never replaces one. An explicit Deny must be removed
//! by hand; a permissions boundary must allow the actions too.
//! For what a session policy removes: a new default version of that policy with
//! its statements plus the missing actions (`aws iam create-policy-version
//! --policy-arn <SESSION_POLICY_ARN> --set-as-default --policy-document ...`;
//! IAM keeps at most five versions, delete an old one first if needed), or map
//! the users to another policy with `aws emr update-studio-session-mapping`. A
//! session policy that does not exist: `aws iam create-policy` with the report's
//! document, then `aws iam attach-role-policy` to the user role (ES009). An AWS
//! managed session policy cannot be changed: a customer managed copy with the
//! missing actions added, attached to the user role, and the mappings pointed at
//! it. The report's fix is one list of these steps.
//!
//! **Evidence.** Documented: the example user-role policy for Athena workgroups
//! (setting-up-tip-emr); "your permissions policy must include"
//! `secretsmanager:TagResource` and `iam:PassRole`, and the Athena SQL editor
//! column (emr-studio-user-permissions). The action list is the subset both
//! documents share; the resources are the narrowest ones they allow. Glue: "All
//! operations performed on a Data Catalog resource require permission on the
//! resource and all the ancestors of that resource" (Specifying AWS Glue resource
//! ARNs; Athena's Glue fine-grained access page says the same for every non-delete
//! action, naming the SHOW statements among them, so the list actions
//! are judged on the database and table the editor lists).
//! Session policies: CreateStudioSessionMapping "applies a session policy to
//! refine Studio permissions for that user or group", and a session's permissions
//! are the intersection of the role's identity-based policies and the session
//! policy (IAM, Session policies). PassRole: IAM matches the role's full ARN,
//! path included (IAM identifiers). Inferred, hence a warning at most: which
//! session policy applies when several mappings match one user.
//!
//! **References.**
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//! - https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html
//! - https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html
//! - https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html
//! - https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
//! - https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/put-role-policy.html
//! - https://docs.aws.amazon.com/cli/latest/reference/iam/create-policy-version.html

use crate::check::{Area, Meta, Need, Outcome, Remediation, Severity};
use crate::ctx::{Ctx, studio_label};
use crate::each::each_studio;
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{Policy, Role, SessionMapping, Studio, role_name};
use crate::fix::{Action, Kind};
use crate::fixes;
use crate::idc::{self, Who, scoped, user_label, who};
use crate::modes::IdentityType;
use crate::policy::{allow_document, arn_account};
use crate::review::{self, IfMissing, Review, RoleCheck, Want, glue_wants, workgroup_arns};
use crate::roles::{account_of, real_role_arn, role_arn, sso_user_role};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const META: Meta = Meta {
    id: "ES005",
    name: "studio-user-role-permissions",
    area: Area::EmrStudio,
    severity: Severity::Error,
    title: "Studio user role has the Athena SQL editor's permissions",
    depends_on: &["ES003"],
    hop: crate::check::Hop::UserRole,
    entitlement: false,
    fixes: &[
        ("iam:CreateRole", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Ready),
        ("iam:PutRolePolicy", Kind::Replaces),
        ("iam:CreatePolicyVersion", Kind::Replaces),
        ("iam:CreatePolicy", Kind::Ready),
        ("iam:AttachRolePolicy", Kind::Ready),
        ("iam:CreatePolicy", Kind::Replaces),
        ("iam:AttachRolePolicy", Kind::Replaces),
        ("emr:UpdateStudioSessionMapping", Kind::Replaces),
        ("emr:CreateStudio", Kind::Recreates),
        ("emr:DeleteStudio", Kind::Recreates),
    ],
    needs: &[
        Need::Caller,
        Need::Studios,
        Need::Workgroups,
        Need::UserRolePolicies,
        Need::SessionMappings,
        Need::SessionPolicies,
        Need::Users,
    ],
    docs: &[
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/setting-up-tip-emr.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-user-permissions.html",
        "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-studio-athena.html",
        "https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html",
    ],
};

const ATHENA_ON_WORKGROUP: [&str; 5] = [
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "athena:GetWorkGroup",
];

const GLUE_READ: [&str; 5] = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartitions",
];

const POLICY: &str = "StudioAthenaTip";
const PATH_UNKNOWN: &str = "the service role's path is not known";
const VIEW: &str = "identity-policy view: SCPs and resource policies are not included";
const SESSION_DOCS: [&str; 3] = [
    "https://docs.aws.amazon.com/emr/latest/APIReference/API_CreateStudioSessionMapping.html",
    "https://docs.aws.amazon.com/cli/latest/reference/iam/create-policy-version.html",
    "https://docs.aws.amazon.com/cli/latest/reference/emr/update-studio-session-mapping.html",
];

pub fn run(ctx: &Ctx) -> Vec<Outcome> {
    each_studio(ctx, |s| studio(ctx, s))
}

fn studio(ctx: &Ctx, s: &Studio) -> Vec<Outcome> {
    let user = match sso_user_role(ctx, s) {
        Ok(u) => u,
        Err(o) => return vec![*o],
    };
    let label = studio_label(s);
    let account = account_of(ctx, s.studio_arn.as_deref());
    let arn = role_arn(&account, user);
    let (wants, note, path_unknown) = wants(ctx, s, &account);
    let check = RoleCheck {
        owner: &label,
        kind: "user role",
        name: user,
        arn: &arn,
        policy: POLICY,
        docs: META.docs,
    };
    let missing = IfMissing {
        why: "NoSuchEntity",
        summary: format!(
            "Create the user role {} (see ES004), then grant it what the Athena SQL editor needs",
            role_name(user)
        ),
        trust: fixes::USER_ROLE_TRUST.to_string(),
    };
    let (role, mut review) = match check.review(ctx, &wants, missing) {
        Ok(x) => x,
        Err(o) => return vec![*o],
    };
    if let Some(why) = path_unknown {
        path_undecided(&wants, &mut review, &why);
    }
    let base = Base {
        ctx,
        label: &label,
        role,
        wants: &wants,
        review: &review,
        note: note.map(|n| format!(" ({n})")).unwrap_or_default(),
        check: &check,
    };
    who(ctx)
        .into_iter()
        .map(|w| {
            let scope = w.scope();
            scoped(base.judge(s, &w), scope)
        })
        .collect()
}

/// A PassRole the role's policies allow on an ARN whose path is not known is not
/// proven: the real ARN may carry a path the policy does not name.
fn path_undecided<'w>(wants: &'w [Want], review: &mut Review<'w>, why: &Unknown) {
    for w in wants.iter().filter(|w| w.action == "iam:PassRole") {
        let judged = review.missing.iter().any(|(m, _)| std::ptr::eq(*m, w))
            || review.undecided.iter().any(|(m, _)| std::ptr::eq(*m, w));
        if !judged {
            review.undecided.push((
                w,
                format!(
                    "{PATH_UNKNOWN} ({why}); a role under a path such as /service-role/ has it in its ARN"
                ),
            ));
        }
    }
}

/// The user role as judged once per Studio, shared by each user's outcome.
struct Base<'a> {
    ctx: &'a Ctx<'a>,
    label: &'a str,
    role: &'a Role,
    wants: &'a [Want],
    review: &'a Review<'a>,
    note: String,
    check: &'a RoleCheck<'a>,
}

/// What a session policy does to the user role's permissions.
enum Session<'w> {
    Judged(Review<'w>),
    /// IAM has no such policy.
    Gone,
    Unread(Unknown),
}

/// One session policy and the mappings that name it.
struct Mapped<'w> {
    arn: String,
    who: String,
    /// The mappings' `(IdentityType, IdentityId)`.
    identities: Vec<(IdentityType, String)>,
    session: Session<'w>,
}

impl Mapped<'_> {
    fn has_gaps(&self) -> bool {
        match &self.session {
            Session::Judged(r) => !r.missing.is_empty(),
            Session::Gone => true,
            Session::Unread(_) => false,
        }
    }

    fn is_clean(&self) -> bool {
        matches!(&self.session, Session::Judged(r) if r.is_clean())
    }
}

impl<'a> Base<'a> {
    /// The mappings that apply to `w`, and a note on how they were chosen.
    fn select<'m>(&self, maps: &'m [SessionMapping], w: &Who) -> (Vec<&'m SessionMapping>, String) {
        let with_policy = maps.iter().filter(|m| policy_of(m).is_some());
        match w {
            Who::Anyone => {
                let v: Vec<_> = with_policy.collect();
                let note = if v.is_empty() {
                    "; the Studio has no session mapping with a session policy, so only the user role's policies were judged (ES008 checks that users are assigned)".to_string()
                } else {
                    String::new()
                };
                (v, note)
            }
            Who::User(p) => {
                let v: Vec<_> = with_policy
                    .filter(|m| p.matches(&m.identity_type, &m.identity_id))
                    .collect();
                let note = if v.is_empty() {
                    format!(
                        "; no session mapping applies to {}, so only the user role's policies were judged (see ES008)",
                        user_label(p)
                    )
                } else {
                    String::new()
                };
                (v, note)
            }
            Who::Missing(n) | Who::Unread(n, _) => (
                with_policy.collect(),
                format!(
                    "; the groups of user \"{n}\" are not known (see IC003), so every session mapping was judged"
                ),
            ),
        }
    }

    fn judge(&self, s: &Studio, w: &Who) -> Outcome {
        let (maps, mut note) = match s.session_mappings.known() {
            Ok(m) => self.select(m, w),
            Err(u) => {
                let o = Outcome::unknown(
                    &self.role.arn,
                    &format!(
                        "the session mappings of {}, whose session policies limit the user role",
                        self.label
                    ),
                    u,
                );
                if self.review.missing.is_empty() {
                    return o;
                }
                (Vec::new(), format!("; {}", o.message))
            }
        };
        let mapped = self.sessions(&maps);
        let ambiguous = matches!(w, Who::User(_)) && mapped.len() > 1;
        if ambiguous && let Who::User(p) = w {
            note.push_str(&format!(
                "; {} session mappings apply to {}: which session policy EMR Studio uses then is not documented, so each was judged",
                mapped.len(),
                user_label(p)
            ));
        }
        let role = self.role;
        let r = self.review;
        let gaps: Vec<&Mapped> = mapped.iter().filter(|m| m.has_gaps()).collect();
        let undecided = !r.undecided.is_empty()
            || mapped
                .iter()
                .any(|m| matches!(&m.session, Session::Judged(x) if !x.undecided.is_empty()));
        let unread: Vec<(String, &Unknown)> = mapped
            .iter()
            .filter_map(|m| match &m.session {
                Session::Unread(u) => Some((
                    format!(
                        "session policy {} of the session mapping for {}",
                        m.arn, m.who
                    ),
                    u,
                )),
                _ => None,
            })
            .collect();
        let some_clean = mapped.iter().any(Mapped::is_clean);
        // Several mappings for one user, one of them complete: not proven to fail.
        let excused = ambiguous && some_clean;
        let fails = !r.missing.is_empty() || !(gaps.is_empty() || excused);
        let label = self.label;
        let tail = format!("{note}{} ({VIEW})", self.note);
        if !fails && gaps.is_empty() && !undecided {
            if let Some((what, u)) = unread.first() {
                let mut o = Outcome::unknown(&role.arn, what, u);
                o.message = format!("{label}: {}{tail}", o.message);
                return o;
            }
            let sessions = if mapped.is_empty() {
                String::new()
            } else {
                mapped
                    .iter()
                    .map(|m| {
                        format!(
                            "; session policy {} of the session mapping for {} allows them too",
                            m.arn, m.who
                        )
                    })
                    .collect::<String>()
            };
            return Outcome::pass(
                &role.arn,
                format!(
                    "{label}: user role {} allows the {} Athena, Glue, Lake Formation, Secrets Manager and iam:PassRole permissions the Athena SQL editor needs{sessions}{tail}",
                    role.arn,
                    self.wants.len()
                ),
            );
        }
        let mut parts = Vec::new();
        if !r.missing.is_empty() {
            parts.push(format!(
                "user role {} is missing {} permission(s) the Athena SQL editor needs: {}",
                role.arn,
                r.missing.len(),
                r.missing_list()
            ));
        }
        for m in &mapped {
            match &m.session {
                Session::Gone => parts.push(format!(
                    "session policy {} of the session mapping for {} does not exist in IAM, so the Studio session has none of the permissions the Athena SQL editor needs",
                    m.arn, m.who
                )),
                Session::Judged(x) if !x.missing.is_empty() => parts.push(format!(
                    "session policy {} of the session mapping for {} removes {} permission(s) the Athena SQL editor needs from the Studio session: {}",
                    m.arn,
                    m.who,
                    x.missing.len(),
                    x.missing_list()
                )),
                _ => {}
            }
        }
        let mut undecided_notes = Vec::new();
        if !r.undecided.is_empty() {
            undecided_notes.push(format!("user role {}: {}", role.arn, r.undecided_list()));
        }
        for m in &mapped {
            if let Session::Judged(x) = &m.session
                && !x.undecided.is_empty()
            {
                undecided_notes.push(format!("session policy {}: {}", m.arn, x.undecided_list()));
            }
        }
        let undecided_text = if undecided_notes.is_empty() {
            String::new()
        } else if parts.is_empty() {
            format!(
                "could not decide whether these are allowed: {}",
                undecided_notes.join("; ")
            )
        } else {
            format!("; undecided: {}", undecided_notes.join("; "))
        };
        let unread_text = unread
            .iter()
            .map(|(what, u)| format!("; could not read {what} ({u}), so it was not judged"))
            .collect::<String>();
        let message = format!(
            "{label}: {}{undecided_text}{unread_text}{tail}",
            parts.join("; ")
        );
        let fix = self.fix(s, &mapped);
        let o = if fails {
            Outcome::fail(&role.arn, message)
        } else {
            Outcome::warn(&role.arn, message)
        };
        o.fix(fix)
    }

    /// Each distinct session policy of `maps`, judged against the wants.
    fn sessions(&self, maps: &[&SessionMapping]) -> Vec<Mapped<'a>> {
        let mut by_policy: BTreeMap<&str, Vec<&SessionMapping>> = BTreeMap::new();
        for m in maps {
            if let Some(p) = policy_of(m) {
                by_policy.entry(p).or_default().push(m);
            }
        }
        by_policy
            .into_iter()
            .map(|(arn, ms)| Mapped {
                arn: arn.to_string(),
                who: idc::mapping_names(&ms),
                identities: ms
                    .iter()
                    .map(|m| (m.identity_type.clone(), m.identity_id.clone()))
                    .collect(),
                session: self.session(arn),
            })
            .collect()
    }

    fn session(&self, arn: &str) -> Session<'a> {
        let doc = match self.ctx.facts.session_policies.get(arn) {
            None => {
                return Session::Unread(Unknown::new(
                    UnknownKind::NotCollected,
                    "iam:GetPolicyVersion",
                    format!("the document of policy {arn} is not in the facts"),
                ));
            }
            Some(Fact::Unknown(u)) => return Session::Unread(u.clone()),
            Some(Fact::Known(None)) => return Session::Gone,
            Some(Fact::Known(Some(d))) => d,
        };
        // The session's permissions are the role's intersected with the session
        // policy: judge the policy alone, in the role's own request context.
        let alone = Role {
            role_name: self.role.role_name.clone(),
            arn: self.role.arn.clone(),
            trust_policy: Value::Null,
            inline_policies: Fact::Known(Vec::new()),
            attached_policies: Fact::Known(vec![Policy {
                name: arn.to_string(),
                document: doc.clone(),
            }]),
            permissions_boundary: None,
        };
        match review::review(self.ctx, &alone, self.wants) {
            Ok(r) => Session::Judged(r),
            Err(u) => Session::Unread(u),
        }
    }

    /// Grant what the role lacks, and extend each session policy that removes
    /// it: one fix, the actions of each part in order.
    fn fix(&self, s: &Studio, mapped: &[Mapped]) -> Remediation {
        let role = self.role;
        let r = self.review;
        let mut parts = Vec::new();
        let path_only = r.missing.is_empty()
            && r.undecided
                .iter()
                .all(|(w, why)| w.action == "iam:PassRole" && why.starts_with(PATH_UNKNOWN));
        if !r.is_clean() && path_only {
            // Granting the same ARN again would not help: the path must be known.
            parts.push(Remediation::new(
                format!(
                    "studio-doctor could not read the service role, so the path in its ARN is not known: make sure iam:PassRole in the policies of {} names the role's full ARN, path included (IAM → Roles → the service role shows it), or let studio-doctor read the role (iam:GetRole, see studio-doctor permissions) and run again",
                    role.role_name
                ),
                Vec::new(),
                &[],
            ));
        } else if !r.is_clean() {
            let summary = if r.missing.is_empty() {
                fixes::undecided_grant_summary(
                    &role.role_name,
                    "the Athena SQL editor fails with an access error naming these actions",
                )
            } else {
                r.summary(role)
            };
            parts.push(self.check.fix(role, r, summary));
        }
        for m in mapped {
            let f = match &m.session {
                Session::Gone => Some(create_session_policy(m, role, self.wants)),
                Session::Judged(x) if !x.is_clean() => self
                    .ctx
                    .facts
                    .session_policies
                    .get(&m.arn)
                    .and_then(|d| match d {
                        Fact::Known(Some(doc)) => {
                            Some(extend_session_policy(self.ctx, s, role, m, doc, x))
                        }
                        _ => None,
                    }),
                _ => None,
            };
            parts.extend(f);
        }
        review::merge(parts, ". Then: ")
    }
}

fn policy_of(m: &SessionMapping) -> Option<&str> {
    m.session_policy_arn.as_deref().filter(|p| !p.is_empty())
}

/// A new default version of the session policy: its statements plus an Allow of
/// what it removes.
/// An AWS managed policy cannot be changed: a copy of it, extended, attached to
/// the user role, and the mappings pointed at the copy.
fn extend_session_policy(
    ctx: &Ctx,
    s: &Studio,
    role: &Role,
    m: &Mapped,
    doc: &Value,
    x: &Review,
) -> Remediation {
    let grants: Vec<(&str, &str)> = x
        .all()
        .iter()
        .map(|w| (w.action, w.grant.as_str()))
        .collect();
    let added = allow_document(&grants);
    let mut statements: Vec<Value> = match &doc["Statement"] {
        Value::Array(v) => v.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    let had = statements.len();
    statements.extend(added["Statement"].as_array().cloned().unwrap_or_default());
    let version = doc.get("Version").cloned().unwrap_or(json!("2012-10-17"));
    let new_doc = json!({"Version": version, "Statement": statements});
    let name = m.arn.rsplit('/').next().unwrap_or(&m.arn);
    let kept = match had {
        1 => "the policy's one current statement".to_string(),
        n => format!("the policy's {n} current statements"),
    };
    let mut summary = format!(
        "Add what session policy {} removes as a new default version of it (used by {}; console: IAM → Policies → {name} → Edit → Save changes). IAM keeps at most five versions of a policy: if the command fails with LimitExceeded, delete an old non-default version first (aws iam delete-policy-version). Or point the mapping(s) at a policy that allows these with aws emr update-studio-session-mapping",
        m.arn, m.who
    );
    summary.push_str(&x.deny_note());
    if arn_account(&m.arn) != Some("aws") {
        return Remediation::new(
            summary,
            vec![Action::CreatePolicyVersion {
                policy_arn: m.arn.clone(),
                policy_document: new_doc,
                set_as_default: true,
            }],
            &SESSION_DOCS,
        )
        .replaces(format!(
            "{kept}, unchanged, before the added Allow; the earlier version stays as a non-default version"
        ));
    }
    let copy = format!("{name}-StudioSession");
    let copy_arn = format!("arn:aws:iam::{}:policy/{copy}", ctx.account());
    summary = format!(
        "{} is an AWS managed policy, which cannot be changed: create a customer managed policy {copy} with its statements plus what it removes, attach it to the user role {} (ES009), and point the session mapping(s) for {} at it{}",
        m.arn,
        role.role_name,
        m.who,
        summary
            .split_once("; an Allow")
            .map(|(_, d)| format!("; an Allow{d}"))
            .unwrap_or_default()
    );
    let mut actions = vec![
        Action::CreatePolicy {
            policy_name: copy,
            path: None,
            policy_document: new_doc,
        },
        Action::AttachRolePolicy {
            role_name: role.role_name.clone(),
            policy_arn: copy_arn.clone(),
        },
    ];
    actions.extend(
        m.identities
            .iter()
            .map(|(kind, id)| Action::UpdateStudioSessionMapping {
                region: ctx.region().to_string(),
                studio_id: s.studio_id.clone(),
                identity_type: kind.to_string(),
                identity_id: id.clone(),
                session_policy_arn: copy_arn.clone(),
            }),
    );
    Remediation::new(summary, actions, &SESSION_DOCS).replaces(format!(
        "the session mappings' users and groups; their new session policy holds {kept} of {} plus the added Allow",
        m.arn
    ))
}

/// Create the session policy a mapping names, allowing what the Athena SQL
/// editor needs, and attach it to the user role.
fn create_session_policy(m: &Mapped, role: &Role, wants: &[Want]) -> Remediation {
    let (path, name) = match m.arn.split_once(":policy/") {
        Some((_, rest)) => match rest.rsplit_once('/') {
            Some((path, name)) => (Some(format!("/{path}/")), name),
            None => (None, rest),
        },
        None => (None, m.arn.as_str()),
    };
    let grants: Vec<(&str, &str)> = wants.iter().map(|w| (w.action, w.grant.as_str())).collect();
    Remediation::new(
        format!(
            "Create the session policy {name} that the session mapping for {} names, allowing what the Athena SQL editor needs, and attach it to the user role {} (ES009); or point the mapping at an existing policy with aws emr update-studio-session-mapping",
            m.who, role.role_name
        ),
        vec![
            Action::CreatePolicy {
                policy_name: name.to_string(),
                path,
                policy_document: allow_document(&grants),
            },
            Action::AttachRolePolicy {
                role_name: role.role_name.clone(),
                policy_arn: m.arn.clone(),
            },
        ],
        &[
            "https://docs.aws.amazon.com/cli/latest/reference/iam/create-policy.html",
            SESSION_DOCS[0],
            SESSION_DOCS[2],
        ],
    )
}

/// Everything the user role needs, a note on how the targets were chosen, and
/// why the service role's path is not known (when it is not).
fn wants(ctx: &Ctx, s: &Studio, account: &str) -> (Vec<Want>, Option<String>, Option<Unknown>) {
    let region = ctx.region();
    let (workgroups, wg_note) = workgroup_arns(ctx, account);
    let mut v = Vec::new();
    for wg in &workgroups {
        for a in ATHENA_ON_WORKGROUP {
            v.push(Want::new(a, wg));
        }
    }
    v.push(Want::new("athena:ListWorkGroups", "*"));
    let (glue, glue_note) = glue_wants(ctx, account, &GLUE_READ);
    v.extend(glue);
    v.push(Want::new("lakeformation:GetDataAccess", "*"));
    let secrets = format!("arn:aws:secretsmanager:{region}:{account}:secret:emr-studio-");
    v.push(
        Want::new("secretsmanager:TagResource", &format!("{secrets}example"))
            .granting(format!("{secrets}*")),
    );
    let mut path_unknown = None;
    if let Some(svc) = s.service_role.as_deref().filter(|r| !r.is_empty()) {
        let (arn, why) = real_role_arn(ctx, account, svc);
        v.push(Want::new("iam:PassRole", &arn));
        path_unknown = why;
    }
    let notes: Vec<String> = wg_note.into_iter().chain(glue_note).collect();
    (
        v,
        (!notes.is_empty()).then(|| notes.join("; ")),
        path_unknown,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Status, Verdict};
    use crate::fact::Fact;
    use crate::facts::{Facts, Policy, Role, SessionMapping};
    use crate::scope::Scope;
    use crate::testkit::{
        denied, healthy, inline, json_arg, only, results, role, skipped, statements, studio,
        without_user,
    };
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:iam::111122223333:role/EMRStudio-UserRole";
    const USER_ROLE: &str = "EMRStudio-UserRole";
    const SESSION: &str = "arn:aws:iam::111122223333:policy/EMRStudio-SessionPolicy";
    const GLUE: &str = "arn:aws:glue:ap-northeast-1:111122223333";
    const ALICE: &str = "97a4f8e8-30c1-70d2-1a2b-3c4d5e6f7a8b";

    fn user_role(f: &mut Facts) -> &mut Role {
        role(f, USER_ROLE)
    }

    /// The session policy's document (the healthy account also attaches it to the
    /// user role, so both copies change together).
    fn session_doc(f: &Facts) -> Value {
        match &f.session_policies[SESSION] {
            Fact::Known(Some(d)) => d.clone(),
            _ => panic!("session policy unknown"),
        }
    }

    fn set_session_doc(f: &mut Facts, doc: Value) {
        if let Fact::Known(p) = &mut user_role(f).attached_policies {
            for p in p.iter_mut().filter(|p| p.name == SESSION) {
                p.document = doc.clone();
            }
        }
        f.session_policies
            .insert(SESSION.into(), Fact::Known(Some(doc)));
    }

    fn edit_session(f: &mut Facts, edit: impl Fn(&mut Vec<Value>)) {
        let mut doc = session_doc(f);
        edit(doc["Statement"].as_array_mut().unwrap());
        set_session_doc(f, doc);
    }

    /// Drop statements by Sid from the user role's inline policy and the session policy.
    fn drop_sids(f: &mut Facts, sids: &[&str]) {
        let keep = |s: &Value| !sids.contains(&s["Sid"].as_str().unwrap_or(""));
        statements(f, USER_ROLE).retain(keep);
        edit_session(f, |st| st.retain(keep));
    }

    fn tag_statement(f: &mut Facts) -> &mut Value {
        statements(f, USER_ROLE)
            .iter_mut()
            .find(|s| s["Sid"] == "TagStudioSecrets")
            .unwrap()
    }

    /// Apply every command of a fix to the facts: put-role-policy adds an inline
    /// policy, create-policy-version replaces the session policy's document,
    /// create-policy creates it.
    fn apply(f: &mut Facts, commands: &[String]) {
        for c in commands {
            if c.starts_with("aws iam attach-role-policy ") {
                continue;
            }
            let doc = json_arg(c, "--policy-document");
            if c.starts_with("aws iam put-role-policy --role-name EMRStudio-UserRole ") {
                let name = c.split("--policy-name ").nth(1).unwrap().split(' ').next();
                inline(f, USER_ROLE).push(Policy {
                    name: name.unwrap().into(),
                    document: doc,
                });
            } else if c.starts_with(&format!(
                "aws iam create-policy-version --policy-arn {SESSION} "
            )) {
                set_session_doc(f, doc);
            } else if c.starts_with("aws iam create-policy --policy-name ") {
                f.session_policies
                    .insert(SESSION.into(), Fact::Known(Some(doc)));
                f.managed_policies.insert(SESSION.into(), Fact::Known(true));
            } else {
                panic!("unexpected fix command {c}");
            }
        }
    }

    #[test]
    fn passes_on_healthy() {
        let r = only("ES005", &healthy());
        assert_eq!(r.status, Status::Pass, "{r:#?}");
        assert!(r.message.contains(ARN) && r.message.contains("identity-policy view"));
        assert!(
            r.message.contains(&format!(
                "; session policy {SESSION} of the session mapping for GROUP analysts"
            )),
            "{}",
            r.message
        );
    }

    #[test]
    fn fails_without_tagging_and_passrole_and_the_fix_grants_exactly_what_is_missing() {
        let mut f = healthy();
        drop_sids(&mut f, &["TagStudioSecrets", "PassServiceRole"]);
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains("missing 2 permission(s)"),
            "{}",
            r.message
        );
        assert!(r.message.contains(
            "secretsmanager:TagResource on arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-example"
        ));
        assert!(
            r.message
                .contains("iam:PassRole on arn:aws:iam::111122223333:role/EMRStudio-ServiceRole")
        );
        let fix = r.remediation.unwrap();
        let cmd = &fix.commands[0];
        // StudioAthenaTip is taken: a new name, so nothing is replaced.
        assert!(cmd.starts_with(
            "aws iam put-role-policy --role-name EMRStudio-UserRole --policy-name StudioAthenaTip2 "
        ), "{cmd}");
        let doc = json_arg(cmd, "--policy-document");
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:emr-studio-*"
        );
        // The session policy lacks them too: a new version of it, after the role's grant.
        assert!(fix.commands[1].starts_with(&format!(
            "aws iam create-policy-version --policy-arn {SESSION} --set-as-default --policy-document '"
        )));
        // One fix: the new version replaces the session policy's default one,
        // keeping its statements.
        assert_eq!(fix.actions.len(), 2);
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
        let kept = fix.applicability.kept.as_deref().unwrap();
        assert!(kept.contains("current statement"), "{kept}");
        // Applying the fix makes the check pass.
        apply(&mut f, &fix.commands);
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn athena_is_checked_on_the_target_workgroup() {
        let mut f = healthy();
        match &mut user_role(&mut f).attached_policies {
            Fact::Known(p) => p.clear(),
            Fact::Unknown(_) => panic!(),
        }
        statements(&mut f, USER_ROLE)[0]["Resource"] =
            json!("arn:aws:athena:ap-northeast-1:111122223333:workgroup/primary");
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains(
            "athena:StartQueryExecution on arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg"
        ), "{}", r.message);
        assert!(r.message.contains("athena:ListWorkGroups on *"));
        assert!(!r.message.contains("glue:"));
    }

    /// The user role's and the session policy's Glue statements name `resources`.
    fn glue_on(f: &mut Facts, resources: Value) {
        for s in statements(f, USER_ROLE).iter_mut() {
            if s["Sid"] == "GlueRead" {
                s["Resource"] = resources.clone();
            }
        }
        edit_session(f, |st| {
            st[0]["Action"] = json!(["athena:*", "lakeformation:GetDataAccess"]);
            st.push(json!({"Sid": "Glue", "Effect": "Allow", "Action": "glue:Get*", "Resource": resources.clone()}));
        });
    }

    #[test]
    fn glue_needs_the_database_and_the_table_not_only_the_catalog() {
        let mut f = healthy();
        glue_on(&mut f, json!(format!("{GLUE}:catalog")));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains(&format!(
                "glue:GetTable on {GLUE}:table/flightdata_db/flightdata (not allowed by any statement)"
            )),
            "{}",
            r.message
        );
        assert!(r.message.contains(&format!(
            "glue:GetDatabase on {GLUE}:database/flightdata_db"
        )));
        assert!(
            !r.message
                .contains("glue:GetDatabase on arn:aws:glue:ap-northeast-1:111122223333:table/")
        );
        assert!(
            r.message.contains("removes"),
            "the session policy too: {}",
            r.message
        );
        let fix = r.remediation.unwrap();
        let doc = json_arg(&fix.commands[0], "--policy-document");
        let resources: Vec<&str> = doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Resource"].as_str().unwrap())
            .collect();
        assert_eq!(
            resources,
            [
                format!("{GLUE}:database/flightdata_db"),
                format!("{GLUE}:table/flightdata_db/flightdata")
            ]
        );
        apply(&mut f, &fix.commands);
        assert_eq!(only("ES005", &f).status, Status::Pass);

        // Catalog, database and table named exactly: allowed.
        let mut f = healthy();
        glue_on(
            &mut f,
            json!([
                format!("{GLUE}:catalog"),
                format!("{GLUE}:database/flightdata_db"),
                format!("{GLUE}:table/flightdata_db/flightdata")
            ]),
        );
        assert_eq!(only("ES005", &f).status, Status::Pass);
        // Without --table every database and table is needed.
        f.target.tables.clear();
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains(&format!("glue:GetTable on {GLUE}:table/*/*"))
        );
        assert!(r.message.contains("no --table names a table"));
    }

    #[test]
    fn a_session_policy_without_athena_fails_naming_the_mapping() {
        let mut f = healthy();
        edit_session(&mut f, |st| {
            st[0]["Action"] = json!(["glue:Get*", "lakeformation:GetDataAccess"]);
        });
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains(&format!(
            "session policy {SESSION} of the session mapping for GROUP analysts (e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f) removes 6 permission(s)"
        )), "{}", r.message);
        assert!(r.message.contains(
            "athena:StartQueryExecution on arn:aws:athena:ap-northeast-1:111122223333:workgroup/idc-wg (not allowed by any statement)"
        ));
        assert!(
            !r.message
                .contains("user role arn:aws:iam::111122223333:role/EMRStudio-UserRole is missing")
        );
        assert!(r.scopes.contains(&Scope::user("alice")), "{:?}", r.scopes);
        let fix = r.remediation.unwrap();
        assert_eq!(fix.commands.len(), 1);
        assert!(
            fix.summary.contains("new default version")
                && fix.summary.contains("update-studio-session-mapping")
        );
        let doc = json_arg(&fix.commands[0], "--policy-document");
        assert_eq!(
            doc["Statement"][0]["Sid"], "AthenaSqlEditor",
            "keeps what it had"
        );
        apply(&mut f, &fix.commands);
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn an_aws_managed_session_policy_is_copied_not_changed() {
        let mut f = healthy();
        let managed = "arn:aws:iam::aws:policy/AmazonAthenaFullAccess";
        f.session_policies.insert(
            managed.into(),
            Fact::Known(Some(json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:GetDataAccess"], "Resource": "*"}]}))),
        );
        if let Fact::Known(m) = &mut studio(&mut f).session_mappings {
            m[0].session_policy_arn = Some(managed.into());
        }
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        let fix = r.remediation.unwrap();
        assert!(
            fix.summary
                .contains("AWS managed policy, which cannot be changed")
        );
        let copy = "arn:aws:iam::111122223333:policy/AmazonAthenaFullAccess-StudioSession";
        assert!(fix.commands[0].starts_with(
            "aws iam create-policy --policy-name AmazonAthenaFullAccess-StudioSession --policy-document '"
        ));
        assert_eq!(
            fix.commands[1],
            format!(
                "aws iam attach-role-policy --role-name EMRStudio-UserRole --policy-arn {copy}"
            )
        );
        assert_eq!(fix.applicability.kind, crate::fix::Kind::Replaces);
        assert_eq!(
            fix.commands[2],
            format!(
                "aws emr update-studio-session-mapping --region ap-northeast-1 --studio-id es-D1A2B3C4D5E6F7A8B9C0D1E2F --identity-type GROUP --identity-id e7b4d8a8-6041-7011-9c2d-0a1b2c3d4e5f --session-policy-arn {copy}"
            )
        );
        // Applied: the copy exists and the mapping names it.
        let doc = json_arg(&fix.commands[0], "--policy-document");
        f.session_policies
            .insert(copy.into(), Fact::Known(Some(doc)));
        if let Fact::Known(m) = &mut studio(&mut f).session_mappings {
            m[0].session_policy_arn = Some(copy.into());
        }
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn a_deny_in_the_session_policy_is_named() {
        let mut f = healthy();
        edit_session(&mut f, |st| {
            st.push(json!({"Sid": "NoPass", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}))
        });
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message
                .contains("explicitly denied by statement \"NoPass\""),
            "{}",
            r.message
        );
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("remove or narrow statement \"NoPass\"")
        );
    }

    /// A second session policy, mapped to `kind` `id`, that allows only Glue.
    fn narrow_mapping(f: &mut Facts, kind: &str, id: &str) -> &'static str {
        let narrow = "arn:aws:iam::111122223333:policy/GlueOnly";
        f.session_policies.insert(
            narrow.into(),
            Fact::Known(Some(
                json!({"Statement": [{"Effect": "Allow", "Action": "glue:*", "Resource": "*"}]}),
            )),
        );
        if let Fact::Known(m) = &mut studio(f).session_mappings {
            m.push(SessionMapping {
                identity_id: id.into(),
                identity_name: None,
                identity_type: kind.into(),
                session_policy_arn: Some(narrow.into()),
            });
        }
        narrow
    }

    #[test]
    fn with_user_only_the_mappings_that_apply_count() {
        // A group alice is not in: not hers.
        let mut f = healthy();
        narrow_mapping(&mut f, "GROUP", "other-group");
        assert_eq!(only("ES005", &f).status, Status::Pass);
        // Without --user every mapping is someone's: it fails.
        without_user(&mut f);
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message
                .contains("GlueOnly of the session mapping for GROUP other-group")
        );
        assert!(r.scopes.iter().all(|s| !matches!(s, Scope::User(_))));

        // Her own mapping next to her group's: which one applies is not documented.
        let mut f = healthy();
        narrow_mapping(&mut f, "USER", ALICE);
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(
            r.message
                .contains("2 session mappings apply to user \"alice\"")
        );
        // Her only mapping: it fails.
        if let Fact::Known(m) = &mut studio(&mut f).session_mappings {
            m.retain(|m| m.identity_type == IdentityType::User);
        }
        assert_eq!(only("ES005", &f).status, Status::Fail);
        // No mapping applies to her: the role alone is judged.
        if let Fact::Known(m) = &mut studio(&mut f).session_mappings {
            m.clear();
        }
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Pass);
        assert!(
            r.message
                .contains("no session mapping applies to user \"alice\"")
        );
    }

    #[test]
    fn a_session_policy_that_does_not_exist_fails_and_the_fix_creates_it() {
        let mut f = healthy();
        f.session_policies.insert(SESSION.into(), Fact::Known(None));
        f.managed_policies
            .insert(SESSION.into(), Fact::Known(false));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(r.message.contains("does not exist in IAM"));
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].starts_with(
            "aws iam create-policy --policy-name EMRStudio-SessionPolicy --policy-document '"
        ));
        apply(&mut f, &fix.commands);
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn an_unread_session_policy_is_an_error_not_a_pass() {
        let mut f = healthy();
        f.session_policies.insert(
            SESSION.into(),
            Fact::Unknown(denied("iam:GetPolicyVersion")),
        );
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Error, "{r:#?}");
        assert!(r.message.contains("iam:GetPolicyVersion") && r.message.contains(SESSION));
        // A facts file saved before the documents were collected.
        f.session_policies.clear();
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("not collected"), "{}", r.message);
        // Session mappings unreadable.
        let mut f = healthy();
        studio(&mut f).session_mappings =
            Fact::Unknown(denied("elasticmapreduce:ListStudioSessionMappings"));
        assert_eq!(only("ES005", &f).status, Status::Error);
    }

    /// The service role lives under /service-role/; DescribeStudio gives its bare name.
    fn service_role_under_a_path(f: &mut Facts) {
        role(f, "EMRStudio-ServiceRole").arn =
            "arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole".into();
        studio(f).service_role = Some("EMRStudio-ServiceRole".into());
    }

    #[test]
    fn pass_role_is_judged_on_the_service_roles_real_path() {
        let mut f = healthy();
        service_role_under_a_path(&mut f);
        // The policies name the ARN without the path: IAM does not match it.
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail, "{r:#?}");
        assert!(
            r.message.contains(
                "iam:PassRole on arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole"
            ),
            "{}",
            r.message
        );
        let fix = r.remediation.unwrap();
        assert!(fix.commands[0].contains(
            "\"Resource\":\"arn:aws:iam::111122223333:role/service-role/EMRStudio-ServiceRole\""
        ));
        apply(&mut f, &fix.commands);
        assert_eq!(only("ES005", &f).status, Status::Pass);

        // The role could not be read: a PassRole on the path-less ARN is not proven.
        let mut f = healthy();
        studio(&mut f).service_role = Some("EMRStudio-ServiceRole".into());
        f.roles.insert(
            "EMRStudio-ServiceRole".into(),
            Fact::Unknown(denied("iam:GetRole")),
        );
        let out = run(&Ctx::new(&f));
        assert_eq!(out[0].verdict, Verdict::Warn, "{out:#?}");
        assert!(out[0].message.contains("path is not known"));
        let fix = out[0].fix.as_ref().unwrap();
        assert!(fix.commands.is_empty() && fix.summary.contains("full ARN, path included"));
    }

    #[test]
    fn names_an_explicit_deny_and_a_boundary() {
        let mut f = healthy();
        statements(&mut f, USER_ROLE).push(json!({"Sid": "NoPassRole", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.message.contains(
                "explicitly denied by statement \"NoPassRole\" in policy StudioAthenaTip"
            )
        );
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("remove or narrow statement \"NoPassRole\"")
        );

        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Known(Policy {
            name: "arn:aws:iam::111122223333:policy/DataBoundary".into(),
            document: json!({"Statement": [{"Effect": "Allow", "Action": ["athena:*", "glue:*"], "Resource": "*"}]}),
        }));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        assert!(r.message.contains("lakeformation:GetDataAccess on * (allowed by the role's policies but not by its permissions boundary"));
        assert!(
            r.remediation
                .unwrap()
                .summary
                .contains("DataBoundary must allow")
        );
    }

    #[test]
    fn warns_on_conditions_it_cannot_evaluate() {
        let mut f = healthy();
        drop_sids(&mut f, &["PassServiceRole", "TagStudioSecrets"]);
        let tag = |cond: Value| json!({"Sid": "TagStudioSecrets", "Effect": "Allow", "Action": ["secretsmanager:TagResource", "iam:PassRole"], "Resource": "*", "Condition": cond});
        let unknown = tag(
            json!({"StringEquals": {"aws:RequestTag/for-use-with-amazon-emr-managed-policies": "true"}}),
        );
        statements(&mut f, USER_ROLE).push(unknown.clone());
        edit_session(&mut f, |st| st.push(unknown.clone()));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Warn, "{r:#?}");
        assert!(r.message.contains("secretsmanager:TagResource"));
        assert!(
            r.message.contains("\"TagStudioSecrets\"") && r.message.contains("aws:RequestTag/")
        );
        assert!(r.remediation.is_some());
        // A condition on a key studio-doctor knows is decided.
        let known = tag(json!({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}));
        *tag_statement(&mut f) = known.clone();
        edit_session(&mut f, |st| *st.last_mut().unwrap() = known.clone());
        assert_eq!(only("ES005", &f).status, Status::Pass);
    }

    #[test]
    fn a_missing_role_fails_with_create_and_grant() {
        let mut f = healthy();
        f.roles.insert(USER_ROLE.into(), Fact::Known(None));
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Fail);
        let c = r.remediation.unwrap().commands;
        assert!(c[0].starts_with("aws iam create-role --role-name EMRStudio-UserRole"));
        assert!(c[1].contains("--policy-name StudioAthenaTip ") && c[1].contains("iam:PassRole"));
    }

    #[test]
    fn skips_when_es003_fails() {
        let mut f = healthy();
        studio(&mut f).user_role = None;
        skipped("ES005", &f, "ES003");
    }

    #[test]
    fn unreadable_policies_are_an_error() {
        let u = denied("iam:ListAttachedRolePolicies");
        let mut f = healthy();
        user_role(&mut f).attached_policies = Fact::Unknown(u.clone());
        let r = only("ES005", &f);
        assert_eq!(r.status, Status::Error);
        assert!(r.message.contains("iam:ListAttachedRolePolicies") && r.message.contains(ARN));
        let mut f = healthy();
        user_role(&mut f).permissions_boundary = Some(Fact::Unknown(u));
        assert_eq!(run(&Ctx::new(&f))[0].verdict, Verdict::Error);
        assert_eq!(results("ES005", &f).len(), 1);
    }
}
