//! The generated NULL sweep: every function of the header, called from C with each pointer
//! argument NULL in turn, and with a zeroed block and a handle of another type in place of each
//! handle argument. Each call must return a status (`PE_ERR_NULL` for a required pointer,
//! `PE_ERR_WRONG_KIND` for a bad handle, with a message in `pe_last_error()` naming the
//! function), or be a documented no-op (the free functions); none may crash.
//!
//! The function list is read from include/prometheus_emulator.h, so a new function is swept as
//! soon as it is in the header, and a parameter type the generator does not know fails the test
//! until it is taught here. Every `pe_` symbol the library exports must be in the header too.

mod support;
use support::c as common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use common::{Link, build_c, root, run_program, shared_lib};

/// The handle types; `pe_collect_builder` only exists inside a custom collector's callback.
const HANDLES: &[&str] = &[
    "registry",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "info",
    "enum",
    "collector",
    "snapshot",
    "collect_builder",
    "exporter",
    "sender",
    "store",
];

/// The function that releases a handle of this type: `pe_<type>_free()`, except for the exporter,
/// which `pe_exporter_stop()` stops and frees.
fn release_function(handle: &str) -> String {
    match handle {
        "exporter" => "pe_exporter_stop".into(),
        other => format!("pe_{other}_free"),
    }
}

/// Whether a function releases a handle: a no-op on NULL or a bad handle, returning nothing.
fn is_release(function: &str) -> bool {
    function.ends_with("_free") || function == "pe_exporter_stop"
}

/// Pointer parameters that may be NULL (documented in the header): the call must still return
/// a status, but not necessarily `PE_ERR_NULL`.
fn optional(function: &str, param: &str) -> bool {
    matches!(
        param,
        // optional strings, the default registry, caller data
        "help" | "unit" | "registry" | "user_data" | "free_user_data"
    ) || matches!(
        (function, param),
        (
            "pe_histogram_new" | "pe_histogram_new_opts" | "pe_histogram_new_native",
            "buckets"
        ) | (
            "pe_histogram_native_state",
            "schema" | "zero_threshold" | "zero_count" | "n_positive" | "n_negative"
        ) | (
            "pe_snapshot_sample_native",
            "schema" | "zero_threshold" | "zero_count" | "n_positive" | "n_negative"
        ) | (
            "pe_histogram_native_buckets" | "pe_snapshot_sample_native_buckets",
            "keys" | "counts"
        ) | ("pe_native_bucket_bounds", "lower" | "upper")
            | ("pe_push" | "pe_pushadd" | "pe_push_delete", "options")
            | ("pe_store_open", "options")
            | ("pe_negotiate_format" | "pe_negotiate", "accept")
            | ("pe_negotiate", "content_type")
            | (
                "pe_counter_remove_matching"
                    | "pe_gauge_remove_matching"
                    | "pe_histogram_remove_matching"
                    | "pe_summary_remove_matching"
                    | "pe_info_remove_matching"
                    | "pe_enum_remove_matching",
                "removed"
            )
            | ("pe_accepts_gzip", "accept_encoding")
            | ("pe_registry_wrap", "parent" | "prefix")
            | (
                "pe_registry_expose"
                    | "pe_registry_expose_filtered"
                    | "pe_registry_expose_escaped"
                    | "pe_registry_expose_filtered_escaped"
                    | "pe_snapshot_json"
                    | "pe_snapshot_json_columns",
                "len"
            )
            | (
                "pe_histogram_buckets" | "pe_histogram_buckets_labels",
                "upper_bounds" | "cumulative_counts"
            )
    )
}

#[derive(Clone, Debug, PartialEq)]
enum Param {
    /// `pe_X *` or `const pe_X *`.
    Handle(String),
    /// `pe_X **`: an out-pointer receiving a new handle.
    OutHandle(String),
    /// `const char *`.
    Str,
    /// `const char *const *`.
    StrArray,
    /// `const char **`: a borrowed string out.
    OutStr,
    /// `char **`: an owned string out.
    OutOwnedStr,
    /// `char *`: an owned string in (`pe_string_free`).
    OwnedStr,
    /// `T *` for a scalar T: an out value or caller array.
    OutScalar(String),
    /// `const T *` for a scalar T: an input array.
    InArray(String),
    /// `const pe_metric_opts *`.
    Opts,
    /// `const pe_exporter_options *`.
    ExporterOpts,
    /// `const pe_native_histogram_opts *`.
    NativeOpts,
    /// `const pe_push_options *`.
    PushOptions,
    /// `const pe_sender_options *`.
    SenderOptions,
    /// `const pe_exposition_style *`.
    Style,
    /// `const pe_store_options *`.
    StoreOptions,
    /// `void *`.
    UserData,
    /// A function pointer typedef.
    Callback(String),
    /// A value.
    Scalar(String),
}

impl Param {
    fn is_pointer(&self) -> bool {
        !matches!(self, Param::Scalar(_))
    }
}

struct Function {
    name: String,
    returns: String,
    params: Vec<(Param, String)>,
}

/// Classifies a C parameter type, with `struct` and `enum` tags removed and spaces normalised.
fn classify(ty: &str, function: &str) -> Param {
    let ty = ty
        .split_whitespace()
        .filter(|word| *word != "struct" && *word != "enum")
        .collect::<Vec<_>>()
        .join(" ");
    let handle = |t: &str| {
        HANDLES
            .iter()
            .find(|h| t == format!("pe_{h}"))
            .map(|h| h.to_string())
    };
    if let Some(base) = ty.strip_suffix(" **") {
        if let Some(h) = handle(base) {
            return Param::OutHandle(h);
        }
    }
    if let Some(base) = ty.strip_suffix(" *") {
        let base = base.strip_prefix("const ").unwrap_or(base);
        if let Some(h) = handle(base) {
            return Param::Handle(h);
        }
    }
    match ty.as_str() {
        "const char *" => Param::Str,
        "const char *const *" => Param::StrArray,
        "const char **" => Param::OutStr,
        "char **" => Param::OutOwnedStr,
        "char *" => Param::OwnedStr,
        "const pe_metric_opts *" => Param::Opts,
        "const pe_exporter_options *" => Param::ExporterOpts,
        "const pe_native_histogram_opts *" => Param::NativeOpts,
        "const pe_push_options *" => Param::PushOptions,
        "const pe_sender_options *" => Param::SenderOptions,
        "const pe_exposition_style *" => Param::Style,
        "const pe_store_options *" => Param::StoreOptions,
        "pe_exposition_style *" => Param::OutScalar("pe_exposition_style".into()),
        "pe_counter_cells *" => Param::OutScalar("pe_counter_cells".into()),
        "pe_gauge_cell *" => Param::OutScalar("pe_gauge_cell".into()),
        "void *" => Param::UserData,
        "pe_value_fn" | "pe_free_fn" | "pe_collect_fn" => Param::Callback(ty),
        "double" | "size_t" | "int32_t" | "int64_t" | "uint32_t" | "uint64_t" | "bool"
        | "pe_format" | "pe_metric_type" | "pe_status" | "pe_escaping" | "pe_name_validation" => {
            Param::Scalar(ty)
        }
        "double *"
        | "int32_t *"
        | "uint64_t *"
        | "uint16_t *"
        | "size_t *"
        | "bool *"
        | "pe_metric_type *"
        | "pe_format *"
        | "pe_escaping *"
        | "pe_name_validation *" => Param::OutScalar(ty.trim_end_matches(" *").to_string()),
        // A borrowed array out (`pe_snapshot_families`).
        "const pe_snapshot_family **" => Param::OutScalar("const pe_snapshot_family *".into()),
        "const double *" | "const uint64_t *" | "const int32_t *" | "const bool *" => {
            Param::InArray(
                ty.trim_start_matches("const ")
                    .trim_end_matches(" *")
                    .to_string(),
            )
        }
        _ => panic!(
            "the NULL sweep does not know the parameter type `{ty}` of {function}: teach \
             classify() in tests/c_null_sweep.rs"
        ),
    }
}

/// The functions declared in the header's `extern "C"` block.
fn parse_header(header: &str) -> Vec<Function> {
    let mut text = String::new();
    let mut rest = header;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("unterminated comment") + start + 2;
        rest = &rest[end..];
    }
    text.push_str(rest);
    let text: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let block_start = text.find("extern \"C\" {").expect("extern \"C\" block") + 12;
    let block = &text[block_start..];
    let block = &block[..block.rfind('}').expect("end of extern \"C\" block")];
    block
        .split(';')
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty())
        .map(|decl| {
            let open = decl
                .find('(')
                .unwrap_or_else(|| panic!("not a function: {decl}"));
            let head = &decl[..open];
            let name_start = head
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap()
                + 1;
            let name = head[name_start..].to_string();
            let returns = head[..name_start].trim().replace("enum ", "");
            let args = decl[open + 1..decl.rfind(')').unwrap()].trim();
            let params = if args == "void" {
                Vec::new()
            } else {
                args.split(',')
                    .map(|arg| {
                        let arg = arg.trim();
                        let split = arg
                            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .expect("named parameter")
                            + 1;
                        let (ty, param) = (arg[..split].trim(), arg[split..].to_string());
                        (classify(ty, &name), param)
                    })
                    .collect()
            };
            Function {
                name,
                returns,
                params,
            }
        })
        .collect()
}

/// The argument of `param` for a call that should otherwise succeed. `locals` gathers the
/// declarations of the call's out-variables, `after` their clean-up.
fn baseline(
    param: &Param,
    index: usize,
    in_builder: bool,
    locals: &mut String,
    after: &mut String,
) -> String {
    match param {
        Param::Handle(h) if h == "collect_builder" => {
            assert!(in_builder);
            "b".into()
        }
        Param::Handle(h) => format!("h_{h}"),
        Param::OutHandle(h) => {
            writeln!(locals, "        pe_{h} *o{index} = NULL;").unwrap();
            writeln!(after, "        {}(o{index});", release_function(h)).unwrap();
            format!("&o{index}")
        }
        Param::Str => "\"a\"".into(),
        Param::StrArray => "strs".into(),
        Param::OutStr => {
            writeln!(locals, "        const char *o{index} = NULL;").unwrap();
            writeln!(after, "        (void)o{index};").unwrap();
            format!("&o{index}")
        }
        Param::OutOwnedStr => {
            writeln!(locals, "        char *o{index} = NULL;").unwrap();
            writeln!(after, "        pe_string_free(o{index});").unwrap();
            format!("&o{index}")
        }
        Param::OwnedStr => "NULL".into(),
        Param::OutScalar(t) => {
            writeln!(locals, "        {t} o{index}[16];").unwrap();
            writeln!(after, "        (void)o{index};").unwrap();
            format!("o{index}")
        }
        Param::InArray(t) => format!("in_{}", t.trim_end_matches("_t")),
        Param::Opts => "&opts".into(),
        Param::ExporterOpts => "&exporter_opts".into(),
        Param::NativeOpts => "&native_opts".into(),
        Param::PushOptions => "&push_options".into(),
        Param::SenderOptions => "&sender_options".into(),
        Param::Style => "&style".into(),
        Param::StoreOptions => "&store_options".into(),
        Param::UserData => "NULL".into(),
        Param::Callback(t) => format!("sweep_{}", t.trim_start_matches("pe_")),
        Param::Scalar(t) => match t.as_str() {
            "double" => "1.0".into(),
            "size_t" | "uint64_t" | "int64_t" => "1".into(),
            "uint32_t" | "int32_t" => "0".into(),
            "bool" => "false".into(),
            "pe_format" => "PE_FORMAT_PROMETHEUS".into(),
            "pe_escaping" => "PE_ESCAPING_UNDERSCORES".into(),
            "pe_name_validation" => "PE_NAME_VALIDATION_UTF8".into(),
            "pe_metric_type" => "PE_METRIC_GAUGE".into(),
            "pe_status" => "PE_ERR_NULL".into(),
            other => panic!("no baseline for {other}"),
        },
    }
}

/// What a variant of a call must return.
enum Expect {
    Status(&'static str),
    AnyStatus,
    Nothing,
}

/// One call: `args[i]` replaced by `replacement`, expecting `expect`.
fn emit_call(
    out: &mut String,
    function: &Function,
    in_builder: bool,
    replaced: Option<(usize, &str)>,
    expect: Expect,
    what: &str,
) {
    let mut locals = String::new();
    let mut after = String::new();
    let args: Vec<String> = function
        .params
        .iter()
        .enumerate()
        .map(|(i, (param, name))| {
            let value = if name == "gateway" {
                // The calls that get through (NULL registry, NULL options) really push: to a
                // closed loopback port, refused at once, rather than to a host named "a".
                "\"127.0.0.1:1\"".to_string()
            } else {
                baseline(param, i, in_builder, &mut locals, &mut after)
            };
            match replaced {
                Some((index, replacement)) if index == i => replacement.to_string(),
                _ => value,
            }
        })
        .collect();
    let call = format!("{}({})", function.name, args.join(", "));
    let label = format!("{}: {what}", function.name);
    writeln!(out, "    {{").unwrap();
    out.push_str(&locals);
    match expect {
        Expect::Nothing => writeln!(out, "        {call};\n        count(\"{label}\");").unwrap(),
        Expect::Status(status) => writeln!(
            out,
            "        expect({call}, {status}, \"{}\", \"{label}\");",
            function.name
        )
        .unwrap(),
        Expect::AnyStatus => writeln!(
            out,
            "        expect({call}, ANY_STATUS, \"{}\", \"{label}\");",
            function.name
        )
        .unwrap(),
    }
    out.push_str(&after);
    writeln!(out, "    }}").unwrap();
}

/// The sweep of one function: every pointer NULL in turn, every handle zeroed and of the wrong
/// type. Returns how many calls it emitted.
fn emit_function(out: &mut String, function: &Function, in_builder: bool) -> usize {
    let is_free = is_release(&function.name);
    let mut calls = 0;
    if !function.params.iter().any(|(p, _)| p.is_pointer()) && function.returns == "pe_status" {
        // pe_set_name_validation: nothing to sweep; it must answer with a status.
        emit_call(
            out,
            function,
            in_builder,
            None,
            Expect::AnyStatus,
            "values only",
        );
        return 1;
    }
    if !function.params.iter().any(|(p, _)| p.is_pointer()) {
        // pe_last_error, pe_version, pe_status_str: nothing to sweep; they must answer.
        assert_eq!(function.returns, "const char *", "{}", function.name);
        let mut locals = String::new();
        let args: Vec<String> = function
            .params
            .iter()
            .enumerate()
            .map(|(i, (p, _))| baseline(p, i, in_builder, &mut locals, &mut String::new()))
            .collect();
        writeln!(
            out,
            "    check_string({}({}), \"{}\");",
            function.name,
            args.join(", "),
            function.name
        )
        .unwrap();
        return 1;
    }
    for (i, (param, name)) in function.params.iter().enumerate() {
        if !param.is_pointer() {
            continue;
        }
        let expect = if is_free {
            Expect::Nothing
        } else if optional(&function.name, name) {
            Expect::AnyStatus
        } else {
            Expect::Status("PE_ERR_NULL")
        };
        emit_call(
            out,
            function,
            in_builder,
            Some((i, "NULL")),
            expect,
            &format!("{name} = NULL"),
        );
        calls += 1;
        if let Param::Handle(h) = param {
            let expect = || {
                if is_free {
                    Expect::Nothing
                } else {
                    Expect::Status("PE_ERR_WRONG_KIND")
                }
            };
            emit_call(
                out,
                function,
                in_builder,
                Some((i, "(void *)zeroed")),
                expect(),
                &format!("{name} = zeroed"),
            );
            let wrong = if h == "counter" {
                "(void *)h_gauge"
            } else {
                "(void *)h_counter"
            };
            emit_call(
                out,
                function,
                in_builder,
                Some((i, wrong)),
                expect(),
                &format!("{name} = wrong kind"),
            );
            calls += 2;
        }
    }
    calls
}

const PRELUDE: &str = r#"/* Generated by tests/c_null_sweep.rs from include/prometheus_emulator.h: do not edit. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prometheus_emulator.h"

#define ANY_STATUS ((pe_status)-1)

static uint64_t zeroed[64];
static pe_registry *h_registry;
static pe_counter *h_counter;
static pe_gauge *h_gauge;
static pe_histogram *h_histogram;
static pe_summary *h_summary;
static pe_info *h_info;
static pe_enum *h_enum;
static pe_collector *h_collector;
static pe_snapshot *h_snapshot;
static pe_exporter *h_exporter;
static pe_sender *h_sender;
static pe_store *h_store;
static pe_store_options store_options;
static const char *strs[16] = {"a", "a", "a", "a", "a", "a", "a", "a",
                               "a", "a", "a", "a", "a", "a", "a", "a"};
static const double in_double[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint64_t in_uint64[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const bool in_bool[16] = {true};
static const int32_t in_int32[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static pe_metric_opts opts;
static pe_exporter_options exporter_opts;
static pe_native_histogram_opts native_opts;
static pe_push_options push_options;
static pe_sender_options sender_options;
static pe_exposition_style style;
static int calls, failures;

static double sweep_value_fn(void *user_data) { (void)user_data; return 1; }
static void sweep_free_fn(void *user_data) { (void)user_data; }
static void sweep_collect_fn(pe_collect_builder *b, void *user_data) { (void)b; (void)user_data; }

static void count(const char *what) { (void)what; calls++; }

/* A status in range, the expected one when given, and a message naming the function. */
static void expect(pe_status got, pe_status want, const char *function, const char *what) {
    calls++;
    if ((int)got < 0 || (int)got > PE_ERR_HTTP) {
        printf("FAIL %s: status %d out of range\n", what, (int)got);
        failures++;
    } else if (want != ANY_STATUS && got != want) {
        printf("FAIL %s: status %d (%s), expected %d: %s\n", what, (int)got, pe_status_str(got),
               (int)want, pe_last_error());
        failures++;
    } else if (got != PE_OK && strncmp(pe_last_error(), function, strlen(function)) != 0) {
        printf("FAIL %s: message \"%s\" does not name the function\n", what, pe_last_error());
        failures++;
    }
}

static void check_string(const char *s, const char *what) {
    calls++;
    if (s == NULL) {
        printf("FAIL %s returned NULL\n", what);
        failures++;
    }
}

static void must(pe_status status, const char *what) {
    if (status != PE_OK) {
        printf("setup failed: %s: %s\n", what, pe_last_error());
        exit(1);
    }
}
"#;

#[test]
fn every_function_survives_null_and_bad_handles() {
    let header = std::fs::read_to_string(root().join("include/prometheus_emulator.h"))
        .expect("read the header");
    let functions = parse_header(&header);

    // The parser found every declaration: count `pe_...(` prototypes another way.
    let declared = header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('*') && !l.starts_with('/'))
        .filter(|l| !l.starts_with("typedef") && !l.starts_with('#'))
        .filter(|l| l.contains(" pe_") || l.contains("*pe_"))
        .filter(|l| l.contains('('))
        .count();
    assert_eq!(
        functions.len(),
        declared,
        "header parser missed declarations"
    );
    assert!(
        functions.len() > 100,
        "only {} functions parsed",
        functions.len()
    );

    let mut main_calls = String::new();
    let mut builder_calls = String::new();
    let mut total = 0;
    let mut pointer_args = 0;
    for function in &functions {
        let in_builder = function
            .params
            .iter()
            .any(|(p, _)| *p == Param::Handle("collect_builder".into()));
        let out = if in_builder {
            &mut builder_calls
        } else {
            &mut main_calls
        };
        writeln!(out, "    /* {} */", function.name).unwrap();
        total += emit_function(out, function, in_builder);
        pointer_args += function
            .params
            .iter()
            .filter(|(p, _)| p.is_pointer())
            .count();
    }

    let mut source = String::from(PRELUDE);
    writeln!(
        source,
        "\nstatic void sweep_builder(pe_collect_builder *b, void *user_data) {{\n    static int ran = 0;\n    (void)user_data;\n    if (ran++) return; /* later collections (the sweep's own scrapes) add nothing */\n    must(pe_collect_family(b, \"f\", NULL, PE_METRIC_GAUGE, NULL), \"family\");\n{builder_calls}}}\n"
    )
    .unwrap();
    source.push_str(
        r#"int main(void) {
    const char *states[] = {"a", "b"};
    opts.struct_size = sizeof opts;
    opts.name = "sweep_opts";
    native_opts.struct_size = sizeof native_opts;
    native_opts.bucket_factor = 2;
    exporter_opts.struct_size = sizeof exporter_opts;
    exporter_opts.address = "127.0.0.1:0";
    push_options.struct_size = sizeof push_options;
    style.struct_size = sizeof style;
    push_options.timeout_ms = 2000;
    /* A sender that really runs (the calls that get through start one): to a closed loopback
       port, refused at once, never collecting on its own within the sweep. */
    sender_options.struct_size = sizeof sender_options;
    sender_options.url = "http://127.0.0.1:1/api/v1/write";
    sender_options.interval_ms = 3600000;
    must(pe_registry_new(&h_registry), "registry");
    must(pe_counter_new("sweep_counter", NULL, NULL, 0, &h_counter), "counter");
    must(pe_gauge_new("sweep_gauge", NULL, NULL, 0, &h_gauge), "gauge");
    must(pe_histogram_new("sweep_histogram", NULL, NULL, 0, NULL, 0, &h_histogram), "histogram");
    must(pe_summary_new("sweep_summary", NULL, NULL, 0, &h_summary), "summary");
    must(pe_info_new("sweep_info", NULL, NULL, 0, &h_info), "info");
    must(pe_enum_new("sweep_enum", NULL, NULL, 0, states, 2, &h_enum), "enum");
    must(pe_collector_new(sweep_builder, NULL, NULL, &h_collector), "collector");
    must(pe_registry_register_collector(h_registry, h_collector), "register");
    must(pe_registry_register_counter(h_registry, h_counter), "register counter");
    must(pe_registry_snapshot(h_registry, &h_snapshot), "snapshot"); /* runs sweep_builder */
    must(pe_exporter_start(&exporter_opts, h_registry, &h_exporter), "exporter");
    must(pe_sender_start(h_registry, &sender_options, &h_sender), "sender");
    /* A store in a directory of its own, removed at the end. */
    char store_dir[] = "/tmp/pe_sweep_store_XXXXXX";
    if (!mkdtemp(store_dir)) { printf("FAIL mkdtemp\n"); return 1; }
    store_options.struct_size = sizeof store_options;
    must(pe_store_open(store_dir, NULL, &h_store), "store");
    int builder_calls = calls;
    if (builder_calls == 0) { printf("FAIL the builder sweep did not run\n"); failures++; }

"#,
    );
    source.push_str(&main_calls);
    source.push_str(
        r#"
    /* The handles survived every bad call, including frees of the wrong type. */
    double value;
    must(pe_counter_inc(h_counter, 1), "counter still alive");
    must(pe_gauge_get(h_gauge, &value), "gauge still alive");
    must(pe_histogram_observe(h_histogram, 1), "histogram still alive");
    must(pe_summary_observe(h_summary, 1), "summary still alive");
    must(pe_info_set(h_info, NULL, NULL, 0), "info still alive");
    must(pe_enum_set(h_enum, "b"), "enum still alive");
    size_t n;
    must(pe_snapshot_family_count(h_snapshot, &n), "snapshot still alive");
    pe_snapshot *again = NULL;
    must(pe_registry_snapshot(h_registry, &again), "registry still alive");
    pe_snapshot_free(again);
    uint16_t port = 0;
    must(pe_exporter_port(h_exporter, &port), "exporter still alive");
    if (port == 0) { printf("FAIL the exporter has no port\n"); failures++; }
    pe_exporter_stop(h_exporter);
    char *sender_error = NULL;
    must(pe_sender_last_error(h_sender, &sender_error), "sender still alive");
    pe_string_free(sender_error);
    (void)pe_sender_stop(h_sender, 0.1);
    pe_sender_free(h_sender);
    pe_snapshot_free(h_snapshot);
    pe_collector_free(h_collector);
    pe_enum_free(h_enum);
    pe_info_free(h_info);
    pe_summary_free(h_summary);
    pe_histogram_free(h_histogram);
    pe_gauge_free(h_gauge);
    pe_counter_free(h_counter);
    pe_registry_free(h_registry);
    must(pe_store_mark_process_dead(h_store, 1), "store still alive");
    pe_store_free(h_store);
    char store_file[64];
    snprintf(store_file, sizeof store_file, "%s/prometheus_emulator.store", store_dir);
    unlink(store_file);
    rmdir(store_dir);
    printf("%d calls, %d failures\n", calls, failures);
    return failures != 0;
}
"#,
    );

    let path = common::out_dir().join("null_sweep.c");
    std::fs::write(&path, &source).expect("write the sweep");
    let binary = build_c("null_sweep", &[PathBuf::from(&path)], Link::Static);
    let output = run_program(&binary);
    assert_eq!(
        output.trim_end(),
        format!("{total} calls, 0 failures"),
        "unexpected sweep output"
    );
    println!(
        "NULL sweep: {} functions, {pointer_args} pointer arguments, {total} calls",
        functions.len()
    );
}

/// Every `pe_` function the shared library exports is declared in the header.
#[test]
fn every_exported_symbol_is_in_the_header() {
    let header = std::fs::read_to_string(root().join("include/prometheus_emulator.h"))
        .expect("read the header");
    let declared: BTreeSet<String> = parse_header(&header).into_iter().map(|f| f.name).collect();
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(shared_lib())
        .output()
        .expect("run nm");
    let exported: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("pe_"))
        .map(str::to_string)
        .collect();
    assert!(!exported.is_empty(), "nm found no pe_ symbol");
    let missing: Vec<_> = exported.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "exported but not in the header: {missing:?}"
    );
    let absent: Vec<_> = declared.difference(&exported).collect();
    assert!(
        absent.is_empty(),
        "in the header but not exported: {absent:?}"
    );
}
