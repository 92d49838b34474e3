//! Measuring how long reading AWS took for each area ([`Timings`]).
//!
//! Each read group works for one area, set with [`in_area`] and carried into the
//! tasks it spawns. Every call records its area: the requests it sends (one per
//! page of a listing) and the time it was in flight. STS counts for no area.

use crate::timing::Timings;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;
use studio_doctor_checks::Area;
use tokio::time::Instant;

tokio::task_local! {
    static AREA: Option<Area>;
}

/// Run `fut` as reads for `area` (`None`: for no area).
pub fn in_area<F: Future>(area: Option<Area>, fut: F) -> impl Future<Output = F::Output> {
    AREA.scope(area, fut)
}

/// The area the current task reads for, if any.
pub fn current_area() -> Option<Area> {
    AREA.try_with(|a| *a).ok().flatten()
}

/// One call's time in flight.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub area: Area,
    pub start: Instant,
    pub end: Instant,
}

/// The timings from the calls' spans and the areas of the requests sent.
pub fn tally(spans: &[Span], sent: impl IntoIterator<Item = Option<Area>>) -> Timings {
    let mut out = Timings::new();
    for area in sent.into_iter().flatten() {
        out.entry(area).or_default().calls += 1;
    }
    let mut by_area: BTreeMap<Area, Vec<(Instant, Instant)>> = BTreeMap::new();
    for s in spans {
        by_area.entry(s.area).or_default().push((s.start, s.end));
    }
    for (area, intervals) in by_area {
        let elapsed = union_length(intervals);
        // A call that sent nothing (cut off by the deadline) still took time.
        out.entry(area).or_default().elapsed = elapsed;
    }
    out
}

/// The total length of the union of the intervals.
fn union_length(mut intervals: Vec<(Instant, Instant)>) -> Duration {
    intervals.sort();
    let mut total = Duration::ZERO;
    let mut current: Option<(Instant, Instant)> = None;
    for (start, end) in intervals {
        match &mut current {
            Some((_, e)) if start <= *e => *e = (*e).max(end),
            _ => {
                if let Some((s, e)) = current {
                    total += e - s;
                }
                current = Some((start, end));
            }
        }
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timing::AreaTiming;

    #[test]
    fn overlapping_calls_count_once_and_gaps_not_at_all() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let span = |area, a, b| Span {
            area,
            start: at(a),
            end: at(b),
        };
        let spans = [
            span(Area::EmrStudio, 0, 100),
            span(Area::EmrStudio, 50, 150),
            span(Area::EmrStudio, 120, 130),
            span(Area::EmrStudio, 300, 400),
            span(Area::LakeFormation, 10, 20),
        ];
        let sent = [
            Some(Area::EmrStudio),
            None,
            Some(Area::EmrStudio),
            Some(Area::LakeFormation),
        ];
        let t = tally(&spans, sent);
        assert_eq!(
            t[&Area::EmrStudio],
            AreaTiming {
                elapsed: Duration::from_millis(250),
                calls: 2
            }
        );
        assert_eq!(t[&Area::LakeFormation].elapsed, Duration::from_millis(10));
        assert_eq!(t[&Area::LakeFormation].calls, 1);
        assert_eq!(t.len(), 2);
    }

    #[tokio::test]
    async fn the_area_follows_the_scope() {
        assert_eq!(current_area(), None);
        let inner = in_area(Some(Area::AthenaWorkgroup), async {
            let outer = current_area();
            let none = in_area(None, async { current_area() }).await;
            (outer, none)
        })
        .await;
        assert_eq!(inner, (Some(Area::AthenaWorkgroup), None));
    }
}
