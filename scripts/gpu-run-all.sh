#!/bin/bash
# Runs on the GPU machine, inside the directory made by gpu-artifacts.sh:
# the C driver on every artifact, then the PyTorch AMP reference.
# Logs go to $OUT (default: ./logs).
cd "$(dirname "$0")"
OUT=${OUT:-logs}
STEPS=${STEPS:-200}
mkdir -p "$OUT"
(nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version --format=csv; \
 ldd ./mp-cuda-train ./mlp_mixed_float16.so; ldd --version | head -1) \
  > "$OUT/machine.txt" 2>&1
cc -O2 -std=c11 mp-cuda-train.c -I. -L. -lmixprec_cuda_runtime -ldl -lm \
  -Wl,-rpath,'$ORIGIN' -o mp-cuda-train.local > "$OUT/cc.txt" 2>&1 \
  && echo "rebuilt the C driver with cc here" >> "$OUT/cc.txt"
DRIVER=./mp-cuda-train
[ -x ./mp-cuda-train.local ] && DRIVER=./mp-cuda-train.local
for so in *_mixed_*.so; do
  ex=${so%_mixed_*}
  name=${so%.so}
  inputs=""
  [ -d "inputs_$ex" ] && inputs="--inputs inputs_$ex"
  echo "== $DRIVER $so $inputs --steps $STEPS" > "$OUT/gpu_$name.txt"
  timeout 120 $DRIVER "./$so" $inputs --steps "$STEPS" --print-every 20 \
    >> "$OUT/gpu_$name.txt" 2>&1
  echo "exit $?" >> "$OUT/gpu_$name.txt"
done
for dt in float16 bfloat16 float32; do
  timeout 120 python3 torch_amp_mlp.py --inputs inputs_mlp --dtype $dt \
    --steps "$STEPS" --print-every 20 > "$OUT/torch_mlp_$dt.txt" 2>&1
  echo "exit $?" >> "$OUT/torch_mlp_$dt.txt"
done
tail -n 12 "$OUT"/*.txt
