// RUN: mp-opt %s --mp-differentiate | FileCheck %s
// RUN: mp-opt %s --mp-differentiate --mp-cleanup | FileCheck %s --check-prefix=CLEAN

// What the backward saves (docs/differentiate.md, "Saved activations"): the
// ReLU mask is taken from the output, and cheap forward values (elementwise
// ops, casts, broadcasts, fills) are recomputed before their first backward
// use from values the backward keeps anyway, when that keeps fewer bytes.
// Gradients: test/Integration/AD/remat.mlir. The copies carry the unit
// attribute `recomputed`, so that CSE (mp-cleanup) does not merge them back
// into the forward ops (which would save the values again):
// CLEAN-LABEL: func.func @chain(
// CLEAN: math.tanh %{{.*}} : tensor<2x3xf32>
// CLEAN: math.tanh %{{.*}} {recomputed} : tensor<2x3xf32>
// CLEAN-LABEL: func.func @casts(
// CLEAN: arith.extf %{{.*}} : tensor<2x3xbf16> to tensor<2x3xf32>
// CLEAN: arith.extf %{{.*}} {recomputed} : tensor<2x3xbf16> to tensor<2x3xf32>

// CHECK-DAG: #[[$MAP:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$MAP1:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MAP2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// ReLU after a matmul: the backward reads the output %r (and a fill of
// zeros made again in the backward), not the pre-activation %h.
func.func @relu_loss(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %h = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %zeros = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = arith.maximumf %h, %zeros : tensor<2x3xf32>
  %sq = arith.mulf %r, %r : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%sq : tensor<2x3xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a: f32) {
      %t = arith.addf %in, %a : f32
      linalg.yield %t : f32
    }
  return %s : tensor<f32>
}
func.func @relu(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>) {
  %l, %g = mp.value_and_grad @relu_loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4x3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>)
  return %l, %g : tensor<f32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @relu(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x3xf32>, %[[ARG1:.*]]: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG1]], %[[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V3:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.maximumf %[[V2]], %[[V3]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[V4]], %[[V4]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V6]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V5]] : tensor<2x3xf32>) outs(%[[V7]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V19:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V19]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V8:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V8]] : tensor<2x3xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V9:.*]] = arith.mulf %[[BROADCASTED]], %[[V4]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V10:.*]] = arith.mulf %[[BROADCASTED]], %[[V4]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V11:.*]] = arith.addf %[[V9]], %[[V10]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V12:.*]] = tensor.empty() {recomputed} : tensor<2x3xf32>
// CHECK-NEXT: %[[V13:.*]] = linalg.fill {recomputed} ins(%[[CST]] : f32) outs(%[[V12]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V14:.*]] = arith.cmpf ogt, %[[V4]], %[[V13]] : tensor<2x3xf32>
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK-NEXT: %[[V15:.*]] = arith.select %[[V14]], %[[V11]], %[[CST_1]] : tensor<2x3xi1>, tensor<2x3xf32>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V16:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK-NEXT: %[[V17:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V16]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[V18:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[ARG1]], %[[V15]] : tensor<2x4xf32>, tensor<2x3xf32>) outs(%[[V17]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V18]] : tensor<f32>, tensor<4x3xf32>

// A GELU-like chain y = u * tanh(0.5 u): the backward needs u, t and y; it
// keeps u (a matmul result) and recomputes a, t and y from it.
func.func @chain_loss(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %c = arith.constant dense<0.5> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %u = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %a = arith.mulf %u, %c : tensor<2x3xf32>
  %t = math.tanh %a : tensor<2x3xf32>
  %y = arith.mulf %u, %t : tensor<2x3xf32>
  %sq = arith.mulf %y, %y : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%sq : tensor<2x3xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a0: f32) {
      %r = arith.addf %in, %a0 : f32
      linalg.yield %r : f32
    }
  return %s : tensor<f32>
}
func.func @chain(%w: tensor<4x3xf32>, %x: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>) {
  %l, %g = mp.value_and_grad @chain_loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4x3xf32>, tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>)
  return %l, %g : tensor<f32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x3xf32>, %[[ARG1:.*]]: tensor<2x4xf32>) -> (tensor<f32>, tensor<4x3xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<5.000000e-01> : tensor<2x3xf32>
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG1]], %[[ARG0]] : tensor<2x4xf32>, tensor<4x3xf32>) outs(%[[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[V2]], %[[CST_0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V4:.*]] = math.tanh %[[V3]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[V2]], %[[V4]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V6:.*]] = arith.mulf %[[V5]], %[[V5]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V7]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V6]] : tensor<2x3xf32>) outs(%[[V8]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V26:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V26]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V9]] : tensor<2x3xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V10:.*]] = arith.mulf %[[V2]], %[[CST_0]] {recomputed} : tensor<2x3xf32>
// CHECK-NEXT: %[[V11:.*]] = math.tanh %[[V10]] {recomputed} : tensor<2x3xf32>
// CHECK-NEXT: %[[V12:.*]] = arith.mulf %[[V2]], %[[V11]] {recomputed} : tensor<2x3xf32>
// CHECK-NEXT: %[[V13:.*]] = arith.mulf %[[BROADCASTED]], %[[V12]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V14:.*]] = arith.mulf %[[BROADCASTED]], %[[V12]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V15:.*]] = arith.addf %[[V13]], %[[V14]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V16:.*]] = arith.mulf %[[V15]], %[[V11]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V17:.*]] = arith.mulf %[[V15]], %[[V2]] : tensor<2x3xf32>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant dense<1.000000e+00> : tensor<2x3xf32>
// CHECK-NEXT: %[[V18:.*]] = arith.mulf %[[V11]], %[[V11]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V19:.*]] = arith.subf %[[CST_2]], %[[V18]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V20:.*]] = arith.mulf %[[V17]], %[[V19]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V21:.*]] = arith.mulf %[[V20]], %[[CST_0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V22:.*]] = arith.addf %[[V16]], %[[V21]] : tensor<2x3xf32>
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V23:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK-NEXT: %[[V24:.*]] = linalg.fill ins(%[[CST_3]] : f32) outs(%[[V23]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[V25:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[ARG1]], %[[V22]] : tensor<2x4xf32>, tensor<2x3xf32>) outs(%[[V24]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V25]] : tensor<f32>, tensor<4x3xf32>

// Casts: the backward needs the bf16 %h and the widened %r = extf(%h * %h);
// it keeps %h and recomputes %hh and %r from it (no f32 tensor saved), but
// does not recompute %h from the f32 matmul result %m (twice the bytes).
func.func @casts_loss(%w: tensor<4x3xbf16>, %x: tensor<2x4xbf16>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x4xbf16>, tensor<4x3xbf16>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %h = arith.truncf %m : tensor<2x3xf32> to tensor<2x3xbf16>
  %hh = arith.mulf %h, %h : tensor<2x3xbf16>
  %r = arith.extf %hh : tensor<2x3xbf16> to tensor<2x3xf32>
  %sq = arith.mulf %r, %r : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%sq : tensor<2x3xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a0: f32) {
      %q = arith.addf %in, %a0 : f32
      linalg.yield %q : f32
    }
  return %s : tensor<f32>
}
func.func @casts(%w: tensor<4x3xbf16>, %x: tensor<2x4xbf16>) -> (tensor<f32>, tensor<4x3xbf16>) {
  %l, %g = mp.value_and_grad @casts_loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4x3xbf16>, tensor<2x4xbf16>) -> (tensor<f32>, tensor<4x3xbf16>)
  return %l, %g : tensor<f32>, tensor<4x3xbf16>
}

// CHECK-LABEL: func.func @casts(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x3xbf16>, %[[ARG1:.*]]: tensor<2x4xbf16>) -> (tensor<f32>, tensor<4x3xbf16>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG1]], %[[ARG0]] : tensor<2x4xbf16>, tensor<4x3xbf16>) outs(%[[V1]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[V3:.*]] = arith.truncf %[[V2]] : tensor<2x3xf32> to tensor<2x3xbf16>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[V3]], %[[V3]] : tensor<2x3xbf16>
// CHECK-NEXT: %[[V5:.*]] = arith.extf %[[V4]] : tensor<2x3xbf16> to tensor<2x3xf32>
// CHECK-NEXT: %[[V6:.*]] = arith.mulf %[[V5]], %[[V5]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V7]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V6]] : tensor<2x3xf32>) outs(%[[V8]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V25:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V25]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V9]] : tensor<2x3xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V10:.*]] = arith.mulf %[[V3]], %[[V3]] {recomputed} : tensor<2x3xbf16>
// CHECK-NEXT: %[[V11:.*]] = arith.extf %[[V10]] {recomputed} : tensor<2x3xbf16> to tensor<2x3xf32>
// CHECK-NEXT: %[[V12:.*]] = arith.mulf %[[BROADCASTED]], %[[V11]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V13:.*]] = arith.mulf %[[BROADCASTED]], %[[V11]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V14:.*]] = arith.addf %[[V12]], %[[V13]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V15:.*]] = arith.truncf %[[V14]] : tensor<2x3xf32> to tensor<2x3xbf16>
// CHECK-NEXT: %[[V16:.*]] = arith.mulf %[[V15]], %[[V3]] : tensor<2x3xbf16>
// CHECK-NEXT: %[[V17:.*]] = arith.mulf %[[V15]], %[[V3]] : tensor<2x3xbf16>
// CHECK-NEXT: %[[V18:.*]] = arith.addf %[[V16]], %[[V17]] : tensor<2x3xbf16>
// CHECK-NEXT: %[[V19:.*]] = arith.extf %[[V18]] : tensor<2x3xbf16> to tensor<2x3xf32>
// CHECK-NEXT: %[[V20:.*]] = arith.truncf %[[V19]] : tensor<2x3xf32> to tensor<2x3xbf16>
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V21:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK-NEXT: %[[V22:.*]] = linalg.fill ins(%[[CST_1]] : f32) outs(%[[V21]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[V23:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[ARG1]], %[[V20]] : tensor<2x4xbf16>, tensor<2x3xbf16>) outs(%[[V22]] : tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[V24:.*]] = arith.truncf %[[V23]] : tensor<4x3xf32> to tensor<4x3xbf16>
// CHECK-NEXT: return %[[REDUCED]], %[[V24]] : tensor<f32>, tensor<4x3xbf16>

// Layer-norm-like scaling by a broadcast statistic: the broadcast rstd is
// broadcast again in the backward (the 2-element rstd is kept, not the
// 2x3 broadcast).
func.func @bcast_loss(%x: tensor<2x3xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<2xf32>
  %zr = linalg.fill ins(%z : f32) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %sq = arith.mulf %x, %x : tensor<2x3xf32>
  %ss = linalg.reduce ins(%sq : tensor<2x3xf32>) outs(%zr : tensor<2xf32>) dimensions = [1]
    (%in: f32, %a0: f32) {
      %q = arith.addf %in, %a0 : f32
      linalg.yield %q : f32
    }
  %rstd = math.rsqrt %ss : tensor<2xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %rb = linalg.broadcast ins(%rstd : tensor<2xf32>) outs(%e : tensor<2x3xf32>) dimensions = [1]
  %xn = arith.mulf %x, %rb : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%xn : tensor<2x3xf32>) outs(%z0 : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %a0: f32) {
      %q = arith.addf %in, %a0 : f32
      linalg.yield %q : f32
    }
  return %s : tensor<f32>
}
func.func @bcast(%x: tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>) {
  %l, %g = mp.value_and_grad @bcast_loss(%x) {wrt = array<i64: 0>}
      : (tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>)
  return %l, %g : tensor<f32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @bcast(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[ARG0]], %[[ARG0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]] : tensor<2x3xf32>) outs(%[[V1]] : tensor<2xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V23:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V23]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[V3:.*]] = math.rsqrt %[[REDUCED]] : tensor<2xf32>
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[V3]] : tensor<2xf32>) outs(%[[V4]] : tensor<2x3xf32>) dimensions = [1]
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[ARG0]], %[[BROADCASTED]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V6]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED_0:.*]] = linalg.reduce ins(%[[V5]] : tensor<2x3xf32>) outs(%[[V7]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT]]: f32) {
// CHECK-NEXT: %[[V23]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V23]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V8:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED_2:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V8]] : tensor<2x3xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() {recomputed} : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED_3:.*]] = linalg.broadcast ins(%[[V3]] : tensor<2xf32>) outs(%[[V9]] : tensor<2x3xf32>) dimensions = [1]  {recomputed}
// CHECK-NEXT: %[[V10:.*]] = arith.mulf %[[BROADCASTED_2]], %[[BROADCASTED_3]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V11:.*]] = arith.mulf %[[BROADCASTED_2]], %[[ARG0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[CST_4:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V12:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[V13:.*]] = linalg.fill ins(%[[CST_4]] : f32) outs(%[[V12]] : tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[REDUCED_5:.*]] = linalg.reduce ins(%[[V11]] : tensor<2x3xf32>) outs(%[[V13]] : tensor<2xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT]]: f32) {
// CHECK-NEXT: %[[V23]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V23]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[V14:.*]] = arith.mulf %[[V3]], %[[V3]] : tensor<2xf32>
// CHECK-NEXT: %[[V15:.*]] = arith.mulf %[[V14]], %[[V3]] : tensor<2xf32>
// CHECK-NEXT: %[[CST_6:.*]] = arith.constant dense<-5.000000e-01> : tensor<2xf32>
// CHECK-NEXT: %[[V16:.*]] = arith.mulf %[[V15]], %[[CST_6]] : tensor<2xf32>
// CHECK-NEXT: %[[V17:.*]] = arith.mulf %[[REDUCED_5]], %[[V16]] : tensor<2xf32>
// CHECK-NEXT: %[[V18:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BROADCASTED_7:.*]] = linalg.broadcast ins(%[[V17]] : tensor<2xf32>) outs(%[[V18]] : tensor<2x3xf32>) dimensions = [1]
// CHECK-NEXT: %[[V19:.*]] = arith.mulf %[[BROADCASTED_7]], %[[ARG0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V20:.*]] = arith.addf %[[V10]], %[[V19]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V21:.*]] = arith.mulf %[[BROADCASTED_7]], %[[ARG0]] : tensor<2x3xf32>
// CHECK-NEXT: %[[V22:.*]] = arith.addf %[[V20]], %[[V21]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[REDUCED_0]], %[[V22]] : tensor<f32>, tensor<2x3xf32>
