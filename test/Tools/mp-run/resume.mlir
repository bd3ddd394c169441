// --save DIR / --resume DIR: a run saved after step 7 and resumed gives the
// uninterrupted run's steps 8..24 bit for bit (loss, scale, skips,
// provenance, gradient norm): params, the loss-scale state (scale and
// growth tracker: mixed_float16 from 2^23 with growth-interval 3 skips
// 5 steps, then grows at step 9 after clean steps 6-8, with the tracker
// at 2 when saved) and the position in the 3
// synthetic batches (7 % 3 != 0) all continue. The resumed run takes the
// policy, loss scaling and --grad-norm from the checkpoint; --steps is the
// total.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 \
// RUN:   --loss-scaling "mode=dynamic init-scale=8388608 growth-interval=3" \
// RUN:   --grad-norm --batches 3 --steps 24 --print-every 0 --report %t/full.json > /dev/null
// RUN: mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float16 \
// RUN:   --loss-scaling "mode=dynamic init-scale=8388608 growth-interval=3" \
// RUN:   --grad-norm --batches 3 --steps 7 --print-every 0 --save %t/ck > /dev/null
// RUN: FileCheck %s --check-prefix=CKPT --input-file %t/ck/checkpoint.json
// RUN: mp-run %mixprec_src/examples/mlp.mlir --resume %t/ck --steps 24 --print-every 8 \
// RUN:   --report %t/part.json > %t/part.log
// RUN: FileCheck %s --input-file %t/part.log
// RUN: %python %S/compare_resume.py %t/full.json %t/part.json | FileCheck %s --check-prefix=SAME
// Resuming the last checkpoint at its own step count runs nothing.
// RUN: mp-run %mixprec_src/examples/mlp.mlir --resume %t/ck --steps 7 --print-every 1 | FileCheck %s --check-prefix=NONE

// CKPT-DAG: "format": "mixprec-checkpoint 1"
// CKPT-DAG: "step": 7
// CKPT-DAG: "policy": "mixed_float16"
// CKPT-DAG: "grad_norm": true
// CKPT-DAG: "role": "loss_scale"
// CKPT-DAG: "role": "growth_tracker"
// CHECK: policy mixed_float16  loss-scaling "mode=dynamic init-scale=8388608 growth-interval=3 grad-norm=true"
// CHECK-NEXT: resumed from {{.*}}ck after step 7
// CHECK: step     8  loss
// CHECK: step    16  loss
// CHECK: step    24  loss
// CHECK: steps                  17
// SAME: resume identical: steps 8..24
// NONE: resumed from {{.*}}ck after step 7
// NONE-NOT: step {{ +}}8
// NONE: steps                  0
