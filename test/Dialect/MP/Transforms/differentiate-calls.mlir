// RUN: sed 's/CALL_ATTR//' %s | mp-opt --mp-differentiate=inline-calls=false | FileCheck %s --implicit-check-not='@layer('
// RUN: sed 's/CALL_ATTR/{no_inline}/' %s | mp-opt --mp-differentiate | FileCheck %s --implicit-check-not='@layer('
// RUN: sed 's/CALL_ATTR//' %s | mp-opt --mp-differentiate | FileCheck %s --check-prefix=INLINED

// Calls differentiated as calls (inline-calls=false, or no_inline calls
// with the default): a shared layer called three times. The first call's
// input is the data (inactive): its pair @layer_fwd_2 / @layer_bwd_2
// returns only the weight's cotangent; the other two calls share
// @layer_fwd_3 / @layer_bwd_3 (input and weight cotangents). @layer_fwd and
// @layer_bwd_1 exist already, so the names skip suffixes until both are
// free. Each forward returns the layer's result and the residual its
// backward reads (the matmul %m; tanh is recomputed from it, a cheap op);
// each backward reads the arguments it needs, the residuals and the result
// cotangent. Each weight gets its own gradient (three results, not a sum).
// @layer and the private @loss have no user left and are erased; a second
// step differentiating the same loss reuses the same pairs. The default
// without no_inline inlines everything (INLINED).

func.func @layer_fwd(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @layer_bwd_1(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

func.func private @layer(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%i : tensor<2x4xf32>) -> tensor<2x4xf32>
  %t = math.tanh %m : tensor<2x4xf32>
  %y = arith.mulf %t, %m : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

func.func private @loss(%w0: tensor<4x4xf32>, %w1: tensor<4x4xf32>, %w2: tensor<4x4xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %h0 = func.call @layer(%x, %w0) CALL_ATTR : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %h1 = func.call @layer(%h0, %w1) CALL_ATTR : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %h2 = func.call @layer(%h1, %w2) CALL_ATTR : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%h2 : tensor<2x4xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %b: f32) {
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    }
  return %s : tensor<f32>
}

func.func @step(%w0: tensor<4x4xf32>, %w1: tensor<4x4xf32>, %w2: tensor<4x4xf32>, %x: tensor<2x4xf32>)
    -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %l, %g0, %g1, %g2 = mp.value_and_grad @loss(%w0, %w1, %w2, %x) {wrt = array<i64: 0, 1, 2>}
      : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>)
      -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>)
  return %l, %g0, %g1, %g2 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// A second step differentiating the same loss reuses the same pairs.
func.func @step2(%w0: tensor<4x4xf32>, %w1: tensor<4x4xf32>, %w2: tensor<4x4xf32>, %x: tensor<2x4xf32>)
    -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %l, %g0, %g1, %g2 = mp.value_and_grad @loss(%w0, %w1, %w2, %x) {wrt = array<i64: 0, 1, 2>}
      : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>)
      -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>)
  return %l, %g0, %g1, %g2 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// CHECK-DAG: #[[$MAP:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$MAP1:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MAP2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$MAP3:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$MAP4:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @layer_fwd(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: return %[[ARG0]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @layer_bwd_1(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: return %[[ARG0]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @layer_fwd_2(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x4xf32>, %[[ARG1:.*]]: tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG0]], %[[ARG1]] : tensor<2x4xf32>, tensor<4x4xf32>) outs(%[[V1]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[V3:.*]] = math.tanh %[[V2]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[V3]], %[[V2]] : tensor<2x4xf32>
// CHECK-NEXT: return %[[V4]], %[[V2]] : tensor<2x4xf32>, tensor<2x4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @layer_bwd_2(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x4xf32>, %[[ARG1:.*]]: tensor<2x4xf32>, %[[ARG2:.*]]: tensor<2x4xf32>) -> tensor<4x4xf32> {
// CHECK-NEXT: %[[V0:.*]] = arith.mulf %[[ARG2]], %[[ARG1]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V1:.*]] = math.tanh %[[ARG1]] {recomputed} : tensor<2x4xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[ARG2]], %[[V1]] : tensor<2x4xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<2x4xf32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[V1]], %[[V1]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.subf %[[CST]], %[[V3]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[V0]], %[[V4]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V6:.*]] = arith.addf %[[V2]], %[[V5]] : tensor<2x4xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V7]] : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: %[[V9:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[ARG0]], %[[V6]] : tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[V8]] : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: return %[[V9]] : tensor<4x4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @layer_fwd_3(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x4xf32>, %[[ARG1:.*]]: tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG0]], %[[ARG1]] : tensor<2x4xf32>, tensor<4x4xf32>) outs(%[[V1]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[V3:.*]] = math.tanh %[[V2]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[V3]], %[[V2]] : tensor<2x4xf32>
// CHECK-NEXT: return %[[V4]], %[[V2]] : tensor<2x4xf32>, tensor<2x4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func private @layer_bwd_3(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x4xf32>, %[[ARG1:.*]]: tensor<4x4xf32>, %[[ARG2:.*]]: tensor<2x4xf32>, %[[ARG3:.*]]: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x4xf32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.mulf %[[ARG3]], %[[ARG2]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V1:.*]] = math.tanh %[[ARG2]] {recomputed} : tensor<2x4xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[ARG3]], %[[V1]] : tensor<2x4xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<2x4xf32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[V1]], %[[V1]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.subf %[[CST]], %[[V3]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[V0]], %[[V4]] : tensor<2x4xf32>
// CHECK-NEXT: %[[V6:.*]] = arith.addf %[[V2]], %[[V5]] : tensor<2x4xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V7]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[V9:.*]] = linalg.matmul indexing_maps = [#[[$MAP3]], #[[$MAP4]], #[[$MAP2]]] ins(%[[V6]], %[[ARG1]] : tensor<2x4xf32>, tensor<4x4xf32>) outs(%[[V8]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V10:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK-NEXT: %[[V11:.*]] = linalg.fill ins(%[[CST_1]] : f32) outs(%[[V10]] : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: %[[V12:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[ARG0]], %[[V6]] : tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[V11]] : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: return %[[V9]], %[[V12]] : tensor<2x4xf32>, tensor<4x4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x4xf32>, %[[ARG1:.*]]: tensor<4x4xf32>, %[[ARG2:.*]]: tensor<4x4xf32>, %[[ARG3:.*]]: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
// CHECK-NEXT: %[[V0:.*]]:2 = call @layer_fwd_2(%[[ARG3]], %[[ARG0]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[V1:.*]]:2 = call @layer_fwd_3(%[[V0]]#0, %[[ARG1]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[V2:.*]]:2 = call @layer_fwd_3(%[[V1]]#0, %[[ARG2]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]]#0 : tensor<2x4xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V9:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V9]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V5]] : tensor<2x4xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V6:.*]]:2 = call @layer_bwd_3(%[[V1]]#0, %[[ARG2]], %[[V2]]#1, %[[BROADCASTED]]) : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK-NEXT: %[[V7:.*]]:2 = call @layer_bwd_3(%[[V0]]#0, %[[ARG1]], %[[V1]]#1, %[[V6]]#0) : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK-NEXT: %[[V8:.*]] = call @layer_bwd_2(%[[ARG3]], %[[V0]]#1, %[[V7]]#0) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V8]], %[[V7]]#1, %[[V6]]#1 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
// CHECK-NEXT: }
// CHECK-LABEL: func.func @step2(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x4xf32>, %[[ARG1:.*]]: tensor<4x4xf32>, %[[ARG2:.*]]: tensor<4x4xf32>, %[[ARG3:.*]]: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
// CHECK-NEXT: %[[V0:.*]]:2 = call @layer_fwd_2(%[[ARG3]], %[[ARG0]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[V1:.*]]:2 = call @layer_fwd_3(%[[V0]]#0, %[[ARG1]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[V2:.*]]:2 = call @layer_fwd_3(%[[V1]]#0, %[[ARG2]]) : (tensor<2x4xf32>, tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]]#0 : tensor<2x4xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V9:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V9]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V5]] : tensor<2x4xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V6:.*]]:2 = call @layer_bwd_3(%[[V1]]#0, %[[ARG2]], %[[V2]]#1, %[[BROADCASTED]]) : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK-NEXT: %[[V7:.*]]:2 = call @layer_bwd_3(%[[V0]]#0, %[[ARG1]], %[[V1]]#1, %[[V6]]#0) : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK-NEXT: %[[V8:.*]] = call @layer_bwd_2(%[[ARG3]], %[[V0]]#1, %[[V7]]#0) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V8]], %[[V7]]#1, %[[V6]]#1 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
// CHECK-NEXT: }


// INLINED-NOT: _fwd_2
// INLINED-LABEL: func.func @step(
// INLINED-NOT: call
// INLINED: linalg.matmul
// INLINED-NOT: call
// INLINED: return
