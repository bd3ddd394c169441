// Gradient accumulation end to end (docs/loss-scaling.md, design §17): 4
// micro-batches of 256 train the same losses, loss scales and parameters as
// one batch of 1024 through mp-run, with a lower peak of tensor memory, and an
// inf in one micro-batch skips the whole step.
//
// Tolerance: the runs differ only in the order of f32 sums (4 partial sums
// accumulated in f32 vs one sum over 1024 rows): ~1e-7 relative per step
// measured, 1e-5 over 6 steps in fp32. With mixed_bfloat16 a different f32
// sum can move a value across a bf16 rounding boundary (2^-8 relative) in
// the next step's forward, so 2e-3 (measured 3e-4).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/microbatches.py %mp_run %mixprec_src/benchmarks/gen_graphs.py %t/f32 4 float32 1e-5 | FileCheck %s
// RUN: %python %S/microbatches.py %mp_run %mixprec_src/benchmarks/gen_graphs.py %t/bf16 4 mixed_bfloat16 2e-3 | FileCheck %s
// CHECK: losses: 6 steps, falling, max relative difference
// CHECK-NEXT: loss scales identical
// CHECK-NEXT: params: max difference
// CHECK-NEXT: peak tensor bytes lower with 4 micro-batches
// CHECK-NEXT: inf in the last micro-batch: step skipped, params bit-identical
