#!/usr/bin/env bash
# Builds and runs mixprec's libFuzzer targets (fuzz/), one after the other.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; all)
#
# Targets: fuzz-policy (the policy parser), fuzz-autocast (IR -> mp-autocast
# -> verify), fuzz-pipeline (IR -> mp-mixed-precision -> verify).
# Configures build-fuzz/ with -DMIXPREC_FUZZ=ON (clang-22 + libclang-rt-22-dev,
# installed by scripts/setup.sh), builds the seed corpora from test/ and
# examples/ (fuzz/make_corpus.py), runs each target with libFuzzer and prints
# per target: executions, exec/s, corpus size, coverage (cov/ft) and findings
# (crash-/leak-/timeout-/oom- files under build-fuzz/fuzz-artifacts/TARGET/).
# The grown corpora are kept in build-fuzz/fuzz-corpus/TARGET between runs.
# Environment: BUILD (build-fuzz), JOBS (ninja -j, default nproc),
# MAX_LEN (16384), RSS_MB (4096), TIMEOUT (10 s per input), NICE (10).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
  TARGETS=(fuzz-policy fuzz-autocast fuzz-pipeline)
fi
BUILD="${BUILD:-$ROOT/build-fuzz}"
JOBS="${JOBS:-$(nproc)}"
MAX_LEN="${MAX_LEN:-16384}"
RSS_MB="${RSS_MB:-4096}"
TIMEOUT="${TIMEOUT:-10}"
NICE="${NICE:-10}"

bash "$ROOT/scripts/setup.sh"
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit -DMIXPREC_FUZZ=ON
fi
nice -n "$NICE" ninja -C "$BUILD" -j "$JOBS" "${TARGETS[@]}"

SEEDS="$BUILD/fuzz-seeds"
rm -rf "$SEEDS"
/usr/bin/python3 "$ROOT/fuzz/make_corpus.py" "$SEEDS" --max-len "$MAX_LEN"

summary=()
for t in "${TARGETS[@]}"; do
  case "$t" in
    fuzz-policy) seeds="$SEEDS/policy"; dict=() ;;
    *) seeds="$SEEDS/ir"; dict=(-dict="$SEEDS/mlir.dict") ;;
  esac
  corpus="$BUILD/fuzz-corpus/$t"
  artifacts="$BUILD/fuzz-artifacts/$t"
  log="$BUILD/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  echo "== $t: ${SECONDS_PER_TARGET}s (log: $log)"
  start=$(date +%s)
  set +e
  # Fork mode: the run goes on after a crash (every finding is saved and
  # triaged below) instead of stopping at the first one.
  nice -n "$NICE" "$BUILD/bin/$t" "$corpus" "$seeds" "${dict[@]}" \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="$RSS_MB" \
    -max_len="$MAX_LEN" -timeout="$TIMEOUT" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  # Fork mode's status lines: "#EXECS: cov: C ft: F corp: N exec/s: R ...".
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  rate=$(grep -oE 'exec/s: [0-9]+' <<<"$last" | awk '{print $2}')
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last")
  files=$(find "$corpus" -type f | wc -l)
  findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
  # Triage: re-run every finding. A stack overflow is its own class (the
  # fuzz targets parse and run passes on a 1 GiB stack past a nesting check,
  # as mp-opt / mp-run / Python do, so one is a real finding: attributed to
  # mixprec when a mixprec frame (mlir::mp::) is on the stack, else to
  # upstream MLIR). Another crash inside mlir::parseSourceString (before any
  # pass ran) is a bug of Debian's MLIR parser, not of mixprec.
  upstream=0
  overflow=0
  ours=()
  for f in $(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
      -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | sort); do
    out=$("$BUILD/bin/$t" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" "$f" 2>&1 || true)
    if grep -qE 'stack-overflow|stack overflow' <<<"$out"; then
      overflow=$((overflow + 1))
      if grep -q 'mlir::mp::' <<<"$out"; then
        ours+=("$f: stack overflow in mixprec code: $(grep -m1 -oE 'mlir::mp::[A-Za-z0-9_:]+' <<<"$out")")
      else
        upstream=$((upstream + 1))
      fi
    elif grep -q 'mlir::parseSourceString' <<<"$out" && ! grep -q 'FUZZ FINDING' <<<"$out"; then
      upstream=$((upstream + 1))
    else
      ours+=("$f: $(grep -m1 -E 'FUZZ FINDING|ERROR|runtime error|LLVM ERROR|Assertion' <<<"$out" | cut -c1-200)")
    fi
  done
  line=$(printf '%-14s %5ss  execs %-9s exec/s %-6s corpus %-6s %-22s findings %s (mixprec %s, upstream %s; stack overflows %s)' \
    "$t" "$elapsed" "${execs:-?}" "${rate:-?}" "$files" "${cov:-cov: ?}" "$findings" \
    "${#ours[@]}" "$upstream" "$overflow")
  echo "$line"
  summary+=("$line")
  for o in "${ours[@]}"; do echo "    $o"; done
done

echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), ${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
