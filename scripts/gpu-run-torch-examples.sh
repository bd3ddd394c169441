#!/bin/bash
cd "$(dirname "$0")"
OUT=${OUT:-logs}
mkdir -p "$OUT"
for m in cnn transformer_block; do
  for dt in float16 bfloat16 float32; do
    timeout 150 python3 torch_amp_examples.py --model $m --inputs inputs_$m \
      --dtype $dt --steps 200 --print-every 50 > "$OUT/torch_${m}_$dt.txt" 2>&1
    echo "exit $?" >> "$OUT/torch_${m}_$dt.txt"
  done
done
tail -n 7 "$OUT"/torch_*.txt
