// RUN: mp-opt %s --mp-lower -verify-diagnostics

func.func @loss(%w: tensor<4xf32>) -> tensor<f32> {
  %0 = arith.constant dense<0.0> : tensor<f32>
  return %0 : tensor<f32>
}
func.func @not_differentiated(%w: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'mp.value_and_grad' op must be expanded by mp-differentiate before mp-lower}}
  %l, %g = mp.value_and_grad @loss(%w) {wrt = array<i64: 0>} : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l : tensor<f32>
}

// Unranked tensors are not lowered: an error at the op (not invalid IR or a
// crash). A cast to its input's type lowers to its input whatever the type.
// (A ranked <-> unranked mp.cast is rejected by the verifier already:
// test/Dialect/MP/invalid.mlir.)
func.func @unranked(%g: tensor<*xf32>, %s: tensor<f32>) -> (tensor<*xf32>, tensor<i1>, tensor<*xbf16>, tensor<*xf32>) {
  // expected-error @+1 {{'mp.unscale' op cannot be lowered by mp-lower: operand #0 has unranked type tensor<*xf32>; only ranked tensors and scalars are lowered}}
  %u = mp.unscale %g by %s : tensor<*xf32>
  // expected-error @+1 {{'mp.all_finite' op cannot be lowered by mp-lower: operand #0 has unranked type tensor<*xf32>; only ranked tensors and scalars are lowered}}
  %ok = mp.all_finite %g : tensor<*xf32>
  // expected-error @+1 {{'mp.cast' op cannot be lowered by mp-lower: operand #0 has unranked type tensor<*xf32>; only ranked tensors and scalars are lowered}}
  %c = mp.cast %g : tensor<*xf32> to tensor<*xbf16>
  %i = mp.cast %g : tensor<*xf32> to tensor<*xf32>
  return %u, %ok, %c, %i : tensor<*xf32>, tensor<i1>, tensor<*xbf16>, tensor<*xf32>
}
