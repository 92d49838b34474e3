//! What a check sees: the facts, plus the target selection every check shares.

use crate::check::Outcome;
use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{
    AccessGrant, Application, Assignment, Facts, IdcGroup, IdcInstance, Role, Studio, UserFacts,
    WorkGroup, role_name,
};
use crate::modes::{AuthMode, IdentityType, InstanceStatus};
use crate::scope::Scope;

pub struct Ctx<'a> {
    pub facts: &'a Facts,
}

/// A user's Identity Center principals: their id and their groups' ids.
pub struct Principals<'a> {
    pub user_name: &'a str,
    pub user_id: &'a str,
    pub groups: &'a [IdcGroup],
}

impl Principals<'_> {
    /// True when `id` of `kind` (`USER` / `GROUP`) is this user or one of their groups.
    pub fn matches(&self, kind: &IdentityType, id: &str) -> bool {
        match kind {
            IdentityType::User => id == self.user_id,
            IdentityType::Group => self.groups.iter().any(|g| g.group_id == id),
            IdentityType::Other(_) => false,
        }
    }

    /// True when an S3 Access Grants grant's grantee is this user or one of their groups.
    pub fn matches_grantee(&self, g: &AccessGrant) -> bool {
        g.grantee_type
            .identity()
            .is_some_and(|kind| self.matches(&kind, &g.grantee_identifier))
    }

    /// The display name of a group id, or the id.
    pub fn group_name<'b>(&'b self, id: &'b str) -> &'b str {
        self.groups
            .iter()
            .find(|g| g.group_id == id)
            .and_then(|g| g.display_name.as_deref())
            .unwrap_or(id)
    }
}

impl<'a> Ctx<'a> {
    pub fn new(facts: &'a Facts) -> Self {
        Ctx { facts }
    }

    pub fn region(&self) -> &str {
        &self.facts.target.region
    }

    /// The account id, or a placeholder for fix commands when it is unknown.
    pub fn account(&self) -> &str {
        match &self.facts.caller {
            Fact::Known(c) => &c.account_id,
            Fact::Unknown(_) => "<ACCOUNT_ID>",
        }
    }

    /// The Studios this run checks: the one named by `--studio` (id or name);
    /// else the Studios with Identity Center authentication (and any whose mode is
    /// not known) when the region has one, or every Studio when it has none.
    pub fn studios(&self) -> Result<Vec<&'a Studio>, &'a Unknown> {
        let all = self.facts.studios.known()?;
        let sso = |s: &Studio| s.auth_mode == Some(AuthMode::Sso);
        let mut v: Vec<&Studio> = match &self.facts.target.studio {
            Some(sel) => all
                .iter()
                .filter(|s| &s.studio_id == sel || &s.name == sel)
                .collect(),
            None if all.iter().any(sso) => all
                .iter()
                .filter(|s| sso(s) || s.auth_mode.is_none())
                .collect(),
            None => all.iter().collect(),
        };
        v.sort_by(|a, b| a.name.cmp(&b.name).then(a.studio_id.cmp(&b.studio_id)));
        Ok(v)
    }

    /// Studios that use Identity Center authentication.
    pub fn sso_studios(&self) -> Result<Vec<&'a Studio>, &'a Unknown> {
        Ok(self
            .studios()?
            .into_iter()
            .filter(|s| s.auth_mode == Some(AuthMode::Sso))
            .collect())
    }

    /// Every workgroup in the region, sorted by name.
    pub fn all_workgroups(&self) -> Result<Vec<&'a WorkGroup>, &'a Unknown> {
        let mut v: Vec<&WorkGroup> = self.facts.workgroups.known()?.iter().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// The workgroups this run targets: the one named by `--workgroup` (whatever its
    /// authentication), or every Identity-Center-enabled one (and every one that
    /// could not be read, whose authentication is then not known).
    pub fn target_workgroups(&self) -> Result<Vec<&'a WorkGroup>, &'a Unknown> {
        let all = self.all_workgroups()?;
        Ok(match &self.facts.target.workgroup {
            Some(sel) => all.into_iter().filter(|w| &w.name == sel).collect(),
            None => all.into_iter().filter(|w| maybe_idc(w)).collect(),
        })
    }

    /// The Identity-Center-enabled target workgroups: what the checks of an
    /// Identity Center workgroup's settings judge (with the unreadable ones that
    /// may be such, so that they end in `error`). A regular workgroup named by
    /// `--workgroup` is judged by WG001, WG002 and WG003 only.
    pub fn workgroups(&self) -> Result<Vec<&'a WorkGroup>, &'a Unknown> {
        Ok(self
            .target_workgroups()?
            .into_iter()
            .filter(|w| maybe_idc(w))
            .collect())
    }

    /// An IAM role by name or ARN. `Ok(None)`: IAM says it does not exist.
    pub fn role(&self, name_or_arn: &str) -> Result<Option<&'a Role>, Unknown> {
        match self.facts.role(name_or_arn) {
            Some(Fact::Known(r)) => Ok(r.as_ref()),
            Some(Fact::Unknown(u)) => Err(u.clone()),
            None => Err(Unknown::new(
                UnknownKind::NotCollected,
                "iam:GetRole",
                format!("role {} is not in the facts", role_name(name_or_arn)),
            )),
        }
    }

    /// The Identity Center instances the components in scope name (Studios with
    /// Identity Center authentication, Identity Center workgroups, the Lake
    /// Formation configuration, the S3 Access Grants instance), and the facts
    /// that could not be read.
    pub fn idc_components(&self) -> (Vec<IdcComponent<'a>>, Vec<Unread<'a>>) {
        let mut parts = Vec::new();
        let mut unknowns = Vec::new();
        let named = |a: &'a Option<String>| a.as_deref().filter(|a| !a.is_empty());
        match self.sso_studios() {
            Ok(ss) => parts.extend(ss.into_iter().filter_map(|s| {
                if let Some(u) = &s.unreadable {
                    unknowns.push(Unread::item(studio_label(s), Scope::studio(s), u));
                }
                Some(IdcComponent {
                    label: studio_label(s),
                    arn: named(&s.idc_instance_arn)?,
                    kind: IdcPart::Studio(s),
                })
            })),
            Err(u) => unknowns.push(Unread::fact("the EMR Studios", u)),
        }
        match self.workgroups() {
            Ok(ws) => parts.extend(ws.into_iter().filter_map(|w| {
                if let Some(u) = &w.unreadable {
                    unknowns.push(Unread::item(workgroup_label(w), Scope::workgroup(w), u));
                }
                Some(IdcComponent {
                    label: workgroup_label(w),
                    arn: named(&w.identity_center_instance_arn)?,
                    kind: IdcPart::Workgroup(w),
                })
            })),
            Err(u) => unknowns.push(Unread::fact("the Athena workgroups", u)),
        }
        match self.facts.lake_formation.identity_center.known() {
            Ok(Some(c)) if !c.instance_arn.is_empty() => parts.push(IdcComponent {
                label: "the Lake Formation Identity Center configuration".into(),
                arn: &c.instance_arn,
                kind: IdcPart::LakeFormation,
            }),
            Ok(_) => {}
            Err(u) => unknowns.push(Unread::fact(
                "the Lake Formation Identity Center configuration",
                u,
            )),
        }
        match self.facts.access_grants.instance.known() {
            Ok(Some(i)) => {
                if let Some(arn) = named(&i.identity_center_instance_arn) {
                    parts.push(IdcComponent {
                        label: format!(
                            "S3 Access Grants instance {}",
                            i.access_grants_instance_arn
                        ),
                        arn,
                        kind: IdcPart::AccessGrants,
                    });
                }
            }
            Ok(None) => {}
            Err(u) => unknowns.push(Unread::fact("the S3 Access Grants instance", u)),
        }
        (parts, unknowns)
    }

    /// The region's ACTIVE instances (an instance listed without a status counts).
    pub fn active_instances(&self) -> Vec<&'a IdcInstance> {
        self.facts
            .identity_center_instances
            .known()
            .map(|l| {
                l.iter()
                    .filter(|i| matches!(i.status, Some(InstanceStatus::Active) | None))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The Identity Center instance the path uses: the region's only ACTIVE
    /// instance; with several (an organization instance beside account instances),
    /// the one most components name (ties go to a listed instance, then to the
    /// first component's); with no component naming one, the first ACTIVE
    /// instance. Per-user lookups use this instance's identity store.
    pub fn idc_instance(&self) -> Option<IdcChoice<'a>> {
        let active = self.active_instances();
        if let [only] = active[..] {
            return Some(IdcChoice {
                arn: &only.instance_arn,
                basis: Basis::OnlyActive,
            });
        }
        let (parts, _) = self.idc_components();
        let listed = |arn: &str| active.iter().any(|i| i.instance_arn == arn);
        let count = |arn: &str| parts.iter().filter(|c| c.arn == arn).count();
        let mut best = match parts.first() {
            Some(c) => c.arn,
            None => {
                return active.first().map(|i| IdcChoice {
                    arn: &i.instance_arn,
                    basis: Basis::FirstListed,
                });
            }
        };
        for c in &parts {
            let better = count(c.arn) > count(best)
                || (count(c.arn) == count(best) && listed(c.arn) && !listed(best));
            if better {
                best = c.arn;
            }
        }
        Some(IdcChoice {
            arn: best,
            basis: Basis::Components {
                agree: count(best),
                total: parts.len(),
            },
        })
    }

    /// The identity store of the instance the path uses, when it is listed.
    pub fn identity_store(&self) -> Option<&'a str> {
        let arn = self.idc_instance()?.arn;
        self.facts
            .identity_center_instances
            .known()
            .ok()?
            .iter()
            .find(|i| i.instance_arn == arn)
            .map(|i| i.identity_store_id.as_str())
    }

    /// An application's assignments, when they answer for this run's users: all
    /// of them, or those read per principal for every `--user` found and their
    /// groups.
    pub fn assignments(&self, app: &'a Application) -> Result<&'a [Assignment], Unknown> {
        let list = app.assignments.known().map_err(Unknown::clone)?;
        let Some(only) = &app.assignments_of else {
            return Ok(list);
        };
        let principals: Vec<Principals> = self
            .users()
            .iter()
            .filter_map(|u| self.principals(u).ok().flatten())
            .collect();
        let covered = |id: &str| only.iter().any(|o| o == id);
        let gap = if self.users().is_empty() {
            Some("no --user".to_string())
        } else {
            principals
                .iter()
                .find(|p| !covered(p.user_id) || p.groups.iter().any(|g| !covered(&g.group_id)))
                .map(|p| format!("user {}", p.user_name))
        };
        match gap {
            None => Ok(list),
            Some(who) => Err(Unknown::new(
                UnknownKind::NotCollected,
                "sso:ListApplicationAssignments",
                format!(
                    "only the assignments of principals {} were read, which say nothing of {who}",
                    only.join(", ")
                ),
            )),
        }
    }

    pub fn users(&self) -> &'a [UserFacts] {
        &self.facts.users
    }

    /// The principals of one `--user`. `Ok(None)`: no such user.
    pub fn principals(&self, u: &'a UserFacts) -> Result<Option<Principals<'a>>, &'a Unknown> {
        let Some(user) = u.user.known()? else {
            return Ok(None);
        };
        let groups = u.groups.known()?;
        Ok(Some(Principals {
            user_name: &u.user_name,
            user_id: &user.user_id,
            groups,
        }))
    }
}

/// A fact that could not be read: a whole list (`scope` empty) or one item of it.
pub struct Unread<'a> {
    pub what: String,
    pub scope: Option<Scope>,
    pub why: &'a Unknown,
}

impl<'a> Unread<'a> {
    pub fn fact(what: &str, why: &'a Unknown) -> Self {
        Unread {
            what: what.to_string(),
            scope: None,
            why,
        }
    }

    pub fn item(what: String, scope: Scope, why: &'a Unknown) -> Self {
        Unread {
            what,
            scope: Some(scope),
            why,
        }
    }

    /// The `error` outcomes (about `resource`, each `what` followed by `note`):
    /// `Err` with all of them when a whole list could not be read (nothing is
    /// left to pass), else `Ok` with one per unreadable item, scoped to it.
    pub fn outcomes(
        unread: Vec<Unread>,
        resource: &str,
        note: &str,
    ) -> Result<Vec<Outcome>, Vec<Outcome>> {
        let whole = unread.iter().any(|x| x.scope.is_none());
        let out = unread
            .into_iter()
            .map(|x| {
                let o = Outcome::unknown(resource, &format!("{}{note}", x.what), x.why);
                match x.scope {
                    Some(s) => o.scope(s),
                    None => o,
                }
            })
            .collect();
        if whole { Err(out) } else { Ok(out) }
    }
}

/// A component on the query path that names an Identity Center instance.
pub struct IdcComponent<'a> {
    pub label: String,
    pub arn: &'a str,
    pub kind: IdcPart<'a>,
}

/// Which component names the instance.
pub enum IdcPart<'a> {
    Studio(&'a Studio),
    Workgroup(&'a WorkGroup),
    LakeFormation,
    AccessGrants,
}

/// The instance the path uses, and why that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdcChoice<'a> {
    pub arn: &'a str,
    pub basis: Basis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The region's only ACTIVE instance.
    OnlyActive,
    /// Several instances: `agree` of the `total` components name it.
    Components { agree: usize, total: usize },
    /// Several instances and no component names one: the first listed ACTIVE one.
    FirstListed,
}

/// Whether a workgroup was created with IAM Identity Center.
pub fn idc_enabled(w: &WorkGroup) -> bool {
    w.enable_identity_center == Some(true)
        || w.identity_center_application_arn
            .as_deref()
            .is_some_and(|a| !a.is_empty())
}

/// Identity-Center-enabled, or unreadable and so possibly so.
fn maybe_idc(w: &WorkGroup) -> bool {
    idc_enabled(w) || w.unreadable.is_some()
}

/// How a Studio is named in messages: `Studio "analytics" (es-123)`.
pub fn studio_label(s: &Studio) -> String {
    format!("Studio \"{}\" ({})", s.name, s.studio_id)
}

pub fn workgroup_label(w: &WorkGroup) -> String {
    format!("workgroup \"{}\"", w.name)
}
