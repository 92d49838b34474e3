//! The facts model: `Fact<T>` (a value or why it could not be read), the facts
//! a run collects, and the AWS enum values they hold.

pub mod fact;
pub mod facts;
pub mod modes;
