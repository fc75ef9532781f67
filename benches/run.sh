#!/usr/bin/env bash
# Runs every benchmark (Rust core vs the Rust crates, C API vs prometheus-cpp) and prints one table.
#
#   benches/run.sh [--runs N] [--out DIR]   measure: N runs (default 3), medians, one Markdown table
#                                           (also written to DIR/table.md; DIR defaults to
#                                           target/bench-results)
#   benches/run.sh --smoke                  every operation once, outputs checked, no timing: the
#                                           test that keeps the harnesses building and running
#
# Needs cargo, g++, python3 and prometheus-cpp (Debian's prometheus-cpp-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
out=target/bench-results
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --runs) runs=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$smoke" = 1 ]; then
  # Debug builds: quick to compile, and every row still runs and checks its output.
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  mkdir -p "$dir/run"
  cargo test --quiet --bench compare -- --json "$dir/run/rust.jsonl"
  cargo build --quiet
  benches/cpp/build.sh debug
  target/debug/bench_cpp --smoke --json "$dir/run/cpp.jsonl"
  python3 benches/report.py --smoke "$dir/run"
  exit 0
fi

echo "building (release)..." >&2
cargo build --release --quiet
cargo bench --quiet --bench compare --no-run 2>/dev/null
benches/cpp/build.sh release

rm -rf "$out"
mkdir -p "$out"
dirs=()
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs..." >&2
  mkdir -p "$out/run$i"
  cargo bench --quiet --bench compare -- --json "$out/run$i/rust.jsonl" >/dev/null
  target/release/bench_cpp --json "$out/run$i/cpp.jsonl"
  dirs+=("$out/run$i")
done
python3 benches/report.py "${dirs[@]}" | tee "$out/table.md"
