#!/usr/bin/env bash
# Runs every benchmark (Rust core vs the Rust crates, C API vs prometheus-cpp, Python binding vs
# prometheus_client, Go binding vs client_golang) and prints one table.
#
#   benches/run.sh [--runs N] [--out DIR]   measure: N runs (default 3), medians, one Markdown table
#                                           (also written to DIR/table.md; DIR defaults to
#                                           target/bench-results)
#   benches/run.sh --smoke                  every operation once, outputs checked, no timing: the
#                                           test that keeps the harnesses building and running
#
# Needs cargo, g++, python3, prometheus-cpp (Debian's prometheus-cpp-dev), prometheus_client
# (make deps-pip) and Go (make deps-go fetches client_golang). Without prometheus_client or Go the
# Python or Go section is not run and the script says so, twice; with CI set (CI=true) it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Go benchmarks: each run of the test binary measures every benchmark once per side
# (GO_BENCHTIME each); GO_ROUNDS runs per measuring run interleave promemu and client_golang.
GO_ROUNDS=5
GO_BENCHTIME=200ms

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

not_run=()

# Whether a section can run: COMMAND... succeeds. If not, fail under CI, else say what is not run.
can_run() {  # SECTION, HINT, COMMAND...
  local section=$1 hint=$2
  shift 2
  if "$@" >/dev/null 2>&1; then
    return 0
  fi
  case "${CI:-}" in
    "" | false | 0) ;;
    *) echo "run.sh: $section cannot run: \`$*\` failed ($hint)" >&2; exit 1 ;;
  esac
  echo "run.sh: NOT RUN: $section: \`$*\` failed ($hint)" >&2
  not_run+=("$section ($hint)")
  return 1
}

python_ready() {
  can_run "Python binding vs prometheus_client" "make deps-pip installs it" \
    python3 -c "import prometheus_client"
}

go_ready() {
  can_run "Go binding vs client_golang" "install Go; make deps-go fetches client_golang" \
    go version
}

say_not_run() {
  for section in "${not_run[@]}"; do
    echo "run.sh: NOT RUN: $section" >&2
  done
}

# The Python binding of this checkout: its package on PYTHONPATH, with the library just built, so
# what is measured is this tree and nothing gets installed.
python_bench() {  # PROFILE, then bench.py's arguments
  local profile=$1
  shift
  PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
    PROMETHEUS_EMULATOR_LIB="$PWD/target/$profile/libprometheus_emulator.so" \
    python3 bindings/python/bench/bench.py "$@"
}

# The Go binding's benchmarks, compiled once into a test binary. Removed first: go would keep an
# existing binary whose Go inputs are unchanged, not noticing a rebuilt libprometheus_emulator.a.
go_bench_build() {  # BINARY, then go build flags
  local binary=$1
  shift
  rm -f "$binary"
  (cd bindings/go && go test -c -o "$binary" "$@" .)
}

go_bench() {  # BINARY, ROUNDS, BENCHTIME, JSON_FILE (the raw output goes next to it, .txt)
  local binary=$1 rounds=$2 benchtime=$3 json=$4
  : >"${json%.jsonl}.txt"
  for _ in $(seq 1 "$rounds"); do
    (cd bindings/go && "$binary" -test.run '^$' -test.bench . -test.benchtime "$benchtime") \
      >>"${json%.jsonl}.txt"
  done
  python3 benches/go_rows.py "${json%.jsonl}.txt" "$json"
}

if [ "$smoke" = 1 ]; then
  # Debug builds: quick to compile, and every row still runs and checks its output.
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  mkdir -p "$dir/run"
  cargo test --quiet --bench compare -- --json "$dir/run/rust.jsonl"
  cargo build --quiet
  benches/cpp/build.sh debug
  target/debug/bench_cpp --smoke --json "$dir/run/cpp.jsonl"
  if python_ready; then
    python_bench debug --smoke --json "$dir/run/python.jsonl"
  fi
  if go_ready; then
    go_bench_build "$dir/promemu.test" -tags promemu_debug
    go_bench "$dir/promemu.test" 1 1x "$dir/run/go.jsonl"
    ran=$(grep -c '^Benchmark' "$dir/run/go.txt")
    echo "smoke (Go binding, client_golang): $ran benchmarks ran, their checks passed"
  fi
  python3 benches/report.py --smoke "$dir/run"
  say_not_run
  exit 0
fi

echo "building (release)..." >&2
cargo build --release --quiet
cargo bench --quiet --bench compare --no-run 2>/dev/null
benches/cpp/build.sh release
python=0
if python_ready; then python=1; fi
go=0
if go_ready; then
  go=1
  mkdir -p target/bench-go
  go_bench_build "$PWD/target/bench-go/promemu.test"
fi

rm -rf "$out"
mkdir -p "$out"
dirs=()
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs..." >&2
  mkdir -p "$out/run$i"
  cargo bench --quiet --bench compare -- --json "$out/run$i/rust.jsonl" >/dev/null
  target/release/bench_cpp --json "$out/run$i/cpp.jsonl"
  if [ "$python" = 1 ]; then
    python_bench release --json "$out/run$i/python.jsonl" >/dev/null
  fi
  if [ "$go" = 1 ]; then
    go_bench "$PWD/target/bench-go/promemu.test" "$GO_ROUNDS" "$GO_BENCHTIME" "$out/run$i/go.jsonl"
  fi
  dirs+=("$out/run$i")
done
python3 benches/report.py "${dirs[@]}" | tee "$out/table.md"
say_not_run
