//! The header compiles alone, twice included, as strict C99 and as strict C++17.

mod support;
use support::c as common;

use common::{C_FLAGS, CXX_FLAGS, compiler, out_dir, root, run};

fn compile_alone(cpp: bool) {
    let (extension, flags) = if cpp {
        ("cpp", CXX_FLAGS)
    } else {
        ("c", C_FLAGS)
    };
    let source = out_dir().join(format!("header_alone.{extension}"));
    std::fs::write(
        &source,
        "#include \"prometheus_emulator.h\"\n\
         #include \"prometheus_emulator.h\"\n\
         /* Something to compile, using a type of each kind. */\n\
         pe_status header_probe(pe_counter **out, pe_metric_opts *opts, pe_format f,\n\
                                pe_metric_type t, pe_value_fn fn);\n\
         pe_status header_probe(pe_counter **out, pe_metric_opts *opts, pe_format f,\n\
                                pe_metric_type t, pe_value_fn fn) {\n\
             (void)f; (void)t; (void)fn;\n\
             return pe_counter_new_opts(opts, out);\n\
         }\n",
    )
    .expect("write the probe");
    let mut cmd = compiler(cpp);
    cmd.args(flags)
        .arg("-I")
        .arg(root().join("include"))
        .arg("-c")
        .arg(&source)
        .arg("-o")
        .arg(out_dir().join(format!("header_alone_{extension}.o")));
    run(cmd, &format!("compiling the header as {extension}"));
}

#[test]
fn header_compiles_as_c99() {
    compile_alone(false);
}

#[test]
fn header_compiles_as_cpp17() {
    compile_alone(true);
}

/// A C++ program links against the library: the `extern "C"` guards are right.
#[test]
fn cpp_program_links_and_runs() {
    let source = out_dir().join("cpp_program.cpp");
    std::fs::write(
        &source,
        r#"#include <cstdio>
#include <cstring>
#include "prometheus_emulator.h"
int main() {
    pe_counter *counter = nullptr;
    if (pe_counter_new("cpp_total", "From C++.", nullptr, 0, &counter) != PE_OK) return 1;
    if (pe_counter_inc(counter, 2) != PE_OK) return 2;
    double value = 0;
    if (pe_counter_get(counter, &value) != PE_OK || value != 2) return 3;
    if (pe_counter_inc(counter, -1) != PE_ERR_INVALID_VALUE) return 4;
    if (std::strstr(pe_last_error(), "counters can only increase") == nullptr) return 5;
    pe_counter_free(counter);
    std::printf("%s\n", pe_version());
    return 0;
}
"#,
    )
    .expect("write the program");
    let binary = out_dir().join("cpp_program");
    let mut cmd = compiler(true);
    cmd.args(CXX_FLAGS)
        .arg("-I")
        .arg(root().join("include"))
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .arg(common::static_lib())
        .args(["-lpthread", "-ldl", "-lm"]);
    run(cmd, "compiling the C++ program");
    let output = run(
        std::process::Command::new(&binary),
        "running the C++ program",
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
}
