#!/usr/bin/env bash
# The main job: train examples/mlp.mlir in fp32 and in mixed_bfloat16 with
# dynamic loss scaling, from the same initialisation and synthetic data, and
# print the two side by side.
set -euo pipefail
BUILD=${1:-build}
STEPS=${STEPS:-200}
OUT=${OUT:-$BUILD/main-job}
mkdir -p "$OUT"
PY=/usr/bin/python3

run() {
  local name=$1 policy=$2 scaling=$3
  echo "== mp-run examples/mlp.mlir --policy $policy --loss-scaling \"$scaling\" --steps $STEPS"
  "$BUILD/bin/mp-run" examples/mlp.mlir --policy "$policy" \
    --loss-scaling "$scaling" --steps "$STEPS" --print-every 50 \
    --report "$OUT/$name.json"
  echo
}

run fp32 float32 "mode=none"
run bf16 mixed_bfloat16 "mode=dynamic"

"$PY" - "$OUT/fp32.json" "$OUT/bf16.json" <<'PYEOF'
import json, sys
rows = [json.load(open(p)) for p in sys.argv[1:]]
names = ["fp32", "mixed_bfloat16 + dynamic"]
print(f"{'':28}" + "".join(f"{n:>26}" for n in names))
def line(label, key, fmt):
    print(f"{label:28}" + "".join(f"{fmt(r['summary'][key]):>26}" for r in rows))
line("initial loss", "initial_loss", lambda v: f"{v:.5f}")
line("final loss", "final_loss", lambda v: f"{v:.5f}")
line("skipped steps", "skipped_steps", str)
line("ms/step", "ms_per_step", lambda v: f"{v:.2f}")
line("compile ms", "compile_ms", lambda v: f"{v:.0f}")
line("peak tensor memory (MiB)", "peak_tensor_bytes", lambda v: f"{v/2**20:.2f}")
line("peak RSS (MiB)", "peak_rss_bytes", lambda v: f"{v/2**20:.1f}")
f32, b16 = (r["summary"]["final_loss"] for r in rows)
print(f"\nfinal loss, mixed vs fp32: {100*(b16-f32)/f32:+.2f}%")
PYEOF
