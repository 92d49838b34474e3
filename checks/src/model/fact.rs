//! `Fact<T>`: a value read from AWS, or the honest reason it could not be read.
//!
//! In a facts file a known fact is written as its plain value; an unknown one as
//! `{"unknown": {"kind": "access_denied", "action": "iam:GetRole", "message": "..."}}`.
//! A fact that was never collected is simply absent from the file.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeSeed, Error as _, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

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

/// Read straight from the input, never through a JSON tree: a large account's
/// facts file is not held a second time while it loads. A map whose only key is
/// `unknown` is an unknown fact; anything else (`null` included) is the value.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Fact<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FactVisitor(PhantomData))
    }
}

struct FactVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> FactVisitor<T> {
    /// The value, from what was read of it (not `null`).
    fn known<D: Deserializer<'de>>(d: D) -> Result<Fact<T>, D::Error> {
        T::deserialize(Present(d)).map(Fact::Known)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for FactVisitor<T> {
    type Value = Fact<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a fact: its value, or {\"unknown\": {...}}")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Self::known(v.into_deserializer())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        T::deserialize(().into_deserializer()).map(Fact::Known)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Fact::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Self::known(SeqAccessDeserializer::new(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Self::known(MapAccessDeserializer::new(map));
        };
        if key != "unknown" {
            return Self::known(MapAccessDeserializer::new(Replay {
                key: Some(key),
                value: None,
                rest: map,
            }));
        }
        // Held as a tree only until it is known to be the map's only entry.
        let value: serde_json::Value = map.next_value()?;
        match map.next_key::<String>()? {
            None => Unknown::deserialize(value)
                .map(Fact::Unknown)
                .map_err(A::Error::custom),
            // Not an unknown fact: the value's map, from its first entry.
            Some(next) => Self::known(MapAccessDeserializer::new(Replay {
                key: Some(key),
                value: Some(value),
                rest: Replay {
                    key: Some(next),
                    value: None,
                    rest: map,
                },
            })),
        }
    }
}

/// A value that is there (not `null`): as an `Option`, it is `Some`.
struct Present<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Present<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        v.visit_some(self.0)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        v.visit_newtype_struct(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// A map whose first key (and perhaps its value) was already read.
struct Replay<A> {
    key: Option<String>,
    /// The first key's value when it was read; `None`: it is next in `rest`.
    value: Option<serde_json::Value>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.key.take() {
            Some(k) => seed.deserialize(k.into_deserializer()).map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(v).map_err(A::Error::custom),
            None => self.rest.next_value_seed(seed),
        }
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

    #[test]
    fn every_shape_of_value_reads_as_known() {
        use serde_json::{Value, json};
        let read = |t: &str| serde_json::from_str::<Fact<Option<Value>>>(t).unwrap();
        assert_eq!(read("null"), Fact::Known(None));
        assert_eq!(read("true"), Fact::Known(Some(json!(true))));
        assert_eq!(read("-3"), Fact::Known(Some(json!(-3))));
        assert_eq!(read("2.5"), Fact::Known(Some(json!(2.5))));
        assert_eq!(read(r#""s""#), Fact::Known(Some(json!("s"))));
        assert_eq!(read("[1, [2]]"), Fact::Known(Some(json!([1, [2]]))));
        assert_eq!(read("{}"), Fact::Known(Some(json!({}))));
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]});
        assert_eq!(read(&doc.to_string()), Fact::Known(Some(doc)));
        // A map with `unknown` beside other keys is a value, whole and in order.
        let odd = r#"{"unknown": {"kind": "timeout"}, "b": [1], "a": null}"#;
        assert_eq!(
            serde_json::to_string(&read(odd)).unwrap(),
            r#"{"unknown":{"kind":"timeout"},"b":[1],"a":null}"#
        );
        assert_eq!(
            serde_json::from_str::<Fact<Option<Vec<String>>>>(r#"["a"]"#).unwrap(),
            Fact::Known(Some(vec!["a".to_string()]))
        );
        assert_eq!(
            serde_json::from_str::<Fact<Option<bool>>>("false").unwrap(),
            Fact::Known(Some(false))
        );
        assert_eq!(
            serde_json::from_str::<Fact<Option<String>>>("null").unwrap(),
            Fact::Known(None)
        );
        assert_eq!(
            serde_json::from_str::<Fact<Option<Vec<u32>>>>(r#"{"unknown": {"kind": "throttled"}}"#)
                .unwrap(),
            Fact::Unknown(Unknown::new(UnknownKind::Throttled, "", ""))
        );
        assert!(serde_json::from_str::<Fact<bool>>("null").is_err());
        assert!(serde_json::from_str::<Fact<Vec<u32>>>("[1, \"x\"]").is_err());
    }

    #[test]
    fn every_example_account_reads_back_to_the_same_json() {
        use crate::facts::Facts;
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"));
        let mut files = vec![dir.join("healthy-account.json")];
        for entry in std::fs::read_dir(dir.join("traps")).unwrap() {
            files.push(entry.unwrap().path());
        }
        assert!(files.len() > 30);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let facts = Facts::from_json(&text).unwrap();
            let as_read: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                serde_json::to_value(&facts).unwrap(),
                as_read,
                "{}",
                path.display()
            );
        }
    }
}
