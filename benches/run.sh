#!/usr/bin/env bash
# Benchmark ctxsize against du, diskus, dua, docker-py and @balena/dockerignore
# on the same generated trees, in the same run. See benches/README.md.
#
#   benches/run.sh [--sizes 50000,300000] [--quick] [--runs N]
#                  [--fuzz-seconds N] [--no-bench] [--regen] [--no-build]
#
# Environment:
#   CTXSIZE_BIN=/path/to/ctxsize   use this binary, do not build
#   CARGO_TARGET_DIR=...           where `cargo build --release` puts it
#   BENCH_TREES=/dir               where the trees live (default benches/.trees)
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
TOOLS="$BENCH_DIR/.tools"
TREES="${BENCH_TREES:-$BENCH_DIR/.trees}"
RESULTS_ROOT="$BENCH_DIR/.results"

SIZES="50000,300000"
QUICK=0
RUNS=""
FUZZ_SECONDS=0
DO_BENCH=1
REGEN=0
BUILD=1

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --sizes=*) SIZES="${1#*=}"; shift ;;
    --quick) QUICK=1; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --fuzz-seconds) FUZZ_SECONDS="$2"; shift 2 ;;
    --fuzz-seconds=*) FUZZ_SECONDS="${1#*=}"; shift ;;
    --no-bench) DO_BENCH=0; shift ;;
    --regen) REGEN=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -z "$RUNS" ]; then
  if [ "$QUICK" = 1 ]; then RUNS=3; else RUNS=10; fi
fi
WARMUP=2
[ "$QUICK" = 1 ] && WARMUP=1

export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"
log() { printf '\n== %s\n' "$*" >&2; }
warn() { printf 'run.sh: warning: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# Tools. Each install is idempotent; a tool that cannot be installed only
# removes its own rows from the table.

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

HAVE_DISKUS=0 HAVE_DUA=0 HAVE_DOCKERPY=0 HAVE_BALENA=0 HAVE_TIME=0
PY="$TOOLS/pyenv/bin/python"

install_tools() {
  log "tools"
  mkdir -p "$TOOLS"
  if ! command -v hyperfine >/dev/null; then
    echo "installing hyperfine (apt)" >&2
    apt_install hyperfine || { echo "run.sh: cannot install hyperfine" >&2; exit 1; }
  fi
  if [ ! -x /usr/bin/time ]; then
    echo "installing time (apt)" >&2
    apt_install time || warn "cannot install GNU time: no peak-memory column"
  fi
  [ -x /usr/bin/time ] && HAVE_TIME=1

  # diskus and dua from crates.io into benches/.tools/bin (outside the repo's
  # workspace and target dir).
  for pair in diskus:diskus dua:dua-cli; do
    local bin=${pair%%:*} crate=${pair#*:}
    if [ ! -x "$TOOLS/bin/$bin" ] && ! command -v "$bin" >/dev/null; then
      echo "installing $crate (cargo install; takes a few minutes once)" >&2
      (cd /tmp && env -u CARGO_TARGET_DIR cargo install --locked --quiet --root "$TOOLS" "$crate") \
        || warn "cannot install $crate"
    fi
  done
  command -v diskus >/dev/null && HAVE_DISKUS=1
  command -v dua >/dev/null && HAVE_DUA=1

  # docker-py in a private virtualenv.
  if ! "$PY" -c 'import docker.utils.build' >/dev/null 2>&1; then
    echo "installing docker-py (pip, private venv)" >&2
    rm -rf "$TOOLS/pyenv"
    if python3 -m venv "$TOOLS/pyenv" >/dev/null 2>&1 || { apt_install python3-venv && python3 -m venv "$TOOLS/pyenv"; }; then
      "$TOOLS/pyenv/bin/pip" install -q docker >/dev/null 2>&1 || warn "pip install docker failed"
    else
      warn "cannot create a Python venv"
    fi
  fi
  "$PY" -c 'import docker.utils.build' >/dev/null 2>&1 && HAVE_DOCKERPY=1

  # @balena/dockerignore in a private npm prefix.
  if ! command -v node >/dev/null; then
    echo "installing nodejs (apt)" >&2
    apt_install nodejs npm || warn "cannot install node"
  fi
  if [ ! -f "$TOOLS/node/node_modules/@balena/dockerignore/package.json" ] && command -v npm >/dev/null; then
    echo "installing @balena/dockerignore (npm, private prefix)" >&2
    mkdir -p "$TOOLS/node"
    npm install --prefix "$TOOLS/node" --no-audit --no-fund --silent @balena/dockerignore >/dev/null 2>&1 \
      || warn "npm install @balena/dockerignore failed"
  fi
  if command -v node >/dev/null && [ -f "$TOOLS/node/node_modules/@balena/dockerignore/package.json" ]; then
    HAVE_BALENA=1
  fi
  echo "hyperfine $(hyperfine --version | awk '{print $2}'); diskus=$HAVE_DISKUS dua=$HAVE_DUA" \
       "docker-py=$HAVE_DOCKERPY balena=$HAVE_BALENA gnu-time=$HAVE_TIME" >&2
}

# ---------------------------------------------------------------------------
# ctxsize.

BIN=""
build_ctxsize() {
  log "ctxsize"
  if [ -n "${CTXSIZE_BIN:-}" ]; then
    BIN="$CTXSIZE_BIN"
  else
    local target="${CARGO_TARGET_DIR:-$REPO/target}"
    if [ "$BUILD" = 1 ]; then
      (cd "$REPO" && cargo build --release) || warn "cargo build --release failed"
    fi
    BIN="$target/release/ctxsize"
  fi
  if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
    echo "using $BIN ($("$BIN" --version 2>/dev/null))" >&2
  else
    warn "no working ctxsize at '$BIN': its rows will be n/a"
    BIN=""
  fi
}

# ---------------------------------------------------------------------------
# Trees: generated once, reused while gen_tree.py is unchanged.

gen_sha() { sha256sum "$BENCH_DIR/gen_tree.py" | cut -c1-16; }

ensure_tree() {  # ensure_tree N -> prints the tree path
  local n=$1 dir="$TREES/$1"
  local stamp="$TREES/$1.stamp" want
  want="$(gen_sha) files=$n seed=1 ignore=good"
  if [ "$REGEN" = 1 ] || [ ! -d "$dir" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "generating $n-file tree in $dir" >&2
    rm -rf "$dir" "$dir.tmp" "$stamp"
    local t0=$SECONDS
    python3 "$BENCH_DIR/gen_tree.py" --files "$n" --seed 1 --ignore good \
      --out "$dir.tmp" --json "$TREES/$n.json" >&2 || { echo "run.sh: gen_tree failed" >&2; exit 1; }
    mv "$dir.tmp" "$dir"
    echo "$want" > "$stamp"
    echo "generated in $((SECONDS - t0))s" >&2
  fi
  echo "$dir"
}

warm() {  # pull the tree's inodes into the cache
  du -sb "$1" >/dev/null 2>&1
  find "$1" -printf '' 2>/dev/null
}

# ---------------------------------------------------------------------------
# Timing.

RES=""
TSV=""

# bench SIZE LABEL KIND CMD...   KIND: base|ctxsize|peer|alt
bench() {
  local size=$1 label=$2 kind=$3; shift 3
  local slug json rc extra=()
  slug=$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '_')
  json="$RES/$size-$slug.json"
  # probe once: a command that fails is n/a; exit 1 (findings) is accepted
  "$@" >/dev/null 2>"$RES/$size-$slug.stderr"
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    warn "$label failed (exit $rc): $(head -c 300 "$RES/$size-$slug.stderr" | tr '\n' ' ')"
    printf '%s\t%s\t%s\tn/a\t-\t-\t-\t%s\n' "$size" "$label" "$kind" "exit $rc" >> "$TSV"
    return
  fi
  [ "$rc" -eq 1 ] && extra=(--ignore-failure)
  echo "timing: $label" >&2
  if ! hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" "${extra[@]}" \
        --export-json "$json" --command-name "$label" -- "$(quote "$@")" >"$RES/$size-$slug.hf" 2>&1; then
    warn "hyperfine failed for $label: $(tail -n 3 "$RES/$size-$slug.hf" | tr '\n' ' ')"
    printf '%s\t%s\t%s\tn/a\t-\t-\t-\t%s\n' "$size" "$label" "$kind" "hyperfine failed" >> "$TSV"
    return
  fi
  local rss="-"
  if [ "$kind" = ctxsize ] && [ "$HAVE_TIME" = 1 ]; then
    # GNU time reports on stderr after the command's own (discarded) output
    rss=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
    [ -z "$rss" ] && rss="-"
  fi
  python3 - "$json" "$size" "$label" "$kind" "$rss" "$rc" >> "$TSV" <<'EOF'
import json, sys
j, size, label, kind, rss, rc = sys.argv[1:]
r = json.load(open(j))["results"][0]
cpu = (r.get("user") or 0) + (r.get("system") or 0)
print("\t".join([size, label, kind, "%.6f" % r["mean"], "%.6f" % r["stddev"],
                 "%.6f" % r["min"], rss, "exit 1 accepted" if rc == "1" else "", "%.6f" % cpu]))
EOF
}

quote() {  # join argv into one shell-safe string for hyperfine -N
  local out="" a
  for a in "$@"; do out+="$(printf '%q' "$a") "; done
  printf '%s' "${out% }"
}

bench_size() {
  local n=$1 tree
  tree=$(ensure_tree "$n")
  log "tree $n: $tree"
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print("  %(files)d files (%(symlinks)d symlinks), %(dirs)d dirs, %(apparent_bytes)d apparent bytes, %(heavy_file_pct).1f%% of files in heavy dirs" % c)' "$TREES/$n.json" >&2
  cp "$TREES/$n.json" "$RES/tree-$n.json" 2>/dev/null
  warm "$tree"
  local empty="$TREES/empty.dockerignore"
  : > "$empty"

  bench "$n" "du -sb" base du -sb "$tree"
  [ "$HAVE_DISKUS" = 1 ] && bench "$n" "diskus" base diskus "$tree"
  if [ "$HAVE_DUA" = 1 ]; then
    bench "$n" "dua aggregate" alt dua aggregate "$tree"
    # dua has no ignore-file support; the nearest is --ignore-dirs with
    # absolute paths, which cannot express **/node_modules or **/__pycache__.
    bench "$n" "dua -i top-level excluded dirs" alt dua aggregate \
      -i "$tree/.git" -i "$tree/.venv" -i "$tree/target" -i "$tree/logs" -i "$tree/node_modules" "$tree"
  fi
  if [ -n "$BIN" ]; then
    bench "$n" "ctxsize report --json" ctxsize "$BIN" report "$tree" --json
    bench "$n" "ctxsize report --json --prune" ctxsize "$BIN" report "$tree" --json --prune
    bench "$n" "ctxsize ls" ctxsize "$BIN" ls "$tree"
    bench "$n" "ctxsize check" ctxsize "$BIN" check "$tree"
    bench "$n" "ctxsize init --dry-run" ctxsize "$BIN" init --dry-run "$tree"
    bench "$n" "ctxsize ls (no ignore rules)" ctxsize "$BIN" ls "$tree" --ignore-file "$empty"
  else
    for l in "ctxsize report --json" "ctxsize report --json --prune" "ctxsize ls" "ctxsize check" "ctxsize init --dry-run" "ctxsize ls (no ignore rules)"; do
      printf '%s\t%s\tctxsize\tn/a\t-\t-\t-\tno binary\n' "$n" "$l" >> "$TSV"
    done
  fi
  if [ "$HAVE_DOCKERPY" = 1 ]; then
    bench "$n" "docker-py exclude_paths (.dockerignore)" peer "$PY" "$BENCH_DIR/peer_dockerpy.py" "$tree"
    bench "$n" "docker-py exclude_paths (no ignore file)" peer "$PY" "$BENCH_DIR/peer_dockerpy.py" "$tree" --no-ignore
  fi
  if [ "$HAVE_BALENA" = 1 ]; then
    bench "$n" "balena walk (.dockerignore)" peer node "$BENCH_DIR/peer_balena.js" "$tree"
    bench "$n" "balena walk (no ignore file)" peer node "$BENCH_DIR/peer_balena.js" "$tree" --no-ignore
  fi

  # Untimed cross-check: every tool must agree on what is in the context.
  {
    printf 'crosscheck\t%s' "$n"
    if [ -n "$BIN" ]; then
      printf '\tctxsize ls=%s' "$("$BIN" ls "$tree" 2>/dev/null | wc -l)"
      printf '\tctxsize ls (no rules)=%s' "$("$BIN" ls "$tree" --ignore-file "$empty" 2>/dev/null | wc -l)"
    fi
    [ "$HAVE_DOCKERPY" = 1 ] && printf '\tdocker-py=%s' "$("$PY" "$BENCH_DIR/peer_dockerpy.py" "$tree" --detail 2>&1 | tail -n1)"
    [ "$HAVE_BALENA" = 1 ] && printf '\tbalena=%s' "$(node "$BENCH_DIR/peer_balena.js" "$tree" --detail 2>&1 | tail -n1)"
    printf '\n'
  } >> "$RES/crosscheck.tsv"
}

startup_check() {
  log "startup: ctxsize check on a 100-file project"
  local tiny
  tiny=$(ensure_tree 100)
  local n=100 runs=50
  [ "$QUICK" = 1 ] && runs=20
  if [ -z "$BIN" ]; then
    printf 'startup\tctxsize check (100 files)\tctxsize\tn/a\t-\t-\t-\tno binary\n' >> "$TSV"
    return
  fi
  local save_runs=$RUNS save_warm=$WARMUP
  RUNS=$runs WARMUP=5
  bench startup "ctxsize check (100 files)" ctxsize "$BIN" check "$tiny"
  bench startup "du -sb (100 files)" base du -sb "$tiny"
  RUNS=$save_runs WARMUP=$save_warm
  : "$n"
}

# ---------------------------------------------------------------------------
# Fuzzing (separate from the benchmarks): runs each cargo-fuzz target for N
# seconds when fuzz/ exists. cargo-fuzz needs nightly flags; on a stable
# toolchain RUSTC_BOOTSTRAP=1 enables them.

run_fuzz() {
  local secs=$1
  log "fuzz: $secs s per target"
  if [ ! -d "$REPO/fuzz" ]; then
    echo "fuzz: no fuzz/ directory in $REPO; skipped" >&2
    return 0
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (cargo install)" >&2
    (cd /tmp && env -u CARGO_TARGET_DIR cargo install --locked --quiet --root "$TOOLS" cargo-fuzz) \
      || { warn "cannot install cargo-fuzz; fuzzing skipped"; return 0; }
  fi
  local boot=()
  rustc --version | grep -q nightly || boot=(env RUSTC_BOOTSTRAP=1)
  local targets t failed=0
  targets=$(cd "$REPO" && "${boot[@]}" cargo fuzz list 2>/dev/null)
  if [ -z "$targets" ]; then
    echo "fuzz: no targets; skipped" >&2
    return 0
  fi
  for t in $targets; do
    echo "fuzz: $t" >&2
    if (cd "$REPO" && "${boot[@]}" cargo fuzz run "$t" -- -max_total_time="$secs" >"$RES/fuzz-$t.log" 2>&1); then
      echo "fuzz: $t: ok ($(grep -Eo 'Done [0-9]+ runs' "$RES/fuzz-$t.log" | tail -n1))" >&2
    else
      echo "fuzz: $t: FAILED, see $RES/fuzz-$t.log" >&2
      tail -n 20 "$RES/fuzz-$t.log" >&2
      failed=1
    fi
  done
  return $failed
}

# ---------------------------------------------------------------------------

main() {
  RES="$RESULTS_ROOT/$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$RES" "$TREES"
  TSV="$RES/results.tsv"
  printf 'size\tlabel\tkind\tmean_s\tstddev_s\tmin_s\tmax_rss_kb\tnote\tcpu_s\n' > "$TSV"
  local rc=0
  if [ "$DO_BENCH" = 1 ]; then
    install_tools
    build_ctxsize
    {
      echo "date: $(date -u +%FT%TZ)"
      echo "host: $(nproc) cpus, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)"
      echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
      echo "runs: $RUNS, warmup: $WARMUP"
      [ -n "$BIN" ] && echo "ctxsize: $("$BIN" --version 2>/dev/null)"
    } > "$RES/env.txt"
    IFS=, read -r -a sizes <<< "$SIZES"
    for n in "${sizes[@]}"; do
      [ -n "$n" ] && bench_size "$n"
    done
    startup_check
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RES/env.txt"
    python3 "$BENCH_DIR/summarize.py" "$RES" | tee "$RES/summary.txt"
  fi
  if [ "$FUZZ_SECONDS" -gt 0 ] 2>/dev/null; then
    run_fuzz "$FUZZ_SECONDS" || rc=1
  fi
  [ "$DO_BENCH" = 1 ] && echo "results: $RES" >&2
  return $rc
}

main
