//! Gives the shared library a SONAME carrying the ABI major version, so programs linked against
//! `libprometheus_emulator.so.0` keep working across compatible releases.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libprometheus_emulator.so.{major}");
        let map = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("bindings/c/exports.map");
        println!("cargo:rerun-if-changed={}", map.display());
        println!(
            "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
            map.display()
        );
    }
}
