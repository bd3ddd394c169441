// Data-parallel equivalence (docs/data-parallel.md): 2 and 4 ranks with
// batch 64/N each train the same losses and parameters as one process with
// the whole batch of 64, and every rank ends with the same parameters and
// loss-scale state, bit for bit.
//
// Tolerance: the runs differ only in the order of f32 sums (per-rank
// partial sums reduced by MPI vs one sum over the batch): a few ulps per
// step, 1e-5 relative over 8 steps in fp32. With mixed_bfloat16 the
// forward rounds the same per-sample values to bf16 (no op mixes samples
// before the loss), but a different f32 sum order can move a value across a
// bf16 rounding boundary (2^-8 relative) in the backward, so 2e-3.
//
// REQUIRES: mpi
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/equivalence.py %mp_run mpiexec %mixprec_src/benchmarks/gen_graphs.py %t/n2f32 2 float32 1e-5 | FileCheck %s --check-prefix=N2
// RUN: %python %S/equivalence.py %mp_run mpiexec %mixprec_src/benchmarks/gen_graphs.py %t/n4f32 4 float32 1e-5 | FileCheck %s --check-prefix=N4
// RUN: %python %S/equivalence.py %mp_run mpiexec %mixprec_src/benchmarks/gen_graphs.py %t/n2bf16 2 mixed_bfloat16 2e-3 | FileCheck %s --check-prefix=N2
// With 2 micro-batches per rank (and per step of the single process):
// RUN: %python %S/equivalence.py %mp_run mpiexec %mixprec_src/benchmarks/gen_graphs.py %t/n2f32k2 2 float32 1e-5 2 | FileCheck %s --check-prefix=N2
// N2: losses: 8 steps, max relative difference
// N2: loss scales identical
// The 6 saved arrays: 4 params, the loss scale and the growth tracker.
// N2: params: 6 arrays
// N2: ranks 0..1: 6 arrays bit-identical
// N4: ranks 0..3: 6 arrays bit-identical
