// RUN: mp-opt %s --mp-differentiate | FileCheck %s
// RUN: mp-opt %s --mp-differentiate | FileCheck %s --check-prefix=ERASED

// The backward IR of each adjoint rule, exactly as mp-differentiate emits it
// (no canonicalization: mp-cleanup folds the seed multiplications by 1 and
// the broadcast of the seed). Gradients are checked numerically by
// test/Integration/AD.

// CHECK-DAG: #[[$MAP:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$MAP1:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MAP2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$MAP3:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[$MAP4:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MAP5:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$MAP6:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$MAP7:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$MAP8:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[$MAP9:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$MAP10:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$MAP11:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$MAP12:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$MAP13:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d2)>
// CHECK-DAG: #[[$MAP14:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[$MAP15:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$MAP16:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d6)>
// CHECK-DAG: #[[$MAP17:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d3, d6)>
// CHECK-DAG: #[[$MAP18:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d4, d2 * 2 + d5, d3)>
// CHECK-DAG: #[[$MAP19:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[$MAP20:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$MAP21:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 - d4 + 1, d2 - d5 + 1, d3)>

// Elementwise rules; %x is used twice (its adjoints are added); %y is not
// differentiated, so no adjoint flows into it (no x * dy term).
func.func @ew_loss(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %a = arith.mulf %x, %y : tensor<4xf32>
  %b = math.exp %x : tensor<4xf32>
  %c = arith.addf %a, %b : tensor<4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<4xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @ew(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
  %r0, %r1 = mp.value_and_grad @ew_loss(%x, %y) {wrt = array<i64: 0>}
      : (tensor<4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %r0, %r1 : tensor<f32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @ew(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4xf32>, %[[ARG1:.*]]: tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.mulf %[[ARG0]], %[[ARG1]] : tensor<4xf32>
// CHECK-NEXT: %[[V1:.*]] = math.exp %[[ARG0]] : tensor<4xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.addf %[[V0]], %[[V1]] : tensor<4xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]] : tensor<4xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V10:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V10]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V5]] : tensor<4xf32>) dimensions = [0]
// CHECK-NEXT: %[[V6:.*]] = math.exp %[[ARG0]] {recomputed} : tensor<4xf32>
// CHECK-NEXT: %[[V7:.*]] = arith.mulf %[[BROADCASTED]], %[[V6]] : tensor<4xf32>
// CHECK-NEXT: %[[V8:.*]] = arith.mulf %[[BROADCASTED]], %[[ARG1]] : tensor<4xf32>
// CHECK-NEXT: %[[V9:.*]] = arith.addf %[[V7]], %[[V8]] : tensor<4xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V9]] : tensor<f32>, tensor<4xf32>

// The scale operand seeds the reverse pass: the gradient of loss * s.
func.func private @sq_loss(%x: tensor<f32>) -> tensor<f32> {
  %m = arith.mulf %x, %x : tensor<f32>
  return %m : tensor<f32>
}
func.func @scaled(%x: tensor<f32>, %s: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @sq_loss(%x) scale(%s) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @scaled(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.mulf %[[ARG0]], %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.mulf %[[ARG1]], %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[ARG1]], %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.addf %[[V1]], %[[V2]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V3]] : tensor<f32>, tensor<f32>

// The private @sq_loss has no user left: it is erased.

// arith/math rule: subf.
func.func @subf_loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %r = arith.subf %x, %y : tensor<f32>
  return %r : tensor<f32>
}
func.func @subf(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %r0, %r1, %r2 = mp.value_and_grad @subf_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @subf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.subf %[[ARG0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.negf %[[CST]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[CST]], %[[V1]] : tensor<f32>, tensor<f32>, tensor<f32>

// arith/math rule: divf.
func.func @divf_loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %r = arith.divf %x, %y : tensor<f32>
  return %r : tensor<f32>
}
func.func @divf(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %r0, %r1, %r2 = mp.value_and_grad @divf_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @divf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.divf %[[ARG0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.divf %[[CST]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[CST]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.divf %[[V2]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.negf %[[V3]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V1]], %[[V4]] : tensor<f32>, tensor<f32>, tensor<f32>

// arith/math rule: negf.
func.func @negf_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = arith.negf %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @negf(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @negf_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @negf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.negf %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.negf %[[CST]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V1]] : tensor<f32>, tensor<f32>

// arith/math rule: maximumf.
func.func @maximumf_loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %r = arith.maximumf %x, %y : tensor<f32>
  return %r : tensor<f32>
}
func.func @maximumf(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %r0, %r1, %r2 = mp.value_and_grad @maximumf_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @maximumf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.maximumf %[[ARG0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.cmpf ogt, %[[V0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.select %[[V1]], %[[CST]], %[[CST_0]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.select %[[V1]], %[[CST_0]], %[[CST]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V2]], %[[V3]] : tensor<f32>, tensor<f32>, tensor<f32>

// arith/math rule: select.
func.func @select_loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %c = arith.cmpf olt, %x, %y : tensor<f32>
  %r = arith.select %c, %x, %y : tensor<i1>, tensor<f32>
  return %r : tensor<f32>
}
func.func @select(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %r0, %r1, %r2 = mp.value_and_grad @select_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @select(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.cmpf olt, %[[ARG0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.select %[[V0]], %[[ARG0]], %[[ARG1]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.cmpf olt, %[[ARG0]], %[[ARG1]] {recomputed} : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.select %[[V2]], %[[CST]], %[[CST_0]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.select %[[V2]], %[[CST_0]], %[[CST]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: return %[[V1]], %[[V3]], %[[V4]] : tensor<f32>, tensor<f32>, tensor<f32>

// arith/math rule: log.
func.func @log_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.log %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @log(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @log_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @log(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.log %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.divf %[[CST]], %[[ARG0]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V1]] : tensor<f32>, tensor<f32>

// arith/math rule: tanh.
func.func @tanh_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.tanh %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @tanh(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @tanh_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @tanh(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.tanh %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.mulf %[[V0]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.subf %[[CST_0]], %[[V1]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[CST]], %[[V2]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V3]] : tensor<f32>, tensor<f32>

// arith/math rule: sqrt.
func.func @sqrt_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.sqrt %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @sqrt(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @sqrt_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @sqrt(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.sqrt %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.divf %[[CST_0]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[CST]], %[[V1]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V2]] : tensor<f32>, tensor<f32>

// arith/math rule: rsqrt.
func.func @rsqrt_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.rsqrt %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @rsqrt(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @rsqrt_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @rsqrt(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.rsqrt %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.mulf %[[V0]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[V1]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<-5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[V2]], %[[CST_0]] : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[CST]], %[[V3]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V4]] : tensor<f32>, tensor<f32>

// arith/math rule: powf.
func.func @powf_loss(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %r = math.powf %x, %y : tensor<f32>
  return %r : tensor<f32>
}
func.func @powf(%x: tensor<f32>, %y: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %r0, %r1, %r2 = mp.value_and_grad @powf_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @powf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.powf %[[ARG0]], %[[ARG1]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.subf %[[ARG1]], %[[CST_0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = math.powf %[[ARG0]], %[[V1]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[ARG1]], %[[V2]] : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[CST]], %[[V3]] : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = math.log %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[V6:.*]] = arith.mulf %[[V0]], %[[V5]] : tensor<f32>
// CHECK-NEXT: %[[V7:.*]] = arith.mulf %[[CST]], %[[V6]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V4]], %[[V7]] : tensor<f32>, tensor<f32>, tensor<f32>

// arith/math rule: absf.
func.func @absf_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.absf %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @absf(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @absf_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @absf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.absf %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.cmpf ogt, %[[ARG0]], %[[CST_0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.cmpf olt, %[[ARG0]], %[[CST_0]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.negf %[[CST]] : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.select %[[V2]], %[[V3]], %[[CST_0]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = arith.select %[[V1]], %[[CST]], %[[V4]] : tensor<i1>, tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V5]] : tensor<f32>, tensor<f32>

// arith/math rule: erf.
func.func @erf_loss(%x: tensor<f32>) -> tensor<f32> {
  %r = math.erf %x : tensor<f32>
  return %r : tensor<f32>
}
func.func @erf(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @erf_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @erf(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = math.erf %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.mulf %[[ARG0]], %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.negf %[[V1]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = math.exp %[[V2]] : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.12837923> : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[V3]], %[[CST_0]] : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[CST]], %[[V4]] : tensor<f32>
// CHECK-NEXT: return %[[V0]], %[[V5]] : tensor<f32>, tensor<f32>

// matmul: dA = dC * B^T and dB = A^T * dC are linalg.matmul with
// transposed operands expressed by indexing maps (no transpose copy).
func.func @mm_loss(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>) -> tensor<f32> {
  %z0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16xf32>
  %f0 = linalg.fill ins(%z0 : f32) outs(%e0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%f0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<8x16xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @mm(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>) -> (tensor<f32>, tensor<8x4xf32>, tensor<4x16xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @mm_loss(%a, %b) {wrt = array<i64: 0, 1>}
      : (tensor<8x4xf32>, tensor<4x16xf32>) -> (tensor<f32>, tensor<8x4xf32>, tensor<4x16xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<8x4xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: func.func @mm(
// CHECK-SAME: %[[ARG0:.*]]: tensor<8x4xf32>, %[[ARG1:.*]]: tensor<4x16xf32>) -> (tensor<f32>, tensor<8x4xf32>, tensor<4x16xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<8x16xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.matmul ins(%[[ARG0]], %[[ARG1]] : tensor<8x4xf32>, tensor<4x16xf32>) outs(%[[V1]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]] : tensor<8x16xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V12:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V12]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<8x16xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V5]] : tensor<8x16xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<8x4xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V6]] : tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.matmul indexing_maps = [#[[$MAP]], #[[$MAP1]], #[[$MAP2]]] ins(%[[BROADCASTED]], %[[ARG1]] : tensor<8x16xf32>, tensor<4x16xf32>) outs(%[[V7]] : tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.fill ins(%[[CST_3]] : f32) outs(%[[V9]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[V11:.*]] = linalg.matmul indexing_maps = [#[[$MAP3]], #[[$MAP4]], #[[$MAP2]]] ins(%[[ARG0]], %[[BROADCASTED]] : tensor<8x4xf32>, tensor<8x16xf32>) outs(%[[V10]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V8]], %[[V11]] : tensor<f32>, tensor<8x4xf32>, tensor<4x16xf32>

// batch_matmul: batched transposed matmuls.
func.func @bmm_loss(%a: tensor<2x8x4xf32>, %b: tensor<2x4x16xf32>) -> tensor<f32> {
  %z0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x8x16xf32>
  %f0 = linalg.fill ins(%z0 : f32) outs(%e0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %c = linalg.batch_matmul ins(%a, %b : tensor<2x8x4xf32>, tensor<2x4x16xf32>) outs(%f0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<2x8x16xf32>) outs(%i : tensor<f32>) dimensions = [0, 1, 2]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @bmm(%a: tensor<2x8x4xf32>, %b: tensor<2x4x16xf32>) -> (tensor<f32>, tensor<2x8x4xf32>, tensor<2x4x16xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @bmm_loss(%a, %b) {wrt = array<i64: 0, 1>}
      : (tensor<2x8x4xf32>, tensor<2x4x16xf32>) -> (tensor<f32>, tensor<2x8x4xf32>, tensor<2x4x16xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<2x8x4xf32>, tensor<2x4x16xf32>
}

// CHECK-LABEL: func.func @bmm(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x8x4xf32>, %[[ARG1:.*]]: tensor<2x4x16xf32>) -> (tensor<f32>, tensor<2x8x4xf32>, tensor<2x4x16xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<2x8x16xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.batch_matmul ins(%[[ARG0]], %[[ARG1]] : tensor<2x8x4xf32>, tensor<2x4x16xf32>) outs(%[[V1]] : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]] : tensor<2x8x16xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0, 1, 2]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V12:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V12]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<2x8x16xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V5]] : tensor<2x8x16xf32>) dimensions = [0, 1, 2]
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<2x8x4xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V6]] : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.batch_matmul indexing_maps = [#[[$MAP5]], #[[$MAP6]], #[[$MAP7]]] ins(%[[BROADCASTED]], %[[ARG1]] : tensor<2x8x16xf32>, tensor<2x4x16xf32>) outs(%[[V7]] : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() : tensor<2x4x16xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.fill ins(%[[CST_3]] : f32) outs(%[[V9]] : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT: %[[V11:.*]] = linalg.batch_matmul indexing_maps = [#[[$MAP8]], #[[$MAP9]], #[[$MAP7]]] ins(%[[ARG0]], %[[BROADCASTED]] : tensor<2x8x4xf32>, tensor<2x8x16xf32>) outs(%[[V10]] : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V8]], %[[V11]] : tensor<f32>, tensor<2x8x4xf32>, tensor<2x4x16xf32>

// Mixed precision as mp-autocast leaves it: f32 master weight cast to bf16,
// bf16 x bf16 matmul accumulating in f32. The backward matmul takes the
// cotangent in bf16 (the compute dtype), accumulates in f32, rounds once to
// bf16 (the type of the bf16 weight copy), and the adjoint of the narrowing
// mp.cast is the widening mp.cast: the f32 weight gets an f32 gradient.
func.func @mixed_loss(%w: tensor<4x16xf32>, %x: tensor<8x4xbf16>) -> tensor<f32> {
  %wb = mp.cast %w : tensor<4x16xf32> to tensor<4x16xbf16>
  %z0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<8x16xf32>
  %f0 = linalg.fill ins(%z0 : f32) outs(%e0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %c = linalg.matmul ins(%x, %wb : tensor<8x4xbf16>, tensor<4x16xbf16>) outs(%f0 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<8x16xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @mixed(%w: tensor<4x16xf32>, %x: tensor<8x4xbf16>) -> (tensor<f32>, tensor<4x16xf32>) {
  %r0, %r1 = mp.value_and_grad @mixed_loss(%w, %x) {wrt = array<i64: 0>}
      : (tensor<4x16xf32>, tensor<8x4xbf16>) -> (tensor<f32>, tensor<4x16xf32>)
  return %r0, %r1 : tensor<f32>, tensor<4x16xf32>
}

// CHECK-LABEL: func.func @mixed(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x16xf32>, %[[ARG1:.*]]: tensor<8x4xbf16>) -> (tensor<f32>, tensor<4x16xf32>) {
// CHECK-NEXT: %[[V0:.*]] = mp.cast %[[ARG0]] : tensor<4x16xf32> to tensor<4x16xbf16>
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V1:.*]] = tensor.empty() : tensor<8x16xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V1]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[V3:.*]] = linalg.matmul ins(%[[ARG1]], %[[V0]] : tensor<8x4xbf16>, tensor<4x16xbf16>) outs(%[[V2]] : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V4]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V3]] : tensor<8x16xf32>) outs(%[[V5]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V13:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V13]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<8x16xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V6]] : tensor<8x16xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V7:.*]] = arith.truncf %[[BROADCASTED]] : tensor<8x16xf32> to tensor<8x16xbf16>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V8:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK-NEXT: %[[V9:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V8]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.matmul indexing_maps = [#[[$MAP3]], #[[$MAP4]], #[[$MAP2]]] ins(%[[ARG1]], %[[V7]] : tensor<8x4xbf16>, tensor<8x16xbf16>) outs(%[[V9]] : tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[V11:.*]] = arith.truncf %[[V10]] : tensor<4x16xf32> to tensor<4x16xbf16>
// CHECK-NEXT: %[[V12:.*]] = mp.cast %[[V11]] : tensor<4x16xbf16> to tensor<4x16xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V12]] : tensor<f32>, tensor<4x16xf32>

// arith.truncf / arith.extf: each one's adjoint is the other.
func.func @casts_loss(%x: tensor<f32>) -> tensor<f32> {
  %h = arith.truncf %x : tensor<f32> to tensor<bf16>
  %e = math.exp %h : tensor<bf16>
  %r = arith.extf %e : tensor<bf16> to tensor<f32>
  return %r : tensor<f32>
}
func.func @casts(%x: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r0, %r1 = mp.value_and_grad @casts_loss(%x) {wrt = array<i64: 0>}
      : (tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r0, %r1 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @casts(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
// CHECK-NEXT: %[[V0:.*]] = arith.truncf %[[ARG0]] : tensor<f32> to tensor<bf16>
// CHECK-NEXT: %[[V1:.*]] = math.exp %[[V0]] : tensor<bf16>
// CHECK-NEXT: %[[V2:.*]] = arith.extf %[[V1]] : tensor<bf16> to tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.truncf %[[CST]] : tensor<f32> to tensor<bf16>
// CHECK-NEXT: %[[V4:.*]] = arith.truncf %[[ARG0]] {recomputed} : tensor<f32> to tensor<bf16>
// CHECK-NEXT: %[[V5:.*]] = math.exp %[[V4]] {recomputed} : tensor<bf16>
// CHECK-NEXT: %[[V6:.*]] = arith.mulf %[[V3]], %[[V5]] : tensor<bf16>
// CHECK-NEXT: %[[V7:.*]] = arith.extf %[[V6]] : tensor<bf16> to tensor<f32>
// CHECK-NEXT: return %[[V2]], %[[V7]] : tensor<f32>, tensor<f32>

// linalg.generic (elementwise, broadcast operand): one generic per
// differentiated operand, over the same iteration space, whose body is the
// reverse sweep of the forward body; the broadcast operand's adjoint reduces
// over the broadcast dim.
func.func @gen_loss(%x: tensor<3x4xf32>, %v: tensor<4xf32>) -> tensor<f32> {
  %e0 = tensor.empty() : tensor<3x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %v : tensor<3x4xf32>, tensor<4xf32>) outs(%e0 : tensor<3x4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<3x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%y : tensor<3x4xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @gen(%x: tensor<3x4xf32>, %v: tensor<4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @gen_loss(%x, %v) {wrt = array<i64: 0, 1>}
      : (tensor<3x4xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @gen(
// CHECK-SAME: %[[ARG0:.*]]: tensor<3x4xf32>, %[[ARG1:.*]]: tensor<4xf32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<4xf32>) {
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.generic {indexing_maps = [#[[$MAP10]], #[[$MAP11]], #[[$MAP10]]], iterator_types = ["parallel", "parallel"]} ins(%[[ARG0]], %[[ARG1]] : tensor<3x4xf32>, tensor<4xf32>) outs(%[[V0]] : tensor<3x4xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[IN_3:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[V11:.*]] = arith.mulf %[[IN]], %[[IN_3]] : f32
// CHECK-NEXT: linalg.yield %[[V11]] : f32
// CHECK-NEXT: } -> tensor<3x4xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V2:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V2]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V1]] : tensor<3x4xf32>) outs(%[[V3]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V11]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V11]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V4]] : tensor<3x4xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[V6:.*]] = linalg.fill ins(%[[CST_1]] : f32) outs(%[[V5]] : tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.generic {indexing_maps = [#[[$MAP11]], #[[$MAP10]], #[[$MAP10]]], iterator_types = ["parallel", "parallel"]} ins(%[[ARG1]], %[[BROADCASTED]] : tensor<4xf32>, tensor<3x4xf32>) outs(%[[V6]] : tensor<3x4xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_3]]: f32, %[[OUT]]: f32):
// CHECK-NEXT: %[[V11]] = arith.mulf %[[IN_3]], %[[IN]] : f32
// CHECK-NEXT: %[[V12:.*]] = arith.addf %[[OUT]], %[[V11]] : f32
// CHECK-NEXT: linalg.yield %[[V12]] : f32
// CHECK-NEXT: } -> tensor<3x4xf32>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V8:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: %[[V9:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V8]] : tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.generic {indexing_maps = [#[[$MAP10]], #[[$MAP10]], #[[$MAP11]]], iterator_types = ["reduction", "parallel"]} ins(%[[ARG0]], %[[BROADCASTED]] : tensor<3x4xf32>, tensor<3x4xf32>) outs(%[[V9]] : tensor<4xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_3]]: f32, %[[OUT]]: f32):
// CHECK-NEXT: %[[V11]] = arith.mulf %[[IN_3]], %[[IN]] : f32
// CHECK-NEXT: %[[V12]] = arith.addf %[[OUT]], %[[V11]] : f32
// CHECK-NEXT: linalg.yield %[[V12]] : f32
// CHECK-NEXT: } -> tensor<4xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V7]], %[[V10]] : tensor<f32>, tensor<3x4xf32>, tensor<4xf32>

// Max reduction: the cotangent goes to the first element equal to the max
// (the position pass, then a compare of positions).
func.func @max_loss(%x: tensor<3x4xf32>) -> tensor<f32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<3xf32>
  %f0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<3xf32>) -> tensor<3xf32>
  %m = linalg.reduce ins(%x : tensor<3x4xf32>) outs(%f0 : tensor<3xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %mx = arith.maximumf %in, %acc : f32
      linalg.yield %mx : f32
    }
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%m : tensor<3xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @max(%x: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %r0, %r1 = mp.value_and_grad @max_loss(%x) {wrt = array<i64: 0>}
      : (tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %r0, %r1 : tensor<f32>, tensor<3x4xf32>
}

// CHECK-LABEL: func.func @max(
// CHECK-SAME: %[[ARG0:.*]]: tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[ARG0]] : tensor<3x4xf32>) outs(%[[V1]] : tensor<3xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V9:.*]] = arith.maximumf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V9]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V2:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V2]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED_1:.*]] = linalg.reduce ins(%[[REDUCED]] : tensor<3xf32>) outs(%[[V3]] : tensor<f32>) dimensions = [0]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT]]: f32) {
// CHECK-NEXT: %[[V9]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V9]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_2]] : tensor<f32>) outs(%[[V4]] : tensor<3xf32>) dimensions = [0]
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant dense<127> : tensor<3xi8>
// CHECK-NEXT: %[[V5:.*]] = linalg.generic {indexing_maps = [#[[$MAP10]], #[[$MAP12]], #[[$MAP12]]], iterator_types = ["parallel", "reduction"]} ins(%[[ARG0]], %[[REDUCED]] : tensor<3x4xf32>, tensor<3xf32>) outs(%[[CST_3]] : tensor<3xi8>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_5:.*]]: f32, %[[OUT:.*]]: i8):
// CHECK-NEXT: %[[V9]] = arith.cmpf oeq, %[[IN]], %[[IN_5]] : f32
// CHECK-NEXT: %[[V10:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[V11:.*]] = arith.index_cast %[[V10]] : index to i8
// CHECK-NEXT: %[[C127_I8:.*]] = arith.constant 127 : i8
// CHECK-NEXT: %[[V12:.*]] = arith.select %[[V9]], %[[V11]], %[[C127_I8]] : i8
// CHECK-NEXT: %[[V13:.*]] = arith.minsi %[[OUT]], %[[V12]] : i8
// CHECK-NEXT: linalg.yield %[[V13]] : i8
// CHECK-NEXT: } -> tensor<3xi8>
// CHECK-NEXT: %[[CST_4:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST_4]] : f32) outs(%[[V6]] : tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.generic {indexing_maps = [#[[$MAP12]], #[[$MAP12]], #[[$MAP10]]], iterator_types = ["parallel", "parallel"]} ins(%[[BROADCASTED]], %[[V5]] : tensor<3xf32>, tensor<3xi8>) outs(%[[V7]] : tensor<3x4xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_5]]: i8, %[[OUT]]: f32):
// CHECK-NEXT: %[[V9]] = linalg.index 1 : index
// CHECK-NEXT: %[[V10]] = arith.index_cast %[[V9]] : index to i8
// CHECK-NEXT: %[[V11]] = arith.cmpi eq, %[[V10]], %[[IN_5]] : i8
// CHECK-NEXT: %[[CST_6:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V12]] = arith.select %[[V11]], %[[IN]], %[[CST_6]] : f32
// CHECK-NEXT: %[[V13]] = arith.addf %[[OUT]], %[[V12]] : f32
// CHECK-NEXT: linalg.yield %[[V13]] : f32
// CHECK-NEXT: } -> tensor<3x4xf32>
// CHECK-NEXT: return %[[REDUCED_1]], %[[V8]] : tensor<f32>, tensor<3x4xf32>
// CHECK-NEXT: }

// transpose -> inverse transpose; broadcast -> sum reduce; fill of a
// differentiated scalar -> sum of the cotangent.
func.func @shape_loss(%x: tensor<2x3xf32>, %v: tensor<3xf32>, %t: tensor<2xf32>) -> tensor<f32> {
  %e0 = tensor.empty() : tensor<3x2xf32>
  %xt = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e0 : tensor<3x2xf32>) permutation = [1, 0]
  %vb = linalg.broadcast ins(%v : tensor<3xf32>) outs(%e0 : tensor<3x2xf32>) dimensions = [1]
  %c0 = arith.constant 0 : index
  %s0 = tensor.extract %t[%c0] : tensor<2xf32>
  %f = linalg.fill ins(%s0 : f32) outs(%e0 : tensor<3x2xf32>) -> tensor<3x2xf32>
  %a = arith.addf %xt, %vb : tensor<3x2xf32>
  %b = arith.mulf %a, %f : tensor<3x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%b : tensor<3x2xf32>) outs(%i : tensor<f32>) dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @shape(%x: tensor<2x3xf32>, %v: tensor<3xf32>, %t: tensor<2xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>) {
  %r0, %r1, %r2, %r3 = mp.value_and_grad @shape_loss(%x, %v, %t) {wrt = array<i64: 0, 1, 2>}
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>)
  return %r0, %r1, %r2, %r3 : tensor<f32>, tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>
}

// CHECK-LABEL: func.func @shape(
// CHECK-SAME: %[[ARG0:.*]]: tensor<2x3xf32>, %[[ARG1:.*]]: tensor<3xf32>, %[[ARG2:.*]]: tensor<2xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>) {
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-NEXT: %[[TRANSPOSED:.*]] = linalg.transpose ins(%[[ARG0]] : tensor<2x3xf32>) outs(%[[V0]] : tensor<3x2xf32>) permutation = [1, 0]
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[ARG1]] : tensor<3xf32>) outs(%[[V0]] : tensor<3x2xf32>) dimensions = [1]
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[EXTRACTED:.*]] = tensor.extract %[[ARG2]][%[[C0]]] : tensor<2xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[EXTRACTED]] : f32) outs(%[[V0]] : tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.addf %[[TRANSPOSED]], %[[BROADCASTED]] : tensor<3x2xf32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[V2]], %[[V1]] : tensor<3x2xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V4]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V3]] : tensor<3x2xf32>) outs(%[[V5]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V18:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V18]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-NEXT: %[[BROADCASTED_1:.*]] = linalg.broadcast ins(%[[CST_0]] : tensor<f32>) outs(%[[V6]] : tensor<3x2xf32>) dimensions = [0, 1]
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() {recomputed} : tensor<3x2xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill {recomputed} ins(%[[EXTRACTED]] : f32) outs(%[[V7]] : tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[V9:.*]] = arith.mulf %[[BROADCASTED_1]], %[[V8]] : tensor<3x2xf32>
// CHECK-NEXT: %[[V10:.*]] = arith.mulf %[[BROADCASTED_1]], %[[V2]] : tensor<3x2xf32>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V11:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V12:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V11]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED_3:.*]] = linalg.reduce ins(%[[V10]] : tensor<3x2xf32>) outs(%[[V12]] : tensor<f32>) dimensions = [0, 1]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT]]: f32) {
// CHECK-NEXT: %[[V18]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V18]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[EXTRACTED_4:.*]] = tensor.extract %[[REDUCED_3]][] : tensor<f32>
// CHECK-NEXT: %[[CST_5:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V13:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[V14:.*]] = linalg.fill ins(%[[CST_5]] : f32) outs(%[[V13]] : tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[INSERTED:.*]] = tensor.insert %[[EXTRACTED_4]] into %[[V14]][%[[C0]]] : tensor<2xf32>
// CHECK-NEXT: %[[CST_6:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V15:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[V16:.*]] = linalg.fill ins(%[[CST_6]] : f32) outs(%[[V15]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[REDUCED_7:.*]] = linalg.reduce ins(%[[V9]] : tensor<3x2xf32>) outs(%[[V16]] : tensor<3xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN]]: f32, %[[INIT]]: f32) {
// CHECK-NEXT: %[[V18]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V18]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[V17:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[TRANSPOSED_8:.*]] = linalg.transpose ins(%[[V9]] : tensor<3x2xf32>) outs(%[[V17]] : tensor<2x3xf32>) permutation = [1, 0]
// CHECK-NEXT: return %[[REDUCED]], %[[TRANSPOSED_8]], %[[REDUCED_7]], %[[INSERTED]] : tensor<f32>, tensor<2x3xf32>, tensor<3xf32>, tensor<2xf32>

// conv_2d_nhwc_hwcf (stride 2): the filter gradient is a generic
// contraction of the input and the cotangent; the input gradient scatters the
// cotangent into a zero-padded, stride-dilated tensor and contracts it with
// the filter (a transposed convolution).
func.func @conv_loss(%x: tensor<1x5x5x2xf32>, %k: tensor<3x3x2x4xf32>) -> tensor<f32> {
  %z0 = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x2x2x4xf32>
  %f0 = linalg.fill ins(%z0 : f32) outs(%e0 : tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%f0 : tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%c : tensor<1x2x2x4xf32>) outs(%i : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @conv(%x: tensor<1x5x5x2xf32>, %k: tensor<3x3x2x4xf32>) -> (tensor<f32>, tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @conv_loss(%x, %k) {wrt = array<i64: 0, 1>}
      : (tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) -> (tensor<f32>, tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>
}

// CHECK-LABEL: func.func @conv(
// CHECK-SAME: %[[ARG0:.*]]: tensor<1x5x5x2xf32>, %[[ARG1:.*]]: tensor<3x3x2x4xf32>) -> (tensor<f32>, tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<1x2x2x4xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
// CHECK-NEXT: %[[V2:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[ARG0]], %[[ARG1]] : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%[[V1]] : tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V4:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V3]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V2]] : tensor<1x2x2x4xf32>) outs(%[[V4]] : tensor<f32>) dimensions = [0, 1, 2, 3]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V14:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V14]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = tensor.empty() : tensor<1x2x2x4xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V5]] : tensor<1x2x2x4xf32>) dimensions = [0, 1, 2, 3]
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<3x3x2x4xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V6]] : tensor<3x3x2x4xf32>) -> tensor<3x3x2x4xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.generic {indexing_maps = [#[[$MAP13]], #[[$MAP14]], #[[$MAP15]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[ARG0]], %[[BROADCASTED]] : tensor<1x5x5x2xf32>, tensor<1x2x2x4xf32>) outs(%[[V7]] : tensor<3x3x2x4xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_5:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[V14]] = arith.mulf %[[IN]], %[[IN_5]] : f32
// CHECK-NEXT: %[[V15:.*]] = arith.addf %[[OUT]], %[[V14]] : f32
// CHECK-NEXT: linalg.yield %[[V15]] : f32
// CHECK-NEXT: } -> tensor<3x3x2x4xf32>
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() : tensor<1x7x7x4xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.fill ins(%[[CST_3]] : f32) outs(%[[V9]] : tensor<1x7x7x4xf32>) -> tensor<1x7x7x4xf32>
// CHECK-NEXT: %[[INSERTED_SLICE:.*]] = tensor.insert_slice %[[BROADCASTED]] into %[[V10]][0, 2, 2, 0] [1, 2, 2, 4] [1, 2, 2, 1] : tensor<1x2x2x4xf32> into tensor<1x7x7x4xf32>
// CHECK-NEXT: %[[CST_4:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V11:.*]] = tensor.empty() : tensor<1x5x5x2xf32>
// CHECK-NEXT: %[[V12:.*]] = linalg.fill ins(%[[CST_4]] : f32) outs(%[[V11]] : tensor<1x5x5x2xf32>) -> tensor<1x5x5x2xf32>
// CHECK-NEXT: %[[V13:.*]] = linalg.generic {indexing_maps = [#[[$MAP16]], #[[$MAP17]], #[[$MAP15]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[INSERTED_SLICE]], %[[ARG1]] : tensor<1x7x7x4xf32>, tensor<3x3x2x4xf32>) outs(%[[V12]] : tensor<1x5x5x2xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_5]]: f32, %[[OUT]]: f32):
// CHECK-NEXT: %[[V14]] = arith.mulf %[[IN]], %[[IN_5]] : f32
// CHECK-NEXT: %[[V15]] = arith.addf %[[OUT]], %[[V14]] : f32
// CHECK-NEXT: linalg.yield %[[V15]] : f32
// CHECK-NEXT: } -> tensor<1x5x5x2xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V13]], %[[V8]] : tensor<f32>, tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>

// 2x2 max pooling, stride 2: the cotangent goes to the first window element
// equal to the window max (the position pass over the forward's loops, then
// the transposed window op over the dilated positions).
func.func @pool_loss(%x: tensor<1x4x4x2xf32>) -> tensor<f32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<1x2x2x2xf32>
  %f0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %w = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%f0 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%p : tensor<1x2x2x2xf32>) outs(%i : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @pool(%x: tensor<1x4x4x2xf32>) -> (tensor<f32>, tensor<1x4x4x2xf32>) {
  %r0, %r1 = mp.value_and_grad @pool_loss(%x) {wrt = array<i64: 0>}
      : (tensor<1x4x4x2xf32>) -> (tensor<f32>, tensor<1x4x4x2xf32>)
  return %r0, %r1 : tensor<f32>, tensor<1x4x4x2xf32>
}

// CHECK-LABEL: func.func @pool(
// CHECK-SAME: %[[ARG0:.*]]: tensor<1x4x4x2xf32>) -> (tensor<f32>, tensor<1x4x4x2xf32>) {
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[V0:.*]] = tensor.empty() : tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[V1:.*]] = linalg.fill ins(%[[CST]] : f32) outs(%[[V0]] : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[V2:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK-NEXT: %[[V3:.*]] = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[ARG0]], %[[V2]] : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%[[V1]] : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V4:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V5:.*]] = linalg.fill ins(%[[CST_0]] : f32) outs(%[[V4]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V3]] : tensor<1x2x2x2xf32>) outs(%[[V5]] : tensor<f32>) dimensions = [0, 1, 2, 3]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V16:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V16]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_1]] : tensor<f32>) outs(%[[V6]] : tensor<1x2x2x2xf32>) dimensions = [0, 1, 2, 3]
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V7:.*]] = tensor.empty() : tensor<1x5x5x2xf32>
// CHECK-NEXT: %[[V8:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V7]] : tensor<1x5x5x2xf32>) -> tensor<1x5x5x2xf32>
// CHECK-NEXT: %[[INSERTED_SLICE:.*]] = tensor.insert_slice %[[BROADCASTED]] into %[[V8]][0, 1, 1, 0] [1, 2, 2, 2] [1, 2, 2, 1] : tensor<1x2x2x2xf32> into tensor<1x5x5x2xf32>
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant dense<127> : tensor<1x2x2x2xi8>
// CHECK-NEXT: %[[V9:.*]] = tensor.empty() {recomputed} : tensor<2x2xf32>
// CHECK-NEXT: %[[V10:.*]] = linalg.generic {indexing_maps = [#[[$MAP18]], #[[$MAP19]], #[[$MAP20]], #[[$MAP20]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[ARG0]], %[[V9]], %[[V3]] : tensor<1x4x4x2xf32>, tensor<2x2xf32>, tensor<1x2x2x2xf32>) outs(%[[CST_3]] : tensor<1x2x2x2xi8>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_6:.*]]: f32, %[[IN_7:.*]]: f32, %[[OUT:.*]]: i8):
// CHECK-NEXT: %[[V16]] = arith.cmpf oeq, %[[IN]], %[[IN_7]] : f32
// CHECK-NEXT: %[[V17:.*]] = linalg.index 4 : index
// CHECK-NEXT: %[[V18:.*]] = linalg.index 5 : index
// CHECK-NEXT: %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[V19:.*]] = arith.muli %[[V17]], %[[C2]] : index
// CHECK-NEXT: %[[V20:.*]] = arith.addi %[[V19]], %[[V18]] : index
// CHECK-NEXT: %[[V21:.*]] = arith.index_cast %[[V20]] : index to i8
// CHECK-NEXT: %[[C127_I8:.*]] = arith.constant 127 : i8
// CHECK-NEXT: %[[V22:.*]] = arith.select %[[V16]], %[[V21]], %[[C127_I8]] : i8
// CHECK-NEXT: %[[V23:.*]] = arith.minsi %[[OUT]], %[[V22]] : i8
// CHECK-NEXT: linalg.yield %[[V23]] : i8
// CHECK-NEXT: } -> tensor<1x2x2x2xi8>
// CHECK-NEXT: %[[C0_I8:.*]] = arith.constant 0 : i8
// CHECK-NEXT: %[[V11:.*]] = tensor.empty() : tensor<1x5x5x2xi8>
// CHECK-NEXT: %[[V12:.*]] = linalg.fill ins(%[[C0_I8]] : i8) outs(%[[V11]] : tensor<1x5x5x2xi8>) -> tensor<1x5x5x2xi8>
// CHECK-NEXT: %[[INSERTED_SLICE_4:.*]] = tensor.insert_slice %[[V10]] into %[[V12]][0, 1, 1, 0] [1, 2, 2, 2] [1, 2, 2, 1] : tensor<1x2x2x2xi8> into tensor<1x5x5x2xi8>
// CHECK-NEXT: %[[CST_5:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V13:.*]] = tensor.empty() : tensor<1x4x4x2xf32>
// CHECK-NEXT: %[[V14:.*]] = linalg.fill ins(%[[CST_5]] : f32) outs(%[[V13]] : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NEXT: %[[V15:.*]] = linalg.generic {indexing_maps = [#[[$MAP19]], #[[$MAP21]], #[[$MAP21]], #[[$MAP20]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[V9]], %[[INSERTED_SLICE]], %[[INSERTED_SLICE_4]] : tensor<2x2xf32>, tensor<1x5x5x2xf32>, tensor<1x5x5x2xi8>) outs(%[[V14]] : tensor<1x4x4x2xf32>) {
// CHECK-NEXT: ^bb0(%[[IN]]: f32, %[[IN_6]]: f32, %[[IN_7]]: i8, %[[OUT]]: f32):
// CHECK-NEXT: %[[V16]] = linalg.index 4 : index
// CHECK-NEXT: %[[V17]] = linalg.index 5 : index
// CHECK-NEXT: %[[C2]] = arith.constant 2 : index
// CHECK-NEXT: %[[V18]] = arith.muli %[[V16]], %[[C2]] : index
// CHECK-NEXT: %[[V19]] = arith.addi %[[V18]], %[[V17]] : index
// CHECK-NEXT: %[[V20]] = arith.index_cast %[[V19]] : index to i8
// CHECK-NEXT: %[[V21]] = arith.cmpi eq, %[[V20]], %[[IN_7]] : i8
// CHECK-NEXT: %[[CST_8:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V22]] = arith.select %[[V21]], %[[IN_6]], %[[CST_8]] : f32
// CHECK-NEXT: %[[V23]] = arith.addf %[[OUT]], %[[V22]] : f32
// CHECK-NEXT: linalg.yield %[[V23]] : f32
// CHECK-NEXT: } -> tensor<1x4x4x2xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[V15]] : tensor<f32>, tensor<1x4x4x2xf32>
// CHECK-NEXT: }

// Tensor ops: extract_slice -> insert_slice into zeros (then in place);
// collapse_shape <-> expand_shape; concat -> slices; pad -> slice.
func.func @tensor_loss(%x: tensor<4x6xf32>, %y: tensor<2x3xf32>) -> tensor<f32> {
  %a = tensor.extract_slice %x[0, 0] [2, 3] [2, 2] : tensor<4x6xf32> to tensor<2x3xf32>
  %b = tensor.extract_slice %x[1, 1] [2, 3] [1, 1] : tensor<4x6xf32> to tensor<2x3xf32>
  %c = tensor.concat dim(0) %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %d = tensor.collapse_shape %c [[0, 1]] : tensor<4x3xf32> into tensor<12xf32>
  %pv = arith.constant 0.0 : f32
  %p = tensor.pad %y low[1, 0] high[1, 0] {
  ^bb0(%i0: index, %j0: index):
    tensor.yield %pv : f32
  } : tensor<2x3xf32> to tensor<4x3xf32>
  %q = tensor.collapse_shape %p [[0, 1]] : tensor<4x3xf32> into tensor<12xf32>
  %m = arith.mulf %d, %q : tensor<12xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%m : tensor<12xf32>) outs(%i : tensor<f32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %s : tensor<f32>
}
func.func @tensor_ops(%x: tensor<4x6xf32>, %y: tensor<2x3xf32>) -> (tensor<f32>, tensor<4x6xf32>, tensor<2x3xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @tensor_loss(%x, %y) {wrt = array<i64: 0, 1>}
      : (tensor<4x6xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<4x6xf32>, tensor<2x3xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<4x6xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @tensor_ops(
// CHECK-SAME: %[[ARG0:.*]]: tensor<4x6xf32>, %[[ARG1:.*]]: tensor<2x3xf32>) -> (tensor<f32>, tensor<4x6xf32>, tensor<2x3xf32>) {
// CHECK-NEXT: %[[EXTRACTED_SLICE:.*]] = tensor.extract_slice %[[ARG0]][0, 0] [2, 3] [2, 2] : tensor<4x6xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[EXTRACTED_SLICE_0:.*]] = tensor.extract_slice %[[ARG0]][1, 1] [2, 3] [1, 1] : tensor<4x6xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[CONCAT:.*]] = tensor.concat dim(0) %[[EXTRACTED_SLICE]], %[[EXTRACTED_SLICE_0]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[COLLAPSED:.*]] = tensor.collapse_shape %[[CONCAT]] {{\[\[}}0, 1{{\]\]}} : tensor<4x3xf32> into tensor<12xf32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[PADDED:.*]] = tensor.pad %[[ARG1]] low[1, 0] high[1, 0] {
// CHECK-NEXT: ^bb0(%[[ARG2:.*]]: index, %[[ARG3:.*]]: index):
// CHECK-NEXT: tensor.yield %[[CST]] : f32
// CHECK-NEXT: } : tensor<2x3xf32> to tensor<4x3xf32>
// CHECK-NEXT: %[[COLLAPSED_1:.*]] = tensor.collapse_shape %[[PADDED]] {{\[\[}}0, 1{{\]\]}} : tensor<4x3xf32> into tensor<12xf32>
// CHECK-NEXT: %[[V0:.*]] = arith.mulf %[[COLLAPSED]], %[[COLLAPSED_1]] : tensor<12xf32>
// CHECK-NEXT: %[[CST_2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V1:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = linalg.fill ins(%[[CST_2]] : f32) outs(%[[V1]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[REDUCED:.*]] = linalg.reduce ins(%[[V0]] : tensor<12xf32>) outs(%[[V2]] : tensor<f32>) dimensions = [0]
// CHECK-NEXT: (%[[IN:.*]]: f32, %[[INIT:.*]]: f32) {
// CHECK-NEXT: %[[V9:.*]] = arith.addf %[[IN]], %[[INIT]] : f32
// CHECK-NEXT: linalg.yield %[[V9]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[CST_3:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = tensor.empty() : tensor<12xf32>
// CHECK-NEXT: %[[BROADCASTED:.*]] = linalg.broadcast ins(%[[CST_3]] : tensor<f32>) outs(%[[V3]] : tensor<12xf32>) dimensions = [0]
// CHECK-NEXT: %[[PADDED_4:.*]] = tensor.pad %[[ARG1]] low[1, 0] high[1, 0] {
// CHECK-NEXT: ^bb0(%[[ARG2]]: index, %[[ARG3]]: index):
// CHECK-NEXT: tensor.yield %[[CST]] : f32
// CHECK-NEXT: } {recomputed} : tensor<2x3xf32> to tensor<4x3xf32>
// CHECK-NEXT: %[[COLLAPSED_5:.*]] = tensor.collapse_shape %[[PADDED_4]] {{\[\[}}0, 1{{\]\]}} {recomputed} : tensor<4x3xf32> into tensor<12xf32>
// CHECK-NEXT: %[[V4:.*]] = arith.mulf %[[BROADCASTED]], %[[COLLAPSED_5]] : tensor<12xf32>
// CHECK-NEXT: %[[V5:.*]] = arith.mulf %[[BROADCASTED]], %[[COLLAPSED]] : tensor<12xf32>
// CHECK-NEXT: %[[EXPANDED:.*]] = tensor.expand_shape %[[V5]] {{\[\[}}0, 1{{\]\]}} output_shape [4, 3] : tensor<12xf32> into tensor<4x3xf32>
// CHECK-NEXT: %[[EXTRACTED_SLICE_6:.*]] = tensor.extract_slice %[[EXPANDED]][1, 0] [2, 3] [1, 1] : tensor<4x3xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[EXPANDED_7:.*]] = tensor.expand_shape %[[V4]] {{\[\[}}0, 1{{\]\]}} output_shape [4, 3] : tensor<12xf32> into tensor<4x3xf32>
// CHECK-NEXT: %[[EXTRACTED_SLICE_8:.*]] = tensor.extract_slice %[[EXPANDED_7]][0, 0] [2, 3] [1, 1] : tensor<4x3xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[EXTRACTED_SLICE_9:.*]] = tensor.extract_slice %[[EXPANDED_7]][2, 0] [2, 3] [1, 1] : tensor<4x3xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[CST_10:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V6:.*]] = tensor.empty() : tensor<4x6xf32>
// CHECK-NEXT: %[[V7:.*]] = linalg.fill ins(%[[CST_10]] : f32) outs(%[[V6]] : tensor<4x6xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: %[[INSERTED_SLICE:.*]] = tensor.insert_slice %[[EXTRACTED_SLICE_9]] into %[[V7]][1, 1] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<4x6xf32>
// CHECK-NEXT: %[[EXTRACTED_SLICE_11:.*]] = tensor.extract_slice %[[INSERTED_SLICE]][0, 0] [2, 3] [2, 2] : tensor<4x6xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[V8:.*]] = arith.addf %[[EXTRACTED_SLICE_11]], %[[EXTRACTED_SLICE_8]] : tensor<2x3xf32>
// CHECK-NEXT: %[[INSERTED_SLICE_12:.*]] = tensor.insert_slice %[[V8]] into %[[INSERTED_SLICE]][0, 0] [2, 3] [2, 2] : tensor<2x3xf32> into tensor<4x6xf32>
// CHECK-NEXT: return %[[REDUCED]], %[[INSERTED_SLICE_12]], %[[EXTRACTED_SLICE_6]] : tensor<f32>, tensor<4x6xf32>, tensor<2x3xf32>

// Calls are inlined first; a wrt argument the loss does not depend on gets
// a zero gradient.
func.func private @helper(%a: tensor<f32>) -> tensor<f32> {
  %r = math.tanh %a : tensor<f32>
  return %r : tensor<f32>
}
func.func @call_loss(%x: tensor<f32>, %u: tensor<3xf32>) -> tensor<f32> {
  %r = func.call @helper(%x) : (tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
func.func @calls(%x: tensor<f32>, %u: tensor<3xf32>) -> (tensor<f32>, tensor<f32>, tensor<3xf32>) {
  %r0, %r1, %r2 = mp.value_and_grad @call_loss(%x, %u) {wrt = array<i64: 0, 1>}
      : (tensor<f32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>, tensor<3xf32>)
  return %r0, %r1, %r2 : tensor<f32>, tensor<f32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @calls(
// CHECK-SAME: %[[ARG0:.*]]: tensor<f32>, %[[ARG1:.*]]: tensor<3xf32>) -> (tensor<f32>, tensor<f32>, tensor<3xf32>) {
// CHECK-NEXT: %[[V0:.*]] = math.tanh %[[ARG0]] : tensor<f32>
// CHECK-NEXT: %[[CST:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[CST_0:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[V1:.*]] = arith.mulf %[[V0]], %[[V0]] : tensor<f32>
// CHECK-NEXT: %[[V2:.*]] = arith.subf %[[CST_0]], %[[V1]] : tensor<f32>
// CHECK-NEXT: %[[V3:.*]] = arith.mulf %[[CST]], %[[V2]] : tensor<f32>
// CHECK-NEXT: %[[CST_1:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT: return %[[V0]], %[[V3]], %[[CST_1]] : tensor<f32>, tensor<f32>, tensor<3xf32>

// ERASED-NOT: @sq_loss
