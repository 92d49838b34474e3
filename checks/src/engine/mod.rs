//! The engine: what a check is (`check`), what it reads (`need`), running the
//! registry (`run`), the report and its exit code (`report`), waivers, the access
//! path, result scopes.

pub mod check;
pub mod need;
pub mod path;
pub mod report;
pub mod run;
pub mod scope;
pub mod waivers;
