#!/usr/bin/env bash
# Writes the output of mixprec's pipelines on the examples and the benchmark
# graphs to OUTDIR, one file per (graph, pipeline): the reference for
# refactorings that must not change generated code.
#   scripts/pipeline-outputs.sh BUILD OUTDIR
#   diff -r OUTDIR_BEFORE OUTDIR_AFTER      # empty: byte-identical
set -euo pipefail
BUILD=${1:?build dir}
OUT=${2:?output dir}
SRC=$(cd "$(dirname "$0")/.." && pwd)
MPOPT="$BUILD/bin/mp-opt"
PY=/usr/bin/python3
mkdir -p "$OUT/graphs"
cp "$SRC"/examples/*.mlir "$OUT/graphs/"
$PY "$SRC/benchmarks/gen_graphs.py" mlp 256 1024,1024,1024,16 > "$OUT/graphs/bench_mlp.mlir"
$PY "$SRC/benchmarks/gen_graphs.py" transformer 8 64 256 1024 > "$OUT/graphs/bench_transformer.mlir"
$PY "$SRC/benchmarks/gen_graphs.py" chain 200 16 8 > "$OUT/graphs/bench_chain.mlir"
for g in "$OUT"/graphs/*.mlir; do
  n=$(basename "$g" .mlir)
  "$MPOPT" "$g" --mp-mixed-precision="policy=float32 mode=none" --mp-to-cpu \
    -o "$OUT/$n.cpu-f32.mlir"
  "$MPOPT" "$g" --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" \
    --mp-to-cpu -o "$OUT/$n.cpu-bf16.mlir"
  "$MPOPT" "$g" --mp-mixed-precision="policy=mixed_bfloat16 mode=dynamic" \
    --mp-to-cpu="outline-min-loops=16 fast-math=false contractions=loops" \
    -o "$OUT/$n.cpu-bf16-opts.mlir"
  "$MPOPT" "$g" --mp-mixed-precision="policy=mixed_float16 target=nvptx mode=dynamic" \
    --mp-to-nvptx="format=isa chip=sm_90" -o "$OUT/$n.nvptx-f16.mlir"
done
rm -rf "$OUT/graphs"
# gpu-module-to-binary records its own compile time in each gpu.object.
sed -i -E 's/LLVMIRToISATimeInMs = [0-9]+/LLVMIRToISATimeInMs = N/g' "$OUT"/*.nvptx-*.mlir
ls "$OUT" | wc -l
