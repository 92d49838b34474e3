//! Renderers: turn a report into text.

pub mod human;
pub mod json;
