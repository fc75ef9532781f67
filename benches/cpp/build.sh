#!/usr/bin/env bash
# Builds the C++ harness (bench.cpp) against the static library and prometheus-cpp.
#
#   benches/cpp/build.sh [release|debug]     -> target/<profile>/bench_cpp
#
# The library must be built first (cargo build [--release]); run.sh does that.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${1:-release}
lib=target/$profile/libprometheus_emulator.a
[ -f "$lib" ] || { echo "missing $lib: run cargo build${profile/release/ --release}${profile/debug/}" >&2; exit 1; }
[ -f /usr/include/prometheus/counter.h ] || { echo "prometheus-cpp is missing: apt-get install prometheus-cpp-dev" >&2; exit 1; }
${CXX:-g++} -std=c++17 -O2 -Wall -Wextra -Iinclude benches/cpp/bench.cpp "$lib" \
  -lprometheus-cpp-pull -lprometheus-cpp-core -lpthread -ldl -lm -o "target/$profile/bench_cpp"
