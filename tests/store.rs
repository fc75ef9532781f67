//! The shared store across real processes: children made with fork(2) update metrics that live
//! in one store, and the parent reads every process's values.

use std::path::Path;
use std::sync::Arc;

use prometheus_emulator::exposition::{Format, encode_text};
use prometheus_emulator::store::{GaugeMode, Store, StoreOptions};
use prometheus_emulator::{
    Counter, Error, Exemplar, Family, Gauge, Histogram, HistogramConfig, Info, NativeConfig, Opts,
    StateSet, StateSetConfig,
};

fn open(dir: &Path) -> Arc<Store> {
    Store::open(dir, StoreOptions::default()).unwrap()
}

fn text(store: &Store) -> String {
    encode_text(&store.read().unwrap(), Format::Prometheus)
}

/// The sample line for `name` (with its labels) in `text`, parsed.
fn value(text: &str, sample: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

/// Runs `f` in a forked child that then exits; waits for it. Returns the child's pid.
fn in_child(f: impl FnOnce()) -> i32 {
    // SAFETY: the child runs `f` and exits without returning into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_ok();
        // SAFETY: _exit skips the harness's atexit handlers, as a forked child must.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    wait(pid);
    pid
}

fn wait(pid: i32) -> i32 {
    let mut status = 0;
    // SAFETY: waiting for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    status
}

fn counter(store: &Arc<Store>, labels: &[&str]) -> Family<Counter> {
    Family::new(
        Opts::new("jobs", "Jobs done.")
            .labels(labels)
            .store(store.clone()),
    )
    .unwrap()
}

fn gauge(store: &Arc<Store>, name: &str, mode: GaugeMode) -> Family<Gauge> {
    Family::new(
        Opts::new(name, "A gauge.")
            .store(store.clone())
            .gauge_mode(mode),
    )
    .unwrap()
}

#[test]
fn counter_increments_of_forked_children_add_up_and_outlive_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let jobs = counter(&store, &["queue"]);
    jobs.with_label_values(&["mail"]).unwrap().inc(1.0).unwrap();
    for child in 0..4 {
        in_child(|| {
            let mail = jobs.with_label_values(&["mail"]).unwrap();
            for _ in 0..10_000 {
                mail.inc_one();
            }
            mail.inc(0.5).unwrap();
            // A label set made in the child is in the store for everyone.
            jobs.with_label_values(&[format!("child{child}")])
                .unwrap()
                .inc(2.0)
                .unwrap();
        });
    }
    let text = text(&store);
    assert_eq!(
        value(&text, "jobs_total{queue=\"mail\"}"),
        Some(40_003.0),
        "{text}"
    );
    for child in 0..4 {
        assert_eq!(
            value(&text, &format!("jobs_total{{queue=\"child{child}\"}}")),
            Some(2.0)
        );
    }
    assert!(text.contains("# TYPE jobs_total counter"), "{text}");
    assert!(!text.contains("_created"), "{text}");
}

#[test]
fn a_second_opener_of_the_directory_shares_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    counter(&first, &[])
        .with_label_values::<&str>(&[])
        .unwrap()
        .inc(3.0)
        .unwrap();
    let second = open(dir.path());
    counter(&second, &[])
        .with_label_values::<&str>(&[])
        .unwrap()
        .inc(4.0)
        .unwrap();
    assert_eq!(value(&text(&first), "jobs_total"), Some(7.0));
}

#[test]
fn histograms_are_shared_with_their_buckets_count_and_sum() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let config = HistogramConfig::new(&[0.1, 1.0]).unwrap();
    let latency = Family::<Histogram>::with_config(
        Opts::new("latency_seconds", "Latency.").store(store.clone()),
        config,
    )
    .unwrap();
    for _ in 0..3 {
        in_child(|| {
            let h = latency.with_label_values::<&str>(&[]).unwrap();
            h.observe(0.05).unwrap();
            h.observe(0.5).unwrap();
            h.observe(5.0).unwrap();
        });
    }
    let text = text(&store);
    assert_eq!(
        value(&text, "latency_seconds_bucket{le=\"0.1\"}"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "latency_seconds_bucket{le=\"1.0\"}"),
        Some(6.0)
    );
    assert_eq!(
        value(&text, "latency_seconds_bucket{le=\"+Inf\"}"),
        Some(9.0)
    );
    assert_eq!(value(&text, "latency_seconds_count"), Some(9.0));
    assert_eq!(value(&text, "latency_seconds_sum"), Some(16.65));
}

#[test]
fn summaries_share_their_count_and_sum_and_keep_quantiles_per_process() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let sizes = Family::<prometheus_emulator::Summary>::new(
        Opts::new("size_bytes", "Sizes.").store(store.clone()),
    )
    .unwrap();
    let series = sizes.with_label_values::<&str>(&[]).unwrap();
    series.observe(1.0).unwrap();
    for _ in 0..3 {
        in_child(|| series.observe(10.0).unwrap());
    }
    let text = text(&store);
    assert_eq!(value(&text, "size_bytes_count"), Some(4.0), "{text}");
    assert_eq!(value(&text, "size_bytes_sum"), Some(31.0));
    assert!(!text.contains("quantile"), "{text}");
    // The parent's own quantiles saw only its observation.
    assert_eq!(series.count(), 4);
    assert_eq!(series.quantile(0.5).unwrap(), 1.0);
}

#[test]
fn info_labels_set_by_any_process_are_the_latest_for_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let build = Family::<Info>::new(
        Opts::new("build", "Build.")
            .labels(&["component"])
            .store(store.clone()),
    )
    .unwrap();
    let api = build.with_label_values(&["api"]).unwrap();
    api.set(&[("version", "1.0")]).unwrap();
    in_child(|| {
        let api = build.with_label_values(&["api"]).unwrap();
        assert_eq!(api.get().get("version"), Some("1.0"));
        api.set(&[("version", "2.0"), ("commit", "abc")]).unwrap();
        build
            .with_label_values(&["worker"])
            .unwrap()
            .set(&[("version", "3.0")])
            .unwrap();
    });
    assert_eq!(api.get().get("version"), Some("2.0"));
    let text = text(&store);
    assert_eq!(
        value(
            &text,
            "build_info{component=\"api\",version=\"2.0\",commit=\"abc\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "build_info{component=\"worker\",version=\"3.0\"}"),
        Some(1.0),
        "{text}"
    );
    // Setting the same labels again takes no room; clashing labels are refused, the old kept.
    let used = store.used();
    api.set(&[("version", "2.0"), ("commit", "abc")]).unwrap();
    assert_eq!(store.used(), used);
    assert!(api.set(&[("component", "x")]).is_err());
    assert_eq!(api.get().get("commit"), Some("abc"));
}

#[test]
fn enum_states_set_by_any_process_are_shared_and_start_in_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let states = StateSetConfig::enumeration(&["starting", "running", "stopped"]).unwrap();
    let phase = Family::<StateSet>::with_config(
        Opts::new("phase", "Phase.")
            .labels(&["job"])
            .store(store.clone()),
        states.clone(),
    )
    .unwrap();
    in_child(|| {
        let phase = phase.with_label_values(&["mail"]).unwrap();
        assert_eq!(phase.current(), Some("starting"));
        phase.set("running").unwrap();
    });
    let mail = phase.with_label_values(&["mail"]).unwrap();
    assert_eq!(mail.current(), Some("running"));
    assert!(mail.set("gone").is_err());
    let text = text(&store);
    assert_eq!(
        value(&text, "phase{job=\"mail\",phase=\"running\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "phase{job=\"mail\",phase=\"starting\"}"),
        Some(0.0)
    );
    // Other states for the same family are another family, refused.
    let other = Family::<StateSet>::with_config(
        Opts::new("phase", "Phase.")
            .labels(&["job"])
            .store(store.clone()),
        StateSetConfig::enumeration(&["a"]).unwrap(),
    );
    assert!(matches!(other, Err(Error::InvalidConfig(_))));
    // A state set of flags starts with all off.
    let flags = Family::<StateSet>::with_config(
        Opts::new("features", "Features.").store(store.clone()),
        StateSetConfig::flags(&["a", "b"]).unwrap(),
    )
    .unwrap();
    let series = flags.with_label_values::<&str>(&[]).unwrap();
    assert_eq!(series.current(), None);
    in_child(|| series.set_state("b", true).unwrap());
    assert!(series.is_active("b").unwrap());
}

#[test]
fn exemplars_of_any_process_are_exposed_and_take_bounded_room() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let jobs = counter(&store, &[]);
    let latency = Family::<Histogram>::with_config(
        Opts::new("latency_seconds", "Latency.").store(store.clone()),
        HistogramConfig::new(&[0.1, 1.0]).unwrap(),
    )
    .unwrap();
    let trace = |id: &str| Exemplar::new(&[("trace_id", id)], 1.0, Some(1_700_000_000.5)).unwrap();
    in_child(|| {
        let c = jobs.with_label_values::<&str>(&[]).unwrap();
        c.inc_with_exemplar(1.0, trace("child")).unwrap();
        let h = latency.with_label_values::<&str>(&[]).unwrap();
        h.observe_with_exemplar(0.5, Exemplar::new(&[("trace_id", "h")], 0.5, None).unwrap())
            .unwrap();
    });
    let c = jobs.with_label_values::<&str>(&[]).unwrap();
    assert_eq!(c.exemplar(), Some(trace("child")));
    let text = encode_text(&store.read().unwrap(), Format::OpenMetrics);
    assert!(
        text.contains("jobs_total 1 # {trace_id=\"child\"} 1 1700000000.5"),
        "{text}"
    );
    assert!(
        text.contains("latency_seconds_bucket{le=\"1.0\"} 1 # {trace_id=\"h\"} 0.5"),
        "{text}"
    );
    let h = latency.with_label_values::<&str>(&[]).unwrap();
    assert_eq!(h.exemplars().len(), 3);
    assert_eq!(h.exemplars()[1].as_ref().unwrap().value, 0.5);
    // Exemplars of the same size or smaller reuse the record: the store does not grow.
    c.inc_with_exemplar(1.0, trace("a")).unwrap();
    let used = store.used();
    for i in 0..1000 {
        c.inc_with_exemplar(1.0, trace(&format!("{}", i % 10)))
            .unwrap();
    }
    assert_eq!(store.used(), used);
    assert_eq!(c.exemplar(), Some(trace("9")));
    // A reset forgets the exemplar and keeps the shared value.
    c.reset();
    assert_eq!(c.exemplar(), None);
    assert_eq!(c.get(), 1002.0);
}

/// Observations every test of native buckets makes, in each of three processes.
const NATIVE_VALUES: [f64; 7] = [0.5, 2.0, 2.1, -1.0, 0.0, 1.1, 1.3];

#[test]
fn native_histograms_count_every_process_into_one_set_of_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let config = HistogramConfig::new(&[1.0])
        .unwrap()
        .with_native(NativeConfig::new(1.1).unwrap())
        .unwrap();
    let shared = Family::<Histogram>::with_config(
        Opts::new("rpc_seconds", "RPC latency.").store(store.clone()),
        config.clone(),
    )
    .unwrap();
    let local = Histogram::new(&config);
    for _ in 0..3 {
        in_child(|| {
            let h = shared.with_label_values::<&str>(&[]).unwrap();
            for v in NATIVE_VALUES {
                h.observe(v).unwrap();
            }
        });
        for v in NATIVE_VALUES {
            local.observe(v).unwrap();
        }
    }
    let h = shared.with_label_values::<&str>(&[]).unwrap();
    // The same buckets, schema and zero bucket as one process making every observation.
    assert_eq!(h.native_buckets(), local.native_buckets());
    assert_eq!(h.snapshot(), local.snapshot());
    let buckets = h.native_buckets().unwrap();
    assert_eq!((buckets.schema, buckets.zero_count), (3, 3));
    assert_eq!(buckets.positive_counts.iter().sum::<u64>(), 15);
    let families = store.read().unwrap();
    let prometheus_emulator::PointValue::Histogram { count, native, .. } =
        &families[0].points[0].value
    else {
        panic!("not a histogram: {families:?}");
    };
    assert_eq!(*count, 21);
    assert_eq!(native.as_deref(), local.native_buckets().as_ref());
}

#[test]
fn native_histograms_in_the_store_keep_their_bucket_limit_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut native = NativeConfig::new(1.1).unwrap();
    native.max_bucket_number = 2;
    let config = HistogramConfig::native(native).unwrap();
    let shared =
        Family::<Histogram>::with_config(Opts::new("sizes", "Sizes.").store(store.clone()), config)
            .unwrap();
    let h = shared.with_label_values::<&str>(&[]).unwrap();
    in_child(|| {
        for v in [1.1, 1.2, 1.3, 1.4, 1.5] {
            h.observe(v).unwrap();
        }
    });
    let buckets = h.native_buckets().unwrap();
    assert!(buckets.positive_counts.len() <= 2, "{buckets:?}");
    assert!(buckets.schema < 3);
    assert_eq!(buckets.positive_counts.iter().sum::<u64>(), 5);
    // Many distinct buckets grow the tables and lose nothing.
    for i in 0..2000 {
        h.observe(1.0 + f64::from(i) * 0.37).unwrap();
    }
    assert_eq!(h.snapshot().count, 2005);
    // A reset or a widening zero bucket cannot be shared: such a family is refused.
    let mut resetting = NativeConfig::new(1.1).unwrap();
    resetting.min_reset_duration = std::time::Duration::from_secs(60);
    let refused = Family::<Histogram>::with_config(
        Opts::new("resetting", "R.").store(store.clone()),
        HistogramConfig::native(resetting).unwrap(),
    );
    assert!(matches!(refused, Err(Error::InvalidConfig(m)) if m.contains("shared store")));
}

#[test]
fn gauge_modes_combine_live_and_dead_processes_as_prometheus_client_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let modes = [
        ("g_all", GaugeMode::All),
        ("g_liveall", GaugeMode::LiveAll),
        ("g_sum", GaugeMode::Sum),
        ("g_livesum", GaugeMode::LiveSum),
        ("g_max", GaugeMode::Max),
        ("g_livemax", GaugeMode::LiveMax),
        ("g_min", GaugeMode::Min),
        ("g_mostrecent", GaugeMode::MostRecent),
        ("g_livemostrecent", GaugeMode::LiveMostRecent),
    ];
    let gauges: Vec<_> = modes.iter().map(|(n, m)| gauge(&store, n, *m)).collect();
    let set_all = |value: f64| {
        for g in &gauges {
            g.with_label_values::<&str>(&[])
                .unwrap()
                .set(value)
                .unwrap();
        }
    };
    // The parent is alive with 1; a child that died set 10.
    set_all(1.0);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let dead = in_child(|| set_all(10.0));
    let text = text(&store);
    let parent = std::process::id();
    assert_eq!(
        value(&text, &format!("g_all{{pid=\"{parent}\"}}")),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, &format!("g_all{{pid=\"{dead}\"}}")),
        Some(10.0)
    );
    assert_eq!(
        value(&text, &format!("g_liveall{{pid=\"{parent}\"}}")),
        Some(1.0)
    );
    assert_eq!(value(&text, &format!("g_liveall{{pid=\"{dead}\"}}")), None);
    assert_eq!(value(&text, "g_sum"), Some(11.0));
    assert_eq!(value(&text, "g_livesum"), Some(1.0));
    assert_eq!(value(&text, "g_max"), Some(10.0));
    assert_eq!(value(&text, "g_livemax"), Some(1.0));
    assert_eq!(value(&text, "g_min"), Some(1.0));
    assert_eq!(value(&text, "g_mostrecent"), Some(10.0));
    assert_eq!(value(&text, "g_livemostrecent"), Some(1.0));
    // A second dead child folds into what the dead left.
    in_child(|| set_all(-4.0));
    let text = self::text(&store);
    assert_eq!(value(&text, "g_sum"), Some(7.0), "{text}");
    assert_eq!(value(&text, "g_min"), Some(-4.0));
    assert_eq!(value(&text, "g_max"), Some(10.0));
    assert_eq!(value(&text, "g_mostrecent"), Some(-4.0));
    assert_eq!(value(&text, "g_livesum"), Some(1.0));
}

#[test]
fn a_gauge_reads_and_adds_to_its_own_process_value() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let g = gauge(&store, "inflight", GaugeMode::LiveSum)
        .with_label_values::<&str>(&[])
        .unwrap();
    g.set(2.0).unwrap();
    g.inc(3.0).unwrap();
    g.dec(1.0).unwrap();
    assert_eq!(g.get(), 4.0);
    in_child(|| {
        // The child starts from nothing: the parent's value is the parent's.
        assert_eq!(g.get(), 0.0);
        g.inc(1.0).unwrap();
    });
    assert_eq!(g.get(), 4.0);
}

#[test]
fn mark_process_dead_drops_a_process_from_the_live_modes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let g = gauge(&store, "workers", GaugeMode::LiveSum);
    g.with_label_values::<&str>(&[]).unwrap().set(1.0).unwrap();
    assert_eq!(value(&text(&store), "workers"), Some(1.0));
    assert_eq!(
        store
            .mark_process_dead(i64::from(std::process::id()))
            .unwrap(),
        1
    );
    assert_eq!(value(&text(&store), "workers"), None);
    assert_eq!(store.mark_process_dead(999_999_999).unwrap(), 0);
}

#[test]
fn ten_thousand_worker_lifetimes_leave_the_store_the_same_size() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreOptions {
            capacity_bytes: 4 << 20,
            max_processes: 16,
        },
    )
    .unwrap();
    let g = gauge(&store, "busy", GaugeMode::LiveSum);
    let all = gauge(&store, "busy_all", GaugeMode::All);
    let c = counter(&store, &[]);
    let lifetime = || {
        g.with_label_values::<&str>(&[]).unwrap().set(1.0).unwrap();
        all.with_label_values::<&str>(&[])
            .unwrap()
            .set(1.0)
            .unwrap();
        c.with_label_values::<&str>(&[]).unwrap().inc_one();
    };
    for _ in 0..50 {
        in_child(lifetime);
    }
    let used = store.used();
    for _ in 0..9_950 {
        in_child(lifetime);
    }
    assert_eq!(store.used(), used, "the store grew with worker churn");
    let text = text(&store);
    assert_eq!(value(&text, "jobs_total"), Some(10_000.0));
    // Dead workers' `all` values are kept only until their slots are taken again: at most one
    // per slot.
    let shown = text.lines().filter(|l| l.starts_with("busy_all{")).count();
    assert!(
        (1..=16).contains(&shown),
        "{shown} busy_all samples:\n{text}"
    );
}

#[test]
fn a_process_killed_holding_the_lock_leaves_a_usable_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let jobs = counter(&store, &["queue"]);
    jobs.with_label_values(&["before"])
        .unwrap()
        .inc(1.0)
        .unwrap();
    let mut fds = [0; 2];
    // SAFETY: a pipe for the child to say it holds the lock.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only takes the lock, writes a byte and sleeps.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let _ = store.with_lock_held(|| {
            // SAFETY: writing one byte to the pipe.
            unsafe { libc::write(fds[1], b"x".as_ptr().cast(), 1) };
            std::thread::sleep(std::time::Duration::from_secs(60));
        });
        // SAFETY: as in `in_child`.
        unsafe { libc::_exit(0) };
    }
    let mut byte = 0u8;
    // SAFETY: reading one byte from the pipe.
    assert_eq!(unsafe { libc::read(fds[0], (&raw mut byte).cast(), 1) }, 1);
    // SAFETY: killing our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    wait(pid);
    // A new label set needs the lock the dead child held.
    jobs.with_label_values(&["after"])
        .unwrap()
        .inc(2.0)
        .unwrap();
    let text = text(&store);
    assert_eq!(
        value(&text, "jobs_total{queue=\"before\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(value(&text, "jobs_total{queue=\"after\"}"), Some(2.0));
}

#[test]
fn a_family_described_otherwise_by_another_process_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    counter(&store, &["queue"]);
    let other_labels = Family::<Counter>::new(
        Opts::new("jobs", "Jobs done.")
            .labels(&["host"])
            .store(store.clone()),
    );
    assert!(matches!(other_labels, Err(Error::InvalidConfig(m)) if m.contains("\"jobs\"")));
    let other_type =
        Family::<Gauge>::new(Opts::new("jobs", "Jobs.").store(store.clone())).unwrap_err();
    assert!(matches!(other_type, Error::InvalidConfig(_)));
}

#[test]
fn types_and_options_the_store_cannot_hold_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let ttl = Family::<Counter>::new(
        Opts::new("c", "C.")
            .labels(&["a"])
            .series_ttl(std::time::Duration::from_secs(5))
            .store(store.clone()),
    );
    assert!(matches!(ttl, Err(Error::InvalidConfig(m)) if m.contains("series_ttl")));
}

#[test]
fn a_corrupt_or_foreign_file_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prometheus_emulator.store");
    std::fs::write(&path, vec![0x5au8; 8192]).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Store(m) if m.contains("magic")),
        "{err}"
    );

    // A store of another layout version.
    std::fs::remove_file(&path).unwrap();
    drop(open(dir.path()));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8] = 99;
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Store(m) if m.contains("layout 99")),
        "{err}"
    );

    // A damaged header field.
    bytes[8..12].copy_from_slice(&prometheus_emulator::store::layout::LAYOUT_VERSION.to_le_bytes());
    bytes[16] ^= 0xff; // the capacity
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(dir.path(), StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Store(m) if m.contains("inconsistent")),
        "{err}"
    );

    // A file too short to be a store, and a directory that is not there.
    std::fs::write(&path, b"PESTORE\0").unwrap();
    assert!(matches!(
        Store::open(dir.path(), StoreOptions::default()),
        Err(Error::Store(_))
    ));
    let missing = Store::open(&dir.path().join("missing"), StoreOptions::default());
    assert!(matches!(missing, Err(Error::Io(_))));
}

#[test]
fn a_corrupt_record_offset_is_an_error_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prometheus_emulator.store");
    let store = open(dir.path());
    counter(&store, &[]);
    drop(store);
    // The family list's head (the header's `families` word, at offset 72) pointed far away.
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    use std::os::unix::fs::FileExt;
    file.write_all_at(&u64::MAX.to_le_bytes(), 72).unwrap();
    let store = open(dir.path());
    assert!(matches!(store.read(), Err(Error::Store(m)) if m.contains("out of bounds")));
    let again = Family::<Counter>::new(Opts::new("other", "O.").store(store.clone()));
    assert!(matches!(again, Err(Error::Store(_))));
}

#[test]
fn a_full_store_refuses_new_series_and_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreOptions {
            capacity_bytes: 1 << 20,
            max_processes: 4,
        },
    )
    .unwrap();
    let jobs = counter(&store, &["n"]);
    let mut made = 0;
    let err = loop {
        match jobs.with_label_values(&[made.to_string()]) {
            Ok(child) => child.inc_one(),
            Err(err) => break err,
        }
        made += 1;
    };
    assert!(
        matches!(&err, Error::Store(m) if m.contains("full")),
        "{err}"
    );
    assert!(made > 1000, "only {made} series fit");
    let text = text(&store);
    assert_eq!(value(&text, "jobs_total{n=\"0\"}"), Some(1.0));
}
