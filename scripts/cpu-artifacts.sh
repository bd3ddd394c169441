#!/bin/bash
# Builds a self-contained directory to run compiled CPU steps on a machine
# without LLVM (e.g. the GPU machine's Sapphire Rapids CPU, which has
# AVX512_BF16 and this one does not): AOT step libraries of the benchmark
# MLP and transformer block (fp32 / mixed bf16 with and without dynamic
# loss scaling), the CPU runtime, the C driver mp-cpu-train, the GEMM check
# mp-rt-gemm-test, Debian's OpenBLAS (the fp32 SGEMM), and the benchmark
# scripts. See benchmarks/README.md ("Other CPUs"). The step libraries use
# the packed step ABI (signature version 2, docs/design.md §13): the copied
# mp-cpu-train refuses libraries built before it, rebuild them with this.
#
#   scripts/cpu-artifacts.sh            # -> build-cpu-artifacts/
#   BUILD=build OUT=dir scripts/cpu-artifacts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${OUT:-build-cpu-artifacts}
mkdir -p "$OUT"
cp "$BUILD/lib/libmixprec_cpu_runtime.so" "$BUILD/bin/mp-cpu-train" \
  "$BUILD/bin/mp-rt-gemm-test" benchmarks/device_cpu_bench.py \
  benchmarks/cpu_train_step.py benchmarks/compile_bench.py \
  benchmarks/gen_graphs.py "$OUT/"
# The step libraries find the runtime next to them ($ORIGIN); run
# mp-cpu-train and mp-rt-gemm-test with LD_LIBRARY_PATH=$OUT (as
# device_cpu_bench.py does).
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libopenblas.so.0 || true)
[ -n "$blas" ] && cp "$blas" "$OUT/libopenblas.so.0"
/usr/bin/python3 - "$OUT" <<'PY'
import os, sys
sys.path.insert(0, "benchmarks")
import gen_graphs
out = sys.argv[1]
open(os.path.join(out, "mlp.mlir"), "w").write(gen_graphs.mlp(256, (1024, 1024, 1024, 16)))
open(os.path.join(out, "transformer.mlir"), "w").write(gen_graphs.transformer(8, 64, 256, 1024))
PY
for model in mlp:classify transformer:regress; do
  name=${model%%:*}; task=${model##*:}
  for cfg in "fp32:float32:none" "bf16:mixed_bfloat16:dynamic" \
             "bf16none:mixed_bfloat16:none"; do
    IFS=: read -r tag policy mode <<<"$cfg"
    "$BUILD/bin/mp-run" "$OUT/$name.mlir" --task "$task" --policy "$policy" \
      --loss-scaling "mode=$mode" --steps 1 --print-every 0 --aot \
      --aot-output "$OUT/${name}_$tag.so" > /dev/null
  done
done
ls -la "$OUT"
