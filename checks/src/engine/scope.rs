//! The targets an outcome belongs to. The runner skips a dependant's outcome
//! when a prerequisite failed on a scope it shares; the access path and the
//! SARIF and JUnit renderers match them by kind. Written `studio:<id>`,
//! `workgroup:<name>`, `user:<name>`, `table:<db.table>`.

use crate::facts::{Studio, WorkGroup};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// An EMR Studio, by id.
    Studio(String),
    /// An Athena workgroup, by name.
    Workgroup(String),
    /// A `--user`, by user name.
    User(String),
    /// A `--table`, as given.
    Table(String),
}

impl Scope {
    pub fn studio(s: &Studio) -> Scope {
        Scope::Studio(s.studio_id.clone())
    }

    pub fn workgroup(w: &WorkGroup) -> Scope {
        Scope::Workgroup(w.name.clone())
    }

    pub fn user(name: &str) -> Scope {
        Scope::User(name.to_string())
    }

    pub fn table(name: &str) -> Scope {
        Scope::Table(name.to_string())
    }

    /// Whether both scopes are of the same kind (two Studios, two users, ...).
    pub fn same_kind(&self, other: &Scope) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// The user or table a finding is about, if this is one: what tells apart
    /// the findings of one check on one resource for several `--user`/`--table`.
    pub fn identity(&self) -> Option<(&'static str, &str)> {
        match self {
            Scope::User(n) => Some(("user", n)),
            Scope::Table(n) => Some(("table", n)),
            Scope::Studio(_) | Scope::Workgroup(_) => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Studio(id) => write!(f, "studio:{id}"),
            Scope::Workgroup(name) => write!(f, "workgroup:{name}"),
            Scope::User(name) => write!(f, "user:{name}"),
            Scope::Table(name) => write!(f, "table:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn scopes_are_written_kind_colon_value() {
        assert_eq!(Scope::Studio("es-1".into()).to_string(), "studio:es-1");
        assert_eq!(Scope::Workgroup("w:1".into()).to_string(), "workgroup:w:1");
        assert_eq!(Scope::user("alice").to_string(), "user:alice");
        assert_eq!(Scope::table("db.t").to_string(), "table:db.t");
        assert!(Scope::user("a").same_kind(&Scope::user("b")));
        assert!(!Scope::user("a").same_kind(&Scope::table("a")));
        assert_eq!(Scope::table("db.t").identity(), Some(("table", "db.t")));
        assert_eq!(Scope::Studio("es-1".into()).identity(), None);
    }
}
