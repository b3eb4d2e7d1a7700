#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60) and fails on
# any crash. Needs only the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable
# rustc accept the -Z flags cargo-fuzz passes. Installs cargo-fuzz from
# crates.io when it is missing (kept in ~/.cargo/bin for the next run).
#
#   fuzz/run.sh 180                 # 3 minutes per target
#   FUZZ_TARGETS="merge_writer" fuzz/run.sh 30
#   FUZZ_SANITIZER=address fuzz/run.sh 60   # default: none (safe Rust;
#                                           # panics are caught without ASan)
#
# Seeds: fuzz/seeds/<target>/ (committed, small) are merged into
# fuzz/corpus/<target>/ (not committed) before each run. A crash input is
# left in fuzz/artifacts/<target>/.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

export RUSTC_BOOTSTRAP=1
export PATH="$HOME/.cargo/bin:$PATH"
sanitizer="${FUZZ_SANITIZER:-none}"
targets="${FUZZ_TARGETS:-ignore_reader matcher_vs_reference dockerfile_reader merge_writer compose_reader}"
jobs_flag=()
if [ -n "${FUZZ_BUILD_JOBS:-}" ]; then jobs_flag=(-j "$FUZZ_BUILD_JOBS"); fi

t0=$(date +%s)
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
t1=$(date +%s)

echo "== building fuzz targets (sanitizer: $sanitizer)"
cargo fuzz build -s "$sanitizer" "${jobs_flag[@]}"
t2=$(date +%s)

status=0
summary=()
fuzz_total=0
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    if [ -d "seeds/$t" ]; then
        cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
    fi
    log="$(mktemp)"
    echo "== $t: ${SECONDS_PER_TARGET}s"
    s0=$(date +%s)
    set +e
    cargo fuzz run -s "$sanitizer" "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" 2>&1 | tee "$log" | grep -E '^(INFO: |==|SUMMARY|Done|#[0-9]+ *DONE)' || true
    rc=${PIPESTATUS[0]}
    set -e
    s1=$(date +%s)
    fuzz_total=$((fuzz_total + s1 - s0))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "!! $t crashed (exit $rc); last output:"
        tail -n 40 "$log"
        ls -1 "artifacts/$t/" | sed 's/^/   artifact: /'
        summary+=("$t: CRASH (exit $rc) after ${execs:-?} executions")
    else
        summary+=("$t: ${execs:-?} executions, ${rate:-?}/s, $((s1 - s0))s, corpus $(ls "corpus/$t" | wc -l) inputs")
    fi
    rm -f "$log"
done

echo
echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
echo "  install: $((t1 - t0))s, build: $((t2 - t1))s, fuzzing: ${fuzz_total}s, total: $(( $(date +%s) - t0 ))s"
if [ "$status" -ne 0 ]; then
    echo "FAILED: a fuzz target crashed (inputs in fuzz/artifacts/)"
fi
exit "$status"
