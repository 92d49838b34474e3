//! Text helpers: closest names, POSIX shell words, printable text.

pub mod names;
pub mod shell;
pub mod text;
