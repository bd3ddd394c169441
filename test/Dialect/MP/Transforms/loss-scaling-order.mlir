// RUN: mp-opt %s --mp-loss-scaling | FileCheck %s
//
// Regression: the gradient-dependent ops moved into the guard's scf.if must
// keep their program order. Here %q (short path from %g) is found before
// %d (longer path) by the forward-slice worklist; moving them in discovery
// order broke dominance ("operand #1 does not dominate this use").

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sq = arith.mulf %w, %w : tensor<4xf32>
  %s = linalg.reduce ins(%sq : tensor<4xf32>) outs(%z : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  return %s : tensor<f32>
}

// CHECK-LABEL: func.func @train_step
// CHECK: scf.if
// CHECK: %[[M:.*]] = arith.mulf
// CHECK: %[[S:.*]] = math.sqrt
// CHECK: %[[D:.*]] = arith.addf %[[S]]
// CHECK: %[[Q:.*]] = arith.divf %[[M]], %[[D]]
// CHECK: arith.subf %{{.*}}, %[[Q]]
// CHECK: scf.yield
func.func @train_step(%w: tensor<4xf32>) -> (tensor<4xf32> {mp.updates = 0}, tensor<f32>) {
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>}
      : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  %c = arith.constant dense<0.5> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-08> : tensor<4xf32>
  %m = arith.mulf %g, %c : tensor<4xf32>
  %g2 = arith.mulf %g, %g : tensor<4xf32>
  %sq = math.sqrt %g2 : tensor<4xf32>
  %d = arith.addf %sq, %eps : tensor<4xf32>
  %q = arith.divf %m, %d : tensor<4xf32>
  %new = arith.subf %w, %q : tensor<4xf32>
  return %new, %l : tensor<4xf32>, tensor<f32>
}
