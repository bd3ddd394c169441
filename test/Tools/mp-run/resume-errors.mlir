// Bad --resume / --fallback / --stop-at-min-scale / --microbatches use: a
// one-line error naming the problem (and the argument) and a non-zero exit.
//
// RUN: rm -rf %t && mkdir -p %t/empty
// RUN: mp-run %mixprec_src/examples/mlp.mlir --steps 3 --print-every 0 --save %t/ck > /dev/null
// RUN: mp-run %mixprec_src/examples/mlp.mlir --loss-scaling "mode=static init-scale=8" --steps 2 --print-every 0 --save %t/static > /dev/null
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/nope 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: mp-run: error: --resume {{.*}}nope: no such directory
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/empty 2>&1 | FileCheck %s --check-prefix=NOJSON
// NOJSON: mp-run: error: --resume {{.*}}empty: {{.*}}checkpoint.json cannot be read ({{.*}}); write checkpoints with --save DIR
//
// A state the step does not have, a state it has and the checkpoint not,
// another graph's shapes, a tampered .npy:
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/ck --loss-scaling mode=none 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: mp-run: error: --resume {{.*}}ck: the checkpoint's argument #6 (arg6, loss_scale) is not an argument of @train_step (6 arguments)
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/static --loss-scaling mode=dynamic 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: mp-run: error: --resume {{.*}}static: argument #6 (arg6, loss_scale) of @train_step is not in the checkpoint (it has 4 saved arguments)
// RUN: not mp-run %S/fallback.mlir --resume %t/ck --task classify 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: mp-run: error: --resume {{.*}}ck: argument #0 (fc.weight, param): the checkpoint has float32[784,256], the step takes float32[16,4]
// RUN: cp -r %t/ck %t/tampered && cp %t/ck/arg1.npy %t/tampered/arg0.npy
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/tampered 2>&1 | FileCheck %s --check-prefix=NPY
// NPY: mp-run: error: argument #0 ({{.*}}tampered/arg0.npy): shape float32[256] but the argument is float32[784,256]
//
// Settings that decide the data sequence must match; --steps is the total.
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/ck --seed 1 2>&1 | FileCheck %s --check-prefix=SEED
// SEED: mp-run: error: --resume {{.*}}ck: --seed 1 but the checkpoint was written with --seed 0 (the data sequence would not continue)
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/ck --steps 2 2>&1 | FileCheck %s --check-prefix=STEPS
// STEPS: mp-run: error: --resume {{.*}}ck: the checkpoint is at step 3, past --steps 2 (the total step count, not the steps still to run)
// RUN: echo '{"format": "something else"}' > %t/empty/checkpoint.json
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --resume %t/empty 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: mp-run: error: --resume {{.*}}empty: {{.*}}checkpoint.json: format 'something else', expected 'mixprec-checkpoint 1'
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --fallback bf16 2>&1 | FileCheck %s --check-prefix=FBVAL
// FBVAL: mp-run: error: --fallback must be fp32 or fp32:M, got 'bf16'
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --fallback fp32:0 2>&1 | FileCheck %s --check-prefix=FBM
// FBM: mp-run: error: --fallback fp32:M needs a count M >= 1, got '0'
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --fallback fp32 --stop-at-min-scale 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: mp-run: error: --fallback and --stop-at-min-scale exclude each other
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --loss-scaling mode=none --stop-at-min-scale=2 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: mp-run: error: --stop-at-min-scale needs loss scaling (mode=dynamic or mode=static): without it no step is skipped
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --stop-at-min-scale=x 2>&1 | FileCheck %s --check-prefix=STOPM
// STOPM: mp-run: error: --stop-at-min-scale=M needs a count M >= 1, got 'x'
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --microbatches 0 2>&1 | FileCheck %s --check-prefix=MB
// MB: mp-run: error: --microbatches must be >= 1
