//! A fix plan: the actions of every finding's fix, once each, in the order AWS
//! needs them, each naming the findings it closes.

use super::{Action, Input, Kind};
use crate::check::Status;
use schemars::JsonSchema;
use serde::Serialize;

/// The plan for one report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Plan {
    pub region: String,
    /// The account the plan is for (the script refuses to run in another).
    pub account_id: Option<String>,
    /// In the order they must run.
    pub steps: Vec<Step>,
    /// Every value a person must supply, once each.
    pub inputs: Vec<Input>,
    /// Findings without an automatic fix: what a person must do.
    pub manual: Vec<Manual>,
}

/// One AWS call of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Step {
    pub action: Action,
    /// `ready`, `needs-input`, `replaces` or `recreates` (a `recreates` step is
    /// not run by the script: it is written out commented, with `reason`).
    pub applicability: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The findings whose fix includes this step.
    pub closes: Vec<Finding>,
}

/// One result of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Finding {
    pub check: String,
    pub resource: String,
    pub status: Status,
}

/// A finding whose fix has no action.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Manual {
    pub finding: Finding,
    pub summary: String,
    pub docs: Vec<String>,
}
