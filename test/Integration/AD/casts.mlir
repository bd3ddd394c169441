// Gradients through precision casts (arith.truncf / arith.extf / mp.cast,
// lowered by mp-lower) vs central finite differences. The forward rounds to
// f32, so the finite differences use h = 1e-3: each f32 rounding perturbs
// the loss by ~6e-8 relative, i.e. ~1e-4 relative on the difference
// quotient; the bodies are exp/mul/matmul (smooth), so the O(h^2)
// truncation error is ~1e-6. Hence rtol = 1e-3, atol = 1e-5.
//
// RUN: %python %S/gradcheck.py --mp-opt mp-opt --runner-utils %mlir_c_runner_utils --extra-passes mp-lower --h 1e-3 --rtol 1e-3 --atol 1e-5 --workdir %t %s | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: ALL PASS

// GRADCHECK: @trunc_ext wrt=0 args=s,n
func.func @trunc_ext(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %n = arith.truncf %x : tensor<3x4xf64> to tensor<3x4xf32>
  %e = math.exp %n : tensor<3x4xf32>
  %y = arith.extf %e : tensor<3x4xf32> to tensor<3x4xf64>
  %p = arith.mulf %y, %w : tensor<3x4xf64>
  %z = arith.constant 0.0 : f64
  %t0 = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%t0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<3x4xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %t = arith.addf %in, %acc : f64
      linalg.yield %t : f64
    }
  return %s : tensor<f64>
}

// Policy casts around a mixed-precision matmul: f32 inputs, f64 accumulator.
// GRADCHECK: @cast_matmul wrt=0,1 args=n,n,n
// GRADCHECK: @cast_matmul wrt=0,1 args=n,n,n scale=4.0
func.func @cast_matmul(%a: tensor<4x3xf64>, %b: tensor<3x5xf64>, %w: tensor<4x5xf64>) -> tensor<f64> {
  %a32 = mp.cast %a : tensor<4x3xf64> to tensor<4x3xf32>
  %b32 = mp.cast %b : tensor<3x5xf64> to tensor<3x5xf32>
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x5xf64>
  %f = linalg.fill ins(%z : f64) outs(%e : tensor<4x5xf64>) -> tensor<4x5xf64>
  %c = linalg.matmul ins(%a32, %b32 : tensor<4x3xf32>, tensor<3x5xf32>) outs(%f : tensor<4x5xf64>) -> tensor<4x5xf64>
  %t = math.tanh %c : tensor<4x5xf64>
  %p = arith.mulf %t, %w : tensor<4x5xf64>
  %t0 = tensor.empty() : tensor<f64>
  %i = linalg.fill ins(%z : f64) outs(%t0 : tensor<f64>) -> tensor<f64>
  %s = linalg.reduce ins(%p : tensor<4x5xf64>) outs(%i : tensor<f64>) dimensions = [0, 1]
    (%in: f64, %acc: f64) {
      %r = arith.addf %in, %acc : f64
      linalg.yield %r : f64
    }
  return %s : tensor<f64>
}
