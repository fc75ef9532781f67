//! How a gauge in the shared store combines the values of its processes: prometheus_client's
//! `multiprocess_mode`, with its names and meanings.

/// A gauge's multi-process mode. The codes are the C ABI's `pe_gauge_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u32)]
pub enum GaugeMode {
    /// A sample per process, live or dead, with a `pid` label.
    #[default]
    All = 0,
    /// A sample per live process, with a `pid` label.
    LiveAll = 1,
    /// The least value of any process that set it, dead ones included.
    Min = 2,
    LiveMin = 3,
    /// The greatest value of any process that set it, dead ones included.
    Max = 4,
    LiveMax = 5,
    /// The sum of the values of every process that set it, dead ones included.
    Sum = 6,
    LiveSum = 7,
    /// The value set last by any process, dead ones included.
    MostRecent = 8,
    LiveMostRecent = 9,
}

impl GaugeMode {
    pub const ALL: [GaugeMode; 10] = [
        GaugeMode::All,
        GaugeMode::LiveAll,
        GaugeMode::Min,
        GaugeMode::LiveMin,
        GaugeMode::Max,
        GaugeMode::LiveMax,
        GaugeMode::Sum,
        GaugeMode::LiveSum,
        GaugeMode::MostRecent,
        GaugeMode::LiveMostRecent,
    ];

    /// The mode of a `pe_gauge_mode` code.
    pub fn from_code(code: u32) -> Option<GaugeMode> {
        Self::ALL.get(code as usize).copied()
    }

    /// prometheus_client's name of the mode.
    pub fn name(self) -> &'static str {
        [
            "all",
            "liveall",
            "min",
            "livemin",
            "max",
            "livemax",
            "sum",
            "livesum",
            "mostrecent",
            "livemostrecent",
        ][self as usize]
    }

    /// Whether only live processes' values count.
    pub fn live_only(self) -> bool {
        self as u32 % 2 == 1
    }

    /// Whether each process's value is its own sample, labelled with its pid.
    pub fn per_process(self) -> bool {
        matches!(self, GaugeMode::All | GaugeMode::LiveAll)
    }

    /// Whether updates stamp the time, to find the most recent value.
    pub fn timed(self) -> bool {
        matches!(self, GaugeMode::MostRecent | GaugeMode::LiveMostRecent)
    }
}

/// Values combined the way a mode combines them (not for the per-process modes).
#[derive(Clone, Copy, Debug)]
pub struct Combined {
    mode: GaugeMode,
    value: Option<f64>,
    stamp: f64,
}

impl Combined {
    pub fn new(mode: GaugeMode) -> Self {
        Combined {
            mode,
            value: None,
            stamp: f64::NEG_INFINITY,
        }
    }

    /// Folds in one process's value, stamped when it was last set.
    pub fn add(&mut self, value: f64, stamp: f64) {
        use GaugeMode::*;
        let next = match (self.mode, self.value) {
            (_, None) => value,
            (Min | LiveMin, Some(v)) => v.min(value),
            (Max | LiveMax, Some(v)) => v.max(value),
            (Sum | LiveSum, Some(v)) => v + value,
            (MostRecent | LiveMostRecent, Some(v)) if stamp < self.stamp => v,
            _ => value,
        };
        self.stamp = self.stamp.max(stamp);
        self.value = Some(next);
    }

    /// The combination, `None` when no process set a value.
    pub fn value(&self) -> Option<f64> {
        self.value
    }

    /// The time of the latest value folded in.
    pub fn stamp(&self) -> f64 {
        self.stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for (code, mode) in GaugeMode::ALL.iter().enumerate() {
            assert_eq!(GaugeMode::from_code(code as u32), Some(*mode));
            assert_eq!(mode.live_only(), mode.name().starts_with("live"));
        }
        assert_eq!(GaugeMode::from_code(10), None);
    }

    #[test]
    fn modes_combine_as_prometheus_client_does() {
        let combine = |mode| {
            let mut c = Combined::new(mode);
            c.add(3.0, 2.0);
            c.add(-1.0, 1.0);
            c.add(5.0, 0.5);
            c.value().unwrap()
        };
        assert_eq!(combine(GaugeMode::Min), -1.0);
        assert_eq!(combine(GaugeMode::LiveMax), 5.0);
        assert_eq!(combine(GaugeMode::Sum), 7.0);
        assert_eq!(combine(GaugeMode::MostRecent), 3.0);
        assert_eq!(Combined::new(GaugeMode::Sum).value(), None);
    }
}
