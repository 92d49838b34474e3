//! Fixes as data: typed [`Action`]s, how sure a fix is ([`Applicability`]), the
//! CLI commands rendered from the actions, and the values a person must supply.

pub mod action;
pub mod apply;
pub mod inputs;
pub mod plan;
pub mod render;
pub mod simulate;

pub use action::{Action, Arg, Cmd};
pub use inputs::Input;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a fix can be applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Every value is known: the actions can run as they are.
    Ready,
    /// A person must supply the values in `inputs` first.
    NeedsInput,
    /// The actions overwrite an existing document or setting; `kept` says what
    /// the new one keeps.
    Replaces,
    /// The setting cannot be changed in place: the actions create a new resource
    /// and delete the old one; `reason` says which setting.
    Recreates,
    /// No action: the summary says what a person must do.
    #[default]
    Manual,
}

/// How sure a fix is, in the sense of clippy's and ruff's fix applicability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Applicability {
    pub kind: Kind,
    /// The values a person must supply (`<NAME>` in the actions and commands).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    /// What a replacing action keeps of the current document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    /// Why the resource must be recreated (the immutable setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Applicability {
    /// The applicability of `actions`, given what the fix declared it replaces
    /// or recreates.
    pub fn of(actions: &[Action], kept: Option<String>, reason: Option<String>) -> Applicability {
        let inputs = inputs::of_actions(actions);
        let kind = if reason.is_some() {
            Kind::Recreates
        } else if !inputs.is_empty() {
            Kind::NeedsInput
        } else if kept.is_some() {
            Kind::Replaces
        } else if actions.is_empty() {
            Kind::Manual
        } else {
            Kind::Ready
        };
        Applicability {
            kind,
            inputs,
            kept,
            reason,
        }
    }
}
