//! One module per check. The `//!` comment at the top of each file is the check's
//! documentation: `studio-doctor explain <ID>` prints it.
//!
//! To add a check: write `<id>.rs` (copy a neighbour), add its module name to the
//! `mod` list and to `registry!` below (prerequisites before dependants), and add `examples/traps/<ID>.json`.

use crate::check::Check;

pub mod ag001;
pub mod ag002;
pub mod ag003;
pub mod ag005;
pub mod es001;
pub mod es003;
pub mod es004;
pub mod es005;
pub mod es006;
pub mod es008;
pub mod wg001;
pub mod wg003;

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
    es001, es003, es004, es005, es006, es008, //
    wg001, wg003, //
    ag001, ag002, ag003, ag005,
);
