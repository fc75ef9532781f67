//! The committed header is what cbindgen generates from the current sources.
//!
//! Run with `PE_UPDATE_HEADER=1` to rewrite `include/prometheus_emulator.h`.

use std::path::Path;

#[test]
fn committed_header_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");

    let path = root.join("include/prometheus_emulator.h");
    if std::env::var_os("PE_UPDATE_HEADER").is_some_and(|v| v != "0") {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(generated.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "include/prometheus_emulator.h is stale (first difference at line {line}).\n\
             Regenerate it with: PE_UPDATE_HEADER=1 cargo test --test header_fresh"
        );
    }
}

/// The version macros, written by hand in cbindgen.toml, follow Cargo.toml.
#[test]
fn version_macros_match_the_crate() {
    let header = include_str!("../include/prometheus_emulator.h");
    for (macro_name, value) in [
        ("PE_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("PE_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PE_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define {macro_name} {value}\n");
        assert!(
            header.contains(&line),
            "the header lacks `{}`: update after_includes in cbindgen.toml, then regenerate",
            line.trim_end()
        );
    }
}
