//! Renderers: turn a report into text.

pub mod github;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod markdown;
pub mod plan;
pub mod sarif;
pub mod terminal;
#[cfg(test)]
pub(crate) mod testdata;
