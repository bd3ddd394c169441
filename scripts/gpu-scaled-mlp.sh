#!/bin/bash
# Adds a scaled-up MLP (batch 256, 1024-1024-16) to a GPU artifact directory
# made by gpu-artifacts.sh: the CUDA step artifacts (f16, bf16), a short CPU
# reference run with its inputs, and a script to run it with the PyTorch AMP
# reference on the GPU machine. See docs/gpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-build-gpu-artifacts}
CHIP=${CHIP:-sm_90}
mkdir -p "$OUT"
/usr/bin/python3 - examples/mlp.mlir "$OUT/mlp1024.mlir" <<'PYEOF'
import re, sys
s = open(sys.argv[1]).read()
# 784-256-10, batch 64  ->  1024-1024-16, batch 256 (dimensions in tensor
# types only).
new = {"784": "1024", "256": "1024", "64": "256", "10": "16"}
s = re.sub(r"(?<=[<x])(784|256|64|10)(?=x|xf32>)", lambda m: new[m.group(1)], s)
s = s.replace("-0.015625", "-0.00390625")  # -1/batch
open(sys.argv[2], "w").write(s)
PYEOF
for pol in mixed_float16 mixed_bfloat16; do
  "$BUILD/bin/mp-run" "$OUT/mlp1024.mlir" --target cuda --policy "$pol" \
    --nvptx "chip=$CHIP format=fatbin" --compile-only \
    --aot-output "$OUT/mlp1024_${pol}.so"
done
"$BUILD/bin/mp-run" "$OUT/mlp1024.mlir" --policy mixed_float16 --steps 3 \
  --batches 4 --print-every 1 --dump-inputs "$OUT/inputs_mlp1024" \
  > "$OUT/cpu_mlp1024_mixed_float16.txt" 2>&1
cat > "$OUT/gpu-run-scaled.sh" <<'SHEOF'
#!/bin/bash
cd "$(dirname "$0")"
OUT=${OUT:-logs}
mkdir -p "$OUT"
for pol in mixed_float16 mixed_bfloat16; do
  timeout 120 ./mp-cuda-train ./mlp1024_$pol.so --inputs inputs_mlp1024 \
    --steps 100 --print-every 20 > "$OUT/gpu_mlp1024_$pol.txt" 2>&1
done
for dt in float16 bfloat16 float32; do
  timeout 120 python3 torch_amp_mlp.py --inputs inputs_mlp1024 --dims 1024,1024,16 \
    --batch 256 --dtype $dt --steps 100 --print-every 20 > "$OUT/torch_mlp1024_$dt.txt" 2>&1
done
tail -n 6 "$OUT"/*mlp1024*.txt
SHEOF
cp benchmarks/torch_amp_mlp.py "$OUT/"
ls "$OUT" | grep 1024
