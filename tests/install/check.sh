#!/usr/bin/env bash
# Installs the library into a temporary prefix, then builds the C and C++ examples against the
# installed copy the two ways users do (pkg-config, shared and static; CMake's find_package,
# shared and static) and runs each build. Run by `make test` (target install-check).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
examples="$root/bindings/c/examples"
profile=${PROFILE:-debug}

make -C "$root" --no-print-directory -s install PREFIX="$prefix" PROFILE="$profile" >/dev/null

fail() { echo "install-check: $*" >&2; exit 1; }

# The demo prints the labelled counter it bound; the RAII example its bound child's value. The
# output is captured first: grep -q stopping early would fail the pipeline under pipefail.
expect_demo() {
  local out; out=$("$1") || fail "$1 failed"
  grep -q '^http_requests_total{method="GET",endpoint="/api/users",status="200"} 7$' <<<"$out" ||
    fail "$1 printed no request counter"
}
expect_raii() {
  local out; out=$("$1") || fail "$1 failed"
  grep -q '^GET 200: 10, sum over children: 12, observations: 10$' <<<"$out" || fail "$1 gave wrong values"
}
links_shared() {
  local deps; deps=$(ldd "$1")
  grep -q "$prefix/lib/libprometheus_emulator.so.0" <<<"$deps" || fail "$1 is not linked to the installed libprometheus_emulator.so.0"
}
links_static() {
  local deps; deps=$(ldd "$1")
  ! grep -q libprometheus_emulator <<<"$deps" || fail "$1 should not need the shared library"
}

for f in include/prometheus_emulator.h lib/libprometheus_emulator.a lib/libprometheus_emulator.so \
         lib/libprometheus_emulator.so.0 lib/pkgconfig/prometheus_emulator.pc \
         lib/cmake/prometheus_emulator/prometheus_emulatorConfig.cmake \
         lib/cmake/prometheus_emulator/prometheus_emulatorConfigVersion.cmake; do
  [ -e "$prefix/$f" ] || fail "missing $f"
done

# pkg-config, shared and static.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags prometheus_emulator)
cc -std=c99 -Wall -Wextra -pedantic -Werror "$examples/demo.c" $cflags \
  $(pkg-config --libs prometheus_emulator) -Wl,-rpath,"$prefix/lib" -o "$work/demo_pc"
links_shared "$work/demo_pc"; expect_demo "$work/demo_pc"
static_libs=$(pkg-config --static --libs prometheus_emulator | sed 's/-lprometheus_emulator/-l:libprometheus_emulator.a/')
cc -std=c99 -Wall -Wextra -pedantic -Werror "$examples/demo.c" $cflags $static_libs -o "$work/demo_pc_static"
links_static "$work/demo_pc_static"; expect_demo "$work/demo_pc_static"
c++ -std=c++17 -Wall -Wextra -pedantic -Werror "$examples/raii.cpp" $cflags \
  $(pkg-config --libs prometheus_emulator) -Wl,-rpath,"$prefix/lib" -o "$work/raii_pc"
expect_raii "$work/raii_pc"
echo "install-check: pkg-config builds (shared, static, C++) ok"

# CMake: find_package(prometheus_emulator) with imported targets.
cmake -S "$examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="-Wall -Wextra -pedantic -Werror" -DCMAKE_CXX_FLAGS="-Wall -Wextra -pedantic -Werror" >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
links_shared "$work/build/demo"; expect_demo "$work/build/demo"
links_static "$work/build/demo_static"; expect_demo "$work/build/demo_static"
expect_raii "$work/build/raii"
# The pre-fork example: four forked workers' counts in one shared store.
"$work/build/prefork" | grep -qx 'jobs_done_total{worker="3"} 4000' \
  || { echo "install-check: the prefork example did not show every worker's count" >&2; exit 1; }
echo "install-check: CMake builds (shared, static, C++) ok"
