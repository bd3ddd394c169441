// mp-to-cpu checks its option values before it builds anything: an unknown
// `contractions` is one error line and a non-zero exit (it used to lower
// contractions to loops silently).
// RUN: not mp-opt %s --mp-to-cpu="contractions=blas" 2>&1 | FileCheck %s
// RUN: mp-opt %s --mp-to-cpu="contractions=loops" | FileCheck %s --check-prefix=OK
// CHECK: error: mp-to-cpu: unknown contractions 'blas' (expected runtime or loops)
// CHECK-NOT: llvm.func
// OK: llvm.func @scale(

func.func @scale(%x: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<8xf32> {
  %0 = arith.mulf %x, %s : tensor<8xf32>
  return %0 : tensor<8xf32>
}
