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
//
// Output paths are checked before anything is compiled or trained.
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --steps 1 --report %t.nodir/r.json 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: mp-run: error: cannot write {{.*}}nodir/r.json: directory {{.*}}nodir does not exist
// REPORT-NOT: compiled in
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --steps 1 --aot --aot-output %S 2>&1 | FileCheck %s --check-prefix=AOTDIR
// AOTDIR: mp-run: error: cannot write {{.*}}: it is a directory
//
// An mp-to-cpu option value that does not exist is an error, not loops.
// RUN: not mp-run %mixprec_src/examples/mlp.mlir --steps 1 --cpu "contractions=blas" 2>&1 | FileCheck %s --check-prefix=BLAS
// BLAS: mp-run: error: {{.*}}mp-to-cpu: unknown contractions 'blas' (expected runtime or loops)
//
// --help lists mp-run's options only (LLVM's are behind --help-hidden).
// RUN: mp-run --help > %t.help
// RUN: FileCheck %s --check-prefix=HELP --input-file %t.help
// RUN: not grep -e "--x86-asm-syntax" -e "--mlir-print-ir-after" %t.help
// RUN: test $(wc -l < %t.help) -lt 80
// RUN: mp-run --help-hidden > %t.hidden
// RUN: grep -q -e "--x86-asm-syntax" %t.hidden
// HELP: --data-parallel
// HELP: --loss-scaling=<string>
// HELP: --policy=<string>
