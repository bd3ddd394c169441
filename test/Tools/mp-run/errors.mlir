// Bad input gives a one-line error naming the problem and a non-zero exit.
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --entry nope 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: mp-run: error: no function @nope in the input
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --target cuda 2>&1 | FileCheck %s --check-prefix=CUDA
// CUDA: mp-run: error: --target cuda
//
// RUN: not mp-run %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: mp-run: error: cannot read {{.*}}missing.mlir
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --policy mixed_float8 2>&1 | FileCheck %s --check-prefix=POLICY
// POLICY: mp-run: error: compilation failed:
// POLICY: unknown policy 'mixed_float8'
//
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --loss-scaling "mode=dynamic growth-factor=0.5" 2>&1 | FileCheck %s --check-prefix=GROWTH
// GROWTH: growth-factor must be finite and > 1, got 0.5
//
// .npy inputs: a missing file, a wrong dtype and a wrong shape each name
// the argument.
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: %python %S/make_inputs.py %t.dir
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --inputs %t.dir/none --steps 1 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: mp-run: error: argument #4: {{.*}}none/arg4.npy does not exist
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --inputs %t.dir/dtype --steps 1 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: mp-run: error: argument #4 ({{.*}}arg4.npy): dtype float64 but the argument is float32
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --inputs %t.dir/shape --steps 1 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: mp-run: error: argument #5 ({{.*}}arg5.npy): shape float32[64,9] but the argument is float32[64,10]
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --inputs %t.dir/garbage --steps 1 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: mp-run: error: argument #4 ({{.*}}arg4.npy): not a .npy file
//
// Good inputs train.
// RUN: mp-run %mixprec_src/examples/mlp.mlir --inputs %t.dir/good --steps 3 --policy float32 --loss-scaling mode=none | FileCheck %s --check-prefix=GOOD
// GOOD: step     3  loss
