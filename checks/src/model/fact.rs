//! `Fact<T>`: a value read from AWS, or the honest reason it could not be read.
//!
//! In a facts file a known fact is written as its plain value; an unknown one as
//! `{"unknown": {"kind": "access_denied", "action": "iam:GetRole", "message": "..."}}`.
//! A fact that was never collected is simply absent from the file.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a fact could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownKind {
    /// The caller lacks an IAM permission (the action names it).
    AccessDenied,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// The call or the whole run timed out.
    Timeout,
    /// AWS answered with an error we do not interpret.
    ServiceError,
    /// The endpoint does not implement the operation.
    Unsupported,
    /// Could not reach the endpoint (DNS, TCP, TLS).
    Network,
    /// This run did not read it (e.g. it was saved by a run with `--only`).
    NotCollected,
}

impl UnknownKind {
    pub fn label(&self) -> &'static str {
        match self {
            UnknownKind::AccessDenied => "AccessDenied",
            UnknownKind::Throttled => "Throttled",
            UnknownKind::Timeout => "Timeout",
            UnknownKind::ServiceError => "ServiceError",
            UnknownKind::Unsupported => "Unsupported",
            UnknownKind::Network => "NetworkError",
            UnknownKind::NotCollected => "NotCollected",
        }
    }
}

/// The reason attached to an `Unknown` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    pub kind: UnknownKind,
    /// The IAM action of the call that failed, e.g. `iam:GetRole`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl Unknown {
    pub fn new(kind: UnknownKind, action: impl Into<String>, message: impl Into<String>) -> Self {
        Unknown {
            kind,
            action: action.into(),
            message: message.into(),
        }
    }

    pub fn not_collected() -> Self {
        Unknown::new(UnknownKind::NotCollected, "", "")
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == UnknownKind::NotCollected {
            return f.write_str("not collected in this run (facts file lacks it)");
        }
        f.write_str(self.kind.label())?;
        if !self.action.is_empty() {
            write!(f, " on {}", self.action)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// A value read from AWS, or why it could not be read. Never defaulted to empty.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact<T> {
    Known(T),
    Unknown(Unknown),
}

impl<T> Default for Fact<T> {
    fn default() -> Self {
        Fact::Unknown(Unknown::not_collected())
    }
}

impl<T> Fact<T> {
    pub fn known(&self) -> Result<&T, &Unknown> {
        match self {
            Fact::Known(v) => Ok(v),
            Fact::Unknown(u) => Err(u),
        }
    }

    pub fn is_collected(&self) -> bool {
        !matches!(self, Fact::Unknown(u) if u.kind == UnknownKind::NotCollected)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(v) => Fact::Known(f(v)),
            Fact::Unknown(u) => Fact::Unknown(u),
        }
    }
}

impl<T> From<Result<T, Unknown>> for Fact<T> {
    fn from(r: Result<T, Unknown>) -> Self {
        match r {
            Ok(v) => Fact::Known(v),
            Err(u) => Fact::Unknown(u),
        }
    }
}

/// `skip_serializing_if` helper: facts that were not collected are left out of a file.
pub fn not_collected<T>(f: &Fact<T>) -> bool {
    !f.is_collected()
}

impl<T: Serialize> Serialize for Fact<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wrapped<'a> {
            unknown: &'a Unknown,
        }
        match self {
            Fact::Known(v) => v.serialize(s),
            Fact::Unknown(u) => Wrapped { unknown: u }.serialize(s),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Fact<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if let serde_json::Value::Object(map) = &v
            && map.len() == 1
            && let Some(u) = map.get("unknown")
        {
            let u = Unknown::deserialize(u.clone()).map_err(D::Error::custom)?;
            return Ok(Fact::Unknown(u));
        }
        T::deserialize(v).map(Fact::Known).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_round_trips_as_plain_value() {
        let f: Fact<Vec<u32>> = Fact::Known(vec![1, 2]);
        let s = serde_json::to_string(&f).unwrap();
        assert_eq!(s, "[1,2]");
        assert_eq!(serde_json::from_str::<Fact<Vec<u32>>>(&s).unwrap(), f);
    }

    #[test]
    fn unknown_round_trips_with_reason() {
        let f: Fact<Vec<u32>> = Fact::Unknown(Unknown::new(
            UnknownKind::AccessDenied,
            "iam:GetRole",
            "not authorized",
        ));
        let s = serde_json::to_string(&f).unwrap();
        assert_eq!(
            s,
            r#"{"unknown":{"kind":"access_denied","action":"iam:GetRole","message":"not authorized"}}"#
        );
        assert_eq!(serde_json::from_str::<Fact<Vec<u32>>>(&s).unwrap(), f);
        assert_eq!(
            f.known().unwrap_err().to_string(),
            "AccessDenied on iam:GetRole: not authorized"
        );
    }

    #[test]
    fn wrong_shape_is_an_error_not_a_default() {
        assert!(serde_json::from_str::<Fact<Vec<u32>>>(r#"{"a":1}"#).is_err());
        assert!(serde_json::from_str::<Fact<Vec<u32>>>(r#"{"unknown":{"kind":"nope"}}"#).is_err());
    }
}
