//! The process collector: CPU time, memory, file descriptors and start time of this process,
//! with the names and help texts client_python and client_golang use, read from `/proc` on
//! Linux. Elsewhere it exposes nothing.

use std::sync::OnceLock;

use crate::collector::{Collector, Descriptor};
use crate::snapshot::{LabelSet, MetricFamily, MetricPoint, MetricType, PointValue};

const CPU: &str = "process_cpu_seconds";
const RESIDENT: &str = "process_resident_memory_bytes";
const VIRTUAL: &str = "process_virtual_memory_bytes";
const OPEN_FDS: &str = "process_open_fds";
const MAX_FDS: &str = "process_max_fds";
const START_TIME: &str = "process_start_time_seconds";

/// Collects the `process_*` metrics of the calling process.
#[derive(Debug, Default)]
pub struct ProcessCollector {
    _private: (),
}

impl ProcessCollector {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Collector for ProcessCollector {
    /// `process`, rather than its first family's name.
    fn name(&self) -> String {
        "process".into()
    }

    fn describe(&self) -> Vec<Descriptor> {
        if !cfg!(target_os = "linux") {
            return Vec::new();
        }
        [
            (CPU, MetricType::Counter),
            (RESIDENT, MetricType::Gauge),
            (VIRTUAL, MetricType::Gauge),
            (OPEN_FDS, MetricType::Gauge),
            (MAX_FDS, MetricType::Gauge),
            (START_TIME, MetricType::Gauge),
        ]
        .into_iter()
        .map(|(name, kind)| Descriptor::new(name, kind))
        .collect()
    }

    fn collect(&self, out: &mut Vec<MetricFamily>) {
        #[cfg(target_os = "linux")]
        linux::collect(out);
        #[cfg(not(target_os = "linux"))]
        let _ = out;
    }
}

/// A family of one unlabelled point.
fn family(name: &str, help: &str, value: PointValue) -> MetricFamily {
    let kind = match value {
        PointValue::Counter { .. } => MetricType::Counter,
        _ => MetricType::Gauge,
    };
    MetricFamily {
        name: name.into(),
        help: help.into(),
        kind,
        unit: None,
        points: vec![MetricPoint {
            labels: LabelSet::empty(),
            value,
            timestamp: None,
        }],
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use std::fs;

    /// Ticks per second of the times in `/proc/<pid>/stat`, and the page size its `rss` counts.
    fn clock_ticks_and_page_size() -> (f64, f64) {
        static VALUES: OnceLock<(f64, f64)> = OnceLock::new();
        *VALUES.get_or_init(|| {
            // SAFETY: sysconf only reads system configuration.
            let (ticks, page) = unsafe {
                (
                    libc::sysconf(libc::_SC_CLK_TCK),
                    libc::sysconf(libc::_SC_PAGESIZE),
                )
            };
            // Fall back to the values of every mainstream Linux, should sysconf fail.
            (
                if ticks > 0 { ticks as f64 } else { 100.0 },
                if page > 0 { page as f64 } else { 4096.0 },
            )
        })
    }

    /// The fields of `/proc/self/stat` we need.
    pub(super) struct Stat {
        pub utime_ticks: f64,
        pub stime_ticks: f64,
        pub start_ticks: f64,
        pub vsize_bytes: f64,
        pub rss_pages: f64,
    }

    /// Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may contain
    /// spaces and parentheses itself, so fields are counted from the last `)`.
    pub(super) fn parse_stat(text: &str) -> Option<Stat> {
        let after_name = &text[text.rfind(')')? + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // Field n of proc(5) (1-based) is fields[n - 3] here: the state, field 3, comes first.
        let field = |n: usize| fields.get(n - 3)?.parse::<f64>().ok();
        Some(Stat {
            utime_ticks: field(14)?,
            stime_ticks: field(15)?,
            start_ticks: field(22)?,
            vsize_bytes: field(23)?,
            rss_pages: field(24)?,
        })
    }

    /// The boot time, `btime` in `/proc/stat`, in seconds since the epoch.
    pub(super) fn parse_boot_time(text: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix("btime "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// The soft limit on open files from `/proc/self/limits`; `+Inf` when unlimited.
    pub(super) fn parse_max_fds(text: &str) -> Option<f64> {
        let line = text.lines().find(|l| l.starts_with("Max open files"))?;
        let soft = line["Max open files".len()..].split_whitespace().next()?;
        if soft == "unlimited" {
            Some(f64::INFINITY)
        } else {
            soft.parse().ok()
        }
    }

    fn boot_time() -> Option<f64> {
        // The boot time does not change while the process runs: read it once.
        static BOOT_TIME: OnceLock<Option<f64>> = OnceLock::new();
        *BOOT_TIME.get_or_init(|| {
            fs::read_to_string("/proc/stat")
                .ok()
                .and_then(|t| parse_boot_time(&t))
        })
    }

    pub(super) fn collect(out: &mut Vec<MetricFamily>) {
        let (ticks, page_size) = clock_ticks_and_page_size();
        // Each source is read on its own, so one that fails (a sandbox hiding /proc/stat, say)
        // costs only its own metrics.
        if let Some(stat) = fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|t| parse_stat(&t))
        {
            out.push(family(
                CPU,
                "Total user and system CPU time spent in seconds.",
                PointValue::Counter {
                    value: (stat.utime_ticks + stat.stime_ticks) / ticks,
                    created: None,
                    exemplar: None,
                },
            ));
            out.push(family(
                VIRTUAL,
                "Virtual memory size in bytes.",
                PointValue::Gauge {
                    value: stat.vsize_bytes,
                },
            ));
            out.push(family(
                RESIDENT,
                "Resident memory size in bytes.",
                PointValue::Gauge {
                    value: stat.rss_pages * page_size,
                },
            ));
            if let Some(boot) = boot_time() {
                out.push(family(
                    START_TIME,
                    "Start time of the process since unix epoch in seconds.",
                    PointValue::Gauge {
                        value: boot + stat.start_ticks / ticks,
                    },
                ));
            }
        }
        if let Ok(entries) = fs::read_dir("/proc/self/fd") {
            out.push(family(
                OPEN_FDS,
                "Number of open file descriptors.",
                PointValue::Gauge {
                    // Includes the descriptor read_dir itself holds, as client_python's count does.
                    value: entries.count() as f64,
                },
            ));
        }
        if let Some(max) = fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|t| parse_max_fds(&t))
        {
            out.push(family(
                MAX_FDS,
                "Maximum number of open file descriptors.",
                PointValue::Gauge { value: max },
            ));
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::*;
    use super::*;
    use crate::registry::{Registry, default_registry};
    use std::sync::Arc;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let text = "4242 (a) b) (c) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 12345 1048576 300 \
                    18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
        let stat = parse_stat(text).unwrap();
        assert_eq!(stat.utime_ticks, 250.0);
        assert_eq!(stat.stime_ticks, 50.0);
        assert_eq!(stat.start_ticks, 12345.0);
        assert_eq!(stat.vsize_bytes, 1048576.0);
        assert_eq!(stat.rss_pages, 300.0);
        assert!(parse_stat("1 (x) S 1").is_none());
    }

    #[test]
    fn boot_time_and_limits() {
        assert_eq!(
            parse_boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 5\n"),
            Some(1_700_000_000.0)
        );
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(parse_max_fds(limits), Some(1024.0));
        assert_eq!(
            parse_max_fds(
                "Max open files            unlimited            unlimited            files"
            ),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn collects_plausible_values_for_this_process() {
        let registry = Registry::new();
        registry
            .register(Arc::new(ProcessCollector::new()))
            .unwrap();
        let get = |name| registry.get_sample_value(name, &[]).unwrap();
        assert!(get("process_cpu_seconds_total") >= 0.0);
        assert!(get("process_resident_memory_bytes") > 1e5);
        assert!(get("process_virtual_memory_bytes") >= get("process_resident_memory_bytes"));
        assert!(get("process_open_fds") >= 3.0);
        assert!(get("process_max_fds") >= get("process_open_fds"));
        let now = crate::util::unix_now();
        let start = get("process_start_time_seconds");
        assert!(
            start <= now + 1.0 && start > now - 86_400.0 * 365.0,
            "{start}"
        );
    }

    #[test]
    fn the_default_registry_has_it_from_the_start() {
        let names: Vec<_> = default_registry()
            .gather()
            .iter()
            .map(|f| f.name.to_string())
            .filter(|n| n.starts_with("process_"))
            .collect();
        assert_eq!(names.len(), 6, "{names:?}");
        let again: Arc<dyn Collector> = Arc::new(ProcessCollector::new());
        assert!(default_registry().register(again).is_err());
    }
}
