//! Building and running C programs against the library, for the `c_*` and `header_*` tests.
//!
//! `cargo test` builds the static and shared libraries into target/<profile>/deps/, next to the
//! test binaries (it copies them up to target/<profile>/ only on `cargo build`, so the copies there
//! can be stale); the programs are compiled with the C compiler `cc` finds (honouring `CC`/`CXX`)
//! into target/<profile>/c-tests/.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The strict warning set every C source and the header must compile with.
pub const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"];
pub const CXX_FLAGS: &[&str] = &["-std=c++17", "-Wall", "-Wextra", "-pedantic", "-Werror"];

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// target/<profile>/, found from the running test binary (target/<profile>/deps/<test>).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary in target/<profile>/deps")
        .to_path_buf()
}

/// Where compiled C programs go.
pub fn out_dir() -> PathBuf {
    let dir = profile_dir().join("c-tests");
    std::fs::create_dir_all(&dir).expect("create c-tests dir");
    dir
}

/// target/<profile>/deps/, where `cargo test` puts the freshly built libraries.
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent().expect("test binary in deps/").to_path_buf()
}

pub fn static_lib() -> PathBuf {
    let lib = lib_dir().join("libprometheus_emulator.a");
    assert!(lib.exists(), "{} not built", lib.display());
    lib
}

pub fn shared_lib() -> PathBuf {
    let lib = lib_dir().join("libprometheus_emulator.so");
    assert!(lib.exists(), "{} not built", lib.display());
    lib
}

/// The host triple, which `cc` needs outside a build script.
fn triple() -> String {
    std::env::var("TARGET").unwrap_or_else(|_| {
        format!(
            "{}-unknown-{}-gnu",
            std::env::consts::ARCH,
            std::env::consts::OS
        )
    })
}

/// The C (or C++) compiler, as `cc` finds it.
pub fn compiler(cpp: bool) -> Command {
    let triple = triple();
    cc::Build::new()
        .cpp(cpp)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .target(&triple)
        .host(&triple)
        .opt_level(0)
        .debug(false)
        .try_get_compiler()
        .expect("no C compiler found")
        .to_command()
}

/// Runs a command; on failure panics with its output.
pub fn run(mut command: Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    if !output.status.success() {
        let line: Vec<String> = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        panic!(
            "{what} failed ({}):\n--- command\n{}\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            line.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// How a program links the library.
#[derive(Clone, Copy)]
pub enum Link {
    Static,
    Shared,
}

/// Compiles C sources (paths relative to tests/c/, or absolute) into `name`, with the strict
/// warning set, tests/c/ and include/ on the include path, linked with the library.
pub fn build_c(name: &str, sources: &[PathBuf], link: Link) -> PathBuf {
    let binary = out_dir().join(name);
    let mut cmd = compiler(false);
    cmd.args(C_FLAGS)
        .arg("-g")
        .arg("-D_POSIX_C_SOURCE=200809L")
        .arg("-I")
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("tests/c"));
    for source in sources {
        cmd.arg(root().join("tests/c").join(source));
    }
    cmd.arg("-o").arg(&binary);
    match link {
        Link::Static => {
            cmd.arg(static_lib());
        }
        Link::Shared => {
            let lib = shared_lib();
            let dir = lib_dir();
            cmd.arg(lib).arg(format!("-Wl,-rpath,{}", dir.display()));
        }
    }
    cmd.args(["-lpthread", "-ldl", "-lm"]);
    run(cmd, &format!("compiling {name}"));
    binary
}

/// Runs a compiled test program, which must exit 0; returns its stdout.
pub fn run_program(binary: &Path) -> String {
    let mut cmd = Command::new(binary);
    if let Some(dir) = soname_dir() {
        cmd.env("LD_LIBRARY_PATH", dir);
    }
    let output = run(cmd, &binary.display().to_string());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Compiles `tests/c/<name>.c` linked statically and runs it.
pub fn c_test(name: &str) -> String {
    let binary = build_c(name, &[PathBuf::from(format!("{name}.c"))], Link::Static);
    run_program(&binary)
}

/// When the shared library carries a SONAME that is not a file next to it (a versioned name set
/// by the build script), a directory holding a link of that name, for the dynamic loader.
fn soname_dir() -> Option<PathBuf> {
    let lib = shared_lib();
    let output = Command::new("readelf").arg("-d").arg(&lib).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let soname = text
        .lines()
        .find(|l| l.contains("(SONAME)"))?
        .split('[')
        .nth(1)?
        .trim_end_matches(']')
        .to_string();
    if lib_dir().join(&soname).exists() {
        return None;
    }
    let dir = out_dir().join("soname");
    std::fs::create_dir_all(&dir).ok()?;
    let link = dir.join(&soname);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&lib, &link).ok()?;
    Some(dir)
}
