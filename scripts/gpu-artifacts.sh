#!/bin/bash
# Builds a self-contained directory to carry to a GPU machine that has no
# LLVM: CUDA step artifacts of the three examples (mixed_float16 and
# mixed_bfloat16), the CUDA runtime, the C driver (binary and source), the
# inputs of CPU reference runs (mp-run --dump-inputs) with their logs, and
# the PyTorch AMP reference script. See docs/gpu.md.
#
#   scripts/gpu-artifacts.sh            # -> build-gpu-artifacts/
#   BUILD=build OUT=dir STEPS=200 CHIP=sm_90 scripts/gpu-artifacts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-build-gpu-artifacts}
STEPS=${STEPS:-200}
CHIP=${CHIP:-sm_90}
EXAMPLES=${EXAMPLES:-"mlp cnn transformer_block"}
POLICIES=${POLICIES:-"mixed_float16 mixed_bfloat16"}
mkdir -p "$OUT"
cp "$BUILD/lib/libmixprec_cuda_runtime.so" runtime/cuda/mixprec_cuda_runtime.h \
  tools/mp-cuda-train/mp-cuda-train.c benchmarks/torch_amp_mlp.py \
  benchmarks/torch_amp_examples.py scripts/gpu-run-all.sh \
  scripts/gpu-run-torch-examples.sh "$OUT/"
cc -O2 -std=c11 "$OUT/mp-cuda-train.c" -I"$OUT" -L"$OUT" -lmixprec_cuda_runtime \
  -ldl -lm -Wl,--allow-shlib-undefined -Wl,-rpath,'$ORIGIN' \
  -o "$OUT/mp-cuda-train"
for ex in $EXAMPLES; do
  for pol in $POLICIES; do
    "$BUILD/bin/mp-run" "examples/$ex.mlir" --target cuda --policy "$pol" \
      --nvptx "chip=$CHIP format=fatbin" --compile-only \
      --aot-output "$OUT/${ex}_${pol}.so"
    "$BUILD/bin/mp-run" "examples/$ex.mlir" --target cpu --policy "$pol" \
      --steps "$STEPS" --print-every 20 --dump-inputs "$OUT/inputs_$ex" \
      --report "$OUT/cpu_${ex}_${pol}.json" > "$OUT/cpu_${ex}_${pol}.txt" \
      2>&1 || echo "CPU reference run of $ex ($pol) failed: see $OUT/cpu_${ex}_${pol}.txt"
  done
done
ls -la "$OUT"
for so in "$OUT"/*.so; do
  echo "== ldd $so"; ldd "$so" || true
done
