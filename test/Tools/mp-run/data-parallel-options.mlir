// mp-run --data-parallel: the pipeline option and the flag errors (no MPI
// needed; data-parallel.mlir runs the ranks).
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --print-pipeline | FileCheck %s --check-prefix=PLAIN
// PLAIN: builtin.module(mp-mixed-precision{policy=mixed_bfloat16 target=cpu mode=dynamic})
// PLAIN-NOT: data-parallel
//
// RUN: mp-run %mixprec_src/examples/mlp.mlir --data-parallel --policy float32 --loss-scaling "mode=none" --print-pipeline | FileCheck %s --check-prefix=DP
// DP: builtin.module(mp-mixed-precision{policy=float32 target=cpu mode=none data-parallel=mpi})
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --data-parallel --target cuda 2>&1 | FileCheck %s --check-prefix=CUDA
// CUDA: mp-run: error: --data-parallel runs on the CPU target only, not --target cuda
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --save-all-ranks --steps 1 2>&1 | FileCheck %s --check-prefix=ALL
// ALL: mp-run: error: --save-all-ranks needs --data-parallel
