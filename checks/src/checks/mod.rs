//! One module per check. The `//!` comment at the top of each file is the check's
//! documentation: `studio-doctor explain <ID>` prints it, with the permissions
//! derived from the check's `needs` (`need.rs`) before its Evidence section.
//!
//! To add a check: `cargo xtask new-check <ID> <kebab-name> --area <area> --hop
//! <hop>` writes `<id>.rs` from a template, adds it to the `mod` list and to
//! `registry!` below (last of its area: prerequisites before dependants) and its
//! trap to `examples/generate.py` (`<ID>`; `<ID>-<what>` for a further setup of an
//! existing check), and prints what is left to do by hand (README, "Adding a check").

use crate::check::Check;

pub mod ac001;
pub mod ag001;
pub mod ag002;
pub mod ag003;
pub mod ag004;
pub mod ag005;
pub mod ag006;
pub mod es001;
pub mod es002;
pub mod es003;
pub mod es004;
pub mod es005;
pub mod es006;
pub mod es007;
pub mod es008;
pub mod es009;
pub mod ic001;
pub mod ic002;
pub mod ic003;
pub mod ic004;
pub mod ic005;
pub mod lf001;
pub mod lf002;
pub mod lf003;
pub mod lf004;
pub mod lf005;
pub mod lf006;
pub mod lf007;
pub mod lf008;
pub mod lf009;
pub mod lf010;
pub mod wg001;
pub mod wg002;
pub mod wg003;
pub mod wg004;
pub mod wg005;
pub mod wg006;
pub mod wg007;
pub mod wg008;
pub mod wg009;
pub mod wg010;

macro_rules! registry {
    ($($m:ident),* $(,)?) => {
        /// Every check, in report order.
        pub static ALL: &[Check] = &[$(Check {
            meta: &$m::META,
            run: $m::run,
            source: include_str!(concat!(stringify!($m), ".rs")),
        }),*];
    };
}

registry!(
    ac001, //
    ic001, ic002, ic003, ic004, ic005, //
    es001, es002, es003, es004, es005, es006, es007, es008, es009, //
    wg001, wg002, wg003, wg004, wg005, wg006, wg007, wg008, wg009, wg010, //
    ag001, ag002, ag003, ag004, ag005, ag006, //
    // LF009 before LF006, which depends on it.
    lf001, lf002, lf003, lf004, lf005, lf009, lf006, lf007, lf008, lf010,
);
