//! Bounds on a family's cardinality: how many children it may hold, what happens to the label
//! sets beyond that, and the self-metric that counts them.

use std::sync::{Arc, LazyLock};

use super::{Counter, Family, Opts};
use crate::collector::{Collector, Descriptor};
use crate::snapshot::MetricFamily;

/// What a family at its [`Opts::max_series`] does with a label set it does not hold yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Overflow {
    /// The update goes to one overflow child, every label value [`OVERFLOW_VALUE`]: totals stay
    /// right, detail is lost, and the family holds at most `max_series + 1` series.
    #[default]
    Fold,
    /// The update is refused with [`crate::Error::Cardinality`] and the metric is unchanged.
    Refuse,
}

/// The label value of every label of a family's overflow child.
pub const OVERFLOW_VALUE: &str = "__overflow__";

/// The name of the self-metric counting label sets a capped family folded or refused.
pub const SERIES_DROPPED: &str = "prometheus_emulator_series_dropped_total";

/// `prometheus_emulator_series_dropped_total{family="…"}`: label sets offered to a family at its
/// cap, folded or refused, one per offer. Registered in the default registry.
pub fn series_dropped() -> &'static Arc<Family<Counter>> {
    static DROPPED: LazyLock<Arc<Family<Counter>>> = LazyLock::new(|| {
        let opts = Opts::new(
            SERIES_DROPPED,
            "Label sets offered to a family at its max_series, folded into its overflow series or \
             refused.",
        )
        .labels(&["family"]);
        Arc::new(Family::new(opts).expect("a valid name and label"))
    });
    &DROPPED
}

/// The self-metric as the default registry holds it: exposed only once a family has dropped a
/// label set, so that a process that never caps a family shows nothing of it.
pub struct SeriesDroppedCollector;

impl Collector for SeriesDroppedCollector {
    fn describe(&self) -> Vec<Descriptor> {
        series_dropped().describe()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        if !series_dropped().is_empty() {
            series_dropped().collect(out);
        }
    }
}
