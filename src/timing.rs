//! How long reading AWS took for each area in a live run: measured by the
//! collectors, shown by the human report. Kept beside the facts, never in them
//! (facts replay byte for byte).

use std::collections::BTreeMap;
use std::time::Duration;
use studio_doctor_checks::Area;

/// What one area's reads cost in a live run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AreaTiming {
    /// Wall time during which at least one of the area's calls was in flight
    /// (concurrent calls count once; waiting for a free slot does not count).
    pub elapsed: Duration,
    /// Requests sent for the area (each page of a listing counts).
    pub calls: usize,
}

/// The timing of each area that sent at least one call.
pub type Timings = BTreeMap<Area, AreaTiming>;
