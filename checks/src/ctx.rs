//! What a check sees: the facts, plus the target selection every check shares.

use crate::fact::{Fact, Unknown, UnknownKind};
use crate::facts::{Facts, IdcGroup, Role, Studio, UserFacts, WorkGroup, role_name};

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
    pub fn matches(&self, kind: &str, id: &str) -> bool {
        match kind {
            "USER" | "DIRECTORY_USER" => id == self.user_id,
            "GROUP" | "DIRECTORY_GROUP" => self.groups.iter().any(|g| g.group_id == id),
            _ => false,
        }
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

    /// The Studios this run checks: the one named by `--studio` (id or name), or all.
    pub fn studios(&self) -> Result<Vec<&'a Studio>, &'a Unknown> {
        let all = self.facts.studios.known()?;
        let mut v: Vec<&Studio> = match &self.facts.target.studio {
            Some(sel) => all
                .iter()
                .filter(|s| &s.studio_id == sel || &s.name == sel)
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
            .filter(|s| s.auth_mode.as_deref() == Some("SSO"))
            .collect())
    }

    /// Every workgroup in the region, sorted by name.
    pub fn all_workgroups(&self) -> Result<Vec<&'a WorkGroup>, &'a Unknown> {
        let mut v: Vec<&WorkGroup> = self.facts.workgroups.known()?.iter().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// The workgroups this run checks: the one named by `--workgroup`, or every
    /// Identity-Center-enabled one.
    pub fn workgroups(&self) -> Result<Vec<&'a WorkGroup>, &'a Unknown> {
        let all = self.all_workgroups()?;
        Ok(match &self.facts.target.workgroup {
            Some(sel) => all.into_iter().filter(|w| &w.name == sel).collect(),
            None => all.into_iter().filter(|w| idc_enabled(w)).collect(),
        })
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

/// Whether a workgroup was created with IAM Identity Center.
pub fn idc_enabled(w: &WorkGroup) -> bool {
    w.enable_identity_center == Some(true)
        || w.identity_center_application_arn
            .as_deref()
            .is_some_and(|a| !a.is_empty())
}

pub fn studio_scope(s: &Studio) -> String {
    format!("studio:{}", s.studio_id)
}

pub fn workgroup_scope(w: &WorkGroup) -> String {
    format!("workgroup:{}", w.name)
}

/// How a Studio is named in messages: `Studio "analytics" (es-123)`.
pub fn studio_label(s: &Studio) -> String {
    format!("Studio \"{}\" ({})", s.name, s.studio_id)
}

pub fn workgroup_label(w: &WorkGroup) -> String {
    format!("workgroup \"{}\"", w.name)
}
