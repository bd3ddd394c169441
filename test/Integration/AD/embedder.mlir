// An adjoint rule added by an embedder: mp-ad-embedder-opt (Embedder/) is
// mp-opt plus an external model of AdjointOpInterface attached to math.cbrt,
// an op mixprec has no rule for. Its gradient is checked against central
// finite differences in f64 (tolerances: gradcheck.py); plain mp-opt reports
// the missing rule.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-ad-embedder-opt --runner-utils %mlir_c_runner_utils --workdir %t %s | FileCheck %s
// RUN: mp-ad-embedder-opt %s --mp-differentiate | FileCheck %s --check-prefix=IR
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --workdir %t.norule %s > %t.norule.log 2>&1 || true
// RUN: FileCheck %s --check-prefix=NORULE --input-file=%t.norule.log
// CHECK: PASS @cube_root:
// CHECK: ALL PASS
// NORULE: error: mp-differentiate: no adjoint rule for 'math.cbrt'

// GRADCHECK: @cube_root wrt=0 args=p,n
func.func @cube_root(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %c = math.cbrt %x : tensor<3x4xf64>
  %m = arith.mulf %c, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%e : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%m : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// The rule's IR, where the value_and_grad is written out (the backward
// recomputes y = cbrt(x) from the argument x rather than saving it, see
// docs/differentiate.md, "Saved activations"):
// IR-LABEL: func.func @step
// IR: math.cbrt %arg0 : tensor<3x4xf64>
// IR: %[[SEED:.+]] = linalg.broadcast
// IR-NEXT: %[[G:.+]] = arith.mulf %[[SEED]], %arg1 : tensor<3x4xf64>
// IR-NEXT: %[[THREE:.+]] = arith.constant dense<3.000000e+00> : tensor<3x4xf64>
// IR-NEXT: %[[Y:.+]] = math.cbrt %arg0 {recomputed} : tensor<3x4xf64>
// IR-NEXT: %[[YY:.+]] = arith.mulf %[[Y]], %[[Y]] : tensor<3x4xf64>
// IR-NEXT: %[[DEN:.+]] = arith.mulf %[[THREE]], %[[YY]] : tensor<3x4xf64>
// IR-NEXT: %[[DX:.+]] = arith.divf %[[G]], %[[DEN]] : tensor<3x4xf64>
// IR-NEXT: return %[[DX]]
func.func @step(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<3x4xf64> {
  %l, %g = mp.value_and_grad @cube_root(%x, %w) {wrt = array<i64: 0>}
      : (tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<f64>, tensor<3x4xf64>)
  return %g : tensor<3x4xf64>
}
